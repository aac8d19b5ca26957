/*
 * tests/analysis/test_enps_trend.c — the eNPS of every row of a history
 * and its change (analysis/enps_trend.c), on a hand-made two-wave history
 * of two teams in one unit whose figures are worked out in the comments
 * and by R (the lines below).
 *
 * Wave 1: A 4 answers, 2 promoters, 1 detractor (shares 50 / 25); B 5
 * answers, 1 promoter, 3 detractors (20 / 60).  Wave 2: A 5, 4 promoters,
 * no detractor (80 / 0); B 5, 2 promoters, 1 detractor (40 / 20).
 * The company (and the unit U holding both teams) is the sum of its
 * teams: wave 1 n 9, 3 promoters, 4 detractors; wave 2 n 10, 6 and 1.
 * R:
 *   e <- function(P, D, n) { x <- 100 * (P - D) / n
 *                            c(x, 100 * sqrt((P / n + D / n - ((P - D) / n)^2) / n)) }
 *   a <- e(3, 4, 9); b <- e(6, 1, 10); d <- b[1] - a[1]; se <- sqrt(a[2]^2 + b[2]^2)
 *   c(a, b, d, se, d - 1.96 * se, d + 1.96 * se, 2 * pnorm(-abs(d / se)))
 *   # -11.111111111111111 29.162992125969666 50 21.213203435596427
 *   # 61.111111111111114 36.062170064201197 -9.570742214723225 131.79296443694545
 *   # 0.090150496850735007
 *   A0 <- e(2, 1, 4); A1 <- e(4, 0, 5); dA <- A1[1] - A0[1]; seA <- sqrt(A0[2]^2 + A1[2]^2)
 *   c(A0, A1, dA, seA, 2 * pnorm(-abs(dA / seA)))
 *   # 25 41.457809879442500 80 17.888543819998315 55 45.152519309557910
 *   # 0.22318836187904154
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "../../analysis/enps_trend.h"
#include "close.h"

#define assert_r(got, want) check_close((got), (want), 1e-13, #got, __FILE__, __LINE__)

typedef struct {
    analysis_manager_t managers[2][2];
    analysis_scale_t scale[2];
    results_t results[2];
    const results_t *by_wave[2];
    units_figures_t unit_figures[2];
    units_scale_t unit_scale[2];
    const char *unit_names[1];
    size_t unit_of[2];
    units_t units[2];
    units_t *units_by_wave[2];
    trend_row_t rows[8];
    trend_scale_t trend_scale;
    trend_t trend;
} history_t;

static void set_manager(analysis_manager_t *m, size_t j, size_t n, double fav, double unf)
{
    *m = (analysis_manager_t){ .manager = j, .n = n, .favourable_pct = fav, .unfavourable_pct = unf };
}

/* Rows in trend_run's order: the company, the unit, then A and B, each by wave. */
static void build(history_t *h)
{
    memset(h, 0, sizeof *h);
    set_manager(&h->managers[0][0], 0, 4, 50, 25);
    set_manager(&h->managers[0][1], 1, 5, 20, 60);
    set_manager(&h->managers[1][0], 0, 5, 80, 0);
    set_manager(&h->managers[1][1], 1, 5, 40, 20);
    h->unit_names[0] = "U";
    h->unit_figures[0] = (units_figures_t){ .n = 9, .favourable_pct = 100.0 * 3 / 9, .unfavourable_pct = 100.0 * 4 / 9 };
    h->unit_figures[1] = (units_figures_t){ .n = 10, .favourable_pct = 60, .unfavourable_pct = 10 };
    for (int w = 0; w < 2; w++) {
        h->scale[w] = (analysis_scale_t){ .n_managers = 2, .managers = h->managers[w] };
        h->results[w] = (results_t){ 1, &h->scale[w] };
        h->by_wave[w] = &h->results[w];
        h->unit_scale[w].units = &h->unit_figures[w];
        h->units[w] = (units_t){ .n_units = 1, .names = h->unit_names, .n_managers = 2, .unit_of = h->unit_of,
                                 .n_scales = 1, .scales = &h->unit_scale[w] };
        h->units_by_wave[w] = &h->units[w];
    }
    static const char *const groups[4] = { "", "U", "A", "B" };
    static const trend_level_t levels[4] = { TREND_COMPANY, TREND_UNIT, TREND_MANAGER, TREND_MANAGER };
    static const size_t index[4] = { TREND_NONE, 0, 0, 1 };
    for (size_t g = 0; g < 4; g++)
        for (size_t w = 0; w < 2; w++) {
            size_t i = 2 * g + w;
            size_t n = g == 0 || g == 1 ? (w ? 10 : 9) : h->managers[w][index[g]].n;
            h->rows[i] = (trend_row_t){ .level = levels[g], .group = groups[g], .wave = w, .manager = index[g],
                                        .n = n, .previous_row = w ? i - 1 : TREND_NONE };
        }
    h->trend_scale = (trend_scale_t){ .n_rows = 8, .rows = h->rows };
    h->trend = (trend_t){ .n_waves = 2, .results = h->by_wave, .units = h->units_by_wave, .n_scales = 1,
                          .scales = &h->trend_scale };
}

