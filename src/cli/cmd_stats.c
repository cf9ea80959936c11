/* cmd_stats.c: `flowcast stats`, the statistics of a file's series (its variables over time
 * alone: a run's diagnostics, in its output or its _series.nc) over a window of time: extremes,
 * mean, spread, and the period, frequency and Strouhal number of a swing. The series are read
 * as plot reads them (src/plot/plotdata.h: every dimension and attribute checked, fill values
 * left out, only the records the file holds whole); the statistics are src/core/series_stats.h. */
#include <fc_build.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netcdf.h>

#include "src/cli/cmd.h"
#include "src/core/log.h"
#include "src/core/series_stats.h"
#include "src/plot/plotdata.h"

#define MAX_VARS 256
/* The spread of the single periods above which the table shows no period (the CSV does). */
#define IRREGULAR 0.5

static void stats_usage(FILE *f)
{
    fprintf(f,
            "usage: flowcast stats FILE.nc [--var V[,V...]]... [--from T] [--to T]\n"
            "                      [--length L --speed U] [--csv]\n\n"
            "The statistics of a file's series, its variables over time alone: the\n"
            "diagnostics of a flowcast run (drag and lift, energy, mass, dt, ...) in its\n"
            "output or, sampled between records ([output] series_interval), in its\n"
            "_series.nc; or any CF file's. For each, over the samples from --from to --to:\n"
            "  n, missing    the samples used, and those left out (missing values)\n"
            "  min, max      the smallest and largest, each with the time of its sample\n"
            "  mean, std     the mean and standard deviation of the samples\n"
            "  last          the last sample\n"
            "  period        where the series swings about its mean (three or more upward\n"
            "                crossings of it, each after a dip below mean - std/4): the time\n"
            "                from the first crossing to the last over the periods between,\n"
            "                the crossings interpolated between samples; spread: (longest -\n"
            "                shortest) / period of the single periods, near 0 for a steady\n"
            "                swing, large where it is not one (a start-up, noise); the\n"
            "                table shows no period where the spread is over 50 %%\n"
            "  frequency     1 / period (Hz when the times are in seconds)\n"
            "  Strouhal      f L / U, with --length and --speed\n\n"
            "  --var V       these series only (repeatable; default: every one)\n"
            "  --from T      the window's start, in the file's time units (flowcast's: s)\n"
            "  --to T        its end (default: the last sample)\n"
            "  --length L    a reference length (a cylinder's diameter) and\n"
            "  --speed U     a reference speed in L's units per second: the Strouhal number\n"
            "  --csv         comma-separated values instead of a table (missing: empty)\n\n"
            "Exit status: 0 printed, 2 bad usage or input.\n");
}

typedef struct stats_args {
    const char *file, *vars[MAX_VARS];
    int nvars, csv;
    double from, to, length, speed; /* NaN: not given */
} stats_args;

