/* run.c: the run loop of `flowcast run` (see run.h). */
#include <fc_build.h>

#include "run.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "backend.h"
#include "config.h"
#include "files.h"
#include "grid.h"
#include "log.h"
#include "ncio.h"
#include "progress.h"
#include "solver.h"
#include "timer.h"

/* Diagnostics the run adds after the solver's own. */
static const fc_diag_spec run_diags[] = {
    {"dt", "time step of the last step before this record", "s"},
    {"cfl", "Courant number of the last step before this record", "1"},
};
#define NRUN_DIAGS 2

typedef struct run_ctx {
    const fc_run_opts *o;
    fc_config cfg;
    const fc_solver_desc *s;
    const fc_solver_ops *ops;
    fc_grid grid;
    void *params, *state;
    fc_state host;
    fc_real **packed; /* per output variable, nx*ny */
    double *diags;
    int ndiags;
    fc_ncio_file *out;
    char device[512];
    char path[4096];
} run_ctx;

/* Refuses a grid that does not fit: the solver's state and the host copies for output. */
static int check_memory(run_ctx *c, int kind, fc_err *err)
{
    const fc_grid *g = &c->grid;
    double cells = (double)g->nalloc, real = sizeof(fc_real);
    double solver_bytes = c->s->mem_per_cell(c->params) * cells * real;
    double host_bytes = (c->s->nfields + c->s->nvars) * cells * real;
    if (kind == FC_BACKEND_CPU)
        host_bytes += solver_bytes;
    else {
        fc_device_info info;
        int st = fc_gpu_info(0, &info, err);
        if (st)
            return st;
        if (solver_bytes > 0.95 * (double)info.mem_free)
            return fc_fail(err, FC_ENOMEM,
                           "%s: [grid] nx = %d, ny = %d needs %.3g GB on the GPU; %s has %.3g GB "
                           "free",
                           c->cfg.path, g->nx, g->ny, solver_bytes / 1e9, info.name,
                           info.mem_free / 1e9);
    }
    double avail = (double)fc_host_available_memory();
    if (avail > 0 && host_bytes > 0.9 * avail)
        return fc_fail(err, FC_ENOMEM,
                       "%s: [grid] nx = %d, ny = %d needs %.3g GB of host memory; %.3g GB is "
                       "available",
                       c->cfg.path, g->nx, g->ny, host_bytes / 1e9, avail / 1e9);
    return FC_OK;
}

static int alloc_host(run_ctx *c, fc_err *err)
{
    const fc_grid *g = &c->grid;
    c->host.nfields = c->s->nfields;
    for (int k = 0; k < c->s->nfields; k++)
        if (!(c->host.f[k] = fc_grid_alloc(g)))
            return fc_fail(err, FC_ENOMEM, "out of host memory");
    c->packed = calloc(c->s->nvars, sizeof *c->packed);
    c->ndiags = (int)c->s->ndiags + (int)c->s->nstep_stats + NRUN_DIAGS;
    c->diags = calloc((size_t)c->ndiags, sizeof *c->diags);
    if (!c->packed || !c->diags)
        return fc_fail(err, FC_ENOMEM, "out of host memory");
    for (size_t k = 0; k < c->s->nvars; k++) {
        int ex, ey;
        fc_var_extent(c->s->vars[k].shape, g, &ex, &ey);
        if (!(c->packed[k] = malloc((size_t)ex * (size_t)ey * sizeof(fc_real))))
            return fc_fail(err, FC_ENOMEM, "out of host memory");
    }
    return FC_OK;
}

static void output_path(run_ctx *c)
{
    const char *file = fc_cfg_str(&c->cfg, "output", "file");
    if (c->o->output)
        snprintf(c->path, sizeof c->path, "%s", c->o->output);
    else if (*file)
        snprintf(c->path, sizeof c->path, "%s", file);
    else {
        /* The default folder is made on demand; a path the user gave must exist. */
        mkdir("outputs", 0777);
        snprintf(c->path, sizeof c->path, "outputs/%s.nc", c->cfg.name);
    }
}

/* Downloads the state and appends it as a record at time t, with the statistics of the step
 * that led there (rep; NULL for the initial record). */
