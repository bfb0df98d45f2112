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

/* What a slab's kernel needs, passed by value (kernel parameter space). */
typedef struct slab_params {
    cc_sample_axes axes;
    cc_sample_cells cells;
    int n, row_begin;
    int original; /* section 1's function, no opacity unit */
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

/* The grid coordinates of sample i of the ray whose row part is row and
 * column part base: base + c(i) step, as render_general.c adds them. */
__device__ static CC_FORCE_INLINE void sample_coords(const double base[3], const double step[3],
                                                     double ci, double p[3])
{
    for (int a = 0; a < 3; a++) {
#if defined(__CUDA_ARCH__)
        p[a] = __dadd_rn(base[a], __dmul_rn(ci, step[a]));
#else
        p[a] = base[a] + ci * step[a];
#endif
    }
}

/* The ray's column part of its coordinates: row + c(k) column. */
__device__ static CC_FORCE_INLINE void ray_base(const slab_params *s, int j, int k, double base[3],
                                                double step[3])
{
    double row[3], column[3];
    cc_sample_row(&s->axes, cc_sample_grid_coord(s->n, j), row, column, step);
    double ck = cc_sample_grid_coord(s->n, k);
    for (int a = 0; a < 3; a++)
        base[a] = row[a] + ck * column[a];
}

__global__ static void render_single(slab_params s, const float *__restrict__ values,
                                     const cc_tf_single *__restrict__ tf, double *__restrict__ out)
{
    int k = (int)(blockIdx.x * blockDim.x + threadIdx.x), jr = (int)blockIdx.y;
    if (k >= s.n)
        return; /* the last block's spare threads */
    double base[3], step[3];
    ray_base(&s, s.row_begin + jr, k, base, step);
    long xs = s.cells.stride[0], ys = s.cells.stride[1];
    float r = 0.0f, g = 0.0f, b = 0.0f, t = 1.0f;
    for (int i = 0; i < s.n; i++) {
        double p[3], wx, wy, wz;
        long o;
        sample_coords(base, step, cc_sample_grid_coord(s.n, i), p);
        if (!cc_sample_locate(&s.cells, p[0], p[1], p[2], &o, &wx, &wy, &wz))
            continue; /* empty: leaves the ray as it is */
        float v = cc_sample_trilinear_single(values, o, xs, ys, (float)wx, (float)wy, (float)wz);
        cc_rgba_single c;
        if (s.original)
            cc_transfer_single(v, &c.r, &c.g, &c.b, &c.a);
        else
            c = cc_tf_sample_single(tf, v, s.log_scale, s.nodes, s.shape, s.count, s.corrected);
        r = c.a * c.r + (1.0f - c.a) * r;
        g = c.a * c.g + (1.0f - c.a) * g;
        b = c.a * c.b + (1.0f - c.a) * b;
        t *= 1.0f - c.a;
    }
    double *pixel = out + ((size_t)jr * (size_t)s.n + (size_t)k) * 4;
    pixel[0] = r;
    pixel[1] = g;
    pixel[2] = b;
    pixel[3] = t;
}

__global__ static void render_double(slab_params s, const double *__restrict__ values,
                                     const cc_tf *__restrict__ tf, double *__restrict__ out)
{
    int k = (int)(blockIdx.x * blockDim.x + threadIdx.x), jr = (int)blockIdx.y;
    if (k >= s.n)
        return;
    double base[3], step[3];
    ray_base(&s, s.row_begin + jr, k, base, step);
    long xs = s.cells.stride[0], ys = s.cells.stride[1];
    double r = 0.0, g = 0.0, b = 0.0, t = 1.0;
    for (int i = 0; i < s.n; i++) {
        double p[3], wx, wy, wz;
        long o;
        sample_coords(base, step, cc_sample_grid_coord(s.n, i), p);
        if (!cc_sample_locate(&s.cells, p[0], p[1], p[2], &o, &wx, &wy, &wz))
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
        r = a * rgba[0] + (1.0 - a) * r;
        g = a * rgba[1] + (1.0 - a) * g;
        b = a * rgba[2] + (1.0 - a) * b;
        t *= 1.0 - a;
    }
    double *pixel = out + ((size_t)jr * (size_t)s.n + (size_t)k) * 4;
    pixel[0] = r;
    pixel[1] = g;
    pixel[2] = b;
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
    error =
        cudaMemcpy(renderer->values, cc_volume_values_const(volume), bytes, cudaMemcpyHostToDevice);
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
    if (renderer->precision == CC_SINGLE)
        CC_CUDA_LAUNCH(render_single, grid, block, s, (const float *)renderer->values,
                       renderer->tf_single_device, renderer->output);
    else
        CC_CUDA_LAUNCH(render_double, grid, block, s, (const double *)renderer->values,
                       renderer->tf_device, renderer->output);
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
