/* ncread.c: checked reading of NetCDF input (see ncread.h). */
#include <fc_build.h>

#include "src/core/ncread.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netcdf.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "src/core/files.h"
#include "src/core/timer.h"

const char *fc_nc_strerror(int status, const char *path)
{
    if (status > 0)
        return strerror(status);
    if (status == NC_EHDFERR || status == NC_EIO) {
        /* HDF5 reports a failed write as its own error; the file's folder tells why. */
        if (errno == ENOSPC || errno == EDQUOT)
            return strerror(errno);
        if (path) {
            char dir[4096];
            fc_path_folder(path, dir, sizeof dir);
            struct statvfs fs;
            if (statvfs(dir, &fs) == 0 && fs.f_bavail < 16)
                return strerror(ENOSPC);
        }
    }
    return nc_strerror(status);
}

/*
 * The header of a classic-format file (CDF-1, CDF-2 or CDF-5), walked before libnetcdf opens
 * it: libnetcdf allocates what the header's counts and name lengths claim before it knows
 * whether the file holds them, so a 4 kB file could ask for gigabytes. Each count here must fit
 * in the bytes left in the header's file, and each type and dimension index must exist. The
 * layout is that of the NetCDF classic format specification (Unidata, "File Format
 * Specifications", netCDF-C documentation).
 */
typedef struct cdf_reader {
    const unsigned char *p, *end;
    int version; /* 1, 2 or 5 */
    const char *bad;
} cdf_reader;

static unsigned long long cdf_uint(cdf_reader *r, int bytes)
{
    unsigned long long v = 0;
    if (r->bad)
        return 0;
    if (r->end - r->p < bytes) {
        r->bad = "the header ends early";
        return 0;
    }
    for (int k = 0; k < bytes; k++)
        v = v << 8 | *r->p++;
    return v;
}

/* A count of items of at least `least` bytes each: no more than the bytes left can hold. */
static unsigned long long cdf_count(cdf_reader *r, int least, const char *what)
{
    const unsigned long long n = cdf_uint(r, r->version == 5 ? 8 : 4);
    if (!r->bad && n > (unsigned long long)(r->end - r->p) / (unsigned)least)
        r->bad = what;
    return n;
}

static void cdf_skip(cdf_reader *r, unsigned long long n, const char *what)
{
    n = (n + 3) / 4 * 4; /* padded to 4 bytes */
    if (r->bad)
        return;
    if (n > (unsigned long long)(r->end - r->p))
        r->bad = what;
    else
        r->p += n;
}

static void cdf_name(cdf_reader *r)
{
    cdf_skip(r, cdf_count(r, 1, "a name longer than the file"), "a name longer than the file");
}

static int cdf_type_size(cdf_reader *r, unsigned long long t)
{
    static const int size[] = {0, 1, 1, 2, 4, 4, 8, 1, 2, 4, 8, 8};
    if (t < 1 || t > (r->version == 5 ? 11u : 6u)) {
        r->bad = r->bad ? r->bad : "an unknown data type";
        return 1;
    }
    return size[t];
}

/* A list's header: its tag (0 when absent, else want) and its count of items of at least
 * `least` bytes each. */
static unsigned long long cdf_list(cdf_reader *r, unsigned want, int least, const char *what)
{
    const unsigned long long tag = cdf_uint(r, 4);
    const unsigned long long n = cdf_count(r, least, what);
    if (!r->bad && tag != 0 && tag != want)
        r->bad = "a malformed list of dimensions, attributes or variables";
    return n;
}

static void cdf_atts(cdf_reader *r)
{
    const unsigned long long n = cdf_list(r, 0x0C, 12, "more attributes than the file holds");
    for (unsigned long long k = 0; k < n && !r->bad; k++) {
        cdf_name(r);
        const int size = cdf_type_size(r, cdf_uint(r, 4));
        const unsigned long long len = cdf_count(r, size, "an attribute longer than the file");
        cdf_skip(r, len * (unsigned long long)size, "an attribute longer than the file");
    }
}

/* Where a classic file's data lie, from its header: fixed-size variables end at fixed_end;
 * record j of every record variable lies within [rec_begin + j recsize, rec_begin + j recsize
 * + rec_extent). libnetcdf reads bytes beyond the end of a file as zeros, so a file cut short
 * (a copy or a write that did not finish) would otherwise give zeros for data. */
typedef struct cdf_layout {
    unsigned long long fixed_end, rec_begin, rec_extent, recsize;
    int records; /* whether there are record variables */
} cdf_layout;

/* a * b, or ~0 where that does not fit: no file holds such a variable */
static unsigned long long cdf_mul(unsigned long long a, unsigned long long b)
{
    return b && a > ~0ULL / b ? ~0ULL : a * b;
}

static unsigned long long cdf_add(unsigned long long a, unsigned long long b)
{
    return a > ~0ULL - b ? ~0ULL : a + b;
}

