/* cmd_validate.c: `flowcast validate [--quick]`: runs the validation cases (validation/validate.c)
 * and prints a table of case, metric, value, reference, tolerance and verdict. */
#include <fc_build.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "src/cli/cmd.h"
#include "src/core/fc.h"
#include "src/core/log.h"
#include "src/core/text.h"
#include "src/core/timer.h"
#include "validation/validate.h"

static void usage(FILE *f)
{
    fputs("usage: flowcast validate [--quick] [--only NAME] [--list] [--threads N]\n"
          "                         [--plots DIR [-O]]\n\n"
          "Runs the validation cases on the CPU backend and prints, for each, the metric,\n"
          "the value flowcast gets, the exact or published reference, the tolerance and\n"
          "whether it passes. The GPU is checked against the CPU by tests/check_gpu.\n\n"
          "  --quick      the cases make check runs (seconds on 2 cores); without it the\n"
          "               full set, with the finer grids (minutes)\n"
          "  --only NAME  just the case NAME (see --list)\n"
          "  --list       list the cases and exit\n"
          "  --threads N  OpenMP threads (default: all cores)\n"
          "  --plots DIR  draw the comparisons as PNG in DIR (made if missing): the\n"
          "               cavity's centreline profiles against Ghia's points, the dam break\n"
          "               against its exact solution, convergence plots (error against\n"
          "               grid, log-log, with the fitted slope) and the turbulence spectrum\n"
          "               with k^-3\n"
          "  -O           let --plots replace the pictures already in DIR\n\n"
          "Exit status: 0 all pass, 1 a case fails or cannot run, 2 bad usage.\n",
          f);
}

/* Text for a Markdown table cell: '|' escaped. */
static const char *cell(const char *s, char *buf, size_t len)
{
    size_t o = 0;
    for (; *s && o + 3 < len; s++) {
        if (*s == '|')
            buf[o++] = '\\';
        buf[o++] = *s;
    }
    buf[o] = '\0';
    return buf;
}

static void tolerance_text(const fc_val_row *r, char *buf, size_t len)
{
    if (FC_VAL_RULE(r) == FC_VAL_AT_MOST)
        snprintf(buf, len, "<= %.3g", r->tolerance);
    else if (FC_VAL_RULE(r) == FC_VAL_NEAR)
        snprintf(buf, len, "+- %.3g", r->tolerance);
    else
        snprintf(buf, len, ">= %.3g", r->tolerance);
}

/* The folder for --plots: made when missing; one that holds pictures needs -O. 1 when not. */
static int plots_folder(const char *dir, int overwrite)
{
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if (mkdir(dir, 0777) == 0)
            return 0;
        fc_error("--plots %s: cannot make the folder: %s", dir, strerror(errno));
        return 1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        fc_error("--plots %s: not a folder", dir);
        return 1;
    }
    if (access(dir, W_OK) != 0) {
        fc_error("--plots %s: the folder is not writable", dir);
        return 1;
    }
    DIR *d = opendir(dir);
    const struct dirent *e;
    int pictures = 0;
    while (d && (e = readdir(d)))
        pictures += strlen(e->d_name) > 4 && !strcmp(e->d_name + strlen(e->d_name) - 4, ".png");
    if (d)
        closedir(d);
    if (pictures && !overwrite) {
        fc_error("--plots %s: the folder holds %d picture(s) already; give -O to replace them, "
                 "or another folder", dir, pictures);
        return 1;
    }
    return 0;
}

