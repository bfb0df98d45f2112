/* test_cuda_render.c - the CUDA render kernel (src/cuda/render.cu) gives
 * the CPU backend's partial images (cc_render_slab): single precision within
 * 2e-5, double within 1e-12, for every transfer-function kind, cameras
 * in and out of the image-row planes (orbit, elevation +-30, zoom, a fit
 * scale, anisotropic spacing), odd image sizes (partial thread blocks),
 * samples on the grid's edge, a band of rows and owned sub-boxes held as
 * bricks with their halo.
 *
 * Built twice (tests/cuda/CMakeLists.txt): against the CUDA stand-in, the
 * kernel compiled as C++ and run on the CPU with checked device memory
 * (cuda_render_standin, everywhere); and against the real CUDA runtime
 * (cuda_render_device, in a CUDA build), which exits 77 (skipped) when the
 * runtime finds no driver or no device, or fails instead when
 * CUBECAST_REQUIRE_GPU=1 (scripts/gpu-check sets it). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cubecast/cuda.h"
#include "cubecast/cuda_render.h"
#include "cubecast/render.h"

#define CC_PI 3.14159265358979323846

static int failures = 0, cases = 0;

/* A view as design.md section 5 builds it for orbit axis x. */
static cc_view make_view(int n, double theta_deg, double phi_deg, double scale,
                         const double spacing[3])
{
    cc_view v;
    memset(&v, 0, sizeof v);
    double th = theta_deg * CC_PI / 180.0, ph = phi_deg * CC_PI / 180.0;
    double u1[3] = {cos(ph), -sin(ph), 0.0}, d1[3] = {sin(ph), cos(ph), 0.0};
    double w1[3] = {0.0, 0.0, 1.0};
    /* Rotation about x by theta: (x, y, z) -> (x, y c - z s, y s + z c). */
    double c = cos(th), s = sin(th);
    const double *in[3] = {u1, d1, w1};
    double *out[3] = {v.u, v.d, v.w};
    for (int q = 0; q < 3; q++) {
        out[q][0] = in[q][0];
        out[q][1] = in[q][1] * c - in[q][2] * s;
        out[q][2] = in[q][1] * s + in[q][2] * c;
    }
    v.size = n;
    v.angle_deg = theta_deg;
    v.cos_theta = c;
    v.sin_theta = s;
    v.scale = scale;
    for (int a = 0; a < 3; a++)
        v.spacing[a] = spacing[a];
    v.in_planes = phi_deg == 0.0;
    return v;
}

/* Densities spanning e^-4 .. e^10 (every band of section 1), with a few
 * zero and negative voxels (empty on a log scale). */
static double density(long x, long y, long z, const long shape[3])
{
    double fx = (double)x / (double)(shape[0] - 1) - 0.45,
           fy = (double)y / (double)(shape[1] - 1) - 0.5;
    double fz = (double)z / (double)(shape[2] - 1) - 0.55;
    double r2 = (fx * fx + fy * fy + fz * fz) * 8.0;
    if ((x * 7 + y * 3 + z) % 97 == 0)
        return (x % 2) ? 0.0 : -1.0;
    return exp(-4.0 + 14.0 * exp(-r2) + 0.3 * sin((double)(x + 2 * y + 3 * z)));
}

/* A volume of held box `box`, values from density. */
static cc_volume *make_volume(const long shape[3], const cc_box *box, cc_precision precision)
{
    cc_volume *volume = NULL;
    cc_error err;
    if (cc_volume_create(shape, box, precision, &volume, &err) != CC_OK) {
        fprintf(stderr, "volume: %s\n", err.message);
        exit(1);
    }
    void *values = cc_volume_values(volume);
    size_t i = 0;
    for (long x = box->lo[0]; x < box->lo[0] + box->count[0]; x++)
        for (long y = box->lo[1]; y < box->lo[1] + box->count[1]; y++)
            for (long z = box->lo[2]; z < box->lo[2] + box->count[2]; z++, i++) {
                double v = density(x, y, z, shape);
                if (precision == CC_SINGLE)
                    ((float *)values)[i] = (float)v;
                else
                    ((double *)values)[i] = v;
            }
    return volume;
}

