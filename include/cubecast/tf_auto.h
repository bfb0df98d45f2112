/* tf_auto.h - --tf auto: a transfer function fitted to where the data lie.
 *
 * From the input's histogram (histogram.h) it picks
 *   - the scale: log when no value is negative and the positive values
 *     span a decade or more from the 1st to the 99th percentile (zeros are
 *     then empty, as a scanner's background should be), else linear;
 *   - the range: the 1st to 99.5th percentile of the values the scale keeps
 *     (nonzero ones on a linear scale), or --data-range;
 *   - six Gaussian bands evenly across it, coloured from --colormap at
 *     their place in the range, each band's opacity set so that a ray
 *     through the volume collects from it its share of an optical depth of
 *     1.25, shares growing as t^3 with the band's place t: a band of common
 *     values (a background) stays faint, one of rare values (a core) grows
 *     opaque (at most 0.5 a sample), so inner structure shows instead of a
 *     solid block.
 * Pure: the same histogram and options give the same function on every
 * rank and in `cubecast info`. */
#ifndef CUBECAST_TF_AUTO_H
#define CUBECAST_TF_AUTO_H

#include <stddef.h>

#include "cubecast/error.h"
#include "cubecast/histogram.h"
#include "cubecast/options.h"
#include "cubecast/tf_file.h"
#include "cubecast/transfer.h"

/* Fills tf (kind CC_TF_BANDS) and source (automatic, data_range, colormap)
 * for the input's histogram and options (--scale, --data-range,
 * --colormap, --size, --opacity-unit); chord is how many samples a ray
 * crosses inside the volume (cc_camera_chord), which sizes the opacities. */
cc_status cc_tf_auto(const cc_histogram *histogram, double chord,
                     const cc_render_options *options, cc_tf *tf, cc_tf_source *source,
                     cc_error *err);

/* --data-range pLO:pHI resolved on the histogram into values: percentiles
 * of the values the scale keeps (> 0 on a log scale, all finite ones on a
 * linear scale).  CC_ERR_INPUT when no value is kept. */
cc_status cc_histogram_range(const cc_histogram *histogram, int log_scale, double lo_percent,
                             double hi_percent, double range[2], cc_error *err);

#endif
