import XCTest
@testable import SC2Engine
import Tensor

/// dL/dws from `forwardBackward` against central finite differences of the forward pass, on the
/// random-weight parity models (one with conv_clamp 0.5, so the clamp's zero gradient is exercised).
final class SynthesisGradientTests: XCTestCase {
    static let dir = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("parity")

    func model(_ name: String, clamp: Float?) throws -> (Generator, Tensor) {
        let g = try Generator(contentsOf: Self.dir.appendingPathComponent("\(name).safetensors"), convClamp: .some(clamp))
        let ws = try SafeTensors.read(Self.dir.appendingPathComponent("\(name).expected.safetensors")).tensors["wplus"]!
        return (g, ws)
    }

    func random(_ n: Int, seed: UInt64) -> [Float] {
        var r = Xoshiro(seed: seed)
        return (0..<n).map { _ in Float(r.uniform(-1, 1)) }
    }

    /// L = sum(c * image), in Double.
    func loss(_ img: Tensor, _ c: [Float]) -> Double {
        zip(img.data, c).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Region of every layer output of a forward pass (lrelu side, or clamped; ToRGB is linear up
    /// to its clamp): the synthesis is smooth along a segment whose two ends have the same regions.
    func regions(_ g: Generator, _ ws: Tensor, noise: NoiseMode, seed: UInt64) -> [UInt8] {
        let lim = g.config.convClamp ?? .infinity
        func region(_ layer: SynthesisNetwork.LayerRecord?, lrelu: Bool) -> [UInt8] {
            layer?.output.data.map { abs($0) >= lim ? 2 : lrelu && $0 > 0 ? 1 : 0 } ?? []
        }
        return g.synthesis.synthesize(ws, noise: noise, stopAt: nil, seed: seed, record: true).blocks
            .flatMap { region($0.conv0, lrelu: true) + region($0.conv1, lrelu: true) + region($0.torgb, lrelu: false) }
    }

    /// Checks `analytic` = dL/dp for L(p) = sum(c * synthesis(makeWs(p))) against central differences
    /// on random coordinates of p. Float rounding and the kinks of lrelu and clamp limit what finite
    /// differences can resolve, so each coordinate uses the largest step in `steps` over which no
    /// layer output changes region (the function is smooth there), and coordinates with a kink
    /// closer than the smallest step are skipped. Error: |fd - analytic| / max(|fd|, |analytic|, rms),
    /// rms the root mean square of the whole gradient (entries far smaller are compared at that scale).
    func check(_ g: Generator, params p: Tensor, makeWs: (Tensor) -> Tensor, analytic: [Double], c: [Float],
               noise: NoiseMode, seed: UInt64, coordinates: Int, steps: [Float] = [4e-3, 2e-3, 1e-3],
               file: StaticString = #filePath, line: UInt = #line) -> (worst: Double, skipped: Int) {
        let rms = (analytic.map { $0 * $0 }.reduce(0, +) / Double(analytic.count)).squareRoot()
        var order = Array(0..<p.count)
        var r = Xoshiro(seed: 7)
        order.shuffle(using: &r)
        var worst = 0.0, used = 0, skipped = 0
        for k in order where used < coordinates {
            func shifted(_ h: Float) -> Tensor { var q = p; q.data[k] += h; return makeWs(q) }
            guard let h = steps.first(where: { regions(g, shifted($0), noise: noise, seed: seed) == regions(g, shifted(-$0), noise: noise, seed: seed) })
            else { skipped += 1; continue }
            let step = Double(p.data[k] + h) - Double(p.data[k] - h)   // as represented in Float
            let fd = (loss(g.synthesis(shifted(h), noise: noise, seed: seed), c) - loss(g.synthesis(shifted(-h), noise: noise, seed: seed), c)) / step
            worst = max(worst, abs(fd - analytic[k]) / max(abs(fd), abs(analytic[k]), rms))
            used += 1
        }
        XCTAssertEqual(used, coordinates, "too few coordinates without a kink nearby", file: file, line: line)
        return (worst, skipped)
    }

    /// dL/dws on `coordinates` random entries; also checks the recorded forward is the forward.
    func checkWs(_ g: Generator, _ ws: Tensor, noise: NoiseMode, seed: UInt64 = 0, coordinates: Int,
                 file: StaticString = #filePath, line: UInt = #line) -> (worst: Double, skipped: Int) {
        let c = random(ws.shape[0] * 3 * g.config.resolution * g.config.resolution, seed: 99)
        let result = g.synthesis.forwardBackward(ws, noise: noise, seed: seed) { img in
            (self.loss(img, c), Tensor(shape: img.shape, data: c))
        }
        XCTAssertEqual(result.image, g.synthesis(ws, noise: noise, seed: seed), "the recorded forward is the forward", file: file, line: line)
        XCTAssertEqual(result.loss, loss(result.image, c), file: file, line: line)
        XCTAssertEqual(result.gradient.shape, ws.shape, file: file, line: line)
        return check(g, params: ws, makeWs: { $0 }, analytic: result.gradient.data.map(Double.init), c: c,
                     noise: noise, seed: seed, coordinates: coordinates, file: file, line: line)
    }

    func testGradientWithClamp() throws {
        let (g, ws) = try model("nv16_clamp", clamp: 0.5)
        // The clamp is active: a share of the layers' outputs sit at ±0.5 (zero gradient there).
        let outputs = regions(g, ws, noise: .const, seed: 0)
        let clamped = outputs.filter { $0 == 2 }.count
        print("nv16_clamp: \(clamped) of \(outputs.count) layer outputs clamped")
        XCTAssertGreaterThan(clamped, outputs.count / 20)
        let (worst, skipped) = checkWs(g, ws, noise: .const, coordinates: 40)
        print("nv16_clamp (clamp 0.5, const noise): worst relative error \(worst) on 40 coordinates (\(skipped) skipped)")
        XCTAssertLessThan(worst, 1e-2)
    }

    func testGradientWithoutClamp() throws {
        let (g, ws) = try model("nv32", clamp: nil)
        let (worst, skipped) = checkWs(g, ws, noise: .none, coordinates: 40)
        print("nv32 (no clamp, no noise): worst relative error \(worst) on 40 coordinates (\(skipped) skipped)")
        XCTAssertLessThan(worst, 1e-2)
    }

    /// Random noise: the backward uses the forward's draws (another draw changes the gradient).
    func testGradientWithRandomNoise() throws {
        let (g, ws) = try model("nv32", clamp: nil)
        let c = Tensor(shape: [ws.shape[0], 3, 32, 32], data: random(ws.shape[0] * 3 * 32 * 32, seed: 1))
        let g5 = g.synthesis.forwardBackward(ws, noise: .random, seed: 5) { _ in (0, c) }.gradient
        let g6 = g.synthesis.forwardBackward(ws, noise: .random, seed: 6) { _ in (0, c) }.gradient
        XCTAssertGreaterThan(g5.maxAbsDifference(g6), 1e-2)
        let (worst, skipped) = checkWs(g, ws, noise: .random, seed: 5, coordinates: 24)
        print("nv32 (no clamp, random noise): worst relative error \(worst) on 24 coordinates (\(skipped) skipped)")
        XCTAssertLessThan(worst, 1e-2)
    }

    /// A single w broadcast to every row: its gradient is the sum of the rows' gradients
    /// (checked against finite differences that move all rows together).
    func testBroadcastWGetsSumOfRowGradients() throws {
        let (g, wsPlus) = try model("nv16_clamp", clamp: 0.5)
        let n = wsPlus.shape[0], nw = g.config.numWs, d = g.config.wDim
        var w = Tensor(zeros: [n, d])
        for i in 0..<n { for k in 0..<d { w.data[i * d + k] = wsPlus.data[i * nw * d + k] } }
        let c = random(n * 3 * g.config.resolution * g.config.resolution, seed: 3)
        let gws = g.synthesis.forwardBackward(g.broadcast(w)) { img in (self.loss(img, c), Tensor(shape: img.shape, data: c)) }.gradient
        var gw = [Double](repeating: 0, count: n * d)
        for i in 0..<n { for l in 0..<nw { for k in 0..<d { gw[i * d + k] += Double(gws.data[(i * nw + l) * d + k]) } } }
        let (worst, skipped) = check(g, params: w, makeWs: { g.broadcast($0) }, analytic: gw, c: c,
                                     noise: .const, seed: 0, coordinates: 16, steps: [4e-3, 2e-3, 1e-3, 5e-4])
        print("nv16_clamp broadcast w: worst relative error \(worst) on 16 coordinates (\(skipped) skipped)")
        XCTAssertLessThan(worst, 1e-2)
    }

    /// Images are independent: the batch's gradient rows equal each image's own gradient.
    func testBatchGradientEqualsSingles() throws {
        let (g, ws) = try model("nv32", clamp: nil)
        let n = ws.shape[0], per = ws.count / n, pix = 3 * g.config.resolution * g.config.resolution
        let c = random(n * pix, seed: 4)
        let all = g.synthesis.forwardBackward(ws) { img in (self.loss(img, c), Tensor(shape: img.shape, data: c)) }.gradient
        for i in 0..<n {
            let one = Tensor(shape: [1] + Array(ws.shape.dropFirst()), data: Array(ws.data[i * per..<(i + 1) * per]))
            let ci = Array(c[i * pix..<(i + 1) * pix])
            let gi = g.synthesis.forwardBackward(one) { img in (self.loss(img, ci), Tensor(shape: img.shape, data: ci)) }.gradient
            let batchRow = Tensor(shape: gi.shape, data: Array(all.data[i * per..<(i + 1) * per]))
            XCTAssertLessThan(batchRow.maxAbsDifference(gi), 1e-4 * max(1, gi.data.map { abs($0) }.max()!))
        }
    }
}
