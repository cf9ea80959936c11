/* backend_cuda.c: the device side of backend.h, in plain C on the CUDA runtime API. */
#include <fc_build.h>

#include "backend.h"

#include <cuda_runtime_api.h>
#include <stdio.h>
#include <stdlib.h>

int fc_gpu_count(char *why, size_t len)
{
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        snprintf(why, len, "no CUDA device is usable: %s", cudaGetErrorString(e));
        return 0;
    }
    if (n == 0)
        snprintf(why, len, "the CUDA driver reports no device");
    return n;
}

int fc_gpu_info(int dev, fc_device_info *info, fc_err *err)
{
    struct cudaDeviceProp prop;
    cudaError_t e = cudaGetDeviceProperties(&prop, dev);
    if (e == cudaSuccess)
        e = cudaSetDevice(dev);
    if (e == cudaSuccess)
        e = cudaMemGetInfo(&info->mem_free, &info->mem_total);
    if (e != cudaSuccess)
        return fc_fail(err, FC_ENODEV, "CUDA device %d: %s", dev, cudaGetErrorString(e));
    snprintf(info->name, sizeof info->name, "%s", prop.name);
    info->sms = prop.multiProcessorCount;
    info->cc_major = prop.major;
    info->cc_minor = prop.minor;
    return FC_OK;
}

int fc_dev_alloc(void **p, size_t bytes, fc_err *err)
{
    cudaError_t e = cudaMalloc(p, bytes);
    if (e != cudaSuccess) {
        *p = NULL;
        return fc_fail(err, FC_ENOMEM, "cannot allocate %.3g GB on the GPU: %s", bytes / 1e9,
                       cudaGetErrorString(e));
    }
    return FC_OK;
}

void fc_dev_free(void *p) { cudaFree(p); }

int fc_dev_upload(void *dst, const void *src, size_t bytes, fc_err *err)
{
    cudaError_t e = cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice);
    return e == cudaSuccess ? FC_OK
                            : fc_fail(err, FC_EDEVICE, "host-to-device copy: %s",
                                      cudaGetErrorString(e));
}

int fc_dev_download(void *dst, const void *src, size_t bytes, fc_err *err)
{
    cudaError_t e = cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost);
    return e == cudaSuccess ? FC_OK
                            : fc_fail(err, FC_EDEVICE, "device-to-host copy: %s",
                                      cudaGetErrorString(e));
}

struct fc_gpu_timer {
    cudaEvent_t start, stop;
};

#define CUDA_OR_FAIL(call, what)                                                                 \
    do {                                                                                         \
        cudaError_t e_ = (call);                                                                 \
        if (e_ != cudaSuccess)                                                                   \
            return fc_fail(err, FC_EDEVICE, "%s: %s", what, cudaGetErrorString(e_));            \
    } while (0)

int fc_gpu_timer_start(fc_gpu_timer **t, fc_err *err)
{
    if (!(*t = calloc(1, sizeof **t)))
        return fc_fail(err, FC_ENOMEM, "out of memory");
    CUDA_OR_FAIL(cudaEventCreate(&(*t)->start), "creating a CUDA event");
    CUDA_OR_FAIL(cudaEventCreate(&(*t)->stop), "creating a CUDA event");
    CUDA_OR_FAIL(cudaEventRecord((*t)->start, 0), "recording a CUDA event");
    return FC_OK;
}

int fc_gpu_timer_stop(fc_gpu_timer *t, double *seconds, fc_err *err)
{
    float ms = 0;
    cudaError_t e = cudaEventRecord(t->stop, 0);
    if (e == cudaSuccess)
        e = cudaEventSynchronize(t->stop);
    if (e == cudaSuccess)
        e = cudaEventElapsedTime(&ms, t->start, t->stop);
    cudaEventDestroy(t->start);
    cudaEventDestroy(t->stop);
    free(t);
    *seconds = ms / 1e3;
    return e == cudaSuccess ? FC_OK
                            : fc_fail(err, FC_EDEVICE, "timing with CUDA events: %s",
                                      cudaGetErrorString(e));
}

int fc_gpu_copy_bandwidth(size_t bytes, int reps, double *bytes_per_s, fc_err *err)
{
    void *a = NULL, *b = NULL;
    int st = fc_dev_alloc(&a, bytes, err);
    if (!st)
        st = fc_dev_alloc(&b, bytes, err);
    double best = 0;
    for (int r = 0; r <= reps && !st; r++) { /* r = 0 warms up */
        fc_gpu_timer *t;
        double s;
        if ((st = fc_gpu_timer_start(&t, err)))
            break;
        cudaError_t e = cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice);
        if ((st = fc_gpu_timer_stop(t, &s, err)))
            break;
        if (e != cudaSuccess)
            st = fc_fail(err, FC_EDEVICE, "device-to-device copy: %s", cudaGetErrorString(e));
        else if (r > 0 && s > 0 && 2.0 * bytes / s > best)
            best = 2.0 * bytes / s;
    }
    fc_dev_free(a);
    fc_dev_free(b);
    *bytes_per_s = best;
    return st;
}
