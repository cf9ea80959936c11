/*
 * ns2d_cpu.c: the OpenMP reference backend of the incompressible solver (equations and method in
 * ns2d.h). ns2d_cuda.cu holds the same functions with the suffix _cuda, in the same order; both
 * call the physics of ns2d.h and the conjugate gradients of ns2d_poisson.h. The pressure
 * equation here is matrix-free: the operator and the multigrid preconditioner of ns2d_mg.h
 * (the GPU applies ns2d_poisson.h's sparse matrices to the same equation).
 *
 * Memory: three sets of (u, v, p), each field (ny + 6) x (nx + 6) with a halo of 3, plus the
 * solid field and the cell kinds (bytes) in the same layout. Set 0 is the state; sets 1 and 2
 * receive the RK stages; a step that succeeds swaps its result into set 0, one that fails leaves
 * set 0 as it was. Fixed faces (walls, inflow) hold their boundary values in every set, but an
 * inflow that varies in time, which each stage sets at its own time. The pressure solve works on
 * vectors in the layout of the multigrid's finest level, (ny + 2) x
 * (nx + 2), zero outside the fluid. An immersed obstacle adds its table (ns2d_body.h): a byte
 * and two open fractions per slot, and five numbers per face it sets.
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
#include "solvers/ns2d/ns2d_mg.h"
#include "src/core/machine_load.h"
#include "src/core/timer.h"

#define NS2D_SETS 3

typedef struct ns2d_cpu_state {
    ns2d_params p;
    /* u, v (m s-1, faces) and p (m2 s-2, centres) of each set: (ny + 6) x (nx + 6), halo 3 */
    fc_real *U[NS2D_SETS][3];
    fc_real *solid;    /* same layout: 1 in obstacle cells, 0 in fluid */
    signed char *kind; /* same layout, halos included: enum ns2d_cell */
    ns2d_mg_solver pressure; /* the pressure solve (ns2d_mg.h) */
    ns2d_ib ib;              /* the faces the obstacle sets (ns2d_body.h) */
    ns2d_inflow_faces inflow; /* the faces of an inflow that varies in time */
    fc_real *ib_fix_value;   /* the mass fix's changes, gathered before any is made */
    ns2d_box_faces box;      /* the fluid's faces in the force balance's box */
    long long cells;         /* nx ny: whether a loop over the grid is worth a team */
    /* Seconds spent in the parts of the steps so far, for the profile: the explicit update
     * (tendencies), the obstacle's forcing, the pressure solves. */
    double secs_tendency, secs_body, secs_pressure;
} ns2d_cpu_state;

/* ---- the step ---- */

