/*
 * cuda_util.h: error checking and launch helpers for the solvers' .cu files (never included from
 * C). Every CUDA call and launch is checked; a failure becomes FC_EDEVICE with the call, file and
 * line, and the function returns (it expects an `fc_err *err` in scope).
 */
#ifndef FC_CUDA_UTIL_H
#define FC_CUDA_UTIL_H

#include <cuda_runtime.h>

#include "fc.h"

#define FC_CUDA_TRY(call)                                                                        \
    do {                                                                                         \
        cudaError_t fc_cuda_e_ = (call);                                                         \
        if (fc_cuda_e_ != cudaSuccess)                                                           \
            return fc_fail(err, FC_EDEVICE, "CUDA error at %s:%d (%s): %s", __FILE__, __LINE__,  \
                           #call, cudaGetErrorString(fc_cuda_e_));                               \
    } while (0)

/* Blocks of n threads that cover `count` items. */
static inline unsigned fc_blocks(long long count, int n) { return (unsigned)((count + n - 1) / n); }

#endif
