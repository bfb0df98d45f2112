/* info.c - `cubecast info`: what is in a file and how its values spread,
 * so a user can tell whether the transfer function's bands (ln value
 * around -3, 3 and 9) will show. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "cubecast/input.h"
#include "cubecast/plan.h"

enum { HISTOGRAM_BINS = 20000, SLAB_BYTES = 64 << 20 };

typedef struct value_stats {
    double min, max;             /* of ln(value) over positive finite values */
    unsigned long long positive; /* values that have a logarithm */
    unsigned long long empty;    /* <= 0, NaN or infinite */
    unsigned long long *bins;    /* histogram of ln(value) on [min, max] */
} value_stats;

static void print_object(const char *name, const char *what, void *context)
{
    (void)context;
    printf("  /%s  %s\n", name, what);
}

/* Visits the dataset slab by slab (bounded memory for any size). */
static cc_status scan(cc_input *input, value_stats *stats, int pass, cc_error *err)
{
    const long *shape = cc_input_shape(input);
    long planes = SLAB_BYTES / (long)(shape[1] * shape[2] * (long)sizeof(double));
    planes = planes < 1 ? 1 : planes;
    for (long x = 0; x < shape[0]; x += planes) {
        cc_box slab = cc_box_whole(shape[0], shape[1], shape[2]);
        slab.lo[0] = x;
        slab.count[0] = x + planes <= shape[0] ? planes : shape[0] - x;
        cc_volume *volume;
        cc_status status = cc_volume_create(shape, &slab, CC_DOUBLE, &volume, err);
        if (status == CC_OK)
            status = cc_input_read(input, &slab, volume, 0, err);
        if (status != CC_OK) {
            cc_volume_destroy(volume);
            return status;
        }
        const double *values = cc_volume_values_const(volume);
        size_t count = cc_box_voxels(&slab);
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
        cc_volume_destroy(volume);
    }
    return CC_OK;
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

static void print_dataset(const cc_dataset_info *info)
{
    printf("shape: %ld x %ld x %ld\n", info->shape[0], info->shape[1], info->shape[2]);
    printf("type: %s\n", info->type_name);
    printf("layout: %s", info->layout);
    if (info->chunk_rank == 3)
        printf(" (%ld x %ld x %ld)", info->chunk[0], info->chunk[1], info->chunk[2]);
    if (info->filters[0] != '\0')
        printf(", %s", info->filters);
    printf("\n");
}

cc_status cc_cli_info(const char *path, const char *dataset, cc_error *err)
{
    printf("%s:\n", path);
    cc_status status = cc_input_list(path, print_object, NULL, err);
    if (status != CC_OK)
        return status;
    cc_input *input;
    status = cc_input_open(path, dataset, MPI_COMM_SELF, &input, err);
    if (status != CC_OK)
        return status;
    cc_dataset_info info;
    value_stats stats = {INFINITY, -INFINITY, 0, 0, NULL};
    status = cc_input_describe(input, &info, err);
    if (status == CC_OK) {
        printf("\ndataset %s\n", dataset);
        print_dataset(&info);
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
    }
    free(stats.bins);
    cc_input_close(input);
    return status;
}
