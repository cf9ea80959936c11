#!/bin/sh
# gpu.sh: `make check-gpu`, everything a short loan of a GPU should run, in one go (about 3
# minutes on one H200, 2026-11-30: check_gpu 15 s, memcheck 6 s, initcheck 4 s, synccheck 5 s,
# racecheck 116 s):
#   1. tests/check_gpu in full: every case on the GPU against the CPU (FC_REQUIRE_GPU=1: no
#      GPU is a failure here, not a skip);
#   2. the same program under compute-sanitizer, each tool in turn (memcheck with leak checking,
#      initcheck, synccheck, racecheck), with FC_GPU_STEPS steps per case (default 2; racecheck
#      1, it is the slowest): the sanitizers look at every kernel and library call, a few steps
#      of each case suffice;
#   3. with GPU_BENCH set, `flowcast bench --device gpu $GPU_BENCH` (FLOWCAST names the program);
#   4. where mpirun runs and the program was built with MPI: swe and euler split over 2 and 3
#      processes on the GPU (sharing it, halos through the host), each output against one
#      process's on the GPU with tests/nc_compare (NC_COMPARE names it), bit for bit;
#   5. one summary line per run.
# Each run stops after GPU_RUN_LIMIT seconds (default 300), so that a hang costs only its share
# of a loan. racecheck: cuSPARSE's csrmv kernel reports write-write hazards of its own (1587 on
# an H200 with CUDA 13.0, none in flowcast's kernels), so its verdict counts the hazards in
# every other kernel, listed per kernel in racecheck-kernels.txt.
# Logs go to GPU_LOG_DIR (default: tests/gpu-logs). GPU_TOOLS narrows the tools; CHECK_GPU names
# the program (default: tests/check_gpu; on a machine that got a packed build, .gpu/bin/check_gpu).
# Exit 1 if any run failed.
set -u
: "${top_builddir:=.}"
bin=${CHECK_GPU:-$top_builddir/tests/check_gpu}
logs=${GPU_LOG_DIR:-$top_builddir/tests/gpu-logs}
tools=${GPU_TOOLS:-memcheck initcheck synccheck racecheck}
limit=${GPU_RUN_LIMIT:-300}
mkdir -p "$logs"
export FC_REQUIRE_GPU=1
summary="$logs/summary.txt"
: >"$summary"
failed=0
# Kernels of the CUDA libraries whose own hazards racecheck reports (see above).
library_races='^cusparse::'

run() { # run NAME COMMAND...: times it, keeps its log, adds a summary line
  name=$1
  shift
  t0=$(date +%s)
  timeout -k 10 "$limit" "$@" >"$logs/$name.log" 2>&1
  rc=$?
  t1=$(date +%s)
  errors=$(grep -Eo 'ERROR SUMMARY: [0-9]+ error' "$logs/$name.log" | tail -1 | grep -Eo '[0-9]+' || true)
  checks=$(grep -Eo '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$logs/$name.log" | tail -1)
  note=""
  if [ "$name" = sanitizer-racecheck ] && [ "$rc" -eq 0 ]; then
    grep -E 'access at ' "$logs/$name.log" |
      sed -E 's/.*access at (void )?([A-Za-z_0-9:]+).*/\2/' | sort | uniq -c >"$logs/racecheck-kernels.txt"
    ours=$(awk -v lib="$library_races" '$2 !~ lib {n += $1} END {print n + 0}' "$logs/racecheck-kernels.txt")
    theirs=$(awk -v lib="$library_races" '$2 ~ lib {n += $1} END {print n + 0}' "$logs/racecheck-kernels.txt")
    note="; hazards in flowcast's kernels: $ours (in cuSPARSE's own: $theirs)"
    [ "$ours" -eq 0 ] || rc=86
  fi
  if [ "$rc" -eq 0 ]; then
    verdict=ok
  elif grep -q 'Device not supported' "$logs/$name.log"; then
    verdict=n/a # the sanitizer cannot use this GPU (seen under gVisor): no verdict on our code
    checks="compute-sanitizer refused the device"
  else
    verdict=FAIL
    failed=$((failed + 1))
  fi
  [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && note="$note; stopped after $limit s (GPU_RUN_LIMIT)"
  printf '%-22s %-4s exit %-3s %4ss  %s%s%s\n' "$name" "$verdict" "$rc" "$((t1 - t0))" \
    "${checks:-no Check summary}" "${errors:+; sanitizer errors: $errors}" "$note" | tee -a "$summary"
}

if ! command -v compute-sanitizer >/dev/null 2>&1 && [ -x /usr/local/cuda/bin/compute-sanitizer ]; then
  PATH="$PATH:/usr/local/cuda/bin"
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >"$logs/gpu.txt" 2>&1 || true
echo "GPU: $(cat "$logs/gpu.txt")" | tee -a "$summary"
run check_gpu "$bin"
grep -E 'after|statistic|^mlp |non-convergence|round trip' "$logs/check_gpu.log" >"$logs/numbers.txt" || true
if command -v compute-sanitizer >/dev/null 2>&1; then
  for tool in $tools; do
    case $tool in
    memcheck) opts="--leak-check full --error-exitcode 86 --print-limit 50" steps=2 ;;
    racecheck) opts="--print-limit 1000000" steps=1 ;; # judged per kernel by run()
    *) opts="--error-exitcode 86 --print-limit 50" steps=2 ;;
    esac
    run "sanitizer-$tool" env FC_GPU_STEPS="${FC_GPU_STEPS:-$steps}" compute-sanitizer \
      --tool "$tool" $opts "$bin"
  done
else
  echo "compute-sanitizer not found: the sanitizer runs were not made" | tee -a "$summary"
  failed=$((failed + 1))
fi
if [ -n "${GPU_BENCH:-}" ]; then
  # shellcheck disable=SC2086 # GPU_BENCH is a list of options
  run bench "${FLOWCAST:-$top_builddir/src/flowcast}" bench --device gpu --no-plots -O \
    -o "$logs/bench" $GPU_BENCH
  grep -E '^\|' "$logs/bench.log" >"$logs/bench-table.md" || true
fi
flowcast=${FLOWCAST:-$top_builddir/src/flowcast}
if command -v mpirun >/dev/null 2>&1 && "$flowcast" info 2>/dev/null | grep -q '^MPI: *yes'; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  compare=${NC_COMPARE:-$top_builddir/tests/nc_compare}
  cases=${top_srcdir:-.}/inputs
  # swe with periodic and wall sides, swe with open sides, euler with walls
  for c in jet:time.t_end=43200 dambreak:time.t_end=0.5 bubble:time.t_end=100; do
    name=${c%%:*}
    case $name in jet) ini=jet ;; dambreak) ini=dambreak_wet ;; *) ini=thermal_bubble ;; esac
    set -- "$cases/$ini.ini" --device gpu -O -q --set "${c#*:}"
    run "mpi-$name-1" "$flowcast" run "$@" -o "$logs/mpi-$name-1.nc"
    for np in 2 3; do
      run "mpi-$name-$np" mpirun --oversubscribe -np "$np" "$flowcast" run "$@" \
        -o "$logs/mpi-$name-$np.nc"
      run "mpi-$name-$np-bits" "$compare" "$logs/mpi-$name-1.nc" "$logs/mpi-$name-$np.nc" 0
    done
  done
else
  echo "mpirun or an MPI build missing: GPU blocks on several processes were not run" | tee -a "$summary"
fi
echo "gpu.sh: $failed run(s) failed; logs in $logs" | tee -a "$summary"
[ "$failed" -eq 0 ]
