/* parse.c - command-line parsing for the subcommands (cli.h). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

const char cc_usage_main[] = "usage: cubecast <command> [options]\n"
                             "\n"
                             "commands:\n"
                             "  render INPUT.h5     volume-render a datacube into PNG frames\n"
                             "  generate OUT.h5     write a synthetic datacube\n"
                             "  info INPUT.h5       describe a file's datasets and value range\n"
                             "\n"
                             "Run 'cubecast <command> --help' for a command's options.\n";

const char cc_usage_render[] =
    "usage: cubecast render INPUT.h5 [INPUT.h5 ...] [options]\n"
    "       mpirun -np P cubecast render INPUT.h5 [options]\n"
    "\n"
    "  Several inputs (or --inputs LIST) are a snapshot series rendered as one\n"
    "  sweep: frame f renders input f / K at frame f's angle.\n"
    "  --inputs LIST           the inputs, one path a line ('#' lines skipped)\n"
    "  --frames-per-input K    frames per input of a series (default 1); F = inputs x K\n"
    "  --dataset PATH          dataset to render (nested: /fields/rho); default: density,\n"
    "                          else the file's only 3D numeric dataset\n"
    "  --index T               render volume T of a 4D dataset (0-based), T along\n"
    "                          its last axis: nibabel's (x, y, z, t) order\n"
    "  --index-axis first|last the 4D dataset's axis T counts along (default last;\n"
    "                          first for (t, z, y, x) files)\n"
    "  -o, --output DIR        output folder (default: out)\n"
    "  --frames F              frames in the sweep (default: 10)\n"
    "  --size N                camera samples per axis; frames are N x N (default: 180)\n"
    "  --start-deg A           angle of frame 0 in degrees (default: 0)\n"
    "  --sweep-deg S           sweep in degrees; frame f at A + S*f/F (default: 90)\n"
    "  --precision P           single or double (default: single)\n"
    "  --range A:B             render frames A..B-1 only (file names stay global)\n"
    "  --no-projection         do not write projection.png\n"
    "  --raw FILE.h5           also write unquantised frames and projection (HDF5)\n"
    "  --resume                render only frames a previous run did not finish\n"
    "  --overwrite             replace another sweep in the output folder (removes the\n"
    "                          files its manifest lists)\n"
    "  --decomp MODE           frames (default), rows, bricks or auto\n"
    "  --composite MODE        root (default) or swap, for --decomp bricks\n"
    "  --device cpu|cuda|auto  what renders: auto (default) takes a CUDA GPU where\n"
    "                          the rank sees one, else the CPU; cuda insists on one\n"
    "\n"
    "the camera (defaults: the original's orbit about x, elevation 0, zoom 1):\n"
    "  --axis x|y|z            the axis the camera orbits (x: the first HDF5 axis)\n"
    "  --elevation DEG         tilt towards the orbit axis, |DEG| < 90 (default 0);\n"
    "                          --decomp rows needs 0\n"
    "  --zoom Z                magnification, > 0 (default 1)\n"
    "  --fit                   scale so the whole volume stays in every frame\n"
    "  --spacing HX:HY:HZ|auto voxel spacing in file axis order (default 1:1:1);\n"
    "                          auto: from the dataset's attributes\n"
    "\n"
    "the look (defaults: the original's bands on ln(value), black, 8-bit):\n"
    "  --tf FILE|auto          transfer function: a band file (cubecast JSON), a\n"
    "                          ParaView colour/opacity export, or auto (from the data)\n"
    "  --scale log|linear      s = ln(value) or value, for band and auto functions\n"
    "  --data-range A:B        the values the transfer function spans, or pLO:pHI,\n"
    "                          percentiles of the input (e.g. p1:p99)\n"
    "  --colormap NAME         viridis (default), magma, inferno, plasma, cividis,\n"
    "                          grey, \"Cool to Warm\": for auto and the projection\n"
    "  --projection-range A:B|auto   colour limits of projection.png (default -5:5)\n"
    "  --projection-size N     projection.png N x N, sampled as the frames sample the\n"
    "                          volume (default: Ny x Nz, the original's)\n"
    "  --opacity-unit L        opacity per L grid units, the same at any --size\n"
    "  --bit-depth 8|16        PNG bits per channel (default 8)\n"
    "  --background COLOUR     black (default), white, transparent or #RRGGBB\n"
    "\n"
    "  --profile               print where time and memory went, per phase and rank\n"
    "  --quiet                 no progress output\n"
    "  -h, --help              this text\n"
    "  --version               print the version\n"
    "\n"
    "exit status: 0 done, 2 bad option, 3 bad input, 4 output not writable,\n"
    "75 interrupted by SIGTERM/SIGUSR1 (rerun with --resume), 1 other errors.\n";

const char cc_usage_generate[] =
    "usage: cubecast generate OUT.h5 [--size N | --shape NX NY NZ] [--seed S]\n"
    "                                [--dtype float32|float64] [--dataset PATH] [--force]\n"
    "\n"
    "Writes a deterministic synthetic datacube (dataset 'density', 256^3 float32\n"
    "by default): a lognormal background, clumpy shells and a dense core.\n"
    "\n"
    "  --size N                an N x N x N cube (default 256)\n"
    "  --shape NX NY NZ        any shape, each axis at least 2\n"
    "  --seed S                the random structure (default 42)\n"
    "  --dtype float32|float64 the values' type (default float32)\n"
    "  --dataset PATH          the dataset's name (default density; nested: /a/b)\n"
    "  --force                 replace OUT.h5 if it exists (default: refuse)\n";

const char cc_usage_info[] =
    "usage: cubecast info INPUT.h5 [--dataset PATH] [--index T] [--index-axis first|last]\n"
    "\n"
    "Lists every dataset of the file with its shape and type, and why one cannot\n"
    "be rendered as it is (for a 4D one, how to render its volumes).  Then, for\n"
    "the dataset render would take (density, else the file's only 3D numeric\n"
    "dataset, or the one --dataset names), its shape, type, layout and the\n"
    "distribution of ln(value); --index T describes volume T of a 4D dataset.\n";

static cc_status parse_long(const char *option, const char *text, long lo, long hi, long *out,
                            cc_error *err)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0')
        return cc_fail(err, CC_ERR_USAGE, "%s needs an integer, not '%s'", option, text);
    if (value < lo || value > hi)
        return cc_fail(err, CC_ERR_USAGE, "%s must be between %ld and %ld, not %ld", option, lo, hi,
                       value);
    *out = value;
    return CC_OK;
}

static cc_status parse_int(const char *option, const char *text, int *out, cc_error *err)
{
    long value;
    cc_status status = parse_long(option, text, INT_MIN, INT_MAX, &value, err);
    if (status == CC_OK)
        *out = (int)value;
    return status;
}

static cc_status parse_double(const char *option, const char *text, double *out, cc_error *err)
{
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0')
        return cc_fail(err, CC_ERR_USAGE, "%s needs a number, not '%s'", option, text);
    *out = value;
    return CC_OK;
}

/* One side of --range: digits only (no sign, no blanks), within an int. */
static int range_bound(const char *text, size_t length, int *out)
{
    long value = 0;
    if (length == 0 || length > 9)
        return 0;
    for (size_t c = 0; c < length; c++) {
        if (text[c] < '0' || text[c] > '9')
            return 0;
        value = value * 10 + (text[c] - '0');
    }
    *out = (int)value;
    return 1;
}

