/* transfer.h - the transfer function: density -> colour and opacity.
 *
 * On s = ln(value), a sum of three Gaussians exp(-(s - centre)^2 / width),
 * weighted per channel (design.md section 1).  A value that is <= 0, NaN or
 * infinite maps to zero colour and zero opacity: it is empty.
 *
 * Double precision evaluates it exactly.  Single precision evaluates log2
 * and the three exps by short polynomials on the float's exponent and
 * mantissa, inline, so the render kernel's loop vectorises: within 5.4e-7
 * of the exact function for every float (design.md's budget is 1e-4).  It
 * replaced a table indexed by the float's bits, whose four gathers per
 * sample cost more than the arithmetic and whose 0.6-1.2 MiB crowded L2. */
#ifndef CUBECAST_TRANSFER_H
#define CUBECAST_TRANSFER_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* design.md section 1, the one copy of its numbers: per Gaussian band its
 * centre and width on ln(value), and per channel (r, g, b, a) its weight
 * of each band.  The exact function, the double-precision kernel and the
 * single-precision polynomials below all read these. */
static const double cc_band_centre[3] = {9.0, 3.0, -3.0};
static const double cc_band_width[3] = {1.0, 0.1, 0.5};
static const double cc_band_weight[4][3] = {
    {1.0, 0.1, 0.1}, {1.0, 1.0, 0.1}, {0.1, 0.1, 1.0}, {0.6, 0.1, 0.01}};

/* The exact transfer function in double precision: rgba[0..3] of value. */
void cc_transfer_eval(double value, double rgba[4]);

/* 2^y for y <= 0, to 1.1e-7 relative; 2^-126 (the least normal float)
 * for y <= -126, which composites exactly as zero would. */
static inline float cc_exp2_nonpositive(float y)
{
    y = y < -126.0f ? -126.0f : y;
    /* roundf, not rintf: gcc 12's vector rintf made the kernel 20% slower. */
    float whole = roundf(y), f = y - whole;
    float p = 1.340043695e-03f;
    p = p * f + 9.676041929e-03f;
    p = p * f + 5.550327202e-02f;
    p = p * f + 2.402210727e-01f;
    p = p * f + 6.931472067e-01f;
    p = p * f + 1.000000076e+00f;
    /* Scale by 2^whole in the exponent field: p is in [0.7, 1.42]. */
    uint32_t bits;
    memcpy(&bits, &p, sizeof bits);
    bits += (uint32_t)(int32_t)whole << 23;
    memcpy(&p, &bits, sizeof p);
    return p;
}

/* The transfer function of a float in single precision (polynomials from
 * scripts/fit_transfer_poly.py).  Branch-free: the kernel calls it for
 * every sample of a vector, empty ones included, which get exactly 0. */
static inline void cc_transfer_single(float value, float *r, float *g, float *b, float *a)
{
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    /* 0 < value < inf, as unsigned bits: also rejects -0, negatives, NaN. */
    int empty = bits - 1u >= 0x7f7fffffu;
    bits = empty ? 0x3f800000u : bits;
    /* value = 2^exponent * m with m in [sqrt(1/2), sqrt(2)), so that
     * log2(m) = t * q(t) is small and accurate around t = m - 1 = 0. */
    uint32_t shifted = bits + (0x3f800000u - 0x3f3504f3u);
    float exponent = (float)((int32_t)(shifted >> 23) - 127);
    uint32_t m_bits = (shifted & 0x7fffffu) + 0x3f3504f3u;
    float m;
    memcpy(&m, &m_bits, sizeof m);
    float t = m - 1.0f;
    float q = -1.462052958e-01f;
    q = q * t + 2.342126154e-01f;
    q = q * t + -2.488223453e-01f;
    q = q * t + 2.870753210e-01f;
    q = q * t + -3.602419243e-01f;
    q = q * t + 4.809240463e-01f;
    q = q * t + -7.213527599e-01f;
    q = q * t + 1.442694958e+00f;
    float log2_m = t * q;
    /* Per band, d = log2(value) - centre / ln2 and the Gaussian is
     * 2^(-d^2 ln2 / width).  The exponent's integer is subtracted first,
     * exactly, so d keeps its digits near the band centre.  The constants
     * fold at compile time. */
    const double ln2 = 0.693147180559945309417;
    float keep = empty ? 0.0f : 1.0f, e[3];
    for (int band = 0; band < 3; band++) {
        float d = (exponent - (float)(cc_band_centre[band] / ln2)) + log2_m;
        e[band] = keep * cc_exp2_nonpositive(-(d * d) * (float)(ln2 / cc_band_width[band]));
    }
    float rgba[4];
    for (int c = 0; c < 4; c++)
        rgba[c] = (float)cc_band_weight[c][0] * e[0] + (float)cc_band_weight[c][1] * e[1] +
                  (float)cc_band_weight[c][2] * e[2];
    *r = rgba[0];
    *g = rgba[1];
    *b = rgba[2];
    *a = rgba[3];
}

#endif
