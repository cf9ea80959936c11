/* threads.c: training's thread count, chosen by measuring (see threads.h). */
#include <fc_build.h>

#include "ml/threads.h"

void ml_threads_init(ml_threads *t, int max, double now_s)
{
    *t = (ml_threads){.max = max > 1 ? max : 1, .start = now_s};
    t->now = t->max;
}

void ml_threads_restart(ml_threads *t, double now_s)
{
    t->start = now_s;
    t->samples = 0;
}

int ml_threads_count(const ml_threads *t) { return t->probe ? t->probe : t->now; }

void ml_threads_update(ml_threads *t, size_t n, double now_s)
{
    t->samples += n;
    const double secs = now_s - t->start;
    if (secs < ML_THREADS_WINDOW)
        return;
    const double rate = (double)t->samples / secs;
    t->start = now_s;
    t->samples = 0;
    if (t->probe) {
        if (rate >= ML_THREADS_GAIN * t->rate) {
            t->now = t->probe;
            t->rate = rate;
            t->switches++;
        }
        t->probe = 0;
        t->windows = 0;
        return;
    }
    t->rate = rate;
    if (t->max == 1 || ++t->windows < ML_THREADS_PROBE_EVERY)
        return;
    /* Alternate the direction; where one is closed (at 1 or at the maximum), take the other. */
    int up = t->up;
    if (t->now == 1)
        up = 1;
    else if (t->now == t->max)
        up = 0;
    t->up = !up;
    t->probe = up ? (2 * t->now < t->max ? 2 * t->now : t->max) : t->now / 2;
}
