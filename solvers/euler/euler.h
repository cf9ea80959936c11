/*
 * euler.h: the dry compressible Euler equations in a vertical (x-z) slice with gravity: the
 * equations, the method, and the per-cell physics as host/device functions (FC_HD) that the
 * OpenMP backend (euler_cpu.c) and the CUDA backend (euler_cuda.cu) both call.
 *
 * Equations (conservative form; the state is (rho', rho u, rho w, (rho theta)')):
 *
 *   d rho'/dt          + d(rho u)/dx            + d(rho w)/dz            = 0
 *   d(rho u)/dt        + d(rho u u + p')/dx     + d(rho w u)/dz          = D_u
 *   d(rho w)/dt        + d(rho u w)/dx          + d(rho w w + p')/dz     = -rho' g + D_w
 *   d(rho theta)'/dt   + d(rho u theta)/dx      + d(rho w theta)/dz      = D_theta
 *
 * with p = C0 (rho theta)^gamma, C0 = Rd^gamma p0^(-Rd/cv), gamma = cp/cv (dry air: Rd = 287,
 * cp = 1004 J kg-1 K-1, p0 = 1e5 Pa). A time-invariant hydrostatic background rho_b(z),
 * (rho theta)_b(z), p_b(z) = C0 (rho theta)_b^gamma is subtracted: rho = rho_b + rho',
 * rho theta = (rho theta)_b + (rho theta)', p = p_b + p'. Its balance dp_b/dz = -rho_b g is used
 * exactly (it is what removes the background from the vertical momentum equation), so the
 * discrete background is in balance by construction: an atmosphere at rest has rho' = 0,
 * (rho theta)' = 0, p' = C0 ((rho theta)_b)^gamma - p_b = 0 at every cell and face, and stays at
 * rest to the last bit. Backgrounds (Exner function pi = (p/p0)^(Rd/cp)):
 *   neutral     theta = theta0, pi = 1 - g z / (cp theta0);
 *   stable      theta = theta0 exp(N^2 z / g), pi = 1 + g^2 (exp(-N^2 z/g) - 1) / (cp theta0 N^2);
 *   isothermal  T = T0, p = p0 exp(-g z / (Rd T0)), theta = T0 (p0/p)^(Rd/cp);
 * with an optional uniform wind U (rho u = rho U at the start).
 *
 * D: optional constant kinematic viscosity nu and thermal diffusivity kappa, as fluxes
 * -rho nu grad(u), -rho nu grad(w), -rho kappa grad(theta') at each face (theta' = theta minus
 * the background's theta at the cell's height: the background is not diffused). They are what
 * makes the Straka et al. (1993) density current converge.
 *
 * Method (after Norman's miniWeather, 2020): finite volumes; at each face the state is
 * reconstructed by the fourth-order centred interpolation of the four cells around it,
 * q_f = (-q_{-2} + 7 q_{-1} + 7 q_0 - q_{+1}) / 12 (the pressure perturbation p' too: computed
 * once per cell and stage, then interpolated, so that the face loops need no pow() and
 * vectorise), and the flux gets a fourth-order
 * hyperviscosity, + beta h / (16 dt) (-q_{-2} + 3 q_{-1} - 3 q_0 + q_{+1}), that removes a
 * fixed fraction beta of the 2h mode each step and touches smooth scales at fourth order. It acts
 * on the perturbations: rho', (rho theta)', and across z faces on rho u less the background's
 * momentum rho_b(z) U, which is not smooth in the sense it measures (rho_b falls with height,
 * and the walls mirror it): hyperdiffused, it sheared a uniform wind from the ground and the top
 * (0.4 m/s of 15 m/s after 1000 s in a stable atmosphere). rho' U is hyperdiffused with rho', so
 * a uniform wind stays uniform under it. Why
 * this and not WENO5: these are low-Mach flows without shocks, where the centred scheme has the
 * same order on smooth fields at a third of the cost, has no branches (it vectorises on the CPU
 * and fuses into one kernel per stage on the GPU), and keeps symmetric problems symmetric to
 * round-off. Time: the three-stage Runge-Kutta scheme of Wicker & Skamarock (2002),
 * q1 = q0 + dt/3 L(q0), q2 = q0 + dt/2 L(q1), q^{n+1} = q0 + dt L(q2), with dt from the acoustic
 * CFL number: dt = cfl / max((|u| + c)/dx + (|w| + c)/dz), c = sqrt(gamma p / rho).
 *
 * Boundaries: bottom and top are free-slip walls: w = 0 at the wall face, so mass and
 * (rho theta) cannot cross it and are conserved to round-off; only the pressure pushes. x is
 * periodic, a free-slip wall (u = 0 at the face, symmetry), or open, chosen per side. Halo cells
 * (two) mirror the state at walls (w, or u at x walls, changes sign) and wrap at periodic sides.
 * At an open side they hold a characteristic state (after Thompson 1987, linearised about the
 * background): the outgoing acoustic invariant u' +- p'/(rho_b c_b) comes from the edge cell,
 * the incoming one is the background's (0: at rest in the wind U); theta' and w leave with an
 * outflow and are the background's in an inflow. Acoustic waves leave without a reflection in
 * the linear limit; for gravity waves, which meet the side obliquely, a sponge helps.
 * Optional Rayleigh damping layers (sponges) relax the state towards the background (and u
 * towards U) at a rate rising as sin^2 from 0 at their inner edge to `sponge_rate`: one under
 * the top, and one along each open side, for waves that must leave the domain.
 *
 * References: Straka, Wilhelmson, Wicker, Anderson & Droegemeier (1993), Int. J. Numer. Meth.
 * Fluids 17, 1-22; Giraldo & Restelli (2008), J. Comput. Phys. 227, 3849-3877; Wicker &
 * Skamarock (2002), Mon. Wea. Rev. 130, 2088-2097; Norman (2020), miniWeather, ORNL.
 */
