/* mlp_nocuda.c: mlp_gpu.h in a build without CUDA: no device to train on. */
#include <fc_build.h>

#include "ml/mlp_gpu.h"

int mlp_gpu_load_blas(fc_err *err)
{
    return fc_fail(err, FC_ENODEV, "no cuBLAS: this flowcast was built without CUDA");
}

int mlp_gpu_create(const mlp *m, const mlp_optim *o, int max_batch, int tf32, mlp_gpu **g,
                   fc_err *err)
{
    (void)m;
    (void)o;
    (void)max_batch;
    (void)tf32;
    *g = NULL;
    return fc_fail(err, FC_ENODEV, "no GPU for training: this flowcast was built without CUDA");
}

int mlp_gpu_train_step(mlp_gpu *g, const float *x, const float *t, int B, int loss, double lr,
                       fc_err *err)
{
    (void)g, (void)x, (void)t, (void)B, (void)loss, (void)lr;
    return fc_fail(err, FC_ENODEV, "built without CUDA");
}

int mlp_gpu_train_outputs(mlp_gpu *g, const float *dout, int B, double lr, fc_err *err)
{
    (void)g, (void)dout, (void)B, (void)lr;
    return fc_fail(err, FC_ENODEV, "built without CUDA");
}

int mlp_gpu_loss_sum(mlp_gpu *g, double *sum, fc_err *err)
{
    (void)g, (void)sum;
    return fc_fail(err, FC_ENODEV, "built without CUDA");
}

int mlp_gpu_loss(mlp_gpu *g, const float *x, const float *t, int B, int loss, double *loss_value,
                 float *y, fc_err *err)
{
    (void)g, (void)x, (void)t, (void)B, (void)loss, (void)loss_value, (void)y;
    return fc_fail(err, FC_ENODEV, "built without CUDA");
}

int mlp_gpu_forward(mlp_gpu *g, const float *x, int B, float *y, fc_err *err)
{
    (void)g, (void)x, (void)B, (void)y;
    return fc_fail(err, FC_ENODEV, "built without CUDA");
}

int mlp_gpu_gradient(mlp_gpu *g, const float *x, const float *t, int B, int loss, float *grad,
                     fc_err *err)
{
    (void)g, (void)x, (void)t, (void)B, (void)loss, (void)grad;
    return fc_fail(err, FC_ENODEV, "built without CUDA");
}

int mlp_gpu_download(mlp_gpu *g, mlp *m, mlp_optim *o, fc_err *err)
{
    (void)g, (void)m, (void)o;
    return fc_fail(err, FC_ENODEV, "built without CUDA");
}

void mlp_gpu_destroy(mlp_gpu *g) { (void)g; }
