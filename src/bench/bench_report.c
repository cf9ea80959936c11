/* bench_report.c: the Markdown, CSV, NetCDF and PNG outputs of `flowcast bench`. */
#include <fc_build.h>

#include "src/bench/bench_report.h"

#include <errno.h>
#include <math.h>
#include <netcdf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "src/core/cfwrite.h"
#include "src/core/files.h"
#include "src/core/hd.h"
#include "src/core/machine_load.h"
#include "src/plot/plot.h"

/* The CSV's columns (and the NetCDF variables, in the same order). */
enum {
    C_SOLVER, C_CASE, C_GRID, C_PRECISION, C_BACKEND, C_ROLE, C_THREADS, C_DEVICE, C_T, C_TMIN,
    C_TMAX, C_E2E, C_CUPS, C_GBS, C_BWFRAC, C_SP_ALL, C_SP_ONE, C_PRED, C_DIFF, C_JOULES,
    C_ESRC, C_CPU, C_OTHERS, C_LOAD0, C_LOAD1, C_NOTE, NCOLS
};
static const fc_bench_col cols[NCOLS] = {
    {"solver", "solver", "", FC_BENCH_TEXT},
    {"case", "the solver's benchmark case", "", FC_BENCH_TEXT},
    {"grid_n", "grid of n x n cells", "1", FC_BENCH_REAL},
    {"precision", "precision of the solver fields", "", FC_BENCH_TEXT},
    {"backend", "cpu or gpu", "", FC_BENCH_TEXT},
    {"role", "cpu_all (all threads), cpu_one (1 thread), cpu (other thread counts) or gpu", "", FC_BENCH_TEXT},
    {"threads", "OpenMP threads (CPU rows)", "1", FC_BENCH_REAL},
    {"device", "CPU model and threads, or GPU", "", FC_BENCH_TEXT},
    {"time_per_step", "median time per step over the repeats", "s", FC_BENCH_REAL},
    {"time_min", "fastest repeat, time per step", "s", FC_BENCH_REAL},
    {"time_max", "slowest repeat, time per step", "s", FC_BENCH_REAL},
    {"time_end_to_end", "time per step with the state copied in and out", "s", FC_BENCH_REAL},
    {"cell_updates_per_s", "cells times steps per second", "s-1", FC_BENCH_REAL},
    {"effective_bandwidth", "bytes the step must move (the solver's model) per second", "Gbyte s-1", FC_BENCH_REAL},
    {"bandwidth_fraction", "effective bandwidth over the measured copy bandwidth", "1", FC_BENCH_REAL},
    {"speedup_vs_allcore_cpu", "time per step of the all-thread CPU row over this one", "1", FC_BENCH_REAL},
    {"speedup_vs_1thread", "time per step of the 1-thread CPU row over this one", "1", FC_BENCH_REAL},
    {"predicted_speedup", "GPU copy bandwidth over the all-thread CPU copy bandwidth", "1", FC_BENCH_REAL},
    {"gpu_cpu_max_rel_diff", "largest field difference GPU - CPU after the warm-up steps, "
                             "over the field's largest magnitude", "1", FC_BENCH_REAL},
    {"energy_per_step", "energy per step (package or board counter); missing: not available", "J", FC_BENCH_REAL},
    {"energy_source", "what counted the energy, or why it could not be read", "", FC_BENCH_TEXT},
    {"cpu_time_per_step", "CPU time of the benchmark process per step over the timed repeats, "
                          "all its threads (GPU rows: the host's)", "s", FC_BENCH_REAL},
    {"other_processes_cores", "mean number of cores other processes kept busy during the timed "
                              "repeats; missing: unknown", "1", FC_BENCH_REAL},
    {"load_average_before", "the machine's 1-minute load average when the row began", "1", FC_BENCH_REAL},
    {"load_average_after", "the machine's 1-minute load average when the row ended", "1", FC_BENCH_REAL},
    {"note", "why a row was skipped", "", FC_BENCH_TEXT},
};

