/* registry.c: solver name -> description. Add a solver here and in solvers/local.mk. */
#include <fc_build.h>

#include <string.h>

#include "solver.h"
#include "ns2d/ns2d.h"
#include "spectral/spec.h"
#include "swe/swe.h"

static const fc_solver_desc *const solvers[] = {&swe_solver, &ns2d_solver, &spec_solver};

const fc_solver_desc *const *fc_solver_list(size_t *n)
{
    *n = sizeof solvers / sizeof solvers[0];
    return solvers;
}

const fc_solver_desc *fc_solver_find(const char *name)
{
    for (size_t i = 0; i < sizeof solvers / sizeof solvers[0]; i++)
        if (!strcmp(solvers[i]->name, name))
            return solvers[i];
    return NULL;
}
