/*
 * link.h: what ties a rank's block of a grid (grid.h, fc_grid_block) to the other ranks of its
 * job. A solver written for one grid runs on a block unchanged but for two calls: it fills its
 * halos with fc_grid_fill_halos (the exchange with its neighbours, then the global sides) and
 * passes each stage's report through fc_report_agree before it acts on it, so that every rank
 * takes the same decision (a bad cell anywhere stops every rank's step) and the next time step
 * comes from the largest signal rate of all. A grid on one process has no link and both calls
 * do what one process would. The MPI implementation is in halo.c (fc_halo_link); nothing here
 * needs MPI, so solvers include this in every build.
 */
#ifndef FC_LINK_H
#define FC_LINK_H

#include "src/core/fc.h"
#include "src/core/grid.h"
#include "src/core/solver.h"

typedef struct fc_link {
    void *ctx;
    /* fc_grid_fill_halos for a block. */
    int (*fill)(void *ctx, const fc_grid *block, fc_real *const *f, const int *odd_x,
                const int *odd_y, int n, fc_err *err);
    /* The largest of every rank's v[0..n-1], in place. */
    void (*max)(void *ctx, double *v, int n);
    /* The sum of every rank's v[0..n-1], in place, in the MPI library's order: for values
     * whose sum is exact in any order (repro_sum.h). */
    void (*sum)(void *ctx, double *v, int n);
    /* The report every rank gets from the ranks' reports of one stage (fc_report_agree). */
    void (*agree)(void *ctx, const fc_grid *block, fc_step_report *rep);
} fc_link;

/* The largest signal rate (or any maximum) over the ranks of grid g; v itself on one process. */
static inline double fc_grid_max(const fc_grid *g, double v)
{
    if (g->link)
        g->link->max(g->link->ctx, &v, 1);
    return v;
}

/* fc_grid_max of each of v[0..n-1], in place (one reduction). */
static inline void fc_grid_max_n(const fc_grid *g, double *v, int n)
{
    if (g->link)
        g->link->max(g->link->ctx, v, n);
}

/* The sums of v[0..n-1] over the ranks of grid g, in place; only for values whose sum is exact
 * in any order (repro_sum.h). */
static inline void fc_grid_sum_n(const fc_grid *g, double *v, int n)
{
    if (g->link)
        g->link->sum(g->link->ctx, v, n);
}

/*
 * One stage's report as one process stepping the whole grid would give it: the largest rate
 * and change of all ranks, and of the bad cells the first in the whole grid's order (its index
 * j * nx + i counted in the whole grid), with its kind and value. On one process rep is left
 * as it is. Collective: every rank of a block calls it after the same stages.
 */
static inline void fc_report_agree(const fc_grid *g, fc_step_report *rep)
{
    if (g->link)
        g->link->agree(g->link->ctx, g, rep);
}

#endif
