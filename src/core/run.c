/* run.c: the run loop of `flowcast run` (see run.h). */
#include <fc_build.h>

#include "src/core/run.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "src/core/backend.h"
#include "src/core/cfwrite.h"
#include "src/core/config.h"
#include "src/core/files.h"
#include "src/core/grid.h"
#include "src/core/log.h"
#include "src/core/machine_load.h"
#include "src/core/ncio.h"
#include "src/core/progress.h"
#include "src/core/ranks.h"
#include "src/core/sim.h"
#include "src/core/solver.h"
#include "src/core/split.h"
#include "src/core/timer.h"

/* Diagnostics the run adds after the solver's own. */
static const fc_diag_spec run_diags[] = {
    {"dt", "time step of the last step before this record", "s"},
    {"cfl", "Courant number of the last step before this record", "1"},
};
#define NRUN_DIAGS 2

typedef struct run_ctx {
    const fc_run_opts *o;
    fc_sim sim;
    int netcdf4; /* the output's format: NetCDF-4, or CDF-5 */
    /* On a split grid: whether every process writes its block of the output (a NetCDF-4 file
     * written in parallel), rather than the first process all of it, gathered. */
    int parallel;
    double output_wall; /* seconds spent making and writing records (gathers included) */
    double output_exchange, output_reduce; /* of which in the block's halo exchanges and
                                            * reductions (diagnostics) */
    fc_real **packed; /* per output variable: nx*ny of the grid, or of the block in parallel */
    double *diags; /* the solver's diagnostics, its step statistics, then the run's */
    int ndiags;
    int *written;   /* the indices into diags of those the output holds (fc_diag_on) */
    double *values; /* their values, in that order */
    int nwritten;
    fc_ncio_file *out;
    char device[512];
    char path[4096];
    /* The series of the diagnostics between records ([output] series_interval > 0; written by
     * the first process alone): its file, and the index of the multiple of the interval that
     * the next sample waits for. */
    double series_interval;
    fc_ncio_file *series;
    char series_path[4200];
    long long next_sample;
    int every_step; /* the interval is below what the model time resolves: every step */
    double series_last; /* the time of the last sample written */
} run_ctx;

/* The grid and the state a record is made from: this process's block where each writes its
 * own, the whole grid otherwise (gathered onto the first on a split grid). */
static const fc_grid *record_grid(run_ctx *c) { return c->parallel ? &c->sim.block : &c->sim.grid; }
static fc_state *record_state(run_ctx *c) { return c->parallel ? &c->sim.part : &c->sim.host; }

/* The output's buffers: each variable packed, and the diagnostics of a record. */
static int alloc_output(run_ctx *c, fc_err *err)
{
    const fc_solver_desc *s = c->sim.s;
    c->packed = calloc(s->io.nvars, sizeof *c->packed);
    c->ndiags = (int)s->io.ndiags + (int)s->io.nstep_stats + NRUN_DIAGS;
    c->diags = calloc((size_t)c->ndiags, sizeof *c->diags);
    c->written = calloc((size_t)c->ndiags, sizeof *c->written);
    c->values = calloc((size_t)c->ndiags, sizeof *c->values);
    if (!c->packed || !c->diags || !c->written || !c->values)
        return fc_fail(err, FC_ENOMEM, "out of host memory");
    const size_t solver_diags = s->io.ndiags + s->io.nstep_stats;
    for (int k = 0; k < c->ndiags; k++)
        if ((size_t)k >= solver_diags || fc_diag_on(s, c->sim.params, (size_t)k))
            c->written[c->nwritten++] = k;
    for (size_t k = 0; k < s->io.nvars; k++) {
        int ex, ey;
        fc_var_extent(s->io.vars[k].shape, record_grid(c), &ex, &ey);
        if (!(c->packed[k] = malloc((size_t)ex * (size_t)ey * sizeof(fc_real))))
            return fc_fail(err, FC_ENOMEM, "out of host memory for the output variables");
    }
    return FC_OK;
}

static void output_path(run_ctx *c, const fc_config *cfg)
{
    const char *file = fc_cfg_str(cfg, "output", "file");
    if (c->o->output)
        snprintf(c->path, sizeof c->path, "%s", c->o->output);
    else if (*file)
        snprintf(c->path, sizeof c->path, "%s", file);
    else {
        /* The default folder is made on demand; a path the user gave must exist. */
        mkdir("outputs", 0777);
        snprintf(c->path, sizeof c->path, "outputs/%s.nc", cfg->name);
    }
}

/* The series file beside the output: its name with _series before a final .nc (after the
 * name where it has none). */
static void series_path(run_ctx *c)
{
    const size_t n = strlen(c->path);
    const int nc = n >= 3 && !strcmp(c->path + n - 3, ".nc");
    snprintf(c->series_path, sizeof c->series_path, "%.*s_series.nc", (int)(n - (nc ? 3 : 0)),
             c->path);
}