static void set_tf(cc_tf *tf, int kind)
{
    cc_tf_original(tf);
    if (kind == 1) { /* four bands on ln(value) */
        tf->kind = CC_TF_BANDS;
        tf->band_count = 4;
        double centre[4] = {8.0, 4.0, 0.0, -2.0}, width[4] = {1.5, 0.4, 0.8, 2.0};
        for (int b = 0; b < 4; b++) {
            tf->centre[b] = centre[b];
            tf->width[b] = width[b];
            for (int c = 0; c < 4; c++)
                tf->weight[c][b] = 0.1 + 0.2 * ((b + c) % 4);
        }
    } else if (kind == 2 || kind == 3) { /* piecewise on log10(value) */
        tf->kind = CC_TF_PIECEWISE;
        tf->log_scale = 1;
        tf->band_count = 0;
        tf->node_count = 6;
        double x[6] = {-1.5, 0.0, 1.0, 2.0, 3.0, 4.2};
        for (int i = 0; i < 6; i++) {
            tf->node_x[i] = x[i];
            tf->node_rgba[0][i] = 0.15 * i;
            tf->node_rgba[1][i] = 1.0 - 0.15 * i;
            tf->node_rgba[2][i] = (i % 2) ? 0.9 : 0.2;
            tf->node_rgba[3][i] = 0.05 + 0.1 * ((i * 3) % 5);
        }
        if (kind == 3) { /* ParaView opacity points with midpoints and sharpness */
            tf->curved = 1;
            tf->alpha_count = 4;
            double ax[4] = {-1.0, 1.0, 2.5, 4.0}, ay[4] = {0.0, 0.3, 0.1, 0.6};
            double mid[4] = {0.5, 0.3, 0.7, 0.5}, sharp[4] = {0.0, 0.4, 0.8, 0.0};
            for (int p = 0; p < 4; p++) {
                tf->alpha_x[p] = ax[p];
                tf->alpha_y[p] = ay[p];
                tf->alpha_mid[p] = mid[p];
                tf->alpha_sharp[p] = sharp[p];
            }
        }
    } else if (kind == 4) { /* section 1 with an opacity unit */
        tf->opacity_exponent = 0.37;
    }
}

static const char *tf_names[] = {"original", "bands", "piecewise", "piecewise+curve",
                                 "opacity unit"};

/* One comparison: the CPU backend and the kernel on the same slab. */
static void compare(const char *camera, const cc_view *view, const cc_volume *volume,
                    const cc_box *owned, int row_begin, int rows, int tf_kind)
{
    cc_error err;
    cc_tf tf;
    set_tf(&tf, tf_kind);
    cc_renderer *cpu = NULL;
    cc_cuda_renderer *gpu = NULL;
    cc_image *a = NULL, *b = NULL;
    int n = view->size;
    if (cc_renderer_create(&cpu, &err) != CC_OK || cc_cuda_renderer_create(&gpu, &err) != CC_OK ||
        cc_image_create(n, row_begin, rows, &a, &err) != CC_OK ||
        cc_image_create(n, row_begin, rows, &b, &err) != CC_OK) {
        fprintf(stderr, "setup: %s\n", err.message);
        exit(1);
    }
    cc_renderer_set_transfer(cpu, &tf);
    int single = cc_volume_precision(volume) == CC_SINGLE;
    if (cc_render_slab(cpu, volume, view, owned, a, &err) != CC_OK ||
        cc_cuda_renderer_set_transfer(gpu, &tf, &err) != CC_OK ||
        cc_cuda_renderer_upload(gpu, volume, &err) != CC_OK ||
        cc_cuda_render_slab(gpu, view, owned, b, &err) != CC_OK) {
        fprintf(stderr, "render: %s\n", err.message);
        exit(1);
    }
    double worst = 0.0, sum = 0.0;
    size_t pixels = (size_t)rows * (size_t)n;
    for (size_t p = 0; p < pixels; p++) {
        for (int c = 0; c < 3; c++) {
            worst = fmax(worst, fabs(a->colour[3 * p + c] - b->colour[3 * p + c]));
            sum += a->colour[3 * p + c];
        }
        worst = fmax(worst, fabs(a->transmittance[p] - b->transmittance[p]));
    }
    double tolerance = single ? 2e-5 : 1e-12;
    int ok = worst <= tolerance && sum > 0.0;
    cases++;
    failures += !ok;
    if (!ok || getenv("CC_TEST_VERBOSE"))
        printf("%s: %s, %s, %s, N %d, rows [%d, %d), owned [%ld+%ld, %ld+%ld, %ld+%ld]: "
               "max difference %.3g (tolerance %.0e), colour sum %.4g\n",
               ok ? "ok" : "FAIL", camera, tf_names[tf_kind], single ? "single" : "double", n,
               row_begin, row_begin + rows, owned->lo[0], owned->count[0], owned->lo[1],
               owned->count[1], owned->lo[2], owned->count[2], worst, tolerance, sum);
    cc_image_destroy(a);
    cc_image_destroy(b);
    cc_renderer_destroy(cpu);
    cc_cuda_renderer_destroy(gpu);
}

