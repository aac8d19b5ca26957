/*
 * tests/report/test_trend_view.c — trend.csv's decision for an earlier
 * wave's units (report/trend_view.c), on hand-made counts whose outcome is
 * worked out in the comments, and the last wave taken as the view gives it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "../../report/privacy.h"
#include "../../report/trend_view.h"

enum { MAX_TEAMS = 8, MAX_UNITS = 4 };

typedef struct {
    analysis_manager_t managers[MAX_TEAMS];
    analysis_scale_t scale[2];
    results_t results[2];
    const results_t *by_wave[2];
    units_figures_t unit_figures[MAX_UNITS];
    units_scale_t unit_scale;
    const char *names[MAX_UNITS];
    size_t unit_of[MAX_TEAMS];
    units_t units;
    units_t *units_by_wave[2];
    trend_row_t rows[MAX_UNITS + MAX_TEAMS];
    trend_scale_t trend_scale;
    trend_t trend;
} history_t;

/* Wave 0 of a two-wave history: teams of sizes n[] in units unit[]; rows
 * for its units, then its managers.  Wave 1 (the last) is empty. */
static void build(history_t *h, const size_t *n, const size_t *unit, size_t teams, size_t units)
{
    memset(h, 0, sizeof *h);
    static const char *const unit_names[MAX_UNITS] = { "U1", "U2", "U3", "U4" };
    for (size_t j = 0; j < teams; j++) {
        h->managers[j] = (analysis_manager_t){ .manager = j, .n = n[j], .mean = 3, .sd = 1 };
        h->unit_of[j] = unit[j];
        h->unit_figures[unit[j]].n += n[j];
    }
    h->scale[0] = (analysis_scale_t){ .n_managers = teams, .managers = h->managers };
    for (int w = 0; w < 2; w++) {
        h->results[w] = (results_t){ 1, &h->scale[w] };
        h->by_wave[w] = &h->results[w];
    }
    for (size_t u = 0; u < units; u++)
        h->names[u] = unit_names[u];
    h->unit_scale.units = h->unit_figures;
    h->units = (units_t){ .n_units = units, .names = h->names, .n_managers = teams, .unit_of = h->unit_of,
                          .n_scales = 1, .scales = &h->unit_scale };
    h->units_by_wave[0] = &h->units;
    size_t r = 0;
    for (size_t u = 0; u < units; u++)
        h->rows[r++] = (trend_row_t){ .level = TREND_UNIT, .group = h->names[u], .wave = 0, .manager = u,
                                      .n = h->unit_figures[u].n, .mean = 3, .previous_row = TREND_NONE,
                                      .welch = { NAN, NAN, NAN, NAN } };
    for (size_t j = 0; j < teams; j++)
        h->rows[r++] = (trend_row_t){ .level = TREND_MANAGER, .group = "", .wave = 0, .manager = j, .n = n[j],
                                      .mean = 3, .previous_row = TREND_NONE, .welch = { NAN, NAN, NAN, NAN } };
    h->trend_scale = (trend_scale_t){ .n_rows = r, .rows = h->rows };
    h->trend = (trend_t){ .n_waves = 2, .results = h->by_wave, .units = h->units_by_wave, .n_scales = 1,
                          .scales = &h->trend_scale };
}

static trend_view_t *decide(const history_t *h)
{
    static const bool none[1] = { false };
    const bool *last[1] = { none };
    trend_view_t *tv = NULL;
    engage_error_t err = {0};
    assert_int_equal(trend_view_build(&h->trend, 5, last, NULL, NULL, &tv, &err), ENGAGE_OK);
    return tv;
}

