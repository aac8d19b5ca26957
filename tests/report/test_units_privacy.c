/*
 * tests/report/test_units_privacy.c — privacy across levels
 * (privacy_levels): a unit whose one small team would be revealed by the
 * unit minus its shown managers; a fixed point that needs more than one
 * round (a unit hidden, then a change row); a unit whose managers are all
 * hidden; managers without a unit; and on random instances, with and
 * without a previous wave, that every part a subtraction can isolate holds
 * 0 or at least min_group respondents.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../../report/privacy.h"

enum { MAX_MANAGERS = 40, MAX_UNITS = 8 };

typedef struct {
    size_t count, n_units;
    size_t n[MAX_MANAGERS], unit_of[MAX_MANAGERS], n_previous[MAX_MANAGERS], row_of[MAX_MANAGERS];
    bool with_rows;
    unsigned char reason[MAX_MANAGERS], unit_reason[MAX_UNITS], row_reason[MAX_MANAGERS];
    size_t rounds;
} instance_t;

/* privacy_suppress, privacy_suppress_changes (one change row per manager)
 * and privacy_levels, as report_write runs them. */
static void decide(instance_t *t, long k)
{
    assert_int_equal(privacy_suppress(t->n, t->count, k, t->reason, NULL, NULL), ENGAGE_OK);
    for (size_t j = 0; j < t->count; j++)
        t->row_of[j] = j;
    if (t->with_rows)
        assert_int_equal(privacy_suppress_changes(t->n_previous, t->n, t->count, k, t->row_reason,
                                                  NULL, NULL), ENGAGE_OK);
    privacy_levels_t lv = {
        .n_managers = t->count, .n = t->n, .reason = t->reason,
        .n_units = t->n_units, .unit_of = t->n_units ? t->unit_of : NULL,
        .unit_reason = t->n_units ? t->unit_reason : NULL,
        .n_rows = t->with_rows ? t->count : 0, .row_n_previous = t->n_previous, .row_n = t->n,
        .row_reason = t->row_reason, .row_of = t->row_of,
    };
    assert_int_equal(privacy_levels(&lv, k, &t->rounds, NULL), ENGAGE_OK);
}

static bool published(const instance_t *t, size_t j)
{
    return t->reason[j] == PRIVACY_SHOWN || (t->with_rows && t->row_reason[j] == PRIVACY_SHOWN);
}

static void assert_part(size_t people, long k, const char *what)
{
    if (people != 0 && people < (size_t)k)
        fail_msg("%s: %zu people can be isolated by subtraction", what, people);
}

/* Every subtraction: each shown unit minus its published managers; the
 * company minus its shown units and the published managers of hidden
 * units; each table alone against the company (managers.csv, changes.csv
 * in each wave); and every shown group holds at least k. */
static void assert_safe(const instance_t *t, long k)
{
    size_t total = 0, unit_n[MAX_UNITS] = { 0 };
    for (size_t j = 0; j < t->count; j++) {
        total += t->n[j];
        if (t->n_units)
            unit_n[t->unit_of[j]] += t->n[j];
        if (t->reason[j] == PRIVACY_SHOWN)
            assert_true(t->n[j] >= (size_t)k);
        if (t->with_rows && t->row_reason[j] == PRIVACY_SHOWN)
            assert_true(t->n[j] >= (size_t)k && t->n_previous[j] >= (size_t)k);
    }
    if (total < (size_t)k)
        return; /* the scale is suppressed as a whole */
    size_t part[MAX_UNITS + 1] = { 0 }, hidden_m = 0, hidden_now = 0, hidden_previous = 0;
    size_t hidden_units = 0;
    for (size_t u = 0; u < t->n_units; u++)
        if (t->unit_reason[u] != PRIVACY_SHOWN)
            hidden_units += unit_n[u];
        else
            assert_true(unit_n[u] >= (size_t)k);
    for (size_t j = 0; j < t->count; j++) {
        size_t p = t->n_units == 0 ? 0
                   : t->unit_reason[t->unit_of[j]] == PRIVACY_SHOWN ? t->unit_of[j] + 1 : 0;
        if (!published(t, j))
            part[p] += t->n[j];
        if (t->reason[j] != PRIVACY_SHOWN)
            hidden_m += t->n[j];
        if (t->with_rows && t->row_reason[j] != PRIVACY_SHOWN) {
            hidden_now += t->n[j];
            hidden_previous += t->n_previous[j];
        }
    }
    for (size_t p = 0; p <= t->n_units; p++)
        assert_part(part[p], k, p ? "a unit minus its published managers" : "the company part");
    assert_part(hidden_m, k, "company minus managers.csv");
    assert_part(hidden_units, k, "company minus units.csv");
    size_t total_previous = 0;
    for (size_t j = 0; j < t->count; j++)
        total_previous += t->n_previous[j];
    if (t->with_rows) {
        assert_part(hidden_now, k, "company minus changes.csv (this wave)");
        if (total_previous >= (size_t)k) /* else its total is not shown */
            assert_part(hidden_previous, k, "company minus changes.csv (previous wave)");
    }
}

