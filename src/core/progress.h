/*
 * progress.h: the progress line of a run on stderr: rewritten in place on a terminal (model
 * time, percent, ETA, cell updates per second), a plain line every few seconds otherwise,
 * nothing under --quiet.
 */
#ifndef FC_PROGRESS_H
#define FC_PROGRESS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_progress {
    int tty, quiet, shown;
    double wall0, last;    /* wall clock at start and at the last line */
    double t0, t1;         /* model time span of the run */
    double cells;          /* cells per step */
} fc_progress;

void fc_progress_start(fc_progress *p, double t0, double t1, double cells, int quiet);
void fc_progress_update(fc_progress *p, double t, long long steps);
/* Clears a terminal line before the summary. */
void fc_progress_end(fc_progress *p);

#ifdef __cplusplus
}
#endif
#endif
