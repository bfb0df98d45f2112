/* manifest.h - manifest.json: which sweep a folder holds and what is done.
 *
 * The parameters that decide what the frames look like, the identity of the
 * input's content (shape, type and a checksum of its values, so a resume
 * against other data is caught whatever path names it) and, per finished
 * frame, its angle, file, size and CRC-32.  Rank 0 owns the manifest and
 * rewrites it atomically as frames complete, so after a kill it lists
 * exactly frames that were finished; --resume trusts a frame only if its
 * file still has the recorded size and CRC. */
#ifndef CUBECAST_MANIFEST_H
#define CUBECAST_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "cubecast/error.h"
#include "cubecast/options.h"
#include "cubecast/tf_file.h"

typedef struct cc_frame_record {
    int frame;
    double angle_deg;
    unsigned long long bytes;
    uint32_t crc32;
    int rank;       /* who rendered it */
    int input;      /* which input of a series (0 for one input) */
    double seconds; /* from its render's start until its PNG was on disk */
} cc_frame_record;

/* What the frames were made from. */
typedef struct cc_input_identity {
    long shape[3];
    const char *type_name; /* "float32", "int16", ... */
    uint32_t checksum;     /* of the values as rendered (volume.h) */
    int has_checksum;      /* 0 before the values are read */
} cc_input_identity;

typedef struct cc_manifest cc_manifest;

/* options->spacing must be the spacing the frames are drawn with (--spacing
 * auto already read): the manifest records it with the rest of the camera. */
cc_status cc_manifest_create(const cc_render_options *options, const cc_input_identity *input,
                             cc_manifest **out, cc_error *err);

/* Parses an earlier run's manifest.json text.  Anything malformed is
 * CC_ERR_USAGE with what is wrong. */
cc_status cc_manifest_parse(const char *text, size_t length, cc_manifest **out, cc_error *err);

void cc_manifest_destroy(cc_manifest *manifest);

/* 1 when theirs describes the same sweep as ours (every parameter equal;
 * the checksums too when both have one).  Otherwise 0, and difference
 * gets the first parameter that differs with both values, e.g.
 * "--size is 22 here but 20 there". */
int cc_manifest_same_sweep(const cc_manifest *ours, const cc_manifest *theirs, char *difference,
                           size_t difference_size);

/* The frame records of a parsed manifest, in increasing frame order. */
size_t cc_manifest_frame_count(const cc_manifest *manifest);
const cc_frame_record *cc_manifest_frames(const cc_manifest *manifest);

/* The projection file a manifest lists, or NULL. */
const char *cc_manifest_projection(const cc_manifest *manifest);

/* Records the transfer function the frames were drawn with (file is the
 * --tf argument or NULL), so that a resume must use the same one and a
 * frame can be reproduced.  tf NULL: not known yet (--tf auto before the
 * data are read), and so not compared. */
void cc_manifest_set_look(cc_manifest *manifest, const cc_tf *tf, const cc_tf_source *source,
                          const char *file, double opacity_unit);

/* Sets the input's checksum once it is known. */
void cc_manifest_set_checksum(cc_manifest *manifest, uint32_t checksum);

/* A snapshot series: records input's checksum once it is read. */
void cc_manifest_set_series_checksum(cc_manifest *manifest, int input, uint32_t checksum);

/* A snapshot series, for --profile: how long rank 0 took to read its part
 * of input, and whether that was in the background. */
void cc_manifest_set_series_read(cc_manifest *manifest, int input, double seconds, int background);

/* 1 with what cc_manifest_set_series_read recorded for input, else 0. */
int cc_manifest_series_read(const cc_manifest *manifest, int input, double *seconds,
                            int *background);

/* 1 and *checksum when the manifest knows input's checksum, else 0. */
int cc_manifest_series_checksum(const cc_manifest *manifest, int input, uint32_t *checksum);

/* A resume of the same sweep: takes theirs' checksums of inputs that ours
 * does not know yet (inputs this run may not read). */
void cc_manifest_adopt_series(cc_manifest *ours, const cc_manifest *theirs);

/* Records a completed frame (replacing an earlier record of it). */
cc_status cc_manifest_add_frame(cc_manifest *manifest, const cc_frame_record *record,
                                cc_error *err);

/* 1 and *record (its input left 0) when the manifest records frame. */
int cc_manifest_find_frame(const cc_manifest *manifest, int frame, cc_frame_record *record);

/* Forgets frame's record, if any. */
void cc_manifest_remove_frame(cc_manifest *manifest, int frame);

/* Records what rendered on every rank ("devices": ["cpu", "cuda:0 ..."]),
 * names[rank * stride] each a string.  For people and --profile only: the
 * same frames come out of every device, so a resume does not compare it. */
void cc_manifest_set_devices(cc_manifest *manifest, const char *names, size_t stride, int ranks);

/* Records the projection file. */
void cc_manifest_set_projection(cc_manifest *manifest, const char *file);

/* Attaches the profile (a JSON object as text, see profile.h). */
cc_status cc_manifest_set_profile(cc_manifest *manifest, const char *profile_json, cc_error *err);

/* The manifest as text: malloc'd, ends with a newline, not NUL-terminated. */
cc_status cc_manifest_dump(const cc_manifest *manifest, char **text, size_t *length, cc_error *err);

#endif