static int parse(int argc, char **argv, stats_args *a)
{
    enum { OPT_VAR = 256, OPT_FROM, OPT_TO, OPT_LENGTH, OPT_SPEED, OPT_CSV };
    static const struct option opts[] = {
        {"var", required_argument, NULL, OPT_VAR},       {"from", required_argument, NULL, OPT_FROM},
        {"to", required_argument, NULL, OPT_TO},         {"length", required_argument, NULL, OPT_LENGTH},
        {"speed", required_argument, NULL, OPT_SPEED},   {"csv", no_argument, NULL, OPT_CSV},
        {NULL, 0, NULL, 0},
    };
    *a = (stats_args){.from = NAN, .to = NAN, .length = NAN, .speed = NAN};
    int c, bad = 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case OPT_VAR:
            bad |= cmd_name_list("--var", optarg, a->vars, &a->nvars, MAX_VARS);
            break;
        case OPT_FROM:
            bad |= cmd_real("--from", optarg, -HUGE_VAL, HUGE_VAL, 0, &a->from);
            break;
        case OPT_TO:
            bad |= cmd_real("--to", optarg, -HUGE_VAL, HUGE_VAL, 0, &a->to);
            break;
        case OPT_LENGTH:
            bad |= cmd_real("--length", optarg, 0, HUGE_VAL, 1, &a->length);
            break;
        case OPT_SPEED:
            bad |= cmd_real("--speed", optarg, 0, HUGE_VAL, 1, &a->speed);
            break;
        case OPT_CSV:
            a->csv = 1;
            break;
        default:
            cmd_bad_option(c, argv, "stats", opts);
            bad = 1;
        }
    }
    if (bad)
        return bad;
    if (isnan(a->length) != isnan(a->speed)) {
        fc_error("--%s without --%s: the Strouhal number f L / U needs both",
                 isnan(a->length) ? "speed" : "length", isnan(a->length) ? "length" : "speed");
        bad = 1;
    }
    if (!isnan(a->from) && !isnan(a->to) && !(a->from < a->to)) {
        fc_error("--from %g --to %g: the window's start must come before its end", a->from,
                 a->to);
        bad = 1;
    }
    if (optind == argc) {
        fc_error("stats needs a NetCDF file (see flowcast stats --help)");
        bad = 1;
    } else if (optind + 1 < argc) {
        fc_error("stats takes one file (got '%s' after %s)", argv[optind + 1], argv[optind]);
        bad = 1;
    } else
        a->file = argv[optind];
    return bad;
}

/* The file's series when --var named none: its numeric variables on one dimension, not a
 * coordinate, that plot would draw as a line against time. Their names go into names[*n]
 * (malloc'd). */
static int find_series(const char *path, char **names, int *n, fc_err *err)
{
    int ncid, nvars;
    int st = fc_nc_open(path, "the file", &ncid, err);
    if (st)
        return st;
    nc_inq_nvars(ncid, &nvars);
    for (int v = 0; !st && v < nvars; v++) {
        char name[NC_MAX_NAME + 1], dim[NC_MAX_NAME + 1], coord[NC_MAX_NAME + 1];
        int ndims, dimid;
        nc_type type;
        if (nc_inq_var(ncid, v, name, &type, &ndims, NULL, NULL) != NC_NOERR || ndims != 1 ||
            type == NC_CHAR || type == NC_STRING || type > NC_MAX_ATOMIC_TYPE)
            continue;
        nc_inq_vardimid(ncid, v, &dimid);
        nc_inq_dimname(ncid, dimid, dim);
        if (!strcmp(name, dim) || fc_nc_bounds_of(ncid, name, coord))
            continue;
        fc_plotdata d;
        if ((st = fc_pd_open(&d, path, name, err)))
            break;
        if (d.shape == FC_PD_SERIES && *n == MAX_VARS)
            st = fc_fail(err, FC_EINPUT, "%s has more than %d series: name those to measure "
                         "with --var", path, MAX_VARS);
        else if (d.shape == FC_PD_SERIES && !(names[*n] = strdup(name)))
            st = fc_fail(err, FC_ENOMEM, "out of memory for the names of %s's series", path);
        else if (d.shape == FC_PD_SERIES)
            ++*n;
        fc_pd_close(&d);
    }
    if (!st && !*n) {
        char list[1024];
        fc_nc_list_vars(ncid, 0, NC_MAX_VAR_DIMS, list, sizeof list);
        st = fc_fail(err, FC_EINPUT, "%s has no series (a variable over time alone); its "
                     "variables: %s", path, list[0] ? list : "none");
    }
    fc_nc_close(ncid);
    return st;
}

/* One series' statistics over the window, and what the table's heading says of the window. */
typedef struct measured {
    const char *name;
    char units[128];
    fc_series_stats s;
    double frequency, strouhal; /* NaN where there is none */
    size_t used, held;          /* records in the window, and in the file */
    double t0, t1, first, last; /* the window's first and last times; the file's */
    char time_units[160];       /* "s of model time", "days since 1970-01-01", "records" */
    int seconds;                /* the times are in seconds */
} measured;

/* Reads name over the window and measures it; FC_EINPUT when it is no series or the window
 * holds none of its records. */
