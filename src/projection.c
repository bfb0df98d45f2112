/* projection.c - ln(mean over x) and its viridis picture (projection.h). */
#include "cubecast/projection.h"

#include <math.h>

static const uint8_t cc_viridis[256][3] = {
#include "viridis.inc"
};

void cc_projection_accumulate(const cc_volume *volume, long x_lo, long x_count, double *sum)
{
    const cc_box *box = cc_volume_box(volume);
    size_t plane = (size_t)box->count[1] * (size_t)box->count[2];
    int is_double = cc_volume_precision(volume) == CC_DOUBLE;
    const void *values = cc_volume_values_const(volume);
    /* Planes are added in increasing x whatever the split, one plane at a
     * time, so every rank count adds the same numbers in the same order
     * within a rank; the reduction across ranks then only regroups sums. */
    for (long x = x_lo; x < x_lo + x_count; x++) {
        size_t base = (size_t)(x - box->lo[0]) * plane;
#pragma omp parallel for schedule(static)
        for (size_t p = 0; p < plane; p++)
            sum[p] += is_double ? ((const double *)values)[base + p]
                                : (double)((const float *)values)[base + p];
    }
}

void cc_projection_finish(double *sum, long nx, size_t count)
{
    for (size_t p = 0; p < count; p++)
        sum[p] = log(sum[p] / (double)nx);
}

/* matplotlib's Colormap.__call__: x * 256 truncated, 1.0 -> 255, under ->
 * first colour, over -> last colour, NaN -> "bad" (drawn black here). */
static int viridis_index(double value, double lo, double hi, int *index)
{
    if (isnan(value))
        return 0;
    double x = (value - lo) / (hi - lo) * 256.0;
    if (x < 0.0)
        *index = 0;
    else if (x >= 256.0)
        *index = 255;
    else
        *index = (int)x;
    return 1;
}

void cc_projection_to_rgb8(const double *log_mean, size_t count, double lo, double hi,
                           uint8_t *rgb)
{
    for (size_t p = 0; p < count; p++) {
        int index;
        int known = viridis_index(log_mean[p], lo, hi, &index);
        for (int c = 0; c < 3; c++)
            rgb[3 * p + c] = known ? cc_viridis[index][c] : 0;
    }
}
