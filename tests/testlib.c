/* testlib.c: see testlib.h. */
#include <fc_build.h>

#include "tests/testlib.h"

#include "src/core/decomp.h"
#include "src/core/link.h"
#include "src/core/run.h"
#include "solvers/registry.h"

#include <ftw.h>
#include <math.h>
#include <netcdf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[256];
static pid_t tmpdir_owner;

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *at)
{
    (void)st, (void)type, (void)at;
    remove(path);
    return 0;
}

/* Check runs each test in a process of its own that ends with exit(), so every test's folder
 * goes when its test ends, passed or failed. A process forked by the test itself (a probe
 * child, a signal test) leaves it to the test's own process. */
static void remove_tmpdir(void)
{
    const char *keep = getenv("FLOWCAST_KEEP_TEST_FILES");
    if (getpid() != tmpdir_owner || (keep && *keep && strcmp(keep, "0") != 0))
        return;
    nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *tl_temp_path(const char *name)
{
    static char path[8][512];
    static int slot;
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/flowcast-test-XXXXXX", base && *base ? base : "/tmp");
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
        tmpdir_owner = getpid();
        atexit(remove_tmpdir);
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

/* Reads variable var at the last record of path (a static field: all of it; a diagnostic: its
 * one value) into a malloc'd array of n values. */
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
    ck_assert_int_eq(nc_inq_varndims(ncid, vid, &nd), NC_NOERR);
    ck_assert(nd >= 1 && nd <= 3);
    nc_inq_vardimid(ncid, vid, dims);
    if (nd == 1) { /* a diagnostic on (time) */
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(nc_get_vara_double(ncid, vid, start, count, v), NC_NOERR);
    } else {
        const int timed = nd == 3; /* (time, y, x), or a static field (y, x) */
        nc_inq_dimlen(ncid, dims[timed], &count[1]);
        nc_inq_dimlen(ncid, dims[timed + 1], &count[2]);
        ck_assert_uint_eq(count[1] * count[2], n);
        ck_assert_int_eq(nc_get_vara_double(ncid, vid, start + !timed, count + !timed, v),
                         NC_NOERR);
    }
    nc_inq_varid(ncid, "time", &vid);
    size_t idx = len - 1;
    nc_get_var1_double(ncid, vid, &idx, t);
    nc_close(ncid);
    return v;
}

/* tl_blocks_steps: what the threads share (the job), and each thread's own part (its rank). */
#define TL_MAX_FIELDS 8
typedef struct tl_job {
    pthread_barrier_t meet;
    int size;
    const tl_sim *s;
    const fc_solver_ops *ops;
    long long steps;
    fc_real *whole[TL_MAX_FIELDS]; /* the halo fill's whole fields */
    double *vals;                  /* size x TL_MAX_FIELDS: maxima and sums */
    fc_step_report *reps;          /* size: reports to agree */
    fc_real **out;
} tl_job;

typedef struct tl_rank {
    tl_job *job;
    int rank;
    fc_link link;
    fc_grid block;
    int st;
    fc_err err;
} tl_rank;

static void tl_meet(tl_job *job) { pthread_barrier_wait(&job->meet); }

static int tl_fill(void *ctx, const fc_grid *b, fc_real *const *f, const int *odd_x,
                   const int *odd_y, int n, fc_err *err)
{
    tl_rank *r = ctx;
    tl_job *job = r->job;
    const fc_grid *w = &job->s->grid;
    (void)err;
    for (int q = 0; q < n; q++)
        for (int j = 0; j < b->ny; j++)
            memcpy(job->whole[q] + fc_idx(w->pitch, w->ng, b->i0, b->j0 + j),
                   f[q] + fc_idx(b->pitch, b->ng, 0, j), (size_t)b->nx * sizeof(fc_real));
    tl_meet(job);
    if (r->rank == 0)
        for (int q = 0; q < n; q++)
            fc_grid_fill_halo(w, job->whole[q], odd_x[q], odd_y[q]);
    tl_meet(job);
    for (int q = 0; q < n; q++)
        for (int j = -b->ng; j < b->ny + b->ng; j++)
            memcpy(f[q] + fc_idx(b->pitch, b->ng, -b->ng, j),
                   job->whole[q] + fc_idx(w->pitch, w->ng, b->i0 - b->ng, b->j0 + j),
                   (size_t)b->pitch * sizeof(fc_real));
    tl_meet(job); /* before the next fill writes the whole fields */
    return FC_OK;
}

static void tl_reduce(void *ctx, double *v, int n, int sum)
{
    tl_rank *r = ctx;
    tl_job *job = r->job;
    for (int k = 0; k < n; k++)
        job->vals[r->rank * TL_MAX_FIELDS + k] = v[k];
    tl_meet(job);
    for (int k = 0; k < n; k++) {
        double a = job->vals[k];
        for (int q = 1; q < job->size; q++) {
            const double b = job->vals[q * TL_MAX_FIELDS + k];
            a = sum ? a + b : (b > a ? b : a);
        }
        v[k] = a;
    }
    tl_meet(job);
}

static void tl_max(void *ctx, double *v, int n) { tl_reduce(ctx, v, n, 0); }
static void tl_sum(void *ctx, double *v, int n) { tl_reduce(ctx, v, n, 1); }

/* As halo.c's agree: the largest rate and change; the first bad cell in the whole grid's order,
 * with its owner's kind and value. */
static void tl_agree(void *ctx, const fc_grid *g, fc_step_report *rep)
{
    tl_rank *r = ctx;
    tl_job *job = r->job;
    fc_step_report mine = *rep;
    if (mine.bad)
        mine.bad_cell = (g->j0 + mine.bad_cell / g->nx) * g->nx_whole + g->i0 + mine.bad_cell % g->nx;
    job->reps[r->rank] = mine;
    tl_meet(job);
    int first = -1;
    for (int q = 0; q < job->size; q++) {
        const fc_step_report *o = &job->reps[q];
        rep->max_rate = o->max_rate > rep->max_rate ? o->max_rate : rep->max_rate;
        rep->change = o->change > rep->change ? o->change : rep->change;
        if (o->bad && (first < 0 || o->bad_cell < job->reps[first].bad_cell))
            first = q;
    }
    rep->bad = first < 0 ? FC_STATE_OK : job->reps[first].bad;
    if (first >= 0) {
        rep->bad_cell = job->reps[first].bad_cell;
        rep->bad_value = job->reps[first].bad_value;
    }
    tl_meet(job);
}

static void *tl_rank_run(void *arg)
{
    tl_rank *r = arg;
    tl_job *job = r->job;
    const tl_sim *s = job->s;
    const fc_grid *w = &s->grid, *b = &r->block;
    const int nf = s->s->io.nfields;
    fc_state st = {nf, {NULL}, 0};
    void *state = NULL;
    int ok = 1;
    for (int f = 0; f < nf; f++) {
        ok = ok && (st.f[f] = fc_grid_alloc(b)) != NULL;
        for (int j = 0; ok && j < b->ny; j++)
            memcpy(st.f[f] + fc_idx(b->pitch, b->ng, 0, j),
                   s->host.f[f] + fc_idx(w->pitch, w->ng, b->i0, b->j0 + j),
                   (size_t)b->nx * sizeof(fc_real));
    }
    r->st = ok ? FC_OK : fc_fail(&r->err, FC_ENOMEM, "out of memory");
    /* After a failure a thread stops, and the others wait for it at their next meeting: a
     * failed test then ends at Check's timeout (errors are not expected here). */
    if (!r->st)
        r->st = job->ops->create(b, s->params, &state, &r->err);
    if (!r->st)
        r->st = job->ops->upload(state, &st, &r->err);
    const double cfl = fc_cfg_real(&s->cfg, "time", "cfl");
    double t = 0; /* model time */
    for (long long k = 0; k < job->steps && !r->st; k++) {
        double rate = 0;
        fc_step_report rep = {0};
        if (!(r->st = job->ops->max_rate(state, &rate, &r->err)) &&
            !(r->st = job->ops->step(state, t, cfl / rate, &rep, &r->err)) && rep.bad)
            r->st = fc_fail(&r->err, FC_ENUMERIC, "step %lld: a bad cell (%d at %lld)", k,
                            rep.bad, rep.bad_cell);
        t += cfl / rate;
    }
    if (!r->st)
        r->st = job->ops->download(state, &st, &r->err);
    for (int f = 0; f < nf && !r->st; f++)
        for (int j = 0; j < b->ny; j++)
            memcpy(job->out[f] + fc_idx(w->pitch, w->ng, b->i0, b->j0 + j),
                   st.f[f] + fc_idx(b->pitch, b->ng, 0, j), (size_t)b->nx * sizeof(fc_real));
    if (state)
        job->ops->destroy(state);
    for (int f = 0; f < nf; f++)
        free(st.f[f]);
    return NULL;
}

void tl_blocks_steps(const tl_sim *s, const fc_solver_ops *ops, int px, int py, long long n,
                     fc_real **out)
{
    const fc_grid *w = &s->grid;
    const int nf = s->s->io.nfields, size = px * py;
    ck_assert_int_le(nf, TL_MAX_FIELDS);
    tl_job job = {.size = size, .s = s, .ops = ops, .steps = n, .out = out};
    for (int f = 0; f < nf; f++) {
        ck_assert_ptr_nonnull(out[f] = fc_grid_alloc(w));
        ck_assert_ptr_nonnull(job.whole[f] = fc_grid_alloc(w));
    }
    job.vals = calloc((size_t)size * TL_MAX_FIELDS, sizeof *job.vals);
    job.reps = calloc((size_t)size, sizeof *job.reps);
    tl_rank *ranks = calloc((size_t)size, sizeof *ranks);
    pthread_t *threads = calloc((size_t)size, sizeof *threads);
    ck_assert(job.vals && job.reps && ranks && threads);
    ck_assert_int_eq(pthread_barrier_init(&job.meet, NULL, (unsigned)size), 0);
    for (int k = 0; k < size; k++) {
        tl_rank *r = &ranks[k];
        const fc_decomp d = fc_decomp_block(w->nx, w->ny, px, py, k);
        /* a side is a neighbour's where the split cuts it or wraps it (periodic), as
         * fc_halo_block_bc makes it */
        const int bc[4] = {
            d.i0 > 0 || (px > 1 && w->bc[FC_WEST] == FC_BC_PERIODIC) ? FC_BC_RANK : w->bc[FC_WEST],
            d.i1 < w->nx || (px > 1 && w->bc[FC_EAST] == FC_BC_PERIODIC) ? FC_BC_RANK : w->bc[FC_EAST],
            d.j0 > 0 || (py > 1 && w->bc[FC_SOUTH] == FC_BC_PERIODIC) ? FC_BC_RANK : w->bc[FC_SOUTH],
            d.j1 < w->ny || (py > 1 && w->bc[FC_NORTH] == FC_BC_PERIODIC) ? FC_BC_RANK : w->bc[FC_NORTH]};
        *r = (tl_rank){.job = &job, .rank = k, .link = {r, tl_fill, tl_max, tl_sum, tl_agree}};
        fc_grid_block(w, d.i0, d.i1, d.j0, d.j1, bc, size > 1 ? &r->link : NULL, &r->block);
        ck_assert_int_eq(pthread_create(&threads[k], NULL, tl_rank_run, r), 0);
    }
    for (int k = 0; k < size; k++)
        pthread_join(threads[k], NULL);
    pthread_barrier_destroy(&job.meet);
    for (int k = 0; k < size; k++)
        ck_assert_msg(ranks[k].st == FC_OK, "block %d of %d x %d: %s", k, px, py, ranks[k].err.msg);
    for (int f = 0; f < nf; f++)
        free(job.whole[f]);
    free(job.vals);
    free(job.reps);
    free(ranks);
    free(threads);
}
