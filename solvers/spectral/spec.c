/*
 * spec.c: the pseudo-spectral solver's description: case keys and their cross-checks,
 * parameters, output variables (velocity, stream function and the energy spectrum, computed on
 * the host from the downloaded vorticity) and diagnostics. Equations and method in spec.h;
 * initial conditions and forcing in spec_cases.c.
 */
#include <fc_build.h>

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "solvers/spectral/spec.h"
#include "solvers/spectral/spec_cases.h"
#include "solvers/spectral/spec_fftw.h"

#define INF INFINITY

static const fc_key spec_keys[] = {
    {"physics", "viscosity", FC_KEY_REAL, "0", 0, INF, FC_OPEN_HI, NULL, "m2 s-1", NULL,
     "kinematic viscosity nu"},
    {"physics", "hyperviscosity", FC_KEY_REAL, "0", 0, INF, FC_OPEN_HI, NULL, "m^(2p) s-1", NULL,
     "hyperviscosity nu_h of the term -nu_h (-lap)^p omega"},
    {"physics", "hyperviscosity_order", FC_KEY_INT, "2", 2, 8, 0, NULL, "1", NULL,
     "order p of the hyperviscosity (2: biharmonic)"},
    {"physics", "drag", FC_KEY_REAL, "0", 0, INF, FC_OPEN_HI, NULL, "s-1", NULL,
     "linear (Rayleigh) drag mu of the term -mu omega"},

    {"forcing", "type", FC_KEY_CHOICE, "none", 0, 0, 0, "none|ring", "", NULL,
     "forcing of the vorticity: none, or a ring of Fourier modes with seeded random phases, "
     "constant in time"},
    {"forcing", "wavenumber", FC_KEY_REAL, "0", 0, INF, FC_OPEN_HI, NULL, "m-1", NULL,
     "centre K_f of the forcing ring (|K| = 2 pi / wavelength)"},
    {"forcing", "width", FC_KEY_REAL, "1", 0, INF, FC_OPEN_LO | FC_OPEN_HI, NULL, "m-1", NULL,
     "width of the ring: modes with | |K| - K_f | <= width / 2 are forced"},
    {"forcing", "amplitude", FC_KEY_REAL, "0", 0, INF, FC_OPEN_HI, NULL, "s-2", NULL,
     "root-mean-square of the forcing term of the vorticity equation"},
    {"forcing", "seed", FC_KEY_INT, "1", 0, 2147483647.0, 0, NULL, "1", NULL,
     "seed of the forcing's phases"},

    {"tracer", "initial", FC_KEY_CHOICE, "none", 0, 0, 0, "none|bands|blob", "", NULL,
     "a passive tracer and how it starts: none, bands c = cos(2 pi y'/Ly), or a Gaussian blob "
     "at the centre"},
    {"tracer", "diffusivity", FC_KEY_REAL, "0", 0, INF, FC_OPEN_HI, NULL, "m2 s-1", NULL,
     "diffusivity kappa of the tracer"},
    {"tracer", "blob_radius", FC_KEY_REAL, "0", 0, INF, FC_OPEN_HI, NULL, "m", NULL,
     "e-folding radius R of the blob, c = exp(-r^2 / R^2)"},

    {"numerics", "dealias", FC_KEY_CHOICE, "two_thirds", 0, 0, 0, "two_thirds|none", "", NULL,
     "two_thirds: the 2/3 rule (exact products, energy and enstrophy conserved); none: only the "
     "Nyquist modes removed (aliased)"},
    {"numerics", "fft_planning", FC_KEY_CHOICE, "measure", 0, 0, 0, "measure|estimate", "", NULL,
     "how FFTW chooses its CPU plans: measure (time candidates once per run: faster steps, "
     "but the plan kept, and so the last bits of the results, may change from run to run) or "
     "estimate (instant, the same bits in every run, can be slower)"},

    {"initial", "amplitude", FC_KEY_REAL, NULL, -INF, INF, FC_OPEN_LO | FC_OPEN_HI, NULL,
     "m s-1", "taylor_green", "peak velocity U (omega = 2 U k sin(kx) sin(ky))"},
    {"initial", "wavenumber", FC_KEY_REAL, "1", 0, INF, FC_OPEN_LO | FC_OPEN_HI, NULL, "m-1",
     "taylor_green", "wavenumber k (the box must be a multiple of 2 pi / k)"},
    {"initial", "shear_speed", FC_KEY_REAL, "1", 0, INF, FC_OPEN_LO | FC_OPEN_HI, NULL, "m s-1",
     "double_shear_layer", "speed U of the two streams"},
    {"initial", "layer_width", FC_KEY_REAL, NULL, 0, INF, FC_OPEN_LO | FC_OPEN_HI, NULL, "m",
     "double_shear_layer", "width w of the tanh shear layers"},
    {"initial", "perturbation", FC_KEY_REAL, "0.05", 0, INF, FC_OPEN_HI, NULL, "1",
     "double_shear_layer", "size eps of the cross-stream perturbation, relative to U"},
    {"initial", "energy", FC_KEY_REAL, NULL, 0, INF, FC_OPEN_LO | FC_OPEN_HI, NULL, "m2 s-2",
     "random_spectrum", "mean kinetic energy of the initial field"},
    {"initial", "peak_wavenumber", FC_KEY_REAL, NULL, 0, INF, FC_OPEN_LO | FC_OPEN_HI, NULL,
     "m-1", "random_spectrum", "wavenumber K0 at which the energy spectrum peaks (from 2 pi over the "
     "box's longer side to the grid's largest)"},
    {"initial", "seed", FC_KEY_INT, "1", 0, 2147483647.0, 0, NULL, "1", "random_spectrum",
     "seed of the random phases (the same seed gives the same large scales at any resolution)"},
    {"initial", "path", FC_KEY_STRING, NULL, 0, 0, 0, NULL, "", "file",
     "NetCDF file with the vorticity (relative to the case file; from --set, to the working "
     "folder)"},
    {"initial", "vorticity_var", FC_KEY_STRING, "vorticity", 0, 0, 0, NULL, "", "file",
     "variable of the vorticity (s-1), on (y, x) or (time, y, x): its last record"},
    {"initial", "interpolate", FC_KEY_CHOICE, "no", 0, 0, 0, "no|fourier|bilinear", "", "file",
     "a file on other points than the cells (by its x and y coordinates): refused; fourier: "
     "the trigonometric interpolant of another uniform grid of the box, bilinear from any "
     "other points; bilinear: bilinear from any points"},
};


