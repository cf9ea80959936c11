/*
 * ns2d_cpu.c: the OpenMP reference backend of the incompressible solver (equations and method in
 * ns2d.h, pressure matrices in ns2d_poisson.h). ns2d_cuda.cu holds the same functions with the
 * suffix _cuda, in the same order; both call the physics of ns2d.h.
 *
 * Memory: three sets of (u, v, p), each field (ny + 6) x (nx + 6) with a halo of 3, plus the
 * solid field and the cell kinds (bytes) in the same layout. Set 0 is the state; sets 1 and 2
 * receive the RK stages; a step that succeeds swaps its result into set 0, one that fails leaves
 * set 0 as it was. Fixed faces (walls, inflow) hold their boundary values in every set. The
 * pressure solve works on vectors over the fluid cells only.
 */
#include <fc_build.h>

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "solvers/ns2d/ns2d.h"
#include "solvers/ns2d/ns2d_poisson.h"

#define NS2D_SETS 3

/* Per level of the hierarchy: solution, right-hand side and residual. */
typedef struct ns2d_mg_work {
    fc_real *x, *b, *r;
} ns2d_mg_work;

typedef struct ns2d_cpu_state {
    ns2d_params p;
    /* u, v (m s-1, faces) and p (m2 s-2, centres) of each set: (ny + 6) x (nx + 6), halo 3 */
    fc_real *U[NS2D_SETS][3];
    fc_real *solid;    /* same layout: 1 in obstacle cells, 0 in fluid */
    signed char *kind; /* same layout, halos included: enum ns2d_cell */
    ns2d_poisson ps;
    /* [ps.n], one per fluid cell: phi (m2 s-2), the right-hand side and residual r (s-2), the
     * preconditioned residual z, the search direction d and q = A d */
    fc_real *phi, *rhs, *r, *z, *d, *q;
    ns2d_mg_work mg[NS2D_MG_MAX_LEVELS]; /* [level][its unknowns] */
} ns2d_cpu_state;

/* ---- sparse algebra over the fluid cells ---- */

/* Row r of A x. */
static inline fc_real ns2d_row_cpu(const ns2d_csr *A, int r, const fc_real *x)
{
    fc_real s = 0;
    for (int k = A->rowptr[r]; k < A->rowptr[r + 1]; k++)
        s += A->val[k] * x[A->col[k]];
    return s;
}

/*
 * y = alpha A x + beta y, as cuSPARSE's SpMV, for the three uses the solver has (each one pass
 * over y, where the generic form would cost the CPU a branch or a second pass): y = A x
 * (alpha 1, beta 0), r = b - A x (the residual, with b given) and y += A x (alpha 1, beta 1).
 */
static void ns2d_spmv_cpu(const ns2d_csr *A, const fc_real *x, fc_real *y)
{
#pragma omp parallel for schedule(static)
    for (int r = 0; r < A->n; r++)
        y[r] = ns2d_row_cpu(A, r, x);
}

static void ns2d_residual_cpu(const ns2d_csr *A, const fc_real *b, const fc_real *x, fc_real *r)
{
#pragma omp parallel for schedule(static)
    for (int i = 0; i < A->n; i++)
        r[i] = b[i] - ns2d_row_cpu(A, i, x);
}

static void ns2d_spmv_add_cpu(const ns2d_csr *A, const fc_real *x, fc_real *y)
{
#pragma omp parallel for schedule(static)
    for (int r = 0; r < A->n; r++)
        y[r] += ns2d_row_cpu(A, r, x);
}

/*
 * Sum of a[i] * b[i] (b NULL: of a[i]) in double, in blocks of NS2D_SUM_BLOCK whose partial sums
 * are added in block order: the result does not depend on the number of threads, so neither do
 * the solves, and a restart on another thread count repeats the run bit for bit.
 */
#define NS2D_SUM_BLOCK 4096
#define NS2D_SUM_CHUNK 1024 /* blocks summed per parallel region: 4 M unknowns */
static double ns2d_sum_cpu(int n, const fc_real *a, const fc_real *b)
{
    const int nb = (n + NS2D_SUM_BLOCK - 1) / NS2D_SUM_BLOCK;
    /* Block sums added in block order, whatever the thread count; chunks of blocks keep the
     * partial sums on the stack (no allocation that could fail mid-solve). */
    double part[NS2D_SUM_CHUNK], s = 0;
    for (int c0 = 0; c0 < nb; c0 += NS2D_SUM_CHUNK) {
        const int nc = nb - c0 < NS2D_SUM_CHUNK ? nb - c0 : NS2D_SUM_CHUNK;
#pragma omp parallel for schedule(static)
        for (int q = 0; q < nc; q++) {
            const int blk = c0 + q, lo = blk * NS2D_SUM_BLOCK;
            const int hi = lo + NS2D_SUM_BLOCK < n ? lo + NS2D_SUM_BLOCK : n;
            double bs = 0;
            for (int i = lo; i < hi; i++)
                bs += b ? (double)a[i] * b[i] : (double)a[i];
            part[q] = bs;
        }
        for (int q = 0; q < nc; q++)
            s += part[q];
    }
    return s;
}

