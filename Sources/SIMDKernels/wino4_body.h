// The body of the wide kernels, included once per instruction set by wide16.c and wide8.c with
// VW (lanes), SUF (name suffix) defined and a target attribute pushed for every function.
// Lane = tile, as in the Swift kernels (Winograd4.swift): the same transforms, VW tiles at a time.

#define SC2_CAT2(a, b) a##b
#define SC2_CAT(a, b) SC2_CAT2(a, b)
#define FN(name) SC2_CAT(name, SUF)

typedef float V __attribute__((ext_vector_type(VW)));


static inline V ld(const float *p) { V v; __builtin_memcpy(&v, p, sizeof v); return v; }
static inline void st(float *p, V v) { __builtin_memcpy(p, &v, sizeof v); }
static inline V ldn(const float *p, long n) { V v = (V)(0.0f); for (long i = 0; i < n; i++) v[i] = p[i]; return v; }
static inline void stn(float *p, V v, long n) { for (long i = 0; i < n; i++) p[i] = v[i]; }
/// n (at most VW) values: a whole vector when n == VW, else lane by lane (zeros after n).
static inline V ldm(const float *p, long n) { return n == VW ? ld(p) : ldn(p, n); }
static inline void stm(float *p, V v, long n) { if (n == VW) st(p, v); else stn(p, v, n); }
/// src[k ..< k + VW] * s with zeros outside [k0, k1).
static inline V edge(const float *src, long k, long k0, long k1, float s) {
    V t = (V)(0.0f);
    for (long i = 0; i < VW; i++) if (k + i >= k0 && k + i < k1) t[i] = src[k + i] * s;
    return t;
}
// maxps/minps (x86's max: the second operand when either is NaN), not the IEEE maxNum that
// __builtin_elementwise_max lowers to with extra compares and blends.
#if VW == 16
static inline V vmax(V a, V b) { return (V)_mm512_max_ps((__m512)a, (__m512)b); }
static inline V vmin(V a, V b) { return (V)_mm512_min_ps((__m512)a, (__m512)b); }
#else
static inline V vmax(V a, V b) { return (V)_mm256_max_ps((__m256)a, (__m256)b); }
static inline V vmin(V a, V b) { return (V)_mm256_min_ps((__m256)a, (__m256)b); }
#endif

#if VW == 16
#define EVENS 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30
#define ODDS 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31
#define ZIP_LO 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23
#define ZIP_HI 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31
#define PAIR_LO 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23
#define PAIR_HI 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31
#define NEXT1 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
#define PREV1 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30
#elif VW == 8
#define EVENS 0, 2, 4, 6, 8, 10, 12, 14
#define ODDS 1, 3, 5, 7, 9, 11, 13, 15
#define ZIP_LO 0, 8, 1, 9, 2, 10, 3, 11
#define ZIP_HI 4, 12, 5, 13, 6, 14, 7, 15
#define PAIR_LO 0, 1, 8, 9, 2, 3, 10, 11
#define PAIR_HI 4, 5, 12, 13, 6, 7, 14, 15
#define NEXT1 1, 2, 3, 4, 5, 6, 7, 8
#define PREV1 7, 8, 9, 10, 11, 12, 13, 14
#else
#error "VW must be 8 or 16"
#endif

/// B^T applied to six vectors (Winograd4.swift's winograd4B, the same operations).
#define WINO4_B(d0, d1, d2, d3, d4, d5, o0, o1, o2, o3, o4, o5) do { \
        V a_ = (d4) - (d2), b_ = (d3) - (d1); \
        o0 = 4.0f * (d0) - 5.0f * (d2) + (d4); \
        o1 = ((d3) + (d4)) - 4.0f * ((d1) + (d2)); \
        o2 = ((d4) - (d3)) + 4.0f * ((d1) - (d2)); \
        o3 = a_ + 2.0f * b_; \
        o4 = a_ - 2.0f * b_; \
        o5 = 4.0f * (d1) - 5.0f * (d3) + (d5); \
    } while (0)

/// A^T applied to six vectors (winograd4A).
#define WINO4_A(m0, m1, m2, m3, m4, m5, o0, o1, o2, o3) do { \
        V s12_ = (m1) + (m2), d12_ = (m1) - (m2), s34_ = (m3) + (m4), d34_ = (m3) - (m4); \
        o0 = (m0) + s12_ + s34_; \
        o1 = d12_ + 2.0f * d34_; \
        o2 = s12_ + 4.0f * s34_; \
        o3 = d12_ + 8.0f * d34_ + (m5); \
    } while (0)

