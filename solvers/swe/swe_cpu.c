/*
 * swe_cpu.c: the OpenMP reference backend of the shallow-water solver (equations and method in
 * swe.h). swe_cuda.cu holds the same functions with the suffix _cuda, in the same order; both
 * call the cell physics of swe.h, so they differ only in iteration and memory.
 *
 * Memory: three sets of (h, hu, hv), each field (ny + 4) x (nx + 4) with a halo of 2, and one
 * bottom b shared by the sets. Set 0 is the state; sets 1 and 2 receive the RK stages; a step
 * that succeeds swaps its result into set 0, one that fails leaves set 0 as it was.
 */
#include <fc_build.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "swe/swe.h"

#define SWE_SETS 3

typedef struct swe_cpu {
    swe_params p;
    fc_real *U[SWE_SETS][SWE_NFIELDS]; /* U[s][SWE_B] is the same array for every set */
} swe_cpu;

/* Halos of the first nfields fields of a set (the bottom's only at upload: it never changes). */
static void swe_fill_halos_cpu(swe_cpu *st, int set, int nfields)
{
    for (int f = 0; f < nfields; f++)
        fc_grid_fill_halo(&st->p.grid, st->U[set][f], swe_field_odd_x(f), swe_field_odd_y(f));
}

/*
 * One stage from set `in` (and U0 = set 0) into set `out`. Reports the largest signal rate of
 * the result and its first bad cell.
 */
static void swe_stage_cpu(swe_cpu *st, int in, int out, fc_real a, fc_real dt,
                          fc_step_report *rep)
{
    const swe_params *p = &st->p;
    const fc_grid *g = &p->grid;
    const fc_real *const *U = (const fc_real *const *)st->U[in];
    const fc_real *const *U0 = (const fc_real *const *)st->U[0];
    fc_real *const *V = st->U[out];
    const int nx = g->nx, ny = g->ny;
    double rate = 0;
    long long first_bad = LLONG_MAX; /* none */
#pragma omp parallel for schedule(static) reduction(max : rate) reduction(min : first_bad)
    for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++) {
            fc_real v[3];
            swe_stage_cell(U, U0, a, dt, p, i, j, v);
            ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
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
    rep->max_rate = rate;
    rep->bad = FC_STATE_OK;
    if (first_bad != LLONG_MAX) {
        int i = (int)(first_bad % nx), j = (int)(first_bad / nx);
        ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
        fc_real v[3] = {V[SWE_H][k], V[SWE_HU][k], V[SWE_HV][k]};
        rep->bad = swe_check_cell(v);
        rep->bad_cell = first_bad;
        rep->bad_value = (double)(v[0] != v[0] || v[0] < 0 ? v[0] : v[1] != v[1] ? v[1] : v[2]);
    }
}

static int swe_step_cpu(void *vst, double dt, fc_step_report *rep, fc_err *err)
{
    (void)err;
    swe_cpu *st = vst;
    const int rk = st->p.rk, n = swe_nstages(rk);
    int in = 0, out = 1;
    for (int s = 0; s < n; s++) {
        out = s % 2 == 0 ? 1 : 2;
        swe_fill_halos_cpu(st, in, SWE_B);
        swe_stage_cpu(st, in, out, swe_stage_a(rk, s), (fc_real)dt, rep);
        if (rep->bad)
            return FC_OK; /* set 0 still holds the state before the step */
        in = out;
    }
    for (int f = 0; f < SWE_B; f++) {
        fc_real *t = st->U[0][f];
        st->U[0][f] = st->U[out][f];
        st->U[out][f] = t;
    }
    return FC_OK;
}

static int swe_max_rate_cpu(void *vst, double *rate, fc_err *err)
{
    (void)err;
    swe_cpu *st = vst;
    const swe_params *p = &st->p;
    const fc_grid *g = &p->grid;
    fc_real *const *U = st->U[0];
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

static void swe_destroy_cpu(void *vst)
{
    swe_cpu *st = vst;
    if (!st)
        return;
    for (int s = 0; s < SWE_SETS; s++)
        for (int f = 0; f < SWE_B; f++)
            free(st->U[s][f]);
    free(st->U[0][SWE_B]);
    free(st);
}

static int swe_create_cpu(const fc_grid *g, const void *params, void **out, fc_err *err)
{
    swe_cpu *st = calloc(1, sizeof *st);
    if (!st)
        return fc_fail(err, FC_ENOMEM, "out of host memory for the %d x %d state", g->nx, g->ny);
    st->p = *(const swe_params *)params;
    st->p.grid = *g;
    int ok = 1;
    for (int s = 0; s < SWE_SETS; s++)
        for (int f = 0; f < SWE_B; f++)
            ok &= (st->U[s][f] = fc_grid_alloc(g)) != NULL;
    fc_real *b = fc_grid_alloc(g);
    ok &= b != NULL;
    for (int s = 0; s < SWE_SETS; s++)
        st->U[s][SWE_B] = b;
    if (!ok) {
        swe_destroy_cpu(st);
        return fc_fail(err, FC_ENOMEM, "out of host memory for the %d x %d state", g->nx, g->ny);
    }
    *out = st;
    return FC_OK;
}

static int swe_upload_cpu(void *vst, const fc_state *host, fc_err *err)
{
    (void)err;
    swe_cpu *st = vst;
    const fc_grid *g = &st->p.grid;
    for (int f = 0; f < SWE_NFIELDS; f++)
        memcpy(st->U[0][f], host->f[f], g->nalloc * sizeof(fc_real));
    swe_fill_halos_cpu(st, 0, SWE_NFIELDS);
    return FC_OK;
}

static int swe_download_cpu(void *vst, fc_state *host, fc_err *err)
{
    (void)err;
    swe_cpu *st = vst;
    for (int f = 0; f < SWE_NFIELDS; f++)
        memcpy(host->f[f], st->U[0][f], st->p.grid.nalloc * sizeof(fc_real));
    return FC_OK;
}

const fc_solver_ops swe_ops_cpu = {"cpu",           swe_create_cpu,   swe_upload_cpu,
                                   swe_max_rate_cpu, swe_step_cpu,    swe_download_cpu,
                                   swe_destroy_cpu};
