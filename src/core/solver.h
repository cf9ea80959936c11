/*
 * solver.h: the interface every solver implements, and the catalogue a program hands the core.
 *
 * A solver is described once (fc_solver_desc): its case keys and initial conditions, the fields
 * of its state, the variables and diagnostics it writes, and one table of operations per backend
 * (fc_solver_ops). The CPU and GPU tables share the state layout (fields in the grid's halo
 * layout, fc_real), so output, restart and GPU/CPU comparisons never care which backend ran.
 *
 * The run loop (src/core/run.c) only talks to this interface: create -> upload -> repeat {max_rate,
 * step} -> download at output times -> destroy. State stays on the device between downloads.
 */
#ifndef FC_SOLVER_H
#define FC_SOLVER_H

#include <string.h>

#include "src/core/config.h"
#include "src/core/fc.h"
#include "src/core/grid.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FC_MAX_FIELDS 8
#define FC_MAX_STEP_STATS 4

/* A solver's state on the host: its fields, each in the grid's halo layout. */
typedef struct fc_state {
    int nfields;
    fc_real *f[FC_MAX_FIELDS];
    double t; /* model time of the fields (s): what upload takes a time-varying boundary at */
} fc_state;

enum fc_state_check { FC_STATE_OK = 0, FC_STATE_NAN = 1, FC_STATE_NEGATIVE = 2 };

/* What a step learned about the state it produced. */
typedef struct fc_step_report {
    double max_rate;    /* signal rate of the new state (1/s): the next dt is cfl / max_rate */
    int bad;            /* enum fc_state_check; when not OK the state before the step is kept */
    long long bad_cell; /* j * nx + i of the first bad cell */
    double bad_value;   /* the offending value there */
    /* Largest change of the state per unit time over the step (state units per second), for
     * stopping steady problems; solvers that set steady_capable fill it. */
    double change;
    /* The solver's per-step statistics (fc_solver_desc.step_stats), written with the
     * diagnostics of the record that follows the step. */
    double stats[FC_MAX_STEP_STATS];
} fc_step_report;

/* The end of a step with several stages: the fields of the stage set that holds the new state
 * (set) trade places with the state's own (state), n of them: pointers move, no values. */
static inline void fc_keep_stage(fc_real **state, fc_real **set, int n)
{
    for (int f = 0; f < n; f++) {
        fc_real *t = state[f];
        state[f] = set[f];
        set[f] = t;
    }
}

#define FC_MAX_PARTS 4

/* What a backend measured of its own steps (fc_solver_ops.profile): per part, the median over
 * the repetitions of its time per step, and the fastest and slowest (s). */
typedef struct fc_profile {
    int nparts;
    const char *name[FC_MAX_PARTS];
    double median[FC_MAX_PARTS], min[FC_MAX_PARTS], max[FC_MAX_PARTS];
} fc_profile;

/* Adds part `name` to p from n samples (seconds per step; reordered). */
void fc_profile_part(fc_profile *p, const char *name, double *samples, int n);

struct fc_step_report;
/* A profile for a backend whose state keeps running clocks of the parts of its steps (seconds
 * so far): times reps of its steps, part 0 the step (step_name), then one part per clock
 * (*clocks[k], named names[k]) from what the clock gained over each step, the first from model
 * time t0. FC_ENUMERIC when a step goes bad. */
int fc_profile_clocked(int (*step)(void *st, double t, double dt, struct fc_step_report *rep,
                                   fc_err *err),
                       void *st, double t0, double dt, int reps, const char *step_name,
                       const double *const *clocks, const char *const *names, int nclocks,
                       fc_profile *out, fc_err *err);

