/*
 * ns2d.c: the incompressible solver's description: case keys and their cross-checks, parameters,
 * cell kinds and boundary values (host side, shared by both backends), output variables and
 * diagnostics. Equations and method in ns2d.h; initial conditions and obstacles in ns2d_cases.c.
 */
#include <fc_build.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/core/machine_load.h"

#include "solvers/ns2d/ns2d.h"
#include "solvers/ns2d/ns2d_cases.h"
#include "solvers/ns2d/ns2d_poisson.h"

#define INF INFINITY

/* How far above poisson_tol a record's divergence may be before the run fails (ns2d_diagnose). */
#define NS2D_DIV_GUARD 100.0

/* The default divergence a projection may leave: a few hundred times the round-off of the
 * divergence of O(1) velocities on O(1e3) cells per unit length, in each precision. */
#ifdef FC_SINGLE
#define NS2D_POISSON_TOL "1e-3"
#else
#define NS2D_POISSON_TOL "1e-8"
#endif
/* The same relative to the flow's scale (ns2d_projection_tol): some 200 times the round-off of
 * a divergence in single precision, where 1e-4 left errors of 4e-5 in a slow cavity's u/U and
 * 1e-5 its round-off (2e-6); in double, 5e6 times, which is below poisson_tol's default only where
 * the largest |u|/dx is under 10 s-1, so that 1 m/s flows on centimetre cells keep poisson_tol
 * (and their bits). */
#ifdef FC_SINGLE
#define NS2D_POISSON_RTOL "1e-5"
#else
#define NS2D_POISSON_RTOL "1e-9"
#endif

/* The keys of one body, in section SEC. */
#define OBSTACLE_KEYS(SEC, WHAT)                                                                 \
    {SEC, "shape", FC_KEY_CHOICE, "none", 0, 0, 0,                                               \
     "none|circle|square|rectangle|ellipse|naca|file", "", NULL, WHAT},                         \
    {SEC, "center_x", FC_KEY_REAL, "0", -INF, INF, FC_OPEN_LO | FC_OPEN_HI, NULL, "m", NULL,     \
     "centre of the body (x; an aerofoil's mid-chord point)"},                                   \
    {SEC, "center_y", FC_KEY_REAL, "0", -INF, INF, FC_OPEN_LO | FC_OPEN_HI, NULL, "m", NULL,     \
     "centre of the body (y)"},                                                                  \
    {SEC, "size", FC_KEY_REAL, "0", 0, INF, FC_OPEN_HI, NULL, "m", NULL,                         \
     "diameter of the circle, side of the square, chord of the aerofoil"},                       \
    {SEC, "width", FC_KEY_REAL, "0", 0, INF, FC_OPEN_HI, NULL, "m", NULL,                        \
     "length of the rectangle or ellipse along its own x axis"},                                 \
    {SEC, "height", FC_KEY_REAL, "0", 0, INF, FC_OPEN_HI, NULL, "m", NULL,                       \
     "length of the rectangle or ellipse along its own y axis"},                                 \
    {SEC, "rotation", FC_KEY_REAL, "0", -360, 360, 0, NULL, "degree", NULL,                      \
     "counter-clockwise rotation of the square, rectangle or ellipse about its centre"},         \
    {SEC, "naca", FC_KEY_STRING, "0012", 0, 0, 0, NULL, "", NULL,                                \
     "NACA 4-digit section mpxx: camber m %, its position p tenths of the chord, thickness "     \
     "xx % (closed trailing edge)"},                                                             \
    {SEC, "angle_of_attack", FC_KEY_REAL, "0", -90, 90, 0, NULL, "degree", NULL,                 \
     "angle of the aerofoil's chord to the x axis (positive: leading edge up, for a flow along " \
     "+x)"},                                                                                     \
    {SEC, "file", FC_KEY_STRING, "", 0, 0, 0, NULL, "", NULL,                                    \
     "shape = file: a NetCDF file with the body as a field on (y, x) and coordinate variables "  \
     "x and y in metres (relative to the case file, or from --set to the working folder; "      \
     "flowcast's own output will do)"},                                                          \
    {SEC, "variable", FC_KEY_STRING, "body_distance", 0, 0, 0, NULL, "", NULL,                   \
     "shape = file: the variable holding the body"},                                             \
    {SEC, "field", FC_KEY_CHOICE, "distance", 0, 0, 0, "distance|mask", "", NULL,                \
     "shape = file: what the variable is: a signed distance in metres (negative inside) or a "   \
     "mask, the solid fraction of each node (the body where it exceeds 1/2)"}

static const fc_key ns2d_keys[] = {
    {"physics", "viscosity", FC_KEY_REAL, "0", 0, INF, FC_OPEN_HI, NULL, "m2 s-1", NULL,
     "kinematic viscosity nu (give it or reynolds)"},
    {"physics", "reynolds", FC_KEY_REAL, "0", 0, INF, FC_OPEN_HI, NULL, "1", NULL,
     "Reynolds number U L / nu with U = reference_speed, L = reference_length (give it or "
     "viscosity)"},
    {"physics", "reference_speed", FC_KEY_REAL, "1", 0, INF, FC_OPEN_LO | FC_OPEN_HI, NULL,
     "m s-1", NULL, "speed U for the Reynolds number and the force coefficients"},
    {"physics", "reference_length", FC_KEY_REAL, "1", 0, INF, FC_OPEN_LO | FC_OPEN_HI, NULL, "m",
     NULL, "length L for the Reynolds number and the force coefficients (the obstacle's size)"},
    {"physics", "force_x", FC_KEY_REAL, "0", -INF, INF, FC_OPEN_LO | FC_OPEN_HI, NULL, "m s-2",
     NULL, "body force per unit mass along x (a pressure gradient -dp/dx / rho)"},
    {"physics", "force_y", FC_KEY_REAL, "0", -INF, INF, FC_OPEN_LO | FC_OPEN_HI, NULL, "m s-2",
     NULL, "body force per unit mass along y"},

    {"boundary", "south_wall_speed", FC_KEY_REAL, "0", -INF, INF, FC_OPEN_LO | FC_OPEN_HI, NULL,
     "m s-1", NULL, "speed of the south wall along +x (a moving lid)"},
    {"boundary", "north_wall_speed", FC_KEY_REAL, "0", -INF, INF, FC_OPEN_LO | FC_OPEN_HI, NULL,
     "m s-1", NULL, "speed of the north wall along +x (the lid of a driven cavity)"},
    {"boundary", "west_wall_speed", FC_KEY_REAL, "0", -INF, INF, FC_OPEN_LO | FC_OPEN_HI, NULL,
     "m s-1", NULL, "speed of the west wall along +y"},
    {"boundary", "east_wall_speed", FC_KEY_REAL, "0", -INF, INF, FC_OPEN_LO | FC_OPEN_HI, NULL,
     "m s-1", NULL, "speed of the east wall along +y"},
    {"boundary", "inflow_speed", FC_KEY_REAL, "1", 0, INF, FC_OPEN_LO | FC_OPEN_HI, NULL, "m s-1",
     NULL, "mean speed into the domain through inflow sides"},
    {"boundary", "inflow_profile", FC_KEY_CHOICE, "parabolic", 0, 0, 0, "parabolic|uniform", "",
     NULL, "profile of the inflow across its side, or across each stretch of it that a body "
     "leaves open (parabolic: peak 1.5 x the mean)"},
    {"boundary", "inflow_period", FC_KEY_REAL, "0", 0, INF, FC_OPEN_HI, NULL, "s", NULL,
     "period P of an oscillating inflow: its speed times sin(2 pi t / P), dt at most cfl P / 40 "
     "(Schaefer & Turek's 2D-3: P = 16 s, run to t = 8 s); 0: steady"},

    {"numerics", "advection", FC_KEY_CHOICE, "quick", 0, 0, 0, "quick|upwind2", "", NULL,
     "interpolation of the advected velocity: QUICK or second-order linear upwind"},
    {"numerics", "preconditioner", FC_KEY_CHOICE, "multigrid", 0, 0, 0, "multigrid|jacobi", "",
     NULL, "preconditioner of the pressure solver's conjugate gradients"},
    {"numerics", "poisson_tol", FC_KEY_REAL, NS2D_POISSON_TOL, 0, INF, FC_OPEN_LO | FC_OPEN_HI, NULL, "s-1",
     NULL, "largest velocity divergence a projection may leave"},
    {"numerics", "poisson_rtol", FC_KEY_REAL, NS2D_POISSON_RTOL, 0, 1, FC_OPEN_LO | FC_OPEN_HI,
     NULL, "1", NULL, "largest divergence a projection may leave relative to the flow's largest "
     "|u|/dx or |v|/dy; the stricter of this and poisson_tol holds"},
    {"numerics", "poisson_max_iterations", FC_KEY_INT, "1000", 1, 1000000, 0, NULL, "1", NULL,
     "iterations after which the pressure solver gives up (the run fails)"},

    {"obstacle", "boundary", FC_KEY_CHOICE, "staircase", 0, 0, 0, "staircase|immersed", "", NULL,
     "how the flow sees the bodies: staircase (cells whose centre a body covers are solid walls; "
     "forces first order) or immersed (no slip on the true surface by interpolation, forces "
     "from surface integrals; see ns2d_body.h)"},
    OBSTACLE_KEYS("obstacle", "a solid body in the flow (up to 4: [obstacle], [obstacle2], "
                              "[obstacle3], [obstacle4]); the forces on each are diagnosed"),
    OBSTACLE_KEYS("obstacle2", "a second body, with the keys of [obstacle] but its boundary"),
    OBSTACLE_KEYS("obstacle3", "a third body, with the keys of [obstacle] but its boundary"),
    OBSTACLE_KEYS("obstacle4", "a fourth body, with the keys of [obstacle] but its boundary"),

    {"initial", "amplitude", FC_KEY_REAL, NULL, -INF, INF, FC_OPEN_LO | FC_OPEN_HI, NULL, "m s-1",
     "taylor_green", "peak velocity U of u = U sin(kx) cos(ky), v = -U cos(kx) sin(ky)"},
    {"initial", "wavenumber", FC_KEY_REAL, "1", 0, INF, FC_OPEN_LO | FC_OPEN_HI, NULL, "m-1",
     "taylor_green", "wavenumber k (the box should be a multiple of 2 pi / k)"},
    {"initial", "path", FC_KEY_STRING, NULL, 0, 0, 0, NULL, "", "file",
     "NetCDF file with the velocity at cell centres (relative to the case file; from --set, to "
     "the working folder)"},
    {"initial", "u_var", FC_KEY_STRING, "u", 0, 0, 0, NULL, "", "file",
     "variable of the x velocity at cell centres (m s-1; empty: 0)"},
    {"initial", "v_var", FC_KEY_STRING, "v", 0, 0, 0, NULL, "", "file",
     "variable of the y velocity at cell centres (m s-1; empty: 0)"},
    {"initial", "interpolate", FC_KEY_CHOICE, "no", 0, 0, 0, "no|bilinear", "", "file",
     "a file on other points than the cells (by its x and y coordinates): refused, or "
     "interpolated bilinearly"},
};


