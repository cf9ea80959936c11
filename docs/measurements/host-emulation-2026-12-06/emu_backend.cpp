/*
 * emu_backend.cpp: backend_cuda.c's device allocation, copies and halo staging for the emulated
 * backends (prepare.py renames their calls emu_*): zeroed allocations as fc_dev_alloc's, plain
 * copies, and a split grid's halos through the host mirrors as fc_dev_fill_halos stages them.
 */
#include <fc_build.h>
#include <cstdlib>
#include <cstring>
#include "src/core/fc.h"
#include "src/core/grid.h"

extern "C" {
int emu_dev_alloc(void **p, size_t bytes, fc_err *err)
{
    *p = calloc(bytes ? bytes : 1, 1);
    return *p ? FC_OK : fc_fail(err, FC_ENOMEM, "emu: out of memory for %zu bytes", bytes);
}
int emu_dev_upload(void *dst, const void *src, size_t bytes, fc_err *)
{
    memcpy(dst, src, bytes);
    return FC_OK;
}
int emu_dev_download(void *dst, const void *src, size_t bytes, fc_err *)
{
    memcpy(dst, src, bytes);
    return FC_OK;
}
int emu_pinned_alloc(void **p, size_t bytes, fc_err *err) { return emu_dev_alloc(p, bytes, err); }
void emu_pinned_free(void *p) { free(p); }
}

namespace {
struct emu_mirror {
    fc_real *const *dev, *const *host;
    ptrdiff_t pitch;
};
int mirror_copy(void *ctx, int f, ptrdiff_t at, int width, int rows, int to_host, fc_err *)
{
    const emu_mirror *m = (const emu_mirror *)ctx;
    for (int r = 0; r < rows; r++) {
        fc_real *d = m->dev[f] + at + r * m->pitch, *h = m->host[f] + at + r * m->pitch;
        memcpy(to_host ? h : d, to_host ? d : h, (size_t)width * sizeof(fc_real));
    }
    return FC_OK;
}
int mirror_sync(void *, fc_err *) { return FC_OK; }
} // namespace

extern "C" int emu_dev_fill_halos(const fc_grid *g, fc_real *const *dev, fc_real *const *mirror,
                                  const int *odd_x, const int *odd_y, int n, fc_err *err)
{
    emu_mirror m = {dev, mirror, g->pitch};
    const fc_stager s = {&m, mirror_copy, mirror_sync};
    return fc_grid_fill_halos_staged(g, mirror, &s, odd_x, odd_y, n, err);
}
