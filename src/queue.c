/* queue.c - the shared task counter (queue.h). */
#include "cubecast/queue.h"

#include <stdlib.h>

struct cc_queue {
    MPI_Win window;
    long *counter; /* on rank 0 only */
    int count;
};

cc_status cc_queue_create(MPI_Comm comm, int count, cc_queue **out, cc_error *err)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    cc_queue *queue = calloc(1, sizeof *queue);
    if (queue == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    queue->count = count;
    MPI_Aint bytes = rank == 0 ? (MPI_Aint)sizeof(long) : 0;
    if (MPI_Win_allocate(bytes, sizeof(long), MPI_INFO_NULL, comm, &queue->counter,
                         &queue->window) != MPI_SUCCESS) {
        free(queue);
        return cc_fail(err, CC_ERR_MPI, "cannot create the work queue window");
    }
    /* Later RMA failures come back as codes rather than aborting the job. */
    MPI_Win_set_errhandler(queue->window, MPI_ERRORS_RETURN);
    if (rank == 0)
        *queue->counter = 0;
    /* The counter is set before any rank can read it. */
    MPI_Barrier(comm);
    MPI_Win_lock_all(MPI_MODE_NOCHECK, queue->window);
    *out = queue;
    return CC_OK;
}

void cc_queue_destroy(cc_queue *queue)
{
    if (queue == NULL)
        return;
    MPI_Win_unlock_all(queue->window);
    MPI_Win_free(&queue->window);
    free(queue);
}

int cc_queue_next(cc_queue *queue)
{
    long one = 1, task = 0;
    MPI_Fetch_and_op(&one, &task, MPI_LONG, 0, 0, MPI_SUM, queue->window);
    MPI_Win_flush(0, queue->window);
    return task < queue->count ? (int)task : -1;
}

void cc_queue_cancel(cc_queue *queue)
{
    /* Pushing the counter past the end makes every later fetch return -1. */
    long past_end = (long)queue->count + 1000000000L;
    MPI_Accumulate(&past_end, 1, MPI_LONG, 0, 0, 1, MPI_LONG, MPI_SUM, queue->window);
    MPI_Win_flush(0, queue->window);
}
