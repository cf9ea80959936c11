/*
 * config.c: case-file loading and validation.
 *
 * libinih tokenises the file; it is fed through a line reader that counts lines, so that each
 * key knows the line it came from, and lines that inih rejected (it reports only the first) are
 * found afterwards as the non-blank, non-comment lines that produced neither a section nor a key.
 * Validation then runs over the whole file and the --set overrides and reports every problem.
 */
#include <fc_build.h>

#include "src/core/config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/core/calendar.h"
#include "src/core/solver.h"
#include "src/core/text.h"

#define INF INFINITY

static const fc_key core_keys[] = {
    {"case", "solver", FC_KEY_SOLVER, NULL, 0, 0, 0, NULL, "", NULL,
     "the solver that runs this case"},
    {"case", "title", FC_KEY_STRING, "", 0, 0, 0, NULL, "", NULL,
     "title of the output file (empty: the case file's name)"},
    {"grid", "nx", FC_KEY_INT, NULL, 1, 1 << 20, 0, NULL, "1", NULL, "cells along x"},
    {"grid", "ny", FC_KEY_INT, NULL, 1, 1 << 20, 0, NULL, "1", NULL, "cells along y"},
    {"grid", "x_min", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", NULL, "west edge of the domain"},
    {"grid", "x_max", FC_KEY_REAL, NULL, -INF, INF, 0, NULL, "m", NULL, "east edge of the domain"},
    {"grid", "y_min", FC_KEY_REAL, "0", -INF, INF, 0, NULL, "m", NULL, "south edge of the domain"},
    {"grid", "y_max", FC_KEY_REAL, NULL, -INF, INF, 0, NULL, "m", NULL, "north edge of the domain"},
    {"time", "t_end", FC_KEY_REAL, NULL, 0, INF, FC_OPEN_LO | FC_OPEN_HI, NULL, "s", NULL,
     "model time at which the run ends"},
    {"time", "cfl", FC_KEY_REAL, "0.45", 0, 1, FC_OPEN_LO, NULL, "1", NULL,
     "Courant number: dt = cfl / (the solver's largest signal rate over all cells)"},
    {"time", "steady_tol", FC_KEY_REAL, "0", 0, INF, FC_OPEN_HI, NULL, "", NULL,
     "stop before t_end once the largest change of the state per unit time falls below this "
     "(state units per second: m s-2 for ns2d velocities; for swe the larger of the depth's, "
     "m s-1, and the discharges', m2 s-2); 0: run to t_end"},
    {"time", "max_steps", FC_KEY_REAL, "1e9", 1, 1e15, 0, NULL, "1", NULL,
     "the most time steps a run may take: a case whose estimated step count exceeds it is "
     "refused before anything is written, and a run that reaches it stops (raise it with --set "
     "time.max_steps=N)"},
    {"output", "file", FC_KEY_STRING, "", 0, 0, 0, NULL, "", NULL,
     "output file, relative to the working directory (empty: outputs/<case name>.nc; -o "
     "overrides)"},
    {"output", "interval", FC_KEY_REAL, "0", 0, INF, FC_OPEN_HI, NULL, "s", NULL,
     "model time between records (0: the initial and final states only)"},
    {"output", "series_interval", FC_KEY_REAL, "0", 0, INF, FC_OPEN_HI, NULL, "s", NULL,
     "model time between samples of the diagnostics alone (forces, energy, ...) in a series "
     "file beside the output (its name with _series before .nc): at every record, at the end "
     "of the first step to reach each multiple of it (that step's own time), and at the last "
     "state; shorter than the time step: every step. The steps are the same with or without "
     "it. 0: no series"},
    {"output", "max_records", FC_KEY_REAL, "1e6", 1, 1e12, 0, NULL, "1", NULL,
     "the most records an output file may get: a case with more (t_end / interval) is refused "
     "before anything is written (raise it with --set output.max_records=N)"},
    {"output", "format", FC_KEY_CHOICE, "auto", 0, 0, 0, "auto|cdf5|netcdf4", "", NULL,
     "file format: cdf5 (the classic model with 64-bit sizes, readable while the run writes "
     "it) or netcdf4 (HDF5, readable once the run ends); on several processes every process "
     "writes its block of each record, together (cdf5 through PnetCDF; in a build without it "
     "the first gathers and writes every record); auto: cdf5, or netcdf4 when deflate > 0"},
    {"output", "deflate", FC_KEY_INT, "0", 0, 9, 0, NULL, "1", NULL,
     "deflate level with byte shuffle (0: uncompressed; 1-9: compressed, which needs format = "
     "netcdf4)"},
    {"output", "reference_time", FC_KEY_STRING, "2000-01-01 00:00:00", 0, 0, 0, NULL, "", NULL,
     "date and time that model time 0 stands for: YYYY-MM-DD [hh:mm[:ss]] in UTC, or with a zone "
     "(+02:00, -0500, Z; ISO 8601's YYYY-MM-DDThh:mm:ss+hh:mm); a date of CF's standard "
     "calendar, written in UTC into the time units"},
    {"boundary", "west", FC_KEY_CHOICE, "wall", 0, 0, 0, "periodic|wall|open|inflow", "", NULL,
     "boundary at x = x_min: periodic, wall (reflective for swe and euler, no slip for ns2d), "
     "open (waves leave: a characteristic condition for swe and euler; an outflow for ns2d), "
     "or inflow (ns2d: a velocity profile; swe: a discharge)"},
    {"boundary", "east", FC_KEY_CHOICE, "wall", 0, 0, 0, "periodic|wall|open|inflow", "", NULL,
     "boundary at x = x_max"},
    {"boundary", "south", FC_KEY_CHOICE, "wall", 0, 0, 0, "periodic|wall|open|inflow", "", NULL,
     "boundary at y = y_min"},
    {"boundary", "north", FC_KEY_CHOICE, "wall", 0, 0, 0, "periodic|wall|open|inflow", "", NULL,
     "boundary at y = y_max"},
    {"initial", "type", FC_KEY_IC, NULL, 0, 0, 0, NULL, "", NULL,
     "initial condition (its parameters are listed under the solver)"},
};

const fc_key *fc_config_core_keys(size_t *n)
{
    *n = sizeof core_keys / sizeof core_keys[0];
    return core_keys;
}

/* ---------------------------------------------------------------- raw entries from the file */

typedef struct raw_entry {
    char *section, *name, *value;
    int line; /* 0: --set */
    const char *set_arg;
} raw_entry;

typedef struct parse_ctx {
    const char *text; /* reader position */
    int line;         /* lines handed to inih so far = the line being parsed */
    int nlines;
    unsigned char *consumed; /* per line: inih produced a key from it */
    int *too_long;           /* lines longer than inih's buffer */
    raw_entry *e;
    size_t n, cap;
    int oom; /* an allocation failed: the load ends with FC_ENOMEM */
} parse_ctx;

/* A copy of s ("" for NULL); NULL, with *oom set, when memory runs out. */
static char *dup_text(const char *s, int *oom)
{
    char *d = strdup(s ? s : "");
    if (!d)
        *oom = 1;
    return d;
}

static void push_entry(parse_ctx *c, const char *section, const char *name, const char *value,
                       int line, const char *set_arg)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 32;
        raw_entry *e = realloc(c->e, cap * sizeof *e);
        if (!e) {
            c->oom = 1;
            return;
        }
        c->e = e;
        c->cap = cap;
    }
    char *sec = dup_text(section, &c->oom), *nam = dup_text(name, &c->oom);
    char *val = dup_text(value, &c->oom);
    if (c->oom) {
        free(sec);
        free(nam);
        free(val);
        return;
    }
    raw_entry *r = &c->e[c->n++];
    r->section = sec;
    r->name = nam;
    r->value = val;
    r->line = line;
    r->set_arg = set_arg;
}

