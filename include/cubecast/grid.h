/* grid.h - where voxels and camera samples sit in world coordinates.
 *
 * Along an axis of n points, point m sits at -n/2 + m * n/(n-1), computed
 * exactly as NumPy's linspace(-n/2, n/2, n) computes it (the last point is
 * exactly n/2).  The volume grid and the camera grid both use this rule.
 *
 * The rule is written once, inline, so that the CUDA kernel (nvcc) runs
 * the very arithmetic of the CPU's: products and sums are rounded one by
 * one on the GPU too (nvcc would otherwise fuse them into one fma and move
 * a sample that sits on a grid plane into the neighbouring cell). */
#ifndef CUBECAST_GRID_H
#define CUBECAST_GRID_H

#include <math.h>

#include "cubecast/hostdev.h"

#if defined(__CUDA_ARCH__)
#define CC_GRID_MUL(a, b) __dmul_rn((a), (b))
#define CC_GRID_ADD(a, b) __dadd_rn((a), (b))
#define CC_GRID_SUB(a, b) __dsub_rn((a), (b))
#else
#define CC_GRID_MUL(a, b) ((a) * (b))
#define CC_GRID_ADD(a, b) ((a) + (b))
#define CC_GRID_SUB(a, b) ((a) - (b))
#endif

/* cc_grid_coord, inline. */
CC_HOST_DEVICE static CC_FORCE_INLINE double cc_grid_coord_inline(int n, int m)
{
    /* NumPy's linspace: start + m * step, with the end point set exactly. */
    double half = (double)n / 2.0;
    if (m == n - 1)
        return half;
    double step = (double)n / (double)(n - 1);
    return CC_GRID_SUB(CC_GRID_MUL((double)m, step), half);
}

/* cc_grid_locate, inline. */
CC_HOST_DEVICE static CC_FORCE_INLINE int cc_grid_locate_inline(int n, double p, int *cell,
                                                                double *weight)
{
    double half = (double)n / 2.0;
    /* The bounds test is done in world coordinates, against the exact end
     * points, so a sample on the last plane stays inside (as in SciPy). */
    if (!(p >= -half && p <= half))
        return 0;
    /* A first guess from the spacing, then the rule SciPy's interpn uses
     * (find_indices): the cell is the last grid point at or below p,
     * clipped to [0, n-2], and the weight is measured between the two grid
     * coordinates.  Matching the rule, not only the value, keeps cell
     * ownership (bricks mode) and double-precision results in step with
     * SciPy down to the last bit of the weights. */
    int index = (int)floor(CC_GRID_MUL(CC_GRID_ADD(p, half), (double)(n - 1) / (double)n));
    index = index > n - 2 ? n - 2 : (index < 0 ? 0 : index);
    while (index > 0 && !(cc_grid_coord_inline(n, index) <= p))
        index--;
    while (index < n - 2 && cc_grid_coord_inline(n, index + 1) <= p)
        index++;
    double lower = cc_grid_coord_inline(n, index), upper = cc_grid_coord_inline(n, index + 1);
    double w = CC_GRID_SUB(p, lower) / CC_GRID_SUB(upper, lower);
    *cell = index;
    *weight = w < 0.0 ? 0.0 : (w > 1.0 ? 1.0 : w);
    return 1;
}

/* World coordinate of point m of an axis of n points (n >= 2). */
double cc_grid_coord(int n, int m);

/* Locates world coordinate p on an axis of n points.  Returns 0 when p lies
 * outside [-n/2, n/2] (or is NaN).  Otherwise returns 1 and sets *cell to the
 * lower corner of the interpolation cell, in [0, n-2], and *weight to the
 * fractional position inside it, in [0, 1], by SciPy interpn's rule: the
 * cell is the last grid point at or below p (so grid point m lies in cell m
 * with weight 0, except the last plane: cell n-2, weight 1). */
int cc_grid_locate(int n, double p, int *cell, double *weight);

#endif
