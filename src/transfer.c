/* transfer.c - the exact transfer function (transfer.h); the single-
 * precision one is inline in the header. */
#include "cubecast/transfer.h"

#include <math.h>

/* (centre, width, weight_r, weight_g, weight_b, weight_a) per Gaussian,
 * design.md section 1. */
static const double cc_bands[3][6] = {
    {9.0, 1.0, 1.0, 1.0, 0.1, 0.6},
    {3.0, 0.1, 0.1, 1.0, 0.1, 0.1},
    {-3.0, 0.5, 0.1, 0.1, 1.0, 0.01},
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
