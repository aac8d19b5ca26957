/*
 * tests/analysis/test_leaders.c — every leader's whole organisation
 * (analysis/leaders.c) on a hand-made tree, every figure worked out by hand:
 *
 *   T ─┬─ A ─┬─ a1          invited: everyone but a2
 *      │     ├─ a2          responded: A, a1, a2, x1, b1
 *      │     └─ X ── x1
 *      └─ B ─── b1          and Z, whose manager Q is not in the tree
 *
 * Scores (two items on 1..5, favourable >= 4, unfavourable <= 2):
 * A 4 (4,4), a1 3 (2,4), a2 5 (5,5), x1 1 (1,-), b1 3 (3,3), Z 2 (2,2).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "../../analysis/analysis.h"
#include "../../analysis/leaders.h"
#include "close.h"

enum { T, A, B, a1, a2, b1, X, x1, PEOPLE };
static const char *const ids[PEOPLE] = { "T", "A", "B", "a1", "a2", "b1", "X", "x1" };

static void add(dataset_t *ds, const char *id, const char *manager, double y1, double y2)
{
    static int line = 1;
    double values[2] = { y1, y2 };
    assert_int_equal(dataset_add_row(ds, id, manager, values, 0, ++line, NULL, NULL), ENGAGE_OK);
}

static dataset_t *hand_made_tree(void)
{
    dataset_t *ds = dataset_new();
    assert_non_null(ds);
    size_t items[2];
    assert_int_equal(dataset_add_column(ds, "y1", &items[0]), ENGAGE_OK);
    assert_int_equal(dataset_add_column(ds, "y2", &items[1]), ENGAGE_OK);
    bool reverse[2] = { false, false };
    dataset_scale_t scale = { "engagement", 2, items, reverse, 1, 5, 0.5, 4, 2 };
    assert_int_equal(dataset_add_scale(ds, &scale), ENGAGE_OK);
    add(ds, "A", "T", 4, 4);
    add(ds, "a1", "A", 2, 4);
    add(ds, "a2", "A", 5, 5);
    add(ds, "x1", "X", 1, NAN);
    add(ds, "b1", "B", 3, 3);
    add(ds, "Z", "Q", 2, 2);
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);

    uint32_t parent[PEOPLE] = { ORG_TOP, T, T, A, A, B, A, X };
    org_t *org;
    uint32_t *loop = NULL;
    size_t loop_len = 0;
    assert_int_equal(org_build(parent, PEOPLE, &org, &loop, &loop_len), ENGAGE_OK);
    for (size_t v = 0; v < PEOPLE; v++) {
        char name[32];
        snprintf(name, sizeof name, "Name %s", ids[v]);
        assert_int_equal(org_label(org, v, ids[v], name), ENGAGE_OK);
        org_set_invited(org, v, v != a2);
    }
    const size_t responded[] = { A, a1, a2, x1, b1 };
    for (size_t i = 0; i < sizeof responded / sizeof responded[0]; i++)
        org_mark_responded(org, responded[i]);
    dataset_set_org(ds, org);
    return ds;
}

/* One row's head counts and figures against the hand-worked ones. */
typedef struct {
    size_t node, parent_row, team_managers, org_managers, invited, responded, n;
    double mean, ss, median;
    size_t answered, favourable, neutral, unfavourable;
} want_t;

static void check_row(const leaders_t *l, size_t r, const want_t *w)
{
    assert_int_equal(l->node[r], w->node);
    assert_int_equal(l->parent_row[r], w->parent_row);
    assert_int_equal(l->team_managers[r], w->team_managers);
    assert_int_equal(l->org_managers[r], w->org_managers);
    assert_int_equal(l->invited[r], w->invited);
    assert_int_equal(l->responded[r], w->responded);
    const leaders_figures_t *f = &l->scales[0].orgs[r];
    assert_int_equal(f->n, w->n);
    assert_close(f->mean, w->mean);
    assert_close(f->median, w->median);
    if (w->n > 1) {
        double sd = sqrt(w->ss / (double)(w->n - 1)), se = sd / sqrt((double)w->n);
        double t = gsl_cdf_tdist_Pinv(0.975, (double)(w->n - 1));
        assert_close(f->sd, sd);
        assert_close(f->se, se);
        assert_close(f->ci_low, w->mean - t * se);
        assert_close(f->ci_high, w->mean + t * se);
    } else {
        assert_nan(f->sd);
        assert_nan(f->se);
        assert_nan(f->ci_low);
        assert_nan(f->ci_high);
    }
    assert_close(f->favourable_pct, 100.0 * (double)w->favourable / (double)w->answered);
    assert_close(f->neutral_pct, 100.0 * (double)w->neutral / (double)w->answered);
    assert_close(f->unfavourable_pct, 100.0 * (double)w->unfavourable / (double)w->answered);
}

static void test_hand_made_tree(void **state)
{
    (void)state;
    dataset_t *ds = hand_made_tree();
    results_t *res;
    leaders_t *l;
    assert_int_equal(analysis_run(ds, &res, NULL), ENGAGE_OK);
    assert_int_equal(leaders_run(ds, res, &l, NULL), ENGAGE_OK);
    assert_int_equal(l->n_rows, 5);   /* the company, then T, A, X, B in pre-order */
    assert_int_equal(l->n_scales, 1);
    assert_ptr_equal(l->scales[0].scale, dataset_scale(ds, 0));
    /* the company: everyone scored, Z too; everyone invited but a2 */
    check_row(l, 0, &(want_t){ ORG_NONE, SIZE_MAX, 1, 4, 7, 4, 6, 3.0, 10.0, 3.0, 11, 5, 2, 4 });
    /* T: A a1 a2 x1 b1 = 4 3 5 1 3; below T invited A B a1 X x1 b1 */
    check_row(l, 1, &(want_t){ T, 0, 2, 3, 6, 4, 5, 3.2, 8.8, 3.0, 9, 5, 2, 2 });
    /* A: a1 a2 x1 = 3 5 1 (A's own answers count in T's team); invited a1 X x1 */
    check_row(l, 2, &(want_t){ A, 1, 1, 1, 3, 2, 3, 3.0, 8.0, 3.0, 5, 3, 0, 2 });
    /* X: x1 = 1, one answer, unfavourable */
    check_row(l, 3, &(want_t){ X, 2, 0, 0, 1, 1, 1, 1.0, 0.0, 1.0, 1, 0, 0, 1 });
    /* B: b1 = 3, two neutral answers */
    check_row(l, 4, &(want_t){ B, 1, 0, 0, 1, 1, 1, 3.0, 0.0, 3.0, 2, 0, 2, 0 });
    leaders_free(l);
    results_free(res);
    dataset_free(ds);
}

/* The manager nodes: a manager the tree lacks is ORG_NONE. */
static void test_manager_nodes(void **state)
{
    (void)state;
    dataset_t *ds = hand_made_tree();
    size_t M = dataset_n_managers(ds), node[8];
    assert_int_equal(M, 5);   /* A B Q T X in byte order */
    leaders_manager_nodes(ds, node);
    assert_int_equal(node[0], A);
    assert_int_equal(node[1], B);
    assert_int_equal(node[2], ORG_NONE);
    assert_int_equal(node[3], T);
    assert_int_equal(node[4], X);
    dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_made_tree),
        cmocka_unit_test(test_manager_nodes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
