/*
 * spec.h: the pseudo-spectral solver for doubly periodic two-dimensional incompressible flow:
 * parameters, state layout, and the physics of one Fourier mode as host+device functions shared
 * by spec_cpu.c (FFTW) and spec_cuda.cu (cuFFT).
 *
 * Equations, vorticity form (omega = v_x - u_y; stream function psi with u = psi_y, v = -psi_x,
 * so omega = -lap psi), on [x_min, x_max) x [y_min, y_max), periodic both ways:
 *   omega_t + div(u omega) = nu lap omega - nu_h (-lap)^p omega - mu omega + F
 *   c_t + div(u c)         = kappa lap c                                  (optional tracer)
 * nu: viscosity, nu_h: hyperviscosity of order p (p = 2: biharmonic), mu: linear drag, F: a
 * forcing constant in time (a ring of Fourier modes with seeded random phases), kappa: the
 * tracer's diffusivity. The mean vorticity of a periodic box is zero (the circulation around it
 * vanishes), so mode k = 0 of omega is 0; the velocity has no mean flow.
 *
 * Space: Fourier pseudo-spectral (Orszag 1971; Canuto et al. 2006, ch. 3). Every field is held
 * as the coefficients of its real-to-complex transform. Linear terms are diagonal: with
 * K^2 = kx^2 + ky^2 each mode decays at L(K) = nu K^2 + nu_h K^(2p) + mu. The nonlinear term is
 * evaluated in Basdevant's form (Basdevant 1983), which needs the transforms of two products
 * only, v^2 - u^2 and u v:
 *   div(u omega) = (d_xx - d_yy)(u v) + d_xy (v^2 - u^2)      (because div u = 0)
 *   -> in Fourier space  -(kx^2 - ky^2) B - kx ky A,  A = FT(v^2 - u^2), B = FT(u v),
 * so a stage costs two inverse transforms (u, v) and two forward ones (A, B); the tracer adds
 * one inverse (c) and two forward (u c, v c). Products are formed on the N-point grid and
 * dealiased by the 2/3 rule (Orszag 1971): modes with |m| > (N - 1)/3 along either axis are
 * removed from every tendency, so the quadratic products are exact on the modes that remain.
 * The truncated system is then a Galerkin approximation that conserves energy and enstrophy
 * (and tracer mean and variance) exactly when nu = nu_h = mu = kappa = F = 0: any change is
 * time-stepping error or round-off. With dealias = none only the Nyquist modes of even N are
 * removed (their derivative is not defined), and aliasing errors remain.
 *
 * Time: classical fourth-order Runge-Kutta with an integrating factor (Lawson 1967; Canuto et
 * al. 2006, section 4.4.1): the linear terms are integrated exactly, the nonlinear term and the
 * forcing by RK4, so stiff viscosity and hyperviscosity put no limit on dt. With E = exp(-L h/2)
 * per mode, N(w) the nonlinear tendency plus forcing, and h the step:
 *   a = h N(w),  b = h N(E (w + a/2)),  c = h N(E w + b/2),  d = h N(E^2 w + E c)
 *   w_new = E^2 w + (E^2 a + 2 E (b + c) + d) / 6
 * The only step limit is advective: dt = cfl / max(|u|/dx + |v|/dy); RK4 is stable up to
 * |lambda dt| = 2.83 on the imaginary axis, which is cfl ~ 0.9 without dealiasing and ~ 1.35
 * with it. A forced flow may start from rest, where that rate is 0: the forcing F (rms) sets up
 * speeds F t / K_f within a step, which stay within the Courant limit while
 * dt <= cfl / sqrt(3 F / (K_f h)) (h the smaller spacing; 3 for the peaks of F over its rms),
 * so the rate used is the larger of the two. The energy and enstrophy budgets are integrated by the same stages (the sources of
 * each stage input, weighted 1/6, 1/3, 1/3, 1/6), so their residuals are time-stepping error of
 * order 4.
 *
 * References: Orszag (1971), J. Atmos. Sci. 28, 1074; Basdevant (1983), J. Comput. Phys. 50,
 * 209-214; Lawson (1967), SIAM J. Numer. Anal. 4, 372-380; Canuto, Hussaini, Quarteroni & Zang
 * (2006), Spectral Methods: Fundamentals in Single Domains, Springer; Bell, Colella & Glaz
 * (1989), J. Comput. Phys. 85, 257-283 (the double shear layer); McWilliams (1984), J. Fluid
 * Mech. 146, 21-43 (decaying turbulence).
 *
 * State: the host fields are omega (s-1) and the tracer c (1) at the cell centres, nx x ny with
 * no halo (a periodic box needs none), row-major, x fastest. A backend holds their coefficients
 * on the half spectrum of the real-to-complex transform: ny rows of nxh = nx/2 + 1 complex
 * values, column i the x wavenumber i kx0, row j the y wavenumber my(j) ky0 (my = j up to ny/2,
 * j - ny above), normalised so that the inverse transform of the coefficients is the field.
 */
