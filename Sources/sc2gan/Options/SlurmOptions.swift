import ArgumentParser
import Foundation
import SC2Engine

/// What `sc2gan slurm correct|sample` needs beside the plain command's arguments.
struct SlurmOptions: ParsableArguments {
    @Option(help: "Shards per heavy stage (the size of each job array).") var shards: Int
    @Option(help: ArgumentHelp("Shared work folder (on a filesystem every node sees): scripts, logs, shard results; the results land in DIR/out.", valueName: "dir"))
    var workdir: String
    @Option(help: "Slurm partition (default: the cluster's default).") var partition: String?
    @Option(help: "CPUs per task; each task uses as many threads.") var cpusPerTask: Int = 1
    @Option(help: "Time limit per task, as sbatch takes it (e.g. 2:00:00).") var time: String = "4:00:00"
    @Option(help: "Most array tasks running at once (default: no limit).") var arrayLimit: Int?
    @Option(help: ArgumentHelp("The sc2gan binary the jobs run, on the shared path (default: this one).", valueName: "path"))
    var bin: String?
    @Option(help: ArgumentHelp("A shell line each job runs first, e.g. 'module load openblas'.", valueName: "line"))
    var setup: String?
    @Flag(help: "Print the scripts and the sbatch commands without submitting.") var dryRun = false

    func validate() throws {
        try OptionCheck.range(shards, 1...10_000, "--shards")
        try OptionCheck.range(cpusPerTask, 1...1024, "--cpus-per-task")
        if let arrayLimit { try OptionCheck.range(arrayLimit, 1...10_000, "--array-limit") }
        guard time.allSatisfy({ $0.isNumber || $0 == ":" || $0 == "-" }), !time.isEmpty else {
            throw ValidationError("--time '\(time)': expected minutes or [days-]hours:minutes:seconds")
        }
        if let partition, partition.isEmpty || partition.contains(where: { $0.isWhitespace }) {
            throw ValidationError("--partition '\(partition)': not a partition name")
        }
        try OutputCheck.folder(workdir, "--workdir")
    }

    var workURL: URL { URL(fileURLWithPath: workdir).standardizedFileURL }

    /// The binary's absolute path.
    var binary: String {
        if let bin { return URL(fileURLWithPath: bin).standardizedFileURL.path }
        return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
