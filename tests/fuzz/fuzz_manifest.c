/* fuzz_manifest.c: the ensemble manifest reader (`flowcast train --data DIR`): the input is
 * DIR/ensemble.csv, in a folder that holds one member file (member_0000.nc), so that valid
 * lines get past the name checks to the existence check. */
#include <fc_build.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/core/ensemble.h"
#include "tests/fuzz/fuzz.h"

static char dir[4096], manifest[4200], member[4200];

static void remove_dir(void)
{
    unlink(manifest);
    unlink(member);
    rmdir(dir);
}

void fuzz_init(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/flowcast-fuzz-manifest-%ld", tmp && *tmp ? tmp : "/tmp",
             (long)getpid());
    snprintf(manifest, sizeof manifest, "%s/%s", dir, FC_ENSEMBLE_MANIFEST);
    snprintf(member, sizeof member, "%s/member_0000.nc", dir);
    if (mkdir(dir, 0700) != 0)
        return;
    FILE *f = fopen(member, "w");
    if (f)
        fclose(f);
    atexit(remove_dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(manifest, "wb");
    if (!f)
        return 0;
    const int ok = fwrite(data, 1, size, f) == size;
    if (fclose(f) != 0 || !ok)
        return 0;
    char **paths;
    int n;
    fc_err err;
    if (fc_ensemble_files(dir, &paths, &n, &err) == FC_OK)
        fc_ensemble_files_free(paths, n);
    return 0;
}
