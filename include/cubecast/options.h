/* options.h - what a render run is asked to do.
 *
 * Filled by the command line (src/cli) and read by the driver.  Everything
 * here is validated by cc_render_options_check before any file is touched,
 * so a bad option never leaves output behind. */
#ifndef CUBECAST_OPTIONS_H
#define CUBECAST_OPTIONS_H

#include "cubecast/error.h"
#include "cubecast/precision.h"

typedef enum cc_decomp {
    CC_DECOMP_FRAMES = 0,
    CC_DECOMP_ROWS,
    CC_DECOMP_BRICKS,
    CC_DECOMP_AUTO
} cc_decomp;
typedef enum cc_composite { CC_COMPOSITE_ROOT = 0, CC_COMPOSITE_SWAP } cc_composite;

typedef struct cc_render_options {
    const char *input;
    const char *dataset;    /* "density" */
    const char *output;     /* "out" */
    int frames;             /* F = 10 */
    int size;               /* N = 180 */
    double start_deg;       /* 0 */
    double sweep_deg;       /* 90 */
    cc_precision precision; /* single */
    int range_begin;        /* first frame rendered (0) */
    int range_end;          /* one past the last (F) */
    int projection;         /* write projection.png (1) */
    const char *raw;        /* --raw FILE.h5 or NULL */
    int quiet;
    int resume;
    int overwrite; /* replace another sweep's files (those its manifest lists) */
    int profile;
    cc_decomp decomp;
    cc_composite composite;
} cc_render_options;

/* The defaults of the original script. */
cc_render_options cc_render_options_default(void);

/* Rejects absurd values (sizes, frame counts, ranges) with a clear message. */
cc_status cc_render_options_check(const cc_render_options *options, cc_error *err);

#endif
