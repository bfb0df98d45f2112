/* error.h - status codes and the error record every fallible call fills.
 *
 * Fallible functions return a cc_status and, when they fail, describe the
 * problem in a cc_error the caller passes in.  The message is written for the
 * user (it names the file, the dataset or the option), so the program prints
 * it as it is, once, from rank 0. */
#ifndef CUBECAST_ERROR_H
#define CUBECAST_ERROR_H

typedef enum cc_status {
    CC_OK = 0,
    CC_ERR_USAGE,       /* a bad option or option value */
    CC_ERR_INPUT,       /* the input file or dataset cannot be used */
    CC_ERR_OUTPUT,      /* an output file or folder cannot be written */
    CC_ERR_NOMEM,       /* an allocation failed */
    CC_ERR_MPI,         /* an MPI call failed */
    CC_ERR_INTERNAL,    /* a broken invariant: a bug in cubecast */
    CC_ERR_INTERRUPTED, /* stopped by SIGTERM/SIGUSR1; resumable */
    CC_ERR_RESOURCES    /* the plan does not fit the memory the nodes may use */
} cc_status;

enum { CC_ERROR_MESSAGE_MAX = 1024 };

typedef struct cc_error {
    cc_status status;
    char message[CC_ERROR_MESSAGE_MAX];
} cc_error;

/* Records status and a printf-style message in err (if err is not NULL) and
 * returns status, so callers can write `return cc_fail(err, ...)`. */
cc_status cc_fail(cc_error *err, cc_status status, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Resets err to CC_OK with an empty message. */
void cc_error_clear(cc_error *err);

/* The process exit code documented for a status (0 success, 2 usage, 3 input
 * or a plan that does not fit memory, 4 output, 75 interrupted and
 * resumable, 1 anything else). */
int cc_exit_code(cc_status status);

#endif
