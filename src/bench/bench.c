/* bench.c: the measurements of `flowcast bench` (see bench.h). */
#include <fc_build.h>

#include "src/bench/bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "src/core/backend.h"
#include "src/bench/energy.h"
#include "src/core/machine_load.h"
#include "src/core/log.h"
#include "src/core/sim.h"
#include "src/core/solver.h"
#include "src/core/timer.h"
#include "solvers/registry.h"

double fc_bench_cpu_copy(size_t bytes, int threads, int reps)
{
    const long long n = (long long)(bytes / sizeof(double));
    double *a = malloc((size_t)n * sizeof *a), *b = malloc((size_t)n * sizeof *b);
    double best = 0;
    if (!a || !b || n < 1) {
        free(a);
        free(b);
        return 0;
    }
    (void)threads;
    /* First touch by the threads that copy, so the pages lie near them. */
#pragma omp parallel for num_threads(threads) schedule(static)
    for (long long i = 0; i < n; i++) {
        a[i] = (double)i;
        b[i] = 0;
    }
    for (int r = 0; r <= reps; r++) { /* r = 0 warms up */
        double w = fc_now();
#pragma omp parallel for num_threads(threads) schedule(static)
        for (long long i = 0; i < n; i++)
            b[i] = a[i];
        double t = fc_now() - w;
        if (r > 0 && t > 0 && 2.0 * (double)bytes / t > best)
            best = 2.0 * (double)bytes / t;
    }
    /* Keep the copies observable so that they cannot be optimised away. */
    if (b[n / 2] != a[n / 2])
        best = 0;
    free(a);
    free(b);
    return best;
}

int fc_bench_ceilings_measure(const fc_bench_opts *o, fc_bench_ceilings *c, fc_err *err)
{
    memset(c, 0, sizeof *c);
    fc_cpu_model(c->cpu_name, sizeof c->cpu_name);
    c->nthreads = o->nthreads;
    for (int k = 0; k < o->nthreads; k++) {
        c->threads[k] = o->threads[k];
        c->cpu_bw[k] = fc_bench_cpu_copy(o->copy_bytes, o->threads[k], 5);
        if (!(c->cpu_bw[k] > 0))
            return fc_fail(err, FC_ENOMEM, "the CPU copy of 2 x %.3g GB could not run",
                           (double)o->copy_bytes / 1e9);
    }
    if (fc_gpu_count(c->gpu_why, sizeof c->gpu_why) == 0)
        return FC_OK;
    if (!o->use_gpu) {
        snprintf(c->gpu_why, sizeof c->gpu_why, "not measured (--device cpu)");
        return FC_OK;
    }
    fc_device_info info;
    int st = fc_gpu_info(fc_gpu_device(), &info, err);
    if (!st)
        st = fc_gpu_copy_bandwidth(o->copy_bytes, 10, &c->gpu_bw, err);
    if (st)
        return st;
    snprintf(c->gpu_name, sizeof c->gpu_name, "%s (%d SMs, %.0f GB)", info.name, info.sms,
             info.mem_total / 1e9);
    return FC_OK;
}

/* Times k steps of dt: the host clock on the CPU, CUDA events on the GPU. */
static int time_steps(fc_sim *s, int gpu, double dt, long long k, double *seconds, fc_err *err)
{
    fc_gpu_timer *t = NULL;
    double w = fc_now();
    int st = gpu ? fc_gpu_timer_start(&t, err) : FC_OK;
    for (long long i = 0; i < k && !st; i++) {
        fc_step_report rep;
        st = s->ops->step(s->state, s->t + (double)i * dt, dt, &rep, err);
        if (!st && rep.bad)
            st = fc_fail(err, FC_ENUMERIC, "the benchmark case turned %s at step %lld",
                         rep.bad == FC_STATE_NAN ? "NaN" : "negative", s->steps + i + 1);
    }
    if (gpu && t) {
        int st2 = fc_gpu_timer_stop(t, seconds, err);
        st = st ? st : st2;
    } else
        *seconds = fc_now() - w;
    s->steps += k;
    s->t += (double)k * dt;
    return st;
}

