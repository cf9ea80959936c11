/* surrogate.c: the local emulator's training, model file and rollout (see surrogate.h). */
#include <fc_build.h>

#include "ml/surrogate.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "src/core/backend.h"
#include "src/core/cfwrite.h"
#include "src/core/files.h"
#include "src/core/grid.h"
#include "src/core/log.h"
#include "src/core/machine_load.h"
#include "ml/mlp_gpu.h"
#include "ml/threads.h"
#include "src/core/ncio.h"
#include "src/core/ncread.h"
#include "src/core/sim.h"
#include "src/core/timer.h"

static const char *const opt_names[2] = {"sgd", "adamw"};

/* The names whose bit is set in mask, comma-separated ("" for none). */
static void join_mask(char *buf, size_t len, const char names[][64], int n, unsigned mask)
{
    buf[0] = '\0';
    for (int v = 0; v < n; v++)
        if (mask >> v & 1)
            snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", *buf ? "," : "", names[v]);
}

static void join(char *buf, size_t len, const char names[][64], int n)
{
    join_mask(buf, len, names, n, ~0u);
}

/* The mask of a comma-separated list of names[0..n) ("" or "none": 0); -1 and the unknown name
 * in bad when one is not among them. */
int ml_variable_mask(const char *list, const char names[][64], int n, char *bad, size_t badlen)
{
    unsigned mask = 0;
    if (!list || !*list || !strcmp(list, "none"))
        return 0;
    for (const char *p = list; *p;) {
        const size_t len = strcspn(p, ",");
        int v = 0;
        while (v < n && (strlen(names[v]) != len || strncmp(names[v], p, len)))
            v++;
        if (v == n) {
            snprintf(bad, badlen, "%.*s", (int)(len < 64 ? len : 64), p);
            return -1;
        }
        mask |= 1u << v;
        p += len + (p[len] == ',');
    }
    return (int)mask;
}

void ml_surrogate_free(ml_surrogate *s)
{
    mlp_free(&s->net);
    free(s->train_loss);
    free(s->val_loss);
    free(s->samples_per_s);
    memset(s, 0, sizeof *s);
}

/* The first of variable v's outputs: its change, or its east-face flux (then the north's). */
static int first_output(unsigned flux, int v)
{
    int k = 0;
    for (int u = 0; u < v; u++)
        k += 1 + (int)(flux >> u & 1);
    return k;
}

int ml_surrogate_outputs(const ml_geometry *g, unsigned flux)
{
    return first_output(flux, g->nvars);
}

/* Whether the domain is closed: only walls and periodic sides. */
static int geometry_closed(const ml_geometry *g)
{
    for (int k = 0; k < 4; k++)
        if (g->bc[k] != FC_BC_PERIODIC && g->bc[k] != FC_BC_WALL)
            return 0;
    return 1;
}

/* How far the data keep variable v's domain sum: the largest change of the sum from a file's
 * first record, over the largest sum of its absolute values (0 where the data conserve it). */
static double data_sum_drift(const ml_dataset *d, int v)
{
    const size_t cells = (size_t)d->geo.nx * (size_t)d->geo.ny;
    double drift = 0;
    for (int f = 0; f < d->nfiles; f++) {
        double first = 0, change = 0, size = 0;
        for (int t = 0; t < d->files[f].nt; t++) {
            const float *x = d->files[f].data + ((size_t)t * d->geo.nvars + v) * cells;
            double sum = 0, abs_sum = 0;
            for (size_t k = 0; k < cells; k++)
                sum += x[k], abs_sum += fabs(x[k]);
            first = t ? first : sum;
            change = fmax(change, fabs(sum - first));
            size = fmax(size, abs_sum);
        }
        drift = size > 0 ? fmax(drift, change / size) : drift;
    }
    return drift;
}

/* Whether a side lets a variable through: open and inflow sides do, walls and periodic sides
 * (whose faces are interior faces of the wrapped domain) do not. */
static int side_passes(int bc)
{
    return bc == FC_BC_OPEN || bc == FC_BC_INFLOW;
}

/* A model variable: its name, long name and units, on one dimension. */
typedef struct model_var {
    const char *name, *long_name, *units;
} model_var;

static const model_var model_vars[] = {
    {"widths", "neurons per layer, from the inputs to the outputs", "1"},
    {"params", "weights and biases of the layers, layer after layer", "1"},
    {"input_mean", "mean of each input feature over the training records", "1"},
    {"input_std", "standard deviation of each input feature over the training records", "1"},
    {"output_mean", "mean of each predicted change over the training records (0 for a variable "
                    "in flux form)", "1"},
    {"output_std", "standard deviation of each predicted change over the training records (a "
                   "variable in flux form: the unit of its face fluxes)", "1"},
    {"train_loss", "mean squared error of the normalised change on the training records", "1"},
    {"val_loss", "mean squared error of the normalised change on the validation records", "1"},
    {"samples_per_second", "training samples processed per second", "s-1"},
    {"optimizer_m1", "optimiser state: first moment (momentum) of each parameter", "1"},
    {"optimizer_m2", "optimiser state: second moment of each parameter", "1"},
};
enum { MV_WIDTHS, MV_PARAMS, MV_IN_MEAN, MV_IN_STD, MV_OUT_MEAN, MV_OUT_STD, MV_TRAIN, MV_VAL,
       MV_RATE, MV_M1, MV_M2, MV_COUNT };

static int def_model_var(fc_cf_file *f, int k, nc_type type, int dim, int *ids, fc_err *err)
{
    const model_var *v = &model_vars[k];
    return fc_cf_def_var(f, v->name, type, 1, &dim, v->long_name, v->units, &ids[k], err);
}

/* The model's dimensions, variables and attributes (define mode). */
static int define_model(fc_cf_file *f, const ml_surrogate *s, const mlp_optim *opt, int *ids,
                        fc_err *err)
{
    const ml_geometry *g = &s->geo;
    int st, dl, dp, di, dout, de = -1;
    if ((st = fc_cf_def_dim(f, "layer", (size_t)s->net.nlayers + 1, &dl, err)) ||
        (st = fc_cf_def_dim(f, "param", s->net.nparams, &dp, err)) ||
        (st = fc_cf_def_dim(f, "input_feature", (size_t)ml_features_per_sample(g), &di, err)) ||
        (st = fc_cf_def_dim(f, "output_variable", (size_t)g->nvars, &dout, err)) ||
        (s->epochs_done > 0 &&
         (st = fc_cf_def_dim(f, "epoch", (size_t)s->epochs_done, &de, err))))
        return st;
    if ((st = def_model_var(f, MV_WIDTHS, NC_INT, dl, ids, err)) ||
        (st = def_model_var(f, MV_PARAMS, NC_FLOAT, dp, ids, err)) ||
        (st = def_model_var(f, MV_IN_MEAN, NC_FLOAT, di, ids, err)) ||
        (st = def_model_var(f, MV_IN_STD, NC_FLOAT, di, ids, err)) ||
        (st = def_model_var(f, MV_OUT_MEAN, NC_FLOAT, dout, ids, err)) ||
        (st = def_model_var(f, MV_OUT_STD, NC_FLOAT, dout, ids, err)) ||
        (de >= 0 && ((st = def_model_var(f, MV_TRAIN, NC_DOUBLE, de, ids, err)) ||
                     (st = def_model_var(f, MV_VAL, NC_DOUBLE, de, ids, err)) ||
                     (st = def_model_var(f, MV_RATE, NC_DOUBLE, de, ids, err)))) ||
        (opt && (st = def_model_var(f, MV_M1, NC_FLOAT, dp, ids, err))) ||
        (opt && opt->m2 && (st = def_model_var(f, MV_M2, NC_FLOAT, dp, ids, err))))
        return st;
    /* Inputs are standardised per feature, outputs per variable, each in its units. */
    const char *per_feature = "one value per input feature: for each variable (the attribute "
                              "'variables', then 'static_fields') its value at the cell, then "
                              "neighbour minus cell over the stencil row by row, the cell left out";
    const char *per_variable = "one value per variable of 'variables', in its units";
    for (int k = MV_IN_MEAN; k <= MV_OUT_STD; k++)
        if ((st = fc_cf_att_text(f, ids[k], "comment", k <= MV_IN_STD ? per_feature : per_variable,
                                 err)))
            return st;

    char vars[1100], statics[1100], conserved[1100], nonnegative[1100], flux[1100];
    join(vars, sizeof vars, s->vars, g->nvars);
    join(statics, sizeof statics, s->statics, g->nstatic);
    join_mask(conserved, sizeof conserved, s->vars, g->nvars, s->conserved);
    join_mask(nonnegative, sizeof nonnegative, s->vars, g->nvars, s->nonnegative);
    join_mask(flux, sizeof flux, s->vars, g->nvars, s->flux);
    char advected_by[130] = "";
    if (s->advect)
        snprintf(advected_by, sizeof advected_by, "%s,%s", s->vars[s->advect_var[0]],
                 s->vars[s->advect_var[1]]);
    const char *const text[][2] = {
        {"flowcast_version", PACKAGE_VERSION},
        {"variables", vars},
        {"static_fields", statics},
        {"conserved_variables", conserved},
        {"nonnegative_variables", nonnegative},
        {"flux_variables", flux},
        {"flux_advected_by", advected_by},
        {"activation", mlp_activation_name(s->net.activation)},
        {"optimizer", opt_names[s->optimizer]},
        {"boundaries", s->boundaries},
        {"solver", s->solver},
        {"case", s->case_name},
        {"data_files", s->data_files},
    };
    for (size_t k = 0; k < sizeof text / sizeof text[0]; k++)
        if ((st = fc_cf_att_text(f, NC_GLOBAL, text[k][0], text[k][1], err)))
            return st;
    /* Epochs count from 1 in the file, as in what train prints (0: none improved yet). */
    const int ints[] = {g->stencil, g->nx, g->ny, s->epochs_done, s->best_epoch + 1, s->batch,
                        s->unroll > 1 ? s->unroll : 1};
    const char *int_names[] = {"stencil", "nx", "ny", "epochs_done", "best_epoch", "batch",
                               "unroll"};
    for (int k = 0; k < 7; k++)
        if ((st = fc_cf_att_int(f, NC_GLOBAL, int_names[k], 1, &ints[k], err)))
            return st;
    const double dbl[] = {s->interval, s->dx, s->dy, s->lr, s->weight_decay, s->best_val,
                          (double)s->seed, opt ? (double)opt->t : 0};
    const char *dbl_names[] = {"output_interval", "dx", "dy", "learning_rate", "weight_decay",
                               "best_val_loss", "seed", "optimizer_steps"};
    for (int k = 0; k < 8; k++)
        if ((st = fc_cf_att_double(f, NC_GLOBAL, dbl_names[k], 1, &dbl[k], err)))
            return st;
    return fc_cf_att_double(f, NC_GLOBAL, "state_noise", 1, &s->state_noise, err);
}

int ml_surrogate_save(const ml_surrogate *s, const mlp_optim *opt, const char *path, fc_err *err)
{
    /* CDF-5 rather than NetCDF-4: a model needs no HDF5 feature, and a write that fails (a
     * full disk) then leaves no half-closed HDF5 file behind to crash the process at exit.
     * Atomic: a reader, or a training that is interrupted, finds the whole best model. */
    char cmd[4400], hist[4500];
    snprintf(cmd, sizeof cmd, "flowcast train on %.4000s (epoch %d of training)", s->data_files,
             s->epochs_done);
    fc_cf_history(hist, sizeof hist, cmd);
    const fc_cf_spec spec = {"model file", 1, "", 1, 0,
                             "flowcast surrogate: an MLP local emulator of solver output", hist, 0};
    fc_cf_file f;
    int ids[MV_COUNT], st = fc_cf_create(&f, path, &spec, err);
    if (st)
        return st;
    if ((st = define_model(&f, s, opt, ids, err)) || (st = fc_cf_enddef(&f, err)) ||
        (st = fc_cf_put_int(&f, ids[MV_WIDTHS], s->net.n, err)) ||
        (st = fc_cf_put_float(&f, ids[MV_PARAMS], NULL, NULL, s->net.params, err)) ||
        (st = fc_cf_put_float(&f, ids[MV_IN_MEAN], NULL, NULL, s->in_mean, err)) ||
        (st = fc_cf_put_float(&f, ids[MV_IN_STD], NULL, NULL, s->in_std, err)) ||
        (st = fc_cf_put_float(&f, ids[MV_OUT_MEAN], NULL, NULL, s->out_mean, err)) ||
        (st = fc_cf_put_float(&f, ids[MV_OUT_STD], NULL, NULL, s->out_std, err)) ||
        (s->epochs_done > 0 &&
         ((st = fc_cf_put_double(&f, ids[MV_TRAIN], NULL, NULL, s->train_loss, err)) ||
          (st = fc_cf_put_double(&f, ids[MV_VAL], NULL, NULL, s->val_loss, err)) ||
          (st = fc_cf_put_double(&f, ids[MV_RATE], NULL, NULL, s->samples_per_s, err)))) ||
        (opt && (st = fc_cf_put_float(&f, ids[MV_M1], NULL, NULL, opt->m1, err))) ||
        (opt && opt->m2 && (st = fc_cf_put_float(&f, ids[MV_M2], NULL, NULL, opt->m2, err)))) {
        fc_cf_discard(&f);
    } else
        st = fc_cf_close(&f, err);
    if (st && fc_file_exists(path))
        fc_err_append(err, "  the model saved before is kept");
    return st;
}

