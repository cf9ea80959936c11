/*
 * ns2d.h: the incompressible Navier-Stokes solver: parameters, state layout, and the physics as
 * host+device functions shared by ns2d_cpu.c and ns2d_cuda.cu.
 *
 * Equations (constant density; p is the kinematic pressure p/rho, m2 s-2):
 *   u_t + (u u)_x + (v u)_y = -p_x + nu (u_xx + u_yy) + f_x
 *   v_t + (u v)_x + (v v)_y = -p_y + nu (v_xx + v_yy) + f_y
 *   u_x + v_y = 0
 * with nu the kinematic viscosity (or U L / Re) and (f_x, f_y) a body force per unit mass.
 *
 * Discretisation: staggered MAC grid (Harlow & Welch 1965): u on the west face of each cell, v on
 * its south face, p at the centre. Second order in space:
 *   - advection in flux form through the faces of each velocity's control volume, the transported
 *     velocity interpolated by QUICK (Leonard 1979: 3/4 upwind + 3/8 downwind - 1/8 far upwind;
 *     third order at the face) or by second-order linear upwind (3/2 upwind - 1/2 far upwind),
 *     carried by the average of the two normal velocities there. Both are upwind-biased, so they
 *     stay stable and bounded at cell Reynolds numbers above 2 where central differences
 *     oscillate;
 *   - viscosity by the 5-point Laplacian, explicit;
 *   - no-slip walls by ghost values outside the fluid: the tangential ghost is the quadratic
 *     through the wall velocity and the two nearest fluid values (8/3 w - 2 u1 + u2/3), so the
 *     wall condition is third-order accurate and a parabolic profile is exact; the normal ghost
 *     is linear extrapolation through the face on the wall. Solid cells inside the domain
 *     (a staircase obstacle) are walls the same way; an immersed obstacle (ns2d_body.h) sets
 *     the faces at and inside its true surface after each stage's explicit update instead,
 *     and the pressure equation weights each face by its part outside the body.
 * Time: incremental pressure-correction projection (van Kan 1986) inside each stage of the
 * two-stage SSP Runge-Kutta scheme (Heun), second order:
 *   u*  = u^s + a dt (F(u^s) - G p^s)          F: advection, viscosity, body force
 *   L phi = D u* / (a dt),  u^{s+1} = u* - a dt G phi,  p^{s+1} = p^s + phi
 * where D is the discrete divergence, G the gradient and L = D G, solved by conjugate gradients
 * with a geometric multigrid preconditioner: as 5-point stencils without matrices on the CPU
 * (ns2d_mg.h), as sparse matrices on the GPU (ns2d_poisson.h; the stencils there too with
 * FC_NS2D_GPU_PRESSURE=stencil, ns2d_cuda.cu).
 * Because L is exactly D G, the divergence left after a projection is the solver's residual.
 * dt = cfl / max(A (|u|/dx + |v|/dy) + (8/3) nu (1/dx^2 + 1/dy^2)): advective and diffusive
 * limits together (the 8/3 covers the larger diagonal of the wall ghosts). At cfl = 1 a purely
 * diffusive step sits on SSP-RK2's real-axis limit (dt lambda = 2); the cases use 0.8. SSP-RK2
 * keeps pure advection stable (von Neumann, in 1-D and on any 2-D direction) up to a Courant
 * number |u| dt/dx + |v| dt/dy of 0.79 with QUICK but only 0.50 with linear upwind, whose
 * grid-scale mode grows 2.9 times a step at 0.8; A (ns2d_advective_weight) is 1 for QUICK and
 * 1.6 for linear upwind, so that cfl 0.8 holds either scheme at its limit (QUICK's long waves
 * then grow by at most 1e-6 a step where viscosity does not damp them); a larger cfl is
 * refused (NS2D_CFL_MAX).
 *
 * Boundaries, per side (grid.h): periodic; wall (no slip, with a tangential speed: the lid of a
 * cavity); inflow (given normal velocity, uniform or parabolic, steady or times sin(2 pi t / P)
 * at each stage's time: the state a stage makes is at t + dt; tangential 0); open (outflow:
 * zero normal gradient of velocity, p = 0 on the face). Walls and inflows are Neumann sides of the
 * pressure equation, outflows Dirichlet sides; with none of the latter the equation is singular
 * and solved for zero mean.
 *
 * References: Harlow & Welch (1965), Phys. Fluids 8, 2182; Leonard (1979), Comput. Methods Appl.
 * Mech. Eng. 19, 59-98; van Kan (1986), SIAM J. Sci. Stat. Comput. 7, 870-891; Brown, Cortez &
 * Minion (2001), J. Comput. Phys. 168, 464-499 (accuracy of projection methods).
 *
 * State: u, v (m s-1), p (m2 s-2) and solid (1 in solid cells, 0 in fluid), each
 * (ny + 6) x (nx + 6) with a halo of 3 (QUICK reaches two faces upwind of a face that is itself
 * one beyond the last cell), row-major, x fastest (grid.h). u at index (i, j) is the face
 * between cells (i-1, j) and (i, j); v at (i, j) the face between (i, j-1) and (i, j). The face
 * on the east (north) edge of the domain is the halo slot i = nx (j = ny).
 */
