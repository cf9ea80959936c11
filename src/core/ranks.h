/*
 * ranks.h: the processes a run is made of. A build with MPI (FC_HAVE_MPI) joins the job it was
 * launched in when a launcher started it (mpirun sets OMPI_COMM_WORLD_SIZE, PMI and PMIx
 * launchers PMI_SIZE or PMIX_RANK); started any other way it is rank 0 of 1 and never
 * initialises MPI, so a plain `flowcast run` needs no launcher and starts as fast as a build
 * without MPI. A build without MPI is always rank 0 of 1.
 */
#ifndef FC_RANKS_H
#define FC_RANKS_H

#include "src/core/fc.h"

typedef struct fc_ranks {
    int rank, size; /* this process's rank and the job's process count */
    int mpi;        /* whether MPI was initialised (and must be finalised) */
    int px, py;     /* the block layout asked for (`--decomp PXxPY`); 0, 0: chosen (decomp.h) */
    /* This process's rank among the job's processes on its machine (those sharing its
     * memory), and their number: which GPU of the machine it takes (backend.h). */
    int node_rank, node_size;
} fc_ranks;

/* Joins the job (MPI_Init_thread, funnelled: only the thread that called it talks to MPI). */
int fc_ranks_start(int *argc, char ***argv, fc_ranks *r, fc_err *err);

/* Whether this process is its launcher's rank 0, or was started without one: read from the
 * launcher's environment, before (or without) joining the job. */
int fc_ranks_launched_first(void);

/* Leaves the job (MPI_Finalize) when it was joined. */
void fc_ranks_stop(fc_ranks *r);

/* The job this process joined (rank 0 of 1 before fc_ranks_start or without a launcher). */
const fc_ranks *fc_ranks_self(void);

/* Asks for the layout px x py of the job's blocks (0, 0: let fc_decomp_plan choose). */
void fc_ranks_set_layout(int px, int py);

/*
 * Agreement on a status, collective over the job: every process passes its own st (and err)
 * and gets back the same status and message, those of the lowest-ranked process that failed
 * (FC_OK when none did), so that every process of a job takes the same path after a step that
 * may fail on some of them only. A message from a process other than the first names it. On
 * one process, st itself.
 */
int fc_ranks_agree(int st, fc_err *err);

/* Whether flag is set on any process of the job (collective); flag itself on one process. */
int fc_ranks_any(int flag);

/* The first process's bytes data[0..len-1] on every process (collective; len alike on all,
 * below 2 GB). */
void fc_ranks_share(void *data, size_t len);

/* The sum of v over the job's processes on this machine (those sharing its memory), and
 * their number in *here (collective); v and 1 on one process. */
double fc_ranks_node_sum(double v, int *here);

/* The largest v of the job's processes (collective; also a barrier); v on one process. */
double fc_ranks_max(double v);

/*
 * Narrows the job to its first n processes, collectively: until fc_ranks_widen they are the
 * job (fc_ranks_self, every collective above, the grids they split); *member says whether this
 * process is one of them. The others take no part and wait in fc_ranks_widen. FC_EINPUT when
 * the job has fewer than n processes. For benchmarks on several process counts in one job.
 */
int fc_ranks_narrow(int n, int *member, fc_err *err);
/* The whole job again (collective over all its processes). */
void fc_ranks_widen(void);

#ifdef FC_HAVE_MPI
#include <mpi.h>
/* The job's communicator (MPI_COMM_WORLD, or the narrowed job's). */
MPI_Comm fc_ranks_comm(void);
#endif

/* What the build can do with ranks, one line (for `flowcast info`). */
const char *fc_ranks_built(void);

/* Whether the MPI library this process runs with can pass GPU memory itself (CUDA-aware),
 * asked at run time where the library can say (Open MPI's MPIX_Query_cuda_support): 1 yes,
 * 0 no, -1 it cannot say or there is no MPI. */
int fc_ranks_cuda_aware(void);

#endif
