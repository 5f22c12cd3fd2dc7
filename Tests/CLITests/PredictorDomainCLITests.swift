import Foundation
import XCTest

/// FaceWorld's classifier scores FaceWorld's cartoon faces only. On any other model (here the
/// 32 px parity fixture, random weights in the NVIDIA layout) every command that would score
/// images with it refuses in one line, exit status 1, before sampling and without writing.
final class PredictorDomainCLITests: XCTestCase {
    func testFaceWorldClassifierIsRefusedOnOtherModels() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = CLI.fixtures.appendingPathComponent("parity/nv32.safetensors").path
        let classifier = CLI.packageRoot.appendingPathComponent("assets/faceworld/classifier.safetensors").path
        let out = dir.appendingPathComponent("out")
        let commands: [[String]] = [
            ["directions", "fit", "--model", model, "--attribute", "age", "--samples", "100", "--out", out.appendingPathExtension("json").path],
            ["correct", "--model", model, "--attribute", "age", "--samples", "100", "--out", out.path],
            ["evaluate", "--model", model, "--count", "10", "--out", out.path],
            ["faceworld", "report", "--model", model, "--samples", "10"],
            ["explore", "--model", model, "--classifier", classifier],
            ["directions", "fit", "--model", model, "--classifier", classifier, "--attribute", "age", "--samples", "100",
             "--out", out.appendingPathExtension("json").path],
        ]
        for args in commands {
            let r = try CLI.run(args, environment: ["SC2GAN_CACHE": dir.appendingPathComponent("cache").path])
            XCTAssertEqual(r.status, 1, "\(args): \(r.stderr)")
            let lines = r.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("scores FaceWorld's cartoon faces only") && r.stderr.contains("is not a FaceWorld model"),
                          "\(args): \(r.stderr)")
            // The engine's error, said with the flags that choose a predictor.
            XCTAssertTrue(r.stderr.contains("--predictor PATH, --scorer COMMAND"), "\(args): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("sampling") || r.stdout.contains("samples:"), "\(args) sampled before refusing")
        }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        XCTAssertTrue(left.allSatisfy { $0 == "cache" }, "written: \(left)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("cache").path + "/x"))
    }
}
