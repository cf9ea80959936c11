/*
 * test_surrogate.c: surrogates of solver output: neighbourhoods at periodic and wall boundaries,
 * the time split and normalisation from training records only, the model file's round trip and
 * atomic replacement, training and rollout end to end, and every bad input (a variable missing
 * from the data, files on different grids, a model used on other variables, a damaged model).
 */
#include <fc_build.h>

#include <float.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ml/dataset.h"
#include "src/core/grid.h"
#include "src/core/run.h"
#include "tests/suites.h"
#include "ml/surrogate.h"
#include "ml/threads.h"
#include "tests/testlib.h"
#include "solvers/registry.h"

/* Cell (i, j) of a 4 x 3 field holds i + 10 j; v holds the same as a y-velocity. */
START_TEST(neighbourhoods_follow_the_boundaries)
{
    ml_geometry g = {.nx = 4, .ny = 3, .stencil = 3, .nvars = 2, .nstatic = 0};
    g.odd_y[1] = 1;
    float f[2 * 12], x[18];
    for (int v = 0; v < 2; v++)
        for (int j = 0; j < 3; j++)
            for (int i = 0; i < 4; i++)
                f[v * 12 + j * 4 + i] = (float)(i + 10 * j);
    const float mean[18] = {0}, std[18] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    /* Periodic: the south-west corner's neighbours wrap to the far sides. */
    const int periodic[4] = {FC_BC_PERIODIC, FC_BC_PERIODIC, FC_BC_PERIODIC, FC_BC_PERIODIC};
    memcpy(g.bc, periodic, sizeof g.bc);
    /* The features: the cell's value, then neighbour minus cell, rows j = -1, 0, 1 without the
     * cell (mean 0 and deviation 1 here, so the raw features). */
    ml_neighbourhood(&g, f, NULL, mean, std, 0, 0, x);
    const float want_p[9] = {0, 23, 20, 21, 3, 1, 13, 10, 11};
    for (int k = 0; k < 9; k++) {
        ck_assert_float_eq(x[k], want_p[k]);
        ck_assert_float_eq(x[9 + k], want_p[k]); /* no sign flips without walls */
    }
    /* Walls: mirrored about the face; v (a y-velocity) changes sign across south and north. */
    const int walls[4] = {FC_BC_WALL, FC_BC_WALL, FC_BC_WALL, FC_BC_WALL};
    memcpy(g.bc, walls, sizeof g.bc);
    ml_neighbourhood(&g, f, NULL, mean, std, 3, 2, x); /* the north-east corner, value 23 */
    const float want_w[9] = {23, 12 - 23, 13 - 23, 13 - 23, 22 - 23, 23 - 23, 22 - 23, 23 - 23,
                             23 - 23};
    const float flip_w[9] = {23, 12 - 23, 13 - 23, 13 - 23, 22 - 23, 23 - 23, -22 - 23,
                             -23 - 23, -23 - 23};
    for (int k = 0; k < 9; k++) {
        ck_assert_float_eq(x[k], want_w[k]);
        ck_assert_float_eq(x[9 + k], flip_w[k]);
    }
    int bc[4];
    ck_assert_int_eq(ml_parse_boundaries("west=periodic east=periodic south=wall north=open", bc), 0);
    ck_assert(bc[0] == FC_BC_PERIODIC && bc[2] == FC_BC_WALL && bc[3] == FC_BC_OPEN);
    ck_assert_int_ne(ml_parse_boundaries("west=sticky", bc), 0);
}
END_TEST

/* Every cell's neighbourhood, inside the grid (read directly) and near its sides (through
 * the boundary's sources), against the definition written out element by element: the
 * source cell of each offset by fc_halo_source, its sign flipped by an odd number of
 * reflections of an odd variable, minus the centre, normalised; the same bits. */
START_TEST(neighbourhoods_inside_and_near_sides_match_the_definition)
{
    enum { NXG = 9, NYG = 7, ST = 5, NV = 2, NS = 1, NF = (NV + NS) * ST * ST };
    ml_geometry g = {.nx = NXG, .ny = NYG, .stencil = ST, .nvars = NV, .nstatic = NS};
    g.odd_x[0] = 1, g.odd_y[1] = 1;
    static float f[NV * NXG * NYG], st[NS * NXG * NYG], mean[NF], sd[NF], x[NF];
    for (int k = 0; k < NV * NXG * NYG; k++)
        f[k] = (float)sin(0.37 * k) * 3.0f;
    for (int k = 0; k < NS * NXG * NYG; k++)
        st[k] = (float)cos(0.11 * k);
    for (int k = 0; k < NF; k++)
        mean[k] = 0.01f * (float)(k % 7), sd[k] = 0.5f + 0.03f * (float)(k % 11);
    static const int sets[4][4] = {{FC_BC_PERIODIC, FC_BC_PERIODIC, FC_BC_PERIODIC, FC_BC_PERIODIC},
                                   {FC_BC_WALL, FC_BC_WALL, FC_BC_WALL, FC_BC_WALL},
                                   {FC_BC_OPEN, FC_BC_OPEN, FC_BC_OPEN, FC_BC_OPEN},
                                   {FC_BC_INFLOW, FC_BC_OPEN, FC_BC_WALL, FC_BC_PERIODIC}};
    const int r = ST / 2;
    int inside = 0;
    for (int b = 0; b < 4; b++) {
        memcpy(g.bc, sets[b], sizeof g.bc);
        if (b == 3)
            g.bc[FC_SOUTH] = FC_BC_PERIODIC; /* periodic pairs */
        for (int j = -1; j <= NYG; j++)
            for (int i = -1; i <= NXG; i++) {
                if ((i < 0 || i >= NXG) && (j < 0 || j >= NYG))
                    continue; /* ghost cells lie beside one side, not at corners */
                inside += i >= r && i < NXG - r && j >= r && j < NYG - r;
                ml_neighbourhood(&g, f, st, mean, sd, i, j, x);
                int o = 0;
                for (int v = 0; v < NV + NS; v++) {
                    const float *fv = v < NV ? f + v * NXG * NYG : st + (v - NV) * NXG * NYG;
                    const int ox = v < NV && g.odd_x[v], oy = v < NV && g.odd_y[v];
                    int cx, cy;
                    const int ci = fc_halo_source(i, NXG, g.bc[FC_WEST], g.bc[FC_EAST], &cx);
                    const int cj = fc_halo_source(j, NYG, g.bc[FC_SOUTH], g.bc[FC_NORTH], &cy);
                    const float raw = fv[cj * NXG + ci];
                    const float c = ((ox ? cx : 0) + (oy ? cy : 0)) & 1 ? -raw : raw;
                    float want = (c - mean[o]) / sd[o];
                    ck_assert_msg(memcmp(&x[o], &want, sizeof want) == 0, "bc set %d, cell (%d, "
                                  "%d), feature %d: %a, want %a", b, i, j, o, x[o], want);
                    o++;
                    for (int dj = -r; dj <= r; dj++)
                        for (int di = -r; di <= r; di++) {
                            if (!di && !dj)
                                continue;
                            int rx, ry;
                            const int si = fc_halo_source(i + di, NXG, g.bc[FC_WEST],
                                                          g.bc[FC_EAST], &rx);
                            const int sj = fc_halo_source(j + dj, NYG, g.bc[FC_SOUTH],
                                                          g.bc[FC_NORTH], &ry);
                            const float val = fv[sj * NXG + si];
                            const float sv = ((ox ? rx : 0) + (oy ? ry : 0)) & 1 ? -val : val;
                            want = (sv - c - mean[o]) / sd[o];
                            ck_assert_msg(memcmp(&x[o], &want, sizeof want) == 0,
                                          "bc set %d, cell (%d, %d), feature %d: %a, want %a", b,
                                          i, j, o, x[o], want);
                            o++;
                        }
                }
            }
    }
    ck_assert_int_eq(inside, 4 * (NXG - 2 * r) * (NYG - 2 * r)); /* the direct path ran */
}
END_TEST

