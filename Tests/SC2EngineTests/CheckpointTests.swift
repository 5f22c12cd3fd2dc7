import Foundation
import SC2Engine
import Tensor
import XCTest

/// The checkpoint readers on fixtures made by tools/fixtures/make_checkpoint_fixtures.py: values the
/// script wrote, one generator in three layouts, strided views, and damaged or hostile files.
final class CheckpointTests: XCTestCase {
    static let dir = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("checkpoints")

    func url(_ name: String) -> URL { Self.dir.appendingPathComponent(name) }

    /// A tensor whose element at each (row-major) index is `value(index)`.
    func tensor(_ shape: [Int], _ value: ([Int]) -> Float) -> Tensor {
        var data: [Float] = []
        func fill(_ index: [Int]) {
            guard index.count < shape.count else { return data.append(value(index)) }
            for i in 0..<shape[index.count] { fill(index + [i]) }
        }
        fill([])
        return Tensor(shape: shape, data: data)
    }

    /// Loading `name` throws a one-line SC2Error that names the file and contains `problem`.
    func assertRefused(_ name: String, _ problem: String, file: StaticString = #filePath, line: UInt = #line) {
        let path = url(name).path
        XCTAssertThrowsError(try CheckpointLoader.load(url(name)), name, file: file, line: line) { error in
            guard let error = error as? SC2Error else { return XCTFail("\(name): \(error) is not an SC2Error", file: file, line: line) }
            XCTAssertTrue(error.message.hasPrefix(path + ": "), "\(name): \(error.message)", file: file, line: line)
            XCTAssertTrue(error.message.contains(problem), "\(name): \(error.message)", file: file, line: line)
            XCTAssertFalse(error.message.contains("\n"), "\(name): \(error.message)", file: file, line: line)
        }
    }

    func testSafeTensorsValuesOfEveryDType() throws {
        // The values tools/fixtures/make_checkpoint_fixtures.py wrote (F16_VALUES, BF16_VALUES, F64_VALUES).
        for checkpoint in [try SafeTensors.read(url("dtypes.safetensors")), try CheckpointLoader.load(url("dtypes.safetensors"))] {
            XCTAssertEqual(checkpoint.format, "safetensors")
            XCTAssertEqual(checkpoint.metadata, ["producer": "make_checkpoint_fixtures.py", "note": "dtypes"])
            XCTAssertEqual(checkpoint.tensors.count, 4)
            XCTAssertEqual(checkpoint.tensors["f32"], tensor([3, 4]) { Float($0[0] * 4 + $0[1]) * 0.25 })
            XCTAssertEqual(checkpoint.tensors["f16"], Tensor(shape: [2, 4], data: [0, 0.5, -1.5, 65504, 0x1p-24, -0x1p-14, 0.333251953125, 1024]))
            XCTAssertEqual(checkpoint.tensors["bf16"], Tensor(shape: [6], data: [1, -2.5, 0.15625, 98304, 0x1p100, -0x1p-130]))
            XCTAssertEqual(checkpoint.tensors["f64"], Tensor(shape: [3], data: [1.5, -2.25, 1024.125]))
        }
    }

    func testRosinalityAndNVIDIALayoutsLoadAsTheNVIDIAStateDict() throws {
        // generator_nvidia.safetensors is sg2torch's state dict, written by Python as it is.
        let reference = try CheckpointLoader.load(url("generator_nvidia.safetensors"))
        XCTAssertEqual(reference.tensors.count, Int(reference.metadata["tensor_count"] ?? ""))
        let shapes: [String: [Int]] = [
            "mapping.fc1.weight": [16, 16], "mapping.w_avg": [16], "synthesis.b4.const": [8, 4, 4],
            "synthesis.b4.conv1.noise_const": [4, 4], "synthesis.b8.conv0.weight": [8, 8, 3, 3],
            "synthesis.b8.conv0.noise_strength": [], "synthesis.b8.conv1.affine.weight": [8, 16],
            "synthesis.b8.torgb.weight": [3, 8, 1, 1], "synthesis.b8.torgb.bias": [3],
        ]
        for (name, shape) in shapes { XCTAssertEqual(reference.tensors[name]?.shape, shape, name) }

        for name in ["generator_rosinality.pt", "generator_nvidia.pt"] {
            let checkpoint = try CheckpointLoader.load(url(name))
            XCTAssertEqual(checkpoint.format, "torch-zip")
            XCTAssertEqual(checkpoint.tensors.keys.sorted(), reference.tensors.keys.sorted(), name)
            for (key, want) in reference.tensors {
                guard let got = checkpoint.tensors[key] else { continue }
                XCTAssertEqual(got.shape, want.shape, "\(name): \(key)")
                if got.shape == want.shape { XCTAssertEqual(got.maxAbsDifference(want), 0, "\(name): \(key)") }
            }
        }
    }

