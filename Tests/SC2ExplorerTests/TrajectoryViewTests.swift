import Foundation
import SC2Engine
import TerminalUI
import XCTest
@testable import SC2Explorer

/// The views that show entanglement at a glance, drawn onto an in-memory surface: the trajectory
/// chart under each pane, the heat map of where the picture changed, equal effect's α per pane.
final class TrajectoryViewTests: XCTestCase {
    let names = ["age", "eyeglasses", "lipstick"]

    func picture(scores: [Float]?, changedLeft: Bool = false) -> Picture { stripedPicture(scores: scores, changedLeft: changedLeft) }

    /// Seed 42 at `step`, equal effect (the corrected direction steps twice as far as the others);
    /// along the original the glasses rise with age, along the others they stay.
    func view(step: Int, trajectory: Bool = true) -> ExplorerView {
        var v = ExplorerView(modelName: "toy.safetensors", modelHash: "0123456789abcdef", resolution: 16, truncation: 0.7,
                             scoreNames: names, classifierNote: nil)
        let d = Direction(attribute: "age", method: "interfacegan", vector: [1, 0, 0, 0])
        for m in DirectionMethod.allCases { v.slots[m] = .available(d, id: m.rawValue, note: nil) }
        v.stepAlphas = [.original: 0.5, .conditional: 0.75, .corrected: 1.0]
        let walks = DirectionMethod.allCases.map { WalkInput(method: $0, direction: d, id: $0.rawValue, stepSize: v.stepAlphas[$0]) }
        var request = RenderRequest(generation: 1, seed: 42, truncation: 0.7, attribute: "age", step: step, stepSize: 0.5, walks: walks)
        request.chartSteps = Trajectory.window(around: step)
        func age(_ s: Int) -> Float { max(0, min(1, 0.05 + 0.1 * Float(s))) }
        v.result = RenderResult(request: request, base: picture(scores: [0.05, 0, 0.1]), pictures: [
            .original: picture(scores: [age(step), age(step) - 0.05, 0.1], changedLeft: true),
            .conditional: picture(scores: [age(step), 0.02, 0.1]),
            .corrected: picture(scores: [age(step), 0, 0.1]),
        ], seconds: 0.01)
        if trajectory {
            var scores: [DirectionMethod: [Int: [Float]]] = [:]
            for m in DirectionMethod.allCases {
                var series: [Int: [Float]] = [:]
                for s in request.chartSteps! { series[s] = [age(s), m == .original ? max(0, age(s) - 0.05) : 0, 0.1] }
                scores[m] = series
            }
            v.trajectory = Trajectory(generation: 1, seed: 42, walkIDs: Trajectory.walkIDs(request), steps: request.chartSteps!, scores: scores)
        }
        return v
    }

    func state(step: Int) -> ExplorerState {
        var s = ExplorerState(seed: 42, attributes: names, stepSize: 0.5)
        for _ in 0..<step { _ = s.handle(.right) }
        return s
    }

    func frame(rows: Int = 50, columns: Int = 160, utf8: Bool = true, state: ExplorerState, view: ExplorerView) -> TextSurface {
        let surface = TextSurface(rows: rows, columns: columns, colorMode: .direct24, isUTF8: utf8)
        ExplorerRenderer(screen: surface, glyphs: utf8 ? .unicode : .ascii).draw(state, view)
        return surface
    }

    static func isBraille(_ c: Character) -> Bool {
        c.unicodeScalars.count == 1 && (0x2801...0x28FF).contains(c.unicodeScalars.first!.value)
    }

    // MARK: the chart itself

    func testChartDrawsARisingLineAndMarksTheCurrentStep() {
        // Probability 0 at step 0 rising to 1 at step 8, over 9 columns and 2 rows (18 x 8 dots).
        let values = Dictionary(uniqueKeysWithValues: (0...8).map { ($0, Float($0) / 8) })
        let chart = TrajectoryChart(columns: 9, rows: 2, steps: 0...8, current: 4, series: [.init(values: values, index: 0)])
        // Bottom left: the lowest dot row (bit 0x40 or 0x80); top right: the highest (0x01 or 0x08).
        let bottomLeft = chart.cells[1][0].character.unicodeScalars.first!.value - TrajectoryChart.brailleBase
        let topRight = chart.cells[0][8].character.unicodeScalars.first!.value - TrajectoryChart.brailleBase
        XCTAssertNotEqual(bottomLeft & 0xC0, 0, chart.lines.joined(separator: "\n"))
        XCTAssertNotEqual(topRight & 0x09, 0, chart.lines.joined(separator: "\n"))
        XCTAssertEqual(chart.cells[0][0].character, " ", "nothing at p = 1 on step 0")
        XCTAssertEqual(chart.cells[1][8].character, " ", "nothing at p = 0 on step 8")
        // A connected line: every column has a dot.
        for c in 0..<9 { XCTAssertTrue(chart.cells.contains { $0[c].series == 0 }, "column \(c) empty:\n\(chart.lines.joined(separator: "\n"))") }
        // Step 4 of 0...8 is the middle column, marked on every row.
        XCTAssertEqual(chart.dotX(4) / 2, 4)
        XCTAssertTrue(chart.cells.allSatisfy { $0[4].marked })
        XCTAssertEqual(chart.cells.flatMap { $0 }.filter(\.marked).count, 2)
    }

