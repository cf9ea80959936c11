/* dataset.c: local-emulator samples from NetCDF solver output (see dataset.h). */
#include <fc_build.h>

#include "ml/dataset.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/core/backend.h"
#include "src/core/grid.h"
#include "src/core/ncread.h"

int ml_vector_component(const char *name)
{
    static const char *const xs[] = {"u", "hu", "u_face"}, *const ys[] = {"v", "hv", "v_face"};
    for (size_t k = 0; k < sizeof xs / sizeof xs[0]; k++) {
        if (!strcmp(name, xs[k]))
            return 1;
        if (!strcmp(name, ys[k]))
            return 2;
    }
    return 0;
}

int ml_parse_boundaries(const char *text, int bc[4])
{
    static const char *const sides[4] = {"west", "east", "south", "north"};
    static const char *const kinds[4] = {"periodic", "wall", "open", "inflow"};
    for (int s = 0; s < 4; s++) {
        char key[16];
        snprintf(key, sizeof key, "%s=", sides[s]);
        const char *p = strstr(text, key);
        if (!p)
            return -1;
        p += strlen(key);
        bc[s] = -1;
        for (int k = 0; k < 4; k++)
            if (!strncmp(p, kinds[k], strlen(kinds[k])))
                bc[s] = k;
        if (bc[s] < 0)
            return -1;
    }
    return 0;
}

int ml_features_per_sample(const ml_geometry *g)
{
    return (g->nvars + g->nstatic) * g->stencil * g->stencil;
}

void ml_neighbourhood(const ml_geometry *g, const float *fields, const float *statics,
                      const float *mean, const float *std, int i, int j, float *x)
{
    const int r = g->stencil / 2, nv = g->nvars + g->nstatic;
    const size_t plane = (size_t)g->nx * g->ny;
    int o = 0;
    /* A neighbourhood inside the grid reads its cells directly, with the same arithmetic as
     * the general loop below (no reflection flips a sign there): most cells, and a
     * forecast step's largest part after the layers. */
    if (i - r >= 0 && i + r < g->nx && j - r >= 0 && j + r < g->ny) {
        for (int v = 0; v < nv; v++) {
            const float *f = v < g->nvars ? fields + v * plane : statics + (v - g->nvars) * plane;
            const float centre = f[(size_t)j * g->nx + i];
            x[o] = (centre - mean[o]) / std[o];
            o++;
            /* Rows of the neighbourhood, the centre's row in two runs that leave it out:
             * loops without a branch, which the compiler vectorises. */
            for (int dj = -r; dj <= r; dj++) {
                const float *row = f + (size_t)(j + dj) * g->nx + i;
                for (int run = 0; run < (dj ? 1 : 2); run++) {
                    const int d0 = dj || !run ? -r : 1, d1 = dj || run ? r : -1;
                    float *xo = x + o;
                    const float *mo = mean + o, *so = std + o;
#pragma omp simd
                    for (int di = d0; di <= d1; di++)
                        xo[di - d0] = (row[di] - centre - mo[di - d0]) / so[di - d0];
                    o += d1 - d0 + 1;
                }
            }
        }
        return;
    }
    /* Near a side: where each column and row of the neighbourhood comes from, and through how
     * many reflections, found once for every variable. (i, j) itself may lie just outside the
     * grid: a flux-form model's ghost cell beyond an open side, filled as the boundary fills
     * its halo. */
    int si[ML_MAX_STENCIL], rx[ML_MAX_STENCIL], sj[ML_MAX_STENCIL], ry[ML_MAX_STENCIL];
    for (int d = -r; d <= r; d++) {
        si[d + r] = fc_halo_source(i + d, g->nx, g->bc[FC_WEST], g->bc[FC_EAST], &rx[d + r]);
        sj[d + r] = fc_halo_source(j + d, g->ny, g->bc[FC_SOUTH], g->bc[FC_NORTH], &ry[d + r]);
    }
    for (int v = 0; v < nv; v++) {
        const float *f = v < g->nvars ? fields + v * plane : statics + (v - g->nvars) * plane;
        const int fx = g->odd_x[v], fy = g->odd_y[v];
        const float raw = f[(size_t)sj[r] * g->nx + si[r]];
        const float centre = ((fx ? rx[r] : 0) + (fy ? ry[r] : 0)) & 1 ? -raw : raw;
        x[o] = (centre - mean[o]) / std[o];
        o++;
        for (int dj = -r; dj <= r; dj++)
            for (int di = -r; di <= r; di++) {
                if (!di && !dj)
                    continue;
                const int flips = (fx ? rx[di + r] : 0) + (fy ? ry[dj + r] : 0);
                const float value = f[(size_t)sj[dj + r] * g->nx + si[di + r]];
                x[o] = ((flips & 1 ? -value : value) - centre - mean[o]) / std[o];
                o++;
            }
    }
}

