/*
 * ncio.h: NetCDF output following CF-1.11, restart and field reading.
 *
 * The format: CDF-5 (64-bit data, the classic model) or NetCDF-4/HDF5 ([output] format;
 * compression needs NetCDF-4). A CDF-5 file can be read by other programs (ncview, ncdump,
 * xarray) while the run writes it, and they see every record synced so far; an HDF5 file open
 * for writing cannot be opened by a reader until the run closes it.
 *
 * On several processes a NetCDF-4 file may be written in parallel (fc_ncio_meta.block): every
 * process writes its block of each variable on (y, x) or (time, y, x), the first process the
 * rest (coordinates, diagnostics, time, and any variable of another shape), collectively
 * (cfwrite.h). The file is the one a single process writes.
 *
 * An output file has dimensions (time: unlimited, y, x, nv = 2), coordinate variables x and y
 * (cell centres, with bounds), time in "seconds since <reference>", every time-dependent
 * variable on (time, y, x), static ones on (y, x), spectra on (time, k) with k the wavenumber
 * shells (a coordinate with bounds), and the diagnostics on (time). The case file
 * text, its --set overrides, command line, version, device and precision are global
 * attributes, so a run can be reproduced from its output alone.
 *
 * A series file (fc_ncio_meta.series_of) has the time and the diagnostics only: a run's
 * [output] series_interval samples them between the output's records.
 *
 * Crash safety: a record writes every variable first and the time value last, then nc_sync. A
 * record whose time is missing (the fill value) is incomplete and ignored by readers here
 * (fc_nc_complete_records in ncread.h); a process killed between records leaves the file as of the last
 * nc_sync. HDF5 is not transactional: a kill during the sync itself is the remaining window.
 */
#ifndef FC_NCIO_H
#define FC_NCIO_H

#include "src/core/config.h"
#include "src/core/fc.h"
#include "src/core/grid.h"
#include "src/core/solver.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The global attribute that lists the --set overrides of the run (fc_cfg_overrides_text),
 * absent when there were none. */
#define FC_OVERRIDES_ATT "flowcast_overrides"
/* The global attribute of a series file that names the output file it samples between. */
#define FC_SERIES_OF_ATT "flowcast_series_of"

typedef struct fc_ncio_file fc_ncio_file;

typedef struct fc_ncio_meta {
    const fc_config *cfg;
    const fc_solver_desc *solver;
    const void *params; /* the solver's parameters: which optional variables it writes */
    const fc_grid *grid;
    const char *title;
    const char *history; /* "<UTC time>: <command line>" */
    const char *device;  /* what ran it, e.g. "cpu: OpenMP, 2 threads" */
    const fc_diag_spec *diags; /* diagnostics on (time): the solver's, then the run's */
    int ndiags;
    int netcdf4; /* NetCDF-4/HDF5; otherwise CDF-5 */
    int deflate; /* 0..9; above 0 needs netcdf4 */
    int ranks;   /* the processes that ran it (the flowcast_ranks attribute) */
    /* Written in parallel by every process of the job (NetCDF-4 only), each its block of the
     * grid (grid.h: i0, j0 in the whole grid); NULL: by this process alone. Every call below is
     * then collective, with the same arguments but for the packed values: the block's. */
    const fc_grid *block;
    int layout[2]; /* with a block: the blocks' layout, px x py (chunks of about a block) */
    /* Non-NULL: a series file, the diagnostics alone on (time), sampled more often than the
     * records of the output file this names (its flowcast_series_of attribute): no grid, no
     * variables, the global attributes as the output's. Written by one process (block NULL). */
    const char *series_of;
} fc_ncio_meta;

/* Creates the file and defines everything. Fails with FC_EINPUT, creating nothing, if the file
 * exists and overwrite is 0, or if it cannot be created. */
int fc_ncio_create(const char *path, int overwrite, const fc_ncio_meta *m, fc_ncio_file **out,
                fc_err *err);
/* Writes static variable `var` (nx*ny packed: of the block when written in parallel). */
int fc_ncio_write_static(fc_ncio_file *f, int var, const fc_real *packed, fc_err *err);
/* Appends a record: packed[var] for every time-dependent variable (NULL for static ones; of the
 * block when written in parallel), the diagnostics (a NaN one, undefined at this record, as the
 * _FillValue), then the time; then syncs. */
int fc_ncio_write_record(fc_ncio_file *f, double t, fc_real *const *packed, const double *diags,
                      fc_err *err);