/* Walks the header in buf[0..n-1]: the reason it is damaged, or NULL and its layout in *lay. */
static const char *cdf_check(const unsigned char *buf, size_t n, cdf_layout *lay)
{
    cdf_reader r = {buf + 4, buf + n, buf[3], NULL};
    const int wide = r.version == 5 ? 8 : 4;
    cdf_uint(&r, wide); /* the record count: any, the records may be cut short */
    const unsigned long long ndims = cdf_list(&r, 0x0A, 8, "more dimensions than the file holds");
    /* each dimension takes 8 bytes or more of the header: ndims fits in memory */
    unsigned long long *len = r.bad ? NULL : malloc((ndims ? ndims : 1) * sizeof *len);
    if (!r.bad && !len)
        return "its dimensions do not fit in memory";
    for (unsigned long long k = 0; k < ndims && !r.bad; k++) {
        cdf_name(&r);
        len[k] = cdf_uint(&r, wide);
    }
    cdf_atts(&r);
    const unsigned long long nvars = cdf_list(&r, 0x0B, 24, "more variables than the file holds");
    *lay = (cdf_layout){0, ~0ULL, 0, 0, 0};
    unsigned long long last_len = 0, nrecvars = 0;
    for (unsigned long long k = 0; k < nvars && !r.bad; k++) {
        cdf_name(&r);
        const unsigned long long nd = cdf_count(&r, wide, "a variable with more dimensions "
                                                          "than the file holds");
        unsigned long long values = 1;
        int record = 0;
        for (unsigned long long d = 0; d < nd && !r.bad; d++) {
            const unsigned long long id = cdf_uint(&r, wide);
            if (id >= ndims)
                r.bad = "a variable on a dimension that does not exist";
            else if (d == 0 && len[id] == 0)
                record = 1; /* the record dimension: one record's values follow */
            else
                values = cdf_mul(values, len[id]);
        }
        cdf_atts(&r);
        const unsigned long long bytes = cdf_mul(values, (unsigned)cdf_type_size(&r, cdf_uint(&r, 4)));
        cdf_uint(&r, wide);                                              /* vsize */
        const unsigned long long begin = cdf_uint(&r, r.version == 1 ? 4 : 8);
        const unsigned long long padded = cdf_add(bytes, (4 - bytes % 4) % 4);
        if (!record) { /* its last bytes; the padding may be written only at close */
            const unsigned long long end = cdf_add(begin, bytes);
            lay->fixed_end = end > lay->fixed_end ? end : lay->fixed_end;
            continue;
        }
        /* libnetcdf: a record is the record variables one after the other, each padded to 4
         * bytes, but a lone record variable unpadded */
        lay->records = 1;
        nrecvars++;
        last_len = bytes;
        lay->recsize = cdf_add(lay->recsize, padded);
        lay->rec_begin = begin < lay->rec_begin ? begin : lay->rec_begin;
        const unsigned long long end = cdf_add(begin, bytes); /* its last bytes, unpadded */
        lay->rec_extent = end > lay->rec_extent ? end : lay->rec_extent;
    }
    free(len);
    if (lay->records) {
        if (nrecvars == 1)
            lay->recsize = last_len;
        lay->rec_extent -= lay->rec_begin;
    }
    return r.bad;
}

/* The records of every record variable that a classic file of `size` bytes holds whole. */
static unsigned long long cdf_records_held(const cdf_layout *lay, unsigned long long size)
{
    if (!lay->records)
        return ~0ULL;
    if (size < lay->rec_begin || size - lay->rec_begin < lay->rec_extent)
        return 0;
    if (lay->recsize == 0) /* records of no bytes: any number */
        return ~0ULL;
    return (size - lay->rec_begin - lay->rec_extent) / lay->recsize + 1;
}

/* A classic file's header and layout: 1 and *lay when the file is one and its header was
 * read whole and is sound, 0 when it is not a classic file or its header lies beyond the part
 * read, -1 (and *bad) when it cannot be read or is damaged. */
static int cdf_read_layout(const char *path, off_t size, cdf_layout *lay, const char **bad)
{
    FILE *f = fopen(path, "rb");
    *bad = NULL;
    if (!f) {
        *bad = strerror(errno);
        return -1;
    }
    unsigned char magic[4];
    if (fread(magic, 1, 4, f) != 4 || memcmp(magic, "CDF", 3) ||
        (magic[3] != 1 && magic[3] != 2 && magic[3] != 5)) {
        fclose(f);
        return 0;
    }
    /* The header is at the start; a few MB hold any header flowcast or others write. */
    const size_t n = size < (off_t)(8 << 20) ? (size_t)size : (size_t)(8 << 20);
    unsigned char *buf = malloc(n);
    const int got = buf && fseek(f, 0, SEEK_SET) == 0 && fread(buf, 1, n, f) == n;
    fclose(f);
    *bad = got ? cdf_check(buf, n, lay) : "it cannot be read";
    free(buf);
    if (*bad && n < (size_t)size && !strcmp(*bad, "the header ends early")) {
        *bad = NULL; /* a header beyond the part read: libnetcdf's own checks apply */
        return 0;
    }
    return *bad ? -1 : 1;
}

/* Checks a classic-format file's header; other formats pass (libnetcdf and HDF5 read them). */
static int check_classic(const char *path, const char *what, off_t size, fc_err *err)
{
    cdf_layout lay;
    const char *bad;
    const int classic = cdf_read_layout(path, size, &lay, &bad);
    if (classic < 0)
        return fc_fail(err, FC_EINPUT, "cannot read %s '%s': a damaged NetCDF classic file (%s)",
                       what, path, bad);
    if (classic > 0 && lay.fixed_end > (unsigned long long)size)
        return fc_fail(err, FC_EINPUT,
                       "cannot read %s '%s': the file is cut short (%lld bytes; its header "
                       "places data up to byte %llu): a copy or a write that did not finish?",
                       what, path, (long long)size, lay.fixed_end);
    return FC_OK;
}

static int numeric(nc_type t)
{
    switch (t) {
    case NC_BYTE: case NC_UBYTE: case NC_SHORT: case NC_USHORT: case NC_INT: case NC_UINT:
    case NC_INT64: case NC_UINT64: case NC_FLOAT: case NC_DOUBLE:
        return 1;
    default:
        return 0;
    }
}

/* Files up to this size have every variable read in the probe, not only their metadata. */
#define PROBE_DATA_BYTES (64 << 20)
/* The probe's time, plus a second per MiB of the file: far more than a healthy file takes, and
 * less than the 30 s after which the fuzzers call an input a hang. */
#define PROBE_SECONDS 10.0

/* Reads the name and type of each of n attributes of variable v (NC_GLOBAL: the file's). */
static void probe_atts(int ncid, int v, int n)
{
    for (int a = 0; a < n; a++) {
        char name[NC_MAX_NAME + 1];
        nc_type t;
        size_t len;
        if (nc_inq_attname(ncid, v, a, name) == NC_NOERR)
            nc_inq_att(ncid, v, name, &t, &len);
    }
}

