/* decomp.c: the block decomposition of a grid over ranks (decomp.h). */
#include <fc_build.h>

#include <errno.h>
#include <stdlib.h>

#include "src/core/decomp.h"

static int parse_count(const char *s, char **end)
{
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    long v = strtol(s, end, 10);
    return errno || v < 1 || v > FC_DECOMP_MAX ? -1 : (int)v;
}

int fc_decomp_parse(const char *text, int *px, int *py, fc_err *err)
{
    char *end;
    int a = parse_count(text, &end);
    int b = a > 0 && (*end == 'x' || *end == 'X') ? parse_count(end + 1, &end) : -1;
    if (a < 1 || b < 1 || *end)
        return fc_fail(err, FC_EINPUT,
                       "--decomp '%s': expected PXxPY, two whole numbers from 1 to %d (as 4x2: "
                       "4 ranks along x, 2 along y)",
                       text, FC_DECOMP_MAX);
    *px = a, *py = b;
    return FC_OK;
}

void fc_decomp_range(int n, int parts, int part, int *lo, int *hi)
{
    const int base = n / parts, extra = n % parts;
    *lo = part * base + (part < extra ? part : extra);
    *hi = *lo + base + (part < extra);
}

void fc_decomp_slab(int n, int parts, int part, int *lo, int *hi)
{
    const long long block = ((long long)n + parts - 1) / parts, a = block * part;
    *lo = (int)(a < n ? a : n);
    *hi = (int)(a + block < n ? a + block : n);
}

/* Whether every block of px x py over nx x ny holds a cell, and is at least `halo` cells along
 * each axis the layout splits (the narrowest block is the last one, n / parts cells). An axis
 * left whole needs no width: its halos come from its own sides, as on one process, so a channel
 * one row wide splits along its length. */
static int fits_axis(int n, int parts, int halo) { return n / parts >= (parts > 1 ? halo : 1); }

static int fits(int nx, int ny, int halo, int px, int py)
{
    return fits_axis(nx, px, halo) && fits_axis(ny, py, halo);
}

int fc_decomp_plan(int nranks, int nx, int ny, int halo, int px, int py, int *out_px,
                   int *out_py, fc_err *err)
{
    if (nranks < 1 || nranks > FC_DECOMP_MAX)
        return fc_fail(err, FC_EINPUT, "%d processes: a run takes 1 to %d", nranks, FC_DECOMP_MAX);
    if (px > 0 || py > 0) {
        if ((long long)px * py != nranks)
            return fc_fail(err, FC_EINPUT,
                           "--decomp %dx%d needs %lld processes; this run has %d", px, py,
                           (long long)px * py, nranks);
        if (!fits(nx, ny, halo, px, py))
            return fc_fail(err, FC_EINPUT,
                           "--decomp %dx%d does not fit the %d x %d grid: its blocks are %d x %d "
                           "cells at the smallest, and the solver's halo needs %d along each split axis",
                           px, py, nx, ny, nx / px, ny / py, halo);
        *out_px = px, *out_py = py;
        return FC_OK;
    }
    int best = 0;
    long long best_side = 0;
    for (int a = nranks; a >= 1; a--) {
        if (nranks % a || !fits(nx, ny, halo, a, nranks / a))
            continue;
        const int b = nranks / a;
        const long long side = (long long)(nx + a - 1) / a + (ny + b - 1) / b;
        if (!best || side < best_side)
            best = a, best_side = side;
    }
    if (!best)
        return fc_fail(err, FC_EINPUT,
                       "%d processes cannot share the %d x %d grid: every layout leaves a block "
                       "narrower than the %d cells the solver's halo needs; use fewer processes",
                       nranks, nx, ny, halo);
    *out_px = best, *out_py = nranks / best;
    return FC_OK;
}

fc_decomp fc_decomp_block(int nx, int ny, int px, int py, int rank)
{
    fc_decomp d = {px, py, rank % px, rank / px, 0, 0, 0, 0};
    fc_decomp_range(nx, px, d.rx, &d.i0, &d.i1);
    fc_decomp_range(ny, py, d.ry, &d.j0, &d.j1);
    return d;
}
