/* test_writer.c - the PNG writer thread (writer.h): jobs come back in
 * order with the bytes a direct encode gives, each file is on disk when
 * its result is collected, a failing write reports its error and the next
 * job still works, and destroy finishes a job in flight. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cubecast/outdir.h"
#include "cubecast/pngout.h"
#include "cubecast/writer.h"

enum { SIZE = 96, CHANNELS = 3, BYTES = SIZE * SIZE * CHANNELS };

static char folder[256];

/* Noise, so that the encoder has work to do; a different image per seed. */
static void fill(unsigned char *pixels, size_t bytes, unsigned seed)
{
    unsigned state = seed * 2654435761u + 1u;
    for (size_t i = 0; i < bytes; i++) {
        state = state * 1103515245u + 12345u;
        pixels[i] = (unsigned char)(state >> 16);
    }
}

/* The whole file, or NULL (size in *size). */
static unsigned char *slurp(const char *name, size_t *size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", folder, name);
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    unsigned char *data = malloc(1 << 22);
    *size = data != NULL ? fread(data, 1, 1 << 22, file) : 0;
    fclose(file);
    return data;
}

/* The file's bytes equal expected's and the result describes them. */
static void check_file(const char *name, const cc_png_buffer *expected,
                       const cc_frame_result *result)
{
    size_t size = 0;
    unsigned char *data = slurp(name, &size);
    CHECK(data != NULL);
    CHECK_INT(size, expected->size);
    CHECK(data != NULL && size == expected->size && memcmp(data, expected->data, size) == 0);
    CHECK_INT(result->bytes, expected->size);
    CHECK_INT(result->crc32, cc_crc32(expected->data, expected->size));
    free(data);
}

static cc_frame_job job_of(cc_outdir *dir, int frame, const char *name, const cc_png_text *texts,
                           int text_count)
{
    cc_frame_job job = {frame, name, dir, SIZE, SIZE, 8, CHANNELS, texts, text_count};
    return job;
}

/* Frames 0..4, each submitted while the one before is still in flight:
 * its pixels are filled first, then the one before is collected. */
static void check_in_order(cc_outdir *dir)
{
    cc_frame_writer *writer = NULL;
    cc_error err;
    CHECK_INT(cc_frame_writer_create(BYTES, &writer, &err), CC_OK);
    if (writer == NULL)
        return;
    cc_frame_result result;
    CHECK_INT(cc_frame_writer_collect(writer, &result), 0); /* nothing submitted */
    cc_png_buffer expected[5] = {{0}};
    void *previous = NULL;
    for (int frame = 0; frame <= 5; frame++) {
        if (frame < 5) {
            void *pixels = cc_frame_writer_pixels(writer);
            CHECK(pixels != previous); /* never the buffer in flight */
            previous = pixels;
            fill(pixels, BYTES, (unsigned)frame);
            /* The texts live on this stack only until submit returns. */
            char angle[32], name[64];
            snprintf(angle, sizeof angle, "%d.5", frame);
            cc_frame_file_name(frame, name, sizeof name);
            cc_png_text texts[] = {{"frame", "x"}, {"angle", angle}};
            CHECK_INT(
                cc_png_encode(SIZE, SIZE, 8, CHANNELS, pixels, texts, 2, &expected[frame], &err),
                CC_OK);
            if (frame > 0) { /* the one before, then this one */
                CHECK_INT(cc_frame_writer_collect(writer, &result), 1);
                CHECK_INT(result.frame, frame - 1);
                CHECK_INT(result.status, CC_OK);
                char before[64];
                cc_frame_file_name(frame - 1, before, sizeof before);
                check_file(before, &expected[frame - 1], &result);
                CHECK(result.encode_seconds >= 0.0 && result.write_seconds >= 0.0);
            }
            cc_frame_job job = job_of(dir, frame, name, texts, 2);
            CHECK_INT(cc_frame_writer_submit(writer, &job, &err), CC_OK);
            memset(angle, '?', sizeof angle - 1);
            memset(name, 0, sizeof name);
        } else {
            CHECK_INT(cc_frame_writer_collect(writer, &result), 1);
            CHECK_INT(result.frame, 4);
            check_file("frame_00004.png", &expected[4], &result);
        }
    }
    CHECK_INT(cc_frame_writer_collect(writer, &result), 0);
    for (int frame = 0; frame < 5; frame++)
        cc_png_buffer_free(&expected[frame]);
    cc_frame_writer_destroy(writer);
}

