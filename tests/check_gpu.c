/*
 * check_gpu.c: every solver case on the GPU against the CPU reference, same input, same steps.
 * Exits 77 (skipped) without a usable GPU, or 99 (hard error) when FC_REQUIRE_GPU=1 asks for
 * one. Not forked: a CUDA context does not survive fork().
 *
 * Tolerance, and why:
 * - swe: both backends evaluate the same FC_HD cell functions with IEEE-rounded +, -, *, / and
 *   sqrt (nvcc -fmad=false, no fast math; gcc contracts no FMA on x86-64 without -march), and
 *   the only reductions (the largest signal rate) are exact, so the time steps are identical and
 *   the fields should agree to the last bit. The test allows a relative difference of
 *   FC_GPU_RTOL of each field's largest magnitude, to tolerate a compiler reassociating one
 *   operation, while anything from an indexing, race or halo bug (O(1) differences) fails.
 * - ns2d: the face physics is shared the same way (but compiled with multiply-adds fused, as for
 *   spectral, euler and the MLP: a rounding per operation), and the pressure solve sums its dot
 *   products (and, in its CSR form, its SpMV rows) in another order than the CPU, so the solves
 *   stop at slightly different residuals. With poisson_tol = 1e-11 s-1 in these cases a
 *   projection leaves at most about that divergence, and the velocities of the two backends may
 *   differ by O(1e-12) per step, more where the operator is ill-conditioned (on the H200 a
 *   Jacobi-preconditioned case's rate differed by 1.5e-9): FC_GPU_NS2D_RTOL = 1e-8 of each
 *   field's largest magnitude over 100 steps leaves room for that and still fails any indexing,
 *   race or boundary bug by orders of magnitude; a step's pressure iterations may differ by 2,
 *   or by 15 % of their count.
 * - spectral: the mode and point physics is shared, but cuFFT and FFTW are different algorithms
 *   whose results differ by round-off (~1e-16 of a field per transform, 16 transforms a step),
 *   and turbulence amplifies differences over time. FC_GPU_SPEC_RTOL = 1e-10 of each field's
 *   largest magnitude over 100 steps is some thousand times what that gives, and a wrong index,
 *   a wrong mode or a race shows as O(1). Each transform pair alone (upload, download) must
 *   return a band-limited field to FC_GPU_ROUNDTRIP_RTOL.
 * - euler: the face and cell physics is shared as for swe, but the pressure p = C0 (rho theta)^gamma
 *   is a pow(), which CUDA's libm and glibc may round differently by an ulp, and the stage
 *   reductions are exact: FC_GPU_EULER_RTOL = 1e-10 of each field's largest magnitude over 100
 *   steps is ten thousand times what an ulp per face and step grows to in these smooth flows, and
 *   an indexing, halo or wall bug shows as O(1).
 * - mlp: float32 GEMMs summed in another order by cuBLAS than by OpenBLAS: the loss, gradient
 *   and parameters after optimiser steps agree to FC_GPU_MLP_RTOL of their largest magnitude
 *   (a few hundred float32 epsilons) with TF32 off, and to FC_GPU_TF32_RTOL with it on (TF32
 *   keeps 10 mantissa bits of each product's inputs). A surrogate's forecast steps with the
 *   network on the GPU change the state by the same to FC_GPU_MLP_RTOL of the largest change.
 *
 * Each case's own growth of round-off: a case may amplify a difference of one rounding a
 * thousandfold over its steps (the periodic Taylor-Green vortex under Jacobi-preconditioned CG
 * does: ~10x per 10 steps). So each case also runs a second time on the CPU from a state changed
 * by a few units in the last place of every value, and the GPU's tolerance for each field is the
 * larger of the fixed one above and 100 times the difference this perturbed CPU run shows: the
 * case's own sensitivity, measured, not guessed. A case too sensitive for a meaningful test
 * (a perturbed difference above 1e-4) fails as such.
 *
 * Precision: the pressure tolerance of the ns2d cases is 1e-11 s-1 in double and 1e-4 s-1 in an
 * --enable-single build (float CG stalls near 3e-6).
 *
 * FC_GPU_STEPS=N caps every case's steps (the compute-sanitizer runs of tests/gpu.sh use a few),
 * FC_GPU_CASES=PREFIX,... runs only the solver cases whose names start so,
 * and the whole program stops itself after FC_GPU_TIMEOUT seconds (default 900): Check does not
 * fork here, so its own timeouts cannot.
 */
#include <fc_build.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/core/backend.h"
#include "ml/mlp.h"
#include "ml/mlp_gpu.h"
#include "ml/surrogate.h"
#include "src/core/run.h"
#include "solvers/euler/euler.h"
#include "solvers/ns2d/ns2d.h"
#include "solvers/spectral/spec.h"
#include "solvers/swe/swe.h"
#include "tests/testlib.h"

#ifdef FC_SINGLE
#define FC_GPU_RTOL 1e-5
#define FC_GPU_NS2D_RTOL 1e-4
#define FC_GPU_SPEC_RTOL 1e-3
#define FC_GPU_EULER_RTOL 1e-4
#define FC_GPU_ROUNDTRIP_RTOL 1e-5
#define POISSON_TOL "1e-4"
#define POISSON_RTOL "3e-6" /* POISSON_TOL relative to these cavities' 40 s-1 */
#define ULPS 4e-7
/* A perturbed CPU run's relative difference above this: the case is too sensitive to test with
 * (the perturbation, ULPS, is 5e8 times the double build's; 2e-4 to 6e-4 seen on the CPU). */
#define FC_GPU_MAX_SENSITIVITY 1e-2
/* A field no larger than this times the case's largest is round-off (a lake at rest's
 * momentum: 1e-6 of its depth in single precision). */
#define FC_GPU_ROUNDOFF_FIELD 1e-3
#else
#define FC_GPU_RTOL 1e-12
/* ns2d: two correct pressure solves stopped at a relative residual of 1e-11 (POISSON_TOL) by
 * arithmetic in another order differ by up to the 5-point operator's condition number (about
 * 1e3 on these grids) times that: 1e-8 (Jacobi-preconditioned CG on a periodic grid, H200:
 * 1.5e-9 in the signal rate). */
#define FC_GPU_NS2D_RTOL 1e-8
#define FC_GPU_SPEC_RTOL 1e-10
#define FC_GPU_EULER_RTOL 1e-10
#define FC_GPU_ROUNDTRIP_RTOL 1e-14
#define POISSON_TOL "1e-11"
#define POISSON_RTOL "1e-12" /* about POISSON_TOL relative to these cavities' 40 s-1 */
#define ULPS 8e-16
#define FC_GPU_MAX_SENSITIVITY 1e-4
#define FC_GPU_ROUNDOFF_FIELD 1e-10
#endif
/* check_gpu_harness (FC_GPU_HARNESS_ON_CPU): this program with the CPU in the GPU's place, run
 * by `make check` on every machine, so that the comparisons themselves (the perturbed runs, the
 * tolerances, the statistics) are exercised where no GPU is; the MLP's GPU tests are left out. */
#if defined GPU_OPS
/* given by the build: docs/measurements/host-emulation-2026-12-06 puts an emulated CUDA backend
 * there */
#elif defined FC_GPU_HARNESS_ON_CPU
#define GPU_OPS(s) ((s)->cpu)
#else
#define GPU_OPS(s) ((s)->gpu)
#endif
#define FC_GPU_MLP_RTOL 1e-4
#define FC_GPU_TF32_RTOL 2e-2

#define SPECTRAL_BOX                                                                             \
    "[case]\nsolver = spectral\n[grid]\nx_max = 6.283185307179586\ny_max = 6.283185307179586\n" \
    "[boundary]\nwest = periodic\neast = periodic\nsouth = periodic\nnorth = periodic\n"       \
    "[time]\nt_end = 1\ncfl = 0.8\n[numerics]\nfft_planning = estimate\n"

