/* tf_file.c - transfer functions from files, through jansson (tf_file.h). */
#include "cubecast/tf_file.h"

#include "cubecast/tf_auto.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* A transfer-function file is small; this catches a wrong file early. */
#define TF_FILE_MAX_BYTES ((size_t)16 << 20)

typedef struct reading {
    const char *name; /* the file, for messages */
    cc_error *err;
} reading;

static cc_status bad(const reading *in, const char *what)
{
    return cc_fail(in->err, CC_ERR_USAGE, "transfer function '%s': %s", in->name, what);
}

/* A JSON number as a finite double. */
static int finite_number(const json_t *value, double *out)
{
    if (!json_is_number(value))
        return 0;
    *out = json_number_value(value);
    return isfinite(*out);
}

/* ---- cubecast's band JSON --------------------------------------------- */

static cc_status read_band(const reading *in, const json_t *entry, int index, cc_tf *tf)
{
    char what[160];
    const json_t *rgba = json_object_get(entry, "rgba");
    double centre, width, channel[4];
    int ok = json_is_object(entry) && finite_number(json_object_get(entry, "centre"), &centre) &&
             finite_number(json_object_get(entry, "width"), &width) && json_is_array(rgba) &&
             json_array_size(rgba) == 4;
    for (int c = 0; ok && c < 4; c++)
        ok = finite_number(json_array_get(rgba, (size_t)c), &channel[c]) && channel[c] >= 0.0;
    if (!ok) {
        snprintf(what, sizeof what,
                 "band %d needs \"centre\", \"width\" (numbers) and \"rgba\" (4 numbers >= 0)",
                 index + 1);
        return bad(in, what);
    }
    if (!(width > 0.0)) {
        snprintf(what, sizeof what, "band %d has width %g; it must be > 0", index + 1, width);
        return bad(in, what);
    }
    tf->centre[index] = centre;
    tf->width[index] = width;
    for (int c = 0; c < 4; c++)
        tf->weight[c][index] = channel[c];
    return CC_OK;
}

static int is_original(const cc_tf *tf)
{
    cc_tf original;
    cc_tf_original(&original);
    if (!tf->log_scale || tf->band_count != original.band_count)
        return 0;
    for (int b = 0; b < tf->band_count; b++) {
        if (tf->centre[b] != original.centre[b] || tf->width[b] != original.width[b])
            return 0;
        for (int c = 0; c < 4; c++)
            if (tf->weight[c][b] != original.weight[c][b])
                return 0;
    }
    return 1;
}

static cc_status read_bands(const reading *in, const json_t *root, cc_scale scale, cc_tf *tf)
{
    const json_t *version = json_object_get(root, "cubecast_transfer_function");
    const json_t *bands = json_object_get(root, "bands");
    const char *file_scale = json_string_value(json_object_get(root, "scale"));
    if (!json_is_integer(version) || json_integer_value(version) != 1)
        return bad(in, "\"cubecast_transfer_function\" must be 1 (the format's version)");
    if (file_scale != NULL && strcmp(file_scale, "log") != 0 && strcmp(file_scale, "linear") != 0)
        return bad(in, "\"scale\" must be \"log\" or \"linear\"");
    if (!json_is_array(bands) || json_array_size(bands) == 0 ||
        json_array_size(bands) > CC_TF_MAX_BANDS) {
        char what[96];
        snprintf(what, sizeof what, "\"bands\" must be a list of 1 to %d bands", CC_TF_MAX_BANDS);
        return bad(in, what);
    }
    tf->kind = CC_TF_BANDS;
    tf->log_scale =
        scale == CC_SCALE_AUTO ? file_scale == NULL || file_scale[1] == 'o' : scale == CC_SCALE_LOG;
    tf->band_count = (int)json_array_size(bands);
    for (int b = 0; b < tf->band_count; b++) {
        cc_status status = read_band(in, json_array_get(bands, (size_t)b), b, tf);
        if (status != CC_OK)
            return status;
    }
    if (is_original(tf))
        tf->kind = CC_TF_ORIGINAL;
    return CC_OK;
}

/* ---- ParaView's preset export ----------------------------------------- */

/* A flat list of numbers in groups of `group`, at least two groups, x (the
 * first of each) non-decreasing. */
