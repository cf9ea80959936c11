/*
 * validate.c: the validation cases of `flowcast validate` (see validate.h). Each case is a case
 * file written here, run through the solver's CPU backend as `flowcast run` would run it, and
 * compared with its exact solution or published data:
 *   swe   lake at rest (well-balancing), mass in a closed basin, Stoker's wet dam break,
 *         Thacker's paraboloid, the geostrophic adjustment's nonlinear steady state;
 *   ns2d  Poiseuille flow (body force; inflow/outflow), Taylor-Green decay and its order,
 *         divergence after each projection, Ghia et al.'s cavity, Schaefer & Turek's cylinder,
 *         a NACA 0012, Gartling's backward-facing step;
 *   spectral  Taylor-Green (exact to round-off), the energy and enstrophy budgets and their
 *         order in dt, conservation without viscosity (to time-stepping error and, in the
 *         limit of small steps, to round-off);
 *   ml    a surrogate of the radial dam break (PDEBench's 2-D shallow-water task, smaller):
 *         trained on an ensemble, rolled out over whole held-out members (nRMSE, mass); the
 *         same with open sides, h in flux form (the mass balance, the mass that left);
 *   euler  atmospheres at rest (exact balance), a rising thermal (mass, mirror symmetry), the
 *         Straka et al. (1993) density current (front and minimum theta' at 900 s, and their
 *         errors falling with resolution), Skamarock & Klemp's gravity waves against the linear
 *         solution (gravity_waves.h) and the order of the error.
 */
#include <fc_build.h>

#include "validation/validate.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netcdf.h>

#include "src/plot/plot.h"
#include "validation/adjustment.h"
#include "validation/channel_bump.h"
#include "validation/dambreak.h"
#include "validation/ghia1982.h"
#include "validation/gravity_waves.h"
#include "solvers/ns2d/ns2d.h"
#include "solvers/ns2d/ns2d_cases.h"
#include "solvers/ns2d/ns2d_poisson.h"
#include "src/core/sim.h"
#include "solvers/spectral/spec.h"
#include "solvers/euler/euler.h"
#include "solvers/spectral/spec_cases.h"
#include "solvers/swe/swe.h"
#include "solvers/swe/swe_cases.h"
#include "solvers/registry.h"
#include "ml/surrogate.h"
#include "src/core/ensemble.h"
#include "src/core/log.h"
#include "src/core/series_stats.h"

/* n machine epsilons of fc_real, and the round-off of quantities that are exact up to it: a
 * thousand of them. */
#ifdef FC_SINGLE
#define ULPS(n) ((n) * (double)FLT_EPSILON)
#else
#define ULPS(n) ((n) * DBL_EPSILON)
#endif
#define ROUNDOFF ULPS(1000)

static int open_fmt(fc_sim *s, fc_err *err, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static int open_fmt(fc_sim *s, fc_err *err, const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return fc_sim_open_text(s, text, NULL, NULL, 0, fc_solvers(), NULL, err);
}

/* Runs to t_end (or a steady state), downloads, and closes on failure. */
static int run_and_download(fc_sim *s, double t_end, double steady_tol, fc_err *err)
{
    int st = fc_sim_run_to(s, t_end, steady_tol, err);
    if (!st)
        st = fc_sim_download(s, err);
    if (st)
        fc_sim_close(s);
    return st;
}

/* Draws chart c as DIR/name.png when pictures are asked for (ctx->plots). */
static int save_chart(const fc_val_ctx *ctx, const char *name, const fc_chart *c, fc_err *err)
{
    if (!ctx->plots)
        return FC_OK;
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.png", ctx->plots, name);
    fc_picture *pic;
    int st = fc_picture_new(900, 560, &pic, err);
    if (!st && !(st = fc_chart_draw(pic, c, err)))
        st = fc_picture_write_png(pic, path, err);
    fc_picture_free(pic);
    return st;
}

/* The slope of log(e) against log(n) by least squares (minus the order of convergence in n). */
static double loglog_slope(const double *n, const double *e, int m)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int k = 0; k < m; k++) {
        const double x = log(n[k]), y = log(e[k]);
        sx += x, sy += y, sxx += x * x, sxy += x * y;
    }
    return (m * sxy - sx * sy) / (m * sxx - sx * sx);
}

/* ---- shallow water ---- */

/* The solver's diagnostic `name` of the downloaded state. */
static double diagnostic(fc_sim *s, const char *name)
{
    size_t k = 0;
    while (k < s->s->io.ndiags && strcmp(s->s->io.diags[k].name, name))
        k++;
    double *d = calloc(s->s->io.ndiags, sizeof *d), value = NAN;
    fc_err err;
    /* (out of memory: NaN, and the check this feeds fails) */
    if (d && !s->s->io.diagnose(s->params, &s->grid, &s->host, s->steps ? s->last.stats : NULL, d,
                                &err) &&
        k < s->s->io.ndiags)
        value = d[k];
    free(d);
    return value;
}

static int check_lake(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    (void)ctx;
    fc_sim s;
    int st = open_fmt(&s, err,
                      "[case]\nsolver = swe\n[grid]\nnx = 50\nny = 50\nx_min = -0.5\nx_max = 0.5\n"
                      "y_min = -0.5\ny_max = 0.5\n[time]\nt_end = 1\n[initial]\n"
                      "type = lake_at_rest\nsurface = 0.1\nbump_height = 0.3\n");
    if (st || (st = fc_sim_steps(&s, 1000, err)) || (st = fc_sim_download(&s, err))) {
        fc_sim_close(&s);
        return st;
    }
    const double speed = diagnostic(&s, "max_speed");
    fc_sim_close(&s);
    rows[0] = (fc_val_row){"swe lake at rest, island", "max |u| after 1000 steps (m s-1)", speed,
                           0, ROUNDOFF, FC_VAL_AT_MOST, "exact: at rest", 0};
    *nrows = 1;
    return FC_OK;
}

static int check_mass(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    (void)ctx;
    fc_sim s;
    int st = open_fmt(&s, err,
                      "[case]\nsolver = swe\n[grid]\nnx = 60\nny = 40\nx_max = 3\ny_max = 2\n"
                      "[time]\nt_end = 1\n[initial]\ntype = gaussian_bump\ndepth = 1\n"
                      "amplitude = 0.3\nradius = 0.3\ncenter_x = 1\ncenter_y = 0.8\n");
    double m0 = 0, m1 = 0;
    if (!st && !(st = fc_sim_download(&s, err))) {
        m0 = diagnostic(&s, "mass");
        if (!(st = fc_sim_steps(&s, 300, err)) && !(st = fc_sim_download(&s, err)))
            m1 = diagnostic(&s, "mass");
    }
    fc_sim_close(&s);
    if (st)
        return st;
    rows[0] = (fc_val_row){"swe closed basin, waves", "relative mass change over 300 steps",
                           fabs(m1 - m0) / m0, 0, ROUNDOFF, FC_VAL_AT_MOST,
                           "exact: conserved", 0};
    *nrows = 1;
    return FC_OK;
}

static int check_stoker(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    fc_sim s;
    int st = open_fmt(&s, err,
                      "[case]\nsolver = swe\n[grid]\nnx = 400\nny = 1\nx_min = -10\nx_max = 10\n"
                      "y_max = 0.05\n[time]\nt_end = 1.5\n[boundary]\nwest = open\neast = open\n"
                      "south = periodic\nnorth = periodic\n[initial]\ntype = dambreak\n"
                      "depth_left = 1\ndepth_right = 0.5\n");
    if (st || (st = run_and_download(&s, 1.5, 0, err)))
        return st;
    fc_dambreak exact;
    fc_dambreak_init(&exact, 9.81, 1, 0.5, 0);
    double l1 = 0, x[400], h_num[400], xe[2001], he[2001];
    for (int i = 0; i < s.grid.nx; i++) {
        double h, u;
        fc_dambreak_eval(&exact, fc_grid_x(&s.grid, i), 1.5, &h, &u);
        l1 += fabs(fc_sim_at(&s, SWE_H, i, 0) - h) * s.grid.dx / 20;
        x[i] = fc_grid_x(&s.grid, i);
        h_num[i] = fc_sim_at(&s, SWE_H, i, 0);
    }
    fc_sim_close(&s);
    for (int k = 0; k <= 2000; k++) {
        double u;
        xe[k] = -10 + 0.01 * k;
        fc_dambreak_eval(&exact, xe[k], 1.5, &he[k], &u);
    }
    const fc_series ser[2] = {{xe, he, 2001, "exact (Stoker 1957)", FC_DASHED, 0x000000},
                              {x, h_num, 400, "flowcast, 400 cells", FC_LINE, -1}};
    const fc_chart chart = {"Wet dam break: depth at t = 1.5 s",
                            "1 m against 0.5 m at rest, g = 9.81 m s-2", "x (m)", "h (m)", 0, 0,
                            ser, 2, 0, 0, NULL, 0};
    if ((st = save_chart(ctx, "swe_stoker", &chart, err)))
        return st;
    rows[0] = (fc_val_row){"swe wet dam break, 400 cells", "L1 error of h at t = 1.5 s (m)", l1, 0,
                           1e-3, FC_VAL_AT_MOST, "Stoker (1957)", 0};
    *nrows = 1;
    return FC_OK;
}

int fc_val_channel_bump(int n, int kind, double *l1, double *q_err, double *x_jump, double *x,
                        double *h, fc_err *err)
{
    /* by enum fc_bump_kind; the supercritical flow's depth is the inflow's (both ends: b = 0) */
    static const double qs[] = {4.42, 1.53, 0.18, 25.0567}, h_ends[] = {2, 0.66, 0.33, 2};
    const double g = 9.81, q = qs[kind], h_out = h_ends[kind];
    const int super = kind == FC_BUMP_SUPERCRITICAL;
    char inflow_depth[64] = "";
    if (super)
        snprintf(inflow_depth, sizeof inflow_depth, "inflow_depth = %.17g\n", h_out);
    fc_sim s;
    /* Run until the state changes by less than 1e-9 per second. Under MC's limiter these flows
     * never do: the cells at the bump's ends, where the bottom's slope jumps, swing forever by
     * 1e-3 of the discharge. Under van Albada's the smooth ones settle, on 100 to 800 cells, by
     * t = 56 s subcritical, 90 s transcritical and 10 s supercritical. A captured jump can
     * still swing under it (200 cells: 0.04 per second at t = 1000 s), and settles under
     * minmod's, by t = 140 s on 100 to 800 cells. In single precision a step's change rounds
     * to 0 once it is below half an ulp of the state (about 1e-5 per second here): the state
     * freezes there, or, with the jump, keeps changing by round-off (1e-6 per second). */
    const double t_cap = super ? 40 : 400;
    const double steady_tol = sizeof(fc_real) == sizeof(float) ? 1e-5 : 1e-9;
    int st = open_fmt(&s, err,
                      "[case]\nsolver = swe\n[grid]\nnx = %d\nny = 1\nx_max = 25\ny_max = 1\n"
                      "[time]\nt_end = %g\n[physics]\ng = %g\n[numerics]\nlimiter = %s\n"
                      "[boundary]\nwest = inflow\neast = open\ninflow_discharge = %.17g\n%s"
                      "outside_water = given\noutside_level = %.17g\noutside_current = %.17g\n"
                      "[initial]\ntype = lake_at_rest\nsurface = %.17g\nbump_height = 0.2\n"
                      "bump_radius = 2\nbump_shape = parabolic_ridge\ncenter_x = 10\n",
                      n, t_cap, g, kind == FC_BUMP_SHOCK ? "minmod" : "vanalbada", q,
                      inflow_depth, h_out, q / h_out, h_out);
    if (st || (st = run_and_download(&s, t_cap, steady_tol, err)))
        return st;
    if (!(s.last.change < steady_tol)) {
        st = fc_fail(err, FC_ENUMERIC, "the flow over the bump on %d cells (q = %g m2 s-1) did "
                     "not settle by t = %g s: it still changes by %.3g per second", n, q, t_cap,
                     s.last.change);
        fc_sim_close(&s);
        return st;
    }
    fc_bump_flow exact;
    fc_bump_flow_init(&exact, kind, g, q, h_out);
    *l1 = *q_err = 0;
    *x_jump = NAN;
    double steepest = 0;
    for (int i = 0; i < n; i++) {
        const double xi = fc_grid_x(&s.grid, i), hi = fc_sim_at(&s, SWE_H, i, 0);
        *l1 += fabs(hi - fc_bump_depth(&exact, xi)) / n;
        *q_err = fmax(*q_err, fabs(fc_sim_at(&s, SWE_HU, i, 0) - q) / q);
        /* the jump: the steepest rise past the top, at the face between its two cells */
        const double rise = i + 1 < n ? fc_sim_at(&s, SWE_H, i + 1, 0) - hi : 0;
        if (kind == FC_BUMP_SHOCK && xi > 10 && rise > steepest)
            steepest = rise, *x_jump = xi + 0.5 * s.grid.dx;
        if (x)
            x[i] = xi, h[i] = hi;
    }
    fc_sim_close(&s);
    return FC_OK;
}

static int check_channel_bump(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    const int n[2] = {ctx->quick ? 100 : 200, ctx->quick ? 200 : 400};
    double l1[6], q_err[6], jump, *x = malloc(2 * (size_t)n[1] * sizeof *x), *h = x + n[1];
    if (!x)
        return fc_fail(err, FC_ENOMEM, "out of memory for the bump's profile");
    int st = FC_OK;
    for (int k = 0; k < 2 && !st; k++)
        st = fc_val_channel_bump(n[k], FC_BUMP_SUBCRITICAL, &l1[k], &q_err[k], &jump, NULL, NULL,
                                 err);
    if (!st)
        st = fc_val_channel_bump(n[1], FC_BUMP_TRANSCRITICAL, &l1[2], &q_err[2], &jump, NULL,
                                 NULL, err);
    if (!st)
        st = fc_val_channel_bump(n[1], FC_BUMP_SHOCK, &l1[3], &q_err[3], &jump, x, h, err);
    for (int k = 0; k < 2 && !st; k++) {
        double no_jump;
        st = fc_val_channel_bump(n[k], FC_BUMP_SUPERCRITICAL, &l1[4 + k], &q_err[4 + k], &no_jump,
                                 NULL, NULL, err);
    }
    fc_bump_flow exact;
    fc_bump_flow_init(&exact, FC_BUMP_SHOCK, 9.81, 0.18, 0.33);
    if (!st && ctx->plots) {
        enum { NE = 2001 };
        static double xe[NE], he[NE], be[NE];
        for (int k = 0; k < NE; k++) {
            xe[k] = 25.0 * k / (NE - 1);
            be[k] = fc_bump_bottom(xe[k]);
            he[k] = fc_bump_depth(&exact, xe[k]) + be[k];
        }
        for (int i = 0; i < n[1]; i++)
            h[i] += fc_bump_bottom(x[i]);
        char lab[64];
        snprintf(lab, sizeof lab, "flowcast, %d cells", n[1]);
        const fc_series ser[3] = {{xe, be, NE, "bottom", FC_LINE, 0x888888},
                                  {xe, he, NE, "exact (Bernoulli, a steady jump)", FC_DASHED,
                                   0x000000},
                                  {x, h, (size_t)n[1], lab, FC_LINE, -1}};
        const fc_chart chart = {"Transcritical flow over a bump with a jump: steady surface",
                                "q = 0.18 m2 s-1, 0.33 m downstream (Goutal & Maurel 1997)",
                                "x (m)", "h + b (m)", 0, 0, ser, 3, 0, 0.45, NULL, 0};
        st = save_chart(ctx, "swe_channel_bump", &chart, err);
    }
    free(x);
    if (st)
        return st;
    /* Measured (7 December 2026, steady to 1e-9 per second): mean errors of the subcritical
     * flow 3.2e-4, 7.0e-5 and 1.58e-5 m on 100, 200 and 400 cells (orders 2.2 and 2.1), its
     * largest |hu - q| / q 1.2e-3 and 5.9e-4 on 200 and 400; of the transcritical 1.5e-4 and
     * 8.8e-5 m on 200 and 400; of the supercritical 3.3e-4, 7.1e-5 and 1.59e-5 m (orders 2.2
     * and 2.2); with the jump, under minmod, 1.2e-3, 5.0e-4, 2.3e-4 and 1.2e-4 m on 100 to 800
     * (first order, as a captured shock allows). Under MC, at t = 200 s of its swinging, the
     * smooth flows' orders were 1.3 to 1.5: the cells at the bump's ends held them to first
     * order. */
    const char *src = "Goutal & Maurel (1997), exact";
    /* Single precision freezes the smooth flows 4e-5 (subcritical) to 1e-4 m (supercritical)
     * from the exact one (above): their errors and orders are not judged there. */
    rows[0] = (fc_val_row){"", "mean |h - exact| in the steady state (m)", l1[1], 0,
                           ctx->quick ? 1.5e-4 : 3e-5, FC_VAL_AT_MOST | FC_VAL_NEEDS_DOUBLE, "",
                           0};
    rows[1] = (fc_val_row){"", "order of that error", log2(l1[0] / l1[1]), 2, 1.8,
                           FC_VAL_AT_LEAST | FC_VAL_NEEDS_DOUBLE, "", 0};
    rows[2] = (fc_val_row){"", "largest |hu - q| / q (a steady flow carries q)", q_err[1], 0,
                           ctx->quick ? 3e-3 : 1.5e-3, FC_VAL_AT_MOST, "", 0};
    rows[3] = (fc_val_row){"", "mean |h - exact| in the steady state (m)", l1[2], 0,
                           ctx->quick ? 3e-4 : 2e-4, FC_VAL_AT_MOST, "", 0};
    rows[4] = (fc_val_row){"", "mean |h - exact| in the steady state (m)", l1[3], 0,
                           ctx->quick ? 1e-3 : 5e-4, FC_VAL_AT_MOST, "", 0};
    rows[5] = (fc_val_row){"", "position of the jump (m)", jump, exact.x_shock,
                           25.0 / n[1], FC_VAL_NEAR, "", 0}; /* a cell */
    snprintf(rows[0].case_name, sizeof rows[0].case_name, "swe subcritical bump, %d cells", n[1]);
    snprintf(rows[1].case_name, sizeof rows[1].case_name, "swe subcritical bump, %d -> %d", n[0],
             n[1]);
    snprintf(rows[2].case_name, sizeof rows[2].case_name, "swe subcritical bump, %d cells", n[1]);
    snprintf(rows[3].case_name, sizeof rows[3].case_name, "swe transcritical bump, %d cells",
             n[1]);
    snprintf(rows[4].case_name, sizeof rows[4].case_name, "swe bump with a jump, %d cells", n[1]);
    snprintf(rows[5].case_name, sizeof rows[5].case_name, "swe bump with a jump, %d cells", n[1]);
    rows[6] = (fc_val_row){"", "mean |h - exact| in the steady state (m)", l1[5], 0,
                           ctx->quick ? 1.5e-4 : 3e-5, FC_VAL_AT_MOST | FC_VAL_NEEDS_DOUBLE, "",
                           0};
    rows[7] = (fc_val_row){"", "order of that error", log2(l1[4] / l1[5]), 2, 1.8,
                           FC_VAL_AT_LEAST | FC_VAL_NEEDS_DOUBLE, "", 0};
    snprintf(rows[6].case_name, sizeof rows[6].case_name, "swe supercritical bump, %d cells",
             n[1]);
    snprintf(rows[7].case_name, sizeof rows[7].case_name, "swe supercritical bump, %d -> %d",
             n[0], n[1]);
    for (int k = 0; k < 8; k++) /* the supercritical flow is not one of Goutal & Maurel's */
        snprintf(rows[k].source, sizeof rows[k].source, "%s",
                 k < 6 ? src : "Bernoulli's head, exact");
    *nrows = 8;
    return FC_OK;
}

