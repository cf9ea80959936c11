/*
 * spec_cases.c: initial conditions and the forcing pattern of the pseudo-spectral solver.
 *
 * taylor_green         omega = 2 U k sin(kx) sin(ky): decays without changing shape (exact).
 * double_shear_layer   two tanh shear layers of width w at y = Ly/4 and 3 Ly/4 and a
 *                      sinusoidal v of relative size eps (Bell, Colella & Glaz 1989, scaled to
 *                      the box): u = U tanh((y' - Ly/4)/w) below Ly/2, U tanh((3Ly/4 - y')/w)
 *                      above; v = eps U cos(2 pi x'/Lx), primes measured from (x_min, y_min).
 *                      Each layer rolls up into a Kelvin-Helmholtz vortex.
 * random_spectrum      random phases (seeded, per Fourier mode) under the energy spectrum
 *                      E(K) ~ K^4 exp(-2 (K/K0)^2), peaked at K0, scaled to a mean energy: the
 *                      start of decaying two-dimensional turbulence (McWilliams 1984).
 * rest                 omega = 0 (for forced flows).
 * file                 omega read from a NetCDF file, on this grid or interpolated onto it:
 *                      from another uniform grid of the box by its trigonometric interpolant
 *                      (spec_interpolate), from other points bilinearly (ncio.h).
 * The tracer starts as bands, c = cos(2 pi y'/Ly), or as a Gaussian blob exp(-r^2/R^2) at the
 * centre of the box.
 */
#include <fc_build.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/core/ncio.h"
#include "solvers/spectral/spec_cases.h"
#include "solvers/spectral/spec_fftw.h"

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

double spec_hash_uniform(long long seed, int a, int b, int salt)
{
    uint64_t h = splitmix64((uint64_t)seed);
    h = splitmix64(h ^ (uint64_t)(uint32_t)a);
    h = splitmix64(h ^ ((uint64_t)(uint32_t)b << 32));
    h = splitmix64(h ^ (uint64_t)(uint32_t)salt);
    return (double)(h >> 11) * 0x1.0p-53;
}

double spec_taylor_green(const spec_params *p, double U, double k, double t, double x, double y)
{
    const double decay = spec_linear_rate(p, (fc_real)(2 * k * k));
    return 2 * U * k * sin(k * x) * sin(k * y) * exp(-decay * t);
}

/*
 * Coefficients with modulus amp(K) (which sees K and the mode's weight) and a random phase per
 * mode, on the kept modes of the half spectrum, scaled so that the sum of
 * weight |c|^2 * norm(K) is `target`. The x = 0 column holds each mode and its conjugate
 * (m, -m), which must be complex conjugates for the field to be real. Each mode's phase is a
 * hash of the seed and the mode, so rows [j0, j0 + rows) alone are stored in c (a slab's); the
 * scale is summed over every mode in the one order, so every slab gets the whole spectrum's
 * bits.
 */
static void random_coefficients(const spec_params *p, int j0, int rows, long long seed, int salt,
                                double (*amp)(const spec_params *, double, const void *),
                                const void *ctx, double (*norm)(double k2), double target,
                                spec_cplx *c)
{
    double total = 0;
    for (int j = 0; j < p->ny; j++)
        for (int i = 0; i < p->nxh; i++) {
            spec_mode m = spec_mode_at(p, i, j);
            const int my = 2 * j <= p->ny ? j : j - p->ny;
            double a = m.keep && m.k2 > 0 ? amp(p, sqrt((double)m.k2), ctx) : 0;
            /* The phase of (0, -m) is minus that of (0, m). */
            const int flip = i == 0 && my < 0;
            const double phase = 2 * M_PI * spec_hash_uniform(seed, i, flip ? -my : my, salt);
            spec_cplx v = {(fc_real)(a * cos(phase)), (fc_real)((flip ? -a : a) * sin(phase))};
            if (j >= j0 && j < j0 + rows)
                c[(size_t)(j - j0) * p->nxh + i] = v;
            total += m.weight * (double)(v.re * v.re + v.im * v.im) * norm((double)m.k2);
        }
    const double s = total > 0 ? sqrt(target / total) : 0;
    for (size_t k = 0; k < (size_t)rows * p->nxh; k++) {
        c[k].re *= (fc_real)s;
        c[k].im *= (fc_real)s;
    }
}

