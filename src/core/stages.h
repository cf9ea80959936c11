/*
 * stages.h: a device backend's step of several Runge-Kutta stages with one round trip of the
 * stages' reports, the step the GPU backends of swe and euler take.
 *
 * A stage kernel reports to the host its largest signal rate and its first bad cell (a NaN, a
 * negative depth or density). Read after each stage, as the CPU backends do, that costs a
 * blocking copy per stage; here every stage fills a report of its own, all of them are reset
 * in one copy before the step and read in one copy after it. A bad stage is rare (the step is
 * then retried with a smaller dt, or the run stops), so it is classified by running the step
 * again stage by stage and stopping at the first bad one, the CPU's order: the same bad kind,
 * cell and value, hence the same retries. The step's first set (the state before it) is
 * untouched either way. On a rank's block of a split grid (link.h) the largest rate and whether
 * any stage was bad are agreed over the ranks in one reduction, so that every rank takes the
 * same path, and the stage-by-stage step agrees each stage's report as the CPU's does.
 *
 * Nothing here touches a device: the backend gives its stages and copies as callbacks
 * (tests/test_grid.c drives it with host arrays standing for the device's reports).
 */
#ifndef FC_STAGES_H
#define FC_STAGES_H

#include "src/core/fc.h"
#include "src/core/grid.h"
#include "src/core/solver.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a stage kernel reports to the host (24 bytes): the bits of its largest signal rate
 * (non-negative doubles order as unsigned integers, so kernels take their maximum with an
 * integer atomicMax: cuda_util.h), its first bad cell j * nx + i (FC_NO_BAD_CELL: none), and
 * the bits of the largest change of the state per unit time over the step (the last stage's,
 * from solvers whose steps report it: fc_step_report.change; 0 from the others). */
typedef struct fc_dev_report {
    unsigned long long rate_bits;
    unsigned long long first_bad;
    unsigned long long change_bits;
} fc_dev_report;

#define FC_NO_BAD_CELL (~0ULL)
#define FC_MAX_STAGES 3

/*
 * A backend's stages. Stage s (0 .. n - 1) reads set `in` and writes set `out` of three: the
 * step's state is set 0, stage s writes set 1 when s is even and set 2 when it is odd, and reads
 * what the stage before it wrote.
 */
typedef struct fc_stages {
    void *ctx;
    int n; /* stages, 1 .. FC_MAX_STAGES */
    /* Fills the halos of set `in`, then runs stage s into set `out`, its report into the
     * device's report `slot` (the last stage reports its rate: it is the new state's). */
    int (*run)(void *ctx, int s, int in, int out, int slot, fc_err *err);
    /* The device's reports, FC_MAX_STAGES of them, and their copy: reports 0 .. count - 1 from
     * r (to_device) or into r, which then waits for the stages before it (a CUDA backend:
     * fc_dev_reports_copy). */
    fc_dev_report *reports;
    int (*copy)(fc_dev_report *dev, fc_dev_report *r, int count, int to_device, fc_err *err);
    /* rep's bad kind, cell and value from the bad cell `cell` (j * nx + i) of set `out`. */
    int (*classify)(void *ctx, int out, unsigned long long cell, fc_step_report *rep,
                    fc_err *err);
} fc_stages;

/*
 * One step of st's stages on grid g (the block of this rank, or the whole grid), reported in
 * rep: its largest rate, or the first bad stage's cell. When rep->bad is FC_STATE_OK, *set is
 * the set that holds the new state (the caller keeps it: fc_keep_stage); otherwise set 0 still
 * holds the state before the step. FC_EDEVICE when a bad stage does not go bad again when run
 * again. Collective over the ranks of a block.
 */
int fc_stages_step(const fc_grid *g, const fc_stages *st, fc_step_report *rep, int *set,
                   fc_err *err);

#ifdef __cplusplus
}
#endif
#endif
