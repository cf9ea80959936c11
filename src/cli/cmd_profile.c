/* cmd_profile.c: `flowcast profile CASE.ini`: times the parts of a solver's step that its backend
 * names (fc_solver_ops.profile), e.g. a spectral RK stage against its transforms alone. */
#include <fc_build.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "src/core/backend.h"
#include "src/cli/cmd.h"
#include "src/core/fc.h"
#include "src/core/log.h"
#include "src/core/sim.h"
#include "solvers/registry.h"

static void usage(FILE *f)
{
    fputs("usage: flowcast profile CASE.ini [--device auto|cpu|gpu] [--threads N]\n"
          "                        [--steps N] [--warmup N] [--set section.key=value]...\n\n"
          "Sets up the case (no output file), takes the warm-up steps, then times N steps\n"
          "and the parts of a step the solver's backend names (CUDA events on the GPU), and\n"
          "prints per part the median time per step, the fastest and slowest, and its share\n"
          "of the step. The spectral solver names its RK stage and the stage's transforms\n"
          "alone; ns2d its pressure solves, its explicit updates and its immersed forcing;\n"
          "on the CPU swe names its sweeps and halos, euler its sweeps, the pressure of\n"
          "each stage's input and its halos. CASE.ini may be the name of a ready-made\n"
          "case, as for run.\n\n"
          "  --device D   auto (GPU when one is usable), cpu, or gpu\n"
          "  --threads N  OpenMP threads for the CPU backend (default: all cores)\n"
          "  --steps N    timed steps (default 20)\n"
          "  --warmup N   untimed steps first (default 3)\n"
          "  --set S.K=V  override a case key (repeatable)\n\n"
          "Exit status: 0 ok, 1 the run failed, 2 bad usage or input.\n",
          f);
}

int cmd_profile(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        usage(stdout);
        return FC_EXIT_OK;
    }
    enum { OPT_DEVICE = 256, OPT_THREADS, OPT_STEPS, OPT_WARMUP, OPT_SET };
    static const struct option opts[] = {
        {"device", required_argument, NULL, OPT_DEVICE},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"steps", required_argument, NULL, OPT_STEPS},
        {"warmup", required_argument, NULL, OPT_WARMUP},
        {"set", required_argument, NULL, OPT_SET},
        {NULL, 0, NULL, 0},
    };
    const char *device = "auto";
    int threads = 0, steps = 20, warmup = 3, nsets = 0, c;
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    if (!sets)
        return cmd_fail(FC_ENOMEM, "out of memory");
    opterr = 0;
    optind = 1;
    int bad = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DEVICE:
            device = optarg;
            break;
        case OPT_THREADS:
            bad |= cmd_parse_threads(optarg, &threads);
            break;
        case OPT_STEPS:
            bad |= cmd_int("--steps", optarg, 1, 1000000, &steps);
            break;
        case OPT_WARMUP:
            bad |= cmd_int("--warmup", optarg, 0, 1000000, &warmup);
            break;
        case OPT_SET:
            sets[nsets++] = optarg;
            break;
        default: /* ':' or '?' */
            cmd_bad_option(c, argv, "profile", opts);
            bad = 1;
        }
    }
    if (!bad && optind != argc - 1) {
        fc_error(optind < argc ? "profile takes one case file (got '%s' too)"
                               : "profile needs a case file (see flowcast profile --help)",
                 optind < argc ? argv[optind + 1] : "");
        bad = 1;
    }
    if (bad) {
        free(sets);
        return FC_EXIT_USAGE;
    }
#ifdef _OPENMP
    if (threads > 0)
        omp_set_num_threads(threads);
#endif
    char case_path[4096];
    const char *path = cmd_case_path(argv[optind], case_path, sizeof case_path);
    if (!path) {
        free(sets);
        return FC_EXIT_USAGE;
    }
    fc_err err = {{0}};
    fc_config cfg;
    int kind, st = fc_backend_select(device, &kind, &err);
    if (!st)
        st = fc_config_load(path, sets, nsets, fc_solvers(), &cfg, &err);
    if (st) {
        free(sets);
        return cmd_fail(st, err.msg);
    }
    const fc_solver_desc *solver = cfg.solver;
    fc_config_free(&cfg);
    const fc_solver_ops *ops = kind == FC_BACKEND_GPU ? solver->gpu : solver->cpu;
    if (!ops || !ops->profile) {
        free(sets);
        fc_error("solver %s does not time the parts of its step on the %s (no profile)",
                 solver->name, kind == FC_BACKEND_GPU ? "GPU" : "CPU");
        return FC_EXIT_USAGE;
    }
    char what[512];
    fc_sim s;
    if ((st = fc_describe_device(kind, what, sizeof what, &err)) ||
        (st = fc_sim_open(&s, path, sets, nsets, fc_solvers(), ops, &err))) {
        free(sets);
        return cmd_fail(st, err.msg);
    }
    free(sets);
    fc_profile prof;
    const double cfl = fc_cfg_real(&s.cfg, "time", "cfl");
    if (!(s.rate > 0))
        st = fc_fail(&err, FC_EINPUT, "%s: the flow is at rest: no time step to time", path);
    if (!st)
        st = fc_sim_steps(&s, warmup, &err);
    if (!st)
        st = ops->profile(s.state, s.t, cfl / s.rate, steps, &prof, &err);
    if (st) {
        fc_sim_close(&s);
        return cmd_fail(st, err.msg);
    }
    printf("%s: solver %s, %d x %d, %s precision, %s; %d steps timed after %d\n\n", path,
           solver->name, s.grid.nx, s.grid.ny, FC_PRECISION, what, steps, warmup);
    printf("| part | median per step (ms) | min (ms) | max (ms) | share of the step |\n"
           "|---|---|---|---|---|\n");
    const double whole = prof.median[0]; /* every backend's first part is the step */
    for (int k = 0; k < prof.nparts; k++)
        printf("| %s | %.4g | %.4g | %.4g | %.3g |\n", prof.name[k], 1e3 * prof.median[k],
               1e3 * prof.min[k], 1e3 * prof.max[k], whole > 0 ? prof.median[k] / whole : 0);
    fc_sim_close(&s);
    return FC_EXIT_OK;
}
