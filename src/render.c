/* render.c - the render kernel (render.h).
 *
 * The rotation is about x, so within a frame every image row j samples the
 * same (y, z) pattern: sample (i, k) sits at the same y, z for every row.
 * The kernel therefore
 *   1. locates the N x N (y, z) samples once per call (cell + weights),
 *   2. per row, lerps the two x planes around c(j) into one plane, so each
 *      sample needs 4 reads instead of 8, from a plane that stays in cache,
 *   3. per depth step, runs across the row's N rays at once (the compositing
 *      recurrence is sequential along a ray, independent across rays), which
 *      the compiler vectorises.
 * Single precision evaluates the transfer function by polynomials inline
 * (cc_transfer_single); double precision evaluates it exactly.
 *
 * This file is compiled once per instruction set (render_kernel.h): every
 * copy exports its cc_render_slab_SET, and the primary copy also the
 * renderer object, which runs the copy cc_render_kernel_choose picks. */
#include "cubecast/render.h"

#include <limits.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "cubecast/grid.h"
#include "cubecast/transfer.h"
#include "render_general.h"
#include "render_kernel.h"

/* Where sample (i, k) of the current view reads its (y, z) cell: an offset
 * into the lerped plane and the weights, or offset -1 when the sample is
 * outside the grid or its cell is not owned.  At depth step i only rays
 * [inside[i].begin, inside[i].end) can have a sample inside; the kernel
 * skips the rest, which is exact: an empty sample leaves a ray unchanged
 * bit for bit.  At 45 degrees that is 17% of the samples. */
typedef struct index_span {
    int begin, end; /* empty when begin >= end */
} index_span;

/* Spans start and end on multiples of this many rays (a 512-bit vector of
 * floats), or at n. */
enum { SPAN_ALIGN = 16 };

/* The samples of a view read only part of each plane (a rotated square of
 * about N x N cells): reach[y] is the z range of plane row y they read,
 * and only that part is lerped.  At N = 512 on a 1024^3 cube that is a
 * quarter of the plane, and rendering went from 470 to 580 M samples/s. */
typedef struct sample_table {
    size_t capacity, steps_capacity, reach_capacity;
    int32_t *offset;
    float *wy_single, *wz_single;
    double *wy_double, *wz_double;
    index_span *inside;
    index_span *reach;
} sample_table;

/* How one image row gets its plane: it misses the grid or the owned cells
 * (empty), lerps the two x planes around it, or uses the plane it sits on
 * (see plan_rows and render_row). */
typedef enum row_source { ROW_EMPTY, ROW_LERP, ROW_ON_PLANE } row_source;

/* A plane up to this size stays in L2 (1 MiB per core here) while a row
 * composites; a larger one does not, which changes the best access order
 * (ray_block) and whether copying a plane first pays (render_row). */
enum { PLANE_CACHE_BYTES = 512 << 10 };

typedef struct row_plan {
    row_source source;
    int cell; /* lower x plane */
    double weight;
} row_plan;

/* One thread's scratch: the lerped plane and the row accumulators. */
typedef struct thread_scratch {
    size_t plane_bytes, ray_bytes, reach_capacity;
    void *plane;
    index_span *reach; /* this thread's part of sample_table.reach */
    void *rays;        /* 6 x N values: r, g, b, transmittance, and two per-step
                          scratch rows for the double-precision kernel */
} thread_scratch;

struct cc_renderer {
    cc_tf tf;               /* the transfer function (section 1's by default) */
    cc_tf_single tf_single; /* its numbers in float */
    void *rows;             /* row_plan per row of the slab being rendered */
    size_t rows_bytes;
    sample_table samples;
    int thread_count;
    thread_scratch *scratch;
    cc_render_kernel kernel; /* the copy of this file that renders */
};

static int thread_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

#ifdef CC_KERNEL_PRIMARY
static int max_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

