/*
 * ns2d_poisson.c: assembly of the pressure matrix and of the multigrid hierarchy (see
 * ns2d_poisson.h). Runs once per run, on the host.
 */
#include <fc_build.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "solvers/ns2d/ns2d_poisson.h"

static void csr_free(ns2d_csr *a)
{
    free(a->rowptr);
    free(a->col);
    free(a->val);
    memset(a, 0, sizeof *a);
}

static int csr_alloc(ns2d_csr *a, int n, int m, size_t nnz)
{
    a->n = n;
    a->m = m;
    a->rowptr = calloc((size_t)n + 1, sizeof *a->rowptr);
    a->col = malloc((nnz ? nnz : 1) * sizeof *a->col);
    a->val = malloc((nnz ? nnz : 1) * sizeof *a->val);
    return a->rowptr && a->col && a->val;
}

/*
 * Sparse product C = A B (A: n x k, B: k x m) with a dense accumulator per row. Entries are
 * summed in the order of A's and B's columns, so the result does not depend on threads.
 */
static int csr_multiply(const ns2d_csr *A, const ns2d_csr *B, ns2d_csr *C)
{
    int *mark = malloc((size_t)B->m * sizeof *mark), *cols = NULL;
    double *acc = calloc((size_t)B->m, sizeof *acc);
    size_t cap = (size_t)ns2d_csr_nnz(A) * 4 + 16, nnz = 0;
    int ok = mark && acc && csr_alloc(C, A->n, B->m, cap);
    cols = malloc((size_t)B->m * sizeof *cols);
    ok = ok && cols;
    for (int c = 0; ok && c < B->m; c++)
        mark[c] = -1;
    for (int r = 0; ok && r < A->n; r++) {
        int ncols = 0;
        for (int a = A->rowptr[r]; a < A->rowptr[r + 1]; a++)
            for (int b = B->rowptr[A->col[a]]; b < B->rowptr[A->col[a] + 1]; b++) {
                int c = B->col[b];
                if (mark[c] != r) {
                    mark[c] = r;
                    acc[c] = 0;
                    cols[ncols++] = c;
                }
                acc[c] += (double)A->val[a] * B->val[b];
            }
        /* Columns in increasing order: insertion sort, rows are short. */
        for (int x = 1; x < ncols; x++)
            for (int y = x; y > 0 && cols[y - 1] > cols[y]; y--) {
                int t = cols[y];
                cols[y] = cols[y - 1];
                cols[y - 1] = t;
            }
        if (nnz + (size_t)ncols > cap) {
            cap = 2 * (nnz + (size_t)ncols);
            int *nc = realloc(C->col, cap * sizeof *nc);
            fc_real *nv = nc ? realloc(C->val, cap * sizeof *nv) : NULL;
            if (nc)
                C->col = nc;
            if (nv)
                C->val = nv;
            ok = nc && nv;
            if (!ok)
                break;
        }
        for (int x = 0; x < ncols; x++) {
            C->col[nnz] = cols[x];
            C->val[nnz++] = (fc_real)acc[cols[x]];
        }
        C->rowptr[r + 1] = (int)nnz;
    }
    free(mark);
    free(acc);
    free(cols);
    return ok;
}

static int csr_transpose(const ns2d_csr *A, ns2d_csr *T)
{
    int nnz = ns2d_csr_nnz(A);
    if (!csr_alloc(T, A->m, A->n, (size_t)nnz))
        return 0;
    for (int k = 0; k < nnz; k++)
        T->rowptr[A->col[k] + 1]++;
    for (int r = 0; r < T->n; r++)
        T->rowptr[r + 1] += T->rowptr[r];
    int *next = malloc(((size_t)T->n + 1) * sizeof *next);
    if (!next)
        return 0;
    memcpy(next, T->rowptr, ((size_t)T->n + 1) * sizeof *next);
    for (int r = 0; r < A->n; r++)
        for (int k = A->rowptr[r]; k < A->rowptr[r + 1]; k++) {
            int d = next[A->col[k]]++;
            T->col[d] = r;
            T->val[d] = A->val[k];
        }
    free(next);
    return 1;
}

