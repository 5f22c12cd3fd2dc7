import Foundation
import Tensor

/// Style affine "A": s = w A^T + b, with A pre-scaled by its weight gain (and any style gain).
struct StyleAffine: Sendable {
    let weight: Tensor   // [C, wDim]
    let bias: Tensor     // [C]

    init(checkpoint c: Checkpoint, prefix: String, channels: Int, wDim: Int, styleGain: Float = 1) throws {
        var w = try c.tensor("\(prefix).affine.weight", shape: [channels, wDim])
        var b = try c.tensor("\(prefix).affine.bias", shape: [channels])
        let g = styleGain / Float(wDim).squareRoot()
        for k in 0..<w.count { w.data[k] *= g }
        for k in 0..<b.count { b.data[k] *= styleGain }
        weight = w; bias = b
    }

    /// w [N, wDim] -> s [N, C].
    func callAsFunction(_ w: Tensor) -> Tensor {
        var s = Tensor.matmul(w, weight, transB: true)
        let c = bias.count
        for r in 0..<w.shape[0] { for k in 0..<c { s.data[r * c + k] += bias.data[k] } }
        return s
    }
}

public enum NoiseMode: String, CaseIterable, Sendable, Codable {
    case const, random, none
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
                ? WinogradWeights(weight: w.data, outChannels: oc, inChannels: ic) : nil
            upWinograd = nil
        }
        bias = try c.tensor("\(prefix).bias", shape: [oc]).data
        noiseConst = try c.tensor("\(prefix).noise_const", shape: [r, r]).data
        let ns = try c.tensor("\(prefix).noise_strength", shape: nil)
        guard ns.count == 1 else { throw SC2Error("\(c.path): \(prefix).noise_strength must be a scalar, got \(ns.shape)") }
        noiseStrength = ns.data[0]
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