static const char *const side_names[4] = {"west", "east", "south", "north"};

static int spec_check(const fc_config *cfg, fc_err *err)
{
    int n = 0;
    for (int s = 0; s < 4; s++)
        if (fc_cfg_choice(cfg, "boundary", side_names[s]) != FC_BC_PERIODIC) {
            fc_cfg_error(cfg, err, "boundary", side_names[s],
                         "the spectral solver needs a doubly periodic box: every side periodic");
            n++;
        }
    for (const char *const *key = (const char *const[]){"nx", "ny", NULL}; *key; key++)
        if (fc_cfg_int(cfg, "grid", *key) < 4) {
            fc_cfg_error(cfg, err, "grid", *key, "the spectral solver needs at least 4 points");
            n++;
        }
    if (fc_cfg_choice(cfg, "forcing", "type") == SPEC_FORCING_RING) {
        if (!(fc_cfg_real(cfg, "forcing", "wavenumber") > 0)) {
            fc_cfg_error(cfg, err, "forcing", "wavenumber", "a ring forcing needs its wavenumber > 0");
            n++;
        }
        if (!(fc_cfg_real(cfg, "forcing", "amplitude") > 0)) {
            fc_cfg_error(cfg, err, "forcing", "amplitude", "a ring forcing needs its amplitude > 0");
            n++;
        }
    }
    const int tracer = fc_cfg_choice(cfg, "tracer", "initial");
    if (tracer == SPEC_TRACER_BLOB && !(fc_cfg_real(cfg, "tracer", "blob_radius") > 0)) {
        fc_cfg_error(cfg, err, "tracer", "blob_radius", "a blob needs its radius > 0");
        n++;
    }
    /* Keys that the chosen forcing, tracer or viscosity do not read are refused, not ignored. */
    if (fc_cfg_choice(cfg, "forcing", "type") == SPEC_FORCING_NONE)
        for (const char *const *key = (const char *const[]){"wavenumber", "width", "amplitude",
                                                            "seed", NULL};
             *key; key++)
            n += fc_cfg_idle(cfg, err, "forcing", *key, fc_cfg_from_set(cfg, "forcing", "type"),
                             "there is no forcing ([forcing] type = none)");
    const int tracer_set = fc_cfg_from_set(cfg, "tracer", "initial");
    if (tracer == SPEC_TRACER_NONE)
        n += fc_cfg_idle(cfg, err, "tracer", "diffusivity", tracer_set,
                         "there is no tracer ([tracer] initial = none)");
    if (tracer != SPEC_TRACER_BLOB)
        n += fc_cfg_idle(cfg, err, "tracer", "blob_radius", tracer_set,
                         "only [tracer] initial = blob reads it");
    if (fc_cfg_real(cfg, "physics", "hyperviscosity") == 0)
        n += fc_cfg_idle(cfg, err, "physics", "hyperviscosity_order",
                         fc_cfg_from_set(cfg, "physics", "hyperviscosity"),
                         "there is no hyperviscosity ([physics] hyperviscosity = 0)");
    return n;
}

