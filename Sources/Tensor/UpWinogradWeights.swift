import Dispatch
import Foundation

/// Fast algorithm for StyleGAN2's upsampling convolution (stride-2 transposed 3x3 convolution, then
/// the [1,3,3,1] FIR), the up-layer counterpart of `WinogradWeights`.
///
/// Per axis, the transposed convolution T[2y+k] += w_k x[y] has an even phase
/// E[Y] = T[2Y] = w2 x[Y-1] + w0 x[Y] (a 2-tap correlation) and an odd phase O[Y] = T[2Y+1] = w1 x[Y].
/// For a tile of two input positions 2t, 2t+1 with d = (x[2t-1], x[2t], x[2t+1]), Winograd F(2,2)
/// gives the even pair from 3 products and the odd pair takes 2:
///   v = (d0 - d1, d1, d2 - d1, d1, d2),   u = (w2, w0 + w2, w0, w1, w1),   m = u v,
///   T[4t] = m0 + m1,  T[4t+1] = m3,  T[4t+2] = m1 + m2,  T[4t+3] = m4,
/// 5 products instead of 6; in 2-D 25 instead of 36 per 2x2 input pixels (1.44x fewer multiply-adds
/// than the [O*9, I] GEMM). v1 = v3, so the 25 products (a, b) read only 16 distinct input planes
/// (4 per axis: d0-d1, d1, d2-d1, d2): one GEMM per plane, with the products that share it stacked
/// ([g*O, I] x [I, tiles], g = 1, 2 or 4).
package struct UpWinogradWeights: Sendable {
    package let outChannels: Int
    package let inChannels: Int
    /// [25 slots, O, I], slots ordered by input plane (see `UpWinograd.slot`).
    package let u: [Float]

    /// `weight` as stored in the checkpoint: [O, I, 3, 3] ([O, I*9], each kernel [ky][kx]).
    package init(weight: [Float], outChannels oc: Int, inChannels ic: Int) {
        precondition(weight.count == oc * ic * 9, "UpWinogradWeights: \(weight.count) values for \(oc)x\(ic)x3x3")
        outChannels = oc; inChannels = ic
        let plane = oc * ic
        var u = [Float](repeating: 0, count: 25 * plane)
        u.withUnsafeMutableBufferPointer { up in
        weight.withUnsafeBufferPointer { wp in
            let up = up.baseAddress!, wp = wp.baseAddress!
            parallelFor(oc, minWorkPerItem: 128 * ic) { o in
                for i in 0..<ic {
                    let g = wp + (o * ic + i) * 9
                    // Per axis: u_a = sum_k K[a][k] w_k with K rows (0,0,1), (1,0,1), (1,0,0), (0,1,0), (0,1,0).
                    @inline(__always) func ax(_ w0: Double, _ w1: Double, _ w2: Double) -> (Double, Double, Double, Double, Double) {
                        (w2, w0 + w2, w0, w1, w1)
                    }
                    // Along x for each ky, then along y.
                    let r0 = ax(Double(g[0]), Double(g[1]), Double(g[2]))
                    let r1 = ax(Double(g[3]), Double(g[4]), Double(g[5]))
                    let r2 = ax(Double(g[6]), Double(g[7]), Double(g[8]))
                    // Then along y for each b: U[a][b] is component a of ax(r0.b, r1.b, r2.b).
                    let dst = up + o * ic + i
                    @inline(__always) func store(_ b: Int, _ c: (Double, Double, Double, Double, Double)) {
                        dst[UpWinograd.slot[0 * 5 + b] * plane] = Float(c.0)
                        dst[UpWinograd.slot[1 * 5 + b] * plane] = Float(c.1)
                        dst[UpWinograd.slot[2 * 5 + b] * plane] = Float(c.2)
                        dst[UpWinograd.slot[3 * 5 + b] * plane] = Float(c.3)
                        dst[UpWinograd.slot[4 * 5 + b] * plane] = Float(c.4)
                    }
                    store(0, ax(r0.0, r1.0, r2.0))
                    store(1, ax(r0.1, r1.1, r2.1))
                    store(2, ax(r0.2, r1.2, r2.2))
                    store(3, ax(r0.3, r1.3, r2.3))
                    store(4, ax(r0.4, r1.4, r2.4))
                }
            }
        } }
        self.u = u
    }
}
