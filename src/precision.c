/* precision.c - compute precision (precision.h). */
#include "cubecast/precision.h"

size_t cc_precision_size(cc_precision precision)
{
    return precision == CC_DOUBLE ? sizeof(double) : sizeof(float);
}

const char *cc_precision_name(cc_precision precision)
{
    return precision == CC_DOUBLE ? "double" : "single";
}
