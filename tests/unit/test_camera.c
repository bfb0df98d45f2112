/* test_camera.c - the user's camera (camera.h, design.md section 5): the
 * stored axis order and spacing, the scale of zoom and fit, the default
 * camera being the original's view bit for bit, and the directions of a
 * tilted view (orthonormal, right-handed, as the formulas give them). */
#include <math.h>
#include <string.h>

#include "check.h"
#include "cubecast/camera.h"

static cc_render_options options_with(int axis, double elevation, double zoom, int fit)
{
    cc_render_options options = cc_render_options_default();
    options.input = "unused.h5";
    options.size = 64;
    options.axis = axis;
    options.elevation_deg = elevation;
    options.zoom = zoom;
    options.fit = fit;
    return options;
}

static double dot(const double a[3], const double b[3])
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static void test_default_is_original(void)
{
    const long shape[3] = {33, 41, 25};
    cc_render_options options = options_with(0, 0.0, 1.0, 0);
    options.start_deg = 7.5;
    options.sweep_deg = 300.0;
    options.frames = 13;
    cc_camera camera;
    cc_error err;
    CHECK_INT(cc_camera_make(&options, shape, &camera, &err), CC_OK);
    for (int a = 0; a < 3; a++) {
        CHECK_INT(camera.order[a], a);
        CHECK_INT(camera.shape[a], shape[a]);
        CHECK(camera.spacing[a] == 1.0);
    }
    CHECK(camera.scale == 1.0);
    CHECK(cc_camera_rows_in_planes(&camera));
    for (int f = 0; f < options.frames; f++) {
        cc_view view = cc_camera_view(&camera, f);
        cc_view original = cc_view_of_frame(64, 7.5, 300.0, 13, f);
        CHECK(memcmp(&view, &original, sizeof view) == 0);
        CHECK(view.in_planes);
        CHECK(view.cos_theta == original.cos_theta && view.sin_theta == original.sin_theta);
    }
}

static void test_axis_order_and_spacing(void)
{
    const long shape[3] = {10, 20, 30};
    static const int orders[3][3] = {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}};
    for (int axis = 0; axis < 3; axis++) {
        cc_render_options options = options_with(axis, 0.0, 1.0, 0);
        options.spacing[0] = 2.0;
        options.spacing[1] = 4.0;
        options.spacing[2] = 3.0;
        cc_camera camera;
        cc_error err;
        CHECK_INT(cc_camera_make(&options, shape, &camera, &err), CC_OK);
        const double normalised[3] = {1.0, 2.0, 1.5}; /* file order, smallest 1 */
        for (int a = 0; a < 3; a++) {
            CHECK_INT(camera.order[a], orders[axis][a]);
            CHECK_INT(camera.shape[a], shape[orders[axis][a]]);
            CHECK(camera.spacing[a] == normalised[orders[axis][a]]);
        }
    }
}

static void test_scale(void)
{
    const long shape[3] = {20, 28, 36};
    cc_camera camera;
    cc_error err;
    cc_render_options options = options_with(1, 0.0, 2.5, 0);
    CHECK_INT(cc_camera_make(&options, shape, &camera, &err), CC_OK);
    CHECK_NEAR(camera.scale, 0.4, 1e-15);
    /* Fit: D = |(1 * 20, 1.5 * 28, 1 * 36)| over N * zoom. */
    options = options_with(2, 0.0, 0.8, 1);
    options.spacing[1] = 3.0;
    options.spacing[0] = options.spacing[2] = 2.0; /* normalised 1, 1.5, 1 */
    CHECK_INT(cc_camera_make(&options, shape, &camera, &err), CC_OK);
    double diagonal = sqrt(20.0 * 20.0 + 42.0 * 42.0 + 36.0 * 36.0);
    CHECK_NEAR(camera.scale, diagonal / (64 * 0.8), 1e-14);
    /* Bad spacing and axis are refused, not guessed. */
    options = options_with(0, 0.0, 1.0, 0);
    options.spacing[2] = 0.0;
    CHECK(cc_camera_make(&options, shape, &camera, &err) != CC_OK);
    options = options_with(3, 0.0, 1.0, 0);
    CHECK(cc_camera_make(&options, shape, &camera, &err) != CC_OK);
}

