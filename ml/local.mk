# ml/: the MLP library (float32; OpenBLAS on the CPU) and the surrogates trained on solver output.
libflowcast_models_a_SOURCES += ml/mlp.h ml/mlp_act.h ml/mlp.c ml/dataset.h ml/dataset.c \
	ml/surrogate.h ml/surrogate.c ml/threads.h ml/threads.c
libflowcast_models_a_SOURCES += ml/mlp_gpu.h
EXTRA_DIST += ml/bench/compare_torch.py ml/mlp_cuda.cu ml/mlp_nocuda.c
if HAVE_CUDA
libflowcast_models_a_SOURCES += ml/mlp_cuda.cu
else
libflowcast_models_a_SOURCES += ml/mlp_nocuda.c
endif
