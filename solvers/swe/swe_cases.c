/*
 * swe_cases.c: initial conditions of the shallow-water solver, by name. Values are taken at cell
 * centres (a second-order approximation of the cell means, matching the scheme's order).
 *
 *   dambreak       h = depth_left for x < dam_x, depth_right beyond; at rest, flat bottom.
 *   radial_dambreak h = depth_inside within radius of the centre, depth_outside beyond; at rest,
 *                  flat bottom (PDEBench's 2-D shallow-water task: Takamoto et al. 2022).
 *   lake_at_rest   b = A exp(-r^2/R^2), or A (1 - r^2/R^2) within R (parabolic), with r from the
 *                  centre, or from the line x = center_x for a ridge across the domain;
 *                  h = max(surface - b, 0), at rest (island when A > surface). The parabolic
 *                  ridge is Goutal & Maurel's (1997) bump in a channel.
 *   gaussian_bump  h = H + a exp(-r^2/R^2), at rest, flat bottom.
 *   vortex         h = H + a exp(-r^2/R^2) with the exact gradient-wind azimuthal speed
 *                  v^2/r + f v = g dh/dr, v = -f r/2 + sign(f) sqrt(f^2 r^2/4 + g r dh/dr).
 *   adjustment     h = H + step/2 west of step_x and H - step/2 east (tanh of width w if w > 0).
 *   paraboloid     Thacker's planar surface oscillating in a paraboloid bowl (swe_paraboloid in
 *                  swe_cases.h): an exact solution with a moving shoreline, at t = 0.
 *   standing_wave  h = H + a cos(kx X) cos(ky Y) at rest, X, Y from the domain's corner: gravity
 *                  or inertia-gravity waves, exact in the linear limit (swe_standing_wave)
 *                  on periodic sides, or without rotation between walls (with rotation its
 *                  current crosses a wall).
 *   kelvin_wave    h = H + a exp(-F(y)/c) cos(kx X), u = (g/c)(h - H), v = 0, with F' = f and
 *                  c = sqrt(g H): a Kelvin wave along a wall (f-plane) or the equator
 *                  (beta-plane), exact in the linear limit (swe_kelvin_wave).
 *   jet            u = U0 sech^2(s), s = (y - y_j)/L, with g dh/dy = -f(y) u integrated exactly:
 *                  h = H - (U0 L/g) [(f0 + beta (y_j - y0)) tanh s + beta L (s tanh s - ln cosh s)]
 *                  plus a perturbation a cos(2 pi k x/Lx) sech^2(s) (a Bickley jet, barotropically
 *                  unstable; Poulin & Flierl 2003, J. Phys. Oceanogr. 33, 2173-2192).
 *   file           h, u, v, b from a NetCDF file on this grid, or on other points interpolated
 *                  bilinearly by the file's coordinates (the wet points' surface level over the
 *                  interpolated bottom, so that a lake at rest stays at rest to its shore).
 */
#include <fc_build.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "src/core/ncio.h"
#include "solvers/swe/swe.h"
#include "solvers/swe/swe_cases.h"

static const char *ic_name(const fc_config *cfg)
{
    return swe_ics[fc_cfg_choice(cfg, "initial", "type")].name;
}

static double coriolis_at(const fc_config *cfg, double y)
{
    return fc_cfg_real(cfg, "physics", "f0") +
           fc_cfg_real(cfg, "physics", "beta") * (y - fc_cfg_real(cfg, "physics", "y0"));
}

/* F(y) - F(y_peak) of a Kelvin wave, F' = f = f0 + beta (y - y0). */
static double kelvin_exponent(double f0, double beta, double y0, double y_peak, double y)
{
    const double a = y - y0, b = y_peak - y0;
    return f0 * (y - y_peak) + 0.5 * beta * (a - b) * (a + b);
}

/* g r dh/dr + f^2 r^2/4 of the vortex: gradient-wind balance needs it >= 0 at every r. */
static double vortex_discriminant(double g, double f, double a, double R, double r)
{
    double dhdr = -2 * a * r / (R * R) * exp(-r * r / (R * R));
    return f * f * r * r / 4 + g * r * dhdr;
}