/* Geometry of a level: nx x ny cells, which are unknowns, and which sides wrap. */
typedef struct level_grid {
    int nx, ny, px, py;
    int *unk; /* [nx * ny] unknown index or -1 */
    int n;
} level_grid;

/* Coarse cell along one axis for fine index i: its own block and the nearer neighbour block;
 * an axis that is not halved has no neighbour (inside 0). */
static int coarse_neighbour(int i, int nc, int periodic, int halve, int *inside)
{
    if (!halve) {
        *inside = 0;
        return i;
    }
    int I = i / 2, s = (i % 2) ? 1 : -1, J = I + s;
    if (periodic)
        J = (J + nc) % nc;
    *inside = J >= 0 && J < nc;
    return J;
}

/* The next coarser level's geometry and the prolongation into fine: bilinear along the axes
 * that are halved (halve_x, halve_y), injection along one that is not (semi-coarsening, as the
 * CPU's hierarchy: ns2d_mg.h). */
static int coarsen(const level_grid *f, level_grid *c, int halve_x, int halve_y, ns2d_csr *P)
{
    const int sx = halve_x ? 2 : 1, sy = halve_y ? 2 : 1;
    c->nx = (f->nx + sx - 1) / sx;
    c->ny = (f->ny + sy - 1) / sy;
    /* A side keeps wrapping only if the fine cells pair up across it. */
    c->px = f->px && f->nx % sx == 0;
    c->py = f->py && f->ny % sy == 0;
    c->unk = malloc((size_t)c->nx * c->ny * sizeof *c->unk);
    if (!c->unk)
        return 0;
    for (int k = 0; k < c->nx * c->ny; k++)
        c->unk[k] = -1;
    for (int j = 0; j < f->ny; j++)
        for (int i = 0; i < f->nx; i++)
            if (f->unk[j * f->nx + i] >= 0)
                c->unk[(j / sy) * c->nx + i / sx] = 0;
    c->n = 0;
    for (int k = 0; k < c->nx * c->ny; k++)
        if (c->unk[k] >= 0)
            c->unk[k] = c->n++;
    if (!csr_alloc(P, f->n, c->n, (size_t)f->n * 4))
        return 0;
    int nnz = 0;
    for (int j = 0; j < f->ny; j++)
        for (int i = 0; i < f->nx; i++) {
            int r = f->unk[j * f->nx + i];
            if (r < 0)
                continue;
            int inx, iny;
            int I = i / sx, J = j / sy;
            int In = coarse_neighbour(i, c->nx, f->px && c->px, halve_x, &inx);
            int Jn = coarse_neighbour(j, c->ny, f->py && c->py, halve_y, &iny);
            const int ci[4] = {I, In, I, In}, cj[4] = {J, J, Jn, Jn};
            const int ok[4] = {1, inx, iny, inx && iny};
            /* Bilinear: 3/4 and 1/4 along a halved axis, 1 and 0 along a kept one. */
            const double ax = halve_x ? 0.75 : 1, ay = halve_y ? 0.75 : 1;
            const double w[4] = {ax * ay, (1 - ax) * ay, ax * (1 - ay), (1 - ax) * (1 - ay)};
            int cols[4], nc = 0;
            double ws[4], sum = 0;
            for (int q = 0; q < 4; q++) {
                int u = ok[q] ? c->unk[cj[q] * c->nx + ci[q]] : -1;
                if (u < 0)
                    continue;
                /* Merge repeats (a wrapped neighbour that is the block itself). */
                int found = -1;
                for (int x = 0; x < nc; x++)
                    if (cols[x] == u)
                        found = x;
                if (found >= 0)
                    ws[found] += w[q];
                else {
                    cols[nc] = u;
                    ws[nc++] = w[q];
                }
                sum += w[q];
            }
            for (int x = 0; x < nc; x++) {
                P->col[nnz] = cols[x];
                P->val[nnz++] = (fc_real)(ws[x] / sum);
            }
            P->rowptr[r + 1] = nnz;
        }
    return 1;
}

