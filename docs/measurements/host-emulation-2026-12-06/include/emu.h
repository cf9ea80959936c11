/*
 * emu.h: kernels on the host (README.md). prepare.py rewrites each launch k<<<grid, block>>>(args)
 * as emu_launch(grid, block, k, args) for a kernel whose threads never wait for each other, and
 * as emu_launch_coop for one that calls __syncthreads, a warp shuffle or fc_block_max_atomic:
 * there every CUDA thread of a block is a fiber (ucontext) that runs until it waits at a
 * barrier, and a barrier opens when every thread still running has reached it (a warp's 32 for
 * a shuffle, which then hands each lane its neighbour's value). Blocks run one after another on
 * a host thread, so `__shared__` is a function-static, thread-local array. A __syncthreads in a kernel launched the plain way
 * aborts, as does a barrier some threads never reach (a deadlock on a device).
 */
#ifndef EMU_H
#define EMU_H

#include <functional>
#include <ucontext.h>
#include <vector>

/* Per host thread: check_gpu steps the blocks of a split grid on threads of their own. */
extern thread_local dim3 threadIdx, blockIdx, blockDim, gridDim;

static inline void emu_die(const char *what)
{
    fprintf(stderr, "emu: %s (block %u,%u thread %u,%u)\n", what, blockIdx.x, blockIdx.y,
            threadIdx.x, threadIdx.y);
    abort();
}

/* Launch limits of a device: at most 1024 threads a block, 65535 blocks along y and z. */
static inline bool emu_bad_config(dim3 g, dim3 b)
{
    const unsigned long long t = (unsigned long long)b.x * b.y * b.z;
    return t == 0 || t > 1024 || b.z > 64 || g.x == 0 || g.y == 0 || g.z == 0 || g.y > 65535 ||
           g.z > 65535;
}

/* A launch's blocks in order, each run by run_block (blockIdx set), after the device's checks
 * of its configuration. */
template <class B> void emu_blocks(dim3 g, dim3 b, B run_block)
{
    if (emu_bad_config(g, b)) {
        emu_launch_error = cudaErrorInvalidConfiguration;
        return;
    }
    gridDim = g;
    blockDim = b;
    for (unsigned bz = 0; bz < g.z; bz++)
        for (unsigned by = 0; by < g.y; by++)
            for (unsigned bx = 0; bx < g.x; bx++) {
                blockIdx = dim3(bx, by, bz);
                run_block();
            }
}

/* A kernel whose threads never wait for each other: thread after thread. */
template <class F, class... A> void emu_launch(dim3 g, dim3 b, F f, A... a)
{
    emu_blocks(g, b, [&]() {
        for (unsigned tz = 0; tz < b.z; tz++)
            for (unsigned ty = 0; ty < b.y; ty++)
                for (unsigned tx = 0; tx < b.x; tx++) {
                    threadIdx = dim3(tx, ty, tz);
                    f(a...);
                }
    });
}

void emu_run_block(const std::function<void()> &body, unsigned nthreads);

/* A kernel that waits at barriers: each block's threads as fibers (emu.cpp). */
template <class F, class... A> void emu_launch_coop(dim3 g, dim3 b, F f, A... a)
{
    const std::function<void()> body = [&]() { f(a...); };
    emu_blocks(g, b, [&]() { emu_run_block(body, b.x * b.y * b.z); });
}

/* The barriers (emu.cpp): a block's, and a warp's shuffle of 8 bytes. */
void emu_syncthreads(void);
unsigned long long emu_shfl_down(unsigned long long bits, int offset);

static inline void __syncthreads(void) { emu_syncthreads(); }
template <class T> static inline T __shfl_down_sync(unsigned, T v, int offset)
{
    unsigned long long bits = 0;
    memcpy(&bits, &v, sizeof v);
    bits = emu_shfl_down(bits, offset);
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* Atomics: one host thread runs every CUDA thread, so plain read-modify-writes. */
template <class T> static inline T atomicAdd(T *p, T v) { T old = *p; *p = old + v; return old; }
template <class T> static inline T atomicMax(T *p, T v) { T old = *p; *p = v > old ? v : old; return old; }
template <class T> static inline T atomicMin(T *p, T v) { T old = *p; *p = v < old ? v : old; return old; }
template <class T> static inline T atomicExch(T *p, T v) { T old = *p; *p = v; return old; }
static inline long long __double_as_longlong(double d) { long long l; memcpy(&l, &d, sizeof l); return l; }
static inline double __longlong_as_double(long long l) { double d; memcpy(&d, &l, sizeof d); return d; }
#endif
