/*
 * halo.h: the halo exchange between ranks (MPI builds only: include it where FC_HAVE_MPI is
 * defined). A rank's block (decomp.h) is a grid of its own (grid.h layout, halo width ng); the
 * exchange fills its halo cells within `width` of the block with its neighbours' interior
 * values, and leaves the halo on a side of the global domain that is not periodic untouched,
 * for the solver's boundary condition there. Periodic sides are the topology's: the rank at
 * the east end has the west end as its neighbour (MPI_Cart_create's periods), so no solver
 * special-cases them. A periodic axis the layout leaves whole (one rank along it) has no
 * neighbours: its block wraps within itself, as the whole grid does on one process, through
 * the global sides that fc_halo_fill fills, so the block may be narrower than the halo.
 *
 * Two phases, x then y: first columns [0, width) and [nx - width, nx) of the block's rows go
 * west and east; then rows [0, width) and [ny - width, ny), the x halos just received included,
 * go south and north, which carries the corners. Each phase posts its receives, packs and sends
 * without blocking, and waits for all four messages.
 */
#ifndef FC_HALO_H
#define FC_HALO_H

#include <mpi.h>

#include "src/core/fc.h"
#include "src/core/grid.h"
#include "src/core/link.h"

/* fc_real in MPI's messages. */
#ifdef FC_SINGLE
#define FC_MPI_REAL MPI_FLOAT
#else
#define FC_MPI_REAL MPI_DOUBLE
#endif

typedef struct fc_halo {
    MPI_Comm cart;                   /* px x py, periodic as asked */
    int rank;                        /* in cart (the same as in the communicator given) */
    int west, east, south, north;    /* neighbours' ranks, MPI_PROC_NULL at a global side (one
                                      * not periodic, or along an axis left whole) */
    fc_real *buf;                    /* 4 message buffers, each `cap` values */
    size_t cap;
    double exchange_seconds;         /* spent in the link's fills (halo exchanges) so far */
    double reduce_seconds;           /* in its reductions (rates, sums, step reports) so far */
} fc_halo;

/* A px x py Cartesian communicator over comm (px py must be its size, rank order kept, x
 * fastest as decomp.h) and buffers for up to nfields fields of the largest block of an
 * nx x ny grid, `width` cells deep. */
int fc_halo_create(MPI_Comm comm, int px, int py, int periodic_x, int periodic_y, int nx, int ny,
                   int nfields, int width, fc_halo *h, fc_err *err);

/* Exchanges the halos of the nfields fields (each in the layout of `block`, ng >= width). */
int fc_halo_exchange(fc_halo *h, const fc_grid *block, fc_real *const *fields, int nfields,
                     int width, fc_err *err);

/* The boundary kinds of this rank's block from the global grid's: FC_BC_RANK on every side
 * with a neighbour (a periodic side of a split axis always has one), the global kind on the
 * others. */
void fc_halo_block_bc(const fc_halo *h, const int global_bc[4], int block_bc[4]);

/*
 * Fills every halo cell of the block's fields exactly as fc_grid_fill_halo fills the same
 * cells of the whole grid on one process, corners included: the x exchange, the global sides
 * facing x (rows of the block), the y exchange (the x halos travel with the rows), the global
 * sides facing y (all columns). The block's bc must come from fc_halo_block_bc, and every
 * block must be at least ng cells along both axes (fc_decomp_plan with halo ng). odd_x, odd_y:
 * per field, as fc_grid_fill_halo's.
 */
int fc_halo_fill(fc_halo *h, const fc_grid *block, fc_real *const *fields, const int *odd_x,
                 const int *odd_y, int nfields, fc_err *err);

/* The link (link.h) of a block of this exchange: its fill is fc_halo_fill, its reductions run
 * over the Cartesian communicator. h must outlive every grid that holds the link. */
void fc_halo_link(fc_halo *h, fc_link *link);

void fc_halo_free(fc_halo *h);

#endif
