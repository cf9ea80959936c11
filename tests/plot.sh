#!/bin/sh
# plot.sh: `flowcast plot` and `flowcast animate` as a user meets them: pictures of a real run's
# field, series and staggered variables; the same input gives the same bytes; --time all; every
# bad input exits 2 with its message and writes nothing; an existing output is kept without -O;
# films with ffmpeg on PATH (MP4, WebM; where it is installed) and without it (GIF, PNGs, and a
# clear refusal of MP4). The pictures' pixels are checked by tests/test_plot.c.
. "${top_srcdir:-.}/tests/lib.sh"

cat >"$tmp/cyl.ini" <<INI
[case]
solver = ns2d
[grid]
nx = 44
ny = 16
x_max = 2.2
y_max = 0.41
[time]
t_end = 0.3
[output]
interval = 0.1
[physics]
reynolds = 100
reference_speed = 1
reference_length = 0.1
[boundary]
west = inflow
east = open
inflow_speed = 1
[obstacle]
shape = circle
center_x = 0.2
center_y = 0.2
size = 0.1
[initial]
type = rest
INI
nc="$tmp/cyl.nc"
"$fc" run "$tmp/cyl.ini" -o "$nc" --quiet >/dev/null 2>&1 || bad "the run to draw from"

expect "plot --help" 0 "--contours N" "$fc" plot --help
expect "animate --help" 0 "--fps N" "$fc" animate --help
expect "a field, default name" 0 "cyl_vorticity.png" "$fc" plot "$nc"
[ -s "$tmp/cyl_vorticity.png" ] && ok "the default picture is beside the file" || bad "no $tmp/cyl_vorticity.png"
expect "same again without -O" 2 "exists" "$fc" plot "$nc"
cp "$tmp/cyl_vorticity.png" "$tmp/first.png"
expect "same again with -O" 0 "wrote" "$fc" plot "$nc" -O
cmp -s "$tmp/cyl_vorticity.png" "$tmp/first.png" && ok "the same input gives the same bytes" || bad "two drawings differ"
expect "contours, arrows, a colour map, a range, a size" 0 "(640 x 300" \
  "$fc" plot "$nc" --var stream_function --contours 8 --vectors --cmap cividis --range=-0.2,0.2 --size 640x300 -o "$tmp/psi.png"
expect "a staggered variable" 0 "u_face" "$fc" plot "$nc" --var u_face -o "$tmp/uface.png"
expect "a series against time" 0 "drag_coefficient" "$fc" plot "$nc" --var drag_coefficient -o "$tmp/cd.png"
# A long_name of 200 characters is cut at a word with an ellipsis where it does not fit.
expect "a title cut to fit" 0 "max_divergence" "$fc" plot "$nc" --var max_divergence --size 400x300 -o "$tmp/div.png"
expect "a time given" 0 "t = 0.2 s" "$fc" plot "$nc" --var p --time 0.2 -o "$tmp/p.png"
expect "the first record" 0 "t = 0 s" "$fc" plot "$nc" --var p --time first -o "$tmp/p0.png"
expect "every record" 0 "4 pictures" "$fc" plot "$nc" --var u --time all -o "$tmp/u.png"
[ -s "$tmp/u_0000.png" ] && [ -s "$tmp/u_0003.png" ] && [ ! -e "$tmp/u_0004.png" ] && ok "--time all: one picture per record" || bad "--time all pictures"

# Bad input: exit 2, a message that names the problem, nothing written.
expect "no file" 2 "needs a NetCDF file" "$fc" plot
expect "a missing variable" 2 "no variable 'rain' (it has: " "$fc" plot "$nc" --var rain -o "$tmp/x.png"
absent "  nothing written" "$tmp/x.png"
expect "a coordinate (time against time)" 2 "'time' is a coordinate, the axis other variables are drawn against" "$fc" plot "$nc" --var time -o "$tmp/x.png"
expect "a coordinate of space" 2 "'x_face' is a coordinate" "$fc" plot "$nc" --var x_face --contours 3 -o "$tmp/x.png"
expect "a coordinate's cell bounds (CF bounds)" 2 "'x_bnds' holds the bounds of the cells of coordinate 'x', not a quantity to draw" "$fc" plot "$nc" --var x_bnds -o "$tmp/x.png"
expect "contours on a series" 2 "--contours is for fields" "$fc" plot "$nc" --var drag_coefficient --contours 4 -o "$tmp/x.png"
absent "  nothing written" "$tmp/x.png"
expect "a time out of range" 2 "--time 7: out of range" "$fc" plot "$nc" --time 7 -o "$tmp/x.png"
expect "a time that is no number" 2 "expected first, last, all or a time" "$fc" plot "$nc" --time noon -o "$tmp/x.png"
absent "  nothing written" "$tmp/x.png"
# A field on pressure levels (ERA5's, CMIP's): drawn at the level --at names.
cat >"$tmp/levels.cdl" <<CDL
netcdf levels {
dimensions: time = UNLIMITED ; plev = 2 ; y = 2 ; x = 3 ;
variables:
  double time(time) ; time:units = "hours since 2000-01-01" ;
  float plev(plev) ; plev:units = "hPa" ;
  float ta(time, plev, y, x) ; ta:units = "K" ;
data: time = 6 ; plev = 850, 500 ; ta = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 ;
}
CDL
"$NCGEN" -o "$tmp/levels.nc" "$tmp/levels.cdl"
expect "a field on levels at one" 0 "ta at plev = 500 hPa, 2000-01-01 06:00 UTC" \
  "$fc" plot "$tmp/levels.nc" --at plev=500 -o "$tmp/ta.png"
