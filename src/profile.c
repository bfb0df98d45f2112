/* profile.c - per-phase timing over ranks (profile.h). */
#include "cubecast/profile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static const char *const cc_phase_names[CC_PHASE_COUNT] = {
    "setup",      "read",  "upload", "projection", "render", "gather/composite",
    "png encode", "write", "wait",
};

double cc_profile_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

void cc_profile_init(cc_profile *profile)
{
    memset(profile, 0, sizeof *profile);
    profile->start = cc_profile_now();
}

void cc_profile_lap(cc_profile *profile, cc_phase phase, double *mark)
{
    double now = cc_profile_now();
    profile->seconds[phase] += now - *mark;
    *mark = now;
}

unsigned long long cc_peak_rss_bytes(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (unsigned long long)usage.ru_maxrss * 1024ULL; /* Linux reports KiB */
}

/* Per-rank row sent to rank 0. */
enum {
    ROW_PHASES = 0,
    ROW_SAMPLES = CC_PHASE_COUNT,
    ROW_BYTES,
    ROW_RSS,
    ROW_FRAMES,
    ROW_WALL,
    ROW_LENGTH
};

enum { DEVICE_NAME = sizeof(((cc_profile *)0)->device) };
enum { KERNEL_NAME = sizeof(((cc_profile *)0)->kernel) };

typedef struct text_buffer {
    char *data;
    size_t size, capacity;
} text_buffer;

