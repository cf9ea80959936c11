/*
 * ns2d_mg_cpu.c: the CPU's pressure solve (ns2d_mg.h): conjugate gradients (ns2d_pcg) over
 * vectors in the layout of the multigrid's finest level, the operator applied as a stencil and
 * preconditioned by the matrix-free V-cycle, with OpenMP threads.
 */
#include <fc_build.h>

#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "solvers/ns2d/ns2d_mg.h"
#include "src/core/machine_load.h"

/* ---- vector algebra of the pressure solve ---- */

/*
 * Sum of a[i] * b[i] in double, in blocks of NS2D_SUM_BLOCK whose partial sums are added in
 * block order: the result does not depend on the number of threads, so neither do the solves,
 * and a restart on another thread count repeats the run bit for bit. Inside a block the sum is
 * split over the vector lanes (omp simd), a split fixed by the compiled code.
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
#pragma omp parallel for schedule(static) if (n >= FC_PARALLEL_MIN)
        for (int q = 0; q < nc; q++) {
            const int blk = c0 + q, lo = blk * NS2D_SUM_BLOCK;
            const int hi = lo + NS2D_SUM_BLOCK < n ? lo + NS2D_SUM_BLOCK : n;
            double bs = 0;
#pragma omp simd reduction(+ : bs)
            for (int i = lo; i < hi; i++)
                bs += (double)a[i] * b[i];
            part[q] = bs;
        }
        for (int q = 0; q < nc; q++)
            s += part[q];
    }
    return s;
}

/* Removes the mean over the fluid cells (the null space of a singular pressure equation). */
static void ns2d_remove_mean_cpu(const ns2d_mg *mg, fc_real *a)
{
    const int n = (int)ns2d_mg_slots(mg);
    const fc_real m = (fc_real)(ns2d_sum_cpu(n, a, mg->fluid) / mg->n);
    const fc_real *fluid = mg->fluid;
#pragma omp parallel for schedule(static) if (n >= FC_PARALLEL_MIN)
    for (int i = 0; i < n; i++)
        a[i] -= m * fluid[i];
}

/* ---- the matrix-free multigrid V-cycle (ns2d_mg.h) ---- */

/*
 * The threads of one parallel region sharing a V-cycle: each works on a fixed band of rows and
 * meets the others at barriers, so the region is opened once per V-cycle, not once per loop.
 * Levels below NS2D_MG_SERIAL_CELLS run on one thread (the others wait at one barrier), where a
 * barrier per half sweep would cost more than the work. No result depends on the team's size.
 */
#define NS2D_MG_SERIAL_CELLS FC_PARALLEL_MIN
typedef struct mg_team {
    int id, size;
} mg_team;

static void mg_rows(const mg_team *t, int n, int *lo, int *hi)
{
    *lo = (int)((long long)n * t->id / t->size);
    *hi = (int)((long long)n * (t->id + 1) / t->size);
}

static void mg_barrier(const mg_team *t)
{
    if (t->size > 1) {
#pragma omp barrier
    }
}

/* The halo copies of a vector x on a periodic level (the level's own x, or conjugate gradients'
 * search direction on level 0), once every thread has finished changing cells (after a
 * barrier); ends with a barrier of its own. */
static void mg_fill_halo_of(const mg_team *t, const ns2d_mg_level *l, fc_real *x)
{
    if (!l->wrap_x && !l->wrap_y)
        return;
    int lo, hi;
    if (l->wrap_x) {
        mg_rows(t, l->ny, &lo, &hi);
        for (int j = lo; j < hi; j++) {
            x[NS2D_MG_SLOT(l, -1, j)] = x[NS2D_MG_SLOT(l, l->nx - 1, j)];
            x[NS2D_MG_SLOT(l, l->nx, j)] = x[NS2D_MG_SLOT(l, 0, j)];
        }
    }
    if (l->wrap_y) {
        mg_rows(t, l->nx, &lo, &hi);
        for (int i = lo; i < hi; i++) {
            x[NS2D_MG_SLOT(l, i, -1)] = x[NS2D_MG_SLOT(l, i, l->ny - 1)];
            x[NS2D_MG_SLOT(l, i, l->ny)] = x[NS2D_MG_SLOT(l, i, 0)];
        }
    }
    mg_barrier(t);
}