/* Splits a comma list of variable names into names; the count, or -1 if there are more than
 * max, or a name is empty or longer than 63 characters. */
static int split_names(const char *text, char names[][64], int max)
{
    int n = 0;
    for (const char *p = text; *p;) {
        const size_t len = strcspn(p, ",");
        if (n == max || len == 0 || len > 63)
            return -1;
        snprintf(names[n++], 64, "%.*s", (int)len, p);
        p += len;
        if (*p == ',' && !*++p)
            return -1; /* a trailing comma */
    }
    return n;
}

/* Reads n checked values of the one-dimensional variable name into dst. */
static int load_vector(int ncid, const char *path, const char *name, size_t n, float *dst,
                       fc_err *err)
{
    fc_nc_var v;
    int st = fc_nc_find_var(ncid, path, name, 1, 1, &v, err);
    if (!st)
        st = fc_nc_get_vector_float(ncid, &v, n, dst, err);
    if (st)
        fc_err_append(err, "  ('%s' is a damaged model file)", path);
    return st;
}

/*
 * The model file is read as hostile (ncread.h): every attribute is checked for type, count and
 * range, and every variable's shape against what the attributes imply, before anything is
 * copied or allocated.
 */
int ml_surrogate_load(ml_surrogate *s, mlp_optim *opt, const char *path, fc_err *err)
{
    memset(s, 0, sizeof *s);
    int ncid, st = fc_nc_open(path, "model file", &ncid, err);
    if (st)
        return st;
    ml_geometry *g = &s->geo;
    char vars[1100], statics[1100], act[32], optname[32];
    struct {
        const char *name;
        char *buf;
        size_t len;
    } texts[] = {{"variables", vars, sizeof vars},
                 {"static_fields", statics, sizeof statics},
                 {"activation", act, sizeof act},
                 {"optimizer", optname, sizeof optname},
                 {"boundaries", s->boundaries, sizeof s->boundaries}};
    for (size_t k = 0; k < sizeof texts / sizeof texts[0] && !st; k++)
        if ((st = fc_nc_att_text(ncid, NC_GLOBAL, path, texts[k].name, texts[k].buf,
                                 texts[k].len, err)) > 0)
            st = fc_fail(err, FC_EINPUT, "'%s' is not a flowcast model file: no attribute '%s'",
                         path, texts[k].name);
    /* Pushforward steps of its training: absent in models of before it existed (1, none). */
    long long unroll = 1;
    if (!st && (st = fc_nc_att_int(ncid, NC_GLOBAL, path, "unroll", 1, 64, &unroll, err)) > 0)
        st = FC_OK;
    s->unroll = (int)unroll;
    if (!st && (st = fc_nc_att_doubles(ncid, NC_GLOBAL, path, "state_noise", &s->state_noise, 1,
                                       err)) > 0)
        st = FC_OK;
    if (!st && !(s->state_noise >= 0 && s->state_noise <= 100))
        st = fc_fail(err, FC_EINPUT, "'%s' is a damaged model file: state_noise %g (0 to 100 "
                     "expected)", path, s->state_noise);
    /* The constraints: absent in models of before they existed (none then). */
    char constraint[4][1100] = {"", "", "", ""};
    const char *constraint_att[4] = {"conserved_variables", "nonnegative_variables",
                                     "flux_variables", "flux_advected_by"};
    const char *constraint_what[3] = {"conserved", "non-negative", "flux-form"};
    for (int k = 0; k < 4 && !st; k++)
        if ((st = fc_nc_att_text(ncid, NC_GLOBAL, path, constraint_att[k], constraint[k],
                                 sizeof constraint[k], err)) > 0)
            st = FC_OK;
    /* Where it came from: descriptive, empty when absent. */
    struct {
        const char *name;
        char *buf;
        size_t len;
    } origin[] = {{"solver", s->solver, sizeof s->solver},
                  {"case", s->case_name, sizeof s->case_name},
                  {"data_files", s->data_files, sizeof s->data_files}};
    for (size_t k = 0; k < sizeof origin / sizeof origin[0] && !st; k++)
        if ((st = fc_nc_att_text(ncid, NC_GLOBAL, path, origin[k].name, origin[k].buf,
                                 origin[k].len, err)) > 0)
            st = FC_OK;
    /* Integers, with the ranges training can produce. */
    long long ints[6];
    const struct {
        const char *name;
        long long lo, hi;
    } int_atts[6] = {{"stencil", 1, 15},
                     {"nx", 1, ML_MAX_SIDE},
                     {"ny", 1, ML_MAX_SIDE},
                     {"epochs_done", 0, ML_MAX_EPOCHS},
                     {"best_epoch", 0, ML_MAX_EPOCHS},
                     {"batch", 0, INT_MAX}};
    for (int k = 0; k < 6 && !st; k++)
        if ((st = fc_nc_att_int(ncid, NC_GLOBAL, path, int_atts[k].name, int_atts[k].lo,
                                int_atts[k].hi, &ints[k], err)) > 0)
            st = fc_fail(err, FC_EINPUT, "'%s' is not a flowcast model file: no attribute '%s'",
                         path, int_atts[k].name);
    const char *dbl_names[] = {"output_interval", "dx", "dy", "learning_rate", "weight_decay",
                               "best_val_loss", "seed", "optimizer_steps"};
    double dbl[8];
    for (int k = 0; k < 8 && !st; k++)
        if ((st = fc_nc_att_doubles(ncid, NC_GLOBAL, path, dbl_names[k], &dbl[k], 1, err)) > 0) {
            /* A model that never improved on infinity has no finite best; absent is damage. */
            st = fc_fail(err, FC_EINPUT, "'%s' is not a flowcast model file: no attribute '%s'",
                         path, dbl_names[k]);
        }
    if (!st) {
        g->stencil = (int)ints[0];
        g->nx = (int)ints[1];
        g->ny = (int)ints[2];
        s->epochs_done = (int)ints[3];
        s->best_epoch = (int)ints[4] - 1; /* counted from 1 in the file */
        s->batch = (int)ints[5];
        s->interval = dbl[0];
        s->dx = dbl[1];
        s->dy = dbl[2];
        s->lr = dbl[3];
        s->weight_decay = dbl[4];
        s->best_val = dbl[5];
        s->seed = (unsigned long long)fmax(0, fmin(dbl[6], 0x1p63));
        g->nvars = split_names(vars, s->vars, ML_MAX_VARS);
        g->nstatic = *statics ? split_names(statics, s->statics, ML_MAX_VARS) : 0;
        int repeated = 0;
        for (int a = 0; a < g->nvars + g->nstatic && g->nvars > 0 && g->nstatic >= 0; a++)
            for (int b = 0; b < a; b++)
                repeated |= !strcmp(a < g->nvars ? s->vars[a] : s->statics[a - g->nvars],
                                    b < g->nvars ? s->vars[b] : s->statics[b - g->nvars]);
        if (g->nvars < 1 || g->nstatic < 0 || repeated)
            st = fc_fail(err, FC_EINPUT, "'%s' is a damaged model file: its variables '%s' and "
                         "static fields '%s' must be 1 to %d and 0 to %d comma-separated names, "
                         "each once", path, vars, statics, ML_MAX_VARS, ML_MAX_VARS);
        else if (g->stencil % 2 == 0 || !(s->interval > 0) || !(s->dx > 0) || !(s->dy > 0) ||
                 s->best_epoch >= s->epochs_done || dbl[7] < 0)
            st = fc_fail(err, FC_EINPUT, "'%s' is a damaged model file: stencil %d (odd expected), "
                         "output interval %g s, dx %g m, dy %g m (positive expected), best epoch %d "
                         "of %d", path, g->stencil, s->interval, s->dx, s->dy, s->best_epoch + 1,
                         s->epochs_done);
    }
    if (!st && !strcmp(optname, "adamw"))
        s->optimizer = MLP_ADAMW;
    else if (!st && !strcmp(optname, "sgd"))
        s->optimizer = MLP_SGD;
    else if (!st)
        st = fc_fail(err, FC_EINPUT, "'%s' is a damaged model file: unknown optimizer '%s'", path,
                     optname);
    const int activation = st ? -1 : mlp_activation_find(act);
    if (!st && activation < 0)
        st = fc_fail(err, FC_EINPUT, "'%s' is a damaged model file: unknown activation '%s'", path,
                     act);
    unsigned *masks[3] = {&s->conserved, &s->nonnegative, &s->flux};
    for (int k = 0; k < 3 && !st; k++) {
        char bad[80];
        const int mask = ml_variable_mask(constraint[k], s->vars, g->nvars, bad, sizeof bad);
        if (mask < 0)
            st = fc_fail(err, FC_EINPUT, "'%s' is a damaged model file: its %s variable '%s' is "
                         "not among its variables '%s'", path, constraint_what[k], bad, vars);
        else
            *masks[k] = (unsigned)mask;
    }
    /* The velocities of the flux-form variables' advective flux: absent in models of before
     * it existed (none then), else two variables in that order (u, then v). */
    s->advect = 0;
    s->advect_var[0] = s->advect_var[1] = -1;
    if (!st && *constraint[3]) {
        char u[64] = "", v[64] = "";
        const char *comma = strchr(constraint[3], ',');
        if (comma && comma - constraint[3] < 64 && strlen(comma + 1) < 64) {
            memcpy(u, constraint[3], (size_t)(comma - constraint[3]));
            strcpy(v, comma + 1);
        }
        for (int w = 0; w < g->nvars; w++) {
            if (!strcmp(s->vars[w], u) && !(s->flux >> w & 1))
                s->advect_var[0] = w;
            if (!strcmp(s->vars[w], v) && !(s->flux >> w & 1))
                s->advect_var[1] = w;
        }
        if (s->advect_var[0] < 0 || s->advect_var[1] < 0)
            st = fc_fail(err, FC_EINPUT, "'%s' is a damaged model file: flux_advected_by '%s' "
                         "is not two velocities (u,v) among its variables '%s' that are not in "
                         "flux form", path, constraint[3], vars);
        else
            s->advect = s->flux != 0;
    }
    if (!st && ml_parse_boundaries(s->boundaries, g->bc))
        st = fc_fail(err, FC_EINPUT, "'%s' is a damaged model file: boundaries '%s' are not "
                     "'west=KIND east=KIND south=KIND north=KIND'", path, s->boundaries);
    /* The widths: one per layer boundary, inputs from the variables and stencil. */
    int widths[MLP_MAX_LAYERS + 1];
    fc_nc_var wv;
    if (!st && (st = fc_nc_find_var(ncid, path, "widths", 1, 1, &wv, err)) == FC_OK &&
        (wv.len[0] < 2 || wv.len[0] > MLP_MAX_LAYERS + 1))
        st = fc_fail(err, FC_EINPUT, "'%s' is a damaged model file: variable 'widths' has %zu "
                     "values; 2 to %d expected", path, wv.len[0], MLP_MAX_LAYERS + 1);
    const int nl = st ? 0 : (int)wv.len[0];
    if (!st)
        st = fc_nc_get_vector_int(ncid, &wv, (size_t)nl, widths, err);
    const int nin = ml_features_per_sample(g);
    int olddim;
    if (!st && nc_inq_dimid(ncid, "input_variable", &olddim) == NC_NOERR)
        st = fc_fail(err, FC_EINPUT, "'%s' is a model of an older flowcast (inputs normalised "
                     "per variable, not per feature); train it again", path);
    if (!st && (widths[0] != ml_features_per_sample(g) ||
                widths[nl - 1] != ml_surrogate_outputs(g, s->flux)))
        st = fc_fail(err, FC_EINPUT, "'%s' is a damaged model file: its widths %d ... %d do not "
                     "match its %d variable(s) (%d in flux form, two outputs each), %d static "
                     "field(s) and stencil %d", path, widths[0], widths[nl - 1], g->nvars,
                     ml_surrogate_outputs(g, s->flux) - g->nvars, g->nstatic, g->stencil);
    /* The parameter count the widths imply, against the file's before anything is allocated. */
    fc_nc_var pv;
    if (!st && (st = fc_nc_find_var(ncid, path, "params", 1, 1, &pv, err)))
        fc_err_append(err, "  ('%s' is a damaged model file)", path);
    if (!st) {
        size_t np = 0;
        for (int l = 0; l + 1 < nl && !st; l++) {
            if (widths[l] < 1 || widths[l + 1] < 1 || widths[l + 1] > 1 << 20)
                st = fc_fail(err, FC_EINPUT, "'%s' is a damaged model file: layer width %d", path,
                             widths[l + 1] < 1 || widths[l + 1] > 1 << 20 ? widths[l + 1]
                                                                          : widths[l]);
            np += ((size_t)widths[l] + 1) * (size_t)(widths[l + 1] > 0 ? widths[l + 1] : 0);
        }
        if (!st && np != pv.len[0])
            st = fc_fail(err, FC_EINPUT, "'%s' is a damaged model file: variable 'params' has %zu "
                         "values; its widths need %zu", path, pv.len[0], np);
        /* The parameters, and twice that for the optimiser's moments. */
        const double bytes = (double)np * sizeof(float) * (opt ? 3 : 1);
        const double avail = (double)fc_host_available_memory();
        if (!st && avail > 0 && bytes > 0.9 * avail)
            st = fc_fail(err, FC_EINPUT, "'%s': a model of %zu parameters needs %.3g GB; %.3g GB "
                         "of memory is available", path, np, bytes / 1e9, avail / 1e9);
    }
    if (!st)
        st = mlp_init(&s->net, nl - 1, widths, activation, err);
    if (!st)
        st = load_vector(ncid, path, "params", s->net.nparams, s->net.params, err);
    if (!st)
        st = load_vector(ncid, path, "input_mean", (size_t)nin, s->in_mean, err);
    if (!st)
        st = load_vector(ncid, path, "input_std", (size_t)nin, s->in_std, err);
    if (!st)
        st = load_vector(ncid, path, "output_mean", (size_t)g->nvars, s->out_mean, err);
    if (!st)
        st = load_vector(ncid, path, "output_std", (size_t)g->nvars, s->out_std, err);
    for (int k = 0; k < nin && !st; k++)
        if (!(s->in_std[k] > 0))
            st = fc_fail(err, FC_EINPUT, "'%s' is a damaged model file: the standard deviation of "
                         "input feature %d is not positive", path, k + 1);
    for (int v = 0; v < g->nvars && !st; v++)
        if (!(s->out_std[v] > 0))
            st = fc_fail(err, FC_EINPUT, "'%s' is a damaged model file: the standard deviation of "
                         "variable %d's change is not positive", path, v + 1);
    if (!st && s->epochs_done > 0) {
        const size_t ne = (size_t)s->epochs_done;
        s->train_loss = malloc(ne * sizeof(double));
        s->val_loss = malloc(ne * sizeof(double));
        s->samples_per_s = malloc(ne * sizeof(double));
        if (!s->train_loss || !s->val_loss || !s->samples_per_s)
            st = fc_fail(err, FC_ENOMEM, "out of memory reading '%s'", path);
        const char *names[3] = {"train_loss", "val_loss", "samples_per_second"};
        double *dst[3] = {s->train_loss, s->val_loss, s->samples_per_s};
        for (int k = 0; k < 3 && !st; k++) {
            /* A loss may be undefined (an epoch without validation records), written as the
             * fill value: check the shape only, and read a fill value back as NaN. */
            fc_nc_var hv;
            if ((st = fc_nc_find_var(ncid, path, names[k], 1, 1, &hv, err)) == FC_OK &&
                hv.len[0] != ne)
                st = fc_fail(err, FC_EINPUT, "'%s' is a damaged model file: variable '%s' has %zu "
                             "values for %zu epochs", path, names[k], hv.len[0], ne);
            if (!st && nc_get_var_double(ncid, hv.id, dst[k]) != NC_NOERR)
                st = fc_fail(err, FC_EINPUT, "'%s': cannot read variable '%s'", path, names[k]);
            for (size_t e = 0; e < ne && !st; e++)
                if (dst[k][e] == NC_FILL_DOUBLE)
                    dst[k][e] = NAN;
        }
    }
    for (int v = 0; v < g->nvars + g->nstatic && !st; v++) {
        const int c = ml_vector_component(v < g->nvars ? s->vars[v] : s->statics[v - g->nvars]);
        g->odd_x[v] = c == 1;
        g->odd_y[v] = c == 2;
    }
    if (!st && opt && !(st = mlp_optim_init(opt, &s->net, s->optimizer, s->lr, err))) {
        opt->weight_decay = s->weight_decay;
        opt->t = (long long)fmin(dbl[7], 0x1p62);
        if (!fc_nc_has_att(ncid, NC_GLOBAL, "optimizer_steps") ||
            nc_inq_varid(ncid, "optimizer_m1", &(int){0}) != NC_NOERR)
            st = fc_fail(err, FC_EINPUT, "'%s' holds no optimiser state to resume from", path);
        if (!st)
            st = load_vector(ncid, path, "optimizer_m1", s->net.nparams, opt->m1, err);
        if (!st && opt->m2)
            st = load_vector(ncid, path, "optimizer_m2", s->net.nparams, opt->m2, err);
        if (st)
            mlp_optim_free(opt);
    }
    fc_nc_close(ncid);
    if (st)
        ml_surrogate_free(s);
    return st;
}