static cc_status read_points(const reading *in, const json_t *list, const char *key, int group,
                             double **out, int *count)
{
    char what[200];
    size_t size = json_array_size(list);
    if (!json_is_array(list) || size % (size_t)group != 0 || size < 2 * (size_t)group ||
        size / (size_t)group > CC_TF_MAX_NODES) {
        snprintf(what, sizeof what, "\"%s\" must be a list of %d numbers per point, 2 to %d points",
                 key, group, CC_TF_MAX_NODES);
        return bad(in, what);
    }
    double *values = malloc(sizeof *values * size);
    if (values == NULL)
        return cc_fail(in->err, CC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < size; i++) {
        if (!finite_number(json_array_get(list, i), &values[i]) ||
            (i >= (size_t)group && i % (size_t)group == 0 && values[i] < values[i - group])) {
            free(values);
            snprintf(what, sizeof what, "\"%s\" must hold finite numbers with x increasing", key);
            return bad(in, what);
        }
    }
    *out = values;
    *count = (int)(size / (size_t)group);
    return CC_OK;
}

/* The piecewise-linear value of channel `channel` of points (x first, in
 * groups of `group`) at x, clamped outside.  Points may repeat an x (a
 * step, as ParaView allows): right_side picks the value just above such an
 * x (the later point's), else the value just below (the earlier point's). */
