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
 *     (minmod, van Leer, MC or van Albada; common/limiters.h); the face bottom is eta - h
 *     (Audusse et al. 2004, section 3), so face depths are never negative and a flat eta stays
 *     flat.
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
 * momentum changing sign); open (waves leave: a characteristic condition toward the water
 * outside, swe_side_ghost below); inflow (a discharge per unit width enters, its depth
 * from the outgoing characteristic, or held with it where the inflow is supercritical,
 * swe_side_ghost).
 *
 * Each step reports the largest change of h, hu or hv over it per second (swe_cell_change),
 * which [time] steady_tol compares to end a run on a steady flow.
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
enum swe_outside_water { SWE_OUTSIDE_INITIAL = 0, SWE_OUTSIDE_GIVEN = 1 };
/* lake_at_rest's bottom (the order of [initial] bump_shape's choices). */
enum swe_bump_shape {
    SWE_BUMP_GAUSSIAN = 0,
    SWE_BUMP_PARABOLIC = 1,
    SWE_BUMP_GAUSSIAN_RIDGE = 2,
    SWE_BUMP_PARABOLIC_RIDGE = 3
};

/* The water beyond an open side (swe_side_ghost): the initial condition's along that side, or
 * the case's (swe_reference in swe.c). */
typedef struct swe_outside {
    fc_real level;  /* surface level b + h (m) */
    fc_real normal; /* its current along the side's outward normal (m s-1; < 0: flowing in) */
    fc_real along;  /* its current along the side, along +x or +y (m s-1) */
} swe_outside;

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
    swe_outside open[4]; /* the water outside each side (used where the side is open) */
    int outside_given;    /* [boundary] outside_water = given: open[] from the two below */
    fc_real outside_level, outside_current; /* (m, m s-1 along the outward normal) */
    fc_real inflow_q;     /* discharge per unit width through each inflow side (m2 s-1) */
    fc_real inflow_h;     /* the depth held there with it (a supercritical inflow), 0: none */
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

/*
 * The physics below is written for loops over cells that vectorise (swe_cpu.c) as well as for
 * one GPU thread per cell: small structs passed and returned by value (no arrays whose address
 * is taken), every case computed and the answer selected rather than branched to, and the
 * scheme's choices (limiter, Riemann solver, drag) as arguments that the CPU's loops give as
 * constants. A selection gives the same bits as the branch it replaces.
 */

/* Velocity hu/h of a wet cell, 0 in a dry one. */
FC_HD FC_ALWAYS_INLINE static inline fc_real swe_velocity(fc_real h, fc_real hu, fc_real h_dry)
{
    const fc_real u = hu / h;
    return h > h_dry ? u : 0;
}

/* A cell seen along one direction: depth, surface, normal and tangential velocity. */
typedef struct swe_cellv {
    fc_real h, eta, un, ut;
} swe_cellv;

/* A reconstructed face value: depth, bottom, normal and tangential velocity. */
typedef struct swe_face {
    fc_real h, b, un, ut;
} swe_face;

/* Three components along a direction: mass, normal and tangential momentum (a flux or a
 * tendency). */
typedef struct swe_triple {
    fc_real mass, normal, tangential;
} swe_triple;

/* What passes through a face: the flux and the starred depths on its left and right side. */
typedef struct swe_interface {
    swe_triple F;
    fc_real hl_star, hr_star;
} swe_interface;

/* A cell's conserved state: depth and momenta along x and y. */
typedef struct swe_conserved {
    fc_real h, hu, hv;
} swe_conserved;

/* Cell k of the fields (depth, surface, velocities) seen along x (normal_x) or y. */
FC_HD FC_ALWAYS_INLINE static inline swe_cellv swe_cell_load(const fc_real *const *f, ptrdiff_t k,
                                                             int normal_x, fc_real h_dry)
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

/* MUSCL: the face values of cell c on its low (lo) and high (hi) side, with the limiter
 * `limiter` (enum fc_limiter). */
