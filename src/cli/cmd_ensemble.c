/* cmd_ensemble.c: `flowcast ensemble CASE.ini --members N --vary S.K=LO:HI -o DIR`. */
#include <fc_build.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/cli/cmd.h"
#include "src/core/ensemble.h"
#include "src/core/fc.h"
#include "src/core/log.h"
#include "solvers/registry.h"

static void usage(FILE *f)
{
    fputs("usage: flowcast ensemble CASE.ini --members N --vary S.K=LO:HI[,S.K=LO:HI...]\n"
          "                         [--grid] [--seed S] [--set S.K=V]... [--device D]\n"
          "                         [--threads N] -o DIR [-O|--overwrite | --resume]\n\n"
          "Runs the case once per member with the varied keys drawn uniformly from their\n"
          "ranges (seeded), or with --grid at N evenly spaced values each (every\n"
          "combination: N^k members). Writes DIR/member_0000.nc, ... and DIR/ensemble.csv,\n"
          "which lists each member's file and values and is rewritten after each member: an\n"
          "interrupted ensemble keeps the members it finished, and the same command with\n"
          "--resume runs the rest (with a larger --members, it adds members to a random\n"
          "ensemble). `flowcast train --data DIR` trains on the members (--holdout K keeps\n"
          "the last K out of training, to validate on). An integer key (grid.nx) gets whole\n"
          "numbers, a real key real numbers. Every member's case is checked before the\n"
          "first runs.\n\n"
          "  --members N   members (random), or values per key (--grid); 1 to 10000 in all\n"
          "  --vary LIST   section.key=lo:hi, comma-separated or repeated (up to 8 keys)\n"
          "  --grid        evenly spaced values instead of random draws\n"
          "  --seed S      the draws (default 1): the same seed, the same ensemble\n"
          "  --set S.K=V   a fixed override for every member (repeatable)\n"
          "  --device D    auto, cpu or gpu      --threads N   OpenMP threads\n"
          "  -o DIR        the folder (made when absent)\n"
          "  -O            replace an ensemble already in DIR\n"
          "  --resume      run the members DIR lacks (the same command, --threads and\n"
          "                --device aside; a member left unfinished runs again)\n\n"
          "Example (PDEBench's radial dam break):\n"
          "  flowcast ensemble radial_dambreak --members 24 --vary initial.radius=0.3:0.7 \\\n"
          "      -o outputs/radial\n"
          "Exit status: 0 ok, 1 a member failed or was interrupted, 2 bad usage or input.\n",
          f);
}

int cmd_ensemble(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        usage(stdout);
        return FC_EXIT_OK;
    }
    enum { O_MEMBERS = 256, O_VARY, O_GRID, O_SEED, O_SET, O_DEVICE, O_THREADS, O_RESUME };
    static const struct option opts[] = {
        {"members", required_argument, NULL, O_MEMBERS}, {"vary", required_argument, NULL, O_VARY},
        {"grid", no_argument, NULL, O_GRID},             {"seed", required_argument, NULL, O_SEED},
        {"set", required_argument, NULL, O_SET},         {"device", required_argument, NULL, O_DEVICE},
        {"threads", required_argument, NULL, O_THREADS}, {"output", required_argument, NULL, 'o'},
        {"overwrite", no_argument, NULL, 'O'},           {"resume", no_argument, NULL, O_RESUME},
        {NULL, 0, NULL, 0},
    };
    fc_ensemble_opts o = {.run = {.solvers = fc_solvers(), .device = "auto"}, .seed = 1};
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    if (!sets)
        return FC_EXIT_FAILED;
    int c, bad = 0, seed = 1;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:O", opts, NULL)) != -1) {
        switch (c) {
        case O_MEMBERS:
            bad |= cmd_int("--members", optarg, 1, FC_ENSEMBLE_MAX_MEMBERS, &o.members);
            break;
        case O_VARY:
            bad |= cmd_name_list("--vary", optarg, o.vary, &o.nvary, FC_ENSEMBLE_MAX_KEYS);
            break;
        case O_GRID:
            o.grid = 1;
            break;
        case O_SEED:
            bad |= cmd_int("--seed", optarg, 0, 2147483647, &seed);
            break;
        case O_SET:
            sets[o.run.nsets++] = optarg;
            break;
        case O_DEVICE:
            o.run.device = optarg;
            break;
        case O_THREADS:
            bad |= cmd_parse_threads(optarg, &o.run.threads);
            break;
        case 'o':
            o.dir = optarg;
            break;
        case 'O':
            o.run.overwrite = 1;
            break;
        case O_RESUME:
            o.resume = 1;
            break;
        default: /* ':' or '?' */
            cmd_bad_option(c, argv, "ensemble", opts);
            bad = 1;
        }
    }
    if (!bad && optind != argc - 1) {
        fc_error("one case file expected, got %d arguments (usage: flowcast ensemble CASE.ini "
                 "--members N --vary S.K=LO:HI -o DIR)", argc - optind);
        bad = 1;
    }
    if (!bad && (!o.members || !o.nvary || !o.dir)) {
        fc_error("ensemble needs --members, --vary and -o (see flowcast ensemble --help)");
        bad = 1;
    }
    char case_path[4096];
    if (!bad && !(o.run.case_path = cmd_case_path(argv[optind], case_path, sizeof case_path)))
        bad = 1;
    if (bad) {
        free(sets);
        return FC_EXIT_USAGE;
    }
    o.seed = (unsigned long long)seed;
    o.run.sets = sets;
    o.run.stop = cmd_stop_on_signals();
    char *cmdline = cmd_join_args(argc, argv);
    o.run.command_line = cmdline;
    fc_err err;
    const int st = fc_ensemble(&o, &err);
    free(cmdline);
    free(sets);
    return st ? cmd_fail(st, err.msg) : FC_EXIT_OK;
}
