/*
 * ns2d_poisson.h: the pressure equation of ns2d as sparse matrices, built once per run on the
 * host and applied on the GPU with cuSPARSE SpMV; also what both backends share of the pressure
 * solve: conjugate gradients (ns2d_pcg), the coarsest level's dense inverse and the checks of
 * the fluid's regions. This is the GPU's default form of the equation; the CPU solves the same
 * equation without matrices (ns2d_mg.h), with the same transfers but re-discretised coarse
 * operators, and so does the GPU with FC_NS2D_GPU_PRESSURE=stencil (ns2d_cuda.cu).
 *
 * The unknowns are the fluid cells, numbered row by row. A = -L = -D G (L the 5-point Laplacian
 * that the MAC grid's divergence of its gradient gives), symmetric positive (semi-)definite:
 * a neighbour across a face between fluid cells couples (-1/h^2), a wall, inflow or obstacle face
 * adds nothing (Neumann), an outflow face adds 2/h^2 to the diagonal (p = 0 on the face).
 *
 * Preconditioner: a geometric multigrid V-cycle (Wesseling 1992, "An introduction to multigrid
 * methods", ch. 5; Trottenberg, Oosterlee & Schueller 2001, section 2.8.4 for the cell-centred
 * transfers). Coarse cells are 2 x 2 blocks of fine ones, or 2 x 1 (1 x 2) where the fine cells
 * are more than sqrt(2) times longer along y (x): semi-coarsening, as the CPU's hierarchy
 * (ns2d_mg.h), which point smoothing needs on long cells (145 iterations a step instead of 22
 * on 120 x 12 cells of a unit square, halving both axes); a coarse cell exists where one of its
 * children is fluid. Prolongation P is bilinear interpolation between coarse cell centres
 * (weights 9/16, 3/16, 3/16, 1/16; 3/4, 1/4 along the one axis of a semi-coarsened level), with
 * the weights of coarse cells that do not exist dropped and the rest rescaled to sum to one, so
 * constants are kept next to walls and obstacles.
 * Restriction R = P^T and the coarse operator is Galerkin's R A P, so masks, periodic sides and
 * outflows need no special case on coarse levels. Smoother: damped Jacobi, nu1 sweeps before and
 * nu2 = nu1 after the coarse correction, which keeps the V-cycle symmetric, as conjugate
 * gradients needs. The coarsest level (at most NS2D_MG_COARSEST unknowns) is solved exactly by a
 * dense inverse, stored as a full CSR matrix so that applying it is one more SpMV; a singular
 * system (no outflow) is inverted as A + a 1 1^T, which returns the zero-mean solution.
 */
#ifndef FC_NS2D_POISSON_H
#define FC_NS2D_POISSON_H

#include "solvers/ns2d/ns2d.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NS2D_MG_COARSEST 64
#define NS2D_MG_MAX_LEVELS 24
#define NS2D_MG_SWEEPS 2
#define NS2D_MG_OMEGA 0.8

/* A sparse matrix with n rows and m columns in CSR form. */
typedef struct ns2d_csr {
    int n, m;
    int *rowptr; /* [n + 1] */
    int *col;    /* [nnz] */
    fc_real *val; /* [nnz] */
} ns2d_csr;

static inline int ns2d_csr_nnz(const ns2d_csr *a) { return a->rowptr[a->n]; }

/*
 * One level of the hierarchy: its operator A, the damped inverse diagonal omega / diag(A), and
 * the transfers to the next coarser level (P: fine x coarse, R = P^T). The coarsest level has no
 * transfers.
 */
typedef struct ns2d_level {
    ns2d_csr A, P, R;
    fc_real *dinv; /* [A.n] */
} ns2d_level;

typedef struct ns2d_poisson {
    int n;              /* unknowns (fluid cells) */
    int *cell_of;       /* [grid nalloc]: unknown of each storage slot, halos wrapped; -1: none */
    int *slot_of;       /* [n]: storage slot of each unknown */
    int singular;       /* no outflow face: A 1 = 0 */
    int precond;        /* enum ns2d_precond */
    int nlevels;        /* 1 with Jacobi */
    ns2d_level lv[NS2D_MG_MAX_LEVELS];
    ns2d_csr coarse_inv; /* multigrid: the dense inverse of the coarsest level's A */
} ns2d_poisson;

/* Builds the matrix and (for multigrid) the hierarchy from the cell kinds and an immersed
 * body's table (NULL: none). */
int ns2d_poisson_build(const ns2d_params *p, const signed char *kind, const ns2d_ib *ib,
                       ns2d_poisson *ps, fc_err *err);
void ns2d_poisson_free(ns2d_poisson *ps);

/*
 * Inverts the symmetric n x n matrix M (row-major; overwritten) by Cholesky into inv, adding
 * a 1 1^T first when singular (A 1 = 0), which makes the inverse return the zero-mean solution
 * for right-hand sides of zero sum. 0, 1 when M is not positive definite, -1 out of memory.
 */
