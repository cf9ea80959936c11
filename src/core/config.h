/*
 * config.h: case files (INI, read with libinih) -> typed, validated values.
 *
 * Every key a case file may hold is declared once in a table (fc_key): the core keys here, the
 * solver's own keys in its description. The same tables validate case files and print
 * `flowcast cases`, so the documentation cannot drift from what is accepted. Loading reports
 * every problem of a file (and of the --set overrides) at once, each naming the file, line, key
 * and what is wrong.
 */
#ifndef FC_CONFIG_H
#define FC_CONFIG_H

#include <stddef.h>

#include "src/core/fc.h"
#include "src/core/grid.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fc_key_type {
    FC_KEY_INT,
    FC_KEY_REAL,
    FC_KEY_CHOICE, /* one word of `choices` ("a|b|c"); the value is its index */
    FC_KEY_STRING,
    FC_KEY_SOLVER, /* a registered solver's name */
    FC_KEY_IC      /* one of the chosen solver's initial conditions; the value is its index */
} fc_key_type;

/* Which ends of [lo, hi] are excluded. */
enum { FC_OPEN_LO = 1, FC_OPEN_HI = 2 };

typedef struct fc_key {
    const char *section;
    const char *name;
    fc_key_type type;
    const char *def;     /* default as text; NULL: the key is required */
    double lo, hi;       /* range for INT and REAL (+-INFINITY: unbounded) */
    int open;            /* FC_OPEN_LO | FC_OPEN_HI */
    const char *choices; /* for CHOICE */
    const char *units;   /* UDUNITS string; "1" dimensionless, "" not a quantity */
    const char *ic;      /* non-NULL: a parameter of this initial condition only */
    const char *help;
} fc_key;

typedef struct fc_value {
    const fc_key *key;
    long long i; /* INT, CHOICE and IC */
    double r;    /* REAL (and INT) */
    char *text;  /* the value as written */
    int line;    /* line in the case file; 0: --set; -1: the default */
} fc_value;

struct fc_solver_desc;

typedef struct fc_config {
    char *path; /* the case file as given */
    char *dir;  /* its folder with a trailing '/', or "" */
    char *name; /* its file name without .ini: the case name */
    char *text; /* the whole file, stored in the output */
    const struct fc_solver_desc *solver;
    size_t n;
    fc_value *v; /* one per key of the core and solver tables */
} fc_config;

/* The largest case file read (bytes): a case is a page of keys, not data. */
#define FC_MAX_CASE_BYTES (1 << 20)

struct fc_catalog;
/* Loads and validates path with the overrides sets[] ("section.key=value"); [case] solver names
 * one of the solvers in cat. On failure err holds one line per problem and FC_EINPUT is returned;
 * cfg is then empty. */
int fc_config_load(const char *path, const char *const *sets, int nsets,
                   const struct fc_catalog *cat, fc_config *cfg, fc_err *err);
void fc_config_free(fc_config *cfg);

const fc_key *fc_config_core_keys(size_t *n);
const char *fc_key_type_name(fc_key_type t);
/* "[lo, hi]", "> 0", ... for INT and REAL keys; "" otherwise. */
const char *fc_key_range(const fc_key *k, char *buf, size_t len);

/* Typed access to a validated config; asking for an unknown key is a bug and aborts. */
const fc_value *fc_cfg_value(const fc_config *cfg, const char *section, const char *name);
long long fc_cfg_int(const fc_config *cfg, const char *section, const char *name);
double fc_cfg_real(const fc_config *cfg, const char *section, const char *name);
int fc_cfg_choice(const fc_config *cfg, const char *section, const char *name);
/* [output] format's choices, and whether a case's output is NetCDF-4 (otherwise CDF-5). */
enum { FC_FORMAT_AUTO, FC_FORMAT_CDF5, FC_FORMAT_NETCDF4 };
int fc_cfg_netcdf4(const fc_config *cfg);
const char *fc_cfg_str(const fc_config *cfg, const char *section, const char *name);

/* A value as text that is the same for the same value however it was written: a real to 17
 * significant digits, an integer, a choice's word, a string as it is. */
void fc_cfg_value_text(const fc_value *v, char *buf, size_t len);

/* The values given by --set, one "section.key=value" line each (as written, in the order of
 * the key tables), for the output's record of how a case was run; "" when none. malloc'd;
 * NULL when memory runs out. */
char *fc_cfg_overrides_text(const fc_config *cfg);

/* [output] reference_time as CF's time units write it, "YYYY-MM-DD hh:mm:ss" (UTC), from the
 * forms a case may give: YYYY-MM-DD, then optionally a space or ISO 8601's T and hh:mm or
 * hh:mm:ss, then optionally Z. The date must exist in CF's standard calendar (Julian before
 * 1582-10-15, Gregorian from it). Returns 0, or -1 where the text is no such date. */
int fc_reference_time_text(const char *text, char *canon, size_t len);

/* Appends "file:line: [section] key = value: message" to err (for cross-key checks). */
void fc_cfg_error(const fc_config *cfg, fc_err *err, const char *section, const char *name,
                  const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* A key given where the case's other keys make it do nothing is refused rather than ignored
 * (a Brunt-Vaisala frequency for a neutral atmosphere would otherwise run without a word).
 * why says what leaves it idle. A key from the case file is let be when the setting that idles
 * it came from --set (switched_by_set): a user turning a ready-made case's feature off on the
 * command line leaves the file's keys for it unused. Returns 1 when refused (err gains the
 * line), 0 otherwise. */
int fc_cfg_idle(const fc_config *cfg, fc_err *err, const char *section, const char *name,
                int switched_by_set, const char *why);
/* Whether [section] name came from --set. */
static inline int fc_cfg_from_set(const fc_config *cfg, const char *section, const char *name)
{
    return fc_cfg_value(cfg, section, name)->line == 0;
}
/* Whether [section] name took its default: given neither by the case file nor by --set (for a
 * key whose default means "not given": a shape, a level that has no sensible default). */
static inline int fc_cfg_defaulted(const fc_config *cfg, const char *section, const char *name)
{
    return fc_cfg_value(cfg, section, name)->line == -1;
}

/* The grid of a validated case ([grid] and [boundary]) with the given halo width. */
int fc_config_grid(const fc_config *cfg, int halo, fc_grid *g, fc_err *err);

/* The path in key `name` of `section`: relative to the case file's folder when the case file
 * gave it (unless absolute), as written when it came from --set (relative to the working
 * folder, like every path on the command line: a ready-made case named by `run NAME` lives in
 * flowcast's inputs/, not where the user is). malloc'd; NULL when memory runs out. */
char *fc_cfg_path(const fc_config *cfg, const char *section, const char *name);

#ifdef __cplusplus
}
#endif
#endif