int ns2d_dense_inverse(double *M, int n, int singular, fc_real *inv)
{
    double *x = malloc((size_t)n * sizeof *x);
    if (!x)
        return -1;
    if (singular) {
        double shift = 0;
        for (int r = 0; r < n; r++)
            shift += M[(size_t)r * n + r];
        for (size_t k = 0; k < (size_t)n * n; k++)
            M[k] += shift / n / n;
    }
    int ok = 1;
    for (int j = 0; j < n && ok; j++) { /* M = L L^T, L in the lower triangle */
        double d = M[(size_t)j * n + j];
        for (int k = 0; k < j; k++)
            d -= M[(size_t)j * n + k] * M[(size_t)j * n + k];
        ok = d > 0;
        d = sqrt(d);
        M[(size_t)j * n + j] = d;
        for (int i = j + 1; i < n && ok; i++) {
            double s = M[(size_t)i * n + j];
            for (int k = 0; k < j; k++)
                s -= M[(size_t)i * n + k] * M[(size_t)j * n + k];
            M[(size_t)i * n + j] = s / d;
        }
    }
    for (int c = 0; c < n && ok; c++) { /* column c of the inverse: solve L L^T x = e_c */
        for (int i = 0; i < n; i++) {
            double s = i == c;
            for (int k = 0; k < i; k++)
                s -= M[(size_t)i * n + k] * x[k];
            x[i] = s / M[(size_t)i * n + i];
        }
        for (int i = n - 1; i >= 0; i--) {
            double s = x[i];
            for (int k = i + 1; k < n; k++)
                s -= M[(size_t)k * n + i] * x[k];
            x[i] = s / M[(size_t)i * n + i];
        }
        for (int r = 0; r < n; r++) /* symmetric: column c is row c */
            inv[(size_t)c * n + r] = (fc_real)x[r];
    }
    free(x);
    return ok ? 0 : 1;
}

/* Dense inverse of the coarsest CSR operator, as a full CSR matrix: 0, 1 (not positive
 * definite) or -1 (out of memory). */
static int csr_dense_inverse(const ns2d_csr *A, int singular, ns2d_csr *inv)
{
    const int n = A->n;
    double *M = calloc((size_t)n * n, sizeof *M);
    if (!M || !csr_alloc(inv, n, n, (size_t)n * n)) {
        free(M);
        return -1;
    }
    for (int r = 0; r < n; r++)
        for (int k = A->rowptr[r]; k < A->rowptr[r + 1]; k++)
            M[(size_t)r * n + A->col[k]] += A->val[k];
    int st = ns2d_dense_inverse(M, n, singular, inv->val);
    free(M);
    for (int r = 0; r < n; r++) {
        inv->rowptr[r + 1] = (r + 1) * n;
        for (int c = 0; c < n; c++)
            inv->col[(size_t)r * n + c] = c;
    }
    return st;
}

int ns2d_fail_no_fluid(fc_err *err)
{
    return fc_fail(err, FC_EINPUT, "the obstacle covers every cell: there is no fluid");
}

