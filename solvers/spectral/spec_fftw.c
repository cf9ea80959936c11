/* spec_fftw.c: FFTW3 plans and host transforms of the pseudo-spectral solver (spec_fftw.h). */
#include <fc_build.h>

#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "solvers/spectral/spec_fftw.h"
#include "src/core/machine_load.h"

spec_fftw_plan spec_fftw_plan_many(const spec_params *p, int sign, int nfields, fc_real *real,
                                   size_t dist_r, spec_cplx *cplx, size_t dist_c, unsigned flags)
{
    static int threads_ready;
    if (!threads_ready)
        threads_ready = SPEC_FFTW(init_threads)();
    int threads = 1;
#ifdef _OPENMP
    if ((long long)p->nx * p->ny >= FC_PARALLEL_MIN)
        threads = omp_get_max_threads();
#endif
    if (threads_ready)
        SPEC_FFTW(plan_with_nthreads)(threads);
    const int n[2] = {p->ny, p->nx};
    spec_fftw_complex *c = (spec_fftw_complex *)cplx;
    if (sign < 0)
        return SPEC_FFTW(plan_many_dft_r2c)(2, n, nfields, real, NULL, 1, (int)dist_r, c, NULL, 1,
                                            (int)dist_c, flags);
    return SPEC_FFTW(plan_many_dft_c2r)(2, n, nfields, c, NULL, 1, (int)dist_c, real, NULL, 1,
                                        (int)dist_r, flags);
}

int spec_host_forward(const spec_params *p, const fc_real *field, spec_cplx *coef)
{
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

int spec_host_inverse(const spec_params *p, const spec_cplx *coef, fc_real *field)
{
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
