/* view.h - the camera of one frame: its grid of N^3 samples and its angle.
 *
 * Sample (i, j, k) of a frame with angle theta sits at
 *   x = c(j),  y = c(i) cos(theta) - c(k) sin(theta),
 *               z = c(i) sin(theta) + c(k) cos(theta)
 * with c the camera grid (grid.h).  i is depth (larger is nearer the viewer),
 * j the image row and k the image column.  The rotation is about x, so row j
 * only touches the two x planes around c(j). */
#ifndef CUBECAST_VIEW_H
#define CUBECAST_VIEW_H

typedef struct cc_view {
    int size;         /* N: samples per axis, image is N x N */
    double angle_deg; /* theta in degrees, as reported */
    double cos_theta;
    double sin_theta;
} cc_view;

/* The view of frame `frame` of a sweep of `frames` frames from start_deg over
 * sweep_deg degrees (the end angle excluded): theta = start + sweep * f / F. */
cc_view cc_view_of_frame(int size, double start_deg, double sweep_deg, int frames, int frame);

/* The angle in degrees of frame f, as cc_view_of_frame computes it. */
double cc_view_angle_deg(double start_deg, double sweep_deg, int frames, int frame);

/* The x planes that image rows [row_begin, row_end) touch in a grid of nx
 * points: *x_lo and *x_count describe the smallest x range holding both
 * corners of every interpolation cell used (count 0 when no row hits the
 * grid). */
void cc_view_rows_x_range(const cc_view *view, long nx, int row_begin, int row_end, long *x_lo,
                          long *x_count);

#endif
