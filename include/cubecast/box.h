/* box.h - an axis-aligned box of voxel indices in the global grid.
 *
 * Every part of the program that deals with a piece of the volume (what a
 * rank reads, which interpolation cells it owns) speaks in boxes. */
#ifndef CUBECAST_BOX_H
#define CUBECAST_BOX_H

#include <stddef.h>

typedef struct cc_box {
    long lo[3];    /* first index along x, y, z */
    long count[3]; /* number of indices along x, y, z (0 means empty) */
} cc_box;

/* The box [0, nx) x [0, ny) x [0, nz). */
cc_box cc_box_whole(long nx, long ny, long nz);

/* Number of voxels in the box. */
size_t cc_box_voxels(const cc_box *box);

/* 1 when the box holds no voxel. */
int cc_box_is_empty(const cc_box *box);

/* The intersection of a and b (possibly empty). */
cc_box cc_box_intersect(const cc_box *a, const cc_box *b);

#endif
