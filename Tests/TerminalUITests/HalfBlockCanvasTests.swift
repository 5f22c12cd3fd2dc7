import XCTest
@testable import TerminalUI

final class HalfBlockCanvasTests: XCTestCase {
    /// Builds an interleaved RGB buffer from a per-pixel function.
    private func image(_ w: Int, _ h: Int, _ f: (Int, Int) -> RGB) -> [UInt8] {
        var p: [UInt8] = []
        for y in 0..<h { for x in 0..<w { let c = f(x, y); p += [c.r, c.g, c.b] } }
        return p
    }

    func testFourByFourPatternIntoFourByTwoCells() {
        let color: (Int, Int) -> RGB = { x, y in RGB(UInt8(x * 60), UInt8(y * 60), UInt8(10 * (x + 4 * y))) }
        let canvas = HalfBlockCanvas(pixels: image(4, 4, color), width: 4, height: 4, boxColumns: 4, boxRows: 2)
        XCTAssertEqual(canvas.columns, 4)
        XCTAssertEqual(canvas.rows, 2)
        XCTAssertEqual(canvas.originX, 0)
        XCTAssertEqual(canvas.originY, 0)
        XCTAssertEqual(canvas.cell(row: 0, column: 0), .init(top: RGB(0, 0, 0), bottom: RGB(0, 60, 40)))
        XCTAssertEqual(canvas.cell(row: 0, column: 3), .init(top: RGB(180, 0, 30), bottom: RGB(180, 60, 70)))
        XCTAssertEqual(canvas.cell(row: 1, column: 1), .init(top: RGB(60, 120, 90), bottom: RGB(60, 180, 130)))
        XCTAssertEqual(canvas.cell(row: 1, column: 2), .init(top: RGB(120, 120, 100), bottom: RGB(120, 180, 140)))
        for row in 0..<2 {
            for col in 0..<4 {
                XCTAssertEqual(canvas.cell(row: row, column: col).top, color(col, 2 * row))
                XCTAssertEqual(canvas.cell(row: row, column: col).bottom, color(col, 2 * row + 1))
            }
        }
    }

    func testShrinkingAveragesTwoByTwoBlocks() {
        // Source pixel (x, y) = (4x, 4y, 2(x+y)); the mean of block (2X..2X+1, 2Y..2Y+1) is
        // exactly (8X+2, 8Y+2, 4X+4Y+2).
        let src = image(64, 64) { x, y in RGB(UInt8(4 * x), UInt8(4 * y), UInt8(2 * (x + y))) }
        let canvas = HalfBlockCanvas(pixels: src, width: 64, height: 64, boxColumns: 32, boxRows: 16)
        XCTAssertEqual(canvas.columns, 32)
        XCTAssertEqual(canvas.rows, 16)
        XCTAssertEqual(canvas.originX, 0)
        XCTAssertEqual(canvas.originY, 0)
        func scaled(_ X: Int, _ Y: Int) -> RGB { RGB(UInt8(8 * X + 2), UInt8(8 * Y + 2), UInt8(4 * X + 4 * Y + 2)) }
        for row in 0..<16 {
            for col in 0..<32 {
                let cell = canvas.cell(row: row, column: col)
                XCTAssertEqual(cell.top, scaled(col, 2 * row), "cell \(row),\(col)")
                XCTAssertEqual(cell.bottom, scaled(col, 2 * row + 1), "cell \(row),\(col)")
            }
        }
    }

    func testShrinkingCheckerboardGivesMidGrey() {
        let src = image(64, 64) { x, y in (x + y) % 2 == 0 ? .black : .white }
        let canvas = HalfBlockCanvas(pixels: src, width: 64, height: 64, boxColumns: 32, boxRows: 16)
        // 127.5 rounds to 128 in every cell.
        XCTAssertTrue(canvas.cells.allSatisfy { $0.top == RGB(128, 128, 128) && $0.bottom == RGB(128, 128, 128) })
    }

