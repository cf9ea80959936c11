/* test_plot.c: pictures read back: a linear ramp maps to its colour map's colours at the
 * pixels of its cells, the colour bar runs from the low to the high colour, solid, dry and
 * missing cells have their colours, a contour lies at its level, a body's outline lies on its
 * true surface, the same input gives the same
 * bytes; a CF file of our own making (not flowcast's) is read with its coordinates, times and
 * fill values, and every shape it cannot draw is refused; a GIF film has every frame. */
#include <fc_build.h>

#include <cairo.h>
#include <float.h>
#include <gif_lib.h>
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/plot/animate.h"
#include "src/plot/figure.h"
#include "src/plot/plot.h"
#include "src/plot/plotdata.h"
#include "tests/suites.h"
#include "tests/testlib.h"

/* The RGB of pixel (x, y). */
static void pixel(fc_picture *pic, double x, double y, unsigned char rgb[3])
{
    int stride;
    const unsigned char *px = fc_picture_pixels(pic, &stride);
    const uint32_t p = ((const uint32_t *)(px + (size_t)lround(floor(y)) * stride))[lround(floor(x))];
    rgb[0] = p >> 16 & 255, rgb[1] = p >> 8 & 255, rgb[2] = p & 255;
}

static int close_rgb(const unsigned char a[3], const unsigned char b[3], int tol)
{
    return abs(a[0] - b[0]) <= tol && abs(a[1] - b[1]) <= tol && abs(a[2] - b[2]) <= tol;
}

#define NX 64
#define NY 16

/* A ramp f = (i + 0.5) / NX along x on unit cells, drawn in [0, 1]. */
typedef struct ramp {
    double f[NX * NY], x[NX], y[NY];
    unsigned char kind[NX * NY];
    fc_map m;
} ramp;

static void ramp_init(ramp *r)
{
    for (int i = 0; i < NX; i++)
        r->x[i] = i + 0.5;
    for (int j = 0; j < NY; j++)
        r->y[j] = j + 0.5;
    for (int j = 0; j < NY; j++)
        for (int i = 0; i < NX; i++)
            r->f[j * NX + i] = (i + 0.5) / NX;
    memset(r->kind, FC_CELL_DATA, sizeof r->kind);
    r->m = (fc_map){.f = r->f, .nx = NX, .ny = NY, .x = r->x, .y = r->y, .kind = r->kind,
                    .title = "ramp", .xlabel = "x (m)", .ylabel = "y (m)", .bar_label = "1",
                    .equal_aspect = 0, .cmap = fc_cmap_find("viridis"), .lo = 0, .hi = 1};
}

static fc_picture *draw(const fc_map *m, fc_map_frame *frame)
{
    int w, h;
    fc_map_size(m, 1, 900, 0, &w, &h);
    fc_picture *pic;
    fc_err err;
    ck_assert_msg(fc_picture_new(w, h, &pic, &err) == FC_OK, "%s", err.msg);
    ck_assert_msg(fc_map_draw(pic, m, 1, frame, &err) == FC_OK, "%s", err.msg);
    return pic;
}

/* The centre of cell (i, j) in pixels. */
static void cell_px(const fc_map_frame *fr, int i, int j, double *x, double *y)
{
    *x = fr->plot[0] + (i + 0.5) * fr->plot[2] / NX;
    *y = fr->plot[1] + fr->plot[3] - (j + 0.5) * fr->plot[3] / NY;
}

START_TEST(ramp_maps_to_its_colours)
{
    ramp r;
    ramp_init(&r);
    fc_map_frame fr;
    fc_picture *pic = draw(&r.m, &fr);
    ck_assert_int_eq(fc_picture_width(pic), 900);
    ck_assert_int_gt(fc_picture_height(pic), 200);
    for (int i = 0; i < NX; i++) {
        unsigned char want[3], got[3];
        double x, y;
        cell_px(&fr, i, NY / 2, &x, &y);
        pixel(pic, x, y, got);
        fc_cmap_color(r.m.cmap, r.f[i], want);
        ck_assert_msg(close_rgb(got, want, 0), "cell %d: pixel %d %d %d, colour map %d %d %d", i,
                      got[0], got[1], got[2], want[0], want[1], want[2]);
    }
    /* The colour bar: the high colour at its top, the low at its bottom, in between rising. */
    unsigned char top[3], bottom[3], mid[3], want[3];
    const double bx = fr.bar[0] + fr.bar[2] / 2;
    pixel(pic, bx, fr.bar[1] + 2, top);
    pixel(pic, bx, fr.bar[1] + fr.bar[3] - 2, bottom);
    pixel(pic, bx, fr.bar[1] + fr.bar[3] / 2, mid);
    fc_cmap_color(r.m.cmap, 1, want);
    ck_assert_msg(close_rgb(top, want, 6), "bar top %d %d %d", top[0], top[1], top[2]);
    fc_cmap_color(r.m.cmap, 0, want);
    ck_assert_msg(close_rgb(bottom, want, 6), "bar bottom %d %d %d", bottom[0], bottom[1], bottom[2]);
    fc_cmap_color(r.m.cmap, 0.5, want);
    ck_assert_msg(close_rgb(mid, want, 6), "bar middle %d %d %d", mid[0], mid[1], mid[2]);
    /* Outside the plot and the bar: white margins, black text somewhere. */
    unsigned char corner[3];
    pixel(pic, 1, 1, corner);
    const unsigned char white[3] = {255, 255, 255};
    ck_assert(close_rgb(corner, white, 0));
    fc_picture_free(pic);
}
END_TEST

START_TEST(diverging_map_is_white_at_zero)
{
    ramp r;
    ramp_init(&r);
    for (int k = 0; k < NX * NY; k++)
        r.f[k] = 2 * r.f[k] - 1; /* -1 .. 1 */
    const fc_figure_opts none = {0};
    fc_err err;
    ck_assert_int_eq(fc_figure_colors(&none, -1, 1, &r.m.cmap, &r.m.lo, &r.m.hi, &err), FC_OK);
    ck_assert_str_eq(r.m.cmap->name, "rdbu");
    ck_assert(r.m.lo == -1 && r.m.hi == 1);
    /* One-signed data, or signed by a trace: sequential. */
    const fc_cmap *c;
    double lo, hi;
    ck_assert_int_eq(fc_figure_colors(&none, -1e-5, 2, &c, &lo, &hi, &err), FC_OK);
    ck_assert_str_eq(c->name, "viridis");
    ck_assert(lo == -1e-5 && hi == 2);
    ck_assert_int_eq(fc_figure_colors(&none, -3, 0.5, &c, &lo, &hi, &err), FC_OK);
    ck_assert(!strcmp(c->name, "rdbu") && lo == -3 && hi == 3);
    const fc_figure_opts bad = {.cmap = "jet"};
    ck_assert_int_eq(fc_figure_colors(&bad, 0, 1, &c, &lo, &hi, &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "viridis"));
    fc_map_frame fr;
    fc_picture *pic = draw(&r.m, &fr);
    unsigned char got[3], neg[3], pos[3];
    double x, y;
    cell_px(&fr, NX / 2, 3, &x, &y);
    pixel(pic, x - fr.plot[2] / NX / 2 - 0.01, y, got); /* f = 0 lies on the edge of cell 32 */
    cell_px(&fr, 0, 3, &x, &y);
    pixel(pic, x, y, neg);
    cell_px(&fr, NX - 1, 3, &x, &y);
    pixel(pic, x, y, pos);
    ck_assert_msg(got[0] > 200 && got[1] > 200 && got[2] > 200, "near zero %d %d %d", got[0],
                  got[1], got[2]);
    ck_assert_msg(neg[2] > neg[0] && pos[0] > pos[2], "blue for negative, red for positive");
    fc_picture_free(pic);
}
END_TEST

/* A field that differs from 1 by round-off (a lake's surface at rest) cannot be labelled on a
 * colour bar (1 - 2e-16 and 1 + 2e-16 both print as 1.0000000000000000): it is drawn as its
 * departure from the roundest value in its range, here 1, with both ends of the colour map
 * used. Fields that vary are drawn as they are. */
