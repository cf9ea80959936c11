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
 * run. A GPU step includes its batch's upload and the loss's download (it synchronises). */
int mlp_bench_train(int width, int batch, int gpu, int repeats, double min_seconds,
                    double *median, double *lo, double *hi, fc_err *err);

#endif
