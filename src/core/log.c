/* log.c: status messages, error formatting and the status -> exit code mapping. */
#include <fc_build.h>

#include "src/core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/core/fc.h"
#include "src/core/ranks.h"

static int quiet_flag;

void fc_log_set_quiet(int quiet) { quiet_flag = quiet; }
int fc_log_quiet(void) { return quiet_flag; }

/* In a job of several processes the first one speaks for all (ranks.h): every process meets
 * the same messages, as each takes the same path. A line is one write, so that mpirun, which
 * forwards stdout and stderr separately, never splits it around a line of the other. */
static void vlog(const char *tag, const char *fmt, va_list ap)
{
    if (fc_ranks_self()->rank != 0)
        return;
    va_list again;
    va_copy(again, ap);
    const int len = vsnprintf(NULL, 0, fmt, again);
    va_end(again);
    const size_t head = strlen("flowcast: ") + strlen(tag);
    char *line = len >= 0 ? malloc(head + (size_t)len + 2) : NULL;
    if (!line) { /* no memory for the line: in pieces */
        fprintf(stderr, "flowcast: %s", tag);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        return;
    }
    snprintf(line, head + 1, "flowcast: %s", tag);
    vsnprintf(line + head, (size_t)len + 1, fmt, ap);
    line[head + (size_t)len] = '\n';
    fwrite(line, 1, head + (size_t)len + 1, stderr);
    free(line);
}

void fc_info(const char *fmt, ...)
{
    if (quiet_flag)
        return;
    va_list ap;
    va_start(ap, fmt);
    vlog("", fmt, ap);
    va_end(ap);
}

void fc_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("warning: ", fmt, ap);
    va_end(ap);
}

void fc_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("error: ", fmt, ap);
    va_end(ap);
}

int fc_fail(fc_err *err, int status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return status;
}

void fc_err_append(fc_err *err, const char *fmt, ...)
{
    size_t len = strlen(err->msg);
    if (len > 0 && len + 1 < sizeof err->msg)
        err->msg[len++] = '\n';
    if (len + 1 >= sizeof err->msg)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg + len, sizeof err->msg - len, fmt, ap);
    va_end(ap);
}

int fc_exit_code(int status)
{
    switch (status) {
    case FC_OK:
        return FC_EXIT_OK;
    case FC_EINPUT:
    case FC_ENODEV:
        return FC_EXIT_USAGE;
    default:
        return FC_EXIT_FAILED;
    }
}
