import XCTest
@testable import SC2Engine
import Tensor

/// The Swift classifier against PyTorch's logits on the shipped FaceWorld classifier
/// (fixture made by tools/fixtures/make_classifier_fixture.py).
final class AttributeClassifierTests: XCTestCase {
    static let fixture = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        .appendingPathComponent("classifier/faces16.safetensors")
    static var assets: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("assets/faceworld/classifier.safetensors")
    }

    func testLogitsMatchPyTorch() throws {
        let c = try AttributeClassifier(contentsOf: Self.assets)
        let f = try SafeTensors.read(Self.fixture)
        var x = f.tensors["images"]!
        for i in 0..<x.count { x.data[i] = x.data[i] / 127.5 - 1 }
        let got = c.logits(x)
        XCTAssertEqual(got.shape, f.tensors["logits"]!.shape)
        XCTAssertLessThan(got.maxAbsDifference(f.tensors["logits"]!), 2e-3)
        XCTAssertEqual(c.attributes, FaceAttribute.allCases.map(\.rawValue))
    }

    /// Probabilities on renders agree with the renderer's ground-truth labels.
    func testProbabilitiesAgreeWithGroundTruth() throws {
        let c = try AttributeClassifier(contentsOf: Self.assets)
        let f = try SafeTensors.read(Self.fixture)
        var x = f.tensors["images"]!
        for i in 0..<x.count { x.data[i] = x.data[i] / 127.5 - 1 }
        let p = c.probabilities(x), labels = f.tensors["labels"]!
        var agree = 0
        for i in 0..<p.count { for a in 0..<6 where (p[i][a] > 0.5) == (labels.data[i * 6 + a] > 0.5) { agree += 1 } }
        XCTAssertGreaterThanOrEqual(Double(agree) / Double(p.count * 6), 0.97)
    }

    func testCorruptClassifierIsAClearError() throws {
        let bad = CLITempFile.write(Data("{not a classifier".utf8))
        XCTAssertThrowsError(try AttributeClassifier(contentsOf: bad)) { e in
            XCTAssertTrue("\(e)".contains(bad.path), "\(e)")
        }
    }

    /// A classifier whose weights hold a NaN, or whose metadata names an output twice, is refused
    /// at load (it would score every sample NaN, or merge two attributes' bars).
    func testNaNWeightsAndRepeatedNamesAreRefused() throws {
        let f = try SafeTensors.read(Self.assets)
        var tensors = f.tensors
        tensors["conv1.bias"]!.data[3] = .nan
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cls-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors.write(tensors, metadata: f.metadata, to: url)
        XCTAssertThrowsError(try AttributeClassifier(contentsOf: url)) { XCTAssertTrue("\($0)".contains("'conv1.bias' has NaN"), "\($0)") }
        var meta = f.metadata
        meta["attributes"] = "age,age,lipstick,long_hair,smile,beard"
        try SafeTensors.write(f.tensors, metadata: meta, to: url)
        XCTAssertThrowsError(try AttributeClassifier(contentsOf: url)) { XCTAssertTrue("\($0)".contains("each output once"), "\($0)") }
        try SafeTensors.write(f.tensors, metadata: f.metadata, to: url)
        XCTAssertNoThrow(try AttributeClassifier(contentsOf: url))
    }
}

enum CLITempFile {
    static func write(_ d: Data) -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("sc2gan-\(UUID().uuidString).safetensors")
        try? d.write(to: u)
        return u
    }
}
