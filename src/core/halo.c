/* halo.c: the halo exchange between ranks (halo.h). */
#include <fc_build.h>

#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "src/core/halo.h"

/* MPI's message for a failed call, after what was being done. */
static int mpi_fail(fc_err *err, int code, const char *what)
{
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(code, text, &len) != MPI_SUCCESS)
        len = 0;
    text[len] = 0;
    return fc_fail(err, FC_EIO, "MPI: %s failed: %s", what, len ? text : "(no message)");
}

int fc_halo_create(MPI_Comm comm, int px, int py, int periodic_x, int periodic_y, int nx, int ny,
                   int nfields, int width, fc_halo *h, fc_err *err)
{
    *h = (fc_halo){MPI_COMM_NULL, 0, MPI_PROC_NULL, MPI_PROC_NULL, MPI_PROC_NULL, MPI_PROC_NULL,
                   NULL, 0, 0, 0};
    int size, rc;
    if ((rc = MPI_Comm_size(comm, &size)) != MPI_SUCCESS)
        return mpi_fail(err, rc, "MPI_Comm_size");
    if ((long long)px * py != size || px < 1 || py < 1)
        return fc_fail(err, FC_EINPUT, "a %d x %d layout for %d processes", px, py, size);
    /* A periodic axis left whole wraps within the block, as on one process (fc_halo_fill's
     * global sides): no messages to itself, and no need for the block to be as wide as the
     * halo. */
    const int dims[2] = {py, px}, periods[2] = {periodic_y && py > 1, periodic_x && px > 1};
    if ((rc = MPI_Cart_create(comm, 2, dims, periods, 0, &h->cart)) != MPI_SUCCESS)
        return mpi_fail(err, rc, "MPI_Cart_create");
    MPI_Comm_rank(h->cart, &h->rank);
    MPI_Cart_shift(h->cart, 1, 1, &h->west, &h->east);
    MPI_Cart_shift(h->cart, 0, 1, &h->south, &h->north);
    /* The largest block is the first: ceil(n / parts) cells; a message is at most width deep
     * along one axis and the block plus both halos long along the other. */
    const size_t bx = (size_t)(nx + px - 1) / px + 2 * (size_t)width;
    const size_t by = (size_t)(ny + py - 1) / py + 2 * (size_t)width;
    h->cap = (size_t)nfields * width * (bx > by ? bx : by);
    if (!(h->buf = malloc((4 * h->cap + 1) * sizeof *h->buf))) { /* width 0: no halos */
        fc_halo_free(h);
        return fc_fail(err, FC_ENOMEM, "out of memory for the halo buffers (%zu values)",
                       4 * h->cap);
    }
    return FC_OK;
}

/* Copies a strip of every field into buf (pack) or back: along x (axis 0) columns
 * [at, at + w) of rows [c0, c0 + cn); along y rows [at, at + w) of columns [c0, c0 + cn). */
static void copy_strip(const fc_grid *g, fc_real *const *f, int nfields, int axis, int at, int w,
                       int c0, int cn, fc_real *buf, int pack)
{
    const int i0 = axis ? c0 : at, ni = axis ? cn : w, j0 = axis ? at : c0, nj = axis ? w : cn;
    size_t n = 0;
    for (int q = 0; q < nfields; q++)
        for (int j = j0; j < j0 + nj; j++)
            for (int i = i0; i < i0 + ni; i++, n++) {
                fc_real *cell = &f[q][fc_idx(g->pitch, g->ng, i, j)];
                if (pack)
                    buf[n] = *cell;
                else
                    *cell = buf[n];
            }
}

/* One phase along x (axis 0) or y (axis 1), w cells deep: send the edges of the block (the
 * halos along the other axis included in y), receive the neighbours' into the halo. */
