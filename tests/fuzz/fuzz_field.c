/* fuzz_field.c: the `file` initial condition's reader (a field on (y, x) or (time, y, x)). */
#include <fc_build.h>

#include <stdlib.h>

#include "tests/fuzz/fuzz.h"
#include "src/core/grid.h"
#include "src/core/ncio.h"

static fc_grid grid;
static fc_real *field;

void fuzz_init(void)
{
    const int bc[4] = {FC_BC_WALL, FC_BC_WALL, FC_BC_WALL, FC_BC_WALL};
    fc_err err;
    if (fc_grid_init(&grid, 4, 3, 2, 0, 2, 0, 1, bc, &err) || !(field = fc_grid_alloc(&grid)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_temp(data, size, ".nc");
    if (!path)
        return 0;
    fc_err err;
    fc_ncio_read_field(path, "h", &grid, field, &err);
    fc_ncio_read_field(path, "b", &grid, field, &err);
    return 0;
}
