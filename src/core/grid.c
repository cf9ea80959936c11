/* grid.c: grid geometry and host-side halo filling. */
#include <fc_build.h>

#include "src/core/grid.h"
#include "src/core/link.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int fc_grid_init(fc_grid *g, int nx, int ny, int ng, double x_min, double x_max, double y_min,
                 double y_max, const int bc[4], fc_err *err)
{
    if (nx < 1 || ny < 1 || ng < 0)
        return fc_fail(err, FC_EINPUT, "grid %d x %d (halo %d) is empty", nx, ny, ng);
    if (!(x_max > x_min) || !(y_max > y_min))
        return fc_fail(err, FC_EINPUT, "grid extent [%g, %g] x [%g, %g] is empty", x_min, x_max,
                       y_min, y_max);
    memset(g, 0, sizeof *g);
    g->nx = nx;
    g->ny = ny;
    g->ng = ng;
    g->x_min = x_min;
    g->x_max = x_max;
    g->y_min = y_min;
    g->y_max = y_max;
    g->dx = (x_max - x_min) / nx;
    g->dy = (y_max - y_min) / ny;
    g->pitch = (ptrdiff_t)nx + 2 * ng;
    g->rows = (ptrdiff_t)ny + 2 * ng;
    /* Per-cell arrays hold up to a double (fields in double precision, diagnostics and I/O
     * buffers in either), so the limit does not move with fc_real. */
    if ((size_t)g->pitch > SIZE_MAX / sizeof(double) / (size_t)g->rows)
        return fc_fail(err, FC_EINPUT, "grid %d x %d is too large to address", nx, ny);
    g->nalloc = (size_t)g->pitch * (size_t)g->rows;
    memcpy(g->bc, bc, sizeof g->bc);
    g->nx_whole = nx;
    g->ny_whole = ny;
    return FC_OK;
}

void fc_grid_block(const fc_grid *whole, int i0, int i1, int j0, int j1, const int bc[4],
                   const struct fc_link *link, fc_grid *block)
{
    *block = *whole;
    block->nx = i1 - i0;
    block->ny = j1 - j0;
    block->i0 = whole->i0 + i0;
    block->j0 = whole->j0 + j0;
    block->pitch = (ptrdiff_t)block->nx + 2 * whole->ng;
    block->rows = (ptrdiff_t)block->ny + 2 * whole->ng;
    block->nalloc = (size_t)block->pitch * (size_t)block->rows;
    memcpy(block->bc, bc, sizeof block->bc);
    block->link = link;
}

double fc_grid_x(const fc_grid *g, int i) { return g->x_min + (g->i0 + i + 0.5) * g->dx; }
double fc_grid_y(const fc_grid *g, int j) { return g->y_min + (g->j0 + j + 0.5) * g->dy; }

static void fill_cell(const fc_grid *g, fc_real *f, int i, int j, int odd_x, int odd_y)
{
    fc_fill_halo_cell(f, g->pitch, g->ng, g->nx, g->ny, g->bc, i, j, odd_x, odd_y);
}

void fc_grid_fill_halo(const fc_grid *g, fc_real *f, int odd_x, int odd_y)
{
    const int ng = g->ng;
    for (int j = -ng; j < g->ny + ng; j++) {
        if (j < 0 || j >= g->ny) {
            for (int i = -ng; i < g->nx + ng; i++)
                fill_cell(g, f, i, j, odd_x, odd_y);
        } else {
            for (int k = 0; k < ng; k++) {
                fill_cell(g, f, -1 - k, j, odd_x, odd_y);
                fill_cell(g, f, g->nx + k, j, odd_x, odd_y);
            }
        }
    }
}

int fc_grid_fill_halos(const fc_grid *g, fc_real *const *f, const int *odd_x, const int *odd_y,
                       int n, fc_err *err)
{
    if (g->link)
        return g->link->fill(g->link->ctx, g, f, odd_x, odd_y, n, err);
    for (int k = 0; k < n; k++)
        fc_grid_fill_halo(g, f[k], odd_x[k], odd_y[k]);
    return FC_OK;
}