/* ---- training ---- */

/* The faces of cell (i, j) whose flux a flux-form model gives, a bit each: its own east and
 * north faces (its outputs) and its west and south ones (its neighbours' east and north, or on
 * an open side a ghost cell's), but where they are a wall on the domain's edge: no flux. */
enum { FACE_E = 1, FACE_N = 2, FACE_W = 4, FACE_S = 8 };
static int live_faces(const ml_geometry *g, int i, int j)
{
    return (i < g->nx - 1 || g->bc[FC_EAST] != FC_BC_WALL ? FACE_E : 0) |
           (j < g->ny - 1 || g->bc[FC_NORTH] != FC_BC_WALL ? FACE_N : 0) |
           (i > 0 || g->bc[FC_WEST] != FC_BC_WALL ? FACE_W : 0) |
           (j > 0 || g->bc[FC_SOUTH] != FC_BC_WALL ? FACE_S : 0);
}

/* The inputs and targets of samples idx[0..B): for a flux-form model 3B rows of inputs, the
 * samples' cells, then their west neighbours, then their south neighbours (flux_loss). */
static void make_batch(const ml_surrogate *s, const ml_dataset *d, int split, const size_t *idx,
                       int B, float *x, float *y)
{
    const size_t nf = (size_t)ml_features_per_sample(&d->geo);
    ml_dataset_batch(d, split, idx, B, x, y);
    if (s->flux) {
        ml_dataset_features_at(d, split, idx, B, -1, 0, x + (size_t)B * nf);
        ml_dataset_features_at(d, split, idx, B, 0, -1, x + 2 * (size_t)B * nf);
    }
}

void ml_surrogate_add_advection(const ml_surrogate *s, const float *x, int rows, float *o)
{
    if (!s->advect || !s->flux)
        return;
    const ml_geometry *g = &s->geo;
    const int K = g->stencil, r = K / 2, nf = ml_features_per_sample(g);
    const int no = s->net.n[s->net.nlayers];
    /* A variable's features: its value at the cell, then neighbour minus cell row by row from
     * the south-west corner, the cell itself left out (ml_neighbourhood): the east and north
     * neighbours' places among the differences. */
    const int diff_at[2] = {r * K + r, (r + 1) * K + r - 1};
    const double step[2] = {s->interval / s->dx, s->interval / s->dy};
#pragma omp parallel for schedule(static) if (rows >= 4096)
    for (int row = 0; row < rows; row++) {
        const float *xr = x + (size_t)row * nf;
        for (int v = 0; v < g->nvars; v++) {
            if (!(s->flux >> v & 1))
                continue;
            const int k = first_output(s->flux, v);
            for (int dir = 0; dir < 2; dir++) {
                double face[2]; /* q, then the velocity across the face */
                for (int m = 0; m < 2; m++) {
                    const int c = (m ? s->advect_var[dir] : v) * K * K, e = c + 1 + diff_at[dir];
                    const double centre = xr[c] * (double)s->in_std[c] + s->in_mean[c];
                    face[m] = centre + (xr[e] * (double)s->in_std[e] + s->in_mean[e]) / 2;
                }
                o[(size_t)row * no + k + dir] += (float)(face[0] * face[1] * step[dir] / s->out_std[v]);
            }
        }
    }
}

double ml_surrogate_flux_loss(const ml_surrogate *s, const float *o, const float *y, const size_t *idx,
                        int B, float *dout, double *per_var)
{
    const ml_geometry *g = &s->geo;
    const int nv = g->nvars, no = s->net.n[s->net.nlayers];
    const size_t plane = (size_t)g->nx * g->ny, rows = (size_t)B * no;
    const double scale = 2.0 / ((double)B * nv);
    int first[ML_MAX_VARS];
    for (int v = 0; v < nv; v++)
        first[v] = first_output(s->flux, v);
    if (dout)
        memset(dout, 0, 3 * rows * sizeof *dout);
    double sum = 0;
    for (int r = 0; r < B; r++) {
        const size_t c = idx[r] % plane, at = (size_t)r * no;
        const int faces = live_faces(g, (int)(c % g->nx), (int)(c / g->nx));
        const float *oc = o + at, *ow = o + rows + at, *os = o + 2 * rows + at;
        for (int v = 0; v < nv; v++) {
            const int k = first[v], flux = s->flux >> v & 1;
            const double pred =
                !flux ? oc[k]
                      : ((faces & FACE_W ? ow[k] : 0.0) - (faces & FACE_E ? oc[k] : 0.0)) +
                            ((faces & FACE_S ? os[k + 1] : 0.0) - (faces & FACE_N ? oc[k + 1] : 0.0));
            const double e = pred - y[(size_t)r * nv + v];
            sum += e * e;
            if (per_var)
                per_var[v] += e * e;
            if (!dout)
                continue;
            const float grad = (float)(scale * e);
            if (!flux) {
                dout[at + k] = grad;
                continue;
            }
            if (faces & FACE_E)
                dout[at + k] = -grad;
            if (faces & FACE_N)
                dout[at + k + 1] = -grad;
            if (faces & FACE_W)
                dout[rows + at + k] = grad;
            if (faces & FACE_S)
                dout[2 * rows + at + k + 1] = grad;
        }
    }
    return sum / ((double)B * nv);
}

/* Mean loss over every sample of a split, in batches (no gradient), on the GPU when gpu is
 * given; on the host also each variable's share, per_var[v] (the mean of its squared errors;
 * NaN where the GPU sums the loss, which comes back as one sum). */
