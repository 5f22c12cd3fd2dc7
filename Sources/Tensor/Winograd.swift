import Dispatch
import Foundation
import SIMDKernels

/// The weights of a 3x3 convolution (correlation, padding 1) transformed once for Winograd
/// F(2x2, 3x3) (shown here; F(4x4, 3x3) is the same with 6x6 tiles, Winograd4.swift):
/// U = G g G^T per (o, i), a 4x4 tile stored as 16 matrices [O, I], so that the
/// convolution becomes 16 GEMMs U_t [O, I] x V_t [I, tiles] between an input transform
/// V = B^T d B of overlapping 4x4 input tiles and an output transform Y = A^T M A to 2x2 outputs:
///   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],  G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1],
///   A^T = [1 1 1 0; 0 1 -1 -1].
/// 16 products per 4 outputs instead of 36: 2.25x fewer multiply-adds than im2col + GEMM.
package struct WinogradWeights: Sendable {
    package let outChannels: Int
    package let inChannels: Int
    /// Output tile size m of F(m x m, 3x3): 2 or 4. F(4x4, 3x3) (6x6 input tiles, 36 products per
    /// 16 outputs: 2.25 multiply-adds per output instead of 4, and 1.8x less transformed data) is
    /// the default; F(2x2, 3x3) stays for tests and measurements (docs/PERFORMANCE.md).
    package let tile: Int
    /// [T, O, I] with T = (m + 2)^2: element t = (m + 2) a + b of the transformed kernel of (o, i) at [t][o][i].
    package let u: [Float]
    /// T, the number of products.
    package var products: Int { (tile + 2) * (tile + 2) }

    /// `weight` as for `Conv.conv3x3`: [O, I*9], each kernel [ky][kx].
    package init(weight: [Float], outChannels oc: Int, inChannels ic: Int, tile: Int = 4) {
        precondition(weight.count == oc * ic * 9, "WinogradWeights: \(weight.count) values for \(oc)x\(ic)x3x3")
        precondition(tile == 2 || tile == 4, "WinogradWeights: output tile 2 or 4, got \(tile)")
        outChannels = oc; inChannels = ic; self.tile = tile
        let plane = oc * ic, side = tile + 2
        var u = [Float](repeating: 0, count: side * side * plane)
        u.withUnsafeMutableBufferPointer { up in
        weight.withUnsafeBufferPointer { wp in
            let up = up.baseAddress!, wp = wp.baseAddress!
            parallelFor(oc, minWorkPerItem: 128 * ic) { o in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: 4 * side) { buf in
                    let gg = buf.baseAddress!, r = gg + 3 * side
                    for i in 0..<ic {
                        let g = wp + (o * ic + i) * 9
                        // G g G^T in Double, rounded once: columns kx of G g (over ky), then G across them.
                        for kx in 0..<3 {
                            Self.applyG(tile, Double(g[kx]), Double(g[3 + kx]), Double(g[6 + kx]), into: r)
                            for a in 0..<side { gg[a * 3 + kx] = r[a] }
                        }
                        let dst = up + o * ic + i
                        for a in 0..<side {
                            Self.applyG(tile, gg[a * 3], gg[a * 3 + 1], gg[a * 3 + 2], into: r)
                            for b in 0..<side { dst[(side * a + b) * plane] = Float(r[b]) }
                        }
                    }
                }
            }
        } }
        self.u = u
    }

    /// G applied to a 3-vector, into r[0 ..< m + 2]. F(2x2): G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1];
    /// F(4x4): G = [¼ 0 0; -⅙ -⅙ -⅙; -⅙ ⅙ -⅙; 1/24 1/12 ⅙; 1/24 -1/12 ⅙; 0 0 1].
    @inline(__always)
    static func applyG(_ tile: Int, _ a: Double, _ b: Double, _ c: Double, into r: UnsafeMutablePointer<Double>) {
        if tile == 2 {
            r[0] = a; r[1] = 0.5 * (a + b + c); r[2] = 0.5 * (a - b + c); r[3] = c
        } else {
            r[0] = a / 4; r[1] = -(a + b + c) / 6; r[2] = -(a - b + c) / 6
            r[3] = a / 24 + b / 12 + c / 6; r[4] = a / 24 - b / 12 + c / 6; r[5] = c
        }
    }
}

