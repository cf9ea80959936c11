# src/: the program `flowcast` and its core library.
libflowcast_a_SOURCES += src/fc.h src/config.c src/config.h src/grid.c src/grid.h \
	src/log.c src/log.h src/timer.c src/timer.h src/progress.c src/progress.h \
	src/ncio.c src/ncio.h src/ncread.c src/ncread.h src/files.c src/files.h src/run.c src/run.h src/sim.c src/sim.h src/backend.c src/backend.h \
	src/energy.c src/energy.h src/bench.c src/bench.h src/bench_report.c src/bench_report.h
if HAVE_CUDA
libflowcast_a_SOURCES += src/backend_cuda.c
else
libflowcast_a_SOURCES += src/backend_nocuda.c
endif
EXTRA_DIST += src/backend_cuda.c src/backend_nocuda.c

bin_PROGRAMS += src/flowcast
src_flowcast_SOURCES = src/main.c src/cmd.h src/cmd_run.c src/cmd_info.c src/cmd_cases.c \
	src/cmd_validate.c src/cmd_profile.c src/cmd_bench.c \
	src/cmd_train.c src/cmd_demo.c
src_flowcast_LDADD = $(FC_LIBS)
# Where `make install` puts the ready-made cases (inputs/local.mk), for the demo and `run NAME`.
src_flowcast_CPPFLAGS = $(AM_CPPFLAGS) -DFC_INPUTS_DIR='"$(pkgdatadir)/inputs"'

# The manual page, from --help and --version (help2man), where help2man is installed.
if HAVE_HELP2MAN
man_MANS = flowcast.1
CLEANFILES += flowcast.1 flowcast.h2m
# Each command's own --help becomes a section of its own.
FC_COMMANDS = run cases validate demo train rollout bench profile info
flowcast.1: src/flowcast$(EXEEXT)
	$(AM_V_GEN){ for c in $(FC_COMMANDS); do \
	  printf '[COMMAND: %s]\n.nf\n' "$$c"; \
	  ./src/flowcast$(EXEEXT) $$c --help | sed 's/\\/\\e/g; s/^[.'"'"']/\\\&&/'; \
	  printf '.fi\n\n'; done; } >flowcast.h2m && \
	$(HELP2MAN) --no-info --include=flowcast.h2m \
	  --name="weather and CFD solvers on CPU and GPU, with NetCDF in and out" \
	  --output=$@ ./src/flowcast$(EXEEXT) && rm -f flowcast.h2m
endif