/* Copies the band of rows [j, j + rows) and columns [i, i + width) of n fields. */
static int copy_band(const fc_grid *g, const fc_stager *s, int n, int i, int j, int width,
                     int rows, int to_host, fc_err *err)
{
    int st = FC_OK;
    for (int f = 0; f < n && !st && width > 0 && rows > 0; f++)
        st = s->copy(s->ctx, f, fc_idx(g->pitch, g->ng, i, j), width, rows, to_host, err);
    return st;
}

int fc_grid_fill_halos_staged(const fc_grid *g, fc_real *const *mirror, const fc_stager *s,
                              const int *odd_x, const int *odd_y, int n, fc_err *err)
{
    const int ng = g->ng, nx = g->nx, ny = g->ny;
    if (ng == 0)
        return FC_OK;
    /* What filling reads: the neighbours get the edges (the exchange), a wall mirrors and a
     * periodic side wraps at most ng cells from the edge, an open side copies the edge cell;
     * corners come from halos filled before them. Bands wider than the block overlap. */
    const int dx = ng < nx ? ng : nx, dy = ng < ny ? ng : ny;
    int st;
    if ((st = copy_band(g, s, n, 0, 0, nx, dy, 1, err)) ||
        (st = copy_band(g, s, n, 0, ny - dy, nx, dy, 1, err)) ||
        (st = copy_band(g, s, n, 0, dy, dx, ny - 2 * dy, 1, err)) ||
        (st = copy_band(g, s, n, nx - dx, dy, dx, ny - 2 * dy, 1, err)) ||
        (st = s->sync(s->ctx, err)) ||
        (st = fc_grid_fill_halos(g, mirror, odd_x, odd_y, n, err)) ||
        (st = copy_band(g, s, n, -ng, -ng, nx + 2 * ng, ng, 0, err)) ||
        (st = copy_band(g, s, n, -ng, ny, nx + 2 * ng, ng, 0, err)) ||
        (st = copy_band(g, s, n, -ng, 0, ng, ny, 0, err)) ||
        (st = copy_band(g, s, n, nx, 0, ng, ny, 0, err)))
        return st;
    return s->sync(s->ctx, err);
}

fc_real *fc_grid_alloc(const fc_grid *g) { return calloc(g->nalloc, sizeof(fc_real)); }

void fc_grid_pack(const fc_grid *g, const fc_real *field, fc_real *packed, int nxe, int nye)
{
    for (int j = 0; j < nye; j++)
        memcpy(packed + (size_t)j * nxe, field + fc_idx(g->pitch, g->ng, 0, j),
               (size_t)nxe * sizeof(fc_real));
}

void fc_grid_unpack(const fc_grid *g, const fc_real *packed, fc_real *field, int nxe, int nye)
{
    for (int j = 0; j < nye; j++)
        memcpy(field + fc_idx(g->pitch, g->ng, 0, j), packed + (size_t)j * nxe,
               (size_t)nxe * sizeof(fc_real));
}

int fc_grid_shells(const fc_grid *g, double *dk)
{
    const double lx = g->x_max - g->x_min, ly = g->y_max - g->y_min;
    const double step = 2 * M_PI / (lx > ly ? lx : ly);
    /* The whole grid's shells, also on a block of it (grid.h) */
    const int nx = g->nx_whole > g->nx ? g->nx_whole : g->nx,
              ny = g->ny_whole > g->ny ? g->ny_whole : g->ny;
    const double kx = M_PI / g->dx * (2 * (nx / 2)) / nx; /* largest |kx| held: nx/2 */
    const double ky = M_PI / g->dy * (2 * (ny / 2)) / ny;
    if (dk)
        *dk = step;
    int n = (int)floor(sqrt(kx * kx + ky * ky) / step + 0.5);
    return n > 1 ? n : 1;
}

const char *fc_bc_name(int bc)
{
    static const char *const names[] = {"periodic", "wall", "open", "inflow", "rank"};
    return bc >= 0 && bc < 5 ? names[bc] : "?";
}
