/* render_general.h - the render kernel for any view direction (private to
 * render.c).
 *
 * When the view is tilted (an elevation), an image row no longer lies in
 * one plane of the volume, so each sample is located in 3D and
 * interpolated from the 8 corners of its cell.  Per image row it runs, for
 * every depth step, across the row's rays at once (the compositing
 * recurrence is sequential along a ray, independent across rays), in two
 * vectorised loops: locate and interpolate, then transfer function and
 * compositing, with the same transfer function code as the row-plane
 * kernel (render.c). */
#ifndef CUBECAST_RENDER_GENERAL_H
#define CUBECAST_RENDER_GENERAL_H

#include <stddef.h>

#include "cubecast/box.h"
#include "cubecast/transfer.h"
#include "cubecast/view.h"
#include "cubecast/volume.h"
#include "render_kernel.h"

/* Named for the copy's instruction set (render_kernel.h). */
#define cc_general_scratch_bytes CC_KERNEL_NAME(cc_general_scratch_bytes)
#define cc_general_rows CC_KERNEL_NAME(cc_general_rows)

/* Image rows one call composites together, at most. */
enum { CC_GENERAL_ROWS = 4 };

/* Bytes of scratch one thread needs for `rows` rows of an N-sample view. */
size_t cc_general_scratch_bytes(int n, int rows, cc_precision precision);

/* Composites image rows [row_begin, row_begin + rows) of view (rows at
 * most CC_GENERAL_ROWS) into rays: per row r, from rays + 4 N r values,
 * the r, g, b and transmittance arrays of N values each, in the volume's
 * precision (C starts black, T at 1); only samples whose cell (lower
 * corner) lies in owned count. */
void cc_general_rows(const cc_volume *volume, const cc_view *view, const cc_box *owned,
                     const cc_tf *tf, const cc_tf_single *tf_single, int row_begin, int rows,
                     void *rays, void *scratch);

#endif