/* A small swe run to learn from: waves from a hump in a periodic box, nt records. */
static const char waves_case[] =
    "[case]\nsolver = swe\n[grid]\nnx = 12\nny = 10\nx_max = 1.2\ny_max = 1\n[time]\nt_end = 0.2\n"
    "[output]\ninterval = 0.02\n[boundary]\nwest = periodic\neast = periodic\nsouth = wall\n"
    "north = wall\n[initial]\ntype = gaussian_bump\ndepth = 1\namplitude = 0.1\nradius = 0.2\n"
    "center_x = 0.6\ncenter_y = 0.5\n";

static const char *make_data(const char *name, const char *const *sets, int nsets)
{
    static char paths[4][512];
    static int k;
    char *path = paths[k++ % 4];
    snprintf(path, 512, "%s", tl_temp_path(name));
    fc_run_opts o = {.solvers = fc_solvers(), .case_path = tl_temp_file("waves.ini", waves_case), .sets = sets,
                     .nsets = nsets, .device = "cpu", .output = path, .overwrite = 1, .quiet = 1};
    fc_run_result res;
    fc_err err;
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    return path;
}

/* The waves data as a dataset of h, u, v and b, 3 x 3, the last 20 % validating. */
static void open_waves(ml_dataset *d, const char *data)
{
    const char *vars[] = {"h", "u", "v"}, *statics[] = {"b"};
    fc_err err;
    ck_assert_msg(ml_dataset_open(d, &data, 1, vars, 3, statics, 1, 3, 0.2, 0, &err) == FC_OK, "%s",
                  err.msg);
}

START_TEST(split_by_time_and_normalise_from_training_only)
{
    const char *data = make_data("waves.nc", NULL, 0);
    ml_dataset d;
    open_waves(&d, data);
    /* 11 records, 10 pairs: the last 2 validate. */
    ck_assert_int_eq(d.npairs[ML_TRAIN], 8);
    ck_assert_int_eq(d.npairs[ML_VALID], 2);
    ck_assert_int_eq(d.pair_t[ML_VALID][0], 8);
    ck_assert_double_eq_tol(d.interval, 0.02, 1e-12);
    ck_assert_str_eq(d.boundaries, "west=periodic east=periodic south=wall north=wall");
    ck_assert(d.geo.odd_x[1] && d.geo.odd_y[2] && !d.geo.odd_x[0]);
    /* The mean of h over the training records, computed here directly. */
    double s = 0;
    for (int t = 0; t < 8; t++)
        for (int k = 0; k < 120; k++)
            s += d.files[0].data[((size_t)t * 3 + 0) * 120 + k];
    ck_assert_double_eq_tol(d.in_mean[0], s / 960, 1e-6);
    /* The mean of h's feature "east neighbour minus cell" (feature 5: after the cell and the
     * row below), with the periodic wrap. */
    double e = 0;
    for (int t = 0; t < 8; t++)
        for (int j = 0; j < 10; j++)
            for (int i = 0; i < 12; i++) {
                const float *h = d.files[0].data + (size_t)t * 3 * 120 + j * 12;
                e += (double)h[(i + 1) % 12] - h[i];
            }
    ck_assert_double_eq_tol(d.in_mean[5], e / 960, 1e-6);
    ck_assert_float_gt(d.in_std[5], 0);
    for (int k = 27; k < 36; k++) /* a flat bottom: deviation 1, inputs 0 */
        ck_assert_float_eq(d.in_std[k], 1.0f);
    /* A batch's target is the normalised change of its cell. */
    size_t idx[1] = {5 * 120 + 7}; /* pair 5, cell (7, 0) */
    float x[36], y[3];
    ml_dataset_batch(&d, ML_TRAIN, idx, 1, x, y);
    const float *now = d.files[0].data + (size_t)5 * 3 * 120, *next = now + 3 * 120;
    ck_assert_float_eq_tol(y[0] * d.out_std[0] + d.out_mean[0], next[7] - now[7], 1e-6f);
    ck_assert_float_eq_tol(x[0] * d.in_std[0] + d.in_mean[0], now[7], 1e-6f); /* h at the cell */
    ck_assert_float_eq_tol(x[5] * d.in_std[5] + d.in_mean[5], now[8] - now[7], 1e-6f); /* east */
    ml_dataset_free(&d);
}
END_TEST

/* Held-out members: with --holdout 1 of two files, the second validates whole and the first
 * trains whole; holding out every file is refused. */
START_TEST(holdout_keeps_whole_files_out)
{
    const char *files[] = {make_data("waves.nc", NULL, 0),
                           make_data("waves2.nc", (const char *[]){"initial.amplitude=0.05"}, 1)};
    const char *vars[] = {"h"};
    ml_dataset d;
    fc_err err;
    ck_assert_msg(ml_dataset_open(&d, files, 2, vars, 1, NULL, 0, 3, 0.2, 1, &err) == FC_OK, "%s",
                  err.msg);
    ck_assert_int_eq(d.npairs[ML_TRAIN], 10);
    ck_assert_int_eq(d.npairs[ML_VALID], 10);
    for (int p = 0; p < 10; p++) {
        ck_assert_int_eq(d.pair_file[ML_TRAIN][p], 0);
        ck_assert_int_eq(d.pair_file[ML_VALID][p], 1);
    }
    ml_dataset_free(&d);
    ck_assert_int_eq(ml_dataset_open(&d, files, 2, vars, 1, NULL, 0, 3, 0.2, 2, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "hold out fewer files than the 2 given"), "%s", err.msg);
}
END_TEST

START_TEST(bad_data_is_named)
{
    const char *data = make_data("waves.nc", NULL, 0);
    const char *sets[] = {"grid.nx=16"};
    const char *other = make_data("wider.nc", sets, 1);
    const char *vars[] = {"h", "speed"}, *good[] = {"h"};
    ml_dataset d;
    fc_err err;
    ck_assert_int_eq(ml_dataset_open(&d, &data, 1, vars, 2, NULL, 0, 3, 0.2, 0, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "no variable 'speed'"), "%s", err.msg);
    const char *both[] = {data, other};
    ck_assert_int_eq(ml_dataset_open(&d, both, 2, good, 1, NULL, 0, 3, 0.2, 0, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "wider.nc: variable 'h' is 16 x 10; the first file's grid is 12 x 10"),
                  "%s", err.msg);
    ck_assert_int_eq(ml_dataset_open(&d, &data, 1, good, 1, NULL, 0, 4, 0.2, 0, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "stencil must be odd"), "%s", err.msg);
    const char *statics[] = {"h"};
    ck_assert_int_eq(ml_dataset_open(&d, &data, 1, (const char *[]){"b"}, 1, statics, 1, 3, 0.2, 0, &err),
                     FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "variable 'b' is static"), "%s", err.msg);
    const char *missing = tl_temp_path("nothing.nc");
    ck_assert_int_eq(ml_dataset_open(&d, &missing, 1, good, 1, NULL, 0, 3, 0.2, 0, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "cannot read data file"), "%s", err.msg);
}
END_TEST

