/*
 * surrogate.h: a local emulator of a solver: an MLP that maps each cell's k x k neighbourhood
 * (dataset.h) to that cell's change over one output interval, applied to every cell at once;
 * its training, its file, and its rollout.
 *
 * The model file is NetCDF (CDF-5, no HDF5): the widths and float32 parameters, the
 * normalisation, the training history per epoch, the optimiser's state (for --resume), and as attributes the
 * variables, static fields, stencil, activation, output interval, grid, boundaries and the data
 * files and solver it was trained on. It is written to a temporary name and renamed over the
 * old one, so a reader (or an interrupted training) always finds a whole model: the best so far.
 */
#ifndef FC_ML_SURROGATE_H
#define FC_ML_SURROGATE_H

#include <signal.h>

#include "ml/dataset.h"
#include "ml/mlp.h"
#include "ml/mlp_gpu.h"
#include "src/core/solver.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ML_MAX_EPOCHS 100000

typedef struct ml_surrogate {
    mlp net;
    ml_geometry geo;
    char vars[ML_MAX_VARS][64], statics[ML_MAX_VARS][64];
    float in_mean[ML_MAX_FEATURES], in_std[ML_MAX_FEATURES]; /* per feature (dataset.h) */
    float out_mean[ML_MAX_VARS], out_std[ML_MAX_VARS];
    /* Constraints of each step, bit v for variable v (ml_surrogate_step): a conserved variable's
     * domain sum is kept (on a domain closed by walls and periodic sides), a non-negative one
     * stays >= 0. */
    unsigned conserved, nonnegative;
    /* Variables in flux form, bit v for variable v: the network predicts the amount crossing
     * each cell's east and north faces in one interval, and a cell changes by what flows in
     * less what flows out, so that the domain sum changes only through the domain's sides,
     * exactly. The conserved variables, when the domain has an open or inflow side or
     * training was asked for it (--flux); else none. */
    unsigned flux;
    /* With advect set, a flux-form variable q's face fluxes start from its advective flux,
     * q u dt / dx through an east face and q v dt / dy through a north face, q and the
     * velocities the means of the two cells' (the variables advect_var[0] and [1], named u
     * and v), and the network adds the rest (ml_surrogate_add_advection). */
    int advect, advect_var[2];
    double interval, dx, dy;
    char boundaries[128], solver[64], case_name[256], data_files[4096];
    /* training */
    int optimizer, epochs_done, best_epoch, batch, unroll;
    double state_noise;
    double lr, weight_decay, best_val;
    unsigned long long seed;
    double *train_loss, *val_loss, *samples_per_s; /* [epochs_done] */
} ml_surrogate;

typedef struct ml_train_opts {
    const char *const *data;
    int ndata;
    const char *const *vars, *const *statics;
    int nvars, nstatic, stencil;
    const int *hidden;
    int nhidden, activation, optimizer, epochs, batch, patience;
    double lr, weight_decay, val_fraction;
    int holdout; /* > 0: the last holdout data files validate, whole (val_fraction unused) */
    double noise; /* deviation of the noise on training inputs (normalised units); 0: none */
    /* Comma-separated variables to conserve and to keep non-negative, "none" for none; NULL:
     * the depth h of shallow-water data (solver swe) for both, else none. */
    const char *conserve, *nonnegative;
    /* The conserved variables in flux form (ml_surrogate's flux) also on a closed domain;
     * on one with an open or inflow side they always are. */
    int flux;
    /* Pushforward training over R steps (1: off): from the second epoch on, half the training
     * samples take their input from the model's own forecast of their record, R - 1 steps
     * from the true state before it (no gradient through those steps), and learn the change
     * from it to the true next record: the model learns to correct its own errors. */
    int unroll;
    /* Noise on those starting states (and, without --unroll, on true states): Gaussian, white
     * in space, of deviation state_noise times each variable's spread of change per interval;
     * the target stays the true next record, so the model learns to damp what it did not see
     * in the data (grid-scale noise); 0: none. */
    double state_noise;
    unsigned long long seed;
    const char *output;
    int resume, overwrite;
    int gpu, tf32; /* train on the GPU (mlp_gpu.h); TF32 tensor-core math there */
    volatile sig_atomic_t *stop;
} ml_train_opts;

/* Trains (or resumes) and writes the model after every epoch that improves on the best
 * validation loss; progress per epoch on stderr. */
int ml_train(const ml_train_opts *o, fc_err *err);

int ml_surrogate_save(const ml_surrogate *s, const mlp_optim *opt, const char *path, fc_err *err);
/* Reads a model file (and, when opt is given, the optimiser's state). */
int ml_surrogate_load(ml_surrogate *s, mlp_optim *opt, const char *path, fc_err *err);
void ml_surrogate_free(ml_surrogate *s);

/*
 * One step of the surrogate: the state [nvars][ny][nx] advanced by one output interval, in
 * place, with the statics given; w must hold a batch of at least one row of cells, x that
 * batch's features, scratch a state's worth of floats. With gpu (mlp_gpu_create'd for the
 * model, with room for w's batch) the network runs there; FC_OK, or the GPU's error (or no
 * memory for a flux-form step's faces). The network works in float32; the state is double, so
 * that what the constraints keep is kept to double round-off:
 * - a conserved variable not in flux form, on a closed domain (walls and periodic sides): its
 *   predicted change loses its domain mean, the L2-nearest change with a zero sum (any
 *   flux-form update has one: no flux leaves a closed domain); on a domain with an open or
 *   inflow side (a resumed model of before flux form) it is left as predicted;
 * - a variable in flux form: each face's flux goes out of one cell and into the other, so
 *   the domain sum changes by what crosses the domain's sides alone; where the variable is
 *   also non-negative, the fluxes out of a cell are scaled down to what the cell holds (a
 *   donor-cell limiter, as flux-corrected transport does), so no cell turns negative;
 * - a non-negative variable (not in flux form): cells below zero are set to zero, and where it
 *   is also conserved on a closed domain the whole field is scaled back to its sum (every cell
 *   by the same factor, so no cell turns negative and none that was dry gets water).
 * With inflow, what entered the domain through its sides in the step, per variable: the
 * boundary fluxes' sum for one in flux form, 0 for one conserved on a closed domain, NaN for
 * the rest.
 */
