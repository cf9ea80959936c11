/*
 * test_mlp.c: the MLP library on the CPU: gradients against finite differences for every
 * activation and loss, the optimisers' steps against their formulas, seeded initialisation and
 * shuffling, and training that drives the loss on known functions below stated bounds.
 */
#include <fc_build.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ml/mlp.h"
#include "ml/mlp_act.h"
#include "ml/mlp_gpu.h"
#include "tests/suites.h"

static uint64_t rng = 12345;
static double uniform(void) /* in [-1, 1) */
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng >> 11) * 0x1.0p-52 - 1;
}

/* Loss at params p (copied in) for batch x, t; where the hidden pre-activations are positive
 * goes to sign (ReLU's kink; w->pre holds f'(z), which for ReLU is 1 there and 0 elsewhere). */
static double loss_at(mlp *m, mlp_work *w, const float *p, int loss, const float *x,
                      const float *t, int B, char *sign)
{
    memcpy(m->params, p, m->nparams * sizeof(float));
    mlp_forward(m, w, x, B);
    for (int l = 0, o = 0; l + 1 < m->nlayers; l++)
        for (int k = 0; k < B * m->n[l + 1]; k++)
            sign[o++] = w->pre[l][k] > 0;
    return mlp_loss(m, w, loss, t, B);
}

/*
 * The backward pass against central differences along random directions v (one number per
 * direction, so float32 round-off averages out): (L(p + h v) - L(p - h v)) / 2h vs grad . v,
 * to 1 % (float32 round-off over the step); a wrong term is O(1) off. A direction whose step
 * moves a pre-activation across ReLU's kink is not a test of the derivative: it is drawn again.
 */
static void check_gradient(int activation, int loss)
{
    const int widths[] = {4, 7, 6, 3}, B = 5;
    mlp m;
    mlp_work w;
    fc_err err;
    ck_assert_int_eq(mlp_init(&m, 3, widths, activation, &err), FC_OK);
    ck_assert_int_eq(mlp_work_init(&w, &m, B, &err), FC_OK);
    mlp_randomize(&m, 7);
    float x[5 * 4], t[5 * 3];
    for (int k = 0; k < B * 4; k++)
        x[k] = (float)uniform();
    for (int k = 0; k < B * 3; k++)
        t[k] = loss == MLP_MSE ? (float)uniform() : (float)(k % 3);
    float *p0 = malloc(m.nparams * sizeof *p0), *g = malloc(m.nparams * sizeof *g);
    float *p = malloc(m.nparams * sizeof *p);
    double *v = malloc(m.nparams * sizeof *v);
    char s0[5 * 13], sp[5 * 13], sm[5 * 13];
    memcpy(p0, m.params, m.nparams * sizeof *p0);
    loss_at(&m, &w, p0, loss, x, t, B, s0);
    mlp_backward(&m, &w, loss, t, B, g);
    if (loss == MLP_MSE) {
        /* From the outputs' gradient, as a loss of several rows' outputs gives it: the MSE's
         * own, 2 (y - t) / (B n), gives the same parameter gradient. */
        float dout[5 * 3], *g2 = malloc(m.nparams * sizeof *g2);
        const float *y = w.act[m.nlayers];
        for (int k = 0; k < B * 3; k++)
            dout[k] = 2 * (y[k] - t[k]) / (float)(B * 3);
        mlp_backward_outputs(&m, &w, dout, B, g2);
        for (size_t k = 0; k < m.nparams; k++)
            ck_assert_msg(fabsf(g2[k] - g[k]) <= 1e-6f * (1 + fabsf(g[k])),
                          "%s: parameter %zu: gradient %.8g from the outputs' gradient, %.8g from "
                          "the loss", mlp_activation_name(activation), k, g2[k], g[k]);
        free(g2);
    }
    int tested = 0;
    for (int dir = 0; dir < 100 && tested < 6; dir++) {
        double gv = 0, norm = 0;
        for (size_t k = 0; k < m.nparams; k++) {
            v[k] = uniform();
            gv += g[k] * v[k];
            norm += v[k] * v[k];
        }
        const double h = 3e-2 / sqrt(norm);
        for (size_t k = 0; k < m.nparams; k++)
            p[k] = (float)(p0[k] + h * v[k]);
        const double lp = loss_at(&m, &w, p, loss, x, t, B, sp);
        for (size_t k = 0; k < m.nparams; k++)
            p[k] = (float)(p0[k] - h * v[k]);
        const double lm = loss_at(&m, &w, p, loss, x, t, B, sm);
        if (activation == MLP_RELU && (memcmp(s0, sp, sizeof s0) || memcmp(s0, sm, sizeof s0)))
            continue;
        tested++;
        const double fd = (lp - lm) / (2 * h);
        ck_assert_msg(fabs(fd - gv) <= 1e-2 * fabs(gv) + 1e-5,
                      "%s, %s: finite difference %.6g, backward %.6g", mlp_activation_name(activation),
                      loss == MLP_MSE ? "MSE" : "cross-entropy", fd, gv);
    }
    ck_assert_int_eq(tested, 6);
    free(p0);
    free(p);
    free(g);
    free(v);
    mlp_work_free(&w);
    mlp_free(&m);
}