#ifndef FC_EULER_H
#define FC_EULER_H

#include <math.h>

#include "src/core/fc.h"
#include "src/core/grid.h"
#include "src/core/hd.h"
#include "src/core/solver.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { EULER_RHO, EULER_RHOU, EULER_RHOW, EULER_RHOT, EULER_NFIELDS };
/* A stencil holds the four fields and, in this slot, the pressure perturbation p' of each cell,
 * computed once per stage (euler_pressure_cell): the face fluxes then interpolate p' rather than
 * take a power of the interpolated rho theta, so they have no pow() and vectorise. */
#define EULER_P_SLOT EULER_NFIELDS
#define EULER_SLOTS (EULER_NFIELDS + 1)
#define EULER_HALO 2

/* Dry air. */
#define EULER_RD 287.0
#define EULER_CP 1004.0
#define EULER_CV (EULER_CP - EULER_RD)
#define EULER_GAMMA (EULER_CP / EULER_CV)
#define EULER_P0 1.0e5

enum euler_background { EULER_BG_NEUTRAL = 0, EULER_BG_STABLE = 1, EULER_BG_ISOTHERMAL = 2 };

typedef struct euler_params {
    fc_grid grid;
    fc_real g, gamma, c0;     /* gravity; cp/cv; p = c0 (rho theta)^gamma */
    fc_real nu, kappa;        /* viscosity and thermal diffusivity (m2 s-1) */
    fc_real hv_beta;          /* hyperviscosity: fraction of the 2h mode removed per step */
    fc_real wind;             /* background wind U (m s-1) */
    fc_real sponge_base;      /* height where the sponge starts (m); >= the top: none */
    fc_real sponge_width;     /* width of the sponges along open sides (m); 0: none */
    fc_real sponge_rate;      /* their damping rate at the top and at the sides (s-1) */
    int background;           /* enum euler_background */
    double theta0, n2, t0;    /* theta at the ground (K), N^2 (s-2), T0 of an isothermal one (K) */
} euler_params;

