/* swe_cases.h: initial conditions of the shallow-water solver (swe_cases.c). */
#ifndef FC_SWE_CASES_H
#define FC_SWE_CASES_H

#include "src/core/solver.h"

/* Cross-key checks of a case (fc_solver_desc.check). */
int swe_check_case(const fc_config *cfg, fc_err *err);
/* Fills h, hu, hv and b (interiors) for the case's initial condition (fc_solver_desc.initial). */
int swe_initial(const fc_config *cfg, const fc_grid *g, const void *params, fc_state *host,
                fc_err *err);

#endif
