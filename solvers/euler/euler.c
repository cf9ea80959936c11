/*
 * euler.c: the compressible Euler solver's description: case keys, checks, parameters, the
 * background columns, output variables and diagnostics (equations and method in euler.h;
 * initial conditions in euler_cases.c).
 */
#include <fc_build.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "solvers/euler/euler.h"
#include "solvers/euler/euler_cases.h"
#include "src/core/link.h"
#include "src/core/repro_sum.h"
#include "src/core/machine_load.h"

#define INF INFINITY

static const fc_key euler_keys[] = {
    {"physics", "g", FC_KEY_REAL, "9.81", 0, INF, FC_OPEN_LO, NULL, "m s-2", NULL,
     "gravitational acceleration"},
    {"physics", "background", FC_KEY_CHOICE, "neutral", 0, 0, 0, "neutral|stable|isothermal", "",
     NULL,
     "hydrostatic background: constant theta, constant Brunt-Vaisala frequency, or constant "
     "temperature"},
    {"physics", "theta0", FC_KEY_REAL, "300", 0, INF, FC_OPEN_LO, NULL, "K", NULL,
     "potential temperature at the ground (neutral and stable backgrounds)"},
    {"physics", "brunt_vaisala", FC_KEY_REAL, "0.01", 0, INF, FC_OPEN_LO, NULL, "s-1", NULL,
     "Brunt-Vaisala frequency N of the stable background"},
    {"physics", "temperature", FC_KEY_REAL, "250", 0, INF, FC_OPEN_LO, NULL, "K", NULL,
     "temperature T0 of the isothermal background"},
    {"physics", "wind", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m s-1", NULL,
     "uniform background wind U along x"},
    {"physics", "viscosity", FC_KEY_REAL, "0", 0, INF, 0, NULL, "m2 s-1", NULL,
     "kinematic viscosity nu"},
    {"physics", "diffusivity", FC_KEY_REAL, "0", 0, INF, 0, NULL, "m2 s-1", NULL,
     "thermal diffusivity kappa (of theta')"},
    {"physics", "sponge_depth", FC_KEY_REAL, "0", 0, INF, 0, NULL, "m", NULL,
     "depth of the Rayleigh damping layer under the top (0: none)"},
    {"physics", "sponge_width", FC_KEY_REAL, "0", 0, INF, 0, NULL, "m", NULL,
     "width of the damping layers along open sides (0: none)"},
    {"physics", "sponge_rate", FC_KEY_REAL, "0.01", 0, INF, FC_OPEN_LO, NULL, "s-1", NULL,
     "damping rate at the outer edge of the sponges"},
    {"numerics", "hyperviscosity", FC_KEY_REAL, "0.05", 0, 1, 0, NULL, "1", NULL,
     "fraction of the shortest (2 dx) mode the hyperviscosity removes per step"},

    {"initial", "amplitude", FC_KEY_REAL, NULL, -INF, INF, 0, NULL, "K", "bubble",
     "peak perturbation A: A (1 + cos(pi L)) / 2 inside L = 1"},
    {"initial", "perturbs", FC_KEY_CHOICE, "theta", 0, 0, 0, "theta|temperature", "", "bubble",
     "the field A perturbs (temperature: theta' = T' / Exner); the pressure is unchanged"},
    {"initial", "center_x", FC_KEY_REAL, NULL, -INF, INF, 0, NULL, "m", "bubble",
     "centre of the bubble (x)"},
    {"initial", "center_z", FC_KEY_REAL, NULL, 0, INF, 0, NULL, "m", "bubble",
     "height of the bubble's centre"},
    {"initial", "radius_x", FC_KEY_REAL, NULL, 0, INF, FC_OPEN_LO, NULL, "m", "bubble",
     "horizontal radius: L = sqrt(((x - xc)/rx)^2 + ((z - zc)/rz)^2)"},
    {"initial", "radius_z", FC_KEY_REAL, NULL, 0, INF, FC_OPEN_LO, NULL, "m", "bubble",
     "vertical radius"},
    {"initial", "amplitude_2", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "K", "bubble",
     "peak perturbation of a second bubble (0: none)"},
    {"initial", "center_x_2", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", "bubble",
     "centre of the second bubble (x)"},
    {"initial", "center_z_2", FC_KEY_REAL, "0", 0, INF, 0, NULL, "m", "bubble",
     "height of the second bubble's centre"},
    {"initial", "radius_2", FC_KEY_REAL, "1", 0, INF, FC_OPEN_LO, NULL, "m", "bubble",
     "radius of the second bubble (round)"},

    {"initial", "amplitude", FC_KEY_REAL, "0.01", -INF, INF, 0, NULL, "K", "gravity_wave",
     "theta' = A sin(pi z / H) / (1 + ((x - xc)/a)^2) (Skamarock & Klemp 1994)"},
    {"initial", "half_width", FC_KEY_REAL, "5000", 0, INF, FC_OPEN_LO, NULL, "m", "gravity_wave",
     "half-width a"},
    {"initial", "center_x", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", "gravity_wave",
     "centre xc"},
    {"initial", "path", FC_KEY_STRING, NULL, 0, 0, 0, NULL, "", "file",
     "NetCDF file with theta' (and the wind) at cell centres (relative to the case file; from "
     "--set, to the working folder)"},
    {"initial", "theta_var", FC_KEY_STRING, "theta_prime", 0, 0, 0, NULL, "", "file",
     "variable of the potential temperature perturbation theta' (K)"},
    {"initial", "u_var", FC_KEY_STRING, "", 0, 0, 0, NULL, "", "file",
     "variable of the x velocity (m s-1; empty: [physics] wind)"},
    {"initial", "w_var", FC_KEY_STRING, "", 0, 0, 0, NULL, "", "file",
     "variable of the vertical velocity (m s-1; empty: 0)"},
    {"initial", "interpolate", FC_KEY_CHOICE, "no", 0, 0, 0, "no|bilinear", "", "file",
     "a file on other points than the cells (by its x and z coordinates): refused, or "
     "interpolated bilinearly"},
};

