/* ncio.c: CF-1.11 output (CDF-5, or NetCDF-4 when compressed), restart and field reading
 * (see ncio.h). */
#include <fc_build.h>

#include "src/core/ncio.h"
#include "src/core/files.h"
#include "src/core/ncread.h"

#include <errno.h>
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef FC_SINGLE
#define NC_FC_REAL NC_FLOAT
#define nc_put_vara_fc nc_put_vara_float
#define nc_get_vara_fc nc_get_vara_float
#define FC_FILL NC_FILL_FLOAT
#else
#define NC_FC_REAL NC_DOUBLE
#define nc_put_vara_fc nc_put_vara_double
#define nc_get_vara_fc nc_get_vara_double
#define FC_FILL NC_FILL_DOUBLE
#endif

/* Largest chunk of a (1, rows, nx) slab: big enough for fast I/O, small enough for caches. */
#define NCIO_CHUNK_BYTES (4u << 20)

struct fc_ncio_file {
    int ncid;
    char *path;
    int nvars, ndiags, nrec;
    int *varid;  /* per solver variable */
    int (*extent)[2]; /* per solver variable: points along x and y */
    int *spectrum;    /* per solver variable: on (time, k) */
    int *diagid; /* per diagnostic */
    int timeid;
    const fc_grid *grid;
};

#define NC_TRY(call, what)                                                                       \
    do {                                                                                         \
        int nc_status_ = (call);                                                                 \
        if (nc_status_ != NC_NOERR) {                                                            \
            st = fc_fail(err, FC_EIO, "%s: %s: %s", path, what, fc_nc_strerror(nc_status_, path));        \
            goto fail;                                                                           \
        }                                                                                        \
    } while (0)

static int put_text(int ncid, int varid, const char *name, const char *text)
{
    return nc_put_att_text(ncid, varid, name, strlen(text), text);
}

static int def_coord(int ncid, const char *name, int dim, int nvdim, const char *long_name,
                     const char *units, const char *axis, int *varid, int *bndid)
{
    char bname[16];
    snprintf(bname, sizeof bname, "%s_bnds", name);
    int dims[2] = {dim, nvdim}, s;
    if ((s = nc_def_var(ncid, name, NC_DOUBLE, 1, &dim, varid)) ||
        (s = put_text(ncid, *varid, "long_name", long_name)) ||
        (s = put_text(ncid, *varid, "units", units)) ||
        (axis && (s = put_text(ncid, *varid, "axis", axis))) ||
        (s = put_text(ncid, *varid, "bounds", bname)) ||
        (s = nc_def_var(ncid, bname, NC_DOUBLE, 2, dims, bndid)))
        return s;
    return NC_NOERR;
}

static int write_coord(int ncid, int varid, int bndid, int n, double lo, double d)
{
    double *c = malloc((size_t)n * sizeof *c), *b = malloc((size_t)n * 2 * sizeof *b);
    int s = NC_ENOMEM;
    if (c && b) {
        for (int i = 0; i < n; i++) {
            c[i] = lo + (i + 0.5) * d;
            b[2 * i] = lo + i * d;
            b[2 * i + 1] = lo + (i + 1) * d;
        }
        s = nc_put_var_double(ncid, varid, c);
        if (!s)
            s = nc_put_var_double(ncid, bndid, b);
    }
    free(c);
    free(b);
    return s;
}

static int write_faces(int ncid, int varid, int n, double lo, double d)
{
    double *c = malloc((size_t)n * sizeof *c);
    if (!c)
        return NC_ENOMEM;
    for (int i = 0; i < n; i++)
        c[i] = lo + i * d;
    int s = nc_put_var_double(ncid, varid, c);
    free(c);
    return s;
}

