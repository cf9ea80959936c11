/*
 * spec_cuda.cu: the CUDA + cuFFT backend of the pseudo-spectral solver (equations and method in
 * spec.h). Same functions as spec_cpu.c, suffix _cuda, in the same order, and the same
 * pipeline: per stage, batched forward transforms of the products -> one kernel over the modes
 * (tendency, RK4 stage, next velocity coefficients and the budget sums, fused) -> batched
 * inverse transforms -> one kernel over the grid points (products, rate, NaN check, fused). So
 * a stage is two cuFFT calls and two kernels; the per-point and per-mode physics is the FC_HD
 * code of spec.h (multiply-adds may fuse: Makefile.am).
 *
 * Memory: as on the CPU (w, acc, X, phys, force), in cudaMalloc'd arrays with the same padded
 * distances; cuFFT allocates its own work areas. The state stays on the device. What crosses to
 * the host per step: one small struct of scalars each way (the budget sums of the stages, the
 * largest rate and the first bad point), one synchronisation per step. Sums are reduced in
 * double in a fixed order (per-block partial sums, then one block per sum), so runs repeat bit
 * for bit on one GPU; they differ from the CPU's by round-off (the transforms are different
 * algorithms).
 */
#include <fc_build.h>

#include <climits>
#include <cstdlib>
#include <cstring>

#include <cufft.h>

#include "src/core/backend.h"
#include "src/core/cuda_util.h"
#include "solvers/spectral/spec.h"

#define SPEC_BLOCK 256
#define SPEC_SETS 5 /* sums of the four stage outputs, and of a primed state */
#define SPEC_PRIME 4

#ifdef FC_SINGLE
#define SPEC_R2C CUFFT_R2C
#define SPEC_C2R CUFFT_C2R
#define spec_exec_r2c(plan, in, out) cufftExecR2C(plan, (cufftReal *)(in), (cufftComplex *)(out))
#define spec_exec_c2r(plan, in, out) cufftExecC2R(plan, (cufftComplex *)(in), (cufftReal *)(out))
#else
#define SPEC_R2C CUFFT_D2Z
#define SPEC_C2R CUFFT_Z2D
#define spec_exec_r2c(plan, in, out)                                                             \
    cufftExecD2Z(plan, (cufftDoubleReal *)(in), (cufftDoubleComplex *)(out))
#define spec_exec_c2r(plan, in, out)                                                             \
    cufftExecZ2D(plan, (cufftDoubleComplex *)(in), (cufftDoubleReal *)(out))
#endif