/* The parameters of fc_val_paraboloid's bowl (SWASHES' values). */
#define PARAB_H0 0.1
#define PARAB_A 1.0
#define PARAB_ETA 0.5
#define PARAB_G 9.81
/* One period of the disc's orbit, 2 pi a / sqrt(2 g h0) (s). */
#define PARAB_PERIOD (2 * M_PI * PARAB_A / sqrt(2 * PARAB_G * PARAB_H0))

int fc_val_paraboloid(int n, double *l1_rel, double *mass_change, double *centroid_err,
                      double *x_row, double *surface_row, fc_err *err)
{
    const double g = PARAB_G, period = PARAB_PERIOD;
    fc_sim s;
    int st = open_fmt(&s, err,
                      "[case]\nsolver = swe\n[grid]\nnx = %d\nny = %d\nx_min = -2\nx_max = 2\n"
                      "y_min = -2\ny_max = 2\n[time]\nt_end = %.17g\n[physics]\ng = %g\n"
                      "[initial]\ntype = paraboloid\ndepth = %g\nradius = %g\norbit = %g\n",
                      n, n, period, g, PARAB_H0, PARAB_A, PARAB_ETA);
    double m0 = 0;
    if (!st && !(st = fc_sim_download(&s, err))) {
        m0 = diagnostic(&s, "mass");
        st = run_and_download(&s, period, 0, err);
    } else if (!st)
        fc_sim_close(&s);
    if (st)
        return st;
    const double t = s.t;
    double diff = 0, norm = 0, mass = 0, mx = 0, my = 0, ex = 0, ey = 0;
    for (int j = 0; j < s.grid.ny; j++)
        for (int i = 0; i < s.grid.nx; i++) {
            const double x = fc_grid_x(&s.grid, i), y = fc_grid_y(&s.grid, j);
            double o[4];
            swe_paraboloid(g, PARAB_H0, PARAB_A, PARAB_ETA, t, x, y, o);
            const double h = fc_sim_at(&s, SWE_H, i, j);
            diff += fabs(h - o[0]), norm += o[0];
            mass += h, mx += h * x, my += h * y;
            ex += o[0] * x, ey += o[0] * y;
            if (x_row && j == s.grid.ny / 2) {
                x_row[i] = x;
                /* (a film left by the receding shore is not water to draw) */
                surface_row[i] = h > 1e-4 * PARAB_H0 ? h + fc_sim_at(&s, SWE_B, i, j) : NAN;
            }
        }
    const double m1 = diagnostic(&s, "mass");
    fc_sim_close(&s);
    *l1_rel = diff / norm;
    *mass_change = fabs(m1 - m0) / m0;
    *centroid_err = hypot(mx / mass - ex / norm, my / mass - ey / norm) / PARAB_ETA;
    return FC_OK;
}

static int check_paraboloid(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    const int n[2] = {ctx->quick ? 50 : 100, ctx->quick ? 100 : 200};
    double l1[2], mass[2], centre[2];
    double *x = malloc((size_t)n[1] * sizeof *x), *surf = malloc((size_t)n[1] * sizeof *surf);
    if (!x || !surf) {
        free(x), free(surf);
        return fc_fail(err, FC_ENOMEM, "out of memory for the paraboloid's profile");
    }
    int st = FC_OK;
    for (int k = 0; k < 2 && !st; k++)
        st = fc_val_paraboloid(n[k], &l1[k], &mass[k], &centre[k], k ? x : NULL, k ? surf : NULL,
                               err);
    if (!st) {
        enum { NE = 801 };
        const double y = 2.0 / n[1]; /* the row's centre */
        static double xe[NE], se[NE], be[NE];
        for (int k = 0; k < NE; k++) {
            double o[4];
            xe[k] = -2 + 4.0 * k / (NE - 1);
            swe_paraboloid(PARAB_G, PARAB_H0, PARAB_A, PARAB_ETA, PARAB_PERIOD, xe[k], y, o);
            se[k] = o[0] > 0 ? o[0] + o[3] : NAN;
            be[k] = o[3];
        }
        char lab[64];
        snprintf(lab, sizeof lab, "flowcast, %d x %d cells", n[1], n[1]);
        const fc_series ser[3] = {{xe, be, NE, "bottom", FC_LINE, 0x888888},
                                  {xe, se, NE, "exact (Thacker 1981)", FC_DASHED, 0x000000},
                                  {x, surf, (size_t)n[1], lab, FC_LINE, -1}};
        const fc_chart chart = {"Planar surface in a paraboloid: surface along y = 0 after one "
                                "period",
                                "h0 = 0.1 m, a = 1 m, eta = 0.5 m; T = 4.486 s", "x (m)",
                                "h + b (m)", 0, 0, ser, 3, -0.11, 0.14, NULL, 0};
        st = save_chart(ctx, "swe_paraboloid", &chart, err);
    }
    free(x), free(surf);
    if (st)
        return st;
    /* Measured (4 December 2026): L1 errors 3.8e-2, 1.2e-2, 4.5e-3, 1.6e-3 on 50, 100, 200 and
     * 400 cells a side (order 1.5: the depth has a kink at the moving shore), the centre of mass
     * 2.4e-2, 5.5e-3, 1.3e-3, 2.9e-4 of eta from the exact one (order 2.1). */
    const char *src = "Thacker (1981), SWASHES";
    rows[0] = (fc_val_row){"", "L1 error of h / L1 norm, t = one period", l1[1], 0,
                           ctx->quick ? 0.015 : 0.006, FC_VAL_AT_MOST, "", 0};
    rows[1] = (fc_val_row){"", "order of the L1 error of h", log2(l1[0] / l1[1]), 1.5, 1.3,
                           FC_VAL_AT_LEAST, "", 0};
    rows[2] = (fc_val_row){"", "|water's centre of mass - exact| / eta", centre[1], 0,
                           ctx->quick ? 0.01 : 0.0025, FC_VAL_AT_MOST, "", 0};
    /* (1.8e-16 measured on 200 x 200 cells over 1,640 steps; 1e-13 while the stages' blend
     * rounded the state rather than its change: swe.h; single precision 5.9e-8.) */
    rows[3] = (fc_val_row){"", "relative mass change over the period", fmax(mass[0], mass[1]), 0,
                           10 * ROUNDOFF, FC_VAL_AT_MOST, "exact: conserved", 0};
    snprintf(rows[0].case_name, sizeof rows[0].case_name, "swe paraboloid, %d x %d", n[1], n[1]);
    snprintf(rows[1].case_name, sizeof rows[1].case_name, "swe paraboloid, %d -> %d", n[0], n[1]);
    snprintf(rows[2].case_name, sizeof rows[2].case_name, "swe paraboloid, %d x %d", n[1], n[1]);
    snprintf(rows[3].case_name, sizeof rows[3].case_name, "swe paraboloid, %d and %d", n[0], n[1]);
    for (int k = 0; k < 3; k++)
        snprintf(rows[k].source, sizeof rows[k].source, "%s", src);
    *nrows = 4;
    return FC_OK;
}

/* The adjustment problem's step and rotation (fc_val_adjustment). */
#define ADJ_G 9.81
#define ADJ_F 1e-4
#define ADJ_DEPTH 100.0
#define ADJ_STEP 10.0
#define ADJ_HALF_WIDTH 2e6
/* Samples of the mean over one inertial period, and the periods before it. */
#define ADJ_SAMPLES 16
#define ADJ_SPIN_UP 7

/* Gill's linear steady state (depth ADJ_DEPTH, step at 0): h and v at x. */
static void gill_adjustment(double x, double *h, double *v)
{
    const double radius = sqrt(ADJ_G * ADJ_DEPTH) / ADJ_F, e = exp(-fabs(x) / radius);
    *h = ADJ_DEPTH - 0.5 * ADJ_STEP * (x > 0 ? 1 : -1) * (1 - e);
    *v = -ADJ_G * 0.5 * ADJ_STEP / (ADJ_F * radius) * e;
}

int fc_val_adjustment(int n, fc_val_adjust *out, double *x_out, double *h_out, double *v_out,
                      fc_err *err)
{
    const double period = 2 * M_PI / ADJ_F;
    fc_sim s;
    int st = open_fmt(&s, err,
                      "[case]\nsolver = swe\n[grid]\nnx = %d\nny = 4\nx_min = %g\nx_max = %g\n"
                      "y_max = %g\n[time]\nt_end = %.17g\n[boundary]\nwest = open\neast = open\n"
                      "south = periodic\nnorth = periodic\n[physics]\ng = %g\nf0 = %g\n"
                      "[initial]\ntype = adjustment\ndepth = %g\nstep = %g\n",
                      n, -ADJ_HALF_WIDTH, ADJ_HALF_WIDTH, 4 * 2 * ADJ_HALF_WIDTH / n,
                      (ADJ_SPIN_UP + 1) * period, ADJ_G, ADJ_F, ADJ_DEPTH, ADJ_STEP);
    if (st)
        return st;
    double *mean = calloc(2 * (size_t)n, sizeof *mean);
    if (!mean) {
        fc_sim_close(&s);
        return fc_fail(err, FC_ENOMEM, "out of memory for the adjustment's means");
    }
    for (int k = 1; k <= ADJ_SAMPLES && !st; k++)
        if (!(st = fc_sim_run_to(&s, (ADJ_SPIN_UP + (double)k / ADJ_SAMPLES) * period, 0, err)) &&
            !(st = fc_sim_download(&s, err)))
            for (int i = 0; i < n; i++) {
                const double h = fc_sim_at(&s, SWE_H, i, 1);
                mean[i] += h / ADJ_SAMPLES;
                mean[n + i] += fc_sim_at(&s, SWE_HV, i, 1) / h / ADJ_SAMPLES;
            }
    if (!st) {
        fc_adjustment exact;
        fc_adjustment_init(&exact, ADJ_G, ADJ_F, ADJ_DEPTH + 0.5 * ADJ_STEP,
                           ADJ_DEPTH - 0.5 * ADJ_STEP, 0);
        double dh = 0, dh_lin = 0, dv = 0, dv_lin = 0, v_norm = 0, kinetic = 0, released = 0;
        for (int i = 0; i < n; i++) {
            const double x = fc_grid_x(&s.grid, i), h = mean[i], v = mean[n + i];
            const double eta0 = (x < 0 ? 0.5 : -0.5) * ADJ_STEP, eta = h - ADJ_DEPTH;
            double he, ve, hl, vl;
            fc_adjustment_eval(&exact, x, &he, &ve);
            gill_adjustment(x, &hl, &vl);
            dh = fmax(dh, fabs(h - he)), dh_lin = fmax(dh_lin, fabs(h - hl));
            dv += fabs(v - ve), dv_lin += fabs(v - vl), v_norm += fabs(ve);
            kinetic += 0.5 * h * v * v, released += 0.5 * ADJ_G * (eta0 * eta0 - eta * eta);
            if (x_out)
                x_out[i] = x, h_out[i] = h, v_out[i] = v;
        }
        out->h_err = dh / (0.5 * ADJ_STEP), out->h_lin_err = dh_lin / (0.5 * ADJ_STEP);
        out->v_err = dv / v_norm, out->v_lin_err = dv_lin / v_norm;
        out->energy_ratio = kinetic / released;
        out->exact_energy_ratio = fc_adjustment_energy_ratio(&exact);
    }
    free(mean);
    fc_sim_close(&s);
    return st;
}

static int check_adjustment(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    enum { N = 400, NE = 801 };
    static double x[N], h[N], v[N], xe[NE], he[NE], ve[NE], hl[NE], vl[NE];
    fc_val_adjust m;
    int st = fc_val_adjustment(N, &m, x, h, v, err);
    if (st)
        return st;
    fc_adjustment exact;
    fc_adjustment_init(&exact, ADJ_G, ADJ_F, ADJ_DEPTH + 0.5 * ADJ_STEP,
                       ADJ_DEPTH - 0.5 * ADJ_STEP, 0);
    for (int k = 0; k < NE; k++) {
        xe[k] = (-ADJ_HALF_WIDTH + 2 * ADJ_HALF_WIDTH * k / (NE - 1)) / 1e3;
        fc_adjustment_eval(&exact, 1e3 * xe[k], &he[k], &ve[k]);
        gill_adjustment(1e3 * xe[k], &hl[k], &vl[k]);
    }
    for (int i = 0; i < N; i++)
        x[i] /= 1e3;
    static const char sub[] = "h = 105 | 95 m, f = 1e-4 s-1; mean over the 8th inertial period";
    const fc_series hs[3] = {{xe, hl, NE, "linear (Gill 1982)", FC_DASHED, 0x999999},
                             {xe, he, NE, "exact, nonlinear", FC_DASHED, 0x000000},
                             {x, h, N, "flowcast, 400 cells", FC_LINE, -1}};
    const fc_chart hc = {"Geostrophic adjustment: depth", sub, "x (km)", "h (m)", 0, 0, hs, 3,
                         0, 0, NULL, 0};
    const fc_series vs[3] = {{xe, vl, NE, "linear (Gill 1982)", FC_DASHED, 0x999999},
                             {xe, ve, NE, "exact, nonlinear", FC_DASHED, 0x000000},
                             {x, v, N, "flowcast, 400 cells", FC_LINE, -1}};
    const fc_chart vc = {"Geostrophic adjustment: the jet along the step", sub, "x (km)",
                         "v (m s-1)", 0, 0, vs, 3, 0, 0, NULL, 0};
    if ((st = save_chart(ctx, "swe_adjustment_h", &hc, err)) ||
        (st = save_chart(ctx, "swe_adjustment_v", &vc, err)))
        return st;
    /* Measured (5 December 2026) on 100, 200, 400 and 800 cells: h 1.1e-2, 3.1e-3, 1.5e-3,
     * 1.4e-3, v 3.0e-2, 1.4e-2, 1.1e-2, 9.7e-3: from 400 cells on, what the mean over one period
     * leaves of the waves, not the grid. Against the linear solution: 2.3e-2 and 3.4e-2, so the
     * rows tell the nonlinear steady state from the linear one. Single precision gives the
     * same h error, 1.458e-3 (6.5e-3 while the stages' rounding drifted its mass: swe.h). */
    const char *src = "exact steady state (Kuo & Polvani 1997)";
    rows[0] = (fc_val_row){"swe geostrophic adjustment, 400", "largest |h - exact| / (step / 2)",
                           m.h_err, 0, 3e-3, FC_VAL_AT_MOST, "", 0};
    rows[1] = (fc_val_row){"swe geostrophic adjustment, 400", "L1 error of v / L1 norm", m.v_err,
                           0, 0.02, FC_VAL_AT_MOST, "", 0};
    for (int k = 0; k < 2; k++)
        snprintf(rows[k].source, sizeof rows[k].source, "%s", src);
    /* The energy budget: the jet keeps 1/3 of the potential energy the step released, the
     * waves carry away the rest (Gill 1982; the exact nonlinear steady state keeps 1/3 too).
     * Measured 0.3343 (0.3325 on 200 cells). */
    rows[2] = (fc_val_row){"swe geostrophic adjustment, 400",
                           "jet's kinetic energy / potential energy released",
                           m.energy_ratio, m.exact_energy_ratio, 0.005, FC_VAL_NEAR,
                           "exact: 1/3 (Gill 1982)", 0};
    *nrows = 3;
    return FC_OK;
}

