import XCTest
@testable import Tensor

/// The fused up-convolution (GEMM, col2im + FIR + epilogue in one pass) against the separate ops.
final class FusedConvTests: XCTestCase {
    /// The unfused reference: scale, GEMM, col2imTransposed3x3, fir4, then BiasAct per image.
    func reference(_ x: Tensor, weight: [Float], oc: Int, scale: [Float], epilogue e: ConvEpilogue?) -> Tensor {
        let n = x.shape[0], ic = x.shape[1], h = x.shape[2], w = x.shape[3], hw = h * w
        let th = 2 * h + 1, tw = 2 * w + 1, plane = 4 * hw
        var y = Tensor(zeros: [n, oc, 2 * h, 2 * w])
        for img in 0..<n {
            var xs = [Float](repeating: 0, count: ic * hw)
            for i in 0..<ic { for p in 0..<hw { xs[i * hw + p] = x.data[(img * ic + i) * hw + p] * scale[img * ic + i] } }
            var cols = [Float](repeating: 0, count: oc * 9 * hw), tmp = [Float](repeating: 0, count: oc * th * tw)
            weight.withUnsafeBufferPointer { wp in xs.withUnsafeBufferPointer { xp in cols.withUnsafeMutableBufferPointer { cp in
                gemm(m: oc * 9, n: hw, k: ic, a: wp.baseAddress!, lda: ic, b: xp.baseAddress!, ldb: hw, c: cp.baseAddress!, ldc: hw)
            } } }
            cols.withUnsafeBufferPointer { cp in tmp.withUnsafeMutableBufferPointer { tp in
                Conv.col2imTransposed3x3(cp.baseAddress!, outChannels: oc, width: w, rowStart: 0, rows: h, ldc: hw,
                                         out: tp.baseAddress!, outHeight: th, outWidth: tw)
            } }
            tmp.withUnsafeBufferPointer { tp in y.data.withUnsafeMutableBufferPointer { yp in
                let dst = yp.baseAddress! + img * oc * plane
                Conv.fir4(tp.baseAddress!, channels: oc, height: th, width: tw, taps: (0.25, 0.75, 0.75, 0.25), pad: 1, 1, out: dst)
                if let e {
                    (e.noise ?? []).withUnsafeBufferPointer { np in
                        BiasAct.apply(dst, channels: oc, plane: plane, demod: Array(e.demod![img * oc..<(img + 1) * oc]),
                                      noise: e.noise == nil ? nil : np.baseAddress! + (e.noisePerImage ? img * plane : 0),
                                      noiseStrength: e.noiseStrength, bias: e.bias!, lrelu: e.lrelu, clamp: e.clamp)
                    }
                }
            } }
        }
        return y
    }

    /// The epilogues a kernel may be specialised for: none, all of it, leaky ReLU without noise, noise without it.
    enum EpilogueCase: CaseIterable { case none, full, lreluNoNoise, noiseLinear }

    func check(n: Int, ic: Int, oc: Int, h: Int, w: Int, withEpilogue: Bool, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        check(n: n, ic: ic, oc: oc, h: h, w: w, epilogue: withEpilogue ? .full : .none, seed: seed, file: file, line: line)
    }

    func check(n: Int, ic: Int, oc: Int, h: Int, w: Int, epilogue kind: EpilogueCase, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        let x = Tensor(shape: [n, ic, h, w], data: randomArray(n * ic * h * w, seed: seed))
        let weight = randomArray(oc * 9 * ic, seed: seed + 1)
        let scale = randomArray(n * ic, seed: seed + 2)
        let plane = 4 * h * w
        let demod = randomArray(n * oc, seed: seed + 3).map { 1 + 0.5 * $0 }
        let noise = randomArray(n * plane, seed: seed + 4), bias = randomArray(oc, seed: seed + 5)
        let e: ConvEpilogue?
        switch kind {
        case .none: e = nil
        case .full: e = ConvEpilogue(demod: demod, noise: noise, noisePerImage: true, noiseStrength: 0.2, bias: bias, lrelu: true, clamp: 1.5)
        case .lreluNoNoise: e = ConvEpilogue(demod: demod, noise: nil, noisePerImage: false, noiseStrength: 0, bias: bias, lrelu: true, clamp: 1.5)
        case .noiseLinear: e = ConvEpilogue(demod: demod, noise: noise, noisePerImage: true, noiseStrength: 0.2, bias: bias, lrelu: false, clamp: nil)
        }
        let ref = reference(x, weight: weight, oc: oc, scale: scale, epilogue: e)
        var got = Tensor(repeating: .nan, shape: [n, oc, 2 * h, 2 * w])
        Conv.upConv3x3FIR(x, weight: weight, outChannels: oc, scale: Tensor(shape: [n, ic], data: scale), epilogue: e, into: &got)
        XCTAssertTrue(got.isFinite, "unwritten outputs", file: file, line: line)
        let m = ref.data.reduce(0) { max($0, abs($1)) }
        XCTAssertLessThan(got.maxAbsDifference(ref) / m, 1e-5, "\(n)x\(ic)->\(oc) \(h)x\(w) \(kind)", file: file, line: line)
    }

