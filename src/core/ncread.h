/*
 * ncread.h: reading NetCDF files that may be hostile.
 *
 * Every reader of flowcast (restart, the `file` initial condition, model files, training data,
 * rollout inits) goes through these functions, so that nothing read from a file is used before
 * it is checked: the file must be a regular file; a variable's rank, type and every dimension
 * length (size_t, never narrowed) are compared with what the caller expects before a value is
 * copied; an attribute must have the expected type and exactly the expected number of values;
 * field values must be finite and not the variable's fill or missing value (its _FillValue or
 * missing_value attribute, else the netCDF default fill of its type). Every failure is
 * FC_EINPUT with a message that names the file, the variable or attribute, and what is wrong.
 *
 * The three on-disk formats netCDF-C reads (classic CDF-1, 64-bit offset CDF-2 and CDF-5,
 * NetCDF-4/HDF5) are all accepted.
 */
#ifndef FC_NCREAD_H
#define FC_NCREAD_H

#include <stddef.h>

#include "src/core/fc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most dimensions a variable read by flowcast may have. */
#define FC_NC_MAX_DIMS 4

/* Opens path for reading; `what` says what it is for the messages ("restart file"). */
int fc_nc_open(const char *path, const char *what, int *ncid, fc_err *err);
/* nc_close, whose failure on a file only read loses nothing. */
void fc_nc_close(int ncid);
/* nc_close of a file written; its status. A failure (a full disk) is remembered: see
 * fc_nc_exit_unclean. */
int fc_nc_close_output(int ncid);
/*
 * Whether closing a written file failed in this process. HDF5 1.10 then keeps the file half
 * open, and its exit handler (H5_term_library) crashes on it: a program should end with
 * _exit, after flushing its own streams, rather than exit. What HDF5 would still flush cannot
 * reach the disk anyway.
 */
int fc_nc_exit_unclean(void);

typedef struct fc_nc_var {
    const char *path, *name;
    int id, ndims, type;
    int record;                /* the first dimension is the file's unlimited one */
    size_t len[FC_NC_MAX_DIMS]; /* dimension lengths, slowest first */
    double fill[2];            /* values that mean "no data" (_FillValue, missing_value) */
    int nfill;
    double valid[2];           /* CF valid_min, valid_max (or valid_range) */
    int valid_unpacked;        /* they bound unpacked values (NUG); else stored ones (CF) */
    double scale, offset;      /* CF packing: a value is scale * stored + offset (1, 0) */
} fc_nc_var;

/* Finds variable name with min_dims..max_dims dimensions (<= FC_NC_MAX_DIMS) of a numeric
 * type, and reads its shape, fill values, valid range and packing (CF 2.5.1, 8.1: each one
 * number; the getters below refuse a value outside the range and unpack the rest). The range
 * bounds the stored values, or the unpacked ones where it has the packing attributes' type
 * rather than the variable's (the NetCDF Users Guide's convention). */
int fc_nc_find_var(int ncid, const char *path, const char *name, int min_dims, int max_dims,
                   fc_nc_var *v, fc_err *err);

/* Whether variable name is a coordinate's cell bounds (the coordinate's CF `bounds` attribute
 * names it); that coordinate's name then in coord (NC_MAX_NAME + 1 bytes). */
int fc_nc_bounds_of(int ncid, const char *name, char *coord);
/* The names of a file's data variables with min_dims..max_dims dimensions (numbers, neither a
 * coordinate variable nor a coordinate's bounds), joined by ", " into buf (len bytes; "..."
 * where they do not fit, "" when there are none): what a message offers a user who named
 * another. */
void fc_nc_list_vars(int ncid, int min_dims, int max_dims, char *buf, size_t len);

/* Whether the variable (or global attributes with varid NC_GLOBAL) has attribute name. */
int fc_nc_has_att(int ncid, int varid, const char *name);
/* A text attribute into buf (size bytes, NUL-terminated). FC_OK; 1 when it is absent (err
 * untouched); FC_EINPUT when it is not text or does not fit. */
int fc_nc_att_text(int ncid, int varid, const char *path, const char *name, char *buf,
                   size_t size, fc_err *err);
/* A text attribute of any length, malloc'd; same returns as fc_nc_att_text. */
int fc_nc_att_text_alloc(int ncid, int varid, const char *path, const char *name, char **text,
                         fc_err *err);
