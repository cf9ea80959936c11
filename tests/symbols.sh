#!/bin/sh
# symbols.sh: the libraries' exported symbols carry the project's prefixes only, and none of them
# is also defined by a shared library the program links (libnetcdf, HDF5, FFTW, OpenBLAS, CUDA,
# ...). A global of ours with a library's name replaces the library's own at link time: that is
# how `ncio_close` once made every classic-format NetCDF input crash.
. "${top_srcdir:-.}/tests/lib.sh"

libs="$top_builddir/libflowcast_core.a $top_builddir/libflowcast_models.a $top_builddir/libflowcast_app.a"
prefixes='fc_ ml_ mlp_ swe_ ns2d_ spec_ euler_ ghia1982_'
command -v nm >/dev/null 2>&1 || { echo "skip: no nm"; exit 77; }

# Strong global definitions (weak ones such as the compiler's DW.ref.__gxx_personality_v0 never
# replace a library's symbol; ASan's __odr_asan.* markers are its own), C++ names demangled to
# the function's name.
nm -g --defined-only $libs 2>/dev/null |
  awk 'NF == 3 && $2 != "V" && $2 != "W" && $3 !~ /^__odr_asan\./ { print $3 }' |
  { command -v c++filt >/dev/null 2>&1 && c++filt || cat; } | sed 's/(.*//' | sort -u >"$tmp/ours"
n=$(wc -l <"$tmp/ours")
[ "$n" -gt 50 ] && ok "the library exports $n symbols" || bad "the library exports $n symbols (nm failed?)"

: >"$tmp/unprefixed"
while read -r sym; do
  hit=no
  for p in $prefixes; do
    case $sym in "$p"*) hit=yes ;; esac
  done
  [ "$hit" = yes ] || echo "$sym" >>"$tmp/unprefixed"
done <"$tmp/ours"
if [ -s "$tmp/unprefixed" ]; then
  bad "symbols without a project prefix ($prefixes): $(tr '\n' ' ' <"$tmp/unprefixed")"
else
  ok "every exported symbol has a project prefix"
fi

# The shared libraries the program loads, and what each of them defines.
checked=0
for so in $(ldd "$fc" 2>/dev/null | awk '/=>/ && $3 ~ /^\// { print $3 }'); do
  nm -D --defined-only "$so" 2>/dev/null | awk 'NF == 3 { print $3 }' | sed 's/@.*//' | sort -u >"$tmp/theirs"
  comm -12 "$tmp/ours" "$tmp/theirs" >"$tmp/clash"
  if [ -s "$tmp/clash" ]; then
    bad "$(basename "$so") also defines: $(tr '\n' ' ' <"$tmp/clash")"
  fi
  checked=$((checked + 1))
done
[ "$checked" -gt 3 ] && ok "no clash with the $checked shared libraries flowcast links" ||
  bad "only $checked shared libraries found by ldd"

# The check itself finds a clash: a symbol libnetcdf defines, as ncio.c once did.
netcdf=$(ldd "$fc" | awk '/libnetcdf/ { print $3 }')
if [ -n "$netcdf" ]; then
  nm -D --defined-only "$netcdf" | awk '{ print $3 }' | grep -qx 'ncio_close' &&
    ok "the clash check would see libnetcdf's ncio_close" ||
    echo "note: this libnetcdf does not export ncio_close"
fi

# cuBLAS is loaded when a GPU model is made (ml/mlp_cuda.cu), not linked: linked, it and
# cuBLASLt (whose static data alone takes 84 MB, written at load) sit in every process.
if ldd "$fc" | grep -q 'libcublas'; then
  bad "flowcast links cuBLAS: $(ldd "$fc" | grep -o 'libcublas[^ ]*' | tr '\n' ' ')"
else
  ok "flowcast does not link cuBLAS or cuBLASLt"
fi
finish