/*
 * The steps every run of a group takes: the warm-up's time steps, dt = cfl / rate of each state
 * as the run loop takes them (a flow starting from rest speeds up), recorded by the group's first
 * run and repeated by the others; then one dt for every timed step, from the rate after it.
 */
typedef struct step_plan {
    int recorded;
    double *warm; /* [warmup] */
    double dt;
} step_plan;

static int warm_up(fc_sim *s, step_plan *p, int warmup, fc_err *err)
{
    const double cfl = fc_cfg_real(&s->cfg, "time", "cfl");
    for (int k = 0; k < warmup; k++) {
        const double dt = p->recorded ? p->warm[k] : cfl / s->rate;
        if (!(dt > 0) || dt == INFINITY)
            return fc_fail(err, FC_EINPUT, "solver %s: its benchmark case is at rest", s->s->name);
        fc_step_report rep;
        int st = s->ops->step(s->state, s->t, dt, &rep, err);
        if (!st && rep.bad)
            st = fc_fail(err, FC_ENUMERIC, "the benchmark case turned %s in warm-up step %d",
                         rep.bad == FC_STATE_NAN ? "NaN" : "negative", k + 1);
        if (st)
            return st;
        s->rate = rep.max_rate;
        s->t += dt;
        if (!p->recorded)
            p->warm[k] = dt;
    }
    if (!p->recorded) {
        p->dt = cfl / s->rate;
        if (!(p->dt > 0) || p->dt == INFINITY)
            return fc_fail(err, FC_EINPUT, "solver %s: its benchmark case is at rest", s->s->name);
        p->recorded = 1;
    }
    return FC_OK;
}

/*
 * One row's timings on an open simulation: warm-up, the kept state (into snap, when given), the
 * timed runs with their energy, and the end-to-end time.
 */
static int measure(fc_sim *s, int gpu, step_plan *plan, const fc_bench_opts *o,
                   fc_energy_meter *em, fc_real **snap, fc_bench_row *r, fc_err *err)
{
    double t1;
    r->load_before = fc_load_average();
    int st = warm_up(s, plan, o->warmup, err);
    if (!st)
        st = s->ops->download(s->state, &s->host, err);
    for (int f = 0; f < s->s->io.nfields && !st && snap; f++)
        memcpy(snap[f], s->host.f[f], s->grid.nalloc * sizeof(fc_real));
    if (!st)
        st = time_steps(s, gpu, plan->dt, 1, &t1, err);
    if (st)
        return st;
    const double want = o->min_seconds / o->repeats;
    long long n = t1 > 0 ? (long long)ceil(want / t1) : 1;
    n = n < 1 ? 1 : n > 1000000 ? 1000000 : n;
    double *t = malloc((size_t)o->repeats * sizeof *t);
    if (!t)
        return fc_fail(err, FC_ENOMEM, "out of memory");
    fc_load_mark before, after;
    fc_load_mark_now(&before);
    fc_energy_start(em);
    for (int k = 0; k < o->repeats && !st; k++) {
        if (o->stop && *o->stop)
            st = fc_fail(err, FC_EINTR, "interrupted");
        else if (!(st = time_steps(s, gpu, plan->dt, n, &t[k], err)))
            t[k] /= (double)n;
    }
    const double joules = st ? -1 : fc_energy_joules(em);
    fc_load_mark_now(&after);
    r->cpu_per_step = fc_load_own_cpu(&before, &after) / (double)(n * o->repeats);
    r->others = fc_load_others(&before, &after);
    if (!st) {
        fc_spread(t, o->repeats, &r->t_median, &r->t_min, &r->t_max);
        r->steps = n * o->repeats;
        r->joules = joules > 0 ? joules / (double)r->steps : -1;
        if (joules == 0) /* NVML counts whole millijoules, and only every few milliseconds */
            snprintf(r->energy_note, sizeof r->energy_note, "%s: did not advance during the "
                     "timed runs (below its resolution)", em->what);
        else
            snprintf(r->energy_note, sizeof r->energy_note, "%s",
                     em->available ? em->what : em->why);
        /* End to end: the state in, n steps, the state out, on the host clock. */
        double w = fc_now(), ts;
        s->host.t = s->t;
        if (!(st = s->ops->upload(s->state, &s->host, err)) &&
            !(st = time_steps(s, gpu, plan->dt, n, &ts, err)) &&
            !(st = s->ops->download(s->state, &s->host, err)))
            r->t_e2e = (fc_now() - w) / (double)n;
    }
    r->load_after = fc_load_average();
    free(t);
    return st;
}

