#!/bin/sh
# cli.sh: the program as a user meets it: help, every bad-input message (exit 2, output never
# created or changed), a run that fails (exit 1, the good records kept), signals, real cases.
. "${top_srcdir:-.}/tests/lib.sh"
# Whether the build is single precision: a few results differ there (said where they do).
single=0
"$fc" info | grep -q "^precision: *single" && single=1

case_file() { # case_file NAME: a small valid case in $tmp, printed path
  cat >"$tmp/$1.ini" <<INI
[case]
solver = swe
[grid]
nx = 20
ny = 10
x_max = 2
y_max = 1
[time]
t_end = 0.05
[output]
interval = 0.01
[initial]
type = gaussian_bump
depth = 1
amplitude = 0.1
radius = 0.2
center_x = 1
center_y = 0.5
INI
  echo "$tmp/$1.ini"
}
good=$(case_file good)
out="$tmp/out.nc"

expect "help" 0 "usage: flowcast COMMAND" "$fc" --help
expect "version" 0 "flowcast 0." "$fc" --version
expect "run --help" 0 "--restart FILE" "$fc" run --help
# Every help text fits an 80-column terminal.
for c in "" run plot animate cases validate bench ensemble train rollout profile info demo; do
  "$fc" $c --help >"$tmp/err" 2>&1
  if awk 'length > 80 { found = 1 } END { exit !found }' "$tmp/err"; then
    bad "${c:-flowcast} --help is wider than 80 columns"
  else
    ok "${c:-flowcast} --help fits 80 columns"
  fi
done
expect "info" 0 "precision:" "$fc" info
expect "cases lists every key with units and defaults" 0 "depth_right" "$fc" cases
"$fc" cases >"$tmp/cases"
grep -q "cfl .*(0, 1\]" "$tmp/cases" && grep -q "beta .*m-1 s-1" "$tmp/cases" && ok "cases: ranges and units" || bad "cases: ranges and units"
expect "no command" 2 "usage" "$fc"
expect "unknown command" 2 "unknown command 'walk'" "$fc" walk
expect "unknown option" 2 "unknown option '--frobnicate' (see flowcast run --help)" "$fc" run "$good" --frobnicate
expect "misspelt option" 2 "unknown option '--outptu=x.nc' (did you mean '--output'?" "$fc" run "$good" --outptu=x.nc
expect "ambiguous option" 2 "ambiguous option '--o': the start of --output, --overwrite (see flowcast run --help)" "$fc" run "$good" --o x.nc
# A refused option is the only complaint: its value is not then taken for a stray argument.
for c in plot animate train validate; do
  "$fc" $c x.nc --record 2 >/dev/null 2>"$tmp/err"
  [ $? -eq 2 ] && [ "$(grep -c "error" "$tmp/err")" -eq 1 ] && grep -q "unknown option '--record'" "$tmp/err" &&
    ok "$c: one message for an unknown option" || bad "$c: one message for an unknown option: $(cat "$tmp/err")"
done
expect "option without value" 2 "needs a value" "$fc" run "$good" --set
expect "bad thread count" 2 "--threads 0" "$fc" run "$good" --threads 0
expect "a layout of blocks on one process" 2 "--decomp 2x1 needs 2 processes; this run has 1" \
  "$fc" run "$good" --decomp 2x1 -o "$out"
expect "bench --ranks beyond one process" 2 "--ranks up to 2 needs a job of 2 processes" \
  "$fc" bench --ranks 1,2 --quick -o "$tmp/scal"
expect "a --decomp that is not PXxPY" 2 "--decomp '0x2': expected PXxPY" "$fc" run "$good" --decomp 0x2
expect "no case file" 2 "no case file given" "$fc" run
expect "two case files" 2 "one case file expected" "$fc" run "$good" "$good"
absent "usage errors write nothing" "$out"

expect "missing case file" 2 "cannot read case file '$tmp/nope.ini': No such file" "$fc" run "$tmp/nope.ini" -o "$out"
# Ready-made cases by name: from ./inputs in a source folder (the installed copy: installcheck).
fc_abs="$(cd "$top_builddir" && pwd)/src/flowcast"
(cd "$top_srcdir" && "$fc_abs" run jet --set time.t_end=3600 -o "$tmp/named.nc" -q) >"$tmp/err" 2>&1 &&
  [ -f "$tmp/named.nc" ] && ok "run NAME finds a ready-made case" || bad "run NAME finds a ready-made case"
rm -f "$tmp/named.nc"
(cd "$top_srcdir" && "$fc_abs" cases --inputs) >"$tmp/err" 2>&1 && grep -q '^  cylinder  *Flow past' "$tmp/err" &&
  ok "cases --inputs lists the ready-made cases" || bad "cases --inputs lists the ready-made cases"
(cd "$tmp" && "$fc_abs" run nosuchcase -o "$out") >"$tmp/err" 2>&1
[ $? -eq 2 ] && grep -q "no case file 'nosuchcase', nor a ready-made case of that name" "$tmp/err" &&
  ok "an unknown case name" || bad "an unknown case name"
(cd "$top_srcdir" && "$fc_abs" run cavity_re10 -o "$out") >"$tmp/err" 2>&1
[ $? -eq 2 ] && grep -qF "(did you mean 'cavity_re100'? flowcast cases --inputs" "$tmp/err" &&
  ok "a misspelt case name" || bad "a misspelt case name: $(cat "$tmp/err")"
# From any other folder, a program built in the source tree finds the cases of its checkout
# (an out-of-tree build, as make distcheck's, has none beside it and finds the installed ones).
if [ -f "$top_builddir/inputs/jet.ini" ]; then
  (cd "$tmp" && "$fc_abs" run jet --set time.t_end=3600 -o "$tmp/named2.nc" -q) >"$tmp/err" 2>&1 &&
    [ -f "$tmp/named2.nc" ] && ok "run NAME from another folder finds its checkout's case" ||
    bad "run NAME from another folder finds its checkout's case"
  inputs_real="$(cd "$top_builddir/inputs" && pwd -P)"
  (cd "$tmp" && "$fc_abs" cases --inputs) 2>&1 | grep -q "^Ready-made cases in $inputs_real (" &&
    ok "cases --inputs from another folder names its checkout's" ||
    bad "cases --inputs from another folder names its checkout's"
fi
printf '[case]\nsolver = swe\n[grid]\nnx = 0\nny = 8.5\nx_max = nan\ny_max = 1\n[time]\nt_end = 1\ncfl = 0\njunk\n[initial]\ntype = gaussian_bump\ndepth = -2\namplitude = 0\nradius = 1\n[colour]\nred = 1\n' >"$tmp/bad.ini"
"$fc" run "$tmp/bad.ini" -o "$out" >"$tmp/err" 2>&1; rc=$?
n=$(grep -c "^flowcast: error: $tmp/bad.ini:[0-9]*:" "$tmp/err")
[ "$rc" -eq 2 ] && [ "$n" -eq 7 ] && ok "all 7 case-file errors at once, each with file:line (exit 2)" || bad "all case-file errors at once (exit $rc, $n lines)"
for text in "bad.ini:4: [grid] nx = 0: must be in [1, 1048576]" "bad.ini:5: [grid] ny = 8.5: expected an integer" \
    "bad.ini:6: [grid] x_max = nan: must be a finite number" "bad.ini:10: [time] cfl = 0: must be in (0, 1]" \
    "bad.ini:11: malformed line 'junk'" "bad.ini:14: [initial] depth = -2: must be > 0 m" "bad.ini:18: unknown section [colour]"; do
  grep -qF "$text" "$tmp/err" && ok "message: $text" || bad "message: $text"
done
absent "a bad case file writes nothing" "$out"
printf '[case]\nsolver = swe\000\n' >"$tmp/nul.ini"
expect "a binary case file" 2 "case file '$tmp/nul.ini' is not text (it holds a NUL byte)" "$fc" run "$tmp/nul.ini" -o "$out"
expect "bad --set" 2 "--set time.cfl=2: [time] cfl = 2: must be in (0, 1]" "$fc" run "$good" --set time.cfl=2 -o "$out"
expect "ns2d: a Courant number its time stepping cannot hold" 2 "[time] cfl = 0.9: above 0.8, where the incompressible solver's time stepping stops being stable" \
  "$fc" run "$top_srcdir/inputs/cavity_re100.ini" --set time.cfl=0.9 -o "$out"
expect "compression in CDF-5" 2 "[output] deflate = 3: compression needs [output] format = netcdf4 (or auto), not cdf5" \
  "$fc" run "$good" --set output.format=cdf5 --set output.deflate=3 -o "$out"
expect "an unknown output format" 2 "[output] format = hdf5" "$fc" run "$good" --set output.format=hdf5 -o "$out"
expect "grid too large for memory" 2 "[grid] nx = 1048576, ny = 1048576 needs" "$fc" run "$good" --set grid.nx=1048576 --set grid.ny=1048576 -o "$out"
absent "too large writes nothing" "$out"
expect "--device gpu without a GPU" 2 "--device gpu: no GPU can be used" "$fc" run "$good" --device gpu -o "$out"
expect "--device nonsense" 2 "--device must be auto, cpu or gpu, not 'tpu'" "$fc" run "$good" --device tpu -o "$out"
absent "device errors write nothing" "$out"
expect "output folder missing" 2 "cannot create output file '$tmp/no/such/dir/x.nc'" "$fc" run "$good" -o "$tmp/no/such/dir/x.nc"

printf 'not netcdf\n' >"$out"
cksum "$out" >"$tmp/sum"
expect "output exists" 2 "output file '$out' exists; it is left untouched" "$fc" run "$good" -o "$out"
cksum "$out" | cmp -s - "$tmp/sum" && ok "existing output untouched" || bad "existing output untouched"
expect "-O replaces it" 0 "6 records in $out" "$fc" run "$good" -o "$out" -O
"$NCDUMP" -h "$out" >/dev/null 2>&1 && ok "output readable by ncdump" || bad "output readable by ncdump"
# The series of the diagnostics beside the output ([output] series_interval): named in the
# closing line, refused over an existing file without -O (neither file made), not a restart.
expect "a series beside the output" 0 "6 records in $tmp/s.nc and " "$fc" run "$good" --set output.series_interval=1e-9 -o "$tmp/s.nc"
grep -q "samples of the diagnostics in $tmp/s_series.nc" "$tmp/err" && "$NCDUMP" -h "$tmp/s_series.nc" | grep -q 'flowcast_series_of = "'"$tmp/s.nc"'"' && ok "the series file, naming its output" || bad "the series file, naming its output"
expect "an existing series is kept" 2 "series file '$tmp/s_series.nc' exists; it is left untouched" "$fc" run "$good" --set output.series_interval=1e-9 -o "$tmp/s.nc"
rm -f "$tmp/s.nc"
expect "an existing series is kept, the output not made" 2 "left untouched" "$fc" run "$good" --set output.series_interval=1e-9 -o "$tmp/s.nc"
absent "no output beside a kept series" "$tmp/s.nc"
expect "a series is no restart file" 2 "is a series of diagnostics, without the fields" "$fc" run "$good" --restart "$tmp/s_series.nc" -o "$tmp/s2.nc"
# The command line in history is quoted for a shell: a quote takes four bytes there (a title
# of quotes overran its buffer until 6 December 2026; the sanitizer builds run this).
quotes=$(printf "%0300d" 0 | tr 0 "'")
expect "a command line of quotes" 0 "records in" "$fc" run "$good" --set "case.title=x${quotes}y" -o "$tmp/quotes.nc"
"$NCDUMP" -h "$tmp/quotes.nc" | grep history | tr -d '\\' | grep -qF -e "--set 'case.title=x''''" &&
  ok "... and history holds it quoted" || bad "... and history holds it quoted"
expect "a reference time that never was" 2 "[output] reference_time = 2023-02-29: expected a date of the standard calendar" \
  "$fc" run "$good" --set output.reference_time=2023-02-29 -o "$tmp/rt.nc"
"$fc" run "$good" --set output.reference_time=2024-02-29T06:00Z -o "$tmp/rt.nc" --quiet
"$NCDUMP" -h "$tmp/rt.nc" | grep -qF 'time:units = "seconds since 2024-02-29 06:00:00"' &&
  ok "an ISO 8601 reference time is written as CF's units spell it" || bad "ISO 8601 reference time in the units"
"$fc" run "$good" --set "output.reference_time=2024-03-01T01:30:00+02:00" -o "$tmp/rt.nc" -O --quiet
"$NCDUMP" -h "$tmp/rt.nc" | grep -qF 'time:units = "seconds since 2024-02-29 23:30:00"' &&
  ok "a reference time with a zone is written in UTC" || bad "reference time with a zone in the units"

# Restart: wrong grid, wrong file, output = restart file.
expect "restart from another grid" 2 "the grid is 40 x 10" "$fc" run "$good" --set grid.nx=40 --set time.t_end=1 --restart "$out" -o "$tmp/r.nc"
expect "restart file missing" 2 "cannot read restart file '$tmp/none.nc'" "$fc" run "$good" --restart "$tmp/none.nc" -o "$tmp/r.nc"
"$NCGEN" -k nc4 -o "$tmp/initial_state.nc" "$inputs/initial_state.cdl"
expect "restart file that is not flowcast output" 2 "was not written by flowcast run" "$fc" run "$good" --restart "$tmp/initial_state.nc" -o "$tmp/r.nc"
"$NCDUMP" "$out" | sed 's/flowcast_solver = "swe"/flowcast_solver = "ns2d"/' >"$tmp/other.cdl"
"$NCGEN" -k nc4 -o "$tmp/other.nc" "$tmp/other.cdl"
expect "restart file from another solver" 2 "is from solver 'ns2d'; this case uses 'swe'" "$fc" run "$good" --set time.t_end=1 --restart "$tmp/other.nc" -o "$tmp/r.nc"
expect "restart onto itself" 2 "is the restart file" "$fc" run "$good" --set time.t_end=1 --restart "$out" -o "$out" -O
absent "restart errors write nothing" "$tmp/r.nc"
expect "restart continues" 0 "done:" "$fc" run "$good" --set time.t_end=0.08 --restart "$out" -o "$tmp/r.nc"
# A restart takes the case's bottom where the case changed it since the file was written.
expect "swe: a short run to restart from" 0 "records in" "$fc" run "$inputs/lake_bump.ini" --set grid.nx=20 --set grid.ny=20 --set time.t_end=0.05 -o "$tmp/lb.nc"
expect "swe: a restart over a raised bump" 0 "warning: the case's bottom differs from the restart file's in 400 cells: the run goes on over the case's, each wet cell keeping its surface level and velocity" "$fc" run "$inputs/lake_bump.ini" --set grid.nx=20 --set grid.ny=20 --set time.t_end=0.1 --set initial.bump_height=0.4 --restart "$tmp/lb.nc" -o "$tmp/lb2.nc"
# --regrid: onto another grid of the same domain only, with a restart, not for spectral.
expect "restart from another grid: --regrid named" 2 "(the restart file is from another grid: --regrid interpolates it onto this one)" "$fc" run "$good" --set grid.nx=40 --set time.t_end=1 --restart "$out" -o "$tmp/rg.nc"
expect "--regrid without --restart" 2 "--regrid interpolates a restart file: give it with --restart FILE" "$fc" run "$good" --regrid -o "$tmp/rg.nc"
expect "--regrid onto another domain" 2 "this case's grid covers [0, 3] x [0, 1]" "$fc" run "$good" --set grid.x_max=3 --set time.t_end=1 --restart "$out" --regrid -o "$tmp/rg.nc"
expect "a file on 400 x 200 cells to interpolate from" 0 "" "$fc" run "$good" -q --set grid.nx=400 --set grid.ny=200 --set time.t_end=0.001 -o "$tmp/big.nc"
expect "--regrid from a file too large for the memory" 2 "big.nc: variable 'h' is on 400 x 200 cells: too many to interpolate from in this machine's memory" env FLOWCAST_MEMORY_LIMIT=1M "$fc" run "$good" --set time.t_end=1 --restart "$tmp/big.nc" --regrid -o "$tmp/rg.nc"
absent "--regrid errors write nothing" "$tmp/rg.nc"
expect "restart onto a finer grid" 0 "continued from t = 0.05 s of $out (its 20 x 10 cells interpolated), 50 x 25 cells" "$fc" run "$good" --set grid.nx=50 --set grid.ny=25 --set time.t_end=0.08 --restart "$out" --regrid -o "$tmp/rg.nc"
expect "... whose first record is on the finer grid" 0 "h(time, y, x)" "$NCDUMP" -h "$tmp/rg.nc"
expect "... of 50 x 25 cells" 0 "x = 50 ;" "$NCDUMP" -h "$tmp/rg.nc"