static const char *const side_names[4] = {"west", "east", "south", "north"};
static const char *const wall_speed_keys[4] = {"west_wall_speed", "east_wall_speed",
                                               "south_wall_speed", "north_wall_speed"};

/* The fastest wall or inflow speed of the case, and its key; 0 and NULL when nothing moves. */
static double boundary_speed(const fc_config *cfg, const char **key)
{
    double fastest = 0;
    *key = NULL;
    for (int s = 0; s < 4; s++) {
        const int bc = fc_cfg_choice(cfg, "boundary", side_names[s]);
        const char *k = bc == FC_BC_WALL     ? wall_speed_keys[s]
                        : bc == FC_BC_INFLOW ? "inflow_speed"
                                             : NULL;
        if (k && fabs(fc_cfg_real(cfg, "boundary", k)) > fastest)
            fastest = fabs(fc_cfg_real(cfg, "boundary", k)), *key = k;
    }
    return fastest;
}

/* `reynolds` is taken at reference_speed (nu = U L / Re). A case whose walls or inflow move at a
 * very different speed is another flow than its `reynolds` says: the Re 100 cavity with its lid
 * at 1e-4 m/s and reference_speed left at 1 m/s is a flow at Re 0.01, whose viscous time step
 * (0.0029 s) makes 20 lid crossings (2e5 s) take some 7e7 steps instead of 7000, with no word
 * of why. */
static void advise_reynolds(const fc_config *cfg, char *note, size_t len)
{
    const double re = fc_cfg_real(cfg, "physics", "reynolds");
    const char *key;
    const double fastest = boundary_speed(cfg, &key);
    const double ref = fc_cfg_real(cfg, "physics", "reference_speed");
    if (!(re > 0) || !key || (fastest <= 10 * ref && fastest >= ref / 10))
        return;
    const double length = fc_cfg_real(cfg, "physics", "reference_length");
    snprintf(note, len, "[physics] reynolds = %g is taken at reference_speed = %g m s-1 (nu = %g "
             "m2 s-1), but [boundary] %s = %g m s-1: at that speed the Reynolds number is %g; "
             "for reynolds = %g at it, give reference_speed = %g",
             re, ref, ref * length / re, key, fastest, re * fastest / ref, re, fastest);
}

/* `steady_tol` is absolute (m s-2), so it means nothing without the flow's own rate of change,
 * U max(U/L, nu/L^2) (advection or, below Re 1, diffusion; at least any body force): a run stops
 * as steady with its velocity roughly steady_tol / that scale of U from the steady state (the
 * 64 x 64 Re 100 cavity: 1.6e-4 of U at 1e-4 of the scale, 1.8e-2 at 1e-2, 0.13 at 0.1). The
 * ready-made cases use 1e-4 of it or less; a case copied with its lid slowed to 1e-4 m/s would
 * keep 1e-4 m s-2, 1e4 times its scale, and stop as steady at t = 0.2 s of a 1e4 s spin-up. */
static void advise_steady(const fc_config *cfg, char *note, size_t len)
{
    const double tol = fc_cfg_real(cfg, "time", "steady_tol");
    if (!(tol > 0))
        return;
    const char *key;
    double speed = boundary_speed(cfg, &key);
    if (!key)
        speed = fc_cfg_real(cfg, "physics", "reference_speed");
    const double length = fc_cfg_real(cfg, "physics", "reference_length");
    const double re = fc_cfg_real(cfg, "physics", "reynolds");
    const double nu = re > 0 ? fc_cfg_real(cfg, "physics", "reference_speed") * length / re
                             : fc_cfg_real(cfg, "physics", "viscosity");
    const double force = hypot(fc_cfg_real(cfg, "physics", "force_x"),
                               fc_cfg_real(cfg, "physics", "force_y"));
    const double scale = fmax(speed * fmax(speed / length, nu / (length * length)), force);
    if (tol <= 1e-2 * scale)
        return;
    snprintf(note, len, "[time] steady_tol = %g m s-2 is %.3g times the flow's rate of change "
             "U max(U/L, nu/L^2) = %.3g m s-2 (U = %g m s-1 from %s%s, L = %g m from [physics] "
             "reference_length): the run may stop as steady while the flow still develops; the "
             "ready-made cases take at most 1e-4 of their scale (here steady_tol = %.3g)",
             tol, tol / scale, scale, speed, key ? "[boundary] " : "[physics] ",
             key ? key : "reference_speed", length, 1e-4 * scale);
}

/* NACA mpxx into fractions of the chord; 0 when the string is not four digits that make a
 * section (a thickness, and a camber position when there is camber). */
static int naca_digits(const char *s, double *m, double *pos, double *t)
{
    if (!s || strlen(s) != 4 || strspn(s, "0123456789") != 4)
        return 0;
    *m = (s[0] - '0') / 100.0;
    *pos = (s[1] - '0') / 10.0;
    *t = ((s[2] - '0') * 10 + (s[3] - '0')) / 100.0;
    return *t > 0 && (*m == 0 || *pos > 0);
}

const char *const ns2d_obstacle_sections[NS2D_MAX_BODIES] = {"obstacle", "obstacle2", "obstacle3",
                                                             "obstacle4"};

int ns2d_body_error(const fc_config *cfg, fc_err *err, int body, const char *key, const char *why)
{
    char text[sizeof err->msg];
    snprintf(text, sizeof text, "%s", why);
    err->msg[0] = 0;
    fc_cfg_error(cfg, err, ns2d_obstacle_sections[body], key, "%s", text);
    return FC_EINPUT;
}

/* The keys that only some shapes take, and those shapes (bits 1 << enum ns2d_shape). */
#define SHAPE_BIT(s) (1u << NS2D_SHAPE_##s)
static const struct {
    const char *key;
    unsigned shapes;
} shape_keys[] = {
    {"size", SHAPE_BIT(CIRCLE) | SHAPE_BIT(SQUARE) | SHAPE_BIT(NACA)},
    {"width", SHAPE_BIT(RECTANGLE) | SHAPE_BIT(ELLIPSE)},
    {"height", SHAPE_BIT(RECTANGLE) | SHAPE_BIT(ELLIPSE)},
    {"rotation", SHAPE_BIT(SQUARE) | SHAPE_BIT(RECTANGLE) | SHAPE_BIT(ELLIPSE)},
    {"naca", SHAPE_BIT(NACA)},
    {"angle_of_attack", SHAPE_BIT(NACA)},
    {"file", SHAPE_BIT(FILE)},
    {"variable", SHAPE_BIT(FILE)},
    {"field", SHAPE_BIT(FILE)},
};

/* A key the body's shape does not take is refused rather than ignored (an ellipse given an
 * angle_of_attack would otherwise lie flat without a word): one error per such key given on the
 * command line, or in the case file beside the shape. A shape changed with --set leaves the
 * file's keys of the old shape unused without complaint (run naca0012 --set
 * obstacle.shape=ellipse ...). */
static int ns2d_check_shape_keys(const fc_config *cfg, fc_err *err, const char *sec, int shape,
                                 const char *shape_word)
{
    enum { NKEYS = sizeof shape_keys / sizeof shape_keys[0] };
    /* fc_value.line: -1 the default, 0 from --set, > 0 the case file's line. */
    const int shape_line = fc_cfg_value(cfg, sec, "shape")->line;
    char takes[128] = "";
    for (size_t r = 0; r < NKEYS; r++)
        if (shape_keys[r].shapes & (1u << shape)) {
            const size_t len = strlen(takes);
            snprintf(takes + len, sizeof takes - len, "%s%s", len ? ", " : "", shape_keys[r].key);
        }
    /* The refused keys in the order the user gave them (--set first, then by line). */
    size_t refused[NKEYS];
    int lines[NKEYS], n = 0;
    for (size_t q = 0; q < NKEYS; q++) {
        const int line = fc_cfg_value(cfg, sec, shape_keys[q].key)->line;
        if (shape_keys[q].shapes & (1u << shape) || !(line == 0 || (line > 0 && shape_line > 0)))
            continue;
        int k = n++;
        for (; k > 0 && lines[k - 1] > line; k--) {
            refused[k] = refused[k - 1];
            lines[k] = lines[k - 1];
        }
        refused[k] = q;
        lines[k] = line;
    }
    for (int k = 0; k < n; k++)
        fc_cfg_error(cfg, err, sec, shape_keys[refused[k]].key,
                     "shape = %s does not take this key (its own: %s); remove it", shape_word,
                     takes);
    return n;
}

/* A section that places or sizes a body without naming its shape would add nothing without a
 * word: an error per key given. (shape = none, written out, switches a body off and leaves its
 * keys be.) */
