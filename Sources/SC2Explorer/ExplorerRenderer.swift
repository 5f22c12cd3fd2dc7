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
            if state.showsGrid {
                drawGrid(state, view, width: width, height: height)
            } else if case .single(let m) = state.layoutMode, let pane = layout.panes.first {
                drawSingle(m, pane: pane, state: state, view: view)
            } else {
                let narrowest = layout.panes.map(\.frame.width).min() ?? 0
                for (m, pane) in zip(state.layoutMode.methods, layout.panes) {
                    drawPane(m, stacked(pane, pictureWidth: narrowest, state: state, view: view), state: state, view: view, detailed: false)
                }
            }
            drawFooter(state, view, layout.footer)
            if state.showsHelp { drawHelp(state, width: width, height: height) }
        }
    }

    // MARK: header and footer

    private func drawHeader(_ s: ExplorerState, _ v: ExplorerView, _ r: Rect) {
        let sep = " \(glyphs.separator) "
        let attr = s.attribute.map { "\($0) \(s.attributeIndex + 1)/\(s.attributes.count)" + (v.base == DirectionLibrary.defaultBase ? "" : " [\(v.base)]") + (v.rows.map { " \($0)" } ?? "") } ?? "no attributes"
        let equal = s.equalEffect && !v.stepAlphas.isEmpty
        let walk = "step \(ExplorerText.signed(s.step))  " + (equal ? "equal effect" : "\(glyphs.alpha) \(ExplorerText.signed(s.alpha))")
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

    /// Where a pane's parts go: title row, picture, the heat map of its change under it (`d`),
    /// the summary and bars, the trajectory chart (`t`, when there is room).
    struct PaneBoxes {
        var title: Rect
        var picture: Rect
        var difference: Rect?
        var text: Rect
        var chart: Rect?
    }

    /// Rows the trajectory chart takes at least (legend, plot, step axis) and at most.
    static let chartMinRows = 5
    static let chartMaxRows = 12

    /// Title, picture (with its heat map), text and chart of a pane stacked as one block, the
    /// picture as large as the pane allows once the text and the smallest chart fit; the chart
    /// takes the rows left (up to `chartMaxRows`); the block is centred vertically.
    /// `pictureWidth` (at most the pane's width) keeps panes of slightly different widths aligned.
    private func stacked(_ pane: Layout.Pane, pictureWidth: Int? = nil, state: ExplorerState, view: ExplorerView) -> PaneBoxes {
        let f = pane.frame, lines = pane.text.height
        let width = min(f.width, pictureWidth ?? f.width)
        let fixed = lines + 2  // title row and one blank row
        let wantsChart = state.showsChart && state.attribute != nil && !view.scoreNames.isEmpty
        let chartReserve = wantsChart && f.height - fixed - ExplorerRenderer.minImageRows >= ExplorerRenderer.chartMinRows + 1
            ? ExplorerRenderer.chartMinRows + 1 : 0
        let room = max(1, f.height - fixed - chartReserve)
        let diff = state.showsDifference
        let pictureRoom = diff ? max(1, (room - 1) / 2) : room
        let rows = HalfBlockCanvas.fittedSize(width: view.resolution, height: view.resolution,
                                              boxColumns: width, boxRows: pictureRoom).height / 2
        let stack = 1 + rows + (diff ? 1 + rows : 0) + 1 + lines
        let chartRows = chartReserve > 0 ? min(ExplorerRenderer.chartMaxRows, f.height - stack - 1) : 0
        let total = stack + (chartRows > 0 ? 1 + chartRows : 0)
        let top = f.y + max(0, (f.height - total) / 2)
        var y = top + 1 + rows
        var boxes = PaneBoxes(title: Rect(y: top, x: f.x, height: 1, width: f.width),
                              picture: Rect(y: top + 1, x: f.x, height: rows, width: f.width),
                              difference: nil, text: Rect(y: 0, x: f.x, height: lines, width: width), chart: nil)
        if diff {
            boxes.difference = Rect(y: y + 1, x: f.x, height: rows, width: f.width)
            y += 1 + rows
        }
        boxes.text = Rect(y: y + 1, x: f.x, height: lines, width: width)
        if chartRows > 0 { boxes.chart = Rect(y: y + 1 + lines + 1, x: f.x, height: chartRows, width: width) }
        return boxes
    }

    /// Pixels along the longer side of the largest picture a frame of this size shows (a half-block
    /// cell is one pixel wide and two high); nil when the terminal is too small for pictures.
    func pictureSide(_ state: ExplorerState, _ view: ExplorerView) -> Int? {
        let (height, width) = screen.size
        guard case .fits(let layout) = self.layout(paneCount: state.layoutMode.methods.count, view: view, width: width, height: height) else { return nil }
        let boxes: [Rect]
        if case .single = state.layoutMode, let pane = layout.panes.first {
            boxes = [(single(pane, state: state, view: view) ?? stacked(pane, state: state, view: view)).picture]
        } else {
            let narrowest = layout.panes.map(\.frame.width).min() ?? 0
            boxes = layout.panes.map { stacked($0, pictureWidth: narrowest, state: state, view: view).picture }
        }
        let fitted = boxes.map { HalfBlockCanvas.fittedSize(width: view.resolution, height: view.resolution, boxColumns: $0.width, boxRows: $0.height) }
        return fitted.map { max($0.width, $0.height) }.max().flatMap { $0 > 0 ? $0 : nil }
    }

    private func drawSingle(_ m: DirectionMethod, pane: Layout.Pane, state: ExplorerState, view: ExplorerView) {
        guard let boxes = single(pane, state: state, view: view) else {
            drawPane(m, stacked(pane, state: state, view: view), state: state, view: view, detailed: false)
            return
        }
        drawPane(m, boxes, state: state, view: view, detailed: true)
    }

    /// One large pane with the text beside the picture (nil when the pane is too narrow for that).
    private func single(_ pane: Layout.Pane, state: ExplorerState, view: ExplorerView) -> PaneBoxes? {
        let f = pane.frame
        guard f.width >= ExplorerRenderer.sideTextMinWidth else { return nil }
        // Wide: the picture on the left (its heat map beside it with `d`), the text beside them.
        let textWidth = min(60, f.width / 2 - 4)
        let pictureWidth = f.width - textWidth - 3
        let diff = state.showsDifference
        let each = diff ? (pictureWidth - 1) / 2 : pictureWidth
        let size = HalfBlockCanvas.fittedSize(width: view.resolution, height: view.resolution,
                                              boxColumns: each, boxRows: f.height - 1)
        let rows = size.height / 2
        let top = f.y + max(0, (f.height - 1 - rows) / 2)
        let used = diff ? 2 * size.width + 1 : size.width
        let left = f.x + (pictureWidth - used) / 2
        var boxes = PaneBoxes(title: Rect(y: top, x: f.x, height: 1, width: f.width),
                              picture: Rect(y: top + 1, x: left, height: rows, width: size.width), difference: nil,
                              text: Rect(y: top + 2, x: f.x + f.width - textWidth - 1, height: f.y + f.height - top - 2, width: textWidth),
                              chart: nil)
        if diff { boxes.difference = Rect(y: top + 1, x: left + size.width + 1, height: rows, width: size.width) }
        // The chart below the bars, in the text column, when there is room.
        let textLines = ExplorerRenderer.textLines(scoreCount: view.scoreNames.count)
        let chartTop = boxes.text.y + textLines + 1
        let chartRows = min(2 * ExplorerRenderer.chartMaxRows, f.y + f.height - chartTop)
        if state.showsChart, state.attribute != nil, !view.scoreNames.isEmpty, chartRows >= ExplorerRenderer.chartMinRows {
            boxes.chart = Rect(y: chartTop, x: boxes.text.x, height: chartRows, width: textWidth)
            boxes.text = Rect(y: boxes.text.y, x: boxes.text.x, height: textLines, width: textWidth)
        }
        return boxes
    }

    private func drawPane(_ m: DirectionMethod, _ boxes: PaneBoxes, state: ExplorerState, view: ExplorerView, detailed: Bool) {
        let title = boxes.title, box = boxes.picture, text = boxes.text
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
            let shownAlpha = view.result?.request.alpha(of: m) ?? state.alpha
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

        if let heat = boxes.difference, heat.height > 0 { drawDifference(m, heat, view: view) }
        if let chart = boxes.chart { drawChart(m, chart, state: state, view: view) }

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

    // MARK: where it changes, and the trajectory

    /// Mean absolute change of a pixel (0...255, over the channels) that the heat map shows at
    /// full brightness: one scale for every pane, so that they compare.
    static let differenceFullScale: Float = 96

    /// The heat map of `edited` against `base`: per pixel, the mean absolute change over the
    /// channels on a black - red - yellow - white ramp (`differenceFullScale` at white).
    static func differenceImage(_ edited: RGBImage, _ base: RGBImage) -> RGBImage {
        guard edited.width == base.width, edited.height == base.height else {
            return RGBImage(width: edited.width, height: edited.height, pixels: [UInt8](repeating: 0, count: edited.pixels.count))
        }
        var out = [UInt8](repeating: 0, count: edited.pixels.count)
        for i in 0..<(edited.width * edited.height) {
            var d: Float = 0
            for c in 0..<3 { d += abs(Float(edited.pixels[3 * i + c]) - Float(base.pixels[3 * i + c])) }
            let t = min(1, d / 3 / differenceFullScale)
            let c = heatColor(t)
            out[3 * i] = c.r; out[3 * i + 1] = c.g; out[3 * i + 2] = c.b
        }
        return RGBImage(width: edited.width, height: edited.height, pixels: out)
    }

    /// 0: black, 1/3: red, 2/3: yellow, 1: white.
    static func heatColor(_ t: Float) -> RGB {
        let v = max(0, min(1, t)) * 3
        func u(_ x: Float) -> UInt8 { UInt8(max(0, min(255, (x * 255).rounded()))) }
        return RGB(u(min(1, v)), u(min(1, max(0, v - 1))), u(min(1, max(0, v - 2))))
    }

    private func drawDifference(_ m: DirectionMethod, _ box: Rect, view: ExplorerView) {
        guard let r = view.result, box.width > 0 else { return }
        let edited = r.pictures[m] ?? r.base
        let heat = ExplorerRenderer.differenceImage(edited.image, r.base.image)
        let canvas = HalfBlockCanvas(pixels: heat.pixels, width: heat.width, height: heat.height,
                                     boxColumns: box.width, boxRows: box.height)
        screen.draw(canvas, y: box.y, x: box.x)
        // The largest change, in the corner, so that a black map reads as "nothing changed".
        var peak: Float = 0
        for i in 0..<min(edited.image.pixels.count, r.base.image.pixels.count) {
            peak = max(peak, abs(Float(edited.image.pixels[i]) - Float(r.base.image.pixels[i])))
        }
        let label = " \(glyphs.delta) from step 0, max \(Int(peak)) "
        put(label, box.y + box.height - 1, box.x + canvas.originX, fg: ExplorerRenderer.headerText, bg: RGB(0, 0, 0), width: box.width)
    }

    static let chartOtherColor = RGB(255, 150, 60)

    /// The trajectory: the target's and the most-moved other attribute's probability against the
    /// step along this pane's walk, the current step's column marked; a legend above, the steps below.
    private func drawChart(_ m: DirectionMethod, _ box: Rect, state: ExplorerState, view: ExplorerView) {
        guard box.height >= 3, box.width > 8 else { return }
        let x = box.x + (box.width > 30 ? 1 : 0)
        let width = box.x + box.width - x
        guard let t = view.trajectory, let r = view.result, t.matches(r.request), let target = r.request.attribute,
              let ti = view.scoreNames.firstIndex(of: target) else {
            put(ExplorerText.fit("trajectory \(glyphs.ellipsis)", width, ellipsis: glyphs.ellipsis), box.y, x, fg: ExplorerRenderer.dimColor)
            return
        }
        guard let series = t.scores[m], !series.isEmpty else {
            put("no walk", box.y, x, fg: ExplorerRenderer.dimColor, width: width)
            return
        }
        let other = t.mostMoved(besides: ti)
        // Legend: "━ age  ━ eyeglasses   p by step"
        let line = glyphs.unicode ? "\u{2501}" : "-"
        put("\(line) \(target)", box.y, x, style: .bold, fg: ExplorerRenderer.targetColor, width: width)
        var lx = x + target.count + 4
        if let o = other {
            put("\(line) \(view.scoreNames[o])", box.y, lx, style: .bold, fg: ExplorerRenderer.chartOtherColor, width: x + width - lx)
            lx += view.scoreNames[o].count + 4
        }
        let note = "p by step"
        if lx + note.count <= x + width { put(note, box.y, x + width - note.count, fg: ExplorerRenderer.dimColor) }

        // The plot, with the 0 and 1 levels labelled on the left.
        let plotRows = box.height - 2
        let labelWidth = 4
        let plotColumns = max(1, width - labelWidth)
        var lines = [TrajectoryChart.Series(values: series.compactMapValues { ti < $0.count ? $0[ti] : nil }, index: 0)]
        // The other attribute drawn last: where the two lines meet, the leak shows.
        if let o = other { lines.append(TrajectoryChart.Series(values: series.compactMapValues { o < $0.count ? $0[o] : nil }, index: 1)) }
        let chart = TrajectoryChart(columns: plotColumns, rows: plotRows, steps: t.steps, current: r.request.step, series: lines)
        put("1.0", box.y + 1, x, fg: ExplorerRenderer.dimColor)
        put("0.0", box.y + plotRows, x, fg: ExplorerRenderer.dimColor)
        let markBackground = RGB(45, 45, 60)
        for (row, cells) in chart.cells.enumerated() {
            for (col, cell) in cells.enumerated() {
                let ch: String = cell.series == nil ? (cell.marked ? (glyphs.unicode ? "\u{2502}" : "|") : " ")
                    : (glyphs.unicode ? String(cell.character) : "*")
                guard ch != " " || cell.marked else { continue }
                let fg: RGB = cell.series == nil ? ExplorerRenderer.dimColor
                    : (cell.series == 0 ? ExplorerRenderer.targetColor : ExplorerRenderer.chartOtherColor)
                put(ch, box.y + 1 + row, x + labelWidth + col, style: cell.series != nil && mono && cell.series == 1 ? .bold : [],
                    fg: fg, bg: cell.marked && !mono ? markBackground : nil)
            }
        }
        // The step axis: the window's ends, 0, and the current step under its column.
        let axisY = box.y + 1 + plotRows
        let lo = ExplorerText.signed(t.steps.lowerBound), hi = ExplorerText.signed(t.steps.upperBound)
        put(lo, axisY, x + labelWidth, fg: ExplorerRenderer.dimColor, width: width - labelWidth)
        put(hi, axisY, x + labelWidth + plotColumns - hi.count, fg: ExplorerRenderer.dimColor)
        if t.steps.contains(r.request.step) {
            let label = "step \(ExplorerText.signed(r.request.step))"
            let cx = x + labelWidth + chart.dotX(r.request.step) / 2
            let lx = max(x + labelWidth + lo.count + 1, min(x + labelWidth + plotColumns - hi.count - 1 - label.count, cx - label.count / 2))
            put(label, axisY, lx, style: .bold, fg: ExplorerRenderer.headerText)
        }
    }

    // MARK: the grid of many seeds

    /// Where the grid's faces go: `perRow` faces of `faceColumns` x `faceRows` cells in each of
    /// `bands` bands (a row of faces per method and a row of seed numbers each), below `top`.
    struct GridGeometry: Equatable {
        let faceColumns: Int
        let faceRows: Int
        let perRow: Int
        let bands: Int
        let top: Int
        var capacity: Int { perRow * bands }
    }

    /// Columns the method names take left of the faces.
    static let gridLabelWidth = 6
    /// The grid's faces: the largest whose grid still holds `gridTarget` faces (else the most faces).
    static let gridTarget = 20

    static func gridGeometry(width: Int, height: Int, methods: Int = 3) -> GridGeometry? {
        let top = 1 + 1 + methods + 1          // header, title, a summary line per method, blank
        let room = height - 1 - top            // the footer below
        var best: GridGeometry?
        for face in stride(from: 16, through: 6, by: -2) {
            let rows = face / 2
            let band = methods * rows + 1 + 1  // faces, seed numbers, blank
            let bands = (room + 1) / band
            let perRow = (width - gridLabelWidth) / (face + 1)
            guard bands > 0, perRow > 0 else { continue }
            let g = GridGeometry(faceColumns: face, faceRows: rows, perRow: perRow, bands: bands, top: top)
            if g.capacity >= gridTarget { return g }
            if best == nil || g.capacity > best!.capacity { best = g }
        }
        return best
    }

    /// How many faces the grid view shows on this screen (nil: none fit).
    func gridCapacity(_ view: ExplorerView) -> Int? {
        let (height, width) = screen.size
        return ExplorerRenderer.gridGeometry(width: width, height: height)?.capacity
    }

    /// Many seeds at once: the calibration faces at the current step, a row per method; a face
    /// whose correlated attribute changed side is marked; per method, the evaluation's numbers.
    private func drawGrid(_ state: ExplorerState, _ view: ExplorerView, width: Int, height: Int) {
        guard let g = ExplorerRenderer.gridGeometry(width: width, height: height) else { return }
        let methods = DirectionMethod.allCases
        guard let r = view.result, let grid = r.grid, !grid.seeds.isEmpty else {
            put("grid: rendering\(glyphs.ellipsis)", 1, 1, fg: ExplorerRenderer.dimColor, width: width - 2)
            return
        }
        let target = r.request.attribute
        let t = target.flatMap { view.scoreNames.firstIndex(of: $0) }
        let c = view.correlated.flatMap { view.scoreNames.firstIndex(of: $0) }
        let mark = glyphs.unicode ? "\u{2717}" : "x"
        let equal = r.request.perWalkSteps ? ", equal effect" : ""
        var title = "grid: \(grid.seeds.count) faces at step \(ExplorerText.signed(r.request.step))\(equal)"
        if let target, view.gridSeeds.starts(with: grid.seeds) { title += " (validation seeds without \(target))" }
        if let cn = view.correlated { title += "; \(mark) marks a face whose \(cn) changed side" }
        put(" " + glyphs.text(title), 1, 0, style: .bold, width: width)
        var summaries: [DirectionMethod: GridSummary] = [:]
        for (k, m) in methods.enumerated() {
            let y = 2 + k
            put(" " + glyphs.text(m.title), y, 0, style: .bold, fg: ExplorerRenderer.methodColor(m), width: 16)
            guard let edited = grid.edited[m] else {
                put("no direction", y, 17, fg: ExplorerRenderer.dimColor, width: width - 17)
                continue
            }
            var line = "\(glyphs.alpha) \(ExplorerText.signed(r.request.alpha(of: m)))"
            if let t, let c, let target, let cn = view.correlated {
                let base = grid.base.compactMap(\.scores), ed = edited.compactMap(\.scores)
                if base.count == grid.seeds.count, ed.count == grid.seeds.count {
                    let s = GridSummary(base: base, edited: ed, target: t, correlated: c)
                    summaries[m] = s
                    let n = s.seeds
                    let tf = s.targetFlipped.filter { $0 }.count, cf = s.correlatedFlipped.filter { $0 }.count
                    let kept = s.keptGivenFlip.isNaN ? "-" : String(format: "%.2f", s.keptGivenFlip)
                    line += "   \(target) flipped \(tf)/\(n) (\(Int((s.flipRate * 100).rounded()))%)"
                        + "   \(cn) flipped \(cf)/\(n) (\(Int((s.correlatedFlipShare * 100).rounded()))%)"
                        + "   \(cn) kept | \(target) flipped \(kept)"
                }
            }
            put(glyphs.text(line), y, 17, fg: ExplorerRenderer.headerText, width: width - 17)
        }
        // The faces, band by band.
        for (i, seed) in grid.seeds.prefix(g.capacity).enumerated() {
            let band = i / g.perRow, col = i % g.perRow
            let bandTop = g.top + band * (methods.count * g.faceRows + 2)
            let x = ExplorerRenderer.gridLabelWidth + col * (g.faceColumns + 1)
            for (k, m) in methods.enumerated() {
                let y = bandTop + k * g.faceRows
                if col == 0 {
                    let short = m == .original ? "orig" : (m == .conditional ? "cond" : glyphs.text("SC²"))
                    put(" " + short, y, 0, style: .bold, fg: ExplorerRenderer.methodColor(m), width: ExplorerRenderer.gridLabelWidth - 1)
                }
                let p = grid.edited[m]?[i] ?? grid.base[i]
                let canvas = HalfBlockCanvas(pixels: p.image.pixels, width: p.image.width, height: p.image.height,
                                             boxColumns: g.faceColumns, boxRows: g.faceRows)
                screen.draw(canvas, y: y, x: x)
                if summaries[m]?.correlatedFlipped[i] == true {
                    put(mark, y, x + g.faceColumns - 1, style: .bold, fg: RGB(255, 255, 255), bg: ExplorerRenderer.strongLeakColor)
                }
            }
            let label = ExplorerText.fit("\(seed)", g.faceColumns)
            put(label, bandTop + methods.count * g.faceRows, x + g.faceColumns - label.count, fg: ExplorerRenderer.dimColor)
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
        let keys = KeyBinding.all(glyphs, stepSize: s.stepSize, equalEffect: s.equalEffect).map { ($0.keys, $0.action) }
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
                "Equal effect: each direction's step is calibrated on",
                "validation faces so that two steps raise its target by 0.5",
                "on average (\(glyphs.alpha) per pane in its title); a: equal \(glyphs.alpha).",
                "Chart: the target (blue) and the attribute that moved most",
                "(orange) against the step; the current step's column marked.",
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
