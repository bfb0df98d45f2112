/* projection.c - ln(mean over x) and its viridis picture (projection.h). */
#include "cubecast/projection.h"

#include <math.h>

static const uint8_t cc_viridis[256][3] = {
#include "viridis.inc"
};

void cc_projection_accumulate(const cc_volume *volume, const cc_box *box, double *sum)
{
    const cc_box *held = cc_volume_box(volume);
    long nz = cc_volume_global_shape(volume)[2];
    int is_double = cc_volume_precision(volume) == CC_DOUBLE;
    const void *values = cc_volume_values_const(volume);
    /* Each sum is added over increasing x, so a rank adds its numbers in the
     * same order whatever the rank count; only the reduction across ranks
     * regroups the sums.  Threads split y, so no two touch the same sum. */
#pragma omp parallel for schedule(static)
    for (long y = box->lo[1]; y < box->lo[1] + box->count[1]; y++) {
        double *out = sum + (size_t)y * (size_t)nz + (size_t)box->lo[2];
        for (long x = box->lo[0]; x < box->lo[0] + box->count[0]; x++) {
            size_t row =
                ((size_t)(x - held->lo[0]) * (size_t)held->count[1] + (size_t)(y - held->lo[1])) *
                    (size_t)held->count[2] +
                (size_t)(box->lo[2] - held->lo[2]);
            if (is_double)
                for (long z = 0; z < box->count[2]; z++)
                    out[z] += ((const double *)values)[row + (size_t)z];
            else
                for (long z = 0; z < box->count[2]; z++)
                    out[z] += (double)((const float *)values)[row + (size_t)z];
        }
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

void cc_projection_to_rgb8(const double *log_mean, size_t count, double lo, double hi, uint8_t *rgb)
{
    for (size_t p = 0; p < count; p++) {
        int index = 0;
        int known = viridis_index(log_mean[p], lo, hi, &index);
        for (int c = 0; c < 3; c++)
            rgb[3 * p + c] = known ? cc_viridis[index][c] : 0;
    }
}