/* Case text and the overrides of each comparison, and how many steps. */
static const struct {
    const char *name;
    const char *ini;
    long long steps;
} cases[] = {
    {"lake_at_rest_island",
     "[case]\nsolver = swe\n[grid]\nnx = 67\nny = 61\nx_min = -0.5\nx_max = 0.5\ny_min = -0.5\n"
     "y_max = 0.5\n[time]\nt_end = 1\n[initial]\ntype = lake_at_rest\nsurface = 0.1\n"
     "bump_height = 0.3\n",
     200},
    /* An inflow's discharge and an open side toward given water, over a ridge: transcritical
     * once steady (Goutal & Maurel's bump), here on its way there. */
    {"swe_channel_bump_inflow",
     "[case]\nsolver = swe\n[grid]\nnx = 200\nny = 3\nx_max = 25\ny_max = 0.375\n"
     "[time]\nt_end = 100\n[boundary]\nwest = inflow\neast = open\ninflow_discharge = 1.53\n"
     "outside_water = given\noutside_level = 0.66\noutside_current = 2.318\n[initial]\n"
     "type = lake_at_rest\nsurface = 0.66\nbump_height = 0.2\nbump_radius = 2\n"
     "bump_shape = parabolic_ridge\ncenter_x = 10\n",
     300},
    /* A supercritical inflow: its depth held with the discharge ([boundary] inflow_depth);
     * van Albada's limiter, the one for a flow meant to settle. */
    {"swe_supercritical_inflow",
     "[case]\nsolver = swe\n[grid]\nnx = 200\nny = 3\nx_max = 25\ny_max = 0.375\n"
     "[time]\nt_end = 100\n[numerics]\nlimiter = vanalbada\n"
     "[boundary]\nwest = inflow\neast = open\ninflow_discharge = 25.0567\n"
     "inflow_depth = 2\noutside_water = given\noutside_level = 2\noutside_current = 12.52835\n"
     "[initial]\ntype = lake_at_rest\nsurface = 2\nbump_height = 0.2\nbump_radius = 2\n"
     "bump_shape = parabolic_ridge\ncenter_x = 10\n",
     300},
    {"dambreak_dry_open",
     "[case]\nsolver = swe\n[grid]\nnx = 301\nny = 3\nx_min = -10\nx_max = 10\ny_max = 0.3\n"
     "[time]\nt_end = 1\n[boundary]\nwest = open\neast = open\nsouth = periodic\n"
     "north = periodic\n[initial]\ntype = dambreak\ndepth_left = 1\ndepth_right = 0\n",
     300},
    {"paraboloid_moving_shore",
     "[case]\nsolver = swe\n[grid]\nnx = 60\nny = 60\nx_min = -2\nx_max = 2\ny_min = -2\n"
     "y_max = 2\n[time]\nt_end = 10\n[initial]\ntype = paraboloid\n",
     300},
    {"vortex_periodic_hll_rk2",
     "[case]\nsolver = swe\n[grid]\nnx = 96\nny = 80\nx_min = -1.5e6\nx_max = 1.5e6\n"
     "y_min = -1.2e6\ny_max = 1.2e6\n[time]\nt_end = 1\n[boundary]\nwest = periodic\n"
     "east = periodic\nsouth = periodic\nnorth = periodic\n[physics]\nf0 = 1e-4\n"
     "[numerics]\nflux = hll\ntime_scheme = ssprk2\nlimiter = minmod\n"
     "[initial]\ntype = vortex\ndepth = 1000\namplitude = -50\nradius = 3e5\n",
     200},
    {"jet_beta_plane_walls_drag",
     "[case]\nsolver = swe\n[grid]\nnx = 130\nny = 66\nx_max = 8e6\ny_min = -2e6\ny_max = 2e6\n"
     "[time]\nt_end = 1\n[boundary]\nwest = periodic\neast = periodic\n"
     "[physics]\nf0 = 1e-4\nbeta = 1.6e-11\nlinear_drag = 1e-6\nquadratic_drag = 2e-3\n"
     "[initial]\ntype = jet\ndepth = 1000\njet_speed = 30\njet_width = 3e5\nperturbation = 2\n",
     300},
    {"ns2d_cavity_re400",
     "[case]\nsolver = ns2d\n[grid]\nnx = 48\nny = 40\nx_max = 1\ny_max = 1\n[time]\nt_end = 1\n"
     "cfl = 0.8\n[physics]\nreynolds = 400\n[boundary]\nnorth_wall_speed = 1\n"
     "[numerics]\npoisson_tol = " POISSON_TOL "\n[initial]\ntype = rest\n",
     100},
    /* The same cavity with its lid at 1e-6 m/s: the relative tolerance decides (the scale of
     * the velocities projected, which each backend takes beside the right-hand side). */
    {"ns2d_cavity_slow_relative_tolerance",
     "[case]\nsolver = ns2d\n[grid]\nnx = 48\nny = 40\nx_max = 1\ny_max = 1\n[time]\nt_end = 1\n"
     "cfl = 0.8\n[physics]\nreynolds = 400\nreference_speed = 1e-6\n[boundary]\n"
     "north_wall_speed = 1e-6\n[numerics]\npoisson_rtol = " POISSON_RTOL "\n[initial]\ntype = rest\n",
     100},
    {"ns2d_cylinder_inflow_outflow",
     "[case]\nsolver = ns2d\n[grid]\nnx = 110\nny = 21\nx_max = 2.2\ny_max = 0.41\n[time]\n"
     "t_end = 1\ncfl = 0.8\n[physics]\nreynolds = 100\nreference_length = 0.1\n[boundary]\n"
     "west = inflow\neast = open\n[numerics]\npoisson_tol = " POISSON_TOL "\n[obstacle]\nshape = circle\n"
     "center_x = 0.2\ncenter_y = 0.2\nsize = 0.1\n[initial]\ntype = rest\n",
     100},
    {"ns2d_taylor_green_jacobi_upwind2",
     "[case]\nsolver = ns2d\n[grid]\nnx = 32\nny = 24\nx_max = 6.283185307179586\n"
     "y_max = 6.283185307179586\n[time]\nt_end = 1\ncfl = 0.8\n[physics]\nviscosity = 0.01\n"
     "[boundary]\nwest = periodic\neast = periodic\nsouth = periodic\nnorth = periodic\n"
     "[numerics]\npoisson_tol = " POISSON_TOL "\npreconditioner = jacobi\nadvection = upwind2\n"
     "[initial]\ntype = taylor_green\namplitude = 1\n",
     100},
    {"ns2d_poiseuille_force_square_obstacle",
     "[case]\nsolver = ns2d\n[grid]\nnx = 40\nny = 24\nx_max = 2\ny_max = 1\n[time]\nt_end = 1\n"
     "cfl = 0.8\n[physics]\nviscosity = 0.01\nforce_x = 0.1\n[boundary]\nwest = periodic\n"
     "east = periodic\n[numerics]\npoisson_tol = " POISSON_TOL "\n[obstacle]\nshape = square\n"
     "center_x = 1\ncenter_y = 0.5\nsize = 0.3\n[initial]\ntype = rest\n",
     100},
    /* An odd nx, a tracer, hyperviscosity. */
    {"spectral_turbulence_tracer_odd_grid",
     SPECTRAL_BOX "[grid]\nnx = 45\nny = 40\n[physics]\nviscosity = 1e-3\nhyperviscosity = 1e-6\n"
     "[tracer]\ninitial = bands\ndiffusivity = 1e-3\n[initial]\ntype = random_spectrum\n"
     "energy = 0.5\npeak_wavenumber = 5\nseed = 3\n",
     100},
    /* Forcing and drag from rest, without dealiasing. */
    {"spectral_forced_ring_aliased",
     SPECTRAL_BOX "[grid]\nnx = 64\nny = 64\n[physics]\nviscosity = 1e-3\ndrag = 0.1\n"
     "[forcing]\ntype = ring\nwavenumber = 8\nwidth = 2\namplitude = 3\n"
     "[numerics]\ndealias = none\n[initial]\ntype = rest\n",
     100},
    /* The van Leer limiter, HLLC, open south and north sides, a bump in a channel. */
    {"swe_vanleer_open_south_north",
     "[case]\nsolver = swe\n[grid]\nnx = 40\nny = 56\nx_max = 1\ny_max = 1.4\n[time]\nt_end = 1\n"
     "[boundary]\nwest = wall\neast = wall\nsouth = open\nnorth = open\n[numerics]\n"
     "limiter = vanleer\nflux = hllc\n[initial]\ntype = gaussian_bump\ndepth = 1\n"
     "amplitude = 0.2\nradius = 0.15\ncenter_x = 0.4\ncenter_y = 0.5\n",
     150},
    /* More rows of blocks than a grid's y dimension holds (65535 x 8): the grid-stride loops. */
    {"swe_tall_grid_stride",
     "[case]\nsolver = swe\n[grid]\nnx = 3\nny = 600000\nx_max = 3\ny_max = 600000\n"
     "[time]\nt_end = 1\n[boundary]\nwest = periodic\neast = periodic\n[initial]\n"
     "type = gaussian_bump\ndepth = 1\namplitude = 0.1\nradius = 2e4\ncenter_x = 1.5\n"
     "center_y = 3e5\n",
     4},
    /* Multigrid with every side periodic (the singular, mean-free pressure). */
    {"ns2d_taylor_green_multigrid",
     "[case]\nsolver = ns2d\n[grid]\nnx = 48\nny = 40\nx_max = 6.283185307179586\n"
     "y_max = 6.283185307179586\n[time]\nt_end = 1\ncfl = 0.8\n[physics]\nviscosity = 0.01\n"
     "[boundary]\nwest = periodic\neast = periodic\nsouth = periodic\nnorth = periodic\n"
     "[numerics]\npoisson_tol = " POISSON_TOL "\n[initial]\ntype = taylor_green\namplitude = 1\n",
     100},
    /* A uniform inflow from the south that oscillates (period 2 s: set at each stage's time),
     * outflow north, force_y, moving east and west walls. */
    {"ns2d_south_inflow_uniform_force_y_moving_walls",
     "[case]\nsolver = ns2d\n[grid]\nnx = 24\nny = 40\nx_max = 0.6\ny_max = 1\n[time]\n"
     "t_end = 1\ncfl = 0.8\n[physics]\nviscosity = 0.01\nforce_y = 0.05\n[boundary]\n"
     "south = inflow\nnorth = open\ninflow_profile = uniform\ninflow_speed = 0.5\n"
     "inflow_period = 2\n"
     "west_wall_speed = 0.2\neast_wall_speed = -0.1\n[numerics]\npoisson_tol = " POISSON_TOL
     "\n[initial]\ntype = rest\n",
     100},
    /* Cells 10 times longer than wide (the stencil multigrid halves x alone on its first
     * levels: semi-coarsening), inflow and outflow across them. */
    {"ns2d_long_cells_semi_coarsened",
     "[case]\nsolver = ns2d\n[grid]\nnx = 120\nny = 12\nx_max = 1\ny_max = 1\n[time]\n"
     "t_end = 1\ncfl = 0.8\n[physics]\nviscosity = 0.01\n[boundary]\nwest = inflow\n"
     "east = open\ninflow_speed = 0.5\n[numerics]\npoisson_tol = " POISSON_TOL
     "\n[initial]\ntype = rest\n",
     100},
    /* Hyperviscosity of order 4 with its budget terms, drag, forcing. */
    {"spectral_hyperviscosity_order4_budgets",
     SPECTRAL_BOX "[grid]\nnx = 48\nny = 48\n[physics]\nviscosity = 1e-3\nhyperviscosity = 1e-9\n"
     "hyperviscosity_order = 4\ndrag = 0.05\n[forcing]\ntype = ring\nwavenumber = 6\n"
     "width = 2\namplitude = 1\n[initial]\ntype = random_spectrum\nenergy = 0.5\n"
     "peak_wavenumber = 4\nseed = 5\n",
     100},
    /* A box that is not square in points or in length; a tracer blob. */
    {"spectral_double_shear_layer_blob",
     "[case]\nsolver = spectral\n[grid]\nnx = 64\nny = 96\nx_max = 1\ny_max = 1.5\n"
     "[boundary]\nwest = periodic\neast = periodic\nsouth = periodic\nnorth = periodic\n"
     "[time]\nt_end = 1\ncfl = 0.8\n[numerics]\nfft_planning = estimate\n"
     "[physics]\nviscosity = 1e-4\n[tracer]\ninitial = blob\nblob_radius = 0.2\n"
     "[initial]\ntype = double_shear_layer\nlayer_width = 0.05\n",
     100},
    /* A warm bubble in a stable atmosphere, walls on every side, viscosity, diffusivity and a
     * sponge; an odd grid. */
    {"euler_bubble_walls_viscous_sponge",
     "[case]\nsolver = euler\n[grid]\nnx = 61\nny = 37\nx_min = -5000\nx_max = 5000\n"
     "y_max = 6000\n[time]\nt_end = 1e9\ncfl = 0.9\n[physics]\nbackground = stable\n"
     "brunt_vaisala = 0.012\nviscosity = 20\ndiffusivity = 30\nsponge_depth = 2000\n"
     "sponge_rate = 0.02\n[initial]\ntype = bubble\namplitude = 3\ncenter_x = 700\n"
     "center_z = 1800\nradius_x = 1500\nradius_z = 1000\namplitude_2 = -2\n"
     "center_x_2 = -1500\ncenter_z_2 = 4000\nradius_2 = 800\n",
     100},
    /* Gravity waves in a periodic, isothermal atmosphere with a wind. */
    {"euler_gravity_wave_periodic_wind_isothermal",
     "[case]\nsolver = euler\n[grid]\nnx = 96\nny = 20\nx_max = 300000\ny_max = 10000\n"
     "[boundary]\nwest = periodic\neast = periodic\n[time]\nt_end = 1e9\ncfl = 0.9\n"
     "[physics]\nbackground = isothermal\nwind = 20\n[initial]\ntype = gravity_wave\n"
     "amplitude = 0.5\nhalf_width = 20000\ncenter_x = 100000\n",
     100},
    /* The immersed boundary (ns2d_body.h): forcing from the stage's input, held faces, open
     * fractions. (At the end: the bad-state tests below name cases by index.) */
    {"ns2d_cylinder_immersed",
     "[case]\nsolver = ns2d\n[grid]\nnx = 220\nny = 41\nx_max = 2.2\ny_max = 0.41\n[time]\n"
     "t_end = 1\ncfl = 0.8\n[physics]\nreynolds = 100\nreference_length = 0.1\n[boundary]\n"
     "west = inflow\neast = open\n[numerics]\npoisson_tol = " POISSON_TOL "\n[obstacle]\nshape = circle\n"
     "boundary = immersed\ncenter_x = 0.2\ncenter_y = 0.2\nsize = 0.1\n[initial]\ntype = rest\n",
     100},
    {"ns2d_naca_immersed_periodic_force",
     "[case]\nsolver = ns2d\n[grid]\nnx = 96\nny = 48\nx_max = 2\ny_max = 1\n[time]\nt_end = 1\n"
     "cfl = 0.8\n[physics]\nviscosity = 0.005\nforce_x = 0.2\n[boundary]\nwest = periodic\n"
     "east = periodic\n[numerics]\npoisson_tol = " POISSON_TOL "\n[obstacle]\nshape = naca\n"
     "boundary = immersed\nnaca = 2412\nsize = 0.8\nangle_of_attack = 8\ncenter_x = 1\n"
     "center_y = 0.5\n[initial]\ntype = rest\n",
     100},
    /* Two immersed bodies, a rotated ellipse and a square: the union, and the mass fix of
     * both bodies' cut cells. */
    {"ns2d_two_bodies_immersed",
     "[case]\nsolver = ns2d\n[grid]\nnx = 160\nny = 64\nx_max = 2.5\ny_max = 1\n[time]\n"
     "t_end = 1\ncfl = 0.8\n[physics]\nreynolds = 200\nreference_length = 0.2\n[boundary]\n"
     "west = inflow\neast = open\n[numerics]\npoisson_tol = " POISSON_TOL "\n[obstacle]\n"
     "shape = ellipse\nboundary = immersed\nwidth = 0.3\nheight = 0.15\nrotation = 20\n"
     "center_x = 0.5\ncenter_y = 0.45\n[obstacle2]\nshape = square\nsize = 0.15\n"
     "rotation = 30\ncenter_x = 1.2\ncenter_y = 0.55\n[initial]\ntype = rest\n",
     100},
};

