/* volume.h - a box of the global grid together with its voxel values.
 *
 * A rank holds the part of the datacube it needs: the whole cube in frames
 * mode, an x slab in rows mode, a brick in bricks mode, always with the halo
 * plane that interpolation needs.  Values are stored in the compute precision,
 * C order (x slowest), as HDF5 stores them.  The storage is either owned by the
 * volume or borrowed (for instance an MPI shared-memory window that the ranks
 * of a node share). */
#ifndef CUBECAST_VOLUME_H
#define CUBECAST_VOLUME_H

#include <stdint.h>

#include "cubecast/box.h"
#include "cubecast/error.h"
#include "cubecast/precision.h"

typedef struct cc_volume cc_volume;

/* Allocates storage for the values of box, part of a global grid of shape
 * global_shape. */
cc_status cc_volume_create(const long global_shape[3], const cc_box *box, cc_precision precision,
                           cc_volume **out, cc_error *err);

/* Wraps storage the caller owns and keeps alive until cc_volume_destroy. */
cc_status cc_volume_wrap(const long global_shape[3], const cc_box *box, cc_precision precision,
                         void *values, cc_volume **out, cc_error *err);

void cc_volume_destroy(cc_volume *volume);

const long *cc_volume_global_shape(const cc_volume *volume);
const cc_box *cc_volume_box(const cc_volume *volume);
cc_precision cc_volume_precision(const cc_volume *volume);

/* The values, box-local C order: element (x, y, z) of the box is at
 * ((x * count[1]) + y) * count[2] + z.  float or double by precision.
 * cc_volume_values is write access: it forgets what
 * cc_volume_plane_finite learnt. */
void *cc_volume_values(cc_volume *volume);
const void *cc_volume_values_const(const cc_volume *volume);

/* 1 when every value of x plane x (global index, inside the box) is
 * finite, 0 otherwise (or when the answer cannot be stored).  Scanned on
 * first use with the calling process's threads and remembered, so it must
 * not be called from inside a parallel region; later calls only read. */
int cc_volume_plane_finite(const cc_volume *volume, long x);

/* A checksum of the values of box (inside the held box): the wrapping sum
 * over its voxels of a 64-bit mix of each value's bits and its global
 * index.  A sum, so the checksums of disjoint boxes add up (mod 2^64) to
 * the checksum of their union, whatever decomposition split the grid; the
 * index in the mix makes moved values count.  It identifies content for
 * --resume, it is no defence against deliberate forgery. */
uint64_t cc_volume_checksum(const cc_volume *volume, const cc_box *box);

#endif
