/*
 * plot.c: maps and charts drawn with cairo (plot.h).
 *
 * Why cairo: it draws antialiased lines and outline text from the system's fonts (DejaVu Sans),
 * scales images with proper filtering, and writes PNG itself, all from C and without a
 * separate process; its output depends only on its input (no time stamps), so a test can
 * compare bytes. A 1024^2 field with contours and arrows takes well under a second.
 *
 * Layout: a panel is title (and subtitle) on top, the plot rectangle with ticks outside it,
 * the axis labels, and on the right the colour bar (maps) or nothing (charts; the legend sits
 * in the emptiest corner of the plot). Sizes follow the font size, which follows the width.
 */
#include <fc_build.h>

#include <cairo.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/core/files.h"
#include "src/core/text.h"
#include "src/plot/plot.h"

#define FONT "DejaVu Sans"
/* Colours of cells that are not data. */
static const double NO_DATA_RGB[3] = {0.88, 0.88, 0.88};
static const double SOLID_RGB[3] = {0.50, 0.50, 0.50};
static const double DRY_RGB[3] = {0.80, 0.71, 0.55};

struct fc_picture {
    cairo_surface_t *surface;
};

int fc_picture_new(int width, int height, fc_picture **pic, fc_err *err)
{
    *pic = NULL;
    if (width < 16 || height < 16 || width > 16384 || height > 16384)
        return fc_fail(err, FC_EINPUT, "a picture of %d x %d pixels: each side must be 16 to 16384",
                       width, height);
    fc_picture *p = malloc(sizeof *p);
    if (!p)
        return fc_fail(err, FC_ENOMEM, "out of memory for a picture");
    p->surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
    if (cairo_surface_status(p->surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(p->surface);
        free(p);
        return fc_fail(err, FC_ENOMEM, "out of memory for a picture of %d x %d pixels", width,
                       height);
    }
    *pic = p;
    return FC_OK;
}

void fc_picture_free(fc_picture *pic)
{
    if (pic) {
        cairo_surface_destroy(pic->surface);
        free(pic);
    }
}

int fc_picture_width(const fc_picture *pic) { return cairo_image_surface_get_width(pic->surface); }
int fc_picture_height(const fc_picture *pic) { return cairo_image_surface_get_height(pic->surface); }

const unsigned char *fc_picture_pixels(fc_picture *pic, int *stride)
{
    cairo_surface_flush(pic->surface);
    *stride = cairo_image_surface_get_stride(pic->surface);
    return cairo_image_surface_get_data(pic->surface);
}

static cairo_status_t png_write(void *closure, const unsigned char *data, unsigned int len)
{
    return fwrite(data, 1, len, closure) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

int fc_picture_write_png(fc_picture *pic, const char *path, fc_err *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.partXXXXXX", path);
    const int fd = mkstemp(tmp);
    if (fd < 0)
        return fc_fail(err, FC_EINPUT, "cannot create %s: %s", path, strerror(errno));
    const mode_t mask = umask(0); /* mkstemp's 0600 would outlive the rename */
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        unlink(tmp);
        return fc_fail(err, FC_EIO, "cannot write %s: %s", path, strerror(errno));
    }
    cairo_status_t cs = cairo_surface_write_to_png_stream(pic->surface, png_write, f);
    const int werr = ferror(f) ? errno : 0;
    const int cerr = fclose(f) ? errno : 0;
    if (cs != CAIRO_STATUS_SUCCESS || werr || cerr) {
        unlink(tmp);
        return fc_fail(err, FC_EIO, "cannot write %s: %s", path,
                       werr || cerr ? strerror(werr ? werr : cerr) : cairo_status_to_string(cs));
    }
    if (rename(tmp, path) != 0) {
        const int e = errno;
        unlink(tmp);
        return fc_fail(err, FC_EIO, "cannot write %s: %s", path, strerror(e));
    }
    return FC_OK;
}

/* ---- text ---- */

static void font(cairo_t *cr, double size, int bold)
{
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

/* The two non-ASCII signs flowcast's own labels use (a typographic minus, a multiplication
 * sign) and what stands in for each. */
static const char *const sign_utf8[FC_PLOT_NSIGNS] = {"\xe2\x88\x92", "\xc3\x97"};
static const char *const sign_ascii[FC_PLOT_NSIGNS] = {"-", "x"};

const char *fc_plot_text(const char *s, const int missing[FC_PLOT_NSIGNS], char *buf,
                         size_t len)
{
    size_t n = 0;
    const char *p = s;
    while (*p) {
        int k = 0;
        while (k < FC_PLOT_NSIGNS &&
               !(missing[k] && !strncmp(p, sign_utf8[k], strlen(sign_utf8[k]))))
            k++;
        const char *put = p; /* what stands for the next `used` bytes of s */
        size_t put_len, used;
        if (k < FC_PLOT_NSIGNS) {
            put = sign_ascii[k];
            put_len = strlen(put);
            used = strlen(sign_utf8[k]);
        } else if ((used = put_len = fc_utf8_char_len(p)) == 0) {
            put = "?";
            used = put_len = 1;
        }
        if (n + put_len >= len)
            break; /* truncated between characters, never inside one */
        memcpy(buf + n, put, put_len);
        n += put_len;
        p += used;
    }
    buf[n] = '\0';
    return buf;
}

/* Whether the current font draws this one character (UTF-8) with a glyph of its own rather
 * than the empty box of a missing one (.notdef, glyph 0). */
static int has_glyph(cairo_t *cr, const char *utf8)
{
    cairo_glyph_t *g = NULL;
    int n = 0;
    const cairo_status_t st = cairo_scaled_font_text_to_glyphs(
        cairo_get_scaled_font(cr), 0, 0, utf8, -1, &g, &n, NULL, NULL, NULL);
    const int ok = st == CAIRO_STATUS_SUCCESS && n == 1 && g[0].index != 0;
    cairo_glyph_free(g);
    return ok;
}

/* s as the font can draw it (fc_plot_text): on a machine without DejaVu (a bare container;
 * seen on a GPU node, where fontconfig found no fonts) the fallback font may lack our two
 * signs, which would show as boxes; ASCII stands in for them there. Text from a file may be
 * any bytes, and one malformed character would put cairo into an error state for the rest of
 * the picture. */
static const char *drawable(cairo_t *cr, const char *s, char *buf, size_t len)
{
    int missing[FC_PLOT_NSIGNS] = {0};
    for (int k = 0; k < FC_PLOT_NSIGNS; k++)
        missing[k] = strstr(s, sign_utf8[k]) && !has_glyph(cr, sign_utf8[k]);
    return fc_plot_text(s, missing, buf, len);
}

static double text_width(cairo_t *cr, const char *s)
{
    char buf[1024];
    cairo_text_extents_t e;
    cairo_text_extents(cr, drawable(cr, s, buf, sizeof buf), &e);
    return e.x_advance;
}

/* Text at (x, y): ha 0 left, 0.5 centred, 1 right of x; va 0 baseline at y, 0.5 centred on y
 * (by the digits' height), 1 top at y. */
static void text(cairo_t *cr, double x, double y, double ha, double va, const char *s)
{
    cairo_matrix_t fm;
    cairo_get_font_matrix(cr, &fm);
    const double cap = 0.72 * fm.yy; /* the height of digits and capitals */
    char buf[1024];
    cairo_move_to(cr, x - ha * text_width(cr, s), y + va * cap);
    cairo_show_text(cr, drawable(cr, s, buf, sizeof buf));
}

/* ---- numbers and ticks ---- */

typedef struct axis {
    double lo, hi; /* data range (lo < hi; both > 0 on a log axis) */
    int log;
    double p0, p1; /* pixel of lo and of hi */
} axis;

static double axis_px(const axis *a, double v)
{
    const double t = a->log ? (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo))
                            : (v - a->lo) / (a->hi - a->lo);
    return a->p0 + t * (a->p1 - a->p0);
}

#define MAX_TICKS 64

typedef struct ticks {
    int n;
    double v[MAX_TICKS];
    char label[MAX_TICKS][32];
    int exponent[MAX_TICKS]; /* log axes: label is 10^exponent (drawn raised) */
    char scale[32];          /* linear axes with large or small values: "x10^e" for the label */
} ticks;

static double nice_step(double span, int target)
{
    const double raw = span / target, mag = pow(10, floor(log10(raw))), r = raw / mag;
    return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
}

/* Tick values and labels of [lo, hi], about target of them. */
static void make_ticks(double lo, double hi, int log_axis, int target, ticks *t)
{
    memset(t, 0, sizeof *t);
    if (log_axis && lo > 0 && hi >= lo && isfinite(hi)) {
        const int d0 = (int)ceil(log10(lo) - 1e-9), d1 = (int)floor(log10(hi) + 1e-9);
        const int every = d1 - d0 + 1 > target ? (d1 - d0 + target) / target : 1;
        for (int d = d0; d <= d1 && t->n < MAX_TICKS; d++)
            if ((d - d0) % every == 0) {
                t->v[t->n] = pow(10, d);
                t->exponent[t->n] = d;
                snprintf(t->label[t->n++], 32, "10");
            }
        if (t->n >= 2)
            return;
        /* Within about a decade: plain numbers at linear steps, placed on the log scale. */
        memset(t, 0, sizeof *t);
    }
    const double step = nice_step(hi - lo, target);
    const double m = fmax(fabs(lo), fabs(hi));
    /* A range a file can give that has no ticks (infinite, empty, or so narrow that the step
     * underflows): none, rather than an exponent or a count of decimals out of int's range. */
    if (!isfinite(step) || !(step > 0) || !isfinite(m))
        return;
    int e = 0;
    if (m > 0 && (m >= 1e5 || m < 1e-3))
        e = (int)floor(log10(m));
    const double scale = pow(10, e);
    const double digits = -floor(log10(step / scale) + 1e-9);
    const int dec = isfinite(digits) ? (int)fmin(17, fmax(0, digits)) : 0;
    for (double v = ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step && t->n < MAX_TICKS;
         v += step) {
        const double x = fabs(v) < 1e-9 * step ? 0 : v;
        t->v[t->n] = x;
        t->exponent[t->n] = INT32_MIN;
        char num[32];
        snprintf(num, sizeof num, "%.*f", dec, x / scale);
        /* A typographic minus sign, as wide as a plus. */
        snprintf(t->label[t->n++], 32, "%s%s", num[0] == '-' ? "\xe2\x88\x92" : "",
                 num + (num[0] == '-'));
    }
    if (e)
        snprintf(t->scale, sizeof t->scale, "%d", e);
}

/* Width of a tick label; log labels are 10 with a raised exponent. */
static double tick_label_width(cairo_t *cr, const ticks *t, int k, double fs)
{
    double w = text_width(cr, t->label[k]);
    if (t->exponent[k] != INT32_MIN) {
        char ex[16];
        snprintf(ex, sizeof ex, "%d", t->exponent[k]);
        cairo_set_font_size(cr, fs * 0.7);
        w += text_width(cr, ex);
        cairo_set_font_size(cr, fs);
    }
    return w;
}

static void tick_label(cairo_t *cr, const ticks *t, int k, double x, double y, double ha,
                       double va, double fs)
{
    if (t->exponent[k] == INT32_MIN) {
        text(cr, x, y, ha, va, t->label[k]);
        return;
    }
    char ex[16];
    snprintf(ex, sizeof ex, "%d", t->exponent[k]);
    const double w = tick_label_width(cr, t, k, fs);
    const double x0 = x - ha * w, base = y + va * 0.72 * fs;
    text(cr, x0, base, 0, 0, "10");
    const double w10 = text_width(cr, "10");
    cairo_set_font_size(cr, fs * 0.7);
    text(cr, x0 + w10 + fs * 0.05, base - fs * 0.42, 0, 0, ex);
    cairo_set_font_size(cr, fs);
}

/* "label x10^e" for a scaled linear axis, drawn as text with a raised exponent. */
static void axis_label_text(const char *label, const ticks *t, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s", label ? label : "", t->scale[0] ? "  \xc3\x97" "10" : "");
}

static void draw_label_with_scale(cairo_t *cr, double x, double y, double ha, double va,
                                  const char *label, const ticks *t, double fs)
{
    char buf[512];
    axis_label_text(label, t, buf, sizeof buf);
    double w = text_width(cr, buf), wex = 0;
    if (t->scale[0]) {
        cairo_set_font_size(cr, fs * 0.7);
        wex = text_width(cr, t->scale);
        cairo_set_font_size(cr, fs);
    }
    const double x0 = x - ha * (w + wex), base = y + va * 0.72 * fs;
    text(cr, x0, base, 0, 0, buf);
    if (t->scale[0]) {
        cairo_set_font_size(cr, fs * 0.7);
        text(cr, x0 + w + fs * 0.05, base - fs * 0.42, 0, 0, t->scale);
        cairo_set_font_size(cr, fs);
    }
}

static double max_tick_width(cairo_t *cr, const ticks *t, double fs)
{
    double w = 0;
    for (int k = 0; k < t->n; k++)
        w = fmax(w, tick_label_width(cr, t, k, fs));
    return w;
}

/* Ticks, tick labels, axis labels and the frame of the plot rectangle. */
static void draw_axes(cairo_t *cr, const axis *ax, const axis *ay, const ticks *tx,
                      const ticks *ty, const char *xlabel, const char *ylabel, double fs,
                      int grid)
{
    const double x0 = ax->p0, x1 = ax->p1, y0 = ay->p0, y1 = ay->p1; /* y0 bottom, y1 top */
    const double tl = fs * 0.35;
    cairo_set_line_width(cr, fmax(1, fs / 16));
    if (grid) {
        cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
        for (int k = 0; k < tx->n; k++) {
            const double px = axis_px(ax, tx->v[k]);
            cairo_move_to(cr, px, y0);
            cairo_line_to(cr, px, y1);
        }
        for (int k = 0; k < ty->n; k++) {
            const double py = axis_px(ay, ty->v[k]);
            cairo_move_to(cr, x0, py);
            cairo_line_to(cr, x1, py);
        }
        cairo_stroke(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_rectangle(cr, x0, y1, x1 - x0, y0 - y1);
    cairo_stroke(cr);
    font(cr, fs, 0);
    for (int k = 0; k < tx->n; k++) {
        const double px = axis_px(ax, tx->v[k]);
        cairo_move_to(cr, px, y0);
        cairo_line_to(cr, px, y0 + tl);
        tick_label(cr, tx, k, px, y0 + tl + fs * 0.25, 0.5, 1, fs);
    }
    for (int k = 0; k < ty->n; k++) {
        const double py = axis_px(ay, ty->v[k]);
        cairo_move_to(cr, x0, py);
        cairo_line_to(cr, x0 - tl, py);
        tick_label(cr, ty, k, x0 - tl - fs * 0.3, py, 1, 0.5, fs);
    }
    cairo_stroke(cr);
    draw_label_with_scale(cr, (x0 + x1) / 2, y0 + tl + fs * 2.4, 0.5, 0.5, xlabel, tx, fs);
    const double wy = max_tick_width(cr, ty, fs);
    cairo_save(cr);
    cairo_translate(cr, x0 - tl - fs * 0.3 - wy - fs * 0.9, (y0 + y1) / 2);
    cairo_rotate(cr, -M_PI / 2);
    draw_label_with_scale(cr, 0, 0, 0.5, 0, ylabel, ty, fs);
    cairo_restore(cr);
}

/* Text centred on cx at baseline y in size fs, made smaller to fit within [x0, x1]. */
static void fitted_text(cairo_t *cr, double cx, double y, double x0, double x1, double fs,
                        int bold, const char *s)
{
    /* Text shrinks to fit down to this share of its size; beyond, it is cut at a word with an
     * ellipsis (max_divergence's title, 208 characters, was drawn 3.5 pixels high on a chart
     * 400 pixels wide, 8 on one 900 wide). */
    const double least = 0.7;
    font(cr, fs, bold);
    const double w = text_width(cr, s), room = 2 * fmin(cx - x0, x1 - cx);
    if (!(w > room && room > 0)) {
        text(cr, cx, y, 0.5, 0, s);
        return;
    }
    if (room / w >= least) {
        /* Hinted advances are whole pixels per glyph and do not shrink in proportion to the
         * size, so text shrunk by its width at the full size can still be too wide (the lift
         * coefficient's long name, 97 characters, ran off a chart 900 wide): it is measured
         * again at each size tried. */
        double size = fs * room / w;
        for (int k = 0; k < 8; k++) {
            font(cr, size, bold);
            const double now = text_width(cr, s);
            if (now <= room)
                break;
            size *= 0.99 * room / now;
        }
        if (size >= fs * least) {
            text(cr, cx, y, 0.5, 0, s);
            return;
        }
    }
    font(cr, fs * least, bold);
    char cut[1024];
    size_t keep = strlen(s) < sizeof cut - 4 ? strlen(s) : sizeof cut - 4;
    /* The longest start that ends before a space and fits with "..."; a character's UTF-8
     * continuation bytes stay with it where no space fits. */
    for (;;) {
        size_t end = keep > 0 ? keep - 1 : 0; /* strictly shorter than the last try */
        while (end > 0 && s[end] != ' ')
            end--;
        if (end == 0) { /* no space left: cut between characters */
            end = keep > 0 ? keep - 1 : 0;
            while (end > 0 && ((unsigned char)s[end] & 0xC0) == 0x80)
                end--;
        }
        memcpy(cut, s, end);
        memcpy(cut + end, "...", 4);
        if (end == 0 || text_width(cr, cut) <= room)
            break;
        keep = end;
    }
    text(cr, cx, y, 0.5, 0, cut);
}

/* Title and subtitle centred over [x0, x1] (the plot), kept within [0, width]. */
static void draw_title(cairo_t *cr, double cx, double top, const char *title,
                       const char *subtitle, double fs, double x0, double x1)
{
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (title)
        fitted_text(cr, cx, top + fs * 1.5, x0, x1, fs * 1.15, 1, title);
    if (subtitle)
        fitted_text(cr, cx, top + fs * 2.9, x0, x1, fs * 0.95, 0, subtitle);
}

static double font_size(double panel_width) { return fmin(22, fmax(10, panel_width / 60)); }

/* ---- maps ---- */

/* Cell edges of n centres c (monotonic): midpoints, and half a spacing beyond the ends. */
static void cell_range(const double *c, size_t n, double other_half, double *lo, double *hi)
{
    double a, b;
    if (n == 1)
        a = c[0] - other_half, b = c[0] + other_half;
    else
        a = c[0] - (c[1] - c[0]) / 2, b = c[n - 1] + (c[n - 1] - c[n - 2]) / 2;
    *lo = fmin(a, b);
    *hi = fmax(a, b);
}

static int uniform(const double *c, size_t n)
{
    if (n < 3)
        return 1;
    const double d = (c[n - 1] - c[0]) / (double)(n - 1);
    for (size_t k = 1; k < n; k++)
        if (fabs(c[k] - c[k - 1] - d) > 1e-3 * fabs(d))
            return 0;
    return 1;
}

/* Index of the cell of centres c (monotonic, n >= 1) that holds v. */
static size_t cell_of(const double *c, size_t n, double v)
{
    const int up = n < 2 || c[1] > c[0];
    size_t lo = 0, hi = n - 1;
    while (lo < hi) { /* the first k whose upper edge is beyond v */
        const size_t mid = (lo + hi) / 2;
        const double edge = (c[mid] + c[mid + 1]) / 2;
        if (up ? v < edge : v > edge)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

typedef struct map_layout {
    double fs, left, right, top, bottom; /* margins */
    double aspect;                         /* width / height of the plot rectangle */
    ticks tx, ty, tb;
    double xlo, xhi, ylo, yhi;
} map_layout;

static double half_spacing(const double *c, size_t n) { return n > 1 ? fabs(c[1] - c[0]) / 2 : 0.5; }

/* A curvilinear grid's centres c (nx, ny >= 2) at (i, j) for i in [-1, nx], j in [-1, ny]:
 * extended linearly by one cell beyond each edge. */
static double centre_or_beyond(const double *c, size_t nx, size_t ny, long i, long j)
{
    if (i < 0 || i >= (long)nx) {
        const long e = i < 0 ? 0 : (long)nx - 1, in = i < 0 ? 1 : (long)nx - 2;
        return 2 * centre_or_beyond(c, nx, ny, e, j) - centre_or_beyond(c, nx, ny, in, j);
    }
    if (j < 0 || j >= (long)ny) {
        const long e = j < 0 ? 0 : (long)ny - 1, in = j < 0 ? 1 : (long)ny - 2;
        return 2 * c[(size_t)e * nx + (size_t)i] - c[(size_t)in * nx + (size_t)i];
    }
    return c[(size_t)j * nx + (size_t)i];
}

/* Corner (a, b) of a curvilinear grid's cells, a in [0, nx], b in [0, ny]: the mean of the
 * four centres about it. */
static double corner(const double *c, size_t nx, size_t ny, long a, long b)
{
    return 0.25 * (centre_or_beyond(c, nx, ny, a - 1, b - 1) +
                   centre_or_beyond(c, nx, ny, a, b - 1) +
                   centre_or_beyond(c, nx, ny, a - 1, b) + centre_or_beyond(c, nx, ny, a, b));
}

/* The range of a curvilinear grid's corners along c. */
static void corner_range(const fc_map *m, const double *c, double *lo, double *hi)
{
    *lo = INFINITY, *hi = -INFINITY;
    for (long b = 0; b <= (long)m->ny; b++)
        for (long a = 0; a <= (long)m->nx; a++) {
            const double v = corner(c, m->nx, m->ny, a, b);
            *lo = fmin(*lo, v), *hi = fmax(*hi, v);
        }
}

static void map_measure(cairo_t *cr, const fc_map *m, double panel_width, map_layout *L)
{
    L->fs = font_size(panel_width);
    const double fs = L->fs;
    if (m->cx) {
        corner_range(m, m->cx, &L->xlo, &L->xhi);
        corner_range(m, m->cy, &L->ylo, &L->yhi);
    } else {
        cell_range(m->x, m->nx, half_spacing(m->y, m->ny), &L->xlo, &L->xhi);
        cell_range(m->y, m->ny, half_spacing(m->x, m->nx), &L->ylo, &L->yhi);
    }
    double r = (L->xhi - L->xlo) / (L->yhi - L->ylo);
    if (m->lonlat)
        r *= cos(fmin(89.0, fabs(L->ylo + L->yhi) / 2) * M_PI / 180);
    else if (!m->equal_aspect)
        r = 1.6;
    /* True to the domain from 6:1 wide to 1:6 tall (a channel along y, 0.41 x 2.2 m, was drawn
     * at 1:2, its cylinder an ellipse); a tall one is drawn narrower rather than taller than
     * fc_map_size allows. */
    L->aspect = fmin(6, fmax(1.0 / 6, r));
    /* About 110 pixels a tick along x, from the plot's width as it will be near enough (a
     * tall domain's is narrowed to keep its shape within twice the panel's width in height). */
    const double plot_width = fmin(0.8 * panel_width, 1.8 * panel_width * L->aspect);
    make_ticks(L->xlo, L->xhi, 0, (int)fmax(3, fmin(6, plot_width / 110)), &L->tx);
    make_ticks(L->ylo, L->yhi, 0, L->aspect > 3 ? 3 : 5, &L->ty);
    make_ticks(m->lo, m->hi, 0, 6, &L->tb);
    font(cr, fs, 0);
    L->left = fs * 0.35 + fs * 0.3 + max_tick_width(cr, &L->ty, fs) + fs * 2.0;
    L->right = fs * 0.9 + fs * 1.1 + fs * 0.65 + max_tick_width(cr, &L->tb, fs) + fs * 2.0;
    L->top = fs * (m->subtitle ? 3.7 : 2.3);
    L->bottom = fs * 3.6;
}

void fc_map_size(const fc_map *maps, int n, int width, int height, int *w, int *h)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t *cr = cairo_create(s);
    double hmax = 0;
    for (int k = 0; k < n; k++) {
        map_layout L;
        map_measure(cr, &maps[k], (double)width / n, &L);
        const double pw = (double)width / n - L.left - L.right;
        hmax = fmax(hmax, L.top + L.bottom + fmax(pw, 16) / L.aspect);
    }
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    /* A tall domain at most twice as high as wide: fc_map_draw narrows its plot to keep the
     * shape. */
    hmax = fmin(hmax, 2.0 * width);
    *w = width;
    *h = height > 0 ? height : 2 * (int)ceil(hmax / 2); /* even: video encoders want it */
}

static void cell_rgb(const fc_map *m, size_t k, unsigned char rgb[3])
{
    const int kind = m->kind ? m->kind[k] : FC_CELL_DATA;
    const double *c = kind == FC_CELL_SOLID ? SOLID_RGB : kind == FC_CELL_DRY ? DRY_RGB : NULL;
    if (!c && isnan(m->f[k]))
        c = NO_DATA_RGB;
    if (c) {
        for (int ch = 0; ch < 3; ch++)
            rgb[ch] = (unsigned char)lround(255 * c[ch]);
        return;
    }
    fc_cmap_color(m->cmap, (m->f[k] - m->lo) / (m->hi - m->lo), rgb);
}

/* Paint with img as the source at the origin, filtered and padded at its edges. The pattern
 * is made here rather than adjusted through cairo_get_source, which on a context in an error
 * state hands out a new pattern that nobody frees (cairo 1.16). */
static void set_image_source(cairo_t *cr, cairo_surface_t *img, cairo_filter_t filter)
{
    cairo_pattern_t *pat = cairo_pattern_create_for_surface(img);
    cairo_pattern_set_filter(pat, filter);
    cairo_pattern_set_extend(pat, CAIRO_EXTEND_PAD);
    cairo_set_source(cr, pat);
    cairo_pattern_destroy(pat);
}

static void put_pixel(unsigned char *row, int i, const unsigned char rgb[3])
{
    uint32_t *p = (uint32_t *)row;
    p[i] = 0xff000000u | (uint32_t)rgb[0] << 16 | (uint32_t)rgb[1] << 8 | rgb[2];
}

/* The field as an image: one pixel per cell (uniform grids, scaled by cairo) or per screen
 * pixel of the plot rectangle (non-uniform grids, looked up). */
static cairo_surface_t *field_image(const fc_map *m, int pw, int ph, int per_cell)
{
    const int w = per_cell ? (int)m->nx : pw, h = per_cell ? (int)m->ny : ph;
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS)
        return img;
    unsigned char *data = cairo_image_surface_get_data(img);
    const int stride = cairo_image_surface_get_stride(img);
    const int xup = m->nx < 2 || m->x[1] > m->x[0], yup = m->ny < 2 || m->y[1] > m->y[0];
    double xlo, xhi, ylo, yhi;
    cell_range(m->x, m->nx, half_spacing(m->y, m->ny), &xlo, &xhi);
    cell_range(m->y, m->ny, half_spacing(m->x, m->nx), &ylo, &yhi);
    size_t *col = per_cell ? NULL : malloc((size_t)w * sizeof *col);
    if (!per_cell && !col) {
        cairo_surface_destroy(img);
        return cairo_image_surface_create(CAIRO_FORMAT_INVALID, 0, 0);
    }
    for (int i = 0; !per_cell && i < w; i++)
        col[i] = cell_of(m->x, m->nx, xlo + (i + 0.5) * (xhi - xlo) / w);
#pragma omp parallel for schedule(static)
    for (int r = 0; r < h; r++) {
        size_t j;
        if (per_cell)
            j = yup ? (size_t)(h - 1 - r) : (size_t)r;
        else
            j = cell_of(m->y, m->ny, yhi - (r + 0.5) * (yhi - ylo) / h);
        unsigned char *row = data + (size_t)r * stride;
        for (int i = 0; i < w; i++) {
            const size_t ic = per_cell ? (xup ? (size_t)i : m->nx - 1 - (size_t)i) : col[i];
            unsigned char rgb[3];
            cell_rgb(m, j * m->nx + ic, rgb);
            put_pixel(row, i, rgb);
        }
    }
    free(col);
    cairo_surface_mark_dirty(img);
    return img;
}

/* A curvilinear grid's cells as filled quadrilaterals between their corners (no antialiasing,
 * so that neighbours meet without a seam). */
static void draw_quads(cairo_t *cr, const fc_map *m, const axis *ax, const axis *ay)
{
    cairo_save(cr);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    for (size_t j = 0; j < m->ny; j++)
        for (size_t i = 0; i < m->nx; i++) {
            static const int da[4] = {0, 1, 1, 0}, db[4] = {0, 0, 1, 1};
            for (int q = 0; q < 4; q++) {
                const long a = (long)i + da[q], b = (long)j + db[q];
                const double px = axis_px(ax, corner(m->cx, m->nx, m->ny, a, b));
                const double py = axis_px(ay, corner(m->cy, m->nx, m->ny, a, b));
                if (q == 0)
                    cairo_move_to(cr, px, py);
                else
                    cairo_line_to(cr, px, py);
            }
            cairo_close_path(cr);
            unsigned char rgb[3];
            cell_rgb(m, j * m->nx + i, rgb);
            cairo_set_source_rgb(cr, rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0);
            cairo_fill(cr);
        }
    cairo_restore(cr);
}

static int cell_ok(const fc_map *m, size_t k)
{
    return !isnan(m->f[k]) && (!m->kind || m->kind[k] == FC_CELL_DATA);
}

/*
 * Contour lines by marching squares over the cell centres; a saddle is split by the mean of the
 * four corners. A crossing lies on an edge between two centres and is named by it (2 k for the
 * edge from centre k to its east neighbour, 2 k + 1 to its north one), so the segments of a
 * level are joined into polylines through the crossings they share: a dashed line (negative
 * levels of a diverging map, the meteorologists' way) then dashes along its length.
 */
typedef struct contour_seg {
    size_t a, b; /* the edges it joins */
} contour_seg;

typedef struct edge_use {
    size_t edge, seg;
} edge_use;

static int edge_use_cmp(const void *p, const void *q)
{
    const edge_use *x = p, *y = q;
    return x->edge < y->edge ? -1 : x->edge > y->edge ? 1 : (x->seg > y->seg) - (x->seg < y->seg);
}

static void crossing(const fc_map *m, size_t edge, double c, const axis *ax, const axis *ay,
                     double *px, double *py)
{
    const size_t k = edge / 2, k2 = edge % 2 ? k + m->nx : k + 1;
    const double t = (c - m->f[k]) / (m->f[k2] - m->f[k]);
    const double x0 = m->cx ? m->cx[k] : m->x[k % m->nx], y0 = m->cy ? m->cy[k] : m->y[k / m->nx];
    const double x1 = m->cx ? m->cx[k2] : m->x[k2 % m->nx];
    const double y1 = m->cy ? m->cy[k2] : m->y[k2 / m->nx];
    *px = axis_px(ax, x0 + t * (x1 - x0));
    *py = axis_px(ay, y0 + t * (y1 - y0));
}

/* The segments of level c, appended to *segs (grown as needed); their count, or -1. */
static long contour_level(const fc_map *m, double c, contour_seg **segs, size_t *cap)
{
    size_t n = 0;
    for (size_t j = 0; j + 1 < m->ny; j++)
        for (size_t i = 0; i + 1 < m->nx; i++) {
            const size_t k0 = j * m->nx + i;
            const size_t k[4] = {k0, k0 + 1, k0 + 1 + m->nx, k0 + m->nx};
            if (!cell_ok(m, k[0]) || !cell_ok(m, k[1]) || !cell_ok(m, k[2]) || !cell_ok(m, k[3]))
                continue;
            const double f[4] = {m->f[k[0]], m->f[k[1]], m->f[k[2]], m->f[k[3]]};
            const int code = (f[0] > c) | (f[1] > c) << 1 | (f[2] > c) << 2 | (f[3] > c) << 3;
            if (code == 0 || code == 15)
                continue;
            /* Edges counter-clockwise from the south: their names. */
            const size_t edge[4] = {2 * k0, 2 * (k0 + 1) + 1, 2 * (k0 + m->nx), 2 * k0 + 1};
            int cut[4], nc = 0;
            for (int e = 0; e < 4; e++)
                nc += cut[e] = (f[e] > c) != (f[(e + 1) % 4] > c);
            if (n + 2 > *cap) {
                const size_t nc2 = *cap ? 2 * *cap : 1024;
                contour_seg *g = realloc(*segs, nc2 * sizeof *g);
                if (!g)
                    return -1;
                *segs = g, *cap = nc2;
            }
            if (nc == 2) {
                int a = -1, b = -1;
                for (int e = 0; e < 4; e++)
                    if (cut[e]) {
                        if (a < 0)
                            a = e;
                        else
                            b = e;
                    }
                (*segs)[n++] = (contour_seg){edge[a], edge[b]};
            } else { /* saddle: pair the edges around the corners on the other side of the centre */
                const int centre_above = (f[0] + f[1] + f[2] + f[3]) / 4 > c;
                const int start = (f[0] > c) == centre_above ? 1 : 0;
                for (int p = 0; p < 2; p++)
                    (*segs)[n++] = (contour_seg){edge[(start + 2 * p + 3) % 4],
                                                 edge[(start + 2 * p) % 4]};
            }
        }
    return (long)n;
}

/* The segment other than s through edge e (uses sorted by edge, 2 n of them), or n. */
static size_t other_seg(const edge_use *uses, size_t n, size_t e, size_t s)
{
    size_t lo = 0, hi = 2 * n;
    while (lo < hi) {
        const size_t mid = (lo + hi) / 2;
        if (uses[mid].edge < e)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t q = lo; q < 2 * n && uses[q].edge == e; q++)
        if (uses[q].seg != s)
            return uses[q].seg;
    return n;
}

/* The buffers of the contour tracer, grown as needed and kept across levels. */
typedef struct contour_work {
    contour_seg *segs;
    edge_use *uses;
    unsigned char *done;
    size_t cap, *chain;
} contour_work;

static void contour_work_free(contour_work *w)
{
    free(w->segs), free(w->uses), free(w->done), free(w->chain);
}

/* Adds the lines of level c of m->f to cr's path, each joined into one polyline (a closed
 * one ends where it started); 0, or -1 when out of memory (nothing added). */
static int trace_level(cairo_t *cr, const fc_map *m, double c, const axis *ax, const axis *ay,
                       contour_work *w)
{
    const long n = contour_level(m, c, &w->segs, &w->cap);
    if (n <= 0)
        return (int)(n < 0 ? -1 : 0);
    edge_use *u2 = realloc(w->uses, 2 * (size_t)n * sizeof *u2);
    if (u2)
        w->uses = u2;
    unsigned char *d2 = realloc(w->done, (size_t)n);
    if (d2)
        w->done = d2;
    size_t *c2 = realloc(w->chain, (2 * (size_t)n + 2) * sizeof *c2);
    if (c2)
        w->chain = c2;
    if (!u2 || !d2 || !c2)
        return -1;
    const contour_seg *segs = w->segs;
    edge_use *uses = w->uses;
    unsigned char *done = w->done;
    size_t *chain = w->chain;
    for (long s = 0; s < n; s++) {
        uses[2 * s] = (edge_use){segs[s].a, (size_t)s};
        uses[2 * s + 1] = (edge_use){segs[s].b, (size_t)s};
    }
    qsort(uses, 2 * (size_t)n, sizeof *uses, edge_use_cmp);
    memset(done, 0, (size_t)n);
    for (long s0 = 0; s0 < n; s0++) {
        if (done[s0])
            continue;
        /* Walk back from s0's edge a to the start of its line, then forward to the end. */
        size_t s = (size_t)s0, e = segs[s0].a;
        for (size_t steps = 0; steps < (size_t)n; steps++) {
            const size_t t = other_seg(uses, (size_t)n, e, s);
            if (t == (size_t)n || t == (size_t)s0)
                break;
            e = segs[t].a == e ? segs[t].b : segs[t].a;
            s = t;
        }
        /* s is the first segment and e its free end. */
        size_t len = 0;
        chain[len++] = e;
        while (s != (size_t)n && !done[s]) {
            done[s] = 1;
            e = segs[s].a == e ? segs[s].b : segs[s].a;
            chain[len++] = e;
            s = other_seg(uses, (size_t)n, e, s);
        }
        for (size_t q = 0; q < len; q++) {
            double px, py;
            crossing(m, chain[q], c, ax, ay, &px, &py);
            if (q)
                cairo_line_to(cr, px, py);
            else
                cairo_move_to(cr, px, py);
        }
        if (len > 2 && chain[len - 1] == chain[0])
            cairo_close_path(cr);
    }
    return 0;
}

static void draw_contours(cairo_t *cr, const fc_map *m, const axis *ax, const axis *ay, double fs)
{
    cairo_set_line_width(cr, fmax(0.8, fs / 14));
    cairo_set_source_rgba(cr, 0, 0, 0, 0.75);
    contour_work w = {0};
    for (int l = 1; l <= m->contours; l++) {
        const double c = m->lo + (m->hi - m->lo) * l / (m->contours + 1);
        if (m->cmap->diverging && fabs(c) < 1e-12 * (m->hi - m->lo))
            continue; /* the zero line of a signed field runs along noise */
        if (trace_level(cr, m, c, ax, ay, &w)) {
            cairo_new_path(cr);
            break; /* out of memory: the remaining levels are left out */
        }
        if (m->cmap->diverging && c < 0) {
            const double dash[2] = {fs * 0.4, fs * 0.3};
            cairo_set_dash(cr, dash, 2, 0);
        } else
            cairo_set_dash(cr, NULL, 0, 0);
        cairo_stroke(cr);
    }
    cairo_set_dash(cr, NULL, 0, 0);
    contour_work_free(&w);
}

/* The true surface of the bodies: the zero line of their signed distance (m->body), between
 * the cell centres, drawn over the cells that the solver counts as solid. */
static void draw_body_outline(cairo_t *cr, const fc_map *m, const axis *ax, const axis *ay,
                              double fs)
{
    fc_map dist = *m;
    dist.f = m->body;
    dist.kind = NULL; /* the distance is known inside the body too */
    contour_work w = {0};
    if (trace_level(cr, &dist, 0, ax, ay, &w) == 0) {
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, fmax(1.0, fs / 12));
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke(cr);
    } else
        cairo_new_path(cr);
    contour_work_free(&w);
}

static void arrow(cairo_t *cr, double x, double y, double dx, double dy, double head)
{
    const double len = hypot(dx, dy);
    if (len < 1)
        return;
    const double ux = dx / len, uy = dy / len, hl = fmin(head, 0.4 * len);
    const double bx = x + dx - ux * hl, by = y + dy - uy * hl;
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, bx, by);
    cairo_stroke(cr);
    cairo_move_to(cr, x + dx, y + dy);
    cairo_line_to(cr, bx - uy * hl * 0.45, by + ux * hl * 0.45);
    cairo_line_to(cr, bx + uy * hl * 0.45, by - ux * hl * 0.45);
    cairo_close_path(cr);
    cairo_fill(cr);
}

/* Arrows on a lattice about 22 across the longer side, the fastest one a lattice spacing
 * long; a key arrow below the plot on the right. */
static void draw_arrows(cairo_t *cr, const fc_map *m, const axis *ax, const axis *ay, double fs)
{
    const double pw = ax->p1 - ax->p0, ph = ay->p0 - ay->p1;
    const double sp = fmax(pw, ph) / 22;
    const int ni = (int)fmax(1, floor(pw / sp)), nj = (int)fmax(1, floor(ph / sp));
    double vmax = 0;
    for (int pass = 0; pass < 2; pass++) {
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, fmax(1, fs / 12));
        for (int b = 0; b < nj; b++)
            for (int a = 0; a < ni; a++) {
                const double x = ax->p0 + (a + 0.5) * pw / ni, y = ay->p0 - (b + 0.5) * ph / nj;
                const double dxv = ax->lo + (x - ax->p0) / pw * (ax->hi - ax->lo);
                const double dyv = ay->lo + (ay->p0 - y) / ph * (ay->hi - ay->lo);
                const size_t k = cell_of(m->y, m->ny, dyv) * m->nx + cell_of(m->x, m->nx, dxv);
                if (!cell_ok(m, k) || !isfinite(m->u[k]) || !isfinite(m->v[k]))
                    continue;
                const double sp2 = hypot(m->u[k], m->v[k]);
                if (pass == 0)
                    vmax = fmax(vmax, sp2);
                else if (vmax > 0) {
                    const double s = 0.9 * sp / vmax;
                    arrow(cr, x - m->u[k] * s / 2, y + m->v[k] * s / 2, m->u[k] * s, -m->v[k] * s,
                          fs * 0.5);
                }
            }
    }
    if (vmax > 0) {
        char key[96];
        const double kv = pow(10, floor(log10(vmax))) * (vmax / pow(10, floor(log10(vmax))) >= 5 ? 5 : vmax / pow(10, floor(log10(vmax))) >= 2 ? 2 : 1);
        snprintf(key, sizeof key, "%g %s", kv, m->arrow_units ? m->arrow_units : "");
        font(cr, fs * 0.9, 0);
        const double len = 0.9 * sp * kv / vmax, y = ay->p0 + fs * 2.4;
        const double tw = text_width(cr, key);
        arrow(cr, ax->p1 - tw - fs * 0.5 - len, y - fs * 0.3, len, 0, fs * 0.5);
        text(cr, ax->p1, y, 1, 0, key);
    }
}