int ns2d_check_regions(const ns2d_params *p, const signed char *kind, const ns2d_ib *ib,
                       fc_err *err)
{
    const fc_grid *g = &p->grid;
    const int nx = g->nx, ny = g->ny;
    const size_t n = (size_t)nx * ny;
    /* Without a solid cell or an immersed body the fluid is the whole rectangle, one region:
     * the fill is skipped (it costs about 230 instructions a cell, 40 % of the multigrid's
     * build). */
    int any_solid = ib != NULL && ib->held != NULL;
    for (int j = 0; j < ny && !any_solid; j++)
        for (int i = 0; i < nx; i++)
            any_solid |= kind[fc_idx(g->pitch, g->ng, i, j)] == NS2D_SOLID_CELL;
    if (!any_solid)
        return FC_OK;
    /* region[c]: -1 not an unknown, else the region's number; a stack of cells to visit. */
    int *region = malloc(n * sizeof *region), *stack = malloc(n * sizeof *stack);
    if (!region || !stack) {
        free(region);
        free(stack);
        return fc_fail(err, FC_ENOMEM, "out of host memory for the pressure equation");
    }
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++)
            region[(size_t)j * nx + i] =
                ns2d_pressure_cell(kind, ib, fc_idx(g->pitch, g->ng, i, j), g->pitch) ? -2 : -1;
    int nregions = 0, outflows = 0;
    /* The region to name, the smallest: [0] of those without an outflow face, [1] of all. */
    int named_cells[2] = {INT_MAX, INT_MAX};
    size_t named_seed[2] = {0, 0};
    for (size_t seed = 0; seed < n; seed++) {
        if (region[seed] != -2)
            continue;
        const int r = nregions++;
        int top = 0, cells = 0, open_out = 0;
        region[seed] = r;
        stack[top++] = (int)seed;
        while (top > 0) {
            const int c = stack[--top], i = c % nx, j = c / nx;
            const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
            const ptrdiff_t nb[4] = {k - 1, k + 1, k - g->pitch, k + g->pitch};
            const int ni[4] = {i - 1, i + 1, i, i}, nj[4] = {j, j, j - 1, j + 1};
            cells++;
            for (int d = 0; d < 4; d++) {
                fc_real open;
                if (!ns2d_face_couples(ib, k, g->pitch, d, &open))
                    continue;
                if (kind[nb[d]] == NS2D_OUTFLOW)
                    open_out = 1;
                if (kind[nb[d]] != NS2D_FLUID)
                    continue;
                int si = ni[d], sj = nj[d]; /* across a periodic side: the wrapped cell */
                ns2d_wrap(g, &si, &sj);
                const size_t o = (size_t)sj * nx + si;
                if (region[o] == -2) {
                    region[o] = r;
                    stack[top++] = (int)o;
                }
            }
        }
        outflows += open_out;
        for (int q = 0; q < 2; q++)
            if ((q == 1 || !open_out) && cells < named_cells[q]) {
                named_cells[q] = cells;
                named_seed[q] = seed;
            }
    }
    free(region);
    free(stack);
    /* Each region needs its pressure fixed: by an outflow (p = 0), or, in a domain with none,
     * by the one mean that the solver sets, which serves one region only. */
    const int closed = outflows == 0, unfixed = closed ? nregions - 1 : nregions - outflows;
    if (unfixed <= 0)
        return FC_OK;
    const int q = closed ? 1 : 0;
    char what[160];
    if (closed)
        snprintf(what, sizeof what, "in a domain without an outflow it must be one");
    else
        snprintf(what, sizeof what, "%d of them %s no outflow", unfixed,
                 unfixed == 1 ? "reaches" : "reach");
    return fc_fail(err, FC_EINPUT,
                   "the bodies and the sides split the fluid into %d regions that no face joins, "
                   "and %s. The smallest %s has %d cells and begins at the cell centred at "
                   "x = %.4g m, y = %.4g m: its pressure is undetermined (and an inflow into it "
                   "has nowhere to go). Move or resize the body so that the fluid is one region%s",
                   nregions, what, closed ? "region" : "of those", named_cells[q],
                   fc_grid_x(g, (int)(named_seed[q] % (size_t)nx)),
                   fc_grid_y(g, (int)(named_seed[q] / (size_t)nx)),
                   closed ? "" : " that reaches an outflow");
}

int ns2d_fail_coarse(fc_err *err)
{
    /* The geometry of the case, known before anything runs: bad input. */
    return fc_fail(err, FC_EINPUT,
                   "the coarsest pressure operator is not positive definite (a fluid region "
                   "without outflow that is not connected to the rest?)");
}

static int set_dinv(ns2d_level *l, double omega)
{
    l->dinv = malloc(((size_t)l->A.n + 1) * sizeof *l->dinv);
    if (!l->dinv)
        return 0;
    for (int r = 0; r < l->A.n; r++) {
        double d = 0;
        for (int k = l->A.rowptr[r]; k < l->A.rowptr[r + 1]; k++)
            if (l->A.col[k] == r)
                d = l->A.val[k];
        l->dinv[r] = (fc_real)(d > 0 ? omega / d : 0);
    }
    return 1;
}

