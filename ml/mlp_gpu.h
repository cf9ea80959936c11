/*
 * mlp_gpu.h: the MLP's training step and forward pass on the GPU (mlp_cuda.cu): cuBLAS GEMMs for the layers,
 * fused kernels for bias plus activation (keeping f'(z)), the loss and its gradient, and the
 * optimiser's step, with the parameters, moments, activations and gradients resident on the
 * device. A train step does not wait for the device: its batch goes through pinned memory with
 * an asynchronous copy and its loss is summed on the device, read once per epoch.
 *
 * The same model, batch and parameters give the CPU's results up to the order of the GEMMs'
 * sums (tests/check_gpu.c). TF32 tensor-core math is off unless asked for: it rounds the
 * products' inputs to 10 bits of mantissa.
 */
#ifndef FC_MLP_GPU_H
#define FC_MLP_GPU_H

#include "src/core/fc.h"
#include "ml/mlp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mlp_gpu mlp_gpu;

/* Loads cuBLAS, which is not linked (mlp_cuda.cu), and finds the functions the GPU models
 * call; mlp_gpu_create does it first. Needs no device. FC_ENODEV naming the library or the
 * function that is missing, and in a build without CUDA. */
int mlp_gpu_load_blas(fc_err *err);

/* Copies the model (and the optimiser's kind, settings and moments) to the device, with room
 * for batches of max_batch rows. FC_ENODEV in a build without CUDA or without a device. */
int mlp_gpu_create(const mlp *m, const mlp_optim *o, int max_batch, int tf32, mlp_gpu **g,
                   fc_err *err);
/* Forward, backward and the optimiser's step at rate lr on batch x [B][n0], targets t (as
 * mlp_backward's), queued on the device: x and t may be reused at once. The batch's loss before
 * the step, times B, is added to the sum mlp_gpu_loss_sum returns. */
int mlp_gpu_train_step(mlp_gpu *g, const float *x, const float *t, int B, int loss, double lr,
                       fc_err *err);
/* Backward from dout [B][nout], the gradient of a loss the host computed from the outputs of
 * the last mlp_gpu_forward (the same B rows: a flux-form surrogate's, whose loss combines
 * several rows' outputs), and the optimiser's step at rate lr. */
int mlp_gpu_train_outputs(mlp_gpu *g, const float *dout, int B, double lr, fc_err *err);
/* The sum of loss x rows over the train steps since the last call (waits for them: errors of
 * the queued work surface here), and sets it back to 0. */
int mlp_gpu_loss_sum(mlp_gpu *g, double *sum, fc_err *err);
/* The loss of a batch without training (and, when y is given, the outputs [B][nout]). */
int mlp_gpu_loss(mlp_gpu *g, const float *x, const float *t, int B, int loss, double *loss_value,
                 float *y, fc_err *err);
/* The outputs y [B][nout] of batch x [B][n0] (a forecast: no loss, no gradient). */
int mlp_gpu_forward(mlp_gpu *g, const float *x, int B, float *y, fc_err *err);
/* The gradient of the last train step or loss call's batch, for comparisons: grad [nparams]. */
int mlp_gpu_gradient(mlp_gpu *g, const float *x, const float *t, int B, int loss, float *grad,
                     fc_err *err);
/* Copies the parameters (and the optimiser's moments and step count) back to the host. */
int mlp_gpu_download(mlp_gpu *g, mlp *m, mlp_optim *o, fc_err *err);
void mlp_gpu_destroy(mlp_gpu *g);

#ifdef __cplusplus
}
#endif
#endif
