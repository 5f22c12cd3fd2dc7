import Foundation
import SC2Engine
import XCTest

/// The explorer's export record says how to get its pictures again: its `reproduce` line, run
/// as it stands through /bin/sh (with the built binary as `sc2gan` on PATH) and followed by the
/// keys its comment names, exports the same pictures.
///
/// Not always pixel for pixel: an export reuses the pictures the explorer has cached, and the
/// explorer renders them in batches (up to 8) whose make-up depends on what the keys and the
/// prefetch asked for first. A picture computed in another batch can round one 8-bit value the
/// other way (seen: 1 value of the strip's 278,400, by 1, in 1 run of 4; panes identical). So
/// every value must be within 1, and at most 1 in 1000 may differ.
final class ExportReproduceTmuxTests: TmuxTestCase {
    func testReproduceLineGivesTheSamePictures() throws {
        let assets = CLI.packageRoot.appendingPathComponent("assets/faceworld")
        guard FileManager.default.fileExists(atPath: assets.appendingPathComponent("classifier.safetensors").path) else {
            throw XCTSkip("no FaceWorld model in assets/")
        }
        // Files under names a shell splits or ends a quote on, so that the line must quote them.
        let fm = FileManager.default
        let models = work.appendingPathComponent("the model's folder")
        try fm.createDirectory(at: models, withIntermediateDirectories: true)
        let model = models.appendingPathComponent("face world.safetensors"), classifier = models.appendingPathComponent("judge $x.safetensors")
        try fm.copyItem(at: assets.appendingPathComponent("generator.safetensors"), to: model)
        try fm.copyItem(at: assets.appendingPathComponent("classifier.safetensors"), to: classifier)
        let g = try Generator(contentsOf: model)
        let directions = DirectionLibrary(directory: work.appendingPathComponent("my directions"))
        for (i, m) in DirectionMethod.allCases.enumerated() {
            var rng = Xoshiro(seed: UInt64(200 + i))
            try directions.save(Direction(attribute: "age", method: m.rawValue,
                                          vector: (0..<g.config.wDim).map { _ in Float.random(in: -1...1, using: &rng) }), method: m)
        }
        let first = work.appendingPathComponent("first"), second = work.appendingPathComponent("second")
        try fm.createDirectory(at: first, withIntermediateDirectories: true)
        try fm.createDirectory(at: second, withIntermediateDirectories: true)
        let env = "TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8"

        // 1. Explore, two steps right, export, quit.
        let s = TmuxSession()
        session = s
        try s.start(width: 160, height: 50)
        let args = ["explore", "--model", model.path, "--directions", directions.directory.path, "--classifier", classifier.path,
                    "--seed", "5", "--attribute", "age", "--truncation", "0.6", "--step", "2.5", "--export-dir", "out"]
        try s.type("cd \(ShellQuote.word(first.path)) && env \(env) \(ShellQuote.line([CLI.binary.path] + args)); echo RUN\"\"1-EXIT=$?")
        try walkExportAndQuit(s, steps: 2, marker: "RUN1-EXIT=")
        let out = first.appendingPathComponent("out")
        let record = try JSONDecoder().decode(Record.self, from: Data(contentsOf: out.appendingPathComponent("seed5-age-step+2.json")))
        XCTAssertTrue(record.reproduce.hasPrefix("sc2gan explore --model "), record.reproduce)
        XCTAssertTrue(record.reproduce.contains(" --directions \(ShellQuote.word(directions.directory.path)) "), record.reproduce)
        XCTAssertTrue(record.reproduce.hasSuffix("   # then 2 x Right"), record.reproduce)

        // 2. The line, as written, through /bin/sh from another folder; the same keys; export, quit.
        let script = second.appendingPathComponent("reproduce.sh")
        try Data((record.reproduce + "\n").utf8).write(to: script)
        let path = CLI.binary.deletingLastPathComponent().path + ":/usr/bin:/bin"
        try s.type("cd \(ShellQuote.word(second.path)) && env \(env) PATH=\(ShellQuote.word(path)) /bin/sh reproduce.sh; echo RUN\"\"2-EXIT=$?")
        try walkExportAndQuit(s, steps: 2, marker: "RUN2-EXIT=")
        let again = second.appendingPathComponent("exports")

        // 3. The same pictures, pixel for pixel, and the same record (its time aside).
        let pictures = try fm.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".png") }.sorted()
        XCTAssertEqual(pictures.count, 5, "\(pictures)")   // base, three panes, strip
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: again.path).filter { $0.hasSuffix(".png") }.sorted(), pictures)
        for name in pictures {
            let a = try PNG.read(again.appendingPathComponent(name)), b = try PNG.read(out.appendingPathComponent(name))
            XCTAssertEqual([a.width, a.height], [b.width, b.height], name)
            let diffs = zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.filter { $0 > 0 }
            XCTAssertTrue((diffs.max() ?? 0) <= 1 && diffs.count * 1000 <= a.pixels.count,
                          "\(name): \(diffs.count) of \(a.pixels.count) values differ, by up to \(diffs.max() ?? 0)")
        }
        let repeated = try JSONDecoder().decode(Record.self, from: Data(contentsOf: again.appendingPathComponent("seed5-age-step+2.json")))
        XCTAssertEqual(repeated.reproduce, record.reproduce)
        // The same record; a score may differ in its last digits, as a pixel may (see above).
        assertSame(try scoresAndDirections(again), try scoresAndDirections(out), at: "record")
    }

    private struct Record: Decodable { let reproduce: String }

    /// The record without its creation time.
    private func scoresAndDirections(_ folder: URL) throws -> NSDictionary {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("seed5-age-step+2.json")))
        let d = try XCTUnwrap(json as? [String: Any]).filter { $0.key != "createdAt" }
        return d as NSDictionary
    }

    /// `a` and `b` hold the same keys, strings and numbers, numbers within 0.002.
    private func assertSame(_ a: Any, _ b: Any, at path: String) {
        switch (a, b) {
        case let (x as [String: Any], y as [String: Any]):
            XCTAssertEqual(Set(x.keys), Set(y.keys), path)
            for (k, v) in x { if let w = y[k] { assertSame(v, w, at: path + "." + k) } }
        case let (x as NSDictionary, y as NSDictionary):
            assertSame(x as? [String: Any] ?? [:], y as? [String: Any] ?? [:], at: path)
        case let (x as [Any], y as [Any]):
            XCTAssertEqual(x.count, y.count, path)
            for (i, (v, w)) in zip(x, y).enumerated() { assertSame(v, w, at: "\(path)[\(i)]") }
        case let (x as String, y as String):
            XCTAssertEqual(x, y, path)
        case let (x as NSNumber, y as NSNumber):
            XCTAssertEqual(x.doubleValue, y.doubleValue, accuracy: 0.002, path)
        default:
            XCTAssertEqual(String(describing: a), String(describing: b), path)
        }
    }

    private func walkExportAndQuit(_ s: TmuxSession, steps: Int, marker: String) throws {
        _ = try s.waitFor("the first frame") { $0.contains("step 0  α 0.00") && $0.contains("▀") }
        for _ in 0..<steps { try s.keys("Right") }
        _ = try s.waitFor("step +\(steps)") { $0.contains("step +\(steps)  α") }
        try s.keys("e")
        let exported = try s.waitFor("the export message") { $0.contains("exported") || $0.contains("export failed") }
        XCTAssertFalse(exported.contains("export failed"), exported)
        try s.keys("q")
        let after = try s.waitFor("the shell after q") { $0.contains(marker) }
        XCTAssertTrue(after.contains(marker + "0"), after)
    }
}
