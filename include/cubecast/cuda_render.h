/* cuda_render.h - the render kernel on a CUDA device (src/cuda/render.cu).
 *
 * The same contract as cc_render_slab (render.h): rows [image->row_begin,
 * image->row_begin + image->rows) of a view, only samples whose cell lies
 * in the owned cells, composited into a partial (C, T) image.  One thread
 * per ray (image row j, column k) marches depth i = 0 .. N-1, locating
 * every sample in 3D (render_sample.h) whatever the view, so it matches
 * the CPU's row-plane kernel within the reference tolerances, and the
 * CPU's general kernel to rounding.  The volume's box is uploaded once
 * and rendered for every view.  Not wired into the driver yet. */
#ifndef CUBECAST_CUDA_RENDER_H
#define CUBECAST_CUDA_RENDER_H

#include "cubecast/box.h"
#include "cubecast/error.h"
#include "cubecast/image.h"
#include "cubecast/transfer.h"
#include "cubecast/view.h"
#include "cubecast/volume.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cc_cuda_renderer cc_cuda_renderer;

/* A renderer on the current device, with section 1's transfer function. */
cc_status cc_cuda_renderer_create(cc_cuda_renderer **out, cc_error *err);
void cc_cuda_renderer_destroy(cc_cuda_renderer *renderer);

/* The transfer function to render with (copied to the device). */
cc_status cc_cuda_renderer_set_transfer(cc_cuda_renderer *renderer, const cc_tf *tf, cc_error *err);

/* Copies the volume's box and values to the device (replacing any
 * earlier volume); the volume itself is not kept. */
cc_status cc_cuda_renderer_upload(cc_cuda_renderer *renderer, const cc_volume *volume,
                                  cc_error *err);

/* cc_render_slab on the device, for the uploaded volume. */
cc_status cc_cuda_render_slab(cc_cuda_renderer *renderer, const cc_view *view,
                              const cc_box *owned_cells, cc_image *image, cc_error *err);

#ifdef __cplusplus
}
#endif

#endif
