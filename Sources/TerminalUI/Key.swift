/// A key press, decoded from what `wget_wch` returns. Pure: the ncurses key codes are written
/// out (`CursesKeyCode`, checked against <curses.h> by TerminalCursesTests), so decoding needs
/// no terminal and this module no ncurses.
public enum Key: Equatable, Hashable, Sendable {
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

    /// Decodes a function-key code (`wget_wch` returned `KEY_CODE_YES`).
    public init(keyCode code: Int32) {
        switch code {
        case CursesKeyCode.left: self = .left
        case CursesKeyCode.right: self = .right
        case CursesKeyCode.up: self = .up
        case CursesKeyCode.down: self = .down
        case CursesKeyCode.home: self = .home
        case CursesKeyCode.end: self = .end
        case CursesKeyCode.pageUp: self = .pageUp
        case CursesKeyCode.pageDown: self = .pageDown
        case CursesKeyCode.backTab: self = .backTab
        case CursesKeyCode.enter: self = .enter
        case CursesKeyCode.backspace: self = .backspace
        case CursesKeyCode.delete: self = .delete
        case CursesKeyCode.insert: self = .insert
        case CursesKeyCode.resize: self = .resize
        case CursesKeyCode.mouse: self = .mouse
        case (CursesKeyCode.f0 + 1)...(CursesKeyCode.f0 + 63): self = .function(Int(code - CursesKeyCode.f0))
        default: self = .none
        }
    }

    /// Decodes a character (`wget_wch` returned `OK`): control characters become named keys.
    public init(character value: UInt32) {
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
