/* image.c - partial images and compositing (image.h). */
#include "cubecast/image.h"

#include <math.h>
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
