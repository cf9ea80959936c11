/* ensemble.c: a case run N times with keys varied, and the manifest of what each member took
 * (ensemble.h). */
#include <fc_build.h>

#include <errno.h>
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/core/ensemble.h"
#include "src/core/files.h"
#include "src/core/log.h"
#include "src/core/ncio.h"
#include "src/core/ncread.h"
#include "src/core/sim.h"

/* The longest manifest line: 8 keys of up to 127 bytes, or their values. */
#define MANIFEST_LINE 2048

/* One varied key: "section.key" and its range. */
typedef struct varied {
    char key[128];
    double lo, hi;
    int whole; /* whole-number values: an integer key (a guess from lo and hi until the case
                * is loaded and names the key's type) */
} varied;

static int parse_vary(const char *text, varied *v, fc_err *err)
{
    const char *eq = strchr(text, '='), *dot = strchr(text, '.');
    if (!eq || !dot || dot > eq || dot == text || dot + 1 == eq || (size_t)(eq - text) >= sizeof v->key)
        return fc_fail(err, FC_EINPUT, "--vary %s: expected section.key=lo:hi (e.g. "
                       "initial.radius=0.3:0.7)", text);
    snprintf(v->key, sizeof v->key, "%.*s", (int)(eq - text), text);
    char *end;
    v->lo = strtod(eq + 1, &end);
    if (end == eq + 1 || *end != ':')
        return fc_fail(err, FC_EINPUT, "--vary %s: expected lo:hi after '=' (two numbers)", text);
    const char *hi = end + 1;
    v->hi = strtod(hi, &end);
    if (end == hi || *end || !isfinite(v->lo) || !isfinite(v->hi) || v->lo > v->hi)
        return fc_fail(err, FC_EINPUT, "--vary %s: expected finite lo:hi with lo <= hi", text);
    v->whole = v->lo == floor(v->lo) && v->hi == floor(v->hi) && fabs(v->hi) < 1e15 &&
               fabs(v->lo) < 1e15;
    return FC_OK;
}

/* A uniform number in [0, 1) from (seed, member, key): splitmix64, so that a member's values do
 * not depend on how many keys or members come before it. */
