/* histogram.c - value histograms and their percentiles (histogram.h). */
#include "cubecast/histogram.h"

#include <math.h>

void cc_histogram_add(cc_histogram *histogram, const void *values, long n, int is_double)
{
    for (long i = 0; i < n; i++) {
        float v = is_double ? (float)((const double *)values)[i] : ((const float *)values)[i];
        uint32_t bits;
        memcpy(&bits, &v, sizeof bits);
        if ((bits & 0x7f800000u) == 0x7f800000u)
            continue; /* NaN or infinite: empty on any scale */
        if ((bits & 0x7fffffffu) == 0)
            histogram->zeros++;
        else
            histogram->count[cc_histogram_key(bits)]++;
    }
}

void cc_histogram_merge(cc_histogram *a, const cc_histogram *b)
{
    a->zeros += b->zeros;
    for (int k = 0; k < CC_HISTOGRAM_BINS; k++)
        a->count[k] += b->count[k];
}

/* The bins [first, end) a scale keeps: positive values are keys from
 * 0x8000 up. */
static void bins_of(int positive_only, int *first, int *end)
{
    *first = positive_only ? 0x8000 : 0;
    *end = CC_HISTOGRAM_BINS;
}

uint64_t cc_histogram_total(const cc_histogram *histogram, int positive_only)
{
    int first, end;
    bins_of(positive_only, &first, &end);
    uint64_t total = positive_only ? 0 : histogram->zeros;
    for (int k = first; k < end; k++)
        total += histogram->count[k];
    return total;
}

/* The values at the two edges of bin key, lower first. */
static void bin_edges(int key, double *lo, double *hi)
{
    uint32_t start = (uint32_t)key << 16, bits_a, bits_b;
    if (key >= 0x8000) { /* positive: bits = key bits without the flag */
        bits_a = start & 0x7fffffffu;
        bits_b = bits_a + 0xffffu;
    } else { /* negative: bits were flipped */
        bits_a = ~(start | 0xffffu);
        bits_b = ~start;
    }
    float a, b;
    memcpy(&a, &bits_a, sizeof a);
    memcpy(&b, &bits_b, sizeof b);
    *lo = a < b ? a : b;
    *hi = a < b ? b : a;
}

int cc_histogram_percentile(const cc_histogram *histogram, double p, int positive_only,
                            int skip_zeros, double *value)
{
    int first, end;
    bins_of(positive_only, &first, &end);
    uint64_t zeros = positive_only || skip_zeros ? 0 : histogram->zeros;
    uint64_t total = zeros;
    for (int k = first; k < end; k++)
        total += histogram->count[k];
    if (total == 0)
        return 0;
    /* The rank of the wanted value among the sorted values, 0-based and
     * fractional, as NumPy's linear percentile places it. */
    double wanted = p / 100.0 * (double)(total - 1), seen = 0.0;
    for (int k = first; k < end; k++) {
        /* Zeros sit between the negative keys (< 0x8000) and the positive. */
        if (k == 0x8000 && zeros > 0) {
            if (wanted < seen + (double)zeros) {
                *value = 0.0;
                return 1;
            }
            seen += (double)zeros;
        }
        uint64_t here = histogram->count[k];
        if (here > 0 && wanted < seen + (double)here) {
            double lo, hi;
            bin_edges(k, &lo, &hi);
            *value = lo + (hi - lo) * ((wanted - seen + 0.5) / (double)here);
            return 1;
        }
        seen += (double)here;
    }
    /* The very top: the last counted bin's upper edge. */
    for (int k = end - 1; k >= first; k--)
        if (histogram->count[k] > 0) {
            double lo, hi;
            bin_edges(k, &lo, &hi);
            *value = hi;
            return 1;
        }
    *value = 0.0;
    return 1;
}
