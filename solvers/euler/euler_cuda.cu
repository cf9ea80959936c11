/*
 * euler_cuda.cu: the CUDA backend of the compressible Euler solver (equations and method in
 * euler.h). Same functions as euler_cpu.c, suffix _cuda, in the same order; the cell physics is
 * the FC_HD code of euler.h, so the GPU performs the CPU's arithmetic up to a rounding per
 * operation (multiply-adds may fuse: Makefile.am; pow() differs by an ulp anyway), and a larger
 * GPU/CPU difference means an indexing, race or memory bug.
 *
 * Memory: as on the CPU, three sets of the four fields and the background column on the device.
 * The state stays on the device; only the stages' reports (largest signal rate, first bad cell:
 * 24 bytes each) cross to the host, once a step (stages.h), and the fields at output times.
 * Each RK stage is a kernel that computes p' of every cell (one pow() each) and one fused
 * kernel that computes the four face fluxes of its cell and writes its four fields once; halos
 * are refreshed by a kernel over the halo cells only.
 *
 * On a rank's block of a split grid (link.h) the halos come through the host (the edge bands
 * down, exchanged and filled in host mirrors, the halo bands up: fc_dev_fill_halos) before the
 * kernel adds the open sides' characteristic state; each step's reports are agreed over the
 * ranks as on the CPU.
 */
#include <fc_build.h>

#include <cstdlib>
#include <cstring>

#include "src/core/backend.h"
#include "src/core/cuda_util.h"
#include "src/core/link.h"
#include "solvers/euler/euler.h"

#define EULER_SETS 3
#define BLOCK_X 32
#define BLOCK_Y 8

struct euler_fields {
    fc_real *f[EULER_NFIELDS];
};

typedef struct euler_cuda_state {
    euler_params p;
    euler_column col; /* device arrays */
    fc_real *U[EULER_SETS][EULER_NFIELDS];
    fc_real *P; /* p' of the stage input, halos included */
    fc_dev_report *rep; /* [FC_MAX_STAGES]: one per stage of a step */
    fc_real *mirror[EULER_NFIELDS]; /* host mirrors of a rank's block (page-locked); else NULL */
} euler_cuda_state;

static euler_fields fields_of(const euler_cuda_state *state, int set)
{
    euler_fields s;
    for (int f = 0; f < EULER_NFIELDS; f++)
        s.f[f] = state->U[set][f];
    return s;
}

/* Halo cell t of 2 ng full rows (bottom, top) and 2 ng cells of each interior row: filled from
 * the interior unless the host filled them (staged), then the open sides. */
__global__ static void euler_fill_halos_kernel(euler_fields s, euler_column col, euler_params p,
                                               int staged)
{
    const fc_grid g = p.grid;
    const long long t = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= fc_halo_count(&g))
        return;
    int i, j;
    fc_halo_cell(&g, t, &i, &j);
    for (int f = 0; f < EULER_NFIELDS && !staged; f++)
        fc_fill_halo_cell(s.f[f], g.pitch, g.ng, g.nx, g.ny, g.bc, i, j, euler_field_odd_x(f),
                          euler_field_odd_y(f));
    /* Open sides: the characteristic state over the copies (read from interior edge cells,
     * which no thread of this kernel writes). */
    const fc_real *U[EULER_NFIELDS] = {s.f[0], s.f[1], s.f[2], s.f[3]};
    fc_real v[EULER_NFIELDS];
    if (euler_open_ghost(U, &col, &p, i, j, v))
        for (int f = 0; f < EULER_NFIELDS; f++)
            s.f[f][fc_idx(g.pitch, g.ng, i, j)] = v[f];
}

static int euler_fill_halos_cuda(euler_cuda_state *state, int set, fc_err *err)
{
    const fc_grid *g = &state->p.grid;
    const int staged = g->link != NULL;
    if (staged) {
        int odd_x[EULER_NFIELDS], odd_y[EULER_NFIELDS], st;
        for (int f = 0; f < EULER_NFIELDS; f++) {
            odd_x[f] = euler_field_odd_x(f);
            odd_y[f] = euler_field_odd_y(f);
        }
        if ((st = fc_dev_fill_halos(g, state->U[set], state->mirror, odd_x, odd_y, EULER_NFIELDS,
                                    err)))
            return st;
    }
    euler_fill_halos_kernel<<<fc_blocks(fc_halo_count(g), 256), 256>>>(fields_of(state, set), state->col,
                                                             state->p, staged);
    FC_CUDA_TRY(cudaGetLastError());
    return FC_OK;
}