# [initial] type = file: good, NaN inside, wrong grid.
cp "$inputs/from_file.ini" "$tmp/from_file.ini"
expect "initial state from a file" 0 "done:" "$fc" run "$tmp/from_file.ini" -o "$tmp/fi.nc"
expect "file on another grid" 2 "variable 'depth' is on 16 points along x (no coordinate 'x'), 8 points along y (no coordinate 'y'); the grid's cell centres are x = 0.470588 .. 15.5294 m (17), y = 0.5 .. 7.5 m (8)" "$fc" run "$tmp/from_file.ini" --set grid.nx=17 -o "$tmp/ff2.nc"
expect "... that has no coordinates to interpolate by" 2 "(without coordinates along both axes it cannot be interpolated)" "$fc" run "$tmp/from_file.ini" --set grid.nx=17 --set initial.interpolate=bilinear -o "$tmp/ff2.nc"
# A run's output (its coordinates are its cell centres) as the initial state of a finer grid,
# and of a domain it does not cover.
ff="$tmp/from_file.ini"
fine="--set initial.path=$tmp/fi.nc --set initial.h_var=h --set initial.u_var=u --set initial.v_var=v --set initial.b_var=b --set grid.nx=40 --set grid.ny=20 --set time.t_end=0.5"
expect "file with coordinates on another grid" 2 "fi.nc: variable 'h' is on x = 0.5 .. 15.5 m (16 points), y = 0.5 .. 7.5 m (8 points); the grid's cell centres are x = 0.2 .. 15.8 m (40), y = 0.2 .. 7.8 m (20)" "$fc" run "$ff" $fine -o "$tmp/ff2.nc"
grep -qxF "flowcast: error: ([initial] interpolate = bilinear interpolates it onto them)" "$tmp/err" && ok "... says how to interpolate it" || bad "... says how to interpolate it"
expect "... interpolated onto it" 0 "done:" "$fc" run "$ff" $fine --set initial.interpolate=bilinear -o "$tmp/ff3.nc"
# A path given with --set is the working folder's, one in the case file the case file's.
mkdir -p "$tmp/sub"
in_sub() { (cd "$tmp/sub" && "$@"); }
rel="--set initial.h_var=h --set initial.u_var=u --set initial.v_var=v --set initial.b_var=b --set grid.nx=40 --set grid.ny=20 --set time.t_end=0.5 --set initial.interpolate=bilinear"
expect "--set path: relative to the working folder" 0 "done:" in_sub "$fc_abs" run "$ff" $rel --set initial.path=../fi.nc -o "$tmp/ff_set.nc"
expect "... not to the case file's folder" 2 "cannot read initial-condition file 'fi.nc'" in_sub "$fc_abs" run "$ff" $rel --set initial.path=fi.nc -o "$tmp/ff_set2.nc"
expect "... whose first record is on the finer grid" 0 "x = 40 ;" "$NCDUMP" -h "$tmp/ff3.nc"
expect "a file that does not cover the domain" 2 "fi.nc: variable 'h' does not cover the grid: its x coordinate 'x' runs from 0.5 to 15.5 m, and the cell centre x = 16.5 m lies more than half a spacing beyond" "$fc" run "$ff" $fine --set grid.x_max=18 --set grid.nx=18 --set initial.interpolate=bilinear -o "$tmp/ff2.nc"
expect "file variable missing" 2 "no variable 'speed'" "$fc" run "$tmp/from_file.ini" --set initial.u_var=speed -o "$tmp/ff2.nc"
expect "no depth variable named" 2 "[initial] h_var must name the depth variable" "$fc" run "$tmp/from_file.ini" --set initial.h_var= -o "$tmp/ff2.nc"
expect "an empty output name" 2 "the output file name is empty" "$fc" run "$tmp/from_file.ini" -o ""
expect "--regrid of a case whose initial file is on the old grid" 2 "(--regrid sets up the case's own initial condition on the new grid too, for what the case fixes, such as a bottom)" "$fc" run "$tmp/from_file.ini" --set grid.nx=32 --set time.t_end=3 --restart "$tmp/fi.nc" --regrid -o "$tmp/ff2.nc"
sed 's/^  1.0, 1.0, 1.0/  NaN, 1.0, 1.0/' "$inputs/initial_state.cdl" | sed '0,/NaN, 1.0/!s/NaN, 1.0/1.0, 1.0/' >"$tmp/nan.cdl"
"$NCGEN" -k nc4 -o "$tmp/initial_state.nc" "$tmp/nan.cdl"
expect "NaN in the initial state" 2 "variable 'depth' holds NaN at cell (i=0, j=0)" "$fc" run "$tmp/from_file.ini" -o "$tmp/ff2.nc"
# CF attributes of a field: its units, its valid range and its packing (scale_factor, add_offset).
cfatt() { # cfatt ATTRIBUTES: the initial state with depth:ATTRIBUTES added
  sed "s/depth:units = \"m\" ;/depth:units = \"m\" ; $1 ;/" "$inputs/initial_state.cdl" >"$tmp/att.cdl"
  "$NCGEN" -k nc4 -o "$tmp/initial_state.nc" "$tmp/att.cdl"
}
sed 's/depth:units = "m"/depth:units = "ft"/' "$inputs/initial_state.cdl" >"$tmp/att.cdl"
"$NCGEN" -k nc4 -o "$tmp/initial_state.nc" "$tmp/att.cdl"
expect "a depth in feet" 2 "initial_state.nc: variable 'depth' is in 'ft'; flowcast reads it in m" "$fc" run "$tmp/from_file.ini" -o "$tmp/ff2.nc"
cfatt 'depth:valid_min = 0.9'
expect "a depth at its valid_min is read (as read: 0.9 in single precision is below 0.9 in double)" 0 "done:" "$fc" run "$tmp/from_file.ini" -o "$tmp/ff_min.nc"
cfatt 'depth:valid_min = 0.95'
expect "a depth below its valid_min" 2 "variable 'depth' holds 0.9, outside its valid range [0.95, inf] at cell (i=8, j=0)" "$fc" run "$tmp/from_file.ini" -o "$tmp/ff2.nc"
cfatt 'depth:valid_range = 1., 0.'
expect "an empty valid_range" 2 "variable 'depth' has an empty valid range [1, 0]" "$fc" run "$tmp/from_file.ini" -o "$tmp/ff2.nc"
cfatt 'depth:scale_factor = "x"'
expect "a scale_factor that is not a number" 2 "attribute 'scale_factor' of variable 'depth' should be 1 number" "$fc" run "$tmp/from_file.ini" -o "$tmp/ff2.nc"
absent "... write nothing" "$tmp/ff2.nc"
cfatt 'depth:scale_factor = 2. ; depth:add_offset = 0.5'
expect "a packed depth is unpacked" 0 "done:" "$fc" run "$tmp/from_file.ini" --set time.t_end=0.5 -o "$tmp/ff4.nc"
expect "... to 2 x 1 + 0.5 (the file's first cell)" 0 "  2.5, 2.5," "$NCDUMP" -v h "$tmp/ff4.nc"
"$NCGEN" -k nc4 -o "$tmp/initial_state.nc" "$inputs/initial_state.cdl"
absent "file errors write nothing" "$tmp/ff2.nc"
cksum "$tmp/initial_state.nc" >"$tmp/sum"
expect "the output is the initial state's file, even with -O" 2 "the output file '$tmp/initial_state.nc' is the case's input [initial] path = initial_state.nc: give another with -o" \
  "$fc" run "$tmp/from_file.ini" -o "$tmp/initial_state.nc" -O
cksum "$tmp/initial_state.nc" | cmp -s - "$tmp/sum" && ok "... and the initial state is untouched" || bad "... and the initial state is untouched"

# A run that blows up (explicit drag far beyond its stability limit): exit 1, good records kept.
expect "unstable run stops" 1 "the run stops" "$fc" run "$inputs/dambreak_wet.ini" --set physics.quadratic_drag=1e12 -o "$tmp/nan.nc"
grep -q "holds every record up to t = " "$tmp/err" && ok "failure names the last good record" || bad "failure names the last good record"
"$NCDUMP" -v time "$tmp/nan.nc" >/dev/null 2>&1 && ok "failed run leaves a readable file" || bad "failed run leaves a readable file"

# SIGTERM and SIGINT finish the record and close the file.
for sig in TERM INT; do
  "$fc" run "$inputs/jet.ini" --set grid.nx=256 --set grid.ny=128 -o "$tmp/sig$sig.nc" >"$tmp/err" 2>&1 &
  pid=$!
  sleep 3
  kill -s $sig $pid
  wait $pid; rc=$?
  if [ $rc -eq 1 ] && grep -q "interrupted at model time" "$tmp/err" && "$NCDUMP" -h "$tmp/sig$sig.nc" >/dev/null 2>&1; then
    ok "SIG$sig: exit 1, file closed and readable"
  else
    bad "SIG$sig (exit $rc)"
  fi
done

# An output that cannot grow (a full disk; here a file-size limit, whose signal is ignored so
# that the write fails): exit 1, the records written before kept whole, and the run continues
# from them.
(trap '' XFSZ; ulimit -f 2000; exec "$fc" run "$inputs/jet.ini" -o "$tmp/full.nc") >"$tmp/err" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "the run stops at t = .*'$tmp/full.nc' holds every record up to t = .*continue with --restart $tmp/full.nc -o NEW.nc" "$tmp/err"; then
  ok "an output that cannot grow: exit 1, what the file holds"
else
  bad "an output that cannot grow (exit $rc): $(cat "$tmp/err")"
fi
expect "... and the run continues from it" 0 "continued from t = " \
  "$fc" run "$inputs/jet.ini" --restart "$tmp/full.nc" -o "$tmp/full2.nc"

