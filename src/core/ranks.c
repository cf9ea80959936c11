/* ranks.c: the processes of a run (ranks.h). */
#include <fc_build.h>

#include <stdlib.h>
#include <string.h>

#ifdef FC_HAVE_MPI
#include <mpi.h>
#endif

#include "src/core/ranks.h"

#ifdef FC_HAVE_MPI
/* Whether a launcher started this process as part of a job. */
static int launched(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE",
                                       "MPI_LOCALNRANKS"};
    for (size_t k = 0; k < sizeof vars / sizeof vars[0]; k++)
        if (getenv(vars[k]))
            return 1;
    return 0;
}
#endif

int fc_ranks_launched_first(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"};
    for (size_t k = 0; k < sizeof vars / sizeof vars[0]; k++) {
        const char *r = getenv(vars[k]);
        if (r)
            return !strcmp(r, "0");
    }
    return 1;
}

/* The process's membership of its job, which MPI_COMM_WORLD makes process-wide anyway. */
static fc_ranks self = {0, 1, 0};

const fc_ranks *fc_ranks_self(void) { return &self; }

int fc_ranks_start(int *argc, char ***argv, fc_ranks *r, fc_err *err)
{
    *r = self = (fc_ranks){0, 1, 0};
#ifdef FC_HAVE_MPI
    if (!launched())
        return FC_OK;
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return fc_fail(err, FC_EIO, "MPI_Init_thread failed: this process cannot join its job");
    r->mpi = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &r->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &r->size);
    self = *r;
    if (provided < MPI_THREAD_FUNNELED)
        return fc_fail(err, FC_EIO,
                       "the MPI library gives no MPI_THREAD_FUNNELED support, which OpenMP "
                       "threads beside MPI need");
#else
    (void)argc, (void)argv, (void)err;
#endif
    return FC_OK;
}

void fc_ranks_stop(fc_ranks *r)
{
#ifdef FC_HAVE_MPI
    if (r->mpi)
        MPI_Finalize();
#endif
    r->mpi = self.mpi = 0;
}

const char *fc_ranks_built(void) { return FC_MPI_SUMMARY; }
