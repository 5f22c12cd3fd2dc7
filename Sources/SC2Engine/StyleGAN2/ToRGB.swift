import Foundation
import Tensor

/// 1x1 modulated convolution to RGB: no demodulation, no noise; bias, linear, clamp.
struct ToRGB: Sendable {
    let channels: Int
    let affine: StyleAffine
    let weight: [Float]   // [3, C]
    let bias: [Float]
    let clamp: Float?

    init(checkpoint c: Checkpoint, prefix: String, channels ch: Int, wDim: Int, clamp: Float?) throws {
        channels = ch; self.clamp = clamp
        affine = try StyleAffine(checkpoint: c, prefix: prefix, channels: ch, wDim: wDim, styleGain: 1 / Float(ch).squareRoot())
        weight = try c.tensor("\(prefix).weight", shape: [3, ch, 1, 1]).data
        bias = try c.tensor("\(prefix).bias", shape: [3]).data
    }

    /// x [N, C, H, W] -> [N, 3, H, W]
    func forward(_ x: Tensor, styles s: Tensor) -> Tensor {
        let n = x.shape[0], hw = x.shape[2] * x.shape[3], c = channels
        var y = Tensor(zeros: [n, 3, x.shape[2], x.shape[3]])
        var wm = [Float](repeating: 0, count: 3 * c)
        x.data.withUnsafeBufferPointer { xp in
        y.data.withUnsafeMutableBufferPointer { yp in
            for img in 0..<n {
                for o in 0..<3 { for i in 0..<c { wm[o * c + i] = weight[o * c + i] * s.data[img * c + i] } }
                wm.withUnsafeBufferPointer { wp in
                    gemm(m: 3, n: hw, k: c, a: wp.baseAddress!, lda: c, b: xp.baseAddress! + img * c * hw, ldb: hw,
                         c: yp.baseAddress! + img * 3 * hw, ldc: hw)
                }
                bias.withUnsafeBufferPointer { bp in
                    BiasAct.apply(yp.baseAddress! + img * 3 * hw, channels: 3, plane: hw, demod: nil, noise: nil,
                                  noiseStrength: 0, bias: bp.baseAddress!, lrelu: false, clamp: clamp)
                }
            }
        } }
        return y
    }
}
