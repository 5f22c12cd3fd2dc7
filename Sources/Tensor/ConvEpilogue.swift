/// The per-output-channel epilogue of a synthesis convolution, fused into the pass that writes the
/// convolution's output (so the [N, O, H, W] result is not read and written again):
///   y = clamp(act(u * demod[n, o] + noise[n, p] * noiseStrength + bias[o]) * gain, ±clamp)
/// with act = leaky ReLU (slope 0.2) when `lrelu`, else identity and gain 1. The same arithmetic,
/// in the same order, as `BiasAct.apply`.
package struct ConvEpilogue: Sendable {
    /// [N, O] (nil: 1).
    package var demod: [Float]?
    /// One [H*W] plane shared by every image, or [N, H*W] (`noisePerImage`); nil: no noise.
    package var noise: [Float]?
    package var noisePerImage: Bool
    package var noiseStrength: Float
    /// [O] (nil: 0).
    package var bias: [Float]?
    package var lrelu: Bool
    package var gain: Float
    package var clamp: Float?

    package init(demod: [Float]?, noise: [Float]?, noisePerImage: Bool, noiseStrength: Float, bias: [Float]?,
                lrelu: Bool, gain: Float = Float(2).squareRoot(), clamp: Float?) {
        self.demod = demod; self.noise = noise; self.noisePerImage = noisePerImage
        self.noiseStrength = noiseStrength; self.bias = bias; self.lrelu = lrelu; self.gain = gain; self.clamp = clamp
    }

    /// Runs `body` with the raw-pointer form used inside the kernels (nil epilogue: plain copy).
    static func withKernel<R>(_ e: ConvEpilogue?, channels: Int, plane: Int, _ body: (EpilogueKernel) -> R) -> R {
        guard let e else { return body(EpilogueKernel(channels: channels)) }
        return withOptional(e.demod) { dp in
            withOptional(e.noise) { np in
                withOptional(e.bias) { bp in
                    body(EpilogueKernel(channels: channels, demod: dp, noise: np, noiseImageStride: e.noisePerImage ? plane : 0,
                                        noiseStrength: e.noiseStrength, bias: bp, lrelu: e.lrelu,
                                        gain: e.lrelu ? e.gain : 1, limit: e.clamp ?? .infinity, identity: false))
                }
            }
        }
    }
}

@inline(__always)
func withOptional<R>(_ a: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let a else { return body(nil) }
    return a.withUnsafeBufferPointer { body($0.baseAddress!) }
}
