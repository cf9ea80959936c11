/* ncio.c: CF-1.11 output (CDF-5 or NetCDF-4, by one process or by every process of a job in
 * parallel), restart and field reading (see ncio.h). */
#include <fc_build.h>

#include "src/core/ncio.h"
#include "src/core/backend.h"
#include "src/core/cfwrite.h"
#include "src/core/files.h"
#include "src/core/ncread.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef FC_SINGLE
#define NC_FC_REAL NC_FLOAT
#else
#define NC_FC_REAL NC_DOUBLE
#endif

/* Largest chunk of a (1, rows, nx) slab: big enough for fast I/O, small enough for caches. */
#define NCIO_CHUNK_BYTES (4u << 20)

struct fc_ncio_file {
    fc_cf_file cf;
    int nvars, ndiags, nrec;
    int *varid;       /* per solver variable; -1: not written */
    int (*extent)[2]; /* per solver variable: points along x and y */
    int *spectrum;    /* per solver variable: on (time, k) */
    int *diagid;      /* per diagnostic */
    int timeid;
    int *cells;       /* per solver variable: of the cells, on (y, x) or (time, y, x) */
    fc_grid block;    /* the part of the cells' planes this process writes: its block, or all */
};

/* The part of variable k this process writes (start and count after the time): its block of a
 * variable of the cells, all of any other on the first process, none of it on the others. */
static void var_part(const fc_ncio_file *f, int k, size_t start[2], size_t count[2])
{
    const fc_grid *b = &f->block;
    const int lead = f->cf.lead;
    start[0] = f->cells[k] ? (size_t)b->j0 : 0;
    start[1] = f->cells[k] ? (size_t)b->i0 : 0;
    if (f->cells[k]) {
        count[0] = (size_t)b->ny;
        count[1] = (size_t)b->nx;
    } else if (f->spectrum[k]) { /* (time, k): the shells along k */
        count[0] = lead ? (size_t)f->extent[k][0] : 0;
        count[1] = 0;
    } else {
        count[0] = lead ? (size_t)f->extent[k][1] : 0;
        count[1] = lead ? (size_t)f->extent[k][0] : 0;
    }
}

static int put_real(fc_cf_file *cf, int varid, const size_t *start, const size_t *count,
                    const fc_real *v, fc_err *err)
{
#ifdef FC_SINGLE
    return fc_cf_put_float(cf, varid, start, count, v, err);
#else
    return fc_cf_put_double(cf, varid, start, count, v, err);
#endif
}

/* A coordinate of n cells from lo in steps of d, with its cell bounds on (name, nv). */
static int def_coord(fc_cf_file *cf, const char *name, int dim, int nvdim, const char *long_name,
                     const char *units, const char *axis, int *varid, int *bndid, fc_err *err)
{
    char bname[16];
    snprintf(bname, sizeof bname, "%s_bnds", name);
    int dims[2] = {dim, nvdim}, st;
    if ((st = fc_cf_def_var(cf, name, NC_DOUBLE, 1, &dim, long_name, units, varid, err)) ||
        (axis && (st = fc_cf_att_text(cf, *varid, "axis", axis, err))) ||
        (st = fc_cf_att_text(cf, *varid, "bounds", bname, err)))
        return st;
    /* Bounds inherit their coordinate's metadata (CF 7.1): no attributes of their own. */
    return fc_cf_def_var(cf, bname, NC_DOUBLE, 2, dims, NULL, NULL, bndid, err);
}

static int write_coord(fc_cf_file *cf, int varid, int bndid, int n, double lo, double d,
                       fc_err *err)
{
    double *c = malloc((size_t)n * sizeof *c), *b = malloc((size_t)n * 2 * sizeof *b);
    int st = fc_fail(err, FC_ENOMEM, "out of memory for the coordinates");
    if (c && b) {
        for (int i = 0; i < n; i++) {
            c[i] = lo + (i + 0.5) * d;
            b[2 * i] = lo + i * d;
            b[2 * i + 1] = lo + (i + 1) * d;
        }
        if (!(st = fc_cf_put_double(cf, varid, NULL, NULL, c, err)))
            st = fc_cf_put_double(cf, bndid, NULL, NULL, b, err);
    }
    free(c);
    free(b);
    return st;
}

static int write_faces(fc_cf_file *cf, int varid, int n, double lo, double d, fc_err *err)
{
    double *c = malloc((size_t)n * sizeof *c);
    if (!c)
        return fc_fail(err, FC_ENOMEM, "out of memory for the coordinates");
    for (int i = 0; i < n; i++)
        c[i] = lo + i * d;
    int st = fc_cf_put_double(cf, varid, NULL, NULL, c, err);
    free(c);
    return st;
}

static void free_file(fc_ncio_file *f)
{
    free(f->varid);
    free(f->extent);
    free(f->spectrum);
    free(f->diagid);
    free(f->cells);
    free(f);
}

/* Dimensions, coordinates, variables and attributes of a new output file (define mode). */

/* cfg's value of a state key "section.name" (a solver's table: always a key of the case). */
static const fc_value *state_key_value(const fc_config *cfg, const char *key)
{
    const char *dot = strchr(key, '.');
    char section[64];
    snprintf(section, sizeof section, "%.*s", (int)(dot - key), key);
    return fc_cfg_value(cfg, section, dot + 1);
}

/* The case's values of its solver's state keys (fc_solver_io.state_keys), as
 * "section.name=value ..." ("" for a solver without them): flowcast_state_keys. */
static void state_keys_text(const fc_config *cfg, char *buf, size_t len)
{
    const char *const *keys = cfg->solver->io.state_keys;
    buf[0] = 0;
    for (int k = 0; keys && keys[k]; k++) {
        char value[128];
        fc_cfg_value_text(state_key_value(cfg, keys[k]), value, sizeof value);
        const size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s=%s", k ? " " : "", keys[k], value);
    }
}

int fc_ncio_check_state_keys(const char *path, const fc_config *cfg, fc_err *err)
{
    const char *const *keys = cfg->solver->io.state_keys;
    if (!keys)
        return FC_OK;
    int ncid, st = fc_nc_open(path, "restart file", &ncid, err);
    if (st)
        return st;
    char file[1024];
    st = fc_nc_att_text(ncid, NC_GLOBAL, path, "flowcast_state_keys", file, sizeof file, err);
    fc_nc_close(ncid);
    if (st)
        return st > 0 ? FC_OK : st; /* a file from before the record: nothing to compare */
    for (int k = 0; keys[k]; k++) {
        /* The file's value: after "key=" at the start or after a space, up to the next space. */
        const size_t kl = strlen(keys[k]);
        const char *at = file;
        while ((at = strstr(at, keys[k])) && ((at != file && at[-1] != ' ') || at[kl] != '='))
            at += kl;
        if (!at)
            continue;
        const char *val = at + kl + 1;
        const int vl = (int)strcspn(val, " ");
        const fc_value *v = state_key_value(cfg, keys[k]);
        char want[128];
        fc_cfg_value_text(v, want, sizeof want);
        if ((int)strlen(want) == vl && !strncmp(want, val, (size_t)vl))
            continue;
        char had[80];
        snprintf(had, sizeof had, "%.*s", vl > 64 ? 64 : vl, val);
        if (v->key->type == FC_KEY_REAL) /* as a person writes it, not to 17 digits */
            snprintf(had, sizeof had, "%g", strtod(had, NULL));
        return fc_fail(err, FC_EINPUT,
                       "restart file '%s' holds a state over [%s] %s = %s; the case has %s: the "
                       "file's fields are relative to it, so a restart keeps it (start afresh "
                       "for another)",
                       path, v->key->section, v->key->name, had, v->text);
    }
    return FC_OK;
}