/* A = -L on the fluid cells, each face's term times its open fraction; faces an immersed body
 * holds couple nothing. */
static int assemble(const ns2d_params *p, const signed char *kind, const ns2d_ib *ib,
                    ns2d_poisson *ps)
{
    const fc_grid *g = &p->grid;
    ns2d_csr *A = &ps->lv[0].A;
    if (!csr_alloc(A, ps->n, ps->n, (size_t)ps->n * 5))
        return 0;
    const double ix2 = 1 / (g->dx * g->dx), iy2 = 1 / (g->dy * g->dy);
    const ptrdiff_t step[4] = {-1, 1, -g->pitch, g->pitch};
    const double w[4] = {ix2, ix2, iy2, iy2};
    int nnz = 0;
    ps->singular = 1;
    for (int r = 0; r < ps->n; r++) {
        ptrdiff_t k = ps->slot_of[r];
        int cols[5] = {r};
        double vals[5] = {0};
        int nc = 1;
        for (int d = 0; d < 4; d++) {
            ptrdiff_t nb = k + step[d];
            fc_real open;
            if (!ns2d_face_couples(ib, k, g->pitch, d, &open))
                continue; /* an immersed body holds or closes the face */
            const double wd = w[d] * open;
            if (kind[nb] == NS2D_OUTFLOW) {
                vals[0] += 2 * wd;
                ps->singular = 0;
            } else if (kind[nb] == NS2D_FLUID) {
                int c = ps->cell_of[nb], x = 0;
                vals[0] += wd;
                while (x < nc && cols[x] != c)
                    x++;
                if (x == nc) {
                    cols[nc] = c;
                    vals[nc++] = 0;
                }
                vals[x] -= wd;
            }
        }
        for (int x = 1; x < nc; x++) /* columns in order */
            for (int y = x; y > 0 && cols[y - 1] > cols[y]; y--) {
                int tc = cols[y];
                double tv = vals[y];
                cols[y] = cols[y - 1];
                vals[y] = vals[y - 1];
                cols[y - 1] = tc;
                vals[y - 1] = tv;
            }
        for (int x = 0; x < nc; x++) {
            A->col[nnz] = cols[x];
            A->val[nnz++] = (fc_real)vals[x];
        }
        A->rowptr[r + 1] = nnz;
    }
    return 1;
}

