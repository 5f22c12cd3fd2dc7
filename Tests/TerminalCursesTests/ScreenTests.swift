import CNcurses
import Foundation
import TerminalCurses
import TerminalUI
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `Screen`, the ncurses backend, on a pseudo-terminal of its own (no tmux): what it writes is
/// read from the master side and replayed by a small terminal emulator, so that the tests see
/// the cells as a terminal would show them: text at its cells and clipped, the colours chosen,
/// the terminal's modes taken over and given back.
final class ScreenTests: XCTestCase {
    /// A pseudo-terminal: ncurses talks to the slave side, the test reads and types on the master.
    final class PseudoTerminal: @unchecked Sendable {
        let master: Int32, slave: Int32
        let output: UnsafeMutablePointer<FILE>, input: UnsafeMutablePointer<FILE>
        private let lock = NSLock()
        private var bytes: [UInt8] = []
        private var reader: Thread?
        private let done = DispatchSemaphore(value: 0)

        init(rows: Int, columns: Int) throws {
            var m: Int32 = -1, s: Int32 = -1
            guard sc2_open_pty(Int32(rows), Int32(columns), &m, &s) == 0 else {
                throw XCTSkip("no pseudo-terminal here (errno \(errno))")
            }
            master = m; slave = s
            output = fdopen(slave, "w")
            input = fdopen(dup(slave), "r")
            // Drain the master all along: ncurses would block on a full pty buffer otherwise.
            let thread = Thread { [unowned self] in
                var chunk = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = read(self.master, &chunk, chunk.count)
                    if n <= 0 { break }   // EIO once the slave side is closed
                    self.lock.lock(); self.bytes += chunk[0..<n]; self.lock.unlock()
                }
                self.done.signal()
            }
            reader = thread
            thread.start()
        }

        /// Everything written so far, once the output has been quiet for 150 ms.
        func written() -> [UInt8] {
            var last = -1
            for _ in 0..<100 {
                lock.lock(); let n = bytes.count; lock.unlock()
                if n == last { break }
                last = n
                usleep(150_000)
            }
            lock.lock(); defer { lock.unlock() }
            return bytes
        }

        func type(_ text: String) { _ = text.utf8CString.withUnsafeBufferPointer { write(master, $0.baseAddress, text.utf8.count) } }

        func localModes() -> tcflag_t {
            var t = termios()
            XCTAssertEqual(tcgetattr(slave, &t), 0)
            return t.c_lflag
        }

