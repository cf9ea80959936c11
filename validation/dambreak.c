/* dambreak.c: Stoker's and Ritter's dam-break solutions (see dambreak.h). */
#include <fc_build.h>

#include "validation/dambreak.h"

#include <math.h>

/* Stoker's condition on c_m: -8 g h_r c_m^2 (c_l - c_m)^2 + (c_m^2 - g h_r)^2 (c_m^2 + g h_r). */
static double stoker_residual(const fc_dambreak *d, double cm)
{
    double ghr = d->g * d->hr, cm2 = cm * cm;
    return -8 * ghr * cm2 * (d->cl - cm) * (d->cl - cm) + (cm2 - ghr) * (cm2 - ghr) * (cm2 + ghr);
}

int fc_dambreak_init(fc_dambreak *d, double g, double hl, double hr, double x0)
{
    if (!(hl > 0) || !(hr >= 0) || !(hl > hr))
        return -1;
    d->g = g;
    d->hl = hl;
    d->hr = hr;
    d->x0 = x0;
    d->cl = sqrt(g * hl);
    d->cm = d->hm = d->um = d->s = 0;
    if (hr == 0)
        return 0;
    /* The residual changes sign on (sqrt(g h_r), c_l): bisect to round-off. */
    double lo = sqrt(g * hr), hi = d->cl;
    double flo = stoker_residual(d, lo);
    for (int it = 0; it < 200 && hi - lo > 1e-15 * hi; it++) {
        double mid = (lo + hi) / 2, fm = stoker_residual(d, mid);
        if ((fm < 0) == (flo < 0)) {
            lo = mid;
            flo = fm;
        } else
            hi = mid;
    }
    d->cm = (lo + hi) / 2;
    d->hm = d->cm * d->cm / g;
    d->um = 2 * (d->cl - d->cm);
    d->s = 2 * d->cm * d->cm * (d->cl - d->cm) / (d->cm * d->cm - g * hr);
    return 0;
}

void fc_dambreak_eval(const fc_dambreak *d, double x, double t, double *h, double *u)
{
    double xi = (x - d->x0) / t;
    if (xi <= -d->cl) {
        *h = d->hl;
        *u = 0;
        return;
    }
    double fan_end = d->hr > 0 ? 2 * d->cl - 3 * d->cm : 2 * d->cl;
    if (xi <= fan_end) {
        double c = d->cl - xi / 2;
        *h = 4 / (9 * d->g) * c * c;
        *u = 2.0 / 3 * (xi + d->cl);
        return;
    }
    if (d->hr > 0 && xi <= d->s) {
        *h = d->hm;
        *u = d->um;
        return;
    }
    *h = d->hr;
    *u = 0;
}
