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

#include <stddef.h>
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

/* Storage for bytes of voxel values, released with free(): large ones
 * aligned to and advised for 2 MiB pages, whose faults cost far less than
 * 4 KiB ones (a 4 GiB cube took 0.9 to 3.5 s in 4 KiB pages; a fresh
 * 64 MiB read buffer 40 ms).  NULL when out of memory. */
void *cc_values_allocate(size_t bytes);

const long *cc_volume_global_shape(const cc_volume *volume);

/* The file axis of each stored axis: axis a of the volume (its box and
 * global shape) is axis order[a] of the file (camera.h).  The identity
 * until set; set before the values are read.  input.h reads through it,
 * projection.h sums and checksums in file coordinates through it. */
void cc_volume_set_axis_order(cc_volume *volume, const int order[3]);
const int *cc_volume_axis_order(const cc_volume *volume);
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

/* The input's checksum is the wrapping sum (mod 2^32) over voxels of
 * cc_checksum_mix(value, index * CC_CHECKSUM_STEP), the value's bits in
 * the compute precision and index the voxel's global C-order index (mod
 * 2^32).  A sum, so the checksums of disjoint boxes add up to the checksum
 * of their union whatever decomposition split the grid; the index in the
 * mix makes moved values count.  32 bits, because the mix then takes one
 * 32-bit multiplication per value, 16 to a vector: computed in the same
 * pass as the projection it costs about 1% of a large run (64 bits took
 * twice as long), and two different inputs agree by chance once in 4e9.
 * It identifies content for --resume; it is no defence against forgery.
 * projection.h computes it. */
#define CC_CHECKSUM_STEP 0x9E3779B1U

/* A 32-bit finaliser (a multiply between xor-shifts): every input bit
 * reaches the high output bits, and a changed value changes its term. */
static inline uint32_t cc_checksum_mix(uint32_t bits, uint32_t key)
{
    uint32_t x = bits ^ key;
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    return x;
}

/* A double's 64 bits fold through two mixes. */
static inline uint32_t cc_checksum_mix64(uint64_t bits, uint32_t key)
{
    return cc_checksum_mix((uint32_t)bits, cc_checksum_mix((uint32_t)(bits >> 32), key));
}

#endif
