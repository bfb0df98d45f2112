/* projection.c - ln(mean over x) and its picture (projection.h). */
#include "cubecast/projection.h"

#include "cubecast/grid.h"

#include <math.h>
#include <stdio.h>
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

/* ---- a volume stored in another axis order than the file's ------------ */

/* As scan_row_*, for a row whose file index grows by step voxels from one
 * value to the next; out (unless NULL) is contiguous. */
static uint32_t scan_line_float(const float *values, long n, double *out, uint32_t key,
                                uint32_t step)
{
    uint32_t checksum = 0;
    for (long k = 0; k < n; k++) {
        uint32_t bits;
        memcpy(&bits, &values[k], sizeof bits);
        checksum += cc_checksum_mix(bits, key + (uint32_t)k * step);
    }
    if (out != NULL)
        for (long k = 0; k < n; k++)
            out[k] += (double)values[k];
    return checksum;
}

static uint32_t scan_line_double(const double *values, long n, double *out, uint32_t key,
                                 uint32_t step)
{
    uint32_t checksum = 0;
    for (long k = 0; k < n; k++) {
        uint64_t bits;
        memcpy(&bits, &values[k], sizeof bits);
        checksum += cc_checksum_mix64(bits, key + (uint32_t)k * step);
    }
    if (out != NULL)
        for (long k = 0; k < n; k++)
            out[k] += values[k];
    return checksum;
}

/* One row of the box: its values' checksum, its values into the histogram
 * (unless NULL) and into line (unless NULL). */
static uint32_t scan_line(const void *values, int is_double, long n, double *line, uint32_t key,
                          uint32_t step, cc_histogram *histogram)
{
    if (histogram != NULL)
        cc_histogram_add(histogram, values, n, is_double);
    return is_double ? scan_line_double(values, n, line, key, step)
                     : scan_line_float(values, n, line, key, step);
}

/* The file's view of a volume's box: for each stored axis a, how the
 * checksum key and the sum index move with it, and where its values are. */
typedef struct file_view {
    const char *values; /* the box's first value */
    size_t value_size;
    long n[3];          /* the box's extent, stored axes */
    long memory[3];     /* value strides */
    uint32_t key[3];    /* key strides: the file index stride times the step */
    long sum[3];        /* sum strides: 0 along file x */
    uint32_t first_key; /* the first value's key */
    long first_sum;     /* the first value's sum index */
} file_view;

static void view_file(const cc_volume *volume, const cc_box *box, file_view *view)
{
    const int *order = cc_volume_axis_order(volume);
    const long *shape = cc_volume_global_shape(volume);
    const cc_box *held = cc_volume_box(volume);
    long file_shape[3];
    for (int a = 0; a < 3; a++)
        file_shape[order[a]] = shape[a];
    /* The key depends on the index mod 2^32 only, so 32-bit strides do. */
    const uint32_t file_stride[3] = {(uint32_t)file_shape[1] * (uint32_t)file_shape[2],
                                     (uint32_t)file_shape[2], 1};
    const long sum_stride[3] = {0, file_shape[2], 1};
    const long held_stride[3] = {held->count[1] * held->count[2], held->count[2], 1};
    long offset = 0;
    view->first_key = 0;
    view->first_sum = 0;
    for (int a = 0; a < 3; a++) {
        view->n[a] = box->count[a];
        view->memory[a] = held_stride[a];
        view->key[a] = file_stride[order[a]] * CC_CHECKSUM_STEP;
        view->sum[a] = sum_stride[order[a]];
        offset += (box->lo[a] - held->lo[a]) * held_stride[a];
        view->first_key += (uint32_t)box->lo[a] * view->key[a];
        view->first_sum += box->lo[a] * view->sum[a];
    }
    view->value_size = cc_precision_size(cc_volume_precision(volume));
    view->values = (const char *)cc_volume_values_const(volume) + (size_t)offset * view->value_size;
}

/* Adds each of `rows` rows of n values (stride apart) into its own sum
 * (out_stride apart), in order along the row.  Four rows go at once: one
 * row's additions wait on each other, four rows' overlap (the scan of a
 * 256^3 float cube stored x last took 13 ms instead of 30 here). */
