/* render_general.c - the render kernel for any view direction
 * (render_general.h). */
#include "render_general.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cubecast/grid.h"
#include "render_sample.h"

/* Ray spans start and end on multiples of this many rays (a 512-bit vector
 * of floats), or at n, as in render.c, so a ray keeps its SIMD lane
 * whatever part of the row a decomposition renders. */
enum { SPAN_ALIGN = 16 };

/* Where the samples of one image row sit (render_sample.h): along stored
 * axis a, sample (i, k) is at grid index coordinate base[a][k] + c(i) *
 * step[a], and it is used when cc_sample_locate finds it in cells. */
typedef struct row_geometry {
    int n;
    double *base[3];
    double step[3];
    double row[3];    /* the row's part of base, before the column's */
    double column[3]; /* base[a][k] = row[a] + c(k) * column[a] */
    cc_sample_cells cells;
} row_geometry;

size_t cc_general_scratch_bytes(int n, int rows, cc_precision precision)
{
    /* base[3] of every row in double, then one step's values, then (double)
     * a mask */
    size_t per_ray =
        (size_t)rows * 3 * sizeof(double) + cc_precision_size(precision) + sizeof(double);
    return (size_t)n * per_ray + 64;
}

/* The geometry of image row j; returns 0 when the owned box is empty. */
static int row_geometry_of(const cc_volume *volume, const cc_view *view, const cc_box *owned, int j,
                           void *scratch, row_geometry *g)
{
    const long *shape = cc_volume_global_shape(volume);
    const cc_box *box = cc_volume_box(volume);
    int n = view->size;
    g->n = n;
    if (!cc_sample_cells_of(shape, box, owned, &g->cells))
        return 0;
    cc_sample_axes axes;
    cc_sample_axes_of(view, shape, &axes);
    cc_sample_row(&axes, cc_grid_coord(n, j), g->row, g->column, g->step);
    for (int a = 0; a < 3; a++) {
        g->base[a] = (double *)scratch + (size_t)a * (size_t)n;
        for (int k = 0; k < n; k++)
            g->base[a][k] = g->row[a] + cc_grid_coord(n, k) * g->column[a];
    }
    return 1;
}

/* The rays of depth step ci that can have a sample in the owned box, from
 * the linear form of each coordinate in k, widened by a ray each side
 * (the per-sample test decides) and to whole vectors. */
static void rays_inside(const row_geometry *g, double ci, int *begin, int *end)
{
    int n = g->n;
    double k_lo = 0.0, k_hi = (double)(n - 1);
    double first = cc_grid_coord(n, 0), pitch = (double)n / (double)(n - 1);
    for (int a = 0; a < 3; a++) {
        /* coordinate = constant + slope * k */
        double constant = g->row[a] + ci * g->step[a] + first * g->column[a];
        double slope = pitch * g->column[a];
        if (fabs(slope) < 1e-12) {
            if (constant < g->cells.lo[a] - 1e-9 || constant > g->cells.hi[a] + 1e-9)
                k_hi = -1.0;
            continue;
        }
        double from = (g->cells.lo[a] - constant) / slope;
        double to = (g->cells.hi[a] - constant) / slope;
        k_lo = fmax(k_lo, fmin(from, to));
        k_hi = fmin(k_hi, fmax(from, to));
    }
    if (!(k_hi >= k_lo)) {
        *begin = *end = 0;
        return;
    }
    int lo = (int)fmax(0.0, floor(k_lo) - 1.0), hi = (int)fmin((double)n, ceil(k_hi) + 2.0);
    *begin = lo / SPAN_ALIGN * SPAN_ALIGN;
    *end = hi > n - n % SPAN_ALIGN ? n : (hi + SPAN_ALIGN - 1) / SPAN_ALIGN * SPAN_ALIGN;
}

/* Step 1, single precision: the values of depth step ci for rays [begin,
 * end), trilinear from the cell's 8 corners ((1 - w) a + w b at every
 * stage, as render.c's lerps), `empty` where a sample is not used. */
static void sample_step_single(const row_geometry *g, const float *restrict values, double ci,
                               int begin, int end, float empty, float *restrict out)
{
    const double *restrict bx = g->base[0], *restrict by = g->base[1], *restrict bz = g->base[2];
    double sx = ci * g->step[0], sy = ci * g->step[1], sz = ci * g->step[2];
    long xs = g->cells.stride[0], ys = g->cells.stride[1];
#pragma omp simd
    for (int k = begin; k < end; k++) {
        long o;
        double wx, wy, wz;
        int in = cc_sample_locate(&g->cells, bx[k] + sx, by[k] + sy, bz[k] + sz, &o, &wx, &wy, &wz);
        float v = cc_sample_trilinear_single(values, o, xs, ys, (float)wx, (float)wy, (float)wz);
        out[k] = in ? v : empty;
    }
}

