/*
 * ns2d_body.h: a solid body in the incompressible solver's flow. As a staircase ([obstacle]
 * boundary = staircase, the default) it is the cells whose centre it covers, walls like the
 * domain's (ns2d.h); what follows is the immersed boundary (boundary = immersed).
 *
 * Shapes: circle, square and rectangle (rotated), ellipse (rotated), the NACA 4-digit aerofoil
 * at an angle of attack, and any shape read from a NetCDF file as a signed distance or a mask,
 * each a signed distance function phi (negative inside; exact for the circle, rectangle and
 * aerofoil; for the ellipse exact on the surface and a first-order estimate off it; for a file,
 * bilinear between its nodes, so its zero contour is the surface to the file's resolution: a
 * sharp edge wants a field finer than the flow's grid). A case holds up to NS2D_MAX_BODIES
 * bodies; the flow sees their union and the forces are integrated over each body's own surface.
 * Immersed bodies must stand more than 5 cells apart, so that one body's force probes never read
 * another's inside (checked when the parameters are made).
 *
 * Method: direct forcing with interpolation along grid lines (Fadlun, Verzicco, Orlandi &
 * Mohd-Yusof 2000, J. Comput. Phys. 161, 35-60), chosen over a cut-cell method because it leaves
 * the MAC grid, the 5-point pressure equation and its multigrid as they are, and over a ghost
 * cell method with image points (Tseng & Ferziger 2003) because the value it sets is an
 * interpolation rather than an extrapolation, so it never makes the explicit viscous step stiff
 * when the surface passes close to a face. Each stage of a step, after the explicit update and
 * before the projection, the body sets the velocity of:
 *   - faces inside it (phi < 0): 0, the body being at rest;
 *   - forcing faces, outside it with a neighbouring face of the same component inside: the
 *     quadratic through the surface (velocity 0) and the next two faces outward along the grid
 *     line most nearly normal to the surface, u_f = 2d/(d+h) u_1 - d/(d+2h) u_2, d the distance
 *     from the face to the surface along that line (found by bisection on phi): exact for a
 *     parabolic profile, third order locally, second order overall. Where only one face lies
 *     outward (a gap), the line through it, u_f = d/(d+h) u_1. The outward faces' values are
 *     the stage's input, not its explicit update (ns2d_ib_list says why).
 * The projection leaves these faces as the body set them (they are walls to the pressure
 * equation), so no slip holds exactly after every stage. Mass is counted as a cut-cell method
 * counts it: each face's flux is its velocity times its open fraction (the part of the face
 * outside the body), in the divergence and in the pressure operator alike (coefficients
 * aperture / h^2, still 5-point, so the multigrid is unchanged). Cells whose four faces lie
 * inside are solid, and so are the cells a body flush with a side of the domain covers there
 * (ns2d_body_cells). A cell cut by the surface whose open faces the body all sets has no pressure
 * unknown, and the forcing alone would leave it a mass source (Kim, Kim & Choi 2001, J. Comput.
 * Phys. 171, 132-150: 2.4 % of the inflow in absolute value around the 2D-1 cylinder at 10
 * cells per diameter); the mass fix (ns2d_ib_fix) then changes its held faces by the least that
 * closes its budget, so every cell's open part conserves mass to the solver's tolerance.
 *
 * Forces: the surface is sampled (arc length at most a sixteenth of a cell; a circle or an
 * ellipse at a multiple of 4 equal steps of its angle, so that a body turned by a quarter or
 * mirrored is sampled at the turned points); at each sample, the pressure and tangential
 * velocity are interpolated (bilinearly from the staggered grid) at three probes along the
 * outward normal n, 1.5, 2.5 and 3.5 cells out, where every interpolation node is outside the
 * body; the wall pressure is the quadratic through them at the wall and the wall shear nu
 * du_t/dn the slope at the wall of the cubic through 0 there and the three probes. The force on
 * the body is the integral of -p n + nu (du_t/dn) t (t the unit tangent; on a rigid no-slip wall
 * the viscous traction has no normal part) over the part of the surface inside the domain (a
 * body may reach past a wall, inflow or open side).
 * ns2d_body_force_balance gives the same force from a control volume, steady or not.
 */
#ifndef FC_NS2D_BODY_H
#define FC_NS2D_BODY_H

#include <stddef.h>

#include "src/core/grid.h"
#include "src/core/hd.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ns2d_shape {
    NS2D_SHAPE_NONE = 0,
    NS2D_SHAPE_CIRCLE = 1,
    NS2D_SHAPE_SQUARE = 2,
    NS2D_SHAPE_RECTANGLE = 3,
    NS2D_SHAPE_ELLIPSE = 4,
    NS2D_SHAPE_NACA = 5,
    NS2D_SHAPE_FILE = 6
};

