/* figure.c: pictures of a file's variable (figure.h). */
#include <fc_build.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/plot/figure.h"

#define DEFAULT_WIDTH 900

/* A field's values and cell kinds at one record. */
typedef struct plane {
    double *f, *u, *v;
    double *body; /* the signed distance to the bodies' surface, or NULL */
    double *lon, *lat; /* a curvilinear grid's cell centres, or NULL */
    unsigned char *kind;
    char arrow_units[64];
} plane;

static void plane_free(plane *p)
{
    free(p->f), free(p->u), free(p->v), free(p->body), free(p->kind), free(p->lon), free(p->lat);
    memset(p, 0, sizeof *p);
}

static int plane_read(const fc_plotdata *d, size_t rec, int vectors, plane *p, fc_err *err)
{
    memset(p, 0, sizeof *p);
    const size_t n = d->x.n * d->y.n;
    p->f = malloc(n * sizeof *p->f);
    p->kind = malloc(n);
    if (vectors) {
        p->u = malloc(n * sizeof *p->u);
        p->v = malloc(n * sizeof *p->v);
    }
    if (fc_pd_has_body(d))
        p->body = malloc(n * sizeof *p->body);
    const int curvilinear = d->lon_id >= 0;
    if (curvilinear) {
        p->lon = malloc(n * sizeof *p->lon);
        p->lat = malloc(n * sizeof *p->lat);
    }
    int st = !p->f || !p->kind || (vectors && (!p->u || !p->v)) ||
                     (fc_pd_has_body(d) && !p->body) || (curvilinear && (!p->lon || !p->lat))
                 ? fc_fail(err, FC_ENOMEM, "out of memory for %zu cells of '%s'", n, d->name)
                 : FC_OK;
    if (!st && curvilinear)
        st = fc_pd_lonlat(d, rec, p->lon, p->lat, err);
    if (!st)
        st = fc_pd_read(d, rec, p->f, err);
    if (!st)
        st = fc_pd_kinds(d, rec, p->kind, p->body, err);
    if (!st && vectors)
        st = fc_pd_velocity(d, rec, p->u, p->v, p->arrow_units, sizeof p->arrow_units, err);
    if (st)
        plane_free(p);
    return st;
}

static void data_range(const plane *p, size_t n, double *lo, double *hi)
{
    for (size_t k = 0; k < n; k++)
        if (p->kind[k] == FC_CELL_DATA && !isnan(p->f[k])) {
            *lo = fmin(*lo, p->f[k]);
            *hi = fmax(*hi, p->f[k]);
        }
}

int fc_figure_range(const fc_plotdata *d, size_t r0, size_t r1, double *lo, double *hi,
                    fc_err *err)
{
    *lo = INFINITY, *hi = -INFINITY;
    for (size_t r = r0; r <= r1; r++) {
        plane p;
        int st = plane_read(d, r, 0, &p, err);
        if (st)
            return st;
        data_range(&p, d->x.n * d->y.n, lo, hi);
        plane_free(&p);
    }
    if (!(*lo <= *hi))
        return fc_fail(err, FC_EINPUT, "%s: '%s' has no data to draw (every value is missing, "
                       "solid or dry)", d->path, d->name);
    return FC_OK;
}

int fc_figure_colors(const fc_figure_opts *o, double dlo, double dhi, const fc_cmap **cmap,
                     double *lo, double *hi, fc_err *err)
{
    /* Signed: values on both sides of zero, the smaller side at least 1 % of the larger (a
     * stream function of one sign with a faint secondary eddy reads better in one hue). */
    const double big = fmax(fabs(dlo), fabs(dhi));
    const int is_signed = dlo < 0 && dhi > 0 && fmin(-dlo, dhi) >= 0.01 * big;
    *cmap = fc_cmap_find(o->cmap ? o->cmap : is_signed ? "rdbu" : "viridis");
    if (!*cmap)
        return fc_fail(err, FC_EINPUT, "--cmap %s: no such colour map (there are %s)", o->cmap,
                       fc_cmap_names());
    if (o->have_range) {
        *lo = o->lo, *hi = o->hi;
        return FC_OK;
    }
    if ((*cmap)->diverging) {
        *hi = big > 0 ? big : 1;
        *lo = -*hi;
    } else if (dhi > dlo) {
        *lo = dlo, *hi = dhi;
    } else { /* a constant field: a range around it */
        const double w = dlo ? 0.01 * fabs(dlo) : 1;
        *lo = dlo - w, *hi = dhi + w;
    }
    return FC_OK;
}

