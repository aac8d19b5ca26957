/*
 * tests/report/test_leaders_view.c — the tree rule wired into the view
 * (report/view.c): leaders.csv's orgs and managers.csv's teams decided
 * together, on a hand-made tree with min_group 5:
 *
 *   T ─┬─ A ─┬─ a1..a5        T's team: A, B, t1..t3 (5)
 *      │     ├─ A2 ── x1..x5  A's team: a1..a5, A2, A3 (7)
 *      │     └─ A3 ── y1, y2  A2's team 5, A3's team 2
 *      ├─ B ──── b1..b5       B's team 5
 *      └─ t1, t2, t3
 *
 * managers.csv hides A3 (2) and then A2 (the next smallest, 7 hidden).  A2's
 * org (the same 5 people) passes min_group, but A's org minus A's shown
 * team and A2's org would leave y1 and y2: the tree rule hides A2's org.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../analysis/analysis.h"
#include "../../report/view.h"

typedef struct {
    const char *id, *manager;  /* manager NULL: a top */
    bool answers;
} person_t;

static const person_t people[] = {
    { "T", NULL, false },
    { "A", "T", true }, { "B", "T", true }, { "t1", "T", true }, { "t2", "T", true }, { "t3", "T", true },
    { "a1", "A", true }, { "a2", "A", true }, { "a3", "A", true }, { "a4", "A", true }, { "a5", "A", true },
    { "A2", "A", true }, { "A3", "A", true },
    { "x1", "A2", true }, { "x2", "A2", true }, { "x3", "A2", true }, { "x4", "A2", true }, { "x5", "A2", true },
    { "y1", "A3", true }, { "y2", "A3", true },
    { "b1", "B", true }, { "b2", "B", true }, { "b3", "B", true }, { "b4", "B", true }, { "b5", "B", true },
};
enum { PEOPLE = sizeof people / sizeof people[0] };

static size_t find(const char *id)
{
    for (size_t v = 0; v < PEOPLE; v++)
        if (strcmp(people[v].id, id) == 0)
            return v;
    fail_msg("no person %s", id);
    return 0;
}

