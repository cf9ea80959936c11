/*
 * ns2d_mg.h: the CPU's multigrid preconditioner of the pressure equation (and the GPU's with
 * FC_NS2D_GPU_PRESSURE=stencil, ns2d_cuda.cu), on the structured grid and without matrices:
 * every level is a 5-point operator stored as face coefficients, so a sweep reads two
 * coefficients and an inverse diagonal per cell and no indices (the Galerkin CSR hierarchy of
 * ns2d_poisson.h, which the GPU uses by default, built 9- to 25-point coarse operators, spent
 * most of a V-cycle on index loads and took longer to set up than a step).
 *
 * Operator on each level (A = -L as in ns2d_poisson.h, symmetric): a cell's row is
 *   (A x)_c = sum over its four faces f of k_f (x_c - x_nb(f)) + d_c x_c
 * with k_f the face's coefficient (1/h^2 between two fluid cells on the finest level, 0 across a
 * wall, inflow or obstacle) and d_c the Dirichlet part (2/h^2 per outflow face). Cells that are
 * not unknowns hold x = 0 and an inverse diagonal of 0, so masks need no branch.
 *
 * Coarsening: 2 x 2 blocks of cells (a last odd row or column forms blocks of one); a coarse cell
 * exists where one of its children does. The coarse operator is a re-discretisation that keeps
 * the fine geometry: a coarse face's coefficient is half the sum of the fine faces it covers, its
 * Dirichlet part half the sum of its children's. This is exactly half of Galerkin's R A P for
 * piecewise-constant transfers, the factor that makes it approximate the fine operator
 * (Braess 1995, "Towards algebraic multigrid for elliptic problems of second order", Computing
 * 55, 379-393: the aggregation coarse correction wants scaling by about 2), and it stays 5-point
 * on every level. Transfers as in ns2d_poisson.h: P bilinear between coarse cell centres (9/16,
 * 3/16, 3/16, 1/16), with the weights of absent coarse cells dropped and the rest rescaled to
 * one; R = P^T. Periodic sides wrap on every level, the operator and the transfers alike (an
 * odd count of fine cells leaves a last coarse block of one column or row, next to the first
 * across the side; the CSR hierarchy's transfers do not wrap there).
 *
 * Semi-coarsening: on cells much longer one way than the other, the point smoother damps the
 * error only along the short side's strong coupling, and halving both sides left the rest to
 * conjugate gradients (a unit cavity on 8 x 128 cells took 113 iterations a step against 9 on
 * 64 x 64). A level whose cells are more than sqrt(2) times longer along one axis than along
 * the other is halved along the other (short) axis alone, blocks of 2 x 1 or 1 x 2 cells,
 * until its cells are near square; then both are halved as above (Schaffer 1998, "A
 * semicoarsening multigrid method for elliptic partial differential equations with highly
 * discontinuous and anisotropic coefficients", SIAM J. Sci. Comput. 20, 228-242; hypre's PFMG
 * does the same). Along an axis kept, the transfers copy (P takes the own row alone; R = P^T),
 * and Galerkin's R A P with piecewise constants is then right as it is for the faces across
 * that axis: a coarse face's coefficient is the sum of the fine faces it covers times 1/2 when
 * the level halves the axis the face is normal to, else times 1, and so the Dirichlet part of
 * each axis. (Both halved, this is the rule above.) A grid of near-square cells is coarsened as
 * before, to the same bits.
 *
 * Smoother: red-black Gauss-Seidel, NS2D_MG_RB_SWEEPS times red then black before the coarse
 * correction and as many times black then red after it, so that the V-cycle is symmetric as conjugate gradients needs (each half sweep is
 * x += I_c D^-1 I_c^T (b - A x) on one colour, self-adjoint in the A inner product, even where a
 * periodic side of odd length puts two cells of one colour side by side). The coarsest level (at
 * most NS2D_MG_COARSEST cells) is solved exactly by a dense inverse (A + a 1 1^T when singular,
 * which gives the zero-mean solution).
 *
 * Storage per level: (ny + 2) x (nx + 2) with a halo of one (index (j + 1) * pitch + i + 1), the
 * halo holding copies of the wrapped cells on periodic sides and zeros elsewhere. The CPU's
 * conjugate gradients use level 0's layout for all their vectors (zero outside the fluid), so
 * no vector is gathered or scattered between the solver and its preconditioner.
 */
#ifndef FC_NS2D_MG_H
#define FC_NS2D_MG_H

