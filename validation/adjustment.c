/* adjustment.c: the nonlinear steady state of Rossby's adjustment problem (see adjustment.h). */
#include <fc_build.h>

#include "validation/adjustment.h"

#include <math.h>

int fc_adjustment_init(fc_adjustment *a, double g, double f, double hl, double hr, double x0)
{
    if (!(g > 0) || !(f != 0) || !isfinite(f) || !(hl > 0) || !(hr > 0) || !isfinite(hl) ||
        !isfinite(hr) || !isfinite(x0))
        return -1;
    a->g = g, a->f = f, a->hl = hl, a->hr = hr, a->x0 = x0;
    a->Ll = sqrt(g * hl) / fabs(f);
    a->Lr = sqrt(g * hr) / fabs(f);
    const double shift = (hl - hr) / (hl / a->Ll + hr / a->Lr);
    a->X0 = x0 + shift;
    a->A = -hl * shift / a->Ll;
    a->B = hr * shift / a->Lr;
    return 0;
}

void fc_adjustment_eval(const fc_adjustment *a, double x, double *h, double *v)
{
    if (x < a->X0) {
        const double e = a->A * exp((x - a->X0) / a->Ll);
        *h = a->hl + e;
        *v = a->g / a->f * e / a->Ll;
    } else {
        const double e = a->B * exp(-(x - a->X0) / a->Lr);
        *h = a->hr + e;
        *v = -a->g / a->f * e / a->Lr;
    }
}

/* The kinetic energy (which = 0) or the potential energy released (1) per unit length at x,
 * where the depth was h0 at the start. The potential energy is that of the surface's departure
 * from the mean depth H, g (eta0^2 - eta^2) / 2: it differs from g (h0^2 - h^2) / 2 by g H
 * (h0 - h), whose integral is zero since the mass is kept, but whose quadrature is not when the
 * step is small beside H. */
static double energy_density(const fc_adjustment *a, double x, double h0, int which)
{
    double h, v;
    fc_adjustment_eval(a, x, &h, &v);
    const double H = 0.5 * (a->hl + a->hr), eta0 = h0 - H, eta = h - H;
    return which ? 0.5 * a->g * (eta0 * eta0 - eta * eta) : 0.5 * h * v * v;
}

/* Simpson's rule over [lo, hi], inside which the integrand is smooth: the starting depth is
 * that of the piece's middle, so that an end on the step takes its side's. */
static double simpson(const fc_adjustment *a, double lo, double hi, int which)
{
    enum { N = 20000 };
    const double dx = (hi - lo) / N, h0 = 0.5 * (lo + hi) < a->x0 ? a->hl : a->hr;
    double sum = energy_density(a, lo, h0, which) + energy_density(a, hi, h0, which);
    for (int k = 1; k < N; k++)
        sum += (k % 2 ? 4 : 2) * energy_density(a, lo + k * dx, h0, which);
    return sum * dx / 3;
}

double fc_adjustment_energy_ratio(const fc_adjustment *a)
{
    /* Pieces split where the starting depth jumps (x0) and where h has a kink (X0), out to 40
     * Rossby radii, beyond which both densities are below e^-40 of their peaks. */
    const double far = 40 * fmax(a->Ll, a->Lr), lo = fmin(a->x0, a->X0), hi = fmax(a->x0, a->X0);
    double e[2];
    for (int which = 0; which < 2; which++)
        e[which] = simpson(a, lo - far, lo, which) + (hi > lo ? simpson(a, lo, hi, which) : 0) +
                   simpson(a, hi, hi + far, which);
    return e[0] / e[1];
}
