#!/bin/sh
# gpu.sh: `make check-gpu`, everything a short loan of a GPU should run, in one go (about 4
# minutes on one H200, 2026-12-04: check_gpu 14 s, memcheck 6 s, initcheck 6 s, synccheck 5 s,
# racecheck more than 150 s, the command-line runs 15 s, the processes 20 s):
#   1. tests/check_gpu in full: every case on the GPU against the CPU (FC_REQUIRE_GPU=1: no
#      GPU is a failure here, not a skip);
#   2. the same program under compute-sanitizer, each tool in turn (memcheck with leak checking,
#      initcheck, synccheck, racecheck), with FC_GPU_STEPS steps per case (default 2; racecheck
#      1, it is the slowest): the sanitizers look at every kernel and library call, a few steps
#      of each case suffice;
#   3. unless GPU_CLI=0, the command-line paths check_gpu does not reach, GPU against CPU on
#      the same input with tests/nc_compare: initial states read from files onto other grids
#      (every solver), restarts with --regrid (swe, spectral), and surrogates (plain and flux
#      form with --unroll) trained on each device (losses epoch by epoch within 1e-3) and rolled
#      out on each (one step within 1e-5; six timed); GPU_CLI_DEVICE=cpu tries it without a GPU;
#   4. with GPU_BENCH set, `flowcast bench --device gpu $GPU_BENCH` (FLOWCAST names the program);
#      with GPU_NS2D_FORMS set to a list of sizes, ns2d's bench on those grids with the GPU's
#      pressure solve as CSR matrices, then matrix-free (FC_NS2D_GPU_PRESSURE=stencil), then
#      CSR again, so that a drift of the machine shows;
#   5. unless GPU_PROFILE=0, `flowcast profile` of the 2D-2 cylinder, immersed, at 40 cells per
#      diameter: ns2d's pressure solves, explicit updates and immersed forcing on the GPU (each
#      pressure form) and on the host's CPU, their shares of a step;
#   6. where mpirun runs and the program was built with MPI: swe and euler split over 2 and 3
#      processes on the GPU (sharing it, halos through the host), each output against one
#      process's on the GPU with tests/nc_compare (NC_COMPARE names it), bit for bit;
#   7. one summary line per run.
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
  if [ "$(command -v "$1")" = "$1" ] && ! [ -x "$1" ]; then # a function of this script
    "$@" >"$logs/$name.log" 2>&1
  else
    timeout -k 10 "$limit" "$@" >"$logs/$name.log" 2>&1
  fi
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
flowcast=${FLOWCAST:-$top_builddir/src/flowcast}
compare=${NC_COMPARE:-$top_builddir/tests/nc_compare}
if [ "${GPU_CLI:-1}" = 1 ]; then
  # The command-line paths that check_gpu does not reach, each on the GPU against the CPU on
  # the same input: initial states read from a file onto another grid (every solver), a restart
  # onto a finer grid (--regrid), and a surrogate trained and rolled out on the GPU (plain and
  # flux-form, with an unrolled loss). Sources are short CPU runs made here.
  w="$logs/cli"
  mkdir -p "$w"
  dev=${GPU_CLI_DEVICE:-gpu} # cpu: tries this section on a machine without a GPU
  src() { # src NAME CASE KEY=VALUE...: a short CPU run, the source of the next runs
    n=$1 c=$2
    shift 2
    for kv; do set -- "$@" --set "$kv"; shift; done
    run "cli-source-$n" "$flowcast" run "$c" --device cpu -q -O "$@" -o "$w/$n-source.nc"
  }
  both() { # both NAME TOL ARGS...: `flowcast run ARGS` on the CPU and the GPU, compared
    n=$1 tol=$2
    shift 2
    run "cli-$n-cpu" "$flowcast" run "$@" --device cpu -q -O -o "$w/$n-cpu.nc"
    run "cli-$n-gpu" "$flowcast" run "$@" --device "$dev" -q -O -o "$w/$n-gpu.nc"
    run "cli-$n-compare" "$compare" "$w/$n-cpu.nc" "$w/$n-gpu.nc" "$tol"
  }
  filecase() { # filecase SOLVER NX NY X0 X1 Y0 Y1 T_END INITIAL-KEYS...: a case file
    f="$w/$1-file.ini"
    printf '[case]\nsolver = %s\n[grid]\nnx = %s\nny = %s\nx_min = %s\nx_max = %s\n' \
      "$1" "$2" "$3" "$4" "$5" >"$f"
    printf 'y_min = %s\ny_max = %s\n[time]\nt_end = %s\n[initial]\ntype = file\n' \
      "$6" "$7" "$8" >>"$f"
    shift 8
    printf '%s\n' "$@" >>"$f"
    case $(head -2 "$f" | tail -1) in
    *swe) printf '[boundary]\nwest = periodic\neast = periodic\n' >>"$f" ;;
    *spectral) printf '[boundary]\nwest = periodic\neast = periodic\nsouth = periodic\nnorth = periodic\n' >>"$f" ;;
    *ns2d) printf '[boundary]\nwest = periodic\neast = periodic\nsouth = periodic\nnorth = periodic\n[physics]\nviscosity = 0.01\n' >>"$f" ;;
    esac
  }
  twopi=6.283185307179586
  src swe jet grid.nx=64 grid.ny=32 time.t_end=21600 output.interval=1800
  src spectral decaying_turbulence grid.nx=64 grid.ny=64 time.t_end=1
  src ns2d taylor_green grid.nx=32 grid.ny=32 time.t_end=1
  src euler thermal_bubble grid.nx=50 grid.ny=25 time.t_end=100
  filecase swe 90 45 0 4.0e6 -1.0e6 1.0e6 3600 "path = $w/swe-source.nc" interpolate=bilinear
  both swe-file 1e-12 "$w/swe-file.ini"
  filecase spectral 96 80 0 $twopi 0 $twopi 0.5 "path = $w/spectral-source.nc" interpolate=fourier
  both spectral-file 1e-10 "$w/spectral-file.ini"
  filecase ns2d 48 40 0 $twopi 0 $twopi 0.5 "path = $w/ns2d-source.nc" interpolate=bilinear
  both ns2d-file 1e-7 "$w/ns2d-file.ini"
  filecase euler 80 40 -10000 10000 0 10000 50 "path = $w/euler-source.nc" interpolate=bilinear
  both euler-file 1e-11 "$w/euler-file.ini"
  both swe-regrid 1e-12 jet --set grid.nx=128 --set grid.ny=64 --set time.t_end=25200 \
    --restart "$w/swe-source.nc" --regrid
  both spectral-regrid 1e-10 decaying_turbulence --set grid.nx=96 --set grid.ny=96 \
    --set time.t_end=1.5 --restart "$w/spectral-source.nc" --regrid
  # Surrogates: trained on either device from the same seed, the GPU's losses epoch by epoch
  # against the CPU's (float arithmetic in another order: 1e-3); the GPU's model rolled out on
  # both devices, one step compared (float features: 1e-5 of each variable's largest value) and
  # six steps timed.
  losses() { sed -n 's/.*train loss \([^,]*\), validation loss \([^,]*\),.*/\1 \2/p' "$1"; }
  same_losses() { # same_losses CPU-LOG GPU-LOG: every epoch's two losses within 1e-3
    losses "$1" >"$w/losses-cpu.txt"
    losses "$2" >"$w/losses-gpu.txt"
    paste "$w/losses-cpu.txt" "$w/losses-gpu.txt" | awk 'function d(a, b) {
        return (a - b < 0 ? b - a : a - b) / (a < 0 ? -a : a) }
      { n++; if (!(d($1, $3) <= 1e-3 && d($2, $4) <= 1e-3)) { print "epoch " n ": " $0; bad = 1 } }
      END { print n " epochs compared"; exit bad || n == 0 }'
  }
  for variant in plain flux; do
    opts=""
    [ $variant = flux ] && opts="--flux --unroll 2"
    for d in cpu "$dev"; do
      # shellcheck disable=SC2086 # opts is a list of options
      run "cli-train-$variant-$d" "$flowcast" train --data "$w/swe-source.nc" --vars h,u,v \
        --static b --epochs 3 --seed 1 --device "$d" $opts -O -o "$w/model-$variant-$d.nc"
    done
    run "cli-train-$variant-losses" same_losses "$logs/cli-train-$variant-cpu.log" \
      "$logs/cli-train-$variant-$dev.log"
    for steps in 1 6; do
      for d in cpu "$dev"; do
        run "cli-rollout-$variant-$steps-$d" "$flowcast" rollout --model \
          "$w/model-$variant-$dev.nc" --init "$w/swe-source.nc" --steps $steps --device "$d" \
          -O -o "$w/rollout-$variant-$steps-$d.nc"
      done
    done
    run "cli-rollout-$variant-compare" "$compare" "$w/rollout-$variant-1-cpu.nc" \
      "$w/rollout-$variant-1-$dev.nc" 1e-5
  done