/* The inertia-gravity wave (fc_val_wave). */
#define WAVE_G 9.81
#define WAVE_F 1e-4
#define WAVE_DEPTH 100.0
#define WAVE_AMP 0.01
#define WAVE_LENGTH 2e6
#define WAVE_PERIODS 3

int fc_val_wave(int n, int per, fc_val_wave_err *out, double *t_out, double *amp_out,
                fc_err *err)
{
    const double k = 2 * M_PI / WAVE_LENGTH;
    const double w = sqrt(WAVE_F * WAVE_F + WAVE_G * WAVE_DEPTH * k * k), period = 2 * M_PI / w;
    const double geo = WAVE_F * WAVE_F / (w * w); /* the geostrophic part s */
    const double v_peak = WAVE_G * k * WAVE_AMP * geo / WAVE_F;
    const int samples = WAVE_PERIODS * per;
    fc_sim s;
    int st = open_fmt(&s, err,
                      "[case]\nsolver = swe\n[grid]\nnx = %d\nny = 4\nx_max = %g\ny_max = %g\n"
                      "[time]\nt_end = %.17g\n[boundary]\nwest = periodic\neast = periodic\n"
                      "south = periodic\nnorth = periodic\n[physics]\ng = %g\nf0 = %g\n"
                      "[initial]\ntype = standing_wave\ndepth = %g\namplitude = %g\n",
                      n, WAVE_LENGTH, 4 * WAVE_LENGTH / n, WAVE_PERIODS * period, WAVE_G, WAVE_F,
                      WAVE_DEPTH, WAVE_AMP);
    if (st)
        return st;
    double *amp = malloc((size_t)(samples + 1) * sizeof *amp);
    if (!amp) {
        fc_sim_close(&s);
        return fc_fail(err, FC_ENOMEM, "out of memory for the wave's samples");
    }
    out->h_err = out->v_err = 0;
    for (int m = 0; m <= samples && !st; m++) {
        const double t = period * m / per;
        if ((m > 0 && (st = fc_sim_run_to(&s, t, 0, err))) || (st = fc_sim_download(&s, err)))
            break;
        double dh = 0, dv = 0, proj = 0;
        for (int i = 0; i < n; i++) {
            const double x = fc_grid_x(&s.grid, i), h = fc_sim_at(&s, SWE_H, i, 1);
            double o[3];
            swe_standing_wave(WAVE_G, WAVE_DEPTH, WAVE_AMP, WAVE_F, k, 0, t, x, 0, o);
            dh += (h - o[0]) * (h - o[0]);
            const double v = fc_sim_at(&s, SWE_HV, i, 1) / h - o[2];
            dv += v * v;
            proj += 2 * (h - WAVE_DEPTH) * cos(k * x) / n;
        }
        out->h_err = fmax(out->h_err, sqrt(dh / n) / WAVE_AMP);
        out->v_err = fmax(out->v_err, sqrt(dv / n) / v_peak);
        amp[m] = proj / WAVE_AMP;
        if (t_out)
            t_out[m] = t, amp_out[m] = amp[m];
    }
    if (!st) {
        /* The component oscillates about geo as cos(w t): crossings at w t = pi/2 + j pi, the
         * first and the last of them (linear between samples) span 2 WAVE_PERIODS - 1 half
         * periods. */
        double first = NAN, last = NAN;
        for (int m = 0; m < samples; m++) {
            const double a = amp[m] - geo, b = amp[m + 1] - geo;
            if ((a > 0) != (b > 0)) {
                const double at = period * (m + a / (a - b)) / per;
                if (isnan(first))
                    first = at;
                last = at;
            }
        }
        out->period_ratio = 2 * (last - first) / (2 * WAVE_PERIODS - 1) / period;
    }
    free(amp);
    fc_sim_close(&s);
    return st;
}

static int check_wave(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    enum { PER = 24, NS = WAVE_PERIODS * PER + 1, NE = 721 };
    const int n[2] = {32, 64};
    fc_val_wave_err m[2];
    static double t[NS], amp[NS], te[NE], ae[NE];
    int st = FC_OK;
    for (int r = 0; r < 2 && !st; r++)
        st = fc_val_wave(n[r], PER, &m[r], r ? t : NULL, r ? amp : NULL, err);
    if (st)
        return st;
    const double k = 2 * M_PI / WAVE_LENGTH;
    const double w = sqrt(WAVE_F * WAVE_F + WAVE_G * WAVE_DEPTH * k * k);
    for (int j = 0; j < NE; j++) {
        double o[3];
        te[j] = WAVE_PERIODS * 2 * M_PI / w * j / (NE - 1) / 3600;
        swe_standing_wave(WAVE_G, WAVE_DEPTH, WAVE_AMP, WAVE_F, k, 0, 3600 * te[j], 0, 0, o);
        ae[j] = (o[0] - WAVE_DEPTH) / WAVE_AMP;
    }
    for (int j = 0; j < NS; j++)
        t[j] /= 3600;
    const fc_series ser[2] = {{te, ae, NE, "exact (linear)", FC_DASHED, 0x000000},
                              {t, amp, NS, "flowcast, 64 cells", FC_MARKERS, -1}};
    const fc_chart chart = {"Inertia-gravity wave: its cos(kx) component",
                            "H = 100 m, a = 1 cm, wavelength 2000 km, f = 1e-4 s-1; "
                            "period 12.4 h about a geostrophic part f^2/w^2 = 0.51",
                            "t (h)", "amplitude / a", 0, 0, ser, 2, 0, 0, NULL, 0};
    if ((st = save_chart(ctx, "swe_inertia_gravity_wave", &chart, err)))
        return st;
    /* Measured (5 December 2026) on 32, 64, 128 and 256 cells: the period 6.1e-4, 2.3e-4,
     * 6.6e-5 and 1.8e-5 short (the same at cfl 0.2: the grid's dispersion, not the time
     * step's), h 1.13e-2 and 2.5e-3 of a on 32 and 64 cells. Single precision rounds a 100 m depth
     * to 7.6e-6 m, 7.6e-4 of the 1 cm wave, and its h error is 5.6e-3 on 64 cells: h, v and
     * their order are judged in double, the period (from 64 cells' mean) in both. */
    const char *src = "exact linear solution (Gill 1982, 7.3)";
    rows[0] = (fc_val_row){"swe inertia-gravity wave, 64", "period / Poincare's 2 pi / w",
                           m[1].period_ratio, 1, 5e-4, FC_VAL_NEAR, "", 0};
    rows[1] = (fc_val_row){"swe inertia-gravity wave, 64",
                           "largest RMS |h - exact| / a over 3 periods", m[1].h_err, 0, 5e-3,
                           FC_VAL_AT_MOST | FC_VAL_NEEDS_DOUBLE, "", 0};
    rows[2] = (fc_val_row){"swe inertia-gravity wave, 64",
                           "largest RMS |v - exact| / geostrophic peak", m[1].v_err, 0, 1e-2,
                           FC_VAL_AT_MOST | FC_VAL_NEEDS_DOUBLE, "", 0};
    rows[3] = (fc_val_row){"swe inertia-gravity wave, 32 -> 64", "order of the error of h",
                           log2(m[0].h_err / m[1].h_err), 2, 1.8,
                           FC_VAL_AT_LEAST | FC_VAL_NEEDS_DOUBLE, "second order", 0};
    for (int r = 0; r < 3; r++)
        snprintf(rows[r].source, sizeof rows[r].source, "%s", src);
    *nrows = 4;
    return FC_OK;
}

/* The equatorial Kelvin wave (inputs/equatorial_kelvin_wave.ini): four wavelengths around a
 * 40000 km equator, 25 m equivalent depth (c = 15.7 m/s, a convectively coupled wave's speed),
 * beta = 2.3e-11 m-1 s-1, walls at +-4000 km, one period (the crests move 10000 km). */
#define KELVIN_G 9.81
#define KELVIN_DEPTH 25.0
#define KELVIN_AMP 0.01
#define KELVIN_BETA 2.3e-11
#define KELVIN_LX 4e7
#define KELVIN_M 4
#define KELVIN_Y 4e6
#define KELVIN_PER 24

typedef struct kelvin_err {
    double h_err;       /* RMS |h - exact| / a after one period */
    double v_max;       /* largest |v| over the period / the wave's u at its crest, g a / c */
    double speed_ratio; /* phase speed of the wave's kx component along the equator / c */
} kelvin_err;

/* On n x n/2 cells; when eq is not NULL, h - H along the equator's row at the end (n values). */
static int measure_kelvin(int n, kelvin_err *out, double *eq, fc_err *err)
{
    const double c = sqrt(KELVIN_G * KELVIN_DEPTH), k = 2 * M_PI * KELVIN_M / KELVIN_LX;
    const double period = KELVIN_LX / KELVIN_M / c;
    fc_sim s;
    int st = open_fmt(&s, err,
                      "[case]\nsolver = swe\n[grid]\nnx = %d\nny = %d\nx_max = %g\ny_min = %g\n"
                      "y_max = %g\n[time]\nt_end = %.17g\n[boundary]\nwest = periodic\n"
                      "east = periodic\nsouth = wall\nnorth = wall\n[physics]\ng = %g\nbeta = %g\n"
                      "[initial]\ntype = kelvin_wave\ndepth = %g\namplitude = %g\n"
                      "wavenumber_x = %d\n",
                      n, n / 2, KELVIN_LX, -KELVIN_Y, KELVIN_Y, period, KELVIN_G, KELVIN_BETA,
                      KELVIN_DEPTH, KELVIN_AMP, KELVIN_M);
    if (st)
        return st;
    /* The phase of the kx component of the rows nearest the equator (an even count: the two
     * beside it), followed sample by sample so that it may turn by a whole period. */
    const int j0 = n / 4 - 1;
    double phase = 0, last = 0;
    out->v_max = 0;
    for (int m = 0; m <= KELVIN_PER && !st; m++) {
        if ((m > 0 && (st = fc_sim_run_to(&s, period * m / KELVIN_PER, 0, err))) ||
            (st = fc_sim_download(&s, err)))
            break;
        double re = 0, im = 0;
        for (int i = 0; i < n; i++) {
            const double x = fc_grid_x(&s.grid, i);
            for (int j = j0; j <= j0 + 1; j++) {
                re += (fc_sim_at(&s, SWE_H, i, j) - KELVIN_DEPTH) * cos(k * x);
                im += (fc_sim_at(&s, SWE_H, i, j) - KELVIN_DEPTH) * sin(k * x);
            }
            for (int j = 0; j < n / 2; j++)
                out->v_max = fmax(out->v_max, fabs(fc_sim_at(&s, SWE_HV, i, j) /
                                                   fc_sim_at(&s, SWE_H, i, j)));
        }
        const double now = atan2(im, re); /* k c t for cos(k (x - c t)) */
        if (m > 0)
            phase += remainder(now - last, 2 * M_PI);
        last = now;
    }
    if (!st) {
        out->v_max /= KELVIN_G * KELVIN_AMP / c;
        out->speed_ratio = phase / (k * period) / c;
        const double yp = swe_kelvin_peak(0, KELVIN_BETA, 0, -KELVIN_Y, KELVIN_Y);
        double sq = 0;
        for (int j = 0; j < n / 2; j++)
            for (int i = 0; i < n; i++) {
                double o[3];
                swe_kelvin_wave(KELVIN_G, KELVIN_DEPTH, KELVIN_AMP, 0, KELVIN_BETA, 0, yp, k,
                                period, fc_grid_x(&s.grid, i), fc_grid_y(&s.grid, j), o);
                sq += pow(fc_sim_at(&s, SWE_H, i, j) - o[0], 2);
                if (eq && j == j0)
                    eq[i] = (0.5 * (fc_sim_at(&s, SWE_H, i, j) + fc_sim_at(&s, SWE_H, i, j + 1)) -
                             KELVIN_DEPTH) / KELVIN_AMP;
            }
        out->h_err = sqrt(sq / (n * n / 2)) / KELVIN_AMP;
    }
    fc_sim_close(&s);
    return st;
}

static int check_kelvin(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    enum { N0 = 128, N1 = 256, NE = 401 };
    kelvin_err m[2];
    static double x[N1], eq[N1], xe[NE], he[NE];
    int st = measure_kelvin(N0, &m[0], NULL, err);
    if (!st)
        st = measure_kelvin(N1, &m[1], eq, err);
    if (st)
        return st;
    const double c = sqrt(KELVIN_G * KELVIN_DEPTH), k = 2 * M_PI * KELVIN_M / KELVIN_LX;
    const double dy = 2 * KELVIN_Y / (N1 / 2);
    /* the mean of the two rows beside the equator, as eq is */
    const double envelope = exp(-KELVIN_BETA * (dy / 2) * (dy / 2) / (2 * c));
    for (int i = 0; i < N1; i++)
        x[i] = (i + 0.5) * KELVIN_LX / N1 / 1e3;
    for (int j = 0; j < NE; j++) {
        xe[j] = KELVIN_LX / 1e3 * j / (NE - 1);
        he[j] = envelope * cos(k * xe[j] * 1e3);
    }
    const fc_series ser[2] = {{xe, he, NE, "exact (linear)", FC_DASHED, 0x000000},
                              {x, eq, N1, "flowcast, 256 x 128", FC_MARKERS, -1}};
    const fc_chart chart = {"Equatorial Kelvin wave after one period: h along the equator",
                            "H = 25 m (c = 15.7 m/s), a = 1 cm, beta = 2.3e-11 m-1 s-1, "
                            "4 wavelengths on 40000 km; 7.4 days",
                            "x (km)", "(h - H) / a", 0, 0, ser, 2, 0, 0, NULL, 0};
    if ((st = save_chart(ctx, "swe_kelvin_wave", &chart, err)))
        return st;
    /* Measured (5 December 2026) on 64 x 32, 128 x 64, 256 x 128 and 512 x 256 cells: the
     * phase speed 4.0e-3, 1.9e-3, 6.3e-4 and 2.0e-4 fast (from the whole equator rows; the
     * samples here give 5.9e-4 on 256); h 3.4e-2, 9.6e-3, 2.9e-3 and 9.9e-4 of a (orders 1.8,
     * 1.7, 1.6: the limiter clips the smooth crests); v at most 5.9e-3, 1.5e-3 and 3.6e-4 of
     * the wave's u on the last three. Single precision rounds 25 m to 1.9e-6 m, 1.9e-4 of the
     * 1 cm wave: h, v and the order are judged in double, the phase speed in both. */
    const char *src = "exact linear solution (Gill 1982, 11.5)";
    rows[0] = (fc_val_row){"swe equatorial Kelvin wave, 256 x 128",
                           "phase speed error, (speed - c) / c, c = sqrt(g H)",
                           m[1].speed_ratio - 1, 0, 1e-3, FC_VAL_NEAR, "", 0};
    rows[1] = (fc_val_row){"swe equatorial Kelvin wave, 256 x 128",
                           "RMS |h - exact| / a after one period", m[1].h_err, 0, 4e-3,
                           FC_VAL_AT_MOST | FC_VAL_NEEDS_DOUBLE, "", 0};
    rows[2] = (fc_val_row){"swe equatorial Kelvin wave, 256 x 128",
                           "largest |v| / the wave's u (g a / c)", m[1].v_max, 0, 2.5e-3,
                           FC_VAL_AT_MOST | FC_VAL_NEEDS_DOUBLE, "exact: v = 0", 0};
    rows[3] = (fc_val_row){"swe equatorial Kelvin wave, 128 -> 256", "order of the error of h",
                           log2(m[0].h_err / m[1].h_err), 2, 1.6,
                           FC_VAL_AT_LEAST | FC_VAL_NEEDS_DOUBLE, "second order", 0};
    for (int r = 0; r < 2; r++)
        snprintf(rows[r].source, sizeof rows[r].source, "%s", src);
    *nrows = 4;
    return FC_OK;
}

