import ArgumentParser
import Foundation
import SC2Engine

/// Checks, before any work, that an output can be written: a folder that exists and is writable
/// (or can be created under a writable one), or a file whose folder is. The write itself is
/// still atomic; this only moves the failure from after minutes of computation to the start.
enum OutputCheck {
    static func folder(_ path: String, _ flag: String, shown: String? = nil) throws {
        let shownPath = shown ?? path
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw SC2Error("\(flag) \(shownPath): \(shown == nil ? "is a file, expected a folder" : "\(path) is a file, not a folder")") }
            try probe(url, flag, shownPath)
            return
        }
        try creatable(url, flag, shownPath)
    }

    static func file(_ path: String, _ flag: String) throws {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) {
            guard !isDir.boolValue else { throw SC2Error("\(flag) \(path): is a folder, expected a file name") }
            var st = stat()
            // Devices and FIFOs (/dev/stdout) are written through; regular files are replaced by rename.
            if lstat(url.path, &st) == 0, st.st_mode & S_IFMT != S_IFREG, st.st_mode & S_IFMT != S_IFLNK {
                guard access(url.path, W_OK) == 0 else { throw SC2Error("\(flag) \(path): not writable") }
                return
            }
        }
        try folder(url.deletingLastPathComponent().path, flag, shown: path)
    }

    /// The nearest existing ancestor must be a writable folder.
    private static func creatable(_ url: URL, _ flag: String, _ path: String) throws {
        var parent = url.deletingLastPathComponent()
        var isDir: ObjCBool = false
        while !FileManager.default.fileExists(atPath: parent.path, isDirectory: &isDir) && parent.path != "/" {
            parent = parent.deletingLastPathComponent()
        }
        guard isDir.boolValue else { throw SC2Error("\(flag) \(path): \(parent.path) is a file, not a folder") }
        try probe(parent, flag, path)
    }

    /// Creates and removes a file in `dir`: permission bits alone say nothing for root, or on
    /// /proc and read-only mounts.
    private static func probe(_ dir: URL, _ flag: String, _ path: String) throws {
        let p = dir.appendingPathComponent(".sc2gan-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        let fd = open(p, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        guard fd >= 0 else {
            throw SC2Error("\(flag) \(path): cannot write in \(dir.path) (\(String(cString: strerror(errno))))")
        }
        close(fd)
        unlink(p)
    }
}
