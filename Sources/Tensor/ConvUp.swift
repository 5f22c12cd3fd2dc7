import Foundation

extension Conv {
    /// Largest per-image scratch (columns and modulated input, floats) for which `upConv3x3FIR`
    /// gives each core whole images: 1.5 MB, about a core's L2 on the AVX-512 VM (docs/PERFORMANCE.md).
    static let upConvImageFloats = 3 << 17

    /// StyleGAN2's upsampling convolution with its epilogue, in one pass over the output:
    ///   y = epilogue(fir4(convTranspose3x3_stride2(W, s ⊙ x), taps (¼, ¾, ¾, ¼), pad 1, 1))
    /// x [N, I, H, W], `weight` [O*9, I] (row o*9 + ky*3 + kx, as for `col2imTransposed3x3`),
    /// `scale` [N, I] or nil, y [N, O, 2H, 2W] (allocated; every element is written). The same
    /// result as GEMM + `col2imTransposed3x3` + `fir4` (then `BiasAct`) up to float rounding.
    ///
    /// Columns C = W (s ⊙ x) come from one GEMM (all images at once when they fit in
    /// `fusedBudget`, else bands of rows per image). With the transposed-conv rows
    /// T[2y+ky] += C_ky[y] and the filter u[Y] = ¼ T[Y-1] + ¾ T[Y] + ¾ T[Y+1] + ¼ T[Y+2], per axis
    ///   u[2m]   = ¼ (C1[m-1] + C2[m] + C0[m+1]) + ¾ (C2[m-1] + C0[m] + C1[m])
    ///   u[2m+1] = ¼ (C2[m-1] + C0[m] + C1[m+1]) + ¾ (C1[m] + C2[m] + C0[m+1])
    /// (zero outside 0..<H), so output rows 2m, 2m+1 need only input rows m-1 ... m+1 of C: no
    /// [O, 2H+1, 2W+1] intermediate, no zero fill, and each output value is written once.
    package static func upConv3x3FIR(_ x: Tensor, weight: [Float], outChannels oc: Int, scale: Tensor?,
                                    epilogue: ConvEpilogue? = nil, into y: inout Tensor) {
        let n = x.shape[0], ic = x.shape[1], h = x.shape[2], w = x.shape[3]
        let hw = h * w, k9 = oc * 9, oplane = 4 * hw
        precondition(weight.count == k9 * ic && y.count == n * oc * oplane, "upConv3x3FIR: shapes do not match")
        precondition(scale == nil || scale!.count == n * ic, "upConv3x3FIR: scale must be [N, I]")
        guard n > 0, hw > 0 else { return }
        let scales = scale?.data ?? []
        let firWork = 40 * hw      // per output channel and image, roughly
        x.data.withUnsafeBufferPointer { xp in
        weight.withUnsafeBufferPointer { wp in
        scales.withUnsafeBufferPointer { sp in
        y.data.withUnsafeMutableBufferPointer { yp in
        ConvEpilogue.withKernel(epilogue, channels: oc, plane: oplane) { ep in
            let xp = xp.baseAddress!, wp = wp.baseAddress!, yp = yp.baseAddress!
            let sp: UnsafePointer<Float>? = scale == nil ? nil : sp.baseAddress!
            // Enough images for every core and one image's columns about a core's cache: each core
            // runs whole images (modulation, one serial GEMM, the FIR) in its own cache, with no
            // split GEMM and no parallel loop to wait for (upConvImageFloats).
            // The modulation goes on whichever is smaller: the weights (per image) or the image.
            let scaleWeights = sp != nil && k9 < hw
            let scaled = sp == nil ? 0 : (scaleWeights ? k9 * ic : ic * hw)
            /// Image `img`'s GEMM operands, weights [O*9, I] and input [I, H*W], the modulation applied to
            /// the smaller into `buf` (`scaled` floats); `parallel`: split over the cores.
            func modulated(_ img: Int, into buf: UnsafeMutablePointer<Float>, parallel: Bool) -> (UnsafePointer<Float>, UnsafePointer<Float>) {
                let b = xp + img * ic * hw
                guard let sp else { return (wp, b) }
                let s = sp + img * ic
                if scaleWeights {
                    parallelFor(k9, minWorkPerItem: 2 * ic, parallel: parallel) { r in
                        let src = wp + r * ic, dst = buf + r * ic
                        for i in 0..<ic { dst[i] = src[i] * s[i] }
                    }
                    return (UnsafePointer(buf), b)
                }
                parallelFor(ic, minWorkPerItem: 2 * hw, parallel: parallel) { i in
                    let si = s[i], src = b + i * hw, dst = buf + i * hw
                    for p in 0..<hw { dst[p] = src[p] * si }
                }
                return (wp, UnsafePointer(buf))
            }
            let perImage = k9 * hw + scaled
            if BLASRuntime.workers > 1 && n >= BLASRuntime.workers && perImage <= upConvImageFloats {
                let cancel = KernelCancellation.bound
                runConcurrently(n) { img in
                    if cancel?.requested == true { return }   // given up: the caller discards y
                    withScratch(perImage) { cols in
                        let (a, b) = modulated(img, into: cols + k9 * hw, parallel: false)
                        GEMMStats.timed(flops: 2 * Double(k9) * Double(ic) * Double(hw), sideBySide: true) {
                            gemmSerial(m: k9, n: hw, k: ic, a: a, lda: ic, b: b, ldb: hw, c: cols, ldc: hw)
                        }
                        for o in 0..<oc {
                            upFIRRows(cols + o * 9 * hw, ldc: hw, base: 0, height: h, width: w, rows: 0, h,
                                      out: yp + (img * oc + o) * oplane, epilogue: ep, image: img, channel: o)
                        }
                    }
                }
                return
            }
            if n * hw * k9 <= fusedBudget {
                // All images in one GEMM: [O*9, I] x [I, N*HW] on s ⊙ x laid out as [I, N*HW].
                let ldc = n * hw
                withScratch(ic * ldc + k9 * ldc) { buf in
                    let xs = buf, cols = buf + ic * ldc
                    KernelProfile.phase("up-conv modulation") {
                        parallelFor(ic, minWorkPerItem: 2 * ldc) { i in
                            for img in 0..<n {
                                let s = sp?[img * ic + i] ?? 1
                                let src = xp + (img * ic + i) * hw, dst = xs + i * ldc + img * hw
                                for p in 0..<hw { dst[p] = src[p] * s }
                            }
                        }
                    }
                    gemm(m: k9, n: ldc, k: ic, a: wp, lda: ic, b: xs, ldb: ldc, c: cols, ldc: ldc)
                    KernelProfile.phase("up-conv col2im + FIR + epilogue") {
                        parallelFor(n * oc, minWorkPerItem: firWork) { p in
                            let img = p / oc, o = p - img * oc
                            upFIRRows(cols + o * 9 * ldc + img * hw, ldc: ldc, base: 0, height: h, width: w, rows: 0, h,
                                      out: yp + p * oplane, epilogue: ep, image: img, channel: o)
                        }
                    }
                }
                return
            }
            // Per image, in bands of input rows; each band's columns keep the two rows next to it
            // (slot 0 = row y0 - 1): the rows shared with the previous band are moved, not recomputed.
            let rows = max(1, min(h, fusedBudget / (k9 * w) - 2))
            let ldc = (rows + 2) * w
            withScratch(k9 * ldc + scaled) { buf in
                let cols = buf
                for img in 0..<n {
                    let (a, b) = modulated(img, into: buf + k9 * ldc, parallel: true)
                    var done = 0, base = -1, y0 = 0      // rows [0, done) computed; slot 0 holds row `base`
                    while y0 < h {
                        if KernelCancellation.isRequested { return }   // given up: the caller discards y
                        let y1 = min(h, y0 + rows), newBase = y0 - 1
                        let keep = max(newBase, 0)
                        if newBase != base && done > keep {
                            let count = (done - keep) * w, from = (keep - base) * w, to = (keep - newBase) * w
                            for r in 0..<k9 { memmove(cols + r * ldc + to, cols + r * ldc + from, count * MemoryLayout<Float>.size) }
                        }
                        base = newBase
                        let need = min(h, y1 + 1)
                        if need > done {
                            gemm(m: k9, n: (need - done) * w, k: ic, a: a, lda: ic, b: b + done * w, ldb: hw,
                                 c: cols + (done - base) * w, ldc: ldc)
                            done = need
                        }
                        parallelFor(oc, minWorkPerItem: 40 * (y1 - y0) * w) { o in
                            upFIRRows(cols + o * 9 * ldc, ldc: ldc, base: base, height: h, width: w, rows: y0, y1,
                                      out: yp + (img * oc + o) * oplane, epilogue: ep, image: img, channel: o)
                        }
                        y0 = y1
                    }
                }
            }
        } } } } }
    }

