import Foundation

/// Writes files so that a reader never sees half of one: write a temp file in the same
/// folder, then rename it over the destination.
package enum AtomicWrite {
    package static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { tmp in
            do { try data.write(to: tmp) } catch {
                throw SC2Error("\(url.path): cannot write (\(error.localizedDescription))")
            }
        }
    }

    /// Calls `body` with a temporary path next to `url`; on success renames it onto `url`.
    /// A symbolic link is followed (the file it points to is replaced, the link stays). A
    /// destination that exists and is not a regular file (a device such as /dev/null or
    /// /dev/stdout, a FIFO, a socket) is written through instead: renaming over it would replace
    /// the device with a plain file.
    package static func write(to url: URL, _ body: (URL) throws -> Void) throws {
        let url = try followLinks(url)
        var st = stat()
        if lstat(url.path, &st) == 0 {
            let kind = st.st_mode & S_IFMT
            if kind == S_IFDIR { throw SC2Error("\(url.path): is a folder, not a file") }
            if kind != S_IFREG { return try writeThrough(to: url, body) }
        }
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

    /// The path a chain of symbolic links ends at (which may not exist yet).
    static func followLinks(_ url: URL) throws -> URL {
        var current = url.standardizedFileURL
        for _ in 0..<32 {
            var st = stat()
            guard lstat(current.path, &st) == 0, st.st_mode & S_IFMT == S_IFLNK else { return current }
            var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current.path, &buf, buf.count - 1)
            guard n > 0 else { throw SC2Error("\(current.path): cannot read symbolic link (\(String(cString: strerror(errno))))") }
            let dest = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = (dest.hasPrefix("/") ? URL(fileURLWithPath: dest)
                       : current.deletingLastPathComponent().appendingPathComponent(dest)).standardizedFileURL
        }
        throw SC2Error("\(url.path): too many levels of symbolic links")
    }

    /// Writes `body`'s output (made in the temp folder) into an existing non-regular file.
    static func writeThrough(to url: URL, _ body: (URL) throws -> Void) throws {
        let tmp = FileManager.default.temporaryDirectory
            .appendingPathComponent("sc2gan-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(url.lastPathComponent)")
        defer { try? FileManager.default.removeItem(at: tmp) }
        try body(tmp)
        guard let data = FileManager.default.contents(atPath: tmp.path) else { throw SC2Error("\(url.path): cannot write (temporary file vanished)") }
        let fd = open(url.path, O_WRONLY)
        guard fd >= 0 else { throw SC2Error("\(url.path): cannot open for writing (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SC2Error("\(url.path): cannot write (\(String(cString: strerror(errno))))")
                }
                offset += n
            }
        }
    }
}