START_TEST(gradients_match_finite_differences)
{
    check_gradient(_i / 2, _i % 2 ? MLP_CROSS_ENTROPY : MLP_MSE);
}
END_TEST

/* The vectorisable erf, exp and tanh of the CPU's activations against libm in double: erf within
 * 1.7e-7 at every float from -6 to 6 in steps of 1/4096 (and at the branch point 1), exp within
 * 2 units in the last place from -87 to 88, tanh within 2 units there and at small values
 * (1e-30 to 1, each binade); all keep NaN; exp is 0 far below, erf and tanh +-1 far out; and
 * GELU and its derivative agree with z Phi(z) and Phi + z phi to float accuracy. */
START_TEST(activation_functions_match_libm)
{
    double erf_err = 0, exp_err = 0, gelu_err = 0, dgelu_err = 0, tanh_err = 0;
    for (int k = -12 * 4096; k <= 12 * 4096; k++) {
        const float x = (float)k / 4096;
        if (x != 0)
            tanh_err = fmax(tanh_err, fabs(mlp_tanhf(x) - tanh(x)) / fabs(tanh(x)));
    }
    for (float x = 1e-30f; x < 1; x *= 1.01f)
        tanh_err = fmax(tanh_err, fabs(mlp_tanhf(x) - tanh(x)) / tanh(x));
    for (int k = -6 * 4096; k <= 6 * 4096; k++) {
        const float x = (float)k / 4096;
        erf_err = fmax(erf_err, fabs((double)mlp_erff(x) - erf(x)));
        const mlp_act_value v = mlp_act(MLP_GELU, x);
        const double Phi = 0.5 * (1 + erf(x / sqrt(2.0)));
        gelu_err = fmax(gelu_err, fabs(v.f - x * Phi) / fmax(1, fabs(x)));
        dgelu_err = fmax(dgelu_err, fabs(v.df - (Phi + x * exp(-0.5 * (double)x * x) / sqrt(2 * M_PI))));
    }
    erf_err = fmax(erf_err, fabs((double)mlp_erff(nextafterf(1, 0)) - erf(nextafterf(1, 0))));
    for (float x = -87; x <= 88; x += 1.0f / 64) {
        const double e = exp(x);
        exp_err = fmax(exp_err, fabs(mlp_expf(x) - e) / e);
    }
    printf("erf %.3g, exp %.3g relative (%.2f ulp), tanh %.3g relative (%.2f ulp), GELU %.3g, "
           "GELU' %.3g\n", erf_err, exp_err, exp_err / FLT_EPSILON, tanh_err,
           tanh_err / FLT_EPSILON, gelu_err, dgelu_err);
    ck_assert_double_le(erf_err, 1.7e-7);
    ck_assert_double_le(exp_err, 2 * FLT_EPSILON);
    ck_assert_double_le(gelu_err, 2e-7);
    ck_assert_double_le(dgelu_err, 3e-7);
    ck_assert(isnan(mlp_erff(NAN)) && isnan(mlp_expf(NAN)) && isnan(mlp_act(MLP_GELU, NAN).f));
    ck_assert(mlp_expf(-200) == 0 && mlp_expf(-INFINITY) == 0);
    ck_assert(mlp_erff(INFINITY) == 1 && mlp_erff(-INFINITY) == -1 && mlp_erff(5) == 1);
    ck_assert_double_le(tanh_err, 2 * FLT_EPSILON);
    ck_assert(isnan(mlp_tanhf(NAN)) && mlp_tanhf(INFINITY) == 1 && mlp_tanhf(-INFINITY) == -1);
    ck_assert(mlp_tanhf(50) == 1 && mlp_tanhf(-50) == -1 && mlp_tanhf(0) == 0);
    ck_assert(mlp_act(MLP_GELU, 1e30f).f == 1e30f && mlp_act(MLP_GELU, 1e30f).df == 1);
    ck_assert(mlp_act(MLP_GELU, -1e30f).f == 0 && mlp_act(MLP_GELU, -1e30f).df == 0);
}
END_TEST

