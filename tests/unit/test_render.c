/* test_render.c - the render kernel (cc_render_slab) against the contract of
 * design.md section 1, computed independently here in double precision:
 *
 *  - a constant volume: every inside sample has the same rgba, so a pixel
 *    after m inside samples is colour * (1 - (1 - a)^m) with T = (1 - a)^m;
 *  - linear fields, on which trilinear interpolation is exact: the value at a
 *    sample is the field at the sample's world coordinates (at angle 0 with
 *    N equal to the grid size every sample is a grid node);
 *  - a random lognormal field against trilinear interpolation written here;
 *  - depth slabs (bricks) composited in visibility order equal the whole
 *    render, and rows rendered from an x slab equal the same rows of the
 *    whole render bitwise.
 * Double precision to 1e-12, single precision to 1e-4 (design.md). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cubecast/box.h"
#include "cubecast/grid.h"
#include "cubecast/image.h"
#include "cubecast/precision.h"
#include "cubecast/render.h"
#include "cubecast/transfer.h"
#include "cubecast/view.h"
#include "cubecast/volume.h"

enum field_kind { FIELD_CONSTANT, FIELD_LINEAR, FIELD_RANDOM };

static const double CONSTANT_VALUE = 21.115344422540928; /* e^3.05 */

typedef struct scene {
    long shape[3];
    int size; /* N */
    double angle_deg;
    enum field_kind field;
    cc_precision precision;
    double *nodes; /* the grid values as stored (rounded to the precision), global C order */
} scene;

static const char *field_name(enum field_kind f)
{
    return f == FIELD_CONSTANT ? "constant" : f == FIELD_LINEAR ? "linear" : "random";
}

/* Linear field: ln(value) spans about 7 to 8.9 inside the grids used here,
 * across the flank of the s = 9 band, so colour and opacity vary a lot. */
static double linear_field(double x, double y, double z)
{
    return 4100.0 + 150.0 * x + 120.0 * y + 100.0 * z;
}

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static double node_value(const scene *sc, long gx, long gy, long gz)
{
    switch (sc->field) {
    case FIELD_CONSTANT:
        return CONSTANT_VALUE;
    case FIELD_LINEAR:
        return linear_field(cc_grid_coord((int)sc->shape[0], (int)gx),
                            cc_grid_coord((int)sc->shape[1], (int)gy),
                            cc_grid_coord((int)sc->shape[2], (int)gz));
    case FIELD_RANDOM: {
        uint64_t h = mix(((uint64_t)gx * 1000003u + (uint64_t)gy) * 1000033u + (uint64_t)gz + 77u);
        double u = (double)(h >> 11) / 9007199254740992.0;
        if (u < 0.03)
            return 0.0; /* some empty voxels */
        return exp(-4.0 + 14.0 * u);
    }
    }
    return 0.0;
}

static void scene_fill_nodes(scene *sc)
{
    long n = sc->shape[0] * sc->shape[1] * sc->shape[2];
    sc->nodes = malloc((size_t)n * sizeof(double));
    for (long x = 0; x < sc->shape[0]; ++x)
        for (long y = 0; y < sc->shape[1]; ++y)
            for (long z = 0; z < sc->shape[2]; ++z) {
                double v = node_value(sc, x, y, z);
                if (sc->precision == CC_SINGLE)
                    v = (double)(float)v;
                sc->nodes[(x * sc->shape[1] + y) * sc->shape[2] + z] = v;
            }
}

static double node(const scene *sc, long x, long y, long z)
{
    return sc->nodes[(x * sc->shape[1] + y) * sc->shape[2] + z];
}

/* Independent trilinear interpolation (SciPy interpn's arithmetic order does
 * not matter at 1e-12). */