START_TEST(a_field_constant_to_round_off_is_drawn_as_its_departure)
{
    ck_assert(fc_figure_base(1 - 4 * DBL_EPSILON, 1 + 2 * DBL_EPSILON) == 1);
    ck_assert(fc_figure_base(1, 1 + 3 * DBL_EPSILON) == 1);
    ck_assert(fc_figure_base(0.99371681469, 0.99371681471) == 0.9937168147);
    ck_assert(fc_figure_base(100000, 100010) == 100000);
    ck_assert(fc_figure_base(-250.0004, -250.0001) == -250.0002);
    ck_assert(fc_figure_base(0.5, 1) == 0);        /* varies */
    ck_assert(fc_figure_base(300, 300.5) == 0);    /* by more than 1e-3 of itself */
    ck_assert(fc_figure_base(-1e-20, 1e-20) == 0); /* about zero: as it is */
    ck_assert(fc_figure_base(2, 2) == 0);          /* constant: a range around it */
    ck_assert(fc_figure_base(NAN, NAN) == 0);
    /* Drawn: a ramp of 1 + k ulp along x uses the colour map from end to end. */
    const char *path = tl_temp_path("flat.nc");
    int ncid, dy, dx, vy, vx, vf;
    ck_assert_int_eq(nc_create(path, NC_CLOBBER | NC_NETCDF4, &ncid), NC_NOERR);
    nc_def_dim(ncid, "y", NY, &dy);
    nc_def_dim(ncid, "x", NX, &dx);
    nc_def_var(ncid, "y", NC_DOUBLE, 1, &dy, &vy);
    nc_def_var(ncid, "x", NC_DOUBLE, 1, &dx, &vx);
    const int d2[2] = {dy, dx};
    nc_def_var(ncid, "eta", NC_DOUBLE, 2, d2, &vf);
    nc_put_att_text(ncid, vf, "units", 1, "m");
    nc_enddef(ncid);
    double c[NX], f[NX * NY];
    for (int i = 0; i < NX; i++)
        c[i] = i;
    for (int k = 0; k < NX * NY; k++)
        f[k] = 1 + (k % NX) * DBL_EPSILON;
    nc_put_var_double(ncid, vx, c);
    nc_put_var_double(ncid, vy, c);
    nc_put_var_double(ncid, vf, f);
    ck_assert_int_eq(nc_close(ncid), NC_NOERR);
    fc_plotdata d;
    fc_err err;
    ck_assert_msg(fc_pd_open(&d, path, "eta", &err) == FC_OK, "%s", err.msg);
    const fc_figure_opts none = {0};
    fc_picture *pic;
    ck_assert_msg(fc_figure_field(&d, 0, &none, &pic, &err) == FC_OK, "%s", err.msg);
    unsigned char low[3], high[3];
    fc_cmap_color(fc_cmap_find("viridis"), 0, low);
    fc_cmap_color(fc_cmap_find("viridis"), 1, high);
    /* Pixels of each end: the colour bar has a few rows of each, a column of cells hundreds. */
    int n_low = 0, n_high = 0;
    for (int y = 0; y < fc_picture_height(pic); y++)
        for (int x = 0; x < fc_picture_width(pic); x++) {
            unsigned char px[3];
            pixel(pic, x, y, px);
            n_low += close_rgb(px, low, 2), n_high += close_rgb(px, high, 2);
        }
    ck_assert_msg(n_low > 500 && n_high > 500, "pixels of the map's ends: low %d, high %d", n_low,
                  n_high);
    fc_picture_free(pic);
    fc_pd_close(&d);
}
END_TEST

START_TEST(stretched_grid_cells_where_they_lie)
{
    ramp r;
    ramp_init(&r);
    for (int i = 0; i < NX; i++) /* cells that widen eastwards: x = (i + 0.5)^2 / 8 */
        r.x[i] = (i + 0.5) * (i + 0.5) / 8;
    fc_map_frame fr;
    fc_picture *pic = draw(&r.m, &fr);
    const double xlo = r.x[0] - (r.x[1] - r.x[0]) / 2;
    const double xhi = r.x[NX - 1] + (r.x[NX - 1] - r.x[NX - 2]) / 2;
    int checked = 0;
    for (int i = 1; i < NX - 1; i++) {
        const double e0 = (r.x[i - 1] + r.x[i]) / 2, e1 = (r.x[i] + r.x[i + 1]) / 2;
        const double p0 = fr.plot[0] + (e0 - xlo) / (xhi - xlo) * fr.plot[2];
        const double p1 = fr.plot[0] + (e1 - xlo) / (xhi - xlo) * fr.plot[2];
        if (p1 - p0 < 4)
            continue; /* narrower than a few pixels: filtered */
        unsigned char want[3], got[3];
        double x, y;
        cell_px(&fr, i, NY / 2, &x, &y);
        pixel(pic, (p0 + p1) / 2, y, got);
        fc_cmap_color(r.m.cmap, r.f[i], want);
        ck_assert_msg(close_rgb(got, want, 0), "cell %d (pixels %.1f-%.1f): %d %d %d, want %d %d %d",
                      i, p0, p1, got[0], got[1], got[2], want[0], want[1], want[2]);
        checked++;
    }
    ck_assert_int_gt(checked, 30);
    fc_picture_free(pic);
}
END_TEST

START_TEST(solid_dry_and_missing_cells)
{
    ramp r;
    ramp_init(&r);
    r.kind[2 * NX + 5] = FC_CELL_SOLID;
    r.kind[4 * NX + 9] = FC_CELL_DRY;
    r.f[6 * NX + 20] = NAN;
    fc_map_frame fr;
    fc_picture *pic = draw(&r.m, &fr);
    static const struct {
        int i, j;
        unsigned char rgb[3];
    } cells[3] = {{5, 2, {128, 128, 128}}, {9, 4, {204, 181, 140}}, {20, 6, {224, 224, 224}}};
    for (int k = 0; k < 3; k++) {
        unsigned char got[3];
        double x, y;
        cell_px(&fr, cells[k].i, cells[k].j, &x, &y);
        pixel(pic, x, y, got);
        ck_assert_msg(close_rgb(got, cells[k].rgb, 0), "cell %d: %d %d %d", k, got[0], got[1],
                      got[2]);
    }
    fc_picture_free(pic);
}
END_TEST

START_TEST(contour_lies_at_its_level)
{
    ramp r;
    ramp_init(&r);
    r.m.contours = 1; /* the level 0.5: at x = 32, the middle of the plot */
    fc_map_frame fr;
    fc_picture *pic = draw(&r.m, &fr);
    const double xc = fr.plot[0] + fr.plot[2] / 2;
    int dark = 0;
    for (int j = 1; j < NY - 1; j++) {
        double x, y;
        cell_px(&fr, 0, j, &x, &y);
        unsigned char on[3], off[3];
        pixel(pic, xc, y, on);
        pixel(pic, xc + fr.plot[2] / NX * 3, y, off);
        dark += on[0] + on[1] + on[2] < 0.7 * (off[0] + off[1] + off[2]);
    }
    ck_assert_int_eq(dark, NY - 2);
    fc_picture_free(pic);
}
END_TEST

/* The darkest pixel (sum of r, g, b) within 1.5 pixels of (x, y). */
static int darkest_near(fc_picture *pic, double x, double y)
{
    int best = 3 * 255;
    for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++) {
            unsigned char c[3];
            pixel(pic, x + dx, y + dy, c);
            best = c[0] + c[1] + c[2] < best ? c[0] + c[1] + c[2] : best;
        }
    return best;
}

START_TEST(body_outline_is_the_true_surface)
{
    /* A circle of radius 4.3 cells about (20, 8), given by its signed distance: the line must
     * run on the circle, between cell centres, not along the cells' staircase. */
    ramp r;
    ramp_init(&r);
    double dist[NX * NY];
    const double xc = 20, yc = 8, radius = 4.3;
    for (int j = 0; j < NY; j++)
        for (int i = 0; i < NX; i++) {
            dist[j * NX + i] = hypot(r.x[i] - xc, r.y[j] - yc) - radius;
            if (dist[j * NX + i] < 0)
                r.kind[j * NX + i] = FC_CELL_SOLID;
        }
    r.m.body = dist;
    fc_map_frame fr;
    fc_picture *pic = draw(&r.m, &fr);
    const double sx = fr.plot[2] / NX, sy = fr.plot[3] / NY; /* pixels per cell */
    for (int a = 0; a < 12; a++) {
        const double th = a * M_PI / 6, c = cos(th), s = sin(th);
        const double on = darkest_near(pic, fr.plot[0] + (xc + radius * c) * sx,
                                       fr.plot[1] + fr.plot[3] - (yc + radius * s) * sy);
        const double in = darkest_near(pic, fr.plot[0] + (xc + (radius - 1.5) * c) * sx,
                                       fr.plot[1] + fr.plot[3] - (yc + (radius - 1.5) * s) * sy);
        const double out = darkest_near(pic, fr.plot[0] + (xc + (radius + 1.5) * c) * sx,
                                        fr.plot[1] + fr.plot[3] - (yc + (radius + 1.5) * s) * sy);
        ck_assert_msg(on < 150 && in > 300 && out > 150,
                      "%d degrees: darkest r+g+b %g on the circle, %g inside, %g outside", 30 * a,
                      on, in, out);
    }
    fc_picture_free(pic);
}
END_TEST

/* A CF file written here, not by flowcast: temp(time, y, x) a ramp with one fill value, times
 * 0, 10, 20 s, coordinates in m; energy(time); spec(time, k); xonly(x) (a profile on x);
 * four(time, z, y, x). */
