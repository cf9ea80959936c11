/* test_grid.c: grid geometry, halo filling for each boundary kind, packing; the block
 * decomposition over ranks; sums whose bits do not depend on their order (repro_sum.h); a device
 * backend's step with one report round trip (stages.h), on host arrays; the statistics of a
 * sampled signal (series_stats.h). */
#include <fc_build.h>

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "src/core/decomp.h"
#include "src/core/grid.h"
#include "src/core/repro_sum.h"
#include "src/core/series_stats.h"
#include "src/core/link.h"
#include "src/core/stages.h"
#include "tests/suites.h"

static fc_grid make(int nx, int ny, int ng, int w, int e, int s, int n)
{
    fc_grid g;
    fc_err err;
    const int bc[4] = {w, e, s, n};
    ck_assert_int_eq(fc_grid_init(&g, nx, ny, ng, 0, nx, 0, ny, bc, &err), FC_OK);
    return g;
}

/* Interior value 100 j + i, so each halo cell says where it came from. */
static fc_real *filled(const fc_grid *g, int odd_x, int odd_y)
{
    fc_real *f = fc_grid_alloc(g);
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++)
            f[fc_idx(g->pitch, g->ng, i, j)] = 100 * j + i + 1;
    fc_grid_fill_halo(g, f, odd_x, odd_y);
    return f;
}

#define AT(f, g, i, j) (f)[fc_idx((g).pitch, (g).ng, (i), (j))]

START_TEST(periodic_halo_wraps)
{
    fc_grid g = make(5, 4, 2, FC_BC_PERIODIC, FC_BC_PERIODIC, FC_BC_PERIODIC, FC_BC_PERIODIC);
    fc_real *f = filled(&g, 1, 1);
    ck_assert_double_eq(AT(f, g, -1, 0), AT(f, g, 4, 0));
    ck_assert_double_eq(AT(f, g, -2, 1), AT(f, g, 3, 1));
    ck_assert_double_eq(AT(f, g, 5, 2), AT(f, g, 0, 2));
    ck_assert_double_eq(AT(f, g, 2, -1), AT(f, g, 2, 3));
    ck_assert_double_eq(AT(f, g, -1, -1), AT(f, g, 4, 3)); /* corner */
    free(f);
}
END_TEST

START_TEST(wall_halo_mirrors_and_flips_normal_component)
{
    fc_grid g = make(5, 4, 2, FC_BC_WALL, FC_BC_WALL, FC_BC_WALL, FC_BC_WALL);
    fc_real *s = filled(&g, 0, 0), *u = filled(&g, 1, 0), *v = filled(&g, 0, 1);
    ck_assert_double_eq(AT(s, g, -1, 1), AT(s, g, 0, 1));
    ck_assert_double_eq(AT(s, g, -2, 1), AT(s, g, 1, 1));
    ck_assert_double_eq(AT(u, g, -1, 1), -AT(u, g, 0, 1));
    ck_assert_double_eq(AT(u, g, 6, 1), -AT(u, g, 3, 1));
    ck_assert_double_eq(AT(u, g, 1, -1), AT(u, g, 1, 0)); /* u is tangential to y walls */
    ck_assert_double_eq(AT(v, g, 1, -2), -AT(v, g, 1, 1));
    ck_assert_double_eq(AT(v, g, -1, 1), AT(v, g, 0, 1));
    ck_assert_double_eq(AT(u, g, -1, -1), -AT(u, g, 0, 0)); /* one x reflection */
    free(s);
    free(u);
    free(v);
}
END_TEST

START_TEST(open_halo_copies_edge)
{
    fc_grid g = make(5, 4, 2, FC_BC_OPEN, FC_BC_OPEN, FC_BC_OPEN, FC_BC_OPEN);
    fc_real *u = filled(&g, 1, 0);
    ck_assert_double_eq(AT(u, g, -2, 2), AT(u, g, 0, 2));
    ck_assert_double_eq(AT(u, g, 6, 3), AT(u, g, 4, 3));
    ck_assert_double_eq(AT(u, g, 6, 5), AT(u, g, 4, 3));
    free(u);
}
END_TEST