int cmd_validate(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        usage(stdout);
        return FC_EXIT_OK;
    }
    enum { OPT_QUICK = 256, OPT_ONLY, OPT_LIST, OPT_THREADS, OPT_PLOTS };
    static const struct option opts[] = {
        {"quick", no_argument, NULL, OPT_QUICK},   {"only", required_argument, NULL, OPT_ONLY},
        {"list", no_argument, NULL, OPT_LIST},     {"threads", required_argument, NULL, OPT_THREADS},
        {"plots", required_argument, NULL, OPT_PLOTS},
        {NULL, 0, NULL, 0},
    };
    int quick = 0, list = 0, threads = 0, c, bad = 0, overwrite = 0;
    const char *only = NULL, *plots = NULL;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":O", opts, NULL)) != -1) {
        switch (c) {
        case OPT_PLOTS:
            plots = optarg;
            break;
        case 'O':
            overwrite = 1;
            break;
        case OPT_QUICK:
            quick = 1;
            break;
        case OPT_ONLY:
            only = optarg;
            break;
        case OPT_LIST:
            list = 1;
            break;
        case OPT_THREADS:
            bad |= cmd_parse_threads(optarg, &threads);
            break;
        default: /* ':' or '?' */
            cmd_bad_option(c, argv, "validate", opts);
            bad = 1;
        }
    }
    if (!bad && optind < argc) {
        fc_error("validate takes no arguments (got '%s')", argv[optind]);
        bad = 1;
    }
    if (!bad && plots && !list && (bad = plots_folder(plots, overwrite)))
        return FC_EXIT_USAGE;
    if (bad)
        return FC_EXIT_USAGE;
    const fc_val_ctx ctx = {quick, plots};
    size_t n;
    const fc_val_check *checks = fc_val_checks(&n);
    int found = !only, in_quick = !only;
    for (size_t k = 0; k < n; k++) {
        if (list)
            printf("%-22s %s\n", checks[k].name, checks[k].quick ? "quick and full" : "full");
        if (only && !strcmp(only, checks[k].name))
            found = 1, in_quick = checks[k].quick;
    }
    if (list)
        return FC_EXIT_OK;
    if (!found) {
        fc_nearest near;
        fc_nearest_start(&near, only);
        for (size_t k = 0; k < n; k++)
            fc_nearest_offer(&near, checks[k].name);
        if (near.best)
            fc_error("--only %s: no such case (did you mean '%s'? see flowcast validate --list)",
                     only, near.best);
        else
            fc_error("--only %s: no such case (see flowcast validate --list)", only);
        return FC_EXIT_USAGE;
    }
    if (quick && !in_quick) {
        fc_error("--only %s: the case is in the full set only; leave out --quick", only);
        return FC_EXIT_USAGE;
    }
#ifdef _OPENMP
    if (threads > 0)
        omp_set_num_threads(threads);
#endif
    printf("| case | metric | value | reference | tolerance | result |\n"
           "|---|---|---|---|---|---|\n");
    fflush(stdout);
    int rows_total = 0, failed = 0, unjudged = 0;
    double t0 = fc_now();
    for (size_t k = 0; k < n; k++) {
        if ((only && strcmp(only, checks[k].name)) || (quick && !checks[k].quick))
            continue;
        fc_info("validate: %s ...", checks[k].name);
        fc_val_row rows[FC_VAL_MAX_ROWS];
        int nrows = 0;
        fc_err err;
        err.msg[0] = '\0';
        double w = fc_now();
        int st = checks[k].run(&ctx, rows, &nrows, &err);
        if (st) {
            printf("| %s | (the case did not run) | - | - | - | FAIL: %s |\n", checks[k].name,
                   err.msg);
            failed++;
            rows_total++;
        }
        for (int r = 0; r < nrows && !st; r++) {
            char tol[32], metric[2 * sizeof rows[r].metric];
            fc_val_judge(&rows[r]);
            tolerance_text(&rows[r], tol, sizeof tol);
            printf("| %s | %s | %.4g | %.4g (%s) | %s | %s |\n", rows[r].case_name,
                   cell(rows[r].metric, metric, sizeof metric), rows[r].value, rows[r].reference,
                   rows[r].source, tol,
                   rows[r].pass > 0    ? "pass"
                   : rows[r].pass == 0 ? "FAIL"
                                       : "not judged: round-off of single precision swamps it");
            failed += rows[r].pass == 0;
            unjudged += rows[r].pass < 0;
            rows_total++;
        }
        fflush(stdout);
        fc_info("validate: %s done in %.1f s", checks[k].name, fc_now() - w);
    }
    printf("\n%d of %d checks pass", rows_total - failed - unjudged, rows_total - unjudged);
    if (unjudged)
        printf(", %d more not judged", unjudged);
    printf(" (%s set, %.0f s, CPU backend, %s precision)\n", quick ? "quick" : "full",
           fc_now() - t0, FC_PRECISION);
    if (plots)
        printf("Pictures of the comparisons: %s/\n", plots);
    return failed ? FC_EXIT_FAILED : FC_EXIT_OK;
}
