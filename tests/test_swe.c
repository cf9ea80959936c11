/*
 * test_swe.c: physics of the shallow-water solver on the CPU: well-balancing, conservation,
 * exact dam-break solutions with the observed order, the balanced vortex and its convergence
 * order, the geostrophic adjustment's exact steady state, a discharge over a bump to its exact
 * steady flow with the inflow on any side, the bad-state report, and bit-for-bit restart through
 * `flowcast run`'s library call.
 */
#include <fc_build.h>

#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "validation/adjustment.h"
#include "validation/channel_bump.h"
#include "validation/dambreak.h"
#include "src/core/run.h"
#include "tests/suites.h"
#include "solvers/swe/swe.h"
#include "solvers/swe/swe_cases.h"
#include "tests/testlib.h"
#include "solvers/registry.h"
#include "validation/validate.h"

static const char lake_case[] = "[case]\nsolver = swe\n"
                                "[grid]\nnx = 50\nny = 50\nx_min = -0.5\nx_max = 0.5\n"
                                "y_min = -0.5\ny_max = 0.5\n"
                                "[time]\nt_end = 1\n"
                                "[initial]\ntype = lake_at_rest\nsurface = 1\n"
                                "bump_height = 0.2\nbump_radius = 0.1\n";

static const char dam_case[] = "[case]\nsolver = swe\n"
                               "[grid]\nnx = 200\nny = 1\nx_min = -10\nx_max = 10\n"
                               "y_min = 0\ny_max = 0.1\n"
                               "[time]\nt_end = 1.5\n"
                               "[boundary]\nwest = open\neast = open\n"
                               "south = periodic\nnorth = periodic\n"
                               "[initial]\ntype = dambreak\ndepth_left = 1\ndepth_right = 0.5\n";

static const char vortex_case[] = "[case]\nsolver = swe\n"
                                  "[grid]\nnx = 64\nny = 64\nx_min = -1.5e6\nx_max = 1.5e6\n"
                                  "y_min = -1.5e6\ny_max = 1.5e6\n"
                                  "[time]\nt_end = 21600\n"
                                  "[boundary]\nwest = periodic\neast = periodic\n"
                                  "south = periodic\nnorth = periodic\n"
                                  "[physics]\nf0 = 1e-4\n"
                                  "[initial]\ntype = vortex\ndepth = 1000\namplitude = -50\n"
                                  "radius = 3e5\n";

static double max_speed(const tl_sim *s)
{
    double m = 0;
    for (int j = 0; j < s->grid.ny; j++)
        for (int i = 0; i < s->grid.nx; i++) {
            double h = tl_at(s, SWE_H, i, j);
            double u = h > 0 ? tl_at(s, SWE_HU, i, j) / h : 0;
            double v = h > 0 ? tl_at(s, SWE_HV, i, j) / h : 0;
            m = fmax(m, fmax(fabs(u), fabs(v)));
        }
    return m;
}

static double total_mass(const tl_sim *s)
{
    double m = 0;
    for (int j = 0; j < s->grid.ny; j++)
        for (int i = 0; i < s->grid.nx; i++)
            m += tl_at(s, SWE_H, i, j);
    return m * s->grid.dx * s->grid.dy;
}

static void lake_at_rest(const char *const *sets)
{
    tl_sim s;
    tl_sim_open(&s, lake_case, sets, NULL);
    tl_sim_steps(&s, 1000);
    tl_sim_download(&s);
    double m = max_speed(&s);
    printf("lake at rest: max |u| = %.3e m/s after 1000 steps\n", m);
    ck_assert_msg(m < 1000 * TL_EPS, "lake at rest moved: max |u| = %g after 1000 steps", m);
    tl_sim_close(&s);
}

START_TEST(lake_at_rest_immersed_bump)
{
    lake_at_rest((const char *const[]){NULL});
}
END_TEST

START_TEST(lake_at_rest_emerged_island)
{
    /* b = 0.3 exp(-100 r^2) pierces the surface at 0.1 m: a wet/dry shore all around. */
    lake_at_rest((const char *const[]){"initial.surface=0.1", "initial.bump_height=0.3", NULL});
}
END_TEST

/* The island crossing the open sides (west, and south beside it): the water outside each side
 * is at the level of the side's wet cells, which an island's dry cells (h + b their bottom)
 * raised by 0.014 m over 0.1 m of water on the west side: the lake at rest moved at 0.39 m/s. */
START_TEST(lake_at_rest_island_across_open_sides)
{
    lake_at_rest((const char *const[]){"initial.surface=0.1", "initial.bump_height=0.3",
                                       "initial.center_x=-0.45", "initial.center_y=-0.47",
                                       "boundary.west=open", "boundary.east=open",
                                       "boundary.south=open", "boundary.north=open", NULL});
}
END_TEST

START_TEST(lake_at_rest_every_flux_limiter_and_scheme)
{
    lake_at_rest((const char *const[]){"numerics.flux=hll", "numerics.limiter=minmod",
                                       "numerics.time_scheme=ssprk2", NULL});
    lake_at_rest((const char *const[]){"numerics.limiter=vanleer", "initial.surface=0.1",
                                       "initial.bump_height=0.3", NULL});
    lake_at_rest((const char *const[]){"numerics.limiter=vanalbada", "initial.surface=0.1",
                                       "initial.bump_height=0.3", NULL});
}
END_TEST

/* Every limiter is TVD (0 where the differences a, b disagree in sign, else of their sign and
 * at most 2 min(|a|, |b|): face values within the neighbours' range), symmetric and odd (a
 * mirrored state gives a mirrored reconstruction), and exact on a linear profile (a = b). */
START_TEST(every_limiter_is_tvd_symmetric_odd_and_exact_on_lines)
{
    static const int kinds[] = {FC_LIM_MINMOD, FC_LIM_VANLEER, FC_LIM_MC, FC_LIM_VANALBADA};
    unsigned seed = 12345;
    for (int n = 0; n < 20000; n++) {
        seed = seed * 1103515245u + 12345u;
        const fc_real a = (fc_real)(((seed >> 8) % 20001 - 10000.0) / 997.0);
        seed = seed * 1103515245u + 12345u;
        const fc_real b = (fc_real)(((seed >> 8) % 20001 - 10000.0) / 1009.0 * (n % 7 ? 1 : 1e-6));
        for (int k = 0; k < 4; k++) {
            const fc_real s_ab = fc_limit(kinds[k], a, b), s_ba = fc_limit(kinds[k], b, a);
            ck_assert_msg(s_ab == s_ba && fc_limit(kinds[k], -a, -b) == -s_ab,
                          "limiter %d not symmetric or odd at a = %g, b = %g", kinds[k],
                          (double)a, (double)b);
            if (!(a * b > 0))
                ck_assert_msg(s_ab == 0, "limiter %d: %g at a = %g, b = %g", kinds[k],
                              (double)s_ab, (double)a, (double)b);
            else /* a few roundings of the formulas allowed */
                ck_assert_msg(s_ab * a > 0 &&
                                  fabs(s_ab) <= 2 * fmin(fabs(a), fabs(b)) * (1 + 4 * TL_EPS),
                              "limiter %d not TVD: %g at a = %g, b = %g", kinds[k], (double)s_ab,
                              (double)a, (double)b);
        }
    }
    for (int k = 0; k < 4; k++)
        ck_assert_double_eq_tol(fc_limit(kinds[k], 0.3, 0.3), 0.3, TL_EPS);
}
END_TEST

static void mass_conserved(const char *case_text, const char *const *sets)
{
    tl_sim s;
    tl_sim_open(&s, case_text, sets, NULL);
    double m0 = total_mass(&s);
    tl_sim_steps(&s, 300);
    tl_sim_download(&s);
    double rel = fabs(total_mass(&s) - m0) / m0;
    printf("mass: relative drift %.3e after 300 steps\n", rel);
    ck_assert_msg(rel < 200 * TL_EPS, "mass drift %g (relative) after 300 steps", rel);
    ck_assert_msg(max_speed(&s) > 1e-3, "the flow did not move: the test would prove nothing");
    tl_sim_close(&s);
}

START_TEST(mass_closed_basin)
{
    /* Walls all round, with rotation and both drags: waves from an off-centre hump reflect off
     * every wall within the 300 steps (1 m basin, c = 1 m/s, 1.4 s). */
    mass_conserved("[case]\nsolver = swe\n[grid]\nnx = 40\nny = 40\nx_max = 1\ny_max = 1\n"
                   "[time]\nt_end = 10\n"
                   "[physics]\nf0 = 2\nlinear_drag = 0.01\nquadratic_drag = 0.01\n"
                   "[initial]\ntype = gaussian_bump\ndepth = 0.1\namplitude = 0.05\n"
                   "radius = 0.1\ncenter_x = 0.3\ncenter_y = 0.4\n",
                   NULL);
}
END_TEST

START_TEST(mass_periodic_domain)
{
    mass_conserved(vortex_case, (const char *const[]){"grid.nx=48", "grid.ny=48", NULL});
}
END_TEST

START_TEST(mass_with_drying)
{
    /* A dry dam break inside walls: the front wets dry cells. */
    mass_conserved(dam_case,
                   (const char *const[]){"initial.depth_right=0", "boundary.west=wall",
                                         "boundary.east=wall", NULL});
}
END_TEST

static const char radial_dambreak_case[] =
    "[case]\nsolver = swe\n[grid]\nnx = 64\nny = 64\nx_min = -2.5\nx_max = 2.5\n"
    "y_min = -2.5\ny_max = 2.5\n[time]\nt_end = 1\n[physics]\ng = 1\n"
    "[boundary]\nwest = wall\neast = wall\nsouth = wall\nnorth = wall\n"
    "[initial]\ntype = radial_dambreak\ndepth_inside = 2\ndepth_outside = 1\nradius = 0.5\n";

/* The radial dam break (inputs/radial_dambreak.ini at 64^2, to t = 0.5 s, with one open side
 * its front has not reached): the depth keeps the square grid's symmetries (mirror in x, in y and
 * in the diagonal) to round-off, the mass is conserved, and the depth inside has fallen while a
 * bore runs outward above the outer depth. */
START_TEST(radial_dambreak_symmetric_and_conservative)
{
    tl_sim s;
    tl_sim_open(&s, radial_dambreak_case, (const char *const[]){"boundary.west=open", NULL}, NULL);
    const double m0 = total_mass(&s);
    tl_sim_run_to(&s, 0.5);
    tl_sim_download(&s);
    const int n = s.grid.nx;
    double asym = 0, hmax = 0;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            const double h = tl_at(&s, SWE_H, i, j);
            asym = fmax(asym, fabs(h - tl_at(&s, SWE_H, n - 1 - i, j)));
            asym = fmax(asym, fabs(h - tl_at(&s, SWE_H, i, n - 1 - j)));
            asym = fmax(asym, fabs(h - tl_at(&s, SWE_H, j, i)));
            hmax = fmax(hmax, h);
        }
    const double drift = fabs(total_mass(&s) - m0) / m0;
    const double centre = tl_at(&s, SWE_H, n / 2, n / 2), edge = tl_at(&s, SWE_H, 0, 0);
    printf("radial dam break: asymmetry %.2e m, mass drift %.2e, centre %.3f m, highest %.3f m, "
           "corner %.3f m\n", asym, drift, centre, hmax, edge);
    ck_assert_msg(asym < 1e-12, "asymmetry %g m", asym);
    ck_assert_msg(drift < 500 * TL_EPS, "mass drift %g", drift);
    ck_assert_msg(centre < 1.9 && hmax > 1.05 && fabs(edge - 1) < 1e-12,
                  "centre %g, highest %g, corner %g", centre, hmax, edge);
    tl_sim_close(&s);
}
END_TEST

/* inputs/radial_dambreak.ini closes the domain with walls so that a surrogate can keep the mass
 * to round-off; PDEBench's runs have open sides. The two are the same run to t = 1 (the
 * benchmark's end) at the largest radius drawn, 0.7: no wave reaches a side, and every field of
 * every cell is equal bit for bit. */
