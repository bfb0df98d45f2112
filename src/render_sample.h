/* render_sample.h - one sample of a view in the held volume: where it
 * sits, whether its cell is owned, and its trilinear value (private to the
 * render kernels).
 *
 * The per-sample part of the general kernel (render_general.c), shared
 * with the CUDA kernel (src/cuda/render.cu) so that both locate and
 * interpolate a sample with the same arithmetic: compiled by gcc into
 * vectorised loops over rays, and by nvcc for one thread per ray.
 *
 * Along stored axis a of n_a points, sample (i, j, k) of a view sits at
 * grid index coordinate (voxel m at coordinate m)
 *     (row[a] + c(k) column[a]) + c(i) step[a]
 * with row[a] = centre[a] + factor[a] c(j) u[a], column[a] = factor[a]
 * w[a], step[a] = factor[a] d[a] (cc_sample_row), c the camera grid
 * (grid.h).  A sample is used when its coordinate lies in the owned cells
 * [lo, hi] on every axis (hi itself only where hi is the grid's last plane:
 * SciPy's rule puts the last plane in the last cell). */
#ifndef CUBECAST_RENDER_SAMPLE_H
#define CUBECAST_RENDER_SAMPLE_H

#include <stdint.h>
#include <string.h>

#include "cubecast/box.h"
#include "cubecast/grid.h"
#include "cubecast/hostdev.h"
#include "cubecast/view.h"

/* Loads through the GPU's read-only data cache (checked reads under the
 * CUDA stand-in of tests/cuda); plain loads on the CPU. */
#if defined(__CUDA_ARCH__) || defined(CC_CUDA_STANDIN)
#define CC_DEVICE_LOADS 1
#define CC_LOAD(p) __ldg(p)
#else
#define CC_LOAD(p) (*(p))
#endif

/* How a view's camera grid maps to grid coordinates, per stored axis. */
typedef struct cc_sample_axes {
    double centre[3]; /* 0.5 (n_a - 1): the world origin */
    double factor[3]; /* grid units per camera grid unit */
    double u[3], d[3], w[3];
} cc_sample_axes;

/* The owned cells and the held box, in grid coordinates. */
typedef struct cc_sample_cells {
    double lo[3], hi[3];
    int hi_open[3];   /* hi belongs to a cell that is not owned */
    int last_cell[3]; /* the cell of the grid's last plane: n - 2 */
    long box_lo[3];   /* the held box's first voxel */
    long stride[2];   /* of stored axes 0 and 1 in the held box */
} cc_sample_cells;

static inline void cc_sample_axes_of(const cc_view *view, const long shape[3], cc_sample_axes *out)
{
    for (int a = 0; a < 3; a++) {
        /* World p / spacing = -n/2 + m * n/(n-1) at voxel m. */
        double na = (double)shape[a];
        out->centre[a] = 0.5 * (na - 1.0);
        out->factor[a] = view->scale * (na - 1.0) / (na * view->spacing[a]);
        out->u[a] = view->u[a];
        out->d[a] = view->d[a];
        out->w[a] = view->w[a];
    }
}

/* The cells of owned (cell indices) in a volume of shape holding box; 0
 * when owned is empty. */
static inline int cc_sample_cells_of(const long shape[3], const cc_box *box, const cc_box *owned,
                                     cc_sample_cells *out)
{
    for (int a = 0; a < 3; a++) {
        if (owned->count[a] <= 0)
            return 0;
        out->lo[a] = (double)owned->lo[a];
        out->hi[a] = (double)(owned->lo[a] + owned->count[a]);
        out->hi_open[a] = owned->lo[a] + owned->count[a] < shape[a] - 1;
        out->last_cell[a] = (int)shape[a] - 2;
        out->box_lo[a] = box->lo[a];
    }
    out->stride[1] = box->count[2];
    out->stride[0] = box->count[1] * box->count[2];
    return 1;
}

/* Image row cj's part of every sample's coordinate. */
CC_HOST_DEVICE static CC_FORCE_INLINE void cc_sample_row(const cc_sample_axes *axes, double cj,
                                                         double row[3], double column[3],
                                                         double step[3])
{
    for (int a = 0; a < 3; a++) {
        row[a] = axes->centre[a] + axes->factor[a] * cj * axes->u[a];
        column[a] = axes->factor[a] * axes->w[a];
        step[a] = axes->factor[a] * axes->d[a];
    }
}

