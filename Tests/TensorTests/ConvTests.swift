import XCTest
@testable import Tensor

/// Each op against a plain loop written straight from its definition.
final class ConvTests: XCTestCase {
    func testGEMMMatchesLoops() {
        let m = 5, n = 7, k = 3
        let a = randomArray(m * k, seed: 1), b = randomArray(k * n, seed: 2)
        let c = Tensor.matmul(Tensor(shape: [m, k], data: a), Tensor(shape: [k, n], data: b))
        for i in 0..<m { for j in 0..<n {
            var s: Float = 0
            for p in 0..<k { s += a[i * k + p] * b[p * n + j] }
            XCTAssertEqual(c.data[i * n + j], s, accuracy: 1e-5)
        } }
        // Transposed operands.
        let ct = Tensor.matmul(Tensor(shape: [k, m], data: transpose(a, m, k)), Tensor(shape: [n, k], data: transpose(b, k, n)),
                               transA: true, transB: true)
        XCTAssertLessThan(ct.maxAbsDifference(c), 1e-5)
    }

    func transpose(_ x: [Float], _ r: Int, _ c: Int) -> [Float] {
        var o = [Float](repeating: 0, count: r * c)
        for i in 0..<r { for j in 0..<c { o[j * r + i] = x[i * c + j] } }
        return o
    }

    /// conv3x3 via im2col + GEMM == direct correlation with zero padding 1.
    func testIm2colConvMatchesDirect() {
        let c = 3, o = 4, h = 5, w = 6
        let x = randomArray(c * h * w, seed: 3), wt = randomArray(o * c * 9, seed: 4)
        let scale = randomArray(c, seed: 5)
        var cols = [Float](repeating: .nan, count: c * 9 * h * w)
        var out = [Float](repeating: 0, count: o * h * w)
        x.withUnsafeBufferPointer { xp in scale.withUnsafeBufferPointer { sp in cols.withUnsafeMutableBufferPointer { cp in
            Conv.im2col3x3(xp.baseAddress!, channels: c, height: h, width: w, scale: sp.baseAddress!, rowStart: 0, rows: h,
                           cols: cp.baseAddress!, ldc: h * w, colOffset: 0)
        } } }
        wt.withUnsafeBufferPointer { wp in cols.withUnsafeBufferPointer { cp in out.withUnsafeMutableBufferPointer { op in
            gemm(m: o, n: h * w, k: c * 9, a: wp.baseAddress!, lda: c * 9, b: cp.baseAddress!, ldb: h * w, c: op.baseAddress!, ldc: h * w)
        } } }
        for oc in 0..<o { for y in 0..<h { for xx in 0..<w {
            var s: Float = 0
            for ic in 0..<c { for ky in 0..<3 { for kx in 0..<3 {
                let yy = y + ky - 1, xi = xx + kx - 1
                if yy >= 0 && yy < h && xi >= 0 && xi < w {
                    s += wt[((oc * c + ic) * 3 + ky) * 3 + kx] * x[(ic * h + yy) * w + xi] * scale[ic]
                }
            } } }
            XCTAssertEqual(out[(oc * h + y) * w + xx], s, accuracy: 1e-4)
        } } }
        // A row tile of the same image gives the same columns.
        var tile = [Float](repeating: .nan, count: c * 9 * 2 * w)
        x.withUnsafeBufferPointer { xp in scale.withUnsafeBufferPointer { sp in tile.withUnsafeMutableBufferPointer { tp in
            Conv.im2col3x3(xp.baseAddress!, channels: c, height: h, width: w, scale: sp.baseAddress!, rowStart: 2, rows: 2,
                           cols: tp.baseAddress!, ldc: 2 * w, colOffset: 0)
        } } }
        for r in 0..<(c * 9) { for j in 0..<(2 * w) { XCTAssertEqual(tile[r * 2 * w + j], cols[r * h * w + 2 * w + j]) } }
    }

