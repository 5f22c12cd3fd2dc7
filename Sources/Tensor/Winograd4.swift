/// The transforms of Winograd F(4x4, 3x3) (Lavin and Gray's matrices): a 6x6 input tile d gives
/// V = B^T d B, the products M_t = U_t V_t (t = 6a + b), and the 4x4 output tile Y = A^T M A, with
///   B^T = [4  0 -5  0  1  0;    A^T = [1  1  1  1  1  0;
///          0 -4 -4  1  1  0;           0  1 -1  2 -2  0;
///          0  4 -4 -1  1  0;           0  1  1  4  4  0;
///          0 -2 -1  2  1  0;           0  1 -1  8 -8  1]
///          0  2 -1 -2  1  0;
///          0  4  0 -5  0  1]
/// (G in `WinogradWeights.applyG`). Tile tx of tile row ty reads input rows 4ty-1 ... 4ty+4 and
/// columns 4tx-1 ... 4tx+4 (zero outside the image) and writes output rows 4ty ... 4ty+3.
/// Four tiles at a time in SIMD4 (one SSE register, lane = tile).
extension Conv {
    /// Floats per output row in `winograd4OutputRow`'s scratch, and the scratch it needs (4 rows + 24 vectors).
    static func winograd4OutputRowLength(_ tiles: Int) -> Int { 4 * winograd4Padded(tiles) }
    static func winograd4OutputScratch(_ tiles: Int) -> Int { 4 * winograd4OutputRowLength(tiles) + 24 * 4 }

    @inline(__always) static func winograd4Padded(_ tiles: Int) -> Int { (tiles + 3) / 4 * 4 }