START_TEST(radial_dambreak_walls_equal_open_sides_to_t1)
{
    static const char *const sides[] = {"west", "east", "south", "north"};
    tl_sim walls, open;
    char keys[4][32];
    const char *sets[6] = {"initial.radius=0.7"};
    tl_sim_open(&walls, radial_dambreak_case, sets, NULL);
    for (int k = 0; k < 4; k++) {
        snprintf(keys[k], sizeof keys[k], "boundary.%s=open", sides[k]);
        sets[1 + k] = keys[k];
    }
    tl_sim_open(&open, radial_dambreak_case, sets, NULL);
    tl_sim_run_to(&walls, 1.0);
    tl_sim_run_to(&open, 1.0);
    tl_sim_download(&walls);
    tl_sim_download(&open);
    ck_assert_int_eq(walls.steps, open.steps);
    double diff = 0, edge = 0;
    const int n = walls.grid.nx;
    for (int v = 0; v < 3; v++)
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) {
                diff = fmax(diff, fabs(tl_at(&walls, v, i, j) - tl_at(&open, v, i, j)));
                if (i == 0 || j == 0 || i == n - 1 || j == n - 1)
                    edge = fmax(edge, fabs(tl_at(&walls, v, i, j) - (v == SWE_H ? 1.0 : 0.0)));
            }
    printf("radial dam break, radius 0.7, t = 1 s after %d steps: walls - open sides %.1e, "
           "largest departure from rest in the edge cells %.1e\n", (int)walls.steps, diff, edge);
    ck_assert_msg(diff == 0, "walls and open sides differ by %g", diff);
    ck_assert_msg(edge == 0, "a wave reached the edge cells (%g)", edge);
    tl_sim_close(&walls);
    tl_sim_close(&open);
}
END_TEST

START_TEST(stoker_middle_state_matches_reference)
{
    /* Tabulated middle states of Stoker's solution, g = 9.81. */
    static const double ref[2][6] = {{1.0, 0.5, 2.670410002, 0.726920446, 0.923363902, 2.957918120},
                                     {2.0, 1.0, 3.776530041, 1.453840892, 1.305833753, 4.183127922}};
    for (int r = 0; r < 2; r++) {
        fc_dambreak d;
        ck_assert_int_eq(fc_dambreak_init(&d, 9.81, ref[r][0], ref[r][1], 0), 0);
        ck_assert_double_eq_tol(d.cm, ref[r][2], 1e-8);
        ck_assert_double_eq_tol(d.hm, ref[r][3], 1e-8);
        ck_assert_double_eq_tol(d.um, ref[r][4], 1e-8);
        ck_assert_double_eq_tol(d.s, ref[r][5], 1e-8);
    }
    fc_dambreak d;
    ck_assert_int_eq(fc_dambreak_init(&d, 9.81, 0.5, 1.0, 0), -1);
}
END_TEST

/* L1 error of h against the exact dam break at t_end, per unit length. */
static double dambreak_error(int nx, double hr)
{
    char nxs[32];
    snprintf(nxs, sizeof nxs, "grid.nx=%d", nx);
    char hrs[64];
    snprintf(hrs, sizeof hrs, "initial.depth_right=%.17g", hr);
    tl_sim s;
    tl_sim_open(&s, dam_case, (const char *const[]){nxs, hrs, NULL}, NULL);
    tl_sim_run_to(&s, 1.5);
    tl_sim_download(&s);
    fc_dambreak d;
    ck_assert_int_eq(fc_dambreak_init(&d, 9.81, 1.0, hr, 0), 0);
    double e = 0;
    for (int i = 0; i < nx; i++) {
        double h, u;
        fc_dambreak_eval(&d, fc_grid_x(&s.grid, i), 1.5, &h, &u);
        e += fabs(tl_at(&s, SWE_H, i, 0) - h) * s.grid.dx;
    }
    tl_sim_close(&s);
    return e / 20;
}

START_TEST(wet_dambreak_converges_to_stoker)
{
    double e1 = dambreak_error(200, 0.5), e2 = dambreak_error(400, 0.5);
    double order = log2(e1 / e2);
    printf("wet dam break vs Stoker: L1(h) %.3e m (200), %.3e m (400), order %.2f\n", e1, e2, order);
    /* A solution with a shock converges in L1 at order 1 at best. */
    ck_assert_msg(e2 < 2e-3, "L1 error of h at 400 cells: %g m", e2);
    ck_assert_msg(order > 0.7 && order < 1.3, "observed order %g (errors %g, %g)", order, e1, e2);
}
END_TEST

/* Position of the last cell wetter than 1e-6 m (its east face), and the L1 error of h. */
static double dry_front(int nx, double *l1)
{
    char nxs[32];
    snprintf(nxs, sizeof nxs, "grid.nx=%d", nx);
    tl_sim s;
    tl_sim_open(&s, dam_case, (const char *const[]){nxs, "initial.depth_right=0", NULL}, NULL);
    tl_sim_run_to(&s, 1.5);
    tl_sim_download(&s);
    fc_dambreak d;
    fc_dambreak_init(&d, 9.81, 1.0, 0, 0);
    int last = -1;
    *l1 = 0;
    for (int i = 0; i < nx; i++) {
        double h, u;
        fc_dambreak_eval(&d, fc_grid_x(&s.grid, i), 1.5, &h, &u);
        *l1 += fabs(tl_at(&s, SWE_H, i, 0) - h) * s.grid.dx / 20;
        if (tl_at(&s, SWE_H, i, 0) > 1e-6)
            last = i;
    }
    double front = s.grid.x_min + (last + 1) * s.grid.dx;
    tl_sim_close(&s);
    return front;
}

START_TEST(dry_dambreak_converges_to_ritter)
{
    /* Ritter's front is at x0 + 2 c0 t = 9.396 m. Its tip is a film, h ~ (x_f - x)^2, that
     * HLL-type schemes erode: the front converges slowly (lags 0.80, 0.52, 0.33 m at 400, 800,
     * 1600 cells; an independent first-order HLL lags 0.90 m at both 400 and 800). Issue #2
     * asked for 2 cells (0.1 m) at 400; that is not met, see its closing note. */
    const double exact = 2 * sqrt(9.81) * 1.5;
    double l1a, l1b;
    double lag1 = exact - dry_front(400, &l1a), lag2 = exact - dry_front(800, &l1b);
    printf("dry dam break vs Ritter: front lag %.3f m (400), %.3f m (800); L1(h) %.3e, %.3e m\n",
           lag1, lag2, l1a, l1b);
    ck_assert_msg(lag1 > 0 && lag1 < 0.9, "front lag %g m at 400 cells", lag1);
    ck_assert_msg(lag2 < 0.7 * lag1, "front does not converge: lags %g, %g m", lag1, lag2);
    ck_assert_msg(l1a < 5e-3 && l1b < l1a, "L1 errors of h %g, %g m", l1a, l1b);
}
END_TEST

/* A steady state's drift: the mean |h - h(0)| after t_end on nx x ny cells of the case, and
 * when zonal is not NULL the largest change of h along x. */
static double drift(const char *text, int nx, int ny, double t_end, double *zonal)
{
    char sx[32], sy[32];
    snprintf(sx, sizeof sx, "grid.nx=%d", nx);
    snprintf(sy, sizeof sy, "grid.ny=%d", ny);
    tl_sim s;
    tl_sim_open(&s, text, (const char *const[]){sx, sy, NULL}, NULL);
    fc_real *h0 = fc_grid_alloc(&s.grid);
    memcpy(h0, s.host.f[SWE_H], s.grid.nalloc * sizeof *h0);
    tl_sim_run_to(&s, t_end);
    tl_sim_download(&s);
    double e = 0, along = 0;
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++) {
            e += fabs(tl_at(&s, SWE_H, i, j) - h0[fc_idx(s.grid.pitch, s.grid.ng, i, j)]);
            along = fmax(along, fabs(tl_at(&s, SWE_H, i, j) - tl_at(&s, SWE_H, 0, j)));
        }
    if (zonal)
        *zonal = along;
    free(h0);
    tl_sim_close(&s);
    return e / ((double)nx * ny);
}

/* The weather demo's Bickley jet unperturbed (inputs/jet.ini: 30 m/s, half-width 300 km, f0 =
 * 1e-4 on a beta-plane, walls north and south) in exact geostrophic balance g dh/dy = -f(y) u:
 * it must stay as it is, to truncation error, and zonal, to round-off. */
static const char jet_case[] = "[case]\nsolver = swe\n"
                               "[grid]\nnx = 64\nny = 32\nx_max = 4.0e6\ny_min = -1.0e6\n"
                               "y_max = 1.0e6\n[time]\nt_end = 86400\n"
                               "[boundary]\nwest = periodic\neast = periodic\n"
                               "[physics]\nf0 = 1.0e-4\nbeta = 1.6e-11\n"
                               "[initial]\ntype = jet\ndepth = 1000\njet_speed = 30\n"
                               "jet_width = 3.0e5\n";

START_TEST(balanced_zonal_jet_steady_second_order)
{
    double z1, z2;
    const double e1 = drift(jet_case, 32, 16, 86400, &z1), e2 = drift(jet_case, 64, 32, 86400, &z2);
    const double order = log2(e1 / e2);
    printf("balanced zonal jet: mean |dh| %.3e m (32 x 16), %.3e m (64 x 32), order %.2f; "
           "largest change along x %.1e m\n", e1, e2, order, fmax(z1, z2));
    /* The balance's height drop across the jet is 92 m: the change after a day is truncation
     * error only (measured 0.90 and 0.19 m, order 2.25), and the jet stays zonal. (On 128 x 64
     * it is 0.048 m, order 1.98, where single precision's drift of the mass adds 0.016 m.) */
    ck_assert_msg(e2 < 0.3, "jet drifted: mean |dh| = %g m on 64 x 32", e2);
    ck_assert_msg(order > 1.7, "observed order %g (errors %g, %g m)", order, e1, e2);
    /* (1000 ulps of the 1000 m depth; 0 measured) */
    ck_assert_msg(fmax(z1, z2) < 1000 * TL_EPS * 1000, "the jet varies along x by %g m",
                  fmax(z1, z2));
}
END_TEST

START_TEST(balanced_vortex_steady_second_order)
{
    double e1 = drift(vortex_case, 48, 48, 21600, NULL), e2 = drift(vortex_case, 96, 96, 21600, NULL);
    double order = log2(e1 / e2);
    printf("balanced vortex: mean |dh| %.3e m (48^2), %.3e m (96^2), order %.2f\n", e1, e2, order);
    /* The depth anomaly is 50 m: the change after 6 h is truncation error only. */
    ck_assert_msg(e2 < 0.05, "vortex drifted: mean |dh| = %g m at 96^2", e2);
    ck_assert_msg(order > 1.7, "observed order %g (errors %g, %g m)", order, e1, e2);
}
END_TEST

/*
 * The adjustment problem's exact nonlinear steady state (adjustment.h, which `validate` measures
 * the solver against) is what it claims: in geostrophic balance f v = g h' and with each side's
 * potential vorticity (f + v') / h = f / h0 (centred differences at 400 points), each side's
 * mass where it started, h continuous at X0 with v = -f (X0 - x0) there, the jet holding 1/3 of
 * the potential energy released, and Gill's linear solution in the limit of a small step. On
 * either hemisphere (f < 0: the jet turns round).
 */