/* Whether this process checks the output's path and file system, and writes the records when
 * the blocks of a split grid are gathered: the first of its job (ranks.h). */
static int writer(void) { return fc_ranks_self()->rank == 0; }

/* The diagnostics of the downloaded state (record_state) into c->diags, and of those the
 * output holds into c->values, with the statistics of the step that led there (rep; NULL:
 * none). A diagnosis that finds the state wrong sets *verdict to FC_ENUMERIC (err says why)
 * and still gives the values. Collective in parallel. */
static int diagnose_downloaded(run_ctx *c, const fc_step_report *rep, int *verdict, fc_err *err)
{
    fc_sim *sim = &c->sim;
    const fc_solver_desc *s = sim->s;
    *verdict = FC_OK;
    int st = s->io.diagnose(sim->params, record_grid(c), record_state(c),
                            rep ? rep->stats : NULL, c->diags, err);
    if (c->parallel)
        st = fc_ranks_agree(st, err);
    if (st == FC_ENUMERIC)
        *verdict = st, st = FC_OK;
    if (st)
        return st;
    double *extra = c->diags + s->io.ndiags;
    for (size_t k = 0; k < s->io.nstep_stats; k++)
        *extra++ = rep ? rep->stats[k] : NAN;
    extra[0] = rep ? sim->dt : 0;
    extra[1] = rep ? sim->courant : 0;
    for (int k = 0; k < c->nwritten; k++)
        c->values[k] = c->diags[c->written[k]];
    return FC_OK;
}

/* Appends the downloaded state as a record at the model time (write_record below). In parallel
 * every process makes its block's variables and takes part in the diagnostics' reductions,
 * and all agree before writing together. */
static int append_downloaded(run_ctx *c, const fc_step_report *rep, fc_err *err)
{
    fc_sim *sim = &c->sim;
    const fc_solver_desc *s = sim->s;
    int st = FC_OK;
    fc_real **out = calloc(s->io.nvars, sizeof *out);
    if (!out)
        st = fc_fail(err, FC_ENOMEM, "out of host memory");
    if (c->parallel && (st = fc_ranks_agree(st, err)))
        return st; /* out is NULL on every process */
    if (!out)
        return st;
    int first = fc_ncio_records(c->out) == 0;
    for (size_t k = 0; k < s->io.nvars; k++)
        if ((first || !fc_var_static(s->io.vars[k].shape)) && fc_var_on(s, sim->params, k))
            out[k] = c->packed[k];
    /* Both are collective on a block: a failure in either is every process's before the next. */
    st = s->io.derive(sim->params, record_grid(c), record_state(c), out, err);
    if (c->parallel)
        st = fc_ranks_agree(st, err);
    /* A diagnosis that finds the state wrong (FC_ENUMERIC) writes the record, which shows it,
     * and then fails the run with its message (run_case says that the record is there). */
    int verdict = FC_OK;
    if (!st)
        st = diagnose_downloaded(c, rep, &verdict, err);
    if (st) {
        free(out);
        return st;
    }
    for (size_t k = 0; k < s->io.nvars && !st; k++)
        if (out[k] && fc_var_static(s->io.vars[k].shape)) {
            st = fc_ncio_write_static(c->out, (int)k, out[k], err);
            out[k] = NULL;
        }
    if (!st)
        st = fc_ncio_write_record(c->out, sim->t, out, c->values, err);
    free(out);
    return st ? st : verdict;
}

/* What making records and samples costs, apart from the steps: their wall time, and the halo
 * exchanges and reductions of a split grid among it. */
typedef struct output_clock {
    double wall, exchange, reduce;
} output_clock;

static void output_clock_start(const run_ctx *c, output_clock *k)
{
    double gathered;
    k->wall = fc_now();
    fc_split_seconds(c->sim.split, &k->exchange, &k->reduce, &gathered);
}

static void output_clock_stop(run_ctx *c, const output_clock *k)
{
    double exchange, reduce, gathered;
    c->output_wall += fc_now() - k->wall;
    fc_split_seconds(c->sim.split, &exchange, &reduce, &gathered);
    c->output_exchange += exchange - k->exchange;
    c->output_reduce += reduce - k->reduce;
}

/* Downloads the state and appends it as a record at the model time, with the statistics of the
 * step that led there (rep; NULL for the initial record and a last good state). Collective: on
 * a split grid every process sends its block and the first writes. */
static int write_record(run_ctx *c, const fc_step_report *rep, fc_err *err)
{
    output_clock clock;
    output_clock_start(c, &clock);
    int st;
    if (c->parallel) {
        if (!(st = fc_sim_download_block(&c->sim, err)))
            st = append_downloaded(c, rep, err);
    } else if (!(st = fc_sim_download(&c->sim, err)) && writer())
        st = append_downloaded(c, rep, err);
    output_clock_stop(c, &clock);
    return fc_ranks_agree(st, err);
}

