/*
 * limiters.h: slope limiters for MUSCL reconstruction, shared by every finite-volume solver.
 *
 * Each takes the backward and forward differences a = q_i - q_{i-1}, b = q_{i+1} - q_i and
 * returns a limited difference s; the face values are q_i -/+ s/2. All four are TVD: the face
 * values stay within the range of the neighbouring cell means (|s| <= 2 min(|a|, |b|)), which
 * keeps a depth non-negative.
 * They are symmetric, lim(a, b) = lim(b, a), and odd, lim(-a, -b) = -lim(a, b), so a mirrored
 * state gives a mirrored reconstruction (exact fluxes through walls).
 *   minmod:   the smallest slope; most diffusive (Roe 1986).
 *   van Leer: harmonic mean 2ab/(a+b) (van Leer 1974).
 *   MC:       monotonised central, min(2|a|, 2|b|, |a+b|/2) (van Leer 1977); least diffusive.
 *   van Albada: ab(a+b)/(a^2+b^2) (van Albada, van Leer & Roberts 1982), the central difference
 *             (a+b)/2 where a and b agree and less as they part; |s| <= 2 min(|a|, |b|) since
 *             a^2 - ab + 2b^2 > 0. The one for a flow that must settle: measured on swe's
 *             steady flows over a bump (validate's swe_channel_bump), under MC and van Leer the
 *             cells at the bump's ends, where the bottom's slope jumps, swing forever by about
 *             1e-3 of the discharge; under this one the flows without a jump settle to round-off
 *             (1e-9 per second), sooner than under minmod and with second-order errors. Why the
 *             others' slopes keep swinging there and this one's do not is not proven: van
 *             Leer's is as smooth as this one where a and b agree in sign.
 */
#ifndef FC_LIMITERS_H
#define FC_LIMITERS_H

#include "src/core/hd.h"

enum fc_limiter { FC_LIM_MINMOD = 0, FC_LIM_VANLEER = 1, FC_LIM_MC = 2, FC_LIM_VANALBADA = 3 };
#define FC_LIMITER_CHOICES "minmod|vanleer|mc|vanalbada"

FC_HD static inline fc_real fc_limit(int kind, fc_real a, fc_real b)
{
    if (!(a * b > 0))
        return 0;
    switch (kind) {
    case FC_LIM_MINMOD:
        return fc_abs(a) < fc_abs(b) ? a : b;
    case FC_LIM_VANLEER:
        return 2 * a * b / (a + b);
    case FC_LIM_VANALBADA: /* a^2 + b^2 > 0 here, since ab > 0 */
        return a * b * (a + b) / (a * a + b * b);
    default: {
        fc_real m = fc_min(2 * fc_abs(a), fc_min(2 * fc_abs(b), fc_abs(a + b) / 2));
        return a > 0 ? m : -m;
    }
    }
}

#endif
