/* test_grid.c: grid geometry, halo filling for each boundary kind, packing. */
#include <fc_build.h>

#include <stdlib.h>

#include "src/core/grid.h"
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
    return s;
}
