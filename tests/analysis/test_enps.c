/*
 * tests/analysis/test_enps.c — eNPS, its interval and the test of a change
 * (analysis/enps.h): a hand-counted group, the interval's half-width
 * against a seeded bootstrap, the shares of analysis_shares() read back as
 * counts, and the change's p-value against R.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

#include "../../analysis/enps.h"
#include "close.h"

/* 20 answers: 9,10,10,9,9,10,9,10 (8 promoters), 7,8,8,7,8 (5 passives),
 * 0,3,6,5,6,2,4 (7 detractors).  p = 8/20 = 0.4, d = 7/20 = 0.35:
 * eNPS = 100 (0.4 - 0.35) = 5; variance (0.4 + 0.35 - 0.05²) / 20 =
 * 0.7475 / 20 = 0.037375, se = 100 √0.037375 = 19.3326149...; interval
 * 5 ± 1.96 · 19.3326149... = -32.8919253 .. 42.8919253. */
static void test_hand_counted(void **state)
{
    (void)state;
    const double answers[] = {9, 10, 10, 9, 9, 10, 9, 10, 7, 8, 8, 7, 8, 0, 3, 6, 5, 6, 2, 4};
    size_t pro = 0, pas = 0, det = 0;
    for (size_t i = 0; i < sizeof answers / sizeof *answers; i++) {
        if (answers[i] >= ENPS_PROMOTER)
            pro++;
        else if (answers[i] <= ENPS_DETRACTOR)
            det++;
        else
            pas++;
    }
    enps_t e = enps_from_counts(pro, pas, det);
    assert_int_equal(e.n, 20);
    assert_int_equal(e.promoters, 8);
    assert_int_equal(e.passives, 5);
    assert_int_equal(e.detractors, 7);
    assert_close(e.promoters_pct, 40.0);
    assert_close(e.passives_pct, 25.0);
    assert_close(e.detractors_pct, 35.0);
    assert_close(e.enps, 5.0);
    assert_close(e.se, 100.0 * sqrt(0.7475 / 20.0));
    assert_true(fabs(e.se - 19.3326149) < 1e-6);
    assert_true(fabs(e.ci_low - -32.8919253) < 1e-6);
    assert_true(fabs(e.ci_high - 42.8919253) < 1e-6);
}

/* No answer: nothing defined.  All promoters: +100 with a zero-width
 * interval; all detractors: -100; one of each: 0 with variance
 * (0.5 + 0.5 - 0) / 2 = 0.5, se = 100 √0.5 = 70.71..., so the interval
 * runs past -100 and +100 (not clipped). */
static void test_edges(void **state)
{
    (void)state;
    enps_t none = enps_from_counts(0, 0, 0);
    assert_int_equal(none.n, 0);
    assert_nan(none.enps);
    assert_nan(none.ci_low);
    assert_nan(none.promoters_pct);
    enps_t all = enps_from_counts(7, 0, 0);
    assert_close(all.enps, 100.0);
    assert_true(all.se == 0 && all.ci_low == 100.0 && all.ci_high == 100.0);
    enps_t worst = enps_from_counts(0, 0, 3);
    assert_close(worst.enps, -100.0);
    enps_t split = enps_from_counts(1, 0, 1);
    assert_true(split.enps == 0);
    assert_close(split.se, 100.0 * sqrt(0.5));
    assert_true(split.ci_low < -100 && split.ci_high > 100);
    assert_close(split.ci_high, 1.96 * 100.0 * sqrt(0.5));
}

/* The shares analysis_shares() gives (100 × count / n, rounded as doubles)
 * read back as the counts they came from, for every split of n = 1..60. */
static void test_from_shares(void **state)
{
    (void)state;
    for (size_t n = 1; n <= 60; n++)
        for (size_t p = 0; p <= n; p++)
            for (size_t d = 0; p + d <= n; d++) {
                double fav = 100.0 * (double)p / (double)n, unfav = 100.0 * (double)d / (double)n;
                enps_t e = enps_from_shares(n, fav, unfav);
                enps_t want = enps_from_counts(p, n - p - d, d);
                if (e.promoters != p || e.detractors != d || e.passives != n - p - d || e.enps != want.enps ||
                    e.se != want.se)
                    fail_msg("n %zu p %zu d %zu: got %zu %zu", n, p, d, e.promoters, e.detractors);
            }
    enps_t none = enps_from_shares(0, NAN, NAN);
    assert_int_equal(none.n, 0);
    assert_nan(none.enps);
}