static void mg_fill_halo(const mg_team *t, ns2d_mg_level *l) { mg_fill_halo_of(t, l, l->x); }

/* The first and last columns of a row go through the arrays; on a uniform row (see
 * ns2d_mg_level) the columns between read the open grid's constants. */
static inline int mg_inner_lo(const ns2d_mg_level *l, int j)
{
    return l->uniform[j] ? 1 : l->nx;
}

/*
 * One row of a half Gauss-Seidel sweep: the cells of one colour ((i + j) % 2 == colour). With
 * first, x is taken as zero before it (the V-cycle's first guess): the colour gets dinv b, the
 * other 0. On a periodic level the row's halo copies follow.
 */
FC_VECTOR_CLONES static void mg_colour_row(ns2d_mg_level *l, int j, int colour, int first)
{
    const ptrdiff_t row = NS2D_MG_SLOT(l, 0, j), P = l->pitch;
    const int nx = l->nx, lo = mg_inner_lo(l, j), hi = lo < nx ? nx - 1 : nx;
    fc_real *x = l->x;
    const fc_real *b = l->b, *dinv = l->dinv;
    const fc_real cx = l->cx, cy = l->cy, du = l->dinv_u;
    if (first) {
        for (int i = 0; i < nx; i++)
            x[row + i] = ((i + j) & 1) != colour ? 0
                         : i >= lo && i < hi       ? du * b[row + i]
                                                   : dinv[row + i] * b[row + i];
    } else {
        int i = (colour + j) & 1;
        for (; i < lo && i < nx; i += 2)
            x[row + i] = ns2d_mg_relaxed(l, row + i);
        /* Cells of one colour read only the other: no dependence between them. */
        const int i0 = i, n_inner = i0 < hi ? (hi - i0 + 1) / 2 : 0;
#pragma omp simd
        for (int m = 0; m < n_inner; m++) {
            const ptrdiff_t s = row + i0 + 2 * m;
            x[s] = du * (b[s] + ns2d_mg_nb(x, s, P, cx, cx, cy, cy));
        }
        i = i0 + 2 * n_inner;
        for (; i < nx; i += 2)
            x[row + i] = ns2d_mg_relaxed(l, row + i);
    }
    if (l->wrap_x) {
        x[row - 1] = x[row + nx - 1];
        x[row + nx] = x[row];
    }
}

/* The halo rows of a level that wraps in y, by one thread, then a barrier. */
static void mg_wrap_rows(const mg_team *t, ns2d_mg_level *l)
{
    if (!l->wrap_y)
        return;
    if (t->id == 0) {
        const ptrdiff_t P = l->pitch;
        fc_real *x = l->x;
        memcpy(x + NS2D_MG_SLOT(l, -1, -1), x + NS2D_MG_SLOT(l, -1, l->ny - 1), P * sizeof *x);
        memcpy(x + NS2D_MG_SLOT(l, -1, l->ny), x + NS2D_MG_SLOT(l, -1, 0), P * sizeof *x);
    }
    mg_barrier(t);
}

/*
 * A Gauss-Seidel sweep, colour c then 1 - c, in one pass over memory: row j of colour c, then
 * row j - 1 of the other, whose neighbours of colour c are then all new. Each thread's first
 * and last rows of the second colour wait for the neighbouring bands (after a barrier). Every
 * cell gets exactly the value of two whole half sweeps (a cell of one colour reads only the
 * other colour, and halo copies are taken before the second colour starts on a row), so the
 * result does not depend on the number of threads.
 */
static void mg_sweep(const mg_team *t, ns2d_mg_level *l, int c, int first)
{
    int lo, hi;
    mg_rows(t, l->ny, &lo, &hi);
    for (int j = lo; j < hi; j++) {
        mg_colour_row(l, j, c, first);
        if (j - 1 > lo)
            mg_colour_row(l, j - 1, 1 - c, 0);
    }
    mg_barrier(t);
    mg_wrap_rows(t, l);
    if (hi > lo)
        mg_colour_row(l, lo, 1 - c, 0);
    if (hi - 1 > lo)
        mg_colour_row(l, hi - 1, 1 - c, 0);
    mg_barrier(t);
    mg_wrap_rows(t, l);
}

