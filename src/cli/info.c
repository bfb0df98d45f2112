/* info.c - `cubecast info`: what is in a file and how its values spread,
 * so a user can tell whether the transfer function's bands (ln value
 * around -3, 3 and 9) will show. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cubecast/camera.h"
#include "cubecast/datasets.h"
#include "cubecast/histogram.h"
#include "cubecast/input.h"
#include "cubecast/memory.h"
#include "cubecast/plan.h"
#include "cubecast/tf_auto.h"

#ifdef _OPENMP
#include <omp.h>
#endif

enum { HISTOGRAM_BINS = 20000 };

/* 64 MiB of doubles at a time. */
#define SLAB_VALUES (8L << 20)

typedef struct value_stats {
    double min, max;             /* of ln(value) over positive finite values */
    unsigned long long positive; /* values that have a logarithm */
    unsigned long long empty;    /* <= 0, NaN or infinite */
    unsigned long long *bins;    /* histogram of ln(value) on [min, max] */
    cc_histogram *values;        /* every value, as --tf auto sees them */
} value_stats;

static const char *axis_name(int axis)
{
    return axis == 0 ? "first" : "last";
}

/* One line per object; a dataset that does not render as it is says why,
 * a 4D one how to render its volumes. */
static void print_objects(const cc_dataset_list *list)
{
    for (size_t i = 0; i < cc_dataset_list_count(list); i++) {
        const cc_dataset_entry *entry = cc_dataset_list_entry(list, i);
        if (entry->fit == CC_FIT_GROUP) {
            printf("  %s  group\n", entry->name);
            continue;
        }
        printf("  %s  dataset %s %s%s%s", entry->name, entry->type_name,
               entry->shape_text[0] ? entry->shape_text : "scalar", entry->filters[0] ? ", " : "",
               entry->filters);
        if (entry->fit == CC_FIT_NONE)
            printf(": cannot be rendered: %s", entry->reason);
        else if (entry->fit == CC_FIT_VOLUMES)
            printf(": 4D: render one volume with --index T, T along the last axis (0..%ld), "
                   "or along the first with --index-axis first (0..%ld)",
                   entry->shape[3] - 1, entry->shape[0] - 1);
        printf("\n");
    }
}

static void count_values(value_stats *stats, const double *values, size_t count, int pass)
{
    if (pass == 0)
        cc_histogram_add(stats->values, values, (long)count, 1);
    double width = (stats->max - stats->min) / HISTOGRAM_BINS;
    for (size_t v = 0; v < count; v++) {
        double value = values[v];
        if (!(value > 0.0) || isinf(value)) {
            stats->empty += pass == 0;
            continue;
        }
        double s = log(value);
        if (pass == 0) {
            stats->positive++;
            stats->min = s < stats->min ? s : stats->min;
            stats->max = s > stats->max ? s : stats->max;
        } else {
            long bin = width > 0 ? (long)((s - stats->min) / width) : 0;
            stats->bins[bin >= HISTOGRAM_BINS ? HISTOGRAM_BINS - 1 : bin]++;
        }
    }
}

static cc_status scan_box(cc_input *input, const cc_box *box, value_stats *stats, int pass,
                          cc_error *err)
{
    cc_volume *volume;
    cc_status status = cc_volume_create(cc_input_shape(input), box, CC_DOUBLE, &volume, err);
    if (status == CC_OK)
        status = cc_input_read(input, box, volume, 0, err);
    if (status == CC_OK)
        count_values(stats, cc_volume_values_const(volume), cc_box_voxels(box), pass);
    cc_volume_destroy(volume);
    return status;
}

static long smaller(long a, long b)
{
    return a < b ? a : b;
}

/* Visits the dataset in boxes of at most SLAB_VALUES voxels: several
 * planes when planes are small, else rows of a plane, else pieces of a
 * row, so memory stays bounded whatever the dataset's shape. */
static cc_status scan(cc_input *input, value_stats *stats, int pass, cc_error *err)
{
    const long *shape = cc_input_shape(input);
    long plane = shape[1] * shape[2];
    /* How many planes, rows and values of a row a box takes. */
    long step[3] = {plane <= SLAB_VALUES ? SLAB_VALUES / plane : 1,
                    plane <= SLAB_VALUES      ? shape[1]
                    : shape[2] <= SLAB_VALUES ? SLAB_VALUES / shape[2]
                                              : 1,
                    smaller(shape[2], SLAB_VALUES)};
    cc_status status = CC_OK;
    for (long x = 0; x < shape[0]; x += step[0])
        for (long y = 0; y < shape[1]; y += step[1])
            for (long z = 0; z < shape[2] && status == CC_OK; z += step[2]) {
                cc_box box = {{x, y, z},
                              {smaller(step[0], shape[0] - x), smaller(step[1], shape[1] - y),
                               smaller(step[2], shape[2] - z)}};
                status = scan_box(input, &box, stats, pass, err);
                if (status != CC_OK)
                    return status;
            }
    return status;
}

