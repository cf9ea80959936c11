/*
 * gravity_waves.h: the linear solution of the Skamarock & Klemp (1994) gravity-wave test in the
 * form of Baldauf & Brdar (2013): the compressible, non-hydrostatic Euler equations linearised
 * about an isothermal atmosphere at rest in a uniform wind U, in a channel of height H with rigid
 * lid and ground, periodic over a length L, without rotation.
 *
 * Scaling the perturbations with the background (u', w' by exp(delta z / 2), rho', p' by
 * exp(-delta z / 2), delta = g / (Rd T0)) gives equations with constant coefficients. Their
 * modes exp(i k (x - U t)) with w ~ sin(m z), m = n pi / H, and p, u ~ m cos(m z) + eps sin(m z),
 * eps = delta (1/2 - 1/gamma), oscillate at the two frequencies of
 *   omega^4 - omega^2 (N^2 + c^2 (k^2 + m^2 + eps^2)) + c^2 k^2 N^2 = 0
 * (acoustic and gravity; c^2 = gamma Rd T0, N^2 = g^2 / (cp T0)). For an initial theta' at rest
 * and unchanged pressure, theta'/theta_b = exp(delta z / 2) q / (rho0 c^2) with q = p - c^2 rho
 * (scaled), whose mode amplitude is Q(t) = Q(0) (a cos(omega_a t) + b cos(omega_g t)),
 * a = (N^2 - omega_g^2) / (omega_a^2 - omega_g^2), b = 1 - a. The initial field
 *   theta'(x, z, 0) = A sin(pi z / H) / (1 + ((x - xc)/a_w)^2)
 * is expanded in these modes (its periodic extension over L sampled at 4096 points; 256 vertical
 * modes), so the solution is exact for the linear equations up to that truncation (about 1e-6
 * of A).
 */
#ifndef FC_GRAVITY_WAVES_H
#define FC_GRAVITY_WAVES_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_gravity_waves {
    double g, t0, wind, amplitude, half_width, center_x, x_min, length, height;
} fc_gravity_waves;

/* theta' (K) at the points (x[i], z[j]) of an nx x nz grid at time t, into out[j * nx + i];
 * 0, or -1 when memory runs out. */
int fc_gravity_waves_theta(const fc_gravity_waves *w, const double *x, int nx, const double *z,
                           int nz, double t, double *out);

#ifdef __cplusplus
}
#endif
#endif