START_TEST(optimizer_steps_follow_their_formulas)
{
    const int widths[] = {2, 1};
    mlp m;
    mlp_optim o;
    fc_err err;
    ck_assert_int_eq(mlp_init(&m, 1, widths, MLP_RELU, &err), FC_OK);
    const float p0[3] = {0.5f, -1.0f, 0.25f}, g[3] = {0.2f, -0.4f, 1.0f}; /* W (2), b (1) */
    /* SGD with momentum 0.9: v = g, then v = 0.9 g + g. */
    memcpy(m.params, p0, sizeof p0);
    ck_assert_int_eq(mlp_optim_init(&o, &m, MLP_SGD, 0.1, &err), FC_OK);
    mlp_optim_step(&o, &m, g, 0.1);
    mlp_optim_step(&o, &m, g, 0.1);
    for (int k = 0; k < 3; k++)
        ck_assert_float_eq_tol(m.params[k], p0[k] - 0.1f * g[k] - 0.1f * 1.9f * g[k], 1e-6f);
    mlp_optim_free(&o);
    /* AdamW, first step: m^ = g, v^ = g^2, so p -= lr (g / (|g| + eps)) + lr wd p (weights). */
    memcpy(m.params, p0, sizeof p0);
    ck_assert_int_eq(mlp_optim_init(&o, &m, MLP_ADAMW, 0.01, &err), FC_OK);
    mlp_optim_step(&o, &m, g, 0.01);
    for (int k = 0; k < 3; k++) {
        const double want = p0[k] - 0.01 * g[k] / (fabs(g[k]) + 1e-8) - (k < 2 ? 0.01 * 0.01 * p0[k] : 0);
        ck_assert_float_eq_tol(m.params[k], (float)want, 1e-6f);
    }
    mlp_optim_free(&o);
    mlp_free(&m);
    /* The cosine schedule starts at lr and ends at lr / 100. */
    ck_assert_double_eq(mlp_schedule_lr(MLP_COSINE, 1e-3, 0, 10), 1e-3);
    ck_assert_double_eq_tol(mlp_schedule_lr(MLP_COSINE, 1e-3, 9, 10), 1e-5, 1e-15);
    ck_assert_double_eq(mlp_schedule_lr(MLP_CONSTANT, 1e-3, 9, 10), 1e-3);
}
END_TEST

START_TEST(seeded_initialisation_and_shuffling)
{
    const int widths[] = {64, 128, 1};
    mlp a, b;
    fc_err err;
    ck_assert_int_eq(mlp_init(&a, 2, widths, MLP_RELU, &err), FC_OK);
    ck_assert_int_eq(mlp_init(&b, 2, widths, MLP_RELU, &err), FC_OK);
    mlp_randomize(&a, 42);
    mlp_randomize(&b, 42);
    ck_assert(!memcmp(a.params, b.params, a.nparams * sizeof(float)));
    /* He: the first layer's weights have variance 2 / fan-in. */
    double s2 = 0;
    for (int k = 0; k < 64 * 128; k++)
        s2 += a.params[k] * a.params[k];
    ck_assert_double_eq_tol(s2 / (64 * 128), 2.0 / 64, 0.1 * 2.0 / 64);
    mlp_randomize(&b, 43);
    ck_assert(memcmp(a.params, b.params, a.nparams * sizeof(float)));
    size_t idx[100], again[100];
    int seen[100] = {0};
    mlp_shuffle(idx, 100, 9);
    mlp_shuffle(again, 100, 9);
    ck_assert(!memcmp(idx, again, sizeof idx));
    for (int k = 0; k < 100; k++)
        seen[idx[k]]++;
    for (int k = 0; k < 100; k++)
        ck_assert_int_eq(seen[k], 1);
    mlp_free(&a);
    mlp_free(&b);
}
END_TEST

