/* driver.c - the MPI program (driver.h).
 *
 * plan -> read -> render -> composite -> write, with errors agreed on
 * collectively at every step that may fail on some ranks only. */
#include "cubecast/driver.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cubecast/atomic_file.h"
#include "cubecast/collective.h"
#include "cubecast/composite.h"
#include "cubecast/input.h"
#include "cubecast/manifest.h"
#include "cubecast/plan.h"
#include "cubecast/pngout.h"
#include "cubecast/profile.h"
#include "cubecast/progress.h"
#include "cubecast/projection.h"
#include "cubecast/queue.h"
#include "cubecast/raw.h"
#include "cubecast/render.h"
#include "cubecast/stop.h"
#include "cubecast/version.h"

enum { TAG_RECORD = 101 };

/* What a rank tells rank 0 about a frame, or (frame < 0) that it is done. */
typedef struct frame_message {
    cc_frame_record record;
    int status;
} frame_message;

typedef struct run {
    const cc_render_options *options;
    MPI_Comm comm, node_comm;
    cc_layout layout;
    cc_plan plan;
    cc_input *input;
    long shape[3];
    MPI_Win volume_window;
    int has_window;
    cc_volume *volume;
    cc_renderer *renderer;
    cc_raw *raw;
    cc_manifest *manifest;                              /* rank 0 */
    double manifest_written_at, manifest_write_seconds; /* rank 0 */
    int manifest_unsaved;  /* rank 0: frames added since the last write */
    cc_progress *progress; /* rank 0 */
    int *todo;             /* frames to render this run */
    int todo_count;
    cc_profile profile;
    double mark;
} run;

/* ---- setup ------------------------------------------------------------ */

static void layout_of(MPI_Comm comm, MPI_Comm node_comm, cc_layout *layout)
{
    MPI_Comm_rank(comm, &layout->rank);
    MPI_Comm_size(comm, &layout->ranks);
    MPI_Comm_rank(node_comm, &layout->node_rank);
    MPI_Comm_size(node_comm, &layout->node_ranks);
}

/* Removes temporary files a killed run left behind (only cubecast's own). */
static void remove_stale_temporaries(const char *folder)
{
    DIR *dir = opendir(folder);
    if (dir == NULL)
        return;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        const char *name = entry->d_name;
        int ours = strncmp(name, "frame_", 6) == 0 || strncmp(name, "manifest.json", 13) == 0 ||
                   strncmp(name, "projection.png", 14) == 0;
        if (ours && strstr(name, ".tmp.") != NULL) {
            char path[4400];
            snprintf(path, sizeof path, "%s/%s", folder, name);
            remove(path);
        }
    }
    closedir(dir);
}

/* Rank 0: creates the output folder and proves it can write there. */
static cc_status prepare_output(const cc_render_options *options, cc_error *err)
{
    cc_status status = cc_make_folder(options->output, err);
    if (status != CC_OK)
        return status;
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/.cubecast-probe", options->output);
    status = cc_atomic_write(probe, "", 0, err);
    if (status == CC_OK)
        remove(probe);
    remove_stale_temporaries(options->output);
    return status;
}

/* Rank 0: the frames of the range that a previous run did not finish. */
static cc_status frames_to_render(run *r, cc_error *err)
{
    const cc_render_options *options = r->options;
    int range = options->range_end - options->range_begin;
    r->todo = malloc(sizeof *r->todo * (size_t)range);
    char *done = calloc((size_t)range, 1);
    if (r->todo == NULL || done == NULL) {
        free(done);
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    }
    cc_status status = CC_OK;
    if (options->resume) {
        cc_frame_record *records;
        size_t count;
        status = cc_manifest_load_frames(options, r->shape, options->output, &records, &count, err);
        for (size_t i = 0; status == CC_OK && i < count; i++) {
            int slot = records[i].frame - options->range_begin;
            char path[4400], name[64];
            cc_frame_file_name(records[i].frame, name, sizeof name);
            snprintf(path, sizeof path, "%s/%s", options->output, name);
            cc_png_written found;
            if (slot < 0 || slot >= range || !cc_file_checksum(path, &found) ||
                found.bytes != records[i].bytes || found.crc32 != records[i].crc32)
                continue;
            done[slot] = 1;
            status = cc_manifest_add_frame(r->manifest, &records[i], err);
        }
        free(records);
    }
    r->todo_count = 0;
    for (int slot = 0; slot < range; slot++)
        if (!done[slot])
            r->todo[r->todo_count++] = options->range_begin + slot;
    free(done);
    return status;
}

