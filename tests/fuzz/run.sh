#!/bin/sh
# run.sh DISTDIR SRCDIR BUILDDIR: `make fuzz`. Configures the copy of the sources in DISTDIR
# with clang's libFuzzer, ASan and UBSan (--enable-fuzzers), builds the fuzz targets and runs
# each for FUZZ_SECONDS (default 60) from its seed corpus, as many at once as there are cores.
# The corpus each run grows is kept in BUILDDIR/tests/fuzz/work/TARGET for the next run; an
# input that crashes a target is copied to SRCDIR/tests/fuzz/regressions/TARGET/, which `make
# check` replays from then on: commit it with the fix. Exit 1 if any target crashed.
set -eu
dist=$1 src=$2 build=$3
secs=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-case restart field model data plot manifest body}
command -v clang >/dev/null 2>&1 || { echo "make fuzz: needs clang (Debian: clang libclang-rt-dev)" >&2; exit 1; }
cd "$dist"
echo "fuzz: configuring $dist with clang (--enable-fuzzers)"
./configure -q CC=clang --enable-fuzzers --without-cuda --without-mpi >configure.out 2>&1 || { cat configure.out; exit 1; }
make -s -j"$(nproc 2>/dev/null || echo 2)" $(for t in $targets; do printf 'tests/fuzz/fuzz_%s ' "$t"; done)
export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:max_allocation_size_mb=4096"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$src/tests/lsan.supp:print_suppressions=0"
# One target's run; its exit status in $found.rc.
fuzz_one() {
  t=$1 work="$build/tests/fuzz/work/$1" found="$build/tests/fuzz/work/crashes-$1"
  mkdir -p "$work" "$found"
  rc=0
  ./tests/fuzz/fuzz_"$t" "$work" "$src/tests/fuzz/corpus/$t" -max_total_time="$secs" \
    -timeout=30 -rss_limit_mb=4096 -max_len=65536 -artifact_prefix="$found/" \
    -print_final_stats=1 >"$found.log" 2>&1 || rc=$?
  echo "$rc" >"$found.rc"
}
# Each target runs on one core: as many at once as there are cores (CI: 2 cores, 8 targets).
jobs=$(nproc 2>/dev/null || echo 2)
running=0
for t in $targets; do
  echo "fuzz: $t for $secs s (corpus $build/tests/fuzz/work/$t, seeds $src/tests/fuzz/corpus/$t)"
  fuzz_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait
    running=0
  fi
done
wait
crashed=""
for t in $targets; do
  found="$build/tests/fuzz/work/crashes-$t"
  if [ "$(cat "$found.rc" 2>/dev/null || echo missing)" != 0 ]; then
    crashed="$crashed $t"
    mkdir -p "$src/tests/fuzz/regressions/$t"
    for f in "$found"/*; do
      [ -f "$f" ] && cp "$f" "$src/tests/fuzz/regressions/$t/" && echo "fuzz: $t: kept $f"
    done
    tail -40 "$found.log"
  fi
  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|Done [0-9]+ runs' "$found.log" |
    sed "s/^/fuzz: $t: /" || true
done
if [ -n "$crashed" ]; then
  echo "fuzz: crashes in:$crashed (inputs kept in $src/tests/fuzz/regressions/)" >&2
  exit 1
fi
echo "fuzz: no crash in $targets ($secs s each)"
