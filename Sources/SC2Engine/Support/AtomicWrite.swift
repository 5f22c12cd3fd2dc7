import Foundation

/// Errors the engine reports to users: one line, naming the file and the problem.
public struct SC2Error: Error, CustomStringConvertible, LocalizedError {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}

/// Writes files so that a reader never sees half of one: write a temp file in the same
/// folder, then rename it over the destination.
public enum AtomicWrite {
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { tmp in
            do { try data.write(to: tmp) } catch {
                throw SC2Error("\(url.path): cannot write (\(error.localizedDescription))")
            }
        }
    }

    /// Calls `body` with a temporary path next to `url`; on success renames it onto `url`.
    public static func write(to url: URL, _ body: (URL) throws -> Void) throws {
        let dir = url.deletingLastPathComponent()
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir) {
            do {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            } catch {
                throw SC2Error("\(dir.path): cannot create folder (\(error.localizedDescription))")
            }
        } else if !isDir.boolValue {
            throw SC2Error("\(dir.path): is not a folder")
        }
        guard access(dir.path, W_OK) == 0 else { throw SC2Error("\(dir.path): folder is not writable") }
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try body(tmp)
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
        if rename(tmp.path, url.path) != 0 {
            let msg = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: tmp)
            throw SC2Error("\(url.path): cannot rename into place (\(msg))")
        }
    }
}
