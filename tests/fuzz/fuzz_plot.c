/* fuzz_plot.c: the reader behind `flowcast plot`, `animate` and `stats` (any NetCDF file, any
 * variable), through to a small picture of what it read and a series' statistics. */
#include <fc_build.h>

#include <stdlib.h>

#include "src/core/series_stats.h"
#include "src/plot/figure.h"
#include "tests/fuzz/fuzz.h"

void fuzz_init(void) {}

static void draw(const char *path, const char *var, const char *at)
{
    fc_plotdata d;
    fc_err err;
    if (fc_pd_open_at(&d, path, var, at, &err))
        return;
    size_t rec;
    fc_picture *pic = NULL;
    const fc_figure_opts o = {.contours = 3, .vectors = var && var[0] == 'v', .width = 320,
                              .height = 200};
    if (!fc_pd_record(&d, "last", &rec, &err)) {
        if (d.shape == FC_PD_FIELD)
            fc_figure_field(&d, rec, &o, &pic, &err);
        else if (d.shape == FC_PD_SERIES) {
            fc_figure_series(&d, &o, &pic, &err);
            double *x = malloc((d.nrec ? d.nrec : 1) * sizeof *x);
            fc_series_stats s;
            if (x && !fc_pd_read(&d, 0, x, &err))
                fc_series_stats_of(d.times, x, d.nrec, &s);
            free(x);
        }
        else
            fc_figure_profile(&d, rec, 1, &o, &pic, &err);
    }
    fc_picture_free(pic);
    fc_pd_close(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_temp_nc(data, size);
    if (!path)
        return 0;
    draw(path, NULL, NULL);
    draw(path, "h", NULL);
    draw(path, "vorticity", NULL);
    draw(path, "mass", NULL);
    draw(path, "drag_coefficient", NULL);
    draw(path, "v", "plev=850"); /* a field on levels, with its wind */
    return 0;
}
