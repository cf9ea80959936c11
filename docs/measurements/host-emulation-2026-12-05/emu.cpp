/*
 * emu.cpp: the GPU's matrix-free pressure solve (solvers/ns2d/ns2d_cuda.cu, copied by
 * extract.py into extracted.inc) run on the host, every kernel launch executed thread by thread
 * in block order, against the CPU's solver (ns2d_mg_solve_cpu) on the same right-hand side. The
 * CUDA runtime calls are host stand-ins, and the block reductions (shared memory) are replaced
 * by plain sums: this checks the kernels' index arithmetic, their order in the V-cycle, the
 * upload of the hierarchy and conjugate gradients' device-side scalars, not concurrency (the
 * kernels write disjoint cells by design; racecheck on a GPU checks that). See README.md.
 */
#include <fc_build.h>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include "solvers/ns2d/ns2d_mg.h"
extern "C" {
#include "tests/testlib.h"
#include "solvers/registry.h"
}

struct emu_dim3 { unsigned x, y, z; emu_dim3(unsigned a = 1, unsigned b = 1, unsigned c = 1) : x(a), y(b), z(c) {} };
#define dim3 emu_dim3
static emu_dim3 blockIdx, threadIdx, blockDim, gridDim;
template <class F, class... A> static void emu_launch(emu_dim3 g, emu_dim3 b, F f, A... a)
{
    gridDim = g; blockDim = b;
    for (unsigned gy = 0; gy < g.y; gy++) for (unsigned gx = 0; gx < g.x; gx++)
        for (unsigned ty = 0; ty < b.y; ty++) for (unsigned tx = 0; tx < b.x; tx++) {
            blockIdx = emu_dim3(gx, gy); threadIdx = emu_dim3(tx, ty); f(a...);
        }
}
#define __global__
#define BLOCK_X 32
#define BLOCK_Y 8
#define VEC_BLOCK 256
#define REDUCE_BLOCKS 1024
#define FC_CUDA_TRY(call) do { (void)(call); } while (0)
static int cudaGetLastError(void) { return 0; }
enum { cudaMemcpyDeviceToDevice };

static int cudaMemcpyAsync(void *d, const void *s, size_t n, int) { memcpy(d, s, n); return 0; }
static int cudaMemsetAsync(void *d, int v, size_t n) { memset(d, v, n); return 0; }
static void cudaFree(void *p) { free(p); }
static int emu_alloc(void **p, size_t n, fc_err *) { *p = calloc(n, 1); return *p ? 0 : FC_ENOMEM; }
static int emu_upload(void *d, const void *s, size_t n, fc_err *) { memcpy(d, s, n); return 0; }
#define fc_dev_alloc emu_alloc
#define fc_dev_upload emu_upload
static unsigned fc_blocks(long long count, int n) { return (unsigned)((count + n - 1) / n); }
static emu_dim3 fc_cell_blocks(int nx, int ny, int bx, int by)
{ const unsigned rows = fc_blocks(ny, by); return emu_dim3(fc_blocks(nx, bx), rows < 65535 ? rows : 65535); }
static unsigned vec_blocks(long long n) { unsigned b = fc_blocks(n, VEC_BLOCK); return b < REDUCE_BLOCKS ? (b ? b : 1) : REDUCE_BLOCKS; }

struct ns2d_dev_mg {
    int nlevels, singular, jacobi, ncoarse;
    int slots;
    ns2d_mg_level lv[NS2D_MG_MAX_LEVELS];
    fc_real *fluid;
    int *coarse_slot;
    fc_real *coarse_inv;
};
struct ns2d_cuda_state {
    ns2d_params p;
    int n, stencil;
    ns2d_dev_mg mg;
    fc_real *phi, *rhs, *d, *q;
    fc_real *cg[4];
    int ncg;
    double scal[NS2D_PCG_SCALARS], *scalars;
    int *cell_of, *slot_of;
    signed char *host_kind;
    ns2d_ib ib;
};
static int ns2d_sum_on_device_cuda(ns2d_cuda_state *, int n, const fc_real *a, const fc_real *b, double *out, fc_err *)
{ double s = 0; for (int i = 0; i < n; i++) s += (double)a[i] * (b ? b[i] : 1); *out = s; return 0; }
static int ns2d_remove_mean_cuda(ns2d_cuda_state *st, int n, int count, fc_real *a, const fc_real *w, fc_err *e)
{ double s; ns2d_sum_on_device_cuda(st, n, a, w, &s, e); fc_real m = (fc_real)(s / count); for (int i = 0; i < n; i++) a[i] -= w ? m * w[i] : m; return 0; }
enum { cudaMemcpyDeviceToHost = 1 };
static int cudaMemcpy(void *d, const void *s, size_t n, int) { memcpy(d, s, n); return 0; }
static const ns2d_pcg_ops pcg_ops_cuda = {0, 0, 0, 0, 0, 0, 0};

#include "extracted.inc"