int ns2d_poisson_build(const ns2d_params *p, const signed char *kind, const ns2d_ib *ib,
                       ns2d_poisson *ps, fc_err *err)
{
    const fc_grid *g = &p->grid;
    memset(ps, 0, sizeof *ps);
    ps->precond = p->precond;
    /* CSR indices are 32-bit (cuSPARSE's fastest path): the 5 entries per cell must fit. */
    if ((double)g->nx * g->ny * 5 > INT_MAX)
        return fc_fail(err, FC_EINPUT,
                       "%d x %d cells is more than the pressure solver's 32-bit sparse indices "
                       "hold (%d cells at most)",
                       g->nx, g->ny, INT_MAX / 5);
    ps->cell_of = malloc(g->nalloc * sizeof *ps->cell_of);
    level_grid fine = {g->nx, g->ny, g->bc[FC_WEST] == FC_BC_PERIODIC,
                       g->bc[FC_SOUTH] == FC_BC_PERIODIC, NULL, 0};
    fine.unk = malloc((size_t)g->nx * g->ny * sizeof *fine.unk);
    if (!ps->cell_of || !fine.unk)
        goto nomem;
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++)
            fine.unk[j * g->nx + i] =
                ns2d_pressure_cell(kind, ib, fc_idx(g->pitch, g->ng, i, j), g->pitch) ? fine.n++
                                                                                        : -1;
    ps->n = fine.n;
    if (ps->n == 0) {
        free(fine.unk);
        return ns2d_fail_no_fluid(err);
    }
    const int regions = ns2d_check_regions(p, kind, ib, err);
    if (regions) {
        free(fine.unk);
        return regions;
    }
    ps->slot_of = malloc((size_t)ps->n * sizeof *ps->slot_of);
    if (!ps->slot_of)
        goto nomem;
    for (int j = -g->ng; j < g->ny + g->ng; j++)
        for (int i = -g->ng; i < g->nx + g->ng; i++) {
            int si = i, sj = j;
            ns2d_wrap(g, &si, &sj);
            int inside = si >= 0 && si < g->nx && sj >= 0 && sj < g->ny;
            int u = inside ? fine.unk[sj * g->nx + si] : -1;
            ps->cell_of[fc_idx(g->pitch, g->ng, i, j)] = u;
            if (u >= 0 && si == i && sj == j)
                ps->slot_of[u] = (int)fc_idx(g->pitch, g->ng, i, j);
        }
    if (!assemble(p, kind, ib, ps))
        goto nomem;

    ps->nlevels = 1;
    level_grid cur = fine;
    fine.unk = NULL;
    const int galerkin = p->precond == NS2D_PC_MULTIGRID;
    while (galerkin && cur.n > NS2D_MG_COARSEST &&
           ps->nlevels < NS2D_MG_MAX_LEVELS) {
        ns2d_level *f = &ps->lv[ps->nlevels - 1], *c = &ps->lv[ps->nlevels];
        level_grid next = {0};
        ns2d_csr AP = {0};
        /* Semi-coarsening, as the CPU's hierarchy (ns2d_mg.c): cells more than sqrt(2) times
         * longer one way are halved the other way alone; an axis of one cell cannot be. */
        const double hx = g->dx * g->nx / cur.nx, hy = g->dy * g->ny / cur.ny;
        const int halve_x = hx <= M_SQRT2 * hy || cur.ny == 1;
        const int halve_y = hy <= M_SQRT2 * hx || cur.nx == 1;
        int ok = coarsen(&cur, &next, halve_x, halve_y, &f->P) && csr_transpose(&f->P, &f->R) &&
                 csr_multiply(&f->A, &f->P, &AP) && csr_multiply(&f->R, &AP, &c->A);
        csr_free(&AP);
        free(cur.unk);
        cur = next;
        if (!ok) {
            free(cur.unk);
            goto nomem;
        }
        ps->nlevels++;
    }
    free(cur.unk);
    for (int l = 0; l < ps->nlevels; l++)
        if (!set_dinv(&ps->lv[l], galerkin ? NS2D_MG_OMEGA : 1.0))
            goto nomem;
    if (galerkin) {
        int st = csr_dense_inverse(&ps->lv[ps->nlevels - 1].A, ps->singular, &ps->coarse_inv);
        if (st < 0)
            goto nomem;
        if (st > 0) {
            ns2d_poisson_free(ps);
            return ns2d_fail_coarse(err);
        }
    }
    return FC_OK;
nomem:
    free(fine.unk);
    ns2d_poisson_free(ps);
    return fc_fail(err, FC_ENOMEM, "out of host memory for the pressure matrices");
}

void ns2d_poisson_free(ns2d_poisson *ps)
{
    for (int l = 0; l < NS2D_MG_MAX_LEVELS; l++) {
        csr_free(&ps->lv[l].A);
        csr_free(&ps->lv[l].P);
        csr_free(&ps->lv[l].R);
        free(ps->lv[l].dinv);
    }
    csr_free(&ps->coarse_inv);
    free(ps->cell_of);
    free(ps->slot_of);
    memset(ps, 0, sizeof *ps);
}

double ns2d_poisson_values_per_cell(void)
{
    /* A on every level (value + column): level 0's 5 entries a cell times Galerkin's operator
     * complexity, about 2.5 (coarse operators of up to 25 entries); P and R (4 entries each on
     * level 0, a third more below); eight work vectors, a third more below. The CPU's
     * matrix-free hierarchy needs less: an upper bound for both. */
    return 5 * 1.5 * 2.5 + 8 * 1.5 * 4.0 / 3.0 + 8 * 4.0 / 3.0;
}

