/* composite.h - assembling a frame on its writer from what the ranks drew.
 *
 * rows mode: every rank holds a band of finished rows; they are gathered.
 * bricks mode: every rank holds a partial (colour, transmittance) image of
 * the whole frame, from its own depth range of each ray; they are combined
 * with C = C_near + T_near * C_far in visibility order (image.h), either
 *   root: all partials are gathered and composited on the writer, or
 *   swap: binary swap (Ma et al. 1994) - in log2(P) rounds each rank
 *         exchanges half of its current pixel range with a partner and
 *         composites the half it keeps; the finished pieces are gathered.
 * A rank count that is not a power of two is first folded onto the
 * largest power of two by pairing neighbours in visibility order. */
#ifndef CUBECAST_COMPOSITE_H
#define CUBECAST_COMPOSITE_H

#include <mpi.h>

#include "cubecast/error.h"
#include "cubecast/image.h"
#include "cubecast/options.h"

/* Collective.  band: this rank's rows (rank r holds the r-th near-equal
 * share of the frame's rows).  frame: the whole image, on writer only. */
cc_status cc_gather_rows(const cc_image *band, int writer, MPI_Comm comm, cc_image *frame,
                         cc_error *err);

/* Collective.  partial: this rank's partial image of the whole frame.
 * order: the ranks nearest first (plan.h).  frame: on writer only; its
 * colour receives the composite. */
cc_status cc_composite_partials(const cc_image *partial, const int *order, cc_composite method,
                                int writer, MPI_Comm comm, cc_image *frame, cc_error *err);

#endif
