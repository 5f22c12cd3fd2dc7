import Foundation
import Resampling

/// An 8-bit RGB picture, rows top to bottom, pixels interleaved (r, g, b).
public struct RGBImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "pixel count does not match size")
        self.width = width; self.height = height; self.pixels = pixels
    }

    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8) = (0, 0, 0)) {
        self.width = width; self.height = height
        var p = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) { p[3 * i] = fill.0; p[3 * i + 1] = fill.1; p[3 * i + 2] = fill.2 }
        self.pixels = p
    }

    @inlinable public subscript(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        get { let i = 3 * (y * width + x); return (pixels[i], pixels[i + 1], pixels[i + 2]) }
        set { let i = 3 * (y * width + x); pixels[i] = newValue.0; pixels[i + 1] = newValue.1; pixels[i + 2] = newValue.2 }
    }

    /// The reference generate script's 8-bit conversion of one value in about [-1, 1]:
    /// clamp(v * 127.5 + 128, 0, 255), truncated; NaN becomes 0. The one place it is written.
    @inlinable public static func quantize(_ v: Float) -> UInt8 {
        let x = v * 127.5 + 128
        return x.isNaN ? 0 : UInt8(min(max(x, 0), 255))
    }

    /// `quantize` of every value. `chw` holds 3 planes of height*width floats in about [-1, 1].
    public init(planarCHW chw: UnsafeBufferPointer<Float>, width: Int, height: Int) {
        precondition(chw.count >= 3 * width * height)
        var p = [UInt8](repeating: 0, count: width * height * 3)
        let plane = width * height
        for c in 0..<3 {
            for i in 0..<plane {
                p[3 * i + c] = RGBImage.quantize(chw[c * plane + i])
            }
        }
        self.init(width: width, height: height, pixels: p)
    }

    /// Planar floats in [-1, 1] (inverse of the 8-bit conversion, up to quantisation).
    public func planarCHW() -> [Float] {
        let plane = width * height
        var out = [Float](repeating: 0, count: 3 * plane)
        for i in 0..<plane {
            for c in 0..<3 { out[c * plane + i] = (Float(pixels[3 * i + c]) - 127.5) / 127.5 }
        }
        return out
    }

    /// Area-average resize (`AreaAverage`: torch's mode="area", each channel's mean rounded to
    /// the nearest integer).
    public func resized(width w: Int, height h: Int) -> RGBImage {
        if w == width && h == height { return self }
        return RGBImage(width: w, height: h,
                        pixels: AreaAverage.resize(pixels, width: width, height: height, channels: 3, toWidth: w, toHeight: h))
    }

    /// Lays images out in a grid with `gap` pixels of `background` between them.
    public static func grid(_ images: [RGBImage], columns: Int, gap: Int = 2,
                            background: (UInt8, UInt8, UInt8) = (255, 255, 255)) -> RGBImage {
        guard let first = images.first else { return RGBImage(width: 1, height: 1) }
        let cols = max(1, min(columns, images.count))
        let rows = (images.count + cols - 1) / cols
        let cw = first.width, ch = first.height
        var out = RGBImage(width: cols * cw + (cols + 1) * gap, height: rows * ch + (rows + 1) * gap, fill: background)
        for (k, img) in images.enumerated() {
            let ox = gap + (k % cols) * (cw + gap), oy = gap + (k / cols) * (ch + gap)
            let im = img.width == cw && img.height == ch ? img : img.resized(width: cw, height: ch)
            for y in 0..<ch { for x in 0..<cw { out[ox + x, oy + y] = im[x, y] } }
        }
        return out
    }
}

extension RGBImage {
    /// Nearest-neighbour enlargement by an integer factor (for figures of small models).
    public func scaled(by k: Int) -> RGBImage {
        guard k > 1 else { return self }
        var out = RGBImage(width: width * k, height: height * k)
        for y in 0..<(height * k) { for x in 0..<(width * k) { out[x, y] = self[x / k, y / k] } }
        return out
    }

    /// `image` drawn with its top-left corner at (x, y), clipped to this image.
    package mutating func paste(_ image: RGBImage, x: Int, y: Int) {
        for yy in 0..<image.height where y + yy >= 0 && y + yy < height {
            for xx in 0..<image.width where x + xx >= 0 && x + xx < width { self[x + xx, y + yy] = image[xx, yy] }
        }
    }

    /// A rectangle's outline, `thickness` pixels inside (x, y, w, h), clipped to this image.
    package mutating func outline(x: Int, y: Int, width w: Int, height h: Int, thickness: Int, color: (UInt8, UInt8, UInt8)) {
        for yy in y..<(y + h) where yy >= 0 && yy < height {
            for xx in x..<(x + w) where xx >= 0 && xx < width {
                let edge = yy < y + thickness || yy >= y + h - thickness || xx < x + thickness || xx >= x + w - thickness
                if edge { self[xx, yy] = color }
            }
        }
    }
}
