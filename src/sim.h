/*
 * sim.h: a solver driven directly through its backend table, without output files: what
 * `flowcast validate`, the tests and the benchmarks use to step a case and look at its state.
 * Steps are taken as `flowcast run` takes them (fc_step_adaptive, dt = cfl / rate).
 */
#ifndef FC_SIM_H
#define FC_SIM_H

#include "config.h"
#include "fc.h"
#include "grid.h"
#include "solver.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_sim {
    fc_config cfg;
    const fc_solver_desc *s;
    const fc_solver_ops *ops;
    fc_grid grid;
    void *params, *state;
    fc_state host; /* the last download */
    double t, rate;
    long long steps, halvings;
    fc_step_report last; /* the report of the last step */
} fc_sim;

/* Loads the case file at path with the overrides sets[nsets], and sets up its initial condition
 * on the backend ops (NULL: the CPU). On failure nothing is left to close. */
int fc_sim_open(fc_sim *s, const char *path, const char *const *sets, int nsets,
                const fc_solver_ops *ops, fc_err *err);
/* The same from the text of a case file (written to a temporary file, removed again). */
int fc_sim_open_text(fc_sim *s, const char *text, const char *const *sets, int nsets,
                     const fc_solver_ops *ops, fc_err *err);
/* One step of at most *dt (*dt: the step taken); a NaN or unphysical state is FC_ENUMERIC. */
int fc_sim_step(fc_sim *s, double *dt, fc_err *err);
/* n steps of dt = cfl / rate. */
int fc_sim_steps(fc_sim *s, long long n, fc_err *err);
/* Steps to t_end exactly (the last step shortened), or until the state changes by less than
 * steady_tol per second when steady_tol > 0. */
int fc_sim_run_to(fc_sim *s, double t_end, double steady_tol, fc_err *err);
/* Copies the state into s->host. */
int fc_sim_download(fc_sim *s, fc_err *err);
void fc_sim_close(fc_sim *s);

/* Field f of the host state at slot (i, j). */
fc_real fc_sim_at(const fc_sim *s, int f, int i, int j);

#ifdef __cplusplus
}
#endif
#endif
