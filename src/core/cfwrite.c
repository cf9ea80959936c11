/* cfwrite.c: see cfwrite.h. */
#include <fc_build.h>

#include "src/core/cfwrite.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "src/core/files.h"
#include "src/core/ncread.h"
#include "src/core/ranks.h"
#ifdef FC_HAVE_MPI
#include <netcdf_par.h>
#endif
#ifdef FC_HAVE_PNETCDF
#include <pnetcdf.h>
#endif

/* A failed libnetcdf call as an fc_err naming the file and what was being done. */
static int nc_fail(const fc_cf_file *f, int status, const char *doing, const char *name,
                   fc_err *err)
{
    return fc_fail(err, FC_EIO, "%s '%s': %s%s%s: %s", f->what, f->path, doing,
                   name ? " " : "", name ? name : "", fc_nc_strerror(status, f->path));
}

#ifdef FC_HAVE_PNETCDF
/* A failed PnetCDF call, the same way. */
static int pnc_fail(const fc_cf_file *f, int status, const char *doing, const char *name,
                    fc_err *err)
{
    return fc_fail(err, FC_EIO, "%s '%s': %s%s%s: %s", f->what, f->path, doing, name ? " " : "",
                   name ? name : "", ncmpi_strerror(status));
}
#endif

/* The end of a definition of a parallel CDF-5 file (fc_cf_file.lead_defines): the first
 * process keeps its first failure for fc_cf_enddef, where every process learns it, so that no
 * process leaves the definitions early while the others go on to the collective open. */
static int defined(fc_cf_file *f, int st, fc_err *err)
{
    if (!f->lead_defines || st == FC_OK)
        return st;
    if (f->define_st == FC_OK) {
        f->define_st = st;
        f->define_err = *err;
    }
    return FC_OK;
}

/* A definition only the first process makes in a parallel CDF-5 file: the others skip it. */
#define CF_LEAD_ONLY(f) ((f)->lead_defines && !(f)->lead)

#define CF_TRY(call, doing, name)                                                                \
    do {                                                                                         \
        int cf_status_ = (call);                                                                 \
        if (cf_status_ != NC_NOERR)                                                              \
            return nc_fail(f, cf_status_, doing, name, err);                                     \
    } while (0)

void fc_cf_history(char *buf, size_t len, const char *command)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[64];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(buf, len, "%s: %s", stamp, command);
}

/* nc_create for a file of every process of the job (NetCDF-4 over MPI-IO): the first checks
 * the path, then all create it together. */
static int create_parallel(fc_cf_file *f, const char *path, const fc_cf_spec *spec, fc_err *err)
{
#ifdef FC_HAVE_MPI
    int st = FC_OK;
    if (f->lead)
        st = fc_output_writable(path, spec->what, spec->overwrite, spec->allow, err);
    if ((st = fc_ranks_agree(st, err)))
        return st;
    const int mode = NC_NETCDF4 | (spec->overwrite ? NC_CLOBBER : NC_NOCLOBBER);
    int rc = nc_create_par(path, mode, fc_ranks_comm(), MPI_INFO_NULL, &f->ncid);
    if (rc != NC_NOERR) {
        f->ncid = -1;
        st = fc_fail(err, FC_EINPUT, "cannot create %s '%s' on every process: %s", spec->what,
                     path, rc == NC_EEXIST ? "it exists" : fc_nc_strerror(rc, path));
    }
    /* Where only some processes could create it, the others close and remove theirs. */
    if ((st = fc_ranks_agree(st, err)) && f->ncid >= 0) {
        nc_abort(f->ncid);
        f->ncid = -1;
        if (f->lead)
            unlink(path);
    }
    return st;
#else
    (void)path;
    return fc_fail(err, FC_EINPUT, "%s '%s': this build writes no file on several processes "
                   "together (configure --with-mpi)", spec->what, f->path);
#endif
}

/* nc_create for a file of this process alone: the path checked, then created in place or,
 * atomic, under a temporary name beside it. */