int swe_check_case(const fc_config *cfg, fc_err *err)
{
    int n = 0;
    const char *ic = ic_name(cfg);
    static const char *const sides[4] = {"west", "east", "south", "north"};
    int inflow = -1, open = -1, sides_set = 0;
    for (int k = 0; k < 4; k++) {
        const int bc = fc_cfg_choice(cfg, "boundary", sides[k]);
        inflow = bc == FC_BC_INFLOW && inflow < 0 ? k : inflow;
        open = bc == FC_BC_OPEN && open < 0 ? k : open;
        sides_set |= fc_cfg_from_set(cfg, "boundary", sides[k]);
    }
    /* A discharge or a level with no default that fits every case: given, or refused. */
    if (inflow >= 0 && fc_cfg_defaulted(cfg, "boundary", "inflow_discharge")) {
        fc_cfg_error(cfg, err, "boundary", sides[inflow],
                     "an inflow side needs the discharge that enters through it: give "
                     "[boundary] inflow_discharge (m2 s-1, per unit width)");
        n++;
    }
    if (inflow < 0) {
        n += fc_cfg_idle(cfg, err, "boundary", "inflow_discharge", sides_set,
                         "no side is an inflow");
        n += fc_cfg_idle(cfg, err, "boundary", "inflow_depth", sides_set, "no side is an inflow");
    } else if (!fc_cfg_defaulted(cfg, "boundary", "inflow_depth")) {
        /* A subcritical inflow's depth is the flow inside's to set (one characteristic leaves
         * through the side); holding it too would over-determine the side. */
        const double q = fc_cfg_real(cfg, "boundary", "inflow_discharge"),
                     g = fc_cfg_real(cfg, "physics", "g"),
                     h = fc_cfg_real(cfg, "boundary", "inflow_depth");
        if (!(h > 0)) {
            fc_cfg_error(cfg, err, "boundary", "inflow_depth", "must be above 0 m");
            n++;
        } else if (!(q > h * sqrt(g * h))) {
            fc_cfg_error(cfg, err, "boundary", "inflow_depth",
                         "a depth is held only at a supercritical inflow, and inflow_discharge = "
                         "%g over it is subcritical (Froude number %.3g; it must be above 1, "
                         "the depth below the critical %.4g m): leave inflow_depth out, and the "
                         "depth follows from the flow inside",
                         q, q / (h * sqrt(g * h)), cbrt(q * q / g));
            n++;
        }
    }
    const int given = fc_cfg_choice(cfg, "boundary", "outside_water") == SWE_OUTSIDE_GIVEN;
    if (open < 0)
        n += fc_cfg_idle(cfg, err, "boundary", "outside_water", sides_set, "no side is open");
    if (open >= 0 && given && fc_cfg_defaulted(cfg, "boundary", "outside_level")) {
        fc_cfg_error(cfg, err, "boundary", "outside_water",
                     "the water outside is given: give its level, [boundary] outside_level (m)");
        n++;
    }
    static const char *const outside[2] = {"outside_level", "outside_current"};
    for (int k = 0; k < 2 && (!given || open < 0); k++)
        n += fc_cfg_idle(cfg, err, "boundary", outside[k],
                         sides_set || fc_cfg_from_set(cfg, "boundary", "outside_water"),
                         open < 0 ? "no side is open" : "the water outside is the initial "
                         "condition's (outside_water = initial)");
    /* The beta-plane's reference latitude is read only by its gradient. */
    if (fc_cfg_real(cfg, "physics", "beta") == 0)
        n += fc_cfg_idle(cfg, err, "physics", "y0", fc_cfg_from_set(cfg, "physics", "beta"),
                         "f = f0 + beta (y - y0) does not depend on y0 without a beta");
    if (!strcmp(ic, "gaussian_bump") || !strcmp(ic, "vortex")) {
        if (fc_cfg_real(cfg, "initial", "depth") + fc_cfg_real(cfg, "initial", "amplitude") <= 0) {
            fc_cfg_error(cfg, err, "initial", "amplitude",
                         "the depth at the centre, depth + amplitude, must be positive");
            n++;
        }
    }
    if (!strcmp(ic, "vortex")) {
        double g = fc_cfg_real(cfg, "physics", "g"), a = fc_cfg_real(cfg, "initial", "amplitude");
        double R = fc_cfg_real(cfg, "initial", "radius");
        double f = coriolis_at(cfg, fc_cfg_real(cfg, "initial", "center_y"));
        /* The discriminant is smallest near r = R/sqrt(2) for a high; scan 0..4R. */
        for (int s = 1; s <= 400; s++) {
            double r = 4 * R * s / 400;
            if (vortex_discriminant(g, f, a, R, r) < 0) {
                fc_cfg_error(cfg, err, "initial", "amplitude",
                             "a high this strong has no gradient-wind balance with f = %g s-1 "
                             "(f^2 r^2/4 + g r dh/dr < 0 at r = %g m); lower it or raise "
                             "[physics] f0",
                             f, r);
                n++;
                break;
            }
        }
        if (fc_cfg_real(cfg, "physics", "beta") != 0) {
            fc_cfg_error(cfg, err, "physics", "beta",
                         "the vortex is balanced on an f-plane only: set beta = 0");
            n++;
        }
    }
    if (!strcmp(ic, "adjustment") &&
        fc_cfg_real(cfg, "initial", "depth") - fabs(fc_cfg_real(cfg, "initial", "step")) / 2 <= 0) {
        fc_cfg_error(cfg, err, "initial", "step", "the low side, depth - |step|/2, must be positive");
        n++;
    }
    /* A dam with every cell centre on one side of it, or the same depth on both, leaves the
     * lake uniform and at rest. */
    if (!strcmp(ic, "dambreak")) {
        const double x0 = fc_cfg_real(cfg, "grid", "x_min"), x1 = fc_cfg_real(cfg, "grid", "x_max");
        const double half = (x1 - x0) / (double)fc_cfg_int(cfg, "grid", "nx") / 2;
        const double dam = fc_cfg_real(cfg, "initial", "dam_x");
        if (!(dam > x0 + half && dam <= x1 - half)) {
            fc_cfg_error(cfg, err, "initial", "dam_x",
                         "every cell centre (%g to %g m) lies on one side of the dam: the initial "
                         "state would be uniform", x0 + half, x1 - half);
            n++;
        }
        if (fc_cfg_real(cfg, "initial", "depth_left") == fc_cfg_real(cfg, "initial", "depth_right")) {
            fc_cfg_error(cfg, err, "initial", "depth_right",
                         "the same depth on both sides of the dam: the initial state would be a "
                         "lake at rest");
            n++;
        }
    }
    if (!strcmp(ic, "standing_wave")) {
        if (fc_cfg_real(cfg, "initial", "depth") - fabs(fc_cfg_real(cfg, "initial", "amplitude")) <=
            0) {
            fc_cfg_error(cfg, err, "initial", "amplitude",
                         "the troughs, depth - |amplitude|, must be positive");
            n++;
        }
        static const char *const axis[2][3] = {{"wavenumber_x", "nx", "x"},
                                               {"wavenumber_y", "ny", "y"}};
        const long long m[2] = {fc_cfg_int(cfg, "initial", "wavenumber_x"),
                                fc_cfg_int(cfg, "initial", "wavenumber_y")};
        if (m[0] == 0 && m[1] == 0) {
            fc_cfg_error(cfg, err, "initial", "wavenumber_x",
                         "with wavenumber_x and wavenumber_y both 0 there is no wave");
            n++;
        }
        for (int d = 0; d < 2; d++)
            if (4 * m[d] > fc_cfg_int(cfg, "grid", axis[d][1])) {
                fc_cfg_error(cfg, err, "initial", axis[d][0],
                             "%lld wavelengths along %s on %lld cells: a wave needs at least 4 "
                             "cells", m[d], axis[d][2], fc_cfg_int(cfg, "grid", axis[d][1]));
                n++;
            }
    }
    if (!strcmp(ic, "kelvin_wave")) {
        const double H = fc_cfg_real(cfg, "initial", "depth");
        if (H - fabs(fc_cfg_real(cfg, "initial", "amplitude")) <= 0) {
            fc_cfg_error(cfg, err, "initial", "amplitude",
                         "the troughs, depth - |amplitude|, must be positive");
            n++;
        }
        const long long m = fc_cfg_int(cfg, "initial", "wavenumber_x");
        if (4 * m > fc_cfg_int(cfg, "grid", "nx")) {
            fc_cfg_error(cfg, err, "initial", "wavenumber_x",
                         "%lld wavelengths along x on %lld cells: a wave needs at least 4 cells",
                         m, fc_cfg_int(cfg, "grid", "nx"));
            n++;
        }
        /* Trapped within c/|f| of a wall, or sqrt(2c/beta) of the equator: a width the grid
         * must resolve, or the wave is a spike in its first row of cells. */
        const double y0 = fc_cfg_real(cfg, "grid", "y_min"), y1 = fc_cfg_real(cfg, "grid", "y_max");
        const double f0 = fc_cfg_real(cfg, "physics", "f0"), beta = fc_cfg_real(cfg, "physics", "beta");
        const double yr = fc_cfg_real(cfg, "physics", "y0");
        const double dy = (y1 - y0) / (double)fc_cfg_int(cfg, "grid", "ny");
        const double c = sqrt(fc_cfg_real(cfg, "physics", "g") * H);
        const double peak = swe_kelvin_peak(f0, beta, yr, y0, y1);
        const double near = peak + dy <= y1 ? peak + dy : peak - dy;
        if (!(kelvin_exponent(f0, beta, yr, peak, near) / c < 1)) {
            fc_cfg_error(cfg, err, "initial", "depth",
                         "the wave falls by more than a factor e within one cell (%g m) of its "
                         "peak at y = %g m: the grid does not resolve its width (c/|f| along a "
                         "wall, sqrt(2 c/beta) about the equator, c = sqrt(g depth) = %g m/s)",
                         dy, peak, c);
            n++;
        }
    }
    /* The jet's perturbation is made of its wavenumber's waves. */
    if (!strcmp(ic, "jet") && fc_cfg_real(cfg, "initial", "perturbation") == 0)
        n += fc_cfg_idle(cfg, err, "initial", "wavenumber",
                         fc_cfg_from_set(cfg, "initial", "perturbation"),
                         "there is no perturbation ([initial] perturbation = 0)");
    /* A feature with a centre and a radius (a bump, a vortex, a circular dam, a bowl) must reach
     * the domain (a Gaussian 3 radii, a circle 1) and be at least half a cell wide; else the
     * initial state is uniform, or the feature a spike between cell centres (a centre in km in a
     * domain in m). */
    const int lake = !strcmp(ic, "lake_at_rest");
    const int shape = lake ? fc_cfg_choice(cfg, "initial", "bump_shape") : SWE_BUMP_GAUSSIAN;
    const int ridge = shape == SWE_BUMP_GAUSSIAN_RIDGE || shape == SWE_BUMP_PARABOLIC_RIDGE;
    const int gaussian = !strcmp(ic, "gaussian_bump") || !strcmp(ic, "vortex") ||
                         (lake && (shape == SWE_BUMP_GAUSSIAN || shape == SWE_BUMP_GAUSSIAN_RIDGE));
    if (ridge)
        n += fc_cfg_idle(cfg, err, "initial", "center_y",
                         fc_cfg_from_set(cfg, "initial", "bump_shape"),
                         "a ridge runs across the whole domain along y");
    if (gaussian || lake || !strcmp(ic, "radial_dambreak") || !strcmp(ic, "paraboloid")) {
        const char *radius = !strcmp(ic, "lake_at_rest") ? "bump_radius" : "radius";
        const double R = fc_cfg_real(cfg, "initial", radius), reach = gaussian ? 3 * R : R;
        const double cx = fc_cfg_real(cfg, "initial", "center_x");
        const double cy = fc_cfg_real(cfg, "initial", "center_y");
        const double x0 = fc_cfg_real(cfg, "grid", "x_min"), x1 = fc_cfg_real(cfg, "grid", "x_max");
        const double y0 = fc_cfg_real(cfg, "grid", "y_min"), y1 = fc_cfg_real(cfg, "grid", "y_max");
        const double cell = fmin((x1 - x0) / (double)fc_cfg_int(cfg, "grid", "nx"),
                                 (y1 - y0) / (double)fc_cfg_int(cfg, "grid", "ny"));
        const double ex = fmax(fmax(x0 - cx, cx - x1), 0);
        const double ey = ridge ? 0 : fmax(fmax(y0 - cy, cy - y1), 0);
        if (!(hypot(ex, ey) < reach)) {
            fc_cfg_error(cfg, err, "initial", ex > 0 ? "center_x" : "center_y",
                         "the %s, within %g m of its centre (%g, %g) m%s, lies wholly outside "
                         "the domain [%g, %g] x [%g, %g] m: the initial state would be uniform",
                         ic, reach, cx, cy, gaussian ? " (3 radii)" : "", x0, x1, y0, y1);
            n++;
        }
        if (R < 0.5 * cell) {
            fc_cfg_error(cfg, err, "initial", radius,
                         "the %s is under half a cell (%g m) across: the grid does not "
                         "resolve it", ic, cell);
            n++;
        }
    }
    return n;
}

