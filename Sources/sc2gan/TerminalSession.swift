import Foundation
import TerminalCurses
import TerminalUI
#if canImport(Glibc)
import Glibc
#endif

/// What the explorer's process does around the ncurses screen, which the library leaves to it:
/// the locale (from LANG / LC_ALL, so that UTF-8 pictures show), and handlers for SIGINT,
/// SIGTERM and SIGHUP plus an exit hook that give the terminal back before the process ends.
enum TerminalSession {
    /// The screen for `sc2gan explore`, with the terminal description from $TERM and $COLORTERM.
    static func screen(colors: ColorPreference) -> Screen {
        prepareOnce()
        let env = ProcessInfo.processInfo.environment
        return Screen(colors: colors, term: env["TERM"], colorTerm: env["COLORTERM"])
    }

    private static let prepared: Void = {
        setlocale(LC_ALL, "")
        atexit { Screen.restoreTerminal() }
        for signo in [SIGINT, SIGTERM, SIGHUP] { signal(signo, restoreAndDie) }
    }()

    private static func prepareOnce() { _ = prepared }
}

/// Gives the terminal back, then dies of the same signal so the parent sees the usual status.
private func restoreAndDie(_ signo: Int32) {
    Screen.restoreTerminal()
    signal(signo, SIG_DFL)
    raise(signo)
}