static cc_status parse_range(const char *text, cc_render_options *options, cc_error *err)
{
    const char *colon = strchr(text, ':');
    if (colon == NULL || !range_bound(text, (size_t)(colon - text), &options->range_begin) ||
        !range_bound(colon + 1, strlen(colon + 1), &options->range_end))
        return cc_fail(err, CC_ERR_USAGE,
                       "--range needs A:B, two whole numbers with 0 <= A < B <= the number of "
                       "frames (frames A..B-1), not '%s'",
                       text);
    return CC_OK;
}

/* Reports what getopt_long rejected, in our words, once. */
static cc_status unknown_option(int argc, char **argv, int code, cc_error *err)
{
    /* A short option inside a group ("-xy") is named by optopt; argv's
     * word there is not the culprit. */
    char short_name[3] = {'-', (char)optopt, '\0'};
    const char *word = optopt > 0 && optopt < 128        ? short_name
                       : optind - 1 < argc && optind > 0 ? argv[optind - 1]
                                                         : "?";
    if (code == ':')
        return cc_fail(err, CC_ERR_USAGE, "option '%s' needs a value", word);
    return cc_fail(err, CC_ERR_USAGE, "unknown option '%s' (see --help)", word);
}

enum {
    OPT_DATASET = 1000,
    OPT_FRAMES,
    OPT_SIZE,
    OPT_START,
    OPT_SWEEP,
    OPT_PRECISION,
    OPT_RANGE,
    OPT_NO_PROJECTION,
    OPT_RAW,
    OPT_QUIET,
    OPT_VERSION,
    OPT_RESUME,
    OPT_OVERWRITE,
    OPT_DECOMP,
    OPT_COMPOSITE,
    OPT_PROFILE,
    OPT_SHAPE,
    OPT_SEED,
    OPT_DTYPE,
    OPT_TF,
    OPT_SCALE,
    OPT_DATA_RANGE,
    OPT_COLORMAP,
    OPT_PROJECTION_RANGE,
    OPT_OPACITY_UNIT,
    OPT_BIT_DEPTH,
    OPT_BACKGROUND,
    OPT_AXIS,
    OPT_ELEVATION,
    OPT_ZOOM,
    OPT_FIT,
    OPT_SPACING,
    OPT_DEVICE,
    OPT_INPUTS,
    OPT_FRAMES_PER_INPUT,
    OPT_PROJECTION_SIZE,
    OPT_FORCE,
    OPT_INDEX,
    OPT_INDEX_AXIS
};

