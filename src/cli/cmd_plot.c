/* cmd_plot.c: `flowcast plot` (a PNG of a variable of a NetCDF file) and `flowcast animate`
 * (a film of a field's records). The drawing is src/plot; this file reads the options, checks
 * the output before any work, and says what it wrote. */
#include <fc_build.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/cli/cmd.h"
#include "src/core/files.h"
#include "src/core/log.h"
#include "src/plot/animate.h"
#include "src/plot/figure.h"

static void plot_usage(FILE *f)
{
    fprintf(f,
            "usage: flowcast plot FILE.nc [--var V] [--time T|first|last|all] [--at L=V]\n"
            "                     [--cmap NAME] [--range LO,HI] [--contours N] [--vectors]\n"
            "                     [--size WxH] [-o OUT.png] [-O]\n\n"
            "Draws a variable of a NetCDF file (flowcast's output, or any CF file on a\n"
            "rectilinear grid, or a curvilinear one such as WRF's) as a PNG:\n"
            "  a field (y, x), (time, y, x) or (time, level, y, x) at one level: a map in the\n"
            "    file's coordinates (km when they span 10 km or more; the longitudes and\n"
            "    latitudes its 'coordinates' attribute names where its axes have none, as\n"
            "    WRF's XLONG and XLAT), its long name, units and time, and a colour bar;\n"
            "    solid cells (a 'solid' variable) grey with the true surface (the zero line\n"
            "    of 'body_distance') drawn over them, dry cells (depth at most 1e-6 of the\n"
            "    deepest) land-coloured, missing values light grey;\n"
            "  a series (time): a line against time;\n"
            "  a profile (time, k) or (k): a line at one time, or every time with --time all\n"
            "    (a spectrum on log-log axes with a k^-3 line; a model's loss per epoch);\n"
            "    a field one cell wide (a 1-D run, ny = 1) likewise, along its long axis.\n\n"
            "  --var V        the variable (default: vorticity, else the file's first field)\n"
            "  --time T       the record: first, last (default), a time in the file's time\n"
            "                 units (the nearest record), or all: one picture per record of a\n"
            "                 field (OUT_0000.png, ...) or every profile in one chart\n"
            "  --at L=V       a field on levels at the level nearest V of its dimension L\n"
            "                 (--at pressure_level=500; the index where L has no coordinate)\n"
            "  --cmap NAME    %s\n"
            "                 (default: rdbu centred on zero for a signed field, else\n"
            "                 viridis)\n"
            "  --range LO,HI  the colour range (a chart: the y range)\n"
            "  --contours N   N contour lines, evenly spaced in the colour range (negative\n"
            "                 ones dashed on a diverging map)\n"
            "  --vectors      velocity arrows (u and v, or u and w over z, on the same grid)\n"
            "  --size WxH     picture size in pixels (default 900 wide, height from the\n"
            "                 field)\n"
            "  -o OUT.png     where (default: FILE's folder, FILE_VAR.png)\n"
            "  -O             overwrite OUT.png if it exists\n\n"
            "Exit status: 0 drawn, 1 the picture could not be written, 2 bad usage or input\n"
            "(nothing is written then).\n",
            fc_cmap_names());
}

static void animate_usage(FILE *f)
{
    fprintf(f,
            "usage: flowcast animate FILE.nc [--var V] [--at L=V]\n"
            "                        [-o OUT.mp4|OUT.webm|OUT.gif|DIR/]\n"
            "                        [--fps N] [--cmap NAME] [--range LO,HI] [--free-range]\n"
            "                        [--contours N] [--vectors] [--size WxH] [-O]\n\n"
            "A film of a field's records, drawn as `flowcast plot` draws one, with one colour\n"
            "range for the whole run (a profile over time, such as a 1-D run or a spectrum:\n"
            "its line on one y axis). MP4 (H.264) and WebM (VP9) are encoded by ffmpeg, which\n"
            "must be on PATH; an animated GIF and numbered PNGs (DIR/VAR_0000.png, ...) need\n"
            "nothing else. A progress bar is shown on a terminal.\n\n"
            "  --var V        the field (default: vorticity, else the file's first field)\n"
            "  -o OUT         the film (default: FILE's folder, FILE_VAR.mp4 when ffmpeg is\n"
            "                 installed, else FILE_VAR.gif)\n"
            "  --fps N        frames per second, 1 to 60 (default 10)\n"
            "  --free-range   each frame its own colour range\n"
            "  --at, --cmap, --range, --contours, --vectors, --size: as for flowcast plot\n"
            "  -O             overwrite the output if it exists\n\n"
            "Exit status: 0 written, 1 encoding failed, 2 bad usage or input (nothing is\n"
            "written then).\n");
}

