/* energy.c: RAPL powercap and NVML energy counters (see energy.h). */
#include <fc_build.h>

#include "src/bench/energy.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads one number from a sysfs file; 0 on success. */
static int read_number(const char *path, double *v, char *why, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    unsigned long long x;
    int ok = fscanf(f, "%llu", &x) == 1;
    if (!ok)
        snprintf(why, len, "cannot read %s: %s", path, ferror(f) ? strerror(errno) : "not a number");
    fclose(f);
    if (!ok)
        return -1;
    *v = (double)x;
    return 0;
}

void fc_energy_open_cpu(fc_energy_meter *m)
{
    memset(m, 0, sizeof *m);
    const char *root = getenv("FC_RAPL_ROOT");
    if (!root || !*root)
        root = "/sys/class/powercap";
    DIR *d = opendir(root);
    if (!d) {
        snprintf(m->why, sizeof m->why, "no RAPL powercap interface (%s: %s)", root, strerror(errno));
        return;
    }
    struct dirent *e;
    /* Package domains are intel-rapl:N (sub-domains intel-rapl:N:M are inside them). */
    while ((e = readdir(d)) && m->ndomains < FC_ENERGY_MAX_DOMAINS) {
        int n, len = 0;
        if (sscanf(e->d_name, "intel-rapl:%d%n", &n, &len) != 1 || e->d_name[len] != '\0')
            continue;
        char *path = m->path[m->ndomains], range[600];
        snprintf(path, sizeof m->path[0], "%s/%s/energy_uj", root, e->d_name);
        snprintf(range, sizeof range, "%s/%s/max_energy_range_uj", root, e->d_name);
        double now;
        if (read_number(path, &now, m->why, sizeof m->why) ||
            read_number(range, &m->range_uj[m->ndomains], m->why, sizeof m->why)) {
            closedir(d);
            m->ndomains = 0;
            return; /* m->why says which file */
        }
        m->ndomains++;
    }
    closedir(d);
    if (m->ndomains == 0) {
        snprintf(m->why, sizeof m->why, "no RAPL package domain under %s", root);
        return;
    }
    m->available = 1;
    snprintf(m->what, sizeof m->what, "RAPL, %d CPU package%s", m->ndomains,
             m->ndomains == 1 ? "" : "s");
}

/* NVML's C API, the few entry points used (nvml.h is not needed to build). */
typedef int (*nvml_init_fn)(void);
typedef int (*nvml_handle_fn)(unsigned index, void **device);
typedef int (*nvml_energy_fn)(void *device, unsigned long long *mj);

void fc_energy_open_gpu(fc_energy_meter *m, int index)
{
    memset(m, 0, sizeof *m);
    const char *name = getenv("FC_NVML_LIB");
    if (!name || !*name)
        name = "libnvidia-ml.so.1";
    m->lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!m->lib) {
        snprintf(m->why, sizeof m->why, "NVML not found (%s)", dlerror());
        return;
    }
    nvml_init_fn init = (nvml_init_fn)dlsym(m->lib, "nvmlInit_v2");
    nvml_handle_fn handle = (nvml_handle_fn)dlsym(m->lib, "nvmlDeviceGetHandleByIndex_v2");
    m->total_energy = (int (*)(void *, unsigned long long *))dlsym(m->lib, "nvmlDeviceGetTotalEnergyConsumption");
    unsigned long long mj;
    int rc;
    if (!init || !handle || !m->total_energy)
        snprintf(m->why, sizeof m->why, "%s lacks the NVML energy functions", name);
    else if ((rc = init()) != 0)
        snprintf(m->why, sizeof m->why, "nvmlInit failed (NVML error %d)", rc);
    else if ((rc = handle((unsigned)index, &m->device)) != 0)
        snprintf(m->why, sizeof m->why, "NVML has no GPU %d (NVML error %d)", index, rc);
    else if ((rc = m->total_energy(m->device, &mj)) != 0)
        snprintf(m->why, sizeof m->why, "this GPU has no energy counter (NVML error %d)", rc);
    else {
        m->available = 1;
        snprintf(m->what, sizeof m->what, "NVML, GPU %d board", index);
        return;
    }
    dlclose(m->lib);
    m->lib = NULL;
}

void fc_energy_start(fc_energy_meter *m)
{
    if (!m->available)
        return;
    if (m->lib) {
        unsigned long long mj = 0;
        if (m->total_energy(m->device, &mj) != 0) {
            m->available = 0;
            snprintf(m->why, sizeof m->why, "NVML stopped answering");
        }
        m->last_mj = (double)mj;
        return;
    }
    for (int k = 0; k < m->ndomains; k++)
        if (read_number(m->path[k], &m->last_uj[k], m->why, sizeof m->why))
            m->available = 0;
}

double fc_energy_joules(fc_energy_meter *m)
{
    if (!m->available)
        return -1;
    if (m->lib) {
        unsigned long long mj = 0;
        if (m->total_energy(m->device, &mj) != 0) {
            snprintf(m->why, sizeof m->why, "NVML stopped answering");
            return -1;
        }
        return ((double)mj - m->last_mj) / 1e3;
    }
    double uj = 0;
    for (int k = 0; k < m->ndomains; k++) {
        double now;
        if (read_number(m->path[k], &now, m->why, sizeof m->why))
            return -1;
        double d = now - m->last_uj[k];
        uj += d >= 0 ? d : d + m->range_uj[k]; /* the counter wrapped once */
    }
    return uj / 1e6;
}

void fc_energy_close(fc_energy_meter *m)
{
    if (m->lib) {
        int (*shutdown)(void) = (int (*)(void))dlsym(m->lib, "nvmlShutdown");
        if (shutdown)
            shutdown();
        dlclose(m->lib);
    }
    memset(m, 0, sizeof *m);
}
