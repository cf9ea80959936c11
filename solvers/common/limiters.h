/*
 * limiters.h: slope limiters for MUSCL reconstruction, shared by every finite-volume solver.
 *
 * Each takes the backward and forward differences a = q_i - q_{i-1}, b = q_{i+1} - q_i and
 * returns a limited difference s; the face values are q_i -/+ s/2. All three are TVD: the face
 * values stay within the range of the neighbouring cell means, which keeps a depth non-negative.
 * They are symmetric, lim(a, b) = lim(b, a), and odd, lim(-a, -b) = -lim(a, b), so a mirrored
 * state gives a mirrored reconstruction (exact fluxes through walls).
 *   minmod:   the smallest slope; most diffusive (Roe 1986).
 *   van Leer: harmonic mean 2ab/(a+b) (van Leer 1974).
 *   MC:       monotonised central, min(2|a|, 2|b|, |a+b|/2) (van Leer 1977); least diffusive.
 */
#ifndef FC_LIMITERS_H
#define FC_LIMITERS_H

#include "src/core/hd.h"

enum fc_limiter { FC_LIM_MINMOD = 0, FC_LIM_VANLEER = 1, FC_LIM_MC = 2 };
#define FC_LIMITER_CHOICES "minmod|vanleer|mc"

FC_HD static inline fc_real fc_limit(int kind, fc_real a, fc_real b)
{
    if (!(a * b > 0))
        return 0;
    switch (kind) {
    case FC_LIM_MINMOD:
        return fc_abs(a) < fc_abs(b) ? a : b;
    case FC_LIM_VANLEER:
        return 2 * a * b / (a + b);
    default: {
        fc_real m = fc_min(2 * fc_abs(a), fc_min(2 * fc_abs(b), fc_abs(a + b) / 2));
        return a > 0 ? m : -m;
    }
    }
}

#endif