/* r = pscale (b - A x): the residual weighted for the restriction (0 where no cell). */
FC_VECTOR_CLONES static void mg_residual(const mg_team *t, ns2d_mg_level *l)
{
    int lo, hi;
    mg_rows(t, l->ny, &lo, &hi);
    fc_real *r = l->r;
    const fc_real *b = l->b, *x = l->x;
    const fc_real cx = l->cx, cy = l->cy, du = l->diag_u, pu = l->pscale_u;
    const ptrdiff_t P = l->pitch;
    for (int j = lo; j < hi; j++) {
        const ptrdiff_t row = NS2D_MG_SLOT(l, 0, j);
        const int nx = l->nx, ilo = mg_inner_lo(l, j), ihi = ilo < nx ? nx - 1 : nx;
        int i = 0;
        for (; i < ilo && i < nx; i++)
            r[row + i] = ns2d_mg_residual_at(l, row + i);
#pragma omp simd
        for (int k = i; k < ihi; k++)
            r[row + k] = pu * (b[row + k] + ns2d_mg_nb(x, row + k, P, cx, cx, cy, cy) - du * x[row + k]);
        for (i = ihi > i ? ihi : i; i < nx; i++)
            r[row + i] = ns2d_mg_residual_at(l, row + i);
    }
}

/* b_coarse = P^T r: ns2d_mg_restrict_at, one fine row at a time along a coarse row. */
static void mg_restrict(const mg_team *t, const ns2d_mg_level *f, ns2d_mg_level *c)
{
    int lo, hi;
    mg_rows(t, c->ny, &lo, &hi);
    for (int J = lo; J < hi; J++) {
        fc_real *out = c->b + NS2D_MG_SLOT(c, 0, J);
        for (int I = 0; I < c->nx; I++)
            out[I] = 0;
        for (int q = 0; q < 4; q++) {
            const fc_real wy = f->ay.w[4 * J + q];
            if (wy == 0)
                continue;
            const fc_real *row = f->r + NS2D_MG_SLOT(f, 0, f->ay.from[4 * J + q]);
            for (int I = 0; I < c->nx; I++)
                out[I] += wy * ns2d_mg_restrict_part(f, row, I);
        }
    }
}

/* x += P x_coarse (ns2d_mg_prolong_sum). */
static void mg_prolong(const mg_team *t, ns2d_mg_level *f, const ns2d_mg_level *c)
{
    int lo, hi;
    mg_rows(t, f->ny, &lo, &hi);
    for (int j = lo; j < hi; j++) {
        const int Jn = f->ay.nb[j];
        const fc_real *own = c->x + NS2D_MG_SLOT(c, 0, f->ay.own[j]);
        const fc_real *nbr = Jn >= 0 ? c->x + NS2D_MG_SLOT(c, 0, Jn) : NULL;
        const ptrdiff_t row = NS2D_MG_SLOT(f, 0, j);
        for (int i = 0; i < f->nx; i++)
            f->x[row + i] += f->pscale[row + i] * ns2d_mg_prolong_sum(own, nbr, f->ax.own[i],
                                                                      f->ax.nb[i]);
    }
}

/* The coarsest level: x = dense inverse times b, on one thread. */
static void mg_coarsest(const mg_team *t, ns2d_mg *mg)
{
    ns2d_mg_level *l = &mg->lv[mg->nlevels - 1];
    const int n = mg->ncoarse;
    if (t->id == 0)
        for (int r = 0; r < n; r++) {
            const fc_real *row = mg->coarse_inv + (size_t)r * n;
            fc_real s = 0;
            for (int c = 0; c < n; c++)
                s += row[c] * l->b[mg->coarse_slot[c]];
            l->x[mg->coarse_slot[r]] = s;
        }
    mg_barrier(t);
    mg_fill_halo(t, l);
}

/* x = V-cycle(b) on level lev, from a zero guess. */
static void mg_vcycle(const mg_team *t, ns2d_mg *mg, int lev)
{
    ns2d_mg_level *l = &mg->lv[lev];
    if (t->size > 1 && (size_t)l->nx * l->ny < NS2D_MG_SERIAL_CELLS) {
        mg_barrier(t);
        if (t->id == 0) {
            const mg_team one = {0, 1};
            mg_vcycle(&one, mg, lev);
        }
        mg_barrier(t);
        return;
    }
    if (lev == mg->nlevels - 1) {
        mg_coarsest(t, mg);
        return;
    }
    /* (red, black) x sweeps; the coarse correction; (black, red) x sweeps: a symmetric V-cycle */
    for (int k = 0; k < NS2D_MG_RB_SWEEPS; k++)
        mg_sweep(t, l, 0, k == 0);
    mg_residual(t, l);
    mg_barrier(t);
    mg_restrict(t, l, &mg->lv[lev + 1]);
    mg_barrier(t);
    mg_vcycle(t, mg, lev + 1);
    mg_prolong(t, l, &mg->lv[lev + 1]);
    mg_barrier(t);
    mg_fill_halo(t, l);
    for (int k = 0; k < NS2D_MG_RB_SWEEPS; k++)
        mg_sweep(t, l, 1, 0);
}

