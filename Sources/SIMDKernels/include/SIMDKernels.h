// The few element-wise kernels of the tensor layer that need vectors wider than SSE: Swift has no
// per-function target features, and a package that passed -march (unsafeFlags) could not be a
// dependency, nor run on both the AVX2 and the AVX-512 machines. Each kernel is compiled twice with
// clang's target attribute (AVX2 + FMA, 8 lanes; AVX-512, 16 lanes) and chosen at run time from what
// the CPU reports (`sc2_simd_cpu_level`); the Swift kernels (SSE) remain the baseline and the reference
// the tests compare against. Pointers and extents are the engine's, never a file's.
#ifndef SC2_SIMD_KERNELS_H
#define SC2_SIMD_KERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// 0: baseline (SSE2), 1: AVX2 + FMA, 2: AVX-512 (F, VL, BW, DQ) with the OS saving its registers.
int sc2_simd_cpu_level(void);

/// The synthesis epilogue for one (image, channel): v = x * demod (+ noise * noiseStrength) + bias,
/// leaky ReLU (slope 0.2) and gain when lrelu, clamped to +-limit; identity copies.
typedef struct {
    float demod, bias, noiseStrength, gain, limit;
    int lrelu, identity;
} sc2_epilogue;

/// Winograd F(4x4, 3x3) input transform of tiles [c0, c0+cn) of tile rows [ty0, ty1) of one [h, w]
/// plane scaled by s: the 36 vectors V_t of tile (ty, tx) at v + t * ts + (ty - ty0) * cn + tx.
/// `buf` holds sc2_wino4_input_scratch(cn, ty1 - ty0, lanes) floats.
long sc2_wino4_input_scratch(long cn, long tileRows, int lanes);
void sc2_wino4_input_rows_v16(const float *plane, long h, long w, long ty0, long ty1, float s,
                              long c0, long cn, float *buf, float *v, long ts);
void sc2_wino4_input_rows_v8(const float *plane, long h, long w, long ty0, long ty1, float s,
                             long c0, long cn, float *buf, float *v, long ts);

/// Output transform of one tile row of F(4x4, 3x3) with the epilogue: from the 36 product vectors
/// M_t[tx] at m + t * ts + tx (tx < cn), output rows 0 ..< rows (at most 4) of the tile row, columns
/// 0 ..< cols, written at dst + r * w + x. `noise` (or NULL) is the noise plane at the same place.
void sc2_wino4_output_row_v16(const float *m, long ts, long cn, float *dst, long w, long cols, long rows,
                              const sc2_epilogue *e, const float *noise);
void sc2_wino4_output_row_v8(const float *m, long ts, long cn, float *dst, long w, long cols, long rows,
                             const sc2_epilogue *e, const float *noise);

/// The same two transforms for planes 16, 32 or 64 wide (AVX-512 only): the tile rows [ty0, ty1) of
/// one plane, all its tiles (ty1 - ty0 a multiple of 64 / w), lane = (tile row, tile), so that 4 or 8
/// tiles per row still fill 16 lanes; along y first, from the plane's rows, with no row buffer (at 64
/// wide, one tile row per vector, this beats the kernels above). V_t and M_t of tile (ty, tx) at v + t * ts + (ty - ty0) * w / 4 + tx;
/// the output writes rows 4 ty0 ..< min(4 ty1, h) of `dst` (the whole plane) with the epilogue.
void sc2_wino4_input_narrow_v16(const float *plane, long h, long w, long ty0, long ty1, float s, float *v, long ts);
void sc2_wino4_output_narrow_v16(const float *m, long ts, long h, long w, long ty0, long ty1, float *dst,
                                 const sc2_epilogue *e, const float *noise);

/// F(2x2, 3x3)'s input and output transforms (Winograd.swift's winogradInputRow and winogradOutputRow,
/// products t = 4 a + b) for planes 8 wide, the same lanes (AVX-512 only): tile rows [ty0, ty1) of the
/// plane, ty1 - ty0 a multiple of 4, V_t and M_t of tile (ty, tx) at v + t * ts + (ty - ty0) * 4 + tx.
void sc2_wino2_input_narrow8_v16(const float *plane, long h, long ty0, long ty1, float s, float *v, long ts);
void sc2_wino2_output_narrow8_v16(const float *m, long ts, long h, long ty0, long ty1, float *dst,
                                  const sc2_epilogue *e, const float *noise);

/// F(2x2, 3x3)'s transforms for 4 x 4 planes, four images at a time (AVX-512 only): image j's plane at
/// plane + j * imageStride (scaled by scales[j]), V_t and M_t of its tile (ty, tx) at
/// v + t * ts + 4 j + 2 ty + tx; the output applies e[j] and noise + j * noiseStride (noise may be NULL).
void sc2_wino2_input_four4_v16(const float *plane, long imageStride, const float *scales, float *v, long ts);
void sc2_wino2_output_four4_v16(const float *m, long ts, float *dst, long imageStride, const sc2_epilogue *e,
                                const float *noise, long noiseStride);

/// StyleGAN2's upsampling FIR over the transposed 3x3 convolution's columns, with the epilogue:
/// output rows 2m, 2m+1 (m in [m0, m1)) of one channel's [2h, 2w] plane `out` (Conv.upFIRRows).
/// `noise`: the image's [2h, 2w] noise plane or NULL. `buf`: sc2_up_fir_scratch(w, lanes) floats.
long sc2_up_fir_scratch(long w, int lanes);
void sc2_up_fir_rows_v16(const float *c, long ldc, long base, long h, long w, long m0, long m1, float *out,
                         const sc2_epilogue *e, const float *noise, float *buf);
void sc2_up_fir_rows_v8(const float *c, long ldc, long base, long h, long w, long m0, long m1, float *out,
                        const sc2_epilogue *e, const float *noise, float *buf);

/// The same FIR on inputs 4 or 8 wide (AVX-512 only), 16 / w input rows per vector: output rows 2m,
/// 2m+1 for m in [m0, m1), (m1 - m0) a multiple of 16 / w; no scratch.
void sc2_up_fir_narrow_v16(const float *c, long ldc, long base, long h, long w, long m0, long m1, float *out,
                           const sc2_epilogue *e, const float *noise);

#ifdef __cplusplus
}
#endif
#endif
