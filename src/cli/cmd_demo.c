/* cmd_demo.c: `flowcast demo`: the suite in about two minutes: a weather case, a CFD case, a
 * quick speedup table, and a surrogate trained on the weather case and rolled out against it. */
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
#include "src/plot/animate.h"
#include "src/plot/figure.h"
#include "solvers/registry.h"

static void usage(FILE *f)
{
    fputs("usage: flowcast demo [--inputs DIR]\n\n"
          "Shows the suite on this machine in about two minutes on 2 CPU cores (most of\n"
          "it training the surrogate):\n"
          "  1. weather: an unstable jet on a beta-plane (inputs/jet.ini), 6 days;\n"
          "  2. CFD: the lid-driven cavity at Re 100 to a steady state\n"
          "     (inputs/cavity_re100.ini);\n"
          "  3. a quick CPU/GPU speedup table (flowcast bench --quick);\n"
          "  4. a surrogate trained on the jet's first 24 h, rolled out 12 h past it;\n"
          "then pictures of each (PNG) and a film of the jet (MP4 with ffmpeg, else GIF).\n"
          "Everything goes to a new folder outputs/demo-DATE-TIME/; the end says what to\n"
          "open.\n\n"
          "  --inputs DIR  where the case files are (default: ./inputs, else those of the\n"
          "                checkout the program was built in, else the installed\n"
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

/* The pictures the demo drew, listed at its end. */
typedef struct pictures {
    char path[8][512];
    char what[8][96];
    int n;
} pictures;

/* dir/name: a picture of var in nc at record `when` (a time, or NULL: the last). */
static int picture(pictures *p, const char *dir, const char *name, const char *nc,
                   const char *var, const char *when, int contours, const char *what, fc_err *err)
{
    snprintf(p->path[p->n], sizeof p->path[p->n], "%s/%s", dir, name);
    fc_plotdata d;
    int st = fc_pd_open(&d, nc, var, err);
    size_t rec = 0;
    fc_picture *pic = NULL;
    if (!st) {
        const fc_figure_opts o = {.contours = contours};
        if (!(st = fc_pd_record(&d, when, &rec, err)) &&
            !(st = fc_figure_field(&d, rec, &o, &pic, err)))
            st = fc_picture_write_png(pic, p->path[p->n], err);
        fc_picture_free(pic);
        fc_pd_close(&d);
    }
    if (!st)
        snprintf(p->what[p->n++], sizeof p->what[0], "%s", what);
    return st;
}

/* The forecast's h at its last lead beside the solver's at the same time, and the difference. */
static int forecast_picture(pictures *p, const char *dir, const char *forecast, const char *truth,
                            fc_err *err)
{
    snprintf(p->path[p->n], sizeof p->path[p->n], "%s/jet_forecast_h.png", dir);
    fc_plotdata a, b;
    int st = fc_pd_open(&a, forecast, "h", err);
    if (st)
        return st;
    if ((st = fc_pd_open(&b, truth, "h", err))) {
        fc_pd_close(&a);
        return st;
    }
    char when[64];
    size_t rb = 0;
    fc_picture *pic = NULL;
    snprintf(when, sizeof when, "%.17g", a.times[a.nrec - 1]);
    if (!(st = fc_pd_record(&b, when, &rb, err)) &&
        !(st = fc_figure_compare(&a, a.nrec - 1, "surrogate", &b, rb, "solver", 0, &pic, err)))
        st = fc_picture_write_png(pic, p->path[p->n], err);
    fc_picture_free(pic);
    fc_pd_close(&a);
    fc_pd_close(&b);
    if (!st)
        snprintf(p->what[p->n++], sizeof p->what[0], "the surrogate's depth beside the solver's");
    return st;
}

/* A film of the jet's vorticity: MP4 when ffmpeg is installed, else an animated GIF. */
static int jet_film(pictures *p, const char *dir, const char *jet, fc_err *err)
{
    char ffmpeg[4096];
    const int have = fc_find_program("ffmpeg", ffmpeg, sizeof ffmpeg);
    snprintf(p->path[p->n], sizeof p->path[p->n], "%s/jet_vorticity.%s", dir, have ? "mp4" : "gif");
    fc_plotdata d;
    int st = fc_pd_open(&d, jet, "vorticity", err);
    if (st)
        return st;
    fc_anim_opts o = {.output = p->path[p->n], .format = have ? FC_ANIM_MP4 : FC_ANIM_GIF,
                      .fps = 12, .ffmpeg = have ? ffmpeg : NULL};
    st = fc_animate(&d, &o, err);
    fc_pd_close(&d);
    if (!st)
        snprintf(p->what[p->n++], sizeof p->what[0], "the jet's vorticity, a film of the 6 days");
    return st;
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
    int st = fc_bench_report_check(&rep, prefix, 0, 1, err);
    if (!st)
        st = fc_bench_ceilings_measure(&o, &c, err);
    if (!st)
        st = fc_bench_report_open(&rep, 0, "flowcast demo (bench --quick)", &o, &c, err);
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
            fc_error("demo: cannot read %s: the cases are neither in ./inputs, nor beside the "
                     "program, nor installed in %s; give --inputs DIR", probe, FC_INPUTS_DIR);
        return FC_EXIT_USAGE;
    }
    char dir[256], stamp[64], jet[512], day1[512], cavity[512], bench[512], model[512], pred[512];
    time_t now = time(NULL);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime(&now));
    mkdir("outputs", 0777);
    snprintf(dir, sizeof dir, "outputs/demo-%s", stamp);
    if (mkdir(dir, 0777) != 0) {
        fc_error("demo: cannot make %s (a demo started this second?)", dir);
        return FC_EXIT_FAILED;
    }
    snprintf(jet, sizeof jet, "%s/jet.nc", dir);
    snprintf(day1, sizeof day1, "%s/jet_15min.nc", dir);
    snprintf(cavity, sizeof cavity, "%s/cavity.nc", dir);
    snprintf(bench, sizeof bench, "%s/bench", dir);
    snprintf(model, sizeof model, "%s/jet_surrogate.nc", dir);
    snprintf(pred, sizeof pred, "%s/jet_forecast.nc", dir);
    fc_err err = {{0}};
    const double t0 = fc_now();
    int st = FC_OK;

    step_header(1, "weather: an unstable jet on a beta-plane rolls up into eddies, 6 days, a "
                   "record every 3 h");
    const char *jet_sets[] = {"output.interval=10800"};
    st = run_case(inputs, "jet", jet_sets, 1, jet, &err);
    pictures pics = {.n = 0};
    if (!st)
        st = picture(&pics, dir, "jet_vorticity.png", jet, "vorticity", NULL, 0,
                     "the jet's vorticity on day 6", &err);

    if (!st) {
        step_header(2, "CFD: lid-driven cavity at Re 100 to a steady state (32 x 32)");
        const char *cav_sets[] = {"grid.nx=32", "grid.ny=32"};
        st = run_case(inputs, "cavity_re100", cav_sets, 2, cavity, &err);
        if (!st)
            st = picture(&pics, dir, "cavity_stream_function.png", cavity, "stream_function",
                         NULL, 12, "the cavity's stream function, 12 contours", &err);
        if (!st)
            st = picture(&pics, dir, "cavity_vorticity.png", cavity, "vorticity", NULL, 0,
                         "the cavity's vorticity", &err);
    }
    if (!st) {
        step_header(3, "a quick speedup table (flowcast bench --quick)");
        st = quick_bench(bench, &err);
    }
    if (!st) {
        step_header(4, "a surrogate of the jet: a 9 x 9 neighbourhood of h, u, v and the bottom "
                       "-> the change in 15 min");
        printf("Its data: the jet's first 36 h, a record every 15 min; the first 24 h train it, "
               "the last 12 h validate it.\nIts forecast steps conserve the mass (h) and keep "
               "h >= 0; half its training states carry noise\n(--state-noise 1) so that it "
               "learns to damp what its own forecasts add.\n\n");
        fflush(stdout);
        const char *day1_sets[] = {"time.t_end=129600", "output.interval=900"};
        st = run_case(inputs, "jet", day1_sets, 2, day1, &err);
        const char *data[] = {day1}, *vars[] = {"h", "u", "v"}, *statics[] = {"b"};
        /* Gravity waves (c = 100 m/s) cross about 3 of the 31 km cells in a 15-minute record,
           so a 7 x 7 neighbourhood only just holds each cell's domain of dependence: its h fell
           behind persistence after 9 h. 9 x 9 with 10 epochs keeps all three ahead for the
           whole 12 h (docs/surrogates.md, the jet's table). */
        const int hidden[] = {64, 64};
        ml_train_opts o = {.data = data, .ndata = 1, .vars = vars, .nvars = 3, .statics = statics,
                           .nstatic = 1, .stencil = 9, .hidden = hidden, .nhidden = 2,
                           .activation = MLP_GELU, .optimizer = MLP_ADAMW, .epochs = 10,
                           .batch = 512, .patience = 6, .lr = 3e-3, .weight_decay = 0.01,
                           .val_fraction = 1.0 / 3, .state_noise = 1, .seed = 1, .output = model};
        if (!st)
            st = ml_train(&o, &err);
        if (!st) {
            printf("Rollout from t = 24 h (the first validation record: nothing after it was "
                   "trained on) against the solver, 48 steps, every hour shown:\n\n");
            fflush(stdout);
            ml_rollout_opts r = {.model = model, .init = day1, .output = pred, .time = 86400,
                                 .solvers = fc_solvers(), .steps = 48};
            ml_rollout_result res;
            if (!(st = ml_rollout(&r, &res, &err)))
                cmd_print_rollout(&res, pred, 4);
            ml_rollout_result_free(&res);
        }
        if (!st)
            st = forecast_picture(&pics, dir, pred, day1, &err);
    }
    if (!st)
        st = jet_film(&pics, dir, jet, &err);
    if (st)
        return cmd_fail(st, err.msg);
    printf("\n== done in %.0f s. Files in %s/:\n"
           "  jet.nc, cavity.nc         solver output (CF NetCDF): ncview FILE, Panoply,\n"
           "  jet_15min.nc              xarray.open_dataset(FILE) in Python, flowcast plot FILE\n"

           "  bench.csv, bench.nc       the speedup table; its plots bench_speedup.png and\n"
           "                            bench_bandwidth.png\n"
           "  jet_surrogate.nc          the trained model (weights, normalisation, history)\n"
           "  jet_forecast.nc           the surrogate's forecast, on the jet's grid\n",
           fc_now() - t0, dir);
    printf("Pictures (flowcast plot --var V draws any other, flowcast animate a film):\n");
    for (int k = 0; k < pics.n; k++) {
        const char *name = strrchr(pics.path[k], '/') + 1;
        printf("  %-28s%s\n", name, pics.what[k]);
    }
    printf("Next: flowcast run cylinder (a vortex street; flowcast cases --inputs lists the ready\n"
           "cases), flowcast validate --quick, flowcast bench, flowcast cases.\n");
    return FC_EXIT_OK;
}