#ifndef FC_NS2D_H
#define FC_NS2D_H

#include "src/core/hd.h"
#include "src/core/grid.h"
#include "src/core/solver.h"
#include "solvers/ns2d/ns2d_body.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NS2D_HALO 3
enum { NS2D_U = 0, NS2D_V = 1, NS2D_P = 2, NS2D_SOLID = 3, NS2D_NFIELDS = 4 };
enum ns2d_advection { NS2D_QUICK = 0, NS2D_UPWIND2 = 1 };
enum ns2d_precond { NS2D_PC_MULTIGRID = 0, NS2D_PC_JACOBI = 1 };
enum ns2d_profile { NS2D_PROFILE_PARABOLIC = 0, NS2D_PROFILE_UNIFORM = 1 };

/* What a cell is, in the interior and in the halo (from the boundary kind of its side). */
enum ns2d_cell { NS2D_FLUID = 0, NS2D_SOLID_CELL = 1, NS2D_INFLOW = 2, NS2D_OUTFLOW = 3 };

/* What a face is, from its two cells. */
enum ns2d_face {
    NS2D_FACE_INNER = 0,  /* fluid | fluid: updated, pressure on both sides */
    NS2D_FACE_OUTLET = 1, /* fluid | outflow: updated, p = 0 on the outflow side of the face */
    NS2D_FACE_FIXED = 2,  /* fluid | wall or inflow: holds its boundary value */
    NS2D_FACE_GHOST = 3   /* no fluid side: filled from the fluid faces before each stage */
};

typedef struct ns2d_params {
    fc_real nu;              /* kinematic viscosity (m2 s-1) */
    fc_real force_x, force_y; /* body force (m s-2) */
    fc_real wall_speed[4];   /* tangential speed of each wall side (m s-1; x for S/N, y for W/E) */
    fc_real inflow_speed;    /* mean normal speed into the domain at inflow sides (m s-1) */
    int inflow_profile;      /* enum ns2d_profile */
    double inflow_period;    /* an oscillating inflow's period (s): its speed times
                              * sin(2 pi t / period); 0: steady (ns2d_inflow_factor) */
    int advection;           /* enum ns2d_advection */
    int precond;             /* enum ns2d_precond */
    double poisson_tol;      /* largest divergence left after a projection (s-1) */
    double poisson_rtol;     /* the same relative to the flow's largest |u|/dx, |v|/dy
                              * (ns2d_projection_tol) */
    int poisson_max_iter;
    double ref_speed, ref_length; /* for Re and the force coefficients */
    /* Unit vector of the free stream (ns2d_flow_direction): drag is the force along it, lift
     * the force across it, to its left; the pressure difference is taken between the body's
     * first and last points along it. */
    double flow_dir[2];
    int nbodies;             /* obstacles ([obstacle], [obstacle2], ...; 0: none) */
    ns2d_body body[NS2D_MAX_BODIES];
    fc_grid grid;
} ns2d_params;