static int ns2d_check_shapeless(const fc_config *cfg, fc_err *err, const char *sec)
{
    static const char *const placing[] = {"center_x", "center_y"};
    if (!fc_cfg_defaulted(cfg, sec, "shape"))
        return 0;
    int n = 0;
    for (size_t q = 0; q < 2 + sizeof shape_keys / sizeof shape_keys[0]; q++) {
        const char *key = q < 2 ? placing[q] : shape_keys[q - 2].key;
        if (fc_cfg_defaulted(cfg, sec, key))
            continue;
        fc_cfg_error(cfg, err, sec, key, "the body has no shape: give shape = circle, square, "
                     "rectangle, ellipse, naca or file (or none)");
        n++;
    }
    return n;
}

/* The keys each body's shape needs (and takes); the bodies numbered from [obstacle] on, without
 * gaps. */
static int ns2d_check_obstacle(const fc_config *cfg, fc_err *err)
{
    static const char *const shape_words[] = {"",        "circle", "square", "rectangle",
                                              "ellipse", "naca",   "file"};
    int n = 0, gap = -1;
    for (int bi = 0; bi < NS2D_MAX_BODIES; bi++) {
        const char *sec = ns2d_obstacle_sections[bi];
        const int shape = fc_cfg_choice(cfg, sec, "shape");
        if (shape == NS2D_SHAPE_NONE) {
            gap = gap < 0 ? bi : gap;
            n += ns2d_check_shapeless(cfg, err, sec);
            continue;
        }
        if (gap >= 0) {
            fc_cfg_error(cfg, err, sec, "shape", "[%s] has no shape: number the bodies from "
                         "[obstacle] on, without gaps", ns2d_obstacle_sections[gap]);
            n++;
        }
        n += ns2d_check_shape_keys(cfg, err, sec, shape, shape_words[shape]);
        if ((shape == NS2D_SHAPE_CIRCLE || shape == NS2D_SHAPE_SQUARE ||
             shape == NS2D_SHAPE_NACA) && !(fc_cfg_real(cfg, sec, "size") > 0)) {
            fc_cfg_error(cfg, err, sec, "size", "must be positive for the %s",
                         shape == NS2D_SHAPE_NACA ? "aerofoil (its chord)" : shape_words[shape]);
            n++;
        }
        if (shape == NS2D_SHAPE_RECTANGLE || shape == NS2D_SHAPE_ELLIPSE)
            for (int q = 0; q < 2; q++) {
                const char *key = q ? "height" : "width";
                if (!(fc_cfg_real(cfg, sec, key) > 0)) {
                    fc_cfg_error(cfg, err, sec, key, "must be positive for the %s",
                                 shape_words[shape]);
                    n++;
                }
            }
        double m, pos, t;
        if (shape == NS2D_SHAPE_NACA && !naca_digits(fc_cfg_str(cfg, sec, "naca"), &m, &pos, &t)) {
            fc_cfg_error(cfg, err, sec, "naca",
                         "'%s' is not a NACA 4-digit section: four digits mpxx with a thickness "
                         "xx above 0 and, with a camber m, its position p above 0 (e.g. 0012, "
                         "2412)", fc_cfg_str(cfg, sec, "naca"));
            n++;
        }
        if (shape == NS2D_SHAPE_FILE && !fc_cfg_str(cfg, sec, "file")[0]) {
            fc_cfg_error(cfg, err, sec, "file", "shape = file needs the NetCDF file that holds "
                         "the body");
            n++;
        }
    }
    return n;
}

/* The body of section sec (the field of a file's shape is read by make_params). */
static ns2d_body read_body(const fc_config *cfg, const char *sec)
{
    ns2d_body b = {0};
    const double deg = acos(-1) / 180;
    b.shape = fc_cfg_choice(cfg, sec, "shape");
    b.boundary = fc_cfg_choice(cfg, "obstacle", "boundary");
    b.cx = fc_cfg_real(cfg, sec, "center_x");
    b.cy = fc_cfg_real(cfg, sec, "center_y");
    const double size = fc_cfg_real(cfg, sec, "size");
    double angle = fc_cfg_real(cfg, sec, "rotation") * deg;
    switch (b.shape) {
    case NS2D_SHAPE_CIRCLE:
    case NS2D_SHAPE_SQUARE:
        b.a = b.b = size / 2;
        break;
    case NS2D_SHAPE_RECTANGLE:
    case NS2D_SHAPE_ELLIPSE:
        b.a = fc_cfg_real(cfg, sec, "width") / 2;
        b.b = fc_cfg_real(cfg, sec, "height") / 2;
        break;
    case NS2D_SHAPE_NACA:
        b.a = b.b = size / 2;
        naca_digits(fc_cfg_str(cfg, sec, "naca"), &b.camber, &b.camber_pos, &b.thickness);
        angle = -fc_cfg_real(cfg, sec, "angle_of_attack") * deg; /* nose up: clockwise */
        break;
    default:
        break;
    }
    b.cos_r = cos(angle);
    b.sin_r = sin(angle);
    return b;
}

/* An immersed body's force probes reach NS2D_PROBE_REACH cells out along its normals: where a
 * wall or another non-periodic side is nearer, they read beyond it and its forces are not to be
 * trusted (docs/ns2d.md: the 2D-1 cylinder 2.5 cells above the floor has half its lift).
 * The advice names the nearest such side and the cells that keep the probes inside. A body from
 * a file is left out (its field is read later, by make_params), and so is a body reaching past
 * the side (a bump on a wall), whose probes all point into the domain. */
static void advise_wall_probes(const fc_config *cfg, char *note, size_t len)
{
    if (fc_cfg_choice(cfg, "obstacle", "boundary") != NS2D_BODY_IMMERSED)
        return;
    const double x0 = fc_cfg_real(cfg, "grid", "x_min"), x1 = fc_cfg_real(cfg, "grid", "x_max"),
                 y0 = fc_cfg_real(cfg, "grid", "y_min"), y1 = fc_cfg_real(cfg, "grid", "y_max");
    const double h = fmax((x1 - x0) / (double)fc_cfg_int(cfg, "grid", "nx"),
                          (y1 - y0) / (double)fc_cfg_int(cfg, "grid", "ny"));
    const double reach = NS2D_PROBE_REACH * h, edge[4] = {x0, x1, y0, y1};
    for (int b = 0; b < NS2D_MAX_BODIES && !note[0]; b++) {
        const char *sec = ns2d_obstacle_sections[b];
        if (fc_cfg_choice(cfg, sec, "shape") == NS2D_SHAPE_NONE)
            break;
        const ns2d_body body = read_body(cfg, sec);
        ns2d_outline o;
        if (body.shape == NS2D_SHAPE_FILE || ns2d_outline_make(&body, &o))
            continue;
        const int n = ns2d_outline_sample(&o, h / 4, NULL, 0);
        ns2d_surface_point *pts = malloc((size_t)(n > 0 ? n : 1) * sizeof *pts);
        double nearest = INFINITY;
        int near_side = -1;
        if (pts)
            ns2d_outline_sample(&o, h / 4, pts, n);
        for (int q = 0; pts && q < n; q++) {
            const double at[2] = {pts[q].x, pts[q].y}, dir[2] = {pts[q].nx, pts[q].ny};
            const int inside = ns2d_in_box(at[0], at[1], edge, 0);
            for (int side = FC_WEST; inside && side <= FC_NORTH; side++) {
                if (fc_cfg_choice(cfg, "boundary", side_names[side]) == FC_BC_PERIODIC)
                    continue;
                const int c = side / 2, low = side % 2 == 0;
                const double probe = at[c] + reach * dir[c];
                const double gap = low ? at[c] - edge[side] : edge[side] - at[c];
                if ((low ? probe < edge[side] : probe > edge[side]) && gap < nearest)
                    nearest = gap, near_side = side;
            }
        }
        free(pts);
        ns2d_outline_free(&o);
        if (near_side >= 0)
            snprintf(note, len, "[%s] comes within %.3g cells of the %s side, where its force "
                     "probes (%g cells out) read beyond it: its drag and lift are not to be "
                     "trusted (docs/ns2d.md); cells of at most %.3g m keep 4 cells between them",
                     sec, nearest / h, side_names[near_side], (double)NS2D_PROBE_REACH,
                     nearest / 4);
    }
}

/* The force coefficients 2 F / (U^2 L) (and a `reynolds`) are taken at [physics]
 * reference_speed and reference_length, 1 m s-1 and 1 m unless given. A case with a body that
 * leaves either at its default while its inflow or walls move at another speed, or its body
 * (a circle, square or aerofoil: `size`) has another size, gets coefficients that are not the
 * body's: the 2D-1 cylinder written without them had a drag coefficient of 0.021 for 5.37 (25
 * x 10 times too small), with no word of why. */
static void advise_reference(const fc_config *cfg, char *note, size_t len)
{
    const int shape = fc_cfg_choice(cfg, "obstacle", "shape");
    if (shape == NS2D_SHAPE_NONE)
        return;
    const char *key;
    const double speed = boundary_speed(cfg, &key);
    const double size = shape == NS2D_SHAPE_CIRCLE || shape == NS2D_SHAPE_SQUARE ||
                                shape == NS2D_SHAPE_NACA
                            ? fc_cfg_real(cfg, "obstacle", "size")
                            : NAN;
    const int speed_off = fc_cfg_defaulted(cfg, "physics", "reference_speed") && key &&
                          fabs(speed - 1) > 0.01,
              length_off = fc_cfg_defaulted(cfg, "physics", "reference_length") &&
                           fabs(size - 1) > 0.01; /* false for NaN */
    if (!speed_off && !length_off)
        return;
    char speed_part[160] = "", length_part[160] = "";
    if (speed_off)
        snprintf(speed_part, sizeof speed_part, "reference_speed = 1 m s-1 while [boundary] %s "
                 "= %g m s-1", key, speed);
    if (length_off)
        snprintf(length_part, sizeof length_part, "reference_length = 1 m while [obstacle] size "
                 "= %g m", size);
    snprintf(note, len, "the force coefficients 2 F / (U^2 L)%s are taken at the default [physics] "
             "%s%s%s: give [physics] %s%s%s for the body's own",
             fc_cfg_real(cfg, "physics", "reynolds") > 0 ? " and the Reynolds number" : "",
             speed_part, speed_off && length_off ? ", and " : "", length_part,
             speed_off ? "reference_speed" : "", speed_off && length_off ? " and " : "",
             length_off ? "reference_length" : "");
}

