/*
 * tests/report/test_privacy.c — primary and secondary suppression: a table
 * of cases, then random team sizes checked against the rule as written and
 * against a slow reference implementation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../report/privacy.h"

enum { MAXJ = 16 };

typedef struct {
    const char *name;
    long min_group;
    size_t count;
    size_t n[MAXJ];
    const char *want;     /* per manager: '.' shown, 'P' primary, 'S' secondary */
    size_t hidden;
    bool scale_suppressed;
} privacy_case_t;

static const privacy_case_t cases[] = {
    { "nothing small", 5, 3, { 5, 7, 10 }, "...", 0, false },
    { "primary only, hidden reaches min_group", 5, 4, { 2, 3, 10, 12 }, "PP..", 5, false },
    { "secondary", 5, 4, { 3, 6, 8, 9 }, "PS..", 9, false },
    { "secondary picks the smallest shown", 5, 4, { 9, 3, 7, 6 }, ".P.S", 9, false },
    { "secondary tie: lowest index", 5, 5, { 9, 2, 6, 6, 7 }, ".PS..", 8, false },
    { "secondary tie, reversed positions", 5, 5, { 6, 7, 6, 2, 9 }, "S..P.", 8, false },
    { "n = 0 hides nobody", 5, 4, { 0, 0, 6, 7 }, "PP..", 0, false },
    { "n = 0 with a small team", 5, 4, { 0, 4, 5, 9 }, "PPS.", 9, false },
    { "everyone primary, enough in total", 5, 3, { 1, 2, 3 }, "PPP", 6, false },
    { "secondary hides the last shown", 5, 2, { 1, 5 }, "PS", 6, false },
    { "whole scale below min_group", 5, 3, { 1, 2, 1 }, "PPP", 4, true },
    { "whole scale empty", 3, 3, { 0, 0, 0 }, "PPP", 0, true },
    { "no managers", 5, 0, { 0 }, "", 0, true },
    { "exactly min_group in total", 5, 2, { 2, 3 }, "PP", 5, false },
    { "min_group 3", 3, 6, { 3, 1, 3, 4, 0, 3 }, "SP..P.", 4, false },
    /* sizes far beyond the count of teams: sorted by qsort, not counted */
    { "large teams: secondary picks the smallest", 5, 4, { 900000, 3, 700000, 600000 }, ".P.S", 600003, false },
    { "large teams: tie on lowest index", 5, 4, { 800000, 800000, 1, 900000 }, "S.P.", 800001, false },
};

static void test_table(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const privacy_case_t *t = &cases[c];
        unsigned char reason[MAXJ];
        privacy_summary_t sum;
        assert_int_equal(privacy_suppress(t->n, t->count, t->min_group, reason, &sum, NULL),
                         ENGAGE_OK);
        char got[MAXJ + 1];
        for (size_t j = 0; j < t->count; j++)
            got[j] = reason[j] == PRIVACY_SHOWN ? '.' : reason[j] == PRIVACY_PRIMARY ? 'P' : 'S';
        got[t->count] = '\0';
        if (strcmp(got, t->want) != 0)
            fail_msg("%s: got %s, want %s", t->name, got, t->want);
        if (sum.hidden != t->hidden)
            fail_msg("%s: hidden %zu, want %zu", t->name, sum.hidden, t->hidden);
        if (sum.scale_suppressed != t->scale_suppressed)
            fail_msg("%s: scale_suppressed %d", t->name, sum.scale_suppressed);
        assert_int_equal(sum.n_shown + sum.n_primary + sum.n_secondary, t->count);
    }
}

/* The rule as README.md words it, computed the slow way. */
static void reference(const size_t *n, size_t count, size_t k, unsigned char *reason)
{
    size_t hidden = 0;
    for (size_t j = 0; j < count; j++) {
        reason[j] = n[j] < k ? PRIVACY_PRIMARY : PRIVACY_SHOWN;
        if (n[j] < k)
            hidden += n[j];
    }
    while (hidden > 0 && hidden < k) {
        size_t best = count;
        for (size_t j = 0; j < count; j++)
            if (reason[j] == PRIVACY_SHOWN && (best == count || n[j] < n[best]))
                best = j;
        if (best == count)
            break;
        reason[best] = PRIVACY_SECONDARY;
        hidden += n[best];
    }
}