/* The background at height z above the bottom: density and rho theta (hydrostatic, analytic). */
static inline void euler_background_at(const euler_params *p, double z, double *rho,
                                       double *rho_theta)
{
    const double g = p->g, cp = EULER_CP, rd = EULER_RD;
    double theta, pi;
    if (p->background == EULER_BG_ISOTHERMAL) {
        const double pr = EULER_P0 * exp(-g * z / (rd * p->t0));
        pi = pow(pr / EULER_P0, rd / cp);
        theta = p->t0 / pi;
    } else if (p->background == EULER_BG_STABLE) {
        theta = p->theta0 * exp(p->n2 * z / g);
        pi = 1 + g * g * (exp(-p->n2 * z / g) - 1) / (cp * p->theta0 * p->n2);
    } else {
        theta = p->theta0;
        pi = 1 - g * z / (cp * theta);
    }
    const double pr = EULER_P0 * pow(pi, cp / rd);
    *rho = pr / (rd * theta * pi);
    *rho_theta = *rho * theta;
}

/*
 * The background as the backends hold it, per row j of cells: at the cell centres (rho, rho
 * theta, p, theta) and at the horizontal faces below each row, j = 0 .. ny (rho, rho theta).
 */
typedef struct euler_column {
    fc_real *rho, *rt, *p, *theta;    /* [ny] */
    fc_real *rho_f, *rt_f;            /* [ny + 1] */
    /* On a rank's block (grid.h) the arrays hold the whole grid's rows and point at the block's
     * first, j0 rows in: index j is the block's row j, halo rows too. */
    int j0;
} euler_column;

/* (rho theta)^gamma: on the host fc_pow_pos (hd.h), whose loops over cells vectorise with the
 * same bits at every vector width (glibc's pow, a scalar call, was 0.37 of a CPU step); CUDA's
 * pow on the device. gamma is a constant, so the compiler folds fc_pow_pos's split of it. */
FC_HD FC_ALWAYS_INLINE static inline fc_real euler_pow_gamma(fc_real rho_theta)
{
#ifdef __CUDACC__
    return (fc_real)pow((double)rho_theta, EULER_GAMMA);
#else
    return (fc_real)fc_pow_pos(rho_theta, EULER_GAMMA);
#endif
}

/* The pressure of rho theta. */
FC_HD FC_ALWAYS_INLINE static inline fc_real euler_pressure(const euler_params *p, fc_real rho_theta)
{
    return p->c0 * euler_pow_gamma(rho_theta);
}

/* Fourth-order face value and third difference of four cells across a face. */
FC_HD FC_ALWAYS_INLINE static inline void euler_face_value(fc_real a, fc_real b, fc_real c, fc_real d, fc_real *v,
                                          fc_real *d3)
{
    *v = (-a + 7 * b + 7 * c - d) / 12;
    *d3 = -a + 3 * b - 3 * c + d;
}

/*
 * The flux through a face whose normal is x (normal = 0) or z (normal = 1): q[s][f] are the four
 * cells s = 0..3 across the face (the face between s = 1 and s = 2), field f, and their p' in
 * slot EULER_P_SLOT; rho_b, rt_b the background at the face; hv = hv_beta h / (16 dt); wall: the
 * face is a wall (no normal velocity, no hyperviscous or viscous flux); h: the spacing across
 * the face (viscous gradients); rho_bs[s]: the background density of cell s (of the row a
 * wall's halo mirrors); theta_b1, 2 and rt_b1, 2: the background of cells 1 and 2 (their theta'
 * for diffusion). No branch but on the arguments normal and wall, which callers give as
 * constants, so that a loop over faces vectorises. flux[f] out.
 */