/* Largest |K| of the modes the dealiasing keeps (m-1). */
static double largest_kept(const spec_params *p)
{
    const double kx = p->cut_x * p->kx0, ky = p->cut_y * p->ky0;
    return sqrt(kx * kx + ky * ky);
}

static int spec_make_params(const fc_config *cfg, const fc_grid *g, void **out, fc_err *err)
{
    spec_params *p = calloc(1, sizeof *p);
    if (!p)
        return fc_fail(err, FC_ENOMEM, "out of memory");
    p->grid = *g;
    p->nx = g->nx;
    p->ny = g->ny;
    p->nxh = g->nx / 2 + 1;
    p->kx0 = 2 * M_PI / (g->x_max - g->x_min);
    p->ky0 = 2 * M_PI / (g->y_max - g->y_min);
    p->dealias = fc_cfg_choice(cfg, "numerics", "dealias");
    const int third = p->dealias == SPEC_DEALIAS_TWO_THIRDS;
    p->cut_x = third ? (g->nx - 1) / 3 : (g->nx - 1) / 2;
    p->cut_y = third ? (g->ny - 1) / 3 : (g->ny - 1) / 2;
    p->nu = fc_cfg_real(cfg, "physics", "viscosity");
    p->nu_h = fc_cfg_real(cfg, "physics", "hyperviscosity");
    p->hyper_order = p->nu_h > 0 ? (int)fc_cfg_int(cfg, "physics", "hyperviscosity_order") : 0;
    p->drag = fc_cfg_real(cfg, "physics", "drag");
    p->tracer = fc_cfg_choice(cfg, "tracer", "initial");
    p->kappa = fc_cfg_real(cfg, "tracer", "diffusivity");
    p->forcing = fc_cfg_choice(cfg, "forcing", "type");
    p->force_k = fc_cfg_real(cfg, "forcing", "wavenumber");
    p->force_width = fc_cfg_real(cfg, "forcing", "width");
    p->force_amplitude = fc_cfg_real(cfg, "forcing", "amplitude");
    p->force_seed = fc_cfg_int(cfg, "forcing", "seed");
    p->planning = fc_cfg_choice(cfg, "numerics", "fft_planning") == 0 ? SPEC_PLAN_MEASURE
                                                                      : SPEC_PLAN_ESTIMATE;
    /* FFTW's plan_many and cuFFT's cufftPlanMany take int sizes and distances. */
    const int batch = spec_nforward(p);
    const double values = (double)batch * spec_pad64((size_t)g->nx * g->ny, sizeof(fc_real));
    if (values > INT_MAX) {
        free(p);
        return fc_fail(err, FC_EINPUT,
                       "%s: [grid] nx = %d, ny = %d: a batch of %d transforms of this grid holds "
                       "%.3g values, more than the FFT libraries' 32-bit plans address (%d)",
                       cfg->path, g->nx, g->ny, batch, values, INT_MAX);
    }
    const double kmax = largest_kept(p);
    if (p->forcing == SPEC_FORCING_RING) {
        int modes = 0;
        for (int j = 0; j < p->ny; j++)
            for (int i = 0; i < p->nxh; i++) {
                spec_mode m = spec_mode_at(p, i, j);
                modes += m.keep && m.k2 > 0 &&
                         fabs(sqrt((double)m.k2) - p->force_k) <= p->force_width / 2;
            }
        if (!modes) {
            const double step = fmin(p->kx0, p->ky0);
            free(p);
            return fc_fail(err, FC_EINPUT,
                           "%s: [forcing] wavenumber = %g, width = %g: the ring holds no Fourier "
                           "mode this grid resolves (|K| from %g to %g m-1 in steps of %g)",
                           cfg->path, fc_cfg_real(cfg, "forcing", "wavenumber"),
                           fc_cfg_real(cfg, "forcing", "width"), step, kmax, step);
        }
    }
    const char *ic = spec_ics[fc_cfg_choice(cfg, "initial", "type")].name;
    if (!strcmp(ic, "random_spectrum") &&
        !(fc_cfg_real(cfg, "initial", "peak_wavenumber") < kmax)) {
        free(p);
        return fc_fail(err, FC_EINPUT,
                       "%s: [initial] peak_wavenumber = %g m-1 is beyond the largest wavenumber "
                       "this grid resolves, %g m-1",
                       cfg->path, fc_cfg_real(cfg, "initial", "peak_wavenumber"), kmax);
    }
    /* Below the box's first mode the spectrum's modes all lie on its exp(-2 (K/K0)^2) tail,
     * which underflows to zero far enough out: the flow would start at rest, not with the
     * energy asked for. */
    const double kmin = fmin(p->kx0, p->ky0);
    if (!strcmp(ic, "random_spectrum") &&
        fc_cfg_real(cfg, "initial", "peak_wavenumber") < kmin) {
        const double k0 = fc_cfg_real(cfg, "initial", "peak_wavenumber");
        free(p);
        return fc_fail(err, FC_EINPUT,
                       "%s: [initial] peak_wavenumber = %g m-1 is below the smallest wavenumber "
                       "the box holds, %g m-1 (2 pi over its longer side)",
                       cfg->path, k0, kmin);
    }
    if (!strcmp(ic, "taylor_green")) {
        /* sin(kx) sin(ky) is periodic in the box only if it holds whole wavelengths. */
        const double k = fc_cfg_real(cfg, "initial", "wavenumber");
        const double wx = k / p->kx0, wy = k / p->ky0;
        if (fabs(wx - round(wx)) > 1e-9 * wx || fabs(wy - round(wy)) > 1e-9 * wy) {
            free(p);
            return fc_fail(err, FC_EINPUT,
                           "%s: [initial] wavenumber = %g m-1: the box (%g x %g m) does not hold "
                           "whole wavelengths 2 pi / k",
                           cfg->path, k, g->x_max - g->x_min, g->y_max - g->y_min);
        }
    }
    *out = p;
    return FC_OK;
}

