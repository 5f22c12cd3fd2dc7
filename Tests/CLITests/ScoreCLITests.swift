import Foundation
import XCTest
@testable import SC2Engine
import Tensor

/// `sc2gan score` against torchvision's logits and probabilities (tools/fixtures/make_resnet_fixtures.py):
/// the committed narrow fixtures, and full-size resnet18 / anycost-gan resnet50 files made on the
/// fly when /usr/bin/python3 has torchvision (skipped otherwise: a resnet50 is 95 MB).
final class ScoreCLITests: XCTestCase {
    static var fixtures: URL { CLI.fixtures.appendingPathComponent("resnet") }
    static let images = ["face_a.png", "face_b.png", "face_c.png"]

    struct Expected: Decodable { let logits: [Float]; let probabilities: [Float] }
    struct Output: Decodable {
        struct Item: Decodable { let image: String?; let seed: UInt32?; let scores: [String: Float]; let logits: [Float]? }
        let attributes: [String]; let items: [Item]
    }

    func score(_ predictor: URL, images dir: URL = fixtures, extra: [String] = []) throws -> Output {
        let r = try CLI.run(["score", "--predictor", predictor.path, "--json", "--logits", "--image"]
                            + Self.images.map { dir.appendingPathComponent($0).path } + extra)
        XCTAssertEqual(r.status, 0, r.stderr)
        return try JSONDecoder().decode(Output.self, from: Data(r.stdout.utf8))
    }

    /// Every image's logits and probabilities within `tolerance` of torchvision's.
    func assertMatches(_ out: Output, _ expected: [String: Expected], attributes: [String]? = nil, tolerance: Float = 1e-4,
                       file: StaticString = #filePath, line: UInt = #line) {
        if let attributes { XCTAssertEqual(out.attributes, attributes, file: file, line: line) }
        XCTAssertEqual(out.items.count, Self.images.count, file: file, line: line)
        for (item, name) in zip(out.items, Self.images) {
            XCTAssertTrue(item.image?.hasSuffix(name) ?? false, file: file, line: line)
            let want = expected[name]!
            let logits = item.logits ?? []
            XCTAssertEqual(logits.count, want.logits.count, file: file, line: line)
            let d = zip(logits, want.logits).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(d, tolerance, "\(name): logits differ by \(d)", file: file, line: line)
            let p = out.attributes.map { item.scores[$0] ?? .nan }
            let dp = zip(p, want.probabilities).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(dp, tolerance, "\(name): probabilities differ by \(dp)", file: file, line: line)
        }
    }

    static func reference(_ dir: URL) throws -> [String: [String: Expected]] {
        try JSONDecoder().decode([String: [String: Expected]].self, from: Data(contentsOf: dir.appendingPathComponent("reference.json")))
    }

    func testCommittedResNetsMatchTorchVision() throws {
        let ref = try Self.reference(Self.fixtures)
        for name in ["resnet18n.pt", "resnet50n.pt", "judge.safetensors"] {
            assertMatches(try score(Self.fixtures.appendingPathComponent(name)), ref[name]!)
        }
    }