/* The index of the first output time after t (times k * interval). */
static long long next_output(double t, double interval)
{
    return (long long)floor(t / interval + 1e-9) + 1;
}

/* Whether the state at the model time is due in the series, short of a record (which the
 * series always holds): it reached the multiple of the interval the series waits for, or it
 * is the last (end: t_end reached, or steady). */
static int sample_due(const run_ctx *c, int end)
{
    return c->series_interval > 0 &&
           (end || c->every_step || next_output(c->sim.t, c->series_interval) > c->next_sample);
}

/* Appends the state's diagnostics to the series: those of the record just written
 * (recorded: c->values hold them on the first process), or else of the state downloaded and
 * diagnosed here, with the statistics of the step that led there (rep; NULL for the initial
 * state). FC_ENUMERIC when the diagnosis finds the state wrong (nothing is appended then: the
 * caller writes it as a record, which says why). Collective. */
static int sample_series(run_ctx *c, const fc_step_report *rep, int recorded, fc_err *err)
{
    output_clock clock;
    output_clock_start(c, &clock);
    int st = FC_OK, verdict = FC_OK;
    if (!recorded) {
        st = c->parallel ? fc_sim_download_block(&c->sim, err) : fc_sim_download(&c->sim, err);
        if (!st && (c->parallel || writer()))
            st = diagnose_downloaded(c, rep, &verdict, err);
    }
    if (!st && !verdict && writer())
        st = fc_ncio_write_record(c->series, c->sim.t, NULL, c->values, err);
    if (!st && !verdict)
        c->series_last = c->sim.t;
    if (!c->every_step)
        c->next_sample = next_output(c->sim.t, c->series_interval);
    output_clock_stop(c, &clock);
    return fc_ranks_agree(st ? st : verdict, err);
}

/*
 * Refuses, before the output file exists, a case that would never end or would fill the disk:
 * more records than [output] max_records, more steps than [time] max_steps (estimated from the
 * initial state's signal rate; the loop enforces the limit too, as the rate may grow), or
 * records that need more space than the output's file system has (uncompressed output).
 */
static int check_run_size(run_ctx *c, fc_err *err)
{
    const fc_sim *sim = &c->sim;
    const fc_config *cfg = &sim->cfg;
    const double t0 = sim->t, rate = sim->rate;
    const double t_end = fc_cfg_real(cfg, "time", "t_end");
    const double interval = fc_cfg_real(cfg, "output", "interval");
    const double cfl = fc_cfg_real(cfg, "time", "cfl");
    const double max_steps = fc_cfg_real(cfg, "time", "max_steps");
    const double max_records = fc_cfg_real(cfg, "output", "max_records");
    const double records = (interval > 0 ? floor((t_end - t0) / interval) : 0) + 2;
    if (records > max_records)
        return fc_fail(err, FC_EINPUT, "%s: [time] t_end = %g s with [output] interval = %g s "
                       "makes %.3g records, more than [output] max_records = %.3g (raise it with "
                       "--set output.max_records=N if that is meant)",
                       cfg->path, t_end, interval, records, max_records);
    const double steps = (t_end - t0) * rate / cfl + records;
    if (!(steps <= max_steps))
        return fc_fail(err, FC_EINPUT, "%s: the initial state's time step (%.3g s, from [time] "
                       "cfl = %g) makes about %.3g steps to [time] t_end = %g s, more than [time] "
                       "max_steps = %.3g (raise it with --set time.max_steps=N if that is meant)",
                       cfg->path, cfl / rate, cfl, steps, t_end, max_steps);
    if (fc_cfg_int(cfg, "output", "deflate") == 0 && writer()) {
        const fc_solver_desc *s = sim->s;
        double bytes = 0;
        for (size_t k = 0; k < s->io.nvars; k++) {
            int ex, ey;
            fc_var_extent(s->io.vars[k].shape, &sim->grid, &ex, &ey);
            if (fc_var_on(s, sim->params, k) && !fc_var_static(s->io.vars[k].shape))
                bytes += (double)ex * ey * sizeof(fc_real);
        }
        bytes = (bytes + 8.0 * (c->nwritten + 1)) * records;
        if (c->series_interval > 0) /* a sample per step at most */
            bytes += 8.0 * (c->nwritten + 1) *
                     fmin(steps, floor((t_end - t0) / c->series_interval) + 2);
        char dir[4096];
        fc_path_folder(c->path, dir, sizeof dir);
        struct statvfs fs;
        if (statvfs(dir, &fs) == 0) {
            const double free_bytes = (double)fs.f_bavail * (double)fs.f_frsize;
            if (bytes > free_bytes)
                return fc_fail(err, FC_EINPUT, "%s: %.3g records of this case need %.3g GB; the "
                               "file system of '%s' has %.3g GB free (write fewer records, or "
                               "compress them with [output] deflate)",
                               cfg->path, records, bytes / 1e9, c->path, free_bytes / 1e9);
        }
    }
    return FC_OK;
}

