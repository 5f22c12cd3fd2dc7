import XCTest
@testable import TerminalUI

final class ColorPairTableTests: XCTestCase {
    func testSameColorsReuseOnePair() {
        var t = ColorPairTable(capacity: 10, mode: .palette256)
        XCTAssertEqual(t.pair(fg: 196, bg: 16), 1)
        XCTAssertEqual(t.pair(fg: 196, bg: 16), 1)
        XCTAssertEqual(t.pair(fg: 16, bg: 196), 2)
        XCTAssertEqual(t.pair(fg: -1, bg: 21), 3)
        XCTAssertEqual(t.pairsInUse, 3)
        XCTAssertEqual(t.takePendingDefinitions(), [
            .init(pair: 1, foreground: 196, background: 16),
            .init(pair: 2, foreground: 16, background: 196),
            .init(pair: 3, foreground: -1, background: 21),
        ])
        XCTAssertEqual(t.takePendingDefinitions(), [], "definitions are reported once")
    }

    func testResetStartsNewFrameWithoutRedefiningKnownPairs() {
        var t = ColorPairTable(capacity: 10, mode: .palette256)
        _ = t.pair(fg: 1, bg: 2)
        _ = t.pair(fg: 3, bg: 4)
        _ = t.takePendingDefinitions()
        t.reset()
        XCTAssertEqual(t.pairsInUse, 0)
        XCTAssertEqual(t.pair(fg: 3, bg: 4), 2, "a still picture keeps its pairs")
        XCTAssertEqual(t.takePendingDefinitions(), [])
        XCTAssertEqual(t.pair(fg: 5, bg: 6), 3)
        XCTAssertEqual(t.takePendingDefinitions(), [.init(pair: 3, foreground: 5, background: 6)])
        XCTAssertEqual(t.pairsInUse, 2)
    }

    func testPairsFromEarlierFramesAreRecycled() {
        var t = ColorPairTable(capacity: 2, mode: .direct24)
        XCTAssertEqual(t.pair(fg: 10, bg: 20), 1)
        XCTAssertEqual(t.pair(fg: 30, bg: 40), 2)
        t.reset()
        // New colours take over pairs not used in this frame, reported as redefinitions.
        XCTAssertEqual(t.pair(fg: 50, bg: 60), 1)
        XCTAssertEqual(t.pair(fg: 30, bg: 40), 2)
        _ = t.takePendingDefinitions()
        t.reset()
        // (10, 20) was evicted from pair 1; the round-robin cursor now points at pair 2.
        XCTAssertEqual(t.pair(fg: 10, bg: 20), 2)
        XCTAssertEqual(t.takePendingDefinitions(), [.init(pair: 2, foreground: 10, background: 20)])
        XCTAssertEqual(t.pair(fg: 50, bg: 60), 1, "still defined from the last frame")
        XCTAssertEqual(t.takePendingDefinitions(), [])
    }

    func testExhaustionFallsBackToNearestPair() {
        var t = ColorPairTable(capacity: 3, mode: .direct24)
        let black = ColorQuantizer.directValue(.black), white = ColorQuantizer.directValue(.white)
        let red = ColorQuantizer.directValue(RGB(255, 0, 0))
        XCTAssertEqual(t.pair(fg: white, bg: black), 1)
        XCTAssertEqual(t.pair(fg: red, bg: red), 2)
        XCTAssertEqual(t.pair(fg: black, bg: white), 3)
        _ = t.takePendingDefinitions()
        // Full: near-red on red maps to pair 2, near-white on near-black to pair 1.
        XCTAssertEqual(t.pair(fg: ColorQuantizer.directValue(RGB(250, 10, 10)), bg: red), 2)
        XCTAssertEqual(t.pair(fg: ColorQuantizer.directValue(RGB(240, 240, 240)),
                              bg: ColorQuantizer.directValue(RGB(5, 5, 5))), 1)
        XCTAssertEqual(t.approximations, 2)
        XCTAssertEqual(t.takePendingDefinitions(), [], "approximations define nothing")
        // Many more distinct requests: no crash, always a valid pair.
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let p = t.pair(fg: Int32.random(in: 0...0xFFFFFF, using: &rng), bg: Int32.random(in: 0...0xFFFFFF, using: &rng))
            XCTAssertTrue((1...3).contains(p))
        }
        XCTAssertEqual(t.pairsInUse, 3)
        // The next frame has room again.
        t.reset()
        XCTAssertEqual(t.approximations, 0)
        XCTAssertEqual(t.pair(fg: 1234, bg: 5678), 1)
    }

    func testLargeFrameStaysWithinCapacity() {
        var t = ColorPairTable(capacity: 32767, mode: .palette256)
        var seen = Set<Int32>()
        for fg in 0..<256 {
            for bg in 0..<200 {
                let p = t.pair(fg: Int32(fg), bg: Int32(bg))
                XCTAssertTrue(p >= 1 && p <= 32767)
                seen.insert(p)
            }
        }
        XCTAssertEqual(t.pairsInUse, 32767)
        XCTAssertEqual(seen.count, 32767)
        XCTAssertEqual(t.takePendingDefinitions().count, 32767)
    }
}
