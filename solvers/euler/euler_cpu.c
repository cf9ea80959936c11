/*
 * euler_cpu.c: the OpenMP reference backend of the compressible Euler solver (equations and
 * method in euler.h). euler_cuda.cu holds the same functions with the suffix _cuda, in the same
 * order; both call the physics of euler.h, so they differ only in iteration and memory.
 *
 * Memory: three sets of the four fields (rho', rho u, rho w, (rho theta)'), each
 * (ny + 4) x (nx + 4) with a halo of 2, and the background column. Set 0 is the state; sets 1
 * and 2 receive the RK stages; a step that succeeds swaps its result into set 0, one that fails
 * leaves set 0 as it was.
 *
 * Iteration: a stage first computes p' of every cell (one power per cell, vectorised: hd.h's
 * fc_pow_pos, not glibc's scalar pow, which was 0.37 of a step). Where the GPU kernel
 * then computes the four fluxes around each cell (every face twice, no stored faces), a CPU
 * core has the cache to compute each face once: each thread sweeps its block of rows, keeps the
 * horizontal faces of the row below in a rolling buffer, computes the row's vertical faces, and
 * updates the cells with euler_update_cell: the same functions on the same inputs, so the same
 * bits as the fused form. The face loops have no branch and no call (omp simd), and are compiled
 * for AVX-512, AVX2 and the baseline (FC_VECTOR_CLONES; the same bits). The reductions (largest
 * rate, first bad cell) are a max and a min, so the result does not depend on the thread count.
 */
#include <fc_build.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "solvers/euler/euler.h"
#include "src/core/link.h"
#include "src/core/machine_load.h"
#include "src/core/timer.h"

#define EULER_SETS 3

/* One thread's face fluxes: the x faces 0 .. nx of a row, and the z faces under and over it. */
typedef struct euler_work {
    fc_real (*fx)[EULER_NFIELDS]; /* [nx + 1] */
    fc_real (*fz[2])[EULER_NFIELDS]; /* [nx] each */
} euler_work;

typedef struct euler_cpu_state {
    euler_params p;
    euler_column col;
    fc_real *U[EULER_SETS][EULER_NFIELDS];
    fc_real *P; /* p' of the stage input, halos included */
    fc_real *sponge_sides; /* [nx] the open sides' damping rate of each column (euler_sponge) */
    int nthreads;   /* threads at creation, the most a step uses (fewer when the run's governor
                     * lowered OpenMP's count: src/core/machine_load.h) */
    euler_work *work; /* [nthreads] */
    /* Seconds spent in the parts of the steps so far, for the profile: the halos, the stage
     * inputs' pressure (pow per cell), the stages' sweeps. */
    double secs_halos, secs_pressure, secs_sweeps;
} euler_cpu_state;

/* The halos of a set; on a rank's block the exchange with its neighbours (link.h). */
static int euler_fill_halos_cpu(euler_cpu_state *state, int set, fc_err *err)
{
    const fc_grid *g = &state->p.grid;
    int odd_x[EULER_NFIELDS], odd_y[EULER_NFIELDS];
    for (int f = 0; f < EULER_NFIELDS; f++) {
        odd_x[f] = euler_field_odd_x(f);
        odd_y[f] = euler_field_odd_y(f);
    }
    int st = fc_grid_fill_halos(g, state->U[set], odd_x, odd_y, EULER_NFIELDS, err);
    if (st || (g->bc[FC_WEST] != FC_BC_OPEN && g->bc[FC_EAST] != FC_BC_OPEN))
        return st;
    /* Open sides: the characteristic state (euler_open_ghost) over the copies. */
    fc_real *const *U = state->U[set];
    for (int j = 0; j < g->ny; j++)
        for (int h = 0; h < 2 * g->ng; h++) {
            const int i = h < g->ng ? -1 - h : g->nx + (h - g->ng);
            fc_real v[EULER_NFIELDS];
            if (euler_open_ghost((const fc_real *const *)U, &state->col, &state->p, i, j, v))
                for (int f = 0; f < EULER_NFIELDS; f++)
                    U[f][fc_idx(g->pitch, g->ng, i, j)] = v[f];
        }
    return FC_OK;
}