/* The time: the unlimited dimension (*dt) and its coordinate variable. */
static int define_time(fc_ncio_file *f, const fc_ncio_meta *m, int *dt, fc_err *err)
{
    fc_cf_file *cf = &f->cf;
    char units[64], since[32];
    if (fc_reference_time_text(fc_cfg_str(m->cfg, "output", "reference_time"), since,
                               sizeof since))
        return fc_fail(err, FC_EINPUT, "[output] reference_time = %s: not a date",
                       fc_cfg_str(m->cfg, "output", "reference_time"));
    snprintf(units, sizeof units, "seconds since %s", since);
    int st;
    if ((st = fc_cf_def_dim(cf, "time", NC_UNLIMITED, dt, err)) ||
        (st = fc_cf_def_var(cf, "time", NC_DOUBLE, 1, dt, "model time", units, &f->timeid,
                            err)) ||
        (st = fc_cf_att_text(cf, f->timeid, "standard_name", "time", err)) ||
        (st = fc_cf_att_text(cf, f->timeid, "calendar", "standard", err)))
        return st;
    return fc_cf_att_text(cf, f->timeid, "axis", "T", err);
}

/* The grid's dimensions and coordinates (coords: their variables) and the solver's variables
 * on them. */
static int define_fields(fc_ncio_file *f, const fc_ncio_meta *m, int dt, int *coords,
                         fc_err *err)
{
    const fc_grid *g = m->grid;
    const fc_solver_desc *s = m->solver;
    fc_cf_file *cf = &f->cf;
    int st, dy, dx, dnv;
    /* The second axis: y, or the height z of a vertical slice. */
    const int up = s->io.vertical;
    const char *yname = up ? "z" : "y", *yface = up ? "z_face" : "y_face";
    if ((st = fc_cf_def_dim(cf, yname, (size_t)g->ny, &dy, err)) ||
        (st = fc_cf_def_dim(cf, "x", (size_t)g->nx, &dx, err)) ||
        (st = fc_cf_def_dim(cf, "nv", 2, &dnv, err)))
        return st;
    if ((st = def_coord(cf, yname, dy, dnv,
                        up ? "height of cell centre above the bottom" : "y coordinate of cell centre",
                        "m", up ? "Z" : "Y", &coords[0], &coords[1], err)) ||
        (up && ((st = fc_cf_att_text(cf, coords[0], "positive", "up", err)) ||
                (st = fc_cf_att_text(cf, coords[0], "standard_name", "height", err)))) ||
        (st = def_coord(cf, "x", dx, dnv, "x coordinate of cell centre", "m", "X", &coords[2],
                        &coords[3], err)))
        return st;
    /* Staggered variables get their own coordinates: the faces, at cell edges; spectra theirs:
     * the wavenumber shells. */
    int staggered = 0, spectral = 0, dxf = -1, dyf = -1, dk = -1;
    for (size_t k = 0; k < s->io.nvars; k++) {
        f->varid[k] = -1;
        if (!fc_var_on(s, m->params, k))
            continue;
        fc_var_extent(s->io.vars[k].shape, g, &f->extent[k][0], &f->extent[k][1]);
        const int shape = s->io.vars[k].shape;
        f->cells[k] = shape == FC_VAR_TYX || shape == FC_VAR_YX;
        staggered |= shape == FC_VAR_TY_XFACE || shape == FC_VAR_TYFACE_X;
        f->spectrum[k] = s->io.vars[k].shape == FC_VAR_TK;
        spectral |= f->spectrum[k];
    }
    if (spectral &&
        ((st = fc_cf_def_dim(cf, "k", (size_t)fc_grid_shells(g, NULL), &dk, err)) ||
         (st = def_coord(cf, "k", dk, dnv,
                         "wavenumber magnitude 2 pi / wavelength at the centre of the shell",
                         "m-1", NULL, &coords[4], &coords[5], err))))
        return st;
    if (staggered &&
        ((st = fc_cf_def_dim(cf, "x_face", (size_t)g->nx + 1, &dxf, err)) ||
         (st = fc_cf_def_dim(cf, yface, (size_t)g->ny + 1, &dyf, err)) ||
         (st = fc_cf_def_var(cf, "x_face", NC_DOUBLE, 1, &dxf,
                             "x coordinate of cell faces normal to x", "m", &coords[6], err)) ||
         (st = fc_cf_def_var(cf, yface, NC_DOUBLE, 1, &dyf,
                             up ? "height of cell faces normal to z"
                                : "y coordinate of cell faces normal to y",
                             "m", &coords[7], err))))
        return st;

    for (size_t k = 0; k < s->io.nvars; k++) {
        const fc_var_spec *v = &s->io.vars[k];
        if (!fc_var_on(s, m->params, k))
            continue;
        const size_t ex = (size_t)f->extent[k][0], ey = (size_t)f->extent[k][1];
        size_t rows = NCIO_CHUNK_BYTES / sizeof(fc_real) / ex;
        rows = rows < 1 ? 1 : rows > ey ? ey : rows;
        const int timed = !fc_var_static(v->shape), spectrum = v->shape == FC_VAR_TK;
        int dims[3] = {dt, v->shape == FC_VAR_TYFACE_X ? dyf : dy,
                       v->shape == FC_VAR_TY_XFACE ? dxf : dx};
        size_t chunk[3] = {1, rows, ex};
        /* Written in parallel to NetCDF-4: chunks of about a block (or of equal bands of one,
         * up to the same size), so that each process's writes land mostly in chunks of its own
         * rather than in chunks MPI-IO must assemble from several processes. */
        const int by_block = m->block && f->cells[k];
        if (by_block) {
            const size_t bx = (ex + (size_t)m->layout[0] - 1) / (size_t)m->layout[0];
            const size_t by = (ey + (size_t)m->layout[1] - 1) / (size_t)m->layout[1];
            const size_t bands = (by * bx * sizeof(fc_real) + NCIO_CHUNK_BYTES - 1) / NCIO_CHUNK_BYTES;
            chunk[1] = (by + bands - 1) / bands;
            chunk[2] = bx;
        }
        if (spectrum) { /* (time, k) */
            dims[1] = dk;
            chunk[1] = ex;
        }
        const int nd = spectrum ? 2 : timed ? 3 : 2;
        if ((st = fc_cf_def_var(cf, v->name, NC_FC_REAL, nd, timed ? dims : dims + 1, v->long_name,
                                v->units, &f->varid[k], err)) ||
            (m->deflate > 0 &&
             (st = fc_cf_deflate(cf, f->varid[k], timed ? chunk : chunk + 1, m->deflate, err))) ||
            (by_block && m->netcdf4 && m->deflate == 0 &&
             (st = fc_cf_chunk(cf, f->varid[k], timed ? chunk : chunk + 1, err))) ||
            (v->standard_name &&
             (st = fc_cf_att_text(cf, f->varid[k], "standard_name", v->standard_name, err))))
            return st;
    }
    return FC_OK;
}