/* A vector's components along the free stream e (p->flow_dir) and across it, to its left: drag
 * and lift from a force, the order of a body's points from front to back and across. For a
 * stream along +x they are x and y exactly. */
static inline double ns2d_along_stream(const double e[2], double x, double y)
{
    return x * e[0] + y * e[1];
}

static inline double ns2d_across_stream(const double e[2], double x, double y)
{
    return -x * e[1] + y * e[0];
}

/* The case file's sections of the bodies, [obstacle] to [obstacle4]. */
extern const char *const ns2d_obstacle_sections[NS2D_MAX_BODIES];
/* FC_EINPUT with err set to "file:line: [section] key = value: why" for key of body `body`
 * (why may be err->msg itself). */
int ns2d_body_error(const fc_config *cfg, fc_err *err, int body, const char *key,
                    const char *why);

/* ---- cells and faces ---- */

FC_HD static inline int ns2d_face_class(int a, int b)
{
    if (a == NS2D_FLUID && b == NS2D_FLUID)
        return NS2D_FACE_INNER;
    if (a == NS2D_FLUID || b == NS2D_FLUID) {
        int other = a == NS2D_FLUID ? b : a;
        return other == NS2D_OUTFLOW ? NS2D_FACE_OUTLET : NS2D_FACE_FIXED;
    }
    return NS2D_FACE_GHOST;
}

FC_HD static inline int ns2d_face_updated(int cls)
{
    return cls == NS2D_FACE_INNER || cls == NS2D_FACE_OUTLET;
}

/*
 * Whether a face couples the pressures on its two sides: not held by the obstacle and open
 * (ib: NULL without an immersed body). Direction d of a cell at k: 0 west, 1 east, 2 south,
 * 3 north; *open receives the face's open fraction.
 */
FC_HD static inline int ns2d_face_couples(const ns2d_ib *ib, ptrdiff_t k, ptrdiff_t pitch, int d,
                                          fc_real *open)
{
    const ptrdiff_t face = d == 1 ? k + 1 : d == 3 ? k + pitch : k;
    *open = ib ? ns2d_open(ib->open[d / 2], face) : (fc_real)1;
    return !(ib && ns2d_held(ib->held, d / 2, face)) && *open > 0;
}

/*
 * Whether the cell at k is an unknown of the pressure equation: a fluid cell with a face that
 * couples it to a fluid or outflow neighbour. A cell cut by an immersed body may have every open
 * face held; the forcing and its mass fix (ns2d_ib_fix in ns2d_body.h) then close its budget and
 * the projection leaves it alone.
 */
FC_HD static inline int ns2d_pressure_cell(const signed char *kind, const ns2d_ib *ib, ptrdiff_t k,
                                           ptrdiff_t pitch)
{
    if (kind[k] != NS2D_FLUID)
        return 0;
    if (!ib || !ib->held)
        return 1;
    const ptrdiff_t nb[4] = {k - 1, k + 1, k - pitch, k + pitch};
    for (int d = 0; d < 4; d++) {
        fc_real open;
        if ((kind[nb[d]] == NS2D_FLUID || kind[nb[d]] == NS2D_OUTFLOW) &&
            ns2d_face_couples(ib, k, pitch, d, &open))
            return 1;
    }
    return 0;
}

/* Class of the u face at k (cells k-1 | k) and of the v face at k (cells k-pitch | k). */
FC_HD static inline int ns2d_class_u(const signed char *kind, ptrdiff_t k)
{
    return ns2d_face_class(kind[k - 1], kind[k]);
}
FC_HD static inline int ns2d_class_v(const signed char *kind, ptrdiff_t k, ptrdiff_t pitch)
{
    return ns2d_face_class(kind[k - pitch], kind[k]);
}

