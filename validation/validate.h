/*
 * validate.h: the validation cases behind `flowcast validate`: each runs a solver on a case with
 * an exact or published answer and measures how far flowcast is from it. The measuring
 * functions are also what the tests assert on, so the table and the tests cannot disagree.
 */
#ifndef FC_VALIDATE_H
#define FC_VALIDATE_H

#include <stddef.h>

#include "src/core/fc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How a value passes: at most the tolerance, within it of the reference, or at least it. */
enum fc_val_rule { FC_VAL_AT_MOST, FC_VAL_NEAR, FC_VAL_AT_LEAST };
/* Added to a rule where single precision's round-off swamps what the row measures (an order of
 * convergence below it, an effect smaller than it): such a build does not judge the row. */
#define FC_VAL_NEEDS_DOUBLE 8
#define FC_VAL_RULE(row) ((row)->rule & ~FC_VAL_NEEDS_DOUBLE)

typedef struct fc_val_row {
    char case_name[64];
    char metric[96];
    double value, reference, tolerance;
    int rule; /* enum fc_val_rule, with FC_VAL_NEEDS_DOUBLE added where it applies */
    char source[64]; /* where the reference comes from */
    int pass; /* 1 pass, 0 fail, -1 not judged (FC_VAL_NEEDS_DOUBLE in a single-precision build) */
} fc_val_row;

#define FC_VAL_MAX_ROWS 8

/* How the cases run. */
typedef struct fc_val_ctx {
    int quick;         /* the quick set's grids */
    const char *plots; /* a folder for each case's pictures (PNG), or NULL */
} fc_val_ctx;

typedef struct fc_val_check {
    const char *name;
    int quick; /* part of --quick (seconds on 2 cores) */
    /* Runs the case; fills rows[0..*nrows) (passing is decided by the caller) and, when asked,
     * draws its comparisons with the reference. */
    int (*run)(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err);
} fc_val_check;

const fc_val_check *fc_val_checks(size_t *n);
/* Sets row->pass from its rule (-1 for a row that needs double precision in a single-precision
 * build). */
void fc_val_judge(fc_val_row *row);

/* ---- measurements, shared with the tests ---- */

/* The centreline profiles of a cavity, walls included: u(0.5, y[k]) and v(x[k], 0.5), n each. */
typedef struct fc_val_profiles {
    int n;
    double *y, *u, *x, *v;
} fc_val_profiles;

/* Lid-driven cavity at Reynolds number re on n x n cells (n even), run to a steady state:
 * largest differences from Ghia et al. (1982) along the centrelines, misprints left out; the
 * profiles into *prof when it is not NULL (free with fc_val_profiles_free). */
int fc_val_cavity(double re, int n, double *du, double *dv, fc_val_profiles *prof, fc_err *err);
void fc_val_profiles_free(fc_val_profiles *prof);
/* Plane Poiseuille flow on ny cells across: relative L2 error of the steady u profile, driven
 * by a body force in a periodic channel (inflow = 0) or entering with its parabolic profile at
 * an inflow and leaving by an outflow 4 widths downstream (inflow = 1; the outlet profile). */
int fc_val_poiseuille(int ny, int inflow, double *rel_l2, fc_err *err);
/* Poiseuille flow between an immersed wall at y = wall (a rectangle body) and the north wall
 * at 1, ny cells: the largest error of u over the faces outside the body. */
int fc_val_immersed_poiseuille(int ny, double wall, double *max_err, fc_err *err);
/* Schaefer & Turek's steady cylinder 2D-1 (Re 20) with d cells across the diameter as an
 * immersed boundary, run to a steady state: drag and lift coefficients (surface integrals),
 * pressure difference front - back (m2 s-2), drag coefficient from the momentum balance. */
int fc_val_cylinder_steady(int d, double *cd, double *cl, double *dp, double *cd_cv,
                           fc_err *err);
/* NACA 0012 at Re 1000 in a free stream (inputs/naca0012.ini), n cells per chord, alpha
 * degrees, run to t_end s: drag and lift coefficients from the surface, drag from the momentum
 * balance. */
int fc_val_naca(int n, double alpha, double t_end, double *cd, double *cl, double *cd_cv,
                fc_err *err);
/* Where the wall shear changes sign along the lower and upper walls of a channel, from u at the
 * n faces x[0..n) of the cell rows next to each (linear between faces): out[0] the lower wall's
 * first reattachment (u from negative to positive going downstream, past any corner eddy the
 * flow meets first), out[1] the upper wall's first separation (positive to negative) and out[2]
 * the reattachment after it; NAN where the flow has none. */