/* Exactly n finite numbers. FC_OK; 1 when absent; FC_EINPUT when of another type or length. */
int fc_nc_att_doubles(int ncid, int varid, const char *path, const char *name, double *out,
                      size_t n, fc_err *err);
/* Whether v's units attribute, if it has one, names `expected` ("m", "m s-1", "s-1" or "K", or
 * a spelling of the same: metres, m/s, 1/s, kelvin ...); FC_EINPUT naming both when not. */
int fc_nc_check_units(int ncid, const fc_nc_var *v, const char *expected, fc_err *err);
/* One integer in [lo, hi]. Same returns. */
int fc_nc_att_int(int ncid, int varid, const char *path, const char *name, long long lo,
                  long long hi, long long *out, fc_err *err);

/*
 * The records that a NetCDF classic file (CDF-1, 2 or 5) at path holds whole, from its header
 * and its size: fewer than its header counts when it was cut short (a copy or a write that did
 * not finish), whose missing bytes libnetcdf would give as zeros. SIZE_MAX for other formats
 * (HDF5 refuses a file cut short) and where the header cannot be walked.
 */
size_t fc_nc_records_held(const char *path);

/*
 * The complete records of a file with a `time` coordinate: the leading records whose time is
 * set (finite, not a fill value) and increasing, and that the file holds whole
 * (fc_nc_records_held); a record whose time is missing was cut short by a crash and ends the
 * count. `time` must be one-dimensional. Read in blocks: a huge time dimension costs no huge
 * allocation.
 */
int fc_nc_complete_records(int ncid, const char *path, size_t *n, fc_err *err);
/* Times of records [0, n) of the `time` variable (n from fc_nc_complete_records). */
int fc_nc_times(int ncid, const char *path, size_t n, double *t, fc_err *err);

/*
 * Reads the ny x nx plane of v at record rec (v on (y, x), or on (record, y, x) with
 * rec < its length) into out, checking the last two dimension lengths against ny and nx first
 * and every value after (finite, not a fill value). The float and double versions convert as
 * netCDF does.
 */
int fc_nc_get_plane_float(int ncid, const fc_nc_var *v, size_t rec, size_t ny, size_t nx,
                          float *out, fc_err *err);
int fc_nc_get_plane_double(int ncid, const fc_nc_var *v, size_t rec, size_t ny, size_t nx,
                           double *out, fc_err *err);
/* The same for the window win = {y0, x0, wy, wx} of the plane alone (a block of a larger grid),
 * wy x wx values; a bad value is named by its cell (i, j) in the whole plane. */
int fc_nc_get_window_float(int ncid, const fc_nc_var *v, size_t rec, size_t ny, size_t nx,
                           const size_t win[4], float *out, fc_err *err);
int fc_nc_get_window_double(int ncid, const fc_nc_var *v, size_t rec, size_t ny, size_t nx,
                            const size_t win[4], double *out, fc_err *err);
/* For readers that show missing data rather than refuse it (plot): n values of v as netCDF
 * read them into doubles (nc_get_vara_double), in place: NaN where one is missing (not finite,
 * a fill value, outside the valid range), else unpacked (scale_factor, add_offset). */
void fc_nc_unpack_or_nan(const fc_nc_var *v, double *x, size_t n);
/* Reads all n values of a one-dimensional v (whose length must be n), checked likewise. */
int fc_nc_get_vector_float(int ncid, const fc_nc_var *v, size_t n, float *out, fc_err *err);
int fc_nc_get_vector_double(int ncid, const fc_nc_var *v, size_t n, double *out, fc_err *err);
int fc_nc_get_vector_int(int ncid, const fc_nc_var *v, size_t n, int *out, fc_err *err);

/* Reads the n values of the one-dimensional coordinate variable name (checked as above), in
 * metres: its units, where it has them, must be metres ("m", "metre(s)", "meter(s)") or
 * kilometres ("km", scaled to metres; *scale says by what). They must be strictly
 * monotonic: *dir is 1 where they increase, -1 where they decrease. */
int fc_nc_read_axis(int ncid, const char *path, const char *name, size_t n, double *c, int *dir,
                    double *scale, fc_err *err);

/* A netCDF status as words, with the operating system's reason where netCDF hides it
 * (NC_EHDFERR and NC_EIO after a full disk say "No space left on device"). path: the file
 * written, whose folder's free space is looked at; NULL if not known. */
const char *fc_nc_strerror(int status, const char *path);

#ifdef __cplusplus
}
#endif
#endif