static dataset_t *tree_dataset(void)
{
    dataset_t *ds = dataset_new();
    assert_non_null(ds);
    size_t item;
    assert_int_equal(dataset_add_column(ds, "y1", &item), ENGAGE_OK);
    bool reverse = false;
    dataset_scale_t scale = { "engagement", 1, &item, &reverse, 1, 5, 0.5, 4, 2 };
    assert_int_equal(dataset_add_scale(ds, &scale), ENGAGE_OK);
    for (size_t v = 0; v < PEOPLE; v++) {
        if (!people[v].answers)
            continue;
        double value = (double)(1 + v % 5);
        assert_int_equal(dataset_add_row(ds, people[v].id, people[v].manager, &value, 0, (long)v + 2, NULL, NULL),
                         ENGAGE_OK);
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    uint32_t parent[PEOPLE];
    for (size_t v = 0; v < PEOPLE; v++)
        parent[v] = people[v].manager ? (uint32_t)find(people[v].manager) : ORG_TOP;
    org_t *org;
    uint32_t *loop = NULL;
    size_t loop_len = 0;
    assert_int_equal(org_build(parent, PEOPLE, &org, &loop, &loop_len), ENGAGE_OK);
    for (size_t v = 0; v < PEOPLE; v++) {
        assert_int_equal(org_label(org, v, people[v].id, NULL), ENGAGE_OK);
        org_set_invited(org, v, true);
        if (people[v].answers)
            org_mark_responded(org, v);
    }
    dataset_set_org(ds, org);
    return ds;
}

static size_t leader_row(const view_t *view, const dataset_t *ds, const char *id)
{
    const leaders_t *l = view->leaders;
    for (size_t r = 1; r < l->n_rows; r++)
        if (strcmp(org_id(dataset_org(ds), l->node[r]), id) == 0)
            return r;
    fail_msg("no leader %s", id);
    return 0;
}

static size_t manager_index(const dataset_t *ds, const char *id)
{
    for (size_t m = 0; m < dataset_n_managers(ds); m++)
        if (strcmp(dataset_manager_id(ds, m), id) == 0)
            return m;
    fail_msg("no manager %s", id);
    return 0;
}

static void test_tree_hides_the_org_that_would_reveal(void **state)
{
    (void)state;
    dataset_t *ds = tree_dataset();
    results_t *res;
    assert_int_equal(analysis_run(ds, &res, NULL), ENGAGE_OK);
    report_input_t in = { .dataset = ds, .results = res };
    view_t *view;
    assert_int_equal(view_build(&in, &view, NULL), ENGAGE_OK);
    assert_true(view->with_tree);
    assert_int_equal(view->smallest_shown, 5);
    const leaders_t *l = view->leaders;
    assert_int_equal(l->n_rows, 6);   /* the company, T, A, A2, A3, B */

    size_t rT = leader_row(view, ds, "T"), rA = leader_row(view, ds, "A");
    size_t rA2 = leader_row(view, ds, "A2"), rA3 = leader_row(view, ds, "A3");
    assert_int_equal(l->scales[0].orgs[0].n, 24);
    assert_int_equal(l->scales[0].orgs[rT].n, 24);
    assert_int_equal(l->scales[0].orgs[rA].n, 14);
    assert_int_equal(l->scales[0].orgs[rA2].n, 5);
    assert_int_equal(l->scales[0].orgs[rA3].n, 2);

    /* managers.csv: A3 below min_group, A2 the next smallest */
    assert_false(view_manager_shown(view, 0, manager_index(ds, "A3")));
    assert_false(view_manager_shown(view, 0, manager_index(ds, "A2")));
    assert_true(view_manager_shown(view, 0, manager_index(ds, "A")));
    assert_true(view_manager_shown(view, 0, manager_index(ds, "B")));
    assert_true(view_manager_shown(view, 0, manager_index(ds, "T")));

    /* leaders.csv: A3 below min_group; A2 (5 people) hidden by the tree rule */
    assert_true(view_leader_shown(view, 0, 0));
    assert_true(view_leader_shown(view, 0, rT));
    assert_true(view_leader_shown(view, 0, rA));
    assert_false(view_leader_shown(view, 0, rA3));
    assert_int_equal(view->scales[0].leader_reason[rA3], PRIVACY_PRIMARY);
    assert_false(view_leader_shown(view, 0, rA2));
    assert_int_equal(view->scales[0].leader_reason[rA2], PRIVACY_SECONDARY);

    /* what A's figures less A's shown team leave: 7 (A2's and A3's people) */
    size_t left = l->scales[0].orgs[rA].n - res->scales[0].managers[manager_index(ds, "A")].n;
    assert_int_equal(left, 7);
    /* the summary counts the decision as it ends */
    assert_int_equal(view->scales[0].decision->summary.n_shown, 3);
    assert_int_equal(view->scales[0].decision->summary.hidden, 7);
    view_free(view);
    results_free(res);
    dataset_free(ds);
}

/* Without a tree: the company row alone, shown as the scale is, whatever
 * its teams. */
static void test_without_tree_the_company_alone(void **state)
{
    (void)state;
    dataset_t *ds = dataset_new();
    size_t item;
    assert_int_equal(dataset_add_column(ds, "y1", &item), ENGAGE_OK);
    bool reverse = false;
    dataset_scale_t scale = { "engagement", 1, &item, &reverse, 1, 5, 0.5, 4, 2 };
    assert_int_equal(dataset_add_scale(ds, &scale), ENGAGE_OK);
    for (int i = 0; i < 6; i++) {
        char id[16];
        snprintf(id, sizeof id, "r%d", i);
        double value = (double)(1 + i % 5);
        assert_int_equal(dataset_add_row(ds, id, i < 3 ? "M1" : "M2", &value, 0, i + 2, NULL, NULL), ENGAGE_OK);
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    results_t *res;
    assert_int_equal(analysis_run(ds, &res, NULL), ENGAGE_OK);
    report_input_t in = { .dataset = ds, .results = res };
    view_t *view;
    assert_int_equal(view_build(&in, &view, NULL), ENGAGE_OK);
    assert_false(view->with_tree);
    assert_int_equal(view->leaders->n_rows, 1);
    assert_int_equal(view->leaders->scales[0].orgs[0].n, 6);
    /* 1 2 3 4 5 1 */
    assert_true(fabs(view->leaders->scales[0].orgs[0].mean - 16.0 / 6.0) < 1e-12);
    assert_true(view_leader_shown(view, 0, 0));
    assert_false(view_manager_shown(view, 0, 0));   /* teams of 3 */
    view_free(view);
    results_free(res);
    dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tree_hides_the_org_that_would_reveal),
        cmocka_unit_test(test_without_tree_the_company_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
