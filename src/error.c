/* error.c - the error record (error.h). */
#include "cubecast/error.h"

#include <stdarg.h>
#include <stdio.h>

cc_status cc_fail(cc_error *err, cc_status status, const char *format, ...)
{
    if (err != NULL) {
        va_list args;
        va_start(args, format);
        vsnprintf(err->message, sizeof err->message, format, args);
        va_end(args);
        err->status = status;
    }
    return status;
}

void cc_error_clear(cc_error *err)
{
    err->status = CC_OK;
    err->message[0] = '\0';
}

int cc_exit_code(cc_status status)
{
    switch (status) {
    case CC_OK:
        return 0;
    case CC_ERR_USAGE:
        return 2;
    case CC_ERR_INPUT:
    case CC_ERR_RESOURCES:
        return 3;
    case CC_ERR_OUTPUT:
        return 4;
    case CC_ERR_INTERRUPTED:
        return 75; /* EX_TEMPFAIL: a job script requeues and reruns with --resume */
    default:
        return 1;
    }
}
