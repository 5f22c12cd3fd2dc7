import CZlib

/// The entries of a zip archive in a mapped file, found through the central directory (zip64
/// records included). Every entry's local header must agree with the central directory (name,
/// method and, unless sizes follow the data, CRC-32 and sizes), and every entry read is checked
/// against its CRC-32. torch.save stores entries uncompressed, so their contents are just a range
/// of the file; numpy's savez_compressed deflates them, and those are inflated to the size the
/// directory declares, never more.
package final class ZipArchive {
    package struct Entry {
        /// 0 = stored, 8 = deflated; anything else cannot be read.
        let method: UInt16
        let crc32: UInt32
        /// Where the entry's (stored or compressed) bytes lie in the file.
        let bytes: Range<Int>
        let uncompressedSize: Int
    }

    let file: MappedFile
    package let entries: [String: Entry]
    /// The entries whose CRC-32 has been checked (a torch storage is read once per view).
    private var verified = Set<String>()

    package init(_ file: MappedFile) throws {
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
        guard bytes.count >= 22, let eocd = stride(from: bytes.count - 22, through: max(0, bytes.count - 22 - 0xffff), by: -1)
            .first(where: { bytes.littleEndian(UInt32.self, at: $0) == 0x0605_4b50 }) else {
            throw fail("not a complete zip archive (no end-of-central-directory record; truncated?)")
        }
        var count = try u16(eocd + 10), size = try u32(eocd + 12), offset = try u32(eocd + 16)
        if count == 0xffff || size == 0xffff_ffff || offset == 0xffff_ffff {
            // Zip64: a locator just before the record gives the position of the 64-bit record.
            guard eocd >= 20, bytes.littleEndian(UInt32.self, at: eocd - 20) == 0x0706_4b50 else { throw fail("zip64 locator is missing") }
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
            let crc = UInt32(try u32(p + 16))
            var stored = try u32(p + 20), uncompressed = try u32(p + 24)
            let nameLength = try u16(p + 28), extraLength = try u16(p + 30), commentLength = try u16(p + 32)
            var local = try u32(p + 42)
            guard let nameBytes = bytes.slice(p + 46 ..< p + 46 + nameLength),
                  let extra = bytes.slice(p + 46 + nameLength ..< p + 46 + nameLength + extraLength) else {
                throw fail("zip central directory runs past the end of the file (truncated?)")
            }
            guard let name = String(validating: nameBytes, as: UTF8.self) else {
                throw fail("zip entry name is not UTF-8 text")
            }
            if stored == 0xffff_ffff || uncompressed == 0xffff_ffff || local == 0xffff_ffff {
                // 64-bit values, in this order, for those fields that hold 0xffffffff.
                var values = try Self.zip64Values(extra, fail: fail)[...]
                func next(_ what: String) throws -> Int {
                    guard let v = values.popFirst() else { throw fail("zip64 \(what) missing for \(name.quotedForMessage)") }
                    return v
                }
                if uncompressed == 0xffff_ffff { uncompressed = try next("size") }
                if stored == 0xffff_ffff { stored = try next("size") }
                if local == 0xffff_ffff { local = try next("offset") }
            }
            p += 46 + nameLength + extraLength + commentLength

            // The local header must describe the same entry: a reader that trusts one and a tool
            // that trusts the other must not see different bytes.
            guard bytes.littleEndian(UInt32.self, at: local) == 0x0403_4b50 else {
                throw fail("zip entry \(name.quotedForMessage) has a damaged local header")
            }
            let flags = try u16(local + 6)
            let localNameLength = try u16(local + 26), localExtraLength = try u16(local + 28)
            guard let localName = bytes.slice(local + 30 ..< local + 30 + localNameLength),
                  localName.elementsEqual(nameBytes) else {
                throw fail("zip entry \(name.quotedForMessage): its local header names another entry")
            }
            guard UInt16(try u16(local + 8)) == method else {
                throw fail("zip entry \(name.quotedForMessage): local header and central directory disagree on the compression method")
            }
            if flags & 0x8 == 0 {  // sizes and CRC in the local header (else in a data descriptor)
                let localCRC = UInt32(try u32(local + 14)), localStored = try u32(local + 18), localSize = try u32(local + 22)
                guard localCRC == crc,
                      localStored == stored || localStored == 0xffff_ffff,
                      localSize == uncompressed || localSize == 0xffff_ffff else {
                    throw fail("zip entry \(name.quotedForMessage): local header and central directory disagree on its CRC-32 or sizes")
                }
            }
            let start = local + 30 + localNameLength + localExtraLength
            guard start <= bytes.count, stored <= bytes.count - start else {
                throw fail("zip entry \(name.quotedForMessage) runs past the end of the file (truncated?)")
            }
            if flags & 0x8 != 0 {
                // The data descriptor after the data (torch.save writes one): an optional
                // signature, then the CRC-32.
                let at = start + stored
                let first = bytes.littleEndian(UInt32.self, at: at), second = bytes.littleEndian(UInt32.self, at: at + 4)
                guard first == crc || (first == 0x0807_4b50 && second == crc) else {
                    throw fail("zip entry \(name.quotedForMessage): its data descriptor and the central directory disagree on its CRC-32")
                }
            }
            if method == 0, stored != uncompressed {
                throw fail("zip entry \(name.quotedForMessage) is stored but declares \(stored) stored and \(uncompressed) uncompressed bytes")
            }
            let entry = Entry(method: method, crc32: crc, bytes: start ..< start + stored, uncompressedSize: uncompressed)
            guard entries.updateValue(entry, forKey: name) == nil else {
                throw fail("zip archive holds two entries named \(name.quotedForMessage)")
            }
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

    /// The bytes of a stored entry, CRC-checked; nil when there is no such entry.
    func contents(_ name: String) throws -> UnsafeRawBufferPointer? {
        guard let entry = entries[name] else { return nil }
        guard entry.method == 0 else {
            throw SC2Error("\(file.path): zip entry \(name.quotedForMessage) is compressed (method \(entry.method)); torch.save writes uncompressed archives")
        }
        let data = file.bytes.slice(entry.bytes)!
        if !verified.contains(name) {
            try checkCRC(data, entry, name)
            verified.insert(name)
        }
        return data
    }

    /// The contents of a stored or deflated entry, CRC-checked, refused when larger than `limit`
    /// bytes; nil when there is no such entry.
    package func data(_ name: String, limit: Int) throws -> [UInt8]? {
        guard let entry = entries[name] else { return nil }
        func fail(_ why: String) -> SC2Error { SC2Error("\(file.path): zip entry \(name.quotedForMessage) \(why)") }
        guard entry.uncompressedSize <= limit else { throw fail("declares \(entry.uncompressedSize) bytes, more than the \(limit) allowed") }
        switch entry.method {
        case 0:
            return Array(try contents(name)!)
        case 8:
            var out = [UInt8](repeating: 0, count: entry.uncompressedSize)
            let produced = try Self.inflate(file.bytes.slice(entry.bytes)!, into: &out, fail: fail)
            guard produced == entry.uncompressedSize else {
                throw fail("inflates to \(produced) bytes, not the \(entry.uncompressedSize) its header declares")
            }
            try out.withUnsafeBytes { try checkCRC($0, entry, name) }
            return out
        default:
            throw fail("uses compression method \(entry.method); only stored and deflated entries can be read")
        }
    }

    private func checkCRC(_ data: UnsafeRawBufferPointer, _ entry: Entry, _ name: String) throws {
        let crc = data.isEmpty ? 0 : UInt32(truncatingIfNeeded: crc32_z(0, data.baseAddress!.assumingMemoryBound(to: UInt8.self), data.count))
        guard crc == entry.crc32 else {
            throw SC2Error("\(file.path): zip entry \(name.quotedForMessage) fails its CRC-32 check (damaged file)")
        }
    }

    /// Raw deflate of `input` into `out`, never past its end; the number of bytes produced.
    /// Output that would not fit, or a stream that does not end, is an error.
    private static func inflate(_ input: UnsafeRawBufferPointer, into out: inout [UInt8], fail: (String) -> SC2Error) throws -> Int {
        guard input.count <= Int(UInt32.max), out.count <= Int(UInt32.max) else { throw fail("is too large to inflate (over 4 GiB)") }
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw fail("cannot be inflated (zlib)") }
        defer { inflateEnd(&stream) }
        let capacity = out.count
        var spare: UInt8 = 0
        return try out.withUnsafeMutableBufferPointer { o -> Int in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
            stream.avail_in = UInt32(clamping: input.count)
            stream.next_out = capacity > 0 ? o.baseAddress : withUnsafeMutablePointer(to: &spare) { $0 }
            stream.avail_out = UInt32(clamping: capacity)
            while true {
                let status = CZlib.inflate(&stream, Z_FINISH)
                if status == Z_STREAM_END { break }
                let produced = capacity - Int(stream.avail_out)
                if status == Z_BUF_ERROR && stream.avail_out == 0 {
                    throw fail("inflates to more than the \(capacity) bytes its header declares")
                }
                if status == Z_BUF_ERROR && stream.avail_in == 0 { throw fail("ends before its deflate stream does (truncated?)") }
                guard status == Z_OK, produced <= capacity else { throw fail("holds a damaged deflate stream") }
            }
            return capacity - Int(stream.avail_out)
        }
    }
}