# The incompressible solver's cross-key checks and failures.
cat >"$tmp/ns.ini" <<INI
[case]
solver = ns2d
[grid]
nx = 16
ny = 16
x_max = 1
y_max = 1
[time]
t_end = 0.2
[physics]
reynolds = 100
[boundary]
north_wall_speed = 1
[initial]
type = rest
INI
ns="$tmp/ns.ini"
expect "ns2d: viscosity and reynolds" 2 "[physics] reynolds = 100: give viscosity or reynolds, not both" "$fc" run "$ns" --set physics.viscosity=0.01 -o "$tmp/nsbad.nc"
expect "ns2d: no viscosity" 2 "[physics] viscosity = 0: give the viscosity (or [physics] reynolds): both are 0" "$fc" run "$ns" --set physics.reynolds=0 -o "$tmp/nsbad.nc"
expect "ns2d: wall speed on a periodic side" 2 "[boundary] west_wall_speed = 1: the west side is periodic, not a wall" "$fc" run "$ns" --set boundary.west=periodic --set boundary.east=periodic --set boundary.west_wall_speed=1 -o "$tmp/nsbad.nc"
expect "ns2d: inflow without outflow" 2 "[boundary] east = inflow: an inflow needs an open (outflow) side" "$fc" run "$ns" --set boundary.east=inflow -o "$tmp/nsbad.nc"
expect "ns2d: obstacle without size" 2 "[obstacle] size = 0: must be positive for the circle" "$fc" run "$ns" --set obstacle.shape=circle -o "$tmp/nsbad.nc"
expect "ns2d: rectangle without width" 2 "[obstacle] width = 0: must be positive for the rectangle" "$fc" run "$ns" --set obstacle.shape=rectangle --set obstacle.height=0.2 -o "$tmp/nsbad.nc"
expect "ns2d: ellipse without height" 2 "[obstacle] height = 0: must be positive for the ellipse" "$fc" run "$ns" --set obstacle.shape=ellipse --set obstacle.width=0.2 -o "$tmp/nsbad.nc"
expect "ns2d: NACA section not four digits" 2 "[obstacle] naca = 12: '12' is not a NACA 4-digit section" "$fc" run "$ns" --set obstacle.shape=naca --set obstacle.size=0.5 --set obstacle.naca=12 -o "$tmp/nsbad.nc"
expect "ns2d: NACA camber without its position" 2 "'2012' is not a NACA 4-digit section" "$fc" run "$ns" --set obstacle.shape=naca --set obstacle.size=0.5 --set obstacle.naca=2012 -o "$tmp/nsbad.nc"
expect "ns2d: angle of attack out of range" 2 "[obstacle] angle_of_attack = 120" "$fc" run "$ns" --set obstacle.shape=naca --set obstacle.size=0.5 --set obstacle.angle_of_attack=120 -o "$tmp/nsbad.nc"
expect "ns2d: a key the shape does not take (--set)" 2 "--set obstacle.angle_of_attack=5: [obstacle] angle_of_attack = 5: shape = circle does not take this key (its own: size); remove it" "$fc" run "$inputs/cylinder.ini" --set obstacle.angle_of_attack=5 -o "$tmp/nsbad.nc"
sed -e 's/^shape = naca/shape = ellipse\nwidth = 1\nheight = 0.12/' "$inputs/naca0012.ini" > "$tmp/ellipse_aoa.ini"
expect "ns2d: a key the shape does not take (case file)" 2 "[obstacle] angle_of_attack = 5: shape = ellipse does not take this key (its own: width, height, rotation)" "$fc" run "$tmp/ellipse_aoa.ini" -o "$tmp/nsbad.nc"
# naca, size and angle_of_attack refused, in the file's order (naca comes before size there).
refused=$(grep -o 'ellipse_aoa.ini:[0-9]*: \[obstacle\] [a-z_]*' "$tmp/err" | sed 's/.* //' | tr '\n' ' ')
if [ "$refused" = "naca size angle_of_attack " ]; then ok "ns2d: refused keys in the file's order"; else bad "ns2d: refused keys in the order: $refused"; fi
expect "ns2d: a body without a shape" 2 "--set obstacle2.size=0.1: [obstacle2] size = 0.1: the body has no shape: give shape = circle" "$fc" run "$inputs/cylinder.ini" --set obstacle2.size=0.1 -o "$tmp/nsbad.nc"
expect "ns2d: obstacle outside the domain" 2 "[obstacle] center_x = 5: the body (centre x = 5, y = 0 m) covers no cell centre: it lies outside the domain" "$fc" run "$ns" --set obstacle.shape=circle --set obstacle.size=0.2 --set obstacle.center_x=5 -o "$tmp/nsbad.nc"
expect "ns2d: obstacle under a cell" 2 "[obstacle] size = 0.001: covers no cell centre: the body is smaller than a cell" "$fc" run "$ns" --set obstacle.shape=circle --set obstacle.size=0.001 --set obstacle.center_x=0.51 -o "$tmp/nsbad.nc"
expect "ns2d: obstacle over everything" 2 "the obstacles cover the whole domain" "$fc" run "$ns" --set obstacle.shape=square --set obstacle.size=3 --set obstacle.center_x=0.5 --set obstacle.center_y=0.5 -o "$tmp/nsbad.nc"
expect "ns2d: bodies numbered with a gap" 2 "[obstacle3] shape = circle: [obstacle2] has no shape: number the bodies from [obstacle] on" "$fc" run "$ns" --set obstacle.shape=circle --set obstacle.size=0.2 --set obstacle3.shape=circle --set obstacle3.size=0.1 -o "$tmp/nsbad.nc"
expect "ns2d: file shape without a file" 2 "[obstacle2] file = : shape = file needs the NetCDF file" "$fc" run "$ns" --set obstacle.shape=circle --set obstacle.size=0.2 --set obstacle2.shape=file -o "$tmp/nsbad.nc"
expect "ns2d: shape file missing" 2 "obstacle.file=nowhere.nc: [obstacle] file = nowhere.nc: cannot read obstacle file" "$fc" run "$ns" --set obstacle.shape=file --set obstacle.file=nowhere.nc -o "$tmp/nsbad.nc"
"$NCGEN" -k nc4 -o "$tmp/no_body.nc" "$inputs/initial_state.cdl"
expect "ns2d: shape file without the variable" 2 "no variable 'body_distance'" "$fc" run "$ns" --set obstacle.shape=file --set "obstacle.file=$tmp/no_body.nc" -o "$tmp/nsbad.nc"
expect "ns2d: immersed bodies too close" 2 "[obstacle] shape = circle: comes within" "$fc" run "$ns" --set obstacle.boundary=immersed --set obstacle.shape=circle --set obstacle.size=0.2 --set obstacle.center_x=0.3 --set obstacle.center_y=0.5 --set obstacle2.shape=square --set obstacle2.size=0.2 --set obstacle2.center_x=0.7 --set obstacle2.center_y=0.5 -o "$tmp/nsbad.nc"
expect "ns2d: immersed bodies overlap" 2 "[obstacle] shape = circle: overlaps another body" "$fc" run "$ns" --set obstacle.boundary=immersed --set obstacle.shape=circle --set obstacle.size=0.4 --set obstacle.center_x=0.4 --set obstacle.center_y=0.5 --set obstacle2.shape=circle --set obstacle2.size=0.4 --set obstacle2.center_x=0.6 --set obstacle2.center_y=0.5 -o "$tmp/nsbad.nc"
expect "ns2d: taylor_green needs a periodic box" 2 "taylor_green is exact in a doubly periodic box" "$fc" run "$ns" --set initial.type=taylor_green --set initial.amplitude=1 -o "$tmp/nsbad.nc"
# Keys that the case's other keys leave idle are refused, named with where they came from; a file's
# keys for a feature that --set switches off are let be.
tb="$inputs/thermal_bubble.ini"
expect "idle: ns2d inflow speed without an inflow" 2 "--set boundary.inflow_speed=3: [boundary] inflow_speed = 3: has no effect: no side is an inflow; remove it" "$fc" run "$ns" --set boundary.inflow_speed=3 -o "$tmp/nsbad.nc"
expect "idle: ns2d inflow period without an inflow" 2 "--set boundary.inflow_period=2: [boundary] inflow_period = 2: has no effect: no side is an inflow; remove it" "$fc" run "$ns" --set boundary.inflow_period=2 -o "$tmp/nsbad.nc"
expect "ns2d: an oscillating inflow with steady_tol" 2 "cylinder_re20.ini:20: [time] steady_tol = 1e-4: an oscillating inflow ([boundary] inflow_period) never lets the flow settle: run it to t_end (steady_tol = 0)" "$fc" run "$inputs/cylinder_re20.ini" --set boundary.inflow_period=16 -o "$tmp/nsbad.nc"
expect "idle: ns2d immersed without a body" 2 "[obstacle] boundary = immersed: has no effect: there is no body (every [obstacle] shape is none)" "$fc" run "$ns" --set obstacle.boundary=immersed -o "$tmp/nsbad.nc"
expect "idle: ns2d inflow keys left by --set west=wall" 0 "records in" "$fc" run "$inputs/channel.ini" --set boundary.west=wall --set time.t_end=0.01 -o "$tmp/idle_ok.nc"
expect "idle: euler N without a stable background" 2 "[physics] brunt_vaisala = 0.02: has no effect: only background = stable reads it" "$fc" run "$tb" --set physics.brunt_vaisala=0.02 -o "$tmp/nsbad.nc"
expect "idle: euler theta0 of an isothermal background" 2 "[physics] theta0 = 290: has no effect: an isothermal background is set by its temperature" "$fc" run "$inputs/inertia_gravity_waves.ini" --set physics.theta0=290 -o "$tmp/nsbad.nc"
expect "idle: euler temperature left by --set background=stable" 0 "records in" "$fc" run "$inputs/inertia_gravity_waves.ini" --set physics.background=stable --set time.t_end=1 -o "$tmp/idle_ok2.nc"
printf '[physics]\nbrunt_vaisala = 0.02\n' | cat "$tb" - > "$tmp/neutral_n.ini"
expect "idle: euler N in the case file" 2 "neutral_n.ini:$(grep -c '' "$tmp/neutral_n.ini"): [physics] brunt_vaisala = 0.02: has no effect" "$fc" run "$tmp/neutral_n.ini" -o "$tmp/nsbad.nc"
expect "idle: euler sponge rate without a sponge" 2 "[physics] sponge_rate = 0.1: has no effect: there is no sponge" "$fc" run "$tb" --set physics.sponge_rate=0.1 -o "$tmp/nsbad.nc"
expect "idle: euler side sponge between walls" 2 "[physics] sponge_width = 1000: has no effect: the side sponges lie along open sides, and west and east are not open" "$fc" run "$tb" --set physics.sponge_width=1000 -o "$tmp/nsbad.nc"
expect "euler: a slice one cell high" 2 "--set grid.ny=1: [grid] ny = 1: the euler solver's slice needs at least 2 cells in height" "$fc" run "$tb" --set grid.ny=1 --set initial.radius_z=20000 -o "$tmp/nsbad.nc"
expect "euler: a top sponge as deep as the domain" 2 "[physics] sponge_depth = 10000: the top sponge would damp the whole domain (10000 m high)" "$fc" run "$tb" --set physics.sponge_depth=10000 -o "$tmp/nsbad.nc"
expect "euler: side sponges that meet" 2 "[physics] sponge_width = 10000: the side sponges would damp the whole domain (20000 m wide, two sponges): give a width under half of it" "$fc" run "$tb" --set boundary.west=open --set boundary.east=open --set physics.sponge_width=10000 -o "$tmp/nsbad.nc"
expect "euler: a wind between walls" 2 "[physics] wind = 5: a uniform wind would blow into the west wall: make the sides periodic or open" "$fc" run "$tb" --set physics.wind=5 -o "$tmp/nsbad.nc"
# An euler state is a perturbation of the case's background: a restart keeps the background.
expect "euler: a short run to restart from" 0 "records in" "$fc" run "$tb" --set grid.nx=20 --set grid.ny=10 --set time.t_end=20 -o "$tmp/tb_short.nc"
expect "euler: a restart over another background" 2 "restart file '$tmp/tb_short.nc' holds a state over [physics] theta0 = 300; the case has 290: the file's fields are relative to it, so a restart keeps it (start afresh for another)" "$fc" run "$tb" --set grid.nx=20 --set grid.ny=10 --set time.t_end=40 --set physics.theta0=290 --restart "$tmp/tb_short.nc" -o "$tmp/tb_more.nc"
absent "euler: a refused restart writes nothing" "$tmp/tb_more.nc"
expect "euler: a restart over the same background" 0 "continued from t = 20 s" "$fc" run "$tb" --set grid.nx=20 --set grid.ny=10 --set time.t_end=40 --restart "$tmp/tb_short.nc" -o "$tmp/tb_more.nc"
expect "idle: spectral forcing keys without a forcing" 2 "[forcing] seed = 3: has no effect: there is no forcing ([forcing] type = none)" "$fc" run "$inputs/spectral_taylor_green.ini" --set forcing.seed=3 -o "$tmp/nsbad.nc"
expect "idle: spectral tracer diffusivity without a tracer" 2 "[tracer] diffusivity = 1: has no effect: there is no tracer" "$fc" run "$inputs/spectral_taylor_green.ini" --set tracer.diffusivity=1 -o "$tmp/nsbad.nc"
expect "idle: spectral blob radius of bands" 2 "[tracer] blob_radius = 0.3: has no effect: only [tracer] initial = blob reads it" "$fc" run "$inputs/spectral_taylor_green.ini" --set tracer.initial=bands --set tracer.blob_radius=0.3 -o "$tmp/nsbad.nc"
expect "idle: spectral hyperviscosity order without hyperviscosity" 2 "[physics] hyperviscosity_order = 4: has no effect: there is no hyperviscosity" "$fc" run "$inputs/spectral_taylor_green.ini" --set physics.hyperviscosity_order=4 -o "$tmp/nsbad.nc"
expect "idle: swe y0 without beta" 2 "[physics] y0 = 3: has no effect: f = f0 + beta (y - y0) does not depend on y0 without a beta" "$fc" run "$good" --set physics.y0=3 -o "$tmp/nsbad.nc"
expect "idle: swe jet wavenumber without a perturbation" 2 "[initial] wavenumber = 3: has no effect: there is no perturbation ([initial] perturbation = 0)" "$fc" run "$inputs/jet.ini" --set initial.perturbation=0 --set initial.wavenumber=3 -o "$tmp/nsbad.nc"
expect "idle: euler second bubble's radius without its amplitude" 2 "[initial] radius_2 = 300: has no effect: there is no second bubble ([initial] amplitude_2 = 0)" "$fc" run "$tb" --set initial.radius_2=300 -o "$tmp/nsbad.nc"
expect "swe: a dam beyond every cell" 2 "[initial] dam_x = 1e6: every cell centre (-9.975 to 9.975 m) lies on one side of the dam" "$fc" run "$inputs/dambreak_wet.ini" --set initial.dam_x=1e6 -o "$tmp/nsbad.nc"
expect "swe: a dam between equal depths" 2 "[initial] depth_right = 1: the same depth on both sides of the dam" "$fc" run "$inputs/dambreak_wet.ini" --set initial.depth_right=1 -o "$tmp/nsbad.nc"
absent "idle: no output for refused keys" "$tmp/nsbad.nc"
expect "swe: an inflow without its discharge" 2 "[boundary] west = inflow: an inflow side needs the discharge that enters through it: give [boundary] inflow_discharge (m2 s-1, per unit width)" "$fc" run "$good" --set boundary.west=inflow -o "$tmp/nsbad.nc"
expect "swe: a depth held at a subcritical inflow" 2 "[boundary] inflow_depth = 2: a depth is held only at a supercritical inflow, and inflow_discharge = 4.42 over it is subcritical (Froude number 0.499; it must be above 1, the depth below the critical 1.258 m): leave inflow_depth out" "$fc" run "$inputs/channel_bump.ini" --set boundary.inflow_depth=2 -o "$tmp/nsbad.nc"
expect "swe: an inflow depth of nothing" 2 "[boundary] inflow_depth = 0: must be above 0 m" "$fc" run "$inputs/channel_bump.ini" --set boundary.inflow_depth=0 -o "$tmp/nsbad.nc"
expect "idle: swe inflow depth without an inflow" 2 "[boundary] inflow_depth = 0.5: has no effect: no side is an inflow" "$fc" run "$good" --set boundary.inflow_depth=0.5 -o "$tmp/nsbad.nc"
expect "idle: swe discharge without an inflow" 2 "[boundary] inflow_discharge = 2: has no effect: no side is an inflow" "$fc" run "$good" --set boundary.inflow_discharge=2 -o "$tmp/nsbad.nc"
expect "swe: given outside water without its level" 2 "[boundary] outside_water = given: the water outside is given: give its level, [boundary] outside_level (m)" "$fc" run "$inputs/dambreak_wet.ini" --set boundary.outside_water=given -o "$tmp/nsbad.nc"
expect "idle: swe outside level of the initial water" 2 "[boundary] outside_level = 1: has no effect: the water outside is the initial condition's (outside_water = initial)" "$fc" run "$inputs/dambreak_wet.ini" --set boundary.outside_level=1 -o "$tmp/nsbad.nc"
expect "idle: swe outside water without an open side" 2 "[boundary] outside_water = given: has no effect: no side is open" "$fc" run "$good" --set boundary.outside_water=given -o "$tmp/nsbad.nc"
expect "idle: a ridge's centre_y" 2 "[initial] center_y = 1: has no effect: a ridge runs across the whole domain along y" "$fc" run "$inputs/channel_bump.ini" --set initial.center_y=1 -o "$tmp/nsbad.nc"
expect "swe: a parabolic bump beyond the domain" 2 "[initial] center_x = 40: the lake_at_rest, within 2 m of its centre (40, 0) m, lies wholly outside the domain [0, 25] x [0, 1] m" "$fc" run "$inputs/channel_bump.ini" --set initial.center_x=40 -o "$tmp/nsbad.nc"
absent "swe boundary errors write nothing" "$tmp/nsbad.nc"
expect "swe: a discharge over a bump, its mass a budget" 0 "(relative, through the open and inflow sides)" "$fc" run "$inputs/channel_bump.ini" --set time.t_end=20 -o "$tmp/bump.nc"
expect "swe: a supercritical inflow, its depth held" 0 "(relative, through the open and inflow sides)" "$fc" run "$inputs/channel_bump.ini" --set boundary.inflow_discharge=25.0567 --set boundary.inflow_depth=2 --set boundary.outside_level=2 --set boundary.outside_current=12.52835 --set initial.surface=2 --set time.t_end=5 -o "$tmp/super.nc"
expect "swe: a dry channel filled, its mass from none" 0 "mass change 5 m3 (from none, through the open and inflow sides)" "$fc" run "$inputs/channel_bump.ini" --set boundary.inflow_discharge=1 --set boundary.outside_water=initial --set initial.surface=0 --set initial.bump_height=0 --set time.t_end=5 --set grid.x_max=100 -o "$tmp/dry.nc"
expect "euler: no steady stop" 2 "[time] steady_tol = 0.1: solver euler does not stop on steady states" "$fc" run "$tb" --set time.steady_tol=0.1 -o "$tmp/nsbad.nc"
expect "swe: the channel as shipped ends steady" 0 "steady: the state changes by" "$fc" run "$inputs/channel_bump.ini" -o "$tmp/swe_steady.nc"
# In single precision the water past the jump keeps changing by round-off (about 1e-6 per
# second, above its steady_tol): that run goes on to t_end.
for flow in transcritical jump supercritical; do
  if [ $flow = jump ] && [ $single = 1 ]; then ends="done: "; else ends="steady: the state changes by"; fi
  expect "swe: the channel's $flow flow as shipped ends (steady in double)" 0 "$ends" "$fc" run "$inputs/channel_bump_$flow.ini" -o "$tmp/swe_steady_$flow.nc"
