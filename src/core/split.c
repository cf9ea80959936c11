/* split.c: a case's grid split over the processes of its job (split.h). */
#include <fc_build.h>

#include "src/core/split.h"

#include <stdlib.h>
#include <string.h>

#include "src/core/decomp.h"
#include "src/core/ranks.h"
#ifdef FC_HAVE_MPI
#include "src/core/halo.h"
#endif

/* Copies the cells of a block (in its own indices, halos included) between the block's layout
 * and the whole grid's: into the block every cell the whole grid holds; into the whole grid the
 * cells the block owns, its interior extended across the whole grid's sides, so that each halo
 * cell of the whole grid comes from one block, the one whose row (column) it continues. */
static void copy_block(const fc_grid *whole, const fc_grid *block, fc_real *const *w,
                       fc_real *const *part, int n, int to_whole)
{
    const int ng = block->ng;
    for (int j = -ng; j < block->ny + ng; j++)
        for (int i = -ng; i < block->nx + ng; i++) {
            const int wi = block->i0 + i, wj = block->j0 + j;
            if (wi < -ng || wi >= whole->nx + ng || wj < -ng || wj >= whole->ny + ng)
                continue;
            const int own_i = (i >= 0 && i < block->nx) || wi < 0 || wi >= whole->nx;
            const int own_j = (j >= 0 && j < block->ny) || wj < 0 || wj >= whole->ny;
            if (to_whole && !(own_i && own_j))
                continue;
            const ptrdiff_t kb = fc_idx(block->pitch, ng, i, j),
                            kw = fc_idx(whole->pitch, ng, wi, wj);
            for (int f = 0; f < n; f++) {
                if (to_whole)
                    w[f][kw] = part[f][kb];
                else
                    part[f][kb] = w[f][kw];
            }
        }
}

void fc_split_take(const fc_grid *whole, const fc_grid *block, fc_real *const *w,
                   fc_real *const *part, int n)
{
    copy_block(whole, block, w, part, n, 0);
}

/* The gather and scatter without a split: the part is the whole state, maybe in other arrays;
 * n fields from one set into the other. */
static void copy_whole(const fc_grid *whole, fc_real *const *from, fc_real *const *to, int n)
{
    for (int f = 0; f < n; f++)
        if (from[f] != to[f])
            memcpy(to[f], from[f], whole->nalloc * sizeof(fc_real));
}

/* A job of one process: a layout asked for must be 1 x 1. */
static int one_process(const fc_grid *whole, fc_grid *block, fc_split **out, fc_err *err)
{
    const fc_ranks *job = fc_ranks_self();
    *block = *whole;
    *out = NULL;
    if ((long long)job->px * job->py > 1)
        return fc_fail(err, FC_EINPUT, "--decomp %dx%d needs %lld processes; this run has 1 (%s)",
                       job->px, job->py, (long long)job->px * job->py,
#ifdef FC_HAVE_MPI
                       "start it with mpirun -np N"
#else
                       "this build has no MPI: configure --with-mpi"
#endif
        );
    return FC_OK;
}

#ifdef FC_HAVE_MPI
struct fc_split {
    int px, py;
    int slabs;             /* slabs of whole rows (FC_BLOCKS_ROWS) */
    fc_halo halo;
    fc_link link;          /* the blocks' grids point here */
    fc_real *buf;          /* the first process's: one field of the largest block, to gather
                            * and scatter */
    double gather_seconds; /* in fc_split_gather so far */
};

/* Slabs of whole rows (FC_BLOCKS_ROWS): 1 x P, as FFTW's transforms distribute them
 * (fc_decomp_slab), every process at least one row. */
