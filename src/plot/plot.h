/*
 * plot.h: flowcast's pictures, drawn with cairo (antialiased lines, outline text, exact PNG
 * output; the same input gives the same bytes): maps of 2-D fields with a colour bar, contours
 * and arrows, and charts of lines and markers on linear or logarithmic axes. The program's
 * commands (plot, animate, demo, validate) build these from data; nothing here reads a file or
 * prints.
 */
#ifndef FC_PLOT_H
#define FC_PLOT_H

#include <stddef.h>

#include "src/core/fc.h"
#include "src/plot/colormap.h"

/* A picture in memory: ARGB32 pixels, premultiplied, native-endian (B, G, R, A on x86). */
typedef struct fc_picture fc_picture;

int fc_picture_new(int width, int height, fc_picture **pic, fc_err *err);
void fc_picture_free(fc_picture *pic);
int fc_picture_width(const fc_picture *pic);
int fc_picture_height(const fc_picture *pic);
/* The pixels: height rows of *stride bytes. */
const unsigned char *fc_picture_pixels(fc_picture *pic, int *stride);
/* Writes the picture as PNG at path, whole or not at all: under a temporary name in the same
 * folder, renamed over path at the end. The caller has checked that path may be written. */
int fc_picture_write_png(fc_picture *pic, const char *path, fc_err *err);

/* What a cell of a map is, besides data. */
enum fc_cell_kind { FC_CELL_DATA, FC_CELL_SOLID, FC_CELL_DRY };

/* One panel: a field on a rectilinear grid of cell centres, or on a curvilinear one. */
typedef struct fc_map {
    const double *f;           /* nx * ny values, x fastest; NaN: no data (drawn light grey) */
    size_t nx, ny;
    const double *x, *y;       /* cell centres, strictly monotonic (either way) */
    const double *cx, *cy;     /* NULL, or a curvilinear grid (nx and ny at least 2): each
                                  cell's centre (nx * ny, x fastest; x and y unused), a cell
                                  drawn as the quadrilateral of the midpoints between centres
                                  (extrapolated at the edges); no arrows */
    int lonlat;                /* x (or cx) and y (or cy) are longitudes and latitudes: a
                                  degree of longitude is drawn cos(middle latitude) as long as
                                  one of latitude */
    const unsigned char *kind; /* NULL, or per cell an fc_cell_kind: solid grey, dry land */
    const double *body;        /* NULL, or the signed distance to the surface of the bodies at
                                  the cell centres (negative inside; NaN: not known): its zero
                                  line, the true surface, is drawn over the solid cells */
    const char *title;         /* first line, bold */
    const char *subtitle;      /* second line; NULL: none */
    const char *xlabel, *ylabel, *bar_label;
    int equal_aspect;          /* x and y in the same units: one unit is as long on both */
    const fc_cmap *cmap;
    double lo, hi;             /* the colour range (lo < hi) */
    int contours;              /* this many contour lines, evenly inside (lo, hi); 0: none */
    const double *u, *v;       /* arrows from these components (same grid), or NULL */
    const char *arrow_units;   /* units of u and v, for the arrow key */
} fc_map;

/* Width and height for n maps side by side, width px wide (a good height from the maps'
 * aspect); a given height (> 0) is kept. */
void fc_map_size(const fc_map *maps, int n, int width, int height, int *w, int *h);
/* Where a map was drawn, in pixels from the top left: x, y, width, height. */
typedef struct fc_map_frame {
    double plot[4]; /* the field's rectangle (inside the frame line) */
    double bar[4];  /* the colour bar */
} fc_map_frame;

/* Draws n maps side by side over the whole picture (white background); where each went into
 * frames[0..n) when frames is not NULL. */
int fc_map_draw(fc_picture *pic, const fc_map *maps, int n, fc_map_frame *frames, fc_err *err);

enum fc_series_style { FC_LINE, FC_DASHED, FC_MARKERS, FC_LINE_MARKERS, FC_DASHED_MARKERS };

typedef struct fc_series {
    const double *x, *y; /* n points; a NaN breaks a line */
    size_t n;
    const char *label;   /* legend text; NULL: not in the legend */
    int style;           /* enum fc_series_style */
    long color;          /* 0xRRGGBB, or -1: the next of the palette */
} fc_series;

typedef struct fc_chart {
    const char *title, *subtitle, *xlabel, *ylabel;
    int xlog, ylog;               /* logarithmic axes (non-positive values are left out; a log
                                   * y axis from the data spans 14 decades at most) */
    const fc_series *series;
    int nseries;
    double ylo, yhi;              /* the y range; both 0: from the data */
    const double *xticks;         /* the x axis's ticks (the grids measured), or NULL: chosen */
    int nxticks;
} fc_chart;

/* Draws the chart over the whole picture. */
int fc_chart_draw(fc_picture *pic, const fc_chart *c, fc_err *err);
/* The chart alone in a width x height picture, written to path as PNG. */
int fc_chart_write_png(const fc_chart *c, int width, int height, const char *path, fc_err *err);

/* Text as the pictures draw it, into buf (len bytes; truncated between characters): each byte
 * that is not part of a well-formed UTF-8 character becomes '?', since text read from a file
 * may be any bytes. Labels use two non-ASCII signs, a minus (U+2212) and a multiplication sign
 * (U+00D7); where the font lacks one (missing[k]), ASCII stands in ('-', 'x'). What the
 * drawing uses, public for its test. */
#define FC_PLOT_NSIGNS 2
const char *fc_plot_text(const char *s, const int missing[FC_PLOT_NSIGNS], char *buf,
                         size_t len);

#endif