/* U0: A 3, B 20; U1: C 30, D 40, E 10.  The scale rule hides A and E;
 * U0 minus B would be A alone, so B is hidden too. */
static void test_unit_minus_shown_managers(void **state)
{
    (void)state;
    instance_t t = { .count = 5, .n_units = 2, .n = { 3, 20, 30, 40, 10 },
                     .unit_of = { 0, 0, 1, 1, 1 } };
    decide(&t, 5);
    const unsigned char want[] = { PRIVACY_PRIMARY, PRIVACY_SECONDARY, PRIVACY_SHOWN,
                                   PRIVACY_SHOWN, PRIVACY_SECONDARY };
    assert_memory_equal(t.reason, want, sizeof want);
    assert_int_equal(t.unit_reason[0], PRIVACY_SHOWN);
    assert_int_equal(t.unit_reason[1], PRIVACY_SHOWN);
    assert_int_equal(t.rounds, 1);
    assert_safe(&t, 5);
}

/* With a previous wave.  U0: A 3 (previous 10), B 20 (20); U1: C 30
 * (previous 2), D 40 (40).  managers.csv hides A and B, changes.csv A and
 * C; B's change shows its mean, so U0 minus B would be A alone and no team
 * of U0 is left to hide in managers.csv: round 1 hides U0; in round 2 A
 * and B are in the company part, where B's change row is hidden; round 3
 * changes nothing. */
static void test_fixed_point_rounds(void **state)
{
    (void)state;
    instance_t t = { .count = 4, .n_units = 2, .n = { 3, 20, 30, 40 },
                     .unit_of = { 0, 0, 1, 1 }, .n_previous = { 10, 20, 2, 40 },
                     .with_rows = true };
    decide(&t, 5);
    assert_int_equal(t.unit_reason[0], PRIVACY_SECONDARY);
    assert_int_equal(t.unit_reason[1], PRIVACY_SHOWN);
    assert_int_equal(t.reason[0], PRIVACY_PRIMARY);
    assert_int_equal(t.reason[1], PRIVACY_SECONDARY);
    assert_int_equal(t.reason[2], PRIVACY_SHOWN);
    assert_int_equal(t.reason[3], PRIVACY_SHOWN);
    assert_int_equal(t.row_reason[1], PRIVACY_SECONDARY);
    assert_int_equal(t.row_reason[3], PRIVACY_SHOWN);
    assert_int_equal(t.rounds, 3);
    assert_safe(&t, 5);
}

/* Without units, a previous wave: managers.csv hides B (2) and A (6),
 * changes.csv B and D (new); A's change shows A's mean, so the company
 * minus A, C and D would be B alone: D, whose change is hidden anyway, is
 * hidden in managers.csv. */