fi
if [ -n "${GPU_BENCH:-}" ]; then
  # shellcheck disable=SC2086 # GPU_BENCH is a list of options
  run bench "${FLOWCAST:-$top_builddir/src/flowcast}" bench --device gpu --no-plots -O \
    -o "$logs/bench" $GPU_BENCH
  grep -E '^\|' "$logs/bench.log" >"$logs/bench-table.md" || true
fi
if [ -n "${GPU_NS2D_FORMS:-}" ]; then
  for form in csr stencil csr2; do
    run "bench-ns2d-$form" env FC_NS2D_GPU_PRESSURE="${form%2}" \
      "${FLOWCAST:-$top_builddir/src/flowcast}" bench ns2d --device gpu --threads "$(nproc)" --no-plots -O \
      -o "$logs/bench-ns2d-$form" --sizes "$GPU_NS2D_FORMS"
  done
fi
if [ "${GPU_PROFILE:-1}" = 1 ]; then
  set -- "${top_srcdir:-.}/inputs/cylinder.ini" --steps 20 --warmup 2 --set grid.nx=880 \
    --set grid.ny=164 --set obstacle.boundary=immersed
  run profile-ns2d-gpu "$flowcast" profile "$@" --device gpu
  run profile-ns2d-gpu-stencil env FC_NS2D_GPU_PRESSURE=stencil "$flowcast" profile "$@" --device gpu
  run profile-ns2d-cpu "$flowcast" profile "$@" --device cpu --threads "$(nproc)"