static int split_loss(const ml_dataset *d, const ml_surrogate *s, mlp_work *w, mlp_gpu *gpu,
                      int split, int B, float *x, float *y, size_t *idx, double *loss,
                      double *per_var, fc_err *err)
{
    const size_t n = ml_dataset_count(d, split);
    const int nv = s->geo.nvars, no = s->net.n[s->net.nlayers];
    const int host_loss = !gpu || s->flux; /* a flux-form loss is the host's on either device */
    double sum = 0;
    for (int v = 0; v < nv; v++)
        per_var[v] = host_loss && n ? 0 : NAN;
    for (size_t k = 0; k < n; k += (size_t)B) {
        const int b = (int)(n - k < (size_t)B ? n - k : (size_t)B);
        for (int r = 0; r < b; r++)
            idx[r] = k + (size_t)r;
        make_batch(s, d, split, idx, b, x, y);
        double l;
        if (gpu && !s->flux) {
            int st = mlp_gpu_loss(gpu, x, y, b, MLP_MSE, &l, NULL, err);
            if (st)
                return st;
        } else if (s->flux) {
            float *out = w->act[s->net.nlayers];
            int st = gpu ? mlp_gpu_forward(gpu, x, 3 * b, out, err) : FC_OK;
            if (st)
                return st;
            if (!gpu)
                mlp_forward(&s->net, w, x, 3 * b);
            ml_surrogate_add_advection(s, x, 3 * b, out);
            l = ml_surrogate_flux_loss(s, out, y, idx, b, NULL, per_var);
        } else {
            mlp_forward(&s->net, w, x, b);
            l = mlp_loss(&s->net, w, MLP_MSE, y, b);
            const float *o = w->act[s->net.nlayers];
            for (int r = 0; r < b; r++)
                for (int v = 0; v < nv; v++) {
                    const double e = (double)o[(size_t)r * no + v] - y[(size_t)r * nv + v];
                    per_var[v] += e * e;
                }
        }
        sum += l * b;
    }
    *loss = n ? sum / (double)n : NAN;
    for (int v = 0; v < nv && host_loss && n; v++)
        per_var[v] /= (double)n;
    return FC_OK;
}

/* Whether a resumed model fits the data it is to go on learning from. */
static int same_setup(const ml_surrogate *s, const ml_dataset *d, const char *path, fc_err *err)
{
    if (s->geo.nvars != d->geo.nvars || s->geo.nstatic != d->geo.nstatic ||
        s->geo.stencil != d->geo.stencil || s->geo.nx != d->geo.nx || s->geo.ny != d->geo.ny)
        return fc_fail(err, FC_EINPUT, "--resume: the model '%s' has %d variables, %d static "
                       "fields, stencil %d on %d x %d; the data and options give %d, %d, %d on "
                       "%d x %d", path, s->geo.nvars, s->geo.nstatic, s->geo.stencil, s->geo.nx,
                       s->geo.ny, d->geo.nvars, d->geo.nstatic, d->geo.stencil, d->geo.nx, d->geo.ny);
    for (int v = 0; v < d->geo.nvars; v++)
        if (strcmp(s->vars[v], d->vars[v]))
            return fc_fail(err, FC_EINPUT, "--resume: the model '%s' emulates '%s' where --vars "
                           "gives '%s'", path, s->vars[v], d->vars[v]);
    for (int v = 0; v < d->geo.nstatic; v++)
        if (strcmp(s->statics[v], d->statics[v]))
            return fc_fail(err, FC_EINPUT, "--resume: the model '%s' reads static field '%s' "
                           "where --static gives '%s'", path, s->statics[v], d->statics[v]);
    /* Its stencils were learnt at one spacing, its step is one output interval. */
    if (fabs(s->dx - d->dx) > 1e-6 * s->dx || fabs(s->dy - d->dy) > 1e-6 * s->dy ||
        fabs(s->interval - d->interval) > 1e-6 * s->interval)
        return fc_fail(err, FC_EINPUT, "--resume: the model '%s' was trained at a spacing of %g x "
                       "%g and an interval of %g s; the data have %g x %g and %g s", path, s->dx,
                       s->dy, s->interval, d->dx, d->dy, d->interval);
    return FC_OK;
}

/*
 * Gaussian noise of deviation sigma (in normalised units) on a batch's inputs: the model then
 * learns to pull a slightly wrong state back, which its own forecasts are after a few steps
 * (the noise injection of Sanchez-Gonzalez et al. 2020, ICML, for stable rollouts).
 */
static void add_noise(float *x, size_t n, double sigma, unsigned long long *state)
{
    for (size_t k = 0; k + 1 < n; k += 2) {
        *state = *state * 6364136223846793005ull + 1442695040888963407ull;
        const double u1 = ((double)(*state >> 11) + 0.5) * 0x1.0p-53;
        *state = *state * 6364136223846793005ull + 1442695040888963407ull;
        const double u2 = (double)(*state >> 11) * 0x1.0p-53, r = sigma * sqrt(-2 * log(u1));
        x[k] += (float)(r * cos(2 * M_PI * u2));
        x[k + 1] += (float)(r * sin(2 * M_PI * u2));
    }
}

static size_t plane_of(const ml_dataset *d)
{
    return (size_t)d->geo.nx * d->geo.ny;
}

/* Pushforward (--unroll R): each training record t's state as the model, as it is now, with
 * its constraints, forecasts it in R - 1 steps from record t - (R - 1), where the records
 * between are one output interval apart; into each file's pushed states. */
static int push_states(const ml_surrogate *s, ml_dataset *d, mlp_work *w, float *x,
                       double *state, float *scratch, unsigned long long seed, fc_err *err)
{
    const size_t n = plane_of(d) * d->geo.nvars;
    const int steps = s->unroll - 1;
    for (int f = 0; f < d->nfiles; f++) {
        ml_file *mf = &d->files[f];
        if (!mf->pushed) {
            mf->pushed = malloc((size_t)mf->nt * n * sizeof *mf->pushed);
            mf->pushed_ok = malloc((size_t)mf->nt);
            if (!mf->pushed || !mf->pushed_ok)
                return fc_fail(err, FC_ENOMEM, "out of memory for the pushforward states");
        }
        memset(mf->pushed_ok, 0, (size_t)mf->nt);
    }
    for (int p = 0; p < d->npairs[ML_TRAIN]; p++) {
        ml_file *mf = &d->files[d->pair_file[ML_TRAIN][p]];
        const int t = d->pair_t[ML_TRAIN][p], t0 = t - steps;
        int spaced = t0 >= 0;
        for (int k = t0; spaced && k < t; k++)
            spaced = fabs(mf->time[k + 1] - mf->time[k] - d->interval) <= 1e-6 * d->interval;
        if (!spaced)
            continue;
        const float *from = mf->data + (size_t)t0 * n;
        for (size_t k = 0; k < n; k++)
            state[k] = from[k];
        for (int k = 0; k < steps; k++) {
            const int st = ml_surrogate_step(s, w, NULL, state, mf->statics, x, scratch, NULL, err);
            if (st)
                return st;
        }
        float *to = mf->pushed + (size_t)t * n;
        const size_t plane = plane_of(d);
        for (size_t k = 0; k < n; k++)
            to[k] = (float)state[k];
        if (s->state_noise > 0) {
            unsigned long long rng = seed * 0x9e3779b97f4a7c15ull + (unsigned long long)p;
            for (int v = 0; v < d->geo.nvars; v++)
                add_noise(to + v * plane, plane, s->state_noise * s->out_std[v], &rng);
        }
        mf->pushed_ok[t] = 1;
    }
    return FC_OK;
}

