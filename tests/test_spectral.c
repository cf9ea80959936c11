/*
 * test_spectral.c: the pseudo-spectral solver on the CPU: Taylor-Green exact to round-off, the
 * nonlinear term against the advective form of an analytic flow, the energy and enstrophy
 * budgets and their order, conservation without viscosity (and its loss without dealiasing),
 * transforms that round-trip, the spectrum's sum, the tracer (exact diffusion, conserved
 * mean), the forcing ring, NaN reports, thread counts, restart and initial states from files.
 */
#include <fc_build.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netcdf.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "solvers/spectral/spec.h"
#include "solvers/spectral/spec_cases.h"
#include "solvers/spectral/spec_fftw.h"
#include "src/core/run.h"
#include "tests/suites.h"
#include "tests/testlib.h"
#include "solvers/registry.h"
#include "validation/validate.h"

#define BOX                                                                                      \
    "[case]\nsolver = spectral\n[grid]\nx_max = 6.283185307179586\ny_max = 6.283185307179586\n" \
    "[boundary]\nwest = periodic\neast = periodic\nsouth = periodic\nnorth = periodic\n"       \
    "[numerics]\nfft_planning = estimate\n[time]\nt_end = 1\ncfl = 0.8\n"

/* Decaying turbulence with a tracer, on a grid that is neither square nor even along x. */
static const char turbulence_case[] = BOX "[grid]\nnx = 45\nny = 40\n[physics]\nviscosity = 1e-3\n"
                                          "[tracer]\ninitial = bands\n[initial]\n"
                                          "type = random_spectrum\nenergy = 0.5\n"
                                          "peak_wavenumber = 5\nseed = 3\n";

static const char rest_case[] = BOX "[grid]\nnx = 32\nny = 32\n[initial]\ntype = rest\n";

/* Index of diagnostic `name`. */
static int diag_index(const fc_solver_desc *s, const char *name)
{
    for (size_t k = 0; k < s->io.ndiags; k++)
        if (!strcmp(s->io.diags[k].name, name))
            return (int)k;
    ck_abort_msg("no diagnostic %s", name);
    return -1;
}

static double diag(tl_sim *s, const char *name)
{
    double *d = calloc(s->s->io.ndiags, sizeof *d);
    fc_err err;
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(s->s->io.diagnose(s->params, &s->grid, &s->host, NULL, d, &err), FC_OK);
    const double value = d[diag_index(s->s, name)];
    free(d);
    return value;
}

static double max_abs_diff(const fc_real *a, const fc_real *b, size_t n, double *scale)
{
    double e = 0, m = 0;
    for (size_t k = 0; k < n; k++) {
        e = fmax(e, fabs((double)a[k] - b[k]));
        m = fmax(m, fabs((double)a[k]));
    }
    *scale = m;
    return e;
}

START_TEST(taylor_green_is_exact)
{
    double e;
    fc_err err;
    ck_assert_msg(fc_val_spectral_taylor_green(32, 0.01, 0, 0, 5, &e, &err) == FC_OK, "%s", err.msg);
    printf("spectral Taylor-Green, 32^2, t = 5: relative error %.2e\n", e);
    ck_assert_double_le(e, 100 * TL_EPS);
    /* Every linear term at once: each decays its mode exactly. */
    ck_assert_msg(fc_val_spectral_taylor_green(32, 0.02, 1e-3, 0.1, 5, &e, &err) == FC_OK, "%s",
                  err.msg);
    ck_assert_double_le(e, 100 * TL_EPS);
}
END_TEST

/*
 * psi = sin x cos 2y + cos(3x + y)/2 mixes |K|^2 = 5 and 10, so u.grad omega is not zero. One
 * short step of the inviscid solver from it changes omega by dt (-u.grad omega) + O(dt^2): the
 * Basdevant form the solver uses must match the advective form computed here by hand.
 */
