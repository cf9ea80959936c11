/* fuzz_common.c: temporary files and set-up shared by the fuzz targets (see fuzz.h). */
#include <fc_build.h>

#include "tests/fuzz/fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/core/log.h"
#include "src/core/ncread.h"

/* The temporary files made, removed at exit. */
static char made[4][4096];
static int nmade;

static void remove_made(void)
{
    for (int k = 0; k < nmade; k++)
        unlink(made[k]);
}

const char *fuzz_write_temp(const uint8_t *data, size_t size, const char *suffix)
{
    char path[4096];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/flowcast-fuzz-%ld%s", dir && *dir ? dir : "/tmp",
             (long)getpid(), suffix);
    int k = 0;
    while (k < nmade && strcmp(made[k], path))
        k++;
    if (k == nmade) {
        if (nmade == 4)
            return NULL;
        if (nmade == 0)
            atexit(remove_made);
        snprintf(made[nmade++], sizeof made[0], "%s", path);
    }
    FILE *f = fopen(made[k], "wb");
    if (!f)
        return NULL;
    const int ok = fwrite(data, 1, size, f) == size;
    if (fclose(f) != 0 || !ok)
        return NULL;
    return made[k];
}

const char *fuzz_write_temp_nc(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_temp(data, size, ".nc");
    int ncid;
    fc_err err;
    if (!path || fc_nc_open(path, "fuzz input", &ncid, &err) != FC_OK)
        return NULL;
    fc_nc_close(ncid);
    return path;
}

/* Targets that need no set-up of their own get this one. */
__attribute__((weak)) void fuzz_init(void) {}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* A file may claim any size: the readers check claims against the memory available, which
     * this caps below the fuzzer's own limit, so a refusal is tested rather than an
     * out-of-memory report. */
    setenv("FLOWCAST_MEMORY_LIMIT", "1G", 1);
    fc_log_set_quiet(1);
    fuzz_init();
    return 0;
}