int ml_train(const ml_train_opts *o, fc_err *err)
{
    for (int f = 0; f < o->ndata; f++) {
        if (fc_same_file(o->output, o->data[f]))
            return fc_fail(err, FC_EINPUT, "the model file '%s' is the data file '%s': give "
                           "another with -o", o->output, o->data[f]);
        /* Twice the same records would count twice in the loss, and with --holdout could
         * both train and validate. */
        for (int g = 0; g < f; g++)
            if (fc_same_file(o->data[g], o->data[f]))
                return fc_fail(err, FC_EINPUT, "--data names one file twice ('%s' and '%s'): "
                               "give each once", o->data[g], o->data[f]);
    }
    if (o->resume && !fc_file_exists(o->output))
        return fc_fail(err, FC_EINPUT, "--resume: there is no model '%s' to resume", o->output);
    int st = fc_output_writable(o->output, "model file", o->overwrite || o->resume,
                                "use -O to replace it, --resume to go on training it", err);
    if (st)
        return st;
    if (o->epochs < 1 || o->epochs > ML_MAX_EPOCHS || o->batch < 1 || !(o->lr > 0))
        return fc_fail(err, FC_EINPUT, "epochs (1 to %d), batch (>= 1) and the learning rate "
                       "(> 0) must be positive", ML_MAX_EPOCHS);
    ml_dataset d;
    st = ml_dataset_open(&d, o->data, o->ndata, o->vars, o->nvars, o->statics, o->nstatic,
                         o->stencil, o->val_fraction, o->holdout, err);
    if (st)
        return st;
    /* The constraints of its steps: as asked (-1: a resumed model's own); else the depth of
     * shallow-water data, which is conserved and cannot be negative. */
    int has_h = 0, masks[2] = {-1, -1};
    for (int v = 0; v < d.geo.nvars; v++)
        has_h |= !strcmp(d.vars[v], "h");
    for (int k = 0; k < 2 && !st; k++) {
        const char *list = k ? o->nonnegative : o->conserve;
        if (!list && o->resume)
            continue;
        if (!list)
            list = has_h && !strcmp(d.solver, "swe") ? "h" : "none";
        char bad[80], names[1100];
        masks[k] = ml_variable_mask(list, d.vars, d.geo.nvars, bad, sizeof bad);
        join(names, sizeof names, d.vars, d.geo.nvars);
        if (masks[k] < 0)
            st = fc_fail(err, FC_EINPUT, "--%s: '%s' is not one of the variables '%s'",
                         k ? "nonnegative" : "conserve", bad, names);
    }
    if (!st && o->flux && masks[0] == 0)
        st = fc_fail(err, FC_EINPUT, "--flux: no variable is conserved, so none can be put in "
                     "flux form (name them with --conserve)");
    if (st) {
        ml_dataset_free(&d);
        return st;
    }
    ml_surrogate s;
    mlp_optim opt;
    memset(&opt, 0, sizeof opt);
    if (o->resume) {
        if ((st = ml_surrogate_load(&s, &opt, o->output, err)) ||
            (st = same_setup(&s, &d, o->output, err))) {
            if (s.net.params)
                ml_surrogate_free(&s);
            mlp_optim_free(&opt);
            ml_dataset_free(&d);
            return st;
        }
        /* The normalisation and the form stay the model's: what it learnt is in those. */
        if (o->flux && !s.flux) {
            ml_surrogate_free(&s);
            mlp_optim_free(&opt);
            ml_dataset_free(&d);
            return fc_fail(err, FC_EINPUT, "--resume with --flux: the model '%s' predicts "
                           "changes, not face fluxes; train a new one", o->output);
        }
    } else {
        memset(&s, 0, sizeof s);
        /* Flux form for the conserved variables where a sum can change through a side, or
         * where asked. */
        if (o->flux || !geometry_closed(&d.geo))
            s.flux = (unsigned)masks[0];
        /* Their fluxes start from the advective flux where the velocities are emulated too. */
        s.advect_var[0] = s.advect_var[1] = -1;
        for (int v = 0; v < d.geo.nvars; v++)
            for (int m = 0; m < 2; m++)
                if (!strcmp(d.vars[v], m ? "v" : "u") && !(s.flux >> v & 1))
                    s.advect_var[m] = v;
        s.advect = s.flux && s.advect_var[0] >= 0 && s.advect_var[1] >= 0;
        int widths[MLP_MAX_LAYERS + 1], nl = o->nhidden + 1;
        widths[0] = ml_features_per_sample(&d.geo);
        for (int k = 0; k < o->nhidden; k++)
            widths[k + 1] = o->hidden[k];
        widths[nl] = ml_surrogate_outputs(&d.geo, s.flux);
        if ((st = mlp_init(&s.net, nl, widths, o->activation, err)) ||
            (st = mlp_optim_init(&opt, &s.net, o->optimizer, o->lr, err))) {
            mlp_free(&s.net);
            ml_dataset_free(&d);
            return st;
        }
        mlp_randomize(&s.net, o->seed);
        opt.weight_decay = o->weight_decay;
        s.geo = d.geo;
        memcpy(s.vars, d.vars, sizeof s.vars);
        memcpy(s.statics, d.statics, sizeof s.statics);
        memcpy(s.in_mean, d.in_mean, sizeof s.in_mean);
        memcpy(s.in_std, d.in_std, sizeof s.in_std);
        memcpy(s.out_mean, d.out_mean, sizeof s.out_mean);
        memcpy(s.out_std, d.out_std, sizeof s.out_std);
        /* Face fluxes have no mean change: a flux-form cell's change is their difference. */
        for (int v = 0; v < d.geo.nvars; v++)
            if (s.flux >> v & 1)
                s.out_mean[v] = 0;
        s.best_val = INFINITY;
        s.best_epoch = -1;
    }
    /* What this run trains with (a resumed run may change the schedule's length or the rate). */
    s.interval = d.interval;
    s.dx = d.dx;
    s.dy = d.dy;
    snprintf(s.boundaries, sizeof s.boundaries, "%s", d.boundaries);
    snprintf(s.solver, sizeof s.solver, "%s", d.solver);
    snprintf(s.case_name, sizeof s.case_name, "%s", d.case_name);
    /* The files by name while they fit, then how many more (an ensemble's thousands). */
    s.data_files[0] = '\0';
    size_t len = 0;
    for (int f = 0; f < d.nfiles; f++) {
        const size_t need = strlen(d.files[f].path) + (f ? 1 : 0);
        if (len + need + 32 >= sizeof s.data_files) {
            snprintf(s.data_files + len, sizeof s.data_files - len, " and %d more files",
                     d.nfiles - f);
            break;
        }
        len += (size_t)snprintf(s.data_files + len, sizeof s.data_files - len, "%s%s",
                                f ? " " : "", d.files[f].path);
    }
    s.optimizer = opt.kind;
    s.lr = o->lr;
    s.weight_decay = opt.weight_decay;
    s.batch = o->batch;
    s.seed = o->seed;
    s.unroll = o->unroll > 1 ? o->unroll : 1;
    s.state_noise = o->state_noise;
    const int pushing = s.unroll > 1 || s.state_noise > 0;
    /* Inputs normalised with the model's statistics (the same as the data's unless resumed). */
    memcpy(d.in_mean, s.in_mean, sizeof d.in_mean);
    memcpy(d.in_std, s.in_std, sizeof d.in_std);
    memcpy(d.out_mean, s.out_mean, sizeof d.out_mean);
    memcpy(d.out_std, s.out_std, sizeof d.out_std);

    const size_t ntrain = ml_dataset_count(&d, ML_TRAIN), nval = ml_dataset_count(&d, ML_VALID);
    const int B = o->batch, nf = ml_features_per_sample(&d.geo);
    /* A flux-form batch runs the network on each sample's cell and its west and south
     * neighbours (make_batch). */
    const int rows = s.flux ? 3 * B : B, nout = s.net.n[s.net.nlayers];
    mlp_work w = {0}; /* freed on every path, also before its init */
    size_t *idx = malloc(ntrain * sizeof *idx), *vidx = malloc((size_t)B * sizeof *vidx);
    float *x = malloc((size_t)rows * nf * sizeof *x), *y = malloc((size_t)B * d.geo.nvars * sizeof *y);
    float *grad = malloc(s.net.nparams * sizeof *grad);
    float *dout = s.flux ? malloc((size_t)rows * nout * sizeof *dout) : NULL;
    const int total = o->epochs;
    double *hist[3];
    for (int k = 0; k < 3; k++)
        hist[k] = malloc((size_t)total * sizeof(double));
    /* Each variable's validation loss, of this epoch and of the best one found here. */
    double val_per_var[ML_MAX_VARS], best_per_var[ML_MAX_VARS];
    for (int v = 0; v < ML_MAX_VARS; v++)
        best_per_var[v] = NAN;
    if (!idx || !vidx || !x || !y || !grad || !hist[0] || !hist[1] || !hist[2] ||
        (s.flux && !dout))
        st = fc_fail(err, FC_ENOMEM, "out of memory for training");
    if (!st)
        st = mlp_work_init(&w, &s.net, rows, err);
    /* The pushforward's forecasts: the whole grid at once, as a rollout steps it. */
    const int push_batch = (int)(plane_of(&d) < 65536 ? plane_of(&d) : 65536);
    mlp_work pw = {0};
    float *px = NULL, *pscratch = NULL;
    double *pstate = NULL;
    if (!st && pushing) {
        px = malloc((size_t)push_batch * nf * sizeof *px);
        pscratch = malloc(plane_of(&d) * d.geo.nvars * sizeof *pscratch);
        pstate = malloc(plane_of(&d) * d.geo.nvars * sizeof *pstate);
        if (!px || !pscratch || !pstate)
            st = fc_fail(err, FC_ENOMEM, "out of memory for the pushforward");
        else
            st = mlp_work_init(&pw, &s.net, push_batch, err);
    }
    mlp_gpu *gpu = NULL;
    if (!st && o->gpu)
        st = mlp_gpu_create(&s.net, &opt, rows, o->tf32, &gpu, err);
    if (!st && s.epochs_done >= total)
        st = fc_fail(err, FC_EINPUT, "--resume: '%s' has trained %d epochs already; ask for more "
                     "with --epochs", o->output, s.epochs_done);
    if (masks[0] >= 0)
        s.conserved = (unsigned)masks[0];
    if (masks[1] >= 0)
        s.nonnegative = (unsigned)masks[1];
    for (int k = 0; k < 3 && !st; k++)
        if (s.epochs_done)
            memcpy(hist[k], k == 0 ? s.train_loss : k == 1 ? s.val_loss : s.samples_per_s,
                   (size_t)s.epochs_done * sizeof(double));
    if (!st) {
        char names[3][1100];
        join_mask(names[0], sizeof names[0], s.vars, s.geo.nvars, s.conserved & ~s.flux);
        join_mask(names[1], sizeof names[1], s.vars, s.geo.nvars, s.nonnegative);
        join_mask(names[2], sizeof names[2], s.vars, s.geo.nvars, s.flux);
        if (*names[2])
            fc_info("train: %s in flux form: the network predicts the flux through each cell's "
                    "faces, so the domain sum changes only through the %s", names[2],
                    ml_surrogate_closed(&s) ? "sides (a closed domain: not at all)"
                                            : "open and inflow sides");
        if (*names[2] && s.advect)
            fc_info("train: %s's fluxes start from its advective flux (times %s and %s); the "
                    "network adds the rest", names[2], s.vars[s.advect_var[0]],
                    s.vars[s.advect_var[1]]);
        if (*names[0] && ml_surrogate_closed(&s))
            fc_info("train: forecast steps conserve the domain sum of %s", names[0]);
        else if (*names[0])
            fc_info("train: %s is not conserved by the forecast steps: the domain has an open or "
                    "inflow side, through which its sum may change (a resumed model that "
                    "predicts changes, not fluxes)", names[0]);
        if (*names[1])
            fc_info("train: forecast steps keep %s non-negative", names[1]);
        /* A variable the solver does not conserve (a velocity) forced to keep its sum. */
        for (int v = 0; v < s.geo.nvars && ml_surrogate_closed(&s); v++) {
            const double drift = s.conserved >> v & 1 ? data_sum_drift(&d, v) : 0;
            if (drift > 1e-5)
                fc_warn("train: the data do not keep the domain sum of %s (it moves by %.2g of "
                        "the sum of its absolute values), but the forecast steps will: is it "
                        "conserved?", s.vars[v], drift);
        }
    }
    if (!st)
        fc_info("train: %zu training samples (%d record pairs), %zu validation (%d), %d features "
                "-> %d outputs, %zu parameters, %s",
                ntrain, d.npairs[ML_TRAIN], nval, d.npairs[ML_VALID], nf, nout,
                s.net.nparams, nval ? "early stopping on the validation loss"
                                    : "no validation records: the training loss decides");
    int since_best = 0;
    unsigned long long noise_state = o->seed ^ 0x5bd1e995ull;
    /* The CPU's thread count follows the load (threads.h); the result does not depend on it. */
    ml_threads threads;
    int max_threads = 1;
#ifdef _OPENMP
    max_threads = omp_get_max_threads();
#endif
    ml_threads_init(&threads, gpu ? 1 : max_threads, fc_now());
    for (int e = s.epochs_done; e < total && !st; e++) {
        if (o->stop && *o->stop) {
            st = fc_fail(err, FC_EINTR, "interrupted before epoch %d; '%s' holds the best model "
                         "(epoch %d)", e + 1, o->output, s.best_epoch + 1);
            break;
        }
        const double w0 = fc_now(), rate = mlp_schedule_lr(MLP_COSINE, o->lr, e, total);
        mlp_shuffle(idx, ntrain, o->seed * 1000003ull + (unsigned long long)e);
        /* Pushforward from the second epoch (the first model's forecasts are noise); noisy
         * true states from the first. */
        if (pushing && (e > 0 || s.unroll == 1)) {
            if ((gpu && s.unroll > 1 && (st = mlp_gpu_download(gpu, &s.net, NULL, err))) ||
                (st = push_states(&s, &d, &pw, px, pstate, pscratch,
                                  o->seed * 104729ull + (unsigned long long)e, err)))
                break;
            d.push_fraction = 0.5;
            d.push_seed = o->seed * 7919ull + (unsigned long long)e;
        }
        double sum = 0;
        size_t seen = 0;
        ml_threads_restart(&threads, fc_now());
        for (size_t b0 = 0; b0 < ntrain; b0 += (size_t)B) {
            const int b = (int)(ntrain - b0 < (size_t)B ? ntrain - b0 : (size_t)B);
#ifdef _OPENMP
            if (!gpu && ml_threads_count(&threads) != omp_get_max_threads())
                omp_set_num_threads(ml_threads_count(&threads));
#endif
            make_batch(&s, &d, ML_TRAIN, idx + b0, b, x, y);
            if (o->noise > 0)
                add_noise(x, (size_t)b * nf * (s.flux ? 3 : 1), o->noise, &noise_state);
            if (gpu && !s.flux) { /* queued: its loss is summed on the device */
                if ((st = mlp_gpu_train_step(gpu, x, y, b, MLP_MSE, rate, err)))
                    break;
            } else if (s.flux) {
                /* The network's rows on either device; the faces' loss and its gradient with
                 * respect to the outputs on the host, which combines three rows' outputs. */
                float *out = w.act[s.net.nlayers];
                if (gpu && (st = mlp_gpu_forward(gpu, x, 3 * b, out, err)))
                    break;
                if (!gpu)
                    mlp_forward(&s.net, &w, x, 3 * b);
                ml_surrogate_add_advection(&s, x, 3 * b, out);
                sum += ml_surrogate_flux_loss(&s, out, y, idx + b0, b, dout, NULL) * b;
                if (gpu && (st = mlp_gpu_train_outputs(gpu, dout, 3 * b, rate, err)))
                    break;
                if (!gpu) {
                    mlp_backward_outputs(&s.net, &w, dout, 3 * b, grad);
                    mlp_optim_step(&opt, &s.net, grad, rate);
                }
            } else {
                mlp_forward(&s.net, &w, x, b);
                sum += mlp_backward(&s.net, &w, MLP_MSE, y, b, grad) * b;
                mlp_optim_step(&opt, &s.net, grad, rate);
            }
            seen += (size_t)b;
            ml_threads_update(&threads, (size_t)b, fc_now());
        }
        /* The device sums the plain steps' loss; a flux-form step's was summed here. */
        if (st || (gpu && !s.flux && (st = mlp_gpu_loss_sum(gpu, &sum, err))))
            break;
        const double secs = fc_now() - w0;
        hist[0][e] = sum / (double)seen;
        hist[1][e] = NAN;
        if (nval && (st = split_loss(&d, &s, &w, gpu, ML_VALID, B, x, y, vidx, &hist[1][e],
                                     val_per_var, err)))
            break;
        hist[2][e] = (double)seen / secs;
        const double score = nval ? hist[1][e] : hist[0][e];
        if (!isfinite(hist[0][e]) || !isfinite(score)) {
            st = fc_fail(err, FC_ENUMERIC, "epoch %d: the %s loss is %g: training diverged (try "
                         "a smaller --lr)%s", e + 1, isfinite(hist[0][e]) ? "validation"
                         : "training", isfinite(hist[0][e]) ? score : hist[0][e],
                         s.best_epoch >= 0 ? "; the model file holds the best epoch before it"
                                           : "; no model was written");
            break;
        }
        const int better = score < s.best_val;
        if (nval)
            fc_info("epoch %d/%d: train loss %.4e, validation loss %.4e, %.3g samples/s, lr %.3g%s",
                    e + 1, total, hist[0][e], hist[1][e], hist[2][e], rate,
                    better ? " (best)" : "");
        else /* no validation records: the training loss decides */
            fc_info("epoch %d/%d: train loss %.4e (no validation records), %.3g samples/s, lr "
                    "%.3g%s", e + 1, total, hist[0][e], hist[2][e], rate, better ? " (best)" : "");
        s.epochs_done = e + 1;
        free(s.train_loss);
        free(s.val_loss);
        free(s.samples_per_s);
        s.train_loss = hist[0];
        s.val_loss = hist[1];
        s.samples_per_s = hist[2];
        if (better) {
            s.best_val = score;
            s.best_epoch = e;
            memcpy(best_per_var, val_per_var, sizeof best_per_var);
            since_best = 0;
            if (!gpu || !(st = mlp_gpu_download(gpu, &s.net, &opt, err)))
                st = ml_surrogate_save(&s, &opt, o->output, err);
        } else if (++since_best >= o->patience) {
            fc_info("train: no better %s loss for %d epochs: stopping early (best: epoch %d)",
                    nval ? "validation" : "training", since_best, s.best_epoch + 1);
            break;
        }
        s.train_loss = s.val_loss = s.samples_per_s = NULL; /* still owned by hist */
    }
#ifdef _OPENMP
    omp_set_num_threads(max_threads);
#endif
    if (threads.switches)
        fc_info("train: the thread count followed the machine's load: %d change%s, %d of %d "
                "threads at the end", threads.switches, threads.switches == 1 ? "" : "s",
                threads.now, threads.max);
    char shares[ML_MAX_VARS * 96] = "";
    for (int v = 0; v < d.geo.nvars && nval && isfinite(best_per_var[v]); v++)
        snprintf(shares + strlen(shares), sizeof shares - strlen(shares), "%s%s %.3e",
                 v ? ", " : " (per variable: ", d.vars[v], best_per_var[v]);
    if (*shares)
        strcat(shares, ")");
    if (!st)
        fc_info("train: best %s loss %.4e%s at epoch %d; model in %s",
                nval ? "validation" : "training (no validation records)", s.best_val, shares,
                s.best_epoch + 1, o->output);
    /* The history is hist's after an epoch ran (freed here), else still the loaded model's
     * (freed with s: a resume refused before its first epoch). */
    double **own[3] = {&s.train_loss, &s.val_loss, &s.samples_per_s};
    for (int k = 0; k < 3; k++) {
        if (*own[k] == hist[k])
            *own[k] = NULL;
        free(hist[k]);
    }
    mlp_gpu_destroy(gpu);
    mlp_work_free(&pw);
    free(px);
    free(pscratch);
    free(pstate);
    mlp_work_free(&w);
    free(idx);
    free(vidx);
    free(x);
    free(y);
    free(grad);
    free(dout);
    mlp_optim_free(&opt);
    ml_surrogate_free(&s);
    ml_dataset_free(&d);
    return st;
}