START_TEST(nonlinear_term_matches_the_advective_form)
{
    tl_sim s;
    tl_sim_open(&s, rest_case, NULL, NULL);
    const int n = 32;
    fc_real *w0 = malloc((size_t)n * n * sizeof *w0), *adv = malloc((size_t)n * n * sizeof *adv);
    ck_assert(w0 && adv);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            const double x = fc_grid_x(&s.grid, i), y = fc_grid_y(&s.grid, j);
            const double a = 3 * x + y;
            /* u = psi_y, v = -psi_x, omega = -lap psi */
            const double u = -2 * sin(x) * sin(2 * y) - sin(a) / 2;
            const double v = -cos(x) * cos(2 * y) + 3 * sin(a) / 2;
            const double w = 5 * sin(x) * cos(2 * y) + 5 * cos(a);
            const double wx = 5 * cos(x) * cos(2 * y) - 15 * sin(a);
            const double wy = -10 * sin(x) * sin(2 * y) - 5 * sin(a);
            w0[(size_t)j * n + i] = s.host.f[SPEC_VORT][(size_t)j * n + i] = (fc_real)w;
            adv[(size_t)j * n + i] = (fc_real)(-(u * wx + v * wy));
        }
    fc_err err;
    ck_assert_int_eq(s.ops->upload(s.state, &s.host, &err), FC_OK);
    /* The difference quotient's error: round-off, eps |omega| / dt, plus the O(dt) term. */
    double dt = TL_SINGLE ? 1e-4 : 1e-7;
    ck_assert_int_eq(fc_sim_step(&s, &dt, &err), FC_OK);
    tl_sim_download(&s);
    double e = 0, m = 0;
    for (size_t k = 0; k < (size_t)n * n; k++) {
        e = fmax(e, fabs((s.host.f[SPEC_VORT][k] - w0[k]) / dt - adv[k]));
        m = fmax(m, fabs(adv[k]));
    }
    printf("nonlinear term: max |d omega/dt - (-u.grad omega)| = %.2e of %.2e\n", e, m);
    ck_assert_double_le(e, (TL_SINGLE ? 1e-2 : 1e-6) * m);
    free(w0);
    free(adv);
    tl_sim_close(&s);
}
END_TEST

START_TEST(budgets_close_at_fourth_order)
{
    double e1, z1, e2, z2;
    fc_err err;
    ck_assert_msg(fc_val_spectral_budgets(64, 6, 1e-3, "two_thirds", 0.002, 0.4, &e1, &z1, &err) == FC_OK,
                  "%s", err.msg);
    ck_assert_msg(fc_val_spectral_budgets(64, 6, 1e-3, "two_thirds", 0.001, 0.4, &e2, &z2, &err) == FC_OK,
                  "%s", err.msg);
    printf("budget residuals: E %.2e -> %.2e (order %.2f), Z %.2e -> %.2e (order %.2f)\n", e1, e2,
           log2(e1 / e2), z1, z2, log2(z1 / z2));
    if (TL_SINGLE) { /* float's round-off (30 units) swamps RK4's error at these steps */
        ck_assert_double_le(fmax(fmax(e1, z1), fmax(e2, z2)), 1000 * TL_EPS);
        return;
    }
    ck_assert_double_ge(log2(e1 / e2), 3.5);
    ck_assert_double_ge(log2(z1 / z2), 3.5);
    ck_assert_double_le(fmax(e2, z2), 1e-10);
}
END_TEST