FC_HD FC_ALWAYS_INLINE static inline void swe_reconstruct(swe_cellv m, swe_cellv c, swe_cellv p,
                                                          int limiter, swe_face *lo, swe_face *hi)
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
FC_HD FC_ALWAYS_INLINE static inline swe_triple swe_phys_flux(fc_real g, fc_real h, fc_real un,
                                                              fc_real ut)
{
    const fc_real q = h * un;
    const swe_triple F = {q, q * un + g * h * h / 2, q * ut};
    return F;
}

/* A flux component of the Riemann solver: 0 when both sides are dry, else the left flux when the
 * fan lies right of the face, the right flux when it lies left, else the star flux. */
FC_HD FC_ALWAYS_INLINE static inline fc_real swe_first_case(int wet, int fan_right, int fan_left,
                                                           fc_real Fl, fc_real Fr, fc_real Fs)
{
    fc_real flux = fan_left ? Fr : Fs;
    flux = fan_right ? Fl : flux;
    return wet ? flux : 0;
}

/*
 * HLL / HLLC flux (kind: enum swe_flux) between the (hydrostatically reconstructed) depths hl, hr
 * with velocities (unl, utl), (unr, utr). A side no deeper than h_dry is dry: its film has no
 * velocity, so the wave speeds are those of the dry-bed Riemann problem, u -+ 2c on the wet side;
 * taking the film as wet would cap the front at u + c and make it lag (Toro 2001, section 10.5).
 */
FC_HD FC_ALWAYS_INLINE static inline swe_triple swe_riemann(int kind, fc_real g, fc_real h_dry,
                                                            fc_real hl, fc_real unl, fc_real utl,
                                                            fc_real hr, fc_real unr, fc_real utr)
{
    const fc_real cl = fc_sqrt(g * hl), cr = fc_sqrt(g * hr);
    /* Einfeldt's speeds, replaced where one side is dry (the right side last: it decides). */
    fc_real sl = fc_min(unl - cl, unr - cr), sr = fc_max(unl + cl, unr + cr);
    sl = hl > h_dry ? sl : unr - 2 * cr;
    sr = hl > h_dry ? sr : unr + cr;
    sl = hr > h_dry ? sl : unl - cl;
    sr = hr > h_dry ? sr : unl + 2 * cl;
    const swe_triple Fl = swe_phys_flux(g, hl, unl, utl), Fr = swe_phys_flux(g, hr, unr, utr);
    const fc_real inv = 1 / (sr - sl);
    swe_triple Fs;
    Fs.mass = (sr * Fl.mass - sl * Fr.mass + sl * sr * (hr - hl)) * inv;
    Fs.normal = (sr * Fl.normal - sl * Fr.normal + sl * sr * (hr * unr - hl * unl)) * inv;
    if (kind == SWE_FLUX_HLLC) {
        /* The transverse velocity is carried by the contact wave s*: upwind on its sign. */
        const fc_real den = hr * (unr - sr) - hl * (unl - sl);
        const fc_real num = sl * hr * (unr - sr) - sr * hl * (unl - sl);
        const fc_real ratio = num / den, sstar = den != 0 ? ratio : 0;
        Fs.tangential = Fs.mass * (sstar >= 0 ? utl : utr);
    } else {
        Fs.tangential =
            (sr * Fl.tangential - sl * Fr.tangential + sl * sr * (hr * utr - hl * utl)) * inv;
    }
    const int wet = hl > h_dry || hr > h_dry, fan_right = sl >= 0, fan_left = sr <= 0;
    swe_triple F;
    F.mass = swe_first_case(wet, fan_right, fan_left, Fl.mass, Fr.mass, Fs.mass);
    F.normal = swe_first_case(wet, fan_right, fan_left, Fl.normal, Fr.normal, Fs.normal);
    F.tangential =
        swe_first_case(wet, fan_right, fan_left, Fl.tangential, Fr.tangential, Fs.tangential);
    return F;
}

/* The flux (Riemann solver `kind`, enum swe_flux) through a face between reconstructed states
 * L | R after the hydrostatic reconstruction b* = max(bL, bR), h* = max(0, h + b - b*), and the
 * starred depths. */