/* ---- incompressible flow ---- */

/* Linear interpolation of (xs, fs)[0..n) at x (xs increasing). */
static double interp(const double *xs, const double *fs, int n, double x)
{
    int k = 0;
    while (k < n - 2 && xs[k + 1] < x)
        k++;
    double w = (x - xs[k]) / (xs[k + 1] - xs[k]);
    return fs[k] + w * (fs[k + 1] - fs[k]);
}

void fc_val_profiles_free(fc_val_profiles *p)
{
    free(p->y), free(p->u), free(p->x), free(p->v);
    memset(p, 0, sizeof *p);
}

int fc_val_cavity(double re, int n, double *du, double *dv, fc_val_profiles *prof, fc_err *err)
{
    int col = -1;
    for (int c = 0; c < GHIA1982_NRE; c++)
        if (ghia1982_re[c] == re)
            col = c;
    if (col < 0 || n % 2)
        return fc_fail(err, FC_EINPUT, "no Ghia data for Re %g, or odd n = %d", re, n);
    fc_sim s;
    /* Steady to 1e-4 (m s-1 per s): the centreline values then move by well under 1e-3. */
    int st = open_fmt(&s, err,
                      "[case]\nsolver = ns2d\n[grid]\nnx = %d\nny = %d\nx_max = 1\ny_max = 1\n"
                      "[time]\nt_end = 300\ncfl = 0.8\n[physics]\nreynolds = %g\n[boundary]\n"
                      "north_wall_speed = 1\n[initial]\ntype = rest\n",
                      n, n, re);
    if (st || (st = run_and_download(&s, 300, 1e-4, err)))
        return st;
    /* u on the faces of column n/2 (x = 0.5) at the cell centres in y, walls added. */
    double *ys = malloc((size_t)(n + 2) * sizeof *ys), *us = malloc((size_t)(n + 2) * sizeof *us);
    double *xs = malloc((size_t)(n + 2) * sizeof *xs), *vs = malloc((size_t)(n + 2) * sizeof *vs);
    if (!ys || !us || !xs || !vs) {
        free(ys), free(us), free(xs), free(vs);
        fc_sim_close(&s);
        return fc_fail(err, FC_ENOMEM, "out of memory");
    }
    ys[0] = xs[0] = 0;
    us[0] = vs[0] = 0;
    for (int k = 0; k < n; k++) {
        ys[k + 1] = fc_grid_y(&s.grid, k);
        us[k + 1] = fc_sim_at(&s, NS2D_U, n / 2, k);
        xs[k + 1] = fc_grid_x(&s.grid, k);
        vs[k + 1] = fc_sim_at(&s, NS2D_V, k, n / 2);
    }
    ys[n + 1] = xs[n + 1] = 1;
    us[n + 1] = 1;
    vs[n + 1] = 0;
    *du = *dv = 0;
    for (int k = 0; k < GHIA1982_N; k++) {
        if (!ghia1982_misprint_u(col, k))
            *du = fmax(*du, fabs(interp(ys, us, n + 2, ghia1982_y[k]) - ghia1982_u[col][k]));
        if (!ghia1982_misprint_v(col, k))
            *dv = fmax(*dv, fabs(interp(xs, vs, n + 2, ghia1982_x[k]) - ghia1982_v[col][k]));
    }
    if (prof)
        *prof = (fc_val_profiles){n + 2, ys, us, xs, vs};
    else
        free(ys), free(us), free(xs), free(vs);
    fc_sim_close(&s);
    return FC_OK;
}

int fc_val_poiseuille(int ny, int inflow, double *rel_l2, fc_err *err)
{
    fc_sim s;
    int st;
    double t_end, tol;
    if (inflow) /* Re 10 on a unit width, mean speed 1: u = 6 y (1 - y) */
        st = open_fmt(&s, err,
                      "[case]\nsolver = ns2d\n[grid]\nnx = %d\nny = %d\nx_max = 4\ny_max = 1\n"
                      "[time]\nt_end = 1\ncfl = 0.8\n[physics]\nreynolds = 10\n[boundary]\n"
                      "west = inflow\neast = open\ninflow_speed = 1\n[initial]\ntype = rest\n",
                      4 * ny, ny),
        t_end = 20, tol = 1e-7;
    else /* G = 0.8, nu = 0.1: u = 4 y (1 - y) */
        st = open_fmt(&s, err,
                      "[case]\nsolver = ns2d\n[grid]\nnx = 4\nny = %d\nx_max = %.17g\ny_max = 1\n"
                      "[time]\nt_end = 1\ncfl = 0.8\n[physics]\nviscosity = 0.1\nforce_x = 0.8\n"
                      "[boundary]\nwest = periodic\neast = periodic\n[initial]\ntype = rest\n",
                      ny, 4.0 / ny),
        t_end = 60, tol = 1e-7;
    if (st || (st = run_and_download(&s, t_end, tol, err)))
        return st;
    const double amp = inflow ? 6 : 4;
    double e2 = 0, u2 = 0;
    const int i = s.grid.nx - 1; /* the outlet column */
    for (int j = 0; j < ny; j++) {
        double y = fc_grid_y(&s.grid, j), exact = amp * y * (1 - y);
        double u = (fc_sim_at(&s, NS2D_U, i, j) + fc_sim_at(&s, NS2D_U, i + 1, j)) / 2;
        e2 += (u - exact) * (u - exact);
        u2 += exact * exact;
    }
    fc_sim_close(&s);
    *rel_l2 = sqrt(e2 / u2);
    return FC_OK;
}

int fc_val_immersed_poiseuille(int ny, double wall, double *max_err, fc_err *err)
{
    fc_sim s;
    /* G = 0.8, nu = 0.1 between y = wall and the north wall at 1: u = 4 (y - wall)(1 - y). The
     * body is a rectangle reaching from below the domain to y = wall, wider than the box. */
    int st = open_fmt(&s, err,
                      "[case]\nsolver = ns2d\n[grid]\nnx = 4\nny = %d\nx_max = %.17g\ny_max = 1\n"
                      "[time]\nt_end = 1\ncfl = 0.8\n[physics]\nviscosity = 0.1\nforce_x = 0.8\n"
                      "[boundary]\nwest = periodic\neast = periodic\n[obstacle]\nshape = rectangle\nboundary = immersed\n"
                      "center_x = 0\ncenter_y = %.17g\nwidth = 100\nheight = 2\n"
                      "[initial]\ntype = rest\n",
                      ny, 4.0 / ny, wall - 1);
    if (st || (st = run_and_download(&s, 60, 1e-7, err)))
        return st;
    *max_err = 0;
    for (int j = 0; j < ny; j++) {
        const double y = fc_grid_y(&s.grid, j);
        if (y < wall)
            continue;
        const double u = (fc_sim_at(&s, NS2D_U, 1, j) + fc_sim_at(&s, NS2D_U, 2, j)) / 2;
        *max_err = fmax(*max_err, fabs(u - 4 * (y - wall) * (1 - y)));
    }
    fc_sim_close(&s);
    return FC_OK;
}

int fc_val_cylinder_steady(int d, double *cd, double *cl, double *dp, double *cd_cv, fc_err *err)
{
    fc_sim s;
    /* Schaefer & Turek's 2D-1: mean inflow 0.2 m/s (peak 0.3), D = 0.1 m, nu = 1e-3: Re 20. */
    int st = open_fmt(&s, err,
                      "[case]\nsolver = ns2d\n[grid]\nnx = %d\nny = %d\nx_max = 2.2\ny_max = 0.41\n"
                      "[time]\nt_end = 1\ncfl = 0.8\n[physics]\nreynolds = 20\n"
                      "reference_speed = 0.2\nreference_length = 0.1\n[boundary]\nwest = inflow\n"
                      "east = open\ninflow_speed = 0.2\n[obstacle]\nshape = circle\n"
                      "boundary = immersed\ncenter_x = 0.2\ncenter_y = 0.2\nsize = 0.1\n"
                      "[initial]\ntype = rest\n",
                      22 * d, (41 * d + 5) / 10);
    /* Steady to 1e-4 m s-1 per s: the coefficients then move in the sixth digit. */
    if (st || (st = run_and_download(&s, 60, 1e-4, err)))
        return st;
    *cd = diagnostic(&s, "drag_coefficient");
    *cl = diagnostic(&s, "lift_coefficient");
    *dp = diagnostic(&s, "pressure_difference");
    *cd_cv = diagnostic(&s, "drag_coefficient_cv");
    fc_sim_close(&s);
    return FC_OK;
}

int fc_val_naca(int n, double alpha, double t_end, double *cd, double *cl, double *cd_cv,
                fc_err *err)
{
    fc_sim s;
    /* inputs/naca0012.ini: chord 1 m, U 1 m s-1, Re 1000; an 8 x 6 m free stream whose side
     * walls move with it, the leading edge 2 m from the inflow and 3 m from each side. */
    int st = open_fmt(&s, err,
                      "[case]\nsolver = ns2d\n[grid]\nnx = %d\nny = %d\nx_max = 8\ny_max = 6\n"
                      "[time]\nt_end = 1\ncfl = 0.8\n[physics]\nreynolds = 1000\n[boundary]\n"
                      "west = inflow\neast = open\nsouth_wall_speed = 1\nnorth_wall_speed = 1\n"
                      "inflow_speed = 1\ninflow_profile = uniform\n[obstacle]\nshape = naca\n"
                      "boundary = immersed\nnaca = 0012\nsize = 1\ncenter_x = 2.5\ncenter_y = 3\n"
                      "angle_of_attack = %.17g\n[initial]\ntype = rest\n",
                      8 * n, 6 * n, alpha);
    if (st || (st = run_and_download(&s, t_end, 0, err)))
        return st;
    *cd = diagnostic(&s, "drag_coefficient");
    *cl = diagnostic(&s, "lift_coefficient");
    *cd_cv = diagnostic(&s, "drag_coefficient_cv");
    fc_sim_close(&s);
    return FC_OK;
}

/* Where u turns from sign `from` to the other between faces i and i + 1, from face i0 on
 * (linear; NAN: nowhere). */
static double sign_change(int n, const double *x, const double *u, int i0, int from, int *at)
{
    for (int i = i0; i + 1 < n; i++)
        if ((from < 0 ? u[i] < 0 && u[i + 1] >= 0 : u[i] > 0 && u[i + 1] <= 0)) {
            *at = i + 1;
            return x[i] + u[i] / (u[i] - u[i + 1]) * (x[i + 1] - x[i]);
        }
    *at = n;
    return NAN;
}

void fc_val_step_eddies(int n, const double *x, const double *lower, const double *upper,
                        double out[3])
{
    int at;
    out[0] = sign_change(n, x, lower, 0, -1, &at);
    out[1] = sign_change(n, x, upper, 0, 1, &at);
    out[2] = at < n ? sign_change(n, x, upper, at, -1, &at) : NAN;
}

int fc_val_backward_step(int n, double out[3], fc_val_walls *walls, fc_err *err)
{
    fc_sim s;
    /* inputs/backward_step.ini: the inflow (parabolic, mean 1 m s-1) enters the upper half of
     * the west side; the step is a staircase rectangle filling the lower half of the cells
     * between x = -0.05 m and the step face at x = 0. The outlet at x = 20 m gives the eddies'
     * positions of one 10 m longer (Gartling's 30 m) to 4 digits at 40 cells per H. */
    int st = open_fmt(&s, err,
                      "[case]\nsolver = ns2d\n[grid]\nnx = %d\nny = %d\nx_min = -0.05\n"
                      "x_max = 20\ny_min = -0.5\ny_max = 0.5\n[time]\nt_end = 1\ncfl = 0.8\n"
                      "[physics]\nviscosity = 0.00125\n[boundary]\nwest = inflow\neast = open\n"
                      "inflow_speed = 1\n[obstacle]\nshape = rectangle\ncenter_x = -0.025\n"
                      "center_y = -0.25\nwidth = 0.05\nheight = 0.5\n[initial]\ntype = rest\n",
                      (int)lround(20.05 * n), n);
    /* The eddies creep for a long time: steady to 1e-4 m s-2 at t = 330 to 340 s, where
     * they move by less than 1e-3 m in 10 s. */
    if (st || (st = run_and_download(&s, 1000, 1e-4, err)))
        return st;
    /* From the step's face on: the faces inside the step hold the staircase's wall values. */
    const int i0 = (int)lround(-s.grid.x_min / s.grid.dx), nf = s.grid.nx + 1 - i0;
    double *x = malloc(3 * (size_t)nf * sizeof *x);
    if (!x) {
        fc_sim_close(&s);
        return fc_fail(err, FC_ENOMEM, "out of memory for the step's wall rows");
    }
    double *lower = x + nf, *upper = lower + nf;
    for (int i = 0; i < nf; i++) {
        x[i] = s.grid.x_min + (i0 + i) * s.grid.dx;
        lower[i] = fc_sim_at(&s, NS2D_U, i0 + i, 0);
        upper[i] = fc_sim_at(&s, NS2D_U, i0 + i, s.grid.ny - 1);
    }
    fc_sim_close(&s);
    fc_val_step_eddies(nf, x, lower, upper, out);
    if (walls)
        *walls = (fc_val_walls){nf, x, lower, upper};
    else
        free(x);
    return FC_OK;
}

int fc_val_taylor_green(int n, double *rel_err, fc_err *err)
{
    fc_sim s;
    const double nu = 0.01, t_end = 1;
    int st = open_fmt(&s, err,
                      "[case]\nsolver = ns2d\n[grid]\nnx = %d\nny = %d\nx_max = %.17g\n"
                      "y_max = %.17g\n[time]\nt_end = 1\ncfl = 0.8\n[physics]\nviscosity = %g\n"
                      "[boundary]\nwest = periodic\neast = periodic\nsouth = periodic\n"
                      "north = periodic\n[initial]\ntype = taylor_green\namplitude = 1\n",
                      n, n, 2 * acos(-1), 2 * acos(-1), nu);
    if (st || (st = run_and_download(&s, t_end, 0, err)))
        return st;
    double e = 0;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double u, v, p;
            ns2d_taylor_green(1, 1, nu, s.t, s.grid.x_min + i * s.grid.dx, fc_grid_y(&s.grid, j),
                              &u, &v, &p);
            e = fmax(e, fabs(fc_sim_at(&s, NS2D_U, i, j) - u));
        }
    fc_sim_close(&s);
    *rel_err = e;
    return FC_OK;
}

int fc_val_divergence(int n, int steps, double *ratio, fc_err *err)
{
    fc_sim s;
    int st = open_fmt(&s, err,
                      "[case]\nsolver = ns2d\n[grid]\nnx = %d\nny = %d\nx_max = 1\ny_max = 1\n"
                      "[time]\nt_end = 1\ncfl = 0.8\n[physics]\nreynolds = 1000\n[boundary]\n"
                      "north_wall_speed = 1\n[initial]\ntype = rest\n",
                      n, n);
    if (st)
        return st;
    /* The tolerance is the stricter of poisson_tol and poisson_rtol times the flow's largest
     * |u|/dx or |v|/dy (ns2d_projection_tol), that scale taken from each step's velocities. */
    const double h = fmin(s.grid.dx, s.grid.dy);
    *ratio = 0;
    for (int k = 0; k < steps && !st; k++) {
        if ((st = fc_sim_steps(&s, 1, err)) || (st = fc_sim_download(&s, err)))
            break;
        double speed = 0;
        for (int j = 0; j < s.grid.ny; j++)
            for (int i = 0; i < s.grid.nx; i++)
                speed = fmax(speed, fmax(fabs(fc_sim_at(&s, NS2D_U, i, j)),
                                         fabs(fc_sim_at(&s, NS2D_V, i, j))));
        ns2d_tol tol;
        ns2d_projection_tol(s.params, speed / h, &tol);
        *ratio = fmax(*ratio, diagnostic(&s, "max_divergence") / tol.value);
    }
    fc_sim_close(&s);
    return st;
}

