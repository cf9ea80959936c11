/*
 * dambreak.h: exact solutions of the one-dimensional dam break on a flat frictionless bed, water
 * at rest on both sides at t = 0 (Ritter 1892; Stoker 1957, as in SWASHES, Delestre et al. 2013).
 *   Wet bed (Stoker 1957; SWASHES, Delestre et al. 2013, section 4.1.1), h_l > h_r > 0.
 *   Dry bed (Ritter 1892), h_r = 0.
 */
#ifndef FC_DAMBREAK_H
#define FC_DAMBREAK_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_dambreak {
    double g, hl, hr, x0;
    double cl, cm;    /* sqrt(g h_l), and the middle state's sqrt(g h_m) (0 when dry) */
    double hm, um, s; /* middle depth and speed, shock speed (wet bed) */
} fc_dambreak;

/* Solves for the middle state; returns 0, or -1 when hl <= hr or hl <= 0. */
int fc_dambreak_init(fc_dambreak *d, double g, double hl, double hr, double x0);
/* Depth and velocity at (x, t), t > 0. */
void fc_dambreak_eval(const fc_dambreak *d, double x, double t, double *h, double *u);

#ifdef __cplusplus
}
#endif
#endif