/* Blocks over the interior cells. */
static dim3 cell_blocks(const fc_grid *g) { return fc_cell_blocks(g->nx, g->ny, BLOCK_X, BLOCK_Y); }

/* p' of every cell of the stage input, halos included (euler_pressure_cell). */
__global__ static void euler_pressure_kernel(euler_fields in, euler_column col, euler_params p,
                                             fc_real *P)
{
    const fc_grid *g = &p.grid;
    const long long t = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    const long long rows = g->ny + 2 * g->ng;
    if (t >= rows * g->pitch)
        return;
    const int i = (int)(t % g->pitch) - g->ng, j = (int)(t / g->pitch) - g->ng;
    const fc_real *U[EULER_NFIELDS] = {in.f[0], in.f[1], in.f[2], in.f[3]};
    P[fc_idx(g->pitch, g->ng, i, j)] = euler_pressure_cell(U, &col, &p, i, j);
}

__global__ static void euler_stage_kernel(euler_fields in, const fc_real *P, euler_fields u0,
                                          euler_fields out, euler_column col, fc_real a,
                                          fc_real dt, euler_params p, int want_rate,
                                          fc_dev_report *rep)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    const fc_grid *g = &p.grid;
    const fc_real *U[EULER_SLOTS] = {in.f[0], in.f[1], in.f[2], in.f[3], P};
    const fc_real *U0[EULER_NFIELDS] = {u0.f[0], u0.f[1], u0.f[2], u0.f[3]};
    double rate = 0;
    for (int j = blockIdx.y * blockDim.y + threadIdx.y; i < g->nx && j < g->ny;
         j += gridDim.y * blockDim.y) {
        fc_real v[EULER_NFIELDS];
        euler_stage_cell(U, U0, &col, &p, a, dt, i, j, v);
        const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
        for (int f = 0; f < EULER_NFIELDS; f++)
            out.f[f][k] = v[f];
        if (euler_check_cell(v, col.rho[j]) != FC_STATE_OK)
            atomicMin(&rep->first_bad, (unsigned long long)j * g->nx + i);
        else if (want_rate) {
            const double r = euler_cell_rate(v[EULER_RHO], v[EULER_RHOU], v[EULER_RHOW], v[EULER_RHOT], col.rho[j],
                                         col.rt[j], &p);
            rate = r > rate ? r : rate;
        }
    }
    if (want_rate) /* every thread of the block, inside the domain or not */
        fc_block_max_atomic(rate, &rep->rate_bits);
}

static int euler_stage_cuda(euler_cuda_state *state, int in, int out, fc_real a, fc_real dt,
                            int want_rate, fc_dev_report *rep, fc_err *err)
{
    const fc_grid *g = &state->p.grid;
    const long long cells = (long long)(g->ny + 2 * g->ng) * g->pitch;
    euler_pressure_kernel<<<fc_blocks(cells, 256), 256>>>(fields_of(state, in), state->col,
                                                           state->p, state->P);
    FC_CUDA_TRY(cudaGetLastError());
    euler_stage_kernel<<<cell_blocks(g), dim3(BLOCK_X, BLOCK_Y)>>>(
        fields_of(state, in), state->P, fields_of(state, 0), fields_of(state, out), state->col, a,
        dt, state->p, want_rate, rep);
    FC_CUDA_TRY(cudaGetLastError());
    return FC_OK;
}

/* stages.h's callbacks: a stage (its halos, then its kernels) and the
 * classification of a bad cell from the values of the stage that wrote it, as on the CPU. */
typedef struct euler_step_ctx {
    euler_cuda_state *state;
    fc_real dt;
} euler_step_ctx;