static int create_alone(fc_cf_file *f, const char *path, const fc_cf_spec *spec, fc_err *err)
{
    int st = fc_output_writable(path, spec->what, spec->overwrite, spec->allow, err);
    if (st)
        return st;
    const int format = spec->netcdf4 ? NC_NETCDF4 : NC_64BIT_DATA;
    int rc;
    if (spec->atomic) {
        /* A name of our own beside the target (same file system, so rename is atomic). */
        snprintf(f->tmp, sizeof f->tmp, "%s.tmp-XXXXXX", path);
        int fd = mkstemp(f->tmp);
        if (fd < 0) {
            f->tmp[0] = '\0';
            return fc_fail(err, FC_EINPUT, "cannot create %s '%s' (a temporary file beside it "
                           "could not be made)", spec->what, path);
        }
        close(fd);
        rc = nc_create(f->tmp, format | NC_CLOBBER, &f->ncid);
    } else
        rc = nc_create(path, format | (spec->overwrite ? NC_CLOBBER : NC_NOCLOBBER), &f->ncid);
    if (rc != NC_NOERR) {
        if (f->tmp[0])
            unlink(f->tmp);
        f->ncid = -1;
        return fc_fail(err, FC_EINPUT, "cannot create %s '%s': %s", spec->what, path,
                       rc == NC_EEXIST ? "it exists" : fc_nc_strerror(rc, path));
    }
    return FC_OK;
}

/* A CDF-5 file of every process of the job: the first checks the path and creates it with
 * netCDF-C, and defines it alone (the others count ids); fc_cf_enddef opens it on every process
 * with PnetCDF. */
static int create_lead_defines(fc_cf_file *f, const char *path, const fc_cf_spec *spec,
                               fc_err *err)
{
#ifdef FC_HAVE_PNETCDF
    int st = f->lead ? create_alone(f, path, spec, err) : FC_OK;
    if ((st = fc_ranks_agree(st, err))) {
        if (f->ncid >= 0) { /* created here, failed elsewhere (none can: the first alone) */
            nc_abort(f->ncid);
            f->ncid = -1;
            unlink(path);
        }
        return st;
    }
    f->lead_defines = 1;
    return FC_OK;
#else
    (void)path;
    return fc_fail(err, FC_EINPUT, "%s '%s': this build writes a CDF-5 file on several processes "
                   "only with PnetCDF (Debian: libpnetcdf-dev); write NetCDF-4 instead ([output] "
                   "format = netcdf4)", spec->what, f->path);
#endif
}

int fc_cf_create(fc_cf_file *f, const char *path, const fc_cf_spec *spec, fc_err *err)
{
    memset(f, 0, sizeof *f);
    f->ncid = f->pncid = -1;
    f->what = spec->what;
    f->netcdf4 = spec->netcdf4;
    f->parallel = spec->parallel;
    f->lead = !spec->parallel || fc_ranks_self()->rank == 0;
    if (strlen(path) >= sizeof f->path)
        return fc_fail(err, FC_EINPUT, "%s '%.100s...': the path is too long", spec->what, path);
    snprintf(f->path, sizeof f->path, "%s", path);
    int st;
    if (spec->parallel) {
        if (spec->atomic)
            return fc_fail(err, FC_EINPUT, "%s '%s': only a file written in place is written "
                           "by several processes", spec->what, path);
        st = spec->netcdf4 ? create_parallel(f, path, spec, err)
                           : create_lead_defines(f, path, spec, err);
    } else
        st = create_alone(f, path, spec, err);
    if (st)
        return st;
    char source[128];
    snprintf(source, sizeof source, "flowcast %s", PACKAGE_VERSION);
    if ((st = fc_cf_att_text(f, NC_GLOBAL, "Conventions", FC_CF_CONVENTIONS, err)) ||
        (st = fc_cf_att_text(f, NC_GLOBAL, "title", spec->title, err)) ||
        (st = fc_cf_att_text(f, NC_GLOBAL, "source", source, err)) ||
        (spec->history && (st = fc_cf_att_text(f, NC_GLOBAL, "history", spec->history, err)))) {
        fc_cf_discard(f);
        return st;
    }
    return FC_OK;
}

