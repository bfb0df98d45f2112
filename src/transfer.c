/* transfer.c - the exact transfer function (transfer.h); the single-
 * precision one is inline in the header. */
#include "cubecast/transfer.h"

#include <math.h>

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