START_TEST(halo_wider_than_grid)
{
    fc_grid g = make(1, 1, 2, FC_BC_PERIODIC, FC_BC_PERIODIC, FC_BC_WALL, FC_BC_WALL);
    fc_real *v = filled(&g, 0, 1);
    ck_assert_double_eq(AT(v, g, -2, 0), 1);
    ck_assert_double_eq(AT(v, g, 0, -1), -1);
    ck_assert_double_eq(AT(v, g, 0, -2), 1); /* two reflections */
    free(v);
}
END_TEST

START_TEST(pack_unpack_round_trip)
{
    fc_grid g = make(7, 3, 2, FC_BC_WALL, FC_BC_WALL, FC_BC_WALL, FC_BC_WALL);
    fc_real *f = filled(&g, 0, 0), *h = fc_grid_alloc(&g), packed[21];
    fc_grid_pack(&g, f, packed, g.nx, g.ny);
    ck_assert_double_eq(packed[0], 1);
    ck_assert_double_eq(packed[7 * 2 + 6], 207);
    fc_grid_unpack(&g, packed, h, g.nx, g.ny);
    for (int j = 0; j < 3; j++)
        for (int i = 0; i < 7; i++)
            ck_assert_double_eq(AT(h, g, i, j), AT(f, g, i, j));
    free(f);
    free(h);
}
END_TEST

START_TEST(geometry_and_bad_sizes)
{
    fc_grid g;
    fc_err err;
    const int bc[4] = {0, 0, 0, 0};
    ck_assert_int_eq(fc_grid_init(&g, 10, 5, 2, -1, 1, 0, 5, bc, &err), FC_OK);
    ck_assert_double_eq_tol(g.dx, 0.2, 1e-15);
    ck_assert_double_eq_tol(fc_grid_x(&g, 0), -0.9, 1e-15);
    ck_assert_double_eq_tol(fc_grid_y(&g, 4), 4.5, 1e-15);
    ck_assert_int_eq((int)g.pitch, 14);
    ck_assert_int_eq(fc_grid_init(&g, 0, 5, 2, 0, 1, 0, 1, bc, &err), FC_EINPUT);
    ck_assert_int_eq(fc_grid_init(&g, 4, 5, 2, 1, 1, 0, 1, bc, &err), FC_EINPUT);
    ck_assert_int_eq(fc_grid_init(&g, 2147483000, 2147483000, 2, 0, 1, 0, 1, bc, &err), FC_EINPUT);
}
END_TEST

/* Blocks tile the grid exactly, differ by at most one cell, and keep rank order x fastest. */
START_TEST(decomposition_tiles_the_grid)
{
    const int sizes[][2] = {{13, 7}, {64, 64}, {1000, 3}, {5, 5}};
    for (size_t q = 0; q < sizeof sizes / sizeof sizes[0]; q++)
        for (int px = 1; px <= 5; px++)
            for (int py = 1; py <= 3; py++) {
                const int nx = sizes[q][0], ny = sizes[q][1];
                if (nx < px || ny < py)
                    continue;
                int cells = 0, wide = 0, narrow = nx;
                for (int r = 0; r < px * py; r++) {
                    fc_decomp d = fc_decomp_block(nx, ny, px, py, r);
                    ck_assert_int_eq(d.rx + px * d.ry, r);
                    ck_assert(d.i0 >= 0 && d.i1 <= nx && d.i0 < d.i1);
                    ck_assert(d.j0 >= 0 && d.j1 <= ny && d.j0 < d.j1);
                    if (d.rx > 0) { /* starts where its west neighbour ends */
                        fc_decomp w = fc_decomp_block(nx, ny, px, py, r - 1);
                        ck_assert_int_eq(w.i1, d.i0);
                    }
                    if (d.ry > 0) {
                        fc_decomp s = fc_decomp_block(nx, ny, px, py, r - px);
                        ck_assert_int_eq(s.j1, d.j0);
                    }
                    cells += (d.i1 - d.i0) * (d.j1 - d.j0);
                    wide = d.i1 - d.i0 > wide ? d.i1 - d.i0 : wide;
                    narrow = d.i1 - d.i0 < narrow ? d.i1 - d.i0 : narrow;
                }
                ck_assert_int_eq(cells, nx * ny);
                ck_assert_int_le(wide - narrow, 1);
            }
}
END_TEST

/* Slabs as FFTW's distributed transforms lay out rows: ceil(n / parts) each, in order, the
 * last ones shorter or empty. */
