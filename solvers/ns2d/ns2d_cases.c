/*
 * ns2d_cases.c: initial conditions and obstacles of the incompressible solver. Velocities are
 * set on the faces they live on, pressures at cell centres.
 *
 *   rest           u = v = p = 0; walls, lids, body forces and inflows start the flow (the
 *                  first projection turns an inflow into the potential flow at once).
 *   taylor_green   the exact decaying vortex (ns2d_taylor_green) at t = 0.
 *   file           u and v at cell centres from a NetCDF file (on this grid, or interpolated
 *                  onto it), each face the mean of the two cells beside it; the first
 *                  projection makes the field divergence-free.
 *   [obstacle]     the bodies (ns2d_body.h) of the parameters: the solid cells they cover are
 *                  masked (ns2d_body_cells); each must cover a cell centre.
 */
#include <fc_build.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/core/ncio.h"
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

/* A body that covers no cell centre: the error names the key to change, its centre where it
 * lies beyond the domain, else its size (or the file of its shape). */
static int no_cell_error(const fc_config *cfg, const fc_grid *g, const ns2d_body *bd, int b,
                         fc_err *err)
{
    char why[320];
    const int out_x = bd->cx < g->x_min || bd->cx > g->x_max;
    const int out_y = bd->cy < g->y_min || bd->cy > g->y_max;
    const char *key;
    if (bd->shape != NS2D_SHAPE_FILE && (out_x || out_y)) {
        snprintf(why, sizeof why,
                 "the body (centre x = %g, y = %g m) covers no cell centre: it lies outside the "
                 "domain (%g to %g m by %g to %g m)",
                 bd->cx, bd->cy, g->x_min, g->x_max, g->y_min, g->y_max);
        key = out_x ? "center_x" : "center_y";
    } else {
        snprintf(why, sizeof why,
                 "covers no cell centre: the body is smaller than a cell (%g x %g m)%s", g->dx,
                 g->dy, bd->shape == NS2D_SHAPE_FILE ? " or outside the domain" : "");
        key = bd->shape == NS2D_SHAPE_FILE ? "file"
              : bd->shape == NS2D_SHAPE_RECTANGLE || bd->shape == NS2D_SHAPE_ELLIPSE
                  ? (bd->a < bd->b ? "width" : "height")
                  : "size";
    }
    return ns2d_body_error(cfg, err, b, key, why);
}

int ns2d_case_solid(const fc_config *cfg, const fc_grid *g, const ns2d_params *p,
                    fc_real *solid, fc_err *err)
{
    int inside[NS2D_MAX_BODIES] = {0}, cells = 0;
    if (p->nbodies > 0) {
        int st = ns2d_body_cells(p, g, solid, inside, err);
        if (st)
            return st;
    }
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            const ptrdiff_t c = fc_idx(g->pitch, g->ng, i, j);
            if (p->nbodies == 0)
                solid[c] = 0;
            cells += solid[c] != 0;
        }
    for (int b = 0; b < p->nbodies; b++)
        if (inside[b] == 0)
            return no_cell_error(cfg, g, &p->body[b], b, err);
    if (cells == g->nx * g->ny)
        return fc_fail(err, FC_EINPUT, "%s: the obstacles cover the whole domain", cfg->path);
    return FC_OK;
}

/* Fills u, v, p (faces and centres, interior and east/north edge faces), from the Taylor-Green
 * vortex of amplitude U and wavenumber k when tg is set (at rest otherwise), and the mask of the
 * obstacle's cells. */
static int fill(const fc_config *cfg, const fc_grid *g, const ns2d_params *p, int tg, double U,
                double k, fc_state *host, fc_err *err)
{
    int st = ns2d_case_solid(cfg, g, p, host->f[NS2D_SOLID], err);
    if (st)
        return st;
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
            if (i < g->nx && j < g->ny)
                host->f[NS2D_P][c] = (fc_real)pr;
        }
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

