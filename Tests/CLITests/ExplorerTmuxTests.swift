import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SC2Engine
import XCTest

/// A detached tmux session on a private server (its own socket), driven like a person would:
/// type keys, read the screen. Killed in tearDown.
final class TmuxSession {
    let socket = "sc2gan-explore-\(UUID().uuidString.prefix(8))"
    let name = "explore"

    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") || (try? tmuxPath()) != nil
    }

    static func tmuxPath() throws -> String {
        for p in ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"] where FileManager.default.isExecutableFile(atPath: p) {
            return p
        }
        throw XCTSkip("tmux is not installed")
    }

    /// Runs tmux on this session's server and returns its standard output.
    ///
    /// posix_spawn + waitpid rather than Foundation's Process: `new-session` leaves a server
    /// running that inherits the child's descriptors, and Process then never sees the end.
    @discardableResult
    func tmux(_ args: [String]) throws -> String {
        let path = try TmuxSession.tmuxPath()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket)-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path, "-L", socket, "-f", "/dev/null"] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard rc == 0 else { throw Failure(what: "posix_spawn tmux: \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    }

    struct Failure: Error { let what: String }

    /// Starts a plain shell (prompt "$ ") in a `width` x `height` window.
    func start(width: Int, height: Int) throws {
        try tmux(["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", "env -i PATH=/usr/bin:/bin HOME=/tmp PS1='$ ' sh"])
        _ = try waitFor("shell prompt", timeout: 10) { $0.contains("$") }
    }

    /// Types a command line into the shell.
    func type(_ line: String) throws {
        try tmux(["send-keys", "-t", name, "-l", line])
        try tmux(["send-keys", "-t", name, "Enter"])
    }

    func keys(_ keys: String...) throws {
        try tmux(["send-keys", "-t", name] + keys)
    }

    func capture(colors: Bool = false) throws -> String {
        try tmux(["capture-pane", "-p", "-t", name] + (colors ? ["-e"] : []))
    }

    func alternateScreenOn() throws -> Bool {
        try tmux(["display-message", "-p", "-t", name, "#{alternate_on}"]).trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Polls the screen until `condition` holds; fails with the last screen otherwise.
    func waitFor(_ what: String, timeout: TimeInterval = 30, file: StaticString = #filePath, line: UInt = #line,
                 _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = try capture()
            if condition(screen) { return screen }
            usleep(100_000)
        }
        XCTFail("timed out waiting for \(what); screen:\n\(screen)", file: file, line: line)
        throw Failure(what: "timed out waiting for \(what)")
    }

    /// Stops the server and removes its socket file (tmux leaves it behind).
    func kill() {
        let path = (try? tmux(["display-message", "-p", "#{socket_path}"]))?.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try? tmux(["kill-server"])
        if let path, !path.isEmpty { unlink(path) }
    }
}

/// A test that drives sc2gan in tmux: a work folder, and the session killed afterwards.
class TmuxTestCase: XCTestCase {
    var session: TmuxSession?
    var work: URL!

    override func setUpWithError() throws {
        guard TmuxSession.available else { throw XCTSkip("tmux is not installed") }
        work = CLI.tempDir()
    }

    override func tearDown() {
        session?.kill()
        session = nil
        if let work { try? FileManager.default.removeItem(at: work) }
    }
}

/// End-to-end: `sc2gan explore` in tmux, keys sent, screen and export folder checked.
final class ExplorerTmuxTests: TmuxTestCase {

    /// The default 64 px model when it is there, else the 32 px parity fixture.
    var modelURL: URL {
        let assets = CLI.packageRoot.appendingPathComponent("assets/faceworld/generator.safetensors")
        return FileManager.default.fileExists(atPath: assets.path) ? assets : CLI.fixtures.appendingPathComponent("parity/nv32.safetensors")
    }

    var classifierURL: URL? {
        let c = CLI.packageRoot.appendingPathComponent("assets/faceworld/classifier.safetensors")
        return FileManager.default.fileExists(atPath: c.path) ? c : nil
    }

    /// Fixed random directions for every method, so the walk moves whatever directions the
    /// assets hold today.
    func writeDirections(wDim: Int) throws -> URL {
        let dir = work.appendingPathComponent("directions")
        let lib = DirectionLibrary(directory: dir)
        for (i, m) in DirectionMethod.allCases.enumerated() {
            var rng = Xoshiro(seed: UInt64(100 + i))
            try lib.save(Direction(attribute: "age", method: m.rawValue,
                                   vector: (0..<wDim).map { _ in Float.random(in: -1...1, using: &rng) }), method: m)
        }
        return dir
    }

    /// The command line that runs the explorer in the session's shell, then prints its exit status.
    func commandLine(term: String, lang: String, subcommand: String? = "explore", extra: [String], environment: String = "") -> String {
        let env = "TERM=\(term) LANG=\(lang) LC_ALL=\(lang) SC2GAN_ASSETS=\(CLI.packageRoot.appendingPathComponent("assets").path) \(environment)"
        let args = ((subcommand.map { [$0] } ?? []) + extra).map { "'\($0)'" }.joined(separator: " ")
        return "cd '\(work.path)' && env \(env) '\(CLI.binary.path)' \(args); echo SC2GAN\"\"-EXIT=$?"
    }

    func bars(_ screen: String) -> String {
        screen.split(separator: "\n").filter { $0.contains("eyeglasses") || $0.contains("lipstick") || $0.contains("Δ") }
            .joined(separator: "\n")
    }

    func walkExportAndQuit(term: String, colorCode: String) throws {
        let model = modelURL
        let g = try Generator(contentsOf: model)
        let directions = try writeDirections(wDim: g.config.wDim)
        var extra = ["--model", model.path, "--directions", directions.path, "--seed", "5", "--step", "3",
                     "--attribute", "age", "--export-dir", "out", "--trace", "trace.jsonl"]
        if let c = classifierURL { extra += ["--classifier", c.path] }
        let s = TmuxSession()
        session = s
        try s.start(width: 160, height: 50)
        try s.type(commandLine(term: term, lang: "C.UTF-8", extra: extra))

        // The header, then the first pictures.
        let first = try s.waitFor("the first frame") { $0.contains("step 0  α 0.00") && $0.contains("▀") }
        XCTAssertTrue(first.contains("seed 5"), first)
        XCTAssertTrue(first.contains("original") && first.contains("conditional") && first.contains("SC² corrected"), first)

        for _ in 0..<3 { try s.keys("Right") }
        // On a loaded machine the first frame of a step can be an unscored preview: wait for the
        // scored one (the bars stay as they were on a preview).
        let walked = try s.waitFor("step +3, scored") {
            $0.contains("step +3  α +9.00") && $0.contains("α +9.00  ") && (classifierURL == nil || self.bars(first) != self.bars($0))
        }
        if classifierURL != nil {
            XCTAssertTrue(walked.contains("Δ age"), walked)
            XCTAssertNotEqual(bars(first), bars(walked), "the score numbers did not change")
        } else {
            XCTAssertTrue(walked.contains("no classifier"), walked)
        }

        let colored = try s.capture(colors: true)
        XCTAssertTrue(colored.contains("▀"))
        XCTAssertTrue(colored.contains(colorCode), "no \(colorCode) colour codes in the capture")
        XCTAssertTrue(colored.contains(colorCode.replacingOccurrences(of: "38;", with: "48;")), "no background colours")

        // Export: pane pictures at the model's size, the strip, the record.
        try s.keys("e")
        _ = try s.waitFor("the export message") { $0.contains("exported") || $0.contains("export failed") }
        let out = work.appendingPathComponent("out")
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        let pngs = files.filter { $0.hasSuffix(".png") }
        XCTAssertEqual(pngs.count, 5, "\(files)")   // base, 3 panes, strip
        for f in pngs where !f.contains("strip") {
            let img = try PNG.read(out.appendingPathComponent(f))
            XCTAssertEqual(img.width, g.config.resolution, f)
            XCTAssertEqual(img.height, g.config.resolution, f)
        }
        _ = try PNG.read(out.appendingPathComponent("seed5-age-step+3.strip.png"))
        let json = try XCTUnwrap(files.first { $0.hasSuffix(".json") })
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent(json))) as? [String: Any]
        XCTAssertEqual(record?["seed"] as? Int, 5)
        XCTAssertEqual(record?["step"] as? Int, 3)
        XCTAssertEqual((record?["model"] as? [String: Any])?["hash"] as? String, g.hash)

        // Resize to 100x30: the layout follows.
        try s.resize(width: 100, height: 30)
        let small = try s.waitFor("the 100-column layout") { screen in
            // Three panes of about 33 columns: the second title starts near column 34.
            guard let titles = screen.split(separator: "\n").first(where: { $0.hasPrefix(" original") }),
                  let c = titles.range(of: "conditional") else { return false }
            let column = titles.distance(from: titles.startIndex, to: c.lowerBound)
            return (30...40).contains(column) && screen.contains("step +3") && screen.contains("▀")
        }
        XCTAssertTrue(small.contains("SC² corrected"), small)

        // One large pane, then quit: the shell is back, no alternate screen left.
        try s.keys("m")
        _ = try s.waitFor("one large pane") { !$0.contains("conditional") && $0.contains("original") }
        try s.keys("q")
        let after = try s.waitFor("the shell after q") { $0.contains("SC2GAN-EXIT=") }
        XCTAssertTrue(after.contains("SC2GAN-EXIT=0"), after)
        XCTAssertFalse(try s.alternateScreenOn())
        XCTAssertFalse(after.contains("▀"), "pictures left on the normal screen")

        // --trace: one JSON line per key with its latency; the arrows waited for their pictures.
        let trace = try String(contentsOf: work.appendingPathComponent("trace.jsonl"), encoding: .utf8)
        let lines = trace.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        // One line per key press; a key whose first frame was a preview (the machine was slow for
        // the 50 ms budget) adds "refined" / "pane" lines for the same press.
        let presses = lines.filter { $0["refined"] == nil && $0["pane"] == nil }
        XCTAssertEqual(presses.filter { $0["key"] as? String == "right" }.count, 3, trace)
        for l in lines {
            let ms = try XCTUnwrap(l["latency_ms"] as? Double)
            XCTAssertTrue(ms >= 0 && ms < 10_000, "\(l)")
        }
        let arrows = presses.filter { $0["key"] as? String == "right" }
        XCTAssertTrue(arrows.allSatisfy { ($0["shown"] as? Int ?? 0) >= ($0["generation"] as? Int ?? 1) }, trace)
    }

    /// A newcomer's first run (a fresh clone: an empty cache), no flags but the assets: the
    /// explorer opens where the point shows. Three Rights, and the original pane's correlated
    /// attribute rises by 0.3 or more while the SC²-corrected pane's stays within 0.1, as the
    /// score text on screen says.
    func testFirstScreenShowsTheLeakWithinThreeRights() throws {
        guard classifierURL != nil else { throw XCTSkip("no FaceWorld classifier in assets/") }
        let s = TmuxSession()
        session = s
        try s.start(width: 160, height: 50)
        let cache = work.appendingPathComponent("cache").path
        try s.type(commandLine(term: "xterm-256color", lang: "C.UTF-8", extra: [], environment: "SC2GAN_CACHE='\(cache)'"))
        // The first start reads the shipped calibrations and first screen (a start without them
        // measures them: seconds, then cached).
        let first = try s.waitFor("the first frame", timeout: 600) {
            $0.contains("step 0  equal effect") && $0.contains("watch ") && $0.contains("Δ ") && !$0.contains("rendering")
        }
        let status = try XCTUnwrap(first.split(separator: "\n").first { $0.contains("watch ") }, first)
        let correlated = try XCTUnwrap(status.components(separatedBy: "watch ").last?.split(separator: " ").first.map(String.init), first)
        /// The score and change of `correlated` in each pane, from its bar line: "eyeglasses ███ 0.02  0.00   eyeglasses ...".
        func correlatedChanges(_ screen: String) -> [Double]? {
            guard let line = screen.split(separator: "\n").first(where: { $0.hasPrefix(" \(correlated) ") }) else { return nil }
            let numbers = line.split(separator: " ").compactMap { Double($0) }
            return numbers.count == 6 ? [numbers[1], numbers[3], numbers[5]] : nil
        }
        let before = try XCTUnwrap(correlatedChanges(first), first)
        XCTAssertEqual(before, [0, 0, 0], first)
        for _ in 0..<3 { try s.keys("Right") }
        let walked = try s.waitFor("step +3 with its scores", timeout: 60) {
            $0.contains("step +3  equal effect") && !$0.contains("rendering") && (correlatedChanges($0)?[0] ?? 0) != 0
        }
        let changes = try XCTUnwrap(correlatedChanges(walked), walked)
        XCTAssertGreaterThanOrEqual(changes[0], 0.3, "the original does not drag \(correlated) along:\n\(walked)")
        XCTAssertLessThanOrEqual(abs(changes[2]), 0.1, "the SC² direction drags \(correlated) along:\n\(walked)")
        // Every pane added the target: "Δ lipstick +1.00" in each pane's summary line.
        let summary = try XCTUnwrap(walked.split(separator: "\n").first { $0.hasPrefix(" Δ ") }, walked)
        let targetChanges = summary.components(separatedBy: "Δ ").dropFirst().compactMap { $0.split(separator: " ").dropFirst().first.flatMap { Double($0) } }
        XCTAssertEqual(targetChanges.count, 3, String(summary))
        XCTAssertTrue(targetChanges.allSatisfy { $0 >= 0.5 }, "a pane did not add the target: \(summary)")
        // Each pane walks by its own α; the header says equal effect.
        let titles = try XCTUnwrap(walked.split(separator: "\n").first { $0.hasPrefix(" original") }, walked)
        XCTAssertEqual(titles.components(separatedBy: "α +").count - 1, 3, String(titles))
        try s.keys("q")
        _ = try s.waitFor("the shell after q") { $0.contains("SC2GAN-EXIT=") }
        // The calibrations and the first screen came with the directions (explorer-cache/, made by
        // `sc2gan directions calibrate`): a fresh start measured nothing into its cache.
        let cached = (try? FileManager.default.subpathsOfDirectory(atPath: cache)) ?? []
        XCTAssertFalse(cached.contains { $0.hasPrefix("explorer/") }, "\(cached)")
    }

    /// `r` moves every pane onto StyleGAN's coarse rows: the header says which, the export
    /// records the directions with those rows and the key in its reproduce line, and the
    /// pictures moved.
    func testRKeyEditsOnTheCoarseRowsAndTheExportSaysSo() throws {
        let g = try Generator(contentsOf: modelURL)
        guard g.config.numWs > 4 else { throw XCTSkip("the model has no rows past the coarse ones") }
        let directions = try writeDirections(wDim: g.config.wDim)
        var extra = ["--model", modelURL.path, "--directions", directions.path, "--seed", "5", "--step", "3",
                     "--attribute", "age", "--export-dir", "out"]
        if let c = classifierURL { extra += ["--classifier", c.path] }
        let s = TmuxSession()
        session = s
        try s.start(width: 160, height: 50)
        try s.type(commandLine(term: "xterm-256color", lang: "C.UTF-8", extra: extra))
        _ = try s.waitFor("the first frame") { $0.contains("step 0  α 0.00") && $0.contains("▀") }
        try s.keys("r")
        let coarse = try s.waitFor("the coarse rows in the header") { $0.contains("rows 0-3 (coarse, 4-8 px)") }
        XCTAssertTrue(coarse.contains("every pane edits rows 0-3"), coarse)
        try s.keys("Right")
        _ = try s.waitFor("step +1") { $0.contains("step +1  α +3.00") && !$0.contains("rendering") }
        try s.keys("e")
        let exported = try s.waitFor("the export message") { $0.contains("exported") || $0.contains("export failed") }
        XCTAssertFalse(exported.contains("export failed"), exported)
        try s.keys("q")
        _ = try s.waitFor("the shell after q") { $0.contains("SC2GAN-EXIT=") }

        struct Walk: Decodable { let direction: Direction?; let image: String? }
        struct Record: Decodable { let walks: [Walk]; let reproduce: String; let baseImage: String }
        let out = work.appendingPathComponent("out")
        let record = try JSONDecoder().decode(Record.self, from: Data(contentsOf: out.appendingPathComponent("seed5-age-step+1.json")))
        XCTAssertEqual(record.walks.count, 3)
        for w in record.walks { XCTAssertEqual(w.direction?.layers, [0, 1, 2, 3]) }
        XCTAssertTrue(record.reproduce.hasSuffix("# then 1 x r (rows 0-3 (coarse, 4-8 px)), 1 x Right"), record.reproduce)
        let base = try PNG.read(out.appendingPathComponent(record.baseImage))
        let pane = try PNG.read(out.appendingPathComponent(try XCTUnwrap(record.walks[0].image)))
        XCTAssertNotEqual(pane.pixels, base.pixels, "the coarse rows' edit moved nothing")
    }

    /// TERM=xterm-256color is what most terminals set, even those that show 24-bit colour and
    /// say so with COLORTERM=truecolor: then the pictures are drawn in 24-bit colour; without it
    /// in (dithered) 256 colours; --colors 256 forces the palette.
    func testCOLORTERMGivesTwentyFourBitColour() throws {
        guard FileManager.default.fileExists(atPath: "/usr/share/terminfo/x/xterm-direct")
                || FileManager.default.fileExists(atPath: "/lib/terminfo/x/xterm-direct") else {
            throw XCTSkip("no xterm-direct terminfo (Debian: ncurses-term)")
        }
        for (environment, extra, code) in [("COLORTERM=truecolor", [String](), "38;2;"), ("", [], "38;5;"),
                                           ("COLORTERM=truecolor", ["--colors", "256"], "38;5;")] {
            let s = TmuxSession()
            session = s
            try s.start(width: 120, height: 40)
            try s.type(commandLine(term: "xterm-256color", lang: "C.UTF-8", extra: ["--seed", "1"] + extra, environment: environment))
            _ = try s.waitFor("the first frame", timeout: 300) { $0.contains("step 0") && $0.contains("▀") }
            let colored = try s.capture(colors: true)
            XCTAssertTrue(colored.contains(code), "\(environment) \(extra): no \(code) in the capture")
            XCTAssertFalse(colored.contains(code == "38;2;" ? "38;5;" : "38;2;"), "\(environment) \(extra): mixed colour modes")
            try s.keys("q")
            _ = try s.waitFor("the shell after q") { $0.contains("SC2GAN-EXIT=") }
            s.kill()
            session = nil
        }
    }

    func testWalkExportResizeAndQuit256Colors() throws {
        try walkExportAndQuit(term: "xterm-256color", colorCode: "38;5;")
    }

    func testWalkExportResizeAndQuitDirectColor() throws {
        let infocmp = Process()
        infocmp.executableURL = URL(fileURLWithPath: "/usr/bin/infocmp")
        infocmp.arguments = ["xterm-direct"]
        infocmp.standardOutput = Pipe(); infocmp.standardError = Pipe()
        guard (try? infocmp.run()) != nil else { throw XCTSkip("infocmp is not installed") }
        infocmp.waitUntilExit()
        guard infocmp.terminationStatus == 0 else { throw XCTSkip("no xterm-direct terminfo (Debian: ncurses-term)") }
        try walkExportAndQuit(term: "xterm-direct", colorCode: "38;2;")
    }

    /// Also: `sc2gan` with no subcommand is the explorer.
    func testTinyTerminalSaysTooSmall() throws {
        let s = TmuxSession()
        session = s
        try s.start(width: 30, height: 8)
        try s.type(commandLine(term: "xterm-256color", lang: "C.UTF-8", subcommand: nil, extra: ["--model", modelURL.path]))
        let screen = try s.waitFor("the too-small message") { $0.contains("too small") }
        XCTAssertTrue(screen.contains("30x8"), screen)
        try s.keys("q")
        let after = try s.waitFor("the shell after q") { $0.contains("SC2GAN-EXIT=") }
        XCTAssertTrue(after.contains("SC2GAN-EXIT=0"), after)
    }

    func testCLocaleFallsBackToASCII() throws {
        let s = TmuxSession()
        session = s
        try s.start(width: 160, height: 50)
        try s.type(commandLine(term: "xterm-256color", lang: "C", extra: ["--model", modelURL.path, "--seed", "2"]))
        let screen = try s.waitFor("the ASCII frame", timeout: 300) { $0.contains("step 0  equal effect") && $0.contains("No UTF-8 locale") }
        XCTAssertFalse(screen.contains("▀"), "half blocks drawn without UTF-8")
        let body = screen.split(separator: "\n").dropFirst(3).prefix(20).joined()
        XCTAssertTrue(body.contains { "#%@*=+".contains($0) }, "no ASCII shading:\n\(screen)")
        try s.keys("Right", "n", "?")
        _ = try s.waitFor("the help") { $0.contains("any key closes this help") }
        try s.keys("Escape", "C-c")
        let after = try s.waitFor("the shell after Ctrl-C") { $0.contains("SC2GAN-EXIT=") }
        XCTAssertTrue(after.contains("SC2GAN-EXIT=0"), after)
        XCTAssertFalse(try s.alternateScreenOn())
    }

    func testSeedPromptAttributeKeysAndUnwritableExport() throws {
        let s = TmuxSession()
        session = s
        try s.start(width: 120, height: 40)
        try s.type(commandLine(term: "xterm-256color", lang: "C.UTF-8",
                               extra: ["--model", modelURL.path, "--seed", "7", "--export-dir", "/proc/sc2gan-exports"]))
        // Equal effect calibrates the steps on the first start (then cached).
        _ = try s.waitFor("the first frame", timeout: 300) { $0.contains("seed 7 ") && $0.contains("step 0  ") }
        try s.keys("s", "1", "2", "3", "Enter")
        _ = try s.waitFor("seed 123") { $0.contains("seed 123 ") }
        try s.keys("n", "n", "p")
        _ = try s.waitFor("seed 124") { $0.contains("seed 124 ") }
        try s.keys("Down")
        _ = try s.waitFor("the second attribute") { $0.contains(" 2/") }
        try s.keys("e")
        let failed = try s.waitFor("the export failure in the footer") { $0.contains("export failed") }
        XCTAssertTrue(failed.contains("/proc"), failed)
        try s.keys("q")
        _ = try s.waitFor("the shell after q") { $0.contains("SC2GAN-EXIT=0") }
    }

    /// SIGTERM: the terminal is restored (no alternate screen left) and the process dies of it.
    func testSIGTERMRestoresTheTerminal() throws {
        let s = TmuxSession()
        session = s
        try s.start(width: 100, height: 30)
        try s.type(commandLine(term: "xterm-256color", lang: "C.UTF-8", extra: ["--model", modelURL.path]))
        _ = try s.waitFor("the first frame", timeout: 300) { $0.contains("step 0  ") }
        XCTAssertTrue(try s.alternateScreenOn())
        let shell = try XCTUnwrap(Int32(try s.tmux(["display-message", "-p", "-t", s.name, "#{pane_pid}"])
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        let explorer = try XCTUnwrap(childProcess(of: shell, named: "sc2gan"), "explorer process not found")
        XCTAssertEqual(kill(explorer, SIGTERM), 0)
        let after = try s.waitFor("the shell after SIGTERM") { $0.contains("SC2GAN-EXIT=") }
        XCTAssertTrue(after.contains("SC2GAN-EXIT=143"), after)
        XCTAssertFalse(try s.alternateScreenOn())
    }

    /// A direct child of `parent` whose command name is `name` (from /proc).
    func childProcess(of parent: Int32, named name: String) -> Int32? {
        let list = (try? String(contentsOfFile: "/proc/\(parent)/task/\(parent)/children", encoding: .utf8)) ?? ""
        for pid in list.split(separator: " ").compactMap({ Int32($0) }) {
            let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
            if comm.trimmingCharacters(in: .whitespacesAndNewlines) == name { return pid }
        }
        return nil
    }

    /// A corrupt model fails before the screen starts: one line, non-zero exit, terminal intact.
    func testCorruptModelIsAOneLineError() throws {
        let bad = CLI.fixtures.appendingPathComponent("checkpoints/bad_truncated.safetensors")
        let r = try CLI.run(["explore", "--model", bad.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains(bad.path), r.stderr)
        XCTAssertEqual(r.stdout, "", "nothing drawn")

        let s = TmuxSession()
        session = s
        try s.start(width: 100, height: 30)
        try s.type(commandLine(term: "xterm-256color", lang: "C.UTF-8", extra: ["--model", bad.path]))
        let after = try s.waitFor("the exit status") { $0.contains("SC2GAN-EXIT=") }
        XCTAssertFalse(after.contains("SC2GAN-EXIT=0"), after)
        XCTAssertTrue(after.contains("Error:"), after)
        XCTAssertFalse(try s.alternateScreenOn())
    }

    /// TERM=dumb cannot move the cursor: the explorer says so in one line and leaves the
    /// terminal as it was (no alternate screen, the prompt on a fresh line).
    func testDumbTerminalIsAOneLineError() throws {
        let s = TmuxSession()
        session = s
        try s.start(width: 100, height: 30)
        try s.type(commandLine(term: "dumb", lang: "C.UTF-8", extra: []))
        let after = try s.waitFor("the exit status") { $0.contains("SC2GAN-EXIT=") }
        XCTAssertTrue(after.contains("Error: the terminal (TERM=dumb) cannot move the cursor"), after)
        XCTAssertFalse(after.contains("SC2GAN-EXIT=0"), after)
        XCTAssertFalse(try s.alternateScreenOn())
    }
}
