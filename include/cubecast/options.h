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

/* What renders (backend.h): AUTO is a CUDA device where the rank sees a
 * usable one, else the CPU; the frames are the same either way. */
typedef enum cc_device { CC_DEVICE_AUTO = 0, CC_DEVICE_CPU, CC_DEVICE_CUDA } cc_device;

/* How values become the transfer function's scalar s (design.md section 5):
 * ln(value) or the value itself; AUTO: the transfer function's own choice
 * (a band file's "scale", ParaView's UseLogScale, --tf auto's rule, or log
 * for the original's bands). */
typedef enum cc_scale { CC_SCALE_AUTO = 0, CC_SCALE_LOG, CC_SCALE_LINEAR } cc_scale;

/* A range A:B of values, or pLO:pHI of percentiles (0..100) of the data. */
typedef struct cc_value_range {
    int given;      /* 0: not given (the default applies) */
    int percentile; /* lo and hi are percentiles */
    int automatic;  /* "auto" (--projection-range) */
    double lo, hi;
} cc_value_range;

/* The most frames a sweep may have. */
enum { CC_MAX_FRAMES = 1000000 };

typedef struct cc_render_options {
    const char *input; /* inputs[0] */
    /* A snapshot series (design.md section 5): frame f renders
     * inputs[f / frames_per_input]; F = input_count * frames_per_input.
     * Left 0 / NULL, the one input is `input` (use the accessors below). */
    const char *const *inputs;
    int input_count;
    int frames_per_input;
    const char *inputs_list; /* --inputs LIST */
    char **input_storage;    /* its paths (cc_render_options_release) */
    const char *dataset;     /* --dataset, else "density" until the driver chooses */
    int dataset_given;       /* --dataset was given: no choosing */
    long index;              /* --index T: volume T of a 4D dataset; -1: none */
    int index_axis;          /* --index-axis: the 4D dataset's axis, 0 (first) or 3 (last) */
    const char *output;      /* "out" */
    int frames;              /* F = 10 */
    int size;                /* N = 180 */
    double start_deg;        /* 0 */
    double sweep_deg;        /* 90 */
    cc_precision precision;  /* single */
    int range_begin;         /* first frame rendered (0) */
    int range_end;           /* one past the last (F) */
    int projection;          /* write projection.png (1) */
    int projection_size;     /* --projection-size N; 0: the original's Ny x Nz */
    const char *raw;         /* --raw FILE.h5 or NULL */
    int quiet;
    int resume;
    int overwrite; /* replace another sweep's files (those its manifest lists) */
    int profile;
    cc_decomp decomp;
    cc_composite composite;
    cc_device device; /* --device (auto) */
    /* The user's look (design.md section 5); every default is section 1's. */
    const char *tf;                  /* --tf FILE or "auto"; NULL: the original's bands */
    cc_scale scale;                  /* --scale */
    cc_value_range data_range;       /* --data-range */
    const char *colormap;            /* --colormap NAME; NULL: viridis */
    cc_value_range projection_range; /* --projection-range; not given: [-5, 5] */
    double opacity_unit;             /* --opacity-unit L; 0: alpha as is */
    int bit_depth;                   /* --bit-depth 8 or 16 (8) */
    int transparent;                 /* --background transparent */
    double background[3];            /* --background colour, 0..1 (black) */
    /* The user's camera (design.md section 5); every default is section 1's. */
    int axis;             /* --axis: orbit axis, 0 (x, the first HDF5 axis), 1 (y), 2 (z) */
    double elevation_deg; /* --elevation, |phi| < 90 (0) */
    double zoom;          /* --zoom, > 0 (1) */
    int fit;              /* --fit: the whole volume in the frame at every angle */
    int spacing_auto;     /* --spacing auto: read from the dataset's attributes */
    double spacing[3];    /* --spacing HX:HY:HZ in file axis order (1:1:1); the
                             driver fills it in for auto.  Any positive numbers:
                             the camera normalises them (camera.h). */
} cc_render_options;

/* The defaults of the original script. */
cc_render_options cc_render_options_default(void);

/* Frees what parsing allocated (the paths read from --inputs LIST). */
void cc_render_options_release(cc_render_options *options);

/* The number of inputs (1 unless a series was given). */
int cc_render_options_input_count(const cc_render_options *options);

/* Input s's path, 0 <= s < cc_render_options_input_count. */
const char *cc_render_options_input_path(const cc_render_options *options, int s);

/* The input frame f renders: f / frames_per_input (0 for one input). */
int cc_render_options_input_of(const cc_render_options *options, int frame);

/* Rejects absurd values (sizes, frame counts, ranges) with a clear message. */
cc_status cc_render_options_check(const cc_render_options *options, cc_error *err);

#endif
