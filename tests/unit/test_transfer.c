/* test_transfer.c - the transfer function (design.md section 1) and its
 * single-precision table. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "cubecast/transfer.h"

/* The contract, written out independently. */
static void reference_transfer(double value, double rgba[4])
{
    static const double g[3][6] = {
        {9.0, 1.0, 1.0, 1.0, 0.1, 0.6},
        {3.0, 0.1, 0.1, 1.0, 0.1, 0.1},
        {-3.0, 0.5, 0.1, 0.1, 1.0, 0.01},
    };
    rgba[0] = rgba[1] = rgba[2] = rgba[3] = 0.0;
    if (!(value > 0.0) || isinf(value))
        return;
    double s = log(value);
    for (int k = 0; k < 3; ++k) {
        double e = exp(-(s - g[k][0]) * (s - g[k][0]) / g[k][1]);
        for (int c = 0; c < 4; ++c)
            rgba[c] += g[k][2 + c] * e;
    }
}

static float float_from_bits(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static void check_exact_zero(double value)
{
    double rgba[4] = {-1, -1, -1, -1};
    cc_transfer_eval(value, rgba);
    for (int c = 0; c < 4; ++c)
        CHECK_SAME(rgba[c], 0.0);
}

static void check_table_zero(const cc_transfer_table *table, float value)
{
    float rgba[4] = {-1, -1, -1, -1};
    cc_transfer_table_eval(table, value, rgba);
    for (int c = 0; c < 4; ++c)
        CHECK_SAME(rgba[c], 0.0);
}

/* The table's promise: within 1e-5 of the exact function, a tenth of
 * design.md's 1e-4 budget for single precision (linear interpolation over
 * 2^9 steps per octave gives at most 6.5e-6). */
#define TABLE_TOLERANCE 1e-5

/* The table at v against the exact function; returns the error. */
static double check_table_at(const cc_transfer_table *table, float v)
{
    double expected[4], worst = 0.0;
    float frgba[4];
    cc_transfer_eval((double)v, expected);
    cc_transfer_table_eval(table, v, frgba);
    for (int c = 0; c < 4; ++c) {
        CHECK_NEAR(frgba[c], expected[c], TABLE_TOLERANCE);
        worst = fmax(worst, fabs(frgba[c] - expected[c]));
    }
    return worst;
}

int main(void)
{
    double rgba[4];

    /* The three band centres. */
    cc_transfer_eval(exp(9.0), rgba);
    CHECK_NEAR(rgba[0], 1.0, 1e-12);
    CHECK_NEAR(rgba[1], 1.0, 1e-12);
    CHECK_NEAR(rgba[2], 0.1, 1e-12);
    CHECK_NEAR(rgba[3], 0.6, 1e-12);

    cc_transfer_eval(exp(3.0), rgba);
    CHECK_NEAR(rgba[0], 0.1, 1e-12);
    CHECK_NEAR(rgba[1], 1.0, 1e-12);
    CHECK_NEAR(rgba[2], 0.1, 1e-12);
    CHECK_NEAR(rgba[3], 0.1, 1e-12);

    cc_transfer_eval(exp(-3.0), rgba);
    CHECK_NEAR(rgba[0], 0.1, 1e-12);
    CHECK_NEAR(rgba[1], 0.1, 1e-12);
    CHECK_NEAR(rgba[2], 1.0, 1e-12);
    CHECK_NEAR(rgba[3], 0.01, 1e-12);

    /* A point between bands: s = 6 (e1 = e^-9, e2 = e^-90, e3 = e^-162). */
    cc_transfer_eval(exp(6.0), rgba);
    CHECK_NEAR(rgba[0], exp(-9.0), 1e-15);
    CHECK_NEAR(rgba[3], 0.6 * exp(-9.0), 1e-15);
    /* s = 8.5: e1 = e^-0.25. */
    cc_transfer_eval(exp(8.5), rgba);
    CHECK_NEAR(rgba[1], exp(-0.25), 1e-13);
    CHECK_NEAR(rgba[2], 0.1 * exp(-0.25), 1e-13);
    /* s = 3.1: e2 = e^-0.1. */
    cc_transfer_eval(exp(3.1), rgba);
    CHECK_NEAR(rgba[1], exp(-0.1) + exp(-34.81), 1e-13);
    CHECK_NEAR(rgba[3], 0.1 * exp(-0.1) + 0.6 * exp(-34.81), 1e-13);
    /* Value 1 (s = 0): e3 = e^-18. */
    cc_transfer_eval(1.0, rgba);
    CHECK_NEAR(rgba[2], exp(-18.0), 1e-15);

    /* Empty values. */
    check_exact_zero(0.0);
    check_exact_zero(-0.0);
    check_exact_zero(-1.0);
    check_exact_zero(-exp(9.0));
    check_exact_zero(-DBL_MIN);
    check_exact_zero(NAN);
    check_exact_zero(-NAN);
    check_exact_zero(INFINITY);
    check_exact_zero(-INFINITY);

    /* A dense sweep against the written-out contract. */
    for (int t = 0; t <= 200000; ++t) {
        double s = -40.0 + 80.0 * t / 200000.0;
        double v = exp(s), expected[4];
        reference_transfer(v, expected);
        cc_transfer_eval(v, rgba);
        for (int c = 0; c < 4; ++c)
            CHECK_NEAR(rgba[c], expected[c], 1e-14);
    }
    /* Extremes: far from every band, so (almost) zero. */
    {
        static const double extremes[] = {DBL_MIN, 4.9e-324, 1e-300, 1e300, DBL_MAX};
        for (size_t e = 0; e < sizeof extremes / sizeof extremes[0]; ++e) {
            cc_transfer_eval(extremes[e], rgba);
            for (int c = 0; c < 4; ++c)
                CHECK(rgba[c] >= 0.0 && rgba[c] <= 1e-30);
        }
    }

    /* The table. */
    cc_transfer_table *table = NULL;
    cc_error err;
    cc_error_clear(&err);
    REQUIRE(cc_transfer_table_create(&table, &err) == CC_OK);
    REQUIRE(table != NULL);

    double worst = 0.0;
    for (int t = 0; t <= 1000000; ++t) {
        double s = -12.0 + 28.0 * t / 1000000.0;
        worst = fmax(worst, check_table_at(table, (float)exp(s)));
    }
    printf("table: worst error over ln(v) in [-12, 16]: %.3g\n", worst);

    /* Every 4099th positive finite float (subnormals to FLT_MAX): within tolerance
     * of the exact function, which is ~0 outside the table's range. */
    worst = 0.0;
    for (uint32_t bits = 1; bits < 0x7f800000u; bits += 4099u)
        worst = fmax(worst, check_table_at(table, float_from_bits(bits)));
    printf("table: worst error over all positive floats (strided): %.3g\n", worst);
    {
        static const float edges[] = {FLT_MIN, 1.4e-45f, FLT_MAX, 1.0f,
                                      8103.08392757538f /* e^9 */};
        for (size_t e = 0; e < sizeof edges / sizeof edges[0]; ++e)
            check_table_at(table, edges[e]);
    }

    check_table_zero(table, 0.0f);
    check_table_zero(table, -0.0f);
    check_table_zero(table, -1.0f);
    check_table_zero(table, -8103.08f);
    check_table_zero(table, -FLT_MIN);
    check_table_zero(table, -FLT_MAX);
    check_table_zero(table, NAN);
    check_table_zero(table, -NAN);
    check_table_zero(table, float_from_bits(0x7fc00001u)); /* a NaN with payload */
    check_table_zero(table, float_from_bits(0xffffffffu)); /* negative NaN, all bits */
    check_table_zero(table, INFINITY);
    check_table_zero(table, -INFINITY);

    cc_transfer_table_destroy(table);
    return check_result("unit_transfer");
}