int fc_cf_def_dim(fc_cf_file *f, const char *name, size_t len, int *dimid, fc_err *err)
{
    if (CF_LEAD_ONLY(f)) {
        *dimid = f->ndims++;
        return FC_OK;
    }
    const int rc = nc_def_dim(f->ncid, name, len, dimid);
    f->ndims = *dimid + 1;
    return defined(f, rc == NC_NOERR ? FC_OK : nc_fail(f, rc, "defining dimension", name, err),
                   err);
}

/* fc_cf_def_var made by this process (the definitions of fc_cf_def_var below). */
static int def_var(fc_cf_file *f, const char *name, nc_type type, int ndims, const int *dims,
                   const char *long_name, const char *units, int *varid, fc_err *err)
{
    int st;
    CF_TRY(nc_def_var(f->ncid, name, type, ndims, dims, varid), "defining variable", name);
    f->nvars = *varid + 1;
    if (!long_name)
        return FC_OK;
    /* A coordinate variable (named as its one dimension) has no missing values (CF 2.5.1). */
    char dim_name[NC_MAX_NAME + 1] = "";
    if (ndims == 1)
        CF_TRY(nc_inq_dimname(f->ncid, dims[0], dim_name), "defining variable", name);
    if (!strcmp(dim_name, name))
        ;
    else if (type == NC_DOUBLE) {
        const double fill = NC_FILL_DOUBLE;
        CF_TRY(nc_put_att_double(f->ncid, *varid, "_FillValue", NC_DOUBLE, 1, &fill),
               "defining variable", name);
    } else if (type == NC_FLOAT) {
        const float fill = NC_FILL_FLOAT;
        CF_TRY(nc_put_att_float(f->ncid, *varid, "_FillValue", NC_FLOAT, 1, &fill),
               "defining variable", name);
    }
    if ((st = fc_cf_att_text(f, *varid, "long_name", long_name, err)))
        return st;
    /* A char variable holds text, which has no units. */
    if (type != NC_CHAR && (st = fc_cf_att_text(f, *varid, "units", units, err)))
        return st;
    return FC_OK;
}

int fc_cf_def_var(fc_cf_file *f, const char *name, nc_type type, int ndims, const int *dims,
                  const char *long_name, const char *units, int *varid, fc_err *err)
{
    if (CF_LEAD_ONLY(f)) {
        *varid = f->nvars++;
        return FC_OK;
    }
    return defined(f, def_var(f, name, type, ndims, dims, long_name, units, varid, err), err);
}

int fc_cf_att_text(fc_cf_file *f, int varid, const char *name, const char *text, fc_err *err)
{
    if (CF_LEAD_ONLY(f))
        return FC_OK;
    const int rc = nc_put_att_text(f->ncid, varid, name, strlen(text), text);
    return defined(f, rc == NC_NOERR ? FC_OK : nc_fail(f, rc, "writing attribute", name, err),
                   err);
}

int fc_cf_att_double(fc_cf_file *f, int varid, const char *name, size_t n, const double *v,
                     fc_err *err)
{
    if (CF_LEAD_ONLY(f))
        return FC_OK;
    const int rc = nc_put_att_double(f->ncid, varid, name, NC_DOUBLE, n, v);
    return defined(f, rc == NC_NOERR ? FC_OK : nc_fail(f, rc, "writing attribute", name, err),
                   err);
}

int fc_cf_att_int(fc_cf_file *f, int varid, const char *name, size_t n, const int *v,
                  fc_err *err)
{
    if (CF_LEAD_ONLY(f))
        return FC_OK;
    const int rc = nc_put_att_int(f->ncid, varid, name, NC_INT, n, v);
    return defined(f, rc == NC_NOERR ? FC_OK : nc_fail(f, rc, "writing attribute", name, err),
                   err);
}

int fc_cf_chunk(fc_cf_file *f, int varid, const size_t *chunk, fc_err *err)
{
    if (!f->netcdf4)
        return fc_fail(err, FC_EINPUT, "%s '%s': chunks need a NetCDF-4 file", f->what, f->path);
    CF_TRY(nc_def_var_chunking(f->ncid, varid, NC_CHUNKED, chunk), "chunking", NULL);
    return FC_OK;
}

