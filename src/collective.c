/* collective.c - agreeing on errors across ranks (collective.h). */
#include "cubecast/collective.h"

#include <string.h>

cc_status cc_agree(MPI_Comm comm, cc_status local, cc_error *err)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    int failing_rank = local != CC_OK ? rank : size;
    int first_failure;
    MPI_Allreduce(&failing_rank, &first_failure, 1, MPI_INT, MPI_MIN, comm);
    if (first_failure == size)
        return CC_OK;
    cc_error shared;
    if (rank == first_failure) {
        shared.status = local;
        memcpy(shared.message, err->message, sizeof shared.message);
    }
    MPI_Bcast(&shared, (int)sizeof shared, MPI_BYTE, first_failure, comm);
    *err = shared;
    return shared.status;
}
