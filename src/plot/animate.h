/*
 * animate.h: a field's records as a film. Frames are drawn in the process (figure.h) with one
 * colour range for the whole run, then encoded: by ffmpeg, when it is on PATH, as MP4 (H.264)
 * or WebM (VP9); as an animated GIF by giflib; or as numbered PNGs in a folder. The output is
 * written under a temporary name and renamed at the end: it is whole or absent.
 */
#ifndef FC_ANIMATE_H
#define FC_ANIMATE_H

#include <stddef.h>

#include "src/plot/figure.h"

enum fc_anim_format { FC_ANIM_MP4, FC_ANIM_WEBM, FC_ANIM_GIF, FC_ANIM_PNGS };

typedef struct fc_anim_opts {
    const char *output;  /* OUT.mp4, OUT.webm, OUT.gif, or a folder (numbered PNGs) */
    int format;          /* enum fc_anim_format, from fc_anim_format_of */
    int fps;
    int overwrite;
    int free_range;      /* each frame its own colour range */
    const char *ffmpeg;  /* the ffmpeg program (MP4, WebM), from fc_find_program */
    fc_figure_opts fig;
    /* Called after each frame (may be NULL). */
    void (*progress)(void *ctx, size_t done, size_t total);
    void *ctx;
} fc_anim_opts;

/* The format an output name asks for: by its extension (.mp4, .webm, .gif), or a folder (an
 * existing one, or a name ending in '/'). FC_EINPUT for anything else. */
int fc_anim_format_of(const char *output, int *format, fc_err *err);
/* The full path of an executable name on PATH into buf; 0 when there is none. */
int fc_find_program(const char *name, char *buf, size_t len);
/* Records [0, d->nrec) of a field as a film. */
int fc_animate(const fc_plotdata *d, const fc_anim_opts *o, fc_err *err);
/* The path of frame k of a numbered sequence: "<prefix>_0007.png". */
void fc_anim_frame_path(const char *prefix, size_t k, char *buf, size_t len);

#endif