fi
if command -v mpirun >/dev/null 2>&1 && "$flowcast" info 2>/dev/null | grep -q '^MPI: *yes'; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  cases=${top_srcdir:-.}/inputs
  # swe with periodic and wall sides, swe with open sides, euler with walls
  for c in jet:time.t_end=43200 dambreak:time.t_end=0.5 bubble:time.t_end=100; do
    split=${c%%:*} # not "name": run() sets that
    case $split in jet) ini=jet ;; dambreak) ini=dambreak_wet ;; *) ini=thermal_bubble ;; esac
    set -- "$cases/$ini.ini" --device gpu -O -q --set "${c#*:}"
    run "mpi-$split-1" "$flowcast" run "$@" -o "$logs/mpi-$split-1.nc"
    for np in 2 3; do
      run "mpi-$split-$np" mpirun --oversubscribe -np "$np" "$flowcast" run "$@" \
        -o "$logs/mpi-$split-$np.nc"
      run "mpi-$split-$np-bits" "$compare" "$logs/mpi-$split-1.nc" "$logs/mpi-$split-$np.nc" 0
    done
  done
  # Blocks stacked in z too (euler's ground and top belong to the outer blocks alone); `set`
  # still holds the bubble's arguments.
  for layout in 1x2 2x2; do
    run "mpi-bubble-$layout" mpirun --oversubscribe -np $((${layout%x*} * ${layout#*x})) \
      "$flowcast" run "$@" --decomp "$layout" -o "$logs/mpi-bubble-$layout.nc"
    run "mpi-bubble-$layout-bits" "$compare" "$logs/mpi-bubble-1.nc" \
      "$logs/mpi-bubble-$layout.nc" 0
  done
else
  echo "mpirun or an MPI build missing: GPU blocks on several processes were not run" | tee -a "$summary"
fi
echo "gpu.sh: $failed run(s) failed; logs in $logs" | tee -a "$summary"
[ "$failed" -eq 0 ]
