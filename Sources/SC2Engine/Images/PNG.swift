import Foundation
import CPNG

/// PNG through libpng's simplified API (never a hand-rolled deflate).
public enum PNG {
    /// Encodes to PNG bytes, in one pass: libpng's simplified API writes into a buffer sized for
    /// the worst case of these pixels (deflate's stored blocks), so deflate runs once (asking
    /// libpng for the size first would compress twice). `fast`: no row filters and zlib level 3
    /// (`PNG_IMAGE_FLAG_FAST`), about 3x faster and 1.7x larger on 64 px faces
    /// (docs/PERFORMANCE.md, "Writing pictures").
    public static func encode(_ image: RGBImage, fast: Bool = false) throws -> Data {
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
    public static func write(_ image: RGBImage, to url: URL, fast: Bool = false) throws {
        try AtomicWrite.write(try encode(image, fast: fast), to: url)
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