START_TEST(decomposition_slabs_as_fftw)
{
    const int cases[][2] = {{64, 3}, {6, 4}, {10, 4}, {64, 4}, {7, 7}, {1000, 16}, {5, 1}};
    for (size_t q = 0; q < sizeof cases / sizeof cases[0]; q++) {
        const int n = cases[q][0], parts = cases[q][1], block = (n + parts - 1) / parts;
        int next = 0;
        for (int r = 0; r < parts; r++) {
            int lo, hi;
            fc_decomp_slab(n, parts, r, &lo, &hi);
            ck_assert_int_eq(lo, next);
            ck_assert_int_le(hi - lo, block);
            ck_assert(hi - lo == block || hi == n); /* only the tail is short */
            next = hi;
        }
        ck_assert_int_eq(next, n);
    }
    const int rows_64_3[] = {22, 22, 20}, rows_6_4[] = {2, 2, 2, 0}, rows_10_4[] = {3, 3, 3, 1};
    for (int r = 0; r < 4; r++) {
        int lo, hi;
        if (r < 3) {
            fc_decomp_slab(64, 3, r, &lo, &hi);
            ck_assert_int_eq(hi - lo, rows_64_3[r]);
        }
        fc_decomp_slab(6, 4, r, &lo, &hi);
        ck_assert_int_eq(hi - lo, rows_6_4[r]);
        fc_decomp_slab(10, 4, r, &lo, &hi);
        ck_assert_int_eq(hi - lo, rows_10_4[r]);
    }
}
END_TEST

/* The layout chosen for a rank count, and each error a user can meet, with its numbers. */
START_TEST(decomposition_plans_and_errors)
{
    fc_err err;
    int px, py;
    /* 4 ranks on a square grid: 2 x 2 (the shortest block sides); on a wide one: 4 x 1 */
    ck_assert_int_eq(fc_decomp_plan(4, 256, 256, 2, 0, 0, &px, &py, &err), FC_OK);
    ck_assert(px == 2 && py == 2);
    ck_assert_int_eq(fc_decomp_plan(4, 1024, 64, 2, 0, 0, &px, &py, &err), FC_OK);
    ck_assert(px == 4 && py == 1);
    /* a prime count on a tall grid goes along y; ties go along x */
    ck_assert_int_eq(fc_decomp_plan(3, 30, 300, 2, 0, 0, &px, &py, &err), FC_OK);
    ck_assert(px == 1 && py == 3);
    ck_assert_int_eq(fc_decomp_plan(2, 100, 100, 2, 0, 0, &px, &py, &err), FC_OK);
    ck_assert(px == 2 && py == 1);
    /* a narrow grid forces the other axis: 8 columns cannot take 4 ranks with a halo of 3 */
    ck_assert_int_eq(fc_decomp_plan(4, 8, 400, 3, 0, 0, &px, &py, &err), FC_OK);
    ck_assert(px == 1 && py == 4);
    /* an axis left whole may be narrower than the halo: a channel one row wide goes along x */
    ck_assert_int_eq(fc_decomp_plan(4, 200, 1, 2, 0, 0, &px, &py, &err), FC_OK);
    ck_assert(px == 4 && py == 1);
    ck_assert_int_eq(fc_decomp_plan(3, 1, 9, 3, 0, 0, &px, &py, &err), FC_OK);
    ck_assert(px == 1 && py == 3);
    ck_assert_int_eq(fc_decomp_plan(2, 200, 1, 2, 1, 2, &px, &py, &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "blocks are 200 x 0 cells"));
    ck_assert_int_eq(fc_decomp_plan(2, 200, 2, 2, 1, 2, &px, &py, &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "halo needs 2 along each split axis"));
    /* asked for: kept, or the mismatch named */
    ck_assert_int_eq(fc_decomp_plan(6, 120, 120, 2, 3, 2, &px, &py, &err), FC_OK);
    ck_assert(px == 3 && py == 2);
    ck_assert_int_eq(fc_decomp_plan(4, 120, 120, 2, 3, 2, &px, &py, &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "--decomp 3x2 needs 6 processes; this run has 4"));
    ck_assert_int_eq(fc_decomp_plan(4, 10, 120, 3, 4, 1, &px, &py, &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "blocks are 2 x 120 cells"));
    ck_assert_ptr_nonnull(strstr(err.msg, "halo needs 3"));
    ck_assert_int_eq(fc_decomp_plan(7, 10, 10, 2, 0, 0, &px, &py, &err), FC_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "7 processes cannot share the 10 x 10 grid"));
    ck_assert_int_eq(fc_decomp_plan(0, 10, 10, 2, 0, 0, &px, &py, &err), FC_EINPUT);
    /* --decomp's text */
    ck_assert_int_eq(fc_decomp_parse("4x2", &px, &py, &err), FC_OK);
    ck_assert(px == 4 && py == 2);
    const char *bad[] = {"", "4", "4x", "x2", "0x2", "4x-2", "4x2x1", "4 x 2", "99999x1", "ax2"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        ck_assert_int_eq(fc_decomp_parse(bad[k], &px, &py, &err), FC_EINPUT);
        ck_assert_ptr_nonnull(strstr(err.msg, "expected PXxPY"));
    }
}
END_TEST

