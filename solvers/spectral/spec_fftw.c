/* spec_fftw.c: FFTW3 plans and host transforms of the pseudo-spectral solver (spec_fftw.h). */
#include <fc_build.h>

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "solvers/spectral/spec_fftw.h"
#include "src/core/machine_load.h"
#ifdef FC_HAVE_FFTW_MPI
#include <fftw3-mpi.h>

#include "src/core/ranks.h"
#endif

/* FFTW's threads (and its MPI layer, after them as FFTW asks) set up once, and the threads of
 * the plans made next: the run's, or one below FC_PARALLEL_MIN points. */
static void plan_threads(const spec_params *p)
{
    static int threads_ready;
    if (!threads_ready) {
        threads_ready = SPEC_FFTW(init_threads)();
#ifdef FC_HAVE_FFTW_MPI
        if (fc_ranks_self()->mpi)
            SPEC_FFTW(mpi_init)();
#endif
    }
    int threads = 1;
#ifdef _OPENMP
    if ((long long)p->nx * p->ny >= FC_PARALLEL_MIN)
        threads = omp_get_max_threads();
#endif
    if (threads_ready)
        SPEC_FFTW(plan_with_nthreads)(threads);
}

spec_fftw_plan spec_fftw_plan_many(const spec_params *p, int sign, int nfields, fc_real *real,
                                   size_t dist_r, spec_cplx *cplx, size_t dist_c, unsigned flags)
{
    plan_threads(p);
    const int n[2] = {p->ny, p->nx};
    spec_fftw_complex *c = (spec_fftw_complex *)cplx;
    if (sign < 0)
        return SPEC_FFTW(plan_many_dft_r2c)(2, n, nfields, real, NULL, 1, (int)dist_r, c, NULL, 1,
                                            (int)dist_c, flags);
    return SPEC_FFTW(plan_many_dft_c2r)(2, n, nfields, c, NULL, 1, (int)dist_c, real, NULL, 1,
                                        (int)dist_r, flags);
}

/* Whether g is a job's slab of p's grid rather than the whole grid. */
static int is_slab(const spec_params *p, const fc_grid *g) { return g && g->ny < p->ny; }

#ifdef FC_HAVE_FFTW_MPI
/* One field's transform on a slab, collective over the job: sign < 0 forward (field to coef,
 * normalised), > 0 inverse (coef to field), through FFTW's MPI plans on padded copies (their
 * arrays are as large as FFTW's local size, and a complex-to-real transform overwrites its
 * input). A failure on any process is every process's, so that none waits in a plan alone. */
static int slab_transform(const spec_params *p, const fc_grid *g, int sign, fc_real *field,
                          spec_cplx *coef)
{
    spec_slab sl;
    fc_err err;
    int bad = !field || !coef || spec_slab_make(p, g, &sl, &err) != FC_OK;
    fc_real *real = bad ? NULL : SPEC_FFTW(malloc)(sl.dist_r * sizeof *real);
    spec_cplx *c = bad ? NULL : SPEC_FFTW(malloc)(sl.dist_c * sizeof *c);
    spec_fftw_plan plan = NULL;
    if (!fc_ranks_any(bad || !real || !c)) {
        plan_threads(p);
        spec_fftw_complex *cc = (spec_fftw_complex *)c;
        plan = sign < 0 ? SPEC_FFTW(mpi_plan_dft_r2c_2d)(p->ny, p->nx, real, cc, fc_ranks_comm(),
                                                          FFTW_ESTIMATE)
                        : SPEC_FFTW(mpi_plan_dft_c2r_2d)(p->ny, p->nx, cc, real, fc_ranks_comm(),
                                                          FFTW_ESTIMATE);
    }
    bad = fc_ranks_any(!plan);
    const size_t nx = (size_t)p->nx, nxh = (size_t)p->nxh, rows = (size_t)sl.rows;
    if (!bad && sign < 0) {
        for (size_t j = 0; j < rows; j++)
            memcpy(real + j * sl.pitch, field + j * nx, nx * sizeof *real);
        SPEC_FFTW(execute)(plan);
        const fc_real scale = (fc_real)(1.0 / ((double)p->nx * p->ny));
        for (size_t k = 0; k < rows * nxh; k++) {
            coef[k].re = c[k].re * scale;
            coef[k].im = c[k].im * scale;
        }
    } else if (!bad) {
        memcpy(c, coef, rows * nxh * sizeof *c);
        SPEC_FFTW(execute)(plan);
        for (size_t j = 0; j < rows; j++)
            memcpy(field + j * nx, real + j * sl.pitch, nx * sizeof *field);
    }
    if (plan)
        SPEC_FFTW(destroy_plan)(plan);
    SPEC_FFTW(free)(real);
    SPEC_FFTW(free)(c);
    return bad ? -1 : 0;
}
#endif

