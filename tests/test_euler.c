/*
 * test_euler.c: physics of the compressible Euler solver on the CPU: atmospheres at rest stay at
 * rest to the last bit (every background, with and without a sponge, still or in a uniform
 * wind), mass and rho theta are
 * conserved to round-off in a closed box and on one row, a symmetric bubble stays symmetric, the fused stage
 * (the GPU's form) gives the CPU sweep's bits, thread counts do not change a bit, restart is
 * bit for bit, the output names the vertical axis, an initial state read from a file sits at
 * unchanged pressure, and bad cases are refused; the pressure's
 * vectorised power agrees with glibc's pow within 2 ulp and gives the same bits in and out of a
 * vector loop.
 */
#include <fc_build.h>

#include <float.h>
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "solvers/euler/euler.h"
#include "solvers/registry.h"
#include "src/core/run.h"
#include "tests/suites.h"
#include "tests/testlib.h"
#include "validation/gravity_waves.h"
#include "validation/validate.h"

#define BOX                                                                                      \
    "[case]\nsolver = euler\n[grid]\nnx = 40\nny = 24\nx_min = -10000\nx_max = 10000\n"          \
    "y_max = 8000\n[time]\nt_end = 1e9\ncfl = 0.9\n"

#define BUBBLE                                                                                   \
    "[initial]\ntype = bubble\namplitude = 2\ncenter_x = 0\ncenter_z = 2500\nradius_x = 2500\n"  \
    "radius_z = 2000\n"

/* In a uniform wind rho u = rho_b(z) U: the hyperviscosity must leave that alone (it sheared
 * the wind from the ground and the top by 0.4 of 15 m/s in 1000 s when it acted on rho u). */
START_TEST(rest_stays_at_rest_exactly)
{
    static const char *const backgrounds[] = {"background=neutral", "background=stable",
                                              "background=isothermal"};
    for (int b = 0; b < 3; b++)
        for (int sponge = 0; sponge < 2; sponge++)
            for (int wind = 0; wind <= 15; wind += 15) {
                char set_bg[64], set_sp[64], set_wind[64];
                snprintf(set_bg, sizeof set_bg, "physics.%s", backgrounds[b]);
                snprintf(set_sp, sizeof set_sp, "physics.sponge_depth=%d", sponge ? 3000 : 0);
                snprintf(set_wind, sizeof set_wind, "physics.wind=%d", wind);
                const char *const sets[] = {set_bg, set_sp, set_wind, "boundary.west=periodic",
                                            "boundary.east=periodic", NULL};
                tl_sim s;
                tl_sim_open(&s, BOX "[initial]\ntype = rest\n", sets, NULL);
                tl_sim_download(&s);
                const int nx = s.grid.nx, ny = s.grid.ny;
                double *rhou = malloc(sizeof *rhou * (size_t)nx * (size_t)ny);
                ck_assert_ptr_nonnull(rhou);
                for (int j = 0; j < ny; j++)
                    for (int i = 0; i < nx; i++)
                        rhou[j * nx + i] = tl_at(&s, EULER_RHOU, i, j);
                tl_sim_steps(&s, 300);
                tl_sim_download(&s);
                for (int f = 0; f < EULER_NFIELDS; f++)
                    for (int j = 0; j < ny; j++)
                        for (int i = 0; i < nx; i++) {
                            const double want = f == EULER_RHOU ? rhou[j * nx + i] : 0;
                            ck_assert_msg(tl_at(&s, f, i, j) == want,
                                          "%s, sponge %d, wind %d: %s = %.17g at (%d, %d), not "
                                          "%.17g",
                                          backgrounds[b], sponge, wind,
                                          euler_solver.io.field_names[f],
                                          (double)tl_at(&s, f, i, j), i, j, want);
                        }
                if (wind)
                    ck_assert(rhou[0] > rhou[(ny - 1) * nx]); /* rho_b U falls with height */
                free(rhou);
                tl_sim_close(&s);
            }
}
END_TEST

/* The sums of rho' and (rho theta)' over the box. */
static void sums(const tl_sim *s, double *mass, double *heat)
{
    *mass = *heat = 0;
    for (int j = 0; j < s->grid.ny; j++)
        for (int i = 0; i < s->grid.nx; i++) {
            *mass += tl_at(s, EULER_RHO, i, j);
            *heat += tl_at(s, EULER_RHOT, i, j);
        }
}