void ns2d_projection_tol(const ns2d_params *p, double scale, ns2d_tol *tol)
{
    const double relative = p->poisson_rtol * scale;
    if (p->poisson_tol <= relative) {
        tol->value = p->poisson_tol;
        tol->key = "poisson_tol";
        snprintf(tol->what, sizeof tol->what, "[numerics] poisson_tol = %g s-1", p->poisson_tol);
    } else {
        tol->value = relative;
        tol->key = "poisson_rtol";
        snprintf(tol->what, sizeof tol->what, "%g s-1 ([numerics] poisson_rtol = %g times the "
                 "flow's largest |u|/dx or |v|/dy, %g s-1)", relative, p->poisson_rtol, scale);
    }
}

int ns2d_pcg(const ns2d_pcg_ops *ops, void *ctx, double c, const ns2d_tol *t, int max_iter,
             int *its, double *res, fc_err *err)
{
    const double tol = t->value;
    double rr;
    int st, rz = NS2D_PCG_RZ_A; /* the slot of r.z */
    *its = 0;
    if ((st = ops->begin(ctx, err)) || (st = ops->dot(ctx, NS2D_PCG_R, NS2D_PCG_R, NS2D_PCG_RR, err)) ||
        (st = ops->read(ctx, NS2D_PCG_RR, &rr, err)))
        return st;
    *res = c * sqrt(rr);
    if (*res <= tol || !(rr == rr))
        return FC_OK;
    /* The divergence at its last halving and that iteration: a solve still converging keeps
     * halving it; one at the round-off floor wanders about the floor and never does. */
    double halved = *res;
    int halved_it = 0;
    if ((st = ops->precondition(ctx, err)) || (st = ops->first_direction(ctx, err)) ||
        (st = ops->dot(ctx, NS2D_PCG_R, NS2D_PCG_Z, rz, err)))
        return st;
    for (int it = 1; it <= max_iter; it++) {
        if ((st = ops->apply(ctx, err)) ||
            (st = ops->dot(ctx, NS2D_PCG_D, NS2D_PCG_Q, NS2D_PCG_DQ, err)) ||
            (st = ops->update(ctx, rz, NS2D_PCG_DQ, err)) ||
            (st = ops->dot(ctx, NS2D_PCG_R, NS2D_PCG_R, NS2D_PCG_RR, err)) ||
            (st = ops->read(ctx, NS2D_PCG_RR, &rr, err)))
            return st;
        *its = it;
        *res = c * sqrt(rr);
        if (*res <= tol || !(rr == rr))
            return FC_OK;
        if (*res <= 0.5 * halved)
            halved = *res, halved_it = it;
        const int rz_new = rz == NS2D_PCG_RZ_A ? NS2D_PCG_RZ_B : NS2D_PCG_RZ_A;
        if ((st = ops->precondition(ctx, err)) ||
            (st = ops->dot(ctx, NS2D_PCG_R, NS2D_PCG_Z, rz_new, err)) ||
            (st = ops->next_direction(ctx, rz_new, rz, err)))
            return st;
        rz = rz_new;
    }
    /* Not halved over the second half of many iterations: the divergence has reached the
     * round-off of these velocities on this grid (CG then wanders, and more iterations make it
     * worse). */
    if (max_iter >= 20 && halved_it <= max_iter / 2)
        return fc_fail(err, FC_ENUMERIC,
                       "the pressure solver did not converge: the divergence fell to %.3g s-1 by "
                       "iteration %d and not to half of that in the %d after it (%.3g s-1 left), "
                       "above %s: the tolerance is below the round-off of these velocities on "
                       "this grid; raise %s",
                       halved, halved_it, *its - halved_it, *res, t->what, t->key);
    return fc_fail(err, FC_ENUMERIC,
                   "the pressure solver did not converge: divergence %.3g s-1 left after %d "
                   "iterations, above %s (raise poisson_max_iterations or %s, or lower [time] "
                   "cfl)",
                   *res, *its, t->what, t->key);
}
