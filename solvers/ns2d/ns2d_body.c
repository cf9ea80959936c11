/*
 * ns2d_body.c: the body's shapes, its solid core, the immersed-boundary table and the surface
 * forces (method in ns2d_body.h). Host side, shared by both backends.
 */
#include <fc_build.h>

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/core/machine_load.h"
#include "src/core/ncread.h"

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

/* Room for n more segments in o (cap: allocated segments). */
static int seg_reserve(ns2d_outline *o, int *cap, int more)
{
    if (o->nseg + more <= *cap)
        return FC_OK;
    const size_t c = (size_t)(o->nseg + more) * 2 + 64;
    if (c > (size_t)INT32_MAX / 4)
        return FC_ENOMEM;
    double *t = realloc(o->seg, 4 * c * sizeof *t);
    if (!t)
        return FC_ENOMEM;
    o->seg = t;
    *cap = (int)c;
    return FC_OK;
}

static void seg_put(ns2d_outline *o, double ax, double ay, double bx, double by)
{
    double *q = &o->seg[4 * (size_t)o->nseg++];
    q[0] = ax, q[1] = ay, q[2] = bx, q[3] = by;
}

/* The aerofoil's closed polygon, counter-clockwise: the upper side from the trailing edge to
 * the leading edge, then the lower side back. */
static int naca_outline(ns2d_outline *out)
{
    const ns2d_body *body = &out->body;
    const int n = 2 * NS2D_NACA_SIDE + 1;
    double vx[2 * NS2D_NACA_SIDE + 1], vy[2 * NS2D_NACA_SIDE + 1];
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
        vx[q] = body->cx + body->cos_r * lx - body->sin_r * ly;
        vy[q] = body->cy + body->sin_r * lx + body->cos_r * ly;
    }
    int cap = 0;
    if (seg_reserve(out, &cap, n - 1))
        return FC_ENOMEM;
    for (int q = 0; q + 1 < n; q++)
        seg_put(out, vx[q], vy[q], vx[q + 1], vy[q + 1]);
    return FC_OK;
}

/* The last node of the increasing c[0..n-1] at or below v, at most n - 2. */
static int node_below(const double *c, int n, double v)
{
    int i = 0;
    for (int lo = 0, hi = n - 2; lo <= hi;) {
        const int m = (lo + hi) / 2;
        if (c[m] <= v)
            i = m, lo = m + 1;
        else
            hi = m - 1;
    }
    return i;
}

/* Bilinear value of a file's field at (x, y); beyond its grid, the value at the nearest point
 * of its edge plus the distance to it (phi is positive along the edge: the body is inside). */
static double field_value(const ns2d_field *f, double x, double y)
{
    const double cx = fmin(fmax(x, f->x[0]), f->x[f->nx - 1]);
    const double cy = fmin(fmax(y, f->y[0]), f->y[f->ny - 1]);
    /* The cell holding (cx, cy). */
    const int i = node_below(f->x, f->nx, cx), j = node_below(f->y, f->ny, cy);
    const double s = (cx - f->x[i]) / (f->x[i + 1] - f->x[i]);
    const double t = (cy - f->y[j]) / (f->y[j + 1] - f->y[j]);
    const double *r0 = f->phi + (size_t)j * f->nx + i, *r1 = r0 + f->nx;
    const double v = (1 - t) * ((1 - s) * r0[0] + s * r0[1]) + t * ((1 - s) * r1[0] + s * r1[1]);
    return v + hypot(x - cx, y - cy);
}

/*
 * The zero contour of a field by marching squares, each segment oriented with the body (phi <
 * 0) on its left. A cell whose corners alternate in sign (a saddle) joins the two corners that
 * share the sign of its centre (the mean of the four).
 */
static int field_outline(ns2d_outline *out)
{
    const ns2d_field *f = out->body.field;
    int cap = 0;
    for (int j = 0; j + 1 < f->ny; j++)
        for (int i = 0; i + 1 < f->nx; i++) {
            const double *r0 = f->phi + (size_t)j * f->nx + i, *r1 = r0 + f->nx;
            /* corners counter-clockwise from the south-west: c[0] (i, j) .. c[3] (i, j+1) */
            const double c[4] = {r0[0], r0[1], r1[1], r1[0]};
            const double cxs[4] = {f->x[i], f->x[i + 1], f->x[i + 1], f->x[i]};
            const double cys[4] = {f->y[j], f->y[j], f->y[j + 1], f->y[j + 1]};
            int in[4], nin = 0;
            for (int q = 0; q < 4; q++)
                nin += in[q] = c[q] < 0;
            if (nin == 0 || nin == 4)
                continue;
            /* The crossing on edge q (from corner q to corner q + 1). */
            double ex[4] = {0}, ey[4] = {0};
            for (int q = 0; q < 4; q++) {
                const int r = (q + 1) % 4;
                if (in[q] != in[r]) {
                    const double t = c[q] / (c[q] - c[r]);
                    ex[q] = cxs[q] + t * (cxs[r] - cxs[q]);
                    ey[q] = cys[q] + t * (cys[r] - cys[q]);
                }
            }
            if (seg_reserve(out, &cap, 2))
                return FC_ENOMEM;
            /* Round the cell counter-clockwise, an edge leaves the body (in at its start, out at
             * its end) or enters it. A segment with the body on its left runs from a leaving
             * edge's crossing to an entering edge's: the next one on (its only one outside a
             * saddle, and in a saddle whose centre is inside, which cuts off the outside
             * corners); in a saddle whose centre is outside, the one before (each inside corner
             * cut off on its own). */
            const int cut_inside = nin == 2 && in[0] == in[2] &&
                                   !((c[0] + c[1] + c[2] + c[3]) / 4 < 0);
            for (int q = 0; q < 4; q++) {
                if (!(in[q] && !in[(q + 1) % 4]))
                    continue;
                int e = q;
                do
                    e = (e + (cut_inside ? 3 : 1)) % 4;
                while (!(!in[e] && in[(e + 1) % 4]));
                if (ex[q] != ex[e] || ey[q] != ey[e])
                    seg_put(out, ex[q], ey[q], ex[e], ey[e]);
            }
        }
    return FC_OK;
}

int ns2d_outline_make(const ns2d_body *body, ns2d_outline *out)
{
    memset(out, 0, sizeof *out);
    out->body = *body;
    int st = FC_OK;
    if (body->shape == NS2D_SHAPE_NACA)
        st = naca_outline(out);
    else if (body->shape == NS2D_SHAPE_FILE)
        st = field_outline(out);
    if (st)
        ns2d_outline_free(out);
    return st;
}

void ns2d_outline_free(ns2d_outline *o)
{
    free(o->seg);
    o->seg = NULL;
    o->nseg = 0;
}

/* Distance to the segments, negative inside (even-odd rule): the aerofoil. */
static double segments_distance(const ns2d_outline *o, double x, double y)
{
    double best = INFINITY;
    int inside = 0;
    for (int q = 0; q < o->nseg; q++) {
        const double *sg = &o->seg[4 * (size_t)q];
        const double ax = sg[0], ay = sg[1], bx = sg[2], by = sg[3];
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
        return segments_distance(o, x, y);
    case NS2D_SHAPE_FILE:
        return field_value(b->field, x, y);
    default:
        return INFINITY;
    }
}

double ns2d_outline_area(const ns2d_outline *o)
{
    const ns2d_body *b = &o->body;
    switch (b->shape) {
    case NS2D_SHAPE_CIRCLE:
    case NS2D_SHAPE_ELLIPSE:
        return acos(-1) * b->a * b->b;
    case NS2D_SHAPE_SQUARE:
    case NS2D_SHAPE_RECTANGLE:
        return 4 * b->a * b->b;
    default: { /* the shoelace formula over closed counter-clockwise loops */
        double area = 0;
        for (int q = 0; q < o->nseg; q++) {
            const double *sg = &o->seg[4 * (size_t)q];
            area += (sg[0] * sg[3] - sg[2] * sg[1]) / 2;
        }
        return area;
    }
    }
}

