/* transfer.c - the exact transfer function (transfer.h); the single-
 * precision one is inline in the header. */
#include "cubecast/transfer.h"

#include <math.h>
#include <string.h>

void cc_transfer_eval(double value, double rgba[4])
{
    rgba[0] = rgba[1] = rgba[2] = rgba[3] = 0.0;
    if (!(value > 0.0) || isinf(value))
        return;
    double s = log(value);
    for (int band = 0; band < 3; band++) {
        double d = s - cc_band_centre[band];
        double e = exp(-d * d / cc_band_width[band]);
        for (int c = 0; c < 4; c++)
            rgba[c] += cc_band_weight[c][band] * e;
    }
}

void cc_tf_original(cc_tf *tf)
{
    memset(tf, 0, sizeof *tf);
    tf->kind = CC_TF_ORIGINAL;
    tf->log_scale = 1;
    tf->band_count = 3;
    for (int band = 0; band < 3; band++) {
        tf->centre[band] = cc_band_centre[band];
        tf->width[band] = cc_band_width[band];
        for (int c = 0; c < 4; c++)
            tf->weight[c][band] = cc_band_weight[c][band];
    }
}

static void eval_bands(const cc_tf *tf, double s, double rgba[4])
{
    for (int band = 0; band < tf->band_count; band++) {
        double d = s - tf->centre[band];
        double e = exp(-d * d / tf->width[band]);
        for (int c = 0; c < 4; c++)
            rgba[c] += tf->weight[c][band] * e;
    }
    rgba[3] = rgba[3] < 1.0 ? rgba[3] : 1.0;
}

static void eval_piecewise(const cc_tf *tf, double x, double rgba[4])
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

void cc_tf_eval(const cc_tf *tf, double value, double rgba[4])
{
    rgba[0] = rgba[1] = rgba[2] = rgba[3] = 0.0;
    if (tf->kind == CC_TF_ORIGINAL && tf->opacity_exponent == 0.0) {
        cc_transfer_eval(value, rgba);
        return;
    }
    /* Infinite values are empty for bands; a piecewise function clamps
     * them to its end values (design.md section 5: only NaN is empty). */
    int piecewise = tf->kind == CC_TF_PIECEWISE;
    int empty = isnan(value) || (!piecewise && isinf(value)) || (tf->log_scale && !(value > 0.0));
    if (empty)
        return;
    if (tf->kind == CC_TF_PIECEWISE)
        eval_piecewise(tf, tf->log_scale ? log10(value) : value, rgba);
    else
        eval_bands(tf, tf->log_scale ? log(value) : value, rgba);
    if (tf->opacity_exponent != 0.0)
        rgba[3] = 1.0 - pow(1.0 - rgba[3], tf->opacity_exponent);
}

void cc_tf_single_from(const cc_tf *tf, cc_tf_single *out)
{
    memset(out, 0, sizeof *out);
    out->kind = tf->kind;
    out->log_scale = tf->log_scale;
    out->band_count = tf->band_count;
    out->node_count = tf->node_count;
    const double log2e = 1.442695040888963407;
    for (int band = 0; band < tf->band_count; band++) {
        out->centre[band] = (float)tf->centre[band];
        out->factor[band] = (float)(log2e / tf->width[band]);
        for (int c = 0; c < 4; c++)
            out->weight[c][band] = (float)tf->weight[c][band];
    }
    for (int node = 0; node < tf->node_count; node++) {
        out->node_x[node] = (float)tf->node_x[node];
        for (int c = 0; c < 4; c++)
            out->node_rgba[c][node] = (float)tf->node_rgba[c][node];
    }
    out->alpha_count = tf->curved ? tf->alpha_count : 0;
    for (int p = 0; p < out->alpha_count; p++) {
        out->alpha_x[p] = (float)tf->alpha_x[p];
        out->alpha_y[p] = (float)tf->alpha_y[p];
        out->alpha_mid[p] = (float)tf->alpha_mid[p];
        out->alpha_sharp[p] = (float)tf->alpha_sharp[p];
    }
    out->opacity_exponent = (float)tf->opacity_exponent;
}
