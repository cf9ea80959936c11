/* plotdata.c: one variable of a NetCDF file, read as hostile input for a picture (plotdata.h). */
#include <fc_build.h>

#include <ctype.h>
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/core/calendar.h"
#include "src/plot/plot.h"
#include "src/plot/plotdata.h"

/* The most cells of a field, and records of a file, flowcast will draw (2 GiB of doubles). */
#define MAX_CELLS ((size_t)1 << 28)
#define MAX_RECORDS ((size_t)10000000)
/* A cell is dry when its depth is at most this fraction of the deepest in the record. */
#define DRY_FRACTION 1e-6

static int get_double(int ncid, const char *path, const fc_nc_var *v, const size_t *start,
                      const size_t *count, double *out, fc_err *err)
{
    int rc = nc_get_vara_double(ncid, v->id, start, count, out);
    if (rc != NC_NOERR && rc != NC_ERANGE)
        return fc_fail(err, FC_EINPUT, "%s: cannot read variable '%s': %s", path, v->name,
                       nc_strerror(rc));
    return FC_OK;
}

/* A text attribute, or "" when absent; an attribute of another type is an error. */
static int att_text(int ncid, int varid, const char *path, const char *name, char *buf,
                    size_t len, fc_err *err)
{
    buf[0] = '\0';
    int st = fc_nc_att_text(ncid, varid, path, name, buf, len, err);
    return st == 1 ? FC_OK : st;
}

/* A global text attribute when it fits in len - 1 bytes: 1, else 0. */
static int global_text(int ncid, const char *name, char *buf, size_t len)
{
    size_t n;
    nc_type t;
    if (nc_inq_att(ncid, NC_GLOBAL, name, &t, &n) != NC_NOERR || t != NC_CHAR || n >= len ||
        nc_get_att_text(ncid, NC_GLOBAL, name, buf) != NC_NOERR)
        return 0;
    buf[n] = '\0';
    return 1;
}

/* A text attribute, "" when it is absent or not text. */
static void att_text_or_empty(int ncid, int varid, const char *name, char *buf, size_t len)
{
    size_t n;
    nc_type t;
    buf[0] = '\0';
    if (nc_inq_att(ncid, varid, name, &t, &n) == NC_NOERR && t == NC_CHAR && n < len &&
        nc_get_att_text(ncid, varid, name, buf) == NC_NOERR)
        buf[n] = '\0';
}

/* The times of time dimension dimid: its coordinate variable, else the first variable on it
 * alone whose units are "... since ..." (WRF's XTIME beside its Time dimension) among the first
 * 1024 (this runs for each dimension of each variable: a hostile file of many variables must
 * not make it quadratic in them); -1: none. */
static int time_variable(int ncid, int dimid)
{
    char name[NC_MAX_NAME + 1], units[256];
    int varid, ndims, dim, nvars = 0;
    if (nc_inq_dimname(ncid, dimid, name) == NC_NOERR &&
        nc_inq_varid(ncid, name, &varid) == NC_NOERR &&
        nc_inq_varndims(ncid, varid, &ndims) == NC_NOERR && ndims == 1 &&
        nc_inq_vardimid(ncid, varid, &dim) == NC_NOERR && dim == dimid)
        return varid;
    nc_inq_nvars(ncid, &nvars);
    for (varid = 0; varid < nvars && varid < 1024; varid++) {
        nc_type t;
        if (nc_inq_var(ncid, varid, NULL, &t, &ndims, NULL, NULL) != NC_NOERR || ndims != 1 ||
            t == NC_CHAR || t == NC_STRING || nc_inq_vardimid(ncid, varid, &dim) != NC_NOERR ||
            dim != dimid)
            continue;
        att_text_or_empty(ncid, varid, "units", units, sizeof units);
        if (strstr(units, " since "))
            return varid;
    }
    return -1;
}

static int is_time_dim(int ncid, int dimid, int unlimited)
{
    char name[NC_MAX_NAME + 1], units[256];
    if (nc_inq_dimname(ncid, dimid, name) != NC_NOERR)
        return 0;
    if (dimid == unlimited || !strcmp(name, "time"))
        return 1;
    const int varid = time_variable(ncid, dimid);
    if (varid < 0)
        return 0;
    att_text_or_empty(ncid, varid, "units", units, sizeof units);
    return strstr(units, " since ") != NULL;
}

static void axis_label(fc_pd_axis *a)
{
    const char *units = a->scale == 1e-3 ? "km" : a->units;
    if (units[0])
        snprintf(a->label, sizeof a->label, "%s (%s)", a->name, units);
    else
        snprintf(a->label, sizeof a->label, "%s", a->name);
}

/* Lengths in metres shown in km when the domain spans 10 km or more (both axes alike). */
static void axes_in_km(fc_pd_axis *x, fc_pd_axis *y)
{
    const int both = y != NULL;
    if (strcmp(x->units, "m") || (both && strcmp(y->units, "m")))
        return;
    double extent = fabs(x->c[x->n - 1] - x->c[0]);
    if (both)
        extent = fmax(extent, fabs(y->c[y->n - 1] - y->c[0]));
    if (extent < 10000)
        return;
    for (fc_pd_axis *a = x; a; a = a == x && both ? y : NULL) {
        a->scale = 1e-3;
        for (size_t k = 0; k < a->n; k++)
            a->c[k] *= 1e-3;
        axis_label(a);
    }
}

