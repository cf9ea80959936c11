/* scaling_report.c: the Markdown, CSV, NetCDF and PNG outputs of `flowcast bench --ranks`. */
#include <fc_build.h>

#include "src/bench/scaling_report.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include "src/bench/bench_report.h"
#include "src/core/backend.h"
#include "src/core/sim.h"
#include "src/plot/plot.h"

/* The columns of the CSV and the NetCDF variables, in the same order. */
enum {
    C_SOLVER, C_SCALING, C_N, C_NX, C_NY, C_RANKS, C_PX, C_PY, C_THREADS, C_STEPS, C_T, C_TMIN,
    C_TMAX, C_EFF, C_SHARE, C_REDUCE, C_GATHER, C_CDF5, C_NETCDF4, C_OVER, C_NOTE, NCOLS
};
static const fc_bench_col cols[NCOLS] = {
    {"solver", "solver", "", FC_BENCH_TEXT},
    {"scaling", "strong (the same grid on every count) or weak (an n x n block per process)", "",
     FC_BENCH_TEXT},
    {"n", "strong: the grid is n x n; weak: each process's block is n x n", "1", FC_BENCH_INT},
    {"nx", "cells of the whole grid along x", "1", FC_BENCH_INT},
    {"ny", "cells of the whole grid along y", "1", FC_BENCH_INT},
    {"ranks", "processes", "1", FC_BENCH_INT},
    {"px", "processes along x", "1", FC_BENCH_INT},
    {"py", "processes along y", "1", FC_BENCH_INT},
    {"threads", "OpenMP threads of each process", "1", FC_BENCH_INT},
    {"steps", "timed steps", "1", FC_BENCH_INT},
    {"t_median", "the slowest process's time per step, median of the runs", "s", FC_BENCH_REAL},
    {"t_min", "fastest run, time per step", "s", FC_BENCH_REAL},
    {"t_max", "slowest run, time per step", "s", FC_BENCH_REAL},
    {"efficiency", "strong: t(1) / (N t(N)); weak: t(1) / t(N); missing without t(1)", "1", FC_BENCH_REAL},
    {"exchange_share", "the first process's share of a step in halo exchanges (waiting for "
                       "its neighbours included); missing: inside the FFTs (spectral)",
     "1", FC_BENCH_REAL},
    {"reduction_share", "the first process's share of a step in the reductions of the steps' "
                        "rates and reports (mostly waiting for the slowest process); "
                        "missing: spectral's slabs, whose sums are their own",
     "1", FC_BENCH_REAL},
    {"gather_s", "time to gather the whole state onto the first process", "s", FC_BENCH_REAL},
    {"record_cdf5_s", "time to write one output record, CDF-5 " FC_CDF5_PARALLEL_WAY
                      " (median of 3)", "s", FC_BENCH_REAL},
    {"record_netcdf4_s", "time to write one output record, NetCDF-4 with every process writing "
                         "its block (median of 3)", "s", FC_BENCH_REAL},
    {"oversubscribed", "1: more threads than the machine's cores", "1", FC_BENCH_INT},
    {"note", "why a row was skipped", "", FC_BENCH_TEXT},
};

int fc_scaling_report_check(fc_scaling_report *r, const char *prefix, int overwrite, int plots,
                            const char *also, fc_err *err)
{
    memset(r, 0, sizeof *r);
    r->tables.nc.ncid = -1;
    snprintf(r->tables.csv_path, sizeof r->tables.csv_path, "%s_ranks.csv", prefix);
    snprintf(r->tables.nc_path, sizeof r->tables.nc_path, "%s_ranks.nc", prefix);
    snprintf(r->png_path, sizeof r->png_path, "%s_ranks.png", prefix);
    const char *paths[] = {r->tables.csv_path, r->tables.nc_path, plots ? r->png_path : NULL,
                           also};
    return fc_bench_refuse_existing(paths, 4, overwrite, err);
}

/* What the rows share: the machine, the job and the repeats (define mode). */
typedef struct scaling_setting {
    const fc_scaling_opts *o;
    int processes;
    const char *cpu;
} scaling_setting;

static int describe(fc_cf_file *f, const void *ctx, fc_err *err)
{
    const scaling_setting *set = ctx;
    const int cores = (int)sysconf(_SC_NPROCESSORS_ONLN), repeats = set->o->repeats;
    int st;
    if ((st = fc_cf_att_text(f, NC_GLOBAL, "cpu", set->cpu, err)) ||
        (st = fc_cf_att_text(f, NC_GLOBAL, "precision", FC_PRECISION, err)) ||
        (st = fc_cf_att_text(f, NC_GLOBAL, "cpu_compiler", FC_CC_FLAGS, err)) ||
        (st = fc_cf_att_int(f, NC_GLOBAL, "processes", 1, &set->processes, err)) ||
        (st = fc_cf_att_int(f, NC_GLOBAL, "cores", 1, &cores, err)) ||
        (st = fc_cf_att_int(f, NC_GLOBAL, "repeats", 1, &repeats, err)))
        return st;
    return fc_cf_att_double(f, NC_GLOBAL, "min_seconds", 1, &set->o->min_seconds, err);
}