static const char *const side_names[4] = {"west", "east", "south", "north"};

/* The Exner function of the background at the top, which must stay positive. */
static double exner_at_top(const fc_config *cfg, double top)
{
    const double g = fc_cfg_real(cfg, "physics", "g"), th = fc_cfg_real(cfg, "physics", "theta0");
    switch (fc_cfg_choice(cfg, "physics", "background")) {
    case EULER_BG_STABLE: {
        const double n = fc_cfg_real(cfg, "physics", "brunt_vaisala");
        return 1 + g * g * (exp(-n * n * top / g) - 1) / (EULER_CP * th * n * n);
    }
    case EULER_BG_NEUTRAL:
        return 1 - g * top / (EULER_CP * th);
    default:
        return 1;
    }
}

/* The background's density at the top must be a normal number of the build's precision with
 * room for perturbations down to its round-off (FC_REAL_MIN / FC_REAL_EPSILON): an isothermal
 * atmosphere thins by e every scale height R T0 / g (7.3 km at 250 K), so single precision's
 * densities run into underflow about 72 scale heights up (525 km), and a step there gives NaN.
 * Density is the smallest of the background's fields (rho = p / (R T) < p). */
static int euler_check_thin_top(const fc_config *cfg, double top, fc_err *err)
{
    const double floor = FC_REAL_MIN / FC_REAL_EPSILON;
    euler_params p = {.background = fc_cfg_choice(cfg, "physics", "background"),
                      .theta0 = fc_cfg_real(cfg, "physics", "theta0"),
                      .t0 = fc_cfg_real(cfg, "physics", "temperature")};
    p.g = (fc_real)fc_cfg_real(cfg, "physics", "g");
    p.n2 = pow(fc_cfg_real(cfg, "physics", "brunt_vaisala"), 2);
    double rho_top, rt_top, rho_ground, rt_ground;
    euler_background_at(&p, top, &rho_top, &rt_top);
    if (rho_top >= floor) /* also false where exp() has underflowed and rho_top is NaN */
        return 0;
    /* The highest top that still fits, by bisection: density falls monotonically with height. */
    euler_background_at(&p, 0, &rho_ground, &rt_ground);
    double lo = 0, hi = top;
    for (int it = 0; it < 60; it++) {
        const double mid = (lo + hi) / 2;
        double rho, rt;
        euler_background_at(&p, mid, &rho, &rt);
        *(rho >= floor ? &lo : &hi) = mid;
    }
    char density[64] = "underflows to 0";
    if (rho_top > 0)
        snprintf(density, sizeof density, "is %.3g kg m-3, %.3g of the ground's", rho_top,
                 rho_top / rho_ground);
    fc_cfg_error(cfg, err, "grid", "y_max",
                 "the background's density at the top %s, below what %s precision holds with "
                 "its perturbations (%.3g): put the top under %.4g m%s",
                 density, FC_PRECISION, floor, lo,
                 FC_REAL_EPSILON > 1e-10 ? " or build in double precision" : "");
    return 1;
}

