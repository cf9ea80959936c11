# validation/: exact and published reference solutions, and `flowcast validate`, which runs the
# cases against them (part of the program).
libflowcast_app_a_SOURCES += validation/adjustment.c validation/adjustment.h \
	validation/channel_bump.c validation/channel_bump.h validation/dambreak.c validation/dambreak.h \
	validation/gravity_waves.c validation/gravity_waves.h \
	validation/ghia1982.c validation/ghia1982.h validation/validate.c validation/validate.h
EXTRA_DIST += validation/README.md