static void test_tilted_views(void)
{
    const long shape[3] = {16, 16, 16};
    static const double elevations[] = {30.0, -20.0, 89.0};
    for (size_t e = 0; e < sizeof elevations / sizeof elevations[0]; e++) {
        cc_render_options options = options_with(0, elevations[e], 1.0, 0);
        options.sweep_deg = 360.0;
        options.frames = 7;
        cc_camera camera;
        cc_error err;
        CHECK_INT(cc_camera_make(&options, shape, &camera, &err), CC_OK);
        CHECK(!cc_camera_rows_in_planes(&camera));
        double phi = elevations[e] * (3.14159265358979323846 / 180.0);
        for (int f = 0; f < options.frames; f++) {
            cc_view view = cc_camera_view(&camera, f);
            CHECK(!view.in_planes);
            CHECK_NEAR(dot(view.u, view.u), 1.0, 1e-15);
            CHECK_NEAR(dot(view.d, view.d), 1.0, 1e-15);
            CHECK_NEAR(dot(view.w, view.w), 1.0, 1e-15);
            CHECK_NEAR(dot(view.u, view.d), 0.0, 1e-15);
            CHECK_NEAR(dot(view.u, view.w), 0.0, 1e-15);
            CHECK_NEAR(dot(view.d, view.w), 0.0, 1e-15);
            /* right-handed like (ex, ey, ez): u x d = w */
            CHECK_NEAR(view.u[1] * view.d[2] - view.u[2] * view.d[1], view.w[0], 1e-15);
            CHECK_NEAR(view.u[2] * view.d[0] - view.u[0] * view.d[2], view.w[1], 1e-15);
            CHECK_NEAR(view.u[0] * view.d[1] - view.u[1] * view.d[0], view.w[2], 1e-15);
            /* The rotation about the orbit axis keeps its components:
             * u's is cos(phi), d's sin(phi), w's 0, exactly. */
            CHECK(view.u[0] == cos(phi) && view.d[0] == sin(phi) && view.w[0] == 0.0);
            /* and theta turns the rest as the original's (d, w). */
            CHECK_NEAR(view.d[1], cos(phi) * view.cos_theta, 1e-15);
            CHECK_NEAR(view.d[2], cos(phi) * view.sin_theta, 1e-15);
            CHECK(view.w[1] == -view.sin_theta && view.w[2] == view.cos_theta);
        }
    }
}

/* --tf auto's chord: the original's (ny + nz) / 2 samples, at most N;
 * more samples when zoomed in, the orbit axis's extent when tilted. */
static void test_chord(void)
{
    const long shape[3] = {40, 30, 50};
    cc_camera camera;
    cc_error err;
    cc_render_options options = options_with(0, 0.0, 1.0, 0);
    CHECK_INT(cc_camera_make(&options, shape, &camera, &err), CC_OK);
    CHECK(cc_camera_chord(&camera) == 40.0);
    options.size = 32; /* capped at N */
    CHECK_INT(cc_camera_make(&options, shape, &camera, &err), CC_OK);
    CHECK(cc_camera_chord(&camera) == 32.0);
    options = options_with(0, 0.0, 0.5, 0); /* s = 2: half the samples */
    CHECK_INT(cc_camera_make(&options, shape, &camera, &err), CC_OK);
    CHECK_NEAR(cc_camera_chord(&camera), 20.0, 1e-12);
    options = options_with(1, 60.0, 1.0, 0); /* stored (y, z, x): across 45, along 30 */
    CHECK_INT(cc_camera_make(&options, shape, &camera, &err), CC_OK);
    CHECK_NEAR(cc_camera_chord(&camera), 0.5 * 45.0 + sqrt(0.75) * 30.0, 1e-12);
}

int main(void)
{
    test_chord();
    test_default_is_original();
    test_axis_order_and_spacing();
    test_scale();
    test_tilted_views();
    return check_result("unit_camera");
}