/* The background's keys that its kind does not read are refused, not ignored (a stable
 * atmosphere's N given to the default neutral background would run neutral without a word);
 * and a uniform wind needs sides it can cross. */
static int euler_check_background(const fc_config *cfg, fc_err *err)
{
    const int bg = fc_cfg_choice(cfg, "physics", "background");
    const int switched = fc_cfg_from_set(cfg, "physics", "background");
    int n = 0;
    if (bg != EULER_BG_STABLE)
        n += fc_cfg_idle(cfg, err, "physics", "brunt_vaisala", switched,
                         "only background = stable reads it");
    if (bg != EULER_BG_ISOTHERMAL)
        n += fc_cfg_idle(cfg, err, "physics", "temperature", switched,
                         "only background = isothermal reads it");
    if (bg == EULER_BG_ISOTHERMAL)
        n += fc_cfg_idle(cfg, err, "physics", "theta0", switched,
                         "an isothermal background is set by its temperature");
    /* The wind is the background's u, and the initial state's where no file gives one: walls
     * would stop it at once, sending pressure waves of its own size through the domain (27 m/s
     * from a 10 m/s wind in the thermal bubble's box). */
    const char *const sides[2] = {"west", "east"};
    for (int s = 0; s < 2; s++)
        if (fc_cfg_real(cfg, "physics", "wind") != 0 &&
            fc_cfg_choice(cfg, "boundary", sides[s]) == FC_BC_WALL) {
            fc_cfg_error(cfg, err, "physics", "wind",
                         "a uniform wind would blow into the %s wall: make the sides periodic "
                         "or open", sides[s]);
            n++;
            break;
        }
    return n;
}

/* Sponges that do nothing, or that leave no undamped cell, are refused. */
static int euler_check_sponges(const fc_config *cfg, fc_err *err)
{
    const double depth = fc_cfg_real(cfg, "physics", "sponge_depth");
    const double width = fc_cfg_real(cfg, "physics", "sponge_width");
    const double top = fc_cfg_real(cfg, "grid", "y_max");
    const double len = fc_cfg_real(cfg, "grid", "x_max") - fc_cfg_real(cfg, "grid", "x_min");
    const int open = (fc_cfg_choice(cfg, "boundary", "west") == FC_BC_OPEN) +
                     (fc_cfg_choice(cfg, "boundary", "east") == FC_BC_OPEN);
    int n = 0;
    if (depth >= top) {
        fc_cfg_error(cfg, err, "physics", "sponge_depth",
                     "the top sponge would damp the whole domain (%g m high): give a depth "
                     "under its height", top);
        n++;
    }
    if (width > 0 && open == 0) {
        n += fc_cfg_idle(cfg, err, "physics", "sponge_width",
                         fc_cfg_from_set(cfg, "boundary", "west") ||
                             fc_cfg_from_set(cfg, "boundary", "east"),
                         "the side sponges lie along open sides, and west and east are not open");
    } else if (open > 0 && width * open >= len) {
        fc_cfg_error(cfg, err, "physics", "sponge_width",
                     "the side sponges would damp the whole domain (%g m wide%s): give a width "
                     "under %s", len, open == 2 ? ", two sponges" : "",
                     open == 2 ? "half of it" : "it");
        n++;
    }
    if (depth == 0 && width == 0)
        n += fc_cfg_idle(cfg, err, "physics", "sponge_rate",
                         fc_cfg_from_set(cfg, "physics", "sponge_depth") ||
                             fc_cfg_from_set(cfg, "physics", "sponge_width"),
                         "there is no sponge (sponge_depth and sponge_width are 0)");
    return n;
}

