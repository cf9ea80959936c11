/* series_stats.c: extremes, mean, spread and period of a sampled signal (series_stats.h). */
#include "src/core/series_stats.h"

#include <math.h>

void fc_series_stats_of(const double *t, const double *x, size_t n, fc_series_stats *s)
{
    *s = (fc_series_stats){.min = NAN, .t_min = NAN, .max = NAN, .t_max = NAN, .mean = NAN,
                           .std = NAN, .last = NAN, .t_last = NAN, .period = NAN,
                           .period_spread = NAN};
    double sum = 0;
    for (size_t k = 0; k < n; k++) {
        if (!isfinite(x[k])) {
            s->missing++;
            continue;
        }
        if (!(x[k] >= s->min)) { /* also the first: NaN compares false */
            s->min = x[k];
            s->t_min = t[k];
        }
        if (!(x[k] <= s->max)) {
            s->max = x[k];
            s->t_max = t[k];
        }
        s->last = x[k];
        s->t_last = t[k];
        sum += x[k];
        s->n++;
    }
    if (!s->n)
        return;
    s->mean = sum / s->n;
    double squares = 0; /* about the mean, in a second pass: no cancellation */
    for (size_t k = 0; k < n; k++)
        if (isfinite(x[k]))
            squares += (x[k] - s->mean) * (x[k] - s->mean);
    s->std = sqrt(squares / s->n);

    /* Upward crossings of the mean, each armed by a dip below mean - std/4. */
    const double low = s->mean - s->std / 4;
    double first = NAN, previous = NAN, shortest = INFINITY, longest = 0;
    int armed = 0;
    size_t before = n; /* the last finite sample */
    for (size_t k = 0; k < n; k++) {
        if (!isfinite(x[k]))
            continue;
        if (x[k] < low)
            armed = 1;
        if (armed && before < n && x[before] < s->mean && x[k] >= s->mean) {
            const double at = t[before] + (s->mean - x[before]) / (x[k] - x[before]) *
                                              (t[k] - t[before]);
            if (s->crossings++ == 0)
                first = at;
            else {
                shortest = fmin(shortest, at - previous);
                longest = fmax(longest, at - previous);
            }
            previous = at;
            armed = 0;
        }
        before = k;
    }
    if (s->crossings >= 3) {
        s->period = (previous - first) / (s->crossings - 1);
        s->period_spread = (longest - shortest) / s->period;
    }
}
