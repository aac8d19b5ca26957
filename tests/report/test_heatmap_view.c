/*
 * tests/report/test_heatmap_view.c — heatmap.csv's decision and stand-outs
 * (report/view.c, view_heatmap_shown and view_heatmap_stands_out).
 *
 * - With every scored respondent answering every item, an item cell is
 *   hidden exactly when its group is: on 200 random trees with units (and
 *   200 quarters without a tree), min_group 3 to 6.
 * - With missing answers, on the same random data: every cell that sums
 *   and differences of shown item cells isolate holds 0 or at least
 *   min_group answers (an org minus its shown team and shown child orgs,
 *   the company minus its shown leaders; a unit minus its shown teams, the
 *   company minus its shown units and the shown teams of hidden units;
 *   with both, the hidden teams of one deepest shown org and shown unit),
 *   every shown cell has at least min_group answers, and every shown
 *   cell's group is shown on the scale.
 * - By hand: a team whose members skipped an item is hidden on it though
 *   shown on the scale, and the next-smallest team with it; a stand-out.
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

#include "../../analysis/analysis.h"
#include "../../analysis/units.h"
#include "../../core/config.h"
#include "../../report/view.h"

enum { ITEMS = 2, MAX_PEOPLE = 60 };

typedef struct {
    dataset_t *ds;
    results_t *res;
    units_t *units;
    config_t cfg;
    report_input_t in;
    view_t *view;
    size_t k;
} run_t;

static unsigned long long rng_state;

static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng_state >> 33) % n);
}

static void run_view(run_t *r, long min_group)
{
    assert_int_equal(analysis_run(r->ds, &r->res, NULL), ENGAGE_OK);
    r->units = NULL;
    if (dataset_has_units(r->ds))
        assert_int_equal(units_run(r->ds, r->res, &r->units, NULL), ENGAGE_OK);
    engage_error_t err;
    assert_int_equal(config_init_default(&r->cfg, &err), ENGAGE_OK);
    r->cfg.min_group = min_group;
    r->k = (size_t)min_group;
    r->in = (report_input_t){ .config = &r->cfg, .dataset = r->ds, .results = r->res, .units = r->units };
    assert_int_equal(view_build(&r->in, &r->view, NULL), ENGAGE_OK);
}

static void run_free(run_t *r)
{
    view_free(r->view);
    units_free(r->units);
    results_free(r->res);
    config_fini(&r->cfg);
    dataset_free(r->ds);
}

static dataset_t *new_dataset(void)
{
    dataset_t *ds = dataset_new();
    assert_non_null(ds);
    size_t items[ITEMS];
    assert_int_equal(dataset_add_column(ds, "y1", &items[0]), ENGAGE_OK);
    assert_int_equal(dataset_add_column(ds, "y2", &items[1]), ENGAGE_OK);
    bool reverse[ITEMS] = { false, false };
    dataset_scale_t scale = { "engagement", ITEMS, items, reverse, 1, 5, 0.5, 4, 2 };
    assert_int_equal(dataset_add_scale(ds, &scale), ENGAGE_OK);
    return ds;
}

/* A random quarter: people 1.. report to an earlier person (a tree of one
 * or two tops), most answer; with missing, a third of the answers to y2
 * are left out (a respondent still answers y1, so is scored).  Teams get
 * one of three units or none.  Without a tree, the managers are the same
 * ids but no org is set. */
