/*
 * ns2d_body.c: the body's shapes, its solid core, the immersed-boundary table and the surface
 * forces (method in ns2d_body.h). Host side, shared by both backends.
 */
#include <fc_build.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "solvers/ns2d/ns2d.h"
#include "solvers/ns2d/ns2d_body.h"

/* ---- shapes ---- */

/* Half-thickness of the NACA 4-digit section at chord fraction x (closed trailing edge). */
static double naca_half_thickness(double t, double x)
{
    return 5 * t * (0.2969 * sqrt(x) - 0.1260 * x - 0.3516 * x * x + 0.2843 * x * x * x -
                    0.1036 * x * x * x * x);
}

static void naca_camber(double m, double pm, double x, double *yc, double *slope)
{
    if (m == 0 || pm == 0) {
        *yc = *slope = 0;
    } else if (x < pm) {
        *yc = m / (pm * pm) * (2 * pm * x - x * x);
        *slope = 2 * m / (pm * pm) * (pm - x);
    } else {
        *yc = m / ((1 - pm) * (1 - pm)) * (1 - 2 * pm + 2 * pm * x - x * x);
        *slope = 2 * m / ((1 - pm) * (1 - pm)) * (pm - x);
    }
}

int ns2d_outline_make(const ns2d_body *body, ns2d_outline *out)
{
    memset(out, 0, sizeof *out);
    out->body = *body;
    if (body->shape != NS2D_SHAPE_NACA)
        return FC_OK;
    /* Upper side from the trailing edge to the leading edge, then the lower side back. */
    const int n = 2 * NS2D_NACA_SIDE + 1;
    out->vx = malloc((size_t)n * sizeof *out->vx);
    out->vy = malloc((size_t)n * sizeof *out->vy);
    if (!out->vx || !out->vy) {
        ns2d_outline_free(out);
        return FC_ENOMEM;
    }
    const double chord = 2 * body->a, pi = acos(-1);
    for (int q = 0; q < n; q++) {
        const int upper = q <= NS2D_NACA_SIDE;
        const int s = upper ? NS2D_NACA_SIDE - q : q - NS2D_NACA_SIDE;
        const double x = (1 - cos(pi * s / NS2D_NACA_SIDE)) / 2; /* 0 at the leading edge */
        double yc, slope;
        naca_camber(body->camber, body->camber_pos, x, &yc, &slope);
        const double yt = naca_half_thickness(body->thickness, x), th = atan(slope);
        double px = upper ? x - yt * sin(th) : x + yt * sin(th);
        double py = upper ? yc + yt * cos(th) : yc - yt * cos(th);
        if (s == 0 || s == NS2D_NACA_SIDE) /* the two edges: one point for both sides */
            px = x, py = yc;
        /* Chord frame (mid-chord at the origin) to the grid. */
        const double lx = (px - 0.5) * chord, ly = py * chord;
        out->vx[q] = body->cx + body->cos_r * lx - body->sin_r * ly;
        out->vy[q] = body->cy + body->sin_r * lx + body->cos_r * ly;
    }
    out->nvert = n;
    return FC_OK;
}

void ns2d_outline_free(ns2d_outline *o)
{
    free(o->vx);
    free(o->vy);
    o->vx = o->vy = NULL;
    o->nvert = 0;
}

/* Distance to a closed polygon, negative inside (even-odd rule). */
static double polygon_distance(const ns2d_outline *o, double x, double y)
{
    double best = INFINITY;
    int inside = 0;
    for (int q = 0; q + 1 < o->nvert; q++) {
        const double ax = o->vx[q], ay = o->vy[q], bx = o->vx[q + 1], by = o->vy[q + 1];
        const double ex = bx - ax, ey = by - ay, wx = x - ax, wy = y - ay;
        const double len2 = ex * ex + ey * ey;
        double s = len2 > 0 ? (wx * ex + wy * ey) / len2 : 0;
        s = s < 0 ? 0 : s > 1 ? 1 : s;
        const double dx = wx - s * ex, dy = wy - s * ey, d2 = dx * dx + dy * dy;
        best = d2 < best ? d2 : best;
        if ((ay > y) != (by > y) && x < ax + (y - ay) * ex / ey)
            inside = !inside;
    }
    return inside ? -sqrt(best) : sqrt(best);
}

