import CNcurses
import TerminalUI
import XCTest

/// The key codes TerminalUI writes out are the ones this machine's <curses.h> defines.
final class CursesKeyCodeTests: XCTestCase {
    func testCodesMatchCursesHeader() {
        let pairs: [(Int32, Int32, String)] = [
            (CursesKeyCode.down, KEY_DOWN, "down"), (CursesKeyCode.up, KEY_UP, "up"), (CursesKeyCode.left, KEY_LEFT, "left"),
            (CursesKeyCode.right, KEY_RIGHT, "right"), (CursesKeyCode.home, KEY_HOME, "home"), (CursesKeyCode.end, KEY_END, "end"),
            (CursesKeyCode.backspace, KEY_BACKSPACE, "backspace"), (CursesKeyCode.f0, KEY_F0, "f0"),
            (CursesKeyCode.delete, KEY_DC, "delete"), (CursesKeyCode.insert, KEY_IC, "insert"),
            (CursesKeyCode.pageDown, KEY_NPAGE, "pageDown"), (CursesKeyCode.pageUp, KEY_PPAGE, "pageUp"),
            (CursesKeyCode.enter, KEY_ENTER, "enter"), (CursesKeyCode.backTab, KEY_BTAB, "backTab"),
            (CursesKeyCode.mouse, KEY_MOUSE, "mouse"), (CursesKeyCode.resize, KEY_RESIZE, "resize"),
        ]
        for (ours, header, name) in pairs { XCTAssertEqual(ours, header, name) }
    }
}