void FN(sc2_wino4_input_rows_)(const float *plane, long h, long w, long ty0, long ty1, float s,
                               long c0, long cn, float *buf, float *v, long ts) {
    const long padded = (cn + VW - 1) / VW * VW;
    float *rt = buf;                          // input row r (y = 4 ty0 - 1 + r), column b: rt + (6 r + b) * padded
    const long x0 = 4 * c0 - 1;               // the plane's x of row value 0
    const long k0 = x0 < 0 ? -x0 : 0, k1 = w - x0;   // row values inside the image
    const long rows = 4 * (ty1 - ty0) + 2;
    const V sv = (V)(s);
    for (long r = 0; r < rows; r++) {
        const long yy = 4 * ty0 - 1 + r;
        float *dst = rt + 6 * r * padded;
        if (yy < 0 || yy >= h) {
            for (long k = 0; k < 6 * padded; k++) dst[k] = 0;
            continue;
        }
        const float *src = plane + yy * w + x0;
        // The row scaled, zero outside the image, read straight from the plane: whole vectors inside,
        // the first block of a row (x = -1 outside) shifted in with one zero, lane by lane elsewhere
        // at the edges (built lane by lane, the first block cost more than the rest of the row).
#define BLOCK(k) ((k) >= k0 && (k) + VW <= k1 ? ld(src + (k)) * sv \
                 : (k) + 1 == k0 && (k) + VW + 1 <= k1 ? __builtin_shufflevector((V)(0.0f), ld(src + (k) + 1) * sv, PREV1) \
                 : edge(src, (k), k0, k1, s))
#define AT(k) ((k) >= k0 && (k) < k1 ? src[k] * s : 0.0f)
        // Along x, VW tiles at a time: tile q + l reads row values 4 (q + l) ... + 5, the row's four
        // column phases (phase p: value 4 q + p) and phases 0 and 1 one tile further.
        for (long q = 0; q < cn; q += VW) {
            const long k = 4 * q;
            V l0 = BLOCK(k), l1 = BLOCK(k + VW), l2 = BLOCK(k + 2 * VW), l3 = BLOCK(k + 3 * VW);
            const float n0 = AT(k + 4 * VW), n1 = AT(k + 4 * VW + 1);
#undef BLOCK
#undef AT
            V e01 = __builtin_shufflevector(l0, l1, EVENS), o01 = __builtin_shufflevector(l0, l1, ODDS);
            V e23 = __builtin_shufflevector(l2, l3, EVENS), o23 = __builtin_shufflevector(l2, l3, ODDS);
            V p0 = __builtin_shufflevector(e01, e23, EVENS), p1 = __builtin_shufflevector(o01, o23, EVENS);
            V p2 = __builtin_shufflevector(e01, e23, ODDS), p3 = __builtin_shufflevector(o01, o23, ODDS);
            V p4 = __builtin_shufflevector(p0, (V)(n0), NEXT1), p5 = __builtin_shufflevector(p1, (V)(n1), NEXT1);
            V t0, t1, t2, t3, t4, t5;
            WINO4_B(p0, p1, p2, p3, p4, p5, t0, t1, t2, t3, t4, t5);
            st(dst + q, t0); st(dst + padded + q, t1); st(dst + 2 * padded + q, t2);
            st(dst + 3 * padded + q, t3); st(dst + 4 * padded + q, t4); st(dst + 5 * padded + q, t5);
        }
    }
    // Along y: tile row ty reads input rows r = 4 (ty - ty0) ... + 5.
    const long step = 6 * padded;
    for (long ty = ty0; ty < ty1; ty++) {
        const float *base = rt + 6 * 4 * (ty - ty0) * padded;
        float *vr = v + (ty - ty0) * cn;
        for (long q = 0; q < cn; q += VW) {
            const long n = cn - q < VW ? cn - q : VW;
            for (long b = 0; b < 6; b++) {
                const float *c = base + b * padded + q;
                V t[6];
                WINO4_B(ld(c), ld(c + step), ld(c + 2 * step), ld(c + 3 * step), ld(c + 4 * step), ld(c + 5 * step),
                        t[0], t[1], t[2], t[3], t[4], t[5]);
                for (long a = 0; a < 6; a++) {
                    stm(vr + (6 * a + b) * ts + q, t[a], n);
                }
            }
        }
    }
}

/// The epilogue's scalars as one kernel call uses them, in a local copy (stores through float pointers
/// cannot alias it, so they stay in registers): the leaky ReLU's gain g > 0 folded into the affine part,
/// lrelu(v) g = lrelu(g v), so that v = x (demod g) + noise (strength g) + bias g costs two FMAs.
/// `s` scales the kernel's own result first (1, or the FIR's 1/16, below), folded into `a` as well.
typedef struct { float a, ns, b, post, limit; int lrelu, identity; } EK;
static inline EK ek_load(const sc2_epilogue *e, float s) {
    const float g = e->lrelu && e->gain > 0 ? e->gain : 1.0f;
    EK k = {e->identity ? s : e->demod * g * s, e->noiseStrength * g, e->bias * g,
            e->lrelu && !(e->gain > 0) ? e->gain : 1.0f, e->limit, e->lrelu, e->identity};
    return k;
}
/// The epilogue of n values (at most VW) with its switches as arguments: constants where a kernel
/// is instantiated per case (always inlined, so the tests fold away), the fields themselves below.
static inline __attribute__((always_inline)) V epilogue_as(V x, const EK *k, const float *noise, long n,
                                                          int identity, int lrelu, int hasNoise) {
    if (identity) return k->a == 1.0f ? x : x * k->a;
    V v = hasNoise ? x * k->a + (ldm(noise, n) * k->ns + k->b) : x * k->a + k->b;
    if (lrelu) {
        v = vmax(v, 0.2f * v);
        if (k->post != 1.0f) v = v * k->post;
    }
    return vmin(vmax(v, (V)(-k->limit)), (V)(k->limit));
}
static inline V epilogue(V x, const EK *k, const float *noise, long n) {
    return epilogue_as(x, k, noise, n, k->identity, k->lrelu, noise != 0);
}

