# ml/: the MLP library (float32; OpenBLAS on the CPU) and the surrogates trained on solver output.
libflowcast_a_SOURCES += ml/mlp.h ml/mlp.c ml/dataset.h ml/dataset.c \
	ml/surrogate.h ml/surrogate.c
