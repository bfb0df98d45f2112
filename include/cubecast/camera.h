/* camera.h - the user's camera (design.md section 5) and the axis order the
 * volume is stored in for it.
 *
 * The camera orbits about one axis of the file (x, y or z), optionally
 * tilted by an elevation, with a zoom or a fit to the frame, over a grid
 * whose voxels may be anisotropic.  Every rank holds its part of the volume
 * with the orbit axis first: stored axis a is file axis order[a], the cyclic
 * order (x, y, z), (y, z, x) or (z, x, y).  In that order every orbit is
 * the original's orbit about the first axis, so at elevation 0 each image
 * row still lies in one plane of the stored volume and the row-plane kernel
 * serves every axis.  Everything after the read (plan, render, composite)
 * works in stored coordinates. */
#ifndef CUBECAST_CAMERA_H
#define CUBECAST_CAMERA_H

#include "cubecast/error.h"
#include "cubecast/options.h"
#include "cubecast/view.h"

typedef struct cc_camera {
    int size;          /* N */
    int order[3];      /* stored axis a is file axis order[a] */
    long shape[3];     /* the stored grid's shape */
    double spacing[3]; /* stored order, normalised: the smallest is 1 */
    double scale;      /* s: world units per camera grid unit */
    double elevation_deg;
    double start_deg, sweep_deg;
    int frames;
} cc_camera;

/* The camera of options for a file grid of file_shape: options->spacing
 * must hold numbers (the driver resolves --spacing auto first). */
cc_status cc_camera_make(const cc_render_options *options, const long file_shape[3], cc_camera *out,
                         cc_error *err);

/* The view of frame f. */
cc_view cc_camera_view(const cc_camera *camera, int frame);

/* 1 when every view keeps image rows in planes of stored axis 0 (elevation
 * 0): the row-plane kernel and rows mode serve it. */
int cc_camera_rows_in_planes(const cc_camera *camera);

/* About how many depth samples a ray crosses inside the volume: the
 * grid's extent along the view direction (the mean of the two stored
 * axes the orbit turns in, tilted towards axis 0 by the elevation) over
 * the scale s, at most N.  --tf auto sizes its opacities by it. */
double cc_camera_chord(const cc_camera *camera);

/* The cyclic axis order of orbit axis `axis` (0, 1, 2). */
void cc_camera_axis_order(int axis, int order[3]);

#endif
