#!/bin/sh
# malformed.sh: every input file is hostile. Crafted NetCDF files (classic, 64-bit offset, CDF-5
# and NetCDF-4) and case files reach each reader of the program: the restart, the `file` initial
# condition, the model loader (rollout, train --resume), the training-data reader and the
# rollout init. Each defect once found by fuzzing and by hand is a case here: the program must
# exit 2 with a message that names the file and what is wrong, and create no output.
. "${top_srcdir:-.}/tests/lib.sh"

cat >"$tmp/tiny.ini" <<INI
[case]
solver = swe
[grid]
nx = 4
ny = 3
x_max = 2
y_max = 1
[time]
t_end = 0.1
[output]
interval = 0.01
[initial]
type = gaussian_bump
depth = 1
amplitude = 0.1
radius = 0.5
center_x = 1
center_y = 0.5
INI
ini="$tmp/tiny.ini"
out="$tmp/out.nc"
"$fc" run "$ini" -o "$tmp/run.nc" -q >/dev/null 2>&1 || bad "the base run"
"$fc" train --data "$tmp/run.nc" --vars h,hu --static b --epochs 3 --hidden 4 -o "$tmp/model.nc" \
  >/dev/null 2>&1 || bad "the base model"
"$NCDUMP" "$tmp/run.nc" >"$tmp/run.cdl"
"$NCDUMP" "$tmp/model.nc" >"$tmp/model.cdl"

