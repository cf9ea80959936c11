/* mlp.c: the MLP on the CPU: OpenBLAS sgemm for the layers, OpenMP loops for the rest (mlp.h). */
#include <fc_build.h>

#include "ml/mlp.h"
#include "ml/mlp_act.h"
#include "src/core/hd.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static const char *const act_names[MLP_NACT] = {"relu", "tanh", "gelu", "silu"};

const char *mlp_activation_name(int a) { return a >= 0 && a < MLP_NACT ? act_names[a] : "?"; }

int mlp_activation_find(const char *name)
{
    for (int a = 0; a < MLP_NACT; a++)
        if (!strcmp(name, act_names[a]))
            return a;
    return -1;
}

int mlp_init(mlp *m, int nlayers, const int *widths, int activation, fc_err *err)
{
    memset(m, 0, sizeof *m);
    if (nlayers < 1 || nlayers > MLP_MAX_LAYERS)
        return fc_fail(err, FC_EINPUT, "an MLP has 1 to %d layers, not %d", MLP_MAX_LAYERS, nlayers);
    if (activation < 0 || activation >= MLP_NACT)
        return fc_fail(err, FC_EINPUT, "unknown activation %d", activation);
    m->nlayers = nlayers;
    m->activation = activation;
    size_t off = 0;
    for (int l = 0; l <= nlayers; l++) {
        if (widths[l] < 1 || widths[l] > 1 << 20)
            return fc_fail(err, FC_EINPUT, "layer width %d is not in [1, %d]", widths[l], 1 << 20);
        m->n[l] = widths[l];
    }
    for (int l = 0; l < nlayers; l++) {
        m->woff[l] = off;
        off += (size_t)m->n[l + 1] * m->n[l];
        m->boff[l] = off;
        off += (size_t)m->n[l + 1];
    }
    m->nparams = off;
    if (!(m->params = calloc(off, sizeof *m->params)))
        return fc_fail(err, FC_ENOMEM, "out of memory for %zu parameters", off);
    return FC_OK;
}

void mlp_free(mlp *m)
{
    free(m->params);
    memset(m, 0, sizeof *m);
}

/* splitmix64: a seeded stream of 64-bit values. */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t x = (*s += 0x9e3779b97f4a7c15ull);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static double next_uniform(uint64_t *s) { return ((double)(next_u64(s) >> 11) + 0.5) * 0x1.0p-53; }

void mlp_randomize(mlp *m, uint64_t seed)
{
    uint64_t s = seed;
    for (int l = 0; l < m->nlayers; l++) {
        const int in = m->n[l], out = m->n[l + 1];
        float *W = m->params + m->woff[l];
        const int he = m->activation != MLP_TANH && l + 1 < m->nlayers;
        const double std = sqrt(2.0 / in), lim = sqrt(6.0 / (in + out));
        for (size_t k = 0; k < (size_t)in * out; k++) {
            if (he) { /* Box-Muller */
                const double u1 = next_uniform(&s), u2 = next_uniform(&s);
                W[k] = (float)(std * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2));
            } else
                W[k] = (float)(lim * (2 * next_uniform(&s) - 1));
        }
        memset(m->params + m->boff[l], 0, (size_t)out * sizeof(float));
    }
}

int mlp_work_init(mlp_work *w, const mlp *m, int max_batch, fc_err *err)
{
    memset(w, 0, sizeof *w);
    w->max_batch = max_batch;
    int widest = 0;
    for (int l = 0; l <= m->nlayers; l++) {
        widest = m->n[l] > widest ? m->n[l] : widest;
        if (!(w->act[l] = malloc((size_t)max_batch * m->n[l] * sizeof(float))))
            goto oom;
        if (l < m->nlayers && !(w->pre[l] = malloc((size_t)max_batch * m->n[l + 1] * sizeof(float))))
            goto oom;
    }
    for (int k = 0; k < 2; k++)
        if (!(w->delta[k] = malloc((size_t)max_batch * widest * sizeof(float))))
            goto oom;
    if (!(w->colsum = malloc((size_t)((max_batch + MLP_SUM_ROWS - 1) / MLP_SUM_ROWS) * widest *
                             sizeof(float))))
        goto oom;
    return FC_OK;
oom:
    mlp_work_free(w);
    return fc_fail(err, FC_ENOMEM, "out of memory for a batch of %d", max_batch);
}