/* --index-axis first|last: the 4D dataset's axis 0 or 3. */
static cc_status parse_index_axis(const char *text, int *axis, cc_error *err)
{
    if (strcmp(text, "first") == 0 || strcmp(text, "last") == 0) {
        *axis = text[0] == 'f' ? 0 : 3;
        return CC_OK;
    }
    return cc_fail(err, CC_ERR_USAGE, "--index-axis must be first or last, not '%s'", text);
}

/* --index T, a volume of a 4D dataset; its axis only with it. */
static cc_status volume_option(int code, const char *value, long *index, int *axis, int *axis_given,
                               cc_error *err)
{
    if (code == OPT_INDEX)
        return parse_long("--index", value, 0, LONG_MAX, index, err);
    *axis_given = 1;
    return parse_index_axis(value, axis, err);
}

static cc_status check_volume_options(long index, int axis_given, cc_error *err)
{
    if (axis_given && index < 0)
        return cc_fail(err, CC_ERR_USAGE,
                       "--index-axis says along which axis --index T counts; give --index T too");
    return CC_OK;
}

/* A:B of finite numbers with A < B, or (percentiles_too) pLO:pHI with
 * 0 <= LO < HI <= 100, or (automatic_too) "auto". */
static cc_status parse_value_range(const char *option, const char *text, int percentiles_too,
                                   int automatic_too, cc_value_range *out, cc_error *err)
{
    cc_value_range range = {1, 0, 0, 0.0, 0.0};
    if (automatic_too && strcmp(text, "auto") == 0) {
        range.automatic = 1;
        *out = range;
        return CC_OK;
    }
    const char *colon = strchr(text, ':');
    char first[64];
    int ok = colon != NULL && (size_t)(colon - text) < sizeof first;
    if (ok) {
        memcpy(first, text, (size_t)(colon - text));
        first[colon - text] = '\0';
        range.percentile = percentiles_too && first[0] == 'p' && colon[1] == 'p';
        const char *lo = first + range.percentile, *hi = colon + 1 + range.percentile;
        char *end;
        errno = 0;
        range.lo = strtod(lo, &end);
        ok = end != lo && *end == '\0' && errno == 0;
        range.hi = ok ? strtod(hi, &end) : 0.0;
        ok = ok && end != hi && *end == '\0' && errno == 0 && isfinite(range.lo) &&
             isfinite(range.hi) && range.lo < range.hi;
        ok = ok && (!range.percentile || (range.lo >= 0.0 && range.hi <= 100.0));
    }
    if (!ok)
        return cc_fail(err, CC_ERR_USAGE, "%s needs A:B with A < B%s%s, not '%s'", option,
                       percentiles_too ? ", or pLO:pHI with 0 <= LO < HI <= 100" : "",
                       automatic_too ? ", or auto" : "", text);
    *out = range;
    return CC_OK;
}

/* --background: black, white, transparent or #RRGGBB. */
static cc_status parse_background(const char *text, cc_render_options *options, cc_error *err)
{
    unsigned rgb[3];
    char extra;
    options->transparent = 0;
    if (strcmp(text, "black") == 0 || strcmp(text, "white") == 0) {
        for (int c = 0; c < 3; c++)
            options->background[c] = text[0] == 'w' ? 1.0 : 0.0;
        return CC_OK;
    }
    if (strcmp(text, "transparent") == 0) {
        options->transparent = 1;
        return CC_OK;
    }
    if (text[0] == '#' && strlen(text) == 7 && strspn(text + 1, "0123456789abcdefABCDEF") == 6 &&
        sscanf(text + 1, "%2x%2x%2x%c", &rgb[0], &rgb[1], &rgb[2], &extra) == 3) {
        for (int c = 0; c < 3; c++)
            options->background[c] = rgb[c] / 255.0;
        return CC_OK;
    }
    return cc_fail(err, CC_ERR_USAGE,
                   "--background must be black, white, transparent or #RRGGBB, not '%s'", text);
}

/* --spacing HX:HY:HZ, three positive finite numbers, or auto.  Each part
 * is read whole by strtod, so "1:2:3:4", "1::2" and "1:2:3 " are refused. */