        func close() {
            fclose(input); fclose(output)
            _ = done.wait(timeout: .now() + 5)
            Glibc.close(master)
        }
    }

    private var savedLocale: String?
    private var savedLCAll: String?

    override func setUp() {
        // The tests run in a UTF-8 locale (set by the program, as sc2gan does before the screen
        // starts) and use the pseudo-terminal's size, not $LINES and $COLUMNS.
        savedLocale = setlocale(LC_ALL, nil).map { String(cString: $0) }
        savedLCAll = getenv("LC_ALL").map { String(cString: $0) }
        setenv("LC_ALL", "C.UTF-8", 1)
        setlocale(LC_ALL, "")
        use_env(false); use_tioctl(true)
    }

    override func tearDown() {
        use_env(true); use_tioctl(false)
        if let savedLCAll { setenv("LC_ALL", savedLCAll, 1) } else { unsetenv("LC_ALL") }
        setlocale(LC_ALL, savedLocale ?? "C")
    }

    private func started(_ pty: PseudoTerminal, colors: ColorPreference = .automatic, term: String = "xterm-256color",
                         colorTerm: String? = nil) throws -> Screen {
        let screen = Screen(colors: colors)
        try screen.start(input: pty.input, output: pty.output, term: term, colorTerm: colorTerm)
        return screen
    }

    func testTextLandsAtItsCellsWithItsColoursAndIsClipped() throws {
        let pty = try PseudoTerminal(rows: 10, columns: 40)
        defer { pty.close() }
        let screen = try started(pty)
        XCTAssertTrue(screen.isActive)
        XCTAssertTrue(screen.isUTF8)
        XCTAssertEqual(screen.colorMode, .palette256)
        XCTAssertNil(screen.fallbackNotice)
        XCTAssertEqual(screen.size.rows, 10)
        XCTAssertEqual(screen.size.columns, 40)

        screen.clear()
        screen.put("Hello", y: 2, x: 5, style: .bold, foreground: RGB(255, 0, 0), background: RGB(0, 0, 255), maxWidth: nil)
        screen.put("plain", y: 3, x: 0, style: [], foreground: nil, background: nil, maxWidth: nil)
        screen.put("123456", y: 4, x: 0, style: .reverse, foreground: nil, background: nil, maxWidth: 4)
        screen.put("abcdefgh", y: 8, x: 37, style: [], foreground: RGB(0, 255, 0), background: nil, maxWidth: nil)
        screen.put("a\tb\u{1}c", y: 5, x: 0, style: [], foreground: nil, background: nil, maxWidth: nil)
        screen.put("héllo ▀", y: 6, x: 1, style: [], foreground: nil, background: nil, maxWidth: nil)
        screen.put("off", y: 10, x: 0, style: [], foreground: nil, background: nil, maxWidth: nil)
        screen.put("off", y: 0, x: 40, style: [], foreground: nil, background: nil, maxWidth: nil)
        screen.put("off", y: -1, x: 0, style: [], foreground: nil, background: nil, maxWidth: nil)
        screen.refresh()
        let shown = TerminalEmulator(rows: 10, columns: 40, replaying: pty.written())

        XCTAssertEqual(shown.text(row: 2), "     Hello")
        for x in 5..<10 {
            // xterm's 256 colours: 196 is pure red (16 + 36 * 5), 21 pure blue (16 + 5).
            XCTAssertEqual(shown.cells[2][x].foreground, 196, "column \(x)")
            XCTAssertEqual(shown.cells[2][x].background, 21, "column \(x)")
            XCTAssertTrue(shown.cells[2][x].bold)
        }
        XCTAssertNil(shown.cells[2][10].foreground, "the colour stops with the text")
        XCTAssertFalse(shown.cells[2][10].bold)
        XCTAssertEqual(shown.text(row: 3), "plain")
        XCTAssertNil(shown.cells[3][0].foreground)
        XCTAssertFalse(shown.cells[3][0].bold)
        XCTAssertEqual(shown.text(row: 4), "1234", "maxWidth")
        XCTAssertTrue(shown.cells[4][0].reverse)
        XCTAssertEqual(shown.text(row: 5), "a b c", "control characters become spaces")
        XCTAssertEqual(shown.text(row: 6), " héllo ▀")
        XCTAssertEqual(shown.text(row: 8), String(repeating: " ", count: 37) + "abc", "clipped at the right edge")
        XCTAssertEqual(shown.cells[8][39].foreground, 46, "pure green (16 + 6 * 5)")
        for row in [0, 1, 7, 9] { XCTAssertEqual(shown.text(row: row), "", "row \(row): nothing wraps or lands off screen") }
        XCTAssertFalse(shown.wroteOutside, "nothing written past the edges")

        screen.stop()
        XCTAssertFalse(screen.isActive)
        XCTAssertEqual(screen.size.rows, 0)
    }

    /// Half blocks in 256 colours: each cell's upper and lower pixel as foreground and background.
    func testPictureIsHalfBlocksInThePixelsColours() throws {
        let pty = try PseudoTerminal(rows: 6, columns: 20)
        defer { pty.close() }
        let screen = try started(pty)
        XCTAssertTrue(screen.usesHalfBlocks)
        // 2 x 4 pixels: red over blue in the left column, white over black in the right one.
        let rgb: [[UInt8]] = [[255, 0, 0], [255, 255, 255], [255, 0, 0], [255, 255, 255],
                              [0, 0, 255], [0, 0, 0], [0, 0, 255], [0, 0, 0]]
        let canvas = HalfBlockCanvas(pixels: rgb.flatMap { $0 }, width: 2, height: 4, boxColumns: 2, boxRows: 2)
        XCTAssertEqual(canvas.columns, 2)
        XCTAssertEqual(canvas.rows, 2)
        screen.clear()
        screen.draw(canvas, y: 1, x: 3)
        screen.refresh()
        let shown = TerminalEmulator(rows: 6, columns: 20, replaying: pty.written())
        let y = 1 + canvas.originY, x = 3 + canvas.originX
        XCTAssertEqual(shown.text(row: y), String(repeating: " ", count: x) + "▀▀")
        XCTAssertEqual(shown.cells[y][x].foreground, 196)
        XCTAssertEqual(shown.cells[y][x + 1].foreground, 231, "white")
        XCTAssertEqual(shown.cells[y + 1][x].background, 21)
        XCTAssertEqual(shown.cells[y + 1][x + 1].background, 16, "black")
        screen.stop()
    }

    /// The terminal's modes are taken over (raw: no line editing, Ctrl-C a key; the alternate
    /// screen; the cursor hidden) and given back on stop.
    func testTerminalIsTakenOverAndGivenBack() throws {
        let pty = try PseudoTerminal(rows: 8, columns: 30)
        defer { pty.close() }
        let before = pty.localModes()
        XCTAssertNotEqual(before & tcflag_t(ICANON), 0)
        let screen = try started(pty)
        let during = pty.localModes()
        XCTAssertEqual(during & tcflag_t(ICANON), 0, "raw: no line editing")
        XCTAssertEqual(during & tcflag_t(ISIG), 0, "raw: Ctrl-C is a key, not a signal")
        screen.clear()
        screen.put("x", y: 0, x: 0, style: [], foreground: nil, background: nil, maxWidth: nil)
        screen.refresh()
        let startBytes = pty.written()
        let started = String(decoding: startBytes, as: UTF8.self)
        XCTAssertTrue(started.contains("\u{1b}[?1049h"), "alternate screen")
        XCTAssertTrue(started.contains("\u{1b}[?25l"), "cursor hidden")

        pty.type("q")
        XCTAssertEqual(screen.getKey(timeoutMs: 2000), .char("q"))
        pty.type("\u{1b}OA")   // xterm's up arrow in keypad mode (kcuu1)
        XCTAssertEqual(screen.getKey(timeoutMs: 2000), .up)
        pty.type("\u{3}")
        XCTAssertEqual(screen.getKey(timeoutMs: 2000), .ctrlC)
        XCTAssertEqual(screen.getKey(timeoutMs: 50), Key.none)

        screen.stop()
        screen.stop()   // twice is harmless
        XCTAssertEqual(pty.localModes(), before, "terminal modes given back")
        let all = pty.written()
        let stopped = String(decoding: all.dropFirst(startBytes.count), as: UTF8.self)
        // (endwin shows the cursor again by itself; Screen.stop also asks for it.)
        XCTAssertTrue(stopped.contains("\u{1b}[?25h"), "cursor shown again: \(stopped.debugDescription)")
        XCTAssertTrue(stopped.contains("\u{1b}[?1049l"), "alternate screen left: \(stopped.debugDescription)")
    }

    /// A 2 x 5 terminal: its size is reported, text is clipped to it, nothing lands outside.
    func testTinyTerminal() throws {
        let pty = try PseudoTerminal(rows: 2, columns: 5)
        defer { pty.close() }
        let screen = try started(pty)
        XCTAssertEqual(screen.size.rows, 2)
        XCTAssertEqual(screen.size.columns, 5)
        screen.clear()
        screen.put("abcdefgh", y: 1, x: 0, style: [], foreground: nil, background: nil, maxWidth: nil)
        screen.put("zz", y: 0, x: 4, style: [], foreground: nil, background: nil, maxWidth: nil)
        screen.put("never", y: 2, x: 0, style: [], foreground: nil, background: nil, maxWidth: nil)
        let canvas = HalfBlockCanvas(pixels: [UInt8](repeating: 200, count: 3 * 40 * 40), width: 40, height: 40, boxColumns: 20, boxRows: 20)
        screen.draw(canvas, y: 3, x: 0)
        screen.refresh()
        let shown = TerminalEmulator(rows: 2, columns: 5, replaying: pty.written())
        XCTAssertEqual(shown.text(row: 0), "    z")
        XCTAssertEqual(shown.text(row: 1), "abcde")
        XCTAssertFalse(shown.wroteOutside, "a write beyond the 2 x 5 cells")
        screen.stop()
    }

    /// Monochrome by preference: no colour sequences at all; pictures in ASCII shading.
    func testAsciiPreferenceWritesNoColours() throws {
        let pty = try PseudoTerminal(rows: 4, columns: 20)
        defer { pty.close() }
        let screen = try started(pty, colors: .ascii)
        XCTAssertEqual(screen.colorMode, .mono)
        XCTAssertFalse(screen.usesHalfBlocks)
        screen.clear()
        screen.put("mono", y: 0, x: 0, style: [], foreground: RGB(255, 0, 0), background: RGB(0, 0, 255), maxWidth: nil)
        screen.draw(HalfBlockCanvas(pixels: [UInt8](repeating: 255, count: 3 * 2 * 2), width: 2, height: 2, boxColumns: 1, boxRows: 1), y: 1, x: 0)
        screen.refresh()
        let shown = TerminalEmulator(rows: 4, columns: 20, replaying: pty.written())
        XCTAssertEqual(shown.text(row: 0), "mono")
        XCTAssertNil(shown.cells[0][0].foreground)
        XCTAssertNil(shown.cells[0][0].background)
        XCTAssertEqual(shown.text(row: 1), "@", "white is the densest ASCII shade")
        screen.stop()
    }

    func testTerminalsThatCannotServeAreRefused() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let r = fdopen(fds[0], "r")!, w = fdopen(fds[1], "w")!
        defer { fclose(r); fclose(w) }
        XCTAssertThrowsError(try Screen().start(input: r, output: w, term: "xterm-256color", colorTerm: nil)) { error in
            guard case ScreenError.notATerminal = error else { return XCTFail("\(error)") }
        }
        // TERM=dumb cannot move the cursor: refused, and the terminal is left as it was.
        let pty = try PseudoTerminal(rows: 4, columns: 20)
        defer { pty.close() }
        let before = pty.localModes()
        let screen = Screen()
        XCTAssertThrowsError(try screen.start(input: pty.input, output: pty.output, term: "dumb", colorTerm: nil)) { error in
            // This machine's ncurses refuses dumb in newterm already; another may get as far as
            // the check for cursor addressing.
            switch error {
            case ScreenError.cannotInitialize(let term), ScreenError.cannotAddressCursor(let term): XCTAssertEqual(term, "dumb")
            default: XCTFail("\(error)")
            }
        }
        XCTAssertFalse(screen.isActive)
        XCTAssertEqual(pty.localModes(), before)
    }
}

