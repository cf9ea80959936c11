/*
 * test_ns2d.c: the incompressible solver on the CPU: the pressure matrix is exactly -D G and
 * symmetric, exact Poiseuille profiles, Taylor-Green decay and its order, divergence after each
 * projection, the CPU's matrix-free operator is the same matrix and its coarse levels half of
 * Galerkin's with piecewise-constant transfers, its restriction the transpose of its
 * prolongation (cell by cell, as the GPU's kernels take them), multigrid iteration counts that stay flat under
 * refinement, Ghia's cavity, steady stopping, NaN reports, results independent of the thread
 * count (the multigrid's threaded levels too), bit-for-bit restart, the bodies' momentum
 * balance in an accelerating flow (its unsteady term), and immersed bodies centred in a channel
 * keeping its flow mirror-symmetric.
 */
#include <fc_build.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <netcdf.h>
#include <omp.h>
#endif

#include "solvers/ns2d/ns2d.h"
#include "solvers/ns2d/ns2d_cases.h"
#include "solvers/ns2d/ns2d_mg.h"
#include "solvers/ns2d/ns2d_poisson.h"
#include "src/core/run.h"
#include "tests/suites.h"
#include "tests/testlib.h"
#include "validation/validate.h"
#include "solvers/registry.h"

/* A pressure residual (s-1) for tests that compare two solves: far below the default, yet in
 * reach of the precision's round-off (in single precision the divergence of O(1) velocities on
 * 8 cells per unit length is rounded to about 1e-6 s-1). DOUBLE is the value in double. */
#define TIGHT_POISSON_TOL(DOUBLE) (TL_SINGLE ? "numerics.poisson_tol=1e-5" : DOUBLE)

/* Every boundary kind at once: inflow west, outflow east, walls south and north (the north one
 * moving), and a square obstacle. */
static const char mixed_case[] =
    "[case]\nsolver = ns2d\n[grid]\nnx = 40\nny = 24\nx_max = 2\ny_max = 1\n[time]\nt_end = 1\n"
    "cfl = 0.8\n[physics]\nreynolds = 200\n[boundary]\nwest = inflow\neast = open\n"
    "north_wall_speed = 0.5\n[obstacle]\nshape = square\ncenter_x = 0.7\ncenter_y = 0.45\n"
    "size = 0.3\n[initial]\ntype = rest\n";

static const char cavity_case[] =
    "[case]\nsolver = ns2d\n[grid]\nnx = 40\nny = 40\nx_max = 1\ny_max = 1\n[time]\nt_end = 1\n"
    "cfl = 0.8\n[physics]\nreynolds = 400\n[boundary]\nnorth_wall_speed = 1\n"
    "[initial]\ntype = rest\n";

/* Periodic with odd sizes: each coarse level ends in a block of one column and one row. */
static const char periodic_odd_case[] =
    "[case]\nsolver = ns2d\n[grid]\nnx = 25\nny = 21\nx_max = 6.283185307179586\n"
    "y_max = 6.283185307179586\n[time]\nt_end = 1\ncfl = 0.8\n[physics]\nviscosity = 0.01\n"
    "[boundary]\nwest = periodic\neast = periodic\nsouth = periodic\nnorth = periodic\n"
    "[initial]\ntype = taylor_green\namplitude = 1\n";

static const char periodic_case[] =
    "[case]\nsolver = ns2d\n[grid]\nnx = 24\nny = 20\nx_max = 6.283185307179586\n"
    "y_max = 6.283185307179586\n[time]\nt_end = 1\ncfl = 0.8\n[physics]\nviscosity = 0.01\n"
    "[boundary]\nwest = periodic\neast = periodic\nsouth = periodic\nnorth = periodic\n"
    "[initial]\ntype = taylor_green\namplitude = 1\n";

/* Two runs of one case side by side: case_text with sets_a and with sets_b, each stepped n
 * times (dt = cfl / rate of its own) and downloaded. */
static void pair_steps(tl_sim *a, tl_sim *b, const char *case_text, const char *const *sets_a,
                          const char *const *sets_b, long long n)
{
    tl_sim_open(a, case_text, sets_a, NULL);
    tl_sim_open(b, case_text, sets_b, NULL);
    tl_sim_steps(a, n);
    tl_sim_steps(b, n);
    tl_sim_download(a);
    tl_sim_download(b);
}

/* A x for the hierarchy's level-0 matrix. */
static void matvec(const ns2d_csr *A, const double *x, double *y)
{
    for (int r = 0; r < A->n; r++) {
        y[r] = 0;
        for (int k = A->rowptr[r]; k < A->rowptr[r + 1]; k++)
            y[r] += A->val[k] * x[A->col[k]];
    }
}

/* The halo copies of x where a level wraps. */
static void fill_wraps(const ns2d_mg_level *l, double *x)
{
    for (int j = 0; j < l->ny; j++) {
        if (l->wrap_x) {
            x[NS2D_MG_SLOT(l, -1, j)] = x[NS2D_MG_SLOT(l, l->nx - 1, j)];
            x[NS2D_MG_SLOT(l, l->nx, j)] = x[NS2D_MG_SLOT(l, 0, j)];
        }
    }
    for (int i = 0; i < l->nx; i++)
        if (l->wrap_y) {
            x[NS2D_MG_SLOT(l, i, -1)] = x[NS2D_MG_SLOT(l, i, l->ny - 1)];
            x[NS2D_MG_SLOT(l, i, l->ny)] = x[NS2D_MG_SLOT(l, i, 0)];
        }
}

/* A x on a level of the CPU's multigrid, as its stencil reads it (halo copies where it wraps). */
static void stencil_apply(const ns2d_mg_level *l, double *x, double *y)
{
    fill_wraps(l, x);
    const ptrdiff_t P = l->pitch;
    for (int j = 0; j < l->ny; j++)
        for (int i = 0; i < l->nx; i++) {
            const ptrdiff_t s = NS2D_MG_SLOT(l, i, j);
            y[s] = l->diag[s] * x[s] - (l->kw[s] * x[s - 1] + l->kw[s + 1] * x[s + 1] +
                                        l->ks[s] * x[s - P] + l->ks[s + P] * x[s + P]);
        }
}

/* The part of A x through the faces normal to one axis (0: x, 1: y) and that axis's Dirichlet
 * part dir (a cell's diagonal gains it). */
static void axis_apply(const ns2d_mg_level *l, double *x, const double *dir, int axis, double *y)
{
    fill_wraps(l, x);
    const ptrdiff_t P = l->pitch;
    for (int j = 0; j < l->ny; j++)
        for (int i = 0; i < l->nx; i++) {
            const ptrdiff_t s = NS2D_MG_SLOT(l, i, j);
            y[s] = l->dinv[s] == 0 ? 0
                   : axis == 0 ? l->kw[s] * (x[s] - x[s - 1]) + l->kw[s + 1] * (x[s] - x[s + 1])
                               : l->ks[s] * (x[s] - x[s - P]) + l->ks[s + P] * (x[s] - x[s + P]);
            y[s] += dir[s] * x[s];
        }
}

/*
 * The CPU's matrix-free pressure operator (ns2d_mg.h): on level 0 the same as the matrix (phi and
 * A phi over the unknowns, from check_matrix); on each coarser level, A_c x = (1/2) P0^T A P0 x
 * for P0 the piecewise-constant prolongation (x copied to the 2 x 2 children), the coarse
 * operator's definition; on a level that keeps one axis (semi-coarsening: blocks of 2 x 1 or
 * 1 x 2), A_c x = P0^T (f_x A_x + f_y A_y) P0 x with A_x and A_y the parts of A through the
 * faces normal to x and y (and each axis's Dirichlet part: on level 0 from the cell kinds,
 * below by this definition), f 1/2 along an axis halved and 1 along one kept.
 */
static void check_matrix_free(const ns2d_params *p, const signed char *kind,
                              const ns2d_poisson *ps, const double *phi, const double *aphi,
                              int expect_semi)
{
    ns2d_mg mg;
    fc_err err;
    ck_assert_msg(ns2d_mg_build(p, kind, NULL, 1, &mg, &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(mg.n, ps->n);
    ck_assert_int_eq(mg.singular, ps->singular);
    /* The GPU's CSR hierarchy (ns2d_poisson.h) coarsens as this one, semi-coarsening included:
     * the same levels with the same unknowns (halving both axes of long cells, it took 145
     * pressure iterations a step where this took 22: the emulated GPU in
     * docs/measurements/host-emulation-2026-12-06). */
    ck_assert_int_eq(ps->nlevels, mg.nlevels);
    for (int l = 0; l < mg.nlevels; l++)
        ck_assert_msg(ps->lv[l].A.n == mg.lv[l].ncells, "level %d: %d unknowns in the CSR "
                      "hierarchy, %d in the matrix-free one", l, ps->lv[l].A.n, mg.lv[l].ncells);
    const fc_grid *g = &p->grid;
    const size_t slots = ns2d_mg_slots(&mg);
    double *x = calloc(slots, sizeof *x), *y = calloc(slots, sizeof *y);
    ck_assert(x && y);
    for (int r = 0; r < ps->n; r++)
        x[mg.cell_slot[ps->slot_of[r]]] = phi[r];
    stencil_apply(&mg.lv[0], x, y);
    double worst = 0, scale0 = 0;
    for (int r = 0; r < ps->n; r++) {
        worst = fmax(worst, fabs(y[mg.cell_slot[ps->slot_of[r]]] - aphi[r]));
        scale0 = fmax(scale0, fabs(aphi[r]));
    }
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++)
            if (mg.cell_slot[fc_idx(g->pitch, g->ng, i, j)] < 0)
                ck_assert_msg(y[NS2D_MG_SLOT(&mg.lv[0], i, j)] == 0, "A x is not 0 at a solid "
                                                                     "cell");
    /* Level 0's Dirichlet parts through west and east faces, and through south and north. */
    double *dir_x = calloc(slots, sizeof *dir_x), *dir_y = calloc(slots, sizeof *dir_y);
    ck_assert(dir_x && dir_y);
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j), s = NS2D_MG_SLOT(&mg.lv[0], i, j);
            if (mg.cell_slot[k] < 0)
                continue;
            for (int d = 0; d < 4; d++)
                if (kind[k + (d == 0 ? -1 : d == 1 ? 1 : d == 2 ? -g->pitch : g->pitch)] ==
                    NS2D_OUTFLOW)
                    (d < 2 ? dir_x : dir_y)[s] += 2 / (d < 2 ? g->dx * g->dx : g->dy * g->dy);
        }
    double worst_coarse = 0;
    int semi = 0;
    for (int l = 1; l < mg.nlevels; l++) {
        const ns2d_mg_level *f = &mg.lv[l - 1], *c = &mg.lv[l];
        const int sx = f->halve_x ? 2 : 1, sy = f->halve_y ? 2 : 1;
        const double fx = f->halve_x ? 0.5 : 1, fy = f->halve_y ? 0.5 : 1;
        semi += sx != sy;
        const size_t cn = (size_t)(c->nx + 2) * (c->ny + 2), fn = (size_t)(f->nx + 2) * (f->ny + 2);
        double *xc = calloc(cn, sizeof *xc), *yc = calloc(cn, sizeof *yc);
        double *cdir_x = calloc(cn, sizeof *cdir_x), *cdir_y = calloc(cn, sizeof *cdir_y);
        double *xf = calloc(fn, sizeof *xf), *yfx = calloc(fn, sizeof *yfx);
        double *yfy = calloc(fn, sizeof *yfy);
        ck_assert(xc && yc && cdir_x && cdir_y && xf && yfx && yfy);
        for (int J = 0; J < c->ny; J++)
            for (int I = 0; I < c->nx; I++)
                if (c->dinv[NS2D_MG_SLOT(c, I, J)] > 0)
                    xc[NS2D_MG_SLOT(c, I, J)] = rand() / (double)RAND_MAX - 0.5;
        for (int j = 0; j < f->ny; j++)
            for (int i = 0; i < f->nx; i++)
                if (f->dinv[NS2D_MG_SLOT(f, i, j)] > 0)
                    xf[NS2D_MG_SLOT(f, i, j)] = xc[NS2D_MG_SLOT(c, i / sx, j / sy)];
        stencil_apply(c, xc, yc);
        axis_apply(f, xf, dir_x, 0, yfx);
        axis_apply(f, xf, dir_y, 1, yfy);
        double scale = 0;
        for (int J = 0; J < c->ny; J++)
            for (int I = 0; I < c->nx; I++) {
                double sum = 0, mag = 0;
                for (int b = 0; b < sy; b++)
                    for (int a = 0; a < sx; a++)
                        if (sx * I + a < f->nx && sy * J + b < f->ny) {
                            const ptrdiff_t fs = NS2D_MG_SLOT(f, sx * I + a, sy * J + b);
                            sum += fx * yfx[fs] + fy * yfy[fs];
                            mag += fabs(yfx[fs]) + fabs(yfy[fs]);
                            cdir_x[NS2D_MG_SLOT(c, I, J)] += fx * dir_x[fs];
                            cdir_y[NS2D_MG_SLOT(c, I, J)] += fy * dir_y[fs];
                        }
                worst_coarse = fmax(worst_coarse, fabs(yc[NS2D_MG_SLOT(c, I, J)] - sum));
                scale = fmax(scale, mag);
            }
        ck_assert_msg(worst_coarse <= 1000 * TL_EPS * scale,
                      "level %d (%d x %d blocks): A_c differs from P0^T (f_x A_x + f_y A_y) P0 by "
                      "%g of %g", l, sx, sy, worst_coarse, scale);
        free(dir_x), free(dir_y);
        dir_x = cdir_x;
        dir_y = cdir_y;
        /* The transfers, cell by cell as the GPU's kernels take them: the restriction
         * (ns2d_mg_restrict_at) is the transpose of the bilinear prolongation
         * (ns2d_mg_prolong_sum), <R r, x_c> = <r, P x_c> for any r and x_c. */
        fc_real *rf = calloc((size_t)(f->nx + 2) * (f->ny + 2), sizeof *rf);
        fc_real *xcr = calloc((size_t)(c->nx + 2) * (c->ny + 2), sizeof *xcr);
        ck_assert(rf && xcr);
        for (int j = 0; j < f->ny; j++)
            for (int i = 0; i < f->nx; i++)
                rf[NS2D_MG_SLOT(f, i, j)] = (fc_real)(rand() / (double)RAND_MAX - 0.5);
        for (int J = 0; J < c->ny; J++)
            for (int I = 0; I < c->nx; I++)
                xcr[NS2D_MG_SLOT(c, I, J)] = (fc_real)(rand() / (double)RAND_MAX - 0.5);
        ns2d_mg_level fr = *f; /* the fine level with r in place of its residual */
        fr.r = rf;
        double rx = 0, rpx = 0, mag = 0;
        for (int J = 0; J < c->ny; J++)
            for (int I = 0; I < c->nx; I++) {
                const double t = (double)ns2d_mg_restrict_at(&fr, I, J) * xcr[NS2D_MG_SLOT(c, I, J)];
                rx += t;
                mag += fabs(t);
            }
        for (int j = 0; j < f->ny; j++) {
            const int Jn = f->ay.nb[j];
            const fc_real *own = xcr + NS2D_MG_SLOT(c, 0, f->ay.own[j]);
            const fc_real *nbr = Jn >= 0 ? xcr + NS2D_MG_SLOT(c, 0, Jn) : NULL;
            for (int i = 0; i < f->nx; i++)
                rpx += (double)rf[NS2D_MG_SLOT(f, i, j)] *
                       ns2d_mg_prolong_sum(own, nbr, f->ax.own[i], f->ax.nb[i]);
        }
        ck_assert_msg(fabs(rx - rpx) <= 100 * TL_EPS * mag,
                      "level %d: <R r, x> = %.17g but <r, P x> = %.17g", l, rx, rpx);
        free(rf), free(xcr);
        free(xc), free(yc), free(xf), free(yfx), free(yfy);
    }
    free(dir_x), free(dir_y);
    printf("matrix-free operator (%d levels, %d of them semi-coarsened): max |A phi - matrix "
           "phi| = %.2e; coarse levels within %.2e of P0^T (f_x A_x + f_y A_y) P0\n",
           mg.nlevels, semi, worst, worst_coarse);
    ck_assert_int_eq(semi, expect_semi);
    ck_assert_msg(worst <= 1e-12 * scale0, "level 0 differs from the matrix by %g of %g", worst,
                  scale0);
    free(x), free(y);
    ns2d_mg_free(&mg);
}