/* Fills the ghost and periodic slots of u and v of a set, and the periodic halo of p. */
static void ns2d_fill_ghosts_cpu(ns2d_cpu_state *state, int set)
{
    const ns2d_params *p = &state->p;
    const fc_grid *g = &p->grid;
    fc_real *const *U = state->U[set];
#pragma omp parallel for schedule(static) if (state->cells >= FC_PARALLEL_MIN)
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

/* Copies the periodic sides' seam faces of a set (ns2d_fill_seam). */
static void ns2d_fill_seams_cpu(ns2d_cpu_state *state, int set)
{
    const fc_grid *g = &state->p.grid;
    const int n = g->nx > g->ny ? g->nx : g->ny;
    for (int t = 0; t < n; t++)
        ns2d_fill_seam(state->U[set][NS2D_U], state->U[set][NS2D_V], state->kind, &state->p, t);
}

/* The obstacle's forcing of set `out`: each listed face takes the interpolation of the stage's
 * input `in` at the faces outward of it (ns2d_body.h says why not of `out`). */
static void ns2d_force_body_cpu(ns2d_cpu_state *state, int in, int out)
{
    for (int comp = 0; comp < 2; comp++) {
        const ns2d_ib_list *l = &state->ib.face[comp];
        const fc_real *src = state->U[in][comp];
        fc_real *q = state->U[out][comp];
#pragma omp parallel for schedule(static) if (l->n >= FC_PARALLEL_MIN)
        for (int e = 0; e < l->n; e++)
            q[l->k[e]] = (fc_real)l->w1[e] * src[l->nb1[e]] + (fc_real)l->w2[e] * src[l->nb2[e]];
    }
    /* The mass fix of cut cells without an unknown: every change read before any is made. */
    const ns2d_ib_fix *fx = &state->ib.fix;
    fc_real *const *q = state->U[out];
    for (int t = 0; t < fx->n; t++) {
        double dq = 0;
        for (int e = fx->start[t]; e < fx->start[t + 1]; e++)
            dq += fx->w[e] * q[fx->src_comp[e]][fx->src_k[e]];
        state->ib_fix_value[t] = (fc_real)dq;
    }
    for (int t = 0; t < fx->n; t++)
        q[fx->comp[t]][fx->k[t]] += state->ib_fix_value[t];
}

/*
 * One stage from set `in` (U0 = set 0) into set `out`: the explicit update of every updated face,
 * U_out = a U0 + (1 - a)(U_in + dt (F - G p)), the obstacle's forcing, then the projection with
 * c = (1 - a) dt.
 */
static int ns2d_stage_cpu(ns2d_cpu_state *state, int in, int out, fc_real a, fc_real dt,
                          double t_out, int *its, double *res, fc_err *err)
{
    const ns2d_params *p = &state->p;
    const fc_grid *g = &p->grid;
    const fc_real *const *U = (const fc_real *const *)state->U[in];
    const fc_real *const *U0 = (const fc_real *const *)state->U[0];
    fc_real *const *V = state->U[out];
    const signed char *kind = state->kind;
    const ptrdiff_t P = g->pitch;
    double w = fc_now();
    ns2d_fill_ghosts_cpu(state, in);
    for (int comp = 0; comp < 2; comp++) {
#pragma omp parallel for schedule(static) if (state->cells >= FC_PARALLEL_MIN)
        for (int j = 0; j <= g->ny; j++)
            for (int i = 0; i <= g->nx; i++) {
                ptrdiff_t k = fc_idx(P, g->ng, i, j);
                if (!ns2d_updated_at(kind, g, comp, i, j, k))
                    continue;
                const fc_real t = ns2d_tendency(U, U[NS2D_P], kind, p, comp, k);
                V[comp][k] = a * U0[comp][k] + (1 - a) * (U[comp][k] + dt * t);
            }
    }
    ns2d_inflow_faces_set(p, &state->inflow, t_out, V[NS2D_U], V[NS2D_V]);
    ns2d_fill_seams_cpu(state, out); /* the mass fix may read them */
    double now = fc_now();
    state->secs_tendency += now - w;
    w = now;
    ns2d_force_body_cpu(state, in, out);
    ns2d_fill_seams_cpu(state, out); /* the divergence reads them */
    now = fc_now();
    state->secs_body += now - w;
    w = now;
    const fc_real c = (1 - a) * dt, dx = (fc_real)g->dx, dy = (fc_real)g->dy;
    ns2d_mg_solver *ps = &state->pressure;
    const int *cell_slot = ps->mg.cell_slot;
    /* The right-hand side, and the largest |u|/dx or |v|/dy around the unknowns: the scale of
     * the tolerance (ns2d_projection_tol), kept as dy times it so that a cell costs no division
     * (27 instructions a cell per stage all the same: +1.3 % of a step of the 128 x 128 cavity). */
    fc_real scale_h = 0; /* the largest |u| dy/dx or |v|: dy times the scale */
    const fc_real aspect = dy / dx;
#pragma omp parallel for schedule(static) reduction(max : scale_h) if (state->cells >= FC_PARALLEL_MIN)
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            const ptrdiff_t k = fc_idx(P, g->ng, i, j);
            if (cell_slot[k] < 0)
                continue;
            ps->rhs[cell_slot[k]] = -ns2d_divergence_open(V[NS2D_U], V[NS2D_V], state->ib.open[0],
                                                          state->ib.open[1], k, P, dx, dy) /
                                    c;
            const fc_real u = fc_abs(V[NS2D_U][k]) > fc_abs(V[NS2D_U][k + 1])
                                  ? fc_abs(V[NS2D_U][k])
                                  : fc_abs(V[NS2D_U][k + 1]),
                          v = fc_abs(V[NS2D_V][k]) > fc_abs(V[NS2D_V][k + P])
                                  ? fc_abs(V[NS2D_V][k])
                                  : fc_abs(V[NS2D_V][k + P]);
            const fc_real s = u * aspect > v ? u * aspect : v;
            scale_h = s > scale_h ? s : scale_h;
        }
    const double scale = (double)scale_h / g->dy;
    ns2d_tol tol;
    ns2d_projection_tol(&state->p, scale, &tol);
    int status = ns2d_mg_solve_cpu(ps, c, &tol, state->p.poisson_max_iter, its, res, err);
    state->secs_pressure += fc_now() - w; /* with its right-hand side */
    if (status)
        return status;
    for (int comp = 0; comp < 2; comp++) {
        const ptrdiff_t s = comp == 0 ? 1 : P;
        const fc_real c_over_h = c / (comp == 0 ? dx : dy);
#pragma omp parallel for schedule(static) if (state->cells >= FC_PARALLEL_MIN)
        for (int j = 0; j <= g->ny; j++)
            for (int i = 0; i <= g->nx; i++) {
                ptrdiff_t k = fc_idx(P, g->ng, i, j);
                if (ns2d_updated_at(kind, g, comp, i, j, k) && !ns2d_held(state->ib.held, comp, k))
                    V[comp][k] +=
                        ns2d_correction(ps->phi, cell_slot, kind, k - s, k, c_over_h);
            }
    }
#pragma omp parallel for schedule(static) if (state->cells >= FC_PARALLEL_MIN)
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            const ptrdiff_t k = fc_idx(P, g->ng, i, j);
            if (cell_slot[k] >= 0)
                V[NS2D_P][k] = U[NS2D_P][k] + ps->phi[cell_slot[k]];
        }
    if (state->ib.held) {
#pragma omp parallel for schedule(static) if (state->cells >= FC_PARALLEL_MIN)
        for (int j = 0; j < g->ny; j++)
            for (int i = 0; i < g->nx; i++) {
                const ptrdiff_t k = fc_idx(P, g->ng, i, j);
                if (cell_slot[k] < 0 && kind[k] == NS2D_FLUID)
                    V[NS2D_P][k] = ns2d_cut_cell_pressure(V[NS2D_P], cell_slot, k, P);
            }
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
#pragma omp parallel for schedule(static) reduction(max : rate, change) reduction(min : first_bad) \
    if (state->cells >= FC_PARALLEL_MIN)
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
    rep->max_rate = fmax(rate, ns2d_inflow_rate(p));
    rep->change = dt > 0 ? change / dt : 0;
    rep->bad = FC_STATE_OK;
    if (first_bad != LLONG_MAX) {
        rep->bad = FC_STATE_NAN;
        rep->bad_cell = first_bad;
        rep->bad_value = NAN;
    }
}

