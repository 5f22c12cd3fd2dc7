/// Adjoints (transposes) of the linear ops in Conv.swift and the local derivative of BiasAct, for
/// back-propagation. Each `fooAdjoint` satisfies <foo(x), g> == <x, fooAdjoint(g)> for all x, g.
package extension Conv {
    /// Adjoint of `im2col3x3` (without scale): scatters the columns [C*9, ldc] of output rows
    /// [y0, y0+rows) back onto the [C, H, W] image, adding into `out` (which the caller zeroes).
    static func col2im3x3(_ cols: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
                          rowStart y0: Int, rows: Int, ldc: Int, out: UnsafeMutablePointer<Float>) {
        parallelFor(c, minWorkPerItem: 9 * rows * w) { ci in
            let plane = out + ci * h * w
            for ky in 0..<3 {
                for kx in 0..<3 {
                    let row = cols + (ci * 9 + ky * 3 + kx) * ldc
                    let lo = max(0, 1 - kx), hi = min(w, w + 1 - kx), off = kx - 1
                    for r in 0..<rows {
                        let yy = y0 + r + ky - 1
                        guard yy >= 0 && yy < h else { continue }
                        let src = row + r * w, dst = plane + yy * w
                        for xo in lo..<hi { dst[xo + off] += src[xo] }
                    }
                }
            }
        }
    }

    /// Adjoint of `conv3x3` (without scale) w.r.t. its input, i.e. the transposed convolution:
    /// g [N, O, H, W], weight [O, I*9] -> x [N, I, H, W] (overwritten). Per image and row tile:
    /// columns = W^T g (one GEMM), then `col2im3x3`; tiles keep the scratch under `columnBudget`.
    static func conv3x3Adjoint(_ g: Tensor, weight: [Float], inChannels ic: Int, into x: inout Tensor) {
        let n = g.shape[0], oc = g.shape[1], h = g.shape[2], w = g.shape[3]
        let hw = h * w, k = ic * 9
        precondition(weight.count == oc * k && x.count == n * ic * hw, "conv3x3Adjoint: shapes do not match")
        let rows = max(1, min(h, columnBudget / (k * w)))
        let cols = UnsafeMutablePointer<Float>.allocate(capacity: k * rows * w)
        defer { cols.deallocate() }
        g.data.withUnsafeBufferPointer { gp in
        weight.withUnsafeBufferPointer { wp in
        x.data.withUnsafeMutableBufferPointer { xp in
            xp.update(repeating: 0)
            for img in 0..<n {
                var y0 = 0
                while y0 < h {
                    let nr = min(rows, h - y0), ldc = nr * w
                    gemm(transA: true, m: k, n: ldc, k: oc, a: wp.baseAddress!, lda: k,
                         b: gp.baseAddress! + img * oc * hw + y0 * w, ldb: hw, c: cols, ldc: ldc)
                    KernelProfile.phase("backward: col2im") {
                        col2im3x3(cols, channels: ic, height: h, width: w, rowStart: y0, rows: nr, ldc: ldc,
                                  out: xp.baseAddress! + img * ic * hw)
                    }
                    y0 += nr
                }
            }
        } } }
    }

    /// Adjoint of `col2imTransposed3x3`: the stride-2 im2col of a [C, 2H+1, 2W+1] image `g`,
    /// cols[(c*9 + ky*3 + kx), r*W + x] = g[c, 2(y0+r)+ky, 2x+kx] for rows [y0, y0+rows) of the H x W grid.
    static func im2col3x3Stride2(_ g: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
                                 rowStart y0: Int, rows: Int, cols: UnsafeMutablePointer<Float>, ldc: Int,
                                 parallel: Bool = true) {
        let gw = 2 * w + 1, gh = 2 * h + 1
        let channel = { (ci: Int) in
            let plane = g + ci * gh * gw
            for ky in 0..<3 {
                for kx in 0..<3 {
                    let row = cols + (ci * 9 + ky * 3 + kx) * ldc
                    for r in 0..<rows {
                        let src = plane + (2 * (y0 + r) + ky) * gw + kx, dst = row + r * w
                        for xi in 0..<w { dst[xi] = src[2 * xi] }
                    }
                }
            }
        }
        parallelFor(c, minWorkPerItem: 9 * rows * w, parallel: parallel, channel)
    }

    /// Adjoint w.r.t. its input of `upConv3x3FIR` without scale and epilogue: g [N, O, 2H, 2W] ->
    /// x [N, I, H, W] (overwritten), `weight` [O*9, I]. Per image: the FIR's adjoint onto the
    /// [O, 2H+1, 2W+1] transposed-conv grid, its stride-2 im2col, x = weight^T columns. With enough
    /// images each core runs whole images in its own cache (as the forward, `upConvImageFloats`).
    static func upConv3x3FIRAdjoint(_ g: Tensor, weight: [Float], inChannels ic: Int, into x: inout Tensor) {
        let n = g.shape[0], oc = g.shape[1], r = g.shape[2], h = x.shape[2], w = x.shape[3]
        precondition(r == 2 * h && g.shape[3] == 2 * w && x.count == n * ic * h * w && weight.count == oc * 9 * ic,
                     "upConv3x3FIRAdjoint: shapes do not match")
        let plane = 4 * h * w, hw = h * w, grid = oc * (2 * h + 1) * (2 * w + 1)
        let taps: (Float, Float, Float, Float) = (0.25, 0.75, 0.75, 0.25)
        let perImage = grid + oc * 9 * hw
        g.data.withUnsafeBufferPointer { gp in
        weight.withUnsafeBufferPointer { wp in
        x.data.withUnsafeMutableBufferPointer { xp in
            let gp = gp.baseAddress!, wp = wp.baseAddress!, xp = xp.baseAddress!
            if BLASRuntime.workers > 1 && n >= BLASRuntime.workers && perImage <= 2 * upConvImageFloats {
                runConcurrently(n) { img in
                    withScratch(perImage) { buf in
                        let cols = buf + grid
                        fir4Adjoint(gp + img * oc * plane, channels: oc, height: 2 * h, width: 2 * w, taps: taps, pad: 1, 1,
                                    out: buf, parallel: false)
                        KernelProfile.phase("backward: stride-2 im2col", share: 1 / Double(BLASRuntime.workers)) {
                            im2col3x3Stride2(buf, channels: oc, height: h, width: w, rowStart: 0, rows: h, cols: cols, ldc: hw,
                                             parallel: false)
                        }
                        GEMMStats.timed(flops: 2 * Double(ic) * Double(hw) * Double(oc * 9), sideBySide: true) {
                            gemmSerial(transA: true, m: ic, n: hw, k: oc * 9, a: wp, lda: ic, b: cols, ldb: hw,
                                       c: xp + img * ic * hw, ldc: hw)
                        }
                    }
                }
                return
            }
            withScratch(grid) { tmp in
                for img in 0..<n {
                    fir4Adjoint(gp + img * oc * plane, channels: oc, height: 2 * h, width: 2 * w, taps: taps, pad: 1, 1, out: tmp)
                    transposedConv3x3Adjoint(tmp, weight: wp, inChannels: ic, outChannels: oc, height: h, width: w,
                                             out: xp + img * ic * hw)
                }
            }
        } } }
    }

    /// Adjoint w.r.t. its input of the stride-2 transposed 3x3 convolution (GEMM with `weight`
    /// [O*9, I] then `col2imTransposed3x3`): g [O, 2H+1, 2W+1] -> x [I, H, W] (overwritten), one image.
    /// Per row tile: `im2col3x3Stride2` of g, then x = weight^T columns (one GEMM).
    static func transposedConv3x3Adjoint(_ g: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                         inChannels ic: Int, outChannels oc: Int, height h: Int, width w: Int,
                                         out x: UnsafeMutablePointer<Float>) {
        let k = oc * 9
        let rows = max(1, min(h, columnBudget / (k * w)))
        let cols = UnsafeMutablePointer<Float>.allocate(capacity: k * rows * w)
        defer { cols.deallocate() }
        var y0 = 0
        while y0 < h {
            let nr = min(rows, h - y0), ldc = nr * w
            KernelProfile.phase("backward: stride-2 im2col") {
                im2col3x3Stride2(g, channels: oc, height: h, width: w, rowStart: y0, rows: nr, cols: cols, ldc: ldc)
            }
            gemm(transA: true, m: ic, n: ldc, k: k, a: weight, lda: ic, b: cols, ldb: ldc, c: x + y0 * w, ldc: h * w)
            y0 += nr
        }
    }

    /// Adjoint of `fir4` with taps `t` and padding (p0, p1) (each at most 3): g [C, H', W'] (the
    /// forward's output size) -> [C, H, W] with H = H' - p0 - p1 + 3. Per axis the forward is
    /// y[o] = sum_j t[j] x[o + j - p0], so x[i] = sum_j t[j] g[i - j + p0] = sum_j t[3-j] g[i + j - (3 - p0)]:
    /// `fir4` itself with the taps reversed and the padding (3 - p0, 3 - p1).
    static func fir4Adjoint(_ g: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
                            taps t: (Float, Float, Float, Float), pad p0: Int, _ p1: Int,
                            out: UnsafeMutablePointer<Float>, parallel: Bool = true) {
        precondition(p0 <= 3 && p1 <= 3, "fir4Adjoint: padding above 3 would crop the gradient")
        KernelProfile.phase("backward: FIR adjoint", share: parallel ? 1 : 1 / Double(BLASRuntime.workers)) {
            fir4(g, channels: c, height: h, width: w, taps: (t.3, t.2, t.1, t.0), pad: 3 - p0, 3 - p1, out: out, parallel: parallel)
        }
    }

    /// Adjoint of `upsample2x`: g [C, 2H, 2W] -> [C, H, W] (`height`, `width` are the small size).
    /// Per axis x[n] = .25 g[2n-1] + .75 g[2n] + .75 g[2n+1] + .25 g[2n+2], zero outside.
    static func upsample2xAdjoint(_ g: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
                                  out: UnsafeMutablePointer<Float>) {
        let gw = 2 * w, gh = 2 * h
        parallelFor(c, minWorkPerItem: 8 * h * w) { ci in
            let src = g + ci * gh * gw
            let dst = out + ci * h * w
            let tmp = UnsafeMutablePointer<Float>.allocate(capacity: gh * w)
            defer { tmp.deallocate() }
            // Horizontal: tmp[y, n] from g[y, 2n-1 ... 2n+2].
            for y in 0..<gh {
                let s = src + y * gw, d = tmp + y * w
                for n in 0..<w {
                    var acc = 0.75 * (s[2 * n] + s[2 * n + 1])
                    if n > 0 { acc += 0.25 * s[2 * n - 1] }
                    if n + 1 < w { acc += 0.25 * s[2 * n + 2] }
                    d[n] = acc
                }
            }
            // Vertical: dst[n, :] from tmp rows 2n-1 ... 2n+2.
            for n in 0..<h {
                let d = dst + n * w, r0 = tmp + 2 * n * w, r1 = r0 + w
                for i in 0..<w { d[i] = 0.75 * (r0[i] + r1[i]) }
                if n > 0 { let up = r0 - w; for i in 0..<w { d[i] += 0.25 * up[i] } }
                if n + 1 < h { let dn = r1 + w; for i in 0..<w { d[i] += 0.25 * dn[i] } }
            }
        }
    }
}