static int write_record(run_ctx *c, double t, double dt, double cfl, const fc_step_report *rep,
                        fc_err *err)
{
    int st = c->ops->download(c->state, &c->host, err);
    if (st)
        return st;
    fc_real **out = calloc(c->s->nvars, sizeof *out);
    if (!out)
        return fc_fail(err, FC_ENOMEM, "out of host memory");
    int first = fc_ncio_records(c->out) == 0;
    for (size_t k = 0; k < c->s->nvars; k++)
        if ((first || !fc_var_static(c->s->vars[k].shape)) && fc_var_on(c->s, c->params, k))
            out[k] = c->packed[k];
    if ((st = c->s->derive(c->params, &c->grid, &c->host, out, err)) ||
        (st = c->s->diagnose(c->params, &c->grid, &c->host, c->diags, err))) {
        free(out);
        return st;
    }
    double *extra = c->diags + c->s->ndiags;
    for (size_t k = 0; k < c->s->nstep_stats; k++)
        *extra++ = rep ? rep->stats[k] : NAN;
    extra[0] = dt;
    extra[1] = cfl;
    for (size_t k = 0; k < c->s->nvars && !st; k++)
        if (out[k] && fc_var_static(c->s->vars[k].shape)) {
            st = fc_ncio_write_static(c->out, (int)k, out[k], err);
            out[k] = NULL;
        }
    if (!st)
        st = fc_ncio_write_record(c->out, t, out, c->diags, err);
    free(out);
    return st;
}

static void history(const run_ctx *c, char *buf, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[64];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(buf, len, "%s: %s", stamp,
             c->o->command_line ? c->o->command_line : "flowcast run (library call)");
}

/* The index of the first output time after t (times k * interval). */
static long long next_output(double t, double interval)
{
    return (long long)floor(t / interval + 1e-9) + 1;
}

/*
 * Refuses, before the output file exists, a case that would never end or would fill the disk:
 * more records than [output] max_records, more steps than [time] max_steps (estimated from the
 * initial state's signal rate; the loop enforces the limit too, as the rate may grow), or
 * records that need more space than the output's file system has (uncompressed output).
 */
static int check_run_size(run_ctx *c, double t0, double rate, fc_err *err)
{
    const double t_end = fc_cfg_real(&c->cfg, "time", "t_end");
    const double interval = fc_cfg_real(&c->cfg, "output", "interval");
    const double cfl = fc_cfg_real(&c->cfg, "time", "cfl");
    const double max_steps = fc_cfg_real(&c->cfg, "time", "max_steps");
    const double max_records = fc_cfg_real(&c->cfg, "output", "max_records");
    const double records = (interval > 0 ? floor((t_end - t0) / interval) : 0) + 2;
    if (records > max_records)
        return fc_fail(err, FC_EINPUT, "%s: [time] t_end = %g s with [output] interval = %g s "
                       "makes %.3g records, more than [output] max_records = %.3g (raise it with "
                       "--set output.max_records=N if that is meant)",
                       c->cfg.path, t_end, interval, records, max_records);
    const double steps = (t_end - t0) * rate / cfl + records;
    if (!(steps <= max_steps))
        return fc_fail(err, FC_EINPUT, "%s: the initial state's time step (%.3g s, from [time] "
                       "cfl = %g) makes about %.3g steps to [time] t_end = %g s, more than [time] "
                       "max_steps = %.3g (raise it with --set time.max_steps=N if that is meant)",
                       c->cfg.path, cfl / rate, cfl, steps, t_end, max_steps);
    if (fc_cfg_int(&c->cfg, "output", "deflate") == 0) {
        double bytes = 0;
        for (size_t k = 0; k < c->s->nvars; k++) {
            int ex, ey;
            fc_var_extent(c->s->vars[k].shape, &c->grid, &ex, &ey);
            if (fc_var_on(c->s, c->params, k) && !fc_var_static(c->s->vars[k].shape))
                bytes += (double)ex * ey * sizeof(fc_real);
        }
        bytes = (bytes + 8.0 * (c->ndiags + 1)) * records;
        char dir[4096];
        fc_path_folder(c->path, dir, sizeof dir);
        struct statvfs fs;
        if (statvfs(dir, &fs) == 0) {
            const double free_bytes = (double)fs.f_bavail * (double)fs.f_frsize;
            if (bytes > free_bytes)
                return fc_fail(err, FC_EINPUT, "%s: %.3g records of this case need %.3g GB; the "
                               "file system of '%s' has %.3g GB free (write fewer records, or "
                               "compress them with [output] deflate)",
                               c->cfg.path, records, bytes / 1e9, c->path, free_bytes / 1e9);
        }
    }
    return FC_OK;
}