/* ---- rollout ---- */

int ml_surrogate_closed(const ml_surrogate *s)
{
    return geometry_closed(&s->geo);
}

/* The sum of q[0..n) with Neumaier's compensation: to about one rounding of the result, where
 * a plain loop over 16384 cells of depth near 1 loses 1e-13 of it (seen: mass drifting by
 * 5e-13 over 100 rollout steps whose constraint removed every change of the plain sum). */
static double compensated_sum(const double *q, size_t n)
{
    double sum = 0, c = 0;
    for (size_t k = 0; k < n; k++) {
        const double t = sum + q[k];
        c += fabs(sum) >= fabs(q[k]) ? (sum - t) + q[k] : (q[k] - t) + sum;
        sum = t;
    }
    return sum + c;
}

/* The cell (or ghost cell) a step's network row k is: the cells row by row, then for a
 * flux-form model one ghost beyond each cell of an open or inflow west side, then south. */
static void row_cell(const ml_geometry *g, size_t k, int ghosts_west, int *i, int *j)
{
    const size_t plane = (size_t)g->nx * g->ny;
    if (k < plane) {
        *i = (int)(k % g->nx);
        *j = (int)(k / g->nx);
    } else if (ghosts_west && k < plane + g->ny) {
        *i = -1;
        *j = (int)(k - plane);
    } else {
        *i = (int)(k - plane - (ghosts_west ? g->ny : 0));
        *j = -1;
    }
}

/*
 * A flux-form variable's step from the network's outputs o [rows][no] (its fluxes at column k,
 * in units of out_std): the faces' fluxes fx [ny][nx + 1] (face a of a row lies west of cell a)
 * and fy [ny + 1][nx], limited where the variable is non-negative, then each cell's change;
 * returns what entered through the sides. r: scratch of a field.
 */
static double flux_step(const ml_surrogate *s, int v, const float *o, int no, int k, double *q,
                        double *fx, double *fy, double *r)
{
    const ml_geometry *g = &s->geo;
    const int nx = g->nx, ny = g->ny, gw = side_passes(g->bc[FC_WEST]);
    const size_t plane = (size_t)nx * ny, ghost_w = plane, ghost_s = plane + (gw ? (size_t)ny : 0);
    const double unit = s->out_std[v];
#define FX(a, j) fx[(size_t)(j) * (nx + 1) + (a)]
#define FY(i, b) fy[(size_t)(b) * nx + (i)]
    for (int j = 0; j < ny; j++) {
        for (int a = 1; a <= nx; a++)
            FX(a, j) = a == nx && g->bc[FC_EAST] == FC_BC_WALL
                           ? 0 : unit * o[((size_t)j * nx + a - 1) * no + k];
        FX(0, j) = g->bc[FC_WEST] == FC_BC_PERIODIC ? FX(nx, j)
                   : gw ? unit * o[(ghost_w + (size_t)j) * no + k] : 0;
    }
    for (int i = 0; i < nx; i++) {
        for (int b = 1; b <= ny; b++)
            FY(i, b) = b == ny && g->bc[FC_NORTH] == FC_BC_WALL
                           ? 0 : unit * o[((size_t)(b - 1) * nx + i) * no + k + 1];
        FY(i, 0) = g->bc[FC_SOUTH] == FC_BC_PERIODIC ? FY(i, ny)
                   : side_passes(g->bc[FC_SOUTH]) ? unit * o[(ghost_s + (size_t)i) * no + k + 1]
                                                  : 0;
    }
    const int nonneg = s->nonnegative >> v & 1;
    if (nonneg) {
        /* Each cell gives at most what it holds: r scales the fluxes out of it. */
#pragma omp parallel for schedule(static)
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++) {
                const double out = fmax(FX(i + 1, j), 0) + fmax(-FX(i, j), 0) +
                                   fmax(FY(i, j + 1), 0) + fmax(-FY(i, j), 0);
                const double held = fmax(q[(size_t)j * nx + i], 0);
                r[(size_t)j * nx + i] = out > held ? held / out : 1;
            }
        /* A face's flux by its donor's factor; a ghost beyond an open side gives freely. A
         * periodic side's two copies of a face have the same donor. */
        for (int j = 0; j < ny; j++)
            for (int a = 0; a <= nx; a++) {
                const double f = FX(a, j);
                int donor = f > 0 ? a - 1 : a;
                if (donor < 0 || donor >= nx)
                    donor = g->bc[FC_WEST] == FC_BC_PERIODIC ? (donor + nx) % nx : -1;
                if (donor >= 0)
                    FX(a, j) = f * r[(size_t)j * nx + donor];
            }
        for (int b = 0; b <= ny; b++)
            for (int i = 0; i < nx; i++) {
                const double f = FY(i, b);
                int donor = f > 0 ? b - 1 : b;
                if (donor < 0 || donor >= ny)
                    donor = g->bc[FC_SOUTH] == FC_BC_PERIODIC ? (donor + ny) % ny : -1;
                if (donor >= 0)
                    FY(i, b) = f * r[(size_t)donor * nx + i];
            }
    }
#pragma omp parallel for schedule(static)
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++) {
            double *c = &q[(size_t)j * nx + i];
            *c += (FX(i, j) - FX(i + 1, j)) + (FY(i, j) - FY(i, j + 1));
            if (nonneg && *c < 0) /* the limiter leaves at most a rounding below zero */
                *c = 0;
        }
    double in = 0;
    for (int j = 0; j < ny; j++)
        in += FX(0, j) - FX(nx, j);
    for (int i = 0; i < nx; i++)
        in += FY(i, 0) - FY(i, ny);
#undef FX
#undef FY
    return in;
}

int ml_surrogate_step(const ml_surrogate *s, mlp_work *w, mlp_gpu *gpu, double *state,
                      const float *statics, float *x, float *scratch, double *inflow, fc_err *err)
{
    const ml_geometry *g = &s->geo;
    const size_t plane = (size_t)g->nx * g->ny;
    const int nf = ml_features_per_sample(g), nv = g->nvars, B = w->max_batch;
    const int no = s->net.n[s->net.nlayers];
    /* The features come from a float copy of the state taken before any cell changes. */
    for (size_t k = 0; k < plane * nv; k++)
        scratch[k] = (float)state[k];
    double sum0[ML_MAX_VARS];
    for (int v = 0; v < nv; v++)
        sum0[v] = compensated_sum(state + v * plane, plane);
    /* A flux-form model also runs on the ghost cells beyond open and inflow west and south
     * sides: their east and north faces are the domain's west and south faces. Its outputs
     * are kept until every row has run, then turned into fluxes. */
    const int gw = s->flux && side_passes(g->bc[FC_WEST]);
    const int gs = s->flux && side_passes(g->bc[FC_SOUTH]);
    const size_t rows = plane + (gw ? (size_t)g->ny : 0) + (gs ? (size_t)g->nx : 0);
    float *o = NULL;
    double *faces = NULL;
    if (s->flux) {
        o = malloc(rows * no * sizeof *o);
        faces = malloc(((size_t)(g->nx + 1) * g->ny + (size_t)g->nx * (g->ny + 1) + plane) *
                       sizeof *faces);
        if (!o || !faces) {
            free(o);
            free(faces);
            return fc_fail(err, FC_ENOMEM, "out of memory for a flux-form step");
        }
    }
    int st = FC_OK;
    for (size_t c0 = 0; c0 < rows && !st; c0 += (size_t)B) {
        const int b = (int)(rows - c0 < (size_t)B ? rows - c0 : (size_t)B);
#pragma omp parallel for schedule(static)
        for (int r = 0; r < b; r++) {
            int i, j;
            row_cell(g, c0 + (size_t)r, gw, &i, &j);
            ml_neighbourhood(g, scratch, statics, s->in_mean, s->in_std, i, j, x + (size_t)r * nf);
        }
        float *dy = w->act[s->net.nlayers]; /* where both forward passes leave the outputs */
        if (!gpu)
            mlp_forward(&s->net, w, x, b);
        else if ((st = mlp_gpu_forward(gpu, x, b, dy, err)))
            break;
        if (o) {
            memcpy(o + c0 * no, dy, (size_t)b * no * sizeof *o);
            ml_surrogate_add_advection(s, x, b, o + c0 * no);
        } else
            for (int r = 0; r < b; r++)
                for (int v = 0; v < nv; v++)
                    state[v * plane + c0 + (size_t)r] +=
                        (double)dy[(size_t)r * nv + v] * s->out_std[v] + s->out_mean[v];
    }
    for (int v = 0; v < nv && o && !st; v++) {
        const int k = first_output(s->flux, v);
        double *q = state + v * plane;
        if (s->flux >> v & 1) {
            double *fx = faces, *fy = fx + (size_t)(g->nx + 1) * g->ny,
                   *r = fy + (size_t)g->nx * (g->ny + 1);
            const double in = flux_step(s, v, o, no, k, q, fx, fy, r);
            if (inflow)
                inflow[v] = in;
        } else
            for (size_t c = 0; c < plane; c++)
                q[c] += (double)o[c * no + k] * s->out_std[v] + s->out_mean[v];
    }
    free(o);
    free(faces);
    if (st)
        return st;
    const int closed = ml_surrogate_closed(s);
    for (int v = 0; v < nv; v++) {
        if (s->flux >> v & 1)
            continue; /* conserved and non-negative by its fluxes */
        double *q = state + v * plane;
        const int conserve = closed && (s->conserved >> v & 1);
        if (inflow)
            inflow[v] = conserve ? 0 : NAN;
        if (conserve) {
            const double shift = (compensated_sum(q, plane) - sum0[v]) / (double)plane;
            for (size_t k = 0; k < plane; k++)
                q[k] -= shift;
        }
        if (s->nonnegative >> v & 1) {
            int clipped = 0;
            for (size_t k = 0; k < plane; k++)
                if (q[k] < 0) {
                    q[k] = 0;
                    clipped = 1;
                }
            if (conserve && clipped && sum0[v] > 0) {
                const double scale = sum0[v] / compensated_sum(q, plane);
                for (size_t k = 0; k < plane; k++)
                    q[k] *= scale;
            }
        }
    }
    return FC_OK;
}