/* Everything of the file: time, the grid and the fields (not in a series file), the
 * diagnostics and the global attributes. */
static int define(fc_ncio_file *f, const fc_ncio_meta *m, int *coords, fc_err *err)
{
    const fc_grid *g = m->grid;
    const fc_solver_desc *s = m->solver;
    fc_cf_file *cf = &f->cf;
    int st, dt;
    if ((st = define_time(f, m, &dt, err)) ||
        (!m->series_of && (st = define_fields(f, m, dt, coords, err))))
        return st;
    for (int k = 0; k < m->ndiags; k++)
        if ((st = fc_cf_def_var(cf, m->diags[k].name, NC_DOUBLE, 1, &dt, m->diags[k].long_name,
                                m->diags[k].units, &f->diagid[k], err)))
            return st;

    const double domain[4] = {g->x_min, g->x_max, g->y_min, g->y_max};
    char keys[1024];
    state_keys_text(m->cfg, keys, sizeof keys);
    char bcs[128];
    snprintf(bcs, sizeof bcs, "west=%s east=%s south=%s north=%s", fc_bc_name(g->bc[0]),
             fc_bc_name(g->bc[1]), fc_bc_name(g->bc[2]), fc_bc_name(g->bc[3]));
    /* The case file by its full path, so that the case can be run again from any folder with
     * its relative paths (an initial state's file) intact (flowcast rollout times it). */
    char *full = realpath(m->cfg->path, NULL);
    const char *const text[][2] = {
        {"references", s->references},      {"comment", s->summary},
        {"flowcast_version", PACKAGE_VERSION}, {"flowcast_solver", s->name},
        {"flowcast_device", m->device},     {"flowcast_precision", FC_PRECISION},
        {"flowcast_boundaries", bcs},       {"flowcast_case_file", full ? full : m->cfg->path},
        {"flowcast_case", m->cfg->text},
    };
    for (size_t k = 0; k < sizeof text / sizeof text[0] && !st; k++)
        st = fc_cf_att_text(cf, NC_GLOBAL, text[k][0], text[k][1], err);
    if (!st && keys[0])
        st = fc_cf_att_text(cf, NC_GLOBAL, "flowcast_state_keys", keys, err);
    if (!st && m->series_of)
        st = fc_cf_att_text(cf, NC_GLOBAL, FC_SERIES_OF_ATT, m->series_of, err);
    free(full);
    /* What --set changed of the case: with flowcast_case, how the run was set up (history
     * holds the command too, but other tools rewrite history). */
    char *overrides = st ? NULL : fc_cfg_overrides_text(m->cfg);
    if (!st && !overrides)
        st = fc_fail(err, FC_ENOMEM, "out of memory");
    if (!st && overrides[0])
        st = fc_cf_att_text(cf, NC_GLOBAL, FC_OVERRIDES_ATT, overrides, err);
    free(overrides);
    const int ranks = m->ranks > 1 ? m->ranks : 1; /* the one attribute a split run changes */
    if (!st)
        st = fc_cf_att_double(cf, NC_GLOBAL, "flowcast_domain", 4, domain, err);
    return st ? st : fc_cf_att_int(cf, NC_GLOBAL, "flowcast_ranks", 1, &ranks, err);
}

/* The coordinates' values (coords: as define_fields made them; -1: not in the file). */
static int write_grid(fc_ncio_file *f, const int *coords, const fc_grid *g, fc_err *err)
{
    double kstep = 0;
    const int nk = fc_grid_shells(g, &kstep);
    int st;
    if ((st = write_coord(&f->cf, coords[2], coords[3], g->nx, g->x_min, g->dx, err)) ||
        (st = write_coord(&f->cf, coords[0], coords[1], g->ny, g->y_min, g->dy, err)) ||
        (coords[6] >= 0 &&
         ((st = write_faces(&f->cf, coords[6], g->nx + 1, g->x_min, g->dx, err)) ||
          (st = write_faces(&f->cf, coords[7], g->ny + 1, g->y_min, g->dy, err)))))
        return st;
    return coords[4] >= 0 ? write_coord(&f->cf, coords[4], coords[5], nk, kstep / 2, kstep, err)
                          : FC_OK;
}

int fc_ncio_create(const char *path, int overwrite, const fc_ncio_meta *m, fc_ncio_file **out,
                   fc_err *err)
{
    const fc_grid *g = m->grid;
    const fc_solver_desc *s = m->solver;
    fc_ncio_file *f = calloc(1, sizeof *f);
    if (f) {
        f->nvars = m->series_of ? 0 : (int)s->io.nvars;
        f->ndiags = m->ndiags;
        f->varid = calloc(s->io.nvars, sizeof *f->varid);
        f->extent = calloc(s->io.nvars, sizeof *f->extent);
        f->spectrum = calloc(s->io.nvars, sizeof *f->spectrum);
        f->diagid = calloc((size_t)m->ndiags + 1, sizeof *f->diagid);
        f->cells = calloc(s->io.nvars, sizeof *f->cells);
        f->block = m->block ? *m->block : *g;
    }
    if (!f || !f->varid || !f->extent || !f->spectrum || !f->diagid || !f->cells) {
        if (f)
            free_file(f);
        return fc_fail(err, FC_ENOMEM, "out of memory");
    }
    /* CDF-5: another process can read every complete record while the run writes (an HDF5
     * file open for writing cannot be opened by a reader), and a killed run leaves the header's
     * record count at the last sync. NetCDF-4/HDF5 (compression, parallel writes) is readable
     * once the run has closed it. */
    char source[256];
    fc_cf_spec spec = {m->series_of ? "series file" : "output file", overwrite,
                       "use -O/--overwrite to replace it, or -o to write elsewhere", 0,
                       m->netcdf4, m->title, m->history, m->block != NULL};
    int coords[8] = {-1, -1, -1, -1, -1, -1, -1, -1}; /* y, y_bnds, x, x_bnds, k, k_bnds, faces */
    int st = fc_cf_create(&f->cf, path, &spec, err);
    if (st) {
        free_file(f);
        return st;
    }
    snprintf(source, sizeof source, "flowcast %s, solver %s", PACKAGE_VERSION, s->name);
    if ((st = fc_cf_att_text(&f->cf, NC_GLOBAL, "source", source, err)) ||
        (st = define(f, m, coords, err)) || (st = fc_cf_enddef(&f->cf, err)) ||
        (!m->series_of && (st = write_grid(f, coords, g, err))) ||
        (st = fc_cf_sync(&f->cf, err))) {
        fc_cf_discard(&f->cf); /* a file we created but could not define holds nothing of value */
        free_file(f);
        return st;
    }
    *out = f;
    return FC_OK;
}

