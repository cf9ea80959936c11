/*
 * mlp_cuda.cu: the MLP's training step on the GPU (see mlp_gpu.h): cuBLAS for the layers, the
 * activations, losses and optimiser updates of mlp_act.h in fused kernels.
 *
 * Layout: the host's row-major [B][n] arrays are, to column-major cuBLAS, their transposes, so
 * z = x W^T is computed as z^T = W x^T: gemm(T, N) of W (stored in x n) and x (n x B);
 * dW^T = x^T d: gemm(N, T); dx^T = W^T d^T: gemm(N, N); db = d^T 1: gemv.
 * Reductions (the loss) are per-block sums in a fixed order, then one block.
 *
 * A training step does not wait for the device: its batch is copied into one of two pinned
 * staging buffers and sent with an asynchronous copy (the host fills the other while the device
 * works), and its loss is added to a sum on the device that mlp_gpu_loss_sum reads once per
 * epoch. Everything runs in order on the default stream, cuBLAS included.
 *
 * cuBLAS is not linked but loaded (dlopen) when the first GPU model is made: linked, its
 * libraries would sit in every flowcast process, CPU runs and each process of an MPI job
 * included, and cuBLASLt alone writes about 84 MB of its static data at load.
 */
#include <fc_build.h>

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>

#include <cublas_v2.h>

#include "src/core/backend.h"
#include "src/core/cuda_util.h"
#include "ml/mlp_act.h"
#include "ml/mlp_gpu.h"

#define MLP_BLOCK 256

/* The cuBLAS functions called here, with the header's own types (cublas_v2.h maps the
 * unversioned names onto the _v2 symbols), found in the library at the first use. */
static struct {
    decltype(&cublasCreate_v2) create;
    decltype(&cublasDestroy_v2) destroy;
    decltype(&cublasSetMathMode) set_math_mode;
    decltype(&cublasSgemm_v2) sgemm;
    decltype(&cublasSgemv_v2) sgemv;
} blas;

#define FC_STR_(x) #x
#define FC_STR(x) FC_STR_(x)
static const char blas_library[] = "libcublas.so." FC_STR(CUBLAS_VER_MAJOR);

