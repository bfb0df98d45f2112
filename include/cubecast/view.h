/* view.h - the camera of one frame: its grid of N^3 samples and where they
 * sit in the volume's stored axes (camera.h).
 *
 * Sample (i, j, k) sits at p = scale * (c(j) u + c(i) d + c(k) w), with c
 * the camera grid (grid.h); along stored axis a it is at grid coordinate
 * p[a] / spacing[a].  i is depth (larger is nearer the viewer), j the image
 * row and k the image column.  For the original's camera u = (1, 0, 0),
 * d = (0, cos theta, sin theta), w = (0, -sin theta, cos theta), scale and
 * spacing 1: the rotation is about stored axis 0, so row j only touches the
 * two planes of axis 0 around c(j) (in_planes). */
#ifndef CUBECAST_VIEW_H
#define CUBECAST_VIEW_H

typedef struct cc_view {
    int size;         /* N: samples per axis, image is N x N */
    double angle_deg; /* theta in degrees, as reported */
    double cos_theta;
    double sin_theta;
    double u[3], d[3], w[3]; /* row, depth and column directions */
    double scale;            /* s: world units per camera grid step */
    double spacing[3];       /* voxel spacing along the stored axes */
    int in_planes;           /* u = (1, 0, 0): every row lies in one plane
                                of stored axis 0 (elevation 0) */
} cc_view;

/* The original's view of frame `frame` of a sweep of `frames` frames from
 * start_deg over sweep_deg degrees (the end angle excluded): theta = start
 * + sweep * f / F, scale and spacing 1 (camera.h makes the others). */
cc_view cc_view_of_frame(int size, double start_deg, double sweep_deg, int frames, int frame);

/* The angle in degrees of frame f, as cc_view_of_frame computes it. */
double cc_view_angle_deg(double start_deg, double sweep_deg, int frames, int frame);

/* Grid coordinate along stored axis 0 of image row j of an in-planes
 * view: scale * c(j) / spacing[0]. */
double cc_view_row_coord(const cc_view *view, int j);

/* The planes of stored axis 0 that image rows [row_begin, row_end) of an
 * in-planes view touch in a grid of nx points: *x_lo and *x_count describe
 * the smallest range holding both corners of every interpolation cell
 * used (count 0 when no row hits the grid). */
void cc_view_rows_x_range(const cc_view *view, long nx, int row_begin, int row_end, long *x_lo,
                          long *x_count);

#endif
