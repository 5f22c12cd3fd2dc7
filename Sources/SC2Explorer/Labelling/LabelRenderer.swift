import SC2Engine
import TerminalUI

/// Draws the labelling view: a header with the counts, a grid of faces with each seed's label,
/// the cursor's tile marked, and a footer with the keys and the command that fits on the file.
struct LabelRenderer {
    let screen: TerminalSurface
    let glyphs: Glyphs
    static let tileMinWidth = 14
    static let tileMinRows = 9
    static let minWidth = 40
    static let minHeight = 12

    /// Columns and rows of tiles that fit `rows` x `columns` cells (header, footer, captions).
    static func grid(rows: Int, columns: Int) -> (columns: Int, rows: Int) {
        // Rows first, then as many columns as square faces of that height leave room for.
        let r = max(1, min(4, (rows - 3) / (tileMinRows + 1)))
        let tileH = (rows - 3) / r - 1
        let tileW = max(tileMinWidth, 2 * (tileH - 1) + 2)
        let c = max(1, min(8, (columns - 1) / (tileW + 1)))
        return (c, r)
    }

    static func color(_ l: HandLabels.Label?) -> RGB {
        switch l {
        case .present: return RGB(120, 220, 130)
        case .absent: return RGB(255, 120, 110)
        case .skip: return RGB(150, 150, 150)
        case nil: return RGB(200, 200, 200)
        }
    }

    func draw(_ s: LabelState, pictures: [UInt32: RGBImage], file: String) {
        screen.clear()
        let (h, w) = screen.size
        guard h >= Self.minHeight, w >= Self.minWidth else {
            screen.put("too small (labelling needs \(Self.minWidth)x\(Self.minHeight), this is \(w)x\(h))", y: 0, x: 0, maxWidth: w)
            screen.refresh()
            return
        }
        let mono = !screen.colorMode.hasColor
        let l = s.labels
        let head = " label \(l.attribute) \(glyphs.separator) \(l.count(.present)) present \(glyphs.separator) \(l.count(.absent)) absent \(glyphs.separator) \(l.count(.skip)) skipped \(glyphs.separator) \(file)"
        screen.put(ExplorerText.fit(glyphs.text(head), w, ellipsis: glyphs.ellipsis), y: 0, x: 0, style: mono ? .reverse : .bold,
                   foreground: ExplorerRenderer.headerText, background: ExplorerRenderer.headerBackground, maxWidth: w)

        let grid = Self.grid(rows: h, columns: w)
        let tileW = (w - 1) / grid.columns - 1, tileH = (h - 3) / grid.rows - 1
        for (i, seed) in s.pageSeeds.enumerated() {
            let row = i / grid.columns, col = i % grid.columns
            guard row < grid.rows else { break }
            let x = 1 + col * (tileW + 1), y = 1 + row * (tileH + 1)
            if let img = pictures[seed] {
                let canvas = HalfBlockCanvas(pixels: img.pixels, width: img.width, height: img.height, boxColumns: tileW, boxRows: tileH - 1)
                screen.draw(canvas, y: y, x: x)
            } else {
                screen.put("rendering\(glyphs.ellipsis)", y: y + (tileH - 1) / 2, x: x + 1, foreground: ExplorerRenderer.dimColor, maxWidth: tileW - 1)
            }
            let label = l.label(of: seed)
            let mark = label.map { $0 == .present ? "yes" : $0 == .absent ? "no" : "skip" } ?? "?"
            let selected = seed == s.cursor
            let caption = (selected ? (glyphs.unicode ? "▶ " : "> ") : "  ") + "\(seed) \(mark)"
            screen.put(ExplorerText.fit(caption, tileW, ellipsis: glyphs.ellipsis), y: y + tileH - 1, x: x,
                       style: selected ? (mono ? [.bold, .reverse] : [.bold, .reverse]) : (label == nil ? [] : .bold),
                       foreground: Self.color(label), maxWidth: tileW)
        }

        let keys = "y present  n absent  x skip  u undo  arrows move  [ ] page  ? help  q quit"
        let footer = s.status.map { "\($0)  \(glyphs.separator)  " + keys } ?? keys
        screen.put(ExplorerText.fit(glyphs.text(footer), w, ellipsis: glyphs.ellipsis), y: h - 1, x: 0, foreground: ExplorerRenderer.dimColor, maxWidth: w)
        if s.showsHelp { drawHelp(file: file, width: w, height: h) }
        screen.refresh()
    }

    private func drawHelp(file: String, width w: Int, height h: Int) {
        let lines = [
            "Labelling: does each face show the attribute?",
            "",
            "y 1 +      present        n 0 -      absent",
            "x Space    skip (unsure)  u Backspace undo the last",
            "arrows     move           [ ] PgUp PgDn  turn the page",
            "q          quit (every label is already saved)",
            "",
            "Each key saves \(file) at once; run the same command again to go on.",
            "Then: sc2gan directions fit --labels \(file) --out DIR.json",
            "",
            "any key closes this help",
        ]
        let bw = min(w - 2, (lines.map(\.count).max() ?? 0) + 4), bh = min(h - 2, lines.count + 2)
        let y0 = (h - bh) / 2, x0 = (w - bw) / 2
        for r in 0..<bh { screen.put(String(repeating: " ", count: bw), y: y0 + r, x: x0, background: ExplorerRenderer.helpBackground, maxWidth: bw) }
        for (i, line) in lines.enumerated() where i + 1 < bh - 1 {
            screen.put(ExplorerText.fit(glyphs.text(line), bw - 4, ellipsis: glyphs.ellipsis), y: y0 + 1 + i, x: x0 + 2,
                       foreground: ExplorerRenderer.headerText, background: ExplorerRenderer.helpBackground, maxWidth: bw - 4)
        }
    }
}
