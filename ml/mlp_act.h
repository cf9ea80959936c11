/*
 * mlp_act.h: the activations and their derivatives, written once for the CPU (mlp.c) and the
 * GPU (mlp_cuda.cu) as host+device functions (FC_HD), so that the two differ only in the order
 * of their sums.
 */
#ifndef FC_MLP_ACT_H
#define FC_MLP_ACT_H

#include <math.h>

#include "src/core/fc.h"
#include "ml/mlp.h"

FC_HD static inline float mlp_act_f(int a, float z)
{
    switch (a) {
    case MLP_RELU:
        return z > 0 ? z : 0;
    case MLP_TANH:
        return tanhf(z);
    case MLP_GELU: /* exact: z Phi(z) */
        return 0.5f * z * (1 + erff(z * 0.70710678118654752f));
    default: /* SiLU: z sigma(z) */
        return z / (1 + expf(-z));
    }
}

/* d/dz of mlp_act_f; GELU: Phi(z) + z phi(z). */
FC_HD static inline float mlp_act_df(int a, float z)
{
    switch (a) {
    case MLP_RELU:
        return z > 0 ? 1.0f : 0.0f;
    case MLP_TANH: {
        const float t = tanhf(z);
        return 1 - t * t;
    }
    case MLP_GELU:
        return 0.5f * (1 + erff(z * 0.70710678118654752f)) +
               z * expf(-0.5f * z * z) * 0.39894228040143268f;
    default: {
        const float s = 1 / (1 + expf(-z));
        return s * (1 + z * (1 - s));
    }
    }
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