void mlp_work_free(mlp_work *w)
{
    for (int l = 0; l <= MLP_MAX_LAYERS; l++)
        free(w->act[l]);
    for (int l = 0; l < MLP_MAX_LAYERS; l++)
        free(w->pre[l]);
    free(w->delta[0]);
    free(w->delta[1]);
    free(w->colsum);
    memset(w, 0, sizeof *w);
}

/*
 * C = op(A) op(B) through OpenBLAS sgemm, with our OpenMP threads taking blocks of C's rows and
 * OpenBLAS on one thread inside each: its own pool would contend with our threads (they wait
 * spinning between loops), which made training up to 3.5 x slower and erratic on 2 cores.
 * The blocks depend on the sizes only, never on the thread count: OpenBLAS's result for a row
 * depends on the block it is in (its kernels differ with the block's size), and training must
 * give the same bits on any number of threads (it changes them under load: ml_threads).
 * Rows of op(A) are rows of A, or columns when A is transposed.
 */
static void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int M, int N, int K, const float *A,
                 int lda, const float *B, int ldb, float *C, int ldc)
{
    static int single;
    if (!single) {
        openblas_set_num_threads(1);
        single = 1;
    }
    /* At most 16 blocks (the threads of a large machine), each of at least 32 rows and 5e5
     * multiply-adds: a block's call packs all of op(B) again, which costs more than it saves
     * on fewer rows (measured: 16 blocks of a 64-row gradient GEMM made training 7 % slower). */
    enum { GEMM_BLOCKS = 16, GEMM_MIN_ROWS = 32 };
    const double work = (double)M * N * K;
    int chunks = M / GEMM_MIN_ROWS;
    if (chunks > work / 5e5)
        chunks = (int)(work / 5e5);
    chunks = chunks < 1 ? 1 : chunks > GEMM_BLOCKS ? GEMM_BLOCKS : chunks;
#pragma omp parallel for schedule(static) if (chunks > 1)
    for (int c = 0; c < chunks; c++) {
        const int m0 = (int)((long long)M * c / chunks), m1 = (int)((long long)M * (c + 1) / chunks);
        if (m1 > m0)
            cblas_sgemm(CblasRowMajor, ta, tb, m1 - m0, N, K, 1.0f,
                        A + (ta == CblasNoTrans ? (size_t)m0 * lda : (size_t)m0), lda, B, ldb,
                        0.0f, C + (size_t)m0 * ldc, ldc);
    }
}

/*
 * Rows [r0, r1) of a layer's pre-activations z [B][out]: z + b through activation a into y, and
 * the derivative there into z (the backward pass needs nothing else of z). a is a constant where
 * this is inlined, so each activation has its own branch-free vector loop; last: the output
 * layer, linear.
 */
FC_ALWAYS_INLINE static inline void bias_activate(int a, int last, float *restrict z,
                                                    float *restrict y, const float *restrict b,
                                                    int r0, int r1, int out)
{
    for (int r = r0; r < r1; r++) {
        float *restrict zr = z + (size_t)r * out, *restrict yr = y + (size_t)r * out;
        if (last) {
            for (int j = 0; j < out; j++) {
                yr[j] = zr[j] + b[j];
                zr[j] = 1.0f;
            }
            continue;
        }
#pragma omp simd
        for (int j = 0; j < out; j++) {
            const mlp_act_value v = mlp_act(a, zr[j] + b[j]);
            yr[j] = v.f;
            zr[j] = v.df;
        }
    }
}

FC_VECTOR_CLONES static void bias_activate_rows(int a, int last, float *z, float *y,
                                                const float *b, int r0, int r1, int out)
{
    switch (a) {
    case MLP_RELU:
        bias_activate(MLP_RELU, last, z, y, b, r0, r1, out);
        break;
    case MLP_TANH:
        bias_activate(MLP_TANH, last, z, y, b, r0, r1, out);
        break;
    case MLP_GELU:
        bias_activate(MLP_GELU, last, z, y, b, r0, r1, out);
        break;
    default:
        bias_activate(MLP_SILU, last, z, y, b, r0, r1, out);
        break;
    }
}

