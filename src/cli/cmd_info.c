/* cmd_info.c: `flowcast info`: version, build features and the CUDA devices found. */
#include <fc_build.h>

#include <stdio.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "src/core/backend.h"
#include "src/cli/cmd.h"
#include "src/core/fc.h"
#include "src/core/hd.h"
#include "src/core/ranks.h"

int cmd_info(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        puts("usage: flowcast info\n\nPrints the version, how this flowcast was built (CUDA, "
             "precision, compiler\nflags, OpenMP) and the CUDA devices found, or why there are "
             "none.");
        return FC_EXIT_OK;
    }
    if (argc > 1) {
        fprintf(stderr, "flowcast: error: info takes no arguments (got '%s')\n", argv[1]);
        return FC_EXIT_USAGE;
    }
    printf("flowcast %s\n", PACKAGE_VERSION);
#ifdef FC_HAVE_CUDA
    printf("CUDA:       built, device code for compute capabilities %s\n", FC_CUDA_ARCHS);
#else
    printf("CUDA:       not built (%s)\n", FC_CUDA_WHY_NOT);
#endif
    printf("MPI:        %s", fc_ranks_built());
    if (fc_ranks_self()->size > 1)
        printf("; this job: %d processes", fc_ranks_self()->size);
    printf("\n");
#ifdef FC_HAVE_MPI
    printf("split:      swe and euler in blocks (CPU, or a GPU per process with halos through "
           "the host), spectral %s; ns2d on one process\n",
#ifdef FC_HAVE_FFTW_MPI
           "in slabs of rows on the CPU (FFTW MPI), on one process on the GPU"
#else
           "on one process (no FFTW MPI: libfftw3-mpi-dev)"
#endif
    );
    const int aware = fc_ranks_cuda_aware();
    printf("MPI GPUs:   %s\n", aware > 0    ? "the MPI library is CUDA-aware (halos still go through the host)"
                               : aware == 0 ? "the MPI library is not CUDA-aware"
                                            : "the MPI library does not say whether it is CUDA-aware");
#endif
    printf("precision:  %s (fc_real is %zu bytes)\n", FC_PRECISION, sizeof(fc_real));
    printf("CPU code:   %s; vectorised loops run their %s clone\n", FC_CC_FLAGS, fc_vector_clone());
#ifdef _OPENMP
    printf("OpenMP:     %d threads (version %d)\n", omp_get_max_threads(), _OPENMP);
#else
    printf("OpenMP:     not built: the CPU backend runs on one thread\n");
#endif
    char why[512];
    int n = fc_gpu_count(why, sizeof why);
    if (n == 0)
        printf("GPUs:       none (%s)\n", why);
    for (int d = 0; d < n; d++) {
        fc_device_info info;
        fc_err err;
        if (fc_gpu_info(d, &info, &err))
            printf("GPU %d:      %s\n", d, err.msg);
        else
            printf("GPU %d:      %s, compute capability %d.%d, %d SMs, %.1f GB (%.1f GB free)\n",
                   d, info.name, info.cc_major, info.cc_minor, info.sms, info.mem_total / 1e9,
                   info.mem_free / 1e9);
    }
    return FC_EXIT_OK;
}
