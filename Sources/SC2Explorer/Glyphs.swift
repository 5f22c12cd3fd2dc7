import Foundation

/// The symbols the explorer draws with: Unicode where the locale is UTF-8, ASCII otherwise.
struct Glyphs: Sendable {
    let barFull: Character
    let barEmpty: Character
    /// Partial cells for bars, 1/8 ... 7/8 (empty when only whole cells can be drawn).
    let barEighths: [Character]
    let separator: String
    let alpha: String
    let psi: String
    let delta: String
    let ellipsis: String
    let leftRight: String
    let upDown: String
    let dash: String
    let cursor: String
    let unicode: Bool

    static let unicode = Glyphs(barFull: "█", barEmpty: "░", barEighths: Array("▏▎▍▌▋▊▉"), separator: "│",
                                alpha: "α", psi: "ψ", delta: "Δ", ellipsis: "…", leftRight: "←/→", upDown: "↑/↓",
                                dash: "—", cursor: "▏", unicode: true)
    static let ascii = Glyphs(barFull: "#", barEmpty: ".", barEighths: [], separator: "|",
                              alpha: "a", psi: "psi", delta: "d", ellipsis: "...", leftRight: "Left/Right", upDown: "Up/Down",
                              dash: "-", cursor: "_", unicode: false)

    /// `text` with the few non-ASCII characters the explorer uses spelled in ASCII when needed.
    func text(_ s: String) -> String {
        guard !unicode else { return s }
        var out = s
        for (u, a) in [("—", "-"), ("²", "2"), ("α", "a"), ("ψ", "psi"), ("Δ", "d"), ("…", "..."), ("×", "x"),
                       ("│", "|"), ("←", "<-"), ("→", "->"), ("↑", "^"), ("↓", "v"), ("±", "+-"), ("·", "-"), ("`", "'")] {
            out = out.replacingOccurrences(of: u, with: a)
        }
        return String(out.unicodeScalars.map { $0.isASCII ? Character($0) : "?" })
    }
}
