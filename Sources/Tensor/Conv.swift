/// Convolution kernels on planar [C, H, W] images (one image at a time; callers batch).
/// Orientation is correlation, as torch.nn.functional.conv2d.
package enum Conv {
    /// Upper bound on im2col / col2im scratch per GEMM, in floats (32 MB).
    package static let columnBudget = 8 << 20

    /// Batched 3x3 convolution, padding 1: x [N, I, H, W], weight [O, I*9] -> y [N, O, H, W]
    /// (y must be allocated). `scale` [N, I], when given, multiplies the input channels of each
    /// image first (style modulation, fused into im2col). Small images share one GEMM; large
    /// ones are tiled by rows so scratch stays under `columnBudget`.
    package static func conv3x3(_ x: Tensor, weight: [Float], outChannels oc: Int, scale: Tensor?, into y: inout Tensor) {
        conv3x3(x, weight: weight, outChannels: oc, scale: scale, epilogue: nil, into: &y)
    }

    /// `conv3x3` with an epilogue (demodulation, noise, bias, activation, clamp) applied to the
    /// output as it is written (the batched path's scatter, or right after each row tile's GEMM).
    package static func conv3x3(_ x: Tensor, weight: [Float], outChannels oc: Int, scale: Tensor?,
                               epilogue: ConvEpilogue?, into y: inout Tensor) {
        let n = x.shape[0], ic = x.shape[1], h = x.shape[2], w = x.shape[3]
        let hw = h * w, k = ic * 9
        precondition(weight.count == oc * k && y.count == n * oc * hw, "conv3x3: shapes do not match")
        let scales = scale?.data ?? []
        x.data.withUnsafeBufferPointer { xp in
        weight.withUnsafeBufferPointer { wp in
        scales.withUnsafeBufferPointer { sp in
        y.data.withUnsafeMutableBufferPointer { yp in
        ConvEpilogue.withKernel(epilogue, channels: oc, plane: hw) { ep in
            func scalePtr(_ img: Int) -> UnsafePointer<Float>? { scale == nil ? nil : sp.baseAddress! + img * ic }
            if n * hw * k <= columnBudget {
                // All images in one GEMM: [O, I*9] x [I*9, N*HW], then scatter to [N, O, HW] (epilogue on the way).
                let ldc = n * hw
                withScratch(k * ldc + oc * ldc) { buf in
                    let cols = buf, out = buf + k * ldc
                    KernelProfile.phase("im2col") {
                        for img in 0..<n {
                            im2col3x3(xp.baseAddress! + img * ic * hw, channels: ic, height: h, width: w, scale: scalePtr(img),
                                      rowStart: 0, rows: h, cols: cols, ldc: ldc, colOffset: img * hw)
                        }
                    }
                    gemm(m: oc, n: ldc, k: k, a: wp.baseAddress!, lda: k, b: cols, ldb: ldc, c: out, ldc: ldc)
                    KernelProfile.phase("im2col epilogue scatter") {
                        parallelFor(n * oc, minWorkPerItem: 2 * hw) { p in
                            let img = p / oc, o = p - img * oc
                            ep.run(out + o * ldc + img * hw, yp.baseAddress! + p * hw, count: hw, image: img, channel: o, offset: 0)
                        }
                    }
                }
            } else {
                let rows = max(1, min(h, columnBudget / (k * w)))
                withScratch(k * rows * w) { cols in
                    for img in 0..<n {
                        var y0 = 0
                        while y0 < h {
                            if KernelCancellation.isRequested { return }   // given up: the caller discards y
                            let nr = min(rows, h - y0), ldc = nr * w
                            im2col3x3(xp.baseAddress! + img * ic * hw, channels: ic, height: h, width: w, scale: scalePtr(img),
                                      rowStart: y0, rows: nr, cols: cols, ldc: ldc, colOffset: 0)
                            let dst = yp.baseAddress! + img * oc * hw + y0 * w
                            gemm(m: oc, n: ldc, k: k, a: wp.baseAddress!, lda: k, b: cols, ldb: ldc, c: dst, ldc: hw)
                            if epilogue != nil {
                                parallelFor(oc, minWorkPerItem: 2 * ldc) { o in
                                    ep.run(dst + o * hw, dst + o * hw, count: ldc, image: img, channel: o, offset: y0 * w)
                                }
                            }
                            y0 += nr
                        }
                    }
                }
            }
        } } } } }
    }

    /// 2x2 average pooling, [C, H, W] -> [C, H/2, W/2] per image of a batch [N, C, H, W].
    package static func avgPool2(_ x: Tensor) -> Tensor {
        let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3]
        let oh = h / 2, ow = w / 2
        var y = Tensor(zeros: [n, c, oh, ow])
        for p in 0..<(n * c) {
            let src = p * h * w, dst = p * oh * ow
            for yy in 0..<oh { for xx in 0..<ow {
                let i = src + 2 * yy * w + 2 * xx
                y.data[dst + yy * ow + xx] = 0.25 * (x.data[i] + x.data[i + 1] + x.data[i + w] + x.data[i + w + 1])
            } }
        }
        return y
    }

    /// im2col for a 3x3 kernel, padding 1, stride 1, over rows [y0, y0+rows) of a [C, H, W] image,
    /// scaling channel c by `scale[c]` on the way (the style modulation, fused).
    /// `cols` is [C*9, ldc] and receives columns [col0, col0 + rows*W).
    package static func im2col3x3(_ x: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
                                 scale: UnsafePointer<Float>?, rowStart y0: Int, rows: Int,
                                 cols: UnsafeMutablePointer<Float>, ldc: Int, colOffset col0: Int) {
        parallelFor(c, minWorkPerItem: 9 * rows * w) { ci in
            let s = scale?[ci] ?? 1
            let plane = x + ci * h * w
            for ky in 0..<3 {
                for kx in 0..<3 {
                    let row = cols + (ci * 9 + ky * 3 + kx) * ldc + col0
                    for r in 0..<rows {
                        let yy = y0 + r + ky - 1
                        let dst = row + r * w
                        if yy < 0 || yy >= h { dst.update(repeating: 0, count: w); continue }
                        let src = plane + yy * w
                        // x index = xo + kx - 1
                        let lo = max(0, 1 - kx), hi = min(w, w + 1 - kx)
                        if lo > 0 { dst[0] = 0 }
                        if hi < w { dst[w - 1] = 0 }
                        let off = kx - 1
                        for xo in lo..<hi { dst[xo] = src[xo + off] * s }
                    }
                }
            }
        }
    }

    /// col2im for the stride-2 transposed 3x3 convolution: `cols` is [O*9, rows*W] holding
    /// sum_i W[o,i,ky,kx] x[i, y, x] for input rows [y0, y0+rows); adds each into
    /// out[o, 2y+ky, 2x+kx] of the [O, 2H+1, 2W+1] output.
    package static func col2imTransposed3x3(_ cols: UnsafePointer<Float>, outChannels o: Int, width w: Int,
                                           rowStart y0: Int, rows: Int, ldc: Int,
                                           out: UnsafeMutablePointer<Float>, outHeight oh: Int, outWidth ow: Int) {
        parallelFor(o, minWorkPerItem: 9 * rows * w) { oc in
            let plane = out + oc * oh * ow
            for ky in 0..<3 {
                for kx in 0..<3 {
                    let row = cols + (oc * 9 + ky * 3 + kx) * ldc
                    for r in 0..<rows {
                        let dst = plane + (2 * (y0 + r) + ky) * ow + kx
                        let src = row + r * w
                        for xi in 0..<w { dst[2 * xi] += src[xi] }
                    }
                }
            }
        }
    }

    /// Separable 4-tap FIR along both axes with per-axis taps `t` (already including gain),
    /// padding (p0 before, p1 after) on each axis, no up/down sampling: [C, H, W] -> [C, H', W'],
    /// H' = H + p0 + p1 - 3. True convolution; the taps used here are symmetric.
    package static func fir4(_ x: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
                            taps t: (Float, Float, Float, Float), pad p0: Int, _ p1: Int,
                            out: UnsafeMutablePointer<Float>, parallel: Bool = true) {
        let oh = h + p0 + p1 - 3, ow = w + p0 + p1 - 3
        // Output columns whose four taps all fall inside the row: no bounds to check (vectorised).
        let inner0 = min(max(0, p0), ow), inner1 = max(inner0, min(ow, w - 3 + p0))
        let channel = { (ci: Int) in
            let src = x + ci * h * w
            let dst = out + ci * oh * ow
            withUnsafeTemporaryAllocation(of: Float.self, capacity: h * ow) { tmpBuffer in
            let tmp = tmpBuffer.baseAddress!
            // Horizontal pass: tmp[y, xo] = sum_j t[j] * x[y, xo + j - p0]
            for y in 0..<h {
                let s = src + y * w, d = tmp + y * ow
                @inline(__always) func edge(_ xo: Int) {
                    var acc: Float = 0
                    let base = xo - p0
                    if base >= 0 && base < w { acc += t.0 * s[base] }
                    if base + 1 >= 0 && base + 1 < w { acc += t.1 * s[base + 1] }
                    if base + 2 >= 0 && base + 2 < w { acc += t.2 * s[base + 2] }
                    if base + 3 >= 0 && base + 3 < w { acc += t.3 * s[base + 3] }
                    d[xo] = acc
                }
                for xo in 0..<inner0 { edge(xo) }
                let sp = s - p0
                for xo in inner0..<inner1 {
                    d[xo] = t.0 * sp[xo] + t.1 * sp[xo + 1] + t.2 * sp[xo + 2] + t.3 * sp[xo + 3]
                }
                for xo in inner1..<ow { edge(xo) }
            }
            // Vertical pass: one pass per output row over its four input rows (a zero row outside).
            withUnsafeTemporaryAllocation(of: Float.self, capacity: ow) { zeroBuffer in
                let zero = zeroBuffer.baseAddress!
                zero.update(repeating: 0, count: ow)
                for yo in 0..<oh {
                    let d = dst + yo * ow
                    let base = yo - p0
                    @inline(__always) func row(_ j: Int) -> UnsafePointer<Float> {
                        base + j >= 0 && base + j < h ? UnsafePointer(tmp + (base + j) * ow) : UnsafePointer(zero)
                    }
                    let r0 = row(0), r1 = row(1), r2 = row(2), r3 = row(3)
                    for xo in 0..<ow { d[xo] = t.0 * r0[xo] + t.1 * r1[xo] + t.2 * r2[xo] + t.3 * r3[xo] }
                }
            }
            }
        }
        parallelFor(c, minWorkPerItem: 8 * h * w, parallel: parallel, channel)
    }

    /// The skip path's upsample2d (upfirdn2d, up=2, [1,3,3,1] filter, pad [2,1,2,1], gain 4):
    /// per axis y[2n] = .25 x[n-1] + .75 x[n], y[2n+1] = .75 x[n] + .25 x[n+1], zero borders.
    /// `adding` (same shape as `out`, not overlapping it): added to the result, as the skip
    /// architecture sums the upsampled image and the block's ToRGB output.
    package static func upsample2x(_ x: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
                                  out: UnsafeMutablePointer<Float>, adding: UnsafePointer<Float>? = nil) {
        let ow = 2 * w, oh = 2 * h
        parallelFor(c, minWorkPerItem: 8 * h * w) { ci in
            let src = x + ci * h * w
            let dst = out + ci * oh * ow
            let add = adding.map { $0 + ci * oh * ow }
            let tmp = UnsafeMutablePointer<Float>.allocate(capacity: h * ow)
            defer { tmp.deallocate() }
            for y in 0..<h {
                let s = src + y * w, d = tmp + y * ow
                for n in 0..<w {
                    let l: Float = n > 0 ? s[n - 1] : 0, r: Float = n + 1 < w ? s[n + 1] : 0
                    d[2 * n] = 0.25 * l + 0.75 * s[n]
                    d[2 * n + 1] = 0.75 * s[n] + 0.25 * r
                }
            }
            for n in 0..<h {
                let cur = tmp + n * ow
                let d0 = dst + 2 * n * ow, d1 = dst + (2 * n + 1) * ow
                if n > 0 {
                    let up = tmp + (n - 1) * ow
                    for i in 0..<ow { d0[i] = 0.25 * up[i] + 0.75 * cur[i] }
                } else {
                    for i in 0..<ow { d0[i] = 0.75 * cur[i] }
                }
                if n + 1 < h {
                    let dn = tmp + (n + 1) * ow
                    for i in 0..<ow { d1[i] = 0.75 * cur[i] + 0.25 * dn[i] }
                } else {
                    for i in 0..<ow { d1[i] = 0.75 * cur[i] }
                }
                if let add {
                    let a0 = add + 2 * n * ow, a1 = add + (2 * n + 1) * ow
                    for i in 0..<ow { d0[i] += a0[i]; d1[i] += a1[i] }
                }
            }
        }
    }
}
