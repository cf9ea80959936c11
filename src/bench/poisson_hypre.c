/*
 * poisson_hypre.c: flowcast's CPU pressure solve against hypre's on the same problem (issue 16:
 * a speedup is only as fair as the CPU code it divides by).
 *
 * Problem: ns2d's pressure equation A phi = b on an N x N cell-centred grid of the unit square
 * with walls on every side (pure Neumann, singular: A 1 = 0), A = -L the 5-point Laplacian with
 * coefficients 1/h^2, and a right-hand side of zero sum: a smooth mode cos(pi x) cos(2 pi y)
 * plus 10 % deterministic noise (an LCG), mean removed. With the obstacle argument 1, a solid
 * square of side N/4 centred at (0.4, 0.5) is cut out (walls around it; hypre gets identity
 * rows there and b = 0), so that rows crossing it take flowcast's general path. Both solvers start from phi = 0 and
 * stop when |b - A phi|_2 <= rtol |b|_2.
 *   flowcast: conjugate gradients with the matrix-free multigrid V-cycle (solvers/ns2d/ns2d_mg.h),
 *     through the same ns2d_mg_solver the CPU backend steps with.
 *   hypre: the Struct interface, CG (two-norm, relative) preconditioned by PFMG (Ashby & Falgout
 *     1996; semicoarsening multigrid with Galerkin coarse operators), one V(1,1) cycle with
 *     weighted Jacobi (relax type 1, the default here). Red-black Gauss-Seidel (type 2) was no
 *     faster on the open box (within 2 % at 1024^2 on this machine) and stops with hypre error
 *     256 after one iteration around the obstacle.
 * Each solve is repeated; set-up and solve are timed apart (CLOCK_PROCESS_CPUTIME_ID and wall
 * clock), A and B interleaved, and the medians printed with both solvers' iteration counts and
 * true final residuals, computed here with one independent matrix-vector product.
 *
 * Usage: poisson_hypre [N] [repeats] [rtol] [pfmg_relax_type] [obstacle 0|1]
 * Runs on one MPI rank; OpenMP threads as OMP_NUM_THREADS says (hypre's Debian build has none).
 */
/* hypre's configuration header defines autoconf's PACKAGE_* macros too: it comes first and
 * its definitions give way to ours. */
#include <HYPRE_struct_ls.h>
#include <mpi.h>
#undef PACKAGE_BUGREPORT
#undef PACKAGE_NAME
#undef PACKAGE_STRING
#undef PACKAGE_TARNAME
#undef PACKAGE_URL
#undef PACKAGE_VERSION

#include <fc_build.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "solvers/ns2d/ns2d.h"
#include "solvers/ns2d/ns2d_mg.h"

typedef struct timing {
    double cpu, wall;
} timing;

static timing now(void)
{
    struct timespec c, w;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
    clock_gettime(CLOCK_MONOTONIC, &w);
    return (timing){c.tv_sec + 1e-9 * c.tv_nsec, w.tv_sec + 1e-9 * w.tv_nsec};
}

static timing since(timing t0)
{
    timing t = now();
    return (timing){t.cpu - t0.cpu, t.wall - t0.wall};
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, by_value);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Whether cell (i, j) is solid: the obstacle square, when there is one; outside the grid too. */
static int solid_at(int n, int obstacle, int i, int j)
{
    if (i < 0 || j < 0 || i >= n || j >= n)
        return 1;
    const int side = n / 4, i0 = (int)(0.4 * n) - side / 2, j0 = n / 2 - side / 2;
    return obstacle && i >= i0 && i < i0 + side && j >= j0 && j < j0 + side;
}

/* |b - A x|_2 over the fluid cells for the Neumann 5-point operator, x and b row-major N x N. */
static double true_residual(int n, int obstacle, double h, const double *x, const double *b)
{
    double s = 0, c = 1 / (h * h);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            if (solid_at(n, obstacle, i, j))
                continue;
            const double xc = x[(size_t)j * n + i];
            const int ni[4] = {i - 1, i + 1, i, i}, nj[4] = {j, j, j - 1, j + 1};
            double ax = 0;
            for (int q = 0; q < 4; q++)
                if (!solid_at(n, obstacle, ni[q], nj[q]))
                    ax += c * (xc - x[(size_t)nj[q] * n + ni[q]]);
            const double r = b[(size_t)j * n + i] - ax;
            s += r * r;
        }
    return sqrt(s);
}

