import Foundation
import Tensor

/// Closed-form factorisation of latent semantics (SeFa, Shen & Zhou, CVPR 2021): the style
/// affine weights A of the synthesis convolutions (not ToRGB) are stacked into one matrix, each
/// output channel's row normalised to unit length, and the eigenvectors of AᵀA, by decreasing
/// eigenvalue, are the directions in W that change the styles most. Unsupervised: no
/// predictor, no samples.
public enum SeFa {
    public struct Component: Sendable {
        public let index: Int
        public let eigenvalue: Double
        /// Unit vector in W.
        public let vector: [Float]
    }

    /// Every component, the largest eigenvalue first. `layers` (W+ rows) factorises only the
    /// style weights of the layers that read those rows, as SeFa's authors do for a layer range
    /// (0-1 pose, 2-5 shape, 6-13 texture on an 18-row model): a convolution reads its own row,
    /// and the last row, which only the final ToRGB reads, brings that ToRGB's weights. nil: every
    /// synthesis convolution, no ToRGB.
    public static func components(of generator: Generator, layers: [Int]? = nil) -> [Component] {
        let d = generator.config.wDim
        // AᵀA accumulated row by row of A (in Double), each row normalised.
        var gram = [Double](repeating: 0, count: d * d)
        for weight in styleWeights(of: generator, layers: layers) {
            let rows = weight.shape[0]
            for r in 0..<rows {
                let row = (0..<d).map { Double(weight.data[r * d + $0]) }
                let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
                guard norm > 0 else { continue }
                let u = row.map { $0 / norm }
                for i in 0..<d where u[i] != 0 { for j in 0..<d { gram[i * d + j] += u[i] * u[j] } }
            }
        }
        let (values, vectors) = SymmetricEigen.decompose(gram, n: d)
        return values.indices.sorted { values[$0] > values[$1] }.enumerated().map { rank, k in
            Component(index: rank, eigenvalue: values[k], vector: (0..<d).map { Float(vectors[$0 * d + k]) })
        }
    }

    /// The style affine weights [C, wDim] of the layers that read `layers` (see `components`).
    static func styleWeights(of generator: Generator, layers: [Int]?) -> [Tensor] {
        var out: [Tensor] = []
        let last = generator.config.numWs - 1
        for (b, block) in generator.synthesis.blocks.enumerated() {
            // b4 reads row 0 with conv1; a later block reads wIndex with conv0 and the next with conv1.
            let convs: [(ModulatedConv, Int)] = block.conv0 == nil ? [(block.conv1, block.wIndex)]
                : [(block.conv0!, block.wIndex), (block.conv1, block.wIndex + 1)]
            for (conv, row) in convs where layers?.contains(row) ?? true { out.append(conv.affine.weight) }
            if let layers, b == generator.synthesis.blocks.count - 1, layers.contains(last) { out.append(block.torgb.affine.weight) }
        }
        return out
    }

    /// Component `k` as a direction; its sign is as the eigen solver returns it unless
    /// `attribute` scores are given, then the sign makes positive steps raise the attribute.
    public static func direction(_ c: Component, attribute: String, layers: [Int]? = nil, provenance: [String: String] = [:]) -> Direction {
        var p = provenance
        p["component"] = "\(c.index)"
        p["eigenvalue"] = String(format: "%.6g", c.eigenvalue)
        if let layers { p["factorised_rows"] = layers.map(String.init).joined(separator: ",") }
        return Direction(attribute: attribute, method: "sefa", vector: c.vector, layers: layers, provenance: p)
    }

    /// The component among the first `candidates` whose projection of the dense codes correlates
    /// most (in absolute value) with the attribute's scores, signed so that it raises it.
    public static func tracking(_ attribute: String, in samples: SampleSet, components: [Component], candidates: Int = 20)
        throws -> (component: Component, correlation: Double) {
        let scores = try samples.scores(of: attribute).map(Double.init)
        let codes = samples.codes
        var best: (Component, Double)? = nil
        for c in components.prefix(candidates) {
            let proj = codes.map { Double(LinearAlgebra.dot($0, c.vector)) }
            let r = Statistics.pearson(proj, scores)
            if best == nil || abs(r) > abs(best!.1) { best = (c, r) }
        }
        guard let (c, r) = best else { throw SC2Error("no SeFa components") }
        let signed = r >= 0 ? c : Component(index: c.index, eigenvalue: c.eigenvalue, vector: c.vector.map { -$0 })
        return (signed, abs(r))
    }
}

/// Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations (in Double). Sizes here
/// are w's dimension (128-512), where it takes well under a second to a few seconds.
package enum SymmetricEigen {
    /// Eigenvalues and eigenvectors (column k of the row-major n x n result) of `a` (row-major).
    package static func decompose(_ a: [Double], n: Int, sweeps: Int = 60) -> (values: [Double], vectors: [Double]) {
        var m = a
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<sweeps {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<n { off += m[p * n + q] * m[p * n + q] } }
            if off < 1e-22 { break }
            for p in 0..<(n - 1) {
                for q in (p + 1)..<n {
                    let apq = m[p * n + q]
                    guard abs(apq) > 1e-300 else { continue }
                    let theta = (m[q * n + q] - m[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {   // columns p, q of m
                        let mkp = m[k * n + p], mkq = m[k * n + q]
                        m[k * n + p] = c * mkp - s * mkq
                        m[k * n + q] = s * mkp + c * mkq
                    }
                    for k in 0..<n {   // rows p, q of m
                        let mpk = m[p * n + k], mqk = m[q * n + k]
                        m[p * n + k] = c * mpk - s * mqk
                        m[q * n + k] = s * mpk + c * mqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<n).map { m[$0 * n + $0] }, v)
    }
}
