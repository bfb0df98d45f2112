/* transfer.c - the exact transfer function (transfer.h); the single-
 * precision one is inline in the header. */
#include "cubecast/transfer.h"

#include <math.h>
#include <string.h>

void cc_transfer_eval(double value, double rgba[4])
{
    cc_transfer_eval_at(value, rgba);
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

void cc_tf_eval(const cc_tf *tf, double value, double rgba[4])
{
    cc_tf_eval_at(tf, value, rgba);
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
