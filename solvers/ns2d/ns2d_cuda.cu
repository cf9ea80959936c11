/*
 * ns2d_cuda.cu: the CUDA backend of the incompressible solver (equations and method in ns2d.h).
 * Same functions as ns2d_cpu.c, suffix _cuda, in the same order; the face physics is the FC_HD
 * code of ns2d.h (multiply-adds may fuse: Makefile.am).
 *
 * The pressure solve takes one of two forms, both built on the host from the cell kinds:
 * - the CSR hierarchy of ns2d_poisson.h (Galerkin coarse levels, damped Jacobi smoothing),
 *   applied with cuSPARSE's generic SpMV: the default, the form that has run on a GPU;
 * - with FC_NS2D_GPU_PRESSURE=stencil, the CPU's matrix-free multigrid (ns2d_mg.h): the same
 *   levels copied to the device, one kernel per red-black half sweep, residual, restriction,
 *   prolongation and halo copy, each calling the per-cell functions the CPU's loops call, so
 *   that the two V-cycles are the same arithmetic. It replaces the CSR form once check_gpu
 *   (which runs every ns2d case in both forms) has passed on a device.
 *
 * Memory: as on the CPU, three sets of (u, v, p), the solid field and the cell kinds on the
 * device, each (ny + 6) x (nx + 6); the pressure solve's levels and vectors (over the fluid
 * cells with CSR, in level 0's padded layout with the stencil); an immersed obstacle's table as
 * on the CPU (built on the host, copied). The state stays on the device. What crosses to the
 * host per step: one number per conjugate-gradient iteration (|r|^2, 8 bytes: the scalars
 * alpha and beta are formed on the device from dot products left there, ns2d_pcg_ops), and the
 * step report (24 bytes). Dot products and sums are reduced in double in a fixed order
 * (per-block partial sums, then one block), so runs repeat bit for bit; cuSPARSE uses its
 * deterministic CSR algorithm.
 */
#include <fc_build.h>

#include <climits>
#include <cstdlib>
#include <cstring>

#include <cusparse.h>

#include "src/core/backend.h"
#include "src/core/cuda_util.h"
#include "solvers/ns2d/ns2d.h"
#include "solvers/ns2d/ns2d_mg.h"

#define NS2D_SETS 3
#define BLOCK_X 32
#define BLOCK_Y 8
#define VEC_BLOCK 256
#define REDUCE_BLOCKS 1024

#ifdef FC_SINGLE
#define NS2D_CUDA_REAL CUDA_R_32F
#else
#define NS2D_CUDA_REAL CUDA_R_64F
#endif

#define FC_CUSPARSE_TRY(call)                                                                    \
    do {                                                                                         \
        cusparseStatus_t fc_sp_e_ = (call);                                                      \
        if (fc_sp_e_ != CUSPARSE_STATUS_SUCCESS)                                                 \
            return fc_fail(err, FC_EDEVICE, "cuSPARSE error at %s:%d (%s): %s", __FILE__,        \
                           __LINE__, #call, cusparseGetErrorString(fc_sp_e_));                   \
    } while (0)

struct ns2d_dev_report {
    unsigned long long rate_bits, change_bits; /* bits of non-negative doubles */
    unsigned long long first_bad;              /* j * nx + i, ULLONG_MAX: none */
    unsigned long long scale_bits; /* dy times a stage's largest |u|/dx, |v|/dy (ns2d_rhs_kernel) */
};

/* A CSR matrix on the device with its cuSPARSE descriptors: the matrix, and vectors of its
 * column (x) and row (y) sizes, pointed at the operands before each product. */
struct ns2d_dev_csr {
    int n, m, nnz;
    int *rowptr, *col;
    fc_real *val;
    cusparseSpMatDescr_t mat;
    cusparseDnVecDescr_t x, y;
};

struct ns2d_dev_level {
    ns2d_dev_csr A, P, R;
    fc_real *dinv, *x, *b, *r;
};

/* The matrix-free hierarchy of ns2d_mg.h on the device: each level's description as the host
 * built it, its arrays replaced by device copies (uniform: NULL; the kernels take a level by
 * value and call the per-cell functions of ns2d_mg.h). Conjugate gradients' r and z are level
 * 0's b and x; phi, rhs, d and q (ns2d_cuda_state) are in level 0's layout too. */
struct ns2d_dev_mg {
    int nlevels, singular, jacobi, ncoarse;
    int slots;             /* of level 0: the length of every vector */
    ns2d_mg_level lv[NS2D_MG_MAX_LEVELS];
    fc_real *fluid;        /* [slots]: 1 in fluid cells */
    int *coarse_slot;      /* [ncoarse] */
    fc_real *coarse_inv;   /* [ncoarse^2] */
};

typedef struct ns2d_cuda_state {
    ns2d_params p;
    /* Device arrays in the layouts of ns2d_cpu_state: u, v (m s-1), p (m2 s-2) of each set, the solid
     * field and the kinds, (ny + 6) x (nx + 6); cell_of [grid slots] and slot_of [n] as in
     * ns2d_poisson; the solver's vectors [n] per fluid cell. */
    fc_real *U[NS2D_SETS][3];
    fc_real *solid;
    signed char *kind;
    int *cell_of, *slot_of;
    int n, nlevels, singular, precond;
    /* The pressure solve: the matrix-free multigrid (stencil: FC_NS2D_GPU_PRESSURE=stencil, see
     * ns2d_create_cuda) or the CSR hierarchy; cell_of maps a grid slot to its unknown's index
     * in phi and rhs (its level-0 slot with the stencil), slot_of lists the unknowns' grid slots
     * row by row in both. */
    int stencil;
    ns2d_dev_mg mg;
    ns2d_dev_level lv[NS2D_MG_MAX_LEVELS];
    ns2d_dev_csr coarse_inv;
    fc_real *phi, *rhs, *r, *z, *d, *q; /* r and z: the CSR path's own; the stencil's are mg's */
    /* Conjugate gradients' vectors by enum ns2d_pcg_vector (r, z, d, q of either form) and
     * their length: the unknowns with CSR, level 0's slots with the stencil. */
    fc_real *cg[4];
    int ncg;
    /* [REDUCE_BLOCKS + 1 + NS2D_PCG_SCALARS]: per-block sums, a total, then conjugate
     * gradients' scalars (scalars) */
    double *partial, *scalars;
    /* The obstacle's table (ns2d_body.h): kept on the host for its sizes, copied per component
     * (indices and weights per entry) and the held bits per slot. */
    ns2d_ib ib;
    ptrdiff_t *ib_k[2], *ib_nb1[2], *ib_nb2[2];
    fc_real *ib_w1[2], *ib_w2[2];
    /* The mass fix (ns2d_ib_fix): rows of weights over both components, a change per row. */
    unsigned char *fix_comp, *fix_src_comp;
    ptrdiff_t *fix_k, *fix_src_k;
    int *fix_start;
    fc_real *fix_w, *fix_val;
    unsigned char *held;
    fc_real *open[2]; /* the faces' open fractions, or NULL */
    /* An inflow that varies in time (ns2d_inflow_faces): kept on the host for its size, its
     * slots, components and values at factor 1 on the device. */
    ns2d_inflow_faces inflow;
    ptrdiff_t *inflow_k;
    signed char *inflow_comp;
    fc_real *inflow_value;
    ns2d_dev_report *rep;
    cusparseHandle_t sp;
    void *spmv_buffer;
    size_t spmv_bytes;
    signed char *host_kind; /* the kinds, kept to build the matrices on the host */
    /* The fluid's faces in the force balance's box (ns2d_body.h): their slots per component
     * on the device, and their values before and after a step gathered there and read back,
     * u then v before, u then v after (box_vals, box_host). */
    ns2d_box_faces box;
    ptrdiff_t *box_k[2];
    fc_real *box_vals, *box_host;
    /* While `flowcast profile` times steps (ns2d_profile_cuda): NS2D_MARKS events a stage
     * between its parts, and the seconds of each part so far (enum NS2D_PART_...); marks is
     * NULL otherwise, and a step records nothing. */
    cudaEvent_t *marks;
    double secs[NS2D_PARTS];
} ns2d_cuda_state;

struct ns2d_set {
    fc_real *f[3];
};

static ns2d_set set_of(const ns2d_cuda_state *state, int s)
{
    ns2d_set r;
    for (int f = 0; f < 3; f++)
        r.f[f] = state->U[s][f];
    return r;
}

static unsigned vec_blocks(long long n)
{
    unsigned b = fc_blocks(n, VEC_BLOCK);
    return b < REDUCE_BLOCKS ? (b ? b : 1) : REDUCE_BLOCKS;
}

/* ---- sparse algebra over the fluid cells ---- */

/* y = alpha A x + beta y */
static int ns2d_spmv_cuda(ns2d_cuda_state *state, ns2d_dev_csr *A, fc_real alpha, const fc_real *x,
                          fc_real beta, fc_real *y, fc_err *err)
{
    FC_CUSPARSE_TRY(cusparseDnVecSetValues(A->x, (void *)x));
    FC_CUSPARSE_TRY(cusparseDnVecSetValues(A->y, y));
    FC_CUSPARSE_TRY(cusparseSpMV(state->sp, CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha, A->mat, A->x,
                                 &beta, A->y, NS2D_CUDA_REAL, CUSPARSE_SPMV_CSR_ALG2,
                                 state->spmv_buffer));
    return FC_OK;
}

/* r = b - A x */
static int ns2d_residual_cuda(ns2d_cuda_state *state, ns2d_dev_csr *A, const fc_real *b, const fc_real *x,
                              fc_real *r, fc_err *err)
{
    FC_CUDA_TRY(cudaMemcpyAsync(r, b, (size_t)A->n * sizeof *r, cudaMemcpyDeviceToDevice));
    return ns2d_spmv_cuda(state, A, -1, x, 1, r, err);
}

/* Per-block partial sums of a[i] * b[i] (b NULL: of a[i]) in double, grid-stride. */
__global__ static void ns2d_partial_dot_kernel(int n, const fc_real *a, const fc_real *b, double *partial)
{
    __shared__ double s[VEC_BLOCK];
    double acc = 0;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
        acc += b ? (double)a[i] * b[i] : (double)a[i];
    s[threadIdx.x] = acc;
    __syncthreads();
    for (int w = VEC_BLOCK / 2; w > 0; w /= 2) {
        if ((int)threadIdx.x < w)
            s[threadIdx.x] += s[threadIdx.x + w];
        __syncthreads();
    }
    if (threadIdx.x == 0)
        partial[blockIdx.x] = s[0];
}

/* The total of nb partial sums into *out, in a fixed order. */
__global__ static void ns2d_final_sum_kernel(int nb, const double *partial, double *out)
{
    __shared__ double s[REDUCE_BLOCKS];
    for (int i = threadIdx.x; i < REDUCE_BLOCKS; i += blockDim.x)
        s[i] = i < nb ? partial[i] : 0;
    __syncthreads();
    for (int w = REDUCE_BLOCKS / 2; w > 0; w /= 2) {
        for (int i = threadIdx.x; i < w; i += blockDim.x)
            s[i] += s[i + w];
        __syncthreads();
    }
    if (threadIdx.x == 0)
        *out = s[0];
}

/* Sum of a[i] * b[i] (b NULL: of a[i]), left on the device in *out. */
static int ns2d_sum_on_device_cuda(ns2d_cuda_state *state, int n, const fc_real *a, const fc_real *b,
                                   double *out, fc_err *err)
{
    const unsigned nb = vec_blocks(n);
    ns2d_partial_dot_kernel<<<nb, VEC_BLOCK>>>(n, a, b, state->partial);
    FC_CUDA_TRY(cudaGetLastError());
    ns2d_final_sum_kernel<<<1, VEC_BLOCK>>>((int)nb, state->partial, out);
    FC_CUDA_TRY(cudaGetLastError());
    return FC_OK;
}

/* a -= (sum / count) w (w NULL: 1) over n values */
__global__ static void ns2d_subtract_mean_kernel(int n, int count, fc_real *a, const fc_real *w,
                                                 const double *sum)
{
    const fc_real m = (fc_real)(*sum / count);
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
        a[i] -= w ? m * w[i] : m;
}

/* Removes the mean over the count unknowns (the null space of a singular pressure equation);
 * no host round trip. a has n values: the unknowns alone (fluid NULL), or level 0's slots with
 * fluid 1 in the unknowns' and 0 elsewhere. */
static int ns2d_remove_mean_cuda(ns2d_cuda_state *state, int n, int count, fc_real *a,
                                 const fc_real *fluid, fc_err *err)
{
    int st = ns2d_sum_on_device_cuda(state, n, a, fluid, state->partial + REDUCE_BLOCKS, err);
    if (st)
        return st;
    ns2d_subtract_mean_kernel<<<vec_blocks(n), VEC_BLOCK>>>(n, count, a, fluid,
                                                            state->partial + REDUCE_BLOCKS);
    FC_CUDA_TRY(cudaGetLastError());
    return FC_OK;
}

/* x += dinv r */
__global__ static void ns2d_jacobi_update_kernel(int n, const fc_real *dinv, const fc_real *r, fc_real *x)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
        x[i] += dinv[i] * r[i];
}

