/*
 * spec_cpu.c: the OpenMP + FFTW reference backend of the pseudo-spectral solver (equations and
 * method in spec.h). spec_cuda.cu holds the same functions with the suffix _cuda, in the same
 * order; both call the per-point and per-mode physics of spec.h.
 *
 * A step is a pipeline of four stages, each: forward transforms of the products -> one pass
 * over the modes (tendency, RK4 stage, next velocity coefficients, budget sums) -> inverse
 * transforms -> one pass over the grid points (products, advective rate, NaN check). The
 * pipeline is cut after the products: between steps the transform slots hold the products of
 * the current state, so its rate is known before the next dt is chosen and a step begins with
 * its forward transforms. A download (which borrows the slots) and a failed step rebuild them.
 *
 * Memory, complex arrays of dist_c coefficients (ny x nxh, padded) and real ones of dist_r
 * values (ny x nx, padded; both padded to 64 bytes so every field of a batch is aligned alike):
 *   w    [1 + tracer]  the state's coefficients (omega in s-1; c in 1)
 *   acc  [1 + tracer]  the RK4 accumulator; it ends a step holding the new state
 *   X    [nforward]    transform slots, spectral side (products' coefficients, then u, v, c)
 *   phys [nforward]    transform slots, grid side (u, v, c, then the products)
 *   force              the forcing's coefficients (s-2), when there is forcing
 * Sums over modes and grid rows are made per row and added in row order, so the results do not
 * depend on the number of threads for a given FFTW plan.
 *
 * Slabs: on a grid split over the processes of a job (FC_BLOCKS_ROWS, split.h) each holds rows
 * [j0, j0 + rows) of the grid and of the half spectrum (spec_slab), and FFTW's MPI transforms,
 * one plan per field, exchange the rest; the passes run over the rows held, each mode with its
 * row's wavenumber in the whole spectrum. Every process gets every row's sums and adds them in
 * row order, the rate is the largest and the bad point the first of all (spec_fftw.c). The
 * transforms differ from one process's in rounding only.
 */
#include <fc_build.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "solvers/spectral/spec.h"
#include "solvers/spectral/spec_fftw.h"
#include "src/core/machine_load.h"
#include "src/core/timer.h"

typedef struct spec_cpu_state {
    spec_params p;
    spec_slab slab; /* the rows held: all, or a slab of a split grid (spec_fftw.h) */
    size_t dist_r, dist_c;
    spec_cplx *w, *acc, *X, *force;
    fc_real *phys;
    spec_batch fwd, inv, up, down;
    double cur[SPEC_NSUMS]; /* sums of the state */
    double rate;            /* its largest advective rate, or the forcing's (s-1) */
    long long bad_cell;     /* its first point that is not finite, or -1 */
    fc_real *factor;        /* integrating factors of the step (vorticity; tracer dist_c on) */
    fc_real factor_h;       /* the step they are for (0: none yet) */
    double *rows;           /* per-row partial sums: ny x SPEC_NSUMS (every row of the grid) */
    long long *row_bad;     /* per row held: first bad point, or -1 */
} spec_cpu_state;

static void spec_destroy_cpu(void *opaque)
{
    spec_cpu_state *state = opaque;
    if (!state)
        return;
    spec_batch *batches[4] = {&state->fwd, &state->inv, &state->up, &state->down};
    for (int k = 0; k < 4; k++)
        spec_batch_free(batches[k]);
    SPEC_FFTW(free)(state->w);
    SPEC_FFTW(free)(state->acc);
    SPEC_FFTW(free)(state->X);
    SPEC_FFTW(free)(state->force);
    SPEC_FFTW(free)(state->phys);
    free(state->factor);
    free(state->rows);
    free(state->row_bad);
    free(state);
}