/* Largest difference of the fields in use, relative to each field's largest magnitude. */
static double field_difference(const fc_sim *s, fc_real *const *a, fc_real *const *b)
{
    double worst = 0;
    for (int f = 0; f < s->s->io.nfields; f++) {
        if (!fc_field_on(s->s, s->params, f))
            continue;
        double d = 0, m = 0;
        for (int j = 0; j < s->grid.ny; j++)
            for (int i = 0; i < s->grid.nx; i++) {
                const ptrdiff_t k = fc_idx(s->grid.pitch, s->grid.ng, i, j);
                const double e = fabs((double)a[f][k] - (double)b[f][k]);
                d = e > d || e != e ? e : d;
                m = fmax(m, fabs((double)b[f][k]));
            }
        const double rel = m > 0 ? d / m : d;
        worst = rel > worst || rel != rel ? rel : worst;
    }
    return worst;
}

/*
 * Whether a size fits, roughly, before anything is allocated: the backend's state
 * (FC_BENCH_VALUES_PER_CELL values a cell bound every solver's mem_per_cell, cuFFT's work area
 * and ns2d's multigrid levels included; tests/test_bench.c checks it) and the host's copies (the
 * state and two snapshots).
 * A row that does not is skipped with a note, so a ladder can reach past the memory.
 */
static int fits(const fc_solver_desc *sd, int n, int gpu, fc_bench_row *r, fc_err *err)
{
    const double side = n + 2 * sd->io.halo, cells = side * side, real = sizeof(fc_real);
    const double state = FC_BENCH_VALUES_PER_CELL * cells * real;
    const double host = 3.0 * sd->io.nfields * cells * real;
    double avail = (double)fc_host_available_memory();
    if (avail > 0 && host + (gpu ? 0 : state) > 0.8 * avail) {
        snprintf(r->note, sizeof r->note, "skipped: needs about %.3g GB of host memory",
                 (host + (gpu ? 0 : state)) / 1e9);
        return 0;
    }
    if (gpu) {
        fc_device_info info;
        if (fc_gpu_info(fc_gpu_device(), &info, err) == FC_OK && state > 0.9 * (double)info.mem_free) {
            snprintf(r->note, sizeof r->note, "skipped: needs about %.3g GB on the GPU",
                     state / 1e9);
            return 0;
        }
    }
    return 1;
}

/* A row that could not be measured says why, and the benchmark goes on (the caller's exit
 * status tells of it); an interruption or a lack of memory for our own arrays stops it. */
static int failed_row(fc_bench_row *r, int st, const fc_err *err)
{
    if (st == FC_EINTR)
        return st;
    snprintf(r->note, sizeof r->note, "%s: %.200s", st == FC_ENOMEM ? "skipped" : "failed", err->msg);
    r->failed = st != FC_ENOMEM;
    return FC_OK;
}

typedef struct group {
    fc_bench_row rows[FC_BENCH_MAX_THREADS + 1];
    int nrows;
} group;