extension Conv {
    /// Whether `conv3x3Winograd` is expected to beat `conv3x3` (im2col + GEMM) for a layer of this
    /// shape (measured on a 2-core AVX-512 VM with OpenBLAS: 1.5-2.6x from 8x8 up, 1.06-1.5x at 4x4). `KernelConfiguration.convolution`
    /// `.direct` or `.winograd` forces the choice for every layer (tests, measurements).
    package static func prefersWinograd(inChannels ic: Int, outChannels oc: Int, height h: Int, width w: Int) -> Bool {
        switch KernelConfiguration.convolution {
        case .direct: return false
        case .winograd: return true
        case .automatic: return min(ic, oc) >= 16 && min(h, w) >= 4
        }
    }

    /// The output tile of the Winograd convolution for images of this size: F(4x4, 3x3) from 16x16
    /// up, F(2x2, 3x3) below, where F(4x4)'s products have too few tiles to run well (best of 10,
    /// 64 px model, batch 16: 8x8, 128 channels 2.2 ms against 1.6; 32x32 3.6-3.8 against 4.8-5.1).
    package static func winogradTile(height h: Int, width w: Int) -> Int { min(h, w) >= 16 ? 4 : 2 }

    /// Scratch bound for the Winograd and up-convolution kernels, in floats (16 MB). Half of
    /// `columnBudget`: blocks this size are recycled by malloc instead of being mapped (and
    /// page-faulted in) afresh for every layer; measured faster at 64, 256 and 1024 px.
    static let fusedBudget = 4 << 20

    /// Scratch per independent Winograd chunk as if V and M were apart (floats; 1 MB, a core's L2 on the
    /// AVX-512 VM; the ring of slots below makes it about half of that in fact: 4 MB gave
    /// 28.8-36.1 ms (best of 8) on the 64 px model's 64x64, 32-channel layer, 1 MB 16.6-26.3 ms,
    /// 512 KB 15.4-23.0 ms, interleaved, docs/PERFORMANCE.md), and the fewest tiles a chunk of a
    /// layer with large weights may have (`winogradChunkTiles`).
    static let winogradChunkFloats = 1 << 18
    static let winogradMinChunkTiles = 128

    /// Tiles per independent chunk: enough for the budget, rounded up to a multiple of 32, and at
    /// least 128 when the weights are large (each of the chunk's products packs its [O, I] matrix
    /// again: with 256 channels or more it needs the columns to pay for that), else at least 32.
    /// Measured on the 64 px model (best of 10, ms per batch of 16, interleaved): a floor of 128
    /// for all gave 3.30-3.42 / 3.04-3.07 / 4.37-4.59 on its 16, 32 and 64 px layers and 1.65-1.70 on
    /// the 8 px one (too few tiles for chunks at all); a floor of 64, 3.04-3.14 / 2.88-2.94 /
    /// 4.60-4.65 / 1.16-1.18; of 32 (56 tiles at 32 px), 2.60-2.71 / 3.30-3.43 / 4.67-4.78 / 1.16-1.20.
    /// This rule takes 32, 64 and 128 tiles for the three and 64 for the 8 px layer.
    static func winogradChunkTiles(perTile: Int, inChannels ic: Int, outChannels oc: Int) -> Int {
        let floor = max(ic, oc) >= 256 ? winogradMinChunkTiles : 32
        return (max(floor, winogradChunkFloats / perTile) + 31) / 32 * 32
    }