    /// Full-size torchvision resnet18 (plain state dict + sidecar, ImageNet normalisation, 224 px)
    /// and anycost-gan's layout (resnet50, dict holding state_dict, 80 outputs, no sidecar: read as
    /// the CelebA predictor at 256 px, align_corners, softmax pairs), and the legacy format refused.
    func testFullSizeResNetsMatchTorchVision() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try CLI.python("fixtures/make_resnet_fixtures.py", ["full", "--images", Self.fixtures.path, "--out", dir.path])
        let ref = try Self.reference(dir)
        let anycost = dir.appendingPathComponent("attribute_predictor.pt")
        assertMatches(try score(anycost), ref["attribute_predictor.pt"]!, attributes: PredictorConfiguration.celebA)
        assertMatches(try score(dir.appendingPathComponent("resnet18.pt")), ref["resnet18.pt"]!, attributes: ["Smiling", "Young", "Male"])
        // The engine type, directly.
        let m = try TorchVisionResNet(contentsOf: anycost)
        XCTAssertEqual(m.configuration, .anycost)
        XCTAssertEqual(m.block, .bottleneck)
        XCTAssertEqual(m.blockCounts, [3, 4, 6, 3])
        XCTAssertEqual(m.widths, [64, 256, 512, 1024, 2048])
        for name in Self.images {
            let png = try PNG.read(Self.fixtures.appendingPathComponent(name))
            let l = m.logits(Tensor(shape: [1, 3, png.height, png.width], data: png.planarCHW()))
            let d = zip(l.data, ref["attribute_predictor.pt"]![name]!.logits).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(d, 1e-4, "\(name): logits differ by \(d)")
        }
        // torch's legacy format: refused in one line with the command that re-saves it.
        let legacy = dir.appendingPathComponent("legacy.pt").path
        let r = try CLI.run(["score", "--predictor", legacy, "--image", Self.fixtures.appendingPathComponent("face_a.png").path])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("legacy (pre-1.6) format") && r.stderr.contains("_use_new_zipfile_serialization=True"), r.stderr)
    }

    func testSeedsAreScoredLikeTheirPictures() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let judge = Self.fixtures.appendingPathComponent("judge.safetensors").path
        let r = try CLI.run(["score", "--predictor", judge, "--seeds", "3,5", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let out = try JSONDecoder().decode(Output.self, from: Data(r.stdout.utf8))
        XCTAssertEqual(out.items.map(\.seed), [3, 5])
        // The same seeds written by `generate` and scored as PNGs give the same numbers.
        XCTAssertEqual(try CLI.run(["generate", "--seeds", "3,5", "--out", dir.path]).status, 0)
        let r2 = try CLI.run(["score", "--classifier", judge, "--json", "--image",
                              dir.appendingPathComponent("seed0003.png").path, dir.appendingPathComponent("seed0005.png").path])
        XCTAssertEqual(r2.status, 0, r2.stderr)
        let out2 = try JSONDecoder().decode(Output.self, from: Data(r2.stdout.utf8))
        for (a, b) in zip(out.items, out2.items) {
            for name in out.attributes { XCTAssertEqual(a.scores[name]!, b.scores[name]!, accuracy: 1e-6) }
        }
    }

    /// Damaged predictors and bad configurations: one line on stderr, exit status 1.
    func testBadPredictorsAreRefusedInOneLine() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let judge = try SafeTensors.read(Self.fixtures.appendingPathComponent("judge.safetensors"))
        let png = Self.fixtures.appendingPathComponent("face_a.png").path
        func refused(_ tensors: [String: Tensor], _ metadata: [String: String], _ fragment: String, line: UInt = #line) throws {
            let url = dir.appendingPathComponent("bad-\(UUID().uuidString).safetensors")
            try SafeTensors.write(tensors, metadata: metadata, to: url)
            let r = try CLI.run(["score", "--predictor", url.path, "--image", png])
            XCTAssertEqual(r.status, 1, r.stderr, line: line)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr, line: line)
            XCTAssertTrue(r.stderr.contains(fragment), r.stderr, line: line)
            XCTAssertEqual(r.stdout, "", line: line)
        }
        var t = judge.tensors
        t["layer1.0.conv1.weight"]!.data[0] = .nan
        try refused(t, judge.metadata, "'layer1.0.conv1.weight' has NaN or infinite values")
        t = judge.tensors
        t["conv1.weight"] = Tensor(zeros: [8, 3, 5, 5])
        try refused(t, judge.metadata, "'conv1.weight' has shape [8, 3, 5, 5], expected [O, 3, 7, 7]")
        var meta = judge.metadata
        meta["head"] = "softmax-triples"
        try refused(judge.tensors, meta, "unknown head layout 'softmax-triples'")
        // A torch zip that is no ResNet, and a missing file.
        let r = try CLI.run(["score", "--predictor", CLI.fixtures.appendingPathComponent("checkpoints/bad_plain_pickle.pt").path, "--image", png])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("re-save it as a torch zip"), r.stderr)
        let missing = try CLI.run(["score", "--predictor", dir.appendingPathComponent("none.pt").path, "--image", png])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, missing.stderr)
    }
}