int ns2d_dense_inverse(double *M, int n, int singular, fc_real *inv);
/* FC_EINPUT, naming one, where the pressure unknowns fall into regions that no face couples
 * (the bodies and walls close them off) and one of them has no outflow face, or, in a domain
 * without outflow, where there are two or more: the pressure of such a region is undetermined,
 * the operator singular there, and an inflow into it has nowhere to go. Both backends' builders
 * call it first. */
int ns2d_check_regions(const ns2d_params *p, const signed char *kind, const ns2d_ib *ib,
                       fc_err *err);
/* The errors of a case without fluid cells and of a coarsest operator that is not positive
 * definite (FC_EINPUT), for both preconditioners' builders. */
int ns2d_fail_no_fluid(fc_err *err);
int ns2d_fail_coarse(fc_err *err);

/*
 * The vectors and scalars of preconditioned conjugate gradients, as a backend names them. The
 * scalars stay where the vectors are (the GPU's in device memory): alpha and beta are formed
 * there from them, and an iteration waits for one number, |r|^2, to decide whether to stop.
 * r.z takes two slots in turn, as the new direction needs the old value and the new.
 */
enum ns2d_pcg_vector { NS2D_PCG_R, NS2D_PCG_Z, NS2D_PCG_D, NS2D_PCG_Q };
enum ns2d_pcg_scalar { NS2D_PCG_RR, NS2D_PCG_DQ, NS2D_PCG_RZ_A, NS2D_PCG_RZ_B, NS2D_PCG_SCALARS };

/* What a backend does to its own vectors and scalars (host or device memory) for ns2d_pcg. */
typedef struct ns2d_pcg_ops {
    /* The right-hand side (its mean removed when the problem is singular) into r; x = 0. */
    int (*begin)(void *ctx, fc_err *err);
    /* Scalar out = the dot product of vectors a and b, summed in a fixed order (reproducible). */
    int (*dot)(void *ctx, int a, int b, int out, fc_err *err);
    /* A scalar's value on the host (the wait for the device, on the GPU). */
    int (*read)(void *ctx, int scalar, double *out, fc_err *err);
    int (*apply)(void *ctx, fc_err *err);        /* q = A d */
    int (*precondition)(void *ctx, fc_err *err); /* z = M^-1 r */
    int (*first_direction)(void *ctx, fc_err *err); /* d = z */
    /* alpha = scalar num / scalar den (in double, then the vectors' precision): x += alpha d,
     * r -= alpha q */
    int (*update)(void *ctx, int num, int den, fc_err *err);
    /* beta = scalar num / scalar den: d = z + beta d */
    int (*next_direction)(void *ctx, int num, int den, fc_err *err);
} ns2d_pcg_ops;

/*
 * The divergence a projection may leave (s-1): the stricter of [numerics] poisson_tol and
 * poisson_rtol times `scale`, the largest |u|/dx or |v|/dy of the velocity being projected.
 * Why both: poisson_tol alone fits flows whose scale it was chosen for. Its default (1e-8 s-1,
 * 1e-3 in single precision) is a small part of a 1 m/s flow on centimetre cells, but no part at
 * all of a 0.1 m/s current on kilometre cells (1e-4 s-1): a lid-driven cavity at 1e-4 m/s in
 * single precision came out 4 % wrong, at 1e-6 m/s 81 %, with no word from the solver. The
 * relative bound follows the flow's own scale, and with it the round-off of its divergence
 * (now those cavities' u/U are the 1 m/s cavity's to 2e-6, and to 2e-10 in double). In double its
 * default is loose enough that poisson_tol still decides for 1 m/s flows on centimetre cells.
 */
typedef struct ns2d_tol {
    double value;     /* s-1 */
    const char *key;  /* the key to change, in advice ("poisson_tol") */
    char what[160];   /* the bound in words, for messages */
} ns2d_tol;
void ns2d_projection_tol(const ns2d_params *p, double scale, ns2d_tol *tol);

/*
 * Preconditioned conjugate gradients for A x = rhs, written once for every backend (ops, on the
 * backend's context ctx). Stops when c |r| <= tol->value (c: the scale that makes |r| a
 * divergence) or at max_iter iterations, which is FC_ENUMERIC; *its and *res: the iterations
 * and the final c |r|. A NaN residual stops at once with FC_OK: the step's inspection reports
 * where it is.
 */
int ns2d_pcg(const ns2d_pcg_ops *ops, void *ctx, double c, const ns2d_tol *tol, int max_iter,
             int *its, double *res, fc_err *err);

/* Memory of the matrices, in values (for the run's memory check, per fluid cell). */
double ns2d_poisson_values_per_cell(void);

#ifdef __cplusplus
}
#endif
#endif
