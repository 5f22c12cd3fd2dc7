/// The ncurses key codes `Key(keyCode:)` decodes (<curses.h>, octal as there).
public enum CursesKeyCode {
    public static let down: Int32 = 0o402, up: Int32 = 0o403, left: Int32 = 0o404, right: Int32 = 0o405
    public static let home: Int32 = 0o406, backspace: Int32 = 0o407, f0: Int32 = 0o410
    public static let delete: Int32 = 0o512, insert: Int32 = 0o513
    public static let pageDown: Int32 = 0o522, pageUp: Int32 = 0o523, enter: Int32 = 0o527
    public static let backTab: Int32 = 0o541, end: Int32 = 0o550
    public static let mouse: Int32 = 0o631, resize: Int32 = 0o632
}