START_TEST(adjustment_steady_state_is_balanced_and_keeps_pv_and_mass)
{
    const double g = 9.81, x0 = 3e5;
    for (int hemi = 0; hemi < 2; hemi++) {
        const double f = hemi ? -1e-4 : 1e-4, hl = 150, hr = 50;
        fc_adjustment a;
        ck_assert_int_eq(fc_adjustment_init(&a, g, f, hl, hr, x0), 0);
        ck_assert_msg(a.X0 > x0, "the columns move towards the shallow side: X0 = %g", a.X0);
        const double d = 10, L = 12 * fmax(a.Ll, a.Lr);
        double worst_balance = 0, worst_pv = 0;
        for (int k = 1; k < 400; k++) {
            const double x = x0 - L / 2 + L * k / 400.0;
            if (fabs(x - a.X0) < 2 * d)
                continue;
            double hm, hc, hp, vm, vc, vp;
            fc_adjustment_eval(&a, x - d, &hm, &vm);
            fc_adjustment_eval(&a, x, &hc, &vc);
            fc_adjustment_eval(&a, x + d, &hp, &vp);
            worst_balance = fmax(worst_balance, fabs(f * vc - g * (hp - hm) / (2 * d)) / (f * f * a.Ll));
            const double h0 = x < a.X0 ? hl : hr;
            worst_pv = fmax(worst_pv, fabs((f + (vp - vm) / (2 * d)) / hc - f / h0) / fabs(f / h0));
        }
        ck_assert_msg(worst_balance < 1e-6, "geostrophic imbalance %g", worst_balance);
        ck_assert_msg(worst_pv < 1e-6, "potential vorticity changed by %g", worst_pv);
        /* Each side's mass: the midpoint rule over 200000 points out to 20 radii (the point
         * across X0 counted whole on one side: 1e-4 of it). */
        double left = 0, right = 0, h, v, hb, vb;
        const double span = 40 * fmax(a.Ll, a.Lr);
        for (int k = 0; k < 200000; k++) {
            const double dx = span / 200000, x = x0 - span / 2 + (k + 0.5) * dx;
            fc_adjustment_eval(&a, x, &h, &v);
            if (x < a.X0)
                left += (h - hl) * dx;
            else
                right += (h - hr) * dx;
        }
        ck_assert_msg(fabs(left - hl * (x0 - a.X0)) < 1e-3 * hl * (a.X0 - x0), "left mass %g, %g",
                      left, hl * (x0 - a.X0));
        ck_assert_msg(fabs(right - hr * (a.X0 - x0)) < 1e-3 * hr * (a.X0 - x0), "right mass %g",
                      right);
        fc_adjustment_eval(&a, a.X0 * (1 - 1e-15), &h, &v);
        fc_adjustment_eval(&a, a.X0 * (1 + 1e-15), &hb, &vb);
        ck_assert_double_eq_tol(h, hb, 1e-9 * hl);
        ck_assert_double_eq_tol(v, -f * (a.X0 - x0), 1e-9 * fabs(v));
        ck_assert_double_eq_tol(vb, -f * (a.X0 - x0), 1e-9 * fabs(v));
        /* Gill's energy budget holds for this step of the mean depth too. */
        ck_assert_double_eq_tol(fc_adjustment_energy_ratio(&a), 1.0 / 3, 1e-8);
    }
    /* A step of 1e-4 m on 100 m: Gill's h = H - (s/2) sgn(x) (1 - e^(-|x|/L)), and
     * v = -(g s / 2) / (f L) e^(-|x|/L). */
    fc_adjustment a;
    const double f = 1e-4, s = 1e-4, L = sqrt(g * 100) / f;
    ck_assert_int_eq(fc_adjustment_init(&a, g, f, 100 + s / 2, 100 - s / 2, 0), 0);
    for (double x = -3 * L; x <= 3 * L; x += L / 7) {
        double h, v;
        fc_adjustment_eval(&a, x, &h, &v);
        const double e = exp(-fabs(x) / L);
        ck_assert_double_eq_tol(h, 100 - s / 2 * (x > 0 ? 1 : -1) * (1 - e), 1e-4 * s);
        ck_assert_double_eq_tol(v, -g * s / 2 / (f * L) * e, 1e-4 * g * s / (f * L));
    }
    /* Gill's energy budget: the jet keeps 1/3 of the potential energy released. */
    ck_assert_double_eq_tol(fc_adjustment_energy_ratio(&a), 1.0 / 3, 1e-6);
    ck_assert_int_eq(fc_adjustment_init(&a, g, 0, 1, 1, 0), -1);
    ck_assert_int_eq(fc_adjustment_init(&a, g, f, 1, 0, 0), -1);
}
END_TEST

/*
 * Rossby's adjustment problem: a 10 m step on 100 m radiates its Poincare waves out of the open
 * ends and leaves the jet of the exact nonlinear steady state; its mean over an inertial period
 * on 200 cells is within 0.6 % of it in h (3.1e-3 of half the step measured) and 2.5 % in v
 * (1.4 %), several times closer than to the linear solution. The rotation, the open ends and the
 * wave dynamics all have to be right.
 */
START_TEST(geostrophic_adjustment_reaches_the_nonlinear_steady_state)
{
    fc_val_adjust m;
    fc_err err;
    ck_assert_msg(fc_val_adjustment(200, &m, NULL, NULL, NULL, &err) == FC_OK, "%s", err.msg);
    const double dh = m.h_err, dv = m.v_err, dh_lin = m.h_lin_err, dv_lin = m.v_lin_err;
    printf("geostrophic adjustment, 200 cells: h %.3e (linear %.3e), v %.3e (linear %.3e)\n", dh,
           dh_lin, dv, dv_lin);
    /* In single precision the depth's round-off drifts the mass by 2e-4 of itself over the run's
     * 5,400 steps, 2 cm of the 100 m (5.8e-3 of half the step measured): the bound is looser. */
    const double h_tol = sizeof(fc_real) == sizeof(float) ? 1e-2 : 6e-3;
    ck_assert_msg(dh < h_tol && dh < dh_lin / 3, "h error %g (against linear theory %g)", dh, dh_lin);
    ck_assert_msg(dv < 0.025 && dv < dv_lin / 2, "v error %g (against linear theory %g)", dv, dv_lin);
    printf("  the jet's kinetic energy / potential energy released %.4f (exact %.4f)\n",
           m.energy_ratio, m.exact_energy_ratio);
    ck_assert_double_eq_tol(m.energy_ratio, m.exact_energy_ratio, 0.01);
}
END_TEST

/*
 * The paraboloid's exact solution (swe_paraboloid, which `validate` measures the solver against)
 * solves the shallow-water equations where there is water: centred differences of it over the
 * first period leave residuals of mass and of both momenta at truncation level; and the initial
 * condition `paraboloid`, on a bowl away from the origin, is that solution at t = 0 in every cell.
 */
/* swe_standing_wave solves the linearised rotating equations (h_t + H div u = 0, u_t - f v =
 * -g h_x, v_t + f u = -g h_y; centred differences at scattered points, both hemispheres, with
 * and without rotation), starts at rest with h = H + a cos(kx X) cos(ky Y), and keeps the
 * geostrophic part f^2 / w^2 of the wave as its mean. */
START_TEST(standing_wave_solves_the_linear_equations)
{
    const double g = 9.81, H = 100, a = 0.01, kx = 2 * M_PI / 2e6, ky = 4 * M_PI / 3e6;
    const double fs[3] = {1e-4, -1.3e-4, 0};
    for (int c = 0; c < 3; c++) {
        const double f = fs[c], w = sqrt(f * f + g * H * (kx * kx + ky * ky));
        const double dt = 1e-3 / w, d = 1e-3 / kx;
        double worst = 0, mean = 0;
        for (int q = 0; q < 50; q++) {
            const double t = 2 * M_PI / w * (q + 0.37) / 50, X = 1.1e5 * q, Y = 3.7e4 * q;
            double o[3], tp[3], tm[3], xp[3], xm[3], yp[3], ym[3];
            swe_standing_wave(g, H, a, f, kx, ky, t, X, Y, o);
            swe_standing_wave(g, H, a, f, kx, ky, t + dt, X, Y, tp);
            swe_standing_wave(g, H, a, f, kx, ky, t - dt, X, Y, tm);
            swe_standing_wave(g, H, a, f, kx, ky, t, X + d, Y, xp);
            swe_standing_wave(g, H, a, f, kx, ky, t, X - d, Y, xm);
            swe_standing_wave(g, H, a, f, kx, ky, t, X, Y + d, yp);
            swe_standing_wave(g, H, a, f, kx, ky, t, X, Y - d, ym);
            const double Dt[3] = {(tp[0] - tm[0]) / (2 * dt), (tp[1] - tm[1]) / (2 * dt),
                                  (tp[2] - tm[2]) / (2 * dt)};
            const double Dx[3] = {(xp[0] - xm[0]) / (2 * d), (xp[1] - xm[1]) / (2 * d),
                                  (xp[2] - xm[2]) / (2 * d)};
            const double Dy[3] = {(yp[0] - ym[0]) / (2 * d), (yp[1] - ym[1]) / (2 * d),
                                  (yp[2] - ym[2]) / (2 * d)};
            /* each equation against the size of its terms: a w for h, g k a for u and v */
            const double mass = Dt[0] + H * (Dx[1] + Dy[2]);
            const double mx = Dt[1] - f * o[2] + g * Dx[0], my = Dt[2] + f * o[1] + g * Dy[0];
            worst = fmax(worst, fmax(fabs(mass) / (a * w), fmax(fabs(mx), fabs(my)) / (g * kx * a)));
            mean += (o[0] - H) / (a * cos(kx * X) * cos(ky * Y)) / 50;
        }
        ck_assert_msg(worst < 1e-5, "f = %g: residual %g of the equations' terms", f, worst);
        /* samples spread evenly over one period: their mean is the geostrophic part */
        ck_assert_msg(fabs(mean - f * f / (w * w)) < 1e-9, "f = %g: mean %.12g, not %.12g", f,
                      mean, f * f / (w * w));
        double o[3];
        swe_standing_wave(g, H, a, f, kx, ky, 0, 3e5, 2e5, o);
        ck_assert(o[1] == 0 && o[2] == 0);
        ck_assert_double_eq_tol(o[0], H + a * cos(kx * 3e5) * cos(ky * 2e5), 1e-12);
    }
}
END_TEST

/* Standing waves with one wavelength each way, so that both axes take part: an inertia-gravity
 * wave in a doubly periodic square and a gravity wave in a closed basin (whose walls are the
 * wave's antinodes; with rotation a basin's walls would turn the wave into Kelvin waves). Each
 * run follows the linear solution at second order, and a nearly uniform depth keeps its mass to
 * round-off in either precision (the stages' blends once rounded the same way in every cell
 * and drifted single precision's mass by 1.5 epsilon a step: 220 epsilons in the 1-D
 * inertia-gravity wave of validate). */
/* The exact depth at (x, y) of a wave test (its parameters in ctx). */
typedef double (*exact_depth)(const void *ctx, double x, double y);

/* Runs the case text to t_end and returns the RMS error of h against the exact depth, over
 * the amplitude a; asserts that the mass is kept to round-off. label names the run. */
static double wave_error(const char *text, double t_end, double a, exact_depth exact,
                         const void *ctx, const char *label)
{
    tl_sim s;
    tl_sim_open(&s, text, NULL, NULL);
    const int nx = s.grid.nx, ny = s.grid.ny;
    const double m0 = total_mass(&s);
    tl_sim_run_to(&s, t_end);
    tl_sim_download(&s);
    double sq = 0;
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++)
            sq += pow(tl_at(&s, SWE_H, i, j) - exact(ctx, fc_grid_x(&s.grid, i),
                                                     fc_grid_y(&s.grid, j)), 2);
    const double err = sqrt(sq / (nx * ny)) / a, drift = fabs(total_mass(&s) - m0) / m0;
    printf("%s, %d x %d: RMS h error %.3e of a, mass drift %.2e\n", label, nx, ny, err, drift);
    ck_assert_msg(drift < 20 * TL_EPS, "%s: mass drift %g (relative) over %d x %d", label, drift,
                  nx, ny);
    tl_sim_close(&s);
    return err;
}

typedef struct standing_wave_at {
    double g, H, a, f, k, t;
} standing_wave_at;

static double standing_wave_depth(const void *ctx, double x, double y)
{
    const standing_wave_at *p = ctx;
    double o[3];
    swe_standing_wave(p->g, p->H, p->a, p->f, p->k, p->k, p->t, x, y, o);
    return o[0];
}

static void standing_wave_converges(int rotating)
{
    const double g = 9.81, H = 100, a = 0.01, f = rotating ? 1e-4 : 0, L = 2e6, k = 2 * M_PI / L;
    const double w = sqrt(f * f + 2 * g * H * k * k), t_end = 1.5 * 2 * M_PI / w;
    const char *sides = rotating ? "[boundary]\nwest = periodic\neast = periodic\n"
                                   "south = periodic\nnorth = periodic\n"
                                 : "";
    double err[2];
    for (int r = 0; r < 2; r++) {
        const int n = 16 << r;
        char text[1024];
        snprintf(text, sizeof text,
                 "[case]\nsolver = swe\n[grid]\nnx = %d\nny = %d\nx_max = %g\ny_max = %g\n"
                 "[time]\nt_end = %.17g\n[physics]\nf0 = %g\n%s[initial]\ntype = standing_wave\n"
                 "depth = %g\namplitude = %g\nwavenumber_y = 1\n",
                 n, n, L, L, t_end, f, sides, H, a);
        const standing_wave_at at = {g, H, a, f, k, t_end};
        err[r] = wave_error(text, t_end, a, standing_wave_depth, &at,
                            rotating ? "inertia-gravity wave, periodic" : "gravity wave in a basin");
    }
    const double order = log2(err[0] / err[1]);
    ck_assert_msg(err[1] < 0.02, "RMS error %g of the amplitude on 32 x 32", err[1]);
    ck_assert_msg(order > 1.8, "order %.2f (errors %g, %g)", order, err[0], err[1]);
}

START_TEST(standing_waves_converge_at_second_order)
{
    standing_wave_converges(1);
    standing_wave_converges(0);
}
END_TEST

/* swe_kelvin_wave solves the linearised equations with f = f0 + beta (y - y0) (centred
 * differences at scattered points): along the south wall (f > 0), the north wall (f < 0), the
 * equator, and off it where f = 0 inside the domain; its amplitude a lies where swe_kelvin_peak
 * says, and the wave's height never exceeds it. */
