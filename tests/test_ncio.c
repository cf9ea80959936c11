/* test_ncio.c: NetCDF output: CF attributes of a real run, round trip, incomplete records after
 * a crash, no overwriting, and reading errors. */
#include <fc_build.h>

#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/core/files.h"
#include "src/core/ncio.h"
#include "src/core/ncread.h"
#include "src/core/run.h"
#include "tests/suites.h"
#include "tests/testlib.h"
#include "solvers/registry.h"

static const char bump[] = "[case]\nsolver = swe\ntitle = test bump\n"
                           "[grid]\nnx = 12\nny = 10\nx_max = 1.2\ny_max = 1\n"
                           "[time]\nt_end = 0.1\n[output]\ninterval = 0.025\ndeflate = 4\n"
                           "[initial]\ntype = gaussian_bump\ndepth = 1\namplitude = 0.1\n"
                           "radius = 0.2\ncenter_x = 0.6\ncenter_y = 0.5\n";

/* fc_ncio_read_field: the file as it is, on the grid's cells. */
static const fc_ncio_field_grid as_is = {.enable = "interpolate"};

static void text_att(int ncid, int varid, const char *name, char *buf, size_t len)
{
    size_t n;
    ck_assert_msg(nc_inq_attlen(ncid, varid, name, &n) == NC_NOERR, "no attribute %s", name);
    ck_assert_uint_lt(n, len);
    nc_get_att_text(ncid, varid, name, buf);
    buf[n] = '\0';
}

/* The values --set changed are recorded one per line in the key tables' order, as written;
 * a run without any has no such attribute. */
START_TEST(overrides_are_recorded)
{
    const char *ini = tl_temp_file("bump.ini", bump);
    const char *plain = tl_temp_path("plain.nc"), *set = tl_temp_path("set.nc");
    const char *sets[] = {"initial.radius=0.25", "time.t_end=5e-2", "grid.nx=8"};
    fc_run_opts o = {.case_path = ini, .solvers = fc_solvers(), .device = "cpu", .output = plain,
                     .quiet = 1};
    fc_run_result res;
    fc_err err;
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    o.output = set;
    o.sets = sets;
    o.nsets = 3;
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    int ncid;
    ck_assert_int_eq(nc_open(plain, NC_NOWRITE, &ncid), NC_NOERR);
    ck_assert_int_ne(nc_inq_att(ncid, NC_GLOBAL, FC_OVERRIDES_ATT, NULL, NULL), NC_NOERR);
    nc_close(ncid);
    char buf[256];
    ck_assert_int_eq(nc_open(set, NC_NOWRITE, &ncid), NC_NOERR);
    text_att(ncid, NC_GLOBAL, FC_OVERRIDES_ATT, buf, sizeof buf);
    ck_assert_str_eq(buf, "grid.nx=8\ntime.t_end=5e-2\ninitial.radius=0.25");
    nc_close(ncid);
}
END_TEST

START_TEST(run_output_follows_cf)
{
    const char *ini = tl_temp_file("bump.ini", bump);
    const char *out = tl_temp_path("bump.nc");
    fc_run_opts o = {.case_path = ini, .solvers = fc_solvers(), .device = "cpu", .output = out, .quiet = 1,
                     .command_line = "flowcast run bump.ini"};
    fc_run_result res;
    fc_err err;
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(res.records, 5);

    int ncid, varid, nvars, ndims, dims[3];
    char buf[4096];
    ck_assert_int_eq(nc_open(out, NC_NOWRITE, &ncid), NC_NOERR);
    text_att(ncid, NC_GLOBAL, "Conventions", buf, sizeof buf);
    ck_assert_str_eq(buf, "CF-1.11");
    text_att(ncid, NC_GLOBAL, "title", buf, sizeof buf);
    ck_assert_str_eq(buf, "test bump");
    text_att(ncid, NC_GLOBAL, "source", buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(buf, "flowcast " PACKAGE_VERSION));
    text_att(ncid, NC_GLOBAL, "history", buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(buf, "Z: flowcast run bump.ini"));
    text_att(ncid, NC_GLOBAL, "flowcast_case", buf, sizeof buf);
    ck_assert_str_eq(buf, bump);
    text_att(ncid, NC_GLOBAL, "flowcast_precision", buf, sizeof buf);
    ck_assert_str_eq(buf, FC_PRECISION);
    text_att(ncid, NC_GLOBAL, "flowcast_device", buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(buf, "cpu"));

    ck_assert_int_eq(nc_inq_varid(ncid, "time", &varid), NC_NOERR);
    text_att(ncid, varid, "units", buf, sizeof buf);
    ck_assert_str_eq(buf, "seconds since 2000-01-01 00:00:00");
    text_att(ncid, varid, "calendar", buf, sizeof buf);
    ck_assert_str_eq(buf, "standard");
    double t[5];
    nc_get_var_double(ncid, varid, t);
    for (int k = 0; k < 5; k++)
        ck_assert_double_eq(t[k], k * 0.025); /* exactly on the output times */

    ck_assert_int_eq(nc_inq_varid(ncid, "x", &varid), NC_NOERR);
    text_att(ncid, varid, "axis", buf, sizeof buf);
    ck_assert_str_eq(buf, "X");
    text_att(ncid, varid, "bounds", buf, sizeof buf);
    ck_assert_str_eq(buf, "x_bnds");
    double x[12], xb[24];
    nc_get_var_double(ncid, varid, x);
    nc_inq_varid(ncid, "x_bnds", &varid);
    nc_get_var_double(ncid, varid, xb);
    for (int i = 0; i < 12; i++) {
        ck_assert_double_eq_tol(x[i], 0.1 * i + 0.05, 1e-15);
        ck_assert_double_eq_tol(xb[2 * i], 0.1 * i, 1e-15);
        ck_assert_double_eq_tol(xb[2 * i + 1], 0.1 * (i + 1), 1e-15);
    }

    ck_assert_int_eq(nc_inq_varid(ncid, "h", &varid), NC_NOERR);
    nc_inq_varndims(ncid, varid, &ndims);
    nc_inq_vardimid(ncid, varid, dims);
    ck_assert_int_eq(ndims, 3);
    char dname[NC_MAX_NAME + 1];
    static const char *const order[] = {"time", "y", "x"};
    for (int d = 0; d < 3; d++) {
        nc_inq_dimname(ncid, dims[d], dname);
        ck_assert_str_eq(dname, order[d]);
    }
    int shuffle, deflate, level;
    nc_inq_var_deflate(ncid, varid, &shuffle, &deflate, &level);
    ck_assert_int_eq(deflate, 1);
    ck_assert_int_eq(level, 4);

    /* long_name and units on every variable; never missing_value. */
    nc_inq_nvars(ncid, &nvars);
    for (int v = 0; v < nvars; v++) {
        char name[NC_MAX_NAME + 1];
        nc_inq_varname(ncid, v, name);
        int natt;
        ck_assert_int_eq(nc_inq_attid(ncid, v, "missing_value", &natt), NC_ENOTATT);
        if (strstr(name, "_bnds"))
            continue;
        ck_assert_msg(nc_inq_attid(ncid, v, "long_name", &natt) == NC_NOERR, "%s: long_name",
                      name);
        ck_assert_msg(nc_inq_attid(ncid, v, "units", &natt) == NC_NOERR, "%s: units", name);
    }
    /* Mass is conserved in the closed basin; eta = h + b. */
    double mass[5];
    nc_inq_varid(ncid, "mass", &varid);
    nc_get_var_double(ncid, varid, mass);
    ck_assert_double_eq_tol(mass[4], mass[0], 5000 * TL_EPS * mass[0]);
    nc_close(ncid);
}
END_TEST