    /// rosinality's train.py checkpoint ({g, d, g_ema, g_optim, d_optim, args: Namespace,
    /// ada_aug_p}, written by real torch) draws what its converted {g_ema, latent_avg} form
    /// draws; `.training` draws what g converted alone draws.
    func testRosinalityTrainingCheckpointDrawsLikeItsConvertedForm() throws {
        let seeds: [UInt32] = [0, 1, 7]
        for (choice, converted) in [(GeneratorChoice.ema, "rosinality_train_g_ema.pt"), (.training, "rosinality_train_g.pt")] {
            let training = try CheckpointLoader.load(url("rosinality_train.pt"), choice: choice)
            let reference = try CheckpointLoader.load(url(converted))
            XCTAssertNil(training.tensors["mapping.w_avg"], "train.py saves no latent_avg")
            XCTAssertEqual(Set(training.tensors.keys).union(["mapping.w_avg"]), Set(reference.tensors.keys), "\(choice)")
            for (key, want) in reference.tensors where key != "mapping.w_avg" {
                XCTAssertEqual(training.tensors[key], want, "\(choice): \(key)")
            }
            let g = try Generator(checkpoint: training), r = try Generator(checkpoint: reference)
            XCTAssertTrue(g.wAvgEstimated); XCTAssertFalse(r.wAvgEstimated)
            // Without truncation w_avg plays no part: the same weights, the same images.
            XCTAssertEqual(g.generate(seeds: seeds).maxAbsDifference(r.generate(seeds: seeds)), 0, "\(choice)")
            // The estimate against the one tools/fixtures/make_checkpoint_fixtures.py computed with torch
            // from the same RandomState(0) draws, and the truncated images it gives.
            let estimate = Tensor(shape: [g.config.wDim], data: g.mapping.wAvg)
            XCTAssertLessThan(estimate.maxAbsDifference(reference.tensors["mapping.w_avg"]!), 1e-4, "\(choice)")
            XCTAssertLessThan(g.generate(seeds: seeds, truncation: 0.7).maxAbsDifference(r.generate(seeds: seeds, truncation: 0.7)), 1e-3, "\(choice)")
        }
        let ema = try Generator(contentsOf: url("rosinality_train.pt")), g = try Generator(contentsOf: url("rosinality_train.pt"), choice: .training)
        XCTAssertGreaterThan(ema.generate(seeds: seeds).maxAbsDifference(g.generate(seeds: seeds)), 0.1, "g and g_ema are different networks")
        XCTAssertNotEqual(ema.hash, g.hash, "caches of g and g_ema must not mix")
        XCTAssertEqual(ema.hash, try Generator(contentsOf: url("rosinality_train.pt"), choice: .ema).hash)
    }

    func testTrainingGeneratorOfAFileWithoutOneIsRefused() {
        for name in ["generator_nvidia.safetensors", "generator_rosinality.pt"] {
            XCTAssertThrowsError(try CheckpointLoader.load(url(name), choice: .training)) {
                XCTAssertEqual(($0 as? SC2Error)?.message, "\(url(name).path): holds no training generator (no tensors under 'g.' or 'G.'; only training checkpoints have one beside g_ema)")
            }
        }
        // NVIDIA's snapshot .pt names the non-EMA generator G (the fixture has only G_ema).
        XCTAssertNoThrow(try CheckpointLoader.load(url("generator_nvidia.pt")))
    }

    func testStridedAndOffsetViewsOfSharedStorages() throws {
        let tensors = try CheckpointLoader.load(url("views.pt")).tensors
        func base(_ row: Int, _ column: Int) -> Float { Float(row * 6 + column) * 0.25 }  // arange(24).reshape(4, 6) * 0.25
        XCTAssertEqual(tensors.count, 7)
        XCTAssertEqual(tensors["transposed"], tensor([6, 4]) { base($0[1], $0[0]) })
        XCTAssertEqual(tensors["column"], tensor([4]) { base($0[0], 2) })
        XCTAssertEqual(tensors["window"], tensor([2, 3]) { Float(5 + $0[0] * 3 + $0[1]) * 0.25 })
        XCTAssertEqual(tensors["expanded"], tensor([2, 6]) { base(1, $0[1]) })
        XCTAssertEqual(tensors["half_strided"], tensor([2, 3]) { base($0[0] + 1, 2 * $0[1]) })
        XCTAssertEqual(tensors["bf16_transposed"], tensor([5, 4]) { base($0[1], $0[0] + 1) })
        XCTAssertEqual(tensors["double_column"], tensor([2]) { base(2 * $0[0], 3) })
    }

