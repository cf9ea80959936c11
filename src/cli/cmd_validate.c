/* cmd_validate.c: `flowcast validate [--quick]`: runs the validation cases (validation/validate.c)
 * and prints a table of case, metric, value, reference, tolerance and verdict. Each case runs in
 * a process of its own (--jobs of them at once) and sends its rows back through a pipe, so that
 * cases too small for all the cores' threads share them, and a case that crashes is reported as
 * that case's failure while the others still run. */
#include <fc_build.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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
    fputs("usage: flowcast validate [--quick] [--only NAME[,...]] [--list] [--jobs N]\n"
          "                         [--threads N] [--plots DIR [-O]]\n\n"
          "Runs the validation cases on the CPU backend and prints, for each, the metric,\n"
          "the value flowcast gets, the exact or published reference, the tolerance and\n"
          "whether it passes. The GPU is checked against the CPU by tests/check_gpu.\n\n"
          "  --quick      the cases make check runs (seconds on 2 cores); without it the\n"
          "               full set, with the finer grids (minutes)\n"
          "  --only NAME[,NAME...]  just these cases (see --list)\n"
          "  --list       list the cases and exit\n"
          "  --jobs N     run N cases at once, each in a process of its own (default 1);\n"
          "               the table keeps the list's order\n"
          "  --threads N  OpenMP threads of each case (default: the cores divided among\n"
          "               the jobs, at least 1)\n"
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

/* Whether name is one of the comma-separated names in list. */
static int named(const char *list, const char *name)
{
    const size_t len = strlen(name);
    for (const char *p = list; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
        if (strcspn(p, ",") == len && !strncmp(p, name, len))
            return 1;
    }
    return 0;
}

/* --only's names: each a case (of the quick set with --quick); 1 after saying which is not. */
static int check_only(const char *list, const fc_val_check *checks, size_t n, int quick)
{
    for (const char *p = list;; p += strcspn(p, ",") + 1) {
        char name[128];
        const size_t len = strcspn(p, ",");
        snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), p);
        if (!len) {
            fc_error("--only %s: an empty name (the names are separated by single commas)", list);
            return 1;
        }
        size_t k = 0;
        while (k < n && strcmp(name, checks[k].name))
            k++;
        if (k == n) {
            fc_nearest near;
            fc_nearest_start(&near, name);
            for (k = 0; k < n; k++)
                fc_nearest_offer(&near, checks[k].name);
            if (near.best)
                fc_error("--only %s: no such case (did you mean '%s'? see flowcast validate "
                         "--list)", name, near.best);
            else
                fc_error("--only %s: no such case (see flowcast validate --list)", name);
            return 1;
        }
        if (quick && !checks[k].quick) {
            fc_error("--only %s: the case is in the full set only; leave out --quick", name);
            return 1;
        }
        if (!p[len])
            return 0;
    }
}

/* One case's outcome, as its process sends it back. */
typedef struct case_result {
    int status; /* FC_OK, or why the case could not run (err) */
    int nrows;
    fc_val_row rows[FC_VAL_MAX_ROWS];
    fc_err err;
} case_result;

/* A case running in a process of its own: pid 0 for a free slot. */
typedef struct case_job {
    pid_t pid;
    int fd;       /* the pipe its result comes through */
    size_t index; /* where the case stands in the list (and in results) */
    size_t got;   /* bytes of the result read so far */
} case_job;

/* Rows printed, failed and not judged. */
typedef struct val_tally {
    int rows, failed, unjudged;
} val_tally;