int spec_host_forward(const spec_params *p, const fc_grid *g, const fc_real *field,
                      spec_cplx *coef)
{
    if (is_slab(p, g)) {
#ifdef FC_HAVE_FFTW_MPI
        return slab_transform(p, g, -1, (fc_real *)field, coef);
#else
        return -1;
#endif
    }
    if (!coef)
        return -1;
    const size_t n = (size_t)p->nx * p->ny, nc = (size_t)p->ny * p->nxh;
    /* FFTW_ESTIMATE leaves the arrays alone while planning; r2c keeps its input. */
    spec_fftw_plan plan = spec_fftw_plan_many(p, -1, 1, (fc_real *)field, n, coef, nc,
                                              FFTW_ESTIMATE | FFTW_PRESERVE_INPUT);
    if (!plan)
        return -1;
    SPEC_FFTW(execute)(plan);
    SPEC_FFTW(destroy_plan)(plan);
    const fc_real scale = (fc_real)(1.0 / (double)n);
    for (size_t k = 0; k < nc; k++) {
        coef[k].re *= scale;
        coef[k].im *= scale;
    }
    return 0;
}

int spec_host_inverse(const spec_params *p, const fc_grid *g, const spec_cplx *coef,
                      fc_real *field)
{
    if (is_slab(p, g)) {
#ifdef FC_HAVE_FFTW_MPI
        return slab_transform(p, g, +1, field, (spec_cplx *)coef);
#else
        return -1;
#endif
    }
    const size_t n = (size_t)p->nx * p->ny, nc = (size_t)p->ny * p->nxh;
    /* A complex-to-real transform overwrites its input: work on a copy. */
    spec_cplx *copy = malloc(nc * sizeof *copy);
    if (!copy)
        return -1;
    memcpy(copy, coef, nc * sizeof *copy);
    spec_fftw_plan plan = spec_fftw_plan_many(p, +1, 1, field, n, copy, nc, FFTW_ESTIMATE);
    if (plan) {
        SPEC_FFTW(execute)(plan);
        SPEC_FFTW(destroy_plan)(plan);
    }
    free(copy);
    return plan ? 0 : -1;
}

int spec_any_slab(const fc_grid *g, int flag)
{
#ifdef FC_HAVE_FFTW_MPI
    if (g->ny < g->ny_whole)
        return fc_ranks_any(flag);
#else
    (void)g;
#endif
    return flag != 0;
}

void spec_sum_slabs(const fc_grid *g, double *v, int n)
{
#ifdef FC_HAVE_FFTW_MPI
    if (g->ny < g->ny_whole)
        MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_SUM, fc_ranks_comm());
#else
    (void)g, (void)v, (void)n;
#endif
}

