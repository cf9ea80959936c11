/*
 * threads.h: how many OpenMP threads training uses, chosen by measuring it as it runs.
 *
 * Why: a training step is some twenty parallel loops, each ending at a barrier. On a machine
 * that other processes also use, a barrier waits until every thread has had its turn on a core:
 * with two threads on two busy cores, flowcast train fell from 3.5e5 samples/s on one thread
 * to 2.9e4 on two (and to hundreds where the load was heavier), while one thread alone never
 * waits. The count that is fastest depends on the load, which changes while training runs.
 *
 * How: training runs in windows of about ML_THREADS_WINDOW seconds. After every
 * ML_THREADS_PROBE_EVERY windows at the current count, one window tries another (half the
 * count, or double it, in turn, within 1 and the maximum); when it processed samples at least
 * ML_THREADS_GAIN times as fast as the window before it, training goes on with that count.
 * An idle machine pays for the probes (about one window in ML_THREADS_PROBE_EVERY at a slower
 * count); a loaded one stops waiting at barriers within a few windows. The result of training
 * does not depend on the count (dataset statistics and GEMM blocks are fixed by the sizes), so
 * the bits stay those of any fixed count.
 */
#ifndef FC_ML_THREADS_H
#define FC_ML_THREADS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ML_THREADS_WINDOW 0.25
#define ML_THREADS_PROBE_EVERY 12
#define ML_THREADS_GAIN 1.1

typedef struct ml_threads {
    int max;          /* the most threads (OpenMP's default at the start) */
    int now;          /* the count training settled on */
    int probe;        /* the count this window tries, or 0 */
    int up;           /* the next probe doubles (1) or halves (0) */
    int windows;      /* windows at `now` since the last probe */
    double start;     /* the window's start (s) */
    size_t samples;   /* samples in the window so far */
    double rate;      /* samples/s of the last window at `now` (0: none yet) */
    int switches;     /* how often the count changed */
} ml_threads;

/* Starts with max threads (at least 1) at time now_s. */
void ml_threads_init(ml_threads *t, int max, double now_s);
/* The count for the next batch. */
int ml_threads_count(const ml_threads *t);
/* Drops the window so far, at time now_s: what ran since was not training batches (validation,
 * pushforward states), and its rate would mislead. */
void ml_threads_restart(ml_threads *t, double now_s);
/* After a batch of n samples that ended at time now_s: closes a window when it is long enough
 * and decides the count for the next one. */
void ml_threads_update(ml_threads *t, size_t n, double now_s);

#ifdef __cplusplus
}
#endif
#endif
