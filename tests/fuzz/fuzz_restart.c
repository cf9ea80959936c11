/* fuzz_restart.c: the restart reader (`flowcast run --restart FILE`, and with --regrid, which
 * interpolates a file from any grid) of a swe case on 4 x 3, and the check of the state keys
 * an euler case's restart makes first (fc_ncio_check_state_keys). */
#include <fc_build.h>

#include <stdio.h>
#include <stdlib.h>

#include "src/core/config.h"
#include "tests/fuzz/fuzz.h"
#include "src/core/ncio.h"
#include "src/core/solver.h"
#include "solvers/registry.h"

static fc_config cfg, euler_cfg;
static fc_grid grid;
static void *params;
static fc_state host;

void fuzz_init(void)
{
    static const char text[] = "[case]\nsolver = swe\n[grid]\nnx = 4\nny = 3\nx_max = 2\n"
                               "y_max = 1\n[time]\nt_end = 1\n[initial]\ntype = gaussian_bump\n"
                               "depth = 1\namplitude = 0.1\nradius = 0.5\ncenter_x = 1\n"
                               "center_y = 0.5\n";
    const char *path = fuzz_write_temp((const uint8_t *)text, sizeof text - 1, ".ini");
    fc_err err;
    if (!path || fc_config_load(path, NULL, 0, fc_solvers(), &cfg, &err) ||
        fc_config_grid(&cfg, cfg.solver->io.halo, &grid, &err) ||
        cfg.solver->schema.make_params(&cfg, &grid, &params, &err)) {
        fprintf(stderr, "fuzz_restart: set-up failed: %s\n", err.msg);
        abort();
    }
    static const char euler_text[] = "[case]\nsolver = euler\n[grid]\nnx = 4\nny = 3\n"
                                     "x_max = 2\ny_max = 1\n[time]\nt_end = 1\n"
                                     "[initial]\ntype = rest\n";
    const char *euler_path = fuzz_write_temp((const uint8_t *)euler_text, sizeof euler_text - 1,
                                             ".ini");
    if (!euler_path || fc_config_load(euler_path, NULL, 0, fc_solvers(), &euler_cfg, &err)) {
        fprintf(stderr, "fuzz_restart: set-up failed: %s\n", err.msg);
        abort();
    }
    host.nfields = cfg.solver->io.nfields;
    for (int k = 0; k < host.nfields; k++)
        host.f[k] = fc_grid_alloc(&grid);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_temp_nc(data, size);
    if (!path)
        return 0;
    double t;
    fc_err err;
    fc_ncio_read_restart(path, cfg.solver, params, &grid, NULL, &host, &t, &err);
    fc_ncio_regrid regrid = {{0, 1}, {0, 0}};
    fc_ncio_read_restart(path, cfg.solver, params, &grid, &regrid, &host, &t, &err);
    fc_ncio_check_state_keys(path, &euler_cfg, &err);
    return 0;
}
