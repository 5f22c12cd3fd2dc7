// The AVX-512 instances (16 lanes) of the wide kernels (wino4_body.h).
#include "SIMDKernels.h"
#if defined(__x86_64__)
#include <immintrin.h>
#include <stdint.h>
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))), apply_to = function)
#define VW 16
#define SUF v16
#include "wino4_body.h"
#pragma clang attribute pop
#endif