/* The coordinate of dimension dimid (length n): its variable of the same name when there is
 * one (one-dimensional on it, finite and strictly monotonic), else 0..n-1. */
static int read_axis(fc_plotdata *d, int dimid, size_t n, fc_pd_axis *a, fc_err *err)
{
    nc_inq_dimname(d->ncid, dimid, a->name);
    a->n = n;
    a->scale = 1;
    a->units[0] = '\0';
    a->c = malloc(n * sizeof *a->c);
    if (!a->c)
        return fc_fail(err, FC_ENOMEM, "out of memory for the coordinate %s", a->name);
    int varid, ndims, dim0;
    if (nc_inq_varid(d->ncid, a->name, &varid) != NC_NOERR ||
        nc_inq_varndims(d->ncid, varid, &ndims) != NC_NOERR || ndims != 1 ||
        nc_inq_vardimid(d->ncid, varid, &dim0) != NC_NOERR || dim0 != dimid) {
        for (size_t k = 0; k < n; k++)
            a->c[k] = (double)k;
        a->index = 1;
        snprintf(a->label, sizeof a->label, "%s (index)", a->name);
        return FC_OK;
    }
    fc_nc_var cv;
    int st = fc_nc_find_var(d->ncid, d->path, a->name, 1, 1, &cv, err);
    if (!st)
        st = fc_nc_get_vector_double(d->ncid, &cv, n, a->c, err);
    if (!st)
        st = att_text(d->ncid, varid, d->path, "units", a->units, sizeof a->units, err);
    if (st)
        return st;
    for (size_t k = 1; k < n; k++)
        if ((a->c[k] - a->c[k - 1]) * (a->c[1] - a->c[0]) <= 0)
            return fc_fail(err, FC_EINPUT, "%s: coordinate '%s' is not strictly monotonic "
                           "(values %zu and %zu: %g, %g)", d->path, a->name, k - 1, k,
                           a->c[k - 1], a->c[k]);
    axis_label(a);
    return FC_OK;
}

/* Fixes the dimension between time and the plane of a field on (time, level, y, x) or
 * (level, y, x), dimid of length n: at = "NAME=VALUE" picks the coordinate value nearest VALUE
 * (within half a spacing; the index where the dimension has no coordinate); without it a
 * dimension of one value is taken as it is, and a longer one refused, saying what it holds. */
static int pick_level(fc_plotdata *d, int dimid, size_t n, const char *at, const char *shape,
                      fc_err *err)
{
    if (n > MAX_RECORDS) /* its coordinate is read whole */
        return fc_fail(err, FC_EINPUT, "%s: '%s' has %zu levels (at most %zu are read)", d->path,
                       d->name, n, MAX_RECORDS);
    fc_pd_axis lv = {0};
    int st = read_axis(d, dimid, n, &lv, err);
    const char *units = lv.index ? "(index)" : lv.units;
    /* What it holds: every value up to 12, else the first and last. */
    char range[NC_MAX_NAME + 512];
    snprintf(range, sizeof range, "'%s' has %zu value%s: ", lv.name, n, n == 1 ? "" : "s");
    for (size_t k = 0; !st && k < n; k++)
        if (n <= 12 || k == 0 || k == n - 1)
            snprintf(range + strlen(range), sizeof range - strlen(range), "%s%g",
                     k == 0 ? "" : n > 12 ? " ... " : ", ", lv.c[k]);
    snprintf(range + strlen(range), sizeof range - strlen(range), " %s", units);
    size_t best = 0;
    if (!st && !at && n > 1)
        st = fc_fail(err, FC_EINPUT, "%s: '%s' is on (%s): pick one %s with --at %s=VALUE (%s)",
                     d->path, d->name, shape, lv.name, lv.name, range);
    if (!st && at) {
        const char *eq = strchr(at, '=');
        char *end = NULL;
        const double want = eq ? strtod(eq + 1, &end) : NAN;
        if (!eq || (size_t)(eq - at) != strlen(lv.name) || strncmp(at, lv.name, strlen(lv.name)))
            st = fc_fail(err, FC_EINPUT, "--at %s: '%s' has its levels along '%s' (--at "
                         "%s=VALUE)", at, d->name, lv.name, lv.name);
        else if (end == eq + 1 || *end || !isfinite(want))
            st = fc_fail(err, FC_EINPUT, "--at %s: '%s' is not a number", at, eq + 1);
        else {
            for (size_t k = 1; k < n; k++)
                if (fabs(lv.c[k] - want) < fabs(lv.c[best] - want))
                    best = k;
            const double gap = n > 1 ? fabs(lv.c[best > 0 ? best - 1 : 1] - lv.c[best]) : 0;
            const double gap2 = best + 1 < n ? fabs(lv.c[best + 1] - lv.c[best]) : gap;
            if (fabs(lv.c[best] - want) > 0.5 * fmin(gap, gap2) + 1e-9 * fabs(want))
                st = fc_fail(err, FC_EINPUT, "--at %s: no such value; %s", at, range);
        }
    }
    if (!st) {
        d->level_dim = dimid;
        d->level_index = best;
        snprintf(d->level_text, sizeof d->level_text, lv.index ? "%s %.0f" : "%s = %g%s%s",
                 lv.name, lv.c[best], lv.units[0] ? " " : "", lv.units);
    }
    free(lv.c);
    return st;
}

