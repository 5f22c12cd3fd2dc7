import Foundation
import XCTest

/// Out-of-range numbers, unknown names and unwritable outputs are refused before any work,
/// with one line naming the flag: no crash on a huge count, no minutes of sampling before an
/// error about the output folder, no device replaced by a file.
final class OptionValidationTests: XCTestCase {
    func testRefusedBeforeWork() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [([String], String)] = [
            (["faceworld", "render", "--count", "10000000", "--out", dir.appendingPathComponent("x").path], "--count"),
            (["faceworld", "render", "--count", "10", "--out", dir.appendingPathComponent("x").path, "--preview", "/proc/p.png"], "--preview"),
            (["faceworld", "report", "--samples", "10000000000"], "--samples"),
            (["faceworld", "report", "--samples", "0"], "--samples"),
            (["faceworld", "report", "--data-count", "10000000000"], "--data-count"),
            (["bench", "--gemm-size", "1000000"], "--gemm-size"),
            (["bench", "--iterations", "0"], "--iterations"),
            (["evaluate", "--count", "10000000000", "--out", dir.path], "--count"),
            (["evaluate", "--pairs", "age:age", "--out", dir.path], "age:age"),
            (["directions", "fit", "--attribute", "age", "--samples", "10000000000", "--out", dir.appendingPathComponent("f.json").path], "--samples"),
            (["directions", "fit", "--attribute", "age", "--method", "foo", "--out", dir.appendingPathComponent("f.json").path], "foo"),
            (["directions", "fit", "--attribute", "age", "--conditions", "age", "--out", dir.appendingPathComponent("f.json").path], "--conditions"),
            (["directions", "fit", "--attribute", "age", "--cache", "/proc/c", "--out", dir.appendingPathComponent("f.json").path], "--cache"),
            (["correct", "--attribute", "age", "--correlated", "foo", "--out", dir.path], "foo"),
            (["correct", "--attribute", "age", "--out", "/proc/sc2gan-out"], "/proc"),
            (["correct", "--attribute", "age", "--rows", "5-3", "--out", dir.path], "--rows"),
            (["correct", "--attribute", "age", "--rows", "x", "--out", dir.path], "--rows"),
            (["correct", "--attribute", "age", "--rows", "3,99", "--out", dir.path], "row 99 is out of range"),
            (["directions", "rebuild-defaults", "--rows", "3", "--out", dir.path], "--rows"),
            (["correct", "--attribute", "age", "--row-window", "0", "--out", dir.path], "--row-window"),
            (["correct", "--attribute", "age", "--row-choice", "best", "--out", dir.path], "--row-choice"),
            (["project", "--image", "x.png", "--out", "/proc/sc2gan-out"], "/proc"),
            (["edit", "--seed", "1", "--direction", "d.json", "--truncation", "nan", "--out", dir.appendingPathComponent("e.png").path], "--truncation"),
            (["faceworld", "draw", "--out", dir.path], "is a folder"),
            // Engine errors about an input, named by the flag that carried it.
            (["evaluate", "--shard", "5/4", "--out", dir.path], "--shard 5/4: K must be 0-3"),
            (["evaluate", "--shard", "x", "--out", dir.path], "--shard x: is not K/N"),
            (["directions", "fit", "--attribute", "age", "--define", "old", "--out", dir.appendingPathComponent("f.json").path], "--define \"old\": expected NAME=not:ATTR"),
        ]
        for (args, mention) in cases {
            let r = try CLI.run(args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            let first = r.stderr.split(separator: "\n").first.map(String.init) ?? ""
            XCTAssertTrue(first.hasPrefix("Error:") && first.contains(mention), "\(args): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("samples:") || r.stdout.contains("samples:"), "\(args) sampled before failing")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [], "nothing half-written")
    }

    /// `--seeds 0-1,0-1` names each file once and says so.
    func testDuplicateSeedsAreGeneratedOnce() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = CLI.fixtures.appendingPathComponent("parity/nv32.safetensors").path
        let r = try CLI.run(["generate", "--model", model, "--seeds", "0-1,1,0", "--out", dir.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("wrote 2 images") || r.stdout.contains("wrote 2 images"), r.stdout + r.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["seed0000.png", "seed0001.png"])
    }
}