static const char *cf_file(void)
{
    const char *path = tl_temp_path("cf.nc");
    int ncid, dt, dy, dx, dk, dz, vt, vy, vx, vk, vtemp, ve, vs, vo, v4;
    ck_assert_int_eq(nc_create(path, NC_CLOBBER | NC_NETCDF4, &ncid), NC_NOERR);
    nc_def_dim(ncid, "time", NC_UNLIMITED, &dt);
    nc_def_dim(ncid, "y", NY, &dy);
    nc_def_dim(ncid, "x", NX, &dx);
    nc_def_dim(ncid, "k", 8, &dk);
    nc_def_dim(ncid, "z", 2, &dz);
    nc_def_var(ncid, "time", NC_DOUBLE, 1, &dt, &vt);
    nc_put_att_text(ncid, vt, "units", 33, "seconds since 2020-06-01 00:00:00");
    nc_def_var(ncid, "y", NC_DOUBLE, 1, &dy, &vy);
    nc_put_att_text(ncid, vy, "units", 1, "m");
    nc_def_var(ncid, "x", NC_DOUBLE, 1, &dx, &vx);
    nc_put_att_text(ncid, vx, "units", 1, "m");
    nc_def_var(ncid, "k", NC_DOUBLE, 1, &dk, &vk);
    const int d3[3] = {dt, dy, dx}, d2[2] = {dt, dk}, d4[4] = {dt, dz, dy, dx};
    nc_def_var(ncid, "temp", NC_FLOAT, 3, d3, &vtemp);
    nc_put_att_text(ncid, vtemp, "long_name", 11, "temperature");
    nc_put_att_text(ncid, vtemp, "units", 1, "K");
    const float fill = -999;
    nc_put_att_float(ncid, vtemp, "_FillValue", NC_FLOAT, 1, &fill);
    nc_def_var(ncid, "energy", NC_DOUBLE, 1, &dt, &ve);
    nc_def_var(ncid, "spec", NC_DOUBLE, 2, d2, &vs);
    nc_def_var(ncid, "xonly", NC_DOUBLE, 1, &dx, &vo);
    nc_def_var(ncid, "four", NC_DOUBLE, 4, d4, &v4);
    nc_enddef(ncid);
    double c[NX];
    for (int i = 0; i < NX; i++)
        c[i] = 100.0 * i;
    nc_put_var_double(ncid, vx, c);
    nc_put_var_double(ncid, vy, c);
    nc_put_var_double(ncid, vk, c + 1);
    for (size_t r = 0; r < 3; r++) {
        float f[NX * NY];
        for (int k = 0; k < NX * NY; k++)
            f[k] = (float)(k % NX) + 100 * (float)r;
        f[3] = fill;
        const size_t start[3] = {r, 0, 0}, count[3] = {1, NY, NX}, s2[2] = {r, 0}, c2[2] = {1, 8};
        nc_put_vara_float(ncid, vtemp, start, count, f);
        const double t = 10.0 * r, e = 1 + r, sp[8] = {1, 0.5, 0.25, 0.1, 0.05, 0.02, 0.01, 0.005};
        nc_put_vara_double(ncid, vt, &start[0], &count[0], &t);
        nc_put_vara_double(ncid, ve, &start[0], &count[0], &e);
        nc_put_vara_double(ncid, vs, s2, c2, sp);
    }
    nc_put_var_double(ncid, vo, c);
    ck_assert_int_eq(nc_close(ncid), NC_NOERR);
    return path;
}

static size_t file_bytes(const char *path, unsigned char **data)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    const long n = ftell(f);
    rewind(f);
    *data = malloc((size_t)n);
    ck_assert_int_eq(fread(*data, 1, (size_t)n, f), n);
    fclose(f);
    return (size_t)n;
}

