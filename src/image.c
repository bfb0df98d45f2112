/* image.c - partial images and compositing (image.h). */
#include "cubecast/image.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

cc_status cc_image_create(int width, int row_begin, int rows, cc_image **out, cc_error *err)
{
    size_t pixels = (size_t)width * (size_t)(rows > 0 ? rows : 0);
    cc_image *image = calloc(1, sizeof *image);
    if (image == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    image->width = width;
    image->row_begin = row_begin;
    image->rows = rows;
    image->colour = malloc((pixels > 0 ? pixels : 1) * 3 * sizeof(double));
    image->transmittance = malloc((pixels > 0 ? pixels : 1) * sizeof(double));
    if (image->colour == NULL || image->transmittance == NULL) {
        cc_image_destroy(image);
        return cc_fail(err, CC_ERR_NOMEM, "cannot allocate a %d x %d image", width, rows);
    }
    cc_image_clear(image);
    *out = image;
    return CC_OK;
}

void cc_image_destroy(cc_image *image)
{
    if (image == NULL)
        return;
    free(image->colour);
    free(image->transmittance);
    free(image);
}

void cc_image_clear(cc_image *image)
{
    size_t pixels = (size_t)image->width * (size_t)image->rows;
    for (size_t p = 0; p < pixels; p++) {
        image->colour[3 * p + 0] = 0.0;
        image->colour[3 * p + 1] = 0.0;
        image->colour[3 * p + 2] = 0.0;
        image->transmittance[p] = 1.0;
    }
}

void cc_image_composite_over(cc_image *near, const cc_image *far)
{
    size_t pixels = (size_t)near->width * (size_t)near->rows;
    for (size_t p = 0; p < pixels; p++) {
        double t_near = near->transmittance[p];
        near->colour[3 * p + 0] += t_near * far->colour[3 * p + 0];
        near->colour[3 * p + 1] += t_near * far->colour[3 * p + 1];
        near->colour[3 * p + 2] += t_near * far->colour[3 * p + 2];
        near->transmittance[p] = t_near * far->transmittance[p];
    }
}

void cc_image_clip(cc_image *image)
{
    size_t values = (size_t)image->width * (size_t)image->rows * 3;
    for (size_t v = 0; v < values; v++) {
        double c = image->colour[v];
        image->colour[v] = c < 0.0 ? 0.0 : (c > 1.0 ? 1.0 : c);
    }
}

uint8_t cc_level8(double value)
{
    if (!(value > 0.0))
        return 0;
    if (value >= 1.0)
        return 255;
    return (uint8_t)floor(255.0 * value + 0.5);
}

void cc_image_to_rgb8(const cc_image *image, uint8_t *rgb8)
{
    size_t values = (size_t)image->width * (size_t)image->rows * 3;
    for (size_t v = 0; v < values; v++)
        rgb8[v] = cc_level8(image->colour[v]);
}

uint16_t cc_level16(double value)
{
    if (!(value > 0.0))
        return 0;
    if (value >= 1.0)
        return 65535;
    return (uint16_t)floor(65535.0 * value + 0.5);
}

cc_output_format cc_output_format_default(void)
{
    cc_output_format format = {8, 0, {0.0, 0.0, 0.0}};
    return format;
}

int cc_output_channels(const cc_output_format *format)
{
    return format->transparent ? 4 : 3;
}

int cc_output_pixel_bytes(const cc_output_format *format)
{
    return cc_output_channels(format) * (format->bit_depth == 16 ? 2 : 1);
}

static int is_black(const cc_output_format *format)
{
    return format->background[0] == 0.0 && format->background[1] == 0.0 &&
           format->background[2] == 0.0;
}

void cc_output_background_name(const cc_output_format *format, char *text, size_t size)
{
    const double *bg = format->background;
    if (format->transparent) {
        snprintf(text, size, "transparent");
    } else if (is_black(format)) {
        snprintf(text, size, "black");
    } else if (bg[0] == 1.0 && bg[1] == 1.0 && bg[2] == 1.0) {
        snprintf(text, size, "white");
    } else {
        int level[3];
        for (int c = 0; c < 3; c++)
            level[c] = cc_level8(bg[c]);
        snprintf(text, size, "#%02x%02x%02x", level[0], level[1], level[2]);
    }
}

/* The values pixel p shows (image.h): 3 colours, and alpha when transparent;
 * each is clipped to [0, 1] by its quantisation. */
static void output_values(const cc_image *image, const cc_output_format *format, size_t p,
                          double value[4])
{
    const double *colour = image->colour + 3 * p;
    double t = image->transmittance[p];
    if (format->transparent) {
        double alpha = 1.0 - t;
        alpha = alpha < 0.0 ? 0.0 : (alpha > 1.0 ? 1.0 : alpha);
        for (int c = 0; c < 3; c++)
            value[c] = alpha > 0.0 ? colour[c] / alpha : 0.0;
        value[3] = alpha;
    } else if (is_black(format)) {
        for (int c = 0; c < 3; c++)
            value[c] = colour[c]; /* the original: C itself, bit for bit */
    } else {
        for (int c = 0; c < 3; c++)
            value[c] = colour[c] + t * format->background[c];
    }
}

void cc_image_to_pixels(const cc_image *image, const cc_output_format *format, void *pixels)
{
    size_t count = (size_t)image->width * (size_t)image->rows;
    size_t channels = (size_t)cc_output_channels(format);
    for (size_t p = 0; p < count; p++) {
        double value[4];
        output_values(image, format, p, value);
        if (format->bit_depth == 16)
            for (size_t c = 0; c < channels; c++)
                ((uint16_t *)pixels)[channels * p + c] = cc_level16(value[c]);
        else
            for (size_t c = 0; c < channels; c++)
                ((uint8_t *)pixels)[channels * p + c] = cc_level8(value[c]);
    }
}