int fc_bench_refuse_existing(const char *const *paths, int n, int overwrite, fc_err *err)
{
    struct stat sb;
    for (int k = 0; k < n && !overwrite; k++)
        if (paths[k] && stat(paths[k], &sb) == 0)
            return fc_fail(err, FC_EINPUT,
                           "'%s' exists; it is left untouched (use -O/--overwrite to replace "
                           "the benchmark's files, or -o to write elsewhere)",
                           paths[k]);
    return FC_OK;
}

/* A CSV text field: commas and quotes would split it, so they become ';' and '\''. */
static void csv_text(FILE *f, const char *s)
{
    for (; *s; s++)
        fputc(*s == ',' ? ';' : *s == '"' ? '\'' : *s, f);
}

/* What was measured once, as the table's global attributes (define mode). */
static int describe(fc_cf_file *f, const void *ctx, fc_err *err)
{
    const fc_bench_ceilings *c = ctx;
    int st;
    const struct {
        const char *name, *value;
    } atts[] = {{"cpu", c->cpu_name},
                {"gpu", c->gpu_bw > 0 ? c->gpu_name : c->gpu_why},
                {"precision", FC_PRECISION},
                {"cpu_compiler", FC_CC_FLAGS},
                {"cpu_vector_clone", fc_vector_clone()},
                {"gpu_compiler", FC_NVCC_FLAGS}};
    for (size_t k = 0; k < sizeof atts / sizeof atts[0]; k++)
        if ((st = fc_cf_att_text(f, NC_GLOBAL, atts[k].name, atts[k].value, err)))
            return st;
    double bw[FC_BENCH_MAX_THREADS], gpu_bw = c->gpu_bw / 1e9;
    for (int k = 0; k < c->nthreads; k++)
        bw[k] = c->cpu_bw[k] / 1e9;
    if ((st = fc_cf_att_double(f, NC_GLOBAL, "cpu_copy_bandwidth_GB_s", (size_t)c->nthreads, bw,
                               err)) ||
        (st = fc_cf_att_int(f, NC_GLOBAL, "cpu_copy_threads", (size_t)c->nthreads, c->threads,
                            err)))
        return st;
    return fc_cf_att_double(f, NC_GLOBAL, "gpu_copy_bandwidth_GB_s", 1, &gpu_bw, err);
}

int fc_bench_tables_open(fc_bench_tables *t, const fc_bench_col *columns, int ncols, int overwrite,
                         const char *title, const char *command,
                         int (*describe_file)(fc_cf_file *nc, const void *ctx, fc_err *err),
                         const void *ctx, fc_err *err)
{
    t->cols = columns;
    t->ncols = ncols;
    t->rows = 0;
    t->nc.ncid = -1;
    if (!(t->csv = fopen(t->csv_path, "w")))
        return fc_fail(err, FC_EINPUT, "cannot create '%s': %s", t->csv_path, strerror(errno));
    for (int k = 0; k < ncols; k++)
        fprintf(t->csv, "%s%s", columns[k].name, k + 1 < ncols ? "," : "\n");
    fflush(t->csv);
    char hist[4200];
    fc_cf_history(hist, sizeof hist, command);
    const fc_cf_spec spec = {"benchmark file", overwrite, "use -O/--overwrite to replace it", 0, 0,
                             title, hist, 0};
    int row = 0, text_len = 0, st = fc_cf_create(&t->nc, t->nc_path, &spec, err);
    if (!st && !(st = fc_cf_def_dim(&t->nc, "row", NC_UNLIMITED, &row, err)))
        st = fc_cf_def_dim(&t->nc, "text_len", FC_BENCH_TEXT_LEN, &text_len, err);
    for (int k = 0; k < ncols && !st; k++) {
        const int dims[2] = {row, text_len}, text = columns[k].kind == FC_BENCH_TEXT;
        const nc_type type = text ? NC_CHAR : columns[k].kind == FC_BENCH_INT ? NC_INT : NC_DOUBLE;
        st = fc_cf_def_var(&t->nc, columns[k].name, type, text ? 2 : 1, dims,
                           columns[k].long_name, columns[k].units, &t->varid[k], err);
    }
    if (!st)
        st = describe_file(&t->nc, ctx, err);
    if (!st && !(st = fc_cf_enddef(&t->nc, err)))
        st = fc_cf_sync(&t->nc, err);
    if (st) {
        fclose(t->csv);
        t->csv = NULL;
        unlink(t->csv_path);
        fc_cf_discard(&t->nc);
    }
    return st;
}