/* Everything the case likely did not mean, one line each. */
static void ns2d_advise(const fc_config *cfg, char *note, size_t len)
{
    void (*const advice[])(const fc_config *, char *, size_t) = {
        advise_reynolds, advise_steady, advise_wall_probes, advise_reference};
    note[0] = '\0';
    for (size_t i = 0; i < sizeof advice / sizeof advice[0]; i++) {
        char line[512] = "";
        advice[i](cfg, line, sizeof line);
        const size_t used = strlen(note);
        if (line[0])
            snprintf(note + used, len - used, "%s%s", used ? "\n" : "", line);
    }
}

static int ns2d_check(const fc_config *cfg, fc_err *err)
{
    int n = 0;
    double nu = fc_cfg_real(cfg, "physics", "viscosity"), re = fc_cfg_real(cfg, "physics", "reynolds");
    if ((nu > 0) == (re > 0)) {
        fc_cfg_error(cfg, err, "physics", nu > 0 ? "reynolds" : "viscosity",
                     nu > 0 ? "give viscosity or reynolds, not both"
                            : "give the viscosity (or [physics] reynolds): both are 0");
        n++;
    }
    if (fc_cfg_int(cfg, "grid", "nx") * fc_cfg_int(cfg, "grid", "ny") < 2) {
        fc_cfg_error(cfg, err, "grid", "nx", "a 1 x 1 grid has no pressure gradient to solve for: "
                     "give the incompressible solver at least 2 cells");
        n++;
    }
    int inflow = -1, outflow = 0;
    for (int s = 0; s < 4; s++) {
        int bc = fc_cfg_choice(cfg, "boundary", side_names[s]);
        if (bc == FC_BC_INFLOW && inflow < 0)
            inflow = s;
        outflow |= bc == FC_BC_OPEN;
        if (bc != FC_BC_WALL && fc_cfg_real(cfg, "boundary", wall_speed_keys[s]) != 0) {
            fc_cfg_error(cfg, err, "boundary", wall_speed_keys[s],
                         "the %s side is %s, not a wall", side_names[s], fc_bc_name(bc));
            n++;
        }
    }
    if (inflow < 0) {
        int sides_set = 0;
        for (int s = 0; s < 4; s++)
            sides_set |= fc_cfg_from_set(cfg, "boundary", side_names[s]);
        n += fc_cfg_idle(cfg, err, "boundary", "inflow_speed", sides_set, "no side is an inflow");
        n += fc_cfg_idle(cfg, err, "boundary", "inflow_profile", sides_set,
                         "no side is an inflow");
        n += fc_cfg_idle(cfg, err, "boundary", "inflow_period", sides_set,
                         "no side is an inflow");
    }
    if (inflow >= 0 && fc_cfg_real(cfg, "boundary", "inflow_period") > 0 &&
        fc_cfg_real(cfg, "time", "steady_tol") > 0) {
        fc_cfg_error(cfg, err, "time", "steady_tol",
                     "an oscillating inflow ([boundary] inflow_period) never lets the flow "
                     "settle: run it to t_end (steady_tol = 0)");
        n++;
    }
    if (inflow >= 0 && !outflow) {
        fc_cfg_error(cfg, err, "boundary", side_names[inflow],
                     "an inflow needs an open (outflow) side for the fluid to leave by");
        n++;
    }
    /* ns2d.h: SSP-RK2 with the weighted advective rate holds either scheme at its von Neumann
     * limit for pure advection at cfl 0.8; above it some modes grow. */
    const double cfl = fc_cfg_real(cfg, "time", "cfl");
    if (cfl > NS2D_CFL_MAX) {
        fc_cfg_error(cfg, err, "time", "cfl",
                     "above %g, where the incompressible solver's time stepping stops being "
                     "stable (SSP-RK2 with QUICK or linear-upwind advection): use %g or less",
                     NS2D_CFL_MAX, NS2D_CFL_MAX);
        n++;
    }
    n += ns2d_check_obstacle(cfg, err);
    int bodies = 0, shapes_set = 0;
    for (int bi = 0; bi < NS2D_MAX_BODIES; bi++) {
        bodies += fc_cfg_choice(cfg, ns2d_obstacle_sections[bi], "shape") != NS2D_SHAPE_NONE;
        shapes_set |= fc_cfg_from_set(cfg, ns2d_obstacle_sections[bi], "shape");
    }
    if (!bodies)
        n += fc_cfg_idle(cfg, err, "obstacle", "boundary", shapes_set,
                         "there is no body (every [obstacle] shape is none)");
    const char *ic = ns2d_ics[fc_cfg_choice(cfg, "initial", "type")].name;
    if (!strcmp(ic, "taylor_green") &&
        (fc_cfg_choice(cfg, "boundary", "west") != FC_BC_PERIODIC ||
         fc_cfg_choice(cfg, "boundary", "south") != FC_BC_PERIODIC)) {
        fc_cfg_error(cfg, err, "initial", "type",
                     "taylor_green is exact in a doubly periodic box: make every side periodic");
        n++;
    }
    return n;
}

/*
 * The free stream's direction, along which drag is measured: into the domain through the inflow
 * sides (several: their inflows summed, each side's normal weighed by its length), else along
 * the body force, else +x (a cavity, walls that move). The coefficients of a channel turned to
 * run along y are then the unturned channel's (before, drag was F_x whatever the flow: the 2D-1
 * cylinder fed from the south had a drag of -0.011 and a lift of 5.37).
 */
static void ns2d_flow_direction(const ns2d_params *p, const fc_grid *g, double e[2])
{
    const double inward[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}}; /* W, E, S, N */
    double sx = 0, sy = 0;
    for (int s = FC_WEST; s <= FC_NORTH; s++)
        if (g->bc[s] == FC_BC_INFLOW) {
            const double length = s <= FC_EAST ? g->y_max - g->y_min : g->x_max - g->x_min;
            sx += inward[s][0] * length;
            sy += inward[s][1] * length;
        }
    if (sx == 0 && sy == 0) /* no inflow, or inflows that face each other */
        sx = p->force_x, sy = p->force_y;
    if (sx == 0 && sy == 0)
        sx = 1;
    const double norm = hypot(sx, sy);
    e[0] = sx / norm;
    e[1] = sy / norm;
}

/*
 * The parameters, in one block with the fields of the bodies given by files after the struct
 * (the solver interface frees parameters with free()). Immersed bodies must stand apart by more
 * than the force probes reach (3.5 cells and an interpolation cell), or one body's probes would
 * read another's inside.
 */
