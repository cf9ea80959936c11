/*
 * registry.h: the solvers flowcast offers. Adding a solver: its folder, one line in registry.c,
 * its sources in solvers/local.mk (docs/ARCHITECTURE.md, "Adding a solver").
 */
#ifndef FC_REGISTRY_H
#define FC_REGISTRY_H

#include "src/core/solver.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every solver, in the order `flowcast cases` and `flowcast bench` list them. */
const fc_catalog *fc_solvers(void);

#ifdef __cplusplus
}
#endif
#endif