/* Reads variable name of file ncid, on (time, y, x) or (y, x), at records [0, nt) (one for a
 * static field) into out, every value checked (ncread.h). */
static int read_var(int ncid, const char *path, const char *name, int nx, int ny, size_t nt,
                    int want_time, float *out, fc_err *err)
{
    fc_nc_var v;
    int st = fc_nc_find_var(ncid, path, name, 2, 3, &v, err);
    if (st)
        return st;
    if (want_time && v.ndims != 3)
        return fc_fail(err, FC_EINPUT, "%s: variable '%s' is static; a variable to emulate must "
                       "be on (time, y, x) (give it as a static field instead)", path, name);
    const size_t gy = v.len[v.ndims - 2], gx = v.len[v.ndims - 1];
    if (gx != (size_t)nx || gy != (size_t)ny)
        return fc_fail(err, FC_EINPUT, "%s: variable '%s' is %zu x %zu; the first file's grid is "
                       "%d x %d", path, name, gx, gy, nx, ny);
    if (v.ndims == 3 && v.len[0] < nt)
        return fc_fail(err, FC_EINPUT, "%s: variable '%s' has %zu records; 'time' has %zu", path,
                       name, v.len[0], nt);
    const size_t plane = (size_t)nx * (size_t)ny;
    for (size_t t = 0; t < (v.ndims == 3 ? nt : 1) && !st; t++)
        st = fc_nc_get_plane_float(ncid, &v, t, gy, gx, out + t * plane, err);
    return st;
}

/* Grid size and spacing from the first variable of the first file. */
/* The spacing along the last two dimensions of variable v (x, then y or z) from their
 * coordinate variables (named as the dimensions, as CF and flowcast write them); 1 where a
 * coordinate is absent, has one point or does not increase. */
static void spacing_of(int ncid, const char *path, const fc_nc_var *v, double *dx, double *dy)
{
    int dims[FC_NC_MAX_DIMS];
    double *out[2] = {dx, dy};
    *dx = *dy = 1;
    if (nc_inq_vardimid(ncid, v->id, dims) != NC_NOERR)
        return;
    for (int a = 0; a < 2; a++) {
        const int dim = dims[v->ndims - 1 - a];
        const size_t n = v->len[v->ndims - 1 - a];
        char name[NC_MAX_NAME + 1];
        double c[2];
        fc_nc_var cv;
        fc_err ignore;
        if (n > 1 && nc_inq_dimname(ncid, dim, name) == NC_NOERR &&
            fc_nc_find_var(ncid, path, name, 1, 1, &cv, &ignore) == FC_OK && cv.len[0] == n &&
            nc_get_vara_double(ncid, cv.id, (size_t[]){0}, (size_t[]){2}, c) == NC_NOERR &&
            (fc_nc_unpack_or_nan(&cv, c, 2), isfinite(c[1] - c[0])) && c[1] > c[0])
            *out[a] = c[1] - c[0];
    }
}

int ml_grid_spacing(int ncid, const char *path, const char *name, double *dx, double *dy,
                    fc_err *err)
{
    fc_nc_var v;
    int st = fc_nc_find_var(ncid, path, name, 2, 3, &v, err);
    if (!st)
        spacing_of(ncid, path, &v, dx, dy);
    return st;
}

