// In-cache timing of the AVX-512 element-wise kernels (SIMDKernels) of two builds side by side:
// the same inputs, each kernel called over and over on one plane that stays in L1/L2, so the
// figures are the kernels' own cost without the memory traffic or the other VMs' share of the L3.
// bench-kernels.sh links two copies of the kernels, their symbols prefixed base_ and new_.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "SIMDKernels.h"

#define DECLARE(p) \
    void p##sc2_wino4_input_narrow_v16(const float *, long, long, long, long, float, float *, long); \
    void p##sc2_wino4_output_narrow_v16(const float *, long, long, long, long, long, float *, const sc2_epilogue *, const float *); \
    void p##sc2_up_fir_rows_v16(const float *, long, long, long, long, long, long, float *, const sc2_epilogue *, const float *, float *); \
    void p##sc2_up_fir_narrow_v16(const float *, long, long, long, long, long, long, float *, const sc2_epilogue *, const float *); \
    void p##sc2_up_fir_rows_v8(const float *, long, long, long, long, long, long, float *, const sc2_epilogue *, const float *, float *); \
    void p##sc2_wino4_output_row_v8(const float *, long, long, float *, long, long, long, const sc2_epilogue *, const float *); \
    void p##sc2_wino4_output_row_v16(const float *, long, long, float *, long, long, long, const sc2_epilogue *, const float *);
DECLARE(base_)
DECLARE(new_)

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static float *filled(long n, unsigned *seed) {
    float *p = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
    if (!p) { fprintf(stderr, "out of memory\n"); exit(1); }
    for (long i = 0; i < n; i++) { *seed = *seed * 1664525u + 1013904223u; p[i] = (float)(*seed >> 8) / 16777216.0f - 0.5f; }
    return p;
}

enum { KERNELS = 7 };
static const char *names[KERNELS] = {"F(4x4) input transform", "F(4x4) output transform + epilogue",
                                     "up-conv FIR + epilogue", "up-conv FIR, 8-wide input",
                                     "AVX2 FIR + epilogue", "F(4x4) output, one tile row per call",
                                     "AVX2 F(4x4) output, one tile row"};

int main(int argc, char **argv) {
    const long w = argc > 1 ? atol(argv[1]) : 64;      // plane width of the Winograd layer, the FIR's output
    const int trials = argc > 2 ? atoi(argv[2]) : 7;
    if (w != 16 && w != 32 && w != 64) { fprintf(stderr, "width must be 16, 32 or 64\n"); return 2; }
    unsigned seed = 1;
    const sc2_epilogue e = {0.7f, 0.1f, 0.3f, 1.41421356f, 256.0f, 1, 0};
    const long ts = (w / 4) * (w / 4) + 16, hw = (w / 2) * (w / 2);
    float *plane = filled(w * w, &seed), *v = filled(36 * ts, &seed), *m = filled(36 * ts, &seed);
    float *dst = filled(w * w, &seed), *noise = filled(w * w, &seed), *cols = filled(9 * hw, &seed);
    float *buf = filled(4096, &seed)   /* more than sc2_up_fir_scratch asks at these widths */, *cols8 = filled(9 * 64, &seed);
    const int reps = (int)(400000 / w);
    double best[KERNELS][2];
    for (int k = 0; k < KERNELS; k++) best[k][0] = best[k][1] = 1e9;
    for (int trial = 0; trial < trials; trial++) {
        for (int k = 0; k < KERNELS; k++) {
            for (int which = 0; which < 2; which++) {
                const double t0 = seconds();
                for (int r = 0; r < reps; r++) {
                    switch (k * 2 + which) {
                    case 0: base_sc2_wino4_input_narrow_v16(plane, w, w, 0, w / 4, 0.9f, v, ts); break;
                    case 1: new_sc2_wino4_input_narrow_v16(plane, w, w, 0, w / 4, 0.9f, v, ts); break;
                    case 2: base_sc2_wino4_output_narrow_v16(m, ts, w, w, 0, w / 4, dst, &e, noise); break;
                    case 3: new_sc2_wino4_output_narrow_v16(m, ts, w, w, 0, w / 4, dst, &e, noise); break;
                    case 4: base_sc2_up_fir_rows_v16(cols, hw, 0, w / 2, w / 2, 0, w / 2, dst, &e, noise, buf); break;
                    case 5: new_sc2_up_fir_rows_v16(cols, hw, 0, w / 2, w / 2, 0, w / 2, dst, &e, noise, buf); break;
                    case 6: base_sc2_up_fir_narrow_v16(cols8, 64, 0, 8, 8, 0, 8, dst, &e, noise); break;
                    case 7: new_sc2_up_fir_narrow_v16(cols8, 64, 0, 8, 8, 0, 8, dst, &e, noise); break;
                    case 8: base_sc2_up_fir_rows_v8(cols, hw, 0, w / 2, w / 2, 0, w / 2, dst, &e, noise, buf); break;
                    case 9: new_sc2_up_fir_rows_v8(cols, hw, 0, w / 2, w / 2, 0, w / 2, dst, &e, noise, buf); break;
                    // The row kernels (planes 128 px and wider in the engine) here over the plane's tile rows, one call each.
                    case 10: for (long ty = 0; ty < w / 4; ty++) base_sc2_wino4_output_row_v16(m + ty * (w / 4), ts, w / 4, dst + 4 * ty * w, w, w, 4, &e, noise + 4 * ty * w); break;
                    case 11: for (long ty = 0; ty < w / 4; ty++) new_sc2_wino4_output_row_v16(m + ty * (w / 4), ts, w / 4, dst + 4 * ty * w, w, w, 4, &e, noise + 4 * ty * w); break;
                    case 12: for (long ty = 0; ty < w / 4; ty++) base_sc2_wino4_output_row_v8(m + ty * (w / 4), ts, w / 4, dst + 4 * ty * w, w, w, 4, &e, noise + 4 * ty * w); break;
                    case 13: for (long ty = 0; ty < w / 4; ty++) new_sc2_wino4_output_row_v8(m + ty * (w / 4), ts, w / 4, dst + 4 * ty * w, w, w, 4, &e, noise + 4 * ty * w); break;
                    }
                }
                const double ns = (seconds() - t0) / reps * 1e9;
                if (ns < best[k][which]) best[k][which] = ns;
            }
        }
    }
    printf("%-44s %10s %10s %8s\n", "kernel (one plane, best of trials)", "base ns", "new ns", "new/base");
    for (int k = 0; k < KERNELS; k++) {
        char label[80];
        if (k == 3) snprintf(label, sizeof label, "%s", names[k]);
        else snprintf(label, sizeof label, "%s, %ld px", names[k], w);
        printf("%-44s %10.0f %10.0f %8.2f\n", label, best[k][0], best[k][1], best[k][1] / best[k][0]);
    }
    return 0;
}
