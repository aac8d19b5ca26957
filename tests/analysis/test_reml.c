/*
 * tests/analysis/test_reml.c — cmocka tests of the REML fit (reml.c) and of
 * the estimates analysis_run() gives on data with a known truth.
 *
 * Unit tests: balanced designs, where the REML optimum is known in closed
 * form ((MSB - MSW)/n and MSW, or the boundary), the degenerate cases, an
 * unbalanced design checked against a plain per-team evaluation of the
 * criterion, and the cost on 125,000 teams.
 *
 * Recovery: scores y = mu + u_j + e_i drawn with gsl_rng_mt19937 (one item
 * on a range wide enough that nothing is clamped, team sizes as engage-gen
 * draws them: 1 + NegBin(r = 3, p = 0.3), drawn again above 30), built
 * into a dataset and run through analysis_run():
 *   - 50,000 respondents: var_between_reml, var_within_reml and icc_reml lie
 *     within 4 standard errors of the truth.  The standard errors come from
 *     the Fisher information of the one-way model at the true values for
 *     the drawn team sizes (lambda_j = s2e + n_j s2b):
 *       I_ee = 1/2 [(N - J)/s2e² + Σ 1/lambda_j²],  I_eb = 1/2 Σ n_j/lambda_j²,
 *       I_bb = 1/2 Σ n_j²/lambda_j²,
 *     inverted (the one degree of freedom REML gives to the mean changes
 *     nothing at this size); icc's by the delta method.
 *   - 200 replications of 2,000 respondents each (about 250 teams; small so
 *     that the test stays fast, also under the sanitizers): the 95% ICC(1)
 *     interval covers the true ICC s2b/(s2b + s2e) in 180 to 200 of them
 *     (Binomial(200, 0.95) has mean 190 and sd 3.1).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "../../analysis/analysis.h"
#include "../../analysis/reml.h"

#include "close.h"

/* Team means and SSW of teams given as values, for reml_oneway. */
typedef struct {
    size_t n[16];
    double mean[16];
    double ssw;
    size_t count;
} teams_t;

static teams_t teams_of(const double *const *values, const size_t *sizes, size_t count)
{
    teams_t t = { .count = count };
    for (size_t j = 0; j < count; j++) {
        double sum = 0.0;
        for (size_t i = 0; i < sizes[j]; i++)
            sum += values[j][i];
        t.n[j] = sizes[j];
        t.mean[j] = sizes[j] ? sum / (double)sizes[j] : NAN;
        for (size_t i = 0; i < sizes[j]; i++)
            t.ssw += (values[j][i] - t.mean[j]) * (values[j][i] - t.mean[j]);
    }
    return t;
}

static reml_fit_t fit(const teams_t *t)
{
    reml_fit_t out;
    assert_int_equal(reml_oneway(t->n, t->mean, t->count, t->ssw, &out), ENGAGE_OK);
    return out;
}

/* --- closed forms -------------------------------------------------------- */

/*
 * Balanced, teams of 2: {1,3} {4,6} {2,2}.  Means 2, 5, 2; grand mean 3.
 * SSW = 2 + 2 + 0 = 4, MSW = 4/3; SSB = 2 (1 + 4 + 1) = 12, MSB = 6.
 * MSB > MSW, so REML = the ANOVA estimates: between (6 - 4/3)/2 = 7/3,
 * within 4/3, ICC 7/11.  A team of 0 (skipped) is thrown in.
 */
static void test_balanced(void **state)
{
    (void)state;
    const double a[] = { 1, 3 }, b[] = { 4, 6 }, c[] = { 2, 2 };
    const double *values[] = { a, b, NULL, c };
    const size_t sizes[] = { 2, 2, 0, 2 };
    teams_t t = teams_of(values, sizes, 4);
    reml_fit_t r = fit(&t);
    assert_false(r.boundary);
    check_close(r.var_between, 7.0 / 3.0, 1e-13, "between", __FILE__, __LINE__);
    check_close(r.var_within, 4.0 / 3.0, 1e-13, "within", __FILE__, __LINE__);
    check_close(r.icc, 7.0 / 11.0, 1e-13, "icc", __FILE__, __LINE__);
    check_close(r.gamma, 7.0 / 4.0, 1e-13, "gamma", __FILE__, __LINE__);
    assert_true(r.evaluations < 60);
}