/* The records of time dimension dimid (length n) whose time is set and increasing, and which
 * the file holds whole. */
static int read_times(fc_plotdata *d, int dimid, size_t n, fc_err *err)
{
    if (n > MAX_RECORDS)
        return fc_fail(err, FC_EINPUT, "%s: %zu records (at most %zu are drawn)", d->path, n,
                       MAX_RECORDS);
    char name[NC_MAX_NAME + 1];
    nc_inq_dimname(d->ncid, dimid, name);
    d->times = malloc((n ? n : 1) * sizeof *d->times);
    if (!d->times)
        return fc_fail(err, FC_ENOMEM, "out of memory for %zu times", n);
    int varid = time_variable(d->ncid, dimid);
    fc_nc_var tv;
    if (varid < 0) {
        for (size_t k = 0; k < n; k++)
            d->times[k] = (double)k;
        d->nrec = n;
        d->time_index = 1;
        return FC_OK;
    }
    nc_inq_varname(d->ncid, varid, name);
    int st = fc_nc_find_var(d->ncid, d->path, name, 1, 1, &tv, err);
    if (!st && n) {
        const size_t start = 0;
        st = get_double(d->ncid, d->path, &tv, &start, &n, d->times, err);
    }
    if (!st)
        st = att_text(d->ncid, varid, d->path, "units", d->time_units, sizeof d->time_units, err);
    if (!st)
        st = att_text(d->ncid, varid, d->path, "calendar", d->calendar, sizeof d->calendar, err);
    if (st)
        return st;
    fc_nc_unpack_or_nan(&tv, d->times, n);
    const size_t held = fc_nc_records_held(d->path); /* a file cut short: its zeros */
    d->nrec = 0;
    while (d->nrec < n && d->nrec < held && !isnan(d->times[d->nrec]) &&
           (d->nrec == 0 || d->times[d->nrec] > d->times[d->nrec - 1]))
        d->nrec++;
    return FC_OK;
}

/* Whether variable varid is drawn as a field: (y, x), (time, y, x), or on levels (level, y, x)
 * or (time, level, y, x); not a coordinate's bounds or the solid mask. */
static int drawable_field(int ncid, int varid, int unlimited)
{
    char name[NC_MAX_NAME + 1];
    int ndims, dims[NC_MAX_VAR_DIMS];
    nc_type t;
    if (nc_inq_var(ncid, varid, name, &t, &ndims, NULL, NULL) != NC_NOERR || t == NC_CHAR ||
        t == NC_STRING || ndims < 2 || ndims > 4)
        return 0;
    nc_inq_vardimid(ncid, varid, dims);
    char coord[NC_MAX_NAME + 1];
    if (fc_nc_bounds_of(ncid, name, coord) || !strcmp(name, "solid"))
        return 0;
    const int timed = is_time_dim(ncid, dims[0], unlimited);
    for (int k = 1; k < ndims; k++)
        if (is_time_dim(ncid, dims[k], unlimited))
            return 0;
    return ndims - timed <= 3 && ndims - timed >= 2;
}

/* A variable on exactly the field's grid (time first when the field has it): its id, or -1. */
static int on_field_grid(const fc_plotdata *d, int varid)
{
    int ndims, dims[NC_MAX_VAR_DIMS];
    nc_type t;
    if (nc_inq_var(d->ncid, varid, NULL, &t, &ndims, NULL, NULL) != NC_NOERR || t == NC_CHAR ||
        t == NC_STRING || ndims < 2 || ndims > 4)
        return -1;
    nc_inq_vardimid(d->ncid, varid, dims);
    if (dims[ndims - 2] != d->dimids[0] || dims[ndims - 1] != d->dimids[1])
        return -1;
    /* Before the plane: the field's time, its level, both in that order, or neither. */
    const int lead = ndims - 2;
    int k = 0;
    if (k < lead && d->has_time && dims[k] == d->timedim)
        k++;
    if (k < lead && d->level_dim >= 0 && dims[k] == d->level_dim)
        k++;
    return k == lead ? varid : -1;
}

static void find_masks(fc_plotdata *d)
{
    int varid, nvars = 0;
    d->solid_id = d->body_id = d->depth_id = -1;
    if (nc_inq_varid(d->ncid, "solid", &varid) == NC_NOERR)
        d->solid_id = on_field_grid(d, varid);
    if (nc_inq_varid(d->ncid, "body_distance", &varid) == NC_NOERR)
        d->body_id = on_field_grid(d, varid);
    nc_inq_nvars(d->ncid, &nvars);
    for (int k = 0; k < nvars && d->depth_id < 0; k++) {
        char sn[64];
        size_t len;
        nc_type t;
        if (nc_inq_att(d->ncid, k, "standard_name", &t, &len) == NC_NOERR && t == NC_CHAR &&
            len < sizeof sn && nc_get_att_text(d->ncid, k, "standard_name", sn) == NC_NOERR) {
            sn[len] = '\0';
            if (!strcmp(sn, "sea_floor_depth_below_sea_surface"))
                d->depth_id = on_field_grid(d, k);
        }
    }
}

/* Whether units are a latitude's (want 'n') or a longitude's ('e'): CF 4.1 and 4.2's
 * degrees_north, degree_N, degreeN ... */