/* fgets-like reader over the case text: one call per line, so c->line is the current line. */
static char *read_line(char *buf, int num, void *stream)
{
    parse_ctx *c = stream;
    if (!*c->text)
        return NULL;
    const char *end = strchr(c->text, '\n');
    size_t len = end ? (size_t)(end - c->text) + 1 : strlen(c->text);
    c->line++;
    size_t keep = len;
    if (keep > (size_t)num - 2) {
        keep = (size_t)num - 2;
        c->too_long[c->line] = 1;
    }
    memcpy(buf, c->text, keep);
    buf[keep] = '\0';
    if (keep < len && buf[keep - 1] != '\n') {
        buf[keep] = '\n';
        buf[keep + 1] = '\0';
    }
    c->text += len;
    return buf;
}

/* A value wholly in double or single quotes means the text inside them, as in git's and
   systemd's INI files: title = "Flow past a cylinder", nx = "64". */
static void unquote(char *s)
{
    size_t n = strlen(s);
    if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
        memmove(s, s + 1, n - 2);
        s[n - 2] = '\0';
    }
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    parse_ctx *c = user;
    if (c->too_long[c->line])
        return 1;
    c->consumed[c->line] = 1;
    push_entry(c, section, name, value, c->line, NULL);
    if (!c->oom)
        unquote(c->e[c->n - 1].value);
    return 1;
}

/* ---------------------------------------------------------------- error reporting */

typedef struct report {
    const char *path;
    fc_err *err;
    int count;
} report;

static void where(const report *rp, int line, const char *set_arg, char *buf, size_t len)
{
    if (line > 0)
        snprintf(buf, len, "%s:%d", rp->path, line);
    else if (line == 0)
        snprintf(buf, len, "--set %s", set_arg ? set_arg : "");
    else
        snprintf(buf, len, "%s", rp->path);
}

