/* check_cpu.c: every CPU suite, each test forked with a timeout. */
#include <fc_build.h>

#include <stdio.h>
#include <stdlib.h>

#include "tests/suites.h"

int main(void)
{
    /* Forked tests end without flushing: unbuffered, their measured values reach the log. */
    setvbuf(stdout, NULL, _IONBF, 0);
    SRunner *sr = srunner_create(config_suite());
    srunner_add_suite(sr, grid_suite());
    srunner_add_suite(sr, ncio_suite());
    srunner_add_suite(sr, swe_suite());
    srunner_add_suite(sr, ns2d_suite());
    srunner_add_suite(sr, spectral_suite());
    srunner_add_suite(sr, euler_suite());
    srunner_add_suite(sr, bench_suite());
    srunner_add_suite(sr, mlp_suite());
    srunner_add_suite(sr, surrogate_suite());
    srunner_add_suite(sr, plot_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