int fc_ncio_write_static(fc_ncio_file *f, int var, const fc_real *packed, fc_err *err)
{
    size_t start[2], count[2];
    var_part(f, var, start, count);
    return put_real(&f->cf, f->varid[var], start, count, packed, err);
}

int fc_ncio_write_record(fc_ncio_file *f, double t, fc_real *const *packed, const double *diags,
                         fc_err *err)
{
    size_t start[3] = {(size_t)f->nrec, 0, 0};
    size_t count[3] = {1, 0, 0};
    int st;
    for (int k = 0; k < f->nvars; k++)
        if (packed[k] && f->varid[k] >= 0) {
            var_part(f, k, start + 1, count + 1);
            if ((st = put_real(&f->cf, f->varid[k], start, count, packed[k], err)))
                return st;
        }
    /* The diagnostics and the time are the first process's (on one process, its own). */
    count[0] = f->cf.lead ? 1 : 0;
    /* A diagnostic that is not defined at this record (a step statistic before the first
     * step, NaN in memory) is stored as the declared _FillValue (fc_cf_put_double). */
    for (int k = 0; k < f->ndiags; k++)
        if ((st = fc_cf_put_double(&f->cf, f->diagid[k], start, count, &diags[k], err)))
            return st;
    /* The time value last: a record without it is incomplete. */
    if ((st = fc_cf_put_double(&f->cf, f->timeid, start, count, &t, err)) ||
        (st = fc_cf_sync(&f->cf, err)))
        return st;
    f->nrec++;
    return FC_OK;
}

int fc_ncio_records(const fc_ncio_file *f) { return f->nrec; }

int fc_ncio_close(fc_ncio_file *f, fc_err *err)
{
    if (!f)
        return FC_OK;
    /* A file of records is kept whatever happened, even when the close fails (a full disk):
     * readers still find the records synced before. */
    int st = fc_cf_close(&f->cf, err);
    free_file(f);
    return st;
}

/* Reads record rec (of a variable on (time, y, x); a variable on (y, x) has none) of var, nxe x
 * nye points from slot (0, 0), into field. On a block of a larger grid (grid.h) the variable is
 * the whole grid's, of its cells, and the block's window of it is read. */
static int read_plane(int ncid, const char *path, const char *var, const fc_grid *g, int nxe,
                      int nye, size_t rec, fc_real *field, fc_err *err)
{
    fc_nc_var v;
    int st = fc_nc_find_var(ncid, path, var, 2, 3, &v, err);
    if (st)
        return st;
    const int block = g->nx < g->nx_whole || g->ny < g->ny_whole;
    if (block && (nxe != g->nx || nye != g->ny))
        return fc_fail(err, FC_EINPUT, "%s: variable '%s' is on faces, which a block of the "
                       "grid does not read", path, var);
    const int wx = block ? g->nx_whole : nxe, wy = block ? g->ny_whole : nye;
    const size_t ny = v.len[v.ndims - 2], nx = v.len[v.ndims - 1];
    if (nx != (size_t)wx || ny != (size_t)wy) {
        if (nxe == g->nx && nye == g->ny)
            return fc_fail(err, FC_EINPUT,
                           "%s: variable '%s' is %zu x %zu (x by y); the grid is %d x %d", path,
                           var, nx, ny, g->nx_whole, g->ny_whole);
        return fc_fail(err, FC_EINPUT,
                       "%s: variable '%s' is %zu x %zu (x by y); on the %d x %d grid's faces it "
                       "is %d x %d",
                       path, var, nx, ny, g->nx, g->ny, nxe, nye);
    }
    fc_real *packed = malloc((size_t)nxe * (size_t)nye * sizeof *packed);
    if (!packed)
        return fc_fail(err, FC_ENOMEM, "out of memory reading '%s'", var);
    const size_t win[4] = {(size_t)(block ? g->j0 : 0), (size_t)(block ? g->i0 : 0), (size_t)nye,
                           (size_t)nxe};
#ifdef FC_SINGLE
    st = fc_nc_get_window_float(ncid, &v, v.ndims == 3 ? rec : 0, ny, nx, win, packed, err);
#else
    st = fc_nc_get_window_double(ncid, &v, v.ndims == 3 ? rec : 0, ny, nx, win, packed, err);
#endif
    if (!st)
        fc_grid_unpack(g, packed, field, nxe, nye);
    free(packed);
    return st;
}

/* Bilinear weights along one axis, from a file's grid of n_from cells onto this grid's n_to:
 * for points first .. first + count - 1 (whole-grid indices) of cells (face 0) or of the faces
 * normal to the axis (face 1, n + 1 of them), the file's points lo[t] and hi[t] around point t
 * and the weight w[t] of hi. Point k lies at index (k + o) n_from / n_to - o of the file's
 * points, o = 1/2 at cells and 0 at faces: exact where the grids agree or one is twice the
 * other. A periodic axis wraps between its last and first cells (its last face is its first);
 * another holds its edge value within half a cell of a side. */
static void axis_weights(int n_from, int n_to, int face, int periodic, int first, int count,
                         int *lo, int *hi, double *w)
{
    const double o = face ? 0 : 0.5;
    const int last = n_from - 1 + face;
    const int wraps = periodic && !face;
    for (int t = 0; t < count; t++) {
        double f = ((double)(first + t) + o) * n_from / n_to - o;
        if (!wraps)
            f = fmin(fmax(f, 0), last);
        const int a = (int)floor(f);
        w[t] = f - a;
        lo[t] = wraps ? (a + n_from) % n_from : a;
        hi[t] = wraps ? (a + 1) % n_from : a < last ? a + 1 : last;
    }
}

/* The smallest window [*start, *start + *len) of the file's points that holds lo and hi. */
static void axis_window(const int *lo, const int *hi, int count, size_t *start, size_t *len)
{
    int a = lo[0], b = lo[0];
    for (int t = 0; t < count; t++) {
        a = lo[t] < a ? lo[t] : a;
        a = hi[t] < a ? hi[t] : a;
        b = lo[t] > b ? lo[t] : b;
        b = hi[t] > b ? hi[t] : b;
    }
    *start = (size_t)a;
    *len = (size_t)(b - a + 1);
}

/* The file's grid of cells as variable v of the given shape shows it; from: as the variables
 * before it showed it ({0, 0} for the first), which it must agree with. */
