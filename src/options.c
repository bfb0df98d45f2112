/* options.c - render options and their validation (options.h). */
#include "cubecast/options.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cubecast/colormap.h"
#include "cubecast/view.h"

/* Limits that catch typos (an extra zero) rather than real requests: a
 * 16384^2 frame is 800 MiB of partial image, 10^6 frames a week of output. */
enum { CC_MAX_SIZE = 16384 };

/* The same for the camera: a zoom of 10^6 magnifies a millionth of the
 * frame to all of it, and voxels 10^6 times longer than wide are no real
 * instrument's.  Beyond these the camera's arithmetic (1/zoom, the box's
 * diagonal) leaves the range where sample coordinates mean anything. */
#define CC_MAX_ZOOM 1e6
#define CC_MAX_ANISOTROPY 1e6

/* The camera's options (design.md section 5). */
static cc_status check_camera(const cc_render_options *options, cc_error *err)
{
    static const char axes[] = "xyz";
    if (options->axis < 0 || options->axis > 2)
        return cc_fail(err, CC_ERR_USAGE, "--axis must be x, y or z, not %d", options->axis);
    if (!(fabs(options->elevation_deg) < 90.0))
        return cc_fail(err, CC_ERR_USAGE,
                       "--elevation needs an angle in degrees with |DEG| < 90, not %g",
                       options->elevation_deg);
    if (!(options->zoom >= 1.0 / CC_MAX_ZOOM && options->zoom <= CC_MAX_ZOOM))
        return cc_fail(err, CC_ERR_USAGE, "--zoom must be between %g and %g, not %g",
                       1.0 / CC_MAX_ZOOM, CC_MAX_ZOOM, options->zoom);
    double smallest = HUGE_VAL, largest = 0.0;
    for (int a = 0; a < 3; a++) {
        double h = options->spacing[a];
        if (!(h > 0.0 && isfinite(h)))
            return cc_fail(err, CC_ERR_USAGE,
                           "--spacing needs three numbers > 0, not %g along %c (the voxel "
                           "spacing %g:%g:%g)",
                           h, axes[a], options->spacing[0], options->spacing[1],
                           options->spacing[2]);
        smallest = fmin(smallest, h);
        largest = fmax(largest, h);
    }
    if (!(largest <= smallest * CC_MAX_ANISOTROPY))
        return cc_fail(
            err, CC_ERR_USAGE, "--spacing %g:%g:%g: the largest is more than %g times the smallest",
            options->spacing[0], options->spacing[1], options->spacing[2], CC_MAX_ANISOTROPY);
    /* Rows mode gives each rank a slab of planes across the orbit axis; an
     * untilted view keeps every image row inside one plane, a tilted one
     * crosses them all. */
    if (options->decomp == CC_DECOMP_ROWS && options->elevation_deg != 0.0)
        return cc_fail(err, CC_ERR_USAGE,
                       "--decomp rows needs --elevation 0, not %g (each rank holds a slab of "
                       "planes, which a tilted view crosses); --decomp bricks or frames serve "
                       "any camera",
                       options->elevation_deg);
    return CC_OK;
}

cc_render_options cc_render_options_default(void)
{
    cc_render_options options = {0};
    options.dataset = "density";
    options.index = -1;
    options.index_axis = 3;
    options.output = "out";
    options.frames = 10;
    options.size = 180;
    options.start_deg = 0.0;
    options.sweep_deg = 90.0;
    options.precision = CC_SINGLE;
    options.range_begin = 0;
    options.range_end = -1; /* the whole sweep */
    options.projection = 1;
    options.decomp = CC_DECOMP_FRAMES;
    options.composite = CC_COMPOSITE_ROOT;
    options.device = CC_DEVICE_AUTO;
    options.bit_depth = 8;
    options.zoom = 1.0;
    options.spacing[0] = options.spacing[1] = options.spacing[2] = 1.0;
    return options;
}

void cc_render_options_release(cc_render_options *options)
{
    if (options->input_storage != NULL)
        for (int i = 0; i < options->input_count; i++)
            free(options->input_storage[i]);
    free(options->input_storage);
    options->input_storage = NULL;
}

int cc_render_options_input_count(const cc_render_options *options)
{
    return options->input_count > 0 ? options->input_count : 1;
}

