/*
 * machine_load.h: whether other processes competed with a measurement. A shared machine makes
 * wall times lie; what this process and the whole machine spent on the CPUs over the same
 * interval tells how many cores others kept busy meanwhile, and this process's own CPU time
 * is a cost that other processes do not inflate as much as the wall time.
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

#endif