static int ns2d_make_params(const fc_config *cfg, const fc_grid *g, void **out, fc_err *err)
{
    ns2d_body body[NS2D_MAX_BODIES];
    ns2d_field *field[NS2D_MAX_BODIES] = {NULL};
    int nbodies = 0, st = FC_OK;
    size_t extra = 0;
    for (int b = 0; b < NS2D_MAX_BODIES && !st; b++) {
        const char *sec = ns2d_obstacle_sections[b];
        if (fc_cfg_choice(cfg, sec, "shape") == NS2D_SHAPE_NONE)
            break;
        body[nbodies] = read_body(cfg, sec);
        if (body[nbodies].shape == NS2D_SHAPE_FILE) {
            char *path = fc_cfg_path(cfg, sec, "file");
            if (!path)
                st = fc_fail(err, FC_ENOMEM, "out of memory");
            else
                st = ns2d_body_field_read(path, fc_cfg_str(cfg, sec, "variable"),
                                          fc_cfg_choice(cfg, sec, "field") == 1, &field[b], err);
            if (st == FC_EINPUT)
                ns2d_body_error(cfg, err, b, "file", err->msg);
            else if (!st)
                extra += ns2d_field_size(field[b]);
            free(path);
        }
        nbodies++;
    }
    ns2d_params *p = st ? NULL : calloc(1, sizeof *p + extra);
    if (!st && !p)
        st = fc_fail(err, FC_ENOMEM, "out of memory");
    if (st) {
        for (int b = 0; b < NS2D_MAX_BODIES; b++)
            free(field[b]);
        return st;
    }
    char *room = (char *)(p + 1);
    for (int b = 0; b < nbodies; b++) {
        p->body[b] = body[b];
        if (field[b]) {
            p->body[b].field = ns2d_field_place(room, field[b]);
            room += ns2d_field_size(field[b]);
            free(field[b]);
        }
    }
    p->nbodies = nbodies;
    p->ref_speed = fc_cfg_real(cfg, "physics", "reference_speed");
    p->ref_length = fc_cfg_real(cfg, "physics", "reference_length");
    double nu = fc_cfg_real(cfg, "physics", "viscosity");
    p->nu = (fc_real)(nu > 0 ? nu : p->ref_speed * p->ref_length / fc_cfg_real(cfg, "physics", "reynolds"));
    p->force_x = (fc_real)fc_cfg_real(cfg, "physics", "force_x");
    p->force_y = (fc_real)fc_cfg_real(cfg, "physics", "force_y");
    for (int s = 0; s < 4; s++)
        p->wall_speed[s] = (fc_real)fc_cfg_real(cfg, "boundary", wall_speed_keys[s]);
    p->inflow_speed = (fc_real)fc_cfg_real(cfg, "boundary", "inflow_speed");
    p->inflow_profile = fc_cfg_choice(cfg, "boundary", "inflow_profile");
    p->inflow_period = fc_cfg_real(cfg, "boundary", "inflow_period");
    p->advection = fc_cfg_choice(cfg, "numerics", "advection");
    p->precond = fc_cfg_choice(cfg, "numerics", "preconditioner");
    p->poisson_tol = fc_cfg_real(cfg, "numerics", "poisson_tol");
    p->poisson_rtol = fc_cfg_real(cfg, "numerics", "poisson_rtol");
    p->poisson_max_iter = (int)fc_cfg_int(cfg, "numerics", "poisson_max_iterations");
    p->grid = *g;
    ns2d_flow_direction(p, g, p->flow_dir);
    if (nbodies > 1 && p->body[0].boundary == NS2D_BODY_IMMERSED) {
        const double need = 5 * fmax(g->dx, g->dy);
        for (int b = 0; b < nbodies && !st; b++) {
            const double gap = ns2d_body_gap(p, b);
            char why[256];
            if (isnan(gap))
                st = fc_fail(err, FC_ENOMEM, "out of memory for the bodies' surfaces");
            else if (!(gap > need)) {
                if (gap > 0)
                    snprintf(why, sizeof why, "comes within %.3g m (%.2g cells) of another body",
                             gap, gap / fmax(g->dx, g->dy));
                else
                    snprintf(why, sizeof why, "overlaps another body");
                snprintf(why + strlen(why), sizeof why - strlen(why),
                         "; immersed bodies must stand more than 5 cells apart (%.3g m), where "
                         "the force probes reach", need);
                st = ns2d_body_error(cfg, err, b, "shape", why);
            }
        }
    }
    for (int b = 0; b < nbodies && !st; b++) {
        double x, y;
        const int side = ns2d_body_periodic_side(p, b, &x, &y);
        if (side == -2)
            st = fc_fail(err, FC_ENOMEM, "out of memory for the bodies' surfaces");
        else if (side >= 0) {
            char why[256];
            snprintf(why, sizeof why,
                     "the body crosses the periodic %s side (it holds the point x = %g, y = %g "
                     "m) but not the opposite side there; a body is not repeated across a "
                     "periodic side: keep it inside the grid",
                     side_names[side], x, y);
            const ns2d_body *bd = &p->body[b];
            st = ns2d_body_error(cfg, err, b,
                                 bd->shape == NS2D_SHAPE_FILE ? "file"
                                 : side <= FC_EAST            ? "center_x"
                                                              : "center_y",
                                 why);
        }
    }
    const double cell = fmax(g->dx, g->dy);
    for (int b = 0; b < nbodies && !st && p->body[0].boundary == NS2D_BODY_IMMERSED; b++) {
        const double thick = ns2d_body_thickness(p, b);
        char why[320];
        if (isnan(thick))
            st = fc_fail(err, FC_ENOMEM, "out of memory for the bodies' surfaces");
        else if (thick < NS2D_IB_THICKEST * cell) {
            snprintf(why, sizeof why,
                     "the body is %.3g cells thick at its thickest (%.3g m on cells of %.3g m); "
                     "an immersed body needs %.3g or more, or the flow can pass through it between "
                     "two rows of faces. Use cells of at most %.3g m, or boundary = staircase",
                     thick / cell, thick, cell, NS2D_IB_THICKEST, thick / NS2D_IB_THICKEST);
            const ns2d_body *bd = &p->body[b];
            const char *key = bd->shape == NS2D_SHAPE_FILE ? "file"
                              : bd->shape == NS2D_SHAPE_RECTANGLE || bd->shape == NS2D_SHAPE_ELLIPSE
                                  ? (bd->a < bd->b ? "width" : "height")
                                  : "size";
            st = ns2d_body_error(cfg, err, b, key, why);
        }
    }
    if (st) {
        free(p);
        return st;
    }
    *out = p;
    return FC_OK;
}

/* ---- host side shared by both backends ---- */

void ns2d_cell_kinds(const fc_grid *g, const fc_real *solid, signed char *kind)
{
    static const signed char of_bc[4] = {NS2D_FLUID, NS2D_SOLID_CELL, NS2D_OUTFLOW, NS2D_INFLOW};
    for (int j = -g->ng; j < g->ny + g->ng; j++)
        for (int i = -g->ng; i < g->nx + g->ng; i++) {
            int si = i, sj = j;
            ns2d_wrap(g, &si, &sj);
            signed char k;
            if (si >= 0 && si < g->nx && sj >= 0 && sj < g->ny)
                k = solid[fc_idx(g->pitch, g->ng, si, sj)] != 0 ? NS2D_SOLID_CELL : NS2D_FLUID;
            else {
                /* Halo: the side it lies beyond; at corners, walls win over flow sides. */
                int kx = si < 0 ? of_bc[g->bc[FC_WEST]] : si >= g->nx ? of_bc[g->bc[FC_EAST]] : -1;
                int ky = sj < 0 ? of_bc[g->bc[FC_SOUTH]] : sj >= g->ny ? of_bc[g->bc[FC_NORTH]] : -1;
                k = (signed char)(kx < 0 ? ky : ky < 0 ? kx : kx == NS2D_SOLID_CELL ? kx : ky);
            }
            kind[fc_idx(g->pitch, g->ng, i, j)] = k;
        }
}

/* Inflow normal speed at position s across an open stretch of length len, at factor 1. */
static double ns2d_inflow_profile(const ns2d_params *p, double s, double len)
{
    if (p->inflow_profile == NS2D_PROFILE_UNIFORM)
        return p->inflow_speed;
    double x = s / len;
    return 6 * p->inflow_speed * x * (1 - x); /* mean inflow_speed, peak 1.5 x */
}

/* Whether the face at slot k lies between an inflow cell (at offset beyond) and a fluid cell (at
 * offset inside): a face the inflow sets. */
static int ns2d_inflow_face(const signed char *kind, ptrdiff_t k, ptrdiff_t beyond,
                            ptrdiff_t inside)
{
    return kind[k + beyond] == NS2D_INFLOW && kind[k + inside] == NS2D_FLUID;
}

double ns2d_inflow_factor(const ns2d_params *p, double t)
{
    return p->inflow_period > 0 ? sin(2 * M_PI * t / p->inflow_period) : 1;
}

double ns2d_inflow_rate(const ns2d_params *p)
{
    return p->inflow_period > 0 ? 40 / p->inflow_period : 0;
}

/*
 * The inflow faces along one side: face t (0 <= t < n) is slot first + t step of q, with an
 * inflow cell at offset `beyond` from it and, where the face is open, a fluid cell at offset
 * `inside`. A body that touches the side closes its faces there, and the profile spans each
 * run of open faces as the channel between the body and the side's end (a backward-facing
 * step's inflow is a parabola over the step, not half of one over the whole side); with no
 * body on the side, the run is the side. Along a periodic direction (periodic: the sides at
 * the ends of this one are) a run open across the last face and the first is one run that
 * wraps, so the scan starts after a closed face. sign: +1 where into the domain is +x (+y).
 */
static void ns2d_inflow_side(const ns2d_params *p, const signed char *kind, fc_real *q,
                             ptrdiff_t first, ptrdiff_t step, int n, int periodic,
                             ptrdiff_t beyond, ptrdiff_t inside, double sign, double h)
{
#define NS2D_OPEN(t) ns2d_inflow_face(kind, first + (t) * step, beyond, inside)
    int start = 0;
    for (int t = 0; periodic && t < n; t++)
        if (!NS2D_OPEN(t)) {
            start = t + 1;
            break;
        }
    /* Runs r0..r1 counted from start, face (start + r) % n. */
    for (int r0 = 0; r0 < n; r0++) {
        if (!NS2D_OPEN((start + r0) % n))
            continue;
        int r1 = r0;
        while (r1 + 1 < n && NS2D_OPEN((start + r1 + 1) % n))
            r1++;
        for (int r = r0; r <= r1; r++)
            q[first + (ptrdiff_t)((start + r) % n) * step] =
                (fc_real)(sign * ns2d_inflow_profile(p, (r - r0 + 0.5) * h, (r1 - r0 + 1) * h));
        r0 = r1;
    }
#undef NS2D_OPEN
}

void ns2d_boundary_values(const ns2d_params *p, const signed char *kind, fc_real *u, fc_real *v)
{
    const fc_grid *g = &p->grid;
    const ptrdiff_t P = g->pitch;
    for (int j = 1 - g->ng; j < g->ny + g->ng; j++)
        for (int i = 1 - g->ng; i < g->nx + g->ng; i++) {
            ptrdiff_t k = fc_idx(P, g->ng, i, j);
            if (ns2d_class_u(kind, k) == NS2D_FACE_FIXED)
                u[k] = 0;
            if (ns2d_class_v(kind, k, P) == NS2D_FACE_FIXED)
                v[k] = 0;
        }
    const ptrdiff_t west = fc_idx(P, g->ng, 0, 0), east = fc_idx(P, g->ng, g->nx, 0),
                    north = fc_idx(P, g->ng, 0, g->ny);
    const int periodic_y = g->bc[FC_SOUTH] == FC_BC_PERIODIC,
              periodic_x = g->bc[FC_WEST] == FC_BC_PERIODIC;
    if (g->bc[FC_WEST] == FC_BC_INFLOW)
        ns2d_inflow_side(p, kind, u, west, P, g->ny, periodic_y, -1, 0, 1, g->dy);
    if (g->bc[FC_EAST] == FC_BC_INFLOW)
        ns2d_inflow_side(p, kind, u, east, P, g->ny, periodic_y, 0, -1, -1, g->dy);
    if (g->bc[FC_SOUTH] == FC_BC_INFLOW)
        ns2d_inflow_side(p, kind, v, west, 1, g->nx, periodic_x, -P, 0, 1, g->dx);
    if (g->bc[FC_NORTH] == FC_BC_INFLOW)
        ns2d_inflow_side(p, kind, v, north, 1, g->nx, periodic_x, 0, -P, -1, g->dx);
}

