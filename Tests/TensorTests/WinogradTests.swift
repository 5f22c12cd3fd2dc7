import XCTest
@testable import Tensor

/// Winograd F(4x4, 3x3) (the default) and F(2x2, 3x3) against the im2col + GEMM convolution on random data.
final class WinogradTests: XCTestCase {
    /// max |a - b| / max |b|.
    func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
        let m = b.data.reduce(0) { max($0, abs($1)) }
        return a.maxAbsDifference(b) / max(m, 1e-30)
    }

    func check(n: Int, ic: Int, oc: Int, h: Int, w: Int, scaled: Bool, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        for tile in [4, 2] { check(n: n, ic: ic, oc: oc, h: h, w: w, scaled: scaled, seed: seed, tile: tile, file: file, line: line) }
    }

    func check(n: Int, ic: Int, oc: Int, h: Int, w: Int, scaled: Bool, seed: UInt64, tile: Int, file: StaticString, line: UInt) {
        let x = Tensor(shape: [n, ic, h, w], data: randomArray(n * ic * h * w, seed: seed))
        let weight = randomArray(oc * ic * 9, seed: seed + 1)
        let scale = scaled ? Tensor(shape: [n, ic], data: randomArray(n * ic, seed: seed + 2).map { 0.5 + $0 }) : nil
        var direct = Tensor(zeros: [n, oc, h, w])
        Conv.conv3x3(x, weight: weight, outChannels: oc, scale: scale, into: &direct)
        var wino = Tensor(repeating: .nan, shape: [n, oc, h, w])
        Conv.conv3x3Winograd(x, weights: WinogradWeights(weight: weight, outChannels: oc, inChannels: ic, tile: tile), scale: scale,
                             into: &wino)
        XCTAssertTrue(wino.isFinite, "F(\(tile)) \(n)x\(ic)->\(oc) \(h)x\(w): unwritten outputs", file: file, line: line)
        let err = relativeError(wino, direct)
        XCTAssertLessThan(err, 1e-4, "F(\(tile)) \(n)x\(ic)->\(oc) \(h)x\(w): relative error \(err)", file: file, line: line)
    }

    func testSmallShapesIncludingOdd() {
        check(n: 1, ic: 3, oc: 4, h: 5, w: 6, scaled: true, seed: 10)
        check(n: 2, ic: 5, oc: 3, h: 7, w: 7, scaled: true, seed: 20)
        check(n: 1, ic: 2, oc: 2, h: 1, w: 1, scaled: false, seed: 30)
        check(n: 3, ic: 4, oc: 6, h: 1, w: 9, scaled: true, seed: 40)
        check(n: 2, ic: 6, oc: 5, h: 9, w: 2, scaled: false, seed: 50)
        check(n: 1, ic: 8, oc: 8, h: 4, w: 4, scaled: true, seed: 60)
    }

    /// Enough tiles that the chunks run side by side (the per-core chunk path), odd and even.
    func testLargeShapesBothPaths() {
        check(n: 2, ic: 16, oc: 24, h: 33, w: 31, scaled: true, seed: 70)
        check(n: 1, ic: 32, oc: 32, h: 64, w: 64, scaled: true, seed: 80)
        check(n: 3, ic: 64, oc: 48, h: 16, w: 15, scaled: true, seed: 90)
        check(n: 2, ic: 128, oc: 128, h: 8, w: 8, scaled: true, seed: 100)
        // Per-core chunks whose products share one ring of slots (M_t where V_{t-1} was), with more
        // output than input channels and fewer: the slot holds the larger of the two.
        check(n: 8, ic: 24, oc: 40, h: 32, w: 32, scaled: true, seed: 104)
        check(n: 8, ic: 40, oc: 24, h: 32, w: 32, scaled: false, seed: 108)
    }

    /// Tile rows wider than a per-core chunk (512 channels: 128-tile chunks) are split into column
    /// blocks; the last block is partial, and with an odd width its last output column is cropped.
    func testColumnBlocks() {
        check(n: 1, ic: 512, oc: 512, h: 4, w: 300, scaled: true, seed: 110)
        check(n: 1, ic: 512, oc: 256, h: 5, w: 301, scaled: true, seed: 120)
    }

    /// The transformed weights: U_t for a kernel with a single 1 is G e_k G^T, G written out here
    /// for F(2x2, 3x3) and F(4x4, 3x3) (Lavin and Gray).
    func testWeightTransformOfUnitKernels() {
        let g2: [[Float]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
        let g4: [[Float]] = [[0.25, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
                             [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1]]
        for (tile, g) in [(2, g2), (4, g4)] {
            let side = tile + 2
            for k in 0..<9 {
                var wt = [Float](repeating: 0, count: 9)
                wt[k] = 1
                let u = WinogradWeights(weight: wt, outChannels: 1, inChannels: 1, tile: tile).u
                XCTAssertEqual(u.count, side * side)
                for a in 0..<side { for b in 0..<side {
                    XCTAssertEqual(u[side * a + b], g[a][k / 3] * g[b][k % 3], accuracy: 1e-7, "F(\(tile)) kernel \(k), tile \(a),\(b)")
                } }
            }
        }
    }

    /// Image sizes around the 4-pixel tile: every residue of H and W modulo 4, tiles cropped on
    /// both sides, one tile row and one tile column, and widths where the 16-pixel SIMD gather
    /// runs and stops in the middle of a row.
    func testSizesAroundTheTile() {
        var seed: UInt64 = 300
        for h in [1, 2, 3, 4, 5, 6, 7, 8, 13] {
            for w in [1, 3, 4, 5, 8, 15, 16, 17, 18, 19, 33, 70] {
                check(n: 2, ic: 3, oc: 2, h: h, w: w, scaled: true, seed: seed)
                seed += 3
            }
        }
    }

    /// With an epilogue, the same as the plain convolution followed by BiasAct.apply.
    func testEpilogueMatchesBiasAct() {
        let n = 2, ic = 8, oc = 6, h = 9, w = 10, plane = h * w
        let x = Tensor(shape: [n, ic, h, w], data: randomArray(n * ic * plane, seed: 200))
        let weight = randomArray(oc * ic * 9, seed: 201)
        let scale = Tensor(shape: [n, ic], data: randomArray(n * ic, seed: 202))
        let demod = randomArray(n * oc, seed: 203).map { 1 + $0 * 0.5 }, bias = randomArray(oc, seed: 204)
        for perImage in [false, true] {
            let noise = randomArray(perImage ? n * plane : plane, seed: 205)
            let e = ConvEpilogue(demod: demod, noise: noise, noisePerImage: perImage, noiseStrength: 0.3, bias: bias,
                                 lrelu: true, clamp: 0.8)
            var ref = Tensor(zeros: [n, oc, h, w])
            Conv.conv3x3(x, weight: weight, outChannels: oc, scale: scale, into: &ref)
            ref.data.withUnsafeMutableBufferPointer { rp in
                for img in 0..<n {
                    noise.withUnsafeBufferPointer { np in
                        BiasAct.apply(rp.baseAddress! + img * oc * plane, channels: oc, plane: plane,
                                      demod: Array(demod[img * oc..<(img + 1) * oc]), noise: np.baseAddress! + (perImage ? img * plane : 0),
                                      noiseStrength: 0.3, bias: bias, lrelu: true, clamp: 0.8)
                    }
                }
            }
            var direct = Tensor(zeros: [n, oc, h, w])
            Conv.conv3x3(x, weight: weight, outChannels: oc, scale: scale, epilogue: e, into: &direct)
            XCTAssertEqual(direct, ref, "direct conv with epilogue, noise per image \(perImage)")
            for tile in [4, 2] {
                var wino = Tensor(zeros: [n, oc, h, w])
                Conv.conv3x3Winograd(x, weights: WinogradWeights(weight: weight, outChannels: oc, inChannels: ic, tile: tile),
                                     scale: scale, epilogue: e, into: &wino)
                XCTAssertLessThan(relativeError(wino, ref), 1e-4, "F(\(tile)) with epilogue, noise per image \(perImage)")
            }
        }
    }

    /// `conv3x3Winograd` with tile `tile` on each shape (n, ic, oc, h, w), with the synthesis epilogue
    /// (noise per image or shared) and without, for every vector set this CPU has: against the direct
    /// convolution within `bound(isa, w).reference` and against the Swift kernels' (SSE) result within
    /// `bound(isa, w).sse`.
    func checkEveryVectorISA(tile: Int, shapes: [(Int, Int, Int, Int, Int)], seed firstSeed: UInt64,
                             bound: (VectorISA, Int) -> (reference: Float, sse: Float)) throws {
        var sse: [Tensor] = []
        try forEachVectorISA { isa in
            var index = 0, seed = firstSeed
            for (n, ic, oc, h, w) in shapes {
                let plane = h * w, (refBound, sseBound) = bound(isa, w)
                let x = Tensor(shape: [n, ic, h, w], data: randomArray(n * ic * plane, seed: seed))
                let weight = randomArray(oc * ic * 9, seed: seed + 1)
                let scale = Tensor(shape: [n, ic], data: randomArray(n * ic, seed: seed + 2).map { 0.5 + $0 })
                let demod = randomArray(n * oc, seed: seed + 3).map { 1 + $0 * 0.5 }, bias = randomArray(oc, seed: seed + 4)
                for variant in 0..<3 {
                    let perImage = variant == 1
                    let noise = randomArray(perImage ? n * plane : plane, seed: seed + 5)
                    let e: ConvEpilogue? = variant == 2 ? nil
                        : ConvEpilogue(demod: demod, noise: noise, noisePerImage: perImage, noiseStrength: 0.3, bias: bias,
                                       lrelu: true, clamp: 0.8)
                    var ref = Tensor(zeros: [n, oc, h, w])
                    Conv.conv3x3(x, weight: weight, outChannels: oc, scale: scale, epilogue: e, into: &ref)
                    var wino = Tensor(repeating: .nan, shape: [n, oc, h, w])
                    Conv.conv3x3Winograd(x, weights: WinogradWeights(weight: weight, outChannels: oc, inChannels: ic, tile: tile),
                                         scale: scale, epilogue: e, into: &wino)
                    XCTAssertTrue(wino.isFinite, "\(isa.rawValue) \(h)x\(w) variant \(variant): unwritten outputs")
                    XCTAssertLessThan(relativeError(wino, ref), refBound, "\(isa.rawValue) \(n)x\(ic)->\(oc) \(h)x\(w) variant \(variant)")
                    if isa == .sse { sse.append(wino) } else {
                        XCTAssertLessThan(relativeError(wino, sse[index]), sseBound, "\(isa.rawValue) against sse, \(h)x\(w) variant \(variant)")
                    }
                    index += 1
                }
                seed += 10
            }
        }
    }

    /// The wide kernels (SIMDKernels, 8 and 16 tiles per vector) and the Swift ones against the direct
    /// convolution followed by BiasAct, for tile rows that fill the vectors exactly, partly and more
    /// than once (16, 24, 33 tiles), crops at both ends, noise per image or shared, and no epilogue.
    /// Each set also against the Swift kernels' (SSE) result, which only float rounding may separate.
    func testEveryVectorISAWithEpilogue() throws {
        try checkEveryVectorISA(tile: 4, shapes: [(2, 4, 3, 9, 32), (1, 3, 5, 13, 61), (2, 5, 4, 7, 64), (1, 2, 3, 17, 96),
                                                  (1, 3, 2, 6, 129), (3, 16, 8, 20, 36), (1, 32, 32, 64, 64),
                                                  // 16 and 32 wide (AVX-512: lanes over tile rows), a cropped last tile row, and
                                                  // 20 rows (5 tile rows: not whole groups, the one-row kernels instead)
                                                  (3, 16, 8, 16, 16), (2, 8, 8, 14, 16), (2, 8, 6, 32, 32), (1, 4, 4, 30, 32),
                                                  (2, 8, 8, 20, 16)], seed: 500) { isa, w in
            // F(4x4)'s rounding scales with the pre-activation, which the clamp (0.8) cuts from the reference's
            // maximum. Against SSE the same arithmetic, except AVX-512 on 16, 32 and 64 wide planes: its kernels
            // transform along y first (lanes over tile rows), so they agree to F(4x4)'s rounding only.
            let narrow = isa == .avx512 && (w == 16 || w == 32 || w == 64)
            return (3e-4, narrow ? 3e-4 : 1e-5)
        }
    }

    /// F(2x2) on planes 8 wide, which AVX-512 transforms four tile rows at a time (lanes over tile rows
    /// and tiles), and on 4 x 4 planes, four images at a time, with and without the epilogue: every
    /// vector set against the direct convolution and against the SSE kernels. 7 rows crop the last
    /// tile row; 12 rows (6 tile rows) are not whole groups of 4, nor 6 images whole fours: the
    /// one-row kernels instead.
    func testF2x2NarrowPlanesEveryVectorISA() throws {
        try checkEveryVectorISA(tile: 2, shapes: [(3, 16, 8, 8, 8), (2, 8, 8, 7, 8), (1, 8, 8, 16, 8), (2, 4, 4, 12, 8),
                                                  (8, 8, 8, 4, 4), (4, 16, 8, 4, 4), (6, 8, 4, 4, 4), (4, 4, 4, 3, 4)],
                                seed: 900) { _, _ in (1e-5, 1e-5) }
    }
}
