/*
 * stages.c: a device backend's step of several stages with one report round trip (stages.h).
 */
#include <fc_build.h>

#include <string.h>

#include "src/core/link.h"
#include "src/core/stages.h"

static int stage_out(int s) { return s % 2 == 0 ? 1 : 2; }

/* The step again, each stage's report read and agreed before the next stage runs, stopping at
 * the first bad one: the CPU's order, taken only to classify a bad step (a later stage
 * overwrites the set a bad one wrote). */
static int step_stagewise(const fc_grid *g, const fc_stages *st, fc_step_report *rep,
                          fc_err *err)
{
    int in = 0, e;
    for (int s = 0; s < st->n; s++) {
        const int out = stage_out(s);
        fc_dev_report r = {0, FC_NO_BAD_CELL, 0};
        if ((e = st->copy(st->reports, &r, 1, 1, err)) ||
            (e = st->run(st->ctx, s, in, out, 0, err)) ||
            (e = st->copy(st->reports, &r, 1, 0, err)))
            return e;
        memcpy(&rep->max_rate, &r.rate_bits, sizeof rep->max_rate);
        rep->bad = FC_STATE_OK;
        if (r.first_bad != FC_NO_BAD_CELL && (e = st->classify(st->ctx, out, r.first_bad, rep, err)))
            return e;
        fc_report_agree(g, rep); /* every rank stops at the same stage */
        if (rep->bad)
            return FC_OK;
        in = out;
    }
    return fc_fail(err, FC_EDEVICE, "a stage reported a bad cell, but not when it ran again");
}

int fc_stages_step(const fc_grid *g, const fc_stages *st, fc_step_report *rep, int *set,
                   fc_err *err)
{
    const int n = st->n;
    if (n < 1 || n > FC_MAX_STAGES)
        return fc_fail(err, FC_EDEVICE, "a backend asked for a step of %d stages (1 to %d)", n,
                       FC_MAX_STAGES);
    fc_dev_report r[FC_MAX_STAGES];
    for (int s = 0; s < n; s++)
        r[s] = (fc_dev_report){0, FC_NO_BAD_CELL, 0};
    int in = 0, e;
    if ((e = st->copy(st->reports, r, n, 1, err)))
        return e;
    for (int s = 0; s < n; s++) {
        if ((e = st->run(st->ctx, s, in, stage_out(s), s, err)))
            return e;
        in = stage_out(s);
    }
    if ((e = st->copy(st->reports, r, n, 0, err)))
        return e;
    double agreed[3] = {0, 0, 0}; /* the largest rate, whether a stage was bad, the change */
    memcpy(&agreed[0], &r[n - 1].rate_bits, sizeof agreed[0]);
    memcpy(&agreed[2], &r[n - 1].change_bits, sizeof agreed[2]);
    for (int s = 0; s < n; s++)
        if (r[s].first_bad != FC_NO_BAD_CELL)
            agreed[1] = 1;
    fc_grid_max_n(g, agreed, 3);
    if (agreed[1] > 0)
        return step_stagewise(g, st, rep, err);
    rep->bad = FC_STATE_OK;
    rep->max_rate = agreed[0];
    rep->change = agreed[2];
    *set = stage_out(n - 1);
    return FC_OK;
}
