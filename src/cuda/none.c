/* none.c - cuda.h and cuda_render.h in a build without CUDA.
 *
 * The program links this file or the CUDA backend (the .cu files of src/cuda), never
 * both, so backend.c has no build switches: here every device query finds
 * nothing and says why, and --device auto renders on the CPU. */
#include "cubecast/cuda.h"
#include "cubecast/cuda_render.h"

#include <stdio.h>

static const char not_built[] =
    "this cubecast was built without CUDA (configure with -DCUBECAST_CUDA=ON)";

int cc_cuda_device_count(char *name, int name_size)
{
    (void)name;
    (void)name_size;
    return 0;
}

int cc_cuda_device_probe(char *why, int why_size)
{
    if (why != NULL && why_size > 0)
        snprintf(why, (size_t)why_size, "%s", not_built);
    return 0;
}

int cc_cuda_use_device(int index, char *name, int name_size, char *why, int why_size)
{
    (void)index;
    (void)name;
    (void)name_size;
    return cc_cuda_device_probe(why, why_size) - 1;
}

int cc_cuda_device_memory(size_t *free_bytes, size_t *total_bytes)
{
    *free_bytes = *total_bytes = 0;
    return -1;
}

cc_status cc_cuda_renderer_create(cc_cuda_renderer **out, cc_error *err)
{
    *out = NULL;
    return cc_fail(err, CC_ERR_RESOURCES, "%s", not_built);
}

void cc_cuda_renderer_destroy(cc_cuda_renderer *renderer)
{
    (void)renderer;
}

cc_status cc_cuda_renderer_set_transfer(cc_cuda_renderer *renderer, const cc_tf *tf, cc_error *err)
{
    (void)renderer;
    (void)tf;
    return cc_fail(err, CC_ERR_INTERNAL, "%s", not_built);
}

cc_status cc_cuda_renderer_upload(cc_cuda_renderer *renderer, const cc_volume *volume,
                                  cc_error *err)
{
    (void)renderer;
    (void)volume;
    return cc_fail(err, CC_ERR_INTERNAL, "%s", not_built);
}

cc_status cc_cuda_render_slab(cc_cuda_renderer *renderer, const cc_view *view,
                              const cc_box *owned_cells, cc_image *image, cc_error *err)
{
    (void)renderer;
    (void)view;
    (void)owned_cells;
    (void)image;
    return cc_fail(err, CC_ERR_INTERNAL, "%s", not_built);
}
