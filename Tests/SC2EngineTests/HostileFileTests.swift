import Foundation
@testable import SC2Engine
import SC2Fuzzing
import Tensor
import XCTest

/// The hostile files of issue 13, rebuilt from the valid fixtures: each is refused by the
/// loader with one line that names the file and the problem, before anything is allocated for
/// it. Before the fix several of them crashed the process (segmentation fault, heap overflow,
/// SIGFPE) or were accepted without a word.
final class HostileFileTests: XCTestCase {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    static let generator = fixtures.appendingPathComponent("checkpoints/generator_nvidia.safetensors")
    /// The shipped FaceWorld classifier (four conv stages, 64 px input).
    static let classifier = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("assets/faceworld/classifier.safetensors")
    var dir: URL!

    override func setUp() {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("sc2gan-hostile-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    /// A copy of `base` with its tensors and metadata edited, written as safetensors.
    func variant(of base: URL, _ name: String, _ edit: (inout [String: Tensor], inout [String: String]) -> Void) throws -> URL {
        let checkpoint = try SafeTensors.read(base)
        var tensors = checkpoint.tensors, metadata = checkpoint.metadata
        edit(&tensors, &metadata)
        let url = dir.appendingPathComponent(name)
        try SafeTensors.write(tensors, metadata: metadata, to: url)
        return url
    }

    func assertRefused(_ url: URL, _ problem: String, load: (URL) throws -> Void, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(url), url.lastPathComponent, file: file, line: line) { error in
            guard let error = error as? SC2Error else { return XCTFail("\(error) is not an SC2Error", file: file, line: line) }
            XCTAssertTrue(error.message.hasPrefix(url.path + ": "), error.message, file: file, line: line)
            XCTAssertTrue(error.message.contains(problem), error.message, file: file, line: line)
            XCTAssertFalse(error.message.contains("\n"), error.message, file: file, line: line)
        }
    }

    func assertGeneratorRefused(_ url: URL, _ problem: String, file: StaticString = #filePath, line: UInt = #line) {
        assertRefused(url, problem, load: { _ = try Generator(contentsOf: $0) }, file: file, line: line)
    }

    func assertClassifierRefused(_ url: URL, _ problem: String, file: StaticString = #filePath, line: UInt = #line) {
        assertRefused(url, problem, load: { _ = try AttributeClassifier(contentsOf: $0) }, file: file, line: line)
    }

    func testTheFixturesThemselvesLoad() throws {
        XCTAssertEqual(try Generator(contentsOf: Self.generator).config.resolution, 8)
        XCTAssertEqual(try AttributeClassifier(contentsOf: Self.classifier).inputSize, 64)
    }

    func testBlocksBeyondAnyRealResolutionAreRefused() throws {
        // Zero-size tensors naming blocks far above 4096 px: the resolution used to double until
        // it wrapped around, and a buffer was written out of bounds.
        let far = try variant(of: Self.generator, "far.safetensors") { t, _ in
            for k in 4...62 { t["synthesis.b\(1 << k).conv1.weight"] = Tensor(shape: [0, 0, 3, 3], data: []) }
        }
        assertGeneratorRefused(far, "names a synthesis block that is not a power of two from 4 to 4096 px")
        let odd = try variant(of: Self.generator, "odd.safetensors") { t, _ in t["synthesis.b12.conv1.weight"] = t["synthesis.b8.conv1.weight"] }
        assertGeneratorRefused(odd, "'synthesis.b12.conv1.weight' names a synthesis block that is not a power of two")
        let gap = try variant(of: Self.generator, "gap.safetensors") { t, _ in t["synthesis.b32.conv1.weight"] = t["synthesis.b8.conv1.weight"] }
        assertGeneratorRefused(gap, "synthesis blocks are not contiguous: synthesis.b16 is missing below b32")
    }

    func testZeroSizedGeneratorsAreRefused() throws {
        let zeroChannels = try variant(of: Self.generator, "zero-channels.safetensors") { t, _ in
            t["synthesis.b8.conv1.weight"] = Tensor(shape: [0, 8, 3, 3], data: [])
        }
        assertGeneratorRefused(zeroChannels, "synthesis.b8.conv1.weight has 0 channels; a block has 1-4096")
        let zeroZ = try variant(of: Self.generator, "zero-z.safetensors") { t, _ in t["mapping.fc0.weight"] = Tensor(shape: [16, 0], data: []) }
        assertGeneratorRefused(zeroZ, "mapping.fc0.weight has shape [16, 0]: z and w dimensions must be 1-4096")
        let zeroW = try variant(of: Self.generator, "zero-w.safetensors") { t, _ in t["mapping.fc0.weight"] = Tensor(shape: [0, 16], data: []) }
        assertGeneratorRefused(zeroW, "z and w dimensions must be 1-4096")
    }

    func testMappingLayerGapsAndStrayTensorsAreRefused() throws {
        // fc0, fc2: fc1 used to end the count silently, and fc2 was ignored.
        let gap = try variant(of: Self.generator, "mapping-gap.safetensors") { t, _ in
            t["mapping.fc2.weight"] = t["mapping.fc1.weight"]; t["mapping.fc2.bias"] = t["mapping.fc1.bias"]
            t["mapping.fc1.weight"] = nil; t["mapping.fc1.bias"] = nil
        }
        assertGeneratorRefused(gap, "mapping layers are not numbered 0-2: mapping.fc1 is missing")
        let deep = try variant(of: Self.generator, "mapping-deep.safetensors") { t, _ in t["mapping.fc99.weight"] = t["mapping.fc1.weight"] }
        assertGeneratorRefused(deep, "names a mapping layer beyond the 32")
        let stray = try variant(of: Self.generator, "stray.safetensors") { t, _ in t["synthesis.b8.skip.weight"] = t["synthesis.b8.torgb.bias"] }
        assertGeneratorRefused(stray, "unexpected tensor 'synthesis.b8.skip.weight'")
        let shape = try variant(of: Self.generator, "shape.safetensors") { t, _ in t["synthesis.b8.conv1.noise_const"] = Tensor(zeros: [4, 4]) }
        assertGeneratorRefused(shape, "tensor 'synthesis.b8.conv1.noise_const' has the wrong shape: expected [8, 8] got [4, 4]")
    }

    func testMetadataMustBeFiniteAndInRange() throws {
        for bad in ["nan", "inf", "-0.01", "0", "abc"] {
            let url = try variant(of: Self.generator, "lr-\(bad).safetensors") { _, m in m["mapping_lr_mul"] = bad }
            assertGeneratorRefused(url, "metadata mapping_lr_mul '\(bad)' is not a number from")
        }
        let clamp = try variant(of: Self.generator, "clamp.safetensors") { _, m in m["conv_clamp"] = "-5" }
        assertGeneratorRefused(clamp, "metadata conv_clamp '-5' is not a number from 0")
        let fine = try variant(of: Self.generator, "fine.safetensors") { _, m in m["mapping_lr_mul"] = "0.01"; m["conv_clamp"] = "256" }
        let g = try Generator(contentsOf: fine)
        XCTAssertEqual(g.config.convClamp, 256)
        XCTAssertTrue(g.generate(seeds: [1]).data.allSatisfy(\.isFinite))
    }

    func testMemoryEstimateAboveTheLimitIsRefused() throws {
        // The 8 px fixture needs well under a megabyte; config-f 1024 about 1.5 GB.
        let config = try Generator(contentsOf: Self.generator).config
        XCTAssertLessThan(config.estimatedBytes.value, 1 << 20)
        let configF = GeneratorConfig(resolution: 1024, zDim: 512, wDim: 512, mappingLayers: 8,
                                      channels: [4: 512, 8: 512, 16: 512, 32: 512, 64: 512, 128: 256, 256: 128, 512: 64, 1024: 32],
                                      convClamp: 256)
        XCTAssertGreaterThan(configF.estimatedBytes.value, 400 << 20)
        XCTAssertLessThan(configF.estimatedBytes.value, 4 << 30)
        ResourceLimits.install(memoryLimitBytes: 1 << 20, howToRaise: "SC2GAN_MEMORY_LIMIT_MB raises it")
        defer { ResourceLimits.install(memoryLimitBytes: nil) }
        let big = try variant(of: Self.generator, "big.safetensors") { t, _ in
            // 8 px with 256 channels: about 5 MB of weights and transforms.
            for (name, tensor) in t where name.hasPrefix("synthesis.") {
                t[name] = Tensor(zeros: tensor.shape.enumerated().map { i, d in d == 8 && !(name.hasSuffix("noise_const")) && !(name.hasSuffix("affine.weight") && i == 1) ? 256 : d })
            }
        }
        assertGeneratorRefused(big, "this generator would need about")
        assertGeneratorRefused(big, "more than the limit of 1 MiB (SC2GAN_MEMORY_LIMIT_MB raises it)")
    }

    func testSafeTensorsHeaderMustBeUTF8() throws {
        var bytes = [UInt8](try Data(contentsOf: Self.generator))
        let at = Array(bytes[8...]).firstIndex(of: UInt8(ascii: "m"))! + 8   // inside the first name
        bytes[at] = 0xff
        let url = dir.appendingPathComponent("latin1.safetensors")
        try Data(bytes).write(to: url)
        assertGeneratorRefused(url, "header is not UTF-8 text")
    }

    func testClassifiersWithImplausibleStagesAreRefused() throws {
        let many = try variant(of: Self.classifier, "many-stages.safetensors") { t, _ in
            for i in 4..<40 { t["conv\(i).weight"] = Tensor(shape: [0, 0, 3, 3], data: []); t["conv\(i).bias"] = Tensor(shape: [0], data: []) }
        }
        assertClassifierRefused(many, "more than 8 conv stages")
        let zero = try variant(of: Self.classifier, "zero-channels.safetensors") { t, _ in
            t["conv3.weight"] = Tensor(shape: [0, t["conv3.weight"]!.shape[1], 3, 3], data: []); t["conv3.bias"] = Tensor(shape: [0], data: [])
        }
        assertClassifierRefused(zero, "conv3.weight has shape [0,")
        let huge = try variant(of: Self.classifier, "huge-input.safetensors") { t, _ in
            t["fc0.weight"] = Tensor(zeros: [1, t["conv3.weight"]!.shape[0] * 128 * 128])
        }
        assertClassifierRefused(huge, "fc0.weight implies an input of 128 x 2^4 px; a classifier takes 4-1024 px")
        let stray = try variant(of: Self.classifier, "stray.safetensors") { t, _ in t["conv9.weight"] = t["conv0.weight"] }
        assertClassifierRefused(stray, "unexpected tensor 'conv9.weight'")
    }

    // MARK: zip

    func zipVariant(_ name: String, _ edit: (inout [UInt8], ZipArchive) throws -> Void) throws -> URL {
        let source = Self.fixtures.appendingPathComponent("checkpoints/generator_nvidia.pt")
        var bytes = [UInt8](try Data(contentsOf: source))
        try edit(&bytes, try ZipArchive(MappedFile(source)))
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    func testZipLocalHeadersMustAgreeWithTheCentralDirectory() throws {
        func localHeader(_ zip: ZipArchive, _ entry: String) -> Int {
            // The local header ends where the entry's bytes begin: find its signature before them.
            let start = zip.entries[entry]!.bytes.lowerBound
            return (0..<start).reversed().first { zip.file.bytes.littleEndian(UInt32.self, at: $0) == 0x0403_4b50 }!
        }
        let renamed = try zipVariant("renamed.pt") { b, zip in
            let name = zip.entries.keys.first { $0.hasSuffix("/data.pkl") }!
            b[localHeader(zip, name) + 30 + name.utf8.count - 1] = UInt8(ascii: "x")   // data.pkx
        }
        assertGeneratorRefused(renamed, "its local header names another entry")
        // torch.save sets bit 3: the CRC-32 and sizes follow the data in a data descriptor.
        let descriptor = try zipVariant("descriptor-crc.pt") { b, zip in
            let entry = zip.entries.first { $0.key.hasSuffix("/data.pkl") }!.value
            XCTAssertEqual(zip.file.bytes.littleEndian(UInt32.self, at: entry.bytes.upperBound), 0x0807_4b50)
            b[entry.bytes.upperBound + 4] ^= 0x01
        }
        assertGeneratorRefused(descriptor, "its data descriptor and the central directory disagree on its CRC-32")
        let localSizes = try zipVariant("local-crc.pt") { b, zip in
            // Clear bit 3: the (zero) CRC-32 in the local header now has to match.
            let name = zip.entries.keys.first { $0.hasSuffix("/data.pkl") }!
            b[localHeader(zip, name) + 6] &= ~0x08
        }
        assertGeneratorRefused(localSizes, "local header and central directory disagree on its CRC-32 or sizes")
        let method = try zipVariant("method.pt") { b, zip in
            let name = zip.entries.keys.first { $0.hasSuffix("/data.pkl") }!
            b[localHeader(zip, name) + 8] = 8
        }
        assertGeneratorRefused(method, "disagree on the compression method")
    }

    func testZipEntriesAreCheckedAgainstTheirCRC32() throws {
        let flipped = try zipVariant("flipped.pt") { b, zip in
            let storage = zip.entries.filter { $0.key.contains("/data/") && $0.value.bytes.count >= 4 }.min { $0.key < $1.key }!
            b[storage.value.bytes.lowerBound + 1] ^= 0x40   // one bit of one weight
        }
        assertGeneratorRefused(flipped, "fails its CRC-32 check (damaged file)")
        let pickle = try zipVariant("pickle.pt") { b, zip in
            let entry = zip.entries.first { $0.key.hasSuffix("/data.pkl") }!.value
            b[entry.bytes.upperBound - 2] ^= 0x01
        }
        assertGeneratorRefused(pickle, "fails its CRC-32 check")
    }

    // MARK: the fuzzing corpus

    /// What each committed fuzzing input must do, by path under Fixtures: `fuzz/TARGET/` holds
    /// the inputs that once crashed a reader or were accepted without a word (issue 13): each
    /// must be refused, with the problem named. `fuzz-seeds/TARGET/` holds the fuzzer's starting
    /// points: valid files, which must be accepted, and a few deliberately bad ones that seed the
    /// refusal paths (marked below with why).
    static let expectedOutcomes: [String: Expected] = [
        "fuzz/generator/blocks-beyond-any-resolution.safetensors":
            .refused("names a synthesis block that is not a power of two from 4 to 4096 px"),
        "fuzz/generator/mapping-gap.safetensors": .refused("mapping layers are not numbered 0-2: mapping.fc1 is missing"),
        "fuzz/generator/nan-lr-mul.safetensors": .refused("metadata mapping_lr_mul 'nan' is not a number from"),
        "fuzz/generator/zero-channels.safetensors": .refused("synthesis.b8.conv1.weight has 0 channels"),
        "fuzz/generator/zero-z.safetensors": .refused("z and w dimensions must be 1-4096"),
        "fuzz/classifier/many-stages.safetensors": .refused("more than 8 conv stages"),
        "fuzz/classifier/zero-out-channels.safetensors": .refused("conv1.weight has shape [0,"),

        "fuzz-seeds/classifier/tiny8.safetensors": .accepted,
        // A hand-labels file with a seed beyond UInt32 and a truncation of 1e39: a bad seed.
        "fuzz-seeds/labels/overflow.json": .refused("not a labels file"),
        "fuzz-seeds/labels/smile.labels.json": .accepted,
        // Big-endian and Fortran-order arrays are refused by design (NPYTests): bad seeds.
        "fuzz-seeds/npy/bigendian_f4.npy": .refused("dtype '>f4' is not supported"),
        "fuzz-seeds/npy/boundary_f32.npy": .accepted,
        "fuzz-seeds/npy/empty_f4.npy": .accepted,
        "fuzz-seeds/npy/flags_b1.npy": .accepted,
        "fuzz-seeds/npy/fortran_f4.npy": .refused("array is in Fortran order"),
        "fuzz-seeds/npy/half_f2.npy": .accepted,
        "fuzz-seeds/npy/image_u1.npy": .accepted,
        "fuzz-seeds/npy/ints_i8.npy": .accepted,
        // An object array is a pickle, never read: a bad seed (tools/make_fuzz_seeds.py).
        "fuzz-seeds/npy/object.npy": .refused("holds Python objects (a pickled object array), which are refused"),
        "fuzz-seeds/npy/scalar_f4.npy": .accepted,
        "fuzz-seeds/npy/ws_f64.npy": .accepted,
        "fuzz-seeds/npz/components_compressed.npz": .accepted,
        // The same inside an archive: a bad seed.
        "fuzz-seeds/npz/object.npz": .refused("member 'o.npy': holds Python objects"),
        "fuzz-seeds/npz/projected_w.npz": .accepted,
        "fuzz-seeds/png/gray3.png": .accepted,
        "fuzz-seeds/png/palette2.png": .accepted,
        "fuzz-seeds/png/rgb4.png": .accepted,
        "fuzz-seeds/png/rgba2.png": .accepted,
        "fuzz-seeds/predictor/tiny-basic.safetensors": .accepted,
        // A valid anycost-style predictor, but a torch zip carries no configuration and the
        // target's input has no sidecar JSON beside it: refused, as the command would refuse it
        // without its .json (the safetensors twin below, configured in its metadata, is accepted).
        "fuzz-seeds/predictor/tiny-bottleneck.pt": .refused("no predictor configuration"),
        "fuzz-seeds/predictor/tiny-bottleneck.safetensors": .accepted,
        "fuzz-seeds/predictor-config/area.json": .accepted,
        "fuzz-seeds/predictor-config/groups.json": .accepted,
        // The exchange formats of issue 28, written by torch and numpy (make_format_fixtures.py),
        // read for an 18-row, 512-wide model; one file of each kind with a tensor of the wrong
        // shape, a bad seed.
        "fuzz-seeds/latents-pt/e4e_latents.pt": .accepted,
        "fuzz-seeds/latents-pt/w_codes.pt": .accepted,
        "fuzz-seeds/latents-pt/e4e_latents_wrongshape.pt": .refused("a latent code for this model has shape (1, 18, 512)"),
        "fuzz-seeds/direction-pt/boundary_stylegan2-ffhq-config-f.pt": .accepted,
        "fuzz-seeds/direction-pt/ffhq_pca.pt": .accepted,
        "fuzz-seeds/direction-pt/pose.pt": .accepted,
        "fuzz-seeds/direction-pt/boundary_wrongshape.pt": .refused("entry '31_Smiling' has shape [2, 512]"),
        "fuzz-seeds/direction-npz/ganspace_stylegan2-ffhq_style_ipca_c5_n100000.npz": .accepted,
        "fuzz-seeds/direction-npz/ganspace_wrongshape.npz": .refused("'lat_comp' has shape [5, 512, 1]"),
    ]

    enum Expected {
        case accepted
        /// Refused with a message that contains this.
        case refused(String)
    }

    /// Every input the fuzzer ever crashed on, and the seed corpus, goes through its target and
    /// must come out as listed in `expectedOutcomes` (a trap ends the run, which fails it too);
    /// a file on disk that the list does not name fails, so a new input needs a decision.
    func testFuzzInputsAreAcceptedOrRefusedAsExpected() throws {
        var replayed = Set<String>()
        for root in ["fuzz", "fuzz-seeds"] { for target in FuzzTargets.names {
            let folder = Self.fixtures.appendingPathComponent("\(root)/\(target)")
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            for file in files.sorted() {
                let key = "\(root)/\(target)/\(file)"
                let data = try Data(contentsOf: folder.appendingPathComponent(file))
                let outcome = try XCTUnwrap(data.withUnsafeBytes { FuzzTargets.run(target, $0) }, "unknown target \(target)")
                replayed.insert(key)
                switch (Self.expectedOutcomes[key], outcome) {
                case (nil, _):
                    XCTFail("\(key): not in expectedOutcomes; it was \(outcome)")
                case (.accepted?, .accepted):
                    break
                case (.accepted?, .refused(let message)):
                    XCTFail("\(key) is valid but was refused: \(message)")
                case (.refused?, .accepted):
                    XCTFail("\(key) is hostile but was accepted")
                case (.refused(let problem)?, .refused(let message)):
                    XCTAssertTrue(message.contains(problem), "\(key): refused with '\(message)', expected '\(problem)'")
                    XCTAssertFalse(message.contains("\n"), "\(key): \(message)")
                }
            }
        } }
        XCTAssertEqual(replayed, Set(Self.expectedOutcomes.keys), "inputs listed but not found under \(Self.fixtures.path)")
        XCTAssertGreaterThan(replayed.filter { $0.hasPrefix("fuzz/") }.count, 6)
    }

    func testUnknownFuzzTargetIsNil() {
        XCTAssertNil([UInt8]().withUnsafeBytes { FuzzTargets.run("no-such-reader", $0) })
    }
}