/* Reads variables names[0..n) of init at record rec into out [n][ny][nx], every value
 * checked (ncread.h). */
static int read_record(int ncid, const char *path, char names[][64], int n, int nx, int ny,
                       size_t rec, float *out, fc_err *err)
{
    for (int v = 0; v < n; v++) {
        fc_nc_var fv;
        if (nc_inq_varid(ncid, names[v], &(int){0}) != NC_NOERR)
            return fc_fail(err, FC_EINPUT, "%s: no variable '%s', which the model needs", path,
                           names[v]);
        int st = fc_nc_find_var(ncid, path, names[v], 2, 3, &fv, err);
        if (st)
            return st;
        const size_t gx = fv.len[fv.ndims - 1], gy = fv.len[fv.ndims - 2];
        if (gx != (size_t)nx || gy != (size_t)ny)
            return fc_fail(err, FC_EINPUT, "%s: variable '%s' is %zu x %zu; the model was trained "
                           "on a %d x %d grid", path, names[v], gx, gy, nx, ny);
        if ((st = fc_nc_get_plane_float(ncid, &fv, fv.ndims == 3 ? rec : 0, gy, gx,
                                        out + (size_t)v * nx * ny, err)))
            return st;
    }
    return FC_OK;
}

/* The forecast file: its handle, and the ids of time and of each variable. */
typedef struct forecast_file {
    fc_cf_file cf;
    int time_id, var_id[ML_MAX_VARS];
} forecast_file;

/* Text attribute name of variable var in the init file, or fallback. */
static void init_att(int in, const char *var, const char *name, const char *fallback, char *buf,
                     size_t len)
{
    int id;
    size_t n = 0;
    nc_type type;
    snprintf(buf, len, "%s", fallback);
    if (nc_inq_varid(in, var, &id) == NC_NOERR &&
        nc_inq_att(in, id, name, &type, &n) == NC_NOERR && type == NC_CHAR && n > 0 && n < len &&
        nc_get_att_text(in, id, name, buf) == NC_NOERR)
        buf[n] = '\0';
}

/* A variable of the forecast, described as the init file describes it. */
static int def_like(fc_cf_file *f, int in, const char *name, nc_type type, int ndims,
                    const int *dims, const char *long_fallback, int *id, fc_err *err)
{
    char long_name[512], units[256], standard[256];
    init_att(in, name, "long_name", long_fallback, long_name, sizeof long_name);
    init_att(in, name, "units", "1", units, sizeof units);
    init_att(in, name, "standard_name", "", standard, sizeof standard);
    int st = fc_cf_def_var(f, name, type, ndims, dims, long_name, units, id, err);
    if (!st && *standard)
        st = fc_cf_att_text(f, *id, "standard_name", standard, err);
    return st;
}

/* The names of the horizontal axes of variable var in the init file, x first (the
 * dimensions of its last two; euler's vertical slice has z where the others have y); "x" and
 * "y" where it has no such variable. */
static void axis_names(int in, const char *var, char names[2][NC_MAX_NAME + 1])
{
    int id, ndims, dims[NC_MAX_VAR_DIMS];
    strcpy(names[0], "x");
    strcpy(names[1], "y");
    if (nc_inq_varid(in, var, &id) != NC_NOERR || nc_inq_varndims(in, id, &ndims) != NC_NOERR ||
        ndims < 2 || ndims > NC_MAX_VAR_DIMS || nc_inq_vardimid(in, id, dims) != NC_NOERR)
        return;
    for (int a = 0; a < 2; a++) {
        char name[NC_MAX_NAME + 1];
        if (nc_inq_dimname(in, dims[ndims - 1 - a], name) == NC_NOERR)
            strcpy(names[a], name);
    }
}

/* Creates the forecast: the init file's time units and horizontal coordinates (named and
 * described as there), the model's variables (double: what the constraints keep is kept in
 * the file too). */
static int create_forecast(const ml_rollout_opts *o, const ml_surrogate *s, int in,
                           forecast_file *out, fc_err *err)
{
    const ml_geometry *g = &s->geo;
    char cmd[8800], hist[8900];
    if (o->command_line)
        snprintf(cmd, sizeof cmd, "%s", o->command_line);
    else if (isnan(o->time))
        snprintf(cmd, sizeof cmd, "flowcast rollout --model %s --init %s --steps %d -o %s",
                 o->model, o->init, o->steps, o->output);
    else
        snprintf(cmd, sizeof cmd, "flowcast rollout --model %s --init %s --time %.17g --steps %d "
                 "-o %s", o->model, o->init, o->time, o->steps, o->output);
    fc_cf_history(hist, sizeof hist, cmd);
    const fc_cf_spec spec = {"output file", o->overwrite, "use -O to replace it", 0, 0,
                             "surrogate forecast (flowcast rollout)", hist, 0};
    fc_cf_file *f = &out->cf;
    int st = fc_cf_create(f, o->output, &spec, err);
    if (st)
        return st;
    int dt, dy, dx, cx, cy;
    char calendar[64], axes[2][NC_MAX_NAME + 1];
    init_att(in, "time", "calendar", "standard", calendar, sizeof calendar);
    axis_names(in, s->vars[0], axes);
    if ((st = fc_cf_def_dim(f, "time", NC_UNLIMITED, &dt, err)) ||
        (st = fc_cf_def_dim(f, axes[1], (size_t)g->ny, &dy, err)) ||
        (st = fc_cf_def_dim(f, axes[0], (size_t)g->nx, &dx, err)) ||
        (st = def_like(f, in, "time", NC_DOUBLE, 1, &dt, "model time", &out->time_id, err)) ||
        (st = fc_cf_att_text(f, out->time_id, "calendar", calendar, err)) ||
        (st = fc_cf_att_text(f, out->time_id, "axis", "T", err)))
        goto fail;
    int *const coord[2] = {&cx, &cy};
    const int coord_dim[2] = {dx, dy};
    for (int a = 0; a < 2; a++) {
        char fallback[80], axis[8], positive[16];
        snprintf(fallback, sizeof fallback, "%s coordinate of cell centre", axes[a]);
        init_att(in, axes[a], "axis", a ? "Y" : "X", axis, sizeof axis);
        init_att(in, axes[a], "positive", "", positive, sizeof positive);
        if ((st = def_like(f, in, axes[a], NC_DOUBLE, 1, &coord_dim[a], fallback, coord[a],
                           err)) ||
            (st = fc_cf_att_text(f, *coord[a], "axis", axis, err)) ||
            (*positive && (st = fc_cf_att_text(f, *coord[a], "positive", positive, err))))
            goto fail;
    }
    const int dims[3] = {dt, dy, dx};
    for (int v = 0; v < g->nvars; v++)
        if ((st = def_like(f, in, s->vars[v], NC_DOUBLE, 3, dims, s->vars[v], &out->var_id[v],
                           err)))
            goto fail;
    if ((st = fc_cf_att_text(f, NC_GLOBAL, "source",
                             "flowcast " PACKAGE_VERSION ", MLP local emulator", err)) ||
        (st = fc_cf_att_text(f, NC_GLOBAL, "flowcast_model", o->model, err)) ||
        (st = fc_cf_att_text(f, NC_GLOBAL, "flowcast_init", o->init, err)) ||
        (st = fc_cf_enddef(f, err)))
        goto fail;
    /* The coordinates' values from the init file, where it has them (checked and unpacked). */
    double *c = malloc((size_t)(g->nx > g->ny ? g->nx : g->ny) * sizeof *c);
    if (!c)
        st = fc_fail(err, FC_ENOMEM, "out of memory");
    for (int a = 0; a < 2 && !st; a++) {
        const char *name = axes[a];
        fc_nc_var cv;
        int id;
        if (nc_inq_varid(in, name, &id) == NC_NOERR &&
            !(st = fc_nc_find_var(in, o->init, name, 1, 1, &cv, err)) &&
            !(st = fc_nc_get_vector_double(in, &cv, (size_t)(a ? g->ny : g->nx), c, err)))
            st = fc_cf_put_double(f, a ? cy : cx, NULL, NULL, c, err);
    }
    free(c);
    if (!st)
        return FC_OK;
fail:
    fc_cf_discard(f);
    return st;
}

/* Appends record rec at time t: every variable, then the time (the record is whole), synced. */
static int write_state(forecast_file *out, const ml_surrogate *s, size_t rec, double t,
                       const double *state, fc_err *err)
{
    const ml_geometry *g = &s->geo;
    size_t start[3] = {rec, 0, 0}, count[3] = {1, (size_t)g->ny, (size_t)g->nx};
    int st = FC_OK;
    for (int v = 0; v < g->nvars && !st; v++)
        st = fc_cf_put_double(&out->cf, out->var_id[v], start, count,
                             state + (size_t)v * g->nx * g->ny, err);
    if (!st)
        st = fc_cf_put_double(&out->cf, out->time_id, start, count, &t, err);
    return st ? st : fc_cf_sync(&out->cf, err);
}

/* Seconds of the solver per output interval: its case (stored in the init file) stepped for one
 * interval from its own initial condition, on the CPU as the surrogate. Negative if unknown. */
static double solver_seconds(int in, const char *path, const ml_surrogate *s,
                             const fc_catalog *solvers, int gpu, char *why, size_t len)
{
    char *text;
    fc_err err;
    if (!solvers) {
        snprintf(why, len, "no solver was offered to time");
        return -1;
    }
    /* A forecast may start from another solver's run of the same flow (its records still
     * score it), but that run's case is not the solver the model emulates: timing it would
     * compare with the wrong solver, and on the GPU hand one solver's case to another's
     * backend. */
    char written_by[64];
    if (fc_nc_att_text(in, NC_GLOBAL, path, "flowcast_solver", written_by, sizeof written_by,
                       &err) == FC_OK &&
        strcmp(written_by, s->solver)) {
        snprintf(why, len, "the init file is solver %s's output; the model emulates %s", written_by,
                 s->solver);
        return -1;
    }
    if (fc_nc_att_text_alloc(in, NC_GLOBAL, path, "flowcast_case", &text, &err)) {
        snprintf(why, len, "the init file holds no case to run");
        return -1;
    }
    fc_sim sim;
    double secs = -1;
    /* The case comes from a file: a case whose interval would take very many steps is not run.
     * Its paths (an initial state's file) are relative to its case file's folder. */
    enum { MAX_STEPS = 100000 };
    char origin[4096] = "";
    fc_err ignore;
    if (fc_nc_att_text(in, NC_GLOBAL, path, "flowcast_case_file", origin, sizeof origin, &ignore))
        origin[0] = '\0';
    /* On the surrogate's device: the solver's GPU backend when the rollout ran on the GPU. */
    const fc_solver_desc *desc = fc_catalog_find(solvers, s->solver);
    const fc_solver_ops *ops = gpu && desc ? desc->gpu : NULL;
    if (gpu && !ops)
        fc_fail(&err, FC_ENODEV, "solver '%s' has no GPU backend in this build", s->solver);
    else if (fc_sim_open_text(&sim, text, origin[0] ? origin : NULL, NULL, 0, solvers, ops,
                              &err) == FC_OK) {
        const double steps = s->interval * sim.rate / fc_cfg_real(&sim.cfg, "time", "cfl");
        const double w = fc_now();
        if (!(steps <= MAX_STEPS))
            fc_fail(&err, FC_EINPUT, "one output interval takes about %.3g steps", steps);
        else if (fc_sim_run_to(&sim, s->interval, 0, &err) == FC_OK)
            secs = fc_now() - w;
        fc_sim_close(&sim);
    }
    if (secs < 0)
        snprintf(why, len, "the case did not run: %.200s", err.msg);
    free(text);
    return secs;
}