static double trilinear(const scene *sc, const int cell[3], const double w[3])
{
    double v = 0.0;
    for (int dx = 0; dx < 2; ++dx)
        for (int dy = 0; dy < 2; ++dy)
            for (int dz = 0; dz < 2; ++dz) {
                double weight =
                    (dx ? w[0] : 1.0 - w[0]) * (dy ? w[1] : 1.0 - w[1]) * (dz ? w[2] : 1.0 - w[2]);
                if (weight != 0.0)
                    v += weight * node(sc, cell[0] + dx, cell[1] + dy, cell[2] + dz);
            }
    return v;
}

typedef struct expected {
    double *colour; /* rows x N x 3 */
    double *transmittance;
    int *inside;   /* rows x N: number of inside samples */
    int ambiguous; /* samples too close to the grid boundary to call */
} expected;

/* The contract for rows [row_begin, row_begin + rows) of the whole grid. */
static expected compute_expected(const scene *sc, const cc_view *view, int row_begin, int rows)
{
    int n_ = sc->size;
    expected e;
    e.colour = calloc((size_t)rows * n_ * 3, sizeof(double));
    e.transmittance = malloc((size_t)rows * n_ * sizeof(double));
    e.inside = calloc((size_t)rows * n_, sizeof(int));
    e.ambiguous = 0;
    int exact_geometry = view->sin_theta == 0.0 && view->cos_theta == 1.0;
    for (int r = 0; r < rows; ++r) {
        int j = row_begin + r;
        for (int k = 0; k < n_; ++k) {
            double rgb[3] = {0.0, 0.0, 0.0}, t = 1.0;
            int count = 0;
            for (int i = 0; i < n_; ++i) {
                double ci = cc_grid_coord(n_, i), ck = cc_grid_coord(n_, k);
                volatile double y1 = ci * view->cos_theta, y2 = ck * view->sin_theta;
                volatile double z1 = ci * view->sin_theta, z2 = ck * view->cos_theta;
                double p[3] = {cc_grid_coord(n_, j), y1 - y2, z1 + z2};
                int cell[3], in = 1;
                double w[3];
                for (int a = 0; a < 3; ++a) {
                    double half = sc->shape[a] / 2.0;
                    double d = fabs(fabs(p[a]) - half);
                    if (d < 1e-4 && !(d == 0.0 && (a == 0 || exact_geometry)))
                        ++e.ambiguous;
                    if (!cc_grid_locate((int)sc->shape[a], p[a], &cell[a], &w[a]))
                        in = 0;
                }
                if (!in)
                    continue;
                ++count;
                double v = sc->field == FIELD_CONSTANT ? CONSTANT_VALUE
                           : sc->field == FIELD_LINEAR ? linear_field(p[0], p[1], p[2])
                                                       : trilinear(sc, cell, w);
                double rgba[4];
                cc_transfer_eval(v, rgba);
                for (int c = 0; c < 3; ++c)
                    rgb[c] = rgba[3] * rgba[c] + (1.0 - rgba[3]) * rgb[c];
                t *= 1.0 - rgba[3];
            }
            for (int c = 0; c < 3; ++c)
                e.colour[((size_t)r * n_ + k) * 3 + c] = rgb[c];
            e.transmittance[(size_t)r * n_ + k] = t;
            e.inside[(size_t)r * n_ + k] = count;
        }
    }
    return e;
}

static void expected_free(expected *e)
{
    free(e->colour);
    free(e->transmittance);
    free(e->inside);
}

/* Renders rows [row_begin, row_begin + rows) from a volume holding
 * volume_box, using the cells in owned.  Returns NULL on failure. */
