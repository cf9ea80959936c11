/* backend_nocuda.c: the device side of backend.h in a build without CUDA: no devices. */
#include <fc_build.h>

#include "src/core/backend.h"

#include <stdio.h>

int fc_gpu_count(char *why, size_t len)
{
    snprintf(why, len, "this flowcast was built without CUDA (%s)", FC_CUDA_WHY_NOT);
    return 0;
}

int fc_gpu_device(void) { return 0; }

int fc_gpu_info(int dev, fc_device_info *info, fc_err *err)
{
    (void)info;
    return fc_fail(err, FC_ENODEV, "no CUDA device %d: built without CUDA", dev);
}

static int no_device(fc_err *err)
{
    return fc_fail(err, FC_ENODEV, "this flowcast was built without CUDA");
}

int fc_dev_alloc(void **p, size_t bytes, fc_err *err)
{
    (void)p;
    (void)bytes;
    return no_device(err);
}

void fc_dev_free(void *p) { (void)p; }

int fc_dev_upload(void *dst, const void *src, size_t bytes, fc_err *err)
{
    (void)dst;
    (void)src;
    (void)bytes;
    return no_device(err);
}

int fc_dev_download(void *dst, const void *src, size_t bytes, fc_err *err)
{
    (void)dst;
    (void)src;
    (void)bytes;
    return no_device(err);
}

int fc_gpu_timer_start(fc_gpu_timer **t, fc_err *err)
{
    *t = NULL;
    return no_device(err);
}

int fc_gpu_timer_stop(fc_gpu_timer *t, double *seconds, fc_err *err)
{
    (void)t;
    *seconds = 0;
    return no_device(err);
}

int fc_gpu_copy_bandwidth(size_t bytes, int reps, double *bytes_per_s, fc_err *err)
{
    (void)bytes;
    (void)reps;
    *bytes_per_s = 0;
    return no_device(err);
}
