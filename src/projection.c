/* projection.c - ln(mean over x) and its viridis picture (projection.h). */
#include "cubecast/projection.h"

#include <math.h>
#include <string.h>

static const uint8_t cc_viridis[256][3] = {
#include "viridis.inc"
};

/* One row of n values along z: adds them into out (unless NULL) and
 * returns the sum of their checksum terms, key being the first's. */
static uint32_t scan_row_float(const float *values, long n, double *out, uint32_t key)
{
    uint32_t checksum = 0;
    if (out != NULL)
        for (long z = 0; z < n; z++) {
            uint32_t bits;
            memcpy(&bits, &values[z], sizeof bits); /* a plain load, no aliasing */
            checksum += cc_checksum_mix(bits, key + (uint32_t)z * CC_CHECKSUM_STEP);
            out[z] += (double)values[z];
        }
    else
        for (long z = 0; z < n; z++) {
            uint32_t bits;
            memcpy(&bits, &values[z], sizeof bits);
            checksum += cc_checksum_mix(bits, key + (uint32_t)z * CC_CHECKSUM_STEP);
        }
    return checksum;
}

static uint32_t scan_row_double(const double *values, long n, double *out, uint32_t key)
{
    uint32_t checksum = 0;
    for (long z = 0; z < n; z++) {
        uint64_t bits;
        memcpy(&bits, &values[z], sizeof bits);
        checksum += cc_checksum_mix64(bits, key + (uint32_t)z * CC_CHECKSUM_STEP);
    }
    if (out != NULL)
        for (long z = 0; z < n; z++)
            out[z] += values[z];
    return checksum;
}

uint32_t cc_projection_scan(const cc_volume *volume, const cc_box *box, double *sum)
{
    if (cc_box_is_empty(box))
        return 0;
    const cc_box *held = cc_volume_box(volume);
    const long *shape = cc_volume_global_shape(volume);
    int is_double = cc_volume_precision(volume) == CC_DOUBLE;
    const void *values = cc_volume_values_const(volume);
    uint32_t checksum = 0;
    /* Each sum is added over increasing x, so a rank adds its numbers in the
     * same order whatever the rank count; only the reduction across ranks
     * regroups the sums.  Threads split y, so no two touch the same sum. */
#pragma omp parallel for schedule(static) reduction(+ : checksum)
    for (long y = box->lo[1]; y < box->lo[1] + box->count[1]; y++) {
        double *out = sum == NULL ? NULL : sum + (size_t)y * (size_t)shape[2] + (size_t)box->lo[2];
        for (long x = box->lo[0]; x < box->lo[0] + box->count[0]; x++) {
            size_t row =
                ((size_t)(x - held->lo[0]) * (size_t)held->count[1] + (size_t)(y - held->lo[1])) *
                    (size_t)held->count[2] +
                (size_t)(box->lo[2] - held->lo[2]);
            uint64_t index = ((uint64_t)x * (uint64_t)shape[1] + (uint64_t)y) * (uint64_t)shape[2] +
                             (uint64_t)box->lo[2];
            uint32_t key = (uint32_t)index * CC_CHECKSUM_STEP;
            if (is_double)
                checksum += scan_row_double((const double *)values + row, box->count[2], out, key);
            else
                checksum += scan_row_float((const float *)values + row, box->count[2], out, key);
        }
    }
    return checksum;
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