static int euler_check(const fc_config *cfg, fc_err *err)
{
    int n = 0;
    for (int s = 0; s < 4; s++) {
        const int bc = fc_cfg_choice(cfg, "boundary", side_names[s]);
        if (s >= 2 && bc != FC_BC_WALL) {
            fc_cfg_error(cfg, err, "boundary", side_names[s],
                         "the ground and the top of the euler solver are walls: set wall");
            n++;
        } else if (s < 2 && bc == FC_BC_INFLOW) {
            fc_cfg_error(cfg, err, "boundary", side_names[s],
                         "the euler solver's sides are periodic, wall or open");
            n++;
        }
    }
    if ((fc_cfg_choice(cfg, "boundary", "west") == FC_BC_PERIODIC) !=
        (fc_cfg_choice(cfg, "boundary", "east") == FC_BC_PERIODIC)) {
        fc_cfg_error(cfg, err, "boundary", "east", "west and east must both be periodic or neither");
        n++;
    }
    if (fc_cfg_real(cfg, "grid", "y_min") != 0) {
        fc_cfg_error(cfg, err, "grid", "y_min",
                     "the second axis of the euler solver is height: the ground is at y_min = 0");
        n++;
    }
    const double top = fc_cfg_real(cfg, "grid", "y_max");
    if (!(exner_at_top(cfg, top) > 0)) {
        fc_cfg_error(cfg, err, "grid", "y_max",
                     "the domain's top is above the top of this background atmosphere (its "
                     "pressure reaches zero below %g m)", top);
        n++;
    } else {
        n += euler_check_thin_top(cfg, top, err);
    }
    if (fc_cfg_int(cfg, "grid", "nx") < 4 && fc_cfg_choice(cfg, "boundary", "west") != FC_BC_WALL) {
        fc_cfg_error(cfg, err, "grid", "nx", "the fourth-order stencil needs at least 4 cells");
        n++;
    }
    /* In one level the perturbation pressure has no vertical gradient to hold back buoyancy,
     * and the walls' mirror images do not stop w: a 2 K bubble in a neutral atmosphere drove it
     * to 63 m/s in 1000 s and on. Two levels are a (coarse) slice again. */
    if (fc_cfg_int(cfg, "grid", "ny") < 2) {
        fc_cfg_error(cfg, err, "grid", "ny",
                     "the euler solver's slice needs at least 2 cells in height: in one, no "
                     "pressure gradient holds back buoyancy");
        n++;
    }
    n += euler_check_background(cfg, err);
    n += euler_check_sponges(cfg, err);
    const char *ic = euler_ics[fc_cfg_choice(cfg, "initial", "type")].name;
    if (!strcmp(ic, "bubble")) {
        const double x0 = fc_cfg_real(cfg, "grid", "x_min"), x1 = fc_cfg_real(cfg, "grid", "x_max");
        const double xc = fc_cfg_real(cfg, "initial", "center_x");
        const double zc = fc_cfg_real(cfg, "initial", "center_z");
        if (xc < x0 || xc > x1 || zc > top) {
            fc_cfg_error(cfg, err, "initial", xc < x0 || xc > x1 ? "center_x" : "center_z",
                         "the bubble's centre (%g m, %g m) is outside the domain [%g, %g] x "
                         "[0, %g] m", xc, zc, x0, x1, top);
            n++;
        }
        /* A bubble narrower than half a cell falls between the cell centres: the run would
         * start from the atmosphere at rest (theta' = 0 everywhere at radius 1 m on 100 m
         * cells). */
        const double dx = (x1 - x0) / (double)fc_cfg_int(cfg, "grid", "nx");
        const double dz = top / (double)fc_cfg_int(cfg, "grid", "ny");
        /* Each radius against the cells along its axis; the second bubble's one radius
         * against both. */
        const char *const key[3] = {"radius_x", "radius_z", "radius_2"};
        const double cell[3] = {dx, dz, fmax(dx, dz)};
        const int nkeys = fc_cfg_real(cfg, "initial", "amplitude_2") != 0 ? 3 : 2;
        for (int k = 0; k < nkeys; k++)
            if (fc_cfg_real(cfg, "initial", key[k]) < 0.5 * cell[k]) {
                fc_cfg_error(cfg, err, "initial", key[k],
                             "the bubble is under half a cell (%g m) across: the grid does "
                             "not resolve it", cell[k]);
                n++;
            }
        static const char *const second[3] = {"center_x_2", "center_z_2", "radius_2"};
        if (fc_cfg_real(cfg, "initial", "amplitude_2") == 0)
            for (int k = 0; k < 3; k++)
                n += fc_cfg_idle(cfg, err, "initial", second[k],
                                 fc_cfg_from_set(cfg, "initial", "amplitude_2"),
                                 "there is no second bubble ([initial] amplitude_2 = 0)");
        const double xc2 = fc_cfg_real(cfg, "initial", "center_x_2");
        const double zc2 = fc_cfg_real(cfg, "initial", "center_z_2");
        if (fc_cfg_real(cfg, "initial", "amplitude_2") != 0 &&
            (xc2 < x0 || xc2 > x1 || zc2 > top)) {
            fc_cfg_error(cfg, err, "initial", "center_x_2",
                         "the second bubble's centre (%g m, %g m) is outside the domain", xc2, zc2);
            n++;
        }
    }
    return n;
}

