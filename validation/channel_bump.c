/* channel_bump.c: the steady flow over Goutal & Maurel's bump (channel_bump.h). */
#include "validation/channel_bump.h"

#include <math.h>

double fc_bump_bottom(double x)
{
    return fabs(x - 10) < 2 ? 0.2 - 0.05 * (x - 10) * (x - 10) : 0;
}

/* The root of phi(h) = h + q^2/(2 g h^2) = head - b on the chosen side of h_c: phi falls to
 * its least, 3/2 h_c, at h_c and rises beyond; bisection to the last bit. */
static double root(const fc_bump_flow *f, double head, double b, int super)
{
    const double target = head - b;
    if (target <= 1.5 * f->h_critical)
        return f->h_critical;
    double lo = super ? f->q / sqrt(2 * f->g * target) : f->h_critical;
    double hi = super ? f->h_critical : target;
    for (int k = 0; k < 200; k++) {
        const double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi)
            break;
        const int above = mid + f->q * f->q / (2 * f->g * mid * mid) > target;
        if (above != super)
            hi = mid;
        else
            lo = mid;
    }
    return 0.5 * (lo + hi);
}

/* Momentum flux of the supercritical depth less the subcritical one's at x. */
static double jump_imbalance(const fc_bump_flow *f, double x)
{
    const double b = fc_bump_bottom(x);
    const double h1 = root(f, f->head, b, 1), h2 = root(f, f->head_down, b, 0);
    return f->q * f->q / h1 + 0.5 * f->g * h1 * h1 - (f->q * f->q / h2 + 0.5 * f->g * h2 * h2);
}

int fc_bump_flow_init(fc_bump_flow *f, int kind, double g, double q, double h_end)
{
    const double hc = cbrt(q * q / g);
    const double down = q * q / (2 * g * h_end * h_end) + h_end;
    *f = (fc_bump_flow){g, q, hc, down, down, INFINITY, INFINITY};
    if (kind == FC_BUMP_SUBCRITICAL)
        return 0;
    if (kind == FC_BUMP_SUPERCRITICAL) { /* the head is the inflow's: supercritical throughout */
        f->x_top = -INFINITY;
        return h_end < hc && down - fc_bump_bottom(10) > 1.5 * hc ? 0 : -1;
    }
    f->head = f->head_down = 1.5 * hc + fc_bump_bottom(10);
    f->x_top = 10;
    if (kind == FC_BUMP_TRANSCRITICAL)
        return 0;
    /* The jump: where the imbalance changes sign on the lee side. Just past the top it is
     * positive (the supercritical depth near critical, whose momentum flux is the least, and
     * no subcritical depth yet for the downstream head); it falls downstream. None where the
     * downstream head has a subcritical depth over the top (the flow is subcritical: h_out too
     * high) or where it is still positive at the bump's end (supercritical on: too low). */
    f->head_down = down;
    if (down - fc_bump_bottom(10) > 1.5 * hc || !(jump_imbalance(f, 12) < 0))
        return -1;
    double lo = 10, hi = 12;
    for (int k = 0; k < 200; k++) {
        const double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi)
            break;
        if (jump_imbalance(f, mid) >= 0)
            lo = mid;
        else
            hi = mid;
    }
    f->x_shock = 0.5 * (lo + hi);
    return 0;
}

double fc_bump_depth(const fc_bump_flow *f, double x)
{
    const double b = fc_bump_bottom(x);
    if (x >= f->x_shock)
        return root(f, f->head_down, b, 0);
    return root(f, f->head, b, x > f->x_top);
}
