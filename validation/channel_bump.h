/*
 * channel_bump.h: the steady flow over a bump in a frictionless channel (Goutal & Maurel 1997,
 * "Proceedings of the 2nd workshop on dam-break wave simulation", EDF HE-43/97/016/B; SWASHES,
 * Delestre et al. 2013, sections 3.1.1 and 3.1.2). The discharge q per unit width is the same
 * everywhere and Bernoulli's head q^2/(2 g h^2) + h + b is constant, so at each bottom height b
 * the depth is a root of h^3 + (b - head) h^2 + q^2/(2 g) = 0: the larger (subcritical, above
 * the critical depth h_c = (q^2/g)^(1/3)) or the smaller (supercritical).
 *   Subcritical: the head from the depth h_out where b = 0 downstream; the larger root everywhere.
 *   Transcritical without a shock: critical at the bump's top, head 3/2 h_c + b_top; the larger
 *   root upstream of the top, the smaller downstream.
 */
#ifndef FC_CHANNEL_BUMP_H
#define FC_CHANNEL_BUMP_H

typedef struct fc_bump_flow {
    double g, q, head, h_critical;
    double x_top; /* transcritical: where the flow turns supercritical; +inf when subcritical */
} fc_bump_flow;

void fc_bump_flow_subcritical(fc_bump_flow *f, double g, double q, double h_out);
void fc_bump_flow_transcritical(fc_bump_flow *f, double g, double q, double b_top, double x_top);
/* The depth at x over the bottom height b (the critical depth where the head does not reach). */
double fc_bump_depth(const fc_bump_flow *f, double x, double b);

#endif
