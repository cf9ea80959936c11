/* scaling.c: `flowcast bench --ranks` (scaling.h). */
#include <fc_build.h>

#include "src/bench/scaling.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "solvers/registry.h"
#include "src/core/decomp.h"
#include "src/core/log.h"
#include "src/core/ranks.h"
#include "src/core/run.h"
#include "src/core/sim.h"
#include "src/core/split.h"
#include "src/core/timer.h"

/* k steps from a common start: the slowest process's seconds (collective). */
static int timed_steps(fc_sim *s, long long k, double *seconds, fc_err *err)
{
    fc_ranks_max(0); /* the common start */
    const double w = fc_now();
    int st = fc_sim_steps(s, k, err);
    *seconds = fc_ranks_max(fc_now() - w);
    return st;
}

/* One row on the processes of the narrowed job (collective over them). */
static int measure(const fc_scaling_opts *o, const fc_solver_desc *sd, fc_scaling_row *r,
                   fc_err *err)
{
    char nx[32], ny[32];
    snprintf(nx, sizeof nx, "grid.nx=%d", r->nx);
    snprintf(ny, sizeof ny, "grid.ny=%d", r->ny);
    const char *const sets[] = {nx, ny};
    fc_ranks_set_layout(r->weak ? r->px : 0, r->weak ? r->py : 0);
    fc_sim s;
    int st = fc_sim_open_text(&s, sd->cost.bench_case, NULL, sets, 2, fc_solvers(), sd->cpu, err);
    if (st)
        return st;
    fc_split_layout(s.split, &r->px, &r->py);
    double t1 = 0, *t = calloc((size_t)o->repeats, sizeof *t);
    if (!t)
        st = fc_fail(err, FC_ENOMEM, "out of memory");
    if (!st)
        st = fc_sim_steps(&s, o->warmup, err);
    if (!st)
        st = timed_steps(&s, 1, &t1, err);
    long long k = t1 > 0 ? (long long)ceil(o->min_seconds / o->repeats / t1) : 1;
    k = k < 1 ? 1 : k > 1000000 ? 1000000 : k;
    double ex0, ex1, red0, red1, g0, g1, total = 0;
    fc_split_seconds(s.split, &ex0, &red0, &g0);
    for (int q = 0; q < o->repeats && !st; q++) {
        if (fc_ranks_any(o->stop && *o->stop))
            st = fc_fail(err, FC_EINTR, "interrupted");
        else if (!(st = timed_steps(&s, k, &t[q], err))) {
            total += t[q];
            t[q] /= (double)k;
        }
    }
    fc_split_seconds(s.split, &ex1, &red1, &g1);
    if (!st) {
        const double w = fc_now();
        st = fc_sim_download(&s, err);
        r->gather = fc_ranks_max(fc_now() - w);
    }
    /* Records: the median of three of each kind, interleaved (a file system is noisier than
     * the steps). */
    double rec[2][3], lo, hi;
    for (int q = 0; q < 3 && !st; q++)
        for (int netcdf4 = 0; netcdf4 < 2 && !st; netcdf4++)
            st = fc_run_time_record(&s, o->scratch, netcdf4, &rec[netcdf4][q], err);
    if (!st) {
        fc_spread(rec[0], 3, &r->record_cdf5, &lo, &hi);
        fc_spread(rec[1], 3, &r->record_netcdf4, &lo, &hi);
    }
    if (!st) {
        fc_spread(t, o->repeats, &r->t_median, &r->t_min, &r->t_max);
        r->steps = k * o->repeats;
        r->exchange_share = total > 0 ? (ex1 - ex0) / total : NAN;
        r->reduce_share = total > 0 ? (red1 - red0) / total : NAN;
        r->measured = 1;
    }
    free(t);
    fc_sim_close(&s);
    return st;
}

/* A row's grid: strong n x n; weak an n x n block per process, in the layout that fits N on a
 * square (the fewest halo cells), or stacked for a solver split into slabs of rows. */