/*
 * Team means all 3: {1,5} {2,4} {3,3}.  SSB = 0 < SSW = 10: the criterion
 * rises from gamma = 0, so between is exactly 0 and within is SST/(N-1) =
 * 10/5 = 2 (lme4's boundary fit), ICC 0.
 */
static void test_boundary(void **state)
{
    (void)state;
    const double a[] = { 1, 5 }, b[] = { 2, 4 }, c[] = { 3, 3 };
    const double *values[] = { a, b, c };
    const size_t sizes[] = { 2, 2, 2 };
    teams_t t = teams_of(values, sizes, 3);
    reml_fit_t r = fit(&t);
    assert_true(r.boundary);
    assert_true(r.var_between == 0.0);
    assert_close(r.var_within, 2.0);
    assert_true(r.icc == 0.0);
}

/*
 * Two teams {0,2} {1,3}: means 1, 2, grand 1.5, SSB = 2 (0.25 + 0.25) = 1,
 * MSB 1; SSW = 2 + 2 = 4, MSW = 2.  MSB < MSW: the boundary, within =
 * SST/(N-1) = 5/3.  Then {0,2} {2,4} {4,6}, where MSB > MSW: the ANOVA
 * estimates again.
 */
static void test_near_boundary(void **state)
{
    (void)state;
    const double a[] = { 0, 2 }, b[] = { 1, 3 };
    const double *values[] = { a, b };
    const size_t sizes[] = { 2, 2 };
    teams_t t = teams_of(values, sizes, 2);
    reml_fit_t r = fit(&t);
    assert_true(r.boundary);
    assert_true(r.var_between == 0.0);
    assert_close(r.var_within, 5.0 / 3.0);   /* SST = 1 + 4 = 5 over N - 1 = 3 */

    /* {0,2} {2,4} {4,6}: means 1, 3, 5, SSB = 2·8 = 16, MSB 8; SSW 6, MSW 2 */
    const double c[] = { 0, 2 }, d[] = { 2, 4 }, e[] = { 4, 6 };
    const double *values2[] = { c, d, e };
    const size_t sizes2[] = { 2, 2, 2 };
    t = teams_of(values2, sizes2, 3);
    r = fit(&t);
    assert_false(r.boundary);
    assert_close(r.var_between, 3.0);         /* (8 - 2)/2 */
    assert_close(r.var_within, 2.0);
}

/* --- degenerate data ------------------------------------------------------ */

static void test_one_manager(void **state)
{
    (void)state;
    const double a[] = { 1, 2, 6 };
    const double *values[] = { a, NULL };
    const size_t sizes[] = { 3, 0 };
    teams_t t = teams_of(values, sizes, 2);
    reml_fit_t r = fit(&t);
    assert_nan(r.var_between);
    assert_nan(r.var_within);
    assert_nan(r.icc);
}

static void test_all_singletons(void **state)
{
    (void)state;
    const double a[] = { 1 }, b[] = { 2 }, c[] = { 4 };
    const double *values[] = { a, b, c };
    const size_t sizes[] = { 1, 1, 1 };
    teams_t t = teams_of(values, sizes, 3);
    reml_fit_t r = fit(&t);
    assert_nan(r.var_between);
    assert_nan(r.var_within);
    assert_nan(r.icc);
}

/* Every score equal: both components 0, their share undefined. */
static void test_zero_variance(void **state)
{
    (void)state;
    const double a[] = { 3, 3 }, b[] = { 3, 3, 3 }, c[] = { 3 };
    const double *values[] = { a, b, c };
    const size_t sizes[] = { 2, 3, 1 };
    teams_t t = teams_of(values, sizes, 3);
    reml_fit_t r = fit(&t);
    assert_true(r.var_between == 0.0);
    assert_true(r.var_within == 0.0);
    assert_nan(r.icc);
}