static double piecewise_at(const double *points, int count, int group, int channel, double x,
                           int right_side)
{
    int first = -1, last = -1;
    for (int p = 0; p < count; p++)
        if (points[p * group] == x) {
            first = first < 0 ? p : first;
            last = p;
        }
    if (first >= 0)
        return points[(right_side ? last : first) * group + channel];
    if (x < points[0])
        return points[channel];
    for (int p = 0; p + 1 < count; p++) {
        double x0 = points[p * group], x1 = points[(p + 1) * group];
        if (x > x0 && x < x1) {
            double t = (x - x0) / (x1 - x0);
            return (1.0 - t) * points[p * group + channel] + t * points[(p + 1) * group + channel];
        }
    }
    return points[(count - 1) * group + channel];
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The nodes of the merged function: every colour and opacity x, in order,
 * with the colour and opacity there; an x where either steps gives two
 * nodes, the values just below and just above.  Between two nodes both are
 * linear, so the merged function is exact. */
static cc_status merge_nodes(const reading *in, const double *rgb, int rgb_count,
                             const double *alpha, int alpha_count, cc_tf *tf)
{
    int total = rgb_count + alpha_count, unique = 0;
    double *xs = malloc(sizeof *xs * (size_t)(total > 0 ? total : 1));
    if (xs == NULL)
        return cc_fail(in->err, CC_ERR_NOMEM, "out of memory");
    for (int p = 0; p < rgb_count; p++)
        xs[p] = rgb[4 * p];
    for (int p = 0; p < alpha_count; p++)
        xs[rgb_count + p] = alpha[4 * p];
    qsort(xs, (size_t)total, sizeof *xs, by_value);
    for (int p = 0; p < total; p++)
        if (unique == 0 || xs[p] != xs[unique - 1])
            xs[unique++] = xs[p];
    int nodes = 0;
    for (int u = 0; u < unique; u++) {
        double sides[2][4];
        for (int side = 0; side < 2; side++) {
            for (int c = 0; c < 3; c++)
                sides[side][c] = piecewise_at(rgb, rgb_count, 4, 1 + c, xs[u], side);
            sides[side][3] = piecewise_at(alpha, alpha_count, 4, 1, xs[u], side);
        }
        int steps = 0;
        for (int c = 0; c < 4; c++)
            steps |= sides[0][c] != sides[1][c];
        for (int side = steps ? 0 : 1; side < 2; side++, nodes++) {
            if (nodes == CC_TF_MAX_NODES) {
                free(xs);
                return bad(in, "too many points (at most 1024, a step counting twice)");
            }
            tf->node_x[nodes] = xs[u];
            for (int c = 0; c < 4; c++)
                tf->node_rgba[c][nodes] = sides[side][c];
        }
    }
    free(xs);
    tf->node_count = nodes;
    return CC_OK;
}

static cc_status check_paraview_extras(const reading *in, const json_t *preset, const double *alpha,
                                       int alpha_count, int has_points)
{
    const char *space = json_string_value(json_object_get(preset, "ColorSpace"));
    if (space != NULL && strcmp(space, "RGB") != 0) {
        char what[200];
        snprintf(what, sizeof what,
                 "\"ColorSpace\" \"%s\" is not supported yet (only \"RGB\"); re-export the preset "
                 "with its colour space set to RGB",
                 space);
        return bad(in, what);
    }
    for (int p = 0; has_points && p < alpha_count; p++)
        if (!(alpha[4 * p + 1] >= 0.0 && alpha[4 * p + 1] <= 1.0) ||
            !(alpha[4 * p + 2] >= 0.0 && alpha[4 * p + 2] <= 1.0) ||
            !(alpha[4 * p + 3] >= 0.0 && alpha[4 * p + 3] <= 1.0))
            return bad(in, "\"Points\" need an opacity, a midpoint and a sharpness in [0, 1]");
    const json_t *log = json_object_get(preset, "UseLogScale");
    if (log != NULL && !json_is_boolean(log) && !json_is_integer(log))
        return bad(in, "\"UseLogScale\" must be true or false");
    return CC_OK;
}

/* Under UseLogScale the points' x become log10(x); then the RGB points'
 * span maps onto the user's range. */
static cc_status place_points(const reading *in, double *rgb, int rgb_count, double *alpha,
                              int alpha_count, int log_scale, const double range[2])
{
    double *lists[2] = {rgb, alpha};
    int counts[2] = {rgb_count, alpha_count};
    for (int l = 0; log_scale && l < 2; l++)
        for (int p = 0; p < counts[l]; p++) {
            if (!(lists[l][4 * p] > 0.0))
                return bad(in, "\"UseLogScale\" needs every point's x to be > 0");
            lists[l][4 * p] = log10(lists[l][4 * p]);
        }
    double first = rgb[0], last = rgb[4 * (rgb_count - 1)];
    if (!(last > first))
        return bad(in, "the RGB points span no range (the first and last x are equal)");
    if (range == NULL)
        return CC_OK;
    if (log_scale && !(range[0] > 0.0))
        return cc_fail(in->err, CC_ERR_USAGE,
                       "--data-range %g:%g: '%s' uses a log scale, which needs values > 0",
                       range[0], range[1], in->name);
    double lo = log_scale ? log10(range[0]) : range[0], hi = log_scale ? log10(range[1]) : range[1];
    for (int l = 0; l < 2; l++)
        for (int p = 0; p < counts[l]; p++)
            lists[l][4 * p] = lo + (lists[l][4 * p] - first) * (hi - lo) / (last - first);
    return CC_OK;
}

static cc_status read_paraview(const reading *in, const json_t *root, const double range[2],
                               cc_tf *tf, cc_tf_source *source)
{
    const json_t *preset = json_array_get(root, 0);
    if (!json_is_object(preset))
        return bad(in, "a ParaView export is a list of objects; the first is missing");
    const json_t *points = json_object_get(preset, "Points");
    double *rgb = NULL, *alpha = NULL;
    int rgb_count = 0, alpha_count = 0;
    cc_status status =
        read_points(in, json_object_get(preset, "RGBPoints"), "RGBPoints", 4, &rgb, &rgb_count);
    if (status == CC_OK && points != NULL)
        status = read_points(in, points, "Points", 4, &alpha, &alpha_count);
    if (status == CC_OK)
        status = check_paraview_extras(in, preset, alpha, alpha_count, points != NULL);
    const json_t *log = json_object_get(preset, "UseLogScale");
    int log_scale = json_is_true(log) || (json_is_integer(log) && json_integer_value(log) != 0);
    if (status == CC_OK && rgb != NULL) {
        source->span[0] = rgb[0];
        source->span[1] = rgb[4 * (rgb_count - 1)];
        status = place_points(in, rgb, rgb_count, alpha, alpha_count, log_scale, range);
    }
    if (status == CC_OK && points == NULL && rgb != NULL) {
        /* No opacity points: a ramp from 0 at the first colour point to 1
         * at the last. */
        alpha = malloc(sizeof *alpha * 8);
        status = alpha == NULL ? cc_fail(in->err, CC_ERR_NOMEM, "out of memory") : CC_OK;
        if (status == CC_OK) {
            double ramp[8] = {rgb[0], 0.0, 0.5, 0.0, rgb[4 * (rgb_count - 1)], 1.0, 0.5, 0.0};
            memcpy(alpha, ramp, sizeof ramp);
            alpha_count = 2;
        }
    }
    if (status == CC_OK) {
        tf->kind = CC_TF_PIECEWISE;
        tf->log_scale = log_scale;
        status = merge_nodes(in, rgb, rgb_count, alpha, alpha_count, tf);
    }
    /* A midpoint or sharpness other than linear's: VTK's curve over the
     * opacity points themselves (merged nodes would cut its segments). */
    for (int p = 0; status == CC_OK && p < alpha_count; p++)
        tf->curved |= alpha[4 * p + 2] != 0.5 || alpha[4 * p + 3] != 0.0;
    if (status == CC_OK && tf->curved) {
        tf->alpha_count = alpha_count;
        for (int p = 0; p < alpha_count; p++) {
            tf->alpha_x[p] = alpha[4 * p];
            tf->alpha_y[p] = alpha[4 * p + 1];
            tf->alpha_mid[p] = alpha[4 * p + 2];
            tf->alpha_sharp[p] = alpha[4 * p + 3];
        }
    }
    free(rgb);
    free(alpha);
    return status;
}

/* ---- the file ------------------------------------------------------------ */

cc_status cc_tf_parse(const char *text, size_t length, const char *name, cc_scale scale,
                      const double range[2], cc_tf *tf, cc_tf_source *source, cc_error *err)
{
    reading in = {name, err};
    json_error_t problem;
    json_t *root = json_loadb(text, length, JSON_REJECT_DUPLICATES, &problem);
    if (root == NULL) {
        char what[300];
        snprintf(what, sizeof what, "not valid JSON (line %d: %s)", problem.line, problem.text);
        return bad(&in, what);
    }
    memset(tf, 0, sizeof *tf);
    memset(source, 0, sizeof *source);
    source->crc32 = (uint32_t)crc32(crc32(0L, Z_NULL, 0), (const Bytef *)text, (uInt)length);
    cc_status status;
    if (json_is_object(root) && json_object_get(root, "cubecast_transfer_function") != NULL) {
        snprintf(source->format, sizeof source->format, "cubecast bands");
        status = range != NULL ? bad(&in, "--data-range applies to ParaView and auto transfer "
                                          "functions; a band file's centres are values already")
                               : read_bands(&in, root, scale, tf);
    } else if (json_is_array(root)) {
        snprintf(source->format, sizeof source->format, "ParaView");
        status = scale != CC_SCALE_AUTO
                     ? bad(&in, "--scale applies to band and auto transfer functions; a "
                                "ParaView export sets its own (UseLogScale)")
                     : read_paraview(&in, root, range, tf, source);
    } else {
        status = bad(&in, "neither a cubecast band file (an object with "
                          "\"cubecast_transfer_function\") nor a ParaView export (a list)");
    }
    json_decref(root);
    return status;
}

cc_status cc_tf_read(const char *path, cc_scale scale, const double range[2], cc_tf *tf,
                     cc_tf_source *source, cc_error *err)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return cc_fail(err, CC_ERR_USAGE, "cannot read transfer function '%s': %s", path,
                       strerror(errno));
    char *text = malloc(TF_FILE_MAX_BYTES + 1);
    size_t length = text == NULL ? 0 : fread(text, 1, TF_FILE_MAX_BYTES + 1, file);
    int failed = text == NULL || ferror(file);
    fclose(file);
    cc_status status;
    if (failed)
        status = cc_fail(err, CC_ERR_USAGE, "cannot read transfer function '%s'", path);
    else if (length > TF_FILE_MAX_BYTES)
        status = cc_fail(err, CC_ERR_USAGE, "transfer function '%s' is larger than 16 MiB", path);
    else
        status = cc_tf_parse(text, length, path, scale, range, tf, source, err);
    free(text);
    return status;
}

