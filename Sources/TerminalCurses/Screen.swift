import Foundation
import Synchronization
import CNcurses
import TerminalUI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif


// Signal handlers and atexit hooks cannot capture context, so whether curses is active lives
// in a global: an atomic (lock-free, so a signal handler may read it), set by Screen.start/stop.
private let terminalActive = Atomic<Bool>(false)


/// The terminal, through ncurses: the only type in this module that calls it.
///
/// Usage per frame: `clear()`, then draw everything (`put`, `draw`), then `refresh()`.
/// `clear()` also starts a new frame of the colour pair table, so pairs are reused by value
/// and never leak; whatever is not redrawn after a `clear()` may show wrong colours.
package final class Screen: InteractiveTerminal {
    /// Colour capability of the terminal (valid after `start()`).
    package private(set) var colorMode: ColorMode = .mono
    /// Whether the locale's character set is UTF-8 (valid after `start()`).
    package private(set) var isUTF8 = false
    /// Whether `start()` has been called without a matching `stop()`.
    package private(set) var isActive = false

    private var screenPointer: OpaquePointer?
    private var pairs = ColorPairTable(capacity: 1, mode: .mono)
    private let preference: ColorPreference
    /// The terminal description in use when it is not $TERM (a "-direct" one for COLORTERM).
    package private(set) var terminalType: String?

    /// The terminal description: $TERM's value (nil: ncurses reads $TERM itself).
    private let term: String?
    /// $COLORTERM's value ("truecolor" or "24bit": the terminal shows 24-bit colour).
    private let colorTerm: String?

    package init(colors preference: ColorPreference = .automatic, term: String? = nil, colorTerm: String? = nil) {
        self.preference = preference
        self.term = term
        self.colorTerm = colorTerm
    }

    deinit { stop() }


    /// A line to show the user when pictures fall back to ASCII shading; nil otherwise.
    package var fallbackNotice: String? {
        if !isUTF8 {
            return "No UTF-8 locale: pictures are ASCII shading. Set LANG=C.UTF-8 for full pictures."
        }
        if !colorMode.hasColor && preference != .ascii {
            return "Terminal without colours: pictures are ASCII shading. Try TERM=xterm-256color."
        }
        return nil
    }

    /// Takes over the process's terminal (standard input and output): raw keyboard (Ctrl-C
    /// arrives as `.ctrlC`), no echo, keypad keys, hidden cursor, default colours; detects UTF-8
    /// (from the locale the program set) and the colour mode, from the terminal description
    /// given to `init` (a program passes what $TERM and $COLORTERM say).
    ///
    /// The program owns process-wide state: its locale (`setlocale` before `start`, for UTF-8),
    /// and its signal handlers and exit hooks, which should call `Screen.restoreTerminal()` so
    /// that a terminal is never left raw.
    package func start() throws {
        try start(input: sc2_stdin(), output: sc2_stdout(), term: term, colorTerm: colorTerm)
    }

    /// Leaves curses mode if a Screen is active; does nothing otherwise. Safe to call from a
    /// signal handler or an exit hook as far as ncurses allows (endwin is what ncurses' own
    /// handlers call; a terminal left in raw mode is the worse outcome).
    package static func restoreTerminal() {
        if terminalActive.exchange(false, ordering: .sequentiallyConsistent) {
            endwin()
        }
    }

    /// `start()` on another terminal than the process's own (the tests use a pseudo-terminal):
    /// `input` and `output` must be streams of a terminal device; `term` and `colorTerm` are what
    /// $TERM and $COLORTERM say (nil `term`: ncurses reads $TERM itself).
    package func start(input: UnsafeMutablePointer<FILE>, output: UnsafeMutablePointer<FILE>,
                       term: String?, colorTerm: String?) throws {
        guard !isActive else { return }
        if let cs = sc2_codeset() {
            let name = String(cString: cs).uppercased()
            isUTF8 = name == "UTF-8" || name == "UTF8"
        }
        guard isatty(fileno(input)) != 0, isatty(fileno(output)) != 0 else {
            throw ScreenError.notATerminal
        }
        // newterm rather than initscr: initscr exits the process when TERM is unknown. Where
        // the terminal says it shows 24-bit colour (COLORTERM) but TERM describes a 256-colour
        // one, the matching "-direct" description is used when it is installed.
        var sp: OpaquePointer?
        for candidate in preference.terminalCandidates(term: term, colorTerm: colorTerm) {
            sp = candidate.withCString { newterm($0, output, input) }
            if sp != nil { terminalType = candidate; break }
        }
        if sp == nil { sp = term.map { $0.withCString { newterm($0, output, input) } } ?? newterm(nil, output, input) }
        guard let sp else {
            throw ScreenError.cannotInitialize(term: term ?? "")
        }
        set_term(sp)
        guard sc2_can_address_cursor() != 0 else {
            endwin()
            delscreen(sp)
            throw ScreenError.cannotAddressCursor(term: term ?? "")
        }
        screenPointer = sp
        terminalActive.store(true, ordering: .sequentiallyConsistent)
        isActive = true

        raw()
        noecho()
        _ = sc2_keypad(1)
        curs_set(0)
        set_escdelay(25)  // a lone Esc should not wait a second
        if has_colors() {
            start_color()
            use_default_colors()
            colorMode = ColorMode(colorCount: Int(sc2_colors()))
        } else {
            colorMode = .mono
        }
        colorMode = preference.limit(colorMode)
        let capacity = min(Int(sc2_color_pairs()) - 1, 32767)
        pairs = ColorPairTable(capacity: max(1, capacity), mode: colorMode)
    }

    /// Gives the terminal back (endwin). Safe to call more than once.
    package func stop() {
        guard isActive else { return }
        isActive = false
        terminalActive.store(false, ordering: .sequentiallyConsistent)
        curs_set(1)
        endwin()
        if let sp = screenPointer {
            delscreen(sp)
            screenPointer = nil
        }
    }

    /// Terminal size in cells.
    package var size: (rows: Int, columns: Int) {
        guard isActive else { return (0, 0) }
        return (Int(sc2_getmaxy()), Int(sc2_getmaxx()))
    }

    /// Blanks the screen buffer and starts a new frame of colour pairs.
    package func clear() {
        guard isActive else { return }
        _ = sc2_erase()
        pairs.reset()
    }

    /// Sends the frame to the terminal.
    package func refresh() {
        guard isActive else { return }
        applyPendingPairs()
        _ = sc2_refresh()
    }

    /// Writes `text` at (`y`, `x`), clipped to `maxWidth` columns and the screen edge.
    /// Colours are ignored in monochrome; a nil colour is the terminal default.
    package func put(_ text: String, y: Int, x: Int, style: TextStyle,
                    foreground: RGB?, background: RGB?, maxWidth: Int?) {
        let (rows, cols) = size
        guard y >= 0, y < rows, x >= 0, x < cols else { return }
        let limit = min(maxWidth ?? Int.max, cols - x)
        guard limit > 0 else { return }
        var chars: [wchar_t] = []
        var used = 0
        for scalar in text.unicodeScalars {
            var v = scalar.value
            if v < 32 || v == 127 { v = 32 }               // no control characters on screen
            if !isUTF8 && v > 126 { v = UInt32(UInt8(ascii: "?")) }
            let w = max(0, Int(sc2_wcwidth(wchar_t(v))))
            if used + w > limit { break }
            used += w
            chars.append(wchar_t(v))
        }
        guard !chars.isEmpty else { return }
        let pair = pairNumber(foreground: foreground, background: background)
        _ = chars.withUnsafeBufferPointer {
            sc2_put_wstr(Int32(y), Int32(x), $0.baseAddress, Int32(chars.count), attributes(style), pair)
        }
    }

    /// Draws `canvas` in the box whose top-left cell is (`y`, `x`), at the canvas's centring
    /// offset: '▀' half blocks when `usesHalfBlocks`, ASCII shading otherwise (coloured by the
    /// cell's average colour when the terminal has colours).
    package func draw(_ canvas: HalfBlockCanvas, y: Int, x: Int) {
        let (rows, cols) = size
        let top = y + canvas.originY, left = x + canvas.originX
        let halfBlocks = usesHalfBlocks
        let blockGlyph = wchar_t(0x2580)
        // In 256 colours the picture's pixels (two per cell) are error-diffused onto the palette
        // instead of being rounded to flat bands of the nearest colour.
        var dithered: [Int]? = nil
        if halfBlocks && colorMode == .palette256 {
            var pixels: [RGB] = []
            pixels.reserveCapacity(2 * canvas.rows * canvas.columns)
            for r in 0..<canvas.rows {
                for c in 0..<canvas.columns { pixels.append(canvas.cell(row: r, column: c).top) }
                for c in 0..<canvas.columns { pixels.append(canvas.cell(row: r, column: c).bottom) }
            }
            dithered = ColorQuantizer.errorDiffusedXterm256(pixels, width: canvas.columns, height: 2 * canvas.rows)
        }
        for r in 0..<canvas.rows {
            let sy = top + r
            guard sy >= 0, sy < rows else { continue }
            for c in 0..<canvas.columns {
                let sx = left + c
                guard sx >= 0, sx < cols else { continue }
                let cell = canvas.cell(row: r, column: c)
                if halfBlocks {
                    let pair = dithered.map { d in
                        pairs.pair(fg: Int32(d[2 * r * canvas.columns + c]), bg: Int32(d[(2 * r + 1) * canvas.columns + c]))
                    } ?? pairs.pair(fg: colorMode.colorNumber(for: cell.top), bg: colorMode.colorNumber(for: cell.bottom))
                    _ = sc2_put_wch(Int32(sy), Int32(sx), blockGlyph, pair, sc2_A_NORMAL())
                } else {
                    let average = HalfBlockCanvas.average(cell)
                    let ch = HalfBlockCanvas.asciiCharacter(luminance: average.luminance)
                    let pair = pairNumber(foreground: colorMode.hasColor ? average : nil, background: nil)
                    _ = sc2_put_wch(Int32(sy), Int32(sx), wchar_t(ch.unicodeScalars.first!.value),
                                    pair, sc2_A_NORMAL())
                }
            }
        }
        applyPendingPairs()
    }

    /// Waits up to `timeoutMs` milliseconds (negative: forever) for a key.
    /// Returns `.none` on timeout, `.resize` after the terminal changed size.
    package func getKey(timeoutMs: Int) -> Key {
        guard isActive else { return .none }
        var value: UInt32 = 0
        let rc = sc2_get_wch(Int32(clamping: timeoutMs), &value)
        if rc == sc2_KEY_CODE_YES() { return Key(cursesKeyCode: Int32(bitPattern: value)) }
        if rc == OK { return Key(character: value) }
        return .none
    }

    // MARK: private

    private func attributes(_ style: TextStyle) -> attr_t {
        var a = sc2_A_NORMAL()
        if style.contains(.bold) { a |= sc2_A_BOLD() }
        if style.contains(.reverse) { a |= sc2_A_REVERSE() }
        if style.contains(.dim) { a |= sc2_A_DIM() }
        if style.contains(.underline) { a |= sc2_A_UNDERLINE() }
        return a
    }

    private func pairNumber(foreground: RGB?, background: RGB?) -> Int32 {
        guard colorMode.hasColor, foreground != nil || background != nil else { return 0 }
        let fg = foreground.map { colorMode.colorNumber(for: $0) } ?? ColorMode.defaultColor
        let bg = background.map { colorMode.colorNumber(for: $0) } ?? ColorMode.defaultColor
        return pairs.pair(fg: fg, bg: bg)
    }

    private func applyPendingPairs() {
        for d in pairs.takePendingDefinitions() {
            init_extended_pair(d.pair, d.foreground, d.background)
        }
    }
}