/* The matrix of each boundary set-up: symmetric, and the divergence of the velocity correction
 * -G phi equals A phi for any phi, so a projection leaves exactly the solver's residual. */
static void check_matrix(const char *text, const char *const *sets, int expect_semi)
{
    tl_sim s;
    tl_sim_open(&s, text, sets, NULL);
    const ns2d_params *p = s.params;
    const fc_grid *g = &p->grid;
    signed char *kind = malloc(g->nalloc);
    ck_assert_ptr_nonnull(kind);
    ns2d_cell_kinds(g, s.host.f[NS2D_SOLID], kind);
    ns2d_poisson ps;
    fc_err err;
    ck_assert_msg(ns2d_poisson_build(p, kind, NULL, &ps, &err) == FC_OK, "%s", err.msg);
    const ns2d_csr *A = &ps.lv[0].A;
    for (int r = 0; r < A->n; r++)
        for (int k = A->rowptr[r]; k < A->rowptr[r + 1]; k++) {
            int c = A->col[k], found = 0;
            for (int q = A->rowptr[c]; q < A->rowptr[c + 1]; q++)
                if (A->col[q] == r) {
                    found = 1;
                    ck_assert_double_eq_tol(A->val[q], A->val[k], 1e-12 * fabs(A->val[k]));
                }
            ck_assert_msg(found, "A is not symmetric at (%d, %d)", r, c);
        }
    double *phi = malloc((size_t)ps.n * sizeof *phi), *aphi = malloc((size_t)ps.n * sizeof *aphi);
    fc_real *u = fc_grid_alloc(g), *v = fc_grid_alloc(g), *fphi = malloc((size_t)ps.n * sizeof *fphi);
    ck_assert(phi && aphi && u && v && fphi);
    srand(7);
    for (int r = 0; r < ps.n; r++)
        fphi[r] = (fc_real)(phi[r] = rand() / (double)RAND_MAX - 0.5);
    matvec(A, phi, aphi);
    for (int comp = 0; comp < 2; comp++) {
        fc_real *q = comp ? v : u;
        const ptrdiff_t step = comp ? g->pitch : 1;
        for (int j = 0; j <= g->ny; j++)
            for (int i = 0; i <= g->nx; i++) {
                ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
                int cls = comp ? ns2d_class_v(kind, k, g->pitch) : ns2d_class_u(kind, k);
                if (ns2d_face_updated(cls))
                    q[k] = ns2d_correction(fphi, ps.cell_of, kind, k - step, k,
                                           (fc_real)(1 / (comp ? g->dy : g->dx)));
            }
    }
    /* Periodic sides: the edge faces repeat the first ones. */
    for (int j = 0; j <= g->ny; j++)
        for (int i = 0; i <= g->nx; i++) {
            ns2d_fill_slot(u, kind, p, 0, i, j);
            ns2d_fill_slot(v, kind, p, 1, i, j);
        }
    double worst = 0, scale = 0;
    for (int r = 0; r < ps.n; r++) {
        double div = ns2d_divergence(u, v, ps.slot_of[r], g->pitch, (fc_real)g->dx, (fc_real)g->dy);
        worst = fmax(worst, fabs(div - aphi[r]));
        scale = fmax(scale, fabs(aphi[r]));
    }
    printf("pressure matrix (%d unknowns, %d levels, %s): max |D(-G phi) - A phi| = %.2e of %.2e\n",
           ps.n, ps.nlevels, ps.singular ? "singular" : "regular", worst, scale);
    ck_assert_msg(worst <= 1000 * TL_EPS * scale, "D G differs from the matrix by %g", worst);
    check_matrix_free(p, kind, &ps, phi, aphi, expect_semi);
    free(phi), free(aphi), free(u), free(v), free(fphi), free(kind);
    ns2d_poisson_free(&ps);
    tl_sim_close(&s);
}

START_TEST(pressure_matrix_is_minus_div_grad_and_symmetric)
{
    check_matrix(mixed_case, NULL, 0);
    check_matrix(cavity_case, NULL, 0);
    check_matrix(periodic_case, NULL, 0);
    check_matrix(periodic_odd_case, NULL, 0);
    /* Long cells (semi-coarsening): x halved alone three times with the outflow's Dirichlet
     * part on it (then 20 x 12 cells are near square); y five times, the outflow on the axis
     * kept; a periodic y of odd length halved alone three times. */
    const char *const wide[] = {"grid.nx=160", "grid.ny=12", NULL};
    const char *const tall[] = {"grid.nx=12", "grid.ny=160", NULL};
    const char *const tall_periodic[] = {"grid.nx=7", "grid.ny=45", NULL};
    check_matrix(mixed_case, wide, 3);
    check_matrix(mixed_case, tall, 5);
    check_matrix(periodic_odd_case, tall_periodic, 3);
}
END_TEST

START_TEST(poiseuille_is_exact)
{
    double force, inflow;
    fc_err err;
    ck_assert_msg(fc_val_poiseuille(32, 0, &force, &err) == FC_OK, "%s", err.msg);
    ck_assert_msg(fc_val_poiseuille(32, 1, &inflow, &err) == FC_OK, "%s", err.msg);
    printf("Poiseuille, 32 cells: relative L2 error %.2e (body force), %.2e (inflow/outflow)\n",
           force, inflow);
    /* The issue asks for 1e-3; the wall ghosts are exact for a parabola, so only the steady
     * tolerance is left, and round-off (60 units of it in single precision). */
    const double tol = 1e-6 + 1000 * TL_EPS;
    ck_assert_msg(force < tol && inflow < tol, "errors %g, %g", force, inflow);
}
END_TEST

/* validate's backward-facing step reads its eddies off the wall rows: the lower wall's
 * reattachment past a corner eddy (or with none), the upper eddy's ends, NAN for what is not
 * there. Profiles with known zeros: (x - a)(x - b) on faces 0.01 apart. */
START_TEST(step_eddies_are_the_wall_shear_sign_changes)
{
    enum { N = 2001 };
    static double x[N], lower[N], upper[N], flat[N];
    for (int i = 0; i < N; i++) {
        x[i] = 0.01 * i;
        lower[i] = (x[i] - 0.1) * (x[i] - 6);    /* corner eddy to 0.1, main eddy to 6 */
        upper[i] = (x[i] - 4.85) * (x[i] - 10.48);  /* negative between 4.85 and 10.48 */
        flat[i] = 1;
    }
    double e[3];
    fc_val_step_eddies(N, x, lower, upper, e);
    ck_assert_msg(fabs(e[0] - 6) < 1e-4 && fabs(e[1] - 4.85) < 1e-4 && fabs(e[2] - 10.48) < 1e-4,
                  "eddies %.6f, %.6f, %.6f", e[0], e[1], e[2]);
    for (int i = 0; i < N; i++)
        lower[i] = x[i] - 6; /* no corner eddy */
    fc_val_step_eddies(N, x, lower, flat, e);
    ck_assert_msg(fabs(e[0] - 6) < 1e-12 && isnan(e[1]) && isnan(e[2]), "%g %g %g", e[0], e[1],
                  e[2]);
    for (int i = 0; i < N; i++)
        upper[i] = 4.85 - x[i]; /* separates and never reattaches */
    fc_val_step_eddies(N, x, flat, upper, e);
    ck_assert_msg(isnan(e[0]) && fabs(e[1] - 4.85) < 1e-12 && isnan(e[2]), "%g %g %g", e[0], e[1],
                  e[2]);
}
END_TEST

START_TEST(taylor_green_second_order)
{
    double e1, e2;
    fc_err err;
    ck_assert_msg(fc_val_taylor_green(16, &e1, &err) == FC_OK, "%s", err.msg);
    ck_assert_msg(fc_val_taylor_green(32, &e2, &err) == FC_OK, "%s", err.msg);
    printf("Taylor-Green at t = 1: max error %.3e (16^2), %.3e (32^2), order %.2f\n", e1, e2,
           log2(e1 / e2));
    ck_assert_msg(log2(e1 / e2) >= 1.9, "order %g", log2(e1 / e2));
    ck_assert(e2 < 1e-3);
}
END_TEST

/* The face velocities' kinetic energy per unit mass, summed over the cells (m2 s-2 per cell). */
static double face_energy(tl_sim *s)
{
    double e = 0;
    for (int j = 0; j < s->grid.ny; j++)
        for (int i = 0; i < s->grid.nx; i++)
            e += (tl_at(s, NS2D_U, i, j) * tl_at(s, NS2D_U, i, j) +
                  tl_at(s, NS2D_V, i, j) * tl_at(s, NS2D_V, i, j)) / 2;
    return e;
}

/*
 * Both advection schemes are stable at the cases' cfl 0.8 when advection dominates: the
 * Taylor-Green vortex with almost no viscosity (an Euler steady state), 400 steps, loses kinetic
 * energy between every 10 steps (upwind schemes dissipate) and never gains any. With the
 * advective rate unweighted, linear upwind's grid-scale mode grows 2.9 times a step, and here the
 * energy rose by 29 % between steps 20 and 30 (ns2d.h, the time step).
 */
START_TEST(advection_is_stable_at_the_cases_cfl)
{
    const char *const schemes[] = {"numerics.advection=quick", "numerics.advection=upwind2"};
    for (int sc = 0; sc < 2; sc++) {
        const char *const sets[] = {"physics.viscosity=1e-6", schemes[sc], NULL};
        tl_sim s;
        tl_sim_open(&s, periodic_case, sets, NULL);
        tl_sim_download(&s);
        const double e0 = face_energy(&s);
        double prev = e0;
        for (int b = 0; b < 40; b++) {
            tl_sim_steps(&s, 10);
            tl_sim_download(&s);
            const double e = face_energy(&s);
            ck_assert_msg(e <= prev * (1 + 1e-12), "%s: the kinetic energy rose from %.10g to "
                          "%.10g over steps %d-%d", schemes[sc], prev, e, 10 * b, 10 * b + 10);
            prev = e;
        }
        printf("%s at cfl 0.8, nu 1e-6: kinetic energy %.6g -> %.6g over 400 steps\n",
               schemes[sc], e0, prev);
        ck_assert(prev < e0);
        tl_sim_close(&s);
    }
}
END_TEST

/* A run of case (with sets, NULL-terminated) continued from the earlier output `from` with
 * --regrid, set up (fc_sim_start) but not stepped. */
static void regrid_open(tl_sim *s, const char *case_text, const char *const *sets,
                        const char *from)
{
    fc_err err;
    fc_config cfg;
    int n = 0;
    while (sets[n])
        n++;
    const char *ini = tl_temp_file("regrid.ini", case_text);
    ck_assert_msg(fc_config_load(ini, sets, n, fc_solvers(), &cfg, &err) == FC_OK, "%s", err.msg);
    const fc_sim_restart restart = {from, 1};
    ck_assert_msg(fc_sim_start(s, &cfg, NULL, &restart, &err) == FC_OK, "%s", err.msg);
}

/* The largest difference between s's face velocities (a square periodic grid) and the
 * Taylor-Green vortex of amplitude 1 and wavenumber 1 at time t. */
static double taylor_green_face_error(tl_sim *s, double t)
{
    const ns2d_params *p = s->params;
    double e = 0;
    for (int j = 0; j < s->grid.ny; j++)
        for (int i = 0; i < s->grid.nx; i++) {
            double u, v, dummy;
            const double x = i * s->grid.dx, y = (j + 0.5) * s->grid.dy;
            ns2d_taylor_green(1, 1, p->nu, t, x, y, &u, &dummy, &dummy);
            ns2d_taylor_green(1, 1, p->nu, t, y, x, &dummy, &v, &dummy);
            e = fmax(e, fabs(tl_at(s, NS2D_U, i, j) - u));
            e = fmax(e, fabs(tl_at(s, NS2D_V, j, i) - v));
        }
    return e;
}

/* mixed_case (a square body in a channel with an inflow) run to t = 0.2 s into path. */
static void run_channel(const char *ini_name, const char *path)
{
    const char *mixed = tl_temp_file(ini_name, mixed_case);
    const char *const early[] = {"time.t_end=0.2"};
    fc_run_result res;
    fc_err err;
    fc_run_opts o = {.case_path = mixed, .solvers = fc_solvers(), .device = "cpu",
                     .output = path, .overwrite = 1, .quiet = 1, .sets = early, .nsets = 1};
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
}

static const char *const channel_finer[] = {"grid.nx=60", "grid.ny=36", NULL};

/* s, the channel of run_channel started with sets (on channel_finer's grid, say) from a file
 * of its 40 x 24 cells, has the case's body (not an interpolation, not the file's) and is
 * divergence-free after its first step. Closes s. */
static void channel_takes_body_and_projects(tl_sim *s, const char *const *sets)
{
    tl_sim fresh;
    tl_sim_open(&fresh, mixed_case, sets, NULL);
    ck_assert(!memcmp(s->host.f[NS2D_SOLID], fresh.host.f[NS2D_SOLID],
                      s->grid.nalloc * sizeof(fc_real)));
    tl_sim_steps(s, 1);
    tl_sim_download(s);
    double *d = calloc(s->s->io.ndiags, sizeof *d);
    fc_err err;
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(s->s->io.diagnose(s->params, &s->grid, &s->host, s->last.stats, d, &err),
                     FC_OK);
    ck_assert_msg(d[2] <= ((const ns2d_params *)s->params)->poisson_tol,
                  "max divergence %g after the first step", d[2]);
    free(d);
    tl_sim_close(s);
    tl_sim_close(&fresh);
}

/* --regrid: the Taylor-Green vortex written on 16 x 16 and on 32 x 32 cells and continued on
 * 96 x 96: its velocities on faces (a periodic box: interpolation wraps across it) come within
 * second order of the exact vortex; a body's mask is the case's on the new grid, not an
 * interpolation, and the first step's projection makes the flow divergence-free on it. */
START_TEST(regrid_is_second_order_and_takes_bodies_from_the_case)
{
    const char *ini = tl_temp_file("tg.ini", periodic_case);
    const char *coarse = tl_temp_path("tg.nc");
    double error[2];
    for (int r = 0; r < 2; r++) {
        const char *const first[] = {r ? "grid.nx=32" : "grid.nx=16",
                                     r ? "grid.ny=32" : "grid.ny=16", "time.t_end=0.01"};
        fc_run_result res;
        fc_err err;
        fc_run_opts o = {.case_path = ini, .solvers = fc_solvers(), .device = "cpu",
                         .output = coarse, .overwrite = 1, .quiet = 1, .sets = first, .nsets = 3};
        ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
        tl_sim s;
        regrid_open(&s, periodic_case, (const char *const[]){"grid.nx=96", "grid.ny=96", NULL},
                    coarse);
        ck_assert_int_eq(s.restart_from[0], r ? 32 : 16);
        error[r] = taylor_green_face_error(&s, s.t);
        tl_sim_close(&s);
    }
    printf("regrid of the Taylor-Green vortex onto 96 x 96: largest velocity error %.3e from "
           "16 x 16, %.3e from 32 x 32 (order %.2f)\n",
           error[0], error[1], log2(error[0] / error[1]));
    ck_assert_msg(error[0] < 0.05 && log2(error[0] / error[1]) > 1.8, "errors %g, %g", error[0],
                  error[1]);

    /* A square body in a channel with an inflow, continued from 40 x 24 on 60 x 36. */
    run_channel("mixed.ini", coarse);
    tl_sim s;
    regrid_open(&s, mixed_case, channel_finer, coarse);
    ck_assert_str_eq(s.restart_note, ""); /* another grid: the file's mask is not compared */
    channel_takes_body_and_projects(&s, channel_finer);
}
END_TEST