static void draw_colorbar(cairo_t *cr, const fc_map *m, const map_layout *L, double x, double y0,
                          double y1)
{
    const double fs = L->fs, bw = fs * 1.1;
    cairo_surface_t *bar = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 256);
    unsigned char *d = cairo_image_surface_get_data(bar);
    const int stride = cairo_image_surface_get_stride(bar);
    for (int r = 0; r < 256; r++) {
        unsigned char rgb[3];
        fc_cmap_color(m->cmap, (255 - r) / 255.0, rgb);
        put_pixel(d + (size_t)r * stride, 0, rgb);
    }
    cairo_surface_mark_dirty(bar);
    cairo_save(cr);
    cairo_rectangle(cr, x, y1, bw, y0 - y1);
    cairo_clip(cr);
    cairo_translate(cr, x, y1);
    cairo_scale(cr, bw, (y0 - y1) / 256);
    set_image_source(cr, bar, CAIRO_FILTER_BILINEAR);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(bar);
    const axis ab = {m->lo, m->hi, 0, y0, y1};
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, fmax(1, fs / 16));
    cairo_rectangle(cr, x, y1, bw, y0 - y1);
    font(cr, fs, 0);
    for (int k = 0; k < L->tb.n; k++) {
        const double py = axis_px(&ab, L->tb.v[k]);
        cairo_move_to(cr, x + bw, py);
        cairo_line_to(cr, x + bw + fs * 0.35, py);
        tick_label(cr, &L->tb, k, x + bw + fs * 0.6, py, 0, 0.5, fs);
    }
    cairo_stroke(cr);
    cairo_save(cr);
    cairo_translate(cr, x + bw + fs * 0.65 + max_tick_width(cr, &L->tb, fs) + fs * 1.3,
                    (y0 + y1) / 2);
    cairo_rotate(cr, -M_PI / 2);
    draw_label_with_scale(cr, 0, 0, 0.5, 0, m->bar_label, &L->tb, fs);
    cairo_restore(cr);
}