START_TEST(closed_box_conserves_mass_and_rho_theta)
{
    /* Walls all round, viscosity and diffusivity: nothing crosses a wall. */
    const char *const sets[] = {"physics.viscosity=50", "physics.diffusivity=50",
                                "physics.background=stable", NULL};
    tl_sim s;
    tl_sim_open(&s, BOX BUBBLE, sets, NULL);
    tl_sim_download(&s);
    euler_column col;
    fc_err err;
    ck_assert_int_eq(euler_column_make(s.params, &col, &err), FC_OK);
    double total = 0, m0, h0, m1, h1;
    for (int j = 0; j < s.grid.ny; j++)
        total += col.rho[j] * s.grid.nx;
    sums(&s, &m0, &h0);
    tl_sim_steps(&s, 400);
    tl_sim_download(&s);
    sums(&s, &m1, &h1);
    /* Relative to the total mass and rho theta in the box. */
    ck_assert_msg(fabs(m1 - m0) / total < 50 * TL_EPS, "mass changed by %g of %g", m1 - m0, total);
    ck_assert_msg(fabs(h1 - h0) / (total * 300) < 50 * TL_EPS, "rho theta changed by %g",
                  h1 - h0);
    double w = 0;
    for (int j = 0; j < s.grid.ny; j++)
        for (int i = 0; i < s.grid.nx; i++)
            w = fmax(w, fabs(tl_at(&s, EULER_RHOW, i, j)));
    ck_assert_msg(w > 1e-3, "the bubble does not move (max rho w %g)", w);
    euler_column_free(&col);
    tl_sim_close(&s);
}
END_TEST

/* An atmosphere two rows high, the fewest a case may have (one row was refused after its
 * buoyancy went unopposed): each halo row mirrors a row inside, its background with it (a
 * halo's background read past the column's arrays once made NaN at the first step on one
 * row). A wave in a wind stays finite, and mass and rho theta stay conserved to round-off
 * between the walls. */
START_TEST(two_row_atmosphere_is_sound)
{
    const char *const sets[] = {"grid.ny=2", "physics.background=isothermal",
                                "physics.temperature=250", "physics.wind=20",
                                "boundary.west=periodic", "boundary.east=periodic", NULL};
    tl_sim s;
    tl_sim_open(&s, BOX "[initial]\ntype = gravity_wave\nhalf_width = 2000\n", sets, NULL);
    tl_sim_download(&s);
    double m0, h0, m1, h1;
    sums(&s, &m0, &h0);
    tl_sim_steps(&s, 200);
    tl_sim_download(&s);
    sums(&s, &m1, &h1);
    euler_column col;
    fc_err err;
    ck_assert_int_eq(euler_column_make(s.params, &col, &err), FC_OK);
    const double total = (col.rho[0] + col.rho[1]) * s.grid.nx;
    for (int f = 0; f < EULER_NFIELDS; f++)
        for (int j = 0; j < 2; j++)
            for (int i = 0; i < s.grid.nx; i++)
                ck_assert_msg(isfinite(tl_at(&s, f, i, j)), "%s at (%d, %d): %g",
                              euler_solver.io.field_names[f], i, j, (double)tl_at(&s, f, i, j));
    ck_assert_msg(fabs(m1 - m0) / total < 50 * TL_EPS, "mass changed by %g of %g", m1 - m0, total);
    ck_assert_msg(fabs(h1 - h0) / (total * 300) < 50 * TL_EPS, "rho theta changed by %g",
                  h1 - h0);
    euler_column_free(&col);
    tl_sim_close(&s);
}
END_TEST

START_TEST(bubble_rises_and_stays_symmetric)
{
    double dm, asym;
    fc_err err;
    ck_assert_msg(fc_val_euler_bubble(60, 300, &dm, &asym, &err) == FC_OK, "%s", err.msg);
    printf("thermal bubble, 60 x 30 to t = 300 s: mass change %.2e, asymmetry %.2e\n", dm, asym);
    ck_assert_msg(dm < 500 * TL_EPS, "mass changed by %g", dm);
    ck_assert_msg(asym < 1e5 * TL_EPS, "asymmetry %g", asym);
    /* A warm bubble rises: w > 0 on its axis, above its centre. */
    tl_sim s;
    tl_sim_open(&s, BOX BUBBLE, NULL, NULL);
    tl_sim_run_to(&s, 200);
    tl_sim_download(&s);
    ck_assert(tl_at(&s, EULER_RHOW, s.grid.nx / 2, 8) > 0);
    tl_sim_close(&s);
}
END_TEST

/* Rows [j0, j1) of the whole grid's fields (halos included) into a block's arrays. */
static fc_real *block_copy(const fc_grid *g, const fc_real *f, const fc_grid *b)
{
    fc_real *out = fc_grid_alloc(b);
    ck_assert_ptr_nonnull(out);
    const int dj = b->j0 - g->j0;
    for (int j = -g->ng; j < b->ny + g->ng; j++)
        for (int i = -g->ng; i < b->nx + g->ng; i++)
            out[fc_idx(b->pitch, g->ng, i, j)] = f[fc_idx(g->pitch, g->ng, i, j + dj)];
    return out;
}

/* The GPU's fused stage (euler_stage_cell) on the lower and upper halves of the grid as two
 * blocks, their halos holding the other's rows (what the exchange gives them), must give the
 * whole grid's bits `want`: the ground and the top are walls, the face between the blocks is
 * not. */