    func testFormatIsToldByContentNotExtension() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sc2gan-ckpt-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = dir.appendingPathComponent("zip.safetensors"), safetensors = dir.appendingPathComponent("safetensors.pt")
        try FileManager.default.copyItem(at: url("generator_rosinality.pt"), to: zip)
        try FileManager.default.copyItem(at: url("generator_nvidia.safetensors"), to: safetensors)
        XCTAssertEqual(try CheckpointLoader.load(zip).format, "torch-zip")
        XCTAssertEqual(try CheckpointLoader.load(safetensors).format, "safetensors")
    }

    func testTensorLookupNamesTheFileAndTheProblem() throws {
        let checkpoint = try CheckpointLoader.load(url("generator_nvidia.safetensors"))
        let path = url("generator_nvidia.safetensors").path
        XCTAssertEqual(try checkpoint.tensor("mapping.w_avg", shape: [16]).shape, [16])
        XCTAssertEqual(try checkpoint.tensor("mapping.w_avg", shape: nil).shape, [16])
        XCTAssertThrowsError(try checkpoint.tensor("mapping.fc9.weight", shape: nil)) {
            XCTAssertEqual(($0 as? SC2Error)?.message, "\(path): missing tensor 'mapping.fc9.weight'")
        }
        XCTAssertThrowsError(try checkpoint.tensor("mapping.w_avg", shape: [1, 16])) {
            XCTAssertEqual(($0 as? SC2Error)?.message, "\(path): tensor 'mapping.w_avg' has the wrong shape: expected [1, 16] got [16]")
        }
    }

    func testPickleCallingOSSystemIsRefusedAndNothingRuns() {
        let pwned = "/tmp/sc2gan-pwned"
        try? FileManager.default.removeItem(atPath: pwned)
        assertRefused("bad_os_system.pt", "pickle refers to forbidden global 'posix.system'; refusing to load")
        assertRefused("bad_eval.pt", "pickle refers to forbidden global 'builtins.eval'; refusing to load")
        XCTAssertFalse(FileManager.default.fileExists(atPath: pwned))
    }

    func testDamagedSafeTensorsAreRefused() {
        assertRefused("bad_empty.safetensors", "file is empty")
        assertRefused("bad_short.safetensors", "file is only 5 bytes, too short for a safetensors header")
        assertRefused("bad_truncated.safetensors", "truncated")
        assertRefused("bad_lying_header.safetensors", "header length 1000000 is larger than the 452 bytes that follow it")
        assertRefused("bad_absurd_header.safetensors", "absurd")
        assertRefused("bad_not_json.safetensors", "header is not valid JSON")
        assertRefused("bad_not_object.safetensors", "header is not a JSON object")
        assertRefused("bad_dtype.safetensors", "tensor 'w' has unsupported dtype 'Q8'")
        assertRefused("bad_offsets.safetensors", "truncated file: its tensors need 1024 bytes of data, only 16 follow the header")
        assertRefused("bad_shape.safetensors", "tensor 'w': shape [3] of F32 needs 12 bytes")
        assertRefused("bad_negative_dim.safetensors", "tensor 'w': negative dimension in shape [-1, 2]")
        assertRefused("bad_overlap.safetensors", "tensor 'b': data_offsets overlap")
        assertRefused("bad_nan.safetensors", "tensor 'synthesis.b8.conv0.weight' has non-finite values")
        assertRefused("no_such_file.safetensors", "cannot open")
    }

    func testDamagedTorchZipsAreRefused() {
        assertRefused("bad_no_datapkl.pt", "zip archive has no data.pkl")
        assertRefused("bad_truncated.pt", "truncated")
        assertRefused("bad_long_storage.pt", "tensor 'step' has unsupported storage type 'torch.LongStorage'")
        assertRefused("bad_view_out_of_range.pt", "tensor view (offset 2, size [4], stride [1]) reaches past its storage of 4 elements")
        assertRefused("bad_storage_short.pt", "holds 8 bytes")
        assertRefused("bad_deep.pt", "pickle nests deeper than 64 levels")
        assertRefused("bad_cyclic.pt", "cyclic")
        assertRefused("bad_plain_pickle.pt", "is a plain pickle (an NVIDIA .pkl or a pre-1.6 torch.save)")
        assertRefused("bad_namespace_call.pt", "pickle calls 'argparse.Namespace'; only tensors are rebuilt")
        assertRefused("bad_newobj.pt", "pickle instantiates 'collections.OrderedDict'; only argparse.Namespace can be")
    }
}
