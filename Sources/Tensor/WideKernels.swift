import SIMDKernels

/// The calls into SIMDKernels' wide instances (16 lanes with AVX-512, 8 with AVX2): the caller takes
/// `lanes` from `VectorISA.wideLanes(filling:)`, which is 0 (the Swift kernels) off x86-64.
extension Conv {
    /// `winograd4InputRows` by the wide instance; `buf` holds `sc2_wino4_input_scratch(cn, ty1 - ty0, lanes)` floats.
    static func winograd4InputRowsWide(_ lanes: Int, _ plane: UnsafePointer<Float>, height h: Int, width w: Int,
                                       tileRows ty0: Int, _ ty1: Int, scale s: Float, tiles c0: Int, _ cn: Int,
                                       buf: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, tStride ts: Int) {
        #if arch(x86_64)
        if lanes == 16 { sc2_wino4_input_rows_v16(plane, h, w, ty0, ty1, s, c0, cn, buf, v, ts) }
        else { sc2_wino4_input_rows_v8(plane, h, w, ty0, ty1, s, c0, cn, buf, v, ts) }
        #else
        preconditionFailure("wide kernels exist on x86-64 only")
        #endif
    }

    /// `winograd4OutputRow` followed by the epilogue, by the wide instance: rows 0 ..< `rows` of the
    /// tile row, columns 0 ..< `columns`, written at dst + r * width + x.
    static func winograd4OutputRowWide(_ lanes: Int, _ m: UnsafePointer<Float>, tStride ts: Int, tilesPerRow cn: Int,
                                       dst: UnsafeMutablePointer<Float>, width w: Int, columns: Int, rows: Int,
                                       epilogue e: inout sc2_epilogue, noise: UnsafePointer<Float>?) {
        #if arch(x86_64)
        if lanes == 16 { sc2_wino4_output_row_v16(m, ts, cn, dst, w, columns, rows, &e, noise) }
        else { sc2_wino4_output_row_v8(m, ts, cn, dst, w, columns, rows, &e, noise) }
        #else
        preconditionFailure("wide kernels exist on x86-64 only")
        #endif
    }

    /// Tile rows per group of the narrow-plane Winograd transforms (`winogradInputNarrow`), 0 where
    /// they do not apply: with AVX-512, F(4x4) on planes 16, 32 or 64 wide and F(2x2) on planes 8 wide
    /// (4 or 8 tiles per tile row are too few for 16 lanes one tile row at a time; at 64 wide these
    /// kernels, along y first with no row buffer, beat the one-row kernels: b64.conv1 3.11-3.22 ->
    /// 2.79-2.91 ms per batch of 16, interleaved).
    static func narrowWinogradGroup(tile mt: Int, width w: Int) -> Int {
        guard KernelConfiguration.vectorISA >= .avx512 else { return 0 }
        if mt == 4 && (w == 16 || w == 32 || w == 64) { return 64 / w }
        if mt == 2 && w == 8 { return 4 }
        return 0
    }

    /// The input transform of tile rows [ty0, ty1) of a narrow plane, every tile, lane = (tile row,
    /// tile): (ty1 - ty0) a multiple of `narrowWinogradGroup`.
    static func winogradInputNarrow(tile mt: Int, _ plane: UnsafePointer<Float>, height h: Int, width w: Int, tileRows ty0: Int, _ ty1: Int,
                                    scale s: Float, v: UnsafeMutablePointer<Float>, tStride ts: Int) {
        #if arch(x86_64)
        if mt == 4 { sc2_wino4_input_narrow_v16(plane, h, w, ty0, ty1, s, v, ts) }
        else { sc2_wino2_input_narrow8_v16(plane, h, ty0, ty1, s, v, ts) }
        #else
        preconditionFailure("wide kernels exist on x86-64 only")
        #endif
    }

    /// The output transform and epilogue of tile rows [ty0, ty1) of a narrow plane into its rows
    /// mt ty0 ..< min(mt ty1, height) of `plane` (the channel's whole plane); `noise`: the image's
    /// noise plane or nil.
    static func winogradOutputNarrow(tile mt: Int, _ m: UnsafePointer<Float>, tStride ts: Int, height h: Int, width w: Int, tileRows ty0: Int, _ ty1: Int,
                                     plane: UnsafeMutablePointer<Float>, epilogue e: inout sc2_epilogue, noise: UnsafePointer<Float>?) {
        #if arch(x86_64)
        if mt == 4 { sc2_wino4_output_narrow_v16(m, ts, h, w, ty0, ty1, plane, &e, noise) }
        else { sc2_wino2_output_narrow8_v16(m, ts, h, ty0, ty1, plane, &e, noise) }
        #else
        preconditionFailure("wide kernels exist on x86-64 only")
        #endif
    }

