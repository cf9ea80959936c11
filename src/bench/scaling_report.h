/*
 * scaling_report.h: where `flowcast bench --ranks` writes its rows (scaling.h), each as soon as
 * it is measured: a Markdown table on stdout, PREFIX_ranks.csv and PREFIX_ranks.nc (a record
 * per row, synced), so that an interrupted benchmark keeps every row it measured; at the end
 * the plot PREFIX_ranks.png (the efficiencies against the processes). Only the first process
 * of the job writes them.
 */
#ifndef FC_SCALING_REPORT_H
#define FC_SCALING_REPORT_H

#include <stdio.h>

#include "src/bench/bench_report.h"
#include "src/bench/scaling.h"
#include "src/core/cfwrite.h"
#include "src/core/fc.h"

#define FC_SCALING_REPORT_MAX_ROWS 512 /* rows kept for the plot */

typedef struct fc_scaling_report {
    char png_path[4096];
    fc_bench_tables tables;
    int nrows; /* kept for the plot */
    fc_scaling_row rows[FC_SCALING_REPORT_MAX_ROWS];
} fc_scaling_report;

/* The paths from prefix; FC_EINPUT naming the first that exists unless overwrite (the plot's
 * only with plots, and also `also`, another file the benchmark will write, when not NULL). */
int fc_scaling_report_check(fc_scaling_report *r, const char *prefix, int overwrite, int plots,
                            const char *also, fc_err *err);

/* Creates the CSV and NetCDF tables (the paths fc_scaling_report_check set) and prints the
 * Markdown table's heading. processes: the job's; command: the history. On failure nothing is
 * left behind. */
int fc_scaling_report_open(fc_scaling_report *r, const fc_scaling_opts *o, int processes,
                           const char *command, fc_err *err);

/* Prints and writes one row (an fc_scaling_opts.row callback; ctx is the report). */
int fc_scaling_report_row(const fc_scaling_row *row, void *ctx, fc_err *err);

/* Closes the tables and, when plots and a row was measured, draws the plot. */
int fc_scaling_report_close(fc_scaling_report *r, int plots, fc_err *err);

#endif