/* The parameters of the chosen initial condition, read from the case once (a lookup by name
 * per cell once took most of a large grid's set-up). Each reader fills what its condition uses. */
typedef struct swe_ic {
    double g, f0, beta, y0;                           /* [physics] */
    double depth, amplitude, radius, center_x, center_y; /* bump, vortex */
    double dam_x, depth_left, depth_right;            /* dambreak, radial_dambreak */
    double surface, bump_height, bump_radius;         /* lake_at_rest */
    int bump_shape;                                   /* enum swe_bump_shape */
    double step, step_x, step_width;                  /* adjustment */
    double jet_speed, jet_width, jet_y, perturbation; /* jet */
    double orbit;                                     /* paraboloid (and depth, radius, centre) */
    double x_min, kx;                                 /* jet: the perturbation's wavenumber */
    double y_min, ky;                                 /* standing_wave (and x_min, kx, depth) */
    double y_peak;                                    /* kelvin_wave (and x_min, kx, depth) */
} swe_ic;

static double coriolis(const swe_ic *p, double y) { return p->f0 + p->beta * (y - p->y0); }

static void read_physics(const fc_config *cfg, swe_ic *p)
{
    p->g = fc_cfg_real(cfg, "physics", "g");
    p->f0 = fc_cfg_real(cfg, "physics", "f0");
    p->beta = fc_cfg_real(cfg, "physics", "beta");
    p->y0 = fc_cfg_real(cfg, "physics", "y0");
}