    /// B^T applied to six vectors (one 1-D input transform, four tiles side by side).
    @inline(__always)
    static func winograd4B(_ d0: SIMD4<Float>, _ d1: SIMD4<Float>, _ d2: SIMD4<Float>, _ d3: SIMD4<Float>,
                           _ d4: SIMD4<Float>, _ d5: SIMD4<Float>)
        -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) {
        let four = SIMD4<Float>(repeating: 4), five = SIMD4<Float>(repeating: 5), two = SIMD4<Float>(repeating: 2)
        let a = d4 - d2, b = d3 - d1
        return (four * d0 - five * d2 + d4,
                (d3 + d4) - four * (d1 + d2),
                (d4 - d3) + four * (d1 - d2),
                a + two * b,
                a - two * b,
                four * d1 - five * d3 + d5)
    }

    /// A^T applied to six vectors (one 1-D output transform).
    @inline(__always)
    static func winograd4A(_ m0: SIMD4<Float>, _ m1: SIMD4<Float>, _ m2: SIMD4<Float>, _ m3: SIMD4<Float>,
                           _ m4: SIMD4<Float>, _ m5: SIMD4<Float>) -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) {
        let s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4
        return (m0 + s12 + s34,
                d12 + SIMD4(repeating: 2) * d34,
                s12 + SIMD4(repeating: 4) * s34,
                d12 + SIMD4(repeating: 8) * d34 + m5)
    }

    /// Floats of scratch `winograd4InputRows` needs for `tiles` tiles of `tileRows` tile rows.
    static func winograd4InputRowsScratch(_ tiles: Int, tileRows: Int) -> Int {
        let padded = winograd4Padded(tiles)
        return 4 * (padded + 4) + 4 * padded + 16 + (4 * tileRows + 2) * 6 * padded
    }

    /// Input transform of tiles [c0, c0+cn) of the consecutive tile rows [ty0, ty1) of one [H, W]
    /// plane, times `s`: the 36 vectors V_t of tile (ty, tx) at v + t * tStride + (ty - ty0) * cn + tx.
    /// Neighbouring tile rows share two input rows, so every input row is split into its column
    /// phases and transformed along x once, into a buffer of rows (6 vectors each), and the
    /// transform along y reads them from there. `buf` holds `winograd4InputRowsScratch` floats.
    static func winograd4InputRows(_ plane: UnsafePointer<Float>, height h: Int, width w: Int, tileRows ty0: Int, _ ty1: Int,
                                   scale s: Float, tiles c0: Int, _ cn: Int, buf: UnsafeMutablePointer<Float>,
                                   v: UnsafeMutablePointer<Float>, tStride ts: Int) {
        let padded = winograd4Padded(cn), len = padded + 1, ps = padded + 4
        let phases = buf, line = buf + 4 * ps, lineLength = 4 * padded + 16
        let rt = line + lineLength                    // input row r (y = 4 ty0 - 1 + r), column b: rt + (6 r + b) * padded
        let x0 = 4 * c0 - 1                           // x of line[0]
        let k0 = max(0, -x0), k1 = min(lineLength, w - x0)
        let sv = SIMD4<Float>(repeating: s)
        let rows = 4 * (ty1 - ty0) + 2
        for r in 0..<rows {
            let yy = 4 * ty0 - 1 + r
            let dst = rt + 6 * r * padded
            if yy < 0 || yy >= h {
                dst.update(repeating: 0, count: 6 * padded)
                continue
            }
            // The row, scaled, with zeros outside the image; split into its four column phases.
            let src = plane + yy * w + x0
            for k in 0..<k0 { line[k] = 0 }
            var k = k0
            while k + 4 <= k1 { SIMDLoad.store4(SIMDLoad.load4(src + k) * sv, line + k); k += 4 }
            while k < k1 { line[k] = src[k] * s; k += 1 }
            for k in max(k1, k0)..<lineLength { line[k] = 0 }
            var q = 0
            while q < len {
                let l = UnsafePointer(line + 4 * q)
                let a0 = SIMDLoad.load4(l), a1 = SIMDLoad.load4(l + 4), a2 = SIMDLoad.load4(l + 8), a3 = SIMDLoad.load4(l + 12)
                let t0 = SIMD4(a0[0], a1[0], a0[1], a1[1]), t1 = SIMD4(a2[0], a3[0], a2[1], a3[1])
                let t2 = SIMD4(a0[2], a1[2], a0[3], a1[3]), t3 = SIMD4(a2[2], a3[2], a2[3], a3[3])
                SIMDLoad.store4(SIMD4(t0[0], t0[1], t1[0], t1[1]), phases + q)
                SIMDLoad.store4(SIMD4(t0[2], t0[3], t1[2], t1[3]), phases + ps + q)
                SIMDLoad.store4(SIMD4(t2[0], t2[1], t3[0], t3[1]), phases + 2 * ps + q)
                SIMDLoad.store4(SIMD4(t2[2], t2[3], t3[2], t3[3]), phases + 3 * ps + q)
                q += 4
            }
            // Along x, four tiles at a time.
            let p = UnsafePointer(phases)
            q = 0
            while q < cn {
                let t = winograd4B(SIMDLoad.load4(p + q), SIMDLoad.load4(p + ps + q), SIMDLoad.load4(p + 2 * ps + q),
                                   SIMDLoad.load4(p + 3 * ps + q), SIMDLoad.load4(p + q + 1), SIMDLoad.load4(p + ps + q + 1))
                SIMDLoad.store4(t.0, dst + q); SIMDLoad.store4(t.1, dst + padded + q); SIMDLoad.store4(t.2, dst + 2 * padded + q)
                SIMDLoad.store4(t.3, dst + 3 * padded + q); SIMDLoad.store4(t.4, dst + 4 * padded + q)
                SIMDLoad.store4(t.5, dst + 5 * padded + q)
                q += 4
            }
        }
        // Along y: tile row ty reads input rows r = 4 (ty - ty0) ... + 5.
        for ty in ty0..<ty1 {
            let base = UnsafePointer(rt + 6 * 4 * (ty - ty0) * padded)
            let vr = v + (ty - ty0) * cn
            var q = 0
            while q < cn {
                let full = q + 4 <= cn
                for b in 0..<6 {
                    let c = base + b * padded + q, step = 6 * padded
                    let t = winograd4B(SIMDLoad.load4(c), SIMDLoad.load4(c + step), SIMDLoad.load4(c + 2 * step),
                                       SIMDLoad.load4(c + 3 * step), SIMDLoad.load4(c + 4 * step), SIMDLoad.load4(c + 5 * step))
                    @inline(__always) func put(_ x: SIMD4<Float>, _ a: Int) {
                        let dst = vr + (6 * a + b) * ts + q
                        if full { SIMDLoad.store4(x, dst) } else { for l in 0..<(cn - q) { dst[l] = x[l] } }
                    }
                    put(t.0, 0); put(t.1, 1); put(t.2, 2); put(t.3, 3); put(t.4, 4); put(t.5, 5)
                }
                q += 4
            }
        }
    }

    /// Output transform of one tile row: from the 36 product vectors M_t[tx] at m + t * tStride + tx,
    /// the four output rows Y = A^T M A at rows + r * `winograd4OutputRowLength(tw)`, 4 * tw values
    /// each and more (the caller crops to the width). `rows` holds `winograd4OutputScratch(tw)` floats.
    @inline(__always)
    static func winograd4OutputRow(_ m: UnsafePointer<Float>, tStride ts: Int, tilesPerRow tw: Int,
                                   rows: UnsafeMutablePointer<Float>) {
        let rowLength = winograd4OutputRowLength(tw)
        let pbuf = rows + 4 * rowLength
        var q = 0
        while q < tw {
            let count = min(4, tw - q)
            @inline(__always) func load(_ t: Int) -> SIMD4<Float> {
                let p = m + t * ts + q
                if count == 4 { return SIMDLoad.load4(p) }
                var x = SIMD4<Float>(repeating: 0)
                for l in 0..<count { x[l] = p[l] }
                return x
            }
            // Along a, for each column b: P[i][b].
            for b in 0..<6 {
                let p = winograd4A(load(b), load(6 + b), load(12 + b), load(18 + b), load(24 + b), load(30 + b))
                SIMDLoad.store4(p.0, pbuf + 4 * b); SIMDLoad.store4(p.1, pbuf + 24 + 4 * b)
                SIMDLoad.store4(p.2, pbuf + 48 + 4 * b); SIMDLoad.store4(p.3, pbuf + 72 + 4 * b)
            }
            // Along b, for each row i, then the 4x4 transpose from lane = tile to pixel order.
            for i in 0..<4 {
                let p = UnsafePointer(pbuf + 24 * i)
                let y = winograd4A(SIMDLoad.load4(p), SIMDLoad.load4(p + 4), SIMDLoad.load4(p + 8),
                                   SIMDLoad.load4(p + 12), SIMDLoad.load4(p + 16), SIMDLoad.load4(p + 20))
                let dst = rows + i * rowLength + 4 * q
                SIMDLoad.store4(SIMD4(y.0[0], y.1[0], y.2[0], y.3[0]), dst)
                SIMDLoad.store4(SIMD4(y.0[1], y.1[1], y.2[1], y.3[1]), dst + 4)
                SIMDLoad.store4(SIMD4(y.0[2], y.1[2], y.2[2], y.3[2]), dst + 8)
                SIMDLoad.store4(SIMD4(y.0[3], y.1[3], y.2[3], y.3[3]), dst + 12)
            }
            q += 4
        }
    }
}
