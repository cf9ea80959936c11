/* cmd_bench.c: `flowcast bench [SOLVER...]`: CPU and GPU time per step of each solver's benchmark
 * case on a ladder of grids, with the machine's copy bandwidths, energy and GPU-CPU differences
 * (measurements in bench.c, outputs in bench_report.c). */
#include <fc_build.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "src/core/backend.h"
#include "src/bench/bench.h"
#include "src/bench/bench_report.h"
#include "src/cli/cmd.h"
#include "src/core/fc.h"
#include "src/core/log.h"
#include "src/bench/mlp_bench.h"
#include "src/bench/scaling.h"
#include "src/bench/scaling_report.h"
#include "src/core/ranks.h"
#include "src/core/solver.h"
#include "src/plot/plot.h"
#include "solvers/registry.h"

static void usage(FILE *f)
{
    fputs("usage: flowcast bench [SOLVER...] [--quick] [--sizes N,N,...]\n"
          "                      [--threads T,T,...] [--device auto|cpu|gpu] [--repeat R]\n"
          "                      [--warmup W] [--min-seconds S] [-o PREFIX]\n"
          "                      [-O|--overwrite] [--no-plots]\n\n"
          "Times each solver's benchmark case (all solvers, or those named) on N x N grids:\n"
          "on the CPU with OpenMP on each thread count and on the GPU, the same time step\n"
          "on both. Measures the copy bandwidth of each side in the same run, and prints a\n"
          "Markdown table: time per step (median, min-max), end-to-end time, cell updates\n"
          "per second, effective bandwidth and its fraction of the measured one, speedups\n"
          "over the all-thread CPU and one thread, the speedup the bandwidth ratio\n"
          "predicts, the largest GPU-CPU difference, and energy per step (RAPL, NVML, or\n"
          "n/a and why). Writes PREFIX.csv, PREFIX.nc, PREFIX_speedup.png and\n"
          "PREFIX_bandwidth.png (the speedups and bandwidth fractions against the grid).\n"
          "Rows are written as they are measured: an interrupted benchmark (SIGINT) keeps\n"
          "them.\n\n"
          "  --quick          grids 32 and 64, short runs: under a minute on 2 CPU cores\n"
          "  --sizes LIST     grid sizes n (default 64 ... 1024 doubling; to 4096 with a\n"
          "                   GPU)\n"
          "  --threads LIST   CPU thread counts (default: 1 and all cores)\n"
          "  --device D       auto (the GPU when usable), cpu (no GPU rows), gpu (error\n"
          "                   without)\n"
          "  --repeat R       timed repeats per row (default 5; --quick 3)\n"
          "  --warmup W       untimed steps first (default 3; --quick 1)\n"
          "  --min-seconds S  the repeats of a row last this long together (default 2;\n"
          "                   --quick 0.05): energy counters need seconds\n"
          "  -o PREFIX        output files (default outputs/bench)\n"
          "  -O, --overwrite  replace existing output files\n"
          "  --no-plots       no plots\n"
          "  --mlp            instead of the solvers: MLP training samples per second, a\n"
          "                   64 -> W -> W -> 4 GELU model with AdamW, its GFLOP/s and\n"
          "                   their share of a measured OpenBLAS sgemm ceiling\n"
          "                   (PREFIX_mlp.csv)\n"
          "  --widths LIST    W for --mlp (default 64,128,256,512)\n"
          "  --batches LIST   batches for --mlp (default 256,4096,65536; --quick 256,4096)\n"
          "  --ranks LIST     instead: scaling over processes, run under mpirun -np P (P at\n"
          "                   least the largest count): each solver that splits its grid\n"
          "                   (swe, euler) strong (the same n x n grid on 1, 2, ...\n"
          "                   processes) and weak (an n x n block per process), --threads T\n"
          "                   each (default 1); time per step, efficiency, the share of\n"
          "                   halo exchanges and reductions, the gather of one record, one\n"
          "                   record written each way (CDF-5 and NetCDF-4, as a run writes\n"
          "                   them; in a scratch file PREFIX_record.nc, removed again);\n"
          "                   PREFIX_ranks.csv, PREFIX_ranks.nc (a record per row) and\n"
          "                   PREFIX_ranks.png (the efficiencies against the processes)\n"
          "                   (default sizes 256 and 1024; --quick 64)\n\n"
          "Thread placement: unless OMP_PROC_BIND is set, bench runs itself again with\n"
          "OMP_PROC_BIND=close OMP_PLACES=cores (one thread per core, packed).\n"
          "Exit status: 0 ok, 1 a measurement failed or was interrupted, 2 bad usage.\n",
          f);
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }


