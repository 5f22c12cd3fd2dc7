import Foundation
import SC2Engine
import TerminalUI

/// Draws one frame of the explorer from state and view: header, panes (picture, score bars),
/// footer, help overlay, or the too-small message. Stateless apart from the screen it draws on.
struct ExplorerRenderer {
    let screen: TerminalSurface
    let glyphs: Glyphs

    // Colours (ignored in monochrome, where styles carry the meaning).
    static let headerBackground = RGB(20, 60, 120)
    static let headerText = RGB(235, 240, 250)
    static let targetColor = RGB(95, 200, 255)
    static let strongLeakColor = RGB(255, 90, 90)
    static let someLeakColor = RGB(235, 190, 70)
    static let barColor = RGB(165, 165, 165)
    static let emptyBarColor = RGB(80, 80, 80)
    static let dimColor = RGB(140, 140, 140)
    static let warnColor = RGB(240, 200, 90)
    static let helpBackground = RGB(24, 24, 32)

    static func methodColor(_ m: DirectionMethod) -> RGB {
        switch m {
        case .original: return RGB(255, 170, 85)
        case .conditional: return RGB(190, 150, 255)
        case .corrected: return RGB(120, 220, 130)
        }
    }

    /// Smallest picture area per pane: bars need about 26 columns.
    static let minPaneWidth = 26
    static let minImageRows = 5
    /// In one large pane, text goes beside the picture from this width on.
    static let sideTextMinWidth = 90

    private var mono: Bool { !screen.colorMode.hasColor }

    /// Most score bars under a picture: a predictor with more attributes (CelebA's 40) shows the
    /// target and the attributes that changed most since step 0.
    static let maxBars = 8

    /// Bar rows for `scoreCount` attributes.
    static func barRows(_ scoreCount: Int) -> Int { min(max(1, scoreCount), maxBars) }

    /// Text lines under each picture: a summary line and one bar per attribute (at most `maxBars`).
    static func textLines(scoreCount: Int) -> Int { 1 + barRows(scoreCount) }

    /// The attributes whose bars are drawn in `rows` rows, by index: all of them in order when
    /// they fit; else the target first, then the largest changes since step 0 in any pane (the
    /// same choice for every pane, so panes compare row by row), ties in the predictor's order.
    static func shownAttributes(_ view: ExplorerView, target: String?, rows: Int) -> [Int] {
        let n = view.scoreNames.count
        guard n > rows else { return Array(0..<n) }
        var change = [Float](repeating: 0, count: n)
        if let r = view.result, let base = r.base.scores {
            for p in r.pictures.values {
                guard let s = p.scores else { continue }
                for i in 0..<min(n, s.count, base.count) where s[i].isFinite && base[i].isFinite { change[i] = max(change[i], abs(s[i] - base[i])) }
            }
        }
        let t = target.flatMap { view.scoreNames.firstIndex(of: $0) }
        let rest = (0..<n).filter { $0 != t }.sorted { change[$0] != change[$1] ? change[$0] > change[$1] : $0 < $1 }
        return Array(((t.map { [$0] } ?? []) + rest).prefix(max(0, rows)))
    }

    func layout(paneCount: Int, view: ExplorerView, width: Int, height: Int) -> Layout.Result {
        Layout.make(width: width, height: height, paneCount: paneCount,
                    textLines: ExplorerRenderer.textLines(scoreCount: view.scoreNames.count),
                    minImageWidth: ExplorerRenderer.minPaneWidth, minImageHeight: ExplorerRenderer.minImageRows)
    }

    func draw(_ state: ExplorerState, _ view: ExplorerView) {
        screen.clear()
        let (height, width) = screen.size
        switch layout(paneCount: state.layoutMode.methods.count, view: view, width: width, height: height) {
        case .tooSmall(let minWidth, let minHeight):
            drawTooSmall(state: state, view: view, width: width, height: height, minWidth: minWidth, minHeight: minHeight)
        case .fits(let layout):
            drawHeader(state, view, layout.header)
            if case .single(let m) = state.layoutMode, let pane = layout.panes.first {
                drawSingle(m, pane: pane, state: state, view: view)
            } else {
                let narrowest = layout.panes.map(\.frame.width).min() ?? 0
                for (m, pane) in zip(state.layoutMode.methods, layout.panes) {
                    let (title, picture, text) = stacked(pane, pictureWidth: narrowest, view: view)
                    drawPane(m, title: title, picture: picture, text: text, state: state, view: view, detailed: false)
                }
            }
            drawFooter(state, view, layout.footer)
            if state.showsHelp { drawHelp(state, width: width, height: height) }
        }
    }

