/* mlp_bench.c: the MLP library's training throughput (see mlp_bench.h). */
#include <fc_build.h>

#include "src/bench/mlp_bench.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "ml/mlp.h"
#include "ml/mlp_gpu.h"
#include "src/core/timer.h"

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One training step on the CPU or the GPU (queued there: finish() waits for it). */
static int train_step(mlp *m, mlp_work *w, mlp_optim *o, mlp_gpu *gpu, const float *x,
                      const float *y, int batch, float *g, fc_err *err)
{
    if (gpu)
        return mlp_gpu_train_step(gpu, x, y, batch, MLP_MSE, 1e-3, err);
    mlp_forward(m, w, x, batch);
    mlp_backward(m, w, MLP_MSE, y, batch, g);
    mlp_optim_step(o, m, g, 1e-3);
    return FC_OK;
}

/* Waits for the GPU's queued steps (reading their loss, as training does once per epoch). */
static int finish(mlp_gpu *gpu, fc_err *err)
{
    double sum;
    return gpu ? mlp_gpu_loss_sum(gpu, &sum, err) : FC_OK;
}

int mlp_bench_train(int width, int batch, int gpu, int repeats, double min_seconds,
                    double *median, double *lo, double *hi, fc_err *err)
{
    const int widths[4] = {MLP_BENCH_INPUTS, width, width, MLP_BENCH_OUTPUTS};
    mlp m;
    mlp_work w;
    mlp_optim o;
    int st = mlp_init(&m, 3, widths, MLP_GELU, err);
    if (st)
        return st;
    mlp_randomize(&m, 1);
    memset(&w, 0, sizeof w);
    memset(&o, 0, sizeof o);
    float *x = malloc((size_t)batch * MLP_BENCH_INPUTS * sizeof *x);
    float *y = malloc((size_t)batch * MLP_BENCH_OUTPUTS * sizeof *y);
    float *g = malloc(m.nparams * sizeof *g);
    double *rate = malloc((size_t)repeats * sizeof *rate);
    if (!x || !y || !g || !rate)
        st = fc_fail(err, FC_ENOMEM, "out of memory for a batch of %d", batch);
    if (!st)
        st = mlp_work_init(&w, &m, batch, err);
    if (!st)
        st = mlp_optim_init(&o, &m, MLP_ADAMW, 1e-3, err);
    mlp_gpu *dev = NULL;
    if (!st && gpu)
        st = mlp_gpu_create(&m, &o, batch, 0, &dev, err);
    if (!st) {
        unsigned long long s = 99;
        for (size_t k = 0; k < (size_t)batch * MLP_BENCH_INPUTS; k++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            x[k] = (float)((double)(s >> 11) * 0x1.0p-52 - 1);
        }
        for (size_t k = 0; k < (size_t)batch * MLP_BENCH_OUTPUTS; k++)
            y[k] = x[k] * x[k];
        /* Calibrate: steps of one run so that the runs last min_seconds together. */
        double t = fc_now();
        for (int k = 0; k < 2 && !st; k++)
            st = train_step(&m, &w, &o, dev, x, y, batch, g, err);
        if (!st)
            st = finish(dev, err);
        const double one = (fc_now() - t) / 2;
        long long n = (long long)ceil(min_seconds / repeats / (one > 0 ? one : 1e-6));
        n = n < 1 ? 1 : n;
        for (int r = 0; r < repeats && !st; r++) {
            t = fc_now();
            for (long long k = 0; k < n && !st; k++)
                st = train_step(&m, &w, &o, dev, x, y, batch, g, err);
            if (!st)
                st = finish(dev, err);
            rate[r] = (double)n * batch / (fc_now() - t);
        }
    }
    if (!st) {
        qsort(rate, (size_t)repeats, sizeof *rate, cmp_double);
        *lo = rate[0];
        *hi = rate[repeats - 1];
        *median = repeats % 2 ? rate[repeats / 2] : (rate[repeats / 2 - 1] + rate[repeats / 2]) / 2;
    }
    mlp_gpu_destroy(dev);
    free(x);
    free(y);
    free(g);
    free(rate);
    mlp_optim_free(&o);
    mlp_work_free(&w);
    mlp_free(&m);
    return st;
}

double mlp_bench_flops_per_sample(int width)
{
    const double w = width;
    const double macs = MLP_BENCH_INPUTS * w + w * w + w * MLP_BENCH_OUTPUTS;
    return 2 * (3 * macs - MLP_BENCH_INPUTS * w); /* forward, dW, and d back but not to x */
}

int mlp_bench_sgemm_ceiling(double *gflops, fc_err *err)
{
    enum { N = 1024, CALLS = 3 };
    int threads = 1, failed = 0;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    openblas_set_num_threads(1); /* as ml/mlp.c calls it: one thread inside each of ours */
    double best = 0;
    for (int run = 0; run < 3 && !failed; run++) {
        double t0 = 0;
#pragma omp parallel reduction(+ : failed)
        {
            float *a = malloc((size_t)N * N * sizeof *a), *b = malloc((size_t)N * N * sizeof *b);
            float *c = malloc((size_t)N * N * sizeof *c);
            if (a && b && c) {
                for (size_t k = 0; k < (size_t)N * N; k++) {
                    a[k] = (float)(k % 7) * 0.25f - 0.75f;
                    b[k] = (float)(k % 5) * 0.5f - 1.0f;
                }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, N, N, 1.0f, a, N, b, N,
                            0.0f, c, N); /* warm: pages, caches, packing buffers */
            } else
                failed++;
#pragma omp barrier
#pragma omp single
            t0 = fc_now();
            for (int k = 0; k < CALLS && a && b && c; k++)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, N, N, 1.0f, a, N, b, N,
                            0.0f, c, N);
            free(a);
            free(b);
            free(c);
        }
        const double rate = 2.0 * N * N * N * CALLS * threads / (fc_now() - t0) / 1e9;
        best = rate > best ? rate : best;
    }
    if (failed)
        return fc_fail(err, FC_ENOMEM, "out of memory for the sgemm ceiling (3 x %d^2 floats a "
                       "thread)", N);
    *gflops = best;
    return FC_OK;
}
