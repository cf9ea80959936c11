/* channel_bump.c: the steady flow over a bump in a channel (channel_bump.h). */
#include "validation/channel_bump.h"

#include <math.h>

void fc_bump_flow_subcritical(fc_bump_flow *f, double g, double q, double h_out)
{
    *f = (fc_bump_flow){g, q, q * q / (2 * g * h_out * h_out) + h_out, cbrt(q * q / g), INFINITY};
}

void fc_bump_flow_transcritical(fc_bump_flow *f, double g, double q, double b_top, double x_top)
{
    const double hc = cbrt(q * q / g);
    *f = (fc_bump_flow){g, q, 1.5 * hc + b_top, hc, x_top};
}

double fc_bump_depth(const fc_bump_flow *f, double x, double b)
{
    /* phi(h) = h + q^2/(2 g h^2) falls to its least, 3/2 h_c, at h_c and rises beyond: the
     * root on the chosen side of h_c by bisection, to the last bit. */
    const double target = f->head - b;
    if (target <= 1.5 * f->h_critical)
        return f->h_critical;
    const int super = x > f->x_top;
    double lo = super ? f->q / sqrt(2 * f->g * target) : f->h_critical;
    double hi = super ? f->h_critical : target;
    for (int k = 0; k < 200 && lo < hi; k++) {
        const double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi)
            break;
        const double above = mid + f->q * f->q / (2 * f->g * mid * mid) > target;
        /* subcritical: phi rises with h; supercritical: it falls */
        if (above != super)
            hi = mid;
        else
            lo = mid;
    }
    return 0.5 * (lo + hi);
}
