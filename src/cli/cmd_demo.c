/* cmd_demo.c: `flowcast demo`: the suite in about a minute: a weather case, a CFD case, a quick
 * speedup table, and a surrogate trained on the weather case and rolled out against it. */
#include <fc_build.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "src/core/backend.h"
#include "src/bench/bench.h"
#include "src/bench/bench_report.h"
#include "src/cli/cmd.h"
#include "src/core/fc.h"
#include "src/core/log.h"
#include "src/core/run.h"
#include "ml/surrogate.h"
#include "src/core/timer.h"
#include "solvers/registry.h"

static void usage(FILE *f)
{
    fputs("usage: flowcast demo [--inputs DIR]\n\n"
          "Shows the suite on this machine in about a minute on 2 CPU cores:\n"
          "  1. weather: an unstable jet on a beta-plane (inputs/jet.ini), one day;\n"
          "  2. CFD: the lid-driven cavity at Re 100 to a steady state (inputs/cavity_re100.ini);\n"
          "  3. a quick CPU/GPU speedup table (flowcast bench --quick);\n"
          "  4. a surrogate trained on the jet's output and rolled out against it.\n"
          "Everything goes to a new folder outputs/demo-DATE-TIME/; the end says what to open.\n\n"
          "  --inputs DIR  where the case files are (default: ./inputs, else the installed\n"
          "                " FC_INPUTS_DIR ")\n",
          f);
}

static int step_header(int n, const char *what)
{
    printf("\n== %d/4 %s\n\n", n, what);
    fflush(stdout);
    return 0;
}

static int run_case(const char *inputs, const char *name, const char *const *sets, int nsets,
                    const char *out, fc_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.ini", inputs, name);
    fc_run_opts o = {.case_path = path, .solvers = fc_solvers(), .sets = sets, .nsets = nsets, .device = "auto",
                     .output = out, .command_line = "flowcast demo"};
    fc_run_result res;
    return fc_run(&o, &res, err);
}

static int quick_bench(const char *prefix, fc_err *err)
{
    int threads[2] = {1, 1}, nthreads = 1, sizes[2] = {32, 64};
#ifdef _OPENMP
    if (omp_get_num_procs() > 1)
        threads[nthreads++] = omp_get_num_procs();
#endif
    char why[256];
    fc_bench_opts o = {.sizes = sizes, .nsizes = 2, .threads = threads, .nthreads = nthreads,
                       .use_gpu = fc_gpu_count(why, sizeof why) > 0, .warmup = 1, .repeats = 3,
                       .min_seconds = 0.05, .copy_bytes = (size_t)32 << 20,
                       .row = fc_bench_report_row};
    fc_bench_ceilings c;
    fc_bench_report rep;
    int st = fc_bench_ceilings_measure(&o, &c, err);
    if (!st)
        st = fc_bench_report_open(&rep, prefix, 0, "flowcast demo (bench --quick)", &o, &c, err);
    if (st)
        return st;
    o.ctx = &rep;
    st = fc_bench_run(&o, &c, err);
    fc_err cerr;
    int cst = fc_bench_report_close(&rep, 1, &cerr);
    return st ? st : cst;
}