static void read_dambreak(const fc_config *cfg, swe_ic *p)
{
    p->dam_x = fc_cfg_real(cfg, "initial", "dam_x");
    p->depth_left = fc_cfg_real(cfg, "initial", "depth_left");
    p->depth_right = fc_cfg_real(cfg, "initial", "depth_right");
}

/* A Gaussian's (or a circle's) centre and its radius (key radius_key). */
static void read_gaussian(const fc_config *cfg, const char *radius_key, swe_ic *p)
{
    p->radius = fc_cfg_real(cfg, "initial", radius_key);
    p->center_x = fc_cfg_real(cfg, "initial", "center_x");
    p->center_y = fc_cfg_real(cfg, "initial", "center_y");
}

/* Inside the circle: depth_left; outside: depth_right. */
static void read_radial_dambreak(const fc_config *cfg, swe_ic *p)
{
    p->depth_left = fc_cfg_real(cfg, "initial", "depth_inside");
    p->depth_right = fc_cfg_real(cfg, "initial", "depth_outside");
    read_gaussian(cfg, "radius", p);
}

static void read_lake(const fc_config *cfg, swe_ic *p)
{
    p->surface = fc_cfg_real(cfg, "initial", "surface");
    p->bump_height = fc_cfg_real(cfg, "initial", "bump_height");
    p->bump_shape = fc_cfg_choice(cfg, "initial", "bump_shape");
    read_gaussian(cfg, "bump_radius", p);
}

