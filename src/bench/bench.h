/*
 * bench.h: the measurements behind `flowcast bench`: each solver's benchmark case
 * (fc_solver_desc.bench_case) on a ladder of N x N grids, on the CPU at several OpenMP thread
 * counts and on the GPU, the same time step everywhere.
 *
 * Per row: warm-up steps (untimed), after which the state is kept for the GPU-CPU comparison;
 * then `repeats` timed runs of n steps each, n chosen so that they last min_seconds together
 * (long enough for the energy counters); the median, fastest and slowest time per step; the
 * energy over the timed runs; and an end-to-end time per step that includes copying the state
 * in and out (upload + n steps + download; the host clock). On the GPU the timed runs use CUDA
 * events: device time, no transfers. No I/O in any timed region.
 *
 * Ceilings, measured in the same run: a STREAM-like copy on the CPU at each thread count, a
 * device-to-device copy on the GPU. With each solver's bytes-per-cell-step model (the least a
 * step must move) a row's effective bandwidth and its fraction of the ceiling follow.
 */
#ifndef FC_BENCH_H
#define FC_BENCH_H

#include <signal.h>
#include <stddef.h>

#include "src/core/fc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FC_BENCH_MAX_THREADS 32 /* thread counts in a ladder */
/* Values per cell no solver's backend exceeds (fc_solver_desc.mem_per_cell), for skipping sizes
 * that cannot fit before allocating them. */
#define FC_BENCH_VALUES_PER_CELL 64

typedef struct fc_bench_row {
    char solver[32], case_name[96];
    int n;            /* the grid is n x n */
    int gpu;          /* 0: CPU, 1: GPU */
    int threads;      /* CPU rows */
    /* cpu_all (all the ladder's threads), cpu_one (one thread), cpu (another count), gpu */
    char role[16];
    char device[320]; /* CPU model and threads, or the GPU's name */
    int measured;     /* 0: skipped or failed (note says why) */
    int failed;       /* a measurement failed (a case that turned NaN, a device error) */
    char note[256];
    long long steps;  /* timed steps */
    double t_median, t_min, t_max; /* seconds per step */
    double t_e2e;     /* seconds per step with the state copied in and out */
    double cells_per_s, gb_per_s, bw_fraction;
    double speedup_allcore, speedup_1thread, predicted; /* NAN where it does not apply */
    double gpu_cpu_diff; /* largest relative field difference after the warm-up; NAN: CPU */
    double joules;       /* per step; < 0: n/a (energy_note says why) */
    /* The machine during the timed runs (machine_load.h): this process's CPU time per step (all
     * its threads; on the GPU the host's), the mean number of cores other processes kept busy
     * (NAN: unknown), and the 1-minute load average before and after the row. */
    double cpu_per_step, others, load_before, load_after;
    char energy_note[256];
} fc_bench_row;

typedef struct fc_bench_ceilings {
    int nthreads;
    int threads[FC_BENCH_MAX_THREADS];
    double cpu_bw[FC_BENCH_MAX_THREADS]; /* bytes/s */
    double gpu_bw;                       /* bytes/s; 0: no GPU */
    char cpu_name[256], gpu_name[320], gpu_why[256];
} fc_bench_ceilings;

typedef struct fc_bench_opts {
    const char *const *solvers; /* names; NULL: every solver */
    int nsolvers;
    const int *sizes; /* n of each n x n grid */
    int nsizes;
    const int *threads; /* CPU thread counts, ascending; the last is "all cores" */
    int nthreads;
    int use_gpu;     /* measure the GPU (when one is usable) */
    int warmup, repeats;
    double min_seconds;  /* the timed runs of a row last at least this long together */
    size_t copy_bytes;   /* size of each array of the CPU and GPU copy */
    volatile sig_atomic_t *stop; /* set asynchronously: stop after the current measurement */
    /* Called with each row as soon as it is measured (or skipped). */
    int (*row)(const fc_bench_row *r, void *ctx, fc_err *err);
    void *ctx;
} fc_bench_opts;

/* Measures the copy ceilings for the thread counts of o (and the GPU if o->use_gpu). */
int fc_bench_ceilings_measure(const fc_bench_opts *o, fc_bench_ceilings *c, fc_err *err);
/* Measures every row; FC_EINTR if o->stop was set (the rows before it were passed on). */
int fc_bench_run(const fc_bench_opts *o, const fc_bench_ceilings *c, fc_err *err);
/* STREAM-like copy b = a of `bytes` per array on `threads` OpenMP threads, best of reps:
 * bytes read + written per second. */
double fc_bench_cpu_copy(size_t bytes, int threads, int reps);

#ifdef __cplusplus
}
#endif
#endif
