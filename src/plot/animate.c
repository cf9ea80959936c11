/*
 * animate.c: films of a field (animate.h).
 *
 * MP4 and WebM: the frames go to ffmpeg as raw BGRA through a pipe (no files in between);
 * H.264 in yuv420p (what players and slides accept) or VP9, written to a temporary name with
 * the target's extension and renamed when ffmpeg succeeds.
 * GIF: one global palette for the film, so colours do not flicker between frames: 184 entries
 * of the colour map, 64 greys (text, lines, solid and missing cells, antialiasing) and the dry
 * land colour; each pixel takes its nearest entry through a 15-bit colour cache.
 */
#include <fc_build.h>

#include <errno.h>
#include <fcntl.h>
#include <gif_lib.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/core/files.h"
#include "src/plot/animate.h"

extern char **environ;

static int ends_with(const char *s, const char *suffix)
{
    const size_t n = strlen(s), m = strlen(suffix);
    return n > m && !strcasecmp(s + n - m, suffix);
}

int fc_anim_format_of(const char *output, int *format, fc_err *err)
{
    struct stat sb;
    const size_t n = strlen(output);
    if ((n && output[n - 1] == '/') || (stat(output, &sb) == 0 && S_ISDIR(sb.st_mode)))
        *format = FC_ANIM_PNGS;
    else if (ends_with(output, ".mp4"))
        *format = FC_ANIM_MP4;
    else if (ends_with(output, ".webm"))
        *format = FC_ANIM_WEBM;
    else if (ends_with(output, ".gif"))
        *format = FC_ANIM_GIF;
    else
        return fc_fail(err, FC_EINPUT, "-o %s: name a film OUT.mp4, OUT.webm or OUT.gif, or a "
                       "folder DIR/ for numbered PNGs", output);
    return FC_OK;
}

int fc_find_program(const char *name, char *buf, size_t len)
{
    const char *path = getenv("PATH");
    while (path && *path) {
        const size_t n = strcspn(path, ":");
        if (n > 0 && (size_t)snprintf(buf, len, "%.*s/%s", (int)n, path, name) < len) {
            struct stat sb;
            if (stat(buf, &sb) == 0 && S_ISREG(sb.st_mode) && access(buf, X_OK) == 0)
                return 1;
        }
        path += n + (path[n] == ':');
    }
    return 0;
}

void fc_anim_frame_path(const char *prefix, size_t k, char *buf, size_t len)
{
    snprintf(buf, len, "%s_%04zu.png", prefix, k);
}

/* ---- encoders ---- */

typedef struct encoder {
    int format;
    char tmp[4200];
    int w, h;
    /* ffmpeg */
    pid_t pid;
    FILE *pipe;
    /* GIF */
    GifFileType *gif;
    ColorMapObject *palette;
    GifPixelType *cache;  /* the palette index of each 15-bit colour ... */
    unsigned char *seen;  /* ... once looked up (a bit each) */
    GifPixelType *line;
    /* PNGs */
    char prefix[4096];
    size_t frame;
} encoder;

