import Foundation
import Tensor

/// Analytic gradients through the synthesis network, w.r.t. the W+ codes (for projection).
/// Noise is a constant of the pass; the generator's weights are fixed.
extension SynthesisNetwork {
    /// Runs the forward pass (exactly `callAsFunction(ws, noise:, seed:)`, recording what the
    /// backward needs), asks `upstream` for the loss of the image [N, 3, R, R] and its gradient
    /// (same shape), and back-propagates that to dL/dws [N, numWs, wDim]. With `.random` noise the
    /// backward uses the very draws of the forward. A single w broadcast to all rows gets the sum
    /// of the rows' gradients.
    package func forwardBackward(_ ws: Tensor, noise: NoiseMode = .const, seed: UInt64 = 0,
                                upstream: (Tensor) throws -> (loss: Double, gradient: Tensor)) rethrows
        -> (image: Tensor, loss: Double, gradient: Tensor) {
        let (forward, recorded) = synthesize(ws, noise: noise, stopAt: nil, seed: seed, record: true)
        let image = forward!
        var records = recorded
        let (loss, imageGradient) = try KernelProfile.layer("loss", kind: "loss") { try upstream(image) }
        precondition(imageGradient.shape == image.shape, "upstream gradient \(imageGradient.shape) must match the image \(image.shape)")
        var gws = Tensor(zeros: ws.shape)
        var gImg = imageGradient   // dL/d(image after the current block)
        var gNext: Tensor? = nil   // dL/d(current block's output x) through the next block's conv0
        // Backwards through the blocks, dropping each block's activations once done with them.
        while let r = records.popLast() {
            let b = blocks[records.count]
            // image_b = upsample2x(image_{b-1}) + torgb(x_b): both terms get gImg.
            let res = b.resolution
            var gx = KernelProfile.layer("b\(res).torgb backward", kind: "torgb backward") {
                var gx = b.torgb.backward(gImg, record: r.torgb, wsGradient: &gws)
                if let g = gNext { for k in 0..<gx.count { gx.data[k] += g.data[k] } }
                return gx
            }
            gx = KernelProfile.layer("b\(res).conv1 backward", kind: "conv3x3 backward") {
                b.conv1.backward(gx, record: r.conv1, wsGradient: &gws)
            }
            if let c0 = b.conv0, let r0 = r.conv0 {
                gNext = KernelProfile.layer("b\(res).conv0 backward", kind: "up-conv backward") {
                    c0.backward(gx, record: r0, wsGradient: &gws)
                }
                gImg = KernelProfile.layer("b\(res).skip backward", kind: "skip backward") { Self.upsample2xAdjoint(gImg) }
            }
        }
        return (image, loss, gws)
    }

    /// Adjoint of the skip path's upsampling on a batch: [N, 3, 2H, 2W] -> [N, 3, H, W].
    static func upsample2xAdjoint(_ g: Tensor) -> Tensor {
        let n = g.shape[0], c = g.shape[1], h = g.shape[2] / 2, w = g.shape[3] / 2
        var out = Tensor(zeros: [n, c, h, w])
        g.data.withUnsafeBufferPointer { gp in
            out.data.withUnsafeMutableBufferPointer { op in
                for i in 0..<n {
                    Conv.upsample2xAdjoint(gp.baseAddress! + i * c * 4 * h * w, channels: c, height: h, width: w,
                                           out: op.baseAddress! + i * c * h * w)
                }
            }
        }
        return out
    }

    /// gws[:, row, :] += gw [N, wDim].
    static func accumulate(_ gw: Tensor, row: Int, into gws: inout Tensor) {
        let n = gws.shape[0], nw = gws.shape[1], d = gws.shape[2]
        for i in 0..<n { for k in 0..<d { gws.data[(i * nw + row) * d + k] += gw.data[i * d + k] } }
    }
}

extension StyleAffine {
    /// s = w A^T + b, so dL/dw = dL/ds A: [N, C] -> [N, wDim].
    func backward(_ gs: Tensor) -> Tensor { Tensor.matmul(gs, weight) }
}