/* The forcing's coefficients of the rows held (the pattern is the whole spectrum's, seeded). */
static spec_cplx *forcing_rows(const spec_params *p, const spec_slab *sl)
{
    const size_t row = (size_t)p->nxh;
    spec_cplx *all = malloc((size_t)p->ny * row * sizeof *all);
    spec_cplx *f = SPEC_FFTW(malloc)(sl->dist_c * sizeof(spec_cplx));
    if (all && f) {
        spec_forcing_pattern(p, all);
        memcpy(f, all + (size_t)sl->j0 * row, (size_t)sl->rows * row * sizeof *f);
    } else if (f) {
        SPEC_FFTW(free)(f);
        f = NULL;
    }
    free(all);
    return f;
}

static int spec_create_cpu(const fc_grid *g, const void *params, void **out, fc_err *err)
{
    spec_cpu_state *state = calloc(1, sizeof *state);
    if (!state)
        return fc_fail(err, FC_ENOMEM, "out of memory");
    state->p = *(const spec_params *)params;
    const spec_params *p = &state->p;
    const int nst = 1 + (p->tracer != SPEC_TRACER_NONE), nf = spec_nforward(p);
    int st = spec_slab_make(p, g, &state->slab, err);
    if (st) {
        free(state);
        return st;
    }
    state->dist_r = state->slab.dist_r;
    state->dist_c = state->slab.dist_c;
    state->w = SPEC_FFTW(malloc)(nst * state->dist_c * sizeof(spec_cplx));
    state->acc = SPEC_FFTW(malloc)(nst * state->dist_c * sizeof(spec_cplx));
    state->X = SPEC_FFTW(malloc)(nf * state->dist_c * sizeof(spec_cplx));
    state->phys = SPEC_FFTW(malloc)(nf * state->dist_r * sizeof(fc_real));
    state->factor = malloc(nst * state->dist_c * sizeof *state->factor);
    state->rows = malloc((size_t)p->ny * SPEC_NSUMS * sizeof *state->rows);
    state->row_bad = malloc((size_t)state->slab.rows * sizeof *state->row_bad);
    if (p->forcing != SPEC_FORCING_NONE)
        state->force = forcing_rows(p, &state->slab);
    if (!state->w || !state->acc || !state->X || !state->phys || !state->factor || !state->rows ||
        !state->row_bad ||
        (p->forcing != SPEC_FORCING_NONE && !state->force)) {
        spec_destroy_cpu(state);
        return fc_fail(err, FC_ENOMEM, "out of memory for a %d x %d spectral state", g->nx, g->ny);
    }
    /* FFTW_MEASURE tries plans on the arrays, overwriting them: plan before any data is in. */
    const unsigned flags = p->planning == SPEC_PLAN_MEASURE ? FFTW_MEASURE : FFTW_ESTIMATE;
    const spec_slab *sl = &state->slab;
    if (!spec_batch_plan(p, sl, -1, nf, state->phys, state->X, flags, &state->fwd) ||
        !spec_batch_plan(p, sl, +1, spec_ninverse(p), state->phys, state->X, flags, &state->inv) ||
        !spec_batch_plan(p, sl, -1, nst, state->phys, state->X, flags, &state->up) ||
        !spec_batch_plan(p, sl, +1, nst, state->phys, state->X, flags, &state->down)) {
        spec_destroy_cpu(state);
        return fc_fail(err, FC_ENOMEM, "FFTW could not plan the %d x %d transforms", g->nx, g->ny);
    }
    *out = state;
    return FC_OK;
}

/* Adds the per-row partial sums in row order (on slabs, after sharing every process's rows). */
static void spec_total_cpu(spec_cpu_state *state, double *sums)
{
    spec_slab_share_rows(&state->slab, state->rows, SPEC_NSUMS);
    for (int q = 0; q < SPEC_NSUMS; q++)
        sums[q] = 0;
    for (int j = 0; j < state->p.ny; j++)
        for (int q = 0; q < SPEC_NSUMS; q++)
            sums[q] += state->rows[(size_t)j * SPEC_NSUMS + q];
}

