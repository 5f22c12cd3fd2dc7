import Foundation
import Synchronization
import Tensor

/// Weights derived for the backward pass only, kept once made (shared by copies of the layer).
final class AdjointWeightsCache: Sendable {
    let value = Mutex<WinogradWeights?>(nil)
}

/// A modulated 3x3 convolution with demodulation, noise, bias, lrelu and clamp; `up` makes it the
/// stride-2 transposed convolution followed by the [1,3,3,1] FIR (conv0 of blocks above 4x4).
struct ModulatedConv: Sendable {
    let inChannels: Int, outChannels: Int, resolution: Int, up: Bool
    let affine: StyleAffine
    /// Raw weight as [O, I*9] (correlation) or, for `up`, as [O*9, I] (for the transposed GEMM).
    let weight: [Float]
    /// The same weight transformed for Winograd F(2x2, 3x3), for the non-`up` layers where that is
    /// the faster way (`Conv.prefersWinograd`); nil: im2col + GEMM.
    let winograd: WinogradWeights?
    /// For `up` layers where it is faster (`Conv.prefersUpWinograd`), the weight transformed for
    /// `Conv.upConv3x3FIRWinograd`; nil: GEMM with `weight`.
    let upWinograd: UpWinogradWeights?
    let q: Tensor            // [O, I]: sum over the kernel of W^2
    let bias: [Float]
    let noiseConst: [Float]  // [R*R]
    let noiseStrength: Float
    let clamp: Float?
    /// The backward pass's transformed weights, made when first needed (`adjointWinograd`).
    let adjointCache = AdjointWeightsCache()

    init(checkpoint c: Checkpoint, prefix: String, inChannels ic: Int, outChannels oc: Int,
         resolution r: Int, up: Bool, wDim: Int, clamp: Float?) throws {
        inChannels = ic; outChannels = oc; resolution = r; self.up = up; self.clamp = clamp
        affine = try StyleAffine(checkpoint: c, prefix: prefix, channels: ic, wDim: wDim)
        let w = try c.tensor("\(prefix).weight", shape: [oc, ic, 3, 3])
        var q = Tensor(zeros: [oc, ic])
        for o in 0..<oc { for i in 0..<ic {
            var acc: Float = 0
            for k in 0..<9 { let v = w.data[(o * ic + i) * 9 + k]; acc += v * v }
            q.data[o * ic + i] = acc
        } }
        self.q = q
        if up {
            var t = [Float](repeating: 0, count: oc * 9 * ic)
            for o in 0..<oc { for i in 0..<ic { for k in 0..<9 { t[(o * 9 + k) * ic + i] = w.data[(o * ic + i) * 9 + k] } } }
            weight = t
            winograd = nil
            upWinograd = Conv.prefersUpWinograd(inChannels: ic, outChannels: oc, height: r / 2, width: r / 2)
                ? UpWinogradWeights(weight: w.data, outChannels: oc, inChannels: ic) : nil
        } else {
            weight = w.data
            winograd = Conv.prefersWinograd(inChannels: ic, outChannels: oc, height: r, width: r)
                ? WinogradWeights(weight: w.data, outChannels: oc, inChannels: ic, tile: Conv.winogradTile(height: r, width: r)) : nil
            upWinograd = nil
        }
        bias = try c.tensor("\(prefix).bias", shape: [oc]).data
        noiseConst = try c.tensor("\(prefix).noise_const", shape: [r, r]).data
        let ns = try c.tensor("\(prefix).noise_strength", shape: nil)
        guard ns.count == 1 else { throw SC2Error("\(c.path): \(prefix).noise_strength must be a scalar, got \(ns.shape)") }
        noiseStrength = ns.data[0]
    }

    /// The convolution algorithm this layer runs (for profiles).
    var algorithm: String {
        if upWinograd != nil { return "up-conv winograd" }
        if up { return "up-conv GEMM + FIR" }
        return winograd != nil ? "conv3x3 winograd" : "conv3x3 im2col"
    }

    /// Demodulation coefficients d[n, o] = rsqrt(sum_i Q[o,i] s[n,i]^2 + 1e-8).
    func demodulation(_ s: Tensor) -> Tensor {
        var s2 = s
        for k in 0..<s2.count { s2.data[k] *= s2.data[k] }
        var d = Tensor.matmul(s2, q, transB: true)
        for k in 0..<d.count { d.data[k] = 1 / (d.data[k] + 1e-8).squareRoot() }
        return d
    }

    /// The noise this layer adds to `n` images: nil for `.none`, the stored [R*R] plane (shared by
    /// every image) for `.const`, fresh N(0,1) planes [N, R*R] drawn from `rng` for `.random`.
    func noisePlanes(_ mode: NoiseMode, images n: Int, rng: inout Xoshiro) -> [Float]? {
        switch mode {
        case .const: return noiseConst
        case .random: return (0..<(n * resolution * resolution)).map { _ in Float(rng.normal()) }
        case .none: return nil
        }
    }

    /// Offset of image `img`'s plane in `noisePlanes`' result (0 for the shared const plane).
    func noiseOffset(_ planes: [Float], image img: Int) -> Int {
        planes.count == noiseConst.count ? 0 : img * noiseConst.count
    }

    /// x [N, I, H, W] (H = resolution, or resolution/2 when `up`) -> [N, O, R, R]; `noise` from `noisePlanes`.
    /// The convolution writes its output through the fused epilogue (demodulation, noise, bias,
    /// lrelu, clamp: `BiasAct.apply`'s arithmetic), so the activation is written once.
    func forward(_ x: Tensor, styles s: Tensor, noise: [Float]?) -> Tensor {
        let n = x.shape[0], r = resolution
        var y = Tensor(uninitialized: [n, outChannels, r, r])
        let epilogue = ConvEpilogue(demod: demodulation(s).data, noise: noise, noisePerImage: (noise?.count ?? 0) != noiseConst.count,
                                    noiseStrength: noiseStrength, bias: bias, lrelu: true, clamp: clamp)
        if let upWinograd {
            Conv.upConv3x3FIRWinograd(x, weights: upWinograd, scale: s, epilogue: epilogue, into: &y)
        } else if up {
            Conv.upConv3x3FIR(x, weight: weight, outChannels: outChannels, scale: s, epilogue: epilogue, into: &y)
        } else if let winograd {
            Conv.conv3x3Winograd(x, weights: winograd, scale: s, epilogue: epilogue, into: &y)
        } else {
            Conv.conv3x3(x, weight: weight, outChannels: outChannels, scale: s, epilogue: epilogue, into: &y)
        }
        return y
    }
}