int fc_cf_deflate(fc_cf_file *f, int varid, const size_t *chunk, int level, fc_err *err)
{
    if (!f->netcdf4)
        return fc_fail(err, FC_EINPUT, "%s '%s': compression needs a NetCDF-4 file", f->what,
                       f->path);
    int st = fc_cf_chunk(f, varid, chunk, err);
    if (st)
        return st;
    CF_TRY(nc_def_var_deflate(f->ncid, varid, 1, 1, level), "compressing", NULL);
    return FC_OK;
}

/* The end of a parallel CDF-5 file's definitions: the first writes the header and closes the
 * file, every process learns how that went, and all open it with PnetCDF for the writes. */
static int enddef_lead_defines(fc_cf_file *f, fc_err *err)
{
#ifdef FC_HAVE_PNETCDF
    int st = f->define_st;
    if (st)
        *err = f->define_err;
    if (f->lead) {
        int rc = st ? NC_NOERR : nc_enddef(f->ncid);
        const int closed = nc_close(f->ncid);
        f->ncid = -1;
        rc = rc != NC_NOERR ? rc : closed;
        if (!st && rc != NC_NOERR)
            st = nc_fail(f, rc, "defining the file", NULL, err);
    }
    f->lead_defines = 0;
    if (!(st = fc_ranks_agree(st, err))) {
        const int rc = ncmpi_open(fc_ranks_comm(), f->path, NC_WRITE, MPI_INFO_NULL, &f->pncid);
        if (rc != NC_NOERR) {
            f->pncid = -1;
            st = pnc_fail(f, rc, "opening on every process", NULL, err);
        }
        st = fc_ranks_agree(st, err);
    }
    return st;
#else
    return fc_fail(err, FC_EIO, "%s '%s': no PnetCDF in this build", f->what, f->path);
#endif
}

int fc_cf_enddef(fc_cf_file *f, fc_err *err)
{
    if (f->lead_defines)
        return enddef_lead_defines(f, err);
    CF_TRY(nc_enddef(f->ncid), "defining the file", NULL);
#ifdef FC_HAVE_MPI
    /* Collective writes: HDF5 extends a variable along the unlimited time only in them, and
     * they let MPI-IO merge the processes' blocks into large requests. */
    int nvars = 0;
    CF_TRY(f->parallel ? nc_inq_nvars(f->ncid, &nvars) : NC_NOERR, "defining the file", NULL);
    for (int v = 0; v < nvars; v++)
        CF_TRY(nc_var_par_access(f->ncid, v, NC_COLLECTIVE), "defining the file", NULL);
#endif
    return FC_OK;
}

/* The number of values of a hyperslab (the whole variable when count is NULL). */
static int slab_size(const fc_cf_file *f, int varid, const size_t *count, size_t *n, fc_err *err)
{
    int nd, dims[NC_MAX_VAR_DIMS];
    CF_TRY(nc_inq_varndims(f->ncid, varid, &nd), "writing", NULL);
    CF_TRY(nc_inq_vardimid(f->ncid, varid, dims), "writing", NULL);
    *n = 1;
    for (int d = 0; d < nd; d++) {
        size_t len = 0;
        if (count)
            len = count[d];
        else
            CF_TRY(nc_inq_dimlen(f->ncid, dims[d], &len), "writing", NULL);
        *n *= len;
    }
    return FC_OK;
}

/* The body of fc_cf_put_double and _float: writes v as it is, or a copy with every NaN
 * replaced by the fill value when it holds any (NaN or infinite). A parallel CDF-5 file (a
 * PnetCDF id: only in builds with PnetCDF) goes to pnc_put. */