static void problem(report *rp, int line, const char *set_arg, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void problem(report *rp, int line, const char *set_arg, const char *fmt, ...)
{
    char loc[1200], msg[2048];
    where(rp, line, set_arg, loc, sizeof loc);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fc_err_append(rp->err, "%s: %s", loc, msg);
    rp->count++;
}

/* ---------------------------------------------------------------- key tables */

typedef struct schema {
    const fc_key *tab[2];
    size_t n[2];
} schema;

/* The key section.name; where initial conditions share a parameter name, the one of ic. */
static const fc_key *schema_find(const schema *s, const char *section, const char *name,
                                 const char *ic)
{
    const fc_key *any = NULL;
    for (int t = 0; t < 2; t++)
        for (size_t k = 0; k < s->n[t]; k++) {
            const fc_key *key = &s->tab[t][k];
            if (strcmp(key->section, section) || strcmp(key->name, name))
                continue;
            if (!key->ic || (ic && !strcmp(key->ic, ic)))
                return key;
            if (!any)
                any = key;
        }
    return any;
}

static int schema_has_section(const schema *s, const char *section)
{
    for (int t = 0; t < 2; t++)
        for (size_t k = 0; k < s->n[t]; k++)
            if (!strcmp(s->tab[t][k].section, section))
                return 1;
    return 0;
}

/* " (did you mean 'nx'?)" for a near miss, else the list of the section's keys. */
static void suggest_key(const schema *s, const char *section, const char *name, const char *ic,
                        char *buf, size_t len)
{
    fc_nearest near;
    fc_nearest_start(&near, name);
    char list[1024] = "";
    for (int t = 0; t < 2; t++)
        for (size_t k = 0; k < s->n[t]; k++) {
            const fc_key *key = &s->tab[t][k];
            if (strcmp(key->section, section) || (key->ic && ic && strcmp(key->ic, ic)))
                continue;
            fc_nearest_offer(&near, key->name);
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", key->name);
        }
    if (near.best)
        snprintf(buf, len, " (did you mean '%s'?)", near.best);
    else
        snprintf(buf, len, " (known keys: %s)", list);
}

static void known_sections(const schema *s, char *buf, size_t len)
{
    buf[0] = '\0';
    for (int t = 0; t < 2; t++)
        for (size_t k = 0; k < s->n[t]; k++) {
            const char *sec = s->tab[t][k].section;
            char probe[80];
            snprintf(probe, sizeof probe, "[%s]", sec);
            if (strstr(buf, probe))
                continue;
            size_t used = strlen(buf);
            snprintf(buf + used, len - used, "%s%s", used ? " " : "", probe);
        }
}

const char *fc_key_type_name(fc_key_type t)
{
    switch (t) {
    case FC_KEY_INT: return "integer";
    case FC_KEY_REAL: return "real";
    case FC_KEY_CHOICE: return "choice";
    case FC_KEY_STRING: return "string";
    case FC_KEY_SOLVER: return "solver";
    case FC_KEY_IC: return "choice";
    }
    return "?";
}

const char *fc_key_range(const fc_key *k, char *buf, size_t len)
{
    buf[0] = '\0';
    if (k->type != FC_KEY_INT && k->type != FC_KEY_REAL)
        return buf;
    int has_lo = isfinite(k->lo), has_hi = isfinite(k->hi);
    if (has_lo && has_hi)
        snprintf(buf, len, "%c%.15g, %.15g%c", (k->open & FC_OPEN_LO) ? '(' : '[', k->lo, k->hi,
                 (k->open & FC_OPEN_HI) ? ')' : ']');
    else if (has_lo)
        snprintf(buf, len, "%s %.15g", (k->open & FC_OPEN_LO) ? ">" : ">=", k->lo);
    else if (has_hi)
        snprintf(buf, len, "%s %.15g", (k->open & FC_OPEN_HI) ? "<" : "<=", k->hi);
    return buf;
}

static int choice_index(const char *choices, const char *word)
{
    size_t wl = strlen(word);
    int idx = 0;
    for (const char *p = choices; *p; idx++) {
        const char *bar = strchr(p, '|');
        size_t l = bar ? (size_t)(bar - p) : strlen(p);
        if (l == wl && !strncmp(p, word, l))
            return idx;
        if (!bar)
            break;
        p = bar + 1;
    }
    return -1;
}

static void choices_list(const char *choices, char *buf, size_t len)
{
    snprintf(buf, len, "%s", choices);
    for (char *p = buf; *p; p++)
        if (*p == '|')
            *p = ',';
    /* ", " reads better than "," */
    char tmp[1024];
    size_t o = 0;
    for (const char *p = buf; *p && o + 2 < sizeof tmp; p++) {
        tmp[o++] = *p;
        if (*p == ',')
            tmp[o++] = ' ';
    }
    tmp[o] = '\0';
    snprintf(buf, len, "%s", tmp);
}

static void solver_names(const fc_catalog *cat, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; i < cat->n; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", i ? ", " : "", cat->solvers[i]->name);
    }
}

static void ic_names(const fc_solver_desc *s, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; i < s->schema.nics; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", i ? ", " : "", s->schema.ics[i].name);
    }
}

static int in_range(const fc_key *k, double x)
{
    return x >= k->lo && x <= k->hi && !((k->open & FC_OPEN_LO) && x == k->lo) &&
           !((k->open & FC_OPEN_HI) && x == k->hi);
}

/* "must be in [lo, hi] units" for key k. */
static const char *range_error(const fc_key *k, char *why, size_t len)
{
    char r[128];
    int dim = *k->units && strcmp(k->units, "1");
    snprintf(why, len, "must be %s%s%s%s", isfinite(k->lo) && isfinite(k->hi) ? "in " : "",
             fc_key_range(k, r, sizeof r), dim ? " " : "", dim ? k->units : "");
    return why;
}

