/*
 * backend.h: which backend runs a case (cpu | gpu), the device probe, and the device memory and
 * copy helpers the CUDA side of every solver uses.
 *
 * A build with CUDA must still run where there is no GPU: fc_gpu_count is asked before any CUDA
 * allocation or handle, and reports why there is none. --device gpu without a usable GPU is an
 * error (FC_ENODEV), never a silent fall-back to the CPU.
 */
#ifndef FC_BACKEND_H
#define FC_BACKEND_H

#include <stddef.h>

#include "src/core/fc.h"

#ifdef __cplusplus
extern "C" {
#endif

enum fc_backend_kind { FC_BACKEND_CPU = 0, FC_BACKEND_GPU = 1 };

typedef struct fc_device_info {
    char name[256];
    size_t mem_total, mem_free; /* bytes */
    int sms;                    /* streaming multiprocessors */
    int cc_major, cc_minor;     /* compute capability */
} fc_device_info;

/* Number of usable CUDA devices; when 0, why holds the reason. The process runs on device
 * fc_gpu_device(), and the probe tries that one. */
int fc_gpu_count(char *why, size_t len);

/* The device this process runs on: its rank among the job's processes on its machine modulo
 * the devices it sees (ranks.h: node_rank), so that the processes of a machine spread over its
 * GPUs (a launcher that gives each process one GPU, CUDA_VISIBLE_DEVICES, makes it 0); 0 on one
 * process and in a build without CUDA. */
int fc_gpu_device(void);
int fc_gpu_info(int dev, fc_device_info *info, fc_err *err);

/* want: "auto", "cpu" or "gpu". auto picks the GPU when one is usable. */
int fc_backend_select(const char *want, int *kind, fc_err *err);

/* The CPU's model name (from /proc/cpuinfo), "unknown CPU" if it cannot be read. */
void fc_cpu_model(char *buf, size_t len);

/* What runs a case of this kind, for output files and tables: "gpu 0: NAME (N SMs, M GB)" or
 * "cpu: MODEL, OpenMP N threads". */
int fc_describe_device(int kind, char *buf, size_t len, fc_err *err);

/* Bytes of host memory available to a new allocation: MemAvailable, or less where the
 * environment variable FLOWCAST_MEMORY_LIMIT (bytes, or with a suffix K, M, G, T) sets less, so
 * that a user on a shared node can cap what a run may take; 0 if unknown. */
size_t fc_host_available_memory(void);

/* Device memory (CUDA builds; FC_ENODEV otherwise). */
int fc_dev_alloc(void **p, size_t bytes, fc_err *err);
void fc_dev_free(void *p);
int fc_dev_upload(void *dst, const void *src, size_t bytes, fc_err *err);
int fc_dev_download(void *dst, const void *src, size_t bytes, fc_err *err);

/* Page-locked host memory, which copies to and from the device use directly (zeroed;
 * FC_ENOMEM when there is none), and its release. */
int fc_pinned_alloc(void **p, size_t bytes, fc_err *err);
void fc_pinned_free(void *p);

/* fc_grid_fill_halos for n device fields of a rank's block (grid.h, fc_grid_fill_halos_staged:
 * the edge bands down, the halos filled in the host mirrors, the halo bands up): how GPU blocks
 * exchange halos, staged through the host. mirror[k] is host memory of the grid's size
 * (fc_pinned_alloc). Returns when the halos are on the device. Collective. */
struct fc_grid;
int fc_dev_fill_halos(const struct fc_grid *g, fc_real *const *dev, fc_real *const *mirror,
                      const int *odd_x, const int *odd_y, int n, fc_err *err);

/* Times device work on the default stream with CUDA events: start records the first event,
 * stop the second, waits for it and gives the seconds between them. */
typedef struct fc_gpu_timer fc_gpu_timer;
int fc_gpu_timer_start(fc_gpu_timer **t, fc_err *err);
int fc_gpu_timer_stop(fc_gpu_timer *t, double *seconds, fc_err *err);

/* Device-to-device copy of `bytes`, the fastest of reps: bytes read + written per second. */
int fc_gpu_copy_bandwidth(size_t bytes, int reps, double *bytes_per_s, fc_err *err);

#ifdef __cplusplus
}
#endif
#endif