#define CF_PUT(type, fill, put_vara, put_var, pnc_put_vara)                                      \
    {                                                                                            \
        size_t n, none_[NC_MAX_VAR_DIMS] = {0};                                                  \
        if (!start && !f->lead) /* a whole variable of a parallel file: the first's */           \
            start = count = none_;                                                               \
        CF_PUT_PARALLEL(pnc_put_vara)                                                            \
        int st = slab_size(f, varid, count, &n, err);                                            \
        if (st)                                                                                  \
            return st;                                                                           \
        size_t first_nan = n;                                                                    \
        for (size_t i = 0; i < n && first_nan == n; i++)                                         \
            if (!isfinite(v[i]))                                                                     \
                first_nan = i;                                                                   \
        const type *src = v;                                                                     \
        type *copy = NULL;                                                                       \
        if (first_nan < n) {                                                                     \
            if (!(copy = malloc(n * sizeof *copy)))                                              \
                return fc_fail(err, FC_ENOMEM, "%s '%s': out of memory", f->what, f->path);     \
            for (size_t i = 0; i < n; i++)                                                       \
                copy[i] = isfinite(v[i]) ? v[i] : (fill);                                           \
            src = copy;                                                                          \
        }                                                                                        \
        int rc = start ? put_vara(f->ncid, varid, start, count, src) : put_var(f->ncid, varid, src); \
        free(copy);                                                                              \
        if (rc != NC_NOERR) {                                                                    \
            char name[NC_MAX_NAME + 1] = "";                                                     \
            nc_inq_varname(f->ncid, varid, name);                                                \
            return nc_fail(f, rc, "writing", name, err);                                         \
        }                                                                                        \
        return FC_OK;                                                                            \
    }

#ifdef FC_HAVE_PNETCDF
typedef int (*pnc_put_fn)(int, int, const MPI_Offset *, const MPI_Offset *, const void *);
/* PnetCDF's typed collective writes, as one signature. */
static int pnc_put_double(int ncid, int varid, const MPI_Offset *start, const MPI_Offset *count,
                          const void *v)
{
    return ncmpi_put_vara_double_all(ncid, varid, start, count, v);
}
static int pnc_put_float(int ncid, int varid, const MPI_Offset *start, const MPI_Offset *count,
                         const void *v)
{
    return ncmpi_put_vara_float_all(ncid, varid, start, count, v);
}

/* A collective write to a parallel CDF-5 file: the hyperslab, or for the first process the
 * whole variable (start NULL), with non-finite values as the variable's _FillValue as
 * fc_cf_put_* does (a copy of the values then). */
static int pnc_put(fc_cf_file *f, int varid, const size_t *start, const size_t *count,
                   const void *v, size_t size, pnc_put_fn put, fc_err *err)
{
    int nd, dims[NC_MAX_VAR_DIMS];
    MPI_Offset at[NC_MAX_VAR_DIMS] = {0}, len[NC_MAX_VAR_DIMS] = {0};
    int rc = ncmpi_inq_varndims(f->pncid, varid, &nd);
    if (rc == NC_NOERR)
        rc = ncmpi_inq_vardimid(f->pncid, varid, dims);
    size_t n = 1;
    for (int d = 0; d < nd && rc == NC_NOERR; d++) {
        if (start) {
            at[d] = (MPI_Offset)start[d];
            len[d] = (MPI_Offset)count[d];
        } else
            rc = ncmpi_inq_dimlen(f->pncid, dims[d], &len[d]);
        n *= (size_t)len[d];
    }
    if (rc != NC_NOERR)
        return pnc_fail(f, rc, "writing", NULL, err);
    void *copy = NULL;
    for (size_t i = 0; i < n && !copy; i++) {
        const double x = size == sizeof(double) ? ((const double *)v)[i] : ((const float *)v)[i];
        if (!isfinite(x)) {
            if (!(copy = malloc(n * size)))
                return fc_fail(err, FC_ENOMEM, "%s '%s': out of memory", f->what, f->path);
            for (size_t k = 0; k < n; k++)
                if (size == sizeof(double)) {
                    const double y = ((const double *)v)[k];
                    ((double *)copy)[k] = isfinite(y) ? y : NC_FILL_DOUBLE;
                } else {
                    const float y = ((const float *)v)[k];
                    ((float *)copy)[k] = isfinite(y) ? y : NC_FILL_FLOAT;
                }
        }
    }
    rc = put(f->pncid, varid, at, len, copy ? copy : v);
    free(copy);
    if (rc != NC_NOERR) {
        char name[NC_MAX_NAME + 1] = "";
        ncmpi_inq_varname(f->pncid, varid, name);
        return pnc_fail(f, rc, "writing", name, err);
    }
    return FC_OK;
}
#define CF_PUT_PARALLEL(pnc_put_vara)                                                    \
    if (f->pncid >= 0)                                                                       \
        return pnc_put(f, varid, start, count, v, sizeof *v, pnc_put_vara, err);