    /// Output rows 2m and 2m+1, m in [m0, m1), of one channel of `upConv3x3FIR`: `c` holds the
    /// channel's 9 rows of columns (row ky*3+kx at c + (ky*3+kx) * ldc) in which input row r of
    /// 0..<h starts at column (r - base) * w. Writes `out` [2h, 2w] rows, epilogue applied.
    static func upFIRRows(_ c: UnsafePointer<Float>, ldc: Int, base: Int, height h: Int, width w: Int,
                          rows m0: Int, _ m1: Int, out: UnsafeMutablePointer<Float>,
                          epilogue ep: EpilogueKernel, image: Int, channel: Int) {
        if narrowFIR(width: w, rows: m1 - m0) {
            upFIRRowsNarrow(c, ldc: ldc, base: base, height: h, width: w, rows: m0, m1, out: out,
                            epilogue: ep, image: image, channel: channel)
            return
        }
        let lanes = VectorISA.wideLanes(filling: w)
        if lanes > 0 {
            upFIRRowsWide(lanes, c, ldc: ldc, base: base, height: h, width: w, rows: m0, m1, out: out,
                          epilogue: ep, image: image, channel: channel)
            return
        }
        let ow = 2 * w, len = w + 2
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 6 * len + w) { tmp in
            let t = tmp.baseAddress!
            let zero = t + 6 * len
            zero.update(repeating: 0, count: w)
            // Vertical results per kx, for the even (ev) and odd (od) output row, with one zero each side.
            let ev = t, od = t + 3 * len
            for k in 0..<3 { ev[k * len] = 0; ev[k * len + w + 1] = 0; od[k * len] = 0; od[k * len + w + 1] = 0 }
            for m in m0..<m1 {
                @inline(__always) func row(_ ky: Int, _ kx: Int, _ r: Int) -> UnsafePointer<Float> {
                    r >= 0 && r < h ? c + (ky * 3 + kx) * ldc + (r - base) * w : UnsafePointer(zero)
                }
                // Vertical: combine input rows m-1, m, m+1 for each kx.
                for kx in 0..<3 {
                    let a1p = row(1, kx, m - 1), a2p = row(2, kx, m - 1)
                    let b0 = row(0, kx, m), b1 = row(1, kx, m), b2 = row(2, kx, m)
                    let c0 = row(0, kx, m + 1), c1 = row(1, kx, m + 1)
                    let e = ev + kx * len + 1, o = od + kx * len + 1
                    // SIMD4 first (the same operations in the same order), the scalar loop finishes.
                    var j0 = 0
                    while j0 + 4 <= w {
                        let a1v = SIMDLoad.load4(a1p + j0), a2v = SIMDLoad.load4(a2p + j0)
                        let b0v = SIMDLoad.load4(b0 + j0), b1v = SIMDLoad.load4(b1 + j0), b2v = SIMDLoad.load4(b2 + j0)
                        let c0v = SIMDLoad.load4(c0 + j0), c1v = SIMDLoad.load4(c1 + j0)
                        let q: SIMD4<Float> = SIMD4(repeating: 0.25), t: SIMD4<Float> = SIMD4(repeating: 0.75)
                        SIMDLoad.store4(q * (a1v + b2v + c0v) + t * (a2v + b0v + b1v), e + j0)
                        SIMDLoad.store4(q * (a2v + b0v + c1v) + t * (b1v + b2v + c0v), o + j0)
                        j0 += 4
                    }
                    for j in j0..<w {
                        e[j] = 0.25 * (a1p[j] + b2[j] + c0[j]) + 0.75 * (a2p[j] + b0[j] + b1[j])
                        o[j] = 0.25 * (a2p[j] + b0[j] + c1[j]) + 0.75 * (b1[j] + b2[j] + c0[j])
                    }
                }
                // Horizontal: the same combination along x, into the two output rows.
                for half in 0..<2 {
                    let src = UnsafePointer(half == 0 ? ev : od), y = 2 * m + half
                    let r0 = src + 1, r1 = src + len + 1, r2 = src + 2 * len + 1
                    let d = out + y * ow
                    var j0 = 0
                    while j0 + 4 <= w {
                        let q: SIMD4<Float> = SIMD4(repeating: 0.25), t: SIMD4<Float> = SIMD4(repeating: 0.75)
                        let r0m = SIMDLoad.load4(r0 + j0), r0p = SIMDLoad.load4(r0 + j0 + 1)
                        let r1l = SIMDLoad.load4(r1 + j0 - 1), r1m = SIMDLoad.load4(r1 + j0), r1p = SIMDLoad.load4(r1 + j0 + 1)
                        let r2l = SIMDLoad.load4(r2 + j0 - 1), r2m = SIMDLoad.load4(r2 + j0)
                        SIMDLoad.storeInterleaved(q * (r1l + r2m + r0p) + t * (r2l + r0m + r1m),
                                                  q * (r2l + r0m + r1p) + t * (r1m + r2m + r0p), d + 2 * j0)
                        j0 += 4
                    }
                    for j in j0..<w {
                        d[2 * j] = 0.25 * (r1[j - 1] + r2[j] + r0[j + 1]) + 0.75 * (r2[j - 1] + r0[j] + r1[j])
                        d[2 * j + 1] = 0.25 * (r2[j - 1] + r0[j] + r1[j + 1]) + 0.75 * (r1[j] + r2[j] + r0[j + 1])
                    }
                    ep.run(d, d, count: ow, image: image, channel: channel, offset: y * ow)
                }
            }
        }
    }
}