/* Vertices per side of the aerofoil's polygon (cosine spacing: dense at both edges). */
#define NS2D_NACA_SIDE 400
/* Bodies a case may hold ([obstacle], [obstacle2], ...). */
#define NS2D_MAX_BODIES 4

enum ns2d_body_boundary { NS2D_BODY_STAIRCASE = 0, NS2D_BODY_IMMERSED = 1 };

/*
 * A shape given as a field on a rectilinear grid (a NetCDF file's; ns2d_body_field_read):
 * phi[j nx + i] at (x[i], y[j]), negative inside, a signed distance (a mask is turned into one
 * when read). Between the nodes phi is bilinear; the body is where it is negative.
 */
typedef struct ns2d_field {
    int nx, ny;
    const double *x, *y, *phi;
} ns2d_field;

/* A body: plain numbers (and, for a file's shape, its field on the host, which no kernel
 * reads), so that it travels inside ns2d_params. */
typedef struct ns2d_body {
    int shape;              /* enum ns2d_shape */
    int boundary;           /* enum ns2d_body_boundary (the same for every body of a case) */
    double cx, cy;          /* centre (the mid-chord point of an aerofoil), m */
    double a, b;            /* half-extents along the body's own axes (circle: a = b = radius;
                             * aerofoil: a = half the chord), m */
    double cos_r, sin_r;    /* rotation of the body's axes, counter-clockwise */
    double camber, camber_pos, thickness; /* NACA mpxx as fractions of the chord */
    const ns2d_field *field; /* NS2D_SHAPE_FILE */
} ns2d_body;

/*
 * One body's outline and signed distance on the host. The aerofoil and a file's shape keep
 * their surface as oriented segments (the body on their left: counter-clockwise loops, so the
 * outward normal of a segment (ex, ey) is (ey, -ex)): the aerofoil a closed polygon, a file's
 * shape the zero contour of its field (marching squares).
 */
typedef struct ns2d_outline {
    ns2d_body body;
    int nseg;
    double *seg; /* 4 per segment: ax, ay, bx, by */
} ns2d_outline;

int ns2d_outline_make(const ns2d_body *body, ns2d_outline *out);
void ns2d_outline_free(ns2d_outline *o);
/* Signed distance from (x, y) to the surface (m): negative inside. (A file's shape: its field,
 * bilinear; beyond the field's grid, the value at the nearest edge plus the distance to it.) */
double ns2d_outline_distance(const ns2d_outline *o, double x, double y);
/* The area the outline encloses (m2). */
double ns2d_outline_area(const ns2d_outline *o);
/* A box around the body: [x0, x1] x [y0, y1]. */
void ns2d_outline_box(const ns2d_outline *o, double *x0, double *x1, double *y0, double *y1);

/* Every body of a case together: the flow sees their union, phi the least of theirs. */
typedef struct ns2d_shapes {
    int n;
    ns2d_outline o[NS2D_MAX_BODIES];
    /* |phi| below this is 0: a point on the surface, such as a face a circle centred on a
     * cell's centre passes through, is on it on either side of a symmetric body, not inside on
     * one and outside on the other by round-off (which made an immersed cylinder centred in a
     * channel shed a lift of 0.06 at Re 20). */
    double snap;
} ns2d_shapes;

struct ns2d_params;
int ns2d_shapes_make(const struct ns2d_params *p, ns2d_shapes *s);
void ns2d_shapes_free(ns2d_shapes *s);
/* The least phi of the bodies at (x, y), 0 within s->snap of a surface. */
double ns2d_shapes_distance(const ns2d_shapes *s, double x, double y);

/*
 * Reads a shape from a NetCDF file: variable `name` on (y, x) (or (1, y, x)) with coordinate
 * variables x and y in metres, strictly increasing; `mask` says whether it is a solid fraction
 * (the body where it exceeds 1/2, turned into a signed distance here) or a signed distance
 * (negative inside, like flowcast's own body_distance). Every value is checked; the body must
 * lie inside the grid (phi > 0 on its edges). The field is allocated in one block (free()).
 */
int ns2d_body_field_read(const char *path, const char *name, int mask, ns2d_field **field,
                         fc_err *err);
/* Bytes of a field in one block, and a copy of f placed at dst (that many bytes). */
size_t ns2d_field_size(const ns2d_field *f);
ns2d_field *ns2d_field_place(void *dst, const ns2d_field *f);

/* Samples of the surface: position, outward unit normal and the arc length each stands for. */
typedef struct ns2d_surface_point {
    double x, y, nx, ny, ds;
} ns2d_surface_point;

/* At most max points with arc length at most spacing each (at least 64); returns the count. */
int ns2d_outline_sample(const ns2d_outline *o, double spacing, ns2d_surface_point *pts, int max);

