/*
 * nc_compare.c: `nc_compare A B TOL`: every double, float and int variable of NetCDF file A
 * against the one of the same name in B, as the largest difference relative to the variable's
 * largest magnitude in A (absolute where that is 0). Prints the worst variable; exit 0 when
 * every variable is within TOL, 1 when one is not or B lacks one or holds it in another shape,
 * 2 on a usage or read error. TOL 0 demands the same bits (values read as doubles, which keeps
 * float and int values apart; the sign of zero counts, a NaN equals the same NaN). For tests
 * that accept round-off between runs (tests/mpi.sh: the spectral solver on slabs against one
 * process) and those that demand the same bits (split runs of swe and euler).
 */
#include <fc_build.h>

#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Variable v of file nc as doubles (*n values), malloc'ed; NULL on failure. */
static double *read_all(int nc, int v, size_t *n)
{
    int nd, dims[NC_MAX_VAR_DIMS];
    *n = 1;
    if (nc_inq_varndims(nc, v, &nd) || nc_inq_vardimid(nc, v, dims))
        return NULL;
    for (int d = 0; d < nd; d++) {
        size_t len;
        if (nc_inq_dimlen(nc, dims[d], &len))
            return NULL;
        *n *= len;
    }
    double *x = malloc((*n ? *n : 1) * sizeof *x);
    if (x && *n && nc_get_var_double(nc, v, x)) {
        free(x);
        return NULL;
    }
    return x;
}

int main(int argc, char **argv)
{
    int a, b, nvars;
    if (argc != 4) {
        fprintf(stderr, "usage: nc_compare A.nc B.nc TOLERANCE\n");
        return 2;
    }
    const double tol = atof(argv[3]);
    if (nc_open(argv[1], NC_NOWRITE, &a) || nc_open(argv[2], NC_NOWRITE, &b) ||
        nc_inq_nvars(a, &nvars)) {
        fprintf(stderr, "nc_compare: cannot read %s or %s\n", argv[1], argv[2]);
        return 2;
    }
    double worst = 0;
    char worst_name[NC_MAX_NAME + 1] = "(none)";
    int bad = 0;
    for (int v = 0; v < nvars; v++) {
        char name[NC_MAX_NAME + 1];
        nc_type type;
        int vb;
        if (nc_inq_varname(a, v, name) || nc_inq_vartype(a, v, &type))
            return 2;
        if (type != NC_DOUBLE && type != NC_FLOAT && type != NC_INT)
            continue;
        if (nc_inq_varid(b, name, &vb)) {
            printf("%s: not in %s\n", name, argv[2]);
            bad = 1;
            continue;
        }
        size_t na, nb;
        double *x = read_all(a, v, &na), *y = read_all(b, vb, &nb);
        if (!x || !y || na != nb) {
            printf("%s: %zu values in %s, %zu in %s\n", name, na, argv[1], nb, argv[2]);
            bad = 1;
        } else {
            double d = 0, m = 0;
            size_t differ = 0; /* values whose bits differ (-0 and 0 do, NaN and NaN may) */
            for (size_t k = 0; k < na; k++) {
                m = fmax(m, fabs(x[k]));
                if (!memcmp(&x[k], &y[k], sizeof x[k]))
                    continue;
                differ++;
                const double e = fabs(x[k] - y[k]);
                d = e > d || e != e ? e : d;
            }
            const double rel = m > 0 ? d / m : d;
            if (rel > worst || rel != rel) {
                worst = rel;
                snprintf(worst_name, sizeof worst_name, "%s", name);
            }
            if (tol == 0 && differ)
                printf("%s: %zu values differ in their bits\n", name, differ);
            bad |= !(rel <= tol) || (tol == 0 && differ);
        }
        free(x);
        free(y);
    }
    printf("largest relative difference %.3g (%s); tolerance %.3g\n", worst, worst_name, tol);
    nc_close(a);
    nc_close(b);
    return bad;
}