/*
 * Whether the face of component comp at slot (i, j), 0 <= i <= nx, 0 <= j <= ny, is updated by a
 * step (index k). The east (north) edge face of a periodic side is a copy of the west (south)
 * one, not a face of its own.
 */
FC_HD static inline int ns2d_updated_at(const signed char *kind, const fc_grid *g, int comp, int i,
                                        int j, ptrdiff_t k)
{
    const int nfx = g->nx + (comp == 0 && g->bc[FC_WEST] != FC_BC_PERIODIC);
    const int nfy = g->ny + (comp == 1 && g->bc[FC_SOUTH] != FC_BC_PERIODIC);
    return i < nfx && j < nfy &&
           ns2d_face_updated(comp == 0 ? ns2d_class_u(kind, k) : ns2d_class_v(kind, k, g->pitch));
}

/* Storage slot whose value a halo slot (i, j) repeats: periodic sides wrap, others keep it. */
FC_HD static inline void ns2d_wrap(const fc_grid *g, int *i, int *j)
{
    if (g->bc[FC_WEST] == FC_BC_PERIODIC)
        *i = ((*i % g->nx) + g->nx) % g->nx;
    if (g->bc[FC_SOUTH] == FC_BC_PERIODIC)
        *j = ((*j % g->ny) + g->ny) % g->ny;
}

FC_HD static inline int ns2d_class(const signed char *kind, int comp, ptrdiff_t k, ptrdiff_t pitch)
{
    return comp == 0 ? ns2d_class_u(kind, k) : ns2d_class_v(kind, k, pitch);
}

/* Whether the face at slot (i + di, j + dj) exists in storage and is not a ghost; *k: its index
 * (wrapped). A slot's class needs the cell below it, so the first row and column have none. */
FC_HD static inline int ns2d_active_slot(const signed char *kind, const ns2d_params *p, int comp,
                                         int i, int j, int di, int dj, ptrdiff_t *k)
{
    const fc_grid *g = &p->grid;
    int a = i + di, b = j + dj;
    ns2d_wrap(g, &a, &b);
    if (a < 1 - g->ng || a >= g->nx + g->ng || b < 1 - g->ng || b >= g->ny + g->ng)
        return 0;
    *k = fc_idx(g->pitch, g->ng, a, b);
    return ns2d_class(kind, comp, *k, g->pitch) != NS2D_FACE_GHOST;
}

/*
 * The value a ghost velocity face at owned slot (i, j) takes from the fluid next to it. comp: 0
 * for u (steps along x are normal to it, along y tangential), 1 for v (the other way round). A
 * tangential neighbour on the fluid side gives the no-slip ghost: the quadratic through the wall
 * speed w and the two nearest fluid values, or the mirror when only one exists. Otherwise a
 * normal neighbour gives linear extrapolation through the face on the wall. Next to an outflow
 * the ghost copies its neighbour (zero gradient), and so does the second layer beyond an outflow
 * side, from the nearest face that is not a ghost: QUICK reads it upwind of the side's face
 * where the flow comes in through the side (it kept w = 0, and a channel forced through two open
 * ends, whose exact flow is the same at every x, built a pressure gradient from its inflow end
 * that sped the flow up by 4 % in 1 s). A ghost with no fluid near it keeps w. Neighbours are
 * read at wrapped slots, which this pass never writes.
 */
