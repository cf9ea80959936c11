/* fuzz_model.c: the model loader (`flowcast rollout --model`, `train --resume`), with the
 * optimiser's state, and one forecast step of what it loaded. */
#include <fc_build.h>

#include <stdlib.h>

#include "tests/fuzz/fuzz.h"
#include "ml/surrogate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_temp_nc(data, size);
    if (!path)
        return 0;
    ml_surrogate s;
    mlp_optim opt = {0};
    fc_err err;
    if (ml_surrogate_load(&s, &opt, path, &err) != FC_OK)
        return 0;
    /* A loaded model must be usable: step a zero state on its grid (small grids only). */
    const ml_geometry *g = &s.geo;
    const size_t plane = (size_t)g->nx * g->ny;
    if (plane <= 4096) {
        mlp_work w;
        double *state = calloc(plane * g->nvars, sizeof *state);
        float *statics = calloc(plane * g->nstatic + 1, sizeof *statics);
        float *x = malloc(plane * (size_t)ml_features_per_sample(g) * sizeof *x);
        float *scratch = malloc(plane * g->nvars * sizeof *scratch);
        if (state && statics && x && scratch &&
            mlp_work_init(&w, &s.net, (int)plane, &err) == FC_OK) {
            ml_surrogate_step(&s, &w, NULL, state, statics, x, scratch, NULL, &err);
            mlp_work_free(&w);
        }
        free(scratch);
        free(state);
        free(statics);
        free(x);
    }
    mlp_optim_free(&opt);
    ml_surrogate_free(&s);
    return 0;
}
