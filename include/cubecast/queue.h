/* queue.h - work handed out on demand.
 *
 * A counter on rank 0, read and incremented with MPI one-sided atomics
 * (MPI_Fetch_and_op), so a rank takes the next task when it is ready: fast
 * ranks take more, and rank 0 renders like every other rank instead of
 * idling as a master. */
#ifndef CUBECAST_QUEUE_H
#define CUBECAST_QUEUE_H

#include <mpi.h>

#include "cubecast/error.h"

typedef struct cc_queue cc_queue;

/* Collective: a queue of tasks 0 .. count-1. */
cc_status cc_queue_create(MPI_Comm comm, int count, cc_queue **out, cc_error *err);

/* Collective. */
void cc_queue_destroy(cc_queue *queue);

/* The next task, or -1 when all have been handed out. */
int cc_queue_next(cc_queue *queue);

/* Hands out no more tasks, to any rank (after a stop signal or an error). */
void cc_queue_cancel(cc_queue *queue);

#endif
