/*
 * check_gpu.c: every solver case on the GPU against the CPU reference, same input, same steps.
 * Exits 77 (skipped) without a usable GPU, or 99 (hard error) when FC_REQUIRE_GPU=1 asks for
 * one. Not forked: a CUDA context does not survive fork().
 *
 * Tolerance, and why: both backends evaluate the same FC_HD cell functions with IEEE-rounded
 * +, -, *, / and sqrt (nvcc -fmad=false, no fast math; gcc contracts no FMA on x86-64 without
 * -march), and the only reductions (the largest signal rate) are exact, so the time steps are
 * identical and the fields should agree to the last bit. The test allows a relative difference of
 * FC_GPU_RTOL of each field's largest magnitude, to tolerate a compiler reassociating one
 * operation, while anything from an indexing, race or halo bug (O(1) differences) fails.
 */
#include <fc_build.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "run.h"
#include "swe/swe.h"
#include "testlib.h"

#ifdef FC_SINGLE
#define FC_GPU_RTOL 1e-5
#else
#define FC_GPU_RTOL 1e-12
#endif

/* Case text and the overrides of each comparison, and how many steps. */
static const struct {
    const char *name;
    const char *ini;
    long long steps;
} cases[] = {
    {"lake_at_rest_island",
     "[case]\nsolver = swe\n[grid]\nnx = 67\nny = 61\nx_min = -0.5\nx_max = 0.5\ny_min = -0.5\n"
     "y_max = 0.5\n[time]\nt_end = 1\n[initial]\ntype = lake_at_rest\nsurface = 0.1\n"
     "bump_height = 0.3\n",
     200},
    {"dambreak_dry_open",
     "[case]\nsolver = swe\n[grid]\nnx = 301\nny = 3\nx_min = -10\nx_max = 10\ny_max = 0.3\n"
     "[time]\nt_end = 1\n[boundary]\nwest = open\neast = open\nsouth = periodic\n"
     "north = periodic\n[initial]\ntype = dambreak\ndepth_left = 1\ndepth_right = 0\n",
     300},
    {"vortex_periodic_hll_rk2",
     "[case]\nsolver = swe\n[grid]\nnx = 96\nny = 80\nx_min = -1.5e6\nx_max = 1.5e6\n"
     "y_min = -1.2e6\ny_max = 1.2e6\n[time]\nt_end = 1\n[boundary]\nwest = periodic\n"
     "east = periodic\nsouth = periodic\nnorth = periodic\n[physics]\nf0 = 1e-4\n"
     "[numerics]\nflux = hll\ntime_scheme = ssprk2\nlimiter = minmod\n"
     "[initial]\ntype = vortex\ndepth = 1000\namplitude = -50\nradius = 3e5\n",
     200},
    {"jet_beta_plane_walls_drag",
     "[case]\nsolver = swe\n[grid]\nnx = 130\nny = 66\nx_max = 8e6\ny_min = -2e6\ny_max = 2e6\n"
     "[time]\nt_end = 1\n[boundary]\nwest = periodic\neast = periodic\n"
     "[physics]\nf0 = 1e-4\nbeta = 1.6e-11\nlinear_drag = 1e-6\nquadratic_drag = 2e-3\n"
     "[initial]\ntype = jet\ndepth = 1000\njet_speed = 30\njet_width = 3e5\nperturbation = 2\n",
     300},
};

typedef struct diff {
    double max_abs, max_rel, norm; /* max |g - c|, that over max |c|, and the L2 ratio */
} diff;

static diff compare(const fc_grid *g, const fc_real *a, const fc_real *b)
{
    double m = 0, d = 0, s2 = 0, d2 = 0;
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
            double e = fabs((double)a[k] - (double)b[k]);
            if (!(e <= d))
                d = e; /* NaN counts as a difference */
            m = fmax(m, fabs((double)b[k]));
            s2 += (double)b[k] * b[k];
            d2 += e * e;
        }
    diff r = {d, m > 0 ? d / m : d, s2 > 0 ? sqrt(d2 / s2) : sqrt(d2)};
    return r;
}

