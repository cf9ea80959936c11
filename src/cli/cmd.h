/* cmd.h: the subcommands of `flowcast`, one file each (cmd_<name>.c). Each parses its own
 * options and returns a process exit code (0 ok, 1 run failed, 2 bad usage or input). */
#ifndef FC_CMD_H
#define FC_CMD_H

#include <signal.h>
#include <stddef.h>

int cmd_run(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_cases(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_rollout(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_animate(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_ensemble(int argc, char **argv);

/* Reports err (each line prefixed "flowcast: error: ") and returns the exit code of status. */
int cmd_fail(int status, const char *msg);
/*
 * Option values (args.c), the same way in every command: each parses opt's value arg, and when
 * it is bad says so ("--steps 0: expected a whole number from 1 to 1000000") and returns 1, so
 * that a command can report every bad option at once (bad |= ...).
 */
/* A whole number in [lo, hi]. */
int cmd_int(const char *opt, const char *arg, long lo, long hi, int *v);
/* A number in [lo, hi], or (lo, hi] when open_lo. */
int cmd_real(const char *opt, const char *arg, double lo, double hi, int open_lo, double *v);
/* "a,b,c": at least one and at most max whole numbers in [lo, hi], into out[*n]. */
int cmd_int_list(const char *opt, const char *arg, int lo, int hi, int *out, int max, int *n);
/* "a,b,c" appended to names[*n] (at most max), split in place; an empty item is an error. */
int cmd_name_list(const char *opt, char *arg, const char **names, int *n, int max);
/* --threads: 1 to 4096. */
int cmd_parse_threads(const char *arg, int *n);
/* Makes SIGINT and SIGTERM set the returned flag (a second one ends the program), so that a
 * long command can finish what it is writing and stop. */
volatile sig_atomic_t *cmd_stop_on_signals(void);
/* Reports getopt_long's ':' (an option without its value) or '?' (an unknown option, with the
 * nearest of the command's options `opts` when one is near) for `flowcast command`. */
struct option;
void cmd_bad_option(int c, char *const *argv, const char *command, const struct option *opts);
/* "flowcast ARGS...", each argument quoted where a shell needs it, for the history attribute
 * (argv: the command's, its name first). malloc'd; NULL when memory runs out. */
char *cmd_join_args(int argc, char **argv);
/* Whether argv[1..] asks for help (-h or --help). */
int cmd_wants_help(int argc, char **argv);

struct ml_rollout_result;
/* Prints a rollout's scores as a Markdown table (every lead, or every `every`-th), how long
 * each variable beats persistence, and its speed against the solver's. */
void cmd_print_rollout(const struct ml_rollout_result *r, const char *output, int every);

/* The folder of the ready-made cases: ./inputs when it holds them (a source checkout), else
 * the inputs of the checkout this program was built in when it runs from there (src/flowcast,
 * started from another folder), else the installed copy (FC_INPUTS_DIR, $(pkgdatadir)/inputs). */
const char *cmd_inputs_dir(void);
/* A case named on the command line: the path as given when it exists or names a folder; else,
 * for a bare name such as "jet" or "jet.ini", that case in cmd_inputs_dir(). Into buf; NULL,
 * with the error printed, for a bare name that is neither. */
const char *cmd_case_path(const char *arg, char *buf, size_t len);

#endif
