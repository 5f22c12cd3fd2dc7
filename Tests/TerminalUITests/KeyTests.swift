import XCTest
@testable import TerminalUI

final class KeyTests: XCTestCase {
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
