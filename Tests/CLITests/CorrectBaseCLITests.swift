import Foundation
import SC2Engine
import XCTest

/// `correct --base`: the direction to correct comes from the named base method, or from a file,
/// and the re-fit uses that method (or --learner); the provenance says which.
final class CorrectBaseCLITests: XCTestCase {
    let quick = ["--samples", "1000", "--rare", "20", "--max-rare", "20", "--refine-steps", "0", "--row-window", "1"]

    /// `--pin-correlated`: the same correction with each rare sample pinned to its source along
    /// the correlated attributes says so in the provenance and re-fits to another direction
    /// (same seed, same rare samples: only the pinning differs).
    func testPinCorrelatedChangesTheRefitAndSaysSo() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["SC2GAN_CACHE": dir.appendingPathComponent("cache").path]
        let plain = dir.appendingPathComponent("plain"), pinned = dir.appendingPathComponent("pinned")
        var r = try CLI.run(["correct", "--attribute", "age", "--rows", "2-4", "--out", plain.path] + quick, environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try CLI.run(["correct", "--attribute", "age", "--rows", "2-4", "--pin-correlated", "--out", pinned.path] + quick, environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        let a = try Direction.load(plain.appendingPathComponent("age.sc2.json"))
        let b = try Direction.load(pinned.appendingPathComponent("age.sc2.json"))
        XCTAssertNil(a.provenance["pinned_along"])
        XCTAssertTrue(try XCTUnwrap(b.provenance["pinned_along"]).contains("eyeglasses"), "\(b.provenance)")
        XCTAssertEqual(a.provenance["rare_samples"], b.provenance["rare_samples"], "the same rare samples enter both re-fits")
        let cosine = zip(a.vector, b.vector).map { Double($0) * Double($1) }.reduce(0, +)
        XCTAssertLessThan(cosine, 0.9999, "pinning did not change the re-fit")
    }

    /// `--base sefa --layers 2-5`: SeFa as its authors run it (those rows' style weights
    /// factorised, the edit on those rows), the component that tracks age on the dense samples
    /// (the same one `directions fit --method sefa --layers 2-5` writes); its conditional
    /// projects InterFaceGAN's eyeglasses boundary off it; SC² re-fits with SeFa itself.
    func testSeFaOnItsRowsAsTheBase() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["SC2GAN_CACHE": dir.appendingPathComponent("cache").path]
        let out = dir.appendingPathComponent("sefa")
        var r = try CLI.run(["correct", "--attribute", "age", "--base", "sefa", "--layers", "2-5", "--out", out.path] + quick, environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        let base = try Direction.load(out.appendingPathComponent("age.sefa.json"))
        let conditional = try Direction.load(out.appendingPathComponent("age.sefa-conditional.json"))
        let corrected = try Direction.load(out.appendingPathComponent("age.sefa-sc2.json"))
        XCTAssertEqual(base.method, "sefa")
        for d in [base, conditional, corrected] { XCTAssertEqual(d.layers, [2, 3, 4, 5]) }
        XCTAssertEqual(corrected.provenance["learner"], "sefa")
        let fitted = dir.appendingPathComponent("fit.json")
        r = try CLI.run(["directions", "fit", "--method", "sefa", "--attribute", "age", "--layers", "2-5", "--samples", "1000", "--out", fitted.path],
                        environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        let reference = try Direction.load(fitted)
        let cosine = zip(base.vector, reference.vector).map { Double($0) * Double($1) }.reduce(0, +)
        XCTAssertEqual(cosine, 1, accuracy: 1e-5, "the base is not the SeFa component `directions fit` picks")
        // Its conditional is orthogonal to InterFaceGAN's eyeglasses boundary, fitted here.
        let glassesFile = dir.appendingPathComponent("eyeglasses.json")
        r = try CLI.run(["directions", "fit", "--attribute", "eyeglasses", "--samples", "1000", "--out", glassesFile.path], environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        let glasses = try Direction.load(glassesFile)
        XCTAssertEqual(zip(conditional.vector, glasses.vector).map { Double($0) * Double($1) }.reduce(0, +), 0, accuracy: 1e-4)
    }

    func testBaseMethodAndImportedBase() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["SC2GAN_CACHE": dir.appendingPathComponent("cache").path]
        let out = dir.appendingPathComponent("cm")
        var r = try CLI.run(["correct", "--attribute", "age", "--base", "class-mean", "--out", out.path] + quick, environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        // Another base's files sit beside InterFaceGAN's under its own name.
        let base = try Direction.load(out.appendingPathComponent("age.class-mean.json"))
        let corrected = try Direction.load(out.appendingPathComponent("age.class-mean-sc2.json"))
        let conditional = try Direction.load(out.appendingPathComponent("age.class-mean-conditional.json"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("age.interfacegan.json").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("age.class-mean-report.json").path))
        XCTAssertEqual(DirectionLibrary(directory: out).bases(attribute: "age"), ["class-mean"])
        XCTAssertEqual(base.method, "class-mean")
        // Its conditional projects out the correlated attributes' class-mean directions: the
        // result is orthogonal to eyeglasses' class-mean direction (fitted here independently).
        let conditions = try XCTUnwrap(conditional.provenance["conditions"]).split(separator: ",").map(String.init)
        XCTAssertTrue(conditions.contains("eyeglasses"), "\(conditions)")
        let glassesFile = dir.appendingPathComponent("eyeglasses.json")
        r = try CLI.run(["directions", "fit", "--attribute", "eyeglasses", "--method", "class-mean", "--samples", "1000", "--out", glassesFile.path], environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        let glasses = try Direction.load(glassesFile)
        let dot = zip(conditional.vector, glasses.vector).map { Double($0) * Double($1) }.reduce(0, +)
        XCTAssertEqual(dot, 0, accuracy: 1e-4)
        XCTAssertEqual(corrected.provenance["base_method"], "class-mean")
        XCTAssertEqual(corrected.provenance["learner"], "class-mean")

        // An InterFaceGAN boundary as the base, re-fitted by logistic regression.
        let boundary = dir.appendingPathComponent("age_boundary.npy")
        try base.saveBoundary(to: boundary)
        let out2 = dir.appendingPathComponent("imported")
        r = try CLI.run(["correct", "--attribute", "age", "--base", boundary.path, "--learner", "logistic", "--out", out2.path] + quick,
                        environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        let imported = try Direction.load(out2.appendingPathComponent("age.imported-sc2.json"))
        XCTAssertEqual(imported.provenance["base_method"], "imported")
        XCTAssertEqual(imported.provenance["learner"], "logistic")
        let start = try Direction.load(out2.appendingPathComponent("age.imported.json"))
        XCTAssertEqual(start.provenance["imported_from"], boundary.path)
        for (a, b) in zip(start.vector, base.vector) { XCTAssertEqual(a, b, accuracy: 1e-6) }

        for (args, mention) in [
            (["--base", boundary.path, "--learner", "sefa"], "SeFa's components come from the weights"),
            (["--base", "nonsense"], "neither a method"),
            (["--base", "class-mean", "--learner", "logistic"], "--learner is for --base FILE"),
        ] {
            let r = try CLI.run(["correct", "--attribute", "age", "--out", dir.appendingPathComponent("x").path] + args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertTrue(r.stderr.contains(mention), "\(args): \(r.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("x").path))
    }

    /// A base from a file of another tool (FILE#KEY) and a base on a row range: the corrected
    /// direction edits the base's rows (issue 28).
    func testABaseFromAKeyedFileAndABaseOnARowRange() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["SC2GAN_CACHE": dir.appendingPathComponent("cache").path]
        let keyed = CLI.fixtures.appendingPathComponent("formats/fw_boundary.pt").path + "#age"
        var r = try CLI.run(["correct", "--attribute", "age", "--base", keyed, "--out", dir.appendingPathComponent("keyed").path] + quick, environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        let base = try Direction.load(dir.appendingPathComponent("keyed/age.imported.json"))
        XCTAssertEqual(base.provenance["imported_from"], keyed)
        XCTAssertEqual(base.vector, try Direction.load(reference: keyed).vector)
        XCTAssertNil(try Direction.load(dir.appendingPathComponent("keyed/age.imported-sc2.json")).layers)

        var ranged = base
        ranged.layers = [0, 1, 2, 3]
        let file = dir.appendingPathComponent("ranged.json")
        try ranged.save(to: file)
        r = try CLI.run(["correct", "--attribute", "age", "--base", file.path, "--out", dir.appendingPathComponent("ranged").path] + quick, environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try Direction.load(dir.appendingPathComponent("ranged/age.imported-sc2.json")).layers, [0, 1, 2, 3])
        XCTAssertEqual(try Direction.load(dir.appendingPathComponent("ranged/age.imported.json")).layers, [0, 1, 2, 3])
    }

    /// `correct --layers 2-5`: the base, its conditional and the corrected direction all edit rows
    /// 2-5 only, the base's vector the same as without the flag; a row the model lacks is refused.
    func testLayersGiveEveryMethodTheRowRange() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["SC2GAN_CACHE": dir.appendingPathComponent("cache").path]
        var r = try CLI.run(["correct", "--attribute", "age", "--layers", "2-5", "--out", dir.appendingPathComponent("rows").path] + quick, environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try CLI.run(["correct", "--attribute", "age", "--out", dir.appendingPathComponent("all").path] + quick, environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        for name in ["age.interfacegan.json", "age.conditional.json", "age.sc2.json"] {
            XCTAssertEqual(try Direction.load(dir.appendingPathComponent("rows/\(name)")).layers, [2, 3, 4, 5], name)
            XCTAssertNil(try Direction.load(dir.appendingPathComponent("all/\(name)")).layers, name)
        }
        XCTAssertEqual(try Direction.load(dir.appendingPathComponent("rows/age.interfacegan.json")).vector,
                       try Direction.load(dir.appendingPathComponent("all/age.interfacegan.json")).vector)
        r = try CLI.run(["correct", "--attribute", "age", "--layers", "3-40", "--out", dir.appendingPathComponent("bad").path] + quick, environment: env)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("--layers"), r.stderr)
    }
}