static int file_grid(const fc_nc_var *v, int shape, int from[2], fc_err *err)
{
    const int fx = shape == FC_VAR_TY_XFACE, fy = shape == FC_VAR_TYFACE_X;
    const size_t ny = v->len[v->ndims - 2], nx = v->len[v->ndims - 1];
    if (nx < (size_t)1 + fx || ny < (size_t)1 + fy || nx > INT_MAX / 2 || ny > INT_MAX / 2)
        return fc_fail(err, FC_EINPUT, "%s: variable '%s' is %zu x %zu (x by y), which is no "
                       "grid of %s", v->path, v->name, nx, ny,
                       fx ? "x faces" : fy ? "y faces" : "cells");
    const int sx = (int)nx - fx, sy = (int)ny - fy;
    if (from[0] && (from[0] != sx || from[1] != sy))
        return fc_fail(err, FC_EINPUT, "%s: variable '%s' is on a grid of %d x %d cells, the "
                       "variables before it on %d x %d", v->path, v->name, sx, sy, from[0],
                       from[1]);
    from[0] = sx;
    from[1] = sy;
    return FC_OK;
}

/* One field of a restart onto another grid: the window of the file's points around this
 * grid's points of the field, its values, and each point's bilinear weights (axis_weights)
 * within it. */
typedef struct regrid_field {
    int nxe, nye;               /* this grid's points of the field (block) */
    int *xlo, *xhi, *ylo, *yhi; /* window indices around each */
    double *wx, *wy;
    size_t win[4]; /* {y0, x0, wy, wx} within the file's plane */
    double *src;   /* the window's values */
} regrid_field;

static void regrid_free(regrid_field *f)
{
    free(f->xlo);
    free(f->wx);
    free(f->src);
    memset(f, 0, sizeof *f);
}

/* The file's grid is its own to size: reading `bytes` of it for variable v, on nx x ny of
 * its `points`, is refused where that would take half the memory free. */
static int fits_memory(const fc_nc_var *v, int nx, int ny, const char *points, double bytes,
                       fc_err *err)
{
    if (bytes <= 0.5 * (double)fc_host_available_memory())
        return FC_OK;
    return fc_fail(err, FC_EINPUT, "%s: variable '%s' is on %d x %d %s: too many to "
                   "interpolate from in this machine's memory", v->path, v->name, nx, ny,
                   points);
}

/* Room for the weights of the nxe x nye points of a field on this grid. */
static int regrid_alloc(const fc_nc_var *v, int nxe, int nye, regrid_field *f, fc_err *err)
{
    f->nxe = nxe;
    f->nye = nye;
    const size_t n = (size_t)nxe + (size_t)nye;
    f->xlo = malloc(2 * n * sizeof *f->xlo);
    f->wx = malloc(n * sizeof *f->wx);
    if (!f->xlo || !f->wx)
        return fc_fail(err, FC_ENOMEM, "out of memory interpolating '%s'", v->name);
    f->xhi = f->xlo + nxe;
    f->ylo = f->xhi + nxe;
    f->yhi = f->ylo + nye;
    f->wy = f->wx + nxe;
    return FC_OK;
}

/* The window of the file's plane that the weights of f reach; makes their indices the
 * window's. */
static void regrid_window(regrid_field *f)
{
    axis_window(f->ylo, f->yhi, f->nye, &f->win[0], &f->win[2]);
    axis_window(f->xlo, f->xhi, f->nxe, &f->win[1], &f->win[3]);
    for (int i = 0; i < f->nxe; i++) {
        f->xlo[i] -= (int)f->win[1];
        f->xhi[i] -= (int)f->win[1];
    }
    for (int j = 0; j < f->nye; j++) {
        f->ylo[j] -= (int)f->win[0];
        f->yhi[j] -= (int)f->win[0];
    }
}

/* Reads f's window of record rec of variable v, whose plane is nx x ny `points`, into *src
 * (malloc'd), after `held` windows of other variables. */
static int regrid_values(int ncid, const fc_nc_var *v, int nx, int ny, const char *points,
                         size_t rec, const regrid_field *f, int held, double **src, fc_err *err)
{
    const size_t n = f->win[2] * f->win[3];
    int st = fits_memory(v, nx, ny, points, (held + 1.0) * (double)n * sizeof **src, err);
    if (st)
        return st;
    if (!(*src = malloc(n * sizeof **src)))
        return fc_fail(err, FC_ENOMEM, "out of memory interpolating '%s'", v->name);
    return fc_nc_get_window_double(ncid, v, v->ndims == 3 ? rec : 0, v->len[v->ndims - 2],
                                   v->len[v->ndims - 1], f->win, *src, err);
}

/* Reads the window of record rec of variable v, a field of the given shape on the file's grid
 * from[2], that this grid's points of the field need. */
static int regrid_read(int ncid, const fc_nc_var *v, int shape, const fc_grid *g,
                       const fc_ncio_regrid *rg, size_t rec, regrid_field *f, fc_err *err)
{
    const int fx = shape == FC_VAR_TY_XFACE, fy = shape == FC_VAR_TYFACE_X;
    if ((fx || fy) && (g->nx < g->nx_whole || g->ny < g->ny_whole))
        return fc_fail(err, FC_EINPUT, "%s: variable '%s' is on faces, which a block of the "
                       "grid does not read", v->path, v->name);
    int st = regrid_alloc(v, g->nx + fx, g->ny + fy, f, err);
    if (st)
        return st;
    axis_weights(rg->from[0], g->nx_whole, fx, rg->periodic[0], g->i0, f->nxe, f->xlo, f->xhi,
                 f->wx);
    axis_weights(rg->from[1], g->ny_whole, fy, rg->periodic[1], g->j0, f->nye, f->ylo, f->yhi,
                 f->wy);
    regrid_window(f);
    return regrid_values(ncid, v, rg->from[0], rg->from[1], "cells", rec, f, 0, &f->src, err);
}

/* The field on this grid's points, interpolated from src, the values in f's window. */
static int regrid_apply(const regrid_field *f, const double *src, const fc_grid *g,
                        fc_real *field, fc_err *err)
{
    fc_real *packed = malloc((size_t)f->nxe * (size_t)f->nye * sizeof *packed);
    if (!packed)
        return fc_fail(err, FC_ENOMEM, "out of memory interpolating a field");
    for (int j = 0; j < f->nye; j++) {
        const double *a = src + (size_t)f->ylo[j] * f->win[3];
        const double *b = src + (size_t)f->yhi[j] * f->win[3];
        for (int i = 0; i < f->nxe; i++) {
            const double lower = a[f->xlo[i]] + f->wx[i] * (a[f->xhi[i]] - a[f->xlo[i]]);
            const double upper = b[f->xlo[i]] + f->wx[i] * (b[f->xhi[i]] - b[f->xlo[i]]);
            packed[(size_t)j * f->nxe + i] = (fc_real)(lower + f->wy[j] * (upper - lower));
        }
    }
    fc_grid_unpack(g, packed, field, f->nxe, f->nye);
    free(packed);
    return FC_OK;
}

/* The solver's own interpolation (fc_solver_io.interpolate) of the active fields' variables,
 * record rec, each read whole. */