/* Schaefer & Turek's channel at Re 100 (mean inflow 1 m/s, D = 0.1 m) with d cells across the
 * cylinder, its [obstacle] boundary `boundary`, the inflow steady (period 0) or times
 * sin(2 pi t / period). */
static int open_cylinder_channel(fc_sim *s, int d, const char *boundary, double period,
                                 fc_err *err)
{
    if (d % 10)
        return fc_fail(err, FC_EINPUT, "the cylinder needs a multiple of 10 cells across, not %d",
                       d);
    return open_fmt(s, err,
                    "[case]\nsolver = ns2d\n[grid]\nnx = %d\nny = %d\nx_max = 2.2\ny_max = 0.41\n"
                    "[time]\nt_end = 1\ncfl = 0.8\n[physics]\nreynolds = 100\n"
                    "reference_speed = 1\nreference_length = 0.1\n[boundary]\nwest = inflow\n"
                    "east = open\ninflow_speed = 1\ninflow_period = %.17g\n[obstacle]\n"
                    "shape = circle\nboundary = %s\ncenter_x = 0.2\ncenter_y = 0.2\n"
                    "size = 0.1\n[initial]\ntype = rest\n",
                    22 * d, 41 * d / 10, period, boundary);
}

int fc_val_cylinder_2d3(int d, double *cd_cv_max, double *t_cd_cv_max, double *dp_end,
                        fc_err *err)
{
    fc_sim s;
    const double t_end = 8;
    int st = open_cylinder_channel(&s, d, "immersed", 16, err);
    *cd_cv_max = -INFINITY;
    *t_cd_cv_max = *dp_end = NAN;
    while (!st && s.t < t_end) {
        double dt = fmin(fc_cfg_real(&s.cfg, "time", "cfl") / s.rate, t_end - s.t);
        if ((st = fc_sim_step(&s, &dt, err)) || (st = fc_sim_download(&s, err)))
            break;
        const double cd = diagnostic(&s, "drag_coefficient_cv");
        if (cd > *cd_cv_max) {
            *cd_cv_max = cd;
            *t_cd_cv_max = s.t;
        }
    }
    if (!st)
        *dp_end = diagnostic(&s, "pressure_difference");
    fc_sim_close(&s);
    return st;
}

int fc_val_cylinder(int d, const char *boundary, double t_end, double *strouhal, double *cd_max,
                    double *cl_max, double *cd_cv_max, double *cl_cv_max, fc_err *err)
{
    fc_sim s;
    const double D = 0.1, U = 1; /* mean inflow speed: Re = U D / nu = 100 */
    int st = open_cylinder_channel(&s, d, boundary, 0, err);
    if (st)
        return st;
    /* Lift and drag at every step of the second half, where the street is established. */
    size_t cap = 1024, n = 0;
    double *t = malloc(cap * sizeof *t), *cl = malloc(cap * sizeof *cl);
    *cd_max = *cl_max = *cd_cv_max = *cl_cv_max = -INFINITY;
    while (!st && s.t < t_end) {
        if ((st = fc_sim_steps(&s, 1, err)))
            break;
        if (s.t < t_end / 2)
            continue;
        if ((st = fc_sim_download(&s, err)))
            break;
        const double cd = diagnostic(&s, "drag_coefficient");
        if (t && cl && n == cap) {
            double *tt = realloc(t, 2 * cap * sizeof *t);
            t = tt ? tt : t;
            double *tc = tt ? realloc(cl, 2 * cap * sizeof *cl) : NULL;
            cl = tc ? tc : cl;
            if (!tc) {
                st = fc_fail(err, FC_ENOMEM, "out of memory");
                break;
            }
            cap *= 2;
        }
        if (!t || !cl) {
            st = fc_fail(err, FC_ENOMEM, "out of memory");
            break;
        }
        t[n] = s.t;
        cl[n] = diagnostic(&s, "lift_coefficient");
        *cd_max = fmax(*cd_max, cd);
        *cl_max = fmax(*cl_max, cl[n++]);
        *cd_cv_max = fmax(*cd_cv_max, diagnostic(&s, "drag_coefficient_cv"));
        *cl_cv_max = fmax(*cl_cv_max, diagnostic(&s, "lift_coefficient_cv"));
    }
    fc_sim_close(&s);
    fc_series_stats lift; /* its period from the upward crossings of its mean */
    if (!st)
        fc_series_stats_of(t, cl, n, &lift);
    free(t);
    free(cl);
    if (st)
        return st;
    if (lift.crossings < 3)
        return fc_fail(err, FC_ENUMERIC,
                       "the cylinder did not shed: %d lift oscillations by t = %g s",
                       lift.crossings, t_end);
    *strouhal = D / lift.period / U;
    return FC_OK;
}

static int check_poiseuille(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    (void)ctx;
    double force, inflow;
    int st = fc_val_poiseuille(32, 0, &force, err);
    if (!st)
        st = fc_val_poiseuille(32, 1, &inflow, err);
    if (st)
        return st;
    rows[0] = (fc_val_row){"ns2d Poiseuille, body force", "relative L2 error of u, 32 cells",
                           force, 0, 1e-3, FC_VAL_AT_MOST, "exact: G y (H - y) / 2 nu", 0};
    rows[1] = (fc_val_row){"ns2d channel, inflow/outflow", "relative L2 error of outlet u, 32 cells",
                           inflow, 0, 1e-3, FC_VAL_AT_MOST, "exact: 6 U y (H - y) / H^2", 0};
    *nrows = 2;
    return FC_OK;
}

static int check_immersed_wall(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    (void)ctx;
    /* Walls a cell centre (0.203125), a quarter cell above one and past a face: the quadratic
     * the forcing interpolates with holds a parabola exactly wherever the wall falls. */
    const double walls[3] = {0.203125, 0.2109375, 0.23};
    double worst = 0;
    for (int w = 0; w < 3; w++) {
        double e;
        int st = fc_val_immersed_poiseuille(32, walls[w], &e, err);
        if (st)
            return st;
        worst = fmax(worst, e);
    }
    rows[0] = (fc_val_row){"ns2d Poiseuille, immersed wall", "largest error of u, 3 wall positions",
                           worst, 0, 1e-6 + ROUNDOFF, FC_VAL_AT_MOST,
                           "exact: G (y - y0)(H - y) / (2 nu)", 0};
    *nrows = 1;
    return FC_OK;
}

static int check_cylinder_steady(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    (void)ctx;
    /* John & Matthies (2001), Int. J. Numer. Meth. Fluids 37, 885-903, on 2D-1 (inside Schaefer
     * & Turek's intervals 5.57-5.59, 0.0104-0.0110, 0.1172-0.1176). */
    const double cd_ref = 5.57953523384, cl_ref = 0.010618948146, dp_ref = 0.11752016697;
    double cd[2], cl[2], dp[2], cv[2];
    for (int r = 0; r < 2; r++) {
        int st = fc_val_cylinder_steady(10 << r, &cd[r], &cl[r], &dp[r], &cv[r], err);
        if (st)
            return st;
    }
    static const char src[] = "Schaefer & Turek 2D-1; John & Matthies (2001)";
    /* The balance within the benchmark's own interval (+- 0.01); the surface drag's error
     * falling at least at order 1.5 from 10 to 20 cells per diameter (1.55 since the cut
     * cells' mass fix, 1.7 before it; 2.2 from 20 to 40, too slow for the suite); lift and
     * pressure difference a little beyond their errors at 20 (+7.7 %, -2.2 %). */
    const double order = log2(fabs(cd[0] - cd_ref) / fabs(cd[1] - cd_ref));
    rows[0] = (fc_val_row){"ns2d cylinder Re 20 (2D-1), immersed, 20 cells/D", "", cv[1], cd_ref,
                           0.01, FC_VAL_NEAR, "", 0};
    rows[1] = (fc_val_row){"ns2d cylinder Re 20 (2D-1), immersed, 10 -> 20 cells/D", "", order,
                           2, 1.5, FC_VAL_AT_LEAST, "", 0};
    rows[2] = (fc_val_row){"ns2d cylinder Re 20 (2D-1), immersed, 20 cells/D", "", cl[1], cl_ref,
                           0.1 * cl_ref, FC_VAL_NEAR, "", 0};
    rows[3] = (fc_val_row){"ns2d cylinder Re 20 (2D-1), immersed, 20 cells/D", "", dp[1], dp_ref,
                           0.025 * dp_ref, FC_VAL_NEAR, "", 0};
    snprintf(rows[0].metric, sizeof rows[0].metric,
             "drag coefficient, momentum balance (10 cells/D: %.4g)", cv[0]);
    snprintf(rows[1].metric, sizeof rows[1].metric,
             "order of the surface drag's error (drag %.4g, %.4g)", cd[0], cd[1]);
    snprintf(rows[2].metric, sizeof rows[2].metric, "lift coefficient (10 cells/D: %.4g)", cl[0]);
    snprintf(rows[3].metric, sizeof rows[3].metric,
             "pressure difference front - back (10 cells/D: %.4g)", dp[0]);
    for (int q = 0; q < 4; q++)
        snprintf(rows[q].source, sizeof rows[q].source, "%s",
                 q == 1 ? "second order, against 5.5795" : src);
    *nrows = 4;
    return FC_OK;
}

static int check_naca(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    (void)ctx;
    /* Kouser et al. (2021), Int. J. Micro Air Vehicles, doi:10.1177/17568293211055656: C_L and
     * C_D of the NACA 0012 at Re 1000 against the angle of attack, as digitised from their
     * figure in the Lethe CFD project's NACA 0012 example: at 5.05 degrees C_L 0.2474, C_D
     * 0.1296. The momentum balance's drag converges to it: 0.1349, 0.1332, 0.1302 at 32, 64 and
     * 128 cells per chord (docs/ns2d.md's table). The row runs 64 cells per chord because at 32
     * the drag depends on where the aerofoil sits within a cell: 0.1349 to 0.1445 over quarter-
     * cell shifts (only this placement is within 5 %), against 0.1319 to 0.1332 at 64. The lift
     * is shown, not judged: at one placement it has not converged (0.267, 0.237, 0.276 at 32,
     * 64, 128), and over the shifts it spans 0.190 to 0.267 at 32 and 0.237 to 0.259 at 64. At 0
     * degrees the balance's drag is 0.1314 and 0.1232 at 32 and 64 cells per chord against
     * Kouser's 0.1212 (docs/ns2d.md). */
    const double cd_ref = 0.1296;
    double cd, cl, cv;
    int st = fc_val_naca(64, 5, 12, &cd, &cl, &cv, err);
    if (st)
        return st;
    rows[0] = (fc_val_row){"ns2d NACA 0012 Re 1000, 5 deg, 64 cells/chord", "", cv, cd_ref,
                           0.05 * cd_ref, FC_VAL_NEAR, "Kouser et al. (2021), Re 1000, 5.05 deg", 0};
    snprintf(rows[0].metric, sizeof rows[0].metric,
             "drag coefficient, momentum balance (surface %.4g; lift %.4g)", cd, cl);
    *nrows = 1;
    return FC_OK;
}

/* u along both walls at the finer grid, where it changes sign marked with Gartling's
 * positions. */
static int step_chart(const fc_val_ctx *ctx, int n, const fc_val_walls *w, const double ref[3],
                      fc_err *err)
{
    static const double zero[3] = {0, 0, 0};
    char lo[64], up[64], marks[96];
    snprintf(lo, sizeof lo, "lower wall, %d cells/H", n);
    snprintf(up, sizeof up, "upper wall, %d cells/H", n);
    snprintf(marks, sizeof marks, "Gartling (1990): reattachment %.2f, upper eddy %.2f-%.2f",
             ref[0], ref[1], ref[2]);
    const fc_series ser[3] = {{w->x, w->lower, (size_t)w->n, lo, FC_LINE, -1},
                              {w->x, w->upper, (size_t)w->n, up, FC_LINE, -1},
                              {ref, zero, 3, marks, FC_MARKERS, 0x000000}};
    const fc_chart c = {"Backward-facing step, Re 800: u in the cell rows next to the walls",
                        "steady state; u < 0 inside an eddy", "x / H (the step's face at 0)",
                        "u (m s-1)", 0, 0, ser, 3, 0, 0, NULL, 0};
    return save_chart(ctx, "ns2d_backward_step", &c, err);
}

static int check_backward_step(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows,
                               fc_err *err)
{
    /* Gartling (1990), Int. J. Numer. Meth. Fluids 11, 953-967, the benchmark's steady Re 800
     * solution: the lower eddy reattaches at 6.10 H, the upper one spans 4.85 to 10.48 H. At
     * 20, 40 and 80 cells per H flowcast's eddies are 5.631, 6.005, 6.100 (lower reattachment),
     * 4.624, 4.888, 4.923 and 9.877, 10.272, 10.373 (the upper eddy's ends; docs/ns2d.md).
     * Tolerances: 3 % of each length at 40 cells per H, where the upper eddy's ends are still
     * 0.035 and 0.1 H from their 80-cell values; the lower eddy's error falling at order 1.5 or
     * more (2.3). */
    const double ref[3] = {6.10, 4.85, 10.48};
    double coarse[3], fine[3];
    fc_val_walls walls = {0, NULL, NULL, NULL};
    int st = fc_val_backward_step(20, coarse, NULL, err);
    if (!st)
        st = fc_val_backward_step(40, fine, ctx->plots ? &walls : NULL, err);
    if (!st && ctx->plots)
        st = step_chart(ctx, 40, &walls, ref, err);
    free(walls.x);
    if (st)
        return st;
    static const char *what[3] = {"lower wall's reattachment x1 / H",
                                  "upper wall's separation x2 / H",
                                  "upper wall's reattachment x3 / H"};
    for (int q = 0; q < 3; q++) {
        rows[q] = (fc_val_row){"ns2d backward-facing step Re 800, 40 cells/H", "", fine[q], ref[q],
                               0.03 * ref[q], FC_VAL_NEAR, "Gartling (1990)", 0};
        snprintf(rows[q].metric, sizeof rows[q].metric, "%s (20 cells/H: %.4g)", what[q],
                 coarse[q]);
    }
    const double order = log2(fabs(coarse[0] - ref[0]) / fabs(fine[0] - ref[0]));
    rows[3] = (fc_val_row){"ns2d backward-facing step Re 800, 20 -> 40 cells/H",
                           "order of x1's error", order, 2, 1.5, FC_VAL_AT_LEAST,
                           "second order, against Gartling's 6.10", 0};
    *nrows = 4;
    return FC_OK;
}

static int check_taylor_green(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    /* Two errors of opposite sign add up here: the 5-point Laplacian's, which slows the decay
     * by nu t h^2 / 12 of the amplitude at this wavenumber (+1.0e-6 on 256 cells), and QUICK's
     * third-order dissipation, which speeds it. The second dominates on coarse grids, so that
     * the order from 64 to 128 cells is 3.18 and only from 128 to 256 the asymptotic second
     * order shows (2.20; measured 6 December 2026: 2.4e-3, 3.0e-4, 3.3e-5, 3.6e-6 and 7.8e-7
     * on 16 to 256 cells, the same at cfl 0.1, so none of it is the time step's). Single
     * precision's round-off is a fifth of the error on 256 cells (9.5e-7, order 1.94), so the
     * full set's order is judged in double. */
    const int n = ctx->quick ? 16 : 128;
    const int order_rule = FC_VAL_AT_LEAST | (ctx->quick ? 0 : FC_VAL_NEEDS_DOUBLE);
    double e1, e2;
    int st = fc_val_taylor_green(n, &e1, err);
    if (!st)
        st = fc_val_taylor_green(2 * n, &e2, err);
    if (st)
        return st;
    rows[0] = (fc_val_row){"ns2d Taylor-Green, t = 1 s", "", e2, 0, ctx->quick ? 1e-3 : 2e-6,
                           FC_VAL_AT_MOST, "exact (Taylor & Green 1937)", 0};
    snprintf(rows[0].metric, sizeof rows[0].metric, "max |u - exact| / U, %d x %d", 2 * n, 2 * n);
    rows[1] = (fc_val_row){"ns2d Taylor-Green, t = 1 s", "", log2(e1 / e2), 2, 1.9, order_rule,
                           "second order in space", 0};
    snprintf(rows[1].metric, sizeof rows[1].metric, "order of that error, %d -> %d cells", n,
             2 * n);
    *nrows = 2;
    return FC_OK;
}

static int check_divergence(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    double ratio;
    const int n = ctx->quick ? 64 : 256;
    int st = fc_val_divergence(n, 50, &ratio, err);
    if (st)
        return st;
    rows[0] = (fc_val_row){"ns2d cavity Re 1000, 50 steps", "", ratio, 0, 1, FC_VAL_AT_MOST,
                           "the projection's contract", 0};
    snprintf(rows[0].metric, sizeof rows[0].metric, "max |div u| / projection tolerance, %d x %d", n, n);
    *nrows = 1;
    return FC_OK;
}