START_TEST(kelvin_wave_solves_the_linear_equations)
{
    const double g = 9.81, H = 100, a = 0.01, kx = 2 * M_PI / 2e6, c = sqrt(g * H);
    const double y_min = -3e6, y_max = 3e6;
    const struct {
        double f0, beta, y0, peak;
    } cases[4] = {{1e-4, 0, 0, y_min}, {-1.2e-4, 0, 0, y_max}, {0, 2.3e-11, 0, 0},
                  {5e-5, 2e-11, 0, -2.5e6}};
    for (int q = 0; q < 4; q++) {
        const double f0 = cases[q].f0, beta = cases[q].beta, y0 = cases[q].y0;
        const double yp = swe_kelvin_peak(f0, beta, y0, y_min, y_max);
        ck_assert_msg(fabs(yp - cases[q].peak) < 1e-6, "case %d: peak at %g, not %g", q, yp,
                      cases[q].peak);
        const double w = c * kx, dt = 1e-3 / w, d = 1e-3 / kx;
        double worst = 0;
        int checked = 0;
        for (int p = 0; p < 50; p++) {
            const double t = 2 * M_PI / w * (p + 0.37) / 50, X = 1.1e5 * p;
            const double y = y_min + (y_max - y_min) * (p + 0.5) / 50, f = f0 + beta * (y - y0);
            double o[3], tp[3], tm[3], xp[3], xm[3], yq[3], ym[3], crest[3];
            /* where the wave is below 1e-4 of a, H + h' holds too few of its digits */
            swe_kelvin_wave(g, H, a, f0, beta, y0, yp, kx, 0, 0, y, crest);
            if (crest[1] * c / g < 1e-4 * a)
                continue;
            checked++;
            swe_kelvin_wave(g, H, a, f0, beta, y0, yp, kx, t, X, y, o);
            swe_kelvin_wave(g, H, a, f0, beta, y0, yp, kx, t + dt, X, y, tp);
            swe_kelvin_wave(g, H, a, f0, beta, y0, yp, kx, t - dt, X, y, tm);
            swe_kelvin_wave(g, H, a, f0, beta, y0, yp, kx, t, X + d, y, xp);
            swe_kelvin_wave(g, H, a, f0, beta, y0, yp, kx, t, X - d, y, xm);
            swe_kelvin_wave(g, H, a, f0, beta, y0, yp, kx, t, X, y + d, yq);
            swe_kelvin_wave(g, H, a, f0, beta, y0, yp, kx, t, X, y - d, ym);
            ck_assert(o[0] - H <= a && o[2] == 0);
            /* each equation against the size of its terms at this y: a w and g k a times the
             * wave's envelope there */
            const double env = crest[1] * c / g;
            const double mass = (tp[0] - tm[0]) / (2 * dt) + H * ((xp[1] - xm[1]) / (2 * d) +
                                                                  (yq[2] - ym[2]) / (2 * d));
            const double mx = (tp[1] - tm[1]) / (2 * dt) - f * o[2] + g * (xp[0] - xm[0]) / (2 * d);
            const double my = (tp[2] - tm[2]) / (2 * dt) + f * o[1] + g * (yq[0] - ym[0]) / (2 * d);
            worst = fmax(worst, fmax(fabs(mass) / (env * w),
                                     fmax(fabs(mx), fabs(my)) / (g * kx * env)));
        }
        ck_assert_msg(worst < 1e-5 && checked >= 20, "case %d: residual %g of the equations' "
                      "terms at %d points", q, worst, checked);
        double o[3];
        swe_kelvin_wave(g, H, a, f0, beta, y0, yp, kx, 0, 0, yp, o);
        ck_assert_double_eq_tol(o[0], H + a, 1e-15);
        ck_assert_double_eq_tol(o[1], g / c * a, 1e-15);
    }
}
END_TEST

/* Kelvin waves in a channel periodic along x with walls south and north, one wavelength, over
 * one period: along the south wall on an f-plane (deformation radius c / f = 313 km in a
 * 1000 km channel) and about the equator on a beta-plane (width sqrt(2 c / beta) = 1650 km).
 * Each follows the linear solution at second order, keeping its mass to round-off. The limiter
 * clips the wave's smooth crests and troughs, so the observed order falls slowly below 2 as the
 * grid refines (measured 32 -> 64 -> 128 -> 256 cells: coastal 1.83, 1.91; equatorial 2.02,
 * 1.76, 1.65, where the crest is an extremum in x and y): asserted > 1.7 on 32 -> 64. */
typedef struct kelvin_wave_at {
    double g, H, a, f0, beta, y_peak, k, t;
} kelvin_wave_at;

static double kelvin_wave_depth(const void *ctx, double x, double y)
{
    const kelvin_wave_at *p = ctx;
    double o[3];
    swe_kelvin_wave(p->g, p->H, p->a, p->f0, p->beta, 0, p->y_peak, p->k, p->t, x, y, o);
    return o[0];
}

static void kelvin_wave_converges(int equatorial)
{
    const double g = 9.81, H = 100, a = 0.01, c = sqrt(g * H);
    const double L = equatorial ? 1e7 : 2e6, y_min = equatorial ? -3e6 : 0;
    const double y_max = equatorial ? 3e6 : 1e6, f0 = equatorial ? 0 : 1e-4;
    const double beta = equatorial ? 2.3e-11 : 0, t_end = L / c;
    double err[2];
    for (int r = 0; r < 2; r++) {
        const int n = 32 << r;
        char text[1024];
        snprintf(text, sizeof text,
                 "[case]\nsolver = swe\n[grid]\nnx = %d\nny = %d\nx_max = %g\ny_min = %g\n"
                 "y_max = %g\n[time]\nt_end = %.17g\n[boundary]\nwest = periodic\n"
                 "east = periodic\nsouth = wall\nnorth = wall\n[physics]\nf0 = %g\nbeta = %g\n"
                 "[initial]\ntype = kelvin_wave\ndepth = %g\namplitude = %g\n",
                 n, n / 2, L, y_min, y_max, t_end, f0, beta, H, a);
        const kelvin_wave_at at = {g, H, a, f0, beta,
                                   swe_kelvin_peak(f0, beta, 0, y_min, y_max), 2 * M_PI / L,
                                   t_end};
        err[r] = wave_error(text, t_end, a, kelvin_wave_depth, &at,
                            equatorial ? "equatorial Kelvin wave" : "coastal Kelvin wave");
    }
    const double order = log2(err[0] / err[1]);
    /* Single precision rounds the 100 m depth to 7.6e-6 m, 7.6e-4 of the 1 cm wave, at every
     * one of some 150 steps: the coastal wave's error on 64 x 32 is 1.7e-2 in float against
     * 8.6e-3 in double, and the order is not measurable (as validate's rows that need double). */
    ck_assert_msg(err[1] < (TL_SINGLE ? 0.03 : 0.02), "RMS error %g of the amplitude on 64 x 32",
                  err[1]);
    if (!TL_SINGLE)
        ck_assert_msg(order > 1.7, "order %.2f (errors %g, %g)", order, err[0], err[1]);
}

START_TEST(kelvin_waves_converge_at_second_order)
{
    kelvin_wave_converges(0);
    kelvin_wave_converges(1);
}
END_TEST

START_TEST(paraboloid_solves_the_shallow_water_equations)
{
    const double g = 9.81, h0 = 0.1, a = 1, eta = 0.5, d = 1e-4;
    const double period = 2 * M_PI * a / sqrt(2 * g * h0);
    double worst = 0;
    int points = 0;
    srand(3);
    while (points < 2000) {
        const double t = period * rand() / RAND_MAX, x = 3.0 * rand() / RAND_MAX - 1.5,
                     y = 3.0 * rand() / RAND_MAX - 1.5;
        double c[4], xm[4], xp[4], ym[4], yp[4], tm[4], tp[4];
        swe_paraboloid(g, h0, a, eta, t, x, y, c);
        swe_paraboloid(g, h0, a, eta, t, x - d, y, xm);
        swe_paraboloid(g, h0, a, eta, t, x + d, y, xp);
        swe_paraboloid(g, h0, a, eta, t, x, y - d, ym);
        swe_paraboloid(g, h0, a, eta, t, x, y + d, yp);
        swe_paraboloid(g, h0, a, eta, t - d, x, y, tm);
        swe_paraboloid(g, h0, a, eta, t + d, x, y, tp);
        if (!(xm[0] > 0 && xp[0] > 0 && ym[0] > 0 && yp[0] > 0 && tm[0] > 0 && tp[0] > 0))
            continue; /* the shore within d: not differentiable there */
        points++;
#define D(f, k) ((f##p[k] - f##m[k]) / (2 * d))
        const double mass = D(t, 0) + (xp[0] * xp[1] - xm[0] * xm[1]) / (2 * d) +
                            (yp[0] * yp[2] - ym[0] * ym[2]) / (2 * d);
        const double mom_x = D(t, 1) + c[1] * D(x, 1) + c[2] * D(y, 1) + g * (D(x, 0) + D(x, 3));
        const double mom_y = D(t, 2) + c[1] * D(x, 2) + c[2] * D(y, 2) + g * (D(y, 0) + D(y, 3));
#undef D
        worst = fmax(worst, fmax(fabs(mass), fmax(fabs(mom_x), fabs(mom_y))));
    }
    printf("paraboloid: largest residual of the equations at 2000 wet points %.2e\n", worst);
    /* The terms are of order g h0 / a = 1 m s-2; centred differences over 1e-4 leave ~1e-8. */
    ck_assert_msg(worst < 1e-6, "the exact solution leaves a residual of %g", worst);

    tl_sim s;
    tl_sim_open(&s,
                "[case]\nsolver = swe\n[grid]\nnx = 30\nny = 24\nx_min = -1.7\nx_max = 2.3\n"
                "y_min = -2.2\ny_max = 1.8\n[time]\nt_end = 1\n[initial]\ntype = paraboloid\n"
                "center_x = 0.3\ncenter_y = -0.2\n",
                NULL, NULL);
    int wet = 0;
    for (int j = 0; j < s.grid.ny; j++)
        for (int i = 0; i < s.grid.nx; i++) {
            double o[4];
            swe_paraboloid(g, h0, a, eta, 0, fc_grid_x(&s.grid, i) - 0.3,
                           fc_grid_y(&s.grid, j) + 0.2, o);
            ck_assert(tl_at(&s, SWE_H, i, j) == (fc_real)o[0]);
            ck_assert(tl_at(&s, SWE_HU, i, j) == (fc_real)(o[0] * o[1]));
            ck_assert(tl_at(&s, SWE_HV, i, j) == (fc_real)(o[0] * o[2]));
            ck_assert(tl_at(&s, SWE_B, i, j) == (fc_real)o[3]);
            wet += o[0] > 0;
        }
    ck_assert_int_gt(wet, 100);
    tl_sim_close(&s);
}
END_TEST

START_TEST(bad_state_is_reported_and_not_kept)
{
    tl_sim s;
    tl_sim_open(&s, dam_case, NULL, NULL);
    /* A negative depth injected into one cell poisons the next step. */
    fc_err err = {{0}};
    s.host.f[SWE_H][fc_idx(s.grid.pitch, s.grid.ng, 50, 0)] = -1;
    ck_assert_int_eq(s.ops->upload(s.state, &s.host, &err), FC_OK);
    fc_step_report rep = {0};
    ck_assert_int_eq(s.ops->step(s.state, 0, 1e-3, &rep, &err), FC_OK);
    ck_assert_int_ne(rep.bad, FC_STATE_OK);
    ck_assert(rep.bad_cell >= 48 && rep.bad_cell <= 52);
    tl_sim_download(&s);
    ck_assert_double_eq(tl_at(&s, SWE_H, 50, 0), -1); /* the state before the step is kept */
    ck_assert_double_eq(tl_at(&s, SWE_H, 10, 0), 1);
    tl_sim_close(&s);
}
END_TEST

/* A record time a little more than one step away is reached in two equal steps, not a full
 * step and a sliver (fc_sim_step_toward); one within a step, in one. */