/* y = dinv x */
__global__ static void ns2d_scale_kernel(int n, const fc_real *dinv, const fc_real *x, fc_real *y)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
        y[i] = dinv[i] * x[i];
}

/* x += alpha d; r -= alpha q; alpha = num / den, read on the device */
__global__ static void ns2d_cg_update_kernel(int n, const double *num, const double *den,
                                             const fc_real *d, const fc_real *q, fc_real *x,
                                             fc_real *r)
{
    const fc_real alpha = (fc_real)(*num / *den);
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        x[i] += alpha * d[i];
        r[i] -= alpha * q[i];
    }
}

/* d = z + beta d; beta = num / den, read on the device */
__global__ static void ns2d_cg_direction_kernel(int n, const double *num, const double *den,
                                                const fc_real *z, fc_real *d)
{
    const fc_real beta = (fc_real)(*num / *den);
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
        d[i] = z[i] + beta * d[i];
}

/* x += dinv (b - A x): one damped Jacobi sweep; r receives b - A x. */
static int ns2d_jacobi_cuda(ns2d_cuda_state *state, ns2d_dev_level *l, fc_err *err)
{
    int st = ns2d_residual_cuda(state, &l->A, l->b, l->x, l->r, err);
    if (st)
        return st;
    ns2d_jacobi_update_kernel<<<vec_blocks(l->A.n), VEC_BLOCK>>>(l->A.n, l->dinv, l->r, l->x);
    FC_CUDA_TRY(cudaGetLastError());
    return FC_OK;
}

/* x = V-cycle(b) on level l (x is overwritten; a zero first guess). */
static int ns2d_vcycle_cuda(ns2d_cuda_state *state, int l, fc_err *err)
{
    ns2d_dev_level *lv = &state->lv[l];
    const int n = lv->A.n;
    int st;
    if (l == state->nlevels - 1)
        return ns2d_spmv_cuda(state, &state->coarse_inv, 1, lv->b, 0, lv->x, err);
    ns2d_scale_kernel<<<vec_blocks(n), VEC_BLOCK>>>(n, lv->dinv, lv->b, lv->x);
    FC_CUDA_TRY(cudaGetLastError());
    for (int s = 1; s < NS2D_MG_SWEEPS; s++)
        if ((st = ns2d_jacobi_cuda(state, lv, err)))
            return st;
    if ((st = ns2d_residual_cuda(state, &lv->A, lv->b, lv->x, lv->r, err)) ||
        (st = ns2d_spmv_cuda(state, &lv->R, 1, lv->r, 0, state->lv[l + 1].b, err)) ||
        (st = ns2d_vcycle_cuda(state, l + 1, err)) ||
        (st = ns2d_spmv_cuda(state, &lv->P, 1, state->lv[l + 1].x, 1, lv->x, err))) /* x += P x_c */
        return st;
    for (int s = 0; s < NS2D_MG_SWEEPS; s++)
        if ((st = ns2d_jacobi_cuda(state, lv, err)))
            return st;
    return FC_OK;
}

/* z = M^-1 r: the V-cycle, or the inverse diagonal. */
static int ns2d_precondition_cuda(ns2d_cuda_state *state, const fc_real *r, fc_real *z, fc_err *err)
{
    const int n = state->n;
    int st;
    if (state->precond == NS2D_PC_JACOBI) {
        ns2d_scale_kernel<<<vec_blocks(n), VEC_BLOCK>>>(n, state->lv[0].dinv, r, z);
        FC_CUDA_TRY(cudaGetLastError());
    } else {
        FC_CUDA_TRY(cudaMemcpyAsync(state->lv[0].b, r, (size_t)n * sizeof *r,
                                    cudaMemcpyDeviceToDevice));
        if ((st = ns2d_vcycle_cuda(state, 0, err)))
            return st;
        FC_CUDA_TRY(cudaMemcpyAsync(z, state->lv[0].x, (size_t)n * sizeof *z,
                                    cudaMemcpyDeviceToDevice));
    }
    return state->singular ? ns2d_remove_mean_cuda(state, n, n, z, NULL, err) : FC_OK;
}

/* Conjugate gradients' operations on either form's vectors (cg, ncg), the scalars on the
 * device: an iteration's one wait is the read of |r|^2. */
static int pcg_dot_cuda(void *ctx, int a, int b, int out, fc_err *err)
{
    ns2d_cuda_state *state = (ns2d_cuda_state *)ctx;
    return ns2d_sum_on_device_cuda(state, state->ncg, state->cg[a], state->cg[b],
                                   state->scalars + out, err);
}

static int pcg_read_cuda(void *ctx, int scalar, double *out, fc_err *err)
{
    ns2d_cuda_state *state = (ns2d_cuda_state *)ctx;
    FC_CUDA_TRY(cudaMemcpy(out, state->scalars + scalar, sizeof *out, cudaMemcpyDeviceToHost));
    return FC_OK;
}

static int pcg_first_direction_cuda(void *ctx, fc_err *err)
{
    ns2d_cuda_state *state = (ns2d_cuda_state *)ctx;
    FC_CUDA_TRY(cudaMemcpyAsync(state->cg[NS2D_PCG_D], state->cg[NS2D_PCG_Z],
                                (size_t)state->ncg * sizeof(fc_real), cudaMemcpyDeviceToDevice));
    return FC_OK;
}

static int pcg_update_cuda(void *ctx, int num, int den, fc_err *err)
{
    ns2d_cuda_state *state = (ns2d_cuda_state *)ctx;
    ns2d_cg_update_kernel<<<vec_blocks(state->ncg), VEC_BLOCK>>>(
        state->ncg, state->scalars + num, state->scalars + den, state->cg[NS2D_PCG_D],
        state->cg[NS2D_PCG_Q], state->phi, state->cg[NS2D_PCG_R]);
    FC_CUDA_TRY(cudaGetLastError());
    return FC_OK;
}

static int pcg_next_direction_cuda(void *ctx, int num, int den, fc_err *err)
{
    ns2d_cuda_state *state = (ns2d_cuda_state *)ctx;
    ns2d_cg_direction_kernel<<<vec_blocks(state->ncg), VEC_BLOCK>>>(
        state->ncg, state->scalars + num, state->scalars + den, state->cg[NS2D_PCG_Z],
        state->cg[NS2D_PCG_D]);
    FC_CUDA_TRY(cudaGetLastError());
    return FC_OK;
}

/* The CSR form's own: */
static int pcg_begin_cuda(void *ctx, fc_err *err)
{
    ns2d_cuda_state *state = (ns2d_cuda_state *)ctx;
    const int n = state->n;
    int st;
    if (state->singular && (st = ns2d_remove_mean_cuda(state, n, n, state->rhs, NULL, err)))
        return st;
    FC_CUDA_TRY(cudaMemcpyAsync(state->r, state->rhs, (size_t)n * sizeof(fc_real),
                                cudaMemcpyDeviceToDevice));
    FC_CUDA_TRY(cudaMemsetAsync(state->phi, 0, (size_t)n * sizeof(fc_real)));
    return FC_OK;
}

static int pcg_apply_cuda(void *ctx, fc_err *err)
{
    ns2d_cuda_state *state = (ns2d_cuda_state *)ctx;
    return ns2d_spmv_cuda(state, &state->lv[0].A, 1, state->d, 0, state->q, err);
}

static int pcg_precondition_cuda(void *ctx, fc_err *err)
{
    ns2d_cuda_state *state = (ns2d_cuda_state *)ctx;
    return ns2d_precondition_cuda(state, state->r, state->z, err);
}

static const ns2d_pcg_ops pcg_ops_cuda = {pcg_begin_cuda,           pcg_dot_cuda,
                                          pcg_read_cuda,            pcg_apply_cuda,
                                          pcg_precondition_cuda,    pcg_first_direction_cuda,
                                          pcg_update_cuda,          pcg_next_direction_cuda};