/* ---- output ---- */

/*
 * A complex field on the half spectrum holds about as many values as a real one on the grid.
 * The state and its accumulator (2, twice with a tracer), the forward transforms' fields in
 * both spaces (2 x nforward), the forcing, and FFT work space about one transform's worth.
 */
static double spec_mem_per_cell(const void *params)
{
    const spec_params *p = params;
    /* The CPU's integrating factors: a real per mode of the half spectrum and field. The GPU's
     * cuFFT work area, shared by the four plans: up to the complex data of the largest batch of
     * transforms, about nforward reals a cell (FFTW's buffers are smaller). */
    const double factors = p->tracer ? 1 : 0.5, fft_work = spec_nforward(p);
    return (p->tracer ? 4 : 2) + 2 * spec_nforward(p) + (p->forcing != SPEC_FORCING_NONE) + 2 +
           factors + fft_work;
}

/*
 * Per stage, each transform reads and writes its fields once (2 x (ninverse + nforward)); the
 * product kernel reads u, v (, c) and writes the products; the mode kernel reads the products'
 * coefficients, the state and accumulator (and the forcing) and writes the accumulator and the
 * next velocity coefficients. Transforms of large grids take two passes or more: a floor.
 */
static double spec_bytes_per_cell_step(const void *params)
{
    const spec_params *p = params;
    const int ni = spec_ninverse(p), nf = spec_nforward(p), ns = p->tracer ? 2 : 1;
    const int per_stage = 2 * (ni + nf) + (ni + nf) + (nf + 3 * ns + ni) +
                          (p->forcing != SPEC_FORCING_NONE);
    return (double)sizeof(fc_real) * 4 * per_stage;
}

static const char *const spec_field_names[] = {"vorticity", "tracer"};
static const char *const spec_restart_vars[] = {"vorticity", "tracer"};

