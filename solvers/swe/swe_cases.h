/* swe_cases.h: initial conditions of the shallow-water solver (swe_cases.c). */
#ifndef FC_SWE_CASES_H
#define FC_SWE_CASES_H

#include "src/core/solver.h"

/* Cross-key checks of a case (fc_solver_desc.check). */
int swe_check_case(const fc_config *cfg, fc_err *err);
/* The initial conditions ([initial] type): each fills h, hu, hv and b (interiors). */
#define SWE_NICS 11
extern const fc_ic_spec swe_ics[SWE_NICS];

/*
 * Thacker's (1981) planar surface in a paraboloid (SWASHES' 2-D case, Delestre et al. 2013): in
 * the bowl b = -h0 (1 - r^2/a^2), without friction or rotation, a disc of water of radius a whose
 * plane surface tilts as its centre circles the bowl's at radius eta, omega = sqrt(2 g h0)/a:
 *   h = max(0, (eta h0/a^2)(2 X cos wt + 2 Y sin wt - eta) - b),
 *   u = -eta w sin wt, v = eta w cos wt where there is water (the same everywhere), 0 where not,
 * X and Y from the bowl's centre. Writes h, u, v, b at time t into o.
 */
void swe_paraboloid(double g, double h0, double a, double eta, double t, double X, double Y,
                    double o[4]);

/*
 * A standing wave released from rest on an f-plane, exact for the linearised equations (small
 * a/H, flat bottom): with S = cos(kx X) cos(ky Y), k^2 = kx^2 + ky^2 and Poincare's frequency
 * w^2 = f^2 + g H k^2, potential vorticity fixes the geostrophic part s = f^2/w^2 of the wave
 * and the rest oscillates about it (Gill 1982, 7.2-7.3):
 *   h = H + a S [s + (1 - s) cos wt],
 *   divergence D = a (1 - s) w sin(wt) S / H, vorticity Z = f a (1 - s)(cos wt - 1) S / H,
 *   (u, v) = -(D grad S + Z curl S) / k^2 with curl S = (-dS/dY, dS/dX) (potential and stream
 *   functions -D S / k^2 and -Z S / k^2).
 * Without rotation (f = 0) a gravity wave of speed sqrt(g H); with f, an inertia-gravity
 * (Poincare) wave that leaves a geostrophic current behind. X and Y from the domain's corner
 * (x_min, y_min): the solution of a periodic domain whose sides hold whole wavelengths, and
 * without rotation of a closed basin too (its walls are antinodes; with rotation walls make
 * Kelvin waves, which this is not). Writes h, u, v at time t into o; k > 0.
 */
void swe_standing_wave(double g, double H, double a, double f, double kx, double ky, double t,
                       double X, double Y, double o[3]);

/*
 * A Kelvin wave, exact for the linearised equations on a flat bottom with f = f0 + beta (y - y0)
 * (Gill 1982, 10.4 and 11.5): with c = sqrt(g H) and F' = f,
 *   h = H + a exp(-(F(y) - F(y_peak)) / c) cos(kx (X - c t)),  u = (g / c)(h - H),  v = 0.
 * v = 0 makes the y equation geostrophic (g h_y = -f u, which fixes the exp) and the other two
 * those of a non-dispersive gravity wave moving east at c. On an f-plane it is trapped against
 * the south wall (f > 0) or the north wall (f < 0) within the deformation radius c / |f|; on an
 * equatorial beta-plane (f = 0 at y0) it is a Gaussian of width sqrt(2 c / beta) about the
 * equator. Exact in a channel periodic in x whose sides are walls (v = 0 there already). X from
 * x_min; y_peak from swe_kelvin_peak. Writes h, u, v at time t into o.
 */
void swe_kelvin_wave(double g, double H, double a, double f0, double beta, double y0,
                     double y_peak, double kx, double t, double X, double y, double o[3]);
/* Where on [y_min, y_max] the wave's amplitude is largest (a there): where F is least, at a
 * wall or where f = 0. */
double swe_kelvin_peak(double f0, double beta, double y0, double y_min, double y_max);

#endif
