

/// How many colours the terminal can show, and how an `RGB` becomes a terminal colour number.
///
/// Colour numbers are what `init_extended_pair` takes: in `.direct24` (e.g. TERM=xterm-direct)
/// the number *is* 0xRRGGBB; in `.palette256` it is an xterm-256 palette index; in `.basic8`
/// one of the ANSI colours 0...7. `-1` means the terminal's default colour everywhere.
package enum ColorMode: Equatable, Sendable, CustomStringConvertible {
    case direct24
    case palette256
    case basic8
    case mono

    /// The terminal's default foreground or background (valid after `use_default_colors`).
    package static let defaultColor: Int32 = -1

    /// The mode a terminal reporting `colors` colours (ncurses `COLORS`) supports.
    package init(colorCount colors: Int) {
        if colors >= 16_777_216 {
            self = .direct24
        } else if colors >= 256 {
            self = .palette256
        } else if colors >= 8 {
            self = .basic8
        } else {
            self = .mono
        }
    }

    /// Whether this mode shows colour at all.
    package var hasColor: Bool { self != .mono }

    /// The terminal colour number for `color` (`defaultColor` in `.mono`).
    package func colorNumber(for color: RGB) -> Int32 {
        switch self {
        case .direct24: return ColorQuantizer.directValue(color)
        case .palette256: return Int32(ColorQuantizer.xterm256Index(color))
        case .basic8: return Int32(ColorQuantizer.basic8Index(color))
        case .mono: return ColorMode.defaultColor
        }
    }

    /// The colour a terminal colour number of this mode shows; nil for the default colour.
    package func rgb(forColorNumber number: Int32) -> RGB? {
        guard number >= 0 else { return nil }
        switch self {
        case .direct24:
            return RGB(UInt8((number >> 16) & 0xFF), UInt8((number >> 8) & 0xFF), UInt8(number & 0xFF))
        case .palette256:
            return ColorQuantizer.xterm256Color(Int(number & 0xFF))
        case .basic8, .mono:
            return ColorQuantizer.basic8Color(Int(number & 7))
        }
    }

    package var description: String {
        switch self {
        case .direct24: return "24-bit colour"
        case .palette256: return "256 colours"
        case .basic8: return "8 colours"
        case .mono: return "monochrome"
        }
    }
}
