import Dispatch
import Foundation

/// Index tables of the up-layer Winograd algorithm.
enum UpWinograd {
    /// Products a (per axis) that read input component c: c0 = d0-d1 -> {0}, c1 = d1 -> {1, 3},
    /// c2 = d2-d1 -> {2}, c3 = d2 -> {4}.
    static let products: [[Int]] = [[0], [1, 3], [2], [4]]
    /// For each of the 16 input planes (cy * 4 + cx): its first slot and number of slots.
    static let planeSlots: [(first: Int, count: Int)] = {
        var r: [(Int, Int)] = [], next = 0
        for cy in 0..<4 { for cx in 0..<4 {
            let g = products[cy].count * products[cx].count
            r.append((next, g)); next += g
        } }
        return r
    }()
    /// slot[a * 5 + b]: where product (a, b) lives in U and M.
    static let slot: [Int] = {
        var s = [Int](repeating: 0, count: 25), next = 0
        for cy in 0..<4 { for cx in 0..<4 {
            for a in products[cy] { for b in products[cx] { s[a * 5 + b] = next; next += 1 } }
        } }
        return s
    }()
}

extension Conv {
    /// Whether `upConv3x3FIRWinograd` is expected to beat `upConv3x3FIR` for input size H x W
    /// (it computes (H/2+1)(W/2+1) tiles: the extra row and column cost too much on small images).
    /// `KernelConfiguration.convolution` `.direct` / `.winograd` forces the choice.
    package static func prefersUpWinograd(inChannels ic: Int, outChannels oc: Int, height h: Int, width w: Int) -> Bool {
        switch KernelConfiguration.convolution {
        case .direct: return false
        case .winograd: return true
        case .automatic: return min(ic, oc) >= upWinogradMinChannels && min(h, w) >= upWinogradMinSize
        }
    }

    /// Measured: 1.1-1.35x from 32x32 inputs up, a loss below 16x16.
    static let upWinogradMinSize = 32
    /// And from 64 channels: with fewer (the 64 px model's last up layer, 64 -> 32 at 32x32) the
    /// transforms outweigh the saved products (best of 8: GEMM + FIR 9.3-14.4 ms, Winograd 12.1-27.0).
    static let upWinogradMinChannels = 64

