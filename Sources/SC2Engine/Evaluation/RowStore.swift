import Foundation

/// Evaluated rows on disk, DIR/<key>.json, one file per direction and held-out set: reused when
/// the direction, the held-out seeds, the levels, the split and the judge are the same.
struct RowStore {
    let root: URL
    let split: SeedRanges.Split
    let judge: String
    /// A sharded run's work folder and the rows' folder relative to it: rows are then written
    /// with a checksum (WorkFolder) and a damaged one is computed again.
    var work: (folder: WorkFolder, prefix: String)? = nil
    /// Where a damaged row file in the work folder is reported.
    var note: (String) -> Void = { _ in }

    private struct Entry: Codable {
        let direction: String, seeds: String, split: String, judge: String
        let rows: [EntanglementEvaluation.Row]
    }

    /// NaN is a value here (a share of no seeds); JSON has no NaN, so it is written as "nan".
    private static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }
    private static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    private static func hash(_ d: Direction) -> String {
        // A direction with a vector per row adds them (the hash of one without is as before).
        let rows = (d.rows ?? []).flatMap { $0 }.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        return ContentHash.of(Data(d.vector.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } + Array((d.layers ?? []).map(String.init).joined(separator: ",").utf8) + rows))
    }

    private static func hash(_ seeds: [UInt32]) -> String {
        ContentHash.of(Data(seeds.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }))
    }

    /// The row file's name relative to the work folder (its shard marker lists it).
    func relativeName(_ key: String) -> String { (work.map { $0.prefix + "/" } ?? "") + "\(key).json" }

    func load(_ key: String, direction: Direction, levels: [Double], seeds: [UInt32]) -> [EntanglementEvaluation.Row]? {
        let bytes: Data?
        if let work {
            bytes = work.folder.read(relativeName(key)) { note($0 + "\n") }
        } else {
            bytes = try? Data(contentsOf: root.appendingPathComponent("\(key).json"))
        }
        guard let data = bytes,
              let e = try? Self.decoder.decode(Entry.self, from: data),
              e.direction == Self.hash(direction), e.seeds == Self.hash(seeds), e.split == split.rawValue, e.judge == judge,
              e.rows.map(\.level) == levels else { return nil }
        return e.rows
    }

    func save(_ key: String, _ rows: [EntanglementEvaluation.Row], direction: Direction) throws {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let e = Entry(direction: Self.hash(direction), seeds: Self.hash(rows.first?.seeds ?? []), split: split.rawValue, judge: judge, rows: rows)
        let data = try Self.encoder.encode(e)
        if let work { try work.folder.write(data, to: relativeName(key)) } else { try AtomicWrite.write(data, to: root.appendingPathComponent("\(key).json")) }
    }
}