    /// GEMM + col2im == the definition of conv_transpose2d(x, W^T, stride 2): out[o, 2y+ky, 2x+kx] += W[o,i,ky,kx] x[i,y,x].
    func testTransposedConvMatchesDefinition() {
        let c = 2, o = 3, h = 3, w = 4
        let x = randomArray(c * h * w, seed: 6), wt = randomArray(o * c * 9, seed: 7)
        var a = [Float](repeating: 0, count: o * 9 * c)   // [O*9, I]
        for oc in 0..<o { for ic in 0..<c { for k in 0..<9 { a[(oc * 9 + k) * c + ic] = wt[(oc * c + ic) * 9 + k] } } }
        var cols = [Float](repeating: 0, count: o * 9 * h * w)
        let th = 2 * h + 1, tw = 2 * w + 1
        var out = [Float](repeating: 0, count: o * th * tw)
        a.withUnsafeBufferPointer { ap in x.withUnsafeBufferPointer { xp in cols.withUnsafeMutableBufferPointer { cp in
            gemm(m: o * 9, n: h * w, k: c, a: ap.baseAddress!, lda: c, b: xp.baseAddress!, ldb: h * w, c: cp.baseAddress!, ldc: h * w)
        } } }
        cols.withUnsafeBufferPointer { cp in out.withUnsafeMutableBufferPointer { op in
            Conv.col2imTransposed3x3(cp.baseAddress!, outChannels: o, width: w, rowStart: 0, rows: h, ldc: h * w,
                                     out: op.baseAddress!, outHeight: th, outWidth: tw)
        } }
        var ref = [Float](repeating: 0, count: o * th * tw)
        for oc in 0..<o { for ic in 0..<c { for y in 0..<h { for xx in 0..<w { for ky in 0..<3 { for kx in 0..<3 {
            ref[(oc * th + 2 * y + ky) * tw + 2 * xx + kx] += wt[((oc * c + ic) * 3 + ky) * 3 + kx] * x[(ic * h + y) * w + xx]
        } } } } } }
        for i in 0..<ref.count { XCTAssertEqual(out[i], ref[i], accuracy: 1e-5) }
    }

