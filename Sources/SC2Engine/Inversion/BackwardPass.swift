import Foundation
import Tensor

/// One pass of the synthesis's backward over a recorded activation T [N, C, R, R]: the output y of
/// a modulated conv ("lower"), which is the input x of the conv above it ("upper") and, for a
/// block's conv1, of its ToRGB. The recorded activations were written long before the backward
/// reads them, so each is read once: in this pass, per (image, channel) plane and four pixels at
/// a time, it
///   - takes the upper conv's style gradient: g_s[i] = sum_hw x_i g_sx_i - s_i sum_o e_o Q[o,i],
///     where g_sx is dL/d(s ⊙ x) from the upper conv's input gradient;
///   - takes ToRGB's: m[o,i] = sum_hw g_v[o] x_i, g_s[i] = sum_o W[o,i] m[o,i];
///   - sums dL/dT = s ⊙ g_sx + (W ⊙ s)^T g_v (the conv above and ToRGB);
///   - and goes through the lower conv's epilogue y = act(d ⊙ u + noise + b), d = rsqrt(Q s² + 1e-8):
///     g_v = act'(y) dL/dT (zero where clamped), e_o = d_o² sum_hw g_v (v - noise - b) (v
///     recovered from y, times the activation's inverse slope) and g_u = d ⊙ g_v, written over g_sx.
/// The lower conv's input gradient is then conv^T(W, g_u) (`ModulatedConv.inputGradient`). Sums
/// run in Float over blocks of 256 pixels (four partial sums), added up in Double.
enum BackwardPass {
    /// A modulated conv whose input gradient is known and whose style gradient waits for this pass.
    struct Upper {
        let layer: ModulatedConv
        let record: SynthesisNetwork.LayerRecord
        /// Its e_o = d_o² sum g_v (v - noise - b), [N, O], from the pass over its own output.
        let e: Tensor
    }

    /// ToRGB's part: g_v [N, 3, R, R] (dL/dy, zero where clamped) and W ⊙ s per image [N, 3, C].
    struct RGB {
        let layer: ToRGB
        let record: SynthesisNetwork.LayerRecord
        let gradient: Tensor
        let modulated: [Float]
    }