FC_HD FC_ALWAYS_INLINE static inline void euler_face_flux(const fc_real q[4][EULER_SLOTS], int normal,
                                         fc_real rho_b, fc_real rt_b, fc_real hv, int wall,
                                         fc_real h, fc_real theta_b1, fc_real theta_b2,
                                         const fc_real rho_bs[4], fc_real rt_b1,
                                         fc_real rt_b2, const euler_params *p,
                                         fc_real flux[EULER_NFIELDS])
{
    fc_real v[EULER_NFIELDS], d3[EULER_NFIELDS];
    FC_UNROLL
    for (int f = 0; f < EULER_NFIELDS; f++)
        euler_face_value(q[0][f], q[1][f], q[2][f], q[3][f], &v[f], &d3[f]);
    if (normal) { /* the background's momentum rho_b(z) U is not hyperdiffused (header) */
        fc_real m[4];
        FC_UNROLL
        for (int s = 0; s < 4; s++)
            m[s] = q[s][EULER_RHOU] - rho_bs[s] * p->wind;
        d3[EULER_RHOU] = -m[0] + 3 * m[1] - 3 * m[2] + m[3];
    }
    const fc_real pp = (-q[0][EULER_P_SLOT] + 7 * q[1][EULER_P_SLOT] + 7 * q[2][EULER_P_SLOT] -
                        q[3][EULER_P_SLOT]) / 12; /* exactly 0 at rest */
    const fc_real r = rho_b + v[EULER_RHO], rt = rt_b + v[EULER_RHOT];
    const fc_real u = v[EULER_RHOU] / r, w = v[EULER_RHOW] / r;
    const fc_real un = wall ? 0 : normal ? w : u, k = wall ? 0 : hv;
    flux[EULER_RHO] = r * un + k * d3[EULER_RHO];
    flux[EULER_RHOU] = r * un * u + (normal ? 0 : pp) + k * d3[EULER_RHOU];
    flux[EULER_RHOW] = r * un * w + (normal ? pp : 0) + k * d3[EULER_RHOW];
    flux[EULER_RHOT] = un * rt + k * d3[EULER_RHOT];
    /* Viscous fluxes from the gradients across the face (velocities and theta'); with nu and
     * kappa 0 they add 0. */
    const fc_real r1 = rho_bs[1] + q[1][EULER_RHO], r2 = rho_bs[2] + q[2][EULER_RHO];
    const fc_real du = q[2][EULER_RHOU] / r2 - q[1][EULER_RHOU] / r1;
    const fc_real dw = q[2][EULER_RHOW] / r2 - q[1][EULER_RHOW] / r1;
    const fc_real dt1 = (rt_b1 + q[1][EULER_RHOT]) / r1 - theta_b1;
    const fc_real dt2 = (rt_b2 + q[2][EULER_RHOT]) / r2 - theta_b2;
    const fc_real visc = wall ? 0 : r / h;
    flux[EULER_RHOU] -= p->nu * visc * du;
    flux[EULER_RHOW] -= p->nu * visc * dw;
    flux[EULER_RHOT] -= p->kappa * visc * (dt2 - dt1);
}

/* The row whose p' halo row j takes (j itself inside): the ground and the top are mirrors, and
 * they are the whole grid's (a rank's block: grid.h). Reflected until inside, as the fields'
 * halos are (fc_halo_source); on the two rows a case has at least (euler.c), once is enough. */
FC_HD static inline int euler_mirror_row(const fc_grid *g, int j)
{
    const int ny = g->ny_whole;
    int wj = g->j0 + j;
    while (wj < 0 || wj >= ny)
        wj = wj < 0 ? -1 - wj : 2 * ny - 1 - wj;
    return wj - g->j0;
}

/* p' of cell (i, j) of the stage input U, halo cells included (euler_mirror_row). */
FC_HD static inline fc_real euler_pressure_cell(const fc_real *const *U, const euler_column *col,
                                                const euler_params *p, int i, int j)
{
    const fc_grid *g = &p->grid;
    const int jm = euler_mirror_row(g, j);
    const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, jm);
    return euler_pressure(p, col->rt[jm] + U[EULER_RHOT][k]) - col->p[jm];
}

