/*
 * check_mpi.c: the halo exchange between ranks (src/core/halo.h), run by tests/mpi.sh under
 * mpirun on 1 to 4 processes. Each rank takes its block of a global grid (decomp.h) whose
 * interior holds a value that names the global cell and the field; after the exchange every
 * halo cell within the exchange's width must hold the value of the cell it stands for (wrapped
 * across a periodic side of an axis split over ranks), and a halo beyond a side that is not
 * periodic, or of an axis left whole (which wraps within its block, in the fill), must be
 * untouched.
 * Uneven blocks (13 x 7 cells), one to three fields, widths 1 to 3, all four periodicities.
 * Then the whole fill (fc_halo_fill): every block of every layout, halos included, must equal
 * the serial fc_grid_fill_halo of the whole grid bit for bit, for walls, inflows, open and
 * periodic sides and vector components, in host memory and staged through host mirrors as a
 * GPU's block is (fc_grid_fill_halos_staged). Then what a split grid gives the solvers and the
 * output (split.h, link.h): reports agreed over the ranks, the blocks gathered into the whole
 * state and scattered from it, and sums of the blocks' terms (repro_sum.h) equal to the whole
 * grid's bit for bit.
 * Unforked (CK_NOFORK): MPI does not survive fork.
 */
#include <fc_build.h>

#include <check.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/core/decomp.h"
#include "src/core/grid.h"
#include "src/core/halo.h"
#include "src/core/link.h"
#include "src/core/ranks.h"
#include "src/core/repro_sum.h"
#include "src/core/split.h"

#define UNTOUCHED (-1.0)

static int nranks, me;

static fc_real value(int field, int gi, int gj) { return (fc_real)(1e6 * field + 1000 * gj + gi); }

/* The global index a halo index stands for along an axis of n cells: itself inside, wrapped
 * when periodic, -1 beyond a side that is not. */
static int source(int k, int n, int periodic)
{
    if (k >= 0 && k < n)
        return k;
    return periodic ? ((k % n) + n) % n : -1;
}

