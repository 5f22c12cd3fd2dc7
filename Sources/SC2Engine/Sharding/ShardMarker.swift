import Foundation

/// A shard's completion record in the work folder: `STAGE-shards/K-of-N.done`, listing the
/// files (relative to the work folder) the shard produced. A shard is complete when its
/// record is there and every file it lists has a valid checksum; anything else (killed, failed,
/// a damaged file) makes it incomplete, and only that shard is run again.
package enum ShardMarker {
    package static func name(stage: String, shard: Shard) -> String { "\(stage)-shards/\(shard.index)-of-\(shard.count).done" }

    package static func write(_ folder: WorkFolder, stage: String, shard: Shard, files: [String]) throws {
        try folder.write(Data(files.map { $0 + "\n" }.joined().utf8), to: name(stage: stage, shard: shard))
    }

    package static func isComplete(_ folder: WorkFolder, stage: String, shard: Shard) -> Bool {
        guard folder.state(name(stage: stage, shard: shard)) == .valid,
              let data = FileManager.default.contents(atPath: folder.file(name(stage: stage, shard: shard)).path) else { return false }
        let files = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        return files.allSatisfy { folder.state($0) == .valid }
    }

    /// Shards of `count` that are not complete.
    package static func incomplete(_ folder: WorkFolder, stage: String, count: Int) throws -> [Int] {
        try (0..<count).filter { !isComplete(folder, stage: stage, shard: try Shard(index: $0, count: count)) }
    }

    /// How many of `count` shards are complete.
    package static func completed(_ folder: WorkFolder, stage: String, count: Int) -> Int {
        (0..<count).filter { k in (try? Shard(index: k, count: count)).map { isComplete(folder, stage: stage, shard: $0) } ?? false }.count
    }
}
