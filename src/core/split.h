/*
 * split.h: a case's grid split over the processes of its job (ranks.h): the layout (asked for
 * with fc_ranks_set_layout, or chosen by fc_decomp_plan), this rank's block of the whole grid
 * with the link that exchanges its halos (link.h, halo.h), the block's part of a whole state,
 * the blocks scattered from the whole initial state the first process sets up, and gathered
 * back into it when it writes the output alone. A job of one
 * process, and every run of a build without MPI, has no split (fc_split_start gives NULL) and
 * its block is the whole grid.
 */
#ifndef FC_SPLIT_H
#define FC_SPLIT_H

#include "src/core/fc.h"
#include "src/core/grid.h"
#include "src/core/solver.h"

typedef struct fc_split fc_split;

/* On a job of several processes: the layout for the whole grid (halo: whole->ng) of the kind
 * a backend steps (enum fc_blocks, solver.h: tiles, or slabs of whole rows), this rank's block
 * of it (*block, linked to its neighbours) and *out; FC_EINPUT with the reason when no layout
 * fits. On one process *block is the whole grid and *out NULL. Collective. */
int fc_split_start(const fc_grid *whole, int nfields, int kind, fc_grid *block, fc_split **out,
                   fc_err *err);

/* The layout px x py (1 x 1 without a split). */
void fc_split_layout(const fc_split *sp, int *px, int *py);

/* The block's cells, halos included, of each of the n whole-grid fields w[k] into part[k]. */
void fc_split_take(const fc_grid *whole, const fc_grid *block, fc_real *const *w,
                   fc_real *const *part, int n);

/*
 * Gathers every rank's part (n fields in its block's layout) into the whole fields w on the
 * first process: the blocks' interiors, and their halo cells beyond the whole grid's sides, so
 * that w holds what one process stepping the whole grid would hold there. w is only written
 * (and may be NULL) on the other processes. Collective.
 */
int fc_split_gather(fc_split *sp, const fc_grid *block, fc_real *const *part,
                    const fc_grid *whole, fc_real *const *w, int n, fc_err *err);

/*
 * The inverse: every rank's part (its block's cells, halos included, as fc_split_take gives
 * them) from the whole fields w, which only the first process holds (w may be NULL on the
 * others). Collective.
 */
int fc_split_scatter(fc_split *sp, const fc_grid *whole, fc_real *const *w, const fc_grid *block,
                     fc_real *const *part, int n, fc_err *err);

/* Seconds this process has spent so far in its block's halo exchanges, in the reductions of
 * its steps (rates, sums and reports: link.h), and in gathers; 0 without a split. */
void fc_split_seconds(const fc_split *sp, double *exchange, double *reduce, double *gather);

void fc_split_free(fc_split *sp);

#endif
