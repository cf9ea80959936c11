/*
 * emu.cpp: the fibers behind emu.h's cooperative launches, and the emulated device's globals.
 */
#include "cuda_runtime.h"

thread_local dim3 threadIdx, blockIdx, blockDim, gridDim;
thread_local cudaError_t emu_launch_error = cudaSuccess;

namespace {
enum fiber_state { RUNNING, AT_BLOCK, AT_WARP, DONE };
struct fiber {
    ucontext_t ctx;
    std::vector<char> stack;
    fiber_state state;
    unsigned long long shfl_in, shfl_out;
    int shfl_offset;
};
thread_local std::vector<fiber> fibers;
thread_local ucontext_t scheduler;
thread_local const std::function<void()> *current_body;
thread_local int current = -1; /* the fiber running, -1: none (a plain launch) */

dim3 thread_of(unsigned t)
{
    return dim3(t % blockDim.x, t / blockDim.x % blockDim.y, t / (blockDim.x * blockDim.y));
}

void fiber_main(void)
{
    (*current_body)();
    fibers[current].state = DONE;
    swapcontext(&fibers[current].ctx, &scheduler);
}

void wait_here(fiber_state why)
{
    if (current < 0)
        emu_die("a barrier in a kernel launched without fibers (prepare.py missed it)");
    fibers[current].state = why;
    swapcontext(&fibers[current].ctx, &scheduler);
}
} // namespace

void emu_syncthreads(void) { wait_here(AT_BLOCK); }

unsigned long long emu_shfl_down(unsigned long long bits, int offset)
{
    fibers[current].shfl_in = bits;
    fibers[current].shfl_offset = offset;
    wait_here(AT_WARP);
    return fibers[current].shfl_out;
}

void emu_run_block(const std::function<void()> &body, unsigned n)
{
    const size_t stack_bytes = 256 * 1024;
    if (fibers.size() < n)
        fibers.resize(n);
    current_body = &body;
    for (unsigned t = 0; t < n; t++) {
        fiber &f = fibers[t];
        f.stack.resize(stack_bytes);
        getcontext(&f.ctx);
        f.ctx.uc_stack.ss_sp = f.stack.data();
        f.ctx.uc_stack.ss_size = stack_bytes;
        f.ctx.uc_link = nullptr;
        makecontext(&f.ctx, fiber_main, 0);
        f.state = RUNNING;
    }
    for (unsigned left = n; left > 0;) {
        for (unsigned t = 0; t < n; t++)
            if (fibers[t].state == RUNNING) {
                current = (int)t;
                threadIdx = thread_of(t);
                swapcontext(&scheduler, &fibers[t].ctx);
                current = -1;
                if (fibers[t].state == DONE)
                    left--;
            }
        if (!left)
            break;
        /* Every thread still running waits: open the warps' shuffles, else the block's barrier. */
        bool opened = false;
        for (unsigned w = 0; w * 32 < n; w++) {
            const unsigned lo = w * 32, hi = lo + 32 < n ? lo + 32 : n;
            unsigned at_warp = 0, waiting = 0;
            for (unsigned t = lo; t < hi; t++) {
                at_warp += fibers[t].state == AT_WARP;
                waiting += fibers[t].state != DONE;
            }
            if (!at_warp)
                continue;
            if (at_warp != waiting)
                emu_die("a warp shuffle that some running lanes of the warp never reach");
            for (unsigned t = lo; t < hi; t++) {
                if (fibers[t].state != AT_WARP)
                    continue;
                const unsigned src = t + (unsigned)fibers[t].shfl_offset;
                fibers[t].shfl_out = (t - lo) + fibers[t].shfl_offset < 32 && src < hi &&
                                             fibers[src].state == AT_WARP
                                         ? fibers[src].shfl_in
                                         : fibers[t].shfl_in;
            }
            for (unsigned t = lo; t < hi; t++)
                if (fibers[t].state == AT_WARP)
                    fibers[t].state = RUNNING;
            opened = true;
        }
        if (opened)
            continue;
        for (unsigned t = 0; t < n; t++)
            if (fibers[t].state == AT_BLOCK)
                fibers[t].state = RUNNING;
    }
}
