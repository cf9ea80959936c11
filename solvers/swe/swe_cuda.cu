/*
 * swe_cuda.cu: the CUDA backend of the shallow-water solver (equations and method in swe.h).
 * Same functions as swe_cpu.c, suffix _cuda, in the same order; the cell physics is the FC_HD
 * code of swe.h, so the GPU performs the CPU's arithmetic (nvcc -fmad=false, IEEE division and
 * square root) and a GPU/CPU difference means an indexing, race or memory bug.
 *
 * Memory: as on the CPU, three sets of (h, hu, hv) and one bottom b on the device, each field
 * (ny + 4) x (nx + 4). The state stays on the device; only the stages' reports (largest signal
 * rate, first bad cell, largest change: 24 bytes each) cross to the host, once a step, and the fields at output
 * times.
 * Each RK stage is one kernel that reads each input field's stencil and writes each output field
 * once (halos are refreshed by a kernel over the halo cells only).
 *
 * On a rank's block of a split grid (link.h) the halos come through the host: the block's edge
 * bands are copied into host mirrors, exchanged and filled there, and the halo bands copied
 * back (fc_dev_fill_halos), before the kernel adds the open and inflow sides' state; each
 * step's reports are agreed over the ranks as on the CPU.
 */
#include <fc_build.h>

#include <cstdlib>
#include <cstring>

#include "src/core/backend.h"
#include "src/core/cuda_util.h"
#include "src/core/link.h"
#include "solvers/swe/swe.h"

#define SWE_SETS 3
#define BLOCK_X 32
#define BLOCK_Y 8

struct swe_fields {
    fc_real *f[SWE_NFIELDS];
};

typedef struct swe_cuda_state {
    swe_params p;
    fc_real *U[SWE_SETS][SWE_NFIELDS];
    fc_dev_report *rep; /* [FC_MAX_STAGES]: one per stage of a step */
    fc_real *mirror[SWE_NFIELDS]; /* host mirrors of a rank's block (page-locked); else NULL */
} swe_cuda_state;

static swe_fields fields_of(const swe_cuda_state *state, int set)
{
    swe_fields s;
    for (int f = 0; f < SWE_NFIELDS; f++)
        s.f[f] = state->U[set][f];
    return s;
}

/* Halo cell t of 2 ng full rows (bottom, top) and 2 ng cells of each interior row, for the
 * first nfields fields: filled from the interior unless the host filled them (staged), then
 * the open and inflow sides. */
__global__ static void swe_fill_halos_kernel(swe_fields s, swe_params p, int nfields, int staged)
{
    const fc_grid g = p.grid;
    const long long t = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= fc_halo_count(&g))
        return;
    int i, j;
    fc_halo_cell(&g, t, &i, &j);
    for (int f = 0; f < nfields && !staged; f++)
        fc_fill_halo_cell(s.f[f], g.pitch, g.ng, g.nx, g.ny, g.bc, i, j, swe_field_odd_x(f),
                          swe_field_odd_y(f));
    /* Open and inflow sides: their characteristic state over the copies (read from edge cells,
     * which no thread of this kernel writes). */
    const fc_real *U[SWE_NFIELDS] = {s.f[0], s.f[1], s.f[2], s.f[3]};
    fc_real v[3];
    if (nfields >= SWE_B && swe_side_ghost(U, &p, i, j, v)) {
        const ptrdiff_t k = fc_idx(g.pitch, g.ng, i, j);
        s.f[SWE_H][k] = v[0];
        s.f[SWE_HU][k] = v[1];
        s.f[SWE_HV][k] = v[2];
    }
}

static int swe_fill_halos_cuda(swe_cuda_state *state, int set, int nfields, fc_err *err)
{
    const fc_grid *g = &state->p.grid;
    const int staged = g->link != NULL;
    if (staged) {
        int odd_x[SWE_NFIELDS], odd_y[SWE_NFIELDS], st;
        for (int f = 0; f < nfields; f++) {
            odd_x[f] = swe_field_odd_x(f);
            odd_y[f] = swe_field_odd_y(f);
        }
        if ((st = fc_dev_fill_halos(g, state->U[set], state->mirror, odd_x, odd_y, nfields, err)))
            return st;
    }
    swe_fill_halos_kernel<<<fc_blocks(fc_halo_count(g), 256), 256>>>(fields_of(state, set), state->p,
                                                                      nfields, staged);
    FC_CUDA_TRY(cudaGetLastError());
    return FC_OK;
}

/* Blocks over the interior cells. */
static dim3 cell_blocks(const fc_grid *g) { return fc_cell_blocks(g->nx, g->ny, BLOCK_X, BLOCK_Y); }