static cc_image *render(const scene *sc, cc_renderer *renderer, const cc_view *view,
                        const cc_box *volume_box, const cc_box *owned, int row_begin, int rows)
{
    cc_error err;
    cc_error_clear(&err);
    cc_volume *volume = NULL;
    if (cc_volume_create(sc->shape, volume_box, sc->precision, &volume, &err) != CC_OK) {
        fprintf(stderr, "cc_volume_create: %s\n", err.message);
        CHECK(!"cc_volume_create failed");
        return NULL;
    }
    const cc_box *b = cc_volume_box(volume);
    CHECK(memcmp(b, volume_box, sizeof *b) == 0);
    CHECK_INT(cc_volume_precision(volume), sc->precision);
    CHECK_INT(cc_volume_global_shape(volume)[0], sc->shape[0]);
    CHECK_INT(cc_volume_global_shape(volume)[2], sc->shape[2]);
    void *values = cc_volume_values(volume);
    long cy = volume_box->count[1], cz = volume_box->count[2];
    for (long x = 0; x < volume_box->count[0]; ++x)
        for (long y = 0; y < cy; ++y)
            for (long z = 0; z < cz; ++z) {
                double v =
                    node(sc, volume_box->lo[0] + x, volume_box->lo[1] + y, volume_box->lo[2] + z);
                size_t q = (size_t)((x * cy + y) * cz + z);
                if (sc->precision == CC_SINGLE)
                    ((float *)values)[q] = (float)v;
                else
                    ((double *)values)[q] = v;
            }

    cc_image *image = NULL;
    if (cc_image_create(sc->size, row_begin, rows, &image, &err) != CC_OK) {
        CHECK(!"cc_image_create failed");
        cc_volume_destroy(volume);
        return NULL;
    }
    /* Garbage in the image: the render must overwrite it. */
    for (size_t q = 0; q < (size_t)rows * sc->size; ++q) {
        image->transmittance[q] = 0.37;
        image->colour[3 * q] = image->colour[3 * q + 1] = image->colour[3 * q + 2] = 0.61;
    }
    cc_status st = cc_render_slab(renderer, volume, view, owned, image, &err);
    if (st != CC_OK) {
        fprintf(stderr, "cc_render_slab: %s\n", err.message);
        CHECK_INT(st, CC_OK);
        cc_image_destroy(image);
        image = NULL;
    }
    CHECK(image == NULL ||
          (image->row_begin == row_begin && image->rows == rows && image->width == sc->size));
    cc_volume_destroy(volume);
    return image;
}

static double tolerance(const scene *sc)
{
    return sc->precision == CC_DOUBLE ? 1e-12 : 1e-4;
}

static cc_view make_view(const scene *sc)
{
    cc_view view = cc_view_of_frame(sc->size, sc->angle_deg, 0.0, 1, 0);
    CHECK_INT(view.size, sc->size);
    CHECK_NEAR(view.angle_deg, sc->angle_deg, 1e-12);
    double t = sc->angle_deg * 3.14159265358979323846 / 180.0;
    CHECK_NEAR(view.cos_theta, cos(t), 1e-15);
    CHECK_NEAR(view.sin_theta, sin(t), 1e-15);
    if (sc->angle_deg == 0.0) {
        CHECK_SAME(view.cos_theta, 1.0);
        CHECK_SAME(view.sin_theta, 0.0);
    }
    return view;
}

