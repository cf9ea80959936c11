/* registry.c: the catalogue of solvers (registry.h). */
#include <fc_build.h>

#include "solvers/registry.h"
#include "solvers/euler/euler.h"
#include "solvers/ns2d/ns2d.h"
#include "solvers/spectral/spec.h"
#include "solvers/swe/swe.h"

static const fc_solver_desc *const solvers[] = {&swe_solver, &ns2d_solver, &spec_solver,
                                                   &euler_solver};

const fc_catalog *fc_solvers(void)
{
    static const fc_catalog all = {solvers, sizeof solvers / sizeof solvers[0]};
    return &all;
}