typedef struct diff {
    double max_abs, max_rel, norm; /* max |g - c|, that over max |c|, and the L2 ratio */
} diff;

/* Over the interior, and with edge = 1 the east and north edge faces of a staggered field. */
static diff compare(const fc_grid *g, const fc_real *a, const fc_real *b, int edge)
{
    double m = 0, d = 0, s2 = 0, d2 = 0;
    for (int j = 0; j < g->ny + edge; j++)
        for (int i = 0; i < g->nx + edge; i++) {
            ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
            double e = fabs((double)a[k] - (double)b[k]);
            if (!(e <= d))
                d = e; /* NaN counts as a difference */
            m = fmax(m, fabs((double)b[k]));
            s2 += (double)b[k] * b[k];
            d2 += e * e;
        }
    diff r = {d, m > 0 ? d / m : d, s2 > 0 ? sqrt(d2 / s2) : sqrt(d2)};
    return r;
}

/* The index of the case called name (the tests below pick cases by name, not by position). */
static int case_named(const char *name)
{
    for (int c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++)
        if (!strcmp(cases[c].name, name))
            return c;
    ck_abort_msg("check_gpu has no case '%s'", name);
    return -1;
}

/* Steps of case c: its own, or fewer when FC_GPU_STEPS caps them. */
static long long case_steps(int c)
{
    const char *cap = getenv("FC_GPU_STEPS");
    const long long n = cap ? atoll(cap) : 0;
    return n > 0 && n < cases[c].steps ? n : cases[c].steps;
}

