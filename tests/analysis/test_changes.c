/*
 * tests/analysis/test_changes.c — Welch's test and Benjamini–Hochberg
 * against R (tests/fixtures/reference/welch_bh*.csv, made by
 * make_reference.R with t.test(now, prev) and p.adjust(p, "BH")), and the
 * degenerate cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../analysis/changes.h"

#define FIXTURES "tests/fixtures/reference/"

enum { MANAGERS = 6, MAX_PER_WAVE = 64 };

static void close_to(double got, double want, const char *what)
{
    if (!(fabs(got - want) <= 1e-7 * fabs(want)))
        fail_msg("%s: %.17g, R %.17g", what, got, want);
}

static void test_welch_and_bh_match_r(void **state)
{
    (void)state;
    /* the raw scores: manager_id,wave,y */
    double y[MANAGERS][2][MAX_PER_WAVE];
    size_t n[MANAGERS][2] = {{0}};
    FILE *f = fopen(FIXTURES "welch_bh.csv", "r");
    if (!f)
        fail_msg("cannot open " FIXTURES "welch_bh.csv (run the tests from the project root)");
    char line[256];
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f)) {
        int manager;
        char wave[16];
        double value;
        assert_int_equal(sscanf(line, "g%d,%15[^,],%lf", &manager, wave, &value), 3);
        int w = strcmp(wave, "current") == 0;
        assert_true(manager >= 1 && manager <= MANAGERS && n[manager - 1][w] < MAX_PER_WAVE);
        y[manager - 1][w][n[manager - 1][w]++] = value;
    }
    fclose(f);

    double expected[MANAGERS][9], p[MANAGERS], q[MANAGERS];
    bool include[MANAGERS];
    f = fopen(FIXTURES "welch_bh_expected.csv", "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    for (int m = 0; m < MANAGERS; m++) {
        assert_non_null(fgets(line, sizeof line, f));
        double *e = expected[m];
        assert_int_equal(sscanf(line, "g%*d,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf", &e[0], &e[1], &e[2], &e[3], &e[4],
                                &e[5], &e[6], &e[7], &e[8]),
                         9);
    }
    fclose(f);

    for (int m = 0; m < MANAGERS; m++) {
        size_t n0 = n[m][0], n1 = n[m][1];
        assert_int_equal(n0, (size_t)expected[m][0]);
        assert_int_equal(n1, (size_t)expected[m][2]);
        double mean0 = gsl_stats_mean(y[m][0], 1, n0), mean1 = gsl_stats_mean(y[m][1], 1, n1);
        changes_welch_t w = changes_welch(n0, mean0, gsl_stats_sd_m(y[m][0], 1, n0, mean0), n1, mean1,
                                          gsl_stats_sd_m(y[m][1], 1, n1, mean1));
        char what[64];
        snprintf(what, sizeof what, "g%03d delta", m + 1);
        close_to(w.delta, expected[m][4], what);
        snprintf(what, sizeof what, "g%03d ci_low", m + 1);
        close_to(w.ci_low, expected[m][5], what);
        snprintf(what, sizeof what, "g%03d ci_high", m + 1);
        close_to(w.ci_high, expected[m][6], what);
        snprintf(what, sizeof what, "g%03d p_value", m + 1);
        close_to(w.p_value, expected[m][7], what);
        p[m] = w.p_value;
        include[m] = true;
    }
    assert_true(changes_bh(p, include, MANAGERS, q));
    for (int m = 0; m < MANAGERS; m++) {
        char what[64];
        snprintf(what, sizeof what, "g%03d q_value", m + 1);
        close_to(q[m], expected[m][8], what);
    }
}

static void test_welch_degenerate(void **state)
{
    (void)state;
    /* one answer in a wave: only delta */
    changes_welch_t w = changes_welch(1, 3.0, NAN, 5, 4.0, 0.5);
    assert_true(w.delta == 1.0);
    assert_true(isnan(w.ci_low) && isnan(w.ci_high) && isnan(w.p_value));
    /* no variance in either wave */
    w = changes_welch(4, 3.0, 0.0, 6, 3.5, 0.0);
    assert_true(w.delta == 0.5);
    assert_true(isnan(w.p_value));
    /* a manager missing from a wave */
    w = changes_welch(0, NAN, NAN, 6, 3.5, 0.2);
    assert_true(isnan(w.delta) && isnan(w.p_value));
    /* variance in one wave only is fine: df = n - 1 of that wave.
     * delta = 1, se = 1/sqrt(4) = 0.5, t = 2, df = 3:
     * R: print(2 * pt(2, 3, lower.tail = FALSE), digits = 10) gives 0.1393259686 */
    w = changes_welch(4, 2.0, 0.0, 4, 3.0, 1.0);
    assert_true(fabs(w.p_value - 0.1393259686) < 1e-9);
}

static void test_bh_excludes_and_orders(void **state)
{
    (void)state;
    /* p.adjust(c(0.01, 0.04, 0.03), "BH") = 0.03 0.04 0.04; the hidden and
     * undefined entries take no part and get NAN */
    double p[5] = {0.01, 0.5, 0.04, NAN, 0.03};
    bool include[5] = {true, false, true, true, true};
    double q[5];
    assert_true(changes_bh(p, include, 5, q));
    assert_true(fabs(q[0] - 0.03) < 1e-15);
    assert_true(isnan(q[1]));
    assert_true(fabs(q[2] - 0.04) < 1e-15);
    assert_true(isnan(q[3]));
    assert_true(fabs(q[4] - 0.04) < 1e-15);
    /* ties and the cap at 1: p.adjust(c(0.9, 0.9, 0.95), "BH") = 0.95 0.95 0.95 */
    double p2[3] = {0.9, 0.9, 0.95}, q2[3];
    bool all[3] = {true, true, true};
    assert_true(changes_bh(p2, all, 3, q2));
    for (int i = 0; i < 3; i++)
        assert_true(fabs(q2[i] - 0.95) < 1e-15);
    assert_true(changes_bh(p2, all, 0, q2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_welch_and_bh_match_r),
        cmocka_unit_test(test_welch_degenerate),
        cmocka_unit_test(test_bh_excludes_and_orders),
    };
    return cmocka_run_group_tests_name("changes", tests, NULL, NULL);
}