/// One axis of the upsampling FIR on the transposed convolution's three taps, 4x the even and the
/// odd output (Conv.upFIRRows' u[2m], u[2m+1]): from the rows (or columns) m-1 (taps 1, 2), m (0, 1,
/// 2) and m+1 (0, 1), 4u = (x + y) + 3 (z + w) with the sums both outputs share added once. A macro,
/// so that loads passed as arguments happen where they are used (as a function, the AVX2 instance
/// held all seven at once: 7% slower with its 16 registers).
#define FIR_PAIR(a1, a2, b0, b1, b2, c0, c1, EVEN, ODD) do { \
        const V p_ = (a2) + (b0), r_ = (b2) + (c0), b1_ = (b1); \
        EVEN = (V)(3.0f) * (p_ + b1_) + ((a1) + r_); \
        ODD = (V)(3.0f) * (b1_ + r_) + (p_ + (c1)); \
    } while (0)

/// F(4x4)'s A^T M A for VW tiles, in two halves: along a for each of the 6 columns b (the 36 vectors
/// M_t at m + t ts, `count` lanes of each), then for output row i along b and from lane = tile to
/// pixel order, the row's 4 VW values in out[0 ... 3].
static inline __attribute__((always_inline)) void wino4_output_columns(const float *m, long ts, long count, V p[4][6]) {
    for (long b = 0; b < 6; b++) {
        V mv[6];
        for (long a = 0; a < 6; a++) mv[a] = ldm(m + (6 * a + b) * ts, count);
        WINO4_A(mv[0], mv[1], mv[2], mv[3], mv[4], mv[5], p[0][b], p[1][b], p[2][b], p[3][b]);
    }
}
static inline __attribute__((always_inline)) void wino4_output_pixels(const V pi[6], V out[4]) {
    V y0, y1, y2, y3;
    WINO4_A(pi[0], pi[1], pi[2], pi[3], pi[4], pi[5], y0, y1, y2, y3);
    V lo01 = __builtin_shufflevector(y0, y1, ZIP_LO), hi01 = __builtin_shufflevector(y0, y1, ZIP_HI);
    V lo23 = __builtin_shufflevector(y2, y3, ZIP_LO), hi23 = __builtin_shufflevector(y2, y3, ZIP_HI);
    out[0] = __builtin_shufflevector(lo01, lo23, PAIR_LO); out[1] = __builtin_shufflevector(lo01, lo23, PAIR_HI);
    out[2] = __builtin_shufflevector(hi01, hi23, PAIR_LO); out[3] = __builtin_shufflevector(hi01, hi23, PAIR_HI);
}

/// sc2_wino4_output_row_ (below) when every vector is whole: cn a multiple of VW, all 4 rows, no
/// column cropped (the row kernel's partial loads and stores and its row count kept its vectors
/// on the stack: 1.9x the narrow kernel's time per pixel in the harness).
static inline void FN(wino4_output_row_whole_)(const float *m, long ts, long cn, float *dst, long w,
                                               const EK *e, const float *noise) {
    for (long q = 0; q < cn; q += VW) {
        V p[4][6];
        wino4_output_columns(m + q, ts, VW, p);
        for (long i = 0; i < 4; i++) {
            V out[4];
            wino4_output_pixels(p[i], out);
            float *row = dst + i * w + 4 * q;
            const float *nrow = noise ? noise + i * w + 4 * q : 0;
            for (long k = 0; k < 4; k++) st(row + k * VW, epilogue(out[k], e, nrow ? nrow + k * VW : 0, VW));
        }
    }
}

void FN(sc2_wino4_output_row_)(const float *m, long ts, long cn, float *dst, long w, long cols, long rows,
                               const sc2_epilogue *e0, const float *noise) {
    const EK ek = ek_load(e0, 1.0f), *const e = &ek;
    if (cn % VW == 0 && rows == 4 && cols == 4 * cn) {
        FN(wino4_output_row_whole_)(m, ts, cn, dst, w, e, noise);
        return;
    }
    for (long q = 0; q < cn; q += VW) {
        const long count = cn - q < VW ? cn - q : VW;
        V p[4][6];
        wino4_output_columns(m + q, ts, count, p);
        // For each output row i: its pixels, the epilogue, the store.
        for (long i = 0; i < rows; i++) {
            V out[4];
            wino4_output_pixels(p[i], out);
            float *row = dst + i * w;
            const float *nrow = noise ? noise + i * w : 0;
            for (long k = 0; k < 4; k++) {
                const long x = 4 * q + k * VW;
                if (x >= cols) break;
                const long n = cols - x < VW ? cols - x : VW;
                stm(row + x, epilogue(out[k], e, nrow ? nrow + x : 0, n), n);
            }
        }
    }
}