START_TEST(gpu_matches_cpu)
{
    tl_sim cpu, gpu;
    tl_sim_open(&cpu, cases[_i].ini, NULL, swe_solver.cpu);
    tl_sim_open(&gpu, cases[_i].ini, NULL, swe_solver.gpu);
    for (long long n = 0; n < cases[_i].steps; n++) {
        /* The step the CPU takes (halved where a shore outruns it), taken by the GPU too, so a
         * rate difference cannot hide. */
        double dt = fc_cfg_real(&cpu.cfg, "time", "cfl") / cpu.rate;
        fc_err err;
        fc_step_report rc = {0}, rg = {0};
        ck_assert_int_eq(fc_step_adaptive(cpu.ops, cpu.state, &dt, &rc, &cpu.halvings, &err),
                         FC_OK);
        ck_assert_msg(gpu.ops->step(gpu.state, dt, &rg, &err) == FC_OK, "%s", err.msg);
        ck_assert_int_eq(rc.bad, rg.bad);
        ck_assert_msg(fabs(rc.max_rate - rg.max_rate) <= FC_GPU_RTOL * rc.max_rate,
                      "step %lld: max rate cpu %.17g gpu %.17g", n, rc.max_rate, rg.max_rate);
        cpu.rate = rc.max_rate;
    }
    tl_sim_download(&cpu);
    tl_sim_download(&gpu);
    for (int f = 0; f < SWE_NFIELDS; f++) {
        diff d = compare(&cpu.grid, gpu.host.f[f], cpu.host.f[f]);
        printf("%-28s %-3s after %lld steps: max abs %.3e, max rel %.3e, L2 rel %.3e\n",
               cases[_i].name, swe_solver.field_names[f], cases[_i].steps, d.max_abs, d.max_rel,
               d.norm);
        ck_assert_msg(d.max_rel <= FC_GPU_RTOL, "%s: field %s differs: max rel %.3e",
                      cases[_i].name, swe_solver.field_names[f], d.max_rel);
    }
    tl_sim_close(&cpu);
    tl_sim_close(&gpu);
}
END_TEST

START_TEST(gpu_reports_bad_state_like_cpu)
{
    /* A negative depth injected into one cell: both backends must name the same cell and kind
     * (it decides whether the step is retried) and keep the state before the step. */
    tl_sim sim[2];
    fc_step_report rep[2];
    memset(rep, 0, sizeof rep);
    for (int b = 0; b < 2; b++) {
        tl_sim *s = &sim[b];
        tl_sim_open(s, cases[1].ini, NULL, b ? swe_solver.gpu : swe_solver.cpu);
        fc_err err;
        s->host.f[SWE_H][fc_idx(s->grid.pitch, s->grid.ng, 100, 1)] = -1;
        ck_assert_int_eq(s->ops->upload(s->state, &s->host, &err), FC_OK);
        ck_assert_int_eq(s->ops->step(s->state, 1e-3, &rep[b], &err), FC_OK);
        ck_assert_int_ne(rep[b].bad, FC_STATE_OK);
        tl_sim_download(s);
        ck_assert_double_eq(tl_at(s, SWE_H, 100, 1), -1);
    }
    ck_assert_int_eq(rep[0].bad, rep[1].bad);
    ck_assert_int_eq(rep[0].bad_cell, rep[1].bad_cell);
    for (int b = 0; b < 2; b++)
        tl_sim_close(&sim[b]);
}
END_TEST

int main(void)
{
    char why[512];
    const char *require = getenv("FC_REQUIRE_GPU");
    if (fc_gpu_count(why, sizeof why) == 0 || !swe_solver.gpu) {
        printf("check_gpu: skipped: %s\n", why);
        return require && !strcmp(require, "1") ? 99 : 77;
    }
    Suite *s = suite_create("gpu");
    TCase *tc = tcase_create("gpu vs cpu");
    tcase_add_loop_test(tc, gpu_matches_cpu, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, gpu_reports_bad_state_like_cpu);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
