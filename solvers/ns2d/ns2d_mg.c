/*
 * ns2d_mg.c: building the matrix-free multigrid hierarchy of ns2d_mg.h from the cell kinds. Runs
 * once per run, on the host; O(cells), a few passes per level.
 */
#include <fc_build.h>

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "solvers/ns2d/ns2d_mg.h"

static void axis_free(ns2d_mg_axis *a)
{
    free(a->own);
    free(a->nb);
    free(a->from);
    free(a->w);
}

static void level_free(ns2d_mg_level *l)
{
    fc_real **arr[] = {&l->kw, &l->ks, &l->diag, &l->dinv, &l->pscale, &l->x, &l->b, &l->r};
    for (size_t a = 0; a < sizeof arr / sizeof *arr; a++)
        free(*arr[a]);
    free(l->uniform);
    axis_free(&l->ax);
    axis_free(&l->ay);
}

void ns2d_mg_free(ns2d_mg *mg)
{
    for (int l = 0; l < NS2D_MG_MAX_LEVELS; l++)
        level_free(&mg->lv[l]);
    free(mg->cell_slot);
    free(mg->fluid);
    free(mg->coarse_slot);
    free(mg->coarse_inv);
    memset(mg, 0, sizeof *mg);
}

static int level_alloc(ns2d_mg_level *l, int nx, int ny, int wrap_x, int wrap_y)
{
    l->nx = nx;
    l->ny = ny;
    l->pitch = nx + 2;
    l->wrap_x = wrap_x;
    l->wrap_y = wrap_y;
    const size_t n = (size_t)(nx + 2) * (ny + 2);
    fc_real **arr[] = {&l->kw, &l->ks, &l->diag, &l->dinv, &l->pscale, &l->x, &l->b, &l->r};
    int ok = (l->uniform = calloc((size_t)ny, 1)) != NULL;
    for (size_t a = 0; a < sizeof arr / sizeof *arr; a++)
        ok &= (*arr[a] = calloc(n, sizeof(fc_real))) != NULL;
    return ok;
}

/* The diagonal from the faces and the Dirichlet part; the inverse where a cell exists. */
static void level_diagonal(ns2d_mg_level *l, const double *dirichlet, const unsigned char *live)
{
    for (int j = 0; j < l->ny; j++)
        for (int i = 0; i < l->nx; i++) {
            const ptrdiff_t k = NS2D_MG_SLOT(l, i, j);
            const double d = (double)l->kw[k] + l->kw[k + 1] + l->ks[k] + l->ks[k + l->pitch] +
                             dirichlet[k];
            l->diag[k] = live[k] ? (fc_real)d : 0;
            l->dinv[k] = live[k] && d > 0 ? (fc_real)(1 / d) : 0;
        }
}

/* Level 0 from the cell kinds: 1/h^2 across faces between fluid cells, 2/h^2 to an outflow,
 * each times the face's open fraction; 0 across a face an immersed body holds (ib: NULL for
 * none). */
static void fine_level(const ns2d_params *p, const signed char *kind, const ns2d_ib *ib,
                       ns2d_mg_level *l, double *dirichlet, double *dirichlet_x,
                       unsigned char *live)
{
    const fc_grid *g = &p->grid;
    const double ix2 = 1 / (g->dx * g->dx), iy2 = 1 / (g->dy * g->dy);
    for (int j = 0; j <= g->ny; j++)
        for (int i = 0; i <= g->nx; i++) {
            const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j), s = NS2D_MG_SLOT(l, i, j);
            fc_real open;
            if (j < g->ny)
                l->kw[s] = kind[k - 1] == NS2D_FLUID && kind[k] == NS2D_FLUID &&
                                   ns2d_face_couples(ib, k, g->pitch, 0, &open)
                               ? (fc_real)ix2 * open
                               : 0;
            if (i < g->nx)
                l->ks[s] = kind[k - g->pitch] == NS2D_FLUID && kind[k] == NS2D_FLUID &&
                                   ns2d_face_couples(ib, k, g->pitch, 2, &open)
                               ? (fc_real)iy2 * open
                               : 0;
            if (i == g->nx || j == g->ny || !ns2d_pressure_cell(kind, ib, k, g->pitch))
                continue;
            live[s] = 1;
            const ptrdiff_t nb[4] = {k - 1, k + 1, k - g->pitch, k + g->pitch};
            const double w[4] = {ix2, ix2, iy2, iy2};
            for (int d = 0; d < 4; d++)
                if (kind[nb[d]] == NS2D_OUTFLOW && ns2d_face_couples(ib, k, g->pitch, d, &open)) {
                    dirichlet[s] += 2 * w[d] * open;
                    if (d < 2) /* the part through west and east faces, for semi-coarsening */
                        dirichlet_x[s] += 2 * w[d] * open;
                }
        }
}