/* ---- the matrix-free multigrid of ns2d_mg.h, as stencil kernels ---- */

/* Threads over the cells (i, j) of a level, rows beyond the blocks by grid stride; a half sweep
 * has one thread per cell of its colour, so its x extent is half a row. */
static dim3 mg_blocks(int nx, int ny) { return fc_cell_blocks(nx, ny, BLOCK_X, BLOCK_Y); }

#define MG_CELL_LOOP(l)                                                                          \
    const int i = blockIdx.x * blockDim.x + threadIdx.x;                                        \
    for (int j = blockIdx.y * blockDim.y + threadIdx.y; i < (l)->nx && j < (l)->ny;             \
         j += gridDim.y * blockDim.y)

/*
 * Half a red-black Gauss-Seidel sweep: the cells of one colour ((i + j) % 2 == colour) take
 * ns2d_mg_relaxed, reading only the other colour. With first, x is taken as zero before it (the
 * V-cycle's first guess): the colour gets D^-1 b, the other colour 0, as on the CPU.
 */
__global__ static void ns2d_mg_half_sweep_kernel(ns2d_mg_level lv, int colour, int first)
{
    const ns2d_mg_level *l = &lv;
    const int m = blockIdx.x * blockDim.x + threadIdx.x;
    for (int j = blockIdx.y * blockDim.y + threadIdx.y; j < l->ny; j += gridDim.y * blockDim.y) {
        /* cells 2 m and 2 m + 1 of the row: i of the colour, o of the other */
        const int i = 2 * m + ((colour + j) & 1), o = 2 * m + 1 - ((colour + j) & 1);
        if (first && o < l->nx)
            l->x[NS2D_MG_SLOT(l, o, j)] = 0;
        if (i >= l->nx)
            continue;
        const ptrdiff_t s = NS2D_MG_SLOT(l, i, j);
        l->x[s] = first ? l->dinv[s] * l->b[s] : ns2d_mg_relaxed(l, s);
    }
}

/* The halo copies of x on a level with periodic sides (the corners are never read). */
__global__ static void ns2d_mg_halo_kernel(ns2d_mg_level lv, fc_real *x)
{
    const ns2d_mg_level *l = &lv;
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < l->nx || t < l->ny;
         t += gridDim.x * blockDim.x) {
        if (l->wrap_x && t < l->ny) {
            x[NS2D_MG_SLOT(l, -1, t)] = x[NS2D_MG_SLOT(l, l->nx - 1, t)];
            x[NS2D_MG_SLOT(l, l->nx, t)] = x[NS2D_MG_SLOT(l, 0, t)];
        }
        if (l->wrap_y && t < l->nx) {
            x[NS2D_MG_SLOT(l, t, -1)] = x[NS2D_MG_SLOT(l, t, l->ny - 1)];
            x[NS2D_MG_SLOT(l, t, l->ny)] = x[NS2D_MG_SLOT(l, t, 0)];
        }
    }
}

__global__ static void ns2d_mg_residual_kernel(ns2d_mg_level lv)
{
    const ns2d_mg_level *l = &lv;
    MG_CELL_LOOP(l)
    {
        const ptrdiff_t s = NS2D_MG_SLOT(l, i, j);
        l->r[s] = ns2d_mg_residual_at(l, s);
    }
}

/* c's b = P^T (f's weighted residual), one coarse cell per thread. */
__global__ static void ns2d_mg_restrict_kernel(ns2d_mg_level f, ns2d_mg_level cv)
{
    const ns2d_mg_level *c = &cv;
    MG_CELL_LOOP(c)
    c->b[NS2D_MG_SLOT(c, i, j)] = ns2d_mg_restrict_at(&f, i, j);
}

/* f's x += P (c's x), one fine cell per thread. */
__global__ static void ns2d_mg_prolong_kernel(ns2d_mg_level fv, ns2d_mg_level c)
{
    const ns2d_mg_level *f = &fv;
    MG_CELL_LOOP(f)
    {
        const int Jn = f->ay.nb[j];
        const fc_real *own = c.x + NS2D_MG_SLOT(&c, 0, f->ay.own[j]);
        const fc_real *nbr = Jn >= 0 ? c.x + NS2D_MG_SLOT(&c, 0, Jn) : NULL;
        const ptrdiff_t s = NS2D_MG_SLOT(f, i, j);
        f->x[s] += f->pscale[s] * ns2d_mg_prolong_sum(own, nbr, f->ax.own[i], f->ax.nb[i]);
    }
}

/* The coarsest level: x = dense inverse times b, a row per thread, summed as on the CPU. */
__global__ static void ns2d_mg_coarsest_kernel(ns2d_mg_level l, int n, const int *slot,
                                               const fc_real *inv)
{
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < n; r += gridDim.x * blockDim.x) {
        const fc_real *row = inv + (size_t)r * n;
        fc_real s = 0;
        for (int c = 0; c < n; c++)
            s += row[c] * l.b[slot[c]];
        l.x[slot[r]] = s;
    }
}

/* q = A d on level 0 (the halo of d holds its wrapped copies). */
__global__ static void ns2d_mg_apply_kernel(ns2d_mg_level lv, const fc_real *d, fc_real *q)
{
    const ns2d_mg_level *l = &lv;
    MG_CELL_LOOP(l)
    {
        const ptrdiff_t s = NS2D_MG_SLOT(l, i, j);
        q[s] = ns2d_mg_apply_at(l, d, s);
    }
}

static int ns2d_mg_halo_cuda(const ns2d_mg_level *l, fc_real *x, fc_err *err)
{
    if (!l->wrap_x && !l->wrap_y)
        return FC_OK;
    ns2d_mg_halo_kernel<<<vec_blocks(l->nx > l->ny ? l->nx : l->ny), VEC_BLOCK>>>(*l, x);
    FC_CUDA_TRY(cudaGetLastError());
    return FC_OK;
}

/* Half a sweep of one colour, then the halo copies it changed. */
static int ns2d_mg_half_sweep_cuda(const ns2d_mg_level *l, int colour, int first, fc_err *err)
{
    ns2d_mg_half_sweep_kernel<<<mg_blocks((l->nx + 1) / 2, l->ny), dim3(BLOCK_X, BLOCK_Y)>>>(
        *l, colour, first);
    FC_CUDA_TRY(cudaGetLastError());
    return ns2d_mg_halo_cuda(l, l->x, err);
}

/* x = V-cycle(b) on level lev from a zero guess, the CPU's V-cycle (ns2d_mg.h) step by step:
 * (red, black) sweeps, the coarse correction, (black, red) sweeps. */
static int ns2d_mg_vcycle_cuda(ns2d_dev_mg *mg, int lev, fc_err *err)
{
    const ns2d_mg_level *l = &mg->lv[lev];
    int st;
    if (lev == mg->nlevels - 1) {
        ns2d_mg_coarsest_kernel<<<vec_blocks(mg->ncoarse), VEC_BLOCK>>>(
            *l, mg->ncoarse, mg->coarse_slot, mg->coarse_inv);
        FC_CUDA_TRY(cudaGetLastError());
        return ns2d_mg_halo_cuda(l, l->x, err);
    }
    const ns2d_mg_level *c = &mg->lv[lev + 1];
    for (int k = 0; k < NS2D_MG_RB_SWEEPS; k++)
        if ((st = ns2d_mg_half_sweep_cuda(l, 0, k == 0, err)) ||
            (st = ns2d_mg_half_sweep_cuda(l, 1, 0, err)))
            return st;
    ns2d_mg_residual_kernel<<<mg_blocks(l->nx, l->ny), dim3(BLOCK_X, BLOCK_Y)>>>(*l);
    FC_CUDA_TRY(cudaGetLastError());
    ns2d_mg_restrict_kernel<<<mg_blocks(c->nx, c->ny), dim3(BLOCK_X, BLOCK_Y)>>>(*l, *c);
    FC_CUDA_TRY(cudaGetLastError());
    if ((st = ns2d_mg_vcycle_cuda(mg, lev + 1, err)))
        return st;
    ns2d_mg_prolong_kernel<<<mg_blocks(l->nx, l->ny), dim3(BLOCK_X, BLOCK_Y)>>>(*l, *c);
    FC_CUDA_TRY(cudaGetLastError());
    if ((st = ns2d_mg_halo_cuda(l, l->x, err)))
        return st;
    for (int k = 0; k < NS2D_MG_RB_SWEEPS; k++)
        if ((st = ns2d_mg_half_sweep_cuda(l, 1, 0, err)) ||
            (st = ns2d_mg_half_sweep_cuda(l, 0, 0, err)))
            return st;
    return FC_OK;
}

static int pcg_begin_stencil(void *ctx, fc_err *err)
{
    ns2d_cuda_state *state = (ns2d_cuda_state *)ctx;
    ns2d_dev_mg *mg = &state->mg;
    int st;
    if (mg->singular &&
        (st = ns2d_remove_mean_cuda(state, mg->slots, state->n, state->rhs, mg->fluid, err)))
        return st;
    FC_CUDA_TRY(cudaMemcpyAsync(mg->lv[0].b, state->rhs, (size_t)mg->slots * sizeof(fc_real),
                                cudaMemcpyDeviceToDevice));
    FC_CUDA_TRY(cudaMemsetAsync(state->phi, 0, (size_t)mg->slots * sizeof(fc_real)));
    return FC_OK;
}

static int pcg_apply_stencil(void *ctx, fc_err *err)
{
    ns2d_cuda_state *state = (ns2d_cuda_state *)ctx;
    const ns2d_mg_level *l = &state->mg.lv[0];
    int st = ns2d_mg_halo_cuda(l, state->d, err);
    if (st)
        return st;
    ns2d_mg_apply_kernel<<<mg_blocks(l->nx, l->ny), dim3(BLOCK_X, BLOCK_Y)>>>(*l, state->d,
                                                                            state->q);
    FC_CUDA_TRY(cudaGetLastError());
    return FC_OK;
}

static int pcg_precondition_stencil(void *ctx, fc_err *err)
{
    ns2d_cuda_state *state = (ns2d_cuda_state *)ctx;
    ns2d_dev_mg *mg = &state->mg;
    if (!mg->jacobi)
        return ns2d_mg_vcycle_cuda(mg, 0, err);
    ns2d_scale_kernel<<<vec_blocks(mg->slots), VEC_BLOCK>>>(mg->slots, mg->lv[0].dinv,
                                                             mg->lv[0].b, mg->lv[0].x);
    FC_CUDA_TRY(cudaGetLastError());
    return FC_OK;
}