expect "... and without --at, what it holds" 2 "pick one plev with --at plev=VALUE ('plev' has 2 values: 850, 500 hPa)" \
  "$fc" plot "$tmp/levels.nc" -o "$tmp/x.png"
expect "... and a film of it" 0 "" "$fc" animate "$tmp/levels.nc" --at plev=850 -o "$tmp/ta.gif"
absent "  nothing written" "$tmp/x.png"
# WRF's curvilinear grid: drawn in XLONG and XLAT, as a film too; no arrows on it.
cat >"$tmp/wrf.cdl" <<CDL
netcdf wrf {
dimensions: Time = UNLIMITED ; south_north = 2 ; west_east = 3 ;
variables:
  float XLAT(Time, south_north, west_east) ; XLAT:units = "degree_north" ;
  float XLONG(Time, south_north, west_east) ; XLONG:units = "degree_east" ;
  float T2(Time, south_north, west_east) ; T2:units = "K" ; T2:coordinates = "XLONG XLAT XTIME" ;
data: XLAT = 40, 40.1, 40.2, 41, 41.1, 41.2, 40, 40.1, 40.2, 41, 41.1, 41.2 ;
  XLONG = -100, -99, -98, -100.2, -99.2, -98.2, -100, -99, -98, -100.2, -99.2, -98.2 ;
  T2 = 290, 291, 292, 289, 290, 291, 280, 281, 282, 279, 280, 281 ;
}
CDL
"$NCGEN" -o "$tmp/wrf.nc" "$tmp/wrf.cdl"
expect "a curvilinear grid" 0 "wrote $tmp/t2.png" "$fc" plot "$tmp/wrf.nc" --var T2 --contours 3 -o "$tmp/t2.png"
expect "... and a film of it" 0 "" "$fc" animate "$tmp/wrf.nc" --var T2 -o "$tmp/t2.gif"
expect "... without arrows" 2 "'T2' is on a curvilinear grid" "$fc" plot "$tmp/wrf.nc" --var T2 --vectors -o "$tmp/x.png"
absent "  nothing written" "$tmp/x.png"
# What plot and animate cannot draw from a file that is not a field's.
cat >"$tmp/lines.cdl" <<CDL
netcdf lines {
dimensions: x = 3 ; time = 2 ;
variables: double a(x) ; double time(time) ; time:units = "s" ; double m(x, time) ;
data: a = 1, 2, 3 ; time = 0, 1 ; m = 1, 2, 3, 4, 5, 6 ;
}
CDL
"$NCGEN" -o "$tmp/lines.nc" "$tmp/lines.cdl"
expect "no field to draw: the lines it has" 2 "lines.nc has no two-dimensional field to draw; give --var, one of its lines: a" "$fc" plot "$tmp/lines.nc" -o "$tmp/x.png"
expect "time not the first dimension" 2 "variable 'm' has time as dimension 2 of 2; plot reads it first" "$fc" plot "$tmp/lines.nc" --var m -o "$tmp/x.png"
expect "a time for a variable without one" 2 "--time 3: 'a' in $tmp/lines.nc has no time dimension" "$fc" plot "$tmp/lines.nc" --var a --time 3 -o "$tmp/x.png"
expect "a film of a profile without time" 2 "'a' is a profile without time; animate draws fields on (y, x) and profiles over time" "$fc" animate "$tmp/lines.nc" --var a -o "$tmp/x.gif"
expect "a film of a series" 2 "'drag_coefficient' is a series over time; animate draws fields" "$fc" animate "$nc" --var drag_coefficient -o "$tmp/x.gif"
expect "a film of an unknown kind" 2 "-o $tmp/x.avi: name a film OUT.mp4, OUT.webm or OUT.gif, or a folder DIR/ for numbered PNGs" "$fc" animate "$nc" -o "$tmp/x.avi"
absent "  nothing written" "$tmp/x.png"
absent "  no film" "$tmp/x.gif"
echo "not netcdf" >"$tmp/text.nc"
expect "a file that is not NetCDF" 2 "text.nc" "$fc" plot "$tmp/text.nc" -o "$tmp/x.png"
expect "a file that does not exist" 2 "No such file" "$fc" plot "$tmp/none.nc" -o "$tmp/x.png"
expect "a folder as the file" 2 "" "$fc" plot "$tmp" -o "$tmp/x.png"
expect "an unknown colour map" 2 "no such colour map" "$fc" plot "$nc" --cmap jet -o "$tmp/x.png"
expect "a bad range" 2 "LO < HI" "$fc" plot "$nc" --range 3,1 -o "$tmp/x.png"
expect "a bad size" 2 "--size 10x10" "$fc" plot "$nc" --size 10x10 -o "$tmp/x.png"
expect "not a .png" 2 "name the picture OUT.png" "$fc" plot "$nc" -o "$tmp/x.jpg"
expect "an output folder that is missing" 2 "" "$fc" plot "$nc" -o "$tmp/no/such/x.png"
expect "--vectors without u and v" 2 "--vectors" "$fc" plot "$nc" --var u_face --vectors -o "$tmp/x.png"
absent "  nothing written" "$tmp/x.png"
cp "$nc" "$tmp/data.png"
expect "the output is the input" 2 "is the file to draw" "$fc" plot "$tmp/data.png" -o "$tmp/data.png" -O
cmp -s "$nc" "$tmp/data.png" && ok "  the input is untouched" || bad "  the input was overwritten"
ls "$tmp" | grep -q part && bad "a temporary file was left behind" || ok "no temporary file left behind"

