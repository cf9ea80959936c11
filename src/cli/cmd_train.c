/* cmd_train.c: `flowcast train` and `flowcast rollout`: a surrogate learnt from solver output, and
 * its forecasts (ml/surrogate.h). */
#include <fc_build.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/core/backend.h"
#include "src/cli/cmd.h"
#include "src/core/fc.h"
#include "src/core/log.h"
#include "ml/surrogate.h"
#include "src/core/ensemble.h"
#include "solvers/registry.h"

static void train_usage(FILE *f)
{
    fputs("usage: flowcast train --data FILE|DIR[,...] --vars V[,V...] [--static S[,S...]]\n"
          "                      [--stencil K] [--hidden N[,N...]] [--activation A]\n"
          "                      [--optimizer adamw|sgd] [--epochs N] [--batch B] [--lr X]\n"
          "                      [--weight-decay X] [--val-fraction F] [--patience P]\n"
          "                      [--noise S] [--seed S] [--device auto|cpu|gpu] [--tf32]\n"
          "                      [--conserve V[,V...]|none] [--nonnegative V[,V...]|none]\n"
          "                      [--flux] [--unroll R] [--state-noise S] [--holdout K]\n"
          "                      -o MODEL.nc [-O] [--resume]\n\n"
          "Trains an MLP local emulator: each cell's K x K neighbourhood of the variables\n"
          "(and static fields such as the bottom b) at one record maps to the change of the\n"
          "variables at that cell by the next record. Data: solver output files on one grid\n"
          "(--data may repeat), or a folder made by flowcast ensemble (its members, in\n"
          "order). The last records of each file validate, or with --holdout K the last K\n"
          "files, whole; normalisation comes from the training records only. Per epoch:\n"
          "training and validation loss and samples per second; the model is written\n"
          "(atomically) whenever the validation loss improves, so an interrupted training\n"
          "keeps its best model.\n\n"
          "  --stencil K        neighbourhood width, odd (default 3)\n"
          "  --hidden LIST      hidden layer widths (default 64,64)\n"
          "  --activation A     relu, tanh, gelu or silu (default gelu)\n"
          "  --optimizer O      adamw (default; weight decay 0.01) or sgd (momentum 0.9)\n"
          "  --epochs N         epochs (default 20); the learning rate follows a cosine to\n"
          "                     lr/100\n"
          "  --batch B          minibatch (default 256)       --lr X   learning rate (1e-3)\n"
          "  --val-fraction F   records per file that validate (default 0.2)\n"
          "  --holdout K        the last K data files (an ensemble's last members)\n"
          "                     validate, whole, and the others train, whole\n"
          "  --patience P       stop after P epochs without a better validation loss (5)\n"
          "  --seed S           initialisation, shuffling and noise (default 1)\n"
          "  --noise S          Gaussian noise of deviation S on the standardised training\n"
          "                     inputs, a fraction of each feature's spread (default 0;\n"
          "                     0.01 is a start): forecasts that stay stable for longer\n"
          "  --resume           go on training MODEL.nc (from its best epoch) up to\n"
          "                     --epochs\n"
          "  --conserve LIST    variables whose domain sum each forecast step keeps (to\n"
          "                     double round-off) on a domain closed by walls and periodic\n"
          "                     sides: the predicted change loses its domain mean. With an\n"
          "                     open or inflow side they are in flux form (--flux)\n"
          "  --nonnegative LIST variables kept >= 0 (negative cells set to 0; a conserved\n"
          "                     one is then scaled back to its sum; in flux form, no cell\n"
          "                     gives more than it holds). Both default to h for\n"
          "                     shallow-water data (solver swe), else none\n"
          "  --flux             the conserved variables in flux form on closed domains too:\n"
          "                     the network predicts what crosses each cell's east and\n"
          "                     north faces, so a sum changes only through open or inflow\n"
          "                     sides, by what crosses them (three network rows per\n"
          "                     sample; on the GPU the faces' loss is summed on the\n"
          "                     host). Where variables u and v are\n"
          "                     emulated too, a face's flux starts from q u dt/dx (q v\n"
          "                     dt/dy) at the face and the network adds the rest\n"
          "  --unroll R         pushforward training (default 1: off): from the second\n"
          "                     epoch, half the samples start from the model's own R - 1\n"
          "                     step forecast of their record and learn the change back to\n"
          "                     the true next one, so that a rollout's errors do not\n"
          "                     compound\n"
          "  --state-noise S    half the samples start from a state with white noise of S\n"
          "                     times each variable's change per interval (after --unroll's\n"
          "                     steps, or on the true state) and learn the change to the\n"
          "                     true next record: the model learns to damp grid-scale noise\n"
          "                     (default 0)\n\n"
          "  --device D         auto (the GPU when usable), cpu (OpenBLAS) or gpu (cuBLAS)\n"
          "  --tf32             TF32 tensor-core products on the GPU (off: full float32)\n\n"
          "float32. On the CPU the OpenMP threads (OMP_NUM_THREADS, default all cores) are\n"
          "a maximum: every few seconds training tries fewer or more and keeps what runs\n"
          "faster, so that a machine busy with other work does not stall it at every\n"
          "barrier; the model's bits do not depend on the count.\n"
          "Exit status: 0 ok, 1 failed or interrupted, 2 bad usage.\n",
          f);
}