/* `flowcast bench --mlp`: training throughput of the MLP library on the CPU (and the GPU), with
 * the CPU's rates as a share of its sgemm ceiling. */
static int bench_mlp(int quick, const int *widths, int nwidths, const int *batches, int nbatches,
                     int repeats, double min_seconds, const char *prefix, int overwrite, int gpu,
                     const char *gpu_name)
{
    static const int dw[] = {64, 128, 256, 512}, db[] = {256, 4096, 65536};
    if (!nwidths) {
        widths = dw;
        nwidths = quick ? 2 : 4;
    }
    if (!nbatches) {
        batches = db;
        nbatches = quick ? 2 : 3;
    }
    repeats = repeats > 0 ? repeats : quick ? 3 : 5;
    min_seconds = min_seconds > 0 ? min_seconds : quick ? 0.1 : 2;
    char path[4096];
    if (!prefix) {
        mkdir("outputs", 0777);
        prefix = "outputs/bench";
    }
    snprintf(path, sizeof path, "%s_mlp.csv", prefix);
    if (!overwrite && access(path, F_OK) == 0) {
        fc_error("'%s' exists; it is left untouched (use -O/--overwrite to replace it)", path);
        return FC_EXIT_USAGE;
    }
    FILE *csv = fopen(path, "w");
    if (!csv) {
        fc_error("cannot create '%s'", path);
        return FC_EXIT_USAGE;
    }
    char cpu[256];
    fc_cpu_model(cpu, sizeof cpu);
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    double ceiling;
    fc_err cerr = {{0}};
    if (mlp_bench_sgemm_ceiling(&ceiling, &cerr)) {
        fclose(csv);
        remove(path);
        return cmd_fail(FC_ENOMEM, cerr.msg);
    }
    fprintf(csv, "width,batch,device,samples_per_s,min,max,gflops,sgemm_fraction\n");
    printf("# flowcast bench --mlp\n\n%d -> W -> W -> %d MLP, GELU, MSE, AdamW, float32; "
           "samples per second of training steps (forward, backward, optimiser), median of %d "
           "runs lasting %g s together. CPU: %s, %d threads, OpenBLAS. GPU: %s%s.\n"
           "GFLOP/s counts the GEMMs' multiply-adds (2 flops each; not the element-wise work); "
           "\"of sgemm\" divides it by what the same threads reach in OpenBLAS sgemm as the MLP "
           "calls it (one single-threaded call per thread, 1024^3): %.1f GFLOP/s, measured now.\n\n"
           "| width | batch | device | samples/s | min-max | GFLOP/s | of sgemm | GPU / CPU |\n"
           "|---|---|---|---|---|---|---|---|\n",
           MLP_BENCH_INPUTS, MLP_BENCH_OUTPUTS, repeats, min_seconds, cpu, threads,
           gpu ? "" : "not measured: ", gpu_name, ceiling);
    if (gpu)
        printf("(GPU: cuBLAS in full float32; a step includes uploading its batch.)\n\n");
    for (int i = 0; i < nwidths; i++)
        for (int j = 0; j < nbatches; j++) {
            double cpu_rate = 0;
            for (int dev = 0; dev <= gpu; dev++) {
                double med, lo, hi;
                fc_err err = {{0}};
                int st = mlp_bench_train(widths[i], batches[j], dev, repeats, min_seconds, &med,
                                         &lo, &hi, &err);
                if (st) {
                    fclose(csv);
                    return cmd_fail(st, err.msg);
                }
                char ratio[32] = "-";
                if (dev)
                    snprintf(ratio, sizeof ratio, "%.2f", med / cpu_rate);
                else
                    cpu_rate = med;
                char where[64], share[32] = "-";
                snprintf(where, sizeof where, dev ? "gpu" : "cpu, %d threads", threads);
                const double gflops = med * mlp_bench_flops_per_sample(widths[i]) / 1e9;
                if (!dev) /* the ceiling is the CPU's */
                    snprintf(share, sizeof share, "%.2f", gflops / ceiling);
                printf("| %d | %d | %s | %.4g | %.4g-%.4g | %.4g | %s | %s |\n", widths[i],
                       batches[j], where, med, lo, hi, gflops, share, ratio);
                fprintf(csv, "%d,%d,%s,%.6g,%.6g,%.6g,%.6g,%s\n", widths[i], batches[j],
                        dev ? "gpu" : "cpu", med, lo, hi, gflops, dev ? "" : share);
                fflush(stdout);
                fflush(csv);
            }
        }
    printf("\nRows: %s\n", path);
    return fclose(csv) == 0 ? FC_EXIT_OK : FC_EXIT_FAILED;
}

