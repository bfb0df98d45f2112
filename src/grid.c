/* grid.c - world coordinates of grid points (grid.h). */
#include "cubecast/grid.h"

double cc_grid_coord(int n, int m)
{
    return cc_grid_coord_inline(n, m);
}

int cc_grid_locate(int n, double p, int *cell, double *weight)
{
    return cc_grid_locate_inline(n, p, cell, weight);
}
