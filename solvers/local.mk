# solvers/: one folder per solver, shared stencil helpers (common/) and the registry that lists
# them for the program. Each solver implements the interface of src/core/solver.h.
libflowcast_models_a_SOURCES += solvers/registry.h solvers/registry.c \
	solvers/common/limiters.h \
	solvers/swe/swe.h solvers/swe/swe.c solvers/swe/swe_cpu.c \
	solvers/swe/swe_cases.c solvers/swe/swe_cases.h \
	solvers/ns2d/ns2d.h solvers/ns2d/ns2d.c solvers/ns2d/ns2d_cpu.c \
	solvers/ns2d/ns2d_cases.c solvers/ns2d/ns2d_cases.h \
	solvers/ns2d/ns2d_body.c solvers/ns2d/ns2d_body.h \
	solvers/ns2d/ns2d_poisson.c solvers/ns2d/ns2d_poisson.h \
	solvers/ns2d/ns2d_mg.c solvers/ns2d/ns2d_mg_cpu.c solvers/ns2d/ns2d_mg.h \
	solvers/spectral/spec.h solvers/spectral/spec.c solvers/spectral/spec_cpu.c \
	solvers/spectral/spec_cases.c solvers/spectral/spec_cases.h \
	solvers/spectral/spec_fftw.c solvers/spectral/spec_fftw.h \
	solvers/euler/euler.h solvers/euler/euler.c solvers/euler/euler_cpu.c \
	solvers/euler/euler_cases.c solvers/euler/euler_cases.h
EXTRA_DIST += solvers/swe/swe_cuda.cu solvers/ns2d/ns2d_cuda.cu solvers/spectral/spec_cuda.cu \
	solvers/euler/euler_cuda.cu
if HAVE_CUDA
libflowcast_models_a_SOURCES += solvers/swe/swe_cuda.cu solvers/ns2d/ns2d_cuda.cu \
	solvers/spectral/spec_cuda.cu solvers/euler/euler_cuda.cu
endif
