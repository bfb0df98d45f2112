/* hdf5_reason.h - why the last HDF5 call failed, in words.
 *
 * HDF5 reports a failure as a stack of errors, outermost ("unable to create
 * file") to innermost ("... errno = 28, error message = 'No space left on
 * device'").  The innermost is the reason a user can act on; where it
 * quotes the system's error text, that text is the reason. */
#ifndef CUBECAST_HDF5_REASON_H
#define CUBECAST_HDF5_REASON_H

#include <stddef.h>

/* Writes the reason for the current thread's latest HDF5 failure on file
 * (a path, or NULL) into out, always terminated, and returns out, so it
 * can be a message argument.  In order: the system's error text where
 * HDF5 quotes one; strerror(errno_seen) when errno_seen (errno right after
 * the failed call, set to 0 before it) is not 0; "No space left on
 * device" when the file system holding file has no free block or inode
 * left, since the MPI-IO driver drops the system's text; the innermost
 * error's description; "no reason given by HDF5". */
const char *cc_hdf5_reason(const char *file, int errno_seen, char *out, size_t size);

#endif