/*
 * Transfers along one axis from nf fine cells to nc = (nf + 1) / 2 coarse ones (see
 * ns2d_mg_axis), wrapping across a periodic side; or, where the axis is kept (halve 0), to
 * nc = nf, each fine cell its own block.
 */
static int make_axis(ns2d_mg_axis *a, int nf, int nc, int wrap, int halve)
{
    a->own = malloc((size_t)nf * sizeof *a->own);
    a->nb = malloc((size_t)nf * sizeof *a->nb);
    a->from = malloc((size_t)nc * 4 * sizeof *a->from);
    a->w = calloc((size_t)nc * 4, sizeof *a->w);
    int *count = calloc((size_t)nc, sizeof *count);
    int ok = a->own && a->nb && a->from && a->w && count;
    if (ok && !halve) {
        for (int i = 0; i < nf; i++) {
            a->own[i] = i;
            a->nb[i] = -1;
            for (int q = 0; q < 4; q++)
                a->from[4 * i + q] = i;
            a->w[4 * i] = 3;
        }
        free(count);
        return ok;
    }
    for (int i = 0; ok && i < nf; i++) {
        int I = i / 2, J = I + (i % 2 ? 1 : -1);
        if (wrap)
            J = (J + nc) % nc;
        a->own[i] = I;
        a->nb[i] = J >= 0 && J < nc ? J : -1;
    }
    for (int I = 0; ok && I < nc; I++)
        for (int q = 0; q < 4; q++)
            a->from[4 * I + q] = 2 * I; /* weight 0 until set */
    /* Each coarse cell gathers its fine cells in increasing order, so that sums do not depend on
     * how cells were visited. */
    for (int i = 0; ok && i < nf; i++) {
        const int targets[2] = {a->own[i], a->nb[i]};
        const fc_real wt[2] = {3, 1};
        for (int t = 0; t < 2; t++) {
            const int I = targets[t];
            if (I < 0)
                continue;
            /* a wrapped neighbour that is the block itself adds to the same entry */
            int q = 0;
            while (q < count[I] && a->from[4 * I + q] != i)
                q++;
            if (q == count[I])
                a->from[4 * I + count[I]++] = i;
            a->w[4 * I + q] += wt[t];
        }
    }
    free(count);
    return ok;
}

/*
 * The next coarser level, halving x and y where f->halve_x and f->halve_y say: cells that
 * exist, face coefficients (the sum of the fine faces a coarse face covers, halved where the
 * axis the face is normal to is), Dirichlet parts (the children's sums, each axis's part halved
 * where that axis is), the open grid's face values, and the fine level's pscale. dir and dir_x:
 * a level's Dirichlet parts, in all and through west and east faces.
 */
