/* fuzz_data.c: the training-data reader (`flowcast train --data`): h and hu with the static b,
 * a 3 x 3 stencil, and one batch of samples from what it read. */
#include <fc_build.h>

#include <stdlib.h>

#include "ml/dataset.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_temp_nc(data, size);
    if (!path)
        return 0;
    const char *vars[] = {"h", "hu"}, *statics[] = {"b"};
    ml_dataset d;
    fc_err err;
    if (ml_dataset_open(&d, &path, 1, vars, 2, statics, 1, 3, 0.2, 0, &err) != FC_OK)
        return 0;
    enum { B = 16 };
    size_t idx[B];
    const size_t n = ml_dataset_count(&d, ML_TRAIN);
    float *x = malloc(B * (size_t)ml_features_per_sample(&d.geo) * sizeof *x);
    float y[B * 2];
    for (int r = 0; r < B; r++)
        idx[r] = n ? ((size_t)r * 7919) % n : 0;
    if (x && n)
        ml_dataset_batch(&d, ML_TRAIN, idx, B, x, y);
    free(x);
    ml_dataset_free(&d);
    return 0;
}
