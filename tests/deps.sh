#!/bin/sh
# deps.sh: editing a header shared by the CPU and the GPU rebuilds the GPU objects too. The CUDA
# objects are compiled by a rule of our own (nvcc), whose header dependencies come from the .d
# files nvcc writes beside them; once they were missing and a changed swe.h left swe_cuda.o with
# the old physics. Asked of make with -n -W HEADER (what would be rebuilt were HEADER newer),
# which changes no file. Skipped in a build without CUDA.
. "${top_srcdir:-.}/tests/lib.sh"
: "${MAKE:=make}"
[ -f "$top_builddir/solvers/swe/swe_cuda.o" ] || { echo "skip: a build without CUDA"; exit 77; }

# rebuilds HEADER OBJECT: make, told HEADER changed, would compile OBJECT with nvcc.
rebuilds() {
  dep=$(dirname "$2")/$(basename "$2" .o).d
  path=$(tr ' \\' '\n\n' <"$top_builddir/$dep" | grep -m1 "/$1\$\|^$1\$")
  if [ -z "$path" ]; then
    bad "$dep does not list $1"
    return
  fi
  if (cd "$top_builddir" && $MAKE -n -W "$path" "$2" 2>/dev/null) | grep -q -- "-c -o $2 "; then
    ok "a changed $1 rebuilds $2"
  else
    bad "a changed $1 does not rebuild $2"
  fi
}
rebuilds solvers/swe/swe.h solvers/swe/swe_cuda.o
rebuilds src/core/hd.h solvers/swe/swe_cuda.o
rebuilds src/core/hd.h solvers/ns2d/ns2d_cuda.o
rebuilds solvers/common/limiters.h solvers/swe/swe_cuda.o
rebuilds solvers/ns2d/ns2d.h solvers/ns2d/ns2d_cuda.o
rebuilds solvers/spectral/spec.h solvers/spectral/spec_cuda.o
rebuilds ml/mlp_act.h ml/mlp_cuda.o
rebuilds src/core/grid.h solvers/swe/swe_cuda.o
finish
