/*
 * swe.c: the shallow-water solver's description: case keys, parameters, output variables and
 * diagnostics (equations and method in swe.h; initial conditions in swe_cases.c).
 */
#include <fc_build.h>

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "solvers/swe/swe.h"
#include "solvers/swe/swe_cases.h"
#include "src/core/link.h"
#include "src/core/repro_sum.h"

#define INF INFINITY

/* The default dry depth: in single precision a level of 0.1 m rounds at 1e-8 m, so thinner films
 * are noise whose velocity hu/h (of rounded hu over rounded h) would set dt: Thacker's
 * paraboloid took 21,001 steps with 1e-8, 4,320 with 1e-6 (double: 4,997). */
#ifdef FC_SINGLE
#define SWE_DRY_DEPTH "1e-6"
#else
#define SWE_DRY_DEPTH "1e-8"
#endif

static const fc_key swe_keys[] = {
    {"physics", "g", FC_KEY_REAL, "9.81", 0, INF, FC_OPEN_LO, NULL, "m s-2", NULL,
     "gravitational acceleration"},
    {"physics", "f0", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "s-1", NULL,
     "Coriolis parameter at y = y0"},
    {"physics", "beta", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m-1 s-1", NULL,
     "beta-plane gradient: f = f0 + beta (y - y0)"},
    {"physics", "y0", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", NULL,
     "reference latitude of the beta-plane, as y"},
    {"physics", "linear_drag", FC_KEY_REAL, "0", 0, INF, 0, NULL, "s-1", NULL,
     "linear bottom drag r: d(hu)/dt = -r hu"},
    {"physics", "quadratic_drag", FC_KEY_REAL, "0", 0, INF, 0, NULL, "1", NULL,
     "quadratic bottom drag coefficient C_d: d(hu)/dt = -C_d |u| u"},
    {"boundary", "inflow_discharge", FC_KEY_REAL, "0", 0, INF, 0, NULL, "m2 s-1", NULL,
     "discharge per unit width that enters through each inflow side, normal to it (required "
     "with an inflow side; its depth follows from the flow inside, unless inflow_depth is given)"},
    {"boundary", "inflow_depth", FC_KEY_REAL, "0", 0, INF, 0, NULL, "m", NULL,
     "depth of a supercritical inflow (q / h faster than sqrt(g h)): both characteristics "
     "enter, so the depth is held with the discharge; leave it out for a subcritical inflow"},
    {"boundary", "outside_water", FC_KEY_CHOICE, "initial", 0, 0, 0, "initial|given", "", NULL,
     "the water beyond the open sides, toward which waves leave: the initial condition's along "
     "each side, or given by outside_level and outside_current (a river's downstream stage)"},
    {"boundary", "outside_level", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", NULL,
     "surface level b + h of the water beyond the open sides (outside_water = given)"},
    {"boundary", "outside_current", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m s-1", NULL,
     "its current along each open side's outward normal, > 0 flowing out (outside_water = "
     "given; for a channel, the discharge per unit width over the depth outside)"},
    {"numerics", "flux", FC_KEY_CHOICE, "hllc", 0, 0, 0, "hll|hllc", "", NULL,
     "approximate Riemann solver"},
    {"numerics", "limiter", FC_KEY_CHOICE, "mc", 0, 0, 0, FC_LIMITER_CHOICES, "", NULL,
     "MUSCL slope limiter: mc least diffusive, for waves; for a flow meant to settle (steady_tol) "
     "vanalbada, or minmod where it has a hydraulic jump: under mc and vanleer a steady flow "
     "over a kinked bottom swings forever by about 1e-3 of its discharge"},
    {"numerics", "time_scheme", FC_KEY_CHOICE, "ssprk3", 0, 0, 0, "ssprk2|ssprk3", "", NULL,
     "strong-stability-preserving Runge-Kutta scheme"},
    {"numerics", "dry_depth", FC_KEY_REAL, SWE_DRY_DEPTH, 0, 1, FC_OPEN_LO, NULL, "m", NULL,
     "depth below which a cell is dry (no velocity; 1e-8, or 1e-6 in single precision)"},

    {"initial", "dam_x", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", "dambreak",
     "position of the dam (x)"},
    {"initial", "depth_left", FC_KEY_REAL, NULL, 0, INF, FC_OPEN_LO, NULL, "m", "dambreak",
     "depth behind the dam (x < dam_x)"},
    {"initial", "depth_right", FC_KEY_REAL, NULL, 0, INF, 0, NULL, "m", "dambreak",
     "depth in front of the dam (0: dry bed)"},

    {"initial", "depth_inside", FC_KEY_REAL, "2", 0, INF, FC_OPEN_LO, NULL, "m",
     "radial_dambreak", "depth inside the circular dam"},
    {"initial", "depth_outside", FC_KEY_REAL, "1", 0, INF, 0, NULL, "m", "radial_dambreak",
     "depth outside it (0: dry bed)"},
    {"initial", "radius", FC_KEY_REAL, "0.5", 0, INF, FC_OPEN_LO, NULL, "m", "radial_dambreak",
     "radius of the dam"},
    {"initial", "center_x", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", "radial_dambreak",
     "centre (x)"},
    {"initial", "center_y", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", "radial_dambreak",
     "centre (y)"},

    {"initial", "surface", FC_KEY_REAL, NULL, -INF, INF, 0, NULL, "m", "lake_at_rest",
     "level of the lake surface eta"},
    {"initial", "bump_height", FC_KEY_REAL, "0.2", 0, INF, 0, NULL, "m", "lake_at_rest",
     "height A of the bottom bump (above surface: an island)"},
    {"initial", "bump_radius", FC_KEY_REAL, "0.1", 0, INF, FC_OPEN_LO, NULL, "m", "lake_at_rest",
     "radius R of the bump: e-folding for a Gaussian, where a parabolic one meets the floor"},
    {"initial", "bump_shape", FC_KEY_CHOICE, "gaussian", 0, 0, 0,
     "gaussian|parabolic|gaussian_ridge|parabolic_ridge", "", "lake_at_rest",
     "b = A exp(-r^2/R^2) or A (1 - r^2/R^2) within R, r from the centre, or for a ridge across "
     "the domain from the line x = center_x (parabolic_ridge: Goutal & Maurel's bump)"},
    {"initial", "center_x", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", "lake_at_rest",
     "centre of the bump (x)"},
    {"initial", "center_y", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", "lake_at_rest",
     "centre of the bump (y)"},

    {"initial", "depth", FC_KEY_REAL, NULL, 0, INF, FC_OPEN_LO, NULL, "m", "gaussian_bump",
     "undisturbed depth H"},
    {"initial", "amplitude", FC_KEY_REAL, NULL, -INF, INF, 0, NULL, "m", "gaussian_bump",
     "height a of the bump h = H + a exp(-r^2/R^2)"},
    {"initial", "radius", FC_KEY_REAL, NULL, 0, INF, FC_OPEN_LO, NULL, "m", "gaussian_bump",
     "e-folding radius R"},
    {"initial", "center_x", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", "gaussian_bump",
     "centre (x)"},
    {"initial", "center_y", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", "gaussian_bump",
     "centre (y)"},

    {"initial", "depth", FC_KEY_REAL, NULL, 0, INF, FC_OPEN_LO, NULL, "m", "vortex",
     "depth H far from the vortex"},
    {"initial", "amplitude", FC_KEY_REAL, NULL, -INF, INF, 0, NULL, "m", "vortex",
     "depth anomaly a at the centre, h = H + a exp(-r^2/R^2) (a < 0: a low)"},
    {"initial", "radius", FC_KEY_REAL, NULL, 0, INF, FC_OPEN_LO, NULL, "m", "vortex",
     "e-folding radius R"},
    {"initial", "center_x", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", "vortex", "centre (x)"},
    {"initial", "center_y", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", "vortex", "centre (y)"},

    {"initial", "depth", FC_KEY_REAL, "0.1", 0, INF, FC_OPEN_LO, NULL, "m", "paraboloid",
     "depth h0 of the bowl's bottom below the rest level, at its centre"},
    {"initial", "radius", FC_KEY_REAL, "1", 0, INF, FC_OPEN_LO, NULL, "m", "paraboloid",
     "radius a of the water's disc (where the bottom b = -h0 (1 - r^2/a^2) meets the rest level)"},
    {"initial", "orbit", FC_KEY_REAL, "0.5", 0, INF, 0, NULL, "m", "paraboloid",
     "radius eta of the circle the disc's centre moves on, once every 2 pi a / sqrt(2 g h0)"},
    {"initial", "center_x", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", "paraboloid",
     "centre of the bowl (x)"},
    {"initial", "center_y", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", "paraboloid",
     "centre of the bowl (y)"},

    {"initial", "depth", FC_KEY_REAL, NULL, 0, INF, FC_OPEN_LO, NULL, "m", "adjustment",
     "mean depth H"},
    {"initial", "step", FC_KEY_REAL, NULL, -INF, INF, 0, NULL, "m", "adjustment",
     "height of the step: h = H + step/2 west of step_x, H - step/2 east"},
    {"initial", "step_x", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", "adjustment",
     "position of the step (x)"},
    {"initial", "step_width", FC_KEY_REAL, "0", 0, INF, 0, NULL, "m", "adjustment",
     "width of a tanh step (0: sharp)"},

    {"initial", "depth", FC_KEY_REAL, NULL, 0, INF, FC_OPEN_LO, NULL, "m", "jet",
     "depth H at the jet axis before the balancing slope"},
    {"initial", "jet_speed", FC_KEY_REAL, NULL, -INF, INF, 0, NULL, "m s-1", "jet",
     "peak speed U0 of the jet u = U0 sech^2((y - jet_y)/L)"},
    {"initial", "jet_width", FC_KEY_REAL, NULL, 0, INF, FC_OPEN_LO, NULL, "m", "jet",
     "half-width L of the jet"},
    {"initial", "jet_y", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", "jet", "jet axis (y)"},
    {"initial", "perturbation", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", "jet",
     "depth perturbation a cos(2 pi k x / Lx) sech^2((y - jet_y)/L) that seeds the instability"},
    {"initial", "wavenumber", FC_KEY_INT, "4", 1, 1 << 20, 0, NULL, "1", "jet",
     "number k of perturbation waves along the domain"},

    {"initial", "depth", FC_KEY_REAL, NULL, 0, INF, FC_OPEN_LO, NULL, "m", "standing_wave",
     "undisturbed depth H"},
    {"initial", "amplitude", FC_KEY_REAL, NULL, -INF, INF, 0, NULL, "m", "standing_wave",
     "amplitude a: h = H + a cos(2 pi m (x - x_min) / Lx) cos(2 pi n (y - y_min) / Ly)"},
    {"initial", "wavenumber_x", FC_KEY_INT, "1", 0, 1 << 20, 0, NULL, "1", "standing_wave",
     "number m of wavelengths along x"},
    {"initial", "wavenumber_y", FC_KEY_INT, "0", 0, 1 << 20, 0, NULL, "1", "standing_wave",
     "number n of wavelengths along y"},

    {"initial", "depth", FC_KEY_REAL, NULL, 0, INF, FC_OPEN_LO, NULL, "m", "kelvin_wave",
     "undisturbed depth H (the wave's speed c = sqrt(g H))"},
    {"initial", "amplitude", FC_KEY_REAL, NULL, -INF, INF, 0, NULL, "m", "kelvin_wave",
     "amplitude a at the wall or the equator: h = H + a exp(-F(y)/c) cos(2 pi m (x - x_min)/Lx)"},
    {"initial", "wavenumber_x", FC_KEY_INT, "1", 1, 1 << 20, 0, NULL, "1", "kelvin_wave",
     "number m of wavelengths along x"},

    {"initial", "path", FC_KEY_STRING, NULL, 0, 0, 0, NULL, "", "file",
     "NetCDF file with the fields (relative to the case file; from --set, to the working "
     "folder)"},
    {"initial", "h_var", FC_KEY_STRING, "h", 0, 0, 0, NULL, "", "file", "variable of depth (m)"},
    {"initial", "u_var", FC_KEY_STRING, "u", 0, 0, 0, NULL, "", "file",
     "variable of x velocity (m s-1; empty: 0)"},
    {"initial", "v_var", FC_KEY_STRING, "v", 0, 0, 0, NULL, "", "file",
     "variable of y velocity (m s-1; empty: 0)"},
    {"initial", "b_var", FC_KEY_STRING, "b", 0, 0, 0, NULL, "", "file",
     "variable of bottom height (m; empty: flat)"},
    {"initial", "interpolate", FC_KEY_CHOICE, "no", 0, 0, 0, "no|bilinear", "", "file",
     "a file on other points than the cells (by its x and y coordinates): refused, or "
     "interpolated bilinearly"},
};


static int swe_make_params(const fc_config *cfg, const fc_grid *g, void **out, fc_err *err)
{
    swe_params *p = calloc(1, sizeof *p);
    if (!p)
        return fc_fail(err, FC_ENOMEM, "out of memory");
    p->g = (fc_real)fc_cfg_real(cfg, "physics", "g");
    p->f0 = (fc_real)fc_cfg_real(cfg, "physics", "f0");
    p->beta = (fc_real)fc_cfg_real(cfg, "physics", "beta");
    p->y0 = (fc_real)fc_cfg_real(cfg, "physics", "y0");
    p->drag_lin = (fc_real)fc_cfg_real(cfg, "physics", "linear_drag");
    p->drag_quad = (fc_real)fc_cfg_real(cfg, "physics", "quadratic_drag");
    p->h_dry = (fc_real)fc_cfg_real(cfg, "numerics", "dry_depth");
    p->flux = fc_cfg_choice(cfg, "numerics", "flux");
    p->limiter = fc_cfg_choice(cfg, "numerics", "limiter");
    p->rk = fc_cfg_choice(cfg, "numerics", "time_scheme");
    p->inflow_q = (fc_real)fc_cfg_real(cfg, "boundary", "inflow_discharge");
    p->inflow_h = fc_cfg_defaulted(cfg, "boundary", "inflow_depth")
                      ? 0
                      : (fc_real)fc_cfg_real(cfg, "boundary", "inflow_depth");
    p->outside_given = fc_cfg_choice(cfg, "boundary", "outside_water") == SWE_OUTSIDE_GIVEN;
    p->outside_level = (fc_real)fc_cfg_real(cfg, "boundary", "outside_level");
    p->outside_current = (fc_real)fc_cfg_real(cfg, "boundary", "outside_current");
    p->grid = *g;
    *out = p;
    return FC_OK;
}

/* The water outside each side: the initial condition's mean surface level h + b along its edge,
 * and its current, the edge's transport over its depth (sum of hu, hv over sum of h; 0 where
 * the edge is dry). On a block of a split grid, the edges' values are first shared (each is one
 * block's, the others add zeros, so the sum is exact) and summed in the one process's order:
 * the same bits. Collective. */
static int swe_reference(void *params, const fc_grid *g, const fc_state *initial, fc_err *err)
{
    swe_params *p = params;
    const int nxw = g->nx_whole, nyw = g->ny_whole, n = 2 * (nxw + nyw);
    /* Four blocks of n: h + b, h, hu and hv of each edge cell, the sides in each block west,
     * east (along y), south, north. */
    enum { LEVEL, DEPTH, HU, HV, EDGE_VALUES };
    double *edges = calloc((size_t)EDGE_VALUES * n, sizeof *edges);
    if (!edges)
        return fc_fail(err, FC_ENOMEM, "out of memory for the open sides' outside water");
    const int start[4] = {[FC_WEST] = 0, [FC_EAST] = nyw, [FC_SOUTH] = 2 * nyw,
                          [FC_NORTH] = 2 * nyw + nxw};
    for (int side = 0; side < 4; side++) {
        const int along_y = side == FC_WEST || side == FC_EAST; /* the side runs along y */
        const int touches = side == FC_WEST    ? g->i0 == 0
                            : side == FC_EAST  ? g->i0 + g->nx == nxw
                            : side == FC_SOUTH ? g->j0 == 0
                                               : g->j0 + g->ny == nyw;
        for (int m = 0; touches && m < (along_y ? g->ny : g->nx); m++) {
            const int i = along_y ? (side == FC_WEST ? 0 : g->nx - 1) : m;
            const int j = along_y ? m : (side == FC_SOUTH ? 0 : g->ny - 1);
            const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
            double *e = edges + start[side] + (along_y ? g->j0 : g->i0) + m;
            e[LEVEL * n] = (double)initial->f[SWE_H][k] + initial->f[SWE_B][k];
            e[DEPTH * n] = initial->f[SWE_H][k];
            e[HU * n] = initial->f[SWE_HU][k];
            e[HV * n] = initial->f[SWE_HV][k];
        }
    }
    fc_grid_sum_n(g, edges, EDGE_VALUES * n);
    for (int side = 0; side < 4; side++) {
        const int along_y = side == FC_WEST || side == FC_EAST, len = along_y ? nyw : nxw;
        double sum[EDGE_VALUES] = {0};
        for (int q = 0; q < EDGE_VALUES; q++)
            for (int m = 0; m < len; m++)
                sum[q] += edges[q * n + start[side] + m];
        /* The level is the wet edge cells' mean: a dry cell's h + b is its bottom, and an island
         * crossing the side raised the outside water above a lake at rest, which then flowed
         * in. A side dry from end to end has dry land beyond it, no higher than its lowest
         * bottom, so that water reaching it later finds no source there. */
        double wet_level = 0, lowest = INFINITY;
        int wet = 0;
        for (int m = 0; m < len; m++) {
            const double level = edges[LEVEL * n + start[side] + m],
                         depth = edges[DEPTH * n + start[side] + m];
            if (depth > p->h_dry)
                wet_level += level, wet++;
            lowest = fmin(lowest, level - depth);
        }
        const double out = side == FC_EAST || side == FC_NORTH ? 1 : -1; /* outward normal */
        const double normal = along_y ? sum[HU] : sum[HV], along = along_y ? sum[HV] : sum[HU];
        p->open[side].level = (fc_real)(wet ? wet_level / wet : lowest);
        p->open[side].normal = sum[DEPTH] > 0 ? (fc_real)(out * normal / sum[DEPTH]) : 0;
        p->open[side].along = sum[DEPTH] > 0 ? (fc_real)(along / sum[DEPTH]) : 0;
        if (p->outside_given)
            p->open[side] = (swe_outside){p->outside_level, p->outside_current, 0};
    }
    free(edges);
    return FC_OK;
}

/* Three sets of (h, hu, hv) and the bottom. */
static double swe_mem_per_cell(const void *params)
{
    (void)params;
    return 3 * 3 + 1;
}

/* Per stage: read U (h, hu, hv, b); read U0 (3) after the first; write 3. */
static double swe_bytes_per_cell_step(const void *params)
{
    const swe_params *p = params;
    int n = swe_nstages(p->rk);
    return (double)sizeof(fc_real) * (n * (4 + 3) + (n - 1) * 3);
}

/* Before a restart onto another grid interpolates the file's fields (fc_solver_io.
 * regrid_source): in a wet cell the surface level h + b and the velocity, and 1 in the bottom's
 * place; 0 for all in a dry one. Interpolated, the bottom's place holds the wet fraction of the
 * weights, and the others divided by it are the wet cells' surface and velocity alone. */
static void swe_regrid_source(const void *params, double *const *src, size_t n)
{
    const double h_dry = ((const swe_params *)params)->h_dry;
    for (size_t k = 0; k < n; k++) {
        const double h = src[SWE_H][k], wet = h > h_dry;
        src[SWE_H][k] = wet ? h + src[SWE_B][k] : 0;
        src[SWE_HU][k] = wet ? src[SWE_HU][k] / h : 0;
        src[SWE_HV][k] = wet ? src[SWE_HV][k] / h : 0;
        src[SWE_B][k] = wet;
    }
}

/* After it (fc_solver_io.regridded): the case's bottom, and the wet cells' interpolated surface
 * level over it, so that water at rest over a sloping bottom or up to a shore stays at rest
 * (interpolating h itself would tilt the surface by the bottom's curvature, and a dry cell's
 * bottom would raise the surface along the shore); the interpolated velocity carried by the new
 * depth. A cell no wet cell of the file reaches is dry. */
static int swe_regridded(const void *params, const fc_grid *g, fc_state *state,
                         const fc_state *initial, fc_err *err)
{
    (void)err;
    const fc_real h_dry = ((const swe_params *)params)->h_dry;
    fc_real *const *f = state->f;
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
            const fc_real wet = f[SWE_B][k], b = initial->f[SWE_B][k];
            const fc_real depth = wet > 0 ? (fc_real)fmax(f[SWE_H][k] / wet - b, 0) : 0;
            f[SWE_HU][k] = depth > h_dry ? depth * (f[SWE_HU][k] / wet) : 0;
            f[SWE_HV][k] = depth > h_dry ? depth * (f[SWE_HV][k] / wet) : 0;
            f[SWE_H][k] = depth;
            f[SWE_B][k] = b;
        }
    return FC_OK;
}

/* After every restart (fc_solver_io.restarted): the case's bottom where it differs from the
 * file's (the case changed a bump's height or its bathymetry file since), as --regrid takes it
 * (swe_regridded, which has done so already after a regrid): each wet cell keeps its surface
 * level and velocity over the new bottom, a dry cell stays dry. Where the bottoms agree, every
 * bit of the file's state is kept. */
static int swe_restarted(const fc_config *cfg, const void *params, const fc_grid *g,
                         fc_state *state, const fc_state *initial, int regridded, char *note,
                         size_t note_size, fc_err *err)
{
    (void)cfg;
    (void)err;
    note[0] = 0;
    if (regridded || !initial)
        return FC_OK;
    const fc_real h_dry = ((const swe_params *)params)->h_dry;
    fc_real *const *f = state->f;
    double changed = 0; /* a count: its sum over the ranks is exact */
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
            const fc_real b = initial->f[SWE_B][k], h = f[SWE_H][k];
            if (f[SWE_B][k] == b)
                continue;
            changed++;
            if (h > h_dry) {
                const fc_real depth = (fc_real)fmax(h + f[SWE_B][k] - b, 0);
                f[SWE_HU][k] = depth > h_dry ? depth * (f[SWE_HU][k] / h) : 0;
                f[SWE_HV][k] = depth > h_dry ? depth * (f[SWE_HV][k] / h) : 0;
                f[SWE_H][k] = depth;
            }
            f[SWE_B][k] = b;
        }
    fc_grid_sum_n(g, &changed, 1);
    if (changed > 0)
        snprintf(note, note_size,
                 "the case's bottom differs from the restart file's in %.0f cells: the run goes "
                 "on over the case's, each wet cell keeping its surface level and velocity",
                 changed);
    return FC_OK;
}

static const char *const swe_field_names[] = {"h", "hu", "hv", "b"};
static const char *const swe_restart_vars[] = {"h", "hu", "hv", "b"};

enum { V_H, V_HU, V_HV, V_U, V_V, V_ETA, V_VORT, V_B, NVARS };
static const fc_var_spec swe_vars[NVARS] = {
    {"h", "water depth", "m", "sea_floor_depth_below_sea_surface", FC_VAR_TYX},
    {"hu", "depth-integrated x momentum per unit density (h u)", "m2 s-1", NULL, FC_VAR_TYX},
    {"hv", "depth-integrated y momentum per unit density (h v)", "m2 s-1", NULL, FC_VAR_TYX},
    {"u", "depth-averaged x velocity", "m s-1", NULL, FC_VAR_TYX},
    {"v", "depth-averaged y velocity", "m s-1", NULL, FC_VAR_TYX},
    {"eta", "surface elevation h + b", "m", NULL, FC_VAR_TYX},
    {"vorticity", "relative vorticity dv/dx - du/dy", "s-1", NULL, FC_VAR_TYX},
    {"b", "bottom elevation", "m", NULL, FC_VAR_YX},
};

enum { D_MASS, D_ENERGY, D_PENS, D_SPEED, NDIAGS };
static const fc_diag_spec swe_diags[NDIAGS] = {
    {"mass", "total water volume (integral of h)", "m3"},
    {"energy", "total energy per unit density (integral of h|u|^2/2 + g h^2/2 + g h b)",
     "m5 s-2"},
    {"potential_enstrophy", "potential enstrophy (integral of (zeta + f)^2 / (2 h), wet cells)",
     "m s-2"},
    {"max_speed", "largest speed |u|", "m s-1"},
};

/* The velocities of a state on g, with halos (walls mirror them; a rank's block gets its
 * neighbours', link.h), in *u and *v to be freed by the caller. Collective on a block: every
 * rank learns whether any lacks the memory before the exchange. */
static int swe_velocities(const swe_params *p, const fc_grid *g, fc_state *host, fc_real **u,
                          fc_real **v, const char *what, fc_err *err)
{
    *u = fc_grid_alloc(g);
    *v = fc_grid_alloc(g);
    if (fc_grid_max(g, !*u || !*v)) {
        free(*u);
        free(*v);
        *u = *v = NULL;
        return fc_fail(err, FC_ENOMEM, "out of host memory for the %s", what);
    }
    const int odd_x[SWE_B] = {swe_field_odd_x(SWE_H), swe_field_odd_x(SWE_HU),
                              swe_field_odd_x(SWE_HV)};
    const int odd_y[SWE_B] = {swe_field_odd_y(SWE_H), swe_field_odd_y(SWE_HU),
                              swe_field_odd_y(SWE_HV)};
    int st = fc_grid_fill_halos(g, host->f, odd_x, odd_y, SWE_B, err);
    for (size_t k = 0; !st && k < g->nalloc; k++) {
        (*u)[k] = swe_velocity(host->f[SWE_H][k], host->f[SWE_HU][k], p->h_dry);
        (*v)[k] = swe_velocity(host->f[SWE_H][k], host->f[SWE_HV][k], p->h_dry);
    }
    return st;
}

static fc_real swe_vorticity_at(const fc_grid *g, const fc_real *u, const fc_real *v, int i,
                                int j)
{
    ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
    return (v[k + 1] - v[k - 1]) / (fc_real)(2 * g->dx) -
           (u[k + g->pitch] - u[k - g->pitch]) / (fc_real)(2 * g->dy);
}

/* On the whole grid or a rank's block (collective there). */
static int swe_derive(const void *params, const fc_grid *g, fc_state *host, fc_real *const *out,
                      fc_err *err)
{
    const swe_params *p = params;
    fc_real *u, *v;
    int st = swe_velocities(p, g, host, &u, &v, "output variables", err);
    for (int j = 0; !st && j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
            size_t o = (size_t)j * g->nx + i;
            const fc_real h = host->f[SWE_H][k], b = host->f[SWE_B][k];
            const fc_real vals[NVARS] = {h,    host->f[SWE_HU][k], host->f[SWE_HV][k],
                                         u[k], v[k],               h + b,
                                         swe_vorticity_at(g, u, v, i, j), b};
            for (int var = 0; var < NVARS; var++)
                if (out[var])
                    out[var][o] = vals[var];
        }
    free(u);
    free(v);
    return st;
}

/* The integrands of mass, energy and potential enstrophy at cell (i, j), and its speed
 * squared. */
static void swe_integrands(const swe_params *p, const fc_grid *g, const fc_state *host,
                           const fc_real *u, const fc_real *v, int i, int j, double sum[3],
                           double *s2)
{
    const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
    const double h = host->f[SWE_H][k], b = host->f[SWE_B][k], uu = u[k], vv = v[k];
    *s2 = uu * uu + vv * vv;
    sum[0] = h;
    sum[1] = h * *s2 / 2 + p->g * h * h / 2 + p->g * h * b;
    sum[2] = 0;
    if (h > p->h_dry) {
        const double f = p->f0 + p->beta * (fc_grid_y(g, j) - p->y0);
        const double q = swe_vorticity_at(g, u, v, i, j) + f;
        sum[2] = q * q / (2 * h);
    }
}

/* Sums whose bits do not depend on their order (repro_sum.h): a rank's block gives the whole
 * grid's. Collective on a block. */
static int swe_diagnose(const void *params, const fc_grid *g, fc_state *host,
                        const double *stats, double *d, fc_err *err)
{
    (void)stats; /* nothing here depends on the step */
    const swe_params *p = params;
    fc_real *u, *v;
    int st = swe_velocities(p, g, host, &u, &v, "diagnostics", err);
    if (st)
        return st;
    fc_repro_sum sums[3];
    fc_repro_start(sums, 3);
    double speed = 0, terms[3], s2;
    for (int pass = 0; pass < 2; pass++) {
        for (int j = 0; j < g->ny; j++)
            for (int i = 0; i < g->nx; i++) {
                swe_integrands(p, g, host, u, v, i, j, terms, &s2);
                for (int q = 0; q < 3; q++)
                    if (pass)
                        fc_repro_add(&sums[q], terms[q]);
                    else
                        fc_repro_bound(&sums[q], terms[q]);
                speed = s2 > speed ? s2 : speed;
            }
        if (!pass)
            fc_repro_ready(g, sums, 3, (double)g->nx_whole * g->ny_whole);
    }
    fc_repro_finish(g, sums, 3, terms);
    const double area = g->dx * g->dy;
    d[D_MASS] = terms[0] * area;
    d[D_ENERGY] = terms[1] * area;
    d[D_PENS] = terms[2] * area;
    d[D_SPEED] = sqrt(fc_grid_max(g, speed));
    free(u);
    free(v);
    return FC_OK;
}

const fc_solver_desc swe_solver = {
    .name = "swe",
    .summary = "rotating shallow-water equations: finite volumes, MUSCL + HLL/HLLC, "
               "hydrostatic reconstruction (well balanced, wet/dry), SSP-RK2/3",
    .references = "Audusse, Bouchut, Bristeau, Klein & Perthame (2004), SIAM J. Sci. Comput. 25, "
                  "2050-2065; Toro (2001), Shock-capturing methods for free-surface shallow "
                  "flows, Wiley; Shu & Osher (1988), J. Comput. Phys. 77, 439-471",
    .schema = {
        .keys = swe_keys,
        .nkeys = sizeof swe_keys / sizeof swe_keys[0],
        .ics = swe_ics,
        .nics = SWE_NICS,
        .check = swe_check_case,
        .make_params = swe_make_params,
    },
    .io = {
        .halo = SWE_HALO,
        .nfields = SWE_NFIELDS,
        .field_names = swe_field_names,
        .restart_vars = swe_restart_vars,
        .vars = swe_vars,
        .nvars = NVARS,
        .derive = swe_derive,
        .diags = swe_diags,
        .ndiags = NDIAGS,
        .conserved_diag = D_MASS,
        .diagnose = swe_diagnose,
        .reference = swe_reference,
        .reference_at = offsetof(swe_params, open),
        .reference_size = sizeof ((swe_params *)0)->open,
        .regrid_source = swe_regrid_source,
        .regridded = swe_regridded,
        .restarted = swe_restarted,
        .steady_capable = 1,
    },
    .cost = {
        .mem_per_cell = swe_mem_per_cell,
        .bytes_per_cell_step = swe_bytes_per_cell_step,
        .bench_case = "[case]\nsolver = swe\n[grid]\nx_max = 1e6\ny_max = 1e6\n[boundary]\n"
                      "west = periodic\neast = periodic\nsouth = periodic\nnorth = periodic\n[time]\n"
                      "t_end = 1e9\n[physics]\nf0 = 1e-4\n[initial]\ntype = gaussian_bump\n"
                      "depth = 1000\namplitude = 10\nradius = 1e5\ncenter_x = 5e5\ncenter_y = 5e5\n",
        .bench_name = "gravity waves from a hump, f-plane, periodic",
    },
    .cpu = &swe_ops_cpu,
#ifdef FC_HAVE_CUDA
    .gpu = &swe_ops_cuda,
#else
    .gpu = NULL,
#endif
};
