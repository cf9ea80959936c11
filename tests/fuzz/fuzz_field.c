/* fuzz_field.c: the `file` initial condition's reader (a field on (y, x) or (time, y, x), with
 * or without coordinates, read as it is or interpolated). */
#include <fc_build.h>

#include <stdlib.h>

#include "tests/fuzz/fuzz.h"
#include "src/core/grid.h"
#include "src/core/ncio.h"

static fc_grid grid;
static fc_real *field, *spare;

void fuzz_init(void)
{
    const int bc[4] = {FC_BC_WALL, FC_BC_WALL, FC_BC_WALL, FC_BC_WALL};
    fc_err err;
    if (fc_grid_init(&grid, 4, 3, 2, 0, 2, 0, 1, bc, &err) || !(field = fc_grid_alloc(&grid)) ||
        !(spare = fc_grid_alloc(&grid)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_temp_nc(data, size);
    if (!path)
        return 0;
    fc_err err;
    /* as the file is, then interpolated by its coordinates, across a periodic x too */
    const fc_ncio_field_grid exact = {.interpolate = 0}, walls = {.interpolate = 1},
                             periodic = {.interpolate = 1, .periodic = {1, 0}},
                             units = {.units = (const char *const[]){"m", "m s-1"}};
    fc_ncio_read_field(path, "h", &grid, &exact, field, &err);
    fc_ncio_read_field(path, "h", &grid, &walls, field, &err);
    fc_ncio_read_field(path, "b", &grid, &periodic, field, &err);
    fc_real *const both[2] = {field, spare};
    int interpolated;
    fc_ncio_read_fields(path, 2, (const char *const[]){"h", "b"}, &grid, &walls, both,
                        &interpolated, &err);
    fc_ncio_read_fields(path, 2, (const char *const[]){"h", "b"}, &grid, &units, both,
                        &interpolated, &err);
    return 0;
}