/* Removes the mean (the null space of a singular pressure equation). */
static void ns2d_remove_mean_cpu(int n, fc_real *a)
{
    const fc_real m = (fc_real)(ns2d_sum_cpu(n, a, NULL) / n);
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++)
        a[i] -= m;
}

/* x += dinv (b - A x): one damped Jacobi sweep; r receives b - A x. */
static void ns2d_jacobi_cpu(const ns2d_level *l, const fc_real *b, fc_real *x, fc_real *r)
{
    ns2d_residual_cpu(&l->A, b, x, r);
#pragma omp parallel for schedule(static)
    for (int i = 0; i < l->A.n; i++)
        x[i] += l->dinv[i] * r[i];
}

/* x = V-cycle(b) on level l (x is overwritten; a zero first guess). */
static void ns2d_vcycle_cpu(ns2d_cpu_state *state, int l)
{
    const ns2d_poisson *ps = &state->ps;
    const ns2d_level *lv = &ps->lv[l];
    ns2d_mg_work *w = &state->mg[l];
    if (l == ps->nlevels - 1) {
        ns2d_spmv_cpu(&ps->coarse_inv, w->b, w->x);
        return;
    }
#pragma omp parallel for schedule(static)
    for (int i = 0; i < lv->A.n; i++)
        w->x[i] = lv->dinv[i] * w->b[i];
    for (int s = 1; s < NS2D_MG_SWEEPS; s++)
        ns2d_jacobi_cpu(lv, w->b, w->x, w->r);
    ns2d_residual_cpu(&lv->A, w->b, w->x, w->r);
    ns2d_spmv_cpu(&lv->R, w->r, state->mg[l + 1].b);
    ns2d_vcycle_cpu(state, l + 1);
    ns2d_spmv_add_cpu(&lv->P, state->mg[l + 1].x, w->x); /* x += P x_coarse */
    for (int s = 0; s < NS2D_MG_SWEEPS; s++)
        ns2d_jacobi_cpu(lv, w->b, w->x, w->r);
}

/* z = M^-1 r: the V-cycle, or the inverse diagonal. */
static void ns2d_precondition_cpu(ns2d_cpu_state *state, const fc_real *r, fc_real *z)
{
    const ns2d_poisson *ps = &state->ps;
    if (ps->precond == NS2D_PC_JACOBI) {
#pragma omp parallel for schedule(static)
        for (int i = 0; i < ps->n; i++)
            z[i] = ps->lv[0].dinv[i] * r[i];
    } else {
        memcpy(state->mg[0].b, r, (size_t)ps->n * sizeof *r);
        ns2d_vcycle_cpu(state, 0);
        memcpy(z, state->mg[0].x, (size_t)ps->n * sizeof *z);
    }
    if (ps->singular)
        ns2d_remove_mean_cpu(ps->n, z);
}

/*
 * Solves A phi = rhs by preconditioned conjugate gradients from phi = 0, until the divergence the
 * residual leaves, c |r|_2 (an upper bound of the largest), is below the tolerance. Returns the
 * iterations in *its and that divergence in *res; FC_ENUMERIC if it does not converge.
 */
/* The CPU's vectors for ns2d_pcg. */
static fc_real *pcg_vector_cpu(ns2d_cpu_state *state, int v)
{
    return v == NS2D_PCG_R ? state->r : v == NS2D_PCG_Z ? state->z : v == NS2D_PCG_D ? state->d
                                                                      : state->q;
}

static int pcg_begin_cpu(void *ctx, fc_err *err)
{
    (void)err;
    ns2d_cpu_state *state = ctx;
    const int n = state->ps.n;
    if (state->ps.singular)
        ns2d_remove_mean_cpu(n, state->rhs);
    memcpy(state->r, state->rhs, (size_t)n * sizeof *state->r);
    memset(state->phi, 0, (size_t)n * sizeof *state->phi);
    return FC_OK;
}

static int pcg_dot_cpu(void *ctx, int a, int b, double *out, fc_err *err)
{
    (void)err;
    ns2d_cpu_state *state = ctx;
    *out = ns2d_sum_cpu(state->ps.n, pcg_vector_cpu(state, a), pcg_vector_cpu(state, b));
    return FC_OK;
}