    // MARK: header and footer

    private func drawHeader(_ s: ExplorerState, _ v: ExplorerView, _ r: Rect) {
        let sep = " \(glyphs.separator) "
        let attr = s.attribute.map { "\($0) \(s.attributeIndex + 1)/\(s.attributes.count)" + (v.base == DirectionLibrary.defaultBase ? "" : " [\(v.base)]") } ?? "no attributes"
        let walk = "step \(ExplorerText.signed(s.step))  \(glyphs.alpha) \(ExplorerText.signed(s.alpha))"
        let psi = "\(glyphs.psi) \(String(format: "%.2f", v.truncation))"
        let model = "\(v.modelName) #\(v.modelHash.prefix(8)) \(v.resolution)\(glyphs.unicode ? "×" : "x")\(v.resolution)"
        var busy = ""
        if let j = v.job, !j.finished {
            busy = "computing \(j.attribute) \(Int((j.fraction * 100).rounded()))%"
        } else if v.rendering {
            busy = "rendering\(glyphs.ellipsis)"
        } else if v.result?.refining == true {
            busy = "refining\(glyphs.ellipsis)"
        }
        let candidates = [
            ["sc2gan", model, "seed \(s.seed)", attr, walk, psi],
            ["sc2gan", "#\(v.modelHash.prefix(8))", "seed \(s.seed)", attr, walk, psi],
            ["seed \(s.seed)", attr, walk],
        ]
        let room = r.width - (busy.isEmpty ? 1 : busy.count + 3)
        var text = candidates.last!.joined(separator: sep)
        for c in candidates where c.joined(separator: sep).count + 1 <= room {
            text = c.joined(separator: sep)
            break
        }
        let style: TextStyle = mono ? [.reverse, .bold] : [.bold]
        put(String(repeating: " ", count: r.width), r.y, r.x, style: style,
            fg: ExplorerRenderer.headerText, bg: ExplorerRenderer.headerBackground)
        put(" " + text, r.y, r.x, style: style, fg: ExplorerRenderer.headerText, bg: ExplorerRenderer.headerBackground, width: r.width)
        if !busy.isEmpty, busy.count + 2 < r.width {
            put(busy + " ", r.y, r.x + r.width - busy.count - 1, style: style,
                fg: ExplorerRenderer.warnColor, bg: ExplorerRenderer.headerBackground)
        }
    }

    /// The key list, from the most to the least complete, for the footer.
    private var keyHints: [String] {
        [2, 1, 0].map { KeyBinding.footer(glyphs, upTo: $0) }
    }

    private func drawFooter(_ s: ExplorerState, _ v: ExplorerView, _ r: Rect) {
        if let typed = s.seedPrompt {
            let label = " seed: "
            put(label, r.y, r.x, style: .bold, fg: ExplorerRenderer.targetColor)
            put(typed + glyphs.cursor, r.y, r.x + label.count, style: .bold)
            let hint = "  Enter go \(glyphs.separator) Esc cancel \(glyphs.separator) digits only"
            put(hint, r.y, r.x + label.count + typed.count + 1, fg: ExplorerRenderer.dimColor, width: r.width - label.count - typed.count - 1)
            return
        }
        var x = r.x + 1
        var left = r.width - 1
        if let j = v.job, !j.finished {
            let pct = "\(Int((j.fraction * 100).rounded()))%"
            let barWidth = min(12, max(4, left / 10))
            let (filled, empty) = ExplorerText.bar(Float(j.fraction), width: barWidth, glyphs: glyphs)
            let head = "computing \(j.attribute) "
            put(head, r.y, x, style: .bold, fg: ExplorerRenderer.warnColor, width: left)
            x += head.count
            put(filled, r.y, x, fg: ExplorerRenderer.warnColor, width: r.x + r.width - x)
            put(empty, r.y, x + filled.count, fg: ExplorerRenderer.emptyBarColor, width: r.x + r.width - x - filled.count)
            x += barWidth
            let tail = " \(pct) \(glyphs.text(j.phase))  \(glyphs.separator) "
            put(tail, r.y, x, fg: ExplorerRenderer.warnColor, width: r.x + r.width - x)
            x += tail.count
            left = r.x + r.width - x
        }
        guard left > 0 else { return }
        if let status = s.status.map(glyphs.text), !status.isEmpty {
            let isError = status.contains("failed") || status.contains("cannot") || status.contains("not writable")
            let color = isError ? ExplorerRenderer.strongLeakColor : ExplorerRenderer.headerText
            let shown = ExplorerText.fit(status, left, ellipsis: glyphs.ellipsis)
            put(shown, r.y, x, style: .bold, fg: mono ? nil : color)
            x += shown.count
            left -= shown.count
            let sep = "  \(glyphs.separator)  "
            if let keys = keyHints.first(where: { $0.count + sep.count <= left }) {
                put(sep + keys, r.y, x, fg: ExplorerRenderer.dimColor)
            }
        } else if let keys = keyHints.first(where: { $0.count <= left }) {
            put(keys, r.y, x, fg: ExplorerRenderer.dimColor)
        }
    }