#include "solvers/ns2d/ns2d_poisson.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Red-black sweeps before and after the coarse correction. One was cheaper per solve where the
 * vectors outgrow the caches (before the open-grid rows: src/bench/poisson_hypre's 1024^2
 * problem, 9 iterations, 0.146 s, against 7 and 0.154 s with two), but a solve that stops after one iteration leaves more of
 * the smooth error: the inflow/outflow channel at Re 10 (validate's ns2d_poiseuille) then never
 * got below [time] steady_tol = 1e-7 with the default poisson_tol, where two sweeps (and the
 * Galerkin hierarchy before) stop it steady at t = 2.2 s. Two also ran the 512^2 cavity 4 %
 * faster. */
#define NS2D_MG_RB_SWEEPS 2

/* Slot of cell (i, j) on a level: a halo of one on every side. */
#define NS2D_MG_SLOT(l, i, j) ((ptrdiff_t)((j) + 1) * (l)->pitch + (i) + 1)

/*
 * Transfers along one axis between a level and the next coarser one. Prolongation: fine cell i
 * takes its own block's value (weight 3/4) and the nearer neighbour block's (1/4; nb[i] = -1
 * when absent). Restriction gathers, for each coarse cell I, the fine cells whose prolongation
 * uses it: at most four (from[4 I + q], weight w[4 I + q] in quarters: 3 own, 1 neighbour, 0
 * unused with from pointing at a valid cell). Along an axis the coarser level keeps, each fine
 * cell is its own block: own[i] = i, nb[i] = -1, and coarse cell I gathers fine cell I alone
 * (weight 3; pscale's rescaling makes the copy exact).
 */
typedef struct ns2d_mg_axis {
    int *own, *nb;   /* [fine cells] */
    int *from;       /* [4 coarse cells] */
    fc_real *w;      /* [4 coarse cells] */
} ns2d_mg_axis;

typedef struct ns2d_mg_level {
    int nx, ny, pitch;
    int wrap_x, wrap_y; /* the operator's periodic sides (halo copies of the wrapped cells) */
    int halve_x, halve_y; /* whether the next coarser level halves x (y), or keeps this level's
                           * columns (rows): semi-coarsening */
    int ncells;         /* cells that exist */
    /* [(ny + 2) * pitch] each: */
    fc_real *kw, *ks;   /* coefficient of the west and south face of each cell; the east (north)
                         * face of the last column (row) sits in the halo slot beyond it */
    fc_real *diag, *dinv; /* diagonal and its inverse; 0 where no cell */
    fc_real *pscale;    /* 1 / (sum of the bilinear weights of the existing coarse cells), 0
                         * where no cell; unused on the coarsest level */
    fc_real *x, *b, *r; /* solution, right-hand side, residual times pscale */
    ns2d_mg_axis ax, ay; /* transfers to the next coarser level */
    /* Rows whose inner cells (all but the first and last) have the open-grid values: faces
     * cx and cy (1/dx^2, 1/dy^2 on level 0; on a coarser one the fine values times 2 along an
     * axis kept and 1/2 across an axis halved), diagonal diag_u, pscale 1/16 (1/12 when one
     * axis is kept). Their loops read these constants instead of the arrays, the same bits with
     * less memory traffic. */
    unsigned char *uniform; /* [ny] */
    fc_real cx, cy, diag_u, dinv_u, pscale_u;
} ns2d_mg_level;

typedef struct ns2d_mg {
    int nlevels;        /* 1: level 0 alone (the Jacobi preconditioner, or a grid that small) */
    ns2d_mg_level lv[NS2D_MG_MAX_LEVELS];
    int n;              /* unknowns: fluid cells */
    int singular;       /* no outflow face: A 1 = 0 */
    int *cell_slot;     /* [grid nalloc]: level-0 slot of each storage slot's cell, halos
                         * wrapped; -1: not fluid */
    fc_real *fluid;     /* [level-0 slots]: 1 in fluid cells, 0 elsewhere (halo included) */
    int ncoarse;        /* cells of the coarsest level that exist */
    int *coarse_slot;   /* [ncoarse]: their slots */
    fc_real *coarse_inv; /* [ncoarse^2]: dense inverse of the coarsest operator */
} ns2d_mg;

/*
 * Per-cell arithmetic of the operator, the smoother and the transfers, shared by the CPU's loops
 * (ns2d_mg_cpu.c) and the GPU's kernels (ns2d_cuda.cu), which pass a level whose arrays are in
 * device memory. The CPU's inner cells of uniform rows take the same operations with the open
 * grid's constants (ns2d_mg_nb).
 */

/* sum of k x_nb over the four faces of cell s: west, east, south, north, in this order */
FC_HD static inline fc_real ns2d_mg_nb(const fc_real *x, ptrdiff_t s, ptrdiff_t P, fc_real w,
                                       fc_real e, fc_real so, fc_real n)
{
    return w * x[s - 1] + e * x[s + 1] + so * x[s - P] + n * x[s + P];
}

FC_HD static inline fc_real ns2d_mg_neighbours(const ns2d_mg_level *l, const fc_real *x,
                                               ptrdiff_t s)
{
    const ptrdiff_t P = l->pitch;
    return ns2d_mg_nb(x, s, P, l->kw[s], l->kw[s + 1], l->ks[s], l->ks[s + P]);
}

/* Gauss-Seidel's new x of cell s: D^-1 (b + sum k x_nb); 0 where no cell. */
FC_HD static inline fc_real ns2d_mg_relaxed(const ns2d_mg_level *l, ptrdiff_t s)
{
    return l->dinv[s] * (l->b[s] + ns2d_mg_neighbours(l, l->x, s));
}

/* The residual of cell s weighted for the restriction: pscale (b - A x). */
FC_HD static inline fc_real ns2d_mg_residual_at(const ns2d_mg_level *l, ptrdiff_t s)
{
    return l->pscale[s] * (l->b[s] + ns2d_mg_neighbours(l, l->x, s) - l->diag[s] * l->x[s]);
}

/* (A d) of cell s on level l. */
FC_HD static inline fc_real ns2d_mg_apply_at(const ns2d_mg_level *l, const fc_real *d,
                                             ptrdiff_t s)
{
    return l->diag[s] * d[s] - ns2d_mg_neighbours(l, d, s);
}

/*
 * Restriction b_coarse = P^T r (r: the weighted residual of the finer level f): coarse cell
 * (I, J) gathers the (at most 4 x 4) fine cells whose prolongation uses it, rows from[4 J + q]
 * of f with weights w[4 J + q] (ns2d_mg_axis). ns2d_mg_restrict_part is one fine row's share:
 * inside, fine columns 2 I - 1 .. 2 I + 2 with weights 1, 3, 3, 1; the tables of the axis serve
 * the first and last columns; where the columns are kept, column I with weight 3.
 */
FC_HD static inline fc_real ns2d_mg_restrict_part(const ns2d_mg_level *f, const fc_real *row,
                                                  int I)
{
    if (!f->halve_x) /* columns kept: the own column, weight 3 (ns2d_mg_axis) */
        return 3 * row[I];
    if (I > 0 && 2 * I + 2 < f->nx)
        return row[2 * I - 1] + 3 * (row[2 * I] + row[2 * I + 1]) + row[2 * I + 2];
    fc_real part = 0;
    for (int a = 0; a < 4; a++)
        part += f->ax.w[4 * I + a] * row[f->ax.from[4 * I + a]];
    return part;
}

FC_HD static inline fc_real ns2d_mg_restrict_at(const ns2d_mg_level *f, int I, int J)
{
    fc_real out = 0;
    for (int q = 0; q < 4; q++) {
        const fc_real wy = f->ay.w[4 * J + q];
        if (wy != 0)
            out += wy * ns2d_mg_restrict_part(f, f->r + NS2D_MG_SLOT(f, 0, f->ay.from[4 * J + q]), I);
    }
    return out;
}

/*
 * Prolongation x += P x_coarse: bilinear, the weights of absent coarse cells dropped (pscale).
 * Fine cell (i, j) of level f reads the coarser level's x in its own block's row, own = row
 * ay.own[j], and the nearer neighbouring row, nbr = row ay.nb[j] (NULL when absent), at columns
 * I = ax.own[i] and In = ax.nb[i] (-1 when absent); it gains pscale times this.
 */
FC_HD static inline fc_real ns2d_mg_prolong_sum(const fc_real *own, const fc_real *nbr, int I,
                                                int In)
{
    fc_real v = 9 * own[I];
    if (In >= 0)
        v += 3 * own[In];
    if (nbr) {
        v += 3 * nbr[I];
        if (In >= 0)
            v += nbr[In];
    }
    return v;
}

/* Builds level 0 from the cell kinds and an immersed body's table (NULL: none), and with
 * multigrid the coarser levels. */
int ns2d_mg_build(const ns2d_params *p, const signed char *kind, const ns2d_ib *ib,
                  int multigrid, ns2d_mg *mg, fc_err *err);
/* Slots of level 0 (its vectors' length). */
static inline size_t ns2d_mg_slots(const ns2d_mg *mg)
{
    return (size_t)(mg->lv[0].nx + 2) * (mg->lv[0].ny + 2);
}
void ns2d_mg_free(ns2d_mg *mg);


/*
 * The CPU's pressure solver: the hierarchy and the vectors of conjugate gradients in level 0's
 * layout, zero outside the fluid (ns2d_mg_cpu.c). The caller writes rhs (s-2, at cell_slot of
 * each fluid cell) and reads phi.
 */
typedef struct ns2d_mg_solver {
    ns2d_mg mg;
    int jacobi;               /* precondition by the inverse diagonal instead of the V-cycle */
    fc_real *phi, *rhs;       /* solution (m2 s-2) and right-hand side */
    fc_real *r, *z, *d, *q;   /* residual (level 0's b), preconditioned residual (its x), search
                               * direction and q = A d */
    double s[NS2D_PCG_SCALARS]; /* conjugate gradients' scalars */
} ns2d_mg_solver;

/* The hierarchy (level 0 alone with [numerics] preconditioner = jacobi) and the vectors. */
int ns2d_mg_solver_build(const ns2d_params *p, const signed char *kind,
                         const ns2d_ib *ib, ns2d_mg_solver *sv, fc_err *err);
void ns2d_mg_solver_free(ns2d_mg_solver *sv);
/* Solves A phi = rhs from phi = 0 as ns2d_pcg does (c, tol, max_iter, *its, *res as there). */
int ns2d_mg_solve_cpu(ns2d_mg_solver *sv, double c, const ns2d_tol *tol, int max_iter, int *its,
                      double *res, fc_err *err);

#ifdef __cplusplus
}
#endif
#endif
