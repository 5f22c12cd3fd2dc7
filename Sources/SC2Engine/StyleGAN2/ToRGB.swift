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
        Conv.modulatedConv1x1(x, weight: weight, outChannels: 3, scale: s, bias: bias, clamp: clamp)
    }
}
