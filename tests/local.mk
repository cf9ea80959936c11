# tests/: Check suites (check_cpu forked with timeouts; check_gpu unforked, exit 77 without a
# device) and command-line tests of the program itself.
check_PROGRAMS += tests/check_cpu tests/check_gpu
TEST_COMMON = tests/testlib.c tests/testlib.h
tests_check_cpu_SOURCES = tests/check_cpu.c tests/suites.h tests/test_config.c \
	tests/test_grid.c tests/test_ncio.c tests/test_swe.c tests/test_ns2d.c tests/test_spectral.c tests/test_euler.c tests/test_bench.c tests/test_mlp.c tests/test_surrogate.c tests/test_plot.c $(TEST_COMMON)
tests_check_cpu_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_cpu_LDADD = $(FC_LIBS) $(CHECK_LIBS)
tests_check_gpu_SOURCES = tests/check_gpu.c $(TEST_COMMON)
tests_check_gpu_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_gpu_LDADD = $(FC_LIBS) $(CHECK_LIBS)
# check_gpu with the CPU in the GPU's place: its comparisons run on every machine.
check_PROGRAMS += tests/check_gpu_harness
tests_check_gpu_harness_SOURCES = tests/check_gpu.c $(TEST_COMMON)
tests_check_gpu_harness_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -DFC_GPU_HARNESS_ON_CPU
tests_check_gpu_harness_LDADD = $(FC_LIBS) $(CHECK_LIBS)

# The halo exchange between ranks, run under mpirun by tests/mpi.sh (MPI builds only).
if HAVE_MPI
check_PROGRAMS += tests/check_mpi
tests_check_mpi_SOURCES = tests/check_mpi.c
tests_check_mpi_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_mpi_LDADD = $(FC_LIBS) $(CHECK_LIBS)
endif
EXTRA_DIST += tests/check_mpi.c
# Two outputs within a tolerance (the spectral solver on slabs against one process; two runs
# of one case, bit for bit).
check_PROGRAMS += tests/nc_compare
tests_nc_compare_SOURCES = tests/nc_compare.c
tests_nc_compare_LDADD = $(NETCDF_LIBS) -lm

# The longest scripts first, so that they run side by side: make -j2 starts the scripts in this
# order (under the sanitizers cli.sh takes 8 minutes, validate.sh 6, mpi.sh 22 with MPI), and
# the test programs only after the last script has started (their objects wait on the rule of
# configure's header, fc_build.h, whose stamp is always the newer; under the sanitizers
# check_cpu's 3 minutes then end the suite, about 30 s after the best order would).
TESTS += tests/check_cpu tests/check_gpu tests/check_gpu_harness tests/mpi.sh tests/cli.sh tests/validate.sh tests/bench.sh tests/malformed.sh tests/symbols.sh tests/layers.sh tests/cf.sh tests/deps.sh tests/live.sh tests/crash.sh tests/plot.sh tests/stats.sh tests/vectorised.sh
EXTRA_DIST += tests/mpi.sh tests/cf.sh tests/layers.sh tests/deps.sh tests/live.sh tests/gpu.sh tests/lsan.supp tests/cli.sh tests/malformed.sh tests/symbols.sh tests/crash.sh tests/lib.sh tests/validate.sh tests/bench.sh tests/plot.sh tests/stats.sh tests/vectorised.sh
# Sanitizer reports end a test with their own exit codes (86 ASan and leaks, 87 UBSan), which no
# test expects; third-party leaks at exit (libgomp, OpenBLAS, HDF5) are suppressed by name.
# OMP_WAIT_POLICY=passive: with make -j2, two tests of 2 OpenMP threads share 2 cores, and
# threads that spin at a barrier while the one they wait for is descheduled made a 0.4 s run
# take minutes; waiting threads sleep instead (no test measures speed).
TESTS_ENVIRONMENT = top_srcdir='$(top_srcdir)' top_builddir='$(top_builddir)' \
	NCGEN='$(NCGEN)' NCDUMP='$(NCDUMP)' COMPILE='$(COMPILE)' OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive MAKE='$(MAKE)' \
	ASAN_OPTIONS=detect_leaks=1:exitcode=86:strict_string_checks=1:max_allocation_size_mb=4096 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=87 \
	LSAN_OPTIONS=suppressions='$(abs_top_srcdir)/tests/lsan.supp':print_suppressions=0

# On a machine with a GPU: check_gpu, then the same under every compute-sanitizer tool, with one
# summary (tests/gpu.sh; about 3 minutes on one H200).
check-gpu: tests/check_gpu
	top_builddir='$(top_builddir)' OMP_NUM_THREADS=$${OMP_NUM_THREADS:-8} \
	  $(SHELL) '$(top_srcdir)/tests/gpu.sh'
.PHONY: check-gpu