static int measure(const stats_args *a, const char *name, measured *m, fc_err *err)
{
    fc_plotdata d;
    int st = fc_pd_open(&d, a->file, name, err);
    if (st)
        return st;
    if (d.shape != FC_PD_SERIES) {
        st = fc_fail(err, FC_EINPUT, "%s: '%s' is not a series (a variable over time alone)",
                     a->file, name);
        fc_pd_close(&d);
        return st;
    }
    double *x = malloc((d.nrec ? d.nrec : 1) * sizeof *x);
    if (!x)
        st = fc_fail(err, FC_ENOMEM, "out of memory for %zu samples of %s", d.nrec, name);
    if (!st)
        st = fc_pd_read(&d, 0, x, err);
    size_t k0 = 0, k1 = d.nrec; /* the window: [k0, k1) */
    while (k0 < d.nrec && !isnan(a->from) && d.times[k0] < a->from)
        k0++;
    while (k1 > k0 && !isnan(a->to) && d.times[k1 - 1] > a->to)
        k1--;
    const char *units = d.time_index ? "records" : d.time_units;
    if (!st && k0 == k1) {
        if (d.nrec)
            st = fc_fail(err, FC_EINPUT, "%s: no sample of %s from %g to %g (its times run from "
                         "%g to %g %s)", a->file, name, isnan(a->from) ? d.times[0] : a->from,
                         isnan(a->to) ? d.times[d.nrec - 1] : a->to, d.times[0],
                         d.times[d.nrec - 1], units);
        else
            st = fc_fail(err, FC_EINPUT, "%s: %s has no complete record", a->file, name);
    }
    const double seconds = fc_pd_seconds_per_unit(&d);
    if (!st && !isnan(a->length) && seconds <= 0)
        st = fc_fail(err, FC_EINPUT, "--length, --speed: the times of %s are in %s, not a unit "
                     "of time that a Strouhal number can use", a->file,
                     d.time_units[0] ? d.time_units : "no units");
    if (!st) {
        *m = (measured){.name = name, .used = k1 - k0, .held = d.nrec, .t0 = d.times[k0],
                        .t1 = d.times[k1 - 1], .first = d.times[0],
                        .last = d.times[d.nrec - 1], .seconds = seconds == 1};
        snprintf(m->units, sizeof m->units, "%s", d.units);
        snprintf(m->time_units, sizeof m->time_units, "%s",
                 d.flowcast && seconds == 1 ? "s of model time" : units);
        fc_series_stats_of(d.times + k0, x + k0, k1 - k0, &m->s);
        m->frequency = 1 / m->s.period;
        m->strouhal = m->frequency / seconds * a->length / a->speed; /* NaN without them */
    }
    free(x);
    fc_pd_close(&d);
    return st;
}

/* One number for the table to digits significant digits: "-" when it is not there. */
static void cell(char *buf, size_t len, double x, int digits)
{
    if (isfinite(x))
        snprintf(buf, len, "%.*g", digits, x);
    else
        snprintf(buf, len, "-");
}

/* Text for CSV, quoted where it holds a comma, a quote or a line end (RFC 4180). */
static void csv_text(const char *t)
{
    if (!strpbrk(t, ",\"\r\n")) {
        fputs(t, stdout);
        return;
    }
    putchar('"');
    for (; *t; t++) {
        if (*t == '"')
            putchar('"');
        putchar(*t);
    }
    putchar('"');
}

/* One number for CSV: round-trip precision, empty when it is not there. */
static void csv_cell(double x)
{
    if (isfinite(x))
        printf(",%.17g", x);
    else
        printf(",");
}