static int write_all(int fd, const void *buf, size_t len)
{
    for (const char *p = buf; len;) {
        const ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* In the case's own process: runs it, writes the result to fd and exits (exit, not _exit, so
 * that a sanitizer build checks the case for leaks). */
static void run_case(const fc_val_check *check, const fc_val_ctx *ctx, int threads, int fd)
{
#ifdef _OPENMP
    omp_set_num_threads(threads);
#else
    (void)threads;
#endif
    case_result *res = calloc(1, sizeof *res);
    int sent = 0;
    if (res) {
        fc_info("validate: %s ...", check->name);
        const double w = fc_now();
        res->status = check->run(ctx, res->rows, &res->nrows, &res->err);
        fc_info("validate: %s done in %.1f s", check->name, fc_now() - w);
        sent = !write_all(fd, res, sizeof *res);
    }
    free(res);
    close(fd);
    exit(sent ? EXIT_SUCCESS : EXIT_FAILURE);
}

/* Starts a case in a process of its own, in job; otherwise fills res with why it could not. */
static int start_case(const fc_val_check *check, const fc_val_ctx *ctx, int threads, size_t index,
                      case_job *job, case_result *res)
{
    int fds[2];
    if (pipe(fds))
        return res->status = fc_fail(&res->err, FC_EIO, "cannot make a pipe: %s", strerror(errno));
    fflush(NULL); /* what is buffered would be written again by the child */
    const pid_t pid = fork();
    if (pid < 0) {
        const int e = errno;
        close(fds[0]);
        close(fds[1]);
        return res->status = fc_fail(&res->err, FC_EIO, "cannot start a process: %s", strerror(e));
    }
    if (pid == 0) {
        close(fds[0]);
        run_case(check, ctx, threads, fds[1]);
    }
    close(fds[1]);
    *job = (case_job){pid, fds[0], index, 0};
    return FC_OK;
}

/* Reads what a case's process has sent; 1 once it has ended (*res then says how, a process that
 * did not end well being the case's failure). */
static int receive(case_job *job, case_result *res)
{
    char spill[256];
    const size_t want = sizeof *res;
    ssize_t r;
    if (job->got < want)
        r = read(job->fd, (char *)res + job->got, want - job->got);
    else
        r = read(job->fd, spill, sizeof spill); /* more than a result: drained, then refused */
    if (r < 0 && (errno == EINTR || errno == EAGAIN))
        return 0; /* poll again */
    int read_errno = r < 0 ? errno : 0;
    if (r > 0) {
        job->got += (size_t)r;
        return 0;
    }
    /* The end of the pipe, or a read that failed for good: the case ends here either way. */
    close(job->fd);
    int wst = 0;
    while (waitpid(job->pid, &wst, 0) < 0 && errno == EINTR)
        ;
    /* A failed read first: the process may then have died of the closed pipe (SIGPIPE). */
    if (read_errno)
        res->status = fc_fail(&res->err, FC_EIO, "its rows could not be read from its process: %s",
                              strerror(read_errno));
    else if (WIFSIGNALED(wst))
        res->status = fc_fail(&res->err, FC_EIO, "its process was killed by signal %d (%s)",
                              WTERMSIG(wst), strsignal(WTERMSIG(wst)));
    else if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0)
        res->status = fc_fail(&res->err, FC_EIO, "its process ended with exit status %d%s",
                              WIFEXITED(wst) ? WEXITSTATUS(wst) : -1,
                              job->got == want ? " after sending its rows (see the messages above)"
                                               : "");
    else if (job->got != want)
        res->status = fc_fail(&res->err, FC_EIO, "its process sent %zu bytes, not %zu",
                              job->got, want);
    return 1;
}

/* Prints a case's rows (or why it did not run) and counts them. */
static void print_case(const fc_val_check *check, case_result *res, val_tally *tally)
{
    if (res->status) {
        printf("| %s | (the case did not run) | - | - | - | FAIL: %s |\n", check->name,
               res->err.msg);
        tally->failed++;
        tally->rows++;
    }
    for (int r = 0; r < res->nrows && r < FC_VAL_MAX_ROWS && !res->status; r++) {
        fc_val_row *row = &res->rows[r];
        char tol[32], metric[2 * sizeof row->metric];
        fc_val_judge(row);
        tolerance_text(row, tol, sizeof tol);
        printf("| %s | %s | %.4g | %.4g (%s) | %s | %s |\n", row->case_name,
               cell(row->metric, metric, sizeof metric), row->value, row->reference,
               row->source, tol,
               row->pass > 0    ? "pass"
               : row->pass == 0 ? "FAIL"
                                : "not judged: round-off of single precision swamps it");
        tally->failed += row->pass == 0;
        tally->unjudged += row->pass < 0;
        tally->rows++;
    }
    fflush(stdout);
}

