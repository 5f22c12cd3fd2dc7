/// The area-average resize, written once: torch.nn.functional.adaptive_avg_pool2d, which is
/// F.interpolate(mode="area"). Output index i along an axis of `input` source and `output`
/// destination samples averages source indices [floor(i*input/output), ceil((i+1)*input/output))
/// with equal weights; a pixel is the plain mean of the window's rows x columns. When shrinking
/// by an integer factor the windows are disjoint blocks; growing by one they pick the nearest
/// sample; at other ratios neighbouring windows share their edge samples.
///
/// Every resize of a picture goes through here: the tensor batches of the predictors
/// (`Resize.area` in Tensor), 8-bit pictures (`RGBImage.resized`, the external scorer's input)
/// and the terminal's half-block canvas. Tested against torch's output in
/// Tests/TensorTests/Fixtures/area_resize.json (tools/fixtures/make_resize_fixtures.py).
package enum AreaAverage {
    /// The source indices averaged into output index `index`.
    @inlinable
    package static func window(_ index: Int, input: Int, output: Int) -> Range<Int> {
        (index * input / output) ..< (((index + 1) * input + output - 1) / output)
    }

    /// Resizes one plane of `height` x `width` values into `outputHeight` x `outputWidth`.
    /// Values of a row are `stride` elements apart and rows `width * stride` apart, in the source
    /// and the destination alike (1 for a planar channel, the channel count for one channel of
    /// interleaved pixels).
    package static func resizePlane(_ source: UnsafePointer<Float>, height: Int, width: Int,
                                   into destination: UnsafeMutablePointer<Float>,
                                   height outputHeight: Int, width outputWidth: Int, stride: Int = 1) {
        pool(source, height: height, width: width, into: destination, height: outputHeight, width: outputWidth,
             stride: stride) { $0 }
    }

    /// Resizes an interleaved 8-bit picture (`channels` values a pixel, rows top to bottom):
    /// each channel's mean, rounded to the nearest integer (halves away from zero). The sums of
    /// whole numbers are exact in Float, so the means are those `resizePlane` gives.
    package static func resize(_ pixels: [UInt8], width: Int, height: Int, channels: Int,
                              toWidth outputWidth: Int, toHeight outputHeight: Int) -> [UInt8] {
        precondition(pixels.count >= width * height * channels, "pixel buffer smaller than width * height * channels")
        var means = [Float](repeating: 0, count: outputWidth * outputHeight * channels)
        pixels.withUnsafeBufferPointer { src in
            means.withUnsafeMutableBufferPointer { dst in
                for c in 0..<channels {
                    pool(src.baseAddress! + c, height: height, width: width,
                         into: dst.baseAddress! + c, height: outputHeight, width: outputWidth, stride: channels) { Float($0) }
                }
            }
        }
        return means.map { UInt8(min(max($0.rounded(), 0), 255)) }
    }

    /// The one loop: each source row summed over every output column's window, then those sums
    /// over every output row's window, divided by the window's size (the plain mean; summing by
    /// rows first reads each source value about once per overlapping window instead of once per
    /// output pixel).
    @inline(__always)
    static func pool<T>(_ source: UnsafePointer<T>, height: Int, width: Int,
                        into destination: UnsafeMutablePointer<Float>, height outputHeight: Int, width outputWidth: Int,
                        stride: Int, _ value: (T) -> Float) {
        precondition(height > 0 && width > 0 && outputHeight > 0 && outputWidth > 0 && stride > 0,
                     "area average: empty image")
        let columns = (0..<outputWidth).map { window($0, input: width, output: outputWidth) }
        var rowSums = [Float](repeating: 0, count: height * outputWidth)
        rowSums.withUnsafeMutableBufferPointer { sums in
            for y in 0..<height {
                let row = source + y * width * stride
                for ox in 0..<outputWidth {
                    var s: Float = 0
                    for x in columns[ox] { s += value(row[x * stride]) }
                    sums[y * outputWidth + ox] = s
                }
            }
            for oy in 0..<outputHeight {
                let rows = window(oy, input: height, output: outputHeight)
                for ox in 0..<outputWidth {
                    var s: Float = 0
                    for y in rows { s += sums[y * outputWidth + ox] }
                    destination[(oy * outputWidth + ox) * stride] = s / Float(rows.count * columns[ox].count)
                }
            }
        }
    }
}