enum { V_VORT, V_U, V_V, V_PSI, V_TRACER, V_SPECTRUM, NVARS };
static const fc_var_spec spec_vars[NVARS] = {
    {"vorticity", "vorticity dv/dx - du/dy", "s-1", NULL, FC_VAR_TYX},
    {"u", "x velocity", "m s-1", NULL, FC_VAR_TYX},
    {"v", "y velocity", "m s-1", NULL, FC_VAR_TYX},
    {"stream_function", "stream function psi (u = dpsi/dy, v = -dpsi/dx; zero mean)", "m2 s-1",
     NULL, FC_VAR_TYX},
    {"tracer", "passive tracer concentration", "1", NULL, FC_VAR_TYX},
    {"energy_spectrum", "isotropic kinetic energy spectrum E(k): the energy of the shell's modes "
                        "per unit wavenumber (sum E dk = mean |u|^2/2)",
     "m3 s-2", NULL, FC_VAR_TK},
};

static int spec_var_active(const void *params, size_t k)
{
    const spec_params *p = params;
    return k != V_TRACER || p->tracer != SPEC_TRACER_NONE;
}

enum { D_E, D_Z, D_P, NDIAGS };
static const fc_diag_spec spec_diags[NDIAGS] = {
    {"energy", "kinetic energy E: mean of |u|^2/2 over the box", "m2 s-2"},
    {"enstrophy", "enstrophy Z: mean of vorticity^2/2 over the box", "s-2"},
    {"palinstrophy", "palinstrophy P: mean of |grad vorticity|^2/2 over the box", "m-2 s-2"},
};

static const fc_diag_spec spec_step_stats[SPEC_NSTATS] = {
    {"energy_budget_residual",
     "dE/dt + 2 nu Z (and the hyperviscous, drag and forcing terms) over the last step: "
     "time-stepping error", "m2 s-3"},
    {"enstrophy_budget_residual",
     "dZ/dt + 2 nu P (and the hyperviscous, drag and forcing terms) over the last step: "
     "time-stepping error", "s-3"},
};

/* Normalised coefficients of the host vorticity on g (the whole grid, or a job's slab: its rows
 * of the half spectrum, collectively); NULL (err set) when out of memory. */
static spec_cplx *host_coefficients(const spec_params *p, const fc_grid *g, const fc_real *omega,
                                    fc_err *err)
{
    spec_cplx *w = malloc((size_t)g->ny * p->nxh * sizeof *w);
    if (spec_host_forward(p, g, omega, w)) {
        free(w);
        fc_fail(err, FC_ENOMEM, "out of host memory for the vorticity's transform");
        return NULL;
    }
    return w;
}

static int spec_derive(const void *params, const fc_grid *g, fc_state *host, fc_real *const *out,
                       fc_err *err)
{
    const spec_params *p = params;
    const size_t n = (size_t)g->nx * g->ny, nc = (size_t)g->ny * p->nxh;
    spec_cplx *w = host_coefficients(p, g, host->f[SPEC_VORT], err);
    if (!w)
        return FC_ENOMEM;
    spec_cplx *a = malloc(nc * sizeof *a), *b = malloc(nc * sizeof *b), *c = malloc(nc * sizeof *c);
    double dk;
    const int nk = out[V_SPECTRUM] ? fc_grid_shells(g, &dk) : 0;
    double *e = out[V_SPECTRUM] ? calloc((size_t)nk, sizeof *e) : NULL;
    int st = FC_OK;
    if (spec_any_slab(g, !a || !b || !c || (out[V_SPECTRUM] && !e))) {
        st = fc_fail(err, FC_ENOMEM, "out of host memory for the output variables");
        goto done;
    }
    for (int j = 0; j < g->ny; j++) /* the rows held: all, or a slab's */
        for (int i = 0; i < p->nxh; i++) {
            const size_t k = (size_t)j * p->nxh + i;
            spec_mode m = spec_mode_at(p, i, g->j0 + j);
            spec_velocity(m, w[k], &a[k], &b[k]);
            c[k] = spec_stream(m, w[k]);
        }
    const struct {
        int var;
        const spec_cplx *coef;
    } fields[3] = {{V_U, a}, {V_V, b}, {V_PSI, c}};
    for (int f = 0; f < 3 && !st; f++)
        if (out[fields[f].var] && spec_host_inverse(p, g, fields[f].coef, out[fields[f].var]))
            st = fc_fail(err, FC_ENOMEM, "out of host memory for an inverse transform");
    if (st)
        goto done;
    if (out[V_VORT])
        memcpy(out[V_VORT], host->f[SPEC_VORT], n * sizeof(fc_real));
    if (out[V_TRACER])
        memcpy(out[V_TRACER], host->f[SPEC_TRACER], n * sizeof(fc_real));
    if (out[V_SPECTRUM]) {
        for (int j = 0; j < g->ny; j++)
            for (int i = 0; i < p->nxh; i++) {
                spec_mode m = spec_mode_at(p, i, g->j0 + j);
                const spec_cplx wk = w[(size_t)j * p->nxh + i];
                const int shell = (int)floor(sqrt((double)m.k2) / dk + 0.5);
                if (shell >= 1 && shell <= nk)
                    e[shell - 1] += m.weight * ((double)wk.re * wk.re + (double)wk.im * wk.im) /
                                    (2 * (double)m.k2);
            }
        spec_sum_slabs(g, e, nk);
        for (int s = 0; s < nk; s++)
            out[V_SPECTRUM][s] = (fc_real)(e[s] / dk);
    }
done:
    free(e);
    free(a);
    free(b);
    free(c);
    free(w);
    return st;
}