static void test_changes_with_managers(void **state)
{
    (void)state;
    instance_t t = { .count = 4, .n = { 6, 2, 8, 7 }, .n_previous = { 6, 6, 6, 0 },
                     .with_rows = true };
    decide(&t, 5);
    const unsigned char want[] = { PRIVACY_SECONDARY, PRIVACY_PRIMARY, PRIVACY_SHOWN,
                                   PRIVACY_SECONDARY };
    assert_memory_equal(t.reason, want, sizeof want);
    assert_int_equal(t.row_reason[0], PRIVACY_SHOWN);
    assert_int_equal(t.row_reason[2], PRIVACY_SHOWN);
    assert_int_equal(t.rounds, 1);
    assert_safe(&t, 5);
}

/* U0: three teams of 2, 2 and 3, all hidden; the unit (7) is shown: it
 * reveals nothing a team alone would.  Hidden 7 in the company: fine. */
static void test_unit_of_hidden_managers(void **state)
{
    (void)state;
    instance_t t = { .count = 5, .n_units = 2, .n = { 2, 2, 3, 30, 40 },
                     .unit_of = { 0, 0, 0, 1, 1 } };
    decide(&t, 5);
    assert_int_equal(t.unit_reason[0], PRIVACY_SHOWN);
    for (size_t j = 0; j < 3; j++)
        assert_int_equal(t.reason[j], PRIVACY_PRIMARY);
    assert_int_equal(t.reason[3], PRIVACY_SHOWN);
    assert_int_equal(t.reason[4], PRIVACY_SHOWN);
    assert_safe(&t, 5);
}

/* Managers without a unit are the unit "" (index 0 here), a unit like any
 * other; with every manager in it, the rules are those of managers.csv
 * alone and its decision does not change. */
static void test_no_unit(void **state)
{
    (void)state;
    instance_t t = { .count = 5, .n_units = 1, .n = { 3, 12, 8, 30, 1 } };
    unsigned char alone[5];
    assert_int_equal(privacy_suppress(t.n, t.count, 5, alone, NULL, NULL), ENGAGE_OK);
    decide(&t, 5);
    assert_memory_equal(t.reason, alone, sizeof alone);
    assert_int_equal(t.unit_reason[0], PRIVACY_SHOWN);
    assert_safe(&t, 5);

    /* "" (2 and 2) and North (20, 25): "" is hidden, and so is the
     * smallest other unit, so that the company minus North is not "" alone */
    instance_t u = { .count = 4, .n_units = 2, .n = { 2, 2, 20, 25 }, .unit_of = { 0, 0, 1, 1 } };
    decide(&u, 5);
    assert_int_equal(u.unit_reason[0], PRIVACY_PRIMARY);
    assert_int_equal(u.unit_reason[1], PRIVACY_SECONDARY);
    assert_safe(&u, 5);
}

/* Random instances: teams of 0 to 14, up to 6 units, with and without a
 * previous wave, min_group 3 to 6. */
static void test_random(void **state)
{
    (void)state;
    srand(7);
    size_t max_rounds = 0;
    for (int c = 0; c < 20000; c++) {
        instance_t t = { 0 };
        t.count = 1 + (size_t)rand() % 25;
        t.n_units = (size_t)rand() % 7;
        t.with_rows = rand() % 2;
        long k = 3 + rand() % 4;
        for (size_t j = 0; j < t.count; j++) {
            t.n[j] = (size_t)rand() % 15;
            t.n_previous[j] = (size_t)rand() % 15;
            t.unit_of[j] = t.n_units ? (size_t)rand() % t.n_units : 0;
        }
        decide(&t, k);
        assert_safe(&t, k);
        if (t.rounds > max_rounds)
            max_rounds = t.rounds;
    }
    assert_true(max_rounds >= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unit_minus_shown_managers),
        cmocka_unit_test(test_fixed_point_rounds),
        cmocka_unit_test(test_changes_with_managers),
        cmocka_unit_test(test_unit_of_hidden_managers),
        cmocka_unit_test(test_no_unit),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
