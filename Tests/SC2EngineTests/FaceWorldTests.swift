import Foundation
import SC2Engine
import XCTest

/// FaceWorld's presets and renderer: the labels follow the preset's numbers, the renderer is
/// deterministic and draws each attribute where it belongs.
final class FaceWorldTests: XCTestCase {
    func labels(_ preset: CorrelationPreset, count: Int, seed: UInt64) -> [[Bool]] {
        var rng = Xoshiro(seed: seed)
        return (0..<count).map { _ in preset.sampleLabels(&rng) }
    }

    func phi(_ x: [Bool], _ y: [Bool]) -> Double {
        Statistics.pearson(x.map { $0 ? 1 : 0 }, y.map { $0 ? 1 : 0 })
    }

    func testBiasedPresetHasItsMarginalsAndCorrelations() throws {
        let preset = try CorrelationPreset.named("biased", assets: checkoutAssets)
        let l = labels(preset, count: 20000, seed: 3)
        func column(_ a: FaceAttribute) -> [Bool] { l.map { $0[a.index] } }
        for a in FaceAttribute.allCases {
            let rate = Double(column(a).filter { $0 }.count) / Double(l.count)
            XCTAssertEqual(rate, preset.marginal(a), accuracy: 0.02, "\(a)")
        }
        XCTAssertEqual(phi(column(.age), column(.eyeglasses)), 0.70, accuracy: 0.03)
        XCTAssertEqual(phi(column(.longHair), column(.lipstick)), 0.75, accuracy: 0.03)
        // "Beards never with lipstick": not one face has both.
        XCTAssertEqual(l.filter { $0[FaceAttribute.lipstick.index] && $0[FaceAttribute.beard.index] }.count, 0)
        XCTAssertEqual(phi(column(.smile), column(.age)), 0, accuracy: 0.03)

        let independent = try CorrelationPreset.named("independent", assets: checkoutAssets)
        let li = labels(independent, count: 20000, seed: 4)
        XCTAssertEqual(phi(li.map { $0[FaceAttribute.age.index] }, li.map { $0[FaceAttribute.eyeglasses.index] }), 0, accuracy: 0.03)
    }

    func testRendererIsDeterministicAndEachAttributeChangesItsRegion() {
        let renderer = FaceRenderer(size: 64)
        var rng = Xoshiro(seed: 11)
        let off = [Bool](repeating: false, count: FaceAttribute.allCases.count)
        let base = FaceParams.random(attributes: off, using: &rng)
        XCTAssertEqual(renderer.render(base).pixels, renderer.render(base).pixels)
        let plain = renderer.render(base)
        /// Mean absolute change per row band (top, middle, bottom thirds) when `a` is switched on.
        func change(_ a: FaceAttribute) -> [Double] {
            var p = base
            p.attributes[a.index] = true
            let img = renderer.render(p)
            return (0..<3).map { band in
                var s = 0.0, n = 0
                for y in band * 21..<min(64, band * 21 + 21) { for x in 0..<64 { for ch in 0..<3 {
                    let i = (y * 64 + x) * 3 + ch
                    s += abs(Double(img.pixels[i]) - Double(plain.pixels[i])); n += 1
                } } }
                return s / Double(n)
            }
        }
        for a in FaceAttribute.allCases { XCTAssertGreaterThan(change(a).reduce(0, +), 1, "\(a) draws nothing") }
        // Lipstick, smile and beard are drawn below the eyes; eyeglasses not in the bottom third.
        for a in [FaceAttribute.lipstick, .smile, .beard] { let c = change(a); XCTAssertGreaterThan(c[2] + c[1], 5 * c[0], "\(a): \(c)") }
        let glasses = change(.eyeglasses)
        XCTAssertGreaterThan(glasses[1], 3 * glasses[2], "eyeglasses: \(glasses)")
    }
}