/* gaussian_bump and vortex. */
static void read_bump(const fc_config *cfg, swe_ic *p)
{
    p->depth = fc_cfg_real(cfg, "initial", "depth");
    p->amplitude = fc_cfg_real(cfg, "initial", "amplitude");
    read_gaussian(cfg, "radius", p);
}

static void read_paraboloid(const fc_config *cfg, swe_ic *p)
{
    p->depth = fc_cfg_real(cfg, "initial", "depth");
    p->orbit = fc_cfg_real(cfg, "initial", "orbit");
    read_gaussian(cfg, "radius", p);
}

static void read_adjustment(const fc_config *cfg, swe_ic *p)
{
    p->depth = fc_cfg_real(cfg, "initial", "depth");
    p->step = fc_cfg_real(cfg, "initial", "step");
    p->step_x = fc_cfg_real(cfg, "initial", "step_x");
    p->step_width = fc_cfg_real(cfg, "initial", "step_width");
}

static void read_jet(const fc_config *cfg, swe_ic *p)
{
    p->depth = fc_cfg_real(cfg, "initial", "depth");
    p->jet_speed = fc_cfg_real(cfg, "initial", "jet_speed");
    p->jet_width = fc_cfg_real(cfg, "initial", "jet_width");
    p->jet_y = fc_cfg_real(cfg, "initial", "jet_y");
    p->perturbation = fc_cfg_real(cfg, "initial", "perturbation");
    p->x_min = fc_cfg_real(cfg, "grid", "x_min");
    const double Lx = fc_cfg_real(cfg, "grid", "x_max") - p->x_min;
    p->kx = 2 * M_PI * (double)fc_cfg_int(cfg, "initial", "wavenumber") / Lx;
}

/* The wave's wavenumbers in m-1 from its counts of wavelengths along each side. */
/* standing_wave's and kelvin_wave's depth, amplitude and wavenumber along x. */
static void read_wave_x(const fc_config *cfg, swe_ic *p)
{
    p->depth = fc_cfg_real(cfg, "initial", "depth");
    p->amplitude = fc_cfg_real(cfg, "initial", "amplitude");
    p->x_min = fc_cfg_real(cfg, "grid", "x_min");
    p->y_min = fc_cfg_real(cfg, "grid", "y_min");
    p->kx = 2 * M_PI * (double)fc_cfg_int(cfg, "initial", "wavenumber_x") /
            (fc_cfg_real(cfg, "grid", "x_max") - p->x_min);
}

static void read_wave(const fc_config *cfg, swe_ic *p)
{
    read_wave_x(cfg, p);
    p->ky = 2 * M_PI * (double)fc_cfg_int(cfg, "initial", "wavenumber_y") /
            (fc_cfg_real(cfg, "grid", "y_max") - p->y_min);
}

static void read_kelvin(const fc_config *cfg, swe_ic *p)
{
    read_wave_x(cfg, p);
    p->y_peak = swe_kelvin_peak(fc_cfg_real(cfg, "physics", "f0"),
                                fc_cfg_real(cfg, "physics", "beta"),
                                fc_cfg_real(cfg, "physics", "y0"), p->y_min,
                                fc_cfg_real(cfg, "grid", "y_max"));
}

/* The values of every interior cell, from a function of (x, y): h, u, v, b. */
typedef void (*point_ic)(const swe_ic *p, double x, double y, double out[4]);

static void ic_dambreak(const swe_ic *p, double x, double y, double o[4])
{
    (void)y;
    o[0] = x < p->dam_x ? p->depth_left : p->depth_right;
    o[1] = o[2] = o[3] = 0;
}

static void ic_radial_dambreak(const swe_ic *p, double x, double y, double o[4])
{
    const double dx = x - p->center_x, dy = y - p->center_y;
    o[0] = dx * dx + dy * dy < p->radius * p->radius ? p->depth_left : p->depth_right;
    o[1] = o[2] = o[3] = 0;
}

static double gauss(const swe_ic *p, double x, double y)
{
    double dx = x - p->center_x;
    double dy = y - p->center_y;
    double R = p->radius;
    return exp(-(dx * dx + dy * dy) / (R * R));
}