typedef struct fc_solver_ops {
    const char *backend; /* "cpu" or "gpu" */
    /* Allocates the state for this grid and parameters (params: the solver's own struct). */
    int (*create)(const fc_grid *g, const void *params, void **st, fc_err *err);
    /* Replaces the state by the interior of host->f (halos are filled by the solver). */
    int (*upload)(void *st, const fc_state *host, fc_err *err);
    /* Largest signal rate of the current state, for the first dt. */
    int (*max_rate)(void *st, double *rate, fc_err *err);
    /* Advances by dt from model time t (s; what depends on time, an inflow that varies, is
     * taken at the stage's time). A state that turns NaN or unphysical is reported, not kept. */
    int (*step)(void *st, double t, double dt, fc_step_report *rep, fc_err *err);
    /* Copies the state (interior and halos) into host->f. */
    int (*download)(void *st, fc_state *host, fc_err *err);
    void (*destroy)(void *st);
    /* Optional (NULL: none): takes reps steps of dt and times them and the parts of a step the
     * solver names (CUDA events on the GPU, no I/O), for benchmarks. The state advances. */
    int (*profile)(void *st, double t, double dt, int reps, fc_profile *out, fc_err *err);
    /* How the backend steps a part of a grid split over several processes (split.h),
     * enum fc_blocks. */
    int blocks;
} fc_solver_ops;

/*
 * FC_BLOCKS_TILES: PX x PY blocks with halos; the backend fills its halos by
 * fc_grid_fill_halos, takes its rate by fc_grid_max and passes each stage's report through
 * fc_report_agree (link.h). FC_BLOCKS_ROWS: slabs of whole rows, 1 x P, ceil(ny / P) rows on
 * every process but the last ones (fc_decomp_slab: FFTW's distributed transforms); the backend
 * makes its own reductions over the job (ranks.h). FC_BLOCKS_NONE: one process only.
 */
enum fc_blocks { FC_BLOCKS_NONE = 0, FC_BLOCKS_TILES = 1, FC_BLOCKS_ROWS = 2 };

/* An initial condition: its name ([initial] type), a line of help, and the function that fills
 * host->f (interior only) from the validated case. One that fills `blocks` sets up any block of
 * the grid alone (g: the block, grid.h; its cells named by their whole grid's indices), so that
 * on a split grid every process sets up its own block. */
typedef struct fc_ic_spec {
    const char *name;
    const char *help;
    int (*set)(const fc_config *cfg, const fc_grid *g, const void *params, fc_state *host,
               fc_err *err);
    int blocks;
} fc_ic_spec;

/* (time, y, x) or static (y, x) at cell centres; or on a staggered grid's faces, (time, y,
 * x_face) with nx + 1 points along x or (time, y_face, x) with ny + 1 along y; or (time, k): an
 * isotropic spectrum over the grid's wavenumber shells (fc_grid_shells). */
enum fc_var_shape { FC_VAR_TYX, FC_VAR_YX, FC_VAR_TY_XFACE, FC_VAR_TYFACE_X, FC_VAR_TK };

static inline int fc_var_static(int shape) { return shape == FC_VAR_YX; }

/* Points of a variable along x and y (a spectrum: its shells along "x", one row). */
static inline void fc_var_extent(int shape, const fc_grid *g, int *nx, int *ny)
{
    if (shape == FC_VAR_TK) {
        *nx = fc_grid_shells(g, NULL);
        *ny = 1;
        return;
    }
    *nx = g->nx + (shape == FC_VAR_TY_XFACE);
    *ny = g->ny + (shape == FC_VAR_TYFACE_X);
}

typedef struct fc_var_spec {
    const char *name;
    const char *long_name;
    const char *units;
    const char *standard_name; /* NULL where the CF table has no right one */
    int shape;                 /* enum fc_var_shape */
} fc_var_spec;

typedef struct fc_diag_spec {
    const char *name;
    const char *long_name;
    const char *units;
} fc_diag_spec;

/* What a case file may say to a solver, and what the solver makes of it. */
typedef struct fc_solver_schema {
    const fc_key *keys; /* the solver's own keys, [initial] parameters included */
    size_t nkeys;
    /* Its initial conditions ([initial] type), one table: name, help and the function that sets
     * each; the validated case holds the chosen one's index. */
    const fc_ic_spec *ics;
    size_t nics;
    /* Cross-key checks after every key is valid on its own; appends one line per problem to err
     * (fc_cfg_error) and returns how many it found. */
    int (*check)(const fc_config *cfg, fc_err *err);
    /* Optional (NULL: none): of a valid case, a few words the user should read because it is
     * likely not what was meant (ns2d: a Reynolds number taken at a speed far from the
     * boundaries', a steady_tol far above the flow's rate of change), one line per point; ""
     * when there are none. `run` prints each line as a warning. */
    void (*advise)(const fc_config *cfg, char *note, size_t len);
    /* The solver's parameter struct from a validated case; free() releases it. */
    int (*make_params)(const fc_config *cfg, const fc_grid *g, void **params, fc_err *err);
} fc_solver_schema;