static int pcg_apply_cpu(void *ctx, fc_err *err)
{
    (void)err;
    ns2d_cpu_state *state = ctx;
    ns2d_spmv_cpu(&state->ps.lv[0].A, state->d, state->q);
    return FC_OK;
}

static int pcg_precondition_cpu(void *ctx, fc_err *err)
{
    (void)err;
    ns2d_cpu_state *state = ctx;
    ns2d_precondition_cpu(state, state->r, state->z);
    return FC_OK;
}

static int pcg_first_direction_cpu(void *ctx, fc_err *err)
{
    (void)err;
    ns2d_cpu_state *state = ctx;
    memcpy(state->d, state->z, (size_t)state->ps.n * sizeof *state->d);
    return FC_OK;
}

static int pcg_update_cpu(void *ctx, double alpha, fc_err *err)
{
    (void)err;
    ns2d_cpu_state *state = ctx;
    const int n = state->ps.n;
    fc_real *x = state->phi, *r = state->r;
    const fc_real *d = state->d, *q = state->q;
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) {
        x[i] += (fc_real)alpha * d[i];
        r[i] -= (fc_real)alpha * q[i];
    }
    return FC_OK;
}

static int pcg_next_direction_cpu(void *ctx, double beta, fc_err *err)
{
    (void)err;
    ns2d_cpu_state *state = ctx;
    const int n = state->ps.n;
    fc_real *d = state->d;
    const fc_real *z = state->z;
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++)
        d[i] = z[i] + (fc_real)beta * d[i];
    return FC_OK;
}

static const ns2d_pcg_ops pcg_ops_cpu = {pcg_begin_cpu,          pcg_dot_cpu,
                                         pcg_apply_cpu,          pcg_precondition_cpu,
                                         pcg_first_direction_cpu, pcg_update_cpu,
                                         pcg_next_direction_cpu};

/* ---- the step ---- */

/* Fills the ghost and periodic slots of u and v of a set, and the periodic halo of p. */
static void ns2d_fill_ghosts_cpu(ns2d_cpu_state *state, int set)
{
    const ns2d_params *p = &state->p;
    const fc_grid *g = &p->grid;
    fc_real *const *U = state->U[set];
#pragma omp parallel for schedule(static)
    for (int j = 1 - g->ng; j < g->ny + g->ng; j++)
        for (int i = 1 - g->ng; i < g->nx + g->ng; i++) {
            ns2d_fill_slot(U[NS2D_U], state->kind, p, 0, i, j);
            ns2d_fill_slot(U[NS2D_V], state->kind, p, 1, i, j);
            int si = i, sj = j;
            ns2d_wrap(g, &si, &sj);
            if (si != i || sj != j)
                U[NS2D_P][fc_idx(g->pitch, g->ng, i, j)] =
                    U[NS2D_P][fc_idx(g->pitch, g->ng, si, sj)];
        }
}

/*
 * One stage from set `in` (U0 = set 0) into set `out`: the explicit update of every updated face,
 * U_out = a U0 + (1 - a)(U_in + dt (F - G p)), then the projection with c = (1 - a) dt.
 */
static int ns2d_stage_cpu(ns2d_cpu_state *state, int in, int out, fc_real a, fc_real dt, int *its,
                          double *res, fc_err *err)
{
    const ns2d_params *p = &state->p;
    const fc_grid *g = &p->grid;
    const fc_real *const *U = (const fc_real *const *)state->U[in];
    const fc_real *const *U0 = (const fc_real *const *)state->U[0];
    fc_real *const *V = state->U[out];
    const signed char *kind = state->kind;
    const ptrdiff_t P = g->pitch;
    ns2d_fill_ghosts_cpu(state, in);
    for (int comp = 0; comp < 2; comp++) {
#pragma omp parallel for schedule(static)
        for (int j = 0; j <= g->ny; j++)
            for (int i = 0; i <= g->nx; i++) {
                ptrdiff_t k = fc_idx(P, g->ng, i, j);
                if (!ns2d_updated_at(kind, g, comp, i, j, k))
                    continue;
                const fc_real t = ns2d_tendency(U, U[NS2D_P], kind, p, comp, k);
                V[comp][k] = a * U0[comp][k] + (1 - a) * (U[comp][k] + dt * t);
            }
    }
    const fc_real c = (1 - a) * dt, dx = (fc_real)g->dx, dy = (fc_real)g->dy;
#pragma omp parallel for schedule(static)
    for (int r = 0; r < state->ps.n; r++)
        state->rhs[r] = -ns2d_divergence(V[NS2D_U], V[NS2D_V], state->ps.slot_of[r], P, dx, dy) / c;
    int status = ns2d_pcg(&pcg_ops_cpu, state, c, state->p.poisson_tol,
                          state->p.poisson_max_iter, its, res, err);
    if (status)
        return status;
    for (int comp = 0; comp < 2; comp++) {
        const ptrdiff_t s = comp == 0 ? 1 : P;
        const fc_real c_over_h = c / (comp == 0 ? dx : dy);
#pragma omp parallel for schedule(static)
        for (int j = 0; j <= g->ny; j++)
            for (int i = 0; i <= g->nx; i++) {
                ptrdiff_t k = fc_idx(P, g->ng, i, j);
                if (ns2d_updated_at(kind, g, comp, i, j, k))
                    V[comp][k] +=
                        ns2d_correction(state->phi, state->ps.cell_of, kind, k - s, k, c_over_h);
            }
    }
#pragma omp parallel for schedule(static)
    for (int r = 0; r < state->ps.n; r++) {
        ptrdiff_t k = state->ps.slot_of[r];
        V[NS2D_P][k] = U[NS2D_P][k] + state->phi[r];
    }
    return FC_OK;
}

