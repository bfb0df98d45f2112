/* projection.h - the original's comparison picture: ln(mean over x of V).
 *
 * Each rank sums its own x range of the volume; the sums are reduced across
 * ranks and turned into ln(mean) and then into the colours of a colour map
 * (colormap.h) between two limits, as matplotlib's
 * imshow(..., cmap=NAME, clim=(lo, hi)) would: the original's is viridis
 * with limits [-5, 5]. */
#ifndef CUBECAST_PROJECTION_H
#define CUBECAST_PROJECTION_H

#include <stddef.h>
#include <stdint.h>

#include "cubecast/colormap.h"
#include "cubecast/error.h"
#include "cubecast/histogram.h"
#include "cubecast/volume.h"

/* One pass over the voxels in box (global indices, inside the volume's
 * box): adds their values along x into sum, the global ny x nz array
 * (float64), unless sum is NULL; counts them into histogram, unless NULL
 * (a thread that cannot get memory for its counts leaves histogram all
 * zero); returns their checksum (volume.h).  One pass for all, so the
 * checksum costs no memory traffic of its own.  box is in the volume's
 * stored axes, but x, ny, nz and the checksum's index are the file's
 * (cc_volume_axis_order): sums and checksum are the same, to the bit,
 * whatever order the volume is stored in, as long as each sum's boxes
 * come in increasing file x. */
uint32_t cc_projection_scan(const cc_volume *volume, const cc_box *box, double *sum,
                            cc_histogram *histogram);

/* sum -> ln(sum / nx), in place, for ny * nz values. */
void cc_projection_finish(double *sum, long nx, size_t count);

/* The mean over x at the frame size (--projection-size): pixel (j, k) of a
 * size x size picture samples the ny x nz means (sum / nx) at grid
 * coordinates (c(j) * scale_y, c(k) * scale_z), c being the camera grid of
 * size points (grid.h) and scale_a world units per camera unit over the
 * axis's voxel spacing, as a frame's rows and columns sample the volume
 * (view.h): bilinearly, by SciPy interpn's rule, NaN outside the grid
 * (drawn black).  The result, in out, is means:
 * cc_projection_finish(out, 1, size * size) takes ln. */
void cc_projection_resample(const double *sum, long nx, long ny, long nz, double scale_y,
                            double scale_z, int size, double *out);

/* The smallest and largest finite values of count ln(mean) values (the
 * limits of --projection-range auto); 0 when none is finite. */
int cc_projection_finite_range(const double *log_mean, size_t count, double *lo, double *hi);

/* ln(mean) values -> 8-bit RGB of map with colour limits [lo, hi], as
 * matplotlib's Normalize(lo, hi) and Colormap(..., bytes=True) give them:
 * t = (value - lo) / (hi - lo), below lo the first colour, above hi the
 * last, NaN black.  lo == hi gives every value but NaN the first colour
 * (matplotlib's Normalize maps all to 0 then, NaN included). */
void cc_projection_to_rgb8(const double *log_mean, size_t count, const cc_colormap *map, double lo,
                           double hi, uint8_t *rgb);

/* The PNG's "what" text: "ln(mean over x), viridis, limits [-5, 5]" (the
 * original's, byte for byte), limits in the fewest digits that read back
 * exactly; automatic 1 adds " (auto: finite min and max)", -1 " (auto: no
 * finite value)". */
void cc_projection_describe(const cc_colormap *map, double lo, double hi, int automatic, char *out,
                            size_t size);

#endif