/* z = M^-1 r (level 0's b and x): the V-cycle, or the inverse diagonal. */
static void ns2d_precondition_cpu(ns2d_mg_solver *state)
{
    ns2d_mg *mg = &state->mg;
    if (state->jacobi) {
        const int n = (int)ns2d_mg_slots(mg);
        const fc_real *dinv = mg->lv[0].dinv, *r = state->r;
        fc_real *z = state->z;
#pragma omp parallel for schedule(static) if (n >= FC_PARALLEL_MIN)
        for (int i = 0; i < n; i++)
            z[i] = dinv[i] * r[i];
    } else {
        /* a grid whose finest level runs on one thread needs no team at all */
#pragma omp parallel if ((long long)mg->lv[0].nx * mg->lv[0].ny >= NS2D_MG_SERIAL_CELLS)
        {
            mg_team t = {0, 1};
#ifdef _OPENMP
            t.id = omp_get_thread_num();
            t.size = omp_get_num_threads();
#endif
            mg_vcycle(&t, mg, 0);
        }
    }
}

/* q = A d over the cells (the halo of d first takes the wrapped values). */
static void ns2d_apply_cpu(ns2d_mg_solver *state)
{
    ns2d_mg_level *l = &state->mg.lv[0];
    fc_real *d = state->d, *q = state->q;
    const ptrdiff_t P = l->pitch;
    const mg_team one = {0, 1};
    mg_fill_halo_of(&one, l, d);
    const fc_real cx = l->cx, cy = l->cy, du = l->diag_u;
#pragma omp parallel for schedule(static) if ((long long)l->nx * l->ny >= FC_PARALLEL_MIN)
    for (int j = 0; j < l->ny; j++) {
        const ptrdiff_t row = NS2D_MG_SLOT(l, 0, j);
        const int nx = l->nx, ilo = mg_inner_lo(l, j), ihi = ilo < nx ? nx - 1 : nx;
        int i = 0;
        for (; i < ilo && i < nx; i++)
            q[row + i] = ns2d_mg_apply_at(l, d, row + i);
#pragma omp simd
        for (int k = i; k < ihi; k++)
            q[row + k] = du * d[row + k] - ns2d_mg_nb(d, row + k, P, cx, cx, cy, cy);
        for (i = ihi > i ? ihi : i; i < nx; i++)
            q[row + i] = ns2d_mg_apply_at(l, d, row + i);
    }
}

/* The CPU's vectors for ns2d_pcg. */
static fc_real *pcg_vector_cpu(ns2d_mg_solver *state, int v)
{
    return v == NS2D_PCG_R ? state->r : v == NS2D_PCG_Z ? state->z : v == NS2D_PCG_D ? state->d
                                                                      : state->q;
}

static int pcg_begin_cpu(void *ctx, fc_err *err)
{
    (void)err;
    ns2d_mg_solver *state = ctx;
    const size_t n = ns2d_mg_slots(&state->mg);
    if (state->mg.singular)
        ns2d_remove_mean_cpu(&state->mg, state->rhs);
    memcpy(state->r, state->rhs, n * sizeof *state->r);
    memset(state->phi, 0, n * sizeof *state->phi);
    return FC_OK;
}

/* Over every slot: the halos of r and q hold zeros, so each product counts the cells alone. */
static int pcg_dot_cpu(void *ctx, int a, int b, int out, fc_err *err)
{
    (void)err;
    ns2d_mg_solver *state = ctx;
    state->s[out] = ns2d_sum_cpu((int)ns2d_mg_slots(&state->mg), pcg_vector_cpu(state, a),
                                 pcg_vector_cpu(state, b));
    return FC_OK;
}

