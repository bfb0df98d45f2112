/* grid.h - where voxels and camera samples sit in world coordinates.
 *
 * Along an axis of n points, point m sits at -n/2 + m * n/(n-1), computed
 * exactly as NumPy's linspace(-n/2, n/2, n) computes it (the last point is
 * exactly n/2).  The volume grid and the camera grid both use this rule. */
#ifndef CUBECAST_GRID_H
#define CUBECAST_GRID_H

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
