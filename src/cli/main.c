/* main.c: `flowcast` subcommand dispatch. */
#include <fc_build.h>

#include <dirent.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/cli/cmd.h"
#include "src/core/fc.h"
#include "src/core/log.h"
#include "src/core/ncread.h"
#include "src/core/ranks.h"
#include "src/core/text.h"

struct command {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
};

static const struct command commands[] = {
    {"demo", cmd_demo, "the suite in 2 min: weather, CFD, speedups, a surrogate, pictures"},
    {"run", cmd_run, "run a case file, writing CF NetCDF output"},
    {"plot", cmd_plot, "draw a variable of a NetCDF file as a PNG: map, line or spectrum"},
    {"stats", cmd_stats, "extremes, means and periods of a file's series (drag, lift, energy)"},
    {"animate", cmd_animate, "a film (MP4, WebM, GIF or PNGs) of a field's records"},
    {"cases", cmd_cases, "list the solvers, their initial conditions and every case key"},
    {"validate", cmd_validate, "run the validation cases against exact and published results"},
    {"bench", cmd_bench, "CPU/GPU speedup tables: time per step, bandwidth, energy, accuracy"},
    {"ensemble", cmd_ensemble, "run a case N times with keys varied: training data for surrogates"},
    {"train", cmd_train, "train an MLP surrogate (local emulator) on solver output"},
    {"rollout", cmd_rollout, "forecast with a surrogate and score it against the solver"},
    {"profile", cmd_profile, "time the parts of a solver's step (e.g. a spectral stage vs its FFTs)"},
    {"info", cmd_info, "version, build features and the CUDA devices found"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: flowcast COMMAND [OPTIONS]\n\n"
               "flowcast %s: weather and CFD solvers on the CPU (OpenMP) and GPU (CUDA),\n"
               "NetCDF in and out.\n\ncommands:\n",
            PACKAGE_VERSION);
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        fprintf(f, "  %-8s %s\n", commands[k].name, commands[k].help);
    fprintf(f, "\n'flowcast COMMAND --help' describes a command. Exit status: 0 ok, 1 the\n"
               "run failed, 2 bad usage or input.\n");
}

int cmd_fail(int status, const char *msg)
{
    const char *p = fc_ranks_self()->rank == 0 ? msg : ""; /* the first process speaks for all */
    while (*p) {
        size_t len = strcspn(p, "\n");
        fprintf(stderr, "flowcast: error: %.*s\n", (int)len, p);
        p += len + (p[len] == '\n');
    }
    return fc_exit_code(status);
}

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

volatile sig_atomic_t *cmd_stop_on_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND; /* a second signal ends the program at once */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return &stop_requested;
}

void cmd_bad_option(int c, char *const *argv, const char *command, const struct option *opts)
{
    const char *given = argv[optind - 1];
    if (c == ':') {
        fc_error("option '%s' needs a value (see flowcast %s --help)", given, command);
        return;
    }
    char name[64] = "";
    if (!strncmp(given, "--", 2))
        snprintf(name, sizeof name, "%.*s", (int)strcspn(given + 2, "="), given + 2);
    /* getopt_long takes a unique prefix of an option's name, and refuses one that starts
     * several: say which. */
    char starts[256] = "";
    int prefixes = 0;
    for (int k = 0; *name && opts[k].name; k++)
        if (!strncmp(opts[k].name, name, strlen(name))) {
            const size_t used = strlen(starts);
            snprintf(starts + used, sizeof starts - used, "%s--%s", prefixes++ ? ", " : "",
                     opts[k].name);
        }
    if (prefixes > 1) {
        fc_error("ambiguous option '%s': the start of %s (see flowcast %s --help)", given,
                 starts, command);
        return;
    }
    fc_nearest near;
    fc_nearest_start(&near, name);
    for (int k = 0; *name && opts[k].name; k++)
        fc_nearest_offer(&near, opts[k].name);
    if (near.best)
        fc_error("unknown option '%s' (did you mean '--%s'? see flowcast %s --help)", given,
                 near.best, command);
    else
        fc_error("unknown option '%s' (see flowcast %s --help)", given, command);
}

int cmd_wants_help(int argc, char **argv)
{
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--"))
            break;
        if (!strcmp(argv[k], "-h") || !strcmp(argv[k], "--help"))
            return 1;
    }
    return 0;
}

const char *cmd_inputs_dir(void)
{
    if (access("inputs/jet.ini", R_OK) == 0)
        return "inputs";
    /* The checkout's: the program is its src/flowcast (an installed one's ../inputs is not a
     * folder of cases, and one built out of the source tree finds none here). */
    static char beside[4096];
    char exe[4096];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash = n > 0 ? (exe[n] = '\0', strrchr(exe, '/')) : NULL;
    if (slash) {
        *slash = '\0'; /* the program's folder, then the one above it */
        if ((slash = strrchr(exe, '/')))
            *slash = '\0';
        char probe[4096 + 32];
        snprintf(probe, sizeof probe, "%s/inputs/jet.ini", exe);
        if (slash && access(probe, R_OK) == 0 && strlen(exe) + 8 < sizeof beside) {
            snprintf(beside, sizeof beside, "%s/inputs", exe);
            return beside;
        }
    }
    return FC_INPUTS_DIR;
}

