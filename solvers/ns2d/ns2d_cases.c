/*
 * ns2d_cases.c: initial conditions and obstacles of the incompressible solver. Velocities are
 * set on the faces they live on, pressures at cell centres.
 *
 *   rest           u = v = p = 0; walls, lids, body forces and inflows start the flow (the
 *                  first projection turns an inflow into the potential flow at once).
 *   taylor_green   the exact decaying vortex (ns2d_taylor_green) at t = 0.
 *   [obstacle]     the bodies (ns2d_body.h) of the parameters: the solid cells they cover are
 *                  masked (ns2d_body_cells); each must cover a cell centre.
 */
#include <fc_build.h>

#include <math.h>
#include <string.h>

#include "solvers/ns2d/ns2d.h"
#include "solvers/ns2d/ns2d_cases.h"

void ns2d_taylor_green(double U, double k, double nu, double t, double x, double y, double *u,
                       double *v, double *p)
{
    double F = exp(-2 * nu * k * k * t);
    *u = U * sin(k * x) * cos(k * y) * F;
    *v = -U * cos(k * x) * sin(k * y) * F;
    *p = U * U / 4 * (cos(2 * k * x) + cos(2 * k * y)) * F * F;
}

/* Fills u, v, p (faces and centres, interior and east/north edge faces), from the Taylor-Green
 * vortex of amplitude U and wavenumber k when tg is set (at rest otherwise), and the mask of the
 * obstacle's cells. */
static int fill(const fc_config *cfg, const fc_grid *g, const ns2d_params *p, int tg, double U,
                double k, fc_state *host, fc_err *err)
{
    int inside[NS2D_MAX_BODIES] = {0}, solid = 0;
    if (p->nbodies > 0) {
        int st = ns2d_body_cells(p, g, host->f[NS2D_SOLID], inside, err);
        if (st)
            return st;
    }
    /* Faces up to the east and north edges: one more than the cells. */
    for (int j = 0; j <= g->ny; j++)
        for (int i = 0; i <= g->nx; i++) {
            ptrdiff_t c = fc_idx(g->pitch, g->ng, i, j);
            double xf = g->x_min + i * g->dx, yf = g->y_min + j * g->dy;
            double xc = xf + g->dx / 2, yc = yf + g->dy / 2, u = 0, v = 0, pr = 0, dummy;
            if (tg) {
                ns2d_taylor_green(U, k, p->nu, 0, xf, yc, &u, &dummy, &dummy);
                ns2d_taylor_green(U, k, p->nu, 0, xc, yf, &dummy, &v, &dummy);
                ns2d_taylor_green(U, k, p->nu, 0, xc, yc, &dummy, &dummy, &pr);
            }
            host->f[NS2D_U][c] = (fc_real)u;
            host->f[NS2D_V][c] = (fc_real)v;
            if (i < g->nx && j < g->ny) {
                host->f[NS2D_P][c] = (fc_real)pr;
                if (p->nbodies == 0)
                    host->f[NS2D_SOLID][c] = 0;
                solid += host->f[NS2D_SOLID][c] != 0;
            }
        }
    for (int b = 0; b < p->nbodies; b++)
        if (inside[b] == 0)
            return ns2d_body_error(cfg, err, b, "shape",
                                   "covers no cell centre: the body is smaller than a cell or "
                                   "outside the domain");
    if (solid == g->nx * g->ny)
        return fc_fail(err, FC_EINPUT, "%s: the obstacles cover the whole domain", cfg->path);
    return FC_OK;
}

static int set_rest(const fc_config *cfg, const fc_grid *g, const void *params, fc_state *host,
                    fc_err *err)
{
    return fill(cfg, g, params, 0, 0, 0, host, err);
}

static int set_taylor_green(const fc_config *cfg, const fc_grid *g, const void *params,
                            fc_state *host, fc_err *err)
{
    return fill(cfg, g, params, 1, fc_cfg_real(cfg, "initial", "amplitude"),
                fc_cfg_real(cfg, "initial", "wavenumber"), host, err);
}

/* ns2d runs on one process: no initial condition fills blocks. */
const fc_ic_spec ns2d_ics[NS2D_NICS] = {
    {"rest", "fluid at rest, p = 0: walls, lids, forces and inflows set it moving", set_rest, 0},
    {"taylor_green", "the decaying Taylor-Green vortex, an exact solution in a periodic box",
     set_taylor_green, 0},
};