#define CC_SUM_ROWS(name, type)                                                                    \
    static void name(const type *values, long stride, long rows, long n, double *out,              \
                     long out_stride)                                                              \
    {                                                                                              \
        long r = 0;                                                                                \
        for (; r + 4 <= rows; r += 4) {                                                            \
            const type *v = values + r * stride;                                                   \
            double *o = out + r * out_stride;                                                      \
            double s0 = o[0], s1 = o[out_stride], s2 = o[2 * out_stride], s3 = o[3 * out_stride];  \
            for (long k = 0; k < n; k++) {                                                         \
                s0 += (double)v[k];                                                                \
                s1 += (double)v[stride + k];                                                       \
                s2 += (double)v[2 * stride + k];                                                   \
                s3 += (double)v[3 * stride + k];                                                   \
            }                                                                                      \
            o[0] = s0, o[out_stride] = s1, o[2 * out_stride] = s2, o[3 * out_stride] = s3;         \
        }                                                                                          \
        for (; r < rows; r++) {                                                                    \
            const type *v = values + r * stride;                                                   \
            double total = out[r * out_stride];                                                    \
            for (long k = 0; k < n; k++)                                                           \
                total += (double)v[k];                                                             \
            out[r * out_stride] = total;                                                           \
        }                                                                                          \
    }
CC_SUM_ROWS(sum_rows_float, float)
CC_SUM_ROWS(sum_rows_double, double)

/* File x is stored axis 2: each row of the box sums into one element, in
 * order along the row.  Threads split stored axis 0, a file axis of the
 * sum, so no two write one element. */
static uint32_t scan_x_last(const file_view *v, int is_double, double *sum, cc_histogram *histogram,
                            int *failed)
{
    uint32_t checksum = 0;
    int lost = 0;
#pragma omp parallel reduction(+ : checksum) reduction(| : lost)
    {
        cc_histogram *mine = histogram == NULL ? NULL : calloc(1, sizeof *mine);
        lost = histogram != NULL && mine == NULL;
#pragma omp for schedule(static)
        for (long i = 0; i < v->n[0]; i++) {
            const char *plane = v->values + (size_t)(i * v->memory[0]) * v->value_size;
            for (long j = 0; j < v->n[1]; j++) {
                const char *row = plane + (size_t)(j * v->memory[1]) * v->value_size;
                uint32_t key = v->first_key + (uint32_t)i * v->key[0] + (uint32_t)j * v->key[1];
                checksum += scan_line(row, is_double, v->n[2], NULL, key, v->key[2], mine);
            }
            if (sum == NULL)
                continue;
            double *out = sum + v->first_sum + i * v->sum[0];
            if (is_double)
                sum_rows_double((const double *)plane, v->memory[1], v->n[1], v->n[2], out,
                                v->sum[1]);
            else
                sum_rows_float((const float *)plane, v->memory[1], v->n[1], v->n[2], out,
                               v->sum[1]);
        }
        if (mine != NULL) {
#pragma omp critical(cc_projection_histogram)
            cc_histogram_merge(histogram, mine);
        }
        free(mine);
    }
    *failed |= lost;
    return checksum;
}

/* File x is stored axis x_axis (0 or 1), the other of the two is t: for
 * each t a line of sums along stored axis 2 takes the rows of increasing x
 * in turn.  A line whose sums are not contiguous is gathered into a buffer
 * of the thread's and put back.  Threads split t, a file axis of the sum. */
