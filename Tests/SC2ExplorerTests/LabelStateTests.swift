import Foundation
import SC2Engine
@testable import SC2Explorer
import TerminalUI
import XCTest

/// The labelling view's keys: marks move the cursor on and turn the page, undo steps back and
/// clears, a resumed file starts at the first unlabelled seed, and the grid draws each label.
final class LabelStateTests: XCTestCase {
    func fresh() -> HandLabels { HandLabels(attribute: "hat", model: "m.safetensors", modelHash: "abc", truncation: 0.7) }

    func testMarksUndoAndPages() {
        var s = LabelState(labels: fresh(), first: 10)
        s.setGrid(columns: 3, rows: 2)
        XCTAssertEqual(s.pageSeeds, [10, 11, 12, 13, 14, 15])
        XCTAssertEqual(s.handle(.char("y")), [.save])
        XCTAssertEqual(s.handle(.char("n")), [.save])
        XCTAssertEqual(s.handle(.char(" ")), [.save])
        XCTAssertEqual(s.labels.label(of: 10), .present)
        XCTAssertEqual(s.labels.label(of: 11), .absent)
        XCTAssertEqual(s.labels.label(of: 12), .skip)
        XCTAssertEqual(s.cursor, 13)
        // Undo: back to 12 and its label gone; undo on an unlabelled seed saves nothing.
        XCTAssertEqual(s.handle(.char("u")), [.save])
        XCTAssertEqual(s.cursor, 12)
        XCTAssertNil(s.labels.label(of: 12))
        for _ in 0..<4 { _ = s.handle(.char("y")) }           // 12...15: the page is full
        XCTAssertEqual(s.cursor, 16)
        XCTAssertEqual(s.pageSeeds.first, 16)                 // turned to the next page
        _ = s.handle(.up)
        XCTAssertEqual(s.cursor, 13)
        XCTAssertEqual(s.pageSeeds.first, 10)
        _ = s.handle(.pageDown)
        XCTAssertEqual(s.cursor, 16)
        XCTAssertEqual(s.labels.count(.present), 5)
        XCTAssertEqual(s.handle(.char("q")), [.quit])
        // Seed 0 cannot go back further.
        var z = LabelState(labels: fresh(), first: 0)
        XCTAssertEqual(z.handle(.char("u")), [])
        XCTAssertEqual(z.handle(.left), [])
        XCTAssertEqual(z.cursor, 0)
    }

    func testResumeSavesAndDraws() throws {
        var l = fresh()
        l.set(.present, for: 0); l.set(.absent, for: 1); l.set(.skip, for: 2)
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("hat.labels.json")
        try l.save(to: url)
        let back = try HandLabels.load(url)
        XCTAssertEqual(back, l)
        let s = LabelState(labels: back, first: 0)
        XCTAssertEqual(s.cursor, 3)                          // goes on where it stopped

        // A file that is not a labels file, or labels a seed twice, is refused in one line.
        try Data("{\"format\": \"other\"}".utf8).write(to: url)
        XCTAssertThrowsError(try HandLabels.load(url)) { XCTAssertTrue("\($0)".contains("not a labels file"), "\($0)") }
        let twice = #"{"format": "sc2gan-labels", "version": 1, "attribute": "hat", "model": "m", "model_hash": "abc", "truncation": 0.7, "labels": [{"seed": 4, "label": "present"}, {"seed": 4, "label": "absent"}]}"#
        try Data(twice.utf8).write(to: url)
        XCTAssertThrowsError(try HandLabels.load(url)) { XCTAssertTrue("\($0)".contains("labelled twice"), "\($0)") }

        // The grid: header counts, captions with the label, the cursor marked.
        let surface = TextSurface(rows: 30, columns: 100)
        var state = LabelState(labels: back, first: 0)
        let grid = LabelRenderer.grid(rows: 30, columns: 100)
        state.setGrid(columns: grid.columns, rows: grid.rows)
        XCTAssertEqual(state.pageSeeds.first, 3)
        _ = state.handle(.pageUp)                            // back to the labelled seeds
        XCTAssertEqual(state.cursor, 0)
        let img = RGBImage(width: 8, height: 8, pixels: [UInt8](repeating: 128, count: 8 * 8 * 3))
        LabelRenderer(screen: surface, glyphs: .unicode).draw(state, pictures: [0: img, 1: img, 2: img, 3: img], file: "hat.labels.json")
        let text = surface.text
        XCTAssertTrue(text.contains("label hat") && text.contains("1 present") && text.contains("1 absent") && text.contains("1 skipped"), text)
        XCTAssertTrue(text.contains("▶ 0 yes") && text.contains("1 no") && text.contains("2 skip") && text.contains("  3 ?"), text)
        XCTAssertTrue(text.contains("y present"), text)
        // Too small: one line saying so.
        let tiny = TextSurface(rows: 5, columns: 20)
        LabelRenderer(screen: tiny, glyphs: .ascii).draw(state, pictures: [:], file: "f")
        XCTAssertTrue(tiny.text.contains("too small"), tiny.text)
    }
}