static int grid_of(int ncid, const char *path, const char *name, ml_dataset *d, fc_err *err)
{
    fc_nc_var v;
    int st = fc_nc_find_var(ncid, path, name, 2, 3, &v, err);
    if (st)
        return st;
    const size_t nx = v.len[v.ndims - 1], ny = v.len[v.ndims - 2];
    if (nx < 1 || ny < 1 || nx > ML_MAX_SIDE || ny > ML_MAX_SIDE)
        return fc_fail(err, FC_EINPUT, "%s: variable '%s' is %zu x %zu; each side must be from 1 "
                       "to %d", path, name, nx, ny, ML_MAX_SIDE);
    d->geo.nx = (int)nx;
    d->geo.ny = (int)ny;
    spacing_of(ncid, path, &v, &d->dx, &d->dy);
    return FC_OK;
}

static int open_file(ml_dataset *d, int f, const char *path, fc_err *err)
{
    ml_file *mf = &d->files[f];
    int ncid, st = fc_nc_open(path, "data file", &ncid, err);
    if (st)
        return st;
    if (!(mf->path = strdup(path))) {
        fc_nc_close(ncid);
        return fc_fail(err, FC_ENOMEM, "out of memory");
    }
    size_t nt = 0;
    if (nc_inq_varid(ncid, "time", &(int){0}) != NC_NOERR) {
        fc_nc_close(ncid);
        return fc_fail(err, FC_EINPUT, "%s: no time coordinate (not solver output on (time, y, x))",
                       path);
    }
    if ((st = fc_nc_complete_records(ncid, path, &nt, err))) {
        fc_nc_close(ncid);
        return st;
    }
    if (nt < 2) {
        fc_nc_close(ncid);
        return fc_fail(err, FC_EINPUT, "%s: %zu complete record%s: a sample needs two", path, nt,
                       nt == 1 ? "" : "s");
    }
    if (f > 0) {
        /* Files of one emulator: the first file's solver (where both say) and grid spacing. */
        char solver[sizeof d->solver] = "";
        fc_err ignore;
        double dx, dy;
        if (fc_nc_att_text(ncid, NC_GLOBAL, path, "flowcast_solver", solver, sizeof solver,
                           &ignore))
            solver[0] = '\0';
        if (*solver && *d->solver && strcmp(solver, d->solver))
            st = fc_fail(err, FC_EINPUT, "%s: output of solver %s; the first file's is of %s",
                         path, solver, d->solver);
        else if (!(st = ml_grid_spacing(ncid, path, d->vars[0], &dx, &dy, err))) {
            /* (a grid of another shape is named as such when its fields are read) */
            fc_nc_var v;
            const int shaped = fc_nc_find_var(ncid, path, d->vars[0], 2, 3, &v, &ignore) == FC_OK &&
                               v.len[v.ndims - 1] == (size_t)d->geo.nx &&
                               v.len[v.ndims - 2] == (size_t)d->geo.ny;
            if (shaped && (fabs(dx - d->dx) > 1e-6 * d->dx || fabs(dy - d->dy) > 1e-6 * d->dy))
                st = fc_fail(err, FC_EINPUT, "%s: grid spacing %g x %g; the first file's is %g x "
                             "%g (one model emulates one grid)", path, dx, dy, d->dx, d->dy);
        }
        if (st) {
            fc_nc_close(ncid);
            return st;
        }
    }
    char text[256] = "";
    st = fc_nc_att_text(ncid, NC_GLOBAL, path, "flowcast_boundaries", text, sizeof text, err);
    if (st < 0) {
        fc_nc_close(ncid);
        return st;
    }
    if (st == FC_OK) {
        int bc[4];
        if (ml_parse_boundaries(text, bc)) {
            fc_nc_close(ncid);
            return fc_fail(err, FC_EINPUT, "%s: cannot read flowcast_boundaries '%s'", path, text);
        }
        if (f == 0) {
            memcpy(d->geo.bc, bc, sizeof bc);
            snprintf(d->boundaries, sizeof d->boundaries, "%s", text);
        } else if (memcmp(bc, d->geo.bc, sizeof bc)) {
            fc_nc_close(ncid);
            return fc_fail(err, FC_EINPUT, "%s: boundaries %s; the first file's are %s", path, text,
                           d->boundaries);
        }
    } else if (f == 0) {
        for (int s = 0; s < 4; s++)
            d->geo.bc[s] = FC_BC_OPEN;
        snprintf(d->boundaries, sizeof d->boundaries, "open (not given in the data)");
    }
    st = FC_OK;
    if (f == 0) {
        /* Descriptive only: absent, too long or not text leaves them empty. */
        char title[128] = "", file[120] = "";
        fc_err ignore;
        if (fc_nc_att_text(ncid, NC_GLOBAL, path, "flowcast_solver", d->solver, sizeof d->solver,
                           &ignore))
            d->solver[0] = '\0';
        if (fc_nc_att_text(ncid, NC_GLOBAL, path, "title", title, sizeof title, &ignore))
            title[0] = '\0';
        if (fc_nc_att_text(ncid, NC_GLOBAL, path, "flowcast_case_file", file, sizeof file, &ignore))
            file[0] = '\0';
        if (*title || *file)
            snprintf(d->case_name, sizeof d->case_name, "%s (%s)", title, file);
        if ((st = grid_of(ncid, path, d->vars[0], d, err))) {
            fc_nc_close(ncid);
            return st;
        }
    }
    const size_t plane = (size_t)d->geo.nx * d->geo.ny;
    /* Refuse what cannot fit before asking for it (a file may claim any number of records). */
    const double bytes = ((double)nt * (d->geo.nvars + 1) + d->geo.nstatic + 1) * (double)plane * 4;
    const double avail = (double)fc_host_available_memory();
    if (nt > INT_MAX || (avail > 0 && bytes > 0.9 * avail)) {
        fc_nc_close(ncid);
        return fc_fail(err, FC_EINPUT, "%s: %zu records of %d variable(s) on %d x %d need %.3g GB; "
                       "%.3g GB of memory is available", path, nt, d->geo.nvars, d->geo.nx,
                       d->geo.ny, bytes / 1e9, avail / 1e9);
    }
    mf->nt = (int)nt;
    mf->time = malloc(nt * sizeof *mf->time);
    mf->data = malloc(nt * d->geo.nvars * plane * sizeof *mf->data);
    mf->statics = malloc(((size_t)d->geo.nstatic + 1) * plane * sizeof *mf->statics);
    float *buf = malloc(nt * plane * sizeof *buf);
    if (!mf->time || !mf->data || !mf->statics || !buf)
        st = fc_fail(err, FC_ENOMEM, "%s: out of memory for %zu records", path, nt);
    else
        st = fc_nc_times(ncid, path, nt, mf->time, err);
    for (int v = 0; v < d->geo.nvars && !st; v++) {
        st = read_var(ncid, path, d->vars[v], d->geo.nx, d->geo.ny, nt, 1, buf, err);
        for (size_t t = 0; t < nt && !st; t++)
            memcpy(mf->data + (t * d->geo.nvars + v) * plane, buf + t * plane, plane * sizeof *buf);
    }
    for (int v = 0; v < d->geo.nstatic && !st; v++)
        st = read_var(ncid, path, d->statics[v], d->geo.nx, d->geo.ny, 1, 0, mf->statics + v * plane,
                      err);
    free(buf);
    fc_nc_close(ncid);
    return st;
}

