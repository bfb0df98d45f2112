/* render.cu - the render kernel on a CUDA device (cuda_render.h).
 *
 * One thread per ray: image row j (blockIdx.y), column k (blockIdx.x *
 * blockDim.x + threadIdx.x), marching depth i = 0 .. N-1 front to back and
 * compositing in registers, as design.md section 1 defines it.  Each
 * sample is located, owned or not, and interpolated by render_sample.h,
 * and coloured by transfer.h, the very functions the CPU's general kernel
 * calls, so the two cannot drift apart.  Volume loads go through the
 * read-only cache (__ldg), never through texture filtering, whose 9-bit
 * weights would break the 1e-4 budget.  Single precision stays in float
 * except the sample's coordinates, which are double as on the CPU (cell
 * ownership in bricks mode must agree to the last bit between bricks).
 *
 * The file also compiles as C++ against the CUDA stand-in of tests/cuda,
 * which runs the grid serially on the CPU with checked device memory. */
#include <cuda_runtime.h>

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The project's C headers, included after the system ones above so that
 * these reach C++ with C linkage. */
extern "C" {
#include "cubecast/cuda_render.h"
#include "cubecast/grid.h"
#include "render_sample.h"
}

#ifndef CC_CUDA_LAUNCH
#define CC_CUDA_LAUNCH(kernel, grid, block, ...) kernel<<<(grid), (block)>>>(__VA_ARGS__)
#endif

/* Threads per block along a row: 64 rays, two warps. */
enum { RAYS_PER_BLOCK = 64 };

/* The volume goes to the device through two pinned buffers: the CPU
 * copies the next piece into one while the DMA engine copies the other to
 * the device (a pageable source would be staged by the driver anyway, one
 * piece at a time, without the overlap).  Pieces of at most 32 MiB, and at
 * least 4 of them down to 64 KiB, so that mid-size volumes overlap too. */
static const size_t kStagingMax = (size_t)32 << 20, kStagingMin = (size_t)64 << 10;

static size_t staging_piece(size_t bytes)
{
    size_t piece = bytes / 4;
    piece = piece < kStagingMin ? kStagingMin : piece;
    piece = piece > kStagingMax ? kStagingMax : piece;
    return piece < bytes ? piece : bytes;
}

/* What a slab's kernel needs, passed by value (kernel parameter space). */
typedef struct slab_params {
    cc_sample_axes axes;
    cc_sample_cells cells;
    int n, row_begin;
    /* in planes (render.c's placement) */
    double to[3]; /* world to grid units per stored axis: scale / spacing */
    double cos_theta, sin_theta;
    int grid_shape[3];
    int owned_lo[3], owned_end[3]; /* the owned cells, [lo, end) */
    int original;                  /* section 1's function, no opacity unit */
    int shape, count, corrected, log_scale, nodes;
} slab_params;

struct cc_cuda_renderer {
    cc_tf tf;
    cc_tf_single tf_single;
    cc_tf *tf_device;
    cc_tf_single *tf_single_device;
    void *values; /* the uploaded box, in its precision */
    cc_precision precision;
    long shape[3];
    cc_box box;
    double *output; /* rows x N x 4: r, g, b, transmittance */
    size_t output_bytes;
};

/* Where a ray's samples sit.  A view whose rows lie in planes of stored
 * axis 0 (no elevation) places them as the CPU's row-plane kernel does
 * (render.c) and as the reference does: the row's x once, each sample's
 * (y, z) from (c(i), c(k)) and the view's angle, each axis located in
 * world coordinates by SciPy's rule (grid.h), so that a sample on a grid
 * plane lands in the same cell (a NaN in a cell spreads to its samples,
 * weight 0 or not).  Any other view places them as the CPU's general
 * kernel does (render_sample.h): base + c(i) step in grid coordinates. */
typedef struct ray {
    double base[3], step[3]; /* general */
    double ck;               /* in planes: the column's camera coordinate */
    long x_offset;           /* in planes: the row's x cell, in the held box */
    double wx;               /* in planes: the row's x weight */
    int empty;               /* in planes: the row misses the grid or the owned cells */
} ray;

