import Foundation
import SC2Engine
import XCTest

/// SeFa directions from `directions fit --method sefa` against a NumPy implementation of the
/// published formula (tools/fixtures/sefa_reference.py) on the shipped generator.
final class SeFaCLITests: XCTestCase {
    func testComponentsMatchTheNumPyReference() throws {
        let model = CLI.packageRoot.appendingPathComponent("assets/faceworld/generator.safetensors")
        let data = try CLI.python("fixtures/sefa_reference.py", [model.path, "--top", "5"])
        let reference = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let vectors = try XCTUnwrap(reference["vectors"] as? [[Double]])
        let values = try XCTUnwrap(reference["eigenvalues"] as? [Double])
        XCTAssertEqual((reference["layers"] as? [String])?.count, 9, "conv layers only, no ToRGB")
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for k in 0..<5 {
            let file = dir.appendingPathComponent("sefa\(k).json")
            let r = try CLI.run(["directions", "fit", "--method", "sefa", "--component", "\(k)", "--attribute", "age", "--out", file.path])
            XCTAssertEqual(r.status, 0, r.stderr)
            let d = try Direction.load(file)
            let cosine = zip(d.vector, vectors[k]).reduce(0.0) { $0 + Double($1.0) * $1.1 }
            XCTAssertGreaterThan(abs(cosine), 0.999, "component \(k)")
            XCTAssertEqual(Double(d.provenance["eigenvalue"] ?? "") ?? 0, values[k], accuracy: 1e-3 * values[k], "component \(k)")
        }
        let bad = try CLI.run(["directions", "fit", "--method", "interfacegan", "--component", "1", "--attribute", "age", "--out", dir.appendingPathComponent("x.json").path])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--component is for --method sefa"), bad.stderr)
    }
}