done
expect "swe: under minmod too" 0 "steady: the state changes by" "$fc" run "$inputs/channel_bump.ini" --set numerics.limiter=minmod --set grid.nx=100 --set time.steady_tol=1e-6 -o "$tmp/swe_steady_minmod.nc"
expect "ns2d: bad advection scheme" 2 "[numerics] advection = central: must be one of: quick, upwind2" "$fc" run "$ns" --set numerics.advection=central -o "$tmp/nsbad.nc"
absent "ns2d input errors write nothing" "$tmp/nsbad.nc"
expect "ns2d: pressure solver gives up" 1 "the pressure solver did not converge" "$fc" run "$ns" --set numerics.preconditioner=jacobi --set numerics.poisson_max_iterations=2 -o "$tmp/pcg.nc"
"$NCDUMP" -v time "$tmp/pcg.nc" >/dev/null 2>&1 && ok "ns2d: the failed run's file is readable" || bad "ns2d: the failed run's file is readable"
expect "ns2d: a pressure tolerance below round-off is named as such" 1 "the tolerance is below the round-off of these velocities on this grid; raise poisson_tol" \
  "$fc" run "$inputs/cavity_re100.ini" --set boundary.north_wall_speed=1e12 --set physics.reynolds=0 --set physics.viscosity=1e11 \
  --set grid.nx=64 --set grid.ny=64 --set time.t_end=1e-13 --set numerics.poisson_max_iterations=200 -o "$tmp/pcg2.nc"
# A Reynolds number taken at a speed far from the lid's: valid, and said.
expect "ns2d: a lid far from reference_speed is warned of" 0 "warning: [physics] reynolds = 100 is taken at reference_speed = 1 m s-1 (nu = 0.01 m2 s-1), but [boundary] north_wall_speed = 0.0001 m s-1: at that speed the Reynolds number is 0.01; for reynolds = 100 at it, give reference_speed = 0.0001" \
  "$fc" run "$inputs/cavity_re100.ini" --set boundary.north_wall_speed=1e-4 --set time.t_end=1e-2 -o "$tmp/slowlid.nc"
if "$fc" run "$inputs/cavity_re100.ini" --set boundary.north_wall_speed=5 --set time.t_end=1e-2 -o "$tmp/fastlid.nc" -O 2>&1 | grep -q "warning: \[physics\] reynolds"; then
  bad "ns2d: a lid 5 times reference_speed is not warned of"; else ok "ns2d: a lid 5 times reference_speed is not warned of"; fi
# A steady_tol far above the flow's rate of change U max(U/L, nu/L^2): valid, and said; at 1e-2
# of it, not (nor at Re 0.1, whose scale is the diffusive one, 10 times U^2/L).
expect "ns2d: a steady_tol far above a slow lid's rate of change is warned of" 0 "warning: [time] steady_tol = 0.0001 m s-2 is 1e+04 times the flow's rate of change U max(U/L, nu/L^2) = 1e-08 m s-2 (U = 0.0001 m s-1 from [boundary] north_wall_speed, L = 1 m from [physics] reference_length): the run may stop as steady while the flow still develops; the ready-made cases take at most 1e-4 of their scale (here steady_tol = 1e-12)" \
  "$fc" run "$inputs/cavity_re100.ini" --set boundary.north_wall_speed=1e-4 --set physics.reference_speed=1e-4 --set time.t_end=1 -o "$tmp/slowsteady.nc"
for set in "time.steady_tol=0.01" "physics.reynolds=0.1 time.steady_tol=0.1"; do
  if "$fc" run "$inputs/cavity_re100.ini" $(printf -- '--set %s ' $set) --set time.t_end=1e-2 -o "$tmp/steadyok.nc" -O 2>&1 | grep -q "warning: \[time\] steady_tol"; then
    bad "ns2d: no steady_tol warning with $set"; else ok "ns2d: no steady_tol warning with $set"; fi
done
expect "ns2d: a steady_tol over 1e-2 of the rate of change is warned of" 0 "warning: [time] steady_tol = 0.02 m s-2 is 0.02 times the flow's rate of change U max(U/L, nu/L^2) = 1 m s-2" \
  "$fc" run "$inputs/cavity_re100.ini" --set time.steady_tol=0.02 --set time.t_end=1e-2 -o "$tmp/steadyok.nc" -O
# An immersed body whose force probes (3.5 cells out) reach past a wall: valid, and said; not so
# 4 cells from it, nor for a bump whose circle is centred on the wall (its probes point inward).
expect "ns2d: an immersed body within its probes' reach of a wall is warned of" 0 "warning: [obstacle] comes within 2.5 cells of the south side, where its force probes (3.5 cells out) read beyond it: its drag and lift are not to be trusted (docs/ns2d.md); cells of at most 0.00312 m keep 4 cells between them" \
  "$fc" run "$inputs/cylinder_re20.ini" --set grid.nx=440 --set grid.ny=82 --set obstacle.center_y=0.0625 --set time.t_end=1e-3 -o "$tmp/nearwall.nc"
for set in "obstacle.center_y=0.07" "obstacle.center_y=0"; do
  if "$fc" run "$inputs/cylinder_re20.ini" --set grid.nx=440 --set grid.ny=82 --set $set --set time.t_end=1e-3 -o "$tmp/nearwall.nc" -O 2>&1 | grep -q "force probes"; then
    bad "ns2d: no probe warning with $set"; else ok "ns2d: no probe warning with $set"; fi
done
# The force coefficients at the default reference speed and length, 1 m s-1 and 1 m, of a body
# 0.1 m across in an inflow of 0.2 m s-1: said, and not once they are given.
grep -v "^reference_" "$inputs/cylinder_re20.ini" >"$tmp/noref.ini"
expect "ns2d: force coefficients at the default references are warned of" 0 "warning: the force coefficients 2 F / (U^2 L) and the Reynolds number are taken at the default [physics] reference_speed = 1 m s-1 while [boundary] inflow_speed = 0.2 m s-1, and reference_length = 1 m while [obstacle] size = 0.1 m: give [physics] reference_speed and reference_length for the body's own" \
  "$fc" run "$tmp/noref.ini" --set time.t_end=1e-3 -o "$tmp/noref.nc"
if "$fc" run "$tmp/noref.ini" --set physics.reference_speed=0.2 --set physics.reference_length=0.1 --set time.t_end=1e-3 -o "$tmp/noref.nc" -O 2>&1 | grep -q "force coefficients"; then
  bad "ns2d: no reference warning once they are given"; else ok "ns2d: no reference warning once they are given"; fi
# The relative tolerance below round-off: the message names it with the scale it was taken at
# (which stage gives up, and at what scale, is round-off's choice: builds differ).
expect "ns2d: a relative pressure tolerance below round-off is named" 1 " s-1 ([numerics] poisson_rtol = 1e-17 times the flow's largest |u|/dx or |v|/dy, " \
  "$fc" run "$inputs/cavity_re100.ini" --set numerics.poisson_rtol=1e-17 --set numerics.poisson_max_iterations=200 --set time.t_end=0.1 -o "$tmp/pcg3.nc"
expect "ns2d: steady stop" 0 "steady: the state changes by" "$fc" run "$ns" --set time.t_end=100 --set time.steady_tol=1e-2 -o "$tmp/steady.nc"
expect "ns2d: restart from another grid" 2 "variable 'u_face' is 17 x 16 (x by y); on the 20 x 16 grid's faces it is 21 x 16" "$fc" run "$ns" --set grid.nx=20 --set time.t_end=200 --restart "$tmp/steady.nc" -o "$tmp/r2.nc"
expect "ns2d: restart continues" 0 "done:" "$fc" run "$ns" --set time.t_end=200 --restart "$tmp/steady.nc" -o "$tmp/r3.nc"
# The bodies are the case's on a restart too: a body added since is said, and the run goes on with it.
expect "ns2d: restart with a body the file lacked" 0 "warning: the case's bodies differ from the restart file's: they cover 16 of its fluid cells and free 0 of its solid ones; the run goes on with the case's" "$fc" run "$ns" --set time.t_end=200 --set obstacle.shape=square --set obstacle.size=0.25 --set obstacle.center_x=0.5 --set obstacle.center_y=0.5 --restart "$tmp/steady.nc" -o "$tmp/r4.nc"
# The `file` initial condition: another run's cell-centre velocity, interpolated onto a finer grid.
sed -e '/^\[initial\]/,$d' "$ns" >"$tmp/nsfile.ini"
printf '[initial]\ntype = file\npath = steady.nc\n' >>"$tmp/nsfile.ini"
expect "ns2d: a file on another grid" 2 "steady.nc: variable 'u' is on x = " "$fc" run "$tmp/nsfile.ini" --set grid.nx=24 --set grid.ny=24 --set time.t_end=1 -o "$tmp/nsf.nc"
grep -qxF "flowcast: error: ([initial] interpolate = bilinear interpolates it onto them)" "$tmp/err" && ok "... says how to interpolate it" || bad "... says how to interpolate it"
expect "ns2d: a file's velocity interpolated" 0 "done:" "$fc" run "$tmp/nsfile.ini" --set grid.nx=24 --set grid.ny=24 --set time.t_end=1 --set initial.interpolate=bilinear -o "$tmp/nsf.nc"
expect "ns2d: a file with no velocity named" 2 "[initial] u_var and v_var are both empty" "$fc" run "$tmp/nsfile.ini" --set initial.u_var= --set initial.v_var= -o "$tmp/nsf2.nc"
"$NCDUMP" -h "$tmp/steady.nc" | grep -q "u_face(time, y, x_face)" && ok "ns2d: staggered velocities on x_face" || bad "ns2d: staggered velocities on x_face"
expect "ns2d: immersed aerofoil runs" 0 "done:" "$fc" run "$inputs/naca0012.ini" --set time.t_end=0.5 -o "$tmp/naca.nc"
"$NCDUMP" -h "$tmp/naca.nc" | grep -q "body_distance(y, x)" && ok "ns2d: the body's signed distance is written" || bad "ns2d: the body's signed distance is written"
# The last value of a diagnostic in a file.
last_value() {
  "$NCDUMP" -v "$2" "$1" | awk -v v="$2" '$1 == v && $2 == "=" { on = 1 } on { gsub(/[,;}]/, " "); for (i = 1; i <= NF; i++) if ($i ~ /^-?[0-9.e+-]+$/) last = $i } END { print last }'
}
# A run that blows up keeps its last good state as a record, and so in its series, which holds
# every record (a series_interval beyond the run samples the records alone); and an interval too
# short for the model time to count its multiples samples every step.
expect "unstable run with a series stops" 1 "the run stops" "$fc" run "$inputs/dambreak_wet.ini" --set physics.quadratic_drag=1e12 --set output.series_interval=1e9 -o "$tmp/nan_s.nc"
t_rec=$(last_value "$tmp/nan_s.nc" time) t_ser=$(last_value "$tmp/nan_s_series.nc" time)
[ -n "$t_rec" ] && [ "$t_rec" = "$t_ser" ] && ok "... its series ends at the last good record ($t_ser s)" || bad "... its series ends at $t_ser s, the output at $t_rec s"
expect "a series every step" 0 "samples of the diagnostics" "$fc" run "$good" --set output.series_interval=1e-300 -o "$tmp/every.nc"
grep -q "done: \([0-9]*\) steps.* \([0-9]*\) samples" "$tmp/err" && steps=$(sed -n 's/.*done: \([0-9]*\) steps.*/\1/p' "$tmp/err") samples=$(sed -n 's/.* \([0-9]*\) samples of the diagnostics.*/\1/p' "$tmp/err") &&
  [ "$samples" -eq $((steps + 1)) ] && ok "... the first state and each of its $steps steps" || bad "... every step: $(grep done: "$tmp/err")"
# A body too thin for the immersed boundary is refused before anything is written.
expect "ns2d: an immersed body under 1.5 cells thick is refused" 2 "[obstacle] size = 1: the body is 1.43 cells thick at its thickest (0.12 m on cells of 0.0833 m); an immersed body needs 1.5 or more" "$fc" run "$inputs/naca0012.ini" --set grid.nx=96 --set grid.ny=72 -o "$tmp/naca_thin.nc"
absent "ns2d: the thin body's run writes nothing" "$tmp/naca_thin.nc"
# A body across a periodic side would have to appear on the far side too: refused, staircase or not.
expect "ns2d: a body across a periodic side is refused" 2 "[obstacle] center_y = 6.2: the body crosses the periodic north side (it holds the point x = 2.528, y = 6.28319 m)" \
  "$fc" run "$inputs/taylor_green.ini" --set obstacle.shape=circle --set obstacle.center_x=3 --set obstacle.center_y=6.2 --set obstacle.size=1 --set obstacle.boundary=staircase -o "$tmp/tg_body.nc"