/// --define: an attribute defined as the opposite of another works wherever names are taken.
final class DefinedAttributeCLITests: XCTestCase {
    func testScoreShowsTheDefinedAttribute() throws {
        let dir = ScoreCLITests.fixtures
        let r = try CLI.run(["score", "--predictor", dir.appendingPathComponent("resnet18n.pt").path, "--define", "old=not:Young",
                             "--json", "--image", dir.appendingPathComponent("face_a.png").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let out = try JSONDecoder().decode(ScoreCLITests.Output.self, from: Data(r.stdout.utf8))
        XCTAssertEqual(out.attributes.last, "old")
        XCTAssertEqual(out.items[0].scores["old"]!, 1 - out.items[0].scores["Young"]!, accuracy: 1e-6)
        let bad = try CLI.run(["score", "--define", "old=Young", "--image", dir.appendingPathComponent("face_a.png").path])
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.stderr.split(separator: "\n").count, 1, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("--define \"old=Young\": only negations can be defined"), bad.stderr)
    }

    /// The class-mean direction for "young" defined as not age is the age direction reversed (the
    /// same two classes, swapped; only the random train/validation split differs).
    func testDirectionOfANegationIsTheReversedDirection() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["SC2GAN_CACHE": dir.appendingPathComponent("cache").path]
        let young = dir.appendingPathComponent("young.json"), age = dir.appendingPathComponent("age.json")
        for (args, out) in [(["--define", "young=not:age", "--attribute", "YOUNG"], young), (["--attribute", "Age"], age)] {
            let r = try CLI.run(["directions", "fit", "--method", "class-mean", "--samples", "400", "--out", out.path] + args, environment: env)
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        struct D: Decodable { let attribute: String; let vector: [Float] }
        let a = try JSONDecoder().decode(D.self, from: Data(contentsOf: young)), b = try JSONDecoder().decode(D.self, from: Data(contentsOf: age))
        XCTAssertEqual(a.attribute, "young")
        XCTAssertEqual(b.attribute, "age")
        let dot = zip(a.vector, b.vector).map { Double($0 * $1) }.reduce(0, +)
        let na = a.vector.map { Double($0 * $0) }.reduce(0, +).squareRoot(), nb = b.vector.map { Double($0 * $0) }.reduce(0, +).squareRoot()
        XCTAssertLessThan(dot / (na * nb), -0.9)  // measured -0.976; the same direction would be +1, an unrelated one about 0
    }
}

/// `directions study` over every attribute a predictor has, defined ones included.
final class StudyCLITests: XCTestCase {
    func testStudyCorrelatesEveryAttribute() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["SC2GAN_CACHE": dir.appendingPathComponent("cache").path]
        let defs = ["--define", "young=not:age", "--define", "shaven=~beard", "--define", "plain=not:lipstick"]
        let json = dir.appendingPathComponent("study.json")
        let r = try CLI.run(["directions", "study", "--samples", "200", "--json", json.path] + defs, environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        // Nine attributes: numbered columns, and the strongest pairs listed.
        XCTAssertTrue(r.stdout.contains(" 9 plain"), r.stdout)
        XCTAssertTrue(r.stdout.contains("strongest label correlations:"), r.stdout)
        struct Study: Decodable { let attributes: [String]; let phi: [[Double]] }
        let study = try JSONDecoder().decode(Study.self, from: Data(contentsOf: json))
        XCTAssertEqual(study.attributes, ["age", "eyeglasses", "lipstick", "long_hair", "smile", "beard", "young", "shaven", "plain"])
        // phi against the labels `score` gives the same seeds, computed here.
        let s = try CLI.run(["score", "--seeds", "0-199", "--json"] + defs, environment: env)
        XCTAssertEqual(s.status, 0, s.stderr)
        let out = try JSONDecoder().decode(ScoreCLITests.Output.self, from: Data(s.stdout.utf8))
        let labels = study.attributes.map { a in out.items.map { $0.scores[a]! > 0.5 ? 1.0 : 0.0 } }
        func phi(_ x: [Double], _ y: [Double]) -> Double {
            let n = Double(x.count), mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
            let cov = zip(x, y).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
            let vx = x.map { ($0 - mx) * ($0 - mx) }.reduce(0, +), vy = y.map { ($0 - my) * ($0 - my) }.reduce(0, +)
            return cov / (vx * vy).squareRoot()
        }
        for i in 0..<9 { for j in 0..<9 where i != j {
            XCTAssertEqual(study.phi[i][j], phi(labels[i], labels[j]), accuracy: 1e-9, "\(study.attributes[i]) ~ \(study.attributes[j])")
        } }
        XCTAssertEqual(study.phi[0][6], -1, accuracy: 1e-12)  // young = not age
        XCTAssertEqual(study.phi[2][8], -1, accuracy: 1e-12)
    }
}