START_TEST(reads_any_cf_file)
{
    const char *path = cf_file();
    fc_plotdata d;
    fc_err err;
    ck_assert_msg(fc_pd_open(&d, path, "temp", &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(d.shape, FC_PD_FIELD);
    ck_assert_uint_eq(d.nrec, 3);
    ck_assert_uint_eq(d.x.n, NX);
    ck_assert_str_eq(d.x.label, "x (m)"); /* 6.3 km: metres kept */
    ck_assert_str_eq(d.long_name, "temperature");
    size_t rec;
    ck_assert_int_eq(fc_pd_record(&d, "last", &rec, &err), FC_OK);
    ck_assert_uint_eq(rec, 2);
    ck_assert_int_eq(fc_pd_record(&d, "first", &rec, &err), FC_OK);
    ck_assert_uint_eq(rec, 0);
    ck_assert_int_eq(fc_pd_record(&d, "14", &rec, &err), FC_OK);
    ck_assert_uint_eq(rec, 1);
    ck_assert_int_eq(fc_pd_record(&d, "16", &rec, &err), FC_OK);
    ck_assert_uint_eq(rec, 2);
    ck_assert_int_eq(fc_pd_record(&d, "40", &rec, &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "out of range"));
    ck_assert_int_eq(fc_pd_record(&d, "soon", &rec, &err), FC_EINPUT);
    char when[96];
    fc_pd_time_text(&d, 1, when, sizeof when);
    ck_assert_str_eq(when, "2020-06-01 00:00 UTC"); /* 10 s after midnight */
    double f[NX * NY];
    ck_assert_int_eq(fc_pd_read(&d, 1, f, &err), FC_OK);
    ck_assert(isnan(f[3]));
    ck_assert(f[4] == 104);
    /* The same input gives the same bytes. */
    const char *a = tl_temp_path("a.png"), *b = tl_temp_path("b.png");
    const fc_figure_opts o = {.contours = 5};
    for (int k = 0; k < 2; k++) {
        fc_picture *pic;
        ck_assert_msg(fc_figure_field(&d, 1, &o, &pic, &err) == FC_OK, "%s", err.msg);
        ck_assert_msg(fc_picture_write_png(pic, k ? b : a, &err) == FC_OK, "%s", err.msg);
        fc_picture_free(pic);
    }
    unsigned char *da, *db;
    const size_t na = file_bytes(a, &da), nb = file_bytes(b, &db);
    ck_assert_uint_eq(na, nb);
    ck_assert(memcmp(da, db, na) == 0);
    free(da);
    free(db);
    /* Read back by cairo: a PNG of the size drawn. */
    cairo_surface_t *s = cairo_image_surface_create_from_png(a);
    ck_assert_int_eq(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    ck_assert_int_eq(cairo_image_surface_get_width(s), 900);
    cairo_surface_destroy(s);
    struct stat sb;
    ck_assert_int_eq(stat(a, &sb), 0);
    ck_assert_msg((sb.st_mode & 0044) == 0044, "the picture is readable by others (mode %o)",
                  (unsigned)sb.st_mode & 0777);
    fc_pd_close(&d);

    ck_assert_int_eq(fc_pd_open(&d, path, "energy", &err), FC_OK);
    ck_assert_int_eq(d.shape, FC_PD_SERIES);
    fc_picture *pic;
    ck_assert_msg(fc_figure_series(&d, &o, &pic, &err) == FC_OK, "%s", err.msg);
    fc_picture_free(pic);
    fc_pd_close(&d);
    ck_assert_int_eq(fc_pd_open(&d, path, "spec", &err), FC_OK);
    ck_assert_int_eq(d.shape, FC_PD_PROFILE);
    ck_assert_msg(fc_figure_profile(&d, 0, 1, &o, &pic, &err) == FC_OK, "%s", err.msg);
    fc_picture_free(pic);
    fc_pd_close(&d);
    /* A 1-D variable on another dimension: a profile against that dimension's coordinate. */
    ck_assert_int_eq(fc_pd_open(&d, path, "xonly", &err), FC_OK);
    ck_assert_int_eq(d.shape, FC_PD_PROFILE);
    ck_assert_int_eq(d.has_time, 0);
    ck_assert_str_eq(d.x.label, "x (m)");
    ck_assert_int_eq(fc_pd_record(&d, "5", &rec, &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "no time dimension"));
    ck_assert_msg(fc_figure_profile(&d, 0, 0, &o, &pic, &err) == FC_OK, "%s", err.msg);
    fc_picture_free(pic);
    fc_pd_close(&d);
    /* The default variable: the first field. */
    ck_assert_int_eq(fc_pd_open(&d, path, NULL, &err), FC_OK);
    ck_assert_str_eq(d.name, "temp");
    fc_pd_close(&d);
}
END_TEST

/* Packed data, as ERA5 and most reanalyses ship it (CF 8.1): shorts that scale_factor and
 * add_offset unpack, read back unpacked; a fill value, a stored value outside valid_range and a
 * float just inside its valid_min are told apart; the time coordinate is packed too. */
START_TEST(packed_values_are_unpacked)
{
    const char *path = tl_temp_path("packed.nc");
    int ncid, dt, dy, dx, vt, vp, vf;
    ck_assert_int_eq(nc_create(path, NC_CLOBBER, &ncid), NC_NOERR);
    nc_def_dim(ncid, "time", NC_UNLIMITED, &dt);
    nc_def_dim(ncid, "y", 2, &dy);
    nc_def_dim(ncid, "x", 3, &dx);
    nc_def_var(ncid, "time", NC_SHORT, 1, &dt, &vt);
    nc_put_att_text(ncid, vt, "units", 33, "seconds since 2020-06-01 00:00:00");
    const double minute = 60, zero = 0;
    nc_put_att_double(ncid, vt, "scale_factor", NC_DOUBLE, 1, &minute);
    nc_put_att_double(ncid, vt, "add_offset", NC_DOUBLE, 1, &zero);
    const int d3[3] = {dt, dy, dx}, d2[2] = {dy, dx};
    nc_def_var(ncid, "t2m", NC_SHORT, 3, d3, &vp);
    const short fill = -32767, range[2] = {-100, 100};
    const double scale = 0.5, offset = 250;
    nc_put_att_short(ncid, vp, "_FillValue", NC_SHORT, 1, &fill);
    nc_put_att_short(ncid, vp, "valid_range", NC_SHORT, 2, range);
    nc_put_att_double(ncid, vp, "scale_factor", NC_DOUBLE, 1, &scale);
    nc_put_att_double(ncid, vp, "add_offset", NC_DOUBLE, 1, &offset);
    nc_put_att_text(ncid, vp, "units", 1, "K");
    nc_def_var(ncid, "frac", NC_FLOAT, 2, d2, &vf);
    const double low = 0.95; /* a double bound on floats, as files in the wild have it */
    nc_put_att_double(ncid, vf, "valid_min", NC_DOUBLE, 1, &low);
    nc_enddef(ncid);
    const short times[2] = {0, 90}, stored[6] = {-100, 0, 100, fill, 101, 7};
    const float frac[6] = {0.95f, 1, 0.9f, 1, 1, 1};
    for (size_t r = 0; r < 2; r++) {
        const size_t start[3] = {r, 0, 0}, count[3] = {1, 2, 3};
        nc_put_vara_short(ncid, vt, start, count, &times[r]);
        nc_put_vara_short(ncid, vp, start, count, stored);
    }
    nc_put_var_float(ncid, vf, frac);
    ck_assert_int_eq(nc_close(ncid), NC_NOERR);

    fc_plotdata d;
    fc_err err;
    ck_assert_msg(fc_pd_open(&d, path, "t2m", &err) == FC_OK, "%s", err.msg);
    ck_assert_uint_eq(d.nrec, 2);
    char when[96];
    fc_pd_time_text(&d, 1, when, sizeof when);
    ck_assert_str_eq(when, "2020-06-01 01:30 UTC"); /* 90 packed minutes */
    double f[6];
    ck_assert_int_eq(fc_pd_read(&d, 1, f, &err), FC_OK);
    ck_assert(f[0] == 200 && f[1] == 250 && f[2] == 300 && f[5] == 253.5);
    ck_assert(isnan(f[3]) && isnan(f[4])); /* the fill value; 101 beyond valid_range */
    fc_pd_close(&d);
    ck_assert_msg(fc_pd_open(&d, path, "frac", &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(fc_pd_read(&d, 0, f, &err), FC_OK);
    ck_assert(f[0] == 0.95f && isnan(f[2]) && f[1] == 1);
    fc_pd_close(&d);
}
END_TEST

/* A GIF read whole by giflib (closed by the caller). */
static GifFileType *read_gif(const char *path)
{
    int gerr;
    GifFileType *g = DGifOpenFileName(path, &gerr);
    ck_assert_msg(g != NULL, "%s: %s", path, GifErrorString(gerr));
    ck_assert_int_eq(DGifSlurp(g), GIF_OK);
    return g;
}

/* A 1-D run's field, one cell wide, is a line along its long axis: row(time, y=1, x) against x,
 * col(y, x=1) against y; what only a map can show is refused. */
START_TEST(a_field_one_cell_wide_is_a_line)
{
    const char *path = tl_temp_path("thin.nc");
    int ncid, dt, dy, dx, dw, vt, vx, vy, vr, vc;
    ck_assert_int_eq(nc_create(path, NC_CLOBBER, &ncid), NC_NOERR);
    nc_def_dim(ncid, "time", NC_UNLIMITED, &dt);
    nc_def_dim(ncid, "y", 1, &dy);
    nc_def_dim(ncid, "x", 5, &dx);
    nc_def_dim(ncid, "w", 1, &dw);
    nc_def_var(ncid, "time", NC_DOUBLE, 1, &dt, &vt);
    nc_def_var(ncid, "x", NC_DOUBLE, 1, &dx, &vx);
    nc_def_var(ncid, "y", NC_DOUBLE, 1, &dy, &vy);
    nc_put_att_text(ncid, vx, "units", 1, "m");
    const int d3[3] = {dt, dy, dx}, d2[2] = {dx, dw};
    nc_def_var(ncid, "row", NC_DOUBLE, 3, d3, &vr);
    nc_def_var(ncid, "col", NC_DOUBLE, 2, d2, &vc);
    nc_enddef(ncid);
    const double x[5] = {-2, -1, 0, 1, 2}, y = 0.5, vals[5] = {5, 4, 3, 2, 1};
    nc_put_var_double(ncid, vx, x);
    nc_put_var_double(ncid, vy, &y);
    for (size_t r = 0; r < 2; r++) {
        const size_t start[3] = {r, 0, 0}, count[3] = {1, 1, 5};
        const double t = (double)r;
        nc_put_vara_double(ncid, vt, start, count, &t);
        nc_put_vara_double(ncid, vr, start, count, vals);
    }
    nc_put_var_double(ncid, vc, vals);
    ck_assert_int_eq(nc_close(ncid), NC_NOERR);

    fc_plotdata d;
    fc_err err;
    double f[5];
    ck_assert_msg(fc_pd_open(&d, path, "row", &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(d.shape, FC_PD_PROFILE);
    ck_assert_uint_eq(d.x.n, 5);
    ck_assert_str_eq(d.x.name, "x");
    ck_assert(d.x.c[0] == -2 && d.x.c[4] == 2);
    ck_assert_int_eq(fc_pd_read(&d, 1, f, &err), FC_OK);
    ck_assert(f[0] == 5 && f[4] == 1);
    fc_picture *pic;
    const fc_figure_opts o = {0};
    ck_assert_msg(fc_figure_profile(&d, 0, 1, &o, &pic, &err) == FC_OK, "%s", err.msg);
    fc_picture_free(pic);
    /* A film of it: one line per frame on one y axis, the values' range and 5 % more. */
    double lo, hi;
    ck_assert_int_eq(fc_figure_profile_range(&d, &lo, &hi, &err), FC_OK);
    ck_assert_double_eq_tol(lo, 0.8, 1e-12);
    ck_assert_double_eq_tol(hi, 5.2, 1e-12);
    const char *gif = tl_temp_path("thin.gif");
    fc_anim_opts ao = {.output = gif, .format = FC_ANIM_GIF, .fps = 5};
    ck_assert_msg(fc_animate(&d, &ao, &err) == FC_OK, "%s", err.msg);
    GifFileType *g = read_gif(gif);
    ck_assert_int_eq(g->ImageCount, 2);
    DGifCloseFile(g, NULL);
    fc_anim_opts contours = {.output = tl_temp_path("thin2.gif"), .format = FC_ANIM_GIF,
                             .fps = 5, .fig = {.contours = 3}};
    ck_assert_int_eq(fc_animate(&d, &contours, &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "drawn as a line; --contours is for fields"));
    fc_pd_close(&d);
    ck_assert_msg(fc_pd_open(&d, path, "col", &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(d.shape, FC_PD_PROFILE);
    ck_assert_str_eq(d.x.name, "x"); /* col is on (x, w): its long axis is x, its first */
    ck_assert_uint_eq(d.x.n, 5);
    ck_assert_int_eq(fc_pd_read(&d, 0, f, &err), FC_OK);
    ck_assert(f[1] == 4);
    fc_pd_close(&d);
}
END_TEST

/* WRF's output: a Time dimension without a coordinate, whose times are XTIME's (minutes since
 * the start), and a description instead of a long name; without XTIME, the record's number;
 * a standard name stands in for a missing long name in words. */
START_TEST(wrf_times_and_descriptions)
{
    for (int with_xtime = 1; with_xtime >= 0; with_xtime--) {
        const char *path = tl_temp_path("wrf.nc");
        int ncid, dt, dy, dx, vt, v2, vs;
        ck_assert_int_eq(nc_create(path, NC_CLOBBER, &ncid), NC_NOERR);
        nc_def_dim(ncid, "Time", NC_UNLIMITED, &dt);
        nc_def_dim(ncid, "south_north", 2, &dy);
        nc_def_dim(ncid, "west_east", 3, &dx);
        if (with_xtime) {
            nc_def_var(ncid, "XTIME", NC_FLOAT, 1, &dt, &vt);
            nc_put_att_text(ncid, vt, "units", 33, "minutes since 2020-01-01 00:00:00");
        }
        const int d3[3] = {dt, dy, dx};
        nc_def_var(ncid, "T2", NC_FLOAT, 3, d3, &v2);
        nc_put_att_text(ncid, v2, "description", 11, "TEMP at 2 M");
        nc_def_var(ncid, "SST", NC_FLOAT, 3, d3, &vs);
        nc_put_att_text(ncid, vs, "standard_name", 23, "sea_surface_temperature");
        nc_enddef(ncid);
        const float f[6] = {280, 281, 282, 283, 284, 285};
        for (size_t r = 0; r < 2; r++) {
            const size_t start[3] = {r, 0, 0}, count[3] = {1, 2, 3};
            const float minutes = 90.0f * (float)r;
            if (with_xtime)
                nc_put_vara_float(ncid, vt, start, count, &minutes);
            nc_put_vara_float(ncid, v2, start, count, f);
            nc_put_vara_float(ncid, vs, start, count, f);
        }
        ck_assert_int_eq(nc_close(ncid), NC_NOERR);

        fc_plotdata d;
        fc_err err;
        char when[96];
        ck_assert_msg(fc_pd_open(&d, path, "T2", &err) == FC_OK, "%s", err.msg);
        ck_assert_int_eq(d.shape, FC_PD_FIELD);
        ck_assert_uint_eq(d.nrec, 2);
        ck_assert_str_eq(d.long_name, "TEMP at 2 M");
        fc_pd_time_text(&d, 1, when, sizeof when);
        ck_assert_str_eq(when, with_xtime ? "2020-01-01 01:30 UTC" : "record 2 of 2");
        size_t rec;
        if (with_xtime) {
            ck_assert_int_eq(fc_pd_record(&d, "80", &rec, &err), FC_OK);
            ck_assert_uint_eq(rec, 1);
        }
        fc_pd_close(&d);
        ck_assert_msg(fc_pd_open(&d, path, "SST", &err) == FC_OK, "%s", err.msg);
        ck_assert_str_eq(d.long_name, "sea surface temperature");
        fc_pd_close(&d);
    }
}
END_TEST

/* A curvilinear grid: the ramp's cells turned by 30 degrees about the origin, drawn as
 * quadrilaterals: each cell's centre has its colour, and the corners of the plot that the
 * turned grid leaves uncovered stay white. */
START_TEST(curvilinear_cells_where_they_lie)
{
    ramp r;
    ramp_init(&r);
    static double cx[NX * NY], cy[NX * NY];
    const double c = cos(M_PI / 6), s = sin(M_PI / 6);
    for (int j = 0; j < NY; j++)
        for (int i = 0; i < NX; i++) {
            cx[j * NX + i] = c * r.x[i] - s * r.y[j];
            cy[j * NX + i] = s * r.x[i] + c * r.y[j];
        }
    r.m.cx = cx, r.m.cy = cy;
    r.m.equal_aspect = 1;
    /* The plot's range: the turned rectangle [0, NX] x [0, NY] (its corners are the cells'
     * outer corners, extrapolated exactly on a uniform grid). */
    const double xlo = -s * NY, xhi = c * NX, ylo = 0, yhi = s * NX + c * NY;
    fc_map_frame fr;
    fc_picture *pic = draw(&r.m, &fr);
    /* The centre and four points 0.3 of a cell from it along the cell's own axes. */
    const double off[5][2] = {{0, 0}, {0.3, 0}, {-0.3, 0}, {0, 0.3}, {0, -0.3}};
    for (int j = 0; j < NY; j++)
        for (int i = 0; i < NX; i++)
            for (int q = 0; q < 5; q++) {
                const double x = cx[j * NX + i] + c * off[q][0] - s * off[q][1];
                const double y = cy[j * NX + i] + s * off[q][0] + c * off[q][1];
                const double px = fr.plot[0] + (x - xlo) / (xhi - xlo) * fr.plot[2];
                const double py = fr.plot[1] + fr.plot[3] - (y - ylo) / (yhi - ylo) * fr.plot[3];
                unsigned char want[3], got[3];
                pixel(pic, px, py, got);
                fc_cmap_color(r.m.cmap, r.f[j * NX + i], want);
                ck_assert_msg(close_rgb(got, want, 0), "cell (%d, %d), point %d, at pixel "
                              "(%.1f, %.1f): %d %d %d, want %d %d %d", i, j, q, px, py, got[0],
                              got[1], got[2], want[0], want[1], want[2]);
            }
    const unsigned char white[3] = {255, 255, 255};
    const double corner[4][2] = {{0.02, 0.02}, {0.98, 0.98}, {0.02, 0.98}, {0.98, 0.02}};
    for (int k = 0; k < 4; k++) {
        unsigned char got[3];
        pixel(pic, fr.plot[0] + corner[k][0] * fr.plot[2], fr.plot[1] + corner[k][1] * fr.plot[3],
              got);
        ck_assert_msg(close_rgb(got, white, 0), "plot corner %d: %d %d %d", k, got[0], got[1],
                      got[2]);
    }
    /* The contour at 0.5 runs along the turned line x' = NX / 2, between cells' centres. */
    r.m.contours = 1;
    fc_picture *lines = draw(&r.m, &fr);
    int dark = 0;
    for (int j = 2; j < NY - 2; j++) {
        int sum[2];
        for (int q = 0; q < 2; q++) {
            const double xr = NX / 2 + 3.0 * q, yr = j + 0.5; /* on the line, 3 cells off */
            const double px = fr.plot[0] + (c * xr - s * yr - xlo) / (xhi - xlo) * fr.plot[2];
            const double py = fr.plot[1] + fr.plot[3] - (s * xr + c * yr - ylo) / (yhi - ylo) *
                                                            fr.plot[3];
            sum[q] = darkest_near(lines, px, py);
        }
        dark += sum[0] < 0.7 * sum[1];
    }
    ck_assert_int_eq(dark, NY - 4);
    fc_picture_free(lines);
    /* Arrows are refused on it, as is a grid one cell across. */
    fc_err err;
    fc_picture *p2;
    ck_assert_int_eq(fc_picture_new(300, 200, &p2, &err), FC_OK);
    fc_map one = r.m;
    one.ny = 1;
    ck_assert_int_eq(fc_map_draw(p2, &one, 1, NULL, &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "a curvilinear map needs 2 x 2 cells or more"));
    /* Centres all on one line of latitude span no area. */
    static double flat[NX * NY];
    for (int k = 0; k < NX * NY; k++)
        flat[k] = 45;
    fc_map line = r.m;
    line.cy = flat;
    ck_assert_int_eq(fc_map_draw(p2, &line, 1, NULL, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "the cells span no area to draw"), "%s", err.msg);
    fc_picture_free(p2);
    fc_picture_free(pic);
}
END_TEST

/* A map in longitude and latitude, 40 degrees by 20 about 70 N: a degree of longitude is drawn
 * cos(70) as long as one of latitude, the map's aspect 40 cos(70) / 20. */
START_TEST(longitude_is_shortened_by_the_latitude)
{
    ramp r;
    ramp_init(&r);
    for (int i = 0; i < NX; i++)
        r.x[i] = 40.0 * (i + 0.5) / NX;
    for (int j = 0; j < NY; j++)
        r.y[j] = 60 + 20.0 * (j + 0.5) / NY;
    r.m.lonlat = 1;
    fc_map_frame fr;
    fc_picture *pic = draw(&r.m, &fr);
    const double want = 40 * cos(70 * M_PI / 180) / 20;
    ck_assert_msg(fabs(fr.plot[2] / fr.plot[3] / want - 1) < 0.01, "aspect %g, want %g",
                  fr.plot[2] / fr.plot[3], want);
    fc_picture_free(pic);
}
END_TEST

/* A domain drawn to its shape from 6:1 wide to 1:6 tall: 16 by 64 unit cells (1:4), drawn at
 * 1:2 until 7 December 2026 (a cylinder in a channel along y looked like an ellipse), are a
 * plot four times as high as wide, and the picture is at most twice as high as wide, the plot
 * narrowed to fit; 1:10 is drawn at 1:6. */
START_TEST(a_tall_domain_keeps_its_shape)
{
    static double f[NX * NY], x[NY], y[NX];
    for (int k = 0; k < NX * NY; k++)
        f[k] = (double)k / (NX * NY);
    for (int i = 0; i < NY; i++)
        x[i] = i + 0.5;
    const double stretch[2] = {1, 2.5}, want[2] = {0.25, 1.0 / 6};
    for (int c = 0; c < 2; c++) {
        for (int j = 0; j < NX; j++)
            y[j] = stretch[c] * (j + 0.5);
        const fc_map m = {.f = f, .nx = NY, .ny = NX, .x = x, .y = y, .title = "tall",
                          .xlabel = "x (m)", .ylabel = "y (m)", .bar_label = "1",
                          .equal_aspect = 1, .cmap = fc_cmap_find("viridis"), .lo = 0, .hi = 1};
        int w, h;
        fc_map_size(&m, 1, 900, 0, &w, &h);
        ck_assert_int_eq(w, 900);
        ck_assert_int_le(h, 1800);
        fc_map_frame fr;
        fc_picture *pic = draw(&m, &fr);
        ck_assert_msg(fabs(fr.plot[2] / fr.plot[3] / want[c] - 1) < 0.01, "aspect %g, want %g",
                      fr.plot[2] / fr.plot[3], want[c]);
        fc_picture_free(pic);
    }
}
END_TEST

/* WRF's grid: no coordinates on its dimensions, but XLONG and XLAT on (Time, south_north,
 * west_east) named by T2's `coordinates`: T2 is drawn in them, across the date line without a
 * jump; a missing latitude at a later record is named there; one at the first record, or
 * latitudes all alike, leave the indices; arrows are refused on the turned grid. */
START_TEST(wrf_curvilinear_grid_in_longitude_and_latitude)
{
    enum { WE = 4, SN = 3 };
    for (int variant = 0; variant < 3; variant++) { /* good; missing at record 0; flat */
        const char *path = tl_temp_path("wrf_grid.nc");
        int ncid, dt, dy, dx, vlat, vlon, v2, vu, vv;
        ck_assert_int_eq(nc_create(path, NC_CLOBBER, &ncid), NC_NOERR);
        nc_def_dim(ncid, "Time", NC_UNLIMITED, &dt);
        nc_def_dim(ncid, "south_north", SN, &dy);
        nc_def_dim(ncid, "west_east", WE, &dx);
        const int d3[3] = {dt, dy, dx};
        nc_def_var(ncid, "XLAT", NC_FLOAT, 3, d3, &vlat);
        nc_put_att_text(ncid, vlat, "units", 12, "degree_north");
        nc_def_var(ncid, "XLONG", NC_FLOAT, 3, d3, &vlon);
        nc_put_att_text(ncid, vlon, "units", 11, "degree_east");
        const float fill = 9.96921e36f;
        nc_put_att_float(ncid, vlat, "_FillValue", NC_FLOAT, 1, &fill);
        const char *names[3] = {"T2", "U", "V"};
        int *ids[3] = {&v2, &vu, &vv};
        for (int k = 0; k < 3; k++) {
            nc_def_var(ncid, names[k], NC_FLOAT, 3, d3, ids[k]);
            nc_put_att_text(ncid, *ids[k], "coordinates", 16, "XLONG XLAT XTIME");
            nc_put_att_text(ncid, *ids[k], "units", k ? 5 : 1, k ? "m s-1" : "K");
        }
        nc_enddef(ncid);
        for (size_t r = 0; r < 2; r++) {
            float lat[SN * WE], lon[SN * WE], t[SN * WE];
            for (int j = 0; j < SN; j++)
                for (int i = 0; i < WE; i++) {
                    const int k = j * WE + i;
                    lat[k] = variant == 2 ? 10.0f : 10.0f + j + 0.1f * i;
                    lon[k] = 179.0f + 0.5f * i - 0.2f * j; /* past 180 from i = 3 */
                    if (lon[k] > 180)
                        lon[k] -= 360;
                    t[k] = (float)(280 + k);
                }
            if ((variant == 0 && r == 1) || (variant == 1 && r == 0))
                lat[1 * WE + 2] = fill;
            const size_t start[3] = {r, 0, 0}, count[3] = {1, SN, WE};
            nc_put_vara_float(ncid, vlat, start, count, lat);
            nc_put_vara_float(ncid, vlon, start, count, lon);
            for (int k = 0; k < 3; k++)
                nc_put_vara_float(ncid, *ids[k], start, count, t);
        }
        ck_assert_int_eq(nc_close(ncid), NC_NOERR);

        fc_plotdata d;
        fc_err err;
        ck_assert_msg(fc_pd_open(&d, path, "T2", &err) == FC_OK, "%s", err.msg);
        if (variant > 0) { /* unusable at the first record: drawn on indices */
            ck_assert_int_eq(d.lon_id, -1);
            ck_assert_int_eq(d.geographic, 0);
            ck_assert_str_eq(d.x.label, "west_east (index)");
            fc_pd_close(&d);
            continue;
        }
        ck_assert_int_ge(d.lon_id, 0);
        ck_assert_int_eq(d.geographic, 1);
        ck_assert_str_eq(d.lon_label, "XLONG (degree_east)");
        ck_assert_str_eq(d.lat_label, "XLAT (degree_north)");
        double lon[SN * WE], lat[SN * WE];
        ck_assert_msg(fc_pd_lonlat(&d, 0, lon, lat, &err) == FC_OK, "%s", err.msg);
        for (int k = 0; k < SN * WE; k++) {
            const double want = 179.0 + 0.5 * (k % WE) - 0.2 * (k / WE);
            ck_assert_msg(fabs(lon[k] - want) < 1e-4, "cell %d: longitude %g, want %g", k,
                          lon[k], want);
            ck_assert_msg(fabs(lat[k] - (10 + k / WE + 0.1 * (k % WE))) < 1e-4, "cell %d", k);
        }
        ck_assert_int_eq(fc_pd_lonlat(&d, 1, lon, lat, &err), FC_EINPUT);
        ck_assert_msg(strstr(err.msg, "'XLAT', a coordinate of 'T2', has no value at cell (2, 1) "
                                      "of record 1"), "%s", err.msg);
        fc_figure_opts o = {0};
        fc_picture *pic;
        ck_assert_msg(fc_figure_field(&d, 0, &o, &pic, &err) == FC_OK, "%s", err.msg);
        fc_picture_free(pic);
        o.vectors = 1;
        ck_assert_int_eq(fc_figure_field(&d, 0, &o, &pic, &err), FC_EINPUT);
        ck_assert_msg(strstr(err.msg, "curvilinear grid"), "%s", err.msg);
        fc_pd_close(&d);
    }
}
END_TEST

/* Fields on pressure levels, as ERA5 and CMIP ship them: ta(time, plev, y, x) is drawn at the
 * level --at names (nearest within half a spacing), its wind with it; a level dimension of one
 * value needs no --at; without --at, or with a level the file lacks, the refusal lists them. */
START_TEST(fields_on_levels_at_one_level)
{
    const char *path = tl_temp_path("levels.nc");
    int ncid, dt, dp, dy, dx, d1, vt, vp, vta, vu, vv, vone, vsolid;
    ck_assert_int_eq(nc_create(path, NC_CLOBBER, &ncid), NC_NOERR);
    nc_def_dim(ncid, "time", NC_UNLIMITED, &dt);
    nc_def_dim(ncid, "plev", 3, &dp);
    nc_def_dim(ncid, "y", 2, &dy);
    nc_def_dim(ncid, "x", 3, &dx);
    nc_def_dim(ncid, "height", 1, &d1);
    nc_def_var(ncid, "time", NC_DOUBLE, 1, &dt, &vt);
    nc_def_var(ncid, "plev", NC_DOUBLE, 1, &dp, &vp);
    nc_put_att_text(ncid, vp, "units", 3, "hPa");
    const int d4[4] = {dt, dp, dy, dx}, d4one[4] = {dt, d1, dy, dx}, d2[2] = {dy, dx};
    nc_def_var(ncid, "ta", NC_DOUBLE, 4, d4, &vta);
    nc_def_var(ncid, "u", NC_DOUBLE, 4, d4, &vu);
    nc_def_var(ncid, "v", NC_DOUBLE, 4, d4, &vv);
    nc_def_var(ncid, "t2", NC_DOUBLE, 4, d4one, &vone);
    nc_def_var(ncid, "solid", NC_DOUBLE, 2, d2, &vsolid);
    nc_enddef(ncid);
    const double plev[3] = {1000, 850, 500}, zero[6] = {0};
    nc_put_var_double(ncid, vp, plev);
    nc_put_var_double(ncid, vsolid, zero);
    for (size_t r = 0; r < 2; r++) {
        const double t = (double)r;
        nc_put_var1_double(ncid, vt, &r, &t);
        for (size_t l = 0; l < 3; l++) {
            double f[6];
            for (int k = 0; k < 6; k++)
                f[k] = 100.0 * (double)l + 10.0 * (double)r + k;
            const size_t start[4] = {r, l, 0, 0}, count[4] = {1, 1, 2, 3};
            nc_put_vara_double(ncid, vta, start, count, f);
            nc_put_vara_double(ncid, vu, start, count, f);
            nc_put_vara_double(ncid, vv, start, count, f);
            if (l == 0)
                nc_put_vara_double(ncid, vone, start, count, f);
        }
    }
    ck_assert_int_eq(nc_close(ncid), NC_NOERR);

    fc_plotdata d;
    fc_err err;
    double f[6], u[6], v[6];
    ck_assert_int_eq(fc_pd_open_at(&d, path, "ta", NULL, &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "'ta' is on (time, plev, y, x): pick one plev with "
                                          "--at plev=VALUE ('plev' has 3 values: 1000, 850, 500 hPa)"));
    ck_assert_int_eq(fc_pd_open_at(&d, path, "ta", "plev=700", &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "no such value"));
    ck_assert_int_eq(fc_pd_open_at(&d, path, "ta", "level=850", &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "along 'plev'"));
    ck_assert_int_eq(fc_pd_open_at(&d, path, "solid", "plev=850", &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "no level to pick"));
    ck_assert_msg(fc_pd_open_at(&d, path, "ta", "plev=840", &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(d.shape, FC_PD_FIELD);
    ck_assert_str_eq(d.level_text, "plev = 850 hPa");
    ck_assert_uint_eq(d.nrec, 2);
    ck_assert_int_eq(fc_pd_read(&d, 1, f, &err), FC_OK);
    ck_assert(f[0] == 110 && f[5] == 115);
    char units[32];
    ck_assert_msg(fc_pd_velocity(&d, 1, u, v, units, sizeof units, &err) == FC_OK, "%s", err.msg);
    ck_assert(u[2] == 112 && v[3] == 113);
    unsigned char kind[6];
    ck_assert_int_eq(fc_pd_kinds(&d, 1, kind, NULL, &err), FC_OK);
    fc_picture *pic;
    const fc_figure_opts o = {.vectors = 1};
    ck_assert_msg(fc_figure_field(&d, 1, &o, &pic, &err) == FC_OK, "%s", err.msg);
    fc_picture_free(pic);
    fc_pd_close(&d);
    ck_assert_msg(fc_pd_open_at(&d, path, "t2", NULL, &err) == FC_OK, "%s", err.msg);
    ck_assert_str_eq(d.level_text, "height 0"); /* no coordinate: the index */
    ck_assert_int_eq(fc_pd_read(&d, 0, f, &err), FC_OK);
    ck_assert(f[4] == 4);
    fc_pd_close(&d);
    /* A file that claims 1e7 + 1 levels (HDF5 stores none of them) is refused before its
     * coordinate is read. */
    const char *huge = tl_temp_path("huge_levels.nc");
    ck_assert_int_eq(nc_create(huge, NC_CLOBBER | NC_NETCDF4, &ncid), NC_NOERR);
    nc_def_dim(ncid, "lev", 10000001, &dp);
    nc_def_dim(ncid, "y", 2, &dy);
    nc_def_dim(ncid, "x", 3, &dx);
    const int dl[3] = {dp, dy, dx};
    nc_def_var(ncid, "lev", NC_DOUBLE, 1, &dp, &vp);
    nc_def_var(ncid, "q", NC_FLOAT, 3, dl, &vta);
    ck_assert_int_eq(nc_close(ncid), NC_NOERR);
    ck_assert_int_eq(fc_pd_open_at(&d, huge, "q", "lev=1", &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "10000001 levels"));
}
END_TEST

/* A foreign file's time is shown as a date in its CF calendar: the standard calendar is Julian
 * before 1582-10-15 (the day after 1582-10-04), so 730121 days after 0001-01-01 is 2000-01-01
 * (Julian day numbers 1721424 and 2451545), where proleptic_gregorian needs 730119; julian,
 * noleap, all_leap and 360_day count their own days; an ISO 8601 reference (2020-06-01T23:00)
 * keeps its time of day; an unknown calendar gives the time since its reference. */
START_TEST(dates_in_every_cf_calendar)
{
    static const struct {
        const char *units, *calendar;
        double t;
        const char *want;
    } cases[] = {
        {"days since 1582-10-04", "standard", 1, "1582-10-15 00:00 UTC"},
        {"days since 1582-10-04", "proleptic_gregorian", 1, "1582-10-05 00:00 UTC"},
        {"days since 1582-10-15", "gregorian", -1, "1582-10-04 00:00 UTC"},
        {"days since 0001-01-01 00:00:00", "standard", 730121, "2000-01-01 00:00 UTC"},
        {"days since 0001-01-01 00:00:00", "", 730121, "2000-01-01 00:00 UTC"},
        {"days since 0001-01-01 00:00:00", "proleptic_gregorian", 730119, "2000-01-01 00:00 UTC"},
        {"days since 1900-02-28", "julian", 1, "1900-02-29 00:00 UTC"},
        {"days since 1900-02-28", "standard", 1, "1900-03-01 00:00 UTC"},
        {"days since 2001-01-01", "noleap", 365 * 3 + 59, "2004-03-01 00:00 noleap"},
        {"days since 2001-02-28", "all_leap", 1, "2001-02-29 00:00 all_leap"},
        {"days since 2000-01-01", "360_day", 59, "2000-02-30 00:00 360_day"},
        {"days since 2000-01-01", "360_day", -1, "1999-12-30 00:00 360_day"},
        {"hours since 2020-06-01 23:00", "standard", 1.5, "2020-06-02 00:30 UTC"},
        {"hours since 2020-06-01T23:00:00Z", "standard", 1.5, "2020-06-02 00:30 UTC"},
        {"days since 2000-03-01", "standard", -1, "2000-02-29 00:00 UTC"},
        /* Zones (UDUNITS' forms), shown in UTC: 1992-10-08 15:15:42.5 at -6:00 is 21:15:42.5 UTC, shown to the nearest minute. */
        {"seconds since 1992-10-8 15:15:42.5 -6:00", "standard", 0, "1992-10-08 21:16 UTC"},
        {"hours since 2020-06-01 02:00:00 +05:30", "standard", 1, "2020-05-31 21:30 UTC"},
        {"hours since 2020-06-01T02:00:00+0530", "standard", 0, "2020-05-31 20:30 UTC"},
        {"hours since 2020-06-01 00:00 UTC", "standard", 6, "2020-06-01 06:00 UTC"},
        {"hours since 2020-06-01 +02", "standard", 0, "2020-05-31 22:00 UTC"},
        {"hours since 2020-06-01 12", "standard", 1, "2020-06-01 13:00 UTC"},
        {"days since 2001-01-01 00:00 -01:00", "noleap", 0, "2001-01-01 01:00 noleap"},
        /* What is no date or zone is not guessed at. */
        {"hours since 2020-06-01 00:00 CEST", "standard", 6, "t = 6 h"},
        {"hours since 2020-06-01 00:00 +25:00", "standard", 6, "t = 6 h"},
        {"hours since 2020-06-01 00:00 +01:00 extra", "standard", 6, "t = 6 h"},
        {"hours since 2020-13-01", "standard", 6, "t = 6 h"},
        {"hours since June 2020", "standard", 6, "t = 6 h"},
        {"days since 2000-01-01", "mars", 2, "t = 2 d"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        fc_plotdata d;
        memset(&d, 0, sizeof d);
        double t = cases[k].t;
        d.has_time = 1, d.nrec = 1, d.times = &t;
        snprintf(d.time_units, sizeof d.time_units, "%s", cases[k].units);
        snprintf(d.calendar, sizeof d.calendar, "%s", cases[k].calendar);
        char when[96];
        fc_pd_time_text(&d, 0, when, sizeof when);
        ck_assert_msg(!strcmp(when, cases[k].want), "%g %s (%s): '%s', not '%s'", t,
                      cases[k].units, cases[k].calendar, when, cases[k].want);
    }
}
END_TEST

START_TEST(refuses_what_it_cannot_draw)
{
    const char *path = cf_file();
    fc_plotdata d;
    fc_err err;
    ck_assert_int_eq(fc_pd_open(&d, path, "nothing", &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "no variable 'nothing'"));
    ck_assert_ptr_nonnull(strstr(err.msg, "temp"));

    ck_assert_int_eq(fc_pd_open(&d, path, "four", &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "pick one z with --at z=VALUE ('z' has 2 values: 0, 1 "
                                          "(index))"));
    ck_assert_int_eq(fc_pd_open_at(&d, path, "four", "z=2", &err), FC_EINPUT);
    ck_assert_int_eq(fc_pd_open(&d, tl_temp_file("not.nc", "hello\n"), "temp", &err), FC_EINPUT);
    ck_assert_int_eq(fc_pd_open(&d, tl_temp_path("absent.nc"), "temp", &err), FC_EINPUT);
    const double x[2] = {1, 2}, y[2] = {NAN, NAN};
    const fc_series s = {x, y, 2, NULL, FC_LINE, -1};
    const fc_chart c = {"t", NULL, "x", "y", 0, 0, &s, 1, 0, 0, NULL, 0};
    fc_picture *pic;
    ck_assert_int_eq(fc_picture_new(400, 300, &pic, &err), FC_OK);
    ck_assert_int_eq(fc_chart_draw(pic, &c, &err), FC_EINPUT);
    fc_picture_free(pic);
}
END_TEST

/* Where the font has no minus or multiplication sign, ASCII stands in for each (only for the
 * one missing); other text, UTF-8 included, is kept. */
/* A title too long for its chart is made smaller to fit within the picture, measured again at
 * the size it is drawn in: a title shrunk in proportion to its width at the full size still ran
 * off the right edge (hinted advances do not scale). Nothing is drawn in the outermost columns
 * of the title's band, and the title is there. */
START_TEST(a_long_title_is_fitted_within_the_picture)
{
    const double x[2] = {0, 8}, y[2] = {-0.3, 0.3};
    const fc_series s = {x, y, 2, NULL, FC_LINE, -1};
    const fc_chart c = {"lift coefficient 2 F.n / (U^2 L) of the obstacles together, n across the "
                        "free stream to its left",
                        "Flow past a cylinder with an oscillating inflow (Schaefer & Turek 2D-3)",
                        "time (s)", "lift_coefficient", 0, 0, &s, 1, 0, 0, NULL, 0};
    const unsigned char white[3] = {255, 255, 255};
    for (int w = 500; w <= 1300; w += 100) {
        fc_picture *pic;
        fc_err err;
        const int h = w * 5 / 9;
        ck_assert_msg(fc_picture_new(w, h, &pic, &err) == FC_OK, "%s", err.msg);
        ck_assert_msg(fc_chart_draw(pic, &c, &err) == FC_OK, "%s", err.msg);
        int inked = 0;
        for (int j = 0; j < h / 20; j++) {
            for (int i = 0; i < w; i++) {
                unsigned char got[3];
                pixel(pic, i, j, got);
                const int ink = !close_rgb(got, white, 60);
                inked += ink;
                ck_assert_msg(!ink || (i >= 2 && i < w - 2),
                              "%d x %d: the title reaches column %d (row %d)", w, h, i, j);
            }
        }
        ck_assert_msg(inked > w / 4, "%d x %d: no title drawn (%d dark pixels)", w, h, inked);
        fc_picture_free(pic);
    }
}
END_TEST

START_TEST(ascii_stands_in_for_missing_signs)
{
    const char *label = "s\xe2\x88\x92" "1  \xc3\x97" "10, 5 \xc2\xb0" "C";
    char buf[64];
    ck_assert_str_eq(fc_plot_text(label, (int[]){1, 1}, buf, sizeof buf),
                     "s-1  x10, 5 \xc2\xb0" "C");
    ck_assert_str_eq(fc_plot_text(label, (int[]){0, 1}, buf, sizeof buf),
                     "s\xe2\x88\x92" "1  x10, 5 \xc2\xb0" "C");
    ck_assert_str_eq(fc_plot_text(label, (int[]){0, 0}, buf, sizeof buf), label);
    /* A buffer too short truncates between characters, never inside one, and never overruns. */
    char small[6];
    ck_assert_str_eq(fc_plot_text(label, (int[]){1, 1}, small, sizeof small), "s-1  ");
    ck_assert_str_eq(fc_plot_text(label, (int[]){0, 0}, small, sizeof small), "s\xe2\x88\x92" "1");
}
END_TEST

/* Text from a file may be any bytes: each byte outside a well-formed UTF-8 character is drawn
 * as '?' (a stray continuation byte, a lone lead byte, an overlong form, a surrogate, a code
 * point past U+10FFFF, a character cut short), and the picture is drawn. */
START_TEST(malformed_text_is_drawn_with_question_marks)
{
    char buf[64];
    const int keep[FC_PLOT_NSIGNS] = {0, 0};
    ck_assert_str_eq(fc_plot_text("y (\xa3)", keep, buf, sizeof buf), "y (?)");
    ck_assert_str_eq(fc_plot_text("\xc3(", keep, buf, sizeof buf), "?(");
    ck_assert_str_eq(fc_plot_text("\xc0\xaf", keep, buf, sizeof buf), "??");
    ck_assert_str_eq(fc_plot_text("\xed\xa0\x80", keep, buf, sizeof buf), "???");
    ck_assert_str_eq(fc_plot_text("\xf4\x90\x80\x80", keep, buf, sizeof buf), "????");
    ck_assert_str_eq(fc_plot_text("m\xe2\x88", keep, buf, sizeof buf), "m??");
    ck_assert_str_eq(fc_plot_text("\xf0\x9f\x8c\x8a \xc2\xb0" "C", keep, buf, sizeof buf),
                     "\xf0\x9f\x8c\x8a \xc2\xb0" "C");
    /* The units of an axis and a title with stray bytes (Latin-1's pound sign). */
    const char *path = cf_file();
    int ncid, vy;
    ck_assert_int_eq(nc_open(path, NC_WRITE, &ncid), NC_NOERR);
    ck_assert_int_eq(nc_inq_varid(ncid, "y", &vy), NC_NOERR);
    ck_assert_int_eq(nc_redef(ncid), NC_NOERR);
    ck_assert_int_eq(nc_put_att_text(ncid, vy, "units", 1, "\xa3"), NC_NOERR);
    ck_assert_int_eq(nc_put_att_text(ncid, NC_GLOBAL, "title", 5, "r\xe9" "el"), NC_NOERR);
    ck_assert_int_eq(nc_close(ncid), NC_NOERR);
    fc_plotdata d;
    fc_err err;
    ck_assert_msg(fc_pd_open(&d, path, "temp", &err) == FC_OK, "%s", err.msg);
    fc_picture *pic = NULL;
    const fc_figure_opts o = {.contours = 3, .width = 400, .height = 300};
    ck_assert_msg(fc_figure_field(&d, 1, &o, &pic, &err) == FC_OK, "%s", err.msg);
    fc_picture_free(pic);
    fc_pd_close(&d);
}
END_TEST

START_TEST(gif_and_pngs_have_every_frame)
{
    const char *path = cf_file(), *gif = tl_temp_path("film.gif"), *dir = tl_temp_path("frames");
    fc_plotdata d;
    fc_err err;
    ck_assert_int_eq(fc_pd_open(&d, path, "temp", &err), FC_OK);
    fc_anim_opts o = {.output = gif, .fps = 5};
    ck_assert_int_eq(fc_anim_format_of(gif, &o.format, &err), FC_OK);
    ck_assert_int_eq(o.format, FC_ANIM_GIF);
    ck_assert_msg(fc_animate(&d, &o, &err) == FC_OK, "%s", err.msg);
    GifFileType *g = read_gif(gif);
    ck_assert_int_eq(g->ImageCount, 3);
    ck_assert_int_eq(g->SWidth, 900);
    GraphicsControlBlock gcb;
    ck_assert_int_eq(DGifSavedExtensionToGCB(g, 1, &gcb), GIF_OK);
    ck_assert_int_eq(gcb.DelayTime, 20);
    DGifCloseFile(g, NULL);
    /* Again without -O: refused, the film kept. */
    ck_assert_int_eq(fc_animate(&d, &o, &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "exists"));
    /* MP4 without ffmpeg: refused before anything is drawn. */
    fc_anim_opts m = {.output = tl_temp_path("film.mp4"), .format = FC_ANIM_MP4, .fps = 5};
    ck_assert_int_eq(fc_animate(&d, &m, &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "ffmpeg"));
    fc_anim_opts p = {.output = dir, .format = FC_ANIM_PNGS, .fps = 5};
    ck_assert_msg(fc_animate(&d, &p, &err) == FC_OK, "%s", err.msg);
    for (int k = 0; k < 3; k++) {
        char name[4200];
        snprintf(name, sizeof name, "%s/temp_%04d.png", dir, k);
        cairo_surface_t *s = cairo_image_surface_create_from_png(name);
        ck_assert_msg(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS, "%s", name);
        cairo_surface_destroy(s);
    }
    ck_assert_int_eq(fc_anim_format_of("film.avi", &o.format, &err), FC_EINPUT);
    fc_pd_close(&d);
    /* A spectrum over time is a film of lines; a series is refused. */
    ck_assert_int_eq(fc_pd_open(&d, path, "spec", &err), FC_OK);
    fc_anim_opts sp = {.output = tl_temp_path("spec.gif"), .format = FC_ANIM_GIF, .fps = 5};
    ck_assert_msg(fc_animate(&d, &sp, &err) == FC_OK, "%s", err.msg);
    fc_pd_close(&d);
    ck_assert_int_eq(fc_pd_open(&d, path, "energy", &err), FC_OK);
    fc_anim_opts se = {.output = tl_temp_path("energy.gif"), .format = FC_ANIM_GIF, .fps = 5};
    ck_assert_int_eq(fc_animate(&d, &se, &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "a series over time"));
    fc_pd_close(&d);
}
END_TEST

Suite *plot_suite(void)
{
    Suite *s = suite_create("plot");
    TCase *t = tcase_create("plot");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, ramp_maps_to_its_colours);
    tcase_add_test(t, diverging_map_is_white_at_zero);
    tcase_add_test(t, a_field_constant_to_round_off_is_drawn_as_its_departure);
    tcase_add_test(t, stretched_grid_cells_where_they_lie);
    tcase_add_test(t, solid_dry_and_missing_cells);
    tcase_add_test(t, body_outline_is_the_true_surface);
    tcase_add_test(t, contour_lies_at_its_level);
    tcase_add_test(t, reads_any_cf_file);
    tcase_add_test(t, packed_values_are_unpacked);
    tcase_add_test(t, a_field_one_cell_wide_is_a_line);
    tcase_add_test(t, wrf_times_and_descriptions);
    tcase_add_test(t, wrf_curvilinear_grid_in_longitude_and_latitude);
    tcase_add_test(t, curvilinear_cells_where_they_lie);
    tcase_add_test(t, longitude_is_shortened_by_the_latitude);
    tcase_add_test(t, a_tall_domain_keeps_its_shape);
    tcase_add_test(t, fields_on_levels_at_one_level);
    tcase_add_test(t, dates_in_every_cf_calendar);
    tcase_add_test(t, refuses_what_it_cannot_draw);
    tcase_add_test(t, a_long_title_is_fitted_within_the_picture);
    tcase_add_test(t, gif_and_pngs_have_every_frame);
    tcase_add_test(t, ascii_stands_in_for_missing_signs);
    tcase_add_test(t, malformed_text_is_drawn_with_question_marks);
    suite_add_tcase(s, t);
    return s;
}
