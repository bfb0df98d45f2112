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
    double t = (p + half) * ((double)(n - 1) / (double)n);
    double lower = floor(t);
    int index = (int)lower;
    if (index > n - 2)
        index = n - 2;
    if (index < 0)
        index = 0;
    double w = t - (double)index;
    *cell = index;
    *weight = w < 0.0 ? 0.0 : (w > 1.0 ? 1.0 : w);
    return 1;
}