static void fused_stage_on_blocks(const euler_params *p, const fc_real *const *U,
                                  const fc_real *const *U0, const fc_real *const *want,
                                  fc_real a, double dt)
{
    const fc_grid *g = &p->grid;
    const int half = g->ny / 2;
    for (int upper = 0; upper < 2; upper++) {
        const int bc[4] = {g->bc[FC_WEST], g->bc[FC_EAST], upper ? FC_BC_RANK : g->bc[FC_SOUTH],
                           upper ? g->bc[FC_NORTH] : FC_BC_RANK};
        euler_params pb = *p;
        fc_grid_block(g, 0, g->nx, upper ? half : 0, upper ? g->ny : half, bc, NULL, &pb.grid);
        const fc_grid *b = &pb.grid;
        euler_column col;
        fc_err err;
        ck_assert_int_eq(euler_column_make(&pb, &col, &err), FC_OK);
        fc_real *ub[EULER_SLOTS], *u0b[EULER_NFIELDS];
        for (int f = 0; f < EULER_SLOTS; f++)
            ub[f] = block_copy(g, U[f], b);
        for (int f = 0; f < EULER_NFIELDS; f++)
            u0b[f] = block_copy(g, U0[f], b);
        for (int j = 0; j < b->ny; j++)
            for (int i = 0; i < b->nx; i++) {
                fc_real v[EULER_NFIELDS];
                euler_stage_cell((const fc_real *const *)ub, (const fc_real *const *)u0b, &col,
                                 &pb, a, (fc_real)dt, i, j, v);
                const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, b->j0 - g->j0 + j);
                for (int f = 0; f < EULER_NFIELDS; f++)
                    ck_assert_msg(v[f] == want[f][k], "%s block, %s at (%d, %d): %.17g, whole "
                                  "grid %.17g", upper ? "upper" : "lower",
                                  euler_solver.io.field_names[f], i, j, (double)v[f],
                                  (double)want[f][k]);
            }
        for (int f = 0; f < EULER_SLOTS; f++)
            free(ub[f]);
        for (int f = 0; f < EULER_NFIELDS; f++)
            free(u0b[f]);
        euler_column_free(&col);
    }
}

START_TEST(fused_stage_matches_cpu_sweep)
{
    const char *const sets[] = {"physics.viscosity=30", "physics.diffusivity=40",
                                "physics.sponge_depth=3000", "physics.wind=5",
                                "boundary.west=periodic", "boundary.east=periodic", NULL};
    tl_sim s;
    tl_sim_open(&s, BOX BUBBLE, sets, NULL);
    const fc_grid *g = &s.grid;
    const euler_params *p = s.params;
    euler_column col;
    fc_err err;
    ck_assert_int_eq(euler_column_make(p, &col, &err), FC_OK);
    fc_real *sets3[3][EULER_NFIELDS];
    for (int k = 0; k < 3; k++)
        for (int f = 0; f < EULER_NFIELDS; f++)
            sets3[k][f] = fc_grid_alloc(g);
    for (int f = 0; f < EULER_NFIELDS; f++)
        memcpy(sets3[0][f], s.host.f[f], g->nalloc * sizeof(fc_real));
    fc_real *P = fc_grid_alloc(g);
    for (int step = 0; step < 20; step++) {
        const double dt = fc_cfg_real(&s.cfg, "time", "cfl") / s.rate;
        int in = 0, out = 1;
        for (int st = 0; st < 3; st++) {
            out = st % 2 == 0 ? 1 : 2;
            for (int f = 0; f < EULER_NFIELDS; f++)
                fc_grid_fill_halo(g, sets3[in][f], euler_field_odd_x(f), euler_field_odd_y(f));
            euler_pressure_field((const fc_real *const *)sets3[in], &col, p, P);
            const fc_real *U[EULER_SLOTS] = {sets3[in][0], sets3[in][1], sets3[in][2],
                                             sets3[in][3], P};
            for (int j = 0; j < g->ny; j++)
                for (int i = 0; i < g->nx; i++) {
                    fc_real v[EULER_NFIELDS];
                    euler_stage_cell(U, (const fc_real *const *)sets3[0], &col, p,
                                     euler_stage_a(st), (fc_real)dt, i, j, v);
                    for (int f = 0; f < EULER_NFIELDS; f++)
                        sets3[out][f][fc_idx(g->pitch, g->ng, i, j)] = v[f];
                }
            fused_stage_on_blocks(p, U, (const fc_real *const *)sets3[0],
                                  (const fc_real *const *)sets3[out], euler_stage_a(st), dt);
            in = out;
        }
        for (int f = 0; f < EULER_NFIELDS; f++)
            memcpy(sets3[0][f], sets3[out][f], g->nalloc * sizeof(fc_real));
        tl_sim_steps(&s, 1);
        tl_sim_download(&s);
        for (int f = 0; f < EULER_NFIELDS; f++)
            for (int j = 0; j < g->ny; j++)
                for (int i = 0; i < g->nx; i++) {
                    const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
                    ck_assert_msg(sets3[0][f][k] == s.host.f[f][k],
                                  "step %d, %s at (%d, %d): fused %.17g, sweep %.17g", step,
                                  euler_solver.io.field_names[f], i, j, (double)sets3[0][f][k],
                                  (double)s.host.f[f][k]);
                }
    }
    for (int k = 0; k < 3; k++)
        for (int f = 0; f < EULER_NFIELDS; f++)
            free(sets3[k][f]);
    free(P);
    euler_column_free(&col);
    tl_sim_close(&s);
}
END_TEST

