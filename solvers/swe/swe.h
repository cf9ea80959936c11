/*
 * swe.h: the rotating shallow-water solver: parameters, state layout, and the physics as
 * host+device functions shared by swe_cpu.c and swe_cuda.cu.
 *
 * Equations (conservative form, depth h, depth-integrated momentum hu, hv, bottom height b):
 *   h_t  + (hu)_x + (hv)_y                          = 0
 *   hu_t + (hu^2 + g h^2/2)_x + (huv)_y             = -g h b_x + f hv - D_x
 *   hv_t + (huv)_x + (hv^2 + g h^2/2)_y             = -g h b_y - f hu - D_y
 * with f = f0 + beta (y - y0) (beta-plane) and bottom drag D = r hu + C_d |u| u (linear r,
 * quadratic C_d; |u| the speed).
 *
 * Discretisation: cell-centred finite volumes on a uniform grid, dimension by dimension fluxes
 * (unsplit). Second order in space and time for smooth flows:
 *   - MUSCL reconstruction of h, eta = h + b and the velocities u, v with a TVD slope limiter
 *     (minmod, van Leer or MC; common/limiters.h); the face bottom is eta - h (Audusse et al.
 *     2004, section 3), so face depths are never negative and a flat eta stays flat.
 *   - Hydrostatic reconstruction at each face (Audusse, Bouchut, Bristeau, Klein & Perthame,
 *     SIAM J. Sci. Comput. 25 (2004) 2050-2065): b* = max(bL, bR), hL* = max(0, hL + bL - b*),
 *     likewise hR*; the flux is taken between the starred states and each side adds
 *     g/2 (h_face^2 - h*^2) to its momentum flux, with the centred source
 *     g (h_{i-1/2+} + h_{i+1/2-})/2 (b_{i-1/2+} - b_{i+1/2-}). The scheme is well balanced (a
 *     lake at rest, wet/dry shores included, stays at rest to round-off) and keeps h >= 0 under
 *     the CFL condition.
 *   - HLL flux (Harten, Lax & van Leer 1983) with Einfeldt's wave speeds and the dry-bed speeds
 *     of Toro (2001, "Shock-capturing methods for free-surface shallow flows", ch. 10), or HLLC,
 *     which restores the contact for the transverse velocity (Toro 2001, section 10.3).
 *   - Time: SSP-RK2 (Heun) or SSP-RK3 (Shu & Osher 1988), each stage a convex combination
 *     U_out = a U_0 + (1 - a) (U + dt L(U)), fused into one pass over the grid. Coriolis and drag
 *     are explicit point sources inside L.
 *   - dt = cfl / max over cells of ((|u| + c)/dx + (|v| + c)/dy), c = sqrt(g h). A wetting front
 *     moves at u + 2c, faster than this estimate: a step that would make a depth negative is
 *     rejected and retried with half the time step (fc_sim_step_toward in src/core/sim.c), so h >= 0
 *     holds without shrinking every step to the worst case.
 * Velocities are hu/h where h > h_dry and 0 elsewhere; a cell whose new depth falls below h_dry
 * loses its momentum, so a wetting front carries no spurious speed.
 *
 * Boundaries, per side: periodic; wall (reflective: the halo mirrors the state, the normal
 * momentum changing sign); open (waves leave: a characteristic condition, swe_open_ghost below).
 *
 * State: fields h (m), hu, hv (m2 s-1) and b (m), each (ny + 4) x (nx + 4) with a halo of 2
 * (the MUSCL stencil reaches two cells), row-major, x fastest (grid.h).
 */
#ifndef FC_SWE_H
#define FC_SWE_H

#include "src/core/hd.h"
#include "solvers/common/limiters.h"
#include "src/core/grid.h"
#include "src/core/solver.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SWE_HALO 2
enum { SWE_H = 0, SWE_HU = 1, SWE_HV = 2, SWE_B = 3, SWE_NFIELDS = 4 };
enum swe_flux { SWE_FLUX_HLL = 0, SWE_FLUX_HLLC = 1 };
enum swe_rk { SWE_SSPRK2 = 0, SWE_SSPRK3 = 1 };