/* Mean and standard deviation from sums in double. A field that does not vary (its variance at
 * round-off of its mean) gets deviation 1, so that it normalises to 0, not to noise. */
static void stats(double sum, double sum2, double n, float *mean, float *std)
{
    const double m = sum / n, var = sum2 / n - m * m;
    *mean = (float)m;
    *std = var > 1e-12 * m * m && var > 0 ? (float)sqrt(var) : 1.0f;
}

int ml_dataset_open(ml_dataset *d, const char *const *paths, int npaths, const char *const *vars,
                    int nvars, const char *const *statics, int nstatic, int stencil,
                    double val_fraction, int holdout, fc_err *err)
{
    memset(d, 0, sizeof *d);
    if (npaths < 1 || npaths > ML_MAX_FILES)
        return fc_fail(err, FC_EINPUT, "give 1 to %d data files, not %d", ML_MAX_FILES, npaths);
    /* A file that is not there is named first: a folder that is not there (an ensemble's)
     * stands here as one file, and the count below would hide it. */
    for (int f = 0; f < npaths; f++)
        if (access(paths[f], R_OK))
            return fc_fail(err, FC_EINPUT, "cannot read data file '%s': %s", paths[f],
                           strerror(errno));
    if (holdout < 0 || holdout >= npaths)
        return fc_fail(err, FC_EINPUT, "--holdout %d: hold out fewer files than the %d given (at "
                       "least one must train)", holdout, npaths);
    if (nvars < 1 || nvars > ML_MAX_VARS || nstatic < 0 || nstatic > ML_MAX_VARS)
        return fc_fail(err, FC_EINPUT, "give 1 to %d variables and at most %d static fields",
                       ML_MAX_VARS, ML_MAX_VARS);
    if (stencil < 1 || stencil % 2 == 0 || stencil > ML_MAX_STENCIL)
        return fc_fail(err, FC_EINPUT, "the stencil must be odd, from 1 to %d, not %d",
                       ML_MAX_STENCIL, stencil);
    if (!(val_fraction >= 0 && val_fraction < 1))
        return fc_fail(err, FC_EINPUT, "the validation fraction must be in [0, 1), not %g", val_fraction);
    /* A field named twice would be two inputs (or two outputs) that are always equal. */
    for (int a = 0; a < nvars + nstatic; a++)
        for (int b = 0; b < a; b++) {
            const char *na = a < nvars ? vars[a] : statics[a - nvars];
            const char *nb = b < nvars ? vars[b] : statics[b - nvars];
            if (!strcmp(na, nb))
                return fc_fail(err, FC_EINPUT, "'%s' is named twice among the variables and "
                               "static fields: give each once (a static field is not also a "
                               "variable)", na);
        }
    d->geo.nvars = nvars;
    d->geo.nstatic = nstatic;
    d->geo.stencil = stencil;
    for (int v = 0; v < nvars + nstatic; v++) {
        const char *name = v < nvars ? vars[v] : statics[v - nvars];
        snprintf(v < nvars ? d->vars[v] : d->statics[v - nvars], 64, "%s", name);
        const int comp = ml_vector_component(name);
        d->geo.odd_x[v] = comp == 1;
        d->geo.odd_y[v] = comp == 2;
    }
    if (!(d->files = calloc((size_t)npaths, sizeof *d->files)))
        return fc_fail(err, FC_ENOMEM, "out of memory");
    int st = FC_OK;
    for (int f = 0; f < npaths && !st; f++) {
        st = open_file(d, f, paths[f], err);
        d->nfiles = f + 1;
    }
    if (st) {
        ml_dataset_free(d);
        return st;
    }
    /* The output interval: the first pair's; pairs of another length (a shortened last
     * record, a steady stop) are left out. */
    d->interval = d->files[0].time[1] - d->files[0].time[0];
    int total = 0;
    for (int f = 0; f < d->nfiles; f++)
        total += d->files[f].nt - 1;
    for (int s = 0; s < 2; s++) {
        d->pair_file[s] = malloc((size_t)total * sizeof(int));
        d->pair_t[s] = malloc((size_t)total * sizeof(int));
        if (!d->pair_file[s] || !d->pair_t[s]) {
            ml_dataset_free(d);
            return fc_fail(err, FC_ENOMEM, "out of memory");
        }
    }
    for (int f = 0; f < d->nfiles; f++) {
        const ml_file *mf = &d->files[f];
        int good = 0;
        for (int t = 0; t + 1 < mf->nt; t++)
            good += fabs(mf->time[t + 1] - mf->time[t] - d->interval) <= 1e-6 * d->interval;
        if (good == 0) {
            char p[4096];
            /* (freed with d) */
            const double interval = d->interval, own = mf->time[1] - mf->time[0];
            snprintf(p, sizeof p, "%s", mf->path);
            ml_dataset_free(d);
            return fc_fail(err, FC_EINPUT, "%s: no two consecutive records %g s apart, the first "
                           "file's output interval (its own first two are %g s apart): a model "
                           "learns one interval's step, so give files written at one",
                           p, interval, own);
        }
        const int held = holdout > 0 && f >= d->nfiles - holdout;
        const int nval = holdout > 0 ? (held ? good : 0) : (int)floor(val_fraction * good + 0.5);
        for (int t = 0, k = 0; t + 1 < mf->nt; t++) {
            if (!(fabs(mf->time[t + 1] - mf->time[t] - d->interval) <= 1e-6 * d->interval))
                continue;
            const int s = k++ >= good - nval ? ML_VALID : ML_TRAIN;
            d->pair_file[s][d->npairs[s]] = f;
            d->pair_t[s][d->npairs[s]++] = t;
        }
    }
    if (d->npairs[ML_TRAIN] == 0) {
        ml_dataset_free(d);
        return fc_fail(err, FC_EINPUT, "no record pairs are left for training");
    }
    /* Normalisation from the training pairs only: each feature's, and each target's. Sums in
     * double over a fixed number of chunks of the samples, each chunk in order, the chunks added
     * in order: the same bits for any thread count (training adapts its threads to the load,
     * and its result must not depend on them). */
    enum { CHUNKS = 64 };
    const size_t plane = (size_t)d->geo.nx * d->geo.ny;
    const int nf = ml_features_per_sample(&d->geo);
    const size_t per = 2 * (size_t)nf + 2 * (size_t)nvars;
    static const float zero[ML_MAX_FEATURES];
    float *unit = malloc((size_t)nf * sizeof *unit), *xs = malloc((size_t)CHUNKS * nf * sizeof *xs);
    double *sums = calloc((size_t)CHUNKS * per, sizeof *sums);
    if (!unit || !xs || !sums) {
        free(unit), free(xs), free(sums);
        ml_dataset_free(d);
        return fc_fail(err, FC_ENOMEM, "out of memory");
    }
    for (int k = 0; k < nf; k++)
        unit[k] = 1;
    const long long count = (long long)ml_dataset_count(d, ML_TRAIN);
#pragma omp parallel for schedule(dynamic)
    for (int ch = 0; ch < CHUNKS; ch++) {
        double *ls = sums + (size_t)ch * per, *ls2 = ls + nf, *lds = ls2 + nf, *lds2 = lds + nvars;
        float *x = xs + (size_t)ch * nf;
        const long long q0 = count * ch / CHUNKS, q1 = count * (ch + 1) / CHUNKS;
        for (long long q = q0; q < q1; q++) {
            const size_t p = (size_t)q / plane, c = (size_t)q % plane;
            const ml_file *mf = &d->files[d->pair_file[ML_TRAIN][p]];
            const int t = d->pair_t[ML_TRAIN][p];
            const float *now = mf->data + (size_t)t * nvars * plane, *next = now + nvars * plane;
            ml_neighbourhood(&d->geo, now, mf->statics, zero, unit, (int)(c % d->geo.nx),
                             (int)(c / d->geo.nx), x);
            for (int k = 0; k < nf; k++) {
                ls[k] += x[k];
                ls2[k] += (double)x[k] * x[k];
            }
            for (int v = 0; v < nvars; v++) {
                const double dd = (double)next[v * plane + c] - now[v * plane + c];
                lds[v] += dd;
                lds2[v] += dd * dd;
            }
        }
    }
    for (int ch = 1; ch < CHUNKS; ch++)
        for (size_t k = 0; k < per; k++)
            sums[k] += sums[(size_t)ch * per + k];
    const double *sum2 = sums + nf, *dsum = sum2 + nf, *dsum2 = dsum + nvars;
    for (int k = 0; k < nf; k++)
        stats(sums[k], sum2[k], (double)count, &d->in_mean[k], &d->in_std[k]);
    /* Differences no larger than float round-off of the variable are noise: standardised they
     * would be as loud as the signal. They get deviation 1 (inputs near 0). */
    const int ss = d->geo.stencil * d->geo.stencil;
    for (int v = 0; v < nvars + nstatic; v++) {
        const float scale = fabsf(d->in_mean[v * ss]) + d->in_std[v * ss];
        for (int k = v * ss + 1; k < (v + 1) * ss; k++)
            if (d->in_std[k] < 1e-6f * scale)
                d->in_std[k] = 1;
    }
    for (int v = 0; v < nvars; v++)
        stats(dsum[v], dsum2[v], (double)count, &d->out_mean[v], &d->out_std[v]);
    free(unit), free(xs), free(sums);
    return FC_OK;
}