/* The sum of x[0..n-1] by repro_sum.h, adding in the order of idx. */
static double repro(const fc_grid *g, const double *x, const int *idx, int n)
{
    fc_repro_sum s;
    fc_repro_start(&s, 1);
    for (int k = 0; k < n; k++)
        fc_repro_bound(&s, x[k]);
    fc_repro_ready(g, &s, 1, n);
    for (int k = 0; k < n; k++)
        fc_repro_add(&s, x[idx ? idx[k] : k]);
    double v;
    fc_repro_finish(g, &s, 1, &v);
    return v;
}

/* Terms from 1e-6 to 1e10 with large ones that cancel: in any order the sum has the same bits
 * and is the small terms' sum to 1e-15, where a plain sum loses it to 1e-7; one term is
 * itself; NaN makes NaN. */
START_TEST(sums_are_exact_in_any_order)
{
    const fc_grid g = make(4, 4, 1, FC_BC_WALL, FC_BC_WALL, FC_BC_WALL, FC_BC_WALL);
    enum { NSMALL = 400, NBIG = 1600, N = NSMALL + 2 * NBIG };
    double *x = malloc(N * sizeof *x);
    int *idx = malloc(N * sizeof *idx);
    ck_assert(x && idx);
    double small = 0; /* the small terms alone, summed in increasing size: the reference */
    for (int k = 0; k < NSMALL; k++)
        small += (x[k] = 1e-6 * (k + 1) / 3);
    unsigned r = 12345;
    for (int k = 0; k < NBIG; k++) {
        r = r * 1103515245u + 12345u;
        x[NSMALL + 2 * k] = ((r >> 8) % 2 ? 1 : -1) * 1e10 * (1 + (r >> 12) % 997 / 7.0);
        x[NSMALL + 2 * k + 1] = -x[NSMALL + 2 * k];
    }
    double plain = 0;
    for (int k = 0; k < N; k++) /* the small ones first: the big ones round them away */
        plain += x[k];
    const double forward = repro(&g, x, NULL, N);
    ck_assert_msg(fabs(forward - small) <= 1e-15 * small, "%.17g, want %.17g", forward, small);
    ck_assert_msg(fabs(plain - small) > 1e-9 * small, "the plain sum %.17g is too good a test",
                  plain);
    for (int trial = 0; trial < 5; trial++) {
        for (int k = 0; k < N; k++)
            idx[k] = k;
        for (int k = N - 1; k > 0; k--) { /* a shuffle */
            r = r * 1103515245u + 12345u;
            const int m = (int)((r >> 8) % (unsigned)(k + 1)), t = idx[k];
            idx[k] = idx[m];
            idx[m] = t;
        }
        const double shuffled = repro(&g, x, idx, N);
        ck_assert_msg(shuffled == forward, "order %d: %.17g, in order %.17g", trial, shuffled,
                      forward);
    }
    const double one[] = {1.0 / 3, -7e-280, 6.02214076e23, 0};
    for (int k = 0; k < 4; k++)
        ck_assert_msg(repro(&g, one + k, NULL, 1) == one[k], "%.17g summed alone", one[k]);
    x[17] = NAN;
    ck_assert(isnan(repro(&g, x, NULL, N)));
    x[17] = INFINITY;
    ck_assert(isnan(repro(&g, x, NULL, N)));
    free(x);
    free(idx);
}
END_TEST

/* ---- a device backend's step with one report round trip (stages.h) ---- */