static int start_ffmpeg(encoder *e, const fc_anim_opts *o, fc_err *err)
{
    snprintf(e->tmp, sizeof e->tmp, "%s.partXXXXXX%s", o->output,
             e->format == FC_ANIM_MP4 ? ".mp4" : ".webm");
    const int sfx = e->format == FC_ANIM_MP4 ? 4 : 5;
    const int fd = mkstemps(e->tmp, sfx);
    if (fd < 0)
        return fc_fail(err, FC_EINPUT, "cannot create %s: %s", o->output, strerror(errno));
    const mode_t mask = umask(0); /* ffmpeg keeps mkstemp's 0600 */
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    close(fd);
    char size[32], fps[16];
    snprintf(size, sizeof size, "%dx%d", e->w, e->h);
    snprintf(fps, sizeof fps, "%d", o->fps);
    char *h264[] = {"-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18", "-preset", "medium",
                    "-movflags", "+faststart", NULL};
    char *vp9[] = {"-c:v", "libvpx-vp9", "-pix_fmt", "yuv420p", "-crf", "30", "-b:v", "0",
                   "-deadline", "good", "-cpu-used", "4", NULL};
    char *argv[40] = {"ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f",
                      "rawvideo", "-pix_fmt", "bgra", "-video_size", size, "-framerate", fps,
                      "-i", "pipe:0"};
    int n = 16;
    for (char **a = e->format == FC_ANIM_MP4 ? h264 : vp9; *a; a++)
        argv[n++] = *a;
    argv[n++] = e->tmp;
    argv[n] = NULL;
    int fds[2];
    if (pipe(fds) != 0) {
        unlink(e->tmp);
        return fc_fail(err, FC_EIO, "cannot start ffmpeg: %s", strerror(errno));
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    const int rc = posix_spawn(&e->pid, o->ffmpeg, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[0]);
    if (rc != 0) {
        close(fds[1]);
        unlink(e->tmp);
        return fc_fail(err, FC_EIO, "cannot start %s: %s", o->ffmpeg, strerror(rc));
    }
    e->pipe = fdopen(fds[1], "wb");
    return FC_OK;
}

/* Waits for ffmpeg; its status as ours. */
static int finish_ffmpeg(encoder *e, int ok, fc_err *err)
{
    int st = FC_OK;
    if (e->pipe && fclose(e->pipe) != 0 && ok)
        st = fc_fail(err, FC_EIO, "ffmpeg stopped reading frames: %s", strerror(errno));
    e->pipe = NULL;
    int status = 0;
    if (e->pid > 0 && waitpid(e->pid, &status, 0) == e->pid && ok && !st &&
        !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        st = fc_fail(err, FC_EIO, "ffmpeg failed (%s %d; its messages are above)",
                     WIFEXITED(status) ? "exit status" : "signal",
                     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    e->pid = 0;
    return ok ? st : FC_EIO;
}

static void gif_palette(encoder *e, const fc_cmap *cmap)
{
    GifColorType *c = e->palette->Colors;
    int k = 0;
    for (; k < 184; k++) {
        unsigned char rgb[3];
        fc_cmap_color(cmap, k / 183.0, rgb);
        c[k] = (GifColorType){rgb[0], rgb[1], rgb[2]};
    }
    for (int g = 0; g < 64; g++, k++) {
        const unsigned char v = (unsigned char)lround(g * 255.0 / 63);
        c[k] = (GifColorType){v, v, v};
    }
    c[k++] = (GifColorType){204, 181, 140}; /* dry land */
    for (; k < 256; k++)
        c[k] = (GifColorType){224, 224, 224}; /* no data */
}

/* The palette entry nearest (in a luminance-weighted distance) to a 15-bit colour. */
static GifPixelType gif_index(encoder *e, unsigned key)
{
    if (!(e->seen[key / 8] >> (key % 8) & 1)) {
        const int r = (int)(key >> 10 << 3 | 4), g = (int)((key >> 5 & 31) << 3 | 4),
                  b = (int)((key & 31) << 3 | 4);
        long best = LONG_MAX;
        int bi = 0;
        for (int k = 0; k < 256; k++) {
            const GifColorType *c = &e->palette->Colors[k];
            const long d = 3L * (c->Red - r) * (c->Red - r) + 4L * (c->Green - g) * (c->Green - g) +
                           2L * (c->Blue - b) * (c->Blue - b);
            if (d < best)
                best = d, bi = k;
        }
        e->cache[key] = (GifPixelType)bi;
        e->seen[key / 8] |= (unsigned char)(1u << (key % 8));
    }
    return e->cache[key];
}

static int start_gif(encoder *e, const fc_anim_opts *o, const fc_cmap *cmap, fc_err *err)
{
    snprintf(e->tmp, sizeof e->tmp, "%s.partXXXXXX", o->output);
    const int fd = mkstemp(e->tmp);
    if (fd < 0)
        return fc_fail(err, FC_EINPUT, "cannot create %s: %s", o->output, strerror(errno));
    const mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    int gerr = 0;
    e->gif = EGifOpenFileHandle(fd, &gerr);
    e->palette = GifMakeMapObject(256, NULL);
    e->cache = malloc(32768);
    e->seen = calloc(4096, 1);
    e->line = malloc((size_t)e->w);
    if (!e->gif || !e->palette || !e->cache || !e->seen || !e->line) {
        if (!e->gif)
            close(fd);
        return fc_fail(err, FC_ENOMEM, "cannot start the GIF %s (%s)", o->output,
                       GifErrorString(gerr) ? GifErrorString(gerr) : "out of memory");
    }
    gif_palette(e, cmap);
    EGifSetGifVersion(e->gif, true);
    static const unsigned char loop[3] = {1, 0, 0}; /* NETSCAPE2.0: loop forever */
    if (EGifPutScreenDesc(e->gif, e->w, e->h, 8, 255, e->palette) == GIF_ERROR ||
        EGifPutExtensionLeader(e->gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
        EGifPutExtensionBlock(e->gif, 11, "NETSCAPE2.0") == GIF_ERROR ||
        EGifPutExtensionBlock(e->gif, 3, loop) == GIF_ERROR ||
        EGifPutExtensionTrailer(e->gif) == GIF_ERROR)
        return fc_fail(err, FC_EIO, "cannot write %s: %s", o->output,
                       GifErrorString(e->gif->Error));
    return FC_OK;
}

static int gif_frame(encoder *e, const fc_anim_opts *o, fc_picture *pic, fc_err *err)
{
    GraphicsControlBlock gcb = {DISPOSE_DO_NOT, false, (int)lround(100.0 / o->fps),
                                NO_TRANSPARENT_COLOR};
    GifByteType ext[4];
    EGifGCBToExtension(&gcb, ext);
    if (EGifPutExtension(e->gif, GRAPHICS_EXT_FUNC_CODE, 4, ext) == GIF_ERROR ||
        EGifPutImageDesc(e->gif, 0, 0, e->w, e->h, false, NULL) == GIF_ERROR)
        return fc_fail(err, FC_EIO, "cannot write %s: %s", o->output,
                       GifErrorString(e->gif->Error));
    int stride;
    const unsigned char *px = fc_picture_pixels(pic, &stride);
    for (int r = 0; r < e->h; r++) {
        const uint32_t *row = (const uint32_t *)(px + (size_t)r * stride);
        for (int i = 0; i < e->w; i++) {
            const uint32_t p = row[i];
            e->line[i] = gif_index(e, (p >> 19 & 31) << 10 | (p >> 11 & 31) << 5 | (p >> 3 & 31));
        }
        if (EGifPutLine(e->gif, e->line, e->w) == GIF_ERROR)
            return fc_fail(err, FC_EIO, "cannot write %s: %s", o->output,
                           GifErrorString(e->gif->Error));
    }
    return FC_OK;
}

static int encoder_start(encoder *e, const fc_anim_opts *o, const fc_cmap *cmap, fc_err *err)
{
    if (e->format == FC_ANIM_PNGS)
        return FC_OK;
    if (e->format == FC_ANIM_GIF)
        return start_gif(e, o, cmap, err);
    return start_ffmpeg(e, o, err);
}

static int encoder_frame(encoder *e, const fc_anim_opts *o, fc_picture *pic, fc_err *err)
{
    if (fc_picture_width(pic) != e->w || fc_picture_height(pic) != e->h)
        return fc_fail(err, FC_EINPUT, "frames of different sizes (%d x %d, then %d x %d)", e->w,
                       e->h, fc_picture_width(pic), fc_picture_height(pic));
    if (e->format == FC_ANIM_PNGS) {
        char path[4200];
        fc_anim_frame_path(e->prefix, e->frame++, path, sizeof path);
        return fc_picture_write_png(pic, path, err);
    }
    if (e->format == FC_ANIM_GIF)
        return gif_frame(e, o, pic, err);
    int stride;
    const unsigned char *px = fc_picture_pixels(pic, &stride);
    for (int r = 0; r < e->h; r++)
        if (fwrite(px + (size_t)r * stride, 4, (size_t)e->w, e->pipe) != (size_t)e->w)
            return fc_fail(err, FC_EIO, "ffmpeg stopped reading frames (its messages are above)");
    return FC_OK;
}

/* Ends the film: renamed over the output when ok, removed otherwise. */
static int encoder_finish(encoder *e, const fc_anim_opts *o, int ok, fc_err *err)
{
    int st = FC_OK;
    if (e->format == FC_ANIM_GIF) {
        int gerr = 0;
        if (e->gif && EGifCloseFile(e->gif, &gerr) == GIF_ERROR && ok)
            st = fc_fail(err, FC_EIO, "cannot write %s: %s", o->output, GifErrorString(gerr));
        e->gif = NULL;
        GifFreeMapObject(e->palette);
        free(e->cache);
        free(e->seen);
        free(e->line);
    } else if (e->format != FC_ANIM_PNGS)
        st = finish_ffmpeg(e, ok, err);
    if (e->format != FC_ANIM_PNGS && e->tmp[0]) {
        if (ok && !st && rename(e->tmp, o->output) != 0)
            st = fc_fail(err, FC_EIO, "cannot write %s: %s", o->output, strerror(errno));
        if (!ok || st)
            unlink(e->tmp);
    }
    return ok ? st : FC_EIO;
}

int fc_animate(const fc_plotdata *d, const fc_anim_opts *o, fc_err *err)
{
    /* A field's maps, or a profile's lines (a 1-D run, a spectrum) record by record. */
    const int lines = d->shape == FC_PD_PROFILE && d->has_time;
    if (d->shape != FC_PD_FIELD && !lines)
        return fc_fail(err, FC_EINPUT, "%s: '%s' is %s; animate draws fields on (y, x) and "
                       "profiles over time", d->path, d->name,
                       d->shape == FC_PD_SERIES ? "a series over time" : "a profile without time");
    const char *map_only = o->fig.contours   ? "--contours"
                           : o->fig.vectors ? "--vectors"
                           : o->fig.cmap    ? "--cmap"
                                            : NULL;
    if (lines && map_only)
        return fc_fail(err, FC_EINPUT, "%s: '%s' is drawn as a line; %s is for fields on (y, x)",
                       d->path, d->name, map_only);
    if ((o->format == FC_ANIM_MP4 || o->format == FC_ANIM_WEBM) && !o->ffmpeg)
        return fc_fail(err, FC_EINPUT, "-o %s needs ffmpeg, which is not on PATH; write a GIF "
                       "(-o OUT.gif) or numbered PNGs (-o DIR/)", o->output);
    /* One colour map and, unless free, one range (a map's colours, a chart's y axis) for the
     * whole film. */
    fc_figure_opts fig = o->fig;
    double dlo, dhi, lo, hi;
    const fc_cmap *cmap = fc_cmap_find("viridis"); /* a chart's GIF palette */
    int st = FC_OK;
    if (lines) {
        if (!fig.have_range && !o->free_range &&
            !(st = fc_figure_profile_range(d, &lo, &hi, err))) {
            fig.have_range = 1;
            fig.lo = lo;
            fig.hi = hi;
        }
    } else {
        st = fc_figure_range(d, 0, d->nrec - 1, &dlo, &dhi, err);
        /* (A range given is of the values themselves.) */
        const double base = fig.have_range || o->free_range ? 0 : fc_figure_base(dlo, dhi);
        if (!st)
            st = fc_figure_colors(&fig, dlo - base, dhi - base, &cmap, &lo, &hi, err);
        if (!st) {
            fig.cmap = cmap->name;
            if (!o->free_range) {
                fig.have_range = 1;
                fig.lo = lo;
                fig.hi = hi;
                fig.base = base;
            }
        }
    }
    if (st)
        return st;
    encoder e;
    memset(&e, 0, sizeof e);
    e.format = o->format;
    /* An ffmpeg that dies must give an error here, not end the program by SIGPIPE. */
    struct sigaction ignore = {.sa_handler = SIG_IGN}, saved;
    sigemptyset(&ignore.sa_mask);
    /* Nothing is overwritten by accident: every name is checked before the first frame. */
    if (o->format == FC_ANIM_PNGS) {
        const size_t n = strlen(o->output);
        snprintf(e.prefix, sizeof e.prefix, "%s%s%s", o->output,
                 n && o->output[n - 1] == '/' ? "" : "/", d->name);
        if (mkdir(o->output, 0777) != 0 && errno != EEXIST)
            return fc_fail(err, FC_EINPUT, "-o %s: cannot make the folder: %s", o->output,
                           strerror(errno));
        for (size_t r = 0; r < d->nrec && !st; r++) {
            char path[4200];
            fc_anim_frame_path(e.prefix, r, path, sizeof path);
            st = fc_output_writable(path, "frame", o->overwrite, "-O", err);
        }
    } else
        st = fc_output_writable(o->output, "film", o->overwrite, "-O", err);
    if (st)
        return st;
    sigaction(SIGPIPE, &ignore, &saved);
    for (size_t r = 0; r < d->nrec && !st; r++) {
        fc_picture *pic;
        st = lines ? fc_figure_profile(d, r, 0, &fig, &pic, err)
                   : fc_figure_field(d, r, &fig, &pic, err);
        if (!st && r == 0) {
            /* Every frame the size of the first (a free range must not change it). */
            e.w = fig.width = fc_picture_width(pic);
            e.h = fig.height = fc_picture_height(pic);
            st = encoder_start(&e, o, cmap, err);
            if (st) {
                fc_picture_free(pic);
                if (e.format == FC_ANIM_GIF) {
                    if (e.gif)
                        EGifCloseFile(e.gif, NULL);
                    GifFreeMapObject(e.palette);
                    free(e.cache);
                    free(e.seen);
                    free(e.line);
                    unlink(e.tmp);
                }
                sigaction(SIGPIPE, &saved, NULL);
                return st;
            }
        }
        if (!st)
            st = encoder_frame(&e, o, pic, err);
        fc_picture_free(pic);
        if (!st && o->progress)
            o->progress(o->ctx, r + 1, d->nrec);
    }
    if (e.w) {
        fc_err ferr;
        const int fst = encoder_finish(&e, o, !st, st ? &ferr : err);
        if (!st)
            st = fst;
    }
    sigaction(SIGPIPE, &saved, NULL);
    return st;
}