static int euler_run_stage(void *ctx, int s, int in, int out, int slot, fc_err *err)
{
    const euler_step_ctx *c = (const euler_step_ctx *)ctx;
    int st;
    if ((st = euler_fill_halos_cuda(c->state, in, err)))
        return st;
    return euler_stage_cuda(c->state, in, out, euler_stage_a(s), c->dt, s == EULER_STAGES - 1,
                            c->state->rep + slot, err);
}

static int euler_classify(void *ctx, int out, unsigned long long cell, fc_step_report *rep,
                          fc_err *err)
{
    const euler_cuda_state *state = ((const euler_step_ctx *)ctx)->state;
    const fc_grid *g = &state->p.grid;
    const int j = (int)(cell / g->nx);
    const ptrdiff_t k = fc_idx(g->pitch, g->ng, (int)(cell % g->nx), j);
    fc_real v[EULER_NFIELDS], rho_b;
    int st = fc_dev_cell_values(state->U[out], EULER_NFIELDS, k, v, err);
    if (st || (st = fc_dev_cell_values(&state->col.rho, 1, j, &rho_b, err)))
        return st;
    rep->bad = euler_check_cell(v, rho_b);
    rep->bad_cell = (long long)cell;
    rep->bad_value = (double)(rho_b + v[EULER_RHO]);
    return FC_OK;
}

/* One round trip of the stages' reports a step (stages.h). */
static int euler_step_cuda(void *opaque, double t, double dt, fc_step_report *rep, fc_err *err)
{
    (void)t; /* nothing of this solver varies in time but the state */
    euler_cuda_state *state = (euler_cuda_state *)opaque;
    euler_step_ctx c = {state, (fc_real)dt};
    const fc_stages stages = {&c, EULER_STAGES, euler_run_stage, state->rep,
                              fc_dev_reports_copy, euler_classify};
    int set, st = fc_stages_step(&state->p.grid, &stages, rep, &set, err);
    if (!st && rep->bad == FC_STATE_OK)
        fc_keep_stage(state->U[0], state->U[set], EULER_NFIELDS);
    return st;
}

__global__ static void euler_max_rate_kernel(euler_fields s, euler_column col, euler_params p,
                                             fc_dev_report *rep)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    double rate = 0;
    for (int j = blockIdx.y * blockDim.y + threadIdx.y; i < p.grid.nx && j < p.grid.ny;
         j += gridDim.y * blockDim.y) {
        const ptrdiff_t k = fc_idx(p.grid.pitch, p.grid.ng, i, j);
        fc_real v[EULER_NFIELDS];
        for (int f = 0; f < EULER_NFIELDS; f++)
            v[f] = s.f[f][k];
        const double r = euler_cell_rate(v[EULER_RHO], v[EULER_RHOU], v[EULER_RHOW], v[EULER_RHOT], col.rho[j],
                                         col.rt[j], &p);
        rate = r > rate ? r : rate;
    }
    fc_block_max_atomic(rate, &rep->rate_bits);
}

static int euler_max_rate_cuda(void *opaque, double *rate, fc_err *err)
{
    euler_cuda_state *state = (euler_cuda_state *)opaque;
    const fc_grid *g = &state->p.grid;
    int st;
    if ((st = fc_dev_report_reset(state->rep, err)))
        return st;
    euler_max_rate_kernel<<<cell_blocks(g), dim3(BLOCK_X, BLOCK_Y)>>>(fields_of(state, 0),
                                                                        state->col, state->p,
                                                                        state->rep);
    FC_CUDA_TRY(cudaGetLastError());
    unsigned long long first_bad = ~0ULL;
    if ((st = fc_dev_report_read(state->rep, rate, &first_bad, err)))
        return st;
    *rate = fc_grid_max(g, *rate);
    return FC_OK;
}

static void euler_destroy_cuda(void *opaque)
{
    euler_cuda_state *state = (euler_cuda_state *)opaque;
    if (!state)
        return;
    for (int s = 0; s < EULER_SETS; s++)
        for (int f = 0; f < EULER_NFIELDS; f++)
            cudaFree(state->U[s][f]);
    const int j0 = state->col.j0; /* the column arrays point j0 rows into the whole column */
    fc_real *col[] = {state->col.rho, state->col.rt,    state->col.p,
                      state->col.theta, state->col.rho_f, state->col.rt_f};
    for (size_t k = 0; k < sizeof col / sizeof col[0]; k++)
        if (col[k])
            cudaFree(col[k] - j0);
    cudaFree(state->P);
    cudaFree(state->rep);
    for (int f = 0; f < EULER_NFIELDS; f++)
        fc_pinned_free(state->mirror[f]);
    free(state);
}