int spec_slab_make(const spec_params *p, const fc_grid *block, spec_slab *s, fc_err *err)
{
    memset(s, 0, sizeof *s);
    s->rows = s->ny = p->ny;
    s->pitch = (size_t)p->nx;
    s->dist_r = spec_pad64((size_t)p->nx * p->ny, sizeof(fc_real));
    s->dist_c = spec_pad64((size_t)p->ny * p->nxh, sizeof(spec_cplx));
    if (!block->link)
        return FC_OK;
#ifdef FC_HAVE_FFTW_MPI
    ptrdiff_t n0, start;
    const ptrdiff_t local = SPEC_FFTW(mpi_local_size_2d)(p->ny, p->nxh, fc_ranks_comm(), &n0, &start);
    if (n0 != block->ny || start != block->j0 || block->nx != p->nx)
        return fc_fail(err, FC_EINPUT, "FFTW distributes rows %td to %td to this process, not "
                       "the rows %d to %d of its slab", start, start + n0 - 1, block->j0,
                       block->j0 + block->ny - 1);
    s->split = 1;
    s->j0 = block->j0;
    s->rows = block->ny;
    s->ny = p->ny;
    s->pitch = 2 * (size_t)p->nxh;
    s->dist_c = spec_pad64((size_t)local, sizeof(spec_cplx));
    s->dist_r = spec_pad64(2 * (size_t)local, sizeof(fc_real));
    return FC_OK;
#else
    return fc_fail(err, FC_EINPUT, "this build has no FFTW MPI transforms: the spectral solver "
                   "runs on one process");
#endif
}

int spec_batch_plan(const spec_params *p, const spec_slab *s, int sign, int nfields,
                    fc_real *real, spec_cplx *cplx, unsigned flags, spec_batch *b)
{
    memset(b, 0, sizeof *b);
    if (!s->split) {
        b->plan[0] = spec_fftw_plan_many(p, sign, nfields, real, s->dist_r, cplx, s->dist_c, flags);
        b->n = b->plan[0] != NULL;
        return b->n;
    }
#ifdef FC_HAVE_FFTW_MPI
    plan_threads(p);
    for (int f = 0; f < nfields && f < SPEC_MAX_BATCH; f++) {
        fc_real *r = real + f * s->dist_r;
        spec_fftw_complex *c = (spec_fftw_complex *)(cplx + f * s->dist_c);
        b->plan[f] = sign < 0
                         ? SPEC_FFTW(mpi_plan_dft_r2c_2d)(p->ny, p->nx, r, c, fc_ranks_comm(), flags)
                         : SPEC_FFTW(mpi_plan_dft_c2r_2d)(p->ny, p->nx, c, r, fc_ranks_comm(), flags);
        if (!b->plan[f]) {
            spec_batch_free(b);
            return 0;
        }
        b->n = f + 1;
    }
#endif
    return b->n == nfields;
}

void spec_batch_run(const spec_batch *b)
{
    for (int k = 0; k < b->n; k++)
        SPEC_FFTW(execute)(b->plan[k]);
}

void spec_batch_free(spec_batch *b)
{
    for (int k = 0; k < b->n; k++)
        SPEC_FFTW(destroy_plan)(b->plan[k]);
    b->n = 0;
}

void spec_slab_share_rows(const spec_slab *s, double *rows, int per_row)
{
#ifdef FC_HAVE_FFTW_MPI
    if (s->split) {
        /* The slabs may differ in height (fc_decomp_slab): every value is one process's, and
         * the others add zeros to it, which is exact. */
        const size_t lo = (size_t)s->j0 * per_row, hi = lo + (size_t)s->rows * per_row,
                     n = (size_t)s->ny * per_row;
        memset(rows, 0, lo * sizeof *rows);
        memset(rows + hi, 0, (n - hi) * sizeof *rows);
        MPI_Allreduce(MPI_IN_PLACE, rows, (int)n, MPI_DOUBLE, MPI_SUM, fc_ranks_comm());
    }
#else
    (void)s, (void)rows, (void)per_row;
#endif
}