static cc_status parse_spacing(const char *text, cc_render_options *options, cc_error *err)
{
    double spacing[3] = {1.0, 1.0, 1.0};
    int automatic = strcmp(text, "auto") == 0, ok = 1;
    const char *part = text;
    for (int a = 0; a < 3 && ok && !automatic; a++) {
        char *end;
        errno = 0;
        spacing[a] = strtod(part, &end);
        ok = end != part && errno == 0 && isfinite(spacing[a]) && spacing[a] > 0.0 &&
             *end == (a < 2 ? ':' : '\0');
        part = end + 1;
    }
    if (!ok)
        return cc_fail(err, CC_ERR_USAGE,
                       "--spacing needs HX:HY:HZ, three numbers > 0, or auto, not '%s'", text);
    /* auto forgets an earlier --spacing: the attributes decide. */
    options->spacing_auto = automatic;
    memcpy(options->spacing, spacing, sizeof spacing);
    return CC_OK;
}

static cc_status camera_option(int code, const char *value, cc_render_options *options,
                               cc_error *err)
{
    cc_status status;
    switch (code) {
    case OPT_AXIS:
        if (strlen(value) == 1 && value[0] >= 'x' && value[0] <= 'z') {
            options->axis = value[0] - 'x';
            return CC_OK;
        }
        return cc_fail(err, CC_ERR_USAGE, "--axis must be x, y or z, not '%s'", value);
    case OPT_ELEVATION:
        status = parse_double("--elevation", value, &options->elevation_deg, err);
        if (status == CC_OK && !(fabs(options->elevation_deg) < 90.0))
            status =
                cc_fail(err, CC_ERR_USAGE,
                        "--elevation needs an angle in degrees with |DEG| < 90, not '%s'", value);
        return status;
    case OPT_ZOOM:
        status = parse_double("--zoom", value, &options->zoom, err);
        if (status == CC_OK && !(options->zoom > 0.0 && isfinite(options->zoom)))
            status = cc_fail(err, CC_ERR_USAGE, "--zoom needs a number > 0, not '%s'", value);
        return status;
    case OPT_FIT:
        options->fit = 1;
        return CC_OK;
    case OPT_SPACING:
        return parse_spacing(value, options, err);
    default:
        return cc_fail(err, CC_ERR_INTERNAL, "unhandled option %d", code);
    }
}

static cc_status look_option(int code, const char *value, cc_render_options *options, cc_error *err)
{
    switch (code) {
    case OPT_TF:
        options->tf = value;
        return CC_OK;
    case OPT_SCALE:
        if (strcmp(value, "log") == 0 || strcmp(value, "linear") == 0) {
            options->scale = value[1] == 'o' ? CC_SCALE_LOG : CC_SCALE_LINEAR;
            return CC_OK;
        }
        return cc_fail(err, CC_ERR_USAGE, "--scale must be log or linear, not '%s'", value);
    case OPT_DATA_RANGE:
        return parse_value_range("--data-range", value, 1, 0, &options->data_range, err);
    case OPT_COLORMAP:
        options->colormap = value;
        return CC_OK;
    case OPT_PROJECTION_RANGE:
        return parse_value_range("--projection-range", value, 0, 1, &options->projection_range,
                                 err);
    case OPT_PROJECTION_SIZE:
        return parse_int("--projection-size", value, &options->projection_size, err);
    case OPT_OPACITY_UNIT: {
        cc_status status = parse_double("--opacity-unit", value, &options->opacity_unit, err);
        if (status == CC_OK && !(options->opacity_unit > 0.0 && isfinite(options->opacity_unit)))
            status = cc_fail(err, CC_ERR_USAGE,
                             "--opacity-unit needs a length in grid units > 0, not '%s'", value);
        return status;
    }
    case OPT_BIT_DEPTH:
        if (strcmp(value, "8") == 0 || strcmp(value, "16") == 0) {
            options->bit_depth = value[0] == '8' ? 8 : 16;
            return CC_OK;
        }
        return cc_fail(err, CC_ERR_USAGE, "--bit-depth must be 8 or 16, not '%s'", value);
    case OPT_BACKGROUND:
        return parse_background(value, options, err);
    default:
        return camera_option(code, value, options, err);
    }
}

