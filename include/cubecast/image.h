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

#include <stddef.h>
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

/* The 8-bit level of one channel value: floor(255 * clip(value) + 0.5). */
uint8_t cc_level8(double value);

/* The 16-bit level of one channel value: floor(65535 * clip(value) + 0.5). */
uint16_t cc_level16(double value);

/* How a frame's (C, T) becomes PNG pixels (design.md section 5).  With C
 * already clipped to [0, 1] (cc_image_clip), per pixel and channel:
 *   over a background bg:  shown = clip(C + T * bg)       (RGB)
 *                          (black, the default: C itself, bit for bit)
 *   transparent:           alpha = clip(1 - T)
 *                          colour = alpha > 0 ? clip(C / alpha) : 0  (RGBA,
 *                          straight, not premultiplied)
 * and every value is quantised to floor(L * clip(value) + 0.5), L = 255 or
 * 65535.  T is used as the renderer left it (prod(1 - a), within [0, 1]). */
typedef struct cc_output_format {
    int bit_depth;        /* 8 or 16 */
    int transparent;      /* RGBA with alpha = 1 - T; background ignored */
    double background[3]; /* 0..1; all 0: black, the original */
} cc_output_format;

/* 8-bit RGB over black: the original's PNG. */
cc_output_format cc_output_format_default(void);

/* Samples per pixel: 3 (RGB) or 4 (RGBA). */
int cc_output_channels(const cc_output_format *format);

/* Bytes of one pixel: channels x bit_depth / 8. */
int cc_output_pixel_bytes(const cc_output_format *format);

/* What the background is called: "transparent", "black", "white" or
 * "#rrggbb" (lower case, each channel round(255 * value)).  size >= 16. */
void cc_output_background_name(const cc_output_format *format, char *text, size_t size);

/* The image's pixels in format, row-major, channels per pixel: uint8_t
 * samples for 8 bits, uint16_t in the machine's byte order for 16.  The
 * colour must already be clipped (cc_image_clip). */
void cc_image_to_pixels(const cc_image *image, const cc_output_format *format, void *pixels);

#endif
