/// The per-output-channel epilogue of a synthesis convolution, fused into the pass that writes the
/// convolution's output (so the [N, O, H, W] result is not read and written again):
///   y = clamp(act(u * demod[n, o] + noise[n, p] * noiseStrength + bias[o]) * gain, ±clamp)
/// with act = leaky ReLU (slope 0.2) when `lrelu`, else identity and gain 1. The same arithmetic,
/// in the same order, as `BiasAct.apply`.
public struct ConvEpilogue: Sendable {
    /// [N, O] (nil: 1).
    public var demod: [Float]?
    /// One [H*W] plane shared by every image, or [N, H*W] (`noisePerImage`); nil: no noise.
    public var noise: [Float]?
    public var noisePerImage: Bool
    public var noiseStrength: Float
    /// [O] (nil: 0).
    public var bias: [Float]?
    public var lrelu: Bool
    public var gain: Float
    public var clamp: Float?

    public init(demod: [Float]?, noise: [Float]?, noisePerImage: Bool, noiseStrength: Float, bias: [Float]?,
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

/// `ConvEpilogue` as raw pointers, valid inside `ConvEpilogue.withKernel`.
struct EpilogueKernel {
    let channels: Int
    var demod: UnsafePointer<Float>? = nil
    var noise: UnsafePointer<Float>? = nil
    var noiseImageStride = 0
    var noiseStrength: Float = 0
    var bias: UnsafePointer<Float>? = nil
    var lrelu = false
    var gain: Float = 1
    var limit: Float = .infinity
    /// No epilogue at all: `run` copies.
    var identity = true

    /// dst[k] = epilogue(src[k]) for k in 0..<count, where src[0] is the value at position `offset`
    /// of channel `channel`'s plane in image `image`. `src` may equal `dst`.
    @inline(__always)
    func run(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int, image: Int, channel: Int, offset: Int) {
        if identity {
            if UnsafePointer(dst) != src { dst.update(from: src, count: count) }
            return
        }
        let d = demod?[image * channels + channel] ?? 1
        let b = bias?[channel] ?? 0
        let g = gain, lim = limit, nlim = -limit
        if let noise {
            let np = noise + image * noiseImageStride + offset, ns = noiseStrength
            if lrelu {
                for k in 0..<count {
                    var v = src[k] * d
                    v += np[k] * ns
                    v += b
                    let a = (v > 0 ? v : 0.2 * v) * g
                    dst[k] = min(max(a, nlim), lim)
                }
            } else {
                for k in 0..<count {
                    var v = src[k] * d
                    v += np[k] * ns
                    v += b
                    dst[k] = min(max(v * g, nlim), lim)
                }
            }
        } else {
            if lrelu {
                for k in 0..<count {
                    let v = src[k] * d + b
                    let a = (v > 0 ? v : 0.2 * v) * g
                    dst[k] = min(max(a, nlim), lim)
                }
            } else {
                for k in 0..<count {
                    let v = src[k] * d + b
                    dst[k] = min(max(v * g, nlim), lim)
                }
            }
        }
    }
}