static cc_status render_option(int code, const char *value, cc_render_options *options,
                               cc_cli_action *action, cc_error *err)
{
    switch (code) {
    case OPT_DATASET:
        options->dataset = value;
        options->dataset_given = 1;
        return CC_OK;
    case 'o':
        options->output = value;
        return CC_OK;
    case OPT_FRAMES:
        return parse_int("--frames", value, &options->frames, err);
    case OPT_FRAMES_PER_INPUT:
        return parse_int("--frames-per-input", value, &options->frames_per_input, err);
    case OPT_INPUTS:
        options->inputs_list = value;
        return CC_OK;
    case OPT_SIZE:
        return parse_int("--size", value, &options->size, err);
    case OPT_START:
        return parse_double("--start-deg", value, &options->start_deg, err);
    case OPT_SWEEP:
        return parse_double("--sweep-deg", value, &options->sweep_deg, err);
    case OPT_RANGE:
        return parse_range(value, options, err);
    case OPT_NO_PROJECTION:
        options->projection = 0;
        return CC_OK;
    case OPT_RAW:
        options->raw = value;
        return CC_OK;
    case OPT_QUIET:
        options->quiet = 1;
        return CC_OK;
    case OPT_RESUME:
        options->resume = 1;
        return CC_OK;
    case OPT_OVERWRITE:
        options->overwrite = 1;
        return CC_OK;
    case OPT_PROFILE:
        options->profile = 1;
        return CC_OK;
    case 'h':
        *action = CC_CLI_HELP;
        return CC_OK;
    case OPT_VERSION:
        *action = CC_CLI_VERSION;
        return CC_OK;
    case OPT_PRECISION:
        if (strcmp(value, "single") == 0 || strcmp(value, "double") == 0) {
            options->precision = value[0] == 's' ? CC_SINGLE : CC_DOUBLE;
            return CC_OK;
        }
        return cc_fail(err, CC_ERR_USAGE, "--precision must be single or double, not '%s'", value);
    case OPT_DECOMP: {
        static const char *const names[] = {"frames", "rows", "bricks", "auto"};
        for (int d = 0; d < 4; d++)
            if (strcmp(value, names[d]) == 0) {
                options->decomp = (cc_decomp)d;
                return CC_OK;
            }
        return cc_fail(err, CC_ERR_USAGE, "--decomp must be frames, rows, bricks or auto, not '%s'",
                       value);
    }
    case OPT_COMPOSITE:
        if (strcmp(value, "root") == 0 || strcmp(value, "swap") == 0) {
            options->composite = value[0] == 'r' ? CC_COMPOSITE_ROOT : CC_COMPOSITE_SWAP;
            return CC_OK;
        }
        return cc_fail(err, CC_ERR_USAGE, "--composite must be root or swap, not '%s'", value);
    case OPT_DEVICE: {
        static const char *const names[] = {"auto", "cpu", "cuda"};
        for (int d = 0; d < 3; d++)
            if (strcmp(value, names[d]) == 0) {
                options->device = (cc_device)d;
                return CC_OK;
            }
        return cc_fail(err, CC_ERR_USAGE, "--device must be cpu, cuda or auto, not '%s'", value);
    }
    default:
        return look_option(code, value, options, err);
    }
}

/* Takes the single positional argument (the file) or reports extras. */
static cc_status positional(int argc, char **argv, const char **path, const char *usage_name,
                            cc_error *err)
{
    if (optind < argc)
        *path = argv[optind++];
    if (optind < argc)
        return cc_fail(err, CC_ERR_USAGE, "unexpected argument '%s' (see cubecast %s --help)",
                       argv[optind], usage_name);
    return CC_OK;
}

/* The paths of a list file: one a line, blank lines and '#' lines
 * skipped, each kept as written (relative to the current folder). */
static cc_status read_input_list(const char *list, cc_render_options *options, cc_error *err)
{
    /* A FIFO or a device could block or never end: a regular file only. */
    struct stat info;
    if (stat(list, &info) == 0 && !S_ISREG(info.st_mode))
        return cc_fail(err, CC_ERR_INPUT, "--inputs: '%s' is not a regular file", list);
    FILE *file = fopen(list, "r");
    if (file == NULL)
        return cc_fail(err, CC_ERR_INPUT, "--inputs: cannot read '%s': %s", list, strerror(errno));
    char *line = NULL;
    size_t capacity = 0, room = 0;
    ssize_t length;
    cc_status status = CC_OK;
    while (status == CC_OK && (length = getline(&line, &capacity, file)) >= 0) {
        while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
            line[--length] = '\0';
        if (length == 0 || line[0] == '#')
            continue;
        if ((size_t)options->input_count == room) {
            room = room ? 2 * room : 64;
            char **grown = realloc(options->input_storage, room * sizeof *grown);
            if (grown == NULL)
                status = cc_fail(err, CC_ERR_NOMEM, "out of memory for the inputs of '%s'", list);
            else
                options->input_storage = grown;
        }
        char *path = status == CC_OK ? strdup(line) : NULL;
        if (status == CC_OK && path == NULL)
            status = cc_fail(err, CC_ERR_NOMEM, "out of memory for the inputs of '%s'", list);
        if (status == CC_OK)
            options->input_storage[options->input_count++] = path;
    }
    free(line);
    fclose(file);
    if (status == CC_OK && options->input_count == 0)
        status = cc_fail(err, CC_ERR_USAGE, "--inputs: '%s' lists no input", list);
    options->inputs = (const char *const *)options->input_storage;
    return status;
}

