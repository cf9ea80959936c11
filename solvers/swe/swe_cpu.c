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
 *
 * Vectors: every pass over a row (load, reconstruct, fluxes, update) is one loop without a branch
 * or a call over structure-of-arrays buffers (`omp simd`; tests/vectorised.sh holds each to the
 * compiler's report). The scheme's choices that would branch in the loop (limiter, Riemann
 * solver, drag, the stage's blend with U0 and whether it wants the signal rate) are arguments
 * the loops get as constants: one loop per combination, chosen once a row. The functions holding
 * the loops are compiled for AVX-512, AVX2 and the baseline (FC_VECTOR_CLONES), all with the
 * same bits. Bad cells are a max-reduction per row, found by a scalar rescan of a row that has one.
 */
#include <fc_build.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "solvers/swe/swe.h"
#include "src/core/link.h"
#include "src/core/machine_load.h"
#include "src/core/timer.h"

#define SWE_SETS 3

/* A row's cells seen along one direction, structure of arrays: depth, surface, normal and
 * tangential velocity (a loaded row holds u, v; seen along y they swap). */
typedef struct swe_cells {
    fc_real *h, *eta, *un, *ut;
} swe_cells;

/* The face values of a row's cells on one side (lo or hi), structure of arrays. */
typedef struct swe_faces {
    fc_real *h, *b, *un, *ut;
} swe_faces;

/* The fluxes through a row of faces and the starred depths on their two sides. */
typedef struct swe_fluxes {
    fc_real *F[3], *hl_star, *hr_star;
} swe_fluxes;

/* One thread's row buffers, all in one allocation (block), each array SWE_ROW_PAD-aligned and
 * nx + 4 long (the longest use). */
typedef struct swe_work {
    swe_cells rows[4];          /* [nx + 4] cells -2 .. nx+1 of the last four rows loaded (row r
                                 * in rows[(r + 4) % 4]), x-normal (un = u, ut = v) */
    swe_faces xlo, xhi;         /* [nx + 2] x face values of cells -1 .. nx */
    swe_fluxes fx;              /* [nx + 1] x faces 0 .. nx (face i: cells i-1 | i) */
    swe_faces ylo[2], yhi[2];   /* [nx] y face values of the current and the next row */
    swe_fluxes fy[2];           /* [nx] fluxes through the row's south and north faces */
    fc_real *block;
} swe_work;

/* Arrays of the row buffers: 4 rows x 4, 2 x 4 x faces, 5 x fluxes, 2 x 2 x 4 y faces, 2 x 5. */
#define SWE_WORK_ARRAYS (16 + 8 + 5 + 16 + 10)
#define SWE_ROW_PAD 8 /* doubles: 64 bytes, a cache line */

typedef struct swe_cpu_state {
    swe_params p;
    fc_real *U[SWE_SETS][SWE_NFIELDS]; /* U[s][SWE_B] is the same array for every set */
    int nthreads;   /* threads at creation, the most a step uses (fewer when the run's governor
                     * lowered OpenMP's count: src/core/machine_load.h) */
    swe_work *work; /* [nthreads] */
    /* Seconds spent in the parts of the steps so far, for the profile: the halos (the sides'
     * ghost cells, or the exchange with neighbouring blocks), the stages' sweeps. */
    double secs_halos, secs_sweeps;
} swe_cpu_state;

/* Halos of the first nfields fields of a set (the bottom's only at upload: it never changes);
 * on a rank's block the exchange with its neighbours (link.h). */
static int swe_fill_halos_cpu(swe_cpu_state *state, int set, int nfields, fc_err *err)
{
    const fc_grid *g = &state->p.grid;
    int odd_x[SWE_NFIELDS], odd_y[SWE_NFIELDS];
    for (int f = 0; f < nfields; f++) {
        odd_x[f] = swe_field_odd_x(f);
        odd_y[f] = swe_field_odd_y(f);
    }
    int st = fc_grid_fill_halos(g, state->U[set], odd_x, odd_y, nfields, err);
    if (st)
        return st;
    /* Open and inflow sides: their characteristic state (swe_side_ghost) over the copies. */
    fc_real *const *U = state->U[set];
    for (int j = -g->ng; j < g->ny + g->ng; j++)
        for (int i = -g->ng; i < g->nx + g->ng; i++) {
            if (i >= 0 && i < g->nx && j >= 0 && j < g->ny) {
                i = g->nx - 1; /* skip the interior of the row */
                continue;
            }
            fc_real v[3];
            if (swe_side_ghost((const fc_real *const *)U, &state->p, i, j, v)) {
                const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
                U[SWE_H][k] = v[0];
                U[SWE_HU][k] = v[1];
                U[SWE_HV][k] = v[2];
            }
        }
    return FC_OK;
}

/* The buffer of row r (r >= -2), seen along x. */
static swe_cells swe_row(const swe_work *w, int r) { return w->rows[(r + 4) & 3]; }

/* The same cells seen along y, from cell `from` on. */
static swe_cells swe_along_y(swe_cells c, int from)
{
    const swe_cells t = {c.h + from, c.eta + from, c.ut + from, c.un + from};
    return t;
}

/* The same cells seen along x, from cell `from` on. */
static swe_cells swe_along_x(swe_cells c, int from)
{
    const swe_cells t = {c.h + from, c.eta + from, c.un + from, c.ut + from};
    return t;
}

static swe_faces swe_faces_from(swe_faces f, int from)
{
    const swe_faces t = {f.h + from, f.b + from, f.un + from, f.ut + from};
    return t;
}

/* Loads cells -2 .. nx+1 of row r into its buffer: depth, surface and velocities (two divisions
 * a cell, serving both directions). The momenta are copied first and divided in place: a load
 * under the wet/dry selection would keep the loop from vectorising, one from the address it
 * overwrites does not. */
FC_VECTOR_CLONES static void swe_load_row(const fc_real *const *U, const swe_params *p, int r, const swe_work *w)
{
    const fc_grid *g = &p->grid;
    const ptrdiff_t k0 = fc_idx(g->pitch, g->ng, -2, r);
    const swe_cells c = swe_row(w, r);
    const fc_real *H = U[SWE_H] + k0, *HU = U[SWE_HU] + k0, *HV = U[SWE_HV] + k0,
                  *B = U[SWE_B] + k0;
    const fc_real h_dry = p->h_dry;
    const int n = g->nx + 4;
#pragma omp simd
    for (int i = 0; i < n; i++) {
        c.h[i] = H[i];
        c.eta[i] = H[i] + B[i];
        c.un[i] = HU[i];
        c.ut[i] = HV[i];
    }
#pragma omp simd
    for (int i = 0; i < n; i++) {
        c.un[i] = swe_velocity(c.h[i], c.un[i], h_dry);
        c.ut[i] = swe_velocity(c.h[i], c.ut[i], h_dry);
    }
}

/* MUSCL face values lo | hi of cells 0 .. n-1 whose neighbours are m (below or west) and q
 * (above or east), with the limiter `limiter` (a constant where this is inlined). */
FC_ALWAYS_INLINE static inline void swe_reconstruct_loop(int limiter, int n, swe_cells m,
                                                         swe_cells c, swe_cells q, swe_faces lo,
                                                         swe_faces hi)
{
#pragma omp simd
    for (int i = 0; i < n; i++) {
        const swe_cellv cm = {m.h[i], m.eta[i], m.un[i], m.ut[i]};
        const swe_cellv cc = {c.h[i], c.eta[i], c.un[i], c.ut[i]};
        const swe_cellv cq = {q.h[i], q.eta[i], q.un[i], q.ut[i]};
        swe_face l, h;
        swe_reconstruct(cm, cc, cq, limiter, &l, &h);
        lo.h[i] = l.h;
        lo.b[i] = l.b;
        lo.un[i] = l.un;
        lo.ut[i] = l.ut;
        hi.h[i] = h.h;
        hi.b[i] = h.b;
        hi.un[i] = h.un;
        hi.ut[i] = h.ut;
    }
}

/* The same with the case's limiter: one vectorised loop per limiter. */
FC_VECTOR_CLONES static void swe_reconstruct_cells(int limiter, int n, swe_cells m, swe_cells c, swe_cells q,
                                  swe_faces lo, swe_faces hi)
{
    switch (limiter) {
    case FC_LIM_MINMOD:
        swe_reconstruct_loop(FC_LIM_MINMOD, n, m, c, q, lo, hi);
        break;
    case FC_LIM_VANLEER:
        swe_reconstruct_loop(FC_LIM_VANLEER, n, m, c, q, lo, hi);
        break;
    case FC_LIM_VANALBADA:
        swe_reconstruct_loop(FC_LIM_VANALBADA, n, m, c, q, lo, hi);
        break;
    default:
        swe_reconstruct_loop(FC_LIM_MC, n, m, c, q, lo, hi);
        break;
    }
}

/* Fluxes through n faces between the face values L (the hi side of the cells before them) and
 * R (the lo side of the cells after), with the Riemann solver `kind` (a constant when inlined). */
FC_ALWAYS_INLINE static inline void swe_flux_loop(int kind, int n, swe_faces L, swe_faces R,
                                                  const swe_params *p, swe_fluxes out)
{
#pragma omp simd
    for (int i = 0; i < n; i++) {
        const swe_face l = {L.h[i], L.b[i], L.un[i], L.ut[i]};
        const swe_face r = {R.h[i], R.b[i], R.un[i], R.ut[i]};
        const swe_interface f = swe_face_flux(l, r, kind, p);
        out.F[0][i] = f.F.mass;
        out.F[1][i] = f.F.normal;
        out.F[2][i] = f.F.tangential;
        out.hl_star[i] = f.hl_star;
        out.hr_star[i] = f.hr_star;
    }
}

/* The same with the case's Riemann solver: one vectorised loop per solver. */
FC_VECTOR_CLONES static void swe_face_fluxes(const swe_params *p, int n, swe_faces L, swe_faces R, swe_fluxes out)
{
    if (p->flux == SWE_FLUX_HLLC)
        swe_flux_loop(SWE_FLUX_HLLC, n, L, R, p, out);
    else
        swe_flux_loop(SWE_FLUX_HLL, n, L, R, p, out);
}

/* y face values of every cell of row r (rows r-1 .. r+1 loaded). */
static void swe_reconstruct_row_y(const swe_work *w, const swe_params *p, int r, swe_faces lo,
                                  swe_faces hi)
{
    swe_reconstruct_cells(p->limiter, p->grid.nx, swe_along_y(swe_row(w, r - 1), 2),
                          swe_along_y(swe_row(w, r), 2), swe_along_y(swe_row(w, r + 1), 2), lo,
                          hi);
}

/* x face values and fluxes of row j (loaded). */
static void swe_row_x(const swe_params *p, int j, const swe_work *w)
{
    const int nx = p->grid.nx;
    const swe_cells c = swe_row(w, j);
    swe_reconstruct_cells(p->limiter, nx + 2, swe_along_x(c, 0), swe_along_x(c, 1),
                          swe_along_x(c, 2), w->xlo, w->xhi);
    swe_face_fluxes(p, nx + 1, w->xhi, swe_faces_from(w->xlo, 1), w->fx);
}

/* Face i of a row of stored fluxes. */
FC_ALWAYS_INLINE static inline swe_interface swe_stored_flux(swe_fluxes f, int i)
{
    const swe_interface t = {{f.F[0][i], f.F[1][i], f.F[2][i]}, f.hl_star[i], f.hr_star[i]};
    return t;
}

/* A stage's fields (input U, the step's start U0, output V) and weights. */
typedef struct swe_stage_args {
    const fc_real *const *U, *const *U0;
    fc_real *const *V;
    fc_real a, dt;
} swe_stage_args;

/*
 * The new values of row j from its stored face values and fluxes: x faces of the row, y faces
 * (south, north). Returns whether a cell went bad; when want_rate (the last stage) raises *rate
 * to the largest signal rate and *change to the largest change of h, hu or hv from U0 (the
 * step's start). drag (the case has drag), blend (a != 0: the stage reads U0) and want_rate are
 * constants where this is inlined: one vectorised loop for each combination.
 */
FC_ALWAYS_INLINE static inline int swe_update_loop(int drag, int blend, int want_rate,
                                                   const swe_stage_args *s, const swe_params *p,
                                                   const swe_work *w, int j, swe_faces ylo,
                                                   swe_faces yhi, swe_fluxes south,
                                                   swe_fluxes north, double *rate, double *change)
{
    const fc_grid *g = &p->grid;
    const ptrdiff_t k0 = fc_idx(g->pitch, g->ng, 0, j);
    const fc_real *H = s->U[SWE_H] + k0, *HU = s->U[SWE_HU] + k0, *HV = s->U[SWE_HV] + k0;
    const fc_real *H0 = s->U0[SWE_H] + k0, *HU0 = s->U0[SWE_HU] + k0, *HV0 = s->U0[SWE_HV] + k0;
    fc_real *VH = s->V[SWE_H] + k0, *VHU = s->V[SWE_HU] + k0, *VHV = s->V[SWE_HV] + k0;
    const swe_faces xlo = swe_faces_from(w->xlo, 1), xhi = swe_faces_from(w->xhi, 1);
    const swe_fluxes fx = w->fx;
    const fc_real a = s->a, dt = s->dt, gr = p->g, dx = (fc_real)g->dx, dy = (fc_real)g->dy;
    const fc_real f = swe_coriolis(p, j);
    fc_real bad = 0; /* 1 when a cell is bad: a double, as wide as the test's mask */
    double r = 0, ch = 0;
#pragma omp simd reduction(max : bad, r, ch)
    for (int i = 0; i < g->nx; i++) {
        const swe_face xl = {xlo.h[i], xlo.b[i], 0, 0}, xh = {xhi.h[i], xhi.b[i], 0, 0};
        const swe_face yl = {ylo.h[i], ylo.b[i], 0, 0}, yh = {yhi.h[i], yhi.b[i], 0, 0};
        const swe_triple tx = swe_cell_balance(xl, xh, swe_stored_flux(fx, i),
                                               swe_stored_flux(fx, i + 1), gr, dx);
        const swe_triple ty = swe_cell_balance(yl, yh, swe_stored_flux(south, i),
                                               swe_stored_flux(north, i), gr, dy);
        const swe_conserved u = {H[i], HU[i], HV[i]}, u0 = {H0[i], HU0[i], HV0[i]};
        const swe_conserved v = swe_update_values(u, u0, a, blend, dt, f, drag, p, tx, ty);
        VH[i] = v.h;
        VHU[i] = v.hu;
        VHV[i] = v.hv;
        const fc_real cell_bad = swe_cell_ok(v) ? 0 : 1;
        bad = cell_bad > bad ? cell_bad : bad;
        if (want_rate) {
            const double c = swe_cell_rate(v.h, v.hu, v.hv, p);
            r = c > r ? c : r;
            const double d = swe_cell_change(v, u0);
            ch = d > ch ? d : ch;
        }
    }
    *rate = r > *rate ? r : *rate;
    *change = ch > *change ? ch : *change;
    return bad != 0;
}

/* The same with the case's drag and the stage's blend and want_rate. */
FC_VECTOR_CLONES static int swe_update_row(int drag, int blend, int want_rate, const swe_stage_args *s,
                          const swe_params *p, const swe_work *w, int j, swe_faces ylo,
                          swe_faces yhi, swe_fluxes south, swe_fluxes north, double *rate,
                          double *change)
{
#define SWE_UPDATE(d, b, r) \
    swe_update_loop(d, b, r, s, p, w, j, ylo, yhi, south, north, rate, change)
    switch (drag << 2 | blend << 1 | want_rate) {
    case 0: return SWE_UPDATE(0, 0, 0);
    case 1: return SWE_UPDATE(0, 0, 1);
    case 2: return SWE_UPDATE(0, 1, 0);
    case 3: return SWE_UPDATE(0, 1, 1);
    case 4: return SWE_UPDATE(1, 0, 0);
    case 5: return SWE_UPDATE(1, 0, 1);
    case 6: return SWE_UPDATE(1, 1, 0);
    default: return SWE_UPDATE(1, 1, 1);
    }
#undef SWE_UPDATE
}

/*
 * One stage from set `in` (and U0 = set 0) into set `out`. Reports the first bad cell of the
 * result and, when want_rate (the last stage: the new state), its largest signal rate and the
 * largest change of a cell over the step per unit time (what [time] steady_tol reads).
 */
static void swe_stage_cpu(swe_cpu_state *state, int in, int out, fc_real a, fc_real dt,
                          int want_rate, fc_step_report *rep)
{
    const swe_params *p = &state->p;
    const fc_grid *g = &p->grid;
    const swe_stage_args s = {(const fc_real *const *)state->U[in],
                              (const fc_real *const *)state->U[0], state->U[out], a, dt};
    fc_real *const *V = state->U[out];
    const int nx = g->nx, ny = g->ny, drag = swe_has_drag(p);
    double rate = 0, change = 0;
    long long first_bad = LLONG_MAX; /* none */
#pragma omp parallel num_threads(fc_threads_at_most(state->nthreads)) reduction(max : rate, change) \
    reduction(min : first_bad) if ((long long)nx * g->ny >= FC_PARALLEL_MIN)
    {
        int tid = 0, nth = 1;
#ifdef _OPENMP
        tid = omp_get_thread_num();
        nth = omp_get_num_threads();
#endif
        const swe_work *w = &state->work[tid];
        const int j0 = (int)((long long)ny * tid / nth), j1 = (int)((long long)ny * (tid + 1) / nth);
        int cur = 0;
        if (j0 < j1) {
            for (int r = j0 - 2; r <= j0 + 1; r++)
                swe_load_row(s.U, p, r, w);
            swe_reconstruct_row_y(w, p, j0 - 1, w->ylo[1], w->yhi[1]);
            swe_reconstruct_row_y(w, p, j0, w->ylo[0], w->yhi[0]);
            swe_face_fluxes(p, nx, w->yhi[1], w->ylo[0], w->fy[0]);
        }
        for (int j = j0; j < j1; j++, cur ^= 1) {
            const int nxt = cur ^ 1;
            swe_load_row(s.U, p, j + 2, w); /* over row j - 2, no longer needed */
            swe_reconstruct_row_y(w, p, j + 1, w->ylo[nxt], w->yhi[nxt]);
            swe_face_fluxes(p, nx, w->yhi[cur], w->ylo[nxt], w->fy[nxt]);
            swe_row_x(p, j, w);
            const int bad = swe_update_row(drag, a != 0, want_rate, &s, p, w, j, w->ylo[cur],
                                           w->yhi[cur], w->fy[cur], w->fy[nxt], &rate, &change);
            for (int i = 0; bad && i < nx; i++) { /* the row's first bad cell */
                const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
                if (!swe_cell_ok(swe_conserved_at((const fc_real *const *)V, k))) {
                    const long long c = (long long)j * nx + i;
                    first_bad = c < first_bad ? c : first_bad;
                    break;
                }
            }
        }
    }
    rep->max_rate = rate;
    rep->change = change / dt; /* as the GPU's: the largest change over dt, then per second */
    rep->bad = FC_STATE_OK;
    if (first_bad != LLONG_MAX) {
        int i = (int)(first_bad % nx), j = (int)(first_bad / nx);
        ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
        const fc_real v[3] = {V[SWE_H][k], V[SWE_HU][k], V[SWE_HV][k]};
        swe_report_bad(v, first_bad, rep);
    }
}

static int swe_step_cpu(void *opaque, double t, double dt, fc_step_report *rep, fc_err *err)
{
    (void)t; /* nothing of this solver varies in time but the state */
    swe_cpu_state *state = opaque;
    const int rk = state->p.rk, n = swe_nstages(rk);
    int in = 0, out = 1;
    for (int s = 0; s < n; s++) {
        out = s % 2 == 0 ? 1 : 2;
        double w = fc_now();
        int st = swe_fill_halos_cpu(state, in, SWE_B, err);
        if (st)
            return st;
        const double now = fc_now();
        state->secs_halos += now - w;
        swe_stage_cpu(state, in, out, swe_stage_a(rk, s), (fc_real)dt, s == n - 1, rep);
        state->secs_sweeps += fc_now() - now;
        fc_report_agree(&state->p.grid, rep); /* every rank stops at the same stage */
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
#pragma omp parallel for schedule(static) reduction(max : r) \
    if ((long long)g->nx * g->ny >= FC_PARALLEL_MIN)
    for (int j = 0; j < g->ny; j++) {
        /* The row's addresses, affine in i: fc_idx's int-to-ptrdiff_t index kept a float build
         * from vectorising (GCC 12: "unsupported vector types for emulated gather"). */
        const ptrdiff_t k0 = fc_idx(g->pitch, g->ng, 0, j);
        const fc_real *h = U[SWE_H] + k0, *hu = U[SWE_HU] + k0, *hv = U[SWE_HV] + k0;
#pragma omp simd reduction(max : r)
        for (int i = 0; i < g->nx; i++) {
            double c = swe_cell_rate(h[i], hu[i], hv[i], p);
            r = c > r ? c : r;
        }
    }
    *rate = fc_grid_max(g, r);
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
    for (int t = 0; state->work && t < state->nthreads; t++)
        free(state->work[t].block);
    free(state->work);
    free(state);
}

/* One thread's row buffers: SWE_WORK_ARRAYS arrays of nx + 4 (padded to a cache line). */
static int alloc_work(swe_work *w, int nx)
{
    const size_t len = ((size_t)nx + 4 + SWE_ROW_PAD - 1) / SWE_ROW_PAD * SWE_ROW_PAD;
    w->block = aligned_alloc(SWE_ROW_PAD * sizeof(fc_real),
                             SWE_WORK_ARRAYS * len * sizeof(fc_real));
    if (!w->block)
        return 0;
    fc_real *next = w->block;
#define SWE_TAKE(ptr) ((ptr) = next, next += len)
    for (int r = 0; r < 4; r++) {
        SWE_TAKE(w->rows[r].h);
        SWE_TAKE(w->rows[r].eta);
        SWE_TAKE(w->rows[r].un);
        SWE_TAKE(w->rows[r].ut);
    }
    swe_faces *faces[6] = {&w->xlo, &w->xhi, &w->ylo[0], &w->yhi[0], &w->ylo[1], &w->yhi[1]};
    for (int f = 0; f < 6; f++) {
        SWE_TAKE(faces[f]->h);
        SWE_TAKE(faces[f]->b);
        SWE_TAKE(faces[f]->un);
        SWE_TAKE(faces[f]->ut);
    }
    swe_fluxes *fluxes[3] = {&w->fx, &w->fy[0], &w->fy[1]};
    for (int f = 0; f < 3; f++) {
        for (int c = 0; c < 3; c++)
            SWE_TAKE(fluxes[f]->F[c]);
        SWE_TAKE(fluxes[f]->hl_star);
        SWE_TAKE(fluxes[f]->hr_star);
    }
#undef SWE_TAKE
    return next == w->block + SWE_WORK_ARRAYS * len;
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
    swe_cpu_state *state = opaque;
    const fc_grid *g = &state->p.grid;
    for (int f = 0; f < SWE_NFIELDS; f++)
        memcpy(state->U[0][f], host->f[f], g->nalloc * sizeof(fc_real));
    return swe_fill_halos_cpu(state, 0, SWE_NFIELDS, err);
}

static int swe_download_cpu(void *opaque, fc_state *host, fc_err *err)
{
    (void)err;
    swe_cpu_state *state = opaque;
    for (int f = 0; f < SWE_NFIELDS; f++)
        memcpy(host->f[f], state->U[0][f], state->p.grid.nalloc * sizeof(fc_real));
    return FC_OK;
}

/* The profile from the step's own clocks (fc_profile_clocked): the halos, and the stages'
 * sweeps (reconstruction, Riemann fluxes and update fused row by row). */
static int swe_profile_cpu(void *opaque, double t, double dt, int reps,
                           fc_profile *out, fc_err *err)
{
    swe_cpu_state *state = opaque;
    const double *clocks[] = {&state->secs_sweeps, &state->secs_halos};
    const char *names[] = {"sweeps (reconstruction, fluxes, update)", "halos"};
    return fc_profile_clocked(swe_step_cpu, state, t, dt, reps, "step (all RK stages)", clocks,
                              names, 2, out, err);
}

const fc_solver_ops swe_ops_cpu = {
    "cpu",        swe_create_cpu,   swe_upload_cpu,  swe_max_rate_cpu,
    swe_step_cpu, swe_download_cpu, swe_destroy_cpu, swe_profile_cpu,
    FC_BLOCKS_TILES, /* halos and reports through link.h */
};
