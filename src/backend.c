/* backend.c: backend selection and host memory (the device side is backend_cuda.c). */
#include <fc_build.h>

#include "backend.h"

#include <stdio.h>
#include <string.h>

int fc_backend_select(const char *want, int *kind, fc_err *err)
{
    char why[512];
    if (!strcmp(want, "cpu")) {
        *kind = FC_BACKEND_CPU;
        return FC_OK;
    }
    if (strcmp(want, "auto") && strcmp(want, "gpu"))
        return fc_fail(err, FC_EINPUT, "--device must be auto, cpu or gpu, not '%s'", want);
    int n = fc_gpu_count(why, sizeof why);
    if (n > 0) {
        *kind = FC_BACKEND_GPU;
        return FC_OK;
    }
    if (!strcmp(want, "gpu"))
        return fc_fail(err, FC_ENODEV, "--device gpu: no GPU can be used: %s", why);
    *kind = FC_BACKEND_CPU;
    return FC_OK;
}

size_t fc_host_available_memory(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return 0;
    char line[256];
    unsigned long long kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
            break;
    fclose(f);
    return (size_t)kb * 1024;
}
