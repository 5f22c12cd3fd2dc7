import Foundation
import SC2Engine
import XCTest

/// Predictors state the images they can score, and are refused on models outside them.
final class PredictorDomainTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testFaceWorldClassifierOnlyScoresFaceWorldModels() throws {
        let fw = Self.root.appendingPathComponent("assets/faceworld")
        let shipped = try Generator(contentsOf: fw.appendingPathComponent("generator.safetensors"))
        let classifier = try AttributeClassifier(contentsOf: fw.appendingPathComponent("classifier.safetensors"))
        let other = try Generator(contentsOf: Self.root.appendingPathComponent("Tests/SC2EngineTests/Fixtures/parity/nv32.safetensors"))
        XCTAssertEqual(shipped.domain, PredictorDomain.faceWorld)
        XCTAssertEqual(classifier.domain, PredictorDomain.faceWorld)
        XCTAssertNil(other.domain)
        XCTAssertNoThrow(try PredictorDomain.check(classifier, for: shipped))
        XCTAssertThrowsError(try PredictorDomain.check(classifier, for: other)) { error in
            let message = (error as? SC2Error)?.description ?? ""
            XCTAssertEqual((error as? SC2Error)?.input, .predictor(classifier.path))
            XCTAssertTrue(message.contains(classifier.path) && message.contains("is not a FaceWorld model"), message)
            XCTAssertFalse(message.contains("--"), message)
            XCTAssertFalse(message.contains("\n"))
        }
        // A classifier that states no domain (the fuzzing seed's tiny one) scores any model.
        let anyModel = try AttributeClassifier(contentsOf: Self.root.appendingPathComponent("Tests/SC2EngineTests/Fixtures/fuzz-seeds/classifier/tiny8.safetensors"))
        XCTAssertNil(anyModel.domain)
        XCTAssertNoThrow(try PredictorDomain.check(anyModel, for: other))
    }
}
