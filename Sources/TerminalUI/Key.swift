/// A key press. Characters decode here (`init(character:)`); a terminal backend decodes its own
/// function-key codes (TerminalCurses: `Key(cursesKeyCode:)`), so this module knows no ncurses.
package enum Key: Equatable, Hashable, Sendable {
    case left, right, up, down
    case home, end, pageUp, pageDown
    case tab, backTab, enter, escape, backspace, delete, insert
    /// The terminal was resized (ncurses KEY_RESIZE).
    case resize
    /// Ctrl-C, delivered as a key because the screen runs in raw mode.
    case ctrlC
    /// Another control character: Ctrl + the given lower-case letter (or symbol).
    case ctrl(Character)
    /// Function key F1...F63.
    case function(Int)
    /// A printable character.
    case char(Character)
    /// Mouse event (not decoded further).
    case mouse
    /// No key (timeout) or an unknown key code.
    case none

    /// Decodes a character (`wget_wch` returned `OK`): control characters become named keys.
    package init(character value: UInt32) {
        switch value {
        case 3: self = .ctrlC
        case 9: self = .tab
        case 10, 13: self = .enter
        case 27: self = .escape
        case 8, 127: self = .backspace
        case 0: self = .ctrl("@")
        case 1...26: self = .ctrl(Character(Unicode.Scalar(UInt8(value) + 96)))
        case 28...31: self = .ctrl(Character(Unicode.Scalar(UInt8(value) + 64)))
        default:
            if let scalar = Unicode.Scalar(value) {
                self = .char(Character(scalar))
            } else {
                self = .none
            }
        }
    }
}
