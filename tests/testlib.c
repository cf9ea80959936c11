/* testlib.c: see testlib.h. */
#include <fc_build.h>

#include "testlib.h"

#include "run.h"

#include <math.h>
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
    memset(s, 0, sizeof *s);
    fc_err err = {{0}};
    int nsets = 0;
    while (sets && sets[nsets])
        nsets++;
    const char *path = tl_temp_file("case.ini", case_text);
    int st = fc_config_load(path, sets, nsets, &s->cfg, &err);
    ck_assert_msg(st == FC_OK, "case did not load: %s", err.msg);
    s->s = s->cfg.solver;
    s->ops = ops ? ops : s->s->cpu;
    st = fc_config_grid(&s->cfg, s->s->halo, &s->grid, &err);
    ck_assert_msg(st == FC_OK, "%s", err.msg);
    ck_assert_int_eq(s->s->make_params(&s->cfg, &s->grid, &s->params, &err), FC_OK);
    s->host.nfields = s->s->nfields;
    for (int k = 0; k < s->s->nfields; k++)
        ck_assert_ptr_nonnull(s->host.f[k] = fc_grid_alloc(&s->grid));
    st = s->s->initial(&s->cfg, &s->grid, s->params, &s->host, &err);
    ck_assert_msg(st == FC_OK, "initial condition: %s", err.msg);
    ck_assert_int_eq(s->ops->create(&s->grid, s->params, &s->state, &err), FC_OK);
    ck_assert_int_eq(s->ops->upload(s->state, &s->host, &err), FC_OK);
    ck_assert_int_eq(s->ops->max_rate(s->state, &s->rate, &err), FC_OK);
}

/* One adaptive step of at most dt (as flowcast run takes it); returns the step taken. */
static double step(tl_sim *s, double dt)
{
    fc_err err = {{0}};
    fc_step_report rep = {0};
    int st = fc_step_adaptive(s->ops, s->state, &dt, &rep, &s->halvings, &err);
    ck_assert_msg(st == FC_OK, "step: %s", err.msg);
    ck_assert_msg(rep.bad == FC_STATE_OK, "step %lld at t = %g: bad state (%d) at cell %lld",
                  s->steps, s->t, rep.bad, rep.bad_cell);
    s->rate = rep.max_rate;
    s->t += dt;
    s->steps++;
    return dt;
}

void tl_sim_steps(tl_sim *s, long long n)
{
    double cfl = fc_cfg_real(&s->cfg, "time", "cfl");
    for (long long k = 0; k < n; k++)
        step(s, cfl / s->rate);
}

void tl_sim_run_to(tl_sim *s, double t_end)
{
    double cfl = fc_cfg_real(&s->cfg, "time", "cfl");
    while (s->t < t_end) {
        double dt = cfl / s->rate, left = t_end - s->t;
        if (dt >= left && step(s, left) == left)
            s->t = t_end; /* land exactly, as the run loop does */
        else if (dt < left)
            step(s, dt);
    }
}

void tl_sim_download(tl_sim *s)
{
    fc_err err = {{0}};
    ck_assert_int_eq(s->ops->download(s->state, &s->host, &err), FC_OK);
}

void tl_sim_close(tl_sim *s)
{
    s->ops->destroy(s->state);
    for (int k = 0; k < s->host.nfields; k++)
        free(s->host.f[k]);
    free(s->params);
    fc_config_free(&s->cfg);
}

fc_real tl_at(const tl_sim *s, int f, int i, int j)
{
    return s->host.f[f][fc_idx(s->grid.pitch, s->grid.ng, i, j)];
}