cc_status cc_renderer_create(cc_renderer **out, cc_error *err)
{
    cc_render_kernel kernel;
    cc_status status = cc_render_kernel_choose(getenv("CUBECAST_ISA"), &kernel, err);
    if (status != CC_OK)
        return status;
    cc_renderer *renderer = calloc(1, sizeof *renderer);
    if (renderer == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    renderer->kernel = kernel;
    renderer->thread_count = max_threads();
    cc_tf_original(&renderer->tf);
    cc_tf_single_from(&renderer->tf, &renderer->tf_single);
    renderer->scratch = calloc((size_t)renderer->thread_count, sizeof *renderer->scratch);
    if (renderer->scratch == NULL) {
        cc_renderer_destroy(renderer);
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    }
    *out = renderer;
    return CC_OK;
}

void cc_renderer_set_transfer(cc_renderer *renderer, const cc_tf *tf)
{
    renderer->tf = *tf;
    cc_tf_single_from(tf, &renderer->tf_single);
}

void cc_renderer_destroy(cc_renderer *renderer)
{
    if (renderer == NULL)
        return;
    free(renderer->rows);
    free(renderer->samples.offset);
    free(renderer->samples.wy_single);
    free(renderer->samples.wz_single);
    free(renderer->samples.wy_double);
    free(renderer->samples.wz_double);
    free(renderer->samples.inside);
    free(renderer->samples.reach);
    for (int t = 0; t < renderer->thread_count && renderer->scratch != NULL; t++) {
        free(renderer->scratch[t].plane);
        free(renderer->scratch[t].rays);
        free(renderer->scratch[t].reach);
    }
    free(renderer->scratch);
    free(renderer);
}

cc_box cc_cells_whole(const long global_shape[3])
{
    return cc_box_whole(global_shape[0] - 1, global_shape[1] - 1, global_shape[2] - 1);
}

const char *cc_renderer_kernel(const cc_renderer *renderer)
{
    return renderer->kernel.name;
}

cc_status cc_render_slab(cc_renderer *renderer, const cc_volume *volume, const cc_view *view,
                         const cc_box *owned_cells, cc_image *image, cc_error *err)
{
    return renderer->kernel.render_slab(renderer, volume, view, owned_cells, image, err);
}
#endif /* CC_KERNEL_PRIMARY */

static int grow(void **buffer, size_t *capacity, size_t bytes)
{
    if (*capacity >= bytes)
        return 1;
    void *grown = realloc(*buffer, bytes);
    if (grown == NULL)
        return 0;
    *buffer = grown;
    *capacity = bytes;
    return 1;
}

static int grow_spans(index_span **spans, size_t *capacity, size_t count)
{
    if (*capacity >= count)
        return 1;
    index_span *grown = realloc(*spans, count * sizeof *grown);
    if (grown == NULL)
        return 0;
    *spans = grown;
    *capacity = count;
    return 1;
}

/* Room for the reach of plane_rows rows, in the table and per thread. */
static cc_status reserve_reach(cc_renderer *renderer, long plane_rows, cc_error *err)
{
    size_t count = (size_t)plane_rows;
    int ok = grow_spans(&renderer->samples.reach, &renderer->samples.reach_capacity, count);
    for (int t = 0; ok && t < renderer->thread_count; t++)
        ok = grow_spans(&renderer->scratch[t].reach, &renderer->scratch[t].reach_capacity, count);
    return ok ? CC_OK : cc_fail(err, CC_ERR_NOMEM, "out of memory for %ld plane rows", plane_rows);
}

static cc_status reserve_samples(sample_table *samples, int n, cc_error *err)
{
    if (!grow_spans(&samples->inside, &samples->steps_capacity, (size_t)n))
        return cc_fail(err, CC_ERR_NOMEM, "out of memory for %d depth steps", n);
    size_t count = (size_t)n * (size_t)n;
    if (samples->capacity >= count)
        return CC_OK;
    int32_t *offset = realloc(samples->offset, count * sizeof *offset);
    if (offset != NULL)
        samples->offset = offset;
    float *wy = realloc(samples->wy_single, count * sizeof *wy);
    if (wy != NULL)
        samples->wy_single = wy;
    float *wz = realloc(samples->wz_single, count * sizeof *wz);
    if (wz != NULL)
        samples->wz_single = wz;
    double *wyd = realloc(samples->wy_double, count * sizeof *wyd);
    if (wyd != NULL)
        samples->wy_double = wyd;
    double *wzd = realloc(samples->wz_double, count * sizeof *wzd);
    if (wzd != NULL)
        samples->wz_double = wzd;
    if (offset == NULL || wy == NULL || wz == NULL || wyd == NULL || wzd == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory for %zu camera samples", count);
    samples->capacity = count;
    return CC_OK;
}

static int owns(const cc_box *owned, int axis, long cell)
{
    return cell >= owned->lo[axis] && cell < owned->lo[axis] + owned->count[axis];
}

static void widen(index_span *span, int begin, int end)
{
    span->begin = begin < span->begin ? begin : span->begin;
    span->end = end > span->end ? end : span->end;
}

/* The rays of depth step i that can have a sample inside, in whole vectors:
 * each ray keeps the SIMD lane (and, in double precision, the libmvec or
 * scalar exp) it has over [0, n), so every decomposition computes it the
 * same way. */
static index_span rays_inside(const int32_t *offset, int n)
{
    int begin = 0, end = n;
    while (begin < n && offset[begin] < 0)
        begin++;
    while (end > begin && offset[end - 1] < 0)
        end--;
    index_span span = {begin / SPAN_ALIGN * SPAN_ALIGN, 0};
    if (end == begin)
        span.end = span.begin;
    else if (end > n - n % SPAN_ALIGN)
        span.end = n;
    else
        span.end = (end + SPAN_ALIGN - 1) / SPAN_ALIGN * SPAN_ALIGN;
    return span;
}

/* Step 1 for depth step i: the (y, z) cell and weights of its samples, the
 * rays that can be inside, and the plane cells they read widen reach. */
static void locate_step(sample_table *samples, const cc_view *view, const cc_volume *volume,
                        const cc_box *owned, int i, index_span *reach)
{
    const long *shape = cc_volume_global_shape(volume);
    const cc_box *box = cc_volume_box(volume);
    int n = view->size;
    double ci = cc_grid_coord(n, i);
    /* World to grid along y and z: 1 exactly for the original's camera. */
    double to_y = view->scale / view->spacing[1], to_z = view->scale / view->spacing[2];
    for (int k = 0; k < n; k++) {
        double ck = cc_grid_coord(n, k);
        double y = (ci * view->cos_theta - ck * view->sin_theta) * to_y;
        double z = (ci * view->sin_theta + ck * view->cos_theta) * to_z;
        size_t s = (size_t)i * (size_t)n + (size_t)k;
        int cy = 0, cz = 0;
        double wy, wz;
        int inside = cc_grid_locate((int)shape[1], y, &cy, &wy) &&
                     cc_grid_locate((int)shape[2], z, &cz, &wz) && owns(owned, 1, cy) &&
                     owns(owned, 2, cz);
        int ly = cy - (int)box->lo[1], lz = cz - (int)box->lo[2];
        samples->offset[s] = inside ? (int32_t)(ly * box->count[2] + lz) : -1;
        samples->wy_double[s] = inside ? wy : 0.0;
        samples->wz_double[s] = inside ? wz : 0.0;
        samples->wy_single[s] = (float)samples->wy_double[s];
        samples->wz_single[s] = (float)samples->wz_double[s];
        if (inside) { /* the cell's four corners */
            widen(&reach[ly], lz, lz + 2);
            widen(&reach[ly + 1], lz, lz + 2);
        }
    }
    samples->inside[i] = rays_inside(samples->offset + (size_t)i * (size_t)n, n);
}

/* Step 1: every depth step of the view, then the threads' reaches merged. */
static void locate_samples(cc_renderer *renderer, const cc_view *view, const cc_volume *volume,
                           const cc_box *owned)
{
    sample_table *samples = &renderer->samples;
    int n = view->size, plane_rows = (int)cc_volume_box(volume)->count[1];
    const index_span nothing = {INT_MAX, INT_MIN};
    for (int t = 0; t < renderer->thread_count; t++)
        for (int y = 0; y < plane_rows; y++)
            renderer->scratch[t].reach[y] = nothing;
#pragma omp parallel num_threads(renderer->thread_count)
    {
        index_span *reach = renderer->scratch[thread_id()].reach;
#pragma omp for schedule(static)
        for (int i = 0; i < n; i++)
            locate_step(samples, view, volume, owned, i, reach);
#pragma omp for schedule(static)
        for (int y = 0; y < plane_rows; y++) {
            index_span merged = nothing;
            for (int t = 0; t < renderer->thread_count; t++)
                widen(&merged, renderer->scratch[t].reach[y].begin,
                      renderer->scratch[t].reach[y].end);
            samples->reach[y] = merged;
        }
    }
    /* Outside samples read (and discard) the plane at offset 0. */
    for (int y = 0; y < 2 && y < plane_rows; y++)
        widen(&samples->reach[y], 0, 2);
}

/* Step 2, single precision: plane = (1 - wx) * V[x] + wx * V[x + 1].
 * Every interpolation is written (1 - w) * a + w * b rather than
 * a + w * (b - a): densities span many decades, and the shorter form loses
 * a small b next to a large a even at w = 1 (the cube's last plane). */
static void lerp_plane_single(const float *restrict lower, const float *restrict upper, float wx,
                              const index_span *reach, int plane_rows, long stride,
                              float *restrict plane)
{
    for (int y = 0; y < plane_rows; y++) {
        size_t row = (size_t)y * (size_t)stride;
        for (int z = reach[y].begin; z < reach[y].end; z++)
            plane[row + z] = (1.0f - wx) * lower[row + z] + wx * upper[row + z];
    }
}

static void lerp_plane_double(const double *restrict lower, const double *restrict upper, double wx,
                              const index_span *reach, int plane_rows, long stride,
                              double *restrict plane)
{
    for (int y = 0; y < plane_rows; y++) {
        size_t row = (size_t)y * (size_t)stride;
        for (int z = reach[y].begin; z < reach[y].end; z++)
            plane[row + z] = (1.0 - wx) * lower[row + z] + wx * upper[row + z];
    }
}

/* How many neighbouring rays step through depth together.  Along a row the
 * rays sit along (-sin, cos) in the y-z plane.  When that runs mostly along
 * z (the plane's rows), one depth step of all N rays reads a few plane rows
 * and sweeping whole rows is fastest.  Otherwise a depth step touches a
 * cache line and a page per ray, and once the plane outgrows L2, blocks of
 * 128 rays keep their strip of it in cache across depth.  Measured on a
 * 1024^3 cube, N = 1024 (4 MiB plane), one frame, M samples/s unblocked ->
 * blocked: 0 deg 530 -> 330, 22.5 deg 559 -> 527, 30 deg 411 -> 545,
 * 45 deg 351 -> 446, 90 deg 296 -> 453.  At N = 256 (256 KiB plane)
 * blocking gained nothing. */
static int ray_block(const cc_view *view, size_t plane_bytes)
{
    int diagonal = fabs(view->sin_theta) > 0.5 * fabs(view->cos_theta);
    return diagonal && plane_bytes > PLANE_CACHE_BYTES ? 128 : view->size;
}

/* Two neighbouring floats read as one 64-bit word, so the compiler gathers
 * them as one element instead of two. */
static inline void load_pair(const float *p, float *first, float *second)
{
    uint64_t pair;
    memcpy(&pair, p, sizeof pair);
    uint32_t low = (uint32_t)pair, high = (uint32_t)(pair >> 32);
    memcpy(first, &low, sizeof *first);
    memcpy(second, &high, sizeof *second);
}

/* (1 - w) * p[0] + w * p[1]. */
static inline float lerp_pair(const float *p, float w)
{
    float first, second;
    load_pair(p, &first, &second);
    return (1.0f - w) * first + w * second;
}

/* Step 3, single precision: composites depth steps [0, N) of one row, for
 * blocks of `block` rays at a time (ray_block).  The loop over the rays
 * must hold no inner loop for gcc to vectorise it, so the function is
 * copied per transfer function shape, with constant arguments: original
 * (section 1's bands by cc_transfer_single, outside samples read as 0),
 * or cc_tf_sample_single with shape (bands, piecewise, piecewise with
 * VTK's opacity curve), count (bands, or halvings of the segment search)
 * and corrected (an opacity unit); each copy unrolls
 * fully.  transfer_kernel_single picks a copy. */
static inline __attribute__((always_inline)) void
composite_row_single_tf(const sample_table *samples, const float *restrict plane, long plane_stride,
                        int n, int block, float *restrict rays, const cc_tf_single *tf,
                        const int original, const int shape, const int count, const int corrected)
{
    float *restrict r = rays, *restrict g = rays + n, *restrict b = rays + 2 * n;
    float *restrict t = rays + 3 * n;
    const int log_scale = tf->log_scale, nodes = tf->node_count;
    for (int k = 0; k < n; k++) {
        r[k] = g[k] = b[k] = 0.0f;
        t[k] = 1.0f;
    }
    for (int k0 = 0; k0 < n; k0 += block) {
        int k1 = k0 + block < n ? k0 + block : n;
        for (int i = 0; i < n; i++) {
            int begin = k0 > samples->inside[i].begin ? k0 : samples->inside[i].begin;
            int end = k1 < samples->inside[i].end ? k1 : samples->inside[i].end;
            const int32_t *restrict offset = samples->offset + (size_t)i * (size_t)n;
            const float *restrict wy = samples->wy_single + (size_t)i * (size_t)n;
            const float *restrict wz = samples->wz_single + (size_t)i * (size_t)n;
#pragma omp simd
            for (int k = begin; k < end; k++) {
                int32_t o = offset[k] < 0 ? 0 : offset[k];
                float v0 = lerp_pair(plane + o, wz[k]);
                float v1 = lerp_pair(plane + o + plane_stride, wz[k]);
                float v = (1.0f - wy[k]) * v0 + wy[k] * v1;
                cc_rgba_single c;
                if (original) {
                    /* Outside samples read as 0, which is empty. */
                    float cr, cg, cb, ca;
                    cc_transfer_single(offset[k] < 0 ? 0.0f : v, &cr, &cg, &cb, &ca);
                    c = (cc_rgba_single){cr, cg, cb, ca};
                } else {
                    /* Outside samples are NaN: empty on any scale. */
                    v = offset[k] < 0 ? NAN : v;
                    c = cc_tf_sample_single(tf, v, log_scale, nodes, shape, count, corrected);
                }
                r[k] = c.a * c.r + (1.0f - c.a) * r[k];
                g[k] = c.a * c.g + (1.0f - c.a) * g[k];
                b[k] = c.a * c.b + (1.0f - c.a) * b[k];
                t[k] *= 1.0f - c.a;
            }
        }
    }
}

/* The copies of composite_row_single_tf, each a function of its own: gcc
 * unrolls and vectorises one copy at a time, not 68 inlined into one
 * function.  kernel_P_C_O: shape P, C bands or halvings, opacity unit O. */
typedef void (*tf_kernel)(const sample_table *, const float *, long, int, int, float *,
                          const cc_tf_single *);
#define CC_KERNEL(P, C, O)                                                                         \
    static void kernel_##P##_##C##_##O(const sample_table *samples, const float *plane,            \
                                       long plane_stride, int n, int block, float *rays,           \
                                       const cc_tf_single *tf)                                     \
    {                                                                                              \
        composite_row_single_tf(samples, plane, plane_stride, n, block, rays, tf, 0, P, C, O);     \
    }
#define CC_KERNELS(P, O)                                                                           \
    CC_KERNEL(P, 1, O)                                                                             \
    CC_KERNEL(P, 2, O)                                                                             \
    CC_KERNEL(P, 3, O)                                                                             \
    CC_KERNEL(P, 4, O)                                                                             \
    CC_KERNEL(P, 5, O)                                                                             \
    CC_KERNEL(P, 6, O)                                                                             \
    CC_KERNEL(P, 7, O)                                                                             \
    CC_KERNEL(P, 8, O)                                                                             \
    CC_KERNEL(P, 9, O)                                                                             \
    CC_KERNEL(P, 10, O)                                                                            \
    CC_KERNEL(P, 11, O)                                                                            \
    CC_KERNEL(P, 12, O)                                                                            \
    CC_KERNEL(P, 13, O)                                                                            \
    CC_KERNEL(P, 14, O)                                                                            \
    CC_KERNEL(P, 15, O)                                                                            \
    CC_KERNEL(P, 16, O)
CC_KERNELS(0, 0)
CC_KERNELS(0, 1)
CC_KERNELS(1, 0)
CC_KERNELS(1, 1)
CC_KERNELS(2, 0)
CC_KERNELS(2, 1)
#define CC_ROW(P, O)                                                                               \
    {                                                                                              \
        kernel_##P##_1_##O, kernel_##P##_2_##O, kernel_##P##_3_##O, kernel_##P##_4_##O,            \
            kernel_##P##_5_##O, kernel_##P##_6_##O, kernel_##P##_7_##O, kernel_##P##_8_##O,        \
            kernel_##P##_9_##O, kernel_##P##_10_##O, kernel_##P##_11_##O, kernel_##P##_12_##O,     \
            kernel_##P##_13_##O, kernel_##P##_14_##O, kernel_##P##_15_##O, kernel_##P##_16_##O     \
    }
static const tf_kernel tf_kernels[3][2][16] = {
    {CC_ROW(0, 0), CC_ROW(0, 1)}, {CC_ROW(1, 0), CC_ROW(1, 1)}, {CC_ROW(2, 0), CC_ROW(2, 1)}};
#undef CC_ROW
#undef CC_KERNELS
#undef CC_KERNEL

/* Section 1's function: the copy that renders the default, bit for bit. */
static void composite_row_single(const sample_table *samples, const float *plane, long plane_stride,
                                 int n, int block, float *rays, const cc_tf_single *tf)
{
    composite_row_single_tf(samples, plane, plane_stride, n, block, rays, tf, 1, 0, 3, 0);
}

/* Picks the copy of composite_row_single_tf for tf. */
static void transfer_kernel_single(const sample_table *samples, const float *plane,
                                   long plane_stride, int n, int block, float *rays,
                                   const cc_tf_single *tf)
{
    int piecewise = tf->kind == CC_TF_PIECEWISE, corrected = tf->opacity_exponent != 0.0f;
    int shape = piecewise ? 1 + (tf->alpha_count > 0) : 0; /* 2: VTK's opacity curve */
    int count = piecewise ? cc_tf_search_halvings(tf->node_count) : tf->band_count;
    count = count < 1 ? 1 : (count > 16 ? 16 : count);
    tf_kernels[shape][corrected][count - 1](samples, plane, plane_stride, n, block, rays, tf);
}

/* glibc's libmvec has vector exp and log (within 4 ulp); declaring them
 * SIMD-callable lets the compiler vectorise the double-precision loop
 * without -ffast-math, which would break the NaN/inf handling below. */
#pragma omp declare simd notinbranch
extern double exp(double);
#pragma omp declare simd notinbranch
extern double log(double);

/* Step 3, double precision: the exact transfer function.  Each depth step
 * runs in two loops - the reads (gathers) first, then log/exp on contiguous
 * values - because the compiler vectorises each but not the two fused.
 * Empty samples (outside, <= 0, NaN, infinite) get zero colour and alpha,
 * which leaves the ray unchanged exactly (0 * 0 + 1 * C): no branch. */
static void composite_row_double(const sample_table *samples, const double *restrict plane,
                                 long plane_stride, int n, double *restrict rays)
{
    double *restrict r = rays, *restrict g = rays + n, *restrict b = rays + 2 * n;
    double *restrict t = rays + 3 * n;
    double *restrict value = rays + 4 * n, *restrict keep = rays + 5 * n;
    for (int k = 0; k < n; k++) {
        r[k] = g[k] = b[k] = 0.0;
        t[k] = 1.0;
    }
    for (int i = 0; i < n; i++) {
        const int32_t *restrict offset = samples->offset + (size_t)i * (size_t)n;
        const double *restrict wy = samples->wy_double + (size_t)i * (size_t)n;
        const double *restrict wz = samples->wz_double + (size_t)i * (size_t)n;
        int begin = samples->inside[i].begin, end = samples->inside[i].end;
#pragma omp simd
        for (int k = begin; k < end; k++) {
            int32_t o = offset[k] < 0 ? 0 : offset[k];
            double v0 = (1.0 - wz[k]) * plane[o] + wz[k] * plane[o + 1];
            double v1 =
                (1.0 - wz[k]) * plane[o + plane_stride] + wz[k] * plane[o + plane_stride + 1];
            double v = (1.0 - wy[k]) * v0 + wy[k] * v1;
            int inside = (offset[k] >= 0) & (v > 0.0) & (v < INFINITY);
            value[k] = inside ? v : 1.0;
            keep[k] = inside ? 1.0 : 0.0;
        }
#pragma omp simd
        for (int k = begin; k < end; k++) {
            double cr, cg, cb, a;
            cc_transfer_double(log(value[k]), keep[k], &cr, &cg, &cb, &a);
            r[k] = a * cr + (1.0 - a) * r[k];
            g[k] = a * cg + (1.0 - a) * g[k];
            b[k] = a * cb + (1.0 - a) * b[k];
            t[k] *= 1.0 - a;
        }
    }
}

/* Step 3, double precision, for a band or piecewise transfer function or one
 * with an opacity unit: cc_tf_eval per sample, exactly. */
static void composite_row_double_tf(const sample_table *samples, const double *restrict plane,
                                    long plane_stride, int n, double *restrict rays,
                                    const cc_tf *tf)
{
    double *restrict r = rays, *restrict g = rays + n, *restrict b = rays + 2 * n;
    double *restrict t = rays + 3 * n;
    for (int k = 0; k < n; k++) {
        r[k] = g[k] = b[k] = 0.0;
        t[k] = 1.0;
    }
    for (int i = 0; i < n; i++) {
        const int32_t *restrict offset = samples->offset + (size_t)i * (size_t)n;
        const double *restrict wy = samples->wy_double + (size_t)i * (size_t)n;
        const double *restrict wz = samples->wz_double + (size_t)i * (size_t)n;
        for (int k = samples->inside[i].begin; k < samples->inside[i].end; k++) {
            if (offset[k] < 0)
                continue; /* outside: empty */
            int32_t o = offset[k];
            double v0 = (1.0 - wz[k]) * plane[o] + wz[k] * plane[o + 1];
            double v1 =
                (1.0 - wz[k]) * plane[o + plane_stride] + wz[k] * plane[o + plane_stride + 1];
            double rgba[4];
            cc_tf_eval(tf, (1.0 - wy[k]) * v0 + wy[k] * v1, rgba);
            double a = rgba[3];
            r[k] = a * rgba[0] + (1.0 - a) * r[k];
            g[k] = a * rgba[1] + (1.0 - a) * g[k];
            b[k] = a * rgba[2] + (1.0 - a) * b[k];
            t[k] *= 1.0 - a;
        }
    }
}

static void store_row(cc_image *image, int j, const void *rays, cc_precision precision)
{
    int n = image->width;
    double *colour = image->colour + (size_t)(j - image->row_begin) * (size_t)n * 3;
    double *transmittance = image->transmittance + (size_t)(j - image->row_begin) * (size_t)n;
    for (int k = 0; k < n; k++) {
        for (int c = 0; c < 3; c++)
            colour[3 * k + c] = precision == CC_SINGLE ? ((const float *)rays)[c * n + k]
                                                       : ((const double *)rays)[c * n + k];
        transmittance[k] = precision == CC_SINGLE ? ((const float *)rays)[3 * n + k]
                                                  : ((const double *)rays)[3 * n + k];
    }
}

static void clear_row(cc_image *image, int j)
{
    size_t n = (size_t)image->width, row = (size_t)(j - image->row_begin);
    for (size_t k = 0; k < n; k++) {
        image->colour[(row * n + k) * 3 + 0] = 0.0;
        image->colour[(row * n + k) * 3 + 1] = 0.0;
        image->colour[(row * n + k) * 3 + 2] = 0.0;
        image->transmittance[row * n + k] = 1.0;
    }
}

/* Renders one row with this thread's scratch; returns 0 when out of memory. */
/* Renders one row with this thread's scratch; returns 0 when out of memory. */
static int render_row(const cc_renderer *renderer, thread_scratch *scratch, const cc_volume *volume,
                      const cc_view *view, const row_plan *row, cc_image *image, int j)
{
    if (row->source == ROW_EMPTY) {
        clear_row(image, j);
        return 1;
    }
    const cc_box *box = cc_volume_box(volume);
    cc_precision precision = cc_volume_precision(volume);
    size_t value_size = cc_precision_size(precision);
    size_t plane_count = (size_t)box->count[1] * (size_t)box->count[2];
    int n = view->size;
    if (!grow(&scratch->plane, &scratch->plane_bytes, plane_count * value_size) ||
        !grow(&scratch->rays, &scratch->ray_bytes, 6 * (size_t)n * value_size))
        return 0;
    const char *values = cc_volume_values_const(volume);
    const char *lower = values + (size_t)(row->cell - box->lo[0]) * plane_count * value_size;
    const char *upper = lower + plane_count * value_size;
    /* A row on a grid plane reads that plane.  A small one is copied first,
     * which pulls it into L2 in order (W1, N = 256: 14% faster than
     * gathering from the cube); a large one is read where it is (W2,
     * N = 1024: 4.5% faster than copying 4 MiB per row). */
    const void *plane = scratch->plane;
    size_t plane_bytes = plane_count * value_size;
    const index_span *reach = renderer->samples.reach;
    int plane_rows = (int)box->count[1];
    long stride = box->count[2];
    if (row->source == ROW_ON_PLANE && plane_bytes > PLANE_CACHE_BYTES)
        plane = lower;
    else if (row->source == ROW_ON_PLANE)
        memcpy(scratch->plane, lower, plane_bytes);
    else if (precision == CC_SINGLE)
        lerp_plane_single((const float *)lower, (const float *)upper, (float)row->weight, reach,
                          plane_rows, stride, scratch->plane);
    else
        lerp_plane_double((const double *)lower, (const double *)upper, row->weight, reach,
                          plane_rows, stride, scratch->plane);
    /* Section 1's function keeps its own fast code (bit for bit as before). */
    int original = renderer->tf.kind == CC_TF_ORIGINAL && renderer->tf.opacity_exponent == 0.0;
    if (precision == CC_SINGLE && original)
        composite_row_single(&renderer->samples, plane, box->count[2], n,
                             ray_block(view, plane_bytes), scratch->rays, &renderer->tf_single);
    else if (precision == CC_SINGLE)
        transfer_kernel_single(&renderer->samples, plane, box->count[2], n,
                               ray_block(view, plane_bytes), scratch->rays, &renderer->tf_single);
    else if (original)
        composite_row_double(&renderer->samples, plane, box->count[2], n, scratch->rays);
    else
        composite_row_double_tf(&renderer->samples, plane, box->count[2], n, scratch->rays,
                                &renderer->tf);
    store_row(image, j, scratch->rays, precision);
    return 1;
}

/* Where each row of the slab gets its plane.  A row on a grid plane (every
 * row when N equals the cube's nx) needs no lerp: (1 - 0) * a + 0 * b is a
 * whenever b is finite (a -0 may become +0, empty all the same), so the
 * plane is used as it is.  A NaN or infinite b is left to the lerp, which spreads
 * it as SciPy does.  Done before the threads start, because
 * cc_volume_plane_finite scans a plane on first use. */
static void plan_rows(row_plan *rows, const cc_volume *volume, const cc_view *view,
                      const cc_box *owned, const cc_image *image)
{
    int nx = (int)cc_volume_global_shape(volume)[0];
    for (int j = image->row_begin; j < image->row_begin + image->rows; j++) {
        row_plan *row = &rows[j - image->row_begin];
        if (!cc_grid_locate(nx, cc_view_row_coord(view, j), &row->cell, &row->weight) ||
            !owns(owned, 0, row->cell))
            row->source = ROW_EMPTY;
        else if (row->weight == 0.0 && cc_volume_plane_finite(volume, row->cell + 1))
            row->source = ROW_ON_PLANE;
        else
            row->source = ROW_LERP;
    }
}

/* A tilted view (render_general.h): each thread composites blocks of
 * CC_GENERAL_ROWS whole rows. */
static cc_status render_general(cc_renderer *renderer, const cc_volume *volume, const cc_view *view,
                                const cc_box *owned_cells, cc_image *image, cc_error *err)
{
    cc_precision precision = cc_volume_precision(volume);
    size_t scratch_bytes = cc_general_scratch_bytes(view->size, CC_GENERAL_ROWS, precision);
    size_t ray_bytes = CC_GENERAL_ROWS * 4 * (size_t)view->size * cc_precision_size(precision);
    int failed = 0, row_end = image->row_begin + image->rows;
#pragma omp parallel for schedule(dynamic, 1) reduction(|                                          \
                                                        : failed)                                  \
    num_threads(renderer->thread_count)
    for (int j = image->row_begin; j < row_end; j += CC_GENERAL_ROWS) {
        thread_scratch *scratch = &renderer->scratch[thread_id()];
        if (!grow(&scratch->plane, &scratch->plane_bytes, scratch_bytes) ||
            !grow(&scratch->rays, &scratch->ray_bytes, ray_bytes)) {
            failed = 1;
            continue;
        }
        int rows = row_end - j < CC_GENERAL_ROWS ? row_end - j : CC_GENERAL_ROWS;
        cc_general_rows(volume, view, owned_cells, &renderer->tf, &renderer->tf_single, j, rows,
                        scratch->rays, scratch->plane);
        size_t row_bytes = 4 * (size_t)view->size * cc_precision_size(precision);
        for (int r = 0; r < rows; r++)
            store_row(image, j + r, (char *)scratch->rays + (size_t)r * row_bytes, precision);
    }
    if (failed)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory for the render scratch buffers");
    return CC_OK;
}