/* The x cell and weight of image row j of an in-planes view. */
__device__ static CC_FORCE_INLINE void plane_ray(const slab_params *s, int j, int k, ray *r)
{
    int cx = 0;
    double x = CC_GRID_MUL(cc_grid_coord_inline(s->n, j), s->to[0]);
    r->empty = !cc_grid_locate_inline(s->grid_shape[0], x, &cx, &r->wx) || cx < s->owned_lo[0] ||
               cx >= s->owned_end[0];
    r->x_offset = (long)(cx - s->cells.box_lo[0]) * s->cells.stride[0];
    r->ck = cc_grid_coord_inline(s->n, k);
}

/* The ray's column part of its coordinates: row + c(k) column. */
__device__ static CC_FORCE_INLINE void general_ray(const slab_params *s, int j, int k, ray *r)
{
    double row[3], column[3];
    cc_sample_row(&s->axes, cc_grid_coord_inline(s->n, j), row, column, r->step);
    double ck = cc_grid_coord_inline(s->n, k);
    for (int a = 0; a < 3; a++)
        r->base[a] = row[a] + ck * column[a];
}

/* Locates sample i on one world axis of an in-planes view: 1 when it lies
 * in the owned cells. */
__device__ static CC_FORCE_INLINE int plane_axis(const slab_params *s, int a, double p,
                                                 long *offset, double *w)
{
    int cell = 0;
    int in = cc_grid_locate_inline(s->grid_shape[a], p, &cell, w);
    in = in && cell >= s->owned_lo[a] && cell < s->owned_end[a];
    *offset += (long)(cell - s->cells.box_lo[a]) * (a == 1 ? s->cells.stride[1] : 1);
    return in;
}

/* Where the sample at camera coordinate ci of ray r reads: 1 when it is
 * used, with the offset of its cell in the held box and its weights. */
__device__ static CC_FORCE_INLINE int locate_in_planes(const slab_params *s, const ray *r,
                                                       double ci, long *o, double *wx, double *wy,
                                                       double *wz)
{
    /* render.c's (y, z): (c(i) cos - c(k) sin, c(i) sin + c(k) cos), each
     * scaled from world to grid units. */
    double y = CC_GRID_MUL(
        CC_GRID_SUB(CC_GRID_MUL(ci, s->cos_theta), CC_GRID_MUL(r->ck, s->sin_theta)), s->to[1]);
    double z = CC_GRID_MUL(
        CC_GRID_ADD(CC_GRID_MUL(ci, s->sin_theta), CC_GRID_MUL(r->ck, s->cos_theta)), s->to[2]);
    *o = r->x_offset;
    *wx = r->wx;
    int in_y = plane_axis(s, 1, y, o, wy), in_z = plane_axis(s, 2, z, o, wz);
    return in_y && in_z;
}

__device__ static CC_FORCE_INLINE int locate_general(const slab_params *s, const ray *r, double ci,
                                                     long *o, double *wx, double *wy, double *wz)
{
    double p[3];
    for (int a = 0; a < 3; a++)
        p[a] = CC_GRID_ADD(r->base[a], CC_GRID_MUL(ci, r->step[a]));
    return cc_sample_locate(&s->cells, p[0], p[1], p[2], o, wx, wy, wz);
}

/* Sample i of ray r, placed as the view's kind asks. */
template <int InPlanes>
__device__ static CC_FORCE_INLINE int locate(const slab_params *s, const ray *r, int i, long *o,
                                             double *wx, double *wy, double *wz)
{
    double ci = cc_grid_coord_inline(s->n, i);
    return InPlanes ? locate_in_planes(s, r, ci, o, wx, wy, wz)
                    : locate_general(s, r, ci, o, wx, wy, wz);
}

template <int InPlanes>
__device__ static CC_FORCE_INLINE void start_ray(const slab_params *s, int j, int k, ray *r)
{
    if (InPlanes)
        plane_ray(s, j, k, r);
    else
        general_ray(s, j, k, r);
}

