/* testlib.c: see testlib.h. */
#include <fc_build.h>

#include "tests/testlib.h"

#include "src/core/run.h"
#include "solvers/registry.h"

#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[256];

const char *tl_temp_path(const char *name)
{
    static char path[8][512];
    static int slot;
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/flowcast-test-XXXXXX", base && *base ? base : "/tmp");
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    }
    slot = (slot + 1) % 8;
    snprintf(path[slot], sizeof path[slot], "%s/%s", tmpdir, name);
    return path[slot];
}

const char *tl_temp_file(const char *name, const char *text)
{
    const char *path = tl_temp_path(name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

void tl_sim_open(tl_sim *s, const char *case_text, const char *const *sets,
                 const fc_solver_ops *ops)
{
    fc_err err = {{0}};
    int nsets = 0;
    while (sets && sets[nsets])
        nsets++;
    int st = fc_sim_open(s, tl_temp_file("case.ini", case_text), sets, nsets, fc_solvers(), ops, &err);
    ck_assert_msg(st == FC_OK, "case did not start: %s", err.msg);
}

void tl_sim_steps(tl_sim *s, long long n)
{
    fc_err err = {{0}};
    int st = fc_sim_steps(s, n, &err);
    ck_assert_msg(st == FC_OK, "%s", err.msg);
}

void tl_sim_run_to(tl_sim *s, double t_end)
{
    fc_err err = {{0}};
    int st = fc_sim_run_to(s, t_end, 0, &err);
    ck_assert_msg(st == FC_OK, "%s", err.msg);
}

void tl_sim_download(tl_sim *s)
{
    fc_err err = {{0}};
    int st = fc_sim_download(s, &err);
    ck_assert_msg(st == FC_OK, "%s", err.msg);
}

void tl_sim_close(tl_sim *s) { fc_sim_close(s); }

void tl_restart_runs(const char *ini, double t_half, double t_end, double interval, int threads,
                     const char *full, const char *half, const char *cont)
{
    char end[64], mid[64], every[64];
    snprintf(end, sizeof end, "time.t_end=%.17g", t_end);
    snprintf(mid, sizeof mid, "time.t_end=%.17g", t_half);
    snprintf(every, sizeof every, "output.interval=%.17g", interval);
    const char *const sets[] = {end, every}, *const early[] = {mid, every};
    fc_run_opts o = {.case_path = ini, .solvers = fc_solvers(), .sets = sets, .nsets = 2, .device = "cpu", .output = full,
                     .quiet = 1};
    fc_run_result res;
    fc_err err;
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    o.sets = early;
    o.output = half;
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
    o.sets = sets;
    o.output = cont;
    o.restart = half;
    o.threads = threads;
    ck_assert_msg(fc_run(&o, &res, &err) == FC_OK, "%s", err.msg);
}

/* Reads variable var at the last record of path into a malloc'd array of n values. */
double *tl_read_last(const char *path, const char *var, size_t n, double *t)
{
    int ncid, vid, tid;
    size_t len;
    ck_assert_int_eq(nc_open(path, NC_NOWRITE, &ncid), NC_NOERR);
    ck_assert_int_eq(nc_inq_dimid(ncid, "time", &tid), NC_NOERR);
    ck_assert_int_eq(nc_inq_dimlen(ncid, tid, &len), NC_NOERR);
    ck_assert_int_eq(nc_inq_varid(ncid, var, &vid), NC_NOERR);
    double *v = malloc(n * sizeof *v);
    size_t start[3] = {len - 1, 0, 0}, count[3] = {1, 1, 1};
    int dims[3], nd;
    nc_inq_varndims(ncid, vid, &nd);
    nc_inq_vardimid(ncid, vid, dims);
    nc_inq_dimlen(ncid, dims[1], &count[1]);
    nc_inq_dimlen(ncid, dims[2], &count[2]);
    ck_assert_uint_eq(count[1] * count[2], n);
    ck_assert_int_eq(nc_get_vara_double(ncid, vid, start, count, v), NC_NOERR);
    nc_inq_varid(ncid, "time", &vid);
    size_t idx = len - 1;
    nc_get_var1_double(ncid, vid, &idx, t);
    nc_close(ncid);
    return v;
}