/* Swatches for the kinds of cells present that are not data, under the plot on the left. */
static void draw_kind_key(cairo_t *cr, const fc_map *m, double x, double y, double fs)
{
    int have[3] = {0, 0, 0}; /* solid, dry, no data */
    for (size_t k = 0; k < m->nx * m->ny; k++) {
        const int kind = m->kind ? m->kind[k] : FC_CELL_DATA;
        have[0] |= kind == FC_CELL_SOLID;
        have[1] |= kind == FC_CELL_DRY;
        have[2] |= kind == FC_CELL_DATA && isnan(m->f[k]);
    }
    static const char *const names[3] = {"solid", "dry", "no data"};
    const double *rgb[3] = {SOLID_RGB, DRY_RGB, NO_DATA_RGB};
    font(cr, fs * 0.85, 0);
    for (int k = 0; k < 3; k++) {
        if (!have[k])
            continue;
        cairo_set_source_rgb(cr, rgb[k][0], rgb[k][1], rgb[k][2]);
        cairo_rectangle(cr, x, y - fs * 0.7, fs * 0.8, fs * 0.8);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
        text(cr, x + fs * 1.1, y, 0, 0, names[k]);
        x += fs * 1.6 + text_width(cr, names[k]);
    }
    int surface = 0;
    for (size_t k = 0; m->body && k < m->nx * m->ny && !surface; k++)
        surface = m->body[k] < 0;
    if (surface) { /* the line draw_body_outline draws */
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, fmax(1.0, fs / 12));
        cairo_move_to(cr, x, y - fs * 0.3);
        cairo_line_to(cr, x + fs * 0.8, y - fs * 0.3);
        cairo_stroke(cr);
        text(cr, x + fs * 1.1, y, 0, 0, "surface");
    }
}