/* The background column, made on the host and copied to the device. The whole grid's column,
 * as on the host: a rank's block reads the rows of its neighbours' blocks in its halos. */
static int upload_column(euler_cuda_state *state, fc_err *err)
{
    euler_column host;
    int st = euler_column_make(&state->p, &host, err);
    if (st)
        return st;
    const int ny = state->p.grid.ny_whole, j0 = host.j0;
    fc_real *const src[] = {host.rho, host.rt, host.p, host.theta, host.rho_f, host.rt_f};
    fc_real **dst[] = {&state->col.rho, &state->col.rt, &state->col.p, &state->col.theta,
                       &state->col.rho_f, &state->col.rt_f};
    state->col.j0 = j0;
    for (size_t k = 0; k < sizeof src / sizeof src[0] && !st; k++) {
        const size_t bytes = (size_t)(k < 4 ? ny : ny + 1) * sizeof(fc_real);
        fc_real *whole = NULL;
        if (!(st = fc_dev_alloc((void **)&whole, bytes, err)))
            st = fc_dev_upload(whole, src[k] - j0, bytes, err);
        if (whole)
            *dst[k] = whole + j0;
    }
    euler_column_free(&host);
    return st;
}

static int euler_create_cuda(const fc_grid *g, const void *params, void **out, fc_err *err)
{
    euler_cuda_state *state = (euler_cuda_state *)calloc(1, sizeof *state);
    if (!state)
        return fc_fail(err, FC_ENOMEM, "out of host memory");
    state->p = *(const euler_params *)params;
    state->p.grid = *g;
    const size_t bytes = g->nalloc * sizeof(fc_real);
    int st = FC_OK;
    for (int s = 0; s < EULER_SETS && !st; s++)
        for (int f = 0; f < EULER_NFIELDS && !st; f++)
            st = fc_dev_alloc((void **)&state->U[s][f], bytes, err);
    if (!st)
        st = fc_dev_alloc((void **)&state->P, bytes, err);
    if (!st)
        st = fc_dev_alloc((void **)&state->rep, FC_MAX_STAGES * sizeof *state->rep, err);
    for (int f = 0; f < EULER_NFIELDS && !st && g->link; f++)
        st = fc_pinned_alloc((void **)&state->mirror[f], bytes, err);
    if (!st)
        st = upload_column(state, err);
    if (st) {
        euler_destroy_cuda(state);
        return st;
    }
    *out = state;
    return FC_OK;
}

static int euler_upload_cuda(void *opaque, const fc_state *host, fc_err *err)
{
    euler_cuda_state *state = (euler_cuda_state *)opaque;
    const fc_grid *g = &state->p.grid;
    int st;
    for (int f = 0; f < EULER_NFIELDS; f++)
        if ((st = fc_dev_upload(state->U[0][f], host->f[f], g->nalloc * sizeof(fc_real), err)))
            return st;
    if ((st = euler_fill_halos_cuda(state, 0, err)))
        return st;
    FC_CUDA_TRY(cudaDeviceSynchronize());
    return FC_OK;
}

static int euler_download_cuda(void *opaque, fc_state *host, fc_err *err)
{
    euler_cuda_state *state = (euler_cuda_state *)opaque;
    int st;
    for (int f = 0; f < EULER_NFIELDS; f++)
        if ((st = fc_dev_download(host->f[f], state->U[0][f],
                                  state->p.grid.nalloc * sizeof(fc_real), err)))
            return st;
    return FC_OK;
}

extern "C" const fc_solver_ops euler_ops_cuda = {
    "gpu",           euler_create_cuda,   euler_upload_cuda,  euler_max_rate_cuda,
    euler_step_cuda, euler_download_cuda, euler_destroy_cuda, NULL,
    FC_BLOCKS_TILES, /* halos through the host (fc_dev_fill_halos), reports through link.h */
};