/* At most 128 registers a thread, so that two blocks of 256 threads fit on a multiprocessor
 * whatever the compiler makes of the branch-free physics (CUDA 13: 118 on sm_90, 106 on sm_80,
 * no spills; 130 when both directions' stencils were live at once). */
__global__ static void __launch_bounds__(BLOCK_X * BLOCK_Y, 2) swe_stage_kernel(swe_fields in, swe_fields u0, swe_fields out, fc_real a,
                                 fc_real dt, swe_params p, int want_rate, fc_dev_report *rep)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    const fc_grid *g = &p.grid;
    const fc_real *U[SWE_NFIELDS] = {in.f[0], in.f[1], in.f[2], in.f[3]};
    const fc_real *U0[SWE_NFIELDS] = {u0.f[0], u0.f[1], u0.f[2], u0.f[3]};
    double rate = 0, change = 0;
    for (int j = blockIdx.y * blockDim.y + threadIdx.y; i < g->nx && j < g->ny;
         j += gridDim.y * blockDim.y) {
        fc_real v[3];
        swe_stage_cell(U, U0, a, dt, &p, i, j, v);
        const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
        out.f[SWE_H][k] = v[0];
        out.f[SWE_HU][k] = v[1];
        out.f[SWE_HV][k] = v[2];
        if (swe_check_cell(v) != FC_STATE_OK)
            atomicMin(&rep->first_bad, (unsigned long long)j * g->nx + i);
        if (want_rate) {
            double r = swe_cell_rate(v[0], v[1], v[2], &p);
            rate = r > rate ? r : rate;
            const swe_conserved nv = {v[0], v[1], v[2]},
                                u = {U0[SWE_H][k], U0[SWE_HU][k], U0[SWE_HV][k]};
            const double d = swe_cell_change(nv, u);
            change = d > change ? d : change;
        }
    }
    if (want_rate) { /* every thread of the block, inside the domain or not */
        fc_block_max_atomic(rate, &rep->rate_bits);
        fc_block_max_atomic(change / dt, &rep->change_bits);
    }
}

static int swe_stage_cuda(swe_cuda_state *state, int in, int out, fc_real a, fc_real dt, int want_rate,
                          fc_dev_report *rep, fc_err *err)
{
    const fc_grid *g = &state->p.grid;
    swe_stage_kernel<<<cell_blocks(g), dim3(BLOCK_X, BLOCK_Y)>>>(
        fields_of(state, in), fields_of(state, 0), fields_of(state, out), a, dt, state->p, want_rate, rep);
    FC_CUDA_TRY(cudaGetLastError());
    return FC_OK;
}

/* stages.h's callbacks: a stage (its halos, then its kernel) and the
 * classification of a bad cell from the values of the stage that wrote it, as on the CPU. */
typedef struct swe_step_ctx {
    swe_cuda_state *state;
    fc_real dt;
} swe_step_ctx;

static int swe_run_stage(void *ctx, int s, int in, int out, int slot, fc_err *err)
{
    const swe_step_ctx *c = (const swe_step_ctx *)ctx;
    const int rk = c->state->p.rk;
    int st;
    if ((st = swe_fill_halos_cuda(c->state, in, SWE_B, err)))
        return st;
    return swe_stage_cuda(c->state, in, out, swe_stage_a(rk, s), c->dt, s == swe_nstages(rk) - 1,
                          c->state->rep + slot, err);
}

static int swe_classify(void *ctx, int out, unsigned long long cell, fc_step_report *rep,
                        fc_err *err)
{
    const swe_cuda_state *state = ((const swe_step_ctx *)ctx)->state;
    const fc_grid *g = &state->p.grid;
    const ptrdiff_t k = fc_idx(g->pitch, g->ng, (int)(cell % g->nx), (int)(cell / g->nx));
    fc_real v[3];
    const int st = fc_dev_cell_values(state->U[out], 3, k, v, err);
    if (!st)
        swe_report_bad(v, (long long)cell, rep);
    return st;
}

/* One round trip of the stages' reports a step (stages.h). */
static int swe_step_cuda(void *opaque, double t, double dt, fc_step_report *rep, fc_err *err)
{
    (void)t; /* nothing of this solver varies in time but the state */
    swe_cuda_state *state = (swe_cuda_state *)opaque;
    swe_step_ctx c = {state, (fc_real)dt};
    const fc_stages stages = {&c, swe_nstages(state->p.rk), swe_run_stage, state->rep,
                              fc_dev_reports_copy, swe_classify};
    int set, st = fc_stages_step(&state->p.grid, &stages, rep, &set, err);
    if (!st && rep->bad == FC_STATE_OK)
        fc_keep_stage(state->U[0], state->U[set], SWE_B);
    return st;
}

