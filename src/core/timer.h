/* timer.h: wall-clock time for progress, summaries and CPU benchmarks (never for GPU kernels,
 * which are timed with CUDA events). */
#ifndef FC_TIMER_H
#define FC_TIMER_H

#ifdef __cplusplus
extern "C" {
#endif

/* Seconds on a monotonic clock. */
double fc_now(void);

/* The median, least and largest of n > 0 timings (samples is sorted in place). */
void fc_spread(double *samples, int n, double *median, double *min, double *max);

/* Formats seconds as "1.23 s", "4 min 05 s" or "2 h 03 min" into buf. */
const char *fc_format_duration(double seconds, char *buf, int len);

#ifdef __cplusplus
}
#endif
#endif