static int geographic_units(const char *u, char want)
{
    static const char *const stems[] = {"degrees_", "degree_", "degrees", "degree"};
    for (size_t k = 0; k < sizeof stems / sizeof stems[0]; k++) {
        const size_t n = strlen(stems[k]);
        if (!strncmp(u, stems[k], n)) {
            const char *rest = u + n;
            return !strcmp(rest, want == 'n' ? "north" : "east") ||
                   !strcmp(rest, want == 'n' ? "N" : "E");
        }
    }
    return 0;
}

/* Whether a variable is a latitude (want 'n') or longitude ('e') by its standard name or its
 * units. */
static int is_geographic(int ncid, int varid, char want)
{
    char sn[64], u[64];
    att_text_or_empty(ncid, varid, "standard_name", sn, sizeof sn);
    if (!strcmp(sn, want == 'n' ? "latitude" : "longitude"))
        return 1;
    att_text_or_empty(ncid, varid, "units", u, sizeof u);
    return geographic_units(u, want);
}

/* An axis that holds no place: no coordinate variable, or one without units or in units of
 * 1 (CMIP's ocean grids index their cells so). */
static int placeless(const fc_pd_axis *a)
{
    return a->index || !a->units[0] || !strcmp(a->units, "1");
}

/* The longitude and latitude named by the field's `coordinates` attribute on its grid, when its
 * axes hold no place and they are usable at the first record (else the axes stay). */
static void find_lonlat(fc_plotdata *d)
{
    d->lon_id = d->lat_id = -1;
    char list[1024];
    att_text_or_empty(d->ncid, d->v.id, "coordinates", list, sizeof list);
    if (!list[0] || !placeless(&d->x) || !placeless(&d->y))
        return;
    int lon = -1, lat = -1;
    for (char *save = NULL, *tok = strtok_r(list, " \t", &save); tok;
         tok = strtok_r(NULL, " \t", &save)) {
        int id;
        if (nc_inq_varid(d->ncid, tok, &id) != NC_NOERR || on_field_grid(d, id) < 0)
            continue;
        if (lon < 0 && is_geographic(d->ncid, id, 'e'))
            lon = id;
        else if (lat < 0 && is_geographic(d->ncid, id, 'n'))
            lat = id;
    }
    if (lon < 0 || lat < 0)
        return;
    d->lon_id = lon, d->lat_id = lat;
    const size_t n = d->x.n * d->y.n;
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    fc_err ignored;
    int usable = a && b && fc_pd_lonlat(d, 0, a, b, &ignored) == FC_OK;
    /* Cells that span no area in them (every latitude alike, say) hold no place either. */
    for (int k = 0; k < 2 && usable; k++) {
        const double *c = k ? b : a;
        double lo = c[0], hi = c[0];
        for (size_t q = 1; q < n; q++)
            lo = fmin(lo, c[q]), hi = fmax(hi, c[q]);
        usable = hi > lo;
    }
    if (!usable)
        d->lon_id = d->lat_id = -1;
    free(a), free(b);
    for (int k = 0; k < 2 && d->lon_id >= 0; k++) {
        char name[NC_MAX_NAME + 1], u[64];
        nc_inq_varname(d->ncid, k ? lat : lon, name);
        att_text_or_empty(d->ncid, k ? lat : lon, "units", u, sizeof u);
        char *label = k ? d->lat_label : d->lon_label;
        snprintf(label, sizeof d->lon_label, u[0] ? "%s (%s)" : "%s", name, u);
    }
}

int fc_pd_open(fc_plotdata *d, const char *path, const char *name, fc_err *err)
{
    return fc_pd_open_at(d, path, name, NULL, err);
}