    func testGrowingUsesNearestNeighbour() {
        let colors = [RGB(255, 0, 0), RGB(0, 255, 0), RGB(0, 0, 255), RGB(9, 9, 9)]
        let src = image(2, 2) { x, y in colors[y * 2 + x] }
        let canvas = HalfBlockCanvas(pixels: src, width: 2, height: 2, boxColumns: 4, boxRows: 2)
        XCTAssertEqual(canvas.columns, 4)
        XCTAssertEqual(canvas.rows, 2)
        for col in 0..<4 {
            XCTAssertEqual(canvas.cell(row: 0, column: col), .init(top: colors[col / 2], bottom: colors[col / 2]))
            XCTAssertEqual(canvas.cell(row: 1, column: col), .init(top: colors[2 + col / 2], bottom: colors[2 + col / 2]))
        }
    }

    func testAspectRatioIsKeptAndCentred() {
        // A square 10x10 picture in a 20x5-cell box (20x10 pixels): 10 columns, centred.
        let square = image(10, 10) { _, _ in .white }
        let a = HalfBlockCanvas(pixels: square, width: 10, height: 10, boxColumns: 20, boxRows: 5)
        XCTAssertEqual([a.columns, a.rows, a.originX, a.originY], [10, 5, 5, 0])
        // A wide 20x8 picture in a 10x10-cell box (10x20 pixels): scale 1/2 -> 10x4 pixels,
        // 2 rows of cells, centred vertically at row 4.
        let wide = image(20, 8) { _, _ in .white }
        let b = HalfBlockCanvas(pixels: wide, width: 20, height: 8, boxColumns: 10, boxRows: 10)
        XCTAssertEqual([b.columns, b.rows, b.originX, b.originY], [10, 2, 0, 4])
        // 64x64 into an 80x20 box: 40x40 pixels = 40 columns x 20 rows, offset 20.
        let big = image(64, 64) { _, _ in .black }
        let c = HalfBlockCanvas(pixels: big, width: 64, height: 64, boxColumns: 80, boxRows: 20)
        XCTAssertEqual([c.columns, c.rows, c.originX, c.originY], [40, 20, 20, 0])
    }

    func testEmptyInputsGiveEmptyCanvas() {
        XCTAssertTrue(HalfBlockCanvas(pixels: [], width: 0, height: 0, boxColumns: 10, boxRows: 10).cells.isEmpty)
        let px = image(4, 4) { _, _ in .white }
        let c = HalfBlockCanvas(pixels: px, width: 4, height: 4, boxColumns: 0, boxRows: 3)
        XCTAssertEqual(c.rows, 0)
        let surface = TextSurface(rows: 3, columns: 10, colorMode: .mono)
        surface.draw(c, y: 0, x: 0)
        XCTAssertEqual(surface.lines, ["", "", ""])
    }

    func testAsciiRampOrdering() {
        XCTAssertEqual(HalfBlockCanvas.asciiCharacter(luminance: 0), " ")
        XCTAssertEqual(HalfBlockCanvas.asciiCharacter(luminance: 255), "@")
        let ramp = HalfBlockCanvas.defaultRamp
        var last = -1
        for lum in stride(from: 0.0, through: 255.0, by: 1.0) {
            let i = ramp.firstIndex(of: HalfBlockCanvas.asciiCharacter(luminance: lum))!
            XCTAssertGreaterThanOrEqual(i, last, "darker must not map later in the ramp")
            last = i
        }
        // A horizontal grey gradient with 10 steps reads as the ramp itself.
        let src = image(10, 2) { x, _ in let v = UInt8(x * 255 / 9); return RGB(v, v, v) }
        let canvas = HalfBlockCanvas(pixels: src, width: 10, height: 2, boxColumns: 10, boxRows: 1)
        // Drawn as a monochrome terminal shows it (the ASCII path of TerminalSurface.draw).
        let surface = TextSurface(rows: 1, columns: 10, colorMode: .mono, isUTF8: true)
        surface.draw(canvas, y: 0, x: 0)
        XCTAssertEqual(surface.lines, [" .:-=+*#%@"])
    }
}
