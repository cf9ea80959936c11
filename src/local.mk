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