int fc_scaling_report_open(fc_scaling_report *r, const fc_scaling_opts *o, int processes,
                           const char *command, fc_err *err)
{
    char cpu[256];
    fc_cpu_model(cpu, sizeof cpu);
    const scaling_setting set = {o, processes, cpu};
    int st = fc_bench_tables_open(&r->tables, cols, NCOLS, 1,
                                  "flowcast bench --ranks: scaling over processes", command,
                                  describe, &set, err);
    if (st)
        return st;
    printf("# flowcast bench --ranks\n\nEach solver's benchmark case split over the "
           "processes of this job (%d; %s, %ld cores), %d OpenMP thread%s each. Strong: the "
           "same grid on every count, efficiency t(1) / (N t(N)); weak: an n x n block per "
           "process, efficiency t(1) / t(N). Time per step: the slowest process's, median "
           "(min-max) of %d runs lasting %g s together. Exchange and reductions: the first "
           "process's share of it in halo exchanges and in the reductions of the steps' rates "
           "and reports (waiting for the others included: the part that overlapping the "
           "exchange with interior work could hide is within the first). Gather: the whole state onto the first process, as a "
           "gathered record needs. Record: one output record (download, variables, "
           "diagnostics, write, sync) as a run writes it, CDF-5 " FC_CDF5_PARALLEL_WAY
           ", and NetCDF-4 with every process writing its block, into %s.\n\n"
           "| solver | scaling | grid | processes | layout | threads | ms per step | "
           "efficiency | exchange | reductions | gather (ms) | record CDF-5 (ms) | "
           "record NetCDF-4 (ms) | note |\n"
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
           processes, cpu, sysconf(_SC_NPROCESSORS_ONLN), o->threads, o->threads == 1 ? "" : "s",
           o->repeats, o->min_seconds, o->scratch);
    fflush(stdout);
    return FC_OK;
}

/* Whether the row's processes passed halos and reductions through the link: more than one,
 * and not spectral's slabs (their transposes and sums are their own, timed in the FFTs). */
static int linked(const fc_scaling_row *r)
{
    return r->ranks > 1 && r->exchange_share > 0;
}

/* The row's Markdown line. */
static void print_row(const fc_scaling_row *r)
{
    char layout[32], t[320], eff[16] = "-", share[16] = "-", reduce[16] = "-", gather[16] = "-";
    char note[96] = "";
    char cdf5[16] = "-", netcdf4[16] = "-";
    snprintf(layout, sizeof layout, "%dx%d", r->px, r->py);
    if (r->measured) {
        snprintf(t, sizeof t, "%.4g (%.4g-%.4g)", r->t_median * 1e3, r->t_min * 1e3,
                 r->t_max * 1e3);
        if (r->efficiency == r->efficiency)
            snprintf(eff, sizeof eff, "%.0f %%", 100 * r->efficiency);
        if (linked(r)) {
            snprintf(share, sizeof share, "%.0f %%", 100 * r->exchange_share);
            snprintf(reduce, sizeof reduce, "%.0f %%", 100 * r->reduce_share);
        } else if (r->ranks > 1) { /* spectral's slabs */
            snprintf(share, sizeof share, "in FFTs");
            snprintf(reduce, sizeof reduce, "in FFTs");
        }
        snprintf(gather, sizeof gather, "%.3g", r->gather * 1e3);
        snprintf(cdf5, sizeof cdf5, "%.3g", r->record_cdf5 * 1e3);
        snprintf(netcdf4, sizeof netcdf4, "%.3g", r->record_netcdf4 * 1e3);
    } else
        snprintf(t, sizeof t, "%s", r->note);
    if (r->oversubscribed)
        snprintf(note, sizeof note, "oversubscribed: %d threads on %d cores",
                 r->ranks * r->threads, r->cores);
    printf("| %s | %s | %d x %d | %d | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n",
           r->solver, r->weak ? "weak" : "strong", r->nx, r->ny, r->ranks, layout, r->threads, t,
           eff, share, reduce, gather, cdf5, netcdf4, note);
    fflush(stdout);
}

