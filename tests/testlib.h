/*
 * testlib.h: helpers shared by the Check suites: temporary files, and a solver driven directly
 * through its backend table (the same cases run on the CPU in check_cpu and on both backends in
 * check_gpu).
 */
#ifndef FC_TESTLIB_H
#define FC_TESTLIB_H

#include <check.h>
#include <float.h>

#include "src/core/config.h"
#include "src/core/grid.h"
#include "src/core/sim.h"
#include "src/core/solver.h"

/* The unit round-off of the solver's precision (fc_real): DBL_EPSILON, or FLT_EPSILON in a
 * single-precision build (--enable-single). A tolerance that stands for round-off is written as
 * a multiple of it, so the test asserts the same number of units in either build. */
#define TL_SINGLE (sizeof(fc_real) == sizeof(float))
#define TL_EPS ((double)(TL_SINGLE ? FLT_EPSILON : DBL_EPSILON))

/* A path in this process's temporary folder (made on first use, removed with everything in it
 * when the process exits unless FLOWCAST_KEEP_TEST_FILES is set). The path is in static
 * storage that the next 7 calls of either function leave intact. */
const char *tl_temp_path(const char *name);
/* The same, after writing text to that file. */
const char *tl_temp_file(const char *name, const char *text);

/* The library's fc_sim (sim.h), with every error failing the test. */
typedef fc_sim tl_sim;

/* Loads case_text with the NULL-terminated overrides sets, sets up the initial condition on the
 * given backend ops (NULL: the CPU). Fails the test on any error. */
void tl_sim_open(tl_sim *s, const char *case_text, const char *const *sets,
                 const fc_solver_ops *ops);
/* n steps of dt = cfl / rate, each retried with half the step where a depth would turn
 * negative (fc_sim_steps, as in flowcast run). */
void tl_sim_steps(tl_sim *s, long long n);
/* Steps to t_end exactly (the last step shortened). */
void tl_sim_run_to(tl_sim *s, double t_end);
/* Copies the state into s->host. */
void tl_sim_download(tl_sim *s);
void tl_sim_close(tl_sim *s);

/*
 * The initial state of s (opened by tl_sim_open, not yet stepped) stepped n times on ops over a
 * px x py split of its grid, each block stepped by a thread of its own: the MPI job of
 * `mpirun -np px*py` in one process, so that a backend's block stepping (its halos, its agreed
 * reports) runs where there is no mpirun, a GPU's included. The threads' link (link.h) stands
 * for MPI's: halos filled by the whole grid's serial fill (which the MPI exchange equals bit for
 * bit, tests/check_mpi), maxima and sums over the threads, reports agreed as fc_report_agree
 * does. Each step is dt = cfl / rate, the rate from ops->max_rate. The blocks' fields are
 * gathered into out[f] (the whole grid's layout, interior only; malloc'ed here). 1 x 1 is the
 * whole grid with no link. Fails the test on any error.
 */
void tl_blocks_steps(const tl_sim *s, const fc_solver_ops *ops, int px, int py, long long n,
                     fc_real **out);

/* Variable var at the last record of the NetCDF file path (a static field on (y, x): all of
 * it; a diagnostic on (time): n = 1), as a malloc'd array of its n values (asserted), and that
 * record's time in *t. */
double *tl_read_last(const char *path, const char *var, size_t n, double *t);

/*
 * The runs of a restart test, each with `flowcast run`'s library call on the CPU: the case file
 * ini to t_end (into full), to t_half (into half), and from half's last record to t_end again
 * (into cont) on `threads` OpenMP threads (0: as it is); records every `interval` seconds.
 */
void tl_restart_runs(const char *ini, double t_half, double t_end, double interval, int threads,
                     const char *full, const char *half, const char *cont);

/* Field f of the host state at interior cell (i, j). */
#define tl_at fc_sim_at

#endif