FC_HD FC_ALWAYS_INLINE static inline swe_interface swe_face_flux(swe_face L, swe_face R, int kind,
                                                            const swe_params *p)
{
    const fc_real bs = fc_max(L.b, R.b);
    swe_interface f;
    f.hl_star = fc_max((fc_real)0, L.h + L.b - bs);
    f.hr_star = fc_max((fc_real)0, R.h + R.b - bs);
    f.F = swe_riemann(kind, p->g, p->h_dry, f.hl_star, L.un, L.ut, f.hr_star, R.un, R.ut);
    return f;
}

/*
 * The flux-difference tendency d = -(F_{i+1/2} - F_{i-1/2} - S_c)/dx of a cell along one
 * direction, from its own face values lo | hi and the fluxes through its low (w) and high (e)
 * faces (the starred depths on its side of them: w's right, e's left).
 */
FC_HD FC_ALWAYS_INLINE static inline swe_triple swe_cell_balance(swe_face lo, swe_face hi,
                                                                 swe_interface w, swe_interface e,
                                                                 fc_real g, fc_real dx)
{
    /* Each side's own correction g/2 (h_face^2 - h*^2) keeps a flat surface balanced. */
    fc_real mw = w.F.normal + g / 2 * (lo.h * lo.h - w.hr_star * w.hr_star);
    fc_real me = e.F.normal + g / 2 * (hi.h * hi.h - e.hl_star * e.hl_star);
    fc_real sc = g * (lo.h + hi.h) / 2 * (lo.b - hi.b);
    swe_triple d;
    d.mass = -(e.F.mass - w.F.mass) / dx;
    d.normal = -(me - mw - sc) / dx;
    d.tangential = -(e.F.tangential - w.F.tangential) / dx;
    return d;
}

/* The same for the middle cell of five consecutive cells c[0..4], everything recomputed from the
 * cells (the fused GPU form: no face is stored, each is computed by both its cells). */
FC_HD static inline swe_triple swe_direction_tendency(const swe_cellv c[5], const swe_params *p,
                                                      fc_real dx)
{
    swe_face lo1, hi1, lo2, hi2, lo3, hi3;
    swe_reconstruct(c[0], c[1], c[2], p->limiter, &lo1, &hi1);
    swe_reconstruct(c[1], c[2], c[3], p->limiter, &lo2, &hi2);
    swe_reconstruct(c[2], c[3], c[4], p->limiter, &lo3, &hi3);
    const swe_interface w = swe_face_flux(hi1, lo2, p->flux, p), e = swe_face_flux(hi2, lo3, p->flux, p);
    return swe_cell_balance(lo2, hi2, w, e, p->g, dx);
}

/* Signal rate (|u| + c)/dx + (|v| + c)/dy of a cell (1/s), 0 where dry: dt <= cfl / rate. */
FC_HD FC_ALWAYS_INLINE static inline double swe_cell_rate(fc_real h, fc_real hu, fc_real hv,
                                                          const swe_params *p)
{
    const fc_real c = fc_sqrt(p->g * h);
    const fc_real r = (fc_abs(hu / h) + c) / (fc_real)p->grid.dx +
                      (fc_abs(hv / h) + c) / (fc_real)p->grid.dy;
    return h > p->h_dry ? (double)r : 0;
}

/* Depths above -SWE_H_ROUNDOFF are round-off of an empty cell; below, the state is unphysical.
 * It is the rounding of depths and levels of a few kilometres in double precision; a single-
 * precision build rounds a 0.1 m level at 1e-8 m, and an empty cell beside a shore then shows
 * outflows of that size that no smaller step removes (with 1e-12 the step was halved to 1e-20 s
 * and gave a NaN), so there it is that of levels of about ten metres. */
#ifdef FC_SINGLE
#define SWE_H_ROUNDOFF ((fc_real)1e-6)
#else
#define SWE_H_ROUNDOFF ((fc_real)1e-12)
#endif

/* The Coriolis parameter of row j. */
FC_HD static inline fc_real swe_coriolis(const swe_params *p, int j)
{
    fc_real y = (fc_real)(p->grid.y_min + (p->grid.j0 + j + 0.5) * p->grid.dy);
    return p->f0 + p->beta * (y - p->y0);
}