static void sample_step_double(const row_geometry *geometry, const double *restrict values,
                               double ci, int begin, int end, double *restrict out)
{
    /* A local copy: gcc does not vectorise the loop reading the bounds
     * through the pointer (the float copy does not mind). */
    const row_geometry local = *geometry, *g = &local;
    const double *restrict bx = g->base[0], *restrict by = g->base[1], *restrict bz = g->base[2];
    double sx = ci * g->step[0], sy = ci * g->step[1], sz = ci * g->step[2];
    long xs = g->cells.stride[0], ys = g->cells.stride[1];
#pragma omp simd
    for (int k = begin; k < end; k++) {
        long o;
        double wx, wy, wz;
        int in = cc_sample_locate(&g->cells, bx[k] + sx, by[k] + sy, bz[k] + sz, &o, &wx, &wy, &wz);
        double v = cc_sample_trilinear_double(values, o, xs, ys, wx, wy, wz);
        out[k] = in ? v : NAN;
    }
}

/* Step 2, single precision: the transfer function and compositing of one
 * depth step's values, copied per transfer function shape as in render.c
 * (original: section 1's bands, empty samples given as 0; otherwise
 * cc_tf_sample_single with constant shape, count and corrected). */
static inline __attribute__((always_inline)) void
composite_step_single(const float *restrict value, int begin, int end, float *restrict rays, int n,
                      const cc_tf_single *tf, const int original, const int shape, const int count,
                      const int corrected)
{
    float *restrict r = rays, *restrict g = rays + n, *restrict b = rays + 2 * n;
    float *restrict t = rays + 3 * n;
    const int log_scale = tf->log_scale, nodes = tf->node_count;
#pragma omp simd
    for (int k = begin; k < end; k++) {
        cc_rgba_single c;
        if (original) {
            float cr, cg, cb, ca;
            cc_transfer_single(value[k], &cr, &cg, &cb, &ca);
            c = (cc_rgba_single){cr, cg, cb, ca};
        } else {
            c = cc_tf_sample_single(tf, value[k], log_scale, nodes, shape, count, corrected);
        }
        r[k] = c.a * c.r + (1.0f - c.a) * r[k];
        g[k] = c.a * c.g + (1.0f - c.a) * g[k];
        b[k] = c.a * c.b + (1.0f - c.a) * b[k];
        t[k] *= 1.0f - c.a;
    }
}

typedef void (*step_kernel)(const float *, int, int, float *, int, const cc_tf_single *);
#define CC_STEP(P, C, O)                                                                           \
    static void step_##P##_##C##_##O(const float *value, int begin, int end, float *rays, int n,   \
                                     const cc_tf_single *tf)                                       \
    {                                                                                              \
        composite_step_single(value, begin, end, rays, n, tf, 0, P, C, O);                         \
    }
#define CC_STEPS(P, O)                                                                             \
    CC_STEP(P, 1, O)                                                                               \
    CC_STEP(P, 2, O)                                                                               \
    CC_STEP(P, 3, O)                                                                               \
    CC_STEP(P, 4, O)                                                                               \
    CC_STEP(P, 5, O)                                                                               \
    CC_STEP(P, 6, O)                                                                               \
    CC_STEP(P, 7, O)                                                                               \
    CC_STEP(P, 8, O)                                                                               \
    CC_STEP(P, 9, O)                                                                               \
    CC_STEP(P, 10, O)                                                                              \
    CC_STEP(P, 11, O)                                                                              \
    CC_STEP(P, 12, O)                                                                              \
    CC_STEP(P, 13, O)                                                                              \
    CC_STEP(P, 14, O)                                                                              \
    CC_STEP(P, 15, O)                                                                              \
    CC_STEP(P, 16, O)
CC_STEPS(0, 0)
CC_STEPS(0, 1)
CC_STEPS(1, 0)
CC_STEPS(1, 1)
CC_STEPS(2, 0)
CC_STEPS(2, 1)
#define CC_ROW(P, O)                                                                               \
    {                                                                                              \
        step_##P##_1_##O, step_##P##_2_##O, step_##P##_3_##O, step_##P##_4_##O, step_##P##_5_##O,  \
            step_##P##_6_##O, step_##P##_7_##O, step_##P##_8_##O, step_##P##_9_##O,                \
            step_##P##_10_##O, step_##P##_11_##O, step_##P##_12_##O, step_##P##_13_##O,            \
            step_##P##_14_##O, step_##P##_15_##O, step_##P##_16_##O                                \
    }
static const step_kernel step_kernels[3][2][16] = {
    {CC_ROW(0, 0), CC_ROW(0, 1)}, {CC_ROW(1, 0), CC_ROW(1, 1)}, {CC_ROW(2, 0), CC_ROW(2, 1)}};
#undef CC_ROW
#undef CC_STEPS
#undef CC_STEP

static void step_original(const float *value, int begin, int end, float *rays, int n,
                          const cc_tf_single *tf)
{
    composite_step_single(value, begin, end, rays, n, tf, 1, 0, 3, 0);
}

