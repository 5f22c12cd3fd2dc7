import Foundation

/// One entry of the explorer's key map: the one list the help overlay, the footer and
/// `sc2gan explore --help` are written from (`ExplorerState.handle` implements them).
package struct KeyBinding: Sendable {
    /// The keys as the help shows them, and the short form the footer uses.
    package let keys: String
    package let footerKeys: String
    /// What they do, in the help and in the footer.
    package let action: String
    package let footerAction: String
    /// 0: in every footer; 1: in the medium one; 2: only in the full one.
    package let priority: Int

    /// The key map, with the glyphs of the terminal (arrows or ASCII) and the step size.
    static func all(_ g: Glyphs, stepSize: Float? = nil, equalEffect: Bool = false) -> [KeyBinding] {
        let step = equalEffect ? " (equal effect: each pane's \(g.alpha) in its title)"
            : stepSize.map { " (\(g.alpha) = step \(g.unicode ? "×" : "x") \(String(format: "%.2f", $0)))" } ?? ""
        return [
            KeyBinding(keys: g.leftRight, footerKeys: g.leftRight, action: "step along the directions" + step, footerAction: "step", priority: 1),
            KeyBinding(keys: "0", footerKeys: "0", action: "back to step 0", footerAction: "start", priority: 2),
            KeyBinding(keys: "\(g.upDown) Tab", footerKeys: g.upDown, action: "previous / next attribute", footerAction: "attribute", priority: 1),
            KeyBinding(keys: "b", footerKeys: "b", action: "next base method (SVM, class means, GANSpace, ... as the library holds them)", footerAction: "base", priority: 2),
            KeyBinding(keys: "r", footerKeys: "r", action: "edit on other W+ rows: each direction's own, then StyleGAN's coarse (4-8 px), middle (16-32 px), fine (64 px up) styles", footerAction: "rows", priority: 2),
            KeyBinding(keys: "n / p", footerKeys: "n/p", action: "next / previous seed without the attribute", footerAction: "seed", priority: 1),
            KeyBinding(keys: "s", footerKeys: "s", action: "type a seed (Enter to go, Esc to cancel)", footerAction: "seed#", priority: 2),
            KeyBinding(keys: "m", footerKeys: "m", action: "three panes, or one large pane per method", footerAction: "layout", priority: 1),
            KeyBinding(keys: "a", footerKeys: "a", action: "equal effect (each direction's step calibrated to move the target alike) / equal \(g.alpha)", footerAction: "effect/\(g.alpha)", priority: 1),
            KeyBinding(keys: "t", footerKeys: "t", action: "show / hide the trajectory chart (target and most-moved attribute by step)", footerAction: "chart", priority: 2),
            KeyBinding(keys: "g", footerKeys: "g", action: "grid: as many calibration faces as fit, a row per method, faces marked where the correlated attribute flipped", footerAction: "grid", priority: 1),
            KeyBinding(keys: "d", footerKeys: "d", action: "show / hide where the picture changed since step 0 (heat map)", footerAction: "diff", priority: 1),
            KeyBinding(keys: "e", footerKeys: "e", action: "export pictures, strip and JSON", footerAction: "export", priority: 1),
            KeyBinding(keys: "c", footerKeys: "c", action: "compute the missing directions of this attribute", footerAction: "compute", priority: 2),
            KeyBinding(keys: "?", footerKeys: "?", action: "this help", footerAction: "help", priority: 0),
            KeyBinding(keys: "q  Ctrl-C", footerKeys: "q", action: "quit", footerAction: "quit", priority: 0),
        ]
    }

    /// The footer's key list at most `priority` deep.
    static func footer(_ g: Glyphs, upTo priority: Int) -> String {
        all(g).filter { $0.priority <= priority }.map { "\($0.footerKeys) \($0.footerAction)" }.joined(separator: "  ")
    }

    /// One sentence for `--help` and documents: "Keys: ←/→ step along the directions, ...".
    package static var summary: String {
        "Keys: " + all(.ascii).map { "\($0.keys) \($0.action)" }.joined(separator: ", ") + "."
    }
}
