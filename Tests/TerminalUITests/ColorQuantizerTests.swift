import XCTest
@testable import TerminalUI

final class ColorQuantizerTests: XCTestCase {
    func testModeFromColorCount() {
        XCTAssertEqual(ColorMode(colorCount: 16_777_216), .direct24)
        XCTAssertEqual(ColorMode(colorCount: 256), .palette256)
        XCTAssertEqual(ColorMode(colorCount: 88), .basic8)
        XCTAssertEqual(ColorMode(colorCount: 8), .basic8)
        XCTAssertEqual(ColorMode(colorCount: 2), .mono)
        XCTAssertEqual(ColorMode(colorCount: 0), .mono)
    }

    func testXterm256KnownColors() {
        XCTAssertEqual(ColorQuantizer.xterm256Index(RGB(255, 0, 0)), 196)   // 16 + 36*5
        XCTAssertEqual(ColorQuantizer.xterm256Index(RGB(0, 0, 0)), 16)
        XCTAssertEqual(ColorQuantizer.xterm256Index(RGB(255, 255, 255)), 231)
        XCTAssertEqual(ColorQuantizer.xterm256Index(RGB(95, 135, 175)), 67)  // 16 + 36 + 12 + 3
        // (255,128,0): cube levels 255, 135, 0 -> 16 + 180 + 12 = 208; no grey comes close.
        XCTAssertEqual(ColorQuantizer.xterm256Index(RGB(255, 128, 0)), 208)
    }

    func testXterm256GreysVersusCube() {
        // Mid grey: grey 232+12 = 128 exactly (distance 0) beats cube 135 (distance 3*49).
        XCTAssertEqual(ColorQuantizer.xterm256Index(RGB(128, 128, 128)), 244)
        // (100,100,100): grey 98 (distance 12) beats cube 95 (distance 75).
        XCTAssertEqual(ColorQuantizer.xterm256Index(RGB(100, 100, 100)), 241)
        // (8,8,8) is the first grey exactly.
        XCTAssertEqual(ColorQuantizer.xterm256Index(RGB(8, 8, 8)), 232)
        // (250,250,250): cube white (distance 75) beats grey 238 (distance 432).
        XCTAssertEqual(ColorQuantizer.xterm256Index(RGB(250, 250, 250)), 231)
        XCTAssertEqual(ColorQuantizer.xterm256Index(RGB(238, 238, 238)), 255)
    }

    func testXterm256IsTrulyNearest() {
        // Compare with a brute-force search over 16...255 on a coarse grid of colours.
        for r in stride(from: 0, through: 255, by: 17) {
            for g in stride(from: 0, through: 255, by: 51) {
                for b in stride(from: 3, through: 255, by: 28) {
                    let c = RGB(UInt8(r), UInt8(g), UInt8(b))
                    let best = (16...255).map { ColorQuantizer.xterm256Color($0).distanceSquared(to: c) }.min()!
                    let got = ColorQuantizer.xterm256Color(ColorQuantizer.xterm256Index(c)).distanceSquared(to: c)
                    XCTAssertEqual(got, best, "\(c)")
                }
            }
        }
    }

    func testXterm256RoundTrip() {
        for i in 16...255 {
            XCTAssertEqual(ColorQuantizer.xterm256Index(ColorQuantizer.xterm256Color(i)), i)
        }
        XCTAssertEqual(ColorMode.palette256.rgb(forColorNumber: 196), RGB(255, 0, 0))
    }

    func testDirectValues() {
        XCTAssertEqual(ColorQuantizer.directValue(RGB(0x12, 0x34, 0x56)), 0x123456)
        // (8,8,8) is 0x080808, far above the ANSI range: unchanged.
        XCTAssertEqual(ColorQuantizer.directValue(RGB(8, 8, 8)), 0x080808)
        // Values below 8 would select ANSI colours: nudged to green = 1.
        XCTAssertEqual(ColorQuantizer.directValue(RGB(0, 0, 0)), 0x000100)
        XCTAssertEqual(ColorQuantizer.directValue(RGB(0, 0, 7)), 0x000107)
        XCTAssertEqual(ColorQuantizer.directValue(RGB(0, 0, 8)), 8)
        XCTAssertEqual(ColorQuantizer.directValue(RGB(1, 0, 0)), 0x010000)
        XCTAssertEqual(ColorMode.direct24.colorNumber(for: RGB(255, 255, 255)), 0xFFFFFF)
        XCTAssertEqual(ColorMode.direct24.rgb(forColorNumber: 0x123456), RGB(0x12, 0x34, 0x56))
        XCTAssertNil(ColorMode.direct24.rgb(forColorNumber: -1))
    }

    func testBasic8() {
        XCTAssertEqual(ColorQuantizer.basic8Index(RGB(0, 0, 0)), 0)
        XCTAssertEqual(ColorQuantizer.basic8Index(RGB(200, 30, 30)), 1)
        XCTAssertEqual(ColorQuantizer.basic8Index(RGB(30, 200, 30)), 2)
        XCTAssertEqual(ColorQuantizer.basic8Index(RGB(200, 200, 30)), 3)
        XCTAssertEqual(ColorQuantizer.basic8Index(RGB(30, 30, 200)), 4)
        XCTAssertEqual(ColorQuantizer.basic8Index(RGB(200, 30, 200)), 5)
        XCTAssertEqual(ColorQuantizer.basic8Index(RGB(30, 200, 200)), 6)
        XCTAssertEqual(ColorQuantizer.basic8Index(RGB(127, 127, 127)), 0)
        XCTAssertEqual(ColorQuantizer.basic8Index(RGB(128, 128, 128)), 7)
        for i in 0..<8 {
            XCTAssertEqual(ColorQuantizer.basic8Index(ColorQuantizer.basic8Color(i)), i)
        }
        XCTAssertEqual(ColorMode.mono.colorNumber(for: RGB(255, 0, 0)), ColorMode.defaultColor)
    }
}