/* The products of the points of a row held (its first at k0; fields dist apart in phys), with
 * a tracer or without (a constant where this is inlined: a loop without a branch). Gives the
 * row's largest rate and its first point whose fields are not finite, as its index j nx + i
 * in the grid (cell0: the row's first; -1: none). */
FC_ALWAYS_INLINE static inline void spec_products_loop(int tracer, const spec_params *p,
                                                       size_t k0, long long cell0, size_t dist,
                                                       fc_real *phys, double *rate,
                                                       long long *bad)
{
    double r = 0, first = INFINITY;
#pragma omp simd reduction(max : r) reduction(min : first)
    for (int i = 0; i < p->nx; i++) {
        const spec_point q = spec_point_products(p, tracer, k0 + i, dist, phys);
        r = q.rate > r ? q.rate : r;
        const double at = q.finite ? INFINITY : (double)i;
        first = at < first ? at : first;
    }
    *rate = r;
    *bad = first < INFINITY ? cell0 + (long long)first : -1;
}

/* The same, compiled per vector width (the products are per point: the same bits). */
FC_VECTOR_CLONES static void spec_products_row(const spec_params *p, size_t k0, long long cell0,
                                               size_t dist, fc_real *phys, double *rate,
                                               long long *bad)
{
    if (p->tracer)
        spec_products_loop(1, p, k0, cell0, dist, phys, rate, bad);
    else
        spec_products_loop(0, p, k0, cell0, dist, phys, rate, bad);
}

/* The products of the fields in phys, their largest rate (at least the forcing's) and first bad
 * point (into state). */
static void spec_products_cpu(spec_cpu_state *state)
{
    const spec_params *p = &state->p;
    const spec_slab *sl = &state->slab;
    double *row_rate = state->rows; /* borrowed: one value per row */
#pragma omp parallel for schedule(static) if ((long long)p->nx * p->ny >= FC_PARALLEL_MIN)
    for (int j = 0; j < sl->rows; j++)
        spec_products_row(p, (size_t)j * sl->pitch, (long long)(sl->j0 + j) * p->nx,
                          state->dist_r, state->phys, &row_rate[j], &state->row_bad[j]);
    state->rate = spec_forcing_rate(p);
    state->bad_cell = -1;
    for (int j = 0; j < sl->rows; j++) {
        state->rate = row_rate[j] > state->rate ? row_rate[j] : state->rate;
        if (state->bad_cell < 0)
            state->bad_cell = state->row_bad[j];
    }
    spec_slab_reduce(sl, &state->rate, &state->bad_cell);
}

/* Fills the transform slots with the products of the state w, and s->cur with its sums. */
static void spec_prime_cpu(spec_cpu_state *state)
{
    const spec_params *p = &state->p;
    const spec_slab *sl = &state->slab;
    const size_t dist = state->dist_c;
#pragma omp parallel for schedule(static) if ((long long)p->nx * p->ny >= FC_PARALLEL_MIN)
    for (int j = 0; j < sl->rows; j++) {
        double *sums = state->rows + (size_t)(sl->j0 + j) * SPEC_NSUMS;
        for (int q = 0; q < SPEC_NSUMS; q++)
            sums[q] = 0;
        for (int i = 0; i < p->nxh; i++) {
            const size_t k = (size_t)j * p->nxh + i;
            const spec_mode m = spec_mode_at(p, i, sl->j0 + j);
            const spec_cplx zero = {0, 0};
            spec_emit_mode(p, m, k, dist, state->w[k], p->tracer ? state->w[k + dist] : zero,
                           state->force && m.keep ? state->force[k] : zero, state->X, sums);
        }
    }
    spec_total_cpu(state, state->cur);
    spec_batch_run(&state->inv);
    spec_products_cpu(state);
}

/* The grid side's rows held (fields dist_r apart, rows pitch apart) to or from a state's fields
 * in the grid's layout (no halo: rows of nx). */
