/* view.c - the camera of one frame (view.h). */
#include "cubecast/view.h"

#include <math.h>

#include "cubecast/grid.h"

static const double cc_pi = 3.14159265358979323846;

double cc_view_angle_deg(double start_deg, double sweep_deg, int frames, int frame)
{
    return start_deg + sweep_deg * (double)frame / (double)frames;
}

cc_view cc_view_of_frame(int size, double start_deg, double sweep_deg, int frames, int frame)
{
    cc_view view = {0};
    view.size = size;
    view.angle_deg = cc_view_angle_deg(start_deg, sweep_deg, frames, frame);
    double theta = view.angle_deg * (cc_pi / 180.0);
    view.cos_theta = cos(theta);
    view.sin_theta = sin(theta);
    view.u[0] = 1.0;
    view.d[1] = view.cos_theta;
    view.d[2] = view.sin_theta;
    view.w[1] = -view.sin_theta;
    view.w[2] = view.cos_theta;
    view.scale = 1.0;
    view.spacing[0] = view.spacing[1] = view.spacing[2] = 1.0;
    view.in_planes = 1;
    return view;
}

double cc_view_row_coord(const cc_view *view, int j)
{
    /* scale / spacing is 1 exactly for the original's camera, so its rows
     * sit where they always did, bit for bit. */
    return cc_grid_coord(view->size, j) * (view->scale / view->spacing[0]);
}

void cc_view_rows_x_range(const cc_view *view, long nx, int row_begin, int row_end, long *x_lo,
                          long *x_count)
{
    long lo = nx, hi = -1;
    for (int j = row_begin; j < row_end; j++) {
        int cell;
        double weight;
        if (!cc_grid_locate((int)nx, cc_view_row_coord(view, j), &cell, &weight))
            continue;
        if (cell < lo)
            lo = cell;
        if (cell + 1 > hi)
            hi = cell + 1;
    }
    *x_lo = hi < 0 ? 0 : lo;
    *x_count = hi < 0 ? 0 : hi - lo + 1;
}