START_TEST(inviscid_conserves_energy_and_enstrophy)
{
    double e, z, ea, za;
    fc_err err;
    /* Steps so short that RK4's error is below round-off: what is left is the space
     * discretisation, which conserves both to round-off when dealiased ... */
    ck_assert_int_eq(fc_val_spectral_budgets(64, 12, 0, "two_thirds", 1e-5, 1e-4, &e, &z, &err), FC_OK);
    /* ... and not without dealiasing. */
    ck_assert_int_eq(fc_val_spectral_budgets(64, 12, 0, "none", 1e-5, 1e-4, &ea, &za, &err), FC_OK);
    printf("inviscid, 10 steps of 1e-5: |dE|/E %.2e, |dZ|/Z %.2e dealiased; %.2e, %.2e aliased\n",
           e, z, ea, za);
    ck_assert_double_le(fmax(e, z), 1000 * TL_EPS);
    /* (Aliasing's change, 2e-8, lies below float's round-off: shown in double only.) */
    if (TL_SINGLE)
        return; /* and float's round-off swamps RK4's error below */
    ck_assert_double_ge(fmin(ea, za), 1e5 * fmax(fmax(e, z), DBL_EPSILON));
    /* At the Courant limit the change is time-stepping error, of order 4. */
    double e1, z1, e2, z2;
    ck_assert_int_eq(fc_val_spectral_budgets(64, 6, 0, "two_thirds", 0.002, 0.4, &e1, &z1, &err), FC_OK);
    ck_assert_int_eq(fc_val_spectral_budgets(64, 6, 0, "two_thirds", 0.001, 0.4, &e2, &z2, &err), FC_OK);
    ck_assert_double_ge(log2(e1 / e2), 3.5);
    ck_assert_double_ge(log2(z1 / z2), 3.5);
}
END_TEST

/*
 * Upload (forward transform) then download (inverse) returns a band-limited field to round-off.
 * A field with modes beyond the 2/3 cut comes back without them: a projection, so a second
 * round trip changes nothing.
 */
/* --regrid (spec_interpolate): the Taylor-Green vortex sin(2x) sin(2y) on 16 x 12 cells, put
 * onto finer, coarser and odd grids (that hold its mode), is the vortex at their centres to
 * round-off; noise on even and odd grids (every mode filled, Nyquist modes too) put onto a
 * finer grid and back is itself again, which a grid that kept or dropped a mode, shifted it or
 * weighed a Nyquist mode wrong would not give. */
START_TEST(regrid_is_spectrally_exact)
{
    fc_err err;
    const int bc[4] = {FC_BC_PERIODIC, FC_BC_PERIODIC, FC_BC_PERIODIC, FC_BC_PERIODIC};
    const double L = 6.283185307179586;
    const int from[2] = {16, 12};
    double *src[2] = {malloc(16 * 12 * sizeof(double)), NULL};
    ck_assert_ptr_nonnull(src[0]);
    for (int j = 0; j < 12; j++)
        for (int i = 0; i < 16; i++)
            src[0][j * 16 + i] = sin(2 * (i + 0.5) * L / 16) * sin(2 * (j + 0.5) * L / 12);
    const int sizes[][2] = {{40, 30}, {10, 8}, {15, 9}, {16, 30}};
    for (size_t n = 0; n < sizeof sizes / sizeof sizes[0]; n++) {
        fc_grid g;
        ck_assert_int_eq(fc_grid_init(&g, sizes[n][0], sizes[n][1], 0, 0, L, 0, L, bc, &err), FC_OK);
        fc_state to = {2, {fc_grid_alloc(&g), fc_grid_alloc(&g)}, 0};
        ck_assert_int_eq(spec_interpolate(NULL, &g, from, src, &to, &err), FC_OK);
        double e = 0;
        for (int j = 0; j < g.ny; j++)
            for (int i = 0; i < g.nx; i++)
                e = fmax(e, fabs(to.f[0][fc_idx(g.pitch, g.ng, i, j)] -
                                 sin(2 * fc_grid_x(&g, i)) * sin(2 * fc_grid_y(&g, j))));
        ck_assert_msg(e < 500 * TL_EPS, "16 x 12 onto %d x %d: error %g", g.nx, g.ny, e);
        free(to.f[0]);
        free(to.f[1]);
    }
    free(src[0]);

    /* Noise fills every mode, the Nyquist modes of an even side too; its trigonometric
     * interpolant on a finer grid, sampled back at the first grid's centres, is the noise. */
    unsigned long long seed = 12345;
    for (int nx = 44; nx <= 45; nx++)
        for (int ny = 40; ny <= 41; ny++) {
            const int coarse[2] = {nx, ny}, fine[2] = {90, 83};
            double *whole[2] = {malloc((size_t)nx * ny * sizeof(double)),
                                malloc(90 * 83 * sizeof(double))};
            ck_assert(whole[0] && whole[1]);
            for (int c = 0; c < nx * ny; c++) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                whole[0][c] = (double)(seed >> 11) / 9007199254740992.0 - 0.5;
            }
            fc_grid gf, gc;
            ck_assert_int_eq(fc_grid_init(&gf, 90, 83, 0, 0, L, 0, L, bc, &err), FC_OK);
            ck_assert_int_eq(fc_grid_init(&gc, nx, ny, 0, 0, L, 0, L, bc, &err), FC_OK);
            fc_state up = {1, {fc_grid_alloc(&gf)}, 0}, back = {1, {fc_grid_alloc(&gc)}, 0};
            ck_assert_int_eq(spec_interpolate(NULL, &gf, coarse, whole, &up, &err), FC_OK);
            for (int c = 0; c < 90 * 83; c++)
                whole[1][c] = up.f[0][c];
            ck_assert_int_eq(spec_interpolate(NULL, &gc, fine, whole + 1, &back, &err), FC_OK);
            double e = 0;
            for (int c = 0; c < nx * ny; c++)
                e = fmax(e, fabs(back.f[0][c] - whole[0][c]));
            printf("regrid of noise %d x %d -> 90 x 83 -> %d x %d: largest change %.2e\n", nx,
                   ny, nx, ny, e);
            ck_assert_msg(e < 500 * TL_EPS, "%d x %d: the round trip changed the noise by %g",
                          nx, ny, e);
            free(whole[0]);
            free(whole[1]);
            free(up.f[0]);
            free(back.f[0]);
        }
}
END_TEST