#else
#define CF_PUT_PARALLEL(pnc_put_vara) /* no file has a PnetCDF id */
#endif

int fc_cf_put_double(fc_cf_file *f, int varid, const size_t *start, const size_t *count,
                     const double *v, fc_err *err)
CF_PUT(double, NC_FILL_DOUBLE, nc_put_vara_double, nc_put_var_double, pnc_put_double)

int fc_cf_put_float(fc_cf_file *f, int varid, const size_t *start, const size_t *count,
                    const float *v, fc_err *err)
CF_PUT(float, NC_FILL_FLOAT, nc_put_vara_float, nc_put_var_float, pnc_put_float)

int fc_cf_put_int(fc_cf_file *f, int varid, const int *v, fc_err *err)
{
    if (f->pncid >= 0)
        return fc_fail(err, FC_EIO, "%s '%s': integers are not written in parallel", f->what,
                       f->path);
    const size_t none[NC_MAX_VAR_DIMS] = {0};
    CF_TRY(f->lead ? nc_put_var_int(f->ncid, varid, v)
                   : nc_put_vara_int(f->ncid, varid, none, none, v),
           "writing", NULL);
    return FC_OK;
}

int fc_cf_put_text_row(fc_cf_file *f, int varid, size_t row, size_t len, const char *text,
                       fc_err *err)
{
    if (f->pncid >= 0)
        return fc_fail(err, FC_EIO, "%s '%s': text is not written in parallel", f->what,
                       f->path);
    char *buf = calloc(len ? len : 1, 1);
    if (!buf)
        return fc_fail(err, FC_ENOMEM, "%s '%s': out of memory", f->what, f->path);
    memcpy(buf, text, strnlen(text, len));
    size_t start[2] = {row, 0}, count[2] = {1, len};
    int rc = nc_put_vara_text(f->ncid, varid, start, count, buf);
    free(buf);
    if (rc != NC_NOERR)
        return nc_fail(f, rc, "writing text", NULL, err);
    return FC_OK;
}

int fc_cf_sync(fc_cf_file *f, fc_err *err)
{
#ifdef FC_HAVE_PNETCDF
    if (f->pncid >= 0) { /* the record count into the header, then everything to the disk */
        int rc = ncmpi_sync_numrecs(f->pncid);
        if (rc == NC_NOERR)
            rc = ncmpi_sync(f->pncid);
        return rc == NC_NOERR ? FC_OK : pnc_fail(f, rc, "syncing", NULL, err);
    }
#endif
    CF_TRY(nc_sync(f->ncid), "syncing", NULL);
    return FC_OK;
}

int fc_cf_close(fc_cf_file *f, fc_err *err)
{
#ifdef FC_HAVE_PNETCDF
    if (f->pncid >= 0) {
        const int rc = ncmpi_close(f->pncid);
        f->pncid = -1;
        return rc == NC_NOERR ? FC_OK : pnc_fail(f, rc, "closing", NULL, err);
    }
#endif
    if (f->ncid < 0)
        return FC_OK;
    int rc = fc_nc_close_output(f->ncid);
    f->ncid = -1;
    if (rc != NC_NOERR) {
        int st = nc_fail(f, rc, "closing", NULL, err);
        if (f->tmp[0])
            fc_cf_discard(f); /* the target keeps its old content */
        return st;
    }
    if (f->tmp[0]) {
        if (rename(f->tmp, f->path) != 0) {
            int st = fc_fail(err, FC_EIO, "%s '%s': cannot rename %s over it", f->what, f->path,
                             f->tmp);
            fc_cf_discard(f);
            return st;
        }
        f->tmp[0] = '\0';
    }
    return FC_OK;
}

void fc_cf_discard(fc_cf_file *f)
{
#ifdef FC_HAVE_PNETCDF
    if (f->pncid >= 0)
        ncmpi_close(f->pncid); /* collective, as every call on a parallel file */
    f->pncid = -1;
#endif
    if (f->ncid >= 0)
        fc_nc_close_output(f->ncid);
    f->ncid = -1;
    if (f->lead)
        unlink(f->tmp[0] ? f->tmp : f->path);
    f->tmp[0] = '\0';
}
