/* manifest.c - manifest.json through jansson (manifest.h). */
#include "cubecast/manifest.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cubecast/atomic_file.h"
#include "cubecast/version.h"

struct cc_manifest {
    json_t *root;
    json_t *frames; /* object keyed by frame file name, kept sorted on output */
};

void cc_frame_file_name(int frame, char *out, size_t out_size)
{
    snprintf(out, out_size, "frame_%05d.png", frame);
}

/* The parameters that decide what a frame looks like; resume compares them. */
static json_t *parameters(const cc_render_options *options, const long shape[3])
{
    return json_pack("{s:s, s:s, s:[I,I,I], s:i, s:i, s:f, s:f, s:s}", "input", options->input,
                     "dataset", options->dataset, "shape", (json_int_t)shape[0],
                     (json_int_t)shape[1], (json_int_t)shape[2], "frames", options->frames, "size",
                     options->size, "start_deg", options->start_deg, "sweep_deg",
                     options->sweep_deg, "precision", cc_precision_name(options->precision));
}

cc_status cc_manifest_create(const cc_render_options *options, const long shape[3],
                             cc_manifest **out, cc_error *err)
{
    cc_manifest *manifest = calloc(1, sizeof *manifest);
    if (manifest == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    manifest->root =
        json_pack("{s:s, s:o, s:[i,i], s:n, s:{}}", "software", "cubecast " CC_VERSION_STRING,
                  "parameters", parameters(options, shape), "range", options->range_begin,
                  options->range_end, "projection", "frames");
    if (manifest->root == NULL) {
        free(manifest);
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    }
    manifest->frames = json_object_get(manifest->root, "frames");
    *out = manifest;
    return CC_OK;
}

void cc_manifest_destroy(cc_manifest *manifest)
{
    if (manifest == NULL)
        return;
    json_decref(manifest->root);
    free(manifest);
}

cc_status cc_manifest_add_frame(cc_manifest *manifest, const cc_frame_record *record, cc_error *err)
{
    char file[64];
    cc_frame_file_name(record->frame, file, sizeof file);
    json_t *entry =
        json_pack("{s:i, s:f, s:s, s:I, s:I, s:i, s:f}", "frame", record->frame, "angle_deg",
                  record->angle_deg, "file", file, "bytes", (json_int_t)record->bytes, "crc32",
                  (json_int_t)record->crc32, "rank", record->rank, "seconds", record->seconds);
    if (entry == NULL || json_object_set_new(manifest->frames, file, entry) != 0)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    return CC_OK;
}

void cc_manifest_set_projection(cc_manifest *manifest, const char *file)
{
    json_object_set_new(manifest->root, "projection", json_string(file));
}

cc_status cc_manifest_set_profile(cc_manifest *manifest, const char *profile_json, cc_error *err)
{
    json_error_t problem;
    json_t *profile = json_loads(profile_json, 0, &problem);
    if (profile == NULL)
        return cc_fail(err, CC_ERR_INTERNAL, "bad profile JSON: %s", problem.text);
    json_object_set_new(manifest->root, "profile", profile);
    return CC_OK;
}

static void manifest_path(const char *folder, char *out, size_t out_size)
{
    snprintf(out, out_size, "%s/manifest.json", folder);
}

cc_status cc_manifest_write(const cc_manifest *manifest, const char *folder, cc_error *err)
{
    char path[4200];
    manifest_path(folder, path, sizeof path);
    char *text =
        json_dumps(manifest->root, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    if (text == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    size_t length = strlen(text);
    text[length] = '\n'; /* replaces the terminator; the length is passed */
    cc_status status = cc_atomic_write(path, text, length + 1, err);
    free(text);
    return status;
}

static cc_status read_record(json_t *entry, cc_frame_record *record, cc_error *err)
{
    json_int_t bytes = 0, crc = 0;
    if (json_unpack(entry, "{s:i, s:F, s:I, s:I, s?i, s?F}", "frame", &record->frame, "angle_deg",
                    &record->angle_deg, "bytes", &bytes, "crc32", &crc, "rank", &record->rank,
                    "seconds", &record->seconds) != 0)
        return cc_fail(err, CC_ERR_USAGE, "manifest frame entry is malformed");
    record->bytes = (unsigned long long)bytes;
    record->crc32 = (uint32_t)crc;
    return CC_OK;
}

cc_status cc_manifest_load_frames(const cc_render_options *options, const long shape[3],
                                  const char *folder, cc_frame_record **records, size_t *count,
                                  cc_error *err)
{
    char path[4200];
    manifest_path(folder, path, sizeof path);
    *records = NULL;
    *count = 0;
    json_error_t problem;
    json_t *root = json_load_file(path, 0, &problem);
    if (root == NULL) {
        FILE *probe = fopen(path, "r");
        if (probe == NULL && errno == ENOENT)
            return CC_OK;
        if (probe != NULL)
            fclose(probe);
        return cc_fail(err, CC_ERR_USAGE, "cannot resume: '%s' is not a readable manifest (%s)",
                       path, problem.text);
    }
    json_t *expected = parameters(options, shape);
    int same = json_equal(json_object_get(root, "parameters"), expected);
    json_decref(expected);
    cc_status status = CC_OK;
    json_t *frames = json_object_get(root, "frames");
    if (!same)
        status = cc_fail(err, CC_ERR_USAGE,
                         "cannot resume in '%s': its manifest was made with other parameters "
                         "(input, dataset, shape, frames, size, angles or precision differ)",
                         folder);
    else if (!json_is_object(frames))
        status = cc_fail(err, CC_ERR_USAGE, "cannot resume: '%s' lists no frames", path);
    if (status == CC_OK && json_object_size(frames) > 0) {
        *records = calloc(json_object_size(frames), sizeof **records);
        if (*records == NULL)
            status = cc_fail(err, CC_ERR_NOMEM, "out of memory");
        const char *key;
        json_t *entry;
        json_object_foreach(frames, key, entry)
        {
            if (status != CC_OK)
                break;
            status = read_record(entry, &(*records)[*count], err);
            if (status == CC_OK)
                (*count)++;
        }
    }
    json_decref(root);
    if (status != CC_OK) {
        free(*records);
        *records = NULL;
        *count = 0;
    }
    return status;
}
