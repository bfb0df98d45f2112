/* transfer.h - the transfer function: density -> colour and opacity.
 *
 * On s = ln(value), a sum of three Gaussians exp(-(s - centre)^2 / width),
 * weighted per channel (design.md section 1).  A value that is <= 0, NaN or
 * infinite maps to zero colour and zero opacity: it is empty.
 *
 * Single-precision rendering uses a table indexed by the bits of the float
 * value (log-spaced, linearly interpolated inside each step), which replaces a
 * log and three exps per sample by two table reads; its error stays far inside
 * design.md's 1e-4 budget and the golden tests check it. */
#ifndef CUBECAST_TRANSFER_H
#define CUBECAST_TRANSFER_H

#include <stdint.h>

#include "cubecast/error.h"

/* The exact transfer function in double precision: rgba[0..3] of value. */
void cc_transfer_eval(double value, double rgba[4]);

/* Mantissa bits resolved by the table: 2^bits steps per power of two.
 * 9 bits keep every channel within 6.5e-6 of the exact function (10 bits:
 * 1.6e-6, 8 bits: 2.6e-5) in a 576 KiB table.  The 1.15 MiB table of 10
 * bits did not share the 1 MiB L2 with a 4 MiB plane's working set: W2
 * rendered about 10% slower. */
enum { CC_TRANSFER_TABLE_BITS = 9 };

/* The table.  Entry q holds, for r, g, b and a in turn, the value at the
 * start of step q and its slope to the next step (8 floats), so a lookup is
 * channel = value + fraction * slope.  Pairs sit side by side so the kernel
 * fetches each with one 64-bit gather. */
typedef struct cc_transfer_table {
    uint32_t first_bits; /* float bits of the value at entry 0, shifted */
    uint32_t entries;    /* number of entries; the last one is all zero */
    float *steps;        /* entries x 8: r, r', g, g', b, b', a, a' */
} cc_transfer_table;

cc_status cc_transfer_table_create(cc_transfer_table **out, cc_error *err);
void cc_transfer_table_destroy(cc_transfer_table *table);

/* Table lookup for one value (the kernel inlines the same arithmetic). */
void cc_transfer_table_eval(const cc_transfer_table *table, float value, float rgba[4]);

#endif
