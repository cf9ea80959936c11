/*
 * repro_sum.h: sums whose bits do not depend on the order of their terms, so that a grid split
 * over the processes of a job (link.h) gives the diagnostics one process gives, bit for bit.
 *
 * The method is the pre-rounding of Demmel & Nguyen (2015, "Parallel reproducible summation",
 * IEEE Trans. Computers 64, 2060-2070), used by ReproBLAS. With M the largest |term| and n the
 * number of terms, over every process, and sigma a power of two >= 2 n M, each term x is split
 * into q = (sigma + x) - sigma, x rounded to a multiple of 2^-53 sigma, and the rest x - q; both
 * are exact. Every partial sum of such q is a multiple of 2^-53 sigma smaller than sigma, so it
 * is exact too, and the sum of the q's is the same in any order, on any number of processes.
 * The rests are summed the same way against a smaller sigma, FC_REPRO_LEVELS times; what is left
 * after the last level (below 2^-53 of its sigma per term) is dropped. Each level keeps about
 * 51 - log2(n) bits, so three give a sum at least as accurate as a plain one for any grid up to
 * 2^20 x 2^20 cells (a relative error near 1e-16 of the largest term times n, against the plain
 * sum's n times 1e-16 of the sum).
 *
 * Two passes over the terms: the first finds the bound (fc_repro_bound, then fc_repro_ready,
 * which agrees on it over the ranks), the second adds (fc_repro_add, then fc_repro_finish, which
 * adds the ranks' exact parts). A term that is not finite makes the sum NaN.
 */
#ifndef FC_REPRO_SUM_H
#define FC_REPRO_SUM_H

#include <math.h>

#include "src/core/grid.h"

#define FC_REPRO_LEVELS 3

typedef struct fc_repro_sum {
    double bound;                   /* the largest |term| (after fc_repro_ready: of every rank) */
    double bad;                     /* 1 once a term was not finite */
    double sigma[FC_REPRO_LEVELS];  /* the power of two each level rounds against; 0: unused */
    double part[FC_REPRO_LEVELS];   /* the exact sum of each level's rounded terms */
} fc_repro_sum;

/* n sums, empty. */
void fc_repro_start(fc_repro_sum *s, int n);

/* The first pass: term x of sum s. */
static inline void fc_repro_bound(fc_repro_sum *s, double x)
{
    const double a = fabs(x);
    if (a > s->bound)
        s->bound = a;
    else if (!(a <= s->bound))
        s->bad = 1; /* NaN */
    if (a == INFINITY)
        s->bad = 1;
}

/* Between the passes: the n sums' bounds over the ranks of grid g (collective on a block), and
 * the levels for terms terms in all (every rank's; a grid's cells: nx_whole * ny_whole). */
void fc_repro_ready(const fc_grid *g, fc_repro_sum *s, int n, double terms);

/* The second pass: term x of sum s, exactly as in the first. */
static inline void fc_repro_add(fc_repro_sum *s, double x)
{
    for (int k = 0; k < FC_REPRO_LEVELS && s->sigma[k] > 0; k++) {
        const double q = (s->sigma[k] + x) - s->sigma[k];
        s->part[k] += q;
        x -= q;
    }
}

/* The n sums over every rank of g (collective on a block), in out[0..n-1]. */
void fc_repro_finish(const fc_grid *g, fc_repro_sum *s, int n, double *out);

#endif
