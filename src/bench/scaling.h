/*
 * scaling.h: `flowcast bench --ranks`: a solver's benchmark case split over several processes
 * of one MPI job (src/core/split.h), for each process count of a list, strong (the same n x n
 * grid for every count) and weak (an n x n block on every process: the whole grid grows with
 * the count). The job must have as many processes as the largest count; a measurement on N of
 * them narrows the job to its first N (fc_ranks_narrow) while the others wait.
 *
 * Per row: warm-up steps, then `repeats` timed runs of k steps, k chosen so that the runs last
 * min_seconds together; a run's time is the slowest process's, from a common start (a
 * reduction doubles as the barrier). The first process's time in halo exchanges gives the
 * exchange share, and its time in the reductions of the steps (rates and reports: mostly
 * waiting for the slowest process) the reduction share; one gather of the whole state onto
 * it is timed on its own, and then one output record written each way a run writes it (the
 * median of three of each, interleaved)
 * (fc_run_time_record: CDF-5 gathered onto the first process, NetCDF-4 written by every
 * process in parallel) into a scratch file that is removed again. No I/O in the steps' timed
 * region.
 */
#ifndef FC_SCALING_H
#define FC_SCALING_H

#include <signal.h>

#include "src/core/fc.h"

#define FC_SCALING_MAX_COUNTS 16 /* process counts in a list */

typedef struct fc_scaling_row {
    char solver[32];
    int n;                  /* strong: the grid is n x n; weak: each block is n x n */
    int weak;
    int ranks, px, py;      /* processes and their layout */
    int threads;            /* OpenMP threads of each process */
    int nx, ny;             /* the whole grid */
    int cores;              /* the machine's (one machine assumed) */
    int oversubscribed;     /* more threads than that */
    int measured;           /* 0: skipped or failed, note says why */
    int failed;
    char note[256];
    long long steps;        /* timed steps */
    double t_median, t_min, t_max; /* seconds per step */
    double efficiency;      /* strong: t(1) / (N t(N)); weak: t(1) / t(N); NAN without t(1) */
    double exchange_share;  /* of the first process's step time: halo exchanges */
    double reduce_share;    /* and the reductions of the steps' rates and reports */
    double gather;          /* seconds to gather the whole state onto the first process */
    double record_cdf5;     /* seconds to write one record (median of 3): CDF-5, gathered */
    double record_netcdf4;  /* NetCDF-4, every process its block (one process: alone) */
} fc_scaling_row;

typedef struct fc_scaling_opts {
    const char *const *solvers; /* names; NULL: every solver whose CPU backend steps blocks */
    int nsolvers;
    const int *sizes;
    int nsizes;
    const int *counts; /* process counts, ascending */
    int ncounts;
    int threads;       /* per process */
    int warmup, repeats;
    const char *scratch; /* the file the records are timed in (replaced, then removed) */
    double min_seconds;
    volatile sig_atomic_t *stop;
    /* Called on the first process with each row as soon as it is measured (or skipped). */
    int (*row)(const fc_scaling_row *r, void *ctx, fc_err *err);
    void *ctx;
} fc_scaling_opts;

/* Every row, collective over the whole job; FC_EINTR when o->stop was set on any process. */
int fc_scaling_run(const fc_scaling_opts *o, fc_err *err);

#endif
