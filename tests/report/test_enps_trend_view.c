/*
 * tests/report/test_enps_trend_view.c — which eNPS changes of a history
 * are shown and their q-values (report/enps_trend_view.c), on a hand-made
 * two-wave history of teams A and B (min_group 3, so both are shown in the
 * first wave), decided by trend.csv's rule.
 *
 * Wave 1: A 4 answers, 2 promoters, 1 detractor; B 5, 1 and 3.  Wave 2: A
 * 5, 4 and 0; B 5, 2 and 1.  The changes' p-values and q-values, by R:
 *   e <- function(P, D, n) { x <- 100 * (P - D) / n
 *                            c(x, 100 * sqrt((P / n + D / n - ((P - D) / n)^2) / n)) }
 *   p <- function(a, b) 2 * pnorm(-abs((b[1] - a[1]) / sqrt(a[2]^2 + b[2]^2)))
 *   pc <- p(e(3, 4, 9), e(6, 1, 10)); pa <- p(e(2, 1, 4), e(4, 0, 5)); pb <- p(e(1, 3, 5), e(2, 1, 5))
 *   # 0.090150496850735007 0.22318836187904154 0.22067136191984679
 *   p.adjust(c(pc, pa, pb), "BH")   # 0.22318836187904154 three times
 *   p.adjust(c(pc, pa), "BH")       # 0.18030099370147001 0.22318836187904154
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "../../report/enps_trend_view.h"

static void assert_q(double got, double want)
{
    if (isnan(want))
        assert_true(isnan(got));
    else
        assert_true(fabs(got - want) <= 1e-13 * want);
}

typedef struct {
    analysis_manager_t managers[2][2];
    analysis_scale_t scale[2];
    results_t results[2];
    const results_t *by_wave[2];
    units_t *units_by_wave[2];
    trend_row_t rows[6];
    trend_scale_t trend_scale;
    trend_t trend;
} history_t;

/* Rows in trend_run's order: the company, then A and B, each by wave. */
static void build(history_t *h)
{
    memset(h, 0, sizeof *h);
    static const size_t n[2][2] = { { 4, 5 }, { 5, 5 } };
    static const double fav[2][2] = { { 50, 20 }, { 80, 40 } }, unf[2][2] = { { 25, 60 }, { 0, 20 } };
    for (int w = 0; w < 2; w++) {
        for (size_t j = 0; j < 2; j++)
            h->managers[w][j] = (analysis_manager_t){ .manager = j, .n = n[w][j], .mean = 7, .sd = 2,
                                                      .favourable_pct = fav[w][j], .unfavourable_pct = unf[w][j] };
        h->scale[w] = (analysis_scale_t){ .n_managers = 2, .managers = h->managers[w] };
        h->results[w] = (results_t){ 1, &h->scale[w] };
        h->by_wave[w] = &h->results[w];
    }
    static const char *const groups[3] = { "", "A", "B" };
    for (size_t g = 0; g < 3; g++)
        for (size_t w = 0; w < 2; w++) {
            size_t i = 2 * g + w;
            h->rows[i] = (trend_row_t){ .level = g ? TREND_MANAGER : TREND_COMPANY, .group = groups[g], .wave = w,
                                        .manager = g ? g - 1 : TREND_NONE, .n = g ? n[w][g - 1] : n[w][0] + n[w][1],
                                        .previous_row = w ? i - 1 : TREND_NONE,
                                        .welch = { NAN, NAN, NAN, NAN } };
        }
    h->trend_scale = (trend_scale_t){ .n_rows = 6, .rows = h->rows };
    h->trend = (trend_t){ .n_waves = 2, .results = h->by_wave, .units = h->units_by_wave, .n_scales = 1,
                          .scales = &h->trend_scale };
}

static void decide(const history_t *h, const bool *last, const double *want_q)
{
    const bool *last_shown[1] = { last };
    trend_view_t *tv = NULL;
    enps_trend_view_t *ev = NULL;
    engage_error_t err = {0};
    const bool nps[1] = { true };
    assert_int_equal(trend_view_build(&h->trend, 3, last_shown, NULL, NULL, &tv, &err), ENGAGE_OK);
    assert_int_equal(enps_trend_view_build(&h->trend, tv, nps, &ev, &err), ENGAGE_OK);
    assert_true(enps_trend_view_wanted(ev));
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(ev->scales[0].tested[i], !isnan(want_q[i]));
        assert_q(ev->scales[0].q[i], want_q[i]);
    }
    enps_trend_view_free(ev);
    trend_view_free(tv);
}

/* Every row shown: the three changes of wave 2 tested together. */
static void test_all_shown(void **state)
{
    (void)state;
    history_t h;
    build(&h);
    const bool last[2] = { true, true };
    const double q = 0.22318836187904154;
    const double want[6] = { NAN, q, NAN, q, NAN, q };
    decide(&h, last, want);
}

/* B hidden in the last wave: its change is not shown and the company's and
 * A's are adjusted as a pair. */
static void test_hidden_row(void **state)
{
    (void)state;
    history_t h;
    build(&h);
    const bool last[2] = { true, false };
    const double want[6] = { NAN, 0.18030099370147001, NAN, 0.22318836187904154, NAN, NAN };
    decide(&h, last, want);
}

/* No scale of kind = nps: nothing wanted. */
static void test_no_nps(void **state)
{
    (void)state;
    history_t h;
    build(&h);
    const bool last[2] = { true, true }, nps[1] = { false };
    const bool *last_shown[1] = { last };
    trend_view_t *tv = NULL;
    enps_trend_view_t *ev = NULL;
    engage_error_t err = {0};
    assert_int_equal(trend_view_build(&h.trend, 3, last_shown, NULL, NULL, &tv, &err), ENGAGE_OK);
    assert_int_equal(enps_trend_view_build(&h.trend, tv, nps, &ev, &err), ENGAGE_OK);
    assert_false(enps_trend_view_wanted(ev));
    assert_false(enps_trend_view_scale(ev, 0));
    enps_trend_view_free(ev);
    trend_view_free(tv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_shown),
        cmocka_unit_test(test_hidden_row),
        cmocka_unit_test(test_no_nps),
    };
    return cmocka_run_group_tests_name("enps_trend_view", tests, NULL, NULL);
}
