/* atomic_file.h - files that appear complete or not at all.
 *
 * Output is written to a temporary file beside its final path,
 *     DIR/.NAME.cubecast-tmp-PID@HOST
 * flushed and renamed over DIR/NAME, so readers (and --resume) never see a
 * partial file.  The name carries the writer's pid and host so that a later
 * run can tell the leftovers of a dead process (SIGKILL, a lost node) from
 * a file being written right now, and no user file plausibly matches it. */
#ifndef CUBECAST_ATOMIC_FILE_H
#define CUBECAST_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "cubecast/error.h"

typedef struct cc_atomic_file cc_atomic_file;

/* Opens a temporary file beside path for writing. */
cc_status cc_atomic_open(const char *path, cc_atomic_file **out, cc_error *err);

/* The stdio stream to write to. */
FILE *cc_atomic_stream(cc_atomic_file *file);

/* Flushes, closes and renames into place (commit nonzero) or removes the
 * temporary file (commit zero, or when writing failed).  Always frees file. */
cc_status cc_atomic_close(cc_atomic_file *file, int commit, cc_error *err);

/* Writes a whole buffer atomically. */
cc_status cc_atomic_write(const char *path, const void *data, size_t size, cc_error *err);

/* The name of the temporary file for path written by this process. */
void cc_temporary_name(const char *path, char *out, size_t out_size);

/* When name (a bare file name) is a cubecast temporary file, copies the
 * final name it stands for into stem and returns 1; *dead is set to 1 when
 * its writer was a process of this host that no longer runs. */
int cc_temporary_parse(const char *name, char *stem, size_t stem_size, int *dead);

/* Removes the temporary files for path that dead processes of this host
 * left behind (a SIGKILLed --raw or generate); touches nothing else. */
void cc_remove_dead_temporaries(const char *path);

#endif