int fc_ncio_create(const char *path, int overwrite, const fc_ncio_meta *m, fc_ncio_file **out,
                fc_err *err)
{
    const fc_grid *g = m->grid;
    const fc_solver_desc *s = m->solver;
    int st = fc_output_writable(path, "output file", overwrite,
                                "use -O/--overwrite to replace it, or -o to write elsewhere", err);
    if (st)
        return st;
    /* Uncompressed output is CDF-5: another process can read every complete record while the
     * run writes (an HDF5 file open for writing cannot be opened by a reader), and a killed run
     * leaves the header's record count at the last nc_sync. Compression needs NetCDF-4/HDF5,
     * readable once the run has closed it. */
    const int nc4 = m->deflate > 0;
    int ncid = -1;
    int cmode = (nc4 ? NC_NETCDF4 : NC_64BIT_DATA) | (overwrite ? NC_CLOBBER : NC_NOCLOBBER);
    int rc = nc_create(path, cmode, &ncid);
    if (rc != NC_NOERR)
        return fc_fail(err, FC_EINPUT, "cannot create output file '%s': %s", path,
                       rc == NC_EEXIST ? "it exists" : fc_nc_strerror(rc, path));
    fc_ncio_file *f = calloc(1, sizeof *f);
    if (!f) {
        fc_nc_close_output(ncid);
        unlink(path);
        return fc_fail(err, FC_ENOMEM, "out of memory");
    }
    f->ncid = ncid;
    f->path = strdup(path);
    f->grid = g;
    f->nvars = (int)s->nvars;
    f->ndiags = m->ndiags;
    f->varid = calloc(s->nvars, sizeof *f->varid);
    f->extent = calloc(s->nvars, sizeof *f->extent);
    f->spectrum = calloc(s->nvars, sizeof *f->spectrum);
    f->diagid = calloc((size_t)m->ndiags + 1, sizeof *f->diagid);
    if (!f->path || !f->varid || !f->extent || !f->spectrum || !f->diagid) {
        st = fc_fail(err, FC_ENOMEM, "out of memory");
        goto fail;
    }

    int dt, dy, dx, dnv, xid, yid, xb, yb;
    NC_TRY(nc_def_dim(ncid, "time", NC_UNLIMITED, &dt), "defining time");
    NC_TRY(nc_def_dim(ncid, "y", (size_t)g->ny, &dy), "defining y");
    NC_TRY(nc_def_dim(ncid, "x", (size_t)g->nx, &dx), "defining x");
    NC_TRY(nc_def_dim(ncid, "nv", 2, &dnv), "defining nv");

    char units[128];
    snprintf(units, sizeof units, "seconds since %s",
             fc_cfg_str(m->cfg, "output", "reference_time"));
    NC_TRY(nc_def_var(ncid, "time", NC_DOUBLE, 1, &dt, &f->timeid), "defining time");
    NC_TRY(put_text(ncid, f->timeid, "standard_name", "time"), "time attributes");
    NC_TRY(put_text(ncid, f->timeid, "long_name", "model time"), "time attributes");
    NC_TRY(put_text(ncid, f->timeid, "units", units), "time attributes");
    NC_TRY(put_text(ncid, f->timeid, "calendar", "standard"), "time attributes");
    NC_TRY(put_text(ncid, f->timeid, "axis", "T"), "time attributes");
    NC_TRY(def_coord(ncid, "y", dy, dnv, "y coordinate of cell centre", "m", "Y", &yid, &yb),
           "defining y");
    NC_TRY(def_coord(ncid, "x", dx, dnv, "x coordinate of cell centre", "m", "X", &xid, &xb),
           "defining x");
    /* Staggered variables get their own coordinates: the faces, at cell edges; spectra theirs:
     * the wavenumber shells. */
    int staggered = 0, dxf = -1, dyf = -1, xfid = -1, yfid = -1, spectral = 0, dk = -1, kid = -1,
        kb = -1;
    for (size_t k = 0; k < s->nvars; k++) {
        f->varid[k] = -1;
        if (!fc_var_on(s, m->params, k))
            continue;
        fc_var_extent(s->vars[k].shape, g, &f->extent[k][0], &f->extent[k][1]);
        staggered |= s->vars[k].shape == FC_VAR_TY_XFACE || s->vars[k].shape == FC_VAR_TYFACE_X;
        f->spectrum[k] = s->vars[k].shape == FC_VAR_TK;
        spectral |= f->spectrum[k];
    }
    double kstep = 0;
    const int nk = fc_grid_shells(g, &kstep);
    if (spectral) {
        NC_TRY(nc_def_dim(ncid, "k", (size_t)nk, &dk), "defining k");
        NC_TRY(def_coord(ncid, "k", dk, dnv,
                         "wavenumber magnitude 2 pi / wavelength at the centre of the shell",
                         "m-1", NULL, &kid, &kb),
               "defining k");
    }
    if (staggered) {
        NC_TRY(nc_def_dim(ncid, "x_face", (size_t)g->nx + 1, &dxf), "defining x_face");
        NC_TRY(nc_def_dim(ncid, "y_face", (size_t)g->ny + 1, &dyf), "defining y_face");
        NC_TRY(nc_def_var(ncid, "x_face", NC_DOUBLE, 1, &dxf, &xfid), "defining x_face");
        NC_TRY(put_text(ncid, xfid, "long_name", "x coordinate of cell faces normal to x"),
               "x_face attributes");
        NC_TRY(put_text(ncid, xfid, "units", "m"), "x_face attributes");
        NC_TRY(nc_def_var(ncid, "y_face", NC_DOUBLE, 1, &dyf, &yfid), "defining y_face");
        NC_TRY(put_text(ncid, yfid, "long_name", "y coordinate of cell faces normal to y"),
               "y_face attributes");
        NC_TRY(put_text(ncid, yfid, "units", "m"), "y_face attributes");
    }

    const fc_real fill = FC_FILL;
    for (size_t k = 0; k < s->nvars; k++) {
        const fc_var_spec *v = &s->vars[k];
        if (!fc_var_on(s, m->params, k))
            continue;
        const size_t ex = (size_t)f->extent[k][0], ey = (size_t)f->extent[k][1];
        size_t rows = NCIO_CHUNK_BYTES / sizeof(fc_real) / ex;
        rows = rows < 1 ? 1 : rows > ey ? ey : rows;
        const int timed = !fc_var_static(v->shape), spectrum = v->shape == FC_VAR_TK;
        int dims[3] = {dt, v->shape == FC_VAR_TYFACE_X ? dyf : dy,
                       v->shape == FC_VAR_TY_XFACE ? dxf : dx};
        size_t chunk[3] = {1, rows, ex};
        if (spectrum) { /* (time, k) */
            dims[1] = dk;
            chunk[1] = ex;
        }
        const int nd = spectrum ? 2 : timed ? 3 : 2;
        NC_TRY(nc_def_var(ncid, v->name, NC_FC_REAL, nd, timed ? dims : dims + 1, &f->varid[k]),
               v->name);
        if (nc4) {
            NC_TRY(nc_def_var_chunking(ncid, f->varid[k], NC_CHUNKED, timed ? chunk : chunk + 1),
                   v->name);
            NC_TRY(nc_def_var_deflate(ncid, f->varid[k], 1, 1, m->deflate), v->name);
        }
        NC_TRY(nc_put_att(ncid, f->varid[k], "_FillValue", NC_FC_REAL, 1, &fill), v->name);
        NC_TRY(put_text(ncid, f->varid[k], "long_name", v->long_name), v->name);
        NC_TRY(put_text(ncid, f->varid[k], "units", v->units), v->name);
        if (v->standard_name)
            NC_TRY(put_text(ncid, f->varid[k], "standard_name", v->standard_name), v->name);
    }
    for (int k = 0; k < m->ndiags; k++) {
        const fc_diag_spec *d = &m->diags[k];
        const double dfill = NC_FILL_DOUBLE;
        NC_TRY(nc_def_var(ncid, d->name, NC_DOUBLE, 1, &dt, &f->diagid[k]), d->name);
        NC_TRY(nc_put_att_double(ncid, f->diagid[k], "_FillValue", NC_DOUBLE, 1, &dfill), d->name);
        NC_TRY(put_text(ncid, f->diagid[k], "long_name", d->long_name), d->name);
        NC_TRY(put_text(ncid, f->diagid[k], "units", d->units), d->name);
    }

    char source[256];
    snprintf(source, sizeof source, "flowcast %s, solver %s", PACKAGE_VERSION, s->name);
    const double domain[4] = {g->x_min, g->x_max, g->y_min, g->y_max};
    const char *bc[4];
    for (int k = 0; k < 4; k++)
        bc[k] = fc_bc_name(g->bc[k]);
    char bcs[128];
    snprintf(bcs, sizeof bcs, "west=%s east=%s south=%s north=%s", bc[0], bc[1], bc[2], bc[3]);
    NC_TRY(put_text(ncid, NC_GLOBAL, "Conventions", "CF-1.11"), "global attributes");
    NC_TRY(put_text(ncid, NC_GLOBAL, "title", m->title), "global attributes");
    NC_TRY(put_text(ncid, NC_GLOBAL, "source", source), "global attributes");
    NC_TRY(put_text(ncid, NC_GLOBAL, "history", m->history), "global attributes");
    NC_TRY(put_text(ncid, NC_GLOBAL, "references", s->references), "global attributes");
    NC_TRY(put_text(ncid, NC_GLOBAL, "comment", s->summary), "global attributes");
    NC_TRY(put_text(ncid, NC_GLOBAL, "flowcast_version", PACKAGE_VERSION), "global attributes");
    NC_TRY(put_text(ncid, NC_GLOBAL, "flowcast_solver", s->name), "global attributes");
    NC_TRY(put_text(ncid, NC_GLOBAL, "flowcast_device", m->device), "global attributes");
    NC_TRY(put_text(ncid, NC_GLOBAL, "flowcast_precision", FC_PRECISION), "global attributes");
    NC_TRY(put_text(ncid, NC_GLOBAL, "flowcast_boundaries", bcs), "global attributes");
    NC_TRY(nc_put_att_double(ncid, NC_GLOBAL, "flowcast_domain", NC_DOUBLE, 4, domain),
           "global attributes");
    NC_TRY(put_text(ncid, NC_GLOBAL, "flowcast_case_file", m->cfg->path), "global attributes");
    NC_TRY(put_text(ncid, NC_GLOBAL, "flowcast_case", m->cfg->text), "global attributes");
    NC_TRY(nc_enddef(ncid), "ending definitions");

    NC_TRY(write_coord(ncid, xid, xb, g->nx, g->x_min, g->dx), "writing x");
    NC_TRY(write_coord(ncid, yid, yb, g->ny, g->y_min, g->dy), "writing y");
    if (staggered) {
        NC_TRY(write_faces(ncid, xfid, g->nx + 1, g->x_min, g->dx), "writing x_face");
        NC_TRY(write_faces(ncid, yfid, g->ny + 1, g->y_min, g->dy), "writing y_face");
    }
    if (spectral)
        NC_TRY(write_coord(ncid, kid, kb, nk, kstep / 2, kstep), "writing k");
    NC_TRY(nc_sync(ncid), "syncing");
    *out = f;
    return FC_OK;

fail:
    fc_nc_close_output(ncid);
    unlink(path); /* a file we created but could not define holds nothing of value */
    free(f->path);
    free(f->varid);
    free(f->extent);
    free(f->spectrum);
    free(f->diagid);
    free(f);
    return st;
}

