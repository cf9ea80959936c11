/* ns2d_cases.h: initial conditions of the incompressible solver (ns2d_cases.c). */
#ifndef FC_NS2D_CASES_H
#define FC_NS2D_CASES_H

#include "src/core/solver.h"

/* The initial conditions ([initial] type): each fills u, v, p (faces and centres, interior and
 * east/north edge faces) and the mask of the obstacle's solid core. */
#define NS2D_NICS 3
extern const fc_ic_spec ns2d_ics[NS2D_NICS];

struct ns2d_params;
/* The mask of the bodies' solid cores on g (1: solid; 0 everywhere without bodies), as every
 * initial condition and a restart (ns2d_restarted) take it from the case. FC_EINPUT, naming the
 * case's key, when a body covers no cell centre or the bodies cover the whole domain. */
int ns2d_case_solid(const fc_config *cfg, const fc_grid *g, const struct ns2d_params *p,
                    fc_real *solid, fc_err *err);

/*
 * The Taylor-Green vortex at time t, exact for the Navier-Stokes equations with viscosity nu:
 * u = U sin(kx) cos(ky) F, v = -U cos(kx) sin(ky) F, p = (U^2/4)(cos 2kx + cos 2ky) F^2,
 * F = exp(-2 nu k^2 t).
 */
void ns2d_taylor_green(double U, double k, double nu, double t, double x, double y, double *u,
                       double *v, double *p);

#endif
