import Foundation
import SC2Engine
import XCTest

/// A network snapshot pickled by NVIDIA's own stylegan2-ada-pytorch training loop (made by
/// tools/fixtures/make_ada_snapshot.py from the official code, which is neither committed nor run here):
/// tools/convert/convert_checkpoint.py turns it into safetensors without executing the source it
/// carries, and sc2gan then draws the official generate.py's images.
final class AdaSnapshotCLITests: XCTestCase {
    static let dir = CLI.fixtures.appendingPathComponent("ada")

    func convert() throws -> URL {
        let out = CLI.tempDir().appendingPathComponent("snapshot.safetensors")
        _ = try CLI.python("convert/convert_checkpoint.py", [Self.dir.appendingPathComponent("network-snapshot.pkl").path, out.path])
        return out
    }

    func testConvertedSnapshotDrawsTheOfficialImages() throws {
        let model = try convert()
        defer { try? FileManager.default.removeItem(at: model.deletingLastPathComponent()) }
        let checkpoint = try SafeTensors.read(model)
        XCTAssertEqual(checkpoint.metadata["conv_clamp"], "256", "the clamp is read from the snapshot's layers")
        for (psi, tag) in [("1", "psi1"), ("0.7", "psi07")] {
            let out = model.deletingLastPathComponent().appendingPathComponent(tag)
            let r = try CLI.run(["generate", "--model", model.path, "--seeds", "0-3", "--truncation", psi, "--out", out.path])
            XCTAssertEqual(r.status, 0, r.stderr)
            for seed in 0...3 {
                let got = try PNG.read(out.appendingPathComponent(String(format: "seed%04d.png", seed)))
                let want = try PNG.read(Self.dir.appendingPathComponent("official_\(tag)_seed\(seed).png"))
                XCTAssertEqual(got.width, 32); XCTAssertEqual(want.width, 32)
                let worst = zip(got.pixels, want.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 255
                XCTAssertLessThanOrEqual(worst, 2, "psi \(psi) seed \(seed): \(worst)/255 from the official image")
            }
        }
    }

    /// The converter's own check: a persistent pickle converted exactly, numpy scalars of every
    /// numeric type rebuilt, a numpy array, an object dtype and os.system refused.
    func testConverterSelfTest() throws {
        let out = String(decoding: try CLI.python("convert/convert_checkpoint.py", ["--self-test"]), as: UTF8.self)
        XCTAssertTrue(out.contains("self-test passed"), out)
    }
}