/* Host arrays standing for a device's stage reports, and stages that fill them as the kernels
 * do: each stage's rate (n - s) / 4 and change (n - s) / 8 taken as atomicMax, so that a report
 * not reset keeps a larger one, and its bad cell, if any, as an atomicMin. With `flaky` the bad cells appear only
 * in the first pass. Every call is logged. */
typedef struct fake_device {
    int n, flaky, runs, down, up;
    unsigned long long bad[FC_MAX_STAGES]; /* stage s's bad cell, FC_NO_BAD_CELL: none */
    fc_dev_report dev[FC_MAX_STAGES];
    int log[2 * FC_MAX_STAGES][4]; /* s, in, out, slot of each run */
    int classified_out;
    unsigned long long classified_cell;
} fake_device;

static int fake_run(void *ctx, int s, int in, int out, int slot, fc_err *err)
{
    (void)err;
    fake_device *d = ctx;
    ck_assert_int_lt(d->runs, 2 * FC_MAX_STAGES);
    ck_assert(slot >= 0 && slot < d->n);
    int *l = d->log[d->runs++];
    l[0] = s, l[1] = in, l[2] = out, l[3] = slot;
    const double rate = (d->n - s) / 4.0;
    unsigned long long bits;
    memcpy(&bits, &rate, sizeof bits);
    if (bits > d->dev[slot].rate_bits)
        d->dev[slot].rate_bits = bits;
    const double change = (d->n - s) / 8.0;
    memcpy(&bits, &change, sizeof bits);
    if (bits > d->dev[slot].change_bits)
        d->dev[slot].change_bits = bits;
    if (d->bad[s] != FC_NO_BAD_CELL && !(d->flaky && d->runs > d->n) &&
        d->bad[s] < d->dev[slot].first_bad)
        d->dev[slot].first_bad = d->bad[s];
    return FC_OK;
}

static int fake_copy(fc_dev_report *dev, fc_dev_report *r, int count, int to_device,
                     fc_err *err)
{
    (void)err;
    fake_device *d = (fake_device *)(void *)((char *)dev - offsetof(fake_device, dev));
    ck_assert(count >= 1 && count <= d->n);
    memcpy(to_device ? d->dev : r, to_device ? r : d->dev, (size_t)count * sizeof *r);
    if (to_device)
        d->down++;
    else
        d->up++;
    return FC_OK;
}

static int fake_classify(void *ctx, int out, unsigned long long cell, fc_step_report *rep,
                         fc_err *err)
{
    (void)err;
    fake_device *d = ctx;
    d->classified_out = out;
    d->classified_cell = cell;
    rep->bad = FC_STATE_NEGATIVE;
    rep->bad_cell = (long long)cell;
    rep->bad_value = -1;
    return FC_OK;
}

/* One step of n fake stages, bad[s] the cells they report bad; the status it returned. */
static int fake_step(const fc_grid *g, fake_device *d, int n, const unsigned long long *bad,
                     int flaky, fc_step_report *rep, int *set)
{
    memset(d, 0, sizeof *d);
    d->n = n;
    d->flaky = flaky;
    d->classified_out = -1;
    for (int s = 0; s < FC_MAX_STAGES; s++)
        d->bad[s] = bad ? bad[s] : FC_NO_BAD_CELL;
    memset(d->dev, 0xA5, sizeof d->dev); /* what a device holds before the first reset */
    memset(rep, 0, sizeof *rep);
    *set = -1;
    const fc_stages st = {d, n, fake_run, d->dev, fake_copy, fake_classify};
    fc_err err = {0};
    return fc_stages_step(g, &st, rep, set, &err);
}

/* The log of runs k0.. against (s, in, out, slot) rows. */
static void assert_runs(const fake_device *d, int k0, int count, const int (*want)[4])
{
    for (int k = 0; k < count; k++)
        for (int q = 0; q < 4; q++)
            ck_assert_msg(d->log[k0 + k][q] == want[k][q],
                          "run %d: (s, in, out, slot) = (%d, %d, %d, %d), want (%d, %d, %d, %d)",
                          k0 + k, d->log[k0 + k][0], d->log[k0 + k][1], d->log[k0 + k][2],
                          d->log[k0 + k][3], want[k][0], want[k][1], want[k][2], want[k][3]);
}

/* Clean steps of 3 and 2 stages: the sets alternate from 0 (1, 2, 1), each stage reports into
 * its own slot, the reports cross once each way, and the rate and change are the last
 * stage's. */
