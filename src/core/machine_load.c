/* machine_load.c: CPU time of this process and of the machine (see machine_load.h). */
#include <fc_build.h>

#include "src/core/machine_load.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "src/core/timer.h"

/* The machine's busy CPU time in seconds: every field of /proc/stat's "cpu" line but idle and
 * iowait (guest time is already inside user). -1 where there is no such file. */
static double machine_busy(void)
{
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return -1;
    unsigned long long v[8] = {0};
    const int got = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                           &v[3], &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    const long hz = sysconf(_SC_CLK_TCK);
    if (got < 4 || hz <= 0)
        return -1;
    /* user nice system idle iowait irq softirq steal */
    const unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    return (double)busy / (double)hz;
}

void fc_load_mark_now(fc_load_mark *m)
{
    struct timespec ts;
    m->own_cpu = clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0
                     ? (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec
                     : NAN;
    m->busy = machine_busy();
    m->wall = fc_now();
}

double fc_load_own_cpu(const fc_load_mark *a, const fc_load_mark *b)
{
    return b->own_cpu - a->own_cpu;
}

double fc_load_others(const fc_load_mark *a, const fc_load_mark *b)
{
    const double wall = b->wall - a->wall;
    if (a->busy < 0 || b->busy < 0 || !(wall > 0) || a->own_cpu != a->own_cpu)
        return NAN;
    const double others = (b->busy - a->busy - fc_load_own_cpu(a, b)) / wall;
    return others > 0 ? others : 0;
}

double fc_load_average(void)
{
    double avg[1];
    return getloadavg(avg, 1) == 1 ? avg[0] : NAN;
}

int fc_threads_for_load(int max, int cores, double others)
{
    if (!(others >= 0) || cores < 1)
        return max;
    /* others - 0.25 rounded up: 0.2 busy cores take none, 0.3 one, 1.2 one */
    const int taken = (int)ceil(others - FC_LOAD_OTHERS_WARN);
    int n = cores - (taken > 0 ? taken : 0);
    if (n > max)
        n = max;
    return n < 1 ? 1 : n;
}

int fc_threads_at_most(int most)
{
#ifdef _OPENMP
    const int n = omp_get_max_threads();
    return n < most ? n : most;
#else
    (void)most;
    return 1;
#endif
}

void fc_governor_start(fc_governor *g)
{
    g->given = g->max = 1;
#ifdef _OPENMP
    g->given = omp_get_max_threads();
    g->max = g->given < omp_get_num_procs() ? g->given : omp_get_num_procs();
    omp_set_num_threads(g->max);
#endif
    g->now = g->max;
    g->steps = g->fewer = 0;
    fc_load_mark_now(&g->mark);
}

void fc_governor_step(fc_governor *g)
{
    g->steps++;
    g->fewer += g->now < g->max;
    if (g->max == 1 || fc_now() - g->mark.wall < FC_GOVERNOR_PERIOD)
        return;
    fc_load_mark m;
    fc_load_mark_now(&m);
    int cores = 1;
#ifdef _OPENMP
    cores = omp_get_num_procs();
#endif
    const int n = fc_threads_for_load(g->max, cores, fc_load_others(&g->mark, &m));
    g->mark = m;
    if (n != g->now) {
        g->now = n;
#ifdef _OPENMP
        omp_set_num_threads(n);
#endif
    }
}

void fc_governor_end(const fc_governor *g)
{
#ifdef _OPENMP
    omp_set_num_threads(g->given);
#else
    (void)g;
#endif
}