    // MARK: panes

    /// The picture a pane shows: the edit when its direction exists, the unedited seed otherwise.
    private func picture(_ m: DirectionMethod, _ v: ExplorerView) -> Picture? {
        guard let r = v.result else { return nil }
        return r.pictures[m] ?? r.base
    }

    /// Title, picture and text of a pane stacked as one block (picture sized to fit), centred
    /// vertically in the pane so that the bars sit right under the picture.
    /// `pictureWidth` (at most the pane's width) keeps panes of slightly different widths aligned.
    private func stacked(_ pane: Layout.Pane, pictureWidth: Int? = nil, view: ExplorerView) -> (title: Rect, picture: Rect, text: Rect) {
        let f = pane.frame, lines = pane.text.height
        let room = max(1, f.height - lines - 2)  // title row and one blank row
        let rows = HalfBlockCanvas.fittedSize(width: view.resolution, height: view.resolution,
                                              boxColumns: min(f.width, pictureWidth ?? f.width), boxRows: room).height / 2
        let top = f.y + max(0, (f.height - (rows + lines + 2)) / 2)
        return (Rect(y: top, x: f.x, height: 1, width: f.width),
                Rect(y: top + 1, x: f.x, height: rows, width: f.width),
                Rect(y: top + rows + 2, x: f.x, height: lines, width: min(f.width, pictureWidth ?? f.width)))
    }

    /// Pixels along the longer side of the largest picture a frame of this size shows (a half-block
    /// cell is one pixel wide and two high); nil when the terminal is too small for pictures.
    func pictureSide(_ state: ExplorerState, _ view: ExplorerView) -> Int? {
        let (height, width) = screen.size
        guard case .fits(let layout) = self.layout(paneCount: state.layoutMode.methods.count, view: view, width: width, height: height) else { return nil }
        let boxes: [Rect]
        if case .single = state.layoutMode, let pane = layout.panes.first {
            boxes = [(single(pane, view: view) ?? stacked(pane, view: view)).picture]
        } else {
            let narrowest = layout.panes.map(\.frame.width).min() ?? 0
            boxes = layout.panes.map { stacked($0, pictureWidth: narrowest, view: view).picture }
        }
        let fitted = boxes.map { HalfBlockCanvas.fittedSize(width: view.resolution, height: view.resolution, boxColumns: $0.width, boxRows: $0.height) }
        return fitted.map { max($0.width, $0.height) }.max().flatMap { $0 > 0 ? $0 : nil }
    }

    private func drawSingle(_ m: DirectionMethod, pane: Layout.Pane, state: ExplorerState, view: ExplorerView) {
        guard let (title, picture, text) = single(pane, view: view) else {
            let (title, picture, text) = stacked(pane, view: view)
            drawPane(m, title: title, picture: picture, text: text, state: state, view: view, detailed: false)
            return
        }
        drawPane(m, title: title, picture: picture, text: text, state: state, view: view, detailed: true)
    }

    /// One large pane with the text beside the picture (nil when the pane is too narrow for that).
    private func single(_ pane: Layout.Pane, view: ExplorerView) -> (title: Rect, picture: Rect, text: Rect)? {
        let f = pane.frame
        guard f.width >= ExplorerRenderer.sideTextMinWidth else { return nil }
        // Wide: the picture on the left, the text beside it.
        let textWidth = min(60, f.width / 2 - 4)
        let pictureWidth = f.width - textWidth - 3
        let size = HalfBlockCanvas.fittedSize(width: view.resolution, height: view.resolution,
                                              boxColumns: pictureWidth, boxRows: f.height - 1)
        let rows = size.height / 2
        let top = f.y + max(0, (f.height - 1 - rows) / 2)
        let title = Rect(y: top, x: f.x, height: 1, width: f.width)
        let picture = Rect(y: top + 1, x: f.x + (pictureWidth - size.width) / 2, height: rows, width: size.width)
        let text = Rect(y: top + 2, x: f.x + f.width - textWidth - 1, height: f.y + f.height - top - 2, width: textWidth)
        return (title, picture, text)
    }