const float *mlp_forward(const mlp *m, mlp_work *w, const float *x, int B)
{
    enum { ROWS = 32 }; /* rows per call of the cloned loop */
    memcpy(w->act[0], x, (size_t)B * m->n[0] * sizeof(float));
    for (int l = 0; l < m->nlayers; l++) {
        const int in = m->n[l], out = m->n[l + 1];
        const float *W = m->params + m->woff[l], *b = m->params + m->boff[l];
        float *z = w->pre[l], *y = w->act[l + 1];
        /* z = x W^T, then + b and the activation in one pass */
        gemm(CblasNoTrans, CblasTrans, B, out, in, w->act[l], in, W, in, z, out);
        const int last = l + 1 == m->nlayers;
#pragma omp parallel for schedule(static)
        for (int r = 0; r < B; r += ROWS)
            bias_activate_rows(m->activation, last, z, y, b, r, r + ROWS < B ? r + ROWS : B, out);
    }
    return w->act[m->nlayers];
}

/* Loss and dL/d(outputs) (into d, when not NULL) of the batch. */
static double loss_and_delta(const mlp *m, const mlp_work *w, int loss, const float *t, int B,
                             float *d)
{
    const int n = m->n[m->nlayers];
    const float *y = w->act[m->nlayers];
    double total = 0;
    if (loss == MLP_MSE) {
        const double scale = 1.0 / ((double)B * n);
#pragma omp parallel for schedule(static) reduction(+ : total)
        for (int r = 0; r < B; r++)
            for (int j = 0; j < n; j++) {
                const size_t k = (size_t)r * n + j;
                total += mlp_mse_element(y[k], t[k], scale, d ? &d[k] : NULL);
            }
        return total * scale;
    }
#pragma omp parallel for schedule(static) reduction(+ : total)
    for (int r = 0; r < B; r++)
        total += mlp_cross_entropy_row(y + (size_t)r * n, n, mlp_label(t[r], n), B, d ? d + (size_t)r * n : NULL);
    return total / B;
}

double mlp_loss(const mlp *m, const mlp_work *w, int loss, const float *targets, int B)
{
    return loss_and_delta(m, w, loss, targets, B, NULL);
}

/*
 * db[j] = sum over r of d[r][j], d [B][out]: a partial sum over each block of MLP_SUM_ROWS rows,
 * read along the rows (summing down a column touches a new cache line per element: at
 * 65536 x 512, up to 2 GB of traffic per layer), then the blocks' sums in order. The blocks
 * depend on B alone, so the bits do not depend on the thread count. partial: [blocks][out].
 */
static void column_sums(const float *d, int B, int out, float *partial, float *db)
{
    const int blocks = (B + MLP_SUM_ROWS - 1) / MLP_SUM_ROWS;
#pragma omp parallel for schedule(static)
    for (int k = 0; k < blocks; k++) {
        float *restrict acc = partial + (size_t)k * out;
        const int r1 = (k + 1) * MLP_SUM_ROWS < B ? (k + 1) * MLP_SUM_ROWS : B;
        memcpy(acc, d + (size_t)k * MLP_SUM_ROWS * out, (size_t)out * sizeof(float));
        for (int r = k * MLP_SUM_ROWS + 1; r < r1; r++) {
            const float *restrict dr = d + (size_t)r * out;
#pragma omp simd
            for (int j = 0; j < out; j++)
                acc[j] += dr[j];
        }
    }
    memcpy(db, partial, (size_t)out * sizeof(float));
    for (int k = 1; k < blocks; k++) {
        const float *restrict pk = partial + (size_t)k * out;
#pragma omp simd
        for (int j = 0; j < out; j++)
            db[j] += pk[j];
    }
}