static double percentile(const value_stats *stats, double fraction)
{
    unsigned long long wanted = (unsigned long long)(fraction * (double)(stats->positive - 1));
    unsigned long long seen = 0;
    double width = (stats->max - stats->min) / HISTOGRAM_BINS;
    for (int bin = 0; bin < HISTOGRAM_BINS; bin++) {
        seen += stats->bins[bin];
        if (seen > wanted)
            return stats->min + (bin + 0.5) * width;
    }
    return stats->max;
}

/* The memory a rank of each decomposition would need with the default
 * options, alone and as one of 4 ranks on a node, and what this machine
 * allows: the figures render plans against. */
static void print_memory(const long shape[3])
{
    cc_render_options options = cc_render_options_default();
    options.range_end = options.frames;
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    static const char *const names[3] = {"frames", "rows", "bricks"};
    printf("memory per rank (--size %d, single precision, %d thread%s):", options.size, threads,
           threads == 1 ? "" : "s");
    for (int ranks = 1; ranks <= 4; ranks += 3) {
        printf("%s %d rank%s:", ranks == 1 ? "" : ";", ranks, ranks == 1 ? "" : "s on a node");
        for (int d = 0; d < 3; d++) {
            options.decomp = (cc_decomp)d;
            double node = 0.0;
            for (int rank = 0; rank < ranks; rank++) {
                cc_layout layout = {rank, ranks, rank, ranks};
                cc_plan plan;
                cc_plan_memory need;
                if (cc_plan_make(&options, shape, &layout, &plan, NULL) != CC_OK)
                    return;
                cc_plan_memory_need(&plan, &options, shape, &layout, threads, &need);
                node += need.total;
            }
            char text[32];
            cc_memory_text(node / ranks, text, sizeof text);
            printf(" %s %s", names[d], text);
        }
    }
    cc_memory_limit limit;
    cc_memory_limit_read("", cc_memory_physical(), &limit);
    char text[32];
    cc_memory_text(limit.bytes, text, sizeof text);
    printf("\nthis node may use %s (%s)\n", text, limit.source);
}

/* What --tf auto would choose here, as the options that say it outright. */
static void print_auto(const char *path, const cc_input_choice *volume, const long shape[3],
                       const cc_histogram *values)
{
    const char *dataset = volume->dataset;
    cc_render_options options = cc_render_options_default();
    options.tf = "auto";
    cc_tf tf;
    cc_tf_source source;
    cc_error err;
    cc_camera camera;
    if (cc_camera_make(&options, shape, &camera, &err) != CC_OK ||
        cc_tf_auto(values, cc_camera_chord(&camera), &options, &tf, &source, &err) != CC_OK) {
        printf("--tf auto: %s\n", err.message);
        return;
    }
    printf("--tf auto here means: %s scale, data range %.6g:%.6g, %d bands from %s\n",
           tf.log_scale ? "log" : "linear", source.data_range[0], source.data_range[1],
           tf.band_count, source.colormap);
    char index[64] = "";
    if (volume->index >= 0)
        snprintf(index, sizeof index, "%s --index %ld",
                 volume->index_axis == 0 ? " --index-axis first" : "", volume->index);
    printf("render with it: cubecast render %s%s%s%s --tf auto --scale %s --data-range "
           "%.6g:%.6g\n",
           path, strcmp(dataset, "density") == 0 ? "" : " --dataset ",
           strcmp(dataset, "density") == 0 ? "" : dataset, index, tf.log_scale ? "log" : "linear",
           source.data_range[0], source.data_range[1]);
}

/* The dataset's header and storage; shape is the volume's (a 4D dataset's
 * less its index axis). */
static void print_dataset(const cc_input_choice *volume, const cc_dataset_info *info,
                          const long shape[3])
{
    printf("\ndataset %s", volume->dataset);
    if (info->rank == 4)
        printf(", volume %ld along its %s axis (the dataset is %ld x %ld x %ld x %ld)",
               volume->index, axis_name(volume->index_axis), info->shape[0], info->shape[1],
               info->shape[2], info->shape[3]);
    printf("\nshape: %ld x %ld x %ld\n", shape[0], shape[1], shape[2]);
    printf("type: %s\n", info->type_name);
    printf("layout: %s", info->layout);
    for (int d = 0; d < info->chunk_rank && d < 8; d++)
        printf("%s%ld%s", d == 0 ? " (" : " x ", info->chunk[d],
               d == info->chunk_rank - 1 ? ")" : "");
    if (info->filters[0] != '\0')
        printf(", %s", info->filters);
    printf("\n");
}