double ns2d_outline_distance(const ns2d_outline *o, double x, double y)
{
    const ns2d_body *b = &o->body;
    /* Into the body's frame. */
    const double gx = x - b->cx, gy = y - b->cy;
    const double lx = b->cos_r * gx + b->sin_r * gy, ly = -b->sin_r * gx + b->cos_r * gy;
    switch (b->shape) {
    case NS2D_SHAPE_CIRCLE:
        return hypot(lx, ly) - b->a;
    case NS2D_SHAPE_SQUARE:
    case NS2D_SHAPE_RECTANGLE: {
        const double qx = fabs(lx) - b->a, qy = fabs(ly) - b->b;
        return hypot(fmax(qx, 0), fmax(qy, 0)) + fmin(fmax(qx, qy), 0);
    }
    case NS2D_SHAPE_ELLIPSE: {
        /* k0 (k0 - 1) / k1: zero exactly on the ellipse, the distance to first order near it. */
        const double k0 = hypot(lx / b->a, ly / b->b);
        const double k1 = hypot(lx / (b->a * b->a), ly / (b->b * b->b));
        return k1 > 0 ? k0 * (k0 - 1) / k1 : -fmin(b->a, b->b);
    }
    case NS2D_SHAPE_NACA:
        return polygon_distance(o, x, y);
    default:
        return INFINITY;
    }
}

/* Pieces of length at most `spacing` along `len`, at least `least`; a body far larger than
 * the cells (its size is only bounded by the key's range) gets at most a million a side. */
static int pieces(double len, double spacing, int least)
{
    const double m = ceil(len / spacing);
    return !(m >= least) ? least : m > 1e6 ? 1000000 : (int)m;
}

int ns2d_outline_sample(const ns2d_outline *o, double spacing, ns2d_surface_point *pts, int max)
{
    const ns2d_body *b = &o->body;
    const double pi = acos(-1);
    int n = 0;
    /* From the body's frame to the grid: positions and normals. */
#define PUT(LX, LY, NX, NY, DS)                                                                  \
    do {                                                                                         \
        if (n < max) {                                                                           \
            const double lx_ = (LX), ly_ = (LY), nx_ = (NX), ny_ = (NY), nn_ = hypot(nx_, ny_);  \
            pts[n] = (ns2d_surface_point){b->cx + b->cos_r * lx_ - b->sin_r * ly_,               \
                                          b->cy + b->sin_r * lx_ + b->cos_r * ly_,               \
                                          (b->cos_r * nx_ - b->sin_r * ny_) / nn_,               \
                                          (b->sin_r * nx_ + b->cos_r * ny_) / nn_, (DS)};        \
        }                                                                                        \
        n++;                                                                                     \
    } while (0)
    switch (b->shape) {
    case NS2D_SHAPE_CIRCLE:
    case NS2D_SHAPE_ELLIPSE: {
        /* Equal steps in the parameter (an even count, so that the leading and trailing points
         * are samples); the trapezoid rule on a periodic integrand converges spectrally. */
        const double per = pi * (3 * (b->a + b->b) - sqrt((3 * b->a + b->b) * (b->a + 3 * b->b)));
        int m = pieces(per, spacing, 64);
        m += m & 1;
        for (int q = 0; q < m; q++) {
            const double th = 2 * pi * q / m, c = cos(th), s = sin(th);
            PUT(b->a * c, b->b * s, b->b * c, b->a * s, hypot(b->a * s, b->b * c) * 2 * pi / m);
        }
        break;
    }
    case NS2D_SHAPE_SQUARE:
    case NS2D_SHAPE_RECTANGLE: {
        /* Midpoints of equal pieces of each side, counter-clockwise from the south-east corner. */
        for (int side = 0; side < 4; side++) {
            const double len = side % 2 == 0 ? 2 * b->b : 2 * b->a;
            const int m = pieces(len, spacing, 16);
            for (int q = 0; q < m; q++) {
                const double s = -len / 2 + (q + 0.5) * len / m;
                if (side == 0)
                    PUT(b->a, s, 1, 0, len / m);
                else if (side == 1)
                    PUT(-s, b->b, 0, 1, len / m);
                else if (side == 2)
                    PUT(-b->a, -s, -1, 0, len / m);
                else
                    PUT(s, -b->b, 0, -1, len / m);
            }
        }
        break;
    }
    case NS2D_SHAPE_NACA:
        /* Each polygon edge cut into pieces of at most `spacing`. The vertices run counter-
         * clockwise (the upper side from the trailing edge forward, the lower one back), so
         * the outward normal of an edge (ex, ey) is (ey, -ex). */
        for (int q = 0; q + 1 < o->nvert; q++) {
            const double ax = o->vx[q], ay = o->vy[q], ex = o->vx[q + 1] - ax,
                         ey = o->vy[q + 1] - ay, len = hypot(ex, ey);
            if (len == 0)
                continue;
            const int m = pieces(len, spacing, 1);
            for (int r = 0; r < m; r++) {
                const double s = (r + 0.5) / m;
                if (n < max)
                    pts[n] = (ns2d_surface_point){ax + s * ex, ay + s * ey, ey / len, -ex / len,
                                                  len / m};
                n++;
            }
        }
        break;
    default:
        break;
    }
#undef PUT
    return n;
}

