/*
 * hd.h: small math helpers for code that runs on the host and the device (FC_HD, from fc.h).
 *
 * They use plain comparisons rather than fmax/fmin, which return the other operand when one is
 * NaN: a NaN must propagate into the state so that the run stops on it instead of hiding it.
 */
#ifndef FC_HD_H
#define FC_HD_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "src/core/fc.h"

FC_HD static inline fc_real fc_max(fc_real a, fc_real b) { return a > b ? a : b; }
FC_HD static inline fc_real fc_min(fc_real a, fc_real b) { return a < b ? a : b; }
FC_HD static inline fc_real fc_abs(fc_real a) { return a < 0 ? -a : a; }

/* Unrolls the short, fixed loop that follows completely (a stencil's points, a cell's fields),
 * so that a loop over cells around it can vectorise: GCC for host code, nvcc for device code. */
#if defined(__CUDA_ARCH__)
#define FC_UNROLL _Pragma("unroll")
#elif defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#define FC_UNROLL _Pragma("GCC unroll 16")
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

/*
 * x^g for g > 0, in plain double arithmetic that a loop over cells vectorises (host code; device
 * code and the CUDA files' host code call pow). glibc's pow is a scalar call, and libmvec's vector
 * pow may round a value differently in a loop's vector body than in its scalar tail, so a cell
 * would change with its position in the row: split runs would no longer match a single process
 * bit for bit. This one is the same operations wherever it runs, every vector width included
 * (C11 keeps -ffp-contract=off, so nothing is fused).
 *
 * Method: x = 2^k m with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(s), s = (m - 1)/(m + 1),
 * |s| < 0.172, by its series to s^19 (truncation < 1e-17). g log2 x = g k + (g / ln 2) log m,
 * with g k taken exactly (g split into 26 and 27 bits, so g's high part times an integer k is
 * exact) and its integer part set aside, so that the rounding left acts on a number of size 1,
 * not on g log2 x (up to about 1400); then 2^r (|r| <= 1/2) by exp's Taylor series to degree 13
 * (truncation < 5e-18) and 2^n from the exponent bits, in two factors so that results under
 * 2^-1022 come out subnormal and over 2^1024 infinite. Within 2 ulp of the correctly rounded
 * value for g = 1.4, 3 ulp for g up to 3 (tests/test_euler.c compares it with glibc's pow over
 * the whole double range; most results are exact or 1 ulp off). x = 0 gives 0, +inf gives
 * +inf, a negative x or NaN gives NaN.
 */
#if !defined(__CUDACC__)
static inline uint64_t fc_bits_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}
static inline double fc_double_of(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}
/* 2^n for an integer n in [-1022, 1023] held in a double. */
static inline double fc_exp2_int(double n)
{
    const double shift = 0x1.8p52; /* n + shift holds n in its low mantissa bits */
    return fc_double_of((fc_bits_of(n + shift) - fc_bits_of(shift) + 1023) << 52);
}
FC_ALWAYS_INLINE static inline double fc_pow_pos(double x, double g)
{
    const double shift = 0x1.8p52; /* (v + shift) - shift: v rounded to an integer */
    /* x = 2^k m; a subnormal x is scaled by 2^54 first. */
    const double xs = x < 0x1p-1022 ? x * 0x1p54 : x;
    const uint64_t ix = fc_bits_of(xs);
    const double m1 = fc_double_of((ix & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
    const double k1 = fc_double_of((ix >> 52) | 0x4330000000000000ULL) - 0x1p52 - 1023 -
                      (x < 0x1p-1022 ? 54 : 0);
    const double m = m1 > 0x1.6a09e667f3bcdp+0 ? 0.5 * m1 : m1;
    const double k = m1 > 0x1.6a09e667f3bcdp+0 ? k1 + 1 : k1;
    /* log m = 2 (s + s^3/3 + ... + s^19/19). */
    const double f = m - 1, s = f / (2 + f), z = s * s;
    double q = 1.0 / 19;
    FC_UNROLL
    for (int j = 8; j >= 1; j--)
        q = q * z + 1.0 / (2 * j + 1);
    const double log_m = f - s * (f - 2 * z * q); /* = 2 s (1 + z q), as 2 s = f - s f */
    /* g log2 x = n1 + t: g k exactly, its nearest integer n1 apart. */
    const double g_split = g * 134217729.0; /* 2^27 + 1 */
    const double g_hi = g_split - (g_split - g), g_lo = g - g_hi;
    const double gk_hi = g_hi * k, n1 = (gk_hi + shift) - shift, a = gk_hi - n1;
    const double b = (g * 0x1.71547652b82fep+0) * log_m;
    /* a + b = t + t_err exactly (Knuth's two-sum), so that t - n2 is exact too. */
    const double t = a + b, b_part = t - a, t_err = (a - (t - b_part)) + (b - b_part);
    const double n2 = (t + shift) - shift, r = (t - n2) + (t_err + g_lo * k), n = n1 + n2;
    /* 2^r = e^u, u = r ln 2, |u| <= 0.35. */
    const double u = r * 0x1.62e42fefa39efp-1;
    static const double inv_factorial[13] = {1.0,           1.0,           1.0 / 2,
                                             1.0 / 6,       1.0 / 24,      1.0 / 120,
                                             1.0 / 720,     1.0 / 5040,    1.0 / 40320,
                                             1.0 / 362880,  1.0 / 3628800, 1.0 / 39916800,
                                             1.0 / 479001600};
    double e = 1.0 / 6227020800; /* 1/13! */
    FC_UNROLL
    for (int j = 12; j >= 0; j--)
        e = e * u + inv_factorial[j];
    const double n_a = n < -1022 ? -1022 : n > 1023 ? 1023 : n, n_rest = n - n_a;
    const double n_b = n_rest < -1022 ? -1022 : n_rest > 1023 ? 1023 : n_rest;
    const double v = e * fc_exp2_int(n_a) * fc_exp2_int(n_b);
    return x > 0 ? v : x == 0 ? 0 : NAN;
}
#endif

#ifdef FC_SINGLE
FC_HD static inline fc_real fc_sqrt(fc_real a) { return sqrtf(a); }
#else
FC_HD static inline fc_real fc_sqrt(fc_real a) { return sqrt(a); }
#endif

#endif
