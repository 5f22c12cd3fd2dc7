import XCTest
@testable import SC2Engine
import Tensor

/// The Swift TorchVisionResNet against torchvision's logits (float64) on seeded random-weight
/// ResNets (fixtures made by tools/fixtures/make_resnet_fixtures.py small): a narrow resnet18 layout
/// (.pt + sidecar, ImageNet normalisation), a narrow Bottleneck layout in anycost-gan's file
/// layout (softmax pairs, align_corners) and a safetensors judge (metadata, area, softmax groups).
final class TorchVisionResNetTests: XCTestCase {
    static let dir = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("resnet")
    static let images = ["face_a.png", "face_b.png", "face_c.png"]

    struct Expected: Decodable { let logits: [Float]; let probabilities: [Float] }

    static func reference() throws -> [String: [String: Expected]] {
        try JSONDecoder().decode([String: [String: Expected]].self, from: Data(contentsOf: dir.appendingPathComponent("reference.json")))
    }

    static func image(_ name: String, in dir: URL = dir) throws -> Tensor {
        let png = try PNG.read(dir.appendingPathComponent(name))
        return Tensor(shape: [1, 3, png.height, png.width], data: png.planarCHW())
    }

    /// Checks `model` on every fixture image against `expected` (logits and probabilities).
    static func assertMatches(_ model: TorchVisionResNet, _ expected: [String: Expected], images dir: URL = dir,
                              tolerance: Float = 1e-4, file: StaticString = #filePath, line: UInt = #line) throws {
        for name in images {
            let x = try image(name, in: dir)
            let logits = model.logits(x)
            let want = expected[name]!
            XCTAssertEqual(logits.shape, [1, want.logits.count], file: file, line: line)
            let diff = zip(logits.data, want.logits).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(diff, tolerance, "\(model.path) \(name): logits differ by \(diff)", file: file, line: line)
            let p = model.probabilities(logits: logits)[0]
            XCTAssertEqual(p.count, want.probabilities.count, file: file, line: line)
            let pd = zip(p, want.probabilities).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(pd, tolerance, "\(model.path) \(name): probabilities differ by \(pd)", file: file, line: line)
        }
    }

    func testNarrowResNet18MatchesTorchVision() throws {
        let m = try TorchVisionResNet(contentsOf: Self.dir.appendingPathComponent("resnet18n.pt"))
        XCTAssertEqual(m.block, .basic)
        XCTAssertEqual(m.blockCounts, [2, 2, 2, 2])
        XCTAssertEqual(m.widths, [4, 4, 8, 16, 32])
        XCTAssertEqual(m.attributes, ["Smiling", "Young", "Male", "Eyeglasses", "Bangs"])
        XCTAssertEqual(m.configuration.normalization, .imageNet)
        try Self.assertMatches(m, Self.reference()["resnet18n.pt"]!)
    }

    func testNarrowBottleneckInAnycostLayoutMatchesTorchVision() throws {
        let m = try TorchVisionResNet(contentsOf: Self.dir.appendingPathComponent("resnet50n.pt"))
        XCTAssertEqual(m.block, .bottleneck)
        XCTAssertEqual(m.blockCounts, [2, 1, 2, 1])
        XCTAssertEqual(m.widths, [4, 16, 32, 64, 128])
        XCTAssertEqual(m.configuration.head, .softmaxPairs)
        XCTAssertEqual(m.configuration.resize, .bilinear(alignCorners: true))
        try Self.assertMatches(m, Self.reference()["resnet50n.pt"]!)
    }