static int setup(run_ctx *c, double *t0, double *rate, fc_err *err)
{
    const fc_run_opts *o = c->o;
    int st = fc_config_load(o->case_path, o->sets, o->nsets, &c->cfg, err);
    if (st)
        return st;
    c->s = c->cfg.solver;
    if (o->threads < 0)
        return fc_fail(err, FC_EINPUT, "--threads must be positive, not %d", o->threads);
#ifdef _OPENMP
    if (o->threads > 0)
        omp_set_num_threads(o->threads);
#endif
    int kind;
    if ((st = fc_backend_select(o->device ? o->device : "auto", &kind, err)))
        return st;
    c->ops = kind == FC_BACKEND_GPU ? c->s->gpu : c->s->cpu;
    if (!c->ops)
        return fc_fail(err, FC_ENODEV, "solver %s has no %s backend in this build", c->s->name,
                       kind == FC_BACKEND_GPU ? "GPU" : "CPU");
    if ((st = fc_config_grid(&c->cfg, c->s->halo, &c->grid, err)))
        return st;
    if ((st = c->s->make_params(&c->cfg, &c->grid, &c->params, err)))
        return st;
    if ((st = check_memory(c, kind, err)) || (st = alloc_host(c, err)))
        return st;
    if ((st = fc_describe_device(kind, c->device, sizeof c->device, err)))
        return st;

    output_path(c);
    *t0 = 0;
    if (o->restart) {
        if (fc_same_file(o->restart, c->path))
            return fc_fail(err, FC_EINPUT,
                           "the output file '%s' is the restart file: give another with -o",
                           c->path);
        if ((st = fc_ncio_read_restart(o->restart, c->s, c->params, &c->grid, &c->host, t0, err)))
            return st;
        if (*t0 >= fc_cfg_real(&c->cfg, "time", "t_end"))
            return fc_fail(err, FC_EINPUT,
                           "restart file '%s' ends at t = %g s, not before [time] t_end = %g s: "
                           "nothing to run",
                           o->restart, *t0, fc_cfg_real(&c->cfg, "time", "t_end"));
    } else if ((st = c->s->initial(&c->cfg, &c->grid, c->params, &c->host, err)))
        return st;

    if ((st = c->ops->create(&c->grid, c->params, &c->state, err)))
        return st;
    if ((st = c->ops->upload(c->state, &c->host, err)) ||
        (st = c->ops->max_rate(c->state, rate, err)) || (st = check_run_size(c, *t0, *rate, err)))
        return st;

    fc_diag_spec *diags = malloc((size_t)c->ndiags * sizeof *diags);
    if (!diags)
        return fc_fail(err, FC_ENOMEM, "out of memory");
    memcpy(diags, c->s->diags, c->s->ndiags * sizeof *diags);
    if (c->s->nstep_stats)
        memcpy(diags + c->s->ndiags, c->s->step_stats, c->s->nstep_stats * sizeof *diags);
    memcpy(diags + c->s->ndiags + c->s->nstep_stats, run_diags, sizeof run_diags);
    char hist[8192];
    history(c, hist, sizeof hist);
    const char *title = fc_cfg_str(&c->cfg, "case", "title");
    fc_ncio_meta meta = {&c->cfg, c->s,     c->params, &c->grid, *title ? title : c->cfg.name,
                      hist,    c->device, diags,   c->ndiags,
                      (int)fc_cfg_int(&c->cfg, "output", "deflate")};
    st = fc_ncio_create(c->path, o->overwrite, &meta, &c->out, err);
    free(diags);
    return st;
}

static void teardown(run_ctx *c)
{
    if (c->state)
        c->ops->destroy(c->state);
    free(c->params);
    for (int k = 0; k < c->host.nfields; k++)
        free(c->host.f[k]);
    for (size_t k = 0; c->packed && k < c->s->nvars; k++)
        free(c->packed[k]);
    free(c->packed);
    free(c->diags);
    fc_config_free(&c->cfg);
}