FC_HD static inline fc_real ns2d_ghost_value(const fc_real *q, const signed char *kind,
                                             const ns2d_params *p, int comp, int i, int j)
{
    const fc_grid *g = &p->grid;
    const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
    const int cell = kind[k];
    /* Wall speed for a tangential ghost: domain walls by side, obstacles at rest. */
    fc_real w = 0;
    if (cell == NS2D_SOLID_CELL) {
        if (comp == 0)
            w = j >= g->ny ? p->wall_speed[FC_NORTH] : j < 0 ? p->wall_speed[FC_SOUTH] : 0;
        else
            w = i >= g->nx ? p->wall_speed[FC_EAST] : i < 0 ? p->wall_speed[FC_WEST] : 0;
    }
    for (int tangential = 1; tangential >= 0; tangential--) {
        /* Unit step along the tangential (or normal) direction of this component. Fluid on
         * both sides (a solid strip one cell thick: a thin body's edge) gives the mean of the
         * two sides' ghosts, so that a mirrored flow stays mirrored; the side looked at first
         * once decided, and an aerofoil at -5 degrees was not the mirror image of one at +5
         * (lift 0.2438 against 0.2439 after 2 s, velocities 5e-4 apart from the second step). */
        const int sx = (comp == 0) != tangential, sy = !sx;
        fc_real sum = 0;
        int sides = 0;
        for (int dir = -1; dir <= 1; dir += 2) {
            ptrdiff_t k1, k2;
            if (!ns2d_active_slot(kind, p, comp, i, j, dir * sx, dir * sy, &k1))
                continue;
            sides++;
            if (cell == NS2D_OUTFLOW) {
                sum += q[k1];
                continue;
            }
            const int has2 = ns2d_active_slot(kind, p, comp, i, j, 2 * dir * sx, 2 * dir * sy, &k2);
            if (!tangential)
                sum += has2 ? 2 * q[k1] - q[k2] : q[k1];
            else
                sum += has2 ? (fc_real)(8.0 / 3.0) * w - 2 * q[k1] + q[k2] / 3 : 2 * w - q[k1];
        }
        if (sides)
            return sides == 2 ? sum / 2 : sum;
    }
    if (cell == NS2D_OUTFLOW)
        for (int d = 2; d <= g->ng; d++)
            for (int tangential = 1; tangential >= 0; tangential--) {
                const int sx = (comp == 0) != tangential, sy = !sx;
                fc_real sum = 0;
                int sides = 0;
                for (int dir = -1; dir <= 1; dir += 2) {
                    ptrdiff_t kd;
                    if (ns2d_active_slot(kind, p, comp, i, j, d * dir * sx, d * dir * sy, &kd))
                        sum += q[kd], sides++;
                }
                if (sides)
                    return sides == 2 ? sum / 2 : sum;
            }
    return w;
}

/*
 * Fills storage slot (i, j) of velocity component comp (0: u, 1: v) if it is a ghost or a
 * periodic copy; updated and fixed faces are left alone. Reads only updated or fixed faces, so
 * every slot can be filled at once. Slots run over 1 - ng <= i < nx + ng (likewise j): the
 * stencils reach two faces beyond the edge faces.
 */
FC_HD static inline void ns2d_fill_slot(fc_real *q, const signed char *kind, const ns2d_params *p,
                                        int comp, int i, int j)
{
    const fc_grid *g = &p->grid;
    int si = i, sj = j;
    ns2d_wrap(g, &si, &sj);
    const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j), ks = fc_idx(g->pitch, g->ng, si, sj);
    if (ns2d_class(kind, comp, ks, g->pitch) == NS2D_FACE_GHOST)
        q[k] = ns2d_ghost_value(q, kind, p, comp, si, sj);
    else if (ks != k)
        q[k] = q[ks];
}

/*
 * Seam slot t (0 <= t < max(nx, ny)) of a set: on a periodic side the far edge's faces (u at
 * i = nx, v at j = ny) are copies of the first ones (i = 0, j = 0), and no stage updates them.
 * A stage copies them before it reads its divergence: else the last column's (row's) outflow
 * is the stage before's, the projection leaves that difference as divergence there, and an
 * almost inviscid periodic flow gains kinetic energy from it (Taylor-Green at nu = 1e-6 on
 * 24 x 20 cells: +87 % in 5 s, largest divergence 1.2 s-1 against poisson_tol 1e-8).
 */