void ml_rollout_result_free(ml_rollout_result *res)
{
    free(res->rmse);
    free(res->persistence);
    free(res->drift);
    free(res->nrmse);
    free(res->imbalance);
    memset(res, 0, sizeof *res);
}

void ml_rollout_beats_persistence(const ml_rollout_result *res, int v, int *until, int *again)
{
#define BETTER(N) (res->rmse[(size_t)(N) * res->nvars + v] < \
                   res->persistence[(size_t)(N) * res->nvars + v])
    int n = 0, from = res->steps;
    while (n < res->steps && BETTER(n))
        n++;
    while (from > n && BETTER(from - 1))
        from--;
#undef BETTER
    *until = n;
    *again = from;
}

int ml_rollout(const ml_rollout_opts *o, ml_rollout_result *res, fc_err *err)
{
    memset(res, 0, sizeof *res);
    if (o->steps < 1 || o->steps > 1000000)
        return fc_fail(err, FC_EINPUT, "--steps must be from 1 to 1000000, not %d", o->steps);
    if (fc_same_file(o->output, o->model) || fc_same_file(o->output, o->init))
        return fc_fail(err, FC_EINPUT, "the output file '%s' is the %s: give another with -o",
                       o->output, fc_same_file(o->output, o->model) ? "model" : "init file");
    int st = fc_output_writable(o->output, "output file", o->overwrite, "use -O to replace it",
                                err);
    if (st)
        return st;
    ml_surrogate s;
    if ((st = ml_surrogate_load(&s, NULL, o->model, err)))
        return st;
    const ml_geometry *g = &s.geo;
    const size_t plane = (size_t)g->nx * g->ny;
    int in;
    if ((st = fc_nc_open(o->init, "init file", &in, err))) {
        ml_surrogate_free(&s);
        return st;
    }
    size_t nt = 0;
    double *times = NULL;
    if (!(st = fc_nc_complete_records(in, o->init, &nt, err)) && nt == 0)
        st = fc_fail(err, FC_EINPUT, "%s: no complete record to start from", o->init);
    if (!st && !(times = malloc(nt * sizeof *times)))
        st = fc_fail(err, FC_ENOMEM, "out of memory");
    if (!st)
        st = fc_nc_times(in, o->init, nt, times, err);
    size_t rec = 0;
    if (!st && !isnan(o->time)) {
        while (rec < nt && fabs(times[rec] - o->time) > 1e-6 * (fabs(o->time) + s.interval))
            rec++;
        if (rec == nt)
            st = fc_fail(err, FC_EINPUT, "%s has no record at --time %g s (its records run from %g "
                         "to %g s)", o->init, o->time, times[0], times[nt - 1]);
    }
    double *state = malloc(plane * g->nvars * sizeof *state);
    float *first = malloc(plane * g->nvars * sizeof *first);
    float *truth = malloc(plane * g->nvars * sizeof *truth);
    float *scratch = malloc(plane * g->nvars * sizeof *scratch);
    float *statics = malloc((plane * g->nstatic + 1) * sizeof *statics);
    const int B = (int)(plane < 65536 ? plane : 65536);
    float *x = malloc((size_t)B * ml_features_per_sample(g) * sizeof *x);
    mlp_work w = {0};
    if (!st && (!state || !first || !truth || !scratch || !statics || !x))
        st = fc_fail(err, FC_ENOMEM, "out of memory");
    if (!st)
        st = read_record(in, o->init, s.vars, g->nvars, g->nx, g->ny, rec, first, err);
    double dx, dy; /* a local emulator's stencils are learnt at one spacing */
    if (!st && !(st = ml_grid_spacing(in, o->init, s.vars[0], &dx, &dy, err)) &&
        (fabs(dx - s.dx) > 1e-6 * s.dx || fabs(dy - s.dy) > 1e-6 * s.dy))
        st = fc_fail(err, FC_EINPUT, "%s: grid spacing %g x %g; the model was trained at %g x %g",
                     o->init, dx, dy, s.dx, s.dy);
    /* A local emulator's neighbourhoods at the sides follow its data's boundaries: a model of
     * a periodic flow run on a walled one would wrap across the walls. A file that does not
     * say (not flowcast's) is taken to have the model's. */
    char sides[256];
    int bc[4];
    fc_err no_sides;
    if (!st && fc_nc_att_text(in, NC_GLOBAL, o->init, "flowcast_boundaries", sides, sizeof sides,
                              &no_sides) == FC_OK) {
        if (ml_parse_boundaries(sides, bc))
            st = fc_fail(err, FC_EINPUT, "%s: cannot read flowcast_boundaries '%s'", o->init,
                         sides);
        else if (memcmp(bc, g->bc, sizeof bc))
            st = fc_fail(err, FC_EINPUT, "%s: boundaries %s; the model was trained on data with "
                         "%s (its neighbourhoods at the sides follow those)", o->init, sides,
                         s.boundaries);
    }
    if (!st)
        st = read_record(in, o->init, s.statics, g->nstatic, g->nx, g->ny, rec, statics, err);
    if (!st)
        st = mlp_work_init(&w, &s.net, B, err);
    /* On the GPU the network runs there (cuBLAS, full float32); features and constraints stay
     * on the host. The device copy needs an optimiser's shape: a plain SGD one, never stepped. */
    mlp_gpu *gpu = NULL;
    mlp_optim none = {0};
    if (!st && o->gpu && !(st = mlp_optim_init(&none, &s.net, MLP_SGD, 0, err)))
        st = mlp_gpu_create(&s.net, &none, B, 0, &gpu, err);
    forecast_file out = {.cf = {.ncid = -1}};
    /* The threads follow what other processes leave free, as in a solver's run (machine_load.h):
     * a step is a few parallel loops, and beside a process that keeps a core busy two threads
     * took twice as long as one. The forecast does not depend on the count. */
    fc_governor gov;
    int governed = 0;
    if (!st)
        st = create_forecast(o, &s, in, &out, err);
    if (st)
        goto done;
    for (size_t k = 0; k < plane * g->nvars; k++)
        state[k] = first[k];
    const double t0 = times[rec];
    if ((st = write_state(&out, &s, 0, t0, state, err)))
        goto done;
    res->steps = o->steps;
    res->nvars = g->nvars;
    res->gpu = gpu != NULL;
    memcpy(res->vars, s.vars, sizeof res->vars);
    res->t0 = t0;
    res->interval = s.interval;
    res->cells = plane;
    const size_t nscores = (size_t)o->steps * g->nvars;
    res->rmse = malloc(nscores * sizeof *res->rmse);
    res->persistence = malloc(nscores * sizeof *res->persistence);
    res->drift = malloc(nscores * sizeof *res->drift);
    res->nrmse = malloc(nscores * sizeof *res->nrmse);
    res->imbalance = malloc(nscores * sizeof *res->imbalance);
    if (!res->rmse || !res->persistence || !res->drift || !res->nrmse || !res->imbalance) {
        st = fc_fail(err, FC_ENOMEM, "out of memory for the scores");
        goto done;
    }
    /* A conserved quantity's drift (the mean of h is the mass), relative to the field's rms so
     * that fields of zero mean (velocities) have a scale too; a field that starts at zero
     * everywhere (a velocity at rest) takes the largest rms it has had in the forecast so far
     * (scale[v]), so the column stays relative. */
    double mean0[ML_MAX_VARS], rms0[ML_MAX_VARS];
    for (int v = 0; v < g->nvars; v++) {
        double m2 = 0;
        for (size_t k = 0; k < plane; k++)
            m2 += (double)first[v * plane + k] * first[v * plane + k];
        mean0[v] = compensated_sum(state + v * plane, plane) / (double)plane; /* = first */
        rms0[v] = sqrt(m2 / (double)plane);
    }
    double step_secs = 0, entered[ML_MAX_VARS] = {0}, scale[ML_MAX_VARS];
    for (int v = 0; v < g->nvars; v++)
        scale[v] = rms0[v];
    fc_governor_start(&gov);
    governed = 1;
    for (int n = 1; n <= o->steps; n++) {
        const double w0 = fc_now();
        double inflow[ML_MAX_VARS];
        if ((st = ml_surrogate_step(&s, &w, gpu, state, statics, x, scratch, inflow, err)))
            goto done;
        for (int v = 0; v < g->nvars; v++)
            entered[v] += inflow[v];
        step_secs += fc_now() - w0;
        fc_governor_step(&gov);
        const double t = t0 + n * s.interval;
        /* A state that overflowed is not written: the file keeps the forecast up to it. */
        for (int v = 0; v < g->nvars && !st; v++)
            if (!isfinite(compensated_sum(state + v * plane, plane)))
                st = fc_fail(err, FC_ENUMERIC, "the forecast diverged: %s is not finite after "
                             "%d step(s) (t = %g s); '%s' keeps the %d records before", s.vars[v],
                             n, t, o->output, n);
        if (st) {
            res->steps = n - 1;
            res->step_seconds = n > 1 ? step_secs / (n - 1) : 0;
            res->solver_seconds = -1;
            snprintf(res->solver_why, sizeof res->solver_why, "not timed: the forecast diverged");
            goto done;
        }
        if ((st = write_state(&out, &s, (size_t)n, t, state, err)))
            goto done;
        size_t tr = rec;
        while (tr < nt && fabs(times[tr] - t) > 1e-6 * (fabs(t) + s.interval))
            tr++;
        const int have = tr < nt &&
                         read_record(in, o->init, s.vars, g->nvars, g->nx, g->ny, tr, truth, err) == FC_OK;
        for (int v = 0; v < g->nvars; v++) {
            double e2 = 0, p2 = 0, t2 = 0, s2 = 0;
            for (size_t k = 0; k < plane; k++) {
                const size_t i = v * plane + k;
                s2 += (double)state[i] * state[i];
                if (have) {
                    t2 += (double)truth[i] * truth[i];
                    e2 += (state[i] - truth[i]) * (state[i] - truth[i]);
                    p2 += ((double)first[i] - truth[i]) * ((double)first[i] - truth[i]);
                }
            }
            const double m = compensated_sum(state + v * plane, plane) / (double)plane;
            const size_t at = (size_t)(n - 1) * g->nvars + (size_t)v;
            if (rms0[v] == 0 && sqrt(s2 / (double)plane) > scale[v])
                scale[v] = sqrt(s2 / (double)plane);
            res->drift[at] = scale[v] > 0 ? (m - mean0[v]) / scale[v] : m - mean0[v]; /* 0 - 0 */
            const double unexplained = m - mean0[v] - entered[v] / (double)plane;
            res->imbalance[at] = scale[v] > 0 ? unexplained / scale[v] : unexplained;
            res->rmse[at] = have ? sqrt(e2 / (double)plane) : NAN;
            res->persistence[at] = have ? sqrt(p2 / (double)plane) : NAN;
            res->nrmse[at] = have && t2 > 0 ? sqrt(e2 / t2) : NAN;
        }
    }
    res->step_seconds = step_secs / o->steps;
    fc_governor_end(&gov);
    governed = 0;
    res->solver_seconds = solver_seconds(in, o->init, &s, o->solvers, o->gpu, res->solver_why,
                                         sizeof res->solver_why);
done:
    if (governed)
        fc_governor_end(&gov);
    {
        fc_err cerr;
        if (fc_cf_close(&out.cf, &cerr) && !st) {
            st = FC_EIO;
            *err = cerr;
        }
    }
    fc_nc_close(in);
    mlp_gpu_destroy(gpu);
    mlp_optim_free(&none);
    mlp_work_free(&w);
    free(times);
    free(state);
    free(first);
    free(truth);
    free(scratch);
    free(statics);
    free(x);
    ml_surrogate_free(&s);
    return st;
}
