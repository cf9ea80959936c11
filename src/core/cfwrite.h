/*
 * cfwrite.h: the one way flowcast writes a NetCDF file: run output (ncio.c), model files and
 * forecasts (ml/surrogate.c), benchmark tables (src/bench/bench_report.c).
 *
 * What every file gets, whoever writes it:
 * - an output path checked before anything is written (fc_output_writable): an existing file is
 *   replaced only when asked, a missing or unwritable folder is named;
 * - CDF-5 (the classic data model with 64-bit sizes), which every CF tool reads and another
 *   process can read while the file is written, or NetCDF-4/HDF5 when compression is asked for;
 * - global attributes Conventions = "CF-1.11", title, source (flowcast and its version),
 *   history;
 * - long_name and units on every variable, and a _FillValue on every floating-point one but
 *   the coordinates: a NaN written through fc_cf_put_* is stored as that fill value, so that CF
 *   tools (CDO, NCO, xarray) treat it as missing rather than averaging NaN (infinities
 *   likewise);
 * - text as char arrays, never NC_STRING, which CF checkers refuse;
 * - atomic files (a model) are written under a temporary name beside the target and renamed over
 *   it on close: a reader, or an interrupted writer, only ever sees a whole file;
 * - on failure, fc_cf_discard removes what was created: no half-written file is left behind.
 *
 * A parallel file (fc_cf_spec.parallel; a build with MPI) is created and written by every
 * process of the job together (ranks.h), each call made by all of them alike: the definitions
 * with the same values, each write with its own part of the variable (a process with nothing
 * to write passes zero counts), sync and close. A write of a whole variable (start NULL) is the
 * first process's; the others take part with nothing. Every variable is written collectively,
 * which is what a variable along the unlimited time needs. NetCDF-4 goes through the parallel
 * netCDF-C (HDF5 over MPI-IO). CDF-5 (builds with PnetCDF, FC_HAVE_PNETCDF) is defined by the
 * first process alone with netCDF-C, the others counting the same dimension and variable ids,
 * and at fc_cf_enddef every process opens it with PnetCDF for the writes: the file is the one
 * netCDF-C writes, and a sync writes the record count too.
 */
#ifndef FC_CFWRITE_H
#define FC_CFWRITE_H

#include <netcdf.h>
#include <stddef.h>

#include "src/core/fc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FC_CF_CONVENTIONS "CF-1.11"

typedef struct fc_cf_spec {
    const char *what;    /* names the file in messages: "output file", "model file" */
    int overwrite;       /* replace an existing file */
    const char *allow;   /* how to allow replacing it, for the message: "use -O to replace it" */
    int atomic;          /* write under a temporary name, renamed over path by fc_cf_close */
    int netcdf4;         /* NetCDF-4/HDF5 (needed for compression); otherwise CDF-5 */
    const char *title;   /* required */
    const char *history; /* "<UTC time>: <command line>"; NULL: none */
    int parallel;        /* written by every process of the job (not atomic) */
} fc_cf_spec;

typedef struct fc_cf_file {
    int ncid;     /* netCDF-C's id (-1: none here, or no longer) */
    int pncid;    /* PnetCDF's, once a parallel CDF-5 file is written (-1: none) */
    int netcdf4;
    int parallel; /* every process of the job writes it */
    int lead;     /* this process writes whole variables (the first; any, when not parallel) */
    int lead_defines; /* a parallel CDF-5 file in define mode: the first defines, the others
                       * count ids (ndims, nvars) */
    int ndims, nvars;
    int define_st;    /* the first's first failure while it defines one (fc_cf_enddef says it) */
    fc_err define_err;
    const char *what;
    char path[4096]; /* the file as named */
    char tmp[4200];  /* the name it is written under while atomic; "" otherwise */
} fc_cf_file;

/* "<UTC time>: command", the history attribute of a file made now by command. */
void fc_cf_history(char *buf, size_t len, const char *command);

/* Checks the path, creates the file in define mode and writes the global attributes of every
 * flowcast file. On failure nothing is created. Collective for a parallel file: the first
 * process checks the path, and every process gets the same status. */
int fc_cf_create(fc_cf_file *f, const char *path, const fc_cf_spec *spec, fc_err *err);

int fc_cf_def_dim(fc_cf_file *f, const char *name, size_t len, int *dimid, fc_err *err);
/* A variable with its long_name and units ("1": dimensionless; none for char); floating-point
 * ones get the type's default _FillValue, except coordinate variables, which have no missing
 * values. long_name NULL: a variable without attributes (a coordinate's bounds, CF 7.1). */
int fc_cf_def_var(fc_cf_file *f, const char *name, nc_type type, int ndims, const int *dims,
                  const char *long_name, const char *units, int *varid, fc_err *err);
/* Attributes of a variable, or of the file with varid NC_GLOBAL. */
int fc_cf_att_text(fc_cf_file *f, int varid, const char *name, const char *text, fc_err *err);
int fc_cf_att_double(fc_cf_file *f, int varid, const char *name, size_t n, const double *v,
                     fc_err *err);
int fc_cf_att_int(fc_cf_file *f, int varid, const char *name, size_t n, const int *v,
                  fc_err *err);
/* Chunking of a NetCDF-4 file's variable, chunk: per dimension; with compression (level 1-9). */
int fc_cf_chunk(fc_cf_file *f, int varid, const size_t *chunk, fc_err *err);
int fc_cf_deflate(fc_cf_file *f, int varid, const size_t *chunk, int level, fc_err *err);
/* Leaves define mode. */
int fc_cf_enddef(fc_cf_file *f, fc_err *err);

/* Writes a hyperslab (start, count: per dimension; NULL, NULL: the whole variable); values that
 * are not finite (NaN: undefined here) are written as the variable's _FillValue. */
int fc_cf_put_double(fc_cf_file *f, int varid, const size_t *start, const size_t *count,
                     const double *v, fc_err *err);
int fc_cf_put_float(fc_cf_file *f, int varid, const size_t *start, const size_t *count,
                    const float *v, fc_err *err);
int fc_cf_put_int(fc_cf_file *f, int varid, const int *v, fc_err *err);
/* Row `row` of a char variable on (row, length): text, padded with NULs. */
int fc_cf_put_text_row(fc_cf_file *f, int varid, size_t row, size_t len, const char *text,
                       fc_err *err);
/* Makes what was written so far reach the file (readers see it; a crash keeps it). */
int fc_cf_sync(fc_cf_file *f, fc_err *err);

/* Closes the file and, when atomic, renames it over the target. When that fails, an atomic
 * file's temporary is removed (the target is as it was); any other file is kept, with what its
 * last sync wrote. */
int fc_cf_close(fc_cf_file *f, fc_err *err);
/* Closes the file and removes it (its temporary name when atomic): a file that could not be
 * written whole is not left behind. Collective for a parallel file (the first removes it). */
void fc_cf_discard(fc_cf_file *f);

#ifdef __cplusplus
}
#endif
#endif