/* |omega_K| for E(K) ~ K^4 exp(-2 (K/K0)^2): a shell holds ~2 pi K / dk^2 modes of energy
 * |omega|^2 / (2 K^2) each, so |omega|^2 ~ K E(K). */
static double turbulence_amplitude(const spec_params *p, double k, const void *ctx)
{
    (void)p;
    const double k0 = *(const double *)ctx;
    return sqrt(k * pow(k, 4) * exp(-2 * (k / k0) * (k / k0)));
}

static double energy_norm(double k2) { return k2 > 0 ? 1 / (2 * k2) : 0; }
static double variance_norm(double k2) { (void)k2; return 1; }

/* The ring: modes with | |K| - K_f | <= width / 2, all of the same amplitude. */
static double ring_amplitude(const spec_params *p, double k, const void *ctx)
{
    (void)ctx;
    return fabs(k - p->force_k) <= p->force_width / 2 ? 1 : 0;
}

void spec_forcing_pattern(const spec_params *p, spec_cplx *f)
{
    if (p->forcing == SPEC_FORCING_NONE) {
        memset(f, 0, (size_t)p->ny * p->nxh * sizeof *f);
        return;
    }
    /* Mean of F^2 over the box (Parseval) = amplitude^2. */
    random_coefficients(p, 0, p->ny, p->force_seed, 1, ring_amplitude, NULL, variance_norm,
                        p->force_amplitude * p->force_amplitude, f);
}

/* The random vorticity on g: the whole grid, or a job's slab (collectively: its rows of the
 * spectrum, transformed by FFTW's MPI plans). */
static int random_vorticity(const fc_config *cfg, const spec_params *p, const fc_grid *g,
                            fc_real *omega, fc_err *err)
{
    const double k0 = fc_cfg_real(cfg, "initial", "peak_wavenumber");
    spec_cplx *c = malloc((size_t)g->ny * p->nxh * sizeof *c);
    if (c)
        random_coefficients(p, g->j0, g->ny, fc_cfg_int(cfg, "initial", "seed"), 0,
                            turbulence_amplitude, &k0, energy_norm,
                            fc_cfg_real(cfg, "initial", "energy"), c);
    /* On a slab every process takes part in the transform, a failed allocation included. */
    const int st = spec_host_inverse(p, g, c, omega), had = c != NULL;
    free(c);
    if (!st)
        return FC_OK;
    return had ? fc_fail(err, FC_ENOMEM, "FFTW could not plan a %d x %d transform", p->nx, p->ny)
               : fc_fail(err, FC_ENOMEM, "out of memory for the random spectrum");
}

/* The passive tracer's initial field, whatever the flow's. */
static void set_tracer(const fc_config *cfg, const fc_grid *g, const spec_params *p,
                       fc_state *host)
{
    if (p->tracer == SPEC_TRACER_NONE)
        return;
    const double lx = g->x_max - g->x_min, ly = g->y_max - g->y_min;
    const double r0 = fc_cfg_real(cfg, "tracer", "blob_radius");
    fc_real *c = host->f[SPEC_TRACER];
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            const double x = fc_grid_x(g, i) - g->x_min, y = fc_grid_y(g, j) - g->y_min;
            const double dx = x - lx / 2, dy = y - ly / 2;
            c[(size_t)j * g->nx + i] =
                (fc_real)(p->tracer == SPEC_TRACER_BANDS ? cos(2 * M_PI * y / ly)
                                                         : exp(-(dx * dx + dy * dy) / (r0 * r0)));
        }
}

static int set_random(const fc_config *cfg, const fc_grid *g, const void *params, fc_state *host,
                      fc_err *err)
{
    int st = random_vorticity(cfg, params, g, host->f[SPEC_VORT], err);
    if (!st)
        set_tracer(cfg, g, params, host);
    return st;
}