static int draw_one_map(cairo_t *cr, const fc_map *m, double x0, double width, double height,
                        fc_map_frame *frame, fc_err *err)
{
    if (!m->nx || !m->ny || !(m->lo < m->hi) || !isfinite(m->lo) || !isfinite(m->hi))
        return fc_fail(err, FC_EINPUT, "a map needs cells and a colour range lo < hi (got %g, %g)",
                       m->lo, m->hi);
    if (m->cx && (m->nx < 2 || m->ny < 2 || !m->cy || m->u))
        return fc_fail(err, FC_EINPUT, "a curvilinear map needs 2 x 2 cells or more, the "
                       "centres along both axes, and no arrows");
    map_layout L;
    map_measure(cr, m, width, &L);
    if (!(L.xlo < L.xhi && L.ylo < L.yhi && isfinite(L.xhi - L.xlo) && isfinite(L.yhi - L.ylo)))
        return fc_fail(err, FC_EINPUT, "the cells span no area to draw (x from %g to %g, y from "
                       "%g to %g)", L.xlo, L.xhi, L.ylo, L.yhi);
    const double fs = L.fs;
    double aw = width - L.left - L.right, ah = height - L.top - L.bottom;
    if (aw < 16 || ah < 16)
        return fc_fail(err, FC_EINPUT, "the picture is too small for its labels (%.0f x %.0f "
                       "pixels are left for the plot); give a larger --size", aw, ah);
    double pw = aw, ph = aw / L.aspect;
    if (ph > ah)
        ph = ah, pw = ah * L.aspect;
    const double px0 = x0 + L.left + (aw - pw) / 2, py1 = L.top + (ah - ph) / 2;
    const axis ax = {L.xlo, L.xhi, 0, px0, px0 + pw}, ay = {L.ylo, L.yhi, 0, py1 + ph, py1};
    if (m->cx) {
        cairo_save(cr);
        cairo_rectangle(cr, px0, py1, pw, ph);
        cairo_clip(cr);
        draw_quads(cr, m, &ax, &ay);
        cairo_restore(cr);
    } else {
        const int per_cell = uniform(m->x, m->nx) && uniform(m->y, m->ny);
        cairo_surface_t *img = field_image(m, (int)ceil(pw), (int)ceil(ph), per_cell);
        if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
            cairo_surface_destroy(img);
            return fc_fail(err, FC_ENOMEM, "out of memory for a %zu x %zu image", m->nx, m->ny);
        }
        const int iw = cairo_image_surface_get_width(img);
        const int ih = cairo_image_surface_get_height(img);
        cairo_save(cr);
        cairo_rectangle(cr, px0, py1, pw, ph);
        cairo_clip(cr);
        cairo_translate(cr, px0, py1);
        cairo_scale(cr, pw / iw, ph / ih);
        /* Cells larger than pixels stay sharp squares; smaller ones are averaged, not
         * skipped. */
        set_image_source(cr, img, pw / iw >= 1 && ph / ih >= 1 ? CAIRO_FILTER_NEAREST
                                                               : CAIRO_FILTER_GOOD);
        cairo_paint(cr);
        cairo_restore(cr);
        cairo_surface_destroy(img);
    }
    cairo_save(cr);
    cairo_rectangle(cr, px0, py1, pw, ph);
    cairo_clip(cr);
    if (m->contours > 0)
        draw_contours(cr, m, &ax, &ay, fs);
    if (m->body)
        draw_body_outline(cr, m, &ax, &ay, fs);
    cairo_restore(cr);
    if (m->u && m->v) {
        cairo_save(cr);
        cairo_rectangle(cr, px0, py1, pw, ph + fs * 3.6);
        cairo_clip(cr);
        draw_arrows(cr, m, &ax, &ay, fs);
        cairo_restore(cr);
    }
    ticks tx = L.tx, ty = L.ty;
    draw_axes(cr, &ax, &ay, &tx, &ty, m->xlabel, m->ylabel, fs, 0);
    draw_colorbar(cr, m, &L, px0 + pw + fs * 0.9, py1 + ph, py1);
    if (frame)
        *frame = (fc_map_frame){{px0, py1, pw, ph}, {px0 + pw + fs * 0.9, py1, fs * 1.1, ph}};
    draw_title(cr, px0 + pw / 2, py1 - L.top, m->title, m->subtitle, fs, x0 + fs * 0.3,
               x0 + width - fs * 0.3);
    draw_kind_key(cr, m, x0 + fs * 0.5, py1 + ph + fs * 3.2, fs);
    return FC_OK;
}

