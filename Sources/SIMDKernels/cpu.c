#include "SIMDKernels.h"

int sc2_simd_cpu_level(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    // __builtin_cpu_supports reports the features the CPU has and the OS enables (XSAVE state):
    // libgcc/compiler-rt check XGETBV before setting the AVX and AVX-512 bits.
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma"))
        return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
    return 0;
}

long sc2_wino4_input_scratch(long cn, long tileRows, int lanes) {
    long padded = (cn + lanes - 1) / lanes * lanes;
    // the x-transformed rows
    return (4 * tileRows + 2) * 6 * padded;
}

long sc2_up_fir_scratch(long w, int lanes) {
    long wp = (w + lanes - 1) / lanes * lanes;
    return wp;
}
