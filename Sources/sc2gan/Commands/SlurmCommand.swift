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
            try SlurmCommand.submitPipeline(CorrectCommand.self, "correct", args: args, slurm) { out, work in
                let base = ["--out", out, "--workdir", work]
                return Step.array("sample", stage: "sample", base + ["--stage", "sample"])
                    + [Step(name: "fit", base + ["--stage", "fit"])]
                    + Step.array(CorrectCommand.synthesisStage, stage: CorrectCommand.synthesisStage, base + ["--stage", "synthesis"])
                    + [Step(name: "refit", base + ["--stage", "refit"])]
            }
        }
    }

    struct Sample: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit `sc2gan sample ARGS` as a sample array -> merge into DIR/out.")
        @OptionGroup var slurm: SlurmOptions
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Arguments of `sc2gan sample` (not --out, --workdir or --shard).", valueName: "args"))
        var args: [String] = []

        func run() throws {
            try SlurmCommand.submitPipeline(SampleCommand.self, "sample", args: args, slurm) { out, work in
                Step.array("sample", stage: "sample", ["--workdir", work])
                    + [Step(name: "merge", ["--workdir", work, "--out", out])]
            }
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
            if args.contains("--fit-only") { throw ValidationError("--fit-only: set by `sc2gan slurm evaluate` (its first step)") }
            try SlurmCommand.submitPipeline(EvaluateCommand.self, "evaluate", args: args, slurm) { out, work in
                [Step(name: "fit", ["--out", out, "--fit-only"])]
                    + Step.array("evaluate", stage: "evaluate", ["--out", out, "--workdir", work])
                    + [Step(name: "merge", ["--out", out, "--workdir", work])]
            }
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

    /// One job of a pipeline: a single step or an array running `sc2gan SUBCOMMAND ARGS` and
    /// `words`, or the guard of the array before it (no command of its own).
    struct Step {
        let name: String
        let kind: SlurmJob.Kind
        let stage: String?
        let words: [String]

        /// A single step.
        init(name: String, _ words: [String]) {
            self.name = name; self.kind = .single; self.stage = nil; self.words = words
        }

        private init(name: String, kind: SlurmJob.Kind, stage: String, words: [String]) {
            self.name = name; self.kind = kind; self.stage = stage; self.words = words
        }

        /// An array writing the shards of `stage` (each task with --shard TASK/N) and its guard,
        /// NAME-guard.
        static func array(_ name: String, stage: String, _ words: [String]) -> [Step] {
            [Step(name: name, kind: .array, stage: stage, words: words),
             Step(name: name + "-guard", kind: .guardian, stage: stage, words: [])]
        }
    }

    /// The submission path of every pipeline: ARGS checked as `C`'s command line (its results in
    /// DIR/out), the steps `steps(out, workdir)` gives made into jobs, each waiting for the one
    /// before it, the last one marking the pipeline done (DIR/slurm/done); then their scripts
    /// written and submitted.
    static func submitPipeline<C: ParsableCommand>(_ command: C.Type, _ subcommand: String, args: [String], _ o: SlurmOptions,
                                                   steps: (_ out: String, _ workdir: String) -> [Step]) throws {
        let out = o.workURL.appendingPathComponent("out").path
        try checkArgs(args, as: command, out: out)
        let stepList = steps(out, o.workURL.path)
        var after: String? = nil
        var jobs: [SlurmJob] = []
        for (i, step) in stepList.enumerated() {
            var line = ""
            if step.kind != .guardian {
                line = ([o.binary, subcommand] + args + step.words).map(SlurmJob.quote).joined(separator: " ")
                if step.kind == .array { line += " --shard \"$SLURM_ARRAY_TASK_ID/\(o.shards)\"" }
                if i == stepList.count - 1 { line += "\ntouch \(SlurmJob.quote(o.workURL.path))/slurm/done" }
            }
            jobs.append(SlurmJob(name: step.name, kind: step.kind, stage: step.stage, after: after, id: nil,
                                 script: SlurmJob.script(name: step.name, kind: step.kind, stage: step.stage, command: line, options: o)))
            after = step.name
        }
        try submit(jobs, o, what: subcommand)
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