static int set_taylor_green(const fc_config *cfg, const fc_grid *g, const void *params,
                            fc_state *host, fc_err *err)
{
    (void)err;
    const double U = fc_cfg_real(cfg, "initial", "amplitude");
    const double k = fc_cfg_real(cfg, "initial", "wavenumber");
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++)
            host->f[SPEC_VORT][(size_t)j * g->nx + i] =
                (fc_real)spec_taylor_green(params, U, k, 0, fc_grid_x(g, i), fc_grid_y(g, j));
    set_tracer(cfg, g, params, host);
    return FC_OK;
}

static int set_double_shear_layer(const fc_config *cfg, const fc_grid *g, const void *params,
                                  fc_state *host, fc_err *err)
{
    (void)err;
    const double lx = g->x_max - g->x_min, ly = g->y_max - g->y_min;
    const double U = fc_cfg_real(cfg, "initial", "shear_speed");
    const double w = fc_cfg_real(cfg, "initial", "layer_width");
    const double eps = fc_cfg_real(cfg, "initial", "perturbation");
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            const double x = fc_grid_x(g, i) - g->x_min, y = fc_grid_y(g, j) - g->y_min;
            /* omega = v_x - u_y */
            const double s = y <= ly / 2 ? 1 / cosh((y - ly / 4) / w) : 1 / cosh((3 * ly / 4 - y) / w);
            const double uy = (y <= ly / 2 ? 1 : -1) * U / w * s * s;
            const double vx = -eps * U * 2 * M_PI / lx * sin(2 * M_PI * x / lx);
            host->f[SPEC_VORT][(size_t)j * g->nx + i] = (fc_real)(vx - uy);
        }
    set_tracer(cfg, g, params, host);
    return FC_OK;
}

/* No motion: the host fields are zero already. */
static int set_rest(const fc_config *cfg, const fc_grid *g, const void *params, fc_state *host,
                    fc_err *err)
{
    (void)err;
    set_tracer(cfg, g, params, host);
    return FC_OK;
}

/* Fourier interpolation of a file on another uniform grid of the box (fc_ncio_field_grid). */
static int file_whole(const void *params, const fc_grid *g, const int from[2],
                      double *const *src, fc_state *fields, fc_err *err)
{
    return spec_interpolate(params, g, from, src, fields, err);
}

/* The vorticity from [initial] path; the mean and the modes beyond the dealiasing rule drop at
 * upload, as for every condition. */
static int set_file(const fc_config *cfg, const fc_grid *g, const void *params, fc_state *host,
                    fc_err *err)
{
    char *path = fc_cfg_path(cfg, "initial", "path");
    if (!path)
        return fc_fail(err, FC_ENOMEM, "out of memory");
    const int method = fc_cfg_choice(cfg, "initial", "interpolate"); /* no|fourier|bilinear */
    const fc_ncio_field_grid how = {.interpolate = method > 0,
                                    .periodic = {1, 1},
                                    .enable = "[initial] interpolate = fourier",
                                    .whole = method == 1 ? file_whole : NULL,
                                    .ctx = params,
                                    .units = (const char *const[]){"s-1"}};
    const char *var = fc_cfg_str(cfg, "initial", "vorticity_var");
    int st = fc_ncio_read_field(path, var, g, &how, host->f[SPEC_VORT], err);
    if (st)
        fc_err_append(err, "(the initial state of %s: [initial] type = file, path = %s)",
                      cfg->path, fc_cfg_str(cfg, "initial", "path"));
    free(path);
    if (!st)
        set_tracer(cfg, g, params, host);
    return st;
}

/* Every condition fills any slab (fc_ic_spec.blocks): the pointwise ones on its cells, the
 * random spectrum on its rows of the spectrum. */
const fc_ic_spec spec_ics[SPEC_NICS] = {
    {"taylor_green", "the decaying Taylor-Green vortex, an exact solution", set_taylor_green, 1},
    {"double_shear_layer", "two shear layers that roll up into Kelvin-Helmholtz vortices",
     set_double_shear_layer, 1},
    {"random_spectrum", "random phases under a peaked energy spectrum: decaying turbulence",
     set_random, 1},
    {"rest", "no motion (for forced flows)", set_rest, 1},
    {"file", "the vorticity read from a NetCDF file", set_file, 1},
};
