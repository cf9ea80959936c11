/*
 * test_bench.c: what `flowcast bench` rests on: each solver's bytes model and memory bound, its
 * benchmark case, the energy counters (absent, unreadable, counting, wrapping), the copy
 * ceiling, and a tiny measurement with its speedups and GPU columns.
 */
#include <fc_build.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/bench/bench.h"
#include "src/bench/energy.h"
#include "src/core/machine_load.h"
#include "src/core/sim.h"
#include "src/core/timer.h"
#include "tests/suites.h"
#include "tests/testlib.h"
#include "solvers/registry.h"

/*
 * Each solver's bytes per cell and step: at least reading and writing every state field once
 * (what any step must do), at most a hundred times that (a unit error would be off by 8 or
 * more), and in units of fc_real. Each solver's backend fits the bound bench sizes grids by.
 */
START_TEST(bytes_model_and_memory_of_every_solver)
{
    const size_t n = fc_solvers()->n;
    const fc_solver_desc *const *all = fc_solvers()->solvers;
    for (size_t k = 0; k < n; k++) {
        tl_sim s;
        const char *const sets[] = {"grid.nx=32", "grid.ny=32", NULL};
        ck_assert_ptr_nonnull(all[k]->cost.bench_case);
        tl_sim_open(&s, all[k]->cost.bench_case, sets, NULL);
        int fields = 0;
        for (int f = 0; f < all[k]->io.nfields; f++)
            fields += fc_field_on(all[k], s.params, f);
        const double bytes = all[k]->cost.bytes_per_cell_step(s.params);
        const double floor = 2.0 * fields * sizeof(fc_real);
        printf("%-9s %5.0f B per cell-step (floor %3.0f), %4.1f values per cell\n", all[k]->name,
               bytes, floor, all[k]->cost.mem_per_cell(s.params));
        ck_assert_double_ge(bytes, floor);
        ck_assert_double_le(bytes, 100 * floor);
        ck_assert_double_eq(fmod(bytes, sizeof(fc_real)), 0);
        ck_assert_double_le(all[k]->cost.mem_per_cell(s.params), FC_BENCH_VALUES_PER_CELL);
        /* The benchmark case moves: bench's time step comes from its rate. */
        tl_sim_steps(&s, 2);
        ck_assert_double_gt(s.rate, 0);
        tl_sim_close(&s);
    }
}
END_TEST

