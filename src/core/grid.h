/*
 * grid.h: the uniform Cartesian grid, field storage with halos, and boundary kinds.
 *
 * A field is one contiguous array of (ny + 2 ng) rows of (nx + 2 ng) values, row-major with x
 * fastest; interior cell (i, j), 0 <= i < nx, 0 <= j < ny, sits at fc_idx(pitch, ng, i, j). The
 * same layout is used on the host and on the device, so a download is one copy per field.
 * Cell (i, j) covers [x_min + i dx, x_min + (i+1) dx] x [y_min + j dy, y_min + (j+1) dy].
 */
#ifndef FC_GRID_H
#define FC_GRID_H

#include "src/core/fc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Boundary kinds, in the order of the [boundary] choices. Inflow is a wall with a given normal
 * velocity; what each kind means for a solver's fields is the solver's to say (halo filling
 * below treats inflow as a wall). FC_BC_RANK is no choice of a case: it marks a side of a
 * rank's block (decomp.h) where a neighbouring rank's cells lie, whose halo the exchange fills
 * (halo.h) and halo filling takes as data. */
enum fc_bc { FC_BC_PERIODIC = 0, FC_BC_WALL = 1, FC_BC_OPEN = 2, FC_BC_INFLOW = 3, FC_BC_RANK = 4 };
enum fc_side { FC_WEST = 0, FC_EAST = 1, FC_SOUTH = 2, FC_NORTH = 3 };

typedef struct fc_grid {
    int nx, ny;                        /* interior cells */
    int ng;                            /* halo width on every side */
    double x_min, x_max, y_min, y_max; /* domain (m) */
    double dx, dy;                     /* cell size (m) */
    ptrdiff_t pitch;                   /* nx + 2 ng: distance between rows */
    ptrdiff_t rows;                    /* ny + 2 ng */
    size_t nalloc;                     /* pitch * rows: values per field */
    int bc[4];                         /* enum fc_bc, indexed by enum fc_side */
    /* A rank's block of a larger grid (fc_grid_block) is a grid of its own whose cell (i, j) is
     * cell (i0 + i, j0 + j) of the whole grid, nx_whole x ny_whole cells over the same domain
     * and cell size; a whole grid has i0 = j0 = 0 and nx_whole = nx, ny_whole = ny. */
    int i0, j0;
    int nx_whole, ny_whole;
    /* How a block's halos are filled and its steps' reports agreed with the other ranks
     * (link.h); NULL for a grid on one process. */
    const struct fc_link *link;
} fc_grid;

FC_HD static inline ptrdiff_t fc_idx(ptrdiff_t pitch, int ng, int i, int j)
{
    return (ptrdiff_t)(j + ng) * pitch + (i + ng);
}

/*
 * The interior index (0..n-1) whose value fills halo index k along one axis, given the boundary
 * kinds at the low and high ends: periodic wraps, a wall mirrors about the face (counting one
 * reflection, which flips the sign of the normal velocity), open copies the edge cell
 * (zero gradient), a rank's side leaves the index in the halo, whose value the exchange brought.
 * The loop makes halos wider than the grid itself (n < ng) well defined.
 */
FC_HD static inline int fc_halo_source(int k, int n, int bc_lo, int bc_hi, int *reflections)
{
    int r = 0;
    while ((k < 0 && bc_lo != FC_BC_RANK) || (k >= n && bc_hi != FC_BC_RANK)) {
        if (k < 0) {
            if (bc_lo == FC_BC_PERIODIC)
                k += n;
            else if (bc_lo == FC_BC_WALL || bc_lo == FC_BC_INFLOW) {
                k = -k - 1;
                r++;
            } else
                k = 0;
        } else {
            if (bc_hi == FC_BC_PERIODIC)
                k -= n;
            else if (bc_hi == FC_BC_WALL || bc_hi == FC_BC_INFLOW) {
                k = 2 * n - k - 1;
                r++;
            } else
                k = n - 1;
        }
    }
    *reflections = r;
    return k;
}

/*
 * Fills halo cell (i, j) of field f (pitch, ng, nx, ny, bc as in fc_grid) from the interior cell
 * it mirrors, wraps or copies. odd_x (odd_y) marks the x (y) component of a vector, whose sign
 * flips at each wall facing x (y). Every halo cell's source is an interior cell, so halo cells
 * can be filled in any order, or all at once on a GPU.
 */