/// sc2_up_fir_rows_ (below) for w a multiple of VW: whole vectors only, the epilogue's switches constant
/// (one instance per case) and the three kx's vectors of the previous, current and next block named,
/// so that all of them stay in registers (the general kernel's arrays of them lived on the stack; with
/// AVX2's 16 registers some spill, and it is still 1.8-2.2x the general kernel in the harness).
/// `zero`: w zeros, the rows above the first and below the last.
static inline __attribute__((always_inline)) void up_fir_whole(const float *c, long ldc, long base, long h, long w,
                                                               long m0, long m1, float *out, const EK *e,
                                                               const float *noise, const float *zero,
                                                               int identity, int lrelu, int hasNoise) {
    const long ow = 2 * w;
    const V z = (V)(0.0f);
    for (long m = m0; m < m1; m++) {
        const int up = m > 0, down = m + 1 < h;
        // Row m of column row (ky, kx) at p + (3 ky + kx) ldc; rows m - 1 and m + 1 one row before and after.
        const float *p = c + (m - base) * w;
#define ROWS(kx) \
        const float *b0_##kx = p + (kx) * ldc, *b1_##kx = b0_##kx + 3 * ldc, *b2_##kx = b0_##kx + 6 * ldc; \
        const float *a1_##kx = up ? b1_##kx - w : zero, *a2_##kx = up ? b2_##kx - w : zero; \
        const float *c0_##kx = down ? b0_##kx + w : zero, *c1_##kx = down ? b1_##kx + w : zero;
        ROWS(0) ROWS(1) ROWS(2)
#undef ROWS
        // 4 x the vertical FIR of block j, the even (E) and odd (O) output row (zero from j = w on).
#define VERT(kx, j, E, O) do { \
            if ((j) < w) { \
                FIR_PAIR(ld(a1_##kx + (j)), ld(a2_##kx + (j)), ld(b0_##kx + (j)), ld(b1_##kx + (j)), \
                         ld(b2_##kx + (j)), ld(c0_##kx + (j)), ld(c1_##kx + (j)), E, O); \
            } else { E = z; O = z; } \
        } while (0)
        V ce0, ce1, ce2, co0, co1, co2, pe0 = z, pe1 = z, pe2 = z, po0 = z, po1 = z, po2 = z;
        VERT(0, 0, ce0, co0); VERT(1, 0, ce1, co1); VERT(2, 0, ce2, co2);
        for (long j = 0; j < w; j += VW) {
            V ne0, ne1, ne2, no0, no1, no2;
            VERT(0, j + VW, ne0, no0); VERT(1, j + VW, ne1, no1); VERT(2, j + VW, ne2, no2);
            // 16 x the horizontal FIR of output row 2m + half, interleaved, the epilogue, two stores.
#define HALF(C, P, N, half) do { \
                V r0p = __builtin_shufflevector(C##0, N##0, NEXT1), r1l = __builtin_shufflevector(P##1, C##1, PREV1); \
                V r1p = __builtin_shufflevector(C##1, N##1, NEXT1), r2l = __builtin_shufflevector(P##2, C##2, PREV1); \
                V even, odd; \
                FIR_PAIR(r1l, r2l, C##0, C##1, C##2, r0p, r1p, even, odd); \
                const long at = (2 * m + (half)) * ow + 2 * j; \
                const float *nz = hasNoise ? noise + at : 0; \
                st(out + at, epilogue_as(__builtin_shufflevector(even, odd, ZIP_LO), e, nz, VW, identity, lrelu, hasNoise)); \
                st(out + at + VW, epilogue_as(__builtin_shufflevector(even, odd, ZIP_HI), e, hasNoise ? nz + VW : 0, VW, \
                                              identity, lrelu, hasNoise)); \
            } while (0)
            HALF(ce, pe, ne, 0);
            HALF(co, po, no, 1);
#undef HALF
            pe0 = ce0; pe1 = ce1; pe2 = ce2; po0 = co0; po1 = co1; po2 = co2;
            ce0 = ne0; ce1 = ne1; ce2 = ne2; co0 = no0; co1 = no1; co2 = no2;
        }
#undef VERT
    }
}

/// StyleGAN2's upsampling FIR on the transposed convolution's columns, with the epilogue: output rows
/// 2m and 2m+1 for m in [m0, m1) of one channel (Conv.upFIRRows in ConvUp.swift, in fewer operations,
/// so the rounding differs from it by an ulp or so): each axis computes 4 u = (x + y) + 3 (z + w),
/// the sums the even and odd rows share added once, and the 1/16 goes into the epilogue's scale.
/// 2D: 8 + 8 vector operations per 16 input pixels and kx instead of 12 + 12.
/// c: the channel's 9 rows of columns (row ky*3+kx at c + (ky*3+kx) * ldc, input row r at
/// column (r - base) * w); out: the channel's [2h, 2w] plane; noise: the image's noise plane or NULL;
/// buf: sc2_up_fir_scratch(w, VW) floats.
void FN(sc2_up_fir_rows_)(const float *c, long ldc, long base, long h, long w, long m0, long m1, float *out,
                          const sc2_epilogue *e0, const float *noise, float *buf) {
    const EK ek = ek_load(e0, 1.0f / 16), *const e = &ek;
    const long wp = (w + VW - 1) / VW * VW, ow = 2 * w;
    float *zero = buf;
    for (long k = 0; k < wp; k++) zero[k] = 0;
    if (w % VW == 0) {
        if (ek.identity) up_fir_whole(c, ldc, base, h, w, m0, m1, out, e, 0, zero, 1, 0, 0);
        else if (ek.lrelu && noise) up_fir_whole(c, ldc, base, h, w, m0, m1, out, e, noise, zero, 0, 1, 1);
        else if (ek.lrelu) up_fir_whole(c, ldc, base, h, w, m0, m1, out, e, 0, zero, 0, 1, 0);
        else if (noise) up_fir_whole(c, ldc, base, h, w, m0, m1, out, e, noise, zero, 0, 0, 1);
        else up_fir_whole(c, ldc, base, h, w, m0, m1, out, e, 0, zero, 0, 0, 0);
        return;
    }
    for (long m = m0; m < m1; m++) {
        const float *rp[3][7];                 // per kx: rows (1, m-1), (2, m-1), (0, m), (1, m), (2, m), (0, m+1), (1, m+1)
        for (long kx = 0; kx < 3; kx++) {
#define ROW(ky, r) ((r) >= 0 && (r) < h ? c + ((ky) * 3 + kx) * ldc + ((r) - base) * w : zero)
            rp[kx][0] = ROW(1, m - 1); rp[kx][1] = ROW(2, m - 1);
            rp[kx][2] = ROW(0, m); rp[kx][3] = ROW(1, m); rp[kx][4] = ROW(2, m);
            rp[kx][5] = ROW(0, m + 1); rp[kx][6] = ROW(1, m + 1);
#undef ROW
        }
        // The vertical combination of block j for each kx (even and odd output row), zero beyond w;
        // the horizontal one takes its neighbours from the blocks before and after, in registers.
        V ce[3], co[3], pe[3], po[3], ne[3], no[3];
#define VERT(j, E, O) do { \
            const long n_ = w - (j) < VW ? w - (j) : VW; \
            for (long kx = 0; kx < 3; kx++) { \
                const float *const *r_ = rp[kx]; \
                V a1 = ldm(r_[0] + (j), n_), a2 = ldm(r_[1] + (j), n_), b0 = ldm(r_[2] + (j), n_); \
                V b1 = ldm(r_[3] + (j), n_), b2 = ldm(r_[4] + (j), n_), c0 = ldm(r_[5] + (j), n_); \
                V c1 = ldm(r_[6] + (j), n_); \
                FIR_PAIR(a1, a2, b0, b1, b2, c0, c1, E[kx], O[kx]); \
            } \
        } while (0)
        VERT(0, ce, co);
        for (long kx = 0; kx < 3; kx++) { pe[kx] = (V)(0.0f); po[kx] = (V)(0.0f); }
        for (long j = 0; j < w; j += VW) {
            if (j + VW < w) VERT(j + VW, ne, no);
            else for (long kx = 0; kx < 3; kx++) { ne[kx] = (V)(0.0f); no[kx] = (V)(0.0f); }
            for (long half = 0; half < 2; half++) {
                const V *cur = half == 0 ? ce : co, *prev = half == 0 ? pe : po, *next = half == 0 ? ne : no;
                V r0m = cur[0], r0p = __builtin_shufflevector(cur[0], next[0], NEXT1);
                V r1l = __builtin_shufflevector(prev[1], cur[1], PREV1), r1m = cur[1], r1p = __builtin_shufflevector(cur[1], next[1], NEXT1);
                V r2l = __builtin_shufflevector(prev[2], cur[2], PREV1), r2m = cur[2];
 V even, odd;
                FIR_PAIR(r1l, r2l, r0m, r1m, r2m, r0p, r1p, even, odd);
                V lo = __builtin_shufflevector(even, odd, ZIP_LO), hi = __builtin_shufflevector(even, odd, ZIP_HI);
                const long y = 2 * m + half, x = 2 * j;
                float *d = out + y * ow;
                const float *nrow = noise ? noise + y * ow : 0;
                // The interleaved pair covers output columns x ..< x + 2 VW; the row may end inside it.
                for (long k = 0; k < 2 && x + k * VW < ow; k++) {
                    const long xk = x + k * VW, n = ow - xk < VW ? ow - xk : VW;
                    stm(d + xk, epilogue(k == 0 ? lo : hi, e, nrow ? nrow + xk : 0, n), n);
                }
            }
            for (long kx = 0; kx < 3; kx++) { pe[kx] = ce[kx]; po[kx] = co[kx]; ce[kx] = ne[kx]; co[kx] = no[kx]; }
        }
#undef VERT
    }
}

#if VW == 16
// Planes 16, 32 or 64 wide (4, 8 or 16 tiles per tile row): lane = (tile row k, tile c) over the
// 64 / w tile rows of a group, lane k * tw + c, so that narrow planes fill 16 lanes too. The transform
// runs along y first on whole 16-pixel row segments; the four segments of a group, read in order,
// are the values (k, x) = (k, 4 c + p), so the same split into column phases as above gives the
// lanes (k, c) of each phase, and the output's interleave gives back the row segments.
typedef int VI __attribute__((ext_vector_type(16)));

/// Lanes whose tile is the first (or the last) of its tile row, for tw tiles per row.
static inline VI narrow_edge(long tw, int last) {
    VI m;
    for (int l = 0; l < 16; l++) m[l] = (l % tw == (last ? tw - 1 : 0)) ? 0 : -1;
    return m;
}

/// x one lane up (lane l gets x[l - 1]) or down (x[l + 1]), zero in the lanes `keep` clears: the
/// neighbour tile (or pixel) before or after within each row of lanes, zero at the row's edge.
static inline V shift_prev(V x, VI keep) { return (V)((VI)__builtin_shufflevector((V)(0.0f), x, PREV1) & keep); }
static inline V shift_next(V x, VI keep) { return (V)((VI)__builtin_shufflevector(x, (V)(0.0f), NEXT1) & keep); }

void sc2_wino4_input_narrow_v16(const float *plane, long h, long w, long ty0, long ty1, float s, float *v, long ts) {
    const long tw = w / 4, group = 64 / w, segs = w / 16;
    const VI keepLeft = narrow_edge(tw, 0), keepRight = narrow_edge(tw, 1);
    const V sv = (V)(s), zero = (V)(0.0f);
    for (long ty = ty0; ty < ty1; ty += group) {
        // The rows two groups ahead, one cache line at a time (the loads of the rows missed the cache:
        // b64.conv1 2.99-3.40 -> 2.69-3.01 ms per batch of 16, interleaved).
        for (long yy = 4 * (ty + 2 * group) - 1; yy < 4 * (ty + 3 * group) - 1 && yy < h; yy++)
            for (long x = 0; x < w; x += 16) __builtin_prefetch(plane + yy * w + x);
        // The same rows of the next plane in memory, into L2: the caller's next channel (or image),
        // whose first rows the line above cannot reach (a prefetch does not fault past the tensor).
        // b64.conv1 2.64-3.25 -> 2.46-3.11 ms per batch of 16, better in each of 5 interleaved rounds.
        const uintptr_t next = (uintptr_t)plane + (uintptr_t)(h * w) * sizeof(float);
        for (long yy = 4 * ty - 1 < 0 ? 0 : 4 * ty - 1; yy < 4 * (ty + group) + (ty + group >= ty1 ? 1 : -1) && yy < h; yy++)
            for (long x = 0; x < w; x += 16) _mm_prefetch((const char *)(next + (uintptr_t)(yy * w + x) * sizeof(float)), _MM_HINT_T1);
        V t[6][4];                               // along y: [a][segment of the group]
        for (long k = 0; k < group; k++) {
            for (long g = 0; g < segs; g++) {
                V d[6];
                for (long a = 0; a < 6; a++) {
                    const long yy = 4 * (ty + k) - 1 + a;
                    d[a] = yy >= 0 && yy < h ? ld(plane + yy * w + 16 * g) * sv : zero;
                }
                const long j = k * segs + g;
                WINO4_B(d[0], d[1], d[2], d[3], d[4], d[5], t[0][j], t[1][j], t[2][j], t[3][j], t[4][j], t[5][j]);
            }
        }
        float *vt = v + (ty - ty0) * tw;
        for (long a = 0; a < 6; a++) {
            V e01 = __builtin_shufflevector(t[a][0], t[a][1], EVENS), o01 = __builtin_shufflevector(t[a][0], t[a][1], ODDS);
            V e23 = __builtin_shufflevector(t[a][2], t[a][3], EVENS), o23 = __builtin_shufflevector(t[a][2], t[a][3], ODDS);
            V p0 = __builtin_shufflevector(e01, e23, EVENS), p1 = __builtin_shufflevector(o01, o23, EVENS);
            V p2 = __builtin_shufflevector(e01, e23, ODDS), p3 = __builtin_shufflevector(o01, o23, ODDS);
            // x = 4 c - 1 (phase 3 of the tile before) and x = 4 c + 4 (phase 0 of the tile after), zero at the edges.
            V pm = shift_prev(p3, keepLeft), p4 = shift_next(p0, keepRight);
            V b[6];
            WINO4_B(pm, p0, p1, p2, p3, p4, b[0], b[1], b[2], b[3], b[4], b[5]);
            for (long c = 0; c < 6; c++) st(vt + (6 * a + c) * ts, b[c]);
        }
    }
}

void sc2_wino4_output_narrow_v16(const float *m, long ts, long h, long w, long ty0, long ty1, float *dst,
                                 const sc2_epilogue *e0, const float *noise) {
    const EK ek = ek_load(e0, 1.0f), *const e = &ek;
    const long tw = w / 4, group = 64 / w, segs = w / 16;
    for (long ty = ty0; ty < ty1; ty += group) {
        V p[4][6];
        wino4_output_columns(m + (ty - ty0) * tw, ts, 16, p);
        for (long i = 0; i < 4; i++) {
            V out[4];
            wino4_output_pixels(p[i], out);
            for (long j = 0; j < 4; j++) {
                const long k = j / segs, g = j % segs, yy = 4 * (ty + k) + i;
                if (yy >= h) continue;
                const long at = yy * w + 16 * g;
                st(dst + at, epilogue(out[j], e, noise ? noise + at : 0, 16));
            }
        }
    }
}
// F(2x2, 3x3) on planes 8 wide (4 tiles per tile row): lane = (tile row k, tile c), 4 tile rows (the
// whole 8 x 8 plane) per vector, the same idea: along y on 8-pixel rows, two tile rows' rows
// side by side are the values (k, x) = (k, 2 c + p), split into column parities for the lanes.
typedef float V8 __attribute__((ext_vector_type(8)));
static inline V8 ld8(const float *p) { V8 v; __builtin_memcpy(&v, p, sizeof v); return v; }
static inline void st8(float *p, V8 v) { __builtin_memcpy(p, &v, sizeof v); }
static inline V8 epilogue8(V8 x, const sc2_epilogue *e, const float *noise) {
    if (e->identity) return x;
    V8 v = x * e->demod;
    if (noise) v = v + ld8(noise) * e->noiseStrength;
    v = v + e->bias;
    if (e->lrelu) v = (V8)_mm256_max_ps((__m256)v, (__m256)(0.2f * v)) * e->gain;
    return (V8)_mm256_min_ps(_mm256_max_ps((__m256)v, (__m256)(V8)(-e->limit)), (__m256)(V8)(e->limit));
}
#define CONCAT8 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
#define LOW8 0, 1, 2, 3, 4, 5, 6, 7
#define HIGH8 8, 9, 10, 11, 12, 13, 14, 15

/// F(2x2)'s d B from a row's even and odd columns (lane = tile c: x = 2 c and 2 c + 1), the odd column
/// before and the even one after taken by shifts: V_{4a+b} for b = 0 ... 3 at v + b * ts.
static inline void wino2_store_row(V even, V odd, VI keepLeft, VI keepRight, float *v, long ts) {
    V prev = shift_prev(odd, keepLeft), next = shift_next(even, keepRight);
    st(v, prev - odd);
    st(v + ts, even + odd);
    st(v + 2 * ts, odd - even);
    st(v + 3 * ts, even - next);
}

/// F(2x2)'s A^T M A from the 16 product vectors at m + t * ts: out[i][k], output row i of each tile,
/// its two pixels interleaved (lanes 0 ... 7 of the tiles in out[i][0], 8 ... 15 in out[i][1]).
static inline void wino2_output_rows(const float *m, long ts, V out[2][2]) {
    V p[2][4];
    for (long b = 0; b < 4; b++) {
        V m0 = ld(m + b * ts), m1 = ld(m + (4 + b) * ts), m2 = ld(m + (8 + b) * ts), m3 = ld(m + (12 + b) * ts);
        p[0][b] = m0 + m1 + m2; p[1][b] = m1 - m2 - m3;
    }
    for (long i = 0; i < 2; i++) {
        V y0 = p[i][0] + p[i][1] + p[i][2], y1 = p[i][1] - p[i][2] - p[i][3];
        out[i][0] = __builtin_shufflevector(y0, y1, ZIP_LO);
        out[i][1] = __builtin_shufflevector(y0, y1, ZIP_HI);
    }
}

void sc2_wino2_input_narrow8_v16(const float *plane, long h, long ty0, long ty1, float s, float *v, long ts) {
    const VI keepLeft = narrow_edge(4, 0), keepRight = narrow_edge(4, 1);
    const V8 sv = (V8)(s), zero8 = (V8)(0.0f);
    for (long ty = ty0; ty < ty1; ty += 4) {
        V8 t[4][4];                              // along y: [a][tile row k]
        for (long k = 0; k < 4; k++) {
            V8 d[4];
            for (long a = 0; a < 4; a++) {
                const long yy = 2 * (ty + k) - 1 + a;
                d[a] = yy >= 0 && yy < h ? ld8(plane + yy * 8) * sv : zero8;
            }
            t[0][k] = d[0] - d[2]; t[1][k] = d[1] + d[2]; t[2][k] = d[2] - d[1]; t[3][k] = d[1] - d[3];
        }
        float *vt = v + (ty - ty0) * 4;
        for (long a = 0; a < 4; a++) {
            V x01 = __builtin_shufflevector(t[a][0], t[a][1], CONCAT8), x23 = __builtin_shufflevector(t[a][2], t[a][3], CONCAT8);
            wino2_store_row(__builtin_shufflevector(x01, x23, EVENS), __builtin_shufflevector(x01, x23, ODDS),
                            keepLeft, keepRight, vt + 4 * a * ts, ts);
        }
    }
}

void sc2_wino2_output_narrow8_v16(const float *m, long ts, long h, long ty0, long ty1, float *dst,
                                  const sc2_epilogue *e, const float *noise) {
    for (long ty = ty0; ty < ty1; ty += 4) {
        V rows[2][2];
        wino2_output_rows(m + (ty - ty0) * 4, ts, rows);
        for (long i = 0; i < 2; i++) {
            const V *out = rows[i];
            for (long j = 0; j < 2; j++) {
                // out[j]: tile rows 2 j and 2 j + 1, 8 pixels each
                for (long half = 0; half < 2; half++) {
                    const long yy = 2 * (ty + 2 * j + half) + i;
                    if (yy >= h) continue;
                    V8 r = half == 0 ? __builtin_shufflevector(out[j], out[j], LOW8) : __builtin_shufflevector(out[j], out[j], HIGH8);
                    st8(dst + yy * 8, epilogue8(r, e, noise ? noise + yy * 8 : 0));
                }
            }
        }
    }
}
// F(2x2, 3x3) on 4 x 4 planes (2 x 2 tiles): lane = (image j, tile row k, tile c), lane 4 j + 2 k + c,
// four images per vector (a chunk's tiles of one channel are contiguous across its images).
static inline __m128 epilogue4(__m128 x, const sc2_epilogue *e, const float *noise) {
    if (e->identity) return x;
    __m128 v = _mm_mul_ps(x, _mm_set1_ps(e->demod));
    if (noise) v = _mm_add_ps(v, _mm_mul_ps(_mm_loadu_ps(noise), _mm_set1_ps(e->noiseStrength)));
    v = _mm_add_ps(v, _mm_set1_ps(e->bias));
    if (e->lrelu) v = _mm_mul_ps(_mm_max_ps(v, _mm_mul_ps(v, _mm_set1_ps(0.2f))), _mm_set1_ps(e->gain));
    return _mm_min_ps(_mm_max_ps(v, _mm_set1_ps(-e->limit)), _mm_set1_ps(e->limit));
}
#define EVEN4 0, 2, 16, 18, 4, 6, 20, 22, 8, 10, 24, 26, 12, 14, 28, 30
#define ODD4 1, 3, 17, 19, 5, 7, 21, 23, 9, 11, 25, 27, 13, 15, 29, 31

void sc2_wino2_input_four4_v16(const float *plane, long imageStride, const float *scales, float *v, long ts) {
    const VI keepLeft = narrow_edge(2, 0), keepRight = narrow_edge(2, 1);
    V sv;
    for (int l = 0; l < 16; l++) sv[l] = scales[l / 4];
    V r[4];                                      // row y of the four images: lane 4 j + x
    for (long y = 0; y < 4; y++) {
        __m512 t = _mm512_castps128_ps512(_mm_loadu_ps(plane + 4 * y));
        t = _mm512_insertf32x4(t, _mm_loadu_ps(plane + imageStride + 4 * y), 1);
        t = _mm512_insertf32x4(t, _mm_loadu_ps(plane + 2 * imageStride + 4 * y), 2);
        t = _mm512_insertf32x4(t, _mm_loadu_ps(plane + 3 * imageStride + 4 * y), 3);
        r[y] = (V)t * sv;
    }
    // Along y: tile row 0 reads rows -1 ... 2, tile row 1 rows 1 ... 4 (rows -1 and 4 are zero).
    V t0[4] = {-r[1], r[0] + r[1], r[1] - r[0], r[0] - r[2]};
    V t1[4] = {r[1] - r[3], r[2] + r[3], r[3] - r[2], r[2]};
    for (long a = 0; a < 4; a++) {
        wino2_store_row(__builtin_shufflevector(t0[a], t1[a], EVEN4), __builtin_shufflevector(t0[a], t1[a], ODD4),
                        keepLeft, keepRight, v + 4 * a * ts, ts);
    }
}

void sc2_wino2_output_four4_v16(const float *m, long ts, float *dst, long imageStride, const sc2_epilogue *e,
                                const float *noise, long noiseStride) {
    V rows[2][2];
    wino2_output_rows(m, ts, rows);
    for (long i = 0; i < 2; i++) {
        const V *out = rows[i];
        for (long half = 0; half < 2; half++) {
            float q[16];
            st(q, out[half]);
            for (long quarter = 0; quarter < 4; quarter++) {
                // 4 pixels: row 2 k + i of image j
                const long j = 2 * half + quarter / 2, k = quarter % 2, at = 4 * (2 * k + i);
                const float *nz = noise ? noise + j * noiseStride + at : 0;
                _mm_storeu_ps(dst + j * imageStride + at, epilogue4(_mm_loadu_ps(q + 4 * quarter), e + j, nz));
            }
        }
    }
}
// The upsampling FIR on inputs 4 or 8 wide: lane = (input row r, column x) over R = 16 / w rows, so the
// rows m - 1 and m + 1 of a group are the loads one row before and after (masked at the image's edge),
// and x's neighbours are shifts within each w-lane row.
void sc2_up_fir_narrow_v16(const float *c, long ldc, long base, long h, long w, long m0, long m1, float *out,
                           const sc2_epilogue *e0, const float *noise) {
    const EK ek = ek_load(e0, 1.0f / 16), *const e = &ek;
    const long R = 16 / w, ow = 2 * w;
    const VI keepLeft = narrow_edge(w, 0), keepRight = narrow_edge(w, 1);
    const V zero = (V)(0.0f);
    for (long m = m0; m < m1; m += R) {
        // Rows m - 1 ... (first row missing at the top) and m + 1 ... (last row missing at the bottom).
        const __mmask16 prevMask = m == 0 ? (__mmask16)(0xffffu << w) : (__mmask16)0xffff;
        const __mmask16 nextMask = m + R >= h ? (__mmask16)(0xffffu >> w) : (__mmask16)0xffff;
        V ev[3], od[3];
        for (long kx = 0; kx < 3; kx++) {
            const float *p0 = c + kx * ldc + (m - base) * w, *p1 = p0 + 3 * ldc, *p2 = p0 + 6 * ldc;
            V a1 = (V)_mm512_maskz_loadu_ps(prevMask, p1 - w), a2 = (V)_mm512_maskz_loadu_ps(prevMask, p2 - w);
            V b0 = ld(p0), b1 = ld(p1), b2 = ld(p2);
            V c0 = (V)_mm512_maskz_loadu_ps(nextMask, p0 + w), c1 = (V)_mm512_maskz_loadu_ps(nextMask, p1 + w);
            FIR_PAIR(a1, a2, b0, b1, b2, c0, c1, ev[kx], od[kx]);
        }
        for (long half = 0; half < 2; half++) {
            const V *cur = half == 0 ? ev : od;
            V r0m = cur[0], r0p = shift_next(cur[0], keepRight);
            V r1l = shift_prev(cur[1], keepLeft), r1m = cur[1], r1p = shift_next(cur[1], keepRight);
            V r2l = shift_prev(cur[2], keepLeft), r2m = cur[2];
            V even, odd;
            FIR_PAIR(r1l, r2l, r0m, r1m, r2m, r0p, r1p, even, odd);
            // Interleaved: R output rows 2 (m + r) + half of 2 w values, in order.
            V vec[2] = {__builtin_shufflevector(even, odd, ZIP_LO), __builtin_shufflevector(even, odd, ZIP_HI)};
            for (long k = 0; k < 2; k++) {
                if (w == 8) {
                    const long y = 2 * (m + k) + half;
                    st(out + y * ow, epilogue(vec[k], e, noise ? noise + y * ow : 0, 16));
                } else {
                    const long ya = 2 * (m + 2 * k) + half, yb = ya + 2;
                    V nz = noise ? __builtin_shufflevector(ld8(noise + ya * ow), ld8(noise + yb * ow), CONCAT8) : zero;
                    V r = epilogue(vec[k], e, noise ? (const float *)&nz : 0, 16);
                    st8(out + ya * ow, __builtin_shufflevector(r, r, LOW8));
                    st8(out + yb * ow, __builtin_shufflevector(r, r, HIGH8));
                }
            }
        }
    }
}
#endif