START_TEST(steps_before_a_record_are_never_slivers)
{
    tl_sim s;
    tl_sim_open(&s, dam_case, NULL, NULL);
    fc_err err = {{0}};
    int landed;
    ck_assert_int_eq(fc_sim_step_toward(&s, INFINITY, &landed, &err), FC_OK);
    const double cfl = fc_cfg_real(&s.cfg, "time", "cfl");
    const double t0 = s.t, full = cfl / s.rate, target = t0 + 1.001 * full;
    ck_assert_int_eq(fc_sim_step_toward(&s, target, &landed, &err), FC_OK);
    ck_assert(!landed);
    ck_assert_msg(fabs(s.dt - (target - t0) / 2) <= 1e-12 * full,
                  "first step %g, not half of the %g left", s.dt, target - t0);
    ck_assert_int_eq(fc_sim_step_toward(&s, target, &landed, &err), FC_OK);
    ck_assert(landed);
    ck_assert_double_eq(s.t, target);
    const double t1 = s.t, near = t1 + 0.5 * cfl / s.rate;
    ck_assert_int_eq(fc_sim_step_toward(&s, near, &landed, &err), FC_OK);
    ck_assert(landed);
    ck_assert_double_eq(s.t, near);
    tl_sim_close(&s);
}
END_TEST

/* What a bad cell is called, in the order the CPU sweep, the GPU kernel and the report share:
 * a NaN anywhere first, then a depth below round-off; the value shown is the one at fault. */
START_TEST(bad_cell_is_classified_nan_first)
{
    const fc_real nan = (fc_real)NAN;
    const struct {
        fc_real v[3];
        int want, ok;
        double shown;
    } c[] = {
        {{1, 2, 3}, FC_STATE_OK, 1, 0},
        {{0, 0, 0}, FC_STATE_OK, 1, 0},
        {{-1e-3, 2, 3}, FC_STATE_NEGATIVE, 0, (fc_real)-1e-3},
        {{-1e-3, nan, 3}, FC_STATE_NAN, 0, (fc_real)-1e-3},
        {{nan, 2, 3}, FC_STATE_NAN, 0, NAN},
        {{1, 2, nan}, FC_STATE_NAN, 0, NAN},
        {{1, nan, 3}, FC_STATE_NAN, 0, NAN},
    };
    for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
        const swe_conserved v = {c[k].v[0], c[k].v[1], c[k].v[2]};
        ck_assert_int_eq(swe_check_cell(c[k].v), c[k].want);
        ck_assert_int_eq(swe_cell_ok(v), c[k].ok);
        fc_step_report rep = {0};
        swe_report_bad(c[k].v, 7, &rep);
        ck_assert_int_eq(rep.bad, c[k].want);
        if (c[k].want != FC_STATE_OK) {
            ck_assert_int_eq(rep.bad_cell, 7);
            ck_assert_msg(c[k].shown != c[k].shown ? rep.bad_value != rep.bad_value
                                                   : rep.bad_value == c[k].shown,
                          "case %zu shows %g", k, rep.bad_value);
        }
    }
}
END_TEST

START_TEST(restart_is_bit_for_bit)
{
    const char *ini = tl_temp_file("jet.ini", "[case]\nsolver = swe\n"
                                              "[grid]\nnx = 48\nny = 24\nx_min = 0\nx_max = 8e6\n"
                                              "y_min = -2e6\ny_max = 2e6\n"
                                              "[time]\nt_end = 86400\n"
                                              "[output]\ninterval = 21600\n"
                                              "[boundary]\nwest = periodic\neast = periodic\n"
                                              "[physics]\nf0 = 1e-4\nbeta = 1.6e-11\n"
                                              "[initial]\ntype = jet\ndepth = 1000\n"
                                              "jet_speed = 30\njet_width = 3e5\n"
                                              "perturbation = 2\n");
    const char *full = tl_temp_path("full.nc"), *half = tl_temp_path("half.nc"),
               *cont = tl_temp_path("cont.nc");
    fc_run_result res;
    fc_err err;
    fc_run_opts o = {.case_path = ini, .solvers = fc_solvers(), .device = "cpu", .output = full, .quiet = 1};
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(res.records, 5);
    const char *const stop_early[] = {"time.t_end=43200"};
    o.output = half;
    o.sets = stop_early;
    o.nsets = 1;
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    o.output = cont;
    o.sets = NULL;
    o.nsets = 0;
    o.restart = half;
    o.threads = 1; /* a different thread count must not matter either */
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(res.records, 3); /* 43200 (the restart state), 64800, 86400 */
    /* --regrid from a file on the case's own grid is the plain restart */
    const char *regridded = tl_temp_path("regridded.nc");
    o.output = regridded;
    o.regrid = 1;
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);

    static const char *const vars[] = {"h", "hu", "hv"};
    for (int k = 0; k < 3; k++) {
        double t1, t2;
        double *a = tl_read_last(full, vars[k], 48 * 24, &t1), *b = tl_read_last(cont, vars[k], 48 * 24, &t2);
        ck_assert_double_eq(t1, 86400);
        ck_assert_double_eq(t2, 86400);
        ck_assert_msg(!memcmp(a, b, 48 * 24 * sizeof *a), "%s differs after restart", vars[k]);
        free(b);
        b = tl_read_last(regridded, vars[k], 48 * 24, &t2);
        ck_assert_msg(!memcmp(a, b, 48 * 24 * sizeof *a), "%s differs after --regrid", vars[k]);
        free(a);
        free(b);
    }
}
END_TEST

START_TEST(restart_rejects_other_grid_and_bad_files)
{
    const char *ini = tl_temp_file("bump.ini", "[case]\nsolver = swe\n"
                                               "[grid]\nnx = 20\nny = 20\nx_max = 1\ny_max = 1\n"
                                               "[time]\nt_end = 0.01\n"
                                               "[initial]\ntype = gaussian_bump\ndepth = 1\n"
                                               "amplitude = 0.1\nradius = 0.1\ncenter_x = 0.5\n"
                                               "center_y = 0.5\n");
    const char *first = tl_temp_path("first.nc"), *second = tl_temp_path("second.nc");
    fc_run_result res;
    fc_err err;
    fc_run_opts o = {.case_path = ini, .solvers = fc_solvers(), .device = "cpu", .output = first, .quiet = 1};
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    const char *const finer[] = {"grid.nx=40", "time.t_end=1"};
    o.sets = finer;
    o.nsets = 2;
    o.output = second;
    o.restart = first;
    ck_assert_int_eq(fc_run(&o, &res, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "grid"), "message: %s", err.msg);
    ck_assert_int_eq(access(second, F_OK), -1); /* nothing written */
    const char *const wider[] = {"grid.x_max=2", "time.t_end=1"};
    o.sets = wider;
    ck_assert_int_eq(fc_run(&o, &res, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "covers"), "message: %s", err.msg);
    o.sets = NULL;
    o.nsets = 0;
    ck_assert_int_eq(fc_run(&o, &res, &err), FC_EINPUT); /* t_end already reached */
    ck_assert_msg(strstr(err.msg, "nothing to run"), "message: %s", err.msg);
    o.restart = ini; /* not NetCDF at all */
    ck_assert_int_eq(fc_run(&o, &res, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "cannot read restart file"), "message: %s", err.msg);
}
END_TEST

/* s, a restarted lake at rest around an island, has the bottom and (to 4 ulp) the depth of
 * fresh, the case set up on the same grid, with the island dry, and stays at rest over 300
 * steps. Closes both. */
static void lake_is_the_case_s_and_stays_at_rest(tl_sim *s, tl_sim *fresh)
{
    const int nx = fresh->grid.nx, ny = fresh->grid.ny;
    int wet = 0;
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++) {
            ck_assert(tl_at(s, SWE_B, i, j) == tl_at(fresh, SWE_B, i, j));
            ck_assert_msg(fabs(tl_at(s, SWE_H, i, j) - tl_at(fresh, SWE_H, i, j)) <= 4 * TL_EPS,
                          "h at (%d, %d) is %.17g, the case's %.17g", i, j,
                          (double)tl_at(s, SWE_H, i, j), (double)tl_at(fresh, SWE_H, i, j));
            wet += tl_at(s, SWE_H, i, j) > 0;
        }
    ck_assert_int_lt(wet, nx * ny); /* the island is dry */
    tl_sim_steps(s, 300);
    tl_sim_download(s);
    const double m = max_speed(s);
    ck_assert_msg(m < 1000 * TL_EPS, "the restarted lake moved: max |u| = %g after 300 steps", m);
    tl_sim_close(s);
    tl_sim_close(fresh);
}

/* --regrid: a lake at rest up to an island's shore, continued on a grid at no whole ratio to
 * the file's, is the case's own lake at rest on that grid (the surface level interpolated over
 * wet cells alone, the bottom the case's) and stays at rest. */
START_TEST(regrid_keeps_a_lake_at_rest_to_the_shore)
{
    const char *ini = tl_temp_file("island.ini", lake_case);
    const char *coarse = tl_temp_path("island.nc");
    const char *const first[] = {"initial.surface=0.1", "initial.bump_height=0.3",
                                 "time.t_end=0.05"};
    const char *const finer[] = {"initial.surface=0.1", "initial.bump_height=0.3", "grid.nx=57",
                                 "grid.ny=43", NULL};
    fc_run_result res;
    fc_err err;
    fc_run_opts o = {.case_path = ini, .solvers = fc_solvers(), .device = "cpu",
                     .output = coarse, .quiet = 1, .sets = first, .nsets = 3};
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    fc_config cfg;
    ck_assert_msg(fc_config_load(ini, finer, 4, fc_solvers(), &cfg, &err) == FC_OK, "%s", err.msg);
    const fc_sim_restart from = {coarse, 1};
    tl_sim s, fresh;
    ck_assert_msg(fc_sim_start(&s, &cfg, NULL, &from, &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(s.restart_from[0], 50);
    ck_assert_int_eq(s.restart_from[1], 50);
    ck_assert_double_eq(s.t, 0.05);
    tl_sim_open(&fresh, lake_case, finer, NULL);
    lake_is_the_case_s_and_stays_at_rest(&s, &fresh);
}
END_TEST

/* A restart on the same grid takes the case's bottom where it changed since the file was
 * written (the island raised from 0.3 to 0.5 m), as --regrid does: the lake at rest around the
 * island is the case's own lake at rest (a flat surface, the cells the higher island lifts out
 * dry) and stays at rest, and the run says how many cells changed; a case that did not change
 * it says nothing (its bits: restart_is_bit_for_bit). */
START_TEST(restart_takes_the_bottom_from_the_case)
{
    const char *ini = tl_temp_file("island_raised.ini", lake_case);
    const char *file = tl_temp_path("island_raised.nc");
    const char *const first[] = {"initial.surface=0.1", "initial.bump_height=0.3",
                                 "time.t_end=0.05", NULL};
    const char *const raised[] = {"initial.surface=0.1", "initial.bump_height=0.5", NULL};
    fc_run_result res;
    fc_err err;
    fc_run_opts o = {.case_path = ini, .solvers = fc_solvers(), .device = "cpu",
                     .output = file, .quiet = 1, .sets = first, .nsets = 3};
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    tl_sim s, fresh, before;
    tl_sim_open(&fresh, lake_case, raised, NULL);
    tl_sim_open(&before, lake_case, first, NULL);
    int changed = 0;
    const int nx = fresh.grid.nx, ny = fresh.grid.ny;
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++)
            changed += tl_at(&fresh, SWE_B, i, j) != tl_at(&before, SWE_B, i, j);
    tl_sim_close(&before);
    ck_assert_int_gt(changed, 0);
    for (int unchanged = 1; unchanged >= 0; unchanged--) { /* the raised one kept, in s */
        fc_config cfg;
        ck_assert_msg(fc_config_load(ini, unchanged ? first : raised, 2, /* no t_end */
                                     fc_solvers(), &cfg, &err) == FC_OK, "%s", err.msg);
        const fc_sim_restart from = {file, 0};
        ck_assert_msg(fc_sim_start(&s, &cfg, NULL, &from, &err) == FC_OK, "%s", err.msg);
        if (unchanged) {
            ck_assert_str_eq(s.restart_note, "");
            tl_sim_close(&s);
        }
    }
    char want[96];
    snprintf(want, sizeof want, "the case's bottom differs from the restart file's in %d cells",
             changed);
    ck_assert_msg(strstr(s.restart_note, want), "'%s' lacks '%s'", s.restart_note, want);
    lake_is_the_case_s_and_stays_at_rest(&s, &fresh);
}
END_TEST

/* [initial] type = file with interpolate = bilinear: the lake at rest around an island, written
 * on 50 x 50 cells and read onto 57 x 43 (no whole ratio) and onto 31 x 37 with a periodic x,
 * has a flat surface up to its shore (the surface interpolated over wet points alone, over the
 * interpolated bottom) and stays at rest; a cell the file's wet points do not reach is dry. */
START_TEST(file_state_interpolated_keeps_a_lake_at_rest_to_the_shore)
{
    const char *ini = tl_temp_file("island_file.ini", lake_case);
    const char *coarse = tl_temp_path("island_file.nc");
    const char *const first[] = {"initial.surface=0.1", "initial.bump_height=0.3",
                                 "time.t_end=0.05"};
    fc_run_result res;
    fc_err err;
    fc_run_opts o = {.case_path = ini, .solvers = fc_solvers(), .device = "cpu",
                     .output = coarse, .quiet = 1, .sets = first, .nsets = 3};
    unlink(coarse);
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    char from_file[1024];
    snprintf(from_file, sizeof from_file,
             "[case]\nsolver = swe\n[grid]\nx_min = -0.5\nx_max = 0.5\ny_min = -0.5\n"
             "y_max = 0.5\n[time]\nt_end = 1\n[initial]\ntype = file\npath = %s\nh_var = h\n"
             "u_var = u\nv_var = v\nb_var = b\ninterpolate = bilinear\n", coarse);
    const char *const grids[][5] = {{"grid.nx=57", "grid.ny=43", NULL},
                                    {"grid.nx=31", "grid.ny=37", "boundary.west=periodic",
                                     "boundary.east=periodic", NULL}};
    for (int c = 0; c < 2; c++) {
        tl_sim s;
        tl_sim_open(&s, from_file, grids[c], NULL);
        const fc_grid *g = &s.grid;
        int wet = 0;
        for (int j = 0; j < g->ny; j++)
            for (int i = 0; i < g->nx; i++) {
                const double h = tl_at(&s, SWE_H, i, j), b = tl_at(&s, SWE_B, i, j);
                ck_assert_msg(h == 0 || fabs(h + b - 0.1) <= 4 * TL_EPS,
                              "grid %d: the surface at (%d, %d) is %.17g", c, i, j, h + b);
                ck_assert(h == 0 || b < 0.1); /* wet only where the bottom is below the lake */
                ck_assert(fabs(tl_at(&s, SWE_HU, i, j)) + fabs(tl_at(&s, SWE_HV, i, j)) < 1000 * TL_EPS);
                wet += h > 0;
            }
        ck_assert_int_gt(wet, g->nx * g->ny / 2);
        ck_assert_int_lt(wet, g->nx * g->ny); /* the island is dry */
        tl_sim_steps(&s, 300);
        tl_sim_download(&s);
        const double m = max_speed(&s);
        ck_assert_msg(m < 1000 * TL_EPS, "grid %d: the lake moved: max |u| = %g after 300 steps",
                      c, m);
        tl_sim_close(&s);
    }
}
END_TEST

/* A wet/dry flow with a moving shore: water piled up on one side of an island, with rotation,
 * drag, walls and periodic sides; the CFL number is the case default unless cfl is given. */
/* The island case with a third of the lake raised: wet/dry fronts, rotation and periodic and
 * wall sides. scheme: the flux, limiter, time scheme and drag keys; cfl: a time.cfl=... or NULL. */
static void open_island_scheme(tl_sim *s, const char *const scheme[4], const char *cfl)
{
    tl_sim_open(s, lake_case,
                (const char *const[]){"grid.nx=37", "grid.ny=29", "initial.surface=0.15",
                                      "initial.bump_height=0.3", "initial.center_x=0.1",
                                      "physics.f0=3", "boundary.west=periodic",
                                      "boundary.east=periodic", scheme[0], scheme[1], scheme[2],
                                      scheme[3], cfl, NULL},
                NULL);
    const fc_grid *g = &s->grid;
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx / 3; i++)
            s->host.f[SWE_H][fc_idx(g->pitch, g->ng, i, j)] += 0.05;
    fc_err err;
    ck_assert_int_eq(s->ops->upload(s->state, &s->host, &err), FC_OK);
    ck_assert_int_eq(s->ops->max_rate(s->state, &s->rate, &err), FC_OK);
}