typedef struct plot_args {
    const char *file, *var, *time, *at, *output;
    int overwrite, fps, free_range;
    const char *image_option_name; /* an option for fields only was given: its name */
    fc_figure_opts fig;
} plot_args;

static int parse_size(const char *arg, int *w, int *h)
{
    char *end;
    long a = strtol(arg, &end, 10), b = 0;
    if (*end == 'x')
        b = strtol(end + 1, &end, 10);
    if (*end || a < 64 || a > 8192 || b < 64 || b > 8192) {
        fc_error("--size %s: expected WxH, each from 64 to 8192 pixels", arg);
        return 1;
    }
    *w = (int)a, *h = (int)b;
    return 0;
}

static int parse_range(const char *arg, double *lo, double *hi)
{
    char *end;
    *lo = strtod(arg, &end);
    if (*end == ',')
        *hi = strtod(end + 1, &end);
    if (*end || !(*lo < *hi) || !isfinite(*lo) || !isfinite(*hi)) {
        fc_error("--range %s: expected LO,HI with LO < HI", arg);
        return 1;
    }
    return 0;
}

/* Options of both commands; animate is set for `flowcast animate`. */
static int parse(int argc, char **argv, int animate, plot_args *a)
{
    enum { OPT_VAR = 256, OPT_TIME, OPT_CMAP, OPT_RANGE, OPT_CONTOURS, OPT_VECTORS, OPT_SIZE,
           OPT_FPS, OPT_FREE, OPT_AT };
    static const struct option opts[] = {
        {"var", required_argument, NULL, OPT_VAR},       {"time", required_argument, NULL, OPT_TIME},
        {"cmap", required_argument, NULL, OPT_CMAP},     {"range", required_argument, NULL, OPT_RANGE},
        {"contours", required_argument, NULL, OPT_CONTOURS},
        {"vectors", no_argument, NULL, OPT_VECTORS},     {"size", required_argument, NULL, OPT_SIZE},
        {"fps", required_argument, NULL, OPT_FPS},       {"free-range", no_argument, NULL, OPT_FREE},
        {"at", required_argument, NULL, OPT_AT},
        {NULL, 0, NULL, 0},
    };
    const char *cmd = animate ? "animate" : "plot";
    memset(a, 0, sizeof *a);
    a->fps = 10;
    int c, bad = 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:O", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            a->output = optarg;
            break;
        case 'O':
            a->overwrite = 1;
            break;
        case OPT_VAR:
            a->var = optarg;
            break;
        case OPT_AT:
            a->at = optarg;
            break;
        case OPT_TIME:
            if (animate) {
                fc_error("animate draws every record; --time is for flowcast plot");
                bad = 1;
            }
            a->time = optarg;
            break;
        case OPT_CMAP:
            a->fig.cmap = optarg;
            if (!fc_cmap_find(optarg)) {
                fc_error("--cmap %s: no such colour map (there are %s)", optarg, fc_cmap_names());
                bad = 1;
            }
            a->image_option_name = "--cmap";
            break;
        case OPT_RANGE:
            bad |= parse_range(optarg, &a->fig.lo, &a->fig.hi);
            a->fig.have_range = 1;
            break;
        case OPT_CONTOURS:
            bad |= cmd_int("--contours", optarg, 0, 100, &a->fig.contours);
            a->image_option_name = "--contours";
            break;
        case OPT_VECTORS:
            a->fig.vectors = 1;
            a->image_option_name = "--vectors";
            break;
        case OPT_SIZE:
            bad |= parse_size(optarg, &a->fig.width, &a->fig.height);
            break;
        case OPT_FPS:
            if (!animate) {
                fc_error("--fps is for flowcast animate");
                bad = 1;
            }
            bad |= cmd_int("--fps", optarg, 1, 60, &a->fps);
            break;
        case OPT_FREE:
            if (!animate) {
                fc_error("--free-range is for flowcast animate");
                bad = 1;
            }
            a->free_range = 1;
            break;
        default:
            cmd_bad_option(c, argv, cmd, opts);
            bad = 1;
        }
    }
    /* After a refused option the remaining words are not known to be files: say nothing more. */
    if (bad)
        return bad;
    if (optind == argc) {
        fc_error("%s needs a NetCDF file (see flowcast %s --help)", cmd, cmd);
        bad = 1;
    } else if (optind + 1 < argc) {
        fc_error("%s takes one file (got '%s' after %s)", cmd, argv[optind + 1], argv[optind]);
        bad = 1;
    } else
        a->file = argv[optind];
    return bad;
}

