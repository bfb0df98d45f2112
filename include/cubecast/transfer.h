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

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cubecast/hostdev.h"

#ifdef __cplusplus
extern "C" {
#endif

/* design.md section 1, the one copy of its numbers: per Gaussian band its
 * centre and width on ln(value), and per channel (r, g, b, a) its weight
 * of each band.  The exact function, the double-precision kernel and the
 * single-precision polynomials below all read these.  Initialisers, so
 * that a function GPU code calls copies them into a local array (device
 * code cannot read a host array; the copy folds into constants). */
#define CC_BAND_CENTRES                                                                            \
    {                                                                                              \
        9.0, 3.0, -3.0                                                                             \
    }
#define CC_BAND_WIDTHS                                                                             \
    {                                                                                              \
        1.0, 0.1, 0.5                                                                              \
    }
#define CC_BAND_WEIGHTS                                                                            \
    {                                                                                              \
        {1.0, 0.1, 0.1}, {1.0, 1.0, 0.1}, {0.1, 0.1, 1.0},                                         \
        {                                                                                          \
            0.6, 0.1, 0.01                                                                         \
        }                                                                                          \
    }
static const double cc_band_centre[3] = CC_BAND_CENTRES;
static const double cc_band_width[3] = CC_BAND_WIDTHS;
static const double cc_band_weight[4][3] = CC_BAND_WEIGHTS;

/* The exact transfer function in double precision: rgba[0..3] of value. */
void cc_transfer_eval(double value, double rgba[4]);

/* ---- the user's transfer function (design.md section 5) ----------------
 *
 * A value the renderer is given, built once per run (tf_file.h reads the
 * files).  CC_TF_ORIGINAL is section 1's three bands, rendered by the fast
 * code above and bit for bit as before; CC_TF_BANDS is any list of Gaussian
 * bands on s = ln(value) or s = value, a = min(a, 1); CC_TF_PIECEWISE is
 * ParaView's piecewise-linear colour and opacity on x = value or
 * x = log10(value), clamped outside its nodes.  Any of them may correct
 * opacity for the sample spacing: a' = 1 - (1 - a)^opacity_exponent, with
 * opacity_exponent = delta / L (0: none).  Plain data, so that a GPU
 * backend can copy it whole. */
typedef enum cc_tf_kind { CC_TF_ORIGINAL = 0, CC_TF_BANDS, CC_TF_PIECEWISE } cc_tf_kind;
enum { CC_TF_MAX_BANDS = 16, CC_TF_MAX_NODES = 1024 };

typedef struct cc_tf {
    cc_tf_kind kind;
    int log_scale; /* bands: s = ln(value); piecewise: x = log10(value); else the value */
    int band_count;
    double centre[CC_TF_MAX_BANDS], width[CC_TF_MAX_BANDS];
    double weight[4][CC_TF_MAX_BANDS]; /* r, g, b, a of each band */
    int node_count;                    /* piecewise: 2 or more nodes */
    double node_x[CC_TF_MAX_NODES];    /* increasing (equal x: a step) */
    double node_rgba[4][CC_TF_MAX_NODES];
    /* ParaView opacity points with a midpoint other than 0.5 or a
     * sharpness other than 0: opacity is then VTK's curve over these
     * points (cc_tf_curved_opacity) rather than node_rgba[3]. */
    int curved, alpha_count;
    double alpha_x[CC_TF_MAX_NODES], alpha_y[CC_TF_MAX_NODES];
    double alpha_mid[CC_TF_MAX_NODES], alpha_sharp[CC_TF_MAX_NODES];
    double opacity_exponent;
} cc_tf;

/* Section 1's function as a cc_tf (kind CC_TF_ORIGINAL, its bands filled in). */
void cc_tf_original(cc_tf *tf);

/* rgba of value in double precision, for any kind: the reference the
 * kernels are tested against, and the double-precision kernel's own
 * arithmetic for bands and piecewise functions. */
void cc_tf_eval(const cc_tf *tf, double value, double rgba[4]);

/* x's segment among n increasing nodes: the largest i in [0, n-2] with
 * node_x[i] <= x (0 below the first node).  Branch-free binary search, so
 * a vectorised loop can call it. */
CC_HOST_DEVICE static inline int cc_tf_segment(const double *node_x, int n, double x)
{
    int lo = 0, step = 1;
    while (step * 2 <= n - 1)
        step *= 2;
    for (; step > 0; step /= 2)
        lo = (lo + step <= n - 2 && node_x[lo + step] <= x) ? lo + step : lo;
    return lo;
}

/* 2^y for y <= 0, to 1.1e-7 relative; 2^-126 (the least normal float)
 * for y <= -126, which composites exactly as zero would. */
CC_HOST_DEVICE static CC_FORCE_INLINE float cc_exp2_nonpositive(float y)
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

/* log2 of a positive finite float in two parts, the exponent (an integer,
 * exact) and log2 of the mantissa m in [sqrt(1/2), sqrt(2)), where
 * log2(m) = t * q(t) is small and accurate around t = m - 1 = 0 (within
 * 1e-7; polynomial from scripts/fit_transfer_poly.py).  bits must be a
 * positive finite float's. */
CC_HOST_DEVICE static CC_FORCE_INLINE void cc_log2_split(uint32_t bits, float *exponent,
                                                         float *log2_m)
{
    uint32_t shifted = bits + (0x3f800000u - 0x3f3504f3u);
    *exponent = (float)((int32_t)(shifted >> 23) - 127);
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
    *log2_m = t * q;
}

/* Section 1's colour and opacity in double precision at s = ln(value),
 * every band's Gaussian weighted by keep (1, or 0 for an empty sample, so
 * that it gives exactly 0 without a branch): the per-sample step of the
 * double-precision kernels.  A kernel that wants it vectorised declares
 * exp SIMD-callable before its loop (render.c). */
CC_HOST_DEVICE static inline void cc_transfer_double(double s, double keep, double *r, double *g,
                                                     double *b, double *a)
{
    const double band_centre[3] = CC_BAND_CENTRES, band_width[3] = CC_BAND_WIDTHS;
    const double band_weight[4][3] = CC_BAND_WEIGHTS;
    double d1 = s - band_centre[0], d2 = s - band_centre[1], d3 = s - band_centre[2];
    double e1 = keep * exp(-d1 * d1 / band_width[0]);
    double e2 = keep * exp(-d2 * d2 / band_width[1]);
    double e3 = keep * exp(-d3 * d3 / band_width[2]);
    *r = band_weight[0][0] * e1 + band_weight[0][1] * e2 + band_weight[0][2] * e3;
    *g = band_weight[1][0] * e1 + band_weight[1][1] * e2 + band_weight[1][2] * e3;
    *b = band_weight[2][0] * e1 + band_weight[2][1] * e2 + band_weight[2][2] * e3;
    *a = band_weight[3][0] * e1 + band_weight[3][1] * e2 + band_weight[3][2] * e3;
}

/* The transfer function of a float in single precision (polynomials from
 * scripts/fit_transfer_poly.py).  Branch-free: the kernel calls it for
 * every sample of a vector, empty ones included, which get exactly 0. */
CC_HOST_DEVICE static inline void cc_transfer_single(float value, float *r, float *g, float *b,
                                                     float *a)
{
    const double band_centre[3] = CC_BAND_CENTRES, band_width[3] = CC_BAND_WIDTHS;
    const double band_weight[4][3] = CC_BAND_WEIGHTS;
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    /* 0 < value < inf, as unsigned bits: also rejects -0, negatives, NaN. */
    int empty = bits - 1u >= 0x7f7fffffu;
    bits = empty ? 0x3f800000u : bits;
    float exponent, log2_m;
    cc_log2_split(bits, &exponent, &log2_m);
    /* Per band, d = log2(value) - centre / ln2 and the Gaussian is
     * 2^(-d^2 ln2 / width).  The exponent's integer is subtracted first,
     * exactly, so d keeps its digits near the band centre.  The constants
     * fold at compile time. */
    const double ln2 = 0.693147180559945309417;
    float keep = empty ? 0.0f : 1.0f, e[3];
    for (int band = 0; band < 3; band++) {
        float d = (exponent - (float)(band_centre[band] / ln2)) + log2_m;
        e[band] = keep * cc_exp2_nonpositive(-(d * d) * (float)(ln2 / band_width[band]));
    }
    float rgba[4];
    for (int c = 0; c < 4; c++)
        rgba[c] = (float)band_weight[c][0] * e[0] + (float)band_weight[c][1] * e[1] +
                  (float)band_weight[c][2] * e[2];
    *r = rgba[0];
    *g = rgba[1];
    *b = rgba[2];
    *a = rgba[3];
}

/* VTK's opacity between points (x1, y1) and (x2, y2) at t = (u - x1) /
 * (x2 - x1) in [0, 1], with the lower point's midpoint and sharpness
 * (vtkPiecewiseFunction::GetTable, Common/DataModel/vtkPiecewiseFunction.cxx):
 * the midpoint moves t's half-way mark, then sharpness < 0.01 is linear,
 * > 0.99 a step, and in between a Hermite curve through the two values
 * with slope (1 - sharpness) (y2 - y1), clamped to them. */
CC_HOST_DEVICE static inline double cc_vtk_opacity(double t, double y1, double y2, double midpoint,
                                                   double sharpness)
{
    double m = midpoint < 1e-5 ? 1e-5 : (midpoint > 1.0 - 1e-5 ? 1.0 - 1e-5 : midpoint);
    t = t < m ? 0.5 * t / m : 0.5 + 0.5 * (t - m) / (1.0 - m);
    if (sharpness > 0.99)
        return t < 0.5 ? y1 : y2;
    if (sharpness < 0.01)
        return (1.0 - t) * y1 + t * y2;
    if (t < 0.5)
        t = 0.5 * pow(t * 2.0, 1.0 + 10.0 * sharpness);
    else if (t > 0.5)
        t = 1.0 - 0.5 * pow((1.0 - t) * 2.0, 1.0 + 10.0 * sharpness);
    double ss = t * t, sss = ss * t;
    double slope = (1.0 - sharpness) * (y2 - y1);
    double y = (2.0 * sss - 3.0 * ss + 1.0) * y1 + (-2.0 * sss + 3.0 * ss) * y2 +
               (sss - 2.0 * ss + t) * slope + (sss - ss) * slope;
    double lo = y1 < y2 ? y1 : y2, hi = y1 < y2 ? y2 : y1;
    return y < lo ? lo : (y > hi ? hi : y);
}

/* The opacity of a curved function at x (x already scaled): VTK's curve on
 * the opacity points' segment holding x, their end values outside. */
CC_HOST_DEVICE static inline double cc_tf_curved_opacity(const cc_tf *tf, double x)
{
    int n = tf->alpha_count;
    if (!(x >= tf->alpha_x[0]))
        return tf->alpha_y[0];
    if (x >= tf->alpha_x[n - 1])
        return tf->alpha_y[n - 1];
    int i = cc_tf_segment(tf->alpha_x, n, x);
    double t = (x - tf->alpha_x[i]) / (tf->alpha_x[i + 1] - tf->alpha_x[i]);
    return cc_vtk_opacity(t, tf->alpha_y[i], tf->alpha_y[i + 1], tf->alpha_mid[i],
                          tf->alpha_sharp[i]);
}

/* ---- single precision for any cc_tf ------------------------------------ */

/* A cc_tf's numbers in float, prepared once per run for the kernel. */
typedef struct cc_tf_single {
    int kind, log_scale, band_count, node_count;
    float centre[CC_TF_MAX_BANDS];
    float factor[CC_TF_MAX_BANDS]; /* log2(e) / width */
    float weight[4][CC_TF_MAX_BANDS];
    float node_x[CC_TF_MAX_NODES];
    float node_rgba[4][CC_TF_MAX_NODES];
    int alpha_count;
    float alpha_x[CC_TF_MAX_NODES], alpha_y[CC_TF_MAX_NODES];
    float alpha_mid[CC_TF_MAX_NODES], alpha_sharp[CC_TF_MAX_NODES];
    float opacity_exponent;
} cc_tf_single;

void cc_tf_single_from(const cc_tf *tf, cc_tf_single *out);

/* log2 of a positive finite float (cc_log2_split); anything else gives a
 * finite value, to be masked. */
CC_HOST_DEVICE static CC_FORCE_INLINE float cc_log2_single(float value)
{
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    float exponent, log2_m;
    cc_log2_split(bits - 1u >= 0x7f7fffffu ? 0x3f800000u : bits, &exponent, &log2_m);
    return exponent + log2_m;
}

/* cc_vtk_opacity in float, branch-free for a vectorised caller: b^e as
 * 2^(e log2 b) by the polynomials above. */
CC_HOST_DEVICE static inline float cc_vtk_opacity_single(float t, float y1, float y2,
                                                         float midpoint, float sharpness)
{
    float m = midpoint < 1e-5f ? 1e-5f : (midpoint > 1.0f - 1e-5f ? 1.0f - 1e-5f : midpoint);
    t = t < m ? 0.5f * t / m : 0.5f + 0.5f * (t - m) / (1.0f - m);
    float e = 1.0f + 10.0f * sharpness;
    float low_base = t * 2.0f, high_base = (1.0f - t) * 2.0f;
    float low = low_base > 0.0f ? cc_exp2_nonpositive(e * cc_log2_single(low_base)) : 0.0f;
    float high = high_base > 0.0f ? cc_exp2_nonpositive(e * cc_log2_single(high_base)) : 0.0f;
    float u = t < 0.5f ? 0.5f * low : (t > 0.5f ? 1.0f - 0.5f * high : t);
    float ss = u * u, sss = ss * u;
    float slope = (1.0f - sharpness) * (y2 - y1);
    float y = (2.0f * sss - 3.0f * ss + 1.0f) * y1 + (-2.0f * sss + 3.0f * ss) * y2 +
              (sss - 2.0f * ss + u) * slope + (sss - ss) * slope;
    float lo = y1 < y2 ? y1 : y2, hi = y1 < y2 ? y2 : y1;
    y = y < lo ? lo : (y > hi ? hi : y);
    float linear = (1.0f - t) * y1 + t * y2, step = t < 0.5f ? y1 : y2;
    return sharpness > 0.99f ? step : (sharpness < 0.01f ? linear : y);
}

/* One sample's colour and opacity for a band or piecewise function, the
 * per-sample step of a kernel (CPU or GPU): empty values (NaN on any scale,
 * infinities for bands, <= 0 on a log scale) give exactly 0; a piecewise
 * function clamps infinities to its end values.  log_scale and nodes are
 * tf's, passed in so that a caller hoists them out of its loop; shape (0
 * bands, 1 piecewise, 2 piecewise with VTK's opacity curve), count (bands,
 * or halvings of the segment search: cc_tf_search_halvings) and corrected
 * (an opacity unit is set) are meant to be constants at the call, so that
 * a compiler unrolls the loops and vectorises the caller's loop over rays;
 * the results are cc_tf_eval's in float. */
typedef struct cc_rgba_single {
    float r, g, b, a;
} cc_rgba_single;

CC_HOST_DEVICE static CC_FORCE_INLINE cc_rgba_single cc_tf_sample_single(const cc_tf_single *tf,
                                                                         float value, int log_scale,
                                                                         int nodes, const int shape,
                                                                         const int count,
                                                                         const int corrected)
{
    const int piecewise = shape >= 1, curved = shape == 2;
    const float ln2 = 0.693147180559945309f, log10_2 = 0.301029995663981195f;
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    int finite = (bits & 0x7f800000u) != 0x7f800000u;
    int nan = (bits & 0x7fffffffu) > 0x7f800000u;
    int positive = bits - 1u < 0x7f800000u; /* +inf counts */
    int empty = nan || (!piecewise && !finite) || (log_scale && !positive);
    float keep = empty ? 0.0f : 1.0f;
    float s =
        log_scale ? cc_log2_single(value) * (piecewise ? log10_2 : ln2) : (finite ? value : 0.0f);
    s = finite ? s : ((bits & 0x80000000u) ? -FLT_MAX : FLT_MAX);
    float cr = 0.0f, cg = 0.0f, cb = 0.0f, a = 0.0f;
    if (piecewise) {
        /* cc_tf_segment in float, unrolled; the reads stay inside the
         * nodes, so a vector gather needs no mask. */
        int seg = 0;
        CC_UNROLL
        for (int halving = count - 1; halving >= 0; halving--) {
            int next = seg + (1 << halving);
            int clamped = next < nodes - 2 ? next : nodes - 2;
            float x = tf->node_x[clamped];
            seg = ((next == clamped) & (x <= s)) ? next : seg;
        }
        float x0 = tf->node_x[seg], width = tf->node_x[seg + 1] - x0;
        float u = width > 0.0f ? (s - x0) / width : 1.0f;
        u = u < 0.0f ? 0.0f : (u > 1.0f ? 1.0f : u);
        float w0 = keep * (1.0f - u), w1 = keep * u;
        cr = w0 * tf->node_rgba[0][seg] + w1 * tf->node_rgba[0][seg + 1];
        cg = w0 * tf->node_rgba[1][seg] + w1 * tf->node_rgba[1][seg + 1];
        cb = w0 * tf->node_rgba[2][seg] + w1 * tf->node_rgba[2][seg + 1];
        a = w0 * tf->node_rgba[3][seg] + w1 * tf->node_rgba[3][seg + 1];
    } else {
        CC_UNROLL
        for (int band = 0; band < count; band++) {
            float d = s - tf->centre[band];
            float e = keep * cc_exp2_nonpositive(-(d * d) * tf->factor[band]);
            cr += tf->weight[0][band] * e;
            cg += tf->weight[1][band] * e;
            cb += tf->weight[2][band] * e;
            a += tf->weight[3][band] * e;
        }
        a = a < 1.0f ? a : 1.0f;
    }
    if (curved) {
        /* VTK's opacity curve on the opacity points' own segments. */
        int alphas = tf->alpha_count, seg = 0;
        CC_UNROLL
        for (int halving = count - 1; halving >= 0; halving--) {
            int next = seg + (1 << halving);
            int clamped = next < alphas - 2 ? next : alphas - 2;
            float x = tf->alpha_x[clamped];
            seg = ((next == clamped) & (x <= s)) ? next : seg;
        }
        float x0 = tf->alpha_x[seg], x1 = tf->alpha_x[seg + 1];
        float u = x1 > x0 ? (s - x0) / (x1 - x0) : 1.0f;
        u = u < 0.0f ? 0.0f : (u > 1.0f ? 1.0f : u);
        float curve = cc_vtk_opacity_single(u, tf->alpha_y[seg], tf->alpha_y[seg + 1],
                                            tf->alpha_mid[seg], tf->alpha_sharp[seg]);
        a = keep * curve;
    }
    if (corrected) {
        float clear = 1.0f - a;
        float kept = cc_exp2_nonpositive(tf->opacity_exponent * cc_log2_single(clear));
        a = clear > 0.0f ? 1.0f - kept : 1.0f;
    }
    cc_rgba_single rgba = {cr, cg, cb, a};
    return rgba;
}

/* The halvings cc_tf_segment makes for n nodes, at least 2: halvings past
 * the last node change nothing, and gcc 12 vectorises no copy with one. */
CC_HOST_DEVICE static inline int cc_tf_search_halvings(int nodes)
{
    int halvings = 0;
    for (int step = 1; step * 2 <= nodes - 1; step *= 2)
        halvings++;
    halvings = nodes > 2 ? halvings + 1 : 0;
    return halvings < 2 ? 2 : halvings;
}

/* ---- double precision, exactly ------------------------------------------
 *
 * The bodies of cc_transfer_eval and cc_tf_eval (transfer.c), inline so
 * that a GPU kernel evaluates the same arithmetic. */

/* Section 1's function at value (cc_transfer_eval). */
CC_HOST_DEVICE static inline void cc_transfer_eval_at(double value, double rgba[4])
{
    const double band_centre[3] = CC_BAND_CENTRES, band_width[3] = CC_BAND_WIDTHS;
    const double band_weight[4][3] = CC_BAND_WEIGHTS;
    rgba[0] = rgba[1] = rgba[2] = rgba[3] = 0.0;
    if (!(value > 0.0) || isinf(value))
        return;
    double s = log(value);
    for (int band = 0; band < 3; band++) {
        double d = s - band_centre[band];
        double e = exp(-d * d / band_width[band]);
        for (int c = 0; c < 4; c++)
            rgba[c] += band_weight[c][band] * e;
    }
}

CC_HOST_DEVICE static inline void cc_tf_eval_bands(const cc_tf *tf, double s, double rgba[4])
{
    for (int band = 0; band < tf->band_count; band++) {
        double d = s - tf->centre[band];
        double e = exp(-d * d / tf->width[band]);
        for (int c = 0; c < 4; c++)
            rgba[c] += tf->weight[c][band] * e;
    }
    rgba[3] = rgba[3] < 1.0 ? rgba[3] : 1.0;
}

CC_HOST_DEVICE static inline void cc_tf_eval_piecewise(const cc_tf *tf, double x, double rgba[4])
{
    int n = tf->node_count, i = cc_tf_segment(tf->node_x, n, x);
    double width = tf->node_x[i + 1] - tf->node_x[i];
    double t = width > 0.0 ? (x - tf->node_x[i]) / width : 1.0;
    t = t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);
    for (int c = 0; c < 4; c++)
        rgba[c] = (1.0 - t) * tf->node_rgba[c][i] + t * tf->node_rgba[c][i + 1];
    if (tf->curved)
        rgba[3] = cc_tf_curved_opacity(tf, x);
}

/* Any kind at value (cc_tf_eval). */
CC_HOST_DEVICE static inline void cc_tf_eval_at(const cc_tf *tf, double value, double rgba[4])
{
    rgba[0] = rgba[1] = rgba[2] = rgba[3] = 0.0;
    if (tf->kind == CC_TF_ORIGINAL && tf->opacity_exponent == 0.0) {
        cc_transfer_eval_at(value, rgba);
        return;
    }
    /* Infinite values are empty for bands; a piecewise function clamps
     * them to its end values (design.md section 5: only NaN is empty). */
    int piecewise = tf->kind == CC_TF_PIECEWISE;
    int empty = isnan(value) || (!piecewise && isinf(value)) || (tf->log_scale && !(value > 0.0));
    if (empty)
        return;
    if (tf->kind == CC_TF_PIECEWISE)
        cc_tf_eval_piecewise(tf, tf->log_scale ? log10(value) : value, rgba);
    else
        cc_tf_eval_bands(tf, tf->log_scale ? log(value) : value, rgba);
    if (tf->opacity_exponent != 0.0)
        rgba[3] = 1.0 - pow(1.0 - rgba[3], tf->opacity_exponent);
}

#ifdef __cplusplus
}
#endif

#endif
