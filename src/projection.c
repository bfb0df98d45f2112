/* projection.c - ln(mean over x) and its picture (projection.h). */
#include "cubecast/projection.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdlib.h>
#include <string.h>

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

uint32_t cc_projection_scan(const cc_volume *volume, const cc_box *box, double *sum,
                            cc_histogram *histogram)
{
    if (cc_box_is_empty(box))
        return 0;
    const cc_box *held = cc_volume_box(volume);
    const long *shape = cc_volume_global_shape(volume);
    int is_double = cc_volume_precision(volume) == CC_DOUBLE;
    const void *values = cc_volume_values_const(volume);
    size_t value_size = is_double ? sizeof(double) : sizeof(float);
    uint32_t checksum = 0;
    int failed = 0;
    /* Each sum is added over increasing x, so a rank adds its numbers in the
     * same order whatever the rank count; only the reduction across ranks
     * regroups the sums.  Threads split y, so no two touch the same sum.
     * Each thread counts into a histogram of its own, merged at the end. */
#pragma omp parallel reduction(+ : checksum) reduction(| : failed)
    {
        cc_histogram *mine = histogram == NULL ? NULL : calloc(1, sizeof *mine);
        failed = histogram != NULL && mine == NULL;
#pragma omp for schedule(static)
        for (long y = box->lo[1]; y < box->lo[1] + box->count[1]; y++) {
            double *out =
                sum == NULL ? NULL : sum + (size_t)y * (size_t)shape[2] + (size_t)box->lo[2];
            for (long x = box->lo[0]; x < box->lo[0] + box->count[0]; x++) {
                size_t row = ((size_t)(x - held->lo[0]) * (size_t)held->count[1] +
                              (size_t)(y - held->lo[1])) *
                                 (size_t)held->count[2] +
                             (size_t)(box->lo[2] - held->lo[2]);
                uint64_t index =
                    ((uint64_t)x * (uint64_t)shape[1] + (uint64_t)y) * (uint64_t)shape[2] +
                    (uint64_t)box->lo[2];
                uint32_t key = (uint32_t)index * CC_CHECKSUM_STEP;
                if (is_double)
                    checksum +=
                        scan_row_double((const double *)values + row, box->count[2], out, key);
                else
                    checksum +=
                        scan_row_float((const float *)values + row, box->count[2], out, key);
                if (mine != NULL)
                    cc_histogram_add(mine, (const char *)values + row * value_size, box->count[2],
                                     is_double);
            }
        }
        if (mine != NULL) {
#pragma omp critical(cc_projection_histogram)
            cc_histogram_merge(histogram, mine);
        }
        free(mine);
    }
    /* Out of memory for a thread's histogram: the caller sees no counts. */
    if (failed && histogram != NULL)
        memset(histogram, 0, sizeof *histogram);
    return checksum;
}

void cc_projection_finish(double *sum, long nx, size_t count)
{
    for (size_t p = 0; p < count; p++)
        sum[p] = log(sum[p] / (double)nx);
}

int cc_projection_finite_range(const double *log_mean, size_t count, double *lo, double *hi)
{
    int found = 0;
    for (size_t p = 0; p < count; p++)
        if (isfinite(log_mean[p])) {
            if (!found || log_mean[p] < *lo)
                *lo = log_mean[p];
            if (!found || log_mean[p] > *hi)
                *hi = log_mean[p];
            found = 1;
        }
    return found;
}

void cc_projection_to_rgb8(const double *log_mean, size_t count, const cc_colormap *map, double lo,
                           double hi, uint8_t *rgb)
{
    /* matplotlib's Normalize: (value - lo) / (hi - lo), in that order, or 0
     * for every value when lo == hi.  There matplotlib's fill(0) paints NaN
     * with the first colour too; here NaN stays black, as everywhere else. */
    for (size_t p = 0; p < count; p++) {
        double t =
            lo == hi ? (isnan(log_mean[p]) ? log_mean[p] : 0.0) : (log_mean[p] - lo) / (hi - lo);
        cc_colormap_rgb8(map, t, rgb + 3 * p);
    }
}

/* value in the fewest significant digits that read back as value. */
static void shortest(double value, char *out, size_t size)
{
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(out, size, "%.*g", digits, value);
        if (strtod(out, NULL) == value)
            return;
    }
}

void cc_projection_describe(const cc_colormap *map, double lo, double hi, int automatic, char *out,
                            size_t size)
{
    char lo_text[32], hi_text[32];
    shortest(lo, lo_text, sizeof lo_text);
    shortest(hi, hi_text, sizeof hi_text);
    snprintf(out, size, "ln(mean over x), %s, limits [%s, %s]%s", cc_colormap_name(map), lo_text,
             hi_text,
             automatic > 0   ? " (auto: finite min and max)"
             : automatic < 0 ? " (auto: no finite value)"
                             : "");
}
