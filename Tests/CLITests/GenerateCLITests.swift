import Foundation
import SC2Engine
import Tensor
import XCTest

final class GenerateCLITests: XCTestCase {
    /// `generate` writes seedNNNN.png at the model's resolution, pixel-equal to the engine's output.
    func testGenerateWritesReferenceNamedPNGs() throws {
        let out = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: out) }
        let model = CLI.fixtures.appendingPathComponent("parity/nv32.safetensors")
        let r = try CLI.run(["generate", "--model", model.path, "--seeds", "0-2,42", "--truncation", "0.7", "--out", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        XCTAssertEqual(files, ["seed0000.png", "seed0001.png", "seed0002.png", "seed0042.png"])
        let png = try PNG.read(out.appendingPathComponent("seed0042.png"))
        XCTAssertEqual(png.width, 32); XCTAssertEqual(png.height, 32)
        // Against the reference fixture: seed 42 at psi 0.7 is the third image of nv32.expected.
        let exp = try SafeTensors.read(CLI.fixtures.appendingPathComponent("parity/nv32.expected.safetensors"))
        let img = exp.tensors["img"]!
        let plane = 3 * 32 * 32
        let ref = img.data[2 * plane..<3 * plane].withUnsafeBufferPointer { RGBImage(planarCHW: $0, width: 32, height: 32) }
        let worst = zip(png.pixels, ref.pixels).map { abs(Int($0) - Int($1)) }.max()!
        XCTAssertLessThanOrEqual(worst, 2)
    }

    /// `--testbed NAME` is the testbed's generator: the same pictures as `--model` on its file;
    /// an unknown name, or both flags, is refused in one line that lists the known testbeds.
    func testTestbedNamesItsGenerator() throws {
        let a = CLI.tempDir(), b = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        let model = CLI.packageRoot.appendingPathComponent("assets/testbeds/interim-100kimg/generator.safetensors")
        let byName = try CLI.run(["generate", "--testbed", "interim-100kimg", "--seeds", "5", "--out", a.path])
        XCTAssertEqual(byName.status, 0, byName.stderr)
        let byPath = try CLI.run(["generate", "--model", model.path, "--seeds", "5", "--out", b.path])
        XCTAssertEqual(byPath.status, 0, byPath.stderr)
        XCTAssertEqual(try Data(contentsOf: a.appendingPathComponent("seed0005.png")), try Data(contentsOf: b.appendingPathComponent("seed0005.png")))
        let unknown = try CLI.run(["generate", "--testbed", "nope", "--seeds", "5", "--out", CLI.tempDir().path])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertEqual(unknown.stderr.split(separator: "\n").count, 1, unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("unknown testbed 'nope'") && unknown.stderr.contains("interim-100kimg"), unknown.stderr)
        let both = try CLI.run(["generate", "--testbed", "interim-100kimg", "--model", model.path, "--seeds", "5", "--out", CLI.tempDir().path])
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("--model and --testbed"), both.stderr)
    }

    /// Every bad checkpoint: non-zero exit, one line naming the file and the problem, nothing written.
    func testBadCheckpointsFailCleanly() throws {
        let bad = try FileManager.default.contentsOfDirectory(atPath: CLI.fixtures.appendingPathComponent("checkpoints").path)
            .filter { $0.hasPrefix("bad_") }.sorted()
        XCTAssertGreaterThan(bad.count, 10)
        let wrongShape = try writeWrongShapeModel()
        for name in bad.map({ CLI.fixtures.appendingPathComponent("checkpoints/\($0)").path }) + [wrongShape.path] {
            let out = CLI.tempDir().appendingPathComponent("out")
            let r = try CLI.run(["generate", "--model", name, "--seeds", "0", "--out", out.path])
            XCTAssertNotEqual(r.status, 0, name)
            let lines = r.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(name): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(name), "\(name): message does not name the file: \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "\(name): output written")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/sc2gan-pwned"))
    }

    func writeWrongShapeModel() throws -> URL {
        var c = try SafeTensors.read(CLI.fixtures.appendingPathComponent("parity/nv32.safetensors"))
        let t = c.tensors["synthesis.b8.conv1.affine.weight"]!
        c.tensors["synthesis.b8.conv1.affine.weight"] = Tensor(shape: [t.shape[0] + 1, t.shape[1]],
                                                               data: t.data + [Float](repeating: 0, count: t.shape[1]))
        let url = CLI.tempDir().appendingPathComponent("wrong-shape.safetensors")
        try SafeTensors.write(c.tensors, metadata: c.metadata, to: url)
        return url
    }

    func testBadArgumentsGiveOneLineErrors() throws {
        let model = CLI.fixtures.appendingPathComponent("parity/nv32.safetensors").path
        for args in [["--seeds", "5-2"], ["--seeds", "x"], ["--noise", "loud"], ["--truncation", "nan"]] {
            let r = try CLI.run(["generate", "--model", model, "--out", CLI.tempDir().path] + args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertTrue(r.stderr.contains("Error"), "\(args): \(r.stderr)")
        }
        let out = CLI.tempDir().appendingPathComponent("missing-model-out")
        let r = try CLI.run(["generate", "--model", "/nonexistent/model.safetensors", "--out", out.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("/nonexistent/model.safetensors"), r.stderr)
    }

    func testUnwritableOutputFolderIsAClearError() throws {
        let model = CLI.fixtures.appendingPathComponent("parity/nv32.safetensors").path
        let r = try CLI.run(["generate", "--model", model, "--seeds", "0", "--out", "/proc/sc2gan-out"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("/proc"), r.stderr)
    }
}

/// rosinality training checkpoints through the command line: g_ema by default, g with --use g,
/// each pixel-equal to its converted {g_ema, latent_avg} form (tools/fixtures/make_checkpoint_fixtures.py).
final class TrainingCheckpointCLITests: XCTestCase {
    func pngs(_ args: [String]) throws -> [[UInt8]] {
        let out = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try CLI.run(["generate", "--seeds", "0-2", "--truncation", "1", "--out", out.path] + args)
        XCTAssertEqual(r.status, 0, r.stderr)
        return try (0...2).map { try PNG.read(out.appendingPathComponent(String(format: "seed%04d.png", $0))).pixels }
    }

    func testUseGPicksTheNonEMAGenerator() throws {
        let dir = CLI.fixtures.appendingPathComponent("checkpoints")
        let training = dir.appendingPathComponent("rosinality_train.pt").path
        let ema = try pngs(["--model", training])
        let g = try pngs(["--model", training, "--use", "g"])
        XCTAssertEqual(ema, try pngs(["--model", dir.appendingPathComponent("rosinality_train_g_ema.pt").path]))
        XCTAssertEqual(try pngs(["--model", training, "--use", "g_ema"]), ema)
        XCTAssertEqual(g, try pngs(["--model", dir.appendingPathComponent("rosinality_train_g.pt").path]))
        XCTAssertNotEqual(g, ema)
    }

    func testUseGOnAFileWithOneGeneratorIsOneLine() throws {
        let model = CLI.fixtures.appendingPathComponent("checkpoints/generator_nvidia.safetensors").path
        let out = CLI.tempDir().appendingPathComponent("out")
        let r = try CLI.run(["generate", "--model", model, "--use", "g", "--seeds", "0", "--out", out.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "Error: \(model): holds no training generator (no tensors under 'g.' or 'G.'; only training checkpoints have one beside g_ema)\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
        let bad = try CLI.run(["generate", "--model", model, "--use", "d", "--seeds", "0", "--out", out.path])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--use"), bad.stderr)
    }
}
