/* transfer.c - the transfer function and its single-precision table
 * (transfer.h). */
#include "cubecast/transfer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* (centre, width, weight_r, weight_g, weight_b, weight_a) per Gaussian,
 * design.md section 1. */
static const double cc_bands[3][6] = {
    {9.0, 1.0, 1.0, 1.0, 0.1, 0.6},
    {3.0, 0.1, 0.1, 1.0, 0.1, 0.1},
    {-3.0, 0.5, 0.1, 0.1, 1.0, 0.01},
};

/* The table spans values [2^-14, 2^22], ln from -9.7 to 15.2: outside it
 * every Gaussian is below 1e-16, so those values map to the zero entry. */
enum {
    TABLE_MIN_EXPONENT = -14,
    TABLE_MAX_EXPONENT = 22,
    TABLE_SHIFT = 23 - CC_TRANSFER_TABLE_BITS
};

void cc_transfer_eval(double value, double rgba[4])
{
    rgba[0] = rgba[1] = rgba[2] = rgba[3] = 0.0;
    if (!(value > 0.0) || isinf(value))
        return;
    double s = log(value);
    for (int band = 0; band < 3; band++) {
        double d = s - cc_bands[band][0];
        double e = exp(-d * d / cc_bands[band][1]);
        for (int c = 0; c < 4; c++)
            rgba[c] += cc_bands[band][2 + c] * e;
    }
}

static uint32_t float_bits(float value)
{
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

static float bits_float(uint32_t bits)
{
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

cc_status cc_transfer_table_create(cc_transfer_table **out, cc_error *err)
{
    cc_transfer_table *table = calloc(1, sizeof *table);
    if (table == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    uint32_t steps = (uint32_t)(TABLE_MAX_EXPONENT - TABLE_MIN_EXPONENT) << CC_TRANSFER_TABLE_BITS;
    table->first_bits = float_bits(ldexpf(1.0f, TABLE_MIN_EXPONENT)) >> TABLE_SHIFT;
    table->entries = steps + 1;
    table->steps = calloc((size_t)table->entries * 8, sizeof(float));
    if (table->steps == NULL) {
        cc_transfer_table_destroy(table);
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    }
    double lower[4], upper[4];
    cc_transfer_eval(bits_float(table->first_bits << TABLE_SHIFT), lower);
    for (uint32_t q = 0; q < steps; q++) {
        /* Entries are exact at the step's end points, computed in double. */
        cc_transfer_eval(bits_float((table->first_bits + q + 1) << TABLE_SHIFT), upper);
        for (int c = 0; c < 4; c++) {
            table->steps[8 * q + 2 * c] = (float)lower[c];
            table->steps[8 * q + 2 * c + 1] = (float)(upper[c] - lower[c]);
            lower[c] = upper[c];
        }
    }
    /* The last entry stays zero: every value outside the table (0, negative,
     * NaN, infinite, or beyond the range) is clamped onto it. */
    *out = table;
    return CC_OK;
}

void cc_transfer_table_destroy(cc_transfer_table *table)
{
    if (table == NULL)
        return;
    free(table->steps);
    free(table);
}

void cc_transfer_table_eval(const cc_transfer_table *table, float value, float rgba[4])
{
    uint32_t bits = float_bits(value);
    uint32_t q = (bits >> TABLE_SHIFT) - table->first_bits;
    if (q > table->entries - 1)
        q = table->entries - 1;
    float fraction =
        (float)(bits & ((1u << TABLE_SHIFT) - 1)) * (1.0f / (float)(1u << TABLE_SHIFT));
    for (int c = 0; c < 4; c++)
        rgba[c] = table->steps[8 * q + 2 * c] + fraction * table->steps[8 * q + 2 * c + 1];
}