cc_status cc_tf_build(const cc_render_options *options, cc_tf *tf, cc_tf_source *source,
                      cc_error *err)
{
    memset(source, 0, sizeof *source);
    const cc_value_range *given = &options->data_range;
    double range[2] = {given->lo, given->hi};
    /* Percentiles are resolved once the data are read (the driver reads the
     * file again then); until then the file is checked with its own span. */
    int explicit_range = given->given && !given->percentile;
    cc_status status = CC_OK;
    if (options->tf != NULL && strcmp(options->tf, "auto") == 0) {
        cc_tf_original(tf); /* a placeholder until the data are read */
        source->automatic = 1;
        snprintf(source->format, sizeof source->format, "auto");
    } else if (options->tf != NULL) {
        status =
            cc_tf_read(options->tf, options->scale, explicit_range ? range : NULL, tf, source, err);
        if (status == CC_OK && given->percentile && tf->kind != CC_TF_PIECEWISE)
            status = cc_fail(err, CC_ERR_USAGE,
                             "--data-range applies to ParaView and auto transfer functions; a "
                             "band file's centres are values already");
    } else {
        cc_tf_original(tf);
        snprintf(source->format, sizeof source->format, "original");
        if (given->given)
            status = cc_fail(err, CC_ERR_USAGE,
                             "--data-range applies to ParaView and auto transfer functions (--tf); "
                             "the original's bands sit at fixed values of ln(value)");
        if (options->scale == CC_SCALE_LINEAR) {
            tf->kind = CC_TF_BANDS;
            tf->log_scale = 0;
        }
    }
    if (status == CC_OK && explicit_range) {
        source->has_data_range = 1;
        source->data_range[0] = given->lo;
        source->data_range[1] = given->hi;
    }
    if (status == CC_OK && options->opacity_unit > 0.0) {
        double delta = (double)options->size / (double)(options->size - 1);
        tf->opacity_exponent = delta / options->opacity_unit;
    }
    return status;
}

