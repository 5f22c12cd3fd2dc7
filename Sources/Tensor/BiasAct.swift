

/// Fused epilogue of a synthesis layer, in place on one [C, H*W] image:
/// y = clamp(act(y * d[c] + noise * strength + b[c]) * gain, ±clamp).
package enum BiasAct {
    package static func apply(_ y: UnsafeMutablePointer<Float>, channels c: Int, plane: Int,
                             demod d: UnsafePointer<Float>?, noise: UnsafePointer<Float>?, noiseStrength: Float,
                             bias: UnsafePointer<Float>, lrelu: Bool, gain: Float = Float(2).squareRoot(), clamp: Float?) {
        // The same arithmetic as the convolutions' fused epilogue, in its vectorised loops.
        let k = EpilogueKernel(channels: c, demod: d, noise: noise, noiseImageStride: 0, noiseStrength: noiseStrength,
                               bias: bias, lrelu: lrelu, gain: lrelu ? gain : 1, limit: clamp ?? .infinity, identity: false)
        parallelFor(c, minWorkPerItem: 4 * plane) { ci in
            let p = y + ci * plane
            k.run(p, p, count: plane, image: 0, channel: ci, offset: 0)
        }
    }
}