void ml_dataset_free(ml_dataset *d)
{
    for (int f = 0; f < d->nfiles; f++) {
        free(d->files[f].path);
        free(d->files[f].time);
        free(d->files[f].data);
        free(d->files[f].statics);
        free(d->files[f].pushed);
        free(d->files[f].pushed_ok);
    }
    free(d->files);
    for (int s = 0; s < 2; s++) {
        free(d->pair_file[s]);
        free(d->pair_t[s]);
    }
    memset(d, 0, sizeof *d);
}

size_t ml_dataset_count(const ml_dataset *d, int split)
{
    return (size_t)d->npairs[split] * d->geo.nx * d->geo.ny;
}

/* The state sample s of a split starts from (the true record, or for a training sample the
 * pushed state where push_fraction says so), its file, and its true next record. */
static const float *sample_state(const ml_dataset *d, int split, size_t s, const ml_file **file,
                                 const float **next)
{
    const size_t plane = (size_t)d->geo.nx * d->geo.ny, p = s / plane;
    const int nv = d->geo.nvars;
    const ml_file *mf = &d->files[d->pair_file[split][p]];
    const int t = d->pair_t[split][p];
    const float *now = mf->data + (size_t)t * nv * plane;
    *file = mf;
    *next = now + nv * plane;
    if (split == ML_TRAIN && d->push_fraction > 0 && mf->pushed && mf->pushed_ok[t]) {
        /* splitmix64 of the sample and the epoch's seed: uniform in [0, 1) */
        unsigned long long h = s + d->push_seed * 0x9e3779b97f4a7c15ull;
        h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
        h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
        h ^= h >> 31;
        if ((double)(h >> 11) * 0x1.0p-53 < d->push_fraction)
            now = mf->pushed + (size_t)t * nv * plane;
    }
    return now;
}