static int exchange_axis(fc_halo *h, const fc_grid *g, fc_real *const *f, int nfields, int w,
                         int axis, fc_err *err)
{
    const int n = axis ? g->ny : g->nx;
    /* across the axis: the block's rows in x; in y the columns with the x halos */
    const int c0 = axis ? -w : 0, cn = axis ? g->nx + 2 * w : g->ny;
    const size_t count = (size_t)nfields * w * cn;
    const int peer[2] = {axis ? h->south : h->west, axis ? h->north : h->east};
    const int split = peer[0] != MPI_PROC_NULL || peer[1] != MPI_PROC_NULL;
    if (w < 1 || w > g->ng || (split && w > n) || count > h->cap)
        return fc_fail(err, FC_EINPUT,
                       "a halo exchange %d cells deep of %d fields on a %d x %d block (halo %d) "
                       "does not fit its plan",
                       w, nfields, g->nx, g->ny, g->ng);
    /* along the axis: where the low and high edges start, and the two halos */
    const int send_at[2] = {0, n - w}, recv_at[2] = {-w, n};
    fc_real *sendb[2] = {h->buf, h->buf + h->cap}, *recvb[2] = {h->buf + 2 * h->cap,
                                                                h->buf + 3 * h->cap};
    MPI_Request req[4];
    int rc;
    for (int s = 0; s < 2; s++) /* tag: the side the message travels toward, from the sender */
        if ((rc = MPI_Irecv(recvb[s], (int)count, FC_MPI_REAL, peer[s], 2 * axis + (1 - s),
                            h->cart, &req[s])) != MPI_SUCCESS)
            return mpi_fail(err, rc, "MPI_Irecv of a halo");
    for (int s = 0; s < 2; s++) {
        if (peer[s] != MPI_PROC_NULL)
            copy_strip(g, f, nfields, axis, send_at[s], w, c0, cn, sendb[s], 1);
        if ((rc = MPI_Isend(sendb[s], (int)count, FC_MPI_REAL, peer[s], 2 * axis + s, h->cart,
                            &req[2 + s])) != MPI_SUCCESS)
            return mpi_fail(err, rc, "MPI_Isend of a halo");
    }
    if ((rc = MPI_Waitall(4, req, MPI_STATUSES_IGNORE)) != MPI_SUCCESS)
        return mpi_fail(err, rc, "MPI_Waitall of the halo messages");
    for (int s = 0; s < 2; s++)
        if (peer[s] != MPI_PROC_NULL)
            copy_strip(g, f, nfields, axis, recv_at[s], w, c0, cn, recvb[s], 0);
    return FC_OK;
}

int fc_halo_exchange(fc_halo *h, const fc_grid *block, fc_real *const *fields, int nfields,
                     int width, fc_err *err)
{
    int st = exchange_axis(h, block, fields, nfields, width, 0, err);
    return st ? st : exchange_axis(h, block, fields, nfields, width, 1, err);
}

void fc_halo_block_bc(const fc_halo *h, const int global_bc[4], int block_bc[4])
{
    const int nb[4] = {h->west, h->east, h->south, h->north};
    for (int k = 0; k < 4; k++)
        block_bc[k] = nb[k] != MPI_PROC_NULL ? FC_BC_RANK : global_bc[k];
}

/* The halo cells of the block's own global sides: facing x in rows 0..ny-1 (axis 0), facing y
 * in every column, halos included (axis 1). */
static void fill_global_sides(const fc_grid *g, fc_real *f, int odd_x, int odd_y, int axis)
{
    const int ng = g->ng;
    if (!axis) {
        for (int j = 0; j < g->ny; j++)
            for (int k = 0; k < ng; k++) {
                if (g->bc[FC_WEST] != FC_BC_RANK)
                    fc_fill_halo_cell(f, g->pitch, ng, g->nx, g->ny, g->bc, -1 - k, j, odd_x, odd_y);
                if (g->bc[FC_EAST] != FC_BC_RANK)
                    fc_fill_halo_cell(f, g->pitch, ng, g->nx, g->ny, g->bc, g->nx + k, j, odd_x,
                                      odd_y);
            }
        return;
    }
    for (int k = 0; k < ng; k++)
        for (int i = -ng; i < g->nx + ng; i++) {
            if (g->bc[FC_SOUTH] != FC_BC_RANK)
                fc_fill_halo_cell(f, g->pitch, ng, g->nx, g->ny, g->bc, i, -1 - k, odd_x, odd_y);
            if (g->bc[FC_NORTH] != FC_BC_RANK)
                fc_fill_halo_cell(f, g->pitch, ng, g->nx, g->ny, g->bc, i, g->ny + k, odd_x, odd_y);
        }
}