int fc_ncio_write_static(fc_ncio_file *f, int var, const fc_real *packed, fc_err *err)
{
    const char *path = f->path;
    int st = FC_OK;
    size_t start[2] = {0, 0}, count[2] = {(size_t)f->extent[var][1], (size_t)f->extent[var][0]};
    NC_TRY(nc_put_vara_fc(f->ncid, f->varid[var], start, count, packed), "writing a variable");
fail:
    return st;
}

int fc_ncio_write_record(fc_ncio_file *f, double t, fc_real *const *packed, const double *diags,
                      fc_err *err)
{
    const char *path = f->path;
    int st = FC_OK;
    size_t start[3] = {(size_t)f->nrec, 0, 0};
    size_t count[3] = {1, 0, 0};
    for (int k = 0; k < f->nvars; k++)
        if (packed[k] && f->varid[k] >= 0) {
            /* (time, y, x), or (time, k): the shells along k */
            count[1] = (size_t)f->extent[k][f->spectrum[k] ? 0 : 1];
            count[2] = (size_t)f->extent[k][0];
            NC_TRY(nc_put_vara_fc(f->ncid, f->varid[k], start, count, packed[k]),
                   "writing a record");
        }
    /* A diagnostic that is not defined at this record (a step statistic before the first
     * step, NaN in memory) is stored as the declared _FillValue, which CF tools read as
     * missing; a NaN would be averaged as data. */
    for (int k = 0; k < f->ndiags; k++) {
        const double v = isfinite(diags[k]) ? diags[k] : NC_FILL_DOUBLE;
        NC_TRY(nc_put_vara_double(f->ncid, f->diagid[k], start, count, &v),
               "writing diagnostics");
    }
    /* The time value last: a record without it is incomplete. */
    NC_TRY(nc_put_vara_double(f->ncid, f->timeid, start, count, &t), "writing time");
    NC_TRY(nc_sync(f->ncid), "syncing");
    f->nrec++;
fail:
    return st;
}

