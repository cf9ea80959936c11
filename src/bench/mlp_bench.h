/*
 * mlp_bench.h: training throughput of the MLP library, for `flowcast bench --mlp` and the
 * comparison with PyTorch (ml/bench/compare_torch.py): a 64 -> width -> width -> 4 GELU model,
 * MSE loss, AdamW, random data; a training step is forward, backward and the optimiser's step.
 */
#ifndef FC_MLP_BENCH_H
#define FC_MLP_BENCH_H

#include "src/core/fc.h"

#define MLP_BENCH_INPUTS 64
#define MLP_BENCH_OUTPUTS 4

/* Samples per second at this width and batch, on the CPU or (gpu) the GPU: warm-up steps,
 * then `repeats` runs of steps lasting min_seconds together; the median, fastest and slowest
 * run. GPU steps are queued (each uploads its batch); a run ends by reading their summed
 * loss, which waits for all of them. */
int mlp_bench_train(int width, int batch, int gpu, int repeats, double min_seconds,
                    double *median, double *lo, double *hi, fc_err *err);

/* Floating-point operations of one sample's training step at this width: 2 per multiply-add
 * of the forward pass, of the weight gradients and of the gradients passed back (none into
 * the inputs); the element-wise work (activations, loss, AdamW) is not counted. */
double mlp_bench_flops_per_sample(int width);

/* What the CPU's threads reach in OpenBLAS sgemm as the MLP calls it (each OpenMP thread its
 * own single-threaded call, here on 1024^3 products): GFLOP/s, the best of three runs. The
 * ceiling the training rates are a fraction of. */
int mlp_bench_sgemm_ceiling(double *gflops, fc_err *err);

#endif
