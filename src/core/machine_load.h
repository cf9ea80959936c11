/*
 * machine_load.h: whether other processes competed with a measurement. A shared machine makes
 * wall times lie; what this process and the whole machine spent on the CPUs over the same
 * interval tells how many cores others kept busy meanwhile, and this process's own CPU time
 * is a cost that other processes do not inflate as much as the wall time.
 *
 * The same measure steers a run's OpenMP threads (fc_governor): a parallel region waits at
 * each barrier for its slowest thread, so on a machine where another process keeps a core
 * busy, a thread that shares that core makes every region wait for the scheduler (2 threads
 * ran ns2d 1.6-1.9x slower than 1 beside one spinning process on this 2-core machine). A run
 * therefore uses the cores others leave free, at most the threads it was given. The solvers'
 * results do not depend on their thread count (their sums are taken in fixed blocks), so this
 * changes the time a run takes, not its output.
 */
#ifndef FC_MACHINE_LOAD_H
#define FC_MACHINE_LOAD_H

/* What the clocks say at one moment. */
typedef struct fc_load_mark {
    double wall;     /* monotonic clock (s) */
    double own_cpu;  /* CPU time of this process, all its threads (s) */
    double busy;     /* CPU time of the whole machine, every process (s); < 0: unknown */
} fc_load_mark;

/* Reads the clocks now (the machine's time from /proc/stat on Linux). */
void fc_load_mark_now(fc_load_mark *m);

/* Mean number of cores that other processes kept busy between a and b (>= 0), NAN when the
 * machine's CPU time cannot be read or no time passed. Its resolution is the kernel's tick
 * (10 ms) over the interval. */
double fc_load_others(const fc_load_mark *a, const fc_load_mark *b);

/* This process's CPU time between a and b (s). */
double fc_load_own_cpu(const fc_load_mark *a, const fc_load_mark *b);

/* The machine's 1-minute load average, NAN when it cannot be read. */
double fc_load_average(void);

/* Cores others may keep busy before a row's time counts as disturbed. */
#define FC_LOAD_OTHERS_WARN 0.25

/* Threads for a machine of `cores` cores of which others keep `others` busy: the cores left
 * free, a core counting as taken once others use more than FC_LOAD_OTHERS_WARN of it (0.2 busy
 * cores take none, 0.3 and 1.2 one); at least 1, at most max; max when others is unknown. */
int fc_threads_for_load(int max, int cores, double others);

/* OpenMP's current thread count (what the governor set), at most `most`: for a solver whose
 * per-thread work space was sized at creation. */
int fc_threads_at_most(int most);

/* The fewest cells (or unknowns) a loop must cover to be given a parallel region. Waking a team
 * and meeting at its closing barrier costs microseconds while idle threads spin and tens of
 * microseconds once they sleep (OMP_WAIT_POLICY=passive, or a busy machine, where the threads
 * are descheduled): more than a loop over a few thousand cells takes. Smaller loops run on the
 * calling thread (`#pragma omp parallel ... if (n >= FC_PARALLEL_MIN)`); no result depends on
 * it. ns2d at 32 x 128 cells took 25x longer with sleeping threads before this. */
#define FC_PARALLEL_MIN 16384

/* Seconds between two decisions of the governor. */
#define FC_GOVERNOR_PERIOD 0.25

typedef struct fc_governor {
    int given;            /* OpenMP's thread count when the run started */
    int max;              /* given, at most the cores */
    int now;              /* threads set for the next steps */
    fc_load_mark mark;    /* start of the current measurement */
    long long steps;      /* steps counted */
    long long fewer;      /* of them, steps taken on fewer than max threads */
} fc_governor;

/* Starts with OpenMP's current maximum, or the cores if fewer (more threads than cores only
 * make each barrier wait for the scheduler). */
void fc_governor_start(fc_governor *g);
/* After a step: counts it and, every FC_GOVERNOR_PERIOD seconds, sets OpenMP's thread count
 * for the steps that follow from what others used meanwhile. */
void fc_governor_step(fc_governor *g);
/* Gives OpenMP back the thread count the run started with. */
void fc_governor_end(const fc_governor *g);

#endif