void ml_dataset_batch(const ml_dataset *d, int split, const size_t *idx, int B, float *x, float *y)
{
    const size_t plane = (size_t)d->geo.nx * d->geo.ny;
    const int nf = ml_features_per_sample(&d->geo), nv = d->geo.nvars;
#pragma omp parallel for schedule(static)
    for (int r = 0; r < B; r++) {
        const size_t c = idx[r] % plane;
        const ml_file *mf;
        const float *next, *now = sample_state(d, split, idx[r], &mf, &next);
        ml_neighbourhood(&d->geo, now, mf->statics, d->in_mean, d->in_std, (int)(c % d->geo.nx),
                         (int)(c / d->geo.nx), x + (size_t)r * nf);
        for (int v = 0; v < nv; v++)
            y[(size_t)r * nv + v] = (next[v * plane + c] - now[v * plane + c] - d->out_mean[v]) / d->out_std[v];
    }
}

void ml_dataset_features_at(const ml_dataset *d, int split, const size_t *idx, int B, int di,
                            int dj, float *x)
{
    const size_t plane = (size_t)d->geo.nx * d->geo.ny;
    const int nf = ml_features_per_sample(&d->geo);
#pragma omp parallel for schedule(static)
    for (int r = 0; r < B; r++) {
        const size_t c = idx[r] % plane;
        const ml_file *mf;
        const float *next, *now = sample_state(d, split, idx[r], &mf, &next);
        ml_neighbourhood(&d->geo, now, mf->statics, d->in_mean, d->in_std,
                         (int)(c % d->geo.nx) + di, (int)(c / d->geo.nx) + dj, x + (size_t)r * nf);
    }
}