static int euler_make_params(const fc_config *cfg, const fc_grid *g, void **out, fc_err *err)
{
    euler_params *p = calloc(1, sizeof *p);
    if (!p)
        return fc_fail(err, FC_ENOMEM, "out of memory");
    const double gamma = EULER_GAMMA;
    p->grid = *g;
    p->g = (fc_real)fc_cfg_real(cfg, "physics", "g");
    p->gamma = (fc_real)gamma;
    p->c0 = (fc_real)pow(EULER_RD * pow(EULER_P0, -EULER_RD / EULER_CP), gamma); /* Rd^g p0^(-Rd/cv) */
    p->nu = (fc_real)fc_cfg_real(cfg, "physics", "viscosity");
    p->kappa = (fc_real)fc_cfg_real(cfg, "physics", "diffusivity");
    p->hv_beta = (fc_real)fc_cfg_real(cfg, "numerics", "hyperviscosity");
    p->wind = (fc_real)fc_cfg_real(cfg, "physics", "wind");
    const double depth = fc_cfg_real(cfg, "physics", "sponge_depth");
    p->sponge_base = (fc_real)(depth > 0 ? g->ny * g->dy - depth : INF);
    p->sponge_width = (fc_real)fc_cfg_real(cfg, "physics", "sponge_width");
    p->sponge_rate = (fc_real)(depth > 0 || p->sponge_width > 0
                                   ? fc_cfg_real(cfg, "physics", "sponge_rate")
                                   : 0);
    p->background = fc_cfg_choice(cfg, "physics", "background");
    p->theta0 = fc_cfg_real(cfg, "physics", "theta0");
    const double n = fc_cfg_real(cfg, "physics", "brunt_vaisala");
    p->n2 = n * n;
    p->t0 = fc_cfg_real(cfg, "physics", "temperature");
    *out = p;
    return FC_OK;
}

/* Moves every array of the column `rows` rows on (those allocated). */
static void column_shift(euler_column *col, int rows)
{
    fc_real **arrays[6] = {&col->rho, &col->rt, &col->p, &col->theta, &col->rho_f, &col->rt_f};
    for (int a = 0; a < 6; a++)
        if (*arrays[a])
            *arrays[a] += rows;
}

