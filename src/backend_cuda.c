/* backend_cuda.c: the device side of backend.h, in plain C on the CUDA runtime API. */
#include <fc_build.h>

#include "backend.h"

#include <cuda_runtime_api.h>
#include <stdio.h>

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