int fc_bench_tables_row(fc_bench_tables *t, const double *num, const char *const *txt,
                        fc_err *err)
{
    const size_t one = 1;
    int st = FC_OK;
    for (int k = 0; k < t->ncols; k++) {
        if (t->cols[k].kind == FC_BENCH_TEXT) {
            csv_text(t->csv, txt[k] ? txt[k] : "");
            if (!st)
                st = fc_cf_put_text_row(&t->nc, t->varid[k], t->rows, FC_BENCH_TEXT_LEN,
                                        txt[k] ? txt[k] : "", err);
        } else {
            if (num[k] == num[k])
                fprintf(t->csv, t->cols[k].kind == FC_BENCH_INT ? "%.0f" : "%.6g", num[k]);
            if (!st) /* NaN (not measured) is stored as the fill value; NC_INT takes the value */
                st = fc_cf_put_double(&t->nc, t->varid[k], &t->rows, &one, &num[k], err);
        }
        fputc(k + 1 < t->ncols ? ',' : '\n', t->csv);
    }
    if (!st)
        st = fc_cf_sync(&t->nc, err);
    if (fflush(t->csv) != 0 || ferror(t->csv))
        return fc_fail(err, FC_EIO, "writing '%s': %s", t->csv_path, strerror(errno));
    t->rows += st == FC_OK;
    return st;
}

int fc_bench_report_check(fc_bench_report *r, const char *prefix, int overwrite, int plots,
                          fc_err *err)
{
    memset(r, 0, sizeof *r);
    r->tables.nc.ncid = -1;
    snprintf(r->tables.csv_path, sizeof r->tables.csv_path, "%s.csv", prefix);
    snprintf(r->tables.nc_path, sizeof r->tables.nc_path, "%s.nc", prefix);
    snprintf(r->png_speedup, sizeof r->png_speedup, "%s_speedup.png", prefix);
    snprintf(r->png_bandwidth, sizeof r->png_bandwidth, "%s_bandwidth.png", prefix);
    const char *paths[] = {r->tables.csv_path, r->tables.nc_path, plots ? r->png_speedup : NULL,
                           plots ? r->png_bandwidth : NULL};
    int st = fc_bench_refuse_existing(paths, 4, overwrite, err);
    /* (existing files were refused above: here only the folder) */
    return st ? st : fc_output_writable(r->tables.csv_path, "benchmark table", 1, "", err);
}