int ml_surrogate_step(const ml_surrogate *s, mlp_work *w, mlp_gpu *gpu, double *state,
                      const float *statics, float *x, float *scratch, double *inflow,
                      fc_err *err);
/* The network's outputs: one per variable, two for one in flux form. */
int ml_surrogate_outputs(const ml_geometry *g, unsigned flux);
/*
 * A flux-form model's training loss on samples idx[0..B) (indices into a split: record pair
 * times cells plus cell) and, with dout [3B][outputs], its gradient with respect to the
 * network's outputs o [3B][outputs]: rows 0..B-1 are the samples' cells, then their west
 * neighbours, then their south neighbours (the ghost cell beyond an open side). y: the
 * normalised changes [B][nvars]. A variable in flux form changes by (west - east) +
 * (south - north) of its face fluxes, where a wall on the domain's edge has none; the others
 * by their output. The mean squared error over samples and variables, as a change-predicting
 * model's loss.
 */
double ml_surrogate_flux_loss(const ml_surrogate *s, const float *o, const float *y,
                              const size_t *idx, int B, float *dout, double *per_var);
/*
 * Adds each flux-form variable's advective flux (in its units of out_std) to the network's
 * outputs o [rows][outputs] of the rows whose normalised inputs are x [rows][features];
 * nothing without s->advect. Why: where the flow carries much more through the faces than
 * any cell keeps (on the jet the fluxes are 900 times the changes), a network that makes the
 * whole flux fits it to a relative error whose share of the change is large; on smooth inputs
 * those errors are alike in neighbouring cells and cancel in the difference, on noisy ones
 * (state noise, a rollout's own errors) they do not. The network then adds a correction of
 * the size of the changes. The value at a face is the same from either cell's side, so the
 * domain sum is kept as before.
 */
void ml_surrogate_add_advection(const ml_surrogate *s, const float *x, int rows, float *o);
/* The bit mask over names[0..n) of a comma-separated list ("" or "none": 0), or -1 with the
 * name that is not among them in bad. */
int ml_variable_mask(const char *list, const char names[][64], int n, char *bad, size_t badlen);
/* Whether the surrogate's domain is closed: no open or inflow side. */
int ml_surrogate_closed(const ml_surrogate *s);

typedef struct ml_rollout_opts {
    const char *model, *init, *output;
    double time;   /* the record to start from (s); NAN: the first */
    int steps, overwrite;
    int gpu; /* the network on the GPU (the solver is then timed on its GPU backend too) */
    const fc_catalog *solvers; /* to time the solver the model emulates; NULL: it is not timed */
    const char *command_line;  /* for the forecast's history; NULL: one made of the options */
} ml_rollout_opts;

/* What a rollout measured. Per lead time (steps of one output interval) and variable: the
 * RMSE of the forecast and of persistence against init's record at that time (NaN where init
 * has none), and the drift of the variable's mean over its rms at the start (for a variable
 * that starts at zero everywhere, its largest rms in the forecast so far). */
typedef struct ml_rollout_result {
    int steps, nvars;
    char vars[ML_MAX_VARS][64];
    double t0, interval;                    /* the first record's time, the step (s) */
    size_t cells;
    double *rmse, *persistence, *drift;     /* [steps][nvars] */
    double *nrmse;                          /* [steps][nvars]: rmse over the truth's rms */
    /* [steps][nvars]: the change of the domain sum since the start less what entered through
     * the sides, over the drift's rms (above) times the cells; NaN for a variable whose steps do
     * not keep account (neither in flux form nor conserved on a closed domain) */
    double *imbalance;
    int gpu;                                /* the network ran on the GPU */
    double step_seconds;                    /* the surrogate's mean time per step */
    double solver_seconds;                  /* the solver's per interval; < 0: unknown */
    char solver_why[300];                   /* why, when unknown */
} ml_rollout_result;

/* Runs the surrogate from a record of init, writes the states as NetCDF and scores them
 * against init's records and persistence; times the solver's case (from init) over one
 * interval on the same device. A forecast that overflows stops with FC_ENUMERIC, its file and
 * res->steps holding the leads before. res is freed with ml_rollout_result_free, also after a
 * failure. */
int ml_rollout(const ml_rollout_opts *o, ml_rollout_result *res, fc_err *err);
void ml_rollout_result_free(ml_rollout_result *res);
/* Where variable v's forecast beats persistence (a smaller RMSE): at the leads before *until
 * (res->steps: at every lead), and again at every lead from *again to the end (res->steps: not
 * to the end, or already counted in *until). A slow variable that persistence holds well at
 * first (a bubble's theta) is beaten only later. A lead without a truth (NaN) beats nothing. */
void ml_rollout_beats_persistence(const ml_rollout_result *res, int v, int *until, int *again);

#ifdef __cplusplus
}
#endif
#endif
