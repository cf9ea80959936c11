/*
 * euler_cases.c: initial conditions of the compressible Euler solver. Each is a potential
 * temperature perturbation theta'(x, z) on the hydrostatic background, at unchanged pressure:
 * rho theta stays the background's (p' = 0) and the density becomes (rho theta)_b / (theta_b +
 * theta'), so a warm region is light and a cold one heavy from the first step; the wind U of
 * [physics] wind blows everywhere (rho u = rho U). Values are taken at cell centres.
 *
 *   rest          theta' = 0: must stay at rest (to round-off) with U = 0.
 *   bubble        theta' = A (1 + cos(pi L)) / 2 for L = sqrt(((x - xc)/rx)^2 + ((z - zc)/rz)^2)
 *                 <= 1 (A perturbs theta, or the temperature: theta' = T' / Exner), plus an
 *                 optional second, round bubble: warm bubbles (Giraldo & Restelli 2008), the
 *                 Straka et al. (1993) density current, colliding bubbles.
 *   gravity_wave  theta' = A sin(pi z / H) / (1 + ((x - xc)/a)^2) in a stable background
 *                 (Skamarock & Klemp 1994, Mon. Wea. Rev. 122, 2623-2630).
 *   file          theta' (and optionally u and w) at cell centres from a NetCDF file, on this
 *                 grid or interpolated onto it (ncio.h); u and w multiply the new density.
 */
#include <fc_build.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "src/core/ncio.h"
#include "solvers/euler/euler.h"
#include "solvers/euler/euler_cases.h"

/* theta'(x, z) of one initial condition, from its keys read once. */
typedef struct euler_ic {
    double amplitude, xc, zc, rx, rz;
    int temperature; /* amplitude perturbs the temperature */
    double amplitude2, xc2, zc2, r2;
    double half_width, height; /* gravity wave */
} euler_ic;

typedef double (*theta_fn)(const euler_ic *ic, double x, double z, double exner);

static double cosine_bell(double a, double l) { return l <= 1 ? a * (1 + cos(M_PI * l)) / 2 : 0; }

static double bubble(const euler_ic *ic, double x, double z, double exner)
{
    const double dx = (x - ic->xc) / ic->rx, dz = (z - ic->zc) / ic->rz;
    double t = cosine_bell(ic->amplitude, sqrt(dx * dx + dz * dz));
    if (ic->amplitude2 != 0) {
        const double ex = (x - ic->xc2) / ic->r2, ez = (z - ic->zc2) / ic->r2;
        t += cosine_bell(ic->amplitude2, sqrt(ex * ex + ez * ez));
    }
    return ic->temperature ? t / exner : t;
}

static double gravity_wave(const euler_ic *ic, double x, double z, double exner)
{
    (void)exner;
    const double s = (x - ic->xc) / ic->half_width;
    return ic->amplitude * sin(M_PI * z / ic->height) / (1 + s * s);
}

static double rest(const euler_ic *ic, double x, double z, double exner)
{
    (void)ic;
    (void)x;
    (void)z;
    (void)exner;
    return 0;
}

/* Fills the state from theta'(x, z), or where field is given from theta', u and w at each cell
 * (field[0..2], the grid's layout; u NULL: the wind, w NULL: 0); refuses a state that is not
 * physical. */
static int fill(const fc_config *cfg, const fc_grid *g, const euler_params *p, const euler_ic *ic,
                theta_fn fn, fc_real *const *field, fc_state *host, fc_err *err)
{
    euler_column col;
    int st = euler_column_make(p, &col, err);
    if (st)
        return st;
    for (int j = 0; j < g->ny && !st; j++) {
        const int jw = g->j0 + j; /* the row of the whole grid (a block's: grid.h) */
        const double z = (jw + 0.5) * g->dy;
        const double exner = pow(col.p[jw] / EULER_P0, EULER_RD / EULER_CP);
        for (int i = 0; i < g->nx; i++) {
            const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
            const double tp = field ? field[0][k] : fn(ic, fc_grid_x(g, i), z, exner);
            /* rho' = rho_b theta_b / (theta_b + theta') - rho_b, written so that it is exactly 0
             * where theta' is. */
            const double theta = col.theta[jw] + tp;
            const double rho_p = -col.rho[jw] * tp / theta, rho = col.rho[jw] + rho_p;
            host->f[EULER_RHO][k] = (fc_real)rho_p;
            host->f[EULER_RHOU][k] = (fc_real)(rho * (field && field[1] ? field[1][k] : p->wind));
            host->f[EULER_RHOW][k] = (fc_real)(field && field[2] ? rho * field[2][k] : 0);
            host->f[EULER_RHOT][k] = 0;
            if (!(theta > 0) || !isfinite(rho)) {
                st = fc_fail(err, FC_EINPUT,
                             "%s: the initial condition makes theta = %g K at x = %g m, z = %g m: "
                             "a perturbation larger than the atmosphere's own temperature",
                             cfg->path, theta, fc_grid_x(g, i), z);
                break;
            }
        }
    }
    euler_column_free(&col);
    return st;
}

