import XCTest
@testable import SC2Engine
import Tensor

final class ReprojectorTests: XCTestCase {
    static let model = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("parity/nv32.safetensors")

    /// A style-mixed W+ code cannot be reproduced exactly from one w; the closed-form start gets
    /// close and gradient refinement must get closer (loss falls, PSNR rises).
    func testRefinementImprovesOnTheClosedForm() throws {
        let g = try Generator(contentsOf: Self.model)
        let exp = try SafeTensors.read(Self.model.deletingLastPathComponent().appendingPathComponent("nv32.expected.safetensors"))
        let codes = exp.tensors["wplus"]!
        let p = try Reprojector(generator: g)
        let start = p.project(codes: codes, steps: 0)
        let refined = p.project(codes: codes, steps: 40)
        XCTAssertGreaterThan(Statistics.mean(refined.psnr), Statistics.mean(start.psnr) + 0.5,
                             "closed form \(start.psnr), refined \(refined.psnr)")
        XCTAssertLessThan(refined.losses.last!, refined.losses.first!)
    }

    /// Projecting a generated image into W+ recovers it closely; a broadcast code is also a W+ code,
    /// so the W+ fit is at least as good as the W fit from the same start.
    func testImageProjectionIntoWAndWPlus() throws {
        let g = try Generator(contentsOf: Self.model)
        let target = g.generate(seeds: [11])
        let p = try Reprojector(generator: g)
        let avg = Tensor(shape: [1, g.config.wDim], data: g.mapping.wAvg)
        let inW = p.refine(start: avg, target: target, steps: 60)
        let inWPlus = p.refine(start: g.broadcast(avg), target: target, steps: 60)
        XCTAssertEqual(inWPlus.w.shape, [1, g.config.numWs, g.config.wDim])
        XCTAssertGreaterThan(inW.psnr[0], Reprojector.psnr(g.synthesis(g.broadcast(avg)), target)[0] + 3)
        XCTAssertGreaterThanOrEqual(inWPlus.psnr[0], inW.psnr[0] - 0.5)
    }
}