/* Whole frame vs the contract; returns the number of inside samples seen. */
static long check_scene(scene *sc, cc_renderer *renderer)
{
    scene_fill_nodes(sc);
    cc_view view = make_view(sc);
    int n_ = sc->size;
    int before = check_failures;
    expected e = compute_expected(sc, &view, 0, n_);
    if (e.ambiguous) {
        fprintf(stderr, "test geometry error: %d samples within 1e-4 of the grid boundary\n",
                e.ambiguous);
        CHECK_INT(e.ambiguous, 0);
    }
    cc_box whole = cc_box_whole(sc->shape[0], sc->shape[1], sc->shape[2]);
    cc_box cells = cc_cells_whole(sc->shape);
    CHECK_INT(cells.lo[0], 0);
    CHECK_INT(cells.count[0], sc->shape[0] - 1);
    CHECK_INT(cells.count[1], sc->shape[1] - 1);
    CHECK_INT(cells.count[2], sc->shape[2] - 1);
    cc_image *image = render(sc, renderer, &view, &whole, &cells, 0, n_);
    long total_inside = 0;
    double worst = 0.0;
    if (image) {
        double tol = tolerance(sc);
        double rgba[4];
        cc_transfer_eval(
            sc->precision == CC_SINGLE ? (double)(float)CONSTANT_VALUE : CONSTANT_VALUE, rgba);
        for (size_t q = 0; q < (size_t)n_ * n_; ++q) {
            total_inside += e.inside[q];
            for (int c = 0; c < 3; ++c) {
                CHECK_NEAR(image->colour[3 * q + c], e.colour[3 * q + c], tol);
                worst = fmax(worst, fabs(image->colour[3 * q + c] - e.colour[3 * q + c]));
            }
            CHECK_NEAR(image->transmittance[q], e.transmittance[q], tol);
            worst = fmax(worst, fabs(image->transmittance[q] - e.transmittance[q]));
            if (sc->field == FIELD_CONSTANT) {
                double t = pow(1.0 - rgba[3], e.inside[q]);
                for (int c = 0; c < 3; ++c)
                    CHECK_NEAR(image->colour[3 * q + c], rgba[c] * (1.0 - t), tol);
                CHECK_NEAR(image->transmittance[q], t, tol);
            }
        }
        cc_image_destroy(image);
    }
    printf("%-8s shape %ldx%ldx%ld N=%d angle %5.1f %s: %ld inside samples, worst error %.3g%s\n",
           field_name(sc->field), sc->shape[0], sc->shape[1], sc->shape[2], n_, sc->angle_deg,
           cc_precision_name(sc->precision), total_inside, worst,
           check_failures > before ? "  FAILED" : "");
    expected_free(&e);
    return total_inside;
}

/* At angle 0 with N equal to the (cubic) grid size every sample is a node:
 * pixel (j, k) composites V[j][i][k] for i = 0 .. N-1. */
static void check_nodes(cc_precision precision, cc_renderer *renderer)
{
    enum { n = 9 };
    scene sc = {{n, n, n}, n, 0.0, FIELD_LINEAR, precision, NULL};
    scene_fill_nodes(&sc);
    cc_view view = make_view(&sc);
    cc_box whole = cc_box_whole(n, n, n);
    cc_box cells = cc_cells_whole(sc.shape);
    cc_image *image = render(&sc, renderer, &view, &whole, &cells, 0, n);
    if (image) {
        for (int j = 0; j < n; ++j)
            for (int k = 0; k < n; ++k) {
                double rgb[3] = {0, 0, 0}, t = 1.0;
                for (int i = 0; i < n; ++i) {
                    double rgba[4];
                    cc_transfer_eval(node(&sc, j, i, k), rgba);
                    for (int c = 0; c < 3; ++c)
                        rgb[c] = rgba[3] * rgba[c] + (1.0 - rgba[3]) * rgb[c];
                    t *= 1.0 - rgba[3];
                }
                size_t q = (size_t)j * n + k;
                for (int c = 0; c < 3; ++c)
                    CHECK_NEAR(image->colour[3 * q + c], rgb[c], tolerance(&sc));
                CHECK_NEAR(image->transmittance[q], t, tolerance(&sc));
            }
        cc_image_destroy(image);
    }
    free(sc.nodes);
}

static int cmp_double_bits(const double *a, const double *b, size_t n)
{
    return memcmp(a, b, n * sizeof(double));
}

/* Bricks: the owned cells split along x, y and z, each brick rendered from a
 * volume holding only its cells plus one plane, the partial images composited
 * near over far, equal the whole render to rounding (1e-12 double, 1e-5
 * single).  Then rows from an x slab equal the whole render's rows bitwise. */
