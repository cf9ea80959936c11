/* args.c: the values of command-line options, parsed one way for every command (cmd.h). */
#include <fc_build.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cli/cmd.h"
#include "src/core/log.h"

int cmd_int(const char *opt, const char *arg, long lo, long hi, int *v)
{
    char *end;
    long x = strtol(arg, &end, 10);
    if (*end || end == arg || x < lo || x > hi) {
        fc_error("%s %s: expected a whole number from %ld to %ld", opt, arg, lo, hi);
        return 1;
    }
    *v = (int)x;
    return 0;
}

int cmd_real(const char *opt, const char *arg, double lo, double hi, int open_lo, double *v)
{
    char *end;
    double x = strtod(arg, &end);
    if (*end || end == arg || !(open_lo ? x > lo : x >= lo) || !(x <= hi)) {
        fc_error("%s %s: expected a number in %c%g, %g]", opt, arg, open_lo ? '(' : '[', lo, hi);
        return 1;
    }
    *v = x;
    return 0;
}

int cmd_int_list(const char *opt, const char *arg, int lo, int hi, int *out, int max, int *n)
{
    *n = 0;
    const char *p = arg;
    while (*p) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || (*end && *end != ',') || (*end == ',' && !end[1]) || v < lo || v > hi ||
            *n == max) {
            fc_error("%s %s: expected up to %d whole numbers from %d to %d, separated by commas",
                     opt, arg, max, lo, hi);
            return 1;
        }
        out[(*n)++] = (int)v;
        p = *end ? end + 1 : end;
    }
    if (*n == 0) {
        fc_error("%s needs at least one number", opt);
        return 1;
    }
    return 0;
}

int cmd_name_list(const char *opt, char *arg, const char **names, int *n, int max)
{
    char *p = arg;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (!*p) {
            fc_error("%s: an empty item in the list (give names or numbers separated by single "
                     "commas)", opt);
            return 1;
        }
        if (*n == max) {
            fc_error("%s: at most %d", opt, max);
            return 1;
        }
        names[(*n)++] = p;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

int cmd_parse_threads(const char *arg, int *n) { return cmd_int("--threads", arg, 1, 4096, n); }

/* Quotes an argument only where a shell would read it otherwise; a quote inside becomes '\'' (4
 * bytes for 1). */
char *cmd_join_args(int argc, char **argv)
{
    static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                "_-./:=,+@%";
    size_t len = 16;
    for (int k = 0; k < argc; k++)
        len += 4 * strlen(argv[k]) + 3;
    char *s = malloc(len), *p = s;
    if (!s)
        return NULL;
    p += sprintf(p, "flowcast");
    for (int k = 0; k < argc; k++) {
        const int quote = argv[k][strspn(argv[k], plain)] != '\0' || !argv[k][0];
        *p++ = ' ';
        if (quote)
            *p++ = '\'';
        for (const char *q = argv[k]; *q; q++) {
            if (*q == '\'' && quote) {
                memcpy(p, "'\\''", 4);
                p += 4;
            } else
                *p++ = *q;
        }
        if (quote)
            *p++ = '\'';
    }
    *p = '\0';
    return s;
}