/* With the stencil the dot products run over every slot of level 0: the halos of r and q hold
 * zeros, so each product counts the cells alone. */
static const ns2d_pcg_ops pcg_ops_stencil = {pcg_begin_stencil,        pcg_dot_cuda,
                                             pcg_read_cuda,            pcg_apply_stencil,
                                             pcg_precondition_stencil, pcg_first_direction_cuda,
                                             pcg_update_cuda,          pcg_next_direction_cuda};

/* phi from rhs (s-2) by either path; with the stencil, the zero-mean solution of a singular
 * equation once at the end, as ns2d_mg_solve_cpu. */
static int ns2d_pressure_solve_cuda(ns2d_cuda_state *state, fc_real c, const ns2d_tol *tol,
                                    int *its, double *res, fc_err *err)
{
    const ns2d_params *p = &state->p;
    int st = ns2d_pcg(state->stencil ? &pcg_ops_stencil : &pcg_ops_cuda, state, c, tol,
                      p->poisson_max_iter, its, res, err);
    if (!st && state->stencil && state->mg.singular)
        st = ns2d_remove_mean_cuda(state, state->mg.slots, state->n, state->phi, state->mg.fluid,
                                   err);
    return st;
}

/* ---- the step ---- */

/* Slots 1 - ng .. n + ng - 1 in each direction. */
static dim3 slot_blocks(const fc_grid *g)
{
    return fc_cell_blocks(g->nx + 2 * g->ng - 1, g->ny + 2 * g->ng - 1, BLOCK_X, BLOCK_Y);
}

__global__ static void ns2d_fill_ghosts_kernel(ns2d_set s, const signed char *kind, ns2d_params p)
{
    const fc_grid *g = &p.grid;
    const int i = (int)(blockIdx.x * blockDim.x + threadIdx.x) + 1 - g->ng;
    for (int j = (int)(blockIdx.y * blockDim.y + threadIdx.y) + 1 - g->ng;
         i < g->nx + g->ng && j < g->ny + g->ng; j += gridDim.y * blockDim.y) {
        ns2d_fill_slot(s.f[NS2D_U], kind, &p, 0, i, j);
        ns2d_fill_slot(s.f[NS2D_V], kind, &p, 1, i, j);
        int si = i, sj = j;
        ns2d_wrap(g, &si, &sj);
        if (si != i || sj != j)
            s.f[NS2D_P][fc_idx(g->pitch, g->ng, i, j)] =
                s.f[NS2D_P][fc_idx(g->pitch, g->ng, si, sj)];
    }
}

/* Fills the ghost and periodic slots of u and v of a set, and the periodic halo of p. */
static int ns2d_fill_ghosts_cuda(ns2d_cuda_state *state, int set, fc_err *err)
{
    ns2d_fill_ghosts_kernel<<<slot_blocks(&state->p.grid), dim3(BLOCK_X, BLOCK_Y)>>>(
        set_of(state, set), state->kind, state->p);
    FC_CUDA_TRY(cudaGetLastError());
    return FC_OK;
}

__global__ static void ns2d_fill_seams_kernel(ns2d_set s, const signed char *kind, ns2d_params p)
{
    const int t = (int)(blockIdx.x * blockDim.x + threadIdx.x);
    if (t < p.grid.nx || t < p.grid.ny)
        ns2d_fill_seam(s.f[NS2D_U], s.f[NS2D_V], kind, &p, t);
}

/* As ns2d_fill_seams_cpu: the periodic sides' seam faces of a set (ns2d_fill_seam). */
static int ns2d_fill_seams_cuda(ns2d_cuda_state *state, int set, fc_err *err)
{
    const fc_grid *g = &state->p.grid;
    ns2d_fill_seams_kernel<<<vec_blocks(g->nx > g->ny ? g->nx : g->ny), VEC_BLOCK>>>(
        set_of(state, set), state->kind, state->p);
    FC_CUDA_TRY(cudaGetLastError());
    return FC_OK;
}

/* Faces 0 .. nx (u) and 0 .. ny (v); the kernels skip those that are not updated. */
static dim3 face_blocks(const fc_grid *g)
{
    return fc_cell_blocks(g->nx + 1, g->ny + 1, BLOCK_X, BLOCK_Y);
}

__global__ static void ns2d_update_kernel(ns2d_set in, ns2d_set u0, ns2d_set out, fc_real a, fc_real dt,
                                   const signed char *kind, ns2d_params p)
{
    const fc_grid *g = &p.grid;
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    const fc_real *U[2] = {in.f[NS2D_U], in.f[NS2D_V]};
    for (int j = blockIdx.y * blockDim.y + threadIdx.y; i <= g->nx && j <= g->ny;
         j += gridDim.y * blockDim.y) {
        const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
        for (int comp = 0; comp < 2; comp++) {
            if (!ns2d_updated_at(kind, g, comp, i, j, k))
                continue;
            const fc_real t = ns2d_tendency(U, in.f[NS2D_P], kind, &p, comp, k);
            out.f[comp][k] = a * u0.f[comp][k] + (1 - a) * (in.f[comp][k] + dt * t);
        }
    }
}

/* The obstacle's forcing of n entries: out[k] from the stage's input (ns2d_force_body_cpu). */
__global__ static void ns2d_ib_force_kernel(int n, const ptrdiff_t *k, const ptrdiff_t *nb1,
                                            const ptrdiff_t *nb2, const fc_real *w1,
                                            const fc_real *w2, const fc_real *in, fc_real *out)
{
    for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < n; e += gridDim.x * blockDim.x)
        out[k[e]] = w1[e] * in[nb1[e]] + w2[e] * in[nb2[e]];
}

/* The n faces of a time-varying inflow at the given factor (ns2d_inflow_faces_set). */
__global__ static void ns2d_inflow_kernel(int n, const ptrdiff_t *k, const signed char *comp,
                                          const fc_real *value, fc_real factor, fc_real *u,
                                          fc_real *v)
{
    for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < n; e += gridDim.x * blockDim.x)
        (comp[e] == NS2D_U ? u : v)[k[e]] = value[e] * factor;
}

/* The mass fix, row t of n: its change gathered from both components, then added. */
__global__ static void ns2d_ib_fix_gather_kernel(int n, const int *start,
                                                 const unsigned char *src_comp,
                                                 const ptrdiff_t *src_k, const fc_real *w,
                                                 const fc_real *u, const fc_real *v, fc_real *val)
{
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < n; t += gridDim.x * blockDim.x) {
        fc_real s = 0;
        for (int e = start[t]; e < start[t + 1]; e++)
            s += w[e] * (src_comp[e] ? v : u)[src_k[e]];
        val[t] = s;
    }
}

__global__ static void ns2d_ib_fix_scatter_kernel(int n, const unsigned char *comp,
                                                  const ptrdiff_t *k, const fc_real *val,
                                                  fc_real *u, fc_real *v)
{
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < n; t += gridDim.x * blockDim.x)
        (comp[t] ? v : u)[k[t]] += val[t];
}

/* As ns2d_force_body_cpu: each component's table, then the mass fix. */
/* Sets set s's inflow faces to the inflow at model time t (nothing for a steady inflow). */
static int ns2d_inflow_cuda(ns2d_cuda_state *state, int s, double t, fc_err *err)
{
    const int n = state->inflow.n;
    if (n == 0)
        return FC_OK;
    ns2d_inflow_kernel<<<vec_blocks(n), VEC_BLOCK>>>(
        n, state->inflow_k, state->inflow_comp, state->inflow_value,
        (fc_real)ns2d_inflow_factor(&state->p, t), state->U[s][NS2D_U], state->U[s][NS2D_V]);
    FC_CUDA_TRY(cudaGetLastError());
    return FC_OK;
}

static int ns2d_force_body_cuda(ns2d_cuda_state *state, int in, int out, fc_err *err)
{
    for (int comp = 0; comp < 2; comp++) {
        const int n = state->ib.face[comp].n;
        if (n == 0)
            continue;
        ns2d_ib_force_kernel<<<vec_blocks(n), VEC_BLOCK>>>(
            n, state->ib_k[comp], state->ib_nb1[comp], state->ib_nb2[comp], state->ib_w1[comp],
            state->ib_w2[comp], state->U[in][comp], state->U[out][comp]);
        FC_CUDA_TRY(cudaGetLastError());
    }
    const int n = state->ib.fix.n;
    if (n > 0) {
        ns2d_ib_fix_gather_kernel<<<vec_blocks(n), VEC_BLOCK>>>(
            n, state->fix_start, state->fix_src_comp, state->fix_src_k, state->fix_w,
            state->U[out][NS2D_U], state->U[out][NS2D_V], state->fix_val);
        FC_CUDA_TRY(cudaGetLastError());
        ns2d_ib_fix_scatter_kernel<<<vec_blocks(n), VEC_BLOCK>>>(
            n, state->fix_comp, state->fix_k, state->fix_val, state->U[out][NS2D_U],
            state->U[out][NS2D_V]);
        FC_CUDA_TRY(cudaGetLastError());
    }
    return FC_OK;
}

/* The right-hand side, and dy times the largest |u|/dx or |v|/dy around the unknowns into
 * *scale_bits (zeroed before): the scale of the tolerance (ns2d_projection_tol), as
 * ns2d_stage_cpu. */
__global__ static void ns2d_rhs_kernel(int n, const int *slot_of, const int *cell_of,
                                       const fc_real *u, const fc_real *v, const fc_real *ou,
                                       const fc_real *ov, ptrdiff_t pitch, fc_real dx, fc_real dy,
                                       fc_real c, fc_real *rhs, unsigned long long *scale_bits)
{
    fc_real scale_h = 0; /* as ns2d_stage_cpu: the largest |u| dy/dx or |v|, over dy on the host */
    const fc_real aspect = dy / dx;
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < n; r += gridDim.x * blockDim.x) {
        const ptrdiff_t k = slot_of[r];
        rhs[cell_of[k]] = -ns2d_divergence_open(u, v, ou, ov, k, pitch, dx, dy) / c;
        const fc_real su = fc_abs(u[k]) > fc_abs(u[k + 1]) ? fc_abs(u[k]) : fc_abs(u[k + 1]),
                      sv = fc_abs(v[k]) > fc_abs(v[k + pitch]) ? fc_abs(v[k]) : fc_abs(v[k + pitch]);
        const fc_real s = su * aspect > sv ? su * aspect : sv;
        scale_h = s > scale_h ? s : scale_h;
    }
    fc_block_max_atomic((double)scale_h, scale_bits);
}