/* The inputs: the words left after the options, or --inputs LIST. */
static cc_status series_inputs(int argc, char **argv, cc_render_options *options, cc_error *err)
{
    if (options->inputs_list != NULL && optind < argc)
        return cc_fail(err, CC_ERR_USAGE,
                       "give the inputs on the command line or with --inputs, not both ('%s')",
                       argv[optind]);
    if (options->inputs_list != NULL) {
        cc_status status = read_input_list(options->inputs_list, options, err);
        if (status != CC_OK)
            return status;
    } else {
        /* getopt moved every word that is not an option to the end. */
        options->inputs = (const char *const *)(argv + optind);
        options->input_count = argc - optind;
        optind = argc;
    }
    options->input = options->input_count > 0 ? options->inputs[0] : NULL;
    return CC_OK;
}

/* F = S x K: a series of S inputs defaults to one frame each; one input
 * keeps --frames, which --frames-per-input may set instead. */
static cc_status series_frames(cc_render_options *options, int frames_given, int per_input_given,
                               cc_error *err)
{
    int given = per_input_given ? options->frames_per_input : 0;
    if (per_input_given && (given < 1 || given > CC_MAX_FRAMES))
        return cc_fail(err, CC_ERR_USAGE, "--frames-per-input must be between 1 and %d, not %d",
                       CC_MAX_FRAMES, given);
    int count = options->input_count > 0 ? options->input_count : 1;
    int per_input = given != 0 ? given : (count > 1 ? 1 : options->frames);
    long frames = (long)count * per_input;
    if (frames > CC_MAX_FRAMES)
        return cc_fail(err, CC_ERR_USAGE, "%d inputs of %d frames each make more than %d frames",
                       count, per_input, CC_MAX_FRAMES);
    if (frames_given && frames != options->frames)
        return cc_fail(err, CC_ERR_USAGE,
                       "--frames %d does not match %d input%s x %d frame%s per input = %ld",
                       options->frames, count, count == 1 ? "" : "s", per_input,
                       per_input == 1 ? "" : "s", frames);
    options->frames = (int)frames;
    options->frames_per_input = per_input;
    return CC_OK;
}

cc_status cc_cli_parse_render(int argc, char **argv, cc_render_options *options,
                              cc_cli_action *action, cc_error *err)
{
    static const struct option longs[] = {
        {"dataset", required_argument, NULL, OPT_DATASET},
        {"output", required_argument, NULL, 'o'},
        {"frames", required_argument, NULL, OPT_FRAMES},
        {"size", required_argument, NULL, OPT_SIZE},
        {"start-deg", required_argument, NULL, OPT_START},
        {"sweep-deg", required_argument, NULL, OPT_SWEEP},
        {"precision", required_argument, NULL, OPT_PRECISION},
        {"range", required_argument, NULL, OPT_RANGE},
        {"no-projection", no_argument, NULL, OPT_NO_PROJECTION},
        {"raw", required_argument, NULL, OPT_RAW},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"resume", no_argument, NULL, OPT_RESUME},
        {"overwrite", no_argument, NULL, OPT_OVERWRITE},
        {"decomp", required_argument, NULL, OPT_DECOMP},
        {"composite", required_argument, NULL, OPT_COMPOSITE},
        {"device", required_argument, NULL, OPT_DEVICE},
        {"inputs", required_argument, NULL, OPT_INPUTS},
        {"frames-per-input", required_argument, NULL, OPT_FRAMES_PER_INPUT},
        {"index", required_argument, NULL, OPT_INDEX},
        {"index-axis", required_argument, NULL, OPT_INDEX_AXIS},
        {"tf", required_argument, NULL, OPT_TF},
        {"scale", required_argument, NULL, OPT_SCALE},
        {"data-range", required_argument, NULL, OPT_DATA_RANGE},
        {"colormap", required_argument, NULL, OPT_COLORMAP},
        {"projection-range", required_argument, NULL, OPT_PROJECTION_RANGE},
        {"projection-size", required_argument, NULL, OPT_PROJECTION_SIZE},
        {"opacity-unit", required_argument, NULL, OPT_OPACITY_UNIT},
        {"bit-depth", required_argument, NULL, OPT_BIT_DEPTH},
        {"background", required_argument, NULL, OPT_BACKGROUND},
        {"axis", required_argument, NULL, OPT_AXIS},
        {"elevation", required_argument, NULL, OPT_ELEVATION},
        {"zoom", required_argument, NULL, OPT_ZOOM},
        {"fit", no_argument, NULL, OPT_FIT},
        {"spacing", required_argument, NULL, OPT_SPACING},
        {"profile", no_argument, NULL, OPT_PROFILE},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    *options = cc_render_options_default();
    *action = CC_CLI_RUN;
    opterr = 0;
    optind = 0; /* 0, not 1: glibc then forgets a previous parse entirely */
    int code, range_given = 0, frames_given = 0, per_input_given = 0, composite_given = 0,
              axis_given = 0;
    /* Options may follow the file, so no "+" (stop at the first word). */
    while ((code = getopt_long(argc, argv, ":o:h", longs, NULL)) != -1) {
        if (code == '?' || code == ':')
            return unknown_option(argc, argv, code, err);
        range_given |= code == OPT_RANGE;
        frames_given |= code == OPT_FRAMES;
        per_input_given |= code == OPT_FRAMES_PER_INPUT;
        composite_given |= code == OPT_COMPOSITE;
        cc_status status = code == OPT_INDEX || code == OPT_INDEX_AXIS
                               ? volume_option(code, optarg, &options->index, &options->index_axis,
                                               &axis_given, err)
                               : render_option(code, optarg, options, action, err);
        if (status != CC_OK)
            return status;
    }
    if (*action != CC_CLI_RUN)
        return CC_OK;
    cc_status status = check_volume_options(options->index, axis_given, err);
    if (status == CC_OK)
        status = series_inputs(argc, argv, options, err);
    if (status == CC_OK)
        status = series_frames(options, frames_given, per_input_given, err);
    if (status == CC_OK && !range_given)
        options->range_end = options->frames;
    /* A compositing method means nothing without bricks: a user who asks
     * for one in frames or rows mode expects something that will not
     * happen.  auto may choose bricks, so it may carry one. */
    if (status == CC_OK && composite_given &&
        (options->decomp == CC_DECOMP_FRAMES || options->decomp == CC_DECOMP_ROWS))
        status = cc_fail(err, CC_ERR_USAGE,
                         "--composite applies only to --decomp bricks or auto, and this run "
                         "is in %s mode",
                         options->decomp == CC_DECOMP_FRAMES ? "frames" : "rows");
    return status;
}

