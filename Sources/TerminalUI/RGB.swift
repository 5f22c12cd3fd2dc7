/// An 8-bit sRGB colour, the currency of this module: pictures come in as RGB and are turned
/// into terminal colour numbers only at the last moment (see `ColorMode`).
public struct RGB: Hashable, Sendable, CustomStringConvertible {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    public static let black = RGB(0, 0, 0)
    public static let white = RGB(255, 255, 255)

    /// Relative luminance on the 0...255 scale (Rec. 709 weights applied to the stored values;
    /// good enough to order shades for an ASCII ramp).
    public var luminance: Double {
        0.2126 * Double(r) + 0.7152 * Double(g) + 0.0722 * Double(b)
    }

    /// Squared Euclidean distance in RGB space.
    public func distanceSquared(to other: RGB) -> Int {
        let dr = Int(r) - Int(other.r), dg = Int(g) - Int(other.g), db = Int(b) - Int(other.b)
        return dr * dr + dg * dg + db * db
    }

    public var description: String { "RGB(\(r), \(g), \(b))" }
}
