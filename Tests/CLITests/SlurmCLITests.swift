import Foundation
import XCTest

/// `sc2gan slurm` and the sharded commands as a user runs them: the sbatch scripts it writes
/// (arrays, guards, dependencies), sample shards merged into the bytes one process writes,
/// `slurm pending` naming the shard whose file was damaged, and the refusals. The run through
/// a real Slurm cluster is scripts/dev/slurm-test.sh (CI runs it).
final class SlurmCLITests: XCTestCase {
    func testDryRunWritesTheChainOfScripts() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let work = dir.appendingPathComponent("w")
        let r = try CLI.run(["slurm", "correct", "--attribute", "age", "--samples", "2000", "--shards", "4", "--workdir", work.path,
                             "--array-limit", "2", "--partition", "gpu", "--time", "1:00:00", "--setup", "module load openblas", "--dry-run"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let sample = try String(contentsOf: work.appendingPathComponent("slurm/sample.sbatch"), encoding: .utf8)
        XCTAssertTrue(sample.contains("#SBATCH --array=0-3%2"), sample)
        XCTAssertTrue(sample.contains("#SBATCH --partition=gpu") && sample.contains("#SBATCH --time=1:00:00"), sample)
        XCTAssertTrue(sample.contains("\nmodule load openblas\n"), sample)
        XCTAssertTrue(sample.contains("correct --attribute age --samples 2000 --out \(work.path)/out --workdir \(work.path) --stage sample --shard \"$SLURM_ARRAY_TASK_ID/4\""), sample)
        let synthesis = try String(contentsOf: work.appendingPathComponent("slurm/synthesis.sbatch"), encoding: .utf8)
        XCTAssertTrue(synthesis.contains("--stage synthesis --shard \"$SLURM_ARRAY_TASK_ID/4\""), synthesis)
        let guardScript = try String(contentsOf: work.appendingPathComponent("slurm/synthesis-guard.sbatch"), encoding: .utf8)
        XCTAssertTrue(guardScript.contains("slurm pending \(work.path) --stage synthesis --shards 4"), guardScript)
        XCTAssertTrue(guardScript.contains("sbatch --wait --array=\"$missing\" \(work.path)/slurm/synthesis.sbatch"), guardScript)
        let refit = try String(contentsOf: work.appendingPathComponent("slurm/refit.sbatch"), encoding: .utf8)
        XCTAssertTrue(refit.contains("--stage refit\ntouch \(work.path)/slurm/done"), refit)
        // The order and the dependencies: guards run after their array whatever it did, the rest only on success.
        let submits = r.stdout.split(separator: "\n").filter { $0.contains("=$(sbatch") }.map(String.init)
        XCTAssertEqual(submits.map { String($0.prefix { $0 != "=" }) }, ["sample", "sample_guard", "fit", "synthesis", "synthesis_guard", "refit"])
        XCTAssertTrue(submits[1].contains("--dependency=afterany:$sample "), submits[1])
        XCTAssertTrue(submits[2].contains("--dependency=afterok:$sample_guard "), submits[2])
        XCTAssertTrue(submits[4].contains("--dependency=afterany:$synthesis "), submits[4])
        XCTAssertTrue(submits[5].contains("--dependency=afterok:$synthesis_guard "), submits[5])
    }

    func testRefusals() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [([String], String)] = [
            (["slurm", "correct", "--attribute", "age", "--out", dir.path, "--shards", "2", "--workdir", dir.path, "--dry-run"], "--out: set by"),
            (["slurm", "correct", "--attribute", "age", "--samples", "5", "--shards", "2", "--workdir", dir.path, "--dry-run"], "--samples"),
            (["slurm", "correct", "--attribute", "age", "--shards", "0", "--workdir", dir.path, "--dry-run"], "--shards"),
            (["slurm", "correct", "--attribute", "age", "--shards", "2", "--time", "soon", "--workdir", dir.path, "--dry-run"], "--time"),
            (["slurm", "status", dir.path], "no pipeline was submitted"),
            (["correct", "--attribute", "age", "--out", dir.path, "--workdir", dir.path, "--stage", "synthesis"], "--shard"),
            (["correct", "--attribute", "age", "--out", dir.path, "--shard", "0/2"], "--workdir"),
            (["correct", "--attribute", "age", "--out", dir.path, "--workdir", dir.path, "--stage", "sample", "--shard", "2/2"], "--shard"),
            (["sample", "--samples", "300", "--workdir", dir.path], "--out"),
        ]
        for (args, mention) in cases {
            let r = try CLI.run(args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertTrue(r.stderr.contains(mention), "\(args): \(r.stderr)")
        }
    }

    /// Three sample shards, then the merge: the same file, byte for byte, as one `sample`
    /// process; a damaged unit makes its shard pending and is redone by the next merge.
    func testSampleShardsMergeToTheSingleProcessFile() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let work = dir.appendingPathComponent("w"), merged = dir.appendingPathComponent("merged"), single = dir.appendingPathComponent("single")
        for k in 0..<3 {
            let r = try CLI.run(["sample", "--samples", "600", "--workdir", work.path, "--shard", "\(k)/3"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        XCTAssertEqual(try CLI.run(["slurm", "pending", work.path, "--stage", "sample", "--shards", "3"]).stdout, "\n")
        XCTAssertEqual(try CLI.run(["sample", "--samples", "600", "--workdir", work.path, "--out", merged.path]).status, 0)
        XCTAssertEqual(try CLI.run(["sample", "--samples", "600", "--out", single.path]).status, 0)
        let name = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: single.path).first { $0.hasPrefix("samples-") })
        XCTAssertEqual(try Data(contentsOf: merged.appendingPathComponent(name)), try Data(contentsOf: single.appendingPathComponent(name)))

        let unitsDir = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: work.path).first { $0.hasPrefix("samples-") })
        let unit = work.appendingPathComponent(unitsDir).appendingPathComponent("unit-000002.safetensors")
        var bytes = try Data(contentsOf: unit)
        bytes[200] ^= 1
        try bytes.write(to: unit)
        XCTAssertEqual(try CLI.run(["slurm", "pending", work.path, "--stage", "sample", "--shards", "3"]).stdout, "2\n")
        try FileManager.default.removeItem(at: work.appendingPathComponent("cache"))
        try FileManager.default.removeItem(at: merged)
        let again = try CLI.run(["sample", "--samples", "600", "--workdir", work.path, "--out", merged.path])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("unit-000002.safetensors: checksum does not match"), again.stderr)
        XCTAssertEqual(try Data(contentsOf: merged.appendingPathComponent(name)), try Data(contentsOf: single.appendingPathComponent(name)))
    }

    /// Submission and status against stand-in sbatch/squeue/sacct on PATH (the real cluster is
    /// scripts/dev/slurm-test.sh): the jobs are submitted in order with the ids of the jobs they
    /// wait for, and status reads squeue's states: 2 while running, 1 when a job can never run,
    /// 0 once the last job has left its mark.
    func testSubmitAndStatusWithStandInClients() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bin = dir.appendingPathComponent("bin"), work = dir.appendingPathComponent("w")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let log = dir.appendingPathComponent("sbatch.log"), queue = dir.appendingPathComponent("squeue.txt")
        func tool(_ name: String, _ body: String) throws {
            let url = bin.appendingPathComponent(name)
            try ("#!/bin/bash\n" + body).write(to: url, atomically: true, encoding: .utf8)
            chmod(url.path, 0o755)
        }
        try tool("sbatch", "echo \"$*\" >> \(log.path)\necho \"$(( $(wc -l < \(log.path)) + 100 ));testcluster\"\n")
        try tool("squeue", "cat \(queue.path)\n")
        try tool("sacct", "echo 'sacct: error: Slurm accounting storage is disabled' >&2; exit 1\n")
        let env = ["PATH": bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
        let r = try CLI.run(["slurm", "correct", "--attribute", "age", "--samples", "2000", "--shards", "3", "--workdir", work.path], environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        let calls = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(calls.count, 6)
        let s = work.path + "/slurm/"
        XCTAssertEqual(calls, ["--parsable \(s)sample.sbatch", "--parsable --dependency=afterany:101 \(s)sample-guard.sbatch",
                               "--parsable --dependency=afterok:102 \(s)fit.sbatch", "--parsable --dependency=afterok:103 \(s)synthesis.sbatch",
                               "--parsable --dependency=afterany:104 \(s)synthesis-guard.sbatch", "--parsable --dependency=afterok:105 \(s)refit.sbatch"])
        XCTAssertTrue(r.stdout.contains("refit: job 106"), r.stdout)

        try "101_0|COMPLETED|None\n101_1|RUNNING|None\n101_2|PENDING|Resources\n102|PENDING|Dependency\n".write(to: queue, atomically: true, encoding: .utf8)
        let running = try CLI.run(["slurm", "status", work.path], environment: env)
        XCTAssertEqual(running.status, 2, running.stdout + running.stderr)
        XCTAssertTrue(running.stdout.contains("COMPLETED 1, PENDING 1, RUNNING 1"), running.stdout)
        XCTAssertTrue(running.stdout.contains("shards complete 0/3"), running.stdout)

        try "103|FAILED|NonZeroExitCode\n104|PENDING|DependencyNeverSatisfied\n".write(to: queue, atomically: true, encoding: .utf8)
        let failed = try CLI.run(["slurm", "status", work.path], environment: env)
        XCTAssertEqual(failed.status, 1, failed.stdout + failed.stderr)
        XCTAssertTrue(failed.stdout.contains("failed: fit, synthesis"), failed.stdout)

        try "".write(to: queue, atomically: true, encoding: .utf8)
        XCTAssertEqual(try CLI.run(["slurm", "status", work.path], environment: env).status, 1, "nothing queued and not done: stopped")
        try Data().write(to: work.appendingPathComponent("slurm/done"))
        let done = try CLI.run(["slurm", "status", work.path], environment: env)
        XCTAssertEqual(done.status, 0, done.stdout)
        XCTAssertTrue(done.stdout.contains("done: results in \(work.path)/out"), done.stdout)
    }
}
