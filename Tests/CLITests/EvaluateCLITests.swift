import Foundation
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
        let csv = try String(contentsOf: out.appendingPathComponent("evaluation.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(rows.map { $0[2] }, ["original"])
        // The original row reaches the protocol's target change: at least 0.5 on average, and the
        // bisection stops at the first step that does (one of 10 seeds flipping adds at most 0.1).
        let change = Double(rows[0][4]) ?? 0
        XCTAssertGreaterThanOrEqual(change, 0.5 - 1e-6)
        XCTAssertLessThanOrEqual(change, 0.6)
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
}