/* The state a backend advances, and what is written of it. */
typedef struct fc_solver_io {
    int halo; /* halo width the stencils need */
    /* The grid's second axis is height: output names it z (axis Z, positive up), and the case's
     * [grid] ny, y_min, y_max are the vertical cells and the bottom and top heights. */
    int vertical;
    /* State fields; restart_vars[k] is the output variable that holds field k exactly. */
    int nfields;
    const char *const *field_names;
    const char *const *restart_vars;
    /* Optional (NULL: none): the keys ("section.name", NULL-terminated) that give the state
     * its meaning (euler: the hydrostatic background whose perturbations its fields are). The
     * output records their values (fc_ncio_check_state_keys), and a restart refuses a case
     * that changed one: the file's fields would stand for another state. */
    const char *const *state_keys;

    const fc_var_spec *vars;
    size_t nvars;
    /* Whether variable k is written for these parameters (an optional field: a tracer that is
     * off); NULL: every variable is. A state field whose restart variable is off is not read
     * back on restart. */
    int (*var_active)(const void *params, size_t k);
    /* Output variables from a downloaded state: out[k] is nx*ny packed (row-major, x fastest)
     * for variable k. Static variables are asked for once. The host state may be modified
     * (halos refilled). FC_ENOMEM when its scratch memory cannot be had. */
    int (*derive)(const void *params, const fc_grid *g, fc_state *host, fc_real *const *out,
                  fc_err *err);

    const fc_diag_spec *diags;
    size_t ndiags;
    int conserved_diag; /* index of the quantity whose drift the summary reports; -1: none */
    /* stats: fc_step_report.stats of the step that led to this state, NULL for a state no step
     * made (the initial record). FC_ENUMERIC with err set: the state is wrong in a way the step
     * could not see (ns2d: a divergence far above what its projection leaves); the record is
     * written, and the run then fails. */
    int (*diagnose)(const void *params, const fc_grid *g, fc_state *host, const double *stats,
                    double *values, fc_err *err);
    /* What each step reports in fc_step_report.stats (values of the last step before a record). */
    const fc_diag_spec *step_stats;
    size_t nstep_stats;
    /* Optional (NULL: every one): whether diagnostic k, counting diags then step_stats, is
     * written for these parameters (a body's forces where there is none); one that is off is
     * still computed, as missing, but not written. */
    int (*diag_active)(const void *params, size_t k);
    /* Whether steps report fc_step_report.change, so that [time] steady_tol can stop a run. */
    int steady_capable;
    /* Optional (NULL: none): what the parameters take from the initial condition (swe: the
     * level and current of the water outside each open side), given the initial state. A
     * restarted run gets the initial condition too (evaluated for this only), so it continues
     * with the same bits.
     * g may be a block of a split grid (fc_ic_spec.blocks): then every process calls it with
     * its block, and it reduces over them (link.h) to the one process's values. */
    int (*reference)(void *params, const fc_grid *g, const fc_state *initial, fc_err *err);
    /* The bytes of the parameters it sets (offset, size): where the first process sets up the
     * whole initial state alone, it shares them (sim.c). */
    size_t reference_at, reference_size;
    /* A restart from another grid's output (run --regrid) interpolates each field bilinearly
     * (fc_ncio_read_restart) unless the solver interpolates itself: optional (NULL: bilinear),
     * the file's fields onto g's cells (a block: its cells of the whole grid). src[k]: field
     * k's whole plane on the file's from[0] x from[1] cells (NULL: a field that is off). Only
     * for a solver whose fields all live on cells. spectral evaluates each field's Fourier
     * series, exact for every mode both grids hold. */
    int (*interpolate)(const void *params, const fc_grid *g, const int from[2],
                       double *const *src, fc_state *state, fc_err *err);
    /* Optional (NULL: the fields themselves are interpolated): turns the file's fields at the
     * file's points into what is to be interpolated instead, in place: src[k] holds n values
     * of field k (NULL: a field that is off). Only for a solver whose fields all live on cells.
     * swe interpolates the surface level and velocity of wet cells and the wet fraction, so
     * that a dry cell's bottom never enters a wet cell's surface. */
    void (*regrid_source)(const void *params, double *const *src, size_t n);
    /* Optional (NULL: the interpolated fields are the state): after such a restart, makes the
     * interpolated fields the solver's state. What the case fixes rather than the flow evolves
     * (a bottom, a body's mask) is taken from initial, the case's initial condition on the
     * same grid g, and the rest adjusted to it. g may be a block, as for reference. */
    int (*regridded)(const void *params, const fc_grid *g, fc_state *state,
                     const fc_state *initial, fc_err *err);
    /* Optional (NULL: none): after every restart, from the same grid or (after regridded)
     * another, takes what the case fixes rather than the flow evolves from the case where it
     * differs from the file's, and adjusts the rest to it, so that a restart continues the
     * case as it now stands (ns2d: the bodies' mask, from which the immersed boundary and the
     * forces are built too; swe: the bottom, each wet cell's surface level kept). initial: the
     * case's initial condition on g where it was set up (a solver with reference, or a
     * regridded restart of one with regridded), else NULL. Where a restart from the same grid
     * finds them changed, note gets a line for the user saying so (else ""). g may be a block
     * (collective, as for reference). FC_EINPUT, naming the case's key, where the case's own
     * fields are bad (a body covering no cell). */
    int (*restarted)(const fc_config *cfg, const void *params, const fc_grid *g,
                     fc_state *state, const fc_state *initial, int regridded, char *note,
                     size_t note_size, fc_err *err);
} fc_solver_io;