static int interpolate_whole(int ncid, const fc_solver_desc *s, const void *params,
                             const fc_grid *g, const fc_nc_var *vars, const fc_ncio_regrid *rg,
                             size_t rec, fc_state *host, fc_err *err)
{
    double *whole[FC_MAX_FIELDS] = {NULL};
    const double bytes = (double)rg->from[0] * rg->from[1] * sizeof **whole;
    int st = FC_OK;
    for (int k = 0; k < s->io.nfields && !st; k++) {
        if (!vars[k].name)
            continue;
        if ((st = fits_memory(&vars[k], rg->from[0], rg->from[1], "cells", (k + 1) * bytes,
                              err)))
            break;
        if (!(whole[k] = malloc((size_t)rg->from[0] * (size_t)rg->from[1] * sizeof **whole)))
            st = fc_fail(err, FC_ENOMEM, "out of memory interpolating '%s'", vars[k].name);
        else
            st = fc_nc_get_plane_double(ncid, &vars[k], vars[k].ndims == 3 ? rec : 0,
                                        (size_t)rg->from[1], (size_t)rg->from[0], whole[k], err);
    }
    if (!st)
        st = s->io.interpolate(params, g, rg->from, whole, host, err);
    for (int k = 0; k < s->io.nfields; k++)
        free(whole[k]);
    return st;
}

/* The active state fields' variables of a restart onto another grid, record rec, interpolated
 * onto g (fc_ncio_read_restart): by the solver, or bilinearly, all read first so that the
 * solver's regrid_source sees them together at the file's points. */
static int read_regridded(int ncid, const fc_solver_desc *s, const void *params,
                          const fc_grid *g, const fc_nc_var *vars, const int *shapes,
                          const fc_ncio_regrid *rg, size_t rec, fc_state *host, fc_err *err)
{
    if (s->io.interpolate)
        return interpolate_whole(ncid, s, params, g, vars, rg, rec, host, err);
    regrid_field f[FC_MAX_FIELDS] = {{0}};
    double *src[FC_MAX_FIELDS] = {NULL};
    int st = FC_OK;
    for (int k = 0; k < s->io.nfields && !st; k++)
        if (vars[k].name)
            st = regrid_read(ncid, &vars[k], shapes[k], g, rg, rec, &f[k], err);
    if (!st && s->io.regrid_source) {
        int first = -1;
        for (int k = 0; k < s->io.nfields; k++)
            if (vars[k].name) {
                first = first < 0 ? k : first;
                if (memcmp(f[k].win, f[first].win, sizeof f[k].win))
                    abort(); /* a solver's regrid_source takes cells alone (solver.h) */
                src[k] = f[k].src;
            }
        if (first >= 0)
            s->io.regrid_source(params, src, f[first].win[2] * f[first].win[3]);
    }
    for (int k = 0; k < s->io.nfields && !st; k++)
        if (vars[k].name)
            st = regrid_apply(&f[k], f[k].src, g, host->f[k], err);
    for (int k = 0; k < s->io.nfields; k++)
        regrid_free(&f[k]);
    return st;
}

/* A field file's points along axis a (0: x, the variable's last dimension; 1: y): the values
 * of its dimension's coordinate variable (the one-dimensional variable of the dimension's
 * name, CF), in metres, or none (*c NULL). name: the dimension's. */
typedef struct file_axis {
    char name[NC_MAX_NAME + 1];
    size_t n;
    double *c;
    int dir; /* 1: c increases; -1: it decreases */
} file_axis;

static int read_file_axis(int ncid, const fc_nc_var *v, int a, file_axis *ax, fc_err *err)
{
    int dims[FC_NC_MAX_DIMS], rc;
    ax->c = NULL;
    ax->n = v->len[v->ndims - 1 - a];
    if (ax->n == 0) /* an unlimited dimension with nothing written along it */
        return fc_fail(err, FC_EINPUT, "%s: variable '%s' has no points along %s", v->path,
                       v->name, a ? "y" : "x");
    if (ax->n > INT_MAX / 2) /* weights index the points with int */
        return fc_fail(err, FC_EINPUT, "%s: variable '%s' has %zu points along %s: too many",
                       v->path, v->name, ax->n, a ? "y" : "x");
    if ((rc = nc_inq_vardimid(ncid, v->id, dims)) != NC_NOERR ||
        (rc = nc_inq_dimname(ncid, dims[v->ndims - 1 - a], ax->name)) != NC_NOERR)
        return fc_fail(err, FC_EINPUT, "%s: variable '%s': %s", v->path, v->name,
                       nc_strerror(rc));
    int cid, cdims, cdim;
    if (nc_inq_varid(ncid, ax->name, &cid) != NC_NOERR ||
        nc_inq_varndims(ncid, cid, &cdims) != NC_NOERR || cdims != 1 ||
        nc_inq_vardimid(ncid, cid, &cdim) != NC_NOERR || cdim != dims[v->ndims - 1 - a])
        return FC_OK; /* no coordinate variable (CF: one-dimensional on its dimension) */
    /* A CF axis attribute that says the dimensions are the other way round (x, y). */
    char axis[16];
    int st = fc_nc_att_text(ncid, cid, v->path, "axis", axis, sizeof axis, err);
    if (st == FC_OK && (a ? strcmp(axis, "Y") && strcmp(axis, "Z") : strcmp(axis, "X")))
        return fc_fail(err, FC_EINPUT, "%s: variable '%s' has '%s' (axis %s) as its %s "
                       "dimension, where flowcast reads %s: a field is (y, x), x varying fastest",
                       v->path, v->name, ax->name, axis, a ? "second last" : "last",
                       a ? "y (axis Y or Z)" : "x (axis X)");
    if (st != FC_OK && st != 1)
        return st;
    if (!(ax->c = malloc(ax->n * sizeof *ax->c)))
        return fc_fail(err, FC_ENOMEM, "out of memory reading coordinate '%s'", ax->name);
    double scale;
    st = fc_nc_read_axis(ncid, v->path, ax->name, ax->n, ax->c, &ax->dir, &scale, err);
    if (st)
        fc_err_append(err, "(the coordinate of variable '%s')", v->name);
    return st;
}

/* Whether a file's points along an axis are this grid's n cell centres lo + (i + 1/2) d, in
 * order (to a thousandth of a cell): assumed where the file has no coordinate of as many. */
static int on_centres(const file_axis *ax, int n, double lo, double d)
{
    if (ax->n != (size_t)n)
        return 0;
    for (size_t i = 0; ax->c && i < ax->n; i++)
        if (!(fabs(ax->c[i] - (lo + ((double)i + 0.5) * d)) <= 1e-3 * d))
            return 0;
    return 1;
}

/* Bilinear weights along one axis from a file's points ax onto this grid's cell centres
 * lo + (first + t + 1/2) d, t < count (as axis_weights). A periodic axis of the given period
 * wraps between the file's last and first points, which must lie within one period. Elsewhere
 * a centre within half the file's outermost spacing beyond its outermost point takes that
 * point's value; one further out is not covered by the file. A single point holds along the
 * whole axis (a file of one row for a case of one row, say). */