/* ---- solid cells ---- */

int ns2d_body_cells(const ns2d_body *body, const fc_grid *g, fc_real *solid, int *ninside,
                    fc_err *err)
{
    ns2d_outline o;
    if (ns2d_outline_make(body, &o))
        return fc_fail(err, FC_ENOMEM, "out of host memory for the body's outline");
    *ninside = 0;
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            const double x = fc_grid_x(g, i), y = fc_grid_y(g, j), hx = g->dx / 2, hy = g->dy / 2;
            *ninside += ns2d_outline_distance(&o, x, y) < 0;
            const int in = body->boundary == NS2D_BODY_STAIRCASE
                               ? ns2d_outline_distance(&o, x, y) < 0
                               : ns2d_outline_distance(&o, x - hx, y) < 0 &&
                           ns2d_outline_distance(&o, x + hx, y) < 0 &&
                           ns2d_outline_distance(&o, x, y - hy) < 0 &&
                           ns2d_outline_distance(&o, x, y + hy) < 0;
            solid[fc_idx(g->pitch, g->ng, i, j)] = (fc_real)in;
        }
    ns2d_outline_free(&o);
    return FC_OK;
}

/* ---- immersed-boundary table ---- */

static int list_push(ns2d_ib_list *l, int *cap, ptrdiff_t k, ptrdiff_t nb1, double w1,
                     ptrdiff_t nb2, double w2)
{
    if (l->n == *cap) {
        const size_t c = *cap ? 2 * (size_t)*cap : 256;
        int ok = 1;
        ptrdiff_t **idx[3] = {&l->k, &l->nb1, &l->nb2};
        double **wts[2] = {&l->w1, &l->w2};
        for (int a = 0; a < 3; a++) {
            ptrdiff_t *t = realloc(*idx[a], c * sizeof *t);
            ok &= t != NULL;
            if (t)
                *idx[a] = t;
        }
        for (int a = 0; a < 2; a++) {
            double *t = realloc(*wts[a], c * sizeof *t);
            ok &= t != NULL;
            if (t)
                *wts[a] = t;
        }
        if (!ok)
            return FC_ENOMEM;
        *cap = (int)c;
    }
    l->k[l->n] = k;
    l->nb1[l->n] = nb1;
    l->nb2[l->n] = nb2;
    l->w1[l->n] = w1;
    l->w2[l->n++] = w2;
    return FC_OK;
}