/* Everything a stage needs besides the fields; plain values, passed by value to kernels. */
typedef struct swe_params {
    fc_real g;        /* gravity (m s-2) */
    fc_real f0, beta; /* Coriolis f = f0 + beta (y - y0) (s-1, m-1 s-1) */
    fc_real y0;       /* (m) */
    fc_real drag_lin; /* r (s-1) */
    fc_real drag_quad; /* C_d (1) */
    fc_real h_dry;    /* depth below which a cell is dry (m) */
    int flux;         /* enum swe_flux */
    int limiter;      /* enum fc_limiter */
    int rk;           /* enum swe_rk */
    fc_real open_level[4]; /* surface level b + h outside each open side, at rest (m) */
    fc_grid grid;
} swe_params;

extern const fc_solver_desc swe_solver;
extern const fc_solver_ops swe_ops_cpu;
#ifdef FC_HAVE_CUDA
extern const fc_solver_ops swe_ops_cuda;
#endif

/* Stage weights: U_out = a[s] U_0 + (1 - a[s]) (U + dt L(U)). */
FC_HD static inline int swe_nstages(int rk) { return rk == SWE_SSPRK3 ? 3 : 2; }
FC_HD static inline fc_real swe_stage_a(int rk, int s)
{
    if (s == 0)
        return 0;
    if (rk == SWE_SSPRK3)
        return s == 1 ? (fc_real)0.75 : (fc_real)1 / 3;
    return (fc_real)0.5;
}

FC_HD static inline fc_real swe_velocity(fc_real h, fc_real hu, fc_real h_dry)
{
    return h > h_dry ? hu / h : 0;
}

/* A cell seen along one direction: depth, surface, normal and tangential velocity. */
typedef struct swe_cellv {
    fc_real h, eta, un, ut;
} swe_cellv;

/* A reconstructed face value: depth, bottom, normal and tangential velocity. */
typedef struct swe_face {
    fc_real h, b, un, ut;
} swe_face;

FC_HD static inline swe_cellv swe_cell_load(const fc_real *const *f, ptrdiff_t k, int normal_x,
                                            fc_real h_dry)
{
    swe_cellv c;
    c.h = f[SWE_H][k];
    c.eta = c.h + f[SWE_B][k];
    fc_real u = swe_velocity(c.h, f[SWE_HU][k], h_dry);
    fc_real v = swe_velocity(c.h, f[SWE_HV][k], h_dry);
    c.un = normal_x ? u : v;
    c.ut = normal_x ? v : u;
    return c;
}

/* MUSCL: the face values of cell c on its low (lo) and high (hi) side. */
FC_HD static inline void swe_reconstruct(swe_cellv m, swe_cellv c, swe_cellv p, int limiter,
                                         swe_face *lo, swe_face *hi)
{
    fc_real sh = fc_limit(limiter, c.h - m.h, p.h - c.h) / 2;
    fc_real se = fc_limit(limiter, c.eta - m.eta, p.eta - c.eta) / 2;
    fc_real sn = fc_limit(limiter, c.un - m.un, p.un - c.un) / 2;
    fc_real st = fc_limit(limiter, c.ut - m.ut, p.ut - c.ut) / 2;
    lo->h = c.h - sh;
    hi->h = c.h + sh;
    lo->b = (c.eta - se) - lo->h;
    hi->b = (c.eta + se) - hi->h;
    lo->un = c.un - sn;
    hi->un = c.un + sn;
    lo->ut = c.ut - st;
    hi->ut = c.ut + st;
}

/* The physical flux (mass, normal momentum, tangential momentum) of a state. */
FC_HD static inline void swe_phys_flux(fc_real g, fc_real h, fc_real un, fc_real ut, fc_real F[3])
{
    fc_real q = h * un;
    F[0] = q;
    F[1] = q * un + g * h * h / 2;
    F[2] = q * ut;
}

/*
 * HLL / HLLC flux between the (hydrostatically reconstructed) depths hl, hr with velocities
 * (unl, utl), (unr, utr). A side no deeper than h_dry is dry: its film has no velocity, so the
 * wave speeds are those of the dry-bed Riemann problem, u -+ 2c on the wet side; taking the film
 * as wet would cap the front at u + c and make it lag (Toro 2001, section 10.5).
 */
