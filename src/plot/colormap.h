/* colormap.h: colour maps for fields (colormap.c says where each comes from and why). */
#ifndef FC_COLORMAP_H
#define FC_COLORMAP_H

typedef struct fc_cmap {
    const char *name;
    int diverging;               /* meant for signed fields, centred on zero */
    const unsigned char *table;  /* 256 RGB entries; NULL: computed (rdbu, gray) */
} fc_cmap;

/* The map called name, or NULL. */
const fc_cmap *fc_cmap_find(const char *name);
/* Their names, for messages and --help. */
const char *fc_cmap_names(void);
/* The colour at t in [0, 1] (clamped). */
void fc_cmap_color(const fc_cmap *c, double t, unsigned char rgb[3]);

#endif
