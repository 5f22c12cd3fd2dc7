/// The entries of a zip archive in a mapped file, found through the central directory (zip64
/// records included). torch.save stores every entry uncompressed, so an entry's contents are
/// just a range of the file; compressed entries are listed but cannot be read.
struct ZipArchive {
    struct Entry {
        /// 0 = stored; anything else is compressed.
        let method: UInt16
        /// Where the entry's (stored) bytes lie in the file.
        let bytes: Range<Int>
    }

    let file: MappedFile
    let entries: [String: Entry]

    init(_ file: MappedFile) throws {
        self.file = file
        let bytes = file.bytes
        func fail(_ why: String) -> SC2Error { SC2Error("\(file.path): \(why)") }
        func u16(_ at: Int) throws -> Int {
            guard let v = bytes.littleEndian(UInt16.self, at: at) else { throw fail("zip structure runs past the end of the file (truncated?)") }
            return Int(v)
        }
        func u32(_ at: Int) throws -> Int {
            guard let v = bytes.littleEndian(UInt32.self, at: at) else { throw fail("zip structure runs past the end of the file (truncated?)") }
            return Int(v)
        }
        func u64(_ at: Int) throws -> Int {
            guard let v = bytes.littleEndian(UInt64.self, at: at), let i = Int(exactly: v) else {
                throw fail("zip64 structure runs past the end of the file or holds an impossible size")
            }
            return i
        }

        // The end-of-central-directory record: 22 bytes plus a comment of at most 65535 bytes.
        guard let eocd = stride(from: bytes.count - 22, through: max(0, bytes.count - 22 - 0xffff), by: -1)
            .first(where: { bytes.littleEndian(UInt32.self, at: $0) == 0x0605_4b50 }) else {
            throw fail("not a complete zip archive (no end-of-central-directory record; truncated?)")
        }
        var count = try u16(eocd + 10), size = try u32(eocd + 12), offset = try u32(eocd + 16)
        if count == 0xffff || size == 0xffff_ffff || offset == 0xffff_ffff {
            // Zip64: a locator just before the record gives the position of the 64-bit record.
            guard bytes.littleEndian(UInt32.self, at: eocd - 20) == 0x0706_4b50 else { throw fail("zip64 locator is missing") }
            let record = try u64(eocd - 12)
            guard bytes.littleEndian(UInt32.self, at: record) == 0x0606_4b50 else { throw fail("zip64 end-of-central-directory record is damaged") }
            (count, size, offset) = (try u64(record + 32), try u64(record + 40), try u64(record + 48))
        }
        guard offset <= bytes.count, size <= bytes.count - offset, count <= size / 46 else {
            throw fail("zip central directory lies outside the file (truncated?)")
        }

        var entries: [String: Entry] = [:]
        var p = offset
        for _ in 0..<count {
            guard bytes.littleEndian(UInt32.self, at: p) == 0x0201_4b50 else { throw fail("zip central directory is damaged") }
            let method = UInt16(try u16(p + 10))
            var stored = try u32(p + 20)
            let nameLength = try u16(p + 28), extraLength = try u16(p + 30), commentLength = try u16(p + 32)
            var local = try u32(p + 42)
            guard let nameBytes = bytes.slice(p + 46 ..< p + 46 + nameLength),
                  let extra = bytes.slice(p + 46 + nameLength ..< p + 46 + nameLength + extraLength) else {
                throw fail("zip central directory runs past the end of the file (truncated?)")
            }
            let name = String(decoding: nameBytes, as: UTF8.self)
            if stored == 0xffff_ffff || local == 0xffff_ffff {
                // 64-bit values, in this order, for those fields that hold 0xffffffff.
                var values = try Self.zip64Values(extra, fail: fail)[...]
                if try u32(p + 24) == 0xffff_ffff { _ = values.popFirst() }  // uncompressed size
                if stored == 0xffff_ffff { guard let v = values.popFirst() else { throw fail("zip64 sizes missing for \(name.quotedForMessage)") }; stored = v }
                if local == 0xffff_ffff { guard let v = values.popFirst() else { throw fail("zip64 offset missing for \(name.quotedForMessage)") }; local = v }
            }
            p += 46 + nameLength + extraLength + commentLength

            guard bytes.littleEndian(UInt32.self, at: local) == 0x0403_4b50 else {
                throw fail("zip entry \(name.quotedForMessage) has a damaged local header")
            }
            let start = local + 30 + (try u16(local + 26)) + (try u16(local + 28))
            guard start <= bytes.count, stored <= bytes.count - start else {
                throw fail("zip entry \(name.quotedForMessage) runs past the end of the file (truncated?)")
            }
            entries[name] = Entry(method: method, bytes: start ..< start + stored)
        }
        self.entries = entries
    }

    /// The 64-bit values of the zip64 extended-information field (id 1) in an extra block.
    private static func zip64Values(_ extra: UnsafeRawBufferPointer, fail: (String) -> SC2Error) throws -> [Int] {
        var p = 0
        while let id = extra.littleEndian(UInt16.self, at: p), let length = extra.littleEndian(UInt16.self, at: p + 2) {
            let body = p + 4
            if id == 1 {
                return try stride(from: body, to: body + Int(length) - 7, by: 8).map {
                    guard let v = extra.littleEndian(UInt64.self, at: $0), let i = Int(exactly: v) else { throw fail("zip64 field is damaged") }
                    return i
                }
            }
            p = body + Int(length)
        }
        throw fail("zip64 field is missing")
    }

    /// The stored bytes of an entry; nil when there is no such entry.
    func contents(_ name: String) throws -> UnsafeRawBufferPointer? {
        guard let entry = entries[name] else { return nil }
        guard entry.method == 0 else {
            throw SC2Error("\(file.path): zip entry \(name.quotedForMessage) is compressed (method \(entry.method)); torch.save writes uncompressed archives")
        }
        return file.bytes.slice(entry.bytes)!
    }
}