/* The default output: FILE's folder, FILE without .nc, _VAR, ext. */
static void default_output(const char *file, const char *var, const char *ext, char *buf,
                           size_t len)
{
    size_t n = strlen(file);
    if (n > 3 && !strcmp(file + n - 3, ".nc"))
        n -= 3;
    snprintf(buf, len, "%.*s_%s%s", (int)n, file, var, ext);
}

/* Draws every record of a field as OUT_0000.png, ...; all names checked first. */
static int plot_all_records(const fc_plotdata *d, const plot_args *a, const char *out,
                            fc_err *err)
{
    char prefix[4096];
    size_t n = strlen(out);
    if (n > 4 && !strcmp(out + n - 4, ".png"))
        n -= 4;
    snprintf(prefix, sizeof prefix, "%.*s", (int)n, out);
    int st = FC_OK;
    for (size_t r = 0; r < d->nrec && !st; r++) {
        char path[4200];
        fc_anim_frame_path(prefix, r, path, sizeof path);
        st = fc_output_writable(path, "picture", a->overwrite, "-O", err);
    }
    for (size_t r = 0; r < d->nrec && !st; r++) {
        char path[4200];
        fc_anim_frame_path(prefix, r, path, sizeof path);
        fc_picture *pic;
        if (!(st = fc_figure_field(d, r, &a->fig, &pic, err)))
            st = fc_picture_write_png(pic, path, err);
        fc_picture_free(pic);
    }
    if (!st)
        printf("plot: wrote %zu pictures of %s: %s_0000.png to %s_%04zu.png\n", d->nrec, d->name,
               prefix, prefix, d->nrec - 1);
    return st;
}