START_TEST(thread_count_changes_no_bit)
{
#ifdef _OPENMP
    tl_sim a, b;
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    tl_sim_open(&a, BOX BUBBLE, NULL, NULL);
    omp_set_num_threads(3);
    tl_sim_open(&b, BOX BUBBLE, NULL, NULL);
    tl_sim_steps(&a, 50);
    tl_sim_steps(&b, 50);
    omp_set_num_threads(saved);
    tl_sim_download(&a);
    tl_sim_download(&b);
    for (int f = 0; f < EULER_NFIELDS; f++)
        for (size_t k = 0; k < a.grid.nalloc; k++)
            ck_assert(a.host.f[f][k] == b.host.f[f][k]);
    ck_assert(a.t == b.t);
    tl_sim_close(&a);
    tl_sim_close(&b);
#endif
}
END_TEST

START_TEST(restart_is_bit_for_bit_and_output_has_z)
{
    const char *ini = tl_temp_file("bubble.ini", BOX BUBBLE "[output]\ninterval = 100\n");
    const char *full = tl_temp_path("full.nc"), *half = tl_temp_path("half.nc"),
               *cont = tl_temp_path("cont.nc");
    tl_restart_runs(ini, 200, 400, 100, 1, full, half, cont);
    static const char *const vars[] = {"rho_prime", "rhou", "rhow", "rhotheta_prime"};
    for (int k = 0; k < 4; k++) {
        double t1, t2;
        double *a = tl_read_last(full, vars[k], 40 * 24, &t1);
        double *b = tl_read_last(cont, vars[k], 40 * 24, &t2);
        ck_assert(t1 == 400 && t2 == 400);
        for (int c = 0; c < 40 * 24; c++)
            ck_assert_msg(a[c] == b[c], "%s differs at %d: %.17g vs %.17g", vars[k], c, a[c], b[c]);
        free(a);
        free(b);
    }
    /* The second axis is height: z, axis Z, positive up. */
    int ncid, zid;
    ck_assert_int_eq(nc_open(full, NC_NOWRITE, &ncid), NC_NOERR);
    ck_assert_int_eq(nc_inq_varid(ncid, "z", &zid), NC_NOERR);
    char axis[8] = "", up[8] = "";
    ck_assert_int_eq(nc_get_att_text(ncid, zid, "axis", axis), NC_NOERR);
    ck_assert_int_eq(nc_get_att_text(ncid, zid, "positive", up), NC_NOERR);
    ck_assert(axis[0] == 'Z' && !strncmp(up, "up", 2));
    double z0;
    size_t zero = 0;
    ck_assert_int_eq(nc_get_var1_double(ncid, zid, &zero, &z0), NC_NOERR);
    ck_assert(fabs(z0 - 8000.0 / 24 / 2) < 1e-9);
    nc_close(ncid);

    /* The fields are perturbations of the case's background: a restart refuses a case that
     * changed it (naming the key and both values), and takes one that wrote it otherwise. */
    static const char *const changed[][2] = {{"physics.theta0=301", "theta0 = 300; the case has 301"},
                                             {"physics.background=stable", "background = neutral; the case has stable"},
                                             {"physics.g=9.8", "g = 9.81; the case has 9.8"}};
    for (int c = 0; c < 4; c++) {
        const char *set = c < 3 ? changed[c][0] : "physics.theta0=3e2";
        fc_config cfg;
        fc_err err;
        ck_assert_int_eq(fc_config_load(ini, &set, 1, fc_solvers(), &cfg, &err), FC_OK);
        const fc_sim_restart restart = {half, 0};
        tl_sim s;
        const int st = fc_sim_start(&s, &cfg, NULL, &restart, &err);
        if (c < 3) {
            ck_assert_int_eq(st, FC_EINPUT);
            ck_assert_msg(strstr(err.msg, changed[c][1]), "%s", err.msg);
        } else {
            ck_assert_msg(st == FC_OK, "%s", err.msg);
            tl_sim_close(&s);
        }
        fc_config_free(&cfg);
    }
}
END_TEST

/* The perturbation energy of a stable atmosphere (N = 0.01 s-1): kinetic, acoustic
 * p'^2 / (2 rho_b c_b^2) and available potential rho_b (g theta'/theta_b)^2 / (2 N^2). */