/* The output file, defined whole. */
static int create_output(run_ctx *c, fc_err *err)
{
    const fc_run_opts *o = c->o;
    const fc_solver_desc *s = c->sim.s;

    fc_diag_spec *diags = malloc((size_t)c->ndiags * sizeof *diags);
    if (!diags)
        return fc_fail(err, FC_ENOMEM, "out of memory");
    memcpy(diags, s->io.diags, s->io.ndiags * sizeof *diags);
    if (s->io.nstep_stats)
        memcpy(diags + s->io.ndiags, s->io.step_stats, s->io.nstep_stats * sizeof *diags);
    memcpy(diags + s->io.ndiags + s->io.nstep_stats, run_diags, sizeof run_diags);
    for (int k = 0; k < c->nwritten; k++)
        diags[k] = diags[c->written[k]]; /* written[k] >= k */
    char hist[8192];
    fc_cf_history(hist, sizeof hist,
                  o->command_line ? o->command_line : "flowcast run (library call)");
    const fc_sim *sim = &c->sim;
    const char *title = fc_cfg_str(&sim->cfg, "case", "title");
    /* The definitions of a file written in parallel are every process's alike: the first's
     * history (its clock) and device. */
    if (c->parallel) {
        fc_ranks_share(hist, sizeof hist);
        fc_ranks_share(c->device, sizeof c->device);
    }
    fc_ncio_meta meta = {&sim->cfg,  s,      sim->params, &sim->grid,
                         *title ? title : sim->cfg.name, hist, c->device, diags, c->nwritten,
                         c->netcdf4, (int)fc_cfg_int(&sim->cfg, "output", "deflate"),
                         fc_ranks_self()->size, c->parallel ? &sim->block : NULL, {1, 1},
                         NULL};
    fc_split_layout(sim->split, &meta.layout[0], &meta.layout[1]);
    /* The series first, by the first process alone and in CDF-5 (readable while the run goes
     * on, whatever the output's format): a failure of either leaves neither behind. */
    fc_ncio_meta series = meta;
    series.netcdf4 = series.deflate = 0;
    series.block = NULL;
    series.series_of = c->path;
    int st = FC_OK;
    if (c->series_interval > 0 && writer())
        st = fc_ncio_create(c->series_path, o->overwrite, &series, &c->series, err);
    if (c->parallel) /* every process creates the output together */
        st = fc_ranks_agree(st, err);
    if (!st && (st = fc_ncio_create(c->path, o->overwrite, &meta, &c->out, err)) && c->series) {
        fc_err ignored;
        fc_ncio_close(c->series, &ignored);
        c->series = NULL;
        unlink(c->series_path);
    }
    free(diags);
    return st;
}

/* A file the case reads (an initial state, a body's shape: a string key named path or file
 * outside [output]) that is the output file: "[section] key = value", or "" for none. The run
 * would replace what it starts from, so that neither it nor its record of the case could be
 * repeated. */
static void input_is_output(const fc_config *cfg, const char *output, char *what, size_t len)
{
    what[0] = '\0';
    for (size_t k = 0; k < cfg->n && !what[0]; k++) {
        const fc_value *v = &cfg->v[k];
        if (v->key->type != FC_KEY_STRING || v->line < -1 || !v->text || !v->text[0] ||
            !strcmp(v->key->section, "output") ||
            (strcmp(v->key->name, "path") && strcmp(v->key->name, "file")))
            continue;
        char *path = fc_cfg_path(cfg, v->key->section, v->key->name);
        if (path && fc_same_file(path, output))
            snprintf(what, len, "[%s] %s = %s", v->key->section, v->key->name, v->text);
        free(path);
    }
}

