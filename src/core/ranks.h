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

/* What the build can do with ranks, one line (for `flowcast info`). */
const char *fc_ranks_built(void);

#endif
