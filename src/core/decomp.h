/*
 * decomp.h: a 2-D Cartesian block decomposition of a grid over the ranks (processes) of a run.
 *
 * PX x PY ranks; rank r sits at (rx, ry) = (r mod PX, r / PX), x fastest, which is the order
 * MPI_Cart_create gives dims {PY, PX} (row-major, the last dimension fastest). Each axis is
 * split into nearly equal parts, the first (n mod P) one cell longer, so a rank's block is
 * columns [i0, i1) and rows [j0, j1) of the global grid, its interior in the grid's own halo
 * layout (grid.h) with the same halo width. Nothing here needs MPI: the arithmetic is the same
 * for a plan made on one process, and tested there (tests/test_grid.c).
 */
#ifndef FC_DECOMP_H
#define FC_DECOMP_H

#include "src/core/fc.h"

/* The most ranks along one axis (and in all) a decomposition accepts. */
#define FC_DECOMP_MAX 65536

typedef struct fc_decomp {
    int px, py;     /* ranks along x and y */
    int rx, ry;     /* this rank's position */
    int i0, i1;     /* its columns [i0, i1) of the global grid */
    int j0, j1;     /* its rows [j0, j1) */
} fc_decomp;

/* Reads "PXxPY" (as `--decomp 4x2`): two positive integers joined by x, each at most
 * FC_DECOMP_MAX. FC_EINPUT naming the text otherwise. */
int fc_decomp_parse(const char *text, int *px, int *py, fc_err *err);

/* Part `part` of `parts` of n cells: [lo, hi), the first n mod parts parts one cell longer. */
void fc_decomp_range(int n, int parts, int part, int *lo, int *hi);
/* Part `part` of `parts` of n rows as FFTW's distributed transforms lay them out (its default
 * block): [lo, hi), ceil(n / parts) rows each, the last parts shorter or empty. */
void fc_decomp_slab(int n, int parts, int part, int *lo, int *hi);

/*
 * The layout of `nranks` ranks over an nx x ny grid whose solver needs `halo` cells of its
 * neighbours on each side. px, py > 0: that layout, which must multiply to nranks; 0, 0: the
 * factor pair that sends the fewest halo cells per rank (the longest block side shortest; ties
 * to more ranks along x, the grid's fast axis). FC_EINPUT when the layout does not match the
 * rank count or leaves a block narrower than the halo along an axis it splits (its neighbour's
 * halo would reach past it), with the numbers in the message. An axis left whole may be
 * narrower than the halo (a channel one row wide).
 */
int fc_decomp_plan(int nranks, int nx, int ny, int halo, int px, int py, int *out_px,
                   int *out_py, fc_err *err);

/* Rank `rank`'s block of an nx x ny grid laid out px x py. */
fc_decomp fc_decomp_block(int nx, int ny, int px, int py, int rank);

#endif
