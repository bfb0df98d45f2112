/* backend.c - the CPU and CUDA backends behind one seam (backend.h). */
#include "cubecast/backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cubecast/cuda.h"
#include "cubecast/cuda_render.h"
#include "cubecast/render.h"

struct cc_backend {
    cc_device kind;
    cc_renderer *cpu;       /* CC_DEVICE_CPU */
    cc_cuda_renderer *cuda; /* CC_DEVICE_CUDA */
    const cc_volume *bound;
    char name[CC_BACKEND_NAME_MAX];
};

/* Names go into the manifest's JSON and the profile's table as they are,
 * so anything but plain printable characters becomes '?'. */
static void plain_name(char *name)
{
    for (char *c = name; *c != '\0'; c++)
        if (*c < ' ' || *c > '~' || *c == '"' || *c == '\\')
            *c = '?';
}

/* Makes device the rank's current one and measures its free memory. */
static cc_status choose_cuda(cc_device requested, int device, cc_backend_choice *choice,
                             cc_error *err)
{
    char why[256] = "", device_name[CC_BACKEND_NAME_MAX] = "";
    size_t free_bytes = 0, total_bytes = 0;
    if (cc_cuda_use_device(device, device_name, (int)sizeof device_name, why, (int)sizeof why) != 0)
        return cc_fail(err, CC_ERR_RESOURCES, "--device %s: cannot use CUDA device %d: %s",
                       requested == CC_DEVICE_CUDA ? "cuda" : "auto", device, why);
    if (cc_cuda_device_memory(&free_bytes, &total_bytes) != 0)
        return cc_fail(err, CC_ERR_RESOURCES,
                       "--device %s: cannot read the free memory of CUDA device %d",
                       requested == CC_DEVICE_CUDA ? "cuda" : "auto", device);
    choice->kind = CC_DEVICE_CUDA;
    choice->device = device;
    choice->memory_free = (double)free_bytes;
    snprintf(choice->name, sizeof choice->name, "cuda:%d %s", device, device_name);
    plain_name(choice->name);
    return CC_OK;
}

cc_status cc_backend_choose(cc_device requested, int node_rank, cc_backend_choice *choice,
                            cc_error *err)
{
    memset(choice, 0, sizeof *choice);
    choice->kind = CC_DEVICE_CPU;
    snprintf(choice->name, sizeof choice->name, "cpu");
    /* A CUBECAST_ISA that cannot run fails here, before anything is read. */
    const char *kernel;
    cc_status status = requested == CC_DEVICE_CUDA ? CC_OK : cc_render_kernel_pick(&kernel, err);
    if (status != CC_OK)
        return status;
    if (requested == CC_DEVICE_CPU)
        return CC_OK;
    char why[256] = "";
    int count = cc_cuda_device_probe(why, (int)sizeof why);
    if (count > 0)
        return choose_cuda(requested, node_rank % count, choice, err);
    if (requested == CC_DEVICE_CUDA)
        return cc_fail(err, CC_ERR_RESOURCES,
                       "--device cuda: no usable CUDA device: %s; use --device cpu or auto", why);
    return CC_OK; /* auto without a device: the CPU */
}

static cc_status create_cuda(const cc_backend_choice *choice, cc_backend *backend, cc_error *err)
{
    char why[256] = "";
    if (cc_cuda_use_device(choice->device, NULL, 0, why, (int)sizeof why) != 0)
        return cc_fail(err, CC_ERR_RESOURCES, "cannot use CUDA device %d: %s", choice->device, why);
    return cc_cuda_renderer_create(&backend->cuda, err);
}

cc_status cc_backend_create(const cc_backend_choice *choice, cc_backend **out, cc_error *err)
{
    cc_backend *backend = calloc(1, sizeof *backend);
    if (backend == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    backend->kind = choice->kind;
    snprintf(backend->name, sizeof backend->name, "%s", choice->name);
    cc_status status = choice->kind == CC_DEVICE_CUDA ? create_cuda(choice, backend, err)
                                                      : cc_renderer_create(&backend->cpu, err);
    if (status != CC_OK) {
        cc_backend_destroy(backend);
        return status;
    }
    *out = backend;
    return CC_OK;
}

void cc_backend_destroy(cc_backend *backend)
{
    if (backend == NULL)
        return;
    cc_renderer_destroy(backend->cpu);
    cc_cuda_renderer_destroy(backend->cuda);
    free(backend);
}

cc_status cc_backend_set_transfer(cc_backend *backend, const cc_tf *tf, cc_error *err)
{
    if (backend->kind == CC_DEVICE_CUDA)
        return cc_cuda_renderer_set_transfer(backend->cuda, tf, err);
    cc_renderer_set_transfer(backend->cpu, tf);
    return CC_OK;
}

cc_status cc_backend_bind(cc_backend *backend, const cc_volume *volume, cc_error *err)
{
    backend->bound = volume;
    if (backend->kind == CC_DEVICE_CUDA) {
        cc_status status = cc_cuda_renderer_upload(backend->cuda, volume, err);
        backend->bound = status == CC_OK ? volume : NULL;
        return status;
    }
    return CC_OK; /* the CPU reads the volume where it lies */
}

cc_status cc_backend_render_slab(cc_backend *backend, const cc_volume *volume, const cc_view *view,
                                 const cc_box *owned_cells, cc_image *image, cc_error *err)
{
    /* The device holds a copy of the bound volume only. */
    if (volume != backend->bound)
        return cc_fail(err, CC_ERR_INTERNAL, "rendering a volume the backend was not bound to");
    if (backend->kind == CC_DEVICE_CUDA)
        return cc_cuda_render_slab(backend->cuda, view, owned_cells, image, err);
    return cc_render_slab(backend->cpu, volume, view, owned_cells, image, err);
}

const char *cc_backend_name(const cc_backend *backend)
{
    return backend->name;
}

const char *cc_backend_kernel(const cc_backend *backend)
{
    return backend->kind == CC_DEVICE_CUDA ? "cuda" : cc_renderer_kernel(backend->cpu);
}
