/* fuzz_case.c: case files (INI): loading, validation, the grid and the solver's parameters. */
#include <fc_build.h>

#include <stdlib.h>

#include "src/core/config.h"
#include "tests/fuzz/fuzz.h"
#include "src/core/solver.h"
#include "solvers/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_temp(data, size, ".ini");
    if (!path)
        return 0;
    fc_config cfg;
    fc_err err;
    if (fc_config_load(path, NULL, 0, fc_solvers(), &cfg, &err) != FC_OK)
        return 0;
    fc_grid g;
    void *params = NULL;
    if (fc_config_grid(&cfg, cfg.solver->io.halo, &g, &err) == FC_OK &&
        cfg.solver->schema.make_params(&cfg, &g, &params, &err) == FC_OK)
        free(params);
    fc_config_free(&cfg);
    return 0;
}