void fc_val_step_eddies(int n, const double *x, const double *lower, const double *upper,
                        double out[3]);
/* u along a channel's two walls: at the n faces x[k], in the cell rows next to each. */
typedef struct fc_val_walls {
    int n;
    double *x, *lower, *upper; /* one allocation, from x */
} fc_val_walls;
/* Gartling's (1990) backward-facing step (expansion 1:2, Re 800 on the channel height H = 1 m
 * and the mean inflow 1 m s-1) with n cells per H, the step a staircase body at x = 0 and the
 * outlet 20 H downstream, run to a steady state: fc_val_step_eddies' three positions (m = H),
 * and when walls is not NULL the wall rows from the step's face on (free walls->x). */
int fc_val_backward_step(int n, double out[3], fc_val_walls *walls, fc_err *err);
/*
 * Thacker's planar surface in a paraboloid (swe_paraboloid: h0 = 0.1 m, a = 1 m, eta = 0.5 m) on
 * n x n cells of [-2, 2]^2 m, run one period T = 2 pi a / sqrt(2 g h0): the L1 error of h against
 * the exact solution over its L1 norm, the relative change of the water's mass, and the distance
 * between the water's centre of mass and the exact one over eta. When x_row and surface_row are
 * not NULL they receive the n cell centres and the surface h + b (NaN where drier than 1e-4 h0)
 * along the row just above y = 0.
 */
int fc_val_paraboloid(int n, double *l1_rel, double *mass_change, double *centroid_err,
                      double *x_row, double *surface_row, fc_err *err);
/*
 * Goutal & Maurel's bump (channel_bump.h) in a 25 m channel on n cells, one row; the discharge q
 * enters at x = 0 (an inflow side) and leaves through an open side at x = 25 m toward water at
 * the downstream level h_out flowing at q / h_out, from a lake at rest at that level, until
 * the state changes by less than 1e-9 per second (van Albada's limiter, minmod's with a jump;
 * FC_ENUMERIC when it has not by t = 400 s, 40 s supercritical). kind (enum fc_bump_kind):
 * subcritical (q = 4.42 m2 s-1, h_out = 2 m), transcritical without a shock (q = 1.53,
 * h_out = 0.66) or with one (q = 0.18, h_out = 0.33), or supercritical throughout (q = 25.0567
 * entering 2 m deep). The
 * mean |h - exact| over the cells (m), the largest |hu - q| / q, and
 * with a shock where the jump stands (the face of the steepest rise past the top; else NaN);
 * x and h, when not NULL, receive the n cell centres and depths.
 */
int fc_val_channel_bump(int n, int kind, double *l1, double *q_err, double *x_jump, double *x,
                        double *h, fc_err *err);
/* What fc_val_adjustment measures. */
typedef struct fc_val_adjust {
    double h_err, v_err;         /* against the exact nonlinear steady state */
    double h_lin_err, v_lin_err; /* the same against Gill's linear one */
    double energy_ratio;         /* the mean state's kinetic energy / potential energy released */
    double exact_energy_ratio;   /* the same of the exact steady state */
} fc_val_adjust;
/*
 * Rossby's geostrophic adjustment of a depth step (105 m | 95 m, f = 1e-4 s-1, g = 9.81) on n
 * cells across [-2000, 2000] km with open ends, 4 periodic rows: the mean of h and v over the
 * 8th inertial period (16 samples; the Poincare waves left behind oscillate near f) against the
 * exact nonlinear steady state (adjustment.h): the largest error of h over half the step, the
 * L1 error of v over its L1 norm, and the ratio of the jet's kinetic energy to the potential
 * energy released. When x, h and v are not NULL they receive the cell centres and the mean h
 * and v.
 */
int fc_val_adjustment(int n, fc_val_adjust *out, double *x, double *h, double *v, fc_err *err);
/* What fc_val_wave measures. */
typedef struct fc_val_wave_err {
    double h_err;        /* largest RMS |h - exact| / a over the samples */
    double v_err;        /* largest RMS |v - exact| / the geostrophic current's peak */
    double period_ratio; /* the wave's period, from the crossings of its mean, / Poincare's */
} fc_val_wave_err;
/*
 * An inertia-gravity (Poincare) wave: a standing wave h = H + a cos(k x) (H = 100 m, a = 1 cm,
 * one wavelength on 2000 km, f = 1e-4 s-1; swe_standing_wave) on n cells along a periodic
 * channel of 4 rows, run 3 periods of 2 pi / w, w^2 = f^2 + g H k^2 (12.4 h), sampled `per`
 * times a period (per >= 8), against the linear solution. The period comes from the times the
 * wave's cos(k x) component crosses the geostrophic part s a it oscillates about (s = f^2/w^2).
 * When t and amp are not NULL they receive the 3 per + 1 sample times and that component / a.
 */