static void ic_lake(const swe_ic *p, double x, double y, double o[4])
{
    const int ridge = p->bump_shape == SWE_BUMP_GAUSSIAN_RIDGE ||
                      p->bump_shape == SWE_BUMP_PARABOLIC_RIDGE;
    const double dx = x - p->center_x, dy = ridge ? 0 : y - p->center_y;
    const double r2 = (dx * dx + dy * dy) / (p->radius * p->radius);
    if (p->bump_shape == SWE_BUMP_GAUSSIAN || p->bump_shape == SWE_BUMP_GAUSSIAN_RIDGE)
        o[3] = p->bump_height * exp(-r2);
    else
        o[3] = r2 < 1 ? p->bump_height * (1 - r2) : 0;
    double h = p->surface - o[3];
    o[0] = h > 0 ? h : 0;
    o[1] = o[2] = 0;
}

static void ic_bump(const swe_ic *p, double x, double y, double o[4])
{
    o[0] = p->depth + p->amplitude * gauss(p, x, y);
    o[1] = o[2] = o[3] = 0;
}

static void ic_vortex(const swe_ic *p, double x, double y, double o[4])
{
    double g = p->g, a = p->amplitude;
    double R = p->radius;
    double dx = x - p->center_x;
    double dy = y - p->center_y;
    double f = coriolis(p, p->center_y);
    double r = sqrt(dx * dx + dy * dy);
    double disc = vortex_discriminant(g, f, a, R, r);
    double vt = -f * r / 2 + (f < 0 ? -1 : 1) * sqrt(disc > 0 ? disc : 0);
    o[0] = p->depth + a * exp(-r * r / (R * R));
    o[1] = r > 0 ? -vt * dy / r : 0;
    o[2] = r > 0 ? vt * dx / r : 0;
    o[3] = 0;
}

void swe_paraboloid(double g, double h0, double a, double eta, double t, double X, double Y,
                    double o[4])
{
    const double w = sqrt(2 * g * h0) / a, c = cos(w * t), s = sin(w * t);
    const double b = -h0 * (1 - (X * X + Y * Y) / (a * a));
    const double h = eta * h0 / (a * a) * (2 * X * c + 2 * Y * s - eta) - b;
    const int wet = h > 0;
    o[0] = wet ? h : 0;
    o[1] = wet ? -eta * w * s : 0;
    o[2] = wet ? eta * w * c : 0;
    o[3] = b;
}

static void ic_paraboloid(const swe_ic *p, double x, double y, double o[4])
{
    swe_paraboloid(p->g, p->depth, p->radius, p->orbit, 0, x - p->center_x, y - p->center_y, o);
}

static void ic_adjustment(const swe_ic *p, double x, double y, double o[4])
{
    (void)y;
    double s = x - p->step_x;
    double w = p->step_width;
    double shape = w > 0 ? -tanh(s / w) : (s < 0) - (s > 0);
    o[0] = p->depth + p->step / 2 * shape;
    o[1] = o[2] = o[3] = 0;
}

void swe_standing_wave(double g, double H, double a, double f, double kx, double ky, double t,
                       double X, double Y, double o[3])
{
    const double k2 = kx * kx + ky * ky, w = sqrt(f * f + g * H * k2), s = f * f / (w * w);
    const double S = cos(kx * X) * cos(ky * Y);
    const double Sx = -kx * sin(kx * X) * cos(ky * Y), Sy = -ky * cos(kx * X) * sin(ky * Y);
    const double D = a * (1 - s) * w * sin(w * t) / H, Z = f * a * (1 - s) * (cos(w * t) - 1) / H;
    o[0] = H + a * S * (s + (1 - s) * cos(w * t));
    o[1] = -(D * Sx - Z * Sy) / k2;
    o[2] = -(D * Sy + Z * Sx) / k2;
}

static void ic_wave(const swe_ic *p, double x, double y, double o[4])
{
    swe_standing_wave(p->g, p->depth, p->amplitude, p->f0, p->kx, p->ky, 0, x - p->x_min,
                      y - p->y_min, o);
    o[1] = o[2] = o[3] = 0;
}

double swe_kelvin_peak(double f0, double beta, double y0, double y_min, double y_max)
{
    /* F is a parabola (a line when beta = 0): its least value on [y_min, y_max] lies at an end
     * or where f = 0. */
    double best = y_min;
    const double cands[2] = {y_max, beta != 0 ? y0 - f0 / beta : y_min};
    for (int k = 0; k < 2; k++)
        if (cands[k] >= y_min && cands[k] <= y_max &&
            kelvin_exponent(f0, beta, y0, best, cands[k]) < 0)
            best = cands[k];
    return best;
}

void swe_kelvin_wave(double g, double H, double a, double f0, double beta, double y0,
                     double y_peak, double kx, double t, double X, double y, double o[3])
{
    const double c = sqrt(g * H);
    const double eta = a * exp(-kelvin_exponent(f0, beta, y0, y_peak, y) / c) *
                       cos(kx * (X - c * t));
    o[0] = H + eta;
    o[1] = g / c * eta;
    o[2] = 0;
}

static void ic_kelvin(const swe_ic *p, double x, double y, double o[4])
{
    swe_kelvin_wave(p->g, p->depth, p->amplitude, p->f0, p->beta, p->y0, p->y_peak, p->kx, 0,
                    x - p->x_min, y, o);
    o[3] = 0;
}

