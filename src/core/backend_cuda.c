/* backend_cuda.c: the device side of backend.h, in plain C on the CUDA runtime API. */
#include <fc_build.h>

#include "src/core/backend.h"

#include <cuda_runtime_api.h>

#include "src/core/grid.h"
#include "src/core/ranks.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether this build's device code runs on compute capability major.minor: machine code for
 * sm_XY runs on X.Y and later minors of X; the PTX of the last architecture listed is compiled
 * by the driver for that capability and any later one. */
static int build_runs_on(int major, int minor)
{
    const int cc = major * 10 + minor;
    int last = 0;
    for (const char *p = FC_CUDA_ARCHS; *p;) {
        char *end;
        const long a = strtol(p, &end, 10);
        if (end == p)
            break;
        if (a / 10 == major && a % 10 <= minor)
            return 1;
        last = (int)a;
        p = end;
    }
    return last > 0 && cc >= last;
}

/*
 * A device counts as usable only when it really is: the driver is new enough for this runtime,
 * the device's compute mode allows a context, this build has code for its capability, and a
 * context with a real allocation can be made on it (an exclusive-process device in use by
 * another process fails there). flowcast runs on device fc_gpu_device(). The probe runs once
 * per process.
 */
static int device; /* fc_gpu_device(), once probed */

int fc_gpu_device(void) { return device; }

int fc_gpu_count(char *why, size_t len)
{
    static int probed, count;
    static char reason[512];
    if (!probed) {
        probed = 1;
        int n = 0, drv = 0, rt = 0;
        cudaDriverGetVersion(&drv);
        cudaRuntimeGetVersion(&rt);
        cudaError_t e = cudaGetDeviceCount(&n);
        struct cudaDeviceProp prop;
        int mode = cudaComputeModeDefault;
        void *probe = NULL;
        if (e != cudaSuccess && drv == 0)
            snprintf(reason, sizeof reason, "no NVIDIA driver was found (%s)",
                     cudaGetErrorString(e));
        else if (e == cudaErrorInsufficientDriver || (e != cudaSuccess && drv < rt))
            snprintf(reason, sizeof reason, "the NVIDIA driver supports CUDA %d.%d; this "
                     "flowcast's CUDA runtime needs %d.%d or later (update the driver)",
                     drv / 1000, drv % 1000 / 10, rt / 1000, rt % 1000 / 10);
        else if (e != cudaSuccess)
            snprintf(reason, sizeof reason, "no CUDA device is usable: %s",
                     cudaGetErrorString(e));
        else if (n == 0)
            snprintf(reason, sizeof reason, "the CUDA driver reports no device");
        else if ((device = fc_ranks_self()->node_rank % n),
                 (e = cudaGetDeviceProperties(&prop, device)) != cudaSuccess ||
                     (e = cudaDeviceGetAttribute(&mode, cudaDevAttrComputeMode, device)) !=
                         cudaSuccess)
            snprintf(reason, sizeof reason, "CUDA device %d cannot be queried: %s", device,
                     cudaGetErrorString(e));
        else if (mode == cudaComputeModeProhibited)
            snprintf(reason, sizeof reason, "GPU %d (%s) is in prohibited compute mode: no "
                     "process may use it (nvidia-smi -c)", device, prop.name);
        else if (!build_runs_on(prop.major, prop.minor))
            snprintf(reason, sizeof reason, "GPU %d (%s) has compute capability %d.%d; this "
                     "flowcast has device code for %s only (reconfigure with "
                     "--with-cuda-arch=\"%d%d\")", device, prop.name, prop.major, prop.minor,
                     FC_CUDA_ARCHS, prop.major, prop.minor);
        else if ((e = cudaSetDevice(device)) != cudaSuccess ||
                 (e = cudaMalloc(&probe, 1 << 20)) != cudaSuccess)
            snprintf(reason, sizeof reason, "GPU %d (%s) cannot be used: %s%s", device, prop.name,
                     cudaGetErrorString(e),
                     mode == cudaComputeModeExclusiveProcess
                         ? " (it is in exclusive-process mode: is another process using it?)"
                         : "");
        else
            count = n;
        if (probe)
            cudaFree(probe);
    }
    if (count == 0)
        snprintf(why, len, "%s", reason);
    return count;
}