/* A restart on the same grid takes the bodies from the case too, where it has moved or
 * resized them since the file was written (the immersed boundary and the forces come from the
 * case's bodies), and says how many cells changed; a case that did not change them says
 * nothing and changes no bit (restart_is_bit_for_bit). */
START_TEST(restart_takes_bodies_from_the_case)
{
    const char *file = tl_temp_path("channel_moved.nc");
    run_channel("moved.ini", file);
    double t;
    double *before = tl_read_last(file, "solid", 40 * 24, &t);
    static const char *const moved[] = {"obstacle.center_x=0.9", "obstacle.size=0.2", NULL};
    tl_sim s, fresh;
    tl_sim_open(&fresh, mixed_case, moved, NULL);
    long long gained = 0, freed = 0;
    for (int j = 0; j < 24; j++)
        for (int i = 0; i < 40; i++) {
            const int now = tl_at(&fresh, NS2D_SOLID, i, j) != 0, was = before[j * 40 + i] != 0;
            gained += now && !was;
            freed += was && !now;
        }
    tl_sim_close(&fresh);
    ck_assert(gained > 0 && freed > 0);
    char want[128];
    snprintf(want, sizeof want, "they cover %lld of its fluid cells and free %lld of its solid",
             gained, freed);
    regrid_open(&s, mixed_case, moved, file);
    ck_assert_int_eq(s.restart_from[0], 0);
    ck_assert_msg(strstr(s.restart_note, want), "'%s' lacks '%s'", s.restart_note, want);
    channel_takes_body_and_projects(&s, moved);
    regrid_open(&s, mixed_case, (const char *const[]){NULL}, file);
    ck_assert_str_eq(s.restart_note, "");
    tl_sim_close(&s);
    /* A body the case moved out of the domain is named, as a fresh run names it. */
    const char *ini = tl_temp_file("gone.ini", mixed_case);
    fc_config cfg;
    fc_err err;
    ck_assert_int_eq(fc_config_load(ini, (const char *const[]){"obstacle.center_x=-5"}, 1,
                                    fc_solvers(), &cfg, &err), FC_OK);
    const fc_sim_restart restart = {file, 0};
    ck_assert_int_eq(fc_sim_start(&s, &cfg, NULL, &restart, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "covers no cell centre"), "%s", err.msg);
    fc_config_free(&cfg);
    free(before);
}
END_TEST

/*
 * The same flow at any speed: a cavity whose lid moves at U (and whose Reynolds number is taken
 * at U) has the velocity u/U of the 1 m/s cavity after the same number of steps. poisson_tol
 * alone could not give that: 1e-8 s-1 (1e-3 in single precision) is no bound on the divergence
 * of a lid at 1e-9 m/s (1e-4 in single) on these 40 x 40 cells, whose largest |u|/dx is 4e-8 s-1
 * (4e-3); the relative bound (ns2d_projection_tol) is.
 */
START_TEST(the_projection_holds_at_any_speed)
{
    const char *slow = TL_SINGLE ? "1e-4" : "1e-9";
    char lid[64], ref[64];
    snprintf(lid, sizeof lid, "boundary.north_wall_speed=%s", slow);
    snprintf(ref, sizeof ref, "physics.reference_speed=%s", slow);
    const double U = atof(slow);
    tl_sim a, b;
    pair_steps(&a, &b, cavity_case, NULL, (const char *const[]){lid, ref, NULL}, 100);
    /* dt = cfl / rate from velocities that agree to the bound below */
    ck_assert_double_eq_tol(b.t * U, a.t, (TL_SINGLE ? 1e-4 : 1e-9) * a.t);
    double worst = 0, largest = 0;
    for (int j = 0; j < a.grid.ny; j++)
        for (int i = 0; i <= a.grid.nx; i++) {
            const double ua = tl_at(&a, NS2D_U, i, j), ub = tl_at(&b, NS2D_U, i, j) / U;
            worst = fmax(worst, fabs(ub - ua));
            largest = fmax(largest, fabs(ua));
        }
    printf("cavity with its lid at %s m/s: u/U within %.3g of the 1 m/s cavity's (largest %.3g)\n",
           slow, worst, largest);
    /* Observed 4.9e-12 (9.9e-8 in single precision); 0.043 with poisson_tol alone. */
    ck_assert_msg(worst <= (TL_SINGLE ? 1e-5 : 1e-9) * largest, "u/U differs by %g", worst);
    tl_sim_close(&a);
    tl_sim_close(&b);
}
END_TEST

START_TEST(divergence_below_tolerance_after_each_projection)
{
    double ratio;
    fc_err err;
    ck_assert_msg(fc_val_divergence(48, 40, &ratio, &err) == FC_OK, "%s", err.msg);
    printf("cavity Re 1000: largest divergence over 40 steps = %.3f x its tolerance\n", ratio);
    ck_assert(ratio <= 1);
    /* With every boundary kind and an obstacle too. */
    tl_sim s;
    tl_sim_open(&s, mixed_case, NULL, NULL);
    const double tol = ((const ns2d_params *)s.params)->poisson_tol; /* the default */
    for (int k = 0; k < 30; k++) {
        tl_sim_steps(&s, 1);
        ck_assert_msg(s.last.stats[1] <= tol, "step %d: residual %g", k, s.last.stats[1]);
    }
    tl_sim_download(&s);
    double *d = calloc(s.s->io.ndiags, sizeof *d);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(s.s->io.diagnose(s.params, &s.grid, &s.host, s.last.stats, d, &err), FC_OK);
    ck_assert_msg(d[2] <= tol, "max divergence %g", d[2]);
    tl_sim_close(&s);
    /* Immersed bodies, an ellipse and an aerofoil: every cell cut by them too, those without a
     * pressure unknown (their open faces all held) by the mass fix (ns2d_ib_fix), so the net
     * outflow of each cell's open part is the solver's residual at most. */
    static const char *const bodies[][4] = {
        {"obstacle.shape=ellipse", "obstacle.width=0.5", "obstacle.height=0.23",
         "obstacle.rotation=30"},
        {"obstacle.shape=naca", "obstacle.size=0.8", "obstacle.angle_of_attack=12", NULL}};
    for (int b = 0; b < 2; b++) {
        const char *sets[] = {"obstacle.boundary=immersed", "grid.nx=80", "grid.ny=48",
                              bodies[b][0], bodies[b][1], bodies[b][2], bodies[b][3], NULL};
        tl_sim_open(&s, mixed_case, sets, NULL);
        const ns2d_params *p = s.params;
        signed char *kind = malloc(s.grid.nalloc);
        ck_assert_ptr_nonnull(kind);
        ns2d_cell_kinds(&s.grid, s.host.f[NS2D_SOLID], kind);
        ns2d_ib ib;
        ck_assert_int_eq(ns2d_ib_build(p, kind, &ib, &err), FC_OK);
        int without = 0;
        for (int j = 0; j < s.grid.ny; j++)
            for (int i = 0; i < s.grid.nx; i++) {
                const ptrdiff_t k = fc_idx(s.grid.pitch, s.grid.ng, i, j);
                without += kind[k] == NS2D_FLUID && !ns2d_pressure_cell(kind, &ib, k, s.grid.pitch);
            }
        printf("%s: %d cut cells without an unknown, %d faces in the mass fix\n", bodies[b][0],
               without, ib.fix.n);
        ck_assert_msg(without > 0 && ib.fix.n > 0, "the case does not exercise the mass fix");
        ns2d_ib_free(&ib);
        free(kind);
        double worst = 0;
        for (int k = 0; k < 30; k++) {
            tl_sim_steps(&s, 1);
            tl_sim_download(&s);
            ck_assert_int_eq(s.s->io.diagnose(s.params, &s.grid, &s.host, s.last.stats, d, &err), FC_OK);
            worst = fmax(worst, d[2]);
        }
        printf("%s: largest divergence of a cell's open part over 30 steps %.2e s-1\n",
               bodies[b][0], worst);
        ck_assert_msg(worst <= tol, "%s: max divergence %g", bodies[b][0], worst);
        tl_sim_close(&s);
    }
    free(d);
}
END_TEST

/* A doubly periodic flow that changes every step (the Taylor-Green vortex pushed by a uniform
 * force along x and y) is divergence-free to the tolerance in every cell, the last column and
 * row included: their far faces are the first ones, and a stage that read those from the stage
 * before left 1.4 s-1 there after 10 steps. */
START_TEST(periodic_seams_are_projected)
{
    const char *const sets[] = {"physics.force_x=1", "physics.force_y=0.5", NULL};
    const char *const odd[] = {"physics.force_x=1", "physics.force_y=0.5", "grid.nx=25",
                               "grid.ny=21", NULL};
    const char *const *grids[] = {sets, odd};
    for (int c = 0; c < 2; c++) {
        tl_sim s;
        tl_sim_open(&s, periodic_case, grids[c], NULL);
        const double tol = ((const ns2d_params *)s.params)->poisson_tol;
        double *d = calloc(s.s->io.ndiags, sizeof *d), worst = 0;
        ck_assert_ptr_nonnull(d);
        fc_err err;
        for (int k = 0; k < 10; k++) {
            tl_sim_steps(&s, 1);
            tl_sim_download(&s);
            ck_assert_int_eq(s.s->io.diagnose(s.params, &s.grid, &s.host, s.last.stats, d, &err),
                             FC_OK);
            worst = fmax(worst, d[2]);
        }
        printf("periodic %d x %d, pushed: largest divergence over 10 steps %.2e s-1\n",
               s.grid.nx, s.grid.ny, worst);
        ck_assert_msg(worst <= tol, "%d x %d: max divergence %g", s.grid.nx, s.grid.ny, worst);
        free(d);
        tl_sim_close(&s);
    }
}
END_TEST

/* A scripted conjugate-gradient run for ns2d_pcg: the vector operations do nothing, and each
 * read of |r|^2 gives the next divergence of a sequence. */
typedef struct scripted_cg {
    int reads;
    double (*divergence)(int iteration);
} scripted_cg;

static int cg_nothing(void *ctx, fc_err *err)
{
    (void)ctx, (void)err;
    return FC_OK;
}
static int cg_dot(void *ctx, int a, int b, int out, fc_err *err)
{
    (void)ctx, (void)a, (void)b, (void)out, (void)err;
    return FC_OK;
}
static int cg_step(void *ctx, int num, int den, fc_err *err)
{
    (void)ctx, (void)num, (void)den, (void)err;
    return FC_OK;
}
static int cg_read(void *ctx, int scalar, double *out, fc_err *err)
{
    (void)err;
    scripted_cg *s = ctx;
    const double r = s->divergence(s->reads);
    if (scalar == NS2D_PCG_RR)
        s->reads++;
    *out = r * r;
    return FC_OK;
}
/* Halving down to a floor near 2e-6 by iteration 13, then wandering between 1e-6 and 3e-6. */
static double at_round_off(int k) { return fmax(1e-2 * pow(0.5, k), 1e-6 * (2 + sin(1.7 * k))); }
/* Falling by 3 % an iteration: converging, too slowly for the iterations allowed. */
static double slowly(int k) { return 1e-2 * pow(0.97, k); }

static const char *scripted_failure(double (*divergence)(int), int max_iter, double tol)
{
    static fc_err err;
    static const ns2d_pcg_ops ops = {cg_nothing, cg_dot, cg_read, cg_nothing, cg_nothing,
                                     cg_nothing, cg_step, cg_step};
    scripted_cg s = {0, divergence};
    int its;
    double res;
    err.msg[0] = '\0';
    ns2d_tol t = {tol, "poisson_tol", ""};
    snprintf(t.what, sizeof t.what, "[numerics] poisson_tol = %g s-1", tol);
    const int st = ns2d_pcg(&ops, &s, 1, &t, max_iter, &its, &res, &err);
    ck_assert_int_eq(its, st ? max_iter : its);
    return st ? err.msg : NULL;
}

/* A pressure solve that cannot reach poisson_tol says why: one whose divergence stopped
 * halving in the second half of its iterations has reached round-off (raise poisson_tol);
 * one still halving needs more iterations; a few iterations tell nothing. */
START_TEST(pressure_solve_failures_name_their_cause)
{
    const char *msg = scripted_failure(at_round_off, 200, 1e-8);
    ck_assert_msg(msg && strstr(msg, "by iteration 13 and not to half of that in the 187 after it") &&
                      strstr(msg, "the tolerance is below the round-off") &&
                      strstr(msg, "raise poisson_tol"), "%s", msg ? msg : "(converged)");
    msg = scripted_failure(slowly, 200, 1e-8);
    ck_assert_msg(msg && strstr(msg, "raise poisson_max_iterations") && !strstr(msg, "round-off"),
                  "%s", msg ? msg : "(converged)");
    msg = scripted_failure(at_round_off, 10, 1e-8);
    ck_assert_msg(msg && strstr(msg, "raise poisson_max_iterations"), "%s", msg ? msg : "(converged)");
    ck_assert_ptr_null(scripted_failure(slowly, 200, 1e-3));
}
END_TEST

/* Iterations of the first step's two pressure solves (the hardest: the lid starts) on the unit
 * cavity with nx x ny cells, to one tolerance on every grid: poisson_tol's (the relative bound's
 * scale, the largest |u|/dx, changes with the cells). */
static int first_iterations(int nx, int ny, const char *precond)
{
    char sets[3][64];
    snprintf(sets[0], sizeof sets[0], "grid.nx=%d", nx);
    snprintf(sets[1], sizeof sets[1], "grid.ny=%d", ny);
    snprintf(sets[2], sizeof sets[2], "numerics.preconditioner=%s", precond);
    const char *const s3[] = {sets[0], sets[1], sets[2], "numerics.poisson_max_iterations=5000",
                              "numerics.poisson_rtol=0.5", NULL};
    tl_sim s;
    tl_sim_open(&s, cavity_case, s3, NULL);
    tl_sim_steps(&s, 1);
    int its = (int)s.last.stats[0];
    tl_sim_close(&s);
    return its;
}

START_TEST(multigrid_iterations_stay_flat)
{
    int mg[3], jac[2];
    for (int k = 0; k < 3; k++)
        mg[k] = first_iterations(64 << k, 64 << k, "multigrid");
    for (int k = 0; k < 2; k++)
        jac[k] = first_iterations(64 << k, 64 << k, "jacobi");
    printf("first step's iterations (two solves): multigrid %d, %d, %d at 64, 128, 256; "
           "Jacobi %d, %d at 64, 128\n",
           mg[0], mg[1], mg[2], jac[0], jac[1]);
    ck_assert_msg(mg[2] <= mg[0] + 2, "multigrid iterations grow: %d -> %d", mg[0], mg[2]);
    ck_assert_msg(jac[1] > 3 * jac[0] / 2, "Jacobi iterations should grow with n");
    /* Cells 4, 16 and 64 times longer one way than the other, as many as 64 x 64: semi-
     * coarsening keeps the count (halving both axes, the cavity's first 0.5 s took 18, 49 and
     * 113 iterations a step on 32 x 128, 16 x 256 and 8 x 512 cells, against 9 on 64 x 64). */
    const int shapes[][2] = {{32, 128}, {16, 256}, {256, 16}, {8, 512}};
    for (int k = 0; k < 4; k++) {
        const int its = first_iterations(shapes[k][0], shapes[k][1], "multigrid");
        printf("first step's iterations on %d x %d cells: %d\n", shapes[k][0], shapes[k][1], its);
        ck_assert_msg(its <= mg[0] + 2, "%d x %d cells: %d iterations against %d on 64 x 64",
                      shapes[k][0], shapes[k][1], its, mg[0]);
    }
}
END_TEST

/* A grid small enough for one multigrid level (the exact coarse solve alone) gives what Jacobi
 * gives. */