/* The fluxes through the bottom faces of row j (0 .. ny; the whole grid's ground and top are
 * walls), each loop without a branch (compiled per vector width: FC_VECTOR_CLONES). */
FC_VECTOR_CLONES static void z_faces(const fc_real *const *U, const euler_column *col, const euler_params *p,
                    fc_real hz, int j, fc_real (*flux)[EULER_NFIELDS])
{
    /* euler_wall_z spelled out: through the call gcc merges the two loops into one */
    const int nx = p->grid.nx, wj = p->grid.j0 + j;
    fc_real rho_bs[4];
    euler_face_rho_z(col, &p->grid, j, rho_bs);
    if (wj == 0 || wj == p->grid.ny_whole) {
#pragma omp simd
        for (int i = 0; i < nx; i++)
            euler_flux_z(U, col, p, hz, i, j, 1, rho_bs, flux[i]);
    } else {
#pragma omp simd
        for (int i = 0; i < nx; i++)
            euler_flux_z(U, col, p, hz, i, j, 0, rho_bs, flux[i]);
    }
}

/* The fluxes through the west faces of row j, 0 .. nx: the sides' two (walls or not), and the
 * inner ones in one branch-free loop. */
FC_VECTOR_CLONES static void x_faces(const fc_real *const *U, const euler_column *col,
                                     const euler_params *p, fc_real hx, int j,
                                     fc_real (*flux)[EULER_NFIELDS])
{
    const fc_grid *g = &p->grid;
    const int nx = g->nx;
    euler_flux_x(U, col, p, hx, 0, j, euler_wall_x(g, 0), flux[0]);
    euler_flux_x(U, col, p, hx, nx, j, euler_wall_x(g, nx), flux[nx]);
#pragma omp simd
    for (int i = 1; i < nx; i++)
        euler_flux_x(U, col, p, hx, i, j, 0, flux[i]);
}

/* The largest signal rate (euler_cell_rate) of row j of U: one loop without a branch (compiled
 * per vector width; the pressure's pow vectorises, hd.h). A max, so the same bits at any width. */
FC_VECTOR_CLONES static double rate_row(const fc_real *const *U, const euler_column *col,
                                        const euler_params *p, int j)
{
    const fc_grid *g = &p->grid;
    const ptrdiff_t k0 = fc_idx(g->pitch, g->ng, 0, j);
    const fc_real *const row[EULER_NFIELDS] = {U[0] + k0, U[1] + k0, U[2] + k0, U[3] + k0};
    const fc_real rho_b = col->rho[j], rt_b = col->rt[j];
    double rate = 0;
#pragma omp simd reduction(max : rate)
    for (int i = 0; i < g->nx; i++) {
        const double r = euler_cell_rate(row[EULER_RHO][i], row[EULER_RHOU][i], row[EULER_RHOW][i],
                                         row[EULER_RHOT][i], rho_b, rt_b, p);
        rate = r > rate ? r : rate;
    }
    return rate;
}

/*
 * The new values of row j from its stored fluxes, into V: one loop without a branch (compiled
 * per vector width). Returns whether a cell went bad. The damping rate of cell (i, j) is
 * euler_sponge's, from the column's table and the row's top sponge.
 */
