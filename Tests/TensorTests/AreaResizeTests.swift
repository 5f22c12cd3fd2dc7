import Foundation
import XCTest
import Resampling
import Tensor

/// The one area-average resize against torch's adaptive_avg_pool2d (= F.interpolate mode="area"),
/// Fixtures/area_resize.json from tools/fixtures/make_resize_fixtures.py: non-integer ratios up and down,
/// mixed per axis, several channels and images.
final class AreaResizeTests: XCTestCase {
    struct Case: Decodable {
        let name: String
        let shape: [Int]
        let output: [Int]
        let input: [Float]
        let expected: [Double]
    }

    static let cases: [Case] = {
        let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("area_resize.json")
        struct File: Decodable { let cases: [Case] }
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }()

    func testFixturesCoverNonIntegerRatiosBothWays() {
        let names = Set(Self.cases.map(\.name))
        XCTAssertTrue(names.isSuperset(of: ["7to3", "64to24", "10to4", "5to8", "5x9to8x4"]), "\(names)")
    }

    func testTensorAreaMatchesTorch() {
        for c in Self.cases {
            let x = Tensor(shape: c.shape, data: c.input)
            let y = Resize.area(x, height: c.output[0], width: c.output[1])
            XCTAssertEqual(y.shape, [c.shape[0], c.shape[1], c.output[0], c.output[1]], c.name)
            // 1e-6 on values in [-1, 1]; relative on the 0...255 cases (float32's spacing at 128 is 8e-6).
            let worst = zip(y.data, c.expected).map { abs(Double($0) - $1) / max(1, abs($1)) }.max()!
            XCTAssertLessThanOrEqual(worst, 1e-6, c.name)
        }
    }

    /// 8-bit pictures (interleaved): torch's mean of the whole-number inputs, rounded to nearest.
    func testBytesAreTorchMeansRounded() {
        for c in Self.cases where c.name.hasPrefix("bytes-") {
            let (ch, h, w) = (c.shape[1], c.shape[2], c.shape[3]), (oh, ow) = (c.output[0], c.output[1])
            var pixels = [UInt8](repeating: 0, count: h * w * ch)
            for k in 0..<ch { for p in 0..<(h * w) { pixels[p * ch + k] = UInt8(c.input[k * h * w + p]) } }
            let got = AreaAverage.resize(pixels, width: w, height: h, channels: ch, toWidth: ow, toHeight: oh)
            for k in 0..<ch { for p in 0..<(oh * ow) {
                let want = UInt8(c.expected[k * oh * ow + p].rounded(.toNearestOrAwayFromZero))
                XCTAssertEqual(got[p * ch + k], want, "\(c.name) channel \(k) pixel \(p)")
            } }
        }
    }

    /// torch's windows, spelled out for the ratios the issue names.
    func testWindows() {
        XCTAssertEqual((0..<3).map { AreaAverage.window($0, input: 7, output: 3) }, [0..<3, 2..<5, 4..<7])
        XCTAssertEqual((0..<4).map { AreaAverage.window($0, input: 10, output: 4) }, [0..<3, 2..<5, 5..<8, 7..<10])
        XCTAssertEqual((0..<8).map { AreaAverage.window($0, input: 5, output: 8) },
                       [0..<1, 0..<2, 1..<2, 1..<3, 2..<4, 3..<4, 3..<5, 4..<5])
    }
}