static void check_slabs(scene *sc, cc_renderer *renderer, const long split[3])
{
    scene_fill_nodes(sc);
    cc_view view = make_view(sc);
    int n_ = sc->size;
    /* Both split directions must increase along the ray (i grows nearer). */
    CHECK(view.cos_theta > 0.0 && view.sin_theta > 0.0);
    cc_box whole = cc_box_whole(sc->shape[0], sc->shape[1], sc->shape[2]);
    cc_box cells = cc_cells_whole(sc->shape);
    cc_image *reference = render(sc, renderer, &view, &whole, &cells, 0, n_);
    if (!reference)
        return;

    cc_error err;
    cc_error_clear(&err);
    cc_image *sum = NULL;
    if (cc_image_create(n_, 0, n_, &sum, &err) != CC_OK) {
        CHECK(!"cc_image_create failed");
        cc_image_destroy(reference);
        return;
    }
    /* Far to near: depth rank = (y half) + (z half); "sum" accumulates as
     * the far part, each nearer brick goes over it. */
    for (int rank = 0; rank <= 2; ++rank) {
        for (int bx = 0; bx < 2; ++bx)
            for (int by = 0; by < 2; ++by)
                for (int bz = 0; bz < 2; ++bz) {
                    if (by + bz != rank)
                        continue;
                    int half[3] = {bx, by, bz};
                    cc_box owned, vbox;
                    for (int a = 0; a < 3; ++a) {
                        long ncells = sc->shape[a] - 1;
                        owned.lo[a] = half[a] ? split[a] : 0;
                        owned.count[a] = half[a] ? ncells - split[a] : split[a];
                        vbox.lo[a] = owned.lo[a];
                        vbox.count[a] = owned.count[a] + 1;
                    }
                    cc_image *part = render(sc, renderer, &view, &vbox, &owned, 0, n_);
                    if (!part)
                        continue;
                    cc_image_composite_over(part, sum); /* part is nearer */
                    cc_image_destroy(sum);
                    sum = part;
                }
    }
    double tol = sc->precision == CC_DOUBLE ? 1e-12 : 1e-5, worst = 0.0;
    for (size_t q = 0; q < (size_t)n_ * n_; ++q) {
        for (int c = 0; c < 3; ++c) {
            CHECK_NEAR(sum->colour[3 * q + c], reference->colour[3 * q + c], tol);
            worst = fmax(worst, fabs(sum->colour[3 * q + c] - reference->colour[3 * q + c]));
        }
        CHECK_NEAR(sum->transmittance[q], reference->transmittance[q], tol);
    }
    printf("bricks   %s angle %.1f: 8 bricks composited vs whole, worst %.3g\n",
           cc_precision_name(sc->precision), sc->angle_deg, worst);
    cc_image_destroy(sum);

    /* Rows from an x slab. */
    const int bands[][2] = {{0, 5}, {7, 13}, {13, 14}, {n_ / 2 - 2, n_ / 2 + 8}, {n_ - 4, n_}};
    for (size_t b = 0; b < sizeof bands / sizeof bands[0]; ++b) {
        int r0 = bands[b][0], r1 = bands[b][1];
        if (r1 > n_)
            continue;
        long x_lo = -1, x_count = -1;
        cc_view_rows_x_range(&view, sc->shape[0], r0, r1, &x_lo, &x_count);
        /* Every row's x lies between planes x_lo and x_lo + x_count - 1. */
        int any = 0;
        for (int j = r0; j < r1; ++j) {
            int cell;
            double w;
            if (!cc_grid_locate((int)sc->shape[0], cc_grid_coord(n_, j), &cell, &w))
                continue;
            any = 1;
            CHECK(cell >= x_lo && cell + 1 <= x_lo + x_count - 1);
        }
        if (!any) {
            CHECK_INT(x_count, 0);
            continue;
        }
        CHECK(x_lo >= 0 && x_count >= 2 && x_lo + x_count <= sc->shape[0]);
        cc_box vbox = whole, owned = cells;
        vbox.lo[0] = x_lo;
        vbox.count[0] = x_count;
        owned.lo[0] = x_lo;
        owned.count[0] = x_count - 1;
        cc_image *rows = render(sc, renderer, &view, &vbox, &owned, r0, r1 - r0);
        if (!rows)
            continue;
        size_t off = (size_t)r0 * n_, count = (size_t)(r1 - r0) * n_;
        CHECK(cmp_double_bits(rows->colour, reference->colour + 3 * off, 3 * count) == 0);
        CHECK(cmp_double_bits(rows->transmittance, reference->transmittance + off, count) == 0);
        cc_image_destroy(rows);
    }
    cc_image_destroy(reference);
    free(sc->nodes);
}