START_TEST(one_level_multigrid_agrees_with_jacobi)
{
    const char *tol = TIGHT_POISSON_TOL("numerics.poisson_tol=1e-13");
    const char *const mg[] = {"grid.nx=8", "grid.ny=6", tol, NULL};
    const char *const jac[] = {"grid.nx=8", "grid.ny=6", tol, "numerics.preconditioner=jacobi",
                               NULL};
    tl_sim a, b;
    tl_sim_open(&a, cavity_case, mg, NULL);
    tl_sim_open(&b, cavity_case, jac, NULL);
    for (int k = 0; k < 20; k++) { /* the same steps */
        double dt = 0.8 / a.rate, dt2 = dt;
        fc_err err;
        ck_assert_int_eq(fc_sim_step(&a, &dt, &err), FC_OK);
        ck_assert_int_eq(fc_sim_step(&b, &dt2, &err), FC_OK);
    }
    tl_sim_download(&a);
    tl_sim_download(&b);
    double d = 0;
    for (int j = 0; j <= 6; j++)
        for (int i = 0; i <= 8; i++)
            for (int f = 0; f < 2; f++)
                d = fmax(d, fabs(tl_at(&a, f, i, j) - tl_at(&b, f, i, j)));
    /* 1e-10 in double (1000 times the residual); round-off of O(1) velocities in single. */
    ck_assert_msg(d < 1e-10 + 1000 * TL_EPS, "velocities differ by %g", d);
    ck_assert_int_le((int)a.last.stats[0], 2); /* the exact solve: one iteration per solve */
    tl_sim_close(&a);
    tl_sim_close(&b);
}
END_TEST

START_TEST(cavity_matches_ghia_at_re100)
{
    double du, dv;
    fc_err err;
    ck_assert_msg(fc_val_cavity(100, 32, &du, &dv, NULL, &err) == FC_OK, "%s", err.msg);
    printf("cavity Re 100 on 32^2: max |u - Ghia| %.4f, max |v - Ghia| %.4f\n", du, dv);
    ck_assert(du <= 0.02 && dv <= 0.02);
}
END_TEST

START_TEST(steady_state_stops_the_run)
{
    const char *ini = tl_temp_file("cavity.ini", cavity_case);
    const char *const sets[] = {"time.t_end=100", "time.steady_tol=1e-3", "grid.nx=16",
                                "grid.ny=16"};
    fc_run_opts o = {.case_path = ini, .solvers = fc_solvers(), .sets = sets, .nsets = 4, .device = "cpu",
                     .output = tl_temp_path("steady.nc"), .quiet = 1};
    fc_run_result res;
    fc_err err;
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    printf("cavity Re 400 on 16^2: steady at t = %.3f s after %lld steps\n", res.t, res.steps);
    ck_assert(res.steady);
    ck_assert(res.t > 1 && res.t < 100);
    ck_assert_int_eq(res.records, 2); /* the initial state and the steady one */
}
END_TEST

/*
 * What the file says about an obstacle: the flow is zero on every face that touches it and in
 * its cells (the state keeps ghost values there, which stand for nothing inside the body), its
 * vorticity is zero, and the stream function is the flow's: between two cells one above the
 * other it changes by the flux between them, east of the body as west of it, and it is one
 * value over the body, a streamline. Before the output took the ghosts out, a square in a
 * channel had |u| up to 0.8 m s-1 in its cells and the stream function east of it was off by
 * whole cells' fluxes.
 */
START_TEST(obstacle_output_is_at_rest_and_a_streamline)
{
    const char *ini = tl_temp_file("mixed.ini", mixed_case);
    const char *out = tl_temp_path("mixed_out.nc");
    const char *const sets[] = {"time.t_end=0.3"};
    fc_run_opts o = {.case_path = ini, .solvers = fc_solvers(), .sets = sets, .nsets = 1,
                     .device = "cpu", .output = out, .quiet = 1};
    fc_run_result res;
    fc_err err;
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    enum { NX = 40, NY = 24 };
    const double dy = 1.0 / NY;
    double t;
    double *solid = tl_read_last(out, "solid", NX * NY, &t), *u = tl_read_last(out, "u", NX * NY, &t),
           *v = tl_read_last(out, "v", NX * NY, &t),
           *vort = tl_read_last(out, "vorticity", NX * NY, &t),
           *psi = tl_read_last(out, "stream_function", NX * NY, &t),
           *uf = tl_read_last(out, "u_face", (NX + 1) * NY, &t),
           *vf = tl_read_last(out, "v_face", NX * (NY + 1), &t);
    int nsolid = 0;
    double psi_lo = INFINITY, psi_hi = -INFINITY, umax = 0;
    for (int j = 0; j < NY; j++)
        for (int i = 0; i < NX; i++) {
            const int c = j * NX + i;
            umax = fmax(umax, fabs(uf[j * (NX + 1) + i]));
            if (solid[c] == 0)
                continue;
            nsolid++;
            ck_assert_msg(u[c] == 0 && v[c] == 0 && vort[c] == 0,
                          "cell (%d, %d) of the body: u %g, v %g, vorticity %g", i, j, u[c], v[c],
                          vort[c]);
            ck_assert(uf[j * (NX + 1) + i] == 0 && uf[j * (NX + 1) + i + 1] == 0);
            ck_assert(vf[j * NX + i] == 0 && vf[(j + 1) * NX + i] == 0);
            psi_lo = fmin(psi_lo, psi[c]);
            psi_hi = fmax(psi_hi, psi[c]);
        }
    ck_assert_int_gt(nsolid, 20);
    ck_assert_double_gt(umax, 0.5);
    /* Stream function at cell centres: the mean of the cell's corners, so between (i, j) and
     * (i, j + 1) it changes by dy times the mean of the four u faces between their centres,
     * exact but for the divergence the projections leave west of them (at most poisson_tol per
     * cell, by default 1e-8 s-1, 1e-3 in single precision, over 2 m of the row) and
     * round-off. */
    double psi_max = 0;
    for (int c = 0; c < NX * NY; c++)
        psi_max = fmax(psi_max, fabs(psi[c]));
    const double tol = 2.0 * dy * (TL_SINGLE ? 1e-3 : 1e-8) + 64 * TL_EPS * psi_max;
    double worst = 0;
    for (int j = 0; j + 1 < NY; j++)
        for (int i = 0; i < NX; i++) {
            const double *f = uf + j * (NX + 1) + i;
            const double flux = dy * (f[0] + f[1] + f[NX + 1] + f[NX + 2]) / 4;
            worst = fmax(worst, fabs(psi[(j + 1) * NX + i] - psi[j * NX + i] - flux));
        }
    printf("ns2d square in a channel: stream function against the fluxes %.3g m2 s-1 (bound "
           "%.3g, umax dy %.3g), spread over the body %.3g\n", worst, tol, umax * dy,
           psi_hi - psi_lo);
    ck_assert_msg(worst <= tol, "stream function off the fluxes by %g m2 s-1", worst);
    ck_assert_msg(psi_hi - psi_lo <= tol, "stream function spreads %g over the body",
                  psi_hi - psi_lo);
    free(solid);
    free(u);
    free(v);
    free(vort);
    free(psi);
    free(uf);
    free(vf);
}
END_TEST

/* A body on an inflow side (a backward-facing step) closes the faces it covers, and the
 * parabola spans the open part of the side, with the mean inflow_speed across it; before, it
 * was the whole side's parabola cut off at the step, peaking at the step's corner. Immersed,
 * the step flush with the side fills its cells there: before, they were cut cells whose inflow
 * face no forcing held, and the flow left 11.6 s-1 of divergence in them while the run went on
 * (the step 5 m long on 240 x 16 cells). */
START_TEST(inflow_spans_the_open_part_of_its_side)
{
    /* A step on the south half of the side (staircase, immersed); and, between periodic south
     * and north sides, a block on rows 3 and 4, which leaves one open run that wraps: rows 5
     * to 7 and 0 to 2. */
    for (int c = 0; c < 3; c++) {
        const int immersed = c == 1, wrapped = c == 2;
        char text[1024];
        snprintf(text, sizeof text,
                 "[case]\nsolver = ns2d\n[grid]\nnx = 48\nny = 8\nx_max = 6\ny_max = 2\n"
                 "[time]\nt_end = 0.2\n[physics]\nreynolds = 50\n[boundary]\nwest = inflow\n"
                 "east = open\n%sinflow_speed = 0.8\n[obstacle]\nboundary = %s\n"
                 "shape = rectangle\ncenter_x = 1\ncenter_y = %s\nwidth = 2\nheight = %s\n"
                 "[initial]\ntype = rest\n", wrapped ? "south = periodic\nnorth = periodic\n" : "",
                 immersed ? "immersed" : "staircase", wrapped ? "1" : "0.5",
                 wrapped ? "0.5" : "1");
        const char *ini = tl_temp_file("step.ini", text);
        const char *out = tl_temp_path("step.nc");
        fc_run_opts o = {.case_path = ini, .solvers = fc_solvers(), .device = "cpu",
                         .output = out, .overwrite = 1, .quiet = 1};
        fc_run_result res;
        fc_err err;
        ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
        double t, *uf = tl_read_last(out, "u_face", 49 * 8, &t);
        const char *name = wrapped ? "wrapped" : immersed ? "immersed" : "staircase";
        for (int j = 0; j < 8; j++) {
            /* The open run's first row and length. */
            const int r0 = wrapped ? 5 : 4, len = wrapped ? 6 : 4, r = (j - r0 + 8) % 8;
            const double s = (r + 0.5) / len, want = r >= len ? 0 : 6 * 0.8 * s * (1 - s);
            ck_assert_msg(fabs(uf[j * 49] - want) <= 4 * TL_EPS * 0.8,
                          "%s, row %d: inflow %.17g, want %.17g", name, j, uf[j * 49], want);
        }
        free(uf);
        double *div = tl_read_last(out, "max_divergence", 1, &t);
        printf("ns2d step on the inflow side, %s: largest divergence %.3g s-1\n", name, div[0]);
        ck_assert_msg(div[0] <= (TL_SINGLE ? 1e-3 : 1e-8), "divergence %g left", div[0]);
        free(div);
    }
}
END_TEST

/* An oscillating inflow ([boundary] inflow_period) is the steady profile times sin(2 pi t / P)
 * at the time of the state, from t = 0 (no inflow) on, and what comes in leaves by the outlet
 * at every step (incompressible: at once), on a grid of long cells with a moving north wall;
 * the time step resolves the period (a rate of at least 40 / P: here the flow's own is about
 * 25 s-1). */
START_TEST(an_oscillating_inflow_is_taken_at_each_state_s_time)
{
    static const char text[] =
        "[case]\nsolver = ns2d\n[grid]\nnx = 48\nny = 12\nx_max = 4\ny_max = 0.5\n"
        "[time]\nt_end = 1\ncfl = 0.8\n[physics]\nreynolds = 100\nreference_length = 0.5\n"
        "[boundary]\nwest = inflow\neast = open\ninflow_speed = 0.8\ninflow_period = 0.9\n"
        "north_wall_speed = 0.3\n[initial]\ntype = rest\n";
    tl_sim s;
    tl_sim_open(&s, text, NULL, NULL);
    const double dy = s.grid.dy, H = 0.5, P = 0.9, U = 0.8;
    double worst_profile = 0, worst_flux = 0, largest = 0;
    for (int n = 0; s.t < 1; n++) {
        if (n > 0) /* the state as set up, at t = 0, first */
            tl_sim_steps(&s, 1);
        ck_assert_msg(s.rate >= 40 / P, "rate %g s-1 at t = %g s: under 40 / P", s.rate, s.t);
        tl_sim_download(&s);
        const double factor = sin(2 * M_PI * s.t / P);
        double in = 0, out = 0;
        for (int j = 0; j < s.grid.ny; j++) {
            const double y = (j + 0.5) * dy, want = factor * 6 * U * y * (H - y) / (H * H);
            worst_profile = fmax(worst_profile, fabs(tl_at(&s, NS2D_U, 0, j) - want));
            in += tl_at(&s, NS2D_U, 0, j) * dy;
            out += tl_at(&s, NS2D_U, s.grid.nx, j) * dy;
        }
        worst_flux = fmax(worst_flux, fabs(out - in));
        largest = fmax(largest, fabs(in));
    }
    printf("ns2d oscillating inflow, %lld steps: inflow %.2e m/s from its profile at the "
           "state's time, outflow - inflow %.2e m2/s (largest inflow %.3f m2/s)\n",
           s.steps, worst_profile, worst_flux, largest);
    ck_assert_msg(largest > 0.9 * U * H, "the inflow never rose: %g", largest);
    ck_assert_msg(worst_profile <= 8 * TL_EPS * U, "inflow %g from sin(2 pi t / P) times its "
                  "profile", worst_profile);
    ck_assert_msg(worst_flux <= (TL_SINGLE ? 1e-4 : 1e-9) * U * H, "outflow - inflow %g",
                  worst_flux);
    /* A state uploaded as at time t (a restart) takes the inflow at t, whatever its faces held. */
    const double factor = sin(2 * M_PI * s.t / P);
    for (int j = 0; j < s.grid.ny; j++)
        s.host.f[NS2D_U][fc_idx(s.grid.pitch, s.grid.ng, 0, j)] = 9;
    s.host.t = s.t;
    fc_err err;
    ck_assert_msg(s.ops->upload(s.state, &s.host, &err) == FC_OK, "%s", err.msg);
    tl_sim_download(&s);
    for (int j = 0; j < s.grid.ny; j++) {
        const double y = (j + 0.5) * dy, want = factor * 6 * U * y * (H - y) / (H * H);
        ck_assert_msg(fabs(tl_at(&s, NS2D_U, 0, j) - want) <= 8 * TL_EPS * U,
                      "uploaded at t = %g: inflow %g, want %g", s.t, tl_at(&s, NS2D_U, 0, j), want);
    }
    tl_sim_close(&s);
}
END_TEST

/* A record whose divergence is far above what the step's projection leaves fails the run (the
 * pressure equation and the divergence disagree: an immersed step once left 11.6 s-1 and ran
 * on), and the record is written first to show where. No case makes such a state now, so one is
 * made: a face of a stepped cavity pushed by 1e-3 m/s, 1000 times poisson_tol on its cells
 * (poisson_rtol = 0.5: poisson_tol decides, in either precision). */
static const char guard_case[] =
    "[case]\nsolver = ns2d\n[grid]\nnx = 16\nny = 16\nx_max = 1\ny_max = 1\n[time]\n"
    "t_end = 0.2\n[output]\ninterval = 0.1\n[physics]\nreynolds = 100\n[boundary]\n"
    "north_wall_speed = 1\n[numerics]\npoisson_tol = 1e-6\npoisson_rtol = 0.5\n"
    "[initial]\ntype = rest\n";

static int pushed_diagnose(const void *params, const fc_grid *g, fc_state *host,
                           const double *stats, double *d, fc_err *err)
{
    if (stats) /* the records that steps made */
        host->f[NS2D_U][fc_idx(g->pitch, g->ng, 5, 9)] += (fc_real)1e-3;
    return ns2d_solver.io.diagnose(params, g, host, stats, d, err);
}

