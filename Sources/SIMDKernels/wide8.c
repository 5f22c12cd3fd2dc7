// The AVX2 + FMA instances (8 lanes) of the wide kernels (wino4_body.h).
#include "SIMDKernels.h"
#if defined(__x86_64__)
#include <immintrin.h>
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define VW 8
#define SUF v8
#include "wino4_body.h"
#pragma clang attribute pop
#endif