const char *cc_render_options_input_path(const cc_render_options *options, int s)
{
    return options->inputs != NULL ? options->inputs[s] : options->input;
}

int cc_render_options_input_of(const cc_render_options *options, int frame)
{
    return options->input_count > 1 ? frame / options->frames_per_input : 0;
}

cc_status cc_render_options_check(const cc_render_options *options, cc_error *err)
{
    if (options->input == NULL)
        return cc_fail(err, CC_ERR_USAGE, "no input file given (usage: cubecast render INPUT.h5)");
    if (options->input_count > 1 &&
        (options->frames_per_input < 1 ||
         (long)options->input_count * options->frames_per_input != options->frames))
        return cc_fail(err, CC_ERR_USAGE,
                       "%d frames do not make %d frames for each of the %d inputs", options->frames,
                       options->frames_per_input, options->input_count);
    if (options->size < 2 || options->size > CC_MAX_SIZE)
        return cc_fail(err, CC_ERR_USAGE, "--size must be between 2 and %d, not %d", CC_MAX_SIZE,
                       options->size);
    if (options->projection_size != 0 &&
        (options->projection_size < 2 || options->projection_size > CC_MAX_SIZE))
        return cc_fail(err, CC_ERR_USAGE, "--projection-size must be between 2 and %d, not %d",
                       CC_MAX_SIZE, options->projection_size);
    if (options->projection_size != 0 && !options->projection)
        return cc_fail(err, CC_ERR_USAGE,
                       "--projection-size and --no-projection contradict each other");
    if (options->frames < 1 || options->frames > CC_MAX_FRAMES)
        return cc_fail(err, CC_ERR_USAGE, "--frames must be between 1 and %d, not %d",
                       CC_MAX_FRAMES, options->frames);
    if (!isfinite(options->start_deg) || !isfinite(options->sweep_deg))
        return cc_fail(err, CC_ERR_USAGE, "--start-deg and --sweep-deg must be finite numbers");
    /* Each angle as the renderer computes it: a huge sweep overflows. */
    for (int f = 0; f < options->frames; f++)
        if (!isfinite(
                cc_view_angle_deg(options->start_deg, options->sweep_deg, options->frames, f)))
            return cc_fail(err, CC_ERR_USAGE,
                           "--start-deg %g with --sweep-deg %g gives frame %d an angle that is "
                           "not a finite number",
                           options->start_deg, options->sweep_deg, f);
    if (options->range_begin < 0 || options->range_end > options->frames ||
        options->range_begin >= options->range_end)
        return cc_fail(err, CC_ERR_USAGE,
                       "--range %d:%d must satisfy 0 <= A < B <= %d (the number of frames)",
                       options->range_begin, options->range_end, options->frames);
    if (options->output == NULL || options->output[0] == '\0')
        return cc_fail(err, CC_ERR_USAGE, "--output needs a folder name");
    if (options->bit_depth != 8 && options->bit_depth != 16)
        return cc_fail(err, CC_ERR_USAGE, "--bit-depth must be 8 or 16, not %d",
                       options->bit_depth);
    for (int c = 0; c < 3; c++)
        if (!(options->background[c] >= 0.0 && options->background[c] <= 1.0))
            return cc_fail(err, CC_ERR_USAGE,
                           "--background must be black, white, transparent or #RRGGBB");
    if (options->colormap != NULL) {
        const cc_colormap *map;
        if (cc_colormap_find(options->colormap, &map, err) != CC_OK)
            return CC_ERR_USAGE;
    }
    if (options->device != CC_DEVICE_AUTO && options->device != CC_DEVICE_CPU &&
        options->device != CC_DEVICE_CUDA)
        return cc_fail(err, CC_ERR_USAGE, "--device must be cpu, cuda or auto");
    if (options->index < -1 || (options->index_axis != 0 && options->index_axis != 3))
        return cc_fail(err, CC_ERR_USAGE,
                       "--index must be 0 or more, and its axis the first (0) or the last (3)");
    if (options->overwrite && options->resume)
        return cc_fail(err, CC_ERR_USAGE,
                       "--overwrite and --resume contradict each other: --resume keeps a "
                       "folder's frames, --overwrite removes them");
    return check_camera(options, err);
}