    private func drawPane(_ m: DirectionMethod, title: Rect, picture box: Rect, text: Rect,
                          state: ExplorerState, view: ExplorerView, detailed: Bool) {
        let slot = view.slots[m] ?? .missing(note: nil)
        let computing = view.job.map { !$0.finished && $0.attribute == state.attribute && view.jobMethods.contains(m) } ?? false

        // Title row: method name, alpha of the shown picture (or what is missing).
        // Over another base the first pane is that base's direction ("class-mean"), the others
        // its conditional and corrected versions.
        let other = view.base != DirectionLibrary.defaultBase
        let name = glyphs.text(other && m == .original ? view.base : (other && detailed ? "\(view.base) \(m.title)" : m.title))
        put(" " + name + " ", title.y, title.x, style: mono ? [.bold, .reverse] : .bold,
            fg: mono ? nil : RGB(20, 20, 20), bg: ExplorerRenderer.methodColor(m), width: title.width)
        var right = ""
        switch slot {
        case .available(let d, _, let note):
            let shownAlpha = view.result?.request.alpha ?? state.alpha
            right = "\(glyphs.alpha) \(ExplorerText.signed(shownAlpha))"
            if detailed, let layers = d.layers { right = "layers \(layers.map(String.init).joined(separator: ","))  " + right }
            if let note { right = "\(note)  " + right }
        case .missing: right = computing ? "computing" : "not computed"
        case .unusable: right = "unusable"
        }
        right = glyphs.text(right)
        let room = title.width - name.count - 3
        if room > 3 {
            let shown = ExplorerText.fit(right, room, ellipsis: glyphs.ellipsis)
            put(shown, title.y, title.x + title.width - shown.count, fg: ExplorerRenderer.dimColor)
        }

        // Picture.
        if let p = picture(m, view), box.width > 0, box.height > 0 {
            let canvas = HalfBlockCanvas(pixels: p.image.pixels, width: p.image.width, height: p.image.height,
                                         boxColumns: box.width, boxRows: box.height)
            screen.draw(canvas, y: box.y, x: box.x)
        } else if box.height > 0 {
            let msg = "rendering\(glyphs.ellipsis)"
            put(msg, box.y + box.height / 2, box.x + max(0, (box.width - msg.count) / 2), fg: ExplorerRenderer.dimColor, width: box.width)
        }

        // Summary line, then the bars.
        let x = text.x + (text.width > 30 ? 1 : 0)
        let w = text.x + text.width - x
        drawSummary(m, slot: slot, computing: computing, y: text.y, x: x, width: w, state: state, view: view)
        let bars = Self.barRows(view.scoreNames.count)
        drawBars(m, y: text.y + 1, x: x, width: w, rows: min(bars, text.height - 1), state: state, view: view)
        if detailed, case .available(let d, _, _) = slot {
            drawProvenance(d, y: text.y + 2 + bars, x: x, width: w, rows: text.y + text.height - (text.y + 2 + bars))
        }
    }