static double wave_energy(const tl_sim *s)
{
    const euler_params *p = s->params;
    euler_column col;
    fc_err err;
    ck_assert_int_eq(euler_column_make(p, &col, &err), FC_OK);
    double e = 0;
    for (int j = 0; j < s->grid.ny; j++) {
        const double rb = col.rho[j], cb2 = p->gamma * col.p[j] / rb;
        for (int i = 0; i < s->grid.nx; i++) {
            const double r = rb + tl_at(s, EULER_RHO, i, j);
            const double u = tl_at(s, EULER_RHOU, i, j) / r, w = tl_at(s, EULER_RHOW, i, j) / r;
            const double rt = col.rt[j] + tl_at(s, EULER_RHOT, i, j);
            const double pp = euler_pressure(p, (fc_real)rt) - col.p[j];
            const double tp = rt / r - col.theta[j], b = p->g * tp / col.theta[j];
            e += rb * (u * u + w * w) / 2 + pp * pp / (2 * rb * cb2) + rb * b * b / (2 * 1e-4);
        }
    }
    euler_column_free(&col);
    return e * s->grid.dx * s->grid.dy;
}

/* Gravity waves from a theta' pulse (Skamarock & Klemp 1994) in a 300 km slice with the given
 * sides: the wave energy left after 6000 s of that at the start; it must never rise. */
static double waves_left(const char *side, const char *sponge)
{
    char text[1024];
    snprintf(text, sizeof text,
             "[case]\nsolver = euler\n[grid]\nnx = 150\nny = 10\nx_min = -150000\n"
             "x_max = 150000\ny_max = 10000\n[boundary]\nwest = %s\neast = %s\n[time]\n"
             "t_end = 1e9\ncfl = 0.9\n[physics]\nbackground = stable\nbrunt_vaisala = 0.01\n"
             "sponge_width = %s\n[initial]\ntype = gravity_wave\namplitude = 0.01\n"
             "half_width = 5000\n",
             side, side, sponge);
    tl_sim s;
    tl_sim_open(&s, text, NULL, NULL);
    tl_sim_download(&s);
    const double e0 = wave_energy(&s);
    double prev = e0;
    for (int k = 1; k <= 20; k++) {
        tl_sim_run_to(&s, 300.0 * k);
        tl_sim_download(&s);
        const double e = wave_energy(&s);
        ck_assert_msg(e <= prev * (1 + 1e-9), "%s sides, sponge %s: the wave energy rose at t = %g s "
                      "(%.6g -> %.6g)", side, sponge, s.t, prev, e);
        prev = e;
    }
    tl_sim_close(&s);
    return prev / e0;
}

START_TEST(open_sides_let_waves_out)
{
    /* One thread: thousands of short steps, each three parallel regions, crawl on two threads
     * when other tests share the cores (the thread count changes no bit: see above). */
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
    const double closed = waves_left("wall", "0"), open = waves_left("open", "0");
    const double sponge = waves_left("open", "30000");
    printf("euler gravity waves, energy left after 6000 s: walls %.3g, open sides %.3g, open "
           "sides with 30 km sponges %.3g\n", closed, open, sponge);
    ck_assert_msg(open < 0.75 * closed, "open sides keep %g of the energy, walls %g", open, closed);
    ck_assert_msg(sponge < 0.1, "with sponges %g of the energy is left", sponge);
}
END_TEST

START_TEST(linear_gravity_wave_solution_starts_from_the_initial_field)
{
    /* The modal solution at t = 0 is the initial theta' (to its truncation, and the jump of the
     * profile's periodic extension at the channel's ends), and it moves with the wind. */
    const fc_gravity_waves w = {9.81, 250, 20, 0.01, 5000, 100000, 0, 300000, 10000};
    enum { NX = 60, NZ = 8 };
    double x[NX], z[NZ], out[NX * NZ];
    for (int i = 0; i < NX; i++)
        x[i] = (i + 0.5) * 300000.0 / NX;
    for (int j = 0; j < NZ; j++)
        z[j] = (j + 0.5) * 10000.0 / NZ;
    ck_assert_int_eq(fc_gravity_waves_theta(&w, x, NX, z, NZ, 0, out), 0);
    double e = 0;
    for (int j = 0; j < NZ; j++)
        for (int i = 0; i < NX; i++) {
            const double d = (x[i] - 100000) / 5000;
            e = fmax(e, fabs(out[j * NX + i] - 0.01 * sin(M_PI * z[j] / 10000) / (1 + d * d)));
        }
    ck_assert_msg(e < 5e-3 * 0.01, "theta' at t = 0 differs by %g", e);
    /* Later the pulse has spread into waves and drifted downstream: at t = 3000 s it no longer
     * peaks at 100 km. */
    ck_assert_int_eq(fc_gravity_waves_theta(&w, x, NX, z, NZ, 3000, out), 0);
    double at_start = fabs(out[(NZ / 2) * NX + 20]);
    ck_assert_msg(at_start < 0.005, "theta' at x = 100 km, t = 3000 s: %g", at_start);
}
END_TEST