int fc_val_wave(int n, int per, fc_val_wave_err *out, double *t, double *amp, fc_err *err);
/* Taylor-Green vortex on n x n cells to t = 1: largest error of u against the exact solution,
 * relative to the amplitude. */
int fc_val_taylor_green(int n, double *rel_err, fc_err *err);
/* Cavity at Re 1000 on n x n cells for `steps` steps: the largest divergence over all steps
 * after their projections, over the projection's tolerance (the stricter of poisson_tol and
 * poisson_rtol times the flow's largest |u|/dx or |v|/dy; at most 1 when it holds). */
int fc_val_divergence(int n, int steps, double *ratio, fc_err *err);
/* Schaefer & Turek's (1996) cylinder in a channel at Re 100 (case 2D-2) with d cells across the
 * diameter, its [obstacle] boundary "staircase" or "immersed": Strouhal number and largest drag
 * and lift coefficients over the second half of t_end seconds, from the surface integral and
 * from the momentum balance (_cv). */
int fc_val_cylinder(int d, const char *boundary, double t_end, double *strouhal, double *cd_max,
                    double *cl_max, double *cd_cv_max, double *cl_cv_max, fc_err *err);
/* Schaefer & Turek's (1996) case 2D-3: the same channel and cylinder (immersed, d cells across)
 * with the inflow 1.5 sin(pi t / 8) m/s at its peak, from rest to t = 8 s: the largest drag
 * coefficient of the momentum balance over every step and its time, and the pressure difference
 * front - back at t = 8 s. */
int fc_val_cylinder_2d3(int d, double *cd_cv_max, double *t_cd_cv_max, double *dp_end,
                        fc_err *err);

/* Pseudo-spectral Taylor-Green vortex on n x n points of [0, 2 pi)^2 with viscosity nu,
 * biharmonic hyperviscosity nu_h and drag mu, to t = t_end: largest error of the vorticity
 * against the exact solution, relative to its amplitude then. */
int fc_val_spectral_taylor_green(int n, double nu, double nu_h, double mu, double t_end,
                                 double *rel_err, fc_err *err);
/*
 * Pseudo-spectral decaying turbulence (random phases, E = 0.5 m2 s-2 peaked at K0 = k0 on
 * [0, 2 pi)^2, n x n points, viscosity nu, dealias "two_thirds" or "none") in steps of dt to
 * t_end: what the energy and enstrophy budgets leave, the sum over the steps of
 * |E(t + dt) - E(t) - int dE/dt|sources dt| over E(0) (and the same for Z), from the solver's
 * per-step residuals. With nu = 0 the sources are 0: the changes of E and Z (conservation).
 */
int fc_val_spectral_budgets(int n, double k0, double nu, const char *dealias, double dt,
                            double t_end, double *res_e, double *res_z, fc_err *err);

/* A compressible atmosphere at rest (background neutral, stable or isothermal) in a uniform
 * wind (0: still) on 40 x 20 periodic cells: the largest |w| and |u - wind| after `steps`
 * steps. */
int fc_val_euler_rest(const char *background, double wind, int steps, double *max_w,
                      double *max_du, fc_err *err);
/* The warm thermal bubble on nx x nx/2 cells to t_end: relative change of the mass, and the
 * largest departure from mirror symmetry about its axis (relative to each field's size). */
int fc_val_euler_bubble(int nx, double t_end, double *mass_change, double *asymmetry,
                        fc_err *err);
/* The Straka et al. (1993) density current with cells of h metres, to t = 900 s: the front (the
 * -1 K contour of theta' at the ground, m) and the minimum theta' (K). */
int fc_val_density_current(double h, double *front, double *min_theta, fc_err *err);

/* Skamarock & Klemp's (1994) gravity waves in an isothermal atmosphere (250 K) with a wind of
 * 20 m s-1, on nx x nz cells of a 300 km x 10 km periodic channel, to t = 3000 s: the largest
 * difference of theta' from the linear solution (gravity_waves.h) over the amplitude, and the
 * relative L2 difference. */
int fc_val_gravity_waves(int nx, int nz, double *max_err, double *rel_l2, fc_err *err);

#ifdef __cplusplus
}
#endif
#endif
