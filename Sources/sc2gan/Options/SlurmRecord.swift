import Foundation
import SC2Engine

/// What `sc2gan slurm` submitted (DIR/slurm/jobs.json), for `sc2gan slurm status`.
struct SlurmRecord: Codable {
    var what: String
    var shards: Int
    var jobs: [SlurmJob]

    func save(_ folder: WorkFolder) throws {
        let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicWrite.write(try enc.encode(self), to: folder.file("slurm/jobs.json"))
    }

    static func load(_ folder: WorkFolder) throws -> SlurmRecord {
        guard let data = FileManager.default.contents(atPath: folder.file("slurm/jobs.json").path) else {
            throw SC2Error("\(folder.file("slurm/jobs.json").path): no pipeline was submitted from this work folder")
        }
        do { return try JSONDecoder().decode(SlurmRecord.self, from: data) } catch {
            throw SC2Error("\(folder.file("slurm/jobs.json").path): not a pipeline record (\(error.localizedDescription))")
        }
    }

    struct JobState { var state: String; var reason: String }

    /// State of every job and array task of `ids`: sacct where accounting is on, squeue for what
    /// is queued or running (it has the pending reason). Either may be missing; what they say is merged.
    static func states(of ids: [String]) -> [String: JobState] {
        guard !ids.isEmpty else { return [:] }
        var out: [String: JobState] = [:]
        if let text = try? SlurmCommand.run("sacct", ["-n", "-P", "-X", "-o", "JobID,State", "-j", ids.joined(separator: ",")]) {
            for line in text.split(separator: "\n") {
                let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                if f.count >= 2 { out[f[0]] = JobState(state: f[1].split(separator: " ").first.map(String.init) ?? f[1], reason: "") }
            }
        }
        if let text = try? SlurmCommand.run("squeue", ["-h", "-r", "-t", "all", "-o", "%i|%T|%r", "-j", ids.joined(separator: ",")]) {
            for line in text.split(separator: "\n") {
                let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                if f.count >= 3 { out[f[0]] = JobState(state: f[1], reason: f[2]) }
            }
        }
        return out
    }
}