int fc_gpu_info(int dev, fc_device_info *info, fc_err *err)
{
    struct cudaDeviceProp prop;
    int current = 0;
    cudaError_t e = cudaGetDeviceProperties(&prop, dev);
    if (e == cudaSuccess)
        e = cudaGetDevice(&current);
    if (e == cudaSuccess)
        e = cudaSetDevice(dev);
    if (e == cudaSuccess)
        e = cudaMemGetInfo(&info->mem_free, &info->mem_total);
    if (e == cudaSuccess && current != dev) /* the process stays on its own device */
        e = cudaSetDevice(current);
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
    if (e == cudaErrorMemoryAllocation) {
        *p = NULL;
        return fc_fail(err, FC_ENOMEM, "cannot allocate %.3g GB on the GPU: %s", bytes / 1e9,
                       cudaGetErrorString(e));
    }
    /* Every buffer starts as zeros: no kernel or library call (a cuSPARSE SpMV with beta = 0)
     * ever reads memory that was never written. */
    if (e == cudaSuccess && (e = cudaMemset(*p, 0, bytes)) != cudaSuccess)
        cudaFree(*p);
    if (e != cudaSuccess) {
        /* Not a lack of memory: a fault of an earlier kernel (sticky), a lost device. */
        *p = NULL;
        return fc_fail(err, FC_EDEVICE, "allocating %.3g GB on the GPU: %s", bytes / 1e9,
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

int fc_pinned_alloc(void **p, size_t bytes, fc_err *err)
{
    cudaError_t e = cudaMallocHost(p, bytes);
    if (e != cudaSuccess) {
        *p = NULL;
        return fc_fail(err, FC_ENOMEM, "cannot allocate %.3g GB of page-locked host memory: %s",
                       bytes / 1e9, cudaGetErrorString(e));
    }
    memset(*p, 0, bytes);
    return FC_OK;
}

void fc_pinned_free(void *p) { cudaFreeHost(p); }

/* The device fields and their host mirrors, for fc_grid_fill_halos_staged. */
typedef struct dev_mirror {
    fc_real *const *dev, *const *host;
    size_t pitch; /* bytes between rows */
} dev_mirror;

/* Copies on the default stream: after the kernel that wrote the edges, before the next. */
static int mirror_copy(void *ctx, int f, ptrdiff_t at, int width, int rows, int to_host,
                       fc_err *err)
{
    const dev_mirror *m = ctx;
    fc_real *d = m->dev[f] + at, *h = m->host[f] + at;
    const cudaError_t e = cudaMemcpy2DAsync(
        to_host ? (void *)h : (void *)d, m->pitch, to_host ? (const void *)d : (const void *)h,
        m->pitch, (size_t)width * sizeof(fc_real), (size_t)rows,
        to_host ? cudaMemcpyDeviceToHost : cudaMemcpyHostToDevice, 0);
    return e == cudaSuccess ? FC_OK
                            : fc_fail(err, FC_EDEVICE, "copying a halo band %s the GPU: %s",
                                      to_host ? "from" : "to", cudaGetErrorString(e));
}

static int mirror_sync(void *ctx, fc_err *err)
{
    (void)ctx;
    const cudaError_t e = cudaStreamSynchronize(0);
    return e == cudaSuccess ? FC_OK
                            : fc_fail(err, FC_EDEVICE, "waiting for the halo copies: %s",
                                      cudaGetErrorString(e));
}

int fc_dev_fill_halos(const fc_grid *g, fc_real *const *dev, fc_real *const *mirror,
                      const int *odd_x, const int *odd_y, int n, fc_err *err)
{
    dev_mirror m = {dev, mirror, (size_t)g->pitch * sizeof(fc_real)};
    const fc_stager s = {&m, mirror_copy, mirror_sync};
    return fc_grid_fill_halos_staged(g, mirror, &s, odd_x, odd_y, n, err);
}

struct fc_gpu_timer {
    cudaEvent_t start, stop;
};

int fc_gpu_timer_start(fc_gpu_timer **t, fc_err *err)
{
    fc_gpu_timer *tm = calloc(1, sizeof *tm);
    if (!tm)
        return fc_fail(err, FC_ENOMEM, "out of memory");
    cudaError_t e = cudaEventCreate(&tm->start);
    if (e == cudaSuccess && (e = cudaEventCreate(&tm->stop)) != cudaSuccess)
        cudaEventDestroy(tm->start);
    if (e == cudaSuccess && (e = cudaEventRecord(tm->start, 0)) != cudaSuccess) {
        cudaEventDestroy(tm->start);
        cudaEventDestroy(tm->stop);
    }
    if (e != cudaSuccess) {
        free(tm);
        *t = NULL;
        return fc_fail(err, FC_EDEVICE, "timing with CUDA events: %s", cudaGetErrorString(e));
    }
    *t = tm;
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
