/*
 * swe_cpu.c: the OpenMP reference backend of the shallow-water solver (equations and method in
 * swe.h). swe_cuda.cu holds the same functions with the suffix _cuda, in the same order; both
 * call the physics of swe.h, so they differ only in iteration and memory.
 *
 * Memory: three sets of (h, hu, hv), each field (ny + 4) x (nx + 4) with a halo of 2, and one
 * bottom b shared by the sets. Set 0 is the state; sets 1 and 2 receive the RK stages; a step
 * that succeeds swaps its result into set 0, one that fails leaves set 0 as it was.
 *
 * Iteration: where the GPU kernel recomputes every face for each of its two cells (no stored
 * faces, no extra memory traffic), a CPU core has the cache to compute each face once: each
 * thread sweeps its block of rows, loads each row's cells once (depth, surface and velocities:
 * two divisions a cell, not eight) into a ring of four rows, reconstructs a row once per
 * direction, keeps the y faces of the row below in a rolling buffer, and combines the stored
 * fluxes with swe_cell_balance. The same functions on the same inputs give the same bits as
 * the fused form.
 */
#include <fc_build.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "solvers/swe/swe.h"
#include "src/core/machine_load.h"

#define SWE_SETS 3

/* A face's flux and the starred depths on its two sides. */
typedef struct swe_stored_flux {
    fc_real F[3], hl_star, hr_star;
} swe_stored_flux;

/* One thread's row buffers (nx wide, plus the cells and faces around a row in x). */
typedef struct swe_work {
    /* [4][nx + 4] cells -2 .. nx+1 of the last four rows loaded (row r in rows[(r + 4) % 4]),
     * x-normal: each cell's velocities are divided out once and serve both directions. */
    swe_cellv *rows[4];
    swe_face *xlo, *xhi;         /* [nx + 2] x face values of cells -1 .. nx */
    swe_stored_flux *fx;         /* [nx + 1] x faces 0 .. nx (face i: cells i-1 | i) */
    swe_face *ylo[2], *yhi[2];   /* [nx] y face values of the current and the next row */
    swe_stored_flux *fy[2];      /* [nx] fluxes through the row's south and north faces */
} swe_work;

typedef struct swe_cpu_state {
    swe_params p;
    fc_real *U[SWE_SETS][SWE_NFIELDS]; /* U[s][SWE_B] is the same array for every set */
    int nthreads;   /* threads at creation, the most a step uses (fewer when the run's governor
                     * lowered OpenMP's count: src/core/machine_load.h) */
    swe_work *work; /* [nthreads] */
} swe_cpu_state;

/* Halos of the first nfields fields of a set (the bottom's only at upload: it never changes). */
static void swe_fill_halos_cpu(swe_cpu_state *state, int set, int nfields)
{
    const fc_grid *g = &state->p.grid;
    for (int f = 0; f < nfields; f++)
        fc_grid_fill_halo(g, state->U[set][f], swe_field_odd_x(f), swe_field_odd_y(f));
    /* Open sides: the characteristic state (swe_open_ghost) over the copies. */
    fc_real *const *U = state->U[set];
    for (int j = -g->ng; j < g->ny + g->ng; j++)
        for (int i = -g->ng; i < g->nx + g->ng; i++) {
            if (i >= 0 && i < g->nx && j >= 0 && j < g->ny) {
                i = g->nx - 1; /* skip the interior of the row */
                continue;
            }
            fc_real v[3];
            if (swe_open_ghost((const fc_real *const *)U, &state->p, i, j, v)) {
                const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
                U[SWE_H][k] = v[0];
                U[SWE_HU][k] = v[1];
                U[SWE_HV][k] = v[2];
            }
        }
}

/* The buffer of row r (r >= -2). */
static swe_cellv *swe_row(swe_work *w, int r) { return w->rows[(r + 4) & 3]; }

/* Loads cells -2 .. nx+1 of row r (x-normal) into its buffer. */
static void swe_load_row(const fc_real *const *U, const swe_params *p, int r, swe_work *w)
{
    const fc_grid *g = &p->grid;
    const ptrdiff_t k0 = fc_idx(g->pitch, g->ng, -2, r);
    swe_cellv *c = swe_row(w, r);
    for (int i = 0; i < g->nx + 4; i++)
        c[i] = swe_cell_load(U, k0 + i, 1, p->h_dry);
}

/* A loaded (x-normal) cell seen along y. */
static inline swe_cellv swe_along_y(swe_cellv c)
{
    const swe_cellv t = {c.h, c.eta, c.ut, c.un};
    return t;
}

/* y face values of every cell of row r (rows r-1 .. r+1 loaded). */
static void swe_reconstruct_row_y(swe_work *w, const swe_params *p, int r, swe_face *lo,
                                  swe_face *hi)
{
    const swe_cellv *below = swe_row(w, r - 1) + 2, *row = swe_row(w, r) + 2,
                    *above = swe_row(w, r + 1) + 2;
    for (int i = 0; i < p->grid.nx; i++)
        swe_reconstruct(swe_along_y(below[i]), swe_along_y(row[i]), swe_along_y(above[i]),
                        p->limiter, &lo[i], &hi[i]);
}