/*
 * A NetCDF-4 file is parsed by HDF5, whose 1.10 parser can crash on a damaged file (fuzzing
 * found a wild free while nc_open walked the groups, and an overlapping memcpy while reading an
 * attribute). So such a file is first opened in a child process, which walks its metadata and,
 * for a file of at most PROBE_DATA_BYTES, reads every variable: when the child dies, the file is
 * refused and this process is unharmed. A larger file's data is not probed (reading it twice
 * would cost too much): a damaged chunk index there can still reach HDF5 in this process.
 */
static int probe_hdf5(const char *path, const char *what, off_t size, fc_err *err)
{
    /* A damaged file can also make HDF5 loop (fuzzing met children that never ended), so the
     * child gets PROBE_SECONDS and a second per MiB of the file, then is killed. */
    const double limit = PROBE_SECONDS + (double)size / (1 << 20);
    const pid_t pid = fork();
    if (pid < 0)
        return FC_OK; /* no probe possible: libnetcdf reads it directly */
    if (pid == 0) {
        /* Its own end too, a second after the parent's: a parent killed while it waits (a
         * user's Ctrl-C, a fuzzer's time limit) leaves no orphan looping in HDF5. */
        signal(SIGALRM, SIG_DFL);
        alarm((unsigned)limit + 1);
        /* Die quietly by the signal, and say nothing: the parent reports. Nothing here may
         * allocate before nc_open (open, not fopen): HDF5 1.10 can read uninitialised heap
         * memory on a damaged file (fuzzing: the link table of H5G__dense_build_table freed
         * with whatever pointers the heap held), so whether it crashes depends on the heap,
         * and the probe must meet the heap exactly as the parent's own nc_open will. */
        static const int sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
        for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++)
            signal(sigs[k], SIG_DFL);
        const int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, STDERR_FILENO);
        int ncid;
        if (nc_open(path, NC_NOWRITE, &ncid) != NC_NOERR)
            _exit(3); /* refused by libnetcdf itself: the parent says why */
        /* Every part is walked by itself, errors ignored: a reader that is refused one part
         * (nc_inq fails on a damaged global attribute) may still ask for the others. */
        int ndims = 0, nvars = 0, natts = 0;
        nc_inq_ndims(ncid, &ndims);
        for (int d = 0; d < ndims; d++) {
            char dname[NC_MAX_NAME + 1];
            size_t len;
            nc_inq_dim(ncid, d, dname, &len);
        }
        nc_inq_nvars(ncid, &nvars);
        nc_inq_natts(ncid, &natts);
        probe_atts(ncid, NC_GLOBAL, natts);
        for (int v = 0; v < nvars; v++) {
            /* A variable's metadata first, as readers ask for it: libnetcdf then reads the
             * dimension scales (HDF5 variable-length data in the global heap). */
            char vname[NC_MAX_NAME + 1];
            int nd, dims[NC_MAX_VAR_DIMS];
            nc_type t;
            const int known = nc_inq_var(ncid, v, vname, &t, &nd, dims, NULL) == NC_NOERR;
            int n = 0;
            if (nc_inq_varnatts(ncid, v, &n) == NC_NOERR)
                probe_atts(ncid, v, n);
            if (!known || size > PROBE_DATA_BYTES || !numeric(t) || nd < 0 ||
                nd > NC_MAX_VAR_DIMS)
                continue;
            /* Every value of a numeric variable of at most PROBE_DATA_BYTES as doubles. */
            size_t count = 1, len;
            for (int d = 0; d < nd && count; d++)
                count = nc_inq_dimlen(ncid, dims[d], &len) == NC_NOERR &&
                                len <= PROBE_DATA_BYTES / 8 / (count ? count : 1)
                            ? count * len
                            : 0;
            double *buf = count ? malloc(count * sizeof *buf) : NULL;
            if (buf)
                nc_get_var_double(ncid, v, buf);
            free(buf);
        }
        nc_close(ncid);
        _exit(0);
    }
    const double start = fc_now();
    struct timespec nap = {0, 1000000};
    int status;
    for (;;) {
        const pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid)
            break;
        if (done < 0 && errno != EINTR)
            return FC_OK;
        if (fc_now() - start > limit) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            return fc_fail(err, FC_EINPUT, "cannot read %s '%s': the HDF5 library did not finish "
                           "reading this NetCDF-4 file in %.0f s in a probe (a damaged file can "
                           "make it loop)", what, path, limit);
        }
        nanosleep(&nap, NULL);
        if (nap.tv_nsec < 50000000)
            nap.tv_nsec *= 2; /* 1 ms doubling to 64 ms: a healthy probe takes milliseconds */
    }
    if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 3))
        return FC_OK;
    return fc_fail(err, FC_EINPUT, "cannot read %s '%s': a damaged NetCDF-4/HDF5 file (the HDF5 "
                   "library failed on it in a probe)", what, path);
}

/* Whether the file starts with HDF5's signature (NetCDF-4). */
static int is_hdf5(const char *path)
{
    static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    unsigned char head[8];
    FILE *f = fopen(path, "rb");
    const int yes = f && fread(head, 1, 8, f) == 8 && !memcmp(head, sig, 8);
    if (f)
        fclose(f);
    return yes;
}

/* Where an HDF5 file ends, by its superblock (at the start; HDF5 File Format Specification,
 * version 0 to 3): the base address plus the end-of-file address, which HDF5 writes when it
 * flushes or closes the file; 0 when it cannot be read; ~0 when the file ends inside it. A file
 * shorter than that was cut short, which the HDF5 library reports only as an "HDF error". */
