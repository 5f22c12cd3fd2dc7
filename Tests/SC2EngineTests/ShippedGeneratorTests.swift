import XCTest
@testable import SC2Engine
import Tensor

/// The shipped FaceWorld generator against the world it was trained on, as the preset designs it
/// (assets/faceworld/presets/biased.json), on held-out seeds the model card did not use: faces the
/// classifier labels confidently, marginal frequencies near the preset's, and the designed
/// correlations present (smile, the control, uncorrelated).
final class ShippedGeneratorTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testDefaultGeneratorReproducesTheBiasedWorld() throws {
        let fw = Self.root.appendingPathComponent("assets/faceworld")
        let g = try Generator(contentsOf: fw.appendingPathComponent("generator.safetensors"))
        let c = try AttributeClassifier(contentsOf: fw.appendingPathComponent("classifier.safetensors"))
        let preset = try JSONSerialization.jsonObject(with: Data(contentsOf: fw.appendingPathComponent("presets/biased.json"))) as! [String: Any]
        let marginals = preset["marginals"] as! [String: Double]

        let n = 400
        let set = try SampleSet.build(generator: g, classifier: c, seeds: (4_000_000..<UInt32(4_000_000 + n)).map { $0 })
        let na = set.attributes.count
        let confident = (0..<n).filter { i in (0..<na).allSatisfy { let p = set.scores.data[i * na + $0]; return p > 0.9 || p < 0.1 } }.count
        // Bar: 80% on 2,000 samples; 400 samples allow about 2 points of noise each way.
        XCTAssertGreaterThanOrEqual(Double(confident) / Double(n), 0.76)
        for (name, target) in marginals {
            let p = try set.scores(of: name)
            let freq = Double(p.filter { $0 > 0.5 }.count) / Double(n)
            // Bar: within 5 points on 2,000 samples; the binomial spread on 400 is up to 2.5 points.
            XCTAssertEqual(freq, target, accuracy: 0.08, name)
        }
        let phi = set.labelCorrelation()
        func idx(_ s: String) -> Int { set.attributes.firstIndex(of: s)! }
        XCTAssertGreaterThan(phi[idx("age")][idx("eyeglasses")], 0.5)
        XCTAssertGreaterThan(phi[idx("lipstick")][idx("long_hair")], 0.5)
        XCTAssertLessThan(phi[idx("lipstick")][idx("beard")], -0.1)
        for other in set.attributes where other != "smile" {
            XCTAssertLessThan(abs(phi[idx("smile")][idx(other)]), 0.15, "smile-\(other)")
        }
    }
}