/* Teams that answer as one ({2,2} {4,4,4}): no variance within, so the
 * criterion falls without bound as var_within goes to 0: undefined. */
static void test_no_within_variance(void **state)
{
    (void)state;
    const double a[] = { 2, 2 }, b[] = { 4, 4, 4 };
    const double *values[] = { a, b };
    const size_t sizes[] = { 2, 3 };
    teams_t t = teams_of(values, sizes, 2);
    reml_fit_t r = fit(&t);
    assert_nan(r.var_between);
    assert_nan(r.var_within);
    assert_nan(r.icc);
    /* nothing at all */
    assert_int_equal(reml_oneway(NULL, NULL, 0, 0.0, &r), ENGAGE_OK);
    assert_nan(r.var_between);
}

/* --- unbalanced: the pooled criterion against a plain one ----------------- */

/* -2 restricted log-likelihood (up to a constant) and its derivative,
 * written team by team as in make_reference.R. */
static double plain_criterion(const teams_t *t, double g, double *slope)
{
    double N = 0, sw = 0, swm = 0, sdw = 0, logdet = 0;
    for (size_t j = 0; j < t->count; j++) {
        if (!t->n[j])
            continue;
        double n = (double)t->n[j], w = n / (1 + n * g);
        N += n;
        sw += w;
        swm += w * t->mean[j];
        sdw += -w * w;
        logdet += log1p(n * g);
    }
    double mu = swm / sw, q = t->ssw, a = 0;
    for (size_t j = 0; j < t->count; j++) {
        if (!t->n[j])
            continue;
        double n = (double)t->n[j], w = n / (1 + n * g), d = t->mean[j] - mu;
        q += w * d * d;
        a += -w * w * d * d;
    }
    *slope = (N - 1) * a / q + sw + sdw / sw;
    return (N - 1) * log(q) + logdet + log(sw);
}

/*
 * Teams of 1, 2, 2, 3, 5, 5 and 9 with uneven spreads.  At the fitted gamma
 * the plain derivative is ~0 and changes sign across it, the criterion is no
 * higher anywhere on a grid, and var_within is Q(gamma)/(N-1).
 */
static void test_unbalanced(void **state)
{
    (void)state;
    const double a[] = { 4 }, b[] = { 1, 2 }, c[] = { 5, 4 }, d[] = { 2, 2, 3 },
                 e[] = { 3, 4, 5, 4, 5 }, f[] = { 1, 1, 2, 3, 1 },
                 g[] = { 3, 2, 4, 3, 5, 3, 2, 4, 3 };
    const double *values[] = { a, b, c, d, e, f, g };
    const size_t sizes[] = { 1, 2, 2, 3, 5, 5, 9 };
    teams_t t = teams_of(values, sizes, 7);
    reml_fit_t r = fit(&t);
    assert_false(r.boundary);
    assert_true(r.gamma > 0);
    double slope, lo, hi;
    double best = plain_criterion(&t, r.gamma, &slope);
    plain_criterion(&t, r.gamma * (1 - 1e-6), &lo);
    plain_criterion(&t, r.gamma * (1 + 1e-6), &hi);
    assert_true(fabs(slope) < 1e-9);
    assert_true(lo < 0 && hi > 0);
    for (int i = 0; i <= 400; i++) {
        double s, gamma = i == 0 ? 0 : pow(10, -6 + i * 0.025);
        assert_true(best <= plain_criterion(&t, gamma, &s) + 1e-12);
    }
    check_close(r.var_between, r.gamma * r.var_within, 1e-15, "between", __FILE__, __LINE__);
    check_close(r.icc, r.var_between / (r.var_between + r.var_within), 1e-15, "icc", __FILE__,
                __LINE__);
}

/* 125,000 teams of 1..30 (the size of the benchmark): the fit costs a few
 * dozen passes over 30 size classes, not over the teams. */
