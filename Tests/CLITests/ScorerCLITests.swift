import Foundation
import SC2Engine
import XCTest

/// --scorer through the commands: a good scorer fits a direction and its samples are cached
/// under its identity; one that crashes or hangs is one line, exit status 1, and nothing is
/// left in the sample cache or at --out. The torchvision example serves a ResNet.
final class ScorerCLITests: XCTestCase {
    static let fake = CLI.fixtures.appendingPathComponent("scorers/fake_scorer.py").path

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { throw XCTSkip("no /usr/bin/python3") }
    }

    func fit(_ mode: String, in dir: URL, environment: [String: String] = [:]) throws -> CLI.Result {
        try CLI.run(["directions", "fit", "--scorer", "/usr/bin/python3 \(Self.fake) \(mode) 64", "--attribute", "red",
                     "--samples", "100", "--out", dir.appendingPathComponent("red.json").path],
                    environment: ["SC2GAN_CACHE": dir.appendingPathComponent("cache").path].merging(environment) { $1 })
    }

    func cacheFiles(_ dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("cache").path)) ?? []).sorted()
    }

    func testGoodScorerFitsADirectionAndCachesItsSamples() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try fit("good", in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("red.json").path))
        let cached = cacheFiles(dir).filter { $0.hasPrefix("samples-") }
        guard cached.count == 1 else { return XCTFail("cache: \(cacheFiles(dir))") }
        let samples = try SafeTensors.read(dir.appendingPathComponent("cache/\(cached[0])"))
        XCTAssertEqual(samples.metadata["attributes"], "red,green,blue")
        XCTAssertTrue(samples.metadata["classifier_hash"]?.hasPrefix("scorer:") ?? false, "\(samples.metadata)")
        let again = try fit("good", in: dir)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(cacheFiles(dir).filter { $0.hasPrefix("samples-") }, cached, "the same scorer reuses its samples")
    }

    func testFailingScorersAreOneLineAndLeaveNothing() throws {
        let cases: [(String, [String: String], String)] = [
            ("crash", [:], "exited with status 3 before sending scores for a batch of 32: RuntimeError: CUDA out of memory (fake)"),
            ("hang", ["SC2GAN_SCORER_TIMEOUT": "1"], "sent no scores for a batch of 32 within 1 s"),
            ("garbage", [:], "answered something that is not a sc2gan-scorer/1 reply"),
            ("wrong_count", [:], "returned 31 rows of scores for a batch of 32 images"),
            ("nan", [:], "answered NaN or infinite scores"),
        ]
        for (mode, env, message) in cases {
            let dir = CLI.tempDir()
            defer { try? FileManager.default.removeItem(at: dir) }
            let start = Date()
            let r = try fit(mode, in: dir, environment: env)
            XCTAssertEqual(r.status, 1, "\(mode): \(r.stderr)")
            let lines = r.stderr.split(separator: "\n").filter { !$0.contains("sampling") }
            XCTAssertEqual(lines.count, 1, "\(mode): \(r.stderr)")
            XCTAssertTrue(lines.first?.hasPrefix("Error: scorer '/usr/bin/python3 ") ?? false, "\(mode): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "\(mode): \(r.stderr)")
            XCTAssertEqual(cacheFiles(dir).filter { !$0.hasPrefix(".") }, [], "\(mode): cache written")
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("red.json").path), "\(mode): --out written")
            XCTAssertLessThan(Date().timeIntervalSince(start), 30, mode)
        }
        let bad = try CLI.run(["directions", "fit", "--scorer", "x", "--classifier", "y", "--attribute", "red", "--out", "/tmp/never.json"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("give --predictor or --scorer, not both"), bad.stderr)
        let timeout = try CLI.run(["directions", "fit", "--scorer", "x", "--attribute", "red", "--out", "/tmp/never.json"],
                                  environment: ["SC2GAN_SCORER_TIMEOUT": "soon"])
        XCTAssertEqual(timeout.status, 1)
        XCTAssertTrue(timeout.stderr.contains("SC2GAN_SCORER_TIMEOUT 'soon' is not a number of seconds"), timeout.stderr)
    }

    /// tools/scorers/torchvision_scorer.py serving a ResNet-18 (random weights, three outputs)
    /// answers over the protocol what the same script computes on the same bytes directly.
    func testTorchvisionScorerServesAResNet() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let weights = dir.appendingPathComponent("resnet18.pt").path
        let script = CLI.packageRoot.appendingPathComponent("tools/scorers/torchvision_scorer.py").path
        let args = ["--arch", "resnet18", "--attributes", "a,b,c", "--input-size", "64"]
        _ = try CLI.python("scorers/torchvision_scorer.py", args + ["--make-example", weights])
        let scorer = try ExternalScorer(command: (["/usr/bin/python3", script] + args + ["--weights", weights]).joined(separator: " "))
        XCTAssertEqual(scorer.attributes, ["a", "b", "c"])
        XCTAssertEqual(scorer.inputSize, 64)
        let g = try Generator(contentsOf: CLI.packageRoot.appendingPathComponent("assets/faceworld/generator.safetensors"))
        let images = g.generate(seeds: [0, 1, 2, 3])
        let got = try scorer.probabilities(generated: images)
        let bytes = dir.appendingPathComponent("images.rgb")
        try Data(ExternalScorer.rgbBytes(images, side: 64)).write(to: bytes)
        let direct = String(decoding: try CLI.python("scorers/torchvision_scorer.py", args + ["--weights", weights, "--score-rgb", bytes.path, "4"]), as: UTF8.self)
        let want = direct.split(separator: "\n").map { $0.split(separator: " ").compactMap { Float($0) } }
        XCTAssertEqual(want.count, 4)
        for (g, w) in zip(got, want) {
            XCTAssertEqual(g.count, 3); XCTAssertEqual(w.count, 3)
            for (a, b) in zip(g, w) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        }
        XCTAssertGreaterThan(Set(got.flatMap { $0 }).count, 3, "the scores depend on the image")
    }
}
