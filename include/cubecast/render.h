/* render.h - the render kernel: one slab of one frame -> a partial image.
 *
 * A slab is a band of image rows [row_begin, row_end) and the interpolation
 * cells a rank owns.  Every sample whose cell (lower corner, cell.h) lies in
 * the owned box is interpolated, passed through the transfer function and
 * composited front to back in depth order i = 0 .. N-1; other samples are
 * left out.  Along one ray the owned samples of a convex box form one depth
 * range, so the result is a partial image (image.h).  The volume must hold
 * both corners of every owned cell, i.e. the owned box plus one plane.
 *
 * Work is shared among the calling process's OpenMP threads. */
#ifndef CUBECAST_RENDER_H
#define CUBECAST_RENDER_H

#include "cubecast/box.h"
#include "cubecast/error.h"
#include "cubecast/image.h"
#include "cubecast/transfer.h"
#include "cubecast/view.h"
#include "cubecast/volume.h"

typedef struct cc_renderer cc_renderer;

/* A renderer keeps the per-thread scratch buffers and the per-view sample
 * table, so one is created per rank and reused for every frame. */
cc_status cc_renderer_create(cc_renderer **out, cc_error *err);
void cc_renderer_destroy(cc_renderer *renderer);

/* The transfer function to render with (copied); section 1's until set. */
void cc_renderer_set_transfer(cc_renderer *renderer, const cc_tf *tf);

/* Renders rows [image->row_begin, image->row_begin + image->rows) of the
 * view into image (overwritten), using only cells inside owned_cells (cell
 * indices, a sub-box of [0, n-1) per axis).  Precision follows the volume. */
cc_status cc_render_slab(cc_renderer *renderer, const cc_volume *volume, const cc_view *view,
                         const cc_box *owned_cells, cc_image *image, cc_error *err);

/* The render kernel is compiled once per instruction set (avx512, avx2 and
 * baseline x86-64 in a portable build, native in a CUBECAST_NATIVE one);
 * a renderer runs the best copy this CPU runs, or the one the environment
 * variable CUBECAST_ISA names.  *name gets that copy's set; fails with one
 * line (CC_ERR_USAGE) when CUBECAST_ISA names a set that this build or
 * this CPU lacks, and so does cc_renderer_create. */
cc_status cc_render_kernel_pick(const char **name, cc_error *err);

/* The sets this build holds a copy for, best first: "avx512 avx2 baseline". */
const char *cc_render_kernels_built(void);

/* The set of the copy renderer runs. */
const char *cc_renderer_kernel(const cc_renderer *renderer);

/* The cells of the whole grid: [0, n-1) along each axis. */
cc_box cc_cells_whole(const long global_shape[3]);

#endif