static void test_units_cover_their_hidden_part(void **state)
{
    (void)state;
    /* teams A 2, B 6 in U1; C 7, D 3 in U2; E 8 in U3; min_group 5.
     * Managers: A and D below 5 are hidden, 5 hidden in all: no secondary.
     * U1 = 8 with A's 2 uncovered (1..4): hidden; U2 = 10 with D's 3
     * uncovered: hidden; U3 = 8, nothing uncovered: shown.  Remainder: the
     * uncovered people of hidden units, 2 + 3 = 5: nothing more. */
    static const size_t n[] = { 2, 6, 7, 3, 8 }, unit[] = { 0, 0, 1, 1, 2 };
    history_t h;
    build(&h, n, unit, 5, 3);
    trend_view_t *tv = decide(&h);
    const unsigned char want[] = { PRIVACY_SECONDARY, PRIVACY_SECONDARY, PRIVACY_SHOWN,
                                   PRIVACY_PRIMARY, PRIVACY_SHOWN, PRIVACY_SHOWN, PRIVACY_PRIMARY, PRIVACY_SHOWN };
    for (size_t i = 0; i < sizeof want; i++)
        assert_int_equal(tv->scales[0].reason[i], want[i]);
    trend_view_free(tv);
}

static void test_the_company_remainder_grows_to_min_group(void **state)
{
    (void)state;
    /* A 2, B 6 in U1; C 2, D 3, E 6 in U2; F 8 in U3; min_group 5.
     * Managers: A, C, D hidden (7 in all): B, E, F shown.  U1 = 8 with 2
     * uncovered: hidden; U2 = 11 with C + D = 5 uncovered: may show; U3 = 8
     * with 0: shown.  Then the company minus U2, U3, B isolates A's 2: the
     * shown unit with the least uncovered above 0, U2 (5), is hidden too,
     * and the remainder is 2 + 5 = 7. */
    static const size_t n[] = { 2, 6, 2, 3, 6, 8 }, unit[] = { 0, 0, 1, 1, 1, 2 };
    history_t h;
    build(&h, n, unit, 6, 3);
    trend_view_t *tv = decide(&h);
    assert_int_equal(tv->scales[0].reason[0], PRIVACY_SECONDARY);  /* U1 */
    assert_int_equal(tv->scales[0].reason[1], PRIVACY_SECONDARY);  /* U2 */
    assert_int_equal(tv->scales[0].reason[2], PRIVACY_SHOWN);      /* U3 */
    const unsigned char managers[] = { PRIVACY_PRIMARY, PRIVACY_SHOWN, PRIVACY_PRIMARY, PRIVACY_PRIMARY,
                                       PRIVACY_SHOWN, PRIVACY_SHOWN };
    for (size_t j = 0; j < 6; j++)
        assert_int_equal(tv->scales[0].reason[3 + j], managers[j]);
    trend_view_free(tv);
}

static void test_a_small_unit_and_the_secondary_manager(void **state)
{
    (void)state;
    /* A 3 in U1 (alone, so U1 = 3 < 5: primary); B 5, C 9 in U2; min_group 5.
     * Managers: A hidden (3), then the secondary rule hides the smallest
     * shown, B (5): 8 hidden.  U2 = 14 with B's 5 uncovered: shown.  The
     * remainder is U1's 3 (1..4): U2, the only shown unit with an uncovered
     * part, is hidden, and the remainder is 8 — the wave's hidden people. */
    static const size_t n[] = { 3, 5, 9 }, unit[] = { 0, 1, 1 };
    history_t h;
    build(&h, n, unit, 3, 2);
    trend_view_t *tv = decide(&h);
    const unsigned char want[] = { PRIVACY_PRIMARY, PRIVACY_SECONDARY, PRIVACY_PRIMARY, PRIVACY_SECONDARY,
                                   PRIVACY_SHOWN };
    for (size_t i = 0; i < sizeof want; i++)
        assert_int_equal(tv->scales[0].reason[i], want[i]);
    trend_view_free(tv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units_cover_their_hidden_part),
        cmocka_unit_test(test_the_company_remainder_grows_to_min_group),
        cmocka_unit_test(test_a_small_unit_and_the_secondary_manager),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
