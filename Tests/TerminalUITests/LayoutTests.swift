import XCTest
@testable import TerminalUI

final class LayoutTests: XCTestCase {
    private func fits(_ r: Layout.Result, file: StaticString = #filePath, line: UInt = #line) -> Layout? {
        if case .fits(let l) = r { return l }
        XCTFail("expected a layout, got \(r)", file: file, line: line)
        return nil
    }

    func testOnePane80x24() throws {
        let l = try XCTUnwrap(fits(Layout.make(width: 80, height: 24, paneCount: 1, textLines: 3)))
        XCTAssertEqual(l.header, Rect(y: 0, x: 0, height: 1, width: 80))
        XCTAssertEqual(l.footer, Rect(y: 23, x: 0, height: 1, width: 80))
        XCTAssertEqual(l.panes.count, 1)
        XCTAssertEqual(l.panes[0].frame, Rect(y: 1, x: 0, height: 22, width: 80))
        XCTAssertEqual(l.panes[0].image, Rect(y: 1, x: 0, height: 19, width: 80))
        XCTAssertEqual(l.panes[0].text, Rect(y: 20, x: 0, height: 3, width: 80))
    }

    func testTwoPanesShareWidthWithGap() throws {
        // 80 - 1 gap = 79 columns: 40 + 39.
        let l = try XCTUnwrap(fits(Layout.make(width: 80, height: 24, paneCount: 2, textLines: 2)))
        XCTAssertEqual(l.panes.map(\.image), [Rect(y: 1, x: 0, height: 20, width: 40),
                                              Rect(y: 1, x: 41, height: 20, width: 39)])
        XCTAssertEqual(l.panes.map(\.text), [Rect(y: 21, x: 0, height: 2, width: 40),
                                             Rect(y: 21, x: 41, height: 2, width: 39)])
    }

    func testThreePanes100x30() throws {
        // 100 - 2 gaps = 98 = 33 + 33 + 32.
        let l = try XCTUnwrap(fits(Layout.make(width: 100, height: 30, paneCount: 3, textLines: 4)))
        XCTAssertEqual(l.panes.map(\.image.x), [0, 34, 68])
        XCTAssertEqual(l.panes.map(\.image.width), [33, 33, 32])
        XCTAssertEqual(l.panes.map(\.image.height), [24, 24, 24])
        XCTAssertEqual(l.panes.map(\.text.y), [25, 25, 25])
        XCTAssertEqual(l.footer.y, 29)
    }

    func testFourPanesAtExactMinimum() throws {
        // 4 * 8 + 3 = 35 columns; 1 + 4 + 2 + 1 = 8 rows.
        let l = try XCTUnwrap(fits(Layout.make(width: 35, height: 8, paneCount: 4, textLines: 2)))
        XCTAssertEqual(l.panes.map(\.image.x), [0, 9, 18, 27])
        XCTAssertTrue(l.panes.allSatisfy { $0.image.width == 8 && $0.image.height == 4 && $0.text.height == 2 })
    }

    func testTooSmall() {
        XCTAssertEqual(Layout.make(width: 30, height: 10, paneCount: 4, textLines: 2),
                       .tooSmall(minWidth: 35, minHeight: 8))
        XCTAssertEqual(Layout.make(width: 34, height: 8, paneCount: 4, textLines: 2),
                       .tooSmall(minWidth: 35, minHeight: 8))
        XCTAssertEqual(Layout.make(width: 40, height: 7, paneCount: 1, textLines: 2),
                       .tooSmall(minWidth: 8, minHeight: 8))
        XCTAssertEqual(Layout.make(width: 0, height: 0, paneCount: 1, textLines: 0),
                       .tooSmall(minWidth: 8, minHeight: 6))
        let message = Layout.tooSmallMessage(width: 30, height: 10, minWidth: 35, minHeight: 8)
        XCTAssertTrue(message.count <= 30 && message.contains("35x8"), message)
    }

    func testPaneCountIsClamped() throws {
        XCTAssertEqual(try XCTUnwrap(fits(Layout.make(width: 80, height: 24, paneCount: 0, textLines: 1))).panes.count, 1)
        XCTAssertEqual(try XCTUnwrap(fits(Layout.make(width: 80, height: 24, paneCount: 9, textLines: 1))).panes.count, 4)
    }
}
