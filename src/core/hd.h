/*
 * hd.h: small math helpers for code that runs on the host and the device (FC_HD, from fc.h).
 *
 * They use plain comparisons rather than fmax/fmin, which return the other operand when one is
 * NaN: a NaN must propagate into the state so that the run stops on it instead of hiding it.
 */
#ifndef FC_HD_H
#define FC_HD_H

#include <math.h>

#include "src/core/fc.h"

FC_HD static inline fc_real fc_max(fc_real a, fc_real b) { return a > b ? a : b; }
FC_HD static inline fc_real fc_min(fc_real a, fc_real b) { return a < b ? a : b; }
FC_HD static inline fc_real fc_abs(fc_real a) { return a < 0 ? -a : a; }

/* Unrolls the short, fixed loop that follows completely (a stencil's points, a cell's fields),
 * so that a loop over cells around it can vectorise: GCC for host code, nvcc for device code. */
#if defined(__CUDA_ARCH__)
#define FC_UNROLL _Pragma("unroll")
#elif defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#define FC_UNROLL _Pragma("GCC unroll 8")
#else
#define FC_UNROLL
#endif

/* Inlines a function even where the compiler finds it large: a loop over cells that calls it can
 * then vectorise (host code; nvcc inlines device code by itself). */
#if defined(__GNUC__) && !defined(__CUDACC__)
#define FC_ALWAYS_INLINE __attribute__((always_inline))
#else
#define FC_ALWAYS_INLINE
#endif

/*
 * Compiles a host function whose loops over cells vectorise three times: for AVX-512
 * (x86-64-v4), AVX2 (x86-64-v3) and the baseline (SSE2), the CPU choosing one when the program
 * loads (GCC's target_clones, resolved through an ifunc). The default build so runs the vector
 * width of the machine it runs on, without -march=native; a baseline SSE2 loop full of selections
 * is no faster than scalar code. Every clone gives the same bits: C11 keeps -ffp-contract=off,
 * so no multiply-add is fused. FC_VECTOR_CLONES_ON tells whether clones are made.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__) && \
    defined(__has_attribute)
#if __has_attribute(target_clones)
#define FC_VECTOR_CLONES \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define FC_VECTOR_CLONES_ON 1
#endif
#endif
#ifndef FC_VECTOR_CLONES
#define FC_VECTOR_CLONES
#define FC_VECTOR_CLONES_ON 0
#endif

#if !defined(__CUDACC__)
/* Which clone of the FC_VECTOR_CLONES functions this CPU runs (bench's notes). */
static inline const char *fc_vector_clone(void)
{
#if FC_VECTOR_CLONES_ON
    if (__builtin_cpu_supports("x86-64-v4"))
        return "x86-64-v4 (AVX-512)";
    if (__builtin_cpu_supports("x86-64-v3"))
        return "x86-64-v3 (AVX2)";
    return "x86-64 baseline (SSE2)";
#else
    return "the only one (no clones with this compiler or CPU architecture)";
#endif
}
#endif

#ifdef FC_SINGLE
FC_HD static inline fc_real fc_sqrt(fc_real a) { return sqrtf(a); }
#else
FC_HD static inline fc_real fc_sqrt(fc_real a) { return sqrt(a); }
#endif

#endif