START_TEST(divergence_far_above_the_tolerance_fails_the_run)
{
    tl_sim s;
    tl_sim_open(&s, guard_case, NULL, NULL);
    tl_sim_steps(&s, 5);
    tl_sim_download(&s);
    double *d = calloc(s.s->io.ndiags, sizeof *d);
    ck_assert_ptr_nonnull(d);
    fc_err err;
    ck_assert_int_eq(s.s->io.diagnose(s.params, &s.grid, &s.host, s.last.stats, d, &err), FC_OK);
    const double healthy = d[2]; /* max_divergence */
    ck_assert_str_eq(s.s->io.diags[2].name, "max_divergence");
    ck_assert_msg(healthy < 1e-6, "a stepped cavity's divergence %g", healthy);
    s.host.f[NS2D_U][fc_idx(s.grid.pitch, s.grid.ng, 5, 9)] += (fc_real)1e-3;
    /* The initial record's state is whatever the case gives: no verdict on it. */
    ck_assert_int_eq(s.s->io.diagnose(s.params, &s.grid, &s.host, NULL, d, &err), FC_OK);
    ck_assert_int_eq(s.s->io.diagnose(s.params, &s.grid, &s.host, s.last.stats, d, &err),
                     FC_ENUMERIC);
    /* Either cell beside the face (the same divergence but for the stepped field's). */
    ck_assert_msg(strstr(err.msg, "the step left a velocity divergence of 0.016 s-1 in cell "
                                  "(i=") &&
                      strstr(err.msg, ", j=9) at (0.") &&
                      strstr(err.msg, "over 100 times [numerics] poisson_tol = 1e-06"),
                  "%s", err.msg);
    tl_sim_close(&s);

    /* The same cavity with its lid at 1e-6 m/s and the relative bound's default: a push of 1 %
     * of the lid, whose divergence (1.6e-7 s-1) is below 100 times poisson_tol, is still caught. */
    const char *const slow[] = {"boundary.north_wall_speed=1e-6", "physics.reference_speed=1e-6",
                                TL_SINGLE ? "numerics.poisson_rtol=1e-5" : "numerics.poisson_rtol=1e-9",
                                NULL};
    tl_sim_open(&s, guard_case, slow, NULL);
    tl_sim_steps(&s, 5);
    tl_sim_download(&s);
    ck_assert_int_eq(s.s->io.diagnose(s.params, &s.grid, &s.host, s.last.stats, d, &err), FC_OK);
    s.host.f[NS2D_U][fc_idx(s.grid.pitch, s.grid.ng, 5, 9)] += (fc_real)1e-8;
    ck_assert_int_eq(s.s->io.diagnose(s.params, &s.grid, &s.host, s.last.stats, d, &err),
                     FC_ENUMERIC);
    ck_assert_msg(strstr(err.msg, "the step left a velocity divergence of 1.6e-07 s-1") &&
                      strstr(err.msg, "times the flow's largest |u|/dx or |v|/dy"),
                  "%s", err.msg);
    printf("a slow cavity's pushed face: %s\n", err.msg);
    free(d);
    tl_sim_close(&s);

    /* Through a run: the first record (t = 0) and the bad one (t = 0.1) are written, then the
     * run fails. */
    fc_solver_desc pushed = ns2d_solver;
    pushed.io.diagnose = pushed_diagnose;
    const fc_solver_desc *list[] = {&pushed};
    const fc_catalog cat = {list, 1};
    const char *out = tl_temp_path("pushed.nc");
    fc_run_opts o = {.case_path = tl_temp_file("pushed.ini", guard_case), .solvers = &cat,
                     .device = "cpu", .output = out, .overwrite = 1, .quiet = 1};
    fc_run_result res;
    ck_assert_int_eq(fc_run(&o, &res, &err), FC_ENUMERIC);
    ck_assert_msg(strstr(err.msg, "the step left a velocity divergence of"), "%s", err.msg);
    /* Not a full disk's advice (it said "make room", and that the file ended at t = 0). */
    ck_assert_msg(strstr(err.msg, "the run stops at t = 0.1 s; '") &&
                      strstr(err.msg, "pushed.nc' holds every record up to it, the last showing "
                                      "the fault") &&
                      !strstr(err.msg, "make room"),
                  "%s", err.msg);
    int nc, dim;
    size_t records;
    ck_assert_int_eq(nc_open(out, NC_NOWRITE, &nc), NC_NOERR);
    ck_assert_int_eq(nc_inq_dimid(nc, "time", &dim), NC_NOERR);
    ck_assert_int_eq(nc_inq_dimlen(nc, dim, &records), NC_NOERR);
    nc_close(nc);
    ck_assert_uint_eq(records, 2);
    double t, *div = tl_read_last(out, "max_divergence", 1, &t);
    ck_assert_double_eq_tol(t, 0.1, 1e-12);
    ck_assert_msg(div[0] > 1e-2, "the bad record holds divergence %g", div[0]);
    free(div);

    /* With a series of every step, the first sample after a step finds the fault: that state
     * is written as a record, which shows it, and the run fails the same way; the series holds
     * the states before it. */
    const char *sets[] = {"output.series_interval=1e-9"};
    o.sets = sets;
    o.nsets = 1;
    o.output = out = tl_temp_path("pushed_s.nc");
    ck_assert_int_eq(fc_run(&o, &res, &err), FC_ENUMERIC);
    ck_assert_msg(strstr(err.msg, "the step left a velocity divergence of") &&
                      strstr(err.msg, "pushed_s.nc' holds every record up to it, the last "
                                      "showing the fault"),
                  "%s", err.msg);
    div = tl_read_last(out, "max_divergence", 1, &t);
    ck_assert_msg(div[0] > 1e-2 && t > 0 && t < 0.1, "the bad record at t = %g holds %g", t,
                  div[0]);
    free(div);
    double t_series;
    free(tl_read_last(tl_temp_path("pushed_s_series.nc"), "max_divergence", 1, &t_series));
    ck_assert_double_eq(t_series, 0);
}
END_TEST

/* A force that walls hold leaves the fluid at rest, a pressure gradient balancing it, and the
 * run goes on. Between the ends of a channel one cell high (or wide), what is left of the
 * velocity is round-off of what the projections removed (3e-32 m/s), and its divergence is
 * that velocity's (7e-30 s-1): the record's guard measured it against 1e-9 of the record's own
 * |u|/dx and failed the run as a flowcast defect. */
static const char held_case[] =
    "[case]\nsolver = ns2d\n[grid]\nnx = 16\nny = 12\nx_max = 1\ny_max = 0.75\n[time]\n"
    "t_end = 1\n[output]\ninterval = 0.25\n[physics]\nviscosity = 0.01\n[initial]\n"
    "type = rest\n";

START_TEST(a_force_between_walls_is_held_at_rest)
{
    static const char *const setups[][2] = {
        {"grid.ny=1", "physics.force_x=0.3"},
        {"grid.nx=1", "physics.force_y=-9.81"},
        {"physics.force_x=0.3", "physics.force_y=-9.81"},
    };
    for (int c = 0; c < 3; c++) {
        const char *out = tl_temp_path("held.nc");
        fc_run_opts o = {.case_path = tl_temp_file("held.ini", held_case),
                         .solvers = fc_solvers(), .sets = setups[c], .nsets = 2,
                         .device = "cpu", .output = out, .overwrite = 1, .quiet = 1};
        fc_run_result res;
        fc_err err;
        ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s %s: %s", setups[c][0], setups[c][1],
                      err.msg);
        const size_t n = (size_t)(c == 1 ? 1 : 16) * (c == 0 ? 1 : 12);
        double t, *u = tl_read_last(out, "u", n, &t), *v = tl_read_last(out, "v", n, &t),
                  speed = 0;
        ck_assert_double_eq_tol(t, 1, 1e-12);
        for (size_t k = 0; k < n; k++)
            speed = fmax(speed, fmax(fabs(u[k]), fabs(v[k])));
        printf("%s, %s: largest speed at t = 1 s %.2e m/s\n", setups[c][0], setups[c][1], speed);
        /* Unopposed, the force would have reached 0.3 or 9.81 m/s. */
        ck_assert_msg(speed <= (TL_SINGLE ? 1e-4 : 1e-12), "%s: %g m/s", setups[c][0], speed);
        free(u);
        free(v);
    }
}
END_TEST

/* A channel forced through two open ends: its exact flow is the same at every x (p = 0, no
 * normal gradient at the ends), the periodic channel's. The fluid comes in through one open end,
 * where QUICK reads the second layer of ghosts upwind of the end's face: they held 0, not the
 * face's value, and the flow built a pressure gradient from that end that sped it up by 4 % in
 * 1 s. Either way along x and along y (open south and north, forced along y). */
static const char forced_channel[] =
    "[case]\nsolver = ns2d\n[grid]\nnx = 16\nny = 12\nx_max = 1\ny_max = 1\n[time]\n"
    "t_end = 1\ncfl = 0.8\n[physics]\nviscosity = 0.01\n[initial]\ntype = rest\n";

START_TEST(open_ends_pass_a_forced_channel_unchanged)
{
    static const char *const setups[][6] = {
        {"boundary.west=open", "boundary.east=open", "physics.force_x=1", "boundary.west=periodic",
         "boundary.east=periodic", "physics.force_x=1"},
        {"boundary.west=open", "boundary.east=open", "physics.force_x=-1",
         "boundary.west=periodic", "boundary.east=periodic", "physics.force_x=-1"},
        {"boundary.south=open", "boundary.north=open", "physics.force_y=1",
         "boundary.south=periodic", "boundary.north=periodic", "physics.force_y=1"},
    };
    for (int c = 0; c < 3; c++) {
        const char *open[] = {setups[c][0], setups[c][1], setups[c][2], NULL},
                   *periodic[] = {setups[c][3], setups[c][4], setups[c][5], NULL};
        tl_sim a, b;
        pair_steps(&a, &b, forced_channel, open, periodic, 60);
        double worst = 0, largest = 0;
        for (int f = NS2D_U; f <= NS2D_P; f++)
            for (int j = 0; j < a.grid.ny; j++)
                for (int i = 0; i < a.grid.nx; i++) {
                    worst = fmax(worst, fabs(tl_at(&a, f, i, j) - tl_at(&b, f, i, j)));
                    largest = fmax(largest, fabs(tl_at(&b, f, i, j)));
                }
        printf("%s %s, %s: largest difference from the periodic channel %.2e (of %.3f)\n",
               setups[c][0], setups[c][1], setups[c][2], worst, largest);
        ck_assert_msg(largest > 0.1 && worst <= 1e-12 * largest, "%s, %s: %g of %g",
                      setups[c][0], setups[c][2], worst, largest);
        tl_sim_close(&a);
        tl_sim_close(&b);
    }
}
END_TEST

/* The 2D-1 cylinder on 220 x 41 cells and the same scaled down 1000 times (lengths, and the
 * viscosity with them, at the same speed: the same Reynolds number, times 1000 shorter) are one
 * flow: their drag coefficients, surface and momentum balance, agree to round-off. The
 * balance's box once took its edges from floor and ceil of quotients that rounded past an
 * integer on one grid and not on the other, a cell apart, and the balances were 0.09 % apart. */
static const char scaled_cylinder[] =
    "[case]\nsolver = ns2d\n[grid]\nnx = 220\nny = 41\nx_max = 2.2\ny_max = 0.41\n[time]\n"
    "t_end = 0.3\n[output]\ninterval = 0.3\n[physics]\nreynolds = 20\nreference_speed = 0.2\n"
    "reference_length = 0.1\n[boundary]\nwest = inflow\neast = open\ninflow_speed = 0.2\n"
    "[obstacle]\nshape = circle\nboundary = immersed\ncenter_x = 0.2\ncenter_y = 0.2\n"
    "size = 0.1\n[initial]\ntype = rest\n";

/* The last record's diagnostics `names` (n of them) of the case case_text run with sets
 * (NULL-ended) to its t_end; returns the output file's path (a tl_temp_path). */
static const char *run_diags(const char *case_text, const char *const *sets,
                             const char *const *names, int n, double *out)
{
    int nsets = 0;
    while (sets[nsets])
        nsets++;
    const char *path = tl_temp_path("channel.nc");
    fc_run_opts o = {.case_path = tl_temp_file("channel.ini", case_text),
                     .solvers = fc_solvers(), .sets = sets, .nsets = nsets, .device = "cpu",
                     .output = path, .overwrite = 1, .quiet = 1};
    fc_run_result res;
    fc_err err;
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    for (int k = 0; k < n; k++) {
        double t, *x = tl_read_last(path, names[k], 1, &t);
        out[k] = x[0];
        free(x);
    }
    return path;
}

/* A plate along x makes the cut cells along each of its faces one cluster of the mass fix, as
 * long as the face in cells (158 here; a limit of 64 cells left the rest a mass source of 2
 * s-1, and the run stopped); a cluster beyond what the fix solves for (1024) is refused before
 * anything is written. */
START_TEST(a_long_flat_face_conserves_mass)
{
    static const char plate[] =
        "[case]\nsolver = ns2d\n[grid]\nnx = 256\nny = 64\nx_max = 4\ny_max = 1\n"
        "[time]\nt_end = 0.01\n[physics]\nreynolds = 100\n[boundary]\nwest = inflow\n"
        "east = open\ninflow_speed = 1\n[obstacle]\nshape = rectangle\nboundary = immersed\n"
        "center_x = 2\ncenter_y = 0.5\nwidth = 2.5\nheight = 0.035\n[initial]\ntype = rest\n";
    static const char *const names[] = {"max_divergence"};
    double div;
    run_diags(plate, (const char *const[]){NULL}, names, 1, &div);
    ck_assert_msg(div <= (TL_SINGLE ? 1e-3 : 1e-8), "max_divergence %g", div);
    const char *const longer[] = {"grid.nx=2100", "grid.ny=16", "grid.x_max=131.25",
                                  "obstacle.width=128", "obstacle.height=0.1",
                                  "obstacle.center_x=65", NULL};
    const char *out = tl_temp_path("plate.nc");
    unlink(out);
    fc_run_opts o = {.case_path = tl_temp_file("plate.ini", plate), .solvers = fc_solvers(),
                     .sets = longer, .nsets = 6, .device = "cpu", .output = out, .quiet = 1};
    fc_run_result res;
    fc_err err;
    ck_assert_int_eq(fc_run(&o, &res, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "without a pressure unknown form a connected group of 2048 "
                                  "from x = 1.03125, y = 0.46875 m") &&
                      strstr(err.msg, "more than the 1024 its mass fix solves for"),
                  "%s", err.msg);
    ck_assert_int_eq(access(out, F_OK), -1);
}
END_TEST

START_TEST(a_scaled_cylinder_has_the_same_forces)
{
    const char *const as_is[] = {NULL};
    const char *const small[] = {"grid.x_max=2.2e-3", "grid.y_max=0.41e-3",
                                 "physics.reference_length=1e-4", "obstacle.center_x=2e-4",
                                 "obstacle.center_y=2e-4", "obstacle.size=1e-4",
                                 "time.t_end=3e-4", "output.interval=3e-4", NULL};
    static const char *const names[] = {"drag_coefficient", "drag_coefficient_cv"};
    double drag[2][2];
    for (int scaled = 0; scaled < 2; scaled++)
        run_diags(scaled_cylinder, scaled ? small : as_is, names, 2, drag[scaled]);
    printf("2D-1 scaled by 1e-3: drag %.12g and %.12g, momentum balance %.12g and %.12g\n",
           drag[0][0], drag[1][0], drag[0][1], drag[1][1]);
    for (int k = 0; k < 2; k++)
        ck_assert_msg(fabs(drag[1][k] - drag[0][k]) <= (TL_SINGLE ? 1e-4 : 1e-8) * drag[0][k],
                      "%s: %.12g scaled, %.12g not", k ? "balance" : "surface", drag[1][k],
                      drag[0][k]);
}
END_TEST

/* The 2D-1 channel turned a quarter, to run along +y (inflow on the south, the cylinder 0.2 m
 * from the east wall), makes the turned flow, and its coefficients are the unturned ones: drag
 * along the free stream, lift across it to its left, from the surface integral as from the
 * momentum balance, and the pressure difference between the body's first and last points along
 * the stream. (Until 7 December 2026 drag was F_x whatever the flow: here -0.011, with a lift of
 * 5.4, and the pressure difference was taken between the cylinder's sides.) The cylinder (11
 * cells across) was sampled at 554 equal angles, which a quarter turn does not map onto each
 * other: drag 4e-5 apart (at 10 cells across, 126 samples a quarter cell apart: 1e-3). */
START_TEST(a_turned_cylinder_has_the_same_coefficients)
{
    const char *const along_x[] = {"obstacle.size=0.11", NULL};
    const char *const along_y[] = {"obstacle.size=0.11", "grid.nx=41", "grid.ny=220",
                                   "grid.x_max=0.41", "grid.y_max=2.2", "boundary.west=wall",
                                   "boundary.east=wall", "boundary.south=inflow",
                                   "boundary.north=open", "obstacle.center_x=0.21",
                                   "obstacle.center_y=0.2", NULL};
    static const char *const names[] = {"drag_coefficient", "lift_coefficient",
                                        "drag_coefficient_cv", "lift_coefficient_cv",
                                        "pressure_difference"};
    enum { N = sizeof names / sizeof names[0] };
    double c[2][N];
    for (int turned = 0; turned < 2; turned++)
        run_diags(scaled_cylinder, turned ? along_y : along_x, names, N, c[turned]);
    const double tol = TL_SINGLE ? 1e-4 : 1e-8;
    for (int k = 0; k < N; k++) {
        printf("2D-1 along x: %s %.12g; turned to run along y: %.12g\n", names[k], c[0][k],
               c[1][k]);
        /* The lifts are measured against the drags: 0.011 of 5.4. */
        const double scale = fabs(c[0][k == 1 || k == 3 ? k - 1 : k]);
        ck_assert_msg(fabs(c[1][k] - c[0][k]) <= tol * scale, "%s: %.12g turned, %.12g not",
                      names[k], c[1][k], c[0][k]);
    }
}
END_TEST