/* Fluxes through the faces between the row below (its hi values) and the row above (lo). */
static void swe_fluxes_y(const swe_face *below_hi, const swe_face *above_lo, const swe_params *p,
                         swe_stored_flux *f)
{
    for (int i = 0; i < p->grid.nx; i++)
        swe_face_flux(&below_hi[i], &above_lo[i], p, f[i].F, &f[i].hl_star, &f[i].hr_star);
}

/* x face values and fluxes of row j (loaded). */
static void swe_row_x(const swe_params *p, int j, swe_work *w)
{
    const fc_grid *g = &p->grid;
    const swe_cellv *c = swe_row(w, j);
    for (int i = 0; i < g->nx + 2; i++)
        swe_reconstruct(c[i], c[i + 1], c[i + 2], p->limiter, &w->xlo[i], &w->xhi[i]);
    for (int i = 0; i <= g->nx; i++)
        swe_face_flux(&w->xhi[i], &w->xlo[i + 1], p, w->fx[i].F, &w->fx[i].hl_star,
                      &w->fx[i].hr_star);
}

/*
 * One stage from set `in` (and U0 = set 0) into set `out`. Reports the largest signal rate of
 * the result and its first bad cell.
 */
static void swe_stage_cpu(swe_cpu_state *state, int in, int out, fc_real a, fc_real dt,
                          fc_step_report *rep)
{
    const swe_params *p = &state->p;
    const fc_grid *g = &p->grid;
    const fc_real *const *U = (const fc_real *const *)state->U[in];
    const fc_real *const *U0 = (const fc_real *const *)state->U[0];
    fc_real *const *V = state->U[out];
    const int nx = g->nx, ny = g->ny;
    double rate = 0;
    long long first_bad = LLONG_MAX; /* none */
#pragma omp parallel num_threads(fc_threads_at_most(state->nthreads)) reduction(max : rate) reduction(min : first_bad)
    {
        int tid = 0, nth = 1;
#ifdef _OPENMP
        tid = omp_get_thread_num();
        nth = omp_get_num_threads();
#endif
        swe_work *w = &state->work[tid];
        const int j0 = (int)((long long)ny * tid / nth), j1 = (int)((long long)ny * (tid + 1) / nth);
        int cur = 0;
        if (j0 < j1) {
            for (int r = j0 - 2; r <= j0 + 1; r++)
                swe_load_row(U, p, r, w);
            swe_reconstruct_row_y(w, p, j0 - 1, w->ylo[1], w->yhi[1]);
            swe_reconstruct_row_y(w, p, j0, w->ylo[0], w->yhi[0]);
            swe_fluxes_y(w->yhi[1], w->ylo[0], p, w->fy[0]);
        }
        for (int j = j0; j < j1; j++, cur ^= 1) {
            const int nxt = cur ^ 1;
            swe_load_row(U, p, j + 2, w); /* over row j - 2, no longer needed */
            swe_reconstruct_row_y(w, p, j + 1, w->ylo[nxt], w->yhi[nxt]);
            swe_fluxes_y(w->yhi[cur], w->ylo[nxt], p, w->fy[nxt]);
            swe_row_x(p, j, w);
            const swe_stored_flux *south = w->fy[cur], *north = w->fy[nxt];
            for (int i = 0; i < nx; i++) {
                fc_real dxs[3], dys[3], v[3];
                swe_cell_balance(&w->xlo[i + 1], &w->xhi[i + 1], w->fx[i].F, w->fx[i].hr_star,
                                 w->fx[i + 1].F, w->fx[i + 1].hl_star, p->g, (fc_real)g->dx, dxs);
                swe_cell_balance(&w->ylo[cur][i], &w->yhi[cur][i], south[i].F, south[i].hr_star,
                                 north[i].F, north[i].hl_star, p->g, (fc_real)g->dy, dys);
                ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
                swe_update_cell(U, U0, a, dt, p, k, j, dxs, dys, v);
                V[SWE_H][k] = v[0];
                V[SWE_HU][k] = v[1];
                V[SWE_HV][k] = v[2];
                if (swe_check_cell(v) != FC_STATE_OK) {
                    long long c = (long long)j * nx + i;
                    first_bad = c < first_bad ? c : first_bad;
                }
                double r = swe_cell_rate(v[0], v[1], v[2], p);
                rate = r > rate ? r : rate;
            }
        }
    }
    rep->max_rate = rate;
    rep->bad = FC_STATE_OK;
    if (first_bad != LLONG_MAX) {
        int i = (int)(first_bad % nx), j = (int)(first_bad / nx);
        ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
        const fc_real v[3] = {V[SWE_H][k], V[SWE_HU][k], V[SWE_HV][k]};
        swe_report_bad(v, first_bad, rep);
    }
}