static uint32_t scan_x_outer(const file_view *v, int x_axis, int is_double, double *sum,
                             cc_histogram *histogram, int *failed)
{
    int t = 1 - x_axis;
    long along = v->sum[2];
    uint32_t checksum = 0;
    int lost = 0;
#pragma omp parallel reduction(+ : checksum) reduction(| : lost)
    {
        cc_histogram *mine = histogram == NULL ? NULL : calloc(1, sizeof *mine);
        lost = histogram != NULL && mine == NULL;
        double *buffer =
            sum != NULL && along != 1 ? malloc(sizeof *buffer * (size_t)v->n[2]) : NULL;
#pragma omp for schedule(static)
        for (long i = 0; i < v->n[t]; i++) {
            double *first = sum == NULL ? NULL : sum + v->first_sum + i * v->sum[t];
            double *line = along == 1 ? first : buffer;
            if (line != NULL && line != first)
                for (long k = 0; k < v->n[2]; k++)
                    line[k] = first[k * along];
            for (long x = 0; x < v->n[x_axis]; x++) {
                const char *row =
                    v->values + (size_t)(i * v->memory[t] + x * v->memory[x_axis]) * v->value_size;
                uint32_t key =
                    v->first_key + (uint32_t)i * v->key[t] + (uint32_t)x * v->key[x_axis];
                checksum += scan_line(row, is_double, v->n[2], line, key, v->key[2], mine);
                if (first != NULL && line == NULL) /* no buffer: the slow way, same sums */
                    for (long k = 0; k < v->n[2]; k++)
                        first[k * along] +=
                            is_double ? ((const double *)row)[k] : (double)((const float *)row)[k];
            }
            if (line != NULL && line != first)
                for (long k = 0; k < v->n[2]; k++)
                    first[k * along] = line[k];
        }
        if (mine != NULL) {
#pragma omp critical(cc_projection_histogram)
            cc_histogram_merge(histogram, mine);
        }
        free(mine);
        free(buffer);
    }
    *failed |= lost;
    return checksum;
}

/* Sums along file x into the file's ny x nz array, checksums by file index:
 * the same numbers, to the bit, whatever order the volume is stored in. */
static uint32_t scan_permuted(const cc_volume *volume, const cc_box *box, double *sum,
                              cc_histogram *histogram)
{
    const int *order = cc_volume_axis_order(volume);
    int is_double = cc_volume_precision(volume) == CC_DOUBLE;
    int x_axis = order[0] == 0 ? 0 : order[1] == 0 ? 1 : 2;
    file_view view;
    view_file(volume, box, &view);
    int failed = 0;
    uint32_t checksum = x_axis == 2
                            ? scan_x_last(&view, is_double, sum, histogram, &failed)
                            : scan_x_outer(&view, x_axis, is_double, sum, histogram, &failed);
    /* Out of memory for a thread's histogram: the caller sees no counts. */
    if (failed && histogram != NULL)
        memset(histogram, 0, sizeof *histogram);
    return checksum;
}

uint32_t cc_projection_scan(const cc_volume *volume, const cc_box *box, double *sum,
                            cc_histogram *histogram)
{
    if (cc_box_is_empty(box))
        return 0;
    const int *order = cc_volume_axis_order(volume);
    if (order[0] != 0 || order[1] != 1 || order[2] != 2)
        return scan_permuted(volume, box, sum, histogram);
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

void cc_projection_resample(const double *sum, long nx, long ny, long nz, double scale_y,
                            double scale_z, int size, double *out)
{
    for (int j = 0; j < size; j++) {
        int y;
        double wy;
        int in_y = cc_grid_locate((int)ny, cc_grid_coord(size, j) * scale_y, &y, &wy);
        for (int k = 0; k < size; k++) {
            int z;
            double wz;
            double *pixel = &out[(size_t)j * (size_t)size + (size_t)k];
            if (!in_y || !cc_grid_locate((int)nz, cc_grid_coord(size, k) * scale_z, &z, &wz)) {
                *pixel = NAN;
                continue;
            }
            /* Every corner with its weight, also a weight of 0, as interpn
             * does: a NaN mean next to the sample spreads to it. */
            const double *row = &sum[(size_t)y * (size_t)nz + (size_t)z];
            const double *next = row + nz;
            double n = (double)nx;
            *pixel = (1.0 - wy) * ((1.0 - wz) * (row[0] / n) + wz * (row[1] / n)) +
                     wy * ((1.0 - wz) * (next[0] / n) + wz * (next[1] / n));
        }
    }
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