int euler_column_make(const euler_params *p, euler_column *col, fc_err *err)
{
    const int ny = p->grid.ny_whole; /* every row; a rank's block points at its own (grid.h) */
    const size_t c = (size_t)ny * sizeof(fc_real), f = (size_t)(ny + 1) * sizeof(fc_real);
    memset(col, 0, sizeof *col);
    col->rho = malloc(c);
    col->rt = malloc(c);
    col->p = malloc(c);
    col->theta = malloc(c);
    col->rho_f = malloc(f);
    col->rt_f = malloc(f);
    if (!col->rho || !col->rt || !col->p || !col->theta || !col->rho_f || !col->rt_f) {
        euler_column_free(col);
        return fc_fail(err, FC_ENOMEM, "out of host memory for the background");
    }
    for (int j = 0; j <= ny; j++) {
        double rho, rt;
        if (j < ny) {
            euler_background_at(p, (j + 0.5) * p->grid.dy, &rho, &rt);
            col->rho[j] = (fc_real)rho;
            col->rt[j] = (fc_real)rt;
            col->p[j] = euler_pressure(p, col->rt[j]); /* so that p' is exactly 0 at rest */
            col->theta[j] = (fc_real)(rt / rho);
        }
        euler_background_at(p, j * p->grid.dy, &rho, &rt);
        col->rho_f[j] = (fc_real)rho;
        col->rt_f[j] = (fc_real)rt;
    }
    col->j0 = p->grid.j0;
    column_shift(col, col->j0);
    return FC_OK;
}

void euler_column_free(euler_column *col)
{
    column_shift(col, -col->j0);
    free(col->rho);
    free(col->rt);
    free(col->p);
    free(col->theta);
    free(col->rho_f);
    free(col->rt_f);
    memset(col, 0, sizeof *col);
}

/* p' of the n cells of a row from their (rho theta)', the row's background rt_b and p_b, as
 * euler_pressure_cell computes it, in a loop without a branch or a call (compiled per vector
 * width: FC_VECTOR_CLONES; the same bits at each). */
FC_VECTOR_CLONES static void pressure_row(const euler_params *p, fc_real rt_b, fc_real p_b,
                                          const fc_real *restrict rt, int n, fc_real *restrict out)
{
#pragma omp simd
    for (int i = 0; i < n; i++)
        out[i] = euler_pressure(p, rt_b + rt[i]) - p_b;
}

void euler_pressure_field(const fc_real *const *U, const euler_column *col,
                          const euler_params *p, fc_real *P)
{
    const fc_grid *g = &p->grid;
#pragma omp parallel for schedule(static) if ((long long)g->nx * g->ny >= FC_PARALLEL_MIN)
    for (int j = -g->ng; j < g->ny + g->ng; j++) {
        const int jm = euler_mirror_row(g, j); /* as in euler_pressure_cell */
        pressure_row(p, col->rt[jm], col->p[jm], U[EULER_RHOT] + fc_idx(g->pitch, g->ng, -g->ng, jm),
                     g->nx + 2 * g->ng, P + fc_idx(g->pitch, g->ng, -g->ng, j));
    }
}

/* Three sets of the four fields. */
static double euler_mem_per_cell(const void *params)
{
    (void)params;
    return 3 * EULER_NFIELDS;
}

/* Per stage: read the four fields of the stage input and of U0 (after the first), write four. */
static double euler_bytes_per_cell_step(const void *params)
{
    (void)params;
    return (double)sizeof(fc_real) * (3 * (EULER_NFIELDS + EULER_NFIELDS) + 2 * EULER_NFIELDS);
}

static const char *const euler_field_names[] = {"rho_prime", "rhou", "rhow", "rhotheta_prime"};
static const char *const euler_restart_vars[] = {"rho_prime", "rhou", "rhow", "rhotheta_prime"};
/* The background the fields are perturbations of: a restart must keep it. */
static const char *const euler_state_keys[] = {"physics.g", "physics.background", "physics.theta0",
                                               "physics.brunt_vaisala", "physics.temperature",
                                               NULL};