template <int InPlanes>
__global__ static void render_single(slab_params s, const float *__restrict__ values,
                                     const cc_tf_single *__restrict__ tf, double *__restrict__ out)
{
    int k = (int)(blockIdx.x * blockDim.x + threadIdx.x), jr = (int)blockIdx.y;
    if (k >= s.n)
        return; /* the last block's spare threads */
    ray r;
    start_ray<InPlanes>(&s, s.row_begin + jr, k, &r);
    long xs = s.cells.stride[0], ys = s.cells.stride[1];
    float red = 0.0f, green = 0.0f, blue = 0.0f, t = 1.0f;
    for (int i = 0; i < s.n && !(InPlanes && r.empty); i++) {
        double wx, wy, wz;
        long o;
        if (!locate<InPlanes>(&s, &r, i, &o, &wx, &wy, &wz))
            continue; /* empty: leaves the ray as it is */
        float v = cc_sample_trilinear_single(values, o, xs, ys, (float)wx, (float)wy, (float)wz);
        cc_rgba_single c;
        if (s.original)
            cc_transfer_single(v, &c.r, &c.g, &c.b, &c.a);
        else
            c = cc_tf_sample_single(tf, v, s.log_scale, s.nodes, s.shape, s.count, s.corrected);
        red = c.a * c.r + (1.0f - c.a) * red;
        green = c.a * c.g + (1.0f - c.a) * green;
        blue = c.a * c.b + (1.0f - c.a) * blue;
        t *= 1.0f - c.a;
    }
    double *pixel = out + ((size_t)jr * (size_t)s.n + (size_t)k) * 4;
    pixel[0] = red;
    pixel[1] = green;
    pixel[2] = blue;
    pixel[3] = t;
}

template <int InPlanes>
__global__ static void render_double(slab_params s, const double *__restrict__ values,
                                     const cc_tf *__restrict__ tf, double *__restrict__ out)
{
    int k = (int)(blockIdx.x * blockDim.x + threadIdx.x), jr = (int)blockIdx.y;
    if (k >= s.n)
        return;
    ray r;
    start_ray<InPlanes>(&s, s.row_begin + jr, k, &r);
    long xs = s.cells.stride[0], ys = s.cells.stride[1];
    double red = 0.0, green = 0.0, blue = 0.0, t = 1.0;
    for (int i = 0; i < s.n && !(InPlanes && r.empty); i++) {
        double wx, wy, wz;
        long o;
        if (!locate<InPlanes>(&s, &r, i, &o, &wx, &wy, &wz))
            continue;
        double v = cc_sample_trilinear_double(values, o, xs, ys, wx, wy, wz);
        double rgba[4];
        if (s.original) {
            /* As the CPU kernels: an empty value weighs every band by 0. */
            int inside = (v > 0.0) & (v < INFINITY);
            cc_transfer_double(log(inside ? v : 1.0), inside ? 1.0 : 0.0, &rgba[0], &rgba[1],
                               &rgba[2], &rgba[3]);
        } else {
            cc_tf_eval_at(tf, v, rgba);
        }
        double a = rgba[3];
        red = a * rgba[0] + (1.0 - a) * red;
        green = a * rgba[1] + (1.0 - a) * green;
        blue = a * rgba[2] + (1.0 - a) * blue;
        t *= 1.0 - a;
    }
    double *pixel = out + ((size_t)jr * (size_t)s.n + (size_t)k) * 4;
    pixel[0] = red;
    pixel[1] = green;
    pixel[2] = blue;
    pixel[3] = t;
}

/* ---- host side ------------------------------------------------------- */

static cc_status cuda_fail(cc_error *err, cudaError_t error, const char *what)
{
    cc_status status = error == cudaErrorMemoryAllocation ? CC_ERR_NOMEM : CC_ERR_INTERNAL;
    return cc_fail(err, status, "CUDA: %s: %s (%s)", what, cudaGetErrorString(error),
                   cudaGetErrorName(error));
}