__global__ static void ns2d_correct_kernel(ns2d_set out, const fc_real *phi, const int *cell_of,
                                    const signed char *kind, const unsigned char *held, fc_real c,
                                    ns2d_params p)
{
    const fc_grid *g = &p.grid;
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    for (int j = blockIdx.y * blockDim.y + threadIdx.y; i <= g->nx && j <= g->ny;
         j += gridDim.y * blockDim.y) {
        const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
        for (int comp = 0; comp < 2; comp++) {
            if (!ns2d_updated_at(kind, g, comp, i, j, k) || ns2d_held(held, comp, k))
                continue;
            const ptrdiff_t s = comp == 0 ? 1 : g->pitch;
            const fc_real c_over_h = c / (fc_real)(comp == 0 ? g->dx : g->dy);
            out.f[comp][k] += ns2d_correction(phi, cell_of, kind, k - s, k, c_over_h);
        }
    }
}

__global__ static void ns2d_pressure_kernel(int n, const int *slot_of, const int *cell_of,
                                            const fc_real *phi, const fc_real *p_in,
                                            fc_real *p_out)
{
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < n; r += gridDim.x * blockDim.x)
        p_out[slot_of[r]] = p_in[slot_of[r]] + phi[cell_of[slot_of[r]]];
}

__global__ static void ns2d_cut_pressure_kernel(fc_real *pr, const int *cell_of,
                                                const signed char *kind, ns2d_params p)
{
    const fc_grid *g = &p.grid;
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    for (int j = blockIdx.y * blockDim.y + threadIdx.y; i < g->nx && j < g->ny;
         j += gridDim.y * blockDim.y) {
        const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
        if (cell_of[k] < 0 && kind[k] == NS2D_FLUID)
            pr[k] = ns2d_cut_cell_pressure(pr, cell_of, k, g->pitch);
    }
}

/* One stage, as ns2d_stage_cpu: update, the obstacle's forcing, divergence, pressure solve,
 * correction, the pressure of cut cells without an unknown. */
/* The profile's marks between a stage's parts: its start, the end of its explicit update, of
 * its immersed forcing, and of its pressure solve (the CPU's clocks: ns2d_cpu.c). */
enum { NS2D_MARK_START, NS2D_MARK_TENDENCY, NS2D_MARK_BODY, NS2D_MARK_PRESSURE, NS2D_MARKS };

/* Records mark k of stage s when a profile is being taken. */
static int ns2d_mark(const ns2d_cuda_state *state, int s, int k, fc_err *err)
{
    if (state->marks)
        FC_CUDA_TRY(cudaEventRecord(state->marks[s * NS2D_MARKS + k]));
    return FC_OK;
}

/* Adds the step's parts, from its stages' marks, to the profile's seconds (waits for them). */
static int ns2d_profile_collect(ns2d_cuda_state *state, fc_err *err)
{
    const cudaEvent_t *m = state->marks;
    static const int part_after[NS2D_MARKS - 1] = {NS2D_PART_TENDENCY, NS2D_PART_BODY,
                                                   NS2D_PART_PRESSURE};
    FC_CUDA_TRY(cudaEventSynchronize(m[NS2D_STAGES * NS2D_MARKS - 1]));
    for (int s = 0; s < NS2D_STAGES; s++)
        for (int k = 0; k + 1 < NS2D_MARKS; k++) {
            float ms = 0;
            FC_CUDA_TRY(cudaEventElapsedTime(&ms, m[s * NS2D_MARKS + k], m[s * NS2D_MARKS + k + 1]));
            state->secs[part_after[k]] += ms / 1e3;
        }
    return FC_OK;
}

static int ns2d_stage_cuda(ns2d_cuda_state *state, int s, int in, int out, fc_real dt,
                           double t_out, int *its, double *res, fc_err *err)
{
    const fc_grid *g = &state->p.grid;
    const fc_real a = ns2d_stage_a(s);
    int st;
    if ((st = ns2d_mark(state, s, NS2D_MARK_START, err)) ||
        (st = ns2d_fill_ghosts_cuda(state, in, err)))
        return st;
    ns2d_update_kernel<<<face_blocks(g), dim3(BLOCK_X, BLOCK_Y)>>>(
        set_of(state, in), set_of(state, 0), set_of(state, out), a, dt, state->kind, state->p);
    FC_CUDA_TRY(cudaGetLastError());
    if ((st = ns2d_inflow_cuda(state, out, t_out, err)) ||
        (st = ns2d_fill_seams_cuda(state, out, err)) || /* the mass fix may read them */
        (st = ns2d_mark(state, s, NS2D_MARK_TENDENCY, err)) ||
        (st = ns2d_force_body_cuda(state, in, out, err)) ||
        (st = ns2d_fill_seams_cuda(state, out, err)) || /* the divergence reads them */
        (st = ns2d_mark(state, s, NS2D_MARK_BODY, err)))
        return st;
    const fc_real c = (1 - a) * dt;
    FC_CUDA_TRY(cudaMemsetAsync(&state->rep->scale_bits, 0, sizeof state->rep->scale_bits));
    ns2d_rhs_kernel<<<vec_blocks(state->n), VEC_BLOCK>>>(
        state->n, state->slot_of, state->cell_of, state->U[out][NS2D_U], state->U[out][NS2D_V],
        state->open[0], state->open[1], g->pitch, (fc_real)g->dx, (fc_real)g->dy, c, state->rhs,
        &state->rep->scale_bits);
    FC_CUDA_TRY(cudaGetLastError());
    /* The tolerance is decided on the host, where conjugate gradients test it: one more wait
     * per stage beside theirs, one per iteration. */
    unsigned long long scale_bits;
    FC_CUDA_TRY(cudaMemcpy(&scale_bits, &state->rep->scale_bits, sizeof scale_bits,
                           cudaMemcpyDeviceToHost));
    double scale_h;
    memcpy(&scale_h, &scale_bits, sizeof scale_h);
    ns2d_tol tol;
    ns2d_projection_tol(&state->p, scale_h / g->dy, &tol);
    if ((st = ns2d_pressure_solve_cuda(state, c, &tol, its, res, err)) ||
        (st = ns2d_mark(state, s, NS2D_MARK_PRESSURE, err)))
        return st;
    ns2d_correct_kernel<<<face_blocks(g), dim3(BLOCK_X, BLOCK_Y)>>>(set_of(state, out), state->phi,
                                                                     state->cell_of, state->kind,
                                                                     state->held, c, state->p);
    FC_CUDA_TRY(cudaGetLastError());
    ns2d_pressure_kernel<<<vec_blocks(state->n), VEC_BLOCK>>>(state->n, state->slot_of,
                                                           state->cell_of, state->phi,
                                                           state->U[in][NS2D_P],
                                                           state->U[out][NS2D_P]);
    FC_CUDA_TRY(cudaGetLastError());
    if (state->held) {
        ns2d_cut_pressure_kernel<<<fc_cell_blocks(g->nx, g->ny, BLOCK_X, BLOCK_Y),
                                   dim3(BLOCK_X, BLOCK_Y)>>>(state->U[out][NS2D_P], state->cell_of,
                                                             state->kind, state->p);
        FC_CUDA_TRY(cudaGetLastError());
    }
    return FC_OK;
}

/* Blocks over the interior cells (rows beyond 65535 blocks by grid stride). */
static dim3 cell_blocks(const fc_grid *g) { return fc_cell_blocks(g->nx, g->ny, BLOCK_X, BLOCK_Y); }

__global__ static void ns2d_inspect_kernel(ns2d_set s, ns2d_set s0, const signed char *kind,
                                    ns2d_params p, fc_real inv_dt, ns2d_dev_report *rep)
{
    const fc_grid *g = &p.grid;
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    double rate = 0, change = 0;
    for (int j = blockIdx.y * blockDim.y + threadIdx.y; i < g->nx && j < g->ny;
         j += gridDim.y * blockDim.y) {
        const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
        const fc_real *u = s.f[NS2D_U], *v = s.f[NS2D_V];
        const fc_real uc = (u[k] + u[k + 1]) / 2, vc = (v[k] + v[k + g->pitch]) / 2;
        if (!(uc == uc && vc == vc && s.f[NS2D_P][k] == s.f[NS2D_P][k])) {
            atomicMin(&rep->first_bad, (unsigned long long)j * g->nx + i);
            continue;
        }
        if (kind[k] != NS2D_FLUID)
            continue;
        const double r = ns2d_rate(uc, vc, &p);
        rate = r > rate ? r : rate;
        const double du = fabs((double)u[k] - s0.f[NS2D_U][k]),
                     dv = fabs((double)v[k] - s0.f[NS2D_V][k]);
        change = du > change ? du : change;
        change = dv > change ? dv : change;
    }
    fc_block_max_atomic(rate, &rep->rate_bits);
    fc_block_max_atomic(change * inv_dt, &rep->change_bits);
}

__global__ static void ns2d_box_gather_kernel(int n, const ptrdiff_t *k, const fc_real *f,
                                              fc_real *out)
{
    const int a = blockIdx.x * blockDim.x + threadIdx.x;
    if (a < n)
        out[a] = f[k[a]];
}

/* The box's momentum rate over the step from set 0 to set `out` (NaN without a box): the faces'
 * values gathered on the device, read back and summed on the host in the CPU's order. */
static int ns2d_box_rate_cuda(ns2d_cuda_state *state, int out, double dt, double rate[2],
                              fc_err *err)
{
    const ns2d_box_faces *b = &state->box;
    const int n = b->n[0] + b->n[1];
    if (n == 0) {
        rate[0] = rate[1] = NAN;
        return FC_OK;
    }
    for (int when = 0; when < 2; when++)
        for (int c = 0; c < 2; c++) {
            if (b->n[c] == 0)
                continue;
            const fc_real *f = state->U[when ? out : 0][c == 0 ? NS2D_U : NS2D_V];
            ns2d_box_gather_kernel<<<(b->n[c] + 255) / 256, 256>>>(
                b->n[c], state->box_k[c], f, state->box_vals + when * n + (c ? b->n[0] : 0));
            FC_CUDA_TRY(cudaGetLastError());
        }
    FC_CUDA_TRY(cudaMemcpy(state->box_host, state->box_vals, 2 * (size_t)n * sizeof(fc_real),
                           cudaMemcpyDeviceToHost));
    const fc_real *before[2] = {state->box_host, state->box_host + b->n[0]},
                  *after[2] = {state->box_host + n, state->box_host + n + b->n[0]};
    ns2d_box_momentum_rate(b, before, after, 1, dt, rate);
    return FC_OK;
}