START_TEST(stages_clean_step_one_round_trip)
{
    const fc_grid g = make(8, 4, 2, FC_BC_WALL, FC_BC_WALL, FC_BC_WALL, FC_BC_WALL);
    fake_device d;
    fc_step_report rep;
    int set;
    ck_assert_int_eq(fake_step(&g, &d, 3, NULL, 0, &rep, &set), FC_OK);
    const int three[3][4] = {{0, 0, 1, 0}, {1, 1, 2, 1}, {2, 2, 1, 2}};
    ck_assert_int_eq(d.runs, 3);
    assert_runs(&d, 0, 3, three);
    ck_assert_int_eq(d.down, 1);
    ck_assert_int_eq(d.up, 1);
    ck_assert_int_eq(rep.bad, FC_STATE_OK);
    ck_assert(rep.max_rate == 0.25);
    ck_assert(rep.change == 0.125);
    ck_assert_int_eq(set, 1);
    ck_assert_int_eq(d.classified_out, -1);
    ck_assert_int_eq(fake_step(&g, &d, 2, NULL, 0, &rep, &set), FC_OK);
    ck_assert_int_eq(d.runs, 2);
    assert_runs(&d, 0, 2, three);
    ck_assert(rep.max_rate == 0.25);
    ck_assert(rep.change == 0.125);
    ck_assert_int_eq(set, 2);
}
END_TEST

/* A bad stage: the step runs again stage by stage, each report reset into slot 0, and stops at
 * the first bad stage, classified from the set it wrote; of two bad stages the first. A stage
 * bad only in the first pass is an error. */
START_TEST(stages_bad_step_classified_stage_by_stage)
{
    const fc_grid g = make(8, 4, 2, FC_BC_WALL, FC_BC_WALL, FC_BC_WALL, FC_BC_WALL);
    const unsigned long long none = FC_NO_BAD_CELL;
    fake_device d;
    fc_step_report rep;
    int set;
    const unsigned long long middle[3] = {none, 17, none};
    ck_assert_int_eq(fake_step(&g, &d, 3, middle, 0, &rep, &set), FC_OK);
    const int again[2][4] = {{0, 0, 1, 0}, {1, 1, 2, 0}};
    ck_assert_int_eq(d.runs, 5);
    assert_runs(&d, 3, 2, again);
    ck_assert_int_eq(d.down, 3);
    ck_assert_int_eq(d.up, 3);
    ck_assert_int_eq(rep.bad, FC_STATE_NEGATIVE);
    ck_assert_int_eq(rep.bad_cell, 17);
    ck_assert_int_eq(d.classified_out, 2);
    ck_assert_int_eq(set, -1);

    const unsigned long long two[3] = {9, none, 3};
    ck_assert_int_eq(fake_step(&g, &d, 3, two, 0, &rep, &set), FC_OK);
    ck_assert_int_eq(d.runs, 4);
    ck_assert_int_eq(rep.bad_cell, 9);
    ck_assert_int_eq(d.classified_out, 1);

    /* The last stage's cell reported, with the rerun's stage 2 in slot 0: reset before it, its
     * rate would be stage 0's larger one. */
    const unsigned long long last[3] = {none, none, 5};
    ck_assert_int_eq(fake_step(&g, &d, 3, last, 0, &rep, &set), FC_OK);
    ck_assert_int_eq(d.runs, 6);
    ck_assert_int_eq(rep.bad_cell, 5);
    ck_assert_int_eq(d.classified_out, 1);
    ck_assert(rep.max_rate == 0.25);

    fc_err err = {0};
    memset(&d, 0, sizeof d);
    d.n = 3;
    d.flaky = 1;
    d.bad[0] = d.bad[2] = none;
    d.bad[1] = 4;
    const fc_stages st = {&d, 3, fake_run, d.dev, fake_copy, fake_classify};
    ck_assert_int_eq(fc_stages_step(&g, &st, &rep, &set, &err), FC_EDEVICE);
    ck_assert_msg(strstr(err.msg, "not when it ran again"), "%s", err.msg);
    const fc_stages four = {&d, 4, fake_run, d.dev, fake_copy, fake_classify};
    ck_assert_int_eq(fc_stages_step(&g, &four, &rep, &set, &err), FC_EDEVICE);
}
END_TEST

