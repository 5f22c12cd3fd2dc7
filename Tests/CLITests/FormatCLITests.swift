import Foundation
import SC2Engine
import XCTest

/// The exchange formats on the command line (issue 28): e4e's latents.pt and anycost-gan's
/// boundaries in `edit`, a W+ direction saved from CUDA, `--layers`, `directions show`, the
/// writers (`directions export`, `project`'s latents.pt read by torch itself), GANSpace against
/// numpy's PCA of the same samples, SeFa on a layer range against the NumPy reference.
final class FormatCLITests: XCTestCase {
    var dir: URL!
    override func setUp() { dir = CLI.tempDir() }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func f(_ name: String) -> String { CLI.fixtures.appendingPathComponent("formats/\(name)").path }
    func out(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func assertOneLineError(_ r: CLI.Result, _ problem: String, line: UInt = #line) {
        XCTAssertNotEqual(r.status, 0, line: line)
        XCTAssertTrue(r.stderr.contains(problem), r.stderr, line: line)
        XCTAssertEqual(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count, 1, r.stderr, line: line)
    }

    func testEditStartsFromALatentsPtCodeAlongAnAnycostBoundary() throws {
        // Code 1 of the batch, written again as .npy: the same strip, whichever file it came from;
        // the boundary picked by its key or by its attribute's name.
        let code = try LatentCodes.read(reference: f("fw_latents.pt") + "#1", numWs: 10, wDim: 128)
        try NPY.encode(float32: code.data, shape: [1, 10, 128]).write(to: URL(fileURLWithPath: out("code.npy")))
        var r = try CLI.run(["edit", "--w", f("fw_latents.pt") + "#1", "--direction", f("fw_boundary.pt") + "#smiling", "--steps=-1:1", "--out", out("a.png")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("Smiling (imported)"), r.stdout)
        r = try CLI.run(["edit", "--w", out("code.npy"), "--direction", f("fw_boundary.pt") + "#31_Smiling", "--steps=-1:1", "--out", out("b.png")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try PNG.read(URL(fileURLWithPath: out("a.png"))).pixels, try PNG.read(URL(fileURLWithPath: out("b.png"))).pixels)

        r = try CLI.run(["edit", "--w", f("fw_latents.pt"), "--direction", f("fw_boundary.pt") + "#age", "--out", out("c.png")])
        assertOneLineError(r, "holds 2 W+ codes; pick one with \(f("fw_latents.pt"))#INDEX (0-1)")
        r = try CLI.run(["edit", "--seed", "1", "--direction", f("fw_boundary.pt"), "--out", out("c.png")])
        assertOneLineError(r, "holds 2 directions (04_Age, 31_Smiling); pick one with \(f("fw_boundary.pt"))#KEY")
        r = try CLI.run(["edit", "--w", f("e4e_latents_wrongshape.pt") + "#0", "--direction", f("fw_boundary.pt") + "#age", "--out", out("c.png")])
        assertOneLineError(r, "a latent code for this model has shape (1, 10, 128), (10, 128) or (1, 128), or a batch (N, 10, 128) or (N, 128) with #INDEX; this one has [3, 18, 100]")
        r = try CLI.run(["edit", "--seed", "1", "--direction", f("boundary_wrongshape.pt") + "#31_Smiling", "--out", out("c.png")])
        assertOneLineError(r, "entry '31_Smiling' has shape [2, 512]")
    }

    func testAWPlusDirectionSavedFromCUDAAndARowRange() throws {
        var r = try CLI.run(["edit", "--seed", "3", "--direction", f("fw_pose.pt"), "--steps=-1:1", "--out", out("pose.png")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("rows 0-3"), r.stdout)
        // --layers: only those rows move; step 0 is the seed's own picture either way.
        r = try CLI.run(["edit", "--seed", "3", "--direction", f("fw_boundary.pt") + "#age", "--layers", "0-3", "--steps", "0:2", "--frames", "--out", out("rows.png")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("rows 0-3"), r.stdout)
        r = try CLI.run(["edit", "--seed", "3", "--direction", f("fw_boundary.pt") + "#age", "--steps", "0:2", "--frames", "--out", out("all.png")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try PNG.read(URL(fileURLWithPath: out("rows-step0.png"))).pixels, try PNG.read(URL(fileURLWithPath: out("all-step0.png"))).pixels)
        XCTAssertNotEqual(try PNG.read(URL(fileURLWithPath: out("rows-step2.png"))).pixels, try PNG.read(URL(fileURLWithPath: out("all-step2.png"))).pixels)
        r = try CLI.run(["edit", "--seed", "3", "--direction", f("fw_boundary.pt") + "#age", "--layers", "8-12", "--out", out("x.png")])
        assertOneLineError(r, "--layers: row 10 is out of range: this generator has 10 W+ rows (0-9)")
        r = try CLI.run(["edit", "--seed", "3", "--direction", f("pose.pt"), "--out", out("x.png")])
        assertOneLineError(r, "direction has 512 dimensions, the model's w has 128")
    }

    func testDirectionsShowListsWhatEachFileHolds() throws {
        for (file, needles) in [
            ("boundary_stylegan2-ffhq-config-f.pt", ["31_Smiling  [1, 512]  float32", "4 directions by name", "#15_Eyeglasses or #eyeglasses"]),
            ("e4e_latents.pt", ["(tensor)  [3, 18, 512]  float32", "3 W+ codes", "--w \(f("e4e_latents.pt"))#INDEX (0-2)"]),
            ("e4e_latents_one.pt", ["one W+ array"]),
            ("ganspace_stylegan2-ffhq_style_ipca_c5_n100000.npz", ["lat_comp  [5, 1, 512]  <f4", "GANSpace components, n = 5", "variance ratios"]),
            ("ffhq_pca.pt", ["comp  [8, 1, 512]", "a PCA of w (e4e's ffhq_pca.pt), n = 8"]),
            ("pose.pt", ["one W+ array (18 rows of 512)"]),
            ("w_codes.pt", ["4 vectors of 512 dimensions"]),
        ] {
            let r = try CLI.run(["directions", "show", f(file)])
            XCTAssertEqual(r.status, 0, r.stderr)
            for n in needles { XCTAssertTrue(r.stdout.contains(n), "\(file): \(n)\n\(r.stdout)") }
        }
        let json = CLI.packageRoot.appendingPathComponent("assets/faceworld/directions/age.sc2.json").path
        let r = try CLI.run(["directions", "show", json])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("sc2gan direction (JSON): age (sc2)"), r.stdout)
        assertOneLineError(try CLI.run(["directions", "show", f("ffhq_pca_wrongshape.pt")]), "'comp' has shape [8, 512, 2]")
    }

    func testExportWritesAnEntryAsAnInterFaceGANBoundary() throws {
        let r = try CLI.run(["directions", "export", f("fw_boundary.pt") + "#age", "--format", "npy", "--out", out("age.npy")])
        XCTAssertEqual(r.status, 0, r.stderr)
        let picked = try Direction.load(reference: f("fw_boundary.pt") + "#age")
        let back = try NPY.read(URL(fileURLWithPath: out("age.npy")))
        XCTAssertEqual(back.shape, [1, 128])
        for (a, b) in zip(back.values, picked.vector) { XCTAssertEqual(a, b, accuracy: 1e-7) }
    }

    /// `--format pt`: several directions into one dict as anycost-gan's boundary files hold them
    /// ({key: (1, D)}): torch loads it with the same keys and values, sc2gan reads each entry back
    /// by FILE#KEY, and two directions for one attribute need --keys.
    func testExportWritesSeveralDirectionsAsAnAnycostDict() throws {
        let age = "assets/faceworld/directions/age.sc2.json", lip = "assets/faceworld/directions/lipstick.interfacegan.json"
        let root = CLI.packageRoot.path
        var r = try CLI.run(["directions", "export", "\(root)/\(age)", "\(root)/\(lip)", "--format", "pt", "--keys", "15_Old,36_Lipstick", "--out", out("b.pt")])
        XCTAssertEqual(r.status, 0, r.stderr)
        let data = try CLI.python("fixtures/check_torch_files.py", [out("b.pt")])
        let seen = try XCTUnwrap((try JSONSerialization.jsonObject(with: data) as? [String: [String: [String: Any]]])?[out("b.pt")])
        XCTAssertEqual(Set(seen.keys), ["15_Old", "36_Lipstick"])
        for (key, file) in [("15_Old", age), ("36_Lipstick", lip)] {
            let d = try Direction.load(URL(fileURLWithPath: "\(root)/\(file)"))
            XCTAssertEqual(seen[key]?["shape"] as? [Int], [1, 128])
            XCTAssertEqual((seen[key]?["values"] as? [Double])?.map { Float($0) }, d.vector)
            // Read back as a direction it is normalised again: equal to the last bit or two.
            for (a, b) in zip(try Direction.load(reference: out("b.pt") + "#" + key).vector, d.vector) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        }
        r = try CLI.run(["directions", "export", "\(root)/\(age)", "\(root)/assets/faceworld/directions/age.interfacegan.json", "--format", "pt", "--out", out("c.pt")])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("--keys"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out("c.pt")))
        r = try CLI.run(["directions", "export", "\(root)/\(age)", "\(root)/\(lip)", "--format", "npy", "--out", out("d.npy")])
        XCTAssertNotEqual(r.status, 0)
    }

    func testProjectWritesALatentsPtThatTorchLoads() throws {
        var r = try CLI.run(["generate", "--seeds", "5", "--out", out("gen")])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try CLI.run(["project", "--image", out("gen/seed0005.png"), "--steps", "2", "--space", "wplus", "--out", out("proj")])
        XCTAssertEqual(r.status, 0, r.stderr)
        let pt = out("proj/latents.pt")
        let npz = try NPY.readArchive(URL(fileURLWithPath: out("proj/projected_w.npz")))["w"]!
        XCTAssertEqual(try LatentCodes.read(URL(fileURLWithPath: pt), numWs: 10, wDim: 128).data, npz.values)
        let data = try CLI.python("fixtures/check_torch_files.py", [pt])
        let seen = try XCTUnwrap((try JSONSerialization.jsonObject(with: data) as? [String: [String: [String: Any]]])?[pt]?[""])
        XCTAssertEqual(seen["dtype"] as? String, "float32")
        XCTAssertEqual(seen["shape"] as? [Int], [1, 10, 128])
        XCTAssertEqual((seen["values"] as? [Double])?.map { Float($0) }, npz.values)
    }

    /// `--components-out X.pt`: the PCA as e4e's ffhq_pca.pt holds one ({mean (1, D), comp (n, 1, D),
    /// std (n,)}); torch loads it with the .npz's numbers, and component 3 reads back by FILE#3.
    func testGANSpaceComponentsAsAnFFHQPCAPt() throws {
        let r = try CLI.run(["directions", "fit", "--method", "ganspace", "--component", "0", "--attribute", "c0", "--pca-samples", "5000",
                             "--components-out", out("pca.pt"), "--out", out("c0.json")])
        XCTAssertEqual(r.status, 0, r.stderr)
        let r2 = try CLI.run(["directions", "fit", "--method", "ganspace", "--component", "0", "--attribute", "c0", "--pca-samples", "5000",
                              "--components-out", out("pca.npz"), "--out", out("c0b.json")])
        XCTAssertEqual(r2.status, 0, r2.stderr)
        let npz = try NPY.readArchive(URL(fileURLWithPath: out("pca.npz")))
        let data = try CLI.python("fixtures/check_torch_files.py", [out("pca.pt")])
        let seen = try XCTUnwrap((try JSONSerialization.jsonObject(with: data) as? [String: [String: [String: Any]]])?[out("pca.pt")])
        XCTAssertEqual(Set(seen.keys), ["mean", "comp", "std"])
        let comp = try XCTUnwrap(npz["lat_comp"]), mean = try XCTUnwrap(npz["lat_mean"]), sd = try XCTUnwrap(npz["lat_stdev"])
        XCTAssertEqual(seen["comp"]?["shape"] as? [Int], comp.shape)
        XCTAssertEqual(seen["mean"]?["shape"] as? [Int], mean.shape)
        XCTAssertEqual(seen["std"]?["shape"] as? [Int], sd.shape)
        XCTAssertEqual((seen["comp"]?["values"] as? [Double])?.map { Float($0) }, comp.values)
        XCTAssertEqual((seen["mean"]?["values"] as? [Double])?.map { Float($0) }, mean.values)
        XCTAssertEqual((seen["std"]?["values"] as? [Double])?.map { Float($0) }, sd.values)
        let d = comp.shape[2]
        let third = try Direction.load(reference: out("pca.pt") + "#3")
        for (a, b) in zip(third.vector, comp.values[3 * d..<4 * d]) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testGANSpaceFitEqualsNumPysPCAOfTheSameSamples() throws {
        let start = Date()
        var r = try CLI.run(["directions", "fit", "--method", "ganspace", "--component", "0", "--attribute", "c0", "--pca-samples", "20000",
                             "--layers", "2-5", "--dump-w", out("w.npy"), "--components-out", out("c.npz"), "--out", out("c0.json")])
        XCTAssertEqual(r.status, 0, r.stderr)
        print("directions fit --method ganspace --pca-samples 20000: \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        let data = try CLI.python("fixtures/ganspace_reference.py", [out("w.npy"), out("c.npz"), "--top", "10"])
        let ref = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(ref["samples"] as? Int, 20000)
        let cos = try XCTUnwrap(ref["cos"] as? [Double]), mine = try XCTUnwrap(ref["ratio_sc2gan"] as? [Double]), theirs = try XCTUnwrap(ref["ratio_numpy"] as? [Double])
        XCTAssertEqual(cos.count, 10)
        for k in 0..<10 {
            XCTAssertGreaterThanOrEqual(cos[k], 0.9999, "component \(k)")
            XCTAssertEqual(mine[k], theirs[k], accuracy: 1e-4, "variance ratio \(k)")
        }
        print("ganspace vs numpy: |cos| \(cos.map { String(format: "%.6f", $0) }), ratios \(zip(mine, theirs).map { String(format: "%.5f/%.5f", $0, $1) })")
        XCTAssertLessThan(try XCTUnwrap(ref["mean_difference"] as? Double), 1e-4)
        let sd = try XCTUnwrap(ref["stdev_sc2gan"] as? [Double]), sdNumPy = try XCTUnwrap(ref["stdev_numpy"] as? [Double])
        for k in 0..<10 { XCTAssertEqual(sd[k], sdNumPy[k], accuracy: 1e-4 * sdNumPy[k], "stdev \(k)") }
        // The direction is component 0 on rows 2-5, and the file's component 0.
        let d = try Direction.load(URL(fileURLWithPath: out("c0.json")))
        XCTAssertEqual(d.method, "ganspace")
        XCTAssertEqual(d.layers, [2, 3, 4, 5])
        let c0 = try Direction.load(reference: out("c.npz") + "#0")
        XCTAssertEqual(d.cosine(c0), 1, accuracy: 1e-6)
        r = try CLI.run(["edit", "--seed", "2", "--direction", out("c0.json"), "--steps=-1:1", "--out", out("edit.png")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("rows 2-5"), r.stdout)
    }

    func testSeFaOnALayerRangeMatchesTheNumPyReference() throws {
        let model = CLI.packageRoot.appendingPathComponent("assets/faceworld/generator.safetensors")
        for range in ["0-1", "2-5", "6-9"] {
            let data = try CLI.python("fixtures/sefa_reference.py", [model.path, "--top", "3", "--layers", range])
            let ref = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
            let vectors = try XCTUnwrap(ref["vectors"] as? [[Double]])
            for k in 0..<3 {
                let file = out("sefa-\(range)-\(k).json")
                let r = try CLI.run(["directions", "fit", "--method", "sefa", "--component", "\(k)", "--layers", range, "--attribute", "pose", "--out", file])
                XCTAssertEqual(r.status, 0, r.stderr)
                let d = try Direction.load(URL(fileURLWithPath: file))
                let cosine = zip(d.vector, vectors[k]).reduce(0.0) { $0 + Double($1.0) * $1.1 }
                XCTAssertGreaterThan(abs(cosine), 0.999, "rows \(range), component \(k)")
                XCTAssertEqual(d.layers.map { "\($0.first!)-\($0.last!)" }, range)
            }
        }
    }
}