static void test_random_property(void **state)
{
    (void)state;
    srand(12345);
    enum { J = 40 };
    for (int round = 0; round < 20000; round++) {
        size_t count = (size_t)(rand() % J);
        size_t k = 3 + (size_t)(rand() % 8);
        size_t maxn = 1 + (size_t)(rand() % 15);
        size_t n[J];
        size_t total = 0;
        for (size_t j = 0; j < count; j++) {
            n[j] = (size_t)(rand() % (int)(maxn + 1));
            total += n[j];
        }
        unsigned char reason[J], want[J];
        privacy_summary_t sum;
        assert_int_equal(privacy_suppress(n, count, (long)k, reason, &sum, NULL), ENGAGE_OK);
        reference(n, count, k, want);
        assert_memory_equal(reason, want, count);

        size_t hidden = 0, shown = 0;
        for (size_t j = 0; j < count; j++) {
            if (reason[j] == PRIVACY_SHOWN) {
                assert_true(n[j] >= k);
                shown++;
            } else {
                hidden += n[j];
            }
        }
        assert_int_equal(hidden, sum.hidden);
        assert_int_equal(shown, sum.n_shown);
        assert_int_equal(total, sum.respondents);
        /* No subtraction of shown figures from the total reveals 1..k-1
         * people; the only exception is a scale suppressed as a whole. */
        if (sum.scale_suppressed) {
            assert_true(total < k);
            assert_int_equal(shown, 0);
        } else {
            assert_true(hidden == 0 || hidden >= k);
        }
    }
}

static void test_large(void **state)
{
    (void)state;
    size_t count = 125000;
    size_t *n = malloc(count * sizeof *n);
    unsigned char *reason = malloc(count);
    assert_non_null(n);
    assert_non_null(reason);
    for (size_t j = 0; j < count; j++)
        n[j] = 5 + (j * 7919) % 20;       /* everyone shown ... */
    n[77777] = 1;                          /* ... but one */
    privacy_summary_t sum;
    assert_int_equal(privacy_suppress(n, count, 5, reason, &sum, NULL), ENGAGE_OK);
    assert_int_equal(sum.n_primary, 1);
    assert_int_equal(sum.n_secondary, 1);
    /* the smallest shown group (n = 5) with the lowest index is j = 0 */
    assert_int_equal(reason[0], PRIVACY_SECONDARY);
    assert_int_equal(reason[77777], PRIVACY_PRIMARY);
    assert_int_equal(sum.hidden, 6);
    free(n);
    free(reason);
}

static void test_privacy_new(void **state)
{
    (void)state;
    analysis_manager_t m1[3] = { { .manager = 0, .n = 2 }, { .manager = 1, .n = 6 },
                                 { .manager = 2, .n = 9 } };
    analysis_manager_t m2[3] = { { .manager = 0, .n = 1 }, { .manager = 1, .n = 1 },
                                 { .manager = 2, .n = 0 } };
    analysis_scale_t scales[2] = { { .n_managers = 3, .managers = m1 },
                                   { .n_managers = 3, .managers = m2 } };
    results_t results = { .n_scales = 2, .scales = scales };
    privacy_t *p;
    assert_int_equal(privacy_new(&results, 5, &p, NULL), ENGAGE_OK);
    assert_int_equal(p->n_scales, 2);
    assert_true(privacy_hidden(p, 0, 0));
    assert_true(privacy_hidden(p, 0, 1));
    assert_false(privacy_hidden(p, 0, 2));
    assert_false(p->scales[0].summary.scale_suppressed);
    assert_true(p->scales[1].summary.scale_suppressed);
    assert_int_equal(p->scales[1].summary.n_empty, 1);
    privacy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_random_property),
        cmocka_unit_test(test_large),
        cmocka_unit_test(test_privacy_new),
    };
    return cmocka_run_group_tests_name("privacy", tests, NULL, NULL);
}