int cmd_train(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        train_usage(stdout);
        return FC_EXIT_OK;
    }
    enum { O_DATA = 256, O_VARS, O_STATIC, O_STENCIL, O_HIDDEN, O_ACT, O_OPT, O_EPOCHS, O_BATCH,
           O_LR, O_WD, O_VAL, O_PAT, O_SEED, O_DEVICE, O_RESUME, O_NOISE, O_TF32, O_CONSERVE,
           O_NONNEG, O_UNROLL, O_STATE_NOISE, O_HOLDOUT, O_FLUX };
    static const struct option opts[] = {
        {"data", required_argument, NULL, O_DATA},     {"vars", required_argument, NULL, O_VARS},
        {"static", required_argument, NULL, O_STATIC}, {"stencil", required_argument, NULL, O_STENCIL},
        {"hidden", required_argument, NULL, O_HIDDEN}, {"activation", required_argument, NULL, O_ACT},
        {"optimizer", required_argument, NULL, O_OPT}, {"epochs", required_argument, NULL, O_EPOCHS},
        {"batch", required_argument, NULL, O_BATCH},   {"lr", required_argument, NULL, O_LR},
        {"weight-decay", required_argument, NULL, O_WD},
        {"val-fraction", required_argument, NULL, O_VAL},
        {"patience", required_argument, NULL, O_PAT},  {"seed", required_argument, NULL, O_SEED},
        {"device", required_argument, NULL, O_DEVICE}, {"resume", no_argument, NULL, O_RESUME},
        {"noise", required_argument, NULL, O_NOISE},
        {"tf32", no_argument, NULL, O_TF32},
        {"conserve", required_argument, NULL, O_CONSERVE},
        {"nonnegative", required_argument, NULL, O_NONNEG},
        {"unroll", required_argument, NULL, O_UNROLL},
        {"state-noise", required_argument, NULL, O_STATE_NOISE},
        {"holdout", required_argument, NULL, O_HOLDOUT},
        {"flux", no_argument, NULL, O_FLUX},
        {"overwrite", no_argument, NULL, 'O'},         {NULL, 0, NULL, 0},
    };
    const char *vars[ML_MAX_VARS], *statics[ML_MAX_VARS], *hidden_s[MLP_MAX_LAYERS];
    /* The data, as named and as files (an ensemble folder's members): up to ML_MAX_FILES. */
    const char **data = calloc(ML_MAX_FILES, sizeof *data);
    const char **files = calloc(ML_MAX_FILES, sizeof *files);
    char ***members = calloc(ML_MAX_FILES, sizeof *members);
    int *nmembers = calloc(ML_MAX_FILES, sizeof *nmembers);
    if (!data || !files || !members || !nmembers) {
        free(data), free(files), free(members), free(nmembers);
        return cmd_fail(FC_ENOMEM, "out of memory");
    }
    int ndata = 0, nvars = 0, nstatic = 0, nhidden = 0, hidden[MLP_MAX_LAYERS] = {64, 64}, seed = 1;
    ml_train_opts o = {.stencil = 3, .activation = MLP_GELU, .optimizer = MLP_ADAMW, .epochs = 20,
                       .batch = 256, .patience = 5, .lr = 1e-3, .weight_decay = 0.01,
                       .val_fraction = 0.2};
    int c, bad = 0;
    const char *device = "auto";
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:O", opts, NULL)) != -1) {
        switch (c) {
        case O_DATA:
            bad |= cmd_name_list("--data", optarg, data, &ndata, ML_MAX_FILES);
            break;
        case O_VARS:
            bad |= cmd_name_list("--vars", optarg, vars, &nvars, ML_MAX_VARS);
            break;
        case O_STATIC:
            bad |= cmd_name_list("--static", optarg, statics, &nstatic, ML_MAX_VARS);
            break;
        case O_STENCIL:
            if (cmd_int("--stencil", optarg, 1, 15, &o.stencil))
                bad = 1;
            else if (o.stencil % 2 == 0) {
                fc_error("--stencil %d: the neighbourhood must be odd (centred on the cell)", o.stencil);
                bad = 1;
            }
            break;
        case O_HIDDEN:
            nhidden = 0;
            if (cmd_name_list("--hidden", optarg, hidden_s, &nhidden, MLP_MAX_LAYERS - 1))
                bad = 1;
            else
                for (int k = 0; k < nhidden; k++)
                    bad |= cmd_int("--hidden", hidden_s[k], 1, 65536, &hidden[k]);
            break;
        case O_ACT:
            if ((o.activation = mlp_activation_find(optarg)) < 0) {
                fc_error("--activation %s: one of relu, tanh, gelu, silu", optarg);
                bad = 1;
            }
            break;
        case O_OPT:
            o.optimizer = !strcmp(optarg, "sgd") ? MLP_SGD : !strcmp(optarg, "adamw") ? MLP_ADAMW : -1;
            if (o.optimizer < 0) {
                fc_error("--optimizer %s: adamw or sgd", optarg);
                bad = 1;
            }
            break;
        case O_EPOCHS:
            bad |= cmd_int("--epochs", optarg, 1, ML_MAX_EPOCHS, &o.epochs);
            break;
        case O_BATCH:
            bad |= cmd_int("--batch", optarg, 1, 1 << 22, &o.batch);
            break;
        case O_LR:
            bad |= cmd_real("--lr", optarg, 1e-12, 10, 0, &o.lr);
            break;
        case O_WD:
            bad |= cmd_real("--weight-decay", optarg, 0, 1, 0, &o.weight_decay);
            break;
        case O_VAL:
            bad |= cmd_real("--val-fraction", optarg, 0, 0.9, 0, &o.val_fraction);
            break;
        case O_PAT:
            bad |= cmd_int("--patience", optarg, 1, ML_MAX_EPOCHS, &o.patience);
            break;
        case O_SEED:
            bad |= cmd_int("--seed", optarg, 0, 2147483647, &seed);
            break;
        case O_DEVICE:
            device = optarg;
            break;
        case O_TF32:
            o.tf32 = 1;
            break;
        case O_RESUME:
            o.resume = 1;
            break;
        case O_CONSERVE:
            o.conserve = optarg;
            break;
        case O_NONNEG:
            o.nonnegative = optarg;
            break;
        case O_FLUX:
            o.flux = 1;
            break;
        case O_UNROLL:
            bad |= cmd_int("--unroll", optarg, 1, 64, &o.unroll);
            break;
        case O_HOLDOUT:
            bad |= cmd_int("--holdout", optarg, 1, ML_MAX_FILES - 1, &o.holdout);
            break;
        case O_STATE_NOISE:
            bad |= cmd_real("--state-noise", optarg, 0, 100, 0, &o.state_noise);
            break;
        case O_NOISE:
            bad |= cmd_real("--noise", optarg, 0, 10, 0, &o.noise);
            break;
        case 'o':
            o.output = optarg;
            break;
        case 'O':
            o.overwrite = 1;
            break;
        default: /* ':' or '?' */
            cmd_bad_option(c, argv, "train", opts);
            bad = 1;
        }
    }
    if (!bad && optind < argc) {
        fc_error("train takes no arguments (got '%s'; data files go after --data)", argv[optind]);
        bad = 1;
    }
    if (!bad && (!ndata || !nvars || !o.output)) {
        fc_error("train needs --data, --vars and -o (see flowcast train --help)");
        bad = 1;
    }
    int kind;
    fc_err err = {{0}};
    if (!bad && fc_backend_select(device, &kind, &err)) {
        fc_error("%s", err.msg);
        bad = 1;
    }
    if (bad) {
        free(data), free(files), free(members), free(nmembers);
        return FC_EXIT_USAGE;
    }
    /* A folder among the data: an ensemble's members, in its manifest's order. */
    int nfiles = 0, st = FC_OK;
    for (int k = 0; k < ndata && !st; k++) {
        struct stat sb;
        if (stat(data[k], &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            if (nfiles == ML_MAX_FILES)
                st = fc_fail(&err, FC_EINPUT, "more than %d data files", ML_MAX_FILES);
            else
                files[nfiles++] = data[k];
            continue;
        }
        if ((st = fc_ensemble_files(data[k], &members[k], &nmembers[k], &err)))
            break;
        if (nfiles + nmembers[k] > ML_MAX_FILES)
            st = fc_fail(&err, FC_EINPUT, "--data %s: its %d members make more than %d data "
                         "files", data[k], nmembers[k], ML_MAX_FILES);
        for (int m = 0; m < nmembers[k] && !st; m++)
            files[nfiles++] = members[k][m];
    }
    o.gpu = kind == FC_BACKEND_GPU;
    o.data = files;
    o.ndata = nfiles;
    o.vars = vars;
    o.nvars = nvars;
    o.statics = statics;
    o.nstatic = nstatic;
    o.hidden = hidden;
    o.nhidden = nhidden ? nhidden : 2;
    o.seed = (unsigned long long)seed;
    o.stop = cmd_stop_on_signals();
    if (!st) {
        fc_info("train: on the %s%s", o.gpu ? "GPU (cuBLAS)" : "CPU (OpenBLAS)",
                o.gpu && o.tf32 ? ", TF32 tensor-core math" : "");
        st = ml_train(&o, &err);
    }
    for (int k = 0; k < ndata; k++)
        fc_ensemble_files_free(members[k], nmembers[k]);
    free(data), free(files), free(members), free(nmembers);
    return st ? cmd_fail(st, err.msg) : FC_EXIT_OK;
}

