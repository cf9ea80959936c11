# tests/fuzz/: fuzz targets over every reader of hostile input (see tests/fuzz/fuzz.h).
#   make check: each target replays its seed corpus and its regressions (any compiler);
#   make fuzz [FUZZ_SECONDS=600]: builds the targets with clang's libFuzzer, ASan and UBSan in a
#     copy of the sources and runs each for FUZZ_SECONDS; a crashing input is copied to
#     tests/fuzz/regressions/TARGET/, where the replay keeps it as a test from then on.
FUZZ_TARGETS = case restart field model data plot manifest body
FUZZ_COMMON = tests/fuzz/fuzz.h tests/fuzz/fuzz_common.c
check_PROGRAMS += tests/fuzz/replay_case tests/fuzz/replay_restart tests/fuzz/replay_field \
	tests/fuzz/replay_model tests/fuzz/replay_data tests/fuzz/replay_plot \
	tests/fuzz/replay_manifest tests/fuzz/replay_body
tests_fuzz_replay_case_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_case.c $(FUZZ_COMMON)
tests_fuzz_replay_restart_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_restart.c $(FUZZ_COMMON)
tests_fuzz_replay_field_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_field.c $(FUZZ_COMMON)
tests_fuzz_replay_model_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_model.c $(FUZZ_COMMON)
tests_fuzz_replay_data_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_data.c $(FUZZ_COMMON)
tests_fuzz_replay_plot_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_plot.c $(FUZZ_COMMON)
tests_fuzz_replay_manifest_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_manifest.c $(FUZZ_COMMON)
tests_fuzz_replay_body_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_body.c $(FUZZ_COMMON)
tests_fuzz_replay_case_LDADD = $(FC_LIBS)
tests_fuzz_replay_restart_LDADD = $(FC_LIBS)
tests_fuzz_replay_field_LDADD = $(FC_LIBS)
tests_fuzz_replay_model_LDADD = $(FC_LIBS)
tests_fuzz_replay_data_LDADD = $(FC_LIBS)
tests_fuzz_replay_plot_LDADD = $(FC_LIBS)
tests_fuzz_replay_manifest_LDADD = $(FC_LIBS)
tests_fuzz_replay_body_LDADD = $(FC_LIBS)

# The libFuzzer programs, built only on request (configure --enable-fuzzers, CC=clang).
EXTRA_PROGRAMS += tests/fuzz/fuzz_case tests/fuzz/fuzz_restart tests/fuzz/fuzz_field \
	tests/fuzz/fuzz_model tests/fuzz/fuzz_data tests/fuzz/fuzz_plot tests/fuzz/fuzz_manifest \
	tests/fuzz/fuzz_body
tests_fuzz_fuzz_case_SOURCES = tests/fuzz/fuzz_case.c $(FUZZ_COMMON)
tests_fuzz_fuzz_restart_SOURCES = tests/fuzz/fuzz_restart.c $(FUZZ_COMMON)
tests_fuzz_fuzz_field_SOURCES = tests/fuzz/fuzz_field.c $(FUZZ_COMMON)
tests_fuzz_fuzz_model_SOURCES = tests/fuzz/fuzz_model.c $(FUZZ_COMMON)
tests_fuzz_fuzz_data_SOURCES = tests/fuzz/fuzz_data.c $(FUZZ_COMMON)
tests_fuzz_fuzz_plot_SOURCES = tests/fuzz/fuzz_plot.c $(FUZZ_COMMON)
tests_fuzz_fuzz_manifest_SOURCES = tests/fuzz/fuzz_manifest.c $(FUZZ_COMMON)
tests_fuzz_fuzz_body_SOURCES = tests/fuzz/fuzz_body.c $(FUZZ_COMMON)
tests_fuzz_fuzz_case_LDADD = $(FC_LIBS)
tests_fuzz_fuzz_restart_LDADD = $(FC_LIBS)
tests_fuzz_fuzz_field_LDADD = $(FC_LIBS)
tests_fuzz_fuzz_model_LDADD = $(FC_LIBS)
tests_fuzz_fuzz_data_LDADD = $(FC_LIBS)
tests_fuzz_fuzz_plot_LDADD = $(FC_LIBS)
tests_fuzz_fuzz_manifest_LDADD = $(FC_LIBS)
tests_fuzz_fuzz_body_LDADD = $(FC_LIBS)
tests_fuzz_fuzz_case_LDFLAGS = $(AM_LDFLAGS) $(FC_FUZZ_LDFLAGS)
tests_fuzz_fuzz_restart_LDFLAGS = $(AM_LDFLAGS) $(FC_FUZZ_LDFLAGS)
tests_fuzz_fuzz_field_LDFLAGS = $(AM_LDFLAGS) $(FC_FUZZ_LDFLAGS)
tests_fuzz_fuzz_model_LDFLAGS = $(AM_LDFLAGS) $(FC_FUZZ_LDFLAGS)
tests_fuzz_fuzz_data_LDFLAGS = $(AM_LDFLAGS) $(FC_FUZZ_LDFLAGS)
tests_fuzz_fuzz_plot_LDFLAGS = $(AM_LDFLAGS) $(FC_FUZZ_LDFLAGS)
tests_fuzz_fuzz_manifest_LDFLAGS = $(AM_LDFLAGS) $(FC_FUZZ_LDFLAGS)
tests_fuzz_fuzz_body_LDFLAGS = $(AM_LDFLAGS) $(FC_FUZZ_LDFLAGS)
CLEANFILES += $(EXTRA_PROGRAMS)

TESTS += tests/fuzz/replay.sh
EXTRA_DIST += tests/fuzz/replay.sh tests/fuzz/run.sh tests/fuzz/corpus tests/fuzz/regressions

fuzz: distdir
	FUZZ_SECONDS='$(FUZZ_SECONDS)' FUZZ_TARGETS='$(FUZZ_TARGETS)' \
	  $(SHELL) '$(top_srcdir)/tests/fuzz/run.sh' '$(distdir)' '$(abs_top_srcdir)' '$(abs_top_builddir)'
.PHONY: fuzz