    func testSafetensorsJudgeWithMetadataMatchesTorchVision() throws {
        let m = try TorchVisionResNet(contentsOf: Self.dir.appendingPathComponent("judge.safetensors"))
        XCTAssertEqual(m.blockCounts, [1, 1, 1, 1])
        XCTAssertEqual(m.widths, [8, 8, 16, 32, 64])
        XCTAssertEqual(m.attributes, ["age", "lipstick", "short_hair", "long_hair", "smile", "beard"])
        XCTAssertEqual(m.configuration.head, .softmaxGroups([1, 1, 2, 1, 1]))
        XCTAssertEqual(m.domain, PredictorDomain.faceWorld)
        XCTAssertEqual(m.inputSize, 64)
        try Self.assertMatches(m, Self.reference()["judge.safetensors"]!)
        // The loader picks the kind from the file.
        let any = try Predictors.load(Self.dir.appendingPathComponent("judge.safetensors"))
        XCTAssertTrue(any is TorchVisionResNet)
    }

    /// probabilities(generated:) scores the 8-bit picture a person would see: quantising first
    /// changes nothing for values that are already 8-bit levels, and a batch scores as its images.
    func testGeneratedImagesAreQuantisedAndBatched() throws {
        let m = try TorchVisionResNet(contentsOf: Self.dir.appendingPathComponent("judge.safetensors"))
        let a = try Self.image("face_a.png")
        var batch = Tensor(shape: [2, 3, 64, 64], data: a.data + a.data)
        for i in 0..<a.count { batch.data[a.count + i] += 0.3 / 127.5 }  // off-level: rounds back to the same 8-bit value
        let p = m.probabilities(generated: batch)
        let want = m.probabilities(a)[0]
        for row in p { for (x, y) in zip(row, want) { XCTAssertEqual(x, y, accuracy: 1e-6) } }
    }

    // MARK: Refusals

    /// Writes `tensors` (+ metadata) as a safetensors file in a fresh folder and returns its URL.
    func write(_ tensors: [String: Tensor], metadata: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("resnet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.safetensors")
        try SafeTensors.write(tensors, metadata: metadata, to: url)
        return url
    }

    func assertRefused(_ url: URL, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Predictors.load(url), file: file, line: line) { e in
            let m = "\(e)"
            XCTAssertTrue(m.contains(fragment), m, file: file, line: line)
            XCTAssertFalse(m.contains("\n"), m, file: file, line: line)
        }
    }

    func testBadFilesAreRefusedInOneLine() throws {
        let judge = try SafeTensors.read(Self.dir.appendingPathComponent("judge.safetensors"))
        var t = judge.tensors
        t["layer2.0.bn1.running_var"]!.data[1] = .nan
        assertRefused(try write(t, metadata: judge.metadata), "'layer2.0.bn1.running_var' has NaN")
        t = judge.tensors
        t["layer3.0.conv2.weight"] = Tensor(zeros: [32, 16, 3, 3])
        assertRefused(try write(t, metadata: judge.metadata), "'layer3.0.conv2.weight' has shape [32, 16, 3, 3], expected [O, 32, 3, 3]")
        t = judge.tensors
        t["fc.weight"] = Tensor(zeros: [5, 64])
        t["fc.bias"] = Tensor(zeros: [5])
        assertRefused(try write(t, metadata: judge.metadata), "fc.weight has 5 outputs; head 'softmax-groups' with 6 attributes needs 6")
        t = judge.tensors
        t["layer2.0.downsample.0.weight"] = nil
        assertRefused(try write(t, metadata: judge.metadata), "missing tensor 'layer2.0.downsample.0.weight'")
        t = judge.tensors
        t["extra.weight"] = Tensor(zeros: [1])
        assertRefused(try write(t, metadata: judge.metadata), "unexpected tensor 'extra.weight'")
        var meta = judge.metadata
        meta["head"] = "softmax-triples"
        assertRefused(try write(judge.tensors, metadata: meta), "unknown head layout 'softmax-triples'")
        meta = judge.metadata
        meta["resize"] = "lanczos"
        assertRefused(try write(judge.tensors, metadata: meta), "unknown resize mode 'lanczos'")
        meta = judge.metadata
        meta["input_size"] = "100000"
        assertRefused(try write(judge.tensors, metadata: meta), "input_size 100000 is out of range")
        assertRefused(try write(judge.tensors, metadata: [:]), "no predictor configuration: write m.safetensors.json beside it")
        assertRefused(try write(["synthesis.b4.conv1.weight": Tensor(zeros: [2, 2, 3, 3])], metadata: [:]), "not an attribute predictor")
        // A bad sidecar is refused, naming the sidecar.
        let url = try write(judge.tensors, metadata: [:])
        try Data(#"{"attributes": ["a"], "input_size": 64, "hed": "sigmoid"}"#.utf8).write(to: Predictors.sidecar(for: url))
        assertRefused(url, "m.safetensors.json: unknown key 'hed'")
    }

    func testMemoryLimitIsCheckedBeforeAllocating() throws {
        let judge = try SafeTensors.read(Self.dir.appendingPathComponent("judge.safetensors"))
        var meta = judge.metadata
        meta["input_size"] = "2048"
        let url = try write(judge.tensors, metadata: meta)
        ResourceLimits.install(memoryLimitBytes: 8 << 20)
        defer { ResourceLimits.install(memoryLimitBytes: nil) }
        assertRefused(url, "this ResNet would need about")
    }
}