START_TEST(transforms_round_trip)
{
    tl_sim s;
    tl_sim_open(&s, turbulence_case, NULL, NULL);
    const size_t n = (size_t)s.grid.nx * s.grid.ny;
    fc_real *orig[2];
    for (int f = 0; f < 2; f++) {
        orig[f] = malloc(n * sizeof(fc_real));
        memcpy(orig[f], s.host.f[f], n * sizeof(fc_real));
    }
    tl_sim_download(&s); /* the initial field is band-limited by construction */
    for (int f = 0; f < 2; f++) {
        double scale, e = max_abs_diff(orig[f], s.host.f[f], n, &scale);
        printf("round trip of %s: %.2e of %.2e\n", s.s->io.field_names[f], e, scale);
        ck_assert_double_le(e, 50 * TL_EPS * scale);
    }
    /* The tracer bands are one mode; a step function is not band-limited. */
    for (size_t k = 0; k < n; k++)
        s.host.f[SPEC_TRACER][k] = (fc_real)((k / s.grid.nx) < (size_t)s.grid.ny / 2);
    fc_err err;
    ck_assert_int_eq(s.ops->upload(s.state, &s.host, &err), FC_OK);
    tl_sim_download(&s);
    double scale, e;
    e = max_abs_diff(s.host.f[SPEC_TRACER], orig[1], n, &scale);
    ck_assert_double_ge(e, 0.1); /* the step lost its high modes (Gibbs) */
    memcpy(orig[1], s.host.f[SPEC_TRACER], n * sizeof(fc_real));
    ck_assert_int_eq(s.ops->upload(s.state, &s.host, &err), FC_OK);
    tl_sim_download(&s);
    e = max_abs_diff(orig[1], s.host.f[SPEC_TRACER], n, &scale);
    ck_assert_double_le(e, 50 * TL_EPS * scale);
    double mean = 0;
    for (size_t k = 0; k < n; k++)
        mean += s.host.f[SPEC_TRACER][k];
    ck_assert_double_eq_tol(mean / n, 0.5, 50 * TL_EPS); /* the mean is a kept mode */
    for (int f = 0; f < 2; f++)
        free(orig[f]);
    tl_sim_close(&s);
}
END_TEST

