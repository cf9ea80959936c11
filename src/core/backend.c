/* backend.c: backend selection and host memory (the device side is backend_cuda.c). */
#include <fc_build.h>

#include "src/core/backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "src/core/log.h"

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
    /* A GPU that is there but cannot be used is worth a word; no GPU at all is the CPU's case. */
    if (strstr(why, "GPU ") || strstr(why, "driver supports"))
        fc_warn("--device auto: running on the CPU: %s", why);
    *kind = FC_BACKEND_CPU;
    return FC_OK;
}

/* A byte count such as "4G", "512M" or "1000000"; 0 if it is not one. */
static size_t parse_bytes(const char *text)
{
    char *end;
    const double v = strtod(text, &end);
    const double unit = *end == 'k' || *end == 'K' ? 0x1p10
                        : *end == 'm' || *end == 'M' ? 0x1p20
                        : *end == 'g' || *end == 'G' ? 0x1p30
                        : *end == 't' || *end == 'T' ? 0x1p40
                                                     : 1;
    end += unit > 1;
    return end == text || *end || !(v > 0) || v * unit > 0x1p62 ? 0 : (size_t)(v * unit);
}

size_t fc_host_available_memory(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    unsigned long long kb = 0;
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
                break;
        fclose(f);
    }
    size_t avail = (size_t)kb * 1024;
    const char *limit = getenv("FLOWCAST_MEMORY_LIMIT");
    const size_t cap = limit ? parse_bytes(limit) : 0;
    if (cap > 0 && (avail == 0 || cap < avail))
        avail = cap;
    return avail;
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
        const int dev = fc_gpu_device();
        int st = fc_gpu_info(dev, &info, err);
        if (st)
            return st;
        snprintf(buf, len, "gpu %d: %s (%d SMs, %.1f GB)", dev, info.name, info.sms,
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