enum { V_RHO, V_RHOU, V_RHOW, V_RHOT, V_U, V_W, V_THETA_P, V_P_P, V_THETA, V_P, NVARS };
static const fc_var_spec euler_vars[NVARS] = {
    {"rho_prime", "density minus the hydrostatic background's", "kg m-3", NULL, FC_VAR_TYX},
    {"rhou", "x momentum density rho u", "kg m-2 s-1", NULL, FC_VAR_TYX},
    {"rhow", "vertical momentum density rho w", "kg m-2 s-1", NULL, FC_VAR_TYX},
    {"rhotheta_prime", "rho theta minus the background's", "K kg m-3", NULL, FC_VAR_TYX},
    {"u", "x velocity", "m s-1", "eastward_wind", FC_VAR_TYX},
    {"w", "vertical velocity", "m s-1", "upward_air_velocity", FC_VAR_TYX},
    {"theta_prime", "potential temperature minus the background's", "K", NULL, FC_VAR_TYX},
    {"p_prime", "pressure minus the background's", "Pa", NULL, FC_VAR_TYX},
    {"theta", "potential temperature", "K", "air_potential_temperature", FC_VAR_TYX},
    {"p", "pressure", "Pa", "air_pressure", FC_VAR_TYX},
};

enum { D_MASS, D_ENERGY, D_MAXW, D_MINT, D_MAXT, NDIAGS };
static const fc_diag_spec euler_diags[NDIAGS] = {
    {"mass", "mass per metre along y (integral of rho)", "kg m-1"},
    {"energy", "total energy per metre along y (integral of rho |u|^2/2 + p/(gamma - 1) + rho g z)",
     "J m-1"},
    {"max_w", "largest |w|", "m s-1"},
    {"min_theta_prime", "smallest theta'", "K"},
    {"max_theta_prime", "largest theta'", "K"},
};

/* The values of cell (i, j): total density, velocities, theta, theta', pressure, p'. */
typedef struct euler_point {
    double rho, u, w, theta, theta_p, p, p_p;
} euler_point;

static euler_point point_at(const euler_params *p, const euler_column *col, const fc_state *host,
                            int i, int j)
{
    const fc_grid *g = &p->grid;
    const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
    euler_point e;
    e.rho = col->rho[j] + host->f[EULER_RHO][k];
    e.u = host->f[EULER_RHOU][k] / e.rho;
    e.w = host->f[EULER_RHOW][k] / e.rho;
    const fc_real rt = col->rt[j] + host->f[EULER_RHOT][k];
    e.theta = rt / e.rho;
    e.theta_p = e.theta - col->theta[j];
    e.p = euler_pressure(p, rt);
    e.p_p = e.p - col->p[j];
    return e;
}

/* The parameters on grid g, the whole grid or a rank's block, whose rows count from g->j0 (the
 * background column's among them, euler_column_make). */
static euler_params params_on(const void *params, const fc_grid *g)
{
    euler_params p = *(const euler_params *)params;
    p.grid = *g;
    return p;
}

/* On the whole grid or a rank's block. */
static int euler_derive(const void *params, const fc_grid *g, fc_state *host, fc_real *const *out,
                        fc_err *err)
{
    const euler_params p = params_on(params, g);
    euler_column col;
    int st = euler_column_make(&p, &col, err);
    if (st)
        return st;
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
            const size_t o = (size_t)j * g->nx + i;
            const euler_point e = point_at(&p, &col, host, i, j);
            const double vals[NVARS] = {host->f[EULER_RHO][k], host->f[EULER_RHOU][k],
                                        host->f[EULER_RHOW][k], host->f[EULER_RHOT][k], e.u, e.w,
                                        e.theta_p, e.p_p, e.theta, e.p};
            for (int v = 0; v < NVARS; v++)
                if (out[v])
                    out[v][o] = (fc_real)vals[v];
        }
    euler_column_free(&col);
    return FC_OK;
}

/* Sums whose bits do not depend on their order (repro_sum.h): a rank's block gives the whole
 * grid's. Collective on a block: every rank learns whether any could not make its column. */