/*
 * The faces the body sets (the immersed-boundary table): per velocity component, storage index
 * k of the face, indices nb1, nb2 of the faces it interpolates from and their weights: after
 * each explicit update, q_out[k] = w1 q_in[nb1] + w2 q_in[nb2] (both 0 inside the body), q_in
 * the stage's input, projected. Interpolating the stage's own explicit update instead (as
 * Fadlun et al. do) closes a loop through the pressure that ran away: a cell beside the surface
 * whose pressure couples through one face only (the forcing holding the other three) has its
 * pressure set by that face's flux, which the held faces' values fix, which were read from
 * neighbours whose explicit update holds that pressure's gradient. Rows of such cells along an
 * aerofoil at 0 degrees (32 cells per chord) turned its forces to noise after 3 s, one ahead of
 * its nose blew the run up within 1.5 s. Read from the stage's input, a steady state is the same
 * to the last bit (the two sets agree there) and a stage's entries are independent of one
 * another; the forced faces lag by a stage, a first-order error in time at those faces only
 * (largest lift of the 2D-2 cylinder at 20 cells per diameter 1.8 % lower, Strouhal number and
 * drag within 0.1 %). Built on the host, used by both backends.
 */
typedef struct ns2d_ib_list {
    int n;
    ptrdiff_t *k, *nb1, *nb2;
    double *w1, *w2;
} ns2d_ib_list;

/*
 * The mass fix of cut cells without a pressure unknown (every open face held by the forcing):
 * after the forcing, the held open faces between fluid cells around each cluster of such cells
 * take the smallest change (in the flux-weighted norm, sum of a L du^2 with a the aperture and L
 * the face's length) that makes the net outflow of every cell of the cluster zero: du = G mu
 * with (D_a G) mu = -D_a u on the cluster, a dense system per cluster (up to FIX_MAX_CLUSTER
 * cells, ns2d_body.c) solved when the table is built. The change is linear in the faces of the cluster's cells, so it is stored as
 * rows of weights: target face t (component comp[t], index k[t]) changes by
 * sum over start[t] <= e < start[t + 1] of w[e] q_src_comp[e][src_k[e]], all read before any
 * is written. The projection then corrects the neighbours that have unknowns as before.
 */
typedef struct ns2d_ib_fix {
    int n;
    unsigned char *comp;
    ptrdiff_t *k;
    int *start;
    unsigned char *src_comp;
    ptrdiff_t *src_k;
    double *w;
} ns2d_ib_fix;

typedef struct ns2d_ib {
    ns2d_ib_list face[2]; /* u, v */
    ns2d_ib_fix fix;
    /* Per storage slot (the grid's layout): bit 0 if the u face there is in the table, bit 1
     * for the v face (periodic copies marked too). NULL without a body. */
    unsigned char *held;
    /* Per slot, the open fraction (aperture) of the u and v face: the part of the face outside
     * the body, 1 away from it. NULL without a body. */
    fc_real *open[2];
} ns2d_ib;

/* Whether the face of component comp at slot k is one the obstacle holds (held may be NULL). */
FC_HD static inline int ns2d_held(const unsigned char *held, int comp, ptrdiff_t k)
{
    return held && (held[k] >> comp & 1);
}

/* Open fraction of a face (open may be NULL: all open). */
FC_HD static inline fc_real ns2d_open(const fc_real *open, ptrdiff_t k)
{
    return open ? open[k] : (fc_real)1;
}

/* Builds the table from the bodies in p and the cell kinds: the faces a step updates that the
 * body sets. */
int ns2d_ib_build(const struct ns2d_params *p, const signed char *kind, ns2d_ib *ib, fc_err *err);
void ns2d_ib_free(ns2d_ib *ib);
/* The open fraction of every face (as ns2d_ib.open, allocated; free() each). */
int ns2d_body_apertures(const struct ns2d_params *p, fc_real *open[2]);

/* The solid mask. Staircase: 1 where the cell's centre is inside a body. Immersed: 1 where
 * all four faces are (a face between fluid and solid then lies in the body, where its
 * velocity, 0, is exact), and next to a side of the domain that is not periodic, where the
 * centre is inside and the side's face inside or on the surface (a body flush with the side).
 * ninside[b]: the cell centres inside body b. */
int ns2d_body_cells(const struct ns2d_params *p, const fc_grid *g, fc_real *solid, int *ninside,
                    fc_err *err);

/* Where body b's surface comes closest to another body's (m; INFINITY with one body). */
double ns2d_body_gap(const struct ns2d_params *p, int b);