absent "ns2d: the body across a periodic side writes nothing" "$tmp/tg_body.nc"
expect "ns2d: an aerofoil far under a cell thick is measured, not missed" 2 "[obstacle] size = 1: the body is 0.0399 cells thick at its thickest (0.12 m on cells of 3 m); an immersed body needs 1.5 or more, or the flow can pass through it between two rows of faces. Use cells of at most 0.0797 m" "$fc" run "$inputs/naca0012.ini" --set grid.nx=3 --set grid.ny=2 -o "$tmp/naca_thin.nc"
expect "ns2d: a thin ellipse is refused on its height" 2 "[obstacle] height = 0.1: the body is 1.2 cells thick at its thickest (0.1 m on cells of 0.0833 m)" "$fc" run "$inputs/naca0012.ini" --set grid.nx=96 --set grid.ny=72 --set obstacle.shape=ellipse --set obstacle.width=1 --set obstacle.height=0.1 -o "$tmp/naca_thin.nc"
expect "ns2d: the same body as a staircase runs" 0 "done:" "$fc" run "$inputs/naca0012.ini" --set grid.nx=96 --set grid.ny=72 --set time.t_end=0.2 --set obstacle.boundary=staircase -o "$tmp/naca_stair.nc"
lift=$(last_value "$tmp/naca.nc" lift_coefficient)
awk -v l="$lift" 'BEGIN { exit !(l > 0.1) }' && ok "ns2d: the aerofoil at 5 degrees lifts ($lift)" || bad "ns2d: the aerofoil at 5 degrees lifts ($lift)"
# At 0 degrees with the chord along cell centres and the nose a tenth of a cell behind a u face,
# the cell ahead of the nose couples its pressure through one face (the forcing holds the other
# three). While the forcing read the stage's own explicit update, that cell's pressure ran away
# (-2.8 at t = 0.25 s where the stagnation pressure is +0.5) and the run blew up at t = 0.48 s.
expect "ns2d: an aerofoil's nose just behind a face runs" 0 "done:" "$fc" run "$inputs/naca0012.ini" --set obstacle.angle_of_attack=0 --set grid.x_max=4 --set grid.y_max=3 --set grid.nx=128 --set grid.ny=96 --set obstacle.center_x=1.503125 --set obstacle.center_y=1.515625 --set time.t_end=1 -o "$tmp/naca_nose.nc"
dp=$(last_value "$tmp/naca_nose.nc" pressure_difference); lift0=$(last_value "$tmp/naca_nose.nc" lift_coefficient)
awk -v p="$dp" -v l="$lift0" 'BEGIN { exit !(p > 0.4 && p < 0.8 && l < 1e-3 && l > -1e-3) }' && ok "ns2d: the nose case's front-to-back pressure difference is near the stagnation pressure ($dp), its lift near 0 ($lift0)" || bad "ns2d: the nose case's front-to-back pressure difference is near the stagnation pressure ($dp), its lift near 0 ($lift0)"
# The same aerofoil read back from the body_distance of a run on a grid twice as fine (a shape
# from a file; the sharp trailing edge needs the finer field): its lift stays within 3 %.
expect "ns2d: a body's distance field written" 0 "done:" "$fc" run "$inputs/naca0012.ini" --set grid.nx=512 --set grid.ny=384 --set time.t_end=0.001 -o "$tmp/naca_fine.nc"
expect "ns2d: a body from a file runs" 0 "done:" "$fc" run "$inputs/naca0012.ini" --set time.t_end=0.5 --set obstacle.shape=file --set "obstacle.file=$tmp/naca_fine.nc" -o "$tmp/naca_file.nc"
lift_file=$(last_value "$tmp/naca_file.nc" lift_coefficient)
awk -v a="$lift" -v b="$lift_file" 'BEGIN { d = (b - a) / a; exit !(d < 0.03 && d > -0.03) }' && ok "ns2d: the aerofoil from its own distance field lifts the same ($lift_file against $lift)" || bad "ns2d: the aerofoil from its own distance field lifts the same ($lift_file against $lift)"
# Two equal cylinders placed symmetrically about the channel's axis: equal drag, opposite lift,
# and each body's forces add up to the total.
# In single precision the default poisson_tol (1e-3 s-1) alone makes the lifts differ by 0.2 %:
# there the run asks for 1e-5, and round-off leaves 4e-6 (1e-7 in double).
if [ $single = 1 ]; then two_tol="--set numerics.poisson_tol=1e-5" sym=1e-10; else two_tol="" sym=1e-14; fi
# shellcheck disable=SC2086
expect "ns2d: two bodies run" 0 "done:" "$fc" run "$inputs/cylinder_re20.ini" --set grid.nx=220 --set grid.ny=41 --set time.t_end=1 --set obstacle.center_x=0.3 --set obstacle.center_y=0.1 --set obstacle.size=0.08 --set obstacle2.shape=circle --set obstacle2.center_x=0.3 --set obstacle2.center_y=0.31 --set obstacle2.size=0.08 $two_tol -o "$tmp/two.nc"
cd1=$(last_value "$tmp/two.nc" drag_coefficient_1); cd2=$(last_value "$tmp/two.nc" drag_coefficient_2)
cl1=$(last_value "$tmp/two.nc" lift_coefficient_1); cl2=$(last_value "$tmp/two.nc" lift_coefficient_2)
cd=$(last_value "$tmp/two.nc" drag_coefficient)
awk -v a="$cd1" -v b="$cd2" -v c="$cl1" -v d="$cl2" -v t="$cd" -v s="$sym" 'BEGIN { e = a - b; f = c + d; g = a + b - t; exit !(a > 1 && c > 0.1 && e * e < s && f * f < s && g * g < 1e-20) }' && ok "ns2d: symmetric bodies, symmetric forces (drag $cd1 $cd2, lift $cl1 $cl2)" || bad "ns2d: symmetric bodies, symmetric forces (drag $cd1 $cd2, lift $cl1 $cl2, total $cd)"

# The file holds the forces a case's bodies can have: each body's own with two (and no third),
# the totals with one, none of them (nor the distance field) without a body.
has_vars() {
  for v in $2; do "$NCDUMP" -h "$1" | grep -q " $v(" || return 1; done
}
lacks_vars() {
  for v in $2; do ! "$NCDUMP" -h "$1" | grep -q " $v(" || return 1; done
}
has_vars "$tmp/two.nc" "drag_coefficient_1 lift_coefficient_2 box_momentum_rate_x" && lacks_vars "$tmp/two.nc" "drag_coefficient_3 lift_coefficient_4" && ok "ns2d: two bodies, the forces of two" || bad "ns2d: two bodies, the forces of two"
has_vars "$tmp/naca.nc" "body_distance drag_coefficient pressure_difference drag_coefficient_cv" && lacks_vars "$tmp/naca.nc" "drag_coefficient_1" && ok "ns2d: one body, the totals" || bad "ns2d: one body, the totals"
expect "ns2d: a channel runs" 0 "done:" "$fc" run "$inputs/channel.ini" --set time.t_end=0.05 -o "$tmp/channel_forces.nc"
has_vars "$tmp/channel_forces.nc" "max_divergence poisson_iterations" && lacks_vars "$tmp/channel_forces.nc" "body_distance drag_coefficient lift_coefficient pressure_difference drag_coefficient_cv box_momentum_rate_x drag_coefficient_1" && ok "ns2d: no body, no forces" || bad "ns2d: no body, no forces"

# The spectral solver: every bad input of its own, the output's layout, restart and profile.
sp="$tmp/sp.ini"
cat >"$sp" <<INI
[case]
solver = spectral
[grid]
nx = 32
ny = 24
x_max = 6.283185307179586
y_max = 6.283185307179586
[boundary]
west = periodic
east = periodic
south = periodic
north = periodic
[time]
t_end = 0.2
[output]
interval = 0.1
[physics]
viscosity = 1e-3
[numerics]
fft_planning = estimate
[initial]
type = random_spectrum
energy = 0.5
peak_wavenumber = 4
INI
expect "spectral: walls" 2 "[boundary] north = wall: the spectral solver needs a doubly periodic box" "$fc" run "$sp" --set boundary.north=wall -o "$tmp/spbad.nc"
expect "spectral: too few points" 2 "[grid] ny = 2: the spectral solver needs at least 4 points" "$fc" run "$sp" --set grid.ny=2 -o "$tmp/spbad.nc"
expect "spectral: ring without wavenumber" 2 "[forcing] wavenumber = 0: a ring forcing needs its wavenumber > 0" "$fc" run "$sp" --set forcing.type=ring --set forcing.amplitude=1 -o "$tmp/spbad.nc"
expect "spectral: ring without amplitude" 2 "[forcing] amplitude = 0: a ring forcing needs its amplitude > 0" "$fc" run "$sp" --set forcing.type=ring --set forcing.wavenumber=4 -o "$tmp/spbad.nc"
expect "spectral: ring beyond the grid" 2 "[forcing] wavenumber = 40, width = 1: the ring holds no Fourier mode this grid resolves" "$fc" run "$sp" --set forcing.type=ring --set forcing.wavenumber=40 --set forcing.amplitude=1 -o "$tmp/spbad.nc"
expect "spectral: blob without radius" 2 "[tracer] blob_radius = 0: a blob needs its radius > 0" "$fc" run "$sp" --set tracer.initial=blob -o "$tmp/spbad.nc"
expect "spectral: bad tracer" 2 "[tracer] initial = dye: must be one of: none, bands, blob" "$fc" run "$sp" --set tracer.initial=dye -o "$tmp/spbad.nc"
expect "spectral: bad dealiasing" 2 "[numerics] dealias = half: must be one of: two_thirds, none" "$fc" run "$sp" --set numerics.dealias=half -o "$tmp/spbad.nc"
expect "spectral: bad planning" 2 "[numerics] fft_planning = patient: must be one of: measure, estimate" "$fc" run "$sp" --set numerics.fft_planning=patient -o "$tmp/spbad.nc"
expect "spectral: hyperviscosity order" 2 "[physics] hyperviscosity_order = 1: must be in [2, 8]" "$fc" run "$sp" --set physics.hyperviscosity_order=1 -o "$tmp/spbad.nc"
expect "spectral: negative drag" 2 "[physics] drag = -1: must be" "$fc" run "$sp" --set physics.drag=-1 -o "$tmp/spbad.nc"
expect "spectral: peak beyond the grid" 2 "[initial] peak_wavenumber = 50 m-1 is beyond the largest wavenumber" "$fc" run "$sp" --set initial.peak_wavenumber=50 -o "$tmp/spbad.nc"
sed 's/^radius = .*/radius = 1e-6/' "$inputs/vortex.ini" >"$tmp/vortex_small.ini"
expect "swe: a vortex outside the domain" 2 "[initial] center_x = 1e9: the vortex, within 900000 m of its centre (1e+09, 0) m (3 radii), lies wholly outside the domain" "$fc" run "$inputs/vortex.ini" --set initial.center_x=1e9 -o "$tmp/swebad.nc"
expect "swe: a vortex narrower than a cell, named by its line" 2 "vortex_small.ini:34: [initial] radius = 1e-6: the vortex is under half a cell (23437.5 m) across" "$fc" run "$tmp/vortex_small.ini" -o "$tmp/swebad.nc"
expect "swe: a standing wave without a wavenumber" 2 "[initial] wavenumber_x = 0: with wavenumber_x and wavenumber_y both 0 there is no wave" "$fc" run "$inputs/poincare_wave.ini" --set initial.wavenumber_x=0 -o "$tmp/swebad.nc"
expect "swe: a standing wave too short for the grid" 2 "[initial] wavenumber_x = 17: 17 wavelengths along x on 64 cells: a wave needs at least 4 cells" "$fc" run "$inputs/poincare_wave.ini" --set initial.wavenumber_x=17 -o "$tmp/swebad.nc"
expect "swe: a Kelvin wave narrower than a cell" 2 "[initial] depth = 25: the wave falls by more than a factor e within one cell (2e+06 m) of its peak at y = 0 m: the grid does not resolve its width" "$fc" run "$inputs/equatorial_kelvin_wave.ini" --set grid.ny=4 -o "$tmp/swebad.nc"
expect "swe: a Kelvin wave too short for the grid" 2 "[initial] wavenumber_x = 65: 65 wavelengths along x on 256 cells: a wave needs at least 4 cells" "$fc" run "$inputs/equatorial_kelvin_wave.ini" --set initial.wavenumber_x=65 -o "$tmp/swebad.nc"
expect "swe: a Kelvin wave deeper than the water" 2 "[initial] amplitude = 30: the troughs, depth - |amplitude|, must be positive" "$fc" run "$inputs/equatorial_kelvin_wave.ini" --set initial.amplitude=30 -o "$tmp/swebad.nc"
expect "swe: a standing wave deeper than the water" 2 "[initial] amplitude = -100: the troughs, depth - |amplitude|, must be positive" "$fc" run "$inputs/poincare_wave.ini" --set initial.amplitude=-100 -o "$tmp/swebad.nc"
absent "swe: a refused feature writes nothing" "$tmp/swebad.nc"
expect "euler: a bubble narrower than a cell" 2 "[initial] radius_x = 1: the bubble is under half a cell (100 m) across" "$fc" run "$inputs/thermal_bubble.ini" --set initial.radius_x=1 -o "$tmp/swebad.nc"
expect "spectral: peak below the box (the field once started at rest)" 2 "[initial] peak_wavenumber = 0.01 m-1 is below the smallest wavenumber the box holds" "$fc" run "$sp" --set initial.peak_wavenumber=0.01 -o "$tmp/spbad.nc"
sed '/^type = /,$d' "$sp" >"$tmp/sprest.ini"
printf 'type = rest\n' >>"$tmp/sprest.ini"
sed 's/^type = rest/type = taylor_green\namplitude = 1/' "$tmp/sprest.ini" >"$tmp/sptg.ini"
expect "spectral: Taylor-Green that does not fit" 2 "[initial] wavenumber = 1.5 m-1: the box (6.28319 x 6.28319 m) does not hold whole wavelengths" "$fc" run "$tmp/sptg.ini" --set initial.wavenumber=1.5 -o "$tmp/spbad.nc"
expect "spectral: shear layer without width" 2 "missing required key [initial] layer_width" "$fc" run "$sp" --set initial.type=double_shear_layer -o "$tmp/spbad.nc"
expect "spectral: a key of another initial condition" 2 "--set initial.energy=1: [initial] energy belongs to initial condition 'random_spectrum', not to 'rest'" "$fc" run "$sp" --set initial.type=rest --set initial.energy=1 -o "$tmp/spbad.nc"
expect "spectral: another initial condition by --set leaves the file's keys be" 0 "records in" "$fc" run "$sp" --set initial.type=rest --set time.t_end=0.1 -o "$tmp/sprest_set.nc"
expect "spectral: beyond 32-bit FFT plans" 2 "more than the FFT libraries' 32-bit plans address" "$fc" run "$sp" --set grid.nx=40000 --set grid.ny=40000 -o "$tmp/spbad.nc"
absent "spectral input errors write nothing" "$tmp/spbad.nc"
expect "spectral: a run" 0 "energy_budget_residual" "$fc" run "$sp" -o "$tmp/sp.nc"
# fft_planning = estimate: the same plans, so the same bits, in every run (measure times
# candidate plans, and the one it keeps, with its roundings, may change from run to run)
"$fc" run "$sp" -q -o "$tmp/sp_again.nc" &&
  "$top_builddir/tests/nc_compare" "$tmp/sp.nc" "$tmp/sp_again.nc" 0 >"$tmp/err" 2>&1 &&
  ok "spectral: estimated plans give the same bits run to run" ||
  bad "spectral: estimated plans give the same bits run to run"