static int ns2d_step_cpu(void *opaque, double t, double dt, fc_step_report *rep, fc_err *err)
{
    ns2d_cpu_state *state = opaque;
    /* Both stages give the state at t + dt (SSP-RK2: the second averages the first with its
     * own update), so both take the inflow at t + dt; the step starts from the inflow at t. */
    ns2d_inflow_faces_set(&state->p, &state->inflow, t, state->U[0][NS2D_U], state->U[0][NS2D_V]);
    int in = 0, out = 1, its_total = 0;
    double res_max = 0;
    for (int s = 0; s < NS2D_STAGES; s++) {
        out = s % 2 == 0 ? 1 : 2;
        int its;
        double res;
        int status =
            ns2d_stage_cpu(state, in, out, ns2d_stage_a(s), (fc_real)dt, t + dt, &its, &res, err);
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
    const fc_real *before[2] = {state->U[0][NS2D_U], state->U[0][NS2D_V]},
                  *after[2] = {state->U[out][NS2D_U], state->U[out][NS2D_V]};
    ns2d_box_momentum_rate(&state->box, before, after, 0, dt, &rep->stats[NS2D_STAT_BOX_RATE]);
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
    ns2d_mg_solver_free(&state->pressure);
    ns2d_ib_free(&state->ib);
    ns2d_inflow_faces_free(&state->inflow);
    free(state->ib_fix_value);
    ns2d_box_faces_free(&state->box);
    free(state);
}

static int ns2d_create_cpu(const fc_grid *g, const void *params, void **out, fc_err *err)
{
    ns2d_cpu_state *state = calloc(1, sizeof *state);
    if (!state)
        return fc_fail(err, FC_ENOMEM, "out of host memory for the %d x %d state", g->nx, g->ny);
    state->p = *(const ns2d_params *)params;
    state->p.grid = *g;
    state->cells = (long long)g->nx * g->ny;
    int ok = 1;
    for (int s = 0; s < NS2D_SETS; s++)
        for (int f = 0; f < 3; f++)
            ok &= (state->U[s][f] = fc_grid_alloc(g)) != NULL;
    ok &= (state->solid = fc_grid_alloc(g)) != NULL;
    ok &= (state->kind = calloc(g->nalloc, 1)) != NULL;
    ok &= ns2d_box_faces_make(&state->p, &state->box) == FC_OK;
    if (!ok) {
        ns2d_destroy_cpu(state);
        return fc_fail(err, FC_ENOMEM, "out of host memory for the %d x %d state", g->nx, g->ny);
    }
    *out = state;
    return FC_OK;
}

static int ns2d_upload_cpu(void *opaque, const fc_state *host, fc_err *err)
{
    ns2d_cpu_state *state = opaque;
    const fc_grid *g = &state->p.grid;
    const size_t bytes = g->nalloc * sizeof(fc_real);
    memcpy(state->solid, host->f[NS2D_SOLID], bytes);
    ns2d_cell_kinds(g, state->solid, state->kind);
    ns2d_ib_free(&state->ib);
    int status = ns2d_ib_build(&state->p, state->kind, &state->ib, err);
    if (status)
        return status;
    for (int f = 0; f < 3; f++)
        memcpy(state->U[0][f], host->f[f], bytes);
    ns2d_boundary_values(&state->p, state->kind, state->U[0][NS2D_U], state->U[0][NS2D_V]);
    ns2d_inflow_faces_free(&state->inflow);
    if ((status = ns2d_inflow_faces_make(&state->p, state->kind, state->U[0][NS2D_U],
                                         state->U[0][NS2D_V], &state->inflow, err)))
        return status;
    ns2d_inflow_faces_set(&state->p, &state->inflow, host->t, state->U[0][NS2D_U],
                          state->U[0][NS2D_V]);
    for (int s = 1; s < NS2D_SETS; s++)
        for (int f = 0; f < 3; f++)
            memcpy(state->U[s][f], state->U[0][f], bytes);
    /* The pressure operator depends on the solid cells, so it is built when the state arrives. */
    ns2d_mg_solver_free(&state->pressure);
    if ((status = ns2d_mg_solver_build(&state->p, state->kind, &state->ib, &state->pressure,
                                       err)))
        return status;
    free(state->ib_fix_value);
    const size_t nfix = state->ib.fix.n > 0 ? (size_t)state->ib.fix.n : 1;
    if (!(state->ib_fix_value = malloc(nfix * sizeof *state->ib_fix_value)))
        return fc_fail(err, FC_ENOMEM, "out of host memory for the immersed boundary");
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

/* The profile from the step's own clocks (fc_profile_clocked): the pressure solves (with their
 * right-hand sides), the explicit updates, the immersed forcing where there is a body. The steps
 * are the run's: the state moves on. */
static int ns2d_profile_cpu(void *opaque, double t, double dt, int reps,
                            fc_profile *out, fc_err *err)
{
    ns2d_cpu_state *state = opaque;
    const double *clocks[NS2D_PARTS];
    const char *names[NS2D_PARTS];
    clocks[NS2D_PART_PRESSURE] = &state->secs_pressure;
    clocks[NS2D_PART_TENDENCY] = &state->secs_tendency;
    clocks[NS2D_PART_BODY] = &state->secs_body;
    for (int k = 0; k < NS2D_PARTS; k++)
        names[k] = ns2d_part_name(k);
    const int body = state->ib.face[0].n || state->ib.face[1].n;
    return fc_profile_clocked(ns2d_step_cpu, state, t, dt, reps, "step (2 RK stages)", clocks,
                              names, body ? NS2D_PARTS : NS2D_PARTS - 1, out, err);
}

const fc_solver_ops ns2d_ops_cpu = {
    "cpu",         ns2d_create_cpu,   ns2d_upload_cpu,  ns2d_max_rate_cpu,
    ns2d_step_cpu, ns2d_download_cpu, ns2d_destroy_cpu, ns2d_profile_cpu,
    FC_BLOCKS_NONE,
};
