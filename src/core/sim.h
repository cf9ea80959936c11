/*
 * sim.h: a case set up on one backend and stepped, without output files. It is the heart of
 * `flowcast run` (run.c adds the output file) and what `flowcast validate`, the benchmarks, the
 * surrogates and the tests use to step a case and look at its state.
 *
 * Steps: dt = cfl / rate of the current state, shortened to land exactly on a target time (the
 * last two steps before it equal when a full step would leave a sliver). The
 * CFL estimate uses (|u| + c) while a wetting front moves at u + 2c, so near shores a step can
 * overshoot and make a depth negative: such a step is rejected (the backend keeps the state) and
 * retried with half the time step, up to FC_MAX_HALVINGS times. A NaN is not retried.
 */
#ifndef FC_SIM_H
#define FC_SIM_H

#include "src/core/config.h"
#include "src/core/fc.h"
#include "src/core/grid.h"
#include "src/core/solver.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Step halvings allowed before a negative depth ends the run. */
#define FC_MAX_HALVINGS 10

typedef struct fc_sim {
    fc_config cfg;
    const fc_solver_desc *s;
    const fc_solver_ops *ops;
    fc_grid grid;  /* the whole grid */
    void *params, *state;
    fc_state host; /* the initial state, then the last download (on a split grid: the first
                    * process's only, which gathers the blocks, and sets up the initial state
                    * unless every process sets up its block: then made at the first gather) */
    /* A job of several processes splits the grid (split.h): the backend steps this process's
     * block, whose state is part. On one process block is grid, part is host and split NULL. */
    fc_grid block;
    fc_state part;
    struct fc_split *split;
    double t;      /* model time (s) */
    double rate;   /* signal rate of the current state (1/s) */
    double dt;     /* the last step taken (s) */
    double courant; /* its Courant number, dt times the rate it started from */
    long long steps, halvings;
    fc_step_report last; /* the report of the last step; a bad one when a step returned FC_ENUMERIC */
    int restart_from[2]; /* the restart file's grid where it was interpolated onto this one;
                          * {0, 0} otherwise */
    char restart_note[256]; /* what the restart changed to agree with the case, for the user
                             * (fc_solver_io.restarted); "" when nothing */
    char case_note[1024];   /* what the solver advises about the case (fc_solver_schema.advise),
                             * one line per point; "" when nothing */
} fc_sim;

/* Where a run continues from instead of its initial condition: the last complete record of an
 * earlier output of the same solver over the same domain, on the same grid unless regrid is
 * set, with which a file from another grid is interpolated onto the case's (fc_ncio_read_restart,
 * then the solver's fc_solver_io.regridded), and made to agree with what the case fixes
 * (fc_solver_io.restarted). */
typedef struct fc_sim_restart {
    const char *path;
    int regrid;
} fc_sim_restart;

/*
 * Sets up the validated case cfg (taken over: *cfg is left empty) on the backend ops (NULL: the
 * CPU): grid, parameters, a memory check, the initial state (the case's initial condition, or
 * the last record of the earlier output restart->path when restart is not NULL, continuing
 * from its time, interpolated onto the case's grid with restart->regrid) and the backend's copy
 * of it. On failure nothing is left to close.
 *
 * In a job of several processes (ranks.h) every process calls it and every later function
 * alike (they are collective). Each steps its block of the grid (split.h), which it sets up
 * itself where the backend steps tiles and the initial condition fills blocks
 * (fc_ic_spec.blocks: from its own cells, or its window of the restart file); otherwise the
 * first process sets up the whole initial state and sends each its block. A failure on any
 * process is every process's (fc_ranks_agree), named as one process names it, and the steps
 * give the same bits as one process would. A backend that cannot step a block (ops->blocks
 * 0) is refused there.
 */
int fc_sim_start(fc_sim *s, fc_config *cfg, const fc_solver_ops *ops,
                 const fc_sim_restart *restart, fc_err *err);
/* fc_sim_start on the case file at path with the overrides sets[nsets]; its solver from cat. */
int fc_sim_open(fc_sim *s, const char *path, const char *const *sets, int nsets,
                const fc_catalog *cat, const fc_solver_ops *ops, fc_err *err);
/* The checks of fc_sim_open short of building a state: the case and its overrides, the grid
 * and the solver's parameters (for a batch of runs, before the first starts). */
int fc_sim_check(const char *path, const char *const *sets, int nsets, const fc_catalog *cat,
                 fc_err *err);
/* The same from the text of a case file (written to a temporary file, removed again); paths in
 * it are relative to the folder of origin, the case file the text came from (NULL: the
 * current folder). */
int fc_sim_open_text(fc_sim *s, const char *text, const char *origin, const char *const *sets,
                     int nsets, const fc_catalog *cat, const fc_solver_ops *ops, fc_err *err);

/* One step toward model time target: dt = cfl / rate, shortened to land on target exactly
 * (*landed: whether it did); when the step after this one would be the shorter, the two share
 * what is left equally, so that no step is under half the allowed one. A NaN or unphysical
 * state is FC_ENUMERIC with a message naming the step, time and cell; the state before the
 * step is kept and s->last says what went wrong. */
int fc_sim_step_toward(fc_sim *s, double target, int *landed, fc_err *err);
/* One step of *dt (halved on a negative depth; *dt: the step taken). */
int fc_sim_step(fc_sim *s, double *dt, fc_err *err);
/* n steps of dt = cfl / rate. */
int fc_sim_steps(fc_sim *s, long long n, fc_err *err);
/* Steps to t_end exactly, or until the state changes by less than steady_tol per second when
 * steady_tol > 0; OpenMP's threads follow the cores other processes leave free meanwhile
 * (fc_governor, machine_load.h) and are given back at the end. */
int fc_sim_run_to(fc_sim *s, double t_end, double steady_tol, fc_err *err);
/*
 * Whether every process of a split grid writes its block of the output, together: a file
 * whose variables are all of the cells, or a spectrum (which the first writes; derive and
 * diagnose reduce over the blocks), in NetCDF-4 (netcdf4: MPI builds have a parallel netCDF-C)
 * or, in builds with PnetCDF, CDF-5. Otherwise (and on one process) the first process holds
 * whole records, gathering the blocks, and writes.
 */
int fc_sim_writes_blocks(const fc_sim *s, int netcdf4);

/* How a split run writes CDF-5, for tables and help texts. */
#ifdef FC_HAVE_PNETCDF
#define FC_CDF5_PARALLEL_WAY "with every process writing its block (PnetCDF)"
#else
#define FC_CDF5_PARALLEL_WAY "gathered onto the first process"
#endif
/* Copies the state into s->host (on a split grid, the blocks into the first process's). */
int fc_sim_download(fc_sim *s, fc_err *err);
/* Copies the state of this process's block into s->part, and no further (collective). */
int fc_sim_download_block(fc_sim *s, fc_err *err);
void fc_sim_close(fc_sim *s);

/* Field f of the host state at slot (i, j). */
fc_real fc_sim_at(const fc_sim *s, int f, int i, int j);

#ifdef __cplusplus
}
#endif
#endif