#ifndef FC_SPEC_H
#define FC_SPEC_H

#include "src/core/hd.h"
#include "src/core/grid.h"
#include "src/core/solver.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SPEC_HALO 0
enum { SPEC_VORT = 0, SPEC_TRACER = 1, SPEC_NFIELDS = 2 };
enum spec_dealias { SPEC_DEALIAS_TWO_THIRDS = 0, SPEC_DEALIAS_NONE = 1 };
enum spec_forcing { SPEC_FORCING_NONE = 0, SPEC_FORCING_RING = 1 };
enum spec_tracer_ic { SPEC_TRACER_NONE = 0, SPEC_TRACER_BANDS = 1, SPEC_TRACER_BLOB = 2 };
enum spec_planning { SPEC_PLAN_ESTIMATE = 0, SPEC_PLAN_MEASURE = 1 };

/* Sums over the modes of one state (enum spec_sum): energy E and enstrophy Z (means over the
 * box, of |u|^2/2 and omega^2/2) and their sources dE/dt, dZ/dt from the linear terms and the
 * forcing (the nonlinear term moves both between modes but adds none). */
enum spec_sum { SPEC_E = 0, SPEC_Z = 1, SPEC_SE = 2, SPEC_SZ = 3, SPEC_NSUMS = 4 };

/* A complex coefficient, laid out as fftw_complex and cufftDoubleComplex (cufftComplex in
 * single precision). */
typedef struct spec_cplx {
    fc_real re, im;
} spec_cplx;

typedef struct spec_params {
    fc_grid grid;
    int nx, ny, nxh;       /* grid points; nxh = nx/2 + 1 columns of the half spectrum */
    double kx0, ky0;       /* fundamental wavenumbers 2 pi / Lx, 2 pi / Ly (m-1) */
    int cut_x, cut_y;      /* largest |m| kept along x and y (the dealiasing) */
    int dealias;           /* enum spec_dealias */
    double nu;             /* viscosity (m2 s-1) */
    double nu_h;           /* hyperviscosity (m^(2p) s-1) */
    int hyper_order;       /* p */
    double drag;           /* linear drag mu (s-1) */
    int tracer;            /* enum spec_tracer_ic; SPEC_TRACER_NONE: no tracer */
    double kappa;          /* tracer diffusivity (m2 s-1) */
    int forcing;           /* enum spec_forcing */
    double force_k, force_width, force_amplitude; /* ring centre and width (m-1), rms (s-2) */
    long long force_seed;
    int planning;          /* enum spec_planning: FFTW plans (the CPU) */
} spec_params;

/* n values of `size` bytes rounded up to 64 bytes: the distance between the fields of a batch,
 * so that every field is aligned as the first (FFTW plans for one alignment). */
static inline size_t spec_pad64(size_t n, size_t size)
{
    const size_t per = 64 / size;
    return (n + per - 1) / per * per;
}

/* Fields each stage transforms: inverse u, v (and c); forward v^2 - u^2, u v (and u c, v c). */
static inline int spec_ninverse(const spec_params *p) { return p->tracer ? 3 : 2; }
static inline int spec_nforward(const spec_params *p) { return p->tracer ? 4 : 2; }