static unsigned long long hdf5_end(const char *path)
{
    unsigned char b[64];
    FILE *f = fopen(path, "rb");
    const size_t n = f ? fread(b, 1, sizeof b, f) : 0;
    if (f)
        fclose(f);
    if (n < 16)
        return n < sizeof b ? ~0ULL : 0; /* only the signature, read by is_hdf5 */
    const int version = b[8];
    const int size = version <= 1 ? b[13] : b[9]; /* bytes of an address */
    const size_t base_at = version == 0 ? 24 : version == 1 ? 28 : 12;
    if ((size != 2 && size != 4 && size != 8) || version > 3)
        return 0;
    if (base_at + 3 * (size_t)size > n)
        return n < sizeof b ? ~0ULL : 0;
    unsigned long long addr[3] = {0, 0, 0}; /* base, (free space or extension), end of file */
    for (int k = 0; k < 3; k++)
        for (int i = size - 1; i >= 0; i--)
            addr[k] = addr[k] << 8 | b[base_at + (size_t)k * size + (size_t)i]; /* little-endian */
    const unsigned long long undefined = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
    if (addr[2] == undefined || addr[0] == undefined)
        return 0;
    return addr[0] + addr[2] < addr[0] ? 0 : addr[0] + addr[2];
}

int fc_nc_open(const char *path, const char *what, int *ncid, fc_err *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return fc_fail(err, FC_EINPUT, "cannot read %s '%s': %s", what, path, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return fc_fail(err, FC_EINPUT, "cannot read %s '%s': not a regular file", what, path);
    int st = check_classic(path, what, sb.st_size, err);
    const int hdf5 = !st && is_hdf5(path);
    const unsigned long long end = hdf5 ? hdf5_end(path) : 0;
    if (hdf5 && end == ~0ULL)
        return fc_fail(err, FC_EINPUT,
                       "cannot read %s '%s': the file is cut short (%lld bytes, inside its HDF5 "
                       "superblock): a copy or a write that did not finish?",
                       what, path, (long long)sb.st_size);
    if (hdf5 && end > (unsigned long long)sb.st_size)
        return fc_fail(err, FC_EINPUT,
                       "cannot read %s '%s': the file is cut short (%lld bytes; its HDF5 "
                       "superblock says it ends at byte %llu): a copy or a write that did not "
                       "finish?",
                       what, path, (long long)sb.st_size, end);
    if (hdf5)
        st = probe_hdf5(path, what, sb.st_size, err);
    if (st)
        return st;
    const int rc = nc_open(path, NC_NOWRITE, ncid);
    if (rc != NC_NOERR)
        return fc_fail(err, FC_EINPUT, "cannot read %s '%s': %s", what, path,
                       rc > 0 ? strerror(rc) : nc_strerror(rc));
    return FC_OK;
}

void fc_nc_close(int ncid) { nc_close(ncid); }

static int close_failed;

int fc_nc_close_output(int ncid)
{
    const int rc = nc_close(ncid);
    if (rc != NC_NOERR)
        close_failed = 1;
    return rc;
}

int fc_nc_exit_unclean(void) { return close_failed; }


/* The fill value netCDF uses for unwritten values of type t. */
static double default_fill(nc_type t)
{
    switch (t) {
    case NC_BYTE: return NC_FILL_BYTE;
    case NC_UBYTE: return NC_FILL_UBYTE;
    case NC_SHORT: return NC_FILL_SHORT;
    case NC_USHORT: return NC_FILL_USHORT;
    case NC_INT: return NC_FILL_INT;
    case NC_UINT: return NC_FILL_UINT;
    case NC_INT64: return (double)NC_FILL_INT64;
    case NC_UINT64: return (double)NC_FILL_UINT64;
    case NC_FLOAT: return NC_FILL_FLOAT;
    default: return NC_FILL_DOUBLE;
    }
}

int fc_nc_has_att(int ncid, int varid, const char *name)
{
    return nc_inq_att(ncid, varid, name, NULL, NULL) == NC_NOERR;
}

/* "attribute 'x' of variable 'v'" or "global attribute 'x'". */
static const char *att_label(int ncid, int varid, const char *name, char *buf, size_t len)
{
    char var[NC_MAX_NAME + 1] = "?";
    if (varid == NC_GLOBAL)
        snprintf(buf, len, "global attribute '%s'", name);
    else {
        nc_inq_varname(ncid, varid, var);
        snprintf(buf, len, "attribute '%s' of variable '%s'", name, var);
    }
    return buf;
}

/* A text attribute into buf (size bytes), or with buf NULL into a new allocation *text. */
static int text_att(int ncid, int varid, const char *path, const char *name, char *buf,
                    size_t size, char **text, fc_err *err)
{
    nc_type t;
    size_t n;
    char label[2 * NC_MAX_NAME + 64];
    if (nc_inq_att(ncid, varid, name, &t, &n) != NC_NOERR)
        return 1;
    att_label(ncid, varid, name, label, sizeof label);
    if (t != NC_CHAR)
        return fc_fail(err, FC_EINPUT, "%s: %s is not text", path, label);
    if (buf && n + 1 > size)
        return fc_fail(err, FC_EINPUT, "%s: %s has %zu characters; at most %zu are expected",
                       path, label, n, size - 1);
    char *dst = buf ? buf : malloc(n + 1);
    if (!dst)
        return fc_fail(err, FC_ENOMEM, "%s: out of memory for %s", path, label);
    if (n && nc_get_att_text(ncid, varid, name, dst) != NC_NOERR) {
        if (!buf)
            free(dst);
        return fc_fail(err, FC_EINPUT, "%s: cannot read %s", path, label);
    }
    dst[n] = '\0';
    if (!buf)
        *text = dst;
    return FC_OK;
}

int fc_nc_att_text(int ncid, int varid, const char *path, const char *name, char *buf,
                   size_t size, fc_err *err)
{
    return text_att(ncid, varid, path, name, buf, size, NULL, err);
}

int fc_nc_att_text_alloc(int ncid, int varid, const char *path, const char *name, char **text,
                         fc_err *err)
{
    *text = NULL;
    return text_att(ncid, varid, path, name, NULL, 0, text, err);
}

int fc_nc_att_doubles(int ncid, int varid, const char *path, const char *name, double *out,
                      size_t n, fc_err *err)
{
    nc_type t;
    size_t len;
    char label[2 * NC_MAX_NAME + 64];
    if (nc_inq_att(ncid, varid, name, &t, &len) != NC_NOERR)
        return 1;
    if (!numeric(t) || len != n)
        return fc_fail(err, FC_EINPUT, "%s: %s should be %zu number%s; it holds %zu %s", path,
                       att_label(ncid, varid, name, label, sizeof label), n, n == 1 ? "" : "s",
                       len, numeric(t) ? "numbers" : "values that are not numbers");
    if (nc_get_att_double(ncid, varid, name, out) != NC_NOERR)
        return fc_fail(err, FC_EINPUT, "%s: cannot read %s", path,
                       att_label(ncid, varid, name, label, sizeof label));
    for (size_t k = 0; k < n; k++)
        if (!isfinite(out[k]))
            return fc_fail(err, FC_EINPUT, "%s: %s holds %g, not a finite number", path,
                           att_label(ncid, varid, name, label, sizeof label), out[k]);
    return FC_OK;
}

int fc_nc_att_int(int ncid, int varid, const char *path, const char *name, long long lo,
                  long long hi, long long *out, fc_err *err)
{
    double v;
    int st = fc_nc_att_doubles(ncid, varid, path, name, &v, 1, err);
    if (st)
        return st;
    char label[2 * NC_MAX_NAME + 64];
    if (v != floor(v) || v < (double)lo || v > (double)hi)
        return fc_fail(err, FC_EINPUT, "%s: %s is %.17g; an integer from %lld to %lld is "
                       "expected", path, att_label(ncid, varid, name, label, sizeof label), v,
                       lo, hi);
    *out = (long long)v;
    return FC_OK;
}

int fc_nc_bounds_of(int ncid, const char *name, char *coord)
{
    int nvars = 0;
    nc_inq_nvars(ncid, &nvars);
    for (int k = 0; k < nvars; k++) {
        char b[NC_MAX_NAME + 1];
        size_t len;
        nc_type t;
        if (nc_inq_att(ncid, k, "bounds", &t, &len) == NC_NOERR && t == NC_CHAR &&
            len < sizeof b && nc_get_att_text(ncid, k, "bounds", b) == NC_NOERR) {
            b[len] = '\0';
            if (!strcmp(b, name))
                return nc_inq_varname(ncid, k, coord) == NC_NOERR;
        }
    }
    return 0;
}

void fc_nc_list_vars(int ncid, int min_dims, int max_dims, char *buf, size_t len)
{
    /* The first 1000 variables at most: each bounds check reads every variable's attributes,
     * and a hostile file may hold millions. */
    enum { MOST = 1000 };
    int nvars = 0;
    nc_inq_nvars(ncid, &nvars);
    size_t o = 0;
    buf[0] = '\0';
    if (len < 8)
        return;
    int k = 0, full = 0;
    for (; k < nvars && k < MOST && !full; k++) {
        char name[NC_MAX_NAME + 1], coord[NC_MAX_NAME + 1];
        nc_type t;
        int ndims, dimid;
        if (nc_inq_var(ncid, k, name, &t, &ndims, NULL, NULL) != NC_NOERR || !numeric(t) ||
            ndims < min_dims || ndims > max_dims)
            continue;
        if (nc_inq_dimid(ncid, name, &dimid) == NC_NOERR || fc_nc_bounds_of(ncid, name, coord))
            continue; /* a coordinate, or its cells' bounds */
        full = o + strlen(name) + 2 + 5 >= len; /* room for it and a final ", ..." */
        if (!full)
            o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? ", " : "", name);
    }
    if (full || k < nvars) /* names left out, or variables not looked at */
        snprintf(buf + o, len - o, "%s...", o ? ", " : "");
}