/* ---- flowcast ---- */

typedef struct flowcast_side {
    ns2d_params p;
    signed char *kind;
    ns2d_mg_solver sv;
} flowcast_side;

static int flowcast_setup(flowcast_side *f, int n, int obstacle, timing *t)
{
    memset(&f->p, 0, sizeof f->p);
    f->p.precond = NS2D_PC_MULTIGRID;
    const int bc[4] = {FC_BC_WALL, FC_BC_WALL, FC_BC_WALL, FC_BC_WALL};
    fc_err err;
    if (fc_grid_init(&f->p.grid, n, n, NS2D_HALO, 0, 1, 0, 1, bc, &err)) {
        fprintf(stderr, "poisson_hypre: %s\n", err.msg);
        return 1;
    }
    fc_real *solid = fc_grid_alloc(&f->p.grid);
    f->kind = malloc(f->p.grid.nalloc);
    if (!solid || !f->kind) {
        fprintf(stderr, "poisson_hypre: out of memory\n");
        return 1;
    }
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            solid[fc_idx(f->p.grid.pitch, f->p.grid.ng, i, j)] = (fc_real)solid_at(n, obstacle, i, j);
    ns2d_cell_kinds(&f->p.grid, solid, f->kind);
    free(solid);
    timing t0 = now();
    int st = ns2d_mg_solver_build(&f->p, f->kind, NULL, &f->sv, &err);
    *t = since(t0);
    if (st)
        fprintf(stderr, "poisson_hypre: %s\n", err.msg);
    return st != 0;
}

static int flowcast_solve(flowcast_side *f, const double *b, double rtol, double bnorm, double *x,
                          int *its, timing *t)
{
    const int n = f->p.grid.nx;
    const ns2d_mg_level *l = &f->sv.mg.lv[0];
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            f->sv.rhs[NS2D_MG_SLOT(l, i, j)] = (fc_real)b[(size_t)j * n + i];
    double res;
    fc_err err;
    timing t0 = now();
    ns2d_tol tol = {rtol * bnorm, "the relative tolerance", "rtol times |b|"};
    int st = ns2d_mg_solve_cpu(&f->sv, 1.0, &tol, 10000, its, &res, &err);
    *t = since(t0);
    if (st) {
        fprintf(stderr, "poisson_hypre: flowcast: %s\n", err.msg);
        return 1;
    }
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            x[(size_t)j * n + i] = f->sv.phi[NS2D_MG_SLOT(l, i, j)];
    return 0;
}

/* ---- hypre ---- */

typedef struct hypre_side {
    HYPRE_StructGrid grid;
    HYPRE_StructStencil stencil;
    HYPRE_StructMatrix A;
    HYPRE_StructVector b, x;
    HYPRE_StructSolver pcg, pfmg;
} hypre_side;

