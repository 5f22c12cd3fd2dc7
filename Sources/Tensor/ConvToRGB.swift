extension Conv {
    /// ToRGB's modulated 1x1 convolution with its bias and clamp:
    ///   y[n] = clamp(W (s[n] ⊙ x[n]) + b, ±clamp)
    /// x [N, C, H, W], `weight` [O, C], `scale` [N, C], `bias` [O] -> y [N, O, H, W]. When one image's
    /// product is too small to split over the cores (3 x 4096 x 32 on the 64 px model's last block),
    /// the images run side by side, one per core (b64.torgb 0.52-0.72 -> 0.34-0.37 ms per batch of 16,
    /// b32.torgb 0.27-0.34 -> 0.17-0.21: one core had done it all); otherwise one after another.
    package static func modulatedConv1x1(_ x: Tensor, weight: [Float], outChannels oc: Int, scale: Tensor,
                                         bias: [Float], clamp: Float?) -> Tensor {
        let n = x.shape[0], c = x.shape[1], hw = x.shape[2] * x.shape[3]
        precondition(weight.count == oc * c && scale.count == n * c && bias.count == oc, "modulatedConv1x1: shapes do not match")
        var y = Tensor(uninitialized: [n, oc, x.shape[2], x.shape[3]])
        guard n > 0, hw > 0 else { return y }
        let flops = 2 * Double(oc) * Double(c) * Double(hw)
        let sideBySide = BLASRuntime.workers > 1 && n >= BLASRuntime.workers && oc * c * hw < gemmSplitFlops
            && n * oc * c * hw >= 1 << 20      // below, waking the other cores costs more than it saves
        x.data.withUnsafeBufferPointer { xp in
        y.data.withUnsafeMutableBufferPointer { yp in
        weight.withUnsafeBufferPointer { wp in
        scale.data.withUnsafeBufferPointer { sp in
        bias.withUnsafeBufferPointer { bp in
            let xp = xp.baseAddress!, yp = yp.baseAddress!, wp = wp.baseAddress!, sp = sp.baseAddress!, bp = bp.baseAddress!
            func image(_ img: Int) {
                withUnsafeTemporaryAllocation(of: Float.self, capacity: oc * c) { wm in
                    let wm = wm.baseAddress!, s = sp + img * c
                    for o in 0..<oc { for i in 0..<c { wm[o * c + i] = wp[o * c + i] * s[i] } }
                    let out = yp + img * oc * hw
                    if sideBySide {
                        GEMMStats.timed(flops: flops, sideBySide: true) {
                            gemmSerial(m: oc, n: hw, k: c, a: wm, lda: c, b: xp + img * c * hw, ldb: hw, c: out, ldc: hw)
                        }
                    } else {
                        gemm(m: oc, n: hw, k: c, a: wm, lda: c, b: xp + img * c * hw, ldb: hw, c: out, ldc: hw)
                    }
                    BiasAct.apply(out, channels: oc, plane: hw, demod: nil, noise: nil, noiseStrength: 0, bias: bp,
                                  lrelu: false, clamp: clamp)
                }
            }
            if sideBySide {
                runConcurrently(n, image)
            } else {
                for img in 0..<n { image(img) }
            }
        } } } } }
        return y
    }
}
