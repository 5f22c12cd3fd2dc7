import Foundation
import SC2Engine
import XCTest

/// The file formats of the tools people already use: InterFaceGAN boundaries (.npy) in and out,
/// stylegan2-ada's projected_w.npz in (`edit --w`) and out (`project`), checked against numpy
/// itself where it is installed.
final class NumPyInteropCLITests: XCTestCase {
    var dir: URL!
    override func setUp() { dir = CLI.tempDir() }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    var sc2: URL { CLI.packageRoot.appendingPathComponent("assets/faceworld/directions/age.sc2.json") }

    /// What numpy reads from `files` (skips the test when numpy is not installed).
    func numpy(_ files: [URL]) throws -> [String: [String: [String: Any]]] {
        let data = try CLI.python("fixtures/check_npy_files.py", files.map(\.path))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [String: [String: Any]]])
    }

    func testBoundaryExportReadsBackInSC2GANAndNumPy() throws {
        let d = try Direction.load(sc2)
        let npy = dir.appendingPathComponent("age_boundary.npy")
        let r = try CLI.run(["directions", "export", sc2.path, "--format", "npy", "--out", npy.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let back = try Direction.load(npy)
        XCTAssertEqual(back.vector.count, d.vector.count)
        for (a, b) in zip(back.vector, d.vector) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        XCTAssertEqual(back.attribute, "age_boundary")
        // The boundary as a --direction: the same strip as the JSON it came from.
        let fromJSON = dir.appendingPathComponent("json.png"), fromNPY = dir.appendingPathComponent("npy.png")
        XCTAssertEqual(try CLI.run(["edit", "--seed", "4", "--direction", sc2.path, "--steps=-1:1", "--out", fromJSON.path]).status, 0)
        XCTAssertEqual(try CLI.run(["edit", "--seed", "4", "--direction", npy.path, "--steps=-1:1", "--out", fromNPY.path]).status, 0)
        XCTAssertEqual(try PNG.read(fromJSON).pixels, try PNG.read(fromNPY).pixels)

        let seen = try numpy([npy])
        let a = try XCTUnwrap(seen[npy.path]?[""])
        XCTAssertEqual(a["dtype"] as? String, "float32")
        XCTAssertEqual(a["shape"] as? [Int], [1, d.vector.count])
        let values = try XCTUnwrap(a["values"] as? [Double])
        for (x, y) in zip(values, d.vector) { XCTAssertEqual(Float(x), y, accuracy: 1e-6) }
    }

    func testEditFromAProjectedCodeStartsExactlyOnItsImage() throws {
        let g = try Generator(contentsOf: CLI.packageRoot.appendingPathComponent("assets/faceworld/generator.safetensors"))
        let ws = g.ws(z: g.latents(seeds: [3]), truncation: 1)
        let npz = dir.appendingPathComponent("projected_w.npz")
        try NPY.writeArchive([(name: "w", shape: [1, g.config.numWs, g.config.wDim], values: ws.data)], to: npz)
        let edited = dir.appendingPathComponent("edit.png"), generated = dir.appendingPathComponent("gen")
        var r = try CLI.run(["edit", "--w", npz.path, "--direction", sc2.path, "--steps", "0:0", "--frames", "--out", edited.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try CLI.run(["generate", "--seeds", "3", "--truncation", "1", "--out", generated.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let frame = dir.appendingPathComponent("edit-step0.png")   // --frames: the frame itself, without the strip's margins
        XCTAssertEqual(try PNG.read(frame).pixels, try PNG.read(generated.appendingPathComponent("seed0003.png")).pixels)

        // One w of shape (1, w_dim) is broadcast to every row: the same picture.
        let single = dir.appendingPathComponent("w.npy")
        try Data(NPY.encode(float32: Array(ws.data[0..<g.config.wDim]), shape: [1, g.config.wDim])).write(to: single)
        let edited2 = dir.appendingPathComponent("edit2.png")
        XCTAssertEqual(try CLI.run(["edit", "--w", single.path, "--direction", sc2.path, "--steps", "0:0", "--out", edited2.path]).status, 0)
        XCTAssertEqual(try PNG.read(edited2).pixels, try PNG.read(edited).pixels)

        // Codes of another shape, pickled arrays, both --seed and --w: one line each, nothing written.
        let bad = dir.appendingPathComponent("bad.png")
        for (args, mention) in [
            (["edit", "--w", CLI.fixtures.appendingPathComponent("fuzz-seeds/npy/object.npy").path, "--direction", sc2.path, "--out", bad.path], "pickled object array"),
            (["edit", "--w", CLI.fixtures.appendingPathComponent("fuzz-seeds/npz/projected_w.npz").path, "--direction", sc2.path, "--out", bad.path], "has shape (1, 10, 128)"),
            (["edit", "--w", npz.path, "--seed", "1", "--direction", sc2.path, "--out", bad.path], "exactly one of --seed and --w"),
        ] {
            let r = try CLI.run(args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertTrue(r.stderr.split(separator: "\n").first?.contains(mention) ?? false, "\(args): \(r.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: bad.path))

        let seen = try numpy([npz])
        let w = try XCTUnwrap(seen[npz.path]?["w"])
        XCTAssertEqual(w["dtype"] as? String, "float32")
        XCTAssertEqual(w["shape"] as? [Int], [1, g.config.numWs, g.config.wDim])
        XCTAssertEqual((w["values"] as? [Double])?.map(Float.init), ws.data)
    }
}