int fc_ncio_records(const fc_ncio_file *f) { return f->nrec; }

int fc_ncio_close(fc_ncio_file *f, fc_err *err)
{
    if (!f)
        return FC_OK;
    int st = FC_OK, rc = fc_nc_close_output(f->ncid);
    if (rc != NC_NOERR)
        st = fc_fail(err, FC_EIO, "%s: closing: %s", f->path, fc_nc_strerror(rc, f->path));
    free(f->path);
    free(f->varid);
    free(f->extent);
    free(f->spectrum);
    free(f->diagid);
    free(f);
    return st;
}

/* Reads record rec (of a variable on (time, y, x); a variable on (y, x) has none) of var, nxe x
 * nye points from slot (0, 0), into field. */
static int read_plane(int ncid, const char *path, const char *var, const fc_grid *g, int nxe,
                      int nye, size_t rec, fc_real *field, fc_err *err)
{
    fc_nc_var v;
    int st = fc_nc_find_var(ncid, path, var, 2, 3, &v, err);
    if (st)
        return st;
    const size_t ny = v.len[v.ndims - 2], nx = v.len[v.ndims - 1];
    if (nx != (size_t)nxe || ny != (size_t)nye) {
        if (nxe == g->nx && nye == g->ny)
            return fc_fail(err, FC_EINPUT,
                           "%s: variable '%s' is %zu x %zu (x by y); the grid is %d x %d", path,
                           var, nx, ny, g->nx, g->ny);
        return fc_fail(err, FC_EINPUT,
                       "%s: variable '%s' is %zu x %zu (x by y); on the %d x %d grid's faces it "
                       "is %d x %d",
                       path, var, nx, ny, g->nx, g->ny, nxe, nye);
    }
    fc_real *packed = malloc((size_t)nxe * (size_t)nye * sizeof *packed);
    if (!packed)
        return fc_fail(err, FC_ENOMEM, "out of memory reading '%s'", var);
#ifdef FC_SINGLE
    st = fc_nc_get_plane_float(ncid, &v, v.ndims == 3 ? rec : 0, ny, nx, packed, err);
#else
    st = fc_nc_get_plane_double(ncid, &v, v.ndims == 3 ? rec : 0, ny, nx, packed, err);
#endif
    if (!st)
        fc_grid_unpack(g, packed, field, nxe, nye);
    free(packed);
    return st;
}