/* Parses text as a value of key k. Returns NULL on success, else what is wrong. */
static const char *parse_value(const fc_key *k, const fc_catalog *cat,
                               const fc_solver_desc *solver, const char *text,
                               fc_value *v, char *why, size_t len)
{
    char *end;
    v->key = k;
    if (!*text && k->type != FC_KEY_STRING) {
        snprintf(why, len, "the value is empty");
        return why;
    }
    switch (k->type) {
    case FC_KEY_INT: {
        errno = 0;
        long long x = strtoll(text, &end, 10);
        if (*end || end == text) {
            snprintf(why, len, "expected an integer, got '%s'", text);
            return why;
        }
        if (errno == ERANGE || !in_range(k, (double)x)) {
            return range_error(k, why, len);
        }
        v->i = x;
        v->r = (double)x;
        return NULL;
    }
    case FC_KEY_REAL: {
        errno = 0;
        double x = strtod(text, &end);
        if (*end || end == text) {
            snprintf(why, len, "expected a number, got '%s'", text);
            return why;
        }
        if (!isfinite(x)) {
            snprintf(why, len, "must be a finite number, got '%s'", text);
            return why;
        }
        if (!in_range(k, x)) {
            return range_error(k, why, len);
        }
        v->r = x;
        return NULL;
    }
    case FC_KEY_CHOICE: {
        int idx = choice_index(k->choices, text);
        if (idx < 0) {
            char list[1024];
            choices_list(k->choices, list, sizeof list);
            snprintf(why, len, "must be one of: %s", list);
            return why;
        }
        v->i = idx;
        return NULL;
    }
    case FC_KEY_SOLVER:
        if (!fc_catalog_find(cat, text)) {
            char list[1024];
            solver_names(cat, list, sizeof list);
            snprintf(why, len, "unknown solver '%s' (known: %s)", text, list);
            return why;
        }
        return NULL;
    case FC_KEY_IC:
        for (size_t i = 0; solver && i < solver->schema.nics; i++)
            if (!strcmp(solver->schema.ics[i].name, text)) {
                v->i = (long long)i;
                return NULL;
            }
        if (solver) {
            char list[1024];
            ic_names(solver, list, sizeof list);
            snprintf(why, len, "unknown initial condition '%s' for solver %s (known: %s)", text,
                     solver->name, list);
            return why;
        }
        return NULL;
    case FC_KEY_STRING:
        return NULL;
    }
    return NULL;
}

/* ---------------------------------------------------------------- loading */

static int read_file(const char *path, char **text, fc_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return fc_fail(err, FC_EINPUT, "cannot read case file '%s': %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return fc_fail(err, FC_EINPUT, "cannot read case file '%s': it is a directory", path);
    /* A FIFO or device would block or never end: a case file is a regular file. */
    if (!S_ISREG(st.st_mode))
        return fc_fail(err, FC_EINPUT, "cannot read case file '%s': not a regular file", path);
    if (st.st_size > FC_MAX_CASE_BYTES)
        return fc_fail(err, FC_EINPUT, "cannot read case file '%s': %lld bytes; a case file has "
                       "at most %d", path, (long long)st.st_size, FC_MAX_CASE_BYTES);
    FILE *f = fopen(path, "rb");
    if (!f)
        return fc_fail(err, FC_EINPUT, "cannot read case file '%s': %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = NULL;
    for (;;) {
        char *nb = realloc(buf, cap);
        if (!nb)
            break;
        buf = nb;
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n + 1 < cap)
            break;
        cap *= 2;
    }
    int bad = ferror(f) || n + 1 >= cap;
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return fc_fail(err, FC_EINPUT, "cannot read case file '%s': read error", path);
    }
    buf[n] = '\0';
    if (strlen(buf) != n) {
        free(buf);
        return fc_fail(err, FC_EINPUT, "case file '%s' is not text (it holds a NUL byte)", path);
    }
    /* Windows editors save UTF-8 with a byte-order mark; it is no part of the first line. */
    if (n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        memmove(buf, buf + 3, n - 2);
    /* Titles and other text go into the output's attributes and onto pictures, which need
     * UTF-8: a file saved in Latin-1 is refused here, where the line can be named. */
    const char *not_utf8 = fc_utf8_first_bad(buf);
    if (not_utf8) {
        int line = 1;
        const char *start = buf;
        for (const char *q = buf; q < not_utf8; q++)
            if (*q == '\n') {
                line++;
                start = q + 1;
            }
        const int byte = (unsigned char)*not_utf8, column = (int)(not_utf8 - start) + 1;
        free(buf);
        return fc_fail(err, FC_EINPUT, "%s:%d: byte 0x%02x at column %d is not UTF-8; a case "
                       "file is UTF-8 text (save it as UTF-8)", path, line, byte, column);
    }
    *text = buf;
    return FC_OK;
}

/* Lines that are neither blank, a comment, a section header nor a key inih accepted. */
static void find_malformed(const char *text, const parse_ctx *c, report *rp)
{
    const char *p = text;
    for (int line = 1; *p; line++) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *s = p, *e = p + len;
        while (s < e && isspace((unsigned char)*s))
            s++;
        while (e > s && isspace((unsigned char)e[-1]))
            e--;
        if (c->too_long[line])
            problem(rp, line, NULL, "line is too long (at most %d characters)", 196);
        else if (s == e || *s == ';' || *s == '#' || c->consumed[line])
            ;
        else if (*s == '[') {
            const char *close = memchr(s, ']', (size_t)(e - s));
            if (!close)
                problem(rp, line, NULL, "malformed section header '%.*s' (missing ']')",
                        (int)(e - s), s);
        } else
            problem(rp, line, NULL, "malformed line '%.*s' (expected 'key = value')", (int)(e - s),
                    s);
        if (!end)
            break;
        p = end + 1;
    }
}

/* Removes leading and trailing white space in place ("grid . nx = 5" is "grid.nx=5"). */
static void trim(char *s)
{
    size_t b = 0, e = strlen(s);
    while (b < e && isspace((unsigned char)s[b]))
        b++;
    while (e > b && isspace((unsigned char)s[e - 1]))
        e--;
    memmove(s, s + b, e - b);
    s[e - b] = '\0';
}