/// Attribute names as people type them: any case, and attributes defined as another's opposite.
final class AttributeNamingTests: XCTestCase {
    func testNamesMatchCaseInsensitivelyWhenUnambiguous() throws {
        let celebA = PredictorConfiguration.celebA
        XCTAssertEqual(try AttributeLookup.index(of: "smiling", in: celebA), celebA.firstIndex(of: "Smiling"))
        XCTAssertEqual(try AttributeLookup.index(of: "WEARING_HAT", in: celebA), celebA.firstIndex(of: "Wearing_Hat"))
        // FaceWorld's own spellings still come first.
        XCTAssertEqual(try AttributeLookup.index(of: "old", in: FaceAttribute.allCases.map(\.rawValue)), 0)
        XCTAssertThrowsError(try AttributeLookup.index(of: "smile", in: ["Smile", "SMILE"])) { XCTAssertTrue("\($0)".contains("ambiguous"), "\($0)") }
        XCTAssertEqual(try AttributeLookup.index(of: "SMILE", in: ["Smile", "SMILE"]), 1)
        XCTAssertThrowsError(try AttributeLookup.index(of: "Yung", in: celebA)) { XCTAssertTrue("\($0)".contains("unknown attribute 'Yung'"), "\($0)") }
    }

    func testDefinedNegationsScoreOneMinusTheirAttribute() throws {
        let dir = TorchVisionResNetTests.dir
        let m = try TorchVisionResNet(contentsOf: dir.appendingPathComponent("resnet18n.pt"))
        let d = try DerivedAttributes(m, definitions: ["old=not:young", "serious = ~Smiling"])
        XCTAssertEqual(d.attributes, m.attributes + ["old", "serious"])
        XCTAssertNotEqual(d.identity, m.identity)
        let x = try TorchVisionResNetTests.image("face_b.png")
        let p = try d.probabilities(generated: x)[0], q = m.probabilities(generated: x)[0]
        XCTAssertEqual(Array(p.prefix(5)), q)
        XCTAssertEqual(p[5], 1 - q[1], accuracy: 1e-7)
        XCTAssertEqual(p[6], 1 - q[0], accuracy: 1e-7)
        XCTAssertEqual(try d.requiredIndex(of: "OLD"), 5)
        for (bad, why) in [("old=Young", "only negations"), ("old", "expected NAME=not:ATTR"), ("young=not:Smiling", "already an attribute"),
                           ("old=not:Yung", "unknown attribute 'Yung'"), ("a,b=~Young", "without ','")] {
            XCTAssertThrowsError(try DerivedAttributes(m, definitions: [bad])) { XCTAssertTrue("\($0)".contains(why), "\(bad): \($0)") }
        }
    }
}
