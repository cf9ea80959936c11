/* timer.c: monotonic wall clock, duration formatting, and the statistics of profiled steps. */
#include <fc_build.h>

#include "src/core/timer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/core/solver.h"

double fc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

const char *fc_format_duration(double s, char *buf, int len)
{
    if (s < 0 || s != s)
        snprintf(buf, (size_t)len, "?");
    else if (s < 60)
        snprintf(buf, (size_t)len, "%.2f s", s);
    else if (s < 3600)
        snprintf(buf, (size_t)len, "%d min %02d s", (int)(s / 60), (int)s % 60);
    else
        snprintf(buf, (size_t)len, "%d h %02d min", (int)(s / 3600), ((int)s % 3600) / 60);
    return buf;
}

static int compare_doubles(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void fc_spread(double *samples, int n, double *median, double *min, double *max)
{
    qsort(samples, (size_t)n, sizeof *samples, compare_doubles);
    *min = samples[0];
    *max = samples[n - 1];
    *median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

void fc_profile_part(fc_profile *p, const char *name, double *samples, int n)
{
    if (p->nparts >= FC_MAX_PARTS || n < 1)
        return;
    const int k = p->nparts++;
    p->name[k] = name;
    fc_spread(samples, n, &p->median[k], &p->min[k], &p->max[k]);
}

int fc_profile_clocked(int (*step)(void *st, double t, double dt, struct fc_step_report *rep,
                                   fc_err *err),
                       void *st, double t0, double dt, int reps, const char *step_name,
                       const double *const *clocks, const char *const *names, int nclocks,
                       fc_profile *out, fc_err *err)
{
    memset(out, 0, sizeof *out);
    if (nclocks < 0 || nclocks >= FC_MAX_PARTS || reps < 1)
        return fc_fail(err, FC_EINPUT, "a profile of %d parts over %d steps", nclocks + 1, reps);
    double *t = malloc((size_t)(nclocks + 1) * (size_t)reps * sizeof *t);
    if (!t)
        return fc_fail(err, FC_ENOMEM, "out of memory");
    int status = FC_OK, done = 0;
    for (int r = 0; r < reps && !status; r++, done++) {
        double before[FC_MAX_PARTS];
        for (int c = 0; c < nclocks; c++)
            before[c] = *clocks[c];
        fc_step_report rep;
        const double w = fc_now();
        status = step(st, t0 + r * dt, dt, &rep, err);
        t[r] = fc_now() - w;
        for (int c = 0; c < nclocks; c++)
            t[(size_t)(c + 1) * reps + r] = *clocks[c] - before[c];
        if (!status && rep.bad)
            status = fc_fail(err, FC_ENUMERIC, "step %d of the profile went bad (NaN or an "
                             "unphysical state)", r + 1);
    }
    fc_profile_part(out, step_name, t, done); /* the steps timed, up to a failed one */
    for (int c = 0; c < nclocks; c++)
        fc_profile_part(out, names[c], t + (size_t)(c + 1) * reps, done);
    free(t);
    return status;
}