int cmd_demo(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        usage(stdout);
        return FC_EXIT_OK;
    }
    const char *inputs = cmd_inputs_dir();
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--inputs") && k + 1 < argc)
            inputs = argv[++k];
        else {
            fc_error("demo: unexpected '%s' (see flowcast demo --help)", argv[k]);
            return FC_EXIT_USAGE;
        }
    }
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/jet.ini", inputs);
    if (access(probe, R_OK) != 0) {
        if (strcmp(inputs, cmd_inputs_dir()))
            fc_error("demo: cannot read %s (--inputs %s)", probe, inputs);
        else
            fc_error("demo: cannot read %s: the cases are neither in ./inputs nor installed in "
                     "%s; give --inputs DIR", probe, FC_INPUTS_DIR);
        return FC_EXIT_USAGE;
    }
    char dir[256], stamp[64], jet[512], cavity[512], bench[512], model[512], pred[512];
    time_t now = time(NULL);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime(&now));
    mkdir("outputs", 0777);
    snprintf(dir, sizeof dir, "outputs/demo-%s", stamp);
    if (mkdir(dir, 0777) != 0) {
        fc_error("demo: cannot make %s (a demo started this second?)", dir);
        return FC_EXIT_FAILED;
    }
    snprintf(jet, sizeof jet, "%s/jet.nc", dir);
    snprintf(cavity, sizeof cavity, "%s/cavity.nc", dir);
    snprintf(bench, sizeof bench, "%s/bench", dir);
    snprintf(model, sizeof model, "%s/jet_surrogate.nc", dir);
    snprintf(pred, sizeof pred, "%s/jet_forecast.nc", dir);
    fc_err err = {{0}};
    const double t0 = fc_now();
    int st = FC_OK;

    step_header(1, "weather: an unstable jet on a beta-plane, one day, a record every 15 min");
    const char *jet_sets[] = {"time.t_end=86400", "output.interval=900"};
    st = run_case(inputs, "jet", jet_sets, 2, jet, &err);

    if (!st) {
        step_header(2, "CFD: lid-driven cavity at Re 100 to a steady state (32 x 32)");
        const char *cav_sets[] = {"grid.nx=32", "grid.ny=32"};
        st = run_case(inputs, "cavity_re100", cav_sets, 2, cavity, &err);
    }
    if (!st) {
        step_header(3, "a quick speedup table (flowcast bench --quick)");
        st = quick_bench(bench, &err);
    }
    if (!st) {
        step_header(4, "a surrogate of the jet: a 3 x 3 neighbourhood of h, u, v and the bottom "
                       "-> the change in 15 min");
        const char *data[] = {jet}, *vars[] = {"h", "u", "v"}, *statics[] = {"b"};
        const int hidden[] = {64, 64};
        ml_train_opts o = {.data = data, .ndata = 1, .vars = vars, .nvars = 3, .statics = statics,
                           .nstatic = 1, .stencil = 3, .hidden = hidden, .nhidden = 2,
                           .activation = MLP_GELU, .optimizer = MLP_ADAMW, .epochs = 4,
                           .batch = 512, .patience = 4, .lr = 3e-3, .weight_decay = 0.01,
                           .val_fraction = 0.2, .noise = 0.3, .seed = 1, .output = model};
        st = ml_train(&o, &err);
        if (!st) {
            printf("Rollout from t = 18 h (a validation record) against the solver:\n\n");
            fflush(stdout);
            ml_rollout_opts r = {.model = model, .init = jet, .output = pred, .time = 64800,
                                 .solvers = fc_solvers(),
                                 .steps = 8};
            ml_rollout_result res;
            if (!(st = ml_rollout(&r, &res, &err)))
                cmd_print_rollout(&res, pred);
            ml_rollout_result_free(&res);
        }
    }
    if (st)
        return cmd_fail(st, err.msg);
    printf("\n== done in %.0f s. Files in %s/:\n"
           "  jet.nc, cavity.nc         solver output (CF NetCDF): ncview FILE, Panoply, or\n"
           "                            python: xarray.open_dataset(FILE)\n"
           "  bench.csv, bench.nc       the speedup table; bench_speedup.png, bench_bandwidth.png\n"
           "                            its plots (gnuplot bench.gp redraws them)\n"
           "  jet_surrogate.nc          the trained model (weights, normalisation, history)\n"
           "  jet_forecast.nc           the surrogate's forecast, on the jet's grid\n"
           "Next: flowcast run cylinder (a vortex street; flowcast cases --inputs lists the ready\n"
           "cases), flowcast validate --quick, flowcast bench, flowcast cases.\n",
           fc_now() - t0, dir);
    return FC_EXIT_OK;
}