static void print_csv(const measured *m, int n, int strouhal)
{
    printf("variable,units,n,missing,min,t_min,max,t_max,mean,std,last,t_last,crossings,period,"
           "period_spread,frequency%s\n", strouhal ? ",strouhal" : "");
    for (int k = 0; k < n; k++) {
        const fc_series_stats *s = &m[k].s;
        csv_text(m[k].name);
        putchar(',');
        csv_text(m[k].units);
        printf(",%zu,%zu", s->n, s->missing);
        const double v[] = {s->min, s->t_min, s->max, s->t_max, s->mean, s->std, s->last,
                            s->t_last};
        for (size_t q = 0; q < sizeof v / sizeof v[0]; q++)
            csv_cell(v[q]);
        printf(",%d", s->crossings);
        csv_cell(s->period);
        csv_cell(s->period_spread);
        csv_cell(m[k].frequency);
        if (strouhal)
            csv_cell(m[k].strouhal);
        printf("\n");
    }
}

static void print_table(const char *file, const measured *m, int n, int strouhal)
{
    printf("%s: %zu records from t = %g to %g %s", file, m[0].used, m[0].t0, m[0].t1,
           m[0].time_units);
    if (m[0].used < m[0].held)
        printf(" (of %zu, from %g to %g)", m[0].held, m[0].first, m[0].last);
    int wn = (int)strlen("variable"), wu = (int)strlen("units");
    for (int k = 0; k < n; k++) {
        wn = (int)fmax(wn, strlen(m[k].name));
        wu = (int)fmax(wu, strlen(m[k].units));
    }
    printf("\n%-*s %-*s %6s %7s %11s %9s %11s %9s %11s %11s %11s %11s %6s %11s%s\n", wn,
           "variable", wu, "units", "n", "missing", "min", "at t", "max", "at t", "mean", "std",
           "last", "period", "spread", m[0].seconds ? "freq (Hz)" : "frequency",
           strouhal ? "    Strouhal" : "");
    for (int k = 0; k < n; k++) {
        const fc_series_stats *s = &m[k].s;
        char c[11][32];
        /* A swing whose single periods differ by more than half of it is no one period. */
        const int swing = s->period_spread <= IRREGULAR;
        const double v[] = {s->min, s->t_min, s->max, s->t_max, s->mean, s->std, s->last,
                            swing ? s->period : NAN, swing ? m[k].frequency : NAN,
                            swing ? m[k].strouhal : NAN};
        for (size_t q = 0; q < sizeof v / sizeof v[0]; q++)
            cell(c[q], sizeof c[q], v[q], q == 1 || q == 3 ? 5 : 6);
        if (isfinite(s->period_spread))
            snprintf(c[10], sizeof c[10], "%.0f %%", 100 * s->period_spread);
        else
            snprintf(c[10], sizeof c[10], "-");
        printf("%-*s %-*s %6zu %7zu %11s %9s %11s %9s %11s %11s %11s %11s %6s %11s", wn,
               m[k].name, wu, m[k].units[0] ? m[k].units : "-", s->n, s->missing, c[0], c[1],
               c[2], c[3], c[4], c[5], c[6], c[7], c[10], c[8]);
        if (strouhal)
            printf(" %11s", c[9]);
        printf("\n");
    }
}

int cmd_stats(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        stats_usage(stdout);
        return FC_EXIT_OK;
    }
    stats_args a;
    if (parse(argc, argv, &a))
        return FC_EXIT_USAGE;
    fc_err err = {{0}};
    char *found[MAX_VARS];
    int nfound = 0, st = FC_OK;
    if (!a.nvars) {
        st = find_series(a.file, found, &nfound, &err);
        for (int k = 0; k < nfound; k++)
            a.vars[a.nvars++] = found[k];
    }
    /* Every series is measured before anything is printed: a bad one leaves no half table. */
    measured *m = calloc(a.nvars ? a.nvars : 1, sizeof *m);
    if (!st && !m)
        st = fc_fail(&err, FC_ENOMEM, "out of memory");
    for (int k = 0; !st && k < a.nvars; k++)
        st = measure(&a, a.vars[k], &m[k], &err);
    if (!st && a.csv)
        print_csv(m, a.nvars, !isnan(a.length));
    else if (!st)
        print_table(a.file, m, a.nvars, !isnan(a.length));
    free(m);
    for (int k = 0; k < nfound; k++)
        free(found[k]);
    return st ? cmd_fail(st, err.msg) : FC_EXIT_OK;
}
