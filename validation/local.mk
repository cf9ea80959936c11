# validation/: exact and published reference solutions the tests (and later `flowcast
# validate`) compare with.
libflowcast_a_SOURCES += validation/dambreak.c validation/dambreak.h
EXTRA_DIST += validation/README.md