static cc_status share_todo(run *r, cc_error *err)
{
    MPI_Bcast(&r->todo_count, 1, MPI_INT, 0, r->comm);
    if (r->layout.rank != 0) {
        r->todo = malloc(sizeof *r->todo * (size_t)(r->todo_count > 0 ? r->todo_count : 1));
        if (r->todo == NULL)
            return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    }
    MPI_Bcast(r->todo, r->todo_count, MPI_INT, 0, r->comm);
    return CC_OK;
}

static cc_status setup(run *r, cc_error *err)
{
    const cc_render_options *options = r->options;
    cc_status status = cc_input_open(options->input, options->dataset, r->comm, &r->input, err);
    if (status != CC_OK)
        return status;
    memcpy(r->shape, cc_input_shape(r->input), sizeof r->shape);
    /* Rank 0's view of the node's memory decides --decomp auto for all. */
    double node_memory = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    MPI_Bcast(&node_memory, 1, MPI_DOUBLE, 0, r->comm);
    status = cc_agree(r->comm,
                      cc_plan_make(options, r->shape, &r->layout, node_memory, &r->plan, err), err);
    if (status != CC_OK)
        return status;
    if (options->decomp == CC_DECOMP_AUTO && r->layout.rank == 0 && !options->quiet)
        fprintf(stderr, "decomposition: %s\n", r->plan.reason);
    if (r->layout.rank == 0) {
        status = prepare_output(options, err);
        if (status == CC_OK)
            status = cc_manifest_create(options, r->shape, &r->manifest, err);
        if (status == CC_OK)
            status = frames_to_render(r, err);
        if (status == CC_OK)
            status = cc_progress_create(r->todo_count, options->range_end - options->range_begin,
                                        options->quiet, &r->progress, err);
    }
    status = cc_agree(r->comm, status, err);
    if (status == CC_OK)
        status = cc_agree(r->comm, share_todo(r, err), err);
    return status;
}

/* ---- read ------------------------------------------------------------- */

/* The held box, either private or one copy per node in a shared window. */
static cc_status allocate_volume(run *r, cc_error *err)
{
    cc_precision precision = r->options->precision;
    if (!r->plan.held_shared)
        return cc_volume_create(r->shape, &r->plan.held, precision, &r->volume, err);
    size_t bytes = cc_box_voxels(&r->plan.held) * cc_precision_size(precision);
    MPI_Aint local = r->layout.node_rank == 0 ? (MPI_Aint)bytes : 0;
    void *base = NULL;
    int result =
        MPI_Win_allocate_shared(local, 1, MPI_INFO_NULL, r->node_comm, &base, &r->volume_window);
    if (result != MPI_SUCCESS)
        return cc_fail(err, CC_ERR_NOMEM,
                       "cannot allocate %.1f MiB of node-shared memory for the volume",
                       (double)bytes / 1048576.0);
    r->has_window = 1;
    MPI_Aint size;
    int unit;
    MPI_Win_shared_query(r->volume_window, 0, &size, &unit, &base);
    return cc_volume_wrap(r->shape, &r->plan.held, precision, base, &r->volume, err);
}

static cc_status read_volume(run *r, cc_error *err)
{
    cc_status status = cc_agree(r->comm, allocate_volume(r, err), err);
    if (status != CC_OK)
        return status;
    /* Fault the pages in with all threads first: the read itself fills
     * them from one thread, and first touches of a big fresh window are a
     * large part of its cost. */
    size_t value_size = cc_precision_size(r->options->precision);
    size_t plane_values = (size_t)r->plan.held.count[1] * (size_t)r->plan.held.count[2];
    char *first = (char *)cc_volume_values(r->volume) +
                  (size_t)(r->plan.read.lo[0] - r->plan.held.lo[0]) * plane_values * value_size;
    long planes = cc_box_is_empty(&r->plan.read) ? 0 : r->plan.read.count[0];
#pragma omp parallel for schedule(static)
    for (long x = 0; x < planes; x++)
        memset(first + (size_t)x * plane_values * value_size, 0, plane_values * value_size);
    status = cc_input_read(r->input, &r->plan.read, r->volume, 1, err);
    /* Every rank of the node must see the others' slabs before rendering. */
    if (r->has_window)
        MPI_Barrier(r->node_comm);
    r->profile.bytes_read = cc_input_bytes_read(r->input);
    return cc_agree(r->comm, status, err);
}