/* Position of the face of component comp at slot (i, j). */
static void face_position(const fc_grid *g, int comp, int i, int j, double *x, double *y)
{
    *x = g->x_min + (i + (comp == 0 ? 0 : 0.5)) * g->dx;
    *y = g->y_min + (j + (comp == 0 ? 0.5 : 0)) * g->dy;
}

/* Where phi changes sign between the points at parameters a and b of the segment from (x, y)
 * along (sx, sy), a on the side of phi's sign at a: 60 bisections, below round-off. */
static double sign_change(const ns2d_outline *o, double x, double y, double sx, double sy,
                          double a, double b)
{
    const int outside = ns2d_outline_distance(o, x + a * sx, y + a * sy) >= 0;
    for (int it = 0; it < 60; it++) {
        const double m = (a + b) / 2;
        if ((ns2d_outline_distance(o, x + m * sx, y + m * sy) >= 0) == outside)
            a = m;
        else
            b = m;
    }
    return (a + b) / 2;
}

/* Distance from (x, y), outside, to the surface along the step (sx, sy) whose end is inside. */
static double crossing(const ns2d_outline *o, double x, double y, double sx, double sy)
{
    return sign_change(o, x, y, sx, sy, 0, 1) * hypot(sx, sy);
}

/* Sorts a list's entries into levels (ns2d_body.h). A chain deeper than the levels allow (none
 * has been seen: each link steps away from the body) reads explicit values at the last one. */
static int list_levels(ns2d_ib_list *l, size_t nalloc)
{
    int *at = malloc(nalloc * sizeof *at), *level = calloc((size_t)(l->n > 0 ? l->n : 1), sizeof *level);
    ns2d_ib_list s = {0};
    int cap = 0, st = FC_OK;
    if (!at || !level) {
        free(at);
        free(level);
        return FC_ENOMEM;
    }
    for (size_t q = 0; q < nalloc; q++)
        at[q] = -1;
    for (int e = 0; e < l->n; e++)
        at[l->k[e]] = e;
    for (int pass = 0, changed = 1; changed && pass < NS2D_IB_MAX_LEVELS; pass++) {
        changed = 0;
        for (int e = 0; e < l->n; e++) {
            int lv = 0;
            const ptrdiff_t src[2] = {l->nb1[e], l->nb2[e]};
            const double w[2] = {l->w1[e], l->w2[e]};
            for (int r = 0; r < 2; r++)
                if (w[r] != 0 && at[src[r]] >= 0 && at[src[r]] != e)
                    lv = lv > level[at[src[r]]] + 1 ? lv : level[at[src[r]]] + 1;
            lv = lv < NS2D_IB_MAX_LEVELS - 1 ? lv : NS2D_IB_MAX_LEVELS - 1;
            if (lv != level[e])
                level[e] = lv, changed = 1;
        }
    }
    l->nlevels = 0;
    for (int lv = 0; lv < NS2D_IB_MAX_LEVELS && !st; lv++) {
        s.level_start[lv] = s.n;
        for (int e = 0; e < l->n && !st; e++)
            if (level[e] == lv)
                st = list_push(&s, &cap, l->k[e], l->nb1[e], l->w1[e], l->nb2[e], l->w2[e]);
        if (s.n > s.level_start[lv])
            l->nlevels = lv + 1;
    }
    free(at);
    free(level);
    if (st) {
        ns2d_ib_list *t = &s;
        free(t->k), free(t->nb1), free(t->nb2), free(t->w1), free(t->w2);
        return st;
    }
    for (int lv = l->nlevels; lv <= NS2D_IB_MAX_LEVELS; lv++)
        s.level_start[lv] = s.n;
    s.nlevels = l->nlevels;
    free(l->k), free(l->nb1), free(l->nb2), free(l->w1), free(l->w2);
    *l = s;
    return FC_OK;
}

/* Fraction of the segment from (x0, y0) to (x1, y1) outside the body: the sign changes of phi
 * on 8 pieces, each crossing found by bisection (a segment a cell long may cut a curved surface
 * twice). */