/* Training options of a small model (one hidden layer of `width`) of h, u, v and b from the
 * waves data, written to model_name in the test folder (removed first); the tests change what
 * they test. */
static ml_train_opts small_training(const char *model_name, int width)
{
    static const char *vars[] = {"h", "u", "v"}, *statics[] = {"b"}, *data;
    static char model[512];
    static int hidden[1];
    data = make_data("waves.nc", NULL, 0);
    snprintf(model, sizeof model, "%s", tl_temp_path(model_name));
    unlink(model);
    hidden[0] = width;
    ml_train_opts o = {.data = &data, .ndata = 1, .vars = vars, .nvars = 3, .statics = statics,
                       .nstatic = 1, .stencil = 3, .hidden = hidden, .nhidden = 1,
                       .activation = MLP_TANH, .optimizer = MLP_ADAMW, .epochs = 4, .batch = 32,
                       .patience = 10, .lr = 3e-3, .weight_decay = 0.01, .val_fraction = 0.2,
                       .seed = 3, .output = model};
    return o;
}

/* Trains a small model; loads it back; a second training resumes it. */
START_TEST(train_save_load_resume_rollout)
{
    ml_train_opts o = small_training("model.nc", 16);
    const char *data = o.data[0], *model = o.output;
    fc_err err;
    ck_assert_msg(ml_train(&o, &err) == FC_OK, "%s", err.msg);
    ml_surrogate s;
    mlp_optim opt;
    ck_assert_msg(ml_surrogate_load(&s, &opt, model, &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(s.epochs_done, 4);
    ck_assert_int_eq(s.net.n[0], 36);
    ck_assert_int_eq(s.net.n[2], 3);
    ck_assert_str_eq(s.vars[2], "v");
    ck_assert_str_eq(s.statics[0], "b");
    ck_assert_str_eq(s.solver, "swe");
    ck_assert_msg(strstr(s.case_name, "waves.ini"), "provenance: %s", s.case_name);
    ck_assert_msg(strstr(s.data_files, "waves.nc"), "provenance: %s", s.data_files);
    ck_assert(s.val_loss[s.best_epoch] == s.best_val);
    for (int e = 0; e < 4; e++)
        ck_assert_double_le(s.best_val, s.val_loss[e]);
    /* The file counts epochs from 1, as train's messages do. */
    int ncid, best_in_file = -1;
    ck_assert_int_eq(nc_open(model, NC_NOWRITE, &ncid), NC_NOERR);
    ck_assert_int_eq(nc_get_att_int(ncid, NC_GLOBAL, "best_epoch", &best_in_file), NC_NOERR);
    nc_close(ncid);
    ck_assert_int_eq(best_in_file, s.best_epoch + 1);
    ck_assert_int_gt((int)opt.t, 0);
    /* Saved and read again: the same bits. */
    const char *copy = tl_temp_path("copy.nc");
    ck_assert_int_eq(ml_surrogate_save(&s, &opt, copy, &err), FC_OK);
    ml_surrogate s2;
    ck_assert_int_eq(ml_surrogate_load(&s2, NULL, copy, &err), FC_OK);
    ck_assert(!memcmp(s.net.params, s2.net.params, s.net.nparams * sizeof(float)));
    ck_assert(!memcmp(s.in_std, s2.in_std, sizeof s.in_std));
    ck_assert_int_eq(access(tl_temp_path("copy.nc.tmp"), F_OK), -1);
    ml_surrogate_free(&s2);
    mlp_optim_free(&opt);
    ml_surrogate_free(&s);

    /* An existing model is not replaced by a new training; --resume goes on to 6 epochs. */
    ck_assert_int_eq(ml_train(&o, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "exists; it is left untouched"), "%s", err.msg);
    o.resume = 1;
    o.epochs = 6;
    ck_assert_msg(ml_train(&o, &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(ml_surrogate_load(&s, NULL, model, &err), FC_OK);
    ck_assert_int_ge(s.epochs_done, 5);
    ml_surrogate_free(&s);
    /* Resuming with other variables is refused. */
    const char *other[] = {"h", "v", "u"};
    o.vars = other;
    o.epochs = 8;
    ck_assert_int_eq(ml_train(&o, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "emulates 'u' where --vars gives 'v'"), "%s", err.msg);

    /* A rollout from the first record writes every step and scores it. */
    const char *pred = tl_temp_path("pred.nc");
    unlink(pred);
    ml_rollout_opts r = {.solvers = fc_solvers(), .model = model, .init = data, .output = pred, .time = NAN, .steps = 3};
    ml_rollout_result res;
    /* The rollout's threads follow the load (machine_load.h), never more than the cores; the
     * caller's thread count is given back afterwards, also when the forecast fails (below). */
    const int threads_before = omp_get_max_threads();
    omp_set_num_threads(omp_get_num_procs() + 2);
    ck_assert_msg(ml_rollout(&r, &res, &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(omp_get_max_threads(), omp_get_num_procs() + 2);
    /* Scores for each lead and variable; the data has every record the forecast reaches. */
    ck_assert_int_eq(res.steps, 3);
    ck_assert_int_eq(res.nvars, 3);
    for (int k = 0; k < 9; k++)
        ck_assert(isfinite(res.rmse[k]) && isfinite(res.persistence[k]) && isfinite(res.drift[k]));
    int dim;
    size_t nt;
    ck_assert_int_eq(nc_open(pred, NC_NOWRITE, &ncid), NC_NOERR);
    ck_assert_int_eq(nc_inq_dimid(ncid, "time", &dim), NC_NOERR);
    nc_inq_dimlen(ncid, dim, &nt);
    ck_assert_uint_eq(nt, 4);
    /* u starts at rest (0 everywhere): its drift is relative to its rms in the forecast, not
     * an absolute mean; at the first lead, the mean of u over its rms. */
    double u1[120], mean = 0, ms = 0;
    int uid;
    ck_assert_int_eq(nc_inq_varid(ncid, "u", &uid), NC_NOERR);
    ck_assert_int_eq(nc_get_vara_double(ncid, uid, (size_t[]){1, 0, 0}, (size_t[]){1, 10, 12}, u1),
                     NC_NOERR);
    for (int k = 0; k < 120; k++) {
        mean += u1[k] / 120;
        ms += u1[k] * u1[k] / 120;
    }
    ck_assert_double_gt(ms, 0);
    ck_assert_msg(fabs(res.drift[1] - mean / sqrt(ms)) <= 1e-5 * fabs(mean / sqrt(ms)) + 1e-12,
                  "drift of u %g, its mean over its rms %g", res.drift[1], mean / sqrt(ms));
    nc_close(ncid);
    ml_rollout_result_free(&res);
    ck_assert_int_eq(ml_rollout(&r, &res, &err), FC_EINPUT); /* the forecast is not overwritten */
    r.overwrite = 1;
    r.time = 0.5;
    ck_assert_int_eq(ml_rollout(&r, &res, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "has no record at --time 0.5 s"), "%s", err.msg);
    /* The solver is timed from the init file's case; from another solver's run it is not. */
    r.time = NAN;
    ck_assert_msg(ml_rollout(&r, &res, &err) == FC_OK, "%s", err.msg);
    ck_assert_msg(res.solver_seconds > 0, "%s", res.solver_why);
    ml_rollout_result_free(&res);
    ck_assert_int_eq(nc_open(data, NC_WRITE, &ncid), NC_NOERR);
    nc_redef(ncid);
    ck_assert_int_eq(nc_put_att_text(ncid, NC_GLOBAL, "flowcast_solver", 4, "ns2d"), NC_NOERR);
    nc_close(ncid);
    ck_assert_msg(ml_rollout(&r, &res, &err) == FC_OK, "%s", err.msg);
    ck_assert_double_lt(res.solver_seconds, 0);
    ck_assert_msg(strstr(res.solver_why, "solver ns2d's output; the model emulates swe"), "%s",
                  res.solver_why);
    ml_rollout_result_free(&res);
    ck_assert_int_eq(nc_open(data, NC_WRITE, &ncid), NC_NOERR);
    ck_assert_int_eq(nc_put_att_text(ncid, NC_GLOBAL, "flowcast_solver", 3, "swe"), NC_NOERR);
    nc_close(ncid);

    /* A model whose changes are scaled up to float's largest diverges: the rollout stops at
     * the first state that is not finite, a failed run whose file keeps the states before. */
    ck_assert_int_eq(nc_open(model, NC_WRITE, &ncid), NC_NOERR);
    int vid;
    const float huge[3] = {3e38f, 3e38f, 3e38f};
    ck_assert_int_eq(nc_inq_varid(ncid, "output_std", &vid), NC_NOERR);
    ck_assert_int_eq(nc_put_var_float(ncid, vid, huge), NC_NOERR);
    nc_close(ncid);
    r.time = NAN;
    r.steps = 50;
    ck_assert_int_eq(ml_rollout(&r, &res, &err), FC_ENUMERIC);
    ck_assert_int_eq(omp_get_max_threads(), omp_get_num_procs() + 2);
    omp_set_num_threads(threads_before);
    printf("a model that diverges: %s\n", err.msg);
    ck_assert_msg(strstr(err.msg, "the forecast diverged: ") && strstr(err.msg, "is not finite after"),
                  "%s", err.msg);
    ck_assert_int_lt(res.steps, 50);
    for (int k = 0; k < res.steps * res.nvars; k++)
        ck_assert(isfinite(res.drift[k]));
    ck_assert_int_eq(nc_open(pred, NC_NOWRITE, &ncid), NC_NOERR);
    ck_assert_int_eq(nc_inq_dimid(ncid, "time", &dim), NC_NOERR);
    nc_inq_dimlen(ncid, dim, &nt);
    ck_assert_uint_eq(nt, (size_t)res.steps + 1);
    nc_close(ncid);
    ml_rollout_result_free(&res);
}
END_TEST

/* A forecast of euler's vertical slice is on its data's axes: height z (units, axis Z,
 * positive up, and its values), not a "y" of fill values that plotting refused; its history
 * is the command that made it, --time included. */
static const char slice_case[] =
    "[case]\nsolver = euler\n[grid]\nnx = 12\nny = 8\nx_min = -6000\nx_max = 6000\n"
    "y_max = 8000\n[boundary]\nwest = periodic\neast = periodic\n[time]\nt_end = 120\n"
    "[output]\ninterval = 10\n[physics]\nbackground = stable\n[initial]\ntype = bubble\n"
    "amplitude = 2\ncenter_x = 0\ncenter_z = 3000\nradius_x = 3000\nradius_z = 2000\n";

START_TEST(a_forecast_keeps_the_data_s_axes)
{
    const char *data = tl_temp_path("slice.nc"), *model = tl_temp_path("slice_model.nc"),
               *pred = tl_temp_path("slice_pred.nc");
    fc_run_opts run = {.solvers = fc_solvers(), .case_path = tl_temp_file("slice.ini", slice_case),
                       .device = "cpu", .output = data, .overwrite = 1, .quiet = 1};
    fc_run_result ran;
    fc_err err;
    ck_assert_msg(fc_run(&run, &ran, &err) == FC_OK, "%s", err.msg);
    static const char *vars[] = {"rho_prime", "rhow"};
    static const int hidden[] = {8};
    unlink(model);
    ml_train_opts o = {.data = &data, .ndata = 1, .vars = vars, .nvars = 2, .stencil = 3,
                       .hidden = hidden, .nhidden = 1, .activation = MLP_TANH,
                       .optimizer = MLP_ADAMW, .epochs = 1, .batch = 32, .patience = 10,
                       .lr = 3e-3, .val_fraction = 0.2, .seed = 3, .output = model};
    ck_assert_msg(ml_train(&o, &err) == FC_OK, "%s", err.msg);
    const char *command = "flowcast rollout --model slice_model.nc --init slice.nc --time 20 "
                          "--steps 2 -o slice_pred.nc";
    ml_rollout_opts r = {.model = model, .init = data, .output = pred, .time = 20, .steps = 2,
                         .overwrite = 1, .command_line = command};
    ml_rollout_result res;
    ck_assert_msg(ml_rollout(&r, &res, &err) == FC_OK, "%s", err.msg);
    ml_rollout_result_free(&res);
    int in, out, dim, id_in, id_out;
    ck_assert_int_eq(nc_open(data, NC_NOWRITE, &in), NC_NOERR);
    ck_assert_int_eq(nc_open(pred, NC_NOWRITE, &out), NC_NOERR);
    ck_assert_int_eq(nc_inq_dimid(out, "y", &dim), NC_EBADDIM);
    ck_assert_int_eq(nc_inq_dimid(out, "z", &dim), NC_NOERR);
    ck_assert_int_eq(nc_inq_varid(in, "z", &id_in), NC_NOERR);
    ck_assert_int_eq(nc_inq_varid(out, "z", &id_out), NC_NOERR);
    double z_in[8], z_out[8];
    ck_assert_int_eq(nc_get_var_double(in, id_in, z_in), NC_NOERR);
    ck_assert_int_eq(nc_get_var_double(out, id_out, z_out), NC_NOERR);
    for (int j = 0; j < 8; j++)
        ck_assert_double_eq(z_out[j], z_in[j]);
    char text[256] = "";
    ck_assert_int_eq(nc_get_att_text(out, id_out, "positive", text), NC_NOERR);
    ck_assert_str_eq(text, "up");
    memset(text, 0, sizeof text);
    ck_assert_int_eq(nc_get_att_text(out, id_out, "axis", text), NC_NOERR);
    ck_assert_str_eq(text, "Z");
    memset(text, 0, sizeof text);
    ck_assert_int_eq(nc_get_att_text(out, id_out, "units", text), NC_NOERR);
    ck_assert_str_eq(text, "m");
    size_t n;
    ck_assert_int_eq(nc_inq_attlen(out, NC_GLOBAL, "history", &n), NC_NOERR);
    char *history = calloc(n + 1, 1);
    ck_assert_ptr_nonnull(history);
    ck_assert_int_eq(nc_get_att_text(out, NC_GLOBAL, "history", history), NC_NOERR);
    ck_assert_msg(strstr(history, command), "%s", history);
    free(history);
    nc_close(in);
    nc_close(out);
}
END_TEST

/* Sum of field v of a state [nvars][plane], in long double: a plain double loop's own rounding
 * (1e-13 of the sum over 10^4 cells) would hide the step's. */
static double field_sum(const double *state, int v, size_t plane)
{
    long double sum = 0;
    for (size_t k = 0; k < plane; k++)
        sum += state[v * plane + k];
    return (double)sum;
}

/* The constraints of a forecast step: shallow-water data makes h conserved and non-negative by
 * default (kept in the model file); on the closed waves domain (periodic and walls) h's sum
 * stays to double round-off over 40 steps of a model whose every step would change it, also
 * when its changes are so large that cells run dry; on a domain with an open side the sum
 * changes as predicted and only positivity holds. */
START_TEST(forecast_steps_conserve_and_stay_nonnegative)
{
    ml_train_opts o = small_training("conserving.nc", 8);
    const char *model = o.output;
    o.epochs = 1;
    o.conserve = "q";
    fc_err err;
    ck_assert_int_eq(ml_train(&o, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "--conserve: 'q' is not one of the variables 'h,u,v'"), "%s",
                  err.msg);
    o.conserve = NULL;
    ck_assert_msg(ml_train(&o, &err) == FC_OK, "%s", err.msg);
    ml_surrogate s;
    ck_assert_msg(ml_surrogate_load(&s, NULL, model, &err) == FC_OK, "%s", err.msg);
    ck_assert_uint_eq(s.conserved, 1);
    ck_assert_uint_eq(s.nonnegative, 1);
    ck_assert(ml_surrogate_closed(&s));

    const ml_geometry *g = &s.geo;
    const size_t plane = (size_t)g->nx * g->ny, n = plane * g->nvars;
    double *state = malloc(n * sizeof *state), *start = malloc(n * sizeof *start);
    float *statics_f = calloc(plane, sizeof *statics_f), *scratch = malloc(n * sizeof *scratch);
    float *x = malloc(plane * (size_t)ml_features_per_sample(g) * sizeof *x);
    mlp_work w;
    ck_assert_int_eq(mlp_work_init(&w, &s.net, (int)plane, &err), FC_OK);
    for (size_t k = 0; k < n; k++) /* a depth of 1 +- 0.3, velocities of +-0.1 */
        start[k] = (k < plane ? 1 + 0.3 * sin(0.37 * (double)k) : 0.1 * cos(0.11 * (double)k));
    /* 0: as trained, with a bias of 0.01 a step in h; 1: the same, h not conserved (the bias
     * shows); 2: changes of 30 times the trained spread (cells run dry); 3: the same with an
     * open west side. */
    const float bias = s.out_mean[0], spread = s.out_std[0];
    for (int trial = 0; trial < 4; trial++) {
        s.conserved = trial == 1 ? 0 : 1;
        s.out_mean[0] = bias + 0.01f;
        s.out_std[0] = trial >= 2 ? 30 * spread : spread;
        s.geo.bc[FC_WEST] = trial == 3 ? FC_BC_OPEN : FC_BC_PERIODIC;
        memcpy(state, start, n * sizeof *state);
        const double sum0 = field_sum(state, 0, plane);
        double lowest = INFINITY;
        int dry = 0;
        for (int step = 0; step < 40; step++) {
            ck_assert_int_eq(ml_surrogate_step(&s, &w, NULL, state, statics_f, x, scratch, NULL, &err), FC_OK);
            for (size_t k = 0; k < plane; k++) {
                lowest = fmin(lowest, state[k]);
                dry += state[k] == 0;
            }
        }
        const double drift = fabs(field_sum(state, 0, plane) - sum0) / sum0;
        if (trial == 1 || trial == 3)
            ck_assert_msg(drift > 1e-3, "trial %d: the sum of h should change: %g", trial, drift);
        else
            ck_assert_msg(drift <= 8 * DBL_EPSILON, "trial %d: the sum of h drifts by %g", trial,
                          drift);
        printf("forecast step constraints, trial %d: 40 steps, sum of h changed by %.2e of it, "
               "lowest h %.3g, %d dry cells\n", trial, drift, lowest, dry);
        ck_assert_msg(lowest >= 0, "trial %d: h reaches %g", trial, lowest);
        if (trial >= 2)
            ck_assert_msg(dry > 0, "trial %d: no cell ran dry: the test tests nothing", trial);
    }
    mlp_work_free(&w);
    free(state);
    free(start);
    free(statics_f);
    free(scratch);
    free(x);
    ml_surrogate_free(&s);
}
END_TEST

/* A flux-form model's loss against central differences in each output of its three rows (the
 * cells, their west and south neighbours) on a 5 x 4 domain with an open west side, a wall to
 * the east and periodic south and north sides; h in flux form, u not. The loss is quadratic in
 * the outputs, so the differences are exact up to rounding. A wall face carries no flux: its
 * output has no gradient. */
START_TEST(flux_loss_gradient_matches_finite_differences)
{
    ml_surrogate s;
    memset(&s, 0, sizeof s);
    s.geo.nx = 5;
    s.geo.ny = 4;
    s.geo.nvars = 2;
    s.geo.bc[FC_WEST] = FC_BC_OPEN;
    s.geo.bc[FC_EAST] = FC_BC_WALL;
    s.geo.bc[FC_SOUTH] = s.geo.bc[FC_NORTH] = FC_BC_PERIODIC;
    s.flux = 1;
    s.net.nlayers = 1;
    s.net.n[1] = ml_surrogate_outputs(&s.geo, s.flux);
    ck_assert_int_eq(s.net.n[1], 3);
    enum { B = 20, NO = 3 };
    size_t idx[B];
    float o[3 * B * NO], y[B * 2], dout[3 * B * NO], again[3 * B * NO];
    for (int r = 0; r < B; r++)
        idx[r] = 2 * 20 + (size_t)r; /* every cell of record pair 2 */
    for (int k = 0; k < 3 * B * NO; k++)
        o[k] = (float)sin(1.3 * k + 0.2);
    for (int k = 0; k < 2 * B; k++)
        y[k] = (float)cos(0.7 * k);
    const double L = ml_surrogate_flux_loss(&s, o, y, idx, B, dout, NULL);
    ck_assert(L > 0.1);
    /* Each variable's sum of squared errors, which the validation reports per variable. */
    double per_var[2] = {0, 0};
    ck_assert_double_eq(ml_surrogate_flux_loss(&s, o, y, idx, B, NULL, per_var), L);
    ck_assert_double_eq_tol((per_var[0] + per_var[1]) / (2.0 * B), L, 1e-12 * L);
    ck_assert(per_var[0] > 0 && per_var[1] > 0);
    for (int k = 0; k < 3 * B * NO; k++) {
        const float keep = o[k];
        o[k] = keep + 0.25f;
        const double lp = ml_surrogate_flux_loss(&s, o, y, idx, B, again, NULL);
        o[k] = keep - 0.25f;
        const double lm = ml_surrogate_flux_loss(&s, o, y, idx, B, again, NULL);
        o[k] = keep;
        const double fd = (lp - lm) / 0.5;
        ck_assert_msg(fabs(fd - dout[k]) <= 1e-5 * (1 + fabs(dout[k])),
                      "output %d (row %d, column %d): finite difference %.8g, gradient %.8g", k,
                      k / NO, k % NO, fd, dout[k]);
    }
    for (int r = 0; r < B; r++) {
        const int i = r % 5;
        if (i == 4) /* its east face is the wall */
            ck_assert_float_eq(dout[r * NO], 0);
        else
            ck_assert_float_ne(dout[r * NO], 0);
        /* u's change is the cell's own output: its neighbours' u outputs do not count */
        ck_assert_float_eq(dout[(B + r) * NO + 2], 0);
        ck_assert_float_eq(dout[(2 * B + r) * NO + 2], 0);
        ck_assert_float_ne(dout[r * NO + 2], 0);
    }
}
END_TEST

/*
 * Flux form (--flux): h's face fluxes move it between cells, so over 40 steps of a small trained
 * model its domain sum changes, step by step, by exactly what crossed the sides (to round-off):
 * nothing on the closed waves domain, something once the west, east and south sides are open
 * (the ghost cells beyond the west and south ones give those boundary faces); with fluxes 30
 * times the trained ones the donor-cell limiter keeps every cell >= 0 where cells are emptied,
 * and the balance holds. A model file whose flux-form variables are not its own, or do not fit
 * its widths, is refused.
 */
START_TEST(flux_form_steps_balance_and_stay_nonnegative)
{
    ml_train_opts o = small_training("flux.nc", 8);
    o.epochs = 2;
    o.flux = 1;
    fc_err err;
    o.conserve = "none";
    ck_assert_int_eq(ml_train(&o, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "--flux: no variable is conserved"), "%s", err.msg);
    o.conserve = NULL;
    ck_assert_msg(ml_train(&o, &err) == FC_OK, "%s", err.msg);
    ml_surrogate s;
    ck_assert_msg(ml_surrogate_load(&s, NULL, o.output, &err) == FC_OK, "%s", err.msg);
    ck_assert_uint_eq(s.flux, 1);
    ck_assert_uint_eq(s.conserved, 1);
    ck_assert_int_eq(s.net.n[s.net.nlayers], 4);
    ck_assert_float_eq(s.out_mean[0], 0);
    /* h's fluxes start from h u dt / dx and h v dt / dy at the faces (u and v emulated too). */
    ck_assert_int_eq(s.advect, 1);
    ck_assert_int_eq(s.advect_var[0], 1);
    ck_assert_int_eq(s.advect_var[1], 2);

    const ml_geometry *g = &s.geo;
    const size_t plane = (size_t)g->nx * g->ny, n = plane * g->nvars;
    double *state = malloc(n * sizeof *state);
    float *statics_f = calloc(plane, sizeof *statics_f), *scratch = malloc(n * sizeof *scratch);
    float *x = malloc(plane * (size_t)ml_features_per_sample(g) * sizeof *x);
    mlp_work w;
    ck_assert_int_eq(mlp_work_init(&w, &s.net, (int)plane, &err), FC_OK);
    const float spread = s.out_std[0];
    for (int trial = 0; trial < 3; trial++) {
        s.geo.bc[FC_WEST] = s.geo.bc[FC_EAST] = trial ? FC_BC_OPEN : FC_BC_PERIODIC;
        s.geo.bc[FC_SOUTH] = trial ? FC_BC_OPEN : FC_BC_WALL;
        s.out_std[0] = trial == 2 ? 30 * spread : spread;
        for (size_t k = 0; k < n; k++) /* a depth of 1 +- 0.3, velocities of +-0.1 */
            state[k] = (k < plane ? 1 + 0.3 * sin(0.37 * (double)k) : 0.1 * cos(0.11 * (double)k));
        const double sum0 = field_sum(state, 0, plane);
        double worst = 0, crossed = 0, lowest = INFINITY;
        int emptied = 0;
        for (int step = 0; step < 40; step++) {
            double inflow[ML_MAX_VARS];
            const double before = field_sum(state, 0, plane);
            ck_assert_int_eq(ml_surrogate_step(&s, &w, NULL, state, statics_f, x, scratch, inflow,
                                               &err), FC_OK);
            ck_assert(isnan(inflow[1]) && isnan(inflow[2]));
            worst = fmax(worst, fabs(field_sum(state, 0, plane) - before - inflow[0]));
            crossed += fabs(inflow[0]);
            if (!trial)
                ck_assert_double_eq(inflow[0], 0);
            for (size_t k = 0; k < plane; k++) {
                lowest = fmin(lowest, state[k]);
                emptied += state[k] < 1e-12;
            }
        }
        printf("flux form, trial %d: 40 steps, %.3e of the sum of h crossed the sides, the sum "
               "changed by %.2e of it beyond that at worst, lowest h %.3g, %d emptied cells\n",
               trial, crossed / sum0, worst / sum0, lowest, emptied);
        ck_assert_msg(worst <= 1e-14 * sum0, "trial %d: the sum of h changed by %g beyond what "
                      "crossed the sides", trial, worst / sum0);
        ck_assert_msg(lowest >= 0, "trial %d: h reaches %g", trial, lowest);
        if (trial)
            ck_assert_msg(crossed > 1e-4 * sum0, "trial %d: nothing crossed the open sides",
                          trial);
        if (trial == 2)
            ck_assert_msg(emptied > 0, "no cell was emptied: the limiter was not tested");
    }
    /* The advective flux from a cell's features: the mean of the two cells' h times the mean
     * of their velocities across the face, in h's units of out_std; none through a wall,
     * where the normal velocity's mirror cancels it. */
    s.geo.bc[FC_WEST] = s.geo.bc[FC_SOUTH] = s.geo.bc[FC_NORTH] = FC_BC_PERIODIC;
    s.geo.bc[FC_EAST] = FC_BC_WALL;
    s.out_std[0] = spread;
    for (size_t k = 0; k < n; k++)
        state[k] = (k < plane ? 1 + 0.3 * sin(0.37 * (double)k) : 0.1 * cos(0.11 * (double)k));
    for (size_t k = 0; k < n; k++)
        scratch[k] = (float)state[k];
    const int nf = ml_features_per_sample(g), no = s.net.n[s.net.nlayers];
    float o4[2][4] = {{0}};
    const int ci[2] = {2, g->nx - 1}, cj = 1;
    for (int c = 0; c < 2; c++)
        ml_neighbourhood(g, scratch, statics_f, s.in_mean, s.in_std, ci[c], cj, x + c * nf);
    ml_surrogate_add_advection(&s, x, 2, &o4[0][0]);
    ck_assert_int_eq(no, 4);
    for (int c = 0; c < 2; c++) {
        const size_t at = (size_t)cj * g->nx + ci[c], east = at + (c ? 0 : 1), north = at + g->nx;
        const double fe = c ? 0
                            : (state[at] + state[east]) / 2 *
                                  (state[plane + at] + state[plane + east]) / 2 * s.interval /
                                  s.dx / spread,
                     fn = (state[at] + state[north]) / 2 *
                          (state[2 * plane + at] + state[2 * plane + north]) / 2 * s.interval /
                          s.dy / spread;
        printf("advective flux of h, cell (%d, %d): east %.6e (direct %.6e), north %.6e (direct "
               "%.6e)\n", ci[c], cj, o4[c][0], fe, o4[c][1], fn);
        ck_assert_msg(fabs(o4[c][0] - fe) <= 1e-5 * (fabs(fn) + fabs(fe)), "east %g", o4[c][0]);
        ck_assert_msg(fabs(o4[c][1] - fn) <= 1e-5 * fabs(fn), "north %g", o4[c][1]);
        ck_assert(o4[c][2] == 0 && o4[c][3] == 0); /* u and v: the network's alone */
    }
    ck_assert(fabs(o4[0][0]) > 0 && fabs(o4[0][1]) > 0);
    for (int k = 0; k < 2; k++) { /* damaged, then as it was */
        int nc0;
        ck_assert_int_eq(nc_open(o.output, NC_WRITE, &nc0), NC_NOERR);
        ck_assert_int_eq(nc_redef(nc0), NC_NOERR);
        ck_assert_int_eq(nc_put_att_text(nc0, NC_GLOBAL, "flux_advected_by", 3, k ? "u,v" : "u,h"),
                         NC_NOERR);
        ck_assert_int_eq(nc_close(nc0), NC_NOERR);
        ml_surrogate again;
        ck_assert_int_eq(ml_surrogate_load(&again, NULL, o.output, &err), k ? FC_OK : FC_EINPUT);
        if (k)
            ml_surrogate_free(&again);
        else
            ck_assert_msg(strstr(err.msg, "flux_advected_by 'u,h' is not two velocities (u,v)"),
                          "%s", err.msg);
    }
    const char *damage[][2] = {{"q", "its flux-form variable 'q' is not among its variables 'h,u,v'"},
                               {"", "do not match its 3 variable(s) (0 in flux form, two outputs "
                                    "each)"}};
    for (int k = 0; k < 2; k++) {
        int ncid;
        ck_assert_int_eq(nc_open(o.output, NC_WRITE, &ncid), NC_NOERR);
        ck_assert_int_eq(nc_redef(ncid), NC_NOERR);
        ck_assert_int_eq(nc_put_att_text(ncid, NC_GLOBAL, "flux_variables", strlen(damage[k][0]),
                                         damage[k][0]), NC_NOERR);
        ck_assert_int_eq(nc_close(ncid), NC_NOERR);
        ml_surrogate bad;
        ck_assert_int_eq(ml_surrogate_load(&bad, NULL, o.output, &err), FC_EINPUT);
        ck_assert_msg(strstr(err.msg, damage[k][1]), "%s", err.msg);
    }
    mlp_work_free(&w);
    free(state);
    free(statics_f);
    free(scratch);
    free(x);
    ml_surrogate_free(&s);
}
END_TEST

/* Pushforward and state noise: a training sample that draws a pushed state reads its inputs
 * from it and learns the change from it to the true next record; a training with both runs
 * and records them in the model. */
START_TEST(pushed_states_are_inputs_and_targets_start_from_them)
{
    const char *data = make_data("waves.nc", NULL, 0);
    ml_dataset d;
    fc_err err;
    open_waves(&d, data);
    const size_t plane = (size_t)d.geo.nx * d.geo.ny, n = plane * 3;
    ml_file *mf = &d.files[0];
    mf->pushed = malloc((size_t)mf->nt * n * sizeof *mf->pushed);
    mf->pushed_ok = calloc((size_t)mf->nt, 1);
    const int t = d.pair_t[ML_TRAIN][1];
    for (size_t k = 0; k < n; k++) /* the true state of record t, h raised by 0.25 */
        mf->pushed[(size_t)t * n + k] = mf->data[(size_t)t * n + k] + (k < plane ? 0.25f : 0);
    mf->pushed_ok[t] = 1;
    const int nf = ml_features_per_sample(&d.geo);
    float *x = malloc((size_t)nf * sizeof *x), *y = malloc(3 * sizeof *y);
    const size_t sample = plane + 5; /* pair 1, cell 5 */
    for (int pushed = 0; pushed < 2; pushed++) {
        d.push_fraction = pushed;
        ml_dataset_batch(&d, ML_TRAIN, &sample, 1, x, y);
        const float now = mf->data[(size_t)t * n + 5], next = mf->data[(size_t)(t + 1) * n + 5];
        const float from = now + (pushed ? 0.25f : 0);
        ck_assert_float_eq_tol(x[0], (from - d.in_mean[0]) / d.in_std[0], 1e-5);
        ck_assert_float_eq_tol(y[0], (next - from - d.out_mean[0]) / d.out_std[0], 1e-4);
    }
    /* Validation samples never read pushed states. */
    const size_t vsample = 5;
    d.pair_t[ML_VALID][0] = t;
    d.pair_file[ML_VALID][0] = 0;
    ml_dataset_batch(&d, ML_VALID, &vsample, 1, x, y);
    ck_assert_float_eq_tol(x[0], (mf->data[(size_t)t * n + 5] - d.in_mean[0]) / d.in_std[0], 1e-5);
    free(x);
    free(y);
    ml_dataset_free(&d);

    ml_train_opts o = small_training("pushed.nc", 8);
    const char *model = o.output;
    o.epochs = 3;
    o.unroll = 3;
    o.state_noise = 0.5;
    ck_assert_msg(ml_train(&o, &err) == FC_OK, "%s", err.msg);
    ml_surrogate s;
    ck_assert_msg(ml_surrogate_load(&s, NULL, model, &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(s.unroll, 3);
    ck_assert_double_eq(s.state_noise, 0.5);
    ck_assert_int_eq(s.epochs_done, 3);
    for (int e = 0; e < 3; e++)
        ck_assert(isfinite(s.train_loss[e]) && isfinite(s.val_loss[e]));
    ml_surrogate_free(&s);
}
END_TEST

START_TEST(a_model_meets_wrong_inputs)
{
    const char *data = make_data("waves.nc", NULL, 0);
    char model[512]; /* tl_temp_path's buffers are reused */
    snprintf(model, sizeof model, "%s", tl_temp_path("m2.nc"));
    unlink(model);
    const char *vars[] = {"h", "hu"};
    const int hidden[] = {8};
    ml_train_opts o = {.data = &data, .ndata = 1, .vars = vars, .nvars = 2, .stencil = 1,
                       .hidden = hidden, .nhidden = 1, .activation = MLP_RELU,
                       .optimizer = MLP_SGD, .epochs = 1, .batch = 64, .patience = 1, .lr = 1e-3,
                       .val_fraction = 0.2, .seed = 1, .output = model};
    fc_err err;
    ck_assert_msg(ml_train(&o, &err) == FC_OK, "%s", err.msg);
    /* Another grid: the run's variables exist but on 16 x 10. */
    const char *sets[] = {"grid.nx=16"};
    const char *wide = make_data("wide2.nc", sets, 1);
    ml_rollout_opts r = {.solvers = fc_solvers(), .model = model, .init = wide, .output = tl_temp_path("p2.nc"),
                         .time = NAN, .steps = 1, .overwrite = 1};
    ml_rollout_result scores;
    ck_assert_int_eq(ml_rollout(&r, &scores, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "variable 'h' is 16 x 10; the model was trained on a 12 x 10 grid"),
                  "%s", err.msg);
    /* Other boundaries: the model's neighbourhoods would wrap across the walls. */
    const char *walled_sets[] = {"boundary.west=wall", "boundary.east=wall"};
    r.init = make_data("walled.nc", walled_sets, 2);
    ck_assert_int_eq(ml_rollout(&r, &scores, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "walled.nc: boundaries west=wall east=wall south=wall "
                                  "north=wall; the model was trained on data with west=periodic "
                                  "east=periodic south=wall north=wall"),
                  "%s", err.msg);
    /* Data without the model's variables: an ns2d run has no 'h' (nor 'hu'). */
    const char *ns = tl_temp_file("ns.ini", "[case]\nsolver = ns2d\n[grid]\nnx = 12\nny = 10\nx_max = 1.2\ny_max = 1\n"
                                            "[time]\nt_end = 0.02\n[physics]\nviscosity = 0.01\n"
                                            "[boundary]\nnorth_wall_speed = 1\n[initial]\ntype = rest\n");
    fc_run_opts ro = {.case_path = ns, .solvers = fc_solvers(), .device = "cpu", .output = tl_temp_path("ns.nc"),
                      .overwrite = 1, .quiet = 1};
    fc_run_result res;
    ck_assert_msg(fc_run(&ro, &res, &err) == FC_OK, "%s", err.msg);
    r.init = ro.output;
    ck_assert_int_eq(ml_rollout(&r, &scores, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "no variable 'h', which the model needs"), "%s", err.msg);
    /* Damaged model files: a data file, and a model whose parameters were cut short. */
    ml_surrogate s;
    ck_assert_int_eq(ml_surrogate_load(&s, NULL, data, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "is not a flowcast model file"), "%s", err.msg);
    const char *text = tl_temp_file("junk.nc", "not NetCDF at all\n");
    ck_assert_int_eq(ml_surrogate_load(&s, NULL, text, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "cannot read model file"), "%s", err.msg);
    int ncid, vid;
    ck_assert_int_eq(nc_open(model, NC_WRITE, &ncid), NC_NOERR);
    nc_redef(ncid);
    ck_assert_int_eq(nc_inq_varid(ncid, "params", &vid), NC_NOERR);
    ck_assert_int_eq(nc_rename_var(ncid, vid, "params_lost"), NC_NOERR);
    nc_close(ncid);
    ck_assert_int_eq(ml_surrogate_load(&s, NULL, model, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "no variable 'params'") && strstr(err.msg, "damaged model file"), "%s", err.msg);
    /* A variable named twice (its two outputs could not be told apart). */
    ck_assert_int_eq(nc_open(model, NC_WRITE, &ncid), NC_NOERR);
    nc_redef(ncid);
    ck_assert_int_eq(nc_put_att_text(ncid, NC_GLOBAL, "variables", 5, "h,h,v"), NC_NOERR);
    nc_close(ncid);
    ck_assert_int_eq(ml_surrogate_load(&s, NULL, model, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "must be 1 to") && strstr(err.msg, "names, each once"), "%s", err.msg);
}
END_TEST

/* Training gives the same bits on any thread count (it changes its count under load,
 * threads.h): dataset statistics over fixed chunks, GEMMs in blocks fixed by the sizes. The
 * widths and batch make the GEMMs large enough to be split into blocks. */
START_TEST(training_bits_do_not_depend_on_threads)
{
#ifdef _OPENMP
    const int was = omp_get_max_threads();
    float *params[2] = {NULL, NULL}, mean[2][64];
    size_t nparams = 0;
    for (int k = 0; k < 2; k++) {
        ml_train_opts o = small_training(k ? "threads3.nc" : "threads1.nc", 96);
        o.epochs = 2;
        o.batch = 512;
        omp_set_num_threads(k ? 3 : 1);
        fc_err err;
        const int st = ml_train(&o, &err);
        omp_set_num_threads(was);
        ck_assert_msg(st == FC_OK, "%s", err.msg);
        ml_surrogate s;
        ck_assert_msg(ml_surrogate_load(&s, NULL, o.output, &err) == FC_OK, "%s", err.msg);
        nparams = s.net.nparams;
        params[k] = malloc(nparams * sizeof(float));
        memcpy(params[k], s.net.params, nparams * sizeof(float));
        memcpy(mean[k], s.in_mean, sizeof mean[k]);
        ml_surrogate_free(&s);
    }
    ck_assert(!memcmp(mean[0], mean[1], sizeof mean[0]));
    ck_assert_msg(!memcmp(params[0], params[1], nparams * sizeof(float)),
                  "1 and 3 threads trained different parameters");
    free(params[0]);
    free(params[1]);
#endif
}
END_TEST

/* A simulated machine whose speed at n threads is rate(n): batches of 1000 samples, the clock
 * advanced by what each takes; returns the count training settles on after 60 s. */
static int settle(const double *rate, int max, int *switches)
{
    ml_threads t;
    double now = 0;
    ml_threads_init(&t, max, now);
    while (now < 60) {
        now += 1000 / rate[ml_threads_count(&t)];
        ml_threads_update(&t, 1000, now);
    }
    *switches = t.switches;
    return t.now;
}

/* The thread count follows the machine: on an idle one (more threads, faster) it stays at the
 * maximum; where barriers wait on busy cores (two threads slower than one) it drops to one;
 * with 8 it finds the fastest count, 4, from either side. */
START_TEST(thread_count_follows_the_load)
{
    int sw;
    const double idle[3] = {0, 3e5, 5.5e5}, busy[3] = {0, 3e5, 3e4};
    ck_assert_int_eq(settle(idle, 2, &sw), 2);
    ck_assert_int_eq(sw, 0);
    ck_assert_int_eq(settle(busy, 2, &sw), 1);
    ck_assert_int_eq(sw, 1);
    const double peak4[9] = {0, 1e5, 1.8e5, 2.2e5, 3e5, 2.4e5, 2e5, 1.5e5, 1e5};
    ck_assert_int_eq(settle(peak4, 8, &sw), 4);
    ck_assert_int_eq(settle(idle, 1, &sw), 1);
    ck_assert_int_eq(sw, 0);
}
END_TEST

/* Where a forecast beats persistence, as rollout's summary says it: up to the first lead where
 * it does not, and again from where it does to the end (a bubble's theta, worse than
 * persistence at 25 and 50 s and better from 75 s on, was said to beat it "for 0 s"); a lead
 * without a truth beats nothing. Two variables over 5 leads. */
START_TEST(persistence_is_beaten_where_the_scores_say)
{
    enum { STEPS = 5, VARS = 2 };
    /* var 0: worse, worse, better, better, better; var 1: better, worse, better, worse, better */
    double rmse[STEPS * VARS] = {2, 1, 2, 3, 1, 1, 1, 5, 1, 1},
           pers[STEPS * VARS] = {1, 2, 1, 2, 2, 2, 2, 4, 2, 2};
    ml_rollout_result r = {.steps = STEPS, .nvars = VARS, .rmse = rmse, .persistence = pers};
    int until, again;
    ml_rollout_beats_persistence(&r, 0, &until, &again);
    ck_assert_int_eq(until, 0);
    ck_assert_int_eq(again, 2);
    ml_rollout_beats_persistence(&r, 1, &until, &again);
    ck_assert_int_eq(until, 1);
    ck_assert_int_eq(again, 4);
    /* better at every lead: nothing "again" */
    for (int n = 0; n < STEPS; n++)
        rmse[n * VARS] = 0.5;
    ml_rollout_beats_persistence(&r, 0, &until, &again);
    ck_assert_int_eq(until, STEPS);
    ck_assert_int_eq(again, STEPS);
    /* the last two leads without a truth */
    rmse[3 * VARS] = rmse[4 * VARS] = NAN;
    ml_rollout_beats_persistence(&r, 0, &until, &again);
    ck_assert_int_eq(until, 3);
    ck_assert_int_eq(again, STEPS);
}
END_TEST

Suite *surrogate_suite(void)
{
    Suite *s = suite_create("surrogate");
    TCase *tc = tcase_create("surrogate");
    tcase_add_test(tc, neighbourhoods_follow_the_boundaries);
    tcase_add_test(tc, neighbourhoods_inside_and_near_sides_match_the_definition);
    tcase_add_test(tc, split_by_time_and_normalise_from_training_only);
    tcase_add_test(tc, bad_data_is_named);
    tcase_add_test(tc, train_save_load_resume_rollout);
    tcase_add_test(tc, a_forecast_keeps_the_data_s_axes);
    tcase_add_test(tc, a_model_meets_wrong_inputs);
    tcase_add_test(tc, forecast_steps_conserve_and_stay_nonnegative);
    tcase_add_test(tc, flux_loss_gradient_matches_finite_differences);
    tcase_add_test(tc, flux_form_steps_balance_and_stay_nonnegative);
    tcase_add_test(tc, holdout_keeps_whole_files_out);
    tcase_add_test(tc, pushed_states_are_inputs_and_targets_start_from_them);
    tcase_add_test(tc, training_bits_do_not_depend_on_threads);
    tcase_add_test(tc, thread_count_follows_the_load);
    tcase_add_test(tc, persistence_is_beaten_where_the_scores_say);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}