/* Largest signal rate of a set, largest change from set 0 per unit time, first NaN. */
static void ns2d_inspect_cpu(ns2d_cpu_state *state, int set, double dt, fc_step_report *rep)
{
    const ns2d_params *p = &state->p;
    const fc_grid *g = &p->grid;
    fc_real *const *U = state->U[set];
    fc_real *const *U0 = state->U[0];
    double rate = 0, change = 0;
    long long first_bad = LLONG_MAX;
#pragma omp parallel for schedule(static) reduction(max : rate, change) reduction(min : first_bad)
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
            const fc_real uc = (U[NS2D_U][k] + U[NS2D_U][k + 1]) / 2;
            const fc_real vc = (U[NS2D_V][k] + U[NS2D_V][k + g->pitch]) / 2;
            if (!(uc == uc && vc == vc && U[NS2D_P][k] == U[NS2D_P][k])) {
                long long c = (long long)j * g->nx + i;
                first_bad = c < first_bad ? c : first_bad;
                continue;
            }
            if (state->kind[k] != NS2D_FLUID)
                continue;
            double r = ns2d_rate(uc, vc, p);
            rate = r > rate ? r : rate;
            double du = fabs((double)U[NS2D_U][k] - U0[NS2D_U][k]),
                   dv = fabs((double)U[NS2D_V][k] - U0[NS2D_V][k]);
            change = du > change ? du : change;
            change = dv > change ? dv : change;
        }
    rep->max_rate = rate;
    rep->change = dt > 0 ? change / dt : 0;
    rep->bad = FC_STATE_OK;
    if (first_bad != LLONG_MAX) {
        rep->bad = FC_STATE_NAN;
        rep->bad_cell = first_bad;
        rep->bad_value = NAN;
    }
}

static int ns2d_step_cpu(void *opaque, double dt, fc_step_report *rep, fc_err *err)
{
    ns2d_cpu_state *state = opaque;
    int in = 0, out = 1, its_total = 0;
    double res_max = 0;
    for (int s = 0; s < NS2D_STAGES; s++) {
        out = s % 2 == 0 ? 1 : 2;
        int its;
        double res;
        int status = ns2d_stage_cpu(state, in, out, ns2d_stage_a(s), (fc_real)dt, &its, &res, err);
        if (status)
            return status;
        its_total += its;
        res_max = res > res_max ? res : res_max;
        in = out;
    }
    ns2d_fill_ghosts_cpu(state, out);
    ns2d_inspect_cpu(state, out, dt, rep);
    rep->stats[0] = its_total;
    rep->stats[1] = res_max;
    if (rep->bad)
        return FC_OK; /* set 0 still holds the state before the step */
    fc_keep_stage(state->U[0], state->U[out], 3);
    return FC_OK;
}

static int ns2d_max_rate_cpu(void *opaque, double *rate, fc_err *err)
{
    (void)err;
    ns2d_cpu_state *state = opaque;
    fc_step_report rep = {0};
    ns2d_inspect_cpu(state, 0, 0, &rep);
    *rate = rep.max_rate;
    return FC_OK;
}

/* ---- life cycle ---- */