static int plan_row(const fc_solver_desc *sd, int n, int weak, int ranks, fc_scaling_row *r,
                    fc_err *err)
{
    memset(r, 0, sizeof *r);
    snprintf(r->solver, sizeof r->solver, "%s", sd->name);
    r->n = n;
    r->weak = weak;
    r->ranks = ranks;
    r->px = r->py = 1;
    r->nx = r->ny = n;
    r->t_median = r->t_min = r->t_max = r->efficiency = r->exchange_share = r->reduce_share =
        r->gather = NAN;
    r->record_cdf5 = r->record_netcdf4 = NAN;
    if (!weak)
        return FC_OK;
    if (sd->cpu->blocks == FC_BLOCKS_ROWS) { /* slabs: the rows of N blocks stacked */
        r->py = ranks;
        r->ny = n * ranks;
        return FC_OK;
    }
    int st = fc_decomp_plan(ranks, n * ranks, n * ranks, sd->io.halo, 0, 0, &r->px, &r->py, err);
    r->nx = n * r->px;
    r->ny = n * r->py;
    return st;
}

/* The rows of one solver at one size, strong then weak, each on every process count. */
static int solver_rows(const fc_scaling_opts *o, const fc_solver_desc *sd, int n, fc_err *err)
{
    const fc_ranks *job = fc_ranks_self();
    const int first = job->rank == 0;
    /* The machine's cores: OpenMP sees only the ones mpirun bound this process to. */
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    const int cores = online > 0 ? (int)online : 1;
    for (int weak = 0; weak < 2; weak++) {
        double t_one = NAN;
        for (int c = 0; c < o->ncounts; c++) {
            fc_scaling_row r;
            fc_err rerr = {{0}};
            int st = plan_row(sd, n, weak, o->counts[c], &r, &rerr), member = 0;
            r.threads = o->threads;
            r.cores = cores;
            r.oversubscribed = r.ranks * r.threads > cores;
            if (!st)
                st = fc_ranks_narrow(r.ranks, &member, &rerr);
            if (!st && member) {
                if (first)
                    fc_info("bench: %s %s, %d x %d on %d process%s ...", sd->name,
                            weak ? "weak" : "strong", r.nx, r.ny, r.ranks,
                            r.ranks == 1 ? "" : "es");
#ifdef _OPENMP
                omp_set_num_threads(o->threads);
#endif
                st = measure(o, sd, &r, &rerr);
            }
            fc_ranks_widen();
            if (fc_ranks_any(st == FC_EINTR || (o->stop && *o->stop)))
                return fc_fail(err, FC_EINTR, "interrupted");
            if (st) {
                snprintf(r.note, sizeof r.note, "failed: %.200s", rerr.msg);
                r.failed = 1;
            }
            if (r.measured && r.ranks == 1)
                t_one = r.t_median;
            if (r.measured && t_one > 0)
                r.efficiency = weak ? t_one / r.t_median : t_one / (r.ranks * r.t_median);
            if (first && (st = o->row(&r, o->ctx, err)))
                return st;
        }
    }
    return FC_OK;
}

int fc_scaling_run(const fc_scaling_opts *o, fc_err *err)
{
    const fc_catalog *all = fc_solvers();
    for (size_t k = 0; k < all->n; k++) {
        const fc_solver_desc *sd = all->solvers[k];
        int wanted = o->nsolvers == 0 && sd->cpu->blocks;
        for (int q = 0; q < o->nsolvers; q++)
            wanted |= !strcmp(o->solvers[q], sd->name);
        if (!wanted)
            continue;
        if (!sd->cpu->blocks) {
            fc_warn("bench --ranks: solver %s runs on one process only: skipped", sd->name);
            continue;
        }
        for (int s = 0; s < o->nsizes; s++) {
            int st = solver_rows(o, sd, o->sizes[s], err);
            if (st)
                return st;
        }
    }
    return FC_OK;
}