int fc_bench_report_open(fc_bench_report *r, int overwrite, const char *command,
                         const fc_bench_opts *o, const fc_bench_ceilings *c, fc_err *err)
{
    int st;
    if ((st = fc_bench_tables_open(&r->tables, cols, NCOLS, overwrite,
                                         "flowcast bench: time per step, CPU and GPU", command,
                                         describe, c, err)))
        return st;

    char stamp[64], text[1024];
    time_t now = time(NULL);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    printf("# flowcast bench\n\n%s (%s)\n\n", command, stamp);
    printf("- CPU: %s; copy bandwidth (STREAM-like, %.0f MB arrays):", c->cpu_name,
           (double)o->copy_bytes / 1e6);
    for (int k = 0; k < c->nthreads; k++)
        printf(" %.1f GB/s on %d thread%s%s", c->cpu_bw[k] / 1e9, c->threads[k],
               c->threads[k] == 1 ? "" : "s", k + 1 < c->nthreads ? "," : "");
    if (c->gpu_bw > 0)
        printf("\n- GPU: %s; device-to-device copy %.0f GB/s; bandwidth ratio GPU / all-thread "
               "CPU %.1f (the predicted speedup of a bandwidth-bound solver)",
               c->gpu_name, c->gpu_bw / 1e9, c->gpu_bw / c->cpu_bw[c->nthreads - 1]);
    else
        printf("\n- GPU: none measured: %s", c->gpu_why);
    snprintf(text, sizeof text, "%s", getenv("OMP_PROC_BIND") ? getenv("OMP_PROC_BIND") : "unset");
    printf("\n- precision %s; CPU code: %s, vectorised loops in their %s clone, OMP_PROC_BIND=%s, "
           "OMP_PLACES=%s; GPU code: %s\n",
           FC_PRECISION, FC_CC_FLAGS, fc_vector_clone(), text,
           getenv("OMP_PLACES") ? getenv("OMP_PLACES") : "unset",
           *FC_NVCC_FLAGS ? FC_NVCC_FLAGS : "not built");
    printf("- %d warm-up steps, then %d timed repeats lasting %.3g s together; median per step, "
           "spread min-max. GPU: CUDA events, device time; end-to-end adds copying the state "
           "in and out. Both sides take the same time step.\n\n",
           o->warmup, o->repeats, o->min_seconds);
    printf("| solver | case | grid | precision | device | time/step (ms) | min-max (ms) | "
           "end-to-end (ms) | Mcell/s | GB/s | %% of copy BW | vs all-core CPU | vs 1 thread | "
           "predicted | GPU-CPU diff | energy/step (J) | CPU time/step (ms) | others (cores) |\n"
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    fflush(stdout);
    return FC_OK;
}

static void fmt(char *buf, size_t len, const char *f, double v)
{
    if (v != v)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, f, v);
}

