/* gravity_waves.c: the linear solution of gravity_waves.h. */
#include <fc_build.h>

#include "validation/gravity_waves.h"

#include <math.h>
#include <stdlib.h>

#define RD 287.0
#define CP 1004.0
#define NX_SAMPLES 4096 /* samples of the initial profile in x (its Fourier series) */
#define NK 512          /* x wavenumbers kept: the profile's spectrum falls as exp(-|k| a) */
#define NZ_MODES 256    /* vertical modes */
#define NZ_SAMPLES 8192 /* quadrature points of the vertical coefficients */

int fc_gravity_waves_theta(const fc_gravity_waves *w, const double *x, int nx, const double *z,
                           int nz, double t, double *out)
{
    const double gamma = CP / (CP - RD), delta = w->g / (RD * w->t0), kappa = RD / CP;
    const double c2 = gamma * RD * w->t0, n2 = w->g * kappa * delta;
    const double eps = delta * (0.5 - 1 / gamma);
    const double L = w->length, H = w->height;
    double *fre = malloc(NK * sizeof *fre), *fim = malloc(NK * sizeof *fim);
    double *gn = malloc(NZ_MODES * sizeof *gn);
    if (!fre || !fim || !gn) {
        free(fre);
        free(fim);
        free(gn);
        return -1;
    }
    /* Fourier coefficients F_k = (1/L) sum f(x_s) exp(-i k x_s) dx over the samples, k = 2 pi q / L,
     * of the profile in x relative to x_min. */
    for (int q = 0; q < NK; q++) {
        double re = 0, im = 0;
        for (int s = 0; s < NX_SAMPLES; s++) {
            const double xs = (s + 0.5) * L / NX_SAMPLES;
            const double d = (w->x_min + xs - w->center_x) / w->half_width;
            const double f = 1 / (1 + d * d), ph = 2 * M_PI * q * xs / L;
            re += f * cos(ph);
            im -= f * sin(ph);
        }
        fre[q] = re / NX_SAMPLES;
        fim[q] = im / NX_SAMPLES;
    }
    /* Sine coefficients G_n = (2/H) int g(z) sin(n pi z / H) dz of the scaled initial field
     * g(z) = sin(pi z / H) exp(-delta z / 2) / theta_b(z) (midpoint rule). */
    for (int n = 1; n <= NZ_MODES; n++) {
        double s = 0;
        for (int p = 0; p < NZ_SAMPLES; p++) {
            const double zz = (p + 0.5) * H / NZ_SAMPLES;
            const double theta_b = w->t0 * exp(kappa * delta * zz);
            s += sin(M_PI * zz / H) * exp(-delta * zz / 2) / theta_b * sin(n * M_PI * zz / H);
        }
        gn[n - 1] = 2 * s / NZ_SAMPLES;
    }
    /* S[n][i]: the x series of vertical mode n at x[i], the modes' time factors included. */
    double *S = calloc((size_t)NZ_MODES * nx, sizeof *S), *cs = malloc(2 * (size_t)NK * sizeof *cs);
    double *amp = malloc((size_t)NZ_MODES * NK * sizeof *amp);
    int st = S && cs && amp ? 0 : -1;
    /* Each mode's factor a cos(omega_a t) + (1 - a) cos(omega_g t). */
    for (int n = 1; n <= NZ_MODES && !st; n++)
        for (int q = 0; q < NK; q++) {
            const double k = 2 * M_PI * q / L, m = n * M_PI / H;
            const double s = n2 + c2 * (k * k + m * m + eps * eps);
            const double root = sqrt(fmax(s * s - 4 * c2 * k * k * n2, 0));
            const double wa2 = (s + root) / 2, wg2 = fmax((s - root) / 2, 0);
            const double a = (n2 - wg2) / (wa2 - wg2);
            amp[(size_t)(n - 1) * NK + q] = a * cos(sqrt(wa2) * t) + (1 - a) * cos(sqrt(wg2) * t);
        }
    for (int i = 0; i < nx && !st; i++) {
        const double xr = x[i] - w->x_min - w->wind * t; /* in the frame moving with the wind */
        for (int q = 0; q < NK; q++) {
            cs[2 * q] = cos(2 * M_PI * q * xr / L);
            cs[2 * q + 1] = sin(2 * M_PI * q * xr / L);
        }
        for (int n = 1; n <= NZ_MODES; n++) {
            const double *an = amp + (size_t)(n - 1) * NK;
            double sx = 0;
            for (int q = 0; q < NK; q++) /* the real field: the k and -k terms together */
                sx += (q ? 2 : 1) * an[q] * (fre[q] * cs[2 * q] - fim[q] * cs[2 * q + 1]);
            S[(size_t)(n - 1) * nx + i] = sx;
        }
    }
    for (int j = 0; j < nz && !st; j++) {
        const double theta_b = w->t0 * exp(kappa * delta * z[j]);
        for (int i = 0; i < nx; i++) {
            double sum = 0;
            for (int n = 1; n <= NZ_MODES; n++)
                sum += gn[n - 1] * sin(n * M_PI * z[j] / H) * S[(size_t)(n - 1) * nx + i];
            out[(size_t)j * nx + i] = w->amplitude * theta_b * exp(delta * z[j] / 2) * sum;
        }
    }
    free(S);
    free(cs);
    free(amp);
    free(fre);
    free(fim);
    free(gn);
    return st;
}