static void check_exchange(int nx, int ny, int nfields, int width, int per_x, int per_y)
{
    fc_err err;
    int px, py;
    ck_assert_msg(fc_decomp_plan(nranks, nx, ny, width, 0, 0, &px, &py, &err) == FC_OK, "%s",
                  err.msg);
    const fc_decomp d = fc_decomp_block(nx, ny, px, py, me);
    fc_grid g;
    const int bc[4] = {FC_BC_WALL, FC_BC_WALL, FC_BC_WALL, FC_BC_WALL};
    ck_assert_msg(fc_grid_init(&g, d.i1 - d.i0, d.j1 - d.j0, 3, 0, 1, 0, 1, bc, &err) == FC_OK,
                  "%s", err.msg);
    fc_real *f[3];
    for (int q = 0; q < nfields; q++) {
        f[q] = fc_grid_alloc(&g);
        ck_assert_ptr_nonnull(f[q]);
        for (size_t k = 0; k < g.nalloc; k++)
            f[q][k] = UNTOUCHED;
        for (int j = 0; j < g.ny; j++)
            for (int i = 0; i < g.nx; i++)
                f[q][fc_idx(g.pitch, g.ng, i, j)] = value(q, d.i0 + i, d.j0 + j);
    }
    fc_halo h;
    ck_assert_msg(fc_halo_create(MPI_COMM_WORLD, px, py, per_x, per_y, nx, ny, nfields, width,
                                 &h, &err) == FC_OK,
                  "%s", err.msg);
    ck_assert_msg(fc_halo_exchange(&h, &g, f, nfields, width, &err) == FC_OK, "%s", err.msg);
    int wrong = 0;
    for (int q = 0; q < nfields; q++)
        for (int j = -g.ng; j < g.ny + g.ng; j++)
            for (int i = -g.ng; i < g.nx + g.ng; i++) {
                const int inside = i >= 0 && i < g.nx && j >= 0 && j < g.ny;
                const int reached = i >= -width && i < g.nx + width && j >= -width &&
                                    j < g.ny + width;
                const int si = source(d.i0 + i, nx, per_x && px > 1),
                          sj = source(d.j0 + j, ny, per_y && py > 1);
                const fc_real want = inside || (reached && si >= 0 && sj >= 0)
                                         ? value(q, si, sj)
                                         : UNTOUCHED;
                if (f[q][fc_idx(g.pitch, g.ng, i, j)] != want && wrong++ < 5)
                    fprintf(stderr,
                            "rank %d of %d (%dx%d), periodic %d %d, width %d: field %d cell "
                            "(%d, %d) holds %g, expected %g\n",
                            me, nranks, px, py, per_x, per_y, width, q, i, j,
                            (double)f[q][fc_idx(g.pitch, g.ng, i, j)], (double)want);
            }
    fc_halo_free(&h);
    for (int q = 0; q < nfields; q++)
        free(f[q]);
    int any = 0;
    MPI_Allreduce(&wrong, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    ck_assert_msg(any == 0, "%d wrong halo cells on this rank (the most on any: %d)", wrong, any);
}

START_TEST(halos_hold_the_neighbours_cells)
{
    for (int per = 0; per < 4; per++)
        for (int width = 1; width <= 3; width++)
            check_exchange(13, 7, 1 + (width + per) % 3, width, per & 1, per >> 1);
}
END_TEST

/* The same on a grid where 4 ranks must go along one axis (8 columns, halo 3), and on a
 * channel one row wide, periodic both ways: the ranks go along it, and across it (left whole)
 * the exchange leaves the halo to the fill. */
START_TEST(halos_on_a_narrow_grid)
{
    check_exchange(8, 40, 2, 3, 1, 0);
    check_exchange(8, 40, 2, 3, 0, 1);
    check_exchange(13, 1, 2, 3, 1, 1);
}
END_TEST

/* A stager (grid.h) between host arrays standing for a GPU's fields and their mirrors: what
 * fc_grid_fill_halos_staged asks of the device, done with memcpy, and counted. */
typedef struct far_fields {
    fc_real **far, **mirror;
    ptrdiff_t pitch;
    int copies, syncs;
} far_fields;

static int far_copy(void *ctx, int f, ptrdiff_t at, int width, int rows, int to_host, fc_err *err)
{
    far_fields *m = ctx;
    (void)err;
    for (int r = 0; r < rows; r++) {
        fc_real *far = m->far[f] + at + r * m->pitch, *near = m->mirror[f] + at + r * m->pitch;
        memcpy(to_host ? near : far, to_host ? far : near, (size_t)width * sizeof(fc_real));
    }
    m->copies++;
    return FC_OK;
}

static int far_sync(void *ctx, fc_err *err)
{
    (void)err;
    ((far_fields *)ctx)->syncs++;
    return FC_OK;
}

/* Fills the halos of block's fields far[0..nf-1] as a GPU block's are (fc_dev_fill_halos),
 * through mirrors that hold NaN but where the staging copies: the mirrors' other cells must
 * neither be read (a NaN would reach a halo) nor written. */
static void fill_staged(const fc_grid *block, fc_halo *h, fc_real **far, const int *odd_x,
                        const int *odd_y, int nf)
{
    fc_link link;
    fc_halo_link(h, &link);
    fc_grid g = *block;
    g.link = &link;
    fc_real *mirror[3];
    for (int q = 0; q < nf; q++) {
        mirror[q] = fc_grid_alloc(&g);
        ck_assert_ptr_nonnull(mirror[q]);
        for (size_t k = 0; k < g.nalloc; k++)
            mirror[q][k] = NAN;
    }
    far_fields m = {far, mirror, g.pitch, 0, 0};
    const fc_stager stager = {&m, far_copy, far_sync};
    fc_err err;
    ck_assert_msg(fc_grid_fill_halos_staged(&g, mirror, &stager, odd_x, odd_y, nf, &err) ==
                      FC_OK,
                  "%s", err.msg);
    ck_assert_int_eq(m.syncs, 2); /* once down, once up */
    const int ng = g.ng;
    int stray = 0;
    for (int q = 0; q < nf; q++) {
        for (int j = ng; j < g.ny - ng; j++)
            for (int i = ng; i < g.nx - ng; i++)
                stray += !isnan(mirror[q][fc_idx(g.pitch, ng, i, j)]);
        free(mirror[q]);
    }
    ck_assert_msg(stray == 0, "%d cells of the mirrors beyond the edge bands were written", stray);
}

/* Every layout of the ranks that fits an nx x ny grid with a halo of 3, every pairing of global
 * boundary kinds, a scalar and both vector components: each block's fields, halos included,
 * equal bit for bit the whole grid's after fc_grid_fill_halo on one process, filled in host
 * memory and filled through host mirrors (fill_staged). Returns how many layouts fit. */
static int check_fill(int nx, int ny)
{
    const int ng = 3, nf = 3, odd_x[3] = {0, 1, 0}, odd_y[3] = {0, 0, 1};
    const int xs[][2] = {{FC_BC_PERIODIC, FC_BC_PERIODIC}, {FC_BC_WALL, FC_BC_OPEN},
                         {FC_BC_INFLOW, FC_BC_WALL}, {FC_BC_OPEN, FC_BC_OPEN}};
    const int ys[][2] = {{FC_BC_PERIODIC, FC_BC_PERIODIC}, {FC_BC_WALL, FC_BC_WALL},
                         {FC_BC_OPEN, FC_BC_INFLOW}};
    fc_err err;
    int layouts = 0;
    for (int px = 1; px <= nranks; px++) {
        const int py = nranks / px;
        if (px * py != nranks || nx / px < (px > 1 ? ng : 1) || ny / py < (py > 1 ? ng : 1))
            continue; /* a layout fc_decomp_plan refuses */
        layouts++;
        const fc_decomp d = fc_decomp_block(nx, ny, px, py, me);
        for (size_t a = 0; a < sizeof xs / sizeof xs[0]; a++)
            for (size_t b = 0; b < sizeof ys / sizeof ys[0]; b++) {
                const int bc[4] = {xs[a][0], xs[a][1], ys[b][0], ys[b][1]};
                fc_grid whole, block;
                ck_assert_int_eq(fc_grid_init(&whole, nx, ny, ng, 0, 1, 0, 1, bc, &err), FC_OK);
                fc_halo h;
                ck_assert_msg(fc_halo_create(MPI_COMM_WORLD, px, py, bc[0] == FC_BC_PERIODIC,
                                             bc[2] == FC_BC_PERIODIC, nx, ny, nf, ng, &h,
                                             &err) == FC_OK,
                              "%s", err.msg);
                int bbc[4];
                fc_halo_block_bc(&h, bc, bbc);
                ck_assert_int_eq(fc_grid_init(&block, d.i1 - d.i0, d.j1 - d.j0, ng, 0, 1, 0, 1,
                                              bbc, &err),
                                 FC_OK);
                fc_real *g[3], *f[3], *far[3];
                for (int q = 0; q < nf; q++) {
                    g[q] = fc_grid_alloc(&whole);
                    f[q] = fc_grid_alloc(&block);
                    far[q] = fc_grid_alloc(&block);
                    ck_assert(g[q] && f[q] && far[q]);
                    for (int j = 0; j < ny; j++)
                        for (int i = 0; i < nx; i++)
                            g[q][fc_idx(whole.pitch, ng, i, j)] = value(q, i, j) + (fc_real)0.25;
                    for (int j = 0; j < block.ny; j++)
                        for (int i = 0; i < block.nx; i++)
                            f[q][fc_idx(block.pitch, ng, i, j)] =
                                far[q][fc_idx(block.pitch, ng, i, j)] =
                                    g[q][fc_idx(whole.pitch, ng, d.i0 + i, d.j0 + j)];
                    fc_grid_fill_halo(&whole, g[q], odd_x[q], odd_y[q]);
                }
                ck_assert_msg(fc_halo_fill(&h, &block, f, odd_x, odd_y, nf, &err) == FC_OK, "%s",
                              err.msg);
                fill_staged(&block, &h, far, odd_x, odd_y, nf);
                int wrong = 0;
                for (int q = 0; q < nf; q++)
                    for (int j = -ng; j < block.ny + ng; j++)
                        for (int i = -ng; i < block.nx + ng; i++) {
                            const ptrdiff_t k = fc_idx(block.pitch, ng, i, j);
                            const fc_real want = g[q][fc_idx(whole.pitch, ng, d.i0 + i, d.j0 + j)];
                            for (int way = 0; way < 2; way++) {
                                const fc_real got = way ? far[q][k] : f[q][k];
                                if (got != want && wrong++ < 3)
                                    fprintf(stderr,
                                            "rank %d (%dx%d), sides %s %s %s %s, %s: field %d "
                                            "cell (%d, %d) of the block holds %g, the serial "
                                            "fill %g\n",
                                            me, px, py, fc_bc_name(bc[0]), fc_bc_name(bc[1]),
                                            fc_bc_name(bc[2]), fc_bc_name(bc[3]),
                                            way ? "staged" : "in place", q, i, j, (double)got,
                                            (double)want);
                            }
                        }
                fc_halo_free(&h);
                for (int q = 0; q < nf; q++)
                    free(g[q]), free(f[q]), free(far[q]);
                int any = 0;
                MPI_Allreduce(&wrong, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
                ck_assert_msg(any == 0, "blocks differ from the serial fill");
            }
    }
    return layouts;
}

/* 13 x 9, and grids narrower than the halo along the axis a layout leaves whole: a channel
 * one row wide (13 x 1), two rows (13 x 2), one column (1 x 12). */
START_TEST(filled_blocks_match_the_serial_fill)
{
    ck_assert_int_gt(check_fill(13, 9), 0);
    ck_assert_int_gt(check_fill(13, 1), 0);
    ck_assert_int_gt(check_fill(13, 2), 0);
    ck_assert_int_gt(check_fill(1, 12), 0);
}
END_TEST

/* The whole nx x ny grid (halo ng, sides bc) split into tiles over the ranks: this rank's block
 * of it, and the split (NULL on one process). */
static fc_split *split_tiles(int nx, int ny, int ng, const int bc[4], int nfields, fc_grid *whole,
                             fc_grid *block)
{
    fc_split *sp;
    fc_err err;
    ck_assert_int_eq(fc_grid_init(whole, nx, ny, ng, 0, 1, 0, 1, bc, &err), FC_OK);
    ck_assert_msg(fc_split_start(whole, nfields, FC_BLOCKS_TILES, block, &sp, &err) == FC_OK,
                  "%s", err.msg);
    return sp;
}

/* What a split gives the solvers (link.h): with no bad cell, the largest rate and change of
 * all ranks; with bad cells on every rank but the first, the first of them in the whole grid's
 * order, named in the whole grid's indices, with its owner's kind and value. On one process the
 * report is left as it is. */
START_TEST(reports_agree_on_the_first_bad_cell)
{
    const int nx = 13, ny = 7, bc[4] = {FC_BC_WALL, FC_BC_OPEN, FC_BC_PERIODIC, FC_BC_PERIODIC};
    fc_grid whole, block;
    fc_split *sp = split_tiles(nx, ny, 2, bc, 1, &whole, &block);
    ck_assert(nranks == 1 ? sp == NULL : sp != NULL);
    fc_step_report rep = {.max_rate = me + 1.0, .change = 2.0 * (nranks - me)};
    fc_report_agree(&block, &rep);
    ck_assert(rep.max_rate == nranks && rep.change == 2.0 * nranks && rep.bad == FC_STATE_OK);
    ck_assert(fc_grid_max(&block, me + 0.5) == nranks - 0.5);

    fc_step_report bad = {0};
    if (me > 0 || nranks == 1) { /* the last cell of the block */
        bad.bad = me % 2 ? FC_STATE_NAN : FC_STATE_NEGATIVE;
        bad.bad_cell = (long long)(block.ny - 1) * block.nx + block.nx - 1;
        bad.bad_value = -me;
    }
    fc_report_agree(&block, &bad);
    int px, py, owner = 0;
    fc_split_layout(sp, &px, &py);
    long long first = (long long)nx * ny;
    for (int r = nranks == 1 ? 0 : 1; r < nranks; r++) {
        const fc_decomp d = fc_decomp_block(nx, ny, px, py, r);
        const long long c = (long long)(d.j1 - 1) * nx + d.i1 - 1;
        if (c < first)
            first = c, owner = r;
    }
    ck_assert_int_eq(bad.bad_cell, first);
    ck_assert_int_eq(bad.bad, owner % 2 ? FC_STATE_NAN : FC_STATE_NEGATIVE);
    ck_assert(bad.bad_value == -owner);
    fc_split_free(sp);
}
END_TEST

/* Each rank's part, halos included, holds the value that names each cell; gathered on the
 * first process they make the whole grid's fields: every interior cell and every halo cell
 * beyond the whole grid's sides, corners included, from the block that holds it. */
START_TEST(gathered_blocks_are_the_whole_state)
{
    const int nx = 13, ny = 9, ng = 2, nf = 2;
    const int bc[4] = {FC_BC_OPEN, FC_BC_WALL, FC_BC_WALL, FC_BC_OPEN};
    fc_grid whole, block;
    fc_split *sp = split_tiles(nx, ny, ng, bc, nf, &whole, &block);
    fc_err err;
    fc_real *part[2], *w[2];
    for (int q = 0; q < nf; q++) {
        part[q] = fc_grid_alloc(&block);
        w[q] = fc_grid_alloc(&whole);
        ck_assert(part[q] && w[q]);
        for (size_t k = 0; k < whole.nalloc; k++)
            w[q][k] = UNTOUCHED;
        for (int j = -ng; j < block.ny + ng; j++)
            for (int i = -ng; i < block.nx + ng; i++)
                part[q][fc_idx(block.pitch, ng, i, j)] = value(q, block.i0 + i, block.j0 + j);
    }
    ck_assert_msg(fc_split_gather(sp, &block, part, &whole, w, nf, &err) == FC_OK, "%s", err.msg);
    int wrong = 0;
    for (int q = 0; me == 0 && q < nf; q++)
        for (int j = -ng; j < ny + ng; j++)
            for (int i = -ng; i < nx + ng; i++)
                if (w[q][fc_idx(whole.pitch, ng, i, j)] != value(q, i, j) && wrong++ < 3)
                    fprintf(stderr, "field %d cell (%d, %d) gathered as %g\n", q, i, j,
                            (double)w[q][fc_idx(whole.pitch, ng, i, j)]);
    for (int q = 0; q < nf; q++)
        free(part[q]), free(w[q]);
    fc_split_free(sp);
    ck_assert_int_eq(wrong, 0);
}
END_TEST

/* The whole fields, held by the first process only, scattered: every rank's part holds its
 * block's cells, halos included, as they are in the whole grid. */
START_TEST(scattered_blocks_are_the_whole_states)
{
    const int nx = 11, ny = 10, ng = 2, nf = 2;
    const int bc[4] = {FC_BC_PERIODIC, FC_BC_PERIODIC, FC_BC_WALL, FC_BC_OPEN};
    fc_grid whole, block;
    fc_split *sp = split_tiles(nx, ny, ng, bc, nf, &whole, &block);
    fc_err err;
    fc_real *part[2], *w[2] = {NULL, NULL};
    for (int q = 0; q < nf; q++) {
        ck_assert_ptr_nonnull(part[q] = fc_grid_alloc(&block));
        if (me != 0)
            continue;
        ck_assert_ptr_nonnull(w[q] = fc_grid_alloc(&whole));
        for (int j = -ng; j < ny + ng; j++)
            for (int i = -ng; i < nx + ng; i++)
                w[q][fc_idx(whole.pitch, ng, i, j)] = value(q, i, j);
    }
    ck_assert_msg(fc_split_scatter(sp, &whole, w, &block, part, nf, &err) == FC_OK, "%s",
                  err.msg);
    int wrong = 0;
    for (int q = 0; q < nf; q++)
        for (int j = -ng; j < block.ny + ng; j++)
            for (int i = -ng; i < block.nx + ng; i++)
                if (part[q][fc_idx(block.pitch, ng, i, j)] != value(q, block.i0 + i, block.j0 + j) &&
                    wrong++ < 3)
                    fprintf(stderr, "rank %d field %d cell (%d, %d) scattered as %g\n", me, q, i,
                            j, (double)part[q][fc_idx(block.pitch, ng, i, j)]);
    for (int q = 0; q < nf; q++)
        free(part[q]), free(w[q]);
    fc_split_free(sp);
    ck_assert_int_eq(wrong, 0);
}
END_TEST

/* A term of cell (i, j) of the whole grid whose plain sums depend on their order: values from
 * 1e-8 to 1e8 of both signs. */
static double term(int i, int j)
{
    const unsigned h = (unsigned)(i * 2654435761u) ^ (unsigned)(j * 40503u + 12345u);
    return ((h & 1) ? -1.0 : 1.0) * pow(10.0, (double)(h % 17) - 8.0) * (1.0 + (h % 1009) / 1e3);
}

/* Sums of each block's terms over the ranks give the bits of the same sums on the whole grid,
 * whatever the layout, added in another order than the whole grid's. */
START_TEST(sums_over_blocks_are_the_whole_grids)
{
    const int nx = 37, ny = 23;
    const int bc[4] = {FC_BC_PERIODIC, FC_BC_PERIODIC, FC_BC_WALL, FC_BC_WALL};
    fc_grid whole, block;
    fc_split *sp = split_tiles(nx, ny, 2, bc, 1, &whole, &block);
    double got[2], want[2];
    for (int pass = 0; pass < 2; pass++) {
        const fc_grid *g = pass ? &block : &whole; /* the whole grid: this process alone */
        fc_repro_sum s[2];
        fc_repro_start(s, 2);
        for (int j = 0; j < g->ny; j++)
            for (int i = 0; i < g->nx; i++) {
                const double x = term(g->i0 + i, g->j0 + j);
                fc_repro_bound(&s[0], x);
                fc_repro_bound(&s[1], x * x);
            }
        fc_repro_ready(g, s, 2, (double)nx * ny);
        for (int j = g->ny - 1; j >= 0; j--) /* another order than the first pass's */
            for (int i = 0; i < g->nx; i++) {
                const double x = term(g->i0 + i, g->j0 + j);
                fc_repro_add(&s[0], x);
                fc_repro_add(&s[1], x * x);
            }
        fc_repro_finish(g, s, 2, pass ? got : want);
    }
    fc_split_free(sp);
    for (int k = 0; k < 2; k++)
        ck_assert_msg(got[k] == want[k], "sum %d: %.17g over the blocks, %.17g on the whole grid",
                      k, got[k], want[k]);
}
END_TEST

int main(int argc, char **argv)
{
    /* Joined through ranks.h (fc_split reads the job from there), or by hand when the test
     * was started without a launcher (a job of one). */
    fc_ranks job;
    fc_err err;
    int provided;
    if (fc_ranks_start(&argc, &argv, &job, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    if (!job.mpi)
        MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    MPI_Comm_rank(MPI_COMM_WORLD, &me);
    Suite *s = suite_create("mpi");
    TCase *tc = tcase_create("halo");
    tcase_add_test(tc, halos_hold_the_neighbours_cells);
    tcase_add_test(tc, halos_on_a_narrow_grid);
    tcase_add_test(tc, filled_blocks_match_the_serial_fill);
    tcase_add_test(tc, reports_agree_on_the_first_bad_cell);
    tcase_add_test(tc, gathered_blocks_are_the_whole_state);
    tcase_add_test(tc, scattered_blocks_are_the_whole_states);
    tcase_add_test(tc, sums_over_blocks_are_the_whole_grids);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, me == 0 ? CK_NORMAL : CK_SILENT);
    int failed = srunner_ntests_failed(sr), any = 0;
    srunner_free(sr);
    MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Finalize();
    return any ? 1 : 0;
}