/* A file made by ncio with two records of known values, CDF-5 or NetCDF-4. */
static const char *two_records(fc_config *cfg, fc_grid *g, int netcdf4)
{
    fc_err err;
    const char *ini = tl_temp_file("bump.ini", bump);
    ck_assert_int_eq(fc_config_load(ini, NULL, 0, fc_solvers(), cfg, &err), FC_OK);
    const int bc[4] = {1, 1, 1, 1};
    fc_grid_init(g, 12, 10, 2, 0, 1.2, 0, 1, bc, &err);
    const char *path = tl_temp_path(netcdf4 ? "two4.nc" : "two.nc");
    unlink(path);
    fc_ncio_meta m = {cfg, cfg->solver, NULL, g, "two", "now: test", "cpu", cfg->solver->io.diags,
                   (int)cfg->solver->io.ndiags, netcdf4, 0, 1, NULL, {1, 1}, NULL};
    fc_ncio_file *f;
    ck_assert_msg(fc_ncio_create(path, 0, &m, &f, &err) == FC_OK, "%s", err.msg);
    size_t n = 120, nv = cfg->solver->io.nvars;
    fc_real *data = malloc(n * nv * sizeof *data);
    fc_real **packed = calloc(nv, sizeof *packed);
    double diags[8] = {1, 2, 3, 4};
    for (int rec = 0; rec < 2; rec++) {
        for (size_t v = 0; v < nv; v++) {
            packed[v] = data + v * n;
            for (size_t k = 0; k < n; k++)
                packed[v][k] = (fc_real)(1000 * rec + 10 * v + k * 0.5);
            if (cfg->solver->io.vars[v].shape == FC_VAR_YX) {
                if (rec == 0)
                    ck_assert_int_eq(fc_ncio_write_static(f, (int)v, packed[v], &err), FC_OK);
                packed[v] = NULL;
            }
        }
        ck_assert_int_eq(fc_ncio_write_record(f, 10.0 * rec, packed, diags, &err), FC_OK);
    }
    ck_assert_int_eq(fc_ncio_records(f), 2);
    ck_assert_int_eq(fc_ncio_close(f, &err), FC_OK);
    free(data);
    free(packed);
    return path;
}

START_TEST(round_trip_and_incomplete_record)
{
    fc_config cfg;
    fc_grid g;
    fc_err err;
    const char *path = two_records(&cfg, &g, 0);
    fc_real *h = fc_grid_alloc(&g);
    ck_assert_int_eq(fc_ncio_read_field(path, "h", &g, &as_is, h, &err), FC_OK); /* the last */
    ck_assert_double_eq(h[fc_idx(g.pitch, g.ng, 3, 2)], 1000 + 0.5 * (2 * 12 + 3));

    /* A crash after the data of record 2 but before its time: the record is incomplete. */
    int ncid, varid;
    ck_assert_int_eq(nc_open(path, NC_WRITE, &ncid), NC_NOERR);
    nc_inq_varid(ncid, "h", &varid);
    size_t start[3] = {2, 0, 0}, count[3] = {1, 10, 12};
    double junk[120] = {0};
    ck_assert_int_eq(nc_put_vara_double(ncid, varid, start, count, junk), NC_NOERR);
    size_t n;
    ck_assert_int_eq(fc_nc_complete_records(ncid, path, &n, &err), FC_OK);
    ck_assert_uint_eq(n, 2);
    nc_close(ncid);

    fc_state st = {4, {fc_grid_alloc(&g), fc_grid_alloc(&g), fc_grid_alloc(&g), fc_grid_alloc(&g)},
                   0};
    double t;
    ck_assert_msg(fc_ncio_read_restart(path, cfg.solver, NULL, &g, NULL, &st, &t, &err) == FC_OK, "%s", err.msg);
    ck_assert_double_eq(t, 10);
    ck_assert_double_eq(st.f[0][fc_idx(g.pitch, g.ng, 3, 2)], 1000 + 0.5 * (2 * 12 + 3));
    for (int k = 0; k < 4; k++)
        free(st.f[k]);
    free(h);
    fc_config_free(&cfg);
}
END_TEST

/* Where point (i, j) of a variable of the given shape lies, in a grid of cells dx x dy from
 * (0, 0): cell centres, or faces normal to x or y. */
static void point_of(int shape, double dx, double dy, double i, double j, double *x, double *y)
{
    *x = (i + (shape == FC_VAR_TY_XFACE ? 0 : 0.5)) * dx;
    *y = (j + (shape == FC_VAR_TYFACE_X ? 0 : 0.5)) * dy;
}

/* Variable v's values in linear_file: linear in the position. */
static double linear_value(size_t v, double x, double y) { return 100.0 * v + 2 * x + 3 * y; }

/* An ns2d output (cell, x-face, y-face and static variables) on 12 x 10 cells of [0, 1.2] x
 * [0, 1] whose one record, at t = 10, holds linear_value at each variable's points. */
static const char *linear_file(fc_config *cfg)
{
    fc_err err;
    const char *ini = tl_temp_file("linear.ini", "[case]\nsolver = ns2d\n[grid]\nnx = 12\n"
                                                 "ny = 10\nx_max = 1.2\ny_max = 1\n"
                                                 "[time]\nt_end = 20\n[physics]\nviscosity = 0.01\n"
                                                 "[initial]\ntype = rest\n");
    ck_assert_msg(fc_config_load(ini, NULL, 0, fc_solvers(), cfg, &err) == FC_OK, "%s", err.msg);
    const int bc[4] = {1, 1, 1, 1};
    fc_grid g;
    fc_grid_init(&g, 12, 10, 2, 0, 1.2, 0, 1, bc, &err);
    const char *path = tl_temp_path("linear.nc");
    unlink(path);
    const fc_solver_desc *s = cfg->solver;
    fc_ncio_meta m = {cfg, s, NULL, &g, "linear", "now: test", "cpu", s->io.diags,
                      (int)s->io.ndiags, 0, 0, 1, NULL, {1, 1}, NULL};
    fc_ncio_file *f;
    ck_assert_msg(fc_ncio_create(path, 0, &m, &f, &err) == FC_OK, "%s", err.msg);
    fc_real *packed[64] = {NULL};
    ck_assert_uint_le(s->io.nvars, 64);
    for (size_t v = 0; v < s->io.nvars; v++) {
        const int shape = s->io.vars[v].shape;
        int nxe, nye;
        fc_var_extent(shape, &g, &nxe, &nye);
        packed[v] = malloc((size_t)nxe * nye * sizeof(fc_real));
        for (int j = 0; j < nye; j++)
            for (int i = 0; i < nxe; i++) {
                double x, y;
                point_of(shape, g.dx, g.dy, i, j, &x, &y);
                packed[v][j * nxe + i] = (fc_real)linear_value(v, x, y);
            }
        if (fc_var_static(shape)) {
            ck_assert_int_eq(fc_ncio_write_static(f, (int)v, packed[v], &err), FC_OK);
            free(packed[v]);
            packed[v] = NULL;
        }
    }
    double diags[64] = {0};
    ck_assert_int_eq(fc_ncio_write_record(f, 10, packed, diags, &err), FC_OK);
    ck_assert_int_eq(fc_ncio_close(f, &err), FC_OK);
    for (size_t v = 0; v < s->io.nvars; v++)
        free(packed[v]);
    return path;
}