    /// `upConv3x3FIR` (same arguments and result up to float rounding) by the transform in
    /// `UpWinogradWeights`: input transform of 3x3 input tiles (16 planes), 16 GEMMs, output
    /// transform to 4x4 blocks of the transposed-conv grid T, then the FIR and the epilogue on
    /// rows of T as they complete (a rolling window of 7 rows per channel, carried across chunks).
    package static func upConv3x3FIRWinograd(_ x: Tensor, weights wg: UpWinogradWeights, scale: Tensor?,
                                            epilogue: ConvEpilogue? = nil, into y: inout Tensor) {
        let n = x.shape[0], ic = x.shape[1], h = x.shape[2], w = x.shape[3], oc = wg.outChannels
        let hw = h * w, ow = 2 * w, oplane = 4 * hw
        precondition(ic == wg.inChannels && y.count == n * oc * oplane, "upConv3x3FIRWinograd: shapes do not match")
        precondition(scale == nil || scale!.count == n * ic, "upConv3x3FIRWinograd: scale must be [N, I]")
        guard n > 0, hw > 0 else { return }
        BLASRuntime.configureOnce()
        // Tiles cover T rows 0 ... 4*th-1 (T has 2H+1 rows; the rest come out zero).
        let th = h / 2 + 1, tw = w / 2 + 1, tcols = 4 * tw
        let tileRows = n * th
        let perTile = 16 * ic + 25 * oc
        let chunkRows = max(1, min(tileRows, fusedBudget / (perTile * tw)))
        let scales = scale?.data ?? []
        x.data.withUnsafeBufferPointer { xp in
        wg.u.withUnsafeBufferPointer { up in
        scales.withUnsafeBufferPointer { sp in
        y.data.withUnsafeMutableBufferPointer { yp in
        ConvEpilogue.withKernel(epilogue, channels: oc, plane: oplane) { ep in
            let xp = xp.baseAddress!, up = up.baseAddress!, yp = yp.baseAddress!
            let sp: UnsafePointer<Float>? = scale == nil ? nil : sp.baseAddress!
            let maxTiles = chunkRows * tw
            withScratch(perTile * maxTiles + oc * 3 * tcols) { buf in
                let v = buf, m = buf + 16 * ic * maxTiles
                let carry = m + 25 * oc * maxTiles      // [O, 3, tcols]: T rows 4t-3 ... 4t-1 of an image cut by a chunk
                var g0 = 0
                while g0 < tileRows {
                    if KernelCancellation.isRequested { return }   // given up: the caller discards y
                    let g1 = min(tileRows, g0 + chunkRows), tiles = (g1 - g0) * tw
                    // Input transform, by input channel.
                    KernelProfile.phase("up-winograd input transform") {
                    parallelFor(ic, minWorkPerItem: 30 * tiles) { i in
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: 6 * (tw + 1)) { tmp in
                            for g in g0..<g1 {
                                let img = g / th, ty = g - img * th
                                upWinogradInputRow(xp + (img * ic + i) * hw, height: h, width: w, tileRow: ty,
                                                   scale: sp?[img * ic + i] ?? 1, tilesPerRow: tw, buf: tmp.baseAddress!,
                                                   v: v + i * tiles + (g - g0) * tw, planeStride: ic * tiles)
                            }
                        }
                    }
                    }
                    // 16 products (stacked by shared input plane).
                    GEMMStats.timed(flops: 50 * Double(oc) * Double(ic) * Double(tiles), sideBySide: false) {
                        runConcurrently(16) { p in
                            let (first, count) = UpWinograd.planeSlots[p]
                            gemmSerial(m: count * oc, n: tiles, k: ic, a: up + first * oc * ic, lda: ic,
                                       b: v + p * ic * tiles, ldb: tiles, c: m + first * oc * tiles, ldc: tiles)
                        }
                    }
                    // Output transform, FIR and epilogue, by output channel. T rows live in a ring of
                    // 8 rows (row r in slot r & 7): a tile row writes 4 of them, the FIR reads back 3 more.
                    KernelProfile.phase("up-winograd output transform + FIR + epilogue") {
                    parallelFor(oc, minWorkPerItem: 60 * tiles) { o in
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: 9 * tcols + 4) { tmp in
                            let ring = tmp.baseAddress!, vrow = ring + 8 * tcols
                            @inline(__always) func row(_ r: Int) -> UnsafeMutablePointer<Float> { ring + ((r + 8) & 7) * tcols }
                            let car = carry + o * 3 * tcols
                            var g = g0
                            while g < g1 {
                                let img = g / th, tyStart = g - img * th
                                let tyEnd = min(th, tyStart + (g1 - g))
                                // T rows 4t-3 ... 4t-1 before the first tile row: zero (image top) or carried.
                                for k in 0..<3 {
                                    let r = row(4 * tyStart - 3 + k)
                                    if tyStart == 0 { r.update(repeating: 0, count: tcols) } else { r.update(from: car + k * tcols, count: tcols) }
                                }
                                let dst = yp + (img * oc + o) * oplane
                                for ty in tyStart..<tyEnd {
                                    let col = (g - g0) + (ty - tyStart)
                                    upWinogradOutputRow(m + o * tiles + col * tw, slotStride: oc * tiles, tilesPerRow: tw,
                                                        rows: row(4 * ty), rowStride: tcols)
                                    // Output rows 4t-2 ... 4t+1; output row Y reads T rows Y-1 ... Y+2.
                                    for yy in max(0, 4 * ty - 2)..<min(2 * h, 4 * ty + 2) {
                                        let out = dst + yy * ow
                                        upFIRRow(row(yy - 1), row(yy), row(yy + 1), row(yy + 2), width: w, vrow: vrow, out: out)
                                        ep.run(out, out, count: ow, image: img, channel: o, offset: yy * ow)
                                    }
                                }
                                if tyEnd < th {
                                    for k in 0..<3 { (car + k * tcols).update(from: row(4 * tyEnd - 3 + k), count: tcols) }
                                }
                                g += tyEnd - tyStart
                            }
                        }
                    }
                    }
                    g0 = g1
                }
            }
        } } } } }
    }

    /// Input transform of tile row `ty` (input rows 2ty-1 ... 2ty+1) of one plane, times `s`:
    /// the 16 planes V[cy*4+cx][tx], cy, cx over (d0-d1, d1, d2-d1, d2), written at v + plane * planeStride.
    /// `buf` holds 6 * (tw + 1) floats.
    @inline(__always)
    static func upWinogradInputRow(_ x: UnsafePointer<Float>, height h: Int, width w: Int, tileRow ty: Int, scale s: Float,
                                   tilesPerRow tw: Int, buf: UnsafeMutablePointer<Float>,
                                   v: UnsafeMutablePointer<Float>, planeStride ps: Int) {
        let len = tw + 1
        // Per row: odd[k] = s x[2k-1] (k = 0 ... tw), even[k] = s x[2k] (k = 0 ..< tw), zero outside.
        for r in 0..<3 {
            let odd = buf + 2 * r * len, even = odd + len
            let yy = 2 * ty - 1 + r
            if yy < 0 || yy >= h { odd.update(repeating: 0, count: 2 * len); continue }
            let src = x + yy * w
            let pairs = w / 2
            odd[0] = 0
            for k in 0..<pairs {
                even[k] = src[2 * k] * s
                odd[k + 1] = src[2 * k + 1] * s
            }
            // tw = pairs + 1: the last even is x[w-1] (odd w) or past the edge; the last odd is past it.
            even[pairs] = w & 1 == 1 ? src[w - 1] * s : 0
            odd[pairs + 1] = 0
        }
        let o0 = UnsafePointer(buf), e0 = o0 + len, o1 = e0 + len, e1 = o1 + len, o2 = e1 + len, e2 = o2 + len
        // Column component cx of row r: (odd[tx] - even[tx], even[tx], odd[tx+1] - even[tx], odd[tx+1]);
        // then across rows: (r0 - r1, r1, r2 - r1, r2).
        @inline(__always) func rows(_ cx: Int) -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) {
            (v + cx * ps, v + (4 + cx) * ps, v + (8 + cx) * ps, v + (12 + cx) * ps)
        }
        do {
            let (a, b, c, d) = rows(0)
            for tx in 0..<tw {
                let r0 = o0[tx] - e0[tx], r1 = o1[tx] - e1[tx], r2 = o2[tx] - e2[tx]
                a[tx] = r0 - r1; b[tx] = r1; c[tx] = r2 - r1; d[tx] = r2
            }
        }
        do {
            let (a, b, c, d) = rows(1)
            for tx in 0..<tw {
                let r0 = e0[tx], r1 = e1[tx], r2 = e2[tx]
                a[tx] = r0 - r1; b[tx] = r1; c[tx] = r2 - r1; d[tx] = r2
            }
        }
        do {
            let (a, b, c, d) = rows(2)
            for tx in 0..<tw {
                let r0 = o0[tx + 1] - e0[tx], r1 = o1[tx + 1] - e1[tx], r2 = o2[tx + 1] - e2[tx]
                a[tx] = r0 - r1; b[tx] = r1; c[tx] = r2 - r1; d[tx] = r2
            }
        }
        do {
            let (a, b, c, d) = rows(3)
            for tx in 0..<tw {
                let r0 = o0[tx + 1], r1 = o1[tx + 1], r2 = o2[tx + 1]
                a[tx] = r0 - r1; b[tx] = r1; c[tx] = r2 - r1; d[tx] = r2
            }
        }
    }

    /// Output transform of one tile row of one channel: from the 25 product vectors (product (a, b)
    /// at m + slot[a*5+b] * slotStride), the 4 rows of T it covers, 4 * tw values each, at rows + p * rowStride.
    @inline(__always)
    static func upWinogradOutputRow(_ m: UnsafePointer<Float>, slotStride ss: Int, tilesPerRow tw: Int,
                                    rows: UnsafeMutablePointer<Float>, rowStride rs: Int) {
        let s = UpWinograd.slot
        // Per a: R[a][q] = (M[a][0] + M[a][1], M[a][3], M[a][1] + M[a][2], M[a][4]); then over a the same.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 20 * tw) { rbuf in
            let r = rbuf.baseAddress!
            for a in 0..<5 {
                let m0 = m + s[a * 5] * ss, m1 = m + s[a * 5 + 1] * ss, m2 = m + s[a * 5 + 2] * ss
                let m3 = m + s[a * 5 + 3] * ss, m4 = m + s[a * 5 + 4] * ss
                let q0 = r + (a * 4) * tw, q1 = q0 + tw, q2 = q1 + tw, q3 = q2 + tw
                for tx in 0..<tw {
                    q0[tx] = m0[tx] + m1[tx]; q1[tx] = m3[tx]; q2[tx] = m1[tx] + m2[tx]; q3[tx] = m4[tx]
                }
            }
            // T[p][4tx + q]: p0 = R0 + R1, p1 = R3, p2 = R1 + R2, p3 = R4.
            for q in 0..<4 {
                let a0 = r + q * tw, a1 = r + (4 + q) * tw, a2 = r + (8 + q) * tw, a3 = r + (12 + q) * tw, a4 = r + (16 + q) * tw
                let t0 = rows + q, t1 = t0 + rs, t2 = t1 + rs, t3 = t2 + rs
                for tx in 0..<tw {
                    t0[4 * tx] = a0[tx] + a1[tx]; t1[4 * tx] = a3[tx]; t2[4 * tx] = a1[tx] + a2[tx]; t3[4 * tx] = a4[tx]
                }
            }
        }
    }

    /// One output row Y of the FIR (taps ¼ ¾ ¾ ¼, pad 1) from T rows Y-1 ... Y+2: vertically into
    /// `vrow`, then along x into `out` (2 * width values). `vrow` holds 2 * width + 4 floats.
    @inline(__always)
    static func upFIRRow(_ t0: UnsafePointer<Float>, _ t1: UnsafePointer<Float>, _ t2: UnsafePointer<Float>, _ t3: UnsafePointer<Float>,
                         width w: Int, vrow: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        let cols = 2 * w + 2        // T columns 0 ... 2w+1 (column 2w+1 is zero padding)
        let v = vrow + 1
        vrow[0] = 0
        for c in 0..<cols { v[c] = 0.25 * (t0[c] + t3[c]) + 0.75 * (t1[c] + t2[c]) }
        for j in 0..<w {
            out[2 * j] = 0.25 * (v[2 * j - 1] + v[2 * j + 2]) + 0.75 * (v[2 * j] + v[2 * j + 1])
            out[2 * j + 1] = 0.25 * (v[2 * j] + v[2 * j + 3]) + 0.75 * (v[2 * j + 1] + v[2 * j + 2])
        }
    }
}
