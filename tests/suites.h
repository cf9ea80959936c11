/* suites.h: the Check suites of check_cpu, one per module. */
#ifndef FC_SUITES_H
#define FC_SUITES_H

#include <check.h>

Suite *config_suite(void);
Suite *grid_suite(void);
Suite *ncio_suite(void);
Suite *swe_suite(void);
Suite *ns2d_suite(void);
Suite *spectral_suite(void);
Suite *euler_suite(void);
Suite *bench_suite(void);
Suite *mlp_suite(void);
Suite *surrogate_suite(void);
Suite *plot_suite(void);

#endif
