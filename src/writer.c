/* writer.c - the PNG writer thread (writer.h).
 *
 * One mutex guards the hand-over flags; the job's fields, its copied texts
 * and its pixel buffer belong to the main thread while no job is
 * submitted, and to the thread from submit until it marks the job done. */
#include "cubecast/writer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cubecast/profile.h"
#include "cubecast/stop.h"

struct cc_frame_writer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int submitted; /* a job was handed over and is not collected yet */
    int done;      /* ... and the thread has finished it */
    int quit;      /* destroy: end once no job is left */
    void *buffers[2];
    int next; /* the buffer the main thread fills */
    /* The job in flight, with its own copies of the name and texts. */
    cc_frame_job job;
    const void *pixels;
    cc_png_text *texts;
    int texts_capacity;
    char *strings;
    size_t strings_capacity;
    cc_frame_result result;
};

/* Encodes and writes the job (on the thread, without the lock). */
static void run_job(cc_frame_writer *w)
{
    const cc_frame_job *job = &w->job;
    cc_frame_result *result = &w->result;
    memset(result, 0, sizeof *result);
    result->frame = job->frame;
    double started = cc_profile_now();
    cc_png_buffer png = {NULL, 0, 0};
    result->status = cc_png_encode(job->width, job->height, job->bit_depth, job->channels,
                                   w->pixels, job->texts, job->text_count, &png, &result->error);
    double encoded = cc_profile_now();
    if (result->status == CC_OK)
        result->status =
            cc_outdir_write(job->outdir, job->name, png.data, png.size, &result->error);
    if (result->status == CC_OK) {
        result->bytes = png.size;
        result->crc32 = cc_crc32(png.data, png.size);
    }
    cc_png_buffer_free(&png);
    result->finished = cc_profile_now();
    result->encode_seconds = encoded - started;
    result->write_seconds = result->finished - encoded;
}

static void *thread_main(void *argument)
{
    cc_frame_writer *w = argument;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        /* A job submitted before destroy is finished first. */
        if (w->submitted && !w->done) {
            pthread_mutex_unlock(&w->lock);
            run_job(w);
            pthread_mutex_lock(&w->lock);
            w->done = 1;
            pthread_cond_broadcast(&w->changed);
        } else if (w->quit) {
            break;
        } else {
            pthread_cond_wait(&w->changed, &w->lock);
        }
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

cc_status cc_frame_writer_create(size_t pixel_bytes, cc_frame_writer **out, cc_error *err)
{
    *out = NULL;
    cc_frame_writer *w = calloc(1, sizeof *w);
    if (w == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    w->buffers[0] = malloc(pixel_bytes > 0 ? pixel_bytes : 1);
    w->buffers[1] = malloc(pixel_bytes > 0 ? pixel_bytes : 1);
    int locks =
        w->buffers[0] != NULL && w->buffers[1] != NULL && pthread_mutex_init(&w->lock, NULL) == 0;
    if (locks && pthread_cond_init(&w->changed, NULL) != 0) {
        pthread_mutex_destroy(&w->lock);
        locks = 0;
    }
    if (!locks || !cc_stop_thread_create(&w->thread, thread_main, w)) {
        if (locks) {
            pthread_cond_destroy(&w->changed);
            pthread_mutex_destroy(&w->lock);
        }
        free(w->buffers[0]);
        free(w->buffers[1]);
        free(w);
        return cc_fail(err, CC_ERR_NOMEM, "cannot start the PNG writer thread: out of resources");
    }
    *out = w;
    return CC_OK;
}

void cc_frame_writer_destroy(cc_frame_writer *writer)
{
    if (writer == NULL)
        return;
    pthread_mutex_lock(&writer->lock);
    writer->quit = 1;
    pthread_cond_broadcast(&writer->changed);
    pthread_mutex_unlock(&writer->lock);
    pthread_join(writer->thread, NULL);
    pthread_cond_destroy(&writer->changed);
    pthread_mutex_destroy(&writer->lock);
    free(writer->buffers[0]);
    free(writer->buffers[1]);
    free(writer->texts);
    free(writer->strings);
    free(writer);
}

void *cc_frame_writer_pixels(cc_frame_writer *writer)
{
    return writer->buffers[writer->next];
}

/* Copies a string into the job's storage at *at. */
static const char *keep(char *storage, size_t *at, const char *text)
{
    size_t length = strlen(text) + 1;
    memcpy(storage + *at, text, length);
    *at += length;
    return storage + *at - length;
}

/* The job's name and texts into the writer's own storage (main thread,
 * while no job is submitted). */
static cc_status copy_job(cc_frame_writer *w, const cc_frame_job *job, cc_error *err)
{
    size_t need = strlen(job->name) + 1;
    for (int t = 0; t < job->text_count; t++)
        need += strlen(job->texts[t].key) + strlen(job->texts[t].value) + 2;
    if (need > w->strings_capacity) {
        char *grown = realloc(w->strings, need);
        if (grown == NULL)
            return cc_fail(err, CC_ERR_NOMEM, "out of memory");
        w->strings = grown;
        w->strings_capacity = need;
    }
    if (job->text_count > w->texts_capacity) {
        cc_png_text *grown = realloc(w->texts, sizeof *grown * (size_t)job->text_count);
        if (grown == NULL)
            return cc_fail(err, CC_ERR_NOMEM, "out of memory");
        w->texts = grown;
        w->texts_capacity = job->text_count;
    }
    size_t at = 0;
    w->job = *job;
    w->job.name = keep(w->strings, &at, job->name);
    for (int t = 0; t < job->text_count; t++) {
        w->texts[t].key = keep(w->strings, &at, job->texts[t].key);
        w->texts[t].value = keep(w->strings, &at, job->texts[t].value);
    }
    w->job.texts = w->texts;
    return CC_OK;
}

cc_status cc_frame_writer_submit(cc_frame_writer *writer, const cc_frame_job *job, cc_error *err)
{
    pthread_mutex_lock(&writer->lock);
    int busy = writer->submitted;
    pthread_mutex_unlock(&writer->lock);
    if (busy)
        return cc_fail(err, CC_ERR_INTERNAL,
                       "frame %d was handed to the PNG writer before frame %d was collected",
                       job->frame, writer->job.frame);
    cc_status status = copy_job(writer, job, err);
    if (status != CC_OK)
        return status;
    pthread_mutex_lock(&writer->lock);
    writer->pixels = writer->buffers[writer->next];
    writer->next ^= 1;
    writer->submitted = 1;
    writer->done = 0;
    pthread_cond_broadcast(&writer->changed);
    pthread_mutex_unlock(&writer->lock);
    return CC_OK;
}

int cc_frame_writer_collect(cc_frame_writer *writer, cc_frame_result *result)
{
    pthread_mutex_lock(&writer->lock);
    int had = writer->submitted;
    while (writer->submitted && !writer->done)
        pthread_cond_wait(&writer->changed, &writer->lock);
    if (had) {
        *result = writer->result;
        writer->submitted = writer->done = 0;
    }
    pthread_mutex_unlock(&writer->lock);
    return had;
}