FC_HD static inline void swe_riemann(int kind, fc_real g, fc_real h_dry, fc_real hl, fc_real unl,
                                     fc_real utl, fc_real hr, fc_real unr, fc_real utr,
                                     fc_real F[3])
{
    const int wet_l = hl > h_dry, wet_r = hr > h_dry;
    if (!wet_l && !wet_r) {
        F[0] = F[1] = F[2] = 0;
        return;
    }
    fc_real cl = fc_sqrt(g * hl), cr = fc_sqrt(g * hr);
    fc_real sl, sr;
    if (!wet_r) {
        sl = unl - cl;
        sr = unl + 2 * cl;
    } else if (!wet_l) {
        sl = unr - 2 * cr;
        sr = unr + cr;
    } else {
        sl = fc_min(unl - cl, unr - cr);
        sr = fc_max(unl + cl, unr + cr);
    }
    fc_real Fl[3], Fr[3];
    swe_phys_flux(g, hl, unl, utl, Fl);
    swe_phys_flux(g, hr, unr, utr, Fr);
    if (sl >= 0) {
        F[0] = Fl[0];
        F[1] = Fl[1];
        F[2] = Fl[2];
        return;
    }
    if (sr <= 0) {
        F[0] = Fr[0];
        F[1] = Fr[1];
        F[2] = Fr[2];
        return;
    }
    fc_real inv = 1 / (sr - sl);
    F[0] = (sr * Fl[0] - sl * Fr[0] + sl * sr * (hr - hl)) * inv;
    F[1] = (sr * Fl[1] - sl * Fr[1] + sl * sr * (hr * unr - hl * unl)) * inv;
    if (kind == SWE_FLUX_HLLC) {
        /* The transverse velocity is carried by the contact wave s*: upwind on its sign. */
        fc_real den = hr * (unr - sr) - hl * (unl - sl);
        fc_real sstar = den != 0 ? (sl * hr * (unr - sr) - sr * hl * (unl - sl)) / den : 0;
        F[2] = F[0] * (sstar >= 0 ? utl : utr);
    } else {
        F[2] = (sr * Fl[2] - sl * Fr[2] + sl * sr * (hr * utr - hl * utl)) * inv;
    }
}

/* The flux through a face between reconstructed states L | R after the hydrostatic
 * reconstruction b* = max(bL, bR), h* = max(0, h + b - b*); gives the starred depths too. */
FC_HD static inline void swe_face_flux(const swe_face *L, const swe_face *R, const swe_params *p,
                                       fc_real F[3], fc_real *hl_star, fc_real *hr_star)
{
    fc_real bs = fc_max(L->b, R->b);
    fc_real hl = fc_max((fc_real)0, L->h + L->b - bs);
    fc_real hr = fc_max((fc_real)0, R->h + R->b - bs);
    swe_riemann(p->flux, p->g, p->h_dry, hl, L->un, L->ut, hr, R->un, R->ut, F);
    if (hl_star)
        *hl_star = hl;
    if (hr_star)
        *hr_star = hr;
}

/*
 * The flux-difference tendency d = -(F_{i+1/2} - F_{i-1/2} - S_c)/dx of a cell along one
 * direction, as (mass, normal, tangential momentum), from its own face values lo | hi, the fluxes
 * through its low (Fw) and high (Fe) faces and the starred depths on its side of them.
 */
FC_HD static inline void swe_cell_balance(const swe_face *lo, const swe_face *hi,
                                          const fc_real Fw[3], fc_real hw_star,
                                          const fc_real Fe[3], fc_real he_star, fc_real g,
                                          fc_real dx, fc_real d[3])
{
    /* Each side's own correction g/2 (h_face^2 - h*^2) keeps a flat surface balanced. */
    fc_real mw = Fw[1] + g / 2 * (lo->h * lo->h - hw_star * hw_star);
    fc_real me = Fe[1] + g / 2 * (hi->h * hi->h - he_star * he_star);
    fc_real sc = g * (lo->h + hi->h) / 2 * (lo->b - hi->b);
    d[0] = -(Fe[0] - Fw[0]) / dx;
    d[1] = -(me - mw - sc) / dx;
    d[2] = -(Fe[2] - Fw[2]) / dx;
}

/* The same for the middle cell of five consecutive cells c[0..4], everything recomputed from the
 * cells (the fused GPU form: no face is stored, each is computed by both its cells). */
