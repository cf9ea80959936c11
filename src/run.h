/*
 * run.h: `flowcast run`: a case file -> a NetCDF file, on the chosen backend.
 *
 * config (validated) -> solver and backend -> initial condition or restart -> loop {dt from the
 * CFL number, shortened to land exactly on output times; step; at output times download, derive
 * the output variables and append a record, synced} -> summary. All input is checked before the
 * output file is created, so bad input never creates or changes a file.
 */
#ifndef FC_RUN_H
#define FC_RUN_H

#include <signal.h>

#include "fc.h"
#include "solver.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_run_opts {
    const char *case_path;
    const char *const *sets; /* "section.key=value" overrides */
    int nsets;
    const char *device;       /* auto | cpu | gpu */
    int threads;              /* OpenMP threads (0: the default) */
    const char *output;       /* NULL: [output] file, or outputs/<case name>.nc */
    int overwrite;            /* replace an existing output file */
    const char *restart;      /* continue from this earlier output */
    int quiet;
    const char *command_line; /* for the history attribute */
    volatile sig_atomic_t *stop; /* set by SIGINT/SIGTERM: finish the record and close */
} fc_run_opts;

typedef struct fc_run_result {
    long long steps;
    int records;
    double t;           /* model time reached (s) */
    double wall;        /* seconds, whole loop */
    double step_wall;   /* seconds in steps only */
    double drift;       /* relative change of the conserved diagnostic */
    long long halvings; /* steps retried with half the time step */
    int steady;         /* stopped before t_end on [time] steady_tol */
    char output[4096];
} fc_run_result;

int fc_run(const fc_run_opts *o, fc_run_result *res, fc_err *err);

/* Step halvings allowed before a negative depth ends the run. */
#define FC_MAX_HALVINGS 10

/*
 * One step of at most *dt. The CFL estimate of the time step uses (|u| + c); a wetting front
 * moves at u + 2c, so near shores a step can overshoot and make a depth negative. Such a step
 * is rejected (the backend keeps the state) and retried with half the time step, up to
 * FC_MAX_HALVINGS times; *dt is the step taken and *halvings counts the retries. A NaN is not
 * retried: it is reported in rep at once.
 */
int fc_step_adaptive(const fc_solver_ops *ops, void *state, double *dt, fc_step_report *rep,
                     long long *halvings, fc_err *err);

#ifdef __cplusplus
}
#endif
#endif
