# src/core: the core library, which knows no solver: case files, grid, NetCDF input and output,
# backends, the sim and run loop, log and progress.
libflowcast_core_a_SOURCES += src/core/fc.h src/core/hd.h src/core/cuda_util.h \
	src/core/calendar.c src/core/calendar.h src/core/config.c src/core/config.h src/core/grid.c src/core/grid.h \
	src/core/log.c src/core/log.h src/core/timer.c src/core/timer.h \
	src/core/progress.c src/core/progress.h src/core/files.c src/core/files.h \
	src/core/ncio.c src/core/ncio.h src/core/ncread.c src/core/ncread.h \
	src/core/cfwrite.c src/core/cfwrite.h src/core/solver.h \
	src/core/sim.c src/core/sim.h src/core/run.c src/core/run.h \
	src/core/ensemble.c src/core/ensemble.h \
	src/core/backend.c src/core/backend.h src/core/machine_load.c src/core/machine_load.h \
	src/core/ranks.c src/core/ranks.h src/core/decomp.c src/core/decomp.h \
	src/core/split.c src/core/split.h src/core/link.h src/core/stages.c src/core/stages.h \
	src/core/repro_sum.c src/core/repro_sum.h src/core/text.c src/core/text.h \
	src/core/series_stats.c src/core/series_stats.h
# The halo exchange between ranks needs MPI (configure --with-mpi).
if HAVE_MPI
libflowcast_core_a_SOURCES += src/core/halo.c src/core/halo.h
endif
EXTRA_DIST += src/core/halo.c src/core/halo.h
if HAVE_CUDA
libflowcast_core_a_SOURCES += src/core/backend_cuda.c
else
libflowcast_core_a_SOURCES += src/core/backend_nocuda.c
endif
EXTRA_DIST += src/core/backend_cuda.c src/core/backend_nocuda.c

# src/bench: the benchmarks (solvers and MLP) and their tables, part of the program.
libflowcast_app_a_SOURCES += src/bench/bench.c src/bench/bench.h \
	src/bench/bench_report.c src/bench/bench_report.h src/bench/energy.c src/bench/energy.h \
	src/bench/mlp_bench.c src/bench/mlp_bench.h src/bench/scaling.c src/bench/scaling.h \
	src/bench/scaling_report.c src/bench/scaling_report.h

# The pressure solve against hypre's PFMG-CG on the same problems (an open box, and one around
# a square obstacle): `make poisson-hypre`
# (POISSON_SIZES, POISSON_REPEATS, POISSON_THREADS), built only then, and skipped where
# configure found no hypre. One thread by default: Debian's hypre has no OpenMP, so this
# compares a core with a core.
EXTRA_DIST += src/bench/poisson_hypre.c
POISSON_SIZES = 256 512 1024 2048
POISSON_REPEATS = 5
POISSON_THREADS = 1
if HAVE_HYPRE
EXTRA_PROGRAMS += src/bench/poisson_hypre
src_bench_poisson_hypre_SOURCES = src/bench/poisson_hypre.c
src_bench_poisson_hypre_CPPFLAGS = $(AM_CPPFLAGS) $(HYPRE_CFLAGS)
src_bench_poisson_hypre_LDADD = $(FC_LIBS) $(HYPRE_LIBS)
poisson-hypre: src/bench/poisson_hypre$(EXEEXT)
	@uname -m; grep -m1 'model name' /proc/cpuinfo || true; date -u +%Y-%m-%dT%H:%MZ
	@echo "OpenMP threads (flowcast): $(POISSON_THREADS)"
	@for n in $(POISSON_SIZES); do for obstacle in 0 1; do \
	  OMP_NUM_THREADS=$(POISSON_THREADS) ./src/bench/poisson_hypre $$n $(POISSON_REPEATS) 1e-8 1 \
	    $$obstacle || exit 1; \
	  echo; done; done
else
poisson-hypre:
	@echo "poisson-hypre: skipped: configure found no hypre with Open MPI (Debian: libhypre-dev)"
endif
.PHONY: poisson-hypre

# Instructions per cell-step of each solver's CPU step, counted by callgrind:
# `make count-instructions` (SOLVERS, SIZE; skipped without valgrind).
EXTRA_DIST += src/bench/count_instructions.sh
count-instructions: src/flowcast$(EXEEXT)
	@top_builddir='$(top_builddir)' $(SHELL) '$(top_srcdir)/src/bench/count_instructions.sh'
.PHONY: count-instructions

# src/plot: pictures (cairo) and films (ffmpeg, giflib) of NetCDF variables, part of the program.
libflowcast_app_a_SOURCES += src/plot/colormap.c src/plot/colormap.h src/plot/plot.c \
	src/plot/plot.h src/plot/plotdata.c src/plot/plotdata.h src/plot/figure.c \
	src/plot/figure.h src/plot/animate.c src/plot/animate.h

# src/cli: the program `flowcast`: main and one file per command.
bin_PROGRAMS += src/flowcast
src_flowcast_SOURCES = src/cli/main.c src/cli/cmd.h src/cli/args.c src/cli/cmd_run.c src/cli/cmd_info.c \
	src/cli/cmd_cases.c src/cli/cmd_validate.c src/cli/cmd_profile.c src/cli/cmd_bench.c \
	src/cli/cmd_train.c src/cli/cmd_demo.c src/cli/cmd_plot.c src/cli/cmd_stats.c src/cli/cmd_ensemble.c
src_flowcast_LDADD = $(FC_LIBS)
# Where `make install` puts the ready-made cases (inputs/local.mk), for the demo and `run NAME`.
src_flowcast_CPPFLAGS = $(AM_CPPFLAGS) -DFC_INPUTS_DIR='"$(pkgdatadir)/inputs"'
# The manual page, from --help and --version (help2man), where help2man is installed.
if HAVE_HELP2MAN
man_MANS = flowcast.1
CLEANFILES += flowcast.1 flowcast.h2m
# Each command's own --help becomes a section of its own.
FC_COMMANDS = run cases validate demo plot animate stats ensemble train rollout bench profile info
flowcast.1: src/flowcast$(EXEEXT)
	$(AM_V_GEN){ for c in $(FC_COMMANDS); do \
	  printf '[COMMAND: %s]\n.nf\n' "$$c"; \
	  ./src/flowcast$(EXEEXT) $$c --help | sed 's/\\/\\e/g; s/^[.'"'"']/\\\&&/'; \
	  printf '.fi\n\n'; done; } >flowcast.h2m && \
	$(HELP2MAN) --no-info --include=flowcast.h2m \
	  --name="weather and CFD solvers on CPU and GPU, with NetCDF in and out" \
	  --output=$@ ./src/flowcast$(EXEEXT) && rm -f flowcast.h2m
endif
