/*
 * adjustment.h: the exact steady state of Rossby's geostrophic adjustment problem, fully
 * nonlinear: shallow water on an f-plane, at rest at t = 0 with depth h_l for x < x0 and h_r
 * for x > x0 and no dependence on y. The step radiates inertia-gravity (Poincare) waves and
 * leaves a geostrophic jet along it (Rossby 1938; Gill 1982, Atmosphere-Ocean Dynamics, section
 * 7.2, for the linear version; Kuo & Polvani 1997, J. Phys. Oceanogr. 27, for the nonlinear
 * one).
 *
 * The steady state follows from what the waves cannot change: each column keeps its potential
 * vorticity (f + dv/dx) / h = f / h0 and its mass, and ends in geostrophic balance f v = g dh/dx.
 * Together they give h'' = (h - h0) / L^2 with the Rossby radius L = sqrt(g h0) / |f| of each
 * side's depth h0: on each side h - h0 decays exponentially away from X0, where the columns
 * that started at x0 come to rest. Each side's mass fixes its amplitude (h - h_l integrates to
 * h_l (x0 - X0) on the left), and a continuous h fixes X0:
 *   X0 = x0 + (h_l - h_r) / (h_l / L_l + h_r / L_r),
 *   h = h_l + A exp((x - X0) / L_l) for x < X0, A = h_l (x0 - X0) / L_l,
 *   h = h_r + B exp(-(x - X0) / L_r) for x > X0, B = h_r (X0 - x0) / L_r,
 *   v = (g / f) dh/dx (continuous at X0, where it equals -f (X0 - x0), the columns' Coriolis
 *   turning over the distance they moved), u = 0.
 * For a small step it tends to Gill's linear solution (X0 -> x0, L_l and L_r -> one radius).
 */
#ifndef FC_ADJUSTMENT_H
#define FC_ADJUSTMENT_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_adjustment {
    double g, f, hl, hr, x0;
    double X0;     /* where the columns from the step come to rest (m) */
    double Ll, Lr; /* each side's Rossby radius (m) */
    double A, B;   /* the depth's departure from h_l and h_r at X0 (m) */
} fc_adjustment;

/* Solves for the steady state; returns 0, or -1 unless g > 0, f != 0, h_l > 0 and h_r > 0. */
int fc_adjustment_init(fc_adjustment *a, double g, double f, double hl, double hr, double x0);
/* Depth and along-step velocity of the steady state at x. */
void fc_adjustment_eval(const fc_adjustment *a, double x, double *h, double *v);
/* The steady jet's kinetic energy, the integral of h v^2 / 2, over the potential energy the
 * step released, the integral of g (eta0^2 - eta^2) / 2 with eta the surface's departure from
 * the mean depth (h_l + h_r) / 2 (per unit length along the step): 1/3 in Gill's (1982)
 * linear solution, the rest carried away by the waves, and 1/3 for the nonlinear steady state
 * too (to 1e-9 for steps of 10 %, 100 % and 189 % of the mean depth). By quadrature. */
double fc_adjustment_energy_ratio(const fc_adjustment *a);

#ifdef __cplusplus
}
#endif
#endif