/* The voxel spacing --spacing auto would take.  A bad attribute is shown,
 * not fatal: info is where a user looks to find such things. */
static void print_spacing(const cc_input *input)
{
    double spacing[3];
    int found;
    char source[64];
    cc_error err;
    if (cc_input_spacing(input, spacing, &found, source, sizeof source, &err) != CC_OK) {
        printf("spacing: unusable: %s\n", err.message);
        return;
    }
    printf("spacing: %.6g x %.6g x %.6g (", spacing[0], spacing[1], spacing[2]);
    if (found)
        printf("attribute %s)\n", source);
    else
        printf("no spacing attribute; --spacing auto uses this)\n");
}

/* The volume's shape, type, layout, spacing, memory and values. */
static cc_status describe_volume(const char *path, const cc_input_choice *volume, cc_input *input,
                                 cc_error *err)
{
    cc_dataset_info info;
    value_stats stats = {INFINITY, -INFINITY, 0, 0, NULL, calloc(1, sizeof(cc_histogram))};
    if (stats.values == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    cc_status status = cc_input_describe(input, &info, err);
    if (status == CC_OK) {
        print_dataset(volume, &info, cc_input_shape(input));
        print_spacing(input);
        print_memory(cc_input_shape(input));
        status = scan(input, &stats, 0, err);
    }
    if (status == CC_OK && stats.positive > 0) {
        stats.bins = calloc(HISTOGRAM_BINS, sizeof *stats.bins);
        status = stats.bins == NULL ? cc_fail(err, CC_ERR_NOMEM, "out of memory")
                                    : scan(input, &stats, 1, err);
    }
    if (status == CC_OK) {
        printf("values: %llu with a logarithm, %llu empty (<= 0, NaN or infinite)\n",
               stats.positive, stats.empty);
        if (stats.positive > 0)
            printf("ln(value): min %.4g  p1 %.4g  p5 %.4g  p25 %.4g  p50 %.4g  p75 %.4g  p95 %.4g"
                   "  p99 %.4g  max %.4g\n",
                   stats.min, percentile(&stats, 0.01), percentile(&stats, 0.05),
                   percentile(&stats, 0.25), percentile(&stats, 0.5), percentile(&stats, 0.75),
                   percentile(&stats, 0.95), percentile(&stats, 0.99), stats.max);
        printf("transfer function bands: ln(value) near -3 (blue), 3 (green), 9 (yellow)\n");
        print_auto(path, volume, cc_input_shape(input), stats.values);
    }
    free(stats.bins);
    free(stats.values);
    return status;
}

/* The dataset render would take without --dataset; 0 (a line printed
 * instead) when there is none or several: info has still described the
 * file.  --index without a 4D dataset is the user's error. */
static cc_status choose(const cc_dataset_list *list, const char *path, cc_input_choice *volume,
                        char *name, size_t name_size, int *chosen, cc_error *err)
{
    char why[128];
    cc_error choice;
    cc_status status = cc_dataset_choose(list, path, volume->index >= 0, name, name_size, why,
                                         sizeof why, &choice);
    *chosen = status == CC_OK;
    if (status == CC_ERR_USAGE) {
        *err = choice;
        return status;
    }
    if (status != CC_OK)
        printf("\n%s\n", choice.message);
    else if (why[0] != '\0')
        printf("\nusing dataset %s (%s)\n", name, why);
    volume->dataset = name;
    return CC_OK;
}

cc_status cc_cli_info(const char *path, const cc_input_choice *given, cc_error *err)
{
    printf("%s:\n", path);
    cc_dataset_list *list;
    cc_status status = cc_dataset_list_read(path, &list, err);
    if (status != CC_OK)
        return status;
    print_objects(list);
    cc_input_choice volume = *given;
    char name[1024];
    int chosen = 1;
    if (volume.dataset == NULL)
        status = choose(list, path, &volume, name, sizeof name, &chosen, err);
    cc_dataset_list_destroy(list);
    if (status != CC_OK || !chosen)
        return status;
    cc_input *input;
    status = cc_input_open_choice(path, &volume, MPI_COMM_SELF, &input, err);
    /* A dataset the user did not name (density) that does not render as it
     * is: the listing above says so, and info has done its work. */
    if (status == CC_ERR_INPUT && given->dataset == NULL) {
        printf("\n%s\n", err->message);
        return CC_OK;
    }
    if (status != CC_OK)
        return status;
    status = describe_volume(path, &volume, input, err);
    cc_input_close(input);
    return status;
}