static cc_status generate_option(int code, cc_generate_options *options, cc_cli_action *action,
                                 cc_error *err)
{
    long value;
    cc_status status = CC_OK;
    switch (code) {
    case OPT_SIZE:
        status = parse_long("--size", optarg, 2, 1L << 20, &value, err);
        options->shape[0] = options->shape[1] = options->shape[2] = value;
        return status;
    case OPT_SHAPE: {
        /* joined_shape_arguments made the three values one word. */
        char extra;
        if (sscanf(optarg, "%ld %ld %ld %c", &options->shape[0], &options->shape[1],
                   &options->shape[2], &extra) != 3)
            return cc_fail(err, CC_ERR_USAGE, "--shape needs three integers NX NY NZ, not '%s'",
                           optarg);
        for (int axis = 0; axis < 3 && status == CC_OK; axis++)
            if (options->shape[axis] < 2 || options->shape[axis] > (1L << 20))
                status = cc_fail(err, CC_ERR_USAGE, "--shape values must be between 2 and %ld",
                                 1L << 20);
        return status;
    }
    case OPT_SEED:
        status = parse_long("--seed", optarg, 0, LONG_MAX, &value, err);
        options->seed = (uint64_t)value;
        return status;
    case OPT_DTYPE:
        if (strcmp(optarg, "float32") == 0 || strcmp(optarg, "float64") == 0) {
            options->dtype = optarg[5] == '3' ? CC_FLOAT32 : CC_FLOAT64;
            return CC_OK;
        }
        return cc_fail(err, CC_ERR_USAGE, "--dtype must be float32 or float64, not '%s'", optarg);
    case OPT_DATASET:
        options->dataset = optarg;
        return CC_OK;
    case OPT_FORCE:
        options->force = 1;
        return CC_OK;
    case 'h':
        *action = CC_CLI_HELP;
        return CC_OK;
    case OPT_VERSION:
        *action = CC_CLI_VERSION;
        return CC_OK;
    default:
        return cc_fail(err, CC_ERR_INTERNAL, "unhandled option %d", code);
    }
}

/* getopt takes one value per option; --shape takes three, so the three
 * words after it are joined into one ("40 56 48") in a copy of argv. */