static void test_many_teams(void **state)
{
    (void)state;
    enum { J = 125000 };
    size_t *n = malloc(J * sizeof *n);
    double *mean = malloc(J * sizeof *mean);
    assert_non_null(n);
    assert_non_null(mean);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 11);
    double ssw = 0;
    for (size_t j = 0; j < J; j++) {
        n[j] = 1 + gsl_rng_uniform_int(rng, 30);
        mean[j] = 3.6 + gsl_ran_gaussian(rng, 0.35) + gsl_ran_gaussian(rng, 0.8 / sqrt((double)n[j]));
        if (n[j] > 1)
            ssw += 0.64 * gsl_ran_chisq(rng, (double)(n[j] - 1));
    }
    gsl_rng_free(rng);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    reml_fit_t r;
    assert_int_equal(reml_oneway(n, mean, J, ssw, &r), ENGAGE_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("reml over %d teams: %.2f ms, %u evaluations of the derivative; between %.4f, "
           "within %.4f\n", J, ms, r.evaluations, r.var_between, r.var_within);
    assert_true(r.evaluations <= 100);
    assert_true(fabs(r.var_between - 0.1225) < 0.01);
    assert_true(fabs(r.var_within - 0.64) < 0.01);
    free(n);
    free(mean);
}

/* --- recovery on synthetic data ------------------------------------------- */

/* engage-gen's team sizes: 1 + NegBin(r = 3, p = 0.3), again while > 30. */
static size_t team_size(gsl_rng *rng)
{
    for (;;) {
        size_t n = 1 + gsl_ran_negative_binomial(rng, 0.3, 3.0);
        if (n <= 30)
            return n;
    }
}

/* A finished dataset of `respondents` continuous scores mu + u_j + e_i on
 * one item, the teams' sizes into sizes[] (when not NULL, room for
 * `respondents`), their count into *teams. */