    private func drawSummary(_ m: DirectionMethod, slot: DirectionSlot, computing: Bool, y: Int, x: Int, width: Int,
                             state: ExplorerState, view: ExplorerView) {
        guard width > 0 else { return }
        if computing, let j = view.job {
            let barWidth = max(3, min(16, width - 22))
            let (filled, empty) = ExplorerText.bar(Float(j.fraction), width: barWidth, glyphs: glyphs)
            put(filled, y, x, fg: ExplorerRenderer.warnColor, width: width)
            put(empty, y, x + filled.count, fg: ExplorerRenderer.emptyBarColor, width: width - filled.count)
            let tail = " \(Int((j.fraction * 100).rounded()))% \(glyphs.text(j.phase))"
            put(tail, y, x + barWidth, fg: ExplorerRenderer.warnColor, width: width - barWidth)
            return
        }
        guard state.attribute != nil else {
            let msg = "no attributes: pass --predictor PATH or --directions DIR"
            put(ExplorerText.fit(msg, width, ellipsis: glyphs.ellipsis), y, x, style: .bold, fg: ExplorerRenderer.warnColor)
            return
        }
        switch slot {
        case .missing(let note):
            let msg = glyphs.text(note.map { "\(m == .corrected ? "corrected" : m.title): \($0)" } ?? "not computed — press c")
            put(ExplorerText.fit(msg, width, ellipsis: glyphs.ellipsis), y, x, style: .bold, fg: ExplorerRenderer.warnColor)
            return
        case .unusable(let why):
            put(ExplorerText.fit(glyphs.text("unusable: \(why)"), width, ellipsis: glyphs.ellipsis), y, x, style: .bold,
                fg: ExplorerRenderer.strongLeakColor)
            return
        case .available:
            break
        }
        guard let r = view.result, let scores = r.pictures[m]?.scores, let base = r.base.scores,
              let target = r.request.attribute, let t = view.scoreNames.firstIndex(of: target) else {
            let msg = view.classifierNote.map { glyphs.text($0) } ?? ""
            put(ExplorerText.fit(msg, width, ellipsis: glyphs.ellipsis), y, x, fg: ExplorerRenderer.dimColor)
            return
        }
        // "Δ eyeglasses +0.42   leak 0.31 age"
        let dt = scores[t] - base[t]
        var worst: (Int, Float)?
        for i in scores.indices where i != t && i < base.count {
            let d = abs(scores[i] - base[i])
            if worst == nil || d > worst!.1 { worst = (i, d) }
        }
        let first = "\(glyphs.delta) \(target) \(ExplorerText.change(dt))"
        put(ExplorerText.fit(first, width, ellipsis: glyphs.ellipsis), y, x, style: .bold, fg: ExplorerRenderer.targetColor)
        if let (i, d) = worst {
            let leak = "   leak \(String(format: "%.2f", d)) \(view.scoreNames[i])"
            let level = ExplorerText.leak(d)
            let color: RGB? = level == .strong ? ExplorerRenderer.strongLeakColor : (level == .some ? ExplorerRenderer.someLeakColor : ExplorerRenderer.dimColor)
            if first.count + leak.count <= width {
                put(leak, y, x + first.count, style: level == .none ? [] : .bold, fg: color)
            }
        }
    }

    private func drawBars(_ m: DirectionMethod, y: Int, x: Int, width: Int, rows: Int, state: ExplorerState, view: ExplorerView) {
        guard rows > 0, width > 0 else { return }
        guard !view.scoreNames.isEmpty else { return }
        let names = view.scoreNames
        let nameWidth = min(12, names.map(\.count).max() ?? 0)
        let barWidth = max(1, min(24, width - nameWidth - 1 - ExplorerText.numbersWidth))
        let scores = picture(m, view)?.scores
        let base = view.result?.base.scores
        let target = view.result?.request.attribute ?? state.attribute
        for (line, row) in Self.shownAttributes(view, target: target, rows: rows).enumerated() {
            let name = names[row], yy = y + line
            let isTarget = name == target
            let label = ExplorerText.pad(ExplorerText.fit(name, nameWidth, ellipsis: glyphs.ellipsis), nameWidth)
            guard let scores, row < scores.count else {
                put(label, yy, x, fg: ExplorerRenderer.dimColor, width: width)
                continue
            }
            let change = base.map { row < $0.count ? scores[row] - $0[row] : 0 } ?? 0
            let level = isTarget ? .none : ExplorerText.leak(change)
            var nameStyle: TextStyle = []
            var nameColor: RGB?
            var changeColor: RGB? = ExplorerRenderer.dimColor
            var changeStyle: TextStyle = []
            var barColor = ExplorerRenderer.barColor
            if isTarget {
                nameStyle = mono ? [.bold, .underline] : .bold
                nameColor = ExplorerRenderer.targetColor
                changeColor = ExplorerRenderer.targetColor
                changeStyle = .bold
                barColor = ExplorerRenderer.targetColor
            } else if level == .strong {
                nameColor = ExplorerRenderer.strongLeakColor
                changeColor = ExplorerRenderer.strongLeakColor
                changeStyle = mono ? [.bold, .reverse] : .bold
                barColor = ExplorerRenderer.strongLeakColor
            } else if level == .some {
                changeColor = ExplorerRenderer.someLeakColor
                changeStyle = .bold
            }
            put(label, yy, x, style: nameStyle, fg: nameColor, width: width)
            let (filled, empty) = ExplorerText.bar(scores[row], width: barWidth, glyphs: glyphs)
            let bx = x + nameWidth + 1
            put(filled, yy, bx, fg: barColor, width: x + width - bx)
            put(empty, yy, bx + filled.count, fg: ExplorerRenderer.emptyBarColor, width: x + width - bx - filled.count)
            let nx = bx + barWidth
            put(" " + ExplorerText.score(scores[row]), yy, nx, style: isTarget ? .bold : [], width: x + width - nx)
            put(" " + ExplorerText.change(change), yy, nx + 5, style: changeStyle, fg: changeColor, width: x + width - nx - 5)
        }
    }