static int pcg_read_cpu(void *ctx, int scalar, double *out, fc_err *err)
{
    (void)err;
    *out = ((ns2d_mg_solver *)ctx)->s[scalar];
    return FC_OK;
}

static int pcg_apply_cpu(void *ctx, fc_err *err)
{
    (void)err;
    ns2d_apply_cpu(ctx);
    return FC_OK;
}

static int pcg_precondition_cpu(void *ctx, fc_err *err)
{
    (void)err;
    ns2d_precondition_cpu(ctx);
    return FC_OK;
}

static int pcg_first_direction_cpu(void *ctx, fc_err *err)
{
    (void)err;
    ns2d_mg_solver *state = ctx;
    memcpy(state->d, state->z, ns2d_mg_slots(&state->mg) * sizeof *state->d);
    return FC_OK;
}

static int pcg_update_cpu(void *ctx, int num, int den, fc_err *err)
{
    (void)err;
    ns2d_mg_solver *state = ctx;
    const double alpha = state->s[num] / state->s[den];
    const int n = (int)ns2d_mg_slots(&state->mg);
    fc_real *x = state->phi, *r = state->r;
    const fc_real *d = state->d, *q = state->q;
#pragma omp parallel for schedule(static) if (n >= FC_PARALLEL_MIN)
    for (int i = 0; i < n; i++) {
        x[i] += (fc_real)alpha * d[i];
        r[i] -= (fc_real)alpha * q[i];
    }
    return FC_OK;
}

static int pcg_next_direction_cpu(void *ctx, int num, int den, fc_err *err)
{
    (void)err;
    ns2d_mg_solver *state = ctx;
    const double beta = state->s[num] / state->s[den];
    const int n = (int)ns2d_mg_slots(&state->mg);
    fc_real *d = state->d;
    const fc_real *z = state->z;
#pragma omp parallel for schedule(static) if (n >= FC_PARALLEL_MIN)
    for (int i = 0; i < n; i++)
        d[i] = z[i] + (fc_real)beta * d[i];
    return FC_OK;
}

static const ns2d_pcg_ops pcg_ops_mg = {pcg_begin_cpu,           pcg_dot_cpu,
                                         pcg_read_cpu,            pcg_apply_cpu,
                                         pcg_precondition_cpu,    pcg_first_direction_cpu,
                                         pcg_update_cpu,          pcg_next_direction_cpu};

int ns2d_mg_solver_build(const ns2d_params *p, const signed char *kind,
                         const ns2d_ib *ib, ns2d_mg_solver *sv, fc_err *err)
{
    memset(sv, 0, sizeof *sv);
    sv->jacobi = p->precond == NS2D_PC_JACOBI;
    int status = ns2d_mg_build(p, kind, ib, !sv->jacobi, &sv->mg, err);
    if (status)
        return status;
    const size_t n = ns2d_mg_slots(&sv->mg);
    sv->r = sv->mg.lv[0].b;
    sv->z = sv->mg.lv[0].x;
    /* Zero outside the fluid, for good: the solve writes only cells. */
    if (!(sv->phi = calloc(n, sizeof(fc_real))) || !(sv->rhs = calloc(n, sizeof(fc_real))) ||
        !(sv->d = calloc(n, sizeof(fc_real))) || !(sv->q = calloc(n, sizeof(fc_real)))) {
        ns2d_mg_solver_free(sv);
        return fc_fail(err, FC_ENOMEM, "out of host memory for the pressure solver");
    }
    return FC_OK;
}

void ns2d_mg_solver_free(ns2d_mg_solver *sv)
{
    free(sv->phi);
    free(sv->rhs);
    free(sv->d);
    free(sv->q);
    ns2d_mg_free(&sv->mg);
    memset(sv, 0, sizeof *sv);
}

int ns2d_mg_solve_cpu(ns2d_mg_solver *sv, double c, const ns2d_tol *tol, int max_iter, int *its,
                      double *res, fc_err *err)
{
    int status = ns2d_pcg(&pcg_ops_mg, sv, c, tol, max_iter, its, res, err);
    /* A singular equation fixes phi up to a constant, which the preconditioner leaves free:
     * the solution with zero mean, once at the end (r and the conjugate gradients' scalars do
     * not see constants, as A 1 = 0 and 1^T r = 0). */
    if (!status && sv->mg.singular)
        ns2d_remove_mean_cpu(&sv->mg, sv->phi);
    return status;
}