/* The sponges' damping rate at distance d into a layer of width w (0 outside it). */
FC_HD static inline fc_real euler_sponge_profile(fc_real rate, fc_real d, fc_real w)
{
    if (!(d > 0) || !(w > 0))
        return 0;
    const fc_real s = sin((fc_real)(M_PI / 2) * (d < w ? d : w) / w);
    return rate * s * s;
}

/* The top sponge's damping rate in row j. */
FC_HD static inline fc_real euler_sponge_top(const euler_params *p, int j)
{
    const fc_grid *g = &p->grid; /* rows counted in the whole grid (a rank's block: grid.h) */
    const fc_real top = (fc_real)(g->ny_whole * g->dy),
                  z = ((fc_real)(g->j0 + j) + (fc_real)0.5) * (fc_real)g->dy;
    return euler_sponge_profile(p->sponge_rate, z - p->sponge_base, top - p->sponge_base);
}

/* The open sides' damping rate in column i (the larger of the two; 0 away from them). */
FC_HD static inline fc_real euler_sponge_sides(const euler_params *p, int i)
{
    const fc_grid *g = &p->grid;
    const fc_real x = ((fc_real)i + (fc_real)0.5) * (fc_real)g->dx, len = (fc_real)(g->nx * g->dx);
    const fc_real w = p->sponge_width;
    fc_real r = 0;
    if (g->bc[FC_WEST] == FC_BC_OPEN)
        r = euler_sponge_profile(p->sponge_rate, w - x, w);
    if (g->bc[FC_EAST] == FC_BC_OPEN) {
        const fc_real s = euler_sponge_profile(p->sponge_rate, x - (len - w), w);
        r = s > r ? s : r;
    }
    return r;
}

/* The damping rate of cell (i, j): the largest of the top sponge's and the open sides' (rates
 * are not negative, so 0 where a sponge is absent changes no maximum). The CPU takes the two
 * parts from a row's and a column's table: the same values. */
FC_HD static inline fc_real euler_sponge(const euler_params *p, int i, int j)
{
    if (!(p->sponge_rate > 0))
        return 0;
    const fc_real top = euler_sponge_top(p, j), sides = euler_sponge_sides(p, i);
    return sides > top ? sides : top;
}

/*
 * The halo cell (i, j) beyond an open west or east side (rows 0 .. ny-1): the characteristic
 * state of the header from the edge cell of row j. Returns 1 and the state in v, or 0 when the
 * cell is not such a halo cell.
 */
FC_HD static inline int euler_open_ghost(const fc_real *const *U, const euler_column *col,
                                         const euler_params *p, int i, int j,
                                         fc_real v[EULER_NFIELDS])
{
    const fc_grid *g = &p->grid;
    if (j < 0 || j >= g->ny || (i >= 0 && i < g->nx))
        return 0;
    const int side = i < 0 ? FC_WEST : FC_EAST;
    if (g->bc[side] != FC_BC_OPEN)
        return 0;
    const fc_real out = side == FC_EAST ? 1 : -1; /* outward normal */
    const ptrdiff_t k = fc_idx(g->pitch, g->ng, side == FC_EAST ? g->nx - 1 : 0, j);
    const fc_real rho_b = col->rho[j], rt_b = col->rt[j], p_b = col->p[j];
    const fc_real r = rho_b + U[EULER_RHO][k], rt = rt_b + U[EULER_RHOT][k];
    const fc_real u = U[EULER_RHOU][k] / r, w = U[EULER_RHOW][k] / r;
    const fc_real c_b = sqrt(p->gamma * p_b / rho_b), z_b = rho_b * c_b; /* impedance */
    const fc_real up = out * (u - p->wind), pp = euler_pressure(p, rt) - p_b;
    /* Outgoing invariant up + p'/Z kept, incoming up - p'/Z = 0. */
    const fc_real r_out = up + pp / z_b;
    const fc_real ug = r_out / 2, pg = z_b * r_out / 2;
    const int outflow = out * u > 0;
    const fc_real theta = outflow ? rt / r : col->theta[j], wg = outflow ? w : 0;
    const fc_real rtg = pow((p_b + pg) / p->c0, 1 / p->gamma), rg = rtg / theta;
    v[EULER_RHO] = rg - rho_b;
    v[EULER_RHOU] = rg * (p->wind + out * ug);
    v[EULER_RHOW] = rg * wg;
    v[EULER_RHOT] = rtg - rt_b;
    return 1;
}

