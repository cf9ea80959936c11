/*
 * cuda_util.h: error checking and launch helpers for the solvers' .cu files (never included from
 * C). Every CUDA call and launch is checked; a failure becomes FC_EDEVICE with the call, file and
 * line, and the function returns (it expects an `fc_err *err` in scope).
 */
#ifndef FC_CUDA_UTIL_H
#define FC_CUDA_UTIL_H

#include <cuda_runtime.h>

#include "src/core/fc.h"

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

#endif
