/* backend.c: backend selection and host memory (the device side is backend_cuda.c). */
#include <fc_build.h>

#include "backend.h"

#include <stdio.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

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

void fc_cpu_model(char *buf, size_t len)
{
    snprintf(buf, len, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!strncmp(line, "model name", 10) && colon) {
            colon += 2;
            colon[strcspn(colon, "\n")] = '\0';
            snprintf(buf, len, "%s", colon);
            break;
        }
    }
    fclose(f);
}

int fc_describe_device(int kind, char *buf, size_t len, fc_err *err)
{
    if (kind == FC_BACKEND_GPU) {
        fc_device_info info;
        int st = fc_gpu_info(0, &info, err);
        if (st)
            return st;
        snprintf(buf, len, "gpu 0: %s (%d SMs, %.1f GB)", info.name, info.sms,
                 info.mem_total / 1e9);
        return FC_OK;
    }
    char cpu[256];
    fc_cpu_model(cpu, sizeof cpu);
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    snprintf(buf, len, "cpu: %s, OpenMP %d thread%s", cpu, threads, threads == 1 ? "" : "s");
    return FC_OK;
}