FC_VECTOR_CLONES static int update_row(const fc_real *const *U, const fc_real *const *U0,
                                       fc_real *const *V, const euler_column *col,
                                       const euler_params *p, const fc_real *sponge_sides,
                                       fc_real a, fc_real dt, int j,
                                       fc_real (*fx)[EULER_NFIELDS],
                                       fc_real (*south)[EULER_NFIELDS],
                                       fc_real (*north)[EULER_NFIELDS])
{
    const fc_grid *g = &p->grid;
    const ptrdiff_t k0 = fc_idx(g->pitch, g->ng, 0, j);
    /* Without sponges both parts are 0 (the column table too): the rate is then 0. */
    const fc_real top = p->sponge_rate > 0 ? euler_sponge_top(p, j) : 0, rho_b = col->rho[j];
    /* The row of each field: addresses the compiler sees as affine in i (with the cell's index
     * k0 + i instead, a float build did not vectorise: GCC 12 converts a vector of 64-bit
     * indices, "unsupported vector types for emulated gather"). */
    fc_real *const out[EULER_NFIELDS] = {V[0] + k0, V[1] + k0, V[2] + k0, V[3] + k0};
    const fc_real *const start[EULER_NFIELDS] = {U0[0] + k0, U0[1] + k0, U0[2] + k0, U0[3] + k0};
    const fc_real *const in[EULER_NFIELDS] = {U[0] + k0, U[1] + k0, U[2] + k0, U[3] + k0};
    fc_real bad = 0; /* 1 when a cell is bad: a double, as wide as the test's mask */
#pragma omp simd reduction(max : bad)
    for (int i = 0; i < g->nx; i++) {
        const fc_real side = sponge_sides[i];
        const fc_real damp = side > top ? side : top;
        FC_UNROLL
        for (int f = 0; f < EULER_NFIELDS; f++)
            out[f][i] = start[f][i] + a * dt * euler_tendency(in, col, p, damp, i, j, f, fx[i],
                                                              fx[i + 1], south[i], north[i]);
        const fc_real cell_bad = euler_cell_ok(out[EULER_RHO][i], out[EULER_RHOU][i],
                                               out[EULER_RHOW][i], out[EULER_RHOT][i], rho_b)
                                     ? 0
                                     : 1;
        bad = cell_bad > bad ? cell_bad : bad;
    }
    return bad != 0;
}

/* One stage from set `in` (and U0 = set 0) into set `out`; reports its first bad cell and, when
 * want_rate (the last stage: the new state), the largest signal rate. */
static void euler_stage_cpu(euler_cpu_state *state, int in, int out, fc_real a, fc_real dt,
                            int want_rate, fc_step_report *rep)
{
    const euler_params *p = &state->p;
    const fc_grid *g = &p->grid;
    const euler_column *col = &state->col;
    const fc_real *const *U0 = (const fc_real *const *)state->U[0];
    fc_real *const *V = state->U[out];
    const double w = fc_now();
    euler_pressure_field((const fc_real *const *)state->U[in], col, p, state->P);
    const double now = fc_now();
    state->secs_pressure += now - w;
    const fc_real *U[EULER_SLOTS] = {state->U[in][0], state->U[in][1], state->U[in][2],
                                     state->U[in][3], state->P};
    const fc_real hx = euler_hv(p, (fc_real)g->dx, dt), hz = euler_hv(p, (fc_real)g->dy, dt);
    const int nx = g->nx;
    double rate = 0;
    long long first_bad = LLONG_MAX;
#pragma omp parallel num_threads(fc_threads_at_most(state->nthreads)) reduction(max : rate) \
    reduction(min : first_bad) if ((long long)nx * g->ny >= FC_PARALLEL_MIN)
    {
        int tid = 0, nth = 1;
#ifdef _OPENMP
        tid = omp_get_thread_num();
        nth = omp_get_num_threads();
#endif
        euler_work *wk = &state->work[tid];
        const int j0 = (int)((long long)g->ny * tid / nth);
        const int j1 = (int)((long long)g->ny * (tid + 1) / nth);
        int cur = 0;
        if (j0 < j1)
            z_faces(U, col, p, hz, j0, wk->fz[cur]);
        for (int j = j0; j < j1; j++, cur ^= 1) {
            fc_real(*south)[EULER_NFIELDS] = wk->fz[cur], (*north)[EULER_NFIELDS] = wk->fz[cur ^ 1];
            z_faces(U, col, p, hz, j + 1, north);
            x_faces(U, col, p, hx, j, wk->fx);
            const int bad = update_row(U, U0, V, col, p, state->sponge_sides, a, dt, j, wk->fx,
                                       south, north);
            /* A row that went bad: its first bad cell (the step fails, its rate is not
             * wanted); a sound row of the new state: its largest rate. */
            for (int i = 0; i < nx && bad; i++) {
                const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
                fc_real v[EULER_NFIELDS];
                for (int f = 0; f < EULER_NFIELDS; f++)
                    v[f] = V[f][k];
                if (euler_check_cell(v, col->rho[j]) != FC_STATE_OK) {
                    const long long c = (long long)j * nx + i;
                    first_bad = c < first_bad ? c : first_bad;
                    break;
                }
            }
            if (!bad && want_rate) {
                const double r = rate_row((const fc_real *const *)V, col, p, j);
                rate = r > rate ? r : rate;
            }
        }
    }
    rep->max_rate = rate;
    rep->bad = FC_STATE_OK;
    if (first_bad != LLONG_MAX) {
        const int i = (int)(first_bad % g->nx), j = (int)(first_bad / g->nx);
        const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
        fc_real v[EULER_NFIELDS];
        for (int f = 0; f < EULER_NFIELDS; f++)
            v[f] = V[f][k];
        rep->bad = euler_check_cell(v, col->rho[j]);
        rep->bad_cell = first_bad;
        rep->bad_value = (double)(col->rho[j] + v[EULER_RHO]);
    }
    state->secs_sweeps += fc_now() - now;
}

