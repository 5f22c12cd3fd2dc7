import Foundation
@testable import SC2Engine
import Tensor
import XCTest

/// The dense-sample cache: a second request with the same model, classifier, seeds and
/// truncation is served from disk with the same numbers; a change of any of them is a miss.
final class SampleCacheTests: XCTestCase {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    static let classifierURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("assets/faceworld/classifier.safetensors")

    func testHitsAndInvalidation() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sc2gan-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let g = try Generator(contentsOf: Self.fixtures.appendingPathComponent("checkpoints/generator_nvidia.safetensors"))
        let other = try Generator(contentsOf: Self.fixtures.appendingPathComponent("parity/nv16_clamp.safetensors"))
        let c = try AttributeClassifier(contentsOf: Self.classifierURL)
        let seeds: [UInt32] = Array(10..<30)

        let first = try SampleSet.cached(in: dir, generator: g, classifier: c, seeds: seeds, truncation: 0.7)
        XCTAssertFalse(first.fromCache)
        let second = try SampleSet.cached(in: dir, generator: g, classifier: c, seeds: seeds, truncation: 0.7)
        XCTAssertTrue(second.fromCache)
        XCTAssertEqual(second.set.w, first.set.w)
        XCTAssertEqual(second.set.scores, first.set.scores)
        XCTAssertEqual(second.set.attributes, c.attributes)
        // What the cache holds is what building afresh gives.
        let fresh = try SampleSet.build(generator: g, classifier: c, seeds: seeds, truncation: 0.7)
        XCTAssertEqual(fresh.w, second.set.w)
        XCTAssertEqual(fresh.scores, second.set.scores)

        XCTAssertFalse(try SampleSet.cached(in: dir, generator: g, classifier: c, seeds: Array(10..<31), truncation: 0.7).fromCache, "seeds")
        XCTAssertFalse(try SampleSet.cached(in: dir, generator: g, classifier: c, seeds: seeds.reversed(), truncation: 0.7).fromCache, "seed order")
        XCTAssertFalse(try SampleSet.cached(in: dir, generator: g, classifier: c, seeds: seeds, truncation: 1).fromCache, "truncation")
        XCTAssertFalse(try SampleSet.cached(in: dir, generator: other, classifier: c, seeds: seeds, truncation: 0.7).fromCache, "model")

        // Another classifier file (one weight changed): a miss, and different scores.
        var tensors = try SafeTensors.read(Self.classifierURL).tensors
        tensors["fc1.bias"]!.data[0] += 1
        let changed = dir.appendingPathComponent("classifier-b.safetensors")
        try SafeTensors.write(tensors, metadata: try SafeTensors.read(Self.classifierURL).metadata, to: changed)
        let c2 = try AttributeClassifier(contentsOf: changed)
        let third = try SampleSet.cached(in: dir, generator: g, classifier: c2, seeds: seeds, truncation: 0.7)
        XCTAssertFalse(third.fromCache, "classifier")
        XCTAssertNotEqual(third.set.scores, first.set.scores)
        // The earlier entries are still there and still hit.
        XCTAssertTrue(try SampleSet.cached(in: dir, generator: g, classifier: c, seeds: seeds, truncation: 0.7).fromCache)

        // A damaged cache file is rebuilt, not trusted.
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasPrefix("samples-") {
            try Data("garbage".utf8).write(to: dir.appendingPathComponent(file))
        }
        let rebuilt = try SampleSet.cached(in: dir, generator: g, classifier: c, seeds: seeds, truncation: 0.7)
        XCTAssertFalse(rebuilt.fromCache)
        XCTAssertEqual(rebuilt.set.w, first.set.w)
    }
}
