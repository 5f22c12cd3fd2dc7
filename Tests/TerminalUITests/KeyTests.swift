import XCTest
@testable import TerminalUI

/// Key codes written out as numbers (ncurses' octal constants in decimal), so the test does
/// not depend on how the constants are imported.
final class KeyTests: XCTestCase {
    func testFunctionKeyCodes() {
        XCTAssertEqual(Key(keyCode: 258), .down)        // KEY_DOWN 0402
        XCTAssertEqual(Key(keyCode: 259), .up)          // KEY_UP 0403
        XCTAssertEqual(Key(keyCode: 260), .left)        // KEY_LEFT 0404
        XCTAssertEqual(Key(keyCode: 261), .right)       // KEY_RIGHT 0405
        XCTAssertEqual(Key(keyCode: 262), .home)        // KEY_HOME 0406
        XCTAssertEqual(Key(keyCode: 263), .backspace)   // KEY_BACKSPACE 0407
        XCTAssertEqual(Key(keyCode: 265), .function(1)) // KEY_F0 + 1
        XCTAssertEqual(Key(keyCode: 276), .function(12))
        XCTAssertEqual(Key(keyCode: 330), .delete)      // KEY_DC 0512
        XCTAssertEqual(Key(keyCode: 338), .pageDown)    // KEY_NPAGE 0522
        XCTAssertEqual(Key(keyCode: 339), .pageUp)      // KEY_PPAGE 0523
        XCTAssertEqual(Key(keyCode: 343), .enter)       // KEY_ENTER 0527
        XCTAssertEqual(Key(keyCode: 353), .backTab)     // KEY_BTAB 0541
        XCTAssertEqual(Key(keyCode: 360), .end)         // KEY_END 0550
        XCTAssertEqual(Key(keyCode: 409), .mouse)       // KEY_MOUSE 0631
        XCTAssertEqual(Key(keyCode: 410), .resize)      // KEY_RESIZE 0632
        XCTAssertEqual(Key(keyCode: 9999), .none)
    }

    func testCharacters() {
        XCTAssertEqual(Key(character: 3), .ctrlC)
        XCTAssertEqual(Key(character: 9), .tab)
        XCTAssertEqual(Key(character: 10), .enter)
        XCTAssertEqual(Key(character: 13), .enter)
        XCTAssertEqual(Key(character: 27), .escape)
        XCTAssertEqual(Key(character: 127), .backspace)
        XCTAssertEqual(Key(character: 8), .backspace)
        XCTAssertEqual(Key(character: 1), .ctrl("a"))
        XCTAssertEqual(Key(character: 26), .ctrl("z"))
        XCTAssertEqual(Key(character: 97), .char("a"))
        XCTAssertEqual(Key(character: 81), .char("Q"))
        XCTAssertEqual(Key(character: 32), .char(" "))
        XCTAssertEqual(Key(character: 0xE9), .char("é"))
        XCTAssertEqual(Key(character: 0x2580), .char("▀"))
        XCTAssertEqual(Key(character: 0xD800), .none, "a lone surrogate is not a character")
    }
}
