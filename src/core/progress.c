/* progress.c: progress lines on stderr (see progress.h). */
#include <fc_build.h>

#include "src/core/progress.h"

#include <stdio.h>
#include <unistd.h>

#include "src/core/timer.h"

/* Seconds between lines: a terminal line is cheap to redraw, a log line is not. */
#define TTY_INTERVAL 0.25
#define LOG_INTERVAL 5.0

void fc_progress_start(fc_progress *p, double t0, double t1, double cells, int quiet)
{
    p->tty = isatty(STDERR_FILENO);
    p->quiet = quiet;
    p->shown = 0;
    p->wall0 = p->last = fc_now();
    p->t0 = t0;
    p->t1 = t1;
    p->cells = cells;
}

void fc_progress_update(fc_progress *p, double t, long long steps)
{
    if (p->quiet)
        return;
    double now = fc_now();
    if (now - p->last < (p->tty ? TTY_INTERVAL : LOG_INTERVAL))
        return;
    p->last = now;
    double frac = p->t1 > p->t0 ? (t - p->t0) / (p->t1 - p->t0) : 1;
    double wall = now - p->wall0;
    char eta[32];
    fc_format_duration(frac > 0 ? wall * (1 - frac) / frac : -1, eta, sizeof eta);
    fprintf(stderr, "%sflowcast: t = %.6g s (%5.1f%%), step %lld, ETA %s, %.1f Mcell-updates/s%s",
            p->tty ? "\r" : "", t, 100 * frac, steps, eta, p->cells * steps / wall / 1e6,
            p->tty ? "\033[K" : "\n");
    p->shown = 1;
}

void fc_progress_end(fc_progress *p)
{
    if (p->tty && p->shown && !p->quiet)
        fputs("\r\033[K", stderr);
}
