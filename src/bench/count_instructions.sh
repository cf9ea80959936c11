#!/bin/sh
# count_instructions.sh: instructions a CPU step of each solver's benchmark case executes per
# cell, counted by valgrind's callgrind (`make count-instructions`; SOLVERS, SIZE). A count does
# not depend on the machine's load, so it shows how lean the CPU side is where wall times are
# noisy, and compares builds and machines exactly. Only the backend's step function and what it
# calls are counted (callgrind --toggle-collect=<prefix>_step_cpu): no set-up, no I/O. The cases
# are `flowcast bench`'s, on one thread, at SIZE x SIZE.
# Valgrind emulates no AVX-512: where the build has vector clones (FC_VECTOR_CLONES) it runs the
# AVX2 one, so on an AVX-512 machine the native run executes fewer instructions than counted.
set -u
: "${top_builddir:=.}" "${SOLVERS:=swe ns2d spectral euler}" "${SIZE:=128}"
fc="$top_builddir/src/flowcast"
command -v valgrind >/dev/null 2>&1 || { echo "count-instructions: skipped: no valgrind (Debian: apt-get install valgrind)"; exit 0; }
[ -x "$fc" ] || { echo "count-instructions: $fc not built" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowcast-count-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "$(uname -m), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), $(date -u +%Y-%m-%dT%H:%MZ)"
"$fc" info | grep "^CPU code:"
echo "(under valgrind, which emulates no AVX-512, vectorised loops run their x86-64-v3 clone)"
echo
echo "| solver | grid | steps counted | instructions per cell-step |"
echo "|---|---|---|---|"
for solver in $SOLVERS; do
  case $solver in spectral) fn=spec_step_cpu ;; *) fn=${solver}_step_cpu ;; esac
  # OMP_PROC_BIND set: bench does not run itself again (valgrind would not follow it).
  if ! OMP_PROC_BIND=false valgrind --tool=callgrind --toggle-collect="$fn" \
    --callgrind-out-file="$tmp/cg.out" "$fc" bench "$solver" --sizes "$SIZE" --threads 1 \
    --device cpu --repeat 1 --warmup 1 --min-seconds 0.001 --no-plots -o "$tmp/bench" -O \
    >"$tmp/log" 2>&1; then
    echo "count-instructions: $solver failed:" >&2
    tail -5 "$tmp/log" >&2
    exit 1
  fi
  # Instructions collected: the step calls, callees included. Calls: the calls= line after
  # every call site of the step function ("cfn=(ID)", its ID from its first mention).
  total=$(sed -n 's/^summary: *//p' "$tmp/cg.out")
  id=$(sed -n "s/^c\{0,1\}fn=(\([0-9]*\)) $fn\$/\1/p" "$tmp/cg.out" | head -1)
  calls=$(awk -v site="cfn=($id)" 'index($0, site) == 1 { want = 1; next }
    want && sub(/^calls=/, "") { n += $1 } { want = 0 } END { print n + 0 }' "$tmp/cg.out")
  if [ -z "$id" ] || [ "$calls" -eq 0 ] || [ -z "$total" ]; then
    echo "count-instructions: no calls of $fn were counted for $solver" >&2
    exit 1
  fi
  echo "| $solver | $SIZE x $SIZE | $calls | $(awk -v t="$total" -v c="$calls" -v n="$SIZE" 'BEGIN { printf "%.0f", t / (c * n * n) }') |"
done