static char **joined_shape_arguments(int *argc, char **argv, char *joined, size_t joined_size)
{
    char **copy = calloc((size_t)*argc + 1, sizeof *copy);
    if (copy == NULL)
        return NULL;
    int out = 0;
    static const char *const with_values[] = {"--size", "--seed", "--dtype", "--dataset"};
    for (int in = 0; in < *argc; in++) {
        copy[out++] = argv[in];
        int is_value = 0; /* "--shape" as another option's value is a value */
        for (size_t o = 0; in > 0 && o < sizeof with_values / sizeof with_values[0]; o++)
            is_value |= strcmp(argv[in - 1], with_values[o]) == 0;
        if (strcmp(argv[in], "--shape") != 0 || is_value || in + 1 >= *argc)
            continue;
        joined[0] = '\0';
        for (int v = 1; v <= 3 && in + 1 < *argc; v++) {
            in++;
            size_t used = strlen(joined);
            snprintf(joined + used, joined_size - used, "%s%s", v > 1 ? " " : "", argv[in]);
        }
        copy[out++] = joined;
    }
    *argc = out;
    return copy;
}

static cc_status parse_generate_words(int argc, char **argv, const char **path,
                                      cc_generate_options *options, cc_cli_action *action,
                                      cc_error *err)
{
    static const struct option longs[] = {
        {"size", required_argument, NULL, OPT_SIZE},
        {"shape", required_argument, NULL, OPT_SHAPE},
        {"seed", required_argument, NULL, OPT_SEED},
        {"dtype", required_argument, NULL, OPT_DTYPE},
        {"dataset", required_argument, NULL, OPT_DATASET},
        {"force", no_argument, NULL, OPT_FORCE},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    memset(options, 0, sizeof *options);
    options->shape[0] = options->shape[1] = options->shape[2] = 256;
    options->seed = 42;
    options->dtype = CC_FLOAT32;
    options->dataset = "density";
    *action = CC_CLI_RUN;
    *path = NULL;
    opterr = 0;
    optind = 0; /* 0, not 1: glibc then forgets a previous parse entirely */
    int code;
    while ((code = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        if (code == '?' || code == ':')
            return unknown_option(argc, argv, code, err);
        cc_status status = generate_option(code, options, action, err);
        if (status != CC_OK)
            return status;
    }
    if (*action != CC_CLI_RUN)
        return CC_OK;
    cc_status status = positional(argc, argv, path, "generate", err);
    if (status == CC_OK && *path == NULL)
        status =
            cc_fail(err, CC_ERR_USAGE, "no output file given (usage: cubecast generate OUT.h5)");
    return status;
}

cc_status cc_cli_parse_generate(int argc, char **argv, const char **path,
                                cc_generate_options *options, cc_cli_action *action, cc_error *err)
{
    /* Static storage is not needed: the joined words live in argv's copy
     * only during parsing, and sscanf reads them out before we return. */
    char joined[256];
    char **words = joined_shape_arguments(&argc, argv, joined, sizeof joined);
    if (words == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    cc_status status = parse_generate_words(argc, words, path, options, action, err);
    /* Only --shape reads the joined words; anything else pointing there
     * would outlive them. */
    if (status == CC_OK && (*path == joined || options->dataset == joined))
        status = cc_fail(err, CC_ERR_USAGE,
                         "unexpected argument '%s' (see cubecast generate --help)", joined);
    free(words);
    return status;
}

cc_status cc_cli_parse_info(int argc, char **argv, const char **path, cc_input_choice *volume,
                            cc_cli_action *action, cc_error *err)
{
    static const struct option longs[] = {
        {"dataset", required_argument, NULL, OPT_DATASET},
        {"index", required_argument, NULL, OPT_INDEX},
        {"index-axis", required_argument, NULL, OPT_INDEX_AXIS},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    *action = CC_CLI_RUN;
    *path = NULL;
    *volume = (cc_input_choice){NULL, CC_INPUT_NO_INDEX, 3};
    opterr = 0;
    optind = 0; /* 0, not 1: glibc then forgets a previous parse entirely */
    int code, axis_given = 0;
    while ((code = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        if (code == '?' || code == ':')
            return unknown_option(argc, argv, code, err);
        cc_status status = CC_OK;
        if (code == OPT_DATASET)
            volume->dataset = optarg;
        else if (code == OPT_INDEX || code == OPT_INDEX_AXIS)
            status =
                volume_option(code, optarg, &volume->index, &volume->index_axis, &axis_given, err);
        else
            *action = code == 'h' ? CC_CLI_HELP : CC_CLI_VERSION;
        if (status != CC_OK)
            return status;
    }
    if (*action != CC_CLI_RUN)
        return CC_OK;
    cc_status status = check_volume_options(volume->index, axis_given, err);
    if (status == CC_OK)
        status = positional(argc, argv, path, "info", err);
    if (status == CC_OK && *path == NULL)
        status = cc_fail(err, CC_ERR_USAGE, "no input file given (usage: cubecast info INPUT.h5)");
    return status;
}
