/* cmd_run.c: `flowcast run CASE.ini [options]`. */
#include <fc_build.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/cli/cmd.h"
#include "src/core/fc.h"
#include "src/core/decomp.h"
#include "src/core/log.h"
#include "src/core/ranks.h"
#include "src/core/run.h"
#include "solvers/registry.h"

static void usage(FILE *f)
{
    fputs("usage: flowcast run CASE.ini [--device auto|cpu|gpu] [--threads N]\n"
          "                    [--set section.key=value]... [-o FILE] [-O|--overwrite]\n"
          "                    [--restart FILE [--regrid]] [--decomp PXxPY] [--quiet]\n\n"
          "Runs the case and writes CF-1.11 NetCDF output (default: [output] file, else\n"
          "outputs/<case name>.nc). An existing output file is never replaced without -O.\n"
          "CASE.ini may also be the name of a ready-made case (flowcast run jet; flowcast\n"
          "cases --inputs lists them).\n\n"
          "  --device D       auto (GPU when one is usable), cpu, or gpu (an error without\n"
          "                   one)\n"
          "  --threads N      OpenMP threads for the CPU backend (default: all cores);\n"
          "                   while other processes keep cores busy the run uses the\n"
          "                   cores they leave (the output does not change)\n"
          "  --set S.K=V      override a case key, e.g. --set grid.nx=512 (repeatable;\n"
          "                   a key given twice takes its last value)\n"
          "  -o FILE          output file; with [output] series_interval the diagnostics\n"
          "                   between its records go to FILE_series.nc beside it (FILE\n"
          "                   without .nc)\n"
          "  -O, --overwrite  replace an existing output file (and its series)\n"
          "  --restart FILE   continue from the last complete record of an earlier output\n"
          "                   (same solver and grid; written by any number of processes)\n"
          "  --regrid         with --restart: a file from another grid over the same domain\n"
          "                   is interpolated onto the case's (bilinear; Fourier for\n"
          "                   spectral; what the case fixes, a bottom or a body, comes from\n"
          "                   the case): continue a coarse run on a finer grid\n"
          "  --decomp PXxPY   under mpirun: the grid's blocks, PX along x by PY along y\n"
          "                   (PX PY processes; default: the layout that sends the fewest\n"
          "                   halo cells). swe and euler split into blocks, on the CPU\n"
          "                   or on a GPU per process (the machine's processes spread\n"
          "                   over its GPUs; halos go through the host); spectral into\n"
          "                   slabs of rows on the CPU (--decomp 1xN; ceil(ny/N) rows\n"
          "                   each, the last fewer, as FFTW lays them out); ns2d, and\n"
          "                   spectral on the GPU, run on one process\n"
          "  -q, --quiet      no progress or summary lines (errors are still printed)\n\n"
          "SIGINT or SIGTERM finishes the current record and closes the file (exit 1).\n"
          "Under mpirun -np N (a build with MPI) the processes split the grid into blocks,\n"
          "give the same bits as one process, and write the one output file together\n"
          "(NetCDF-4, and CDF-5 in a build with PnetCDF; otherwise the first writes it).\n"
          "Exit status: 0 ok, 1 the run failed, 2 bad usage or input.\n",
          f);
}

int cmd_run(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        if (fc_ranks_self()->rank == 0) /* under mpirun, once */
            usage(stdout);
        return FC_EXIT_OK;
    }
    enum { OPT_DEVICE = 256, OPT_THREADS, OPT_SET, OPT_RESTART, OPT_REGRID, OPT_DECOMP };
    static const struct option opts[] = {
        {"device", required_argument, NULL, OPT_DEVICE},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"set", required_argument, NULL, OPT_SET},
        {"restart", required_argument, NULL, OPT_RESTART},
        {"regrid", no_argument, NULL, OPT_REGRID},
        {"decomp", required_argument, NULL, OPT_DECOMP},
        {"output", required_argument, NULL, 'o'},
        {"overwrite", no_argument, NULL, 'O'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    fc_run_opts o = {.solvers = fc_solvers()};
    o.device = "auto";
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    if (!sets)
        return FC_EXIT_FAILED;
    opterr = 0;
    optind = 1;
    int c, bad = 0;
    while ((c = getopt_long(argc, argv, ":o:Oq", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DEVICE:
            o.device = optarg;
            break;
        case OPT_THREADS:
            bad |= cmd_parse_threads(optarg, &o.threads);
            break;
        case OPT_SET:
            sets[o.nsets++] = optarg;
            break;
        case OPT_RESTART:
            o.restart = optarg;
            break;
        case OPT_REGRID:
            o.regrid = 1;
            break;
        case OPT_DECOMP: {
            int px, py;
            fc_err derr;
            if (fc_decomp_parse(optarg, &px, &py, &derr)) {
                fc_error("%s", derr.msg);
                bad = 1;
            } else
                fc_ranks_set_layout(px, py);
            break;
        }
        case 'o':
            o.output = optarg;
            break;
        case 'O':
            o.overwrite = 1;
            break;
        case 'q':
            o.quiet = 1;
            break;
        default: /* ':' or '?' */
            cmd_bad_option(c, argv, "run", opts);
            bad = 1;
        }
    }
    if (!bad && optind != argc - 1) {
        fc_error(optind == argc ? "no case file given (usage: flowcast run CASE.ini [options])"
                                : "one case file expected, got %d arguments (usage: flowcast "
                                  "run CASE.ini [options])",
                 argc - optind);
        bad = 1;
    }
    if (bad) {
        free(sets);
        return FC_EXIT_USAGE;
    }
    char case_path[4096];
    if (!(o.case_path = cmd_case_path(argv[optind], case_path, sizeof case_path))) {
        free(sets);
        return FC_EXIT_USAGE;
    }
    o.sets = sets;
    fc_log_set_quiet(o.quiet);
    char *cmdline = cmd_join_args(argc, argv);
    o.command_line = cmdline;
    o.stop = cmd_stop_on_signals();

    fc_run_result res;
    fc_err err;
    int st = fc_run(&o, &res, &err);
    free(cmdline);
    free(sets);
    return st ? cmd_fail(st, err.msg) : FC_EXIT_OK;
}
