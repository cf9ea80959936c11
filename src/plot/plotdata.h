/*
 * plotdata.h: what a picture is drawn from: one variable of a NetCDF file, flowcast's own or
 * any CF file on a rectilinear or curvilinear grid, read as hostile input (every dimension,
 * coordinate and attribute checked before use; fill values become NaN, drawn as "no data").
 *
 * A field is drawn in its axes' coordinates, or, on a curvilinear grid, in the longitudes and
 * latitudes its `coordinates` attribute names (fc_pd_lonlat).
 *
 * A variable is one of three shapes:
 *   - a field: (y, x) or (time, y, x), the last two dimensions the horizontal (or x and height),
 *     or (time, level, y, x) at one level (fc_pd_open_at);
 *   - a profile: (time, k) or (k) with k not time, such as an energy spectrum or a model's
 *     loss per epoch, against k's coordinate (or its index when it has none); and a field one
 *     cell wide (a 1-D run: ny = 1), against its long axis;
 *   - a series: (time).
 * The time dimension is the first one when it is the file's unlimited dimension, is named
 * "time", or has a coordinate whose units say "since" (or, without a coordinate, a variable
 * on it alone whose units do: WRF's XTIME), which gives the records' times (else their
 * indices). Records whose time is missing (a run cut short) are left out. Cells of a field may be solid (a variable "solid" on the same grid,
 * 1 in obstacles, or "body_distance", negative inside a body: ns2d's immersed obstacles, whose
 * mask covers less than the body) or dry (a variable with standard_name sea_floor_depth_below_sea_surface on the
 * same grid, at most 1e-6 of its deepest value in the record).
 */
#ifndef FC_PLOTDATA_H
#define FC_PLOTDATA_H

#include <stddef.h>

#include "src/core/fc.h"
#include "src/core/ncread.h"

enum fc_pd_shape { FC_PD_FIELD, FC_PD_PROFILE, FC_PD_SERIES };

typedef struct fc_pd_axis {
    size_t n;
    double *c;          /* coordinate values (or 0..n-1 when the file has none) */
    char name[64];      /* dimension name */
    char label[160];    /* "x (km)", "k (m-1)" */
    double scale;       /* c is the file's values times this (1e-3 for m shown as km) */
    char units[64];     /* the file's units, "" when none */
    int index;          /* the file has no coordinate: c is 0..n-1 */
} fc_pd_axis;

typedef struct fc_plotdata {
    char path[4096], name[260];
    char long_name[256], units[128], title[256];
    int ncid;
    fc_nc_var v;
    int shape;            /* enum fc_pd_shape */
    int has_time;         /* the first dimension is time */
    int timedim;          /* its id, or -1 */
    size_t nrec;          /* complete records (1 without time) */
    double *times;        /* their times, in the file's units */
    int time_index;       /* no time variable: times are the records' indices */
    char time_units[128]; /* units of time ("seconds since 2000-01-01 00:00:00"), "" if none */
    char calendar[64];    /* the time's calendar attribute, "" if none */
    int flowcast;         /* written by flowcast: times are shown as model time elapsed */
    fc_pd_axis x, y;      /* a field's axes; a profile's axis is x */
    int one_cell_across;  /* a field one cell wide, drawn as a profile along its long axis */
    int level_dim;        /* a field on levels: the level dimension's id, else -1 */
    size_t level_index;   /* the level drawn */
    char level_text[160]; /* "level = 500 millibars" */
    int dimids[2];        /* a field's y and x dimension ids */
    int solid_id, body_id, depth_id; /* mask variables on the field's grid, or -1 */
    /* A curvilinear grid: a field whose axes have no coordinates (or only indices) and whose
     * `coordinates` attribute names a longitude and a latitude on its grid (WRF's XLONG and
     * XLAT, an ocean model's lon_rho and lat_rho), usable at the first record; their ids,
     * else -1, and their axis labels ("XLONG (degree_east)"). */
    int lon_id, lat_id;
    char lon_label[160], lat_label[160];
    int geographic; /* drawn in longitude and latitude (its axes, or the curvilinear grid's) */
} fc_plotdata;

/*
 * Opens path and its variable name (NULL: the file's vorticity, else its first field). FC_OK, or
 * FC_EINPUT naming what is wrong (no such file, not NetCDF, no such variable and which there
 * are, a shape that cannot be drawn, a bad coordinate or attribute).
 */
int fc_pd_open(fc_plotdata *d, const char *path, const char *name, fc_err *err);
/* The same where a field may be on (time, level, y, x) or (level, y, x): at = "NAME=VALUE"
 * draws it at the level whose coordinate is nearest VALUE (within half a spacing; the index
 * where NAME has no coordinate); NULL takes a level dimension of length one as it is and
 * refuses a longer one, naming its values. */
int fc_pd_open_at(fc_plotdata *d, const char *path, const char *name, const char *at,
                  fc_err *err);
void fc_pd_close(fc_plotdata *d);

/* The record that `spec` names: "first", "last", or a time in the file's time units (the
 * nearest record, which must lie within half a record spacing of it). */
int fc_pd_record(const fc_plotdata *d, const char *spec, size_t *rec, fc_err *err);
/* "t = 6 h" for flowcast's files (model time); a date for other files' times since a date, in
 * their CF calendar (standard: Julian before 1582-10-15; proleptic_gregorian, julian, noleap,
 * all_leap, 360_day), with UTC, or the model calendar's name; the time since the reference for
 * an unknown calendar. Into buf. */
void fc_pd_time_text(const fc_plotdata *d, size_t rec, char *buf, size_t len);

/* Seconds in one of the file's time units ("hours since ...": 3600), 0 when they are not a
 * known unit of time (or the times are the records' indices). */
double fc_pd_seconds_per_unit(const fc_plotdata *d);

/* The values of record rec (a field: y.n * x.n, x fastest; a profile: x.n; a series: every
 * record, rec ignored). Fill values and non-finite values become NaN. */
int fc_pd_read(const fc_plotdata *d, size_t rec, double *out, fc_err *err);
/* Whether the file has the signed distance to the surface of its bodies on the field's grid
 * (body_distance, as ns2d writes it). */
static inline int fc_pd_has_body(const fc_plotdata *d) { return d->body_id >= 0; }
/* The kind of each cell of a field at record rec (enum fc_cell_kind); FC_OK and all data
 * when the file has no masks. body: NULL, or where that distance goes when fc_pd_has_body
 * (y.n * x.n, x fastest; missing values NaN), for drawing the true surface: the plane is read
 * once for both. */
int fc_pd_kinds(const fc_plotdata *d, size_t rec, unsigned char *kind, double *body,
                fc_err *err);
/* A curvilinear field's cell centres at record rec (lon_id >= 0; y.n * x.n each, x fastest):
 * longitudes made continuous across the date line from the first cell's, latitudes checked
 * to lie in [-90, 90]. FC_EINPUT naming the first missing or impossible value. */
int fc_pd_lonlat(const fc_plotdata *d, size_t rec, double *lon, double *lat, fc_err *err);
/* The velocity components on the field's grid at record rec, for arrows: u and v, or u and w
 * when the vertical axis is z. FC_EINPUT when the file has none on the same dimensions. */
int fc_pd_velocity(const fc_plotdata *d, size_t rec, double *u, double *v, char *units,
                   size_t units_len, fc_err *err);

#endif
