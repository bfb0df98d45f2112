/* fuzz_manifest.c - libFuzzer harness for the manifest reader (src/manifest.c).
 *
 * The input is the text of a manifest.json, as --resume and --overwrite
 * read it from an output folder that anything may have written.  It goes
 * to cc_manifest_parse; besides crashes and sanitizer reports (leaks
 * included), the harness aborts when the reader breaks what it promises
 * (manifest.h, outdir.h):
 *   - a failure is CC_ERR_USAGE (or CC_ERR_NOMEM) with a message;
 *   - the frame records come in increasing frame order, each one a frame
 *     number cubecast can name (0 <= frame < 10^6), so the files that
 *     --overwrite removes are frame files, and the projection is NULL or a
 *     name that cc_output_name accepts (no path: nothing outside the folder);
 *   - cc_manifest_same_sweep against a run's own manifest answers 1, or 0
 *     with a terminated difference that fits its buffer;
 *   - cc_manifest_dump of an accepted manifest parses again to the same
 *     records and projection, and dumps to the same text. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cubecast/manifest.h"
#include "cubecast/outdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_INPUT_BYTES = 1 << 20 };

static void fail(const char *message)
{
    fprintf(stderr, "fuzz_manifest: broken invariant: %s\n", message);
    abort();
}

/* The manifest a run makes with the seed corpus's parameters
 * (corpus/manifest/real-*: cube.h5, 8^3 float32, 3 frames of 8 x 8). */
static cc_manifest *our_manifest(void)
{
    cc_render_options options = cc_render_options_default();
    options.input = "cube.h5";
    options.frames = 3;
    options.size = 8;
    options.range_end = 3;
    cc_input_identity input = {{8, 8, 8}, "float32", 0, 0}; /* checksum not known yet */
    cc_manifest *ours = NULL;
    cc_error err = {0};
    if (cc_manifest_create(&options, &input, &ours, &err) != CC_OK)
        fail(err.message);
    return ours;
}

static void check_parse_failure(cc_status status, const cc_error *err)
{
    if (status != CC_ERR_USAGE && status != CC_ERR_NOMEM)
        fail("a rejected manifest is neither CC_ERR_USAGE nor CC_ERR_NOMEM");
    if (err->status != status)
        fail("the error record does not hold the returned status");
    size_t length = strnlen(err->message, sizeof err->message);
    if (length == 0 || length == sizeof err->message)
        fail("a rejected manifest has an empty or unterminated message");
}

static void check_records(const cc_manifest *manifest)
{
    size_t count = cc_manifest_frame_count(manifest);
    const cc_frame_record *records = cc_manifest_frames(manifest);
    if (count > 0 && records == NULL)
        fail("frame records missing");
    for (size_t i = 0; i < count; i++) {
        if (records[i].frame < 0 || records[i].frame >= 1000000)
            fail("a frame number out of range");
        if (i > 0 && records[i].frame <= records[i - 1].frame)
            fail("frame records not in increasing frame order");
    }
    const char *projection = cc_manifest_projection(manifest);
    if (projection != NULL && (!cc_output_name(projection) || strchr(projection, '/') != NULL))
        fail("the projection is not a projection file name");
}

static void check_same_sweep(const cc_manifest *ours, const cc_manifest *theirs)
{
    /* A short buffer, with a canary after it, to test the truncation. */
    char difference[48 + 8];
    memset(difference, 'X', sizeof difference);
    int same = cc_manifest_same_sweep(ours, theirs, difference, 48);
    if (memcmp(difference + 48, "XXXXXXXX", 8) != 0)
        fail("cc_manifest_same_sweep wrote past its buffer");
    if (same != 0 && same != 1)
        fail("cc_manifest_same_sweep answered neither 0 nor 1");
    if (!same && memchr(difference, '\0', 48) == NULL)
        fail("cc_manifest_same_sweep left the difference unterminated");
}

static int same_record(const cc_frame_record *a, const cc_frame_record *b)
{
    return a->frame == b->frame && a->bytes == b->bytes && a->crc32 == b->crc32 &&
           a->rank == b->rank && memcmp(&a->angle_deg, &b->angle_deg, sizeof(double)) == 0 &&
           memcmp(&a->seconds, &b->seconds, sizeof(double)) == 0;
}

static void check_round_trip(const cc_manifest *manifest)
{
    char *text = NULL, *text2 = NULL;
    size_t length = 0, length2 = 0;
    cc_error err = {0};
    if (cc_manifest_dump(manifest, &text, &length, &err) != CC_OK)
        fail("cannot dump an accepted manifest");
    cc_manifest *again = NULL;
    if (cc_manifest_parse(text, length, &again, &err) != CC_OK) {
        fprintf(stderr, "fuzz_manifest: %s\n", err.message);
        fail("the dump of an accepted manifest is rejected");
    }
    size_t count = cc_manifest_frame_count(manifest);
    if (cc_manifest_frame_count(again) != count)
        fail("the round trip changed the number of frames");
    for (size_t i = 0; i < count; i++)
        if (!same_record(&cc_manifest_frames(manifest)[i], &cc_manifest_frames(again)[i]))
            fail("the round trip changed a frame record");
    const char *p = cc_manifest_projection(manifest), *p2 = cc_manifest_projection(again);
    if ((p == NULL) != (p2 == NULL) || (p != NULL && strcmp(p, p2) != 0))
        fail("the round trip changed the projection");
    if (cc_manifest_dump(again, &text2, &length2, &err) != CC_OK)
        fail("cannot dump a reparsed manifest");
    if (length != length2 || memcmp(text, text2, length) != 0)
        fail("dump, parse, dump is not stable");
    free(text);
    free(text2);
    cc_manifest_destroy(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cc_manifest *ours;
    if (size > MAX_INPUT_BYTES)
        return 0;
    if (ours == NULL)
        ours = our_manifest();
    /* An exact-size copy, so that a read past the end is seen. */
    char *text = malloc(size > 0 ? size : 1);
    if (text == NULL)
        abort();
    if (size > 0)
        memcpy(text, data, size);

    cc_manifest *manifest = NULL;
    cc_error err = {0};
    cc_status status = cc_manifest_parse(text, size, &manifest, &err);
    free(text);
    if (status != CC_OK) {
        check_parse_failure(status, &err);
        return 0;
    }
    check_records(manifest);
    check_same_sweep(ours, manifest);
    check_same_sweep(manifest, ours);
    check_round_trip(manifest);
    cc_manifest_destroy(manifest);
    return 0;
}
