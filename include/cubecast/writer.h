/* writer.h - a background thread that encodes and writes PNG frames.
 *
 * PNG encoding and the file write of frame f overlap the rendering of
 * frame f+1 (issue 12): the main thread fills a pixel buffer, submits it,
 * and collects the result before it submits the next one.  At most one job
 * is in flight, so the writer owns two pixel buffers: the one being
 * encoded and the one the main thread fills next.
 *
 * The thread calls only cc_png_encode, cc_crc32 and cc_outdir_write, which
 * share no mutable state with the main thread (an outdir is read-only once
 * opened; errno is per thread); no MPI and no HDF5 (MPI_THREAD_FUNNELED).
 * It blocks every signal, so a stop signal reaches the main thread. */
#ifndef CUBECAST_WRITER_H
#define CUBECAST_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "cubecast/error.h"
#include "cubecast/outdir.h"
#include "cubecast/pngout.h"

typedef struct cc_frame_writer cc_frame_writer;

/* One frame to write; submit copies everything but outdir, which must
 * stay open until the job is collected. */
typedef struct cc_frame_job {
    int frame;
    const char *name; /* the file name in outdir */
    cc_outdir *outdir;
    int width, height, bit_depth, channels; /* as cc_png_encode takes them */
    const cc_png_text *texts;
    int text_count;
} cc_frame_job;

/* What became of a job. */
typedef struct cc_frame_result {
    int frame;
    cc_status status; /* CC_OK when the file is on disk */
    cc_error error;   /* why not, otherwise */
    unsigned long long bytes;
    uint32_t crc32;                       /* of the whole file (cc_crc32) */
    double encode_seconds, write_seconds; /* the thread's own time */
    double finished;                      /* cc_profile_now() when it was done */
} cc_frame_result;

/* Starts the thread, with two pixel buffers of pixel_bytes each. */
cc_status cc_frame_writer_create(size_t pixel_bytes, cc_frame_writer **out, cc_error *err);

/* Waits for a job in flight to finish (its file is written, its result
 * dropped: collect it first to use it), then ends the thread.  NULL is a
 * no-op. */
void cc_frame_writer_destroy(cc_frame_writer *writer);

/* The buffer the next job's pixels go in; not the one being encoded. */
void *cc_frame_writer_pixels(cc_frame_writer *writer);

/* Hands the pixels in cc_frame_writer_pixels() to the thread.  The
 * previous job must have been collected (CC_ERR_INTERNAL otherwise);
 * CC_ERR_NOMEM when its texts cannot be copied. */
cc_status cc_frame_writer_submit(cc_frame_writer *writer, const cc_frame_job *job, cc_error *err);

/* 1 when a job was submitted and not yet collected: blocks until it is
 * finished and fills *result.  0, and nothing waited for, otherwise. */
int cc_frame_writer_collect(cc_frame_writer *writer, cc_frame_result *result);

#endif