/* Multiplies every interior value of every field by 1 + ULPS r, r in [-1, 1]: a state one or
 * two roundings away from the original, then uploads it. Euler's density and rho theta are
 * departures from a background, but its pressure is pow() of the whole rho theta (another
 * library's pow() on the GPU): there the whole value, background and departure, is perturbed
 * (seen on an H200: the bubble's momentum after 2 steps, 3e-4, differed by 5e-14, far above a
 * rounding of the departures). */
static void perturb(tl_sim *s)
{
    unsigned long long x = 12345;
    for (int f = 0; f < s->s->io.nfields; f++)
        for (int j = 0; j < s->grid.ny; j++)
            for (int i = 0; i < s->grid.nx; i++) {
                x = x * 6364136223846793005ull + 1442695040888963407ull;
                const double r = (double)(x >> 11) * 0x1.0p-52 - 1;
                fc_real *v = &s->host.f[f][fc_idx(s->grid.pitch, s->grid.ng, i, j)];
                double background = 0, rho_b, rt_b;
                if (s->s == &euler_solver && (f == EULER_RHO || f == EULER_RHOT)) {
                    euler_background_at(s->params, (j + 0.5) * s->grid.dy, &rho_b, &rt_b);
                    background = f == EULER_RHO ? rho_b : rt_b;
                }
                *v = (fc_real)((*v + background) * (1 + ULPS * r) - background);
            }
    fc_err err;
    ck_assert_msg(s->ops->upload(s->state, &s->host, &err) == FC_OK, "%s", err.msg);
}

/* Largest |value| over the interior (and the edge faces with edge = 1). */
static double max_abs_field(const fc_grid *g, const fc_real *a, int edge)
{
    double m = 0;
    for (int j = 0; j < g->ny + edge; j++)
        for (int i = 0; i < g->nx + edge; i++)
            m = fmax(m, fabs((double)a[fc_idx(g->pitch, g->ng, i, j)]));
    return m;
}

/* Whether case c is among FC_GPU_CASES (comma-separated name prefixes; all when unset): lets a
 * slow sanitizer (racecheck) spend a short loan of a GPU on the cases it has not seen. */
static int case_selected(int c)
{
    const char *list = getenv("FC_GPU_CASES");
    if (!list || !*list)
        return 1;
    for (const char *p = list; *p;) {
        const size_t n = strcspn(p, ",");
        if (n > 0 && !strncmp(cases[c].name, p, n))
            return 1;
        p += n + (p[n] == ',');
    }
    return 0;
}

/* Case c on the GPU against the CPU (see the top of this file). */
static void gpu_matches_cpu_case(int c)
{
    if (!case_selected(c)) {
        printf("%-36s not run (FC_GPU_CASES)\n", cases[c].name);
        return;
    }
    tl_sim cpu, gpu, ref;
    tl_sim_open(&cpu, cases[c].ini, NULL, NULL);
    const fc_solver_desc *s = cpu.s;
    const double rtol = s == &euler_solver ? FC_GPU_EULER_RTOL
                        : s == &ns2d_solver ? FC_GPU_NS2D_RTOL
                        : s == &spec_solver ? FC_GPU_SPEC_RTOL
                                            : FC_GPU_RTOL;
    tl_sim_open(&gpu, cases[c].ini, NULL, GPU_OPS(s));
    tl_sim_open(&ref, cases[c].ini, NULL, NULL);
    perturb(&ref);
    const long long steps = case_steps(c);
    double stat_diff[FC_MAX_STEP_STATS] = {0}, stat_max[FC_MAX_STEP_STATS] = {0};
    double stat_own[FC_MAX_STEP_STATS] = {0};
    for (long long n = 0; n < steps; n++) {
        /* The step the CPU takes (halved where a shore outruns it), taken by the GPU and the
         * perturbed CPU run too, so a rate difference cannot hide. */
        double dt = fc_cfg_real(&cpu.cfg, "time", "cfl") / cpu.rate;
        fc_err err;
        fc_step_report rg = {0}, rr = {0};
        const double t = cpu.t;
        ck_assert_msg(fc_sim_step(&cpu, &dt, &err) == FC_OK, "%s", err.msg);
        const fc_step_report rc = cpu.last;
        ck_assert_msg(gpu.ops->step(gpu.state, t, dt, &rg, &err) == FC_OK, "%s", err.msg);
        ck_assert_msg(ref.ops->step(ref.state, t, dt, &rr, &err) == FC_OK, "%s", err.msg);
        ck_assert_int_eq(rc.bad, rg.bad);
        ck_assert_msg(fabs(rc.max_rate - rg.max_rate) <= rtol * rc.max_rate,
                      "step %lld: max rate cpu %.17g gpu %.17g", n, rc.max_rate, rg.max_rate);
        /* The largest change per second (what [time] steady_tol reads). */
        ck_assert_msg(fabs(rc.change - rg.change) <=
                          fmax(1e-3 * fabs(rc.change), 1e3 * fabs(rc.change - rr.change)) + 1e-300,
                      "step %lld: change cpu %.17g gpu %.17g", n, rc.change, rg.change);
        for (size_t k = 0; k < s->io.nstep_stats; k++) {
            stat_diff[k] = fmax(stat_diff[k], fabs(rc.stats[k] - rg.stats[k]));
            stat_own[k] = fmax(stat_own[k], fabs(rc.stats[k] - rr.stats[k]));
            stat_max[k] = fmax(stat_max[k], fabs(rc.stats[k]));
        }
        /* Halfway: a download (what a record does) and on again, on every backend. */
        if (n == steps / 2) {
            tl_sim_download(&cpu);
            tl_sim_download(&gpu);
            tl_sim_download(&ref);
        }
    }
    /* The step statistics (pressure iterations and residuals, budget residuals): the same
     * quantities from the same state, to the solver's tolerance or to what the perturbed CPU run
     * shows, whichever is larger: an iterative solve that stops at a tolerance near its
     * round-off plateau (Jacobi-preconditioned CG on a periodic grid) can take a few more or
     * fewer iterations on a state one rounding away, and a budget residual is a difference of
     * large terms. Judged after the fields, so that every number of a case is printed. */
    const char *stat_failed = NULL;
    double stat_failed_by = 0;
    for (size_t k = 0; k < s->io.nstep_stats; k++) {
        const char *name = s->io.step_stats[k].name;
        double tol;
        if (!strcmp(name, "poisson_iterations")) /* 3 of 23 seen on an H200 near the plateau */
            tol = fmax(fmax(2, 0.15 * stat_max[k]), 2 * stat_own[k]);
        else if (!strcmp(name, "poisson_residual"))
            tol = 10 * atof(POISSON_TOL);
        else
            tol = fmax(1e-6 * stat_max[k] + 1e-12, 100 * stat_own[k]);
        printf("%-36s step statistic %s: largest |gpu - cpu| %.3e of %.3e (perturbed CPU %.3e; "
               "tolerance %.1e)\n", cases[c].name, name, stat_diff[k], stat_max[k], stat_own[k],
               tol);
        if (!(stat_diff[k] <= tol) && !stat_failed) {
            stat_failed = name;
            stat_failed_by = stat_diff[k];
        }
    }
    tl_sim_download(&cpu);
    tl_sim_download(&gpu);
    tl_sim_download(&ref);
    /* A field whose largest value is round-off of the case's largest (the momentum of a lake
     * at rest) is judged by the absolute test alone. */
    double case_scale = 0;
    for (int f = 0; f < s->io.nfields; f++)
        if (fc_field_on(s, cpu.params, f))
            case_scale =
                fmax(case_scale, max_abs_field(&cpu.grid, cpu.host.f[f], s == &ns2d_solver));
    for (int f = 0; f < s->io.nfields; f++) {
        if (!fc_field_on(s, cpu.params, f))
            continue;
        const diff d = compare(&cpu.grid, gpu.host.f[f], cpu.host.f[f], s == &ns2d_solver);
        const diff own = compare(&cpu.grid, ref.host.f[f], cpu.host.f[f], s == &ns2d_solver);
        const double scale = max_abs_field(&cpu.grid, cpu.host.f[f], s == &ns2d_solver);
        const double tol = fmax(rtol * scale, 100 * own.max_abs);
        printf("%-36s %-5s after %lld steps: max abs %.3e, max rel %.3e, L2 rel %.3e "
               "(perturbed CPU: max abs %.3e; tolerance %.1e)\n",
               cases[c].name, s->io.field_names[f], steps, d.max_abs, d.max_rel, d.norm,
               own.max_abs, tol);
        ck_assert_msg(scale <= FC_GPU_ROUNDOFF_FIELD * case_scale ||
                          own.max_rel <= FC_GPU_MAX_SENSITIVITY,
                      "%s: field %s: a perturbation of %g grows to %.3e: too sensitive a case",
                      cases[c].name, s->io.field_names[f], ULPS, own.max_rel);
        ck_assert_msg(d.max_abs <= tol, "%s: field %s differs: max abs %.3e, max rel %.3e "
                      "(tolerance %.1e absolute)", cases[c].name, s->io.field_names[f], d.max_abs,
                      d.max_rel, tol);
    }
    tl_sim_close(&cpu);
    tl_sim_close(&gpu);
    tl_sim_close(&ref);
    ck_assert_msg(!stat_failed, "%s: step statistic %s differs by %g", cases[c].name, stat_failed,
                  stat_failed_by);
}

