/* emu_ops.h: check_gpu's "GPU" in the host emulation (README.md): the emulated CUDA backends of
 * ns2d, swe and euler, the CPU's backend of spectral (cuFFT is not emulated). */
#include "src/core/solver.h"
extern const fc_solver_ops ns2d_ops_emu, swe_ops_emu, euler_ops_emu;
extern const fc_solver_desc ns2d_solver, swe_solver, euler_solver;
#define GPU_OPS(s)                                                                               \
    ((s) == &ns2d_solver    ? &ns2d_ops_emu                                                      \
     : (s) == &swe_solver   ? &swe_ops_emu                                                       \
     : (s) == &euler_solver ? &euler_ops_emu                                                     \
                            : (s)->cpu)
