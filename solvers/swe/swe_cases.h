/* swe_cases.h: initial conditions of the shallow-water solver (swe_cases.c). */
#ifndef FC_SWE_CASES_H
#define FC_SWE_CASES_H

#include "src/core/solver.h"

/* Cross-key checks of a case (fc_solver_desc.check). */
int swe_check_case(const fc_config *cfg, fc_err *err);
/* The initial conditions ([initial] type): each fills h, hu, hv and b (interiors). */
#define SWE_NICS 9
extern const fc_ic_spec swe_ics[SWE_NICS];

/*
 * Thacker's (1981) planar surface in a paraboloid (SWASHES' 2-D case, Delestre et al. 2013): in
 * the bowl b = -h0 (1 - r^2/a^2), without friction or rotation, a disc of water of radius a whose
 * plane surface tilts as its centre circles the bowl's at radius eta, omega = sqrt(2 g h0)/a:
 *   h = max(0, (eta h0/a^2)(2 X cos wt + 2 Y sin wt - eta) - b),
 *   u = -eta w sin wt, v = eta w cos wt where there is water (the same everywhere), 0 where not,
 * X and Y from the bowl's centre. Writes h, u, v, b at time t into o.
 */
void swe_paraboloid(double g, double h0, double a, double eta, double t, double X, double Y,
                    double o[4]);

#endif