static void hypre_setup(hypre_side *s, int n, int obstacle, int relax, const double *b,
                        timing *t)
{
    timing t0 = now();
    int lo[2] = {0, 0}, hi[2] = {n - 1, n - 1};
    HYPRE_StructGridCreate(MPI_COMM_WORLD, 2, &s->grid);
    HYPRE_StructGridSetExtents(s->grid, lo, hi);
    HYPRE_StructGridAssemble(s->grid);
    int off[5][2] = {{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}};
    HYPRE_StructStencilCreate(2, 5, &s->stencil);
    for (int e = 0; e < 5; e++)
        HYPRE_StructStencilSetElement(s->stencil, e, off[e]);
    HYPRE_StructMatrixCreate(MPI_COMM_WORLD, s->grid, s->stencil, &s->A);
    HYPRE_StructMatrixSetSymmetric(s->A, 1);
    HYPRE_StructMatrixInitialize(s->A);
    const double c = (double)n * n;
    double *val = malloc((size_t)n * n * 5 * sizeof *val);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double *v = val + ((size_t)j * n + i) * 5;
            const int solid = solid_at(n, obstacle, i, j);
            v[1] = !solid && !solid_at(n, obstacle, i - 1, j) ? -c : 0;
            v[2] = !solid && !solid_at(n, obstacle, i + 1, j) ? -c : 0;
            v[3] = !solid && !solid_at(n, obstacle, i, j - 1) ? -c : 0;
            v[4] = !solid && !solid_at(n, obstacle, i, j + 1) ? -c : 0;
            /* decoupled rows in the solid (x = 0 there), scaled like the fluid's */
            v[0] = solid ? 4 * c : -(v[1] + v[2] + v[3] + v[4]);
        }
    int entries[5] = {0, 1, 2, 3, 4};
    HYPRE_StructMatrixSetBoxValues(s->A, lo, hi, 5, entries, val);
    HYPRE_StructMatrixAssemble(s->A);
    free(val);
    HYPRE_StructVectorCreate(MPI_COMM_WORLD, s->grid, &s->b);
    HYPRE_StructVectorCreate(MPI_COMM_WORLD, s->grid, &s->x);
    HYPRE_StructVectorInitialize(s->b);
    HYPRE_StructVectorInitialize(s->x);
    HYPRE_StructVectorSetBoxValues(s->b, lo, hi, (double *)b);
    HYPRE_StructVectorSetConstantValues(s->x, 0);
    HYPRE_StructVectorAssemble(s->b);
    HYPRE_StructVectorAssemble(s->x);
    HYPRE_StructPCGCreate(MPI_COMM_WORLD, &s->pcg);
    HYPRE_StructPFMGCreate(MPI_COMM_WORLD, &s->pfmg);
    HYPRE_StructPFMGSetMaxIter(s->pfmg, 1);
    HYPRE_StructPFMGSetTol(s->pfmg, 0.0);
    HYPRE_StructPFMGSetZeroGuess(s->pfmg);
    HYPRE_StructPFMGSetRAPType(s->pfmg, 0);
    HYPRE_StructPFMGSetRelaxType(s->pfmg, relax);
    HYPRE_StructPFMGSetNumPreRelax(s->pfmg, 1);
    HYPRE_StructPFMGSetNumPostRelax(s->pfmg, 1);
    HYPRE_StructPCGSetPrecond(s->pcg, HYPRE_StructPFMGSolve, HYPRE_StructPFMGSetup, s->pfmg);
    HYPRE_StructPCGSetTwoNorm(s->pcg, 1);
    HYPRE_StructPCGSetMaxIter(s->pcg, 10000);
    HYPRE_StructPCGSetup(s->pcg, s->A, s->b, s->x);
    *t = since(t0);
}

static void hypre_solve(hypre_side *s, int n, double rtol, double *x, int *its, timing *t)
{
    int lo[2] = {0, 0}, hi[2] = {n - 1, n - 1};
    HYPRE_StructVectorSetConstantValues(s->x, 0);
    HYPRE_StructPCGSetTol(s->pcg, rtol);
    timing t0 = now();
    HYPRE_StructPCGSolve(s->pcg, s->A, s->b, s->x);
    *t = since(t0);
    HYPRE_StructPCGGetNumIterations(s->pcg, its);
    HYPRE_StructVectorGetBoxValues(s->x, lo, hi, x);
}

static void hypre_free(hypre_side *s)
{
    HYPRE_StructPCGDestroy(s->pcg);
    HYPRE_StructPFMGDestroy(s->pfmg);
    HYPRE_StructVectorDestroy(s->x);
    HYPRE_StructVectorDestroy(s->b);
    HYPRE_StructMatrixDestroy(s->A);
    HYPRE_StructStencilDestroy(s->stencil);
    HYPRE_StructGridDestroy(s->grid);
}

