import ArgumentParser
import Foundation
import SC2Engine

struct SlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Run correct, sample or evaluate as Slurm job arrays on a cluster, and follow them.",
        discussion: """
        sc2gan slurm correct ARGS --shards N --workdir DIR writes sbatch scripts into DIR/slurm and submits them: \
        a sample array, a guard, the fit, a synthesis array, a guard, the re-fit, each waiting for the one before. \
        A guard resubmits, alone, every shard its array left incomplete (killed, failed, timed out, or a result file \
        whose checksum does not match), twice at most. ARGS are those of the plain command (without --out); the \
        results land in DIR/out as the plain command's --out would hold them. DIR must be on a filesystem every \
        node sees, and so must the binary and its assets (--bin).
        """,
        subcommands: [Correct.self, Sample.self, Evaluate.self, Status.self, Pending.self])

    struct Correct: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit `sc2gan correct ARGS` as sample array -> fit -> synthesis array -> re-fit.")
        @OptionGroup var slurm: SlurmOptions
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Arguments of `sc2gan correct` (not --out, --workdir, --stage or --shard).", valueName: "args"))
        var args: [String] = []

        func run() throws {
            let out = slurm.workURL.appendingPathComponent("out").path
            try SlurmCommand.checkArgs(args, as: CorrectCommand.self, out: out)
            let base = ([slurm.binary, "correct"] + args + ["--out", out, "--workdir", slurm.workURL.path]).map(SlurmJob.quote).joined(separator: " ")
            let jobs: [SlurmJob] = [
                SlurmCommand.job("sample", .array, stage: "sample", after: nil, base + " --stage sample --shard \"$SLURM_ARRAY_TASK_ID/\(slurm.shards)\"", slurm),
                SlurmCommand.job("sample-guard", .guardian, stage: "sample", after: "sample", "", slurm),
                SlurmCommand.job("fit", .single, stage: nil, after: "sample-guard", base + " --stage fit", slurm),
                SlurmCommand.job(CorrectCommand.synthesisStage, .array, stage: CorrectCommand.synthesisStage, after: "fit",
                                 base + " --stage synthesis --shard \"$SLURM_ARRAY_TASK_ID/\(slurm.shards)\"", slurm),
                SlurmCommand.job("synthesis-guard", .guardian, stage: CorrectCommand.synthesisStage, after: CorrectCommand.synthesisStage, "", slurm),
                SlurmCommand.job("refit", .single, stage: nil, after: "synthesis-guard",
                                 base + " --stage refit\ntouch \(SlurmJob.quote(slurm.workURL.path))/slurm/done", slurm),
            ]
            try SlurmCommand.submit(jobs, slurm, what: "correct")
        }
    }

    struct Sample: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit `sc2gan sample ARGS` as a sample array -> merge into DIR/out.")
        @OptionGroup var slurm: SlurmOptions
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Arguments of `sc2gan sample` (not --out, --workdir or --shard).", valueName: "args"))
        var args: [String] = []

        func run() throws {
            let out = slurm.workURL.appendingPathComponent("out").path
            try SlurmCommand.checkArgs(args, as: SampleCommand.self, out: out)
            let base = ([slurm.binary, "sample"] + args + ["--workdir", slurm.workURL.path]).map(SlurmJob.quote).joined(separator: " ")
            let jobs: [SlurmJob] = [
                SlurmCommand.job("sample", .array, stage: "sample", after: nil, base + " --shard \"$SLURM_ARRAY_TASK_ID/\(slurm.shards)\"", slurm),
                SlurmCommand.job("sample-guard", .guardian, stage: "sample", after: "sample", "", slurm),
                SlurmCommand.job("merge", .single, stage: nil, after: "sample-guard",
                                 base + " --out \(SlurmJob.quote(out))\ntouch \(SlurmJob.quote(slurm.workURL.path))/slurm/done", slurm),
            ]
            try SlurmCommand.submit(jobs, slurm, what: "sample")
        }
    }

    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit `sc2gan evaluate ARGS` as fit -> evaluation array -> guard -> merge into DIR/out.",
            discussion: "The fit step fits every method of every restart once (evaluate --fit-only); each array task evaluates a contiguous slice of the (restart, pair, side, method) units and leaves its rows, checksummed, in DIR/out/rows; the merge writes the tables exactly as one process would.")
        @OptionGroup var slurm: SlurmOptions
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Arguments of `sc2gan evaluate` (not --out, --workdir, --shard or --fit-only).", valueName: "args"))
        var args: [String] = []

        func run() throws {
            let out = slurm.workURL.appendingPathComponent("out").path
            try SlurmCommand.checkArgs(args, as: EvaluateCommand.self, out: out)
            if args.contains("--fit-only") { throw ValidationError("--fit-only: set by `sc2gan slurm evaluate` (its first step)") }
            let base = ([slurm.binary, "evaluate"] + args + ["--out", out]).map(SlurmJob.quote).joined(separator: " ")
            let work = " --workdir " + SlurmJob.quote(slurm.workURL.path)
            let jobs: [SlurmJob] = [
                SlurmCommand.job("fit", .single, stage: nil, after: nil, base + " --fit-only", slurm),
                SlurmCommand.job("evaluate", .array, stage: "evaluate", after: "fit", base + work + " --shard \"$SLURM_ARRAY_TASK_ID/\(slurm.shards)\"", slurm),
                SlurmCommand.job("evaluate-guard", .guardian, stage: "evaluate", after: "evaluate", "", slurm),
                SlurmCommand.job("merge", .single, stage: nil, after: "evaluate-guard",
                                 base + work + "\ntouch \(SlurmJob.quote(slurm.workURL.path))/slurm/done", slurm),
            ]
            try SlurmCommand.submit(jobs, slurm, what: "evaluate")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Progress of a submitted pipeline per stage, from the work folder and squeue/sacct.",
            discussion: "Exit status: 0 when everything is done (results in DIR/out), 1 when the pipeline failed or stopped, 2 while it runs.")
        @Argument(help: "The pipeline's --workdir.") var dir: String

        func run() throws {
            let folder = WorkFolder(URL(fileURLWithPath: dir).standardizedFileURL)
            let record = try SlurmRecord.load(folder)
            let states = SlurmRecord.states(of: record.jobs.compactMap(\.id))
            let done = FileManager.default.fileExists(atPath: folder.file("slurm/done").path)
            var failed: [String] = []
            var active = false
            for job in record.jobs {
                let id = job.id ?? "-"
                let mine = states.filter { $0.key == id || $0.key.hasPrefix(id + "_") }
                var line = "\(job.name.padding(toLength: 16, withPad: " ", startingAt: 0)) job \(id.padding(toLength: 8, withPad: " ", startingAt: 0))"
                if let stage = job.stage, job.kind == .array {
                    line += "  shards complete \(ShardMarker.completed(folder, stage: stage, count: record.shards))/\(record.shards)"
                }
                let counts = Dictionary(grouping: mine.values, by: { $0.state }).map { "\($0.key) \($0.value.count)" }.sorted()
                line += counts.isEmpty ? (done ? "  finished" : "  not in the queue") : "  " + counts.joined(separator: ", ")
                if mine.values.contains(where: { ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED", "RESIZING", "SUSPENDED"].contains($0.state) && $0.reason != "DependencyNeverSatisfied" }) {
                    active = true
                }
                // An array's failed tasks are its guard's business; a job that can never start, or a
                // single step or guard that failed, ends the pipeline.
                if mine.values.contains(where: { $0.reason == "DependencyNeverSatisfied" })
                    || (job.kind != .array && mine.values.contains(where: { ["FAILED", "TIMEOUT", "CANCELLED", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE"].contains($0.state) })) {
                    failed.append(job.name)
                }
                print(line)
            }
            if done {
                print("done: results in \(folder.file("out").path)")
                return
            }
            if !failed.isEmpty {
                print("failed: \(failed.joined(separator: ", ")) (logs in \(folder.file("slurm/logs").path)); cancel what is left with scancel \(record.jobs.compactMap(\.id).joined(separator: " "))")
                throw ExitCode(1)
            }
            if !active {
                print("stopped: no job of this pipeline is queued or running, and it did not finish (logs in \(folder.file("slurm/logs").path))")
                throw ExitCode(1)
            }
            throw ExitCode(2)
        }
    }

    struct Pending: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Shards of a stage that are not complete (the guard jobs' check), comma-separated.", shouldDisplay: false)
        @Argument(help: "Work folder.") var dir: String
        @Option(help: "Stage: sample or synthesis.") var stage: String
        @Option(help: "Shards of the stage.") var shards: Int

        func validate() throws { try OptionCheck.range(shards, 1...10_000, "--shards") }

        func run() throws {
            let folder = WorkFolder(URL(fileURLWithPath: dir).standardizedFileURL)
            print(try ShardMarker.incomplete(folder, stage: stage, count: shards).map(String.init).joined(separator: ","))
        }
    }

    static func job(_ name: String, _ kind: SlurmJob.Kind, stage: String?, after: String?, _ command: String, _ o: SlurmOptions) -> SlurmJob {
        SlurmJob(name: name, kind: kind, stage: stage, after: after, id: nil,
                 script: SlurmJob.script(name: name, kind: kind, stage: stage, command: command, options: o))
    }

    /// ARGS must be a valid plain command line (checked by parsing it, with its own checks) and
    /// must leave --out, --workdir, --stage and --shard to the pipeline.
    static func checkArgs<C: ParsableCommand>(_ args: [String], as: C.Type, out: String) throws {
        for flag in ["--out", "--workdir", "--stage", "--shard"] where args.contains(where: { $0 == flag || $0.hasPrefix(flag + "=") }) {
            throw ValidationError("\(flag): set by `sc2gan slurm` (results go to --workdir's out/)")
        }
        do { _ = try C.parse(args + ["--out", out]) } catch {
            throw ValidationError("ARGS: \(C.message(for: error))")
        }
    }

    /// Writes the scripts, then submits them in order, each depending on the one it waits for.
    static func submit(_ jobs: [SlurmJob], _ o: SlurmOptions, what: String) throws {
        let folder = WorkFolder(o.workURL)
        let fm = FileManager.default
        try fm.createDirectory(at: folder.file("slurm/logs"), withIntermediateDirectories: true)
        try? fm.removeItem(at: folder.file("slurm/done"))
        for job in jobs {
            let url = folder.file("slurm/\(job.name).sbatch")
            try AtomicWrite.write(Data(job.script.utf8), to: url)
            chmod(url.path, 0o755)
        }
        var jobs = jobs
        if o.dryRun {
            for job in jobs {
                print("# \(folder.file("slurm/\(job.name).sbatch").path)")
                print(job.script)
            }
            for job in jobs {
                let dep = job.after.map { " --dependency=\(job.dependencyType):$\($0.replacingOccurrences(of: "-", with: "_"))" } ?? ""
                print("\(job.name.replacingOccurrences(of: "-", with: "_"))=$(sbatch --parsable\(dep) \(folder.file("slurm/\(job.name).sbatch").path))")
            }
            return
        }
        for i in jobs.indices {
            var args = ["--parsable"]
            if let after = jobs[i].after, let id = jobs.first(where: { $0.name == after })?.id { args.append("--dependency=\(jobs[i].dependencyType):\(id)") }
            args.append(folder.file("slurm/\(jobs[i].name).sbatch").path)
            let output = try run("sbatch", args)
            guard let id = output.split(separator: ";").first.map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }), !id.isEmpty, id.allSatisfy(\.isNumber) else {
                throw SC2Error("sbatch printed '\(output)' instead of a job id")
            }
            jobs[i].id = id
            print("\(jobs[i].name): job \(id)\(jobs[i].kind == .array ? " (array 0-\(o.shards - 1))" : "")")
            try SlurmRecord(what: what, shards: o.shards, jobs: jobs).save(folder)
        }
        print("follow it with: sc2gan slurm status \(o.workURL.path)")
    }

    /// Runs a Slurm client and returns its standard output; a clear line when it fails.
    static func run(_ tool: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        do { try p.run() } catch { throw SC2Error("\(tool): cannot run (\(error.localizedDescription))") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            if p.terminationStatus == 127 { throw SC2Error("\(tool): not found: run this on a Slurm cluster's login node (--dry-run prints the scripts)") }
            throw SC2Error("\(tool) \(args.joined(separator: " ")): \(errText.isEmpty ? "exit status \(p.terminationStatus)" : errText)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
