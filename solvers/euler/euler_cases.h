/* euler_cases.h: initial conditions of the compressible Euler solver (euler_cases.c). */
#ifndef FC_EULER_CASES_H
#define FC_EULER_CASES_H

#include "src/core/solver.h"

/* The initial conditions ([initial] type): each fills rho', rho u, rho w and (rho theta)'. */
#define EULER_NICS 4
extern const fc_ic_spec euler_ics[EULER_NICS];

#endif