/* The interval's half-width 1.96 · se against 1.96 × the sd of eNPS over
 * 20,000 bootstrap resamples (GSL mt19937, seed 20261207) of a group of
 * 200 answers: 90 promoters, 50 passives, 60 detractors (eNPS 15, se =
 * 100 √((0.45 + 0.3 - 0.15²) / 200) = 6.0311...).  The bootstrap sd has a
 * Monte Carlo error of about 1 / √(2 · 20000) = 0.5%; the tolerance is 2%. */
static void test_bootstrap(void **state)
{
    (void)state;
    enum { N = 200, PRO = 90, PAS = 50, DET = 60, RESAMPLES = 20000 };
    double answers[N];
    for (size_t i = 0; i < N; i++)
        answers[i] = i < PRO ? 10 : i < PRO + PAS ? 7 : 3;
    enps_t e = enps_from_counts(PRO, PAS, DET);
    assert_close(e.enps, 15.0);
    assert_close(e.se, 100.0 * sqrt((0.45 + 0.3 - 0.0225) / 200.0));
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(rng);
    gsl_rng_set(rng, 20261207);
    double *scores = malloc(RESAMPLES * sizeof *scores);
    assert_non_null(scores);
    for (size_t b = 0; b < RESAMPLES; b++) {
        size_t pro = 0, det = 0;
        for (size_t i = 0; i < N; i++) {
            double a = answers[gsl_rng_uniform_int(rng, N)];
            pro += a >= ENPS_PROMOTER;
            det += a <= ENPS_DETRACTOR;
        }
        scores[b] = 100.0 * ((double)pro - (double)det) / N;
    }
    double sd = gsl_stats_sd(scores, 1, RESAMPLES);
    double half = (e.ci_high - e.ci_low) / 2;
    print_message("eNPS half-width %.6f, bootstrap 1.96 sd %.6f (ratio %.5f)\n", half, 1.96 * sd,
                  half / (1.96 * sd));
    assert_true(fabs(half / (1.96 * sd) - 1) < 0.02);
    free(scores);
    gsl_rng_free(rng);
}

/* A change from 40 answers with 8 promoters, 20 passives, 12 detractors
 * (eNPS -10, variance (0.2 + 0.3 - 0.01) / 40 = 0.01225) to the 20 of
 * test_hand_counted (eNPS 5, variance 0.037375): delta 15, se =
 * 100 √(0.01225 + 0.037375); z and p from R:
 *   z <- (5 - (-10)) / sqrt((100*sqrt(0.7475/20))^2 + (100*sqrt((0.2+0.3-(0.2-0.3)^2)/40))^2)
 *   print(z, digits = 17); print(2*pnorm(-abs(z)), digits = 17)
 * gives 0.67335020886485031 and 0.50072451732014678. */
static void test_change(void **state)
{
    (void)state;
    enps_t before = enps_from_counts(8, 20, 12), now = enps_from_counts(8, 5, 7);
    assert_close(before.enps, -10.0);
    enps_change_t c = enps_change(&before, &now);
    assert_close(c.delta, 15.0);
    assert_close(c.se, 100.0 * sqrt(0.01225 + 0.037375));
    assert_close(c.ci_low, 15.0 - 1.96 * c.se);
    assert_close(c.ci_high, 15.0 + 1.96 * c.se);
    check_close(c.z, 0.67335020886485031, 1e-9, "z", __FILE__, __LINE__);
    check_close(c.p_value, 0.50072451732014678, 1e-9, "p", __FILE__, __LINE__);
    /* symmetric: the change back */
    enps_change_t back = enps_change(&now, &before);
    assert_close(back.delta, -15.0);
    assert_close(back.p_value, c.p_value);
    /* undefined without a score; no p-value at zero variance */
    enps_t none = enps_from_counts(0, 0, 0);
    assert_nan(enps_change(&none, &now).delta);
    enps_t all = enps_from_counts(5, 0, 0), worst = enps_from_counts(0, 0, 5);
    enps_change_t flat = enps_change(&worst, &all);
    assert_close(flat.delta, 200.0);
    assert_true(flat.se == 0);
    assert_nan(flat.p_value);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_counted),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_from_shares),
        cmocka_unit_test(test_bootstrap),
        cmocka_unit_test(test_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
