#!/bin/sh
# build.sh OUT_DIR: check_gpu with the CUDA backends of ns2d, swe and euler emulated on the host
# (README.md), under AddressSanitizer and UBSan, from a configured and built tree (run from its
# root after `make src/flowcast tests/check_gpu_harness`).
set -eu
out=${1:-/tmp/emu}
D=$(dirname "$0")
mkdir -p "$out"
# EMU_SANITIZE=0: without AddressSanitizer and UBSan, at -O2 (about ten times faster).
if [ "${EMU_SANITIZE:-1}" = 0 ]; then
  san="-O2"
else
  san="-fsanitize=address,undefined -fno-omit-frame-pointer"
fi
for s in ns2d swe euler; do
  python3 "$D/prepare.py" solvers/$s/${s}_cuda.cu "$out/${s}_cuda_emu.cpp" $s
  g++ -std=c++17 -O1 -g $san -DHAVE_CONFIG_H -I"$D/include" -I. -c -o "$out/${s}_cuda_emu.o" \
    "$out/${s}_cuda_emu.cpp"
done
g++ -std=c++17 -O1 -g $san -I"$D/include" -c -o "$out/emu.o" "$D/emu.cpp"
g++ -std=c++17 -O1 -g $san -DHAVE_CONFIG_H -I. -c -o "$out/emu_backend.o" "$D/emu_backend.cpp"
gcc -std=c11 -O1 -g $san -fopenmp -pthread -DHAVE_CONFIG_H -DFC_GPU_HARNESS_ON_CPU \
  -include fc_build.h -include "$D/emu_ops.h" -I. $(sed -n -E 's/^NETCDF_CFLAGS = //p' Makefile) \
  -c -o "$out/check_gpu.o" tests/check_gpu.c
libs=$(sed -n -E 's/^(NETCDF|CAIRO|GIF|INIH|FFTW|OPENBLAS|CUDA|CHECK)_LIBS = //p' Makefile | tr '\n' ' ')
g++ $san -fopenmp -o "$out/check_gpu_emu" "$out/check_gpu.o" tests/check_gpu_harness-testlib.o \
  "$out/ns2d_cuda_emu.o" "$out/swe_cuda_emu.o" "$out/euler_cuda_emu.o" "$out/emu.o" \
  "$out/emu_backend.o" libflowcast_app.a libflowcast_models.a libflowcast_core.a $libs -lm
echo "build.sh: $out/check_gpu_emu"