/* The four cells across face (i, j) - 1/2 along normal 0 (x) or 1 (z): q[s] = cell
 * (i - 2 + s, j) or (i, j - 2 + s), its fields U[0..3] and its p' U[EULER_P_SLOT]. */
FC_HD FC_ALWAYS_INLINE static inline void euler_load_stencil(const fc_real *const *U, const fc_grid *g, int i,
                                            int j, int normal, fc_real q[4][EULER_SLOTS])
{
    const ptrdiff_t step = normal ? g->pitch : 1;
    const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
    FC_UNROLL
    for (int s = 0; s < 4; s++) {
        FC_UNROLL
        for (int f = 0; f < EULER_SLOTS; f++)
            q[s][f] = U[f][k + (s - 2) * step];
    }
}

/* The background density of the four cells across the bottom face of row j, from the rows the
 * halos mirror at the ground and the top (a wall face's cells below and above are both the row
 * it closes). The same along a row: the CPU takes it once per row, out of the faces' loop. */
FC_HD static inline void euler_face_rho_z(const euler_column *col, const fc_grid *g, int j,
                                          fc_real rho_bs[4])
{
    for (int s = 0; s < 4; s++)
        rho_bs[s] = col->rho[euler_mirror_row(g, j - 2 + s)];
}

/* The flux through the bottom face of cell (i, j); wall: the face is the ground or the top
 * (given, so that a loop over a row's faces has no branch); rho_bs: euler_face_rho_z's. U:
 * the fields and p' (EULER_SLOTS arrays). */
FC_HD FC_ALWAYS_INLINE static inline void euler_flux_z(const fc_real *const *U, const euler_column *col,
                                      const euler_params *p, fc_real hv, int i, int j, int wall,
                                      const fc_real rho_bs[4], fc_real flux[EULER_NFIELDS])
{
    const fc_grid *g = &p->grid;
    fc_real q[4][EULER_SLOTS];
    euler_load_stencil(U, g, i, j, 1, q);
    /* The cells below and above the face (euler_mirror_row's rows, spelled out: through the
     * call gcc no longer vectorises a row's loop). */
    const int wj = g->j0 + j, jb = wj > 0 ? j - 1 : j, ja = wj < g->ny_whole ? j : j - 1;
    euler_face_flux(q, 1, col->rho_f[j], col->rt_f[j], hv, wall, (fc_real)g->dy, col->theta[jb],
                    col->theta[ja], rho_bs, col->rt[jb], col->rt[ja], p, flux);
}

/* The flux through the west face of cell (i, j); wall: that face is a wall side. */
FC_HD FC_ALWAYS_INLINE static inline void euler_flux_x(const fc_real *const *U, const euler_column *col,
                                      const euler_params *p, fc_real hv, int i, int j, int wall,
                                      fc_real flux[EULER_NFIELDS])
{
    const fc_grid *g = &p->grid;
    fc_real q[4][EULER_SLOTS];
    euler_load_stencil(U, g, i, j, 0, q);
    const fc_real rho_bs[4] = {col->rho[j], col->rho[j], col->rho[j], col->rho[j]};
    euler_face_flux(q, 0, col->rho[j], col->rt[j], hv, wall, (fc_real)g->dx, col->theta[j],
                    col->theta[j], rho_bs, col->rt[j], col->rt[j], p, flux);
}

