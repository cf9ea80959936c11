/* fuzz_body.c: an obstacle's shape from a NetCDF file ([obstacle] shape = file): the field's
 * reader, both as a signed distance and as a mask (turned into a distance), then its outline by
 * marching squares, sampled and measured as the force integrals and the balance use it. */
#include <fc_build.h>

#include <stdlib.h>

#include "solvers/ns2d/ns2d_body.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_temp_nc(data, size);
    if (!path)
        return 0;
    static const char *const names[2] = {"body_distance", "solid_fraction"};
    for (int mask = 0; mask < 2; mask++) {
        ns2d_field *f;
        fc_err err;
        if (ns2d_body_field_read(path, names[mask], mask, &f, &err) != FC_OK)
            continue;
        const ns2d_body b = {.shape = NS2D_SHAPE_FILE, .field = f};
        ns2d_outline o;
        if (ns2d_outline_make(&b, &o) == FC_OK) {
            double x0, x1, y0, y1;
            ns2d_outline_box(&o, &x0, &x1, &y0, &y1);
            const double spacing = (x1 - x0 + y1 - y0) / 64;
            ns2d_surface_point pts[256];
            const int n = ns2d_outline_sample(&o, spacing > 0 ? spacing : 1, pts, 256);
            volatile double sink = ns2d_outline_area(&o) + n;
            sink += ns2d_outline_distance(&o, (x0 + x1) / 2, (y0 + y1) / 2);
            (void)sink;
            ns2d_outline_free(&o);
        }
        free(f);
    }
    return 0;
}
