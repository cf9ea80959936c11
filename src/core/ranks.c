/* ranks.c: the processes of a run (ranks.h). */
#include <fc_build.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef FC_HAVE_MPI
#include <mpi.h>
#if __has_include(<mpi-ext.h>)
#include <mpi-ext.h> /* Open MPI's extensions: MPIX_Query_cuda_support */
#endif
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

/* The process's membership of its job, which MPI_COMM_WORLD makes process-wide anyway, and
 * the whole job's while a narrowed one (fc_ranks_narrow) stands for it. */
static fc_ranks self = {0, 1, 0, 0, 0, 0, 1}, whole = {0, 1, 0, 0, 0, 0, 1};
#ifdef FC_HAVE_MPI
static MPI_Comm job = MPI_COMM_WORLD;

MPI_Comm fc_ranks_comm(void) { return job; }
#endif

const fc_ranks *fc_ranks_self(void) { return &self; }

int fc_ranks_start(int *argc, char ***argv, fc_ranks *r, fc_err *err)
{
    *r = self = (fc_ranks){0, 1, 0, 0, 0, 0, 1};
#ifdef FC_HAVE_MPI
    if (!launched())
        return FC_OK;
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return fc_fail(err, FC_EIO, "MPI_Init_thread failed: this process cannot join its job");
    r->mpi = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &r->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &r->size);
    MPI_Comm node;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) ==
        MPI_SUCCESS) {
        MPI_Comm_rank(node, &r->node_rank);
        MPI_Comm_size(node, &r->node_size);
        MPI_Comm_free(&node);
    }
    self = whole = *r;
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

void fc_ranks_set_layout(int px, int py)
{
    self.px = px;
    self.py = py;
}

int fc_ranks_agree(int st, fc_err *err)
{
#ifdef FC_HAVE_MPI
    if (self.size < 2)
        return st;
    int first = st ? self.rank : INT_MAX;
    MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, job);
    if (first == INT_MAX)
        return FC_OK;
    MPI_Bcast(&st, 1, MPI_INT, first, job);
    if (first != 0 && self.rank == first) { /* rank 0 prints: say whose message it is */
        char who[48];
        const size_t n = (size_t)snprintf(who, sizeof who, "process %d of %d: ", first, self.size);
        memmove(err->msg + n, err->msg, sizeof err->msg - n - 1);
        memcpy(err->msg, who, n);
        err->msg[sizeof err->msg - 1] = '\0';
    }
    MPI_Bcast(err->msg, (int)sizeof err->msg, MPI_CHAR, first, job);
#else
    (void)err;
#endif
    return st;
}

int fc_ranks_any(int flag)
{
#ifdef FC_HAVE_MPI
    if (self.size > 1)
        MPI_Allreduce(MPI_IN_PLACE, &flag, 1, MPI_INT, MPI_MAX, job);
#endif
    return flag != 0;
}

void fc_ranks_share(void *data, size_t len)
{
#ifdef FC_HAVE_MPI
    if (self.size > 1 && len > 0)
        MPI_Bcast(data, (int)len, MPI_BYTE, 0, job);
#else
    (void)data;
    (void)len;
#endif
}

double fc_ranks_node_sum(double v, int *here)
{
    *here = 1;
#ifdef FC_HAVE_MPI
    if (self.size > 1) {
        MPI_Comm node;
        MPI_Comm_split_type(job, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
        MPI_Comm_size(node, here);
        MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_DOUBLE, MPI_SUM, node);
        MPI_Comm_free(&node);
    }
#endif
    return v;
}

double fc_ranks_max(double v)
{
#ifdef FC_HAVE_MPI
    if (self.size > 1)
        MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_DOUBLE, MPI_MAX, job);
#endif
    return v;
}

int fc_ranks_narrow(int n, int *member, fc_err *err)
{
    *member = 0;
    if (n < 1 || n > self.size)
        return fc_fail(err, FC_EINPUT, "%d processes asked for; this job has %d%s", n, self.size,
                       self.size == 1 ? " (start it with mpirun -np N)" : "");
    whole = self;
    *member = self.rank < n;
#ifdef FC_HAVE_MPI
    if (self.size > 1) {
        MPI_Comm part;
        MPI_Comm_split(MPI_COMM_WORLD, *member ? 0 : MPI_UNDEFINED, self.rank, &part);
        if (*member)
            job = part;
    }
#endif
    if (*member)
        self.size = n;
    return FC_OK;
}

void fc_ranks_widen(void)
{
#ifdef FC_HAVE_MPI
    if (job != MPI_COMM_WORLD)
        MPI_Comm_free(&job);
    job = MPI_COMM_WORLD;
    if (whole.size > 1) {
        /* The processes left out of a narrowed job wait here while it works: asleep, not
         * spinning in MPI_Barrier on cores the measured processes need. */
        MPI_Request req;
        int done = 0;
        MPI_Ibarrier(MPI_COMM_WORLD, &req);
        while (MPI_Test(&req, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && !done)
            nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
#endif
    self = whole;
}

const char *fc_ranks_built(void) { return FC_MPI_SUMMARY; }

int fc_ranks_cuda_aware(void)
{
#if defined(FC_HAVE_MPI) && defined(MPIX_CUDA_AWARE_SUPPORT)
    return MPIX_Query_cuda_support() ? 1 : 0;
#else
    return -1;
#endif
}