/* u on the vertical centreline and v on the horizontal one against Ghia's points. */
static int cavity_charts(const fc_val_ctx *ctx, double re, int n, const fc_val_profiles *p,
                         fc_err *err)
{
    int col = 0;
    while (col + 1 < GHIA1982_NRE && ghia1982_re[col] != re)
        col++;
    char label[64], title[96], name[64];
    snprintf(label, sizeof label, "flowcast, %d x %d", n, n);
    int st = FC_OK;
    for (int k = 0; k < 2 && !st; k++) {
        /* u is drawn against y (up the page), v against x. */
        const fc_series ser[2] = {
            k ? (fc_series){p->x, p->v, (size_t)p->n, label, FC_LINE, -1}
              : (fc_series){p->u, p->y, (size_t)p->n, label, FC_LINE, -1},
            k ? (fc_series){ghia1982_x, ghia1982_v[col], GHIA1982_N, "Ghia, Ghia & Shin (1982)",
                            FC_MARKERS, 0x000000}
              : (fc_series){ghia1982_u[col], ghia1982_y, GHIA1982_N, "Ghia, Ghia & Shin (1982)",
                            FC_MARKERS, 0x000000}};
        snprintf(title, sizeof title, "Lid-driven cavity, Re %g: %s", re,
                 k ? "v along y = 0.5" : "u along x = 0.5");
        snprintf(name, sizeof name, "ns2d_cavity_re%g_%s", re, k ? "v" : "u");
        const fc_chart c = {title, "steady state; the lid moves at 1 m s-1", k ? "x (m)" : "u (m s-1)",
                            k ? "v (m s-1)" : "y (m)", 0, 0, ser, 2, 0, 0, NULL, 0};
        st = save_chart(ctx, name, &c, err);
    }
    return st;
}

static int cavity_rows(const fc_val_ctx *ctx, double re, int n, fc_val_row *rows, int *nrows,
                       fc_err *err)
{
    double du, dv;
    fc_val_profiles prof = {0};
    int st = fc_val_cavity(re, n, &du, &dv, ctx->plots ? &prof : NULL, err);
    if (!st && ctx->plots)
        st = cavity_charts(ctx, re, n, &prof, err);
    fc_val_profiles_free(&prof);
    if (st)
        return st;
    for (int k = 0; k < 2; k++) {
        rows[k] = (fc_val_row){"", "", k ? dv : du, 0, 0.02, FC_VAL_AT_MOST,
                               "Ghia, Ghia & Shin (1982)", 0};
        snprintf(rows[k].case_name, sizeof rows[k].case_name, "ns2d cavity Re %g, %d x %d", re, n,
                 n);
        snprintf(rows[k].metric, sizeof rows[k].metric, "max |%s - Ghia| on the centreline",
                 k ? "v" : "u");
    }
    *nrows = 2;
    return FC_OK;
}

static int check_cavity_quick(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    return cavity_rows(ctx, 100, ctx->quick ? 32 : 128, rows, nrows, err);
}

static int check_cavity_400(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    return cavity_rows(ctx, 400, 128, rows, nrows, err);
}

static int check_cavity_1000(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    return cavity_rows(ctx, 1000, 128, rows, nrows, err);
}

static int check_cylinder(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    (void)ctx;
    double st_num, cd, cl, cd_cv, cl_cv;
    int st = fc_val_cylinder(20, "staircase", 8, &st_num, &cd, &cl, &cd_cv, &cl_cv, err);
    if (st)
        return st;
    /* Schaefer & Turek (1996), Table 4: St 0.2950-0.3050, Cd max 3.2200-3.2400,
     * Cl max 0.9900-1.0100 (the ranges of the benchmark's reference solutions). The cylinder
     * here is a staircase of whole cells (its surface off by up to h/2), first order in h: we
     * allow 5 % on St and Cd and 10 % on the more sensitive Cl. */
    rows[0] = (fc_val_row){"ns2d cylinder Re 100, 20 cells/D", "Strouhal number", st_num, 0.300,
                           0.015, FC_VAL_NEAR, "Schaefer & Turek (1996) 2D-2", 0};
    rows[1] = (fc_val_row){"ns2d cylinder Re 100, 20 cells/D", "largest drag coefficient", cd,
                           3.23, 0.16, FC_VAL_NEAR, "Schaefer & Turek (1996) 2D-2", 0};
    rows[2] = (fc_val_row){"ns2d cylinder Re 100, 20 cells/D", "largest lift coefficient", cl, 1.0,
                           0.1, FC_VAL_NEAR, "Schaefer & Turek (1996) 2D-2", 0};
    /* The momentum balance round the body (its unsteady term included) does not read the wall
     * shear off a staircase's first-order wall: its largest drag lands within the benchmark's
     * interval here and its largest lift 5 % below (surface: 5 % and 7 % below; docs/ns2d.md), held
     * to 2 % and 6 %. */
    rows[3] = (fc_val_row){"ns2d cylinder Re 100, 20 cells/D", "largest drag coefficient, "
                           "momentum balance", cd_cv, 3.23, 0.065, FC_VAL_NEAR,
                           "Schaefer & Turek (1996) 2D-2", 0};
    rows[4] = (fc_val_row){"ns2d cylinder Re 100, 20 cells/D", "largest lift coefficient, "
                           "momentum balance", cl_cv, 1.0, 0.06, FC_VAL_NEAR,
                           "Schaefer & Turek (1996) 2D-2", 0};
    *nrows = 5;
    return FC_OK;
}

static int check_cylinder_2d3(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    (void)ctx;
    /* John (2004), Int. J. Numer. Meth. Fluids 44, 777-788, on 2D-3 (inside Schaefer & Turek's
     * intervals 2.93-2.97 and -0.115 to -0.105): the largest drag 2.950921575 at t = 3.93625 s,
     * the pressure difference -0.1116 at t = 8 s. */
    const double cd_ref = 2.950921575, t_ref = 3.93625, dp_ref = -0.1116;
    double cd[2], t[2], dp[2];
    for (int r = 0; r < 2; r++) {
        int st = fc_val_cylinder_2d3(10 << r, &cd[r], &t[r], &dp[r], err);
        if (st)
            return st;
    }
    static const char src[] = "Schaefer & Turek 2D-3; John (2004)";
    /* The momentum balance's largest drag is 2 % low at 20 cells per diameter (2.935 at 40,
     * inside the benchmark's interval; docs/ns2d.md): its error is held to fall at order 1.2 or
     * more from 10 to 20 (1.46; 1.88 from 20 to 40); its time, which the inflow's own rise and
     * fall set, to 0.02 s; the pressure difference, which the street hardly moves, to the
     * benchmark's interval. */
    const double order = log2(fabs(cd[0] - cd_ref) / fabs(cd[1] - cd_ref));
    rows[0] = (fc_val_row){"ns2d cylinder 2D-3, immersed, 10 -> 20 cells/D", "", order, 2, 1.2,
                           FC_VAL_AT_LEAST, "second order, against 2.9509", 0};
    rows[1] = (fc_val_row){"ns2d cylinder 2D-3, immersed, 20 cells/D", "", t[1], t_ref, 0.02,
                           FC_VAL_NEAR, "", 0};
    rows[2] = (fc_val_row){"ns2d cylinder 2D-3, immersed, 20 cells/D", "", dp[1], dp_ref, 0.005,
                           FC_VAL_NEAR, "", 0};
    snprintf(rows[0].metric, sizeof rows[0].metric,
             "order of the largest drag's error, momentum balance (drag %.4g, %.4g)", cd[0], cd[1]);
    snprintf(rows[1].metric, sizeof rows[1].metric,
             "time of the largest drag, momentum balance (s; 10 cells/D: %.4g)", t[0]);
    snprintf(rows[2].metric, sizeof rows[2].metric,
             "pressure difference front - back at t = 8 s (10 cells/D: %.4g)", dp[0]);
    for (int q = 1; q < 3; q++)
        snprintf(rows[q].source, sizeof rows[q].source, "%s", src);
    *nrows = 3;
    return FC_OK;
}

/* ---- pseudo-spectral ---- */

#define SPECTRAL_BOX                                                                             \
    "[case]\nsolver = spectral\n[grid]\nnx = %d\nny = %d\nx_max = %.17g\ny_max = %.17g\n"      \
    "[boundary]\nwest = periodic\neast = periodic\nsouth = periodic\nnorth = periodic\n"       \
    "[numerics]\nfft_planning = estimate\n"

int fc_val_spectral_taylor_green(int n, double nu, double nu_h, double mu, double t_end,
                                 double *rel_err, fc_err *err)
{
    fc_sim s;
    const double L = 2 * acos(-1);
    int st = open_fmt(&s, err,
                      SPECTRAL_BOX "[physics]\nviscosity = %.17g\nhyperviscosity = %.17g\n"
                                   "drag = %.17g\n[time]\nt_end = %.17g\ncfl = 0.8\n"
                                   "[initial]\ntype = taylor_green\namplitude = 1\n",
                      n, n, L, L, nu, nu_h, mu, t_end);
    if (st || (st = run_and_download(&s, t_end, 0, err)))
        return st;
    const spec_params *p = s.params;
    double e = 0, amp = 0;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            const double w = spec_taylor_green(p, 1, 1, s.t, fc_grid_x(&s.grid, i), fc_grid_y(&s.grid, j));
            e = fmax(e, fabs(fc_sim_at(&s, SPEC_VORT, i, j) - w));
            amp = fmax(amp, fabs(w));
        }
    fc_sim_close(&s);
    *rel_err = e / amp;
    return FC_OK;
}

/* Decaying turbulence on n^2 points of [0, 2 pi)^2: E = 0.5 m2 s-2 in random phases peaked at
 * k0 (seed 1), viscosity nu, dealias "two_thirds" or "none". */
static int open_turbulence(fc_sim *s, int n, double k0, double nu, const char *dealias,
                           double t_end, fc_err *err)
{
    const double L = 2 * acos(-1);
    return open_fmt(s, err,
                    SPECTRAL_BOX "dealias = %s\n[physics]\nviscosity = %.17g\n[time]\n"
                                 "t_end = %.17g\ncfl = 0.8\n[initial]\ntype = random_spectrum\n"
                                 "energy = 0.5\npeak_wavenumber = %.17g\nseed = 1\n",
                    n, n, L, L, dealias, nu, t_end, k0);
}

int fc_val_spectral_budgets(int n, double k0, double nu, const char *dealias, double dt,
                            double t_end, double *res_e, double *res_z, fc_err *err)
{
    fc_sim s;
    int st = open_turbulence(&s, n, k0, nu, dealias, t_end, err);
    if (st)
        return st;
    const double e0 = diagnostic(&s, "energy"), z0 = diagnostic(&s, "enstrophy");
    double re = 0, rz = 0;
    const long long steps = (long long)ceil(t_end / dt - 1e-9);
    for (long long k = 0; k < steps && !st; k++) {
        double h = dt;
        if (!(st = fc_sim_step(&s, &h, err))) {
            re += fabs(s.last.stats[SPEC_STAT_ENERGY_RESIDUAL]) * h;
            rz += fabs(s.last.stats[SPEC_STAT_ENSTROPHY_RESIDUAL]) * h;
        }
    }
    fc_sim_close(&s);
    *res_e = re / e0;
    *res_z = rz / z0;
    return st;
}

static int check_spectral_taylor_green(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    const int n = ctx->quick ? 32 : 128;
    double e1, e2;
    int st = fc_val_spectral_taylor_green(n, 0.01, 0, 0, 10, &e1, err);
    if (!st)
        st = fc_val_spectral_taylor_green(n, 0.01, 1e-4, 0.05, 10, &e2, err);
    if (st)
        return st;
    rows[0] = (fc_val_row){"spectral Taylor-Green, t = 10 s", "", e1, 0, ROUNDOFF, FC_VAL_AT_MOST,
                           "exact (Taylor & Green 1937)", 0};
    snprintf(rows[0].metric, sizeof rows[0].metric, "max |omega - exact| / amplitude, %d x %d", n, n);
    rows[1] = (fc_val_row){"spectral Taylor-Green, + hyperviscosity, drag", "", e2, 0, ROUNDOFF,
                           FC_VAL_AT_MOST, "exact: decay at nu K^2 + nu_h K^4 + mu", 0};
    snprintf(rows[1].metric, sizeof rows[1].metric, "max |omega - exact| / amplitude, %d x %d", n, n);
    *nrows = 2;
    return FC_OK;
}

/*
 * The budgets of decaying turbulence close to the time-stepping error, which falls at RK4's
 * order when dt halves. dt = 0.002 is a Courant number near 0.25 for this field on 64^2, where
 * the error is already in its asymptotic range and still well above round-off.
 */
/* The energy spectrum of the downloaded state into e[0..nk) (shell k at (k + 1) dk). */
static int energy_spectrum(fc_sim *s, double *e, int nk, fc_err *err)
{
    size_t v = 0;
    while (v < s->s->io.nvars && strcmp(s->s->io.vars[v].name, "energy_spectrum"))
        v++;
    fc_real **out = calloc(s->s->io.nvars, sizeof *out);
    fc_real *buf = malloc((size_t)nk * sizeof *buf);
    int st = !out || !buf || v == s->s->io.nvars
                 ? fc_fail(err, FC_ENOMEM, "no memory (or no energy_spectrum) for the spectrum")
                 : FC_OK;
    if (!st) {
        out[v] = buf;
        st = s->s->io.derive(s->params, &s->grid, &s->host, out, err);
    }
    for (int k = 0; k < nk && !st; k++)
        e[k] = buf[k];
    free(out);
    free(buf);
    return st;
}

/* Decaying turbulence on n^2 (as the budgets check): E(k) at t = 0 and 0.4 s, with k^-3. */
static int spectrum_chart(const fc_val_ctx *ctx, int n, fc_err *err)
{
    fc_sim s;
    int st = open_turbulence(&s, n, 6, 1e-3, "two_thirds", 0.4, err);
    if (st)
        return st;
    double dk;
    const int nk = fc_grid_shells(&s.grid, &dk);
    double *buf = malloc(4 * (size_t)nk * sizeof *buf);
    if (!buf) {
        fc_sim_close(&s);
        return fc_fail(err, FC_ENOMEM, "out of memory for a spectrum");
    }
    double *k = buf, *e0 = buf + nk, *e1 = buf + 2 * nk, *ref = buf + 3 * nk;
    st = fc_sim_download(&s, err);
    if (!st)
        st = energy_spectrum(&s, e0, nk, err);
    if (st)
        fc_sim_close(&s);
    else if (!(st = run_and_download(&s, 0.4, 0, err))) { /* closes on failure */
        st = energy_spectrum(&s, e1, nk, err);
        fc_sim_close(&s);
    }
    if (!st) {
        /* k^-3 (Kraichnan's enstrophy cascade) through E at 3 k0 at the end. */
        const int k3 = (int)lround(18 / dk) - 1;
        for (int i = 0; i < nk; i++) {
            k[i] = (i + 1) * dk;
            ref[i] = k[i] >= 6 && k[i] <= n / 3.0 ? e1[k3] * pow(k[i] / k[k3], -3) : NAN;
        }
        const fc_series ser[3] = {{k, e0, (size_t)nk, "t = 0", FC_LINE, 0x9ecae1},
                                  {k, e1, (size_t)nk, "t = 0.4 s", FC_LINE, 0xd62728},
                                  {k, ref, (size_t)nk, "k^-3", FC_DASHED, 0x000000}};
        char sub[96];
        snprintf(sub, sizeof sub, "%d x %d, viscosity 1e-3, peak at k = 6, 2/3 dealiasing", n, n);
        const fc_chart c = {"Decaying 2-D turbulence: energy spectrum", sub,
                            "wavenumber k (m-1)", "E(k) (m3 s-2)", 1, 1, ser, 3, 0, 0, NULL, 0};
        st = save_chart(ctx, "spectral_decaying_turbulence_spectrum", &c, err);
    }
    free(buf);
    return st;
}

