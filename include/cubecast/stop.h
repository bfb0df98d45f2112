/* stop.h - stopping cleanly when the batch system asks.
 *
 * Slurm sends SIGTERM (or the signal chosen with --signal, typically
 * SIGUSR1) before a job's time limit.  cubecast then takes no new frame,
 * finishes the one in flight, writes the manifest and exits with status 75,
 * so a job script can requeue and rerun with --resume. */
#ifndef CUBECAST_STOP_H
#define CUBECAST_STOP_H

#include <pthread.h>

/* Installs the handlers for SIGTERM, SIGUSR1 and SIGINT. */
void cc_stop_install(void);

/* 1 once a stop signal has arrived. */
int cc_stop_requested(void);

/* pthread_create for a helper thread (the PNG writer, the prefetch of a
 * series' next input) with the asynchronous signals blocked, so that a
 * stop signal reaches the main thread, which polls cc_stop_requested.
 * 1 when the thread started. */
int cc_stop_thread_create(pthread_t *thread, void *(*main)(void *), void *argument);

#endif