static int coord_weights(const fc_nc_var *v, const file_axis *ax, const char *axis,
                         double period, double lo, double d, int first, int count, int *ilo,
                         int *ihi, double *w, fc_err *err)
{
    const size_t n = ax->n;
    const double *c = ax->c;
    /* s(k): the points in increasing order; the file's index of point k. */
#define S(k) (ax->dir > 0 ? c[k] : c[n - 1 - (k)])
#define IDX(k) (int)(ax->dir > 0 ? (k) : n - 1 - (k))
    const double s0 = S(0), s1 = S(n - 1);
    if (period > 0 && !(s1 - s0 < period))
        return fc_fail(err, FC_EINPUT, "%s: variable '%s': its %s coordinate '%s' spans %g m, "
                       "not less than the periodic domain's %g m", v->path, v->name, axis,
                       ax->name, s1 - s0, period);
    const double below = n > 1 ? (S(1) - s0) / 2 : 0, above = n > 1 ? (s1 - S(n - 2)) / 2 : 0;
    for (int t = 0; t < count; t++) {
        double x = lo + ((double)(first + t) + 0.5) * d;
        if (period > 0) {
            x = s0 + fmod(x - s0, period);
            x += x < s0 ? period : 0;
            if (x >= s1) { /* between the last point and the first one a period on */
                ilo[t] = IDX(n - 1);
                ihi[t] = IDX(0);
                w[t] = s0 + period > s1 ? (x - s1) / (s0 + period - s1) : 0;
                continue;
            }
        } else if (x < s0 || x > s1 || n == 1) {
            const double edge = x < s0 ? s0 : s1;
            if (n > 1 && !(fabs(x - edge) <= (x < s0 ? below : above) * (1 + 1e-9)))
                return fc_fail(err, FC_EINPUT, "%s: variable '%s' does not cover the grid: its "
                               "%s coordinate '%s' runs from %g to %g m, and the cell centre "
                               "%s = %g m lies more than half a spacing beyond", v->path,
                               v->name, axis, ax->name, s0, s1, axis, x);
            ilo[t] = ihi[t] = IDX(x < s0 ? 0 : n - 1);
            w[t] = 0;
            continue;
        }
        size_t a = 0, b = n - 1; /* S(a) <= x < S(b) */
        while (b - a > 1) {
            const size_t m = a + (b - a) / 2;
            if (S(m) <= x)
                a = m;
            else
                b = m;
        }
        ilo[t] = IDX(a);
        ihi[t] = IDX(b);
        w[t] = (x - S(a)) / (S(b) - S(a));
    }
#undef S
#undef IDX
    return FC_OK;
}

/* "x = a .. b m (n points)" of a file's axis, or "n points along x" where it has no
 * coordinate. */
static const char *describe_axis(const file_axis *ax, const char *axis, char *buf, size_t size)
{
    if (ax->c)
        snprintf(buf, size, "%s = %g .. %g m (%zu points)", ax->name, ax->c[0],
                 ax->c[ax->n - 1], ax->n);
    else
        snprintf(buf, size, "%zu points along %s (no coordinate '%s')", ax->n, axis, ax->name);
    return buf;
}

/* Variable var of a field file and the record of it to read: on (time, y, x), the last
 * complete one (where the file has a time coordinate, the last whose time is set; otherwise
 * the last along the first dimension). */
static int field_var(int ncid, const char *path, const char *var, fc_nc_var *v, size_t *rec,
                     fc_err *err)
{
    *rec = 0;
    int st = fc_nc_find_var(ncid, path, var, 2, 3, v, err);
    if (st || v->ndims == 2)
        return st;
    size_t n = v->len[0];
    if (nc_inq_varid(ncid, "time", &(int){0}) == NC_NOERR &&
        (st = fc_nc_complete_records(ncid, path, &n, err)) == FC_OK && n > v->len[0])
        n = v->len[0];
    if (!st && n == 0)
        st = fc_fail(err, FC_EINPUT, "%s: variable '%s' has no complete record", path, var);
    *rec = n ? n - 1 : 0;
    return st;
}

/* Whether two variables' points along an axis are the same: as many, and the same coordinates
 * or none. */
static int same_axis(const file_axis *a, const file_axis *b)
{
    if (a->n != b->n || !a->c != !b->c)
        return 0;
    for (size_t i = 0; a->c && i < a->n; i++)
        if (a->c[i] != b->c[i])
            return 0;
    return 1;
}

