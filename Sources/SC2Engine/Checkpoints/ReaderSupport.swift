import Foundation

// What the checkpoint readers share: the mapped file, bounds-checked byte access and quoting of
// names for error messages.

/// A file mapped read-only into memory, so that readers decode tensors straight from the page
/// cache instead of first copying the whole file into an array.
package final class MappedFile {
    let path: String
    /// The file's bytes; empty for an empty file. Valid while this object lives.
    let bytes: UnsafeRawBufferPointer
    /// True when `bytes` is a private copy (`init(copying:name:)`) rather than a mapping.
    private let copied: Bool

    init(_ url: URL) throws {
        path = url.path
        copied = false
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw SC2Error("\(path): cannot open (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SC2Error("\(path): cannot stat (\(String(cString: strerror(errno))))") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw SC2Error("\(path): is not a regular file") }
        let size = Int(info.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw SC2Error("\(path): cannot map into memory (\(String(cString: strerror(errno))))")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    /// A copy of bytes already in memory, read as if it were the file `name` (the fuzzing
    /// harness hands inputs over this way).
    package init(copying source: UnsafeRawBufferPointer, name: String) {
        path = name
        copied = true
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: source.count, alignment: 16)
        if !source.isEmpty { copy.copyMemory(from: source) }
        bytes = UnsafeRawBufferPointer(copy)
    }

    deinit {
        if copied {
            UnsafeMutableRawBufferPointer(mutating: bytes).deallocate()
        } else if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }
}

extension UnsafeRawBufferPointer {
    /// The little-endian integer stored at `offset`, or nil when it does not lie inside the buffer.
    func littleEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T? {
        guard offset >= 0, offset <= count - MemoryLayout<T>.size else { return nil }
        return T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// The bytes in `range`, or nil when the range does not lie inside the buffer.
    func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer? {
        guard range.lowerBound >= 0, range.upperBound <= count else { return nil }
        return UnsafeRawBufferPointer(rebasing: self[range])
    }
}

extension String {
    /// The string in single quotes, safe to put into a one-line error message: names read from a
    /// hostile file may hold line breaks or control characters, and may be very long.
    var quotedForMessage: String {
        let clean = unicodeScalars.prefix(120).map { $0.properties.generalCategory == .control ? "?" : String($0) }.joined()
        return "'" + clean + (unicodeScalars.count > 120 ? "..." : "") + "'"
    }
}