__global__ static void swe_max_rate_kernel(swe_fields s, swe_params p, fc_dev_report *rep)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    double rate = 0;
    for (int j = blockIdx.y * blockDim.y + threadIdx.y; i < p.grid.nx && j < p.grid.ny;
         j += gridDim.y * blockDim.y) {
        ptrdiff_t k = fc_idx(p.grid.pitch, p.grid.ng, i, j);
        double r = swe_cell_rate(s.f[SWE_H][k], s.f[SWE_HU][k], s.f[SWE_HV][k], &p);
        rate = r > rate ? r : rate;
    }
    fc_block_max_atomic(rate, &rep->rate_bits);
}

static int swe_max_rate_cuda(void *opaque, double *rate, fc_err *err)
{
    swe_cuda_state *state = (swe_cuda_state *)opaque;
    const fc_grid *g = &state->p.grid;
    int st;
    if ((st = fc_dev_report_reset(state->rep, err)))
        return st;
    swe_max_rate_kernel<<<cell_blocks(g), dim3(BLOCK_X, BLOCK_Y)>>>(fields_of(state, 0), state->p,
                                                                      state->rep);
    FC_CUDA_TRY(cudaGetLastError());
    unsigned long long first_bad = ~0ULL;
    if ((st = fc_dev_report_read(state->rep, rate, &first_bad, err)))
        return st;
    *rate = fc_grid_max(g, *rate);
    return FC_OK;
}

static void swe_destroy_cuda(void *opaque)
{
    swe_cuda_state *state = (swe_cuda_state *)opaque;
    if (!state)
        return;
    for (int s = 0; s < SWE_SETS; s++)
        for (int f = 0; f < SWE_B; f++)
            cudaFree(state->U[s][f]);
    cudaFree(state->U[0][SWE_B]);
    cudaFree(state->rep);
    for (int f = 0; f < SWE_NFIELDS; f++)
        fc_pinned_free(state->mirror[f]);
    free(state);
}

static int swe_create_cuda(const fc_grid *g, const void *params, void **out, fc_err *err)
{
    swe_cuda_state *state = (swe_cuda_state *)calloc(1, sizeof *state);
    if (!state)
        return fc_fail(err, FC_ENOMEM, "out of host memory");
    state->p = *(const swe_params *)params;
    state->p.grid = *g;
    const size_t bytes = g->nalloc * sizeof(fc_real);
    int st = FC_OK;
    for (int s = 0; s < SWE_SETS && !st; s++)
        for (int f = 0; f < SWE_B && !st; f++)
            st = fc_dev_alloc((void **)&state->U[s][f], bytes, err);
    if (!st)
        st = fc_dev_alloc((void **)&state->U[0][SWE_B], bytes, err);
    if (!st)
        st = fc_dev_alloc((void **)&state->rep, FC_MAX_STAGES * sizeof *state->rep, err);
    for (int f = 0; f < SWE_NFIELDS && !st && g->link; f++)
        st = fc_pinned_alloc((void **)&state->mirror[f], bytes, err);
    for (int s = 0; s < SWE_SETS && !st; s++) {
        state->U[s][SWE_B] = state->U[0][SWE_B];
        for (int f = 0; f < SWE_B; f++) /* halos of unused rows stay defined */
            if (cudaMemset(state->U[s][f], 0, bytes) != cudaSuccess)
                st = fc_fail(err, FC_EDEVICE, "cudaMemset failed");
    }
    if (st) {
        swe_destroy_cuda(state);
        return st;
    }
    *out = state;
    return FC_OK;
}

static int swe_upload_cuda(void *opaque, const fc_state *host, fc_err *err)
{
    swe_cuda_state *state = (swe_cuda_state *)opaque;
    const fc_grid *g = &state->p.grid;
    int st;
    for (int f = 0; f < SWE_NFIELDS; f++)
        if ((st = fc_dev_upload(state->U[0][f], host->f[f], g->nalloc * sizeof(fc_real), err)))
            return st;
    if ((st = swe_fill_halos_cuda(state, 0, SWE_NFIELDS, err)))
        return st;
    FC_CUDA_TRY(cudaDeviceSynchronize());
    return FC_OK;
}

static int swe_download_cuda(void *opaque, fc_state *host, fc_err *err)
{
    swe_cuda_state *state = (swe_cuda_state *)opaque;
    int st;
    for (int f = 0; f < SWE_NFIELDS; f++)
        if ((st = fc_dev_download(host->f[f], state->U[0][f], state->p.grid.nalloc * sizeof(fc_real),
                                  err)))
            return st;
    return FC_OK;
}

extern "C" const fc_solver_ops swe_ops_cuda = {
    "gpu",         swe_create_cuda,   swe_upload_cuda,  swe_max_rate_cuda,
    swe_step_cuda, swe_download_cuda, swe_destroy_cuda, NULL,
    FC_BLOCKS_TILES, /* halos through the host (fc_dev_fill_halos), reports through link.h */
};
