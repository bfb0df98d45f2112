/* generate.h - a deterministic synthetic datacube.
 *
 * Stands in for the original's unpublished datacube: a lognormal background
 * around ln(density) = -3, clumpy shells around 3 and a dense core reaching 9
 * to 10, so all three bands of the transfer function show.  The same shape
 * and seed give the same bytes, whatever the thread count. */
#ifndef CUBECAST_GENERATE_H
#define CUBECAST_GENERATE_H

#include <stdint.h>

#include "cubecast/error.h"

typedef enum cc_dtype { CC_FLOAT32 = 0, CC_FLOAT64 = 1 } cc_dtype;

typedef struct cc_generate_options {
    long shape[3]; /* nx, ny, nz (each >= 2) */
    uint64_t seed;
    cc_dtype dtype;
    const char *dataset; /* dataset path; "density" when NULL */
    int force;           /* replace an existing file at the path */
} cc_generate_options;

typedef struct cc_generator cc_generator;

/* Draws the cube's random structure (clump positions, noise lattice). */
cc_status cc_generator_create(const cc_generate_options *options, cc_generator **out,
                              cc_error *err);
void cc_generator_destroy(cc_generator *generator);

/* Fills planes [x_begin, x_begin + x_count) with density values, C order
 * (x_count x ny x nz). */
void cc_generator_fill(const cc_generator *generator, long x_begin, long x_count, double *out);

/* Writes the cube to path, slab by slab so memory stays small, atomically. */
cc_status cc_generate(const char *path, const cc_generate_options *options, cc_error *err);

#endif