int fc_bench_report_row(const fc_bench_row *row, void *ctx, fc_err *err)
{
    fc_bench_report *r = ctx;
    char t[32], mm[48], e2e[32], cups[32], gbs[32], pct[32], sa[32], s1[32], pr[32], df[32], j[32],
        cpu[32], oth[40];
    fmt(t, sizeof t, "%.4g", row->t_median * 1e3);
    snprintf(mm, sizeof mm, "%.4g-%.4g", row->t_min * 1e3, row->t_max * 1e3);
    if (!row->measured)
        snprintf(mm, sizeof mm, "-");
    fmt(e2e, sizeof e2e, "%.4g", row->t_e2e * 1e3);
    fmt(cups, sizeof cups, "%.1f", row->cells_per_s / 1e6);
    fmt(gbs, sizeof gbs, "%.1f", row->gb_per_s);
    fmt(pct, sizeof pct, "%.0f", row->bw_fraction * 100);
    fmt(sa, sizeof sa, "%.2f", row->speedup_allcore);
    fmt(s1, sizeof s1, "%.2f", row->speedup_1thread);
    fmt(pr, sizeof pr, "%.1f", row->predicted);
    fmt(df, sizeof df, "%.1e", row->gpu_cpu_diff);
    fmt(cpu, sizeof cpu, "%.4g", row->cpu_per_step * 1e3);
    fmt(oth, sizeof oth, "%.2f", row->others);
    const int disturbed = row->measured && row->others >= FC_LOAD_OTHERS_WARN;
    if (disturbed) {
        strcat(oth, " (!)");
        r->disturbed_rows++;
    }
    if (row->joules >= 0)
        snprintf(j, sizeof j, "%.3g", row->joules);
    else {
        int k = 0;
        while (k < r->nnotes && strcmp(r->notes[k], row->energy_note))
            k++;
        if (k == r->nnotes && r->nnotes < 8 && row->measured)
            snprintf(r->notes[r->nnotes++], sizeof r->notes[0], "%s", row->energy_note);
        snprintf(j, sizeof j, "n/a");
    }
    printf("| %s | %s | %d x %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | "
           "%s | %s |%s%s\n",
           row->solver, row->case_name, row->n, row->n, FC_PRECISION, row->device, t, mm, e2e,
           cups, gbs, pct, sa, s1, pr, df, j, cpu, oth, row->measured ? "" : " ", row->note);
    fflush(stdout);

    const double num[NCOLS] = {
        [C_GRID] = row->n, [C_THREADS] = row->gpu ? NAN : row->threads,
        [C_T] = row->t_median, [C_TMIN] = row->t_min, [C_TMAX] = row->t_max, [C_E2E] = row->t_e2e,
        [C_CUPS] = row->cells_per_s, [C_GBS] = row->gb_per_s, [C_BWFRAC] = row->bw_fraction,
        [C_SP_ALL] = row->speedup_allcore, [C_SP_ONE] = row->speedup_1thread,
        [C_PRED] = row->predicted, [C_DIFF] = row->gpu_cpu_diff,
        [C_JOULES] = row->joules >= 0 ? row->joules : NAN, [C_CPU] = row->cpu_per_step,
        [C_OTHERS] = row->others, [C_LOAD0] = row->load_before, [C_LOAD1] = row->load_after,
    };
    const char *txt[NCOLS] = {
        [C_SOLVER] = row->solver, [C_CASE] = row->case_name, [C_PRECISION] = FC_PRECISION,
        [C_BACKEND] = row->gpu ? "gpu" : "cpu", [C_ROLE] = row->role, [C_DEVICE] = row->device,
        [C_ESRC] = row->energy_note, [C_NOTE] = row->note,
    };
    int st = fc_bench_tables_row(&r->tables, num, txt, err);
    if (st)
        return st;
    const int all_cpu = !strcmp(row->role, "cpu_all");
    if (row->measured && (row->gpu || all_cpu) && r->npoints < FC_BENCH_MAX_POINTS) {
        fc_bench_point *pt = &r->points[r->npoints++];
        snprintf(pt->solver, sizeof pt->solver, "%s", row->solver);
        pt->gpu = row->gpu;
        pt->n = row->n;
        pt->speedup = row->gpu ? row->speedup_allcore : row->speedup_1thread;
        pt->bw_fraction = row->bw_fraction;
    }
    r->nrows++;
    r->gpu_rows += row->gpu && row->measured;
    r->failed_rows += row->failed;
    return FC_OK;
}

/* One chart against the grid size: per solver, its GPU rows (solid) and all-thread CPU rows
 * (dashed) in one colour; y is the speedup (what = 0) or the percentage of the copy bandwidth. */