void ns2d_outline_box(const ns2d_outline *o, double *x0, double *x1, double *y0, double *y1)
{
    const ns2d_body *b = &o->body;
    if (o->nseg > 0) {
        *x0 = *y0 = INFINITY;
        *x1 = *y1 = -INFINITY;
        for (int q = 0; q < 2 * o->nseg; q++) {
            *x0 = fmin(*x0, o->seg[2 * (size_t)q]);
            *x1 = fmax(*x1, o->seg[2 * (size_t)q]);
            *y0 = fmin(*y0, o->seg[2 * (size_t)q + 1]);
            *y1 = fmax(*y1, o->seg[2 * (size_t)q + 1]);
        }
        return;
    }
    /* The bounding circle: the rectangle's half-diagonal, the ellipse's larger half-axis. */
    const double r = b->shape == NS2D_SHAPE_SQUARE || b->shape == NS2D_SHAPE_RECTANGLE
                         ? hypot(b->a, b->b)
                         : fmax(b->a, b->b);
    *x0 = b->cx - r, *x1 = b->cx + r, *y0 = b->cy - r, *y1 = b->cy + r;
}

int ns2d_shapes_make(const ns2d_params *p, ns2d_shapes *s)
{
    memset(s, 0, sizeof *s);
    /* Far above the round-off of phi at a point of the grid, far below any length the method
     * resolves. */
    s->snap = 1e-9 * fmin(p->grid.dx, p->grid.dy);
    for (int b = 0; b < p->nbodies; b++) {
        if (ns2d_outline_make(&p->body[b], &s->o[b])) {
            ns2d_shapes_free(s);
            return FC_ENOMEM;
        }
        s->n = b + 1;
    }
    return FC_OK;
}

void ns2d_shapes_free(ns2d_shapes *s)
{
    for (int b = 0; b < s->n; b++)
        ns2d_outline_free(&s->o[b]);
    s->n = 0;
}

double ns2d_shapes_distance(const ns2d_shapes *s, double x, double y)
{
    double phi = INFINITY;
    for (int b = 0; b < s->n; b++)
        phi = fmin(phi, ns2d_outline_distance(&s->o[b], x, y));
    return fabs(phi) < s->snap ? 0 : phi;
}

/* Each body's box (ns2d_outline_box) as x0, x1, y0, y1. */
static void shapes_boxes(const ns2d_shapes *o, double box[][4])
{
    for (int b = 0; b < o->n; b++)
        ns2d_outline_box(&o->o[b], &box[b][0], &box[b][1], &box[b][2], &box[b][3]);
}

/* Whether body b may be within `reach` of (x, y): its box, widened by reach, holds the point;
 * a file's shape always may (its field, not its outline, says where it is inside). */
static int box_near(const ns2d_shapes *o, const double box[][4], int b, double reach, double x,
                    double y)
{
    return o->o[b].body.shape == NS2D_SHAPE_FILE ||
           (x >= box[b][0] - reach && x <= box[b][1] + reach && y >= box[b][2] - reach &&
            y <= box[b][3] + reach);
}

/* ns2d_shapes_distance where it is below `reach`, else a value of at least `reach`: a body
 * whose box leaves the point farther out than that is not asked. An aerofoil's distance goes
 * over every piece of its outline, and asking it everywhere made the NACA 0012 case's open
 * fractions (taken again for each record's diagnostics) 60 % of its time and its solid cells
 * most of its start. */