extension ModulatedConv {
    /// Winograd weights of the input-gradient convolution (W flipped, [I, O, 3, 3]) for the layers
    /// whose forward runs by Winograd; made at the first backward pass and kept.
    func adjointWinograd() -> WinogradWeights? {
        guard winograd != nil else { return nil }
        return adjointCache.value.withLock { cached in
            if let cached { return cached }
            let ic = inChannels, oc = outChannels
            var flipped = [Float](repeating: 0, count: weight.count)
            for o in 0..<oc { for i in 0..<ic { for k in 0..<9 { flipped[(i * oc + o) * 9 + 8 - k] = weight[(o * ic + i) * 9 + k] } } }
            let w = WinogradWeights(weight: flipped, outChannels: ic, inChannels: oc, tile: winograd!.tile)
            cached = w
            return w
        }
    }

    /// Back-propagates dL/dy [N, O, R, R] through this layer as run in `r`: adds dL/dw to row
    /// `r.wIndex` of `gws` and returns dL/dx [N, I, H, W]. With u = conv(W, s ⊙ x) (for `up` the
    /// FIR of the stride-2 transposed conv), y = act(d ⊙ u + noise + b) and d = rsqrt(Q s² + 1e-8):
    ///   g_v = act'(y) g;  g_u = d ⊙ g_v;  e_o = d_o³ g_d[o] = d_o² sum_hw g_v (v - noise - b)
    ///   (v recovered from y; clamped pixels have g_v = 0);  g_sx = conv^T(W, g_u);
    ///   g_s[i] = sum_hw x_i g_sx_i - s_i sum_o e_o Q[o,i];  g_x = s ⊙ g_sx.
    func backward(_ gy: Tensor, record r: SynthesisNetwork.LayerRecord, wsGradient gws: inout Tensor) -> Tensor {
        let x = r.input, s = r.styles, y = r.output
        let n = x.shape[0], ic = inChannels, oc = outChannels, plane = resolution * resolution
        let hw = x.shape[2] * x.shape[3]
        precondition(gy.shape == y.shape, "ModulatedConv.backward: gradient \(gy.shape) vs output \(y.shape)")
        let d = demodulation(s)
        var g = gy                          // becomes g_v, then g_u
        var e = Tensor(zeros: [n, oc])
        let planes = r.noise ?? []
        KernelProfile.phase("backward: activation, demodulation") {
        g.data.withUnsafeMutableBufferPointer { gp in
        y.data.withUnsafeBufferPointer { yp in
        e.data.withUnsafeMutableBufferPointer { ep in
        planes.withUnsafeBufferPointer { np in
            let ep = ep.baseAddress!, gp = gp.baseAddress!, yp = yp.baseAddress!
            let lim = clamp ?? .infinity, gain = Float(2).squareRoot()
            // One pass per (image, channel), all of them side by side: the activation's derivative
            // (`BiasAct.backward`'s arithmetic), the demodulation's sum and g_u = d ⊙ g_v.
            parallelFor(n * oc, minWorkPerItem: 8 * plane) { p in
                let img = p / oc, o = p - img * oc
                let gc = gp + p * plane, yc = yp + p * plane
                let noisePlane: UnsafePointer<Float>? = r.noise == nil ? nil : np.baseAddress! + noiseOffset(planes, image: img)
                let dc = d.data[p], bc = bias[o]
                var acc: Double = 0
                for k in 0..<plane {
                    let yv = yc[k]
                    let slope: Float = !(yv > 0) ? 0.2 * gain : gain
                    let gv = abs(yv) < lim ? gc[k] * slope : 0
                    var v = BiasAct.preActivation(output: yv, lrelu: true) - bc
                    if let noisePlane { v -= noisePlane[k] * noiseStrength }
                    acc += Double(gv * v)
                    gc[k] = gv * dc
                }
                ep[p] = Float(acc) * dc * dc
            }
        } } } } }
        // g_sx = conv^T(W, g_u), [N, I, H, W].
        var gx = Tensor(zeros: x.shape)
        if up {
            let h = x.shape[2], w = x.shape[3], th = 2 * h + 1, tw = 2 * w + 1
            let tmp = UnsafeMutablePointer<Float>.allocate(capacity: oc * th * tw)
            defer { tmp.deallocate() }
            g.data.withUnsafeBufferPointer { gp in
            weight.withUnsafeBufferPointer { wp in
            gx.data.withUnsafeMutableBufferPointer { xp in
                for img in 0..<n {
                    Conv.fir4Adjoint(gp.baseAddress! + img * oc * plane, channels: oc, height: resolution, width: resolution,
                                     taps: (0.25, 0.75, 0.75, 0.25), pad: 1, 1, out: tmp)
                    Conv.transposedConv3x3Adjoint(tmp, weight: wp.baseAddress!, inChannels: ic, outChannels: oc,
                                                  height: h, width: w, out: xp.baseAddress! + img * ic * hw)
                }
            } } }
        } else if let adjoint = adjointWinograd() {
            // The transposed convolution is the 3x3 correlation with the kernel flipped and its
            // channels swapped: by Winograd, as the forward, where the forward uses it.
            Conv.conv3x3Winograd(g, weights: adjoint, scale: nil, into: &gx)
        } else {
            Conv.conv3x3Adjoint(g, weight: weight, inChannels: ic, into: &gx)
        }
        // g_s and g_x = s ⊙ g_sx (in place).
        var gs = Tensor.matmul(e, q)       // sum_o e_o Q[o,i], [N, I]
        KernelProfile.phase("backward: style gradient, modulation") {
        x.data.withUnsafeBufferPointer { xp in
        gx.data.withUnsafeMutableBufferPointer { gp in
        gs.data.withUnsafeMutableBufferPointer { sp in
            let xp = xp.baseAddress!, gp = gp.baseAddress!, sp = sp.baseAddress!
            parallelFor(n * ic, minWorkPerItem: 2 * hw) { p in
                let si = s.data[p], xc = xp + p * hw, gc = gp + p * hw
                var acc: Double = 0
                for k in 0..<hw {
                    acc += Double(xc[k] * gc[k])
                    gc[k] *= si
                }
                sp[p] = Float(acc) - si * sp[p]
            }
        } } } }
        SynthesisNetwork.accumulate(affine.backward(gs), row: r.wIndex, into: &gws)
        return gx
    }
}