int fc_ncio_read_fields(const char *path, int n, const char *const *vars, const fc_grid *g,
                        const fc_ncio_field_grid *how, fc_real *const *fields,
                        int *interpolated, fc_err *err)
{
    *interpolated = 0;
    if (n > FC_MAX_FIELDS)
        abort(); /* a caller's bug: the most fields a state has */
    int ncid, st = fc_nc_open(path, "initial-condition file", &ncid, err);
    if (st)
        return st;
    fc_nc_var v[FC_MAX_FIELDS];
    size_t rec[FC_MAX_FIELDS];
    file_axis ax[2] = {{.c = NULL}, {.c = NULL}}, other[2] = {{.c = NULL}, {.c = NULL}};
    double *src[FC_MAX_FIELDS] = {NULL};
    regrid_field f = {0};
    int first = -1; /* the first variable named: its points are the file's */
    for (int k = 0; k < n && !st; k++) {
        if (!vars[k])
            continue;
        if ((st = field_var(ncid, path, vars[k], &v[k], &rec[k], err)) ||
            (how->units && how->units[k] &&
             (st = fc_nc_check_units(ncid, &v[k], how->units[k], err))))
            break;
        file_axis *mine = first < 0 ? ax : other;
        for (int a = 0; a < 2 && !st; a++) {
            free(mine[a].c);
            mine[a].c = NULL;
            st = read_file_axis(ncid, &v[k], a, &mine[a], err);
        }
        if (!st && first >= 0 && !(same_axis(&ax[0], &other[0]) && same_axis(&ax[1], &other[1])))
            st = fc_fail(err, FC_EINPUT, "%s: variable '%s' is on other points than '%s'",
                         path, vars[k], vars[first]);
        first = first < 0 ? k : first;
    }
    if (st || first < 0)
        goto done;
    const double lo[2] = {g->x_min, g->y_min}, d[2] = {g->dx, g->dy};
    const double period[2] = {g->x_max - g->x_min, g->y_max - g->y_min};
    const int ncell[2] = {g->nx_whole, g->ny_whole};
    if (on_centres(&ax[0], ncell[0], lo[0], d[0]) && on_centres(&ax[1], ncell[1], lo[1], d[1])) {
        for (int k = 0; k < n && !st; k++)
            if (vars[k])
                st = read_plane(ncid, path, vars[k], g, g->nx, g->ny, rec[k], fields[k], err);
        goto done;
    }
    char fx[2 * NC_MAX_NAME + 64], fy[2 * NC_MAX_NAME + 64];
    const char *axis[2] = {"x", how->y_name ? how->y_name : "y"};
    if (!how->interpolate || !ax[0].c || !ax[1].c) {
        st = fc_fail(err, FC_EINPUT, "%s: variable '%s' is on %s, %s; the grid's cell centres "
                     "are x = %g .. %g m (%d), %s = %g .. %g m (%d)", path, vars[first],
                     describe_axis(&ax[0], axis[0], fx, sizeof fx),
                     describe_axis(&ax[1], axis[1], fy, sizeof fy), lo[0] + d[0] / 2,
                     lo[0] + (ncell[0] - 0.5) * d[0], ncell[0], axis[1], lo[1] + d[1] / 2,
                     lo[1] + (ncell[1] - 0.5) * d[1], ncell[1]);
        if (!how->interpolate && ax[0].c && ax[1].c && how->enable)
            fc_err_append(err, "(%s interpolates it onto them)", how->enable);
        else if (how->interpolate)
            fc_err_append(err, "(without coordinates along both axes it cannot be interpolated)");
        goto done;
    }
    const int from[2] = {(int)ax[0].n, (int)ax[1].n};
    if (how->whole && on_centres(&ax[0], from[0], lo[0], period[0] / from[0]) &&
        on_centres(&ax[1], from[1], lo[1], period[1] / from[1])) {
        const double bytes = (double)from[0] * from[1] * sizeof **src;
        for (int k = 0, held = 0; k < n && !st; k++) {
            if (!vars[k])
                continue;
            if (!(st = fits_memory(&v[k], from[0], from[1], "cells", ++held * bytes, err)) &&
                !(src[k] = malloc((size_t)from[0] * (size_t)from[1] * sizeof **src)))
                st = fc_fail(err, FC_ENOMEM, "out of memory interpolating '%s'", vars[k]);
            if (!st)
                st = fc_nc_get_plane_double(ncid, &v[k], v[k].ndims == 3 ? rec[k] : 0,
                                            (size_t)from[1], (size_t)from[0], src[k], err);
        }
        fc_state state = {n, {NULL}, 0};
        for (int k = 0; k < n; k++)
            state.f[k] = fields[k];
        if (!st)
            st = how->whole(how->ctx, g, from, src, &state, err);
        *interpolated = !st;
        goto done;
    }
    if ((st = regrid_alloc(&v[first], g->nx, g->ny, &f, err)))
        goto done;
    int *ilo[2] = {f.xlo, f.ylo}, *ihi[2] = {f.xhi, f.yhi};
    double *w[2] = {f.wx, f.wy};
    for (int a = 0; a < 2 && !st; a++)
        st = coord_weights(&v[first], &ax[a], axis[a], how->periodic[a] ? period[a] : 0, lo[a],
                           d[a], a ? g->j0 : g->i0, a ? g->ny : g->nx, ilo[a], ihi[a], w[a], err);
    if (st)
        goto done;
    regrid_window(&f);
    for (int k = 0, held = 0; k < n && !st; k++)
        if (vars[k])
            st = regrid_values(ncid, &v[k], (int)ax[0].n, (int)ax[1].n, "points", rec[k], &f,
                               held++, &src[k], err);
    if (!st && how->source)
        how->source(how->ctx, src, f.win[2] * f.win[3]);
    for (int k = 0; k < n && !st; k++)
        if (vars[k])
            st = regrid_apply(&f, src[k], g, fields[k], err);
    *interpolated = !st;
done:
    for (int k = 0; k < n; k++)
        free(src[k]);
    regrid_free(&f);
    for (int a = 0; a < 2; a++)
        free(ax[a].c), free(other[a].c);
    fc_nc_close(ncid);
    return st;
}

int fc_ncio_read_field(const char *path, const char *var, const fc_grid *g,
                       const fc_ncio_field_grid *how, fc_real *field, fc_err *err)
{
    int interpolated;
    return fc_ncio_read_fields(path, 1, &var, g, how, &field, &interpolated, err);
}

int fc_ncio_read_restart(const char *path, const fc_solver_desc *s, const void *params,
                         const fc_grid *g, fc_ncio_regrid *regrid, fc_state *host, double *t,
                         fc_err *err)
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
    if (fc_nc_has_att(ncid, NC_GLOBAL, FC_SERIES_OF_ATT)) {
        char of[4096] = "";
        if (fc_nc_att_text(ncid, NC_GLOBAL, path, FC_SERIES_OF_ATT, of, sizeof of, err))
            of[0] = '\0'; /* not text, or too long: unnamed */
        st = fc_fail(err, FC_EINPUT, "restart file '%s' is a series of diagnostics, without the "
                     "fields: restart from the output file it samples%s%s%s", path,
                     of[0] ? ", '" : "", of, of[0] ? "'" : "");
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
    /* The active fields' variables (name NULL: a field that is off) and, with regrid, the
     * file's grid, which they must agree on. */
    fc_nc_var vars[FC_MAX_FIELDS];
    int shapes[FC_MAX_FIELDS];
    if (regrid)
        regrid->from[0] = regrid->from[1] = 0;
    for (int k = 0; k < s->io.nfields && !st; k++) {
        int active = 1;
        vars[k].name = NULL;
        shapes[k] = FC_VAR_TYX;
        for (size_t v = 0; v < s->io.nvars; v++)
            if (!strcmp(s->io.vars[v].name, s->io.restart_vars[k])) {
                active = fc_var_on(s, params, v);
                shapes[k] = s->io.vars[v].shape;
            }
        if (!active)
            continue;
        if (nc_inq_varid(ncid, s->io.restart_vars[k], &(int){0}) != NC_NOERR)
            st = fc_fail(err, FC_EINPUT, "restart file '%s' has no variable '%s'", path,
                         s->io.restart_vars[k]);
        else if (!(st = fc_nc_find_var(ncid, path, s->io.restart_vars[k], 2, 3, &vars[k], err)) &&
                 regrid)
            st = file_grid(&vars[k], shapes[k], regrid->from, err);
    }
    if (!st && regrid && (regrid->from[0] != g->nx_whole || regrid->from[1] != g->ny_whole)) {
        st = read_regridded(ncid, s, params, g, vars, shapes, regrid, nrec - 1, host, err);
        goto done;
    }
    for (int k = 0; k < s->io.nfields && !st; k++) {
        if (!vars[k].name)
            continue;
        int nxe, nye;
        fc_var_extent(shapes[k], g, &nxe, &nye);
        st = read_plane(ncid, path, s->io.restart_vars[k], g, nxe, nye, nrec - 1, host->f[k], err);
        if (st == FC_EINPUT && strstr(err->msg, " is "))
            fc_err_append(err, "(the restart file is from another grid: --regrid interpolates "
                          "it onto this one)");
    }
done:
    fc_nc_close(ncid);
    return st;
}
