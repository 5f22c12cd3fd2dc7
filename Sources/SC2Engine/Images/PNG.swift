import Foundation
import CPNG
import CZlib

/// PNG read through libpng and written through libpng's simplified API or, for `.balanced`, as
/// chunks around zlib's deflate (never a hand-rolled deflate).
public enum PNG {
    /// How hard PNG writing compresses: a trade of size against time, measured on the 64 px model's
    /// pictures (docs/PERFORMANCE.md, "Writing pictures").
    public enum Compression: String, Sendable, CaseIterable {
        /// libpng's defaults: adaptive row filters, zlib level 6 (the smallest files).
        case smallest
        /// The Sub row filter and zlib level 1: about a third of the time, files about 1.2x larger.
        case balanced
        /// No row filter, zlib level 3 (libpng's `PNG_IMAGE_FLAG_FAST`): files about 1.7x larger.
        case fastest
    }

    /// Encodes to PNG bytes, in one pass: libpng's simplified API writes into a buffer sized for
    /// the worst case of these pixels (deflate's stored blocks), so deflate runs once (asking
    /// libpng for the size first would compress twice); `.balanced` is `encodeBalanced`.
    public static func encode(_ image: RGBImage, compression: Compression = .smallest) throws -> Data {
        if compression == .balanced { return try encodeBalanced(image) }
        let fast = compression == .fastest
        var img = png_image()
        img.version = UInt32(PNG_IMAGE_VERSION)
        img.width = UInt32(image.width)
        img.height = UInt32(image.height)
        img.format = UInt32(PNG_FORMAT_RGB)
        img.flags = fast ? UInt32(PNG_IMAGE_FLAG_FAST) : 0
        let raw = image.height * (image.width * 3 + 1)
        // Stored deflate blocks cost 5 bytes per 16 KiB; chunk headers, IHDR, sRGB and IEND a few hundred.
        var out = Data(count: raw + raw / 1000 + 5 * (raw / 16384 + 1) + 4096)
        var size = out.count
        let ok = out.withUnsafeMutableBytes { buf in
            image.pixels.withUnsafeBytes { px in
                png_image_write_to_memory(&img, buf.baseAddress, &size, 0, px.baseAddress, Int32(image.width * 3), nil)
            }
        }
        if ok == 0 && size > out.count {
            // The bound was too small after all (libpng reports the size it needs): once more.
            img.warning_or_error = 0
            out = Data(count: size)
            let again = out.withUnsafeMutableBytes { buf in
                image.pixels.withUnsafeBytes { px in
                    png_image_write_to_memory(&img, buf.baseAddress, &size, 0, px.baseAddress, Int32(image.width * 3), nil)
                }
            }
            guard again != 0 else { throw SC2Error("PNG encoding failed: \(warning(img))") }
        } else {
            guard ok != 0, size > 0 else { throw SC2Error("PNG encoding failed: \(warning(img))") }
        }
        out.count = size
        return out
    }

    /// Writes atomically (temp file, then rename).
    public static func write(_ image: RGBImage, to url: URL, compression: Compression = .smallest) throws {
        try AtomicWrite.write(try encode(image, compression: compression), to: url)
    }