static double uniform(unsigned long long seed, int member, int key)
{
    unsigned long long z = seed + 0x9e3779b97f4a7c15ull * (unsigned long long)(member * 64 + key + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

/* Member m's value of key k, as the text both its run and the manifest get. */
static void member_value(const fc_ensemble_opts *o, const varied *v, int nv, int m, int k,
                         char *buf, size_t len)
{
    double x;
    if (o->grid) {
        int index = m; /* m in base o->members, key 0 slowest */
        for (int j = nv - 1; j > k; j--)
            index /= o->members;
        index %= o->members;
        x = o->members > 1 ? v[k].lo + (v[k].hi - v[k].lo) * index / (o->members - 1) : v[k].lo;
    } else {
        const double u = uniform(o->seed, m, k);
        x = v[k].whole ? floor(v[k].lo + u * (v[k].hi - v[k].lo + 1)) : v[k].lo + u * (v[k].hi - v[k].lo);
    }
    if (v[k].whole && o->grid)
        x = floor(x + 0.5);
    snprintf(buf, len, v[k].whole ? "%.0f" : "%.6g", x);
}

/* Member m's overrides: the run's own, then its varied keys' values (in values[nvary], pointed
 * to from sets after the run's), and what the values are, for messages. */
static void member_sets(const fc_ensemble_opts *o, const varied *v, int m, const char **sets,
                        char (*values)[256], char *what, size_t whatlen)
{
    what[0] = '\0';
    for (int k = 0; k < o->nvary; k++) {
        char value[64];
        member_value(o, v, o->nvary, m, k, value, sizeof value);
        snprintf(values[k], sizeof values[k], "%.127s=%.63s", v[k].key, value);
        sets[o->run.nsets + k] = values[k];
        snprintf(what + strlen(what), whatlen - strlen(what), "%s%s", k ? " " : "", values[k]);
    }
}

/* Member m's file: DIR/member_NNNN.nc, the name its manifest line gives. */
static void member_file(const fc_ensemble_opts *o, long long m, char *buf, size_t len)
{
    snprintf(buf, len, "%s/member_%04lld.nc", o->dir, m);
}

/* Line m of the manifest without its newline: member m's file and values, or for m < 0 the
 * header. */
static void manifest_line(const fc_ensemble_opts *o, const varied *v, int nv, int m, char *buf,
                          size_t len)
{
    size_t n = (size_t)(m < 0 ? snprintf(buf, len, "member,file")
                              : snprintf(buf, len, "%d,member_%04d.nc", m, m));
    for (int k = 0; k < nv && n < len; k++) {
        char value[64];
        if (m >= 0)
            member_value(o, v, nv, m, k, value, sizeof value);
        n += (size_t)snprintf(buf + n, len - n, ",%s", m < 0 ? v[k].key : value);
    }
}

/* The manifest of members 0..done-1, through a temporary name. */
static int write_manifest(const fc_ensemble_opts *o, const varied *v, int nv, int done,
                          fc_err *err)
{
    char path[4096], tmp[4100];
    snprintf(path, sizeof path, "%s/%s", o->dir, FC_ENSEMBLE_MANIFEST);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return fc_fail(err, FC_EIO, "cannot write %s: %s", tmp, strerror(errno));
    for (int m = -1; m < done; m++) {
        char line[MANIFEST_LINE];
        manifest_line(o, v, nv, m, line, sizeof line);
        fprintf(f, "%s\n", line);
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        const int e = errno;
        unlink(tmp);
        return fc_fail(err, FC_EIO, "cannot write %s: %s", path, strerror(e));
    }
    return FC_OK;
}

/* Member m's run set up: the case text and the --set overrides its output records. */
typedef struct member_setup {
    char *case_text, *overrides;
} member_setup;

/* The overrides without the run's limits ([time] max_steps, [output] max_records): a member
 * stopped by one runs again with it raised. In place. */
static void drop_limits(char *overrides)
{
    char *line = overrides, *out = overrides;
    while (*line) {
        const size_t len = strcspn(line, "\n");
        const int limit = !strncmp(line, "time.max_steps=", 15) ||
                          !strncmp(line, "output.max_records=", 19);
        if (!limit) {
            if (out != overrides)
                *out++ = '\n';
            memmove(out, line, len);
            out += len;
        }
        line += len + (line[len] == '\n');
    }
    *out = '\0';
}

/* What member m's output records of its set-up (sets: its overrides, from member_sets). */
static int member_setup_of(const fc_ensemble_opts *o, const char **sets, int nsets,
                           member_setup *ms, fc_err *err)
{
    fc_config cfg;
    int st = fc_config_load(o->run.case_path, sets, nsets, o->run.solvers, &cfg, err);
    if (st)
        return st;
    ms->case_text = strdup(cfg.text);
    ms->overrides = fc_cfg_overrides_text(&cfg);
    fc_config_free(&cfg);
    if (!ms->case_text || !ms->overrides)
        return fc_fail(err, FC_ENOMEM, "out of memory");
    drop_limits(ms->overrides);
    return FC_OK;
}

/* Whether the output file at path was made with set-up ms: 1 yes, 0 no (why says what
 * differs). */
static int made_by(const char *path, const member_setup *ms, char *why, size_t len)
{
    int ncid, same = 0;
    fc_err e;
    char *text = NULL, *overrides = NULL;
    if (fc_nc_open(path, "member file", &ncid, &e)) {
        snprintf(why, len, "%.500s", e.msg);
        return 0;
    }
    if (fc_nc_att_text_alloc(ncid, NC_GLOBAL, path, "flowcast_case", &text, &e) != FC_OK)
        snprintf(why, len, "it is not a flowcast output (no flowcast_case)");
    else if (strcmp(text, ms->case_text))
        snprintf(why, len, "the case file has changed since it ran");
    else {
        const int st = fc_nc_att_text_alloc(ncid, NC_GLOBAL, path, FC_OVERRIDES_ATT, &overrides, &e);
        if (st == 1 && (overrides = strdup("")) == NULL)
            snprintf(why, len, "out of memory");
        else if (st != FC_OK && st != 1)
            snprintf(why, len, "%.500s", e.msg);
        else {
            drop_limits(overrides);
            same = !strcmp(overrides, ms->overrides);
            if (!same && overrides[0])
                snprintf(why, len, "it was run with the values '%.400s'; this command gives it "
                         "'%.400s'", overrides, ms->overrides);
            else if (!same)
                snprintf(why, len, "it was run without --set values; this command gives it "
                         "'%.400s'", ms->overrides);
        }
    }
    for (char *p = why; *p; p++)
        *p = *p == '\n' ? ' ' : *p;
    free(text);
    free(overrides);
    fc_nc_close(ncid);
    return same;
}

/* Where a resumed ensemble goes on: *done, the members the manifest lists, each the member this
 * command makes (their values, and the last one's file its case and overrides); *rerun, whether
 * member *done's file is there, left unfinished by this ensemble (it is run again). */
static int resume_point(const fc_ensemble_opts *o, const varied *v, long long total,
                        const char **sets, char (*values)[256], int nsets, int *done, int *rerun,
                        fc_err *err)
{
    char manifest[4096], what[FC_ENSEMBLE_MAX_KEYS * 260], line[MANIFEST_LINE],
        want[MANIFEST_LINE];
    snprintf(manifest, sizeof manifest, "%s/%s", o->dir, FC_ENSEMBLE_MANIFEST);
    *done = 0;
    *rerun = 0;
    FILE *f = fopen(manifest, "r");
    int st = FC_OK, lineno = 0;
    while (f && !st && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        const int m = lineno++ - 1;
        manifest_line(o, v, o->nvary, m, want, sizeof want);
        if (m >= total)
            st = fc_fail(err, FC_EINPUT, "%s lists more members than the %lld of this command: "
                         "--resume goes on with the command that made an ensemble", manifest,
                         total);
        else if (strcmp(line, want) && m < 0)
            st = fc_fail(err, FC_EINPUT, "%s:1: '%s': this command's ensemble has the columns "
                         "'%s' (--resume goes on with the command that made an ensemble)",
                         manifest, line, want);
        else if (strcmp(line, want))
            st = fc_fail(err, FC_EINPUT, "%s:%d: '%s': this command's member %d is '%s' "
                         "(--resume goes on with the command that made an ensemble: the same "
                         "case, --vary, --members, --grid, --seed and --set)",
                         manifest, lineno, line, m, want);
        else
            *done = m + 1;
    }
    if (f)
        fclose(f);
    if (st)
        return st;
    /* The last member listed and the one after it (unfinished, if its file is there) must come
     * from this command's case and --set values, which the manifest does not list. */
    char why[1024];
    for (int m = *done > 0 ? *done - 1 : 0; m <= *done && m < total && !st; m++) {
        char file[4200];
        member_file(o, m, file, sizeof file);
        if (m == *done && !fc_file_exists(file))
            break;
        member_setup ms = {NULL, NULL};
        member_sets(o, v, m, sets, values, what, sizeof what);
        if ((st = member_setup_of(o, sets, nsets, &ms, err)))
            ;
        else if (!made_by(file, &ms, why, sizeof why))
            st = fc_fail(err, FC_EINPUT, "%s is not member %d of this command's ensemble (%s); it "
                         "is left untouched (--resume goes on with the command that made an "
                         "ensemble)", file, m, why);
        else
            *rerun = m == *done;
        free(ms.case_text);
        free(ms.overrides);
    }
    for (int m = *done + 1; m < total && !st; m++) {
        char file[4200];
        member_file(o, m, file, sizeof file);
        if (fc_file_exists(file))
            st = fc_fail(err, FC_EINPUT, "%s exists, but %s lists %d member%s: it is left "
                         "untouched (move it away, or run the ensemble again with -O)", file,
                         manifest, *done, *done == 1 ? "" : "s");
    }
    return st;
}

/* The schema entry of [section] name in a loaded case (any solver key, set or not), or NULL. */
static const fc_key *case_key(const fc_config *cfg, const char *section, const char *name)
{
    for (size_t k = 0; k < cfg->n; k++)
        if (!strcmp(cfg->v[k].key->section, section) && !strcmp(cfg->v[k].key->name, name))
            return cfg->v[k].key;
    return NULL;
}

int fc_ensemble(const fc_ensemble_opts *o, fc_err *err)
{
    varied v[FC_ENSEMBLE_MAX_KEYS];
    if (o->nvary < 1 || o->nvary > FC_ENSEMBLE_MAX_KEYS)
        return fc_fail(err, FC_EINPUT, "give 1 to %d --vary section.key=lo:hi",
                       FC_ENSEMBLE_MAX_KEYS);
    for (int k = 0; k < o->nvary; k++) {
        int st = parse_vary(o->vary[k], &v[k], err);
        if (st)
            return st;
        for (int j = 0; j < k; j++)
            if (!strcmp(v[j].key, v[k].key))
                return fc_fail(err, FC_EINPUT, "--vary %s: %s is varied twice", o->vary[k],
                               v[k].key);
        for (int j = 0; j < o->run.nsets; j++)
            if (!strncmp(o->run.sets[j], v[k].key, strlen(v[k].key)) &&
                o->run.sets[j][strlen(v[k].key)] == '=')
                return fc_fail(err, FC_EINPUT, "--vary %s and --set %s: a key is either varied "
                               "or set", o->vary[k], o->run.sets[j]);
    }
    long long total = o->grid ? 1 : o->members;
    for (int k = 0; o->grid && k < o->nvary && total <= FC_ENSEMBLE_MAX_MEMBERS; k++)
        total *= o->members;
    if (o->members < 1 || total > FC_ENSEMBLE_MAX_MEMBERS)
        return fc_fail(err, FC_EINPUT, "--members %d%s: 1 to %d members in all", o->members,
                       o->grid ? " per key on a grid" : "", FC_ENSEMBLE_MAX_MEMBERS);
    /* The folder: a new one, or an ensemble's to replace only when asked (made below). */
    char manifest[4096];
    snprintf(manifest, sizeof manifest, "%s/%s", o->dir, FC_ENSEMBLE_MANIFEST);
    struct stat sb;
    const int exists = stat(o->dir, &sb) == 0;
    if (exists && !S_ISDIR(sb.st_mode))
        return fc_fail(err, FC_EINPUT, "-o %s: exists and is not a folder", o->dir);
    if (o->resume && o->run.overwrite)
        return fc_fail(err, FC_EINPUT, "-O and --resume: an ensemble is either replaced or "
                       "gone on with");
    if (exists && fc_file_exists(manifest) && !o->run.overwrite && !o->resume)
        return fc_fail(err, FC_EINPUT, "-o %s holds an ensemble (%s); it is left untouched (use "
                       "-O to replace it, or --resume to run the members it lacks)", o->dir,
                       FC_ENSEMBLE_MANIFEST);
    /* A member's file without a manifest (an ensemble stopped in its first member), found now
     * rather than after the members before it have run. */
    for (long long m = 0; exists && !o->run.overwrite && !o->resume && m < total; m++) {
        char file[4200];
        member_file(o, m, file, sizeof file);
        if (fc_file_exists(file))
            return fc_fail(err, FC_EINPUT, "-o %s holds %s, a member's file; it is left "
                           "untouched (use -O to replace it, or --resume to run the members it "
                           "lacks)", o->dir, file);
    }
    /* Every member's case is checked before the first runs: a bad value drawn for member 17
     * is named now, not after 16 members' runs. */
    const int nsets = o->run.nsets + o->nvary;
    const char **sets = calloc((size_t)nsets + 1, sizeof *sets);
    char(*values)[256] = calloc((size_t)o->nvary, sizeof *values);
    char what[FC_ENSEMBLE_MAX_KEYS * 260];
    int st = sets && values ? FC_OK : fc_fail(err, FC_ENOMEM, "out of memory");
    for (int k = 0; k < o->run.nsets && !st; k++)
        sets[k] = o->run.sets[k];
    /* A varied key is a number: text or a choice drawn from a range would be a number's text
     * where a word belongs, or (a title) accepted as one. A case that does not load is named
     * with its member below. */
    fc_config cfg;
    fc_err load_err;
    if (!st) {
        /* The key types from the first member's case, or, where a number drawn for a choice
         * kept that from loading, from the case with the fixed overrides alone. */
        member_sets(o, v, 0, sets, values, what, sizeof what);
        if (fc_config_load(o->run.case_path, sets, nsets, o->run.solvers, &cfg, &load_err) ==
                FC_OK ||
            fc_config_load(o->run.case_path, o->run.sets, o->run.nsets, o->run.solvers, &cfg,
                           &load_err) == FC_OK) {
            for (int k = 0; k < o->nvary && !st; k++) {
                char section[128];
                const char *dot = strchr(v[k].key, '.');
                snprintf(section, sizeof section, "%.*s", (int)(dot - v[k].key), v[k].key);
                const fc_key *key = case_key(&cfg, section, dot + 1);
                if (key && key->type != FC_KEY_REAL && key->type != FC_KEY_INT)
                    st = fc_fail(err, FC_EINPUT, "--vary %s: [%s] %s is not a number; only "
                                 "numeric keys vary (set the others with --set)", o->vary[k],
                                 section, dot + 1);
                /* A real key gets real values even where lo and hi are written as whole
                 * numbers (initial.amplitude=1:2 draws from [1, 2], not from {1, 2}). */
                if (key)
                    v[k].whole = key->type == FC_KEY_INT;
            }
            fc_config_free(&cfg);
        }
    }
    for (int m = 0; m < total && !st; m++) {
        member_sets(o, v, m, sets, values, what, sizeof what);
        if ((st = fc_sim_check(o->run.case_path, sets, nsets, o->run.solvers, err))) {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg);
            fc_fail(err, st, "member %d (%s): %s", m, what, why);
        }
    }
    /* A resumed ensemble goes on after the members its folder holds. */
    int done = 0, rerun = 0;
    if (!st && o->resume && exists &&
        !(st = resume_point(o, v, total, sets, values, nsets, &done, &rerun, err)) &&
        done == total) {
        fc_info("ensemble: %s holds all %lld members; nothing to run", o->dir, total);
        free(sets);
        free(values);
        return FC_OK;
    }
    int made = 0;
    if (!st && !exists) {
        if (mkdir(o->dir, 0777) == 0)
            made = 1;
        else
            st = fc_fail(err, errno == ENOENT ? FC_EINPUT : FC_EIO,
                         "cannot make the folder %s: %s", o->dir, strerror(errno));
    }
    if (st) {
        free(sets);
        free(values);
        return st;
    }
    if (rerun)
        fc_info("ensemble: member %d was left unfinished; it runs again", done);
    for (int m = done; m < total && !st; m++) {
        if (o->run.stop && *o->run.stop) {
            st = fc_fail(err, FC_EINTR, "interrupted after %d of %lld members; %s lists them "
                         "(the same command with --resume runs the rest)", done, total, manifest);
            break;
        }
        char file[4200];
        member_file(o, m, file, sizeof file);
        member_sets(o, v, m, sets, values, what, sizeof what);
        /* The member's history: the ensemble's command and the member's values. */
        char command[8192];
        snprintf(command, sizeof command, "%s (member %d: %s)",
                 o->run.command_line ? o->run.command_line : "flowcast ensemble (library call)",
                 m, what);
        fc_run_opts r = o->run;
        r.sets = sets;
        r.nsets = nsets;
        r.output = file;
        r.quiet = 1;
        r.overwrite = o->run.overwrite || (rerun && m == done);
        r.command_line = command;
        r.how_to_go_on = "continue the ensemble: its command again with --resume";
        fc_run_result res;
        if ((st = fc_run(&r, &res, err))) {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg);
            fc_fail(err, st, "member %d (%s): %s", m, what, why);
            break;
        }
        done = m + 1;
        if ((st = write_manifest(o, v, o->nvary, done, err)))
            break;
        /* The drift of what the solver conserves (ns2d and spectral: none to report). */
        char drift[160] = "";
        if (res.drift_of) {
            strcpy(drift, "; ");
            fc_run_drift_text(&res, drift + 2, sizeof drift - 2);
        }
        fc_info("ensemble: member %d, %d of %lld (%s): %lld steps to t = %g s in %.2f s%s", m,
                m + 1, total, what, res.steps, res.t, res.wall, drift);
    }
    /* Nothing run and the folder ours: leave no empty folder behind. */
    if (st && done == 0 && made)
        rmdir(o->dir);
    free(sets);
    free(values);
    return st;
}