FC_HD static inline void fc_fill_halo_cell(fc_real *f, ptrdiff_t pitch, int ng, int nx, int ny,
                                           const int bc[4], int i, int j, int odd_x, int odd_y)
{
    int rx, ry;
    int si = fc_halo_source(i, nx, bc[FC_WEST], bc[FC_EAST], &rx);
    int sj = fc_halo_source(j, ny, bc[FC_SOUTH], bc[FC_NORTH], &ry);
    int flips = (odd_x ? rx : 0) + (odd_y ? ry : 0);
    fc_real v = f[fc_idx(pitch, ng, si, sj)];
    f[fc_idx(pitch, ng, i, j)] = (flips & 1) ? -v : v;
}

/* Sets up the geometry; fails (FC_EINPUT) on sizes whose storage would overflow. */
int fc_grid_init(fc_grid *g, int nx, int ny, int ng, double x_min, double x_max, double y_min,
                 double y_max, const int bc[4], fc_err *err);

/* Block [i0, i1) x [j0, j1) of the whole grid, with the block's boundary kinds bc (FC_BC_RANK
 * where a neighbour's cells lie) and its link; the domain and cell size stay the whole's. */
void fc_grid_block(const fc_grid *whole, int i0, int i1, int j0, int j1, const int bc[4],
                   const struct fc_link *link, fc_grid *block);

/* Centre coordinates of column i and row j (m), counted in the whole grid from a block's
 * first cell: bit for bit the whole grid's coordinates of the same cell. */
double fc_grid_x(const fc_grid *g, int i);
double fc_grid_y(const fc_grid *g, int j);

/*
 * Fills every halo cell of a host field, corners included, from the interior. odd_x (odd_y)
 * marks the x (y) component of a vector, whose sign flips at walls facing x (y).
 */
void fc_grid_fill_halo(const fc_grid *g, fc_real *f, int odd_x, int odd_y);

/* The same for n fields at once (odd_x[k], odd_y[k] per field), on one process or, for a rank's
 * block, through its link (halo exchange with the neighbours, then the global sides): bit for
 * bit what fc_grid_fill_halo gives the whole grid. Collective over the ranks of a block. */
int fc_grid_fill_halos(const fc_grid *g, fc_real *const *f, const int *odd_x, const int *odd_y,
                       int n, fc_err *err);

/*
 * Fields held elsewhere (a GPU's memory) and their host mirrors: fc_grid_fill_halos_staged
 * moves bands of them through copy, which copies `rows` rows of `width` values starting at
 * value `at` of field f (the same offsets and the grid's pitch on both sides), toward the host
 * mirror when to_host is set, back otherwise. Copies may run asynchronously until sync.
 */
typedef struct fc_stager {
    void *ctx;
    int (*copy)(void *ctx, int f, ptrdiff_t at, int width, int rows, int to_host, fc_err *err);
    int (*sync)(void *ctx, fc_err *err);
} fc_stager;

/*
 * fc_grid_fill_halos for n fields held elsewhere, through host mirrors in the grid's layout
 * (a GPU's block of a split grid, whose halos come from the neighbours' host memory): the
 * block's edge bands, ng deep, are copied into the mirrors, the halos filled there by
 * fc_grid_fill_halos, and the four halo bands copied back. Nothing else of the mirrors is read
 * or written, and nothing else of the fields crosses. The fields' halos are then bit for bit
 * what fc_grid_fill_halos gives the fields in host memory. Collective like it.
 */
int fc_grid_fill_halos_staged(const fc_grid *g, fc_real *const *mirror, const fc_stager *s,
                              const int *odd_x, const int *odd_y, int n, fc_err *err);

/* A zeroed host field in the grid's layout (NULL if out of memory). */
fc_real *fc_grid_alloc(const fc_grid *g);

/* Copies the first nxe x nye slots from (0, 0) into / out of a packed array (row-major, x
 * fastest): the interior for nx x ny, with the east (north) edge faces for nx + 1 (ny + 1). */
void fc_grid_pack(const fc_grid *g, const fc_real *field, fc_real *packed, int nxe, int nye);
void fc_grid_unpack(const fc_grid *g, const fc_real *packed, fc_real *field, int nxe, int nye);

/*
 * Wavenumber shells of a periodic box, for isotropic spectra: shell n (1..the return value)
 * holds the Fourier modes with n - 1/2 <= |k| / dk < n + 1/2, where dk = 2 pi / max(Lx, Ly)
 * (rad m-1, stored in *dk unless NULL); the last shell reaches the corner mode (nx/2, ny/2), so
 * every mode but the mean lies in one shell.
 */
int fc_grid_shells(const fc_grid *g, double *dk);

const char *fc_bc_name(int bc);

#ifdef __cplusplus
}
#endif
#endif