    func testChartWindowCoversZeroAndTheCurrentStep() {
        XCTAssertEqual(Trajectory.window(around: 0), -2...8)
        XCTAssertEqual(Trajectory.window(around: 12), -2...14)
        XCTAssertEqual(Trajectory.window(around: -6), -8...8)
        XCTAssertEqual(Trajectory.window(around: ExplorerState.maxStep).upperBound, ExplorerState.maxStep)
    }

    // MARK: the chart in the frame

    /// The columns of pane `i` of three on a 160-column screen.
    func paneColumns(_ i: Int) -> Range<Int> { let w = (160 - 2) / 3; return (i * (w + 1))..<(i * (w + 1) + w) }

    func chartCells(_ s: TextSurface, pane i: Int) -> [(row: Int, column: Int, cell: TextSurface.Cell)] {
        var out: [(Int, Int, TextSurface.Cell)] = []
        for (r, row) in s.cells.enumerated() {
            for c in paneColumns(i) where TrajectoryViewTests.isBraille(row[c].character) { out.append((r, c, row[c])) }
        }
        return out
    }

    func testEveryPaneChartsTheTargetAndTheMostMovedAttributeBelowItsBars() {
        let s = frame(state: state(step: 3), view: view(step: 3))
        // A legend under every pane: the target and the attribute that moved most along any walk.
        let legend = s.lines.filter { $0.contains("━ age") }
        XCTAssertEqual(legend.count, 1, s.text)
        XCTAssertEqual(legend[0].components(separatedBy: "━ eyeglasses").count - 1, 3, legend[0])
        let legendRow = s.lines.firstIndex { $0.contains("━ age") }!
        let barsRow = s.lines.firstIndex { $0.hasPrefix(" age ") }!
        XCTAssertGreaterThan(legendRow, barsRow, "the chart lies below the bars")
        for i in 0..<3 {
            let cells = chartCells(s, pane: i)
            XCTAssertFalse(cells.isEmpty, "pane \(i) has no chart:\n\(s.text)")
            XCTAssertTrue(cells.allSatisfy { $0.row > legendRow }, "braille above the legend")
            XCTAssertTrue(cells.contains { $0.cell.foreground == ExplorerRenderer.targetColor }, "pane \(i): no target line")
        }
        // The original's glasses climb with age: its orange line reaches the upper half of the
        // chart; the corrected pane's stays on the floor.
        let axisRow = s.lines.firstIndex { $0.contains("step +3") && $0.contains("-2") }!
        let middle = (legendRow + axisRow) / 2
        let originalOther = chartCells(s, pane: 0).filter { $0.cell.foreground == ExplorerRenderer.chartOtherColor }
        let correctedOther = chartCells(s, pane: 2).filter { $0.cell.foreground == ExplorerRenderer.chartOtherColor }
        XCTAssertTrue(originalOther.contains { $0.row <= middle }, s.text)
        XCTAssertTrue(correctedOther.allSatisfy { $0.row >= axisRow - 1 }, s.text)
        // The step axis names the window's ends and the current step.
        XCTAssertEqual(s.lines[axisRow].components(separatedBy: "step +3").count - 1, 3, s.lines[axisRow])
        XCTAssertTrue(s.lines[axisRow].contains("+8"), s.lines[axisRow])
    }

    func testTheMarkedStepMovesAsTheUserWalks() {
        func markedColumn(_ s: TextSurface) -> Int? {
            let marked = RGB(45, 45, 60)
            for row in s.cells { for c in paneColumns(0) where row[c].background == marked { return c } }
            return nil
        }
        let at2 = frame(state: state(step: 2), view: view(step: 2))
        let at5 = frame(state: state(step: 5), view: view(step: 5))
        let c2 = try! XCTUnwrap(markedColumn(at2)), c5 = try! XCTUnwrap(markedColumn(at5))
        XCTAssertGreaterThan(c5, c2, "the marked column moves right with the step")
        // A trajectory of another seed is not drawn over this one.
        var other = view(step: 2)
        other.trajectory = Trajectory(generation: 1, seed: 7, walkIDs: other.trajectory!.walkIDs, steps: -2...8, scores: other.trajectory!.scores)
        let s = frame(state: state(step: 2), view: other)
        XCTAssertTrue(chartCells(s, pane: 0).isEmpty)
        XCTAssertTrue(s.text.contains("trajectory …"), s.text)
    }

    func testTKeyHidesTheChartAndTheASCIIChartIsASCII() {
        var st = state(step: 3)
        XCTAssertEqual(st.handle(.char("t")), [])
        let hidden = frame(state: st, view: view(step: 3))
        XCTAssertFalse(hidden.text.contains("━ age"))
        XCTAssertTrue(chartCells(hidden, pane: 0).isEmpty)
        XCTAssertEqual(st.handle(.char("t")), [.render], "shown again: the worker must fill it")
        let ascii = frame(utf8: false, state: state(step: 3), view: view(step: 3))
        XCTAssertTrue(ascii.text.unicodeScalars.allSatisfy { $0.isASCII })
        XCTAssertTrue(ascii.text.contains("- age") && ascii.text.contains("*"), ascii.text)
    }

