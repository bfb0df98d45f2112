/* progress.h - what rank 0 tells the user while a sweep runs.
 *
 * One line per finished frame on stderr in batch logs
 *   frame 37/360 by rank 5, 2.4 frames/s, ETA 2m17s
 *   frame 37/360 (snapshot 10/90) by rank 5, ...   (a snapshot series)
 * and a single updating line instead when stderr is a terminal. */
#ifndef CUBECAST_PROGRESS_H
#define CUBECAST_PROGRESS_H

#include "cubecast/error.h"

typedef struct cc_progress cc_progress;

/* to_render: frames this run renders; total: frames in the range (some may
 * be done already, from a resumed run).  quiet: print nothing. */
cc_status cc_progress_create(int to_render, int total, int quiet, cc_progress **out, cc_error *err);
void cc_progress_destroy(cc_progress *progress);

/* A frame is done; input of inputs is its snapshot in a series (inputs
 * 1: not a series, not shown). */
void cc_progress_frame_done(cc_progress *progress, int rank, int input, int inputs);

#endif