/* Another rank, through a link: its larger rate and change are the step's; a bad stage there sends this
 * rank, clean as it is, through the stage-by-stage step too, which stops where the ranks agree
 * (here at stage 1, the other rank's). */
typedef struct fake_ranks {
    double rate;
    int bad, agreed;
    double change;
} fake_ranks;

static void fake_max(void *ctx, double *v, int n)
{
    const fake_ranks *r = ctx;
    ck_assert_int_eq(n, 3);
    v[0] = fmax(v[0], r->rate);
    v[1] = fmax(v[1], r->bad);
    v[2] = fmax(v[2], r->change);
}

static void fake_agree(void *ctx, const fc_grid *block, fc_step_report *rep)
{
    (void)block;
    fake_ranks *r = ctx;
    if (r->bad && r->agreed++ == 1) {
        rep->bad = FC_STATE_NAN;
        rep->bad_cell = 31;
    }
}

START_TEST(stages_agreed_over_ranks)
{
    fc_grid g = make(8, 4, 2, FC_BC_WALL, FC_BC_WALL, FC_BC_WALL, FC_BC_WALL);
    fake_ranks other = {2.5, 0, 0, 0.75};
    fc_link link = {&other, NULL, fake_max, NULL, fake_agree};
    g.link = &link;
    fake_device d;
    fc_step_report rep;
    int set;
    ck_assert_int_eq(fake_step(&g, &d, 3, NULL, 0, &rep, &set), FC_OK);
    ck_assert(rep.max_rate == 2.5);
    ck_assert(rep.change == 0.75);
    ck_assert_int_eq(set, 1);
    ck_assert_int_eq(d.runs, 3);
    other.bad = 1;
    ck_assert_int_eq(fake_step(&g, &d, 3, NULL, 0, &rep, &set), FC_OK);
    ck_assert_int_eq(d.runs, 5);
    ck_assert_int_eq(rep.bad, FC_STATE_NAN);
    ck_assert_int_eq(rep.bad_cell, 31);
    ck_assert_int_eq(d.classified_out, -1);
    ck_assert_int_eq(set, -1);
}
END_TEST

/* A tone x = 2 + 3 sin(2 pi t / T + 0.4) over ten whole periods, 50 samples a period. */
START_TEST(series_stats_of_a_sampled_tone)
{
    const double T = 0.37, pi = acos(-1);
    enum { per = 50, n = 10 * per };
    double t[n], x[n];
    for (int k = 0; k < n; k++) {
        t[k] = k * T / per;
        x[k] = 2 + 3 * sin(2 * pi * t[k] / T + 0.4);
    }
    fc_series_stats s;
    fc_series_stats_of(t, x, n, &s);
    ck_assert_uint_eq(s.n, n);
    ck_assert_uint_eq(s.missing, 0);
    /* Whole periods sampled evenly: the mean and the spread of the samples are exact. */
    ck_assert_double_eq_tol(s.mean, 2, 1e-14);
    ck_assert_double_eq_tol(s.std, 3 / sqrt(2), 1e-14);
    /* The extremes are samples, within half a spacing of a peak (of any period: every
     * period's samples are the same but for rounding). */
    const double sag = 3 * (1 - cos(pi / per));
    ck_assert(s.max <= 5 && s.max >= 5 - sag);
    ck_assert(s.min >= -1 && s.min <= -1 + sag);
    const double t_peak = (pi / 2 - 0.4) / (2 * pi) * T;
    ck_assert_double_eq_tol(fmod(s.t_max, T), t_peak, T / per / 2 + 1e-15);
    ck_assert_double_eq(s.last, x[n - 1]);
    ck_assert_double_eq(s.t_last, t[n - 1]);
    /* Ten upward crossings, the last one beyond the last sample: nine, 8 periods apart. */
    ck_assert_int_eq(s.crossings, 10);
    ck_assert_double_eq_tol(s.period, T, 1e-6 * T);
    ck_assert(s.period_spread < 1e-6);

    /* Samples unevenly spaced: each crossing interpolated between its two samples. */
    for (int k = 1; k < n - 1; k++)
        t[k] = (k + 0.3 * sin(7.1 * k)) * T / per;
    for (int k = 0; k < n; k++)
        x[k] = 2 + 3 * sin(2 * pi * t[k] / T + 0.4);
    fc_series_stats_of(t, x, n, &s);
    ck_assert_double_eq_tol(s.period, T, 1e-4 * T);
    ck_assert(s.period_spread < 1e-3);

    /* Missing samples (fill values read as NaN), the first among them, are left out. */
    x[0] = x[17] = x[n - 1] = NAN;
    fc_series_stats_of(t, x, n, &s);
    ck_assert_uint_eq(s.n, n - 3);
    ck_assert_uint_eq(s.missing, 3);
    ck_assert_double_eq(s.last, x[n - 2]);
    ck_assert_double_eq(s.t_last, t[n - 2]);
    ck_assert(isfinite(s.min) && isfinite(s.mean) && isfinite(s.std));
    ck_assert_double_eq_tol(s.period, T, 1e-4 * T);
}
END_TEST