/* Passes a group's rows on (its speedups filled in from what was measured). */
static int emit(const fc_bench_opts *o, group *g, double t_one, double t_all, double predicted,
                fc_err *err)
{
    for (int k = 0; k < g->nrows; k++) {
        fc_bench_row *r = &g->rows[k];
        if (r->measured) {
            r->speedup_1thread = t_one > 0 ? t_one / r->t_median : NAN;
            r->speedup_allcore = t_all > 0 ? t_all / r->t_median : NAN;
            r->predicted = r->gpu ? predicted : NAN;
        }
        int st = o->row(r, o->ctx, err);
        if (st)
            return st;
    }
    g->nrows = 0;
    return FC_OK;
}

static void row_head(fc_bench_row *r, const fc_solver_desc *sd, int n)
{
    memset(r, 0, sizeof *r);
    snprintf(r->solver, sizeof r->solver, "%s", sd->name);
    snprintf(r->case_name, sizeof r->case_name, "%s", sd->cost.bench_name);
    r->n = n;
    r->joules = -1;
    r->speedup_1thread = r->speedup_allcore = r->predicted = r->gpu_cpu_diff = NAN;
    r->t_median = r->t_min = r->t_max = r->t_e2e = NAN;
    r->cells_per_s = r->gb_per_s = r->bw_fraction = NAN;
    r->cpu_per_step = r->others = r->load_before = r->load_after = NAN;
}

static void row_rates(fc_bench_row *r, const fc_sim *s, double ceiling)
{
    const double cells = (double)r->n * r->n;
    r->measured = 1;
    r->cells_per_s = cells / r->t_median;
    r->gb_per_s = s->s->cost.bytes_per_cell_step(s->params) * cells / r->t_median / 1e9;
    r->bw_fraction = ceiling > 0 ? r->gb_per_s * 1e9 / ceiling : NAN;
}