static step_kernel step_kernel_for(const cc_tf *tf, const cc_tf_single *tf_single)
{
    if (tf->kind == CC_TF_ORIGINAL && tf->opacity_exponent == 0.0)
        return step_original;
    int piecewise = tf_single->kind == CC_TF_PIECEWISE;
    int corrected = tf_single->opacity_exponent != 0.0f;
    int shape = piecewise ? 1 + (tf_single->alpha_count > 0) : 0;
    int count = piecewise ? cc_tf_search_halvings(tf_single->node_count) : tf_single->band_count;
    count = count < 1 ? 1 : (count > 16 ? 16 : count);
    return step_kernels[shape][corrected][count - 1];
}

#pragma omp declare simd notinbranch
extern double exp(double);
#pragma omp declare simd notinbranch
extern double log(double);

/* Step 2, double precision, section 1's bands exactly (as render.c's
 * composite_row_double: empty samples get zero colour and alpha). */
static void composite_step_original_double(double *restrict value, double *restrict keep, int begin,
                                           int end, double *restrict rays, int n)
{
    double *restrict r = rays, *restrict g = rays + n, *restrict b = rays + 2 * n;
    double *restrict t = rays + 3 * n;
    /* Two loops, as render.c's: gcc vectorises the log/exp loop only
     * without the selects. */
    for (int k = begin; k < end; k++) {
        int inside = (value[k] > 0.0) & (value[k] < INFINITY);
        keep[k] = inside ? 1.0 : 0.0;
        value[k] = inside ? value[k] : 1.0;
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

/* Step 2, double precision, any other transfer function: cc_tf_eval. */
static void composite_step_tf_double(const double *restrict value, int begin, int end,
                                     double *restrict rays, int n, const cc_tf *tf)
{
    double *restrict r = rays, *restrict g = rays + n, *restrict b = rays + 2 * n;
    double *restrict t = rays + 3 * n;
    for (int k = begin; k < end; k++) {
        if (isnan(value[k]))
            continue; /* not used (or NaN): empty on any scale */
        double rgba[4];
        cc_tf_eval(tf, value[k], rgba);
        double a = rgba[3];
        r[k] = a * rgba[0] + (1.0 - a) * r[k];
        g[k] = a * rgba[1] + (1.0 - a) * g[k];
        b[k] = a * rgba[2] + (1.0 - a) * b[k];
        t[k] *= 1.0 - a;
    }
}

void cc_general_rows(const cc_volume *volume, const cc_view *view, const cc_box *owned,
                     const cc_tf *tf, const cc_tf_single *tf_single, int row_begin, int rows,
                     void *rays, void *scratch)
{
    int n = view->size;
    int is_double = cc_volume_precision(volume) == CC_DOUBLE;
    size_t value_size = is_double ? sizeof(double) : sizeof(float);
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < 4; c++)
            for (int k = 0; k < n; k++) {
                size_t at = ((size_t)r * 4 + (size_t)c) * (size_t)n + (size_t)k;
                if (is_double)
                    ((double *)rays)[at] = c == 3 ? 1.0 : 0.0;
                else
                    ((float *)rays)[at] = c == 3 ? 1.0f : 0.0f;
            }
    row_geometry g[CC_GENERAL_ROWS];
    int live[CC_GENERAL_ROWS];
    for (int r = 0; r < rows; r++)
        live[r] = row_geometry_of(volume, view, owned, row_begin + r,
                                  (double *)scratch + (size_t)r * 3 * (size_t)n, &g[r]);
    void *value = (double *)scratch + (size_t)rows * 3 * (size_t)n;
    int original = tf->kind == CC_TF_ORIGINAL && tf->opacity_exponent == 0.0;
    step_kernel step = is_double ? NULL : step_kernel_for(tf, tf_single);
    const void *values = cc_volume_values_const(volume);
    /* Depth outermost, the rows of the block inside it: neighbouring rows
     * read neighbouring cells at the same depth, so what one row brings
     * into the cache the next one uses (a large tilted view would otherwise
     * stream each row's slanted plane of the volume from memory alone). */
    for (int i = 0; i < n; i++) {
        double ci = cc_grid_coord(n, i);
        for (int r = 0; r < rows; r++) {
            int begin, end;
            if (!live[r])
                continue;
            rays_inside(&g[r], ci, &begin, &end);
            if (begin >= end)
                continue;
            void *ray = (char *)rays + (size_t)r * 4 * (size_t)n * value_size;
            if (is_double) {
                sample_step_double(&g[r], values, ci, begin, end, value);
                if (original)
                    composite_step_original_double(value, (double *)value + n, begin, end, ray, n);
                else
                    composite_step_tf_double(value, begin, end, ray, n, tf);
            } else {
                /* Section 1's function reads an unused sample as 0, the
                 * others as NaN: empty either way. */
                sample_step_single(&g[r], values, ci, begin, end, original ? 0.0f : NAN, value);
                step(value, begin, end, ray, n, tf_single);
            }
        }
    }
}
