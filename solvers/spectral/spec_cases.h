/* spec_cases.h: initial conditions and forcing of the pseudo-spectral solver (spec_cases.c). */
#ifndef FC_SPEC_CASES_H
#define FC_SPEC_CASES_H

#include "solvers/spectral/spec.h"

/* The initial conditions ([initial] type): each fills the vorticity and the tracer. */
#define SPEC_NICS 5
extern const fc_ic_spec spec_ics[SPEC_NICS];

/*
 * The Taylor-Green vortex, omega = 2 U k sin(kx) sin(ky) F(t), exact for the equations of
 * spec.h without forcing: its nonlinear term vanishes and its one |K| = sqrt(2) k decays at
 * L(K), so F = exp(-L t) (exp(-2 nu k^2 t) with viscosity alone).
 */
double spec_taylor_green(const spec_params *p, double U, double k, double t, double x, double y);

/* A uniform deviate in [0, 1) that depends only on (seed, a, b, salt): the same Fourier mode
 * gets the same random phase at every resolution. */
double spec_hash_uniform(long long seed, int a, int b, int salt);

#endif
