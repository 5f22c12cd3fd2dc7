import Foundation
import Tensor
import XCTest
@testable import SC2Engine

/// External scorers over sc2gan-scorer/1: known answers from a scorer written for the test
/// (Fixtures/scorers/fake_scorer.py, plain Python), every way a scorer fails as one line, and
/// FaceWorld's classifier served by torch (tools/scorers/faceworld_scorer.py) against the
/// built-in one.
final class ExternalScorerTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fake = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("scorers/fake_scorer.py").path
    static let python = "/usr/bin/python3"

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else { throw XCTSkip("no /usr/bin/python3") }
    }

    func fake(_ mode: String, size: Int = 16, timeout: Double = 30) throws -> ExternalScorer {
        try ExternalScorer(command: "\(Self.python) '\(Self.fake)' \(mode) \(size)", timeout: timeout)
    }

    /// Images [n, 3, side, side] with values from -1.2 to 1.2 (so that clamping matters).
    func images(_ n: Int, side: Int, seed: UInt64 = 1) -> Tensor {
        var state = seed
        let data = (0..<(n * 3 * side * side)).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24) * 2.4 - 1.2
        }
        return Tensor(shape: [n, 3, side, side], data: data)
    }

    /// What `fake_scorer.py good` must answer, computed here: the mean 8-bit value of each
    /// channel / 255, with pixels quantised as generate's PNGs are.
    func channelMeans(_ x: Tensor) -> [[Float]] {
        let n = x.shape[0], plane = x.shape[2] * x.shape[3]
        return (0..<n).map { i in
            (0..<3).map { c in
                let start = (i * 3 + c) * plane
                let sum = x.data[start..<start + plane].reduce(0) { $0 + Int(RGBImage.quantize($1)) }
                return Float(Double(sum) / Double(plane * 255))
            }
        }
    }

    func assertOneLine(_ error: Error, contains parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        guard let error = error as? SC2Error else { return XCTFail("\(error) is not an SC2Error", file: file, line: line) }
        XCTAssertFalse(error.message.contains("\n"), error.message, file: file, line: line)
        XCTAssertTrue(error.message.hasPrefix("scorer '"), error.message, file: file, line: line)
        for part in parts { XCTAssertTrue(error.message.contains(part), "\(error.message) lacks \(part)", file: file, line: line) }
    }

    func testGoodScorerAnswersAreTheKnownOnes() throws {
        let scorer = try fake("good", size: 32)
        XCTAssertEqual(scorer.attributes, ["red", "green", "blue"])
        XCTAssertEqual(scorer.inputSize, 32)
        XCTAssertNil(scorer.domain)
        let x = images(5, side: 32)
        let got = try scorer.probabilities(generated: x), want = channelMeans(x)
        XCTAssertEqual(got.count, 5)
        for (g, w) in zip(got, want) { for (a, b) in zip(g, w) { XCTAssertEqual(a, b, accuracy: 1e-6) } }
        // The scorer stays up: a second batch, of another size.
        XCTAssertEqual(try scorer.probabilities(generated: images(2, side: 32, seed: 9)).count, 2)
        XCTAssertEqual(try scorer.probabilities(generated: images(0, side: 32)).count, 0)
    }

    func testImagesAreAreaResizedToTheHandshakesSize() throws {
        let scorer = try fake("good", size: 16)
        let x = images(3, side: 32)
        let got = try scorer.probabilities(generated: x)
        // Each 16 px pixel is the rounded mean of a 2x2 block of 8-bit values.
        for i in 0..<3 { for c in 0..<3 {
            var sum = 0
            for oy in 0..<16 { for ox in 0..<16 {
                var block = 0
                for dy in 0..<2 { for dx in 0..<2 { block += Int(RGBImage.quantize(x.data[((i * 3 + c) * 32 + 2 * oy + dy) * 32 + 2 * ox + dx])) } }
                sum += (block + 2) / 4
            } }
            XCTAssertEqual(got[i][c], Float(Double(sum) / Double(256 * 255)), accuracy: 1e-6)
        } }
    }

    func testLargeBatchesAndAFloodOnStderrDoNotDeadlock() throws {
        // 16 images of 256 px: 3 MB in (a pipe holds 64 KB), while the scorer writes 1 MB to stderr per batch.
        for mode in ["good", "chatty"] {
            let scorer = try fake(mode, size: 256)
            let x = images(16, side: 256, seed: 3)
            let got = try scorer.probabilities(generated: x), want = channelMeans(x)
            XCTAssertEqual(got.count, 16, mode)
            for (g, w) in zip(got, want) { for (a, b) in zip(g, w) { XCTAssertEqual(a, b, accuracy: 1e-6, mode) } }
        }
    }

    func testIdentityIsTheCommandLineAndTheHandshake() throws {
        let a = try fake("good"), b = try fake("good"), c = try fake("chatty"), d = try fake("good", size: 32)
        XCTAssertEqual(a.identity, b.identity)
        XCTAssertNotEqual(a.identity, c.identity)
        XCTAssertNotEqual(a.identity, d.identity)
        XCTAssertEqual(a.path, "\(Self.python) '\(Self.fake)' good 16")
    }

    func testScorerThatCrashesReportsItsLastStderrLine() throws {
        let scorer = try fake("crash")
        var first = ""
        XCTAssertThrowsError(try scorer.probabilities(generated: images(2, side: 16))) {
            assertOneLine($0, contains: ["exited with status 3 before sending scores for a batch of 2", ": RuntimeError: CUDA out of memory (fake)"])
            first = ($0 as? SC2Error)?.message ?? ""
        }
        // Dead for good: the same line again, without starting anything.
        XCTAssertThrowsError(try scorer.probabilities(generated: images(2, side: 16))) { XCTAssertEqual(($0 as? SC2Error)?.message, first) }
    }

    func testScorerThatHangsIsStoppedAtTheTimeout() throws {
        let scorer = try fake("hang", timeout: 1)
        let start = Date()
        XCTAssertThrowsError(try scorer.probabilities(generated: images(2, side: 16))) {
            assertOneLine($0, contains: ["sent no scores for a batch of 2 within 1 s (SC2GAN_SCORER_TIMEOUT sets the limit); stopped it"])
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        let startup = Date()
        XCTAssertThrowsError(try fake("hang_start", timeout: 1)) { assertOneLine($0, contains: ["sent no handshake within 1 s"]) }
        XCTAssertLessThan(Date().timeIntervalSince(startup), 5)
    }

    func testBadAnswersAreOneLineEach() throws {
        let cases: [(String, [String])] = [
            ("garbage", ["answered something that is not a sc2gan-scorer/1 reply", "tensor([[0.1, 0.2]])"]),
            ("wrong_count", ["returned 1 rows of scores for a batch of 2 images"]),
            ("nan", ["answered NaN or infinite scores"]),
            ("error", ["reported an error: 'ValueError: expected 224 px'"]),
        ]
        for (mode, parts) in cases {
            let scorer = try fake(mode)
            XCTAssertThrowsError(try scorer.probabilities(generated: images(2, side: 16)), mode) { assertOneLine($0, contains: parts) }
        }
        XCTAssertThrowsError(try fake("no_handshake", timeout: 5)) {
            assertOneLine($0, contains: ["did not start with a sc2gan-scorer/1 handshake", "loading model weights"])
        }
        XCTAssertThrowsError(try ExternalScorer(command: "sc2gan-no-such-scorer --x")) {
            assertOneLine($0, contains: ["exited with status 127 before sending handshake", "No such file or directory"])
        }
    }

    func testCommandLinesSplitLikeAShell() throws {
        XCTAssertEqual(try ExternalScorer.words(of: "python3 s.py --w 'a b.pt' \"c \\\"d\\\"\" e\\ f"), ["python3", "s.py", "--w", "a b.pt", "c \"d\"", "e f"])
        XCTAssertEqual(try ExternalScorer.words(of: "  x  ''  "), ["x", ""])
        XCTAssertThrowsError(try ExternalScorer.words(of: "python3 'open"))
        XCTAssertThrowsError(try ExternalScorer(command: "   ")) { error in
            // The engine names the input, not a flag of sc2gan's (the CLI maps it to --scorer).
            XCTAssertEqual((error as? SC2Error)?.input, .scorerCommand("   "))
            XCTAssertTrue("\(error)".hasPrefix("scorer command"), "\(error)")
            XCTAssertFalse("\(error)".contains("--"), "\(error)")
        }
    }

    /// FaceWorld's classifier through the protocol (torch in another process) scores the
    /// shipped model's images as the built-in classifier does.
    func testFaceWorldScorerMatchesTheBuiltInClassifier() throws {
        let fw = Self.root.appendingPathComponent("assets/faceworld")
        let g = try Generator(contentsOf: fw.appendingPathComponent("generator.safetensors"))
        let builtIn = try AttributeClassifier(contentsOf: fw.appendingPathComponent("classifier.safetensors"))
        let scorer: ExternalScorer
        do {
            scorer = try ExternalScorer(command: "\(Self.python) \(Self.root.appendingPathComponent("tools/scorers/faceworld_scorer.py").path)")
        } catch let error as SC2Error where error.message.contains("No module named 'torch'") {
            throw XCTSkip("/usr/bin/python3 has no torch (Debian: python3-torch)")
        }
        XCTAssertEqual(scorer.attributes, builtIn.attributes)
        XCTAssertEqual(scorer.inputSize, builtIn.inputSize)
        XCTAssertEqual(scorer.domain, PredictorDomain.faceWorld)
        let x = g.generate(seeds: Array(0..<24), truncation: 0.8)
        let want = builtIn.probabilities(generated: x), got = try scorer.probabilities(generated: x)
        var worst: Float = 0
        for (a, b) in zip(got, want) { for (p, q) in zip(a, b) { worst = max(worst, abs(p - q)) } }
        XCTAssertEqual(got.count, 24)
        XCTAssertLessThan(worst, 1e-4)
        // Not a test that cannot fail: the attributes differ across these images.
        XCTAssertGreaterThan(Set(want.map { $0[0] > 0.5 }).count, 1)
    }
}