/* Minibatch training: epochs of seeded shuffles. Returns the final loss over all samples. */
static double train(mlp *m, int loss, int optim, double lr, const float *x, const float *t,
                    int n, int nout_t, int epochs, int batch)
{
    mlp_work w;
    mlp_optim o;
    fc_err err;
    ck_assert_int_eq(mlp_work_init(&w, m, n, &err), FC_OK);
    ck_assert_int_eq(mlp_optim_init(&o, m, optim, lr, &err), FC_OK);
    float *g = malloc(m->nparams * sizeof *g);
    float *bx = malloc((size_t)batch * m->n[0] * sizeof *bx), *bt = malloc((size_t)batch * nout_t * sizeof *bt);
    size_t *idx = malloc((size_t)n * sizeof *idx);
    for (int e = 0; e < epochs; e++) {
        mlp_shuffle(idx, (size_t)n, 100 + e);
        const double rate = mlp_schedule_lr(MLP_COSINE, lr, e, epochs);
        for (int s = 0; s + batch <= n; s += batch) {
            for (int r = 0; r < batch; r++) {
                memcpy(bx + (size_t)r * m->n[0], x + idx[s + r] * m->n[0], m->n[0] * sizeof *bx);
                memcpy(bt + (size_t)r * nout_t, t + idx[s + r] * nout_t, nout_t * sizeof *bt);
            }
            mlp_forward(m, &w, bx, batch);
            mlp_backward(m, &w, loss, bt, batch, g);
            mlp_optim_step(&o, m, g, rate);
        }
    }
    mlp_forward(m, &w, x, n);
    const double L = mlp_loss(m, &w, loss, t, n);
    free(g);
    free(bx);
    free(bt);
    free(idx);
    mlp_optim_free(&o);
    mlp_work_free(&w);
    return L;
}

START_TEST(training_fits_known_functions)
{
    enum { N = 1024 };
    static float x[N * 2], t[N];
    for (int k = 0; k < N; k++) {
        x[2 * k] = (float)uniform();
        x[2 * k + 1] = (float)uniform();
        t[k] = (float)(sin(3 * x[2 * k]) * x[2 * k + 1]);
    }
    const int widths[] = {2, 32, 32, 1};
    double before, after;
    for (int opt = 0; opt < 2; opt++) {
        mlp m;
        fc_err err;
        ck_assert_int_eq(mlp_init(&m, 3, widths, MLP_TANH, &err), FC_OK);
        mlp_randomize(&m, 1);
        mlp_work w;
        ck_assert_int_eq(mlp_work_init(&w, &m, N, &err), FC_OK);
        mlp_forward(&m, &w, x, N);
        before = mlp_loss(&m, &w, MLP_MSE, t, N);
        mlp_work_free(&w);
        after = train(&m, MLP_MSE, opt, opt == MLP_SGD ? 0.05 : 0.01, x, t, N, 1, 200, 32);
        printf("regression sin(3x) y, %s: MSE %.3e -> %.3e\n", opt ? "AdamW" : "SGD", before, after);
        ck_assert_double_lt(after, 2e-3);
        mlp_free(&m);
    }
    /* Two classes: inside or outside a circle; cross-entropy with SiLU. */
    static float c[N];
    for (int k = 0; k < N; k++)
        c[k] = (float)(x[2 * k] * x[2 * k] + x[2 * k + 1] * x[2 * k + 1] < 0.5);
    const int cw[] = {2, 32, 2};
    mlp m;
    fc_err err;
    ck_assert_int_eq(mlp_init(&m, 2, cw, MLP_SILU, &err), FC_OK);
    mlp_randomize(&m, 2);
    after = train(&m, MLP_CROSS_ENTROPY, MLP_ADAMW, 0.01, x, c, N, 1, 200, 32);
    mlp_work w;
    ck_assert_int_eq(mlp_work_init(&w, &m, N, &err), FC_OK);
    const float *y = mlp_forward(&m, &w, x, N);
    int right = 0;
    for (int k = 0; k < N; k++)
        right += (y[2 * k + 1] > y[2 * k]) == (c[k] > 0.5f);
    printf("classification: cross-entropy %.3f, %d of %d right\n", after, right, N);
    ck_assert_int_ge(right, N * 97 / 100);
    mlp_work_free(&w);
    mlp_free(&m);
}
END_TEST