static int parse_sets(const char *const *sets, int nsets, parse_ctx *c, report *rp)
{
    for (int i = 0; i < nsets; i++) {
        const char *eq = strchr(sets[i], '=');
        const char *dot = strchr(sets[i], '.');
        if (!eq || !dot || dot > eq || dot == sets[i] || dot + 1 == eq) {
            problem(rp, 0, sets[i], "expected section.key=value");
            continue;
        }
        if (fc_utf8_first_bad(sets[i])) {
            problem(rp, 0, sets[i], "not UTF-8 text (as a case file must be)");
            continue;
        }
        char section[256], name[256];
        snprintf(section, sizeof section, "%.*s", (int)(dot - sets[i]), sets[i]);
        snprintf(name, sizeof name, "%.*s", (int)(eq - dot - 1), dot + 1);
        trim(section);
        trim(name);
        const char *value = eq + 1;
        while (isspace((unsigned char)*value))
            value++;
        char trimmed[4096];
        snprintf(trimmed, sizeof trimmed, "%s", value);
        for (size_t l = strlen(trimmed); l > 0 && isspace((unsigned char)trimmed[l - 1]); l--)
            trimmed[l - 1] = '\0';
        unquote(trimmed);
        push_entry(c, section, name, trimmed, 0, sets[i]);
    }
    return 0;
}

static void set_paths(fc_config *cfg, const char *path, int *oom)
{
    cfg->path = dup_text(path, oom);
    const char *slash = strrchr(path, '/');
    cfg->dir = slash ? strndup(path, (size_t)(slash - path) + 1) : dup_text("", oom);
    const char *base = slash ? slash + 1 : path;
    cfg->name = dup_text(base, oom);
    if (!cfg->dir)
        *oom = 1;
    if (*oom)
        return;
    size_t l = strlen(cfg->name);
    if (l > 4 && !strcmp(cfg->name + l - 4, ".ini"))
        cfg->name[l - 4] = '\0';
}

static fc_value *value_of(fc_config *cfg, const fc_key *key)
{
    for (size_t k = 0; k < cfg->n; k++)
        if (cfg->v[k].key == key)
            return &cfg->v[k];
    abort();
}

/* The last entry (file or --set) for section.name, or NULL. */
static const raw_entry *last_entry(const parse_ctx *c, const char *section, const char *name)
{
    for (size_t k = c->n; k-- > 0;)
        if (!strcmp(c->e[k].section, section) && !strcmp(c->e[k].name, name))
            return &c->e[k];
    return NULL;
}

/* Reads 1 to max decimal digits at *p (no sign, no space), advancing it; -1 if none. */
static int read_digits(const char **p, int max)
{
    int v = 0, n = 0;
    while (n < max && isdigit((unsigned char)**p)) {
        v = 10 * v + (**p - '0');
        (*p)++;
        n++;
    }
    return n ? v : -1;
}

int fc_reference_time_text(const char *text, char *canon, size_t len)
{
    const char *p = text;
    int Y = read_digits(&p, 4), M = -1, D = -1, h = 0, m = 0, s = 0, east = 0; /* zone, min */
    if (p - text != 4 || *p++ != '-' || (M = read_digits(&p, 2)) < 0 || *p++ != '-' ||
        (D = read_digits(&p, 2)) < 0)
        return -1;
    if (*p == ' ' || *p == 'T') {
        p++;
        if ((h = read_digits(&p, 2)) < 0 || *p++ != ':' || (m = read_digits(&p, 2)) < 0)
            return -1;
        if (*p == ':' && (p++, (s = read_digits(&p, 2)) < 0))
            return -1;
        if (*p == ' ')
            p++; /* UDUNITS' "00:00:00 +02:00" */
        if (*p)
            p += fc_zone_offset(p, &east); /* what it does not take is refused below */
    }
    /* No leap second (60): the standard calendar has none, and CF allows one only in utc. */
    if (*p || Y < 1 || !fc_date_exists(FC_CAL_STANDARD, Y, M, D) || h > 23 || m > 59 || s > 59)
        return -1;
    /* In UTC: the zone's offset taken off, across midnight (and the calendar's jump of 1582)
     * by day numbers. */
    long long day = fc_day_number(FC_CAL_STANDARD, Y, M, D), y = Y;
    int minute = h * 60 + m - east;
    day += minute < 0 ? -1 : minute >= 1440 ? 1 : 0;
    minute = (minute + 1440) % 1440;
    fc_day_date(FC_CAL_STANDARD, day, &y, &M, &D);
    if (y < 1 || y > 9999)
        return -1;
    snprintf(canon, len, "%04lld-%02d-%02d %02d:%02d:%02d", y, M, D, minute / 60, minute % 60, s);
    return 0;
}