int ns2d_inflow_faces_make(const ns2d_params *p, const signed char *kind, const fc_real *u,
                           const fc_real *v, ns2d_inflow_faces *f, fc_err *err)
{
    memset(f, 0, sizeof *f);
    if (!(p->inflow_period > 0))
        return FC_OK;
    const fc_grid *g = &p->grid;
    const ptrdiff_t P = g->pitch;
    const size_t most = 2 * ((size_t)g->nx + (size_t)g->ny);
    f->k = malloc(most * sizeof *f->k);
    f->comp = malloc(most);
    f->value = malloc(most * sizeof *f->value);
    if (!f->k || !f->comp || !f->value) {
        ns2d_inflow_faces_free(f);
        return fc_fail(err, FC_ENOMEM, "out of host memory for the inflow");
    }
    /* The faces ns2d_inflow_side sets (e: the west or south side, then the east or north). */
    for (int j = 0; j < g->ny; j++)
        for (int e = 0; e < 2; e++) {
            const ptrdiff_t k = fc_idx(P, g->ng, e ? g->nx : 0, j);
            if (ns2d_inflow_face(kind, k, e - 1, -e)) {
                f->k[f->n] = k;
                f->comp[f->n] = NS2D_U;
                f->value[f->n++] = u[k];
            }
        }
    for (int i = 0; i < g->nx; i++)
        for (int e = 0; e < 2; e++) {
            const ptrdiff_t k = fc_idx(P, g->ng, i, e ? g->ny : 0);
            if (ns2d_inflow_face(kind, k, (e - 1) * P, -e * P)) {
                f->k[f->n] = k;
                f->comp[f->n] = NS2D_V;
                f->value[f->n++] = v[k];
            }
        }
    return FC_OK;
}

void ns2d_inflow_faces_free(ns2d_inflow_faces *f)
{
    free(f->k);
    free(f->comp);
    free(f->value);
    memset(f, 0, sizeof *f);
}

void ns2d_inflow_faces_set(const ns2d_params *p, const ns2d_inflow_faces *f, double t, fc_real *u,
                           fc_real *v)
{
    const fc_real factor = (fc_real)ns2d_inflow_factor(p, t);
    for (int e = 0; e < f->n; e++)
        (f->comp[e] == NS2D_U ? u : v)[f->k[e]] = f->value[e] * factor;
}

/* ---- output ---- */

/* Three sets of (u, v, p), solid, kinds and unknown numbers, and the pressure solver. */
static double ns2d_mem_per_cell(const void *params)
{
    (void)params;
    return 3 * 3 + 1 + 0.75 + ns2d_poisson_values_per_cell();
}

/*
 * Per stage: the update reads u, v, p (and u0, v0 on the second) and writes u, v; the
 * projection reads u, v for the divergence, writes its right-hand side, and reads and writes u,
 * v and p once more. The pressure solve's iterations come on top: this is the floor.
 */
static double ns2d_bytes_per_cell_step(const void *params)
{
    (void)params;
    return (double)sizeof(fc_real) * (NS2D_STAGES * (3 + 2 + 2 + 1 + 6) + 2);
}

/*
 * After every restart (fc_solver_io.restarted): the bodies' mask is the case's, as are the
 * immersed boundary's tables and the forces, which the backends build from the case's bodies.
 * A restart onto another grid interpolated the file's mask, which means nothing there; one on
 * the same grid may continue a run whose case has since moved, resized or removed a body (a
 * mask from the file and a smaller body from the case gave a drag coefficient of -1.95). The
 * velocities on the faces the mask fixes are set when the state is uploaded
 * (ns2d_boundary_values), the immersed faces by the forcing, and the first projection makes
 * the flow divergence-free with the case's bodies.
 */
static int ns2d_restarted(const fc_config *cfg, const void *params, const fc_grid *g,
                          fc_state *state, const fc_state *initial, int regridded, char *note,
                          size_t note_size, fc_err *err)
{
    (void)initial; /* the mask comes from the bodies' shapes, without an initial condition */
    fc_real *mask = fc_grid_alloc(g);
    if (!mask)
        return fc_fail(err, FC_ENOMEM, "out of host memory for the bodies' mask");
    int st = ns2d_case_solid(cfg, g, params, mask, err);
    long long gained = 0, freed = 0;
    fc_real *solid = state->f[NS2D_SOLID];
    for (int j = 0; j < g->ny && !st; j++)
        for (int i = 0; i < g->nx; i++) {
            const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
            gained += mask[k] != 0 && solid[k] == 0;
            freed += mask[k] == 0 && solid[k] != 0;
            solid[k] = mask[k];
        }
    free(mask);
    note[0] = 0;
    if (!st && !regridded && (gained || freed))
        snprintf(note, note_size,
                 "the case's bodies differ from the restart file's: they cover %lld of its "
                 "fluid cells and free %lld of its solid ones; the run goes on with the case's",
                 gained, freed);
    return st;
}

static const char *const ns2d_field_names[] = {"u", "v", "p", "solid"};
static const char *const ns2d_restart_vars[] = {"u_face", "v_face", "p", "solid"};

enum { V_U, V_V, V_P, V_VORT, V_PSI, V_DIV, V_UF, V_VF, V_SOLID, V_DIST, NVARS };
static const fc_var_spec ns2d_vars[NVARS] = {
    {"u", "x velocity at cell centres", "m s-1", NULL, FC_VAR_TYX},
    {"v", "y velocity at cell centres", "m s-1", NULL, FC_VAR_TYX},
    {"p", "kinematic pressure p / rho", "m2 s-2", NULL, FC_VAR_TYX},
    {"vorticity", "vorticity dv/dx - du/dy", "s-1", NULL, FC_VAR_TYX},
    {"stream_function", "stream function psi (u = dpsi/dy, v = -dpsi/dx; 0 at the south-west "
                        "corner)", "m2 s-1", NULL, FC_VAR_TYX},
    {"divergence", "velocity divergence du/dx + dv/dy (a cell cut by an immersed body: the net "
                   "outflow through the open part of its faces, per unit cell area)", "s-1", NULL,
     FC_VAR_TYX},
    {"u_face", "x velocity on the faces normal to x (staggered grid)", "m s-1", NULL,
     FC_VAR_TY_XFACE},
    {"v_face", "y velocity on the faces normal to y (staggered grid)", "m s-1", NULL,
     FC_VAR_TYFACE_X},
    {"solid", "mask of the obstacle's solid core, left out of the pressure equation (1: solid)",
     "1", NULL, FC_VAR_YX},
    {"body_distance", "signed distance of cell centres to the obstacles' surfaces (negative "
                      "inside; written with obstacles)", "m", NULL, FC_VAR_YX},
};

enum { D_KE, D_ENS, D_DIV, D_CD, D_CL, D_DP, D_CD_CV, D_CL_CV, D_BODY, /* drag, lift of each */
       NDIAGS = D_BODY + 2 * NS2D_MAX_BODIES };
