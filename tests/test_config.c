/* test_config.c: case-file loading: values, defaults, overrides, and every error a user can
 * meet, each naming the file, line and key. */
#include <fc_build.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/core/config.h"
#include "src/core/solver.h"
#include "tests/suites.h"
#include "tests/testlib.h"
#include "solvers/registry.h"

static const char good[] = "; a comment\n"
                           "[case]\nsolver = swe\n"
                           "[grid]\nnx = 32\nny = 16\nx_max = 1\ny_max = 0.5\n"
                           "[time]\nt_end = 2\n"
                           "[initial]\ntype = gaussian_bump\ndepth = 1\namplitude = 0.1\n"
                           "radius = 0.1\n";

/* Loads text (with overrides) expecting failure; returns the message. */
static const char *load_bad(const char *text, const char *const *sets, int nsets)
{
    static fc_err err;
    fc_config cfg;
    const char *path = tl_temp_file("bad.ini", text);
    ck_assert_int_eq(fc_config_load(path, sets, nsets, fc_solvers(), &cfg, &err), FC_EINPUT);
    return err.msg;
}

#define ASSERT_HAS(msg, part) ck_assert_msg(strstr((msg), (part)), "'%s' not in:\n%s", (part), (msg))

START_TEST(valid_case_defaults_and_overrides)
{
    fc_config cfg;
    fc_err err;
    /* a key set twice takes its last value (a script's base list, then its own), and the
     * output's record of the overrides holds that one only */
    const char *sets[] = {"grid.nx=48", "numerics.flux = hll", "grid.nx=64"};
    const char *path = tl_temp_file("good.ini", good);
    ck_assert_msg(fc_config_load(path, sets, 3, fc_solvers(), &cfg, &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(fc_cfg_int(&cfg, "grid", "nx"), 64);
    char *overrides = fc_cfg_overrides_text(&cfg);
    ck_assert_ptr_nonnull(overrides);
    ck_assert_str_eq(overrides, "grid.nx=64\nnumerics.flux=hll");
    free(overrides);
    ck_assert_int_eq(fc_cfg_int(&cfg, "grid", "ny"), 16);
    ck_assert_double_eq(fc_cfg_real(&cfg, "time", "cfl"), 0.45);
    ck_assert_double_eq(fc_cfg_real(&cfg, "physics", "g"), 9.81);
    ck_assert_double_eq(fc_cfg_real(&cfg, "initial", "radius"), 0.1);
    ck_assert_int_eq(fc_cfg_choice(&cfg, "numerics", "flux"), 0);
    ck_assert_int_eq(fc_cfg_value(&cfg, "grid", "nx")->line, 0);
    ck_assert_int_eq(fc_cfg_value(&cfg, "grid", "ny")->line, 6);
    ck_assert_str_eq(cfg.name, "good");
    ck_assert_ptr_nonnull(strstr(cfg.text, "gaussian_bump"));
    fc_config_free(&cfg);
}
END_TEST

START_TEST(missing_and_unreadable_files)
{
    fc_config cfg;
    fc_err err;
    ck_assert_int_eq(fc_config_load("/nonexistent/case.ini", NULL, 0, fc_solvers(), &cfg, &err), FC_EINPUT);
    ASSERT_HAS(err.msg, "cannot read case file '/nonexistent/case.ini'");
    ck_assert_int_eq(fc_config_load("/tmp", NULL, 0, fc_solvers(), &cfg, &err), FC_EINPUT);
    ASSERT_HAS(err.msg, "is a directory");
    if (getuid() != 0) { /* root reads anything */
        const char *p = tl_temp_file("locked.ini", good);
        chmod(p, 0);
        ck_assert_int_eq(fc_config_load(p, NULL, 0, fc_solvers(), &cfg, &err), FC_EINPUT);
        ASSERT_HAS(err.msg, "Permission denied");
    }
}
END_TEST

/* A case file is UTF-8: a Latin-1 title is refused with its line and column, as is an override
 * that is not UTF-8; UTF-8 beyond ASCII (a degree sign, an em dash) is kept as written. */
START_TEST(case_file_must_be_utf8)
{
    ASSERT_HAS(load_bad("[case]\nsolver = swe\ntitle = Lac L\xe9man\n", NULL, 0),
               ":3: byte 0xe9 at column 14 is not UTF-8");
    ASSERT_HAS(load_bad("[case]\nsolver = swe\n; caf\xc3\n", NULL, 0), ":3: byte 0xc3 at column 6");
    ASSERT_HAS(load_bad("[case]\xed\xa0\x80\n", NULL, 0), ":1: byte 0xed at column 7");
    const char *latin1_set[] = {"case.title=L\xe9man"};
    ASSERT_HAS(load_bad(good, latin1_set, 1), "not UTF-8 text");
    const char *text = "[case]\nsolver = swe\n"
                       "title = Lac L\xc3\xa9man at 4 \xc2\xb0" "C \xe2\x80\x94 a test\n"
                       "[grid]\nnx = 8\nny = 8\nx_max = 1\ny_max = 1\n[time]\nt_end = 1\n"
                       "[initial]\ntype = gaussian_bump\ndepth = 1\namplitude = 0.1\nradius = 0.1\n";
    fc_config cfg;
    fc_err err;
    ck_assert_msg(fc_config_load(tl_temp_file("utf8.ini", text), NULL, 0, fc_solvers(), &cfg,
                                 &err) == FC_OK, "%s", err.msg);
    ck_assert_str_eq(fc_cfg_str(&cfg, "case", "title"),
                     "Lac L\xc3\xa9man at 4 \xc2\xb0" "C \xe2\x80\x94 a test");
    fc_config_free(&cfg);
}
END_TEST

/* What Windows editors write loads as the same case: a UTF-8 byte-order mark before the first
 * line and CRLF line ends; line numbers still count from the first line. */
START_TEST(byte_order_mark_and_crlf_are_accepted)
{
    fc_config cfg;
    fc_err err;
    const char *text = "\xef\xbb\xbf; a comment\r\n[case]\r\nsolver = swe\r\n"
                       "[grid]\r\nnx = 32\r\nny = 16\r\nx_max = 1\r\ny_max = 0.5\r\n"
                       "[time]\r\nt_end = 2\r\n[initial]\r\ntype = gaussian_bump\r\n"
                       "depth = 1\r\namplitude = 0.1\r\nradius = 0.1\r\n";
    ck_assert_msg(fc_config_load(tl_temp_file("windows.ini", text), NULL, 0, fc_solvers(), &cfg,
                                 &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(fc_cfg_int(&cfg, "grid", "ny"), 16);
    ck_assert_int_eq(fc_cfg_value(&cfg, "grid", "ny")->line, 6);
    ck_assert_str_eq(fc_cfg_str(&cfg, "case", "solver"), "swe");
    /* The text the output stores: Unix line ends, no mark. */
    ck_assert_str_eq(cfg.text, "; a comment\n[case]\nsolver = swe\n[grid]\nnx = 32\nny = 16\n"
                               "x_max = 1\ny_max = 0.5\n[time]\nt_end = 2\n[initial]\n"
                               "type = gaussian_bump\ndepth = 1\namplitude = 0.1\nradius = 0.1\n");
    fc_config_free(&cfg);
    /* The mark directly before a key, not only before a comment. */
    ck_assert_msg(fc_config_load(tl_temp_file("bom.ini", "\xef\xbb\xbf[case]\nsolver = swe\n"
                                              "[grid]\nnx = 8\nny = 8\nx_max = 1\ny_max = 1\n"
                                              "[time]\nt_end = 1\n[initial]\n"
                                              "type = gaussian_bump\ndepth = 1\n"
                                              "amplitude = 0.1\nradius = 0.1\n"),
                                 NULL, 0, fc_solvers(), &cfg, &err) == FC_OK, "%s", err.msg);
    fc_config_free(&cfg);
    ASSERT_HAS(load_bad("[case]\nsolver = swe\n\xef\xbb\xbf[grid]\n", NULL, 0), "bad.ini:3:");
}
END_TEST

/* Values in quotes, as other INI dialects write them, mean the text inside; a '#' after a value
 * is not a comment (only ';' is), and the message says so. */
START_TEST(quoted_values_and_hash_comments)
{
    fc_config cfg;
    fc_err err;
    const char *sets[] = {"grid.ny = '16'", "case.title=\"Two 'words'\""};
    ck_assert_msg(fc_config_load(tl_temp_file("quoted.ini", "[case]\nsolver = \"swe\"\n"
                                              "title = \"A quoted title\"\n"
                                              "[grid]\nnx = \"32\"\nny = 8\nx_max = 1\n"
                                              "y_max = 0.5\n[time]\nt_end = 2 ; seconds\n"
                                              "[initial]\ntype = 'gaussian_bump'\n"
                                              "depth = 1\namplitude = 0.1\nradius = 0.1\n"),
                                 sets, 2, fc_solvers(), &cfg, &err) == FC_OK, "%s", err.msg);
    ck_assert_int_eq(fc_cfg_int(&cfg, "grid", "nx"), 32);
    ck_assert_int_eq(fc_cfg_int(&cfg, "grid", "ny"), 16);
    ck_assert_str_eq(fc_cfg_str(&cfg, "case", "solver"), "swe");
    ck_assert_str_eq(fc_cfg_str(&cfg, "case", "title"), "Two 'words'");
    ck_assert_double_eq(fc_cfg_real(&cfg, "time", "t_end"), 2.0);
    fc_config_free(&cfg);
    /* Unmatched quotes are the text itself, and a number in them is no number. */
    ASSERT_HAS(load_bad("[case]\nsolver = swe\n[grid]\nnx = \"32\n", NULL, 0),
               "bad.ini:4: [grid] nx = \"32: expected an integer, got '\"32'");
    ASSERT_HAS(load_bad("[case]\nsolver = swe\n[grid]\nnx = 32 # cells\n", NULL, 0),
               "bad.ini:4: [grid] nx = 32 # cells: expected an integer, got '32 # cells' (a "
               "comment after a value starts with ';', not '#')");
    ASSERT_HAS(load_bad("[case]\nsolver = swe\n[grid]\nnx = #32\n", NULL, 0),
               "got '#32'");
    ck_assert_ptr_null(strstr(load_bad("[case]\nsolver = swe\n[grid]\nnx = #32\n", NULL, 0),
                              "comment after"));
}
END_TEST

/* The output's reference time is a date that exists in CF's standard calendar (else xarray and
 * cftime cannot decode the file's time), written as CF's units spell it whatever form it came
 * in. */
START_TEST(reference_time_is_a_real_date)
{
    static const struct {
        const char *given, *written;
    } good_dates[] = {
        {"2000-01-01", "2000-01-01 00:00:00"},
        {"2000-01-01T06:30:00Z", "2000-01-01 06:30:00"},
        {"2024-02-29 12:00", "2024-02-29 12:00:00"},
        {"2000-2-29 6:5:4", "2000-02-29 06:05:04"},
        {"1500-02-29", "1500-02-29 00:00:00"}, /* Julian: every fourth year leaps */
        {"1582-10-04 23:59:59", "1582-10-04 23:59:59"},
        {"1582-10-15", "1582-10-15 00:00:00"},
        /* a zone's offset taken off, across midnight, a year's end and the calendar's jump */
        {"2020-06-01T00:30:00+02:00", "2020-05-31 22:30:00"},
        {"2000-01-01 00:00:00 -05:00", "2000-01-01 05:00:00"},
        {"2000-12-31T23:00:00-0130", "2001-01-01 00:30:00"},
        {"2024-03-01T01:00+05", "2024-02-29 20:00:00"},
        {"2024-03-01 01:00 -5", "2024-03-01 06:00:00"},
        {"2024-03-01 01:00 UTC", "2024-03-01 01:00:00"},
        {"1582-10-15T00:00:00+01:00", "1582-10-04 23:00:00"},
    };
    for (size_t k = 0; k < sizeof good_dates / sizeof good_dates[0]; k++) {
        char canon[32];
        ck_assert_msg(fc_reference_time_text(good_dates[k].given, canon, sizeof canon) == 0,
                      "'%s' refused", good_dates[k].given);
        ck_assert_str_eq(canon, good_dates[k].written);
    }
    static const char *const bad_dates[] = {
        "2023-02-29", "1900-02-29", "2000-04-31", "2000-13-01", "2000-00-10", "0000-01-01",
        "1582-10-10", "2000-01-01 24:00:00", "2000-01-01 23:60", "2000-01-01 23:59:60",
        "2000-01-01 -1:00", "200-01-01", "+2000-01-01", "2000-01-01Z06", "2000-01-01 06",
        "2000-01-01T06:00:00+15:00", "2000-01-01T06:00:00+01:60", "2000-01-01T06:00:00+123",
        "2000-01-01T06:00:00+01:0", "2000-01-01T06:00:00+01:00Z", "2000-01-01+01:00",
        "0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00", "yesterday", ""};
    for (size_t k = 0; k < sizeof bad_dates / sizeof bad_dates[0]; k++) {
        char canon[32];
        ck_assert_msg(fc_reference_time_text(bad_dates[k], canon, sizeof canon) == -1,
                      "'%s' accepted", bad_dates[k]);
    }
    const char *sets[] = {"output.reference_time=2023-02-29"};
    ASSERT_HAS(load_bad(good, sets, 1), "[output] reference_time = 2023-02-29: expected a date of "
                                        "the standard calendar");
}
END_TEST

START_TEST(every_error_reported_at_once_with_line_and_key)
{
    const char *msg = load_bad("[case]\nsolver = swe\n"
                               "[grid]\nnx = 0\nny = ten\nx_max = 1\ny_max = nan\n"
                               "this line is nonsense\n"
                               "[time]\nt_end = 1\ncfl = 1.5\ncfll = 0.3\n"
                               "[weather]\nrain = 1\n"
                               "[initial]\ntype = gaussian_bump\ndepth = -1\namplitude = 0\n"
                               "radius = 1\n",
                               NULL, 0);
    ASSERT_HAS(msg, "bad.ini:4: [grid] nx = 0: must be in [1, 1048576]");
    ASSERT_HAS(msg, "bad.ini:5: [grid] ny = ten: expected an integer");
    ASSERT_HAS(msg, "bad.ini:7: [grid] y_max = nan: must be a finite number");
    ASSERT_HAS(msg, "bad.ini:8: malformed line 'this line is nonsense'");
    ASSERT_HAS(msg, "bad.ini:11: [time] cfl = 1.5: must be in (0, 1]");
    ASSERT_HAS(msg, "bad.ini:12: unknown key 'cfll' in [time] (did you mean 'cfl'?)");
    ASSERT_HAS(msg, "bad.ini:14: unknown section [weather]");
    ASSERT_HAS(msg, "bad.ini:17: [initial] depth = -1: must be > 0 m");
}
END_TEST

START_TEST(missing_required_keys_and_bad_choices)
{
    const char *msg = load_bad("[case]\nsolver = swe\n[grid]\nnx = 8\n"
                               "[boundary]\nwest = sticky\n"
                               "[initial]\ntype = dambreak\n",
                               NULL, 0);
    ASSERT_HAS(msg, "missing required key [grid] ny");
    ASSERT_HAS(msg, "missing required key [time] t_end (s)");
    ASSERT_HAS(msg, "missing required key [initial] depth_left (m)");
    ASSERT_HAS(msg, "bad.ini:6: [boundary] west = sticky: must be one of: periodic, wall, open, inflow");
    msg = load_bad("[case]\nsolver = shallow\n", NULL, 0);
    ASSERT_HAS(msg, "unknown solver 'shallow' (known: swe, ns2d, spectral, euler)");
    msg = load_bad("[case]\nsolver = swe\n[initial]\ntype = tsunami\n", NULL, 0);
    ASSERT_HAS(msg, "unknown initial condition 'tsunami' for solver swe");
}
END_TEST

START_TEST(duplicates_sections_and_foreign_parameters)
{
    const char *msg = load_bad("[case]\nsolver = swe\n[grid]\nnx = 8\nnx = 9\nny = 8\n"
                               "x_max = 1\ny_max = 1\n[time]\nt_end = 1\n"
                               "[initial]\ntype = gaussian_bump\ndepth = 1\namplitude = 0.1\n"
                               "radius = 0.1\ndam_x = 3\n[grid\n",
                               NULL, 0);
    ASSERT_HAS(msg, "bad.ini:5: [grid] nx is set twice (first on line 4)");
    ASSERT_HAS(msg, "[initial] dam_x belongs to initial condition 'dambreak', not to "
                    "'gaussian_bump'");
    ASSERT_HAS(msg, "bad.ini:17: malformed section header '[grid' (missing ']')");
    /* Another initial condition chosen with --set leaves the file's keys of its own be, as
     * fc_cfg_idle does (a ready-made case started from a file); one given with --set is still
     * refused, and so is the file's when the file chose the initial condition. */
    const char *other[] = {"initial.type=dambreak", "initial.dam_x=0.5", "initial.depth_left=1",
                           "initial.depth_right=0.5", "initial.radius=0.2"};
    fc_config cfg;
    fc_err err;
    const char *path = tl_temp_file("good.ini", good);
    ck_assert_msg(fc_config_load(path, other, 4, fc_solvers(), &cfg, &err) == FC_OK, "%s", err.msg);
    ck_assert_double_eq(fc_cfg_real(&cfg, "initial", "depth_right"), 0.5);
    fc_config_free(&cfg);
    msg = load_bad(good, other, 5);
    ASSERT_HAS(msg, "--set initial.radius=0.2: [initial] radius belongs to initial condition");
    ck_assert_msg(!strstr(msg, "bad.ini:"), "the file's keys were refused:\n%s", msg);
}
END_TEST

START_TEST(overrides_are_checked_too)
{
    const char *sets[] = {"grid.nx=-3", "gridnx=4", "grid.colour=red"};
    const char *msg = load_bad(good, sets, 3);
    ASSERT_HAS(msg, "--set grid.nx=-3: [grid] nx = -3: must be in [1, 1048576]");
    ASSERT_HAS(msg, "--set gridnx=4: expected section.key=value");
    ASSERT_HAS(msg, "--set grid.colour=red: unknown key 'colour' in [grid]");
}
END_TEST

START_TEST(cross_key_checks)
{
    const char *sets[] = {"grid.x_max=-1", "boundary.west=periodic", "initial.amplitude=-2",
                          "output.reference_time=yesterday"};
    const char *msg = load_bad(good, sets, 4);
    ASSERT_HAS(msg, "[grid] x_max = -1: must be greater than x_min (0)");
    ASSERT_HAS(msg, "[boundary] east = wall: must be periodic too, since west is periodic");
    ASSERT_HAS(msg, "[output] reference_time = yesterday: expected a date");
    ASSERT_HAS(msg, "[initial] amplitude = -2: the depth at the centre, depth + amplitude, must "
                    "be positive");
}
END_TEST

/* A domain whose cells the solvers cannot square and invert is refused when the case loads,
 * not met as a NaN in the first step (an ns2d run reported a singular pressure operator). */
START_TEST(cell_sizes_are_in_range)
{
    const char *sets[] = {"grid.x_min=-1e308", "grid.x_max=1e308", "grid.y_max=1e-300"};
    const char *msg = load_bad(good, sets, 3);
    ASSERT_HAS(msg, "--set grid.x_max=1e308: [grid] x_max = 1e308: cells inf m across along x "
                    "(from x_min = -1e+308 to x_max = 1e+308 in 32 cells); " FC_PRECISION
                    " precision takes cells from ");
    ASSERT_HAS(msg, "[grid] y_max = 1e-300: cells 6.25e-302 m across along y (from y_min = 0 to "
                    "y_max = 1e-300 in 16 cells)");
    /* The bounds themselves are taken (x4 and /4 are exact in binary). */
#ifdef FC_SINGLE
#define EDGE "x_max = 4e9\ny_max = 4e-9\n[time]\nt_end = 1\n[initial]\ndam_x = 2e9\n"
#else
#define EDGE "x_max = 4e75\ny_max = 4e-75\n[time]\nt_end = 1\n[initial]\ndam_x = 2e75\n"
#endif
    fc_config cfg;
    fc_err err;
    const char *path = tl_temp_file("edge.ini", "[case]\nsolver = swe\n[grid]\nnx = 4\nny = 4\n" EDGE
                                    "type = dambreak\ndepth_left = 2\ndepth_right = 1\n");
#undef EDGE
    ck_assert_msg(fc_config_load(path, NULL, 0, fc_solvers(), &cfg, &err) == FC_OK, "%s",
                  err.msg);
    fc_config_free(&cfg);
}
END_TEST

START_TEST(vortex_balance_is_checked)
{
    const char *msg = load_bad("[case]\nsolver = swe\n[grid]\nnx = 8\nny = 8\nx_min = -1e6\n"
                               "x_max = 1e6\ny_min = -1e6\ny_max = 1e6\n[time]\nt_end = 1\n"
                               "[physics]\nf0 = 1e-5\nbeta = 1e-11\n"
                               "[initial]\ntype = vortex\ndepth = 1000\namplitude = 300\n"
                               "radius = 3e5\n",
                               NULL, 0);
    ASSERT_HAS(msg, "bad.ini:18: [initial] amplitude = 300: a high this strong has no "
                    "gradient-wind balance");
    ASSERT_HAS(msg, "[physics] beta = 1e-11: the vortex is balanced on an f-plane only");
}
END_TEST

/* The smallest valid case of each initial condition of each solver: the [initial] keys, then
 * any other sections it needs. */
#define PERIODIC                                                                                 \
    "[boundary]\nwest = periodic\neast = periodic\nsouth = periodic\nnorth = periodic\n"
static const struct {
    const char *solver, *ic, *keys;
} minimal_ic[] = {
    {"swe", "dambreak", "depth_left = 1\ndepth_right = 0.5\ndam_x = 0.5\n"},
    {"swe", "radial_dambreak", ""},
    {"swe", "lake_at_rest", "surface = 1\n"},
    {"swe", "gaussian_bump", "depth = 1\namplitude = 0.1\nradius = 0.1\n"},
    {"swe", "vortex", "depth = 1000\namplitude = -50\nradius = 3e5\n"},
    {"swe", "paraboloid", ""},
    {"swe", "adjustment", "depth = 1\nstep = 0.1\n"},
    {"swe", "jet", "depth = 1000\njet_speed = 30\njet_width = 3e5\n"},
    {"swe", "standing_wave", "depth = 1\namplitude = 0.01\n"},
    {"swe", "kelvin_wave", "depth = 1\namplitude = 0.01\n"},
    {"swe", "file", "path = state.nc\n"},
    {"ns2d", "rest", "[physics]\nviscosity = 0.01\n"},
    {"ns2d", "taylor_green",
     "amplitude = 1\n[physics]\nviscosity = 0.01\n[boundary]\nwest = periodic\n"
     "east = periodic\nsouth = periodic\nnorth = periodic\n"},
    {"ns2d", "file", "path = velocity.nc\n[physics]\nviscosity = 0.01\n"},
    {"spectral", "taylor_green", "amplitude = 1\nwavenumber = 6.283185307179586\n" PERIODIC},
    {"spectral", "double_shear_layer", "layer_width = 0.03\n" PERIODIC},
    {"spectral", "random_spectrum", "energy = 0.5\npeak_wavenumber = 20\n" PERIODIC},
    {"spectral", "rest", PERIODIC},
    {"spectral", "file", "path = vorticity.nc\n" PERIODIC},
    {"euler", "rest", ""},
    {"euler", "bubble",
     "amplitude = 1\ncenter_x = 0.5\ncenter_z = 0.5\nradius_x = 0.2\nradius_z = 0.2\n"},
    {"euler", "gravity_wave", ""},
    {"euler", "file", "path = theta.nc\n"},
};

/* Nonsense for key k: just outside its range, a non-number, or a word not among its choices. */
static int nonsense(const fc_key *k, char *buf, size_t len)
{
    switch (k->type) {
    case FC_KEY_INT:
    case FC_KEY_REAL:
        if (isfinite(k->lo))
            snprintf(buf, len, "%.17g", (k->open & FC_OPEN_LO) ? k->lo : k->lo - 1);
        else if (isfinite(k->hi))
            snprintf(buf, len, "%.17g", (k->open & FC_OPEN_HI) ? k->hi : k->hi + 1);
        else
            snprintf(buf, len, "%s", k->type == FC_KEY_INT ? "1.5" : "nan");
        return 1;
    case FC_KEY_CHOICE:
        snprintf(buf, len, "bogus");
        return 1;
    default:
        return 0;
    }
}

static int tested_keys(const fc_key *keys, size_t n, const char *ic, const char *ini)
{
    int count = 0;
    for (size_t k = 0; k < n; k++) {
        if (keys[k].ic && strcmp(keys[k].ic, ic))
            continue;
        char value[64], set[256];
        if (!nonsense(&keys[k], value, sizeof value))
            continue;
        snprintf(set, sizeof set, "%s.%s=%s", keys[k].section, keys[k].name, value);
        const char *sets[] = {set};
        fc_config cfg;
        fc_err err;
        ck_assert_msg(fc_config_load(ini, sets, 1, fc_solvers(), &cfg, &err) == FC_EINPUT,
                      "--set %s (initial condition %s) was accepted", set, ic);
        char want[512];
        snprintf(want, sizeof want, "--set %s: [%s] %s = %s: ", set, keys[k].section,
                 keys[k].name, value);
        ASSERT_HAS(err.msg, want);
        count++;
    }
    return count;
}

START_TEST(every_key_rejects_nonsense)
{
    size_t ncore, nsolvers, nics = 0;
    const fc_key *core = fc_config_core_keys(&ncore);
    const fc_solver_desc *const *solvers = fc_solvers()->solvers;
    nsolvers = fc_solvers()->n;
    int count = 0;
    for (size_t c = 0; c < sizeof minimal_ic / sizeof minimal_ic[0]; c++) {
        const fc_solver_desc *s = fc_catalog_find(fc_solvers(), minimal_ic[c].solver);
        char text[1024];
        snprintf(text, sizeof text,
                 "[case]\nsolver = %s\n[grid]\nnx = 8\nny = 8\nx_max = 1\ny_max = 1\n"
                 "[time]\nt_end = 1\n[initial]\ntype = %s\n%s",
                 s->name, minimal_ic[c].ic, minimal_ic[c].keys);
        const char *ini = tl_temp_file("minimal.ini", text);
        fc_config cfg;
        fc_err err;
        ck_assert_msg(fc_config_load(ini, NULL, 0, fc_solvers(), &cfg, &err) == FC_OK, "%s: %s",
                      minimal_ic[c].ic, err.msg);
        fc_config_free(&cfg);
        count += tested_keys(core, ncore, minimal_ic[c].ic, ini);
        count += tested_keys(s->schema.keys, s->schema.nkeys, minimal_ic[c].ic, ini);
    }
    for (size_t s = 0; s < nsolvers; s++) /* every initial condition of every solver covered */
        nics += solvers[s]->schema.nics;
    ck_assert_uint_eq(sizeof minimal_ic / sizeof minimal_ic[0], nics);
    printf("every_key_rejects_nonsense: %d key/initial-condition pairs rejected\n", count);
}
END_TEST

Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("case files");
    tcase_add_test(tc, valid_case_defaults_and_overrides);
    tcase_add_test(tc, missing_and_unreadable_files);
    tcase_add_test(tc, case_file_must_be_utf8);
    tcase_add_test(tc, byte_order_mark_and_crlf_are_accepted);
    tcase_add_test(tc, quoted_values_and_hash_comments);
    tcase_add_test(tc, reference_time_is_a_real_date);
    tcase_add_test(tc, every_error_reported_at_once_with_line_and_key);
    tcase_add_test(tc, missing_required_keys_and_bad_choices);
    tcase_add_test(tc, duplicates_sections_and_foreign_parameters);
    tcase_add_test(tc, overrides_are_checked_too);
    tcase_add_test(tc, cross_key_checks);
    tcase_add_test(tc, cell_sizes_are_in_range);
    tcase_add_test(tc, vortex_balance_is_checked);
    tcase_add_test(tc, every_key_rejects_nonsense);
    suite_add_tcase(s, tc);
    return s;
}