/* A square below the channel's axis and its mirror image above it: the same pressure difference
 * between the middles of its front and back faces (the stagnation point and the base). The
 * samples on those faces beside their upper corners gave 0.0418 and 0.0512 m2 s-2 at t = 0.3 s
 * (now 0.1089 for both). */
START_TEST(a_square_s_pressure_difference_is_taken_mid_face)
{
    const char *const below[] = {"obstacle.shape=square", "obstacle.center_y=0.15", NULL};
    const char *const above[] = {"obstacle.shape=square", "obstacle.center_y=0.26", NULL};
    static const char *const names[] = {"pressure_difference", "lift_coefficient"};
    double c[2][2];
    run_diags(scaled_cylinder, below, names, 2, c[0]);
    run_diags(scaled_cylinder, above, names, 2, c[1]);
    printf("a square below and above the channel's axis: pressure difference %.12g and %.12g, "
           "lift %.6g and %.6g\n", c[0][0], c[1][0], c[0][1], c[1][1]);
    ck_assert_msg(fabs(c[0][1]) > 0.1 &&
                      fabs(c[1][1] + c[0][1]) <= (TL_SINGLE ? 1e-3 : 1e-6) * fabs(c[0][1]),
                  "the flows are not mirror images");
    ck_assert_msg(fabs(c[1][0] - c[0][0]) <= (TL_SINGLE ? 1e-4 : 1e-8) * c[0][0], "%.12g, %.12g",
                  c[0][0], c[1][0]);
}
END_TEST

/* What the file says of the cells an immersed body cuts, which conserve mass through the open
 * part of their faces: their divergence is that net outflow, as max_divergence measures it (the
 * plain one, of faces inside the body that hold the forcing's ghost values, reached 1.35 s-1
 * beside the 2D-1 cylinder; here, 11 cells across at t = 0.3 s: 0.89 s-1, against 4e-10), and
 * the stream function sums the fluxes through those open parts, so that it is one value over the
 * body's solid core, a streamline (summing whole faces, it spread over 1.3e-3 of the channel's
 * flux there). */
START_TEST(cut_cells_are_written_by_their_open_faces)
{
    const char *const sets[] = {"obstacle.size=0.11", NULL};
    static const char *const names[] = {"max_divergence"};
    double diag;
    const char *path = run_diags(scaled_cylinder, sets, names, 1, &diag);
    enum { N = 220 * 41 };
    double t, *div = tl_read_last(path, "divergence", N, &t),
              *psi = tl_read_last(path, "stream_function", N, &t),
              *solid = tl_read_last(path, "solid", N, &t);
    double worst = 0, lo = INFINITY, hi = -INFINITY, flux = 0;
    int core = 0;
    for (int c = 0; c < N; c++) {
        worst = fmax(worst, fabs(div[c]));
        flux = fmax(flux, fabs(psi[c]));
        if (solid[c] != 0) {
            lo = fmin(lo, psi[c]);
            hi = fmax(hi, psi[c]);
            core++;
        }
    }
    free(div);
    free(psi);
    free(solid);
    printf("2D-1 at t = %g s: largest written divergence %.3g s-1, max_divergence %.3g s-1; "
           "stream function over the %d cells of the body's core: spread %.3g of %.3g m2 s-1\n",
           t, worst, diag, core, hi - lo, flux);
    ck_assert_msg(worst == diag && diag <= (TL_SINGLE ? 1e-3 : 1e-8), "%g and %g", worst, diag);
    ck_assert_int_gt(core, 20);
    ck_assert_msg(hi - lo <= (TL_SINGLE ? 1e-4 : 1e-10) * flux, "spread %g", hi - lo);
}
END_TEST

/* A half-cylinder on the floor of a closed box (a circle centred on the south wall), and its
 * mirror image on the ceiling, in fluid held at rest by its pressure against a body force G
 * along x: the force on it is the fluid's on its upper half, -G pi R^2 / 2 along x. The force
 * on the half beyond the wall, read from the halo, made it 11 % larger; what remains is the
 * pressure's first-order error at the cut cells (0.97 % on cells twice as fine). */
START_TEST(a_body_on_a_wall_feels_only_the_fluid)
{
    static const char bump[] =
        "[case]\nsolver = ns2d\n[grid]\nnx = 100\nny = 40\nx_max = 2.5\ny_max = 1\n[time]\n"
        "t_end = 0.5\n[output]\ninterval = 0.5\n[physics]\nviscosity = 0.01\nforce_x = 2\n"
        "[obstacle]\nshape = circle\nboundary = immersed\ncenter_x = 1.25\ncenter_y = 0\n"
        "size = 0.4\n[initial]\ntype = rest\n";
    /* Fluid at rest: in float the default relative tolerance is below the round-off of the
     * pressure's gradient against the force. */
    const char *const floor[] = {TL_SINGLE ? "numerics.poisson_rtol=1e-3" : NULL, NULL},
                      *const ceiling[] = {"obstacle.center_y=1",
                                          TL_SINGLE ? "numerics.poisson_rtol=1e-3" : NULL, NULL},
                      *const reversed[] = {"physics.force_x=-2",
                                           TL_SINGLE ? "numerics.poisson_rtol=1e-3" : NULL, NULL};
    static const char *const names[] = {"drag_coefficient", "lift_coefficient", "kinetic_energy"};
    double c[3][3];
    run_diags(bump, floor, names, 3, c[0]);
    run_diags(bump, ceiling, names, 3, c[1]);
    /* The force reversed, along -x, is the free stream's direction without an inflow: the
     * drag, along it, is the same, and the lift, to its left, turns over (the flow mirrored
     * in x has the same F_y). */
    run_diags(bump, reversed, names, 3, c[2]);
    const double exact = 2 * (-2 * M_PI * 0.2 * 0.2 / 2); /* 2 F_x / (U^2 L), U = L = 1 */
    printf("a half-cylinder on the floor and on the ceiling held by G: drag coefficient %.9g "
           "and %.9g (exact %.9g), lift %.3g and %.3g\n", c[0][0], c[1][0], exact, c[0][1],
           c[1][1]);
    for (int k = 0; k < 2; k++) {
        ck_assert_msg(c[k][2] <= (TL_SINGLE ? 1e-6 : 1e-20), "the fluid moved: %g", c[k][2]);
        ck_assert_msg(fabs(c[k][0] - exact) <= 0.025 * fabs(exact), "%.9g", c[k][0]);
    }
    for (int k = 1; k < 3; k++)
        ck_assert_msg(fabs(c[k][0] - c[0][0]) <= (TL_SINGLE ? 1e-5 : 1e-9) * fabs(exact) &&
                          fabs(c[k][1] + c[0][1]) <= (TL_SINGLE ? 1e-5 : 1e-9) * fabs(exact),
                      "the mirror images differ: drag %.9g and %.9g, lift %.3g and %.3g",
                      c[0][0], c[k][0], c[0][1], c[k][1]);
}
END_TEST

/* Fluid that the bodies and the sides close off from the rest has an undetermined pressure
 * (and an inflow into it nowhere to go): refused before the run, naming the smallest such
 * region. Before, the coarsest multigrid level reported "not positive definite", or, where its
 * blocks bridged the regions, the solve went on to fail or not. */
START_TEST(enclosed_fluid_is_refused_by_name)
{
    /* A diamond across the south-west corner of a closed cavity leaves 3 cells in the corner. */
    static const char pocket[] =
        "[case]\nsolver = ns2d\n[grid]\nnx = 32\nny = 32\nx_max = 1\ny_max = 1\n[time]\n"
        "t_end = 0.1\n[physics]\nreynolds = 100\n[boundary]\nnorth_wall_speed = 1\n"
        "[obstacle]\nboundary = %s\nshape = square\nsize = 0.3\nrotation = 45\n"
        "center_x = 0.15\ncenter_y = 0.15\n[initial]\ntype = rest\n";
    /* A tilted rectangle across the corner of an inflow side and a wall leaves 15 cells with
     * inflow and no way out. */
    static const char inflow_pocket[] =
        "[case]\nsolver = ns2d\n[grid]\nnx = 48\nny = 24\nx_max = 2\ny_max = 1\n[time]\n"
        "t_end = 0.1\n[physics]\nreynolds = 100\n[boundary]\nwest = inflow\neast = open\n"
        "[obstacle]\nboundary = immersed\nshape = rectangle\nwidth = 0.375\nheight = 0.5\n"
        "rotation = 45\ncenter_x = 0.25\ncenter_y = 0.25\n[initial]\ntype = rest\n";
    const char *want[3] = {"2 regions that no face joins, and in a domain without an outflow it "
                           "must be one. The smallest region has 3 cells",
                           "2 regions that no face joins, and in a domain without an outflow it "
                           "must be one. The smallest region has 3 cells",
                           "2 regions that no face joins, and 1 of them reaches no outflow. The "
                           "smallest of those has 15 cells"};
    for (int c = 0; c < 3; c++) {
        char text[1024];
        if (c < 2)
            snprintf(text, sizeof text, pocket, c ? "immersed" : "staircase");
        else
            snprintf(text, sizeof text, "%s", inflow_pocket);
        fc_run_opts o = {.case_path = tl_temp_file("pocket.ini", text), .solvers = fc_solvers(),
                         .device = "cpu", .output = tl_temp_path("pocket.nc"), .quiet = 1};
        fc_run_result res;
        fc_err err;
        ck_assert_int_eq(fc_run(&o, &res, &err), FC_EINPUT);
        ck_assert_msg(strstr(err.msg, want[c]), "case %d: %s", c, err.msg);
        ck_assert_msg(strstr(err.msg, "x = 0.0"), "case %d: %s", c, err.msg);
    }
}
END_TEST

