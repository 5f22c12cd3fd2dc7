

/// What the user asked for (`--colors`): the terminal's best, at most 256 colours, or ASCII
/// shading. Pure, so the choice of terminal description is testable without a terminal.
package enum ColorPreference: String, CaseIterable, Sendable {
    case automatic = "auto"
    case direct24 = "24bit"
    case palette256 = "256"
    case ascii

    /// Terminal descriptions to try before $TERM's own, in order. For 24-bit colour (asked for,
    /// or announced by COLORTERM=truecolor/24bit): "<base>-direct" ("xterm-256color" ->
    /// "xterm-direct", "tmux-256color" -> "tmux-direct"), then "xterm-direct". None when TERM
    /// already describes a direct-colour terminal, or when fewer colours are wanted.
    package func terminalCandidates(term: String?, colorTerm: String?) -> [String] {
        guard let term, !term.isEmpty, term != "dumb", !term.contains("direct") else { return [] }
        let announced = ["truecolor", "24bit"].contains((colorTerm ?? "").lowercased())
        guard self == .direct24 || (self == .automatic && announced) else { return [] }
        let base = term.split(separator: "-").first.map(String.init) ?? term
        let own = "\(base)-direct"
        return own == "xterm-direct" ? [own] : [own, "xterm-direct"]
    }

    /// The colour mode to use on a terminal that supports `mode`.
    package func limit(_ mode: ColorMode) -> ColorMode {
        switch self {
        case .automatic, .direct24: return mode
        case .palette256: return mode == .direct24 ? .palette256 : mode
        case .ascii: return .mono
        }
    }
}