# Films. Without ffmpeg: a GIF by default, numbered PNGs, and MP4 refused.
expect "animate without ffmpeg: a GIF" 0 "cyl_vorticity.gif" env PATH=/nonexistent "$fc" animate "$nc"
expect "animate --time is refused" 2 "--time is for flowcast plot" "$fc" animate "$nc" --time 1
expect "animate to PNGs" 0 "numbered PNGs" env PATH=/nonexistent "$fc" animate "$nc" --var p -o "$tmp/frames/"
[ -s "$tmp/frames/p_0003.png" ] && ok "  four frames" || bad "  frames missing"
expect "MP4 without ffmpeg" 2 "needs ffmpeg, which is not on PATH" env PATH=/nonexistent "$fc" animate "$nc" -o "$tmp/film.mp4"
absent "  nothing written" "$tmp/film.mp4"
expect "an unknown film format" 2 "OUT.mp4, OUT.webm or OUT.gif" "$fc" animate "$nc" -o "$tmp/film.avi"
if command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; then
  expect "animate with ffmpeg: MP4" 0 "encoded by ffmpeg" "$fc" animate "$nc" --fps 4 -o "$tmp/film.mp4"
  frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames,codec_name -of csv=p=0 "$tmp/film.mp4")
  [ "$frames" = "h264,4" ] && ok "  H.264, 4 frames" || bad "  ffprobe says: $frames"
  expect "WebM" 0 "encoded by ffmpeg" "$fc" animate "$nc" --var p -o "$tmp/film.webm"
  frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames,codec_name -of csv=p=0 "$tmp/film.webm")
  [ "$frames" = "vp9,4" ] && ok "  VP9, 4 frames" || bad "  ffprobe says: $frames"
  # An ffmpeg that fails: the error is reported, nothing is left.
  mkdir -p "$tmp/bin" && printf '#!/bin/sh\necho "ffmpeg: broken" >&2\nexit 1\n' >"$tmp/bin/ffmpeg" && chmod +x "$tmp/bin/ffmpeg"
  expect "a failing ffmpeg" 1 "ffmpeg" env PATH="$tmp/bin" "$fc" animate "$nc" -o "$tmp/broken.mp4"
  absent "  nothing written" "$tmp/broken.mp4"
else
  echo "note: ffmpeg is not installed; MP4 and WebM are not tested here (CI installs it)"
fi
ls "$tmp" | grep -q part && bad "a temporary film was left behind" || ok "no temporary film left behind"
finish
