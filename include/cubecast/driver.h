/* driver.h - the MPI program: plan -> read -> render -> composite -> write.
 *
 * Every rank of comm calls cc_driver_render with the same options.  Errors
 * are agreed on collectively, so either all ranks succeed or all return the
 * same failure, whose message rank 0 prints. */
#ifndef CUBECAST_DRIVER_H
#define CUBECAST_DRIVER_H

#include <mpi.h>

#include "cubecast/error.h"
#include "cubecast/options.h"

cc_status cc_driver_render(const cc_render_options *options, MPI_Comm comm, cc_error *err);

#endif