void fc_ensemble_files_free(char **paths, int n)
{
    for (int k = 0; k < n; k++)
        free(paths[k]);
    free(paths);
}

int fc_ensemble_files(const char *dir, char ***paths, int *n, fc_err *err)
{
    *paths = NULL;
    *n = 0;
    char manifest[4096];
    snprintf(manifest, sizeof manifest, "%s/%s", dir, FC_ENSEMBLE_MANIFEST);
    FILE *f = fopen(manifest, "r");
    if (!f)
        return fc_fail(err, FC_EINPUT, "%s is a folder without an ensemble manifest (%s: %s); "
                       "flowcast ensemble makes one", dir, manifest, strerror(errno));
    char line[8192];
    int st = FC_OK, lineno = 1;
    if (!fgets(line, sizeof line, f) || strncmp(line, "member,file", 11) ||
        (line[11] != ',' && line[11] != '\n'))
        st = fc_fail(err, FC_EINPUT, "%s:1: not an ensemble manifest (the first line must begin "
                     "'member,file')", manifest);
    char **list = NULL;
    int count = 0;
    while (!st && fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            st = fc_fail(err, FC_EINPUT, "%s:%d: line longer than %zu bytes", manifest, lineno,
                         sizeof line - 1);
            break;
        }
        line[strcspn(line, "\r\n")] = '\0';
        char *comma = strchr(line, ','), *end;
        const long member = strtol(line, &end, 10);
        if (!comma || end != comma || member != count) {
            st = fc_fail(err, FC_EINPUT, "%s:%d: expected member %d first, then its file",
                         manifest, lineno, count);
            break;
        }
        char *file = comma + 1;
        file[strcspn(file, ",")] = '\0';
        const size_t len = strlen(file);
        if (len < 4 || len > 255 || strcmp(file + len - 3, ".nc") ||
            file[strspn(file, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")] ||
            file[0] == '.') {
            st = fc_fail(err, FC_EINPUT, "%s:%d: '%s' is not a member file name (NAME.nc in the "
                         "folder itself)", manifest, lineno, file);
            break;
        }
        if (count >= FC_ENSEMBLE_MAX_MEMBERS) {
            st = fc_fail(err, FC_EINPUT, "%s: more than %d members", manifest,
                         FC_ENSEMBLE_MAX_MEMBERS);
            break;
        }
        char **grown = realloc(list, (size_t)(count + 1) * sizeof *list);
        const size_t plen = strlen(dir) + len + 2;
        char *path = grown ? malloc(plen) : NULL;
        if (grown)
            list = grown;
        if (!path) {
            st = fc_fail(err, FC_ENOMEM, "out of memory");
            break;
        }
        snprintf(path, plen, "%s/%s", dir, file);
        list[count++] = path;
        if (!fc_file_exists(path)) {
            st = fc_fail(err, FC_EINPUT, "%s:%d: member file %s is missing", manifest, lineno,
                         path);
            break;
        }
    }
    fclose(f);
    if (!st && count == 0)
        st = fc_fail(err, FC_EINPUT, "%s lists no member", manifest);
    if (st) {
        fc_ensemble_files_free(list, count);
        return st;
    }
    *paths = list;
    *n = count;
    return FC_OK;
}