static double aperture(const ns2d_outline *o, double x0, double y0, double x1, double y1)
{
    enum { PIECES = 8 };
    double open = 0, prev = ns2d_outline_distance(o, x0, y0);
    for (int q = 0; q < PIECES; q++) {
        const double a = (double)q / PIECES, b = (double)(q + 1) / PIECES;
        const double next = ns2d_outline_distance(o, x0 + b * (x1 - x0), y0 + b * (y1 - y0));
        if ((prev >= 0) == (next >= 0)) {
            if (prev >= 0)
                open += b - a;
        } else {
            const double cut = sign_change(o, x0, y0, x1 - x0, y1 - y0, a, b);
            open += prev >= 0 ? cut - a : b - cut;
        }
        prev = next;
    }
    return open;
}

/* The open fraction of every face: 1 away from the body, 0 inside. */
static int face_apertures(const ns2d_outline *o, const fc_grid *g, ns2d_ib *ib)
{
    const double reach = 2 * fmax(g->dx, g->dy);
    for (int comp = 0; comp < 2; comp++) {
        if (!(ib->open[comp] = malloc(g->nalloc * sizeof *ib->open[comp])))
            return FC_ENOMEM;
        for (size_t k = 0; k < g->nalloc; k++)
            ib->open[comp][k] = 1;
        for (int j = 0; j <= g->ny; j++)
            for (int i = 0; i <= g->nx; i++) {
                double x, y;
                face_position(g, comp, i, j, &x, &y);
                const double phi = ns2d_outline_distance(o, x, y);
                double open = phi >= 0 ? 1 : 0;
                if (fabs(phi) < reach) {
                    const double hx = comp == 0 ? 0 : g->dx / 2, hy = comp == 0 ? g->dy / 2 : 0;
                    open = aperture(o, x - hx, y - hy, x + hx, y + hy);
                }
                ib->open[comp][fc_idx(g->pitch, g->ng, i, j)] = (fc_real)open;
            }
    }
    return FC_OK;
}