static void core_checks(fc_config *cfg, fc_err *err, report *rp)
{
    if (!(fc_cfg_real(cfg, "grid", "x_max") > fc_cfg_real(cfg, "grid", "x_min"))) {
        fc_cfg_error(cfg, err, "grid", "x_max", "must be greater than x_min (%g)",
                     fc_cfg_real(cfg, "grid", "x_min"));
        rp->count++;
    }
    if (!(fc_cfg_real(cfg, "grid", "y_max") > fc_cfg_real(cfg, "grid", "y_min"))) {
        fc_cfg_error(cfg, err, "grid", "y_max", "must be greater than y_min (%g)",
                     fc_cfg_real(cfg, "grid", "y_min"));
        rp->count++;
    }
    /* Cells whose size the solvers can square and invert (dx^2, 1/dx^2 and their products
     * with speeds and viscosities) without overflow or underflow in the state's precision: a
     * domain of 1e300 m fails here, not as a NaN in the first step. */
#ifdef FC_SINGLE
    const double cell_min = 1e-9, cell_max = 1e9;
#else
    const double cell_min = 1e-75, cell_max = 1e75;
#endif
    static const char *const axes[2][4] = {{"x", "nx", "x_min", "x_max"},
                                            {"y", "ny", "y_min", "y_max"}};
    for (int a = 0; a < 2; a++) {
        const double lo = fc_cfg_real(cfg, "grid", axes[a][2]);
        const double hi = fc_cfg_real(cfg, "grid", axes[a][3]);
        const double size = (hi - lo) / (double)fc_cfg_int(cfg, "grid", axes[a][1]);
        if (hi > lo && !(size >= cell_min && size <= cell_max)) {
            fc_cfg_error(cfg, err, "grid", axes[a][3], "cells %.3g m across along %s (from %s "
                         "= %g to %s = %g in %lld cells); %s precision takes cells from %g to "
                         "%g m", size, axes[a][0], axes[a][2], lo, axes[a][3], hi,
                         (long long)fc_cfg_int(cfg, "grid", axes[a][1]), FC_PRECISION, cell_min,
                         cell_max);
            rp->count++;
        }
    }
    static const char *const pairs[2][2] = {{"west", "east"}, {"south", "north"}};
    for (int p = 0; p < 2; p++) {
        int a = fc_cfg_choice(cfg, "boundary", pairs[p][0]) == FC_BC_PERIODIC;
        int b = fc_cfg_choice(cfg, "boundary", pairs[p][1]) == FC_BC_PERIODIC;
        if (a != b) {
            fc_cfg_error(cfg, err, "boundary", a ? pairs[p][1] : pairs[p][0],
                         "must be periodic too, since %s is periodic", a ? pairs[p][0] : pairs[p][1]);
            rp->count++;
        }
    }
    if (fc_cfg_real(cfg, "time", "steady_tol") > 0 && !cfg->solver->io.steady_capable) {
        fc_cfg_error(cfg, err, "time", "steady_tol", "solver %s does not stop on steady states",
                     cfg->solver->name);
        rp->count++;
    }
    if (fc_cfg_int(cfg, "output", "deflate") > 0 &&
        fc_cfg_choice(cfg, "output", "format") == FC_FORMAT_CDF5) {
        fc_cfg_error(cfg, err, "output", "deflate",
                     "compression needs [output] format = netcdf4 (or auto), not cdf5");
        rp->count++;
    }
    char canon[32];
    if (fc_reference_time_text(fc_cfg_str(cfg, "output", "reference_time"), canon,
                               sizeof canon)) {
        fc_cfg_error(cfg, err, "output", "reference_time",
                     "expected a date of the standard calendar as YYYY-MM-DD or YYYY-MM-DD "
                     "hh:mm:ss, in UTC or with a zone (ISO 8601's 2000-01-01T06:00:00Z or "
                     "2000-01-01T08:00:00+02:00 will do)");
        rp->count++;
    }
}

static void free_parse(parse_ctx *c)
{
    for (size_t k = 0; k < c->n; k++) {
        free(c->e[k].section);
        free(c->e[k].name);
        free(c->e[k].value);
    }
    free(c->e);
    free(c->consumed);
    free(c->too_long);
    memset(c, 0, sizeof *c);
}

int fc_cfg_netcdf4(const fc_config *cfg)
{
    const int format = fc_cfg_choice(cfg, "output", "format");
    return format == FC_FORMAT_NETCDF4 ||
           (format == FC_FORMAT_AUTO && fc_cfg_int(cfg, "output", "deflate") > 0);
}

