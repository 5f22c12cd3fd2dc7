import CNcurses
import TerminalUI

extension Key {
    /// Decodes a function-key code (`wget_wch` returned `KEY_CODE_YES`), by the constants of
    /// the <curses.h> this module is built against.
    package init(cursesKeyCode code: Int32) {
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
}