static void copy_rows(spec_cpu_state *state, fc_real *const *fields, int nst, int to_phys)
{
    const spec_params *p = &state->p;
    const spec_slab *sl = &state->slab;
    for (int f = 0; f < nst; f++)
        for (int j = 0; j < sl->rows; j++) {
            fc_real *row = state->phys + f * state->dist_r + (size_t)j * sl->pitch;
            fc_real *field = fields[f] + (size_t)j * p->nx;
            memcpy(to_phys ? row : field, to_phys ? field : row, (size_t)p->nx * sizeof(fc_real));
        }
}

static int spec_upload_cpu(void *opaque, const fc_state *host, fc_err *err)
{
    (void)err;
    spec_cpu_state *state = opaque;
    const spec_params *p = &state->p;
    const spec_slab *sl = &state->slab;
    const size_t n = (size_t)p->nx * p->ny;
    const int nst = 1 + (p->tracer != SPEC_TRACER_NONE);
    copy_rows(state, host->f, nst, 1);
    spec_batch_run(&state->up);
    /* Normalised coefficients of the kept modes; the mean vorticity of a periodic box is 0. */
    const fc_real scale = (fc_real)(1.0 / (double)n);
#pragma omp parallel for schedule(static) if ((long long)p->nx * p->ny >= FC_PARALLEL_MIN)
    for (int j = 0; j < sl->rows; j++)
        for (int i = 0; i < p->nxh; i++) {
            const size_t k = (size_t)j * p->nxh + i;
            const spec_mode m = spec_mode_at(p, i, sl->j0 + j);
            for (int f = 0; f < nst; f++) {
                const size_t kf = k + f * state->dist_c;
                const int keep = m.keep && (f == SPEC_TRACER || m.k2 > 0);
                state->w[kf].re = keep ? state->X[kf].re * scale : 0;
                state->w[kf].im = keep ? state->X[kf].im * scale : 0;
            }
        }
    spec_prime_cpu(state);
    return FC_OK;
}

static int spec_max_rate_cpu(void *opaque, double *rate, fc_err *err)
{
    (void)err;
    *rate = ((spec_cpu_state *)opaque)->rate;
    return FC_OK;
}

static int spec_step_cpu(void *opaque, double t0, double dt, fc_step_report *rep, fc_err *err)
{
    (void)t0; /* nothing of this solver varies in time but the state */
    (void)err;
    spec_cpu_state *state = opaque;
    const spec_params *p = &state->p;
    const spec_slab *sl = &state->slab;
    const size_t dist = state->dist_c;
    const fc_real h = (fc_real)dt, scale = (fc_real)(1.0 / ((double)p->nx * p->ny));
    double out[4][SPEC_NSUMS]; /* sums of each stage's output */
    memset(rep, 0, sizeof *rep);
    /* The integrating factors once per time step length, not per stage: an exp per mode was a
     * tenth of a step's instructions at each of the four stages. A run's steps mostly share dt
     * (fixed dt, or cfl / rate while the rate holds). */
    fc_real *const ef = state->factor;
    if (h != state->factor_h) {
#pragma omp parallel for schedule(static) if ((long long)p->nx * p->ny >= FC_PARALLEL_MIN)
        for (int j = 0; j < sl->rows; j++)
            for (int i = 0; i < p->nxh; i++) {
                const size_t k = (size_t)j * p->nxh + i;
                const fc_real k2 = spec_mode_at(p, i, sl->j0 + j).k2;
                ef[k] = spec_factor(p, k2, h);
                if (p->tracer)
                    ef[k + dist] = spec_tracer_factor(p, k2, h);
            }
        state->factor_h = h;
    }
    for (int stage = 0; stage < 4; stage++) {
        spec_batch_run(&state->fwd);
#pragma omp parallel for schedule(static) if ((long long)p->nx * p->ny >= FC_PARALLEL_MIN)
        for (int j = 0; j < sl->rows; j++) {
            double *sums = state->rows + (size_t)(sl->j0 + j) * SPEC_NSUMS;
            for (int q = 0; q < SPEC_NSUMS; q++)
                sums[q] = 0;
            for (int i = 0; i < p->nxh; i++) {
                const size_t k = (size_t)j * p->nxh + i;
                spec_stage_mode(p, stage, h, scale, i, sl->j0 + j, k, dist, ef[k],
                                p->tracer ? ef[k + dist] : 0, state->X, state->w, state->acc,
                                state->force, sums);
            }
        }
        spec_total_cpu(state, out[stage]);
        spec_batch_run(&state->inv);
        spec_products_cpu(state);
        if (state->bad_cell >= 0) {
            /* The state before the step is kept; the slots are rebuilt from it. */
            rep->bad = FC_STATE_NAN;
            rep->bad_cell = state->bad_cell;
            rep->bad_value = NAN;
            spec_prime_cpu(state);
            rep->max_rate = state->rate;
            return FC_OK;
        }
    }
    /* Stage s's input is the state (s = 0) or stage s - 1's output. */
    const double *const stage[4] = {state->cur, out[0], out[1], out[2]};
    spec_budget_residuals(state->cur, out[3], stage, dt, &rep->stats[SPEC_STAT_ENERGY_RESIDUAL],
                          &rep->stats[SPEC_STAT_ENSTROPHY_RESIDUAL]);
    spec_cplx *t = state->w;
    state->w = state->acc;
    state->acc = t;
    memcpy(state->cur, out[3], sizeof state->cur);
    rep->max_rate = state->rate;
    return FC_OK;
}