/* Largest signal rate of a set, largest change from set 0 per unit time, first NaN. */
static int ns2d_inspect_cuda(ns2d_cuda_state *state, int set, double dt, fc_step_report *rep, fc_err *err)
{
    ns2d_dev_report r = {0, 0, ULLONG_MAX, 0};
    FC_CUDA_TRY(cudaMemcpyAsync(state->rep, &r, sizeof r, cudaMemcpyHostToDevice));
    ns2d_inspect_kernel<<<cell_blocks(&state->p.grid), dim3(BLOCK_X, BLOCK_Y)>>>(
        set_of(state, set), set_of(state, 0), state->kind, state->p, (fc_real)(dt > 0 ? 1 / dt : 0), state->rep);
    FC_CUDA_TRY(cudaGetLastError());
    FC_CUDA_TRY(cudaMemcpy(&r, state->rep, sizeof r, cudaMemcpyDeviceToHost));
    memcpy(&rep->max_rate, &r.rate_bits, sizeof(double));
    rep->max_rate = fmax(rep->max_rate, ns2d_inflow_rate(&state->p));
    memcpy(&rep->change, &r.change_bits, sizeof(double));
    rep->bad = FC_STATE_OK;
    if (r.first_bad != ULLONG_MAX) {
        rep->bad = FC_STATE_NAN;
        rep->bad_cell = (long long)r.first_bad;
        rep->bad_value = NAN;
    }
    return FC_OK;
}

static int ns2d_step_cuda(void *opaque, double t, double dt, fc_step_report *rep, fc_err *err)
{
    ns2d_cuda_state *state = (ns2d_cuda_state *)opaque;
    int in = 0, out = 1, its_total = 0, st;
    double res_max = 0;
    /* The inflow at each stage's time, as ns2d_step_cpu says. */
    if ((st = ns2d_inflow_cuda(state, 0, t, err)))
        return st;
    for (int s = 0; s < NS2D_STAGES; s++) {
        out = s % 2 == 0 ? 1 : 2;
        int its;
        double res;
        if ((st = ns2d_stage_cuda(state, s, in, out, (fc_real)dt, t + dt, &its, &res, err)))
            return st;
        its_total += its;
        res_max = res > res_max ? res : res_max;
        in = out;
    }
    if (state->marks && (st = ns2d_profile_collect(state, err)))
        return st;
    if ((st = ns2d_fill_ghosts_cuda(state, out, err)) ||
        (st = ns2d_inspect_cuda(state, out, dt, rep, err)) ||
        (st = ns2d_box_rate_cuda(state, out, dt, &rep->stats[NS2D_STAT_BOX_RATE], err)))
        return st;
    rep->stats[0] = its_total;
    rep->stats[1] = res_max;
    if (rep->bad)
        return FC_OK; /* set 0 still holds the state before the step */
    fc_keep_stage(state->U[0], state->U[out], 3);
    return FC_OK;
}

static int ns2d_max_rate_cuda(void *opaque, double *rate, fc_err *err)
{
    ns2d_cuda_state *state = (ns2d_cuda_state *)opaque;
    fc_step_report rep = {};
    int st = ns2d_inspect_cuda(state, 0, 0, &rep, err);
    *rate = rep.max_rate;
    return st;
}

/* ---- life cycle ---- */

static void free_dev_csr(ns2d_dev_csr *a)
{
    if (a->mat)
        cusparseDestroySpMat(a->mat);
    if (a->x)
        cusparseDestroyDnVec(a->x);
    if (a->y)
        cusparseDestroyDnVec(a->y);
    cudaFree(a->rowptr);
    cudaFree(a->col);
    cudaFree(a->val);
    memset(a, 0, sizeof *a);
}

/* The device arrays of a level of the matrix-free hierarchy. */
static void free_mg_level(ns2d_mg_level *l)
{
    void *arrays[] = {l->kw, l->ks, l->diag, l->dinv, l->pscale, l->x, l->b, l->r,
                      l->ax.own, l->ax.nb, l->ax.from, l->ax.w,
                      l->ay.own, l->ay.nb, l->ay.from, l->ay.w};
    for (size_t a = 0; a < sizeof arrays / sizeof arrays[0]; a++)
        cudaFree(arrays[a]);
    memset(l, 0, sizeof *l);
}

/* Frees what the pressure solve of an upload allocated. */
static void free_solver(ns2d_cuda_state *state)
{
    for (int l = 0; l < NS2D_MG_MAX_LEVELS; l++)
        free_mg_level(&state->mg.lv[l]);
    cudaFree(state->mg.fluid);
    cudaFree(state->mg.coarse_slot);
    cudaFree(state->mg.coarse_inv);
    memset(&state->mg, 0, sizeof state->mg);
    for (int l = 0; l < NS2D_MG_MAX_LEVELS; l++) {
        ns2d_dev_level *lv = &state->lv[l];
        free_dev_csr(&lv->A);
        free_dev_csr(&lv->P);
        free_dev_csr(&lv->R);
        cudaFree(lv->dinv);
        cudaFree(lv->x);
        cudaFree(lv->b);
        cudaFree(lv->r);
        memset(lv, 0, sizeof *lv);
    }
    free_dev_csr(&state->coarse_inv);
    fc_real **vecs[] = {&state->phi, &state->rhs, &state->r, &state->z, &state->d, &state->q};
    for (size_t v = 0; v < sizeof vecs / sizeof vecs[0]; v++) {
        cudaFree(*vecs[v]);
        *vecs[v] = NULL;
    }
    memset(state->cg, 0, sizeof state->cg);
    state->ncg = 0;
    cudaFree(state->cell_of);
    cudaFree(state->slot_of);
    cudaFree(state->spmv_buffer);
    for (int c = 0; c < 2; c++) {
        void *arrays[] = {state->ib_k[c], state->ib_nb1[c], state->ib_nb2[c], state->ib_w1[c],
                          state->ib_w2[c]};
        for (size_t a = 0; a < sizeof arrays / sizeof arrays[0]; a++)
            cudaFree(arrays[a]);
        state->ib_k[c] = state->ib_nb1[c] = state->ib_nb2[c] = NULL;
        state->ib_w1[c] = state->ib_w2[c] = NULL;
    }
    {
        void *arrays[] = {state->fix_comp, state->fix_src_comp, state->fix_k, state->fix_src_k,
                          state->fix_start, state->fix_w, state->fix_val};
        for (size_t a = 0; a < sizeof arrays / sizeof arrays[0]; a++)
            cudaFree(arrays[a]);
        state->fix_comp = state->fix_src_comp = NULL;
        state->fix_k = state->fix_src_k = NULL;
        state->fix_start = NULL;
        state->fix_w = state->fix_val = NULL;
    }
    cudaFree(state->held);
    cudaFree(state->open[0]);
    cudaFree(state->open[1]);
    state->held = NULL;
    state->open[0] = state->open[1] = NULL;
    ns2d_ib_free(&state->ib);
    cudaFree(state->inflow_k);
    cudaFree(state->inflow_comp);
    cudaFree(state->inflow_value);
    state->inflow_k = NULL;
    state->inflow_comp = NULL;
    state->inflow_value = NULL;
    ns2d_inflow_faces_free(&state->inflow);
    state->cell_of = state->slot_of = NULL;
    state->spmv_buffer = NULL;
    state->spmv_bytes = 0;
}

static void ns2d_destroy_cuda(void *opaque)
{
    ns2d_cuda_state *state = (ns2d_cuda_state *)opaque;
    if (!state)
        return;
    free_solver(state);
    for (int s = 0; s < NS2D_SETS; s++)
        for (int f = 0; f < 3; f++)
            cudaFree(state->U[s][f]);
    cudaFree(state->solid);
    cudaFree(state->kind);
    cudaFree(state->partial);
    cudaFree(state->rep);
    if (state->sp)
        cusparseDestroy(state->sp);
    free(state->host_kind);
    cudaFree(state->box_k[0]);
    cudaFree(state->box_k[1]);
    cudaFree(state->box_vals);
    free(state->box_host);
    ns2d_box_faces_free(&state->box);
    free(state);
}

static int ns2d_create_cuda(const fc_grid *g, const void *params, void **out, fc_err *err)
{
    ns2d_cuda_state *state = (ns2d_cuda_state *)calloc(1, sizeof *state);
    if (!state)
        return fc_fail(err, FC_ENOMEM, "out of host memory");
    state->p = *(const ns2d_params *)params;
    state->p.grid = *g;
    const size_t bytes = g->nalloc * sizeof(fc_real);
    int st = FC_OK;
    /* The pressure solve's form on the GPU, until the matrix-free multigrid (the CPU's) has
     * been checked on a device: the CSR hierarchy unless FC_NS2D_GPU_PRESSURE=stencil. */
    const char *form = getenv("FC_NS2D_GPU_PRESSURE");
    if (form && *form && strcmp(form, "stencil") && strcmp(form, "csr"))
        st = fc_fail(err, FC_EINPUT, "FC_NS2D_GPU_PRESSURE is '%s': it must be stencil or csr",
                     form);
    state->stencil = form && !strcmp(form, "stencil");
    for (int s = 0; s < NS2D_SETS && !st; s++)
        for (int f = 0; f < 3 && !st; f++)
            st = fc_dev_alloc((void **)&state->U[s][f], bytes, err);
    if (!st)
        st = fc_dev_alloc((void **)&state->solid, bytes, err);
    if (!st)
        st = fc_dev_alloc((void **)&state->kind, g->nalloc, err);
    if (!st)
        st = fc_dev_alloc((void **)&state->partial,
                          (REDUCE_BLOCKS + 1 + NS2D_PCG_SCALARS) * sizeof(double), err);
    state->scalars = state->partial ? state->partial + REDUCE_BLOCKS + 1 : NULL;
    if (!st)
        st = fc_dev_alloc((void **)&state->rep, sizeof *state->rep, err);
    if (!st && !(state->host_kind = (signed char *)malloc(g->nalloc)))
        st = fc_fail(err, FC_ENOMEM, "out of host memory");
    if (!st && cusparseCreate(&state->sp) != CUSPARSE_STATUS_SUCCESS)
        st = fc_fail(err, FC_EDEVICE, "cannot create a cuSPARSE handle");
    if (!st && ns2d_box_faces_make(&state->p, &state->box))
        st = fc_fail(err, FC_ENOMEM, "out of host memory for the force balance's box");
    const ns2d_box_faces *box = &state->box;
    const size_t nbox = (size_t)box->n[0] + box->n[1];
    for (int c = 0; c < 2 && !st && nbox; c++)
        if (!(st = fc_dev_alloc((void **)&state->box_k[c],
                                (box->n[c] ? box->n[c] : 1) * sizeof(ptrdiff_t), err)))
            st = fc_dev_upload(state->box_k[c], box->k[c], box->n[c] * sizeof(ptrdiff_t), err);
    if (!st && nbox)
        st = fc_dev_alloc((void **)&state->box_vals, 2 * nbox * sizeof(fc_real), err);
    if (!st && nbox && !(state->box_host = (fc_real *)malloc(2 * nbox * sizeof(fc_real))))
        st = fc_fail(err, FC_ENOMEM, "out of host memory");
    if (st) {
        ns2d_destroy_cuda(state);
        return st;
    }
    *out = state;
    return FC_OK;
}