extension ToRGB {
    /// Back-propagates dL/dy [N, 3, R, R] (y before the skip sum) through this layer as run in `r`:
    /// adds dL/dw to row `r.wIndex` of `gws` and returns dL/dx [N, C, R, R]. With y = clamp((W ⊙ s) x + b):
    /// g_v = g where not clamped; g_x = (W ⊙ s)^T g_v; g_s[i] = sum_o W[o,i] sum_hw g_v[o] x_i.
    func backward(_ gy: Tensor, record r: SynthesisNetwork.LayerRecord, wsGradient gws: inout Tensor) -> Tensor {
        let x = r.input, s = r.styles, y = r.output
        let n = x.shape[0], c = channels, hw = x.shape[2] * x.shape[3]
        precondition(gy.shape == y.shape, "ToRGB.backward: gradient \(gy.shape) vs output \(y.shape)")
        var g = gy
        var gx = Tensor(zeros: x.shape)
        var gs = Tensor(zeros: [n, c])
        var wm = [Float](repeating: 0, count: 3 * c)
        var m = [Float](repeating: 0, count: 3 * c)
        g.data.withUnsafeMutableBufferPointer { gp in
        y.data.withUnsafeBufferPointer { yp in
        x.data.withUnsafeBufferPointer { xp in
        gx.data.withUnsafeMutableBufferPointer { gxp in
            for img in 0..<n {
                let g0 = gp.baseAddress! + img * 3 * hw, x0 = xp.baseAddress! + img * c * hw
                BiasAct.backward(g0, output: yp.baseAddress! + img * 3 * hw, channels: 3, plane: hw, lrelu: false, clamp: clamp)
                for o in 0..<3 { for i in 0..<c { wm[o * c + i] = weight[o * c + i] * s.data[img * c + i] } }
                wm.withUnsafeBufferPointer { wp in
                    gemm(transA: true, m: c, n: hw, k: 3, a: wp.baseAddress!, lda: c, b: g0, ldb: hw,
                         c: gxp.baseAddress! + img * c * hw, ldc: hw)
                }
                m.withUnsafeMutableBufferPointer { mp in
                    gemm(transB: true, m: 3, n: c, k: hw, a: g0, lda: hw, b: x0, ldb: hw, c: mp.baseAddress!, ldc: c)
                }
                for i in 0..<c { gs.data[img * c + i] = (0..<3).reduce(0) { $0 + weight[$1 * c + i] * m[$1 * c + i] } }
            }
        } } } }
        SynthesisNetwork.accumulate(affine.backward(gs), row: r.wIndex, into: &gws)
        return gx
    }
}