/* Everything before the first record: every input is checked before the output file exists. */
static int setup(run_ctx *c, fc_err *err)
{
    const fc_run_opts *o = c->o;
    fc_config cfg;
    const int loaded = fc_config_load(o->case_path, o->sets, o->nsets, o->solvers, &cfg, err);
    int st = fc_ranks_agree(loaded, err);
    if (st) {
        if (loaded == FC_OK) /* loaded here, not on another process */
            fc_config_free(&cfg);
        return st;
    }
    const fc_solver_desc *s = cfg.solver;
    if (writer()) /* every process names the file as the first does (a default folder made) */
        output_path(c, &cfg);
    fc_ranks_share(c->path, sizeof c->path);
    c->series_interval = fc_cfg_real(&cfg, "output", "series_interval");
    const int series = c->series_interval > 0;
    if (series)
        series_path(c);
    /* Multiples of an interval that small would overflow the count (and a double resolves no
     * step between them): it samples every step, as it would. */
    c->every_step = series && fc_cfg_real(&cfg, "time", "t_end") / c->series_interval > 1e15;
    int kind = FC_BACKEND_CPU;
    char input[1200];
    if (o->threads < 0)
        st = fc_fail(err, FC_EINPUT, "--threads must be positive, not %d", o->threads);
    else if (o->regrid && !o->restart)
        st = fc_fail(err, FC_EINPUT, "--regrid interpolates a restart file: give it with "
                     "--restart FILE");
    else if (o->restart && fc_same_file(o->restart, c->path))
        st = fc_fail(err, FC_EINPUT,
                     "the output file '%s' is the restart file: give another with -o", c->path);
    else if (input_is_output(&cfg, c->path, input, sizeof input), input[0])
        st = fc_fail(err, FC_EINPUT, "the output file '%s' is the case's input %s: give another "
                     "with -o", c->path, input);
    else if (series && o->restart && fc_same_file(o->restart, c->series_path))
        st = fc_fail(err, FC_EINPUT, "the series file '%s' ([output] series_interval) is the "
                     "restart file: give the output another name with -o", c->series_path);
    else if (series && (input_is_output(&cfg, c->series_path, input, sizeof input), input[0]))
        st = fc_fail(err, FC_EINPUT, "the series file '%s' ([output] series_interval) is the "
                     "case's input %s: give the output another name with -o", c->series_path,
                     input);
    else if (!(st = fc_backend_select(o->device ? o->device : "auto", &kind, err)) &&
             !(kind == FC_BACKEND_GPU ? s->gpu : s->cpu))
        st = fc_fail(err, FC_ENODEV, "solver %s has no %s backend in this build", s->name,
                     kind == FC_BACKEND_GPU ? "GPU" : "CPU");
    if ((st = fc_ranks_agree(st, err))) {
        fc_config_free(&cfg);
        return st;
    }
    /* Every process on one backend: with --device auto, the CPU for all where one has no GPU
     * (--device gpu has failed on that one above). */
    if (fc_ranks_any(kind == FC_BACKEND_CPU) && kind == FC_BACKEND_GPU) {
        kind = FC_BACKEND_CPU;
        if (fc_ranks_self()->rank == 0)
            fc_warn("--device auto: a process of this job has no usable GPU, so every "
                    "process runs on the CPU");
    }
#ifdef _OPENMP
    if (o->threads > 0)
        omp_set_num_threads(o->threads);
#endif
    const fc_sim_restart from = {o->restart, o->regrid};
    if ((st = fc_sim_start(&c->sim, &cfg, kind == FC_BACKEND_GPU ? s->gpu : s->cpu,
                           o->restart ? &from : NULL, err)))
        return st;
    c->netcdf4 = fc_cfg_netcdf4(&c->sim.cfg);
    c->parallel = fc_sim_writes_blocks(&c->sim, c->netcdf4);
    /* The checks that read the output's file system are the first process's, and so is the
     * file unless every process writes it. */
    if ((c->parallel || writer()) && !(st = alloc_output(c, err)) && writer() &&
        !(st = fc_describe_device(kind, c->device, sizeof c->device, err)) &&
        !(st = check_run_size(c, err)) && series)
        st = fc_output_writable(c->series_path, "series file", o->overwrite,
                                "use -O/--overwrite to replace it, or -o to name the output "
                                "(and so the series) otherwise", err);
    if ((st = fc_ranks_agree(st, err)))
        return st;
    if (c->parallel || writer())
        st = create_output(c, err);
    return fc_ranks_agree(st, err);
}

static void free_output(run_ctx *c)
{
    for (size_t k = 0; c->packed && k < c->sim.s->io.nvars; k++)
        free(c->packed[k]);
    free(c->packed);
    free(c->diags);
    free(c->written);
    free(c->values);
}

static void teardown(run_ctx *c)
{
    free_output(c);
    fc_sim_close(&c->sim);
}

/* After a step that gave a bad state (err says where): the last good state becomes a record
 * unless it is one already, and err says what the file holds. */
static int keep_last_good(run_ctx *c, double t_last, fc_err *err)
{
    int st = FC_OK;
    fc_err werr = {{0}};
    if (c->sim.t > t_last && !(st = write_record(c, NULL, &werr))) {
        t_last = c->sim.t;
        /* The series holds every record; it may have this state already (a sample). */
        if (c->series_interval > 0 && c->sim.t > c->series_last)
            st = sample_series(c, NULL, 1, &werr);
    }
    fc_err_append(err, "  the run stops; '%s' holds every record up to t = %.9g s (the last good "
                  "state)", c->path, t_last);
    if (st)
        fc_err_append(err, "  the last good state could not be written: %s", werr.msg);
    return FC_ENUMERIC;
}

/* After a failure to write a sample of the series (a full disk, a lost mount; err says
 * which): what both files hold. */