    /// Whether F(2x2)'s transforms of 4 x 4 planes may run four images at a time
    /// (`winograd2InputFour`): with AVX-512, 4 tiles per plane fill 16 lanes only that way.
    static func fourImageWinograd(tile mt: Int, height h: Int, width w: Int) -> Bool {
        mt == 2 && h == 4 && w == 4 && KernelConfiguration.vectorISA >= .avx512
    }

    /// F(2x2)'s input transform of the 4 x 4 planes of four images (image j's at plane + j *
    /// imageStride, scaled by scales[j]): tile (ty, tx) of image j at v + t * ts + 4 j + 2 ty + tx.
    static func winograd2InputFour(_ plane: UnsafePointer<Float>, imageStride: Int, scales: UnsafePointer<Float>,
                                   v: UnsafeMutablePointer<Float>, tStride ts: Int) {
        #if arch(x86_64)
        sc2_wino2_input_four4_v16(plane, imageStride, scales, v, ts)
        #else
        preconditionFailure("wide kernels exist on x86-64 only")
        #endif
    }

    /// F(2x2)'s output transform and epilogue for four images' 4 x 4 planes (`winograd2InputFour`'s
    /// layout): e[j] and the noise at noise + j * noiseStride (or none) for image j.
    static func winograd2OutputFour(_ m: UnsafePointer<Float>, tStride ts: Int, plane: UnsafeMutablePointer<Float>, imageStride: Int,
                                    epilogues e: UnsafePointer<sc2_epilogue>, noise: UnsafePointer<Float>?, noiseStride: Int) {
        #if arch(x86_64)
        sc2_wino2_output_four4_v16(m, ts, plane, imageStride, e, noise, noiseStride)
        #else
        preconditionFailure("wide kernels exist on x86-64 only")
        #endif
    }

    /// `upFIRRows` by the wide instance (the same arithmetic, `lanes` input columns at a time).
    static func upFIRRowsWide(_ lanes: Int, _ c: UnsafePointer<Float>, ldc: Int, base: Int, height h: Int, width w: Int,
                              rows m0: Int, _ m1: Int, out: UnsafeMutablePointer<Float>,
                              epilogue ep: EpilogueKernel, image: Int, channel: Int) {
        #if arch(x86_64)
        var e = ep.scalars(image: image, channel: channel)
        let noise = ep.noise(image: image, offset: 0)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: sc2_up_fir_scratch(w, Int32(lanes))) { buf in
            if lanes == 16 { sc2_up_fir_rows_v16(c, ldc, base, h, w, m0, m1, out, &e, noise, buf.baseAddress!) }
            else { sc2_up_fir_rows_v8(c, ldc, base, h, w, m0, m1, out, &e, noise, buf.baseAddress!) }
        }
        #else
        preconditionFailure("wide kernels exist on x86-64 only")
        #endif
    }

    /// Whether `upFIRRowsNarrow` takes `rows` input rows of this width: 4 or 8 wide with AVX-512, rows
    /// a multiple of 16 / w (one row fills a quarter or half of 16 lanes).
    static func narrowFIR(width w: Int, rows: Int) -> Bool {
        (w == 4 || w == 8) && KernelConfiguration.vectorISA >= .avx512 && rows % (16 / w) == 0
    }

    /// `upFIRRows` for inputs 4 or 8 wide with AVX-512, 16 / w input rows per vector ((m1 - m0) a
    /// multiple of 16 / w): one row of 4 or 8 values fills a quarter or half of 16 lanes.
    static func upFIRRowsNarrow(_ c: UnsafePointer<Float>, ldc: Int, base: Int, height h: Int, width w: Int,
                                rows m0: Int, _ m1: Int, out: UnsafeMutablePointer<Float>,
                                epilogue ep: EpilogueKernel, image: Int, channel: Int) {
        #if arch(x86_64)
        var e = ep.scalars(image: image, channel: channel)
        sc2_up_fir_narrow_v16(c, ldc, base, h, w, m0, m1, out, &e, ep.noise(image: image, offset: 0))
        #else
        preconditionFailure("wide kernels exist on x86-64 only")
        #endif
    }
}