/* --regrid: a restart from linear_file onto grids finer, coarser and at no whole ratio over
 * the same domain gives each field, on cells and on faces, the bilinear interpolation of the
 * file's at its own points: exact for linear fields, the edge value within half a cell of a
 * wall, a mix of the last and first cells across a periodic side (faces span the domain and
 * need no wrap); on the file's own grid, the plain restart's bits. */
START_TEST(regrid_interpolates_bilinearly)
{
    fc_config cfg;
    fc_err err;
    const char *path = linear_file(&cfg);
    const fc_solver_desc *s = cfg.solver;
    const int sizes[][2] = {{24, 20}, {6, 5}, {17, 13}, {12, 10}};
    const double tol = sizeof(fc_real) == 4 ? 1e-5 : 1e-12;
    for (int periodic = 0; periodic < 2; periodic++)
        for (size_t n = 0; n < sizeof sizes / sizeof sizes[0]; n++) {
            const int nx = sizes[n][0], ny = sizes[n][1];
            const int bc[4] = {periodic ? FC_BC_PERIODIC : FC_BC_WALL,
                               periodic ? FC_BC_PERIODIC : FC_BC_WALL, FC_BC_WALL, FC_BC_WALL};
            fc_grid to;
            ck_assert_int_eq(fc_grid_init(&to, nx, ny, 2, 0, 1.2, 0, 1, bc, &err), FC_OK);
            fc_state st = {s->io.nfields, {NULL}, 0};
            for (int k = 0; k < s->io.nfields; k++)
                st.f[k] = fc_grid_alloc(&to);
            fc_ncio_regrid rg = {{periodic, 0}, {-1, -1}};
            double t;
            ck_assert_msg(fc_ncio_read_restart(path, s, NULL, &to, &rg, &st, &t, &err) == FC_OK,
                          "%s", err.msg);
            ck_assert_double_eq(t, 10);
            ck_assert_int_eq(rg.from[0], 12);
            ck_assert_int_eq(rg.from[1], 10);
            for (int k = 0; k < s->io.nfields; k++) {
                size_t v = 0;
                while (strcmp(s->io.vars[v].name, s->io.restart_vars[k]))
                    v++;
                const int shape = s->io.vars[v].shape;
                int nxe, nye;
                fc_var_extent(shape, &to, &nxe, &nye);
                double x0, y0, x1, y1; /* the file's first and last points */
                point_of(shape, 0.1, 0.1, 0, 0, &x0, &y0);
                point_of(shape, 0.1, 0.1, 12 - (shape != FC_VAR_TY_XFACE),
                         10 - (shape != FC_VAR_TYFACE_X), &x1, &y1);
                for (int j = 0; j < nye; j++)
                    for (int i = 0; i < nxe; i++) {
                        double x, y;
                        point_of(shape, 1.2 / nx, 1.0 / ny, i, j, &x, &y);
                        y = fmin(fmax(y, y0), y1);
                        double want;
                        if (periodic && (x < x0 || x > x1)) {
                            /* between the last cell (x1, or x1 - 1.2 on this side) and the first */
                            const double w_first = x < x0 ? (x - (x1 - 1.2)) / 0.1
                                                          : (x - x1) / 0.1;
                            want = (1 - w_first) * linear_value(v, x1, y) +
                                   w_first * linear_value(v, x0, y);
                        } else
                            want = linear_value(v, fmin(fmax(x, x0), x1), y);
                        const double got = st.f[k][fc_idx(to.pitch, to.ng, i, j)];
                        ck_assert_msg(fabs(got - want) <= tol * fabs(want),
                                      "%d x %d, periodic %d: %s at (%d, %d) is %.17g, not %.17g",
                                      nx, ny, periodic, s->io.restart_vars[k], i, j, got, want);
                    }
            }
            if (nx == 12) { /* the file's grid: exactly the plain restart */
                fc_state plain = {s->io.nfields, {NULL}, 0};
                for (int k = 0; k < s->io.nfields; k++)
                    plain.f[k] = fc_grid_alloc(&to);
                ck_assert_int_eq(
                    fc_ncio_read_restart(path, s, NULL, &to, NULL, &plain, &t, &err), FC_OK);
                for (int k = 0; k < s->io.nfields; k++) {
                    ck_assert(!memcmp(plain.f[k], st.f[k], to.nalloc * sizeof(fc_real)));
                    free(plain.f[k]);
                }
            }
            for (int k = 0; k < s->io.nfields; k++)
                free(st.f[k]);
        }
    fc_config_free(&cfg);
}
END_TEST

/* A field file of nx x ny points at the centres of cells of [x0, x1] x [y0, y1] holding
 * linear_value(0, x, y): with coordinates x and y (in km where km is set, and y decreasing
 * where flip is set) when coords is set. */
static const char *field_file(const char *name, int nx, int ny, double x0, double x1, double y0,
                              double y1, int coords, int km, int flip)
{
    const char *path = tl_temp_path(name);
    unlink(path);
    int nc, dims[2], vx, vy, vh;
    ck_assert_int_eq(nc_create(path, NC_CLOBBER | NC_64BIT_DATA, &nc), NC_NOERR);
    nc_def_dim(nc, "y", (size_t)ny, &dims[0]);
    nc_def_dim(nc, "x", (size_t)nx, &dims[1]);
    if (coords) {
        nc_def_var(nc, "x", NC_DOUBLE, 1, &dims[1], &vx);
        nc_def_var(nc, "y", NC_DOUBLE, 1, &dims[0], &vy);
        nc_put_att_text(nc, vx, "units", km ? 2 : 1, km ? "km" : "m");
        nc_put_att_text(nc, vy, "units", 1, "m");
    }
    nc_def_var(nc, "depth", NC_DOUBLE, 2, dims, &vh);
    ck_assert_int_eq(nc_enddef(nc), NC_NOERR);
    double *x = malloc((size_t)nx * sizeof *x), *y = malloc((size_t)ny * sizeof *y);
    double *h = malloc((size_t)nx * ny * sizeof *h);
    for (int i = 0; i < nx; i++)
        x[i] = x0 + (i + 0.5) * (x1 - x0) / nx;
    for (int j = 0; j < ny; j++)
        y[flip ? ny - 1 - j : j] = y0 + (j + 0.5) * (y1 - y0) / ny;
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++)
            h[(size_t)j * nx + i] = linear_value(0, x[i], y[j]);
    for (int i = 0; km && i < nx; i++)
        x[i] /= 1000;
    if (coords) {
        nc_put_var_double(nc, vx, x);
        nc_put_var_double(nc, vy, y);
    }
    nc_put_var_double(nc, vh, h);
    ck_assert_int_eq(nc_close(nc), NC_NOERR);
    free(x), free(y), free(h);
    return path;
}