static void ns2d_destroy_cpu(void *opaque)
{
    ns2d_cpu_state *state = opaque;
    if (!state)
        return;
    for (int s = 0; s < NS2D_SETS; s++)
        for (int f = 0; f < 3; f++)
            free(state->U[s][f]);
    free(state->solid);
    free(state->kind);
    for (int l = 0; l < NS2D_MG_MAX_LEVELS; l++) {
        free(state->mg[l].x);
        free(state->mg[l].b);
        free(state->mg[l].r);
    }
    free(state->phi);
    free(state->rhs);
    free(state->r);
    free(state->z);
    free(state->d);
    free(state->q);
    ns2d_poisson_free(&state->ps);
    free(state);
}

static int ns2d_create_cpu(const fc_grid *g, const void *params, void **out, fc_err *err)
{
    ns2d_cpu_state *state = calloc(1, sizeof *state);
    if (!state)
        return fc_fail(err, FC_ENOMEM, "out of host memory for the %d x %d state", g->nx, g->ny);
    state->p = *(const ns2d_params *)params;
    state->p.grid = *g;
    int ok = 1;
    for (int s = 0; s < NS2D_SETS; s++)
        for (int f = 0; f < 3; f++)
            ok &= (state->U[s][f] = fc_grid_alloc(g)) != NULL;
    ok &= (state->solid = fc_grid_alloc(g)) != NULL;
    ok &= (state->kind = calloc(g->nalloc, 1)) != NULL;
    if (!ok) {
        ns2d_destroy_cpu(state);
        return fc_fail(err, FC_ENOMEM, "out of host memory for the %d x %d state", g->nx, g->ny);
    }
    *out = state;
    return FC_OK;
}

/* The matrices depend on the solid cells, so they are built when the state arrives. */
static int ns2d_build_solver_cpu(ns2d_cpu_state *state, fc_err *err)
{
    ns2d_poisson_free(&state->ps);
    int status = ns2d_poisson_build(&state->p, state->kind, &state->ps, err);
    if (status)
        return status;
    const size_t n = (size_t)state->ps.n;
    int ok = (state->phi = realloc(state->phi, n * sizeof(fc_real))) &&
             (state->rhs = realloc(state->rhs, n * sizeof(fc_real))) &&
             (state->r = realloc(state->r, n * sizeof(fc_real))) &&
             (state->z = realloc(state->z, n * sizeof(fc_real))) &&
             (state->d = realloc(state->d, n * sizeof(fc_real))) &&
             (state->q = realloc(state->q, n * sizeof(fc_real)));
    for (int l = 0; ok && l < state->ps.nlevels; l++) {
        size_t m = (size_t)state->ps.lv[l].A.n;
        ns2d_mg_work *w = &state->mg[l];
        ok = (w->x = realloc(w->x, m * sizeof(fc_real))) &&
             (w->b = realloc(w->b, m * sizeof(fc_real))) &&
             (w->r = realloc(w->r, m * sizeof(fc_real)));
    }
    if (!ok)
        return fc_fail(err, FC_ENOMEM, "out of host memory for the pressure solver");
    return FC_OK;
}

static int ns2d_upload_cpu(void *opaque, const fc_state *host, fc_err *err)
{
    ns2d_cpu_state *state = opaque;
    const fc_grid *g = &state->p.grid;
    const size_t bytes = g->nalloc * sizeof(fc_real);
    memcpy(state->solid, host->f[NS2D_SOLID], bytes);
    ns2d_cell_kinds(g, state->solid, state->kind);
    for (int f = 0; f < 3; f++)
        memcpy(state->U[0][f], host->f[f], bytes);
    ns2d_boundary_values(&state->p, state->kind, state->U[0][NS2D_U], state->U[0][NS2D_V]);
    for (int s = 1; s < NS2D_SETS; s++)
        for (int f = 0; f < 3; f++)
            memcpy(state->U[s][f], state->U[0][f], bytes);
    int status = ns2d_build_solver_cpu(state, err);
    if (status)
        return status;
    ns2d_fill_ghosts_cpu(state, 0);
    return FC_OK;
}

static int ns2d_download_cpu(void *opaque, fc_state *host, fc_err *err)
{
    (void)err;
    ns2d_cpu_state *state = opaque;
    const size_t bytes = state->p.grid.nalloc * sizeof(fc_real);
    for (int f = 0; f < 3; f++)
        memcpy(host->f[f], state->U[0][f], bytes);
    memcpy(host->f[NS2D_SOLID], state->solid, bytes);
    return FC_OK;
}

const fc_solver_ops ns2d_ops_cpu = {
    "cpu",         ns2d_create_cpu,   ns2d_upload_cpu,  ns2d_max_rate_cpu,
    ns2d_step_cpu, ns2d_download_cpu, ns2d_destroy_cpu, NULL,
};
