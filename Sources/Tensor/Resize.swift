import Resampling

/// Image resizing of batches [N, C, H, W] -> [N, C, OH, OW], with torch.nn.functional.interpolate's
/// arithmetic (no antialiasing), so a predictor sees what it saw in PyTorch.
package enum Resize {
    /// mode="bilinear". With `alignCorners` the corner pixels' centres map onto each other
    /// (source = dst * (in-1)/(out-1)); without, pixel areas do (source = (dst+0.5) * in/out - 0.5,
    /// clamped at 0).
    package static func bilinear(_ x: Tensor, height oh: Int, width ow: Int, alignCorners: Bool) -> Tensor {
        let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3]
        precondition(oh > 0 && ow > 0 && h > 0 && w > 0, "bilinear: empty image")
        if oh == h && ow == w { return x }
        let ys = taps(h, oh, alignCorners), xs = taps(w, ow, alignCorners)
        var y = Tensor(uninitialized: [n, c, oh, ow])
        x.data.withUnsafeBufferPointer { xp in
        y.data.withUnsafeMutableBufferPointer { yp in
            parallelFor(n * c, minWorkPerItem: 8 * oh * ow) { q in
                let src = xp.baseAddress! + q * h * w, dst = yp.baseAddress! + q * oh * ow
                for oy in 0..<oh {
                    let (y0, y1, ly) = ys[oy]
                    let r0 = src + y0 * w, r1 = src + y1 * w
                    for ox in 0..<ow {
                        let (x0, x1, lx) = xs[ox]
                        dst[oy * ow + ox] = (1 - ly) * ((1 - lx) * r0[x0] + lx * r0[x1]) + ly * ((1 - lx) * r1[x0] + lx * r1[x1])
                    }
                }
            }
        } }
        return y
    }

    /// For each output index: the two source indices and the weight of the second.
    private static func taps(_ input: Int, _ output: Int, _ alignCorners: Bool) -> [(Int, Int, Float)] {
        let scale: Float = alignCorners ? (output > 1 ? Float(input - 1) / Float(output - 1) : 0) : Float(input) / Float(output)
        return (0..<output).map { o in
            var s = alignCorners ? scale * Float(o) : scale * (Float(o) + 0.5) - 0.5
            if s < 0 { s = 0 }
            let i0 = min(Int(s), input - 1)
            let i1 = i0 + (i0 < input - 1 ? 1 : 0)
            return (i0, i1, s - Float(i0))
        }
    }

    /// mode="area": adaptive average pooling, output pixel o averaging source pixels
    /// [floor(o*in/out), ceil((o+1)*in/out)) along each axis (`AreaAverage`, one plane at a time).
    package static func area(_ x: Tensor, height oh: Int, width ow: Int) -> Tensor {
        let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3]
        precondition(oh > 0 && ow > 0 && h > 0 && w > 0, "area: empty image")
        if oh == h && ow == w { return x }
        var y = Tensor(uninitialized: [n, c, oh, ow])
        x.data.withUnsafeBufferPointer { xp in
        y.data.withUnsafeMutableBufferPointer { yp in
            parallelFor(n * c, minWorkPerItem: 8 * h * w) { q in
                AreaAverage.resizePlane(xp.baseAddress! + q * h * w, height: h, width: w,
                                        into: yp.baseAddress! + q * oh * ow, height: oh, width: ow)
            }
        } }
        return y
    }
}