static void series_failed(const run_ctx *c, double t_last, const char *go_on, fc_err *err)
{
    fc_err_append(err, "  the run stops at t = %.9g s; '%s' holds every record up to t = %.9g s "
                  "and '%s' every sample up to t = %.9g s (make room, then %s)",
                  c->sim.t, c->path, t_last, c->series_path, c->series_last, go_on);
}

/* The closing line of a run. */
static void summary(const run_ctx *c, const fc_run_result *res, const double *stat_sum)
{
    const fc_sim *sim = &c->sim;
    const fc_solver_desc *s = sim->s;
    const double cells = (double)sim->grid.nx * sim->grid.ny;
    const double bpc = s->cost.bytes_per_cell_step(sim->params);
    const long long steps = res->steps;
    char halving_note[128];
    snprintf(halving_note, sizeof halving_note,
             "; %lld steps retried with half the time step to keep depths positive",
             res->halvings);
    char d1[32], d2[32], drift[160] = "", stats[256] = "", threads[160] = "", split[200] = "";
    char written[160], series[4300] = "";
    snprintf(written, sizeof written, "%.3g s", c->output_wall);
    if (c->series)
        snprintf(series, sizeof series, " and %d samples of the diagnostics in %s",
                 fc_ncio_records(c->series), c->series_path);
    if (sim->split) { /* what the split cost the first process */
        double exchange, reduce, gather;
        fc_split_seconds(sim->split, &exchange, &reduce, &gather);
        exchange -= c->output_exchange; /* the steps' own */
        reduce -= c->output_reduce;
        snprintf(written + strlen(written), sizeof written - strlen(written), ", %s",
                 c->parallel ? "every process writing its block"
                             : "gathered onto the first process, which writes");
        const double per = res->step_wall > 0 ? 100 / res->step_wall : 0;
        if (exchange > 0) /* not for a solver whose transforms exchange within (spectral) */
            snprintf(split, sizeof split,
                     "; halo exchanges %.3g s and reductions %.3g s (%.0f %% and %.0f %% of the "
                     "steps)",
                     exchange, reduce, exchange * per, reduce * per);
    }
    if (res->fewer_threads > 0)
        snprintf(threads, sizeof threads,
                 "; %lld of the steps on fewer than %d threads, as other processes kept cores "
                 "busy",
                 res->fewer_threads, res->threads);
    fc_run_drift_text(res, drift, sizeof drift - 2);
    if (drift[0])
        strcat(drift, "; ");
    for (size_t k = 0; k < s->io.nstep_stats && steps > 0; k++) {
        size_t len = strlen(stats);
        if (isfinite(stat_sum[k])) /* a statistic the case has no use for is NaN */
            snprintf(stats + len, sizeof stats - len, "%s%s %.3g",
                     len ? ", " : "; mean per step: ", s->io.step_stats[k].name,
                     stat_sum[k] / (double)steps);
    }
    fc_info("done: %lld steps to t = %.9g s in %s (steps %s); %.2f Mcell-updates/s, %.2f GB/s "
            "effective (%.0f B per cell-step, the least a step must move); %s%d records in "
            "%s%s (%s)%s%s%s%s",
            steps, res->t, fc_format_duration(res->wall, d1, sizeof d1),
            fc_format_duration(res->step_wall, d2, sizeof d2),
            res->step_wall > 0 ? cells * steps / res->step_wall / 1e6 : 0,
            res->step_wall > 0 ? bpc * cells * steps / res->step_wall / 1e9 : 0, bpc, drift,
            fc_ncio_records(c->out), c->path, series, written,
            res->halvings ? halving_note : "", stats,
            threads, split);
}

