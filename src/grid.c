/* grid.c - world coordinates of grid points (grid.h). */
#include "cubecast/grid.h"

#include <math.h>

double cc_grid_coord(int n, int m)
{
    /* NumPy's linspace: start + m * step, with the end point set exactly. */
    double half = (double)n / 2.0;
    if (m == n - 1)
        return half;
    double step = (double)n / (double)(n - 1);
    return (double)m * step - half;
}

int cc_grid_locate(int n, double p, int *cell, double *weight)
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
    int index = (int)floor((p + half) * ((double)(n - 1) / (double)n));
    index = index > n - 2 ? n - 2 : (index < 0 ? 0 : index);
    while (index > 0 && !(cc_grid_coord(n, index) <= p))
        index--;
    while (index < n - 2 && cc_grid_coord(n, index + 1) <= p)
        index++;
    double lower = cc_grid_coord(n, index), upper = cc_grid_coord(n, index + 1);
    double w = (p - lower) / (upper - lower);
    *cell = index;
    *weight = w < 0.0 ? 0.0 : (w > 1.0 ? 1.0 : w);
    return 1;
}