/// The part of an xterm that ncurses' xterm-256color output needs: cursor motion, erasing,
/// repetition, and the SGR attributes and 256 colours, replayed onto a grid of cells.
struct TerminalEmulator {
    struct Cell: Equatable {
        var character: Character = " "
        var foreground: Int?
        var background: Int?
        var bold = false, reverse = false
    }

    let rows: Int, columns: Int
    private(set) var cells: [[Cell]]
    /// Whether anything was printed at or moved the cursor to a cell outside the grid.
    private(set) var wroteOutside = false
    private var row = 0, column = 0
    private var pen = Cell()
    private var last: Character = " "

    init(rows: Int, columns: Int, replaying bytes: [UInt8]) {
        self.rows = rows; self.columns = columns
        cells = Array(repeating: Array(repeating: Cell(), count: columns), count: rows)
        replay(bytes)
    }

    /// Row `r` as text, trailing blanks dropped.
    func text(row r: Int) -> String {
        var s = String(cells[r].map(\.character))
        while s.last == " " { s.removeLast() }
        return s
    }

    private mutating func print(_ c: Character) {
        if column >= columns {   // pending wrap (xterm's auto margins)
            column = 0; row += 1
        }
        guard row >= 0, row < rows, column >= 0 else { wroteOutside = true; return }
        var cell = pen
        cell.character = c
        cells[row][column] = cell
        last = c
        column += 1
    }

