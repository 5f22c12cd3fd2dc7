import Foundation
import SC2Engine
import TerminalUI
import XCTest
@testable import SC2Explorer

/// The explorer's frames drawn onto an in-memory surface: what the user reads and sees, checked
/// cell by cell without a terminal. (The tmux suite keeps a few end-to-end smoke tests.)
final class ExplorerRendererTests: XCTestCase {
    let names = ["age", "eyeglasses", "lipstick"]

    func picture(scores: [Float]?) -> Picture { stripedPicture(scores: scores) }

    func view(step: Int, withPictures: Bool = true) -> ExplorerView {
        var v = ExplorerView(modelName: "toy.safetensors", modelHash: "0123456789abcdef", resolution: 16, truncation: 0.7,
                             scoreNames: names, classifierNote: nil)
        let d = Direction(attribute: "age", method: "interfacegan", vector: [1, 0, 0, 0])
        for m in DirectionMethod.allCases { v.slots[m] = .available(d, id: m.rawValue, note: nil) }
        if withPictures {
            let request = RenderRequest(generation: 1, seed: 42, truncation: 0.7, attribute: "age", step: step, stepSize: 0.5,
                                        walks: DirectionMethod.allCases.map { WalkInput(method: $0, direction: d, id: $0.rawValue) })
            let edited: [DirectionMethod: Picture] = [
                .original: picture(scores: [0.9, 0.8, 0.1]),     // age on, glasses along (leak 0.8)
                .conditional: picture(scores: [0.9, 0.05, 0.1]),
                .corrected: picture(scores: [0.85, 0.0, 0.1]),
            ]
            v.result = RenderResult(request: request, base: picture(scores: [0.05, 0.0, 0.1]), pictures: edited, seconds: 0.01)
        }
        return v
    }

    func frame(rows: Int = 50, columns: Int = 160, colorMode: ColorMode = .direct24, utf8: Bool = true,
               state: ExplorerState, view: ExplorerView) -> TextSurface {
        let surface = TextSurface(rows: rows, columns: columns, colorMode: colorMode, isUTF8: utf8)
        ExplorerRenderer(screen: surface, glyphs: utf8 ? .unicode : .ascii).draw(state, view)
        return surface
    }

    func testHeaderPanesAndScoreBars() {
        var state = ExplorerState(seed: 42, attributes: names, stepSize: 0.5)
        _ = state.handle(.right); _ = state.handle(.right)
        let s = frame(state: state, view: view(step: 2))
        let lines = s.lines
        XCTAssertTrue(lines[0].contains("seed 42") && lines[0].contains("age 1/3") && lines[0].contains("step +2"), lines[0])
        XCTAssertTrue(lines[0].contains("toy.safetensors #01234567 16×16"), lines[0])
        let titles = lines.first { $0.hasPrefix(" original") } ?? ""
        XCTAssertTrue(titles.contains("conditional") && titles.contains("SC² corrected"), titles)
        // The age bar of every pane shows the probability and its change since step 0.
        let ageBars = lines.filter { $0.hasPrefix(" age ") }
        XCTAssertEqual(ageBars.count, 1)
        XCTAssertTrue(ageBars[0].contains("0.90 +0.85") && ageBars[0].contains("0.85 +0.80"), ageBars[0])
        let glasses = lines.first { $0.hasPrefix(" eyeglasses") } ?? ""
        XCTAssertTrue(glasses.contains("0.80 +0.80") && glasses.contains("0.05 +0.05"), glasses)
        XCTAssertTrue(s.text.contains("leak 0.80 eyeglasses"), s.text)
        // The footer lists the keys.
        XCTAssertTrue(lines.last { !$0.isEmpty }?.contains("q quit") ?? false)
        XCTAssertEqual(s.refreshes, 0, "the renderer draws; the app refreshes")
    }

    func testPicturesAreHalfBlocksInTheirColours() {
        let s = frame(state: ExplorerState(seed: 42, attributes: names, stepSize: 0.5), view: view(step: 0))
        let blocks = s.cells.flatMap { $0 }.filter { $0.character == "▀" }
        XCTAssertGreaterThan(blocks.count, 3 * 100, "three pictures of half blocks")
        // Pictures keep their colours: red on the left of each picture, blue on the right.
        XCTAssertTrue(blocks.contains { $0.foreground == RGB(220, 30, 30) && $0.background == RGB(220, 30, 30) })
        XCTAssertTrue(blocks.contains { $0.foreground == RGB(30, 30, 220) })
        // Leakage above 0.2 is drawn in the strong-leak colour.
        let leakCells = s.cells.flatMap { $0 }.filter { $0.foreground == ExplorerRenderer.strongLeakColor }
        XCTAssertFalse(leakCells.isEmpty)
    }