/* 1 when coordinate x along axis a lies in the owned cells. */
CC_HOST_DEVICE static CC_FORCE_INLINE int cc_sample_owned(const cc_sample_cells *c, int a, double x)
{
    return (x >= c->lo[a]) & ((x < c->hi[a]) | ((x <= c->hi[a]) & !c->hi_open[a]));
}

/* Where the sample at grid coordinates (x, y, z) reads: 1 when it is
 * used, with the offset of its cell's lower corner in the held box and
 * its weights; 0 (offset of the box's first cell, in bounds) otherwise. */
CC_HOST_DEVICE static CC_FORCE_INLINE int cc_sample_locate(const cc_sample_cells *c, double x,
                                                           double y, double z, long *offset,
                                                           double *wx, double *wy, double *wz)
{
    int in = cc_sample_owned(c, 0, x) & cc_sample_owned(c, 1, y) & cc_sample_owned(c, 2, z);
    x = in ? x : c->lo[0];
    y = in ? y : c->lo[1];
    z = in ? z : c->lo[2];
    /* The cell is the coordinate's integer part, the last plane's cell
     * the last cell (SciPy's rule); the weight what is left. */
    int cx = (int)x, cy = (int)y, cz = (int)z;
    cx = cx < c->last_cell[0] ? cx : c->last_cell[0];
    cy = cy < c->last_cell[1] ? cy : c->last_cell[1];
    cz = cz < c->last_cell[2] ? cz : c->last_cell[2];
    *wx = x - (double)cx;
    *wy = y - (double)cy;
    *wz = z - (double)cz;
    *offset = (long)(cx - c->box_lo[0]) * c->stride[0] + (long)(cy - c->box_lo[1]) * c->stride[1] +
              (long)(cz - c->box_lo[2]);
    return in;
}

/* (1 - w) p[0] + w p[1].  On the CPU the two neighbouring floats are read
 * as one 64-bit word (one gather element instead of two). */
CC_HOST_DEVICE static CC_FORCE_INLINE float cc_sample_lerp_pair(const float *p, float w)
{
#if defined(CC_DEVICE_LOADS)
    float first = CC_LOAD(p), second = CC_LOAD(p + 1);
#else
    uint64_t pair;
    memcpy(&pair, p, sizeof pair);
    uint32_t low = (uint32_t)pair, high = (uint32_t)(pair >> 32);
    float first, second;
    memcpy(&first, &low, sizeof first);
    memcpy(&second, &high, sizeof second);
#endif
    return (1.0f - w) * first + w * second;
}

/* The trilinear value from the cell at offset o of a box with strides xs
 * and ys, (1 - w) a + w b at every stage (z, then y, then x): densities
 * span decades, and a + w (b - a) would lose a small b next to a large a. */
CC_HOST_DEVICE static CC_FORCE_INLINE float cc_sample_trilinear_single(const float *values, long o,
                                                                       long xs, long ys, float fx,
                                                                       float fy, float fz)
{
    const float *p = values + o;
    float c00 = cc_sample_lerp_pair(p, fz), c01 = cc_sample_lerp_pair(p + ys, fz);
    float c10 = cc_sample_lerp_pair(p + xs, fz), c11 = cc_sample_lerp_pair(p + xs + ys, fz);
    return (1.0f - fx) * ((1.0f - fy) * c00 + fy * c01) + fx * ((1.0f - fy) * c10 + fy * c11);
}

CC_HOST_DEVICE static CC_FORCE_INLINE double cc_sample_trilinear_double(const double *values,
                                                                        long o, long xs, long ys,
                                                                        double wx, double wy,
                                                                        double wz)
{
    /* Indexed from values (not from values + o) so gcc can gather. */
    long o1 = o + ys, o2 = o + xs, o3 = o + xs + ys;
    double c00 = (1.0 - wz) * CC_LOAD(values + o) + wz * CC_LOAD(values + o + 1);
    double c01 = (1.0 - wz) * CC_LOAD(values + o1) + wz * CC_LOAD(values + o1 + 1);
    double c10 = (1.0 - wz) * CC_LOAD(values + o2) + wz * CC_LOAD(values + o2 + 1);
    double c11 = (1.0 - wz) * CC_LOAD(values + o3) + wz * CC_LOAD(values + o3 + 1);
    return (1.0 - wx) * ((1.0 - wy) * c00 + wy * c01) + wx * ((1.0 - wy) * c10 + wy * c11);
}

#endif