START_TEST(nan_is_reported_with_its_cell_and_not_kept)
{
    tl_sim s;
    tl_sim_open(&s, BOX BUBBLE, NULL, NULL);
    tl_sim_download(&s);
    const ptrdiff_t k = fc_idx(s.grid.pitch, s.grid.ng, 5, 3);
    const fc_real before = s.host.f[EULER_RHOW][k];
    s.host.f[EULER_RHOW][k] = NAN;
    fc_err err;
    ck_assert_int_eq(s.ops->upload(s.state, &s.host, &err), FC_OK);
    int landed;
    ck_assert_int_eq(fc_sim_step_toward(&s, 1e9, &landed, &err), FC_ENUMERIC);
    ck_assert_msg(strstr(err.msg, "NaN at cell"), "%s", err.msg);
    ck_assert_int_eq(s.steps, 0);
    /* The state before the step is kept: the NaN is still where it was put, nowhere else. */
    tl_sim_download(&s);
    ck_assert(isnan(s.host.f[EULER_RHOW][k]));
    ck_assert(!isnan(before));
    tl_sim_close(&s);
}
END_TEST

/* The case file's problem, as fc_config_load reports it. */
static void refused(const char *text, const char *const *sets, const char *message)
{
    fc_config cfg;
    fc_err err;
    ck_assert_int_eq(fc_config_load(tl_temp_file("bad.ini", text), sets, sets ? 1 : 0,
                                    fc_solvers(), &cfg, &err),
                     FC_EINPUT);
    ck_assert_msg(strstr(err.msg, message), "expected '%s' in: %s", message, err.msg);
}

/* What a bad cell is called, the same on the CPU's vector loop and in the report: a NaN in any
 * field first, then a total density that is not positive. */
START_TEST(bad_cell_is_classified_nan_first)
{
    const fc_real nan = (fc_real)NAN, rho_b = 1.2;
    const struct {
        fc_real v[EULER_NFIELDS];
        int want;
    } c[] = {
        {{0.01, 3, -2, 0.5}, FC_STATE_OK},
        {{-1.1, 3, -2, 0.5}, FC_STATE_OK},
        {{-1.2, 3, -2, 0.5}, FC_STATE_NEGATIVE},
        {{-5, 3, nan, 0.5}, FC_STATE_NAN},
        {{nan, 3, -2, 0.5}, FC_STATE_NAN},
        {{0.01, nan, -2, 0.5}, FC_STATE_NAN},
        {{0.01, 3, -2, nan}, FC_STATE_NAN},
    };
    for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
        const fc_real *v = c[k].v;
        ck_assert_int_eq(euler_check_cell(v, rho_b), c[k].want);
        ck_assert_int_eq(euler_cell_ok(v[0], v[1], v[2], v[3], rho_b), c[k].want == FC_STATE_OK);
    }
}
END_TEST

START_TEST(bad_cases_are_refused)
{
    const char *const inflow_side[] = {"boundary.east=inflow"};
    refused(BOX BUBBLE, inflow_side, "periodic, wall or open");
    const char *const periodic_top[] = {"boundary.north=periodic"};
    refused(BOX BUBBLE, periodic_top, "the ground and the top of the euler solver are walls");
    const char *const outside[] = {"initial.center_x=20000"};
    refused(BOX BUBBLE, outside, "is outside the domain");
    const char *const too_high[] = {"grid.y_max=40000"};
    refused(BOX BUBBLE, too_high, "above the top of this background atmosphere");
    const char *const offset[] = {"grid.y_min=100"};
    refused(BOX BUBBLE, offset, "the ground is at y_min = 0");
    /* An isothermal atmosphere thins by e every scale height H = R T0 / g: its density meets the
     * precision's floor (smallest normal / epsilon, so that perturbations stay normal) at
     * H ln(rho0 / floor), about 525 km up in single precision and 4,900 km in double. Just
     * under that height is a case; just over it is refused, saying where the top may go. */
    const double t0 = 250, g = 9.81, height = EULER_RD * t0 / g;
    const double rho0 = EULER_P0 / (EULER_RD * t0);
    const double highest = height * log(rho0 / (FC_REAL_MIN / FC_REAL_EPSILON));
    for (int over = 0; over < 2; over++) {
        char top[64], want[64];
        snprintf(top, sizeof top, "grid.y_max=%.6g", highest * (over ? 1.001 : 0.999));
        const char *const sets[] = {"physics.background=isothermal", top};
        fc_config cfg;
        fc_err err;
        const char *path = tl_temp_file("high.ini", BOX "[initial]\ntype = rest\n");
        const int rc = fc_config_load(path, sets, 2, fc_solvers(), &cfg, &err);
        if (!over) {
            ck_assert_msg(rc == FC_OK, "%s", err.msg);
            fc_config_free(&cfg);
            continue;
        }
        ck_assert_int_eq(rc, FC_EINPUT);
        snprintf(want, sizeof want, "put the top under %.4g m", highest);
        ck_assert_msg(strstr(err.msg, "density at the top is") && strstr(err.msg, want),
                      "expected '%s' in: %s", want, err.msg);
    }
    /* A perturbation that would make theta negative. */
    fc_sim s;
    fc_err err;
    ck_assert_int_eq(fc_sim_open(&s, tl_temp_file("cold.ini", BOX BUBBLE), (const char *const[]){
                                     "initial.amplitude=-400"}, 1, fc_solvers(), NULL, &err),
                     FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "larger than the atmosphere's own temperature"), "%s", err.msg);
}
END_TEST