    private mutating func erase(row r: Int, from: Int, to: Int) {
        guard r >= 0, r < rows else { return }
        for x in max(0, from)..<min(columns, max(to, 0)) {
            var blank = Cell(); blank.background = pen.background
            cells[r][x] = blank
        }
    }

    private mutating func moveTo(row r: Int, column c: Int) {
        if r < 0 || r >= rows || c < 0 || c >= columns { wroteOutside = true }
        row = min(max(r, 0), rows - 1); column = min(max(c, 0), columns - 1)
    }

    private mutating func sgr(_ params: [Int]) {
        var i = 0
        let ps = params.isEmpty ? [0] : params
        while i < ps.count {
            switch ps[i] {
            case 0: pen = Cell()
            case 1: pen.bold = true
            case 7: pen.reverse = true
            case 22: pen.bold = false
            case 27: pen.reverse = false
            case 30...37: pen.foreground = ps[i] - 30
            case 39: pen.foreground = nil
            case 40...47: pen.background = ps[i] - 40
            case 49: pen.background = nil
            case 90...97: pen.foreground = ps[i] - 90 + 8
            case 100...107: pen.background = ps[i] - 100 + 8
            case 38, 48:
                var value: Int?
                if i + 2 < ps.count, ps[i + 1] == 5 { value = ps[i + 2] }
                if i + 4 < ps.count, ps[i + 1] == 2 { value = (ps[i + 2] << 16) | (ps[i + 3] << 8) | ps[i + 4] }
                if ps[i] == 38 { pen.foreground = value } else { pen.background = value }
                i += ps[safe: i + 1] == 2 ? 4 : 2
            default: break
            }
            i += 1
        }
    }

