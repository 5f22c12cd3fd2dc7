import XCTest
@testable import Tensor

/// Every adjoint against its forward op by the dot-product test <A x, g> == <x, A^T g> on random data.
final class ConvAdjointTests: XCTestCase {
    func random(_ n: Int, seed: UInt64) -> [Float] {
        var s = seed &* 0x9E37_79B9_7F4A_7C15
        return (0..<n).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: s >> 11) % 2000) / 1000 - 1
        }
    }

    func dot(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count)
        return zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    func assertAdjoint(_ ax: [Float], _ g: [Float], _ x: [Float], _ atg: [Float], _ label: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        let lhs = dot(ax, g), rhs = dot(x, atg)
        let scale = max(abs(lhs), abs(rhs), 1)
        XCTAssertLessThan(abs(lhs - rhs) / scale, 1e-5, "\(label): <Ax,g> = \(lhs), <x,A^T g> = \(rhs)", file: file, line: line)
    }

    /// col2im3x3 is the adjoint of im2col3x3, also for a row tile in the middle of the image.
    func testCol2imIsAdjointOfIm2col() {
        let c = 3, h = 5, w = 7
        for (y0, rows) in [(0, h), (1, 3), (4, 1)] {
            let ldc = rows * w + 2   // a wider leading dimension than needed
            let x = random(c * h * w, seed: 1), g = random(c * 9 * ldc, seed: 2)
            var cols = [Float](repeating: 0, count: c * 9 * ldc), back = [Float](repeating: 0, count: c * h * w)
            x.withUnsafeBufferPointer { xp in cols.withUnsafeMutableBufferPointer { cp in
                Conv.im2col3x3(xp.baseAddress!, channels: c, height: h, width: w, scale: nil, rowStart: y0, rows: rows,
                               cols: cp.baseAddress!, ldc: ldc, colOffset: 0)
            } }
            // Only the columns im2col writes take part.
            var gUsed = g
            for r in 0..<(c * 9) { for j in (rows * w)..<ldc { gUsed[r * ldc + j] = 0; cols[r * ldc + j] = 0 } }
            gUsed.withUnsafeBufferPointer { gp in back.withUnsafeMutableBufferPointer { bp in
                Conv.col2im3x3(gp.baseAddress!, channels: c, height: h, width: w, rowStart: y0, rows: rows, ldc: ldc, out: bp.baseAddress!)
            } }
            assertAdjoint(cols, gUsed, x, back, "rows \(y0)+\(rows)")
        }
    }

    /// conv3x3Adjoint is the adjoint of conv3x3 (batched), in one GEMM and in row tiles.
    func testConv3x3Adjoint() {
        // The second case is big enough (I*9*H*W > columnBudget) to take the tiled paths.
        for (n, ic, oc, h, w) in [(2, 3, 4, 5, 6), (1, 64, 3, 128, 130)] {
            let x = Tensor(shape: [n, ic, h, w], data: random(n * ic * h * w, seed: 3))
            let g = Tensor(shape: [n, oc, h, w], data: random(n * oc * h * w, seed: 4))
            let weight = random(oc * ic * 9, seed: 5)
            var y = Tensor(zeros: [n, oc, h, w]), back = Tensor(repeating: .nan, shape: [n, ic, h, w])
            Conv.conv3x3(x, weight: weight, outChannels: oc, scale: nil, into: &y)
            Conv.conv3x3Adjoint(g, weight: weight, inChannels: ic, into: &back)
            assertAdjoint(y.data, g.data, x.data, back.data, "conv3x3 \(ic)x\(h)x\(w)")
        }
    }

    /// im2col3x3Stride2 is the adjoint of col2imTransposed3x3 (row tiles included).
    func testStride2Im2colIsAdjointOfCol2im() {
        let c = 2, h = 4, w = 3, gh = 2 * h + 1, gw = 2 * w + 1
        for (y0, rows) in [(0, h), (1, 2)] {
            let ldc = rows * w
            let cols = random(c * 9 * ldc, seed: 6), g = random(c * gh * gw, seed: 7)
            var out = [Float](repeating: 0, count: c * gh * gw), back = [Float](repeating: .nan, count: c * 9 * ldc)
            cols.withUnsafeBufferPointer { cp in out.withUnsafeMutableBufferPointer { op in
                Conv.col2imTransposed3x3(cp.baseAddress!, outChannels: c, width: w, rowStart: y0, rows: rows, ldc: ldc,
                                         out: op.baseAddress!, outHeight: gh, outWidth: gw)
            } }
            g.withUnsafeBufferPointer { gp in back.withUnsafeMutableBufferPointer { bp in
                Conv.im2col3x3Stride2(gp.baseAddress!, channels: c, height: h, width: w, rowStart: y0, rows: rows,
                                      cols: bp.baseAddress!, ldc: ldc)
            } }
            assertAdjoint(out, g, cols, back, "rows \(y0)+\(rows)")
        }
    }

    /// transposedConv3x3Adjoint is the adjoint of the stride-2 transposed conv (GEMM + col2imTransposed3x3),
    /// in one tile and in several.
    func testTransposedConvAdjoint() {
        for (ic, oc, h, w) in [(3, 2, 4, 5), (5, 96, 100, 110)] {
            let th = 2 * h + 1, tw = 2 * w + 1
            let x = random(ic * h * w, seed: 8), g = random(oc * th * tw, seed: 9)
            let weight = random(oc * 9 * ic, seed: 10)   // [O*9, I]
            var cols = [Float](repeating: 0, count: oc * 9 * h * w)
            var y = [Float](repeating: 0, count: oc * th * tw), back = [Float](repeating: .nan, count: ic * h * w)
            weight.withUnsafeBufferPointer { wp in x.withUnsafeBufferPointer { xp in cols.withUnsafeMutableBufferPointer { cp in
                gemm(m: oc * 9, n: h * w, k: ic, a: wp.baseAddress!, lda: ic, b: xp.baseAddress!, ldb: h * w, c: cp.baseAddress!, ldc: h * w)
            } } }
            cols.withUnsafeBufferPointer { cp in y.withUnsafeMutableBufferPointer { yp in
                Conv.col2imTransposed3x3(cp.baseAddress!, outChannels: oc, width: w, rowStart: 0, rows: h, ldc: h * w,
                                         out: yp.baseAddress!, outHeight: th, outWidth: tw)
            } }
            g.withUnsafeBufferPointer { gp in weight.withUnsafeBufferPointer { wp in back.withUnsafeMutableBufferPointer { bp in
                Conv.transposedConv3x3Adjoint(gp.baseAddress!, weight: wp.baseAddress!, inChannels: ic, outChannels: oc,
                                              height: h, width: w, out: bp.baseAddress!)
            } } }
            assertAdjoint(y, g, x, back, "transposed conv \(oc)x\(h)x\(w)")
        }
    }

    /// fir4Adjoint is the adjoint of fir4 for asymmetric taps and several paddings (non-square images).
    func testFIR4Adjoint() {
        let c = 2, h = 6, w = 5
        let taps: (Float, Float, Float, Float) = (0.1, -0.7, 1.3, 0.4)
        for (p0, p1) in [(1, 1), (2, 1), (0, 3), (3, 0), (2, 2)] {
            let oh = h + p0 + p1 - 3, ow = w + p0 + p1 - 3
            let x = random(c * h * w, seed: 11), g = random(c * oh * ow, seed: 12)
            var y = [Float](repeating: .nan, count: c * oh * ow), back = [Float](repeating: .nan, count: c * h * w)
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                Conv.fir4(xp.baseAddress!, channels: c, height: h, width: w, taps: taps, pad: p0, p1, out: yp.baseAddress!)
            } }
            g.withUnsafeBufferPointer { gp in back.withUnsafeMutableBufferPointer { bp in
                Conv.fir4Adjoint(gp.baseAddress!, channels: c, height: oh, width: ow, taps: taps, pad: p0, p1, out: bp.baseAddress!)
            } }
            assertAdjoint(y, g, x, back, "pad \(p0),\(p1)")
        }
    }

    /// upsample2xAdjoint is the adjoint of upsample2x (non-square, and 1-pixel edge cases).
    func testUpsample2xAdjoint() {
        for (c, h, w) in [(3, 4, 6), (2, 1, 3), (1, 5, 1)] {
            let x = random(c * h * w, seed: 13), g = random(c * 4 * h * w, seed: 14)
            var y = [Float](repeating: .nan, count: c * 4 * h * w), back = [Float](repeating: .nan, count: c * h * w)
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                Conv.upsample2x(xp.baseAddress!, channels: c, height: h, width: w, out: yp.baseAddress!)
            } }
            g.withUnsafeBufferPointer { gp in back.withUnsafeMutableBufferPointer { bp in
                Conv.upsample2xAdjoint(gp.baseAddress!, channels: c, height: h, width: w, out: bp.baseAddress!)
            } }
            assertAdjoint(y, g, x, back, "\(c)x\(h)x\(w)")
        }
    }

    /// BiasAct.backward is the Jacobian of BiasAct.apply w.r.t. its pre-activation (here the input,
    /// with no demodulation or noise): <(f(v + eps δ) - f(v - eps δ)) / 2eps, g> == <δ, J^T g>,
    /// with lrelu and without, with a clamp (some outputs clamped) and without.
    func testBiasActBackward() {
        let c = 3, plane = 40, count = c * plane
        let bias = random(c, seed: 15).map { $0 * 0.5 }
        // Keep the inputs away from the kinks (0, and where either activation reaches the clamp
        // 0.6) by more than the step.
        let kinks: [Float] = [0, 0.6 / Float(2).squareRoot(), 0.6]
        let v = random(count, seed: 16).map { x in kinks.contains { abs(abs(x) - $0) < 0.02 } ? x + (x < 0 ? -0.05 : 0.05) : x }
        let delta = random(count, seed: 17), g = random(count, seed: 18)
        let eps: Float = 1e-3
        for lrelu in [true, false] {
            for clamp in [nil, Float(0.6)] as [Float?] {
                func f(_ t: Float) -> [Float] {
                    var y = (0..<count).map { v[$0] + t * delta[$0] - bias[$0 / plane] }   // pre-activation v after the bias
                    y.withUnsafeMutableBufferPointer { yp in bias.withUnsafeBufferPointer { bp in
                        BiasAct.apply(yp.baseAddress!, channels: c, plane: plane, demod: nil, noise: nil, noiseStrength: 0,
                                      bias: bp.baseAddress!, lrelu: lrelu, clamp: clamp)
                    } }
                    return y
                }
                let y = f(0)
                if let lim = clamp {
                    XCTAssert(y.contains { abs($0) >= lim } && y.contains { abs($0) < lim }, "clamp should be exercised")
                }
                let (yp, ym) = (f(eps), f(-eps))
                let jd = (0..<count).map { (yp[$0] - ym[$0]) / (2 * eps) }
                var back = g
                back.withUnsafeMutableBufferPointer { bp in y.withUnsafeBufferPointer { op in
                    BiasAct.backward(bp.baseAddress!, output: op.baseAddress!, channels: c, plane: plane, lrelu: lrelu, clamp: clamp)
                } }
                let lhs = dot(jd, g), rhs = dot(delta, back)
                XCTAssertEqual(lhs, rhs, accuracy: 1e-3 * max(1, abs(rhs)), "lrelu \(lrelu), clamp \(String(describing: clamp))")
                // And the activation's inverse recovers the pre-activation where nothing was clamped.
                for k in 0..<count where abs(y[k]) < (clamp ?? .infinity) {
                    XCTAssertEqual(BiasAct.preActivation(output: y[k], lrelu: lrelu), v[k], accuracy: 1e-5)
                }
            }
        }
    }
}