FC_HD static inline void ns2d_fill_seam(fc_real *u, fc_real *v, const signed char *kind,
                                        const ns2d_params *p, int t)
{
    const fc_grid *g = &p->grid;
    if (g->bc[FC_WEST] == FC_BC_PERIODIC && t < g->ny)
        ns2d_fill_slot(u, kind, p, 0, g->nx, t);
    if (g->bc[FC_SOUTH] == FC_BC_PERIODIC && t < g->nx)
        ns2d_fill_slot(v, kind, p, 1, t, g->ny);
}

/* ---- advection, viscosity, pressure ---- */

/* Transported value at a face between c (upwind) and d (downwind); uu is beyond c, upwind. */
FC_HD static inline fc_real ns2d_interp(int scheme, fc_real uu, fc_real c, fc_real d)
{
    if (scheme == NS2D_QUICK)
        return (fc_real)0.75 * c + (fc_real)0.375 * d - (fc_real)0.125 * uu;
    return (fc_real)1.5 * c - (fc_real)0.5 * uu;
}

/* Flux of q through a face between q[k] and q[k + s], carried by velocity a (positive toward
 * k + s). */
FC_HD static inline fc_real ns2d_flux(const fc_real *q, ptrdiff_t k, ptrdiff_t s, fc_real a,
                                      int scheme)
{
    fc_real t = a >= 0 ? ns2d_interp(scheme, q[k - s], q[k], q[k + s])
                       : ns2d_interp(scheme, q[k + 2 * s], q[k + s], q[k]);
    return a * t;
}

/* Pressure of the cell on the other side of a face from the fluid cell with pressure pin:
 * an outflow cell mirrors it, so that p = 0 on the face. */
FC_HD static inline fc_real ns2d_p_across(const fc_real *pr, const signed char *kind,
                                          ptrdiff_t k_other, fc_real pin)
{
    return kind[k_other] == NS2D_OUTFLOW ? -pin : pr[k_other];
}

/*
 * Tendency F - G p of the face at k of velocity component comp (0: u, 1: v): advection,
 * viscosity, body force and pressure gradient. q = vel[comp] is carried through the faces of its
 * control volume normal to it by its own average, through those along it by the other
 * component's average at the two faces there.
 */
FC_HD static inline fc_real ns2d_tendency(const fc_real *const *vel, const fc_real *pr,
                                          const signed char *kind, const ns2d_params *p, int comp,
                                          ptrdiff_t k)
{
    const fc_grid *g = &p->grid;
    const fc_real *q = vel[comp], *o = vel[1 - comp];
    const ptrdiff_t sn = comp == 0 ? 1 : g->pitch, st = comp == 0 ? g->pitch : 1;
    const fc_real hn = (fc_real)(comp == 0 ? g->dx : g->dy), ht = (fc_real)(comp == 0 ? g->dy : g->dx);
    const fc_real an_hi = (q[k] + q[k + sn]) / 2, an_lo = (q[k - sn] + q[k]) / 2;
    const fc_real at_hi = (o[k - sn + st] + o[k + st]) / 2, at_lo = (o[k - sn] + o[k]) / 2;
    const fc_real adv = (ns2d_flux(q, k, sn, an_hi, p->advection) -
                         ns2d_flux(q, k - sn, sn, an_lo, p->advection)) / hn +
                        (ns2d_flux(q, k, st, at_hi, p->advection) -
                         ns2d_flux(q, k - st, st, at_lo, p->advection)) / ht;
    const fc_real visc = p->nu * ((q[k + sn] - 2 * q[k] + q[k - sn]) / (hn * hn) +
                                  (q[k + st] - 2 * q[k] + q[k - st]) / (ht * ht));
    fc_real lo, hi; /* pressures of the cells below and above the face */
    if (kind[k] == NS2D_FLUID) {
        hi = pr[k];
        lo = ns2d_p_across(pr, kind, k - sn, hi);
    } else {
        lo = pr[k - sn];
        hi = ns2d_p_across(pr, kind, k, lo);
    }
    return -adv + visc - (hi - lo) / hn + (comp == 0 ? p->force_x : p->force_y);
}