static const fc_diag_spec ns2d_diags[NDIAGS] = {
    {"kinetic_energy", "kinetic energy per unit density and depth (integral of |u|^2/2)",
     "m4 s-2"},
    {"enstrophy", "enstrophy (integral of vorticity^2/2 over the fluid, from the vorticity at "
                  "cell corners)", "m2 s-2"},
    {"max_divergence", "largest |div u| over fluid cells (a cell cut by an immersed body: the "
                       "net outflow through the open part of its faces, per unit cell area; at "
                       "the first record, of the initial state before any projection)",
     "s-1"},
    /* The forces and the balance are written only with bodies (ns2d_diag_active). */
    /* The free stream's direction e: ns2d_flow_direction. */
    {"drag_coefficient", "drag coefficient 2 F.e / (U^2 L) of the obstacles together, e along "
                         "the free stream", "1"},
    {"lift_coefficient", "lift coefficient 2 F.n / (U^2 L) of the obstacles together, n across "
                         "the free stream to its left", "1"},
    {"pressure_difference", "kinematic pressure at the leading point (first along the free "
                            "stream; the middle of a side across it) of [obstacle] less that at "
                            "its trailing point (last along it)", "m2 s-2"},
    {"drag_coefficient_cv", "drag coefficient from a momentum balance over a box around the "
                            "obstacles (the fluxes through its edges and the momentum the fluid "
                            "inside gained over the last step): a cross-check (missing when the "
                            "box does not fit, and at the first record)",
     "1"},
    {"lift_coefficient_cv", "lift coefficient from the same balance", "1"},
    /* Each body's own, written with two bodies or more. */
#define BODY_DIAGS(N, SEC)                                                                       \
    {"drag_coefficient_" #N, "drag coefficient of " SEC " alone", "1"},                          \
    {"lift_coefficient_" #N, "lift coefficient of " SEC " alone", "1"}
    BODY_DIAGS(1, "[obstacle]"),
    BODY_DIAGS(2, "[obstacle2]"),
    BODY_DIAGS(3, "[obstacle3]"),
    BODY_DIAGS(4, "[obstacle4]"),
#undef BODY_DIAGS
};

static const fc_diag_spec ns2d_step_stats[] = {
    {"poisson_iterations", "conjugate-gradient iterations of the step's pressure solves", "1"},
    {"poisson_residual", "divergence the step's pressure solves left (2-norm, an upper bound of "
                         "the largest)", "s-1"},
    /* The unsteady term of the bodies' momentum balance (ns2d_body_force_balance). */
    {"box_momentum_rate_x", "rate at which the fluid in the force balance's box around the "
                            "bodies gained x momentum over the step (per unit depth and "
                            "density)", "m3 s-2"},
    {"box_momentum_rate_y", "the same for y momentum", "m3 s-2"},
};

/* Vorticity at the corner south-west of cell (i, j), from the faces around it. */
static double corner_vorticity(const fc_grid *g, const fc_state *h, int i, int j)
{
    ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
    const fc_real *u = h->f[NS2D_U], *v = h->f[NS2D_V];
    return (v[k] - v[k - 1]) / g->dx - (u[k] - u[k - g->pitch]) / g->dy;
}

/* Whether cell (i, j) is an obstacle's; periodic sides wrap, and the cells beyond any other
 * side are not. */
static int solid_cell(const fc_grid *g, const fc_real *solid, int i, int j)
{
    if (i < 0 || i >= g->nx) {
        if (g->bc[FC_WEST] != FC_BC_PERIODIC)
            return 0;
        i = (i + g->nx) % g->nx;
    }
    if (j < 0 || j >= g->ny) {
        if (g->bc[FC_SOUTH] != FC_BC_PERIODIC)
            return 0;
        j = (j + g->ny) % g->ny;
    }
    return solid[fc_idx(g->pitch, g->ng, i, j)] != 0;
}

/*
 * The output's velocities. A face with an obstacle's cell on either side carries no flow: the
 * state's slots there hold either the body's zero or, within it, the ghost values that impose
 * no slip on its surface (ns2d_fill_slot), which stand for nothing inside the body. The faces,
 * the cell centres and the stream function are written from the faces with those set to zero,
 * so that a body is at rest and a streamline in the file; the vorticity of fluid cells keeps
 * the ghosts, which make its estimate at the wall, and is zero in the body.
 */
static int ns2d_derive(const void *params, const fc_grid *g, fc_state *host, fc_real *const *out,
                       fc_err *err)
{
    const ns2d_params *p = params;
    const fc_real *solid = host->f[NS2D_SOLID];
    const ptrdiff_t P = g->pitch;
    const int nx = g->nx, ny = g->ny;
    /* The faces as written: u (nx + 1) x ny, v nx x (ny + 1), and the stream function at the
     * corners (nx + 1) x (ny + 1). */
    const size_t nu = (size_t)(nx + 1) * ny, nv = (size_t)nx * (ny + 1);
    fc_real *u = malloc(nu * sizeof *u), *v = malloc(nv * sizeof *v);
    double *psi = malloc((size_t)(nx + 1) * (ny + 1) * sizeof *psi);
    /* A cell cut by an immersed body conserves mass through its faces' open parts: its
     * divergence is taken through them (the max_divergence diagnostic's; its faces inside the
     * body hold the forcing's ghost values, whose plain divergence reached 1.35 s-1 round the
     * 2D-1 cylinder), and the stream function sums their fluxes, so that it does not depend on
     * the path it is summed along and is one value over the body (summing whole faces, it
     * spread over 5e-4 of the flux across the 2D-1 cylinder). */
    fc_real *open[2] = {NULL, NULL};
    const int cut = (out[V_DIV] || out[V_PSI]) && p->nbodies > 0 &&
                    p->body[0].boundary == NS2D_BODY_IMMERSED;
    if (!u || !v || !psi || (cut && ns2d_body_apertures(p, open))) {
        free(u);
        free(v);
        free(psi);
        return fc_fail(err, FC_ENOMEM, "out of host memory for the stream function");
    }
    for (int j = 0; j <= ny; j++)
        for (int i = 0; i <= nx; i++) {
            const ptrdiff_t k = fc_idx(P, g->ng, i, j);
            if (j < ny)
                u[(size_t)j * (nx + 1) + i] =
                    solid_cell(g, solid, i - 1, j) || solid_cell(g, solid, i, j)
                        ? 0 : host->f[NS2D_U][k];
            if (i < nx)
                v[(size_t)j * nx + i] =
                    solid_cell(g, solid, i, j - 1) || solid_cell(g, solid, i, j)
                        ? 0 : host->f[NS2D_V][k];
        }
    /* Stream function at corners: up the west edge by u, then east along each row by -v. */
#define OPEN(C, I, J) (open[C] ? open[C][fc_idx(P, g->ng, I, J)] : 1)
    psi[0] = 0;
    for (int j = 0; j < ny; j++)
        psi[(size_t)(j + 1) * (nx + 1)] =
            psi[(size_t)j * (nx + 1)] + OPEN(0, 0, j) * u[(size_t)j * (nx + 1)] * g->dy;
    for (int j = 0; j <= ny; j++)
        for (int i = 0; i < nx; i++)
            psi[(size_t)j * (nx + 1) + i + 1] =
                psi[(size_t)j * (nx + 1) + i] - OPEN(1, i, j) * v[(size_t)j * nx + i] * g->dx;
#undef OPEN
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++) {
            ptrdiff_t k = fc_idx(P, g->ng, i, j);
            size_t o = (size_t)j * nx + i, c = (size_t)j * (nx + 1) + i;
            const int fluid = solid[k] == 0;
            double vort = fluid ? (corner_vorticity(g, host, i, j) +
                                   corner_vorticity(g, host, i + 1, j) +
                                   corner_vorticity(g, host, i, j + 1) +
                                   corner_vorticity(g, host, i + 1, j + 1)) / 4
                                : 0;
            const double vals[V_UF] = {
                (u[c] + u[c + 1]) / 2,
                (v[o] + v[o + nx]) / 2,
                host->f[NS2D_P][k],
                vort,
                (psi[c] + psi[c + 1] + psi[c + nx + 1] + psi[c + nx + 2]) / 4,
                fluid ? ns2d_divergence_open(host->f[NS2D_U], host->f[NS2D_V], open[0], open[1],
                                             k, P, (fc_real)g->dx, (fc_real)g->dy)
                      : 0,
            };
            for (int var = 0; var < V_UF; var++)
                if (out[var])
                    out[var][o] = (fc_real)vals[var];
            if (out[V_SOLID])
                out[V_SOLID][o] = solid[k];
        }
    free(psi);
    free(open[0]);
    free(open[1]);
    if (out[V_UF])
        memcpy(out[V_UF], u, nu * sizeof *u);
    if (out[V_VF])
        memcpy(out[V_VF], v, nv * sizeof *v);
    free(u);
    free(v);
    if (out[V_DIST]) {
        ns2d_shapes sh;
        if (ns2d_shapes_make(p, &sh))
            return fc_fail(err, FC_ENOMEM, "out of host memory for the bodies' outlines");
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
                out[V_DIST][(size_t)j * nx + i] =
                    p->nbodies == 0
                        ? (fc_real)NAN
                        : (fc_real)ns2d_shapes_distance(&sh, fc_grid_x(g, i), fc_grid_y(g, j));
        ns2d_shapes_free(&sh);
    }
    return FC_OK;
}

/*
 * Forces on a staircase obstacle from the faces between fluid and obstacle cells: the pressure of the
 * fluid cell next to the face, and the wall shear nu du_t/dn with the tangential velocity t1 at
 * that cell's centre, half a cell from the wall: t1 / (h/2). First order, like the staircase
 * surface itself. (Extrapolating p and t from two cells, second order on a flat wall, moved the
 * cylinder's largest drag from 3.07 to 3.02 at 20 cells per diameter and from 3.29 to 3.30 at
 * 10: on a staircase it is no better, so the simpler estimate stays.)
 */
static void obstacle_force(const ns2d_params *p, const fc_grid *g, const fc_state *h,
                           const ns2d_shapes *sh, ns2d_body_force *f)
{
    const ptrdiff_t P = g->pitch;
    const fc_real *u = h->f[NS2D_U], *v = h->f[NS2D_V], *pr = h->f[NS2D_P], *solid = h->f[NS2D_SOLID];
    for (int b = 0; b < sh->n; b++)
        f[b].fx = f[b].fy = 0;
    const int di[4] = {-1, 1, 0, 0}, dj[4] = {0, 0, -1, 1};
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            ptrdiff_t k = fc_idx(P, g->ng, i, j);
            if (solid[k] != 0)
                continue;
            for (int d = 0; d < 4; d++) {
                const int a = i + di[d], b = j + dj[d];
                if (a < 0 || a >= g->nx || b < 0 || b >= g->ny ||
                    solid[fc_idx(P, g->ng, a, b)] == 0)
                    continue;
                /* Tangential velocity at the cell centre: v beside x-facing faces. */
                const double t1 = d < 2 ? (v[k] + v[k + P]) / 2 : (u[k] + u[k + 1]) / 2;
                const double hn = d < 2 ? g->dx : g->dy, area = d < 2 ? g->dy : g->dx;
                const double pw = pr[k], shear = p->nu * t1 / (hn / 2);
                const double sign = d % 2 ? 1 : -1; /* the body lies toward +x/+y or -x/-y */
                /* The face belongs to the body nearest the solid cell's centre. */
                int nearest = 0;
                for (int c = 1; c < sh->n; c++)
                    if (ns2d_outline_distance(&sh->o[c], fc_grid_x(g, a), fc_grid_y(g, b)) <
                        ns2d_outline_distance(&sh->o[nearest], fc_grid_x(g, a), fc_grid_y(g, b)))
                        nearest = c;
                ns2d_body_force *t = &f[nearest];
                if (d < 2) {
                    t->fx += sign * pw * area;
                    t->fy += shear * area;
                } else {
                    t->fy += sign * pw * area;
                    t->fx += shear * area;
                }
            }
        }
}

/* The bodies' distance field is written where there are bodies. */
static int ns2d_var_active(const void *params, size_t k)
{
    const ns2d_params *p = params;
    return k != V_DIST || p->nbodies > 0;
}

/* The forces, their momentum balance and its box are written where there are bodies to act
 * on, and each body's own where there are several. */
