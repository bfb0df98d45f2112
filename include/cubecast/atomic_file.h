/* atomic_file.h - files that appear complete or not at all.
 *
 * Output is written to "<path>.tmp.<pid>" in the same folder, flushed and
 * renamed over path, so readers (and --resume) never see a partial file. */
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

/* Creates folder path and its parents (like mkdir -p). */
cc_status cc_make_folder(const char *path, cc_error *err);

/* The name of the temporary file for path written by this process. */
void cc_temporary_name(const char *path, char *out, size_t out_size);

#endif