# mk NAME KIND BASE [SED ARGS...]: $tmp/NAME.nc from BASE.cdl edited by sed, written by ncgen
# in format KIND (classic, 64-bit-offset, cdf5, nc4).
mk() {
  name=$1 kind=$2 base=$3
  shift 3
  if [ $# -gt 0 ]; then sed "$@" "$tmp/$base.cdl" >"$tmp/$name.cdl"; else cp "$tmp/$base.cdl" "$tmp/$name.cdl"; fi
  "$NCGEN" -k "$kind" -o "$tmp/$name.nc" "$tmp/$name.cdl" 2>"$tmp/ncgen.err" || {
    bad "ncgen $name"; cat "$tmp/ncgen.err"; }
}

# refused NAME 'message' CMD ARGS...: exit 2, the message, and no $out.
refused() {
  name=$1 text=$2
  shift 2
  rm -f "$out"
  expect "$name" 2 "$text" "$@"
  absent "$name: no output" "$out"
}

# ---- 1. classic formats (libnetcdf's ncio_close was once replaced by ours: heap corruption)
for kind in classic 64-bit-offset cdf5 nc4; do
  mk "run_$kind" "$kind" run
  rm -f "$out"
  expect "restart from a $kind file" 0 "records in $out" "$fc" run "$ini" --set time.t_end=0.2 \
    --restart "$tmp/run_$kind.nc" -o "$out"
  rm -f "$out"
  expect "train on a $kind file" 0 "model in $out" "$fc" train --data "$tmp/run_$kind.nc" --vars h \
    --epochs 1 --hidden 4 -o "$out"
  rm -f "$out"
  expect "rollout from a $kind init" 0 "Forecast: $out" "$fc" rollout --model "$tmp/model.nc" \
    --init "$tmp/run_$kind.nc" --steps 2 -o "$out"
  mk "model_$kind" "$kind" model
  rm -f "$out"
  expect "rollout of a $kind model" 0 "Forecast: $out" "$fc" rollout --model "$tmp/model_$kind.nc" \
    --init "$tmp/run.nc" --steps 2 -o "$out"
done
printf '[initial]\ntype = file\npath = %s\nh_var = h\nu_var = u\nv_var = v\nb_var = b\n' \
  "$tmp/run_classic.nc" >"$tmp/file_ic.part"
sed '/^\[initial\]/,$d' "$ini" >"$tmp/file_ic.ini"
cat "$tmp/file_ic.part" >>"$tmp/file_ic.ini"
rm -f "$out"
expect "file initial condition from a classic file" 0 "records in $out" "$fc" run "$tmp/file_ic.ini" -o "$out"
sed 's/^u_var = u$/u_var = hu/' "$tmp/file_ic.ini" >"$tmp/hu_ic.ini"
refused "file initial condition: a momentum named as the velocity" \
  "variable 'hu' is in 'm2 s-1'; flowcast reads it in m s-1" "$fc" run "$tmp/hu_ic.ini" -o "$out"
# An unlimited y with nothing written along it (a heap overflow in the message, found by
# fuzzing on 4 December 2026).
cat >"$tmp/empty_y.cdl" <<CDL
netcdf empty_y {
dimensions:
  y = UNLIMITED ;
  x = 4 ;
variables:
  double x(x) ;
    x:units = "m" ;
  double y(y) ;
    y:units = "m" ;
  double h(y, x) ;
    h:units = "m" ;
data:
  x = 0.25, 0.75, 1.25, 1.75 ;
}
CDL
"$NCGEN" -k nc4 -o "$tmp/empty_y.nc" "$tmp/empty_y.cdl" 2>"$tmp/ncgen.err" || { bad "ncgen empty_y"; cat "$tmp/ncgen.err"; }
sed -e "s|^path = .*|path = $tmp/empty_y.nc|" -e 's/^u_var = u$/u_var =/' \
  -e 's/^v_var = v$/v_var =/' -e 's/^b_var = b$/b_var =/' "$tmp/file_ic.ini" >"$tmp/empty_y.ini"
refused "file initial condition: no points along y" "variable 'h' has no points along y" \
  "$fc" run "$tmp/empty_y.ini" -o "$out"

# ---- 2. crafted model files (stack and heap overflows once)
mk m_widths nc4 model -e 's/^\tlayer = 3 ;/\tlayer = 3 ;\n\tbig = 20 ;/' -e 's/int widths(layer)/int widths(big)/' \
  -e 's/^ widths = .*/ widths = 27, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2 ;/'
refused "model: 20 widths" "variable 'widths' has 20 values; 2 to 17 expected" \
  "$fc" rollout --model "$tmp/m_widths.nc" --init "$tmp/run.nc" --steps 1 -o "$out"
mk m_stencil_list nc4 model -e 's/:stencil = 3 ;/:stencil = 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3 ;/'
refused "model: a list as stencil" "global attribute 'stencil' should be 1 number; it holds 20 numbers" \
  "$fc" rollout --model "$tmp/m_stencil_list.nc" --init "$tmp/run.nc" --steps 1 -o "$out"
mk m_lr_list nc4 model -e 's/:learning_rate = 0.001 ;/:learning_rate = 1., 2., 3., 4., 5., 6., 7., 8., 9. ;/'
refused "model: a list as learning_rate" "global attribute 'learning_rate' should be 1 number" \
  "$fc" train --data "$tmp/run.nc" --vars h,hu --static b --epochs 5 --hidden 4 --resume -o "$tmp/m_lr_list.nc"
mk m_stencil_huge nc4 model -e 's/:stencil = 3 ;/:stencil = 1073741824 ;/'
refused "model: stencil 2^30" "global attribute 'stencil' is 1073741824; an integer from 1 to 15" \
  "$fc" rollout --model "$tmp/m_stencil_huge.nc" --init "$tmp/run.nc" --steps 1 -o "$out"
mk m_params_2d nc4 model -e 's/float params(param)/float params(layer, param)/' -e '/^ params =/,/;$/d'
refused "model: params on two dimensions" "variable 'params' has 2 dimension(s); 1 expected" \
  "$fc" rollout --model "$tmp/m_params_2d.nc" --init "$tmp/run.nc" --steps 1 -o "$out"
mk m_history nc4 model -e 's/:epochs_done = 3 ;/:epochs_done = 1 ;/' -e 's/:best_epoch = 3 ;/:best_epoch = 1 ;/'
refused "model: a history longer than its epochs" "variable 'train_loss' has 3 values for 1 epochs" \
  "$fc" train --data "$tmp/run.nc" --vars h,hu --static b --epochs 5 --hidden 4 --resume -o "$tmp/m_history.nc"
mk m_moments nc4 model -e 's/^\tparam = \([0-9]*\) ;/\tparam = \1 ;\n\tlonger = 500 ;/' \
  -e 's/float optimizer_m1(param)/float optimizer_m1(longer)/' -e '/^ optimizer_m1 =/,/;$/d'
refused "model: optimiser moments longer than the parameters" "variable 'optimizer_m1' should hold" \
  "$fc" train --data "$tmp/run.nc" --vars h,hu --static b --epochs 5 --hidden 4 --resume -o "$tmp/m_moments.nc"
mk m_nan nc4 model -e 's/^ params = [^,]*,/ params = NaN,/'
refused "model: a NaN parameter" "variable 'params' holds NaN at index 0" \
  "$fc" rollout --model "$tmp/m_nan.nc" --init "$tmp/run.nc" --steps 1 -o "$out"
mk m_vars nc4 model -e 's/:variables = "h,hu" ;/:variables = "h,,hu" ;/'
refused "model: an empty variable name" "must be 1 to 16 and 0 to 16 comma-separated names" \
  "$fc" rollout --model "$tmp/m_vars.nc" --init "$tmp/run.nc" --steps 1 -o "$out"
mk m_opt nc4 model -e 's/:optimizer = "adamw" ;/:optimizer = "lbfgs" ;/'
refused "model: an unknown optimizer" "unknown optimizer 'lbfgs'" \
  "$fc" rollout --model "$tmp/m_opt.nc" --init "$tmp/run.nc" --steps 1 -o "$out"
mk m_text nc4 model -e 's/:activation = "gelu" ;/:activation = 3 ;/'
refused "model: a number where text belongs" "global attribute 'activation' is not text" \
  "$fc" rollout --model "$tmp/m_text.nc" --init "$tmp/run.nc" --steps 1 -o "$out"
refused "model: not a model" "is not a flowcast model file" \
  "$fc" rollout --model "$tmp/run.nc" --init "$tmp/run.nc" --steps 1 -o "$out"

# ---- 3. restart and record readers
mk r_time2d nc4 run -e 's/double time(time) ;/double time(time, nv) ;/' \
  -e 's/^ time = .*/ time = 0, 0, 0.01, 0.01, 0.02, 0.02, 0.03, 0.03, 0.04, 0.04, 0.05, 0.05, 0.06, 0.06, 0.07, 0.07, 0.08, 0.08, 0.09, 0.09, 0.1, 0.1 ;/'
refused "restart: time on two dimensions" "variable 'time' has 2 dimension(s); 1 expected" \
  "$fc" run "$ini" --set time.t_end=0.2 --restart "$tmp/r_time2d.nc" -o "$out"
refused "rollout init: time on two dimensions" "variable 'time' has 2 dimension(s)" \
  "$fc" rollout --model "$tmp/model.nc" --init "$tmp/r_time2d.nc" --steps 1 -o "$out"
refused "train data: time on two dimensions" "variable 'time' has 2 dimension(s)" \
  "$fc" train --data "$tmp/r_time2d.nc" --vars h --epochs 1 -o "$out"
mk r_domain nc4 run -e 's/:flowcast_domain = .*/:flowcast_domain = 0., 2., 0., 1., 0., 2., 0., 1., 0., 2., 0., 1., 0., 2., 0., 1., 0., 2., 0., 1., 0., 2., 0., 1., 0., 2., 0., 1., 0., 2., 0., 1., 0., 2., 0., 1., 0., 2., 0., 1., 0., 2., 0., 1., 0., 2., 0., 1., 0., 2., 0., 1., 0., 2., 0., 1., 0., 2., 0., 1., 0., 2., 0., 1. ;/'
refused "restart: 64 numbers as flowcast_domain" "global attribute 'flowcast_domain' should be 4 numbers; it holds 64" \
  "$fc" run "$ini" --set time.t_end=0.2 --restart "$tmp/r_domain.nc" -o "$out"
mk r_scalar nc4 run -e 's/double time(time) ;/double time ;/' -e 's/^ time = .*/ time = 0 ;/'
refused "restart: a scalar time" "variable 'time' has 0 dimension(s); 1 expected" \
  "$fc" run "$ini" --set time.t_end=0.2 --restart "$tmp/r_scalar.nc" -o "$out"
mk r_nan nc4 run -e '/^ h =/{n;s/^  [^,]*,/  NaN,/}'
# The NaN sits in the first record; a restart reads the last: make it the only one.
mk r_nan1 nc4 run -e '/^ h =/{n;s/^  [^,]*,/  NaN,/}' -e 's/^ time = .*/ time = 0, _, _, _, _, _, _, _, _, _, _ ;/'
refused "restart: NaN in a field" "variable 'h' holds NaN at record 0, cell (i=0, j=0)" \
  "$fc" run "$ini" --set time.t_end=0.2 --restart "$tmp/r_nan1.nc" -o "$out"
mk r_fill1 nc4 run -e '/^ h =/{n;s/^  [^,]*,/  9.96920996838687e+36,/}' -e 's/^ time = .*/ time = 0, _, _, _, _, _, _, _, _, _, _ ;/'
refused "restart: a fill value in a field" "variable 'h' holds a fill value (missing data) at record 0" \
  "$fc" run "$ini" --set time.t_end=0.2 --restart "$tmp/r_fill1.nc" -o "$out"
refused "rollout init: NaN" "variable 'h' holds NaN at record 0, cell (i=0, j=0)" \
  "$fc" rollout --model "$tmp/model.nc" --init "$tmp/r_nan.nc" --steps 1 -o "$out"
refused "train data: NaN" "variable 'h' holds NaN at record 0, cell (i=0, j=0)" \
  "$fc" train --data "$tmp/r_nan.nc" --vars h --epochs 1 -o "$out"
# A record whose time is missing (a crash) or is the variable's own fill value is not a record.
mk r_tfill nc4 run -e 's/^ time = \(.*\), 0.1 ;/ time = \1, _ ;/'
rm -f "$out"
expect "restart: a missing last time ends the records" 0 "from t = 0.09" "$fc" run "$ini" --set time.t_end=0.2 \
  --restart "$tmp/r_tfill.nc" -o "$out"
mk r_tfill2 classic run -e 's/double time(time) ;/double time(time) ;\n\t\ttime:_FillValue = -1. ;/' \
  -e 's/^ time = \(.*\), 0.1 ;/ time = \1, -1 ;/'
rm -f "$out"
expect "restart: a time equal to its _FillValue ends the records" 0 "from t = 0.09" "$fc" run "$ini" \
  --set time.t_end=0.2 --restart "$tmp/r_tfill2.nc" -o "$out"
# Dimensions beyond 32 bits (once narrowed to int: 4294967316 x 4294967306 read as 20 x 10).
cat >"$tmp/huge.cdl" <<CDL
netcdf huge {
dimensions:
	time = UNLIMITED ;
	y = 4294967306LL ;
	x = 4294967316LL ;
variables:
	double time(time) ;
	double h(time, y, x) ;
		h:_ChunkSizes = 1, 1, 1024 ;
	double hu(time, y, x) ;
		hu:_ChunkSizes = 1, 1, 1024 ;
	double hv(time, y, x) ;
		hv:_ChunkSizes = 1, 1, 1024 ;
	double b(y, x) ;
		b:_ChunkSizes = 1, 1024 ;
	:flowcast_solver = "swe" ;
	:flowcast_domain = 0., 2., 0., 1. ;
data:
 time = 0 ;
}
CDL
"$NCGEN" -k nc4 -o "$tmp/huge.nc" "$tmp/huge.cdl" 2>"$tmp/ncgen.err" || { bad "ncgen huge"; cat "$tmp/ncgen.err"; }
sed -e 's/nx = 4/nx = 20/' -e 's/ny = 3/ny = 10/' "$ini" >"$tmp/tiny20.ini"
refused "restart: dimensions beyond 32 bits" "variable 'h' is 4294967316 x 4294967306 (x by y); the grid is 20 x 10" \
  "$fc" run "$tmp/tiny20.ini" --set time.t_end=0.2 --restart "$tmp/huge.nc" -o "$out"
# A time dimension of 4e8 never written: counted in blocks, nothing of its size allocated.
cat >"$tmp/long.cdl" <<CDL
netcdf long {
dimensions:
	time = 400000000 ;
	y = 3 ;
	x = 4 ;
variables:
	double time(time) ;
		time:_ChunkSizes = 65536 ;
	double h(time, y, x) ;
		h:_ChunkSizes = 1, 3, 4 ;
	:flowcast_solver = "swe" ;
	:flowcast_domain = 0., 2., 0., 1. ;
}
CDL
"$NCGEN" -k nc4 -o "$tmp/long.nc" "$tmp/long.cdl" 2>"$tmp/ncgen.err" || { bad "ncgen long"; cat "$tmp/ncgen.err"; }
refused "restart: 4e8 empty records" "holds no complete record" \
  "$fc" run "$ini" --set time.t_end=0.2 --restart "$tmp/long.nc" -o "$out"
refused "train data: 4e8 empty records" "0 complete records: a sample needs two" \
  "$fc" train --data "$tmp/long.nc" --vars h --epochs 1 -o "$out"
refused "file initial condition: 4e8 empty records" "variable 'h' has no complete record" \
  "$fc" run "$(sed "s#$tmp/run_classic.nc#$tmp/long.nc#" "$tmp/file_ic.ini" >"$tmp/long_ic.ini"; echo "$tmp/long_ic.ini")" -o "$out"
mk ic_nan classic run -e '/^ h =/{n;s/^  [^,]*,/  NaN,/}' -e 's/^ time = .*/ time = 0, _, _, _, _, _, _, _, _, _, _ ;/'
sed "s#$tmp/run_classic.nc#$tmp/ic_nan.nc#" "$tmp/file_ic.ini" >"$tmp/nan_ic.ini"
refused "file initial condition: NaN" "variable 'h' holds NaN at record 0, cell (i=0, j=0)" \
  "$fc" run "$tmp/nan_ic.ini" -o "$out"
mk ic_text nc4 run -e 's/\(double\|float\) h(time, y, x) ;/char h(time, y, x) ;/' -e '/^ h =/,/;$/d' -e '/h:_FillValue/d'
sed "s#$tmp/run_classic.nc#$tmp/ic_text.nc#" "$tmp/file_ic.ini" >"$tmp/text_ic.ini"
refused "file initial condition: text, not numbers" "variable 'h' does not hold numbers" \
  "$fc" run "$tmp/text_ic.ini" -o "$out"

# A NetCDF-4 file whose HDF5 global heap gives one object of the dimension lists a size of
# 1 TB, and whose global attributes cannot be read (found by fuzzing `plot`): HDF5 1.10 copies
# the object whole when any reader asks for the variable, so the probe in a child process must
# ask for every variable even after nc_inq has failed.
heap="$top_srcdir/tests/fuzz/regressions/plot/crash-4f13d515d11fed5a7f9d76381a908b30065fd604"
refused "plot: a damaged HDF5 global heap" "a damaged NetCDF-4/HDF5 file" \
  "$fc" plot "$heap" -o "$out"
refused "restart: a damaged HDF5 global heap" "cannot read restart file '$heap': a damaged NetCDF-4" \
  "$fc" run "$ini" --restart "$heap" -o "$out"
refused "train data: a damaged HDF5 global heap" "cannot read data file '$heap': a damaged NetCDF-4" \
  "$fc" train --data "$heap" --vars h --epochs 1 -o "$out"

# ---- 4. cases that never end or fill a disk
refused "a domain of 1e-310 m" "precision takes cells from" "$fc" run "$ini" --set grid.x_max=1e-310 -o "$out"
refused "cfl = 1e-300" "more than [time] max_steps" "$fc" run "$ini" --set time.cfl=1e-300 -o "$out"
refused "5e10 records" "makes 5e+10 records, more than [output] max_records" \
  "$fc" run "$ini" --set output.interval=1e-12 --set time.t_end=0.05 -o "$out"
refused "t_end = 1e308" "more than [output] max_records" "$fc" run "$ini" --set time.t_end=1e308 -o "$out"
rm -f "$out"
expect "max_records can be raised" 0 "records in $out" "$fc" run "$ini" --set output.max_records=20 -o "$out"
rm -f "$out"
# Forced turbulence from rest: the estimate (131 steps) is passed, the flow spins up and the
# loop meets the limit.
expect "a run that reaches max_steps stops, its records kept" 1 "reached [time] max_steps = 500" \
  "$fc" run "$inputs/forced_turbulence.ini" --set grid.nx=64 --set grid.ny=64 \
  --set forcing.wavenumber=8 --set time.max_steps=500 -o "$out"
"$NCDUMP" -h "$out" >/dev/null 2>&1 && ok "its output is readable" || bad "its output is readable"

# ---- 5. smaller ones
mkfifo "$tmp/fifo.ini"
refused "a FIFO as case file" "not a regular file" timeout 20 "$fc" run "$tmp/fifo.ini" -o "$out"
refused "a FIFO as restart file" "not a regular file" timeout 20 "$fc" run "$ini" --restart "$tmp/fifo.ini" -o "$out"
printf '[case]\nsolver = ns2d\n[grid]\nnx = 1\nny = 1\nx_max = 1\ny_max = 1\n[time]\nt_end = 0.1\n[physics]\nviscosity = 0.01\n[initial]\ntype = rest\n' >"$tmp/ns1.ini"
refused "ns2d on a 1 x 1 walled grid" "give the incompressible solver at least 2 cells" "$fc" run "$tmp/ns1.ini" -o "$out"
refused "output folder missing" "the folder '$tmp/no/such' does not exist" "$fc" run "$ini" -o "$tmp/no/such/x.nc"
refused "output is a folder" "it is a folder" "$fc" run "$ini" -o "$tmp"
cp "$tmp/model.nc" "$tmp/keep.nc"
cksum "$tmp/keep.nc" >"$tmp/keep.sum"
expect "rollout -o MODEL -O" 2 "is the model" "$fc" rollout --model "$tmp/keep.nc" --init "$tmp/run.nc" --steps 1 -o "$tmp/keep.nc" -O
cksum "$tmp/keep.nc" | cmp -s - "$tmp/keep.sum" && ok "the model is untouched" || bad "the model is untouched"
cp "$tmp/run.nc" "$tmp/init.nc"
expect "rollout -o INIT -O" 2 "is the init file" "$fc" rollout --model "$tmp/model.nc" --init "$tmp/init.nc" --steps 1 -o "$tmp/init.nc" -O
expect "train -o DATA -O" 2 "is the data file" "$fc" train --data "$tmp/init.nc" --vars h --epochs 1 -o "$tmp/init.nc" -O
ln -s "$tmp/run.nc" "$tmp/run_again.nc"
refused "train --data one file twice" "--data names one file twice ('$tmp/run.nc' and '$tmp/run_again.nc')" "$fc" train --data "$tmp/run.nc,$tmp/run_again.nc" --vars h --epochs 1 -o "$out"
refused "train --hidden ,," "--hidden: an empty item in the list" "$fc" train --data "$tmp/run.nc" --vars h --hidden ,, -o "$out"
refused "train --vars h," "--vars: an empty item" "$fc" train --data "$tmp/run.nc" --vars h, -o "$out"

# A full disk: a small tmpfs, where this machine lets root mount one.
full="$tmp/full"
mkdir "$full"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=64k tmpfs "$full" 2>/dev/null; then
  expect "train on a full disk: exit 1, the reason" 1 "No space left on device" \
    "$fc" train --data "$tmp/run.nc" --vars h --epochs 1 --hidden 2048,2048 -o "$full/m.nc"
  absent "train on a full disk leaves no file" "$full/m.nc"
  expect "a run bigger than the disk is refused" 2 "GB free" "$fc" run "$ini" --set grid.nx=200 --set grid.ny=100 -o "$full/o.nc"
  expect "a compressed run on a full disk: exit 1, the reason" 1 "No space left on device" \
    "$fc" run "$ini" --set grid.nx=200 --set grid.ny=100 --set output.deflate=1 -o "$full/o.nc"
  umount "$full"
  # A read-only file system: another message than a missing folder's.
  mount -t tmpfs -o ro,size=64k tmpfs "$full"
  refused "output on a read-only file system" "the folder '$full' is not writable (Read-only file system)" \
    "$fc" run "$ini" -o "$full/x.nc"
  umount "$full"
else
  echo "skip: full-disk and read-only cases (cannot mount a tmpfs here)"
fi
finish