/* Fourier mode (i, j) of the half spectrum. */
typedef struct spec_mode {
    fc_real kx, ky, k2; /* wavenumbers (m-1) and K^2 */
    fc_real weight;     /* 2 for a mode that stands for itself and its conjugate, else 1 */
    int keep;           /* not removed by the dealiasing (or as a Nyquist mode) */
} spec_mode;

FC_HD static inline spec_mode spec_mode_at(const spec_params *p, int i, int j)
{
    spec_mode m;
    const int my = 2 * j <= p->ny ? j : j - p->ny;
    m.kx = (fc_real)(i * p->kx0);
    m.ky = (fc_real)(my * p->ky0);
    m.k2 = m.kx * m.kx + m.ky * m.ky;
    m.weight = (fc_real)(i == 0 || 2 * i == p->nx ? 1 : 2);
    m.keep = i <= p->cut_x && my <= p->cut_y && -my <= p->cut_y;
    return m;
}

/* L(K): the decay rate of a mode of vorticity under viscosity, hyperviscosity and drag (s-1). */
FC_HD static inline fc_real spec_linear_rate(const spec_params *p, fc_real k2)
{
    fc_real hyper = 1;
    for (int q = 0; q < p->hyper_order; q++)
        hyper *= k2;
    return (fc_real)p->nu * k2 + (fc_real)p->nu_h * hyper + (fc_real)p->drag;
}

/* Velocity coefficients of a vorticity coefficient: u = i ky omega / K^2, v = -i kx omega / K^2. */
FC_HD static inline void spec_velocity(spec_mode m, spec_cplx w, spec_cplx *u, spec_cplx *v)
{
    const fc_real r = m.k2 > 0 ? 1 / m.k2 : 0;
    u->re = -m.ky * w.im * r;
    u->im = m.ky * w.re * r;
    v->re = m.kx * w.im * r;
    v->im = -m.kx * w.re * r;
}

/* Stream function coefficient: psi = omega / K^2 (0 for the mean). */
FC_HD static inline spec_cplx spec_stream(spec_mode m, spec_cplx w)
{
    const fc_real r = m.k2 > 0 ? 1 / m.k2 : 0;
    spec_cplx s = {w.re * r, w.im * r};
    return s;
}

/* The products whose transforms make the nonlinear terms, from u, v (and c) at a grid point. */
FC_HD FC_ALWAYS_INLINE static inline void spec_products(fc_real u, fc_real v, fc_real *a,
                                                        fc_real *b)
{
    *a = (v - u) * (v + u); /* v^2 - u^2 */
    *b = u * v;
}

/*
 * -div(u omega) of a mode from the transforms A = FT(v^2 - u^2), B = FT(u v), times `scale` (the
 * 1 / (nx ny) of an unnormalised forward transform): (kx^2 - ky^2) B + kx ky A.
 */
FC_HD static inline spec_cplx spec_vorticity_tendency(spec_mode m, spec_cplx a, spec_cplx b,
                                                      fc_real scale)
{
    const fc_real ca = m.kx * m.ky * scale, cb = (m.kx * m.kx - m.ky * m.ky) * scale;
    spec_cplx t = {cb * b.re + ca * a.re, cb * b.im + ca * a.im};
    return t;
}

/* -div(u c) of a mode from X = FT(u c), Y = FT(v c), times scale: -i (kx X + ky Y). */
FC_HD static inline spec_cplx spec_tracer_tendency(spec_mode m, spec_cplx x, spec_cplx y,
                                                   fc_real scale)
{
    spec_cplx t = {(m.kx * x.im + m.ky * y.im) * scale, -(m.kx * x.re + m.ky * y.re) * scale};
    return t;
}

/*
 * Stage s (0..3) of the integrating-factor RK4 step for one mode: e = exp(-L h / 2), w the state
 * at the start of the step, hn = h N of the stage's input. Advances the accumulator *acc and
 * returns the input of stage s + 1, or at s = 3 the new state (which *acc then also holds).
 */