"$NCDUMP" -h "$tmp/sp.nc" >"$tmp/sp.cdl"
grep -q "energy_spectrum(time, k)" "$tmp/sp.cdl" && grep -q "double k(k)" "$tmp/sp.cdl" && grep -q 'k:bounds = "k_bnds"' "$tmp/sp.cdl" && ok "spectral: E(k) on (time, k) with k and its bounds" || bad "spectral: E(k) on (time, k)"
grep -q "tracer(" "$tmp/sp.cdl" && bad "spectral: no tracer variable without a tracer" || ok "spectral: no tracer variable without a tracer"
expect "spectral: with a tracer" 0 "" "$fc" run "$sp" --set tracer.initial=blob --set tracer.blob_radius=0.5 -q -o "$tmp/spt.nc"
"$NCDUMP" -h "$tmp/spt.nc" | grep -q "tracer(time, y, x)" && ok "spectral: the tracer on (time, y, x)" || bad "spectral: the tracer on (time, y, x)"
expect "spectral: restart onto another grid" 0 "(its 32 x 24 cells interpolated), 48 x 40 cells" "$fc" run "$sp" --set tracer.initial=blob --set tracer.blob_radius=0.5 --set time.t_end=0.4 --set grid.nx=48 --set grid.ny=40 --restart "$tmp/spt.nc" --regrid -o "$tmp/spt2.nc"
rm -f "$tmp/spt2.nc"
expect "spectral: a file on 512 x 384 cells" 0 "" "$fc" run "$sp" -q --set grid.nx=512 --set grid.ny=384 --set time.t_end=0.001 -o "$tmp/spbig.nc"
expect "spectral: --regrid from a file too large for the memory" 2 "spbig.nc: variable 'vorticity' is on 512 x 384 cells: too many to interpolate from in this machine's memory" env FLOWCAST_MEMORY_LIMIT=1M "$fc" run "$sp" --set time.t_end=1 --restart "$tmp/spbig.nc" --regrid -o "$tmp/spt2.nc"
absent "spectral: the refusal writes nothing" "$tmp/spt2.nc"
expect "spectral: restart with a tracer" 0 "done:" "$fc" run "$sp" --set tracer.initial=blob --set tracer.blob_radius=0.5 --set time.t_end=0.4 --restart "$tmp/spt.nc" -o "$tmp/spt2.nc"
# The `file` initial condition: another run's vorticity, on its grid or interpolated.
sed -e '/^\[initial\]/,$d' "$sp" >"$tmp/spfile.ini"
printf '[initial]\ntype = file\npath = spt.nc\n' >>"$tmp/spfile.ini"
expect "spectral: a file's vorticity on its own grid" 0 "done:" "$fc" run "$tmp/spfile.ini" -o "$tmp/spf.nc"
expect "spectral: a file on another grid" 2 "spt.nc: variable 'vorticity' is on x = " "$fc" run "$tmp/spfile.ini" --set grid.nx=48 --set grid.ny=40 -o "$tmp/spf2.nc"
grep -qxF "flowcast: error: ([initial] interpolate = fourier interpolates it onto them)" "$tmp/err" && ok "... says how to interpolate it" || bad "... says how to interpolate it"
expect "spectral: a file's vorticity interpolated (Fourier)" 0 "done:" "$fc" run "$tmp/spfile.ini" --set grid.nx=48 --set grid.ny=40 --set initial.interpolate=fourier -o "$tmp/spf2.nc"
expect "spectral: an unknown interpolation" 2 "[initial] interpolate = cubic: must be one of: no, fourier, bilinear" "$fc" run "$tmp/spfile.ini" --set initial.interpolate=cubic -o "$tmp/spf3.nc"
expect "spectral: restart from a run without the tracer" 2 "has no variable 'tracer'" "$fc" run "$sp" --set tracer.initial=bands --set time.t_end=0.4 --restart "$tmp/sp.nc" -o "$tmp/spt3.nc"
expect "profile: spectral stage against its transforms" 0 "| the stage's transforms alone |" "$fc" profile "$sp" --device cpu --steps 3
expect "profile: swe's sweeps and halos" 0 "| sweeps (reconstruction, fluxes, update) |" "$fc" profile "$good" --device cpu --steps 3 --warmup 1
expect "profile: euler's pressure of the stage input" 0 "| pressure of the stage input |" "$fc" profile "$top_srcdir/inputs/thermal_bubble.ini" --device cpu --steps 2 --warmup 1 --set grid.nx=32 --set grid.ny=32
expect "profile: no case" 2 "profile needs a case file" "$fc" profile
# (by name from the source folder, as run NAME above: a distcheck build finds no cases beside it)
expect "profile: a ready-made case by name" 0 "| one stage |" sh -c 'cd "$1" && "$2" profile decaying_turbulence --device cpu --steps 2 --warmup 1 --set grid.nx=32 --set grid.ny=32' sh "$top_srcdir" "$fc_abs"
expect "profile: ns2d's pressure solves and immersed forcing" 0 "| immersed forcing |" "$fc" profile "$top_srcdir/inputs/cylinder.ini" --device cpu --steps 3 --warmup 1 --set grid.nx=88 --set grid.ny=16 --set obstacle.boundary=immersed
grep -q "| pressure solves (multigrid CG) |" "$tmp/err" && grep -q "| share of the step |" "$tmp/err" && ok "profile: ns2d names its pressure solves' share" || bad "profile: ns2d names its pressure solves' share"
expect "profile: a name that is no case" 2 "no case file 'no_such_case', nor a ready-made case of that name" "$fc" profile no_such_case
expect "profile: bad steps" 2 "--steps 0: expected a whole number from 1" "$fc" profile "$sp" --steps 0
expect "profile: at rest" 2 "the flow is at rest" "$fc" profile "$tmp/sprest.ini" --device cpu
expect "profile: bad case" 2 "[grid] ny = 2" "$fc" profile "$sp" --set grid.ny=2

# Surrogates: train and rollout as a user meets them.
cat >"$tmp/waves.ini" <<INI
[case]
solver = swe
[grid]
nx = 12
ny = 10
x_max = 1.2
y_max = 1
[time]
t_end = 0.2
[output]
interval = 0.02
[boundary]
west = periodic
east = periodic
[initial]
type = gaussian_bump
depth = 1
amplitude = 0.1
radius = 0.2
center_x = 0.6
center_y = 0.5
INI
"$fc" run "$tmp/waves.ini" -q -o "$tmp/waves.nc"
m="$tmp/m.nc"
expect "train --help" 0 "usage: flowcast train" "$fc" train --help
expect "train: nothing to learn from" 2 "train needs --data, --vars and -o" "$fc" train -o "$m"
expect "train: even stencil" 2 "--stencil 4: the neighbourhood must be odd" "$fc" train --data "$tmp/waves.nc" --vars h --stencil 4 -o "$m"
expect "train: unknown activation" 2 "--activation sigmoid: one of relu, tanh, gelu, silu" "$fc" train --data "$tmp/waves.nc" --vars h --activation sigmoid -o "$m"
expect "train: unknown optimizer" 2 "--optimizer adam: adamw or sgd" "$fc" train --data "$tmp/waves.nc" --vars h --optimizer adam -o "$m"
expect "train: bad hidden widths" 2 "--hidden 0: expected a whole number from 1 to 65536" "$fc" train --data "$tmp/waves.nc" --vars h --hidden 0 -o "$m"
"$fc" info | grep -q "GPUs:       none" && expect "train: GPU asked for, none there" 2 "no GPU" "$fc" train --data "$tmp/waves.nc" --vars h --device gpu -o "$m"
expect "train: a variable the data lacks, and those it has" 2 "waves.nc: no variable 'speed' (its variables of 2 or 3 dimensions: h, hu, hv, " "$fc" train --data "$tmp/waves.nc" --vars h,speed -o "$m"
expect "train: missing data file" 2 "cannot read data file '$tmp/none.nc'" "$fc" train --data "$tmp/none.nc" --vars h -o "$m"
expect "train: a missing ensemble folder with --holdout" 2 "cannot read data file '$tmp/no_ensemble'" "$fc" train --data "$tmp/no_ensemble" --holdout 2 --vars h -o "$m"
expect "train: resume without a model" 2 "--resume: there is no model" "$fc" train --data "$tmp/waves.nc" --vars h --resume -o "$m"
expect "train: a static field to emulate" 2 "waves.nc: variable 'b' is static; a variable to emulate must be on (time, y, x) (give it as a static field instead)" "$fc" train --data "$tmp/waves.nc" --vars h,b -o "$m"
"$fc" run "$tmp/waves.ini" -q --set output.interval=0.05 -o "$tmp/waves_05.nc"
expect "train: files written at other intervals" 2 "waves_05.nc: no two consecutive records 0.02 s apart, the first file's output interval (its own first two are 0.05 s apart)" "$fc" train --data "$tmp/waves.nc,$tmp/waves_05.nc" --vars h -o "$m"
printf 'netcdf f { dimensions: y = 2 ; x = 3 ;\nvariables: double h(y, x) ;\ndata: h = 1, 2, 3, 4, 5, 6 ; }\n' >"$tmp/foreign.cdl"
"$NCGEN" -o "$tmp/foreign.nc" "$tmp/foreign.cdl"
expect "train: a file that is no solver output" 2 "foreign.nc: no time coordinate (not solver output on (time, y, x))" "$fc" train --data "$tmp/foreign.nc" --vars h -o "$m"
absent "train: bad input writes no model" "$m"
expect "train: an unknown conserved variable" 2 "--conserve: 'q' is not one of the variables 'h,u,v'" "$fc" train --data "$tmp/waves.nc" --vars h,u,v --conserve q -o "$m"
expect "train: a variable named twice" 2 "'u' is named twice among the variables and static fields" "$fc" train --data "$tmp/waves.nc" --vars h,u,u -o "$m"
expect "train: a static field that is also a variable" 2 "'h' is named twice" "$fc" train --data "$tmp/waves.nc" --vars h,u --static h -o "$m"
expect "train: an empty name, one message" 2 "--vars: an empty item in the list" "$fc" train --data "$tmp/waves.nc" --vars ,h -o "$m"
grep -q "train needs" "$tmp/err" && bad "train: an empty name also claims --vars is missing" || ok "train: an empty name is the only complaint"
expect "train: --unroll out of range" 2 "--unroll" "$fc" train --data "$tmp/waves.nc" --vars h,u,v --unroll 0 -o "$m"
expect "train: negative state noise" 2 "--state-noise" "$fc" train --data "$tmp/waves.nc" --vars h,u,v --state-noise -1 -o "$m"
absent "train: bad constraints write no model" "$m"
expect "train: a small model" 0 "train: best validation loss" "$fc" train --data "$tmp/waves.nc" --vars h,u,v --static b --hidden 16 --epochs 3 --batch 32 -o "$m"
grep -q "do not keep the domain sum" "$tmp/err" && bad "train: the depth's sum is doubted" || ok "train: the depth's sum, which the data keep, is not doubted"
"$fc" run "$tmp/waves.ini" -q --set initial.center_x=0.4 --set initial.center_y=0.3 -o "$tmp/waves_off.nc"
# v pushed by the south and north walls; u along the periodic x, whose sum the data keep.
expect "train: a velocity named conserved is doubted" 0 "warning: train: the data do not keep the domain sum of v (it moves by" "$fc" train --data "$tmp/waves_off.nc" --vars h,u,v --conserve h,u,v --hidden 4 --epochs 1 --batch 32 -o "$tmp/m_u.nc"
grep -qE "domain sum of (h|u) \(" "$tmp/err" && bad "train: ... but not the depth or u" || ok "train: ... but not the depth or u"
expect "train: no validation records" 0 "train loss" "$fc" train --data "$tmp/waves.nc" --vars h --hidden 8 --epochs 2 --batch 32 --val-fraction 0 -o "$tmp/noval.nc"
grep -q "nan" "$tmp/err" && bad "train: no validation records, yet a NaN loss is printed" || ok "train: no validation records, no NaN printed"
grep -q "best training (no validation records) loss" "$tmp/err" && ok "train: no validation records, the training loss decides" || bad "train: no validation records, the training loss decides"
expect "train: an existing model is kept" 2 "exists; it is left untouched (use -O" "$fc" train --data "$tmp/waves.nc" --vars h,u,v --static b -o "$m"
expect "train: resume" 0 "epoch 5/5" "$fc" train --data "$tmp/waves.nc" --vars h,u,v --static b --hidden 16 --epochs 5 --batch 32 --resume -o "$m"
# Flux form: h's face fluxes (two outputs), named in the model; the rollout's balance line.
expect "train: --flux" 0 "train: h in flux form" "$fc" train --data "$tmp/waves.nc" --vars h,u,v --static b --hidden 8 --epochs 1 --batch 32 --flux -o "$tmp/flux.nc"
"$NCDUMP" -h "$tmp/flux.nc" | grep -q 'flux_variables = "h"' && ok "train: --flux names h in the model" || bad "train: --flux names h in the model"
"$NCDUMP" -h "$tmp/flux.nc" | grep -q 'flux_advected_by = "u,v"' && ok "train: --flux starts h's fluxes from its advection by u and v" || bad "train: --flux starts h's fluxes from its advection by u and v"
expect "rollout: a flux-form model's balance" 0 "Balance of h: its domain sum changed by what crossed the sides" "$fc" rollout --model "$tmp/flux.nc" --init "$tmp/waves.nc" --steps 3 -o "$tmp/flux_p.nc"
expect "train: --resume --flux of a model of changes" 2 "the model '$m' predicts changes, not face fluxes" "$fc" train --data "$tmp/waves.nc" --vars h,u,v --static b --hidden 16 --epochs 6 --batch 32 --resume --flux -o "$m"
expect "rollout --help" 0 "usage: flowcast rollout" "$fc" rollout --help
expect "rollout: missing options" 2 "rollout needs --model, --init, --steps and -o" "$fc" rollout --model "$m"
expect "rollout: not a model" 2 "is not a flowcast model file" "$fc" rollout --model "$tmp/waves.nc" --init "$tmp/waves.nc" --steps 2 -o "$tmp/p.nc"
expect "rollout: no such time" 2 "has no record at --time 7 s" "$fc" rollout --model "$m" --init "$tmp/waves.nc" --time 7 --steps 2 -o "$tmp/p.nc"
expect "train: --resume with the epochs it has" 2 "--resume: '$m' has trained 5 epochs already; ask for more with --epochs" "$fc" train --data "$tmp/waves.nc" --vars h,u,v --static b --hidden 16 --epochs 5 --batch 32 --resume -o "$m"
expect "rollout: no steps" 2 "--steps 0: expected a whole number from 1 to 1000000" "$fc" rollout --model "$m" --init "$tmp/waves.nc" --steps 0 -o "$tmp/p.nc"
expect "rollout: --device nonsense" 2 "--device must be cpu or gpu, not 'tpu'" "$fc" rollout --model "$m" --init "$tmp/waves.nc" --steps 2 --device tpu -o "$tmp/p.nc"
"$fc" info | grep -q "GPUs:       none" && expect "rollout: GPU asked for, none there" 2 "no GPU" "$fc" rollout --model "$m" --init "$tmp/waves.nc" --steps 2 --device gpu -o "$tmp/p.nc"
"$fc" run "$tmp/waves.ini" -q --set grid.x_max=2.4 -o "$tmp/waves_wide.nc"
expect "rollout: another grid spacing" 2 "waves_wide.nc: grid spacing 0.2 x 0.1; the model was trained at 0.1 x 0.1" "$fc" rollout --model "$m" --init "$tmp/waves_wide.nc" --steps 2 -o "$tmp/p.nc"
absent "rollout: bad input writes nothing" "$tmp/p.nc"
expect "train: files of two grid spacings" 2 "waves_wide.nc: grid spacing 0.2 x 0.1; the first file's is 0.1 x 0.1" "$fc" train --data "$tmp/waves.nc" --data "$tmp/waves_wide.nc" --vars h -o "$tmp/m2.nc"
expect "run: a small cavity, data of another solver" 0 "" "$fc" run "$top_srcdir/inputs/cavity_re100.ini" -q --set grid.nx=12 --set grid.ny=10 --set grid.x_max=1.2 --set time.t_end=0.2 --set output.interval=0.02 -o "$tmp/cavity_12.nc"
expect "train: files of two solvers" 2 "cavity_12.nc: output of solver ns2d; the first file's is of swe" "$fc" train --data "$tmp/waves.nc" --data "$tmp/cavity_12.nc" --vars u -o "$tmp/m2.nc"
absent "train: mixed files write no model" "$tmp/m2.nc"
cp "$m" "$tmp/m_before.nc"
expect "train: --resume on data of another spacing" 2 "--resume: the model '$m' was trained at a spacing of 0.1 x 0.1 and an interval of 0.02 s; the data have 0.2 x 0.1 and 0.02 s" "$fc" train --data "$tmp/waves_wide.nc" --vars h,u,v --static b --resume --epochs 9 -o "$m"
cmp -s "$m" "$tmp/m_before.nc" && ok "train: a refused --resume leaves the model as it was" || bad "train: a refused --resume leaves the model as it was"
expect "rollout: scored against the solver" 0 "| 0.04 | h |" "$fc" rollout --model "$m" --init "$tmp/waves.nc" --time 0.1 --steps 3 -o "$tmp/p.nc"
"$NCDUMP" -h "$tmp/p.nc" | grep -q "double h(time, y, x)" && ok "rollout: the forecast in the solver's layout" || bad "rollout: the forecast in the solver's layout"