#define FC_CUFFT_TRY(call)                                                                       \
    do {                                                                                         \
        cufftResult fc_fft_e_ = (call);                                                          \
        if (fc_fft_e_ != CUFFT_SUCCESS)                                                          \
            return fc_fail(err, FC_EDEVICE, "cuFFT error %d at %s:%d (%s)", (int)fc_fft_e_,      \
                           __FILE__, __LINE__, #call);                                           \
    } while (0)

/* What the kernels report, per set (a stage, or a primed state). */
struct spec_dev_scalars {
    double sums[SPEC_SETS][SPEC_NSUMS];
    unsigned long long rate_bits[SPEC_SETS]; /* bits of a non-negative double */
    unsigned long long first_bad[SPEC_SETS]; /* first bad point, ULLONG_MAX: none */
};

struct spec_cuda_state {
    spec_params p;
    size_t dist_r, dist_c, nmodes, npoints;
    unsigned mode_blocks;
    spec_cplx *w, *acc, *X, *force;
    fc_real *phys;
    double *partial; /* [SPEC_SETS][mode_blocks][SPEC_NSUMS] */
    spec_dev_scalars *scalars;
    cufftHandle fwd, inv, up, down;
    void *fft_work; /* one work area for the four plans, which never run at once */
    int plans; /* how many of them were made */
    double cur[SPEC_NSUMS];
    double rate; /* largest advective rate of the state, or the forcing's (s-1) */
};

static void spec_destroy_cuda(void *opaque)
{
    spec_cuda_state *state = (spec_cuda_state *)opaque;
    if (!state)
        return;
    cufftHandle plans[4] = {state->fwd, state->inv, state->up, state->down};
    for (int k = 0; k < state->plans; k++)
        cufftDestroy(plans[k]);
    fc_dev_free(state->w);
    fc_dev_free(state->acc);
    fc_dev_free(state->X);
    fc_dev_free(state->force);
    fc_dev_free(state->phys);
    fc_dev_free(state->partial);
    fc_dev_free(state->scalars);
    fc_dev_free(state->fft_work);
    free(state);
}

/* nfields transforms at once, real side dist_r apart, complex side dist_c apart; the plan gets
 * no work area of its own, and *work grows to the size it needs. On failure no plan is left. */
static int plan_many(const spec_cuda_state *state, cufftHandle *plan, cufftType type, int nfields,
                     size_t *work, fc_err *err)
{
    int n[2] = {state->p.ny, state->p.nx}, real_embed[2] = {state->p.ny, state->p.nx},
        cplx_embed[2] = {state->p.ny, state->p.nxh};
    const int r2c = type == SPEC_R2C;
    FC_CUFFT_TRY(cufftCreate(plan));
    size_t need = 0;
    cufftResult r = cufftSetAutoAllocation(*plan, 0);
    if (r == CUFFT_SUCCESS)
        r = cufftMakePlanMany(*plan, 2, n, r2c ? real_embed : cplx_embed, 1,
                              (int)(r2c ? state->dist_r : state->dist_c),
                              r2c ? cplx_embed : real_embed, 1,
                              (int)(r2c ? state->dist_c : state->dist_r), type, nfields, &need);
    if (r != CUFFT_SUCCESS) {
        cufftDestroy(*plan);
        return fc_fail(err, r == CUFFT_ALLOC_FAILED ? FC_ENOMEM : FC_EDEVICE,
                       "cuFFT could not plan %d %s transforms of %d x %d (error %d)", nfields,
                       r2c ? "forward" : "inverse", state->p.nx, state->p.ny, (int)r);
    }
    *work = need > *work ? need : *work;
    return FC_OK;
}

static int spec_create_cuda(const fc_grid *g, const void *params, void **out, fc_err *err)
{
    spec_cuda_state *state = (spec_cuda_state *)calloc(1, sizeof *state);
    if (!state)
        return fc_fail(err, FC_ENOMEM, "out of host memory");
    state->p = *(const spec_params *)params;
    const spec_params *p = &state->p;
    const int nst = 1 + (p->tracer != SPEC_TRACER_NONE), nf = spec_nforward(p);
    state->npoints = (size_t)g->nx * g->ny;
    state->nmodes = (size_t)p->ny * p->nxh;
    state->dist_r = spec_pad64(state->npoints, sizeof(fc_real));
    state->dist_c = spec_pad64(state->nmodes, sizeof(spec_cplx));
    state->mode_blocks = fc_blocks((long long)state->nmodes, SPEC_BLOCK);
    const size_t cbytes = state->dist_c * sizeof(spec_cplx);
    int st = FC_OK;
    if ((st = fc_dev_alloc((void **)&state->w, nst * cbytes, err)) ||
        (st = fc_dev_alloc((void **)&state->acc, nst * cbytes, err)) ||
        (st = fc_dev_alloc((void **)&state->X, nf * cbytes, err)) ||
        (st = fc_dev_alloc((void **)&state->phys, nf * state->dist_r * sizeof(fc_real), err)) ||
        (st = fc_dev_alloc((void **)&state->partial,
                           (size_t)SPEC_SETS * state->mode_blocks * SPEC_NSUMS * sizeof(double), err)) ||
        (st = fc_dev_alloc((void **)&state->scalars, sizeof *state->scalars, err))) {
        spec_destroy_cuda(state);
        return st;
    }
    if (p->forcing != SPEC_FORCING_NONE) {
        spec_cplx *f = (spec_cplx *)malloc(state->nmodes * sizeof *f);
        if (!f)
            st = fc_fail(err, FC_ENOMEM, "out of host memory");
        else {
            spec_forcing_pattern(p, f);
            if (!(st = fc_dev_alloc((void **)&state->force, cbytes, err)))
                st = fc_dev_upload(state->force, f, state->nmodes * sizeof *f, err);
            free(f);
        }
    }
    cufftHandle *plans[4] = {&state->fwd, &state->inv, &state->up, &state->down};
    const cufftType types[4] = {SPEC_R2C, SPEC_C2R, SPEC_R2C, SPEC_C2R};
    const int counts[4] = {nf, spec_ninverse(p), nst, nst};
    size_t work = 0;
    for (int k = 0; k < 4 && !st; k++)
        if (!(st = plan_many(state, plans[k], types[k], counts[k], &work, err)))
            state->plans++;
    if (!st && work > 0 && !(st = fc_dev_alloc(&state->fft_work, work, err)))
        for (int k = 0; k < 4 && !st; k++)
            if (cufftSetWorkArea(*plans[k], state->fft_work) != CUFFT_SUCCESS)
                st = fc_fail(err, FC_EDEVICE, "cuFFT did not take the shared work area");
    if (st) {
        spec_destroy_cuda(state);
        return st;
    }
    *out = state;
    return FC_OK;
}

/* Block-wide sums of SPEC_NSUMS doubles, written to out[blockIdx.x * SPEC_NSUMS + q]: a tree in
 * shared memory in a fixed order, so the result does not depend on scheduling. */
__device__ static void spec_block_sums(const double *mine, double *out)
{
    __shared__ double buf[SPEC_NSUMS][SPEC_BLOCK];
    for (int q = 0; q < SPEC_NSUMS; q++)
        buf[q][threadIdx.x] = mine[q];
    __syncthreads();
    for (int half = SPEC_BLOCK / 2; half > 0; half /= 2) {
        if ((int)threadIdx.x < half)
            for (int q = 0; q < SPEC_NSUMS; q++)
                buf[q][threadIdx.x] += buf[q][threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x < SPEC_NSUMS)
        out[(size_t)blockIdx.x * SPEC_NSUMS + threadIdx.x] = buf[threadIdx.x][0];
}

/* Sum q of set `set` over the blocks' partial sums: one block per (set, q), fixed order. */
__global__ static void spec_total_kernel(const double *partial, unsigned blocks, int set0,
                                         spec_dev_scalars *sc)
{
    __shared__ double buf[SPEC_BLOCK];
    const int set = set0 + blockIdx.y, q = blockIdx.x;
    const double *part = partial + (size_t)set * blocks * SPEC_NSUMS;
    double s = 0;
    for (unsigned b = threadIdx.x; b < blocks; b += SPEC_BLOCK)
        s += part[(size_t)b * SPEC_NSUMS + q];
    buf[threadIdx.x] = s;
    __syncthreads();
    for (int half = SPEC_BLOCK / 2; half > 0; half /= 2) {
        if ((int)threadIdx.x < half)
            buf[threadIdx.x] += buf[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0)
        sc->sums[set][q] = buf[0];
}

__global__ static void spec_products_kernel(spec_params p, fc_real *phys, size_t dist,
                                            size_t npoints, unsigned long long *rate_bits,
                                            unsigned long long *first_bad)
{
    const size_t k = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    double rate = 0;
    if (k < npoints) {
        const spec_point q = spec_point_products(&p, p.tracer != SPEC_TRACER_NONE, k, dist, phys);
        rate = q.rate;
        if (!q.finite)
            atomicMin(first_bad, (unsigned long long)k);
        if (!(rate >= 0))
            rate = 0; /* a NaN is reported as a bad point, not as a rate */
    }
    fc_block_max_atomic(rate, rate_bits);
}

/* The products of the fields in the grid-side slots, into set `set` of the scalars. */
static int spec_products_cuda(spec_cuda_state *state, int set, fc_err *err)
{
    spec_products_kernel<<<fc_blocks((long long)state->npoints, SPEC_BLOCK), SPEC_BLOCK>>>(
        state->p, state->phys, state->dist_r, state->npoints, &state->scalars->rate_bits[set],
        &state->scalars->first_bad[set]);
    FC_CUDA_TRY(cudaGetLastError());
    return FC_OK;
}

/* Sets every rate to 0 and every first bad point to none. */
static int spec_reset_scalars_cuda(spec_cuda_state *state, fc_err *err)
{
    spec_dev_scalars h;
    memset(&h, 0, sizeof h);
    for (int s = 0; s < SPEC_SETS; s++)
        h.first_bad[s] = ULLONG_MAX;
    FC_CUDA_TRY(cudaMemcpyAsync(state->scalars, &h, sizeof h, cudaMemcpyHostToDevice));
    return FC_OK;
}

__global__ static void spec_emit_kernel(spec_params p, size_t nmodes, size_t dist,
                                        const spec_cplx *w, const spec_cplx *force, spec_cplx *X,
                                        double *partial)
{
    const size_t k = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    double sums[SPEC_NSUMS] = {0, 0, 0, 0};
    if (k < nmodes) {
        const int i = (int)(k % p.nxh), j = (int)(k / p.nxh);
        const spec_mode m = spec_mode_at(&p, i, j);
        const spec_cplx zero = {0, 0};
        spec_emit_mode(&p, m, k, dist, w[k], p.tracer ? w[k + dist] : zero,
                       force && m.keep ? force[k] : zero, X, sums);
    }
    spec_block_sums(sums, partial);
}

/* Fills the transform slots with the products of the state w, and state->cur, state->rate. */
static int spec_prime_cuda(spec_cuda_state *state, fc_err *err)
{
    int st;
    if ((st = spec_reset_scalars_cuda(state, err)))
        return st;
    double *part = state->partial + (size_t)SPEC_PRIME * state->mode_blocks * SPEC_NSUMS;
    spec_emit_kernel<<<state->mode_blocks, SPEC_BLOCK>>>(state->p, state->nmodes, state->dist_c, state->w,
                                                      state->force, state->X, part);
    FC_CUDA_TRY(cudaGetLastError());
    spec_total_kernel<<<dim3(SPEC_NSUMS, 1), SPEC_BLOCK>>>(state->partial, state->mode_blocks,
                                                           SPEC_PRIME, state->scalars);
    FC_CUDA_TRY(cudaGetLastError());
    FC_CUFFT_TRY(spec_exec_c2r(state->inv, state->X, state->phys));
    if ((st = spec_products_cuda(state, SPEC_PRIME, err)))
        return st;
    spec_dev_scalars h;
    FC_CUDA_TRY(cudaMemcpy(&h, state->scalars, sizeof h, cudaMemcpyDeviceToHost));
    memcpy(state->cur, h.sums[SPEC_PRIME], sizeof state->cur);
    memcpy(&state->rate, &h.rate_bits[SPEC_PRIME], sizeof(double));
    state->rate = fmax(state->rate, spec_forcing_rate(&state->p));
    return FC_OK;
}

/* Normalised coefficients of the kept modes, from the forward transforms in X. */
__global__ static void spec_upload_kernel(spec_params p, size_t nmodes, size_t dist, int nst,
                                          fc_real scale, const spec_cplx *X, spec_cplx *w)
{
    const size_t k = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= nmodes)
        return;
    const spec_mode m = spec_mode_at(&p, (int)(k % p.nxh), (int)(k / p.nxh));
    for (int f = 0; f < nst; f++) {
        const size_t kf = k + f * dist;
        const int keep = m.keep && (f == SPEC_TRACER || m.k2 > 0);
        w[kf].re = keep ? X[kf].re * scale : 0;
        w[kf].im = keep ? X[kf].im * scale : 0;
    }
}

static int spec_upload_cuda(void *opaque, const fc_state *host, fc_err *err)
{
    spec_cuda_state *state = (spec_cuda_state *)opaque;
    const spec_params *p = &state->p;
    const int nst = 1 + (p->tracer != SPEC_TRACER_NONE);
    int st;
    for (int f = 0; f < nst; f++)
        if ((st = fc_dev_upload(state->phys + f * state->dist_r, host->f[f],
                                state->npoints * sizeof(fc_real), err)))
            return st;
    FC_CUFFT_TRY(spec_exec_r2c(state->up, state->phys, state->X));
    spec_upload_kernel<<<state->mode_blocks, SPEC_BLOCK>>>(state->p, state->nmodes, state->dist_c, nst,
                                                        (fc_real)(1.0 / (double)state->npoints),
                                                        state->X, state->w);
    FC_CUDA_TRY(cudaGetLastError());
    return spec_prime_cuda(state, err);
}

static int spec_max_rate_cuda(void *opaque, double *rate, fc_err *err)
{
    (void)err;
    *rate = ((spec_cuda_state *)opaque)->rate;
    return FC_OK;
}

__global__ static void spec_stage_kernel(spec_params p, int s, fc_real h, fc_real scale,
                                         size_t nmodes, size_t dist, spec_cplx *X,
                                         const spec_cplx *w, spec_cplx *acc,
                                         const spec_cplx *force, double *partial)
{
    const size_t k = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    double sums[SPEC_NSUMS] = {0, 0, 0, 0};
    if (k < nmodes) {
        /* The factors are recomputed at each stage: an exp costs the GPU less than reading them
         * from memory would (the CPU computes them once per step, spec_cpu.c). */
        const int i = (int)(k % p.nxh), j = (int)(k / p.nxh);
        const fc_real k2 = spec_mode_at(&p, i, j).k2;
        spec_stage_mode(&p, s, h, scale, i, j, k, dist, spec_factor(&p, k2, h),
                        p.tracer ? spec_tracer_factor(&p, k2, h) : 0, X, w, acc, force, sums);
    }
    spec_block_sums(sums, partial);
}

static int spec_step_cuda(void *opaque, double t0, double dt, fc_step_report *rep, fc_err *err)
{
    (void)t0; /* nothing of this solver varies in time but the state */
    spec_cuda_state *state = (spec_cuda_state *)opaque;
    const spec_params *p = &state->p;
    const fc_real h = (fc_real)dt, scale = (fc_real)(1.0 / ((double)p->nx * p->ny));
    int st;
    memset(rep, 0, sizeof *rep);
    if ((st = spec_reset_scalars_cuda(state, err)))
        return st;
    for (int s = 0; s < 4; s++) {
        FC_CUFFT_TRY(spec_exec_r2c(state->fwd, state->phys, state->X));
        spec_stage_kernel<<<state->mode_blocks, SPEC_BLOCK>>>(
            state->p, s, h, scale, state->nmodes, state->dist_c, state->X, state->w, state->acc, state->force,
            state->partial + (size_t)s * state->mode_blocks * SPEC_NSUMS);
        FC_CUDA_TRY(cudaGetLastError());
        FC_CUFFT_TRY(spec_exec_c2r(state->inv, state->X, state->phys));
        if ((st = spec_products_cuda(state, s, err)))
            return st;
    }
    spec_total_kernel<<<dim3(SPEC_NSUMS, 4), SPEC_BLOCK>>>(state->partial, state->mode_blocks, 0,
                                                           state->scalars);
    FC_CUDA_TRY(cudaGetLastError());
    spec_dev_scalars h_sc;
    FC_CUDA_TRY(cudaMemcpy(&h_sc, state->scalars, sizeof h_sc, cudaMemcpyDeviceToHost));
    for (int s = 0; s < 4; s++)
        if (h_sc.first_bad[s] != ULLONG_MAX) {
            /* The state before the step is kept; the slots are rebuilt from it. */
            rep->bad = FC_STATE_NAN;
            rep->bad_cell = (long long)h_sc.first_bad[s];
            rep->bad_value = NAN;
            if ((st = spec_prime_cuda(state, err)))
                return st;
            rep->max_rate = state->rate;
            return FC_OK;
        }
    const double *const stage[4] = {state->cur, h_sc.sums[0], h_sc.sums[1], h_sc.sums[2]};
    spec_budget_residuals(state->cur, h_sc.sums[3], stage, dt,
                          &rep->stats[SPEC_STAT_ENERGY_RESIDUAL],
                          &rep->stats[SPEC_STAT_ENSTROPHY_RESIDUAL]);
    spec_cplx *t = state->w;
    state->w = state->acc;
    state->acc = t;
    memcpy(state->cur, h_sc.sums[3], sizeof state->cur);
    memcpy(&state->rate, &h_sc.rate_bits[3], sizeof(double));
    state->rate = fmax(state->rate, spec_forcing_rate(p));
    rep->max_rate = state->rate;
    return FC_OK;
}

static int spec_download_cuda(void *opaque, fc_state *host, fc_err *err)
{
    spec_cuda_state *state = (spec_cuda_state *)opaque;
    const int nst = 1 + (state->p.tracer != SPEC_TRACER_NONE);
    /* The inverse transform overwrites its input: it works on a copy in the slots. */
    FC_CUDA_TRY(cudaMemcpy(state->X, state->w, nst * state->dist_c * sizeof(spec_cplx),
                           cudaMemcpyDeviceToDevice));
    FC_CUFFT_TRY(spec_exec_c2r(state->down, state->X, state->phys));
    int st;
    for (int f = 0; f < nst; f++)
        if ((st = fc_dev_download(host->f[f], state->phys + f * state->dist_r,
                                  state->npoints * sizeof(fc_real), err)))
            return st;
    return spec_prime_cuda(state, err);
}

/* As spec_profile_cpu, timed with CUDA events. */
static int spec_profile_cuda(void *opaque, double t0, double dt, int reps,
                             fc_profile *out, fc_err *err)
{
    spec_cuda_state *state = (spec_cuda_state *)opaque;
    double *t = (double *)malloc(3 * (size_t)reps * sizeof *t);
    cudaEvent_t ev[3] = {NULL, NULL, NULL};
    int st = t ? FC_OK : fc_fail(err, FC_ENOMEM, "out of host memory");
    for (int k = 0; k < 3 && !st; k++)
        if (cudaEventCreate(&ev[k]) != cudaSuccess)
            st = fc_fail(err, FC_EDEVICE, "cannot create a CUDA event");
    for (int r = 0; r < reps && !st; r++) {
        fc_step_report rep;
        float step_ms = 0, fft_ms = 0;
        if (cudaEventRecord(ev[0]) != cudaSuccess ||
            (st = spec_step_cuda(state, t0 + r * dt, dt, &rep, err)) ||
            cudaEventRecord(ev[1]) != cudaSuccess) {
            if (!st) /* a failed record leaves no timing to read */
                st = fc_fail(err, FC_EDEVICE, "CUDA events failed while profiling");
            break;
        }
        for (int k = 0; k < 4 && !st; k++)
            if (spec_exec_r2c(state->fwd, state->phys, state->X) != CUFFT_SUCCESS ||
                spec_exec_c2r(state->inv, state->X, state->phys) != CUFFT_SUCCESS)
                st = fc_fail(err, FC_EDEVICE, "cuFFT failed while profiling");
        if (st || cudaEventRecord(ev[2]) != cudaSuccess || cudaEventSynchronize(ev[2]) != cudaSuccess ||
            cudaEventElapsedTime(&step_ms, ev[0], ev[1]) != cudaSuccess ||
            cudaEventElapsedTime(&fft_ms, ev[1], ev[2]) != cudaSuccess) {
            if (!st)
                st = fc_fail(err, FC_EDEVICE, "CUDA events failed while profiling");
            break;
        }
        t[r] = step_ms / 1e3;
        t[reps + r] = t[r] / 4;
        t[2 * reps + r] = fft_ms / 1e3 / 4;
        st = spec_prime_cuda(state, err);
    }
    memset(out, 0, sizeof *out);
    if (!st) {
        fc_profile_part(out, "step (4 RK stages)", t, reps);
        fc_profile_part(out, "one stage", t + reps, reps);
        fc_profile_part(out, "the stage's transforms alone", t + 2 * reps, reps);
    }
    for (int k = 0; k < 3; k++)
        if (ev[k])
            cudaEventDestroy(ev[k]);
    free(t);
    return st;
}

extern "C" const fc_solver_ops spec_ops_cuda = {
    "gpu",          spec_create_cuda,   spec_upload_cuda,  spec_max_rate_cuda,
    spec_step_cuda, spec_download_cuda, spec_destroy_cuda, spec_profile_cuda,
    FC_BLOCKS_NONE,
};
