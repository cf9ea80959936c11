/*
 * mlp_act.h: the activations and their derivatives, written once for the CPU (mlp.c) and the
 * GPU (mlp_cuda.cu) as host+device functions (FC_HD), so that the two differ only in the order
 * of their sums.
 */
#ifndef FC_MLP_ACT_H
#define FC_MLP_ACT_H

#include <math.h>
#include <stdint.h>

#include "src/core/fc.h"
#include "ml/mlp.h"

/*
 * erf, exp and tanh for the CPU's activation loops, in plain arithmetic and selects so that a
 * loop over a row of pre-activations vectorises (glibc's erff, expf and tanhf are calls, one
 * element at a time: GELU through them was most of a 64-128-128-4 training step). Errors
 * against the exact values: erf within 1.6e-7 (about 2.5 units in the last place of a float),
 * exp within 2 units, tanh within 1.1 units (tests/test_mlp.c measures all three). The GPU
 * keeps CUDA's erff, expf and tanhf (__CUDA_ARCH__ below).
 */
typedef union {
    float f;
    int32_t i;
} mlp_float_bits;

/* e^x: x = k ln 2 + r, |r| <= ln 2 / 2, e^r by its Taylor series to r^7 (error 5e-9), 2^k built
 * in the exponent bits. 0 below -87.3 (no subnormals); a NaN stays NaN. */
static inline float mlp_expf(float x)
{
    const float xc = x > 88.0f ? 88.0f : x < -87.3f ? -87.3f : x;
    /* round to the nearest integer by the float's own rounding: 1.5 x 2^23 pushes the fraction
     * bits out (|k| < 2^22) */
    const float k = (xc * 1.44269504f + 12582912.0f) - 12582912.0f;
    const float r = (xc - k * 0.693145751953125f) - k * 1.428606765330187e-06f; /* ln 2, hi+lo */
    const float p =
        1 + r * (1 + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 + r * (1.0f / 120 +
                                                                          r * (1.0f / 720 + r * (1.0f / 5040)))))));
    mlp_float_bits two_k;
    two_k.i = ((k == k ? (int32_t)k : 0) + 127) * (1 << 23);
    return x < -87.3f ? 0.0f : p * two_k.f;
}

/* erf(x): x P(x^2) for |x| < 1; 1 - exp(Q(|x|)) with the sign of x for 1 <= |x| <= 4 (Q fits
 * log erfc, which is smooth there), and +-1 beyond (erfc(4) = 1.5e-8, under half a float's
 * spacing below 1). P and Q: least squares on Chebyshev points (degree 7 in x^2, 9 in |x|). */
static inline float mlp_erff(float x)
{
    const float t = fabsf(x), s = x * x;
    const float p = -9.673590966e-06f;
    const float small =
        x * (((((((p * s + 1.126825397e-04f) * s - 8.484396565e-04f) * s + 5.221053414e-03f) * s -
                2.686543831e-02f) * s + 1.128378262e-01f) * s - 3.761263848e-01f) * s +
             1.128379167e+00f);
    const float u = t > 4.0f ? 4.0f : t < 1.0f ? 1.0f : t; /* a NaN passes */
    const float q =
        ((((((((-6.582858192e-08f * u + 3.095204702e-06f) * u - 6.006879631e-05f) * u +
              6.733375518e-04f) * u - 5.021044763e-03f) * u + 2.699949712e-02f) * u -
           1.109074170e-01f) * u - 6.310888680e-01f) * u - 1.130604469e+00f) * u +
        4.005005026e-04f;
    const float large = copysignf(1.0f - mlp_expf(q), x);
    return t < 1.0f ? small : large;
}

/* tanh(x): x + x^3 P(x^2) for |x| < 0.625 (Cephes' tanhf polynomial, Moshier 1989), where
 * 1 - 2 / (e^2|x| + 1) would lose digits to cancellation; that, with the sign of x, beyond
 * (mlp_expf saturates, so it is +-1 far out; a NaN passes). */
static inline float mlp_tanhf(float x)
{
    const float t = fabsf(x), z = x * x;
    const float small = x + x * z * ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z -
                                       5.37397155531e-2f) * z + 1.33314422036e-1f) * z -
                                     3.33332819422e-1f);
    const float large = copysignf(1.0f - 2.0f / (mlp_expf(2.0f * t) + 1.0f), x);
    return t < 0.625f ? small : large;
}