    /// In one large pane: where the direction came from.
    private func drawProvenance(_ d: Direction, y: Int, x: Int, width: Int, rows: Int) {
        guard rows > 1 else { return }
        var lines: [String] = []
        lines.append("direction: \(d.method), \(d.vector.count) dims, layers \(d.layers.map { $0.map(String.init).joined(separator: ",") } ?? "all")")
        for key in ["validation_accuracy", "conditions", "base_method", "samples", "per_class", "model_hash"] {
            if let v = d.provenance[key] { lines.append("\(key.replacingOccurrences(of: "_", with: " ")): \(v)") }
        }
        for (i, line) in lines.prefix(rows - 1).enumerated() {
            put(ExplorerText.fit(glyphs.text(line), width, ellipsis: glyphs.ellipsis), y + 1 + i, x, fg: ExplorerRenderer.dimColor)
        }
    }

    // MARK: overlays

    private func drawTooSmall(state: ExplorerState, view: ExplorerView, width: Int, height: Int, minWidth: Int, minHeight: Int) {
        var message = "Terminal too small: \(width)x\(height), need at least \(minWidth)x\(minHeight). Enlarge it or press q."
        if state.layoutMode == .sideBySide,
           case .fits = layout(paneCount: 1, view: view, width: width, height: height) {
            message = "Terminal too small for three panes: \(width)x\(height), need at least \(minWidth)x\(minHeight). Press m for one large pane, or enlarge it. q quits."
        }
        let lines = ExplorerText.wrap(message, width: max(1, width - 2))
        let top = max(0, (height - lines.count) / 2)
        for (i, line) in lines.enumerated() where top + i < height {
            put(line, top + i, max(0, (width - line.count) / 2), style: .bold, fg: ExplorerRenderer.warnColor)
        }
    }

    private func drawHelp(_ s: ExplorerState, width: Int, height: Int) {
        let keys = KeyBinding.all(glyphs, stepSize: s.stepSize).map { ($0.keys, $0.action) }
        let keyWidth = (keys.map(\.0.count).max() ?? 0) + 2
        let lines = ["sc2gan explorer \(glyphs.dash) keys", ""]
            + keys.map { ExplorerText.pad($0.0, keyWidth) + $0.1 }
            + [
                "",
                "Bars: the classifier's score now and its change since step 0.",
                "Target attribute in blue; leakage into another attribute",
                "in red when |change| > 0.2, yellow when > 0.1.",
                "Panes: original (InterFaceGAN), conditional (projected off",
                "the correlated attributes), SC\(glyphs.unicode ? "²" : "2") corrected.",
                "",
                "any key closes this help",
            ]
        let inner = min(width - 4, (lines.map(\.count).max() ?? 0) + 2)
        guard inner > 10 else { return }
        let boxHeight = min(height - 2, lines.count + 2)
        let top = max(0, (height - boxHeight) / 2), left = max(0, (width - inner - 2) / 2)
        let style: TextStyle = mono ? .reverse : []
        for row in 0..<boxHeight {
            let content: String
            if row == 0 || row == boxHeight - 1 {
                content = ""
            } else {
                content = " " + (row - 1 < lines.count ? lines[row - 1] : "")
            }
            let isTitle = row == 1
            put(ExplorerText.pad(content, inner + 2), top + row, left, style: isTitle ? style.union(.bold) : style,
                fg: isTitle ? ExplorerRenderer.targetColor : ExplorerRenderer.headerText, bg: ExplorerRenderer.helpBackground)
        }
    }

    // MARK: drawing helper

    private func put(_ text: String, _ y: Int, _ x: Int, style: TextStyle = [], fg: RGB? = nil, bg: RGB? = nil, width: Int? = nil) {
        guard width.map({ $0 > 0 }) ?? true else { return }
        screen.put(glyphs.unicode ? text : glyphs.text(text), y: y, x: x, style: style,
                   foreground: fg, background: bg, maxWidth: width)
    }
}