int fc_ncio_records(const fc_ncio_file *f);
int fc_ncio_close(fc_ncio_file *f, fc_err *err);

/* A restart onto another grid over the same domain (run --regrid). */
typedef struct fc_ncio_regrid {
    int periodic[2]; /* whether x and y are periodic sides of the whole grid */
    int from[2];     /* set by the reader: the file's grid, nx x ny cells */
} fc_ncio_regrid;

/* FC_EINPUT, naming the key, when the restart file `path` holds a state over other values
 * of its solver's state keys (fc_solver_io.state_keys: euler's background) than cfg gives; a
 * file that does not record them (written before 5 December 2026) is not checked. */
int fc_ncio_check_state_keys(const char *path, const fc_config *cfg, fc_err *err);

/*
 * Reads the last complete record of an earlier output into host (the solver's fields, interior;
 * those whose variable is off for params are left as they are) and its time. Checks that it was
 * written by the same solver over the same domain, on the same grid unless regrid is given:
 * then a file on another grid has each field interpolated onto g by the solver
 * (fc_solver_io.interpolate), or bilinearly at the points the field lives on (cell centres or
 * faces), between the file's values at its own points, after the solver's regrid_source: a
 * periodic side wraps; elsewhere the value within half a cell of a side is the edge value's;
 * coarsening samples the finer field there rather than averaging it. A file on g's own grid
 * is read exactly, as without regrid.
 */
int fc_ncio_read_restart(const char *path, const fc_solver_desc *s, const void *params,
                         const fc_grid *g, fc_ncio_regrid *regrid, fc_state *host, double *t,
                         fc_err *err);

/* How fc_ncio_read_fields takes a file whose points are not the grid's cell centres. */
typedef struct fc_ncio_field_grid {
    int interpolate;    /* bilinearly onto the cell centres; else such a file is refused */
    int periodic[2];    /* x, y: periodic sides of the whole grid, across which it wraps */
    const char *enable; /* for the refusal: what turns interpolate on ("[initial] ...") */
    const char *y_name; /* the grid's second axis in messages (NULL: "y"; euler's "z") */
    /* Optional: before interpolating, turns the file's values of the variables (src[k], at
     * the same n points; NULL for a variable not named) into what is to be interpolated. */
    void (*source)(const void *ctx, double *const *src, size_t n);
    /* Optional: where the file's points are the cell centres of another uniform grid over
     * the domain, from[0] x from[1] cells, interpolates from the variables' whole planes
     * there (src[k], NULL for a variable not named) into fields->f[k] instead (spectral:
     * Fourier interpolation, as fc_solver_io.interpolate). */
    int (*whole)(const void *ctx, const fc_grid *g, const int from[2], double *const *src,
                 fc_state *fields, fc_err *err);
    const void *ctx;
    /* Optional: the units each variable is read in (units[k], "m", "m s-1", "s-1" or "K";
     * NULL: unchecked); a variable whose units attribute says otherwise is refused. */
    const char *const *units;
} fc_ncio_field_grid;

/*
 * Reads variables vars[0 .. n-1] (NULL: none; n <= FC_MAX_FIELDS), each on (y, x) or
 * (time, y, x) (its last complete record), into fields[k]'s interior. Every value must be
 * finite and not a fill value (ncread.h), and the variables on the same points. Where the file
 * has coordinate variables for their dimensions (CF: one-dimensional, named as the dimension;
 * metres or km, increasing or decreasing; a CF axis attribute X on the last, Y or Z on the one
 * before, where there is one), they must be the grid's cell centres, to a thousandth of a
 * cell, or with how->interpolate the fields are interpolated bilinearly onto them
 * (*interpolated set; a centre within half a spacing of the file's outermost point takes its
 * value, a periodic side wraps, and a single point along an axis holds along it), or by
 * how->whole where it is given and the file is on another uniform grid of the domain. Without
 * coordinates a variable must be as large as the grid and is taken to be on its cells.
 */
int fc_ncio_read_fields(const char *path, int n, const char *const *vars, const fc_grid *g,
                        const fc_ncio_field_grid *how, fc_real *const *fields,
                        int *interpolated, fc_err *err);
/* The same for one variable. */
int fc_ncio_read_field(const char *path, const char *var, const fc_grid *g,
                       const fc_ncio_field_grid *how, fc_real *field, fc_err *err);

#ifdef __cplusplus
}
#endif
#endif
