/*
 * bench_report.h: where `flowcast bench` writes its rows, each as soon as it is measured: a
 * Markdown table on stdout, PREFIX.csv and PREFIX.nc (a record per row, synced), so an
 * interrupted benchmark keeps every row it measured; at the end the plots PREFIX_speedup.png
 * and PREFIX_bandwidth.png (src/plot).
 */
#ifndef FC_BENCH_REPORT_H
#define FC_BENCH_REPORT_H

#include <stdio.h>

#include "src/bench/bench.h"
#include "src/core/cfwrite.h"
#include "src/core/fc.h"

/* Characters of a text column in PREFIX.nc (a char array; longer text is cut). */
#define FC_BENCH_TEXT_LEN 256

/* A column of a benchmark's tables: its CSV header and its NetCDF variable (text: a char
 * array; int: NC_INT; real: NC_DOUBLE, a NaN stored as the fill value, an empty CSV field). */
enum { FC_BENCH_TEXT, FC_BENCH_INT, FC_BENCH_REAL };
typedef struct fc_bench_col {
    const char *name, *long_name, *units;
    int kind;
} fc_bench_col;

#define FC_BENCH_MAX_COLS 32

/* A benchmark's rows as they are measured: PATH.csv and a CF file PATH.nc (a record per row,
 * synced), so that an interrupted benchmark keeps every row it measured. */
typedef struct fc_bench_tables {
    const fc_bench_col *cols;
    int ncols;
    char csv_path[4096], nc_path[4096];
    FILE *csv;
    fc_cf_file nc;
    int varid[FC_BENCH_MAX_COLS];
    size_t rows;
} fc_bench_tables;

/* Creates both files (the paths set in t; an existing file replaced only with overwrite),
 * writing the CSV's header and defining the NetCDF columns, then describe(nc, ctx) adds its
 * global attributes. On failure neither file is left. */
int fc_bench_tables_open(fc_bench_tables *t, const fc_bench_col *cols, int ncols, int overwrite,
                         const char *title, const char *command,
                         int (*describe)(fc_cf_file *nc, const void *ctx, fc_err *err),
                         const void *ctx, fc_err *err);
/* Appends a row: num[k] for the numeric columns, txt[k] for the text ones (NULL: empty). */
int fc_bench_tables_row(fc_bench_tables *t, const double *num, const char *const *txt,
                        fc_err *err);
/* Closes both files; the first failure in err. */
int fc_bench_tables_close(fc_bench_tables *t, fc_err *err);

/* What the plots need of a measured GPU or all-thread CPU row. */
typedef struct fc_bench_point {
    char solver[32];
    int gpu, n;
    double speedup, bw_fraction; /* GPU over all-thread CPU, or all-thread CPU over 1 thread */
} fc_bench_point;

#define FC_BENCH_MAX_POINTS 512

typedef struct fc_bench_report {
    char png_speedup[4096], png_bandwidth[4096];
    fc_bench_point points[FC_BENCH_MAX_POINTS];
    int npoints;
    fc_bench_tables tables;
    int nrows, gpu_rows, failed_rows;
    int disturbed_rows; /* rows during which other processes kept cores busy */
    char notes[8][300]; /* energy sources that could not be read, each once */
    int nnotes;
} fc_bench_report;

/* Names the files of prefix in r and refuses existing ones (unless overwrite; the pictures
 * only when plots) and a folder that cannot take them: before anything is measured. */
int fc_bench_report_check(fc_bench_report *r, const char *prefix, int overwrite, int plots,
                          fc_err *err);
/*
 * Creates the files that fc_bench_report_check named in r and prints the table's preamble:
 * date, command, machine, precision, the measured ceilings, and what could make the comparison
 * uneven.
 */
int fc_bench_report_open(fc_bench_report *r, int overwrite, const char *command,
                         const fc_bench_opts *o, const fc_bench_ceilings *c, fc_err *err);
/* Prints and writes one row (an fc_bench_opts.row callback; ctx is the report). */
int fc_bench_report_row(const fc_bench_row *row, void *ctx, fc_err *err);
/* FC_EINPUT naming the first of paths[0..n-1] (NULL ones skipped) that exists, unless
 * overwrite: a benchmark replaces no file unasked. */
int fc_bench_refuse_existing(const char *const *paths, int n, int overwrite, fc_err *err);
/* Closes the files, prints the notes and the file names, and draws the plots if plots is set
 * (speedups and fractions of the copy bandwidth against the grid, src/plot). */
int fc_bench_report_close(fc_bench_report *r, int plots, fc_err *err);

#endif
