import XCTest
@testable import SC2Engine
import Tensor

/// The Swift generator against the PyTorch reference (tools/lib/sg2torch.py) on committed fixtures
/// made by tools/fixtures/make_parity_fixtures.py: random-weight models in both naming schemes, several
/// resolutions, with and without conv_clamp, perturbed biases, noise strengths and w_avg.
final class GeneratorParityTests: XCTestCase {
    static let dir = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("parity")

    struct Fixture {
        let generator: Generator
        let expected: [String: Tensor]
        let meta: [String: String]
    }

    func load(_ name: String) throws -> Fixture {
        let exp = try SafeTensors.read(Self.dir.appendingPathComponent("\(name).expected.safetensors"))
        let meta = exp.metadata
        let clamp: Float? = Float(meta["conv_clamp"] ?? "none")
        let g = try Generator(contentsOf: Self.dir.appendingPathComponent(meta["model"]!), convClamp: .some(clamp))
        return Fixture(generator: g, expected: exp.tensors, meta: meta)
    }

    /// Pixels as the reference's 8-bit conversion; at most 2/255 apart anywhere.
    func assertImagesMatch(_ got: Tensor, _ want: Tensor, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.shape, want.shape, label, file: file, line: line)
        guard got.shape == want.shape else { return }
        var worst = 0
        for i in 0..<got.count {
            let a = Int(min(max(got.data[i] * 127.5 + 128, 0), 255)), b = Int(min(max(want.data[i] * 127.5 + 128, 0), 255))
            worst = max(worst, abs(a - b))
        }
        XCTAssertLessThanOrEqual(worst, 2, "\(label): max 8-bit difference \(worst)", file: file, line: line)
        // And the floats themselves are close (a much tighter check than 2/255).
        XCTAssertLessThan(got.maxAbsDifference(want), 2e-3, "\(label): float difference", file: file, line: line)
    }

    func check(_ name: String) throws {
        let f = try load(name)
        let g = f.generator
        XCTAssertEqual(g.config.resolution, Int(f.meta["resolution"]!))
        XCTAssertEqual(g.config.zDim, Int(f.meta["z_dim"]!))
        XCTAssertEqual(g.config.mappingLayers, Int(f.meta["mapping_layers"]!))
        let seeds = f.expected["seeds"]!.data.map { UInt32($0) }
        // z from seeds, exactly numpy's.
        var z = Tensor(zeros: [seeds.count, g.config.zDim])
        for (i, s) in seeds.enumerated() { z.data.replaceSubrange(i * g.config.zDim..<(i + 1) * g.config.zDim, with: g.z(seed: s)) }
        XCTAssertLessThan(z.maxAbsDifference(f.expected["z"]!), 1e-6, "\(name): z")
        // w (psi 0.7, all rows) and w with a cutoff.
        let psi = Float(f.meta["psi"]!)!
        let ws = g.ws(z: z, truncation: psi)
        XCTAssertLessThan(ws.maxAbsDifference(f.expected["w"]!), 1e-4, "\(name): w")
        let wsCut = g.ws(z: z, truncation: Float(f.meta["cutoff_psi"]!)!, cutoff: Int(f.meta["cutoff"]!)!)
        XCTAssertLessThan(wsCut.maxAbsDifference(f.expected["w_cut"]!), 1e-4, "\(name): w_cut")
        // Images: const noise from w, from a cut w, W+ codes without noise, and an early-stopped preview.
        assertImagesMatch(g.synthesis(ws, noise: .const), f.expected["img"]!, "\(name): img")
        assertImagesMatch(g.synthesis(wsCut, noise: .const), f.expected["img_cut"]!, "\(name): img_cut")
        assertImagesMatch(g.synthesis(f.expected["wplus"]!, noise: .none), f.expected["img_wplus"]!, "\(name): img_wplus")
        assertImagesMatch(g.synthesis(ws, noise: .const, stopAt: Int(f.meta["preview_res"]!)!), f.expected["img_preview"]!, "\(name): preview")
    }

    func testNVIDIA16WithClamp() throws { try check("nv16_clamp") }
    func testNVIDIA32() throws { try check("nv32") }
    func testRosinality16() throws { try check("ros16") }
    func testRosinality32() throws { try check("ros32") }

    /// The clamp matters in nv16_clamp: without it the images differ (so the test above can fail).
    func testClampIsExercised() throws {
        let f = try load("nv16_clamp")
        let g = try Generator(contentsOf: Self.dir.appendingPathComponent("nv16_clamp.safetensors"), convClamp: .some(nil))
        let img = g.synthesis(f.expected["wplus"]!, noise: .none)
        XCTAssertGreaterThan(img.maxAbsDifference(f.expected["img_wplus"]!), 0.05)
    }

    /// Batching must not change any image: one at a time equals all at once.
    func testBatchEqualsSingles() throws {
        let f = try load("nv32")
        let g = f.generator
        let all = g.generate(seeds: [3, 4, 5])
        for (i, s) in [UInt32(3), 4, 5].enumerated() {
            let one = g.generate(seeds: [s])
            let plane = one.count
            let part = Tensor(shape: one.shape, data: Array(all.data[i * plane..<(i + 1) * plane]))
            XCTAssertLessThan(part.maxAbsDifference(one), 1e-5)
        }
    }
}
