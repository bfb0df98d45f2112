/* stop.h - stopping cleanly when the batch system asks.
 *
 * Slurm sends SIGTERM (or the signal chosen with --signal, typically
 * SIGUSR1) before a job's time limit.  cubecast then takes no new frame,
 * finishes the one in flight, writes the manifest and exits with status 75,
 * so a job script can requeue and rerun with --resume. */
#ifndef CUBECAST_STOP_H
#define CUBECAST_STOP_H

/* Installs the handlers for SIGTERM, SIGUSR1 and SIGINT. */
void cc_stop_install(void);

/* 1 once a stop signal has arrived. */
int cc_stop_requested(void);

#endif
