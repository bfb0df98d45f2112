/* tf_file.h - reading a transfer function from a file.
 *
 * Two formats (design.md section 5):
 *   - cubecast's band JSON: {"cubecast_transfer_function": 1, "scale":
 *     "log"|"linear", "bands": [{"centre": C, "width": W, "rgba": [r, g,
 *     b, a]}, ...]};
 *   - ParaView's colour/opacity preset export: a JSON array whose first
 *     object has "RGBPoints" [x, r, g, b, ...], optionally "Points" [x,
 *     alpha, midpoint, sharpness, ...], "UseLogScale", "ColorSpace".
 * A file is read once, by one rank, and checked whole: anything malformed
 * or unsupported is one error (CC_ERR_USAGE) naming the file and what is
 * wrong. */
#ifndef CUBECAST_TF_FILE_H
#define CUBECAST_TF_FILE_H

#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include "cubecast/error.h"
#include "cubecast/histogram.h"
#include "cubecast/options.h"
#include "cubecast/transfer.h"

/* What the file held, for the manifest and the PNG text chunks. */
typedef struct cc_tf_source {
    char format[32];      /* "original", "cubecast bands", "ParaView" or "auto" */
    uint32_t crc32;       /* of the file's bytes */
    double span[2];       /* ParaView: the RGB points' x span as written */
    int has_data_range;   /* the values the function was fitted to: */
    double data_range[2]; /* --data-range as given, or its percentiles resolved */
    int automatic;        /* --tf auto */
    char colormap[40];    /* --tf auto: the colour map of its bands */
} cc_tf_source;

/* Reads path into *tf.  scale: CC_SCALE_AUTO keeps the file's own (a band
 * file's "scale", ParaView's UseLogScale); for band files --scale
 * overrides it.  range (may be NULL): ParaView files map their points'
 * span onto it (in log10 under UseLogScale).  A band file equal to section
 * 1's, on a log scale, is CC_TF_ORIGINAL, so it renders bit for bit as the
 * default. */
cc_status cc_tf_read(const char *path, cc_scale scale, const double range[2], cc_tf *tf,
                     cc_tf_source *source, cc_error *err);

/* The same from text in memory (what cc_tf_read does after reading). */
cc_status cc_tf_parse(const char *text, size_t length, const char *name, cc_scale scale,
                      const double range[2], cc_tf *tf, cc_tf_source *source, cc_error *err);

/* The transfer function a render run asks for: --tf FILE (or section 1's
 * bands), --scale, an explicit --data-range A:B, and --opacity-unit L
 * (opacity_exponent = delta / L, delta = N / (N - 1) the spacing of the
 * depth samples).  Percentile ranges and --tf auto need the data and are
 * not handled here. */
cc_status cc_tf_build(const cc_render_options *options, cc_tf *tf, cc_tf_source *source,
                      cc_error *err);

/* Whether cc_tf_finish must see the data first (--tf auto, pLO:pHI). */
#define CC_TF_NEEDS_DATA(options)                                                                  \
    ((options)->data_range.percentile ||                                                           \
     ((options)->tf != NULL && strcmp((options)->tf, "auto") == 0))

/* Once the input is read: --tf auto fitted to histogram (tf_auto.h), or a
 * ParaView file's percentile range resolved and the file read with it.
 * tf and source are what cc_tf_build made; nothing to do otherwise. */
cc_status cc_tf_finish(const cc_render_options *options, const cc_histogram *histogram,
                       double chord, cc_tf *tf, cc_tf_source *source, cc_error *err);

/* One line saying which function drew the frames (the PNG text chunk
 * "transfer_function"), e.g. "ParaView file 'cool.json' (crc32 1a2b3c4d),
 * log10 scale, data range 0.1:1000, opacity unit 2". */
void cc_tf_describe(const cc_tf *tf, const cc_tf_source *source, const char *file,
                    double opacity_unit, char *out, size_t out_size);

#endif
