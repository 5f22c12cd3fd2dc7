import Foundation
import SC2Engine

/// One sbatch script of a `sc2gan slurm` pipeline: an array of shards, a guard that resubmits
/// the shards an array left incomplete, or a single step.
struct SlurmJob: Codable {
    enum Kind: String, Codable { case array, guardian = "guard", single }
    /// Name in the pipeline (sample, sample-guard, fit, ...); the script is slurm/NAME.sbatch.
    var name: String
    var kind: Kind
    /// The stage whose shards it computes or checks (arrays and guards).
    var stage: String?
    /// The job it waits for, and how: afterany for a guard (it runs whatever the array's tasks
    /// did), afterok otherwise.
    var after: String?
    var id: String?
    var script: String

    var dependencyType: String { kind == .guardian ? "afterany" : "afterok" }

    /// Single quotes for bash.
    static func quote(_ s: String) -> String { ShellQuote.word(s) }

    /// The script of an array, a guard or a single step. `command` is the sc2gan command line
    /// (already quoted); in arrays `$SLURM_ARRAY_TASK_ID` is the shard.
    static func script(name: String, kind: Kind, stage: String?, command: String, options o: SlurmOptions) -> String {
        let dir = o.workURL.path
        var lines = ["#!/bin/bash", "#SBATCH --job-name=sc2gan-\(name)"]
        switch kind {
        case .array:
            lines.append("#SBATCH --array=0-\(o.shards - 1)\(o.arrayLimit.map { "%\($0)" } ?? "")")
            lines.append("#SBATCH --output=\(quote(dir))/slurm/logs/\(name)-%A_%a.out")
            lines.append("#SBATCH --cpus-per-task=\(o.cpusPerTask)")
        case .guardian:
            lines.append("#SBATCH --output=\(quote(dir))/slurm/logs/\(name)-%j.out")
            lines.append("#SBATCH --cpus-per-task=1")
        case .single:
            lines.append("#SBATCH --output=\(quote(dir))/slurm/logs/\(name)-%j.out")
            lines.append("#SBATCH --cpus-per-task=\(o.cpusPerTask)")
        }
        lines.append("#SBATCH --time=\(o.time)")
        if let p = o.partition { lines.append("#SBATCH --partition=\(p)") }
        lines.append("set -euo pipefail")
        if let setup = o.setup { lines.append(setup) }
        lines.append("export SC2GAN_THREADS=${SLURM_CPUS_PER_TASK:-\(o.cpusPerTask)}")
        switch kind {
        case .array, .single:
            lines.append("echo \"sc2gan-\(name): $(hostname) $(date -u +%FT%TZ)\"")
            lines.append(command)
        case .guardian:
            // Shards an array left incomplete (killed, failed, timed out, a damaged file) are
            // resubmitted alone, twice at most, and waited for.
            let bin = quote(o.binary), st = stage ?? "", script = "\(quote(dir))/slurm/\(stage ?? "").sbatch"
            lines += [
                "for attempt in 1 2 3; do",
                "  missing=$(\(bin) slurm pending \(quote(dir)) --stage \(st) --shards \(o.shards))",
                "  if [ -z \"$missing\" ]; then echo \"\(st): all \(o.shards) shards complete\"; exit 0; fi",
                "  if [ \"$attempt\" = 3 ]; then break; fi",
                "  echo \"\(st): shards $missing incomplete: resubmitting them alone (attempt $attempt)\"",
                "  sbatch --wait --array=\"$missing\" \(script) || true",
                "done",
                "echo \"\(st): shards $missing still incomplete after two resubmissions; see \(dir)/slurm/logs\" >&2",
                "exit 1",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