/* `flowcast bench --ranks`: strong and weak scaling over the processes of this MPI job; the
 * first process writes the table, PREFIX_ranks.csv, PREFIX_ranks.nc and (plots)
 * PREFIX_ranks.png (scaling_report.h). */
static int bench_ranks(fc_scaling_opts *o, int quick, const char *prefix, int overwrite,
                       int plots, const char *command)
{
    static const int full[] = {256, 1024}, brief[] = {64};
    if (!o->nsizes) {
        o->sizes = quick ? brief : full;
        o->nsizes = quick ? 1 : 2;
    }
    qsort((int *)o->counts, (size_t)o->ncounts, sizeof *o->counts, cmp_int);
    const fc_ranks *job = fc_ranks_self();
    const int first = job->rank == 0;
    fc_err err = {{0}};
    int st = FC_OK;
    if (o->counts[o->ncounts - 1] > job->size)
        st = fc_fail(&err, FC_EINPUT, "--ranks up to %d needs a job of %d processes (mpirun -np "
                     "%d flowcast bench --ranks ...); this one has %d",
                     o->counts[o->ncounts - 1], o->counts[o->ncounts - 1],
                     o->counts[o->ncounts - 1], job->size);
    if (!prefix) {
        if (first)
            mkdir("outputs", 0777);
        prefix = "outputs/bench";
    }
    char scratch[4096];
    snprintf(scratch, sizeof scratch, "%s_record.nc", prefix);
    o->scratch = scratch;
    fc_scaling_report *rep = first ? malloc(sizeof *rep) : NULL;
    if (!st && first && !rep)
        st = fc_fail(&err, FC_ENOMEM, "out of memory");
    if (!st && first &&
        !(st = fc_scaling_report_check(rep, prefix, overwrite, plots, scratch, &err)))
        st = fc_scaling_report_open(rep, o, job->size, command, &err);
    if ((st = fc_ranks_agree(st, &err))) {
        free(rep);
        return cmd_fail(st, err.msg);
    }
    o->row = fc_scaling_report_row;
    o->ctx = rep;
    o->stop = cmd_stop_on_signals();
    st = fc_scaling_run(o, &err);
    if (first) {
        fc_err cerr = {{0}};
        int cst = fc_scaling_report_close(rep, plots && !st, &cerr);
        if (cst && !st) {
            st = cst;
            err = cerr;
        }
        free(rep);
    }
    if (st == FC_EINTR)
        return cmd_fail(st, "interrupted: the rows measured so far are in the table and files "
                            "above");
    return st ? cmd_fail(st, err.msg) : FC_EXIT_OK;
}

/* Runs flowcast again with the threads placed one per core (the OpenMP runtime reads its
 * placement once, at start), unless the user placed them. */
static void place_threads(char **argv)
{
    if (getenv("OMP_PROC_BIND") || getenv("FC_BENCH_PLACED"))
        return;
    setenv("OMP_PROC_BIND", "close", 1);
    setenv("OMP_PLACES", "cores", 1);
    setenv("FC_BENCH_PLACED", "1", 1);
    execv("/proc/self/exe", argv - 1); /* argv[-1] is "flowcast" */
    unsetenv("OMP_PROC_BIND");         /* the exec failed: go on as placed by default */
    unsetenv("OMP_PLACES");
}

