/*
 * figure.h: pictures of a file's variable (plotdata.h), as `flowcast plot`, `animate` and the
 * demo draw them: a field as a map with its colour bar, a series against time, a profile (a
 * spectrum on log-log axes with a k^-3 line), and a forecast beside its truth and their
 * difference.
 */
#ifndef FC_FIGURE_H
#define FC_FIGURE_H

#include "src/plot/plot.h"
#include "src/plot/plotdata.h"

typedef struct fc_figure_opts {
    const char *cmap; /* NULL: rdbu centred on zero for a signed field, else viridis */
    int have_range;   /* lo, hi given (a field's colours; a chart's y axis) */
    double lo, hi;
    int contours;     /* contour lines of a field */
    int vectors;      /* velocity arrows over a field */
    int width, height; /* 0: 900 wide and a height from the field's aspect */
    double base;       /* with have_range, a field is drawn as its departure from base (0: as
                          it is), lo and hi being departures: a film's frames share it */
} fc_figure_opts;

/* The smallest and largest data value of a field over records [r0, r1] (solid and dry cells
 * and fill values left out). FC_EINPUT when there is none. */
int fc_figure_range(const fc_plotdata *d, size_t r0, size_t r1, double *lo, double *hi,
                    fc_err *err);
/* The colour map and range for data in [dlo, dhi] under the options: a diverging map gets a
 * range symmetric about zero; an empty range is widened. FC_EINPUT for an unknown map. */
int fc_figure_colors(const fc_figure_opts *o, double dlo, double dhi, const fc_cmap **cmap,
                     double *lo, double *hi, fc_err *err);

/* A field whose values in [dlo, dhi] differ by less than 1e-3 of their size (a lake's surface at
 * rest: 1 to round-off, which no colour bar's labels can tell apart) is drawn as its departure
 * from a round value inside that range: the decimal with the fewest significant digits in it
 * (rounded from its middle), so that the label names it exactly. Returns it, or 0: the values
 * as they are. */
double fc_figure_base(double dlo, double dhi);

/* A field at record rec, with the colour range of o or, without one, of that record; drawn as
 * its departure from fc_figure_base of that range, or from o->base with a range. */
int fc_figure_field(const fc_plotdata *d, size_t rec, const fc_figure_opts *o, fc_picture **pic,
                    fc_err *err);
/* A series against time. */
int fc_figure_series(const fc_plotdata *d, const fc_figure_opts *o, fc_picture **pic,
                     fc_err *err);
/* A profile at record rec, or at every record (all; coloured from early to late). */
int fc_figure_profile(const fc_plotdata *d, size_t rec, int all, const fc_figure_opts *o,
                      fc_picture **pic, fc_err *err);
/* The y range that holds a profile at every record, a little wider (a spectrum's positive
 * values, over at most 14 decades): one axis for a film of it. */
int fc_figure_profile_range(const fc_plotdata *d, double *lo, double *hi, fc_err *err);
/* Three maps side by side: a (the forecast) at record ra, b (the truth) at rb on the same grid
 * and colour range, and a - b centred on zero. */
int fc_figure_compare(const fc_plotdata *a, size_t ra, const char *a_name, const fc_plotdata *b,
                      size_t rb, const char *b_name, int width, fc_picture **pic, fc_err *err);

#endif