static double distance_within(const ns2d_shapes *o, const double box[][4], double reach, double x,
                              double y)
{
    double phi = INFINITY;
    for (int b = 0; b < o->n; b++)
        if (box_near(o, box, b, reach, x, y))
            phi = fmin(phi, ns2d_outline_distance(&o->o[b], x, y));
    return fabs(phi) < o->snap ? 0 : phi;
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
        /* Equal steps in the parameter, a multiple of 4 of them, so that the leading, trailing,
         * top and bottom points are samples and a body turned a quarter or mirrored is sampled
         * at the turned or mirrored points (126 samples of the 2D-1 cylinder gave a drag 1e-3
         * apart from the lift of the same flow turned to run along y). */
        const double per = pi * (3 * (b->a + b->b) - sqrt((3 * b->a + b->b) * (b->a + 3 * b->b)));
        int m = pieces(per, spacing, 64);
        m += (4 - m % 4) % 4;
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
    case NS2D_SHAPE_FILE:
        /* Each segment cut into pieces of at most `spacing`; the body lies on a segment's left,
         * so the outward normal of (ex, ey) is (ey, -ex). */
        for (int q = 0; q < o->nseg; q++) {
            const double *sg = &o->seg[4 * (size_t)q];
            const double ax = sg[0], ay = sg[1], ex = sg[2] - ax, ey = sg[3] - ay,
                         len = hypot(ex, ey);
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

/* ---- shapes from a file ---- */

/* The largest field read: 2^15 nodes a side, 2^24 in all (a 4096^2 field: 128 MiB of doubles). */
#define FIELD_MAX_SIDE (1 << 15)
#define FIELD_MAX_NODES (1 << 24)

size_t ns2d_field_size(const ns2d_field *f)
{
    return sizeof *f + ((size_t)f->nx + (size_t)f->ny + (size_t)f->nx * f->ny) * sizeof(double);
}

ns2d_field *ns2d_field_place(void *dst, const ns2d_field *f)
{
    ns2d_field *t = dst;
    double *x = (double *)(t + 1), *y = x + f->nx, *phi = y + f->ny;
    memcpy(x, f->x, (size_t)f->nx * sizeof *x);
    memcpy(y, f->y, (size_t)f->ny * sizeof *y);
    memcpy(phi, f->phi, (size_t)f->nx * f->ny * sizeof *phi);
    *t = (ns2d_field){f->nx, f->ny, x, y, phi};
    return t;
}

/* Distance from (x, y) to segment q of o. */
static double segment_distance(const ns2d_outline *o, int q, double x, double y)
{
    const double *sg = &o->seg[4 * (size_t)q];
    const double ex = sg[2] - sg[0], ey = sg[3] - sg[1], wx = x - sg[0], wy = y - sg[1];
    const double len2 = ex * ex + ey * ey;
    double s = len2 > 0 ? (wx * ex + wy * ey) / len2 : 0;
    s = s < 0 ? 0 : s > 1 ? 1 : s;
    return hypot(wx - s * ex, wy - s * ey);
}

/*
 * A solid fraction's field (phi = 1/2 - mask at the nodes, negative inside) into the signed
 * distance to its zero contour, in place: the nodes around each contour segment get their
 * exact distance to it, then forward and backward sweeps hand each node its neighbours' nearest
 * segments (a vector distance transform, Danielsson 1980: exact but for rare configurations
 * where it is a fraction of a node spacing long).
 */
static int mask_to_distance(ns2d_field *f, double *phi)
{
    ns2d_body body = {.shape = NS2D_SHAPE_FILE, .field = f};
    ns2d_outline o;
    if (ns2d_outline_make(&body, &o))
        return FC_ENOMEM;
    const size_t n = (size_t)f->nx * f->ny;
    int *near = malloc(n * sizeof *near);
    double *d = malloc(n * sizeof *d);
    if (!near || !d) {
        free(near), free(d), ns2d_outline_free(&o);
        return FC_ENOMEM;
    }
    for (size_t k = 0; k < n; k++)
        near[k] = -1, d[k] = INFINITY;
#define TRY(I, J, Q)                                                                             \
    do {                                                                                         \
        const size_t k_ = (size_t)(J) * f->nx + (size_t)(I);                                     \
        const double dd_ = segment_distance(&o, (Q), f->x[I], f->y[J]);                          \
        if (dd_ < d[k_])                                                                         \
            d[k_] = dd_, near[k_] = (Q);                                                         \
    } while (0)
    for (int q = 0; q < o.nseg; q++) {
        const double *sg = &o.seg[4 * (size_t)q];
        const int i = node_below(f->x, f->nx, (sg[0] + sg[2]) / 2);
        const int j = node_below(f->y, f->ny, (sg[1] + sg[3]) / 2);
        for (int jj = j - 1; jj <= j + 2; jj++)
            for (int ii = i - 1; ii <= i + 2; ii++)
                if (ii >= 0 && ii < f->nx && jj >= 0 && jj < f->ny)
                    TRY(ii, jj, q);
    }
    static const int fwd[4][2] = {{-1, 0}, {-1, -1}, {0, -1}, {1, -1}};
    for (int changed = 1, pass = 0; changed && pass < 8; pass++) {
        changed = 0;
        const int sgn = pass % 2 ? -1 : 1; /* forward, then backward */
        for (int jn = 0; jn < f->ny; jn++)
            for (int in = 0; in < f->nx; in++) {
                const int i = sgn > 0 ? in : f->nx - 1 - in, j = sgn > 0 ? jn : f->ny - 1 - jn;
                const size_t k = (size_t)j * f->nx + i;
                for (int e = 0; e < 4; e++) {
                    const int a = i + sgn * fwd[e][0], b = j + sgn * fwd[e][1];
                    if (a < 0 || a >= f->nx || b < 0 || b >= f->ny)
                        continue;
                    const int q = near[(size_t)b * f->nx + a];
                    if (q < 0 || q == near[k])
                        continue;
                    const double before = d[k];
                    TRY(i, j, q);
                    changed |= d[k] < before;
                }
            }
    }
#undef TRY
    for (size_t k = 0; k < n; k++)
        phi[k] = phi[k] < 0 ? -d[k] : d[k];
    free(near), free(d), ns2d_outline_free(&o);
    return FC_OK;
}

/* Reads coordinate variable name of length n into c: metres, since the field's distances are
 * metres too, strictly increasing (ns2d_field). */
static int read_axis(int ncid, const char *path, const char *name, size_t n, double *c,
                     fc_err *err)
{
    int dir;
    double scale;
    int st = fc_nc_read_axis(ncid, path, name, n, c, &dir, &scale, err);
    if (!st && scale != 1)
        st = fc_fail(err, FC_EINPUT, "%s: coordinate '%s' is in km; a body's field is read in "
                     "metres (m), its distances too", path, name);
    if (!st && dir < 0)
        st = fc_fail(err, FC_EINPUT, "%s: coordinate '%s' must increase: %s[0] = %g, %s[1] = %g",
                     path, name, name, c[0], name, c[1]);
    return st;
}

int ns2d_body_field_read(const char *path, const char *name, int mask, ns2d_field **field,
                         fc_err *err)
{
    *field = NULL;
    int ncid;
    int st = fc_nc_open(path, "obstacle file", &ncid, err);
    if (st)
        return st;
    fc_nc_var v;
    ns2d_field *f = NULL;
    if ((st = fc_nc_find_var(ncid, path, name, 2, 3, &v, err)))
        goto done;
    if (v.ndims == 3 && v.len[0] != 1) {
        st = fc_fail(err, FC_EINPUT, "%s: variable '%s' has %zu planes; one (y, x) plane "
                     "expected", path, name, v.len[0]);
        goto done;
    }
    const size_t ny = v.len[v.ndims - 2], nx = v.len[v.ndims - 1];
    if (nx < 2 || ny < 2 || nx > FIELD_MAX_SIDE || ny > FIELD_MAX_SIDE ||
        nx * ny > FIELD_MAX_NODES) {
        st = fc_fail(err, FC_EINPUT, "%s: variable '%s' is %zu x %zu (x by y); from 2 to %d "
                     "nodes a side and at most %d in all are read", path, name, nx, ny,
                     FIELD_MAX_SIDE, FIELD_MAX_NODES);
        goto done;
    }
    const ns2d_field shape = {(int)nx, (int)ny, NULL, NULL, NULL};
    if (!(f = malloc(ns2d_field_size(&shape)))) {
        st = fc_fail(err, FC_ENOMEM, "%s: out of memory for '%s' (%zu x %zu)", path, name, nx,
                     ny);
        goto done;
    }
    double *x = (double *)(f + 1), *y = x + nx, *phi = y + ny;
    *f = (ns2d_field){(int)nx, (int)ny, x, y, phi};
    if ((st = read_axis(ncid, path, "x", nx, x, err)) ||
        (st = read_axis(ncid, path, "y", ny, y, err)) ||
        (st = fc_nc_get_plane_double(ncid, &v, 0, ny, nx, phi, err)))
        goto done;
    size_t inside = 0;
    for (size_t k = 0; k < nx * ny; k++) {
        if (mask && !(phi[k] >= 0 && phi[k] <= 1)) {
            st = fc_fail(err, FC_EINPUT, "%s: '%s' is a mask (solid fraction): its values must "
                         "lie in [0, 1]; it holds %g at x = %g, y = %g", path, name, phi[k],
                         x[k % nx], y[k / nx]);
            goto done;
        }
        if (mask)
            phi[k] = 0.5 - phi[k];
        inside += phi[k] < 0;
    }
    if (inside == 0) {
        st = fc_fail(err, FC_EINPUT, "%s: no node of '%s' is inside a body (%s)", path, name,
                     mask ? "above 1/2" : "negative");
        goto done;
    }
    for (size_t j = 0; j < ny; j++)
        for (size_t i = 0; i < nx; i += j == 0 || j == ny - 1 ? 1 : nx - 1)
            if (!(phi[j * nx + i] > 0)) {
                st = fc_fail(err, FC_EINPUT, "%s: the body of '%s' reaches the edge of its "
                             "grid at x = %g, y = %g: its surface must close inside the grid",
                             path, name, x[i], y[j]);
                goto done;
            }
    if (mask && mask_to_distance(f, phi))
        st = fc_fail(err, FC_ENOMEM, "%s: out of memory for the distance to '%s''s surface",
                     path, name);
done:
    fc_nc_close(ncid);
    if (st)
        free(f);
    else
        *field = f;
    return st;
}

/* ---- solid cells ---- */

int ns2d_body_cells(const ns2d_params *p, const fc_grid *g, fc_real *solid, int *ninside,
                    fc_err *err)
{
    ns2d_shapes sh;
    if (ns2d_shapes_make(p, &sh))
        return fc_fail(err, FC_ENOMEM, "out of host memory for the bodies' outlines");
    const int immersed = p->nbodies > 0 && p->body[0].boundary == NS2D_BODY_IMMERSED;
    for (int b = 0; b < p->nbodies; b++)
        ninside[b] = 0;
    /* Only signs matter here; phi within the snap of 0 is 0. */
    double box[NS2D_MAX_BODIES][4];
    shapes_boxes(&sh, box);
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            const double x = fc_grid_x(g, i), y = fc_grid_y(g, j), hx = g->dx / 2, hy = g->dy / 2;
            for (int b = 0; b < sh.n; b++)
                ninside[b] += box_near(&sh, box, b, sh.snap, x, y) &&
                              ns2d_outline_distance(&sh.o[b], x, y) < 0;
            /* Immersed: the cell's four face centres inside, or, next to a side of the domain
             * that is not periodic, its centre inside and that side's face centre inside or on
             * the surface. A body on such a side (a step on an inflow) then fills its cells
             * there instead of leaving cut cells whose outer face is the side's own, which no
             * forcing holds: an inflow would push fluid into the body through it. */
            const int centre_in = distance_within(&sh, box, sh.snap, x, y) < 0;
            int in = centre_in;
            if (immersed) {
                const int side[4] = {i == 0 && g->bc[FC_WEST] != FC_BC_PERIODIC,
                                     i == g->nx - 1 && g->bc[FC_EAST] != FC_BC_PERIODIC,
                                     j == 0 && g->bc[FC_SOUTH] != FC_BC_PERIODIC,
                                     j == g->ny - 1 && g->bc[FC_NORTH] != FC_BC_PERIODIC};
                const double px[4] = {x - hx, x + hx, x, x}, py[4] = {y, y, y - hy, y + hy};
                int all = 1, flush = 0;
                for (int f = 0; f < 4; f++) {
                    const double d = distance_within(&sh, box, sh.snap, px[f], py[f]);
                    all = all && d < 0;
                    flush = flush || (side[f] && d <= 0);
                }
                in = all || (centre_in && flush);
            }
            solid[fc_idx(g->pitch, g->ng, i, j)] = (fc_real)in;
        }
    ns2d_shapes_free(&sh);
    return FC_OK;
}

double ns2d_body_gap(const ns2d_params *p, int b)
{
    ns2d_shapes sh;
    if (ns2d_shapes_make(p, &sh))
        return NAN;
    /* Samples a cell apart, a million at most (a body far larger than the grid), tell 5 cells
     * of gap from fewer to a small fraction of a cell. */
    double spacing = fmin(p->grid.dx, p->grid.dy);
    int n = ns2d_outline_sample(&sh.o[b], spacing, NULL, 0);
    if (n > 1000000) {
        spacing *= n / 1e6;
        n = ns2d_outline_sample(&sh.o[b], spacing, NULL, 0);
    }
    ns2d_surface_point *pts = malloc((size_t)(n > 0 ? n : 1) * sizeof *pts);
    double gap = pts ? INFINITY : NAN;
    if (pts) {
        ns2d_outline_sample(&sh.o[b], spacing, pts, n);
        for (int q = 0; q < n; q++)
            for (int c = 0; c < sh.n; c++)
                if (c != b)
                    gap = fmin(gap, ns2d_outline_distance(&sh.o[c], pts[q].x, pts[q].y));
    }
    free(pts);
    ns2d_shapes_free(&sh);
    return gap;
}

int ns2d_body_periodic_side(const ns2d_params *p, int b, double *x, double *y)
{
    const fc_grid *g = &p->grid;
    ns2d_outline o;
    if (ns2d_outline_make(&p->body[b], &o))
        return -2;
    /* Each side's coordinate, in enum fc_side's order: side ^ 1 is the opposite one. */
    const double edge[4] = {g->x_min, g->x_max, g->y_min, g->y_max};
    int found = -1;
    for (int side = FC_WEST; side <= FC_NORTH && found < 0; side++) {
        if (g->bc[side] != FC_BC_PERIODIC)
            continue;
        const int along_y = side == FC_WEST || side == FC_EAST;
        const double lo = along_y ? g->y_min : g->x_min, hi = along_y ? g->y_max : g->x_max;
        const double at = edge[side], across = edge[side ^ 1];
        const int n = 4 * (along_y ? g->ny : g->nx);
        for (int q = 0; q <= n && found < 0; q++) {
            const double s = lo + (hi - lo) * q / n;
            *x = along_y ? at : s;
            *y = along_y ? s : at;
            if (ns2d_outline_distance(&o, *x, *y) < 0 &&
                !(ns2d_outline_distance(&o, along_y ? across : s, along_y ? s : across) < 0))
                found = side;
        }
    }
    ns2d_outline_free(&o);
    return found;
}

double ns2d_body_thickness(const ns2d_params *p, int b)
{
    const ns2d_body *body = &p->body[b];
    switch (body->shape) {
    case NS2D_SHAPE_CIRCLE:
    case NS2D_SHAPE_SQUARE:
    case NS2D_SHAPE_RECTANGLE:
    case NS2D_SHAPE_ELLIPSE: /* (its distance inside is only a first-order estimate) */
        return 2 * fmin(body->a, body->b);
    default:
        break;
    }
    ns2d_shapes sh;
    if (ns2d_shapes_make(p, &sh))
        return NAN;
    double x0, x1, y0, y1;
    ns2d_outline_box(&sh.o[b], &x0, &x1, &y0, &y1);
    /* Points a quarter cell apart over the body's box, 250000 at most (a body far larger than
     * the grid, and thick anyway); the thickest point is then found to within 0.18 cells. A
     * sixteenth of the box's width at most: an aerofoil 0.12 m thick on 3 m cells fell between
     * the points and was "0 cells thick", to be met with cells "of at most 0 m". */
    double spacing = fmin(fmin(p->grid.dx, p->grid.dy) / 4, fmin(x1 - x0, y1 - y0) / 16);
    const double points = ((x1 - x0) / spacing + 1) * ((y1 - y0) / spacing + 1);
    if (points > 250000)
        spacing *= sqrt(points / 250000);
    const int ni = (int)((x1 - x0) / spacing) + 1, nj = (int)((y1 - y0) / spacing) + 1;
    double deepest = 0;
    for (int j = 0; j <= nj; j++)
        for (int i = 0; i <= ni; i++)
            deepest = fmax(deepest, -ns2d_outline_distance(&sh.o[b], x0 + i * spacing,
                                                            y0 + j * spacing));
    ns2d_shapes_free(&sh);
    return 2 * deepest;
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
static double sign_change(const ns2d_shapes *o, double x, double y, double sx, double sy,
                          double a, double b)
{
    const int outside = ns2d_shapes_distance(o, x + a * sx, y + a * sy) >= 0;
    for (int it = 0; it < 60; it++) {
        const double m = (a + b) / 2;
        if ((ns2d_shapes_distance(o, x + m * sx, y + m * sy) >= 0) == outside)
            a = m;
        else
            b = m;
    }
    return (a + b) / 2;
}

/* Distance from (x, y), outside, to the surface along the step (sx, sy) whose end is inside. */
static double crossing(const ns2d_shapes *o, double x, double y, double sx, double sy)
{
    return sign_change(o, x, y, sx, sy, 0, 1) * hypot(sx, sy);
}

/* Fraction of the segment from (x0, y0) to (x1, y1) outside the body: the sign changes of phi
 * on 8 pieces, each crossing found by bisection (a segment a cell long may cut a curved surface
 * twice). */
static double aperture(const ns2d_shapes *o, double x0, double y0, double x1, double y1)
{
    enum { PIECES = 8 };
    double open = 0, prev = ns2d_shapes_distance(o, x0, y0);
    for (int q = 0; q < PIECES; q++) {
        const double a = (double)q / PIECES, b = (double)(q + 1) / PIECES;
        const double next = ns2d_shapes_distance(o, x0 + b * (x1 - x0), y0 + b * (y1 - y0));
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
static int face_apertures(const ns2d_shapes *o, const fc_grid *g, ns2d_ib *ib)
{
    const double reach = 2 * fmax(g->dx, g->dy);
    double box[NS2D_MAX_BODIES][4];
    shapes_boxes(o, box);
    for (int comp = 0; comp < 2; comp++) {
        if (!(ib->open[comp] = malloc(g->nalloc * sizeof *ib->open[comp])))
            return FC_ENOMEM;
        for (size_t k = 0; k < g->nalloc; k++)
            ib->open[comp][k] = 1;
        /* Every face on its own: rows in parallel (each record's or sample's diagnostics take
         * them again, ns2d_body_apertures). */
#pragma omp parallel for schedule(static) if ((long long)g->nx * g->ny >= FC_PARALLEL_MIN)
        for (int j = 0; j <= g->ny; j++)
            for (int i = 0; i <= g->nx; i++) {
                double x, y;
                face_position(g, comp, i, j, &x, &y);
                const double phi = distance_within(o, box, reach, x, y);
                double open = phi >= 0 ? 1 : 0;
                if (fabs(phi) < reach) {
                    const double hx = comp == 0 ? 0 : g->dx / 2, hy = comp == 0 ? g->dy / 2 : 0;
                    open = aperture(o, x - hx, y - hy, x + hx, y + hy);
                    /* Round-off decides nothing: a face whose end merely touches the surface
                     * is open or shut, the same way on either side of a symmetric body. Where
                     * a grid line is tangent to a curved surface, an error e in phi opens or
                     * shuts a piece sqrt(2 R e) long (R the radius of curvature): 1e-9 m of a
                     * 0.005 m face for the 2D-1 cylinder on 82 rows, 2e-7 of it; the snap
                     * must exceed that. */
                    open = open < 1e-6 ? 0 : open > 1 - 1e-6 ? 1 : open;
                }
                ib->open[comp][fc_idx(g->pitch, g->ng, i, j)] = (fc_real)open;
            }
    }
    return FC_OK;
}

/* One pass of ns2d_ib_build: the lists and the held bits from the kinds. */
static int build_lists(const ns2d_params *p, const ns2d_shapes *o, const signed char *kind,
                       ns2d_ib *ib)
{
    const fc_grid *g = &p->grid;
    const double h[2] = {g->dx, g->dy}, reach = 1.5 * fmax(h[0], h[1]);
    double box[NS2D_MAX_BODIES][4];
    shapes_boxes(o, box);
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
                const double phi = distance_within(o, box, reach, x, y);
                if (phi >= reach)
                    continue; /* no neighbour can be inside */
                if (phi < 0) {
                    st = list_push(l, &cap, k, k, 0, k, 0);
                    continue;
                }
                /* The surface's normal here, for the grid line most nearly along it. */
                const double e = 1e-3 * fmin(h[0], h[1]);
                const double nx = ns2d_shapes_distance(o, x + e, y) -
                                  ns2d_shapes_distance(o, x - e, y),
                             ny = ns2d_shapes_distance(o, x, y + e) -
                                  ns2d_shapes_distance(o, x, y - e);
                double best_n = -1, w1 = 0, w2 = 0;
                int body_near = 0;
                ptrdiff_t nb1 = k, nb2 = k;
                for (int axis = 0; axis < 2; axis++)
                    for (int dir = -1; dir <= 1; dir += 2) {
                        const double sx = axis == 0 ? dir * h[0] : 0, sy = axis == 1 ? dir * h[1] : 0;
                        const int di = axis == 0 ? -dir : 0, dj = axis == 1 ? -dir : 0;
                        if (ns2d_shapes_distance(o, x + sx, y + sy) >= 0)
                            continue; /* no body that way */
                        body_near = 1;
                        /* The outer neighbours, the other way, must be faces a step keeps. */
                        ptrdiff_t k1, k2;
                        if (!ns2d_active_slot(kind, p, comp, i, j, di, dj, &k1) ||
                            ns2d_shapes_distance(o, x - sx, y - sy) < 0)
                            continue;
                        /* A later line wins only when clearly more normal: where the surface
                         * meets the lines at 45 degrees (a rotated square's sides), round-off
                         * in nx and ny must not choose x at a face and y at its mirror image. */
                        const double along = fabs(axis == 0 ? nx : ny);
                        if (along <= best_n * (1 + 1e-9))
                            continue;
                        /* Distances from the surface along the line, outward: the face's s, the
                         * outer faces' s1 and s2. */
                        const double s = crossing(o, x, y, sx, sy), hh = h[axis];
                        const double s1 = s + hh, s2 = s + 2 * hh;
                        best_n = along;
                        nb1 = k1;
                        if (ns2d_active_slot(kind, p, comp, i, j, 2 * di, 2 * dj, &k2) &&
                            ns2d_shapes_distance(o, x - 2 * sx, y - 2 * sy) >= 0) {
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

int ns2d_body_apertures(const ns2d_params *p, fc_real *open[2])
{
    ns2d_shapes o;
    ns2d_ib ib = {0};
    open[0] = open[1] = NULL;
    if (ns2d_shapes_make(p, &o))
        return FC_ENOMEM;
    const int st = face_apertures(&o, &p->grid, &ib);
    ns2d_shapes_free(&o);
    open[0] = ib.open[0];
    open[1] = ib.open[1];
    if (st) {
        free(open[0]), free(open[1]);
        open[0] = open[1] = NULL;
    }
    return st;
}

/* ---- the mass fix of cut cells without an unknown ---- */

/* Face d (0 west, 1 east, 2 south, 3 north) of the cell at k: component, index, outward sign. */
static void cell_face(ptrdiff_t k, ptrdiff_t pitch, int d, int *comp, ptrdiff_t *f, int *sign)
{
    *comp = d / 2;
    *f = d == 1 ? k + 1 : d == 3 ? k + pitch : k;
    *sign = d % 2 ? 1 : -1;
}

static int fix_find(int *parent, int c)
{
    while (parent[c] != c)
        c = parent[c] = parent[parent[c]];
    return c;
}

/* Cholesky factor of the m x m SPD matrix a in place (lower); 0 if it is not positive. */
static int cholesky(double *a, int m)
{
    for (int j = 0; j < m; j++) {
        double d = a[j * m + j];
        for (int k = 0; k < j; k++)
            d -= a[j * m + k] * a[j * m + k];
        if (!(d > 1e-12 * fabs(a[j * m + j])) || !(d > 0))
            return 0;
        a[j * m + j] = sqrt(d);
        for (int i = j + 1; i < m; i++) {
            double v = a[i * m + j];
            for (int k = 0; k < j; k++)
                v -= a[i * m + k] * a[j * m + k];
            a[i * m + j] = v / a[j * m + j];
        }
    }
    return 1;
}

static void cholesky_solve(const double *l, int m, double *x)
{
    for (int i = 0; i < m; i++) {
        for (int k = 0; k < i; k++)
            x[i] -= l[i * m + k] * x[k];
        x[i] /= l[i * m + i];
    }
    for (int i = m - 1; i >= 0; i--) {
        for (int k = i + 1; k < m; k++)
            x[i] -= l[k * m + i] * x[k];
        x[i] /= l[i * m + i];
    }
}

/* Grows each of the n arrays *arr[a] (elements of size[a] bytes) to count elements. */
static int grow_arrays(void **const *arr, const size_t *size, int n, size_t count)
{
    for (int a = 0; a < n; a++) {
        void *t = realloc(*arr[a], count * size[a]);
        if (!t)
            return FC_ENOMEM;
        *arr[a] = t;
    }
    return FC_OK;
}

/* The most cells a cluster of the mass fix may have: its dense system costs about 9 m^3
 * operations to build (two clusters of 992 cells took 21 s) and its weights about 3 m^2 a
 * stage. Clusters run along a body's faces that lie along grid lines and along its thin parts,
 * and grow with the grid: a plate along x makes one as long as the plate in cells, the NACA
 * 0012's trailing edge one of 24 cells at 32 cells per chord, 37 at 64 and 74 at 128, where a
 * limit of 64 left the last 10 out and their cells a mass source (a divergence of 6.8 s-1 after
 * the first step). */
#define FIX_MAX_CLUSTER 1024

/* A cluster's arrays, grown to the largest so far: its matrix M (m x m), the adjustable faces
 * and the sources (4 m each at most) and one solve's right-hand side X (m), for up to cap_m
 * members; the signs S (m x nf), the fluxes B (m x ng) and the weights W (nf x ng), each for
 * up to its cap_ values. */
typedef struct fix_work {
    size_t cap_m, cap_s, cap_b, cap_w;
    int *fcomp, *gcomp;
    ptrdiff_t *fk, *gk;
    double *M, *X, *S, *B, *W;
} fix_work;

/* Grows the array *a to hold n elements of size bytes; *cap is its capacity. */
static int grow_to(void *a, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap)
        return FC_OK;
    void *t = realloc(*(void **)a, n * size);
    if (!t)
        return FC_ENOMEM;
    *(void **)a = t;
    *cap = n;
    return FC_OK;
}

static int fix_work_members(fix_work *w, int m)
{
    if ((size_t)m <= w->cap_m)
        return FC_OK;
    void **const faces[4] = {(void **)&w->fcomp, (void **)&w->gcomp, (void **)&w->fk,
                             (void **)&w->gk};
    const size_t face_size[4] = {sizeof *w->fcomp, sizeof *w->gcomp, sizeof *w->fk,
                                 sizeof *w->gk};
    void **const matrix[1] = {(void **)&w->M}, **const rhs[1] = {(void **)&w->X};
    const size_t real_size[1] = {sizeof(double)};
    const int st = grow_arrays(faces, face_size, 4, 4 * (size_t)m) ||
                   grow_arrays(matrix, real_size, 1, (size_t)m * m) ||
                   grow_arrays(rhs, real_size, 1, (size_t)m);
    if (st)
        return FC_ENOMEM;
    w->cap_m = (size_t)m;
    return FC_OK;
}

static void fix_work_free(fix_work *w)
{
    free(w->fcomp), free(w->gcomp), free(w->fk), free(w->gk);
    free(w->M), free(w->X), free(w->S), free(w->B), free(w->W);
}

/*
 * Builds ib->fix (ns2d_body.h) from the kinds, the held bits and the apertures. Cells next to a
 * periodic side's copy faces are left out (their source stays), as are clusters whose system is
 * singular (a pocket with no held face to a cell that has an unknown). A cluster of more than
 * FIX_MAX_CLUSTER cells is an input error (FC_EINPUT, at *where its first cell's centre).
 */
static int build_mass_fix(const ns2d_params *p, const signed char *kind, ns2d_ib *ib,
                          int *too_many, double where[2])
{
    const fc_grid *g = &p->grid;
    const ptrdiff_t P = g->pitch;
    const double len[2] = {g->dy, g->dx}; /* a u face is dy long, a v face dx */
    ns2d_ib_fix *fx = &ib->fix;
    int *cell_at = malloc(g->nalloc * sizeof *cell_at), ncell = 0, *parent = NULL;
    ptrdiff_t *cells = NULL;
    int st = FC_OK, cap_t = 0, cap_e = 0;
    if (!cell_at)
        return FC_ENOMEM;
    for (size_t q = 0; q < g->nalloc; q++)
        cell_at[q] = -1;
    /* The cells without an unknown, away from periodic copies. */
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            const ptrdiff_t k = fc_idx(P, g->ng, i, j);
            if (kind[k] != NS2D_FLUID || ns2d_pressure_cell(kind, ib, k, P) ||
                (i == g->nx - 1 && g->bc[FC_WEST] == FC_BC_PERIODIC) ||
                (j == g->ny - 1 && g->bc[FC_SOUTH] == FC_BC_PERIODIC))
                continue;
            ptrdiff_t *t = realloc(cells, (size_t)(ncell + 1) * sizeof *t);
            if (!t) {
                free(cells), free(cell_at);
                return FC_ENOMEM;
            }
            cells = t;
            cell_at[k] = ncell;
            cells[ncell++] = k;
        }
    /* A face may change when it is held, open, and between two fluid cells. */
#define ADJUSTABLE(C, F, K, NB)                                                                  \
    (ns2d_held(ib->held, (C), (F)) && ib->open[C][F] > 0 && kind[K] == NS2D_FLUID &&             \
     kind[NB] == NS2D_FLUID)
    if (ncell > 0 && !(parent = malloc((size_t)ncell * sizeof *parent)))
        st = FC_ENOMEM;
    for (int c = 0; c < ncell && !st; c++)
        parent[c] = c;
    for (int c = 0; c < ncell && !st; c++)
        for (int d = 0; d < 4; d++) {
            int comp, sign;
            ptrdiff_t f;
            cell_face(cells[c], P, d, &comp, &f, &sign);
            const ptrdiff_t nb = cells[c] + (d == 0 ? -1 : d == 1 ? 1 : d == 2 ? -P : P);
            if (ADJUSTABLE(comp, f, cells[c], nb) && cell_at[nb] >= 0)
                parent[fix_find(parent, c)] = fix_find(parent, cell_at[nb]);
        }
    /* Per cluster: its cells (those with an adjustable face), faces and sources, and the dense
     * matrices of its system (M, the signs S and fluxes B per member, the weights W). */
    int *member = malloc((size_t)(ncell > 0 ? ncell : 1) * sizeof *member);
    fix_work wk = {0};
    if (!member)
        st = FC_ENOMEM;
    for (int root = 0; root < ncell && !st; root++) {
        if (fix_find(parent, root) != root)
            continue;
        int m = 0;
        for (int c = 0; c < ncell; c++)
            if (fix_find(parent, c) == root) {
                int any = 0;
                for (int d = 0; d < 4; d++) {
                    int comp, sign;
                    ptrdiff_t f;
                    cell_face(cells[c], P, d, &comp, &f, &sign);
                    const ptrdiff_t nb = cells[c] + (d == 0 ? -1 : d == 1 ? 1 : d == 2 ? -P : P);
                    any |= ADJUSTABLE(comp, f, cells[c], nb);
                }
                if (any)
                    member[m++] = c;
            }
        if (m == 0)
            continue;
        if (m > FIX_MAX_CLUSTER) {
            const ptrdiff_t k = cells[member[0]];
            *too_many = m;
            where[0] = fc_grid_x(g, (int)(k % P) - g->ng);
            where[1] = fc_grid_y(g, (int)(k / P) - g->ng);
            st = FC_EINPUT;
            break;
        }
        if ((st = fix_work_members(&wk, m)))
            break;
        /* Faces (adjustable) and sources (every open face of a member), 4 m at most each. */
        int *const fcomp = wk.fcomp, *const gcomp = wk.gcomp;
        ptrdiff_t *const fk = wk.fk, *const gk = wk.gk;
        int nf = 0, ng = 0;
        for (int a = 0; a < m; a++)
            for (int d = 0; d < 4; d++) {
                int comp, sign;
                ptrdiff_t f;
                const ptrdiff_t k = cells[member[a]];
                cell_face(k, P, d, &comp, &f, &sign);
                const ptrdiff_t nb = k + (d == 0 ? -1 : d == 1 ? 1 : d == 2 ? -P : P);
                int seen = 0;
                for (int q = 0; q < ng && !seen; q++)
                    seen = gcomp[q] == comp && gk[q] == f;
                if (!seen && ib->open[comp][f] > 0)
                    gcomp[ng] = comp, gk[ng++] = f;
                seen = 0;
                for (int q = 0; q < nf && !seen; q++)
                    seen = fcomp[q] == comp && fk[q] == f;
                if (!seen && ADJUSTABLE(comp, f, k, nb))
                    fcomp[nf] = comp, fk[nf++] = f;
            }
        /* S[a][f]: the sign of face f in member a's outflow (0 if not its face); B[a][g] the
         * same times the open part of source g's length. */
        if ((st = grow_to(&wk.S, &wk.cap_s, (size_t)m * (nf > 0 ? nf : 1), sizeof *wk.S)) ||
            (st = grow_to(&wk.B, &wk.cap_b, (size_t)m * (ng > 0 ? ng : 1), sizeof *wk.B)) ||
            (st = grow_to(&wk.W, &wk.cap_w, (size_t)(nf > 0 ? nf : 1) * (ng > 0 ? ng : 1),
                          sizeof *wk.W)))
            break;
        double *const M = wk.M, *const S = wk.S, *const B = wk.B, *const W = wk.W, *const X = wk.X;
#define S(A, F) S[(size_t)(A) * nf + (F)]
#define B(A, G) B[(size_t)(A) * ng + (G)]
#define W(F, G) W[(size_t)(F) * ng + (G)]
        for (int q = 0; q < m * m; q++)
            M[q] = 0;
        for (int a = 0; a < m; a++) {
            for (int q = 0; q < nf; q++)
                S(a, q) = 0;
            for (int q = 0; q < ng; q++)
                B(a, q) = 0;
            for (int d = 0; d < 4; d++) {
                int comp, sign;
                ptrdiff_t f;
                cell_face(cells[member[a]], P, d, &comp, &f, &sign);
                for (int q = 0; q < nf; q++)
                    if (fcomp[q] == comp && fk[q] == f)
                        S(a, q) = sign;
                for (int q = 0; q < ng; q++)
                    if (gcomp[q] == comp && gk[q] == f)
                        B(a, q) = sign * ib->open[comp][f] * len[comp];
            }
        }
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++)
                for (int q = 0; q < nf; q++)
                    M[a * m + b] += S(a, q) * S(b, q) * ib->open[fcomp[q]][fk[q]] * len[fcomp[q]];
        if (!cholesky(M, m))
            continue; /* a closed pocket: its source stays */
        /* w[f][g] = -sum_a S[a][f] (M^-1 B)[a][g] */
        for (int q = 0; q < nf; q++)
            for (int r = 0; r < ng; r++)
                W(q, r) = 0;
        for (int r = 0; r < ng; r++) {
            for (int a = 0; a < m; a++)
                X[a] = B(a, r);
            cholesky_solve(M, m, X);
            for (int q = 0; q < nf; q++)
                for (int a = 0; a < m; a++)
                    W(q, r) -= S(a, q) * X[a];
        }
        for (int q = 0; q < nf && !st; q++) {
            if (fx->n + 1 >= cap_t) {
                cap_t = cap_t ? 2 * cap_t : 64;
                void **arr[3] = {(void **)&fx->comp, (void **)&fx->k, (void **)&fx->start};
                const size_t size[3] = {1, sizeof *fx->k, sizeof *fx->start};
                if ((st = grow_arrays(arr, size, 3, (size_t)cap_t + 1)))
                    break;
                fx->start[0] = fx->n == 0 ? 0 : fx->start[0];
            }
            int e = fx->start[fx->n];
            for (int r = 0; r < ng; r++) {
                if (W(q, r) == 0)
                    continue;
                if (e + 1 > cap_e) {
                    if (cap_e > INT_MAX / 2) { /* the rows' starts are ints */
                        st = FC_ENOMEM;
                        break;
                    }
                    cap_e = cap_e ? 2 * cap_e : 256;
                    void **arr[3] = {(void **)&fx->src_comp, (void **)&fx->src_k, (void **)&fx->w};
                    const size_t size[3] = {1, sizeof *fx->src_k, sizeof *fx->w};
                    if ((st = grow_arrays(arr, size, 3, (size_t)cap_e)))
                        break;
                }
                fx->src_comp[e] = (unsigned char)gcomp[r];
                fx->src_k[e] = gk[r];
                fx->w[e++] = W(q, r);
            }
            if (st)
                break;
            fx->comp[fx->n] = (unsigned char)fcomp[q];
            fx->k[fx->n] = fk[q];
            fx->start[++fx->n] = e;
        }
    }
#undef ADJUSTABLE
#undef S
#undef B
#undef W
    fix_work_free(&wk);
    free(member);
    free(parent);
    free(cells);
    free(cell_at);
    return st;
}

int ns2d_ib_build(const ns2d_params *p, const signed char *kind, ns2d_ib *ib, fc_err *err)
{
    memset(ib, 0, sizeof *ib);
    if (p->nbodies == 0 || p->body[0].boundary == NS2D_BODY_STAIRCASE)
        return FC_OK;
    ns2d_shapes o;
    if (ns2d_shapes_make(p, &o))
        return fc_fail(err, FC_ENOMEM, "out of host memory for the bodies' outlines");
    int st = face_apertures(&o, &p->grid, ib);
    if (!st)
        st = build_lists(p, &o, kind, ib);
    int cluster = 0;
    double where[2] = {0, 0};
    if (!st)
        st = build_mass_fix(p, kind, ib, &cluster, where);
    ns2d_shapes_free(&o);
    if (st) {
        ns2d_ib_free(ib);
        if (st == FC_EINPUT)
            return fc_fail(err, FC_EINPUT,
                           "the cells an immersed body cuts without a pressure unknown form a "
                           "connected group of %d from x = %g, y = %g m (along a face that lies "
                           "along a grid line, or a thin part of the body), more than the %d its "
                           "mass fix solves for: use larger cells, or boundary = staircase",
                           cluster, where[0], where[1], FIX_MAX_CLUSTER);
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
    free(ib->fix.comp);
    free(ib->fix.k);
    free(ib->fix.start);
    free(ib->fix.src_comp);
    free(ib->fix.src_k);
    free(ib->fix.w);
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

typedef struct wall_sample {
    double across, p;
} wall_sample;

static int by_across(const void *a, const void *b)
{
    const double sa = ((const wall_sample *)a)->across, sb = ((const wall_sample *)b)->across;
    return (sa > sb) - (sa < sb);
}

/* The wall pressure at the body's samples whose coordinate along the stream e is `edge` (within
 * tol): where a side lies across the stream (a square's front), the middle of its samples as
 * they lie across it (the mean of the two in the middle), where the stagnation point sits; the
 * first of them, taken before, was beside a corner, which a mirror image of the flow takes from
 * the other corner. NAN without samples; FC_ENOMEM out of host memory. */
static int edge_pressure(const ns2d_surface_point *pts, const double *pw, int n, const double e[2],
                         double edge, double tol, double *out)
{
    int m = 0;
    for (int q = 0; q < n; q++)
        m += fabs(ns2d_along_stream(e, pts[q].x, pts[q].y) - edge) <= tol;
    *out = NAN;
    if (m == 0)
        return FC_OK;
    wall_sample *w = malloc((size_t)m * sizeof *w);
    if (!w)
        return FC_ENOMEM;
    m = 0;
    for (int q = 0; q < n; q++)
        if (fabs(ns2d_along_stream(e, pts[q].x, pts[q].y) - edge) <= tol)
            w[m++] = (wall_sample){ns2d_across_stream(e, pts[q].x, pts[q].y), pw[q]};
    qsort(w, (size_t)m, sizeof *w, by_across);
    *out = m % 2 ? w[m / 2].p : (w[m / 2 - 1].p + w[m / 2].p) / 2;
    free(w);
    return FC_OK;
}

/* The surface integral over one body's outline o (ns2d_body.h). */
static int body_force(const ns2d_params *p, const ns2d_outline *o, const fc_real *u,
                      const fc_real *v, const fc_real *pr, ns2d_body_force *f)
{
    const fc_grid *g = &p->grid;
    const double h = fmax(g->dx, g->dy), s1 = 1.5 * h, s2 = 2.5 * h, s3 = NS2D_PROBE_REACH * h;
    /* The probes' bilinear interpolants kink at every grid line that a probe crosses, so the
     * quadrature along the surface converges only at second order: samples a quarter cell apart
     * left the 2D-1 cylinder's drag 6e-4 from its limit, a sixteenth leaves 3e-6. */
    const double spacing = fmin(g->dx, g->dy) / 16;
    const int n = ns2d_outline_sample(o, spacing, NULL, 0);
    ns2d_surface_point *pts = malloc((size_t)(n > 0 ? n : 1) * sizeof *pts);
    double *wall_p = malloc((size_t)(n > 0 ? n : 1) * sizeof *wall_p);
    if (!pts || !wall_p) {
        free(pts);
        free(wall_p);
        return FC_ENOMEM;
    }
    ns2d_outline_sample(o, spacing, pts, n);
    /* A body reaching past a wall, inflow or open side (a bump on a channel's floor; periodic
     * sides refuse it) meets fluid only inside the domain: the samples beyond it read no flow
     * (they read the halo and made the force on a half-cylinder on a wall 11 % too large at 16
     * cells across). A sample on a side within rounding (a circle centred on it) is inside. */
    const double domain[4] = {g->x_min, g->x_max, g->y_min, g->y_max};
    int inside = 0;
    for (int q = 0; q < n; q++)
        if (ns2d_in_box(pts[q].x, pts[q].y, domain, 1e-9 * fmin(g->dx, g->dy)))
            pts[inside++] = pts[q];
    double fx = 0, fy = 0, first = INFINITY, last = -INFINITY; /* along the stream */
    for (int q = 0; q < inside; q++) {
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
        wall_p[q] = pw;
        first = fmin(first, ns2d_along_stream(p->flow_dir, s->x, s->y));
        last = fmax(last, ns2d_along_stream(p->flow_dir, s->x, s->y));
    }
    /* Samples on one line across the stream differ by the rounding of a turned outline's
     * corners. */
    const double tol = 1e-9 * (last - first);
    int st = edge_pressure(pts, wall_p, inside, p->flow_dir, first, tol, &f->p_front);
    if (!st)
        st = edge_pressure(pts, wall_p, inside, p->flow_dir, last, tol, &f->p_back);
    free(pts);
    free(wall_p);
    f->fx = fx;
    f->fy = fy;
    return st;
}

int ns2d_body_force_of(const ns2d_params *p, const fc_real *u, const fc_real *v,
                       const fc_real *pr, ns2d_body_force *f, fc_err *err)
{
    ns2d_shapes sh;
    if (ns2d_shapes_make(p, &sh))
        return fc_fail(err, FC_ENOMEM, "out of host memory for the bodies' outlines");
    int st = FC_OK;
    for (int b = 0; b < sh.n && !st; b++)
        st = body_force(p, &sh.o[b], u, v, pr, &f[b]);
    ns2d_shapes_free(&sh);
    return st ? fc_fail(err, st, "out of host memory for the bodies' surfaces") : FC_OK;
}

/* ---- control-volume balance ---- */

/* The balance's box in cells [i0, i1) x [j0, j1) (its edges on cell faces): the bodies' bounding
 * box plus 4 cells, and the area the bodies take from it. 0 when it does not fit in the domain
 * with 2 cells to spare or the outlines cannot be made. */
/* floor(q), but q within 1e-9 of an integer is that integer. */
static double snap_floor(double q)
{
    const double r = round(q);
    return fabs(q - r) <= 1e-9 * fmax(1, fabs(r)) ? r : floor(q);
}

static int balance_box(const ns2d_params *p, int box[4], double *area)
{
    const fc_grid *g = &p->grid;
    ns2d_shapes sh;
    if (ns2d_shapes_make(p, &sh))
        return 0;
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    *area = 0;
    for (int b = 0; b < sh.n; b++) {
        double bx0, bx1, by0, by1;
        ns2d_outline_box(&sh.o[b], &bx0, &bx1, &by0, &by1);
        x0 = fmin(x0, bx0), x1 = fmax(x1, bx1), y0 = fmin(y0, by0), y1 = fmax(y1, by1);
        *area += ns2d_outline_area(&sh.o[b]);
    }
    ns2d_shapes_free(&sh);
    /* Bounds on a face line are on it: floor and ceil of a quotient rounded a hair past an
     * integer made the box a cell larger on one grid than on the same grid scaled (the 2D-1
     * cylinder's top, 25.000000000000004 faces up on 0.41 mm, 25.0 on 0.41 m), and the balance
     * a box's discretisation error different (its drag 0.09 % apart). */
    const double fi0 = snap_floor((x0 - g->x_min) / g->dx) - 4,
                 fi1 = -snap_floor(-(x1 - g->x_min) / g->dx) + 4,
                 fj0 = snap_floor((y0 - g->y_min) / g->dy) - 4,
                 fj1 = -snap_floor(-(y1 - g->y_min) / g->dy) + 4;
    if (!(fi0 >= 2 && fj0 >= 2 && fi1 <= g->nx - 2 && fj1 <= g->ny - 2))
        return 0;
    box[0] = (int)fi0, box[1] = (int)fi1, box[2] = (int)fj0, box[3] = (int)fj1;
    return 1;
}

int ns2d_box_faces_make(const ns2d_params *p, ns2d_box_faces *b)
{
    memset(b, 0, sizeof *b);
    const fc_grid *g = &p->grid;
    int box[4];
    double area;
    if (p->nbodies == 0 || !balance_box(p, box, &area))
        return FC_OK;
    ns2d_shapes sh;
    if (ns2d_shapes_make(p, &sh))
        return FC_ENOMEM;
    const int i0 = box[0], i1 = box[1], j0 = box[2], j1 = box[3];
    const size_t most[2] = {(size_t)(i1 - i0 + 1) * (j1 - j0), (size_t)(i1 - i0) * (j1 - j0 + 1)};
    for (int c = 0; c < 2; c++) {
        b->k[c] = malloc(most[c] * sizeof *b->k[c]);
        b->w[c] = malloc(most[c] * sizeof *b->w[c]);
        if (!b->k[c] || !b->w[c]) {
            ns2d_shapes_free(&sh);
            ns2d_box_faces_free(b);
            return FC_ENOMEM;
        }
    }
    const double cell = g->dx * g->dy;
    for (int j = j0; j <= j1; j++)
        for (int i = i0; i <= i1; i++)
            for (int c = 0; c < 2; c++) {
                /* u faces: i0..i1 on rows j0..j1-1, the edge columns half inside; v alike. */
                const int along = c == 0 ? i : j, lo = c == 0 ? i0 : j0, hi = c == 0 ? i1 : j1;
                if ((c == 0 && j == j1) || (c == 1 && i == i1))
                    continue;
                const double x = c == 0 ? g->x_min + i * g->dx : fc_grid_x(g, i),
                             y = c == 0 ? fc_grid_y(g, j) : g->y_min + j * g->dy;
                if (ns2d_shapes_distance(&sh, x, y) < 0)
                    continue; /* inside a body: not the fluid's */
                b->k[c][b->n[c]] = fc_idx(g->pitch, g->ng, i, j);
                b->w[c][b->n[c]++] = along == lo || along == hi ? cell / 2 : cell;
            }
    ns2d_shapes_free(&sh);
    return FC_OK;
}

void ns2d_box_faces_free(ns2d_box_faces *b)
{
    for (int c = 0; c < 2; c++) {
        free(b->k[c]);
        free(b->w[c]);
        b->k[c] = NULL;
        b->w[c] = NULL;
        b->n[c] = 0;
    }
}

void ns2d_box_momentum_rate(const ns2d_box_faces *b, const fc_real *const before[2],
                            const fc_real *const after[2], int gathered, double dt,
                            double rate[2])
{
    for (int c = 0; c < 2; c++) {
        double sum = 0;
        for (int f = 0; f < b->n[c]; f++) {
            const ptrdiff_t at = gathered ? f : b->k[c][f];
            sum += b->w[c][f] * ((double)after[c][at] - before[c][at]);
        }
        rate[c] = b->n[c] > 0 && dt > 0 ? sum / dt : NAN;
    }
}

int ns2d_body_force_balance(const ns2d_params *p, const fc_real *u, const fc_real *v,
                            const fc_real *pr, const double *momentum_rate, double *fx,
                            double *fy)
{
    const fc_grid *g = &p->grid;
    const double nu = p->nu, dx = g->dx, dy = g->dy;
    *fx = *fy = NAN;
    int box[4];
    double area;
    if (!momentum_rate || !balance_box(p, box, &area))
        return 0;
    const int i0 = box[0], i1 = box[1], j0 = box[2], j1 = box[3];
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
    /* The body force pushes the fluid in the box; what the bodies hold back of it counts. What
     * the fluid inside gains is not the bodies' (none when the flow is steady). */
    const double fluid = (i1 - i0) * dx * (j1 - j0) * dy - area;
    *fx = sx + p->force_x * fluid - momentum_rate[0];
    *fy = sy + p->force_y * fluid - momentum_rate[1];
    return 1;
}