int cmd_bench(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        if (fc_ranks_self()->rank == 0) /* under mpirun, once */
            usage(stdout);
        return FC_EXIT_OK;
    }
    enum { OPT_QUICK = 256, OPT_SIZES, OPT_THREADS, OPT_DEVICE, OPT_REPEAT, OPT_WARMUP,
           OPT_MINSEC, OPT_NOPLOTS, OPT_MLP, OPT_WIDTHS, OPT_BATCHES, OPT_RANKS };
    static const struct option opts[] = {
        {"quick", no_argument, NULL, OPT_QUICK},
        {"sizes", required_argument, NULL, OPT_SIZES},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"device", required_argument, NULL, OPT_DEVICE},
        {"repeat", required_argument, NULL, OPT_REPEAT},
        {"warmup", required_argument, NULL, OPT_WARMUP},
        {"min-seconds", required_argument, NULL, OPT_MINSEC},
        {"no-plots", no_argument, NULL, OPT_NOPLOTS},
        {"mlp", no_argument, NULL, OPT_MLP},
        {"widths", required_argument, NULL, OPT_WIDTHS},
        {"batches", required_argument, NULL, OPT_BATCHES},
        {"ranks", required_argument, NULL, OPT_RANKS},
        {"overwrite", no_argument, NULL, 'O'},
        {NULL, 0, NULL, 0},
    };
    int sizes[16], nsizes = 0, threads[FC_BENCH_MAX_THREADS], nthreads = 0;
    int quick = 0, overwrite = 0, plots = 1, repeats = -1, warmup = -1, c, mlp = 0, bad = 0;
    int widths[16], nwidths = 0, batches[16], nbatches = 0;
    int counts[FC_SCALING_MAX_COUNTS], ncounts = 0;
    double min_seconds = -1;
    const char *device = "auto", *prefix = NULL;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:O", opts, NULL)) != -1) {
        switch (c) {
        case OPT_QUICK:
            quick = 1;
            break;
        case OPT_SIZES:
            bad |= cmd_int_list("--sizes", optarg, 4, 65536, sizes, 16, &nsizes);
            break;
        case OPT_THREADS:
            bad |= cmd_int_list("--threads", optarg, 1, 4096, threads, FC_BENCH_MAX_THREADS,
                                 &nthreads);
            break;
        case OPT_DEVICE:
            device = optarg;
            break;
        case OPT_REPEAT:
            bad |= cmd_int("--repeat", optarg, 1, 1000, &repeats);
            break;
        case OPT_WARMUP:
            bad |= cmd_int("--warmup", optarg, 0, 100000, &warmup);
            break;
        case OPT_MINSEC:
            bad |= cmd_real("--min-seconds", optarg, 0, 3600, 1, &min_seconds);
            break;
        case OPT_NOPLOTS:
            plots = 0;
            break;
        case OPT_MLP:
            mlp = 1;
            break;
        case OPT_WIDTHS:
            bad |= cmd_int_list("--widths", optarg, 1, 65536, widths, 16, &nwidths);
            break;
        case OPT_BATCHES:
            bad |= cmd_int_list("--batches", optarg, 1, 1 << 20, batches, 16, &nbatches);
            break;
        case OPT_RANKS:
            bad |= cmd_int_list("--ranks", optarg, 1, 65536, counts, FC_SCALING_MAX_COUNTS,
                                &ncounts);
            break;
        case 'o':
            prefix = optarg;
            break;
        case 'O':
            overwrite = 1;
            break;
        default: /* ':' or '?' */
            cmd_bad_option(c, argv, "bench", opts);
            bad = 1;
        }
    }
    if (bad)
        return FC_EXIT_USAGE;
    for (int k = optind; k < argc; k++)
        if (!fc_catalog_find(fc_solvers(), argv[k])) {
            const fc_catalog *all = fc_solvers();
            char known[256] = "";
            for (size_t q = 0; q < all->n; q++)
                snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                         q ? ", " : "", all->solvers[q]->name);
            fc_error("unknown solver '%s' (known: %s)", argv[k], known);
            return FC_EXIT_USAGE;
        }
    char command[8192]; /* the tables' history */
    size_t len = (size_t)snprintf(command, sizeof command, "flowcast bench");
    for (int k = 1; k < argc && len < sizeof command; k++)
        len += (size_t)snprintf(command + len, sizeof command - len, " %s", argv[k]);
    const int processes = fc_ranks_self()->size;
    if (ncounts || processes > 1) {
        fc_scaling_opts so = {(const char *const *)argv + optind, argc - optind, sizes, nsizes,
                              counts, ncounts, nthreads ? threads[0] : 1,
                              warmup >= 0 ? warmup : quick ? 1 : 3, repeats > 0 ? repeats : quick ? 3 : 5,
                              NULL, min_seconds > 0 ? min_seconds : quick ? 0.05 : 1, NULL, NULL,
                              NULL};
        if (!ncounts) {
            fc_error("bench on %d processes: only with --ranks (scaling over processes); run "
                     "the other benchmarks without mpirun",
                     processes);
            return FC_EXIT_USAGE;
        }
        if (nthreads > 1) {
            fc_error("--threads with --ranks: one count, the threads of each process");
            return FC_EXIT_USAGE;
        }
        return bench_ranks(&so, quick, prefix, overwrite, plots, command);
    }
    int kind;
    fc_err err = {{0}};
    if (fc_backend_select(device, &kind, &err)) {
        fc_error("%s", err.msg);
        return FC_EXIT_USAGE;
    }
    if (mlp) {
        char gpu_name[300] = "none";
        fc_device_info info;
        if (kind == FC_BACKEND_GPU && fc_gpu_info(fc_gpu_device(), &info, &err) == FC_OK)
            snprintf(gpu_name, sizeof gpu_name, "%s", info.name);
        else if (kind != FC_BACKEND_GPU)
            fc_gpu_count(gpu_name, sizeof gpu_name);
        return bench_mlp(quick, widths, nwidths, batches, nbatches, repeats, min_seconds,
                         prefix, overwrite, kind == FC_BACKEND_GPU, gpu_name);
    }
    place_threads(argv);

    int cores = 1;
