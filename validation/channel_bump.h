/*
 * channel_bump.h: the steady flow over Goutal & Maurel's bump (b = 0.2 - 0.05 (x - 10)^2 m for
 * 8 < x < 12 m, 0 elsewhere) in a frictionless channel (Goutal & Maurel 1997, "Proceedings of
 * the 2nd workshop on dam-break wave simulation", EDF HE-43/97/016/B; SWASHES, Delestre et al.
 * 2013, section 3.1). The discharge q per unit width is the same everywhere and, away from a
 * shock, Bernoulli's head q^2/(2 g h^2) + h + b is constant, so at each bottom height the depth
 * is a root of h^3 + (b - head) h^2 + q^2/(2 g) = 0: the larger (subcritical, above the
 * critical depth h_c = (q^2/g)^(1/3)) or the smaller (supercritical).
 *   Subcritical: the head from the depth h_out downstream (b = 0); the larger root everywhere.
 *   Supercritical: the head from the depth upstream (b = 0, given with q at the inflow, as
 *   the flow carries everything downstream); the smaller root everywhere.
 *   Transcritical without a shock: critical at the top (x = 10 m), head 3/2 h_c + 0.2 m; the
 *   larger root upstream of the top, the smaller downstream.
 *   Transcritical with a shock: as above past the top until a hydraulic jump, then the larger
 *   root for the downstream head (from h_out); the jump stands where the two depths carry the
 *   same momentum flux q^2/h + g h^2/2 (Rankine-Hugoniot for a steady jump).
 */
#ifndef FC_CHANNEL_BUMP_H
#define FC_CHANNEL_BUMP_H

enum fc_bump_kind { FC_BUMP_SUBCRITICAL, FC_BUMP_TRANSCRITICAL, FC_BUMP_SHOCK,
                    FC_BUMP_SUPERCRITICAL };

typedef struct fc_bump_flow {
    double g, q, h_critical;
    double head, head_down; /* upstream of the jump (or everywhere), and past it */
    double x_top, x_shock;  /* supercritical from x_top to x_shock (+inf: none) */
} fc_bump_flow;

/* The bottom height at x (m). */
double fc_bump_bottom(double x);
/* The flow of discharge q with the depth h_end at the end that controls it: downstream (the
 * transcritical flow without a shock does not depend on it), or upstream for
 * FC_BUMP_SUPERCRITICAL. Returns -1 where no such flow exists: FC_BUMP_SHOCK where no jump fits
 * over the bump's lee side (h_end too low or too high for this q), FC_BUMP_SUPERCRITICAL where
 * h_end is not supercritical or the flow would choke over the top; else 0. */
int fc_bump_flow_init(fc_bump_flow *f, int kind, double g, double q, double h_end);
/* The depth at x (the critical depth where the head does not reach). */
double fc_bump_depth(const fc_bump_flow *f, double x);

#endif
