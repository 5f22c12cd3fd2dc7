/// An in-memory `TerminalSurface`: a grid of cells with their character, style and colours,
/// for testing what a frame shows without a terminal (as swift-nio tests against its embedded
/// event loop). Every character takes one cell.
package final class TextSurface: TerminalSurface {
    package struct Cell: Equatable, Sendable {
        package var character: Character = " "
        package var style: TextStyle = []
        package var foreground: RGB?
        package var background: RGB?
    }

    package let size: (rows: Int, columns: Int)
    package let colorMode: ColorMode
    package let isUTF8: Bool
    package private(set) var cells: [[Cell]]
    /// How many frames were shown (`refresh` calls).
    package private(set) var refreshes = 0

    package init(rows: Int, columns: Int, colorMode: ColorMode = .direct24, isUTF8: Bool = true) {
        size = (max(0, rows), max(0, columns))
        self.colorMode = colorMode
        self.isUTF8 = isUTF8
        cells = Array(repeating: Array(repeating: Cell(), count: max(0, columns)), count: max(0, rows))
    }

    package func clear() {
        cells = Array(repeating: Array(repeating: Cell(), count: size.columns), count: size.rows)
    }

    package func refresh() { refreshes += 1 }

    package func put(_ text: String, y: Int, x: Int, style: TextStyle, foreground: RGB?, background: RGB?, maxWidth: Int?) {
        guard y >= 0, y < size.rows, x >= 0, x < size.columns else { return }
        let limit = min(maxWidth ?? Int.max, size.columns - x)
        var column = x
        for ch in text.prefix(max(0, limit)) {
            let shown: Character = ch.unicodeScalars.allSatisfy { $0.value >= 32 && $0.value != 127 }
                ? (isUTF8 || ch.isASCII ? ch : "?") : " "
            cells[y][column] = Cell(character: shown, style: style,
                                    foreground: colorMode.hasColor ? foreground : nil,
                                    background: colorMode.hasColor ? background : nil)
            column += 1
        }
    }

    package func draw(_ canvas: HalfBlockCanvas, y: Int, x: Int) {
        let top = y + canvas.originY, left = x + canvas.originX
        for r in 0..<canvas.rows {
            let sy = top + r
            guard sy >= 0, sy < size.rows else { continue }
            for c in 0..<canvas.columns {
                let sx = left + c
                guard sx >= 0, sx < size.columns else { continue }
                let cell = canvas.cell(row: r, column: c)
                if usesHalfBlocks {
                    cells[sy][sx] = Cell(character: HalfBlockCanvas.upperHalfBlock, foreground: cell.top, background: cell.bottom)
                } else {
                    let average = HalfBlockCanvas.average(cell)
                    cells[sy][sx] = Cell(character: HalfBlockCanvas.asciiCharacter(luminance: average.luminance),
                                         foreground: colorMode.hasColor ? average : nil)
                }
            }
        }
    }

    /// The characters of each row, trailing blanks removed.
    package var lines: [String] {
        cells.map { row in
            var s = String(row.map(\.character))
            while s.last == " " { s.removeLast() }
            return s
        }
    }

    /// All rows joined by newlines.
    package var text: String { lines.joined(separator: "\n") }
}
