# validation/: exact and published reference solutions the tests (and later `flowcast
# validate`) compare with.
libflowcast_a_SOURCES += validation/dambreak.c validation/dambreak.h \
	validation/ghia1982.c validation/ghia1982.h validation/validate.c validation/validate.h
EXTRA_DIST += validation/README.md