/* Whether the case has bottom drag. */
FC_HD static inline int swe_has_drag(const swe_params *p)
{
    return p->drag_lin != 0 || p->drag_quad != 0;
}

/*
 * The end of an RK stage for a cell of state u (u0 at the start of the step), given its
 * flux-difference tendencies along x (tx: normal = x momentum) and y (ty: normal = y momentum),
 * the Coriolis parameter f of its row and whether the case has drag: adds Coriolis and drag and
 * forms a u0 + (1 - a)(u + dt L(u)). blend is a != 0; u0 is not used without it.
 */
FC_HD FC_ALWAYS_INLINE static inline swe_conserved
swe_update_values(swe_conserved u, swe_conserved u0, fc_real a, int blend, fc_real dt, fc_real f,
                  int drag, const swe_params *p, swe_triple tx, swe_triple ty)
{
    const fc_real h = u.h, hu = u.hu, hv = u.hv;
    fc_real Lh = tx.mass + ty.mass;
    fc_real Lhu = tx.normal + ty.tangential;
    fc_real Lhv = tx.tangential + ty.normal;
    Lhu += f * hv;
    Lhv -= f * hu;
    if (drag) {
        const fc_real uu = hu / h, vv = hv / h;
        const fc_real k_drag = p->drag_lin + p->drag_quad * fc_sqrt(uu * uu + vv * vv) / h;
        const int wet = h > p->h_dry;
        Lhu = wet ? Lhu - k_drag * hu : Lhu;
        Lhv = wet ? Lhv - k_drag * hv : Lhv;
    }
    /* a u0 + b (u + dt L) as u0 + b ((u - u0) + dt L): rounding then acts on the step's change,
     * not on the state. The sum of the two products rounded the same way in every cell of a
     * nearly uniform depth (b 100 + a 100 in float is not 100), which drifted single
     * precision's mass by 1.5 epsilon a step; this form keeps a state that does not change
     * exactly as it is. */
    const fc_real b = 1 - a;
    fc_real nh = h + dt * Lh, nhu = hu + dt * Lhu, nhv = hv + dt * Lhv;
    if (blend) {
        nh = u0.h + b * ((h - u0.h) + dt * Lh);
        nhu = u0.hu + b * ((hu - u0.hu) + dt * Lhu);
        nhv = u0.hv + b * ((hv - u0.hv) + dt * Lhv);
    }
    /* A cell drying out keeps its (non-negative) water but no momentum. */
    const int drying = nh < p->h_dry && nh >= -SWE_H_ROUNDOFF;
    swe_conserved out;
    out.h = drying ? fc_max(nh, (fc_real)0) : nh;
    out.hu = drying ? 0 : nhu;
    out.hv = drying ? 0 : nhv;
    return out;
}

/* The state of cell k of the fields U. */
FC_HD static inline swe_conserved swe_conserved_at(const fc_real *const *U, ptrdiff_t k)
{
    const swe_conserved u = {U[SWE_H][k], U[SWE_HU][k], U[SWE_HV][k]};
    return u;
}

/*
 * One whole RK stage for cell (i, j), fused: reads U's 5-point stencils (halos filled) and
 * computes every face it needs itself (swe_cuda.cu; the CPU computes each face once instead).
 * U0 (the step's start) is read only when a != 0.
 */
FC_HD static inline void swe_stage_cell(const fc_real *const *U, const fc_real *const *U0,
                                        fc_real a, fc_real dt, const swe_params *p, int i, int j,
                                        fc_real out[3])
{
    const fc_grid *g = &p->grid;
    const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
    /* One direction at a time: only one stencil is live (a GPU thread's registers). */
    swe_triple tx, ty;
    {
        swe_cellv c[5];
        for (int s = 0; s < 5; s++)
            c[s] = swe_cell_load(U, k + (s - 2), 1, p->h_dry);
        tx = swe_direction_tendency(c, p, (fc_real)g->dx);
    }
    {
        swe_cellv c[5];
        for (int s = 0; s < 5; s++)
            c[s] = swe_cell_load(U, k + (ptrdiff_t)(s - 2) * g->pitch, 0, p->h_dry);
        ty = swe_direction_tendency(c, p, (fc_real)g->dy);
    }
    const swe_conserved u0 = swe_conserved_at(a != 0 ? U0 : U, k); /* unused when a = 0 */
    const swe_conserved v = swe_update_values(swe_conserved_at(U, k), u0, a, a != 0, dt,
                                              swe_coriolis(p, j), swe_has_drag(p), p, tx, ty);
    out[0] = v.h;
    out[1] = v.hu;
    out[2] = v.hv;
}