int main(int argc, char **argv)
{
    const int n = argc > 1 ? atoi(argv[1]) : 1024, reps = argc > 2 ? atoi(argv[2]) : 5;
    const double rtol = argc > 3 ? atof(argv[3]) : 1e-8;
    const int relax = argc > 4 ? atoi(argv[4]) : 1, obstacle = argc > 5 ? atoi(argv[5]) : 0;
    if (n < 8 || n > 16384 || reps < 1 || reps > 100 || !(rtol > 0 && rtol < 1) ||
        (obstacle != 0 && obstacle != 1)) {
        fprintf(stderr, "usage: poisson_hypre [N 8..16384] [repeats 1..100] [rtol (0, 1)] "
                        "[PFMG relax type] [obstacle 0|1]\n");
        return 2;
    }
    MPI_Init(&argc, &argv);
    const size_t cells = (size_t)n * n;
    double *b = malloc(cells * sizeof *b), *x = malloc(cells * sizeof *x);
    double *tf = malloc((size_t)reps * 4 * sizeof *tf);
    if (!b || !x || !tf)
        return 1;
    const double h = 1.0 / n, pi = acos(-1.0);
    unsigned long long lcg = 12345;
    double mean = 0, fluid = 0;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
            double noise = (double)(lcg >> 11) / 9007199254740992.0 - 0.5;
            const int solid = solid_at(n, obstacle, i, j);
            b[(size_t)j * n + i] =
                solid ? 0 : cos(pi * (i + 0.5) * h) * cos(2 * pi * (j + 0.5) * h) + 0.1 * noise;
            mean += b[(size_t)j * n + i];
            fluid += !solid;
        }
    mean /= fluid;
    double bnorm = 0;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            if (!solid_at(n, obstacle, i, j)) {
                b[(size_t)j * n + i] -= mean;
                bnorm += b[(size_t)j * n + i] * b[(size_t)j * n + i];
            }
    bnorm = sqrt(bnorm);

    flowcast_side f;
    hypre_side hs;
    timing fset, hset;
    if (flowcast_setup(&f, n, obstacle, &fset))
        return 1;
    hypre_setup(&hs, n, obstacle, relax, b, &hset);
    double *fsolve = tf, *hsolve = tf + reps, *fcpu = tf + 2 * reps, *hcpu = tf + 3 * reps;
    int fits = 0, hits = 0;
    double fres = 0, hres = 0;
    for (int r = 0; r < reps; r++) { /* A and B interleaved */
        timing t;
        if (flowcast_solve(&f, b, rtol, bnorm, x, &fits, &t))
            return 1;
        fsolve[r] = t.wall;
        fcpu[r] = t.cpu;
        fres = true_residual(n, obstacle, h, x, b) / bnorm;
        hypre_solve(&hs, n, rtol, x, &hits, &t);
        hsolve[r] = t.wall;
        hcpu[r] = t.cpu;
        hres = true_residual(n, obstacle, h, x, b) / bnorm;
        if (!(fres <= 1.1 * rtol) || !(hres <= 1.1 * rtol)) {
            /* A solver that stopped short would make any ratio meaningless. */
            fprintf(stderr, "poisson_hypre: %s left |r|/|b| = %.3g, above the tolerance %.0e\n",
                    fres <= 1.1 * rtol ? "hypre" : "flowcast", fres <= 1.1 * rtol ? hres : fres,
                    rtol);
            return 1;
        }
    }
    printf("problem: Neumann 5-point Poisson, %d x %d cells%s, |r| <= %.0e |b|, %d repeats, A "
           "and B interleaved\n",
           n, n, obstacle ? " around a square obstacle" : "", rtol, reps);
    printf("%-34s %10s %10s %10s %10s %6s %10s\n", "solver", "setup (s)", "solve (s)",
           "solve cpu", "per it (ms)", "its", "|r|/|b|");
    const double fs = median(fsolve, reps), hsv = median(hsolve, reps);
    printf("%-34s %10.4f %10.4f %10.4f %10.2f %6d %10.2e\n", "flowcast MG-PCG (matrix-free)",
           fset.wall, fs, median(fcpu, reps), 1e3 * fs / fits, fits, fres);
    char name[64];
    snprintf(name, sizeof name, "hypre %s PFMG-CG (relax %d)", HYPRE_RELEASE_VERSION, relax);
    printf("%-34s %10.4f %10.4f %10.4f %10.2f %6d %10.2e\n", name, hset.wall, hsv,
           median(hcpu, reps), 1e3 * hsv / hits, hits, hres);
    printf("flowcast solve is %.2fx hypre's (wall, medians); set-up %.2fx\n", hsv / fs,
           hset.wall / fset.wall);
    hypre_free(&hs);
    ns2d_mg_solver_free(&f.sv);
    free(f.kind);
    free(b);
    free(x);
    free(tf);
    MPI_Finalize();
    return 0;
}
