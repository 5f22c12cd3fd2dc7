import Foundation
import SC2Engine
import XCTest

/// `evaluate --methods`: a library made by `directions fit` alone (no SC² files) can be
/// evaluated; the table holds exactly the methods asked for, and a missing one is named.
final class EvaluateCLITests: XCTestCase {
    func testMethodsSubsetOnAFitOnlyLibrary() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lib = dir.appendingPathComponent("lib"), out = dir.appendingPathComponent("eval")
        try FileManager.default.createDirectory(at: lib, withIntermediateDirectories: true)
        let shipped = CLI.packageRoot.appendingPathComponent("assets/faceworld/directions/lipstick.interfacegan.json")
        try FileManager.default.copyItem(at: shipped, to: lib.appendingPathComponent("lipstick.interfacegan.json"))
        let common = ["evaluate", "--directions", lib.path, "--pairs", "lipstick:long_hair", "--count", "10", "--out", out.path]

        // All three methods by default: the missing conditional file is named, nothing written.
        let missing = try CLI.run(common)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("lipstick.conditional.json: missing"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("table.txt").path))

        let r = try CLI.run(common + ["--methods", "original"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let csv = try String(contentsOf: out.appendingPathComponent("summary.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(lines.map { $0[4] }, ["original"])
        // The row reaches the protocol's target change as the judge sees it: at least 0.5 on
        // average, and the bisection stops at the first step that does (one of 10 seeds
        // flipping adds at most 0.1).
        let rows = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("rows.json"))) as! [[String: Any]]
        XCTAssertEqual(rows.count, 1)
        let change = (rows[0]["targetChange"] as! [String: Any])["mean"] as! Double
        XCTAssertGreaterThanOrEqual(change, 0.5 - 1e-6)
        XCTAssertLessThanOrEqual(change, 0.6)
        XCTAssertEqual(rows[0]["targetReached"] as? Bool, true)
        // Held-out seeds come from the validation range unless --split test.
        XCTAssertTrue((rows[0]["seeds"] as! [Int]).allSatisfy { (1_000_000..<10_000_000).contains($0) })
        let table = try String(contentsOf: out.appendingPathComponent("table.txt"), encoding: .utf8)
        XCTAssertTrue(table.contains("split validation") && table.contains("judge.safetensors"), table)
        let agreement = try String(contentsOf: out.appendingPathComponent("agreement.txt"), encoding: .utf8)
        XCTAssertTrue(agreement.contains("lipstick") && agreement.contains("confident"), agreement)

        // A second run reuses the saved row: same table, no new evaluation.
        let again = try CLI.run(common + ["--methods", "original"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("table.txt"), encoding: .utf8), table)

        // --split test draws from the test range.
        let test = try CLI.run(common + ["--methods", "original", "--split", "test"])
        XCTAssertEqual(test.status, 0, test.stderr)
        let testRows = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("rows.json"))) as! [[String: Any]]
        XCTAssertTrue((testRows[0]["seeds"] as! [Int]).allSatisfy { (10_000_000..<11_000_000).contains($0) })
    }

    /// The judge is never the player unless asked: judging with the classifier the directions
    /// were fitted with is refused in one line before any sampling.
    func testSelfJudgingIsRefused() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let classifier = CLI.packageRoot.appendingPathComponent("assets/faceworld/classifier.safetensors").path
        let out = dir.appendingPathComponent("eval")
        let r = try CLI.run(["evaluate", "--judge", classifier, "--pairs", "age:eyeglasses", "--count", "10", "--out", out.path])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("is the predictor the directions are fitted with"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    func testBadMethodListsAreRefused() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (list, mention) in [("foo", "unknown method 'foo'"), ("original,interfacegan", "listed twice"), ("", "unknown method ''")] {
            let r = try CLI.run(["evaluate", "--methods", list, "--out", dir.path])
            XCTAssertNotEqual(r.status, 0, list)
            let first = r.stderr.split(separator: "\n").first.map(String.init) ?? ""
            XCTAssertTrue(first.hasPrefix("Error:") && first.contains("--methods") && first.contains(mention), "\(list): \(r.stderr)")
        }
    }

    /// `--bases`: every base is fitted with itself (its own folder of fits) and lands in one table
    /// as BASE/METHOD, each compared with its own base's conditional.
    func testSeveralBasesInOneTable() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("eval")
        let env = ["SC2GAN_CACHE": dir.appendingPathComponent("cache").path]
        let r = try CLI.run(["evaluate", "--bases", "svm,class-mean", "--pairs", "age:eyeglasses", "--methods", "original,conditional",
                             "--samples", "1000", "--count", "10", "--out", out.path], environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        let csv = try String(contentsOf: out.appendingPathComponent("summary.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(lines.map { $0[4] }, ["interfacegan/original", "interfacegan/conditional", "class-mean/original", "class-mean/conditional"])
        // The original of each base differs from its own conditional (column 11: difference).
        XCTAssertFalse(lines[0][11].isEmpty); XCTAssertFalse(lines[2][11].isEmpty)
        XCTAssertTrue(lines[1][11].isEmpty && lines[3][11].isEmpty)
        let svm = try Direction.load(out.appendingPathComponent("fits/restart-0/age.interfacegan.json"))
        let cm = try Direction.load(out.appendingPathComponent("fits/class-mean/restart-0/age.interfacegan.json"))
        XCTAssertEqual(svm.method, "interfacegan")
        XCTAssertEqual(cm.method, "class-mean")
        let table = try String(contentsOf: out.appendingPathComponent("table.txt"), encoding: .utf8)
        XCTAssertTrue(table.contains("bases interfacegan, class-mean") && table.contains("1 fit on"), table)

        for (list, mention) in [("svm,nonsense", "'nonsense' is not a base method"), ("class-mean,class-mean", "listed twice")] {
            let bad = try CLI.run(["evaluate", "--bases", list, "--out", dir.appendingPathComponent("x").path])
            XCTAssertNotEqual(bad.status, 0, list)
            XCTAssertTrue(bad.stderr.contains(mention), "\(list): \(bad.stderr)")
        }
    }

    /// --define reaches the judge: an attribute defined as another's opposite is judged as the
    /// judge's own opposite of it (young = not age: the target's change is the judge's age falling).
    func testDefinedAttributesAreJudgedToo() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("eval")
        let env = ["SC2GAN_CACHE": dir.appendingPathComponent("cache").path]
        let r = try CLI.run(["evaluate", "--define", "young=not:age", "--pairs", "young:eyeglasses", "--methods", "original",
                             "--samples", "1000", "--count", "10", "--out", out.path], environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("rows.json"))) as! [[String: Any]]
        XCTAssertEqual(rows.first?["target"] as? String, "young")
        XCTAssertGreaterThanOrEqual((rows[0]["targetChange"] as! [String: Any])["mean"] as! Double, 0.5 - 1e-6)
    }
}