START_TEST(gpu_matches_cpu) { gpu_matches_cpu_case(_i); }
END_TEST

#ifndef FC_GPU_HARNESS_ON_CPU
/* The ns2d cases again with the GPU's pressure solve as the matrix-free multigrid of the CPU
 * (FC_NS2D_GPU_PRESSURE=stencil, ns2d_cuda.cu), until it replaces the CSR hierarchy: the same
 * red-black V-cycle as the CPU, so the iteration counts should agree as well. */
START_TEST(gpu_stencil_pressure_matches_cpu)
{
    if (strncmp(cases[_i].name, "ns2d_", 5))
        return;
    ck_assert_int_eq(setenv("FC_NS2D_GPU_PRESSURE", "stencil", 1), 0);
    gpu_matches_cpu_case(_i);
}
END_TEST

/* After each stencil test, failed or not (the tests do not fork): the default form again. */
static void default_pressure_form(void) { unsetenv("FC_NS2D_GPU_PRESSURE"); }
#endif

/* The backends that step blocks (swe, euler) split px x py as `mpirun -np px*py` splits them,
 * each block on a thread of its own (tl_blocks_steps): the same bits as the whole grid on the
 * same backend, for walls, periodic, open and inflow sides, Coriolis and a sponge. On the GPU this is
 * each process's GPU block of an MPI job, halos staged through host mirrors, which no machine
 * with a GPU but without mpirun could otherwise run. */
static const char *const block_cases[] = {"jet_beta_plane_walls_drag", "dambreak_dry_open",
                                          "swe_channel_bump_inflow",
                                          "swe_vanleer_open_south_north",
                                          "vortex_periodic_hll_rk2",
                                          "euler_bubble_walls_viscous_sponge",
                                          "euler_gravity_wave_periodic_wind_isothermal"};
static const int block_layouts[][2] = {{2, 1}, {1, 2}, {2, 2}, {3, 1}};
#define N_BLOCK_LAYOUTS ((int)(sizeof block_layouts / sizeof block_layouts[0]))

START_TEST(gpu_blocks_match_whole)
{
    const char *name = block_cases[_i / N_BLOCK_LAYOUTS];
    const int px = block_layouts[_i % N_BLOCK_LAYOUTS][0], py = block_layouts[_i % N_BLOCK_LAYOUTS][1];
    const int c = case_named(name);
    if (!case_selected(c))
        return;
    tl_sim sim; /* its initial state, set up on the CPU */
    tl_sim_open(&sim, cases[c].ini, NULL, NULL);
    const fc_grid *g = &sim.grid;
    if ((px > 1 && g->nx / px < g->ng) || (py > 1 && g->ny / py < g->ng)) {
        /* a layout fc_decomp_plan refuses */
        tl_sim_close(&sim);
        return;
    }
    const long long steps = case_steps(c) < 40 ? case_steps(c) : 40;
    fc_real *whole[FC_MAX_FIELDS], *blocks[FC_MAX_FIELDS];
    tl_blocks_steps(&sim, GPU_OPS(sim.s), 1, 1, steps, whole);
    tl_blocks_steps(&sim, GPU_OPS(sim.s), px, py, steps, blocks);
    long long differ = 0;
    for (int f = 0; f < sim.s->io.nfields; f++) {
        for (int j = 0; j < g->ny; j++)
            for (int i = 0; i < g->nx; i++) {
                const ptrdiff_t k = fc_idx(g->pitch, g->ng, i, j);
                if (memcmp(&whole[f][k], &blocks[f][k], sizeof(fc_real)) && differ++ < 3)
                    printf("%s on %d x %d blocks: %s at (%d, %d): %.17g, whole %.17g\n", name, px,
                           py, sim.s->io.field_names[f], i, j, (double)blocks[f][k],
                           (double)whole[f][k]);
            }
        free(whole[f]);
        free(blocks[f]);
    }
    printf("%-36s %d x %d blocks, %lld steps: %lld values differ from the whole grid's\n", name,
           px, py, steps, differ);
    tl_sim_close(&sim);
    ck_assert_msg(differ == 0, "%s on %d x %d blocks: %lld values differ from the whole grid's",
                  name, px, py, differ);
}
END_TEST

/* A pressure solve that cannot converge in its iterations fails the step the same way on both
 * backends, with the same message. */
START_TEST(gpu_reports_nonconvergence_like_cpu)
{
    const char *const sets[] = {"numerics.poisson_max_iterations=2", "numerics.poisson_tol=1e-14",
                                NULL};
    fc_err err[2];
    for (int b = 0; b < 2; b++) {
        tl_sim sim;
        tl_sim_open(&sim, cases[case_named("ns2d_cavity_re400")].ini, sets,
                    b ? GPU_OPS(&ns2d_solver) : ns2d_solver.cpu);
        fc_step_report rep = {0};
        const double dt = fc_cfg_real(&sim.cfg, "time", "cfl") / sim.rate;
        ck_assert_int_eq(sim.ops->step(sim.state, 0, dt, &rep, &err[b]), FC_ENUMERIC);
        ck_assert_msg(strstr(err[b].msg, "did not converge"), "%s", err[b].msg);
        tl_sim_close(&sim);
    }
    printf("non-convergence: cpu '%.80s'; gpu '%.80s'\n", err[0].msg, err[1].msg);
}
END_TEST

/* A bad value injected into one cell of a case: a negative depth for swe (it decides whether the
 * step is retried) and a negative density for euler, a NaN for every solver. */
