import Foundation
import Tensor
import XCTest
@testable import SC2Engine

/// Images made only to be scored stop at the predictor's resolution. The skip architecture sums
/// every block's RGB output, upsampled, into the image: with the later blocks' RGB layers set to
/// zero the full image is exactly the early one upsampled, which checks where the stop happens
/// and that nothing of the later blocks leaks into it.
final class EarlyStopScoringTests: XCTestCase {
    /// A 16 px predictor: P(bright) from the mean of the red plane, at whatever size it is given.
    struct Brightness: AttributePredictor {
        var inputSize: Int = 16
        var gain: Float = 10
        var attributes: [String] { ["bright"] }
        var domain: String? { nil }
        var path: String { "brightness" }
        var identity: String { "brightness-\(inputSize)-\(gain)" }
        func probabilities(generated images: Tensor) throws -> [[Float]] {
            let n = images.shape[0], plane = images.shape[2] * images.shape[3]
            return (0..<n).map { i in
                let m = images.data[i * 3 * plane..<(i * 3 + 1) * plane].reduce(0, +) / Float(plane)
                return [1 / (1 + exp(-gain * m))]
            }
        }
    }

    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    func testStopResolutionAndTheSkipSum() throws {
        let url = Self.fixtures.appendingPathComponent("parity/nv32.safetensors")
        var g = try Generator(contentsOf: url)
        XCTAssertNil(g.scoringResolution(forInput: 16))       // off unless asked for
        g.earlyStopScoring = true
        let classifier = Brightness()
        XCTAssertEqual(g.config.resolution, 32)
        XCTAssertEqual(classifier.inputSize, 16)
        XCTAssertEqual(g.scoringResolution(forInput: 16), 16)
        XCTAssertEqual(g.scoringResolution(forInput: 9), 16)
        XCTAssertNil(g.scoringResolution(forInput: 32))
        XCTAssertNil(g.scoringResolution(forInput: 64))
        let ws = g.ws(z: g.latents(seeds: [3, 4]))
        XCTAssertEqual(g.scoringImages(ws, for: classifier).shape, [2, 3, 16, 16])

        // The b32 RGB layer silenced: the 32 px image is the 16 px one upsampled.
        var c = try CheckpointLoader.load(url)
        for k in ["synthesis.b32.torgb.weight", "synthesis.b32.torgb.bias"] {
            let t = try XCTUnwrap(c.tensors[k])
            c.tensors[k] = Tensor(zeros: t.shape)
        }
        var silenced = try Generator(checkpoint: c)
        silenced.earlyStopScoring = true
        let early = silenced.scoringImages(ws, for: classifier), full = silenced.synthesis(ws)
        var up = Tensor(zeros: [2, 3, 32, 32])
        early.data.withUnsafeBufferPointer { e in
            up.data.withUnsafeMutableBufferPointer { u in
                for i in 0..<2 { Conv.upsample2x(e.baseAddress! + i * 3 * 256, channels: 3, height: 16, width: 16, out: u.baseAddress! + i * 3 * 1024) }
            }
        }
        XCTAssertEqual(zip(up.data, full.data).map { abs($0 - $1) }.max()!, 0, accuracy: 1e-5)
        // The early image is the same with or without b32 (nothing after the stop runs), and the
        // real b32 does add detail to the final image.
        XCTAssertEqual(g.scoringImages(ws, for: classifier).data, early.data)
        XCTAssertGreaterThan(zip(g.synthesis(ws).data, full.data).map { abs($0 - $1) }.max()!, 1e-3)

        // Sample sets say where they were scored (a full-resolution set is another cache entry).
        let early16 = try SampleSet.build(generator: g, classifier: classifier, seeds: [1, 2])
        XCTAssertEqual(early16.provenance["scored_at"], "16")
        g.earlyStopScoring = false
        XCTAssertNil(g.scoringResolution(forInput: 16))
        let full32 = try SampleSet.build(generator: g, classifier: classifier, seeds: [1, 2])
        XCTAssertNil(full32.provenance["scored_at"])
        XCTAssertNotEqual(early16.scores.data, full32.scores.data)
    }

    /// The check that decides `--scoring-resolution auto`: on a model whose last block changes
    /// the image, the stop is refused; with that block silenced (the early image upsampled is the
    /// final one) the scores barely move (only the upsampling's border changes the mean).
    func testCheckRefusesAStopThatChangesTheScores() throws {
        let url = Self.fixtures.appendingPathComponent("parity/nv32.safetensors")
        let g = try Generator(contentsOf: url)
        XCTAssertNil(try EarlyStopCheck.measure(g, Brightness(inputSize: 32)))
        var c = try CheckpointLoader.load(url)
        for k in ["synthesis.b32.torgb.weight", "synthesis.b32.torgb.bias"] { c.tensors[k] = Tensor(zeros: c.tensors[k]!.shape) }
        let silenced = try Generator(checkpoint: c)
        let ok = try XCTUnwrap(try EarlyStopCheck.measure(silenced, Brightness()))
        let real = try XCTUnwrap(try EarlyStopCheck.measure(g, Brightness()))
        XCTAssertEqual(ok.resolution, 16)
        XCTAssertLessThan(ok.meanAbsChange, EarlyStopCheck.maximumMeanChange)
        XCTAssertLessThan(ok.meanAbsChange * 3, real.meanAbsChange, "silenced \(ok), real \(real)")
        // The real b32 changes a sharp predictor's labels: refused, and said why.
        let sharp = try XCTUnwrap(try EarlyStopCheck.measure(g, Brightness(gain: 400)))
        XCTAssertFalse(sharp.accepted, "\(sharp)")
        XCTAssertTrue(EarlyStopCheck.describe(sharp, predictorInput: 16).contains("scoring at full resolution"))
        // Cached per model and predictor.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sc2gan-es-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertEqual(try EarlyStopCheck.verdict(g, Brightness(gain: 400), cache: dir), sharp)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).count, 1)
    }

    /// A cancellable synthesis gives up before the next block once told, and otherwise makes
    /// exactly the image the plain call makes.
    func testCancellableSynthesis() throws {
        let g = try Generator(contentsOf: Self.fixtures.appendingPathComponent("parity/nv32.safetensors"))
        let ws = g.ws(z: g.latents(seeds: [5]))
        XCTAssertEqual(g.synthesis(ws, isCancelled: { false })?.data, g.synthesis(ws).data)
        var asked = 0
        XCTAssertNil(g.synthesis(ws, isCancelled: { asked += 1; return asked > 4 }))
        XCTAssertEqual(asked, 5)                 // asked before, between and after each block's convs: b4 (3 times), b8 given up
    }
}