static dataset_t *synthetic(gsl_rng *rng, size_t respondents, double mu, double s2b, double s2e,
                            size_t *sizes, size_t *teams)
{
    dataset_t *ds = dataset_new();
    assert_non_null(ds);
    size_t column;
    assert_int_equal(dataset_add_column(ds, "y", &column), ENGAGE_OK);
    bool reverse = false;
    dataset_scale_t sc = { "y", 1, &column, &reverse, -1000, 1000, 1, 999, -999 };
    assert_int_equal(dataset_add_scale(ds, &sc), ENGAGE_OK);
    size_t r = 0, j = 0;
    while (r < respondents) {
        size_t n = team_size(rng);
        if (n > respondents - r)
            n = respondents - r;
        double u = gsl_ran_gaussian(rng, sqrt(s2b));
        char manager[32];
        snprintf(manager, sizeof manager, "M%06zu", j);
        for (size_t i = 0; i < n; i++, r++) {
            char id[32];
            snprintf(id, sizeof id, "R%07zu", r);
            double y = mu + u + gsl_ran_gaussian(rng, sqrt(s2e));
            assert_int_equal(dataset_add_row(ds, id, manager, &y, 0, (long)r + 2, NULL, NULL),
                             ENGAGE_OK);
        }
        if (sizes)
            sizes[j] = n;
        j++;
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    *teams = j;
    return ds;
}

static const analysis_variance_t *analyse(const dataset_t *ds, results_t **res)
{
    engage_error_t err = { 0 };
    assert_int_equal(analysis_run(ds, res, &err), ENGAGE_OK);
    return &(*res)->scales[0].variance;
}

static void recover(unsigned long seed, double s2b, double s2e)
{
    enum { N = 50000 };
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    size_t *sizes = malloc(N * sizeof *sizes), J;
    assert_non_null(sizes);
    dataset_t *ds = synthetic(rng, N, 3.6, s2b, s2e, sizes, &J);
    results_t *res;
    const analysis_variance_t *v = analyse(ds, &res);

    /* standard errors from the Fisher information at the truth */
    double i_ee = (double)(N - J) / (s2e * s2e), i_eb = 0, i_bb = 0;
    for (size_t j = 0; j < J; j++) {
        double n = (double)sizes[j], lambda = s2e + n * s2b;
        i_ee += 1 / (lambda * lambda);
        i_eb += n / (lambda * lambda);
        i_bb += n * n / (lambda * lambda);
    }
    i_ee /= 2, i_eb /= 2, i_bb /= 2;
    double det = i_ee * i_bb - i_eb * i_eb;
    double var_b = i_ee / det, var_e = i_bb / det, cov_be = -i_eb / det;
    double total = s2b + s2e, icc = s2b / total;
    double db = s2e / (total * total), de = -s2b / (total * total);
    double se_b = sqrt(var_b), se_e = sqrt(var_e);
    double se_icc = sqrt(db * db * var_b + 2 * db * de * cov_be + de * de * var_e);

    double z_b = (v->var_between_reml - s2b) / se_b, z_e = (v->var_within_reml - s2e) / se_e;
    double z_icc = (v->icc_reml - icc) / se_icc;
    printf("recovery (seed %lu, %d respondents, %zu teams): between %.5f (true %.4f, se %.5f, "
           "z %+.2f), within %.5f (true %.4f, se %.5f, z %+.2f), icc %.5f (true %.4f, se %.5f, "
           "z %+.2f)\n", seed, N, J, v->var_between_reml, s2b, se_b, z_b, v->var_within_reml,
           s2e, se_e, z_e, v->icc_reml, icc, se_icc, z_icc);
    assert_true(fabs(z_b) < 4);
    assert_true(fabs(z_e) < 4);
    assert_true(fabs(z_icc) < 4);
    assert_true(v->icc1_ci_low < v->icc1 && v->icc1 < v->icc1_ci_high);
    results_free(res);
    dataset_free(ds);
    free(sizes);
    gsl_rng_free(rng);
}

/* engage-gen's defaults: sigma_b 0.35, sigma_e 0.8 (ICC 0.161). */
static void test_recovery_default(void **state)
{
    (void)state;
    recover(20240601, 0.35 * 0.35, 0.8 * 0.8);
}

/* Little between-manager variance (ICC 0.0099): near the boundary. */
static void test_recovery_small_between(void **state)
{
    (void)state;
    recover(7, 0.01, 1.0);
}

/* The 95% ICC(1) interval covers the true ICC in about 95% of data sets. */
static void test_icc1_interval_coverage(void **state)
{
    (void)state;
    enum { REPLICATIONS = 200, RESPONDENTS = 2000 };
    const double s2b = 0.35 * 0.35, s2e = 0.8 * 0.8, icc = s2b / (s2b + s2e);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 42);
    size_t covered = 0, below = 0, above = 0;
    for (int i = 0; i < REPLICATIONS; i++) {
        size_t J;
        dataset_t *ds = synthetic(rng, RESPONDENTS, 3.6, s2b, s2e, NULL, &J);
        results_t *res;
        const analysis_variance_t *v = analyse(ds, &res);
        assert_false(isnan(v->icc1_ci_low) || isnan(v->icc1_ci_high));
        if (icc < v->icc1_ci_low)
            below++;
        else if (icc > v->icc1_ci_high)
            above++;
        else
            covered++;
        results_free(res);
        dataset_free(ds);
    }
    gsl_rng_free(rng);
    printf("ICC(1) 95%% interval covered the true ICC %.4f in %zu of %d replications of %d "
           "respondents (truth below the interval %zu, above %zu)\n", icc, covered, REPLICATIONS,
           RESPONDENTS, below, above);
    assert_true(covered >= 180 && covered <= 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_balanced),
        cmocka_unit_test(test_boundary),
        cmocka_unit_test(test_near_boundary),
        cmocka_unit_test(test_one_manager),
        cmocka_unit_test(test_all_singletons),
        cmocka_unit_test(test_zero_variance),
        cmocka_unit_test(test_no_within_variance),
        cmocka_unit_test(test_unbalanced),
        cmocka_unit_test(test_many_teams),
        cmocka_unit_test(test_recovery_default),
        cmocka_unit_test(test_recovery_small_between),
        cmocka_unit_test(test_icc1_interval_coverage),
    };
    return cmocka_run_group_tests_name("reml", tests, NULL, NULL);
}