extern "C" cc_status cc_cuda_renderer_create(cc_cuda_renderer **out, cc_error *err)
{
    cc_cuda_renderer *renderer = (cc_cuda_renderer *)calloc(1, sizeof *renderer);
    if (renderer == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    cudaError_t error = cudaMalloc(&renderer->tf_device, sizeof(cc_tf));
    if (error == cudaSuccess)
        error = cudaMalloc(&renderer->tf_single_device, sizeof(cc_tf_single));
    if (error != cudaSuccess) {
        cc_cuda_renderer_destroy(renderer);
        return cuda_fail(err, error, "allocating the transfer function");
    }
    cc_tf tf;
    cc_tf_original(&tf);
    cc_status status = cc_cuda_renderer_set_transfer(renderer, &tf, err);
    if (status != CC_OK) {
        cc_cuda_renderer_destroy(renderer);
        return status;
    }
    *out = renderer;
    return CC_OK;
}

extern "C" void cc_cuda_renderer_destroy(cc_cuda_renderer *renderer)
{
    if (renderer == NULL)
        return;
    cudaFree(renderer->tf_device);
    cudaFree(renderer->tf_single_device);
    cudaFree(renderer->values);
    cudaFree(renderer->output);
    free(renderer);
}

extern "C" cc_status cc_cuda_renderer_set_transfer(cc_cuda_renderer *renderer, const cc_tf *tf,
                                                   cc_error *err)
{
    renderer->tf = *tf;
    cc_tf_single_from(tf, &renderer->tf_single);
    cudaError_t error =
        cudaMemcpy(renderer->tf_device, &renderer->tf, sizeof(cc_tf), cudaMemcpyHostToDevice);
    if (error == cudaSuccess)
        error = cudaMemcpy(renderer->tf_single_device, &renderer->tf_single, sizeof(cc_tf_single),
                           cudaMemcpyHostToDevice);
    return error == cudaSuccess ? CC_OK : cuda_fail(err, error, "copying the transfer function");
}

/* Pinned staging buffers and the stream that empties them. */
typedef struct staging {
    size_t piece;
    unsigned char *buffer[2];
    cudaEvent_t emptied[2];
    cudaStream_t stream;
} staging;

static void staging_free(staging *st)
{
    for (int b = 0; b < 2; b++) {
        cudaFreeHost(st->buffer[b]);
        if (st->emptied[b] != NULL)
            cudaEventDestroy(st->emptied[b]);
    }
    if (st->stream != NULL)
        cudaStreamDestroy(st->stream);
}

static cudaError_t staging_make(staging *st, size_t bytes)
{
    memset(st, 0, sizeof *st);
    st->piece = bytes;
    cudaError_t error = cudaStreamCreate(&st->stream);
    for (int b = 0; b < 2 && error == cudaSuccess; b++) {
        error = cudaMallocHost(&st->buffer[b], bytes);
        if (error == cudaSuccess)
            error = cudaEventCreate(&st->emptied[b]);
    }
    return error;
}

/* Copies bytes from host to device in pieces through st: piece p goes
 * through buffer p % 2 once the copy of piece p - 2 has left it. */
static cudaError_t upload_staged(staging *st, unsigned char *device, const unsigned char *host,
                                 size_t bytes)
{
    cudaError_t error = cudaSuccess;
    size_t done = 0;
    for (int piece = 0; error == cudaSuccess && done < bytes; piece++) {
        int b = piece & 1;
        size_t length = bytes - done < st->piece ? bytes - done : st->piece;
        if (piece >= 2)
            error = cudaEventSynchronize(st->emptied[b]);
        if (error != cudaSuccess)
            break;
        memcpy(st->buffer[b], host + done, length);
        error = cudaMemcpyAsync(device + done, st->buffer[b], length, cudaMemcpyHostToDevice,
                                st->stream);
        if (error == cudaSuccess)
            error = cudaEventRecord(st->emptied[b], st->stream);
        done += length;
    }
    cudaError_t finished = cudaStreamSynchronize(st->stream);
    return error != cudaSuccess ? error : finished;
}

/* The volume's values to the device: staged and overlapped, or, where
 * pinned memory cannot be had (a locked-memory limit), copied directly. */
static cudaError_t upload_values(void *device, const void *host, size_t bytes)
{
    staging st;
    cudaError_t error = staging_make(&st, staging_piece(bytes));
    if (error == cudaSuccess)
        error = upload_staged(&st, (unsigned char *)device, (const unsigned char *)host, bytes);
    else if (error == cudaErrorMemoryAllocation) {
        cudaGetLastError(); /* not sticky: the direct copy is the fallback */
        error = cudaMemcpy(device, host, bytes, cudaMemcpyHostToDevice);
    }
    staging_free(&st);
    return error;
}

extern "C" cc_status cc_cuda_renderer_upload(cc_cuda_renderer *renderer, const cc_volume *volume,
                                             cc_error *err)
{
    cudaFree(renderer->values);
    renderer->values = NULL;
    renderer->precision = cc_volume_precision(volume);
    renderer->box = *cc_volume_box(volume);
    for (int a = 0; a < 3; a++)
        renderer->shape[a] = cc_volume_global_shape(volume)[a];
    size_t bytes = cc_box_voxels(&renderer->box) * cc_precision_size(renderer->precision);
    cudaError_t error = cudaMalloc(&renderer->values, bytes);
    if (error != cudaSuccess)
        return cuda_fail(err, error, "allocating the volume");
    error = upload_values(renderer->values, cc_volume_values_const(volume), bytes);
    return error == cudaSuccess ? CC_OK : cuda_fail(err, error, "copying the volume");
}

extern "C" cc_status cc_cuda_render_slab(cc_cuda_renderer *renderer, const cc_view *view,
                                         const cc_box *owned_cells, cc_image *image, cc_error *err)
{
    int n = view->size;
    if (image->width != n)
        return cc_fail(err, CC_ERR_INTERNAL, "image width %d does not match view size %d",
                       image->width, n);
    if (renderer->values == NULL)
        return cc_fail(err, CC_ERR_INTERNAL, "no volume uploaded to the CUDA renderer");
    cc_image_clear(image);
    slab_params s;
    memset(&s, 0, sizeof s);
    if (image->rows <= 0 ||
        !cc_sample_cells_of(renderer->shape, &renderer->box, owned_cells, &s.cells))
        return CC_OK; /* nothing owned: C = 0, T = 1 */
    cc_sample_axes_of(view, renderer->shape, &s.axes);
    for (int a = 0; a < 3; a++) {
        s.to[a] = view->scale / view->spacing[a];
        s.grid_shape[a] = (int)renderer->shape[a];
        s.owned_lo[a] = (int)owned_cells->lo[a];
        s.owned_end[a] = (int)(owned_cells->lo[a] + owned_cells->count[a]);
    }
    s.cos_theta = view->cos_theta;
    s.sin_theta = view->sin_theta;
    s.n = n;
    s.row_begin = image->row_begin;
    const cc_tf_single *tf = &renderer->tf_single;
    s.original = renderer->tf.kind == CC_TF_ORIGINAL && renderer->tf.opacity_exponent == 0.0;
    int piecewise = tf->kind == CC_TF_PIECEWISE;
    s.corrected = tf->opacity_exponent != 0.0f;
    s.shape = piecewise ? 1 + (tf->alpha_count > 0) : 0;
    s.count = piecewise ? cc_tf_search_halvings(tf->node_count) : tf->band_count;
    s.log_scale = tf->log_scale;
    s.nodes = tf->node_count;

    size_t pixels = (size_t)image->rows * (size_t)n;
    size_t bytes = pixels * 4 * sizeof(double);
    cudaError_t error = cudaSuccess;
    if (renderer->output_bytes < bytes) {
        cudaFree(renderer->output);
        renderer->output = NULL;
        renderer->output_bytes = 0;
        error = cudaMalloc(&renderer->output, bytes);
        if (error != cudaSuccess)
            return cuda_fail(err, error, "allocating the image");
        renderer->output_bytes = bytes;
    }
    dim3 block(RAYS_PER_BLOCK),
        grid((unsigned)((n + RAYS_PER_BLOCK - 1) / RAYS_PER_BLOCK), (unsigned)image->rows);
    const float *single = (const float *)renderer->values;
    const double *twice = (const double *)renderer->values;
    if (renderer->precision == CC_SINGLE && view->in_planes)
        CC_CUDA_LAUNCH(render_single<1>, grid, block, s, single, renderer->tf_single_device,
                       renderer->output);
    else if (renderer->precision == CC_SINGLE)
        CC_CUDA_LAUNCH(render_single<0>, grid, block, s, single, renderer->tf_single_device,
                       renderer->output);
    else if (view->in_planes)
        CC_CUDA_LAUNCH(render_double<1>, grid, block, s, twice, renderer->tf_device,
                       renderer->output);
    else
        CC_CUDA_LAUNCH(render_double<0>, grid, block, s, twice, renderer->tf_device,
                       renderer->output);
    error = cudaGetLastError();
    if (error != cudaSuccess)
        return cuda_fail(err, error, "launching the render kernel");
    double *host = (double *)malloc(bytes);
    if (host == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory for a %d-row image", image->rows);
    error = cudaMemcpy(host, renderer->output, bytes, cudaMemcpyDeviceToHost);
    if (error != cudaSuccess) {
        free(host);
        return cuda_fail(err, error, "reading the image back");
    }
    for (size_t p = 0; p < pixels; p++) {
        for (int c = 0; c < 3; c++)
            image->colour[p * 3 + c] = host[p * 4 + c];
        image->transmittance[p] = host[p * 4 + 3];
    }
    free(host);
    return CC_OK;
}