/* A source (fc_ncio_field_grid) that doubles the first variable's values. */
static void double_first(const void *ctx, double *const *src, size_t n)
{
    (void)ctx;
    for (size_t k = 0; k < n; k++)
        src[0][k] *= 2;
}

/* The `file` initial condition's reader: a file whose coordinates are not the grid's cell
 * centres is refused, saying how to interpolate it; interpolated, it gives each centre the
 * bilinear interpolation between the file's points, in metres or km, increasing or not: exact
 * for a linear field, the outermost point's value within half a spacing beyond it, a mix of
 * the last and first points across a periodic side, a single row's values along y. Exactly
 * the plain read on the grid's own centres; a file that does not reach a centre, and one
 * without coordinates that is not on the grid, and one whose axis attributes say it is (x, y),
 * are refused; variables read together share the weights and must share the points. */
START_TEST(field_file_is_interpolated_by_its_coordinates)
{
    const int bc[4] = {FC_BC_WALL, FC_BC_WALL, FC_BC_WALL, FC_BC_WALL};
    fc_grid g;
    fc_err err;
    ck_assert_int_eq(fc_grid_init(&g, 12, 10, 2, 0, 1.2, 0, 1, bc, &err), FC_OK);
    fc_real *h = fc_grid_alloc(&g), *plain = fc_grid_alloc(&g);
    const double tol = sizeof(fc_real) == 4 ? 1e-5 : 1e-12;
    const struct {
        int nx, ny, km, flip, periodic;
    } files[] = {{24, 20, 0, 0, 0}, {5, 4, 1, 1, 0}, {7, 3, 0, 0, 1}, {12, 10, 1, 1, 1},
                 {7, 1, 0, 0, 0}};
    for (size_t c = 0; c < sizeof files / sizeof files[0]; c++) {
        const int nx = files[c].nx, ny = files[c].ny;
        const char *path = field_file("field.nc", nx, ny, 0, 1.2, 0, 1, 1, files[c].km,
                                      files[c].flip);
        ck_assert_int_eq(fc_ncio_read_field(path, "depth", &g, &as_is, h, &err), FC_EINPUT);
        ck_assert_msg(strstr(err.msg, "variable 'depth' is on x = ") &&
                          strstr(err.msg, "the grid's cell centres are x = 0.05 .. 1.15 m (12), "
                                          "y = 0.05 .. 0.95 m (10)") &&
                          strstr(err.msg, "(interpolate interpolates it onto them)"),
                      "%s", err.msg);
        const fc_ncio_field_grid how = {.interpolate = 1, .periodic = {files[c].periodic, 0}};
        ck_assert_msg(fc_ncio_read_field(path, "depth", &g, &how, h, &err) == FC_OK, "%s",
                      err.msg);
        const double dx = 1.2 / nx, dy = 1.0 / ny; /* the file's spacing */
        for (int j = 0; j < g.ny; j++)
            for (int i = 0; i < g.nx; i++) {
                const double x = fc_grid_x(&g, i);
                const double y = fmin(fmax(fc_grid_y(&g, j), dy / 2), 1 - dy / 2);
                double want;
                if (files[c].periodic && (x < dx / 2 || x > 1.2 - dx / 2)) {
                    const double w_first = (x < dx / 2 ? x + dx / 2 : x - (1.2 - dx / 2)) / dx;
                    want = (1 - w_first) * linear_value(0, 1.2 - dx / 2, y) +
                           w_first * linear_value(0, dx / 2, y);
                } else
                    want = linear_value(0, fmin(fmax(x, dx / 2), 1.2 - dx / 2), y);
                const double got = h[fc_idx(g.pitch, g.ng, i, j)];
                ck_assert_msg(fabs(got - want) <= tol * want, "file %zu: (%d, %d) %.17g, not %.17g",
                              c, i, j, got, want);
            }
    }
    /* On the grid's own centres, in order: the plain read, interpolation asked for or not. */
    const char *own = field_file("own.nc", 12, 10, 0, 1.2, 0, 1, 1, 0, 0);
    const fc_ncio_field_grid bilinear = {.interpolate = 1};
    ck_assert_int_eq(fc_ncio_read_field(own, "depth", &g, &as_is, plain, &err), FC_OK);
    ck_assert_int_eq(fc_ncio_read_field(own, "depth", &g, &bilinear, h, &err), FC_OK);
    ck_assert(!memcmp(h, plain, g.nalloc * sizeof *h));
    /* Two variables read together share the weights, after the caller's source; a variable
     * on other points than the first is refused. */
    const char *two = field_file("two.nc", 7, 3, 0, 1.2, 0, 1, 1, 0, 0);
    int nc, dims[2], vx2, vd2;
    ck_assert_int_eq(nc_open(two, NC_WRITE, &nc), NC_NOERR);
    nc_redef(nc);
    nc_inq_dimid(nc, "y", &dims[0]);
    nc_def_dim(nc, "x2", 2, &dims[1]);
    nc_def_var(nc, "x2", NC_DOUBLE, 1, &dims[1], &vx2);
    nc_def_var(nc, "depth2", NC_DOUBLE, 2, dims, &vd2);
    nc_enddef(nc);
    nc_put_var_double(nc, vx2, (const double[]){0.3, 0.9});
    nc_put_var_double(nc, vd2, (const double[]){1, 2, 3, 4, 5, 6});
    ck_assert_int_eq(nc_close(nc), NC_NOERR);
    fc_real *h2 = fc_grid_alloc(&g);
    fc_real *const both[2] = {h, h2};
    int interpolated;
    const fc_ncio_field_grid doubled = {.interpolate = 1, .source = double_first};
    ck_assert_int_eq(fc_ncio_read_fields(two, 2, (const char *const[]){"depth", "depth"}, &g,
                                         &doubled, both, &interpolated, &err), FC_OK);
    ck_assert(interpolated);
    for (int j = 0; j < g.ny; j++)
        for (int i = 0; i < g.nx; i++) {
            const ptrdiff_t k = fc_idx(g.pitch, g.ng, i, j);
            ck_assert_double_eq_tol(h[k], 2 * h2[k], 1e-12 * h[k]);
        }
    ck_assert_int_eq(fc_ncio_read_fields(two, 2, (const char *const[]){"depth", "depth2"}, &g,
                                         &bilinear, both, &interpolated, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "variable 'depth2' is on other points than 'depth'"), "%s",
                  err.msg);
    free(h2);
    /* Refused. */
    const struct {
        const char *path, *says;
    } bad[] = {
        {field_file("short.nc", 12, 10, 0.3, 1.2, 0, 1, 1, 0, 0),
         "variable 'depth' does not cover the grid: its x coordinate 'x' runs from 0.3375 to "
         "1.1625 m, and the cell centre x = 0.05 m lies more than half a spacing beyond"},
        {field_file("bare.nc", 24, 20, 0, 1.2, 0, 1, 0, 0, 0),
         "variable 'depth' is on 24 points along x (no coordinate 'x'), 20 points along y (no "
         "coordinate 'y'); the grid's cell centres are x = 0.05 .. 1.15 m (12), y = 0.05 .. "
         "0.95 m (10)\n(without coordinates along both axes it cannot be interpolated)"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        ck_assert_int_eq(fc_ncio_read_field(bad[k].path, "depth", &g, &bilinear, h, &err),
                         FC_EINPUT);
        ck_assert_msg(strstr(err.msg, bad[k].says), "%s", err.msg);
    }
    /* A field on (x, y), its coordinates' axis attributes saying so, is not read transposed. */
    const char *flipped = tl_temp_path("transposed.nc");
    int vy;
    ck_assert_int_eq(nc_create(flipped, NC_CLOBBER, &nc), NC_NOERR);
    nc_def_dim(nc, "x", 12, &dims[0]);
    nc_def_dim(nc, "y", 10, &dims[1]);
    nc_def_var(nc, "x", NC_DOUBLE, 1, &dims[0], &vx2);
    nc_def_var(nc, "y", NC_DOUBLE, 1, &dims[1], &vy);
    nc_put_att_text(nc, vx2, "axis", 1, "X");
    nc_put_att_text(nc, vy, "axis", 1, "Y");
    nc_def_var(nc, "depth", NC_DOUBLE, 2, dims, &vd2);
    ck_assert_int_eq(nc_close(nc), NC_NOERR); /* values: fill, never read */
    ck_assert_int_eq(fc_ncio_read_field(flipped, "depth", &g, &as_is, h, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "variable 'depth' has 'y' (axis Y) as its last dimension, "
                         "where flowcast reads x (axis X): a field is (y, x), x varying fastest"),
                  "%s", err.msg);
    /* One periodic domain's points spanning a whole period or more cannot wrap. */
    const char *wide = field_file("wide.nc", 8, 10, -0.2, 1.4, 0, 1, 1, 0, 0);
    const fc_ncio_field_grid wrap = {.interpolate = 1, .periodic = {1, 0}};
    ck_assert_int_eq(fc_ncio_read_field(wide, "depth", &g, &wrap, h, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "its x coordinate 'x' spans 1.4 m, not less than the periodic "
                         "domain's 1.2 m"), "%s", err.msg);
    free(h);
    free(plain);
}
END_TEST

/* A file cut short (a copy or a write that did not finish) at every length: a restart reads
 * a record the file holds whole, or is refused; libnetcdf's zeros for the missing bytes never
 * reach a state. A CDF-5 file cut by one byte loses its last record and gives the one before;
 * a NetCDF-4 file cut at all is refused, by its superblock's end before HDF5 is asked. */
START_TEST(a_file_cut_short_gives_no_zeros)
{
    const int netcdf4 = _i;
    fc_config cfg;
    fc_grid g;
    fc_err err;
    const char *path = two_records(&cfg, &g, netcdf4);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static unsigned char bytes[1 << 17];
    const size_t size = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    ck_assert(size > 0 && size < sizeof bytes);
    const char *cut = tl_temp_path("cut.nc");
    fc_state st = {4, {fc_grid_alloc(&g), fc_grid_alloc(&g), fc_grid_alloc(&g), fc_grid_alloc(&g)},
                   0};
    const ptrdiff_t cell = fc_idx(g.pitch, g.ng, 3, 2);
    int read_last = 0, read_first = 0, refused = 0, cut_short = 0;
    for (size_t len = size; len + 16 > 16; len = len > 16 ? (len == size ? size - 1 : len - 13) : 0) {
        f = fopen(cut, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
        fclose(f);
        double t = -1;
        st.f[0][cell] = -1;
        const int rc = fc_ncio_read_restart(cut, cfg.solver, NULL, &g, NULL, &st, &t, &err);
        if (rc != FC_OK) {
            ck_assert_int_eq(rc, FC_EINPUT);
            refused++;
            cut_short += strstr(err.msg, "the file is cut short") != NULL;
            /* 8 bytes: HDF5's signature, without which it is no NetCDF-4 file at all */
            ck_assert_msg(!netcdf4 || len < 8 || strstr(err.msg, "the file is cut short"),
                          "%zu of %zu bytes: %s", len, size, err.msg);
        } else if (t == 10) {
            ck_assert_double_eq(st.f[0][cell], 1000 + 0.5 * (2 * 12 + 3));
            read_last++;
        } else {
            ck_assert_msg(t == 0, "a restart at t = %g from %zu of %zu bytes", t, len, size);
            ck_assert_msg(st.f[0][cell] == 0.5 * (2 * 12 + 3),
                          "h = %g read from %zu of %zu bytes", (double)st.f[0][cell], len, size);
            read_first++;
        }
        if (len == size)
            ck_assert_int_eq(read_last, 1);
        if (len == size - 1)
            ck_assert_int_eq(netcdf4 ? cut_short : read_first, 1);
    }
    ck_assert_int_eq(read_last, 1);
    ck_assert_int_gt(refused, 0);
    ck_assert_int_gt(cut_short, 0);
    for (int k = 0; k < 4; k++)
        free(st.f[k]);
    fc_config_free(&cfg);
}
END_TEST

START_TEST(existing_file_is_never_overwritten)
{
    fc_config cfg;
    fc_grid g;
    fc_err err;
    const char *path = tl_temp_file("keep.nc", "precious data\n");
    const char *ini = tl_temp_file("bump.ini", bump);
    ck_assert_int_eq(fc_config_load(ini, NULL, 0, fc_solvers(), &cfg, &err), FC_OK);
    const int bc[4] = {1, 1, 1, 1};
    fc_grid_init(&g, 12, 10, 2, 0, 1.2, 0, 1, bc, &err);
    fc_ncio_meta m = {&cfg, cfg.solver, NULL, &g, "t", "h", "cpu", cfg.solver->io.diags, 4, 0, 0, 1,
                      NULL, {1, 1}, NULL};
    fc_ncio_file *f;
    ck_assert_int_eq(fc_ncio_create(path, 0, &m, &f, &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "exists; it is left untouched"));
    FILE *fp = fopen(path, "r");
    char buf[64] = "";
    ck_assert_ptr_nonnull(fgets(buf, sizeof buf, fp));
    fclose(fp);
    ck_assert_str_eq(buf, "precious data\n");
    ck_assert_int_eq(fc_ncio_create("/nonexistent/dir/out.nc", 0, &m, &f, &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot create output file '/nonexistent/dir/out.nc'"));
    fc_config_free(&cfg);
}
END_TEST

/* The list a message offers for a missing variable: cut at whole names with ", ..." when the
 * buffer is full, and after the first 1000 variables of a file that holds more. */
START_TEST(variable_list_is_cut_at_names)
{
    const char *path = tl_temp_path("many.nc");
    int ncid, dims[2];
    ck_assert_int_eq(nc_create(path, NC_CLOBBER, &ncid), NC_NOERR);
    nc_def_dim(ncid, "y", 2, &dims[0]);
    nc_def_dim(ncid, "x", 3, &dims[1]);
    for (int k = 0; k < 1200; k++) {
        char name[16];
        int v;
        snprintf(name, sizeof name, "v%04d", k);
        ck_assert_int_eq(nc_def_var(ncid, name, k % 2 ? NC_FLOAT : NC_CHAR, 2, dims, &v),
                         NC_NOERR);
    }
    ck_assert_int_eq(nc_enddef(ncid), NC_NOERR);
    char buf[40];
    fc_nc_list_vars(ncid, 2, 2, buf, sizeof buf);
    ck_assert_str_eq(buf, "v0001, v0003, v0005, v0007, v0009, ..."); /* text variables left out */
    char big[16384];
    fc_nc_list_vars(ncid, 2, 2, big, sizeof big);
    ck_assert_msg(strstr(big, ", v0999, ...") && !strstr(big, "v1001"), "%.60s", big);
    fc_nc_list_vars(ncid, 1, 1, buf, sizeof buf);
    ck_assert_str_eq(buf, "..."); /* none of 1 dimension among the first 1000 */
    nc_close(ncid);
    unlink(path);
}
END_TEST

START_TEST(reading_errors_name_file_and_variable)
{
    fc_config cfg;
    fc_grid g, other;
    fc_err err;
    const char *path = two_records(&cfg, &g, 0);
    fc_real *h = fc_grid_alloc(&g);
    ck_assert_int_eq(fc_ncio_read_field(path, "depth", &g, &as_is, h, &err), FC_EINPUT);
    /* What the file offers instead: its fields, not its coordinates, their bounds (2-D, like
     * the fields) or its time series. */
    ck_assert_msg(strstr(err.msg, "no variable 'depth' (its variables of 2 or 3 dimensions: h, hu, "
                                  "hv, u, v, eta, vorticity, b)"), "%s", err.msg);
    const int bc[4] = {1, 1, 1, 1};
    fc_grid_init(&other, 13, 10, 2, 0, 1.3, 0, 1, bc, &err);
    fc_real *h2 = fc_grid_alloc(&other);
    ck_assert_int_eq(fc_ncio_read_field(path, "h", &other, &as_is, h2, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "variable 'h' is on x = 0.05 .. 1.15 m (12 points), y = 0.05 .. "
                         "0.95 m (10 points); the grid's cell centres are x = 0.05 .. 1.25 m "
                         "(13), y = 0.05 .. 0.95 m (10)"), "%s", err.msg);
    ck_assert_int_eq(fc_ncio_read_field("/nonexistent.nc", "h", &g, &as_is, h, &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot read initial-condition file '/nonexistent.nc'"));
    free(h);
    free(h2);
    fc_config_free(&cfg);
}
END_TEST

/* CF attributes of a variable read (ncread.h): packing unpacked after the fill and valid-range
 * checks on the stored values, and units compared by what they name, not how they are spelt. */
START_TEST(cf_packing_valid_range_and_units)
{
    const char *path = tl_temp_path("packed.nc");
    unlink(path);
    int nc, dims[2], vh, vu;
    ck_assert_int_eq(nc_create(path, NC_CLOBBER | NC_64BIT_DATA, &nc), NC_NOERR);
    nc_def_dim(nc, "y", 2, &dims[0]);
    nc_def_dim(nc, "x", 3, &dims[1]);
    nc_def_var(nc, "h", NC_SHORT, 2, dims, &vh);
    const double scale = 0.01, offset = 1, range[2] = {-100, 500};
    const short fill = -32767;
    nc_put_att_double(nc, vh, "scale_factor", NC_DOUBLE, 1, &scale);
    nc_put_att_double(nc, vh, "add_offset", NC_DOUBLE, 1, &offset);
    nc_put_att_double(nc, vh, "valid_range", NC_SHORT, 2, range);
    nc_put_att_short(nc, vh, "_FillValue", NC_SHORT, 1, &fill);
    nc_put_att_text(nc, vh, "units", 6, "metres");
    nc_def_var(nc, "u", NC_FLOAT, 2, dims, &vu);
    nc_put_att_text(nc, vu, "units", 3, "m/s");
    /* g: packed like h, its valid_max of the packing's type (double): unpacked values (NUG) */
    int vg;
    const double gmax = 5;
    nc_def_var(nc, "g", NC_SHORT, 2, dims, &vg);
    nc_put_att_double(nc, vg, "scale_factor", NC_DOUBLE, 1, &scale);
    nc_put_att_double(nc, vg, "add_offset", NC_DOUBLE, 1, &offset);
    nc_put_att_double(nc, vg, "valid_max", NC_DOUBLE, 1, &gmax);
    ck_assert_int_eq(nc_enddef(nc), NC_NOERR);
    const short h[6] = {0, 100, -100, 500, 250, 7};
    const float u[6] = {1, 2, 3, 4, 5, 6};
    nc_put_var_short(nc, vh, h);
    nc_put_var_float(nc, vu, u);
    const short g[6] = {0, 100, 400, 401, 600, 7}; /* 1, 2, 5, 5.01, 7, 1.07 */
    nc_put_var_short(nc, vg, g);
    ck_assert_int_eq(nc_close(nc), NC_NOERR);

    fc_err err;
    fc_nc_var v;
    ck_assert_int_eq(nc_open(path, NC_NOWRITE, &nc), NC_NOERR);
    ck_assert_int_eq(fc_nc_find_var(nc, path, "h", 2, 2, &v, &err), FC_OK);
    double d[6];
    float f[6];
    ck_assert_int_eq(fc_nc_get_plane_double(nc, &v, 0, 2, 3, d, &err), FC_OK);
    ck_assert_int_eq(fc_nc_get_plane_float(nc, &v, 0, 2, 3, f, &err), FC_OK);
    for (int k = 0; k < 6; k++) {
        ck_assert_double_eq_tol(d[k], h[k] * 0.01 + 1, 1e-15);
        ck_assert_float_eq_tol(f[k], (float)(h[k] * 0.01 + 1), 1e-6f);
    }
    ck_assert_int_eq(fc_nc_check_units(nc, &v, "m", &err), FC_OK);
    ck_assert_int_eq(fc_nc_check_units(nc, &v, "m s-1", &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "variable 'h' is in 'metres'; flowcast reads it in m s-1"), "%s",
                  err.msg);
    ck_assert_int_eq(fc_nc_find_var(nc, path, "u", 2, 2, &v, &err), FC_OK);
    ck_assert_int_eq(fc_nc_check_units(nc, &v, "m s-1", &err), FC_OK);
    ck_assert_int_eq(fc_nc_check_units(nc, &v, "s-1", &err), FC_EINPUT);
    ck_assert_int_eq(fc_nc_find_var(nc, path, "g", 2, 2, &v, &err), FC_OK);
    ck_assert_int_eq(fc_nc_get_plane_double(nc, &v, 0, 2, 3, d, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "variable 'g' holds 5.01, outside its valid range [-inf, 5] at "
                         "cell (i=0, j=1)"), "%s", err.msg);
    nc_close(nc);

    /* A stored value beyond valid_range is refused by its cell, before unpacking. */
    ck_assert_int_eq(nc_open(path, NC_WRITE, &nc), NC_NOERR);
    const size_t at[2] = {1, 2};
    const short big = 501;
    nc_put_var1_short(nc, vh, at, &big);
    nc_close(nc);
    ck_assert_int_eq(nc_open(path, NC_NOWRITE, &nc), NC_NOERR);
    ck_assert_int_eq(fc_nc_find_var(nc, path, "h", 2, 2, &v, &err), FC_OK);
    ck_assert_int_eq(fc_nc_get_plane_double(nc, &v, 0, 2, 3, d, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "variable 'h' holds 501, outside its valid range [-100, 500] at "
                         "cell (i=2, j=1)"), "%s", err.msg);
    nc_close(nc);
    unlink(path);
}
END_TEST

/* A whole variable of a file (every record), malloc'd, its number of values in *n. */
static double *read_whole(int ncid, const char *var, size_t *n)
{
    int vid, nd, dims[4];
    ck_assert_msg(nc_inq_varid(ncid, var, &vid) == NC_NOERR, "no variable %s", var);
    nc_inq_varndims(ncid, vid, &nd);
    nc_inq_vardimid(ncid, vid, dims);
    *n = 1;
    for (int d = 0; d < nd; d++) {
        size_t len;
        nc_inq_dimlen(ncid, dims[d], &len);
        *n *= len;
    }
    double *v = malloc((*n ? *n : 1) * sizeof *v);
    ck_assert_int_eq(nc_get_var_double(ncid, vid, v), NC_NOERR);
    return v;
}

/* Solvers, their series' interval and a field of their state. */
static const struct {
    const char *name, *text, *field;
    double interval, t_end;
} series_cases[] = {
    {"swe", bump, "h", 0.03, 0.1},
    {"ns2d", "[case]\nsolver = ns2d\n[grid]\nnx = 88\nny = 16\nx_max = 2.2\ny_max = 0.41\n"
             "[time]\nt_end = 0.3\ncfl = 0.8\n[output]\ninterval = 0.1\n[physics]\n"
             "reynolds = 100\nreference_speed = 1\nreference_length = 0.1\n[boundary]\n"
             "west = inflow\neast = open\ninflow_speed = 1\ninflow_period = 16\n[obstacle]\n"
             "shape = circle\nboundary = immersed\ncenter_x = 0.2\ncenter_y = 0.2\nsize = 0.1\n"
             "[initial]\ntype = rest\n",
     "u", 0.02, 0.3},
    {"euler", "[case]\nsolver = euler\n[grid]\nnx = 20\nny = 10\nx_min = -10000\n"
              "x_max = 10000\ny_max = 10000\n[time]\ncfl = 0.9\nt_end = 200\n[output]\n"
              "interval = 100\n[initial]\ntype = bubble\namplitude = 2\ncenter_x = 0\n"
              "center_z = 2000\nradius_x = 2000\nradius_z = 2000\n",
     "rhotheta_prime", 30, 200},
    {"spectral", "[case]\nsolver = spectral\n[grid]\nnx = 16\nny = 16\n"
                 "x_max = 6.283185307179586\ny_max = 6.283185307179586\n[boundary]\n"
                 "west = periodic\neast = periodic\nsouth = periodic\nnorth = periodic\n"
                 "[time]\nt_end = 1\ncfl = 0.8\n[output]\ninterval = 0.5\n[physics]\n"
                 "viscosity = 0.01\n[initial]\ntype = taylor_green\namplitude = 1\n",
     "vorticity", 0.1, 1},
};

/* [output] series_interval: the diagnostics alone, in a CDF-5 file beside the output, at the
 * first state, at the end of the first step to reach each multiple of the interval, and at
 * the last; at a record the record's own values, bit for bit; the steps and records the same
 * bits as without a series; every step with an interval shorter than the steps. */
START_TEST(a_series_samples_the_diagnostics_between_records)
{
    const char *ini = tl_temp_file("series.ini", series_cases[_i].text);
    char plain[4096], with[4096], series[4096], every[4096], buf[4200];
    snprintf(plain, sizeof plain, "%s", tl_temp_path("plain.nc"));
    snprintf(with, sizeof with, "%s", tl_temp_path("with.nc"));
    snprintf(series, sizeof series, "%s", tl_temp_path("with_series.nc"));
    snprintf(every, sizeof every, "%s", tl_temp_path("every"));
    const double dt_sample = series_cases[_i].interval;
    char set[64];
    snprintf(set, sizeof set, "output.series_interval=%.17g", dt_sample);
    const char *sets[] = {set};
    fc_run_opts o = {.case_path = ini, .solvers = fc_solvers(), .device = "cpu",
                     .output = plain, .overwrite = 1, .quiet = 1};
    fc_run_result res;
    fc_err err;
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    o.output = with;
    o.sets = sets;
    o.nsets = 1;
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    const double t_end = series_cases[_i].t_end;

    int a, b, c;
    ck_assert_int_eq(nc_open(plain, NC_NOWRITE, &a), NC_NOERR);
    ck_assert_int_eq(nc_open(with, NC_NOWRITE, &b), NC_NOERR);
    ck_assert_msg(nc_open(series, NC_NOWRITE, &c) == NC_NOERR, "no series file %s", series);
    /* The same steps: the field at every record to the bit. */
    size_t na, nb;
    double *fa = read_whole(a, series_cases[_i].field, &na),
           *fb = read_whole(b, series_cases[_i].field, &nb);
    ck_assert_uint_eq(na, nb);
    ck_assert_msg(!memcmp(fa, fb, na * sizeof *fa), "%s: the series changed the steps",
                  series_cases[_i].name);
    free(fa);
    free(fb);

    /* The series file: CDF-5, no grid, naming the output it samples between. */
    int fmt, dim;
    nc_inq_format(c, &fmt);
    ck_assert_int_eq(fmt, NC_FORMAT_CDF5);
    ck_assert_int_ne(nc_inq_dimid(c, "x", &dim), NC_NOERR);
    text_att(c, NC_GLOBAL, FC_SERIES_OF_ATT, buf, sizeof buf);
    ck_assert_str_eq(buf, with);
    text_att(c, NC_GLOBAL, "Conventions", buf, sizeof buf);
    ck_assert_str_eq(buf, "CF-1.11");

    /* Its times: the first state's, each record's (the series holds every record), and at
     * the end of the first step to reach each multiple of the interval (the step, dt, began
     * before it), no other. */
    size_t n, nd, nrec;
    double *t = read_whole(c, "time", &n), *dt = read_whole(c, "dt", &nd),
           *tr = read_whole(b, "time", &nrec);
    ck_assert_uint_ge(n, 3);
    ck_assert_double_eq(t[0], 0);
    ck_assert_double_eq(t[n - 1], t_end);
    for (size_t k = 1, r = 1; k < n; k++) {
        const double m = floor(t[k] / dt_sample + 1e-9), m_before = floor(t[k - 1] / dt_sample + 1e-9);
        ck_assert_msg(t[k] > t[k - 1], "%s: sample %zu at %g after %g", series_cases[_i].name, k,
                      t[k], t[k - 1]);
        while (r < nrec && tr[r] < t[k])
            r++;
        ck_assert_msg(m > m_before || (r < nrec && tr[r] == t[k]),
                      "%s: sample %zu at %g is neither a record nor past a multiple of %g",
                      series_cases[_i].name, k, t[k], dt_sample);
    }
    for (int m = 1; m * dt_sample <= t_end * (1 + 1e-12); m++) {
        size_t k = 0;
        while (k < n && floor(t[k] / dt_sample + 1e-9) < m)
            k++;
        ck_assert_msg(k < n && floor((t[k] - dt[k]) / dt_sample + 1e-9) < m,
                      "%s: no sample at the first step past %g", series_cases[_i].name,
                      m * dt_sample);
    }

    /* At the records' times the records' diagnostics, bit for bit. */
    int nvars, checked = 0;
    nc_inq_nvars(b, &nvars);
    for (int v = 0; v < nvars; v++) {
        int ndims, dims[4], tdim;
        char name[NC_MAX_NAME + 1];
        nc_inq_var(b, v, name, NULL, &ndims, dims, NULL);
        nc_inq_dimid(b, "time", &tdim);
        if (ndims != 1 || dims[0] != tdim || !strcmp(name, "time"))
            continue;
        size_t nr, ns;
        double *rec = read_whole(b, name, &nr), *smp = read_whole(c, name, &ns);
        ck_assert_uint_eq(ns, n);
        for (size_t r = 0; r < nrec; r++) {
            size_t k = 0;
            while (k < n && t[k] != tr[r])
                k++;
            ck_assert_msg(k < n, "%s: no sample at the record of t = %g", series_cases[_i].name,
                          tr[r]);
            ck_assert_msg(!memcmp(&rec[r], &smp[k], sizeof rec[r]),
                          "%s: %s at t = %g: record %.17g, series %.17g", series_cases[_i].name,
                          name, tr[r], rec[r], smp[k]);
        }
        checked++;
        free(rec);
        free(smp);
    }
    ck_assert_int_ge(checked, 3);
    free(tr);
    free(t);
    free(dt);
    nc_close(a);
    nc_close(b);
    nc_close(c);

    /* Shorter than the steps: every step (and an output without .nc: _series.nc after it). */
    sets[0] = "output.series_interval=1e-9";
    o.output = every;
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    snprintf(buf, sizeof buf, "%s_series.nc", every);
    ck_assert_int_eq(nc_open(buf, NC_NOWRITE, &c), NC_NOERR);
    free(read_whole(c, "time", &n));
    ck_assert_uint_eq(n, (size_t)res.steps + 1);
    nc_close(c);
}
END_TEST

/* What a series may not do: replace a file without -O (neither file is then made, the old one
 * is kept), be the restart file, or serve as one. */
START_TEST(a_series_never_loses_data)
{
    const char *ini = tl_temp_file("bump.ini", bump);
    char out[4096], series[4096], restart[4096];
    snprintf(out, sizeof out, "%s", tl_temp_path("kept.nc"));
    snprintf(series, sizeof series, "%s", tl_temp_file("kept_series.nc", "precious data\n"));
    snprintf(restart, sizeof restart, "%s", tl_temp_path("from.nc"));
    const char *sets[] = {"output.series_interval=0.01"};
    fc_run_opts o = {.case_path = ini, .solvers = fc_solvers(), .device = "cpu", .output = out,
                     .sets = sets, .nsets = 1, .quiet = 1};
    fc_run_result res;
    fc_err err;
    ck_assert_int_eq(fc_run(&o, &res, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "series file") && strstr(err.msg, "kept_series.nc") &&
                      strstr(err.msg, "exists; it is left untouched"), "%s", err.msg);
    ck_assert(!fc_file_exists(out));
    FILE *fp = fopen(series, "r");
    char buf[64] = "";
    ck_assert_ptr_nonnull(fgets(buf, sizeof buf, fp));
    fclose(fp);
    ck_assert_str_eq(buf, "precious data\n");
    /* With -O both are made. */
    o.overwrite = 1;
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    /* A restart from the series is refused, naming the output to restart from. */
    o.restart = series;
    o.output = restart;
    ck_assert_int_eq(fc_run(&o, &res, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "is a series of diagnostics") && strstr(err.msg, out), "%s",
                  err.msg);
    ck_assert(!fc_file_exists(restart));
    /* A restart whose series would replace the restart file itself. */
    snprintf(restart, sizeof restart, "%s", tl_temp_path("kept_series.nc"));
    o.restart = restart;
    o.output = out;
    ck_assert_int_eq(fc_run(&o, &res, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "is the restart file"), "%s", err.msg);
}
END_TEST

Suite *ncio_suite(void)
{
    Suite *s = suite_create("ncio");
    TCase *tc = tcase_create("netcdf");
    tcase_add_test(tc, run_output_follows_cf);
    tcase_add_test(tc, overrides_are_recorded);
    tcase_add_test(tc, variable_list_is_cut_at_names);
    tcase_add_test(tc, round_trip_and_incomplete_record);
    tcase_add_test(tc, regrid_interpolates_bilinearly);
    tcase_add_test(tc, field_file_is_interpolated_by_its_coordinates);
    tcase_add_loop_test(tc, a_file_cut_short_gives_no_zeros, 0, 2); /* CDF-5, NetCDF-4 */
    tcase_add_test(tc, existing_file_is_never_overwritten);
    tcase_add_test(tc, reading_errors_name_file_and_variable);
    tcase_add_test(tc, cf_packing_valid_range_and_units);
    tcase_add_loop_test(tc, a_series_samples_the_diagnostics_between_records, 0,
                        (int)(sizeof series_cases / sizeof series_cases[0]));
    tcase_add_test(tc, a_series_never_loses_data);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