/* The first periodic side (FC_WEST .. FC_NORTH) body b crosses without crossing the opposite
 * side at the same place, with that point of the side (inside the body) in (*x, *y), sampled a
 * quarter cell apart; -1 when there is none, -2 out of memory. The masks and the immersed
 * boundary do not repeat a body on the far side, so only a body that is periodic itself where
 * it crosses (a wall along a periodic channel) can cross; any other is refused. */
int ns2d_body_periodic_side(const struct ns2d_params *p, int b, double *x, double *y);

/* Body b's thickness at its thickest: the diameter of the largest circle inside it (m; NaN out
 * of memory): the shorter axis of a circle, rectangle or ellipse; for an aerofoil or a file's
 * shape, from the signed distance sampled a quarter cell apart, or a sixteenth of its box's
 * width where that is less (to 0.18 cells, or 0.05 of the box). The immersed
 * boundary needs NS2D_IB_THICKEST cells of it. */
double ns2d_body_thickness(const struct ns2d_params *p, int b);
/* A body under a cell thick can lie between two rows of faces of one component with none of
 * them inside it, and nothing then stops the flow through it (a face is forced only when a
 * neighbouring face of its own component is inside); 1.5 leaves half a cell to spare. (It was
 * 2.5 while the forcing read the stage's explicit update, which went unstable on a NACA 0012 1.9
 * to 2.2 cells thick; reading the stage's input, plates 0.8 to 1.9 cells thick and that aerofoil
 * at 16 cells per chord ran smooth for 3 s: docs/ns2d.md.) */
#define NS2D_IB_THICKEST 1.5

/* Whether (x, y) lies in [edge[0], edge[1]] x [edge[2], edge[3]] (a domain: x_min, x_max,
 * y_min, y_max) widened by tol on every side. */
static inline int ns2d_in_box(double x, double y, const double edge[4], double tol)
{
    return x >= edge[0] - tol && x <= edge[1] + tol && y >= edge[2] - tol && y <= edge[3] + tol;
}

/* How far out along a surface's normal, in cells (the larger side), the surface integral's
 * farthest probe reads the flow (ns2d_body_force_of). */
#define NS2D_PROBE_REACH 3.5

/* Force on each body per unit density and span (F / rho, m3 s-2, along x and y) by the surface
 * integral, from the state's u, v, p, and the wall pressures at the body's leading and trailing
 * points, first and last along the free stream p->flow_dir (m2 s-2; where a side lies across
 * the stream, a square's front, at its middle); f has p->nbodies elements. */
typedef struct ns2d_body_force {
    double fx, fy, p_front, p_back;
} ns2d_body_force;
int ns2d_body_force_of(const struct ns2d_params *p, const fc_real *u, const fc_real *v,
                       const fc_real *pr, ns2d_body_force *f, fc_err *err);

/*
 * The force on all bodies together from a momentum balance over a box around them (its edges on
 * cell faces, their bounding boxes plus 4 cells, at least 2 cells inside the domain): the flux of
 * momentum u u + p I - nu (grad u + grad u^T) out through the edges, less the body force on the
 * fluid inside, less the rate at which the fluid inside gains momentum (momentum_rate, x and y,
 * m3 s-2 per unit depth and density: ns2d_box_momentum_rate over the step before, so that the
 * balance holds for unsteady flows too; it is 0 in a steady one). The cross-check of the
 * surface integral. 0 (*fx = *fy = NaN) when the box does not fit or momentum_rate is NULL
 * (not known, as before the first step).
 */
int ns2d_body_force_balance(const struct ns2d_params *p, const fc_real *u, const fc_real *v,
                            const fc_real *pr, const double *momentum_rate, double *fx,
                            double *fy);

/* The fluid's faces in that box: u faces in k[0] (slots in the fields' layout), v faces in
 * k[1], each with the area of its control volume in the box, w (dx dy, half on the box's
 * edges, which cut it in two); faces inside a body (phi < 0 at the face) are left out, since
 * what the forcing sets there is not fluid. None (n = 0) without bodies or when the box does
 * not fit. */
typedef struct ns2d_box_faces {
    int n[2];
    ptrdiff_t *k[2];
    double *w[2];
} ns2d_box_faces;
int ns2d_box_faces_make(const struct ns2d_params *p, ns2d_box_faces *b); /* FC_ENOMEM or FC_OK */
void ns2d_box_faces_free(ns2d_box_faces *b);
/* The rate at which the fluid in the box gained momentum over a step of dt from the u and v
 * fields `before` to `after` (or, with `gathered`, the box's faces' values in the order of k):
 * the faces' changes weighted by w, summed in order, so that every backend that has the same
 * fields gets the same bits. NaN when there are no faces. */
void ns2d_box_momentum_rate(const ns2d_box_faces *b, const fc_real *const before[2],
                            const fc_real *const after[2], int gathered, double dt,
                            double rate[2]);

#ifdef __cplusplus
}
#endif
#endif