/* Once the data are read: --tf auto fitted to the histogram, or a ParaView
 * file read again with its percentile range resolved. */
cc_status cc_tf_finish(const cc_render_options *options, const cc_histogram *histogram,
                       double chord, cc_tf *tf, cc_tf_source *source, cc_error *err)
{
    if (source->automatic)
        return cc_tf_auto(histogram, chord, options, tf, source, err);
    const cc_value_range *given = &options->data_range;
    if (!given->percentile)
        return CC_OK;
    double range[2];
    cc_status status =
        cc_histogram_range(histogram, tf->log_scale, given->lo, given->hi, range, err);
    if (status == CC_OK && !(range[1] > range[0]))
        status = cc_fail(err, CC_ERR_INPUT,
                         "--data-range p%g:p%g: the input's values there are all %g; give the "
                         "range as A:B",
                         given->lo, given->hi, range[0]);
    double exponent = tf->opacity_exponent;
    if (status == CC_OK)
        status = cc_tf_read(options->tf, options->scale, range, tf, source, err);
    if (status == CC_OK) {
        tf->opacity_exponent = exponent;
        source->has_data_range = 1;
        source->data_range[0] = range[0];
        source->data_range[1] = range[1];
    }
    return status;
}

void cc_tf_describe(const cc_tf *tf, const cc_tf_source *source, const char *file,
                    double opacity_unit, char *out, size_t out_size)
{
    size_t used = 0;
    if (source->automatic)
        used = (size_t)snprintf(out, out_size, "auto: %d bands coloured from %s", tf->band_count,
                                source->colormap);
    else if (file != NULL && tf->kind != CC_TF_ORIGINAL)
        used = (size_t)snprintf(out, out_size, "%s file '%s' (crc32 %08x)", source->format, file,
                                (unsigned)source->crc32);
    else
        used = (size_t)snprintf(out, out_size, "the original's bands");
    const char *scale = tf->kind == CC_TF_PIECEWISE ? (tf->log_scale ? "log10" : "linear")
                                                    : (tf->log_scale ? "ln" : "linear");
    if (used < out_size)
        used += (size_t)snprintf(out + used, out_size - used, ", %s scale", scale);
    if (used < out_size && source->has_data_range)
        used += (size_t)snprintf(out + used, out_size - used, ", data range %.17g:%.17g",
                                 source->data_range[0], source->data_range[1]);
    if (used < out_size && opacity_unit > 0.0)
        snprintf(out + used, out_size - used, ", opacity unit %.17g", opacity_unit);
}