static int euler_step_cpu(void *opaque, double t, double dt, fc_step_report *rep, fc_err *err)
{
    (void)t; /* nothing of this solver varies in time but the state */
    euler_cpu_state *state = opaque;
    int in = 0, out = 1;
    for (int s = 0; s < EULER_STAGES; s++) {
        out = s % 2 == 0 ? 1 : 2;
        const double w = fc_now();
        int st = euler_fill_halos_cpu(state, in, err);
        if (st)
            return st;
        state->secs_halos += fc_now() - w;
        euler_stage_cpu(state, in, out, euler_stage_a(s), (fc_real)dt, s == EULER_STAGES - 1, rep);
        fc_report_agree(&state->p.grid, rep); /* every rank stops at the same stage */
        if (rep->bad)
            return FC_OK; /* set 0 still holds the state before the step */
        in = out;
    }
    fc_keep_stage(state->U[0], state->U[out], EULER_NFIELDS);
    return FC_OK;
}

static int euler_max_rate_cpu(void *opaque, double *rate, fc_err *err)
{
    (void)err;
    euler_cpu_state *state = opaque;
    const euler_params *p = &state->p;
    const fc_grid *g = &p->grid;
    double r = 0;
#pragma omp parallel for schedule(static) reduction(max : r) \
    if ((long long)g->nx * g->ny >= FC_PARALLEL_MIN)
    for (int j = 0; j < g->ny; j++) {
        const double c = rate_row((const fc_real *const *)state->U[0], &state->col, p, j);
        r = c > r ? c : r;
    }
    *rate = fc_grid_max(g, r);
    return FC_OK;
}

static void euler_destroy_cpu(void *opaque)
{
    euler_cpu_state *state = opaque;
    if (!state)
        return;
    for (int s = 0; s < EULER_SETS; s++)
        for (int f = 0; f < EULER_NFIELDS; f++)
            free(state->U[s][f]);
    free(state->P);
    free(state->sponge_sides);
    for (int t = 0; state->work && t < state->nthreads; t++) {
        free(state->work[t].fx);
        free(state->work[t].fz[0]);
        free(state->work[t].fz[1]);
    }
    free(state->work);
    euler_column_free(&state->col);
    free(state);
}