/* One pass of ns2d_ib_build: the lists and the held bits from the kinds. */
static int build_lists(const ns2d_params *p, const ns2d_outline *body, const signed char *kind,
                       ns2d_ib *ib)
{
    const ns2d_outline o = *body;
    const fc_grid *g = &p->grid;
    const double h[2] = {g->dx, g->dy};
    int st = FC_OK;
    for (int comp = 0; comp < 2 && !st; comp++) {
        ns2d_ib_list *l = &ib->face[comp];
        int cap = 0;
        for (int j = 0; j <= g->ny && !st; j++)
            for (int i = 0; i <= g->nx && !st; i++) {
                const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
                if (!ns2d_updated_at(kind, g, comp, i, j, k))
                    continue;
                double x, y;
                face_position(g, comp, i, j, &x, &y);
                const double phi = ns2d_outline_distance(&o, x, y);
                if (phi >= 1.5 * fmax(h[0], h[1]))
                    continue; /* no neighbour can be inside */
                if (phi < 0) {
                    st = list_push(l, &cap, k, k, 0, k, 0);
                    continue;
                }
                /* The surface's normal here, for the grid line most nearly along it. */
                const double e = 1e-3 * fmin(h[0], h[1]);
                const double nx = ns2d_outline_distance(&o, x + e, y) -
                                  ns2d_outline_distance(&o, x - e, y),
                             ny = ns2d_outline_distance(&o, x, y + e) -
                                  ns2d_outline_distance(&o, x, y - e);
                double best_n = -1, w1 = 0, w2 = 0;
                int body_near = 0;
                ptrdiff_t nb1 = k, nb2 = k;
                for (int axis = 0; axis < 2; axis++)
                    for (int dir = -1; dir <= 1; dir += 2) {
                        const double sx = axis == 0 ? dir * h[0] : 0, sy = axis == 1 ? dir * h[1] : 0;
                        const int di = axis == 0 ? -dir : 0, dj = axis == 1 ? -dir : 0;
                        if (ns2d_outline_distance(&o, x + sx, y + sy) >= 0)
                            continue; /* no body that way */
                        body_near = 1;
                        /* The outer neighbours, the other way, must be faces a step keeps. */
                        ptrdiff_t k1, k2;
                        if (!ns2d_active_slot(kind, p, comp, i, j, di, dj, &k1) ||
                            ns2d_outline_distance(&o, x - sx, y - sy) < 0)
                            continue;
                        const double along = fabs(axis == 0 ? nx : ny);
                        if (along <= best_n)
                            continue;
                        /* Distances from the surface along the line, outward: the face's s, the
                         * outer faces' s1 and s2. */
                        const double s = crossing(&o, x, y, sx, sy), hh = h[axis];
                        const double s1 = s + hh, s2 = s + 2 * hh;
                        best_n = along;
                        nb1 = k1;
                        if (ns2d_active_slot(kind, p, comp, i, j, 2 * di, 2 * dj, &k2) &&
                            ns2d_outline_distance(&o, x - 2 * sx, y - 2 * sy) >= 0) {
                            /* the quadratic through 0 at the surface, u1 at s1, u2 at s2 */
                            w1 = s * (s - s2) / (s1 * (s1 - s2));
                            w2 = s * (s - s1) / (s2 * (s2 - s1));
                            nb2 = k2;
                        } else {
                            w1 = s / s1;
                            w2 = 0;
                            nb2 = k;
                        }
                    }
                if (best_n >= 0)
                    st = list_push(l, &cap, k, nb1, w1, nb2, w2);
                else if (body_near) {
                    /* Next to the body but with no grid line outward to interpolate along (a
                     * gap a cell wide): held at the body's velocity. */
                    st = list_push(l, &cap, k, k, 0, k, 0);
                }
            }
        if (!st)
            st = list_levels(l, g->nalloc);
    }
    if (!st && !(ib->held = calloc(g->nalloc, 1)))
        st = FC_ENOMEM;
    for (int comp = 0; comp < 2 && !st; comp++)
        for (int e = 0; e < ib->face[comp].n; e++) {
            const ptrdiff_t k = ib->face[comp].k[e];
            ib->held[k] |= (unsigned char)(1 << comp);
            /* The copy of a first face across a periodic side. */
            const int i = (int)(k % g->pitch) - g->ng, j = (int)(k / g->pitch) - g->ng;
            if (comp == 0 && i == 0 && g->bc[FC_WEST] == FC_BC_PERIODIC)
                ib->held[fc_idx(g->pitch, g->ng, g->nx, j)] |= 1;
            if (comp == 1 && j == 0 && g->bc[FC_SOUTH] == FC_BC_PERIODIC)
                ib->held[fc_idx(g->pitch, g->ng, i, g->ny)] |= 2;
        }
    return st;
}

int ns2d_ib_build(const ns2d_params *p, const signed char *kind, ns2d_ib *ib, fc_err *err)
{
    memset(ib, 0, sizeof *ib);
    if (p->body.shape == NS2D_SHAPE_NONE || p->body.boundary == NS2D_BODY_STAIRCASE)
        return FC_OK;
    ns2d_outline o;
    if (ns2d_outline_make(&p->body, &o))
        return fc_fail(err, FC_ENOMEM, "out of host memory for the body's outline");
    int st = face_apertures(&o, &p->grid, ib);
    if (!st)
        st = build_lists(p, &o, kind, ib);
    ns2d_outline_free(&o);
    if (st) {
        ns2d_ib_free(ib);
        return fc_fail(err, FC_ENOMEM, "out of host memory for the immersed-boundary table");
    }
    return FC_OK;
}

void ns2d_ib_free(ns2d_ib *ib)
{
    for (int c = 0; c < 2; c++) {
        free(ib->face[c].k);
        free(ib->face[c].nb1);
        free(ib->face[c].nb2);
        free(ib->face[c].w1);
        free(ib->face[c].w2);
    }
    free(ib->held);
    free(ib->open[0]);
    free(ib->open[1]);
    memset(ib, 0, sizeof *ib);
}

