/* repro_sum.c: see repro_sum.h. */
#include <fc_build.h>

#include "src/core/repro_sum.h"

#include <string.h>

#include "src/core/link.h"

void fc_repro_start(fc_repro_sum *s, int n) { memset(s, 0, (size_t)n * sizeof *s); }

/* The exponent of sigma for terms of magnitude at most 2^(e + 1), n terms: sigma >= 2 n 2^(e+1)
 * with n <= 2^log2n. */
static int sigma_exponent(int e, int log2n) { return e + log2n + 2; }

void fc_repro_ready(const fc_grid *g, fc_repro_sum *s, int n, double terms)
{
    double v[2 * 16];
    for (int base = 0; base < n; base += 16) { /* bounds and flags, 16 sums at a time */
        const int m = n - base < 16 ? n - base : 16;
        for (int k = 0; k < m; k++) {
            v[2 * k] = s[base + k].bound;
            v[2 * k + 1] = s[base + k].bad;
        }
        fc_grid_max_n(g, v, 2 * m);
        for (int k = 0; k < m; k++) {
            s[base + k].bound = v[2 * k];
            s[base + k].bad = v[2 * k + 1];
        }
    }
    int log2n = 0;
    while (log2n < 64 && ldexp(1, log2n) < terms)
        log2n++;
    for (int k = 0; k < n; k++) {
        fc_repro_sum *r = &s[k];
        memset(r->sigma, 0, sizeof r->sigma);
        memset(r->part, 0, sizeof r->part);
        if (r->bad || r->bound == 0)
            continue; /* NaN, or every term 0 */
        /* bound < 2^(e + 1); each level's rests are below 2^-53 of its sigma. A level whose
         * sigma would overflow or be subnormal is left out: terms near 1e308 are not summed
         * exactly, and rests below about 1e-300 are dropped. */
        int e = ilogb(r->bound);
        for (int level = 0; level < FC_REPRO_LEVELS; level++) {
            const int exponent = sigma_exponent(e, log2n);
            if (exponent > 1023 || exponent < -1022)
                break;
            r->sigma[level] = ldexp(1, exponent);
            e = exponent - 53;
        }
    }
}

void fc_repro_finish(const fc_grid *g, fc_repro_sum *s, int n, double *out)
{
    double v[FC_REPRO_LEVELS * 16];
    for (int base = 0; base < n; base += 16) {
        const int m = n - base < 16 ? n - base : 16;
        for (int k = 0; k < m; k++)
            memcpy(v + FC_REPRO_LEVELS * k, s[base + k].part, sizeof s->part);
        /* Each level's parts are exact multiples of its grain below its sigma: their sum over
         * the ranks is exact in any order. */
        fc_grid_sum_n(g, v, FC_REPRO_LEVELS * m);
        for (int k = 0; k < m; k++) {
            fc_repro_sum *r = &s[base + k];
            memcpy(r->part, v + FC_REPRO_LEVELS * k, sizeof r->part);
            double total = 0;
            for (int level = 0; level < FC_REPRO_LEVELS; level++)
                total += r->part[level];
            out[base + k] = r->bad ? NAN : total;
        }
    }
}