static const struct {
    const fc_solver_desc *solver;
    const char *case_name;
    int field, i, j;
    double value;
} poisons[] = {
    {&swe_solver, "dambreak_dry_open", SWE_H, 100, 1, -1},
    {&swe_solver, "lake_at_rest_island", SWE_H, 30, 20, NAN},
    {&swe_solver, "jet_beta_plane_walls_drag", SWE_HU, 64, 33, NAN},
    {&ns2d_solver, "ns2d_cavity_re400", NS2D_U, 20, 30, NAN},
    /* euler's step reads its stages' reports once (stages.h): a bad stage is found again stage
     * by stage. A negative density makes its neighbours' pressure NaN in the same stage. */
    {&euler_solver, "euler_bubble_walls_viscous_sponge", EULER_RHOW, 30, 18, NAN},
    {&euler_solver, "euler_gravity_wave_periodic_wind_isothermal", EULER_RHO, 40, 2, -10},
    {&spec_solver, "spectral_turbulence_tracer_odd_grid", SPEC_VORT, 20, 30, NAN},
    /* Finite, but its square overflows: the NaN appears in a later stage of the step. */
    {&spec_solver, "spectral_forced_ring_aliased", SPEC_VORT, 10, 12, TL_SINGLE ? 1e30 : 1e200},
};

START_TEST(gpu_reports_bad_state_like_cpu)
{
    /* Both backends must name the same cell and kind and keep the state before the step. */
    tl_sim sim[2];
    fc_step_report rep[2];
    double kept[2];
    memset(rep, 0, sizeof rep);
    for (int b = 0; b < 2; b++) {
        tl_sim *s = &sim[b];
        tl_sim_open(s, cases[case_named(poisons[_i].case_name)].ini, NULL,
                    b ? GPU_OPS(poisons[_i].solver) : poisons[_i].solver->cpu);
        const int f = poisons[_i].field, i = poisons[_i].i, j = poisons[_i].j;
        fc_err err;
        s->host.f[f][fc_idx(s->grid.pitch, s->grid.ng, i, j)] = (fc_real)poisons[_i].value;
        ck_assert_int_eq(s->ops->upload(s->state, &s->host, &err), FC_OK);
        ck_assert_msg(s->ops->step(s->state, 0, 1e-3, &rep[b], &err) == FC_OK, "%s", err.msg);
        ck_assert_int_ne(rep[b].bad, FC_STATE_OK);
        tl_sim_download(s);
        kept[b] = tl_at(s, f, i, j);
        /* The state before the step is kept: the injected value itself, but for the spectral
         * solver, whose state is its (dealiased) coefficients, the spike as they hold it. */
        if (isnan(poisons[_i].value))
            ck_assert(isnan(kept[b]));
        else if (poisons[_i].solver != &spec_solver)
            ck_assert_msg(kept[b] == poisons[_i].value, "kept %g, injected %g", kept[b],
                          poisons[_i].value);
    }
    if (!isnan(poisons[_i].value))
        ck_assert_msg(fabs(kept[1] - kept[0]) <= 1e-6 * fabs(kept[0]), "kept cpu %g gpu %g",
                      kept[0], kept[1]);
    ck_assert_int_eq(rep[0].bad, rep[1].bad);
    ck_assert_int_eq(rep[0].bad_cell, rep[1].bad_cell);
    for (int b = 0; b < 2; b++)
        tl_sim_close(&sim[b]);
}
END_TEST

/* Upload (forward transforms) and download (inverse) return a band-limited state (the random
 * vorticity and the tracer bands of the first spectral case) to round-off on the GPU, as on the
 * CPU. */
START_TEST(gpu_transforms_round_trip)
{
    const int c = case_named("spectral_turbulence_tracer_odd_grid");
    tl_sim gpu;
    tl_sim_open(&gpu, cases[c].ini, NULL, GPU_OPS(&spec_solver));
    const fc_grid *g = &gpu.grid;
    const size_t n = (size_t)g->nx * g->ny;
    fc_real *orig[SPEC_NFIELDS];
    for (int f = 0; f < SPEC_NFIELDS; f++) {
        orig[f] = malloc(n * sizeof(fc_real));
        memcpy(orig[f], gpu.host.f[f], n * sizeof(fc_real));
    }
    tl_sim_download(&gpu);
    for (int f = 0; f < SPEC_NFIELDS; f++) {
        diff d = compare(g, gpu.host.f[f], orig[f], 0);
        printf("%-36s %-9s round trip on the GPU: max rel %.3e\n", cases[c].name,
               spec_solver.io.field_names[f], d.max_rel);
        ck_assert_msg(d.max_rel <= FC_GPU_ROUNDTRIP_RTOL, "%s: %s round trip: %.3e", cases[c].name,
                      spec_solver.io.field_names[f], d.max_rel);
        free(orig[f]);
    }
    tl_sim_close(&gpu);
}
END_TEST

#ifndef FC_GPU_HARNESS_ON_CPU
/* Largest |a - b| over the largest |b|. */
static double rel_diff(const float *a, const float *b, size_t n)
{
    double d = 0, m = 0;
    for (size_t k = 0; k < n; k++) {
        const double e = fabs((double)a[k] - b[k]);
        d = e > d || e != e ? e : d;
        m = fmax(m, fabs((double)b[k]));
    }
    return m > 0 ? d / m : d;
}

/* n values uniform in [-1, 1) from a 64-bit LCG started at seed. */
static void fill_uniform(float *x, size_t n, unsigned long long seed)
{
    for (size_t k = 0; k < n; k++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        x[k] = (float)((double)(seed >> 11) * 0x1.0p-52 - 1);
    }
}

/* One comparison of the MLP on the GPU with the CPU: `presteps` optimiser steps on the CPU
 * first (so that the GPU starts from non-zero moments, as a resumed training does), then the
 * loss and gradient, then `steps` optimiser steps on both (Adam's bias corrections change with
 * each), all on batches of B rows of a model built for up to bmax rows. */
typedef struct mlp_case {
    const char *name;
    int nl, widths[MLP_MAX_LAYERS + 1];
    int act, loss, kind, B, bmax, tf32, presteps, steps;
} mlp_case;