static void test_rows_and_changes(void **state)
{
    (void)state;
    history_t h;
    build(&h);
    const bool nps[1] = { true };
    enps_trend_t *et = NULL;
    engage_error_t err = {0};
    assert_int_equal(enps_trend_run(&h.trend, nps, &et, &err), ENGAGE_OK);
    const enps_trend_scale_t *es = &et->scales[0];
    assert_true(es->nps);
    /* the company and the unit: the sums of their teams' counts */
    for (size_t i = 0; i < 4; i += 2) {
        assert_int_equal(es->rows[i].n, 9);
        assert_int_equal(es->rows[i].promoters, 3);
        assert_int_equal(es->rows[i].passives, 2);
        assert_int_equal(es->rows[i].detractors, 4);
        assert_r(es->rows[i].enps, -11.111111111111111);
        assert_r(es->rows[i].se, 29.162992125969666);
        assert_int_equal(es->rows[i + 1].promoters, 6);
        assert_int_equal(es->rows[i + 1].detractors, 1);
        assert_r(es->rows[i + 1].enps, 50);
        assert_r(es->rows[i + 1].se, 21.213203435596427);
        assert_nan(es->change[i].delta);
        assert_r(es->change[i + 1].delta, 61.111111111111114);
        assert_r(es->change[i + 1].se, 36.062170064201197);
        assert_r(es->change[i + 1].ci_low, -9.570742214723225);
        assert_r(es->change[i + 1].ci_high, 131.79296443694545);
        assert_r(es->change[i + 1].p_value, 0.090150496850735007);
    }
    /* team A: 25 then 80 */
    assert_r(es->rows[4].enps, 25);
    assert_r(es->rows[4].se, 41.457809879442500);
    assert_r(es->rows[5].enps, 80);
    assert_r(es->rows[5].se, 17.888543819998315);
    assert_nan(es->change[4].p_value);
    assert_r(es->change[5].delta, 55);
    assert_r(es->change[5].se, 45.152519309557910);
    assert_r(es->change[5].p_value, 0.22318836187904154);
    /* team B: 20 - 60 = -40, then 40 - 20 = 20 */
    assert_r(es->rows[6].enps, -40);
    assert_r(es->rows[7].enps, 20);
    assert_r(es->change[7].delta, 60);
    enps_trend_free(et);
}

/* A scale not of kind = nps gets no rows. */
static void test_other_scale(void **state)
{
    (void)state;
    history_t h;
    build(&h);
    const bool nps[1] = { false };
    enps_trend_t *et = NULL;
    engage_error_t err = {0};
    assert_int_equal(enps_trend_run(&h.trend, nps, &et, &err), ENGAGE_OK);
    assert_false(et->scales[0].nps);
    assert_null(et->scales[0].rows);
    assert_null(et->scales[0].change);
    enps_trend_free(et);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_and_changes),
        cmocka_unit_test(test_other_scale),
    };
    return cmocka_run_group_tests_name("enps_trend", tests, NULL, NULL);
}