/* The CPU rows and the GPU row of one solver at one size. */
static int bench_group(const fc_bench_opts *o, const fc_bench_ceilings *c,
                       const fc_solver_desc *sd, int n, group *g, fc_err *err)
{
    char nx[32], ny[32];
    snprintf(nx, sizeof nx, "grid.nx=%d", n);
    snprintf(ny, sizeof ny, "grid.ny=%d", n);
    const char *const sets[] = {nx, ny};
    fc_real *snap[FC_MAX_FIELDS] = {0};
    fc_energy_meter cpu_meter, gpu_meter;
    fc_energy_open_cpu(&cpu_meter);
    memset(&gpu_meter, 0, sizeof gpu_meter);
    double t_one = NAN, t_all = NAN;
    step_plan plan = {0, malloc(((size_t)o->warmup + 1) * sizeof(double)), 0};
    int st = plan.warm ? FC_OK : fc_fail(err, FC_ENOMEM, "out of memory"), have_snap = 0;
    /* The all-core run first: its state is the reference of the GPU comparison. */
    for (int q = 0; q < o->nthreads && !st; q++) {
        const int ti = q == 0 ? o->nthreads - 1 : q - 1, threads = o->threads[ti];
        fc_bench_row *r = &g->rows[g->nrows++];
        row_head(r, sd, n);
        r->threads = threads;
        snprintf(r->role, sizeof r->role, "%s", q == 0 ? "cpu_all" : threads == 1 ? "cpu_one" : "cpu");
        snprintf(r->device, sizeof r->device, "%s, %d thread%s", c->cpu_name, threads,
                 threads == 1 ? "" : "s");
        if (!fits(sd, n, 0, r, err))
            continue;
        if (o->stop && *o->stop) {
            st = fc_fail(err, FC_EINTR, "interrupted");
            g->nrows--; /* not measured: no row */
            break;
        }
#ifdef _OPENMP
        omp_set_num_threads(threads);
#endif
        fc_info("bench: %s %d x %d on the CPU, %d thread%s ...", sd->name, n, n, threads,
                threads == 1 ? "" : "s");
        fc_sim s;
        if ((st = fc_sim_open_text(&s, sd->cost.bench_case, NULL, sets, 2, fc_solvers(), sd->cpu, err))) {
            st = failed_row(r, st, err);
            continue;
        }
        for (int f = 0; f < sd->io.nfields && !st && q == 0; f++)
            if (!(snap[f] = malloc(s.grid.nalloc * sizeof(fc_real))))
                st = fc_fail(err, FC_ENOMEM, "out of memory");
        if (!st)
            st = measure(&s, 0, &plan, o, &cpu_meter, q == 0 ? snap : NULL, r, err);
        if (st == FC_EINTR)
            g->nrows--;
        else if (st)
            st = failed_row(r, st, err);
        else {
            row_rates(r, &s, c->cpu_bw[ti]);
            have_snap |= q == 0;
            if (threads == 1)
                t_one = r->t_median;
            if (q == 0)
                t_all = r->t_median;
        }
        fc_sim_close(&s);
    }
    const int gpu = o->use_gpu && c->gpu_bw > 0 && sd->gpu;
    if (!st && gpu) {
        fc_bench_row *r = &g->rows[g->nrows++];
        row_head(r, sd, n);
        r->gpu = 1;
        snprintf(r->role, sizeof r->role, "gpu");
        snprintf(r->device, sizeof r->device, "%s", c->gpu_name);
        if (fits(sd, n, 1, r, err) && !(o->stop && *o->stop)) {
            fc_info("bench: %s %d x %d on the GPU ...", sd->name, n, n);
            fc_energy_open_gpu(&gpu_meter, 0);
            fc_sim s;
            fc_real *gsnap[FC_MAX_FIELDS] = {0};
            if ((st = fc_sim_open_text(&s, sd->cost.bench_case, NULL, sets, 2, fc_solvers(), sd->gpu,
                                       err)))
                st = failed_row(r, st, err);
            else {
                for (int f = 0; f < sd->io.nfields && !st; f++)
                    if (!(gsnap[f] = malloc(s.grid.nalloc * sizeof(fc_real))))
                        st = fc_fail(err, FC_ENOMEM, "out of memory");
                if (!st)
                    st = measure(&s, 1, &plan, o, &gpu_meter, gsnap, r, err);
                if (st == FC_EINTR)
                    g->nrows--;
                else if (st)
                    st = failed_row(r, st, err);
                else {
                    row_rates(r, &s, c->gpu_bw);
                    r->gpu_cpu_diff = have_snap ? field_difference(&s, gsnap, snap) : NAN;
                }
                fc_sim_close(&s);
            }
            for (int f = 0; f < sd->io.nfields; f++)
                free(gsnap[f]);
        } else if (o->stop && *o->stop) {
            st = fc_fail(err, FC_EINTR, "interrupted");
            g->nrows--;
        }
    }
    for (int f = 0; f < sd->io.nfields; f++)
        free(snap[f]);
    free(plan.warm);
    fc_energy_close(&cpu_meter);
    fc_energy_close(&gpu_meter);
    /* What the group measured is passed on, after an interruption too. */
    double predicted = c->gpu_bw > 0 ? c->gpu_bw / c->cpu_bw[o->nthreads - 1] : NAN;
    int st2 = emit(o, g, t_one, t_all, predicted, err);
    return st ? st : st2;
}

int fc_bench_run(const fc_bench_opts *o, const fc_bench_ceilings *c, fc_err *err)
{
    size_t nsolvers;
    const fc_solver_desc *const *all = fc_solvers()->solvers;
    nsolvers = fc_solvers()->n;
    group *g = calloc(1, sizeof *g);
    if (!g)
        return fc_fail(err, FC_ENOMEM, "out of memory");
    int st = FC_OK;
    for (size_t k = 0; k < nsolvers && !st; k++) {
        int wanted = o->nsolvers == 0;
        for (int q = 0; q < o->nsolvers; q++)
            wanted |= !strcmp(o->solvers[q], all[k]->name);
        for (int s = 0; s < o->nsizes && wanted && !st; s++)
            st = bench_group(o, c, all[k], o->sizes[s], g, err);
    }
    free(g);
    return st;
}