/* Every combination the CPU sweep compiles a loop for (limiter x Riemann solver, drag or not,
 * each RK scheme's stages), spread over eight schemes. */
static const char *const island_schemes[][4] = {
    {"numerics.flux=hll", "numerics.limiter=mc", "numerics.time_scheme=ssprk3",
     "physics.quadratic_drag=0.02"},
    {"numerics.flux=hllc", "numerics.limiter=minmod", "numerics.time_scheme=ssprk2",
     "physics.quadratic_drag=0"},
    {"numerics.flux=hllc", "numerics.limiter=vanleer", "numerics.time_scheme=ssprk3",
     "physics.linear_drag=0.5"},
    {"numerics.flux=hllc", "numerics.limiter=mc", "numerics.time_scheme=ssprk2",
     "physics.quadratic_drag=0.05"},
    {"numerics.flux=hll", "numerics.limiter=minmod", "numerics.time_scheme=ssprk3",
     "physics.linear_drag=0.5"},
    {"numerics.flux=hll", "numerics.limiter=vanleer", "numerics.time_scheme=ssprk2",
     "physics.quadratic_drag=0"},
    {"numerics.flux=hllc", "numerics.limiter=vanalbada", "numerics.time_scheme=ssprk2",
     "physics.linear_drag=0.5"},
    {"numerics.flux=hll", "numerics.limiter=vanalbada", "numerics.time_scheme=ssprk3",
     "physics.quadratic_drag=0.02"},
};

static void open_disturbed_island(tl_sim *s, const char *cfl)
{
    open_island_scheme(s, island_schemes[0], cfl);
}

START_TEST(fast_shores_keep_depth_positive)
{
    /* At the default CFL number the front outruns the (|u| + c) estimate: steps are retried
     * with half dt, and the depth stays non-negative while mass is conserved. */
    tl_sim s;
    open_disturbed_island(&s, NULL);
    double m0 = total_mass(&s);
    tl_sim_steps(&s, 200);
    tl_sim_download(&s);
    printf("disturbed island: %lld of 200 steps retried with half dt\n", s.halvings);
    ck_assert_msg(s.halvings > 0, "no step needed halving: the test would prove nothing");
    for (int j = 0; j < s.grid.ny; j++)
        for (int i = 0; i < s.grid.nx; i++)
            ck_assert(tl_at(&s, SWE_H, i, j) >= 0);
    ck_assert_double_eq_tol(total_mass(&s), m0, 5000 * TL_EPS * m0);
    tl_sim_close(&s);
}
END_TEST

/*
 * The fused per-cell stage (swe_stage_cell, what the CUDA kernel runs) and the CPU backend's
 * face-once, vectorised sweep must give the same bits: run the fused form here on the host, cell
 * by cell as the kernel does, for whole RK steps on a wet/dry, rotating flow with walls and
 * periodic sides, and compare with the backend after each step; once per scheme of
 * island_schemes, so that every loop the sweep instantiates is compared.
 */
START_TEST(fused_stage_matches_cpu_sweep)
{
    tl_sim s;
    open_island_scheme(&s, island_schemes[_i], "time.cfl=0.25"); /* no halving: fixed steps */
    const fc_grid *g = &s.grid;
    const swe_params *p = s.params;
    fc_real *sets[3][SWE_NFIELDS];
    for (int k = 0; k < 3; k++) {
        for (int f = 0; f < SWE_B; f++)
            sets[k][f] = fc_grid_alloc(g);
        sets[k][SWE_B] = s.host.f[SWE_B];
    }
    for (int f = 0; f < SWE_B; f++)
        memcpy(sets[0][f], s.host.f[f], g->nalloc * sizeof(fc_real));
    fc_grid_fill_halo(g, s.host.f[SWE_B], 0, 0);
    for (int step = 0; step < 40; step++) {
        double dt = fc_cfg_real(&s.cfg, "time", "cfl") / s.rate;
        int in = 0, out = 1;
        for (int st = 0; st < swe_nstages(p->rk); st++) {
            out = st % 2 == 0 ? 1 : 2;
            for (int f = 0; f < SWE_B; f++)
                fc_grid_fill_halo(g, sets[in][f], swe_field_odd_x(f), swe_field_odd_y(f));
            for (int j = 0; j < g->ny; j++)
                for (int i = 0; i < g->nx; i++) {
                    fc_real v[3];
                    swe_stage_cell((const fc_real *const *)sets[in],
                                   (const fc_real *const *)sets[0], swe_stage_a(p->rk, st),
                                   (fc_real)dt, p, i, j, v);
                    for (int f = 0; f < 3; f++)
                        sets[out][f][fc_idx(g->pitch, g->ng, i, j)] = v[f];
                }
            in = out;
        }
        for (int f = 0; f < SWE_B; f++)
            memcpy(sets[0][f], sets[out][f], g->nalloc * sizeof(fc_real));
        tl_sim_steps(&s, 1);
        ck_assert_int_eq(s.halvings, 0);
        tl_sim_download(&s);
        for (int f = 0; f < SWE_B; f++)
            for (int j = 0; j < g->ny; j++)
                for (int i = 0; i < g->nx; i++) {
                    ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
                    ck_assert_msg(sets[0][f][k] == s.host.f[f][k],
                                  "step %d, %s at (%d, %d): fused %.17g, sweep %.17g", step,
                                  swe_solver.io.field_names[f], i, j, (double)sets[0][f][k],
                                  (double)s.host.f[f][k]);
                }
    }
    ck_assert_msg(max_speed(&s) > 1e-2, "the flow did not move: the test would prove nothing");
    for (int k = 0; k < 3; k++)
        for (int f = 0; f < SWE_B; f++)
            free(sets[k][f]);
    tl_sim_close(&s);
}
END_TEST

/* A Gaussian hump of water in a channel whose ends (or sides) are open, on an f-plane. */
static const char *open_channel(int along_y)
{
    static char text[1024];
    snprintf(text, sizeof text,
             "[case]\nsolver = swe\n[grid]\nnx = %d\nny = %d\nx_min = %s\nx_max = %s\n"
             "y_min = %s\ny_max = %s\n[time]\nt_end = 172800\n[output]\ninterval = 3600\n"
             "[boundary]\nwest = %s\neast = %s\nsouth = %s\nnorth = %s\n[physics]\nf0 = 1e-4\n"
             "[initial]\ntype = gaussian_bump\ndepth = 100\namplitude = 1\nradius = 1e5\n",
             along_y ? 4 : 200, along_y ? 200 : 4, along_y ? "0" : "-1e6", along_y ? "2e4" : "1e6",
             along_y ? "-1e6" : "0", along_y ? "1e6" : "2e4", along_y ? "periodic" : "open",
             along_y ? "periodic" : "open", along_y ? "open" : "periodic",
             along_y ? "open" : "periodic");
    return text;
}

/* The wave energy: kinetic plus g (eta - 100 m)^2 / 2 over the domain (per unit density). */
static double wave_energy(const tl_sim *s)
{
    double e = 0;
    for (int j = 0; j < s->grid.ny; j++)
        for (int i = 0; i < s->grid.nx; i++) {
            const double h = tl_at(s, SWE_H, i, j), hu = tl_at(s, SWE_HU, i, j);
            const double hv = tl_at(s, SWE_HV, i, j), eta = h + tl_at(s, SWE_B, i, j) - 100;
            e += (hu * hu + hv * hv) / (2 * h) + 9.81 * eta * eta / 2;
        }
    return e * s->grid.dx * s->grid.dy;
}

START_TEST(open_sides_let_waves_out)
{
    /* The waves (c = 31 m/s) reach the open sides 900 km away after about 8 h. From then on the
     * wave energy inside may only fall; what stays is the geostrophically balanced remnant.
     * The zero-gradient sides used before let it rise 17 times in these 2 days. */
    for (int along_y = 0; along_y < 2; along_y++) {
        tl_sim s;
        tl_sim_open(&s, open_channel(along_y), NULL, NULL);
        tl_sim_download(&s);
        const double e0 = wave_energy(&s);
        double prev = e0;
        int rises = 0;
        for (int hour = 1; hour <= 48; hour++) {
            tl_sim_run_to(&s, hour * 3600.0);
            tl_sim_download(&s);
            const double e = wave_energy(&s);
            /* A rise beyond round-off: the remnant's eta (about 0.1 m) is h - 100 m, and a float
             * h is rounded to 7.6e-6 m, so in single precision the energy of the steady remnant
             * moves by up to 5e-4 of itself from hour to hour (measured); 1e4 epsilons allow
             * that, and 2.2e-12 in double. */
            if (hour > 9 && e > prev * (1 + 1e4 * TL_EPS))
                rises++;
            prev = e;
        }
        ck_assert_msg(rises == 0, "%s: the wave energy rose %d times after the waves reached the "
                      "open sides", along_y ? "south/north" : "west/east", rises);
        ck_assert_msg(prev < 0.4 * e0, "%s: %g of the wave energy is left", along_y ? "y" : "x",
                      prev / e0);
        tl_sim_close(&s);
    }
}
END_TEST