int fc_halo_fill(fc_halo *h, const fc_grid *block, fc_real *const *fields, const int *odd_x,
                 const int *odd_y, int nfields, fc_err *err)
{
    if (block->ng == 0)
        return FC_OK; /* nothing to fill */
    for (int axis = 0; axis < 2; axis++) {
        int st = exchange_axis(h, block, fields, nfields, block->ng, axis, err);
        if (st)
            return st;
        for (int q = 0; q < nfields; q++)
            fill_global_sides(block, fields[q], odd_x[q], odd_y[q], axis);
    }
    return FC_OK;
}

/* The link's operations, each timed into h->exchange_seconds or h->reduce_seconds (waiting
 * for a slower neighbour included: what a split costs beside the steps themselves). The two
 * are kept apart because they answer different questions: an exchange's own time is what
 * overlapping it with interior work could hide; a reduction's is mostly waiting for the
 * slowest process, which no overlap hides. */
static int link_fill(void *ctx, const fc_grid *block, fc_real *const *f, const int *odd_x,
                     const int *odd_y, int n, fc_err *err)
{
    fc_halo *h = ctx;
    const double t0 = MPI_Wtime();
    const int st = fc_halo_fill(h, block, f, odd_x, odd_y, n, err);
    h->exchange_seconds += MPI_Wtime() - t0;
    return st;
}

static void link_max(void *ctx, double *v, int n)
{
    fc_halo *h = ctx;
    const double t0 = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_MAX, h->cart);
    h->reduce_seconds += MPI_Wtime() - t0;
}

static void link_sum(void *ctx, double *v, int n)
{
    fc_halo *h = ctx;
    const double t0 = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_SUM, h->cart);
    h->reduce_seconds += MPI_Wtime() - t0;
}

/* One reduction in the common case (no bad cell anywhere): the largest rate and change, and
 * minus the first bad cell's index in the whole grid (-inf: none), all exact in a double. Where
 * a cell is bad, its owner (the one rank holding that index) sends its kind and value. */
static void agree(fc_halo *h, const fc_grid *g, fc_step_report *rep)
{
    double cell = -INFINITY;
    if (rep->bad) {
        const long long i = rep->bad_cell % g->nx, j = rep->bad_cell / g->nx;
        cell = -(double)((g->j0 + j) * g->nx_whole + g->i0 + i);
    }
    double v[3] = {rep->max_rate, rep->change, cell};
    MPI_Allreduce(MPI_IN_PLACE, v, 3, MPI_DOUBLE, MPI_MAX, h->cart);
    rep->max_rate = v[0];
    rep->change = v[1];
    if (v[2] == -INFINITY) {
        rep->bad = FC_STATE_OK;
        return;
    }
    int owner = cell == v[2] ? h->rank : INT_MAX;
    MPI_Allreduce(MPI_IN_PLACE, &owner, 1, MPI_INT, MPI_MIN, h->cart);
    double what[2] = {rep->bad, rep->bad_value};
    MPI_Bcast(what, 2, MPI_DOUBLE, owner, h->cart);
    rep->bad = (int)what[0];
    rep->bad_value = what[1];
    rep->bad_cell = (long long)-v[2];
}

static void link_agree(void *ctx, const fc_grid *g, fc_step_report *rep)
{
    fc_halo *h = ctx;
    const double t0 = MPI_Wtime();
    agree(h, g, rep);
    h->reduce_seconds += MPI_Wtime() - t0;
}

void fc_halo_link(fc_halo *h, fc_link *link)
{
    *link = (fc_link){h, link_fill, link_max, link_sum, link_agree};
}

void fc_halo_free(fc_halo *h)
{
    if (h->cart != MPI_COMM_NULL)
        MPI_Comm_free(&h->cart);
    free(h->buf);
    h->buf = NULL;
    h->cart = MPI_COMM_NULL;
}