int fc_pd_open_at(fc_plotdata *d, const char *path, const char *name, const char *at,
                  fc_err *err)
{
    memset(d, 0, sizeof *d);
    d->ncid = -1;
    d->level_dim = -1;
    d->lon_id = d->lat_id = -1;
    snprintf(d->path, sizeof d->path, "%s", path);
    int st = fc_nc_open(path, "file to draw", &d->ncid, err);
    if (st) {
        d->ncid = -1;
        return st;
    }
    int unlimited = -1, varid = -1;
    nc_inq_unlimdim(d->ncid, &unlimited);
    if (!name) { /* the vorticity, else the first field */
        int nvars = 0;
        nc_inq_nvars(d->ncid, &nvars);
        if (nc_inq_varid(d->ncid, "vorticity", &varid) != NC_NOERR ||
            !drawable_field(d->ncid, varid, unlimited))
            for (varid = 0; varid < nvars && !drawable_field(d->ncid, varid, unlimited); varid++)
                ;
        if (varid >= nvars) { /* a series file, say: what it has to draw as lines */
            char lines[1024];
            fc_nc_list_vars(d->ncid, 1, 1, lines, sizeof lines);
            fc_pd_close(d);
            return fc_fail(err, FC_EINPUT,
                           "%s has no two-dimensional field to draw; give --var%s%s", path,
                           lines[0] ? ", one of its lines: " : "", lines);
        }
        char vname[NC_MAX_NAME + 1];
        nc_inq_varname(d->ncid, varid, vname);
        snprintf(d->name, sizeof d->name, "%s", vname);
    } else {
        snprintf(d->name, sizeof d->name, "%s", name);
        if (strlen(name) >= sizeof d->name || nc_inq_varid(d->ncid, name, &varid) != NC_NOERR) {
            char list[1024];
            fc_nc_list_vars(d->ncid, 0, NC_MAX_VAR_DIMS, list, sizeof list);
            fc_pd_close(d);
            return fc_fail(err, FC_EINPUT, "%s has no variable '%s' (it has: %s)", path, name,
                           list[0] ? list : "none");
        }
    }
    int ndims, dim0, coord_dim;
    nc_inq_varndims(d->ncid, varid, &ndims);
    char coord[NC_MAX_NAME + 1];
    if (fc_nc_bounds_of(d->ncid, d->name, coord)) {
        char list[1024];
        fc_nc_list_vars(d->ncid, 0, NC_MAX_VAR_DIMS, list, sizeof list);
        fc_pd_close(d);
        return fc_fail(err, FC_EINPUT, "%s: '%s' holds the bounds of the cells of coordinate "
                       "'%s', not a quantity to draw (it has: %s)", path, name, coord,
                       list[0] ? list : "none");
    }
    if (ndims == 1 && nc_inq_vardimid(d->ncid, varid, &dim0) == NC_NOERR &&
        nc_inq_dimid(d->ncid, d->name, &coord_dim) == NC_NOERR && dim0 == coord_dim) {
        char list[1024];
        fc_nc_list_vars(d->ncid, 0, NC_MAX_VAR_DIMS, list, sizeof list);
        fc_pd_close(d);
        return fc_fail(err, FC_EINPUT, "%s: '%s' is a coordinate, the axis other variables are "
                       "drawn against, not a quantity to draw (it has: %s)", path, name,
                       list[0] ? list : "none");
    }
    int dims[NC_MAX_VAR_DIMS];
    nc_inq_vardimid(d->ncid, varid, dims);
    d->has_time = ndims > 0 && is_time_dim(d->ncid, dims[0], unlimited);
    d->timedim = d->has_time ? dims[0] : -1;
    int nspace = ndims - d->has_time;
    if (nspace > 3 || ndims < 1) {
        fc_pd_close(d);
        return fc_fail(err, FC_EINPUT, "%s: variable '%s' has %d dimensions; plot draws fields "
                       "(y, x), (time, y, x) and (time, level, y, x) at one level, profiles "
                       "(time, k) and series (time) (cut the others first, e.g. ncks -d)",
                       path, d->name, ndims);
    }
    if ((st = fc_nc_find_var(d->ncid, path, d->name, 1, 4, &d->v, err))) {
        fc_pd_close(d);
        return st;
    }
    for (int k = 1; k < ndims && !st; k++)
        if (is_time_dim(d->ncid, dims[k], unlimited))
            st = fc_fail(err, FC_EINPUT, "%s: variable '%s' has time as dimension %d of %d; "
                         "plot reads it first", path, d->name, k + 1, ndims);
    for (int k = 0; k < ndims && !st; k++)
        if (d->v.len[k] == 0 && !(k == 0 && d->has_time))
            st = fc_fail(err, FC_EINPUT, "%s: variable '%s' has an empty dimension", path, d->name);
    if (!st)
        st = att_text(d->ncid, varid, path, "long_name", d->long_name, sizeof d->long_name, err);
    /* Without a long name: the standard name in words, else WRF's description. */
    if (!st && !d->long_name[0]) {
        att_text_or_empty(d->ncid, varid, "standard_name", d->long_name, sizeof d->long_name);
        for (char *c = d->long_name; *c; c++)
            *c = *c == '_' ? ' ' : *c;
        if (!d->long_name[0])
            att_text_or_empty(d->ncid, varid, "description", d->long_name,
                              sizeof d->long_name);
    }
    if (!st)
        st = att_text(d->ncid, varid, path, "units", d->units, sizeof d->units, err);
    if (!st)
        st = att_text(d->ncid, NC_GLOBAL, path, "title", d->title, sizeof d->title, err);
    if (!st) {
        char source[64];
        d->flowcast = fc_nc_has_att(d->ncid, NC_GLOBAL, "flowcast_version") ||
                      (global_text(d->ncid, "source", source, sizeof source) &&
                       !strncmp(source, "flowcast ", 9));
        if (d->has_time)
            st = read_times(d, dims[0], d->v.len[0], err);
        else
            d->nrec = 1;
    }
    if (!st && d->has_time && d->nrec == 0)
        st = fc_fail(err, FC_EINPUT, "%s has no complete record (no time is set)", path);
    /* A field on levels is drawn at one (--at). */
    char shape[4 * (NC_MAX_NAME + 2)] = "";
    for (int k = 0; k < ndims; k++) {
        char dn[NC_MAX_NAME + 1] = "?";
        nc_inq_dimname(d->ncid, dims[k], dn);
        snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%s%s", k ? ", " : "", dn);
    }
    if (!st && nspace == 3) {
        st = pick_level(d, dims[d->has_time], d->v.len[d->has_time], at, shape, err);
        nspace = 2;
    } else if (!st && at)
        st = fc_fail(err, FC_EINPUT, "--at %s: '%s' is on (%s), with no level to pick", at,
                     d->name, shape);
    /* A field one cell wide (a 1-D run, ny = 1) is a line along its long axis: its profile. */
    int along = ndims - 1;
    if (!st && nspace == 2 && (d->v.len[ndims - 1] == 1 || d->v.len[ndims - 2] == 1)) {
        along = d->v.len[ndims - 1] == 1 ? ndims - 2 : ndims - 1;
        d->one_cell_across = 1;
    }
    if (!st) {
        d->shape = d->one_cell_across ? FC_PD_PROFILE
                   : nspace == 2      ? FC_PD_FIELD
                   : nspace == 1      ? FC_PD_PROFILE
                                      : FC_PD_SERIES;
        if (d->shape == FC_PD_FIELD) {
            d->dimids[0] = dims[ndims - 2];
            d->dimids[1] = dims[ndims - 1];
            if (d->v.len[ndims - 1] * d->v.len[ndims - 2] > MAX_CELLS)
                st = fc_fail(err, FC_EINPUT, "%s: '%s' has %zu x %zu cells (at most %zu are "
                             "drawn)", path, d->name, d->v.len[ndims - 1], d->v.len[ndims - 2],
                             MAX_CELLS);
            if (!st)
                st = read_axis(d, dims[ndims - 1], d->v.len[ndims - 1], &d->x, err);
            if (!st)
                st = read_axis(d, dims[ndims - 2], d->v.len[ndims - 2], &d->y, err);
            if (!st) {
                axes_in_km(&d->x, &d->y);
                find_masks(d);
                find_lonlat(d);
                d->geographic = d->lon_id >= 0 || (geographic_units(d->x.units, 'e') &&
                                                   geographic_units(d->y.units, 'n'));
            }
        } else if (d->shape == FC_PD_PROFILE) {
            if (d->v.len[along] > MAX_RECORDS)
                st = fc_fail(err, FC_EINPUT, "%s: '%s' has %zu values per record", path, d->name,
                             d->v.len[along]);
            else
                st = read_axis(d, dims[along], d->v.len[along], &d->x, err);
        }
    }
    if (st)
        fc_pd_close(d);
    return st;
}

