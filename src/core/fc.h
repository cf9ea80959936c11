/*
 * fc.h: the types and status codes every flowcast module shares.
 *
 * fc_real is the precision of solver fields (double unless configured --enable-single). Model
 * time, diagnostics and reductions are always double. FC_HD marks functions that run on both the
 * host and the device: it is __host__ __device__ under nvcc and empty in C.
 *
 * Library functions return an int status (FC_OK or a negative FC_E* code) and fill an fc_err
 * with a message that names what is wrong and where; only main() and the tests turn a status
 * into an exit code (fc_exit_code).
 */
#ifndef FC_H
#define FC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __CUDACC__
#define FC_HD __host__ __device__
#else
#define FC_HD
#endif

#ifdef FC_SINGLE
typedef float fc_real;
#define FC_PRECISION "single"
#define FC_REAL_EPSILON 1.1920928955078125e-07 /* FLT_EPSILON */
#define FC_REAL_MIN 1.17549435082228751e-38     /* FLT_MIN: the smallest normal number */
#else
typedef double fc_real;
#define FC_PRECISION "double"
#define FC_REAL_EPSILON 2.220446049250313e-16 /* DBL_EPSILON */
#define FC_REAL_MIN 2.2250738585072014e-308    /* DBL_MIN */
#endif

enum fc_status {
    FC_OK = 0,
    FC_EINPUT = -1,   /* bad usage, case file, input file or request: exit 2 */
    FC_ENODEV = -2,   /* the requested device is not available: exit 2 */
    FC_ENOMEM = -3,   /* memory ran out (an allocation failed): exit 1 */
    FC_EIO = -4,      /* reading or writing failed during a run: exit 1 */
    FC_ENUMERIC = -5, /* the state became NaN or unphysical: exit 1 */
    FC_EINTR = -6,    /* stopped by SIGINT or SIGTERM: exit 1 */
    FC_EDEVICE = -7   /* a CUDA call failed during a run: exit 1 */
};

/* Process exit codes (see README): 0 ok, 1 the run failed, 2 bad usage or input. */
enum { FC_EXIT_OK = 0, FC_EXIT_FAILED = 1, FC_EXIT_USAGE = 2 };

typedef struct fc_err {
    char msg[8192];
} fc_err;

/* Sets err->msg from the format and returns status, so that `return fc_fail(...)` reads well. */
int fc_fail(fc_err *err, int status, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Appends a line to err->msg (for reports that list several problems). */
void fc_err_append(fc_err *err, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;

int fc_exit_code(int status);

#ifdef __cplusplus
}
#endif
#endif