/* An activation and its derivative at one pre-activation z. */
typedef struct {
    float f, df;
} mlp_act_value;

/* f(z) and f'(z) of activation a; GELU: z Phi(z) and Phi(z) + z phi(z) (exact GELU). With a
 * constant a (after inlining) this is branch-free for ReLU, GELU and SiLU. */
FC_HD static inline mlp_act_value mlp_act(int a, float z)
{
#ifdef __CUDA_ARCH__
#define MLP_ERF erff
#define MLP_EXP expf
#define MLP_TANH_OF tanhf
#else
#define MLP_ERF mlp_erff
#define MLP_EXP mlp_expf
#define MLP_TANH_OF mlp_tanhf
#endif
    mlp_act_value v;
    switch (a) {
    case MLP_RELU:
        v.f = z > 0 ? z : 0;
        v.df = z > 0 ? 1.0f : 0.0f;
        break;
    case MLP_TANH: {
        const float t = MLP_TANH_OF(z);
        v.f = t;
        v.df = 1 - t * t;
        break;
    }
    case MLP_GELU: {
        const float Phi = 0.5f * (1 + MLP_ERF(z * 0.70710678118654752f));
        v.f = z * Phi;
        v.df = Phi + z * MLP_EXP(-0.5f * z * z) * 0.39894228040143268f;
        break;
    }
    default: { /* SiLU: z sigma(z), sigma (1 + z (1 - sigma)) */
        const float sg = 1 / (1 + MLP_EXP(-z));
        v.f = z * sg;
        v.df = sg * (1 + z * (1 - sg));
        break;
    }
    }
    return v;
#undef MLP_ERF
#undef MLP_EXP
#undef MLP_TANH_OF
}

/* The class a target value names: its integer value in [0, n), or -1 when it names none (a
 * fraction, a NaN, a value out of range): never cast before it is checked. */
FC_HD static inline int mlp_label(float t, int n)
{
    return t >= 0 && t < (float)n && t == (float)(int)t ? (int)t : -1;
}

/* Softmax cross-entropy of one row of logits z[n] against class `label`: returns
 * -log softmax(z)[label] and, when d is given, writes its gradient over a batch of B rows,
 * (softmax(z) - onehot) / B. Shifted by the largest logit, so exp cannot overflow. A label
 * outside [0, n) (mlp_label's -1) reads nothing: the loss is NaN, the gradient zero. */
FC_HD static inline double mlp_cross_entropy_row(const float *z, int n, int label, int B, float *d)
{
    if (label < 0 || label >= n) {
        for (int j = 0; d && j < n; j++)
            d[j] = 0;
        return NAN;
    }
    float zmax = z[0];
    for (int j = 1; j < n; j++)
        zmax = z[j] > zmax ? z[j] : zmax;
    double s = 0;
    for (int j = 0; j < n; j++)
        s += exp((double)z[j] - zmax);
    if (d)
        for (int j = 0; j < n; j++)
            d[j] = (float)((exp((double)z[j] - zmax) / s - (j == label)) / B);
    return log(s) - ((double)z[label] - zmax);
}

/* Squared error of one output y against its target t, returned; its gradient 2 (y - t) scale
 * (scale: 1 / the values averaged) into *d when d is given. */
FC_HD static inline double mlp_mse_element(float y, float t, double scale, float *d)
{
    const double e = (double)y - t;
    if (d)
        *d = (float)(2 * e * scale);
    return e * e;
}

/* One SGD-with-momentum update, as PyTorch: v = mu v + g, p -= lr v. */
FC_HD static inline void mlp_sgd_update(float *p, float g, float *v, float mu, float lr)
{
    *v = mu * *v + g;
    *p -= lr * *v;
}

/* One AdamW update of parameter p with gradient g and moments m1, m2 (bias corrections c1, c2;
 * decay = lr x weight decay for weights, 0 for biases). */
FC_HD static inline void mlp_adamw_update(float *p, float g, float *m1, float *m2, float b1,
                                          float b2, float c1, float c2, float lr, float eps,
                                          float decay)
{
    *m1 = b1 * *m1 + (1 - b1) * g;
    *m2 = b2 * *m2 + (1 - b2) * g * g;
    const float step = lr * (*m1 * c1) / (sqrtf(*m2 * c2) + eps);
    *p -= step + decay * *p;
}

#endif