static void mlp_compare(const mlp_case *c)
{
    mlp m;
    mlp_work w;
    mlp_optim o;
    fc_err err;
    const int nin = c->widths[0], nout = c->widths[c->nl], B = c->B;
    ck_assert_int_eq(mlp_init(&m, c->nl, c->widths, c->act, &err), FC_OK);
    mlp_randomize(&m, 11);
    ck_assert_int_eq(mlp_work_init(&w, &m, c->bmax, &err), FC_OK);
    ck_assert_int_eq(mlp_optim_init(&o, &m, c->kind, 1e-2, &err), FC_OK);
    float *x = malloc((size_t)B * nin * sizeof *x), *t = malloc((size_t)B * nout * sizeof *t);
    float *gc = malloc(m.nparams * sizeof *gc), *gg = malloc(m.nparams * sizeof *gg);
    float *pg = malloc(m.nparams * sizeof *pg);
    fill_uniform(x, (size_t)B * nin, 5);
    for (int k = 0; k < B * nout; k++)
        t[k] = c->loss == MLP_MSE ? x[k % (B * nin)] * x[(k + 1) % (B * nin)] : (float)(k % nout);
    for (int k = 0; k < c->presteps; k++) {
        mlp_forward(&m, &w, x, B);
        mlp_backward(&m, &w, c->loss, t, B, gc);
        mlp_optim_step(&o, &m, gc, 1e-2);
    }
    mlp_gpu *g;
    ck_assert_msg(mlp_gpu_create(&m, &o, c->bmax, c->tf32, &g, &err) == FC_OK, "%s", err.msg);
    mlp_forward(&m, &w, x, B);
    const double lc = mlp_backward(&m, &w, c->loss, t, B, gc);
    ck_assert_msg(mlp_gpu_gradient(g, x, t, B, c->loss, gg, &err) == FC_OK, "%s", err.msg);
    const double dg = rel_diff(gg, gc, m.nparams);
    double lg = 0, rest_c = 0, rest_g = 0;
    for (int k = 0; k < c->steps; k++) {
        if (k > 0) {
            mlp_forward(&m, &w, x, B);
            rest_c += mlp_backward(&m, &w, c->loss, t, B, gc) * B;
        }
        ck_assert_msg(mlp_gpu_train_step(g, x, t, B, c->loss, 1e-2, &err) == FC_OK, "%s", err.msg);
        if (k == 0) { /* the first step's loss, from the device's sum of loss x rows */
            ck_assert_msg(mlp_gpu_loss_sum(g, &lg, &err) == FC_OK, "%s", err.msg);
            lg /= B;
        }
        mlp_optim_step(&o, &m, gc, 1e-2);
    }
    /* the later steps' losses, summed on the device without a read between them */
    ck_assert_msg(mlp_gpu_loss_sum(g, &rest_g, &err) == FC_OK, "%s", err.msg);
    mlp m2 = m;
    m2.params = pg;
    ck_assert_msg(mlp_gpu_download(g, &m2, NULL, &err) == FC_OK, "%s", err.msg);
    const double dp = rel_diff(pg, m.params, m.nparams);
    const double tol = c->tf32 ? FC_GPU_TF32_RTOL : FC_GPU_MLP_RTOL;
    printf("mlp %-24s %-4s %-13s %-5s B %3d/%3d: loss cpu %.7g gpu %.7g; gradient %.2e, "
           "%d step(s) %.2e (tolerance %.0e)\n", c->name, mlp_activation_name(c->act),
           c->loss == MLP_MSE ? "MSE" : "cross-entropy", c->kind == MLP_SGD ? "SGD" : "AdamW",
           B, c->bmax, lc, lg, dg, c->steps, dp, tol);
    ck_assert_double_le(fabs(lg - lc), tol * fabs(lc));
    ck_assert_double_le(fabs(rest_g - rest_c), tol * fabs(rest_c));
    ck_assert_double_le(dg, tol);
    ck_assert_double_le(dp, tol);
    /* A class label out of range is refused on the host, before any kernel reads with it. */
    if (c->loss != MLP_MSE) {
        const float keep = t[0];
        t[0] = (float)nout;
        ck_assert_int_eq(mlp_gpu_train_step(g, x, t, B, c->loss, 1e-2, &err), FC_EINPUT);
        ck_assert_msg(strstr(err.msg, "cross-entropy target 0"), "%s", err.msg);
        t[0] = keep;
    }
    mlp_gpu_destroy(g);
    free(x);
    free(t);
    free(gc);
    free(gg);
    free(pg);
    mlp_optim_free(&o);
    mlp_work_free(&w);
    mlp_free(&m);
}

/* Every activation, both losses and both optimisers (the loop index picks them), three steps
 * on a partial batch of a model built for more rows, from non-zero moments. */
START_TEST(mlp_gpu_matches_cpu)
{
    mlp_case c = {"37-64-48-5", 3, {37, 64, 48, 5}, _i % MLP_NACT, (_i / MLP_NACT) % 2,
                  _i / (2 * MLP_NACT), 123, 300, 0, 2, 3};
    mlp_compare(&c);
}
END_TEST

/* Shapes: one layer, sixteen layers, a full batch; and TF32 tensor-core products. */
START_TEST(mlp_gpu_shapes_and_tf32)
{
    static const mlp_case shapes[] = {
        {"one layer 20-3", 1, {20, 3}, MLP_TANH, MLP_MSE, MLP_ADAMW, 64, 64, 0, 0, 2},
        {"sixteen layers of 24", 16, {24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24,
                                      24, 4},
         MLP_GELU, MLP_MSE, MLP_ADAMW, 200, 256, 0, 1, 2},
        /* TF32 with plain SGD: Adam's first steps move every parameter by about the learning
         * rate times the sign of its gradient, so a gradient smaller than TF32's error (1e-3 of
         * the largest) can step either way; seen on an H200, the parameters then differ by 4e-2
         * of the largest though the gradients agree to 2e-3. The AdamW kernel itself is
         * compared in float32 above. */
        {"TF32 96-128-128-8", 3, {96, 128, 128, 8}, MLP_RELU, MLP_MSE, MLP_SGD, 512, 512, 1, 0, 2},
        {"TF32 cross-entropy", 2, {64, 96, 10}, MLP_SILU, MLP_CROSS_ENTROPY, MLP_SGD, 256, 256, 1, 0, 2},
    };
    mlp_compare(&shapes[_i]);
}
END_TEST

/* A loss the host computes from the outputs (a flux-form surrogate's: train --flux --device
 * gpu): the outputs of mlp_gpu_forward, then mlp_gpu_train_outputs from the host's gradient,
 * against mlp_forward, mlp_backward_outputs and the optimiser's step on the CPU: 3 AdamW steps
 * on a partial batch (123 of 300 rows) of a 37 -> 64 -> 48 -> 5 tanh network. The host's loss
 * here: sum over each row of (y_r,k - t_r,k + y_(r+1),k)^2, which couples neighbouring rows as
 * the faces' fluxes do. */
START_TEST(mlp_gpu_host_loss_matches_cpu)
{
    const int widths[4] = {37, 64, 48, 5}, B = 123, nin = 37, nout = 5;
    mlp m;
    mlp_work w;
    mlp_optim o;
    fc_err err;
    ck_assert_int_eq(mlp_init(&m, 3, widths, MLP_TANH, &err), FC_OK);
    mlp_randomize(&m, 13);
    ck_assert_int_eq(mlp_work_init(&w, &m, 300, &err), FC_OK);
    ck_assert_int_eq(mlp_optim_init(&o, &m, MLP_ADAMW, 1e-2, &err), FC_OK);
    mlp_gpu *g;
    ck_assert_msg(mlp_gpu_create(&m, &o, 300, 0, &g, &err) == FC_OK, "%s", err.msg);
    float *x = malloc((size_t)B * nin * sizeof *x), *t = malloc((size_t)B * nout * sizeof *t);
    float *yg = malloc((size_t)B * nout * sizeof *yg), *grad = malloc(m.nparams * sizeof *grad);
    float *dc = malloc((size_t)B * nout * sizeof *dc), *dg = malloc((size_t)B * nout * sizeof *dg);
    float *pg = malloc(m.nparams * sizeof *pg);
    fill_uniform(x, (size_t)B * nin, 9);
    for (int k = 0; k < B * nout; k++)
        t[k] = 0.3f * x[k];
    double dy = 0;
    for (int step = 0; step < 3; step++) {
        mlp_forward(&m, &w, x, B);
        ck_assert_msg(mlp_gpu_forward(g, x, B, yg, &err) == FC_OK, "%s", err.msg);
        const float *yc = w.act[m.nlayers];
        if (step == 0)
            dy = rel_diff(yg, yc, (size_t)B * nout);
        const float *ys[2] = {yc, yg};
        float *ds[2] = {dc, dg};
        for (int dev = 0; dev < 2; dev++) {
            memset(ds[dev], 0, (size_t)B * nout * sizeof(float));
            for (int r = 0; r + 1 < B; r++)
                for (int k = 0; k < nout; k++) {
                    const double e = ys[dev][r * nout + k] - t[r * nout + k] +
                                     ys[dev][(r + 1) * nout + k];
                    ds[dev][r * nout + k] += (float)(2 * e / (B * nout));
                    ds[dev][(r + 1) * nout + k] += (float)(2 * e / (B * nout));
                }
        }
        mlp_backward_outputs(&m, &w, dc, B, grad);
        mlp_optim_step(&o, &m, grad, 1e-2);
        ck_assert_msg(mlp_gpu_train_outputs(g, dg, B, 1e-2, &err) == FC_OK, "%s", err.msg);
    }
    mlp m2 = m;
    m2.params = pg;
    ck_assert_msg(mlp_gpu_download(g, &m2, NULL, &err) == FC_OK, "%s", err.msg);
    const double dp = rel_diff(pg, m.params, m.nparams);
    printf("mlp with the host's loss, 3 AdamW steps: outputs %.2e, parameters %.2e (tolerance "
           "%.0e)\n", dy, dp, FC_GPU_MLP_RTOL);
    ck_assert_double_le(dy, FC_GPU_MLP_RTOL);
    ck_assert_double_le(dp, FC_GPU_MLP_RTOL);
    /* A batch larger than the device copy holds is refused. */
    ck_assert_int_eq(mlp_gpu_train_outputs(g, dg, 301, 1e-2, &err), FC_EINPUT);
    mlp_gpu_destroy(g);
    free(x);
    free(t);
    free(yg);
    free(grad);
    free(dc);
    free(dg);
    free(pg);
    mlp_optim_free(&o);
    mlp_work_free(&w);
    mlp_free(&m);
}
END_TEST