FC_HD static inline spec_cplx spec_rk4_stage(int s, fc_real e, spec_cplx w, spec_cplx hn,
                                             spec_cplx *acc)
{
    spec_cplx next;
    const fc_real e2 = e * e;
    switch (s) {
    case 0:
        acc->re = e2 * (w.re + hn.re / 6);
        acc->im = e2 * (w.im + hn.im / 6);
        next.re = e * (w.re + hn.re / 2);
        next.im = e * (w.im + hn.im / 2);
        break;
    case 1:
        acc->re += e * hn.re / 3;
        acc->im += e * hn.im / 3;
        next.re = e * w.re + hn.re / 2;
        next.im = e * w.im + hn.im / 2;
        break;
    case 2:
        acc->re += e * hn.re / 3;
        acc->im += e * hn.im / 3;
        next.re = e2 * w.re + e * hn.re;
        next.im = e2 * w.im + e * hn.im;
        break;
    default:
        acc->re += hn.re / 6;
        acc->im += hn.im / 6;
        next = *acc;
        break;
    }
    return next;
}

/* The RK4 weights of the stage inputs, for the budgets. */
FC_HD static inline double spec_rk4_weight(int s) { return s == 0 || s == 3 ? 1.0 / 6 : 1.0 / 3; }

/*
 * Adds mode m of vorticity w (forcing f) to the sums of enum spec_sum. Means over the box are
 * sums over the full spectrum of |coefficient|^2 (Parseval), hence the weights.
 */
FC_HD static inline void spec_mode_sums(const spec_params *p, spec_mode m, spec_cplx w,
                                        spec_cplx f, double *sums)
{
    const double w2 = (double)w.re * w.re + (double)w.im * w.im;
    const double src = -(double)spec_linear_rate(p, m.k2) * w2 + (double)w.re * f.re + (double)w.im * f.im;
    const double r = m.k2 > 0 ? 1 / (double)m.k2 : 0;
    sums[SPEC_E] += m.weight * w2 / 2 * r;
    sums[SPEC_Z] += m.weight * w2 / 2;
    sums[SPEC_SE] += m.weight * src * r;
    sums[SPEC_SZ] += m.weight * src;
}

/* What the products of a grid point report: its advective rate |u|/dx + |v|/dy and whether u,
 * v (and c) are finite. */
typedef struct spec_point {
    double rate;
    int finite;
} spec_point;

/*
 * The products of grid point k (fields dist apart in phys: u, v and c in, v^2 - u^2, u v, u c,
 * v c out, in place), with a tracer or without (tracer: a constant in the CPU's loops, which
 * then have no branch).
 */
FC_HD FC_ALWAYS_INLINE static inline spec_point spec_point_products(const spec_params *p,
                                                                   int tracer, size_t k,
                                                                   size_t dist, fc_real *phys)
{
    const fc_real u = phys[k], v = phys[k + dist], c = tracer ? phys[k + 2 * dist] : 0;
    spec_point q;
    q.finite = isfinite(u) & isfinite(v) & isfinite(c);
    spec_products(u, v, &phys[k], &phys[k + dist]);
    if (tracer) {
        phys[k + 2 * dist] = u * c;
        phys[k + 3 * dist] = v * c;
    }
    q.rate = fc_abs(u) / p->grid.dx + fc_abs(v) / p->grid.dy;
    return q;
}

/*
 * Writes the coefficients the next inverse transforms need for state (w, c) of mode m at index
 * k (u, v and c into X, slots dist apart), and adds the mode to the sums of w.
 */
FC_HD static inline void spec_emit_mode(const spec_params *p, spec_mode m, size_t k, size_t dist,
                                        spec_cplx w, spec_cplx c, spec_cplx f, spec_cplx *X,
                                        double *sums)
{
    spec_velocity(m, w, &X[k], &X[k + dist]);
    if (p->tracer)
        X[k + 2 * dist] = c;
    spec_mode_sums(p, m, w, f, sums);
}

/* The integrating factors exp(-L h / 2) of a mode of squared wavenumber k2 over half a step h:
 * the vorticity's (L its linear rate) and the tracer's (L = kappa k2). */
