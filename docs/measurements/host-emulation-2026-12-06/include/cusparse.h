/*
 * cusparse.h for the host emulation (README.md): the generic CSR SpMV that ns2d's CSR pressure
 * solve calls, y = alpha A x + beta y, with 32-bit indices from zero, in the order of each row's
 * entries.
 */
#ifndef EMU_CUSPARSE_H
#define EMU_CUSPARSE_H

#include "cuda_runtime.h"

typedef enum { CUSPARSE_STATUS_SUCCESS = 0, CUSPARSE_STATUS_INVALID_VALUE = 3,
               CUSPARSE_STATUS_ALLOC_FAILED = 2, CUSPARSE_STATUS_NOT_SUPPORTED = 10 } cusparseStatus_t;
typedef enum { CUSPARSE_OPERATION_NON_TRANSPOSE = 0 } cusparseOperation_t;
typedef enum { CUSPARSE_INDEX_32I = 2 } cusparseIndexType_t;
typedef enum { CUSPARSE_INDEX_BASE_ZERO = 0 } cusparseIndexBase_t;
typedef enum { CUSPARSE_SPMV_ALG_DEFAULT = 0, CUSPARSE_SPMV_CSR_ALG1 = 2,
               CUSPARSE_SPMV_CSR_ALG2 = 3 } cusparseSpMVAlg_t;
typedef struct emu_sparse_handle { int unused; } *cusparseHandle_t;
typedef struct emu_spmat {
    int64_t rows, cols, nnz;
    const int *rowptr, *col;
    const void *val;
    cudaDataType type;
} *cusparseSpMatDescr_t;
typedef struct emu_dnvec { int64_t n; void *val; cudaDataType type; } *cusparseDnVecDescr_t;
typedef cusparseSpMatDescr_t cusparseConstSpMatDescr_t;
typedef cusparseDnVecDescr_t cusparseConstDnVecDescr_t;

static inline const char *cusparseGetErrorString(cusparseStatus_t s)
{
    return s == CUSPARSE_STATUS_SUCCESS ? "success" : "emulated cuSPARSE error";
}
static inline cusparseStatus_t cusparseCreate(cusparseHandle_t *h)
{
    *h = (cusparseHandle_t)calloc(1, sizeof **h);
    return *h ? CUSPARSE_STATUS_SUCCESS : CUSPARSE_STATUS_ALLOC_FAILED;
}
static inline cusparseStatus_t cusparseDestroy(cusparseHandle_t h) { free(h); return CUSPARSE_STATUS_SUCCESS; }
static inline cusparseStatus_t cusparseCreateCsr(cusparseSpMatDescr_t *m, int64_t rows, int64_t cols,
                                                 int64_t nnz, void *rowptr, void *col, void *val,
                                                 cusparseIndexType_t ri, cusparseIndexType_t ci,
                                                 cusparseIndexBase_t base, cudaDataType type)
{
    if (ri != CUSPARSE_INDEX_32I || ci != CUSPARSE_INDEX_32I || base != CUSPARSE_INDEX_BASE_ZERO)
        return CUSPARSE_STATUS_NOT_SUPPORTED;
    *m = (cusparseSpMatDescr_t)calloc(1, sizeof **m);
    if (!*m)
        return CUSPARSE_STATUS_ALLOC_FAILED;
    **m = (emu_spmat){rows, cols, nnz, (const int *)rowptr, (const int *)col, val, type};
    return CUSPARSE_STATUS_SUCCESS;
}
static inline cusparseStatus_t cusparseDestroySpMat(cusparseSpMatDescr_t m) { free(m); return CUSPARSE_STATUS_SUCCESS; }
static inline cusparseStatus_t cusparseCreateDnVec(cusparseDnVecDescr_t *v, int64_t n, void *val,
                                                   cudaDataType type)
{
    *v = (cusparseDnVecDescr_t)calloc(1, sizeof **v);
    if (!*v)
        return CUSPARSE_STATUS_ALLOC_FAILED;
    **v = (emu_dnvec){n, val, type};
    return CUSPARSE_STATUS_SUCCESS;
}
static inline cusparseStatus_t cusparseDestroyDnVec(cusparseDnVecDescr_t v) { free(v); return CUSPARSE_STATUS_SUCCESS; }
static inline cusparseStatus_t cusparseDnVecSetValues(cusparseDnVecDescr_t v, void *val)
{
    v->val = val;
    return CUSPARSE_STATUS_SUCCESS;
}
static inline cusparseStatus_t cusparseSpMV_bufferSize(cusparseHandle_t, cusparseOperation_t,
                                                       const void *, cusparseSpMatDescr_t,
                                                       cusparseDnVecDescr_t, const void *,
                                                       cusparseDnVecDescr_t, cudaDataType,
                                                       cusparseSpMVAlg_t, size_t *size)
{
    *size = 0;
    return CUSPARSE_STATUS_SUCCESS;
}
template <class T>
static void emu_spmv(const emu_spmat *A, T alpha, const T *x, T beta, T *y)
{
    for (int64_t r = 0; r < A->rows; r++) {
        T s = 0;
        for (int e = A->rowptr[r]; e < A->rowptr[r + 1]; e++) {
            if (A->col[e] < 0 || A->col[e] >= A->cols) {
                fprintf(stderr, "emu: cuSPARSE SpMV: row %lld has column %d of %lld\n",
                        (long long)r, A->col[e], (long long)A->cols);
                abort();
            }
            s += ((const T *)A->val)[e] * x[A->col[e]];
        }
        y[r] = alpha * s + (beta == 0 ? 0 : beta * y[r]);
    }
}
static inline cusparseStatus_t cusparseSpMV(cusparseHandle_t, cusparseOperation_t op, const void *alpha,
                                            cusparseSpMatDescr_t A, cusparseDnVecDescr_t x,
                                            const void *beta, cusparseDnVecDescr_t y,
                                            cudaDataType type, cusparseSpMVAlg_t, void *)
{
    if (op != CUSPARSE_OPERATION_NON_TRANSPOSE || x->n != A->cols || y->n != A->rows ||
        A->type != type || x->type != type || y->type != type)
        return CUSPARSE_STATUS_INVALID_VALUE;
    if (type == CUDA_R_64F)
        emu_spmv(A, *(const double *)alpha, (const double *)x->val, *(const double *)beta,
                 (double *)y->val);
    else
        emu_spmv(A, *(const float *)alpha, (const float *)x->val, *(const float *)beta,
                 (float *)y->val);
    return CUSPARSE_STATUS_SUCCESS;
}
#endif