void fc_pd_close(fc_plotdata *d)
{
    if (d->ncid >= 0)
        fc_nc_close(d->ncid);
    d->ncid = -1;
    free(d->times);
    free(d->x.c);
    free(d->y.c);
    d->times = d->x.c = d->y.c = NULL;
}

int fc_pd_record(const fc_plotdata *d, const char *spec, size_t *rec, fc_err *err)
{
    if (!spec || !strcmp(spec, "last")) {
        *rec = d->nrec - 1;
        return FC_OK;
    }
    if (!strcmp(spec, "first")) {
        *rec = 0;
        return FC_OK;
    }
    char *end;
    const double t = strtod(spec, &end);
    if (*end || end == spec || !isfinite(t))
        return fc_fail(err, FC_EINPUT, "--time %s: expected first, last, all or a time", spec);
    if (!d->has_time)
        return fc_fail(err, FC_EINPUT, "--time %s: '%s' in %s has no time dimension", spec,
                       d->name, d->path);
    size_t best = 0;
    for (size_t k = 1; k < d->nrec; k++)
        if (fabs(d->times[k] - t) < fabs(d->times[best] - t))
            best = k;
    const double spacing = d->nrec > 1 ? (d->times[d->nrec - 1] - d->times[0]) / (d->nrec - 1) : 0;
    if (fabs(d->times[best] - t) > (d->nrec > 1 ? spacing / 2 : 0) + 1e-9 * fabs(t)) {
        if (d->nrec > 1)
            return fc_fail(err, FC_EINPUT, "--time %s: out of range; %s has %zu records from %g "
                           "to %g %s", spec, d->path, d->nrec, d->times[0], d->times[d->nrec - 1],
                           d->time_units[0] ? d->time_units : "(no units)");
        return fc_fail(err, FC_EINPUT, "--time %s: %s has one record, at %g %s", spec, d->path,
                       d->times[0], d->time_units);
    }
    *rec = best;
    return FC_OK;
}

/* Seconds per unit of a CF time unit word, or 0. */
static double unit_seconds(const char *u)
{
    static const struct {
        const char *name;
        double s;
    } units[] = {{"second", 1}, {"sec", 1},   {"s", 1},        {"minute", 60}, {"min", 60},
                 {"hour", 3600}, {"hr", 3600}, {"h", 3600},     {"day", 86400}, {"d", 86400}};
    char w[32];
    if (sscanf(u, "%31s", w) != 1)
        return 0;
    const size_t n = strlen(w);
    if (n > 1 && w[n - 1] == 's' && strcmp(w, "s"))
        w[n - 1] = '\0';
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
        if (!strcmp(w, units[k].name))
            return units[k].s;
    return 0;
}

double fc_pd_seconds_per_unit(const fc_plotdata *d)
{
    return d->time_index ? 0 : unit_seconds(d->time_units);
}

/* A zone offset in seconds east of UTC (calendar.h's forms), the whole of z; 0 when z is not
 * one. */
static int zone_offset(const char *z, double *east)
{
    int minutes;
    const int used = fc_zone_offset(z, &minutes);
    if (!used || z[used])
        return 0;
    *east = 60.0 * minutes;
    return 1;
}

/* The reference date of CF time units ("2020-06-01 12:00:00 +05:00", ISO's
 * "2020-06-01T12:00:00Z"): the date, the seconds since its midnight and the zone's offset in
 * seconds east of UTC (0 when there is none). Returns 0 for anything else. */