/* A uniform current of 1 m of water, (0.3, -0.2) m/s, read from a file onto a square whose four
 * sides are open, stays uniform: the water outside each side is the initial condition's, its
 * current included. (While the outside was water at rest, the open sides stopped a current
 * within seconds: 0.5 m/s fell to 0 in 4 s across a 10 m channel.) The current is taken as
 * the edge's transport over its depth, so a deeper half of the edge counts for more. */
START_TEST(open_sides_keep_a_uniform_current)
{
    enum { N = 24 };
    const char *path = tl_temp_path("current.nc");
    int nc, dims[2], vx, vy, vh, vu, vv;
    ck_assert_int_eq(nc_create(path, NC_CLOBBER, &nc), NC_NOERR);
    ck_assert_int_eq(nc_def_dim(nc, "y", N, &dims[0]), NC_NOERR);
    ck_assert_int_eq(nc_def_dim(nc, "x", N, &dims[1]), NC_NOERR);
    ck_assert_int_eq(nc_def_var(nc, "x", NC_DOUBLE, 1, &dims[1], &vx), NC_NOERR);
    ck_assert_int_eq(nc_def_var(nc, "y", NC_DOUBLE, 1, &dims[0], &vy), NC_NOERR);
    ck_assert_int_eq(nc_def_var(nc, "h", NC_DOUBLE, 2, dims, &vh), NC_NOERR);
    ck_assert_int_eq(nc_def_var(nc, "u", NC_DOUBLE, 2, dims, &vu), NC_NOERR);
    ck_assert_int_eq(nc_def_var(nc, "v", NC_DOUBLE, 2, dims, &vv), NC_NOERR);
    ck_assert_int_eq(nc_enddef(nc), NC_NOERR);
    double c[N], h[N * N], u[N * N], v[N * N];
    for (int i = 0; i < N; i++)
        c[i] = (i + 0.5) * 10.0 / N;
    for (int k = 0; k < N * N; k++)
        h[k] = 1, u[k] = 0.3, v[k] = -0.2;
    ck_assert_int_eq(nc_put_var_double(nc, vx, c), NC_NOERR);
    ck_assert_int_eq(nc_put_var_double(nc, vy, c), NC_NOERR);
    ck_assert_int_eq(nc_put_var_double(nc, vh, h), NC_NOERR);
    ck_assert_int_eq(nc_put_var_double(nc, vu, u), NC_NOERR);
    ck_assert_int_eq(nc_put_var_double(nc, vv, v), NC_NOERR);
    ck_assert_int_eq(nc_close(nc), NC_NOERR);
    char text[1024];
    snprintf(text, sizeof text,
             "[case]\nsolver = swe\n[grid]\nnx = %d\nny = %d\nx_max = 10\ny_max = 10\n"
             "[time]\nt_end = 1e9\n[boundary]\nwest = open\neast = open\nsouth = open\n"
             "north = open\n[initial]\ntype = file\npath = %s\nb_var =\n",
             N, N, path);
    tl_sim s;
    tl_sim_open(&s, text, NULL, NULL);
    tl_sim_steps(&s, 300); /* about 9 s, in which a wave crosses the square three times */
    tl_sim_download(&s);
    double worst = 0;
    for (int j = 0; j < N; j++)
        for (int i = 0; i < N; i++) {
            const double d = tl_at(&s, SWE_H, i, j);
            worst = fmax(worst, fabs(d - 1));
            worst = fmax(worst, fabs(tl_at(&s, SWE_HU, i, j) / d - 0.3));
            worst = fmax(worst, fabs(tl_at(&s, SWE_HV, i, j) / d + 0.2));
        }
    ck_assert_msg(worst <= 16 * TL_EPS, "the current changed by %g after 300 steps", worst);
    tl_sim_close(&s);
}
END_TEST

/* The depth at which an inflow's discharge meets the outgoing characteristic: a root of
 * 2 sqrt(g h) - q/h - r_out to round-off, from any starting depth (the edge's). */
START_TEST(inflow_depth_carries_the_discharge)
{
    const double g = 9.81;
    const double qs[] = {1e-6, 0.18, 1.53, 4.42, 1e3};
    const double rs[] = {-30, -5, 0, 1, 8.86, 40};
    const double starts[] = {0, 1e-6, 0.5, 2, 1e4};
    for (size_t a = 0; a < sizeof qs / sizeof qs[0]; a++)
        for (size_t b = 0; b < sizeof rs / sizeof rs[0]; b++) {
            double first = NAN;
            for (size_t c = 0; c < sizeof starts / sizeof starts[0]; c++) {
                const fc_real q = (fc_real)qs[a], r = (fc_real)rs[b];
                const double h = swe_inflow_depth(q, r, (fc_real)g, (fc_real)starts[c]);
                /* F changes by F' dh: a relative change of h of a few epsilons moves F by
                 * (sqrt(g h) + q/h) times that. */
                const double F = 2 * sqrt(g * h) - q / h - r;
                const double scale = sqrt(g * h) + q / h;
                ck_assert_msg(h > 0 && fabs(F) <= 64 * TL_EPS * scale,
                              "q %g, r_out %g, from %g: h = %g leaves F = %g", qs[a], rs[b],
                              starts[c], h, F);
                if (c == 0)
                    first = h;
                ck_assert_msg(fabs(h - first) <= 64 * TL_EPS * first,
                              "q %g, r_out %g: h = %.17g from %g, %.17g from 0", qs[a], rs[b],
                              h, starts[c], first);
            }
        }
    /* No discharge: the depth at rest with that invariant (none below a dry edge's). */
    ck_assert_double_eq_tol(swe_inflow_depth(0, (fc_real)(2 * sqrt(9.81 * 2.0)), (fc_real)9.81, 1),
                            2, 8 * TL_EPS);
    ck_assert(swe_inflow_depth(0, -1, (fc_real)9.81, 1) == 0);
}
END_TEST

/* The exact steady flows over the bump (validation/channel_bump.c): the depth carries Bernoulli's
 * head to round-off on the chosen side of critical, and the jump stands where the two depths
 * carry the same momentum flux, at 11.6655 m as SWASHES (Delestre et al. 2013, 3.1.3) has it. */
START_TEST(bump_flow_exact_solutions_keep_head_and_momentum)
{
    const double g = 9.81;
    static const struct {
        int kind;
        double q, h_out;
    } flows[] = {{FC_BUMP_SUBCRITICAL, 4.42, 2}, {FC_BUMP_TRANSCRITICAL, 1.53, 0.66},
                 {FC_BUMP_SHOCK, 0.18, 0.33}, {FC_BUMP_SUPERCRITICAL, 25.0567, 2}};
    for (int f = 0; f < 4; f++) {
        fc_bump_flow e;
        ck_assert_int_eq(fc_bump_flow_init(&e, flows[f].kind, g, flows[f].q, flows[f].h_out), 0);
        const double q = flows[f].q, hc = cbrt(q * q / g);
        for (int k = 0; k <= 250; k++) {
            const double x = 0.1 * k, b = fc_bump_bottom(x), h = fc_bump_depth(&e, x);
            const double head = x < e.x_shock ? e.head : e.head_down;
            const int super = x > e.x_top && x < e.x_shock;
            ck_assert_msg(fabs(q * q / (2 * g * h * h) + h + b - head) <= 1e-13,
                          "flow %d at x = %g: head %.17g, not %.17g", f, x,
                          q * q / (2 * g * h * h) + h + b, head);
            ck_assert_msg(super ? h <= hc : h >= hc, "flow %d at x = %g: h %g against h_c %g", f,
                          x, h, hc);
        }
        if (flows[f].kind == FC_BUMP_SUBCRITICAL || flows[f].kind == FC_BUMP_SUPERCRITICAL)
            ck_assert_double_eq_tol(fc_bump_depth(&e, flows[f].kind == FC_BUMP_SUBCRITICAL ? 25 : 0),
                                    2, 1e-14);
    }
    fc_bump_flow e;
    fc_bump_flow_init(&e, FC_BUMP_SHOCK, g, 0.18, 0.33);
    ck_assert_double_eq_tol(e.x_shock, 11.6655, 2e-4);
    const double h1 = fc_bump_depth(&e, e.x_shock - 1e-9), h2 = fc_bump_depth(&e, e.x_shock);
    ck_assert_double_eq_tol(0.18 * 0.18 / h1 + g * h1 * h1 / 2, 0.18 * 0.18 / h2 + g * h2 * h2 / 2,
                            1e-6);
    ck_assert(h2 > h1 + 0.1);
    /* No jump fits where the water downstream is too deep (the flow stays subcritical) or too
     * shallow (it stays supercritical). */
    ck_assert_int_eq(fc_bump_flow_init(&e, FC_BUMP_SHOCK, g, 0.18, 0.6), -1);
    ck_assert_int_eq(fc_bump_flow_init(&e, FC_BUMP_SHOCK, g, 0.18, 0.2), -1);
    /* No supercritical flow from a subcritical inflow depth (h_c = 4 m here), nor from one
     * whose head cannot carry it over the top (it would choke: 3.5 m, a head of 6.11 m). */
    ck_assert_int_eq(fc_bump_flow_init(&e, FC_BUMP_SUPERCRITICAL, g, 25.0567, 5), -1);
    ck_assert_int_eq(fc_bump_flow_init(&e, FC_BUMP_SUPERCRITICAL, g, 25.0567, 3.5), -1);
}
END_TEST

/* Goutal & Maurel's bump: a discharge through an inflow side, an open side toward the given
 * downstream water, to the exact steady flow (validate's rows on finer grids). */
START_TEST(flow_over_a_bump_reaches_the_exact_steady_state)
{
    double l1, q_err, jump;
    fc_err err;
    ck_assert_msg(fc_val_channel_bump(100, FC_BUMP_SUBCRITICAL, &l1, &q_err, &jump, NULL, NULL,
                                      &err) == FC_OK,
                  "%s", err.msg);
    printf("subcritical bump, 100 cells: mean |h - exact| %.2e m, largest |hu - q| / q %.1e\n",
           l1, q_err);
    ck_assert_msg(l1 < 5e-4 && q_err < 5e-3, "subcritical: %g m, %g", l1, q_err);
    ck_assert_msg(fc_val_channel_bump(100, FC_BUMP_TRANSCRITICAL, &l1, &q_err, &jump, NULL,
                                      NULL, &err) == FC_OK,
                  "%s", err.msg);
    printf("transcritical bump, 100 cells: mean |h - exact| %.2e m, largest |hu - q| / q %.1e\n",
           l1, q_err);
    ck_assert_msg(l1 < 1.5e-3 && q_err < 2e-2, "transcritical: %g m, %g", l1, q_err);
    /* With a jump: it stands where a steady jump's momentum balance puts it, within a cell. */
    fc_bump_flow exact;
    ck_assert_int_eq(fc_bump_flow_init(&exact, FC_BUMP_SHOCK, 9.81, 0.18, 0.33), 0);
    ck_assert_msg(fc_val_channel_bump(100, FC_BUMP_SHOCK, &l1, &q_err, &jump, NULL, NULL,
                                      &err) == FC_OK,
                  "%s", err.msg);
    printf("bump with a jump, 100 cells: mean |h - exact| %.2e m, the jump at %.3f m (exact "
           "%.4f)\n", l1, jump, exact.x_shock);
    ck_assert_msg(l1 < 2e-3 && fabs(jump - exact.x_shock) <= 0.25, "jump: %g m, at %g", l1, jump);
    /* Supercritical throughout: the inflow holds its depth with its discharge. */
    ck_assert_msg(fc_val_channel_bump(100, FC_BUMP_SUPERCRITICAL, &l1, &q_err, &jump, NULL,
                                      NULL, &err) == FC_OK,
                  "%s", err.msg);
    printf("supercritical bump, 100 cells: mean |h - exact| %.2e m, largest |hu - q| / q %.1e\n",
           l1, q_err);
    ck_assert_msg(l1 < 8e-4 && q_err < 6e-3, "supercritical: %g m, %g", l1, q_err);
}
END_TEST

/* The same channel with its inflow on each side: west to east in one row, then east to west,
 * south to north and north to south in one column, and west to east four rows wide between
 * walls (cells of the same size, so the same steps). Every row (column) of each is the
 * first's, mirrored where the flow runs the other way, to round-off, and the flow runs along it,
 * downstream: the sides' orientations are right. */