START_TEST(spectrum_sums_to_the_energy)
{
    tl_sim s;
    tl_sim_open(&s, turbulence_case, NULL, NULL);
    tl_sim_steps(&s, 20);
    tl_sim_download(&s);
    double dk;
    const int nk = fc_grid_shells(&s.grid, &dk);
    fc_real *out[8] = {0};
    out[5] = malloc((size_t)nk * sizeof(fc_real));
    ck_assert_str_eq(s.s->io.vars[5].name, "energy_spectrum");
    fc_err err;
    ck_assert_int_eq(s.s->io.derive(s.params, &s.grid, &s.host, out, &err), FC_OK);
    double sum = 0;
    for (int k = 0; k < nk; k++)
        sum += out[5][k] * dk;
    const double e = diag(&s, "energy");
    printf("spectrum: sum E(k) dk = %.15g, energy %.15g\n", sum, e);
    ck_assert_double_eq_tol(sum, e, 500 * TL_EPS * e);
    /* Nothing beyond the dealiasing cut but round-off: shells past sqrt(2) 40/3. */
    for (int k = 20; k < nk; k++)
        ck_assert_double_le(out[5][k], 2000 * TL_EPS * TL_EPS * e);
    free(out[5]);
    tl_sim_close(&s);
}
END_TEST

START_TEST(tracer_diffuses_exactly_and_keeps_its_mean)
{
    /* At rest, bands cos(y) decay as exp(-kappa t). */
    const char *const sets[] = {"tracer.initial=bands", "tracer.diffusivity=0.05", NULL};
    tl_sim s;
    tl_sim_open(&s, rest_case, sets, NULL);
    tl_sim_run_to(&s, 2);
    tl_sim_download(&s);
    double e = 0;
    for (int j = 0; j < 32; j++)
        for (int i = 0; i < 32; i++)
            e = fmax(e, fabs(tl_at(&s, SPEC_TRACER, i, j) -
                             cos(fc_grid_y(&s.grid, j)) * exp(-0.05 * s.t)));
    ck_assert_double_le(e, 50 * TL_EPS);
    tl_sim_close(&s);

    /* Stirred by turbulence, the mean (mode 0) does not move, whatever the flow does; without
     * diffusion the variance changes by time-stepping error only. */
    tl_sim_open(&s, turbulence_case, NULL, NULL);
    const size_t n = (size_t)s.grid.nx * s.grid.ny;
    double m0 = 0, v0 = 0, m1 = 0, v1 = 0;
    for (size_t k = 0; k < n; k++) {
        m0 += s.host.f[SPEC_TRACER][k];
        v0 += s.host.f[SPEC_TRACER][k] * s.host.f[SPEC_TRACER][k];
    }
    tl_sim_steps(&s, 50);
    tl_sim_download(&s);
    for (size_t k = 0; k < n; k++) {
        m1 += s.host.f[SPEC_TRACER][k];
        v1 += s.host.f[SPEC_TRACER][k] * s.host.f[SPEC_TRACER][k];
    }
    printf("tracer: mean %.3e -> %.3e, variance %.6f -> %.6f\n", m0 / n, m1 / n, v0 / n, v1 / n);
    ck_assert_double_le(fabs(m1 - m0) / n, 50 * TL_EPS);
    ck_assert_double_le(fabs(v1 - v0) / v0, 1e-4);
    tl_sim_close(&s);
}
END_TEST