static int check_spectral_budgets(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    const int n = ctx->quick ? 64 : 128;
    const double dt = 0.002;
    double e1, z1, e2, z2;
    int st = fc_val_spectral_budgets(n, 6, 1e-3, "two_thirds", dt, 0.4, &e1, &z1, err);
    if (!st)
        st = fc_val_spectral_budgets(n, 6, 1e-3, "two_thirds", dt / 2, 0.4, &e2, &z2, err);
    if (!st && ctx->plots)
        st = spectrum_chart(ctx, n, err);
    if (st)
        return st;
    char name[64];
    snprintf(name, sizeof name, "spectral decaying turbulence %d^2", n);
    /* RK4's error in double; in single, round-off, which is larger */
    rows[0] = (fc_val_row){"", "", fmax(e2, z2), 0, fmax(1e-10, ROUNDOFF), FC_VAL_AT_MOST,
                           "dE/dt = -2 nu Z, dZ/dt = -2 nu P", 0};
    snprintf(rows[0].metric, sizeof rows[0].metric,
             "sum |E, Z budget residual| / E(0), Z(0) to 0.4 s, dt = %g", dt / 2);
    rows[1] = (fc_val_row){"", "order of the energy residual (dt halved)", log2(e1 / e2), 4, 3.5,
                           FC_VAL_AT_LEAST | FC_VAL_NEEDS_DOUBLE, "RK4: order 4", 0};
    rows[2] = (fc_val_row){"", "order of the enstrophy residual (dt halved)", log2(z1 / z2), 4,
                           3.5, FC_VAL_AT_LEAST | FC_VAL_NEEDS_DOUBLE, "RK4: order 4", 0};
    for (int k = 0; k < 3; k++)
        snprintf(rows[k].case_name, sizeof rows[k].case_name, "%s", name);
    *nrows = 3;
    return FC_OK;
}

/*
 * Without viscosity the dealiased system conserves E and Z: what changes is time-stepping error
 * (order 4), and with steps some hundred times shorter than the Courant limit, where that error
 * (~ (dt rate)^5 per step) is gone, round-off. Without dealiasing the aliasing errors change
 * them at any dt, in proportion to it.
 */
static int check_spectral_inviscid(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    (void)ctx;
    const int n = 64;
    double e1, z1, e2, z2, et, zt, ea, za;
    int st = fc_val_spectral_budgets(n, 6, 0, "two_thirds", 0.002, 0.4, &e1, &z1, err);
    if (!st)
        st = fc_val_spectral_budgets(n, 6, 0, "two_thirds", 0.001, 0.4, &e2, &z2, err);
    if (!st)
        st = fc_val_spectral_budgets(n, 12, 0, "two_thirds", 1e-5, 1e-4, &et, &zt, err);
    if (!st)
        st = fc_val_spectral_budgets(n, 12, 0, "none", 1e-5, 1e-4, &ea, &za, err);
    if (st)
        return st;
    rows[0] = (fc_val_row){"spectral inviscid 64^2, t = 0.4 s", "order of |dE|, |dZ|, dt 0.002 -> 0.001",
                           fmin(log2(e1 / e2), log2(z1 / z2)), 4, 3.5,
                           FC_VAL_AT_LEAST | FC_VAL_NEEDS_DOUBLE, "RK4: order 4", 0};
    rows[1] = (fc_val_row){"spectral inviscid 64^2, 10 steps of 1e-5 s",
                           "|dE|/E, |dZ|/Z (dealiased)", fmax(et, zt), 0, ROUNDOFF,
                           FC_VAL_AT_MOST, "Galerkin truncation conserves both", 0};
    rows[2] = (fc_val_row){"spectral inviscid 64^2, 10 steps of 1e-5 s",
                           "|dE|/E, |dZ|/Z without dealiasing", fmin(ea, za), 0, 1000 * ROUNDOFF,
                           FC_VAL_AT_LEAST | FC_VAL_NEEDS_DOUBLE, "aliasing does not conserve them",
                           0};
    *nrows = 3;
    return FC_OK;
}

/* ---- compressible Euler ---- */

/* theta' of cell (i, j) of the downloaded state. */
static double euler_theta_prime(const fc_sim *s, const euler_column *col, int i, int j)
{
    const double rho = col->rho[j] + fc_sim_at(s, EULER_RHO, i, j);
    return (col->rt[j] + fc_sim_at(s, EULER_RHOT, i, j)) / rho - col->theta[j];
}

int fc_val_euler_rest(const char *background, double wind, int steps, double *max_w,
                      double *max_du, fc_err *err)
{
    fc_sim s;
    int st = open_fmt(&s, err,
                      "[case]\nsolver = euler\n[grid]\nnx = 40\nny = 20\nx_min = -10000\n"
                      "x_max = 10000\ny_max = 10000\n[boundary]\nwest = periodic\n"
                      "east = periodic\n[time]\nt_end = 1e9\ncfl = 0.9\n[physics]\n"
                      "background = %s\nwind = %.17g\n[initial]\ntype = rest\n",
                      background, wind);
    euler_column col;
    if (st || (st = fc_sim_steps(&s, steps, err)) || (st = fc_sim_download(&s, err)) ||
        (st = euler_column_make(s.params, &col, err))) {
        fc_sim_close(&s);
        return st;
    }
    *max_w = diagnostic(&s, "max_w");
    *max_du = 0;
    for (int j = 0; j < s.grid.ny; j++)
        for (int i = 0; i < s.grid.nx; i++) {
            const double u = fc_sim_at(&s, EULER_RHOU, i, j) / (col.rho[j] + fc_sim_at(&s, EULER_RHO, i, j));
            *max_du = fmax(*max_du, fabs(u - wind));
        }
    euler_column_free(&col);
    fc_sim_close(&s);
    return FC_OK;
}

int fc_val_euler_bubble(int nx, double t_end, double *mass_change, double *asymmetry, fc_err *err)
{
    fc_sim s;
    int st = open_fmt(&s, err,
                      "[case]\nsolver = euler\n[grid]\nnx = %d\nny = %d\nx_min = -10000\n"
                      "x_max = 10000\ny_max = 10000\n[time]\nt_end = %.17g\ncfl = 0.9\n"
                      "[initial]\ntype = bubble\namplitude = 2\ncenter_x = 0\ncenter_z = 2000\n"
                      "radius_x = 2000\nradius_z = 2000\n",
                      nx, nx / 2, t_end);
    double m0 = 0;
    if (!st && !(st = fc_sim_download(&s, err))) {
        m0 = diagnostic(&s, "mass");
        st = run_and_download(&s, t_end, 0, err);
    }
    if (st)
        return st;
    *mass_change = fabs(diagnostic(&s, "mass") - m0) / m0;
    /* Mirror symmetry about x = 0: rho', rho w and (rho theta)' even, rho u odd; the largest
     * difference over each field's largest magnitude. */
    double worst = 0;
    for (int f = 0; f < EULER_NFIELDS; f++) {
        const double sign = f == EULER_RHOU ? -1 : 1;
        double diff = 0, scale = 0;
        for (int j = 0; j < s.grid.ny; j++)
            for (int i = 0; i < s.grid.nx; i++) {
                const double a = fc_sim_at(&s, f, i, j), b = fc_sim_at(&s, f, s.grid.nx - 1 - i, j);
                diff = fmax(diff, fabs(a - sign * b));
                scale = fmax(scale, fabs(a));
            }
        worst = fmax(worst, scale > 0 ? diff / scale : diff);
    }
    *asymmetry = worst;
    fc_sim_close(&s);
    return FC_OK;
}

int fc_val_density_current(double h, double *front, double *min_theta, fc_err *err)
{
    fc_sim s;
    const int nx = (int)lround(25600 / h), nz = (int)lround(6400 / h);
    int st = open_fmt(&s, err,
                      "[case]\nsolver = euler\n[grid]\nnx = %d\nny = %d\nx_max = 25600\n"
                      "y_max = 6400\n[time]\nt_end = 900\ncfl = 0.9\n[physics]\n"
                      "viscosity = 75\ndiffusivity = 75\n[initial]\ntype = bubble\n"
                      "amplitude = -15\nperturbs = temperature\ncenter_x = 0\ncenter_z = 3000\n"
                      "radius_x = 4000\nradius_z = 2000\n",
                      nx, nz);
    if (st || (st = run_and_download(&s, 900, 0, err)))
        return st;
    euler_column col;
    if ((st = euler_column_make(s.params, &col, err))) {
        fc_sim_close(&s);
        return st;
    }
    *min_theta = diagnostic(&s, "min_theta_prime");
    /* The front: the -1 K contour of theta' at the ground (the lowest cells), its largest x,
     * interpolated linearly between cell centres. */
    *front = NAN;
    for (int i = s.grid.nx - 1; i > 0; i--) {
        const double a = euler_theta_prime(&s, &col, i - 1, 0), b = euler_theta_prime(&s, &col, i, 0);
        if (a <= -1 && b > -1) {
            const double xa = fc_grid_x(&s.grid, i - 1), xb = fc_grid_x(&s.grid, i);
            *front = xa + (xb - xa) * (-1 - a) / (b - a);
            break;
        }
    }
    euler_column_free(&col);
    fc_sim_close(&s);
    return FC_OK;
}

int fc_val_gravity_waves(int nx, int nz, double *max_err, double *rel_l2, fc_err *err)
{
    const double t_end = 3000;
    fc_sim s;
    int st = open_fmt(&s, err,
                      "[case]\nsolver = euler\n[grid]\nnx = %d\nny = %d\nx_max = 300000\n"
                      "y_max = 10000\n[boundary]\nwest = periodic\neast = periodic\n[time]\n"
                      "t_end = %g\ncfl = 0.9\n[physics]\nbackground = isothermal\n"
                      "temperature = 250\nwind = 20\n[initial]\ntype = gravity_wave\n"
                      "amplitude = 0.01\nhalf_width = 5000\ncenter_x = 100000\n",
                      nx, nz, t_end);
    if (st || (st = run_and_download(&s, t_end, 0, err)))
        return st;
    const fc_gravity_waves w = {9.81, 250, 20, 0.01, 5000, 100000, 0, 300000, 10000};
    double *x = malloc((size_t)nx * sizeof *x), *z = malloc((size_t)nz * sizeof *z);
    double *exact = malloc((size_t)nx * nz * sizeof *exact);
    euler_column col;
    int have_col = 0;
    if (!x || !z || !exact)
        st = fc_fail(err, FC_ENOMEM, "out of memory for the analytic solution");
    else if (!(st = euler_column_make(s.params, &col, err)))
        have_col = 1;
    if (!st) {
        for (int i = 0; i < nx; i++)
            x[i] = fc_grid_x(&s.grid, i);
        for (int j = 0; j < nz; j++)
            z[j] = fc_grid_y(&s.grid, j);
        if (fc_gravity_waves_theta(&w, x, nx, z, nz, s.t, exact))
            st = fc_fail(err, FC_ENOMEM, "out of memory for the analytic solution");
    }
    if (!st) {
        double e = 0, d2 = 0, n2 = 0;
        for (int j = 0; j < nz; j++)
            for (int i = 0; i < nx; i++) {
                const double a = euler_theta_prime(&s, &col, i, j), b = exact[(size_t)j * nx + i];
                e = fmax(e, fabs(a - b));
                d2 += (a - b) * (a - b);
                n2 += b * b;
            }
        *max_err = e / 0.01;
        *rel_l2 = sqrt(d2 / n2);
    }
    if (have_col)
        euler_column_free(&col);
    free(x);
    free(z);
    free(exact);
    fc_sim_close(&s);
    return st;
}

static int check_gravity_waves(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    static const int nx[3] = {150, 300, 600}, nz[3] = {10, 20, 40};
    const int n = ctx->quick ? 2 : 3;
    double e[3], l2[3];
    for (int k = 0; k < n; k++) {
        int st = fc_val_gravity_waves(nx[k], nz[k], &e[k], &l2[k], err);
        if (st)
            return st;
    }
    const char *src = "linear solution (Baldauf & Brdar 2013)";
    double cells[3], emax[3];
    for (int k = 0; k < n; k++)
        cells[k] = nx[k], emax[k] = e[k] * 0.01;
    char lab[2][64];
    snprintf(lab[0], sizeof lab[0], "L2 error / L2 norm (order %.2f)", -loglog_slope(cells, l2, n));
    snprintf(lab[1], sizeof lab[1], "max error (K) (order %.2f)", -loglog_slope(cells, emax, n));
    const fc_series ser[2] = {{cells, l2, (size_t)n, lab[0], FC_LINE_MARKERS, -1},
                              {cells, emax, (size_t)n, lab[1], FC_LINE_MARKERS, -1}};
    const fc_chart chart = {"Inertia-gravity waves: error of theta' at t = 3000 s",
                            "against the linear solution (Baldauf & Brdar 2013); nz = nx / 15",
                            "cells along x", "error", 1, 1, ser, 2, 0, 0, cells, n};
    int pst = save_chart(ctx, "euler_gravity_waves_convergence", &chart, err);
    if (pst)
        return pst;
    /* Measured: max 0.090, 0.043, 0.024 and L2 0.33, 0.11, 0.035 on 150 x 10, 300 x 20,
     * 600 x 40 (orders 1.5 and 1.7: the point values of the initial field, second order, and the
     * hyperviscosity, third, share the error). Single precision gives max 0.026 on 600 x 40
     * but the order 300 -> 600 1.38: the wave's pressure (about 5 Pa) is the difference of
     * totals near 1e5 Pa that float rounds to 1e-2 Pa, 2.6e-3 of it, a floor under the finer
     * grid's error; that order is judged in double (150 -> 300, --quick's, 1.55 in single). */
    rows[0] = (fc_val_row){"", "max |theta' - linear| / amplitude at t = 3000 s", e[n - 1], 0,
                           ctx->quick ? 0.06 : 0.03, FC_VAL_AT_MOST, "", 0};
    snprintf(rows[0].case_name, sizeof rows[0].case_name, "euler gravity waves, %d x %d", nx[n - 1],
             nz[n - 1]);
    rows[1] = (fc_val_row){"", "order of the L2 error of theta'", log2(l2[n - 2] / l2[n - 1]),
                           1.5, 1.4, FC_VAL_AT_LEAST | (ctx->quick ? 0 : FC_VAL_NEEDS_DOUBLE),
                           "", 0};
    snprintf(rows[1].case_name, sizeof rows[1].case_name, "euler gravity waves, %d -> %d cells",
             nx[n - 2], nx[n - 1]);
    snprintf(rows[0].source, sizeof rows[0].source, "%s", src);
    snprintf(rows[1].source, sizeof rows[1].source, "%s", src);
    *nrows = 2;
    return FC_OK;
}

/* At rest, and in a uniform 20 m/s wind (rho u = rho_b(z) U, which the hyperviscosity sheared
 * by 0.4 m/s in 1000 s before it acted on the perturbation alone). */
static int check_euler_rest(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    (void)ctx;
    static const char *const backgrounds[3] = {"neutral", "stable", "isothermal"};
    for (int k = 0; k < 3; k++) {
        double w, du, w_wind, du_wind;
        int st = fc_val_euler_rest(backgrounds[k], 0, 1000, &w, &du, err);
        if (!st)
            st = fc_val_euler_rest(backgrounds[k], 20, 1000, &w_wind, &du_wind, err);
        if (st)
            return st;
        rows[2 * k] = (fc_val_row){"", "max |w| after 1000 steps (m s-1)", w, 0, 1e-10,
                                   FC_VAL_AT_MOST, "exact: at rest", 0};
        snprintf(rows[2 * k].case_name, sizeof rows[2 * k].case_name,
                 "euler %s atmosphere at rest", backgrounds[k]);
        /* u = rho u / rho is U to the precision's round-off, not to the bit */
        rows[2 * k + 1] = (fc_val_row){"", "max |u - U|, |w| after 1000 steps (m s-1)",
                                       fmax(du_wind, w_wind), 0, ULPS(64) * 20, FC_VAL_AT_MOST,
                                       "exact: the wind stays uniform", 0};
        snprintf(rows[2 * k + 1].case_name, sizeof rows[2 * k + 1].case_name,
                 "euler %s atmosphere, U = 20 m/s", backgrounds[k]);
    }
    *nrows = 6;
    return FC_OK;
}

static int check_euler_bubble(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    double dm, asym;
    const int nx = ctx->quick ? 100 : 200;
    int st = fc_val_euler_bubble(nx, 500, &dm, &asym, err);
    if (st)
        return st;
    rows[0] = (fc_val_row){"", "relative mass change to t = 500 s", dm, 0, ULPS(500),
                           FC_VAL_AT_MOST, "exact: conserved", 0};
    /* (Sums in another order on each side: 7,000 epsilons measured in double, 5,400 in single.) */
    rows[1] = (fc_val_row){"", "mirror asymmetry about x = 0 (relative)", asym, 0, ULPS(1e5),
                           FC_VAL_AT_MOST, "exact: symmetric", 0};
    snprintf(rows[0].case_name, sizeof rows[0].case_name, "euler thermal bubble, %d x %d", nx,
             nx / 2);
    snprintf(rows[1].case_name, sizeof rows[1].case_name, "euler thermal bubble, %d x %d", nx,
             nx / 2);
    *nrows = 2;
    return FC_OK;
}

/* Straka et al. (1993), their converged reference at 900 s: front 15.54 km, min theta' -9.77 K. */
#define STRAKA_FRONT 15540.0
#define STRAKA_MIN_THETA (-9.77)