int fc_map_draw(fc_picture *pic, const fc_map *maps, int n, fc_map_frame *frames, fc_err *err)
{
    cairo_t *cr = cairo_create(pic->surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    const double w = fc_picture_width(pic), h = fc_picture_height(pic);
    int st = FC_OK;
    for (int k = 0; k < n && !st; k++)
        st = draw_one_map(cr, &maps[k], w * k / n, w / n, h, frames ? &frames[k] : NULL, err);
    if (!st && cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        st = fc_fail(err, FC_ENOMEM, "drawing failed: %s", cairo_status_to_string(cairo_status(cr)));
    cairo_destroy(cr);
    return st;
}

/* ---- charts ---- */

static const long PALETTE[] = {0x1f77b4, 0xd62728, 0x2ca02c, 0xff7f0e, 0x9467bd,
                               0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};

static void set_rgb(cairo_t *cr, long c)
{
    cairo_set_source_rgb(cr, ((c >> 16) & 255) / 255.0, ((c >> 8) & 255) / 255.0,
                         (c & 255) / 255.0);
}

static int usable(const fc_chart *c, double x, double y)
{
    return isfinite(x) && isfinite(y) && (!c->xlog || x > 0) && (!c->ylog || y > 0);
}

static void pad_range(double *lo, double *hi, int log_axis, double frac)
{
    if (log_axis) {
        double a = log10(*lo), b = log10(*hi);
        if (b - a < 1e-9)
            a -= 0.5, b += 0.5;
        const double p = (b - a) * frac;
        *lo = pow(10, a - p), *hi = pow(10, b + p);
    } else {
        if (*hi - *lo <= 1e-12 * fmax(fabs(*lo), fabs(*hi))) {
            const double d = *lo ? fabs(*lo) * 0.1 : 1;
            *lo -= d, *hi += d;
        }
        const double p = (*hi - *lo) * frac;
        *lo -= p, *hi += p;
    }
}

static void marker(cairo_t *cr, double x, double y, double r)
{
    cairo_new_sub_path(cr);
    cairo_arc(cr, x, y, r, 0, 2 * M_PI);
}

static void series_sample(cairo_t *cr, const fc_series *s, long color, double x, double y,
                          double len, double fs)
{
    set_rgb(cr, color);
    cairo_set_line_width(cr, fmax(1.5, fs / 8));
    if (s->style != FC_MARKERS) {
        if (s->style == FC_DASHED || s->style == FC_DASHED_MARKERS) {
            const double dash[2] = {fs * 0.5, fs * 0.3};
            cairo_set_dash(cr, dash, 2, 0);
        }
        cairo_move_to(cr, x, y);
        cairo_line_to(cr, x + len, y);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
    }
    if (s->style == FC_MARKERS || s->style == FC_LINE_MARKERS || s->style == FC_DASHED_MARKERS) {
        marker(cr, x + len / 2, y, fs * 0.3);
        cairo_stroke(cr);
    }
}

int fc_chart_draw(fc_picture *pic, const fc_chart *c, fc_err *err)
{
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (int k = 0; k < c->nseries; k++)
        for (size_t i = 0; i < c->series[k].n; i++) {
            const double x = c->series[k].x[i], y = c->series[k].y[i];
            if (!usable(c, x, y))
                continue;
            xlo = fmin(xlo, x), xhi = fmax(xhi, x);
            ylo = fmin(ylo, y), yhi = fmax(yhi, y);
        }
    if (!(xlo <= xhi))
        return fc_fail(err, FC_EINPUT, "nothing to draw: no finite%s values",
                       c->xlog || c->ylog ? " positive" : "");
    if (c->ylo != 0 || c->yhi != 0)
        ylo = c->ylo, yhi = c->yhi;
    else {
        /* A log axis shows 14 decades at most: below that lies round-off. */
        if (c->ylog && yhi > 1e14 * ylo)
            ylo = yhi * 1e-14;
        pad_range(&ylo, &yhi, c->ylog, 0.05);
    }
    if (xhi - xlo <= 0 || c->xlog)
        pad_range(&xlo, &xhi, c->xlog, c->xlog ? 0.03 : 0);
    cairo_t *cr = cairo_create(pic->surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    const double w = fc_picture_width(pic), h = fc_picture_height(pic), fs = font_size(w);
    ticks tx, ty;
    make_ticks(xlo, xhi, c->xlog, 7, &tx);
    if (c->xticks && c->nxticks > 0) { /* given: labelled as plain numbers */
        memset(&tx, 0, sizeof tx);
        for (int k = 0; k < c->nxticks && tx.n < MAX_TICKS; k++)
            if (c->xticks[k] >= xlo && c->xticks[k] <= xhi) {
                tx.v[tx.n] = c->xticks[k];
                tx.exponent[tx.n] = INT32_MIN;
                snprintf(tx.label[tx.n++], 32, "%g", c->xticks[k]);
            }
    }
    make_ticks(ylo, yhi, c->ylog, 6, &ty);
    font(cr, fs, 0);
    const double left = fs * 0.65 + max_tick_width(cr, &ty, fs) + fs * 2.2, right = fs * 1.5;
    const double top = fs * (c->subtitle ? 3.7 : 2.3), bottom = fs * 3.6;
    int st = FC_OK;
    if (w - left - right < 32 || h - top - bottom < 32) {
        st = fc_fail(err, FC_EINPUT, "the picture is too small for a chart (%.0f x %.0f)", w, h);
        cairo_destroy(cr);
        return st;
    }
    const axis ax = {xlo, xhi, c->xlog, left, w - right}, ay = {ylo, yhi, c->ylog, h - bottom, top};
    draw_axes(cr, &ax, &ay, &tx, &ty, c->xlabel, c->ylabel, fs, 1);
    cairo_save(cr);
    cairo_rectangle(cr, ax.p0, ay.p1, ax.p1 - ax.p0, ay.p0 - ay.p1);
    cairo_clip(cr);
    int nlegend = 0, next = 0;
    long colors[64];
    for (int k = 0; k < c->nseries; k++) {
        const fc_series *s = &c->series[k];
        const long color = k < 64 && s->color >= 0 ? s->color
                                                   : PALETTE[next++ % (sizeof PALETTE / sizeof PALETTE[0])];
        if (k < 64)
            colors[k] = color;
        nlegend += s->label != NULL;
        set_rgb(cr, color);
        cairo_set_line_width(cr, fmax(1.5, fs / 8));
        if (s->style == FC_DASHED || s->style == FC_DASHED_MARKERS) {
            const double dash[2] = {fs * 0.5, fs * 0.3};
            cairo_set_dash(cr, dash, 2, 0);
        }
        int pen = 0;
        for (size_t i = 0; i < s->n; i++) {
            if (!usable(c, s->x[i], s->y[i])) {
                pen = 0;
                continue;
            }
            const double px = axis_px(&ax, s->x[i]), py = axis_px(&ay, s->y[i]);
            if (s->style == FC_MARKERS)
                continue;
            if (pen)
                cairo_line_to(cr, px, py);
            else
                cairo_move_to(cr, px, py);
            pen = 1;
        }
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        if (s->style == FC_MARKERS || s->style == FC_LINE_MARKERS ||
            s->style == FC_DASHED_MARKERS) {
            for (size_t i = 0; i < s->n; i++)
                if (usable(c, s->x[i], s->y[i]))
                    marker(cr, axis_px(&ax, s->x[i]), axis_px(&ay, s->y[i]), fs * 0.3);
            cairo_stroke(cr);
        }
    }
    cairo_restore(cr);
    if (nlegend) {
        font(cr, fs * 0.9, 0);
        double lw = 0;
        for (int k = 0; k < c->nseries; k++)
            if (c->series[k].label)
                lw = fmax(lw, text_width(cr, c->series[k].label));
        const double sample = fs * 2, bw = lw + sample + fs * 1.5, bh = nlegend * fs * 1.3 + fs * 0.6;
        /* The corner whose box covers the fewest points and segment midpoints of the data:
         * top right, top left, bottom right, bottom left, in that order of preference. */
        static const int order[4] = {1, 0, 3, 2};
        int best = 1, least = -1;
        for (int o = 0; o < 4; o++) {
            const int k = order[o];
            const double x0 = k & 1 ? ax.p1 - bw - fs * 0.8 : ax.p0,
                         y0 = k & 2 ? ay.p0 - bh - fs * 0.8 : ay.p1;
            int covered = 0;
            for (int q = 0; q < c->nseries; q++) {
                const fc_series *s = &c->series[q];
                double lx = NAN, ly = NAN;
                for (size_t i = 0; i < s->n; i++) {
                    if (!usable(c, s->x[i], s->y[i])) {
                        lx = NAN;
                        continue;
                    }
                    const double px = axis_px(&ax, s->x[i]), py = axis_px(&ay, s->y[i]);
                    for (int at_point = isnan(lx) ? 1 : 0; at_point < 2; at_point++) {
                        const double qx = at_point ? px : (px + lx) / 2;
                        const double qy = at_point ? py : (py + ly) / 2;
                        covered += qx >= x0 && qx <= x0 + bw + fs * 0.8 && qy >= y0 &&
                                   qy <= y0 + bh + fs * 0.8;
                    }
                    lx = px, ly = py;
                }
            }
            if (least < 0 || covered < least)
                least = covered, best = k;
        }
        const double bx = best & 1 ? ax.p1 - bw - fs * 0.4 : ax.p0 + fs * 0.4;
        const double by = best & 2 ? ay.p0 - bh - fs * 0.4 : ay.p1 + fs * 0.4;
        cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
        cairo_rectangle(cr, bx, by, bw, bh);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
        int row = 0;
        for (int k = 0; k < c->nseries; k++) {
            if (!c->series[k].label)
                continue;
            const double y = by + fs * 0.3 + (row++ + 0.5) * fs * 1.3;
            series_sample(cr, &c->series[k], k < 64 ? colors[k] : 0, bx + fs * 0.5, y, sample, fs);
            cairo_set_source_rgb(cr, 0, 0, 0);
            text(cr, bx + fs * 1.0 + sample, y, 0, 0.5, c->series[k].label);
        }
    }
    draw_title(cr, (ax.p0 + ax.p1) / 2, 0, c->title, c->subtitle, fs, fs * 0.3, w - fs * 0.3);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        st = fc_fail(err, FC_ENOMEM, "drawing failed: %s", cairo_status_to_string(cairo_status(cr)));
    cairo_destroy(cr);
    return st;
}

int fc_chart_write_png(const fc_chart *c, int width, int height, const char *path, fc_err *err)
{
    fc_picture *pic = NULL;
    int st = fc_picture_new(width, height, &pic, err);
    if (!st && !(st = fc_chart_draw(pic, c, err)))
        st = fc_picture_write_png(pic, path, err);
    fc_picture_free(pic);
    return st;
}
