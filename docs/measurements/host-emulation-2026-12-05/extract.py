#!/usr/bin/env python3
# extract.py: copies the matrix-free pressure solve of solvers/ns2d/ns2d_cuda.cu (its kernels,
# conjugate gradients' device operations and the hierarchy's upload) into extracted.inc, each
# kernel launch `k<<<grid, block>>>(args)` rewritten as `emu_launch(grid, block, k, args)`, which
# emu.cpp runs thread by thread on the host. Run from the repository root.
import re
import sys

src = open("solvers/ns2d/ns2d_cuda.cu").read()


def section(start, end):
    i = src.index(start)
    return src[i:src.index(end, i)]


parts = [
    section("/* y = dinv x */", "/* x += dinv (b - A x)"),
    section("/* Conjugate gradients' operations on either form's vectors", "/* The CSR form's own: */"),
    section("/* ---- the matrix-free multigrid of ns2d_mg.h, as stencil kernels ---- */",
            "/* ---- the step ---- */"),
    section("/* The device arrays of a level of the matrix-free hierarchy. */",
            "/* Frees what the pressure solve of an upload allocated. */"),
    section("/* A device copy of n bytes of a host array", "/* The pressure solve depends on the solid cells"),
]
code = re.sub(r"(\w+)<<<(.*?)>>>\(", lambda m: "emu_launch(%s, %s, " % (m.group(2), m.group(1)),
              "\n".join(parts), flags=re.S)
open(sys.argv[1] if len(sys.argv) > 1 else "extracted.inc", "w").write(code)