double fc_figure_base(double dlo, double dhi)
{
    const double mid = 0.5 * (dlo + dhi), spread = dhi - dlo;
    if (!(spread > 0) || !(spread < 1e-3 * fabs(mid)) || !isfinite(mid))
        return 0;
    for (int digits = 1; digits <= 17; digits++) {
        char text[64];
        snprintf(text, sizeof text, "%.*e", digits - 1, mid);
        const double base = strtod(text, NULL);
        if (base >= dlo && base <= dhi)
            return base;
    }
    return mid; /* (17 digits give mid back) */
}

/* The shortest decimal text that reads back as x. */
static void shortest_text(double x, char *buf, size_t len)
{
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, len, "%.*g", digits, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* " (units)", or "" for a variable without units or a dimensionless one ("1"). */
static const char *units_suffix(const fc_plotdata *d, char *buf, size_t len)
{
    if (!d->units[0] || !strcmp(d->units, "1"))
        return "";
    snprintf(buf, len, " (%s)", d->units);
    return buf;
}

/* "long name (units)", the name for a variable without a long name. */
static void field_title(const fc_plotdata *d, char *buf, size_t len)
{
    char u[136]; /* " (units)": 127 + 4 */
    snprintf(buf, len, "%s%s", d->long_name[0] ? d->long_name : d->name,
             units_suffix(d, u, sizeof u));
}

static void field_subtitle(const fc_plotdata *d, size_t rec, char *buf, size_t len)
{
    char t[96];
    fc_pd_time_text(d, rec, t, sizeof t);
    snprintf(buf, len, "%s%s%s%s%s%s%s", d->name, d->level_text[0] ? "   " : "", d->level_text,
             t[0] ? "   " : "", t, d->title[0] ? "   " : "", d->title);
}

static void map_from(const fc_plotdata *d, const plane *p, fc_map *m)
{
    memset(m, 0, sizeof *m);
    m->f = p->f;
    m->nx = d->x.n;
    m->ny = d->y.n;
    m->x = d->x.c;
    m->y = d->y.c;
    m->kind = p->kind;
    m->body = p->body;
    m->xlabel = d->x.label;
    m->ylabel = d->y.label;
    m->bar_label = d->units[0] ? d->units : d->name;
    /* One unit as long on both axes when they are lengths in the same units. */
    m->equal_aspect = d->x.units[0] && !strcmp(d->x.units, d->y.units) && d->x.scale == d->y.scale;
    m->lonlat = d->geographic;
    if (p->lon) {
        m->cx = p->lon, m->cy = p->lat;
        m->xlabel = d->lon_label;
        m->ylabel = d->lat_label;
    }
}

int fc_figure_field(const fc_plotdata *d, size_t rec, const fc_figure_opts *o, fc_picture **pic,
                    fc_err *err)
{
    *pic = NULL;
    plane p;
    int st = plane_read(d, rec, o->vectors, &p, err);
    if (st)
        return st;
    double dlo = INFINITY, dhi = -INFINITY, lo, hi;
    const size_t cells = d->x.n * d->y.n;
    data_range(&p, cells, &dlo, &dhi);
    if (!(dlo <= dhi))
        dlo = dhi = 0; /* nothing but missing cells: drawn all grey */
    const double base = o->have_range ? o->base : fc_figure_base(dlo, dhi);
    char bar_label[456] = "";
    if (base != 0) {
        for (size_t k = 0; k < cells; k++)
            p.f[k] -= base; /* (NaN, no data, stays NaN) */
        char num[32], u[136];
        shortest_text(base, num, sizeof num);
        snprintf(bar_label, sizeof bar_label, "%s \xe2\x88\x92 %s%s", d->name, num,
                 units_suffix(d, u, sizeof u));
    }
    const fc_cmap *cmap;
    st = fc_figure_colors(o, dlo - base, dhi - base, &cmap, &lo, &hi, err);
    char title[400], subtitle[800]; /* room for the longest name, units and title a file may hold */
    field_title(d, title, sizeof title);
    field_subtitle(d, rec, subtitle, sizeof subtitle);
    fc_map m;
    map_from(d, &p, &m);
    if (bar_label[0])
        m.bar_label = bar_label;
    m.title = title;
    m.subtitle = subtitle;
    m.cmap = cmap;
    m.lo = lo;
    m.hi = hi;
    m.contours = o->contours;
    m.u = p.u;
    m.v = p.v;
    m.arrow_units = p.arrow_units;
    int w, h;
    fc_map_size(&m, 1, o->width ? o->width : DEFAULT_WIDTH, o->height, &w, &h);
    if (!st)
        st = fc_picture_new(w, h, pic, err);
    if (!st && (st = fc_map_draw(*pic, &m, 1, NULL, err))) {
        fc_picture_free(*pic);
        *pic = NULL;
    }
    plane_free(&p);
    return st;
}

/* Times of the records in a readable unit: x[k] and the axis label. */
static void time_axis(const fc_plotdata *d, double *x, char *label, size_t len)
{
    double f = 1;
    const char *unit = d->time_units[0] ? d->time_units : "record";
    char word[32] = "";
    sscanf(unit, "%31s", word);
    if (!strncmp(word, "second", 6) || !strcmp(word, "s")) {
        const double span = d->nrec ? fabs(d->times[d->nrec - 1]) : 0;
        if (span >= 2 * 86400)
            f = 1.0 / 86400, unit = "days";
        else if (span >= 2 * 3600)
            f = 1.0 / 3600, unit = "hours";
        else if (span >= 120)
            f = 1.0 / 60, unit = "minutes";
        else
            unit = "s";
    } else
        unit = word[0] ? word : unit;
    for (size_t k = 0; k < d->nrec; k++)
        x[k] = d->times[k] * f;
    snprintf(label, len, "time (%s)", unit);
}

static int chart_picture(const fc_figure_opts *o, const fc_chart *c, fc_picture **pic,
                         fc_err *err)
{
    const int w = o->width ? o->width : DEFAULT_WIDTH;
    const int h = o->height ? o->height : (w * 5 + 4) / 9 / 2 * 2;
    int st = fc_picture_new(w, h, pic, err);
    if (!st && (st = fc_chart_draw(*pic, c, err))) {
        fc_picture_free(*pic);
        *pic = NULL;
    }
    return st;
}

int fc_figure_series(const fc_plotdata *d, const fc_figure_opts *o, fc_picture **pic,
                     fc_err *err)
{
    *pic = NULL;
    double *x = malloc(d->nrec * sizeof *x), *y = malloc(d->nrec * sizeof *y);
    int st = !x || !y ? fc_fail(err, FC_ENOMEM, "out of memory for %zu records", d->nrec) : FC_OK;
    char xlabel[136], ylabel[456], title[400];
    if (!st)
        st = fc_pd_read(d, 0, y, err);
    if (!st) {
        time_axis(d, x, xlabel, sizeof xlabel);
        /* A quantity that barely changes (a conserved one) is drawn as its change from the
         * first record, which is what one wants to see of it. */
        double y0 = NAN, dev = 0;
        for (size_t k = 0; k < d->nrec; k++)
            if (!isnan(y[k])) {
                if (isnan(y0))
                    y0 = y[k];
                dev = fmax(dev, fabs(y[k] - y0));
            }
        char offset[64] = "";
        if (!isnan(y0) && y0 != 0 && dev < 1e-3 * fabs(y0) && !o->have_range) {
            for (size_t k = 0; k < d->nrec; k++)
                y[k] -= y0;
            snprintf(offset, sizeof offset, " \xe2\x88\x92 %.10g", y0);
        }
        char u[136]; /* " (units)": 127 + 4 */
        snprintf(ylabel, sizeof ylabel, "%s%s%s", d->name, offset, units_suffix(d, u, sizeof u));
        field_title(d, title, sizeof title);
        const fc_series s = {x, y, d->nrec, NULL, d->nrec > 60 ? FC_LINE : FC_LINE_MARKERS, -1};
        const fc_chart c = {title, d->title[0] ? d->title : NULL, xlabel, ylabel, 0, 0, &s, 1,
                            o->have_range ? o->lo : 0, o->have_range ? o->hi : 0, NULL, 0};
        st = chart_picture(o, &c, pic, err);
    }
    free(x);
    free(y);
    return st;
}

/* Whether a profile's axis is a wavenumber: drawn log-log with a k^-3 line. */
static int is_spectrum(const fc_plotdata *d)
{
    return !strcmp(d->x.name, "k") || !strcmp(d->x.name, "wavenumber") ||
           strstr(d->long_name, "spectrum") != NULL;
}

int fc_figure_profile_range(const fc_plotdata *d, double *lo, double *hi, fc_err *err)
{
    const int logy = is_spectrum(d);
    double *y = malloc(d->x.n * sizeof *y);
    if (!y)
        return fc_fail(err, FC_ENOMEM, "out of memory for %zu values of '%s'", d->x.n, d->name);
    *lo = INFINITY, *hi = -INFINITY;
    int st = FC_OK;
    for (size_t r = 0; r < d->nrec && !st; r++)
        if (!(st = fc_pd_read(d, r, y, err)))
            for (size_t k = 0; k < d->x.n; k++)
                if (isfinite(y[k]) && (!logy || y[k] > 0)) {
                    *lo = fmin(*lo, y[k]);
                    *hi = fmax(*hi, y[k]);
                }
    free(y);
    if (!st && !(*lo <= *hi))
        st = fc_fail(err, FC_EINPUT, "%s: '%s' has no data to draw (every value is missing%s)",
                     d->path, d->name, logy ? " or not positive, on a log axis" : "");
    if (st)
        return st;
    if (logy) {
        *lo = fmax(*lo, *hi * 1e-14);
        const double pad = *lo < *hi ? pow(*hi / *lo, 0.05) : 2;
        *lo /= pad, *hi *= pad;
    } else {
        const double span = *hi - *lo, pad = span > 0 ? 0.05 * span : fmax(fabs(*hi), 1) * 0.05;
        *lo -= pad, *hi += pad;
    }
    return FC_OK;
}

int fc_figure_profile(const fc_plotdata *d, size_t rec, int all, const fc_figure_opts *o,
                      fc_picture **pic, fc_err *err)
{
    *pic = NULL;
    const size_t r0 = all ? 0 : rec, r1 = all ? d->nrec - 1 : rec;
    /* At most 12 curves: every record, or records spread evenly over the run. */
    const size_t ncurve = r1 - r0 + 1 > 12 ? 12 : r1 - r0 + 1;
    const size_t n = d->x.n;
    double *y = malloc((ncurve + 1) * n * sizeof *y);
    fc_series s[13];
    char labels[13][96];
    if (!y)
        return fc_fail(err, FC_ENOMEM, "out of memory for %zu values of '%s'", n, d->name);
    int st = FC_OK;
    const fc_cmap *vir = fc_cmap_find("viridis");
    for (size_t c = 0; c < ncurve && !st; c++) {
        const size_t r = ncurve > 1 ? r0 + c * (r1 - r0) / (ncurve - 1) : r0;
        st = fc_pd_read(d, r, y + c * n, err);
        fc_pd_time_text(d, r, labels[c], sizeof labels[c]);
        unsigned char rgb[3];
        fc_cmap_color(vir, ncurve > 1 ? 0.9 * c / (ncurve - 1) : 0, rgb);
        s[c] = (fc_series){d->x.c, y + c * n, n, labels[c][0] ? labels[c] : NULL,
                           ncurve == 1 && n <= 60 ? FC_LINE_MARKERS : FC_LINE,
                           ncurve > 1 ? (long)rgb[0] << 16 | rgb[1] << 8 | rgb[2] : -1};
    }
    const int spectrum = is_spectrum(d);
    int ns = (int)ncurve;
    if (!st && spectrum) {
        /* k^-3 through the last curve at the geometric middle of its positive part. */
        const double *last = y + (ncurve - 1) * n;
        size_t a = n, b = 0;
        for (size_t k = 0; k < n; k++)
            if (d->x.c[k] > 0 && last[k] > 0) {
                a = k < a ? k : a;
                b = k;
            }
        if (a < b) {
            size_t mid = a;
            const double km = sqrt(d->x.c[a] * d->x.c[b]);
            for (size_t k = a; k <= b; k++)
                if (fabs(log(d->x.c[k] / km)) < fabs(log(d->x.c[mid] / km)) && last[k] > 0)
                    mid = k;
            double *ref = y + ncurve * n;
            for (size_t k = 0; k < n; k++)
                ref[k] = d->x.c[k] >= d->x.c[a] && d->x.c[k] <= d->x.c[b]
                             ? last[mid] * pow(d->x.c[k] / d->x.c[mid], -3)
                             : NAN;
            s[ns++] = (fc_series){d->x.c, ref, n, "k^-3", FC_DASHED, 0x000000};
        }
    }
    if (!st) {
        char ylabel[400], title[400], sub[400];
        char u[136]; /* " (units)": 127 + 4 */
        snprintf(ylabel, sizeof ylabel, "%s%s", d->name, units_suffix(d, u, sizeof u));
        field_title(d, title, sizeof title);
        snprintf(sub, sizeof sub, "%s%s%s", ncurve == 1 ? labels[0] : "",
                 ncurve == 1 && d->title[0] ? "   " : "", d->title);
        if (ncurve == 1)
            s[0].label = NULL;
        const fc_chart c = {title, sub[0] ? sub : NULL, d->x.label, ylabel, spectrum, spectrum,
                            s, ns, o->have_range ? o->lo : 0, o->have_range ? o->hi : 0,
                            d->x.index && n <= 20 ? d->x.c : NULL, (int)n};
        st = chart_picture(o, &c, pic, err);
    }
    free(y);
    return st;
}

int fc_figure_compare(const fc_plotdata *a, size_t ra, const char *a_name, const fc_plotdata *b,
                      size_t rb, const char *b_name, int width, fc_picture **pic, fc_err *err)
{
    *pic = NULL;
    if (a->shape != FC_PD_FIELD || b->shape != FC_PD_FIELD || a->x.n != b->x.n ||
        a->y.n != b->y.n)
        return fc_fail(err, FC_EINPUT, "'%s' in %s and '%s' in %s are not fields on the same grid",
                       a->name, a->path, b->name, b->path);
    plane pa, pb;
    int st = plane_read(a, ra, 0, &pa, err);
    if (st)
        return st;
    if ((st = plane_read(b, rb, 0, &pb, err))) {
        plane_free(&pa);
        return st;
    }
    const size_t n = a->x.n * a->y.n;
    double *diff = malloc(n * sizeof *diff);
    if (!diff)
        st = fc_fail(err, FC_ENOMEM, "out of memory for a difference of %zu cells", n);
    double lo = INFINITY, hi = -INFINITY, dmax = 0;
    for (size_t k = 0; diff && k < n; k++) {
        diff[k] = pa.f[k] - pb.f[k];
        if (pb.kind[k] != FC_CELL_DATA)
            pa.kind[k] = pb.kind[k];
        if (!isnan(diff[k]))
            dmax = fmax(dmax, fabs(diff[k]));
    }
    data_range(&pa, n, &lo, &hi);
    data_range(&pb, n, &lo, &hi);
    const fc_figure_opts none = {0};
    const fc_cmap *cmap = NULL;
    if (!st)
        st = fc_figure_colors(&none, lo <= hi ? lo : 0, lo <= hi ? hi : 0, &cmap, &lo, &hi, err);
    fc_map m[3];
    char t[3][400], sub[3][400], when_a[96], when_b[96];
    fc_pd_time_text(a, ra, when_a, sizeof when_a);
    fc_pd_time_text(b, rb, when_b, sizeof when_b);
    snprintf(t[0], sizeof t[0], "%s", a_name);
    snprintf(t[1], sizeof t[1], "%s", b_name);
    snprintf(t[2], sizeof t[2], "%s - %s", a_name, b_name);
    snprintf(sub[0], sizeof sub[0], "%s   %s", a->name, when_a);
    snprintf(sub[1], sizeof sub[1], "%s   %s", b->name, when_b);
    snprintf(sub[2], sizeof sub[2], "largest |difference| %.3g %s", dmax, a->units);
    for (int k = 0; k < 3; k++) {
        map_from(a, k == 1 ? &pb : &pa, &m[k]);
        m[k].title = t[k];
        m[k].subtitle = sub[k];
        m[k].cmap = cmap;
        m[k].lo = lo;
        m[k].hi = hi;
    }
    m[2].f = diff;
    m[2].cmap = fc_cmap_find("rdbu");
    m[2].hi = dmax > 0 ? dmax : 1;
    m[2].lo = -m[2].hi;
    int w, h;
    fc_map_size(m, 3, width ? width : 1500, 0, &w, &h);
    if (!st)
        st = fc_picture_new(w, h, pic, err);
    if (!st && (st = fc_map_draw(*pic, m, 3, NULL, err))) {
        fc_picture_free(*pic);
        *pic = NULL;
    }
    free(diff);
    plane_free(&pa);
    plane_free(&pb);
    return st;
}
