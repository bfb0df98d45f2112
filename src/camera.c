/* camera.c - the user's camera (camera.h). */
#include "cubecast/camera.h"

#include <math.h>

static const double cc_pi = 3.14159265358979323846;

void cc_camera_axis_order(int axis, int order[3])
{
    for (int a = 0; a < 3; a++)
        order[a] = (axis + a) % 3;
}

cc_status cc_camera_make(const cc_render_options *options, const long file_shape[3], cc_camera *out,
                         cc_error *err)
{
    if (options->axis < 0 || options->axis > 2)
        return cc_fail(err, CC_ERR_USAGE, "--axis must be x, y or z");
    double smallest = HUGE_VAL;
    for (int a = 0; a < 3; a++) {
        if (!(options->spacing[a] > 0.0 && isfinite(options->spacing[a])))
            return cc_fail(err, CC_ERR_USAGE, "the voxel spacing must be three positive numbers");
        smallest = options->spacing[a] < smallest ? options->spacing[a] : smallest;
    }
    cc_camera camera = {0};
    camera.size = options->size;
    cc_camera_axis_order(options->axis, camera.order);
    double diagonal2 = 0.0;
    for (int a = 0; a < 3; a++) {
        int file_axis = camera.order[a];
        camera.shape[a] = file_shape[file_axis];
        /* x / x is 1 exactly, so equal spacings are all exactly 1. */
        camera.spacing[a] = options->spacing[file_axis] / smallest;
        double extent = camera.spacing[a] * (double)camera.shape[a];
        diagonal2 += extent * extent;
    }
    /* Fit: the camera grid spans N * s, the box's diagonal divided by the
     * zoom, so no rotation can take a corner out of the frame. */
    camera.scale = options->fit ? sqrt(diagonal2) / ((double)options->size * options->zoom)
                                : 1.0 / options->zoom;
    camera.elevation_deg = options->elevation_deg;
    camera.start_deg = options->start_deg;
    camera.sweep_deg = options->sweep_deg;
    camera.frames = options->frames;
    *out = camera;
    return CC_OK;
}

double cc_camera_chord(const cc_camera *camera)
{
    double phi = camera->elevation_deg * (cc_pi / 180.0);
    double across = 0.5 * (camera->spacing[1] * (double)camera->shape[1] +
                           camera->spacing[2] * (double)camera->shape[2]);
    double along = camera->spacing[0] * (double)camera->shape[0];
    /* The original's camera: (ny + nz) / 2 exactly. */
    double chord = (fabs(cos(phi)) * across + fabs(sin(phi)) * along) / camera->scale;
    return chord < camera->size ? chord : camera->size;
}

int cc_camera_rows_in_planes(const cc_camera *camera)
{
    return camera->elevation_deg == 0.0;
}

cc_view cc_camera_view(const cc_camera *camera, int frame)
{
    cc_view view =
        cc_view_of_frame(camera->size, camera->start_deg, camera->sweep_deg, camera->frames, frame);
    view.scale = camera->scale;
    for (int a = 0; a < 3; a++)
        view.spacing[a] = camera->spacing[a];
    if (cc_camera_rows_in_planes(camera))
        return view; /* u, d, w as the original's */
    /* The elevation tilts row and depth directions in the plane of stored
     * axes 0 and 1 (u1, d1), then theta turns them about axis 0:
     * (a, b, c) -> (a, b cos - c sin, b sin + c cos).  Component 0 is left
     * alone, so it is exactly cos(phi) or sin(phi). */
    double phi = camera->elevation_deg * (cc_pi / 180.0);
    double cos_phi = cos(phi), sin_phi = sin(phi);
    double c = view.cos_theta, s = view.sin_theta;
    view.u[0] = cos_phi;
    view.u[1] = -sin_phi * c;
    view.u[2] = -sin_phi * s;
    view.d[0] = sin_phi;
    view.d[1] = cos_phi * c;
    view.d[2] = cos_phi * s;
    view.w[0] = 0.0;
    view.w[1] = -s;
    view.w[2] = c;
    view.in_planes = 0;
    return view;
}
