/* raw.h - the unquantised results (--raw FILE.h5), what exactness tests read.
 *
 * Datasets: "frames" (F, N, N, 3) in the compute precision, the colour C
 * clipped to [0, 1] (what the PNGs show over black); "transmittance"
 * (F, N, N) in the compute precision, T = prod(1 - a) as rendered, so that
 * every PNG (any --background, --bit-depth) follows from C and T
 * (image.h); "angles" (F) in degrees; "frame_index" (F) the global frame
 * numbers; "projection" (Ny, Nz) float64, ln of the mean along x.  Root
 * attributes: size, frames, start_deg, sweep_deg, precision, bit_depth and
 * background (cc_output_background_name).  The file
 * is created collectively with parallel HDF5 under a temporary name; each
 * rank writes its own frames; cc_raw_close renames it into place. */
#ifndef CUBECAST_RAW_H
#define CUBECAST_RAW_H

#include <mpi.h>

#include "cubecast/error.h"
#include "cubecast/image.h"
#include "cubecast/options.h"

typedef struct cc_raw cc_raw;

/* Collective.  The file holds the frames of options' range, slot 0 being
 * frame range_begin; ny, nz: the projection's shape. */
cc_status cc_raw_create(const char *path, MPI_Comm comm, const cc_render_options *options, long ny,
                        long nz, cc_raw **out, cc_error *err);

/* Independent: writes one frame (global number frame): its clipped colour
 * and its transmittance. */
cc_status cc_raw_write_frame(cc_raw *raw, int frame, double angle_deg, const cc_image *image,
                             cc_error *err);

/* Independent, one rank: writes the projection (ny x nz, float64). */
cc_status cc_raw_write_projection(cc_raw *raw, const double *projection, cc_error *err);

/* Collective.  commit nonzero: close and rename into place; zero: close and
 * remove the temporary file. */
cc_status cc_raw_close(cc_raw *raw, int commit, cc_error *err);

#endif
