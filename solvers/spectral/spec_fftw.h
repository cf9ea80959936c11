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

/* Coefficients (normalised: the inverse transform of them is the field) of one field, and back:
 * transforms of the size of p's grid, planned with FFTW_ESTIMATE, for the host side. */
int spec_host_forward(const spec_params *p, const fc_real *field, spec_cplx *coef);
int spec_host_inverse(const spec_params *p, const spec_cplx *coef, fc_real *field);

#endif