    /// The wide FIR kernels (8 and 16 input columns per vector) and the Swift one: widths that fill
    /// the vectors exactly, partly and more than once, with and without the epilogue.
    func testUpConvEveryVectorISA() throws {
        try forEachVectorISA { _ in
            var seed: UInt64 = 40
            for w in [8, 9, 15, 16, 17, 31, 32, 33, 48] {
                check(n: 2, ic: 3, oc: 4, h: 5, w: w, withEpilogue: true, seed: seed)
                check(n: 1, ic: 2, oc: 3, h: 3, w: w, withEpilogue: false, seed: seed + 5)
                seed += 10
            }
            // Every epilogue the kernels specialise for, at widths of whole vectors and not.
            for w in [16, 32, 20] {
                for kind in EpilogueCase.allCases {
                    check(n: 2, ic: 3, oc: 2, h: 4, w: w, epilogue: kind, seed: seed)
                    seed += 10
                }
            }
            // 4 and 8 wide, whole groups of 16 / w rows (AVX-512: rows side by side in the lanes) and not
            for (h, w) in [(4, 4), (8, 4), (12, 4), (2, 8), (4, 8), (8, 8), (6, 4)] {
                check(n: 2, ic: 3, oc: 4, h: h, w: w, withEpilogue: true, seed: seed)
                check(n: 1, ic: 2, oc: 3, h: h, w: w, withEpilogue: false, seed: seed + 5)
                seed += 10
            }
        }
    }

    func testUpConvBatched() {
        check(n: 2, ic: 3, oc: 4, h: 3, w: 5, withEpilogue: false, seed: 1)
        check(n: 3, ic: 5, oc: 2, h: 4, w: 4, withEpilogue: true, seed: 2)
        check(n: 1, ic: 2, oc: 3, h: 1, w: 1, withEpilogue: true, seed: 3)
    }

    /// Large enough for bands of rows (columnBudget), with the carried rows between bands;
    /// both ways of applying the modulation (to the weights when O*9 < H*W, else to the image).
    func testUpConvBanded() {
        // O*9*W = 4608 * 16 floats per row: 54-row bands over 128 rows; O*9 >= H*W: the image is scaled.
        check(n: 1, ic: 4, oc: 512, h: 128, w: 16, withEpilogue: true, seed: 4)
        // 36 * 512 floats per row: 225-row bands over 700; O*9 < H*W: the weights are scaled.
        check(n: 2, ic: 3, oc: 4, h: 700, w: 512, withEpilogue: true, seed: 5)
    }

    /// BiasAct-identical epilogue in the plain conv3x3 tiled path (row tiles, epilogue per tile).
    func testConv3x3TiledEpilogue() {
        let n = 1, ic = 2, oc = 3, h = 600, w = 800, plane = h * w   // 18 * 480000 > columnBudget: tiled
        let x = Tensor(shape: [n, ic, h, w], data: randomArray(n * ic * plane, seed: 9))
        let weight = randomArray(oc * ic * 9, seed: 10), bias = randomArray(oc, seed: 11), demod: [Float] = [0.5, 1.5, 2]
        let noise = randomArray(plane, seed: 12)
        var ref = Tensor(zeros: [n, oc, h, w])
        Conv.conv3x3(x, weight: weight, outChannels: oc, scale: nil, into: &ref)
        ref.data.withUnsafeMutableBufferPointer { rp in
            BiasAct.apply(rp.baseAddress!, channels: oc, plane: plane, demod: demod, noise: noise, noiseStrength: 0.5,
                          bias: bias, lrelu: true, clamp: 1)
        }
        var got = Tensor(zeros: [n, oc, h, w])
        Conv.conv3x3(x, weight: weight, outChannels: oc, scale: nil,
                     epilogue: ConvEpilogue(demod: demod, noise: noise, noisePerImage: false, noiseStrength: 0.5, bias: bias,
                                            lrelu: true, clamp: 1), into: &got)
        XCTAssertEqual(got, ref)
    }