int cmd_validate(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        usage(stdout);
        return FC_EXIT_OK;
    }
    enum { OPT_QUICK = 256, OPT_ONLY, OPT_LIST, OPT_JOBS, OPT_THREADS, OPT_PLOTS };
    static const struct option opts[] = {
        {"quick", no_argument, NULL, OPT_QUICK},   {"only", required_argument, NULL, OPT_ONLY},
        {"list", no_argument, NULL, OPT_LIST},     {"jobs", required_argument, NULL, OPT_JOBS},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"plots", required_argument, NULL, OPT_PLOTS},
        {NULL, 0, NULL, 0},
    };
    int quick = 0, list = 0, threads = 0, jobs = 1, c, bad = 0, overwrite = 0;
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
        case OPT_JOBS:
            bad |= cmd_int("--jobs", optarg, 1, 256, &jobs);
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
    if (list) {
        for (size_t k = 0; k < n; k++)
            printf("%-22s %s\n", checks[k].name, checks[k].quick ? "quick and full" : "full");
        return FC_EXIT_OK;
    }
    if (only && (bad = check_only(only, checks, n, quick)))
        return FC_EXIT_USAGE;
    int per_case = threads;
#ifdef _OPENMP
    if (per_case == 0) /* the threads this process would use, shared among the jobs */
        per_case = omp_get_max_threads() / jobs > 1 ? omp_get_max_threads() / jobs : 1;
#endif
    size_t *picked = malloc(n * sizeof *picked), npicked = 0;
    case_result *results = calloc(n, sizeof *results);
    unsigned char *ended = calloc(n, 1);
    case_job *running = calloc((size_t)jobs, sizeof *running);
    struct pollfd *watch = calloc((size_t)jobs, sizeof *watch);
    if (!picked || !results || !ended || !running || !watch) {
        free(picked), free(results), free(ended), free(running), free(watch);
        fc_error("validate: out of memory");
        return FC_EXIT_FAILED;
    }
    for (size_t k = 0; k < n; k++)
        if (only ? named(only, checks[k].name) : !quick || checks[k].quick)
            picked[npicked++] = k;
    printf("| case | metric | value | reference | tolerance | result |\n"
           "|---|---|---|---|---|---|\n");
    fflush(stdout);
    val_tally tally = {0, 0, 0};
    double t0 = fc_now();
    /* Cases start in the list's order, at most `jobs` at a time, and are printed in it: each
     * as soon as it and every case before it have ended. */
    size_t started = 0, printed = 0;
    int nrunning = 0;
    while (printed < npicked) {
        for (int slot = 0; slot < jobs && started < npicked; slot++) {
            if (running[slot].pid)
                continue;
            if (start_case(&checks[picked[started]], &ctx, per_case, started, &running[slot],
                           &results[started]))
                ended[started] = 1;
            else
                nrunning++;
            started++;
        }
        for (; printed < npicked && ended[printed]; printed++)
            print_case(&checks[picked[printed]], &results[printed], &tally);
        if (!nrunning)
            continue;
        for (int slot = 0; slot < jobs; slot++)
            watch[slot] = (struct pollfd){running[slot].pid ? running[slot].fd : -1, POLLIN, 0};
        if (poll(watch, (nfds_t)jobs, -1) < 0 && errno != EINTR) {
            fc_error("validate: waiting for the cases' processes: %s", strerror(errno));
            break;
        }
        for (int slot = 0; slot < jobs; slot++)
            if (running[slot].pid && watch[slot].revents &&
                receive(&running[slot], &results[running[slot].index])) {
                ended[running[slot].index] = 1;
                running[slot].pid = 0;
                nrunning--;
            }
    }
    free(picked), free(results), free(ended), free(running), free(watch);
    printf("\n%d of %d checks pass", tally.rows - tally.failed - tally.unjudged,
           tally.rows - tally.unjudged);
    if (tally.unjudged)
        printf(", %d more not judged", tally.unjudged);
    printf(" (%s set, %.0f s, CPU backend, %s precision)\n", quick ? "quick" : "full",
           fc_now() - t0, FC_PRECISION);
    if (plots)
        printf("Pictures of the comparisons: %s/\n", plots);
    return tally.failed || printed < npicked ? FC_EXIT_FAILED : FC_EXIT_OK;
}
