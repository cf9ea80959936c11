/* swe_cases.h: initial conditions of the shallow-water solver (swe_cases.c). */
#ifndef FC_SWE_CASES_H
#define FC_SWE_CASES_H

#include "src/core/solver.h"

/* Cross-key checks of a case (fc_solver_desc.check). */
int swe_check_case(const fc_config *cfg, fc_err *err);
/* The initial conditions ([initial] type): each fills h, hu, hv and b (interiors). */
#define SWE_NICS 8
extern const fc_ic_spec swe_ics[SWE_NICS];

#endif
