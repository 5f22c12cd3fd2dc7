import TerminalCurses
import TerminalUI
import XCTest

/// Function-key codes as ncurses reports them, written out as numbers (the octal constants of
/// <curses.h> in decimal) so that the expectation does not come from the code under test.
final class CursesKeyTests: XCTestCase {
    func testFunctionKeyCodes() {
        XCTAssertEqual(Key(cursesKeyCode: 258), .down)        // KEY_DOWN 0402
        XCTAssertEqual(Key(cursesKeyCode: 259), .up)          // KEY_UP 0403
        XCTAssertEqual(Key(cursesKeyCode: 260), .left)        // KEY_LEFT 0404
        XCTAssertEqual(Key(cursesKeyCode: 261), .right)       // KEY_RIGHT 0405
        XCTAssertEqual(Key(cursesKeyCode: 262), .home)        // KEY_HOME 0406
        XCTAssertEqual(Key(cursesKeyCode: 263), .backspace)   // KEY_BACKSPACE 0407
        XCTAssertEqual(Key(cursesKeyCode: 265), .function(1)) // KEY_F0 + 1
        XCTAssertEqual(Key(cursesKeyCode: 276), .function(12))
        XCTAssertEqual(Key(cursesKeyCode: 330), .delete)      // KEY_DC 0512
        XCTAssertEqual(Key(cursesKeyCode: 331), .insert)      // KEY_IC 0513
        XCTAssertEqual(Key(cursesKeyCode: 338), .pageDown)    // KEY_NPAGE 0522
        XCTAssertEqual(Key(cursesKeyCode: 339), .pageUp)      // KEY_PPAGE 0523
        XCTAssertEqual(Key(cursesKeyCode: 343), .enter)       // KEY_ENTER 0527
        XCTAssertEqual(Key(cursesKeyCode: 353), .backTab)     // KEY_BTAB 0541
        XCTAssertEqual(Key(cursesKeyCode: 360), .end)         // KEY_END 0550
        XCTAssertEqual(Key(cursesKeyCode: 409), .mouse)       // KEY_MOUSE 0631
        XCTAssertEqual(Key(cursesKeyCode: 410), .resize)      // KEY_RESIZE 0632
        XCTAssertEqual(Key(cursesKeyCode: 9999), .none)
    }
}
