/*
 * series_stats.h: what a sampled signal did over a window of time: its extremes and when, its
 * mean and spread, and the period of its swing about the mean. `flowcast stats` prints them for
 * a file's series (the diagnostics); `flowcast validate` takes the cylinder's Strouhal number
 * from the lift's period.
 *
 * The period comes from the upward crossings of the mean, each placed by linear interpolation
 * between the two samples around it: (last crossing - first) / (crossings - 1). A crossing
 * counts only once the signal has been below mean - std/4 since the last one, so that noise
 * about the mean (an iteration count, a time step) does not make a crossing of every wiggle; a
 * clean oscillation's crossings are the same with or without that rule. Three crossings (two
 * whole periods) at least give a period. How regular the swing was is the spread of the
 * periods between successive crossings, (longest - shortest) / period: 0 for a pure tone, large
 * for a signal whose swings are not one period (a start-up, noise).
 */
#ifndef FC_SERIES_STATS_H
#define FC_SERIES_STATS_H

#include <stddef.h>

typedef struct fc_series_stats {
    size_t n;       /* finite samples used */
    size_t missing; /* samples left out: not finite (a fill value read as NaN) */
    double min, t_min, max, t_max; /* extremes and the times of their first samples */
    double mean, std;               /* the samples' mean and standard deviation (1/n) */
    double last, t_last;            /* the last finite sample and its time */
    int crossings;                  /* upward crossings of the mean */
    double period;                  /* NaN with fewer than 3 crossings */
    double period_spread;           /* (longest - shortest) / period of the single periods */
} fc_series_stats;

/* The statistics of the n samples x at increasing times t (non-finite x left out). With no
 * finite sample every value is NaN and n is 0. */
void fc_series_stats_of(const double *t, const double *x, size_t n, fc_series_stats *s);

#endif