static int coarse_level(ns2d_mg_level *f, const double *fdir, const double *fdir_x,
                        const unsigned char *flive, ns2d_mg_level *c, double **cdir,
                        double **cdir_x, unsigned char **clive)
{
    const int sx = f->halve_x ? 2 : 1, sy = f->halve_y ? 2 : 1; /* a block's columns, rows */
    const int nx = (f->nx + sx - 1) / sx, ny = (f->ny + sy - 1) / sy;
    if (!level_alloc(c, nx, ny, f->wrap_x, f->wrap_y) ||
        !make_axis(&f->ax, f->nx, nx, f->wrap_x, f->halve_x) ||
        !make_axis(&f->ay, f->ny, ny, f->wrap_y, f->halve_y))
        return 0;
    /* Exact: powers of 2 */
    c->cx = f->cx * (fc_real)sy / (fc_real)sx;
    c->cy = f->cy * (fc_real)sx / (fc_real)sy;
    const size_t n = (size_t)(nx + 2) * (ny + 2);
    *cdir = calloc(n, sizeof **cdir);
    *cdir_x = calloc(n, sizeof **cdir_x);
    *clive = calloc(n, 1);
    if (!*cdir || !*cdir_x || !*clive)
        return 0;
    c->ncells = 0;
    for (int J = 0; J <= ny; J++)
        for (int I = 0; I <= nx; I++) {
            const ptrdiff_t s = NS2D_MG_SLOT(c, I, J);
            /* The fine faces under the coarse west (south) face: the fine west face of column
             * sx I (or the east edge), in each of the block's rows (columns). */
            const int fi = sx * I < f->nx ? sx * I : f->nx, fj = sy * J < f->ny ? sy * J : f->ny;
            double kw = 0, ks = 0;
            for (int q = 0; q < sy && J < ny; q++)
                if (sy * J + q < f->ny)
                    kw += f->kw[NS2D_MG_SLOT(f, fi, sy * J + q)];
            for (int q = 0; q < sx && I < nx; q++)
                if (sx * I + q < f->nx)
                    ks += f->ks[NS2D_MG_SLOT(f, sx * I + q, fj)];
            c->kw[s] = (fc_real)(f->halve_x ? kw / 2 : kw);
            c->ks[s] = (fc_real)(f->halve_y ? ks / 2 : ks);
            if (I == nx || J == ny)
                continue;
            double d = 0, dx = 0;
            int alive = 0;
            for (int b = 0; b < sy; b++)
                for (int a = 0; a < sx; a++)
                    if (sx * I + a < f->nx && sy * J + b < f->ny) {
                        const ptrdiff_t fs = NS2D_MG_SLOT(f, sx * I + a, sy * J + b);
                        d += fdir[fs];
                        dx += fdir_x[fs];
                        alive |= flive[fs];
                    }
            const double part_x = f->halve_x ? dx / 2 : dx, part_y = f->halve_y ? (d - dx) / 2 : d - dx;
            (*cdir)[s] = f->halve_x && f->halve_y ? d / 2 : part_x + part_y;
            (*cdir_x)[s] = part_x;
            (*clive)[s] = (unsigned char)alive;
            c->ncells += alive;
        }
    /* pscale of the fine cells: the weights of the coarse cells that exist. */
    for (int j = 0; j < f->ny; j++)
        for (int i = 0; i < f->nx; i++) {
            const ptrdiff_t s = NS2D_MG_SLOT(f, i, j);
            if (!flive[s])
                continue;
            const int I = f->ax.own[i], In = f->ax.nb[i], J = f->ay.own[j], Jn = f->ay.nb[j];
            double w = 9;
            if (In >= 0)
                w += 3 * (*clive)[NS2D_MG_SLOT(c, In, J)];
            if (Jn >= 0)
                w += 3 * (*clive)[NS2D_MG_SLOT(c, I, Jn)];
            if (In >= 0 && Jn >= 0)
                w += (*clive)[NS2D_MG_SLOT(c, In, Jn)];
            f->pscale[s] = (fc_real)(1 / w);
        }
    return 1;
}

/* The open-grid values of a level (faces cx and cy, set as the level is made) and the rows that
 * have them in every inner cell (ns2d_mg_level.uniform). */