static int spec_diagnose(const void *params, const fc_grid *g, fc_state *host,
                         const double *stats, double *d, fc_err *err)
{
    (void)stats; /* nothing here depends on the step */
    const spec_params *p = params;
    spec_cplx *w = host_coefficients(p, g, host->f[SPEC_VORT], err);
    if (!w)
        return FC_ENOMEM;
    double e = 0, z = 0, pal = 0;
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < p->nxh; i++) {
            spec_mode m = spec_mode_at(p, i, g->j0 + j);
            const spec_cplx wk = w[(size_t)j * p->nxh + i];
            const double w2 = m.weight * ((double)wk.re * wk.re + (double)wk.im * wk.im) / 2;
            e += m.k2 > 0 ? w2 / m.k2 : 0;
            z += w2;
            pal += w2 * m.k2;
        }
    d[D_E] = e;
    d[D_Z] = z;
    d[D_P] = pal;
    spec_sum_slabs(g, d, NDIAGS);
    free(w);
    return FC_OK;
}

const fc_solver_desc spec_solver = {
    .name = "spectral",
    .summary = "two-dimensional incompressible flow in a doubly periodic box, vorticity form: "
               "Fourier pseudo-spectral with 2/3-rule dealiasing, RK4 with an integrating factor "
               "for viscosity, hyperviscosity and drag; optional ring forcing and passive tracer",
    .references = "Orszag (1971), J. Atmos. Sci. 28, 1074; Basdevant (1983), J. Comput. Phys. "
                  "50, 209-214; Lawson (1967), SIAM J. Numer. Anal. 4, 372-380; Canuto, "
                  "Hussaini, Quarteroni & Zang (2006), Spectral Methods, Springer; Bell, Colella "
                  "& Glaz (1989), J. Comput. Phys. 85, 257-283; McWilliams (1984), J. Fluid "
                  "Mech. 146, 21-43",
    .schema = {
        .keys = spec_keys,
        .nkeys = sizeof spec_keys / sizeof spec_keys[0],
        .ics = spec_ics,
        .nics = SPEC_NICS,
        .check = spec_check,
        .make_params = spec_make_params,
    },
    .io = {
        .halo = SPEC_HALO,
        .nfields = SPEC_NFIELDS,
        .field_names = spec_field_names,
        .restart_vars = spec_restart_vars,
        .vars = spec_vars,
        .nvars = NVARS,
        .var_active = spec_var_active,
        .derive = spec_derive,
        .diags = spec_diags,
        .ndiags = NDIAGS,
        .conserved_diag = -1,
        .diagnose = spec_diagnose,
        .step_stats = spec_step_stats,
        .nstep_stats = SPEC_NSTATS,
        .steady_capable = 0,
        .interpolate = spec_interpolate,
    },
    .cost = {
        .mem_per_cell = spec_mem_per_cell,
        .bytes_per_cell_step = spec_bytes_per_cell_step,
        .bench_case = "[case]\nsolver = spectral\n[grid]\nx_max = 6.283185307179586\n"
                      "y_max = 6.283185307179586\n[boundary]\nwest = periodic\neast = periodic\n"
                      "south = periodic\nnorth = periodic\n[time]\nt_end = 1e9\ncfl = 0.8\n[physics]\n"
                      "viscosity = 1e-4\n[initial]\ntype = random_spectrum\nenergy = 0.5\n"
                      "peak_wavenumber = 4\n",
        .bench_name = "decaying turbulence",
    },
    .cpu = &spec_ops_cpu,
#ifdef FC_HAVE_CUDA
    .gpu = &spec_ops_cuda,
#else
    .gpu = NULL,
#endif
};
