/*
 * run.h: `flowcast run`: a case file -> a NetCDF file, on the chosen backend. A run is a sim
 * (sim.h) plus an output file (ncio.h).
 *
 * config (validated) -> solver and backend -> sim: initial condition or restart -> loop {step
 * toward the next output time, landing on it exactly; at output times download, derive the
 * output variables and append a record, synced} -> summary. All input is checked before the
 * output file is created, so bad input never creates or changes a file.
 */
#ifndef FC_RUN_H
#define FC_RUN_H

#include <signal.h>

#include "src/core/fc.h"
#include "src/core/solver.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_run_opts {
    const char *case_path;
    const fc_catalog *solvers; /* where [case] solver is looked up */
    const char *const *sets; /* "section.key=value" overrides */
    int nsets;
    const char *device;       /* auto | cpu | gpu */
    int threads;              /* OpenMP threads (0: the default) */
    const char *output;       /* NULL: [output] file, or outputs/<case name>.nc */
    int overwrite;            /* replace an existing output file */
    const char *restart;      /* continue from this earlier output */
    int regrid;               /* ... interpolated onto the case's grid if it is another's */
    int quiet;
    const char *command_line; /* for the history attribute */
    volatile sig_atomic_t *stop; /* set by SIGINT/SIGTERM: finish the record and close */
    const char *how_to_go_on; /* what a run that stops early tells the user to do next;
                               * NULL: "continue with --restart OUTPUT -o NEW.nc"
                               * (a restart writes its records to another file) */
} fc_run_opts;

typedef struct fc_run_result {
    long long steps;
    int records;
    double t;           /* model time reached (s) */
    double wall;        /* seconds, whole loop */
    double step_wall;   /* seconds in steps only */
    double drift;       /* change of the conserved diagnostic, relative to its start, or in its
                         * units when it started at 0 (drift_relative 0) */
    const char *drift_of; /* that diagnostic's name; NULL: the solver conserves none */
    const char *drift_units; /* its units */
    int drift_relative;
    int drift_open; /* a side lets it in or out (open or inflow): a budget, not a drift */
    long long halvings; /* steps retried with half the time step */
    int steady;         /* stopped before t_end on [time] steady_tol */
    int threads;        /* OpenMP threads the run was given */
    long long fewer_threads; /* steps taken on fewer, as other processes kept cores busy */
    char output[4096];
} fc_run_result;

int fc_run(const fc_run_opts *o, fc_run_result *res, fc_err *err);
/* "mass drift 1.2e-16 (relative)", or where sides let it in or out "mass change 2.3e-03
 * (relative, through the open and inflow sides)" ("18.4 m3 from none" when it started at 0),
 * into buf; "" when the solver conserves nothing it reports. */
void fc_run_drift_text(const fc_run_result *res, char *buf, size_t len);

struct fc_sim;
/*
 * For the benchmarks: writes sim's current state as the one record of a new output file at path
 * (replaced if it exists), NetCDF-4 when netcdf4 and CDF-5 otherwise, as a run writes its
 * records (on a split grid gathered onto the first process, or, NetCDF-4, every process its
 * block), then removes the file. *seconds: the slowest process's time for the record (download,
 * variables, diagnostics, write and sync), without creating and closing the file. The sim is
 * only downloaded into. Collective.
 */
int fc_run_time_record(struct fc_sim *sim, const char *path, int netcdf4, double *seconds,
                       fc_err *err);

#ifdef __cplusplus
}
#endif
#endif