/* Whether the west face of column i (0 .. nx) is a wall. */
FC_HD static inline int euler_wall_x(const fc_grid *g, int i)
{
    return (i == 0 && g->bc[FC_WEST] == FC_BC_WALL) || (i == g->nx && g->bc[FC_EAST] == FC_BC_WALL);
}

/* Whether bottom face j of a row (0 .. ny) is the ground or the top, both walls: counted in
 * the whole grid, so that a rank's block has no wall between it and the block below. */
FC_HD static inline int euler_wall_z(const fc_grid *g, int j)
{
    const int wj = g->j0 + j;
    return wj == 0 || wj == g->ny_whole;
}

/* The hyperviscous coefficients hv_beta h / (16 dt) of x and z faces. */
FC_HD static inline fc_real euler_hv(const euler_params *p, fc_real h, fc_real dt)
{
    return p->hv_beta * h / (16 * dt);
}

/*
 * The tendency of field f of cell (i, j) at index k of U (or of rows of U that start at the
 * cell's row, with k = i, as the CPU passes them) from its four face fluxes (west, east,
 * south, north; each an array of the fields): the flux differences, the buoyancy -rho' g and the
 * sponge of damping rate damp (0: none), selected rather than branched to, so that a loop over
 * cells has no branch.
 */
FC_HD FC_ALWAYS_INLINE static inline fc_real euler_tendency(const fc_real *const *U,
                                                           const euler_column *col,
                                                           const euler_params *p, fc_real damp,
                                                           ptrdiff_t k, int j, int f,
                                                           const fc_real *w, const fc_real *e,
                                                           const fc_real *s, const fc_real *n)
{
    const fc_grid *g = &p->grid;
    fc_real tend = -(e[f] - w[f]) / (fc_real)g->dx - (n[f] - s[f]) / (fc_real)g->dy;
    if (f == EULER_RHOW)
        tend -= U[EULER_RHO][k] * p->g;
    const fc_real target = f == EULER_RHOU ? (col->rho[j] + U[EULER_RHO][k]) * p->wind : 0;
    const fc_real damped = tend - damp * (U[f][k] - target);
    return damp > 0 ? damped : tend;
}

/*
 * The update of cell (i, j) from its four face fluxes (west, east, south, north):
 * out = U0 + a dt L(U), L from the flux differences, the buoyancy -rho' g and the sponge.
 */
FC_HD static inline void euler_update_cell(const fc_real *const *U, const fc_real *const *U0,
                                           const euler_column *col, const euler_params *p,
                                           fc_real a, fc_real dt, int i, int j, const fc_real *w,
                                           const fc_real *e, const fc_real *s, const fc_real *n,
                                           fc_real out[EULER_NFIELDS])
{
    const fc_grid *g = &p->grid;
    const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
    const fc_real damp = euler_sponge(p, i, j);
    for (int f = 0; f < EULER_NFIELDS; f++)
        out[f] = U0[f][k] + a * dt * euler_tendency(U, col, p, damp, k, j, f, w, e, s, n);
}

/* One Runge-Kutta stage at cell (i, j), its four fluxes computed here (the GPU's fused form;
 * the CPU computes each face once and calls euler_update_cell: the same bits). U: the stage
 * input's fields and its p' (EULER_SLOTS arrays). */
