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
        } else {
            weight = w.data
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

    /// x [N, I, H, W] (H = resolution, or resolution/2 when `up`) -> [N, O, R, R].
    func forward(_ x: Tensor, styles s: Tensor, noise: NoiseMode, rng: inout Xoshiro) -> Tensor {
        let n = x.shape[0], h = x.shape[2], w = x.shape[3]
        let r = resolution, plane = r * r
        var y = Tensor(zeros: [n, outChannels, r, r])
        let d = demodulation(s)
        if up { transposedConv(x, s, n: n, h: h, w: w, into: &y) } else { Conv.conv3x3(x, weight: weight, outChannels: outChannels, scale: s, into: &y) }
        var noiseBuf = [Float](repeating: 0, count: noise == .none ? 0 : plane)
        y.data.withUnsafeMutableBufferPointer { yp in
            d.data.withUnsafeBufferPointer { dp in
                bias.withUnsafeBufferPointer { bp in
                    for img in 0..<n {
                        switch noise {
                        case .const: noiseBuf.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: noiseConst) }
                        case .random: for k in 0..<plane { noiseBuf[k] = Float(rng.normal()) }
                        case .none: break
                        }
                        noiseBuf.withUnsafeBufferPointer { np in
                            BiasAct.apply(yp.baseAddress! + img * outChannels * plane, channels: outChannels, plane: plane,
                                          demod: dp.baseAddress! + img * outChannels,
                                          noise: noise == .none ? nil : np.baseAddress!,
                                          noiseStrength: noiseStrength, bias: bp.baseAddress!, lrelu: true, clamp: clamp)
                        }
                    }
                }
            }
        }
        return y
    }

    /// u = FIR(convTranspose3x3_stride2(W, s * x)), [I, H, W] -> [O, 2H, 2W], written into y.
    private func transposedConv(_ x: Tensor, _ s: Tensor, n: Int, h: Int, w: Int, into y: inout Tensor) {
        let ic = inChannels, oc = outChannels, hw = h * w
        let th = 2 * h + 1, tw = 2 * w + 1
        let rows = max(1, min(h, Conv.columnBudget / (oc * 9 * w)))
        let tmp = UnsafeMutablePointer<Float>.allocate(capacity: oc * th * tw)
        let xs = UnsafeMutablePointer<Float>.allocate(capacity: ic * hw)
        let cols = UnsafeMutablePointer<Float>.allocate(capacity: oc * 9 * rows * w)
        defer { tmp.deallocate(); xs.deallocate(); cols.deallocate() }
        x.data.withUnsafeBufferPointer { xp in
        s.data.withUnsafeBufferPointer { sp in
        weight.withUnsafeBufferPointer { wp in
        y.data.withUnsafeMutableBufferPointer { yp in
            for img in 0..<n {
                // s * x
                let src = xp.baseAddress! + img * ic * hw
                for i in 0..<ic {
                    let si = sp[img * ic + i]
                    for p in 0..<hw { xs[i * hw + p] = src[i * hw + p] * si }
                }
                tmp.update(repeating: 0, count: oc * th * tw)
                var y0 = 0
                while y0 < h {
                    let nr = min(rows, h - y0), ldc = nr * w
                    gemm(m: oc * 9, n: ldc, k: ic, a: wp.baseAddress!, lda: ic, b: xs + y0 * w, ldb: hw, c: cols, ldc: ldc)
                    Conv.col2imTransposed3x3(cols, outChannels: oc, width: w, rowStart: y0, rows: nr, ldc: ldc,
                                             out: tmp, outHeight: th, outWidth: tw)
                    y0 += nr
                }
                Conv.fir4(tmp, channels: oc, height: th, width: tw, taps: (0.25, 0.75, 0.75, 0.25), pad: 1, 1,
                          out: yp.baseAddress! + img * oc * 4 * hw)
            }
        } } } }
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
