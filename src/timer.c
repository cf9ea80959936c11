/* timer.c: monotonic wall clock and duration formatting. */
#include <fc_build.h>

#include "timer.h"

#include <stdio.h>
#include <time.h>

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