static int plan_rows(const fc_grid *whole, int px, int py, int size, fc_split *sp, fc_err *err)
{
    if (px * py > 0 && px != 1)
        return fc_fail(err, FC_EINPUT, "--decomp %dx%d: this solver splits its grid into slabs "
                       "of whole rows; use --decomp 1x%d, or none", px, py, size);
    int lo, hi;
    fc_decomp_slab(whole->ny, size, size - 1, &lo, &hi);
    if (hi <= lo)
        return fc_fail(err, FC_EINPUT, "%d processes cannot share the [grid] ny = %d rows of "
                       "this solver's slabs: FFTW's transforms give each process %d rows, which "
                       "leaves the last none; use fewer processes", size, whole->ny,
                       (whole->ny + size - 1) / size);
    sp->px = 1;
    sp->py = size;
    sp->slabs = 1;
    return FC_OK;
}

/* Process r's block: a tile (decomp.h), or a slab of rows as FFTW lays them out. */
static fc_decomp block_of(const fc_split *sp, const fc_grid *whole, int r)
{
    fc_decomp d = fc_decomp_block(whole->nx, whole->ny, sp->px, sp->py, r);
    if (sp->slabs)
        fc_decomp_slab(whole->ny, sp->py, r, &d.j0, &d.j1);
    return d;
}

int fc_split_start(const fc_grid *whole, int nfields, int kind, fc_grid *block, fc_split **out,
                   fc_err *err)
{
    const fc_ranks *job = fc_ranks_self();
    if (job->size < 2)
        return one_process(whole, block, out, err);
    *out = NULL;
    fc_split *sp = calloc(1, sizeof *sp);
    if (!sp)
        return fc_fail(err, FC_ENOMEM, "out of memory");
    int st = kind == FC_BLOCKS_ROWS
                 ? plan_rows(whole, job->px, job->py, job->size, sp, err)
                 : fc_decomp_plan(job->size, whole->nx, whole->ny, whole->ng, job->px, job->py,
                                  &sp->px, &sp->py, err);
    if (st) {
        free(sp);
        return st;
    }
    const int per_x = whole->bc[FC_WEST] == FC_BC_PERIODIC,
              per_y = whole->bc[FC_SOUTH] == FC_BC_PERIODIC;
    if ((st = fc_halo_create(fc_ranks_comm(), sp->px, sp->py, per_x, per_y, whole->nx, whole->ny,
                             nfields, whole->ng, &sp->halo, err))) {
        free(sp);
        return st;
    }
    fc_halo_link(&sp->halo, &sp->link);
    const fc_decomp d = block_of(sp, whole, sp->halo.rank);
    int bc[4];
    fc_halo_block_bc(&sp->halo, whole->bc, bc);
    fc_grid_block(whole, d.i0, d.i1, d.j0, d.j1, bc, &sp->link, block);
    /* The gather's buffer now, so that a gather never fails half-way through its messages:
     * the largest block is the first (decomp.h), which the first process holds. */
    if (sp->halo.rank == 0 && !(sp->buf = malloc(block->nalloc * sizeof *sp->buf))) {
        fc_split_free(sp);
        return fc_fail(err, FC_ENOMEM, "out of memory to gather the blocks");
    }
    *out = sp;
    return FC_OK;
}

void fc_split_layout(const fc_split *sp, int *px, int *py)
{
    *px = sp ? sp->px : 1;
    *py = sp ? sp->py : 1;
}

/* The blocks between every process's part and the first process's whole fields: onto the
 * first (to_whole, fc_split_gather) or from it (fc_split_scatter), one message per block and
 * field. */
