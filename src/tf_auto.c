/* tf_auto.c - a transfer function fitted to the data (tf_auto.h). */
#include "cubecast/tf_auto.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cubecast/colormap.h"

enum { AUTO_BANDS = 6 };

/* The optical depth a ray through the volume should collect, and the part
 * of a ray's chord through the volume's section it crosses on average. */
#define AUTO_DEPTH 1.25
#define AUTO_INSIDE 0.7
#define AUTO_MAX_ALPHA 0.5

cc_status cc_histogram_range(const cc_histogram *histogram, int log_scale, double lo_percent,
                             double hi_percent, double range[2], cc_error *err)
{
    if (!cc_histogram_percentile(histogram, lo_percent, log_scale, 0, &range[0]) ||
        !cc_histogram_percentile(histogram, hi_percent, log_scale, 0, &range[1]))
        return cc_fail(err, CC_ERR_INPUT, "the input holds no value %s to take percentiles of",
                       log_scale ? "> 0 (the log scale's)" : "that is finite");
    return CC_OK;
}

/* Log when nothing is negative and the positive values span a decade. */
static int choose_log(const cc_histogram *histogram)
{
    uint64_t negative = 0, positive = cc_histogram_total(histogram, 1);
    for (int k = 0; k < 0x8000; k++)
        negative += histogram->count[k];
    double p1, p99;
    if (negative > 0 || positive == 0 || !cc_histogram_percentile(histogram, 1, 1, 0, &p1) ||
        !cc_histogram_percentile(histogram, 99, 1, 0, &p99))
        return 0;
    return p99 >= 10.0 * p1;
}

/* The share of the values each band responds to: mass[b] = the mean over
 * the counted values of exp(-(s - centre_b)^2 / width_b). */
static void band_mass(const cc_histogram *histogram, const cc_tf *tf, double *mass)
{
    double total = 0.0;
    for (int b = 0; b < tf->band_count; b++)
        mass[b] = 0.0;
    for (int k = -1; k < CC_HISTOGRAM_BINS; k++) {
        uint64_t count = k < 0 ? histogram->zeros : histogram->count[k];
        if (count == 0)
            continue;
        /* The bin's middle value: its lower edge's bits plus half a bin. */
        uint32_t bits = k < 0         ? 0u
                        : k >= 0x8000 ? ((uint32_t)k << 16 & 0x7fffffffu) | 0x8000u
                                      : ~(((uint32_t)k << 16) | 0x8000u);
        float value;
        memcpy(&value, &bits, sizeof value);
        if (!isfinite(value) || (tf->log_scale && !(value > 0.0f)))
            continue;
        double s = tf->log_scale ? log((double)value) : (double)value;
        for (int b = 0; b < tf->band_count; b++) {
            double d = s - tf->centre[b];
            mass[b] += (double)count * exp(-d * d / tf->width[b]);
        }
        total += (double)count;
    }
    for (int b = 0; b < tf->band_count; b++)
        mass[b] = total > 0.0 ? mass[b] / total : 0.0;
}

/* Each band's opacity such that along a ray of `samples` samples through
 * the data it adds its share of AUTO_DEPTH: a band of common values (a
 * background) stays faint, a band of rare ones (a core) becomes opaque, at
 * most AUTO_MAX_ALPHA.  Shares grow with the band's place. */
static void set_opacities(const cc_histogram *histogram, cc_tf *tf, double samples)
{
    double mass[CC_TF_MAX_BANDS], shares = 0.0;
    band_mass(histogram, tf, mass);
    for (int b = 0; b < tf->band_count; b++)
        shares += tf->weight[3][b];
    for (int b = 0; b < tf->band_count; b++) {
        double depth = AUTO_DEPTH * tf->weight[3][b] / shares;
        double alpha = mass[b] > 0.0 ? depth / (samples * mass[b]) : AUTO_MAX_ALPHA;
        tf->weight[3][b] = alpha < AUTO_MAX_ALPHA ? alpha : AUTO_MAX_ALPHA;
    }
}

cc_status cc_tf_auto(const cc_histogram *histogram, double chord, const cc_render_options *options,
                     cc_tf *tf, cc_tf_source *source, cc_error *err)
{
    const cc_colormap *map = cc_colormap_default();
    if (options->colormap != NULL && cc_colormap_find(options->colormap, &map, err) != CC_OK)
        return CC_ERR_USAGE;
    memset(tf, 0, sizeof *tf);
    memset(source, 0, sizeof *source);
    int log_scale =
        options->scale == CC_SCALE_AUTO ? choose_log(histogram) : options->scale == CC_SCALE_LOG;
    const cc_value_range *given = &options->data_range;
    double range[2] = {given->lo, given->hi};
    cc_status status = CC_OK;
    if (!given->given || given->percentile) {
        /* On a log scale up to the largest value: the rare dense parts (a
         * simulation's cores, a scan's brightest tissue) are what to show. */
        double lo = given->given ? given->lo : 1.0;
        double hi = given->given ? given->hi : (log_scale ? 100.0 : 99.5);
        /* Auto's own range leaves exact zeros out on a linear scale: a
         * scanner's background must not decide the range. */
        int skip_zeros = !given->given && !log_scale;
        if (!cc_histogram_percentile(histogram, lo, log_scale, skip_zeros, &range[0]) ||
            !cc_histogram_percentile(histogram, hi, log_scale, skip_zeros, &range[1]))
            return cc_fail(err, CC_ERR_INPUT,
                           "--tf auto: the input holds no value %s to fit a transfer function to",
                           log_scale ? "> 0" : "that is finite");
    }
    if (log_scale && !(range[0] > 0.0))
        return cc_fail(err, CC_ERR_USAGE, "--data-range %g:%g: a log scale needs values > 0",
                       range[0], range[1]);
    double lo = log_scale ? log(range[0]) : range[0], hi = log_scale ? log(range[1]) : range[1];
    if (!(hi > lo)) /* constant data: a unit-wide range around it */
        hi = lo + 1.0;
    tf->kind = CC_TF_BANDS;
    tf->log_scale = log_scale;
    tf->band_count = AUTO_BANDS;
    double spacing = (hi - lo) / AUTO_BANDS, sigma = 0.3 * spacing;
    for (int b = 0; b < AUTO_BANDS; b++) {
        double t = (b + 0.5) / AUTO_BANDS, rgb[3];
        cc_colormap_rgb(map, t, rgb);
        tf->centre[b] = lo + (b + 0.5) * spacing;
        tf->width[b] = 2.0 * sigma * sigma;
        for (int c = 0; c < 3; c++)
            tf->weight[c][b] = rgb[c];
        tf->weight[3][b] = 0.05 + 0.95 * pow(t, 3.0);
    }
    set_opacities(histogram, tf, AUTO_INSIDE * chord);
    source->automatic = 1;
    source->has_data_range = 1;
    source->data_range[0] = range[0];
    source->data_range[1] = range[1];
    snprintf(source->format, sizeof source->format, "auto");
    snprintf(source->colormap, sizeof source->colormap, "%s", cc_colormap_name(map));
    if (status == CC_OK && options->opacity_unit > 0.0)
        tf->opacity_exponent =
            (double)options->size / (double)(options->size - 1) / options->opacity_unit;
    return status;
}