extern "C" int mlp_gpu_load_blas(fc_err *err)
{
    if (blas.sgemv)
        return FC_OK;
    void *lib = dlopen(blas_library, RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return fc_fail(err, FC_ENODEV, "cannot load cuBLAS (%s), which GPU training needs: %s",
                       blas_library, dlerror());
    const struct {
        const char *name;
        void **slot;
    } want[] = {{"cublasCreate_v2", (void **)&blas.create},
                {"cublasDestroy_v2", (void **)&blas.destroy},
                {"cublasSetMathMode", (void **)&blas.set_math_mode},
                {"cublasSgemm_v2", (void **)&blas.sgemm},
                {"cublasSgemv_v2", (void **)&blas.sgemv}};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
        if (!(*want[k].slot = dlsym(lib, want[k].name))) {
            blas.sgemv = NULL; /* the last one marks the table complete */
            return fc_fail(err, FC_ENODEV, "%s has no function %s", blas_library, want[k].name);
        }
    return FC_OK; /* the library stays loaded for the process's life */
}

#define FC_CUBLAS_TRY(call)                                                                      \
    do {                                                                                         \
        cublasStatus_t fc_cb_e_ = (call);                                                        \
        if (fc_cb_e_ != CUBLAS_STATUS_SUCCESS)                                                   \
            return fc_fail(err, FC_EDEVICE, "cuBLAS error %d at %s:%d (%s)", (int)fc_cb_e_,      \
                           __FILE__, __LINE__, #call);                                           \
    } while (0)

struct mlp_gpu {
    mlp shape;   /* widths and offsets; shape.params is NULL */
    mlp_optim opt; /* settings and step count; opt.m1, m2 are NULL */
    int max_batch, nout_t;
    float *params, *grad, *m1, *m2;       /* [nparams] */
    float *act[MLP_MAX_LAYERS + 1], *pre[MLP_MAX_LAYERS], *delta[2], *targets, *ones;
    double *partial, *total; /* the last batch's loss: block sums, then their sum */
    double *loss_sum;        /* sum over train steps of loss x rows, since mlp_gpu_loss_sum */
    float *staging[2];       /* pinned host copies of a batch's inputs and targets */
    cudaEvent_t sent[2];     /* recorded after staging[k]'s upload: k may be refilled */
    int have_event[2], next; /* next: the staging buffer the next batch goes through */
    cublasHandle_t h;
    int have_handle;
};

__global__ static void mlp_bias_act_kernel(float *z, const float *b, long long n, int out,
                                           int activation, int last, float *y)
{
    const long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= n)
        return;
    const float zk = z[k] + b[k % out];
    const mlp_act_value v = mlp_act(activation, zk);
    y[k] = last ? zk : v.f;
    z[k] = last ? 1.0f : v.df;
}

__global__ static void mlp_mul_kernel(float *d, const float *df, long long n)
{
    const long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (k < n)
        d[k] *= df[k];
}

/* Block sums of v into partial[blockIdx.x], in a fixed order. */
__device__ static void mlp_block_sum(double v, double *partial)
{
    __shared__ double buf[MLP_BLOCK];
    buf[threadIdx.x] = v;
    __syncthreads();
    for (int half = MLP_BLOCK / 2; half > 0; half /= 2) {
        if ((int)threadIdx.x < half)
            buf[threadIdx.x] += buf[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0)
        partial[blockIdx.x] = buf[0];
}

__global__ static void mlp_sum_kernel(const double *partial, int n, double *total)
{
    double s = 0;
    for (int k = threadIdx.x; k < n; k += MLP_BLOCK)
        s += partial[k];
    mlp_block_sum(s, total);
}

/* *sum += *total x w: a train step's loss, weighted by its rows, into the epoch's sum. */
__global__ static void mlp_accumulate_kernel(const double *total, double w, double *sum)
{
    *sum += *total * w;
}

/* MSE: (y - t)^2 summed, and d = 2 (y - t) scale. */
__global__ static void mlp_mse_kernel(const float *y, const float *t, long long n, double scale,
                                      float *d, double *partial)
{
    const long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    double e2 = 0;
    if (k < n)
        e2 = mlp_mse_element(y[k], t[k], scale, d ? &d[k] : NULL);
    mlp_block_sum(e2, partial);
}

/* Softmax cross-entropy, a row per thread: -log p[label] summed, d = (p - onehot) / B. */
__global__ static void mlp_ce_kernel(const float *y, const float *t, int B, int n, float *d,
                                     double *partial)
{
    const int r = blockIdx.x * blockDim.x + threadIdx.x;
    double l = 0;
    if (r < B)
        l = mlp_cross_entropy_row(y + (size_t)r * n, n, mlp_label(t[r], n), B, d ? d + (size_t)r * n : NULL);
    mlp_block_sum(l, partial);
}

__global__ static void mlp_sgd_kernel(float *p, const float *g, float *v, long long n, float mu,
                                      float lr)
{
    const long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (k < n)
        mlp_sgd_update(&p[k], g[k], &v[k], mu, lr);
}

__global__ static void mlp_adamw_kernel(float *p, const float *g, float *m1, float *m2, long long n,
                                        float b1, float b2, float c1, float c2, float lr, float eps,
                                        float decay)
{
    const long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (k < n)
        mlp_adamw_update(&p[k], g[k], &m1[k], &m2[k], b1, b2, c1, c2, lr, eps, decay);
}

static unsigned blocks(long long n) { return fc_blocks(n, MLP_BLOCK); }

extern "C" void mlp_gpu_destroy(mlp_gpu *g)
{
    if (!g)
        return;
    fc_dev_free(g->params);
    fc_dev_free(g->grad);
    fc_dev_free(g->m1);
    fc_dev_free(g->m2);
    for (int l = 0; l <= MLP_MAX_LAYERS; l++)
        fc_dev_free(g->act[l]);
    for (int l = 0; l < MLP_MAX_LAYERS; l++)
        fc_dev_free(g->pre[l]);
    fc_dev_free(g->delta[0]);
    fc_dev_free(g->delta[1]);
    fc_dev_free(g->targets);
    fc_dev_free(g->ones);
    fc_dev_free(g->partial);
    fc_dev_free(g->total);
    fc_dev_free(g->loss_sum);
    for (int k = 0; k < 2; k++) {
        if (g->have_event[k])
            cudaEventDestroy(g->sent[k]);
        if (g->staging[k])
            cudaFreeHost(g->staging[k]);
    }
    if (g->have_handle)
        blas.destroy(g->h);
    free(g);
}

extern "C" int mlp_gpu_create(const mlp *m, const mlp_optim *o, int max_batch, int tf32,
                              mlp_gpu **out, fc_err *err)
{
    char why[256];
    if (fc_gpu_count(why, sizeof why) == 0)
        return fc_fail(err, FC_ENODEV, "no GPU for training: %s", why);
    mlp_gpu *g = (mlp_gpu *)calloc(1, sizeof *g);
    if (!g)
        return fc_fail(err, FC_ENOMEM, "out of host memory");
    g->shape = *m;
    g->shape.params = NULL;
    g->opt = *o;
    g->opt.m1 = g->opt.m2 = NULL;
    g->max_batch = max_batch;
    const int L = m->nlayers, nout = m->n[L];
    int widest = 0;
    for (int l = 0; l <= L; l++)
        widest = m->n[l] > widest ? m->n[l] : widest;
    const size_t P = m->nparams * sizeof(float), Bs = (size_t)max_batch;
    int st;
    if ((st = fc_dev_alloc((void **)&g->params, P, err)) ||
        (st = fc_dev_alloc((void **)&g->grad, P, err)) ||
        (st = fc_dev_alloc((void **)&g->m1, P, err)) ||
        (o->m2 && (st = fc_dev_alloc((void **)&g->m2, P, err))) ||
        (st = fc_dev_alloc((void **)&g->delta[0], Bs * widest * sizeof(float), err)) ||
        (st = fc_dev_alloc((void **)&g->delta[1], Bs * widest * sizeof(float), err)) ||
        (st = fc_dev_alloc((void **)&g->targets, Bs * nout * sizeof(float), err)) ||
        (st = fc_dev_alloc((void **)&g->ones, Bs * sizeof(float), err)) ||
        (st = fc_dev_alloc((void **)&g->partial, (blocks((long long)Bs * nout) + 1) * sizeof(double), err)) ||
        (st = fc_dev_alloc((void **)&g->total, sizeof(double), err)) ||
        (st = fc_dev_alloc((void **)&g->loss_sum, sizeof(double), err))) {
        mlp_gpu_destroy(g);
        return st;
    }
    /* A batch's inputs and targets (at most nout floats per row) per staging buffer. */
    const size_t staged = Bs * (size_t)(m->n[0] + nout) * sizeof(float);
    for (int k = 0; k < 2 && !st; k++) {
        if (cudaHostAlloc((void **)&g->staging[k], staged, cudaHostAllocDefault) != cudaSuccess) {
            g->staging[k] = NULL;
            st = fc_fail(err, FC_ENOMEM, "cannot pin %zu bytes of host memory for batches", staged);
        } else if (cudaEventCreateWithFlags(&g->sent[k], cudaEventDisableTiming) != cudaSuccess)
            st = fc_fail(err, FC_EDEVICE, "cannot create a CUDA event");
        else
            g->have_event[k] = 1;
    }
    if (!st && cudaMemset(g->loss_sum, 0, sizeof(double)) != cudaSuccess)
        st = fc_fail(err, FC_EDEVICE, "cannot clear the loss sum on the device");
    if (st) {
        mlp_gpu_destroy(g);
        return st;
    }
    for (int l = 0; l <= L && !st; l++) {
        st = fc_dev_alloc((void **)&g->act[l], Bs * m->n[l] * sizeof(float), err);
        if (!st && l < L)
            st = fc_dev_alloc((void **)&g->pre[l], Bs * m->n[l + 1] * sizeof(float), err);
    }
    float *ones = (float *)malloc(Bs * sizeof(float));
    if (!st && !ones)
        st = fc_fail(err, FC_ENOMEM, "out of host memory");
    for (size_t k = 0; ones && k < Bs; k++)
        ones[k] = 1;
    if (!st && !(st = fc_dev_upload(g->ones, ones, Bs * sizeof(float), err)) &&
        !(st = fc_dev_upload(g->params, m->params, P, err)) &&
        !(st = fc_dev_upload(g->m1, o->m1, P, err)) && o->m2)
        st = fc_dev_upload(g->m2, o->m2, P, err);
    free(ones);
    if (!st && !(st = mlp_gpu_load_blas(err)) && blas.create(&g->h) != CUBLAS_STATUS_SUCCESS)
        st = fc_fail(err, FC_EDEVICE, "cannot create a cuBLAS handle");
    else if (!st) {
        g->have_handle = 1;
        /* Without TF32, cuBLAS's default math: float32 products and sums (no tensor cores for
         * float32), free to pick its fastest algorithms; pedantic math would forbid those and
         * only pays for studies of bitwise reproducibility. */
        if (blas.set_math_mode(g->h, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH) !=
            CUBLAS_STATUS_SUCCESS)
            st = fc_fail(err, FC_EDEVICE, "cannot set cuBLAS's math mode");
    }
    if (st) {
        mlp_gpu_destroy(g);
        return st;
    }
    *out = g;
    return FC_OK;
}

/* The forward pass of the batch in g->act[0]: the outputs into g->act[L], f'(z) into g->pre. */
static int forward(mlp_gpu *g, int B, fc_err *err)
{
    const mlp *m = &g->shape;
    const int L = m->nlayers;
    const float one = 1, zero = 0;
    for (int l = 0; l < L; l++) {
        const int in = m->n[l], out = m->n[l + 1];
        FC_CUBLAS_TRY(blas.sgemm(g->h, CUBLAS_OP_T, CUBLAS_OP_N, out, B, in, &one,
                                  g->params + m->woff[l], in, g->act[l], in, &zero, g->pre[l], out));
        const long long n = (long long)B * out;
        mlp_bias_act_kernel<<<blocks(n), MLP_BLOCK>>>(g->pre[l], g->params + m->boff[l], n, out,
                                                      m->activation, l + 1 == L, g->act[l + 1]);
        FC_CUDA_TRY(cudaGetLastError());
    }
    return FC_OK;
}

/*
 * Inputs x [nx] to g->act[0] and, when given, targets t [nt] to g->targets, through the next
 * pinned staging buffer and one asynchronous copy each: the host returns before they arrive.
 * The buffer's previous upload (two batches ago) is waited for before it is refilled.
 */
static int send_batch(mlp_gpu *g, const float *x, size_t nx, const float *t, size_t nt,
                      fc_err *err)
{
    const int k = g->next;
    g->next = 1 - k;
    float *buf = g->staging[k];
    FC_CUDA_TRY(cudaEventSynchronize(g->sent[k]));
    memcpy(buf, x, nx * sizeof(float));
    FC_CUDA_TRY(cudaMemcpyAsync(g->act[0], buf, nx * sizeof(float), cudaMemcpyHostToDevice, 0));
    if (t) {
        memcpy(buf + nx, t, nt * sizeof(float));
        FC_CUDA_TRY(cudaMemcpyAsync(g->targets, buf + nx, nt * sizeof(float),
                                    cudaMemcpyHostToDevice, 0));
    }
    FC_CUDA_TRY(cudaEventRecord(g->sent[k], 0));
    return FC_OK;
}

/* The gradient into g->grad of the last forward pass's B rows, from the gradient of the loss
 * with respect to its outputs in g->delta[0] (delta[1] the other layers' scratch). */
static int backpropagate(mlp_gpu *g, int B, fc_err *err)
{
    const mlp *m = &g->shape;
    const float one = 1, zero = 0;
    float *d = g->delta[0], *dprev = g->delta[1];
    for (int l = m->nlayers - 1; l >= 0; l--) {
        const int in = m->n[l], out = m->n[l + 1];
        if (l + 1 < m->nlayers) {
            mlp_mul_kernel<<<blocks((long long)B * out), MLP_BLOCK>>>(d, g->pre[l], (long long)B * out);
            FC_CUDA_TRY(cudaGetLastError());
        }
        FC_CUBLAS_TRY(blas.sgemm(g->h, CUBLAS_OP_N, CUBLAS_OP_T, in, out, B, &one, g->act[l], in,
                                  d, out, &zero, g->grad + m->woff[l], in));
        FC_CUBLAS_TRY(blas.sgemv(g->h, CUBLAS_OP_N, out, B, &one, d, out, g->ones, 1, &zero,
                                  g->grad + m->boff[l], 1));
        if (l > 0) {
            FC_CUBLAS_TRY(blas.sgemm(g->h, CUBLAS_OP_N, CUBLAS_OP_N, in, B, out, &one,
                                      g->params + m->woff[l], in, d, out, &zero, dprev, in));
            float *tmp = d;
            d = dprev;
            dprev = tmp;
        }
    }
    return FC_OK;
}

/* The optimiser's step at rate lr with the gradient in g->grad. */
static int optimise(mlp_gpu *g, double lr, fc_err *err)
{
    mlp_optim *o = &g->opt;
    const mlp *m = &g->shape;
    o->t++;
    if (o->kind == MLP_SGD) {
        mlp_sgd_kernel<<<blocks((long long)m->nparams), MLP_BLOCK>>>(
            g->params, g->grad, g->m1, (long long)m->nparams, (float)o->momentum, (float)lr);
        FC_CUDA_TRY(cudaGetLastError());
        return FC_OK;
    }
    const float c1 = (float)(1 / (1 - pow(o->beta1, (double)o->t)));
    const float c2 = (float)(1 / (1 - pow(o->beta2, (double)o->t)));
    for (int l = 0; l < m->nlayers; l++) { /* weights decay, biases do not */
        const long long nw = (long long)m->n[l] * m->n[l + 1], nbias = m->n[l + 1];
        const size_t offs[2] = {m->woff[l], m->boff[l]};
        const long long counts[2] = {nw, nbias};
        for (int part = 0; part < 2; part++) {
            const size_t k0 = offs[part];
            mlp_adamw_kernel<<<blocks(counts[part]), MLP_BLOCK>>>(
                g->params + k0, g->grad + k0, g->m1 + k0, g->m2 + k0, counts[part],
                (float)o->beta1, (float)o->beta2, c1, c2, (float)lr, (float)o->eps,
                part == 0 ? (float)(lr * o->weight_decay) : 0.0f);
            FC_CUDA_TRY(cudaGetLastError());
        }
    }
    return FC_OK;
}

/* The forward pass of batch x, the loss against t into g->total (and into *value when value is
 * not NULL, which waits for the device) and, with backward, the gradient into g->grad. */
static int forward_backward(mlp_gpu *g, const float *x, const float *t, int B, int loss,
                            int backward, double *value, fc_err *err)
{
    const mlp *m = &g->shape;
    const int L = m->nlayers, nout = m->n[L];
    if (B < 1 || B > g->max_batch)
        return fc_fail(err, FC_EINPUT, "a batch of %d rows; the GPU model holds up to %d", B,
                       g->max_batch);
    /* Class labels checked here, on the host: the kernel would index the logits with them. */
    for (int r = 0; loss != MLP_MSE && r < B; r++)
        if (mlp_label(t[r], nout) < 0)
            return fc_fail(err, FC_EINPUT, "cross-entropy target %d is %g: a class from 0 to %d "
                           "is expected", r, (double)t[r], nout - 1);
    int st;
    if ((st = send_batch(g, x, (size_t)B * m->n[0], t, (size_t)B * (loss == MLP_MSE ? nout : 1), err)) ||
        (st = forward(g, B, err)))
        return st;
    float *d = backward ? g->delta[0] : NULL;
    unsigned nb;
    if (loss == MLP_MSE) {
        const long long n = (long long)B * nout;
        nb = blocks(n);
        mlp_mse_kernel<<<nb, MLP_BLOCK>>>(g->act[L], g->targets, n, 1.0 / ((double)B * nout), d,
                                          g->partial);
    } else {
        nb = blocks(B);
        mlp_ce_kernel<<<nb, MLP_BLOCK>>>(g->act[L], g->targets, B, nout, d, g->partial);
    }
    FC_CUDA_TRY(cudaGetLastError());
    mlp_sum_kernel<<<1, MLP_BLOCK>>>(g->partial, (int)nb, g->total);
    FC_CUDA_TRY(cudaGetLastError());
    if (backward && (st = backpropagate(g, B, err)))
        return st;
    if (value) { /* waits for the device */
        double total;
        FC_CUDA_TRY(cudaMemcpy(&total, g->total, sizeof total, cudaMemcpyDeviceToHost));
        *value = loss == MLP_MSE ? total / ((double)B * nout) : total / B;
    }
    return FC_OK;
}

extern "C" int mlp_gpu_train_step(mlp_gpu *g, const float *x, const float *t, int B, int loss,
                                  double lr, fc_err *err)
{
    int st = forward_backward(g, x, t, B, loss, 1, NULL, err);
    if (st)
        return st;
    /* g->total is the loss summed over elements: the batch's mean loss times B is that over
     * the outputs per row (MSE) or that itself (cross-entropy). */
    mlp_accumulate_kernel<<<1, 1>>>(g->total, loss == MLP_MSE ? 1.0 / g->shape.n[g->shape.nlayers] : 1.0,
                                    g->loss_sum);
    FC_CUDA_TRY(cudaGetLastError());
    return optimise(g, lr, err);
}

extern "C" int mlp_gpu_train_outputs(mlp_gpu *g, const float *dout, int B, double lr,
                                     fc_err *err)
{
    const mlp *m = &g->shape;
    if (B < 1 || B > g->max_batch)
        return fc_fail(err, FC_EINPUT, "a batch of %d rows; the GPU model holds up to %d", B,
                       g->max_batch);
    int st = fc_dev_upload(g->delta[0], dout, (size_t)B * m->n[m->nlayers] * sizeof(float), err);
    if (!st)
        st = backpropagate(g, B, err);
    return st ? st : optimise(g, lr, err);
}

extern "C" int mlp_gpu_loss_sum(mlp_gpu *g, double *sum, fc_err *err)
{
    FC_CUDA_TRY(cudaMemcpy(sum, g->loss_sum, sizeof *sum, cudaMemcpyDeviceToHost));
    FC_CUDA_TRY(cudaMemset(g->loss_sum, 0, sizeof(double)));
    return FC_OK;
}

extern "C" int mlp_gpu_loss(mlp_gpu *g, const float *x, const float *t, int B, int loss,
                            double *loss_value, float *y, fc_err *err)
{
    int st = forward_backward(g, x, t, B, loss, 0, loss_value, err);
    if (!st && y)
        st = fc_dev_download(y, g->act[g->shape.nlayers],
                             (size_t)B * g->shape.n[g->shape.nlayers] * sizeof(float), err);
    return st;
}

extern "C" int mlp_gpu_forward(mlp_gpu *g, const float *x, int B, float *y, fc_err *err)
{
    const mlp *m = &g->shape;
    if (B < 1 || B > g->max_batch)
        return fc_fail(err, FC_EINPUT, "a batch of %d rows; the GPU model holds up to %d", B,
                       g->max_batch);
    int st = send_batch(g, x, (size_t)B * m->n[0], NULL, 0, err);
    if (!st)
        st = forward(g, B, err);
    if (!st)
        st = fc_dev_download(y, g->act[m->nlayers], (size_t)B * m->n[m->nlayers] * sizeof(float),
                             err);
    return st;
}

extern "C" int mlp_gpu_gradient(mlp_gpu *g, const float *x, const float *t, int B, int loss,
                                float *grad, fc_err *err)
{
    double value;
    int st = forward_backward(g, x, t, B, loss, 1, &value, err);
    return st ? st : fc_dev_download(grad, g->grad, g->shape.nparams * sizeof(float), err);
}

extern "C" int mlp_gpu_download(mlp_gpu *g, mlp *m, mlp_optim *o, fc_err *err)
{
    const size_t P = g->shape.nparams * sizeof(float);
    int st = fc_dev_download(m->params, g->params, P, err);
    if (!st && o) {
        o->t = g->opt.t;
        st = fc_dev_download(o->m1, g->m1, P, err);
        if (!st && o->m2)
            st = fc_dev_download(o->m2, g->m2, P, err);
    }
    return st;
}
