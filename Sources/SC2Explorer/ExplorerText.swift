import Foundation

/// Pure text formatting of the explorer's lines (no terminal needed, so tests can check it).
enum ExplorerText {
    /// Width of the numbers after a bar: " 0.71 +0.42".
    static let numbersWidth = 11

    /// A bar `width` cells wide filled to `value` (0...1).
    static func bar(_ value: Float, width: Int, glyphs: Glyphs) -> (filled: String, empty: String) {
        guard width > 0 else { return ("", "") }
        let v = value.isFinite ? max(0, min(1, value)) : 0
        let steps = glyphs.barEighths.count + 1             // parts per cell
        let units = Int((v * Float(width * steps)).rounded())
        let full = units / steps, part = units % steps
        var filled = String(repeating: glyphs.barFull, count: full)
        var used = full
        if part > 0, used < width {
            filled.append(glyphs.barEighths[part - 1])
            used += 1
        }
        return (filled, String(repeating: glyphs.barEmpty, count: width - used))
    }

    /// "0.71" for a score.
    static func score(_ v: Float) -> String {
        v.isFinite ? String(format: "%.2f", v) : " nan"
    }

    /// "+0.42" / "-0.07" / " 0.00" for a change of score.
    static func change(_ d: Float) -> String {
        guard d.isFinite else { return "  nan" }
        let r = (d * 100).rounded() / 100
        if r == 0 { return " 0.00" }
        return String(format: "%+.2f", r)
    }

    /// "+2" / "0" / "-3".
    static func signed(_ n: Int) -> String { n > 0 ? "+\(n)" : "\(n)" }

    /// "+1.50" for an alpha.
    static func signed(_ x: Float) -> String {
        let r = (x * 100).rounded() / 100
        return r == 0 ? "0.00" : String(format: "%+.2f", r)
    }

    /// `s` cut to `width` characters (ending in `ellipsis` when cut).
    static func fit(_ s: String, _ width: Int, ellipsis: String = "…") -> String {
        guard width > 0 else { return "" }
        guard s.count > width else { return s }
        let e = ellipsis.count < width ? ellipsis : ""
        return String(s.prefix(width - e.count)) + e
    }

    /// `s` padded with spaces (or cut) to exactly `width` characters.
    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? String(s.prefix(width)) : s + String(repeating: " ", count: width - s.count)
    }

    /// Words of `text` wrapped into lines of at most `width` characters (long words are cut).
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            var w = String(word)
            while w.count > width {
                if !line.isEmpty { lines.append(line); line = "" }
                lines.append(String(w.prefix(width)))
                w = String(w.dropFirst(width))
            }
            if line.isEmpty {
                line = w
            } else if line.count + 1 + w.count <= width {
                line += " " + w
            } else {
                lines.append(line)
                line = w
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// How strongly a score change in a non-target attribute counts as leakage.
    enum Leak: Equatable { case none, some, strong }

    /// |change| > 0.2 is strong leakage, > 0.1 some.
    static func leak(_ change: Float) -> Leak {
        let a = abs(change)
        return a > 0.2 ? .strong : (a > 0.1 ? .some : .none)
    }
}
