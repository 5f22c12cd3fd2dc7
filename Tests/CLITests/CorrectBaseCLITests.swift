import Foundation
import SC2Engine
import XCTest

/// `correct --base`: the direction to correct comes from the named base method, or from a file,
/// and the re-fit uses that method (or --learner); the provenance says which.
final class CorrectBaseCLITests: XCTestCase {
    let quick = ["--samples", "1000", "--rare", "20", "--max-rare", "20", "--refine-steps", "0", "--row-window", "1"]

    func testBaseMethodAndImportedBase() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["SC2GAN_CACHE": dir.appendingPathComponent("cache").path]
        let out = dir.appendingPathComponent("cm")
        var r = try CLI.run(["correct", "--attribute", "age", "--base", "class-mean", "--out", out.path] + quick, environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        let base = try Direction.load(out.appendingPathComponent("age.interfacegan.json"))
        let corrected = try Direction.load(out.appendingPathComponent("age.sc2.json"))
        XCTAssertEqual(base.method, "class-mean")
        XCTAssertEqual(corrected.provenance["base_method"], "class-mean")
        XCTAssertEqual(corrected.provenance["learner"], "class-mean")

        // An InterFaceGAN boundary as the base, re-fitted by logistic regression.
        let boundary = dir.appendingPathComponent("age_boundary.npy")
        try base.saveBoundary(to: boundary)
        let out2 = dir.appendingPathComponent("imported")
        r = try CLI.run(["correct", "--attribute", "age", "--base", boundary.path, "--learner", "logistic", "--out", out2.path] + quick,
                        environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        let imported = try Direction.load(out2.appendingPathComponent("age.sc2.json"))
        XCTAssertEqual(imported.provenance["base_method"], "imported")
        XCTAssertEqual(imported.provenance["learner"], "logistic")
        let start = try Direction.load(out2.appendingPathComponent("age.interfacegan.json"))
        XCTAssertEqual(start.provenance["imported_from"], boundary.path)
        for (a, b) in zip(start.vector, base.vector) { XCTAssertEqual(a, b, accuracy: 1e-6) }

        for (args, mention) in [
            (["--base", "sefa"], "SeFa is unsupervised"),
            (["--base", "nonsense"], "neither a method"),
            (["--base", "class-mean", "--learner", "logistic"], "--learner is for --base FILE"),
        ] {
            let r = try CLI.run(["correct", "--attribute", "age", "--out", dir.appendingPathComponent("x").path] + args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertTrue(r.stderr.contains(mention), "\(args): \(r.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("x").path))
    }
}
