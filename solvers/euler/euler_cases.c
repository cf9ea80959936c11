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
 */
#include <fc_build.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* Fills the state from theta'(x, z); refuses a state that is not physical. */
static int fill(const fc_config *cfg, const fc_grid *g, const euler_params *p, const euler_ic *ic,
                theta_fn fn, fc_state *host, fc_err *err)
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
            const double tp = fn(ic, fc_grid_x(g, i), z, exner);
            /* rho' = rho_b theta_b / (theta_b + theta') - rho_b, written so that it is exactly 0
             * where theta' is. */
            const double theta = col.theta[jw] + tp;
            const double rho_p = -col.rho[jw] * tp / theta, rho = col.rho[jw] + rho_p;
            const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
            host->f[EULER_RHO][k] = (fc_real)rho_p;
            host->f[EULER_RHOU][k] = (fc_real)(rho * p->wind);
            host->f[EULER_RHOW][k] = 0;
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
    return fill(cfg, g, params, &ic, rest, host, err);
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
    return fill(cfg, g, params, &ic, bubble, host, err);
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
    return fill(cfg, g, params, &ic, gravity_wave, host, err);
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
};
