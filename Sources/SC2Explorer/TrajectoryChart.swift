import Foundation
import TerminalUI

/// A line chart in braille cells (2x4 dots a cell): probability (0...1, bottom to top) against
/// the step, one or more series, and the current step as a marked column. Pure: `cells` is what
/// the renderer puts on screen, so the tests read it without a terminal.
struct TrajectoryChart {
    /// One line: a value per step (missing steps are gaps), and which series it is (colour).
    struct Series {
        let values: [Int: Float]
        let index: Int
    }

    struct Cell: Equatable {
        var character: Character
        /// The series whose dots the cell shows (the last drawn wins); nil: empty.
        var series: Int?
        /// The cell lies on the current step's column.
        var marked: Bool
    }

    let columns: Int
    let rows: Int
    let steps: ClosedRange<Int>
    let current: Int
    private(set) var cells: [[Cell]]

    static let brailleBase: UInt32 = 0x2800
    /// Dot bits by (x 0...1, y 0...3 from the top) in a braille cell.
    static let dotBits: [[UInt32]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

    /// The dot column of `step` (0 ... 2 * columns - 1).
    func dotX(_ step: Int) -> Int {
        let span = max(1, steps.upperBound - steps.lowerBound)
        return Int((Double(step - steps.lowerBound) / Double(span) * Double(2 * columns - 1)).rounded())
    }

    /// The dot row of probability `p` (0 at the top, 4 * rows - 1 at the bottom).
    func dotY(_ p: Float) -> Int {
        let v = Double(max(0, min(1, p.isFinite ? p : 0)))
        return Int(((1 - v) * Double(4 * rows - 1)).rounded())
    }

    init(columns: Int, rows: Int, steps: ClosedRange<Int>, current: Int, series: [Series]) {
        self.columns = max(1, columns); self.rows = max(1, rows); self.steps = steps; self.current = current
        cells = Array(repeating: Array(repeating: Cell(character: " ", series: nil, marked: false), count: self.columns), count: self.rows)
        var bits = Array(repeating: Array(repeating: UInt32(0), count: self.columns), count: self.rows)
        if steps.contains(current) {
            let c = min(self.columns - 1, dotX(current) / 2)
            for r in 0..<self.rows { cells[r][c].marked = true }
        }
        for s in series {
            // Dots at every step, joined to the next step's by a straight line of dots.
            let points = s.values.keys.filter { steps.contains($0) }.sorted().map { (dotX($0), dotY(s.values[$0]!)) }
            for (k, p) in points.enumerated() {
                var line = [p]
                if k + 1 < points.count {
                    let q = points[k + 1]
                    let n = max(abs(q.0 - p.0), abs(q.1 - p.1))
                    if n > 0 {
                        for i in 1...n {
                            let t = Double(i) / Double(n)
                            line.append((p.0 + Int((Double(q.0 - p.0) * t).rounded()), p.1 + Int((Double(q.1 - p.1) * t).rounded())))
                        }
                    }
                }
                for (x, y) in line {
                    let c = x / 2, r = y / 4
                    guard c >= 0, c < self.columns, r >= 0, r < self.rows else { continue }
                    bits[r][c] |= TrajectoryChart.dotBits[x % 2][y % 4]
                    cells[r][c].series = s.index
                }
            }
        }
        for r in 0..<self.rows {
            for c in 0..<self.columns where bits[r][c] != 0 {
                cells[r][c].character = Character(Unicode.Scalar(TrajectoryChart.brailleBase + bits[r][c])!)
            }
        }
    }

    /// The chart's text, a line a row (tests).
    var lines: [String] { cells.map { String($0.map(\.character)) } }
}
