import Foundation
import XCTest

/// `evaluate --shard K/N --workdir DIR` and `slurm evaluate`: three shards and the merge write
/// the same tables, byte for byte, as one process; a damaged row makes its shard pending and the
/// merge computes it again; the sbatch chain is fit -> evaluation array -> guard -> merge.
final class ShardedEvaluateCLITests: XCTestCase {
    func testShardsMergeToTheSingleProcessTables() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lib = CLI.packageRoot.appendingPathComponent("assets/faceworld/directions").path
        let common = ["evaluate", "--directions", lib, "--pairs", "age:eyeglasses,lipstick:long_hair",
                      "--methods", "original,conditional", "--count", "10"]
        let single = dir.appendingPathComponent("single")
        let one = try CLI.run(common + ["--out", single.path])
        XCTAssertEqual(one.status, 0, one.stderr)

        let work = dir.appendingPathComponent("work"), out = work.appendingPathComponent("out")
        for k in 0..<3 {
            let r = try CLI.run(common + ["--out", out.path, "--workdir", work.path, "--shard", "\(k)/3"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("shard \(k)/3"), r.stdout)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("table.txt").path), "a shard wrote the tables")
        let pending = try CLI.run(["slurm", "pending", work.path, "--stage", "evaluate", "--shards", "3"])
        XCTAssertEqual(pending.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "")

        // Damage one row file: its shard is pending, and the merge recomputes the row.
        let rows = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("rows").path).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertEqual(rows.count, 4)
        let victim = out.appendingPathComponent("rows").appendingPathComponent(rows[0])
        var bytes = try Data(contentsOf: victim)
        bytes[bytes.count / 2] ^= 0x20
        try bytes.write(to: victim)
        let after = try CLI.run(["slurm", "pending", work.path, "--stage", "evaluate", "--shards", "3"])
        XCTAssertFalse(after.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, after.stdout)

        let merge = try CLI.run(common + ["--out", out.path, "--workdir", work.path])
        XCTAssertEqual(merge.status, 0, merge.stderr)
        for name in ["table.txt", "summary.csv", "summary.json", "rows.json", "agreement.json"] {
            let a = try Data(contentsOf: single.appendingPathComponent(name)), b = try Data(contentsOf: out.appendingPathComponent(name))
            if name == "table.txt" {
                // The header names the library; the rest is the same.
                XCTAssertEqual(String(decoding: a, as: UTF8.self).split(separator: "\n").dropFirst(),
                               String(decoding: b, as: UTF8.self).split(separator: "\n").dropFirst(), name)
            } else {
                XCTAssertEqual(a, b, "\(name) differs between one process and the merged shards")
            }
        }
    }

    func testSlurmEvaluateWritesFitArrayGuardMerge() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let work = dir.appendingPathComponent("w")
        let r = try CLI.run(["slurm", "evaluate", "--restarts", "3", "--split", "test", "--shards", "4", "--workdir", work.path, "--dry-run"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let fit = try String(contentsOf: work.appendingPathComponent("slurm/fit.sbatch"), encoding: .utf8)
        XCTAssertTrue(fit.contains("evaluate --restarts 3 --split test --out \(work.path)/out --fit-only"), fit)
        let array = try String(contentsOf: work.appendingPathComponent("slurm/evaluate.sbatch"), encoding: .utf8)
        XCTAssertTrue(array.contains("#SBATCH --array=0-3") && array.contains("--workdir \(work.path) --shard \"$SLURM_ARRAY_TASK_ID/4\""), array)
        let guardScript = try String(contentsOf: work.appendingPathComponent("slurm/evaluate-guard.sbatch"), encoding: .utf8)
        XCTAssertTrue(guardScript.contains("slurm pending \(work.path) --stage evaluate --shards 4"), guardScript)
        let merge = try String(contentsOf: work.appendingPathComponent("slurm/merge.sbatch"), encoding: .utf8)
        XCTAssertTrue(merge.contains("--workdir \(work.path)\ntouch \(work.path)/slurm/done"), merge)
        let submits = r.stdout.split(separator: "\n").filter { $0.contains("=$(sbatch") }.map { String($0.prefix { $0 != "=" }) }
        XCTAssertEqual(submits, ["fit", "evaluate", "evaluate_guard", "merge"])
        let refused = try CLI.run(["slurm", "evaluate", "--fit-only", "--shards", "2", "--workdir", work.path, "--dry-run"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("--fit-only"), refused.stderr)
    }
}