    func testASCIIFallbackWithoutUTF8() {
        let s = frame(utf8: false, state: ExplorerState(seed: 42, attributes: names, stepSize: 0.5), view: view(step: 0))
        XCTAssertFalse(s.text.contains("▀"))
        XCTAssertTrue(s.text.unicodeScalars.allSatisfy { $0.isASCII }, "non-ASCII on a non-UTF-8 terminal")
        XCTAssertTrue(s.lines[0].contains("seed 42"))
    }

    /// A predictor with many attributes (CelebA's 40) fits a 40-row terminal: 8 bars per pane,
    /// the target first, then the attributes that changed most in any pane, the same in every pane.
    func testManyAttributesShowTheTargetAndTheLargestChanges() {
        let many = (0..<40).map { "attr\($0)" }
        var v = ExplorerView(modelName: "toy.safetensors", modelHash: "0123456789abcdef", resolution: 16, truncation: 0.7,
                             scoreNames: many, classifierNote: nil)
        let d = Direction(attribute: "attr30", method: "interfacegan", vector: [1, 0, 0, 0])
        for m in DirectionMethod.allCases { v.slots[m] = .available(d, id: m.rawValue, note: nil) }
        let request = RenderRequest(generation: 1, seed: 42, truncation: 0.7, attribute: "attr30", step: 2, stepSize: 0.5,
                                    walks: DirectionMethod.allCases.map { WalkInput(method: $0, direction: d, id: $0.rawValue) })
        let base = [Float](repeating: 0.1, count: 40)
        func edited(_ changes: [Int: Float]) -> Picture {
            var s = base
            for (i, c) in changes { s[i] += c }
            return picture(scores: s)
        }
        // attr30 the target; attr5 changes most (in one pane), then attr17, attr2; the rest barely.
        v.result = RenderResult(request: request, base: picture(scores: base), pictures: [
            .original: edited([30: 0.8, 5: 0.6, 17: 0.3, 2: 0.2, 8: 0.01]),
            .conditional: edited([30: 0.8, 17: 0.1, 2: 0.25]),
            .corrected: edited([30: 0.7, 2: 0.05]),
        ], seconds: 0.01)
        XCTAssertEqual(ExplorerRenderer.shownAttributes(v, target: "attr30", rows: 8), [30, 5, 17, 2, 8, 0, 1, 3])
        var state = ExplorerState(seed: 42, attributes: many, stepSize: 0.5)
        _ = state.handle(.right); _ = state.handle(.right)
        let s = frame(rows: 40, columns: 160, state: state, view: v)
        XCTAssertFalse(s.text.contains("too small"), s.text)
        let bars = s.lines.filter { $0.hasPrefix(" attr") }
        XCTAssertEqual(bars.count, 8, s.text)
        XCTAssertTrue(bars[0].hasPrefix(" attr30") && bars[1].hasPrefix(" attr5 ") && bars[2].hasPrefix(" attr17"), bars.joined(separator: "\n"))
        XCTAssertTrue(bars[1].contains("0.70 +0.60") && bars[1].contains("0.10  0.00"), bars[1])
        // Everything fits: all in the predictor's order.
        XCTAssertEqual(ExplorerRenderer.shownAttributes(v, target: "attr30", rows: 40), Array(0..<40))
    }

    func testTooSmallTerminalSaysSo() {
        let s = frame(rows: 10, columns: 40, state: ExplorerState(seed: 1, attributes: names, stepSize: 0.5), view: view(step: 0))
        XCTAssertTrue(s.text.contains("Terminal too small"), s.text)
        XCTAssertFalse(s.text.contains("▀"))
        // Wide enough for one pane: the message says m switches to it.
        let two = frame(rows: 40, columns: 70, state: ExplorerState(seed: 1, attributes: names, stepSize: 0.5), view: view(step: 0))
        if two.text.contains("Terminal too small") { XCTAssertTrue(two.text.contains("Press m"), two.text) }
    }

    func testHelpOverlayAndSeedPrompt() {
        var state = ExplorerState(seed: 7, attributes: names, stepSize: 0.5)
        _ = state.handle(.char("?"))
        XCTAssertTrue(frame(state: state, view: view(step: 0)).text.lowercased().contains("help"))
        var prompt = ExplorerState(seed: 7, attributes: names, stepSize: 0.5)
        _ = prompt.handle(.char("s")); _ = prompt.handle(.char("1")); _ = prompt.handle(.char("2"))
        let s = frame(state: prompt, view: view(step: 0))
        XCTAssertTrue(s.text.contains("seed: 12"), s.text)
    }

    func testPanesWithoutPicturesSayRendering() {
        var v = view(step: 0, withPictures: false)
        v.rendering = true
        let s = frame(state: ExplorerState(seed: 3, attributes: names, stepSize: 0.5), view: v)
        XCTAssertTrue(s.lines[0].contains("rendering"), s.lines[0])
        XCTAssertFalse(s.text.contains("▀"))
    }
}