static dataset_t *random_quarter(bool tree, bool missing)
{
    dataset_t *ds = new_dataset();
    size_t people = 8 + rnd(MAX_PEOPLE - 8), tops = 1 + rnd(2);
    uint32_t parent[MAX_PEOPLE];
    char id[MAX_PEOPLE][24];
    for (size_t v = 0; v < people; v++) {
        snprintf(id[v], sizeof id[v], "p%02zu", v);
        parent[v] = v < tops ? ORG_TOP : (uint32_t)rnd((unsigned)(v < 6 ? v : v / 2 + 1));
        if (v >= tops && parent[v] >= v)
            parent[v] = 0;
    }
    int line = 1;
    for (size_t v = tops; v < people; v++) {
        if (rnd(10) == 0)
            continue;  /* did not answer */
        double values[ITEMS] = { 1 + rnd(5), missing && rnd(3) == 0 ? NAN : 1 + rnd(5) };
        assert_int_equal(dataset_add_row(ds, id[v], id[parent[v]], values, 0, ++line, NULL, NULL), ENGAGE_OK);
    }
    /* two respondents whose manager the tree lacks */
    for (int i = 0; i < 2; i++) {
        char rid[16];
        snprintf(rid, sizeof rid, "z%d", i);
        double values[ITEMS] = { 3, missing && i ? NAN : 4 };
        assert_int_equal(dataset_add_row(ds, rid, "q", values, 0, ++line, NULL, NULL), ENGAGE_OK);
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    static const char *const units[] = { "u0", "u1", "u2" };
    for (size_t m = 0; m < dataset_n_managers(ds); m++) {
        unsigned u = rnd(4);
        if (u < 3)
            assert_int_equal(dataset_set_manager_unit(ds, m, units[u]), ENGAGE_OK);
    }
    if (tree) {
        org_t *org;
        uint32_t *loop = NULL;
        size_t loop_len = 0;
        assert_int_equal(org_build(parent, people, &org, &loop, &loop_len), ENGAGE_OK);
        for (size_t v = 0; v < people; v++)
            assert_int_equal(org_label(org, v, id[v], NULL), ENGAGE_OK);
        dataset_set_org(ds, org);
    }
    return ds;
}

static bool cell_ok(size_t n, size_t k)
{
    return n == 0 || n >= k;
}

static size_t item_n(const view_t *view, heatmap_level_t level, size_t g, size_t i)
{
    return heatmap_cell(&view->heatmap->scales[0], level, g, i)->n;
}

/* Every shown cell's group is shown on the scale; with complete answers,
 * every hidden group's cells are the hidden ones. */
static size_t check_against_groups(const run_t *r, bool complete)
{
    const view_t *view = r->view;
    const heatmap_scale_t *hs = &view->heatmap->scales[0];
    size_t hidden = 0;
    for (int level = 0; level < HEATMAP_LEVELS; level++)
        for (size_t g = 0; g < hs->n_groups[level]; g++)
            for (size_t i = 0; i < ITEMS; i++)
                if (view_heatmap_shown(view, 0, (heatmap_level_t)level, g, i))
                    assert_true(item_n(view, (heatmap_level_t)level, g, i) >= r->k);
    for (size_t i = 0; i < ITEMS; i++) {
        bool company = view_leader_shown(view, 0, 0), company_cell = view_heatmap_shown(view, 0, HEATMAP_COMPANY, 0, i);
        assert_true(complete ? company_cell == company : !company_cell || company);
        for (size_t u = 0; u < hs->n_groups[HEATMAP_UNIT]; u++) {
            bool shown = view_unit_shown(view, 0, u), cell = view_heatmap_shown(view, 0, HEATMAP_UNIT, u, i);
            assert_true(complete ? cell == shown : !cell || shown);
            hidden += !shown;
        }
        for (size_t g = 0; g < hs->n_groups[HEATMAP_LEADER]; g++) {
            bool shown = view_leader_shown(view, 0, g + 1), cell = view_heatmap_shown(view, 0, HEATMAP_LEADER, g, i);
            assert_true(complete ? cell == shown : !cell || shown);
            hidden += !shown;
        }
        for (size_t j = 0; j < hs->n_groups[HEATMAP_MANAGER]; j++) {
            bool shown = view_manager_shown(view, 0, j), cell = view_heatmap_shown(view, 0, HEATMAP_MANAGER, j, i);
            assert_true(complete ? cell == shown : !cell || shown);
            hidden += !shown;
        }
    }
    return hidden;
}

/* The tree's cells of item i, from the dataset's own tree: each shown
 * org's answers less its shown team's and each child's (the child's org
 * when shown, else what the child leaves uncovered), bottom-up; the
 * company's less its shown leaders and teams.  Returns the number of shown
 * orgs checked. */
static size_t check_tree_cells(const run_t *r, size_t i)
{
    const view_t *view = r->view;
    const dataset_t *ds = r->ds;
    const org_t *org = dataset_org(ds);
    const leaders_t *l = view->leaders;
    size_t V = org_size(org), M = dataset_n_managers(ds), checked = 0;
    size_t *uncovered = calloc(V, sizeof *uncovered);
    size_t *row_of = malloc(V * sizeof *row_of);
    assert_non_null(uncovered);
    assert_non_null(row_of);
    for (size_t v = 0; v < V; v++)
        row_of[v] = SIZE_MAX;
    for (size_t rr = 1; rr < l->n_rows; rr++)
        row_of[l->node[rr]] = rr;
    size_t outside = 0;   /* hidden answers of teams the tree lacks */
    for (size_t j = 0; j < M; j++) {
        size_t v = org_find(org, dataset_manager_id(ds, j));
        size_t hidden = view_heatmap_shown(view, 0, HEATMAP_MANAGER, j, i) ? 0 : item_n(view, HEATMAP_MANAGER, j, i);
        if (v == ORG_NONE)
            outside += hidden;
        else
            uncovered[v] += hidden;
    }
    /* deepest first: reverse pre-order */
    size_t top_uncovered = outside;
    for (size_t p = V; p-- > 0;) {
        size_t v = org_at(org, p);
        size_t rr = row_of[v];
        if (rr != SIZE_MAX && view_heatmap_shown(view, 0, HEATMAP_LEADER, rr - 1, i)) {
            assert_true(cell_ok(uncovered[v], r->k));
            checked++;
            uncovered[v] = 0;
        }
        size_t up = org_parent(org, v);
        if (up == ORG_NONE)
            top_uncovered += uncovered[v];
        else
            uncovered[up] += uncovered[v];
    }
    if (view_heatmap_shown(view, 0, HEATMAP_COMPANY, 0, i))
        assert_true(cell_ok(top_uncovered, r->k));
    free(uncovered);
    free(row_of);
    return checked;
}

/* Units across the tree, item i: the hidden teams grouped by their deepest
 * shown org (the company when none) and their unit when its cell is
 * shown; each group holds 0 or at least min_group answers. */
static void check_tree_unit_cells(const run_t *r, size_t i)
{
    const view_t *view = r->view;
    const dataset_t *ds = r->ds;
    const org_t *org = dataset_org(ds);
    const leaders_t *l = view->leaders;
    size_t M = dataset_n_managers(ds), U = view->heatmap->scales[0].n_groups[HEATMAP_UNIT];
    size_t *cell_org = malloc(M * sizeof *cell_org), *cell_unit = malloc(M * sizeof *cell_unit);
    assert_non_null(cell_org);
    assert_non_null(cell_unit);
    for (size_t j = 0; j < M; j++) {
        size_t v = org_find(org, dataset_manager_id(ds, j)), found = SIZE_MAX;
        for (; v != ORG_NONE && found == SIZE_MAX; v = org_parent(org, v))
            for (size_t rr = 1; rr < l->n_rows; rr++)
                if (l->node[rr] == v && view_heatmap_shown(view, 0, HEATMAP_LEADER, rr - 1, i))
                    found = v;
        size_t u = U ? r->units->unit_of[j] : SIZE_MAX;
        cell_org[j] = found;
        cell_unit[j] = u != SIZE_MAX && view_heatmap_shown(view, 0, HEATMAP_UNIT, u, i) ? u : SIZE_MAX;
    }
    for (size_t j = 0; j < M; j++) {
        size_t people = 0;
        for (size_t t = 0; t < M; t++)
            if (!view_heatmap_shown(view, 0, HEATMAP_MANAGER, t, i) && cell_org[t] == cell_org[j] &&
                cell_unit[t] == cell_unit[j])
                people += item_n(view, HEATMAP_MANAGER, t, i);
        /* no shown group around it: nothing to subtract from */
        bool enclosed = cell_org[j] != SIZE_MAX || cell_unit[j] != SIZE_MAX ||
                        view_heatmap_shown(view, 0, HEATMAP_COMPANY, 0, i);
        assert_true(!enclosed || cell_ok(people, r->k));
    }
    free(cell_org);
    free(cell_unit);
}

/* The units' parts of item i (without a tree): each shown unit less its
 * shown teams; the company less its shown units and the shown teams of
 * hidden units. */
static void check_unit_cells(const run_t *r, size_t i)
{
    const view_t *view = r->view;
    const heatmap_scale_t *hs = &view->heatmap->scales[0];
    size_t U = hs->n_groups[HEATMAP_UNIT], M = hs->n_groups[HEATMAP_MANAGER];
    size_t left[8] = { 0 }, company = 0;
    assert_true(U <= 8);
    for (size_t j = 0; j < M; j++) {
        if (view_heatmap_shown(view, 0, HEATMAP_MANAGER, j, i))
            continue;
        size_t u = U ? r->units->unit_of[j] : 0;
        if (U && view_heatmap_shown(view, 0, HEATMAP_UNIT, u, i))
            left[u] += item_n(view, HEATMAP_MANAGER, j, i);
        else
            company += item_n(view, HEATMAP_MANAGER, j, i);
    }
    for (size_t u = 0; u < U; u++)
        assert_true(cell_ok(left[u], r->k));
    if (view_heatmap_shown(view, 0, HEATMAP_COMPANY, 0, i))
        assert_true(cell_ok(company, r->k));
}

static void random_runs(bool tree, bool missing)
{
    size_t hidden = 0, checked = 0;
    for (int c = 0; c < 200; c++) {
        rng_state = 1000u * (unsigned)c + (tree ? 7u : 3u) + (missing ? 1u : 0u);
        run_t r = { .ds = random_quarter(tree, missing) };
        run_view(&r, 3 + rnd(4));
        assert_true(r.view->with_tree == tree);
        hidden += check_against_groups(&r, !missing);
        for (size_t i = 0; i < ITEMS; i++) {
            if (tree) {
                checked += check_tree_cells(&r, i);
                check_tree_unit_cells(&r, i);
            }
            else
                check_unit_cells(&r, i);
        }
        run_free(&r);
    }
    /* the cases are not trivial: groups are hidden, orgs are shown */
    assert_true(hidden > 100);
    if (tree)
        assert_true(checked > 100);
}

static void test_complete_answers_hide_exactly_the_hidden_groups(void **state)
{
    (void)state;
    random_runs(true, false);
    random_runs(false, false);
}

static void test_missing_answers_keep_every_cell_safe(void **state)
{
    (void)state;
    random_runs(true, true);
    random_runs(false, true);
}

static void add_team(dataset_t *ds, const char *manager, size_t n, const double *y1, const double *y2, int *line)
{
    for (size_t t = 0; t < n; t++) {
        char id[32];
        snprintf(id, sizeof id, "%s-r%zu", manager, t);
        double values[ITEMS] = { y1[t % 10], y2[t % 10] };
        assert_int_equal(dataset_add_row(ds, id, manager, values, 0, ++*line, NULL, NULL), ENGAGE_OK);
    }
}

/* min_group 5, no tree, no units: M1 has 6 respondents, two of whom skip
 * y2, so 4 answer it; M2 has 10 and M3 12.  On the scale all three are
 * shown.  On y2, M1 (4 answers) is hidden, and then the answers hidden
 * number 4: the next-smallest shown team, M2, is hidden too (10 + 4), so
 * the company's y2 less M3's leaves 14.  On y1 every team is shown. */
static void test_an_item_hides_a_shown_team(void **state)
{
    (void)state;
    run_t r = { .ds = new_dataset() };
    const double y1[10] = { 1, 2, 3, 4, 5, 1, 2, 3, 4, 5 };
    const double skip[10] = { NAN, NAN, 3, 4, 5, 1, 2, 3, 4, 5 };
    int line = 1;
    add_team(r.ds, "M1", 6, y1, skip, &line);
    add_team(r.ds, "M2", 10, y1, y1, &line);
    add_team(r.ds, "M3", 12, y1, y1, &line);
    assert_int_equal(dataset_finish(r.ds), ENGAGE_OK);
    run_view(&r, 5);
    for (size_t j = 0; j < 3; j++) {
        assert_true(view_manager_shown(r.view, 0, j));
        assert_true(view_heatmap_shown(r.view, 0, HEATMAP_MANAGER, j, 0));
    }
    assert_int_equal(item_n(r.view, HEATMAP_MANAGER, 0, 1), 4);
    assert_false(view_heatmap_shown(r.view, 0, HEATMAP_MANAGER, 0, 1));
    assert_int_equal(r.view->scales[0].heatmap_reason[HEATMAP_MANAGER][0 * ITEMS + 1], PRIVACY_PRIMARY);
    assert_false(view_heatmap_shown(r.view, 0, HEATMAP_MANAGER, 1, 1));
    assert_int_equal(r.view->scales[0].heatmap_reason[HEATMAP_MANAGER][1 * ITEMS + 1], PRIVACY_SECONDARY);
    assert_true(view_heatmap_shown(r.view, 0, HEATMAP_MANAGER, 2, 1));
    assert_true(view_heatmap_shown(r.view, 0, HEATMAP_COMPANY, 0, 1));
    assert_int_equal(item_n(r.view, HEATMAP_COMPANY, 0, 1), 26);
    run_free(&r);
}

/* A stand-out (min_group 5, no tree): units u1 = {M1}, u2 = {M2, M3, M4},
 * ten answers each to y1.  M1: nine 5s and a 4 (mean 4.9, SS 0.9); M2..M4:
 * six 4s and four 3s (mean 3.6, SS 2.4).  The company's mean is
 * (49 + 3 · 36) / 40 = 3.925; MS_within = (0.9 + 3 · 2.4) / (40 - 4) =
 * 0.225.  For n = 10 the 99.8% limits are 3.925 ± 3.090232 · √(0.225/10) =
 * 3.925 ± 0.463535: M1 (4.9) above, M2..M4 (3.6) within.  For u2 (n = 30)
 * they are 3.925 ± 0.267622, so its 3.6 is below; u1 is M1, above. */
static void test_stand_outs(void **state)
{
    (void)state;
    run_t r = { .ds = new_dataset() };
    const double high[10] = { 5, 5, 5, 5, 5, 5, 5, 5, 5, 4 };
    const double mid[10] = { 4, 4, 4, 4, 4, 4, 3, 3, 3, 3 };
    int line = 1;
    add_team(r.ds, "M1", 10, high, high, &line);
    add_team(r.ds, "M2", 10, mid, mid, &line);
    add_team(r.ds, "M3", 10, mid, mid, &line);
    add_team(r.ds, "M4", 10, mid, mid, &line);
    assert_int_equal(dataset_finish(r.ds), ENGAGE_OK);
    assert_int_equal(dataset_set_manager_unit(r.ds, 0, "u1"), ENGAGE_OK);
    for (size_t j = 1; j < 4; j++)
        assert_int_equal(dataset_set_manager_unit(r.ds, j, "u2"), ENGAGE_OK);
    run_view(&r, 5);
    const view_t *v = r.view;
    assert_true(fabs(heatmap_cell(&v->heatmap->scales[0], HEATMAP_COMPANY, 0, 0)->mean - 3.925) < 1e-12);
    assert_int_equal(view_heatmap_stands_out(v, 0, HEATMAP_MANAGER, 0, 0), ANALYSIS_ABOVE);
    for (size_t j = 1; j < 4; j++)
        assert_int_equal(view_heatmap_stands_out(v, 0, HEATMAP_MANAGER, j, 0), ANALYSIS_WITHIN);
    /* units: u1, u2 (every team has one, so no unit "") */
    assert_int_equal(v->heatmap->scales[0].n_groups[HEATMAP_UNIT], 2);
    assert_int_equal(view_heatmap_stands_out(v, 0, HEATMAP_UNIT, 0, 0), ANALYSIS_ABOVE);
    assert_int_equal(view_heatmap_stands_out(v, 0, HEATMAP_UNIT, 1, 0), ANALYSIS_BELOW);
    assert_int_equal(view_heatmap_stands_out(v, 0, HEATMAP_COMPANY, 0, 0), ANALYSIS_WITHIN);
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complete_answers_hide_exactly_the_hidden_groups),
        cmocka_unit_test(test_missing_answers_keep_every_cell_safe),
        cmocka_unit_test(test_an_item_hides_a_shown_team),
        cmocka_unit_test(test_stand_outs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
