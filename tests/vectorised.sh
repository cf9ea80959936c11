#!/bin/sh
# vectorised.sh: every loop over cells (or over a row of an MLP layer) that a CPU backend marks
# `#pragma omp simd` vectorises, by the compiler's own report (GCC's -fopt-info-vec). Such a loop
# holds no branch and no call; one slipped in makes it scalar again, 2-4x slower (swe; GELU's
# loop 1.5-2x in training), and nothing else would notice. A loop inlined in several variants
# (swe's update, one per drag, blend and last stage) must vectorise in every one: no variant
# may be reported "couldn't vectorize loop" (an fmax in the last stage's alone once made the
# swe step 27 % slower while the other variants still vectorised; glibc's tanhf kept the MLP's
# tanh activation scalar until mlp_tanhf). The sources are compiled as the build
# compiles them ($COMPILE from make), once more with the report on.
. "${top_srcdir:-.}/tests/lib.sh"

[ -n "${COMPILE:-}" ] || { echo "skip: COMPILE not set (run through make check)"; exit 77; }
case " $COMPILE " in
  *" -fsanitize="*) echo "skip: a sanitizer build instruments every access and vectorises little"; exit 77 ;;
esac
echo 'int main(void) { return 0; }' >"$tmp/probe.c"
# shellcheck disable=SC2086 # COMPILE is a command line
$COMPILE -fopt-info-vec-optimized -c "$tmp/probe.c" -o "$tmp/probe.o" 2>/dev/null ||
  { echo "skip: the compiler gives no vectorisation report (not GCC)"; exit 77; }

for src in solvers/swe/swe_cpu.c solvers/euler/euler_cpu.c solvers/euler/euler.c solvers/ns2d/ns2d_mg_cpu.c \
  solvers/spectral/spec_cpu.c ml/mlp.c ml/dataset.c; do
  # shellcheck disable=SC2086
  # (one report: GCC ignores a second -fopt-info option)
  if ! $COMPILE -fopt-info-vec-all="$tmp/report" -c "$top_srcdir/$src" -o "$tmp/obj.o" \
    2>"$tmp/err"; then
    bad "$src compiles"
    continue
  fi
  loops=$(grep -n '^[[:space:]]*#pragma omp simd' "$top_srcdir/$src" | cut -d: -f1)
  [ -n "$loops" ] || { bad "$src has loops marked omp simd"; continue; }
  for line in $loops; do
    # The report names the loop by a line of its header or first statement, just below.
    # Then every variant at the same line and column: none "couldn't vectorize loop".
    found=no missed=no
    for l in $((line + 1)) $((line + 2)) $((line + 3)); do
      for at in $(grep -o "${src##*/}:$l:[0-9]*: optimized: loop vectorized" "$tmp/report" |
        cut -d: -f2,3 | sort -u); do
        found=yes
        grep -q "${src##*/}:$at: missed: couldn't vectorize loop" "$tmp/report" && missed=yes
      done
    done
    if [ $found = yes ] && [ $missed = no ]; then
      ok "$src:$line vectorised"
    elif [ $found = yes ]; then
      bad "$src:$line is vectorised in some of its inlined variants only"
    else
      : >"$tmp/err"
      bad "$src:$line is not vectorised: $(sed -n "$((line + 1))p" "$top_srcdir/$src" | sed 's/^ *//')"
    fi
  done
done
finish