/* Divergence of the fluid cell at k (s-1). */
FC_HD static inline fc_real ns2d_divergence(const fc_real *u, const fc_real *v, ptrdiff_t k,
                                            ptrdiff_t pitch, fc_real dx, fc_real dy)
{
    return (u[k + 1] - u[k]) / dx + (v[k + pitch] - v[k]) / dy;
}

/* The same with each face's flux weighted by its open fraction (ou, ov: NULL for all open): the
 * net outflow of the fluid part of a cell cut by an immersed body, per unit cell area. */
FC_HD static inline fc_real ns2d_divergence_open(const fc_real *u, const fc_real *v,
                                                 const fc_real *ou, const fc_real *ov, ptrdiff_t k,
                                                 ptrdiff_t pitch, fc_real dx, fc_real dy)
{
    if (!ou)
        return ns2d_divergence(u, v, k, pitch, dx, dy);
    return (ou[k + 1] * u[k + 1] - ou[k] * u[k]) / dx +
           (ov[k + pitch] * v[k + pitch] - ov[k] * v[k]) / dy;
}

/*
 * Correction -c (phi_b - phi_a) / h of an updated face between cells a and b, phi read through
 * the map of cells to unknowns (cell_of: unknown index, or -1 outside the fluid). An outflow cell
 * takes -phi of its fluid neighbour (phi = 0 on the face).
 */
FC_HD static inline fc_real ns2d_correction(const fc_real *phi, const int *cell_of,
                                            const signed char *kind, ptrdiff_t a, ptrdiff_t b,
                                            fc_real c_over_h)
{
    fc_real pa = cell_of[a] >= 0 ? phi[cell_of[a]] : 0;
    fc_real pb = cell_of[b] >= 0 ? phi[cell_of[b]] : 0;
    if (kind[a] == NS2D_OUTFLOW)
        pa = -pb;
    if (kind[b] == NS2D_OUTFLOW)
        pb = -pa;
    return -c_over_h * (pb - pa);
}

/*
 * Pressure of a fluid cell that has no unknown (a cell cut by an immersed body whose open
 * faces the body all sets): the mean of its neighbours that have one (cell_of >= 0), for the
 * output and the body's force probes; no face's update depends on it. Returns the cell's own
 * value when no neighbour has an unknown.
 */
FC_HD static inline fc_real ns2d_cut_cell_pressure(const fc_real *pr, const int *cell_of,
                                                   ptrdiff_t k, ptrdiff_t pitch)
{
    const ptrdiff_t nb[4] = {k - 1, k + 1, k - pitch, k + pitch};
    fc_real sum = 0;
    int n = 0;
    for (int d = 0; d < 4; d++)
        if (cell_of[nb[d]] >= 0) {
            sum += pr[nb[d]];
            n++;
        }
    return n ? sum / n : pr[k];
}

/* The largest [time] cfl the solver takes: each scheme's stable Courant number under SSP-RK2
 * once its advective rate is weighted (the header says why). */
#define NS2D_CFL_MAX 0.8

/* The advective rate's weight A in the time step (the header says why): QUICK's stable Courant
 * number under SSP-RK2 (0.79) over the scheme's (linear upwind: 0.50). */
FC_HD static inline fc_real ns2d_advective_weight(int scheme)
{
    return scheme == NS2D_UPWIND2 ? (fc_real)1.6 : (fc_real)1;
}

