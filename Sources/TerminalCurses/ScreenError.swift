/// Why `Screen.start()` failed.
package enum ScreenError: Error, CustomStringConvertible {
    case notATerminal
    case cannotInitialize(term: String)
    case cannotAddressCursor(term: String)

    package var description: String {
        switch self {
        case .notATerminal:
            return "standard input and output must be a terminal"
        case .cannotInitialize(let term):
            return "cannot initialise the terminal (TERM=\(term)); try TERM=xterm-256color"
        case .cannotAddressCursor(let term):
            return "the terminal (TERM=\(term)) cannot move the cursor, which the explorer needs; try TERM=xterm-256color, or use the sc2gan subcommands (generate, edit, evaluate)"
        }
    }
}