package extension BiasAct {
    /// Derivative of `apply` w.r.t. its pre-activation v = y_in * d + noise * strength + b, as a
    /// function of the output y it wrote, in place on the upstream gradient `g` (same layout):
    /// g *= gain * (y > 0 ? 1 : 0.2) with lrelu (y has the sign of v), and g = 0 where the output
    /// was clamped (|y| >= clamp). Storing the output is enough; the pre-activation is not needed.
    static func backward(_ g: UnsafeMutablePointer<Float>, output y: UnsafePointer<Float>, channels c: Int, plane: Int,
                         lrelu: Bool, gain: Float = Float(2).squareRoot(), clamp: Float?) {
        let lim = clamp ?? .infinity
        let gain: Float = lrelu ? gain : 1
        parallelFor(c, minWorkPerItem: 2 * plane) { ci in
            let gp = g + ci * plane, yp = y + ci * plane
            for i in 0..<plane {
                let v = yp[i]
                let slope: Float = lrelu && !(v > 0) ? 0.2 * gain : gain
                gp[i] = abs(v) < lim ? gp[i] * slope : 0
            }
        }
    }

    /// The pre-activation v that `apply` mapped to the output y, where y was not clamped
    /// (the inverse of the activation; exact up to rounding).
    @inline(__always)
    static func preActivation(output y: Float, lrelu: Bool, gain: Float = Float(2).squareRoot()) -> Float {
        guard lrelu else { return y }
        return y > 0 ? y / gain : y / (0.2 * gain)
    }
}
