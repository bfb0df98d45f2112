/* test_image.c - partial images: over-compositing of depth ranges, clipping,
 * 8-bit quantisation. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "cubecast/image.h"

enum { DEPTH = 24 };

/* A ray's samples: colour and alpha per depth i (larger i nearer). */
typedef struct ray {
    double colour[DEPTH][3];
    double alpha[DEPTH];
} ray;

static double uniform(void)
{
    return rand() / (double)RAND_MAX;
}

/* Composites depth range [i0, i1) from black, front to back in i as the
 * contract says: rgb = a * colour + (1 - a) * rgb, T = prod(1 - a). */
static void composite_range(const ray *r, int i0, int i1, double rgb[3], double *t)
{
    rgb[0] = rgb[1] = rgb[2] = 0.0;
    *t = 1.0;
    for (int i = i0; i < i1; ++i) {
        double a = r->alpha[i];
        for (int c = 0; c < 3; ++c)
            rgb[c] = a * r->colour[i][c] + (1.0 - a) * rgb[c];
        *t *= 1.0 - a;
    }
}

static void check_split_equals_whole(void)
{
    enum { W = 7, ROWS = 3 };
    srand(2024u);
    ray rays[ROWS * W];
    for (int p = 0; p < ROWS * W; ++p) {
        for (int i = 0; i < DEPTH; ++i) {
            /* Some empty samples, some opaque-ish ones. */
            double u = uniform();
            rays[p].alpha[i] = u < 0.2 ? 0.0 : (u > 0.95 ? 0.999 : 0.6 * uniform());
            for (int c = 0; c < 3; ++c)
                rays[p].colour[i][c] = uniform();
        }
    }

    cc_error err;
    cc_error_clear(&err);
    for (int split = 0; split <= DEPTH; ++split) {
        cc_image *near = NULL, *far = NULL;
        if (cc_image_create(W, 4, ROWS, &near, &err) != CC_OK ||
            cc_image_create(W, 4, ROWS, &far, &err) != CC_OK) {
            CHECK(!"cc_image_create failed");
            return;
        }
        for (int p = 0; p < ROWS * W; ++p) {
            composite_range(&rays[p], 0, split, &far->colour[3 * p], &far->transmittance[p]);
            composite_range(&rays[p], split, DEPTH, &near->colour[3 * p], &near->transmittance[p]);
        }
        cc_image_composite_over(near, far);
        CHECK_INT(near->width, W);
        CHECK_INT(near->row_begin, 4);
        CHECK_INT(near->rows, ROWS);
        for (int p = 0; p < ROWS * W; ++p) {
            double rgb[3], t;
            composite_range(&rays[p], 0, DEPTH, rgb, &t);
            for (int c = 0; c < 3; ++c)
                CHECK_NEAR(near->colour[3 * p + c], rgb[c], 1e-15);
            CHECK_NEAR(near->transmittance[p], t, 1e-15);
        }
        cc_image_destroy(near);
        cc_image_destroy(far);
    }

    /* Three ranges combined in either grouping. */
    for (int a = 0; a <= DEPTH; a += 5) {
        for (int b = a; b <= DEPTH; b += 3) {
            cc_image *im[3] = {NULL, NULL, NULL};
            for (int q = 0; q < 3; ++q)
                if (cc_image_create(W, 0, ROWS, &im[q], &err) != CC_OK) {
                    CHECK(!"cc_image_create failed");
                    return;
                }
            for (int p = 0; p < ROWS * W; ++p) {
                composite_range(&rays[p], 0, a, &im[0]->colour[3 * p], &im[0]->transmittance[p]);
                composite_range(&rays[p], a, b, &im[1]->colour[3 * p], &im[1]->transmittance[p]);
                composite_range(&rays[p], b, DEPTH, &im[2]->colour[3 * p],
                                &im[2]->transmittance[p]);
            }
            /* (near over middle) over far */
            cc_image_composite_over(im[2], im[1]);
            cc_image_composite_over(im[2], im[0]);
            for (int p = 0; p < ROWS * W; ++p) {
                double rgb[3], t;
                composite_range(&rays[p], 0, DEPTH, rgb, &t);
                for (int c = 0; c < 3; ++c)
                    CHECK_NEAR(im[2]->colour[3 * p + c], rgb[c], 1e-15);
                CHECK_NEAR(im[2]->transmittance[p], t, 1e-15);
            }
            for (int q = 0; q < 3; ++q)
                cc_image_destroy(im[q]);
        }
    }
}