#ifdef _OPENMP
    cores = omp_get_num_procs();
#endif
    if (nthreads == 0) {
        threads[nthreads++] = 1;
        if (cores > 1)
            threads[nthreads++] = cores;
    }
    qsort(threads, (size_t)nthreads, sizeof *threads, cmp_int);
    for (int k = 1; k < nthreads; k++)
        if (threads[k] == threads[k - 1]) {
            fc_error("--threads: %d is given twice", threads[k]);
            return FC_EXIT_USAGE;
        }
    if (nsizes == 0) {
        const int top = quick ? 64 : kind == FC_BACKEND_GPU ? 4096 : 1024;
        for (int n = quick ? 32 : 64; n <= top; n *= 2)
            sizes[nsizes++] = n;
    }
    fc_bench_opts o = {
        .solvers = (const char *const *)argv + optind,
        .nsolvers = argc - optind,
        .sizes = sizes,
        .nsizes = nsizes,
        .threads = threads,
        .nthreads = nthreads,
        .use_gpu = kind == FC_BACKEND_GPU,
        .warmup = warmup >= 0 ? warmup : quick ? 1 : 3,
        .repeats = repeats > 0 ? repeats : quick ? 3 : 5,
        .min_seconds = min_seconds > 0 ? min_seconds : quick ? 0.05 : 2,
        .copy_bytes = quick ? (size_t)32 << 20 : (size_t)256 << 20,
        .row = fc_bench_report_row,
    };

    char path[4096];
    if (!prefix) {
        mkdir("outputs", 0777);
        prefix = "outputs/bench";
    }
    snprintf(path, sizeof path, "%s", prefix);

    o.stop = cmd_stop_on_signals();
    fc_bench_ceilings ceil;
    fc_bench_report rep;
    int st = fc_bench_report_check(&rep, path, overwrite, plots, &err); /* before minutes of measuring */
    if (st)
        return cmd_fail(st, err.msg);
    fc_info("bench: measuring the copy bandwidths ...");
    st = fc_bench_ceilings_measure(&o, &ceil, &err);
    if (!st)
        st = fc_bench_report_open(&rep, overwrite, command, &o, &ceil, &err);
    if (st)
        return cmd_fail(st, err.msg);
    o.ctx = &rep;
    st = fc_bench_run(&o, &ceil, &err);
    fc_err cerr = {{0}};
    int cst = fc_bench_report_close(&rep, plots, &cerr);
    if (st == FC_EINTR)
        return cmd_fail(st, "interrupted: the rows measured so far are in the table and files above");
    if (st)
        return cmd_fail(st, err.msg);
    if (cst)
        return cmd_fail(cst, cerr.msg);
    if (rep.failed_rows) {
        fc_error("%d measurement%s failed (their rows say why)", rep.failed_rows,
                 rep.failed_rows == 1 ? "" : "s");
        return FC_EXIT_FAILED;
    }
    return FC_EXIT_OK;
}