static int reference_date(const char *ref, int *y, int *mo, int *da, double *clock,
                          double *east)
{
    char text[128];
    snprintf(text, sizeof text, "%s", ref);
    char *tee = strchr(text, 'T'); /* ISO's date-time separator, not the T of UTC */
    if (tee && tee > text && isdigit((unsigned char)tee[-1]) && isdigit((unsigned char)tee[1]))
        *tee = ' ';
    char date[48] = "", time[48] = "", zone[48] = "", extra[8] = "";
    const int words = sscanf(text, "%47s %47s %47s %7s", date, time, zone, extra);
    int n = 0, h = 0, mi = 0;
    double s = 0;
    *east = 0;
    if (words < 1 || words > 3 || sscanf(date, "%d-%d-%d%n", y, mo, da, &n) != 3 || date[n] ||
        *mo < 1 || *mo > 12 || *da < 1 || *da > 31)
        return 0;
    if (words >= 2) {
        /* A zone may follow the clock directly: 12:00:00Z, 12:00+05:30. */
        char *glued = strpbrk(time + 1, "+-Z");
        if (glued) {
            if (words == 3)
                return 0;
            snprintf(zone, sizeof zone, "%s", glued);
            *glued = '\0';
        }
        const int parts = time[0] == '+' || time[0] == '-'
                              ? 0 /* no clock: a zone after the date */
                              : sscanf(time, "%d:%d:%lf%n", &h, &mi, &s, &n);
        if (parts == 2)
            sscanf(time, "%d:%d%n", &h, &mi, &n);
        else if (parts == 1)
            sscanf(time, "%d%n", &h, &n);
        if (parts < 1 || time[n] || h < 0 || h > 24 || mi < 0 || mi > 59 || s < 0 || s >= 61) {
            /* a date, then only a zone: 2020-06-01 +05:00 */
            if (words == 3 || !zone_offset(time, east))
                return 0;
            h = mi = 0;
            s = 0;
        }
    }
    if (*zone && !zone_offset(zone, east))
        return 0;
    *clock = h * 3600.0 + mi * 60.0 + s;
    return 1;
}

void fc_pd_time_text(const fc_plotdata *d, size_t rec, char *buf, size_t len)
{
    if (!d->has_time) {
        buf[0] = '\0';
        return;
    }
    if (d->time_index) {
        snprintf(buf, len, "record %zu of %zu", rec + 1, d->nrec);
        return;
    }
    const double t = d->times[rec], sec = unit_seconds(d->time_units) * t;
    const char *since = strstr(d->time_units, " since ");
    int y, mo, da;
    double clock, east;
    /* A date in UTC in the file's calendar; an unknown calendar or reference is shown as the
     * time since the reference. */
    const int kind = fc_calendar_kind(d->calendar);
    if (!d->flowcast && kind >= 0 && since && unit_seconds(d->time_units) > 0 &&
        reference_date(since + 7, &y, &mo, &da, &clock, &east) && fabs(sec) < 1e14 &&
        abs(y) < 1000000) {
        const double at = clock - east + sec, days = floor(at / 86400);
        const long long n = fc_day_number(kind, y, mo, da) + (long long)days;
        const long minute = lround((at - days * 86400) / 60);
        long long yy;
        int m, dd;
        fc_day_date(kind, n + minute / 1440, &yy, &m, &dd);
        snprintf(buf, len, "%04lld-%02d-%02d %02ld:%02ld %s", yy, m, dd, minute % 1440 / 60,
                 minute % 60, kind <= FC_CAL_JULIAN ? "UTC" : d->calendar);
        return;
    }
    if (unit_seconds(d->time_units) <= 0) {
        snprintf(buf, len, "time = %g %s", t, d->time_units);
        return;
    }
    const double a = fabs(sec);
    if (a < 120)
        snprintf(buf, len, "t = %.4g s", sec);
    else if (a < 7200)
        snprintf(buf, len, "t = %.4g min", sec / 60);
    else if (a < 172800)
        snprintf(buf, len, "t = %.4g h", sec / 3600);
    else
        snprintf(buf, len, "t = %.4g d", sec / 86400);
}

int fc_pd_read(const fc_plotdata *d, size_t rec, double *out, fc_err *err)
{
    size_t start[FC_NC_MAX_DIMS] = {0}, count[FC_NC_MAX_DIMS];
    const int nd = d->v.ndims;
    for (int k = 0; k < nd; k++)
        count[k] = d->v.len[k];
    size_t n;
    if (d->shape == FC_PD_SERIES) {
        count[0] = d->nrec;
        n = d->nrec;
    } else {
        if (d->has_time) {
            start[0] = rec;
            count[0] = 1;
        }
        if (d->level_dim >= 0) {
            start[d->has_time] = d->level_index;
            count[d->has_time] = 1;
        }
        n = d->shape == FC_PD_FIELD ? d->x.n * d->y.n : d->x.n;
    }
    int st = get_double(d->ncid, d->path, &d->v, start, count, out, err);
    if (!st)
        fc_nc_unpack_or_nan(&d->v, out, n);
    return st;
}

