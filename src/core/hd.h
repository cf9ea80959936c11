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

#ifdef FC_SINGLE
FC_HD static inline fc_real fc_sqrt(fc_real a) { return sqrtf(a); }
#else
FC_HD static inline fc_real fc_sqrt(fc_real a) { return sqrt(a); }
#endif

#endif
