/*
 * dataset.h: training data for a local emulator, from solver output (NetCDF, read through the
 * file only: any model's output on (time, y, x) will do).
 *
 * A sample is one cell at one record t of one file: its input is the k x k neighbourhood of the
 * chosen variables at t (and of the static fields, e.g. the bottom), its target the change of
 * the chosen variables at that cell from t to t + 1 (one output interval). Neighbourhoods beyond
 * the grid follow the run's boundaries (the file's flowcast_boundaries attribute; open when it
 * has none): periodic sides wrap, walls mirror (an x-velocity such as u or hu changes sign across
 * a west or east wall, a y-velocity across a south or north one), open sides repeat the edge.
 *
 * The features of a variable are its value at the cell, then the k * k - 1 differences
 * "neighbour minus cell" (row by row, the cell left out): the differences drive the change, and
 * given raw they are a percent of a field's spread, lost under its mean. Each feature is
 * standardised on its own (mean and standard deviation over the training samples), the
 * targets per variable. Records are split by time (in each file the last val_fraction of its
 * record pairs validates, the rest trains) or by file (the last files validate, whole); every
 * statistic comes from the training pairs only.
 */
#ifndef FC_ML_DATASET_H
#define FC_ML_DATASET_H

#include <stddef.h>

#include "src/core/fc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ML_MAX_VARS 16
#define ML_MAX_FILES 10000 /* as many as an ensemble's members (FC_ENSEMBLE_MAX_MEMBERS) */
#define ML_MAX_SIDE (1 << 20) /* cells along x or y, as [grid] nx and ny */
#define ML_MAX_STENCIL 15
#define ML_MAX_FEATURES (2 * ML_MAX_VARS * ML_MAX_STENCIL * ML_MAX_STENCIL)

enum ml_split { ML_TRAIN = 0, ML_VALID = 1 };

/* Where a neighbourhood reads: the grid, its boundaries, which variables flip at walls. */
typedef struct ml_geometry {
    int nx, ny, stencil;
    int bc[4];                          /* enum fc_bc by enum fc_side */
    int nvars, nstatic;                 /* dynamic, then static input variables */
    int odd_x[ML_MAX_VARS * 2], odd_y[ML_MAX_VARS * 2]; /* per input variable */
} ml_geometry;

typedef struct ml_file {
    char *path;
    int nt;         /* complete records */
    double *time;   /* [nt] s */
    float *data;    /* [nt][nvars][ny][nx] */
    float *statics; /* [nstatic][ny][nx] */
    /* The model's own forecast of record t, for pushforward training (ml_train's --unroll):
     * [nt][nvars][ny][nx] where pushed_ok[t]; NULL when unused. */
    float *pushed;
    unsigned char *pushed_ok;
} ml_file;

typedef struct ml_dataset {
    ml_geometry geo;
    char vars[ML_MAX_VARS][64], statics[ML_MAX_VARS][64];
    int nfiles;
    ml_file *files; /* [nfiles] */
    double interval;             /* output interval (s), the same in every file */
    char boundaries[128];        /* as in the files, or "open (not given)" */
    char solver[64];             /* flowcast_solver of the first file, or "" */
    char case_name[256];         /* its title and case file, or "" */
    double dx, dy;               /* cell sizes from the x and y coordinates (m) */
    /* per input feature (ml_neighbourhood's order) and per output variable */
    float in_mean[ML_MAX_FEATURES], in_std[ML_MAX_FEATURES];
    float out_mean[ML_MAX_VARS], out_std[ML_MAX_VARS];
    /* record pairs (file, t) of each split */
    int npairs[2];
    int *pair_file[2], *pair_t[2];
    /* Pushforward: this fraction of the training samples whose record has a pushed state take
     * their input from it, and as target the change from it to the true next record; which
     * ones is a hash of the sample and push_seed (a new draw each epoch). */
    double push_fraction;
    unsigned long long push_seed;
} ml_dataset;

/* Reads the files and sets up the splits and the normalisation. Every file must hold the
 * variables on one grid (its shape and spacing) of one solver with one output interval; each
 * problem is named with its file. With
 * holdout > 0 the last holdout files validate, whole, and the others train, whole (an
 * ensemble's members held out); else each file's last val_fraction of record pairs
 * validates. */
int ml_dataset_open(ml_dataset *d, const char *const *paths, int npaths, const char *const *vars,
                    int nvars, const char *const *statics, int nstatic, int stencil,
                    double val_fraction, int holdout, fc_err *err);
void ml_dataset_free(ml_dataset *d);
/* The grid spacing of a field in an open file (ncid, path), along its last dimension (x) and the
 * one before (y or z), from their coordinate variables; 1 where a coordinate is absent, has one
 * point or does not increase. */
int ml_grid_spacing(int ncid, const char *path, const char *name, double *dx, double *dy,
                    fc_err *err);

/* Features per sample and outputs per sample. */
int ml_features_per_sample(const ml_geometry *g);
/* Samples in a split: its record pairs times the cells. */
size_t ml_dataset_count(const ml_dataset *d, int split);
/* Normalised inputs x [B][features] and targets y [B][nvars] of samples idx[0..B) of a split
 * (training samples from a pushed state where push_fraction says so). */
void ml_dataset_batch(const ml_dataset *d, int split, const size_t *idx, int B, float *x, float *y);
/* The inputs alone of the cells (di, dj) away from samples idx[0..B), in their records (and
 * pushed states): a flux-form model's west and south neighbours, or ghost cells one beyond
 * an edge (ml_neighbourhood). */
void ml_dataset_features_at(const ml_dataset *d, int split, const size_t *idx, int B, int di,
                            int dj, float *x);

/*
 * The standardised features of cell (i, j) (or of a ghost cell just beyond the grid, whose
 * value is what the boundary puts in a halo) from raw fields [nvars][ny][nx] and statics
 * [nstatic][ny][nx] into x[features]: variable by variable (dynamic, then static), the cell's
 * value, then "neighbour minus cell" over the k x k stencil row by row without the cell, each
 * feature f as (raw - mean[f]) / std[f].
 */
void ml_neighbourhood(const ml_geometry *g, const float *fields, const float *statics,
                      const float *mean, const float *std, int i, int j, float *x);

/* Parses "west=periodic east=wall south=open north=inflow" into bc; 0 on success. */
int ml_parse_boundaries(const char *text, int bc[4]);
/* Whether variable name is an x (1) or y (2) velocity-like component, else 0. */
int ml_vector_component(const char *name);

#ifdef __cplusplus
}
#endif
#endif
