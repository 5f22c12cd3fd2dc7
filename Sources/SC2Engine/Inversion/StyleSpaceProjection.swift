import Foundation
import Tensor

/// W+ -> W in closed form. Styles are affine in w (s = A w + b), so the single w whose styles
/// are closest to a W+ code's, sum over layers of |A_l (w - w_l)|^2, solves
/// (sum_l A_l^T A_l) w = sum_l A_l^T A_l w_l: an exact, free start for re-projection.
package struct StyleSpaceProjection: Sendable {
    let rowMatrices: [[Double]]     // per W+ row: sum of A^T A over the affines reading that row
    let factor: Cholesky
    package let wDim: Int

    package init(generator g: Generator) throws {
        let d = g.config.wDim, nw = g.config.numWs
        var rows = [[Double]](repeating: [Double](repeating: 0, count: d * d), count: nw)
        for (row, affine) in g.synthesis.affinesByRow() {
            let a = affine.weight   // [C, d]
            let c = a.shape[0]
            var ata = [Float](repeating: 0, count: d * d)
            a.data.withUnsafeBufferPointer { ap in ata.withUnsafeMutableBufferPointer { op in
                gemm(transA: true, m: d, n: d, k: c, a: ap.baseAddress!, lda: d, b: ap.baseAddress!, ldb: d, c: op.baseAddress!, ldc: d)
            } }
            for k in 0..<(d * d) { rows[row][k] += Double(ata[k]) }
        }
        var total = [Double](repeating: 0, count: d * d)
        for r in rows { for k in 0..<(d * d) { total[k] += r[k] } }
        for i in 0..<d { total[i * d + i] += 1e-6 }
        rowMatrices = rows
        factor = try Cholesky(total, n: d)
        wDim = d
    }

    /// codes [N, numWs, wDim] -> w [N, wDim].
    package func project(_ codes: Tensor) -> Tensor {
        let n = codes.shape[0], nw = codes.shape[1], d = wDim
        var out = Tensor(zeros: [n, d])
        for i in 0..<n {
            var rhs = [Double](repeating: 0, count: d)
            for r in 0..<nw {
                let m = rowMatrices[r]
                let base = (i * nw + r) * d
                for a in 0..<d {
                    var s = 0.0
                    for b in 0..<d { s += m[a * d + b] * Double(codes.data[base + b]) }
                    rhs[a] += s
                }
            }
            let w = factor.solve(rhs)
            for k in 0..<d { out.data[i * d + k] = Float(w[k]) }
        }
        return out
    }
}

extension SynthesisNetwork {
    /// (W+ row, style affine reading it) for every modulated layer and ToRGB.
    func affinesByRow() -> [(Int, StyleAffine)] {
        var out: [(Int, StyleAffine)] = []
        for b in blocks {
            if let c0 = b.conv0 {
                out.append((b.wIndex, c0.affine)); out.append((b.wIndex + 1, b.conv1.affine)); out.append((b.wIndex + 2, b.torgb.affine))
            } else {
                out.append((0, b.conv1.affine)); out.append((1, b.torgb.affine))
            }
        }
        return out
    }
}