static int draw_chart(const fc_bench_report *r, int what, const char *path, fc_err *err)
{
    static const long colors[] = {0x1f77b4, 0xd62728, 0x2ca02c, 0xff7f0e, 0x9467bd, 0x8c564b};
    enum { MAX_SERIES = 24 };
    fc_series ser[MAX_SERIES];
    char labels[MAX_SERIES][64];
    double *xy = malloc(2 * (size_t)(r->npoints ? r->npoints : 1) * sizeof *xy);
    if (!xy)
        return fc_fail(err, FC_ENOMEM, "out of memory for the plots");
    int ns = 0, nsolvers = 0;
    size_t used = 0;
    for (int k = 0; k < r->npoints && ns + 2 <= MAX_SERIES; k++) {
        int seen = 0; /* a solver's series start at its first point */
        for (int q = 0; q < k && !seen; q++)
            seen = !strcmp(r->points[q].solver, r->points[k].solver);
        if (seen)
            continue;
        for (int gpu = 1; gpu >= 0; gpu--) {
            double *x = xy + used, *y;
            size_t n = 0;
            for (int q = k; q < r->npoints; q++)
                if (!strcmp(r->points[q].solver, r->points[k].solver) && r->points[q].gpu == gpu)
                    x[n++] = r->points[q].n;
            y = x + n;
            n = 0;
            for (int q = k; q < r->npoints; q++)
                if (!strcmp(r->points[q].solver, r->points[k].solver) && r->points[q].gpu == gpu)
                    y[n++] = what ? 100 * r->points[q].bw_fraction : r->points[q].speedup;
            if (!n)
                continue;
            used += 2 * n;
            snprintf(labels[ns], sizeof labels[ns], "%s %s", r->points[k].solver,
                     gpu ? "GPU" : "CPU all threads");
            ser[ns] = (fc_series){x, y, n, labels[ns], gpu ? FC_LINE_MARKERS : FC_DASHED_MARKERS,
                                  colors[nsolvers % 6]};
            ns++;
        }
        nsolvers++;
    }
    /* The bandwidth axis from 0; the grids measured are the x axis's ticks. */
    double top = 0;
    for (int k = 0; k < r->npoints; k++)
        top = fmax(top, 100 * r->points[k].bw_fraction);
    if (!(top > 0))
        top = 100;
    double grids[64];
    int ngrids = 0;
    for (int k = 0; k < r->npoints; k++) {
        int seen = 0;
        for (int q = 0; q < ngrids && !seen; q++)
            seen = grids[q] == r->points[k].n;
        if (!seen && ngrids < 64)
            grids[ngrids++] = r->points[k].n;
    }
    const fc_chart c = {
        what ? "Fraction of the measured copy bandwidth each solver reaches"
             : "Speedup: GPU over all-thread CPU (solid), all-thread CPU over 1 thread (dashed)",
        "flowcast bench; one step's median time over the repeats", "grid: n x n cells",
        what ? "effective bandwidth / copy bandwidth (%)" : "speedup", 1, !what, ser, ns, 0,
        what ? 1.08 * top : 0, grids, ngrids};
    int st = fc_chart_write_png(&c, 1000, 620, path, err);
    free(xy);
    return st;
}

int fc_bench_tables_close(fc_bench_tables *t, fc_err *err)
{
    int st = FC_OK;
    if (t->csv && fclose(t->csv) != 0)
        st = fc_fail(err, FC_EIO, "closing '%s': %s", t->csv_path, strerror(errno));
    t->csv = NULL;
    if (t->nc.ncid >= 0) {
        fc_err cerr;
        if (fc_cf_close(&t->nc, &cerr) && !st) {
            st = FC_EIO;
            *err = cerr;
        }
    }
    return st;
}

int fc_bench_report_close(fc_bench_report *r, int plots, fc_err *err)
{
    int st = fc_bench_tables_close(&r->tables, err);
    printf("\n");
    for (int k = 0; k < r->nnotes; k++)
        printf("Energy n/a: %s.\n", r->notes[k]);
    if (!r->gpu_rows)
        printf("GPU columns are empty: no GPU row was measured (see the GPU line above).\n");
    if (r->disturbed_rows)
        printf("Other processes kept %.2f cores or more busy during %d row%s (marked (!)): their "
               "wall times are not clean; compare CPU time/step, or rerun on an idle machine.\n",
               FC_LOAD_OTHERS_WARN, r->disturbed_rows, r->disturbed_rows == 1 ? "" : "s");
    printf("Rows: %s and %s (%d rows%s).\n", r->tables.csv_path, r->tables.nc_path, r->nrows,
           r->failed_rows ? ", some failed: see their notes" : "");
    if (st || !plots)
        return st;
    if (!r->npoints) {
        printf("Plots: none (no row was measured).\n");
        return FC_OK;
    }
    if ((st = draw_chart(r, 0, r->png_speedup, err)) ||
        (st = draw_chart(r, 1, r->png_bandwidth, err)))
        return st;
    printf("Plots: %s, %s.\n", r->png_speedup, r->png_bandwidth);
    return FC_OK;
}