/* ---- projection ------------------------------------------------------- */

static cc_status write_projection(run *r, double *sum, cc_error *err)
{
    const cc_render_options *options = r->options;
    size_t count = (size_t)r->shape[1] * (size_t)r->shape[2];
    cc_projection_finish(sum, r->shape[0], count);
    cc_status status = CC_OK;
    if (options->projection) {
        uint8_t *rgb = malloc(count * 3);
        if (rgb == NULL)
            return cc_fail(err, CC_ERR_NOMEM, "out of memory");
        cc_projection_to_rgb8(sum, count, -5.0, 5.0, rgb);
        char path[4400];
        snprintf(path, sizeof path, "%s/projection.png", options->output);
        cc_png_text texts[] = {{"input", options->input},
                               {"dataset", options->dataset},
                               {"what", "ln(mean over x), viridis, limits [-5, 5]"},
                               {"Software", "cubecast " CC_VERSION_STRING}};
        status =
            cc_png_write_rgb8(path, (int)r->shape[2], (int)r->shape[1], rgb, texts, 4, NULL, err);
        free(rgb);
        if (status == CC_OK)
            cc_manifest_set_projection(r->manifest, "projection.png");
    }
    if (status == CC_OK && r->raw != NULL)
        status = cc_raw_write_projection(r->raw, sum, err);
    return status;
}

/* rows mode: sums this rank's share of the planes no rank holds, reading
 * them a slab at a time (they are needed for the projection only). */