int fc_config_load(const char *path, const char *const *sets, int nsets, const fc_catalog *cat,
                   fc_config *cfg,
                   fc_err *err)
{
    memset(cfg, 0, sizeof *cfg);
    err->msg[0] = '\0';
    char *text = NULL;
    int st = read_file(path, &text, err);
    if (st)
        return st;

    parse_ctx c = {0};
    c.text = text;
    c.nlines = 1;
    for (const char *p = text; *p; p++)
        c.nlines += *p == '\n';
    c.consumed = calloc((size_t)c.nlines + 2, 1);
    c.too_long = calloc((size_t)c.nlines + 2, sizeof *c.too_long);
    if (!c.consumed || !c.too_long) {
        free_parse(&c);
        free(text);
        return fc_fail(err, FC_ENOMEM, "%s: out of memory reading the case file", path);
    }
#if HAVE_DECL_INI_ALLOW_MULTILINE
    ini_allow_multiline = 0; /* an indented line is a key of its own, never a continuation */
#endif
    ini_parse_stream(read_line, &c, on_key, &c);

    report rp = {path, err, 0};
    find_malformed(text, &c, &rp);
    parse_sets(sets, nsets, &c, &rp);
    if (c.oom) {
        free_parse(&c);
        free(text);
        return fc_fail(err, FC_ENOMEM, "%s: out of memory reading the case file", path);
    }

    /* The solver decides which sections and keys exist. */
    const fc_solver_desc *solver = NULL;
    const raw_entry *se = last_entry(&c, "case", "solver");
    if (se)
        solver = fc_catalog_find(cat, se->value);
    schema sch = {{core_keys, solver ? solver->schema.keys : NULL},
                  {sizeof core_keys / sizeof core_keys[0], solver ? solver->schema.nkeys : 0}};
    const raw_entry *ice = last_entry(&c, "initial", "type");
    const char *ic = ice ? ice->value : NULL;

    set_paths(cfg, path, &c.oom);
    /* The text goes into the output (flowcast_case) with Unix line ends and without a
     * byte-order mark: a case file saved on Windows put a carriage return at the end of every
     * line of the attribute. */
    char *to = text;
    const char *from = text;
    if (strncmp(from, "\xef\xbb\xbf", 3) == 0)
        from += 3;
    for (; *from; from++)
        if (!(from[0] == '\r' && from[1] == '\n'))
            *to++ = *from;
    *to = '\0';
    cfg->text = text;
    cfg->solver = solver;
    cfg->n = sch.n[0] + sch.n[1];
    cfg->v = calloc(cfg->n, sizeof *cfg->v);
    if (!cfg->v || c.oom) {
        cfg->n = 0;
        free_parse(&c);
        fc_config_free(cfg);
        return fc_fail(err, FC_ENOMEM, "%s: out of memory reading the case file", path);
    }
    for (size_t k = 0; k < cfg->n; k++) {
        cfg->v[k].key = k < sch.n[0] ? &sch.tab[0][k] : &sch.tab[1][k - sch.n[0]];
        cfg->v[k].line = -2; /* not yet given */
    }

    /* Duplicates within the file, then each entry against the tables. */
    char reported_sections[4096] = "";
    for (size_t k = 0; k < c.n; k++) {
        raw_entry *r = &c.e[k];
        if (r->line > 0)
            for (size_t q = 0; q < k; q++)
                if (c.e[q].line > 0 && !strcmp(c.e[q].section, r->section) &&
                    !strcmp(c.e[q].name, r->name)) {
                    problem(&rp, r->line, NULL, "[%s] %s is set twice (first on line %d)",
                            r->section, r->name, c.e[q].line);
                    break;
                }
        if (!*r->section) {
            problem(&rp, r->line, r->set_arg, "key '%s' is outside any [section]", r->name);
            continue;
        }
        if (!schema_has_section(&sch, r->section)) {
            if (!solver)
                continue; /* without a valid solver its sections cannot be judged */
            char probe[300];
            snprintf(probe, sizeof probe, "[%s]", r->section);
            if (r->line > 0 && strstr(reported_sections, probe))
                continue;
            size_t used = strlen(reported_sections);
            snprintf(reported_sections + used, sizeof reported_sections - used, "%s", probe);
            char known[1024];
            known_sections(&sch, known, sizeof known);
            problem(&rp, r->line, r->set_arg, "unknown section [%s] (known: %s)", r->section,
                    known);
            continue;
        }
        const fc_key *key = schema_find(&sch, r->section, r->name, ic);
        if (!key) {
            char hint[1200];
            suggest_key(&sch, r->section, r->name, ic, hint, sizeof hint);
            problem(&rp, r->line, r->set_arg, "unknown key '%s' in [%s]%s", r->name, r->section,
                    hint);
            continue;
        }
        if (key->ic && ic && strcmp(key->ic, ic)) {
            /* The case file's keys of its own initial condition are let be when --set chose
             * another (fc_cfg_idle's rule: `--set initial.type=file` on a ready-made case). */
            if (r->line > 0 && ice->line == 0)
                continue;
            problem(&rp, r->line, r->set_arg,
                    "[%s] %s belongs to initial condition '%s', not to '%s'", r->section, r->name,
                    key->ic, ic);
            continue;
        }
        fc_value *v = value_of(cfg, key);
        char why[1200];
        fc_value parsed = {0};
        if (parse_value(key, cat, solver, r->value, &parsed, why, sizeof why)) {
            /* inih ends a value at " ;" but not at " #": say so when that is the likely cause */
            const char *hash = strchr(r->value, '#');
            int comment = hash && hash > r->value && isspace((unsigned char)hash[-1]);
            problem(&rp, r->line, r->set_arg, "[%s] %s = %s: %s%s", r->section, r->name,
                    r->value, why,
                    comment ? " (a comment after a value starts with ';', not '#')" : "");
            v->line = -3; /* given but invalid: no "missing" report */
            continue;
        }
        free(v->text);
        *v = parsed;
        v->key = key;
        v->line = r->line;
        v->text = dup_text(r->value, &c.oom);
    }

    /* Defaults and required keys. */
    for (size_t k = 0; k < cfg->n; k++) {
        fc_value *v = &cfg->v[k];
        const fc_key *key = v->key;
        if (v->line != -2)
            continue;
        if (key->ic && (!ic || strcmp(key->ic, ic)))
            continue; /* parameter of another initial condition */
        if (!key->def) {
            if (key->type == FC_KEY_IC && !solver)
                continue;
            char units[80] = "";
            if (*key->units && strcmp(key->units, "1"))
                snprintf(units, sizeof units, " (%s)", key->units);
            problem(&rp, -1, NULL, "missing required key [%s] %s%s: %s", key->section, key->name,
                    units, key->help);
            continue;
        }
        char why[1200];
        if (parse_value(key, cat, solver, key->def, v, why, sizeof why)) {
            fprintf(stderr, "flowcast: bug: default of [%s] %s: %s\n", key->section, key->name, why);
            abort();
        }
        v->key = key;
        v->line = -1;
        v->text = dup_text(key->def, &c.oom);
    }

    if (rp.count == 0 && !c.oom) {
        core_checks(cfg, err, &rp);
        if (solver && solver->schema.check)
            rp.count += solver->schema.check(cfg, err);
    }

    const int oom = c.oom;
    free_parse(&c);
    if (oom) {
        fc_config_free(cfg);
        return fc_fail(err, FC_ENOMEM, "%s: out of memory reading the case file", path);
    }
    if (rp.count) {
        fc_config_free(cfg);
        return FC_EINPUT;
    }
    return FC_OK;
}

