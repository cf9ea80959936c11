/* sim.c: see sim.h. */
#include <fc_build.h>

#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

int fc_sim_open(fc_sim *s, const char *path, const char *const *sets, int nsets,
                const fc_solver_ops *ops, fc_err *err)
{
    memset(s, 0, sizeof *s);
    int st = fc_config_load(path, sets, nsets, &s->cfg, err);
    if (st)
        return st;
    s->s = s->cfg.solver;
    s->ops = ops ? ops : s->s->cpu;
    if ((st = fc_config_grid(&s->cfg, s->s->halo, &s->grid, err)) ||
        (st = s->s->make_params(&s->cfg, &s->grid, &s->params, err)))
        goto fail;
    s->host.nfields = s->s->nfields;
    for (int k = 0; k < s->s->nfields; k++)
        if (!(s->host.f[k] = fc_grid_alloc(&s->grid))) {
            st = fc_fail(err, FC_ENOMEM, "out of host memory");
            goto fail;
        }
    if ((st = s->s->initial(&s->cfg, &s->grid, s->params, &s->host, err)) ||
        (st = s->ops->create(&s->grid, s->params, &s->state, err)) ||
        (st = s->ops->upload(s->state, &s->host, err)) ||
        (st = s->ops->max_rate(s->state, &s->rate, err)))
        goto fail;
    return FC_OK;
fail:
    fc_sim_close(s);
    return st;
}

int fc_sim_open_text(fc_sim *s, const char *text, const char *const *sets, int nsets,
                     const fc_solver_ops *ops, fc_err *err)
{
    const char *base = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/flowcast-case-XXXXXX", base && *base ? base : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return fc_fail(err, FC_EIO, "cannot create a temporary case file in %s", path);
    size_t len = strlen(text);
    int ok = write(fd, text, len) == (ssize_t)len;
    close(fd);
    int st = ok ? fc_sim_open(s, path, sets, nsets, ops, err)
                : fc_fail(err, FC_EIO, "cannot write the temporary case file %s", path);
    unlink(path);
    return st;
}

int fc_sim_step(fc_sim *s, double *dt, fc_err *err)
{
    fc_step_report rep = {0};
    int st = fc_step_adaptive(s->ops, s->state, dt, &rep, &s->halvings, err);
    if (st)
        return st;
    if (rep.bad)
        return fc_fail(err, FC_ENUMERIC, "step %lld at t = %g: bad state (%s) at cell %lld",
                       s->steps + 1, s->t, rep.bad == FC_STATE_NAN ? "NaN" : "negative",
                       rep.bad_cell);
    s->last = rep;
    s->rate = rep.max_rate;
    s->t += *dt;
    s->steps++;
    return FC_OK;
}

int fc_sim_steps(fc_sim *s, long long n, fc_err *err)
{
    const double cfl = fc_cfg_real(&s->cfg, "time", "cfl");
    for (long long k = 0; k < n; k++) {
        if (!(s->rate > 0))
            return fc_fail(err, FC_EINPUT, "%s: no signal speed in the state: dt = cfl / rate "
                           "is not defined", s->cfg.path);
        double dt = cfl / s->rate;
        int st = fc_sim_step(s, &dt, err);
        if (st)
            return st;
    }
    return FC_OK;
}

int fc_sim_run_to(fc_sim *s, double t_end, double steady_tol, fc_err *err)
{
    const double cfl = fc_cfg_real(&s->cfg, "time", "cfl");
    while (s->t < t_end) {
        double dt = s->rate > 0 ? cfl / s->rate : t_end - s->t, left = t_end - s->t;
        int landing = dt >= left;
        if (landing)
            dt = left;
        double planned = dt;
        int st = fc_sim_step(s, &dt, err);
        if (st)
            return st;
        if (landing && dt == planned)
            s->t = t_end; /* land exactly, as the run loop does */
        if (steady_tol > 0 && s->last.change < steady_tol)
            break;
    }
    return FC_OK;
}

int fc_sim_download(fc_sim *s, fc_err *err) { return s->ops->download(s->state, &s->host, err); }

void fc_sim_close(fc_sim *s)
{
    if (s->state)
        s->ops->destroy(s->state);
    for (int k = 0; k < s->host.nfields; k++)
        free(s->host.f[k]);
    free(s->params);
    fc_config_free(&s->cfg);
    memset(s, 0, sizeof *s);
}

fc_real fc_sim_at(const fc_sim *s, int f, int i, int j)
{
    return s->host.f[f][fc_idx(s->grid.pitch, s->grid.ng, i, j)];
}