static double log_cosh(double s)
{
    double a = fabs(s);
    return a + log1p(exp(-2 * a)) - log(2.0);
}

static void ic_jet(const swe_ic *p, double x, double y, double o[4])
{
    double g = p->g, beta = p->beta;
    double U0 = p->jet_speed;
    double L = p->jet_width;
    double yj = p->jet_y;
    double s = (y - yj) / L, sech2 = 1 / (cosh(s) * cosh(s)), th = tanh(s);
    o[0] = p->depth - U0 * L / g * (coriolis(p, yj) * th + beta * L * (s * th - log_cosh(s))) +
           p->perturbation * cos(p->kx * (x - p->x_min)) * sech2;
    o[1] = U0 * sech2;
    o[2] = o[3] = 0;
}

/* The file's values before they are interpolated onto the grid ([initial] interpolate): the
 * surface level h + b and the velocity of wet points, 0 at dry ones, and the wet indicator (a
 * fifth slot, FILE_WET), so that a dry point's bottom never raises a wet cell's surface along a
 * shore (swe_regrid_source does the same for a restart). The bottom is interpolated as it is. */
enum { FILE_WET = SWE_NFIELDS };

static void file_source(const void *params, double *const *src, size_t n)
{
    const double h_dry = ((const swe_params *)params)->h_dry;
    for (size_t k = 0; k < n; k++) {
        const double h = src[SWE_H][k], wet = h > h_dry;
        src[SWE_H][k] = wet ? h + (src[SWE_B] ? src[SWE_B][k] : 0) : 0;
        for (int f = SWE_HU; f <= SWE_HV; f++)
            if (src[f])
                src[f][k] = wet ? src[f][k] : 0;
        src[FILE_WET][k] = wet;
    }
}

/* h, u, v and b from the file named by [initial] (an empty variable name: zeros), on the
 * grid's cells or interpolated onto them; then the momentum hu, hv. Interpolated, the depth is
 * the wet points' surface over the interpolated bottom, so that a lake at rest stays at rest
 * up to its shore; a cell no wet point reaches is dry. */
static int ic_file(const fc_config *cfg, const fc_grid *g, const swe_params *p, fc_state *host,
                   fc_err *err)
{
    const char *keys[SWE_NFIELDS] = {"h_var", "u_var", "v_var", "b_var"};
    const char *vars[SWE_NFIELDS + 1];
    for (int f = 0; f < SWE_NFIELDS; f++)
        vars[f] = *fc_cfg_str(cfg, "initial", keys[f]) ? fc_cfg_str(cfg, "initial", keys[f])
                                                        : NULL;
    if (!vars[SWE_H])
        return fc_fail(err, FC_EINPUT, "%s: [initial] h_var must name the depth variable",
                       cfg->path);
    vars[FILE_WET] = vars[SWE_H];
    char *path = fc_cfg_path(cfg, "initial", "path");
    fc_real *wet = fc_grid_alloc(g);
    if (!path || !wet) {
        free(path), free(wet);
        return fc_fail(err, FC_ENOMEM, "out of memory");
    }
    fc_real *const fields[SWE_NFIELDS + 1] = {host->f[SWE_H], host->f[SWE_HU], host->f[SWE_HV],
                                              host->f[SWE_B], wet};
    const fc_ncio_field_grid how = {
        .interpolate = fc_cfg_choice(cfg, "initial", "interpolate") == 1,
        .periodic = {fc_cfg_choice(cfg, "boundary", "west") == FC_BC_PERIODIC,
                     fc_cfg_choice(cfg, "boundary", "south") == FC_BC_PERIODIC},
        .enable = "[initial] interpolate = bilinear",
        .source = file_source,
        .ctx = p,
        .units = (const char *const[]){"m", "m s-1", "m s-1", "m", "m"}};
    int interpolated;
    int st = fc_ncio_read_fields(path, SWE_NFIELDS + 1, vars, g, &how, fields, &interpolated,
                                 err);
    if (st)
        fc_err_append(err, "(the initial state of %s: [initial] type = file, path = %s)",
                      cfg->path, fc_cfg_str(cfg, "initial", "path"));
    free(path);
    fc_real *const *f = host->f;
    for (int j = 0; j < g->ny && !st; j++)
        for (int i = 0; i < g->nx; i++) {
            const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
            if (interpolated) {
                const fc_real w = wet[k];
                f[SWE_H][k] = w > 0 ? (fc_real)fmax(f[SWE_H][k] / w - f[SWE_B][k], 0) : 0;
                f[SWE_HU][k] = w > 0 && f[SWE_H][k] > p->h_dry ? f[SWE_HU][k] / w : 0;
                f[SWE_HV][k] = w > 0 && f[SWE_H][k] > p->h_dry ? f[SWE_HV][k] / w : 0;
            }
            f[SWE_HU][k] *= f[SWE_H][k];
            f[SWE_HV][k] *= f[SWE_H][k];
        }
    free(wet);
    return st;
}