void spec_slab_reduce(const spec_slab *s, double *rate, long long *bad)
{
#ifdef FC_HAVE_FFTW_MPI
    if (s->split) {
        long long first = *bad < 0 ? LLONG_MAX : *bad;
        MPI_Allreduce(MPI_IN_PLACE, rate, 1, MPI_DOUBLE, MPI_MAX, fc_ranks_comm());
        MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_LONG_LONG, MPI_MIN, fc_ranks_comm());
        *bad = first == LLONG_MAX ? -1 : first;
    }
#else
    (void)s, (void)rate, (void)bad;
#endif
}

/* ---- restart onto another grid ---- */

/* The weight of the file's mode m along an axis of n_from cells: its Nyquist mode (n_from even,
 * |m| = n_from / 2) is one coefficient shared half and half by m and -m, as a real field's
 * trigonometric interpolant takes it. */
static double mode_weight(int m, int n_from)
{
    return n_from % 2 == 0 && (m == n_from / 2 || m == -n_from / 2) ? 0.5 : 1;
}

/* One row of spec_interpolate: row j of g (whole-grid row J = j0 + j) from the file's half
 * spectrum spec (sy rows of hx columns, unnormalised), through the x transform `inverse` on
 * this thread's arrays: phase (2 my + 1 complex), acc (mx + 1 real parts, then mx + 1
 * imaginary), half (tx / 2 + 1 complex) and out (tx). */
static void interpolate_row(const spec_fftw_complex *spec, int sx, int sy, int mx, int my,
                            const fc_grid *g, int j, SPEC_FFTW(plan) inverse, double *phase,
                            double *acc, spec_fftw_complex *half, fc_real *out, fc_real *field)
{
    const int tx = g->nx_whole, ty = g->ny_whole, hx = sx / 2 + 1;
    double *re = acc, *im = acc + mx + 1;
    /* Mode m of the file's y axis at this row's centre, (J + 1/2) / ty of the period, counted
     * from the file's first centre, 1/2 / sy of it; normalised by the transform's size. */
    const double at = (g->j0 + j + 0.5) / ty - 0.5 / sy;
    for (int m = -my; m <= my; m++) {
        const double w = mode_weight(m, sy) / ((double)sx * sy), a = 2 * M_PI * m * at;
        phase[2 * (m + my)] = w * cos(a);
        phase[2 * (m + my) + 1] = w * sin(a);
    }
    for (int kx = 0; kx <= mx; kx++)
        re[kx] = im[kx] = 0;
    /* Row by row of the spectrum: each is contiguous along x. */
    for (int m = -my; m <= my; m++) {
        const spec_fftw_complex *c = spec + (size_t)((m + sy) % sy) * hx;
        const double pr = phase[2 * (m + my)], pi = phase[2 * (m + my) + 1];
#pragma omp simd
        for (int kx = 0; kx <= mx; kx++) {
            re[kx] += c[kx][0] * pr - c[kx][1] * pi;
            im[kx] += c[kx][0] * pi + c[kx][1] * pr;
        }
    }
    /* Along x by the inverse transform: mode kx at point i of tx is e^(2 pi i kx i / tx) times
     * the shift between the grids' first centres. The transform counts a column other than
     * tx's Nyquist column twice (with its conjugate) and that column's real part once: the
     * file's Nyquist mode, shared, goes in at half, and on a coarser grid its Nyquist column,
     * where m and -m meet, at twice. */
    for (int kx = 0; kx < tx / 2 + 1; kx++) {
        double w = 0;
        if (kx <= mx)
            w = sx % 2 == 0 && kx == sx / 2 ? (tx == sx ? 1 : 0.5)
                : tx % 2 == 0 && kx == tx / 2 ? 2
                                              : 1;
        const double a = M_PI * kx * (1.0 / tx - 1.0 / sx), cs = w * cos(a), sn = w * sin(a);
        const double r = kx <= mx ? re[kx] : 0, i = kx <= mx ? im[kx] : 0;
        half[kx][0] = (fc_real)(r * cs - i * sn);
        half[kx][1] = (fc_real)(r * sn + i * cs);
    }
    SPEC_FFTW(execute_dft_c2r)(inverse, half, out);
    for (int i = 0; i < g->nx; i++)
        field[fc_idx(g->pitch, g->ng, i, j)] = out[g->i0 + i];
}

