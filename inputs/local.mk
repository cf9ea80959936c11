# inputs/: ready-to-run case files, and small input data as CDL text (ncgen makes the .nc).
INPUT_CASES = inputs/dambreak_wet.ini inputs/dambreak_dry.ini inputs/radial_dambreak.ini \
	inputs/lake_bump.ini \
	inputs/lake_island.ini inputs/channel_bump.ini inputs/channel_bump_transcritical.ini \
	inputs/channel_bump_jump.ini inputs/channel_bump_supercritical.ini inputs/paraboloid.ini inputs/gravity_waves.ini inputs/vortex.ini inputs/adjustment.ini inputs/poincare_wave.ini inputs/equatorial_kelvin_wave.ini \
	inputs/jet.ini inputs/jet_large.ini inputs/from_file.ini \
	inputs/cavity_re100.ini inputs/cavity_re400.ini inputs/cavity_re1000.ini \
	inputs/cavity_re3200.ini inputs/cavity_re1000_large.ini inputs/poiseuille.ini \
	inputs/channel.ini inputs/cylinder.ini inputs/cylinder_large.ini inputs/cylinder_2d3.ini inputs/cylinder_re20.ini inputs/cylinders_tandem.ini \
	inputs/triangle_re20.ini inputs/naca0012.ini inputs/backward_step.ini inputs/taylor_green.ini \
	inputs/spectral_taylor_green.ini inputs/double_shear_layer.ini inputs/decaying_turbulence.ini \
	inputs/decaying_turbulence_large.ini inputs/forced_turbulence.ini \
	inputs/atmosphere_at_rest.ini inputs/thermal_bubble.ini inputs/density_current.ini \
	inputs/colliding_bubbles.ini inputs/inertia_gravity_waves.ini
EXTRA_DIST += $(INPUT_CASES) inputs/README.md inputs/initial_state.cdl inputs/triangle.cdl

# Installed to $(pkgdatadir)/inputs, where `flowcast demo` and `flowcast run NAME` find them.
inputsdir = $(pkgdatadir)/inputs
inputs_DATA = $(INPUT_CASES) inputs/README.md inputs/initial_state.nc inputs/triangle.nc
CLEANFILES += inputs/initial_state.nc inputs/triangle.nc
inputs/initial_state.nc: inputs/initial_state.cdl
	$(AM_V_GEN)$(MKDIR_P) inputs && $(NCGEN) -k nc4 -o $@ $(srcdir)/inputs/initial_state.cdl
inputs/triangle.nc: inputs/triangle.cdl
	$(AM_V_GEN)$(MKDIR_P) inputs && $(NCGEN) -k nc4 -o $@ $(srcdir)/inputs/triangle.cdl