static int check_density_current(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows, fc_err *err)
{
    const double hs[3] = {200, 100, 50};
    const int n = ctx->quick ? 2 : 3;
    double front[3], tmin[3];
    for (int k = 0; k < n; k++) {
        int st = fc_val_density_current(hs[k], &front[k], &tmin[k], err);
        if (st)
            return st;
    }
    const char *src = "Straka et al. (1993)";
    rows[0] = (fc_val_row){"euler density current, 100 m", "front at t = 900 s (m)", front[1],
                           STRAKA_FRONT, 300, FC_VAL_NEAR, "", 0};
    rows[1] = (fc_val_row){"euler density current, 100 m", "min theta' at t = 900 s (K)", tmin[1],
                           STRAKA_MIN_THETA, 0.6, FC_VAL_NEAR, "", 0};
    snprintf(rows[0].source, sizeof rows[0].source, "%s", src);
    snprintf(rows[1].source, sizeof rows[1].source, "%s", src);
    /* The errors fall with resolution: the ratio of the coarser error to the finer (> 1). */
    double gain = INFINITY;
    for (int k = 0; k + 1 < n; k++) {
        const double e0 = fabs(front[k] - STRAKA_FRONT) / 300 + fabs(tmin[k] - STRAKA_MIN_THETA) / 0.6;
        const double e1 =
            fabs(front[k + 1] - STRAKA_FRONT) / 300 + fabs(tmin[k + 1] - STRAKA_MIN_THETA) / 0.6;
        gain = fmin(gain, e0 / e1);
    }
    double h[3], efront[3], etheta[3];
    for (int k = 0; k < n; k++)
        h[k] = hs[k], efront[k] = fabs(front[k] - STRAKA_FRONT),
        etheta[k] = fabs(tmin[k] - STRAKA_MIN_THETA) * 1000;
    char lab[2][64];
    snprintf(lab[0], sizeof lab[0], "|front - 15.54 km| (m), order %.2f",
             n > 1 ? loglog_slope(h, efront, n) : NAN);
    snprintf(lab[1], sizeof lab[1], "|min theta' + 9.77 K| (mK), order %.2f",
             n > 1 ? loglog_slope(h, etheta, n) : NAN);
    const fc_series ser[2] = {{h, efront, (size_t)n, lab[0], FC_LINE_MARKERS, -1},
                              {h, etheta, (size_t)n, lab[1], FC_LINE_MARKERS, -1}};
    const fc_chart chart = {"Density current: error at t = 900 s against the grid spacing",
                            "reference: Straka et al. (1993)", "grid spacing (m)", "error", 1, 1,
                            ser, 2, 0, 0, h, n};
    int pst = save_chart(ctx, "euler_density_current_convergence", &chart, err);
    if (pst)
        return pst;
    rows[2] = (fc_val_row){"", "error ratio, each grid over the next finer", gain, 1, 1,
                           FC_VAL_AT_LEAST, "", 0};
    snprintf(rows[2].case_name, sizeof rows[2].case_name, "euler density current, %s",
             ctx->quick ? "200 -> 100 m" : "200 -> 100 -> 50 m");
    snprintf(rows[2].source, sizeof rows[2].source, "%s", src);
    *nrows = 3;
    if (!ctx->quick) {
        rows[3] = (fc_val_row){"euler density current, 50 m", "front, min theta' (m, K)", front[2],
                               STRAKA_FRONT, 300, FC_VAL_NEAR, "", 0};
        snprintf(rows[3].metric, sizeof rows[3].metric, "front at t = 900 s (m; min theta' %.3f K)",
                 tmin[2]);
        snprintf(rows[3].source, sizeof rows[3].source, "%s", src);
        *nrows = 4;
    }
    return FC_OK;
}

/* ---- surrogates ---- */

/* The surrogate benchmarks of docs/surrogates.md at a size the validation can afford: the radial
 * dam break (inputs/radial_dambreak.ini) at n^2, `members` members with the radius drawn from 0.3
 * to 0.7, the last `holdout` held out whole; a 3 x 3, 64-64 GELU surrogate trained for `epochs`
 * epochs on the others, then rolled out from t = 0 over each held-out member's 100 records.
 * Closed: walls no wave reaches before t = 1, records every 0.01; the forecast step keeps the
 * mass to round-off. Open: open sides and t = 3, records every 0.03, so that a sixth of the
 * water leaves; h is in flux form, so the mass changes by what crosses the sides alone. */
typedef struct surr_setup {
    int n, members, holdout, epochs, open;
} surr_setup;

/* Over the held-out members: PDEBench's nRMSE of h (||forecast - truth|| / ||truth|| over the
 * grid, averaged over the leads and members); the largest |drift| of the mass over the rms of
 * h and the largest change of it beyond what crossed the sides (ml_rollout_result); and the
 * largest relative error of the mass that left by the last record against the solver's. */
typedef struct surr_scores {
    double nrmse, drift, imbalance, outflow;
} surr_scores;

static const surr_setup surr_closed = {48, 8, 2, 4, 0};
/* Twice what it measured (2.5e-3, 2-core AMD EPYC): training's bits do not depend on the thread
 * count, but other CPUs' OpenBLAS kernels round differently. */
#define SURR_NRMSE_TOL 5e-3
static const surr_setup surr_open = {32, 6, 2, 6, 1};
/* Twice what it measured, as above (nRMSE 8.3e-3; the mass that left by t = 3, 14.5 % off the
 * solver's: a model this small and briefly trained; 64^2 and 10 epochs: 2 to 8 %,
 * docs/surrogates.md; 2-core Intel Xeon, 2026-12-03). */
#define SURR_OPEN_NRMSE_TOL 0.017
#define SURR_OPEN_OUTFLOW_TOL 0.3

/* Removes what the check wrote in dir (the ensemble, the model, the forecasts) and dir. */
static void surrogate_cleanup(const char *dir, int members)
{
    static const char *const names[] = {"case.ini", FC_ENSEMBLE_MANIFEST, "model.nc", "forecast.nc"};
    char path[4200];
    for (int m = 0; m < members; m++) {
        snprintf(path, sizeof path, "%s/member_%04d.nc", dir, m);
        remove(path);
    }
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        remove(path);
    }
    rmdir(dir);
}

/* The sum of h over an n x n grid at record rec of a file this check wrote. */
static int h_sum(const char *path, size_t rec, int n, double *sum, fc_err *err)
{
    int ncid, id;
    double *h = malloc((size_t)n * n * sizeof *h);
    if (!h)
        return fc_fail(err, FC_ENOMEM, "out of memory");
    const size_t start[3] = {rec, 0, 0}, count[3] = {1, (size_t)n, (size_t)n};
    int st = nc_open(path, NC_NOWRITE, &ncid);
    if (st == NC_NOERR) {
        if ((st = nc_inq_varid(ncid, "h", &id)) == NC_NOERR)
            st = nc_get_vara_double(ncid, id, start, count, h);
        nc_close(ncid);
    }
    *sum = 0;
    for (size_t k = 0; k < (size_t)n * n; k++)
        *sum += h[k];
    free(h);
    return st == NC_NOERR ? FC_OK
                          : fc_fail(err, FC_EIO, "%s: cannot read h at record %zu: %s", path, rec,
                                    nc_strerror(st));
}

static int surrogate_benchmark(const char *dir, const surr_setup *p, surr_scores *out,
                               fc_err *err)
{
    char path[4200], model[4200], forecast[4200], nx[32], ny[32];
    snprintf(path, sizeof path, "%s/case.ini", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return fc_fail(err, FC_EIO, "cannot write %s", path);
    const char *side = p->open ? "open" : "wall";
    fprintf(f, "[case]\nsolver = swe\n[grid]\nx_min = -2.5\nx_max = 2.5\ny_min = -2.5\n"
               "y_max = 2.5\n[time]\nt_end = %g\ncfl = 0.45\n[output]\ninterval = %g\n"
               "[physics]\ng = 1\n[boundary]\nwest = %s\neast = %s\nsouth = %s\n"
               "north = %s\n[initial]\ntype = radial_dambreak\ndepth_inside = 2\n"
               "depth_outside = 1\n", p->open ? 3.0 : 1.0, p->open ? 0.03 : 0.01, side, side,
            side, side);
    if (fclose(f))
        return fc_fail(err, FC_EIO, "cannot write %s", path);
    snprintf(nx, sizeof nx, "grid.nx=%d", p->n);
    snprintf(ny, sizeof ny, "grid.ny=%d", p->n);
    const char *sets[] = {nx, ny};
    fc_ensemble_opts eo = {.run = {.case_path = path, .solvers = fc_solvers(), .sets = sets,
                                   .nsets = 2, .device = "cpu", .quiet = 1},
                           .dir = dir, .members = p->members, .seed = 1, .nvary = 1,
                           .vary = {"initial.radius=0.3:0.7"}};
    int st = fc_ensemble(&eo, err);
    char **files = NULL;
    int nfiles = 0;
    if (st || (st = fc_ensemble_files(dir, &files, &nfiles, err)))
        return st;
    snprintf(model, sizeof model, "%s/model.nc", dir);
    snprintf(forecast, sizeof forecast, "%s/forecast.nc", dir);
    static const char *const vars[] = {"h", "u", "v"};
    static const int hidden[] = {64, 64};
    const ml_train_opts to = {.data = (const char *const *)files, .ndata = nfiles, .vars = vars,
                              .nvars = 3, .stencil = 3, .hidden = hidden, .nhidden = 2,
                              .activation = MLP_GELU, .optimizer = MLP_ADAMW,
                              .epochs = p->epochs, .batch = 512, .patience = p->epochs,
                              .lr = 3e-3, .weight_decay = 0.01, .holdout = p->holdout,
                              .seed = 1, .output = model, .overwrite = 1, .unroll = 1};
    st = ml_train(&to, err);
    *out = (surr_scores){0, 0, 0, 0};
    for (int m = nfiles - p->holdout; m < nfiles && !st; m++) {
        const ml_rollout_opts ro = {.model = model, .init = files[m], .output = forecast,
                                    .time = NAN, .steps = 100, .overwrite = 1};
        ml_rollout_result res;
        if (!(st = ml_rollout(&ro, &res, err)))
            for (int n = 0; n < res.steps; n++) {
                out->nrmse += res.nrmse[n * res.nvars] / (res.steps * p->holdout);
                out->drift = fmax(out->drift, fabs(res.drift[n * res.nvars]));
                out->imbalance = fmax(out->imbalance, fabs(res.imbalance[n * res.nvars]));
            }
        ml_rollout_result_free(&res);
        double t0, t1, f0, f1;
        if (!st && !(st = h_sum(files[m], 0, p->n, &t0, err)) &&
            !(st = h_sum(files[m], 100, p->n, &t1, err)) &&
            !(st = h_sum(forecast, 0, p->n, &f0, err)) &&
            !(st = h_sum(forecast, 100, p->n, &f1, err)) && t1 != t0)
            out->outflow = fmax(out->outflow, fabs((f1 - f0) - (t1 - t0)) / fabs(t1 - t0));
    }
    fc_ensemble_files_free(files, nfiles);
    return st;
}

/* Runs a benchmark in a new folder under TMPDIR, quietly, and removes what it wrote. */
static int surrogate_scores(const surr_setup *p, surr_scores *out, fc_err *err)
{
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    const int len = snprintf(dir, sizeof dir, "%s/flowcast-validate-XXXXXX",
                             tmp && *tmp ? tmp : "/tmp");
    if (len < 0 || (size_t)len >= sizeof dir || !mkdtemp(dir))
        return fc_fail(err, FC_EIO, "cannot make a folder in %s", tmp && *tmp ? tmp : "/tmp");
    const int was_quiet = fc_log_quiet();
    fc_log_set_quiet(1); /* the training's lines per epoch would break the table */
    const int st = surrogate_benchmark(dir, p, out, err);
    fc_log_set_quiet(was_quiet);
    surrogate_cleanup(dir, p->members);
    return st;
}

static int check_surrogate_dambreak(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows,
                                    fc_err *err)
{
    (void)ctx;
    surr_scores sc;
    const int st = surrogate_scores(&surr_closed, &sc, err);
    if (st)
        return st;
    char name[64];
    snprintf(name, sizeof name, "ml surrogate, radial dam break %d^2", surr_closed.n);
    rows[0] = (fc_val_row){"", "nRMSE of h, 100 steps from t = 0, 2 held out", sc.nrmse, 4.4e-3,
                           SURR_NRMSE_TOL, FC_VAL_AT_MOST, "PDEBench's FNO, 128^2", 0};
    rows[1] = (fc_val_row){"", "largest |mass drift| over the rollouts / rms of h", sc.drift, 0,
                           ROUNDOFF, FC_VAL_AT_MOST, "exact: conserved (closed domain)", 0};
    snprintf(rows[0].case_name, sizeof rows[0].case_name, "%s", name);
    snprintf(rows[1].case_name, sizeof rows[1].case_name, "%s", name);
    *nrows = 2;
    return FC_OK;
}

static int check_surrogate_open(const fc_val_ctx *ctx, fc_val_row *rows, int *nrows,
                                fc_err *err)
{
    (void)ctx;
    surr_scores sc;
    const int st = surrogate_scores(&surr_open, &sc, err);
    if (st)
        return st;
    char name[64];
    snprintf(name, sizeof name, "ml surrogate, open dam break %d^2", surr_open.n);
    rows[0] = (fc_val_row){"", "nRMSE of h, 100 steps from t = 0, 2 held out", sc.nrmse, 0,
                           SURR_OPEN_NRMSE_TOL, FC_VAL_AT_MOST, "the solver", 0};
    rows[1] = (fc_val_row){"", "largest |mass change beyond the side fluxes| / rms of h",
                           sc.imbalance, 0, ROUNDOFF, FC_VAL_AT_MOST, "exact: flux form", 0};
    rows[2] = (fc_val_row){"", "mass that left by t = 3, relative error", sc.outflow, 0,
                           SURR_OPEN_OUTFLOW_TOL, FC_VAL_AT_MOST, "the solver", 0};
    for (int k = 0; k < 3; k++)
        snprintf(rows[k].case_name, sizeof rows[k].case_name, "%s", name);
    *nrows = 3;
    return FC_OK;
}

static const fc_val_check checks[] = {
    {"swe_lake_at_rest", 1, check_lake},
    {"swe_mass", 1, check_mass},
    {"swe_stoker", 1, check_stoker},
    {"swe_paraboloid", 1, check_paraboloid},
    {"swe_channel_bump", 1, check_channel_bump},
    {"swe_adjustment", 1, check_adjustment},
    {"swe_inertia_gravity_wave", 1, check_wave},
    {"swe_kelvin_wave", 1, check_kelvin},
    {"ns2d_poiseuille", 1, check_poiseuille},
    {"ns2d_taylor_green", 1, check_taylor_green},
    {"ns2d_divergence", 1, check_divergence},
    {"ns2d_cavity_re100", 1, check_cavity_quick},
    {"ns2d_cavity_re400", 0, check_cavity_400},
    {"ns2d_cavity_re1000", 0, check_cavity_1000},
    {"ns2d_immersed_wall", 1, check_immersed_wall},
    {"ns2d_cylinder_steady", 1, check_cylinder_steady},
    {"ns2d_cylinder", 0, check_cylinder},
    {"ns2d_cylinder_2d3", 0, check_cylinder_2d3},
    {"ns2d_naca0012", 0, check_naca},
    {"ns2d_backward_step", 0, check_backward_step},
    {"spectral_taylor_green", 1, check_spectral_taylor_green},
    {"spectral_budgets", 1, check_spectral_budgets},
    {"spectral_inviscid", 1, check_spectral_inviscid},
    {"euler_rest", 1, check_euler_rest},
    {"euler_bubble", 1, check_euler_bubble},
    {"euler_density_current", 1, check_density_current},
    {"euler_gravity_waves", 1, check_gravity_waves},
    {"ml_surrogate_dambreak", 0, check_surrogate_dambreak},
    {"ml_surrogate_open", 0, check_surrogate_open},
};

const fc_val_check *fc_val_checks(size_t *n)
{
    *n = sizeof checks / sizeof checks[0];
    return checks;
}

void fc_val_judge(fc_val_row *r)
{
    if ((r->rule & FC_VAL_NEEDS_DOUBLE) && sizeof(fc_real) == sizeof(float)) {
        r->pass = -1;
        return;
    }
    switch (FC_VAL_RULE(r)) {
    case FC_VAL_AT_MOST:
        r->pass = r->value <= r->tolerance;
        break;
    case FC_VAL_NEAR:
        r->pass = fabs(r->value - r->reference) <= r->tolerance;
        break;
    default:
        r->pass = r->value >= r->tolerance;
    }
}
