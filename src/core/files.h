/*
 * files.h: the checks every command makes before it writes a file, so that a user's data is
 * never overwritten by accident and a path that cannot be written is named with its reason
 * before any work is done.
 */
#ifndef FC_FILES_H
#define FC_FILES_H

#include <stddef.h>

#include "src/core/fc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The folder of path into dir: "." for a bare name, "/" for a file at the root. */
void fc_path_folder(const char *path, char *dir, size_t len);
/* Whether path exists (as anything). */
int fc_file_exists(const char *path);
/* Whether a and b name the same existing file (same device and inode). */
int fc_same_file(const char *a, const char *b);

/*
 * Whether an output file can be created at path: FC_OK, or FC_EINPUT with a message that says
 * which: the file exists and overwrite is 0 (what = the option that allows it), its folder does
 * not exist, is not a folder, or is not writable. `what` names the file ("output file").
 */
int fc_output_writable(const char *path, const char *what, int overwrite, const char *allow,
                       fc_err *err);

#ifdef __cplusplus
}
#endif
#endif