    /// Separable FIR == the 2-D filter outer(k,k)/64 * 4 applied with zero padding (hand-written loop).
    func testFIRMatchesTwoDimensionalFilter() {
        let c = 2, h = 5, w = 7, p0 = 1, p1 = 1
        let x = randomArray(c * h * w, seed: 8)
        let k: [Float] = [1, 3, 3, 1]
        let oh = h + p0 + p1 - 3, ow = w + p0 + p1 - 3
        var out = [Float](repeating: 0, count: c * oh * ow)
        x.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { op in
            Conv.fir4(xp.baseAddress!, channels: c, height: h, width: w, taps: (0.25, 0.75, 0.75, 0.25), pad: p0, p1, out: op.baseAddress!)
        } }
        for ci in 0..<c { for y in 0..<oh { for xx in 0..<ow {
            var s: Float = 0
            for i in 0..<4 { for j in 0..<4 {
                let yy = y + i - p0, xi = xx + j - p0
                if yy >= 0 && yy < h && xi >= 0 && xi < w { s += k[i] * k[j] / 64 * 4 * x[(ci * h + yy) * w + xi] }
            } }
            XCTAssertEqual(out[(ci * oh + y) * ow + xx], s, accuracy: 1e-5)
        } } }
    }

    /// upsample2x == zero-insertion then the 4x4 FIR with pad [2,1], gain 4 (upfirdn2d's definition).
    func testUpsampleMatchesUpfirdn() {
        let c = 1, h = 3, w = 4
        let x = randomArray(c * h * w, seed: 9)
        var out = [Float](repeating: 0, count: 4 * h * w)
        x.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { op in
            Conv.upsample2x(xp.baseAddress!, channels: c, height: h, width: w, out: op.baseAddress!)
        } }
        var z = [Float](repeating: 0, count: 4 * h * w)   // zero-inserted [2h, 2w]
        for y in 0..<h { for xx in 0..<w { z[(2 * y) * 2 * w + 2 * xx] = x[y * w + xx] } }
        let k: [Float] = [1, 3, 3, 1]
        for y in 0..<(2 * h) { for xx in 0..<(2 * w) {
            var s: Float = 0
            for i in 0..<4 { for j in 0..<4 {
                let yy = y + i - 2, xi = xx + j - 2
                if yy >= 0 && yy < 2 * h && xi >= 0 && xi < 2 * w { s += k[3 - i] * k[3 - j] / 64 * 4 * z[yy * 2 * w + xi] }
            } }
            XCTAssertEqual(out[y * 2 * w + xx], s, accuracy: 1e-5)
        } }
    }

    /// upsample2x with `adding`: the skip path's sum, for enough planes to run side by side, equals the
    /// plain upsample plus the addend, value for value.
    func testUpsampleAddingSumsEveryPlane() {
        let c = 48, h = 32, w = 32, plane = 4 * h * w
        let x = randomArray(c * h * w, seed: 19), addend = randomArray(c * plane, seed: 20)
        var plain = [Float](repeating: 0, count: c * plane), summed = [Float](repeating: .nan, count: c * plane)
        x.withUnsafeBufferPointer { xp in addend.withUnsafeBufferPointer { ap in
            plain.withUnsafeMutableBufferPointer { op in
                Conv.upsample2x(xp.baseAddress!, channels: c, height: h, width: w, out: op.baseAddress!)
            }
            summed.withUnsafeMutableBufferPointer { op in
                Conv.upsample2x(xp.baseAddress!, channels: c, height: h, width: w, out: op.baseAddress!, adding: ap.baseAddress!)
            }
        } }
        for i in 0..<(c * plane) where summed[i] != plain[i] + addend[i] {
            XCTFail("value \(i): \(summed[i]) != \(plain[i]) + \(addend[i])"); return
        }
    }

    /// ToRGB's modulated 1x1 convolution against the sum written out, with images side by side (4 x 3 x 32
    /// x 64 x 64 multiply-adds) and one image alone, clamped and not.
    func testModulatedConv1x1() {
        for (n, c, h, w, clamp) in [(4, 32, 64, 64, Float(0.5)), (1, 5, 3, 7, nil), (3, 16, 33, 31, nil)] as [(Int, Int, Int, Int, Float?)] {
            let hw = h * w, oc = 3
            let x = Tensor(shape: [n, c, h, w], data: randomArray(n * c * hw, seed: 30)), weight = randomArray(oc * c, seed: 31)
            let scale = Tensor(shape: [n, c], data: randomArray(n * c, seed: 32)), bias = randomArray(oc, seed: 33)
            let got = Conv.modulatedConv1x1(x, weight: weight, outChannels: oc, scale: scale, bias: bias, clamp: clamp)
            XCTAssertEqual(got.shape, [n, oc, h, w])
            var worst: Float = 0
            for img in 0..<n { for o in 0..<oc { for p in 0..<hw {
                var v: Double = Double(bias[o])
                for i in 0..<c { v += Double(weight[o * c + i]) * Double(scale.data[img * c + i]) * Double(x.data[(img * c + i) * hw + p]) }
                if let clamp { v = min(max(v, -Double(clamp)), Double(clamp)) }
                worst = max(worst, abs(got.data[(img * oc + o) * hw + p] - Float(v)))
            } } }
            XCTAssertLessThan(worst, 1e-5, "\(n)x\(c) \(h)x\(w)")
        }
    }

    func testBiasActLeakyReluGainAndClamp() {
        var y: [Float] = [1, -1, 10, -10]
        let d: [Float] = [2, 0.5], b: [Float] = [0, 1], noise: [Float] = [1, 0]
        y.withUnsafeMutableBufferPointer { yp in
            BiasAct.apply(yp.baseAddress!, channels: 2, plane: 2, demod: d, noise: noise, noiseStrength: 0.5,
                          bias: b, lrelu: true, clamp: 5)
        }
        let g = Float(2).squareRoot()
        XCTAssertEqual(y[0], (1 * 2 + 0.5) * g, accuracy: 1e-6)          // 3.54
        XCTAssertEqual(y[1], 0.2 * (-1 * 2) * g, accuracy: 1e-6)         // negative slope
        XCTAssertEqual(y[2], 5, accuracy: 1e-6)                          // (10*.5+.5+1)*g = 9.19 -> clamp
        XCTAssertEqual(y[3], 0.2 * (-10 * 0.5 + 1) * g, accuracy: 1e-6)  // -1.13, inside the clamp
    }
}
