/* projection.h - the original's comparison picture: ln(mean over x of V).
 *
 * Each rank sums its own x range of the volume; the sums are reduced across
 * ranks and turned into ln(mean) and then into viridis colours with limits
 * [-5, 5], as matplotlib's imshow(..., cmap="viridis", clim=(-5, 5)) would. */
#ifndef CUBECAST_PROJECTION_H
#define CUBECAST_PROJECTION_H

#include <stdint.h>

#include "cubecast/error.h"
#include "cubecast/volume.h"

/* One pass over the voxels in box (global indices, inside the volume's
 * box): adds their values along x into sum, the global ny x nz array
 * (float64), unless sum is NULL, and returns their checksum (volume.h).
 * One pass for both: the checksum then costs no memory traffic of its own. */
uint32_t cc_projection_scan(const cc_volume *volume, const cc_box *box, double *sum);

/* sum -> ln(sum / nx), in place, for ny * nz values. */
void cc_projection_finish(double *sum, long nx, size_t count);

/* ln(mean) values -> viridis RGB with colour limits [lo, hi]; NaN is black. */
void cc_projection_to_rgb8(const double *log_mean, size_t count, double lo, double hi,
                           uint8_t *rgb);

#endif