static void rollout_usage(FILE *f)
{
    fputs("usage: flowcast rollout --model MODEL.nc --init FILE [--time T] --steps N\n"
          "                        -o PRED.nc [--device cpu|gpu] [-O]\n\n"
          "Runs the surrogate step after step (one output interval each) from the record of\n"
          "FILE at time T (default: its first), writes the forecast as NetCDF on the\n"
          "solver's grid, and prints per lead time the RMSE against FILE's records (where\n"
          "it has them) and against persistence, the drift of each variable's mean over its\n"
          "rms at the start (for a variable that starts at zero, its largest rms so far),\n"
          "and the surrogate's time per step against the solver's on the same device (its\n"
          "case run for one interval; not timed when FILE is another solver's output).\n\n"
          "  --device D   cpu (default: OpenBLAS) or gpu (the network through cuBLAS for\n"
          "               all cells at once; features and constraints on the host; the\n"
          "               solver timed on its GPU backend)\n"
          "Exit status: 0 ok, 1 failed, 2 bad usage or input.\n",
          f);
}

int cmd_rollout(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        rollout_usage(stdout);
        return FC_EXIT_OK;
    }
    enum { O_MODEL = 256, O_INIT, O_TIME, O_STEPS, O_DEVICE };
    static const struct option opts[] = {
        {"model", required_argument, NULL, O_MODEL}, {"init", required_argument, NULL, O_INIT},
        {"time", required_argument, NULL, O_TIME},   {"steps", required_argument, NULL, O_STEPS},
        {"device", required_argument, NULL, O_DEVICE},
        {"overwrite", no_argument, NULL, 'O'},       {NULL, 0, NULL, 0},
    };
    ml_rollout_opts o = {.time = NAN, .solvers = fc_solvers()};
    const char *device = "cpu";
    int c, bad = 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:O", opts, NULL)) != -1) {
        switch (c) {
        case O_MODEL:
            o.model = optarg;
            break;
        case O_INIT:
            o.init = optarg;
            break;
        case O_TIME:
            bad |= cmd_real("--time", optarg, -1e300, 1e300, 0, &o.time);
            break;
        case O_STEPS:
            bad |= cmd_int("--steps", optarg, 1, 1000000, &o.steps);
            break;
        case O_DEVICE:
            device = optarg;
            break;
        case 'o':
            o.output = optarg;
            break;
        case 'O':
            o.overwrite = 1;
            break;
        default: /* ':' or '?' */
            cmd_bad_option(c, argv, "rollout", opts);
            bad = 1;
        }
    }
    if (!bad && (optind < argc || !o.model || !o.init || !o.steps || !o.output)) {
        fc_error("rollout needs --model, --init, --steps and -o, and no other arguments");
        bad = 1;
    }
    fc_err err = {{0}};
    int kind;
    if (!bad && strcmp(device, "cpu") && strcmp(device, "gpu")) {
        fc_error("--device must be cpu or gpu, not '%s'", device);
        bad = 1;
    } else if (!bad && fc_backend_select(device, &kind, &err)) {
        fc_error("%s", err.msg);
        bad = 1;
    }
    if (bad)
        return FC_EXIT_USAGE;
    o.gpu = kind == FC_BACKEND_GPU;
    char *cmdline = cmd_join_args(argc, argv); /* NULL: the options in its place */
    o.command_line = cmdline;
    ml_rollout_result res;
    int st = ml_rollout(&o, &res, &err);
    free(cmdline);
    if (!st || (st == FC_ENUMERIC && res.steps > 0)) /* a diverged forecast: its leads before */
        cmd_print_rollout(&res, o.output, 1);
    fflush(stdout); /* the table before the error, where both go to one file */
    ml_rollout_result_free(&res);
    return st ? cmd_fail(st, err.msg) : FC_EXIT_OK;
}