/* [initial] type = file: theta', u and w linear in x and z, written with coordinates x and z on
 * 30 x 18 cells of the case's domain, read onto 40 x 24 (bilinear: exact for linear fields, the
 * edge values held within half a cell), make a state at unchanged pressure (rho theta's
 * perturbation 0) whose theta', u and w are those fields; not interpolated, the file is refused. */
START_TEST(file_initial_state_at_unchanged_pressure)
{
    const int nx = 30, nz = 18;
    const char *path = tl_temp_path("euler_lin.nc");
    int nc, dims[2], vx, vz, vt, vu, vw;
    ck_assert_int_eq(nc_create(path, NC_CLOBBER, &nc), NC_NOERR);
    nc_def_dim(nc, "z", nz, &dims[0]);
    nc_def_dim(nc, "x", nx, &dims[1]);
    nc_def_var(nc, "x", NC_DOUBLE, 1, &dims[1], &vx);
    nc_def_var(nc, "z", NC_DOUBLE, 1, &dims[0], &vz);
    nc_put_att_text(nc, vz, "units", 1, "m");
    nc_def_var(nc, "theta_prime", NC_DOUBLE, 2, dims, &vt);
    nc_def_var(nc, "u", NC_DOUBLE, 2, dims, &vu);
    nc_def_var(nc, "w", NC_DOUBLE, 2, dims, &vw);
    ck_assert_int_eq(nc_enddef(nc), NC_NOERR);
    double x[30], z[18], t[18 * 30], u[18 * 30], w[18 * 30];
    for (int i = 0; i < nx; i++)
        x[i] = -10000 + (i + 0.5) * 20000.0 / nx;
    for (int j = 0; j < nz; j++)
        z[j] = (j + 0.5) * 8000.0 / nz;
    for (int j = 0; j < nz; j++)
        for (int i = 0; i < nx; i++) {
            t[j * nx + i] = 1 + 1e-4 * x[i] + 2e-4 * z[j];
            u[j * nx + i] = 3 + 1e-3 * z[j];
            w[j * nx + i] = -2e-4 * x[i];
        }
    nc_put_var_double(nc, vx, x);
    nc_put_var_double(nc, vz, z);
    nc_put_var_double(nc, vt, t);
    nc_put_var_double(nc, vu, u);
    nc_put_var_double(nc, vw, w);
    ck_assert_int_eq(nc_close(nc), NC_NOERR);
    char text[1024];
    snprintf(text, sizeof text, BOX "[initial]\ntype = file\npath = %s\nu_var = u\nw_var = w\n",
             path);
    fc_err err;
    fc_sim none;
    ck_assert_int_eq(fc_sim_open(&none, tl_temp_file("euler_file.ini", text), NULL, 0,
                                 fc_solvers(), NULL, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "z = 222.222 .. 7777.78 m (18 points); the grid's cell centres "
                         "are x = -9750 .. 9750 m (40), z = 166.667 .. 7833.33 m (24)") &&
                      strstr(err.msg, "([initial] interpolate = bilinear interpolates it onto them)"),
                  "%s", err.msg);
    tl_sim s;
    tl_sim_open(&s, text, (const char *const[]){"initial.interpolate=bilinear", NULL}, NULL);
    euler_column col;
    ck_assert_int_eq(euler_column_make(s.params, &col, &err), FC_OK);
    double e = 0;
    for (int j = 0; j < s.grid.ny; j++)
        for (int i = 0; i < s.grid.nx; i++) {
            const double xc = fmin(fmax(fc_grid_x(&s.grid, i), x[0]), x[nx - 1]);
            const double zc = fmin(fmax(fc_grid_y(&s.grid, j), z[0]), z[nz - 1]);
            const double rho = col.rho[j] + tl_at(&s, EULER_RHO, i, j);
            const double theta = (col.rt[j] + tl_at(&s, EULER_RHOT, i, j)) / rho;
            ck_assert(tl_at(&s, EULER_RHOT, i, j) == 0);
            e = fmax(e, fabs(theta - col.theta[j] - (1 + 1e-4 * xc + 2e-4 * zc)));
            e = fmax(e, fabs(tl_at(&s, EULER_RHOU, i, j) / rho - (3 + 1e-3 * zc)));
            e = fmax(e, fabs(tl_at(&s, EULER_RHOW, i, j) / rho - (-2e-4 * xc)));
        }
    printf("euler initial state from a file, bilinear: largest error of theta', u, w %.2e\n", e);
    ck_assert_msg(e < 3e4 * TL_EPS, "theta', u or w off by %g", e); /* 100 units of 300 K's */
    euler_column_free(&col);
    tl_sim_close(&s);
}
END_TEST