/* A write that fails is reported at collection, with its message; a
 * second submit before collecting is refused; the next job works. */
static void check_failure(cc_outdir *dir)
{
    cc_frame_writer *writer = NULL;
    cc_error err;
    CHECK_INT(cc_frame_writer_create(BYTES, &writer, &err), CC_OK);
    if (writer == NULL)
        return;
    fill(cc_frame_writer_pixels(writer), BYTES, 7);
    cc_frame_job bad = job_of(dir, 7, "no-such-folder/frame_00007.png", NULL, 0);
    CHECK_INT(cc_frame_writer_submit(writer, &bad, &err), CC_OK);
    cc_frame_job early = job_of(dir, 8, "frame_00008.png", NULL, 0);
    CHECK_INT(cc_frame_writer_submit(writer, &early, &err), CC_ERR_INTERNAL);
    cc_frame_result result;
    CHECK_INT(cc_frame_writer_collect(writer, &result), 1);
    CHECK_INT(result.frame, 7);
    CHECK_INT(result.status, CC_ERR_OUTPUT);
    CHECK(strstr(result.error.message, "no-such-folder/frame_00007.png") != NULL);
    CHECK_INT(result.bytes, 0);
    void *pixels = cc_frame_writer_pixels(writer);
    fill(pixels, BYTES, 8);
    cc_png_buffer expected = {0};
    CHECK_INT(cc_png_encode(SIZE, SIZE, 8, CHANNELS, pixels, NULL, 0, &expected, &err), CC_OK);
    CHECK_INT(cc_frame_writer_submit(writer, &early, &err), CC_OK);
    CHECK_INT(cc_frame_writer_collect(writer, &result), 1);
    CHECK_INT(result.status, CC_OK);
    check_file("frame_00008.png", &expected, &result);
    cc_png_buffer_free(&expected);
    cc_frame_writer_destroy(writer);
}

/* destroy right after submit: the file is written, whole. */
static void check_destroy_in_flight(cc_outdir *dir)
{
    enum { BIG = 512, BIG_BYTES = BIG * BIG * 4 * 2 };
    cc_frame_writer *writer = NULL;
    cc_error err;
    CHECK_INT(cc_frame_writer_create(BIG_BYTES, &writer, &err), CC_OK);
    if (writer == NULL)
        return;
    void *pixels = cc_frame_writer_pixels(writer);
    fill(pixels, BIG_BYTES, 9);
    cc_png_buffer expected = {0};
    CHECK_INT(cc_png_encode(BIG, BIG, 16, 4, pixels, NULL, 0, &expected, &err), CC_OK);
    cc_frame_job job = {9, "frame_00009.png", dir, BIG, BIG, 16, 4, NULL, 0};
    CHECK_INT(cc_frame_writer_submit(writer, &job, &err), CC_OK);
    cc_frame_writer_destroy(writer);
    cc_frame_result result = {.bytes = expected.size};
    result.crc32 = cc_crc32(expected.data, expected.size);
    check_file("frame_00009.png", &expected, &result);
    cc_png_buffer_free(&expected);
    cc_frame_writer_destroy(NULL);
}

int main(void)
{
    snprintf(folder, sizeof folder, "/tmp/cubecast-test-writer-XXXXXX");
    REQUIRE(mkdtemp(folder) != NULL);
    cc_outdir *dir = NULL;
    cc_error err;
    REQUIRE(cc_outdir_open(folder, NULL, 0, &dir, &err) == CC_OK);
    check_in_order(dir);
    check_failure(dir);
    check_destroy_in_flight(dir);
    char command[512];
    snprintf(command, sizeof command, "rm -rf '%s'", folder);
    cc_outdir_close(dir);
    CHECK_INT(system(command), 0);
    return check_result("test_writer");
}