START_TEST(inflow_on_any_side_gives_the_same_channel)
{
    enum { N = 100 };
    static const struct {
        const char *grid, *in, *out, *bump;
        int along_y, reversed, width;
    } runs[] = {
        {"nx = 100\nny = 1\nx_max = 25\ny_max = 1", "west", "east",
         "parabolic\ncenter_x = 10\ncenter_y = 0.5", 0, 0, 1},
        {"nx = 100\nny = 1\nx_max = 25\ny_max = 1", "east", "west",
         "parabolic\ncenter_x = 15\ncenter_y = 0.5", 0, 1, 1},
        {"nx = 1\nny = 100\nx_max = 1\ny_max = 25", "south", "north",
         "parabolic\ncenter_x = 0.5\ncenter_y = 10", 1, 0, 1},
        {"nx = 1\nny = 100\nx_max = 1\ny_max = 25", "north", "south",
         "parabolic\ncenter_x = 0.5\ncenter_y = 15", 1, 1, 1},
        {"nx = 100\nny = 4\nx_max = 25\ny_max = 4", "west", "east",
         "parabolic_ridge\ncenter_x = 10", 0, 0, 4},
    };
    double first[N];
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        char text[1024];
        /* A round parabolic bump centred on the one row (column) is the channel's ridge. */
        snprintf(text, sizeof text,
                 "[case]\nsolver = swe\n[grid]\n%s\n[time]\nt_end = 30\n[boundary]\n"
                 "%s = inflow\n%s = open\ninflow_discharge = 1.53\noutside_water = given\n"
                 "outside_level = 0.66\noutside_current = 2.318\n[initial]\n"
                 "type = lake_at_rest\nsurface = 0.66\nbump_height = 0.2\nbump_radius = 2\n"
                 "bump_shape = %s\n",
                 runs[r].grid, runs[r].in, runs[r].out, runs[r].bump);
        tl_sim s;
        tl_sim_open(&s, text, NULL, NULL);
        tl_sim_run_to(&s, 30);
        tl_sim_download(&s);
        double worst = 0, cross = 0;
        for (int w = 0; w < runs[r].width; w++)
            for (int k = 0; k < N; k++) {
                const int m = runs[r].reversed ? N - 1 - k : k;
                const int i = runs[r].along_y ? 0 : m, j = runs[r].along_y ? m : w;
                const double h = tl_at(&s, SWE_H, i, j);
                const double along = tl_at(&s, runs[r].along_y ? SWE_HV : SWE_HU, i, j);
                if (r == 0)
                    first[k] = h;
                else
                    worst = fmax(worst, fabs(h - first[k]));
                cross = fmax(cross, fabs(tl_at(&s, runs[r].along_y ? SWE_HU : SWE_HV, i, j)));
                ck_assert_msg((runs[r].reversed ? -along : along) > 0,
                              "inflow %s: the flow at cell %d of the channel runs upstream",
                              runs[r].in, k);
            }
        tl_sim_close(&s);
        printf("inflow %s, %d wide: %.1e m from the first run\n", runs[r].in, runs[r].width,
               worst);
        ck_assert_msg(worst <= 1e3 * TL_EPS, "inflow %s, %d wide: %g m from the first run",
                      runs[r].in, runs[r].width, worst);
        ck_assert_msg(cross == 0, "inflow %s: a current %g across the channel", runs[r].in, cross);
    }
}
END_TEST

/* A discharge into a dry channel: the inflow's state is supercritical, every wave leaves the
 * side inward, so exactly q enters each second; the channel's volume is q t to round-off until
 * the front reaches the open far end (at about 15 s). */
START_TEST(inflow_fills_a_dry_channel_at_its_discharge)
{
    tl_sim s;
    tl_sim_open(&s,
                "[case]\nsolver = swe\n[grid]\nnx = 200\nny = 1\nx_max = 100\ny_max = 1\n"
                "[time]\nt_end = 10\n[boundary]\nwest = inflow\neast = open\n"
                "inflow_discharge = 1\n[initial]\ntype = lake_at_rest\nsurface = 0\n"
                "bump_height = 0\nbump_radius = 2\ncenter_x = 10\ncenter_y = 0.5\n",
                NULL, NULL);
    for (int t = 5; t <= 10; t += 5) {
        tl_sim_run_to(&s, t);
        tl_sim_download(&s);
        double volume = 0, front = 0;
        for (int i = 0; i < s.grid.nx; i++) {
            volume += tl_at(&s, SWE_H, i, 0) * s.grid.dx; /* a metre wide */
            if (tl_at(&s, SWE_H, i, 0) > 0)
                front = fc_grid_x(&s.grid, i);
        }
        printf("dry channel at t = %d s: volume %.17g m3 (q t = %d), front at %g m\n", t, volume,
               t, front);
        ck_assert_msg(fabs(volume - t) <= 1e3 * TL_EPS * t, "t = %d s: %.17g m3 in the channel",
                      t, volume);
        ck_assert_msg(front > 6.0 * t && front < 99, "t = %d s: the front at %g m", t, front);
    }
    tl_sim_close(&s);
}
END_TEST

/* A steady flow ends the run ([time] steady_tol): each step reports the largest change of h, hu
 * or hv over it per second, exactly as the states before and after it give it, and the
 * subcritical flow over the bump under minmod's limiter settles and stops before t_end with
 * its discharge everywhere (under MC and van Leer the cells at the bump's ends, where the
 * bottom's slope jumps, keep swinging by about 1e-3 of q, and a run goes on to t_end). */
START_TEST(a_steady_flow_ends_the_run)
{
    tl_sim s;
    tl_sim_open(&s,
                "[case]\nsolver = swe\n[grid]\nnx = 100\nny = 1\nx_max = 25\ny_max = 1\n"
                "[time]\nt_end = 400\n[numerics]\nlimiter = minmod\n[boundary]\nwest = inflow\n"
                "east = open\ninflow_discharge = 4.42\noutside_water = given\noutside_level = 2\n"
                "outside_current = 2.21\n[initial]\ntype = lake_at_rest\nsurface = 2\n"
                "bump_height = 0.2\nbump_radius = 2\nbump_shape = parabolic_ridge\ncenter_x = 10\n",
                NULL, NULL);
    const int n = s.grid.nx;
    double before[3][100];
    for (int step = 0; step < 3; step++) {
        tl_sim_steps(&s, 40);
        tl_sim_download(&s);
        for (int f = 0; f < 3; f++)
            for (int i = 0; i < n; i++)
                before[f][i] = tl_at(&s, f, i, 0);
        double dt = fc_cfg_real(&s.cfg, "time", "cfl") / s.rate;
        fc_err err;
        ck_assert_msg(fc_sim_step(&s, &dt, &err) == FC_OK, "%s", err.msg);
        tl_sim_download(&s);
        double largest = 0;
        for (int f = 0; f < 3; f++)
            for (int i = 0; i < n; i++)
                largest = fmax(largest, fabs(tl_at(&s, f, i, 0) - before[f][i]));
        /* the step's dt as the stages take it, in the state's precision */
        ck_assert_msg(s.last.change == largest / (fc_real)dt && largest > 0,
                      "step %lld: change %.17g per second reported, %.17g measured", s.steps,
                      s.last.change, largest / (fc_real)dt);
    }
    fc_err err;
    ck_assert_msg(fc_sim_run_to(&s, 400, 1e-9, &err) == FC_OK, "%s", err.msg);
    tl_sim_download(&s);
    double q_err = 0;
    for (int i = 0; i < n; i++)
        q_err = fmax(q_err, fabs(tl_at(&s, SWE_HU, i, 0) - 4.42) / 4.42);
    printf("subcritical bump under minmod, 100 cells: steady (%.3g per second) at t = %.1f s, "
           "largest |hu - q| / q %.1e\n", s.last.change, s.t, q_err);
    ck_assert_msg(s.t < 200 && s.last.change < 1e-9 && q_err < 5e-3,
                  "t = %g s, change %g per second, |hu - q| / q %g", s.t, s.last.change, q_err);
    tl_sim_close(&s);
}
END_TEST

START_TEST(open_sides_restart_bit_for_bit)
{
    /* The outside level comes from the initial condition, on restart too. */
    const char *ini = tl_temp_file("open.ini", open_channel(0));
    const char *full = tl_temp_path("ofull.nc"), *half = tl_temp_path("ohalf.nc"),
               *cont = tl_temp_path("ocont.nc");
    tl_restart_runs(ini, 43200, 86400, 21600, 1, full, half, cont);
    double t1, t2;
    double *a = tl_read_last(full, "h", 200 * 4, &t1), *b = tl_read_last(cont, "h", 200 * 4, &t2);
    ck_assert(t1 == 86400 && t2 == 86400);
    for (int c = 0; c < 200 * 4; c++)
        ck_assert_msg(a[c] == b[c], "h differs at %d: %.17g vs %.17g", c, a[c], b[c]);
    free(a);
    free(b);
}
END_TEST

Suite *swe_suite(void)
{
    Suite *s = suite_create("swe");
    TCase *wb = tcase_create("well-balanced");
    tcase_add_test(wb, lake_at_rest_immersed_bump);
    tcase_add_test(wb, lake_at_rest_emerged_island);
    tcase_add_test(wb, lake_at_rest_island_across_open_sides);
    tcase_add_test(wb, lake_at_rest_every_flux_limiter_and_scheme);
    tcase_add_test(wb, every_limiter_is_tvd_symmetric_odd_and_exact_on_lines);
    tcase_set_timeout(wb, 120);
    suite_add_tcase(s, wb);
    TCase *cons = tcase_create("conservation");
    tcase_add_test(cons, mass_closed_basin);
    tcase_add_test(cons, mass_periodic_domain);
    tcase_add_test(cons, radial_dambreak_symmetric_and_conservative);
    tcase_add_test(cons, radial_dambreak_walls_equal_open_sides_to_t1);
    tcase_add_test(cons, mass_with_drying);
    tcase_set_timeout(cons, 120);
    suite_add_tcase(s, cons);
    TCase *exact = tcase_create("exact solutions");
    tcase_add_test(exact, stoker_middle_state_matches_reference);
    tcase_add_test(exact, wet_dambreak_converges_to_stoker);
    tcase_add_test(exact, dry_dambreak_converges_to_ritter);
    tcase_add_test(exact, balanced_vortex_steady_second_order);
    tcase_add_test(exact, balanced_zonal_jet_steady_second_order);
    tcase_add_test(exact, paraboloid_solves_the_shallow_water_equations);
    tcase_add_test(exact, standing_wave_solves_the_linear_equations);
    tcase_add_test(exact, standing_waves_converge_at_second_order);
    tcase_add_test(exact, kelvin_wave_solves_the_linear_equations);
    tcase_add_test(exact, kelvin_waves_converge_at_second_order);
    tcase_add_test(exact, adjustment_steady_state_is_balanced_and_keeps_pv_and_mass);
    tcase_add_test(exact, geostrophic_adjustment_reaches_the_nonlinear_steady_state);
    tcase_add_test(exact, bump_flow_exact_solutions_keep_head_and_momentum);
    tcase_add_test(exact, flow_over_a_bump_reaches_the_exact_steady_state);
    tcase_add_test(exact, a_steady_flow_ends_the_run);
    tcase_set_timeout(exact, 300);
    suite_add_tcase(s, exact);
    TCase *run = tcase_create("run");
    tcase_add_loop_test(run, fused_stage_matches_cpu_sweep, 0,
                        (int)(sizeof island_schemes / sizeof island_schemes[0]));
    tcase_add_test(run, fast_shores_keep_depth_positive);
    tcase_add_test(run, bad_state_is_reported_and_not_kept);
    tcase_add_test(run, steps_before_a_record_are_never_slivers);
    tcase_add_test(run, bad_cell_is_classified_nan_first);
    tcase_add_test(run, restart_is_bit_for_bit);
    tcase_add_test(run, open_sides_let_waves_out);
    tcase_add_test(run, open_sides_restart_bit_for_bit);
    tcase_add_test(run, open_sides_keep_a_uniform_current);
    tcase_add_test(run, inflow_depth_carries_the_discharge);
    tcase_add_test(run, inflow_on_any_side_gives_the_same_channel);
    tcase_add_test(run, inflow_fills_a_dry_channel_at_its_discharge);
    tcase_add_test(run, restart_rejects_other_grid_and_bad_files);
    tcase_add_test(run, regrid_keeps_a_lake_at_rest_to_the_shore);
    tcase_add_test(run, restart_takes_the_bottom_from_the_case);
    tcase_add_test(run, file_state_interpolated_keeps_a_lake_at_rest_to_the_shore);
    tcase_set_timeout(run, 120);
    suite_add_tcase(s, run);
    return s;
}
