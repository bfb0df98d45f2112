/* sweep.c - what an output folder holds, and what that allows (sweep.h). */
#include "cubecast/sweep.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cubecast/pngout.h"

/* manifest.json stays far below this even for a million frames. */
#define MANIFEST_MAX_BYTES ((size_t)1 << 30)

/* The folder's manifest, or *theirs NULL when it has none. */
static cc_status load_theirs(const char *folder, cc_manifest **theirs, cc_error *err)
{
    char path[8400];
    snprintf(path, sizeof path, "%s/manifest.json", folder);
    char *text;
    size_t length;
    *theirs = NULL;
    cc_status status = cc_read_small_file(path, MANIFEST_MAX_BYTES, &text, &length, err);
    if (status != CC_OK || text == NULL)
        return status;
    cc_error why;
    status = cc_manifest_parse(text, length, theirs, &why);
    free(text);
    if (status != CC_OK)
        return cc_fail(err, status == CC_ERR_NOMEM ? status : CC_ERR_USAGE,
                       "'%s' is not a manifest cubecast can read (%s); move it away or choose "
                       "another output folder",
                       path, why.message);
    return CC_OK;
}

static int holds_frames(const char *folder)
{
    DIR *listing = opendir(folder);
    if (listing == NULL)
        return 0;
    struct dirent *entry;
    int found = 0;
    while (!found && (entry = readdir(listing)) != NULL)
        found = cc_output_name(entry->d_name) && strncmp(entry->d_name, "frame_", 6) == 0;
    closedir(listing);
    return found;
}

/* The verdict on a folder, from its manifest (or its absence). */
static cc_status judge(const cc_render_options *options, const cc_manifest *ours,
                       const cc_manifest *theirs, cc_error *err)
{
    const char *folder = options->output;
    if (theirs == NULL) {
        if (options->resume || options->overwrite || !holds_frames(folder))
            return CC_OK;
        return cc_fail(err, CC_ERR_USAGE,
                       "'%s' holds frame files that no manifest describes; use --overwrite to "
                       "replace them, --resume to render only what is missing, or choose another "
                       "output folder",
                       folder);
    }
    char difference[400];
    if (options->overwrite || cc_manifest_same_sweep(ours, theirs, difference, sizeof difference))
        return CC_OK;
    if (options->resume)
        return cc_fail(err, CC_ERR_USAGE,
                       "cannot resume in '%s': it holds a sweep made with other parameters: %s",
                       folder, difference);
    return cc_fail(err, CC_ERR_USAGE,
                   "'%s' holds another sweep (%s); use --overwrite to replace it, or choose "
                   "another output folder",
                   folder, difference);
}

cc_status cc_sweep_precheck(const cc_render_options *options, const cc_manifest *ours,
                            cc_error *err)
{
    cc_manifest *theirs;
    cc_status status = load_theirs(options->output, &theirs, err);
    if (status == CC_OK)
        status = judge(options, ours, theirs, err);
    cc_manifest_destroy(theirs);
    return status;
}

/* --overwrite: the files the old manifest lists, then the manifest. */
static cc_status remove_old_sweep(cc_outdir *dir, const cc_manifest *theirs, cc_error *err)
{
    const cc_frame_record *records = cc_manifest_frames(theirs);
    cc_status status = CC_OK;
    for (size_t i = 0; status == CC_OK && i < cc_manifest_frame_count(theirs); i++) {
        char name[64];
        cc_frame_file_name(records[i].frame, name, sizeof name);
        status = cc_outdir_remove(dir, name, err);
    }
    const char *projection = cc_manifest_projection(theirs);
    if (status == CC_OK && projection != NULL)
        status = cc_outdir_remove(dir, projection, err);
    if (status == CC_OK)
        status = cc_outdir_remove(dir, "manifest.json", err);
    return status;
}

/* The same sweep: frames whose files still match their records are kept. */
static cc_status keep_finished(const cc_render_options *options, cc_outdir *dir,
                               const cc_manifest *theirs, cc_manifest *ours, char *done,
                               cc_error *err)
{
    const cc_frame_record *records = cc_manifest_frames(theirs);
    cc_status status = CC_OK;
    if (cc_manifest_projection(theirs) != NULL) /* replaced if this run writes one */
        cc_manifest_set_projection(ours, cc_manifest_projection(theirs));
    for (size_t i = 0; status == CC_OK && i < cc_manifest_frame_count(theirs); i++) {
        const cc_frame_record *record = &records[i];
        int in_range = record->frame >= options->range_begin && record->frame < options->range_end;
        if (record->frame >= options->frames || (in_range && !options->resume))
            continue; /* rendered again by this run */
        char name[64], path[8400];
        cc_frame_file_name(record->frame, name, sizeof name);
        cc_outdir_path(dir, name, path, sizeof path);
        cc_png_written found;
        if (!cc_file_checksum(path, &found) || found.bytes != record->bytes ||
            found.crc32 != record->crc32)
            continue;
        if (in_range)
            done[record->frame - options->range_begin] = 1;
        cc_frame_record kept = *record;
        kept.input = cc_render_options_input_of(options, record->frame);
        status = cc_manifest_add_frame(ours, &kept, err);
    }
    /* A series: what is known of its inputs' values, to compare with them
     * when they are read. */
    cc_manifest_adopt_series(ours, theirs);
    return status;
}