static void append(text_buffer *text, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void append(text_buffer *text, const char *format, ...)
{
    for (;;) {
        va_list args;
        va_start(args, format);
        size_t room = text->capacity - text->size;
        int needed = vsnprintf(text->data ? text->data + text->size : NULL, room, format, args);
        va_end(args);
        if (needed < 0)
            return;
        if ((size_t)needed < room) {
            text->size += (size_t)needed;
            return;
        }
        size_t capacity = (text->capacity + (size_t)needed + 1) * 2;
        char *grown = realloc(text->data, capacity);
        if (grown == NULL)
            return;
        text->data = grown;
        text->capacity = capacity;
    }
}

static void summarize(const double *rows, int ranks, int column, double *min, double *mean,
                      double *max)
{
    *min = *max = rows[column];
    double sum = 0.0;
    for (int r = 0; r < ranks; r++) {
        double v = rows[r * ROW_LENGTH + column];
        sum += v;
        *min = v < *min ? v : *min;
        *max = v > *max ? v : *max;
    }
    *mean = sum / ranks;
}

/* The render kernel's instruction set: once when every rank ran the same,
 * else per rank. */
static void write_kernels(const char *kernels, int ranks, text_buffer *text)
{
    int same = 1;
    for (int r = 1; r < ranks; r++)
        same &= strcmp(kernels + (size_t)r * KERNEL_NAME, kernels) == 0;
    append(text, "  render kernel: %s", kernels);
    for (int r = 1; r < ranks && !same; r++)
        append(text, ", %s", kernels + (size_t)r * KERNEL_NAME);
    append(text, "%s\n", same ? "" : " (by rank)");
}

static void write_table(const double *rows, const char *devices, const char *kernels, int ranks,
                        text_buffer *text)
{
    double wall = 0.0, samples = 0.0;
    for (int r = 0; r < ranks; r++) {
        wall = rows[r * ROW_LENGTH + ROW_WALL] > wall ? rows[r * ROW_LENGTH + ROW_WALL] : wall;
        samples += rows[r * ROW_LENGTH + ROW_SAMPLES];
    }
    append(text, "profile over %d rank%s, wall %.3f s\n", ranks, ranks == 1 ? "" : "s", wall);
    append(text, "  %-17s %9s %9s %9s %7s\n", "phase", "min s", "mean s", "max s", "share");
    for (int p = 0; p < CC_PHASE_COUNT; p++) {
        double min, mean, max;
        summarize(rows, ranks, ROW_PHASES + p, &min, &mean, &max);
        append(text, "  %-17s %9.4f %9.4f %9.4f %6.1f%%\n", cc_phase_names[p], min, mean, max,
               wall > 0 ? 100.0 * mean / wall : 0.0);
    }
    append(text, "  %-5s %7s %9s %10s %12s %15s  %s\n", "rank", "frames", "render s", "peak MiB",
           "read MiB", "share of render", "device");
    double render_total = 0.0;
    for (int r = 0; r < ranks; r++)
        render_total += rows[r * ROW_LENGTH + ROW_PHASES + CC_PHASE_RENDER];
    for (int r = 0; r < ranks; r++) {
        const double *row = rows + r * ROW_LENGTH;
        append(text, "  %-5d %7.0f %9.4f %10.1f %12.1f %14.1f%%  %s\n", r, row[ROW_FRAMES],
               row[ROW_PHASES + CC_PHASE_RENDER], row[ROW_RSS] / 1048576.0,
               row[ROW_BYTES] / 1048576.0,
               render_total > 0 ? 100.0 * row[ROW_PHASES + CC_PHASE_RENDER] / render_total : 0.0,
               devices + (size_t)r * DEVICE_NAME);
    }
    double render_max, render_min, render_mean;
    summarize(rows, ranks, ROW_PHASES + CC_PHASE_RENDER, &render_min, &render_mean, &render_max);
    append(text,
           "  samples %.0f: %.1f M samples/s over the run, %.1f M samples/s while rendering\n",
           samples, wall > 0 ? samples / wall / 1e6 : 0.0,
           render_max > 0 ? samples / render_max / 1e6 : 0.0);
    write_kernels(kernels, ranks, text);
}

static void write_json(const double *rows, const char *devices, const char *kernels, int ranks,
                       text_buffer *text)
{
    append(text, "{\"ranks\": %d, \"phases\": {", ranks);
    for (int p = 0; p < CC_PHASE_COUNT; p++) {
        double min, mean, max;
        summarize(rows, ranks, ROW_PHASES + p, &min, &mean, &max);
        append(text, "%s\"%s\": {\"min\": %.6f, \"mean\": %.6f, \"max\": %.6f}", p ? ", " : "",
               cc_phase_names[p], min, mean, max);
    }
    append(text, "}, \"per_rank\": [");
    double samples = 0.0, wall = 0.0;
    for (int r = 0; r < ranks; r++) {
        const double *row = rows + r * ROW_LENGTH;
        samples += row[ROW_SAMPLES];
        wall = row[ROW_WALL] > wall ? row[ROW_WALL] : wall;
        append(text,
               "%s{\"rank\": %d, \"frames\": %.0f, \"samples\": %.0f, "
               "\"peak_rss_bytes\": %.0f, \"bytes_read\": %.0f, \"device\": \"%s\", "
               "\"kernel\": \"%s\", \"seconds\": {",
               r ? ", " : "", r, row[ROW_FRAMES], row[ROW_SAMPLES], row[ROW_RSS], row[ROW_BYTES],
               devices + (size_t)r * DEVICE_NAME, kernels + (size_t)r * KERNEL_NAME);
        for (int p = 0; p < CC_PHASE_COUNT; p++)
            append(text, "%s\"%s\": %.6f", p ? ", " : "", cc_phase_names[p], row[ROW_PHASES + p]);
        append(text, "}}");
    }
    double render_min, render_mean, render_max;
    summarize(rows, ranks, ROW_PHASES + CC_PHASE_RENDER, &render_min, &render_mean, &render_max);
    append(text,
           "], \"samples\": %.0f, \"wall_seconds\": %.6f, \"samples_per_second\": %.1f, "
           "\"render_samples_per_second\": %.1f}",
           samples, wall, wall > 0 ? samples / wall : 0.0,
           render_max > 0 ? samples / render_max : 0.0);
}

cc_status cc_profile_report(const cc_profile *profile, MPI_Comm comm, char **table, char **json,
                            cc_error *err)
{
    int rank, ranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &ranks);
    double row[ROW_LENGTH];
    for (int p = 0; p < CC_PHASE_COUNT; p++)
        row[ROW_PHASES + p] = profile->seconds[p];
    row[ROW_SAMPLES] = profile->samples;
    row[ROW_BYTES] = (double)profile->bytes_read;
    row[ROW_RSS] = (double)cc_peak_rss_bytes();
    row[ROW_FRAMES] = profile->frames;
    row[ROW_WALL] = cc_profile_now() - profile->start;
    double *rows = rank == 0 ? malloc(sizeof row * (size_t)ranks) : NULL;
    char *devices = rank == 0 ? malloc(DEVICE_NAME * (size_t)ranks) : NULL;
    char *kernels = rank == 0 ? malloc(KERNEL_NAME * (size_t)ranks) : NULL;
    int failed = rank == 0 && (rows == NULL || devices == NULL || kernels == NULL);
    MPI_Bcast(&failed, 1, MPI_INT, 0, comm);
    if (failed) {
        free(rows);
        free(devices);
        free(kernels);
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    }
    MPI_Gather(row, ROW_LENGTH, MPI_DOUBLE, rows, ROW_LENGTH, MPI_DOUBLE, 0, comm);
    /* The names as the backend made them: printable, no quotes (JSON-safe);
     * a rank that never reached its backend says so. */
    char device[DEVICE_NAME];
    snprintf(device, sizeof device, "%s", profile->device[0] ? profile->device : "none");
    MPI_Gather(device, DEVICE_NAME, MPI_CHAR, devices, DEVICE_NAME, MPI_CHAR, 0, comm);
    char kernel[KERNEL_NAME];
    snprintf(kernel, sizeof kernel, "%s", profile->kernel[0] ? profile->kernel : "none");
    MPI_Gather(kernel, KERNEL_NAME, MPI_CHAR, kernels, KERNEL_NAME, MPI_CHAR, 0, comm);
    *table = *json = NULL;
    if (rank == 0) {
        text_buffer table_text = {0}, json_text = {0};
        write_table(rows, devices, kernels, ranks, &table_text);
        write_json(rows, devices, kernels, ranks, &json_text);
        *table = table_text.data;
        *json = json_text.data;
        free(rows);
        free(devices);
        free(kernels);
    }
    return CC_OK;
}