    /// 3x3 convolution, padding 1, by Winograd F(2x2, 3x3): x [N, I, H, W] -> y [N, O, H, W] (y
    /// must be allocated; every element is written). `scale` [N, I], when given, multiplies the input
    /// channels of each image first (fused into the input transform); `epilogue` is applied to the
    /// output as it is written. Any H, W >= 1 (odd sizes: the last tiles are cropped). Same result
    /// as `conv3x3` up to float rounding (the transforms add a few ulps).
    ///
    /// F(4x4, 3x3) or F(2x2, 3x3) as `weights.tile` says (`winogradTile`). Tiles are processed in
    /// chunks of whole tile rows (4 or 2 output rows of one image): with plenty of tiles, each core
    /// runs whole chunks (transform, 36 or 16 serial GEMMs, output) in its own cache; with few tiles
    /// (small images, big weights), the batch is one chunk whose GEMMs run side by side.
    package static func conv3x3Winograd(_ x: Tensor, weights wg: WinogradWeights, scale: Tensor?,
                                       epilogue: ConvEpilogue? = nil, into y: inout Tensor) {
        let n = x.shape[0], ic = x.shape[1], h = x.shape[2], w = x.shape[3], oc = wg.outChannels
        let hw = h * w
        precondition(ic == wg.inChannels && y.count == n * oc * hw, "conv3x3Winograd: shapes do not match")
        precondition(scale == nil || scale!.count == n * ic, "conv3x3Winograd: scale must be [N, I]")
        guard n > 0, hw > 0 else { return }
        BLASRuntime.configureOnce()
        let mt = wg.tile, nt = wg.products            // output tile side, products per tile
        let th = (h + mt - 1) / mt, tw = (w + mt - 1) / mt
        let tileRows = n * th
        let rowFloats = nt * (ic + oc) * tw          // V and M for one tile row
        let scales = scale?.data ?? []
        x.data.withUnsafeBufferPointer { xp in
        wg.u.withUnsafeBufferPointer { up in
        scales.withUnsafeBufferPointer { sp in
        y.data.withUnsafeMutableBufferPointer { yp in
        ConvEpilogue.withKernel(epilogue, channels: oc, plane: hw) { ep in
            let xp = xp.baseAddress!, up = up.baseAddress!, yp = yp.baseAddress!
            let sp: UnsafePointer<Float>? = scale == nil ? nil : sp.baseAddress!

            /// Tiles [c0, c0+cn) of tile rows [g0, g1) (g = image * th + ty): V_t [I, T] at v + t vts, M_t [O, T]
            /// at m + t mts (apart, or one ring in which M_t overwrites V_{t-1}: then the products run in order).
            func runChunk(_ g0: Int, _ g1: Int, _ c0: Int, _ cn: Int, v: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>,
                          vts: Int, mts: Int, parallel: Bool) {
                let tiles = (g1 - g0) * cn
                // Input transform, by input channel.
                let inWork = 24 * tiles
                let lanes = mt == 4 ? VectorISA.wideLanes(filling: cn) : 0
                /// The image runs of tile rows [ty, tyEnd) of this chunk, with the row g they start at.
                func imageRuns(_ body: (_ img: Int, _ ty: Int, _ tyEnd: Int, _ g: Int) -> Void) {
                    var g = g0
                    while g < g1 {
                        let img = g / th, ty = g - img * th, tyEnd = min(th, ty + (g1 - g))
                        body(img, ty, tyEnd, g)
                        g += tyEnd - ty
                    }
                }
                // Planes 8 to 64 wide (`narrowWinogradGroup`), whole tile rows: lanes over tile rows and
                // tiles, when every image's run of tile rows in the chunk fills whole groups of them.
                let narrow: Bool = {
                    let group = c0 == 0 && cn == tw ? narrowWinogradGroup(tile: mt, width: w) : 0
                    guard group > 0 else { return false }
                    var whole = true
                    imageRuns { _, ty, tyEnd, _ in if (tyEnd - ty) % group != 0 { whole = false } }
                    return whole
                }()
                // 4 x 4 planes, whole images in fours: lanes over images too.
                let four = g0 % th == 0 && (g1 - g0) % (4 * th) == 0 && c0 == 0 && cn == tw
                    && fourImageWinograd(tile: mt, height: h, width: w)
                let inputChannel = { (i: Int) in
                    if four {
                        for img in stride(from: g0 / th, to: g1 / th, by: 4) {
                            var s: (Float, Float, Float, Float) = (1, 1, 1, 1)
                            if let sp { s = (sp[img * ic + i], sp[(img + 1) * ic + i], sp[(img + 2) * ic + i], sp[(img + 3) * ic + i]) }
                            withUnsafePointer(to: &s) { sq in
                                sq.withMemoryRebound(to: Float.self, capacity: 4) { sq in
                                    winograd2InputFour(xp + (img * ic + i) * hw, imageStride: ic * hw, scales: sq,
                                                       v: v + i * tiles + (img * th - g0) * cn, tStride: vts)
                                }
                            }
                        }
                        return
                    }
                    if narrow {
                        imageRuns { img, ty, tyEnd, g in
                            winogradInputNarrow(tile: mt, xp + (img * ic + i) * hw, height: h, width: w, tileRows: ty, tyEnd,
                                                 scale: sp?[img * ic + i] ?? 1, v: v + i * tiles + (g - g0) * cn, tStride: vts)
                        }
                        return
                    }
                    let scratch = lanes > 0 ? sc2_wino4_input_scratch(cn, min(th, g1 - g0), Int32(lanes))
                        : mt == 4 ? winograd4InputRowsScratch(cn, tileRows: min(th, g1 - g0)) : 8 * (cn + 1)
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: scratch) { buf in
                        if lanes > 0 {
                            var g = g0
                            while g < g1 {
                                let img = g / th, ty = g - img * th, tyEnd = min(th, ty + (g1 - g))
                                winograd4InputRowsWide(lanes, xp + (img * ic + i) * hw, height: h, width: w, tileRows: ty, tyEnd,
                                                       scale: sp?[img * ic + i] ?? 1, tiles: c0, cn, buf: buf.baseAddress!,
                                                       v: v + i * tiles + (g - g0) * cn, tStride: vts)
                                g += tyEnd - ty
                            }
                            return
                        }
                        if mt == 4 {
                            // Each image's run of tile rows in one call (they share input rows).
                            var g = g0
                            while g < g1 {
                                let img = g / th, ty = g - img * th, tyEnd = min(th, ty + (g1 - g))
                                winograd4InputRows(xp + (img * ic + i) * hw, height: h, width: w, tileRows: ty, tyEnd,
                                                   scale: sp?[img * ic + i] ?? 1, tiles: c0, cn, buf: buf.baseAddress!,
                                                   v: v + i * tiles + (g - g0) * cn, tStride: vts)
                                g += tyEnd - ty
                            }
                            return
                        }
                        for g in g0..<g1 {
                            let img = g / th, ty = g - img * th
                            winogradInputRow(xp + (img * ic + i) * hw, height: h, width: w, tileRow: ty,
                                             scale: sp?[img * ic + i] ?? 1, tiles: c0, cn, buf: buf.baseAddress!,
                                             v: v + i * tiles + (g - g0) * cn, tStride: vts)
                        }
                    }
                }
                let share = parallel ? 1 : 1 / Double(BLASRuntime.workers)
                KernelProfile.phase("winograd input transform", share: share) {
                    parallelFor(ic, minWorkPerItem: inWork, parallel: parallel, inputChannel)
                }
                // T products U_t [O, I] x V_t [I, tiles].
                GEMMStats.timed(flops: 2 * Double(nt) * Double(oc) * Double(ic) * Double(tiles), sideBySide: !parallel) {
                    let product = { (t: Int) in
                        gemmSerial(m: oc, n: tiles, k: ic, a: up + t * oc * ic, lda: ic, b: v + t * vts, ldb: tiles,
                                   c: m + t * mts, ldc: tiles)
                    }
                    if parallel { runConcurrently(nt, product) } else { for t in 0..<nt { product(t) } }
                }
                // Output transform and epilogue, by output channel: output columns [m c0, m (c0 + cn)) ∩ [0, W).
                let x0 = mt * c0, xn = min(mt * cn, w - x0)
                let outputChannel = { (o: Int) in
                    if four {
                        for img in stride(from: g0 / th, to: g1 / th, by: 4) {
                            var e = (ep.scalars(image: img, channel: o), ep.scalars(image: img + 1, channel: o),
                                     ep.scalars(image: img + 2, channel: o), ep.scalars(image: img + 3, channel: o))
                            let noise = ep.noise(image: img, offset: 0)
                            withUnsafePointer(to: &e) { eq in
                                eq.withMemoryRebound(to: sc2_epilogue.self, capacity: 4) { eq in
                                    winograd2OutputFour(m + o * tiles + (img * th - g0) * cn, tStride: mts, plane: yp + (img * oc + o) * hw,
                                                        imageStride: oc * hw, epilogues: eq, noise: noise, noiseStride: ep.noiseImageStride)
                                }
                            }
                        }
                        return
                    }
                    if narrow {
                        imageRuns { img, ty, tyEnd, g in
                            var e = ep.scalars(image: img, channel: o)
                            winogradOutputNarrow(tile: mt, m + o * tiles + (g - g0) * cn, tStride: mts, height: h, width: w, tileRows: ty, tyEnd,
                                                  plane: yp + (img * oc + o) * hw, epilogue: &e, noise: ep.noise(image: img, offset: 0))
                        }
                        return
                    }
                    if lanes > 0 {
                        // The wide kernel writes the rows into y with the epilogue applied.
                        for g in g0..<g1 {
                            let img = g / th, ty = g - img * th, yy = 4 * ty
                            var e = ep.scalars(image: img, channel: o)
                            winograd4OutputRowWide(lanes, m + o * tiles + (g - g0) * cn, tStride: mts, tilesPerRow: cn,
                                                   dst: yp + (img * oc + o) * hw + yy * w + x0, width: w, columns: xn,
                                                   rows: min(4, h - yy), epilogue: &e,
                                                   noise: ep.noise(image: img, offset: yy * w + x0))
                        }
                        return
                    }
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: mt == 4 ? winograd4OutputScratch(cn) : 4 * cn) { buf in
                        let rows = buf.baseAddress!, rowLength = mt == 4 ? winograd4OutputRowLength(cn) : 2 * cn
                        for g in g0..<g1 {
                            let img = g / th, ty = g - img * th
                            if mt == 4 {
                                winograd4OutputRow(m + o * tiles + (g - g0) * cn, tStride: mts, tilesPerRow: cn, rows: rows)
                            } else {
                                winogradOutputRow(m + o * tiles + (g - g0) * cn, tStride: mts, tilesPerRow: cn,
                                                  row0: rows, row1: rows + rowLength)
                            }
                            let dst = yp + (img * oc + o) * hw + x0
                            for r in 0..<mt {
                                let yy = mt * ty + r
                                if yy >= h { break }
                                ep.run(rows + r * rowLength, dst + yy * w, count: xn, image: img, channel: o, offset: yy * w + x0)
                            }
                        }
                    }
                }
                KernelProfile.phase("winograd output transform + epilogue", share: share) {
                    parallelFor(oc, minWorkPerItem: inWork, parallel: parallel, outputChannel)
                }
            }

            // Independent chunks, one per core at a time, sized for the core's cache (whole tile rows,
            // or blocks of a tile row when one row is too large), when there are enough tiles for that.
            let perTile = nt * (ic + oc)
            let blockTiles = winogradChunkTiles(perTile: perTile, inChannels: ic, outChannels: oc)
            let (chunkRows, colBlock) = blockTiles >= tw ? (max(1, min(tileRows, blockTiles / tw)), tw) : (1, blockTiles)
            let colBlocks = (tw + colBlock - 1) / colBlock
            let rowChunks = (tileRows + chunkRows - 1) / chunkRows
            if BLASRuntime.workers > 1 && rowChunks * colBlocks >= 2 * BLASRuntime.workers && chunkRows * colBlock >= min(blockTiles, winogradMinChunkTiles) {
                let cancel = KernelCancellation.bound
                runConcurrently(rowChunks * colBlocks) { c in
                    if cancel?.requested == true { return }   // given up: the caller discards y
                    let rc = c / colBlocks, cb = c - rc * colBlocks
                    let g0 = rc * chunkRows, g1 = min(tileRows, g0 + chunkRows)
                    let c0 = cb * colBlock, cn = min(colBlock, tw - c0)
                    let tiles = (g1 - g0) * cn
                    // One ring of T + 1 slots: V_t in slot t + 1, M_t in slot t, where V_{t-1} was (the
                    // products run in order, so M_t overwrites a V the earlier product has consumed).
                    let slot = winogradStride(max(ic, oc) * tiles)
                    withScratch((nt + 1) * slot) { buf in
                        runChunk(g0, g1, c0, cn, v: buf + slot, m: buf, vts: slot, mts: slot, parallel: false)
                    }
                }
            } else {
                // Few tiles: as few chunks as the budget allows, each using every core.
                let rows = max(1, min(tileRows, fusedBudget / rowFloats))
                let tiles = rows * tw
                withScratch(nt * (winogradStride(ic * tiles) + winogradStride(oc * tiles))) { buf in
                    var g0 = 0
                    while g0 < tileRows {
                        if KernelCancellation.isRequested { return }   // given up: the caller discards y
                        let g1 = min(tileRows, g0 + rows)
                        let tiles = (g1 - g0) * tw, vts = winogradStride(ic * tiles)
                        runChunk(g0, g1, 0, tw, v: buf, m: buf + nt * vts, vts: vts, mts: winogradStride(oc * tiles), parallel: true)
                        g0 = g1
                    }
                }
            }
        } } } } }
    }

    /// The distance between two of a chunk's transformed matrices V_t (or M_t) of `floats` each: one
    /// cache line more when it is a multiple of 1 KB, so that the 16 or 36 streams a transform reads
    /// or writes side by side do not all fall into one set of the 4 KB-periodic L1 cache.
    @inline(__always)
    static func winogradStride(_ floats: Int) -> Int { floats % 256 == 0 ? floats + 16 : floats }

    /// Input transform of tiles [c0, c0+tw) of tile row `ty` of one [H, W] plane, times `s`: the 16
    /// vectors V_t[tx] = (B^T d B)_t, written at v + t * tStride. `buf` holds 8 * (tw + 1) floats.
    @inline(__always)
    static func winogradInputRow(_ plane: UnsafePointer<Float>, height h: Int, width w: Int, tileRow ty: Int, scale s: Float,
                                 tiles c0: Int, _ tw: Int, buf: UnsafeMutablePointer<Float>,
                                 v: UnsafeMutablePointer<Float>, tStride ts: Int) {
        let len = tw + 1
        // The 4 input rows 2ty-1 ... 2ty+2 split by column parity: odd[k] = s x[2(c0+k)-1],
        // even[k] = s x[2(c0+k)] (zero outside the image), so tile tx reads odd[tx], even[tx],
        // odd[tx+1], even[tx+1].
        let base = 2 * c0                                   // x index of even[0]; base < w
        let nEven = min(len, (w - 1 - base) / 2 + 1)        // even[k] inside: base + 2k <= w - 1
        let nOdd = min(len, (w - base) / 2 + 1)             // odd[k] inside (k >= 1 or base > 0): base + 2k - 1 <= w - 1
        let k0 = base == 0 ? 1 : 0
        for r in 0..<4 {
            let odd = buf + 2 * r * len, even = odd + len
            let yy = 2 * ty - 1 + r
            if yy < 0 || yy >= h {
                odd.update(repeating: 0, count: 2 * len)
                continue
            }
            let src = plane + yy * w + base
            // Eight pixels at a time split into their even and odd halves (src[2k ... 2k+7] gives
            // even[k ... k+3] and odd[k+1 ... k+4]), then the scalar loops finish.
            var kv = 0
            let sv = SIMD8<Float>(repeating: s)
            while kv + 4 <= nEven && kv + 5 <= nOdd && base + 2 * kv + 8 <= w {
                let p = SIMDLoad.load8(src + 2 * kv) * sv
                SIMDLoad.store4(p.evenHalf, even + kv)
                SIMDLoad.store4(p.oddHalf, odd + kv + 1)
                kv += 4
            }
            for k in kv..<nEven { even[k] = src[2 * k] * s }
            for k in nEven..<len { even[k] = 0 }
            if k0 == 1 { odd[0] = 0 } else if kv > 0 { odd[0] = src[-1] * s }
            for k in (kv > 0 ? kv + 1 : k0)..<max(nOdd, kv > 0 ? kv + 1 : k0) { odd[k] = src[2 * k - 1] * s }
            for k in nOdd..<len { odd[k] = 0 }
        }
        let o0 = UnsafePointer(buf), e0 = o0 + len, o1 = e0 + len, e1 = o1 + len
        let o2 = e1 + len, e2 = o2 + len, o3 = e2 + len, e3 = o3 + len
        // Column b of d B for row r: b0 = o[tx] - o[tx+1], b1 = e[tx] + o[tx+1], b2 = o[tx+1] - e[tx],
        // b3 = e[tx] - e[tx+1]; then B^T across the rows: a0 = r0 - r2, a1 = r1 + r2, a2 = r2 - r1, a3 = r1 - r3.
        // Column b of d B per row (b0 = o[tx] - o[tx+1], b1 = e[tx] + o[tx+1], b2 = o[tx+1] - e[tx],
        // b3 = e[tx] - e[tx+1]), then B^T down the rows; four tiles at a time in SIMD4, the rest scalar.
        @inline(__always) func combine(_ c0: SIMD4<Float>, _ c1: SIMD4<Float>, _ c2: SIMD4<Float>, _ c3: SIMD4<Float>,
                                       _ v0: UnsafeMutablePointer<Float>, _ tx: Int) {
            SIMDLoad.store4(c0 - c2, v0 + tx); SIMDLoad.store4(c1 + c2, v0 + 4 * ts + tx)
            SIMDLoad.store4(c2 - c1, v0 + 8 * ts + tx); SIMDLoad.store4(c1 - c3, v0 + 12 * ts + tx)
        }
        // One pass per column b (8 loads, 4 stores: within SSE's 16 registers).
        var tx = 0
        while tx + 4 <= tw {
            let o0a = SIMDLoad.load4(o0 + tx), o0b = SIMDLoad.load4(o0 + tx + 1), o1a = SIMDLoad.load4(o1 + tx), o1b = SIMDLoad.load4(o1 + tx + 1)
            let o2a = SIMDLoad.load4(o2 + tx), o2b = SIMDLoad.load4(o2 + tx + 1), o3a = SIMDLoad.load4(o3 + tx), o3b = SIMDLoad.load4(o3 + tx + 1)
            combine(o0a - o0b, o1a - o1b, o2a - o2b, o3a - o3b, v, tx)
            tx += 4
        }
        tx = 0
        while tx + 4 <= tw {
            let e0a = SIMDLoad.load4(e0 + tx), o0b = SIMDLoad.load4(o0 + tx + 1), e1a = SIMDLoad.load4(e1 + tx), o1b = SIMDLoad.load4(o1 + tx + 1)
            let e2a = SIMDLoad.load4(e2 + tx), o2b = SIMDLoad.load4(o2 + tx + 1), e3a = SIMDLoad.load4(e3 + tx), o3b = SIMDLoad.load4(o3 + tx + 1)
            combine(e0a + o0b, e1a + o1b, e2a + o2b, e3a + o3b, v + ts, tx)
            combine(o0b - e0a, o1b - e1a, o2b - e2a, o3b - e3a, v + 2 * ts, tx)
            tx += 4
        }
        tx = 0
        while tx + 4 <= tw {
            let e0a = SIMDLoad.load4(e0 + tx), e0b = SIMDLoad.load4(e0 + tx + 1), e1a = SIMDLoad.load4(e1 + tx), e1b = SIMDLoad.load4(e1 + tx + 1)
            let e2a = SIMDLoad.load4(e2 + tx), e2b = SIMDLoad.load4(e2 + tx + 1), e3a = SIMDLoad.load4(e3 + tx), e3b = SIMDLoad.load4(e3 + tx + 1)
            combine(e0a - e0b, e1a - e1b, e2a - e2b, e3a - e3b, v + 3 * ts, tx)
            tx += 4
        }
        let start = tx
        do {
            let v0 = v, v1 = v + 4 * ts, v2 = v + 8 * ts, v3 = v + 12 * ts
            for tx in start..<tw {
                let c0 = o0[tx] - o0[tx + 1], c1 = o1[tx] - o1[tx + 1], c2 = o2[tx] - o2[tx + 1], c3 = o3[tx] - o3[tx + 1]
                v0[tx] = c0 - c2; v1[tx] = c1 + c2; v2[tx] = c2 - c1; v3[tx] = c1 - c3
            }
        }
        do {
            let v0 = v + ts, v1 = v + 5 * ts, v2 = v + 9 * ts, v3 = v + 13 * ts
            for tx in start..<tw {
                let c0 = e0[tx] + o0[tx + 1], c1 = e1[tx] + o1[tx + 1], c2 = e2[tx] + o2[tx + 1], c3 = e3[tx] + o3[tx + 1]
                v0[tx] = c0 - c2; v1[tx] = c1 + c2; v2[tx] = c2 - c1; v3[tx] = c1 - c3
            }
        }
        do {
            let v0 = v + 2 * ts, v1 = v + 6 * ts, v2 = v + 10 * ts, v3 = v + 14 * ts
            for tx in start..<tw {
                let c0 = o0[tx + 1] - e0[tx], c1 = o1[tx + 1] - e1[tx], c2 = o2[tx + 1] - e2[tx], c3 = o3[tx + 1] - e3[tx]
                v0[tx] = c0 - c2; v1[tx] = c1 + c2; v2[tx] = c2 - c1; v3[tx] = c1 - c3
            }
        }
        do {
            let v0 = v + 3 * ts, v1 = v + 7 * ts, v2 = v + 11 * ts, v3 = v + 15 * ts
            for tx in start..<tw {
                let c0 = e0[tx] - e0[tx + 1], c1 = e1[tx] - e1[tx + 1], c2 = e2[tx] - e2[tx + 1], c3 = e3[tx] - e3[tx + 1]
                v0[tx] = c0 - c2; v1[tx] = c1 + c2; v2[tx] = c2 - c1; v3[tx] = c1 - c3
            }
        }
    }

    /// Output transform of one tile row: from the 16 product vectors M_t[tx] at m + t * tStride,
    /// the two output rows Y = A^T M A, 2 * tw values each (the caller crops to the width).
    @inline(__always)
    static func winogradOutputRow(_ m: UnsafePointer<Float>, tStride ts: Int, tilesPerRow tw: Int,
                                  row0: UnsafeMutablePointer<Float>, row1: UnsafeMutablePointer<Float>) {
        // First A^T over a (rows of the tile): p0b = m0b + m1b + m2b, p1b = m1b - m2b - m3b.
        let m0 = m, m1 = m + 4 * ts, m2 = m + 8 * ts, m3 = m + 12 * ts
        // Four tiles at a time in SIMD4 (the compiler keeps the scalar loop scalar: 16 input and 4
        // output streams are too many for its alias checks); the same operations in the same
        // order as the scalar loop, which finishes the row.
        var tx = 0
        while tx + 4 <= tw {
            @inline(__always) func column(_ b: Int) -> (SIMD4<Float>, SIMD4<Float>) {
                let a0 = SIMDLoad.load4(m0 + b * ts + tx), a1 = SIMDLoad.load4(m1 + b * ts + tx)
                let a2 = SIMDLoad.load4(m2 + b * ts + tx), a3 = SIMDLoad.load4(m3 + b * ts + tx)
                return (a0 + a1 + a2, a1 - a2 - a3)
            }
            let (p00, p10) = column(0), (p01, p11) = column(1), (p02, p12) = column(2), (p03, p13) = column(3)
            SIMDLoad.storeInterleaved(p00 + p01 + p02, p01 - p02 - p03, row0 + 2 * tx)
            SIMDLoad.storeInterleaved(p10 + p11 + p12, p11 - p12 - p13, row1 + 2 * tx)
            tx += 4
        }
        for tx in tx..<tw {
            let p00 = m0[tx] + m1[tx] + m2[tx], p10 = m1[tx] - m2[tx] - m3[tx]
            let p01 = m0[ts + tx] + m1[ts + tx] + m2[ts + tx], p11 = m1[ts + tx] - m2[ts + tx] - m3[ts + tx]
            let p02 = m0[2 * ts + tx] + m1[2 * ts + tx] + m2[2 * ts + tx], p12 = m1[2 * ts + tx] - m2[2 * ts + tx] - m3[2 * ts + tx]
            let p03 = m0[3 * ts + tx] + m1[3 * ts + tx] + m2[3 * ts + tx], p13 = m1[3 * ts + tx] - m2[3 * ts + tx] - m3[3 * ts + tx]
            row0[2 * tx] = p00 + p01 + p02
            row0[2 * tx + 1] = p01 - p02 - p03
            row1[2 * tx] = p10 + p11 + p12
            row1[2 * tx + 1] = p11 - p12 - p13
        }
    }
}