START_TEST(nan_is_reported_and_not_kept)
{
    tl_sim s;
    tl_sim_open(&s, mixed_case, NULL, NULL);
    fc_err err = {{0}};
    s.host.f[NS2D_V][fc_idx(s.grid.pitch, s.grid.ng, 30, 12)] = NAN;
    ck_assert_int_eq(s.ops->upload(s.state, &s.host, &err), FC_OK);
    fc_step_report rep = {0};
    ck_assert_msg(s.ops->step(s.state, 0, 1e-3, &rep, &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(rep.bad, FC_STATE_NAN);
    tl_sim_download(&s);
    ck_assert(isnan(tl_at(&s, NS2D_V, 30, 12)));
    ck_assert(!isnan(tl_at(&s, NS2D_V, 5, 5)));
    tl_sim_close(&s);
}
END_TEST

/*
 * The same steps on 1 and 2 threads give the same bits: the pressure solve's sums are taken in
 * fixed blocks, whatever the thread count, and its red-black sweeps give every cell the same
 * value whatever the bands of rows. Grids above NS2D_MG_SERIAL_CELLS share the finest levels
 * between the threads (with walls, an obstacle and an outflow, and periodic of odd size).
 */
#ifdef _OPENMP
static void same_on_one_and_two_threads(const char *text, const char *nx, const char *ny,
                                        int steps)
{
    const char *const sets[] = {TIGHT_POISSON_TOL("numerics.poisson_tol=1e-11"), nx, ny, NULL};
    tl_sim a, b;
    tl_sim_open(&a, text, sets, NULL);
    tl_sim_open(&b, text, sets, NULL);
    for (int k = 0; k < steps; k++) { /* the same steps, taken on 1 and on 2 threads */
        double dt = 0.8 / a.rate, dt2 = dt;
        fc_err err;
        omp_set_num_threads(1);
        ck_assert_int_eq(fc_sim_step(&a, &dt, &err), FC_OK);
        omp_set_num_threads(2);
        ck_assert_int_eq(fc_sim_step(&b, &dt2, &err), FC_OK);
    }
    tl_sim_download(&a);
    tl_sim_download(&b);
    for (int f = 0; f < 3; f++)
        ck_assert_msg(!memcmp(a.host.f[f], b.host.f[f], a.grid.nalloc * sizeof(fc_real)),
                      "%s: field %s differs between 1 and 2 threads", nx,
                      a.s->io.field_names[f]);
    tl_sim_close(&a);
    tl_sim_close(&b);
}
#endif

START_TEST(threads_do_not_change_the_result)
{
#ifdef _OPENMP
    same_on_one_and_two_threads(mixed_case, "grid.nx=40", "grid.ny=24", 100);
    same_on_one_and_two_threads(mixed_case, "grid.nx=200", "grid.ny=120", 4);
    same_on_one_and_two_threads(periodic_case, "grid.nx=161", "grid.ny=129", 4);
#endif
}
END_TEST

START_TEST(restart_is_bit_for_bit)
{
    /* The mixed case, and the same with an oscillating inflow, which the restart must take at
     * the file's time. */
    char oscillating[1024];
    const char *at = strstr(mixed_case, "east = open\n") + strlen("east = open\n");
    snprintf(oscillating, sizeof oscillating, "%.*sinflow_period = 0.7\n%s", (int)(at - mixed_case),
             mixed_case, at);
    for (int c = 0; c < 2; c++) {
        const char *ini = tl_temp_file(c ? "oscillating.ini" : "mixed.ini",
                                       c ? oscillating : mixed_case);
        const char *full = tl_temp_path(c ? "osc_full.nc" : "ns_full.nc"),
                   *half = tl_temp_path(c ? "osc_half.nc" : "ns_half.nc"),
                   *cont = tl_temp_path(c ? "osc_cont.nc" : "ns_cont.nc");
        /* On one thread: a different thread count must not matter either. */
        tl_restart_runs(ini, 0.2, 0.4, 0.1, 1, full, half, cont);
        static const char *const vars[] = {"u_face", "v_face", "p"};
        const size_t n[] = {41 * 24, 40 * 25, 40 * 24};
        for (int k = 0; k < 3; k++) {
            double t1, t2;
            double *x = tl_read_last(full, vars[k], n[k], &t1),
                   *y = tl_read_last(cont, vars[k], n[k], &t2);
            ck_assert_double_eq(t1, 0.4);
            ck_assert_double_eq(t2, 0.4);
            ck_assert_msg(!memcmp(x, y, n[k] * sizeof *x), "%s differs after restart%s", vars[k],
                          c ? " (oscillating inflow)" : "");
            free(x);
            free(y);
        }
    }
}
END_TEST

/*
 * The obstacle's shapes (ns2d_body.h): the surface samples lie on the zero of the signed
 * distance with outward normals (phi > 0 a little outward, < 0 inward), their lengths add up to
 * the perimeter, and the divergence theorem holds: the integrals of n, x n_x and y n_y over the
 * surface are 0, the area and the area.
 */
/* The case text with its [initial] section replaced by a `file` one reading path. */
static void file_case(char *buf, size_t size, const char *text, const char *path,
                      const char *interpolate)
{
    const char *initial = strstr(text, "[initial]");
    ck_assert_ptr_nonnull(initial);
    snprintf(buf, size, "%.*s[initial]\ntype = file\npath = %s\ninterpolate = %s\n",
             (int)(initial - text), text, path, interpolate);
}

/* [initial] type = file: the Taylor-Green vortex's cell-centre velocities written on 16 x 16
 * and 32 x 32 cells and read onto 96 x 96 give face velocities within second order of the
 * exact vortex; not interpolated, such a file is refused; a channel with an inflow, an outflow
 * and a body, read from 40 x 24 onto 60 x 36, keeps the case's body and is divergence-free
 * after the first step. */
START_TEST(file_velocity_is_second_order_and_projected)
{
    const char *ini = tl_temp_file("tg_file.ini", periodic_case);
    const char *paths[2] = {tl_temp_path("tg16_file.nc"), tl_temp_path("tg32_file.nc")};
    char text[2048];
    double error[2];
    for (int r = 0; r < 2; r++) {
        const char *const first[] = {r ? "grid.nx=32" : "grid.nx=16",
                                     r ? "grid.ny=32" : "grid.ny=16", "time.t_end=0.01"};
        fc_run_result res;
        fc_err err;
        fc_run_opts o = {.case_path = ini, .solvers = fc_solvers(), .device = "cpu",
                         .output = paths[r], .overwrite = 1, .quiet = 1, .sets = first,
                         .nsets = 3};
        ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
        file_case(text, sizeof text, periodic_case, paths[r], "bilinear");
        tl_sim s;
        tl_sim_open(&s, text, (const char *const[]){"grid.nx=96", "grid.ny=96", NULL}, NULL);
        error[r] = taylor_green_face_error(&s, 0.01);
        tl_sim_close(&s);
    }
    printf("file initial state, the Taylor-Green vortex onto 96 x 96: largest velocity error "
           "%.3e from 16 x 16, %.3e from 32 x 32 (order %.2f)\n",
           error[0], error[1], log2(error[0] / error[1]));
    ck_assert_msg(error[0] < 0.06 && log2(error[0] / error[1]) > 1.8, "errors %g, %g", error[0],
                  error[1]);
    file_case(text, sizeof text, periodic_case, paths[1], "no");
    const char *refused = tl_temp_file("tg_refused.ini", text);
    fc_config cfg;
    fc_err err;
    ck_assert_int_eq(fc_config_load(refused, (const char *const[]){"grid.nx=96", "grid.ny=96"},
                                    2, fc_solvers(), &cfg, &err), FC_OK);
    tl_sim none;
    ck_assert_int_eq(fc_sim_start(&none, &cfg, NULL, NULL, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "([initial] interpolate = bilinear interpolates it onto them)"),
                  "%s", err.msg);
    fc_config_free(&cfg);

    const char *channel = tl_temp_path("mixed_file.nc");
    run_channel("mixed_file.ini", channel);
    file_case(text, sizeof text, mixed_case, channel, "bilinear");
    tl_sim s;
    tl_sim_open(&s, text, channel_finer, NULL);
    channel_takes_body_and_projects(&s, channel_finer);
}
END_TEST

START_TEST(body_shapes_are_consistent)
{
    const double pi = acos(-1), deg = pi / 180;
    struct {
        ns2d_body b;
        double area, perimeter; /* perimeter 0: not checked */
    } cases[5] = {
#define BODY(SHAPE, X, Y, A, B, DEG, M, P, T)                                                   \
    {.shape = SHAPE, .boundary = NS2D_BODY_IMMERSED, .cx = X, .cy = Y, .a = A, .b = B,           \
     .cos_r = cos((DEG) * deg), .sin_r = sin((DEG) * deg), .camber = M, .camber_pos = P,          \
     .thickness = T}
        {BODY(NS2D_SHAPE_CIRCLE, 0.1, -0.2, 0.3, 0.3, 0, 0, 0, 0), pi * 0.09, 2 * pi * 0.3},
        {BODY(NS2D_SHAPE_SQUARE, 0, 0, 0.2, 0.2, 30, 0, 0, 0), 0.16, 1.6},
        {BODY(NS2D_SHAPE_RECTANGLE, 0.5, 0.5, 0.3, 0.1, 20, 0, 0, 0), 0.12, 1.6},
        /* Ramanujan's second approximation: exact to 1e-9 relative at this aspect ratio. */
        {BODY(NS2D_SHAPE_ELLIPSE, 0, 0, 0.3, 0.15, 45, 0, 0, 0), pi * 0.045, 0},
        /* NACA 2412, chord 1, 10 degrees nose up (turned clockwise) */
        {BODY(NS2D_SHAPE_NACA, 1, 0.5, 0.5, 0.5, -10, 0.02, 0.4, 0.12), 0, 0},
#undef BODY
    };
    {
        const double a = 0.3, b = 0.15, hh = (a - b) * (a - b) / ((a + b) * (a + b));
        cases[3].perimeter = pi * (a + b) * (1 + 3 * hh / (10 + sqrt(4 - 3 * hh)));
    }
    for (int c = 0; c < 5; c++) {
        ns2d_outline o;
        ck_assert_int_eq(ns2d_outline_make(&cases[c].b, &o), FC_OK);
        double area = cases[c].area;
        if (c == 4) { /* the aerofoil's polygon, by the shoelace formula */
            area = ns2d_outline_area(&o);
            /* NACA 4-digit sections enclose about 0.685 t c^2 */
            ck_assert_msg(fabs(area / (0.685 * 0.12) - 1) < 0.01, "aerofoil area %g", area);
        } else {
            ck_assert_msg(fabs(ns2d_outline_area(&o) / area - 1) < 1e-12, "shape %d: area %g", c,
                          ns2d_outline_area(&o));
        }
        const int n = ns2d_outline_sample(&o, 1e-3, NULL, 0);
        ns2d_surface_point *pts = malloc((size_t)n * sizeof *pts);
        ck_assert_ptr_nonnull(pts);
        ck_assert_int_eq(ns2d_outline_sample(&o, 1e-3, pts, n), n);
        double len = 0, nx = 0, ny = 0, xnx = 0, yny = 0, worst = 0;
        int wrong_side = 0;
        for (int q = 0; q < n; q++) {
            const ns2d_surface_point *s = &pts[q];
            len += s->ds;
            nx += s->nx * s->ds;
            ny += s->ny * s->ds;
            xnx += s->x * s->nx * s->ds;
            yny += s->y * s->ny * s->ds;
            worst = fmax(worst, fabs(ns2d_outline_distance(&o, s->x, s->y)));
            /* (the aerofoil's last 2 % of chord is thinner than the steps across it) */
            if (c == 4 && hypot(s->x - o.seg[0], s->y - o.seg[1]) < 0.02)
                continue;
            wrong_side += ns2d_outline_distance(&o, s->x + 1e-3 * s->nx, s->y + 1e-3 * s->ny) <= 0;
            wrong_side += ns2d_outline_distance(&o, s->x - 1e-4 * s->nx, s->y - 1e-4 * s->ny) >= 0;
        }
        printf("shape %d: %d samples, perimeter %.9f, area %.9f / %.9f, |phi| on it %.1e\n", c,
               n, len, xnx, area, worst);
        ck_assert_msg(worst < 1e-9, "shape %d: the samples are %g off the surface", c, worst);
        ck_assert_msg(wrong_side == 0, "shape %d: %d normals point the wrong way", c, wrong_side);
        ck_assert_msg(fabs(nx) < 1e-9 && fabs(ny) < 1e-9, "shape %d: closed? %g %g", c, nx, ny);
        ck_assert_msg(fabs(xnx / area - 1) < 1e-6 && fabs(yny / area - 1) < 1e-6,
                      "shape %d: area %g, %g against %g", c, xnx, yny, area);
        if (cases[c].perimeter > 0)
            ck_assert_msg(fabs(len / cases[c].perimeter - 1) < 1e-8, "shape %d: perimeter %g",
                          c, len);
        free(pts);
        ns2d_outline_free(&o);
    }
    /* Thickness at the thickest (the largest inscribed circle's diameter) on cells of 0.01 m,
     * within the quarter-cell sampling: the circle's diameter, the square's side, the
     * rectangle's and the ellipse's shorter axis, and about the aerofoil's 12 % (its thickness
     * is measured across the camber line). */
    const double thickest[5] = {0.6, 0.4, 0.2, 0.3, 0.12};
    ns2d_params *p = calloc(1, sizeof *p);
    ck_assert_ptr_nonnull(p);
    p->nbodies = 1;
    p->grid.dx = p->grid.dy = 0.01;
    for (int c = 0; c < 5; c++) {
        p->body[0] = cases[c].b;
        const double t = ns2d_body_thickness(p, 0);
        printf("shape %d: %.4f m thick at its thickest (%.4f)\n", c, t, thickest[c]);
        ck_assert_msg(t <= thickest[c] + 1e-9 && t >= thickest[c] - (c == 4 ? 0.005 : 0.004),
                      "shape %d: %g m thick, not %g", c, t, thickest[c]);
    }
    free(p);
}
END_TEST

/* A field file for ns2d_body_field_read: variable name on (y, x) over the uniform n x n grid of
 * [-0.5, 0.5]^2 (x reversed when flip is set), coordinates in `units`, values f(x, y). */
static const char *shape_file(const char *file, const char *name, int n, int flip,
                              const char *units, double (*f)(double, double))
{
    const char *path = tl_temp_path(file);
    int nc, dx, dy, vx, vy, vf;
    ck_assert_int_eq(nc_create(path, NC_CLOBBER, &nc), NC_NOERR);
    ck_assert_int_eq(nc_def_dim(nc, "x", (size_t)n, &dx), NC_NOERR);
    ck_assert_int_eq(nc_def_dim(nc, "y", (size_t)n, &dy), NC_NOERR);
    ck_assert_int_eq(nc_def_var(nc, "x", NC_DOUBLE, 1, &dx, &vx), NC_NOERR);
    ck_assert_int_eq(nc_def_var(nc, "y", NC_DOUBLE, 1, &dy, &vy), NC_NOERR);
    const int dims[2] = {dy, dx};
    ck_assert_int_eq(nc_def_var(nc, name, NC_DOUBLE, 2, dims, &vf), NC_NOERR);
    ck_assert_int_eq(nc_put_att_text(nc, vx, "units", strlen(units), units), NC_NOERR);
    ck_assert_int_eq(nc_enddef(nc), NC_NOERR);
    double *c = malloc((size_t)n * sizeof *c), *v = malloc((size_t)n * n * sizeof *v);
    ck_assert(c && v);
    for (int i = 0; i < n; i++)
        c[i] = -0.5 + (double)i / (n - 1);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            v[(size_t)j * n + i] = f(flip ? c[n - 1 - i] : c[i], c[j]);
    ck_assert_int_eq(nc_put_var_double(nc, vy, c), NC_NOERR);
    if (flip)
        for (int i = 0; i < n / 2; i++) {
            const double t = c[i];
            c[i] = c[n - 1 - i], c[n - 1 - i] = t;
        }
    ck_assert_int_eq(nc_put_var_double(nc, vx, c), NC_NOERR);
    ck_assert_int_eq(nc_put_var_double(nc, vf, v), NC_NOERR);
    ck_assert_int_eq(nc_close(nc), NC_NOERR);
    free(c);
    free(v);
    return path;
}

/* The shapes of the file test: two circles (radii 0.2 and 0.1), first as a solid fraction
 * that ramps across two node spacings (h = 1/80), then as a 0/1 mask, and a rotated
 * rectangle (half-sides 0.3, 0.1, 30 degrees) as its exact signed distance. */
static double two_circles(double x, double y)
{
    return fmin(hypot(x + 0.2, y) - 0.2, hypot(x - 0.25, y - 0.1) - 0.1);
}
static double two_circles_fraction(double x, double y)
{
    return fmin(fmax(0.5 - two_circles(x, y) * 40, 0), 1);
}
static double two_circles_mask(double x, double y) { return two_circles(x, y) < 0; }
static double rectangle_distance(double x, double y)
{
    const double c = cos(acos(-1) / 6), s = sin(acos(-1) / 6);
    const double qx = fabs(c * x + s * y) - 0.3, qy = fabs(-s * x + c * y) - 0.1;
    return hypot(fmax(qx, 0), fmax(qy, 0)) + fmin(fmax(qx, qy), 0);
}
static double bad_fraction(double x, double y) { return 1.5 * (hypot(x, y) < 0.2); }
static double edge_body(double x, double y) { return x + 0.45 + 0 * y; }
static double no_body(double x, double y) { return 1 + x * x + y * y; }

/*
 * Shapes from a NetCDF file (ns2d_body_field_read): the zero contour closes (the integral of n
 * over it is 0), encloses the right area (the divergence theorem's x n_x), its samples lie on the
 * true surface with outward normals, and the signed distance made from a mask is the distance
 * to the shape; every kind of bad file is refused with a message that says what is wrong.
 */
START_TEST(body_from_a_file)
{
    const double pi = acos(-1);
    struct {
        const char *name;
        double (*f)(double, double);
        int mask;
        double area, place_tol, dist_tol;
    } cases[3] = {
        /* chords of a circle lie h^2 / (8 r) inside it at most: 4e-4 for the smaller one */
        {"fraction.nc", two_circles_fraction, 1, pi * 0.05, 5e-4, 5e-4},
        {"mask.nc", two_circles_mask, 1, pi * 0.05, 1e-2, 1.2e-2},
        {"rectangle.nc", rectangle_distance, 0, 0.12, 0, 0},
    };
    for (int c = 0; c < 3; c++) {
        const char *path = shape_file(cases[c].name, "shape", 81, 0, "m", cases[c].f);
        ns2d_field *f;
        fc_err err;
        ck_assert_msg(ns2d_body_field_read(path, "shape", cases[c].mask, &f, &err) == FC_OK,
                      "%s", err.msg);
        const ns2d_body b = {.shape = NS2D_SHAPE_FILE, .field = f};
        ns2d_outline o;
        ck_assert_int_eq(ns2d_outline_make(&b, &o), FC_OK);
        const int n = ns2d_outline_sample(&o, 1e-3, NULL, 0);
        ns2d_surface_point *pts = malloc((size_t)n * sizeof *pts);
        ck_assert_ptr_nonnull(pts);
        ns2d_outline_sample(&o, 1e-3, pts, n);
        double nx = 0, ny = 0, xnx = 0, place = 0, facing = 1, dist = 0;
        for (int q = 0; q < n; q++) {
            const ns2d_surface_point *s = &pts[q];
            nx += s->nx * s->ds;
            ny += s->ny * s->ds;
            xnx += s->x * s->nx * s->ds;
            if (c < 2) { /* the circles: position and radial normals */
                const int which = s->x > 0.05;
                const double ox = which ? 0.25 : -0.2, oy = which ? 0.1 : 0;
                const double r = hypot(s->x - ox, s->y - oy);
                place = fmax(place, fabs(r - (which ? 0.1 : 0.2)));
                facing = fmin(facing, ((s->x - ox) * s->nx + (s->y - oy) * s->ny) / r);
            }
        }
        /* The distance within 2.4 node spacings of the surface, where the immersed boundary
         * reads it, against the exact one (the circles). */
        for (int q = 0; q < 2000 && c < 2; q++) {
            const double x = -0.45 + 0.9 * (q % 40) / 39, y = -0.45 + 0.9 * (q / 40) / 49.0;
            const double exact = two_circles(x, y);
            if (fabs(exact) < 0.03)
                dist = fmax(dist, fabs(ns2d_outline_distance(&o, x, y) - exact));
        }
        printf("file shape %d: %d segments, area %.6f / %.6f, closure %.1e %.1e, off the "
               "surface %.1e, normals %.6f, distance error %.1e\n", c, o.nseg,
               ns2d_outline_area(&o), cases[c].area, nx, ny, place, facing, dist);
        ck_assert_msg(fabs(nx) < 1e-12 && fabs(ny) < 1e-12, "shape %d does not close", c);
        ck_assert_msg(fabs(xnx - ns2d_outline_area(&o)) < 1e-12, "shape %d: orientation", c);
        ck_assert_msg(fabs(ns2d_outline_area(&o) / cases[c].area - 1) < (c == 1 ? 0.02 : 3e-3),
                      "shape %d: area %g", c, ns2d_outline_area(&o));
        if (c < 2) {
            ck_assert_msg(place < cases[c].place_tol, "shape %d: %g off the circles", c, place);
            ck_assert_msg(facing > (c == 0 ? 0.99 : 0.7), "shape %d: normals %g", c, facing);
            ck_assert_msg(dist < cases[c].dist_tol, "shape %d: distance off by %g", c, dist);
        }
        free(pts);
        ns2d_outline_free(&o);
        free(f);
    }
    /* Bad files. */
    struct {
        const char *file, *var, *units;
        double (*f)(double, double);
        int n, mask, flip;
        const char *says;
    } bad[] = {
        {"bad1.nc", "shape", "m", bad_fraction, 41, 1, 0, "must lie in [0, 1]; it holds 1.5"},
        {"bad2.nc", "shape", "m", edge_body, 41, 0, 0, "reaches the edge of its grid"},
        {"bad3.nc", "shape", "m", no_body, 41, 0, 0, "no node of 'shape' is inside a body"},
        {"bad4.nc", "shape", "km", rectangle_distance, 41, 0, 0,
         "coordinate 'x' is in km; a body's field is read in metres (m), its distances too"},
        {"bad8.nc", "shape", "degrees_east", rectangle_distance, 41, 0, 0,
         "is in 'degrees_east'; metres (m) or kilometres (km) expected"},
        {"bad5.nc", "shape", "m", rectangle_distance, 41, 0, 1, "coordinate 'x' must increase"},
        {"bad6.nc", "other", "m", rectangle_distance, 41, 0, 0, "no variable 'shape'"},
        {"bad7.nc", "shape", "m", rectangle_distance, 1, 0, 0, "from 2 to 32768 nodes a side"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        const char *path = shape_file(bad[k].file, bad[k].var, bad[k].n, bad[k].flip,
                                      bad[k].units, bad[k].f);
        ns2d_field *f = NULL;
        fc_err err;
        ck_assert_int_eq(ns2d_body_field_read(path, "shape", bad[k].mask, &f, &err), FC_EINPUT);
        ck_assert_ptr_null(f);
        ck_assert_msg(strstr(err.msg, bad[k].says) && strstr(err.msg, path), "%zu: %s", k,
                      err.msg);
    }
}
END_TEST

/* The diagnostic `name` of s's downloaded state after its last step. */
static double diag_of(tl_sim *s, const char *name)
{
    size_t k = 0;
    while (k < s->s->io.ndiags && strcmp(s->s->io.diags[k].name, name))
        k++;
    ck_assert_msg(k < s->s->io.ndiags, "no diagnostic %s", name);
    double *d = calloc(s->s->io.ndiags, sizeof *d);
    ck_assert_ptr_nonnull(d);
    fc_err err;
    ck_assert_int_eq(s->s->io.diagnose(s->params, &s->grid, &s->host, s->last.stats, d, &err),
                     FC_OK);
    const double v = d[k];
    free(d);
    return v;
}

/* A cylinder in a periodic box whose fluid a body force accelerates from rest, at 64 and 128
 * cells across (16 and 32 per diameter): the momentum in the balance's box grows at about the
 * force times its fluid area, which a balance without the unsteady term takes for a force on the
 * body. With the term, the balance hardly depends on the grid or on its box (4 cells round the
 * body, so half the size on the finer grid), and the surface integral, whose wall shear comes
 * from probes 1.5 to 3.5 cells out, converges to it from below (at 256 cells: surface 0.6227,
 * balance 0.6275). The box's faces' weights add up to its area less the body's. */
START_TEST(momentum_balance_holds_while_the_flow_accelerates)
{
    static const char accelerating[] =
        "[case]\nsolver = ns2d\n[grid]\nnx = 64\nny = 64\nx_max = 1\ny_max = 1\n[time]\n"
        "t_end = 1\ncfl = 0.5\n[physics]\nviscosity = 0.002\nforce_x = 1\n"
        "reference_length = 0.25\n[boundary]\nwest = periodic\neast = periodic\n"
        "south = periodic\nnorth = periodic\n[obstacle]\nshape = circle\nboundary = immersed\n"
        "size = 0.25\ncenter_x = 0.5\ncenter_y = 0.5\n[initial]\ntype = rest\n";
    static const char *const finer[] = {"grid.nx=128", "grid.ny=128", NULL};
    double surface[2], balance[2], steady[2];
    for (int r = 0; r < 2; r++) {
        tl_sim s;
        tl_sim_open(&s, accelerating, r ? finer : NULL, NULL);
        const ns2d_params *p = s.params;
        ns2d_box_faces box;
        ck_assert_int_eq(ns2d_box_faces_make(p, &box), FC_OK);
        /* The box: the circle's bounding box (0.375 to 0.625) widened by 4 cells. */
        const double side = 0.25 + 8 * s.grid.dx,
                     fluid = side * side - acos(-1) * 0.125 * 0.125;
        for (int c = 0; c < 2; c++) {
            double w = 0;
            for (int f = 0; f < box.n[c]; f++)
                w += box.w[c][f];
            printf("%d^2: balance box, %c faces: %d, area %.6f against the fluid's %.6f\n",
                   s.grid.nx, "uv"[c], box.n[c], w, fluid);
            /* faces split by the surface count whole or not at all: half a cell along it */
            ck_assert_msg(fabs(w - fluid) <= acos(-1) * 0.25 * s.grid.dx / 2, "area %g", w);
        }
        ns2d_box_faces_free(&box);
        tl_sim_run_to(&s, 0.2);
        tl_sim_download(&s);
        const double q = p->ref_speed * p->ref_speed * p->ref_length / 2;
        surface[r] = diag_of(&s, "drag_coefficient");
        balance[r] = diag_of(&s, "drag_coefficient_cv");
        steady[r] = balance[r] + s.last.stats[NS2D_STAT_BOX_RATE] / q;
        printf("accelerating flow past a cylinder, %d^2, t = 0.2 s: drag %.4f (surface), %.4f "
               "(balance), %.4f (balance without the momentum gained)\n", s.grid.nx,
               surface[r], balance[r], steady[r]);
        tl_sim_close(&s);
    }
    ck_assert_msg(fabs(balance[1] - balance[0]) <= 0.03 * balance[1], "balance %g then %g",
                  balance[0], balance[1]);
    ck_assert_msg(fabs(steady[1] - steady[0]) >= 0.3 * balance[1],
                  "without the unsteady term the balance should depend on its box");
    ck_assert_msg(fabs(balance[0] - surface[0]) <= 0.1 * surface[0] &&
                      fabs(balance[1] - surface[1]) <= 0.04 * surface[1] &&
                      fabs(balance[1] - surface[1]) < fabs(balance[0] - surface[0]),
                  "surface %g, %g against balance %g, %g", surface[0], surface[1], balance[0],
                  balance[1]);
}
END_TEST

/* A body centred in a channel keeps the flow mirror-symmetric about the channel's axis, to the
 * solver's tolerance: round-off in phi must not put a point on the surface inside on one side
 * and outside on the other (a cylinder centred on a cell's centre, its top and bottom on faces:
 * the flow was 3 % of U asymmetric after one step, and shed a lift of 0.06 at Re 20), nor open a
 * face a grid line tangent to the surface grazes on one side only (the same cylinder on a grid
 * twice as fine), nor pick different grid lines to interpolate along at mirror-image faces
 * where the surface meets the lines at 45 degrees (a square turned 45 degrees). */
/* The largest departure of b's flow from the mirror image of a's about the grid's middle row
 * (u even, v odd), on the faces; a = b for a flow that must be symmetric itself. */
static double mirror_departure(const tl_sim *a, const tl_sim *b)
{
    const int nx = a->grid.nx, ny = a->grid.ny;
    double worst = 0;
    for (int j = 0; j < ny; j++)
        for (int i = 0; i <= nx; i++)
            worst = fmax(worst, fabs(tl_at(a, NS2D_U, i, j) - tl_at(b, NS2D_U, i, ny - 1 - j)));
    for (int j = 0; j <= ny; j++)
        for (int i = 0; i < nx; i++)
            worst = fmax(worst, fabs(tl_at(a, NS2D_V, i, j) + tl_at(b, NS2D_V, i, ny - j)));
    return worst;
}

START_TEST(immersed_bodies_keep_a_channel_symmetric)
{
    static const char channel[] =
        "[case]\nsolver = ns2d\n[grid]\nx_max = 0.6\ny_max = 0.41\n[time]\nt_end = 1\n"
        "cfl = 0.8\n[physics]\nviscosity = 1e-3\nreference_speed = 0.2\n"
        "reference_length = 0.1\n[boundary]\nwest = inflow\neast = open\ninflow_speed = 0.2\n"
        "[obstacle]\nboundary = immersed\ncenter_x = 0.2\ncenter_y = 0.205\nsize = 0.1\n"
        "[initial]\ntype = rest\n";
    static const char *const setups[][5] = {
        {"obstacle.shape=circle", "grid.nx=60", "grid.ny=41", NULL},
        {"obstacle.shape=circle", "grid.nx=120", "grid.ny=82", NULL},
        {"obstacle.shape=square", "obstacle.size=0.08", "obstacle.rotation=45", "grid.nx=60",
         "grid.ny=41"}};
    for (size_t c = 0; c < sizeof setups / sizeof setups[0]; c++) {
        const char *sets[6] = {0};
        memcpy(sets, setups[c], sizeof setups[c]);
        tl_sim s;
        tl_sim_open(&s, channel, sets, NULL);
        tl_sim_steps(&s, 20);
        tl_sim_download(&s);
        const int nx = s.grid.nx, ny = s.grid.ny;
        const double worst = mirror_departure(&s, &s);
        printf("immersed %s on %d x %d in a channel: largest asymmetry of u, v after 20 steps "
               "%.2e m/s\n", setups[c][0] + 15, nx, ny, worst);
        /* the peak inflow is 0.3 m/s; the projection leaves 1e-9 of it, float 1e-5 */
        ck_assert_msg(worst <= (TL_SINGLE ? 3e-6 : 3e-10), "setup %zu: asymmetry %g m/s", c, worst);
        tl_sim_close(&s);
    }
}
END_TEST

/* A thin body at +5 degrees and its mirror image at -5 degrees make mirrored flows. A solid strip
 * one cell thick (the edges of an ellipse 1.9 cells thick) has fluid faces on both sides of its
 * ghost faces, whose values QUICK reads; the side looked at first gave them, and the flows here
 * were 0.68 m/s apart after twenty steps (now 7e-11). */
START_TEST(a_thin_body_and_its_mirror_image_make_mirrored_flows)
{
    static const char thin[] =
        "[case]\nsolver = ns2d\n[grid]\nnx = 64\nny = 48\nx_max = 4\ny_max = 3\n[time]\n"
        "t_end = 1\n[physics]\nreynolds = 1000\n[boundary]\nwest = inflow\neast = open\n"
        "inflow_profile = uniform\nsouth_wall_speed = 1\nnorth_wall_speed = 1\n[obstacle]\n"
        "shape = ellipse\nboundary = immersed\ncenter_x = 1.5\ncenter_y = 1.5\nwidth = 1\n"
        "height = 0.12\n[initial]\ntype = rest\n";
    const char *const up[] = {"obstacle.rotation=5", NULL}, *down[] = {"obstacle.rotation=-5", NULL};
    tl_sim a, b;
    pair_steps(&a, &b, thin, up, down, 20);
    const double worst = mirror_departure(&a, &b);
    printf("a thin ellipse at +5 and -5 degrees: largest departure from mirrored flows after 20 "
           "steps %.2e m/s\n", worst);
    ck_assert_msg(worst <= (TL_SINGLE ? 1e-5 : 1e-9), "%g m/s", worst);
    tl_sim_close(&a);
    tl_sim_close(&b);
}
END_TEST

/* The cavity driven by its lid on each side in turn (its mirror images and quarter turns): the
 * same kinetic energy and enstrophy. The enstrophy once counted each cell's south-west corner,
 * which left out the north and east walls' corners, the lid's on the north: 5.81 m2 s-2 after
 * 20 steps on these cells against 21.0 with the lid on the south (now 14.18 for both). */
START_TEST(the_enstrophy_counts_every_wall)
{
    static const char *const lids[][3] = {
        {"boundary.north_wall_speed=1", NULL},
        {"boundary.north_wall_speed=0", "boundary.south_wall_speed=1", NULL},
        {"boundary.north_wall_speed=0", "boundary.west_wall_speed=1", NULL},
        {"boundary.north_wall_speed=0", "boundary.east_wall_speed=1", NULL},
    };
    double energy[4], enstrophy[4];
    for (int c = 0; c < 4; c++) {
        tl_sim s;
        tl_sim_open(&s, cavity_case, lids[c], NULL);
        tl_sim_steps(&s, 20);
        tl_sim_download(&s);
        energy[c] = diag_of(&s, "kinetic_energy");
        enstrophy[c] = diag_of(&s, "enstrophy");
        tl_sim_close(&s);
    }
    /* The runs differ by the pressure solves' round-off (their tolerances are 1e-8 s-1). */
    const double tol = TL_SINGLE ? 1e-5 : 1e-10;
    for (int c = 1; c < 4; c++) {
        printf("cavity driven by %s: energy %.15g, enstrophy %.15g (north lid: %.15g, %.15g)\n",
               lids[c][1], energy[c], enstrophy[c], energy[0], enstrophy[0]);
        ck_assert_msg(fabs(energy[c] - energy[0]) <= tol * energy[0], "%s", lids[c][1]);
        ck_assert_msg(fabs(enstrophy[c] - enstrophy[0]) <= tol * enstrophy[0], "%s", lids[c][1]);
    }
}
END_TEST

Suite *ns2d_suite(void)
{
    Suite *s = suite_create("ns2d");
    TCase *tc = tcase_create("incompressible flow");
    tcase_add_test(tc, pressure_matrix_is_minus_div_grad_and_symmetric);
    tcase_add_test(tc, poiseuille_is_exact);
    tcase_add_test(tc, step_eddies_are_the_wall_shear_sign_changes);
    tcase_add_test(tc, taylor_green_second_order);
    tcase_add_test(tc, advection_is_stable_at_the_cases_cfl);
    tcase_add_test(tc, divergence_below_tolerance_after_each_projection);
    tcase_add_test(tc, the_projection_holds_at_any_speed);
    tcase_add_test(tc, periodic_seams_are_projected);
    tcase_add_test(tc, multigrid_iterations_stay_flat);
    tcase_add_test(tc, pressure_solve_failures_name_their_cause);
    tcase_add_test(tc, one_level_multigrid_agrees_with_jacobi);
    tcase_add_test(tc, cavity_matches_ghia_at_re100);
    tcase_add_test(tc, steady_state_stops_the_run);
    tcase_add_test(tc, body_from_a_file);
    tcase_add_test(tc, nan_is_reported_and_not_kept);
    tcase_add_test(tc, threads_do_not_change_the_result);
    tcase_add_test(tc, restart_is_bit_for_bit);
    tcase_add_test(tc, obstacle_output_is_at_rest_and_a_streamline);
    tcase_add_test(tc, inflow_spans_the_open_part_of_its_side);
    tcase_add_test(tc, an_oscillating_inflow_is_taken_at_each_state_s_time);
    tcase_add_test(tc, divergence_far_above_the_tolerance_fails_the_run);
    tcase_add_test(tc, a_force_between_walls_is_held_at_rest);
    tcase_add_test(tc, open_ends_pass_a_forced_channel_unchanged);
    tcase_add_test(tc, a_scaled_cylinder_has_the_same_forces);
    tcase_add_test(tc, a_long_flat_face_conserves_mass);
    tcase_add_test(tc, a_turned_cylinder_has_the_same_coefficients);
    tcase_add_test(tc, a_square_s_pressure_difference_is_taken_mid_face);
    tcase_add_test(tc, cut_cells_are_written_by_their_open_faces);
    tcase_add_test(tc, a_body_on_a_wall_feels_only_the_fluid);
    tcase_add_test(tc, a_thin_body_and_its_mirror_image_make_mirrored_flows);
    tcase_add_test(tc, enclosed_fluid_is_refused_by_name);
    tcase_add_test(tc, regrid_is_second_order_and_takes_bodies_from_the_case);
    tcase_add_test(tc, restart_takes_bodies_from_the_case);
    tcase_add_test(tc, file_velocity_is_second_order_and_projected);
    tcase_add_test(tc, body_shapes_are_consistent);
    tcase_add_test(tc, momentum_balance_holds_while_the_flow_accelerates);
    tcase_add_test(tc, immersed_bodies_keep_a_channel_symmetric);
    tcase_add_test(tc, the_enstrophy_counts_every_wall);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    return s;
}