cc_status cc_sweep_settle(const cc_render_options *options, cc_outdir *dir, cc_manifest *ours,
                          char *done, cc_error *err)
{
    cc_manifest *theirs;
    cc_status status = load_theirs(options->output, &theirs, err);
    if (status == CC_OK)
        status = judge(options, ours, theirs, err);
    if (status == CC_OK && theirs != NULL && options->overwrite)
        status = remove_old_sweep(dir, theirs, err);
    else if (status == CC_OK && theirs != NULL)
        status = keep_finished(options, dir, theirs, ours, done, err);
    cc_manifest_destroy(theirs);
    return status;
}

/* 1 when frame's file in the folder has record's size and CRC. */
static int file_matches(cc_outdir *dir, const cc_frame_record *record)
{
    char name[64], path[8400];
    cc_frame_file_name(record->frame, name, sizeof name);
    cc_outdir_path(dir, name, path, sizeof path);
    cc_png_written found;
    return cc_file_checksum(path, &found) && found.bytes == record->bytes &&
           found.crc32 == record->crc32;
}

/* One of their records against ours: the folder keeps, per frame, the
 * record its file matches.  A record equal to ours needs no reading (we
 * checked or wrote that file); another is checked once, when adopted. */
static cc_status merge_record(const cc_render_options *options, cc_outdir *dir,
                              const cc_frame_record *their, cc_manifest *ours, cc_error *err)
{
    cc_frame_record mine;
    int have = cc_manifest_find_frame(ours, their->frame, &mine);
    if (their->frame >= options->frames ||
        (have && mine.bytes == their->bytes && mine.crc32 == their->crc32))
        return CC_OK;
    if (file_matches(dir, their)) {
        cc_frame_record kept = *their;
        kept.input = cc_render_options_input_of(options, their->frame);
        return cc_manifest_add_frame(ours, &kept, err);
    }
    /* Two runs rendered the frame and theirs is not the file on disk: ours
     * stays if it is, else the run whose file it is will record it. */
    if (have && !file_matches(dir, &mine))
        cc_manifest_remove_frame(ours, their->frame);
    return CC_OK;
}

cc_status cc_sweep_merge(const cc_render_options *options, cc_outdir *dir, cc_manifest *ours,
                         cc_error *err)
{
    cc_manifest *theirs;
    cc_status status = load_theirs(options->output, &theirs, err);
    if (status != CC_OK || theirs == NULL)
        return status;
    char difference[400];
    if (!cc_manifest_same_sweep(ours, theirs, difference, sizeof difference))
        status = cc_fail(err, CC_ERR_USAGE,
                         "'%s' now holds another sweep (%s): it was replaced while this run "
                         "wrote it",
                         options->output, difference);
    const cc_frame_record *records = cc_manifest_frames(theirs);
    for (size_t i = 0; status == CC_OK && i < cc_manifest_frame_count(theirs); i++)
        status = merge_record(options, dir, &records[i], ours, err);
    if (status == CC_OK && cc_manifest_projection(ours) == NULL &&
        cc_manifest_projection(theirs) != NULL)
        cc_manifest_set_projection(ours, cc_manifest_projection(theirs));
    if (status == CC_OK)
        cc_manifest_adopt_series(ours, theirs);
    cc_manifest_destroy(theirs);
    return status;
}

void cc_sweep_unclaim(const cc_render_options *options, cc_outdir *dir)
{
    cc_manifest *theirs = NULL;
    cc_error ignored;
    if (cc_outdir_lock_manifest(dir, &ignored) != CC_OK)
        return;
    if (cc_outdir_alone(dir) && load_theirs(options->output, &theirs, &ignored) == CC_OK &&
        theirs != NULL && cc_manifest_frame_count(theirs) == 0 &&
        cc_manifest_projection(theirs) == NULL)
        cc_outdir_remove(dir, "manifest.json", &ignored);
    cc_manifest_destroy(theirs);
    cc_outdir_unlock_manifest(dir);
}
