/*
 * energy.h: energy counters for benchmarks, read where the machine lets us.
 *
 * CPU: the Linux powercap interface to RAPL (Intel, and AMD Zen on recent kernels): the
 * package domains /sys/class/powercap/intel-rapl:N/energy_uj, summed over sockets, with their
 * wrap-around at max_energy_range_uj. It counts the whole package (every core, idle or not, and
 * the uncore), not this process alone. FC_RAPL_ROOT replaces /sys/class/powercap (for tests).
 * GPU: NVML's total energy since the driver loaded (nvmlDeviceGetTotalEnergyConsumption, Volta
 * and newer), for the whole board. libnvidia-ml is opened at run time (dlopen), so flowcast runs
 * where it is absent; FC_NVML_LIB names another library (for tests).
 *
 * When a counter cannot be read, the meter is unavailable and says why in one line; tables print
 * "n/a" with that reason.
 */
#ifndef FC_ENERGY_H
#define FC_ENERGY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FC_ENERGY_MAX_DOMAINS 16

typedef struct fc_energy_meter {
    int available;
    char why[256];  /* why not, when unavailable */
    char what[128]; /* what it counts, when available */
    /* CPU: the package domains' counter files and ranges (uJ) */
    int ndomains;
    char path[FC_ENERGY_MAX_DOMAINS][512];
    double range_uj[FC_ENERGY_MAX_DOMAINS];
    double last_uj[FC_ENERGY_MAX_DOMAINS];
    /* GPU: NVML */
    void *lib, *device;
    int (*total_energy)(void *device, unsigned long long *mj);
    double last_mj;
} fc_energy_meter;

/* Opens the CPU's RAPL package counters, or says why not. */
void fc_energy_open_cpu(fc_energy_meter *m);
/* Opens NVML for GPU `index`, or says why not. */
void fc_energy_open_gpu(fc_energy_meter *m, int index);
/* Starts a measurement: remembers the counters now. */
void fc_energy_start(fc_energy_meter *m);
/* Joules since fc_energy_start; a negative value (and m->why) if a counter could not be read. */
double fc_energy_joules(fc_energy_meter *m);
void fc_energy_close(fc_energy_meter *m);

#ifdef __cplusplus
}
#endif
#endif