void fc_config_free(fc_config *cfg)
{
    for (size_t k = 0; k < cfg->n; k++)
        free(cfg->v[k].text);
    free(cfg->v);
    free(cfg->path);
    free(cfg->dir);
    free(cfg->name);
    free(cfg->text);
    memset(cfg, 0, sizeof *cfg);
}

/* ---------------------------------------------------------------- access */

const fc_value *fc_cfg_value(const fc_config *cfg, const char *section, const char *name)
{
    int known = 0;
    for (size_t k = 0; k < cfg->n; k++)
        if (!strcmp(cfg->v[k].key->section, section) && !strcmp(cfg->v[k].key->name, name)) {
            known = 1;
            if (cfg->v[k].line >= -1) /* set, or defaulted: the entry of the chosen IC */
                return &cfg->v[k];
        }
    fprintf(stderr, "flowcast: bug: case key [%s] %s %s\n", section, name,
            known ? "read but not set" : "does not exist");
    abort();
}

void fc_cfg_value_text(const fc_value *v, char *buf, size_t len)
{
    switch (v->key->type) {
    case FC_KEY_REAL:
        snprintf(buf, len, "%.17g", v->r);
        break;
    case FC_KEY_INT:
        snprintf(buf, len, "%lld", v->i);
        break;
    default: /* a choice, solver or initial condition is its word; a string its text */
        snprintf(buf, len, "%s", v->text ? v->text : "");
    }
}

char *fc_cfg_overrides_text(const fc_config *cfg)
{
    size_t len = 1;
    for (size_t k = 0; k < cfg->n; k++)
        if (cfg->v[k].line == 0)
            len += strlen(cfg->v[k].key->section) + strlen(cfg->v[k].key->name) +
                   strlen(cfg->v[k].text ? cfg->v[k].text : "") + 3;
    char *text = malloc(len), *p = text;
    if (!text)
        return NULL;
    *p = '\0';
    for (size_t k = 0; k < cfg->n; k++) {
        const fc_value *v = &cfg->v[k];
        if (v->line == 0)
            p += sprintf(p, "%s%s.%s=%s", p == text ? "" : "\n", v->key->section, v->key->name,
                         v->text ? v->text : "");
    }
    return text;
}

long long fc_cfg_int(const fc_config *cfg, const char *section, const char *name)
{
    return fc_cfg_value(cfg, section, name)->i;
}

double fc_cfg_real(const fc_config *cfg, const char *section, const char *name)
{
    return fc_cfg_value(cfg, section, name)->r;
}

int fc_cfg_choice(const fc_config *cfg, const char *section, const char *name)
{
    return (int)fc_cfg_value(cfg, section, name)->i;
}

const char *fc_cfg_str(const fc_config *cfg, const char *section, const char *name)
{
    return fc_cfg_value(cfg, section, name)->text;
}

void fc_cfg_error(const fc_config *cfg, fc_err *err, const char *section, const char *name,
                  const char *fmt, ...)
{
    const fc_value *v = fc_cfg_value(cfg, section, name);
    char loc[1200], msg[2048];
    if (v->line > 0)
        snprintf(loc, sizeof loc, "%s:%d", cfg->path, v->line);
    else if (v->line == 0)
        snprintf(loc, sizeof loc, "--set %s.%s=%s", section, name, v->text);
    else
        snprintf(loc, sizeof loc, "%s (default)", cfg->path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fc_err_append(err, "%s: [%s] %s = %s: %s", loc, section, name, v->text, msg);
}

int fc_cfg_idle(const fc_config *cfg, fc_err *err, const char *section, const char *name,
                int switched_by_set, const char *why)
{
    const int line = fc_cfg_value(cfg, section, name)->line;
    if (line < 0 || (line > 0 && switched_by_set))
        return 0;
    fc_cfg_error(cfg, err, section, name, "has no effect: %s; remove it", why);
    return 1;
}

char *fc_cfg_path(const fc_config *cfg, const char *section, const char *name)
{
    const char *path = fc_cfg_str(cfg, section, name);
    if (path[0] == '/' || !cfg->dir[0] || fc_cfg_from_set(cfg, section, name))
        return strdup(path);
    size_t l = strlen(cfg->dir) + strlen(path) + 1;
    char *p = malloc(l);
    if (!p)
        return NULL;
    snprintf(p, l, "%s%s", cfg->dir, path);
    return p;
}

int fc_config_grid(const fc_config *cfg, int halo, fc_grid *g, fc_err *err)
{
    static const char *const side[4] = {"west", "east", "south", "north"};
    int bc[4];
    for (int k = 0; k < 4; k++)
        bc[k] = fc_cfg_choice(cfg, "boundary", side[k]);
    return fc_grid_init(g, (int)fc_cfg_int(cfg, "grid", "nx"), (int)fc_cfg_int(cfg, "grid", "ny"),
                        halo, fc_cfg_real(cfg, "grid", "x_min"), fc_cfg_real(cfg, "grid", "x_max"),
                        fc_cfg_real(cfg, "grid", "y_min"), fc_cfg_real(cfg, "grid", "y_max"), bc,
                        err);
}
