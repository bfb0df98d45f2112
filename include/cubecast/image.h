/* image.h - partial images and how they combine.
 *
 * A partial image holds, for a band of image rows and one depth range of a
 * frame, the colour C composited from black and the transmittance
 * T = prod(1 - alpha).  Two adjacent depth ranges combine exactly:
 *   C = C_near + T_near * C_far,  T = T_near * T_far
 * which makes depth slabs rendered on different ranks exact (sort-last).
 * Values are kept in double whatever the compute precision; single-precision
 * kernels store their float results, which converts exactly. */
#ifndef CUBECAST_IMAGE_H
#define CUBECAST_IMAGE_H

#include <stdint.h>

#include "cubecast/error.h"

typedef struct cc_image {
    int width;             /* N columns */
    int row_begin;         /* first image row held */
    int rows;              /* number of rows held */
    double *colour;        /* rows x width x 3 (r, g, b) */
    double *transmittance; /* rows x width */
} cc_image;

/* An image of rows [row_begin, row_begin + rows), black and fully
 * transparent (C = 0, T = 1). */
cc_status cc_image_create(int width, int row_begin, int rows, cc_image **out, cc_error *err);
void cc_image_destroy(cc_image *image);

/* Resets to C = 0, T = 1. */
void cc_image_clear(cc_image *image);

/* near = near over far, for images covering the same rows. */
void cc_image_composite_over(cc_image *near, const cc_image *far);

/* Clips colour to [0, 1] (the contract's last step). */
void cc_image_clip(cc_image *image);

/* 8-bit RGB, row-major: level = floor(255 * clip(C) + 0.5). */
void cc_image_to_rgb8(const cc_image *image, uint8_t *rgb8);

/* The 8-bit level of one clipped channel value. */
uint8_t cc_level8(double value);

#endif