FC_HD static inline fc_real spec_factor(const spec_params *p, fc_real k2, fc_real h)
{
    return (fc_real)exp(-(double)spec_linear_rate(p, k2) * h / 2);
}
FC_HD static inline fc_real spec_tracer_factor(const spec_params *p, fc_real k2, fc_real h)
{
    return (fc_real)exp(-p->kappa * (double)k2 * h / 2);
}

/*
 * Mode (i, j), index k, of RK stage s with step h: from the products' coefficients in X (times
 * scale), the state w (tracer c, dist further in both), the forcing (NULL: none) and the mode's
 * integrating factors e, ec (spec_factor, spec_tracer_factor), advances the accumulator acc and
 * writes the next stage's velocity (and tracer) coefficients into X, adding the next stage's
 * input to the sums. At s = 3 acc then holds the new state.
 */
FC_HD static inline void spec_stage_mode(const spec_params *p, int s, fc_real h, fc_real scale,
                                         int i, int j, size_t k, size_t dist, fc_real e,
                                         fc_real ec, spec_cplx *X, const spec_cplx *w,
                                         spec_cplx *acc, const spec_cplx *force, double *sums)
{
    const spec_mode m = spec_mode_at(p, i, j);
    const spec_cplx zero = {0, 0};
    const spec_cplx f = force && m.keep ? force[k] : zero;
    spec_cplx n = m.keep ? spec_vorticity_tendency(m, X[k], X[k + dist], scale) : zero;
    spec_cplx hn = {h * (n.re + f.re), h * (n.im + f.im)};
    const spec_cplx next = spec_rk4_stage(s, e, w[k], hn, &acc[k]);
    spec_cplx cnext = zero;
    if (p->tracer) {
        n = m.keep ? spec_tracer_tendency(m, X[k + 2 * dist], X[k + 3 * dist], scale) : zero;
        hn.re = h * n.re;
        hn.im = h * n.im;
        cnext = spec_rk4_stage(s, ec, w[k + dist], hn, &acc[k + dist]);
    }
    spec_emit_mode(p, m, k, dist, next, cnext, f, X, sums);
}

/*
 * The per-step statistics from the sums of the state before (s0) and after (s1) a step of h and
 * of the four stage inputs (stage[s], sources only): the budget residuals
 *   r_E = (E1 - E0) / h - (sum_s b_s dE/dt|_s),   likewise r_Z,
 * dE/dt + 2 nu Z (and the other terms) over the step, left by the time stepping.
 */
static inline void spec_budget_residuals(const double *s0, const double *s1,
                                         const double *const stage[4], double h, double *res_e,
                                         double *res_z)
{
    double qe = 0, qz = 0;
    for (int s = 0; s < 4; s++) {
        qe += spec_rk4_weight(s) * stage[s][SPEC_SE];
        qz += spec_rk4_weight(s) * stage[s][SPEC_SZ];
    }
    *res_e = (s1[SPEC_E] - s0[SPEC_E]) / h - qe;
    *res_z = (s1[SPEC_Z] - s0[SPEC_Z]) / h - qz;
}

/* The rate below which the forcing keeps dt (see the method above); 0 without forcing. */
static inline double spec_forcing_rate(const spec_params *p)
{
    const double h = p->grid.dx < p->grid.dy ? p->grid.dx : p->grid.dy;
    return p->forcing == SPEC_FORCING_NONE ? 0 : sqrt(3 * p->force_amplitude / (p->force_k * h));
}

/* Host side, shared by both backends (spec.c, spec_cases.c). */

/* The forcing's coefficients on the half spectrum (ny x nxh), zero off the ring. */
void spec_forcing_pattern(const spec_params *p, spec_cplx *f);

/* Step statistics (fc_step_report.stats). */
enum { SPEC_STAT_ENERGY_RESIDUAL = 0, SPEC_STAT_ENSTROPHY_RESIDUAL = 1, SPEC_NSTATS = 2 };

extern const fc_solver_desc spec_solver;
extern const fc_solver_ops spec_ops_cpu;
#ifdef FC_HAVE_CUDA
extern const fc_solver_ops spec_ops_cuda;
#endif

#ifdef __cplusplus
}
#endif
#endif