/* The velocity of a face from the cell-centre values c of the cells a and b beside it (along
 * one axis; a = -1 or b = n beyond the grid): their mean, the cells wrapping across a periodic
 * side and the edge cell's alone at another (whose walls and inflows hold their own values
 * from the first step); 0 beside a solid cell. */
static fc_real face_mean(const fc_grid *g, const fc_real *c, const fc_real *solid, int axis,
                         int periodic, int i, int j)
{
    const int n = axis ? g->ny : g->nx;
    const int k = axis ? j : i;
    const int a = k > 0 ? k - 1 : periodic ? n - 1 : 0, b = k < n ? k : periodic ? 0 : n - 1;
    const ptrdiff_t pa = axis ? fc_idx(g->pitch, g->ng, i, a) : fc_idx(g->pitch, g->ng, a, j);
    const ptrdiff_t pb = axis ? fc_idx(g->pitch, g->ng, i, b) : fc_idx(g->pitch, g->ng, b, j);
    return solid[pa] != 0 || solid[pb] != 0 ? 0 : (c[pa] + c[pb]) / 2;
}

static int set_file(const fc_config *cfg, const fc_grid *g, const void *params, fc_state *host,
                    fc_err *err)
{
    int st = fill(cfg, g, params, 0, 0, 0, host, err); /* at rest, and the bodies */
    if (st)
        return st;
    const char *keys[2] = {"u_var", "v_var"}, *vars[2];
    for (int k = 0; k < 2; k++)
        vars[k] = *fc_cfg_str(cfg, "initial", keys[k]) ? fc_cfg_str(cfg, "initial", keys[k]) : NULL;
    if (!vars[0] && !vars[1])
        return fc_fail(err, FC_EINPUT, "%s: [initial] u_var and v_var are both empty: the file "
                       "gives no velocity", cfg->path);
    char *path = fc_cfg_path(cfg, "initial", "path");
    fc_real *centre[2] = {fc_grid_alloc(g), fc_grid_alloc(g)};
    if (!path || !centre[0] || !centre[1])
        st = fc_fail(err, FC_ENOMEM, "out of memory");
    const int periodic[2] = {fc_cfg_choice(cfg, "boundary", "west") == FC_BC_PERIODIC,
                             fc_cfg_choice(cfg, "boundary", "south") == FC_BC_PERIODIC};
    const fc_ncio_field_grid how = {
        .interpolate = fc_cfg_choice(cfg, "initial", "interpolate") == 1,
        .periodic = {periodic[0], periodic[1]},
        .enable = "[initial] interpolate = bilinear",
        .units = (const char *const[]){"m s-1", "m s-1"}};
    int interpolated;
    if (!st && (st = fc_ncio_read_fields(path, 2, vars, g, &how, centre, &interpolated, err)))
        fc_err_append(err, "(the initial state of %s: [initial] type = file, path = %s)",
                      cfg->path, fc_cfg_str(cfg, "initial", "path"));
    for (int j = 0; j <= g->ny && !st; j++)
        for (int i = 0; i <= g->nx; i++) {
            const ptrdiff_t c = fc_idx(g->pitch, g->ng, i, j);
            for (int axis = 0; axis < 2; axis++)
                if (vars[axis] && (axis ? i < g->nx : j < g->ny))
                    host->f[axis ? NS2D_V : NS2D_U][c] = face_mean(
                        g, centre[axis], host->f[NS2D_SOLID], axis, periodic[axis], i, j);
        }
    free(path);
    free(centre[0]);
    free(centre[1]);
    return st;
}

/* ns2d runs on one process: no initial condition fills blocks. */
const fc_ic_spec ns2d_ics[NS2D_NICS] = {
    {"rest", "fluid at rest, p = 0: walls, lids, forces and inflows set it moving", set_rest, 0},
    {"taylor_green", "the decaying Taylor-Green vortex, an exact solution in a periodic box",
     set_taylor_green, 0},
    {"file", "u and v at cell centres read from a NetCDF file (another run's, say)", set_file, 0},
};