/* Signal rate of a face pair for the time step (s-1): advective plus diffusive. */
FC_HD static inline fc_real ns2d_rate(fc_real uc, fc_real vc, const ns2d_params *p)
{
    const fc_real dx = (fc_real)p->grid.dx, dy = (fc_real)p->grid.dy;
    return ns2d_advective_weight(p->advection) * (fc_abs(uc) / dx + fc_abs(vc) / dy) +
           (fc_real)(8.0 / 3.0) * p->nu * (1 / (dx * dx) + 1 / (dy * dy));
}

/* Stage coefficients of SSP-RK2 with a projection per stage: U_out = a U0 + (1-a)(U + dt F). */
#define NS2D_STAGES 2
/* Where fc_step_report.stats holds the box's momentum rate (x, then y; ns2d_body.h). */
#define NS2D_STAT_BOX_RATE 2
FC_HD static inline fc_real ns2d_stage_a(int s) { return s == 0 ? 0 : (fc_real)0.5; }

/* The parts of a step `flowcast profile` times on either backend (fc_profile_clocked), in the
 * order of its clocks: the pressure solves with their right-hand sides, the explicit updates
 * with the ghosts they read, the immersed forcing (with a body only). */
enum { NS2D_PART_PRESSURE, NS2D_PART_TENDENCY, NS2D_PART_BODY, NS2D_PARTS };
static inline const char *ns2d_part_name(int part)
{
    return part == NS2D_PART_PRESSURE   ? "pressure solves (multigrid CG)"
           : part == NS2D_PART_TENDENCY ? "explicit updates (advection, viscosity)"
                                        : "immersed forcing";
}

/* ---- host side, shared by both backends (ns2d_poisson.c, ns2d_cases.c) ---- */

/* Cell kinds over the whole storage (halo included) from the solid field and the sides. */
void ns2d_cell_kinds(const fc_grid *g, const fc_real *solid, signed char *kind);
/* Writes the boundary values of the fixed faces (walls 0, the steady inflow profile) into u
 * and v. */
void ns2d_boundary_values(const ns2d_params *p, const signed char *kind, fc_real *u, fc_real *v);

/* What multiplies the inflow profile at model time t: 1, or sin(2 pi t / inflow_period). */
double ns2d_inflow_factor(const ns2d_params *p, double t);
/* The least signal rate an oscillating inflow sets, 40 / inflow_period (s-1; 0 when steady):
 * dt = cfl / rate then takes at least 40 / cfl steps a period, however slow the flow. */
double ns2d_inflow_rate(const ns2d_params *p);

/*
 * The inflow faces of a time-varying inflow, which every stage sets to the inflow at its own
 * time (the faces a steady inflow fixes once are left alone: none are listed then, and nothing
 * changes by a bit). Face e is slot k[e] of u (comp[e] = 0) or v (1), with the inflow value[e]
 * at factor 1 (m s-1).
 */
typedef struct ns2d_inflow_faces {
    int n;
    ptrdiff_t *k;
    signed char *comp;
    fc_real *value;
} ns2d_inflow_faces;

/* The list, from the cell kinds and the steady boundary values ns2d_boundary_values wrote into
 * u and v (empty for a steady inflow). FC_ENOMEM. */
int ns2d_inflow_faces_make(const ns2d_params *p, const signed char *kind, const fc_real *u,
                           const fc_real *v, ns2d_inflow_faces *f, fc_err *err);
void ns2d_inflow_faces_free(ns2d_inflow_faces *f);
/* Sets the listed faces of u and v to the inflow at model time t. */
void ns2d_inflow_faces_set(const ns2d_params *p, const ns2d_inflow_faces *f, double t, fc_real *u,
                           fc_real *v);

extern const fc_solver_ops ns2d_ops_cpu;
#ifdef FC_HAVE_CUDA
extern const fc_solver_ops ns2d_ops_cuda;
#endif
extern const fc_solver_desc ns2d_solver;

#ifdef __cplusplus
}
#endif
#endif
