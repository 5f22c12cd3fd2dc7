import CNcurses

/// A key press, decoded from what `wget_wch` returns. Pure: the ncurses constants are only
/// compared with, so decoding is testable without a terminal.
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
        case KEY_LEFT: self = .left
        case KEY_RIGHT: self = .right
        case KEY_UP: self = .up
        case KEY_DOWN: self = .down
        case KEY_HOME: self = .home
        case KEY_END: self = .end
        case KEY_PPAGE: self = .pageUp
        case KEY_NPAGE: self = .pageDown
        case KEY_BTAB: self = .backTab
        case KEY_ENTER: self = .enter
        case KEY_BACKSPACE: self = .backspace
        case KEY_DC: self = .delete
        case KEY_IC: self = .insert
        case KEY_RESIZE: self = .resize
        case KEY_MOUSE: self = .mouse
        case (KEY_F0 + 1)...(KEY_F0 + 63): self = .function(Int(code - KEY_F0))
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