int spec_interpolate(const void *params, const fc_grid *g, const int from[2],
                     double *const *src, fc_state *state, fc_err *err)
{
    (void)params;
    const int sx = from[0], sy = from[1], tx = g->nx_whole;
    const int hx = sx / 2 + 1, htx = tx / 2 + 1;
    /* The modes evaluated: those both grids hold (on the coarser grid's Nyquist mode, m and -m
     * meet at its points and both count). */
    const int mx = (sx < tx ? sx : tx) / 2, my = (sy < g->ny_whole ? sy : g->ny_whole) / 2;
    const size_t n = (size_t)sx * sy, nc = (size_t)sy * hx;
    int threads = 1;
#ifdef _OPENMP
    if ((long long)g->nx * g->ny >= FC_PARALLEL_MIN)
        threads = fc_threads_at_most(omp_get_max_threads());
#endif
    /* Per thread: phase, acc; half, out (the x transform is planned for any alignment). */
    const size_t per_thread = (size_t)(2 * my + 1) * 2 + (size_t)(mx + 1) * 2;
    fc_real *in = SPEC_FFTW(malloc)(n * sizeof *in);
    spec_fftw_complex *spec = SPEC_FFTW(malloc)(nc * sizeof *spec);
    double *scratch = malloc((size_t)threads * per_thread * sizeof *scratch);
    spec_fftw_complex *half = SPEC_FFTW(malloc)((size_t)threads * htx * sizeof *half);
    fc_real *out = SPEC_FFTW(malloc)((size_t)threads * tx * sizeof *out);
    SPEC_FFTW(plan) forward = NULL, inverse = NULL;
    int st = FC_OK;
    if (!in || !spec || !scratch || !half || !out) {
        st = fc_fail(err, FC_ENOMEM, "out of memory interpolating a file's spectrum");
        goto done;
    }
    forward = SPEC_FFTW(plan_dft_r2c_2d)(sy, sx, in, spec, FFTW_ESTIMATE);
    inverse = SPEC_FFTW(plan_dft_c2r_1d)(tx, half, out, FFTW_ESTIMATE | FFTW_UNALIGNED);
    if (!forward || !inverse) {
        st = fc_fail(err, FC_ENOMEM, "FFTW could not plan a file's interpolation");
        goto done;
    }
    for (int k = 0; k < state->nfields; k++) {
        if (!src[k])
            continue;
        for (size_t c = 0; c < n; c++)
            in[c] = (fc_real)src[k][c];
        SPEC_FFTW(execute)(forward);
        /* Rows on the threads, each with its own arrays (FFTW's execute is thread-safe). */
#pragma omp parallel for schedule(static) num_threads(threads)
        for (int j = 0; j < g->ny; j++) {
            int t = 0;
#ifdef _OPENMP
            t = omp_get_thread_num();
#endif
            double *phase = scratch + (size_t)t * per_thread;
            interpolate_row(spec, sx, sy, mx, my, g, j, inverse, phase, phase + (2 * my + 1) * 2,
                            half + (size_t)t * htx, out + (size_t)t * tx, state->f[k]);
        }
    }
done:
    if (forward)
        SPEC_FFTW(destroy_plan)(forward);
    if (inverse)
        SPEC_FFTW(destroy_plan)(inverse);
    SPEC_FFTW(free)(in);
    SPEC_FFTW(free)(spec);
    free(scratch);
    SPEC_FFTW(free)(half);
    SPEC_FFTW(free)(out);
    return st;
}