/* Every parameter's gradient into grad from the outputs' gradient in w->delta[0] [B][nout]. */
static void backprop(const mlp *m, mlp_work *w, int B, float *grad)
{
    float *d = w->delta[0], *dprev = w->delta[1];
    for (int l = m->nlayers - 1; l >= 0; l--) {
        const int in = m->n[l], out = m->n[l + 1];
        if (l + 1 < m->nlayers) { /* through the activation: f'(z) from the forward pass */
            const float *df = w->pre[l];
#pragma omp parallel for schedule(static)
            for (long long k = 0; k < (long long)B * out; k++)
                d[k] *= df[k];
        }
        /* dW = d^T x, db = column sums of d, d_prev = d W */
        gemm(CblasTrans, CblasNoTrans, out, in, B, d, out, w->act[l], in, grad + m->woff[l], in);
        column_sums(d, B, out, w->colsum, grad + m->boff[l]);
        if (l > 0) {
            gemm(CblasNoTrans, CblasNoTrans, B, in, out, d, out, m->params + m->woff[l], in,
                 dprev, in);
            float *t = d;
            d = dprev;
            dprev = t;
        }
    }
}

double mlp_backward(const mlp *m, mlp_work *w, int loss, const float *targets, int B, float *grad)
{
    const double L = loss_and_delta(m, w, loss, targets, B, w->delta[0]);
    backprop(m, w, B, grad);
    return L;
}

void mlp_backward_outputs(const mlp *m, mlp_work *w, const float *dout, int B, float *grad)
{
    memcpy(w->delta[0], dout, (size_t)B * m->n[m->nlayers] * sizeof(float));
    backprop(m, w, B, grad);
}

int mlp_optim_init(mlp_optim *o, const mlp *m, int kind, double lr, fc_err *err)
{
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->lr = lr;
    o->momentum = 0.9;
    o->beta1 = 0.9;
    o->beta2 = 0.999;
    o->eps = 1e-8;
    o->weight_decay = 0.01;
    o->m1 = calloc(m->nparams, sizeof *o->m1);
    o->m2 = kind == MLP_ADAMW ? calloc(m->nparams, sizeof *o->m2) : NULL;
    if (!o->m1 || (kind == MLP_ADAMW && !o->m2)) {
        mlp_optim_free(o);
        return fc_fail(err, FC_ENOMEM, "out of memory for the optimiser");
    }
    return FC_OK;
}

void mlp_optim_free(mlp_optim *o)
{
    free(o->m1);
    free(o->m2);
    o->m1 = o->m2 = NULL;
}

void mlp_optim_step(mlp_optim *o, mlp *m, const float *grad, double lr)
{
    o->t++;
    float *p = m->params;
    if (o->kind == MLP_SGD) {
        const float mu = (float)o->momentum, a = (float)lr;
#pragma omp parallel for schedule(static)
        for (long long k = 0; k < (long long)m->nparams; k++)
            mlp_sgd_update(&p[k], grad[k], &o->m1[k], mu, a);
        return;
    }
    /* AdamW (Loshchilov & Hutter 2019): decay on the weights, not on the biases. */
    const float b1 = (float)o->beta1, b2 = (float)o->beta2, eps = (float)o->eps;
    const float c1 = (float)(1 / (1 - pow(o->beta1, (double)o->t)));
    const float c2 = (float)(1 / (1 - pow(o->beta2, (double)o->t)));
    const float a = (float)lr, decay = (float)(lr * o->weight_decay);
    for (int l = 0; l < m->nlayers; l++) {
        const size_t lo = m->woff[l], nw = (size_t)m->n[l] * m->n[l + 1];
        const size_t hi = m->boff[l] + (size_t)m->n[l + 1];
#pragma omp parallel for schedule(static)
        for (long long k = (long long)lo; k < (long long)hi; k++)
            mlp_adamw_update(&p[k], grad[k], &o->m1[k], &o->m2[k], b1, b2, c1, c2, a, eps,
                             (size_t)k < lo + nw ? decay : 0);
    }
}

double mlp_schedule_lr(int schedule, double lr, int e, int epochs)
{
    if (schedule == MLP_CONSTANT || epochs <= 1)
        return lr;
    const double lo = lr / 100, f = (double)e / (epochs - 1);
    return lo + 0.5 * (lr - lo) * (1 + cos(M_PI * f));
}

void mlp_shuffle(size_t *idx, size_t n, uint64_t seed)
{
    uint64_t s = seed;
    for (size_t k = 0; k < n; k++)
        idx[k] = k;
    for (size_t k = n; k > 1; k--) {
        const size_t j = (size_t)(next_u64(&s) % k);
        const size_t t = idx[k - 1];
        idx[k - 1] = idx[j];
        idx[j] = t;
    }
}