int fc_nc_find_var(int ncid, const char *path, const char *name, int min_dims, int max_dims,
                   fc_nc_var *v, fc_err *err)
{
    memset(v, 0, sizeof *v);
    v->path = path;
    v->name = name;
    if (nc_inq_varid(ncid, name, &v->id) != NC_NOERR) {
        char list[1024], dims[48];
        fc_nc_list_vars(ncid, min_dims, max_dims, list, sizeof list);
        if (min_dims == max_dims)
            snprintf(dims, sizeof dims, "%d dimension%s", min_dims, min_dims == 1 ? "" : "s");
        else
            snprintf(dims, sizeof dims, "%d %s %d dimensions", min_dims,
                     max_dims == min_dims + 1 ? "or" : "to", max_dims);
        if (!list[0])
            return fc_fail(err, FC_EINPUT, "%s: no variable '%s' (it has none of %s)", path,
                           name, dims);
        return fc_fail(err, FC_EINPUT, "%s: no variable '%s' (its variables of %s: %s)", path,
                       name, dims, list);
    }
    nc_type t;
    int dims[NC_MAX_VAR_DIMS];
    if (nc_inq_var(ncid, v->id, NULL, &t, &v->ndims, NULL, NULL) != NC_NOERR ||
        v->ndims < 0 || v->ndims > NC_MAX_VAR_DIMS ||
        nc_inq_vardimid(ncid, v->id, dims) != NC_NOERR)
        return fc_fail(err, FC_EINPUT, "%s: cannot read the shape of variable '%s'", path, name);
    v->type = t;
    if (!numeric(t))
        return fc_fail(err, FC_EINPUT, "%s: variable '%s' does not hold numbers", path, name);
    if (v->ndims < min_dims || v->ndims > max_dims || v->ndims > FC_NC_MAX_DIMS) {
        if (min_dims == max_dims)
            return fc_fail(err, FC_EINPUT, "%s: variable '%s' has %d dimension(s); %d expected",
                           path, name, v->ndims, min_dims);
        return fc_fail(err, FC_EINPUT, "%s: variable '%s' has %d dimension(s); %d to %d expected",
                       path, name, v->ndims, min_dims, max_dims);
    }
    for (int d = 0; d < v->ndims; d++)
        if (nc_inq_dimlen(ncid, dims[d], &v->len[d]) != NC_NOERR)
            return fc_fail(err, FC_EINPUT, "%s: cannot read the dimensions of variable '%s'",
                           path, name);
    int unlim[NC_MAX_DIMS], nunlim = 0;
    if (v->ndims > 0 && nc_inq_unlimdims(ncid, &nunlim, NULL) == NC_NOERR &&
        nunlim >= 0 && nunlim <= NC_MAX_DIMS && nc_inq_unlimdims(ncid, &nunlim, unlim) == NC_NOERR)
        for (int k = 0; k < nunlim; k++)
            v->record |= unlim[k] == dims[0];
    /* Values that mean "no data": the CF attributes where given, else netCDF's default fill. */
    double f;
    nc_type at;
    size_t alen;
    for (int k = 0; k < 2; k++) {
        const char *att = k ? "missing_value" : "_FillValue";
        if (nc_inq_att(ncid, v->id, att, &at, &alen) == NC_NOERR && numeric(at) && alen == 1 &&
            nc_get_att_double(ncid, v->id, att, &f) == NC_NOERR)
            v->fill[v->nfill++] = f;
    }
    if (!fc_nc_has_att(ncid, v->id, "_FillValue"))
        v->fill[v->nfill++] = default_fill(t);
    /* CF valid range and packing, each one number (valid_range two). A range of the packing
     * attributes' type rather than the variable's bounds unpacked values (the NetCDF Users
     * Guide's convention); else the stored ones (CF's). */
    v->valid[0] = -HUGE_VAL;
    v->valid[1] = HUGE_VAL;
    v->scale = 1;
    v->offset = 0;
    static const char *const atts[] = {"valid_range", "valid_min", "valid_max", "scale_factor",
                                       "add_offset"};
    double *const dst[] = {v->valid, v->valid, v->valid + 1, &v->scale, &v->offset};
    nc_type range_type = NC_NAT, pack_type = NC_NAT;
    for (int a = 0; a < 5; a++) {
        double val[2];
        const int st = fc_nc_att_doubles(ncid, v->id, path, atts[a], val, a ? 1 : 2, err);
        if (st != FC_OK && st != 1)
            return st;
        if (st == FC_OK) {
            memcpy(dst[a], val, (a ? 1 : 2) * sizeof *val);
            nc_inq_atttype(ncid, v->id, atts[a], a < 3 ? &range_type : &pack_type);
        }
    }
    v->valid_unpacked = pack_type != NC_NAT && range_type == pack_type && range_type != t;
    if (!(v->valid[0] <= v->valid[1]))
        return fc_fail(err, FC_EINPUT, "%s: variable '%s' has an empty valid range [%g, %g]",
                       path, name, v->valid[0], v->valid[1]);
    if (v->scale == 0)
        return fc_fail(err, FC_EINPUT, "%s: variable '%s' has scale_factor 0", path, name);
    return FC_OK;
}

