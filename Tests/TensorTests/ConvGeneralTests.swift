import XCTest
@testable import Tensor

/// The ResNet kernels (general convolution, max pooling, global average pooling, resizing)
/// against plain loops written from torch's definitions.
final class ConvGeneralTests: XCTestCase {
    /// torch.nn.functional.conv2d (correlation, zero padding), + bias + residual, then ReLU.
    func reference(_ x: Tensor, _ w: [Float], _ b: [Float], o: Int, k: Int, s: Int, p: Int, residual: Tensor?, relu: Bool) -> Tensor {
        let n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3]
        let oh = (h + 2 * p - k) / s + 1, ow = (wd + 2 * p - k) / s + 1
        var y = Tensor(zeros: [n, o, oh, ow])
        for i in 0..<n { for oc in 0..<o { for yy in 0..<oh { for xx in 0..<ow {
            var acc = b[oc]
            for ic in 0..<c { for ky in 0..<k { for kx in 0..<k {
                let iy = yy * s - p + ky, ix = xx * s - p + kx
                guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                acc += w[((oc * c + ic) * k + ky) * k + kx] * x.data[((i * c + ic) * h + iy) * wd + ix]
            } } }
            let idx = ((i * o + oc) * oh + yy) * ow + xx
            if let residual { acc += residual.data[idx] }
            y.data[idx] = relu ? max(0, acc) : acc
        } } } }
        return y
    }

    func testConv2dMatchesLoopsForEveryKernelStrideAndPadding() {
        var seed: UInt64 = 1
        for (k, s, p) in [(7, 2, 3), (3, 1, 1), (3, 2, 1), (1, 1, 0), (1, 2, 0), (5, 3, 2), (3, 2, 0)] {
            for (h, w) in [(9, 9), (8, 11), (1, 1), (2, 5)] where h + 2 * p >= k && w + 2 * p >= k {
                let n = 2, c = 3, o = 4
                seed += 10
                let x = Tensor(shape: [n, c, h, w], data: randomArray(n * c * h * w, seed: seed))
                let wt = randomArray(o * c * k * k, seed: seed + 1), b = randomArray(o, seed: seed + 2)
                let oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1
                let res = Tensor(shape: [n, o, oh, ow], data: randomArray(n * o * oh * ow, seed: seed + 3))
                for (residual, relu) in [(nil, false), (nil, true), (res, true), (res, false)] as [(Tensor?, Bool)] {
                    let got = Conv.conv2d(x, weight: wt, bias: b, outChannels: o, kernel: k, stride: s, padding: p, residual: residual, relu: relu)
                    let want = reference(x, wt, b, o: o, k: k, s: s, p: p, residual: residual, relu: relu)
                    XCTAssertEqual(got.shape, want.shape)
                    XCTAssertLessThan(got.maxAbsDifference(want), 1e-5, "k \(k) s \(s) p \(p) \(h)x\(w) relu \(relu) residual \(residual != nil)")
                }
            }
        }
    }

    /// An image whose columns exceed Conv.columnBudget is convolved in row tiles: same result.
    func testConv2dTilesLargeImages() {
        let c = 64, h = 130, w = 128, o = 2, k = 3
        XCTAssertGreaterThan(c * k * k * h * w, Conv.columnBudget)
        let x = Tensor(shape: [1, c, h, w], data: randomArray(c * h * w, seed: 7))
        let wt = randomArray(o * c * k * k, seed: 8), b = randomArray(o, seed: 9)
        let got = Conv.conv2d(x, weight: wt, bias: b, outChannels: o, kernel: k, stride: 1, padding: 1, relu: false)
        XCTAssertLessThan(got.maxAbsDifference(reference(x, wt, b, o: o, k: k, s: 1, p: 1, residual: nil, relu: false)), 1e-4)
    }

    func testMaxPoolAndGlobalAveragePool() {
        let x = Tensor(shape: [2, 3, 7, 6], data: randomArray(2 * 3 * 7 * 6, seed: 11))
        let y = Conv.maxPool(x, kernel: 3, stride: 2, padding: 1)
        XCTAssertEqual(y.shape, [2, 3, 4, 3])
        for q in 0..<6 { for oy in 0..<4 { for ox in 0..<3 {
            var m = -Float.infinity
            for dy in -1...1 { for dx in -1...1 {
                let iy = 2 * oy + dy, ix = 2 * ox + dx
                if iy >= 0, iy < 7, ix >= 0, ix < 6 { m = max(m, x.data[q * 42 + iy * 6 + ix]) }
            } }
            XCTAssertEqual(y.data[q * 12 + oy * 3 + ox], m)
        } } }
        let g = Conv.globalAveragePool(x)
        XCTAssertEqual(g.shape, [2, 3])
        for q in 0..<6 { XCTAssertEqual(g.data[q], x.data[q * 42 ..< (q + 1) * 42].reduce(0, +) / 42, accuracy: 1e-6) }
    }

    /// Bilinear resizing as torch's upsample_bilinear2d computes it, written out per pixel.
    func bilinear(_ x: [Float], h: Int, w: Int, oh: Int, ow: Int, alignCorners: Bool) -> [Float] {
        func source(_ d: Int, _ input: Int, _ output: Int) -> (Int, Int, Float) {
            var s: Double
            if alignCorners { s = output > 1 ? Double(d) * Double(input - 1) / Double(output - 1) : 0 }
            else { s = max(0, (Double(d) + 0.5) * Double(input) / Double(output) - 0.5) }
            let i0 = min(Int(s.rounded(.down)), input - 1)
            return (i0, min(i0 + 1, input - 1), Float(s - Double(i0)))
        }
        var out: [Float] = []
        for oy in 0..<oh { for ox in 0..<ow {
            let (y0, y1, ly) = source(oy, h, oh), (x0, x1, lx) = source(ox, w, ow)
            let top = x[y0 * w + x0] * (1 - lx) + x[y0 * w + x1] * lx
            let bottom = x[y1 * w + x0] * (1 - lx) + x[y1 * w + x1] * lx
            out.append(top * (1 - ly) + bottom * ly)
        } }
        return out
    }

    func testResizeMatchesTorchFormulas() {
        for (h, w, oh, ow) in [(5, 7, 12, 9), (16, 16, 5, 5), (10, 6, 10, 3), (3, 3, 1, 1), (64, 64, 256, 256)] {
            let x = randomArray(h * w, seed: UInt64(h * 100 + w))
            let t = Tensor(shape: [1, 1, h, w], data: x)
            for align in [false, true] {
                let got = Resize.bilinear(t, height: oh, width: ow, alignCorners: align)
                let want = bilinear(x, h: h, w: w, oh: oh, ow: ow, alignCorners: align)
                XCTAssertEqual(got.shape, [1, 1, oh, ow])
                XCTAssertLessThan(zip(got.data, want).map { abs($0 - $1) }.max()!, 1e-5, "\(h)x\(w) -> \(oh)x\(ow) align \(align)")
            }
            // area = adaptive_avg_pool2d: [floor(o*in/out), ceil((o+1)*in/out)).
            let got = Resize.area(t, height: oh, width: ow)
            for oy in 0..<oh { for ox in 0..<ow {
                let y0 = Int((Double(oy * h) / Double(oh)).rounded(.down)), y1 = Int((Double((oy + 1) * h) / Double(oh)).rounded(.up))
                let x0 = Int((Double(ox * w) / Double(ow)).rounded(.down)), x1 = Int((Double((ox + 1) * w) / Double(ow)).rounded(.up))
                var s: Float = 0
                for yy in y0..<y1 { for xx in x0..<x1 { s += x[yy * w + xx] } }
                XCTAssertEqual(got.data[oy * ow + ox], s / Float((y1 - y0) * (x1 - x0)), accuracy: 1e-5)
            } }
        }
    }
}