/* A surrogate's forecast steps with the network on the GPU (rollout --device gpu) against the
 * same steps on the CPU: a random 27 -> 48 -> 48 -> 3 GELU network on a 40 x 30 grid closed by
 * walls and periodic sides, h conserved and kept non-negative, batches of 500 cells (the last
 * one partial), 10 steps. The changes agree to FC_GPU_MLP_RTOL of the largest, and the sum of
 * h holds on both. Loop 1: the same with h in flux form (4 outputs) and open west and east
 * sides (ghost rows beyond the west one); the sum of h changes by what crossed them. */
START_TEST(surrogate_step_gpu_matches_cpu)
{
    const int flux = _i;
    ml_surrogate s;
    memset(&s, 0, sizeof s);
    fc_err err;
    const int widths[4] = {27, 48, 48, 3 + flux};
    ck_assert_int_eq(mlp_init(&s.net, 3, widths, MLP_GELU, &err), FC_OK);
    mlp_randomize(&s.net, 7);
    const int side = flux ? FC_BC_OPEN : FC_BC_PERIODIC;
    s.geo = (ml_geometry){.nx = 40, .ny = 30, .stencil = 3, .nvars = 3,
                          .bc = {side, side, FC_BC_WALL, FC_BC_WALL}};
    s.geo.odd_x[1] = s.geo.odd_y[2] = 1;
    for (int k = 0; k < 27; k++) /* per variable: its value at the cell, then 8 differences */
        s.in_std[k] = k % 9 ? 0.01f : 0.2f;
    s.in_mean[0] = 1; /* h */
    for (int v = 0; v < 3; v++)
        s.out_mean[v] = 1e-4f, s.out_std[v] = 1e-3f;
    s.conserved = s.nonnegative = 1;
    s.flux = (unsigned)flux;
    if (flux)
        s.out_mean[0] = 0;
    const size_t plane = 40 * 30, n = 3 * plane;
    double *cpu = malloc(n * sizeof *cpu), *gpu = malloc(n * sizeof *gpu);
    double *start = malloc(n * sizeof *start);
    /* x holds a batch of the larger work area below (600 rows) */
    float *x = malloc(600 * 27 * sizeof *x), *scratch = malloc(n * sizeof *scratch);
    for (size_t k = 0; k < n; k++)
        start[k] = k < plane ? 1 + 0.2 * sin(0.37 * (double)k) : 0.1 * cos(0.11 * (double)k);
    memcpy(cpu, start, n * sizeof *cpu);
    memcpy(gpu, start, n * sizeof *gpu);
    mlp_work w;
    mlp_optim none;
    mlp_gpu *dev;
    ck_assert_int_eq(mlp_work_init(&w, &s.net, 500, &err), FC_OK);
    ck_assert_int_eq(mlp_optim_init(&none, &s.net, MLP_SGD, 0, &err), FC_OK);
    ck_assert_msg(mlp_gpu_create(&s.net, &none, 500, 0, &dev, &err) == FC_OK, "%s", err.msg);
    double entered = 0; /* through the sides, on the GPU's steps */
    for (int step = 0; step < 10; step++) {
        double inflow[ML_MAX_VARS];
        ck_assert_int_eq(ml_surrogate_step(&s, &w, NULL, cpu, NULL, x, scratch, NULL, &err), FC_OK);
        ck_assert_msg(ml_surrogate_step(&s, &w, dev, gpu, NULL, x, scratch, inflow, &err) == FC_OK,
                      "%s", err.msg);
        entered += inflow[0];
    }
    double d = 0, m = 0, sum0 = 0, sc = 0, sg = 0;
    for (size_t k = 0; k < n; k++) {
        d = fmax(d, fabs(gpu[k] - cpu[k]));
        m = fmax(m, fabs(cpu[k] - start[k]));
        if (k < plane)
            sum0 += start[k], sc += cpu[k], sg += gpu[k];
    }
    printf("surrogate 10 steps%s, 40 x 30, network on the GPU: largest change %.3g, GPU - CPU "
           "%.2e (%.2e of it); sum of h moved by %.1e (CPU), %.1e (GPU) of itself, %.1e through "
           "the sides\n", flux ? " in flux form" : "", m, d, d / m, fabs(sc - sum0) / sum0,
           fabs(sg - sum0) / sum0, fabs(entered) / sum0);
    ck_assert_double_gt(m, 1e-4); /* the steps changed something */
    ck_assert_double_le(d, FC_GPU_MLP_RTOL * m);
    ck_assert_double_le(fabs(sg - sum0 - entered), 1e-12 * sum0);
    /* A batch larger than the device copy holds is refused, not overrun. */
    mlp_work big;
    ck_assert_int_eq(mlp_work_init(&big, &s.net, 600, &err), FC_OK);
    ck_assert_int_eq(ml_surrogate_step(&s, &big, dev, gpu, NULL, x, scratch, NULL, &err), FC_EINPUT);
    mlp_work_free(&big);
    mlp_gpu_destroy(dev);
    mlp_optim_free(&none);
    mlp_work_free(&w);
    mlp_free(&s.net);
    free(cpu);
    free(gpu);
    free(start);
    free(x);
    free(scratch);
}
END_TEST

#endif

static void timed_out(int sig)
{
    (void)sig;
    static const char msg[] = "check_gpu: timed out (FC_GPU_TIMEOUT): a kernel or a test hangs\n";
    if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
    }
    _exit(EXIT_FAILURE);
}

int main(void)
{
    /* Not forked (a CUDA context does not survive fork()): Check's timeouts do not apply, so
     * the program keeps its own. */
    const char *limit = getenv("FC_GPU_TIMEOUT");
    signal(SIGALRM, timed_out);
    alarm(limit && atoi(limit) > 0 ? (unsigned)atoi(limit) : 900);
    char why[512];
    const char *require = getenv("FC_REQUIRE_GPU");
#ifndef FC_GPU_HARNESS_ON_CPU
    if (fc_gpu_count(why, sizeof why) == 0 || !swe_solver.gpu) {
        printf("check_gpu: skipped: %s\n", why);
        return require && !strcmp(require, "1") ? 99 : 77;
    }
#else
    (void)why;
    (void)require;
#endif
    Suite *s = suite_create("gpu");
    TCase *tc = tcase_create("gpu vs cpu");
    tcase_add_loop_test(tc, gpu_matches_cpu, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_loop_test(tc, gpu_reports_bad_state_like_cpu, 0,
                        (int)(sizeof poisons / sizeof poisons[0]));
    tcase_add_test(tc, gpu_transforms_round_trip);
    tcase_add_test(tc, gpu_reports_nonconvergence_like_cpu);
    tcase_add_loop_test(tc, gpu_blocks_match_whole, 0,
                        (int)(sizeof block_cases / sizeof block_cases[0]) * N_BLOCK_LAYOUTS);
#ifndef FC_GPU_HARNESS_ON_CPU
    tcase_add_loop_test(tc, mlp_gpu_matches_cpu, 0, 4 * MLP_NACT);
    tcase_add_loop_test(tc, mlp_gpu_shapes_and_tf32, 0, 4);
    tcase_add_loop_test(tc, surrogate_step_gpu_matches_cpu, 0, 2);
    tcase_add_test(tc, mlp_gpu_host_loss_matches_cpu);
#endif
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
#ifndef FC_GPU_HARNESS_ON_CPU
    TCase *stencil = tcase_create("gpu vs cpu, the GPU's pressure solve matrix-free");
    tcase_add_checked_fixture(stencil, NULL, default_pressure_form);
    tcase_add_loop_test(stencil, gpu_stencil_pressure_matches_cpu, 0,
                        (int)(sizeof cases / sizeof cases[0]));
    tcase_set_timeout(stencil, 300);
    suite_add_tcase(s, stencil);
#endif
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