    /// `.balanced`: libpng's simplified API chooses neither filter nor level, so this one writes the
    /// file itself: the signature, IHDR (8-bit RGB, not interlaced), one IDAT holding zlib's level-1
    /// deflate of the rows, each with the Sub filter (type 1: every byte minus the byte 3 to its
    /// left), and IEND, each chunk with its CRC-32 (zlib's crc32). Reading stays with libpng.
    static func encodeBalanced(_ image: RGBImage) throws -> Data {
        let w = image.width, h = image.height, stride = 3 * w
        guard w > 0, h > 0, w <= maxSide, h <= maxSide, image.pixels.count == stride * h else {
            throw SC2Error("PNG encoding failed: \(w)x\(h) picture with \(image.pixels.count) bytes")
        }
        var filtered = [UInt8](repeating: 0, count: h * (stride + 1))
        image.pixels.withUnsafeBufferPointer { px in
            filtered.withUnsafeMutableBufferPointer { f in
                for y in 0..<h {
                    let src = px.baseAddress! + y * stride, dst = f.baseAddress! + y * (stride + 1)
                    dst[0] = 1
                    for i in 0..<min(3, stride) { dst[1 + i] = src[i] }
                    for i in 3..<max(3, stride) { dst[1 + i] = src[i] &- src[i - 3] }
                }
            }
        }
        var bound = compressBound(uLong(filtered.count))
        var deflated = [UInt8](repeating: 0, count: Int(bound))
        let status = deflated.withUnsafeMutableBufferPointer { d in
            filtered.withUnsafeBufferPointer { f in compress2(d.baseAddress!, &bound, f.baseAddress!, uLong(f.count), 1) }
        }
        guard status == Z_OK else { throw SC2Error("PNG encoding failed: zlib status \(status)") }
        var out = Data(capacity: Int(bound) + 64)
        out.append(contentsOf: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func chunk(_ type: String, _ body: ArraySlice<UInt8>) {
            let typeBytes = Array(type.utf8)
            out.append(contentsOf: be32(UInt32(body.count)))
            out.append(contentsOf: typeBytes)
            out.append(contentsOf: body)
            var crc = typeBytes.withUnsafeBufferPointer { crc32(0, $0.baseAddress!, 4) }
            crc = body.withUnsafeBufferPointer { b in b.isEmpty ? crc : crc32(crc, b.baseAddress!, uInt(b.count)) }
            out.append(contentsOf: be32(UInt32(crc)))
        }
        chunk("IHDR", ArraySlice(be32(UInt32(w)) + be32(UInt32(h)) + [8, 2, 0, 0, 0]))
        chunk("IDAT", deflated[0..<Int(bound)])
        chunk("IEND", [])
        return out
    }

    /// Reads any PNG libpng understands, converted to 8-bit RGB (alpha composited on black).
    public static func read(_ url: URL) throws -> RGBImage {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw SC2Error("\(url.path): cannot read file")
        }
        return try decode(data, name: url.path)
    }

    /// Larger pictures are refused before any pixel is decoded.
    public static let maxSide = 16384
    public static let maxPixels = 64_000_000

    public static func decode(_ data: Data, name: String = "PNG") throws -> RGBImage {
        // libpng reads from the buffer until finish_read: both calls under one borrow of it.
        try data.withUnsafeBytes { try decode($0, name: name) }
    }

    package static func decode(_ bytes: UnsafeRawBufferPointer, name: String) throws -> RGBImage {
        var img = png_image()
        img.version = UInt32(PNG_IMAGE_VERSION)
        guard let base = bytes.baseAddress, png_image_begin_read_from_memory(&img, base, bytes.count) != 0 else {
            throw SC2Error("\(name): not a readable PNG (\(bytes.isEmpty ? "empty file" : warning(img)))")
        }
        img.format = UInt32(PNG_FORMAT_RGB)
        let w = Int(img.width), h = Int(img.height)
        // Both sides are bounded before they are multiplied (a header may claim 2^31 x 2^31).
        guard (1...maxSide).contains(w), (1...maxSide).contains(h), w * h <= maxPixels else {
            png_image_free(&img)
            throw SC2Error("\(name): unsupported PNG size \(w)x\(h) (at most \(maxSide) a side and \(maxPixels) pixels)")
        }
        var px = [UInt8](repeating: 0, count: w * h * 3)
        let ok = px.withUnsafeMutableBytes { png_image_finish_read(&img, nil, $0.baseAddress, Int32(w * 3), nil) }
        guard ok != 0 else { throw SC2Error("\(name): corrupt PNG (\(warning(img)))") }
        return RGBImage(width: w, height: h, pixels: px)
    }

    private static func warning(_ img: png_image) -> String {
        var m = img.message
        return withUnsafeBytes(of: &m) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
