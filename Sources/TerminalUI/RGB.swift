/// An 8-bit sRGB colour, the currency of this module: pictures come in as RGB and are turned
/// into terminal colour numbers only at the last moment (see `ColorMode`).
package struct RGB: Hashable, Sendable, CustomStringConvertible {
    package var r: UInt8
    package var g: UInt8
    package var b: UInt8

    package init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    package static let black = RGB(0, 0, 0)
    package static let white = RGB(255, 255, 255)

    /// Relative luminance on the 0...255 scale (Rec. 709 weights applied to the stored values;
    /// good enough to order shades for an ASCII ramp).
    package var luminance: Double {
        0.2126 * Double(r) + 0.7152 * Double(g) + 0.0722 * Double(b)
    }

    /// Squared Euclidean distance in RGB space.
    package func distanceSquared(to other: RGB) -> Int {
        let dr = Int(r) - Int(other.r), dg = Int(g) - Int(other.g), db = Int(b) - Int(other.b)
        return dr * dr + dg * dg + db * db
    }

    package var description: String { "RGB(\(r), \(g), \(b))" }
}