    private mutating func replay(_ bytes: [UInt8]) {
        var i = 0
        func next() -> UInt8? { i < bytes.count ? bytes[i] : nil }
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x1b:
                i += 1
                guard let kind = next() else { return }
                if kind == UInt8(ascii: "[") {
                    i += 1
                    var privateMarker = false
                    if next() == UInt8(ascii: "?") || next() == UInt8(ascii: ">") { privateMarker = true; i += 1 }
                    var text = ""
                    while let c = next(), (0x30...0x3f).contains(c) { text.append(Character(UnicodeScalar(c))); i += 1 }
                    guard let final = next() else { return }
                    i += 1
                    if privateMarker { continue }   // modes: alternate screen, cursor visibility, keypad
                    let params = text.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
                    let n = max(params.first ?? 1, 1)
                    switch UnicodeScalar(final) {
                    case "H", "f": moveTo(row: max(params[safe: 0] ?? 1, 1) - 1, column: max(params[safe: 1] ?? 1, 1) - 1)
                    case "A": moveTo(row: row - n, column: column)
                    case "B": moveTo(row: row + n, column: column)
                    case "C": moveTo(row: row, column: column + n)
                    case "D": moveTo(row: row, column: column - n)
                    case "G", "`": moveTo(row: row, column: n - 1)
                    case "d": moveTo(row: n - 1, column: column)
                    case "J":
                        let mode = params.first ?? 0
                        if mode == 2 || mode == 3 { for r in 0..<rows { erase(row: r, from: 0, to: columns) } }
                        else if mode == 0 { erase(row: row, from: column, to: columns); for r in (row + 1)..<max(rows, row + 1) { erase(row: r, from: 0, to: columns) } }
                    case "K":
                        switch params.first ?? 0 {
                        case 1: erase(row: row, from: 0, to: column + 1)
                        case 2: erase(row: row, from: 0, to: columns)
                        default: erase(row: row, from: column, to: columns)
                        }
                    case "X": erase(row: row, from: column, to: column + n)
                    case "b": for _ in 0..<n { print(last) }
                    case "m": sgr(text.isEmpty ? [] : params)
                    default: break   // scroll region, window operations
                    }
                } else if kind == UInt8(ascii: "(") || kind == UInt8(ascii: ")") {
                    i += 2   // character set designation
                } else {
                    i += 1   // ESC =, ESC >, ESC 7, ESC 8 and the like
                }
            case 0x0d: column = 0; i += 1
            case 0x0a: if row + 1 < rows { row += 1 }; i += 1
            case 0x08: column = max(0, column - 1); i += 1
            case 0x09: column = min(columns - 1, (column / 8 + 1) * 8); i += 1
            case 0x00..<0x20, 0x7f: i += 1
            default:
                // One UTF-8 encoded character.
                let length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1
                let end = min(i + length, bytes.count)
                let s = String(decoding: bytes[i..<end], as: UTF8.self)
                i = end
                if let c = s.first { print(c) }
            }
        }
    }
}

private extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