/* 0 when a device is there to test; else the exit status: 77 (skip), or
 * 1 when the caller requires a GPU. */
static int need_device(void)
{
    char why[256] = "", name[256] = "";
    int count = cc_cuda_device_probe(why, (int)sizeof why);
    const char *require = getenv("CUBECAST_REQUIRE_GPU");
    if (count == 0 && require != NULL && strcmp(require, "1") == 0) {
        printf("FAIL: CUBECAST_REQUIRE_GPU=1 but no usable CUDA device: %s\n", why);
        return 1;
    }
    if (count == 0) {
        printf("no usable CUDA device (%s): skipping\n", why);
        return 77;
    }
    if (cc_cuda_use_device(0, name, (int)sizeof name, why, (int)sizeof why) != 0) {
        printf("FAIL: cannot use CUDA device 0: %s\n", why);
        return 1;
    }
    printf("CUDA device 0 of %d: %s\n", count, name);
    return 0;
}

int main(void)
{
    int skip = need_device();
    if (skip != 0)
        return skip;
    const long shape[3] = {20, 28, 36};
    const double unit[3] = {1.0, 1.0, 1.0}, aniso[3] = {1.0, 1.7, 1.3};
    double diagonal = sqrt(20.0 * 20.0 + 28.0 * 28.0 * 1.7 * 1.7 + 36.0 * 36.0 * 1.3 * 1.3);
    for (int precision = 0; precision < 2; precision++) {
        cc_precision p = precision ? CC_DOUBLE : CC_SINGLE;
        cc_box whole = cc_box_whole(shape[0], shape[1], shape[2]);
        cc_box cells = cc_cells_whole(shape);
        cc_volume *volume = make_volume(shape, &whole, p);
        for (int tf = 0; tf < 5; tf++) {
            int sizes[2] = {17, 33};
            for (int s = 0; s < 2; s++) {
                int n = sizes[s];
                cc_view views[6] = {make_view(n, 0.0, 0.0, 1.0, unit),
                                    make_view(n, 37.0, 0.0, 1.0, unit),
                                    make_view(n, 20.0, 30.0, 1.0, unit),
                                    make_view(n, 200.0, -30.0, 1.0, unit),
                                    make_view(n, 65.0, 12.0, 1.0 / 1.6, unit),
                                    make_view(n, 110.0, 25.0, diagonal / n, aniso)};
                const char *names[6] = {"orbit 0",       "orbit 37", "elevation +30",
                                        "elevation -30", "zoom 1.6", "fit, spacing"};
                for (int v = 0; v < 6; v++)
                    compare(names[v], &views[v], volume, &cells, 0, n, tf);
                /* A band of rows. */
                compare("elevation +30, rows", &views[2], volume, &cells, 3, n - 7, tf);
            }
            /* Samples on the grid's edge: N equal to the grid's first axis,
             * every camera point on a grid plane of it. */
            cc_view edge = make_view((int)shape[0], 0.0, 0.0, 1.0, unit);
            compare("edge", &edge, volume, &cells, 0, (int)shape[0], tf);
        }
        cc_volume_destroy(volume);

        /* Bricks: owned sub-boxes of cells, each held with its halo plane. */
        cc_box bricks[3] = {
            {{0, 0, 0}, {19, 14, 18}}, {{0, 14, 18}, {19, 13, 17}}, {{7, 5, 9}, {6, 11, 13}}};
        for (int k = 0; k < 3; k++) {
            cc_box held = bricks[k];
            for (int a = 0; a < 3; a++)
                held.count[a] += 1;
            cc_volume *brick = make_volume(shape, &held, p);
            for (int tf = 0; tf < 5; tf += 2) {
                cc_view tilted = make_view(33, 20.0, 30.0, 1.0, unit);
                cc_view plane = make_view(33, 45.0, 0.0, 1.0, unit);
                compare("brick, elevation +30", &tilted, brick, &bricks[k], 0, 33, tf);
                compare("brick, orbit 45", &plane, brick, &bricks[k], 0, 33, tf);
            }
            cc_volume_destroy(brick);
        }
    }
    printf("%d of %d comparisons within tolerance\n", cases - failures, cases);
    return failures == 0 ? 0 : 1;
}
