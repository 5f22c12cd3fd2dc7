import Foundation

/// A shared folder where shards leave their results: every file is written atomically and
/// followed by a checksum file (`NAME.sum`: content hash and size), so a reader can tell a
/// finished file from a missing, half-written or damaged one. A file without a valid checksum
/// counts as absent and is computed again.
package struct WorkFolder: Sendable {
    package let url: URL

    package init(_ url: URL) { self.url = url }

    package func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `data` to `name`, then its checksum.
    package func write(_ data: Data, to name: String) throws {
        try AtomicWrite.write(data, to: file(name))
        try AtomicWrite.write(Data(Self.checksum(data).utf8), to: file(name + ".sum"))
    }

    package enum State: Equatable, Sendable { case absent, valid, damaged }

    /// Whether `name` is there with a matching checksum.
    package func state(_ name: String) -> State {
        let fm = FileManager.default
        guard fm.fileExists(atPath: file(name).path) else { return .absent }
        guard let sum = fm.contents(atPath: file(name + ".sum").path), let data = fm.contents(atPath: file(name).path) else { return .damaged }
        return String(decoding: sum, as: UTF8.self) == Self.checksum(data) ? .valid : .damaged
    }

    /// The file's bytes when its checksum matches; nil when absent. A damaged file (its checksum
    /// does not match, or it has none) is removed with a note on `log`, and nil returned, so the
    /// caller computes it again.
    package func read(_ name: String, log: ((String) -> Void)? = nil) -> Data? {
        switch state(name) {
        case .absent: return nil
        case .damaged:
            log?("\(file(name).path): checksum does not match (damaged or half-written): computing it again")
            remove(name)
            return nil
        case .valid: return FileManager.default.contents(atPath: file(name).path)
        }
    }

    package func remove(_ name: String) {
        try? FileManager.default.removeItem(at: file(name))
        try? FileManager.default.removeItem(at: file(name + ".sum"))
    }

    /// "hash size\n": FNV-1a over the bytes (ContentHash) and their count.
    static func checksum(_ data: Data) -> String { "\(ContentHash.of(data)) \(data.count)\n" }
}