int cmd_plot(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        plot_usage(stdout);
        return FC_EXIT_OK;
    }
    plot_args a;
    if (parse(argc, argv, 0, &a))
        return FC_EXIT_USAGE;
    char out[4096];
    fc_err err = {{0}};
    fc_plotdata d;
    int st = fc_pd_open_at(&d, a.file, a.var, a.at, &err);
    if (st)
        return cmd_fail(st, err.msg);
    if (a.output) {
        const size_t n = strlen(a.output);
        if (n < 5 || strcmp(a.output + n - 4, ".png")) {
            fc_pd_close(&d);
            fc_error("-o %s: plot writes PNG; name the picture OUT.png", a.output);
            return FC_EXIT_USAGE;
        }
        snprintf(out, sizeof out, "%s", a.output);
    } else
        default_output(a.file, d.name, ".png", out, sizeof out);
    const int all = a.time && !strcmp(a.time, "all");
    size_t rec = 0;
    if (fc_same_file(out, a.file))
        st = fc_fail(&err, FC_EINPUT, "-o %s is the file to draw; name another", out);
    else if (d.one_cell_across && a.image_option_name)
        st = fc_fail(&err, FC_EINPUT, "%s: '%s' is one cell wide, drawn as a line along %s; %s "
                     "is for fields on (y, x)", a.file, d.name, d.x.name, a.image_option_name);
    else if (d.shape != FC_PD_FIELD && a.image_option_name)
        st = fc_fail(&err, FC_EINPUT, "%s: '%s' is on (%s%s%s), drawn as a line; %s is for "
                     "fields on (y, x)", a.file, d.name, d.has_time ? "time" : "",
                     d.has_time && d.shape == FC_PD_PROFILE ? ", " : "",
                     d.shape == FC_PD_PROFILE ? d.x.name : "", a.image_option_name);
    else if (d.shape == FC_PD_SERIES && a.time)
        st = fc_fail(&err, FC_EINPUT, "--time %s: '%s' is a series over every time; --time "
                     "picks a record of a field or profile", a.time, d.name);
    else if (!all)
        st = fc_pd_record(&d, a.time, &rec, &err);
    fc_picture *pic = NULL;
    if (!st && all && d.shape == FC_PD_FIELD)
        st = plot_all_records(&d, &a, out, &err);
    else if (!st) {
        st = fc_output_writable(out, "picture", a.overwrite, "-O", &err);
        if (!st)
            st = d.shape == FC_PD_FIELD    ? fc_figure_field(&d, rec, &a.fig, &pic, &err)
                 : d.shape == FC_PD_SERIES ? fc_figure_series(&d, &a.fig, &pic, &err)
                                           : fc_figure_profile(&d, rec, all, &a.fig, &pic, &err);
        if (!st)
            st = fc_picture_write_png(pic, out, &err);
        if (!st) {
            char when[96] = "";
            if (d.shape != FC_PD_SERIES && !all)
                fc_pd_time_text(&d, rec, when, sizeof when);
            printf("plot: wrote %s (%d x %d: %s%s%s%s%s)\n", out, fc_picture_width(pic),
                   fc_picture_height(pic), d.name, d.level_text[0] ? " at " : "", d.level_text,
                   when[0] ? ", " : "", when);
        }
        fc_picture_free(pic);
    }
    fc_pd_close(&d);
    return st ? cmd_fail(st, err.msg) : FC_EXIT_OK;
}

typedef struct bar {
    int tty;
} bar;

static void show_progress(void *ctx, size_t done, size_t total)
{
    if (!((bar *)ctx)->tty)
        return;
    const int width = 30, filled = (int)(width * done / total);
    fprintf(stderr, "\ranimate: [%.*s%*s] frame %zu of %zu", filled,
            "##############################", width - filled, "", done, total);
    if (done == total)
        fputs("\r\033[K", stderr);
    fflush(stderr);
}

int cmd_animate(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        animate_usage(stdout);
        return FC_EXIT_OK;
    }
    plot_args a;
    if (parse(argc, argv, 1, &a))
        return FC_EXIT_USAGE;
    char ffmpeg[4096], out[4096];
    const int have_ffmpeg = fc_find_program("ffmpeg", ffmpeg, sizeof ffmpeg);
    fc_err err = {{0}};
    fc_plotdata d;
    int st = fc_pd_open_at(&d, a.file, a.var, a.at, &err);
    if (st)
        return cmd_fail(st, err.msg);
    if (a.output)
        snprintf(out, sizeof out, "%s", a.output);
    else
        default_output(a.file, d.name, have_ffmpeg ? ".mp4" : ".gif", out, sizeof out);
    bar b = {isatty(2)};
    fc_anim_opts o = {.output = out, .fps = a.fps, .overwrite = a.overwrite,
                      .free_range = a.free_range, .ffmpeg = have_ffmpeg ? ffmpeg : NULL,
                      .fig = a.fig, .progress = show_progress, .ctx = &b};
    st = fc_same_file(out, a.file) ? fc_fail(&err, FC_EINPUT, "-o %s is the file to draw; name "
                                             "another", out)
                                   : fc_anim_format_of(out, &o.format, &err);
    if (!st)
        st = fc_animate(&d, &o, &err);
    if (!st)
        printf("animate: wrote %s%s (%zu frames of %s at %d per second%s)\n", out,
               o.format == FC_ANIM_PNGS ? " (numbered PNGs)" : "", d.nrec, d.name, a.fps,
               o.format == FC_ANIM_MP4 || o.format == FC_ANIM_WEBM ? ", encoded by ffmpeg" : "");
    fc_pd_close(&d);
    return st ? cmd_fail(st, err.msg) : FC_EXIT_OK;
}