    /// The pass over `t`. `gradient` holds upper's g_sx (same shape as `t`; ignored without
    /// `upper`) and receives the lower conv's g_u. Returns the lower conv's e [N, C] (nil without
    /// `lower`); adds the upper conv's and ToRGB's dL/dw to `gws`.
    static func run(activation t: Tensor, upper: Upper?, gradient: inout Tensor, rgb: RGB?,
                    lower: (layer: ModulatedConv, record: SynthesisNetwork.LayerRecord)?,
                    wsGradient gws: inout Tensor) -> Tensor? {
        let n = t.shape[0], c = t.shape[1], plane = t.shape[2] * t.shape[3]
        if upper != nil {
            precondition(gradient.shape == t.shape, "BackwardPass: gradient \(gradient.shape) vs activation \(t.shape)")
        } else if lower != nil {
            gradient = Tensor(uninitialized: t.shape)
        }
        precondition(upper == nil || upper!.layer.inChannels == c, "BackwardPass: the conv above reads \(upper!.layer.inChannels) channels, not \(c)")
        precondition(lower == nil || lower!.layer.outChannels == c, "BackwardPass: the conv below writes \(lower!.layer.outChannels) channels, not \(c)")
        precondition(rgb == nil || (rgb!.layer.channels == c && rgb!.gradient.shape == [n, 3, t.shape[2], t.shape[3]]),
                     "BackwardPass: ToRGB does not read this activation")
        var upperSum = [Double](repeating: 0, count: upper == nil ? 0 : n * c)
        var rgbSum = [Double](repeating: 0, count: rgb == nil ? 0 : n * 3 * c)
        var e = Tensor(zeros: [lower == nil ? 0 : n, c])
        let d = lower.map { $0.layer.demodulation($0.record.styles) }
        let noise = lower?.record.noise ?? []
        let empty: [Float] = []
        KernelProfile.phase("backward: one pass per activation") {
        t.data.withUnsafeBufferPointer { tp in
        gradient.data.withUnsafeMutableBufferPointer { gp in
        (rgb?.gradient.data ?? empty).withUnsafeBufferPointer { rp in
        (rgb?.modulated ?? empty).withUnsafeBufferPointer { wmp in
        (upper?.record.styles.data ?? empty).withUnsafeBufferPointer { sp in
        noise.withUnsafeBufferPointer { np in
        upperSum.withUnsafeMutableBufferPointer { up in
        rgbSum.withUnsafeMutableBufferPointer { mp in
        e.data.withUnsafeMutableBufferPointer { ep in
            let tp = tp.baseAddress!, gp = gp.baseAddress
            let hasUpper = upper != nil
            let lim = lower?.layer.clamp ?? .infinity, gain = Float(2).squareRoot()
            let ns = lower?.layer.noiseStrength ?? 0
            parallelFor(n * c, minWorkPerItem: 12 * plane) { p in
                let img = p / c, ch = p - img * c
                let tc = tp + p * plane
                let gc = gp.map { $0 + p * plane }
                let su = hasUpper ? sp[p] : 0
                var rgbPlanes: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>)? = nil
                var w0: Float = 0, w1: Float = 0, w2: Float = 0
                if rgb != nil {
                    let r = rp.baseAddress! + img * 3 * plane
                    rgbPlanes = (r, r + plane, r + 2 * plane)
                    let wm = wmp.baseAddress! + img * 3 * c + ch
                    w0 = wm[0]; w1 = wm[c]; w2 = wm[2 * c]
                }
                var noisePlane: UnsafePointer<Float>? = nil
                var dc: Float = 1, bc: Float = 0
                if let lower {
                    if lower.record.noise != nil { noisePlane = np.baseAddress! + lower.layer.noiseOffset(noise, image: img) }
                    dc = d!.data[p]; bc = lower.layer.bias[ch]
                }
                let hasLower = lower != nil
                let suV = SIMD4<Float>(repeating: su), w0V = SIMD4<Float>(repeating: w0), w1V = SIMD4<Float>(repeating: w1)
                let w2V = SIMD4<Float>(repeating: w2)
                let gainV = SIMD4<Float>(repeating: gain), negV = SIMD4<Float>(repeating: 0.2 * gain)
                let invGainV = SIMD4<Float>(repeating: 1 / gain), invNegV = SIMD4<Float>(repeating: 1 / (0.2 * gain))
                let limV = SIMD4<Float>(repeating: lim), bV = SIMD4<Float>(repeating: bc), dV = SIMD4<Float>(repeating: dc)
                let nsV = SIMD4<Float>(repeating: ns)
                var sumU = 0.0, sumE = 0.0, sum0 = 0.0, sum1 = 0.0, sum2 = 0.0
                /// Pixels [k0, k1) four at a time (k1 - k0 a multiple of 4), the sums in Float, then
                /// added to the Double totals; specialised by the constant flags it is called with.
                @inline(__always) func block(_ k0: Int, _ k1: Int, _ U: Bool, _ R: Bool, _ L: Bool) {
                    var accU = SIMD4<Float>(repeating: 0), accE = SIMD4<Float>(repeating: 0)
                    var acc0 = SIMD4<Float>(repeating: 0), acc1 = SIMD4<Float>(repeating: 0), acc2 = SIMD4<Float>(repeating: 0)
                    var k = k0
                    while k < k1 {
                        let x = V4.load4(tc + k)
                        var g = SIMD4<Float>(repeating: 0)
                        if U {
                            let gs = V4.load4(gc! + k)
                            accU += x * gs
                            g = gs * suV
                        }
                        if R {
                            let (r0, r1, r2) = rgbPlanes!
                            let v0 = V4.load4(r0 + k), v1 = V4.load4(r1 + k), v2 = V4.load4(r2 + k)
                            acc0 += v0 * x; acc1 += v1 * x; acc2 += v2 * x
                            g += w0V * v0 + w1V * v1 + w2V * v2
                        }
                        if L {
                            let positive = x .> 0
                            let gv = (g * negV.replacing(with: gainV, where: positive))
                                .replacing(with: 0, where: .!((x .< limV) .& (x .> -limV)))   // |y| < lim, NaN not
                            var v = (x * invNegV).replacing(with: x * invGainV, where: positive) - bV
                            if let noisePlane { v -= V4.load4(noisePlane + k) * nsV }
                            accE += gv * v
                            V4.store4(gv * dV, gc! + k)
                        }
                        k += 4
                    }
                    if U { sumU += V4.widen(accU).sum() }
                    if R { sum0 += V4.widen(acc0).sum(); sum1 += V4.widen(acc1).sum(); sum2 += V4.widen(acc2).sum() }
                    if L { sumE += V4.widen(accE).sum() }
                }
                let hasRGB = rgbPlanes != nil
                let vectorEnd = plane / 4 * 4
                var k = 0
                while k < vectorEnd {
                    let k1 = min(vectorEnd, k + 256)
                    switch (hasUpper, hasRGB, hasLower) {
                    case (true, false, true): block(k, k1, true, false, true)
                    case (false, true, true): block(k, k1, false, true, true)
                    case (true, true, true): block(k, k1, true, true, true)
                    default: block(k, k1, hasUpper, hasRGB, hasLower)
                    }
                    k = k1
                }
                while k < plane {
                    let x = tc[k]
                    var g: Float = 0
                    if hasUpper { let gs = gc![k]; sumU += Double(x * gs); g = gs * su }
                    if let (r0, r1, r2) = rgbPlanes {
                        sum0 += Double(r0[k] * x); sum1 += Double(r1[k] * x); sum2 += Double(r2[k] * x)
                        g += w0 * r0[k] + w1 * r1[k] + w2 * r2[k]
                    }
                    if hasLower {
                        let slope: Float = !(x > 0) ? 0.2 * gain : gain
                        let gv = abs(x) < lim ? g * slope : 0
                        var v = x * (x > 0 ? 1 / gain : 1 / (0.2 * gain)) - bc
                        if let noisePlane { v -= noisePlane[k] * ns }
                        sumE += Double(gv * v)
                        gc![k] = gv * dc
                    }
                    k += 1
                }
                if hasUpper { up[p] = sumU }
                if rgbPlanes != nil {
                    let m = mp.baseAddress! + img * 3 * c + ch
                    m[0] = sum0; m[c] = sum1; m[2 * c] = sum2
                }
                if hasLower { ep[p] = Float(sumE) * dc * dc }
            }
        } } } } } } } } }
        }
        if let upper {
            // g_s[i] = sum_hw x_i g_sx_i - s_i sum_o e_o Q[o,i].
            var gs = Tensor.matmul(upper.e, upper.layer.q)
            let s = upper.record.styles
            for p in 0..<n * c { gs.data[p] = Float(upperSum[p]) - s.data[p] * gs.data[p] }
            SynthesisNetwork.accumulate(upper.layer.affine.backward(gs), row: upper.record.wIndex, into: &gws)
        }
        if let rgb {
            var gs = Tensor(zeros: [n, c])
            let w = rgb.layer.weight
            for img in 0..<n { for i in 0..<c {
                let m = img * 3 * c + i
                gs.data[img * c + i] = (0..<3).reduce(0) { $0 + w[$1 * c + i] * Float(rgbSum[m + $1 * c]) }
            } }
            SynthesisNetwork.accumulate(rgb.layer.affine.backward(gs), row: rgb.record.wIndex, into: &gws)
        }
        return lower == nil ? nil : e
    }
}

/// Unaligned SIMD4 loads and stores, defined here so that they inline: Tensor's `SIMDLoad`, made
/// `package` and `@inlinable`, was still called out of line from this module (36 calls in the
/// pass's loops, checked with objdump).
private enum V4 {
    @inline(__always) static func load4(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
    }
    @inline(__always) static func load4(_ p: UnsafeMutablePointer<Float>) -> SIMD4<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
    }
    @inline(__always) static func store4(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Float>.self)
    }
    @inline(__always) static func widen(_ v: SIMD4<Float>) -> SIMD4<Double> {
        SIMD4(Double(v[0]), Double(v[1]), Double(v[2]), Double(v[3]))
    }
}