static int bad_state(run_ctx *c, const fc_step_report *rep, long long step, double t, double dt,
                     double t_last, fc_err *err)
{
    int i = (int)(rep->bad_cell % c->grid.nx), j = (int)(rep->bad_cell / c->grid.nx);
    int st = FC_OK;
    fc_err werr = {{0}};
    if (t > t_last)
        st = write_record(c, t, dt, 0, NULL, &werr);
    fc_fail(err, FC_ENUMERIC,
            "step %lld from model time t = %.9g s (dt = %.3g s) gives %s at cell (i=%d, j=%d), "
            "x = %g m, y = %g m: the run stops",
            step, t, dt, rep->bad == FC_STATE_NAN ? "NaN" : "a negative depth", i, j,
            fc_grid_x(&c->grid, i), fc_grid_y(&c->grid, j));
    if (rep->bad == FC_STATE_NEGATIVE)
        fc_err_append(err, "  value there: %.6g, with the time step already halved %d times",
                      rep->bad_value, FC_MAX_HALVINGS);
    fc_err_append(err, "  '%s' holds every record up to t = %.9g s (the last good state)",
                  c->path, st ? t_last : t);
    if (st)
        fc_err_append(err, "  the last good state could not be written: %s", werr.msg);
    return FC_ENUMERIC;
}

int fc_step_adaptive(const fc_solver_ops *ops, void *state, double *dt, fc_step_report *rep,
                     long long *halvings, fc_err *err)
{
    for (int k = 0;; k++) {
        int st = ops->step(state, *dt, rep, err);
        if (st || rep->bad != FC_STATE_NEGATIVE || k == FC_MAX_HALVINGS)
            return st;
        *dt /= 2;
        (*halvings)++;
    }
}