static int move_blocks(fc_split *sp, const fc_grid *whole, fc_real *const *w,
                       const fc_grid *block, fc_real *const *part, int n, int to_whole,
                       fc_err *err)
{
    const MPI_Comm comm = sp->halo.cart;
    const int rank = sp->halo.rank, size = sp->px * sp->py;
    /* Every block is as large as the first or smaller (decomp.h): one test for all. */
    int fits = rank != 0 || block->nalloc <= (size_t)2147483647;
    MPI_Bcast(&fits, 1, MPI_INT, 0, comm);
    if (!fits)
        return fc_fail(err, FC_EINPUT, "a %d x %d block is too large for one MPI message",
                       block->nx, block->ny);
    if (rank != 0) {
        for (int f = 0; f < n; f++) {
            if (to_whole)
                MPI_Send(part[f], (int)block->nalloc, FC_MPI_REAL, 0, f, comm);
            else
                MPI_Recv(part[f], (int)block->nalloc, FC_MPI_REAL, 0, f, comm, MPI_STATUS_IGNORE);
        }
        return FC_OK;
    }
    copy_block(whole, block, w, part, n, to_whole);
    fc_real *buf = sp->buf;
    fc_real *const one[1] = {buf};
    for (int r = 1; r < size; r++) {
        const fc_decomp d = block_of(sp, whole, r);
        fc_grid other;
        fc_grid_block(whole, d.i0, d.i1, d.j0, d.j1, whole->bc, NULL, &other);
        for (int f = 0; f < n; f++) {
            if (to_whole) {
                MPI_Recv(buf, (int)other.nalloc, FC_MPI_REAL, r, f, comm, MPI_STATUS_IGNORE);
                copy_block(whole, &other, w + f, one, 1, 1);
            } else {
                copy_block(whole, &other, w + f, one, 1, 0); /* every cell of the block */
                MPI_Send(buf, (int)other.nalloc, FC_MPI_REAL, r, f, comm);
            }
        }
    }
    return FC_OK;
}

int fc_split_gather(fc_split *sp, const fc_grid *block, fc_real *const *part,
                    const fc_grid *whole, fc_real *const *w, int n, fc_err *err)
{
    if (!sp) {
        copy_whole(whole, part, w, n);
        return FC_OK;
    }
    const double t0 = MPI_Wtime();
    const int st = move_blocks(sp, whole, w, block, part, n, 1, err);
    sp->gather_seconds += MPI_Wtime() - t0;
    return st;
}

int fc_split_scatter(fc_split *sp, const fc_grid *whole, fc_real *const *w, const fc_grid *block,
                     fc_real *const *part, int n, fc_err *err)
{
    if (!sp) {
        copy_whole(whole, w, part, n);
        return FC_OK;
    }
    return move_blocks(sp, whole, w, block, part, n, 0, err);
}

void fc_split_seconds(const fc_split *sp, double *exchange, double *reduce, double *gather_s)
{
    *exchange = sp ? sp->halo.exchange_seconds : 0;
    *reduce = sp ? sp->halo.reduce_seconds : 0;
    *gather_s = sp ? sp->gather_seconds : 0;
}

void fc_split_free(fc_split *sp)
{
    if (!sp)
        return;
    fc_halo_free(&sp->halo);
    free(sp->buf);
    free(sp);
}
#else
int fc_split_start(const fc_grid *whole, int nfields, int kind, fc_grid *block, fc_split **out,
                   fc_err *err)
{
    (void)nfields, (void)kind;
    return one_process(whole, block, out, err);
}

void fc_split_layout(const fc_split *sp, int *px, int *py)
{
    (void)sp;
    *px = *py = 1;
}

int fc_split_gather(fc_split *sp, const fc_grid *block, fc_real *const *part,
                    const fc_grid *whole, fc_real *const *w, int n, fc_err *err)
{
    (void)sp, (void)block, (void)err;
    copy_whole(whole, part, w, n);
    return FC_OK;
}

int fc_split_scatter(fc_split *sp, const fc_grid *whole, fc_real *const *w, const fc_grid *block,
                     fc_real *const *part, int n, fc_err *err)
{
    (void)sp, (void)block, (void)err;
    copy_whole(whole, w, part, n);
    return FC_OK;
}

void fc_split_seconds(const fc_split *sp, double *exchange, double *reduce, double *gather_s)
{
    (void)sp;
    *exchange = *reduce = *gather_s = 0;
}

void fc_split_free(fc_split *sp) { (void)sp; }
#endif