# ensemble: members with varied keys, a manifest, and training on them with members held out
e="$tmp/ens"
expect "ensemble --help" 0 "usage: flowcast ensemble" "$fc" ensemble --help
expect "ensemble: missing options" 2 "ensemble needs --members, --vary and -o" "$fc" ensemble "$tmp/waves.ini" -o "$e"
expect "ensemble: a range without its colon" 2 "--vary initial.radius=0.1: expected lo:hi" "$fc" ensemble "$tmp/waves.ini" --members 2 --vary initial.radius=0.1 -o "$e"
expect "ensemble: lo above hi" 2 "expected finite lo:hi with lo <= hi" "$fc" ensemble "$tmp/waves.ini" --members 2 --vary initial.radius=0.3:0.1 -o "$e"
expect "ensemble: a key both varied and set" 2 "a key is either varied or set" "$fc" ensemble "$tmp/waves.ini" --members 2 --vary initial.radius=0.1:0.3 --set initial.radius=0.2 -o "$e"
expect "ensemble: an unknown key" 2 "member 0 (initial.radiuss=" "$fc" ensemble "$tmp/waves.ini" --members 2 --vary initial.radiuss=0.1:0.3 -o "$e"
expect "ensemble: a text key varied" 2 "--vary case.title=1:2: [case] title is not a number" "$fc" ensemble "$tmp/waves.ini" --members 2 --vary case.title=1:2 -o "$e"
expect "ensemble: a key varied twice" 2 "--vary initial.radius=0.2:0.3: initial.radius is varied twice" "$fc" ensemble "$tmp/waves.ini" --members 2 --vary initial.radius=0.1:0.3 --vary initial.radius=0.2:0.3 -o "$e"
expect "ensemble: a key without its section" 2 "--vary radius=0.1:0.3: expected section.key=lo:hi (e.g. initial.radius=0.3:0.7)" "$fc" ensemble "$tmp/waves.ini" --members 2 --vary radius=0.1:0.3 -o "$e"
expect "ensemble: -o a file" 2 "-o $tmp/waves.ini: exists and is not a folder" "$fc" ensemble "$tmp/waves.ini" --members 2 --vary initial.radius=0.1:0.3 -o "$tmp/waves.ini"
expect "ensemble: a choice varied" 2 "--vary numerics.flux=0:1: [numerics] flux is not a number" "$fc" ensemble "$tmp/waves.ini" --members 2 --vary numerics.flux=0:1 -o "$e"
expect "ensemble: a bad last member is named before any runs" 2 "member 2 (time.cfl=1.5): --set time.cfl=1.5" "$fc" ensemble "$tmp/waves.ini" --grid --members 3 --vary time.cfl=0.5:1.5 -o "$e"
absent "ensemble: bad input leaves no folder" "$e"
expect "ensemble: too many members on a grid" 2 "1 to 10000 members in all" "$fc" ensemble "$tmp/waves.ini" --grid --members 200 --vary initial.radius=0.1:0.3,initial.amplitude=0.05:0.1 -o "$e"
expect "ensemble: three members" 0 "member 2, 3 of 3 (" "$fc" ensemble "$tmp/waves.ini" --members 3 --vary initial.radius=0.15:0.25 --set time.t_end=0.1 -o "$e"
grep -q "member 2, 3 of 3 (.*; mass drift .* (relative)$" "$tmp/err" && ok "ensemble: each member's mass drift" || bad "ensemble: each member's mass drift"
# A solver that conserves nothing it could report (ns2d) reports no drift (it said 0).
expect "ensemble: ns2d members" 0 "member 0, 1 of 1 (" "$fc" ensemble "$inputs/cavity_re100.ini" --members 1 --vary physics.reynolds=50:150 --set grid.nx=16 --set grid.ny=16 --set time.t_end=0.05 -o "$tmp/ens_ns2d"
! grep -q "drift" "$tmp/err" && ok "ensemble: no drift where nothing is conserved" || bad "ensemble: no drift where nothing is conserved"
[ "$(wc -l <"$e/ensemble.csv")" -eq 4 ] && [ -f "$e/member_0002.nc" ] && head -1 "$e/ensemble.csv" | grep -qx "member,file,initial.radius" && ok "ensemble: a manifest line and a file per member" || bad "ensemble: a manifest line and a file per member"
cp "$e/ensemble.csv" "$tmp/manifest.before"
expect "ensemble: an existing ensemble is kept" 2 "holds an ensemble (ensemble.csv); it is left untouched" "$fc" ensemble "$tmp/waves.ini" --members 2 --vary initial.radius=0.1:0.3 -o "$e"
cmp -s "$e/ensemble.csv" "$tmp/manifest.before" && ok "ensemble: the manifest is unchanged" || bad "ensemble: the manifest is unchanged"
"$fc" ensemble "$tmp/waves.ini" --members 3 --vary initial.radius=0.15:0.25 --set time.t_end=0.1 -o "$tmp/ens_again" 2>/dev/null
cmp -s "$e/ensemble.csv" "$tmp/ens_again/ensemble.csv" && ok "ensemble: the same seed, the same members" || bad "ensemble: the same seed, the same members"
expect "ensemble: a grid of 2 x 2" 0 "member 3, 4 of 4 (" "$fc" ensemble "$tmp/waves.ini" --grid --members 2 --vary initial.radius=0.1:0.2,initial.amplitude=0.05:0.1 --set time.t_end=0.05 -o "$tmp/grid"
grep -q "^3,member_0003.nc,0.2,0.1$" "$tmp/grid/ensemble.csv" && ok "ensemble: the grid's last member takes both highs" || bad "ensemble: the grid's last member takes both highs"
# A real key whose range is written in whole numbers still gets real values; an integer key
# whole ones.
expect "ensemble: a real key over a whole-number range" 0 "member 2, 3 of 3 (" "$fc" ensemble "$tmp/waves.ini" --grid --members 3 --vary initial.depth=1:2 --set time.t_end=0.02 -o "$tmp/ens_real"
grep -q "^1,member_0001.nc,1.5$" "$tmp/ens_real/ensemble.csv" && ok "ensemble: the middle of 1:2 is 1.5" || bad "ensemble: the middle of 1:2 is 1.5"
expect "ensemble: an integer key" 0 "member 3, 4 of 4 (" "$fc" ensemble "$tmp/waves.ini" --members 4 --vary grid.nx=10:14 --set time.t_end=0.02 -o "$tmp/ens_int"
[ "$(tail -n +2 "$tmp/ens_int/ensemble.csv" | cut -d, -f3 | grep -cx "1[0-4]")" -eq 4 ] && ok "ensemble: an integer key's values are whole" || bad "ensemble: an integer key's values are whole"
# A member's file says how it was made: the ensemble's command and the member's values, and the
# --set values it ran with.
"$NCDUMP" -h "$e/member_0001.nc" | grep -q 'history = ".*flowcast ensemble .*--members 3 .* (member 1: initial.radius=0\.[0-9]*)"' &&
  "$NCDUMP" -h "$e/member_0001.nc" | tr -d ' \t\n' | grep -q 'flowcast_overrides="time.t_end=0.1\\n","initial.radius=0\.[0-9]*";' &&
  ok "ensemble: a member's file records its command and values" || bad "ensemble: a member's file records its command and values"
# --resume: an ensemble interrupted (SIGINT, wherever it lands) goes on and ends as the same
# ensemble run whole, bit for bit.
resume_args="--members 3 --vary initial.radius=0.15:0.25 --set grid.nx=120 --set grid.ny=100 --set time.t_end=0.5 --threads 1"
"$fc" ensemble "$tmp/waves.ini" $resume_args -o "$tmp/ens_whole" 2>/dev/null
"$fc" ensemble "$tmp/waves.ini" $resume_args -o "$tmp/ens_cut" >"$tmp/err" 2>&1 &
pid=$!
# Once member 0 has its file (slow builds take longer to get there).
for _ in $(seq 300); do [ -f "$tmp/ens_cut/member_0000.nc" ] && break; sleep 0.1; done
kill -s INT $pid
wait $pid; rc=$?
[ $rc -eq 1 ] && grep -q "its command again with --resume\|with --resume runs the rest" "$tmp/err" &&
  ok "ensemble: SIGINT stops it, naming --resume" || bad "ensemble: SIGINT stops it, naming --resume (exit $rc)"
# (Its manifest, or only member 0's file where the signal came during member 0.)
expect "ensemble: a stopped ensemble names --resume" 2 "it is left untouched (use -O to replace it, or --resume to run the members it lacks)" "$fc" ensemble "$tmp/waves.ini" $resume_args -o "$tmp/ens_cut"
expect "ensemble: --resume runs the rest" 0 "" "$fc" ensemble "$tmp/waves.ini" $resume_args -o "$tmp/ens_cut" --resume
same=1
cmp -s "$tmp/ens_whole/ensemble.csv" "$tmp/ens_cut/ensemble.csv" || same=0
for k in 0 1 2; do
  "$top_builddir/tests/nc_compare" "$tmp/ens_whole/member_000$k.nc" "$tmp/ens_cut/member_000$k.nc" 0 >/dev/null 2>&1 || same=0
done
[ $same -eq 1 ] && ok "ensemble: resumed, the same manifest and members bit for bit" || bad "ensemble: resumed, the same manifest and members bit for bit"
expect "ensemble: --resume of a finished ensemble" 0 "holds all 3 members; nothing to run" "$fc" ensemble "$tmp/waves.ini" $resume_args -o "$tmp/ens_cut" --resume
expect "ensemble: --resume with another seed" 2 "': this command's member 0 is '0,member_0000.nc," "$fc" ensemble "$tmp/waves.ini" $resume_args --seed 2 -o "$tmp/ens_cut" --resume
expect "ensemble: --resume with other --set values" 2 "ens_cut/member_0002.nc is not member 2 of this command's ensemble (it was run with the values 'grid.nx=120 grid.ny=100 time.t_end=0.5 initial.radius=" "$fc" ensemble "$tmp/waves.ini" --members 3 --vary initial.radius=0.15:0.25 --set grid.nx=120 --set grid.ny=100 --set time.t_end=0.4 -o "$tmp/ens_cut" --resume
{ cat "$tmp/waves.ini"; echo "; edited"; } >"$tmp/waves_edited.ini"
expect "ensemble: --resume from an edited case file" 2 "ens_cut/member_0002.nc is not member 2 of this command's ensemble (the case file has changed since it ran)" "$fc" ensemble "$tmp/waves_edited.ini" --members 4 --vary initial.radius=0.15:0.25 --set grid.nx=120 --set grid.ny=100 --set time.t_end=0.5 -o "$tmp/ens_cut" --resume
expect "ensemble: --resume and -O" 2 "-O and --resume: an ensemble is either replaced or gone on with" "$fc" ensemble "$tmp/waves.ini" $resume_args -o "$tmp/ens_cut" --resume -O
# A member's file in a folder without a manifest is found before any member runs.
mkdir -p "$tmp/ens_lone"
cp "$tmp/ens_whole/member_0002.nc" "$tmp/ens_lone/"
expect "ensemble: a member's file without a manifest" 2 "holds $tmp/ens_lone/member_0002.nc, a member's file; it is left untouched" "$fc" ensemble "$tmp/waves.ini" $resume_args -o "$tmp/ens_lone"
absent "ensemble: ... and no member ran" "$tmp/ens_lone/member_0000.nc"
# A random ensemble grows: --members 4 keeps the three members and adds one.
cp -r "$tmp/ens_whole" "$tmp/ens_grown"
expect "ensemble: --resume with more members adds them" 0 "member 3, 4 of 4 (" "$fc" ensemble "$tmp/waves.ini" --members 4 --vary initial.radius=0.15:0.25 --set grid.nx=120 --set grid.ny=100 --set time.t_end=0.5 -o "$tmp/ens_grown" --resume
head -4 "$tmp/ens_grown/ensemble.csv" | cmp -s - "$tmp/ens_whole/ensemble.csv" && [ "$(wc -l <"$tmp/ens_grown/ensemble.csv")" -eq 5 ] &&
  "$top_builddir/tests/nc_compare" "$tmp/ens_whole/member_0002.nc" "$tmp/ens_grown/member_0002.nc" 0 >/dev/null 2>&1 &&
  ok "ensemble: the grown ensemble keeps its members" || bad "ensemble: the grown ensemble keeps its members"