int fc_run(const fc_run_opts *o, fc_run_result *res, fc_err *err)
{
    run_ctx c;
    memset(&c, 0, sizeof c);
    memset(res, 0, sizeof *res);
    c.o = o;
    err->msg[0] = '\0';
    if (o->quiet)
        fc_log_set_quiet(1);
    double t = 0, rate = 0;
    int st = setup(&c, &t, &rate, err);
    if (st) {
        teardown(&c); /* the output file is created last: nothing was written */
        return st;
    }
    snprintf(res->output, sizeof res->output, "%s", c.path);

    const double t_end = fc_cfg_real(&c.cfg, "time", "t_end");
    const double cfl = fc_cfg_real(&c.cfg, "time", "cfl");
    const double interval = fc_cfg_real(&c.cfg, "output", "interval");
    const double cells = (double)c.grid.nx * c.grid.ny;
    long long next = interval > 0 ? next_output(t, interval) : 0;
    const double max_steps = fc_cfg_real(&c.cfg, "time", "max_steps");
    double t_last = t, dt = 0, courant = 0;
    long long steps = 0, halvings = 0;
    fc_progress prog;
    double wall0 = fc_now(), step_wall = 0, mass0 = 0;
    const double steady_tol = fc_cfg_real(&c.cfg, "time", "steady_tol");
    double stat_sum[FC_MAX_STEP_STATS] = {0}; /* of the solver's step statistics, for the summary */
    const int conserved = c.s->conserved_diag;

    if ((st = write_record(&c, t, 0, 0, NULL, err)))
        goto done;
    if (conserved >= 0)
        mass0 = c.diags[conserved];
    if (o->restart)
        fc_info("%s: solver %s, continued from t = %.9g s of %s, %d x %d cells, %s, %s "
                "precision -> %s",
                c.cfg.path, c.s->name, t, o->restart, c.grid.nx, c.grid.ny, c.device,
                FC_PRECISION, c.path);
    else
        fc_info("%s: solver %s, initial condition %s, %d x %d cells, %s, %s precision -> %s",
                c.cfg.path, c.s->name,
                c.s->ics[fc_cfg_choice(&c.cfg, "initial", "type")].name, c.grid.nx, c.grid.ny,
                c.device, FC_PRECISION, c.path);
    fc_progress_start(&prog, t, t_end, cells, o->quiet || fc_log_quiet());

    while (t < t_end) {
        double target = interval > 0 ? fmin((double)next * interval, t_end) : t_end;
        dt = rate > 0 ? cfl / rate : INFINITY;
        int landing = t + dt >= target;
        if (landing)
            dt = target - t;
        if ((double)steps >= max_steps) {
            fc_progress_end(&prog);
            st = fc_fail(err, FC_ENUMERIC,
                         "the run reached [time] max_steps = %.3g at model time t = %.9g s "
                         "(dt = %.3g s): it stops; '%s' holds every record up to t = %.9g s "
                         "(raise the limit with --set time.max_steps=N and continue with "
                         "--restart %s)",
                         max_steps, t, dt, c.path, t_last, c.path);
            goto done;
        }
        fc_step_report rep = {0};
        double w = fc_now(), planned = dt;
        if ((st = fc_step_adaptive(c.ops, c.state, &dt, &rep, &halvings, err)))
            goto done;
        step_wall += fc_now() - w;
        steps++;
        for (size_t k = 0; k < c.s->nstep_stats; k++)
            stat_sum[k] += rep.stats[k];
        landing = landing && dt == planned;
        if (rep.bad) {
            fc_progress_end(&prog);
            st = bad_state(&c, &rep, steps, t, dt, t_last, err);
            goto done;
        }
        courant = dt * rate;
        rate = rep.max_rate;
        t = landing ? target : t + dt;
        /* A steady state ends the run with a record of it. */
        const int steady = steady_tol > 0 && rep.change < steady_tol;
        if (landing || steady) {
            if ((st = write_record(&c, t, dt, courant, &rep, err)))
                goto done;
            t_last = t;
            next += landing;
        }
        if (steady) {
            res->steady = 1;
            fc_progress_end(&prog);
            fc_info("steady: the state changes by %.3g per second (< [time] steady_tol = %g) at "
                    "t = %.9g s",
                    rep.change, steady_tol, t);
            break;
        }
        if (o->stop && *o->stop && t < t_end) {
            fc_progress_end(&prog);
            st = fc_fail(err, FC_EINTR,
                         "interrupted at model time t = %.9g s; '%s' holds every record up to "
                         "t = %.9g s (continue with --restart %s)",
                         t, c.path, t_last, c.path);
            goto done;
        }
        fc_progress_update(&prog, t, steps);
    }
    fc_progress_end(&prog);

    if (conserved >= 0)
        res->drift = mass0 != 0 ? (c.diags[conserved] - mass0) / fabs(mass0)
                                : c.diags[conserved] - mass0;
    {
        double wall = fc_now() - wall0;
        double bpc = c.s->bytes_per_cell_step(c.params);
        char halving_note[128];
        snprintf(halving_note, sizeof halving_note,
                 "; %lld steps retried with half the time step to keep depths positive",
                 halvings);
        char d1[32], d2[32], drift[160] = "", stats[256] = "";
        if (conserved >= 0)
            snprintf(drift, sizeof drift, "%s drift %.2e (relative); ",
                     c.s->diags[conserved].name, res->drift);
        for (size_t k = 0; k < c.s->nstep_stats && steps > 0; k++) {
            size_t len = strlen(stats);
            snprintf(stats + len, sizeof stats - len, "%s%s %.3g", k ? ", " : "; mean per step: ",
                     c.s->step_stats[k].name, stat_sum[k] / (double)steps);
        }
        fc_info("done: %lld steps to t = %.9g s in %s (steps %s); %.2f Mcell-updates/s, %.2f GB/s "
                "effective (%.0f B per cell-step, the least a step must move); %s%d records in "
                "%s%s%s",
                steps, t, fc_format_duration(wall, d1, sizeof d1),
                fc_format_duration(step_wall, d2, sizeof d2),
                step_wall > 0 ? cells * steps / step_wall / 1e6 : 0,
                step_wall > 0 ? bpc * cells * steps / step_wall / 1e9 : 0, bpc, drift,
                fc_ncio_records(c.out), c.path, halvings ? halving_note : "", stats);
    }

done:
    res->steps = steps;
    res->halvings = halvings;
    res->t = t;
    res->wall = fc_now() - wall0;
    res->step_wall = step_wall;
    res->records = c.out ? fc_ncio_records(c.out) : 0;
    {
        fc_err cerr = {{0}};
        int cst = fc_ncio_close(c.out, &cerr);
        if (cst && !st) {
            st = cst;
            *err = cerr;
        }
    }
    teardown(&c);
    return st;
}
