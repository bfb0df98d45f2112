/* prefetch.h - reading a series' next input while the current one renders.
 *
 * One background thread opens the next input on its own (HDF5's POSIX
 * driver: MPI stays on the main thread), reads this rank's part of it
 * into a second volume in slabs, and sums this rank's part of its
 * checksum; the main thread renders meanwhile and collects the result
 * when it moves on to that input.  HDF5 is not thread-safe in this build,
 * so the thread takes `lock` around each of its HDF5 calls, and the main
 * thread must hold the same lock for any HDF5 call it makes while a
 * prefetch runs (the raw frames, for instance).  The thread's own OpenMP
 * regions (the checksum pass) run on one thread: the render has the cores. */
#ifndef CUBECAST_PREFETCH_H
#define CUBECAST_PREFETCH_H

#include <pthread.h>
#include <stdint.h>

#include "cubecast/box.h"
#include "cubecast/error.h"
#include "cubecast/input.h"
#include "cubecast/volume.h"

typedef struct cc_prefetch cc_prefetch;

/* What the thread does besides reading: called in the thread with the
 * open input, e.g. to stream planes no rank holds for the checksum; it
 * adds to *checksum and takes the lock itself around HDF5 calls. */
typedef cc_status (*cc_prefetch_extra)(void *context, cc_input *input, pthread_mutex_t *lock,
                                       uint32_t *checksum, cc_error *err);

typedef struct cc_prefetch_job {
    const char *path;
    cc_input_choice choice; /* which dataset, which volume of a 4D one */
    cc_box read;            /* the voxels to read (stored axes), within volume's box */
    cc_volume *volume;      /* where they go; its axis order is the camera's */
    cc_box scan;            /* the voxels whose checksum this rank adds */
    cc_prefetch_extra extra;
    void *extra_context;
    pthread_mutex_t *lock; /* HDF5's */
} cc_prefetch_job;

/* Starts reading; the job's strings and volume must outlive the prefetch. */
cc_status cc_prefetch_start(const cc_prefetch_job *job, cc_prefetch **out, cc_error *err);

/* What a prefetch did, for the checksum and the profile. */
typedef struct cc_prefetch_result {
    uint32_t checksum;             /* this rank's part */
    unsigned long long bytes_read; /* from the file */
    double seconds;                /* the thread's, from start to end */
} cc_prefetch_result;

/* Waits for the thread and ends it: its status (the error names the
 * file) and what it did.  NULL is a no-op returning CC_OK. */
cc_status cc_prefetch_finish(cc_prefetch *prefetch, cc_prefetch_result *result, cc_error *err);

#endif