int main(void)
{
    cc_error err;
    cc_error_clear(&err);
    cc_renderer *renderer = NULL;
    REQUIRE(cc_renderer_create(&renderer, &err) == CC_OK);
    REQUIRE(renderer != NULL);

    for (int p = 0; p < 2; ++p) {
        cc_precision precision = p ? CC_DOUBLE : CC_SINGLE;

        check_nodes(precision, renderer);

        /* Constant volume, camera grid larger than the volume (rays partly
         * outside) and smaller. */
        static const double angles[] = {0.0, 30.0, 71.0};
        for (size_t a = 0; a < 3; ++a) {
            scene sc = {{12, 16, 20}, 26, angles[a], FIELD_CONSTANT, precision, NULL};
            long inside = check_scene(&sc, renderer);
            CHECK(inside > 0 && inside < 26L * 26 * 26); /* some in, some out */
            free(sc.nodes);
        }
        {
            scene sc = {{20, 20, 20}, 13, 30.0, FIELD_CONSTANT, precision, NULL};
            check_scene(&sc, renderer);
            free(sc.nodes);
        }

        /* Linear fields: interpolation is exact. */
        for (size_t a = 0; a < 3; ++a) {
            scene sc = {{12, 16, 20}, 26, angles[a], FIELD_LINEAR, precision, NULL};
            check_scene(&sc, renderer);
            free(sc.nodes);
        }
        {
            scene sc = {{9, 9, 9}, 9, 0.0, FIELD_LINEAR, precision, NULL};
            check_scene(&sc, renderer);
            free(sc.nodes);
        }
        {
            scene sc = {{9, 9, 9}, 17, 0.0, FIELD_LINEAR, precision, NULL};
            check_scene(&sc, renderer);
            free(sc.nodes);
        }
        {
            scene sc = {{20, 20, 20}, 13, 30.0, FIELD_LINEAR, precision, NULL};
            check_scene(&sc, renderer);
            free(sc.nodes);
        }

        /* A random lognormal field with empty voxels, against trilinear
         * interpolation written here. */
        {
            static const double rangles[] = {0.0, 30.0, 45.0};
            for (size_t a = 0; a < 3; ++a) {
                scene sc = {{10, 13, 11}, 17, rangles[a], FIELD_RANDOM, precision, NULL};
                check_scene(&sc, renderer);
                free(sc.nodes);
            }
        }

        /* Bricks and row slabs. */
        {
            scene sc = {{12, 16, 20}, 26, 30.0, FIELD_RANDOM, precision, NULL};
            static const long split[3] = {5, 6, 11};
            check_slabs(&sc, renderer, split);
        }
        {
            scene sc = {{12, 16, 20}, 26, 30.0, FIELD_LINEAR, precision, NULL};
            static const long split[3] = {7, 9, 4};
            check_slabs(&sc, renderer, split);
        }
    }

    /* The camera grid on the volume grid (N equal to the grid size, as in
     * the original script): every row sits exactly on an x plane. */
    for (int p = 0; p < 2; ++p) {
        cc_precision precision = p ? CC_DOUBLE : CC_SINGLE;
        static const double angles[] = {0.0, 30.0};
        for (size_t a = 0; a < 2; ++a) {
            scene sc = {{16, 16, 16}, 16, angles[a], FIELD_RANDOM, precision, NULL};
            check_scene(&sc, renderer);
            free(sc.nodes);
        }
        {
            scene sc = {{64, 64, 64}, 64, 30.0, FIELD_RANDOM, precision, NULL};
            static const long split[3] = {20, 33, 41};
            check_slabs(&sc, renderer, split);
        }
        {
            scene sc = {{181, 12, 10}, 181, 30.0, FIELD_LINEAR, precision, NULL};
            static const long split[3] = {88, 5, 4};
            check_slabs(&sc, renderer, split);
        }
    }

    cc_renderer_destroy(renderer);
    return check_result("unit_render");
}