static int set_rest(const fc_config *cfg, const fc_grid *g, const void *params, fc_state *host,
                    fc_err *err)
{
    euler_ic ic;
    memset(&ic, 0, sizeof ic);
    return fill(cfg, g, params, &ic, rest, NULL, host, err);
}

static int set_bubble(const fc_config *cfg, const fc_grid *g, const void *params, fc_state *host,
                      fc_err *err)
{
    euler_ic ic;
    memset(&ic, 0, sizeof ic);
    ic.amplitude = fc_cfg_real(cfg, "initial", "amplitude");
    ic.temperature = fc_cfg_choice(cfg, "initial", "perturbs") == 1;
    ic.xc = fc_cfg_real(cfg, "initial", "center_x");
    ic.zc = fc_cfg_real(cfg, "initial", "center_z");
    ic.rx = fc_cfg_real(cfg, "initial", "radius_x");
    ic.rz = fc_cfg_real(cfg, "initial", "radius_z");
    ic.amplitude2 = fc_cfg_real(cfg, "initial", "amplitude_2");
    ic.xc2 = fc_cfg_real(cfg, "initial", "center_x_2");
    ic.zc2 = fc_cfg_real(cfg, "initial", "center_z_2");
    ic.r2 = fc_cfg_real(cfg, "initial", "radius_2");
    return fill(cfg, g, params, &ic, bubble, NULL, host, err);
}

static int set_gravity_wave(const fc_config *cfg, const fc_grid *g, const void *params,
                            fc_state *host, fc_err *err)
{
    euler_ic ic;
    memset(&ic, 0, sizeof ic);
    ic.amplitude = fc_cfg_real(cfg, "initial", "amplitude");
    ic.half_width = fc_cfg_real(cfg, "initial", "half_width");
    ic.xc = fc_cfg_real(cfg, "initial", "center_x");
    ic.height = g->ny_whole * g->dy;
    return fill(cfg, g, params, &ic, gravity_wave, NULL, host, err);
}

/* theta', u and w from [initial] path: the state at unchanged pressure as for every condition,
 * its momentum the new density times the file's velocity where it gives one. */
static int set_file(const fc_config *cfg, const fc_grid *g, const void *params, fc_state *host,
                    fc_err *err)
{
    const char *keys[3] = {"theta_var", "u_var", "w_var"}, *vars[3];
    for (int k = 0; k < 3; k++)
        vars[k] = *fc_cfg_str(cfg, "initial", keys[k]) ? fc_cfg_str(cfg, "initial", keys[k]) : NULL;
    if (!vars[0])
        return fc_fail(err, FC_EINPUT, "%s: [initial] theta_var must name the potential "
                       "temperature perturbation", cfg->path);
    char *path = fc_cfg_path(cfg, "initial", "path");
    fc_real *field[3] = {fc_grid_alloc(g), fc_grid_alloc(g), fc_grid_alloc(g)};
    int st = FC_OK, interpolated;
    if (!path || !field[0] || !field[1] || !field[2])
        st = fc_fail(err, FC_ENOMEM, "out of memory");
    const fc_ncio_field_grid how = {
        .interpolate = fc_cfg_choice(cfg, "initial", "interpolate") == 1,
        .periodic = {fc_cfg_choice(cfg, "boundary", "west") == FC_BC_PERIODIC, 0},
        .enable = "[initial] interpolate = bilinear",
        .y_name = "z",
        .units = (const char *const[]){"K", "m s-1", "m s-1"}};
    if (!st && (st = fc_ncio_read_fields(path, 3, vars, g, &how, field, &interpolated, err)))
        fc_err_append(err, "(the initial state of %s: [initial] type = file, path = %s)",
                      cfg->path, fc_cfg_str(cfg, "initial", "path"));
    euler_ic ic;
    memset(&ic, 0, sizeof ic);
    fc_real *const given[3] = {field[0], vars[1] ? field[1] : NULL, vars[2] ? field[2] : NULL};
    if (!st)
        st = fill(cfg, g, params, &ic, rest, given, host, err);
    free(path);
    for (int k = 0; k < 3; k++)
        free(field[k]);
    return st;
}

const fc_ic_spec euler_ics[EULER_NICS] = {
    {"rest", "the hydrostatic background at rest (or in the uniform wind): must stay so",
     set_rest, 1},
    {"bubble", "one or two warm or cold bubbles at unchanged pressure (thermals, the Straka "
               "density current, colliding bubbles)",
     set_bubble, 1},
    {"gravity_wave", "a small theta' pulse in a stable atmosphere: inertia-gravity waves "
                     "(Skamarock & Klemp 1994)",
     set_gravity_wave, 1},
    {"file", "theta' (and the wind) at cell centres read from a NetCDF file", set_file, 1},
};
