/* collective.h - agreeing on success or failure across ranks.
 *
 * A step that may fail on some ranks only (a file one node cannot see, an
 * allocation) ends with cc_agree: every rank learns the outcome, the message
 * of the lowest failing rank reaches all ranks, and they all take the same
 * branch, so no rank waits forever in a collective call the others skipped. */
#ifndef CUBECAST_COLLECTIVE_H
#define CUBECAST_COLLECTIVE_H

#include <mpi.h>

#include "cubecast/error.h"

/* Collective over comm.  local is this rank's status (its message in err).
 * Returns the agreed status: CC_OK only if every rank passed CC_OK; otherwise
 * the status and message of the lowest failing rank, copied into err. */
cc_status cc_agree(MPI_Comm comm, cc_status local, cc_error *err);

#endif