FC_HD static inline void euler_stage_cell(const fc_real *const *U, const fc_real *const *U0,
                                          const euler_column *col, const euler_params *p,
                                          fc_real a, fc_real dt, int i, int j,
                                          fc_real out[EULER_NFIELDS])
{
    const fc_grid *g = &p->grid;
    const fc_real hx = euler_hv(p, (fc_real)g->dx, dt), hz = euler_hv(p, (fc_real)g->dy, dt);
    fc_real w[EULER_NFIELDS], e[EULER_NFIELDS], s[EULER_NFIELDS], n[EULER_NFIELDS];
    euler_flux_x(U, col, p, hx, i, j, euler_wall_x(g, i), w);
    euler_flux_x(U, col, p, hx, i + 1, j, euler_wall_x(g, i + 1), e);
    fc_real below[4], above[4];
    euler_face_rho_z(col, g, j, below);
    euler_face_rho_z(col, g, j + 1, above);
    euler_flux_z(U, col, p, hz, i, j, euler_wall_z(g, j), below, s);
    euler_flux_z(U, col, p, hz, i, j + 1, euler_wall_z(g, j + 1), above, n);
    euler_update_cell(U, U0, col, p, a, dt, i, j, w, e, s, n, out);
}

/* Whether a new cell (its four fields, in order) is sound: no NaN, a positive total density.
 * No branch, so that a loop over cells vectorises. */
FC_HD FC_ALWAYS_INLINE static inline int euler_cell_ok(fc_real rho, fc_real rhou, fc_real rhow,
                                                       fc_real rhot, fc_real rho_b)
{
    return (rhou == rhou) & (rhow == rhow) & (rhot == rhot) & (rho_b + rho > 0);
}

/* enum fc_state_check of a new cell: NaN anywhere (first), or a total density that is not
 * positive. */
FC_HD static inline int euler_check_cell(const fc_real v[EULER_NFIELDS], fc_real rho_b)
{
    if (euler_cell_ok(v[EULER_RHO], v[EULER_RHOU], v[EULER_RHOW], v[EULER_RHOT], rho_b))
        return FC_STATE_OK;
    return v[0] != v[0] || v[1] != v[1] || v[2] != v[2] || v[3] != v[3] ? FC_STATE_NAN
                                                                         : FC_STATE_NEGATIVE;
}

/* The acoustic signal rate (|u| + c)/dx + (|w| + c)/dz of a cell from its four fields (scalars,
 * not an array, so that a loop over cells calling it vectorises). */
FC_HD FC_ALWAYS_INLINE static inline double euler_cell_rate(fc_real rho, fc_real rhou,
                                                            fc_real rhow, fc_real rhot,
                                                            fc_real rho_b, fc_real rt_b,
                                                            const euler_params *p)
{
    const double r = rho_b + rho;
    const double pr = euler_pressure(p, rt_b + rhot);
    const double c = sqrt((double)p->gamma * pr / r);
    return (fabs((double)rhou / r) + c) / p->grid.dx + (fabs((double)rhow / r) + c) / p->grid.dy;
}

/* Which fields change sign in a mirror: rho u across x walls, rho w across z walls. */
FC_HD static inline int euler_field_odd_x(int f) { return f == EULER_RHOU; }
FC_HD static inline int euler_field_odd_y(int f) { return f == EULER_RHOW; }

/* Stage weights of Wicker-Skamarock RK3: out = U0 + a dt L(in), stage s of EULER_STAGES. */
#define EULER_STAGES 3
static inline fc_real euler_stage_a(int s) { return s == 0 ? (fc_real)(1.0 / 3) : s == 1 ? (fc_real)0.5 : 1; }

/* p' of every cell of the stage input U (fields), halos included, into P (host, OpenMP). */
void euler_pressure_field(const fc_real *const *U, const euler_column *col,
                          const euler_params *p, fc_real *P);

/* The background columns of params, allocated with malloc (host); free with euler_column_free.
 * For a rank's block: the whole grid's rows, the arrays pointing at the block's first. */
int euler_column_make(const euler_params *p, euler_column *col, fc_err *err);
void euler_column_free(euler_column *col);

extern const fc_solver_desc euler_solver;
extern const fc_solver_ops euler_ops_cpu;
#ifdef FC_HAVE_CUDA
extern const fc_solver_ops euler_ops_cuda;
#endif

#ifdef __cplusplus
}
#endif
#endif