START_TEST(bad_shapes_are_refused)
{
    mlp m;
    fc_err err;
    const int zero[] = {3, 0, 1}, ok[] = {3, 4, 1};
    ck_assert_int_eq(mlp_init(&m, 2, zero, MLP_RELU, &err), FC_EINPUT);
    ck_assert_msg(strstr(err.msg, "layer width 0"), "%s", err.msg);
    ck_assert_int_eq(mlp_init(&m, 0, ok, MLP_RELU, &err), FC_EINPUT);
    ck_assert_int_eq(mlp_init(&m, 2, ok, 9, &err), FC_EINPUT);
    ck_assert_int_eq(mlp_activation_find("gelu"), MLP_GELU);
    ck_assert_int_eq(mlp_activation_find("sigmoid"), -1);
}
END_TEST

/* A cross-entropy target that names no class (out of range, a fraction, NaN) gives a NaN
 * loss and a zero gradient row, and reads no logit it has no right to. */
START_TEST(class_labels_out_of_range_read_nothing)
{
    ck_assert_int_eq(mlp_label(2.0f, 3), 2);
    ck_assert_int_eq(mlp_label(3.0f, 3), -1);
    ck_assert_int_eq(mlp_label(-1.0f, 3), -1);
    ck_assert_int_eq(mlp_label(1.5f, 3), -1);
    ck_assert_int_eq(mlp_label(NAN, 3), -1);
    ck_assert_int_eq(mlp_label(3e9f, 3), -1);
    const float z[3] = {0.1f, -2, 3};
    float d[3] = {7, 7, 7};
    ck_assert(isnan(mlp_cross_entropy_row(z, 3, mlp_label(5.0f, 3), 1, d)));
    ck_assert(d[0] == 0 && d[1] == 0 && d[2] == 0);
    const double l = mlp_cross_entropy_row(z, 3, mlp_label(2.0f, 3), 1, d);
    ck_assert(isfinite(l) && l > 0);
    /* Through the layer API: a batch with one bad label has a NaN loss. */
    const int widths[] = {3, 3};
    mlp m;
    mlp_work w;
    fc_err err;
    ck_assert_int_eq(mlp_init(&m, 1, widths, MLP_TANH, &err), FC_OK);
    ck_assert_int_eq(mlp_work_init(&w, &m, 2, &err), FC_OK);
    const float x[6] = {1, 2, 3, 4, 5, 6}, t[2] = {1, 1e30f};
    mlp_forward(&m, &w, x, 2);
    ck_assert(isnan(mlp_loss(&m, &w, MLP_CROSS_ENTROPY, t, 2)));
    mlp_work_free(&w);
    mlp_free(&m);
}
END_TEST

/* cuBLAS is loaded, not linked (mlp_cuda.cu): in a build with CUDA the library and every
 * function the GPU models call are found, with no device needed; without CUDA it is refused
 * with a message that says why. */
START_TEST(cublas_is_loaded_when_asked_for)
{
    fc_err err = {{0}};
    const int st = mlp_gpu_load_blas(&err);
#ifdef FC_HAVE_CUDA
    ck_assert_msg(st == FC_OK, "%s", err.msg);
    ck_assert_int_eq(mlp_gpu_load_blas(&err), FC_OK); /* again: already loaded */
#else
    ck_assert_int_eq(st, FC_ENODEV);
    ck_assert(strstr(err.msg, "built without CUDA"));
#endif
}
END_TEST

Suite *mlp_suite(void)
{
    Suite *s = suite_create("mlp");
    TCase *tc = tcase_create("mlp");
    tcase_add_loop_test(tc, gradients_match_finite_differences, 0, 2 * MLP_NACT);
    tcase_add_test(tc, activation_functions_match_libm);
    tcase_add_test(tc, optimizer_steps_follow_their_formulas);
    tcase_add_test(tc, seeded_initialisation_and_shuffling);
    tcase_add_test(tc, training_fits_known_functions);
    tcase_add_test(tc, bad_shapes_are_refused);
    tcase_add_test(tc, class_labels_out_of_range_read_nothing);
    tcase_add_test(tc, cublas_is_loaded_when_asked_for);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}