cc_status CC_KERNEL_NAME(cc_render_slab)(cc_renderer *renderer, const cc_volume *volume,
                                         const cc_view *view, const cc_box *owned_cells,
                                         cc_image *image, cc_error *err)
{
    int n = view->size;
    if (image->width != n)
        return cc_fail(err, CC_ERR_INTERNAL, "image width %d does not match view size %d",
                       image->width, n);
    if (!view->in_planes)
        return render_general(renderer, volume, view, owned_cells, image, err);
    cc_status status = reserve_samples(&renderer->samples, n, err);
    if (status != CC_OK)
        return status;
    status = reserve_reach(renderer, cc_volume_box(volume)->count[1], err);
    if (status != CC_OK)
        return status;
    locate_samples(renderer, view, volume, owned_cells);
    int failed = 0;
    int row_end = image->row_begin + image->rows;
    if (!grow(&renderer->rows, &renderer->rows_bytes, sizeof(row_plan) * (size_t)image->rows))
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    const row_plan *rows = renderer->rows;
    plan_rows(renderer->rows, volume, view, owned_cells, image);
#pragma omp parallel for schedule(dynamic, 1) reduction(|                                          \
                                                        : failed)                                  \
    num_threads(renderer->thread_count)
    for (int j = image->row_begin; j < row_end; j++) {
        thread_scratch *scratch = &renderer->scratch[thread_id()];
        failed |=
            !render_row(renderer, scratch, volume, view, &rows[j - image->row_begin], image, j);
    }
    if (failed)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory for the render scratch buffers");
    return CC_OK;
}