/* Copies a host CSR matrix to the device, makes its descriptors and grows the SpMV buffer. */
static int upload_csr(ns2d_cuda_state *state, const ns2d_csr *h, ns2d_dev_csr *d, fc_err *err)
{
    d->n = h->n;
    d->m = h->m;
    d->nnz = ns2d_csr_nnz(h);
    int st;
    if ((st = fc_dev_alloc((void **)&d->rowptr, ((size_t)d->n + 1) * sizeof(int), err)) ||
        (st = fc_dev_alloc((void **)&d->col, (size_t)(d->nnz ? d->nnz : 1) * sizeof(int), err)) ||
        (st = fc_dev_alloc((void **)&d->val, (size_t)(d->nnz ? d->nnz : 1) * sizeof(fc_real), err)) ||
        (st = fc_dev_upload(d->rowptr, h->rowptr, ((size_t)d->n + 1) * sizeof(int), err)) ||
        (st = fc_dev_upload(d->col, h->col, (size_t)d->nnz * sizeof(int), err)) ||
        (st = fc_dev_upload(d->val, h->val, (size_t)d->nnz * sizeof(fc_real), err)))
        return st;
    FC_CUSPARSE_TRY(cusparseCreateCsr(&d->mat, d->n, d->m, d->nnz, d->rowptr, d->col, d->val,
                                      CUSPARSE_INDEX_32I, CUSPARSE_INDEX_32I,
                                      CUSPARSE_INDEX_BASE_ZERO, NS2D_CUDA_REAL));
    /* Placeholder pointers: each product points the vectors at its operands first. */
    FC_CUSPARSE_TRY(cusparseCreateDnVec(&d->x, d->m, d->val, NS2D_CUDA_REAL));
    FC_CUSPARSE_TRY(cusparseCreateDnVec(&d->y, d->n, d->val, NS2D_CUDA_REAL));
    const fc_real one = 1, zero = 0;
    size_t bytes = 0;
    FC_CUSPARSE_TRY(cusparseSpMV_bufferSize(state->sp, CUSPARSE_OPERATION_NON_TRANSPOSE, &one, d->mat,
                                            d->x, &zero, d->y, NS2D_CUDA_REAL,
                                            CUSPARSE_SPMV_CSR_ALG2, &bytes));
    if (bytes > state->spmv_bytes) {
        cudaFree(state->spmv_buffer);
        state->spmv_buffer = NULL;
        if ((st = fc_dev_alloc(&state->spmv_buffer, bytes, err)))
            return st;
        state->spmv_bytes = bytes;
    }
    return FC_OK;
}

/* Copies the obstacle's table (built by the caller into state->ib) to the device. */
static int upload_ib(ns2d_cuda_state *state, fc_err *err)
{
    const fc_grid *g = &state->p.grid;
    int st = FC_OK;
    if (state->ib.held &&
        ((st = fc_dev_alloc((void **)&state->held, g->nalloc, err)) ||
         (st = fc_dev_upload(state->held, state->ib.held, g->nalloc, err))))
        return st;
    for (int c = 0; c < 2 && !st && state->ib.open[c]; c++)
        if (!(st = fc_dev_alloc((void **)&state->open[c], g->nalloc * sizeof(fc_real), err)))
            st = fc_dev_upload(state->open[c], state->ib.open[c], g->nalloc * sizeof(fc_real), err);
    for (int c = 0; c < 2 && !st; c++) {
        const ns2d_ib_list *l = &state->ib.face[c];
        const size_t n = (size_t)(l->n > 0 ? l->n : 1), ib = n * sizeof(ptrdiff_t);
        fc_real *w = (fc_real *)malloc(2 * n * sizeof(fc_real));
        if (!w)
            return fc_fail(err, FC_ENOMEM, "out of host memory");
        for (int e = 0; e < l->n; e++) {
            w[e] = (fc_real)l->w1[e];
            w[n + e] = (fc_real)l->w2[e];
        }
        if (!(st = fc_dev_alloc((void **)&state->ib_k[c], ib, err)) &&
            !(st = fc_dev_alloc((void **)&state->ib_nb1[c], ib, err)) &&
            !(st = fc_dev_alloc((void **)&state->ib_nb2[c], ib, err)) &&
            !(st = fc_dev_alloc((void **)&state->ib_w1[c], n * sizeof(fc_real), err)) &&
            !(st = fc_dev_alloc((void **)&state->ib_w2[c], n * sizeof(fc_real), err)) && l->n &&
            !(st = fc_dev_upload(state->ib_k[c], l->k, (size_t)l->n * sizeof(ptrdiff_t), err)) &&
            !(st = fc_dev_upload(state->ib_nb1[c], l->nb1, (size_t)l->n * sizeof(ptrdiff_t), err)) &&
            !(st = fc_dev_upload(state->ib_nb2[c], l->nb2, (size_t)l->n * sizeof(ptrdiff_t), err)) &&
            !(st = fc_dev_upload(state->ib_w1[c], w, (size_t)l->n * sizeof(fc_real), err)))
            st = fc_dev_upload(state->ib_w2[c], w + n, (size_t)l->n * sizeof(fc_real), err);
        free(w);
    }
    const ns2d_ib_fix *fx = &state->ib.fix;
    if (st || fx->n == 0)
        return st;
    const size_t nt = (size_t)fx->n, ne = (size_t)fx->start[fx->n];
    fc_real *w = (fc_real *)malloc((ne > 0 ? ne : 1) * sizeof(fc_real));
    if (!w)
        return fc_fail(err, FC_ENOMEM, "out of host memory");
    for (size_t e = 0; e < ne; e++)
        w[e] = (fc_real)fx->w[e];
    if (!(st = fc_dev_alloc((void **)&state->fix_comp, nt, err)) &&
        !(st = fc_dev_alloc((void **)&state->fix_k, nt * sizeof(ptrdiff_t), err)) &&
        !(st = fc_dev_alloc((void **)&state->fix_start, (nt + 1) * sizeof(int), err)) &&
        !(st = fc_dev_alloc((void **)&state->fix_val, nt * sizeof(fc_real), err)) &&
        !(st = fc_dev_alloc((void **)&state->fix_src_comp, ne > 0 ? ne : 1, err)) &&
        !(st = fc_dev_alloc((void **)&state->fix_src_k, (ne > 0 ? ne : 1) * sizeof(ptrdiff_t),
                            err)) &&
        !(st = fc_dev_alloc((void **)&state->fix_w, (ne > 0 ? ne : 1) * sizeof(fc_real), err)) &&
        !(st = fc_dev_upload(state->fix_comp, fx->comp, nt, err)) &&
        !(st = fc_dev_upload(state->fix_k, fx->k, nt * sizeof(ptrdiff_t), err)) &&
        !(st = fc_dev_upload(state->fix_start, fx->start, (nt + 1) * sizeof(int), err)) && ne &&
        !(st = fc_dev_upload(state->fix_src_comp, fx->src_comp, ne, err)) &&
        !(st = fc_dev_upload(state->fix_src_k, fx->src_k, ne * sizeof(ptrdiff_t), err)))
        st = fc_dev_upload(state->fix_w, w, ne * sizeof(fc_real), err);
    free(w);
    return st;
}

/* A device copy of n bytes of a host array (a buffer of one byte for n = 0). */
static int dev_copy(void *dst, const void *src, size_t n, fc_err *err)
{
    int st = fc_dev_alloc((void **)dst, n ? n : 1, err);
    return st || !n ? st : fc_dev_upload(*(void **)dst, src, n, err);
}

