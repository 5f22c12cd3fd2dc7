import Foundation
import XCTest

/// Every class of hostile file (Tests/SC2EngineTests/Fixtures/fuzz: the crashes of issue 13
/// and what the fuzzer found), handed to the commands a user runs: exit status 1, one line on
/// stderr naming the file, nothing written.
final class HostileFileCLITests: XCTestCase {
    func files(_ target: String) throws -> [URL] {
        let dir = CLI.fixtures.appendingPathComponent("fuzz/\(target)")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().map { dir.appendingPathComponent($0) }
    }

    func assertRefused(_ args: [String], naming file: URL, out: URL, line: UInt = #line) throws {
        let r = try CLI.run(args, environment: ["SC2GAN_CACHE": out.deletingLastPathComponent().appendingPathComponent("cache").path])
        XCTAssertEqual(r.status, 1, "\(args): \(r.stderr)", line: line)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        XCTAssertEqual(lines.count, 1, "\(args): \(r.stderr)", line: line)
        XCTAssertTrue(lines.first?.hasPrefix("Error: \(file.path): ") ?? false, "\(args): \(r.stderr)", line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "\(args) wrote \(out.path)", line: line)
    }

    func testHostileGeneratorsAreRefusedByEveryModelCommand() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let generators = try files("generator")
        XCTAssertGreaterThanOrEqual(generators.count, 5)
        for model in generators {
            let out = dir.appendingPathComponent("out")
            try assertRefused(["generate", "--model", model.path, "--seeds", "0", "--out", out.path], naming: model, out: out)
            try assertRefused(["directions", "fit", "--model", model.path, "--attribute", "age", "--samples", "100",
                               "--out", out.appendingPathExtension("json").path], naming: model, out: out.appendingPathExtension("json"))
            try assertRefused(["bench", "--model", model.path, "--iterations", "1"], naming: model, out: out)
        }
    }

    func testHostileClassifiersAreRefused() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let classifiers = try files("classifier")
        XCTAssertGreaterThanOrEqual(classifiers.count, 2)
        for classifier in classifiers {
            let out = dir.appendingPathComponent("d.json")
            try assertRefused(["directions", "fit", "--classifier", classifier.path, "--attribute", "age", "--samples", "100",
                               "--out", out.path], naming: classifier, out: out)
        }
    }
}