static int euler_diagnose(const void *params, const fc_grid *g, fc_state *host,
                          const double *stats, double *d, fc_err *err)
{
    (void)stats; /* nothing here depends on the step */
    const euler_params p = params_on(params, g);
    euler_column col;
    int st = euler_column_make(&p, &col, err);
    if (fc_grid_max(g, st != FC_OK)) {
        if (!st) {
            euler_column_free(&col);
            st = fc_fail(err, FC_ENOMEM, "out of host memory for the diagnostics on another rank");
        }
        return st;
    }
    fc_repro_sum sums[2];
    fc_repro_start(sums, 2);
    double extremes[3] = {0, -INF, -INF}; /* largest |w|, -(smallest theta'), largest theta' */
    for (int pass = 0; pass < 2; pass++) {
        for (int j = 0; j < g->ny; j++) {
            const double z = ((g->j0 + j) + 0.5) * g->dy;
            for (int i = 0; i < g->nx; i++) {
                const euler_point e = point_at(&p, &col, host, i, j);
                const double energy = e.rho * (e.u * e.u + e.w * e.w) / 2 +
                                      e.p / (p.gamma - 1) + e.rho * p.g * z;
                if (pass) {
                    fc_repro_add(&sums[0], e.rho);
                    fc_repro_add(&sums[1], energy);
                    continue;
                }
                fc_repro_bound(&sums[0], e.rho);
                fc_repro_bound(&sums[1], energy);
                extremes[0] = fabs(e.w) > extremes[0] ? fabs(e.w) : extremes[0];
                extremes[1] = -e.theta_p > extremes[1] ? -e.theta_p : extremes[1];
                extremes[2] = e.theta_p > extremes[2] ? e.theta_p : extremes[2];
            }
        }
        if (!pass)
            fc_repro_ready(g, sums, 2, (double)g->nx_whole * g->ny_whole);
    }
    double total[2];
    fc_repro_finish(g, sums, 2, total);
    fc_grid_max_n(g, extremes, 3);
    const double area = g->dx * g->dy;
    d[D_MASS] = total[0] * area;
    d[D_ENERGY] = total[1] * area;
    d[D_MAXW] = extremes[0];
    d[D_MINT] = -extremes[1];
    d[D_MAXT] = extremes[2];
    euler_column_free(&col);
    return FC_OK;
}

const fc_solver_desc euler_solver = {
    .name = "euler",
    .summary = "dry compressible Euler equations in a vertical x-z slice with gravity: finite "
               "volumes, fourth-order centred reconstruction with hyperviscosity, "
               "hydrostatic background subtracted, Wicker-Skamarock RK3",
    .references = "Straka, Wilhelmson, Wicker, Anderson & Droegemeier (1993), Int. J. Numer. "
                  "Meth. Fluids 17, 1-22; Giraldo & Restelli (2008), J. Comput. Phys. 227, "
                  "3849-3877; Wicker & Skamarock (2002), Mon. Wea. Rev. 130, 2088-2097; "
                  "Norman (2020), miniWeather, Oak Ridge National Laboratory",
    .schema = {
        .keys = euler_keys,
        .nkeys = sizeof euler_keys / sizeof euler_keys[0],
        .ics = euler_ics,
        .nics = EULER_NICS,
        .check = euler_check,
        .make_params = euler_make_params,
    },
    .io = {
        .halo = EULER_HALO,
        .vertical = 1,
        .nfields = EULER_NFIELDS,
        .field_names = euler_field_names,
        .restart_vars = euler_restart_vars,
        .state_keys = euler_state_keys,
        .vars = euler_vars,
        .nvars = NVARS,
        .derive = euler_derive,
        .diags = euler_diags,
        .ndiags = NDIAGS,
        .conserved_diag = D_MASS,
        .diagnose = euler_diagnose,
    },
    .cost = {
        .mem_per_cell = euler_mem_per_cell,
        .bytes_per_cell_step = euler_bytes_per_cell_step,
        .bench_case = "[case]\nsolver = euler\n[grid]\nx_min = -10000\nx_max = 10000\n"
                      "y_max = 10000\n[boundary]\nwest = periodic\neast = periodic\n"
                      "south = wall\nnorth = wall\n[time]\nt_end = 1e9\n[initial]\n"
                      "type = bubble\namplitude = 2\ncenter_x = 0\ncenter_z = 2000\n"
                      "radius_x = 2000\nradius_z = 2000\n",
        .bench_name = "a warm bubble rising in a neutral atmosphere",
    },
    .cpu = &euler_ops_cpu,
#ifdef FC_HAVE_CUDA
    .gpu = &euler_ops_cuda,
#else
    .gpu = NULL,
#endif
};