/* The canonical spelling of a unit flowcast reads (units: a file's spelling), or NULL. */
static const char *canonical_units(const char *units)
{
    static const char *const table[][8] = {
        {"m", "m", "metre", "metres", "meter", "meters", NULL},
        {"m s-1", "m s-1", "m/s", "m s^-1", "m.s-1", "m s**-1", "meter second-1",
         "metre second-1"},
        {"s-1", "s-1", "1/s", "s^-1", "/s", "s**-1", "second-1", NULL},
        {"K", "K", "kelvin", "Kelvin", "degK", "degree_K", "degrees_K", NULL},
    };
    for (size_t r = 0; r < sizeof table / sizeof table[0]; r++)
        for (int k = 1; k < 8 && table[r][k]; k++)
            if (!strcmp(units, table[r][k]))
                return table[r][0];
    return NULL;
}

int fc_nc_check_units(int ncid, const fc_nc_var *v, const char *expected, fc_err *err)
{
    char units[128];
    const int st = fc_nc_att_text(ncid, v->id, v->path, "units", units, sizeof units, err);
    if (st == 1)
        return FC_OK; /* none said: taken to be flowcast's */
    if (st)
        return st;
    const char *c = canonical_units(units);
    if (c && !strcmp(c, expected))
        return FC_OK;
    return fc_fail(err, FC_EINPUT, "%s: variable '%s' is in '%s'; flowcast reads it in %s",
                   v->path, v->name, units, expected);
}

/* Whether x is a fill value of v, compared in the precision it was read in. */
#define IS_FILL(v, x, T) (((v)->nfill > 0 && (x) == (T)(v)->fill[0]) || \
                          ((v)->nfill > 1 && (x) == (T)(v)->fill[1]))

/* The start and count of the window win = {y0, x0, wy, wx} of record rec's ny x nx plane of v,
 * after checking its shape. */
static int plane_slab(const fc_nc_var *v, size_t rec, size_t ny, size_t nx, const size_t win[4],
                      size_t *start, size_t *count, fc_err *err)
{
    if (v->ndims < 2 || v->ndims > 3)
        return fc_fail(err, FC_EINPUT, "%s: variable '%s' has %d dimension(s); (y, x) or "
                       "(time, y, x) expected", v->path, v->name, v->ndims);
    const size_t gy = v->len[v->ndims - 2], gx = v->len[v->ndims - 1];
    if (gx != nx || gy != ny)
        return fc_fail(err, FC_EINPUT, "%s: variable '%s' is %zu x %zu (x by y); %zu x %zu is "
                       "expected", v->path, v->name, gx, gy, nx, ny);
    int d = 0;
    if (v->ndims == 3) {
        if (rec >= v->len[0])
            return fc_fail(err, FC_EINPUT, "%s: variable '%s' has %zu record(s); record %zu was "
                           "asked for", v->path, v->name, v->len[0], rec);
        start[0] = rec;
        count[0] = 1;
        d = 1;
    }
    start[d] = win[0];
    start[d + 1] = win[1];
    count[d] = win[2];
    count[d + 1] = win[3];
    return FC_OK;
}