static void uniform_rows(ns2d_mg_level *l, int coarsest)
{
    const double d = (double)l->cx + l->cx + l->cy + l->cy + 0.0; /* as level_diagonal adds */
    l->diag_u = (fc_real)d;
    l->dinv_u = (fc_real)(1 / d);
    l->pscale_u = (fc_real)(1 / ((l->halve_x ? 4.0 : 3.0) * (l->halve_y ? 4.0 : 3.0)));
    for (int j = 0; j < l->ny; j++) {
        int u = l->nx >= 3;
        for (int i = 1; u && i < l->nx - 1; i++) {
            const ptrdiff_t s = NS2D_MG_SLOT(l, i, j);
            u = l->kw[s] == l->cx && l->kw[s + 1] == l->cx && l->ks[s] == l->cy &&
                l->ks[s + l->pitch] == l->cy && l->diag[s] == l->diag_u &&
                l->dinv[s] == l->dinv_u && (coarsest || l->pscale[s] == l->pscale_u);
        }
        l->uniform[j] = (unsigned char)u;
    }
}

/* The coarsest operator as a dense matrix over the cells that exist, inverted. */
static int coarsest_inverse(ns2d_mg *mg, const unsigned char *live, int singular)
{
    const ns2d_mg_level *l = &mg->lv[mg->nlevels - 1];
    const size_t slots = (size_t)(l->nx + 2) * (l->ny + 2);
    int *dense = malloc(slots * sizeof *dense);
    mg->ncoarse = l->ncells;
    const int n = mg->ncoarse;
    mg->coarse_slot = malloc(((size_t)n + 1) * sizeof *mg->coarse_slot);
    mg->coarse_inv = malloc(((size_t)n * n + 1) * sizeof *mg->coarse_inv);
    double *M = calloc((size_t)n * n + 1, sizeof *M);
    if (!dense || !mg->coarse_slot || !mg->coarse_inv || !M) {
        free(dense);
        free(M);
        return -1;
    }
    int d = 0;
    for (size_t s = 0; s < slots; s++)
        dense[s] = -1;
    for (int j = 0; j < l->ny; j++)
        for (int i = 0; i < l->nx; i++)
            if (live[NS2D_MG_SLOT(l, i, j)]) {
                mg->coarse_slot[d] = (int)NS2D_MG_SLOT(l, i, j);
                dense[NS2D_MG_SLOT(l, i, j)] = d++;
            }
    for (int j = 0; j < l->ny; j++)
        for (int i = 0; i < l->nx; i++) {
            const ptrdiff_t s = NS2D_MG_SLOT(l, i, j);
            if (dense[s] < 0)
                continue;
            const size_t r = (size_t)dense[s];
            M[r * n + r] += l->diag[s];
            /* Neighbours through the four faces, wrapped; a face with a coefficient joins two
             * cells that exist. */
            const int ni[4] = {i - 1, i + 1, i, i}, nj[4] = {j, j, j - 1, j + 1};
            const fc_real k[4] = {l->kw[s], l->kw[s + 1], l->ks[s], l->ks[s + l->pitch]};
            for (int q = 0; q < 4; q++) {
                if (k[q] == 0)
                    continue;
                const int a = (ni[q] + l->nx) % l->nx, b = (nj[q] + l->ny) % l->ny;
                M[r * n + (size_t)dense[NS2D_MG_SLOT(l, a, b)]] -= k[q];
            }
        }
    free(dense);
    int st = ns2d_dense_inverse(M, n, singular, mg->coarse_inv);
    free(M);
    return st;
}