# Files the manifest does not list: this ensemble's unfinished member runs again; another file
# in its place, or a file beyond it, is left untouched.
head -3 "$tmp/ens_whole/ensemble.csv" >"$tmp/ens_whole/ensemble.csv.new" && mv "$tmp/ens_whole/ensemble.csv.new" "$tmp/ens_whole/ensemble.csv"
rm "$tmp/ens_whole/member_0002.nc"
cp "$tmp/waves.nc" "$tmp/ens_whole/member_0002.nc"
cksum "$tmp/ens_whole/member_0002.nc" >"$tmp/sum"
expect "ensemble: --resume over another file" 2 "ens_whole/member_0002.nc is not member 2 of this command's ensemble (it was run without --set values; this command gives it 'grid.nx=120 grid.ny=100 time.t_end=0.5 initial.radius=" "$fc" ensemble "$tmp/waves.ini" $resume_args -o "$tmp/ens_whole" --resume
cksum "$tmp/ens_whole/member_0002.nc" | cmp -s - "$tmp/sum" && ok "ensemble: ... and the file is untouched" || bad "ensemble: ... and the file is untouched"
head -2 "$tmp/ens_whole/ensemble.csv" >"$tmp/ens_whole/ensemble.csv.new" && mv "$tmp/ens_whole/ensemble.csv.new" "$tmp/ens_whole/ensemble.csv"
expect "ensemble: --resume with a file beyond the next member" 2 "ens_whole/member_0002.nc exists, but $tmp/ens_whole/ensemble.csv lists 1 member: it is left untouched" "$fc" ensemble "$tmp/waves.ini" $resume_args -o "$tmp/ens_whole" --resume
rm "$tmp/ens_whole/member_0002.nc"
expect "ensemble: --resume runs an unfinished member again" 0 "member 1 was left unfinished; it runs again" "$fc" ensemble "$tmp/waves.ini" $resume_args -o "$tmp/ens_whole" --resume
cmp -s "$tmp/ens_whole/ensemble.csv" "$tmp/ens_cut/ensemble.csv" && ok "ensemble: ... and ends whole" || bad "ensemble: ... and ends whole"
expect "train: on an ensemble, one member held out" 0 "validation (" "$fc" train --data "$e" --holdout 1 --vars h,u,v --hidden 8 --epochs 1 -o "$tmp/em.nc"
# More members than the 64 files training once took, every one read.
"$fc" ensemble "$tmp/waves.ini" --members 70 --vary initial.radius=0.15:0.25 --set time.t_end=0.04 --threads 1 -o "$tmp/ens70" 2>/dev/null
expect "train: on 70 members, 5 held out" 0 "15600 training samples (130 record pairs), 1200 validation (10)" "$fc" train --data "$tmp/ens70" --holdout 5 --vars h --hidden 4 --epochs 1 -o "$tmp/em70.nc"
expect "train: holding out every member" 2 "--holdout 3: hold out fewer files than the 3 given" "$fc" train --data "$e" --holdout 3 --vars h,u,v -o "$tmp/em2.nc"
mkdir -p "$tmp/badens"
printf 'member,file\n0,../waves.nc\n' >"$tmp/badens/ensemble.csv"
expect "train: a manifest naming a file outside its folder" 2 "ensemble.csv:2: '../waves.nc' is not a member file name" "$fc" train --data "$tmp/badens" --vars h -o "$tmp/em3.nc"
printf 'member,file\n0,member_0000.nc\n' >"$tmp/badens/ensemble.csv"
expect "train: a manifest whose member is missing" 2 "member file $tmp/badens/member_0000.nc is missing" "$fc" train --data "$tmp/badens" --vars h -o "$tmp/em3.nc"
printf 'name,path\n' >"$tmp/badens/ensemble.csv"
expect "train: not a manifest" 2 "not an ensemble manifest" "$fc" train --data "$tmp/badens" --vars h -o "$tmp/em3.nc"
mkdir -p "$tmp/emptydir"
expect "train: a folder without a manifest" 2 "is a folder without an ensemble manifest" "$fc" train --data "$tmp/emptydir" --vars h -o "$tmp/em3.nc"
absent "train: bad ensembles write no model" "$tmp/em3.nc"
expect "rollout: the forecast is not overwritten" 2 "exists; it is left untouched" "$fc" rollout --model "$m" --init "$tmp/waves.nc" --steps 1 -o "$tmp/p.nc"
# A case whose initial state is read from a file, its paths relative to the case file: the
# rollout times that case from any folder.
mkdir -p "$tmp/filecase"
cp "$inputs/from_file.ini" "$tmp/filecase/from_file.ini"
"$NCGEN" -k nc4 -o "$tmp/filecase/initial_state.nc" "$inputs/initial_state.cdl"
"$fc" run "$tmp/filecase/from_file.ini" -q -o "$tmp/rollfile.nc" >"$tmp/err" 2>&1 &&
  "$fc" train --data "$tmp/rollfile.nc" --vars h,u,v --hidden 8 --epochs 1 --batch 32 -o "$tmp/rollfile_model.nc" >"$tmp/err" 2>&1 ||
  bad "the file-initialised case and its surrogate"
mkdir -p "$tmp/elsewhere"
fc_abs="$(cd "$(dirname "$fc")" && pwd)/$(basename "$fc")"
cd "$tmp/elsewhere" || exit 1
expect "rollout: the solver of a file-initialised case is timed from another folder" 0 \
  "from its case on the same CPU" "$fc_abs" rollout --model "$tmp/rollfile_model.nc" --init "$tmp/rollfile.nc" --steps 1 -o "$tmp/rollfile_pred.nc"
cd "$OLDPWD" || exit 1
expect "demo --help" 0 "usage: flowcast demo" "$fc" demo --help
expect "demo: without its inputs" 2 "demo: cannot read $tmp/nowhere/jet.ini (--inputs $tmp/nowhere)" "$fc" demo --inputs "$tmp/nowhere"
fc_abs="$(cd "$(dirname "$fc")" && pwd)/flowcast"
inputs_abs="$(cd "$inputs" && pwd)"
(cd "$tmp" && "$fc_abs" demo --inputs "$inputs_abs" >"$tmp/demo" 2>&1) && grep -q "== done in" "$tmp/demo" && ls "$tmp"/outputs/demo-*/jet_forecast.nc >/dev/null 2>&1 \
  && ok "demo: weather, CFD, bench and surrogate" || { cp "$tmp/demo" "$tmp/err"; bad "demo: weather, CFD, bench and surrogate"; }
# Issue 15's target for the demo's surrogate: ahead of persistence for h, u and v over all 12 h
# of its rollout, with the mass kept: the drift of h's mean stays within 1e-12 of its rms.
grep -q "Better than persistence: h at every lead (43200 s); u at every lead (43200 s); v at every lead (43200 s)" "$tmp/demo" \
  && awk -F'|' '$3 ~ /^ h $/ { n++; d = $6 + 0; if (d > 1e-12 || d < -1e-12) bad = 1 } END { exit !(n >= 12 && !bad) }' "$tmp/demo" \
  && ok "demo: the surrogate beats persistence for 12 h and keeps the mass" \
  || { cp "$tmp/demo" "$tmp/err"; bad "demo: the surrogate beats persistence for 12 h and keeps the mass"; }

# flowcast validate's usage.
expect "validate --help" 0 "usage: flowcast validate" "$fc" validate --help
expect "validate --list" 0 "ns2d_cavity_re1000" "$fc" validate --list
expect "validate --only nonsense" 2 "--only nonsense: no such case (see" "$fc" validate --only nonsense
expect "validate --only misspelt" 2 "no such case (did you mean 'swe_adjustment'?" "$fc" validate --only swe_adjustmnt
expect "validate unknown option" 2 "unknown option '--fast'" "$fc" validate --fast
expect "validate extra argument" 2 "validate takes no arguments (got 'all')" "$fc" validate all
expect "validate bad threads" 2 "--threads 0: expected a whole number" "$fc" validate --threads 0
expect "validate one case" 0 "1 of 1 checks pass" "$fc" validate --only swe_stoker
expect "validate --quick --only a full-set case" 2 "--only ns2d_cylinder: the case is in the full set only; leave out --quick" "$fc" validate --quick --only ns2d_cylinder
expect "validate --quick --only a full-set case second" 2 "--only ns2d_cylinder: the case is in the full set only" "$fc" validate --quick --only swe_mass,ns2d_cylinder
expect "validate --only with an empty name" 2 "--only swe_mass,: an empty name (the names are separated by single commas)" "$fc" validate --only swe_mass,
expect "validate --only misspelt second name" 2 "--only swe_stokr: no such case (did you mean 'swe_stoker'?" "$fc" validate --only swe_mass,swe_stokr
expect "validate bad jobs" 2 "--jobs 0: expected a whole number from 1 to 256" "$fc" validate --jobs 0
# --jobs: each case runs in a process of its own and the table keeps the list's order, whatever
# ends first: the paraboloid (4th in the list) takes 4 s, the geostrophic adjustment (6th) 2 s.
expect "validate --jobs 2" 0 "checks pass" "$fc" validate --only swe_adjustment,swe_paraboloid --jobs 2
if grep -n "^| swe " "$tmp/err" | sed -n '1p;$p' | tr '\n' ' ' | grep -q "paraboloid.*geostrophic adjustment"; then
  ok "validate --jobs 2 prints the cases in the list's order"
else
  bad "validate --jobs 2 prints the cases in the list's order"
fi
# A case whose process dies is that case's failure, and the others still run: one job, so the
# first process found is the 2D-1 cylinder's (tens of seconds; before Taylor-Green in the list).
"$fc" validate --quick --only spectral_taylor_green,ns2d_cylinder_steady >"$tmp/killed.out" 2>&1 &
parent=$!
child=""
for s in $(seq 1 100); do
  for d in /proc/[0-9]*; do
    grep -qs "^PPid:[[:space:]]*$parent\$" "$d/status" && child=${d#/proc/}
  done
  [ -n "$child" ] && break
  sleep 0.1
done
[ -n "$child" ] && kill -9 "$child"
wait "$parent"
rc=$?
if [ "$rc" -eq 1 ] && grep -qF "| ns2d_cylinder_steady | (the case did not run) | - | - | - | FAIL: its process was killed by signal 9" "$tmp/killed.out" &&
  grep -qF "2 of 3 checks pass" "$tmp/killed.out" &&
  [ "$(grep -c "^| spectral Taylor-Green.* | pass |\$" "$tmp/killed.out")" -eq 2 ]; then
  ok "validate: a case whose process is killed fails alone"
else
  bad "validate: a case whose process is killed fails alone (exit $rc, case process '$child')"
  sed 's/^/    | /' "$tmp/killed.out"
  [ -z "$child" ] && kill -9 "$parent" 2>/dev/null
fi

# The README's case and every small case run.
for c in jet dambreak_wet dambreak_dry lake_bump lake_island gravity_waves vortex adjustment; do
  expect "inputs/$c.ini runs" 0 "" "$fc" run "$inputs/$c.ini" -q -o "$tmp/$c.nc" --set time.t_end=$( [ $c = jet ] || [ $c = vortex ] || [ $c = adjustment ] && echo 43200 || echo 0.5)
done
for c in cavity_re100 cavity_re400 cavity_re1000 cavity_re3200 poiseuille channel cylinder \
    cylinders_tandem taylor_green spectral_taylor_green double_shear_layer decaying_turbulence forced_turbulence; do
  expect "inputs/$c.ini runs" 0 "" "$fc" run "$inputs/$c.ini" -q -o "$tmp/$c.nc" --set time.t_end=0.2 --set output.interval=0.1
done
# The triangle reads triangle.nc beside its case file (ncgen makes it from the CDL).
cp "$inputs/triangle_re20.ini" "$tmp/triangle_re20.ini"
"$NCGEN" -k nc4 -o "$tmp/triangle.nc" "$inputs/triangle.cdl"
expect "inputs/triangle_re20.ini runs" 0 "" "$fc" run "$tmp/triangle_re20.ini" -q -o "$tmp/triangle.out.nc" --set time.t_end=0.2 --set output.interval=0.1
expect "the output is a body's file" 2 "is the case's input [obstacle] file = triangle.nc: give another with -o" \
  "$fc" run "$tmp/triangle_re20.ini" -q -o "$tmp/triangle.nc" -O
for c in atmosphere_at_rest thermal_bubble density_current colliding_bubbles inertia_gravity_waves; do
  expect "inputs/$c.ini runs" 0 "" "$fc" run "$inputs/$c.ini" -q -o "$tmp/$c.nc" --set time.t_end=5 --set output.interval=5
done
# A NetCDF-4 file that makes HDF5 loop (found by fuzzing) is refused once its probe has had 10 s;
# a flowcast killed while it waits leaves no probe behind (the child ends itself a second later).
loop="$top_srcdir/tests/fuzz/regressions/field/hdf5-loops-in-probe.nc"
expect "a file that makes HDF5 loop is refused" 2 "the HDF5 library did not finish reading this NetCDF-4 file in 10 s in a probe" \
  "$fc" plot "$loop" -o "$tmp/loop.png"
"$fc" plot "$loop" -o "$tmp/loop.png" 2>/dev/null &
parent=$!
probe=""
for s in 1 2 3 4 5; do
  sleep 1
  for d in /proc/[0-9]*; do
    grep -qs "^PPid:[[:space:]]*$parent\$" "$d/status" && probe=${d#/proc/}
  done
  [ -n "$probe" ] && break
done
kill -9 "$parent"
wait "$parent" 2>/dev/null
gone=""
for s in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
  state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$probe/status" 2>/dev/null)
  if [ -z "$state" ] || [ "$state" = Z ]; then gone=$s; break; fi
  sleep 1
done
if [ -n "$probe" ] && [ -n "$gone" ]; then
  ok "the probe of a killed flowcast ends by itself (${gone} s after)"
else
  bad "the probe of a killed flowcast ends by itself (probe '${probe}', still running after 15 s)"
  [ -n "$probe" ] && kill -9 "$probe" 2>/dev/null
fi
finish