int fc_scaling_report_row(const fc_scaling_row *row, void *ctx, fc_err *err)
{
    fc_scaling_report *r = ctx;
    if (r->nrows < FC_SCALING_REPORT_MAX_ROWS)
        r->rows[r->nrows] = *row;
    print_row(row);
    /* What was not measured is missing (NaN: the fill value, an empty CSV field). */
    const double miss = NAN, m = row->measured;
    const double share = linked(row) ? row->exchange_share : row->ranks > 1 ? miss : 0;
    const double reduce = linked(row) ? row->reduce_share : row->ranks > 1 ? miss : 0;
    const double num[NCOLS] = {
        [C_N] = row->n, [C_NX] = row->nx, [C_NY] = row->ny, [C_RANKS] = row->ranks,
        [C_PX] = row->px, [C_PY] = row->py, [C_THREADS] = row->threads,
        [C_STEPS] = (double)row->steps, [C_OVER] = row->oversubscribed,
        [C_T] = m ? row->t_median : miss, [C_TMIN] = m ? row->t_min : miss,
        [C_TMAX] = m ? row->t_max : miss, [C_EFF] = m ? row->efficiency : miss,
        [C_SHARE] = m ? share : miss,
        [C_REDUCE] = m ? reduce : miss, [C_GATHER] = m ? row->gather : miss,
        [C_CDF5] = m ? row->record_cdf5 : miss, [C_NETCDF4] = m ? row->record_netcdf4 : miss,
    };
    const char *txt[NCOLS] = {[C_SOLVER] = row->solver, [C_SCALING] = row->weak ? "weak" : "strong",
                              [C_NOTE] = row->note};
    const int st = fc_bench_tables_row(&r->tables, num, txt, err);
    r->nrows += !st && r->nrows < FC_SCALING_REPORT_MAX_ROWS;
    return st;
}

/* PREFIX_ranks.png: the efficiency of each solver, size and kind against the processes. */
static int draw_chart(const fc_scaling_report *t, fc_err *err)
{
    static const long colors[] = {0x1f77b4, 0xd62728, 0x2ca02c, 0xff7f0e, 0x9467bd, 0x8c564b};
    enum { MAX_SERIES = 32 };
    fc_series ser[MAX_SERIES];
    char labels[MAX_SERIES][64];
    double xy[2 * FC_SCALING_REPORT_MAX_ROWS], ticks[FC_SCALING_MAX_COUNTS];
    int ns = 0, nticks = 0, used = 0, nsolvers = 0;
    for (int k = 0; k < t->nrows && ns < MAX_SERIES; k++) {
        const fc_scaling_row *a = &t->rows[k];
        int seen = 0, new_solver = 1; /* a series starts at its first row */
        for (int q = 0; q < k; q++) {
            seen |= !strcmp(t->rows[q].solver, a->solver) && t->rows[q].n == a->n &&
                    t->rows[q].weak == a->weak;
            new_solver &= strcmp(t->rows[q].solver, a->solver) != 0;
        }
        nsolvers += new_solver;
        if (seen)
            continue;
        double *x = xy + used, *y;
        int n = 0;
        for (int q = k; q < t->nrows; q++)
            if (!strcmp(t->rows[q].solver, a->solver) && t->rows[q].n == a->n &&
                t->rows[q].weak == a->weak)
                x[n++] = t->rows[q].ranks;
        y = x + n;
        n = 0;
        for (int q = k; q < t->nrows; q++)
            if (!strcmp(t->rows[q].solver, a->solver) && t->rows[q].n == a->n &&
                t->rows[q].weak == a->weak)
                y[n++] = 100 * t->rows[q].efficiency;
        used += 2 * n;
        snprintf(labels[ns], sizeof labels[ns], "%s %s, %d x %d%s", a->solver,
                 a->weak ? "weak" : "strong", a->n, a->n, a->weak ? " per process" : "");
        ser[ns] = (fc_series){x, y, (size_t)n, labels[ns],
                              a->weak ? FC_DASHED_MARKERS : FC_LINE_MARKERS,
                              colors[(nsolvers - 1) % 6]};
        ns++;
    }
    for (int k = 0; k < t->nrows; k++) {
        int seen = 0;
        for (int q = 0; q < nticks; q++)
            seen |= ticks[q] == t->rows[k].ranks;
        if (!seen && nticks < FC_SCALING_MAX_COUNTS)
            ticks[nticks++] = t->rows[k].ranks;
    }
    const fc_chart c = {"Parallel efficiency: strong (solid) and weak (dashed) scaling",
                        "flowcast bench --ranks; the slowest process's median time per step",
                        "processes", "efficiency (%)", 1, 0, ser, ns, 0, 120, ticks, nticks};
    int st = fc_chart_write_png(&c, 1000, 620, t->png_path, err);
    return st;
}

int fc_scaling_report_close(fc_scaling_report *r, int plots, fc_err *err)
{
    int st = fc_bench_tables_close(&r->tables, err);
    printf("\nRows: %s and %s\n", r->tables.csv_path, r->tables.nc_path);
    int measured = 0;
    for (int k = 0; k < r->nrows; k++)
        measured |= r->rows[k].measured;
    if (st || !plots || !measured)
        return st;
    if (!(st = draw_chart(r, err)))
        printf("Plot: %s\n", r->png_path);
    return st;
}