static int run_case(const fc_run_opts *o, fc_run_result *res, fc_err *err)
{
    run_ctx c;
    memset(&c, 0, sizeof c);
    memset(res, 0, sizeof *res);
    c.o = o;
    err->msg[0] = '\0';
    int st = setup(&c, err);
    if (st) {
        teardown(&c); /* the output file is created last: nothing was written */
        return st;
    }
    snprintf(res->output, sizeof res->output, "%s", c.path);
    fc_sim *sim = &c.sim;
    const fc_solver_desc *s = sim->s;

    const double t_end = fc_cfg_real(&sim->cfg, "time", "t_end");
    const double interval = fc_cfg_real(&sim->cfg, "output", "interval");
    const double max_steps = fc_cfg_real(&sim->cfg, "time", "max_steps");
    const double steady_tol = fc_cfg_real(&sim->cfg, "time", "steady_tol");
    long long next = interval > 0 ? next_output(sim->t, interval) : 0;
    double t_last = sim->t, mass0 = 0, wall0 = fc_now(), step_wall = 0;
    double stat_sum[FC_MAX_STEP_STATS] = {0}; /* of the solver's step statistics, for the summary */
    const int conserved = s->io.conserved_diag;
    long long steps0 = sim->steps;
    fc_progress prog;
    fc_governor gov; /* the threads follow what other processes leave free (machine_load.h) */
    fc_governor_start(&gov);

    if ((st = write_record(&c, NULL, err)) || (c.series_interval > 0 &&
                                               (st = sample_series(&c, NULL, 1, err))))
        goto done;
    if (conserved >= 0 && c.diags)
        mass0 = c.diags[conserved];
    char job[128] = ""; /* the processes, on a split grid */
    if (sim->split) {
        int px, py;
        fc_split_layout(sim->split, &px, &py);
        snprintf(job, sizeof job, " on %d processes (%d x %d blocks of about %d x %d)",
                 px * py, px, py, sim->block.nx, sim->block.ny);
    }
    char regridded[96] = "";
    if (sim->restart_from[0])
        snprintf(regridded, sizeof regridded, " (its %d x %d cells interpolated)",
                 sim->restart_from[0], sim->restart_from[1]);
    if (o->restart)
        fc_info("%s: solver %s, continued from t = %.9g s of %s%s, %d x %d cells%s, %s, %s "
                "precision -> %s",
                sim->cfg.path, s->name, sim->t, o->restart, regridded, sim->grid.nx,
                sim->grid.ny, job, c.device, FC_PRECISION, c.path);
    else
        fc_info("%s: solver %s, initial condition %s, %d x %d cells%s, %s, %s precision -> %s",
                sim->cfg.path, s->name,
                s->schema.ics[fc_cfg_choice(&sim->cfg, "initial", "type")].name,
                sim->grid.nx, sim->grid.ny, job, c.device, FC_PRECISION, c.path);
    for (const char *line = sim->case_note; *line;) {
        const int n = (int)strcspn(line, "\n");
        fc_warn("%.*s", n, line);
        line += n + (line[n] == '\n');
    }
    if (sim->restart_note[0])
        fc_warn("%s", sim->restart_note);
    /* What to do after a stop that leaves whole records. */
    char go_on_buf[4200];
    snprintf(go_on_buf, sizeof go_on_buf, "continue with --restart %s -o NEW.nc", c.path);
    const char *go_on = o->how_to_go_on ? o->how_to_go_on : go_on_buf;
    fc_progress_start(&prog, sim->t, t_end, (double)sim->grid.nx * sim->grid.ny,
                      o->quiet || fc_log_quiet() || !writer());

    while (sim->t < t_end) {
        const double target = interval > 0 ? fmin((double)next * interval, t_end) : t_end;
        if ((double)(sim->steps - steps0) >= max_steps) {
            fc_progress_end(&prog);
            st = fc_fail(err, FC_ENUMERIC,
                         "the run reached [time] max_steps = %.3g at model time t = %.9g s: it "
                         "stops; '%s' holds every record up to t = %.9g s (raise the limit with "
                         "--set time.max_steps=N and %s)",
                         max_steps, sim->t, c.path, t_last, go_on);
            goto done;
        }
        int landed;
        const double w = fc_now();
        st = fc_sim_step_toward(sim, target, &landed, err);
        step_wall += fc_now() - w;
        fc_governor_step(&gov);
        if (st == FC_ENUMERIC && sim->last.bad) {
            fc_progress_end(&prog);
            st = keep_last_good(&c, t_last, err);
            goto done;
        }
        if (st)
            goto done;
        for (size_t k = 0; k < s->io.nstep_stats; k++)
            stat_sum[k] += sim->last.stats[k];
        /* A steady state ends the run with a record of it. */
        const int steady = steady_tol > 0 && sim->last.change < steady_tol;
        int record = landed || steady;
        const int sample = sample_due(&c, steady || sim->t >= t_end);
        if (sample && !record && (st = sample_series(&c, &sim->last, 0, err))) {
            if (st != FC_ENUMERIC) {
                fc_progress_end(&prog);
                series_failed(&c, t_last, go_on, err);
                goto done;
            }
            record = 1; /* of the state the diagnosis found wrong, which then says why */
        }
        if (record) {
            if ((st = write_record(&c, &sim->last, err))) {
                fc_progress_end(&prog);
                if (st == FC_ENUMERIC) /* the diagnosis's verdict, on a record it wrote */
                    fc_err_append(err, "  the run stops at t = %.9g s; '%s' holds every record "
                                  "up to it, the last showing the fault",
                                  sim->t, c.path);
                else /* a full disk or a lost mount: the records synced before are whole */
                    fc_err_append(err, "  the run stops at t = %.9g s; '%s' holds every record "
                                  "up to t = %.9g s (make room, then %s)",
                                  sim->t, c.path, t_last, go_on);
                goto done;
            }
            t_last = sim->t;
            next += landed;
            if (c.series_interval > 0 && (st = sample_series(&c, &sim->last, 1, err))) {
                fc_progress_end(&prog);
                series_failed(&c, t_last, go_on, err);
                goto done;
            }
        }
        if (steady) {
            res->steady = 1;
            fc_progress_end(&prog);
            fc_info("steady: the state changes by %.3g per second (< [time] steady_tol = %g) at "
                    "t = %.9g s",
                    sim->last.change, steady_tol, sim->t);
            break;
        }
        /* A signal may reach the processes of a job steps apart: they stop together. */
        if (o->stop && fc_ranks_any(*o->stop) && sim->t < t_end) {
            fc_progress_end(&prog);
            st = fc_fail(err, FC_EINTR,
                         "interrupted at model time t = %.9g s; '%s' holds every record up to "
                         "t = %.9g s (%s)",
                         sim->t, c.path, t_last, go_on);
            goto done;
        }
        fc_progress_update(&prog, sim->t, sim->steps - steps0);
    }
    fc_progress_end(&prog);

done:
    fc_governor_end(&gov);
    res->threads = gov.max;
    res->fewer_threads = gov.fewer;
    res->steps = sim->steps - steps0;
    res->halvings = sim->halvings;
    res->t = sim->t;
    res->wall = fc_now() - wall0;
    res->step_wall = step_wall;
    res->records = c.out ? fc_ncio_records(c.out) : 0;
    if (!st && writer()) {
        if (conserved >= 0) {
            res->drift_relative = mass0 != 0;
            res->drift = mass0 != 0 ? (c.diags[conserved] - mass0) / fabs(mass0)
                                    : c.diags[conserved] - mass0;
            res->drift_of = s->io.diags[conserved].name;
            res->drift_units = s->io.diags[conserved].units;
            for (int side = 0; side < 4; side++)
                res->drift_open |= sim->grid.bc[side] == FC_BC_OPEN ||
                                   sim->grid.bc[side] == FC_BC_INFLOW;
        }
        summary(&c, res, stat_sum);
    }
    for (int k = 0; k < 2; k++) {
        fc_err cerr = {{0}};
        int cst = fc_ncio_close(k ? c.series : c.out, &cerr);
        if (cst && !st) {
            st = cst;
            *err = cerr;
        }
    }
    teardown(&c);
    return st;
}