FC_HD static inline void swe_direction_tendency(const swe_cellv c[5], const swe_params *p,
                                                fc_real dx, fc_real d[3])
{
    swe_face lo1, hi1, lo2, hi2, lo3, hi3;
    swe_reconstruct(c[0], c[1], c[2], p->limiter, &lo1, &hi1);
    swe_reconstruct(c[1], c[2], c[3], p->limiter, &lo2, &hi2);
    swe_reconstruct(c[2], c[3], c[4], p->limiter, &lo3, &hi3);
    fc_real Fw[3], Fe[3], hw_star, he_star;
    swe_face_flux(&hi1, &lo2, p, Fw, NULL, &hw_star);
    swe_face_flux(&hi2, &lo3, p, Fe, &he_star, NULL);
    swe_cell_balance(&lo2, &hi2, Fw, hw_star, Fe, he_star, p->g, dx, d);
}

/* Signal rate (|u| + c)/dx + (|v| + c)/dy of a cell (1/s): dt <= cfl / rate. */
FC_HD static inline double swe_cell_rate(fc_real h, fc_real hu, fc_real hv, const swe_params *p)
{
    if (!(h > p->h_dry))
        return 0;
    fc_real c = fc_sqrt(p->g * h);
    return (double)((fc_abs(hu / h) + c) / (fc_real)p->grid.dx +
                    (fc_abs(hv / h) + c) / (fc_real)p->grid.dy);
}

/* Depths above -SWE_H_ROUNDOFF are round-off of an empty cell; below, the state is unphysical. */
#define SWE_H_ROUNDOFF ((fc_real)1e-12)

/*
 * The end of an RK stage for cell (i, j) at index k, given its flux-difference tendencies along
 * x (dxs: mass, x, y momentum order after rotation back) and y: adds Coriolis and drag and forms
 * out = a U0 + (1 - a)(U + dt L(U)) as (h, hu, hv). U0 is not read when a = 0.
 */
FC_HD static inline void swe_update_cell(const fc_real *const *U, const fc_real *const *U0,
                                         fc_real a, fc_real dt, const swe_params *p, ptrdiff_t k,
                                         int j, const fc_real dxs[3], const fc_real dys[3],
                                         fc_real out[3])
{
    const fc_real h = U[SWE_H][k], hu = U[SWE_HU][k], hv = U[SWE_HV][k];
    fc_real Lh = dxs[0] + dys[0];
    fc_real Lhu = dxs[1] + dys[2];
    fc_real Lhv = dxs[2] + dys[1];

    fc_real y = (fc_real)(p->grid.y_min + (j + 0.5) * p->grid.dy);
    fc_real f = p->f0 + p->beta * (y - p->y0);
    Lhu += f * hv;
    Lhv -= f * hu;
    if (h > p->h_dry && (p->drag_lin != 0 || p->drag_quad != 0)) {
        fc_real u = hu / h, v = hv / h;
        fc_real k_drag = p->drag_lin + p->drag_quad * fc_sqrt(u * u + v * v) / h;
        Lhu -= k_drag * hu;
        Lhv -= k_drag * hv;
    }

    fc_real b = 1 - a;
    fc_real nh = b * (h + dt * Lh), nhu = b * (hu + dt * Lhu), nhv = b * (hv + dt * Lhv);
    if (a != 0) {
        nh += a * U0[SWE_H][k];
        nhu += a * U0[SWE_HU][k];
        nhv += a * U0[SWE_HV][k];
    }
    if (nh < p->h_dry && nh >= -SWE_H_ROUNDOFF) {
        /* A cell drying out keeps its (non-negative) water but no momentum. */
        nh = fc_max(nh, (fc_real)0);
        nhu = 0;
        nhv = 0;
    }
    out[0] = nh;
    out[1] = nhu;
    out[2] = nhv;
}

/*
 * One whole RK stage for cell (i, j), fused: reads U's 5-point stencils (halos filled) and
 * computes every face it needs itself (swe_cuda.cu; the CPU computes each face once instead).
 */
FC_HD static inline void swe_stage_cell(const fc_real *const *U, const fc_real *const *U0,
                                        fc_real a, fc_real dt, const swe_params *p, int i, int j,
                                        fc_real out[3])
{
    const fc_grid *g = &p->grid;
    const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
    swe_cellv cx[5], cy[5];
    for (int s = 0; s < 5; s++) {
        cx[s] = swe_cell_load(U, k + (s - 2), 1, p->h_dry);
        cy[s] = swe_cell_load(U, k + (ptrdiff_t)(s - 2) * g->pitch, 0, p->h_dry);
    }
    fc_real dxs[3], dys[3];
    swe_direction_tendency(cx, p, (fc_real)g->dx, dxs);
    swe_direction_tendency(cy, p, (fc_real)g->dy, dys);
    swe_update_cell(U, U0, a, dt, p, k, j, dxs, dys, out);
}