static int ns2d_diag_active(const void *params, size_t k)
{
    const ns2d_params *p = params;
    if (k >= NDIAGS) /* a step statistic */
        return k - NDIAGS < NS2D_STAT_BOX_RATE || p->nbodies > 0;
    if (k >= D_BODY)
        return p->nbodies > 1 && (int)(k - D_BODY) / 2 < p->nbodies;
    return k < D_CD || p->nbodies > 0;
}

/* What ns2d_diagnose sums and seeks over one row of cells. */
typedef struct ns2d_row_diag {
    double ke, ens, div, speed;
    int div_i;
} ns2d_row_diag;

static int ns2d_diagnose(const void *params, const fc_grid *g, fc_state *host,
                         const double *stats, double *d, fc_err *err)
{
    const ns2d_params *p = params;
    const fc_real *u = host->f[NS2D_U], *v = host->f[NS2D_V];
    const ptrdiff_t P = g->pitch;
    const double area = g->dx * g->dy;
    double ke = 0, ens = 0, div = 0, speed = 0;
    int div_i = 0, div_j = 0;
    /* Cells cut by an immersed body conserve the mass of their open part: their divergence is
     * the net outflow through the faces' open fractions, per unit cell area. */
    fc_real *open[2] = {NULL, NULL};
    ns2d_row_diag *rows = malloc((size_t)g->ny * sizeof *rows);
    if (!rows || (p->nbodies > 0 && p->body[0].boundary == NS2D_BODY_IMMERSED &&
                  ns2d_body_apertures(p, open))) {
        free(rows);
        return fc_fail(err, FC_ENOMEM, "out of host memory for the faces' open fractions");
    }
    /* Rows in parallel, each summed on its own and then all in order: the same bits on any
     * number of threads. */
#pragma omp parallel for schedule(static) if ((long long)g->nx * g->ny >= FC_PARALLEL_MIN)
    for (int j = 0; j < g->ny; j++) {
        ns2d_row_diag r = {0, 0, 0, 0, 0};
        for (int i = 0; i < g->nx; i++) {
            ptrdiff_t k = fc_idx(P, g->ng, i, j);
            if (host->f[NS2D_SOLID][k] != 0)
                continue;
            /* Energy of each face's velocity (a quadratic invariant of the MAC scheme), halved
             * between the two cells a face borders. */
            r.ke += (u[k] * u[k] + u[k + 1] * u[k + 1] + v[k] * v[k] + v[k + P] * v[k + P]) / 4;
            /* Enstrophy of the corner vorticities, a quarter of each corner's to each fluid cell
             * around it: a corner on a wall or a body's edge counts by its fluid share, so that
             * a lid or an inflow on any side weighs the same (counting each cell's south-west
             * corner once left out the north and east walls: a cavity's lid). */
            double w00 = corner_vorticity(g, host, i, j), w10 = corner_vorticity(g, host, i + 1, j),
                   w01 = corner_vorticity(g, host, i, j + 1),
                   w11 = corner_vorticity(g, host, i + 1, j + 1);
            r.ens += (w00 * w00 + w10 * w10 + w01 * w01 + w11 * w11) / 8;
            double dv = fabs(
                ns2d_divergence_open(u, v, open[0], open[1], k, P, (fc_real)g->dx, (fc_real)g->dy));
            if (dv > r.div)
                r.div = dv, r.div_i = i;
            r.speed = fmax(r.speed, fmax(fabs(u[k]), fabs(v[k])));
        }
        rows[j] = r;
    }
    for (int j = 0; j < g->ny; j++) {
        ke += rows[j].ke;
        ens += rows[j].ens;
        if (rows[j].div > div) /* the first cell of the largest, as a sweep finds it */
            div = rows[j].div, div_i = rows[j].div_i, div_j = j;
        speed = fmax(speed, rows[j].speed);
    }
    free(rows);
    free(open[0]);
    free(open[1]);
    d[D_KE] = ke * area;
    d[D_ENS] = ens * area;
    d[D_DIV] = div;
    /* A step's projection leaves the divergence at its tolerance (ns2d_projection_tol; a tenth
     * of it or less in every case and validation run), or at the round-off of its differences
     * where that is larger. A record far above both means that the pressure equation and the
     * divergence disagree over the geometry (an immersed step once left 11.6 s-1 and ran on):
     * the run fails rather than write on. The record is still written (fc_solver_io.diagnose),
     * to show where. The tolerance's scale is taken from the record (speed / h is the stages'
     * largest |u|/dx or |v|/dy, near enough, where the flow moves), so a slow flow is guarded as
     * closely. A flow that a pressure holds at rest (a force between walls) is round-off of
     * velocities its projections removed: its divergence is measured against what the
     * solves said they left (stats[1], at most their tolerance), as the record's own speed
     * says nothing of it (a channel one cell high, forced along x between walls: 7e-30 s-1 with
     * |u| 3e-32 m/s). */
    const double h = fmin(g->dx, g->dy), roundoff = 1e3 * FC_REAL_EPSILON * speed / h;
    ns2d_tol tol;
    ns2d_projection_tol(p, speed / h, &tol);
    if (stats && div > NS2D_DIV_GUARD * fmax(tol.value, stats[1]) + roundoff)
        return fc_fail(err, FC_ENUMERIC,
                       "the step left a velocity divergence of %.3g s-1 in cell (i=%d, j=%d) at "
                       "(%.4g, %.4g), over %g times %s: the pressure equation does not hold "
                       "there (a flowcast defect in this geometry; please report it with the "
                       "case file)",
                       div, div_i, div_j, fc_grid_x(g, div_i), fc_grid_y(g, div_j),
                       NS2D_DIV_GUARD, tol.what);
    for (int k = D_CD; k < NDIAGS; k++)
        d[k] = NAN;
    if (p->nbodies > 0) {
        const double q = p->ref_speed * p->ref_speed * p->ref_length / 2;
        ns2d_body_force f[NS2D_MAX_BODIES];
        int st = ns2d_body_force_of(p, u, v, host->f[NS2D_P], f, err);
        if (st)
            return st;
        if (p->body[0].boundary == NS2D_BODY_STAIRCASE) {
            ns2d_shapes sh;
            if (ns2d_shapes_make(p, &sh))
                return fc_fail(err, FC_ENOMEM, "out of host memory for the bodies' outlines");
            obstacle_force(p, g, host, &sh, f);
            ns2d_shapes_free(&sh);
        }
        /* Drag along the free stream, lift across it; along +x, exactly F_x and F_y. */
        const double *e = p->flow_dir;
        double fx = 0, fy = 0;
        for (int b = 0; b < p->nbodies; b++) {
            fx += f[b].fx, fy += f[b].fy;
            if (p->nbodies > 1) {
                d[D_BODY + 2 * b] = ns2d_along_stream(e, f[b].fx, f[b].fy) / q;
                d[D_BODY + 2 * b + 1] = ns2d_across_stream(e, f[b].fx, f[b].fy) / q;
            }
        }
        d[D_CD] = ns2d_along_stream(e, fx, fy) / q;
        d[D_CL] = ns2d_across_stream(e, fx, fy) / q;
        d[D_DP] = f[0].p_front - f[0].p_back;
        if (ns2d_body_force_balance(p, u, v, host->f[NS2D_P],
                                    stats ? stats + NS2D_STAT_BOX_RATE : NULL, &fx, &fy)) {
            d[D_CD_CV] = ns2d_along_stream(e, fx, fy) / q;
            d[D_CL_CV] = ns2d_across_stream(e, fx, fy) / q;
        }
    }
    return FC_OK;
}

const fc_solver_desc ns2d_solver = {
    .name = "ns2d",
    .summary = "incompressible Navier-Stokes on a staggered grid: QUICK advection, explicit "
               "viscosity, pressure-correction projection per SSP-RK2 stage, conjugate gradients "
               "with a multigrid preconditioner",
    .references = "Harlow & Welch (1965), Phys. Fluids 8, 2182-2189; Leonard (1979), Comput. "
                  "Methods Appl. Mech. Eng. 19, 59-98; van Kan (1986), SIAM J. Sci. Stat. "
                  "Comput. 7, 870-891; Wesseling (1992), An introduction to multigrid methods, "
                  "Wiley",
    .schema = {
        .keys = ns2d_keys,
        .nkeys = sizeof ns2d_keys / sizeof ns2d_keys[0],
        .ics = ns2d_ics,
        .nics = NS2D_NICS,
        .check = ns2d_check,
        .advise = ns2d_advise,
        .make_params = ns2d_make_params,
    },
    .io = {
        .halo = NS2D_HALO,
        .nfields = NS2D_NFIELDS,
        .field_names = ns2d_field_names,
        .restart_vars = ns2d_restart_vars,
        .vars = ns2d_vars,
        .nvars = NVARS,
        .var_active = ns2d_var_active,
        .derive = ns2d_derive,
        .diags = ns2d_diags,
        .ndiags = NDIAGS,
        .conserved_diag = -1,
        .diagnose = ns2d_diagnose,
        .step_stats = ns2d_step_stats,
        .nstep_stats = sizeof ns2d_step_stats / sizeof ns2d_step_stats[0],
        .diag_active = ns2d_diag_active,
        .steady_capable = 1,
        .restarted = ns2d_restarted,
    },
    .cost = {
        .mem_per_cell = ns2d_mem_per_cell,
        .bytes_per_cell_step = ns2d_bytes_per_cell_step,
        .bench_case = "[case]\nsolver = ns2d\n[grid]\nx_max = 1\ny_max = 1\n[time]\nt_end = 1e9\n"
                      "cfl = 0.8\n[physics]\nreynolds = 1000\n[boundary]\nnorth_wall_speed = 1\n"
                      "[initial]\ntype = rest\n",
        .bench_name = "lid-driven cavity, Re 1000",
    },
    .cpu = &ns2d_ops_cpu,
#ifdef FC_HAVE_CUDA
    .gpu = &ns2d_ops_cuda,
#else
    .gpu = NULL,
#endif
};