static void check_create_clear_over(void)
{
    cc_error err;
    cc_error_clear(&err);
    cc_image *a = NULL, *b = NULL;
    if (cc_image_create(5, 2, 3, &a, &err) != CC_OK ||
        cc_image_create(5, 2, 3, &b, &err) != CC_OK) {
        CHECK(!"cc_image_create failed");
        return;
    }
    CHECK_INT(a->width, 5);
    CHECK_INT(a->row_begin, 2);
    CHECK_INT(a->rows, 3);
    for (int p = 0; p < 15; ++p) {
        CHECK_SAME(a->transmittance[p], 1.0);
        for (int c = 0; c < 3; ++c)
            CHECK_SAME(a->colour[3 * p + c], 0.0);
    }

    /* Formula on arbitrary numbers. */
    srand(7u);
    double cn[45], tn[15], cf[45], tf[15];
    for (int p = 0; p < 15; ++p) {
        tn[p] = a->transmittance[p] = uniform();
        tf[p] = b->transmittance[p] = uniform();
        for (int c = 0; c < 3; ++c) {
            cn[3 * p + c] = a->colour[3 * p + c] = uniform();
            cf[3 * p + c] = b->colour[3 * p + c] = uniform();
        }
    }
    cc_image_composite_over(a, b);
    for (int p = 0; p < 15; ++p) {
        CHECK_NEAR(a->transmittance[p], tn[p] * tf[p], 1e-16);
        for (int c = 0; c < 3; ++c)
            CHECK_NEAR(a->colour[3 * p + c], cn[3 * p + c] + tn[p] * cf[3 * p + c], 4.5e-16);
        /* far is not changed */
        CHECK_SAME(b->transmittance[p], tf[p]);
    }

    /* An empty (C = 0, T = 1) image is the identity on either side. */
    cc_image_clear(b);
    for (int p = 0; p < 15; ++p) {
        CHECK_SAME(b->transmittance[p], 1.0);
        for (int c = 0; c < 3; ++c)
            CHECK_SAME(b->colour[3 * p + c], 0.0);
    }
    double keep_c[45], keep_t[15];
    for (int p = 0; p < 15; ++p) {
        keep_t[p] = a->transmittance[p];
        for (int c = 0; c < 3; ++c)
            keep_c[3 * p + c] = a->colour[3 * p + c];
    }
    cc_image_composite_over(a, b);
    for (int p = 0; p < 15; ++p) {
        CHECK_SAME(a->transmittance[p], keep_t[p]);
        for (int c = 0; c < 3; ++c)
            CHECK_SAME(a->colour[3 * p + c], keep_c[3 * p + c]);
    }
    cc_image_composite_over(b, a);
    for (int p = 0; p < 15; ++p) {
        CHECK_SAME(b->transmittance[p], keep_t[p]);
        for (int c = 0; c < 3; ++c)
            CHECK_SAME(b->colour[3 * p + c], keep_c[3 * p + c]);
    }
    cc_image_destroy(a);
    cc_image_destroy(b);
}