/* enum fc_state_check of a new cell state: NaN anywhere, or a depth below round-off. */
FC_HD static inline int swe_check_cell(const fc_real v[3])
{
    if (v[0] != v[0] || v[1] != v[1] || v[2] != v[2])
        return FC_STATE_NAN;
    if (v[0] < 0)
        return FC_STATE_NEGATIVE;
    return FC_STATE_OK;
}

/* The step report of the first bad cell (j * nx + i) and its new values v: what is wrong there,
 * and the value that shows it (the depth when it is NaN or negative, else the NaN momentum). */
static inline void swe_report_bad(const fc_real v[3], long long cell, fc_step_report *rep)
{
    rep->bad = swe_check_cell(v);
    rep->bad_cell = cell;
    rep->bad_value = (double)(v[0] != v[0] || v[0] < 0 ? v[0] : v[1] != v[1] ? v[1] : v[2]);
}

/*
 * Open sides let waves out (a characteristic, Flather-type condition): the halo cell (i, j)
 * beyond an open side gets the state whose outgoing Riemann invariant w + 2c (w: the velocity
 * along the outward normal, c = sqrt(g h)) is the edge cell's and whose incoming one, -2 c_e, is
 * that of water at rest at the side's open_level outside (the initial condition's mean surface
 * along that side): w = (R_out + R_in)/2, c = (R_out - R_in)/4. A wave reaching the side leaves
 * without a reflection in the linear limit. Supercritical outflow (w >= c) and a dry edge take the
 * edge cell's state; the tangential velocity leaves with outflow and is 0 in inflow. Returns 1
 * and the state (h, hu, hv) in v when (i, j) is such a halo cell (not a corner), else 0.
 */
FC_HD static inline int swe_open_ghost(const fc_real *const *U, const swe_params *p, int i, int j,
                                       fc_real v[3])
{
    const fc_grid *g = &p->grid;
    int side, ie = i, je = j;
    if (j >= 0 && j < g->ny && (i < 0 || i >= g->nx)) {
        side = i < 0 ? FC_WEST : FC_EAST;
        ie = i < 0 ? 0 : g->nx - 1;
    } else if (i >= 0 && i < g->nx && (j < 0 || j >= g->ny)) {
        side = j < 0 ? FC_SOUTH : FC_NORTH;
        je = j < 0 ? 0 : g->ny - 1;
    } else
        return 0;
    if (g->bc[side] != FC_BC_OPEN)
        return 0;
    const ptrdiff_t k = fc_idx(g->pitch, g->ng, ie, je);
    const fc_real h = U[SWE_H][k], b = U[SWE_B][k];
    const int along_x = side == FC_WEST || side == FC_EAST;
    const fc_real out = side == FC_EAST || side == FC_NORTH ? 1 : -1; /* outward normal */
    v[0] = h;
    v[1] = U[SWE_HU][k];
    v[2] = U[SWE_HV][k];
    if (h <= p->h_dry)
        return 1;
    const fc_real c = sqrt(p->g * h);
    const fc_real w = out * (along_x ? v[1] : v[2]) / h, ut = (along_x ? v[2] : v[1]) / h;
    if (w >= c)
        return 1; /* supercritical outflow: everything leaves */
    fc_real he = p->open_level[side] - b;
    he = he > 0 ? he : 0;
    const fc_real r_out = w + 2 * c, r_in = -2 * sqrt(p->g * he);
    fc_real wg = (r_out + r_in) / 2, cg = (r_out - r_in) / 4;
    if (-w >= c) { /* supercritical inflow: the outside state comes in */
        wg = 0;
        cg = sqrt(p->g * he);
    }
    const fc_real hg = cg * cg / p->g, utg = wg > 0 ? ut : 0;
    v[0] = hg;
    v[along_x ? 1 : 2] = hg * out * wg;
    v[along_x ? 2 : 1] = hg * utg;
    return 1;
}

/* Which fields are vector components (sign flips at walls): hu along x, hv along y. */
FC_HD static inline int swe_field_odd_x(int field) { return field == SWE_HU; }
FC_HD static inline int swe_field_odd_y(int field) { return field == SWE_HV; }

#ifdef __cplusplus
}
#endif
#endif
