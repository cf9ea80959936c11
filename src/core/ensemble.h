/*
 * ensemble.h: `flowcast ensemble`: one case run N times with some keys varied, one output file
 * per member in a folder, and a manifest that says which values each member took.
 *
 * Values: drawn uniformly in [lo, hi] (seeded: the same seed gives the same ensemble), or on a
 * grid (each key at N evenly spaced values from lo to hi, every combination: N^k members). A key
 * whose lo and hi are whole numbers gets whole numbers.
 *
 * The folder: member_0000.nc, member_0001.nc, ... and ensemble.csv,
 *     member,file,initial.radius,...
 *     0,member_0000.nc,0.4123,...
 * rewritten (to a temporary name, then renamed) after each member, so that it lists exactly the
 * members whose files are whole: an interrupted or failed ensemble keeps what it finished,
 * and the same command resumed runs the rest. A member's output records the ensemble's command
 * and the member's values (history), and the --set values it ran with (flowcast_overrides):
 * a resumed ensemble checks that the members it goes on from are its own.
 */
#ifndef FC_ENSEMBLE_H
#define FC_ENSEMBLE_H

#include "src/core/run.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FC_ENSEMBLE_MAX_MEMBERS 10000
#define FC_ENSEMBLE_MAX_KEYS 8
#define FC_ENSEMBLE_MANIFEST "ensemble.csv"

typedef struct fc_ensemble_opts {
    fc_run_opts run;  /* the case, its fixed overrides, device, threads, stop; output unused */
    const char *dir;  /* the folder (created when absent) */
    int members;      /* random: the members; grid: values per key */
    int grid;
    int resume;       /* run the members dir lacks, after checking that they are this
                       * command's (a member left unfinished runs again) */
    unsigned long long seed;
    int nvary;
    const char *vary[FC_ENSEMBLE_MAX_KEYS]; /* "section.key=lo:hi" */
} fc_ensemble_opts;

/* Runs the ensemble; progress on stderr through the log. Bad options or case: FC_EINPUT
 * before any member runs (a folder it created for nothing is removed). */
int fc_ensemble(const fc_ensemble_opts *o, fc_err *err);

/* The member files a manifest lists, as paths (dir/file), malloc'd, in member order; every
 * line checked (the manifest is input like any other). */
int fc_ensemble_files(const char *dir, char ***paths, int *n, fc_err *err);
void fc_ensemble_files_free(char **paths, int n);

#ifdef __cplusplus
}
#endif
#endif
