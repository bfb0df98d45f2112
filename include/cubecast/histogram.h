/* histogram.h - where a dataset's values lie, in one pass and bounded memory.
 *
 * Counts per 16-bit key of a value's float32 bits, ordered as the values
 * are (a negative value's bits are flipped): 65536 bins over every finite
 * float, each 1/128 of an octave wide (0.8% of the value), and a count of
 * exact zeros beside.  NaN and infinities are not counted.  Counts of
 * disjoint parts add up, so the ranks sum theirs; percentiles are read from
 * the sum, interpolated linearly inside a bin.  This is how --data-range
 * pLO:pHI and --tf auto find where the data lie without gathering it. */
#ifndef CUBECAST_HISTOGRAM_H
#define CUBECAST_HISTOGRAM_H

#include <stdint.h>
#include <string.h>

enum { CC_HISTOGRAM_BINS = 65536 };

typedef struct cc_histogram {
    uint64_t zeros;                    /* values equal to 0 */
    uint64_t count[CC_HISTOGRAM_BINS]; /* the other finite values, by key */
} cc_histogram;

/* The bin of a finite, nonzero float. */
static inline uint32_t cc_histogram_key(uint32_t bits)
{
    return (bits & 0x80000000u) ? (~bits) >> 16 : (bits | 0x80000000u) >> 16;
}

/* Adds n values (float or double, by is_double) to histogram. */
void cc_histogram_add(cc_histogram *histogram, const void *values, long n, int is_double);

/* Adds b into a. */
void cc_histogram_merge(cc_histogram *a, const cc_histogram *b);

/* The number of values counted: all finite ones, or (positive_only) those
 * > 0, which a log scale keeps. */
uint64_t cc_histogram_total(const cc_histogram *histogram, int positive_only);

/* The value at percentile p (0..100) of the values counted (all finite
 * ones, or those > 0), or (skip_zeros) of the nonzero ones.  Returns 0 when
 * no value is counted. */
int cc_histogram_percentile(const cc_histogram *histogram, double p, int positive_only,
                            int skip_zeros, double *value);

#endif
