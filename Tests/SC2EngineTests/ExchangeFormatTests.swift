import Foundation
@testable import SC2Engine
import Tensor
import XCTest

/// The files other tools exchange (issue 28), written by torch and numpy themselves in each
/// tool's layout (tools/fixtures/make_format_fixtures.py): read, edited and written back; a file
/// whose tensor has the wrong shape refused in one line naming it.
final class ExchangeFormatTests: XCTestCase {
    static let formats = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("formats")
    var dir: URL!

    override func setUp() {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("sc2gan-formats-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func url(_ name: String) -> URL { Self.formats.appendingPathComponent(name) }

    /// What torch / numpy read from each fixture: shape, dtype, sum, first and last values.
    struct Expected: Decodable { let shape: [Int]; let dtype: String; let sum: Double; let first: [Double]; let last: [Double] }
    lazy var expected: [String: [String: Expected]] = {
        try! JSONDecoder().decode([String: [String: Expected]].self, from: Data(contentsOf: url("expected.json")))
    }()

    /// `values` are what torch or numpy stored in `file`'s array `key`.
    func assertStored(_ values: [Float], _ file: String, _ key: String, line: UInt = #line) {
        guard let e = expected[file]?[key] else { return XCTFail("no expectation for \(file) \(key)", line: line) }
        XCTAssertEqual(values.count, e.shape.reduce(1, *), line: line)
        // Exact for float32 (and float16) storage; float64 is read as Float, to its precision.
        let tolerance = e.dtype == "float64" ? 1e-7 : 0
        for (a, b) in zip(values.prefix(4) + values.suffix(4), e.first + e.last) {
            XCTAssertEqual(Double(a), b, accuracy: tolerance * max(1, abs(b)), "\(file) \(key)", line: line)
        }
        XCTAssertEqual(values.reduce(0.0) { $0 + Double($1) }, e.sum, accuracy: 1e-6 * max(1, abs(e.sum)) + 1e-4, line: line)
    }

    func assertRefused(_ path: String, _ problem: String, line: UInt = #line, _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), line: line) { error in
            guard let e = error as? SC2Error else { return XCTFail("\(error) is not an SC2Error", line: line) }
            XCTAssertTrue(e.message.hasPrefix(path), e.message, line: line)
            XCTAssertTrue(e.message.contains(problem), e.message, line: line)
            XCTAssertFalse(e.message.contains("\n"), e.message, line: line)
        }
    }

    func testEveryArrayReadsAsTorchAndNumPyStoredIt() throws {
        for (file, arrays) in expected {
            let read = try ExchangeFile.read(url(file))
            XCTAssertEqual(Set(read.arrays.keys), Set(arrays.keys), file)
            for (key, e) in arrays {
                XCTAssertEqual(read.arrays[key]?.shape, e.shape, "\(file) \(key)")
                assertStored(read.arrays[key]!.values, file, key)
            }
        }
    }

    // MARK: latent codes

    func testE4ELatentsPickOneCodeOfTheBatch() throws {
        let file = try ExchangeFile.read(url("e4e_latents.pt"))
        XCTAssertEqual(file.format, .torch)
        XCTAssertEqual(try file.layout(), .wPlus(3))
        let all = file.arrays[""]!.values
        for i in 0..<3 {
            let code = try LatentCodes.read(reference: url("e4e_latents.pt").path + "#\(i)", numWs: 18, wDim: 512)
            XCTAssertEqual(code.shape, [1, 18, 512])
            XCTAssertEqual(code.data, Array(all[i * 18 * 512 ..< (i + 1) * 18 * 512]))
        }
        assertRefused(url("e4e_latents.pt").path, "holds 3 W+ codes; pick one with \(url("e4e_latents.pt").path)#INDEX (0-2)") {
            _ = try LatentCodes.read(url("e4e_latents.pt"), numWs: 18, wDim: 512)
        }
        assertRefused(url("e4e_latents.pt").path, "the file holds 3 W+ codes, #0-#2") {
            _ = try LatentCodes.read(url("e4e_latents.pt"), numWs: 18, wDim: 512, index: "3")
        }
        // One code: no index needed; it is the stored tensor.
        let one = try LatentCodes.read(url("e4e_latents_one.pt"), numWs: 18, wDim: 512)
        assertStored(one.data, "e4e_latents_one.pt", "")
        // [N, 512]: N codes of w, each broadcast to every row.
        let w = try LatentCodes.read(url("w_codes.pt"), numWs: 18, wDim: 512, index: "3")
        XCTAssertEqual(Array(w.data[17 * 512 ..< 18 * 512]), Array(w.data[0..<512]))
        XCTAssertEqual(w.data.suffix(4).map(Double.init), expected["w_codes.pt"]![""]!.last)
    }

    func testLatentsOfTheWrongShapeAreRefusedInOneLine() {
        let path = url("e4e_latents_wrongshape.pt").path
        assertRefused(path, "a latent code for this model has shape (1, 18, 512), (18, 512) or (1, 512), or a batch (N, 18, 512) or (N, 512) with #INDEX; this one has [3, 18, 100]") {
            _ = try LatentCodes.read(reference: path + "#0", numWs: 18, wDim: 512)
        }
        // A dict of directions is not a code.
        assertRefused(url("ffhq_pca.pt").path, "holds directions, not latent codes") {
            _ = try LatentCodes.read(url("ffhq_pca.pt"), numWs: 18, wDim: 512)
        }
    }

    func testLatentsWrittenAsTorchSaveReadBack() throws {
        let code = try LatentCodes.read(url("e4e_latents.pt"), numWs: 18, wDim: 512, index: "1")
        let out = dir.appendingPathComponent("latents.pt")
        try TorchSave.write(float32: code.data, shape: [1, 18, 512], to: out)
        let back = try ExchangeFile.read(out)
        XCTAssertEqual(back.format, .torch)
        XCTAssertEqual(back.arrays[""]?.shape, [1, 18, 512])
        XCTAssertEqual(back.arrays[""]?.values.map(\.bitPattern), code.data.map(\.bitPattern))
        XCTAssertEqual(try LatentCodes.read(out, numWs: 18, wDim: 512).data, code.data)
    }

    // MARK: directions

    func testAnycostBoundariesPickAnEntryByKeyOrAttribute() throws {
        let file = url("boundary_stylegan2-ffhq-config-f.pt")
        XCTAssertEqual(try ExchangeFile.read(file).layout(), .keyed(["15_Eyeglasses", "20_Male", "31_Smiling", "39_Young"]))
        let byKey = try Direction.load(reference: file.path + "#31_Smiling")
        let byName = try Direction.load(reference: file.path + "#smiling")
        XCTAssertEqual(byKey.vector, byName.vector)
        XCTAssertEqual(byKey.attribute, "Smiling")
        XCTAssertEqual(byKey.provenance["key"], "31_Smiling")
        XCTAssertNil(byKey.layers)
        // The stored vectors are unit length already: read as stored, up to the float rounding of normalising again.
        let e = expected[file.lastPathComponent]!["31_Smiling"]!
        for (a, b) in zip(byKey.vector.prefix(4) + byKey.vector.suffix(4), e.first + e.last) { XCTAssertEqual(Double(a), b, accuracy: 1e-7) }
        assertRefused(file.path, "holds 4 directions (15_Eyeglasses, 20_Male, 31_Smiling, 39_Young); pick one with \(file.path)#KEY") {
            _ = try Direction.load(file)
        }
        assertRefused(file.path, "has no direction #bald") { _ = try Direction.load(file, key: "bald") }
        // Exported as an InterFaceGAN boundary and read back.
        let npy = dir.appendingPathComponent("smiling.npy")
        try byKey.saveBoundary(to: npy)
        XCTAssertEqual(try Direction.load(npy).vector, byKey.vector)
    }

    func testAnycostBoundaryOfTheWrongShapeIsRefused() {
        let path = url("boundary_wrongshape.pt").path
        assertRefused(path, "entry '31_Smiling' has shape [2, 512]; a dict of directions (anycost-gan's boundary_<config>.pt) holds (1, D) vectors") {
            _ = try Direction.load(reference: path + "#31_Smiling")
        }
    }

    func testGANSpaceComponentsPickOneByIndex() throws {
        let name = "ganspace_stylegan2-ffhq_style_ipca_c5_n100000.npz"
        let file = try ExchangeFile.read(url(name))
        XCTAssertEqual(file.format, .npz)
        XCTAssertEqual(try file.layout(), .ganspace(5))
        let d = try Direction.load(url(name), key: "2")
        XCTAssertEqual(d.method, "ganspace")
        let comp = file.arrays["lat_comp"]!.values
        for (a, b) in zip(d.vector, comp[2 * 512 ..< 3 * 512]) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        XCTAssertEqual(d.provenance["var_ratio"], String(format: "%.6g", file.arrays["var_ratio"]!.values[2]))
        assertRefused(url(name).path, "holds 5 GANSpace components; pick one with") { _ = try Direction.load(url(name)) }
        assertRefused(url("ganspace_wrongshape.npz").path, "'lat_comp' has shape [5, 512, 1]; GANSpace writes components as (n, 1, D)") {
            _ = try Direction.load(url("ganspace_wrongshape.npz"), key: "0")
        }
    }

    func testE4EPCAPicksAComponent() throws {
        XCTAssertEqual(try ExchangeFile.read(url("ffhq_pca.pt")).layout(), .pca(8))
        let d = try Direction.load(reference: url("ffhq_pca.pt").path + "#7")
        XCTAssertEqual(d.method, "pca")
        for (a, b) in zip(d.vector.suffix(4), expected["ffhq_pca.pt"]!["comp"]!.last) { XCTAssertEqual(Double(a), b, accuracy: 1e-6) }
        assertRefused(url("ffhq_pca_wrongshape.pt").path, "'comp' has shape [8, 512, 2]") {
            _ = try Direction.load(url("ffhq_pca_wrongshape.pt"), key: "0")
        }
    }

    func testWPlusDirectionSavedFromCUDAMovesEachRowByItsVector() throws {
        // pose.pt: (1, 18, 512) saved from 'cuda:0' (the pickle names that device), rows 8-17 zero.
        let file = url("pose.pt")
        XCTAssertTrue(try Data(contentsOf: file).range(of: Data("cuda:0".utf8)) != nil)
        let d = try Direction.load(file)
        XCTAssertEqual(d.rows?.count, 18)
        XCTAssertEqual(d.layers, Array(0..<8))
        try d.checkCompatible(wDim: 512, numWs: 18, source: file.path)
        let stored = try ExchangeFile.read(file).arrays[""]!.values
        let edited = d.apply(to: Tensor(zeros: [1, 18, 512]), alpha: 2)
        for r in 0..<18 {
            let row = Array(edited.data[r * 512 ..< (r + 1) * 512]), source = Array(stored[r * 512 ..< (r + 1) * 512])
            if r >= 8 { XCTAssertTrue(row.allSatisfy { $0 == 0 }, "row \(r)"); continue }
            // Each moved row along its own stored vector (one common scale for all rows).
            XCTAssertEqual(LinearAlgebra.dot(LinearAlgebra.normalized(row), LinearAlgebra.normalized(source)), 1, accuracy: 1e-5, "row \(r)")
        }
        // The rows' root mean square norm is 1: alpha 2 moves them by 2 on average.
        let meanSquare = (0..<8).map { r in edited.data[r * 512 ..< (r + 1) * 512].reduce(0.0) { $0 + Double($1 * $1) } }.reduce(0, +) / 8
        XCTAssertEqual(meanSquare.squareRoot(), 2, accuracy: 1e-4)
        // Exported (1, 18, 512) and read back: the same edit.
        let npy = dir.appendingPathComponent("pose.npy")
        try d.saveBoundary(to: npy)
        XCTAssertEqual(try NPY.read(npy).shape, [1, 18, 512])
        let back = try Direction.load(npy)
        XCTAssertEqual(back.layers, d.layers)
        for (a, b) in zip(back.apply(to: Tensor(zeros: [1, 18, 512]), alpha: 2).data, edited.data) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        // As JSON too, and the JSON of a direction without rows has no "rows" key (files as before).
        let json = dir.appendingPathComponent("pose.json")
        try d.save(to: json)
        XCTAssertEqual(try Direction.load(json), d)
        let plain = dir.appendingPathComponent("plain.json")
        try Direction(attribute: "a", method: "m", vector: [1, 0]).save(to: plain)
        XCTAssertFalse(String(decoding: try Data(contentsOf: plain), as: UTF8.self).contains("rows"))
        // A model with another number of rows refuses it.
        assertRefused(file.path, "direction has a vector for each of 18 W+ rows, the model has 10 rows") {
            try d.checkCompatible(wDim: 512, numWs: 10, source: file.path)
        }
        assertRefused(url("pose_wrongshape.pt").path, "direction has 300 dimensions, the model's w has 512") {
            try Direction.load(url("pose_wrongshape.pt")).checkCompatible(wDim: 512, numWs: 18, source: url("pose_wrongshape.pt").path)
        }
    }

    func testRowsThatCancelStillMakeADirection() throws {
        // v on row 0 and -v on row 1 sum to zero: the direction's one vector is row 0's.
        let d = try Direction.validated(Direction(attribute: "a", method: "m", rows: [[0, 3], [0, -3], [0, 0]]), source: "t")
        XCTAssertEqual(d.vector, [0, 1])
        XCTAssertEqual(d.layers, [0, 1])
        XCTAssertEqual(d.apply(to: Tensor(zeros: [1, 3, 2]), alpha: 1).data, [0, 1, 0, -1, 0, 0])
    }

    func testAStorageLocationThatIsNoDeviceIsRefused() throws {
        let good = dir.appendingPathComponent("t.pt")
        try TorchSave.write(float32: [1, 2, 3], shape: [3], to: good)
        // The pickle with its location 'cpu' made 'c/u', in a fresh archive (CRC-32s intact).
        let pickle = TorchSave.pickle(shape: [3], count: 3)
        var changed = pickle
        changed.replaceSubrange(changed.range(of: Data("cpu".utf8))!, with: Data("c/u".utf8))
        var storage = Data(); [Float(1), 2, 3].withUnsafeBytes { storage.append(contentsOf: $0) }
        let bad = dir.appendingPathComponent("bad.pt")
        try ZipWriter.stored([("t/data.pkl", changed), ("t/data/0", storage), ("t/version", Data("3\n".utf8))], source: bad.path).write(to: bad)
        assertRefused(bad.path, "names a storage location that is not a device name") { _ = try ExchangeFile.read(bad) }
        XCTAssertEqual(try ExchangeFile.read(good).arrays[""]?.values, [1, 2, 3])
    }

    func testAFileOfNoKnownFormatIsRefused() throws {
        let junk = dir.appendingPathComponent("junk.pt")
        try Data("hello".utf8).write(to: junk)
        assertRefused(junk.path, "not a .npy, .npz or torch.save (.pt) file") { _ = try Direction.load(junk) }
        let legacy = dir.appendingPathComponent("legacy.pt")
        try Data([0x80, 0x02, 0x8a, 0x0a]).write(to: legacy)
        assertRefused(legacy.path, "is a plain pickle") { _ = try LatentCodes.read(legacy, numWs: 18, wDim: 512) }
    }
}