START_TEST(forcing_ring_and_its_work)
{
    const char *const sets[] = {"forcing.type=ring", "forcing.wavenumber=8", "forcing.width=2",
                                "forcing.amplitude=3", "physics.drag=0.1",
                                "physics.viscosity=1e-3", NULL};
    tl_sim s;
    tl_sim_open(&s, rest_case, sets, NULL);
    const spec_params *p = s.params;
    spec_cplx *f = malloc((size_t)p->ny * p->nxh * sizeof *f);
    fc_real *field = malloc((size_t)p->nx * p->ny * sizeof *field);
    spec_forcing_pattern(p, f);
    double rms = 0;
    int modes = 0;
    for (int j = 0; j < p->ny; j++)
        for (int i = 0; i < p->nxh; i++) {
            spec_mode m = spec_mode_at(p, i, j);
            const spec_cplx c = f[(size_t)j * p->nxh + i];
            const int on = c.re != 0 || c.im != 0;
            modes += on;
            if (on)
                ck_assert_double_le(fabs(sqrt((double)m.k2) - 8), 1 + 1e-12);
        }
    ck_assert_int_gt(modes, 10);
    ck_assert_int_eq(spec_host_inverse(p, NULL, f, field), 0);
    for (size_t k = 0; k < (size_t)p->nx * p->ny; k++)
        rms += field[k] * field[k];
    ck_assert_double_eq_tol(sqrt(rms / (p->nx * p->ny)), 3, 5000 * TL_EPS);

    /* From rest the forcing's work is the energy's source: the budget closes to the
     * time-stepping error while E grows, and that error falls at order 4. */
    tl_sim_close(&s);
    double res[2], e = 0;
    for (int r = 0; r < 2; r++) {
        tl_sim_open(&s, rest_case, sets, NULL);
        for (int k = 0; k < 20 << r; k++) {
            double dt = 0.02 / (1 << r);
            fc_err err;
            ck_assert_int_eq(fc_sim_step(&s, &dt, &err), FC_OK);
        }
        tl_sim_download(&s);
        e = diag(&s, "energy");
        res[r] = fabs(s.last.stats[SPEC_STAT_ENERGY_RESIDUAL]);
        tl_sim_close(&s);
    }
    printf("forced from rest to t = 0.4: E = %.3g, energy budget residual %.2e -> %.2e (dt halved)\n",
           e, res[0], res[1]);
    ck_assert_double_gt(e, 1e-2);
    ck_assert_double_le(res[1], 1e-5 * e / 0.4);
    if (!TL_SINGLE) /* float's round-off swamps RK4's error */
        ck_assert_double_ge(log2(res[0] / res[1]), 3.5);
    free(f);
    free(field);
}
END_TEST

