import SIMDKernels



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

    /// The epilogue's scalars for one (image, channel), for the wide kernels.
    func scalars(image: Int, channel: Int) -> sc2_epilogue {
        sc2_epilogue(demod: demod?[image * channels + channel] ?? 1, bias: bias?[channel] ?? 0, noiseStrength: noiseStrength,
                     gain: gain, limit: limit, lrelu: lrelu ? 1 : 0, identity: identity ? 1 : 0)
    }

    /// The noise at position `offset` of image `image`'s plane (nil: no noise).
    func noise(image: Int, offset: Int) -> UnsafePointer<Float>? {
        identity ? nil : noise.map { $0 + image * noiseImageStride + offset }
    }
}
