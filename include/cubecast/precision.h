/* precision.h - the floating-point precision a render computes in.
 *
 * Single precision is the default and meets design.md's 1e-4 budget; double
 * precision matches a float64 NumPy/SciPy implementation to 1e-9. */
#ifndef CUBECAST_PRECISION_H
#define CUBECAST_PRECISION_H

#include <stddef.h>

typedef enum cc_precision { CC_SINGLE = 0, CC_DOUBLE = 1 } cc_precision;

/* Bytes per value: 4 or 8. */
size_t cc_precision_size(cc_precision precision);

/* "single" or "double". */
const char *cc_precision_name(cc_precision precision);

#endif