static int vector_shape(const fc_nc_var *v, size_t n, fc_err *err)
{
    if (v->ndims != 1 || v->len[0] != n)
        return fc_fail(err, FC_EINPUT, "%s: variable '%s' should hold %zu value%s on one "
                       "dimension; it has %d dimension(s) and %zu value%s", v->path, v->name, n,
                       n == 1 ? "" : "s", v->ndims, v->ndims ? v->len[0] : 1,
                       v->ndims && v->len[0] == 1 ? "" : "s");
    return FC_OK;
}

/*
 * get_T reads a hyperslab and checks every value: finite and not a fill value; on the first bad
 * one, names it by its flat index within the plane (nx: the plane's row length, 0 for a vector;
 * rec: the record, (size_t)-1 for none). The public plane and vector readers of type T follow.
 */
#define DEFINE_GET(SUFFIX, T, NCGET)                                                             \
    static int get_##SUFFIX(int ncid, const fc_nc_var *v, const size_t *start,                   \
                            const size_t *count, size_t n, const size_t *win, size_t rec,        \
                            T *out, fc_err *err)                                                 \
    {                                                                                            \
        const int rc = NCGET(ncid, v->id, start, count, out);                                    \
        if (rc != NC_NOERR)                                                                      \
            return fc_fail(err, FC_EINPUT, "%s: reading variable '%s': %s", v->path, v->name,    \
                           nc_strerror(rc));                                                     \
        for (size_t k = 0; k < n; k++) {                                                         \
            const T x = out[k];                                                                  \
            const double u = (double)x * v->scale + v->offset; /* CF packing */                 \
            const double checked = v->valid_unpacked ? u : (double)x;                            \
            /* Compared as read, in T: a float's 0.95 meets valid_min = 0.95 */                   \
            const double lo = v->valid_unpacked ? v->valid[0] : (double)(T)v->valid[0];          \
            const double hi = v->valid_unpacked ? v->valid[1] : (double)(T)v->valid[1];          \
            const int valid = checked >= lo && checked <= hi;                                    \
            if (isfinite((double)x) && !IS_FILL(v, x, T) && valid) {                             \
                if (v->scale != 1 || v->offset != 0)                                             \
                    out[k] = (T)u;                                                               \
                if (isfinite((double)out[k]))                                                    \
                    continue;                                                                    \
            }                                                                                    \
            char what[128];                                                                      \
            if (!isfinite((double)x))                                                            \
                snprintf(what, sizeof what, "%s", isnan((double)x) ? "NaN" : "an infinite value"); \
            else if (IS_FILL(v, x, T))                                                           \
                snprintf(what, sizeof what, "a fill value (missing data)");                      \
            else if (!valid)                                                                     \
                snprintf(what, sizeof what, "%.*g, outside its valid range [%g, %g]",            \
                         sizeof(T) == sizeof(float) ? 7 : 9, checked, v->valid[0], v->valid[1]); \
            else                                                                                 \
                snprintf(what, sizeof what, "%.9g, which scale_factor and add_offset unpack "    \
                         "beyond range", (double)x);                                             \
            if (win && rec != (size_t)-1)                                                        \
                return fc_fail(err, FC_EINPUT,                                                   \
                               "%s: variable '%s' holds %s at record %zu, cell (i=%zu, j=%zu)",  \
                               v->path, v->name, what, rec, win[1] + k % win[3],                 \
                               win[0] + k / win[3]);                                             \
            if (win)                                                                             \
                return fc_fail(err, FC_EINPUT, "%s: variable '%s' holds %s at cell (i=%zu, "     \
                               "j=%zu)", v->path, v->name, what, win[1] + k % win[3],            \
                               win[0] + k / win[3]);                                             \
            return fc_fail(err, FC_EINPUT, "%s: variable '%s' holds %s at index %zu", v->path,   \
                           v->name, what, k);                                                    \
        }                                                                                        \
        return FC_OK;                                                                            \
    }                                                                                            \
    int fc_nc_get_window_##SUFFIX(int ncid, const fc_nc_var *v, size_t rec, size_t ny,          \
                                  size_t nx, const size_t win[4], T *out, fc_err *err)           \
    {                                                                                            \
        size_t start[3], count[3];                                                               \
        if (win[0] > ny || win[2] > ny - win[0] || win[1] > nx || win[3] > nx - win[1])          \
            return fc_fail(err, FC_EINPUT, "%s: variable '%s': a window beyond its plane",       \
                           v->path, v->name);                                                    \
        const int st = plane_slab(v, rec, ny, nx, win, start, count, err);                       \
        return st ? st                                                                           \
                  : get_##SUFFIX(ncid, v, start, count, win[2] * win[3], win,                    \
                                 v->ndims == 3 ? rec : (size_t)-1, out, err);                    \
    }                                                                                            \
    int fc_nc_get_plane_##SUFFIX(int ncid, const fc_nc_var *v, size_t rec, size_t ny, size_t nx, \
                                 T *out, fc_err *err)                                            \
    {                                                                                            \
        const size_t whole[4] = {0, 0, ny, nx};                                                  \
        return fc_nc_get_window_##SUFFIX(ncid, v, rec, ny, nx, whole, out, err);                 \
    }                                                                                            \
    int fc_nc_get_vector_##SUFFIX(int ncid, const fc_nc_var *v, size_t n, T *out, fc_err *err)   \
    {                                                                                            \
        size_t start = 0;                                                                        \
        const int st = vector_shape(v, n, err);                                                  \
        return st || n == 0 ? st                                                                 \
                            : get_##SUFFIX(ncid, v, &start, &n, n, NULL, (size_t)-1, out, err);     \
    }
