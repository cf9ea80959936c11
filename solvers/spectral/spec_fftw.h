/*
 * spec_fftw.h: FFTW3 in the solver precision (fftw_ or fftwf_), for the host side of the
 * pseudo-spectral solver: the CPU backend (spec_cpu.c), and the variables, diagnostics and
 * initial conditions computed on the host (spec.c, spec_cases.c). C only.
 */
#ifndef FC_SPEC_FFTW_H
#define FC_SPEC_FFTW_H

#include <fftw3.h>

#include "solvers/spectral/spec.h"

#ifdef FC_SINGLE
#define SPEC_FFTW(name) fftwf_##name
typedef fftwf_complex spec_fftw_complex;
typedef fftwf_plan spec_fftw_plan;
#else
#define SPEC_FFTW(name) fftw_##name
typedef fftw_complex spec_fftw_complex;
typedef fftw_plan spec_fftw_plan;
#endif

/*
 * Plans nfields real-to-complex (sign -1) or complex-to-real (+1) transforms of p's grid at once,
 * between `real` (fields of dist_r values) and `cplx` (fields of dist_c coefficients, the half
 * spectrum), on the OpenMP threads of the run. NULL if FFTW cannot plan it. FFTW's planner is
 * not thread-safe: call from one thread only.
 */
spec_fftw_plan spec_fftw_plan_many(const spec_params *p, int sign, int nfields, fc_real *real,
                                   size_t dist_r, spec_cplx *cplx, size_t dist_c, unsigned flags);

/*
 * Where a backend's part of the grid lies, and how its fields are laid out. On one process: the
 * whole grid, rows of nx values. On a job's slabs of rows (FC_BLOCKS_ROWS, solver.h; FFTW's MPI
 * transforms): rows [j0, j0 + rows) of the grid and of the half spectrum, the grid side's rows
 * padded to 2 (nx/2 + 1) values, as FFTW's distributed real transforms want them.
 */
typedef struct spec_slab {
    int split;             /* FFTW's MPI transforms over the job's processes */
    int j0, rows;
    int ny;                /* rows of the whole grid */
    size_t pitch;          /* values from one row to the next on the grid side */
    size_t dist_r, dist_c; /* one field's padded size on the grid and the spectral side */
} spec_slab;

/* The slab of `block` (the grid a backend is created on; split.h) for p's grid. FC_EINPUT if
 * FFTW would distribute the rows otherwise. */
int spec_slab_make(const spec_params *p, const fc_grid *block, spec_slab *s, fc_err *err);

/* A batch of transforms: one plan over every field on one process, one per field on slabs. */
#define SPEC_MAX_BATCH 4
typedef struct spec_batch {
    int n;
    spec_fftw_plan plan[SPEC_MAX_BATCH];
} spec_batch;

/* nfields transforms (sign as spec_fftw_plan_many) between real (fields s->dist_r apart) and
 * cplx (s->dist_c apart); 0 when FFTW cannot plan them. */
int spec_batch_plan(const spec_params *p, const spec_slab *s, int sign, int nfields,
                    fc_real *real, spec_cplx *cplx, unsigned flags, spec_batch *b);
void spec_batch_run(const spec_batch *b);
void spec_batch_free(spec_batch *b);

/* On slabs (collective; nothing on one process): every process's rows of `rows` (ny rows of
 * per_row sums, this process's filled) given to all, so that all add them in row order; the
 * largest rate and the first bad point (-1: none) of all. */
void spec_slab_share_rows(const spec_slab *s, double *rows, int per_row);
void spec_slab_reduce(const spec_slab *s, double *rate, long long *bad);

/* Coefficients (normalised: the inverse transform of them is the field) of one field, and back:
 * transforms of the size of p's grid, planned with FFTW_ESTIMATE, for the host side. g: the
 * whole grid (field: nx x ny packed, coef: ny x (nx/2 + 1)), or a job's slab of it (rows
 * [j0, j0 + g->ny) of both; collective over the job, FFTW's MPI transforms). -1 when out of
 * memory, when field or coef is NULL (a failed allocation: a slab's process still takes part)
 * or when a plan fails (on any process, for a slab). */
int spec_host_forward(const spec_params *p, const fc_grid *g, const fc_real *field,
                      spec_cplx *coef);
int spec_host_inverse(const spec_params *p, const fc_grid *g, const spec_cplx *coef,
                      fc_real *field);
/* A restart onto another grid (fc_solver_io.interpolate): each field's trigonometric
 * interpolant on the file's from[0] x from[1] cells (its Nyquist modes shared half and half
 * between m and -m, as a real field's are) evaluated at g's cell centres, g the whole grid or a
 * slab of it. Refining adds no mode; coarsening keeps the modes the coarser grid holds and
 * samples them exactly. Each of the block's rows sums the file's modes along y directly and
 * transforms along x, so a slab needs the file's spectrum and its own rows alone. */
int spec_interpolate(const void *params, const fc_grid *g, const int from[2],
                     double *const *src, fc_state *state, fc_err *err);

/* Whether flag is set on any process of the job when g is a slab (collective), so that all
 * leave before a collective transform together; flag itself on the whole grid. */
int spec_any_slab(const fc_grid *g, int flag);
/* The sums of v[0..n-1] over the job's slabs when g is a slab (collective; in any order, so
 * within round-off of one process's sums); nothing on the whole grid. */
void spec_sum_slabs(const fc_grid *g, double *v, int n);

#endif
