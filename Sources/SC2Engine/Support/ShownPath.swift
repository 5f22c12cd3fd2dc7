import Foundation

/// A path as a user typed it: relative to the current folder when inside it (for tables,
/// headers and messages that would otherwise repeat a long absolute prefix).
package enum ShownPath {
    package static func of(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }
}
