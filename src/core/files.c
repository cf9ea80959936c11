/* files.c: checks before writing a file (see files.h). */
#include <fc_build.h>

#include "src/core/files.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void fc_path_folder(const char *path, char *dir, size_t len)
{
    snprintf(dir, len, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, len, ".");
    else
        slash[slash == dir] = '\0'; /* "/x.nc" lives in "/" */
}

int fc_file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

int fc_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int fc_output_writable(const char *path, const char *what, int overwrite, const char *allow,
                       fc_err *err)
{
    struct stat sb;
    if (!*path)
        return fc_fail(err, FC_EINPUT, "the %s name is empty", what);
    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode))
            return fc_fail(err, FC_EINPUT, "cannot create %s '%s': it is a folder", what, path);
        if (!overwrite)
            return fc_fail(err, FC_EINPUT, "%s '%s' exists; it is left untouched (%s)", what, path,
                           allow);
    }
    char dir[4096];
    if (strlen(path) >= sizeof dir)
        return fc_fail(err, FC_EINPUT, "cannot create %s: the path is too long", what);
    fc_path_folder(path, dir, sizeof dir);
    if (stat(dir, &sb) != 0)
        return fc_fail(err, FC_EINPUT, "cannot create %s '%s': the folder '%s' does not exist",
                       what, path, dir);
    if (!S_ISDIR(sb.st_mode))
        return fc_fail(err, FC_EINPUT, "cannot create %s '%s': '%s' is not a folder", what, path,
                       dir);
    if (access(dir, W_OK | X_OK) != 0)
        return fc_fail(err, FC_EINPUT, "cannot create %s '%s': the folder '%s' is not writable "
                       "(%s)", what, path, dir, strerror(errno));
    return FC_OK;
}