    /// The up-layer Winograd algorithm against the GEMM-based `upConv3x3FIR` (itself checked against
    /// the separate ops above): odd and even sizes, and chunks that cut images (carried T rows).
    func checkUpWinograd(n: Int, ic: Int, oc: Int, h: Int, w: Int, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        let x = Tensor(shape: [n, ic, h, w], data: randomArray(n * ic * h * w, seed: seed))
        let raw = randomArray(oc * ic * 9, seed: seed + 1)        // [O, I, 3, 3]
        var t = [Float](repeating: 0, count: oc * 9 * ic)         // [O*9, I]
        for o in 0..<oc { for i in 0..<ic { for k in 0..<9 { t[(o * 9 + k) * ic + i] = raw[(o * ic + i) * 9 + k] } } }
        let scale = Tensor(shape: [n, ic], data: randomArray(n * ic, seed: seed + 2))
        let plane = 4 * h * w
        let e = ConvEpilogue(demod: randomArray(n * oc, seed: seed + 3).map { 1 + 0.5 * $0 }, noise: randomArray(plane, seed: seed + 4),
                             noisePerImage: false, noiseStrength: 0.2, bias: randomArray(oc, seed: seed + 5), lrelu: true, clamp: nil)
        for epilogue in [nil, e] {
            var ref = Tensor(zeros: [n, oc, 2 * h, 2 * w])
            Conv.upConv3x3FIR(x, weight: t, outChannels: oc, scale: scale, epilogue: epilogue, into: &ref)
            var got = Tensor(repeating: .nan, shape: [n, oc, 2 * h, 2 * w])
            Conv.upConv3x3FIRWinograd(x, weights: UpWinogradWeights(weight: raw, outChannels: oc, inChannels: ic), scale: scale,
                                      epilogue: epilogue, into: &got)
            XCTAssertTrue(got.isFinite, "unwritten outputs", file: file, line: line)
            let m = ref.data.reduce(0) { max($0, abs($1)) }
            XCTAssertLessThan(got.maxAbsDifference(ref) / m, 1e-5, "\(n)x\(ic)->\(oc) \(h)x\(w)", file: file, line: line)
        }
    }

    func testUpWinogradSmallAndOdd() {
        checkUpWinograd(n: 1, ic: 2, oc: 3, h: 1, w: 1, seed: 20)
        checkUpWinograd(n: 2, ic: 3, oc: 2, h: 2, w: 3, seed: 21)
        checkUpWinograd(n: 2, ic: 4, oc: 5, h: 7, w: 5, seed: 22)
        checkUpWinograd(n: 3, ic: 5, oc: 4, h: 8, w: 8, seed: 23)
        checkUpWinograd(n: 1, ic: 16, oc: 8, h: 13, w: 16, seed: 24)
    }

    /// 3 images of 33 tile rows, 2624 floats per tile: chunks of 48 tile rows, cutting image 1 and 2.
    func testUpWinogradChunked() {
        checkUpWinograd(n: 3, ic: 64, oc: 64, h: 64, w: 64, seed: 30)
        checkUpWinograd(n: 2, ic: 32, oc: 48, h: 51, w: 97, seed: 31)
    }

    /// The transformed weights reproduce the transposed convolution: for a 1x1 input (one tile),
    /// T = A^T (U * V) A is the 3x3 kernel itself.
    func testUpWinogradWeightsOfUnitKernels() {
        for k in 0..<9 {
            var raw = [Float](repeating: 0, count: 9)
            raw[k] = 1
            let u = UpWinogradWeights(weight: raw, outChannels: 1, inChannels: 1).u
            // Per axis u = (w2, w0 + w2, w0, w1, w1).
            let ky = k / 3, kx = k % 3
            func ax(_ c: Int) -> [Float] { [c == 2 ? 1 : 0, c != 1 ? 1 : 0, c == 0 ? 1 : 0, c == 1 ? 1 : 0, c == 1 ? 1 : 0] }
            for a in 0..<5 { for b in 0..<5 {
                XCTAssertEqual(u[UpWinograd.slot[a * 5 + b]], ax(ky)[a] * ax(kx)[b], "kernel \(k), product \(a),\(b)")
            } }
        }
    }
}