/* A plane of another variable (varid) on the field's grid at record rec, fill -> NaN. */
static int read_plane(const fc_plotdata *d, int varid, size_t rec, double *out, fc_err *err)
{
    char name[NC_MAX_NAME + 1];
    nc_inq_varname(d->ncid, varid, name);
    fc_nc_var v;
    int st = fc_nc_find_var(d->ncid, d->path, name, 2, 4, &v, err);
    if (st)
        return st;
    /* on_field_grid: the dimensions before the plane are the field's time and level. */
    int dims[FC_NC_MAX_DIMS];
    nc_inq_vardimid(d->ncid, varid, dims);
    size_t start[FC_NC_MAX_DIMS] = {0}, count[FC_NC_MAX_DIMS];
    for (int k = 0; k < v.ndims; k++) {
        count[k] = k < v.ndims - 2 ? 1 : v.len[k];
        if (k < v.ndims - 2 && d->has_time && dims[k] == d->timedim) {
            if (rec >= v.len[k])
                return fc_fail(err, FC_EINPUT, "%s: '%s' has %zu records, fewer than '%s'",
                               d->path, name, v.len[k], d->name);
            start[k] = rec;
        } else if (k < v.ndims - 2)
            start[k] = d->level_index;
    }
    st = get_double(d->ncid, d->path, &v, start, count, out, err);
    if (!st)
        fc_nc_unpack_or_nan(&v, out, d->x.n * d->y.n);
    return st;
}

int fc_pd_kinds(const fc_plotdata *d, size_t rec, unsigned char *kind, double *body,
                fc_err *err)
{
    const size_t n = d->x.n * d->y.n;
    memset(kind, FC_CELL_DATA, n);
    if (d->solid_id < 0 && d->body_id < 0 && d->depth_id < 0)
        return FC_OK;
    double *m = malloc(n * sizeof *m);
    if (!m)
        return fc_fail(err, FC_ENOMEM, "out of memory for the masks");
    int st = FC_OK;
    if (d->depth_id >= 0 && !(st = read_plane(d, d->depth_id, rec, m, err))) {
        double deepest = 0;
        for (size_t k = 0; k < n; k++)
            if (m[k] > deepest)
                deepest = m[k];
        for (size_t k = 0; k < n; k++)
            if (m[k] <= DRY_FRACTION * deepest)
                kind[k] = FC_CELL_DRY;
    }
    if (!st && d->solid_id >= 0 && !(st = read_plane(d, d->solid_id, rec, m, err)))
        for (size_t k = 0; k < n; k++)
            if (m[k] > 0.5)
                kind[k] = FC_CELL_SOLID;
    double *dist = body ? body : m;
    if (!st && d->body_id >= 0 && !(st = read_plane(d, d->body_id, rec, dist, err)))
        for (size_t k = 0; k < n; k++)
            if (dist[k] < 0) /* missing values are NaN here and compare false */
                kind[k] = FC_CELL_SOLID;
    free(m);
    return st;
}

int fc_pd_lonlat(const fc_plotdata *d, size_t rec, double *lon, double *lat, fc_err *err)
{
    int st = read_plane(d, d->lon_id, rec, lon, err);
    if (!st)
        st = read_plane(d, d->lat_id, rec, lat, err);
    const size_t nx = d->x.n, n = nx * d->y.n;
    for (size_t k = 0; k < n && !st; k++) {
        char name[NC_MAX_NAME + 1] = "?";
        const int lon_bad = !(fabs(lon[k]) <= 720), lat_bad = !(fabs(lat[k]) <= 90);
        if (lon_bad || lat_bad) {
            const double v = lon_bad ? lon[k] : lat[k];
            nc_inq_varname(d->ncid, lon_bad ? d->lon_id : d->lat_id, name);
            return fc_fail(err, FC_EINPUT, "%s: '%s', a coordinate of '%s', has %s at cell (%zu, "
                           "%zu) of record %zu", d->path, name, d->name,
                           isnan(v)  ? "no value"
                           : lon_bad ? "a longitude beyond 720 degrees"
                                     : "a latitude beyond 90 degrees",
                           k % nx, k / nx, rec);
        }
        /* The nearest turn to the west neighbour's (the south one's at a row's start). */
        if (k > 0) {
            const double ref = lon[k % nx ? k - 1 : k - nx];
            lon[k] += 360 * round((ref - lon[k]) / 360);
        }
    }
    return st;
}

int fc_pd_velocity(const fc_plotdata *d, size_t rec, double *u, double *v, char *units,
                   size_t units_len, fc_err *err)
{
    const char *second = !strcmp(d->y.name, "z") ? "w" : "v";
    int uid, vid;
    if (d->lon_id >= 0)
        return fc_fail(err, FC_EINPUT, "--vectors: '%s' is on a curvilinear grid, whose u and v "
                       "run along its rows and columns rather than east and north: arrows are "
                       "not drawn on it", d->name);
    if (d->shape != FC_PD_FIELD || nc_inq_varid(d->ncid, "u", &uid) != NC_NOERR ||
        nc_inq_varid(d->ncid, second, &vid) != NC_NOERR || on_field_grid(d, uid) < 0 ||
        on_field_grid(d, vid) < 0)
        return fc_fail(err, FC_EINPUT, "--vectors: %s has no u and %s on the grid of '%s' "
                       "(%s, %s)", d->path, second, d->name, d->y.name, d->x.name);
    int st = read_plane(d, uid, rec, u, err);
    if (!st)
        st = read_plane(d, vid, rec, v, err);
    if (!st)
        st = att_text(d->ncid, uid, d->path, "units", units, units_len, err);
    return st;
}