static cc_status stream_uncovered(run *r, double *sum, cc_error *err)
{
    if (r->plan.stream_count == 0)
        return CC_OK;
    long(*runs)[2] = malloc(sizeof *runs * (size_t)(r->layout.ranks + 1));
    if (runs == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    int run_count = cc_plan_rows_uncovered(r->options, r->shape, r->layout.ranks, runs);
    /* Slabs of about 16 MiB keep the extra memory small. */
    long plane_bytes = r->shape[1] * r->shape[2] * (long)cc_precision_size(r->options->precision);
    long slab_planes = (16L << 20) / plane_bytes > 0 ? (16L << 20) / plane_bytes : 1;
    long skipped = 0, begin = r->plan.stream_begin, end = begin + r->plan.stream_count;
    cc_status status = CC_OK;
    for (int run_index = 0; run_index < run_count && status == CC_OK; run_index++) {
        /* This run holds planes [skipped, skipped + count) of the list. */
        long lo = runs[run_index][0], count = runs[run_index][1];
        long from = begin > skipped ? begin - skipped : 0;
        long to = end < skipped + count ? end - skipped : count;
        for (long x = lo + from; x < lo + to && status == CC_OK; x += slab_planes) {
            cc_box slab = cc_box_whole(r->shape[0], r->shape[1], r->shape[2]);
            slab.lo[0] = x;
            slab.count[0] = x + slab_planes <= lo + to ? slab_planes : lo + to - x;
            cc_volume *part = NULL;
            status = cc_volume_create(r->shape, &slab, r->options->precision, &part, err);
            if (status == CC_OK)
                status = cc_input_read(r->input, &slab, part, 0, err);
            if (status == CC_OK)
                cc_projection_accumulate(part, &slab, sum);
            cc_volume_destroy(part);
        }
        skipped += count;
    }
    free(runs);
    return status;
}

/* Each rank sums its x planes; the sums meet at rank 0 (never the volume). */
static cc_status projection(run *r, cc_error *err)
{
    if (!r->options->projection && r->options->raw == NULL)
        return CC_OK;
    size_t count = (size_t)r->shape[1] * (size_t)r->shape[2];
    double *sum = calloc(count, sizeof *sum);
    double *total = r->layout.rank == 0 ? calloc(count, sizeof *total) : NULL;
    cc_status status = sum == NULL || (r->layout.rank == 0 && total == NULL)
                           ? cc_fail(err, CC_ERR_NOMEM, "out of memory for the projection")
                           : CC_OK;
    status = cc_agree(r->comm, status, err);
    if (status == CC_OK) {
        cc_projection_accumulate(r->volume, &r->plan.projection, sum);
        status = cc_agree(r->comm, stream_uncovered(r, sum, err), err);
    }
    if (status == CC_OK) {
        MPI_Reduce(sum, total, (int)count, MPI_DOUBLE, MPI_SUM, 0, r->comm);
        if (r->layout.rank == 0)
            status = write_projection(r, total, err);
        status = cc_agree(r->comm, status, err);
    }
    free(sum);
    free(total);
    return status;
}

/* ---- render and write ------------------------------------------------- */

static cc_status write_frame(run *r, int frame, const cc_view *view, cc_image *image, uint8_t *rgb,
                             cc_frame_record *record, cc_error *err)
{
    const cc_render_options *options = r->options;
    cc_image_clip(image);
    cc_image_to_rgb8(image, rgb);
    char frame_text[32], angle_text[64], name[64], path[4400];
    snprintf(frame_text, sizeof frame_text, "%d", frame);
    snprintf(angle_text, sizeof angle_text, "%.17g", view->angle_deg);
    cc_frame_file_name(frame, name, sizeof name);
    snprintf(path, sizeof path, "%s/%s", options->output, name);
    cc_png_text texts[] = {{"frame", frame_text},
                           {"angle", angle_text},
                           {"input", options->input},
                           {"dataset", options->dataset},
                           {"Software", "cubecast " CC_VERSION_STRING}};
    cc_png_buffer png = {NULL, 0, 0};
    cc_status status = cc_png_encode_rgb8(view->size, view->size, rgb, texts, 5, &png, err);
    cc_profile_lap(&r->profile, CC_PHASE_ENCODE, &r->mark);
    if (status == CC_OK)
        status = cc_atomic_write(path, png.data, png.size, err);
    if (status == CC_OK && r->raw != NULL)
        status = cc_raw_write_frame(r->raw, frame, view->angle_deg, image, err);
    record->frame = frame;
    record->angle_deg = view->angle_deg;
    record->bytes = png.size;
    record->crc32 = cc_crc32(png.data, png.size);
    record->rank = r->layout.rank;
    cc_png_buffer_free(&png);
    cc_profile_lap(&r->profile, CC_PHASE_WRITE, &r->mark);
    return status;
}

/* Rewriting manifest.json costs time in proportion to the frames it lists:
 * after every frame, a 2000-frame sweep of small frames spent 89% of its
 * run there.  So rank 0 rewrites it only once the time since the last
 * rewrite is this many times what that rewrite took (at most ~5% of the
 * run), which for ordinary frames is still after every frame; finish()
 * writes it last.  A killed job loses at most that window's records, and
 * --resume renders those frames again. */
enum { MANIFEST_REWRITE_SPACING = 20 };

static cc_status write_manifest(run *r, cc_error *err)
{
    double started = cc_profile_now();
    cc_status status = cc_manifest_write(r->manifest, r->options->output, err);
    r->manifest_unsaved = status == CC_OK ? 0 : r->manifest_unsaved;
    r->manifest_written_at = cc_profile_now();
    r->manifest_write_seconds = r->manifest_written_at - started;
    return status;
}

/* Rank 0: a finished frame goes into the manifest and the progress line. */
static cc_status note_frame(run *r, const frame_message *message, cc_error *err)
{
    if (message->status != CC_OK)
        return CC_OK; /* the failing rank reports it when errors are agreed */
    cc_status status = cc_manifest_add_frame(r->manifest, &message->record, err);
    r->manifest_unsaved += status == CC_OK;
    double since = cc_profile_now() - r->manifest_written_at;
    if (status == CC_OK && since >= MANIFEST_REWRITE_SPACING * r->manifest_write_seconds)
        status = write_manifest(r, err);
    cc_progress_frame_done(r->progress, message->record.rank);
    return status;
}

/* A finished (or failed) frame goes to rank 0, which notes it at once. */
static cc_status report_frame(run *r, const frame_message *message, cc_error *err)
{
    if (r->layout.rank == 0)
        return note_frame(r, message, err);
    MPI_Send(message, (int)sizeof *message, MPI_BYTE, 0, TAG_RECORD, r->comm);
    return CC_OK;
}

/* Rank 0: takes in what other ranks have reported; blocks when wait is set. */
static cc_status drain_messages(run *r, int wait, int *ranks_done, cc_error *err)
{
    cc_status status = CC_OK;
    for (;;) {
        int ready = 0;
        MPI_Status probe;
        if (wait)
            MPI_Probe(MPI_ANY_SOURCE, TAG_RECORD, r->comm, &probe), ready = 1;
        else
            MPI_Iprobe(MPI_ANY_SOURCE, TAG_RECORD, r->comm, &ready, &probe);
        if (!ready)
            return status;
        frame_message message;
        MPI_Recv(&message, (int)sizeof message, MPI_BYTE, probe.MPI_SOURCE, TAG_RECORD, r->comm,
                 MPI_STATUS_IGNORE);
        if (message.record.frame < 0)
            (*ranks_done)++;
        else if (status == CC_OK)
            status = note_frame(r, &message, err);
        if (wait)
            return status;
    }
}

/* Every rank says it is done; rank 0 takes in the records still under way,
 * so the manifest is complete before anyone moves on. */
static cc_status collect_done(run *r, cc_status status, int *ranks_done, cc_error *err)
{
    if (r->layout.rank == 0) {
        while (*ranks_done < r->layout.ranks - 1) {
            cc_status drained = drain_messages(r, 1, ranks_done, err);
            status = status == CC_OK ? drained : status;
        }
    } else {
        frame_message done = {{.frame = -1}, CC_OK};
        MPI_Send(&done, (int)sizeof done, MPI_BYTE, 0, TAG_RECORD, r->comm);
    }
    cc_profile_lap(&r->profile, CC_PHASE_WAIT, &r->mark);
    return cc_agree(r->comm, status, err);
}

/* Renders this rank's slab of frame into image and times it. */
static cc_status render_slab_of(run *r, int frame, cc_image *image, cc_view *view, cc_error *err)
{
    const cc_render_options *options = r->options;
    *view = cc_view_of_frame(options->size, options->start_deg, options->sweep_deg, options->frames,
                             frame);
    cc_status status =
        cc_render_slab(r->renderer, r->volume, view, &r->plan.owned_cells, image, err);
    cc_profile_lap(&r->profile, CC_PHASE_RENDER, &r->mark);
    r->profile.samples += (double)options->size * options->size * image->rows;
    return status;
}

static cc_status render_one(run *r, int frame, cc_image *image, uint8_t *rgb,
                            frame_message *message, cc_error *err)
{
    double started = cc_profile_now();
    cc_view view;
    cc_status status = render_slab_of(r, frame, image, &view, err);
    if (status == CC_OK)
        status = write_frame(r, frame, &view, image, rgb, &message->record, err);
    message->record.seconds = cc_profile_now() - started;
    message->status = status;
    r->profile.frames += status == CC_OK;
    return status;
}

/* frames mode: each rank renders whole frames, taken from the queue. */
static cc_status render_on_demand(run *r, cc_error *err)
{
    int n = r->options->size;
    cc_image *image = NULL;
    uint8_t *rgb = malloc((size_t)n * (size_t)n * 3);
    cc_queue *queue = NULL;
    cc_status status = rgb == NULL ? cc_fail(err, CC_ERR_NOMEM, "out of memory") : CC_OK;
    if (status == CC_OK)
        status = cc_image_create(n, 0, n, &image, err);
    if (status == CC_OK)
        status = cc_renderer_create(&r->renderer, err);
    status = cc_agree(r->comm, status, err);
    if (status == CC_OK)
        status = cc_agree(r->comm, cc_queue_create(r->comm, r->todo_count, &queue, err), err);
    if (status != CC_OK) {
        free(rgb);
        cc_image_destroy(image);
        return status;
    }
    int ranks_done = 0, task;
    cc_profile_lap(&r->profile, CC_PHASE_SETUP, &r->mark);
    while (status == CC_OK && !cc_stop_requested() && (task = cc_queue_next(queue)) >= 0) {
        cc_profile_lap(&r->profile, CC_PHASE_WAIT, &r->mark);
        frame_message message;
        status = render_one(r, r->todo[task], image, rgb, &message, err);
        cc_status reported = report_frame(r, &message, err);
        status = status == CC_OK ? reported : status;
        if (r->layout.rank == 0) {
            cc_status drained = drain_messages(r, 0, &ranks_done, err);
            status = status == CC_OK ? drained : status;
        }
    }
    if (cc_stop_requested() || status != CC_OK)
        cc_queue_cancel(queue);
    status = collect_done(r, status, &ranks_done, err);
    cc_queue_destroy(queue);
    free(rgb);
    cc_image_destroy(image);
    return status;
}

/* rows and bricks modes: every rank takes part in every frame; frame f is
 * assembled and written by rank f mod P, which spreads the PNG encoding. */
static cc_status render_one_together(run *r, int frame, cc_image *part, cc_image *whole,
                                     uint8_t *rgb, int *order, cc_error *err)
{
    double started = cc_profile_now();
    int writer = frame % r->layout.ranks;
    cc_view view;
    cc_status status = cc_agree(r->comm, render_slab_of(r, frame, part, &view, err), err);
    if (status != CC_OK)
        return status;
    if (r->plan.decomp == CC_DECOMP_ROWS) {
        status = cc_gather_rows(part, writer, r->comm, whole, err);
    } else {
        cc_plan_visibility(&r->plan, r->layout.ranks, view.cos_theta, view.sin_theta, order);
        status =
            cc_composite_partials(part, order, r->options->composite, writer, r->comm, whole, err);
    }
    cc_profile_lap(&r->profile, CC_PHASE_COMPOSITE, &r->mark);
    status = cc_agree(r->comm, status, err);
    if (status != CC_OK || r->layout.rank != writer)
        return status;
    frame_message message;
    status = write_frame(r, frame, &view, whole, rgb, &message.record, err);
    message.record.seconds = cc_profile_now() - started;
    message.status = status;
    r->profile.frames += status == CC_OK;
    cc_status reported = report_frame(r, &message, err);
    return status == CC_OK ? reported : status;
}

static cc_status render_together(run *r, cc_error *err)
{
    int n = r->options->size;
    cc_image *part = NULL, *whole = NULL;
    uint8_t *rgb = malloc((size_t)n * (size_t)n * 3);
    int *order = malloc(sizeof *order * (size_t)r->layout.ranks);
    cc_status status =
        rgb == NULL || order == NULL ? cc_fail(err, CC_ERR_NOMEM, "out of memory") : CC_OK;
    if (status == CC_OK)
        status =
            cc_image_create(n, r->plan.row_begin, r->plan.row_end - r->plan.row_begin, &part, err);
    if (status == CC_OK)
        status = cc_image_create(n, 0, n, &whole, err);
    if (status == CC_OK)
        status = cc_renderer_create(&r->renderer, err);
    status = cc_agree(r->comm, status, err);
    int ranks_done = 0;
    cc_profile_lap(&r->profile, CC_PHASE_SETUP, &r->mark);
    for (int task = 0; status == CC_OK && task < r->todo_count; task++) {
        /* A stop signal may reach some ranks only; all stop together. */
        int stop = cc_stop_requested(), any_stop;
        MPI_Allreduce(&stop, &any_stop, 1, MPI_INT, MPI_MAX, r->comm);
        cc_profile_lap(&r->profile, CC_PHASE_WAIT, &r->mark);
        if (any_stop)
            break;
        status = render_one_together(r, r->todo[task], part, whole, rgb, order, err);
        if (r->layout.rank == 0) {
            cc_status drained = drain_messages(r, 0, &ranks_done, err);
            status = status == CC_OK ? drained : status;
        }
        status = cc_agree(r->comm, status, err);
    }
    status = collect_done(r, status, &ranks_done, err);
    free(rgb);
    free(order);
    cc_image_destroy(part);
    cc_image_destroy(whole);
    return status;
}

static cc_status render_frames(run *r, cc_error *err)
{
    if (r->plan.decomp == CC_DECOMP_FRAMES)
        return render_on_demand(r, err);
    return render_together(r, err);
}

/* ---- finish ----------------------------------------------------------- */

static cc_status finish(run *r, cc_status status, cc_error *err)
{
    int interrupted = cc_stop_requested(), any_interrupted = 0;
    MPI_Allreduce(&interrupted, &any_interrupted, 1, MPI_INT, MPI_MAX, r->comm);
    if (r->raw != NULL) {
        cc_error raw_err;
        cc_status closed = cc_raw_close(r->raw, status == CC_OK && !any_interrupted, &raw_err);
        r->raw = NULL;
        if (status == CC_OK && closed != CC_OK) {
            *err = raw_err;
            status = closed;
        }
    }
    cc_profile_lap(&r->profile, CC_PHASE_WRITE, &r->mark);
    r->profile.bytes_read = r->input != NULL ? cc_input_bytes_read(r->input) : 0;
    if (status == CC_OK && r->options->profile) {
        char *table = NULL, *json = NULL;
        status = cc_profile_report(&r->profile, r->comm, &table, &json, err);
        if (r->layout.rank == 0 && status == CC_OK) {
            fputs(table, stderr);
            status = cc_manifest_set_profile(r->manifest, json, err);
        }
        free(table);
        free(json);
    }
    /* After an error too if frames finished since the last write, so they
     * need not be redone; but an error before any frame (a --resume that
     * does not match, say) leaves the earlier manifest as it was. */
    if (r->layout.rank == 0 && r->manifest != NULL && (status == CC_OK || r->manifest_unsaved)) {
        cc_error manifest_err;
        cc_status written = write_manifest(r, status == CC_OK ? err : &manifest_err);
        status = status == CC_OK ? written : status;
    }
    status = cc_agree(r->comm, status, err);
    if (status == CC_OK && any_interrupted)
        status = cc_fail(err, CC_ERR_INTERRUPTED,
                         "interrupted by a stop signal; finished frames are kept, rerun with "
                         "--resume to render the rest");
    return status;
}

static void release(run *r)
{
    if (r->layout.rank == 0)
        cc_progress_destroy(r->progress);
    cc_manifest_destroy(r->manifest);
    cc_renderer_destroy(r->renderer);
    cc_volume_destroy(r->volume);
    if (r->has_window)
        MPI_Win_free(&r->volume_window);
    cc_input_close(r->input);
    free(r->todo);
    MPI_Comm_free(&r->node_comm);
}

cc_status cc_driver_render(const cc_render_options *options, MPI_Comm comm, cc_error *err)
{
    run r;
    memset(&r, 0, sizeof r);
    r.options = options;
    r.comm = comm;
    cc_profile_init(&r.profile);
    r.mark = r.profile.start;
    MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &r.node_comm);
    layout_of(comm, r.node_comm, &r.layout);
    cc_stop_install();

    cc_status status = cc_render_options_check(options, err);
    if (status == CC_OK && options->resume && options->raw != NULL)
        status = cc_fail(err, CC_ERR_USAGE,
                         "--raw cannot be combined with --resume (the raw file would miss the "
                         "frames rendered before)");
    status = cc_agree(comm, status, err);
    if (status == CC_OK)
        status = setup(&r, err);
    cc_profile_lap(&r.profile, CC_PHASE_SETUP, &r.mark);
    if (status == CC_OK)
        status = read_volume(&r, err);
    cc_profile_lap(&r.profile, CC_PHASE_READ, &r.mark);
    if (status == CC_OK && options->raw != NULL)
        status = cc_raw_create(options->raw, comm, options, r.shape[1], r.shape[2], &r.raw, err);
    if (status == CC_OK)
        status = projection(&r, err);
    cc_profile_lap(&r.profile, CC_PHASE_PROJECTION, &r.mark);
    if (status == CC_OK)
        status = render_frames(&r, err);
    if (r.input != NULL)
        status = finish(&r, status, err);
    release(&r);
    return status;
}