/* Whether a new cell state is sound: no NaN, a depth not below round-off (no branch). */
FC_HD FC_ALWAYS_INLINE static inline int swe_cell_ok(swe_conserved v)
{
    return (v.h >= 0) & (v.hu == v.hu) & (v.hv == v.hv);
}

/* The largest change of h, hu and hv from u0 to v (what [time] steady_tol reads, over dt): the
 * depth in m and the discharges in m2 s-1, so a steady flow is one whose level and discharge
 * both stop changing. Comparisons, not fmax, whose NaN rule gcc does not vectorise. */
FC_HD static inline double swe_cell_change(swe_conserved v, swe_conserved u0)
{
    const double dh = fabs((double)v.h - u0.h), du = fabs((double)v.hu - u0.hu),
                 dv = fabs((double)v.hv - u0.hv);
    const double d = dh > du ? dh : du;
    return d > dv ? d : dv;
}

/* enum fc_state_check of a new cell state: NaN anywhere (first), or a depth below round-off. */
FC_HD static inline int swe_check_cell(const fc_real v[3])
{
    const swe_conserved c = {v[0], v[1], v[2]};
    if (swe_cell_ok(c))
        return FC_STATE_OK;
    return v[0] < 0 && v[1] == v[1] && v[2] == v[2] ? FC_STATE_NEGATIVE : FC_STATE_NAN;
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
 * The depth h > 0 at which a discharge q >= 0 per unit width flows in through a side, w = -q/h
 * along the outward normal, with the outgoing Riemann invariant w + 2 sqrt(g h) equal to r_out
 * (the edge cell's): the root of F(h) = 2 sqrt(g h) - q/h - r_out. F rises from -inf at 0 to
 * +inf and is concave, so Newton's method from a depth where F <= 0 climbs to the one root
 * without overshooting it. That depth is the edge's (1 m at a dry edge) halved until F <= 0;
 * then at most 100 Newton steps, a few in practice (far below the root each step doubles h).
 * Only correctly rounded operations, so the CPU and the GPU find the same bits.
 */
FC_HD static inline fc_real swe_inflow_depth(fc_real q, fc_real r_out, fc_real g, fc_real h_edge)
{
    if (!(q > 0)) { /* nothing flows in: the depth at rest with that invariant */
        const fc_real c = r_out > 0 ? r_out / 2 : 0;
        return c * c / g;
    }
    fc_real h = h_edge > 0 ? h_edge : 1;
    for (int k = 0; k < 200 && 2 * sqrt(g * h) - q / h - r_out > 0; k++)
        h /= 2;
    for (int k = 0; k < 100; k++) {
        const fc_real F = 2 * sqrt(g * h) - q / h - r_out;
        const fc_real step = F / (sqrt(g / h) + q / (h * h));
        if (!(step < 0) || -step <= 4 * FC_REAL_EPSILON * h)
            break;
        h -= step;
    }
    return h;
}

/*
 * The state (h, hu, hv) beyond an open or inflow side, for the halo cell (i, j); w is the
 * velocity along the side's outward normal, c = sqrt(g h), R_out = w + 2c the outgoing Riemann
 * invariant of the edge cell.
 *
 * Open sides let waves out (a characteristic, Flather-type condition): the halo cell gets the
 * state whose outgoing invariant is the edge cell's and whose incoming one, w_e - 2 c_e, is that
 * of the water outside (swe_outside: the initial condition's mean surface level over that
 * side's wet cells (dry land beyond a side dry from end to end, no higher than its lowest
 * bottom), and its current, so that a current the initial state carries through the side keeps
 * flowing; one state per side, so a level or current that varies along the side is held
 * outside at its mean; or, with [boundary] outside_water = given, the level and outward current
 * the case gives, as a river's downstream stage and its discharge over that depth):
 * w = (R_out + R_in)/2, c = (R_out - R_in)/4. A wave reaching the side leaves without a
 * reflection in the linear limit, and a steady flow whose state is the outside's passes
 * through unchanged. Supercritical outflow (w >= c) and a dry edge take the edge cell's state,
 * supercritical inflow the outside's; the tangential velocity leaves with outflow and is the
 * outside's in inflow.
 *
 * Inflow sides let the discharge inflow_q per unit width in, normal to the side: h from the
 * edge's outgoing invariant (swe_inflow_depth), w = -q/h, no tangential velocity. The
 * discharge enters whatever the state inside (a subcritical inflow; where the flow inside
 * would make it supercritical, the one depth that carries q with that invariant). A
 * supercritical inflow (inflow_h > 0, checked faster than its wave speed when the case loads)
 * has no outgoing characteristic: its depth is held too.
 *
 * Returns 1 and the state in v when (i, j) is such a halo cell (not a corner), else 0.
 */
FC_HD static inline int swe_side_ghost(const fc_real *const *U, const swe_params *p, int i, int j,
                                       fc_real v[3])
{
    const fc_grid *g = &p->grid;
    /* Sides are the whole grid's: a rank's block (grid.h) has halo cells beyond them in its
     * corners too, where the block meets a neighbour along the side. */
    const int wi = g->i0 + i, wj = g->j0 + j;
    int side, ie = i, je = j;
    if (wj >= 0 && wj < g->ny_whole && (wi < 0 || wi >= g->nx_whole)) {
        side = wi < 0 ? FC_WEST : FC_EAST;
        ie = wi < 0 ? 0 : g->nx - 1;
    } else if (wi >= 0 && wi < g->nx_whole && (wj < 0 || wj >= g->ny_whole)) {
        side = wj < 0 ? FC_SOUTH : FC_NORTH;
        je = wj < 0 ? 0 : g->ny - 1;
    } else
        return 0;
    if (g->bc[side] != FC_BC_OPEN && g->bc[side] != FC_BC_INFLOW)
        return 0;
    const ptrdiff_t k = fc_idx(g->pitch, g->ng, ie, je);
    const fc_real h = U[SWE_H][k], b = U[SWE_B][k];
    const int along_x = side == FC_WEST || side == FC_EAST;
    const fc_real out = side == FC_EAST || side == FC_NORTH ? 1 : -1; /* outward normal */
    const int wet = h > p->h_dry;
    const fc_real c = wet ? sqrt(p->g * h) : 0;
    const fc_real w = wet ? out * (along_x ? U[SWE_HU][k] : U[SWE_HV][k]) / h : 0;
    if (g->bc[side] == FC_BC_INFLOW) {
        const fc_real hg = p->inflow_h > 0 ? p->inflow_h
                                           : swe_inflow_depth(p->inflow_q, w + 2 * c, p->g,
                                                              wet ? h : 0);
        v[0] = hg;
        v[along_x ? 1 : 2] = -out * p->inflow_q;
        v[along_x ? 2 : 1] = 0;
        return 1;
    }
    v[0] = h;
    v[1] = U[SWE_HU][k];
    v[2] = U[SWE_HV][k];
    if (!wet || w >= c)
        return 1; /* a dry edge, or supercritical outflow: everything leaves */
    const fc_real ut = (along_x ? v[2] : v[1]) / h;
    const swe_outside *o = &p->open[side];
    fc_real he = o->level - b;
    he = he > 0 ? he : 0;
    const fc_real ce = sqrt(p->g * he);
    const fc_real r_out = w + 2 * c, r_in = o->normal - 2 * ce;
    fc_real wg = (r_out + r_in) / 2, cg = (r_out - r_in) / 4;
    if (-w >= c) { /* supercritical inflow: the outside state comes in */
        wg = o->normal;
        cg = ce;
    }
    const fc_real utg = wg > 0 ? ut : o->along;
    const fc_real hg = cg * cg / p->g;
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