START_TEST(nan_is_reported_and_not_kept)
{
    tl_sim s;
    tl_sim_open(&s, turbulence_case, NULL, NULL);
    fc_err err = {{0}};
    tl_sim_download(&s);
    s.host.f[SPEC_VORT][(size_t)7 * s.grid.nx + 30] = NAN;
    ck_assert_int_eq(s.ops->upload(s.state, &s.host, &err), FC_OK);
    fc_step_report rep = {0};
    ck_assert_msg(s.ops->step(s.state, 0, 1e-3, &rep, &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(rep.bad, FC_STATE_NAN);
    /* The state kept is the one uploaded: a transform spreads a NaN over every point. */
    tl_sim_download(&s);
    ck_assert(isnan(tl_at(&s, SPEC_VORT, 3, 4)));
    tl_sim_close(&s);
}
END_TEST

/* 1 and 2 threads: the sums are taken per row in row order; FFTW's threads split whole 1-D
 * transforms, so the results agree to round-off (in practice bit for bit). */
START_TEST(threads_agree)
{
#ifdef _OPENMP
    tl_sim a, b;
    omp_set_num_threads(1);
    tl_sim_open(&a, turbulence_case, NULL, NULL);
    omp_set_num_threads(2);
    tl_sim_open(&b, turbulence_case, NULL, NULL);
    for (int k = 0; k < 30; k++) {
        double dt = 0.8 / a.rate, dt2 = dt;
        fc_err err;
        ck_assert_int_eq(fc_sim_step(&a, &dt, &err), FC_OK);
        ck_assert_int_eq(fc_sim_step(&b, &dt2, &err), FC_OK);
    }
    tl_sim_download(&a);
    tl_sim_download(&b);
    const size_t n = (size_t)a.grid.nx * a.grid.ny;
    for (int f = 0; f < 2; f++) {
        double scale, e = max_abs_diff(a.host.f[f], b.host.f[f], n, &scale);
        ck_assert_msg(e <= 500 * TL_EPS * scale, "%s differs by %g between 1 and 2 threads",
                      a.s->io.field_names[f], e);
    }
    tl_sim_close(&a);
    tl_sim_close(&b);
#endif
}
END_TEST

/* A run continued from its own output repeats the run to round-off (the restart goes through
 * the physical field and back). */
START_TEST(restart_continues_the_run)
{
    const char *ini = tl_temp_file("turb.ini", turbulence_case);
    const char *full = tl_temp_path("sp_full.nc"), *half = tl_temp_path("sp_half.nc"),
               *cont = tl_temp_path("sp_cont.nc");
    tl_restart_runs(ini, 0.2, 0.4, 0.1, 0, full, half, cont);
    static const char *const vars[] = {"vorticity", "tracer", "u"};
    for (int k = 0; k < 3; k++) {
        double t1, t2, e = 0, m = 0;
        double *x = tl_read_last(full, vars[k], 45 * 40, &t1), *y = tl_read_last(cont, vars[k], 45 * 40, &t2);
        ck_assert_double_eq(t1, 0.4);
        ck_assert_double_eq(t2, 0.4);
        for (int q = 0; q < 45 * 40; q++) {
            e = fmax(e, fabs(x[q] - y[q]));
            m = fmax(m, fabs(x[q]));
        }
        ck_assert_msg(e <= 5000 * TL_EPS * m, "%s differs by %g after restart", vars[k], e);
        free(x);
        free(y);
    }
    /* Continued on a finer grid (--regrid): Fourier interpolation keeps every mode, so the
     * energy and enstrophy are the file's (Parseval). */
    fc_config cfg;
    fc_err err;
    ck_assert_int_eq(fc_config_load(ini, (const char *const[]){"grid.nx=90", "grid.ny=81"}, 2,
                                    fc_solvers(), &cfg, &err),
                     FC_OK);
    const fc_sim_restart from = {half, 1};
    tl_sim s;
    ck_assert_msg(fc_sim_start(&s, &cfg, NULL, &from, &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(s.restart_from[0], 45);
    static const char *const kept[] = {"energy", "enstrophy"};
    for (int k = 0; k < 2; k++) {
        int ncid, varid;
        size_t last = 2; /* records at 0, 0.1 and 0.2 */
        double before;
        ck_assert_int_eq(nc_open(half, NC_NOWRITE, &ncid), NC_NOERR);
        ck_assert_int_eq(nc_inq_varid(ncid, kept[k], &varid), NC_NOERR);
        ck_assert_int_eq(nc_get_var1_double(ncid, varid, &last, &before), NC_NOERR);
        nc_close(ncid);
        const double after = diag(&s, kept[k]);
        ck_assert_msg(fabs(after - before) <= 5000 * TL_EPS * before, "%s: %.17g on the finer grid, %.17g "
                      "in the file", kept[k], after, before);
    }
    tl_sim_close(&s);
}
END_TEST

/* [initial] type = file: another run's vorticity read on its own grid is its last record, bit
 * for bit; on a finer grid, refused unless interpolated; Fourier interpolation (another uniform
 * grid of the box) keeps the energy and enstrophy (Parseval), bilinear interpolation loses
 * some of both; the tracer starts as [tracer] says. */
START_TEST(file_initial_state_is_read_and_interpolated)
{
    const char *ini = tl_temp_file("turb_file.ini", turbulence_case);
    const char *out = tl_temp_path("sp_file_source.nc");
    unlink(out);
    fc_run_result res;
    fc_err err;
    const char *const short_run[] = {"time.t_end=0.2", "output.interval=0.1"};
    fc_run_opts o = {.case_path = ini, .solvers = fc_solvers(), .device = "cpu", .output = out,
                     .quiet = 1, .sets = short_run, .nsets = 2};
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    char text[1024];
    snprintf(text, sizeof text,
             BOX "[physics]\nviscosity = 1e-3\n[tracer]\ninitial = bands\n[initial]\n"
                 "type = file\npath = %s\n", out);
    double t;
    double *last = tl_read_last(out, "vorticity", 45 * 40, &t);
    ck_assert_double_eq(t, 0.2);
    tl_sim same;
    tl_sim_open(&same, text, (const char *const[]){"grid.nx=45", "grid.ny=40", NULL}, NULL);
    for (int j = 0; j < 40; j++)
        for (int i = 0; i < 45; i++)
            ck_assert(tl_at(&same, SPEC_VORT, i, j) == last[j * 45 + i]);
    ck_assert_double_eq_tol(tl_at(&same, SPEC_TRACER, 3, 7),
                            cos(2 * M_PI * fc_grid_y(&same.grid, 7) / 6.283185307179586),
                            5000 * TL_EPS);
    const double energy = diag(&same, "energy"), enstrophy = diag(&same, "enstrophy");
    tl_sim_close(&same);
    free(last);

    const char *ini2 = tl_temp_file("sp_from_file.ini", text);
    fc_config cfg;
    ck_assert_int_eq(fc_config_load(ini2, (const char *const[]){"grid.nx=90", "grid.ny=81"}, 2,
                                    fc_solvers(), &cfg, &err), FC_OK);
    tl_sim refused;
    ck_assert_int_eq(fc_sim_start(&refused, &cfg, NULL, NULL, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "variable 'vorticity' is on x = ") &&
                      strstr(err.msg, "([initial] interpolate = fourier interpolates it onto them)"),
                  "%s", err.msg);
    fc_config_free(&cfg);
    const char *methods[] = {"initial.interpolate=fourier", "initial.interpolate=bilinear"};
    for (int m = 0; m < 2; m++) {
        tl_sim s;
        tl_sim_open(&s, text, (const char *const[]){"grid.nx=90", "grid.ny=81", methods[m], NULL},
                    NULL);
        const double e = diag(&s, "energy"), z = diag(&s, "enstrophy");
        printf("file initial state 45 x 40 -> 90 x 81, %s: energy %.15g (file %.15g), "
               "enstrophy %.15g (file %.15g)\n", methods[m], e, energy, z, enstrophy);
        if (m == 0) {
            ck_assert_msg(fabs(e - energy) <= 5000 * TL_EPS * energy, "energy %.17g", e);
            ck_assert_msg(fabs(z - enstrophy) <= 5000 * TL_EPS * enstrophy, "enstrophy %.17g", z);
        } else {
            ck_assert(e < energy && z < 0.95 * enstrophy); /* bilinear smooths */
        }
        tl_sim_close(&s);
    }
}
END_TEST

Suite *spectral_suite(void)
{
    Suite *s = suite_create("spectral");
    TCase *tc = tcase_create("pseudo-spectral");
    tcase_add_test(tc, taylor_green_is_exact);
    tcase_add_test(tc, nonlinear_term_matches_the_advective_form);
    tcase_add_test(tc, budgets_close_at_fourth_order);
    tcase_add_test(tc, inviscid_conserves_energy_and_enstrophy);
    tcase_add_test(tc, transforms_round_trip);
    tcase_add_test(tc, spectrum_sums_to_the_energy);
    tcase_add_test(tc, tracer_diffuses_exactly_and_keeps_its_mean);
    tcase_add_test(tc, forcing_ring_and_its_work);
    tcase_add_test(tc, nan_is_reported_and_not_kept);
    tcase_add_test(tc, threads_agree);
    tcase_add_test(tc, restart_continues_the_run);
    tcase_add_test(tc, regrid_is_spectrally_exact);
    tcase_add_test(tc, file_initial_state_is_read_and_interpolated);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    return s;
}