/* A distance in units in the last place of b. */
static double ulps_apart(double a, double b)
{
    return a == b ? 0 : fabs(a - b) / (nextafter(fabs(b), INFINITY) - fabs(b));
}

/* fc_pow_pos through a call the compiler cannot vectorise. */
static double (*volatile pow_pos_scalar)(double, double);
static double pow_pos_call(double x, double g) { return fc_pow_pos(x, g); }

START_TEST(vector_power_matches_glibc_pow)
{
    /* The pressure's power (hd.h) against glibc's pow, which rounds correctly in nearly every
     * case: x log-uniform over the whole normal range, and the values rho theta takes. */
    static const double gs[] = {EULER_GAMMA, 0.5, 1 / EULER_GAMMA, 2.5, 3};
    static const double most[] = {2, 1, 1, 2, 3};
    enum { N = 400000 };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(y);
    unsigned long long seed = 12345;
    for (int i = 0; i < N; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        const double u = (double)(seed >> 11) / 0x1p53;
        x[i] = i % 4 == 0 ? 10 + 2000 * u : exp(-700 + 1400 * u);
    }
    pow_pos_scalar = pow_pos_call;
    for (size_t k = 0; k < sizeof gs / sizeof gs[0]; k++) {
        const double g = gs[k];
#pragma omp simd
        for (int i = 0; i < N; i++)
            y[i] = fc_pow_pos(x[i], g);
        double worst = 0;
        for (int i = 0; i < N; i++) {
            /* The same bits in a vector loop and in a call (the scalar tail of a row). */
            ck_assert_msg(y[i] == pow_pos_scalar(x[i], g), "x = %.17g: %.17g in a vector loop, %.17g alone",
                          x[i], y[i], pow_pos_scalar(x[i], g));
            const double ref = pow(x[i], g);
            if (ref >= 0x1p-1022 && ref <= DBL_MAX) {
                const double d = ulps_apart(y[i], ref);
                worst = d > worst ? d : worst;
            }
        }
        ck_assert_msg(worst <= most[k], "g = %.17g: %g ulp from pow (at most %g)", g, worst, most[k]);
    }
    free(x);
    free(y);
    /* Special values, as pow gives them for g > 0. */
    ck_assert(fc_pow_pos(0, EULER_GAMMA) == 0);
    ck_assert(fc_pow_pos(1, EULER_GAMMA) == 1);
    ck_assert(fc_pow_pos(1024, 2) == 1048576);
    ck_assert(isinf(fc_pow_pos(INFINITY, EULER_GAMMA)));
    ck_assert(isinf(fc_pow_pos(1e300, EULER_GAMMA)));
    ck_assert(isnan(fc_pow_pos(-1, EULER_GAMMA)));
    ck_assert(isnan(fc_pow_pos(NAN, EULER_GAMMA)));
    ck_assert(fc_pow_pos(0x1p-1074, EULER_GAMMA) == 0);
    ck_assert(ulps_apart(fc_pow_pos(0x1p-1060, 0.5), pow(0x1p-1060, 0.5)) == 0); /* subnormal x */
}
END_TEST

Suite *euler_suite(void)
{
    Suite *s = suite_create("euler");
    TCase *balance = tcase_create("balance");
    tcase_add_test(balance, vector_power_matches_glibc_pow);
    tcase_add_test(balance, rest_stays_at_rest_exactly);
    tcase_add_test(balance, closed_box_conserves_mass_and_rho_theta);
    tcase_add_test(balance, two_row_atmosphere_is_sound);
    tcase_add_test(balance, bubble_rises_and_stays_symmetric);
    tcase_set_timeout(balance, 300);
    suite_add_tcase(s, balance);
    TCase *run = tcase_create("run");
    tcase_add_test(run, fused_stage_matches_cpu_sweep);
    tcase_add_test(run, thread_count_changes_no_bit);
    tcase_add_test(run, restart_is_bit_for_bit_and_output_has_z);
    tcase_add_test(run, bad_cases_are_refused);
    tcase_add_test(run, nan_is_reported_with_its_cell_and_not_kept);
    tcase_add_test(run, bad_cell_is_classified_nan_first);
    tcase_add_test(run, file_initial_state_at_unchanged_pressure);
    tcase_add_test(run, open_sides_let_waves_out);
    tcase_add_test(run, linear_gravity_wave_solution_starts_from_the_initial_field);
    tcase_set_timeout(run, 300);
    suite_add_tcase(s, run);
    return s;
}