/* What a step costs, for memory checks and benchmarks. */
typedef struct fc_solver_cost {
    /* Values per cell that a backend keeps in memory, for the memory check. */
    double (*mem_per_cell)(const void *params);
    /* Bytes one step must move per cell at least (each input read once, each output written
     * once), for effective-bandwidth figures. */
    double (*bytes_per_cell_step)(const void *params);
    /* What `flowcast bench` runs: a case file without [grid] nx and ny (the benchmark sets them
     * to each size of its ladder), and a few words saying what it is. */
    const char *bench_case;
    const char *bench_name;
} fc_solver_cost;

/* A solver: its name, the four parts above, and one table of operations per backend. */
typedef struct fc_solver_desc {
    const char *name;
    const char *summary;
    const char *references; /* stored in the output's `references` attribute */
    fc_solver_schema schema;
    fc_solver_io io;
    fc_solver_cost cost;
    const fc_solver_ops *cpu;
    const fc_solver_ops *gpu; /* NULL in a build without CUDA */
} fc_solver_desc;

/* Whether solver s writes variable k with these parameters (NULL: none made, every one). */
static inline int fc_var_on(const fc_solver_desc *s, const void *params, size_t k)
{
    return !s->io.var_active || !params || s->io.var_active(params, k);
}

/* Whether solver s writes diagnostic k (diags, then step_stats) with these parameters (NULL:
 * every one). */
static inline int fc_diag_on(const fc_solver_desc *s, const void *params, size_t k)
{
    return !s->io.diag_active || !params || s->io.diag_active(params, k);
}

/* Whether state field f is in use with these parameters (its restart variable is written). */
static inline int fc_field_on(const fc_solver_desc *s, const void *params, int f)
{
    for (size_t v = 0; v < s->io.nvars; v++)
        if (!strcmp(s->io.vars[v].name, s->io.restart_vars[f]))
            return fc_var_on(s, params, v);
    return 1;
}

/* The solvers a program offers, handed down to whatever reads case files: the core knows the
 * interface, never the solvers themselves (solvers/registry.h builds the program's catalogue). */
typedef struct fc_catalog {
    const fc_solver_desc *const *solvers;
    size_t n;
} fc_catalog;

/* The solver called name in c; NULL when there is none. */
static inline const fc_solver_desc *fc_catalog_find(const fc_catalog *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->solvers[i]->name, name))
            return c->solvers[i];
    return NULL;
}

#ifdef __cplusplus
}
#endif
#endif