/* ---- forces ---- */

/* Bilinear interpolation of a field stored at (x_min + (i + ox) dx, y_min + (j + oy) dy). */
static double interp(const fc_grid *g, const fc_real *f, double ox, double oy, double x, double y)
{
    double fi = (x - g->x_min) / g->dx - ox, fj = (y - g->y_min) / g->dy - oy;
    int i = (int)floor(fi), j = (int)floor(fj);
    i = i < -1 ? -1 : i > g->nx ? g->nx : i;
    j = j < -1 ? -1 : j > g->ny ? g->ny : j;
    const double s = fi - i, t = fj - j;
    const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
    return (1 - t) * ((1 - s) * f[k] + s * f[k + 1]) +
           t * ((1 - s) * f[k + g->pitch] + s * f[k + g->pitch + 1]);
}

int ns2d_body_force_of(const ns2d_params *p, const fc_real *u, const fc_real *v,
                       const fc_real *pr, ns2d_body_force *f, fc_err *err)
{
    const fc_grid *g = &p->grid;
    const double h = fmax(g->dx, g->dy), s1 = 1.5 * h, s2 = 2.5 * h, s3 = 3.5 * h;
    ns2d_outline o;
    if (ns2d_outline_make(&p->body, &o))
        return fc_fail(err, FC_ENOMEM, "out of host memory for the body's outline");
    const double spacing = fmin(g->dx, g->dy) / 4;
    const int n = ns2d_outline_sample(&o, spacing, NULL, 0);
    ns2d_surface_point *pts = malloc((size_t)(n > 0 ? n : 1) * sizeof *pts);
    if (!pts) {
        ns2d_outline_free(&o);
        return fc_fail(err, FC_ENOMEM, "out of host memory for the body's surface");
    }
    ns2d_outline_sample(&o, spacing, pts, n);
    double fx = 0, fy = 0, xmin = INFINITY, xmax = -INFINITY;
    f->p_front = f->p_back = NAN;
    for (int q = 0; q < n; q++) {
        const ns2d_surface_point *s = &pts[q];
        const double tx = -s->ny, ty = s->nx;
        double pp[3], ut[3];
        const double sr[3] = {s1, s2, s3};
        for (int r = 0; r < 3; r++) {
            const double x = s->x + sr[r] * s->nx, y = s->y + sr[r] * s->ny;
            pp[r] = interp(g, pr, 0.5, 0.5, x, y);
            ut[r] = interp(g, u, 0, 0.5, x, y) * tx + interp(g, v, 0.5, 0, x, y) * ty;
        }
        /* Lagrange weights at 0 of the quadratic through the probes (equally spaced: 3, -3,
         * 1), and the slope at 0 of the cubic through (0, 0) and them. */
        double pw = 0, dudn = 0;
        for (int r = 0; r < 3; r++) {
            const double a = sr[(r + 1) % 3], b = sr[(r + 2) % 3], c = sr[r];
            pw += pp[r] * a * b / ((c - a) * (c - b));
            dudn += ut[r] * a * b / (c * (c - a) * (c - b));
        }
        fx += (-pw * s->nx + p->nu * dudn * tx) * s->ds;
        fy += (-pw * s->ny + p->nu * dudn * ty) * s->ds;
        if (s->x < xmin)
            xmin = s->x, f->p_front = pw;
        if (s->x > xmax)
            xmax = s->x, f->p_back = pw;
    }
    free(pts);
    ns2d_outline_free(&o);
    f->fx = fx;
    f->fy = fy;
    return FC_OK;
}

/* ---- control-volume balance ---- */