int ns2d_mg_build(const ns2d_params *p, const signed char *kind, const ns2d_ib *ib,
                  int multigrid, ns2d_mg *mg, fc_err *err)
{
    const fc_grid *g = &p->grid;
    memset(mg, 0, sizeof *mg);
    /* Slots are ints (level-0 vectors of this length) */
    if ((double)(g->nx + 2) * (g->ny + 2) > INT_MAX)
        return fc_fail(err, FC_EINPUT,
                       "%d x %d cells is more than the pressure solver's 32-bit indices hold",
                       g->nx, g->ny);
    double *dir = NULL, *cdir = NULL, *dir_x = NULL, *cdir_x = NULL;
    unsigned char *live = NULL, *clive = NULL;
    ns2d_mg_level *l = &mg->lv[0];
    mg->nlevels = 1;
    const size_t slots = (size_t)(g->nx + 2) * (g->ny + 2);
    if (!level_alloc(l, g->nx, g->ny, g->bc[FC_WEST] == FC_BC_PERIODIC,
                     g->bc[FC_SOUTH] == FC_BC_PERIODIC) ||
        !(mg->cell_slot = malloc(g->nalloc * sizeof *mg->cell_slot)) ||
        !(mg->fluid = calloc(slots, sizeof *mg->fluid)) ||
        !(dir = calloc(slots, sizeof *dir)) || !(dir_x = calloc(slots, sizeof *dir_x)) ||
        !(live = calloc(slots, 1)))
        goto nomem;
    fine_level(p, kind, ib, l, dir, dir_x, live);
    l->cx = (fc_real)(1 / (g->dx * g->dx));
    l->cy = (fc_real)(1 / (g->dy * g->dy));
    mg->singular = 1;
    for (int j = -g->ng; j < g->ny + g->ng; j++)
        for (int i = -g->ng; i < g->nx + g->ng; i++) {
            int si = i, sj = j;
            ns2d_wrap(g, &si, &sj);
            const int inside = si >= 0 && si < g->nx && sj >= 0 && sj < g->ny;
            const ptrdiff_t s = inside ? NS2D_MG_SLOT(l, si, sj) : 0;
            mg->cell_slot[fc_idx(g->pitch, g->ng, i, j)] = inside && live[s] ? (int)s : -1;
            if (inside && si == i && sj == j && live[s]) {
                mg->n++;
                mg->fluid[s] = 1;
                mg->singular &= dir[s] == 0;
            }
        }
    if (mg->n == 0) {
        free(dir);
        free(dir_x);
        free(live);
        ns2d_mg_free(mg);
        return ns2d_fail_no_fluid(err);
    }
    const int regions = ns2d_check_regions(p, kind, ib, err);
    if (regions) {
        free(dir);
        free(dir_x);
        free(live);
        ns2d_mg_free(mg);
        return regions;
    }
    l->ncells = mg->n;
    for (;;) {
        level_diagonal(l, dir, live);
        if (!multigrid)
            break;
        if (l->ncells <= NS2D_MG_COARSEST || (l->nx == 1 && l->ny == 1) ||
            mg->nlevels == NS2D_MG_MAX_LEVELS)
            break;
        /* Semi-coarsening (ns2d_mg.h): cells more than sqrt(2) times longer one way are
         * halved the other way alone; an axis of one cell cannot be. */
        const double hx = g->dx * g->nx / l->nx, hy = g->dy * g->ny / l->ny;
        l->halve_x = hx <= M_SQRT2 * hy || l->ny == 1;
        l->halve_y = hy <= M_SQRT2 * hx || l->nx == 1;
        ns2d_mg_level *c = &mg->lv[mg->nlevels];
        int ok = coarse_level(l, dir, dir_x, live, c, &cdir, &cdir_x, &clive);
        free(dir);
        free(dir_x);
        free(live);
        dir = cdir;
        dir_x = cdir_x;
        live = clive;
        cdir = NULL;
        cdir_x = NULL;
        clive = NULL;
        mg->nlevels++;
        if (!ok)
            goto nomem;
        l = c;
    }
    for (int k = 0; k < mg->nlevels; k++)
        uniform_rows(&mg->lv[k], k == mg->nlevels - 1);
    int st = multigrid ? coarsest_inverse(mg, live, mg->singular) : 0;
    free(dir);
    free(dir_x);
    free(live);
    if (st < 0) {
        ns2d_mg_free(mg);
        return fc_fail(err, FC_ENOMEM, "out of host memory for the pressure multigrid");
    }
    if (st > 0) {
        ns2d_mg_free(mg);
        return ns2d_fail_coarse(err);
    }
    return FC_OK;
nomem:
    free(dir);
    free(dir_x);
    free(live);
    ns2d_mg_free(mg);
    return fc_fail(err, FC_ENOMEM, "out of host memory for the pressure multigrid");
}