/* The state must be physical before the first step: finite everywhere, h >= 0. */
static int check_initial(const fc_config *cfg, const fc_grid *g, const fc_state *host,
                         fc_err *err)
{
    const char *ic = ic_name(cfg);
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
            for (int f = 0; f < SWE_NFIELDS; f++)
                if (!isfinite((double)host->f[f][k]))
                    return fc_fail(err, FC_EINPUT,
                                   "%s: initial condition '%s' gives %s = %g at cell (i=%d, j=%d)",
                                   cfg->path, ic, swe_solver.io.field_names[f],
                                   (double)host->f[f][k], g->i0 + i, g->j0 + j);
            if (host->f[SWE_H][k] < 0)
                return fc_fail(err, FC_EINPUT,
                               "%s: initial condition '%s' gives a negative depth h = %g at "
                               "cell (i=%d, j=%d), x = %g m, y = %g m",
                               cfg->path, ic, (double)host->f[SWE_H][k], g->i0 + i, g->j0 + j,
                               fc_grid_x(g, i), fc_grid_y(g, j));
        }
    return FC_OK;
}

/* A condition given by its values at each cell centre: its keys read once, then fn at every
 * centre, hu and hv from h and the velocities. */
static int set_pointwise(const fc_config *cfg, const fc_grid *g, fc_state *host,
                         void (*read)(const fc_config *cfg, swe_ic *p), point_ic fn, fc_err *err)
{
    swe_ic p;
    memset(&p, 0, sizeof p);
    read_physics(cfg, &p);
    read(cfg, &p);
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            double o[4];
            fn(&p, fc_grid_x(g, i), fc_grid_y(g, j), o);
            ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
            host->f[SWE_H][k] = (fc_real)o[0];
            host->f[SWE_HU][k] = (fc_real)(o[0] * o[1]);
            host->f[SWE_HV][k] = (fc_real)(o[0] * o[2]);
            host->f[SWE_B][k] = (fc_real)o[3];
        }
    return check_initial(cfg, g, host, err);
}

#define SWE_POINTWISE(name, read, fn)                                                            \
    static int set_##name(const fc_config *cfg, const fc_grid *g, const void *params,            \
                          fc_state *host, fc_err *err)                                           \
    {                                                                                            \
        (void)params;                                                                            \
        return set_pointwise(cfg, g, host, read, fn, err);                                       \
    }
SWE_POINTWISE(dambreak, read_dambreak, ic_dambreak)
SWE_POINTWISE(radial_dambreak, read_radial_dambreak, ic_radial_dambreak)
SWE_POINTWISE(lake, read_lake, ic_lake)
SWE_POINTWISE(bump, read_bump, ic_bump)
SWE_POINTWISE(vortex, read_bump, ic_vortex)
SWE_POINTWISE(paraboloid, read_paraboloid, ic_paraboloid)
SWE_POINTWISE(adjustment, read_adjustment, ic_adjustment)
SWE_POINTWISE(jet, read_jet, ic_jet)
SWE_POINTWISE(wave, read_wave, ic_wave)
SWE_POINTWISE(kelvin, read_kelvin, ic_kelvin)

static int set_file(const fc_config *cfg, const fc_grid *g, const void *params, fc_state *host,
                    fc_err *err)
{
    int st = ic_file(cfg, g, params, host, err);
    return st ? st : check_initial(cfg, g, host, err);
}

const fc_ic_spec swe_ics[SWE_NICS] = {
    {"dambreak", "a dam at x = dam_x between two depths at rest (Stoker; Ritter when dry)",
     set_dambreak, 1},
    {"radial_dambreak", "a circular dam between two depths at rest (PDEBench's 2-D SWE task)",
     set_radial_dambreak, 1},
    {"lake_at_rest", "flat surface over a bump or island (Gaussian or parabolic; round, or a "
     "ridge across the domain): must stay at rest", set_lake, 1},
    {"gaussian_bump", "a Gaussian hump of water at rest: gravity waves", set_bump, 1},
    {"vortex", "a Gaussian low or high in exact gradient-wind balance: must stay steady",
     set_vortex, 1},
    {"paraboloid", "Thacker's planar surface circling a paraboloid bowl: an exact moving shore",
     set_paraboloid, 1},
    {"adjustment", "geostrophic adjustment of a depth step (Rossby 1938, Gill 1982 7.2)",
     set_adjustment, 1},
    {"jet", "an unstable zonal jet in geostrophic balance on a beta-plane: rolls up into eddies",
     set_jet, 1},
    {"standing_wave",
     "a standing wave at rest: gravity or inertia-gravity (Poincare) waves, exact when linear "
     "(with rotation, on periodic sides)",
     set_wave, 1},
    {"kelvin_wave",
     "a Kelvin wave along the south or north wall (f-plane) or the equator (beta-plane): exact "
     "when linear",
     set_kelvin, 1},
    {"file", "h, u, v and b read from a NetCDF file", set_file, 1},
};