int fc_ncio_read_field(const char *path, const char *var, const fc_grid *g, fc_real *field,
                       fc_err *err)
{
    int ncid, st = fc_nc_open(path, "initial-condition file", &ncid, err);
    if (st)
        return st;
    /* A field on (time, y, x) is read at its last complete record: where the file has a time
     * coordinate, the last whose time is set; otherwise the last along the first dimension. */
    fc_nc_var v;
    size_t rec = 0;
    st = fc_nc_find_var(ncid, path, var, 2, 3, &v, err);
    if (!st && v.ndims == 3) {
        size_t n = v.len[0];
        if (nc_inq_varid(ncid, "time", &(int){0}) == NC_NOERR &&
            (st = fc_nc_complete_records(ncid, path, &n, err)) == FC_OK && n > v.len[0])
            n = v.len[0];
        if (!st && n == 0)
            st = fc_fail(err, FC_EINPUT, "%s: variable '%s' has no complete record", path, var);
        rec = n ? n - 1 : 0;
    }
    if (!st)
        st = read_plane(ncid, path, var, g, g->nx, g->ny, rec, field, err);
    fc_nc_close(ncid);
    return st;
}

int fc_ncio_read_restart(const char *path, const fc_solver_desc *s, const void *params,
                         const fc_grid *g, fc_state *host, double *t, fc_err *err)
{
    int ncid, st = fc_nc_open(path, "restart file", &ncid, err);
    if (st)
        return st;
    char solver[64];
    double dom[4];
    size_t nrec = 0;
    if ((st = fc_nc_att_text(ncid, NC_GLOBAL, path, "flowcast_solver", solver, sizeof solver,
                             err)) ||
        (st = fc_nc_att_doubles(ncid, NC_GLOBAL, path, "flowcast_domain", dom, 4, err))) {
        if (st > 0)
            st = fc_fail(err, FC_EINPUT, "restart file '%s' was not written by flowcast run",
                         path);
        goto done;
    }
    if (strcmp(solver, s->name)) {
        st = fc_fail(err, FC_EINPUT, "restart file '%s' is from solver '%s'; this case uses '%s'",
                     path, solver, s->name);
        goto done;
    }
    const double want[4] = {g->x_min, g->x_max, g->y_min, g->y_max};
    for (int k = 0; k < 4; k++)
        if (fabs(dom[k] - want[k]) > 1e-12 * (fabs(want[k]) + g->dx + g->dy)) {
            st = fc_fail(err, FC_EINPUT,
                         "restart file '%s' covers [%g, %g] x [%g, %g]; this case's grid covers "
                         "[%g, %g] x [%g, %g]",
                         path, dom[0], dom[1], dom[2], dom[3], want[0], want[1], want[2], want[3]);
            goto done;
        }
    if ((st = fc_nc_complete_records(ncid, path, &nrec, err))) {
        fc_err_append(err, "(restart file '%s')", path);
        goto done;
    }
    if (nrec == 0) {
        st = fc_fail(err, FC_EINPUT, "restart file '%s' holds no complete record", path);
        goto done;
    }
    double *times = malloc(nrec * sizeof *times);
    if (!times) {
        st = fc_fail(err, FC_ENOMEM, "out of memory reading '%s'", path);
        goto done;
    }
    /* Only the last time is needed; read the whole (checked) list for its last value. */
    st = fc_nc_times(ncid, path, nrec, times, err);
    if (!st)
        *t = times[nrec - 1];
    free(times);
    for (int k = 0; k < s->nfields && !st; k++) {
        int active = 1, nxe = g->nx, nye = g->ny;
        for (size_t v = 0; v < s->nvars; v++)
            if (!strcmp(s->vars[v].name, s->restart_vars[k])) {
                active = fc_var_on(s, params, v);
                fc_var_extent(s->vars[v].shape, g, &nxe, &nye);
            }
        if (!active)
            continue;
        if (nc_inq_varid(ncid, s->restart_vars[k], &(int){0}) != NC_NOERR) {
            st = fc_fail(err, FC_EINPUT, "restart file '%s' has no variable '%s'", path,
                         s->restart_vars[k]);
            break;
        }
        st = read_plane(ncid, path, s->restart_vars[k], g, nxe, nye, nrec - 1, host->f[k], err);
        if (st == FC_EINPUT && strstr(err->msg, " is "))
            fc_err_append(err, "(the restart file is from another grid)");
    }
done:
    fc_nc_close(ncid);
    return st;
}