static int swe_step_cpu(void *opaque, double dt, fc_step_report *rep, fc_err *err)
{
    (void)err;
    swe_cpu_state *state = opaque;
    const int rk = state->p.rk, n = swe_nstages(rk);
    int in = 0, out = 1;
    for (int s = 0; s < n; s++) {
        out = s % 2 == 0 ? 1 : 2;
        swe_fill_halos_cpu(state, in, SWE_B);
        swe_stage_cpu(state, in, out, swe_stage_a(rk, s), (fc_real)dt, rep);
        if (rep->bad)
            return FC_OK; /* set 0 still holds the state before the step */
        in = out;
    }
    fc_keep_stage(state->U[0], state->U[out], SWE_B);
    return FC_OK;
}

static int swe_max_rate_cpu(void *opaque, double *rate, fc_err *err)
{
    (void)err;
    swe_cpu_state *state = opaque;
    const swe_params *p = &state->p;
    const fc_grid *g = &p->grid;
    fc_real *const *U = state->U[0];
    double r = 0;
#pragma omp parallel for schedule(static) reduction(max : r)
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
            double c = swe_cell_rate(U[SWE_H][k], U[SWE_HU][k], U[SWE_HV][k], p);
            r = c > r ? c : r;
        }
    *rate = r;
    return FC_OK;
}

static void swe_destroy_cpu(void *opaque)
{
    swe_cpu_state *state = opaque;
    if (!state)
        return;
    for (int s = 0; s < SWE_SETS; s++)
        for (int f = 0; f < SWE_B; f++)
            free(state->U[s][f]);
    free(state->U[0][SWE_B]);
    for (int t = 0; state->work && t < state->nthreads; t++) {
        swe_work *w = &state->work[t];
        for (int r = 0; r < 4; r++)
            free(w->rows[r]);
        free(w->xlo);
        free(w->xhi);
        free(w->fx);
        for (int b = 0; b < 2; b++) {
            free(w->ylo[b]);
            free(w->yhi[b]);
            free(w->fy[b]);
        }
    }
    free(state->work);
    free(state);
}

static int alloc_work(swe_work *w, int nx)
{
    size_t n = (size_t)nx;
    w->xlo = malloc((n + 2) * sizeof *w->xlo);
    w->xhi = malloc((n + 2) * sizeof *w->xhi);
    w->fx = malloc((n + 1) * sizeof *w->fx);
    int ok = w->xlo && w->xhi && w->fx;
    for (int r = 0; r < 4; r++)
        ok = ok && (w->rows[r] = malloc((n + 4) * sizeof *w->rows[r])) != NULL;
    for (int b = 0; b < 2; b++) {
        w->ylo[b] = malloc(n * sizeof *w->ylo[b]);
        w->yhi[b] = malloc(n * sizeof *w->yhi[b]);
        w->fy[b] = malloc(n * sizeof *w->fy[b]);
        ok = ok && w->ylo[b] && w->yhi[b] && w->fy[b];
    }
    return ok;
}

static int swe_create_cpu(const fc_grid *g, const void *params, void **out, fc_err *err)
{
    swe_cpu_state *state = calloc(1, sizeof *state);
    if (!state)
        return fc_fail(err, FC_ENOMEM, "out of host memory for the %d x %d state", g->nx, g->ny);
    state->p = *(const swe_params *)params;
    state->p.grid = *g;
    int ok = 1;
    for (int s = 0; s < SWE_SETS; s++)
        for (int f = 0; f < SWE_B; f++)
            ok &= (state->U[s][f] = fc_grid_alloc(g)) != NULL;
    fc_real *b = fc_grid_alloc(g);
    ok &= b != NULL;
    state->nthreads = 1;
#ifdef _OPENMP
    state->nthreads = omp_get_max_threads();
#endif
    state->work = calloc((size_t)state->nthreads, sizeof *state->work);
    ok &= state->work != NULL;
    for (int t = 0; ok && t < state->nthreads; t++)
        ok &= alloc_work(&state->work[t], g->nx);
    for (int s = 0; s < SWE_SETS; s++)
        state->U[s][SWE_B] = b;
    if (!ok) {
        swe_destroy_cpu(state);
        return fc_fail(err, FC_ENOMEM, "out of host memory for the %d x %d state", g->nx, g->ny);
    }
    *out = state;
    return FC_OK;
}

static int swe_upload_cpu(void *opaque, const fc_state *host, fc_err *err)
{
    (void)err;
    swe_cpu_state *state = opaque;
    const fc_grid *g = &state->p.grid;
    for (int f = 0; f < SWE_NFIELDS; f++)
        memcpy(state->U[0][f], host->f[f], g->nalloc * sizeof(fc_real));
    swe_fill_halos_cpu(state, 0, SWE_NFIELDS);
    return FC_OK;
}

static int swe_download_cpu(void *opaque, fc_state *host, fc_err *err)
{
    (void)err;
    swe_cpu_state *state = opaque;
    for (int f = 0; f < SWE_NFIELDS; f++)
        memcpy(host->f[f], state->U[0][f], state->p.grid.nalloc * sizeof(fc_real));
    return FC_OK;
}

const fc_solver_ops swe_ops_cpu = {
    "cpu",        swe_create_cpu,   swe_upload_cpu,  swe_max_rate_cpu,
    swe_step_cpu, swe_download_cpu, swe_destroy_cpu, NULL,
};