int ns2d_body_force_balance(const ns2d_params *p, const fc_real *u, const fc_real *v,
                            const fc_real *pr, double *fx, double *fy)
{
    const fc_grid *g = &p->grid;
    const ns2d_body *b = &p->body;
    const double nu = p->nu, dx = g->dx, dy = g->dy, pi = acos(-1);
    *fx = *fy = NAN;
    /* The bounding circle: the rectangle's half-diagonal, the aerofoil's half-chord. */
    const double r = b->shape == NS2D_SHAPE_SQUARE || b->shape == NS2D_SHAPE_RECTANGLE
                         ? hypot(b->a, b->b)
                         : fmax(b->a, b->b);
    const double fi0 = floor((b->cx - r - g->x_min) / dx) - 4,
                 fi1 = ceil((b->cx + r - g->x_min) / dx) + 4,
                 fj0 = floor((b->cy - r - g->y_min) / dy) - 4,
                 fj1 = ceil((b->cy + r - g->y_min) / dy) + 4;
    if (!(fi0 >= 2 && fj0 >= 2 && fi1 <= g->nx - 2 && fj1 <= g->ny - 2))
        return 0;
    const int i0 = (int)fi0, i1 = (int)fi1, j0 = (int)fj0, j1 = (int)fj1;
    const ptrdiff_t P = g->pitch;
#define AT(f, i, j) (f)[fc_idx(P, g->ng, (i), (j))]
    double sx = 0, sy = 0;
    for (int side = 0; side < 2; side++) { /* west and east edges, normal -x and +x */
        const int i = side ? i1 : i0;
        const double sgn = side ? 1 : -1;
        for (int j = j0; j < j1; j++) {
            const double uu = AT(u, i, j);
            const double vv = (AT(v, i - 1, j) + AT(v, i, j) + AT(v, i - 1, j + 1) + AT(v, i, j + 1)) / 4;
            const double pp = (AT(pr, i - 1, j) + AT(pr, i, j)) / 2;
            const double dudx = (AT(u, i + 1, j) - AT(u, i - 1, j)) / (2 * dx);
            const double dudy = (AT(u, i, j + 1) - AT(u, i, j - 1)) / (2 * dy);
            const double dvdx =
                ((AT(v, i, j) + AT(v, i, j + 1)) - (AT(v, i - 1, j) + AT(v, i - 1, j + 1))) / (2 * dx);
            sx -= sgn * (uu * uu + pp - 2 * nu * dudx) * dy;
            sy -= sgn * (vv * uu - nu * (dvdx + dudy)) * dy;
        }
    }
    for (int side = 0; side < 2; side++) { /* south and north edges */
        const int j = side ? j1 : j0;
        const double sgn = side ? 1 : -1;
        for (int i = i0; i < i1; i++) {
            const double vv = AT(v, i, j);
            const double uu = (AT(u, i, j - 1) + AT(u, i + 1, j - 1) + AT(u, i, j) + AT(u, i + 1, j)) / 4;
            const double pp = (AT(pr, i, j - 1) + AT(pr, i, j)) / 2;
            const double dvdy = (AT(v, i, j + 1) - AT(v, i, j - 1)) / (2 * dy);
            const double dvdx = (AT(v, i + 1, j) - AT(v, i - 1, j)) / (2 * dx);
            const double dudy =
                ((AT(u, i, j) + AT(u, i + 1, j)) - (AT(u, i, j - 1) + AT(u, i + 1, j - 1))) / (2 * dy);
            sx -= sgn * (uu * vv - nu * (dudy + dvdx)) * dx;
            sy -= sgn * (vv * vv + pp - 2 * nu * dvdy) * dx;
        }
    }
#undef AT
    /* The body force pushes the fluid in the box; what the body holds back of it counts. */
    double area = 4 * b->a * b->b; /* square, rectangle */
    if (b->shape == NS2D_SHAPE_CIRCLE || b->shape == NS2D_SHAPE_ELLIPSE)
        area = pi * b->a * b->b;
    else if (b->shape == NS2D_SHAPE_NACA)
        area = 0.685 * b->thickness * 4 * b->a * b->a; /* 4-digit sections: 0.685 t c^2 */
    const double fluid = (i1 - i0) * dx * (j1 - j0) * dy - area;
    *fx = sx + p->force_x * fluid;
    *fy = sy + p->force_y * fluid;
    return 1;
}
