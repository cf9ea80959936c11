# FC_CUDA: the optional CUDA backend.
#   --with-cuda[=auto|DIR|no]  auto (default): use the toolkit when nvcc, cudart, cuBLAS, cuFFT and
#                              cuSPARSE are found and a test kernel compiles; yes or DIR: the same,
#                              but a failure is an error; no: CPU only.
#   --with-cuda-arch="80 90"   compute capabilities to emit device code for (PTX of the last too).
# Sets NVCC, NVCC_ARCHFLAGS, CUDA_CPPFLAGS, CUDA_LIBS, the HAVE_CUDA conditional and FC_HAVE_CUDA.
AC_DEFUN([FC_CUDA], [
AC_ARG_WITH([cuda],
  [AS_HELP_STRING([--with-cuda@<:@=auto|DIR|no@:>@],
    [build the GPU backend with the CUDA toolkit found on PATH, in /usr/local/cuda or in DIR
     (default: auto, used when complete)])],
  [], [with_cuda=auto])
AC_ARG_WITH([cuda-arch],
  [AS_HELP_STRING([--with-cuda-arch="80 90"], [compute capabilities to build device code for])],
  [], [with_cuda_arch="80 90"])
AC_ARG_VAR([NVCC], [the CUDA compiler])
AC_ARG_VAR([NVCCFLAGS], [flags for the CUDA compiler (default: -O3)])

fc_have_cuda=no
fc_cuda_why=""
fc_cuda_home=""
AS_CASE([$with_cuda],
  [no], [fc_cuda_why="disabled (--without-cuda)"],
  [auto|yes], [
    AS_IF([test "x$NVCC" = x], [AC_PATH_PROG([NVCC], [nvcc], [], [$PATH$PATH_SEPARATOR/usr/local/cuda/bin])])
    AS_IF([test "x$NVCC" != x], [fc_cuda_home=`dirname "$NVCC"`; fc_cuda_home=`dirname "$fc_cuda_home"`])],
  [
    fc_cuda_home=$with_cuda
    AS_IF([test "x$NVCC" = x], [NVCC="$with_cuda/bin/nvcc"])])

AS_IF([test "x$with_cuda" != xno], [
  AS_IF([test "x$NVCC" = x || test ! -x "$NVCC"], [fc_cuda_why="nvcc not found"], [
    fc_cuda_libdir=""
    for d in "$fc_cuda_home/lib64" "$fc_cuda_home/targets/x86_64-linux/lib" "$fc_cuda_home/lib"; do
      AS_IF([test -z "$fc_cuda_libdir" && test -e "$d/libcudart.so"], [fc_cuda_libdir=$d])
    done
    CUDA_CPPFLAGS="-I$fc_cuda_home/include"
    CUDA_LIBS="-L$fc_cuda_libdir -Wl,-rpath,$fc_cuda_libdir -lcusparse -lcufft -lcudart -ldl -lstdc++"
    fc_save_CPPFLAGS=$CPPFLAGS; fc_save_LIBS=$LIBS; fc_save_LDFLAGS=$LDFLAGS
    CPPFLAGS="$CUDA_CPPFLAGS $CPPFLAGS"; LDFLAGS="-L$fc_cuda_libdir $LDFLAGS"
    AC_CHECK_HEADER([cuda_runtime_api.h], [], [fc_cuda_why="cuda_runtime_api.h not found"])
    for fc_lib in cudart:cudaGetDeviceCount cublas:cublasCreate_v2 cufft:cufftPlan2d cusparse:cusparseCreate; do
      fc_name=${fc_lib%%:*}; fc_func=${fc_lib##*:}
      AS_IF([test -z "$fc_cuda_why"],
        [AC_CHECK_LIB([$fc_name], [$fc_func], [:], [fc_cuda_why="lib$fc_name not usable"])])
    done
    CPPFLAGS=$fc_save_CPPFLAGS; LIBS=$fc_save_LIBS; LDFLAGS=$fc_save_LDFLAGS

    NVCC_ARCHFLAGS=""
    fc_last_arch=""
    for a in $with_cuda_arch; do
      NVCC_ARCHFLAGS="$NVCC_ARCHFLAGS -gencode=arch=compute_$a,code=sm_$a"
      fc_last_arch=$a
    done
    AS_IF([test -n "$fc_last_arch"],
      [NVCC_ARCHFLAGS="$NVCC_ARCHFLAGS -gencode=arch=compute_$fc_last_arch,code=compute_$fc_last_arch"],
      [fc_cuda_why="--with-cuda-arch is empty"])
    AS_IF([test -z "$fc_cuda_why"], [
      AC_MSG_CHECKING([whether nvcc compiles a test kernel for compute capabilities $with_cuda_arch])
      cat > conftest.cu <<'CUEOF'
__global__ void fc_conftest_kernel(double *x, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) x@<:@i@:>@ *= 2.0; }
int main(void) { double *x = 0; fc_conftest_kernel<<<1, 32>>>(x, 0); return 0; }
CUEOF
      AS_IF([$NVCC $NVCC_ARCHFLAGS -c conftest.cu -o conftest.$OBJEXT >&AS_MESSAGE_LOG_FD 2>&1],
        [AC_MSG_RESULT([yes])], [AC_MSG_RESULT([no]); fc_cuda_why="nvcc cannot compile for arch '$with_cuda_arch' (see config.log)"])
      rm -f conftest.cu conftest.$OBJEXT])
    AS_IF([test -z "$fc_cuda_why"], [fc_have_cuda=yes])
  ])
  AS_IF([test $fc_have_cuda = no && test "x$with_cuda" != xauto],
        [AC_MSG_ERROR([--with-cuda=$with_cuda was requested but CUDA is not usable: $fc_cuda_why])])
])

AS_IF([test $fc_have_cuda = yes], [
  AC_DEFINE([FC_HAVE_CUDA], [1], [Define to 1 when the CUDA backend is built.])
  AC_DEFINE_UNQUOTED([FC_CUDA_ARCHS], ["$with_cuda_arch"], [Compute capabilities the device code is built for.])
  : ${NVCCFLAGS="-O3"}
  fc_cuda_summary="yes ($NVCC, sm $with_cuda_arch)"
], [
  CUDA_CPPFLAGS=""; CUDA_LIBS=""; NVCC_ARCHFLAGS=""
  fc_cuda_summary="no: $fc_cuda_why"
])
AC_DEFINE_UNQUOTED([FC_CUDA_WHY_NOT], ["$fc_cuda_why"], [Why the CUDA backend is not built (empty when it is).])
AC_SUBST([NVCC_ARCHFLAGS])
AC_SUBST([CUDA_CPPFLAGS])
AC_SUBST([CUDA_LIBS])
AM_CONDITIONAL([HAVE_CUDA], [test $fc_have_cuda = yes])
])