DEFINE_GET(float, float, nc_get_vara_float)
DEFINE_GET(double, double, nc_get_vara_double)

static int get_int(int ncid, const fc_nc_var *v, const size_t *start, const size_t *count,
                   size_t n, int *out, fc_err *err)
{
    (void)n;
    const int rc = nc_get_vara_int(ncid, v->id, start, count, out);
    if (rc != NC_NOERR)
        return fc_fail(err, FC_EINPUT, "%s: reading variable '%s': %s", v->path, v->name,
                       nc_strerror(rc));
    return FC_OK;
}

void fc_nc_unpack_or_nan(const fc_nc_var *v, double *x, size_t n)
{
    /* A float variable's values and its bounds are compared as floats, as get_float does (a
     * stored 0.95f meets valid_min = 0.95); integers and doubles are exact in a double. */
    const int as_float = v->type == NC_FLOAT;
    double lo = v->valid[0], hi = v->valid[1];
    if (as_float && !v->valid_unpacked) {
        lo = (float)lo;
        hi = (float)hi;
    }
    for (size_t k = 0; k < n; k++) {
        const double stored = x[k], unpacked = stored * v->scale + v->offset;
        const double checked = v->valid_unpacked ? unpacked : stored;
        const int missing = !isfinite(stored) || IS_FILL(v, stored, double) ||
                            (as_float && IS_FILL(v, (float)stored, float)) ||
                            !(checked >= lo && checked <= hi);
        x[k] = missing ? NAN : unpacked;
    }
}

int fc_nc_get_vector_int(int ncid, const fc_nc_var *v, size_t n, int *out, fc_err *err)
{
    size_t start = 0;
    int st = vector_shape(v, n, err);
    return st || n == 0 ? st : get_int(ncid, v, &start, &n, n, out, err);
}

int fc_nc_read_axis(int ncid, const char *path, const char *name, size_t n, double *c, int *dir,
                    double *scale, fc_err *err)
{
    fc_nc_var v;
    char units[64];
    int st = fc_nc_find_var(ncid, path, name, 1, 1, &v, err);
    if (!st)
        st = fc_nc_get_vector_double(ncid, &v, n, c, err);
    if (st)
        return st;
    *scale = 1;
    st = fc_nc_att_text(ncid, v.id, path, "units", units, sizeof units, err);
    if (st == FC_OK && !strcmp(units, "km"))
        *scale = 1000;
    else if (st == FC_OK && strcmp(units, "m") && strcmp(units, "metre") &&
             strcmp(units, "meter") && strcmp(units, "metres") && strcmp(units, "meters"))
        return fc_fail(err, FC_EINPUT, "%s: coordinate '%s' is in '%s'; metres (m) or "
                       "kilometres (km) expected", path, name, units);
    else if (st != FC_OK && st != 1)
        return st;
    for (size_t i = 0; i < n; i++)
        c[i] *= *scale;
    *dir = n > 1 && c[1] < c[0] ? -1 : 1;
    for (size_t i = 0; i + 1 < n; i++)
        if (!(*dir * (c[i + 1] - c[i]) > 0))
            return fc_fail(err, FC_EINPUT, "%s: coordinate '%s' must increase or decrease "
                           "throughout: %s[%zu] = %g, %s[%zu] = %g", path, name, name, i, c[i],
                           name, i + 1, c[i + 1]);
    return FC_OK;
}

size_t fc_nc_records_held(const char *path)
{
    struct stat sb;
    cdf_layout lay;
    const char *bad;
    if (stat(path, &sb) != 0 || cdf_read_layout(path, sb.st_size, &lay, &bad) <= 0)
        return SIZE_MAX;
    const unsigned long long held = cdf_records_held(&lay, (unsigned long long)sb.st_size);
    return held < SIZE_MAX ? (size_t)held : SIZE_MAX;
}

int fc_nc_complete_records(int ncid, const char *path, size_t *n, fc_err *err)
{
    fc_nc_var v;
    *n = 0;
    int st = fc_nc_find_var(ncid, path, "time", 1, 1, &v, err);
    if (st)
        return st;
    const size_t held = fc_nc_records_held(path);
    /* Blocks of 4096 values: a file that claims 4e8 records costs 32 kB to reject. */
    enum { BLOCK = 4096 };
    double t[BLOCK], last = -INFINITY;
    for (size_t s = 0; s < v.len[0]; s += BLOCK) {
        size_t count = v.len[0] - s < BLOCK ? v.len[0] - s : BLOCK;
        const int rc = nc_get_vara_double(ncid, v.id, &s, &count, t);
        if (rc != NC_NOERR)
            return fc_fail(err, FC_EINPUT, "%s: reading variable 'time': %s", path,
                           nc_strerror(rc));
        for (size_t k = 0; k < count; k++) {
            if (*n >= held || !isfinite(t[k]) || IS_FILL(&v, t[k], double) ||
                (v.type == NC_FLOAT && IS_FILL(&v, (float)t[k], float)) || !(t[k] > last))
                return FC_OK;
            last = t[k];
            (*n)++;
        }
    }
    return FC_OK;
}

int fc_nc_times(int ncid, const char *path, size_t n, double *t, fc_err *err)
{
    fc_nc_var v;
    int st = fc_nc_find_var(ncid, path, "time", 1, 1, &v, err);
    if (st || n == 0)
        return st;
    if (n > v.len[0])
        return fc_fail(err, FC_EINPUT, "%s: variable 'time' has %zu values, not %zu", path,
                       v.len[0], n);
    size_t start = 0;
    return get_double(ncid, &v, &start, &n, n, 0, (size_t)-1, t, err);
}
