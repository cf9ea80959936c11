/*
 * mlp.h: multilayer perceptrons in float32: dense layers with ReLU, tanh, GELU or SiLU between
 * them, MSE and softmax cross-entropy losses, SGD with momentum and AdamW, a learning-rate
 * schedule, seeded He/Xavier initialisation and seeded minibatch shuffling.
 *
 * Layout: a batch is row-major [B][features]. Layer l maps n[l] inputs to n[l+1] outputs with
 * weights W_l [n[l+1]][n[l]] (row-major) and bias b_l [n[l+1]]: z = x W^T + b, then the
 * activation (none after the last layer: the loss sees raw outputs, logits for cross-entropy).
 * All parameters are one contiguous array (W_0, b_0, W_1, b_1, ...), so an optimiser step and a
 * save are one loop or one write. The CPU backend multiplies with OpenBLAS sgemm and loops
 * with OpenMP (mlp.c); the GPU side is mlp_gpu.h (cuBLAS, mlp_cuda.cu).
 *
 * Gradients: the backward pass gives dL/dparams for the mean loss over the batch, checked against
 * finite differences for every layer, activation and loss in tests/test_mlp.c.
 */
#ifndef FC_MLP_H
#define FC_MLP_H

#include <stddef.h>
#include <stdint.h>

#include "src/core/fc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MLP_MAX_LAYERS 16

enum mlp_activation { MLP_RELU = 0, MLP_TANH = 1, MLP_GELU = 2, MLP_SILU = 3, MLP_NACT };
enum mlp_loss { MLP_MSE = 0, MLP_CROSS_ENTROPY = 1 };
enum mlp_optimizer { MLP_SGD = 0, MLP_ADAMW = 1 };
enum mlp_schedule { MLP_CONSTANT = 0, MLP_COSINE = 1 };

const char *mlp_activation_name(int a);
/* The activation called name, or -1. */
int mlp_activation_find(const char *name);

typedef struct mlp {
    int nlayers;                 /* dense layers */
    int n[MLP_MAX_LAYERS + 1];   /* widths: inputs, hidden..., outputs */
    int activation;              /* between layers (enum mlp_activation) */
    size_t nparams;
    size_t woff[MLP_MAX_LAYERS], boff[MLP_MAX_LAYERS]; /* offsets of W_l and b_l in params */
    float *params;
} mlp;

/* Sizes the model (widths[0..nlayers]) and allocates its parameters (zero). */
int mlp_init(mlp *m, int nlayers, const int *widths, int activation, fc_err *err);
/* Seeded initialisation: He normal (ReLU, GELU, SiLU) or Xavier uniform (tanh, and the last
 * layer) weights, zero biases. */
void mlp_randomize(mlp *m, uint64_t seed);
void mlp_free(mlp *m);

/* Scratch for a batch of up to max_batch rows: every layer's input, and the activation's
 * derivative at its pre-activations (what the backward pass needs of them). */
typedef struct mlp_work {
    int max_batch;
    float *act[MLP_MAX_LAYERS + 1]; /* [B][n[l]]: input of layer l; act[nlayers]: outputs */
    float *pre[MLP_MAX_LAYERS];     /* [B][n[l+1]]: f'(z) of layer l (1 after the last) */
    float *delta[2];                /* [B][max width]: back-propagated gradients */
    float *colsum;                  /* [B / MLP_SUM_ROWS][max width]: the bias gradients' blocks */
} mlp_work;
enum { MLP_SUM_ROWS = 64 }; /* rows per partial sum of a bias gradient */

int mlp_work_init(mlp_work *w, const mlp *m, int max_batch, fc_err *err);
void mlp_work_free(mlp_work *w);

/* Outputs of a batch x [B][n0] into w->act[nlayers] (returned). */
const float *mlp_forward(const mlp *m, mlp_work *w, const float *x, int B);
/*
 * Loss of the batch (mean over rows; MSE also over outputs) after mlp_forward, and its gradient
 * with respect to every parameter into grad [nparams]. targets: [B][nout] for MSE; for
 * cross-entropy [B] class indices stored as floats.
 */
double mlp_backward(const mlp *m, mlp_work *w, int loss, const float *targets, int B,
                    float *grad);
/* The gradient of any loss with respect to every parameter into grad [nparams], after
 * mlp_forward, given that loss's gradient with respect to the outputs, dout [B][nout] (a loss
 * built from several rows' outputs, such as a flux-form surrogate's). */
void mlp_backward_outputs(const mlp *m, mlp_work *w, const float *dout, int B, float *grad);
/* Loss alone (after mlp_forward). */
double mlp_loss(const mlp *m, const mlp_work *w, int loss, const float *targets, int B);

typedef struct mlp_optim {
    int kind;              /* enum mlp_optimizer */
    double lr, momentum;   /* SGD */
    double beta1, beta2, eps, weight_decay; /* AdamW (decoupled decay, weights only) */
    long long t;           /* steps taken */
    float *m1, *m2;        /* [nparams]: momentum / first and second moments */
} mlp_optim;

int mlp_optim_init(mlp_optim *o, const mlp *m, int kind, double lr, fc_err *err);
/* One step with gradient grad at learning rate lr (the schedule's value now). */
void mlp_optim_step(mlp_optim *o, mlp *m, const float *grad, double lr);
void mlp_optim_free(mlp_optim *o);

/* The learning rate of epoch e of `epochs` (cosine: from lr down to lr/100). */
double mlp_schedule_lr(int schedule, double lr, int e, int epochs);

/* A seeded permutation of 0..n-1 into idx (Fisher-Yates). */
void mlp_shuffle(size_t *idx, size_t n, uint64_t seed);

#ifdef __cplusplus
}
#endif
#endif
