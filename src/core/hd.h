/*
 * hd.h: small math helpers for code that runs on the host and the device (FC_HD, from fc.h).
 *
 * They use plain comparisons rather than fmax/fmin, which return the other operand when one is
 * NaN: a NaN must propagate into the state so that the run stops on it instead of hiding it.
 */
#ifndef FC_HD_H
#define FC_HD_H

#include <math.h>

#include "src/core/fc.h"

FC_HD static inline fc_real fc_max(fc_real a, fc_real b) { return a > b ? a : b; }
FC_HD static inline fc_real fc_min(fc_real a, fc_real b) { return a < b ? a : b; }
FC_HD static inline fc_real fc_abs(fc_real a) { return a < 0 ? -a : a; }

#ifdef FC_SINGLE
FC_HD static inline fc_real fc_sqrt(fc_real a) { return sqrtf(a); }
#else
FC_HD static inline fc_real fc_sqrt(fc_real a) { return sqrt(a); }
#endif

#endif