static int euler_create_cpu(const fc_grid *g, const void *params, void **out, fc_err *err)
{
    euler_cpu_state *state = calloc(1, sizeof *state);
    if (!state)
        return fc_fail(err, FC_ENOMEM, "out of host memory for the %d x %d state", g->nx, g->ny);
    state->p = *(const euler_params *)params;
    state->p.grid = *g;
    int ok = 1;
    for (int s = 0; s < EULER_SETS; s++)
        for (int f = 0; f < EULER_NFIELDS; f++)
            ok &= (state->U[s][f] = fc_grid_alloc(g)) != NULL;
    ok &= (state->P = fc_grid_alloc(g)) != NULL;
    ok &= (state->sponge_sides = malloc((size_t)g->nx * sizeof *state->sponge_sides)) != NULL;
    /* The sides' sponges are the whole grid's (params': its grid, its sides). */
    for (int i = 0; ok && i < g->nx; i++)
        state->sponge_sides[i] = state->p.sponge_rate > 0 ? euler_sponge_sides(params, g->i0 + i) : 0;
    state->nthreads = 1;
#ifdef _OPENMP
    state->nthreads = omp_get_max_threads();
#endif
    state->work = calloc((size_t)state->nthreads, sizeof *state->work);
    ok &= state->work != NULL;
    for (int t = 0; ok && t < state->nthreads; t++) {
        euler_work *w = &state->work[t];
        w->fx = malloc((size_t)(g->nx + 1) * sizeof *w->fx);
        w->fz[0] = malloc((size_t)g->nx * sizeof *w->fz[0]);
        w->fz[1] = malloc((size_t)g->nx * sizeof *w->fz[1]);
        ok &= w->fx && w->fz[0] && w->fz[1];
    }
    int st = ok ? euler_column_make(&state->p, &state->col, err)
                : fc_fail(err, FC_ENOMEM, "out of host memory for the %d x %d state", g->nx, g->ny);
    if (st) {
        euler_destroy_cpu(state);
        return st;
    }
    *out = state;
    return FC_OK;
}

static int euler_upload_cpu(void *opaque, const fc_state *host, fc_err *err)
{
    euler_cpu_state *state = opaque;
    for (int f = 0; f < EULER_NFIELDS; f++)
        memcpy(state->U[0][f], host->f[f], state->p.grid.nalloc * sizeof(fc_real));
    return euler_fill_halos_cpu(state, 0, err);
}

static int euler_download_cpu(void *opaque, fc_state *host, fc_err *err)
{
    (void)err;
    euler_cpu_state *state = opaque;
    for (int f = 0; f < EULER_NFIELDS; f++)
        memcpy(host->f[f], state->U[0][f], state->p.grid.nalloc * sizeof(fc_real));
    return FC_OK;
}

/* The profile from the step's own clocks (fc_profile_clocked): the stages' sweeps (fluxes and
 * update fused row by row), the stage inputs' pressure, the halos. */
static int euler_profile_cpu(void *opaque, double t, double dt, int reps,
                             fc_profile *out, fc_err *err)
{
    euler_cpu_state *state = opaque;
    const double *clocks[] = {&state->secs_sweeps, &state->secs_pressure, &state->secs_halos};
    const char *names[] = {"sweeps (fluxes, update)", "pressure of the stage input",
                           "halos"};
    return fc_profile_clocked(euler_step_cpu, state, t, dt, reps, "step (3 RK stages)", clocks,
                              names, 3, out, err);
}

const fc_solver_ops euler_ops_cpu = {
    "cpu",          euler_create_cpu,   euler_upload_cpu,  euler_max_rate_cpu,
    euler_step_cpu, euler_download_cpu, euler_destroy_cpu, euler_profile_cpu,
    FC_BLOCKS_TILES, /* halos and reports through link.h */
};