/* Writes text to the file dir/name. */
static void put(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(rapl_counters_absent_unreadable_and_counting)
{
    fc_energy_meter m;
    setenv("FC_RAPL_ROOT", tl_temp_path("no-such-powercap"), 1);
    fc_energy_open_cpu(&m);
    ck_assert(!m.available);
    ck_assert_msg(strstr(m.why, "no RAPL powercap interface"), "%s", m.why);
    ck_assert_double_lt(fc_energy_joules(&m), 0);

    /* A package domain whose counter is a folder: cannot be read. */
    char root[512], dom[600], file[700];
    snprintf(root, sizeof root, "%s", tl_temp_path("powercap"));
    snprintf(dom, sizeof dom, "%s/intel-rapl:0", root);
    mkdir(root, 0777);
    mkdir(dom, 0777);
    snprintf(file, sizeof file, "%s/energy_uj", dom);
    mkdir(file, 0777);
    setenv("FC_RAPL_ROOT", root, 1);
    fc_energy_open_cpu(&m);
    ck_assert(!m.available);
    ck_assert_msg(strstr(m.why, "cannot read") && strstr(m.why, "energy_uj"), "%s", m.why);
    rmdir(file);

    /* Two packages, one wrapping around its range between the readings; a sub-domain
     * (intel-rapl:0:0) is not counted twice. */
    char dom1[600], sub[700];
    snprintf(dom1, sizeof dom1, "%s/intel-rapl:1", root);
    snprintf(sub, sizeof sub, "%s/intel-rapl:0:0", root);
    mkdir(dom1, 0777);
    mkdir(sub, 0777);
    put(dom, "energy_uj", "1000000\n");
    put(dom, "max_energy_range_uj", "5000000\n");
    put(dom1, "energy_uj", "4500000\n");
    put(dom1, "max_energy_range_uj", "5000000\n");
    fc_energy_open_cpu(&m);
    ck_assert_msg(m.available, "%s", m.why);
    ck_assert_int_eq(m.ndomains, 2);
    fc_energy_start(&m);
    put(dom, "energy_uj", "3000000\n");
    put(dom1, "energy_uj", "500000\n");
    ck_assert_double_eq_tol(fc_energy_joules(&m), 2.0 + 1.0, 1e-12);
    fc_energy_close(&m);
    unsetenv("FC_RAPL_ROOT");
}
END_TEST

START_TEST(nvml_absent)
{
    fc_energy_meter m;
    setenv("FC_NVML_LIB", "libflowcast-no-such-nvml.so", 1);
    fc_energy_open_gpu(&m, 0);
    ck_assert(!m.available);
    ck_assert_msg(strstr(m.why, "NVML not found"), "%s", m.why);
    ck_assert_double_lt(fc_energy_joules(&m), 0);
    fc_energy_close(&m);
    /* A library that is there but is not NVML. */
    setenv("FC_NVML_LIB", "libm.so.6", 1);
    fc_energy_open_gpu(&m, 0);
    ck_assert(!m.available);
    ck_assert_msg(strstr(m.why, "lacks the NVML energy functions"), "%s", m.why);
    unsetenv("FC_NVML_LIB");
}
END_TEST

START_TEST(copy_ceiling_is_measured)
{
    const double bw = fc_bench_cpu_copy((size_t)8 << 20, 1, 3);
    printf("CPU copy, 1 thread, 8 MB arrays: %.1f GB/s\n", bw / 1e9);
    ck_assert_double_gt(bw, 1e8);   /* 0.1 GB/s: any machine copies faster */
    ck_assert_double_lt(bw, 1e13);  /* 10 TB/s: no machine copies that fast */
}
END_TEST

static fc_bench_row rows[16];
static int nrows;

static int keep_row(const fc_bench_row *r, void *ctx, fc_err *err)
{
    (void)ctx;
    (void)err;
    ck_assert_int_lt(nrows, 16);
    rows[nrows++] = *r;
    return FC_OK;
}

/* One solver, one size, 1 and 2 threads, no GPU: the rows, their order, units and speedups. */
START_TEST(tiny_measurement)
{
    const char *const solvers[] = {"spectral"};
    const int sizes[] = {16}, threads[] = {1, 2};
    fc_bench_opts o = {.solvers = solvers, .nsolvers = 1, .sizes = sizes, .nsizes = 1,
                       .threads = threads, .nthreads = 2, .use_gpu = 0, .warmup = 2,
                       .repeats = 3, .min_seconds = 0.01, .copy_bytes = (size_t)4 << 20,
                       .row = keep_row};
    fc_bench_ceilings c;
    fc_err err;
    ck_assert_msg(fc_bench_ceilings_measure(&o, &c, &err) == FC_OK, "%s", err.msg);
    ck_assert_double_gt(c.cpu_bw[0], 0);
    ck_assert_double_eq(c.gpu_bw, 0);
    ck_assert_msg(*c.gpu_why, "the GPU's absence has a reason");
    nrows = 0;
    ck_assert_msg(fc_bench_run(&o, &c, &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(nrows, 2);
    /* The all-thread row first (the reference), then one thread. */
    ck_assert_str_eq(rows[0].role, "cpu_all");
    ck_assert_int_eq(rows[0].threads, 2);
    ck_assert_str_eq(rows[1].role, "cpu_one");
    for (int k = 0; k < 2; k++) {
        const fc_bench_row *r = &rows[k];
        ck_assert(r->measured && !r->gpu);
        ck_assert_double_le(r->t_min, r->t_median);
        ck_assert_double_le(r->t_median, r->t_max);
        ck_assert_double_eq_tol(r->cells_per_s, 256 / r->t_median, 1e-9 * r->cells_per_s);
        ck_assert_double_gt(r->gb_per_s, 0);
        ck_assert_double_eq_tol(r->bw_fraction, r->gb_per_s * 1e9 / c.cpu_bw[k == 0 ? 1 : 0],
                                1e-12);
        ck_assert(isnan(r->predicted) && isnan(r->gpu_cpu_diff));
        ck_assert_int_ge(r->steps, 3);
        /* The process's CPU time was counted, and the machine's load was read. */
        ck_assert_double_gt(r->cpu_per_step, 0);
        ck_assert_double_ge(r->others, 0);
        ck_assert_double_ge(r->load_before, 0);
        ck_assert_double_ge(r->load_after, 0);
    }
    ck_assert_double_eq(rows[0].speedup_allcore, 1);
    ck_assert_double_eq(rows[1].speedup_1thread, 1);
    ck_assert_double_eq_tol(rows[0].speedup_1thread, rows[1].t_median / rows[0].t_median, 1e-12);
}
END_TEST

/* CPU time this process spends counts as its own; a child that spins counts as another's. */
START_TEST(machine_load_tells_own_from_others)
{
    fc_load_mark a, b;
    fc_load_mark_now(&a);
    volatile double x = 0;
    for (;;) { /* spin until this process has used 0.1 s of CPU */
        fc_load_mark_now(&b);
        if (fc_load_own_cpu(&a, &b) > 0.1)
            break;
        for (int k = 0; k < 100000; k++)
            x += 1e-9 * k;
    }
    ck_assert_double_ge(fc_load_own_cpu(&a, &b), 0.1);
    ck_assert_double_ge(fc_load_others(&a, &b), 0);

    /* A child spinning for 0.4 s while this process sleeps: at least half a core of others,
     * whatever else the machine runs (others only add to it). */
    const pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        const double end = fc_now() + 0.4;
        while (fc_now() < end)
            x += 1;
        _exit(0);
    }
    fc_load_mark_now(&a);
    usleep(300000);
    fc_load_mark_now(&b);
    waitpid(pid, NULL, 0);
    ck_assert_double_lt(fc_load_own_cpu(&a, &b), 0.05);
    ck_assert_double_ge(fc_load_others(&a, &b), 0.5);
    ck_assert_double_ge(fc_load_average(), 0);
}
END_TEST

/* The governor's choice: the cores others leave free, a core taken once others use more than
 * a quarter of it; at least one thread, at most those given; all of them when others is
 * unknown. */
START_TEST(threads_follow_the_cores_others_leave)
{
    ck_assert_int_eq(fc_threads_for_load(2, 2, 0.0), 2);
    ck_assert_int_eq(fc_threads_for_load(2, 2, 0.2), 2);
    ck_assert_int_eq(fc_threads_for_load(2, 2, 0.3), 1);
    ck_assert_int_eq(fc_threads_for_load(2, 2, 1.0), 1);
    ck_assert_int_eq(fc_threads_for_load(2, 2, 5.0), 1);
    ck_assert_int_eq(fc_threads_for_load(8, 16, 1.2), 8);
    ck_assert_int_eq(fc_threads_for_load(16, 16, 1.2), 15);
    ck_assert_int_eq(fc_threads_for_load(16, 16, 1.3), 14);
    ck_assert_int_eq(fc_threads_for_load(4, 2, 0.0), 2);
    ck_assert_int_eq(fc_threads_for_load(3, 4, NAN), 3);
    ck_assert_int_eq(fc_threads_for_load(1, 4, 3.9), 1);
}
END_TEST

Suite *bench_suite(void)
{
    Suite *s = suite_create("bench");
    TCase *tc = tcase_create("benchmark");
    tcase_add_test(tc, bytes_model_and_memory_of_every_solver);
    tcase_add_test(tc, rapl_counters_absent_unreadable_and_counting);
    tcase_add_test(tc, threads_follow_the_cores_others_leave);
    tcase_add_test(tc, nvml_absent);
    tcase_add_test(tc, copy_ceiling_is_measured);
    tcase_add_test(tc, tiny_measurement);
    tcase_add_test(tc, machine_load_tells_own_from_others);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}
