/* adjustment.c: the nonlinear steady state of Rossby's adjustment problem (see adjustment.h). */
#include <fc_build.h>

#include "validation/adjustment.h"

#include <math.h>

int fc_adjustment_init(fc_adjustment *a, double g, double f, double hl, double hr, double x0)
{
    if (!(g > 0) || !(f != 0) || !isfinite(f) || !(hl > 0) || !(hr > 0) || !isfinite(hl) ||
        !isfinite(hr) || !isfinite(x0))
        return -1;
    a->g = g, a->f = f, a->hl = hl, a->hr = hr;
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