static const char *cases[][2] = {
 {"mixed", "[case]\nsolver = ns2d\n[grid]\nnx = 40\nny = 24\nx_max = 2\ny_max = 1\n[time]\nt_end = 1\n"
    "cfl = 0.8\n[physics]\nreynolds = 200\n[boundary]\nwest = inflow\neast = open\n"
    "north_wall_speed = 0.5\n[obstacle]\nshape = square\ncenter_x = 0.7\ncenter_y = 0.45\n"
    "size = 0.3\n[initial]\ntype = rest\n"},
 {"cavity", "[case]\nsolver = ns2d\n[grid]\nnx = 40\nny = 40\nx_max = 1\ny_max = 1\n[time]\nt_end = 1\n"
    "cfl = 0.8\n[physics]\nreynolds = 400\n[boundary]\nnorth_wall_speed = 1\n[initial]\ntype = rest\n"},
 {"periodic_odd", "[case]\nsolver = ns2d\n[grid]\nnx = 25\nny = 21\nx_max = 6.283185307179586\n"
    "y_max = 6.283185307179586\n[time]\nt_end = 1\ncfl = 0.8\n[physics]\nviscosity = 0.01\n"
    "[boundary]\nwest = periodic\neast = periodic\nsouth = periodic\nnorth = periodic\n"
    "[initial]\ntype = taylor_green\namplitude = 1\n"},
 {"periodic_x_odd_rect", "[case]\nsolver = ns2d\n[grid]\nnx = 99\nny = 37\nx_max = 3\ny_max = 1\n[time]\nt_end = 1\n"
    "[physics]\nviscosity = 0.01\n[boundary]\nwest = periodic\neast = periodic\n"
    "[obstacle]\nshape = circle\ncenter_x = 1\ncenter_y = 0.5\nsize = 0.4\n[initial]\ntype = rest\n"},
 {"cylinder_immersed", "[case]\nsolver = ns2d\n[grid]\nnx = 220\nny = 41\nx_max = 2.2\ny_max = 0.41\n[time]\nt_end = 1\n"
    "[physics]\nviscosity = 0.001\n[boundary]\nwest = inflow\neast = open\ninflow_profile = parabolic\ninflow_speed = 0.3\n"
    "[obstacle]\nshape = circle\nboundary = immersed\ncenter_x = 0.2\ncenter_y = 0.2\nsize = 0.1\n[initial]\ntype = rest\n"},
 {"cavity_jacobi", "[case]\nsolver = ns2d\n[grid]\nnx = 30\nny = 20\nx_max = 1\ny_max = 1\n[time]\nt_end = 1\n"
    "[physics]\nreynolds = 400\n[boundary]\nnorth_wall_speed = 1\n[numerics]\npreconditioner = jacobi\n[initial]\ntype = rest\n"},
 {"cavity_600x500", "[case]\nsolver = ns2d\n[grid]\nnx = 600\nny = 500\nx_max = 1.2\ny_max = 1\n[time]\nt_end = 1\n"
    "[physics]\nreynolds = 400\n[boundary]\nnorth_wall_speed = 1\n[initial]\ntype = rest\n"},
 {"tiny_one_level", "[case]\nsolver = ns2d\n[grid]\nnx = 6\nny = 5\nx_max = 1\ny_max = 1\n[time]\nt_end = 1\n"
    "[physics]\nreynolds = 400\n[boundary]\nnorth_wall_speed = 1\n[initial]\ntype = rest\n"},
};

int main(void)
{
    int fails = 0;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        tl_sim s;
        FILE *cf = fopen("/tmp/emu/case.ini", "w");
        fputs(cases[c][1], cf);
        fclose(cf);
        fc_err oerr = {{0}};
        if (fc_sim_open(&s, "/tmp/emu/case.ini", NULL, 0, fc_solvers(), NULL, &oerr)) { printf("open: %s\n", oerr.msg); return 1; }
        const ns2d_params *p = (const ns2d_params *)s.params;
        const fc_grid *g = &p->grid;
        signed char *kind = (signed char *)malloc(g->nalloc);
        ns2d_cell_kinds(g, s.host.f[NS2D_SOLID], kind);
        fc_err err;
        ns2d_ib ib;
        if (ns2d_ib_build(p, kind, &ib, &err)) { printf("ib: %s\n", err.msg); return 1; }
        ns2d_mg_solver sv;
        if (ns2d_mg_solver_build(p, kind, &ib, &sv, &err)) { printf("cpu build: %s\n", err.msg); return 1; }
        ns2d_cuda_state st;
        memset(&st, 0, sizeof st);
        st.scalars = st.scal; st.p = *p; st.p.poisson_tol = 1e-9; st.p.poisson_max_iter = 300; st.host_kind = kind; st.ib = ib; st.stencil = 1;
        if (ns2d_build_stencil_cuda(&st, &err)) { printf("emu build: %s\n", err.msg); return 1; }
        srand(3 + c);
        for (int j = 0; j < g->ny; j++) for (int i = 0; i < g->nx; i++) {
            const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
            const int sl = sv.mg.cell_slot[k];
            if (sl >= 0) st.rhs[sl] = sv.rhs[sl] = (fc_real)(rand() / (double)RAND_MAX - 0.5);
        }
        int its1, its2; double res1, res2;
        int a = ns2d_mg_solve_cpu(&sv, 1, 1e-9, 300, &its1, &res1, &err);
        int b = ns2d_pressure_solve_cuda(&st, 1, &its2, &res2, &err);
        double dmax = 0, pmax = 0;
        for (int i = 0; i < st.mg.slots; i++) {
            if (sv.mg.fluid[i] == 0) continue; /* halo copies and solid cells are never read */
            dmax = fmax(dmax, fabs((double)st.phi[i] - sv.phi[i]));
            pmax = fmax(pmax, fabs((double)sv.phi[i]));
        }
        /* the device map against the CPU's */
        long long mapdiff = 0;
        for (size_t k = 0; k < g->nalloc; k++) mapdiff += st.cell_of[k] != sv.mg.cell_slot[k];
        const int ok = !a && !b && its1 == its2 && dmax <= 1e-9 * pmax && mapdiff == 0;
        printf("%-20s levels %d singular %d: cpu %d its res %.3e | emu %d its res %.3e | max|dphi| %.2e of %.2e map %lld %s\n",
               cases[c][0], sv.mg.nlevels, sv.mg.singular, its1, res1, its2, res2, dmax, pmax, mapdiff, ok ? "OK" : "FAIL");
        fails += !ok;
    }
    return fails != 0;
}