/* Noise about the mean makes no crossings of its own; too short a swing has no period. */
START_TEST(series_stats_period_needs_two_whole_swings)
{
    const double pi = acos(-1);
    enum { n = 4000 };
    double t[n], x[n];
    /* A slow tone (period 1, 8 periods) with a fast wiggle of 2 % of its amplitude: every
     * zero of the tone is crossed several times over, but counted once. */
    for (int k = 0; k < n; k++) {
        t[k] = k * 8.0 / n;
        x[k] = sin(2 * pi * t[k]) + 0.02 * ((k % 2) ? 1 : -1);
    }
    fc_series_stats s;
    fc_series_stats_of(t, x, n, &s);
    ck_assert_int_eq(s.crossings, 8);
    ck_assert_double_eq_tol(s.period, 1, 2e-3);

    /* One and a half periods: two crossings, no period. */
    fc_series_stats_of(t, x, n * 3 / 16, &s);
    ck_assert_int_eq(s.crossings, 2);
    ck_assert(isnan(s.period) && isnan(s.period_spread));

    /* A constant: no spread, no crossing. */
    for (int k = 0; k < n; k++)
        x[k] = 4.5;
    fc_series_stats_of(t, x, n, &s);
    ck_assert_double_eq(s.mean, 4.5);
    ck_assert_double_eq(s.std, 0);
    ck_assert_int_eq(s.crossings, 0);
    ck_assert(isnan(s.period));

    /* Nothing finite: every value NaN. */
    for (int k = 0; k < 3; k++)
        x[k] = k == 1 ? INFINITY : NAN;
    fc_series_stats_of(t, x, 3, &s);
    ck_assert_uint_eq(s.n, 0);
    ck_assert_uint_eq(s.missing, 3);
    ck_assert(isnan(s.min) && isnan(s.max) && isnan(s.mean) && isnan(s.std) && isnan(s.last));
    fc_series_stats_of(t, x, 0, &s);
    ck_assert_uint_eq(s.n + s.missing, 0);
}
END_TEST

Suite *grid_suite(void)
{
    Suite *s = suite_create("grid");
    TCase *tc = tcase_create("halo");
    tcase_add_test(tc, periodic_halo_wraps);
    tcase_add_test(tc, wall_halo_mirrors_and_flips_normal_component);
    tcase_add_test(tc, open_halo_copies_edge);
    tcase_add_test(tc, halo_wider_than_grid);
    tcase_add_test(tc, pack_unpack_round_trip);
    tcase_add_test(tc, geometry_and_bad_sizes);
    suite_add_tcase(s, tc);
    TCase *dc = tcase_create("decomposition");
    tcase_add_test(dc, decomposition_tiles_the_grid);
    tcase_add_test(dc, decomposition_slabs_as_fftw);
    tcase_add_test(dc, decomposition_plans_and_errors);
    suite_add_tcase(s, dc);
    TCase *sc = tcase_create("sums");
    tcase_add_test(sc, sums_are_exact_in_any_order);
    suite_add_tcase(s, sc);
    TCase *st = tcase_create("stages");
    tcase_add_test(st, stages_clean_step_one_round_trip);
    tcase_add_test(st, stages_bad_step_classified_stage_by_stage);
    tcase_add_test(st, stages_agreed_over_ranks);
    suite_add_tcase(s, st);
    TCase *ts = tcase_create("series statistics");
    tcase_add_test(ts, series_stats_of_a_sampled_tone);
    tcase_add_test(ts, series_stats_period_needs_two_whole_swings);
    suite_add_tcase(s, ts);
    return s;
}