    // MARK: equal effect

    func testEqualEffectShowsEachPanesAlphaAndAKeySwitchesToEqualAlpha() {
        let s = frame(state: state(step: 2), view: view(step: 2))
        XCTAssertTrue(s.lines[0].contains("step +2  equal effect"), s.lines[0])
        let titles = s.lines.first { $0.hasPrefix(" original") }!
        XCTAssertTrue(titles.contains("α +1.00") && titles.contains("α +1.50") && titles.contains("α +2.00"), titles)
        var st = state(step: 2)
        XCTAssertEqual(st.handle(.char("a")), [.render])
        XCTAssertFalse(st.equalEffect)
        var v = view(step: 2)
        v.stepAlphas = [:]   // what the app does with equal α: the request's walks carry no step of their own
        let walks = v.result!.request.walks.map { WalkInput(method: $0.method, direction: $0.direction, id: $0.id) }
        let r = v.result!
        v.result = RenderResult(request: RenderRequest(generation: 2, seed: 42, truncation: 0.7, attribute: "age", step: 2, stepSize: 0.5, walks: walks),
                                base: r.base, pictures: r.pictures, seconds: 0)
        let equal = frame(state: st, view: v)
        XCTAssertTrue(equal.lines[0].contains("step +2  α +1.00"), equal.lines[0])
        XCTAssertEqual(equal.lines.first { $0.hasPrefix(" original") }!.components(separatedBy: "α +1.00").count - 1, 3)
        // The help lists the keys.
        XCTAssertTrue(KeyBinding.summary.contains("a equal effect"), KeyBinding.summary)
        XCTAssertTrue(KeyBinding.summary.contains("d show / hide where the picture changed"), KeyBinding.summary)
    }

    // MARK: where it changes

    func testHeatMapUnderEachPictureShowsWhereItChanged() {
        XCTAssertEqual(ExplorerRenderer.heatColor(0), RGB(0, 0, 0))
        XCTAssertEqual(ExplorerRenderer.heatColor(1), RGB(255, 255, 255))
        var st = state(step: 3)
        XCTAssertEqual(st.handle(.char("d")), [])
        XCTAssertTrue(st.showsDifference)
        let s = frame(state: st, view: view(step: 3))
        let labelRows = s.lines.indices.filter { s.lines[$0].contains("Δ from step 0") }
        XCTAssertEqual(labelRows.count, 1, s.text)
        let heatBottom = labelRows[0]
        // Pane 0 (the original lightened the left half): bright on the left, black on the right,
        // in the rows above the label; pane 2 (nothing changed): black.
        func heatCells(_ pane: Int) -> [TextSurface.Cell] {
            (heatBottom - 3..<heatBottom).flatMap { r in paneColumns(pane).map { s.cells[r][$0] } }.filter { $0.character == "▀" }
        }
        let original = heatCells(0), corrected = heatCells(2)
        XCTAssertFalse(original.isEmpty, s.text)
        XCTAssertTrue(original.contains { $0.foreground == RGB(255, 255, 255) || ($0.foreground?.g ?? 0) > 200 }, "no bright change")
        XCTAssertTrue(original.contains { $0.foreground == RGB(0, 0, 0) }, "no unchanged black")
        XCTAssertTrue(corrected.allSatisfy { $0.foreground == RGB(0, 0, 0) && $0.background == RGB(0, 0, 0) })
        XCTAssertTrue(s.lines[heatBottom].contains("max 0"), "the unchanged panes say so: \(s.lines[heatBottom])")
        // It lies between the picture and the bars.
        let barsRow = s.lines.firstIndex { $0.hasPrefix(" age ") }!
        XCTAssertLessThan(heatBottom, barsRow)
        let pictureRows = s.lines.indices.filter { r in paneColumns(2).contains { s.cells[r][$0].foreground == RGB(220, 30, 30) } }
        XCTAssertFalse(pictureRows.isEmpty)
        XCTAssertTrue(pictureRows.allSatisfy { $0 < heatBottom - 3 }, "heat map drawn over the picture")
        // d again hides it.
        XCTAssertEqual(st.handle(.char("d")), [])
        XCTAssertFalse(frame(state: st, view: view(step: 3)).text.contains("Δ from step 0"))
    }

    /// Pictures use the terminal's height: at 160x50 a 64 px picture fills the pane's width,
    /// and the chart takes the rows that were left empty.
    func testPanesUseTheTerminalsHeight() {
        var v = view(step: 3)
        v.resolution = 64
        let s = frame(state: state(step: 3), view: v)
        let empty = s.lines.dropFirst().dropLast().filter { $0.trimmingCharacters(in: .whitespaces).isEmpty }.count
        XCTAssertLessThanOrEqual(empty, 6, s.text)
    }
}