static int spec_download_cpu(void *opaque, fc_state *host, fc_err *err)
{
    (void)err;
    spec_cpu_state *state = opaque;
    const spec_params *p = &state->p;
    const int nst = 1 + (p->tracer != SPEC_TRACER_NONE);
    /* The inverse transform overwrites its input: it works on a copy in the slots. */
    memcpy(state->X, state->w, nst * state->dist_c * sizeof(spec_cplx));
    spec_batch_run(&state->down);
    copy_rows(state, host->f, nst, 0);
    spec_prime_cpu(state);
    return FC_OK;
}

/*
 * Times reps steps and, after each, the transforms of a stage alone (its forward and inverse
 * executions, four times, as the step makes them): part 0 the step, 1 a stage (a quarter of
 * it), 2 the stage's transforms. The slots are rebuilt before each step.
 */
static int spec_profile_cpu(void *opaque, double t0, double dt, int reps,
                            fc_profile *out, fc_err *err)
{
    spec_cpu_state *state = opaque;
    double *t = malloc(3 * (size_t)reps * sizeof *t);
    if (!t)
        return fc_fail(err, FC_ENOMEM, "out of memory");
    int st = FC_OK;
    for (int r = 0; r < reps && !st; r++) {
        fc_step_report rep;
        double w = fc_now();
        st = spec_step_cpu(state, t0 + r * dt, dt, &rep, err);
        t[r] = fc_now() - w;
        t[reps + r] = t[r] / 4;
        w = fc_now();
        for (int k = 0; k < 4; k++) {
            spec_batch_run(&state->fwd);
            spec_batch_run(&state->inv);
        }
        t[2 * reps + r] = (fc_now() - w) / 4;
        spec_prime_cpu(state);
    }
    memset(out, 0, sizeof *out);
    if (!st) { /* (a failed step leaves the later samples unset) */
        fc_profile_part(out, "step (4 RK stages)", t, reps);
        fc_profile_part(out, "one stage", t + reps, reps);
        fc_profile_part(out, "the stage's transforms alone", t + 2 * reps, reps);
    }
    free(t);
    return st;
}

const fc_solver_ops spec_ops_cpu = {
    "cpu",         spec_create_cpu,   spec_upload_cpu,  spec_max_rate_cpu,
    spec_step_cpu, spec_download_cpu, spec_destroy_cpu, spec_profile_cpu,
#ifdef FC_HAVE_FFTW_MPI
    FC_BLOCKS_ROWS, /* FFTW's MPI transforms over slabs of rows */
#else
    FC_BLOCKS_NONE,
#endif
};
