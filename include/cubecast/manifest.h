/* manifest.h - manifest.json: what a run was asked to do and what it made.
 *
 * Parameters of the run and, per frame, its angle, file, size and CRC-32.
 * Rank 0 owns the manifest and rewrites it atomically as frames complete, so
 * after a kill it lists exactly the frames that were finished; --resume
 * trusts a frame only if its file still has the recorded size and CRC. */
#ifndef CUBECAST_MANIFEST_H
#define CUBECAST_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "cubecast/error.h"
#include "cubecast/options.h"

typedef struct cc_frame_record {
    int frame;
    double angle_deg;
    unsigned long long bytes;
    uint32_t crc32;
    int rank;       /* who rendered it */
    double seconds; /* render + encode + write */
} cc_frame_record;

typedef struct cc_manifest cc_manifest;

cc_status cc_manifest_create(const cc_render_options *options, const long shape[3],
                             cc_manifest **out, cc_error *err);
void cc_manifest_destroy(cc_manifest *manifest);

/* Records a completed frame (replacing an earlier record of it). */
cc_status cc_manifest_add_frame(cc_manifest *manifest, const cc_frame_record *record,
                                cc_error *err);

/* Records the projection file. */
void cc_manifest_set_projection(cc_manifest *manifest, const char *file);

/* Attaches the profile (a JSON object as text, see profile.h). */
cc_status cc_manifest_set_profile(cc_manifest *manifest, const char *profile_json, cc_error *err);

/* Writes folder/manifest.json atomically. */
cc_status cc_manifest_write(const cc_manifest *manifest, const char *folder, cc_error *err);

/* Loads the frame records of folder/manifest.json from an earlier run with
 * the same parameters.  *records gets a malloc'd array (caller frees).
 * A missing manifest gives 0 records; a manifest made with other parameters
 * is an error (CC_ERR_USAGE) that names the difference. */
cc_status cc_manifest_load_frames(const cc_render_options *options, const long shape[3],
                                  const char *folder, cc_frame_record **records, size_t *count,
                                  cc_error *err);

/* "frame_%05d.png" of frame. */
void cc_frame_file_name(int frame, char *out, size_t out_size);

#endif