static int compare_names(const void *a, const void *b) { return strcmp(a, b); }

const char *cmd_case_path(const char *arg, char *buf, size_t len)
{
    snprintf(buf, len, "%s", arg);
    if (access(arg, F_OK) == 0 || strchr(arg, '/'))
        return buf;
    const size_t n = strlen(arg);
    char cand[4096];
    snprintf(cand, sizeof cand, "%s/%s%s", cmd_inputs_dir(), arg,
             n > 4 && !strcmp(arg + n - 4, ".ini") ? "" : ".ini");
    if (access(cand, R_OK) == 0) {
        snprintf(buf, len, "%s", cand);
        return buf;
    }
    /* The nearest ready-made case, for a misspelt name. */
    char stem[256];
    snprintf(stem, sizeof stem, "%.*s", (int)(n > 4 && !strcmp(arg + n - 4, ".ini") ? n - 4 : n),
             arg);
    fc_nearest near;
    fc_nearest_start(&near, stem);
    static char cases[256][64];
    char hint[128] = "";
    int ncases = 0;
    DIR *dir = opendir(cmd_inputs_dir());
    for (struct dirent *e; dir && ncases < 256 && (e = readdir(dir));) {
        const size_t name_len = strlen(e->d_name);
        if (name_len > 4 && name_len < 64 + 4 && !strcmp(e->d_name + name_len - 4, ".ini"))
            snprintf(cases[ncases++], sizeof cases[0], "%.*s", (int)(name_len - 4), e->d_name);
    }
    if (dir)
        closedir(dir);
    qsort(cases, (size_t)ncases, sizeof cases[0], compare_names); /* readdir's order varies */
    for (int k = 0; k < ncases; k++)
        fc_nearest_offer(&near, cases[k]);
    if (near.best)
        snprintf(hint, sizeof hint, "did you mean '%s'? ", near.best);
    fc_error("no case file '%s', nor a ready-made case of that name in %s (%sflowcast cases "
             "--inputs lists them)", arg, cmd_inputs_dir(), hint);
    return NULL;
}

/* The commands that run on several processes: `run` splits its grid (split.h), `bench
 * --ranks` measures that, `info` is printed by the first process. */
static int runs_split(const struct command *c)
{
    return !strcmp(c->name, "run") || !strcmp(c->name, "bench") || !strcmp(c->name, "info");
}

/*
 * Runs a command in the job this process was launched in (ranks.h). Every process runs `run`
 * and `bench` (collectively; bench only with --ranks), the first one `info`; any other command
 * is an error there, said once by rank 0, and every rank exits 2 rather than running the
 * command N times over one output.
 */
static int run_command(const struct command *c, int argc, char **argv)
{
    fc_ranks ranks;
    fc_err err;
    int code;
    if (fc_ranks_start(&argc, &argv, &ranks, &err)) {
        fc_error("%s", err.msg);
        code = FC_EXIT_FAILED;
    } else if (ranks.size > 1 && !runs_split(c)) {
        fc_error("%s on %d processes: only `flowcast run` and `bench --ranks` split their work over "
                 "processes; run %s without mpirun, or with -np 1",
                 c->name, ranks.size, c->name);
        code = FC_EXIT_USAGE;
    } else if (strcmp(c->name, "info") || ranks.rank == 0) /* every process runs the others */
        code = c->fn(argc - 1, argv + 1);
    else
        code = FC_EXIT_OK;
    fc_ranks_stop(&ranks);
    if (fc_nc_exit_unclean()) { /* HDF5's exit handler would crash (ncread.h) */
        fflush(NULL);
        _exit(code);
    }
    return code;
}

int main(int argc, char **argv)
{
    for (size_t k = 0; argc >= 2 && k < sizeof commands / sizeof commands[0]; k++)
        if (!strcmp(argv[1], commands[k].name))
            return run_command(&commands[k], argc, argv);
    /* Under mpirun every process gets here: the first one alone prints, all exit alike. */
    const int quiet = !fc_ranks_launched_first();
    if (argc < 2) {
        if (!quiet)
            usage(stderr);
        return FC_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        if (!quiet)
            usage(stdout);
        return FC_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        if (!quiet)
            printf("flowcast %s\n", PACKAGE_VERSION);
        return FC_EXIT_OK;
    }
    if (!quiet)
        fc_error("unknown command '%s' (commands: demo, run, plot, stats, animate, cases, validate, bench, train, rollout, profile, info; see flowcast --help)", argv[1]);
    return FC_EXIT_USAGE;
}
