/*
 * cuda_util.h: error checking and launch helpers for the solvers' .cu files (never included from
 * C). Every CUDA call and launch is checked; a failure becomes FC_EDEVICE with the call, file and
 * line, and the function returns (it expects an `fc_err *err` in scope).
 */
#ifndef FC_CUDA_UTIL_H
#define FC_CUDA_UTIL_H

#include <cuda_runtime.h>
#include <string.h>

#include "src/core/fc.h"
#include "src/core/grid.h"
#include "src/core/stages.h"

#define FC_CUDA_TRY(call)                                                                        \
    do {                                                                                         \
        cudaError_t fc_cuda_e_ = (call);                                                         \
        if (fc_cuda_e_ != cudaSuccess)                                                           \
            return fc_fail(err, FC_EDEVICE, "CUDA error at %s:%d (%s): %s", __FILE__, __LINE__,  \
                           #call, cudaGetErrorString(fc_cuda_e_));                               \
    } while (0)

/*
 * Block-wide max of non-negative doubles, then one atomicMax per block on *bits (non-negative
 * doubles order as their bits do, as unsigned integers). Every thread of the block must call it,
 * with a block of whole warps (at most 1024 threads).
 */
__device__ static inline void fc_block_max_atomic(double r, unsigned long long *bits)
{
    __shared__ double warp_max[32];
    for (int o = 16; o > 0; o /= 2) {
        double other = __shfl_down_sync(0xffffffffu, r, o);
        r = other > r ? other : r;
    }
    const int t = (threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x;
    const int lane = t % 32, warp = t / 32;
    __syncthreads(); /* a previous call's readers of warp_max are done */
    if (lane == 0)
        warp_max[warp] = r;
    __syncthreads();
    if (warp == 0) {
        const int nw = blockDim.x * blockDim.y * blockDim.z / 32;
        r = lane < nw ? warp_max[lane] : 0;
        for (int o = 16; o > 0; o /= 2) {
            double other = __shfl_down_sync(0xffffffffu, r, o);
            r = other > r ? other : r;
        }
        if (lane == 0)
            atomicMax(bits, (unsigned long long)__double_as_longlong(r));
    }
}

/* Blocks of n threads that cover `count` items. */
static inline unsigned fc_blocks(long long count, int n) { return (unsigned)((count + n - 1) / n); }

/* Blocks of bx x by threads over nx x ny cells; rows beyond gridDim.y's limit of 65535 blocks are
 * covered by the kernels' grid-stride loops over j. */
static inline dim3 fc_cell_blocks(int nx, int ny, int bx, int by)
{
    const unsigned rows = fc_blocks(ny, by);
    return dim3(fc_blocks(nx, bx), rows < 65535 ? rows : 65535);
}

/* The halo cells of a grid, one thread each: 2 ng full rows (bottom, top), then 2 ng cells of
 * each interior row. */
FC_HD static inline long long fc_halo_count(const fc_grid *g)
{
    return 2LL * g->ng * g->pitch + 2LL * g->ng * g->ny;
}

/* Halo cell t (0 .. fc_halo_count - 1) of that order: its (i, j). */
__device__ static inline void fc_halo_cell(const fc_grid *g, long long t, int *i, int *j)
{
    const long long rows_part = 2LL * g->ng * g->pitch;
    if (t < rows_part) {
        const int r = (int)(t / g->pitch);
        *i = (int)(t % g->pitch) - g->ng;
        *j = r < g->ng ? r - g->ng : g->ny + (r - g->ng);
    } else {
        const long long u = t - rows_part;
        const int k = (int)(u % (2 * g->ng));
        *j = (int)(u / (2 * g->ng));
        *i = k < g->ng ? -1 - k : g->nx + (k - g->ng);
    }
}

/* Clears a device report (stages.h: fc_dev_report) before a kernel fills it. */
static inline int fc_dev_report_reset(fc_dev_report *dev, fc_err *err)
{
    const fc_dev_report r = {0, FC_NO_BAD_CELL, 0};
    FC_CUDA_TRY(cudaMemcpyAsync(dev, &r, sizeof r, cudaMemcpyHostToDevice));
    return FC_OK;
}

/* Reads a device report: the rate, and the first bad cell (FC_NO_BAD_CELL: none). */
static inline int fc_dev_report_read(const fc_dev_report *dev, double *rate,
                                     unsigned long long *first_bad, fc_err *err)
{
    fc_dev_report r;
    FC_CUDA_TRY(cudaMemcpy(&r, dev, sizeof r, cudaMemcpyDeviceToHost));
    memcpy(rate, &r.rate_bits, sizeof *rate);
    *first_bad = r.first_bad;
    return FC_OK;
}

/* The values v[0 .. n - 1] of slot k of the device fields f[0 .. n - 1] (a bad cell's, to
 * classify it). */
static inline int fc_dev_cell_values(fc_real *const *f, int n, ptrdiff_t k, fc_real *v,
                                     fc_err *err)
{
    for (int q = 0; q < n; q++)
        FC_CUDA_TRY(cudaMemcpy(&v[q], f[q] + k, sizeof v[q], cudaMemcpyDeviceToHost));
    return FC_OK;
}

/* fc_stages.copy of a backend's device reports dev[0 .. count - 1]: r to the device (queued),
 * or the device's into r (waiting for the stages before it). */
static inline int fc_dev_reports_copy(fc_dev_report *dev, fc_dev_report *r, int count,
                                      int to_device, fc_err *err)
{
    if (to_device)
        FC_CUDA_TRY(cudaMemcpyAsync(dev, r, count * sizeof r[0], cudaMemcpyHostToDevice));
    else
        FC_CUDA_TRY(cudaMemcpy(r, dev, count * sizeof r[0], cudaMemcpyDeviceToHost));
    return FC_OK;
}

#endif