void cmd_print_rollout(const ml_rollout_result *r, const char *output, int every)
{
    printf("| lead (s) | variable | RMSE surrogate | RMSE persistence | drift of the mean / rms |\n"
           "|---|---|---|---|---|\n");
    for (int n = every - 1; n < r->steps; n += every)
        for (int v = 0; v < r->nvars; v++) {
            const size_t at = (size_t)n * r->nvars + (size_t)v;
            char se[32] = "-", sp[32] = "-";
            if (!isnan(r->rmse[at])) {
                snprintf(se, sizeof se, "%.4g", r->rmse[at]);
                snprintf(sp, sizeof sp, "%.4g", r->persistence[at]);
            }
            printf("| %g | %s | %s | %s | %.2e |\n", (n + 1) * r->interval, r->vars[v], se, sp,
                   r->drift[at]);
        }
    /* How long each variable beats persistence, and again to the end where it does later. */
    printf("\nBetter than persistence:");
    for (int v = 0; v < r->nvars; v++) {
        int n, again;
        ml_rollout_beats_persistence(r, v, &n, &again);
        if (n < r->steps && isnan(r->rmse[(size_t)n * r->nvars + v]))
            printf(" %s for %g s (no truth after);", r->vars[v], n * r->interval);
        else if (n == r->steps)
            printf(" %s at every lead (%g s);", r->vars[v], n * r->interval);
        else if (again < r->steps)
            printf(" %s for %g s, and again from %g s to the end (%g s);", r->vars[v],
                   n * r->interval, (again + 1) * r->interval, r->steps * r->interval);
        else
            printf(" %s for %g s;", r->vars[v], n * r->interval);
    }
    printf("\n");
    /* PDEBench's nRMSE: ||forecast - truth|| / ||truth|| over the grid, averaged over the
     * leads that have a truth. */
    printf("nRMSE (mean over leads):");
    for (int v = 0; v < r->nvars; v++) {
        double sum = 0;
        int n = 0;
        for (int k = 0; k < r->steps; k++)
            if (!isnan(r->nrmse[(size_t)k * r->nvars + v])) {
                sum += r->nrmse[(size_t)k * r->nvars + v];
                n++;
            }
        printf(n ? " %s %.3e;" : " %s -;", r->vars[v], n ? sum / n : 0.0);
    }
    printf("\n");
    /* What a variable's sum did beyond what entered through the sides (flux form, or
     * conserved on a closed domain): the largest over the leads. */
    for (int v = 0; v < r->nvars; v++) {
        double worst = 0;
        int kept = 1;
        for (int k = 0; k < r->steps && kept; k++) {
            const double e = r->imbalance[(size_t)k * r->nvars + v];
            kept = !isnan(e);
            worst = fmax(worst, fabs(e));
        }
        if (kept)
            printf("Balance of %s: its domain sum changed by what crossed the sides, to %.2e "
                   "(largest over the leads, in units of its rms times the cells).\n",
                   r->vars[v], worst);
    }
    const char *dev = r->gpu ? "GPU" : "CPU";
    printf("Surrogate: %.3g s per step of %g s (%d steps, %zu cells, %s); ", r->step_seconds,
           r->interval, r->steps, r->cells, dev);
    const double a = r->solver_seconds, b = r->step_seconds;
    if (a > 0)
        printf("solver: %.3g s per %g s from its case on the same %s: the surrogate is %.3g x "
               "%s.\n", a, r->interval, dev, a > b ? a / b : b / a, a > b ? "faster" : "slower");
    else
        printf("solver: n/a (%s).\n", r->solver_why);
    printf("Forecast: %s (%d records from t = %g s).\n", output, r->steps + 1, r->t0);
}