/* A quiet run silences the log for its own length only: a caller running several (an
 * ensemble) keeps its own lines. */
void fc_run_drift_text(const fc_run_result *res, char *buf, size_t len)
{
    const char *word = res->drift_open ? "change" : "drift";
    const char *through = res->drift_open ? ", through the open and inflow sides" : "";
    if (!res->drift_of)
        snprintf(buf, len, "%s", "");
    else if (res->drift_relative)
        snprintf(buf, len, "%s %s %.2e (relative%s)", res->drift_of, word, res->drift, through);
    else
        snprintf(buf, len, "%s %s %.3g %s (from none%s)", res->drift_of, word, res->drift,
                 res->drift_units ? res->drift_units : "", through);
}

int fc_run(const fc_run_opts *o, fc_run_result *res, fc_err *err)
{
    const int was_quiet = fc_log_quiet();
    if (o->quiet)
        fc_log_set_quiet(1);
    const int st = run_case(o, res, err);
    fc_log_set_quiet(was_quiet);
    return st;
}

int fc_run_time_record(fc_sim *sim, const char *path, int netcdf4, double *seconds,
                       fc_err *err)
{
    const fc_run_opts o = {.overwrite = 1, .command_line = "flowcast bench (a record, timed)"};
    run_ctx c;
    memset(&c, 0, sizeof c);
    c.o = &o;
    c.sim = *sim; /* borrowed: downloaded into, not closed */
    c.netcdf4 = netcdf4;
    c.parallel = fc_sim_writes_blocks(sim, netcdf4);
    snprintf(c.path, sizeof c.path, "%s", path);
    *seconds = NAN;
    const int kind = strcmp(sim->ops->backend, "gpu") ? FC_BACKEND_CPU : FC_BACKEND_GPU;
    int st = FC_OK;
    if ((c.parallel || writer()) && !(st = alloc_output(&c, err)) && writer())
        st = fc_describe_device(kind, c.device, sizeof c.device, err);
    if (!(st = fc_ranks_agree(st, err)) && (c.parallel || writer()))
        st = create_output(&c, err);
    if (!(st = fc_ranks_agree(st, err))) {
        fc_ranks_max(0); /* a common start */
        const double w = fc_now();
        st = write_record(&c, NULL, err);
        *seconds = fc_ranks_max(fc_now() - w);
    }
    fc_err cerr = {{0}};
    const int created = c.out != NULL;
    if (fc_ncio_close(c.out, &cerr) && !st) {
        st = FC_EIO;
        *err = cerr;
    }
    if (writer() && created)
        unlink(c.path);
    free_output(&c);
    return fc_ranks_agree(st, err);
}