/* The matrix-free hierarchy (ns2d_mg_build on the host), copied level by level. */
static int ns2d_build_stencil_cuda(ns2d_cuda_state *state, fc_err *err)
{
    const fc_grid *g = &state->p.grid;
    ns2d_mg h;
    ns2d_dev_mg *d = &state->mg;
    int st = ns2d_mg_build(&state->p, state->host_kind, &state->ib,
                           state->p.precond != NS2D_PC_JACOBI, &h, err);
    if (st)
        return st;
    d->nlevels = h.nlevels;
    d->singular = h.singular;
    d->jacobi = state->p.precond == NS2D_PC_JACOBI;
    d->ncoarse = h.ncoarse;
    d->slots = (int)ns2d_mg_slots(&h);
    state->n = h.n;
    const size_t vec = (size_t)d->slots * sizeof(fc_real);
    int *slot_of = (int *)malloc((size_t)h.n * sizeof(int));
    if (!slot_of) {
        ns2d_mg_free(&h);
        return fc_fail(err, FC_ENOMEM, "out of host memory");
    }
    int n = 0; /* the unknowns' grid slots, row by row */
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
            if (h.cell_slot[k] >= 0 && n < h.n)
                slot_of[n++] = (int)k;
        }
    if (n != h.n)
        st = fc_fail(err, FC_EDEVICE, "the pressure multigrid counts %d unknowns, its map %d",
                     h.n, n);
    if (!st && !(st = dev_copy(&state->cell_of, h.cell_slot, g->nalloc * sizeof(int), err)) &&
        !(st = dev_copy(&state->slot_of, slot_of, (size_t)n * sizeof(int), err)) &&
        !(st = dev_copy(&d->fluid, h.fluid, vec, err)) &&
        !(st = dev_copy(&d->coarse_slot, h.coarse_slot, (size_t)h.ncoarse * sizeof(int), err)))
        st = dev_copy(&d->coarse_inv, h.coarse_inv,
                      (size_t)h.ncoarse * h.ncoarse * sizeof(fc_real), err);
    {
        fc_real **vecs[] = {&state->phi, &state->rhs, &state->d, &state->q};
        for (size_t v = 0; v < sizeof vecs / sizeof vecs[0] && !st; v++)
            st = fc_dev_alloc((void **)vecs[v], vec, err);
    }
    for (int l = 0; l < h.nlevels && !st; l++) {
        const ns2d_mg_level *hl = &h.lv[l];
        ns2d_mg_level *dl = &d->lv[l];
        /* the description, with no array until its copy exists (free_mg_level frees them) */
        *dl = *hl;
        dl->kw = dl->ks = dl->diag = dl->dinv = dl->pscale = dl->x = dl->b = dl->r = NULL;
        dl->uniform = NULL;
        memset(&dl->ax, 0, sizeof dl->ax);
        memset(&dl->ay, 0, sizeof dl->ay);
        const size_t m = (size_t)(hl->nx + 2) * (hl->ny + 2) * sizeof(fc_real);
        if ((st = dev_copy(&dl->kw, hl->kw, m, err)) || (st = dev_copy(&dl->ks, hl->ks, m, err)) ||
            (st = dev_copy(&dl->diag, hl->diag, m, err)) ||
            (st = dev_copy(&dl->dinv, hl->dinv, m, err)) ||
            (st = dev_copy(&dl->pscale, hl->pscale, m, err)) ||
            (st = fc_dev_alloc((void **)&dl->x, m, err)) ||
            (st = fc_dev_alloc((void **)&dl->b, m, err)) ||
            (st = fc_dev_alloc((void **)&dl->r, m, err)))
            break;
        if (l == h.nlevels - 1)
            break;
        const ns2d_mg_level *hc = &h.lv[l + 1];
        const ns2d_mg_axis *ha[2] = {&hl->ax, &hl->ay};
        ns2d_mg_axis *da[2] = {&dl->ax, &dl->ay};
        const int nf[2] = {hl->nx, hl->ny}, nc[2] = {hc->nx, hc->ny};
        for (int a = 0; a < 2 && !st; a++)
            if (!(st = dev_copy(&da[a]->own, ha[a]->own, (size_t)nf[a] * sizeof(int), err)) &&
                !(st = dev_copy(&da[a]->nb, ha[a]->nb, (size_t)nf[a] * sizeof(int), err)) &&
                !(st = dev_copy(&da[a]->from, ha[a]->from, 4 * (size_t)nc[a] * sizeof(int), err)))
                st = dev_copy(&da[a]->w, ha[a]->w, 4 * (size_t)nc[a] * sizeof(fc_real), err);
    }
    free(slot_of);
    ns2d_mg_free(&h);
    fc_real *cg[4] = {d->lv[0].b, d->lv[0].x, state->d, state->q};
    memcpy(state->cg, cg, sizeof cg);
    state->ncg = d->slots;
    return st;
}

/* The pressure solve depends on the solid cells and the obstacle's table: built on the host
 * when the state arrives (the table by the caller), then copied. */
static int ns2d_build_solver_cuda(ns2d_cuda_state *state, fc_err *err)
{
    if (state->stencil)
        return ns2d_build_stencil_cuda(state, err);
    ns2d_poisson ps;
    int st = ns2d_poisson_build(&state->p, state->host_kind, &state->ib, &ps, err);
    if (st)
        return st;
    const fc_grid *g = &state->p.grid;
    state->n = ps.n;
    state->nlevels = ps.nlevels;
    state->singular = ps.singular;
    state->precond = ps.precond;
    const size_t vec = (size_t)ps.n * sizeof(fc_real);
    if ((st = fc_dev_alloc((void **)&state->cell_of, g->nalloc * sizeof(int), err)) ||
        (st = fc_dev_alloc((void **)&state->slot_of, (size_t)ps.n * sizeof(int), err)) ||
        (st = fc_dev_upload(state->cell_of, ps.cell_of, g->nalloc * sizeof(int), err)) ||
        (st = fc_dev_upload(state->slot_of, ps.slot_of, (size_t)ps.n * sizeof(int), err)))
        goto done;
    {
        fc_real **vecs[] = {&state->phi, &state->rhs, &state->r, &state->z, &state->d, &state->q};
        for (size_t v = 0; v < sizeof vecs / sizeof vecs[0] && !st; v++)
            st = fc_dev_alloc((void **)vecs[v], vec, err);
    }
    for (int l = 0; l < ps.nlevels && !st; l++) {
        const ns2d_level *h = &ps.lv[l];
        ns2d_dev_level *d = &state->lv[l];
        const size_t m = (size_t)h->A.n * sizeof(fc_real);
        if ((st = upload_csr(state, &h->A, &d->A, err)) ||
            (l < ps.nlevels - 1 && ((st = upload_csr(state, &h->P, &d->P, err)) ||
                                    (st = upload_csr(state, &h->R, &d->R, err)))) ||
            (st = fc_dev_alloc((void **)&d->dinv, m, err)) ||
            (st = fc_dev_upload(d->dinv, h->dinv, m, err)) ||
            (st = fc_dev_alloc((void **)&d->x, m, err)) ||
            (st = fc_dev_alloc((void **)&d->b, m, err)) ||
            (st = fc_dev_alloc((void **)&d->r, m, err)))
            break;
    }
    if (!st && ps.precond == NS2D_PC_MULTIGRID)
        st = upload_csr(state, &ps.coarse_inv, &state->coarse_inv, err);
    {
        fc_real *cg[4] = {state->r, state->z, state->d, state->q};
        memcpy(state->cg, cg, sizeof cg);
        state->ncg = state->n;
    }
done:
    ns2d_poisson_free(&ps);
    return st;
}

static int ns2d_upload_cuda(void *opaque, const fc_state *host, fc_err *err)
{
    ns2d_cuda_state *state = (ns2d_cuda_state *)opaque;
    const fc_grid *g = &state->p.grid;
    const size_t bytes = g->nalloc * sizeof(fc_real);
    /* Kinds and boundary values are set on the host, exactly as the CPU backend sets them. */
    fc_real *u = (fc_real *)malloc(bytes), *v = (fc_real *)malloc(bytes);
    if (!u || !v) {
        free(u);
        free(v);
        return fc_fail(err, FC_ENOMEM, "out of host memory");
    }
    memcpy(u, host->f[NS2D_U], bytes);
    memcpy(v, host->f[NS2D_V], bytes);
    free_solver(state);
    ns2d_cell_kinds(g, host->f[NS2D_SOLID], state->host_kind);
    int st = ns2d_ib_build(&state->p, state->host_kind, &state->ib, err);
    if (!st)
        st = upload_ib(state, err);
    if (st) {
        free(u);
        free(v);
        return st;
    }
    ns2d_boundary_values(&state->p, state->host_kind, u, v);
    if (!(st = ns2d_inflow_faces_make(&state->p, state->host_kind, u, v, &state->inflow, err)) &&
        state->inflow.n > 0) {
        const size_t n = (size_t)state->inflow.n;
        if (!(st = fc_dev_alloc((void **)&state->inflow_k, n * sizeof(ptrdiff_t), err)) &&
            !(st = fc_dev_alloc((void **)&state->inflow_comp, n, err)) &&
            !(st = fc_dev_alloc((void **)&state->inflow_value, n * sizeof(fc_real), err)) &&
            !(st = fc_dev_upload(state->inflow_k, state->inflow.k, n * sizeof(ptrdiff_t), err)) &&
            !(st = fc_dev_upload(state->inflow_comp, state->inflow.comp, n, err)))
            st = fc_dev_upload(state->inflow_value, state->inflow.value, n * sizeof(fc_real), err);
    }
    ns2d_inflow_faces_set(&state->p, &state->inflow, host->t, u, v);
    for (int s = 0; s < NS2D_SETS && !st; s++)
        if ((st = fc_dev_upload(state->U[s][NS2D_U], u, bytes, err)) ||
            (st = fc_dev_upload(state->U[s][NS2D_V], v, bytes, err)) ||
            (st = fc_dev_upload(state->U[s][NS2D_P], host->f[NS2D_P], bytes, err)))
            break;
    free(u);
    free(v);
    if (st || (st = fc_dev_upload(state->solid, host->f[NS2D_SOLID], bytes, err)) ||
        (st = fc_dev_upload(state->kind, state->host_kind, g->nalloc, err)) ||
        (st = ns2d_build_solver_cuda(state, err)) || (st = ns2d_fill_ghosts_cuda(state, 0, err)))
        return st;
    FC_CUDA_TRY(cudaDeviceSynchronize());
    return FC_OK;
}

static int ns2d_download_cuda(void *opaque, fc_state *host, fc_err *err)
{
    ns2d_cuda_state *state = (ns2d_cuda_state *)opaque;
    const size_t bytes = state->p.grid.nalloc * sizeof(fc_real);
    int st;
    for (int f = 0; f < 3; f++)
        if ((st = fc_dev_download(host->f[f], state->U[0][f], bytes, err)))
            return st;
    return fc_dev_download(host->f[NS2D_SOLID], state->solid, bytes, err);
}

/* As ns2d_profile_cpu, the parts timed with CUDA events between them (ns2d_mark), the step on
 * the host's clock: it ends by reading its report. The steps are the run's: the state moves
 * on. */
static int ns2d_profile_cuda(void *opaque, double t, double dt, int reps,
                             fc_profile *out, fc_err *err)
{
    ns2d_cuda_state *state = (ns2d_cuda_state *)opaque;
    cudaEvent_t marks[NS2D_STAGES * NS2D_MARKS];
    int made = 0, st = FC_OK;
    for (; made < NS2D_STAGES * NS2D_MARKS; made++)
        if (cudaEventCreate(&marks[made]) != cudaSuccess) {
            st = fc_fail(err, FC_EDEVICE, "cannot create a CUDA event");
            break;
        }
    if (!st) {
        const double *clocks[NS2D_PARTS];
        const char *names[NS2D_PARTS];
        for (int k = 0; k < NS2D_PARTS; k++) {
            clocks[k] = &state->secs[k];
            names[k] = ns2d_part_name(k);
        }
        const int body = state->ib.face[0].n || state->ib.face[1].n;
        state->marks = marks;
        st = fc_profile_clocked(ns2d_step_cuda, state, t, dt, reps, "step (2 RK stages)", clocks,
                                names, body ? NS2D_PARTS : NS2D_PARTS - 1, out, err);
        state->marks = NULL;
    }
    for (int k = 0; k < made; k++)
        cudaEventDestroy(marks[k]);
    return st;
}

extern "C" const fc_solver_ops ns2d_ops_cuda = {
    "gpu",          ns2d_create_cuda,   ns2d_upload_cuda,  ns2d_max_rate_cuda,
    ns2d_step_cuda, ns2d_download_cuda, ns2d_destroy_cuda, ns2d_profile_cuda,
    FC_BLOCKS_NONE,
};