static void check_clip_and_quantise(void)
{
    cc_error err;
    cc_error_clear(&err);
    cc_image *im = NULL;
    if (cc_image_create(4, 0, 2, &im, &err) != CC_OK) {
        CHECK(!"cc_image_create failed");
        return;
    }
    static const double in[24] = {-0.5, 0.0, 0.25,        1.0,      1.5, 1e300, -1e-300, 0.999999,
                                  2.0,  0.5, 1.0 + 1e-16, -0.0,     0.3, 0.7,   0.1,     0.9,
                                  0.0,  1.0, -INFINITY,   INFINITY, 0.2, 0.4,   0.6,     0.8};
    static const double out[24] = {0.0, 0.0, 0.25, 1.0, 1.0, 1.0, 0.0, 0.999999,
                                   1.0, 0.5, 1.0,  0.0, 0.3, 0.7, 0.1, 0.9,
                                   0.0, 1.0, 0.0,  1.0, 0.2, 0.4, 0.6, 0.8};
    for (int q = 0; q < 24; ++q)
        im->colour[q] = in[q];
    for (int p = 0; p < 8; ++p)
        im->transmittance[p] = 0.125 * p;
    cc_image_clip(im);
    for (int q = 0; q < 24; ++q)
        CHECK_NEAR(im->colour[q], out[q], 0.0); /* -0.0 and 0.0 both fine */
    for (int p = 0; p < 8; ++p)
        CHECK_SAME(im->transmittance[p], 0.125 * p);

    uint8_t rgb[24];
    cc_image_to_rgb8(im, rgb);
    for (int q = 0; q < 24; ++q)
        CHECK_INT(rgb[q], (int)floor(255.0 * out[q] + 0.5));
    /* Layout: row-major, pixel (row 1, column 2) green is index (1*4+2)*3+1. */
    CHECK_INT(rgb[(1 * 4 + 2) * 3 + 1], (int)floor(255.0 * out[(1 * 4 + 2) * 3 + 1] + 0.5));
    CHECK_INT(rgb[3 * 3 + 0], 128); /* in[9] = 0.5: pixel 3, red */
    cc_image_destroy(im);

    /* cc_level8 */
    CHECK_INT(cc_level8(0.0), 0);
    CHECK_INT(cc_level8(-0.0), 0);
    CHECK_INT(cc_level8(1.0), 255);
    CHECK_INT(cc_level8(0.5), 128); /* 127.5 + 0.5 = 128 */
    CHECK_INT(cc_level8(-1.0), 0);
    CHECK_INT(cc_level8(-1e300), 0);
    CHECK_INT(cc_level8(-INFINITY), 0);
    CHECK_INT(cc_level8(1.5), 255);
    CHECK_INT(cc_level8(1e300), 255);
    CHECK_INT(cc_level8(INFINITY), 255);
    CHECK_INT(cc_level8(nextafter(1.0, 2.0)), 255);
    CHECK_INT(cc_level8(nextafter(0.0, -1.0)), 0);
    CHECK_INT(cc_level8(4.9e-324), 0);
    for (int k = 0; k < 255; ++k) {
        /* Around the rounding boundary between levels k and k+1. */
        double b = (k + 0.5) / 255.0;
        double probes[] = {b,        nextafter(b, 0.0), nextafter(b, 2.0), b - 1e-9,
                           b + 1e-9, k / 255.0,         (k + 1) / 255.0};
        for (size_t p = 0; p < sizeof probes / sizeof probes[0]; ++p) {
            double x = probes[p];
            CHECK_INT(cc_level8(x), (int)floor(255.0 * x + 0.5));
        }
        CHECK_INT(cc_level8(b - 1e-9), k);
        CHECK_INT(cc_level8(b + 1e-9), k + 1);
        CHECK_INT(cc_level8(k / 255.0), k);
    }
    /* Dense sweep against the formula. */
    for (int t = 0; t <= 1000000; ++t) {
        double x = -0.01 + 1.02 * t / 1000000.0;
        double c = x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x);
        CHECK_INT(cc_level8(x), (int)floor(255.0 * c + 0.5));
    }
}

int main(void)
{
    check_create_clear_over();
    check_split_equals_whole();
    check_clip_and_quantise();
    return check_result("unit_image");
}
