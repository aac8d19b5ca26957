/*
 * tests/analysis/test_heatmap.c — every item at every level
 * (analysis/heatmap.c) on a hand-made tree, every figure worked out by hand:
 *
 *   T ─┬─ A ─┬─ a1, a2      units: A, X in u1; B, T in u2; Q in none
 *      │     ├─ X ── x1, x2
 *      └─ B ─── b1, b2, b3  and Z, whose manager Q is not in the tree
 *
 * Two items on 1..5, y2 reverse coded (6 - y2), favourable >= 4,
 * unfavourable <= 2, min_answered 0.6: a respondent must answer both items
 * to be scored, so B (2, -) and x2 (1, -) and b3 (-, -) count nowhere.
 * After reverse coding (y1, y2'):
 *   team T: A (4, 4)          team A: a1 (5, 5), a2 (3, 3), X (4, 2)
 *   team X: x1 (2, 1)         team B: b1 (5, 4), b2 (4, 5)
 *   team Q: Z (3, 3)
 * Leaders in pre-order: T, A, X, B (ids in byte order: "X" < "a1").
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
#include "../../analysis/heatmap.h"
#include "../../analysis/leaders.h"
#include "../../analysis/units.h"
#include "close.h"

enum { T, A, B, a1, a2, b1, b2, b3, X, x1, x2, PEOPLE };
static const char *const ids[PEOPLE] = { "T", "A", "B", "a1", "a2", "b1", "b2", "b3", "X", "x1", "x2" };

static void add(dataset_t *ds, const char *id, const char *manager, double y1, double y2)
{
    static int line = 1;
    double values[2] = { y1, y2 };
    assert_int_equal(dataset_add_row(ds, id, manager, values, 0, ++line, NULL, NULL), ENGAGE_OK);
}

static size_t manager_index(const dataset_t *ds, const char *id)
{
    for (size_t m = 0; m < dataset_n_managers(ds); m++)
        if (strcmp(dataset_manager_id(ds, m), id) == 0)
            return m;
    fail_msg("no manager %s", id);
    return 0;
}

static dataset_t *hand_made_tree(void)
{
    dataset_t *ds = dataset_new();
    assert_non_null(ds);
    size_t items[2];
    assert_int_equal(dataset_add_column(ds, "y1", &items[0]), ENGAGE_OK);
    assert_int_equal(dataset_add_column(ds, "y2", &items[1]), ENGAGE_OK);
    bool reverse[2] = { false, true };
    dataset_scale_t scale = { "engagement", 2, items, reverse, 1, 5, 0.6, 4, 2 };
    assert_int_equal(dataset_add_scale(ds, &scale), ENGAGE_OK);
    /* raw answers: y2 before reverse coding */
    add(ds, "A", "T", 4, 2);
    add(ds, "B", "T", 2, NAN);
    add(ds, "a1", "A", 5, 1);
    add(ds, "a2", "A", 3, 3);
    add(ds, "X", "A", 4, 4);
    add(ds, "x1", "X", 2, 5);
    add(ds, "x2", "X", 1, NAN);
    add(ds, "b1", "B", 5, 2);
    add(ds, "b2", "B", 4, 1);
    add(ds, "b3", "B", NAN, NAN);
    add(ds, "Z", "Q", 3, 3);
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    const char *unit[][2] = { { "A", "u1" }, { "X", "u1" }, { "B", "u2" }, { "T", "u2" } };
    for (size_t i = 0; i < sizeof unit / sizeof unit[0]; i++)
        assert_int_equal(dataset_set_manager_unit(ds, manager_index(ds, unit[i][0]), unit[i][1]), ENGAGE_OK);

    uint32_t parent[PEOPLE] = { ORG_TOP, T, T, A, A, B, B, B, A, X, X };
    org_t *org;
    uint32_t *loop = NULL;
    size_t loop_len = 0;
    assert_int_equal(org_build(parent, PEOPLE, &org, &loop, &loop_len), ENGAGE_OK);
    for (size_t v = 0; v < PEOPLE; v++)
        assert_int_equal(org_label(org, v, ids[v], NULL), ENGAGE_OK);
    dataset_set_org(ds, org);
    return ds;
}

static void check(const heatmap_scale_t *hs, heatmap_level_t level, size_t g, size_t i, size_t n, double mean,
                  double favourable_pct, double company_favourable_pct)
{
    const heatmap_cell_t *c = heatmap_cell(hs, level, g, i);
    assert_int_equal(c->n, n);
    assert_close(c->mean, mean);
    assert_close(c->favourable_pct, favourable_pct);
    if (favourable_pct == company_favourable_pct)
        assert_true(c->delta_favourable == 0.0);
    else
        assert_close(c->delta_favourable, favourable_pct - company_favourable_pct);
}

static size_t leader_group(const leaders_t *l, const dataset_t *ds, const char *id)
{
    for (size_t r = 1; r < l->n_rows; r++)
        if (strcmp(org_id(dataset_org(ds), l->node[r]), id) == 0)
            return r - 1;
    fail_msg("no leader %s", id);
    return 0;
}

static void test_hand_made_tree(void **state)
{
    (void)state;
    dataset_t *ds = hand_made_tree();
    results_t *res;
    units_t *units;
    leaders_t *l;
    heatmap_t *h;
    assert_int_equal(analysis_run(ds, &res, NULL), ENGAGE_OK);
    assert_int_equal(units_run(ds, res, &units, NULL), ENGAGE_OK);
    assert_int_equal(leaders_run(ds, res, &l, NULL), ENGAGE_OK);
    assert_int_equal(heatmap_run(ds, res, units, l, &h, NULL), ENGAGE_OK);
    assert_int_equal(h->n_scales, 1);
    const heatmap_scale_t *hs = &h->scales[0];
    assert_non_null(hs->teams);
    assert_int_equal(hs->n_items, 2);
    assert_int_equal(hs->n_groups[HEATMAP_COMPANY], 1);
    assert_int_equal(hs->n_groups[HEATMAP_UNIT], 3);     /* "", u1, u2 */
    assert_int_equal(hs->n_groups[HEATMAP_LEADER], 4);   /* T, A, X, B */
    assert_int_equal(hs->n_groups[HEATMAP_MANAGER], 5);  /* A, B, Q, T, X */
    assert_int_equal(leader_group(l, ds, "T"), 0);
    assert_int_equal(leader_group(l, ds, "A"), 1);
    assert_int_equal(leader_group(l, ds, "X"), 2);
    assert_int_equal(leader_group(l, ds, "B"), 3);

    /* the company: y1 4 5 3 4 2 5 4 3 (sum 30; 5 of 8 favourable);
     * y2' 4 5 3 2 1 4 5 3 (sum 27; 4 of 8) — items.csv's figures */
    const double c1 = 62.5, c2 = 50.0;
    check(hs, HEATMAP_COMPANY, 0, 0, 8, 30.0 / 8, c1, c1);
    check(hs, HEATMAP_COMPANY, 0, 1, 8, 27.0 / 8, c2, c2);
    assert_close(heatmap_cell(hs, HEATMAP_COMPANY, 0, 0)->mean, res->scales[0].items[0].mean);
    assert_close(heatmap_cell(hs, HEATMAP_COMPANY, 0, 1)->mean, res->scales[0].items[1].mean);
    assert_close(heatmap_cell(hs, HEATMAP_COMPANY, 0, 1)->favourable_pct, res->scales[0].items[1].favourable_pct);

    /* teams: A (5 3 4 | 5 3 2), B (5 4 | 4 5), Q (3 | 3), T (4 | 4), X (2 | 1) */
    size_t mA = manager_index(ds, "A"), mB = manager_index(ds, "B"), mQ = manager_index(ds, "Q");
    size_t mT = manager_index(ds, "T"), mX = manager_index(ds, "X");
    check(hs, HEATMAP_MANAGER, mA, 0, 3, 4.0, 200.0 / 3, c1);      /* delta +4.1667 */
    check(hs, HEATMAP_MANAGER, mA, 1, 3, 10.0 / 3, 100.0 / 3, c2); /* delta -16.667 */
    check(hs, HEATMAP_MANAGER, mB, 0, 2, 4.5, 100.0, c1);          /* B's own answer is not scored */
    check(hs, HEATMAP_MANAGER, mB, 1, 2, 4.5, 100.0, c2);
    check(hs, HEATMAP_MANAGER, mQ, 0, 1, 3.0, 0.0, c1);
    check(hs, HEATMAP_MANAGER, mT, 1, 1, 4.0, 100.0, c2);
    check(hs, HEATMAP_MANAGER, mX, 0, 1, 2.0, 0.0, c1);            /* x2 is not scored */
    check(hs, HEATMAP_MANAGER, mX, 1, 1, 1.0, 0.0, c2);
    /* within sums of squares: A's y1 1 + 1 + 0, y2' (5 3 2 around 10/3) 14/3 */
    assert_close(heatmap_within(hs, mA, 0), 2.0);
    assert_close(heatmap_within(hs, mA, 1), 14.0 / 3);
    assert_close(heatmap_within(hs, mB, 0), 0.5);
    assert_true(heatmap_within(hs, mQ, 0) == 0.0);

    /* units: "" = Q; u1 = A + X (5 3 4 2 | 5 3 2 1); u2 = B + T (5 4 4 | 4 5 4) */
    check(hs, HEATMAP_UNIT, 0, 0, 1, 3.0, 0.0, c1);
    check(hs, HEATMAP_UNIT, 1, 0, 4, 3.5, 50.0, c1);               /* delta -12.5 */
    check(hs, HEATMAP_UNIT, 1, 1, 4, 2.75, 25.0, c2);              /* delta -25 */
    check(hs, HEATMAP_UNIT, 2, 0, 3, 13.0 / 3, 100.0, c1);         /* delta +37.5 */
    check(hs, HEATMAP_UNIT, 2, 1, 3, 13.0 / 3, 100.0, c2);

    /* orgs: T's every team but Q's (4 5 3 4 2 5 4 | 4 5 3 2 1 4 5);
     * A's teams A and X; X's team X; B's team B */
    check(hs, HEATMAP_LEADER, 0, 0, 7, 27.0 / 7, 500.0 / 7, c1);
    check(hs, HEATMAP_LEADER, 0, 1, 7, 24.0 / 7, 400.0 / 7, c2);
    check(hs, HEATMAP_LEADER, 1, 0, 4, 3.5, 50.0, c1);
    check(hs, HEATMAP_LEADER, 1, 1, 4, 2.75, 25.0, c2);
    check(hs, HEATMAP_LEADER, 2, 0, 1, 2.0, 0.0, c1);
    check(hs, HEATMAP_LEADER, 3, 1, 2, 4.5, 100.0, c2);

    heatmap_free(h);
    leaders_free(l);
    units_free(units);
    results_free(res);
    dataset_free(ds);
}

/* A dataset without units or a tree: items y1, y2 on 1..5 in one scale,
 * neither reversed, favourable >= 4, unfavourable <= 2, half answered. */
/* A dataset of two items y1, y2 on min .. max (y2 reverse coded when
 * asked), favourable from fav, unfavourable up to unfav; no rows yet. */
static dataset_t *two_items_on(double min, double max, double fav, double unfav, bool reverse_y2)
{
    dataset_t *ds = dataset_new();
    size_t items[2];
    assert_int_equal(dataset_add_column(ds, "y1", &items[0]), ENGAGE_OK);
    assert_int_equal(dataset_add_column(ds, "y2", &items[1]), ENGAGE_OK);
    bool reverse[2] = { false, reverse_y2 };
    dataset_scale_t scale = { "engagement", 2, items, reverse, min, max, 0.5, fav, unfav };
    assert_int_equal(dataset_add_scale(ds, &scale), ENGAGE_OK);
    return ds;
}

/* Without units or a tree: the dataset's results (into *res) and heatmap. */
static heatmap_t *flat_heatmap(const dataset_t *ds, results_t **res)
{
    heatmap_t *h;
    assert_int_equal(analysis_run(ds, res, NULL), ENGAGE_OK);
    assert_int_equal(heatmap_run(ds, *res, NULL, NULL, &h, NULL), ENGAGE_OK);
    return h;
}

static dataset_t *flat_two_items(void)
{
    return two_items_on(1, 5, 4, 2, false);
}

/* Without units or a tree: the company and the managers alone; a team
 * whose members skipped an item has no answer there (n 0, NAN figures). */
static void test_flat_with_an_unanswered_item(void **state)
{
    (void)state;
    dataset_t *ds = flat_two_items();
    add(ds, "r1", "M1", 1, NAN);
    add(ds, "r2", "M1", 5, NAN);
    add(ds, "r3", "M2", 3, 4);
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    results_t *res;
    heatmap_t *h = flat_heatmap(ds, &res);
    const heatmap_scale_t *hs = &h->scales[0];
    assert_int_equal(hs->n_groups[HEATMAP_UNIT], 0);
    assert_int_equal(hs->n_groups[HEATMAP_LEADER], 0);
    assert_int_equal(hs->n_groups[HEATMAP_MANAGER], 2);
    /* y1: 1 5 3, one favourable of three; y2: 4 alone */
    check(hs, HEATMAP_COMPANY, 0, 0, 3, 3.0, 100.0 / 3, 100.0 / 3);
    check(hs, HEATMAP_MANAGER, 0, 0, 2, 3.0, 50.0, 100.0 / 3);
    assert_close(heatmap_within(hs, 0, 0), 8.0);
    const heatmap_cell_t *none = heatmap_cell(hs, HEATMAP_MANAGER, 0, 1);
    assert_int_equal(none->n, 0);
    assert_nan(none->mean);
    assert_nan(none->favourable_pct);
    assert_nan(none->delta_favourable);
    assert_nan(heatmap_within(hs, 0, 1));
    check(hs, HEATMAP_MANAGER, 1, 1, 1, 4.0, 100.0, 100.0);
    /* a cell's pointer holds its figures through the next slots' calls */
    const heatmap_cell_t *company = heatmap_cell(hs, HEATMAP_COMPANY, 0, 0);
    for (unsigned k = 1; k < HEATMAP_CELL_SLOTS; k++)
        assert_int_equal(heatmap_cell(hs, HEATMAP_MANAGER, 1, 1)->n, 1);
    assert_int_equal(company->n, 3);
    assert_close(company->mean, 3.0);
    assert_int_equal(heatmap_n(hs, HEATMAP_MANAGER, 0, 0), 2);
    assert_true(heatmap_mean(hs, HEATMAP_MANAGER, 0, 0) == heatmap_figures(hs, HEATMAP_MANAGER, 0, 0).mean);
    assert_nan(heatmap_mean(hs, HEATMAP_MANAGER, 0, 1));
    assert_non_null(hs->teams);   /* whole answers: the narrow form */
    /* teams of 2 on 1..5: Σ (2 × distance)² at most 2 × 4² fits 16 bits */
    assert_non_null(hs->team_dd4_16);
    assert_null(hs->team_dd4);
    heatmap_drop_within(h, 0);
    assert_null(hs->team_dd4);
    assert_null(hs->team_dd4_16);
    heatmap_free(h);
    results_free(res);
    dataset_free(ds);
}

/* One team of 5,000 on 1..5 answering 1 and 5 in turn: each answer lies 2
 * from the middle, so Σ (2 × distance)² = 5,000 × 16 = 80,000, beyond 16
 * bits: the narrow form keeps it in 32.  Mean 3, within sum of squares
 * 5,000 × 2² = 20,000, favourable (>= 4) half of the answers. */
static void test_narrow_with_a_large_team(void **state)
{
    (void)state;
    dataset_t *ds = flat_two_items();
    for (int r = 0; r < 5000; r++) {
        char id[16];
        snprintf(id, sizeof id, "r%d", r);
        add(ds, id, "M1", r % 2 ? 5 : 1, 3);
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    results_t *res;
    heatmap_t *h = flat_heatmap(ds, &res);
    const heatmap_scale_t *hs = &h->scales[0];
    assert_non_null(hs->teams);
    assert_non_null(hs->team_dd4);
    assert_null(hs->team_dd4_16);
    check(hs, HEATMAP_MANAGER, 0, 0, 5000, 3.0, 50.0, 50.0);
    assert_close(heatmap_within(hs, 0, 0), 20000.0);
    assert_close(heatmap_within(hs, 0, 1), 0.0);   /* y2: every answer 3 */
    heatmap_free(h);
    results_free(res);
    dataset_free(ds);
}

/* An answer that is no whole number of halves (2.2, after others have
 * been counted narrow): the wide form, every figure worked out by hand. */
static void test_wide_with_a_fractional_answer(void **state)
{
    (void)state;
    dataset_t *ds = two_items_on(1, 5, 4, 2, true);
    add(ds, "r1", "M1", 4, 3);     /* y2' 3 */
    add(ds, "r2", "M2", 5, 5);     /* y2' 1 */
    add(ds, "r3", "M1", 2.2, 1);   /* y2' 5 */
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    results_t *res;
    heatmap_t *h = flat_heatmap(ds, &res);
    const heatmap_scale_t *hs = &h->scales[0];
    assert_null(hs->teams);
    /* y1: 4 5 2.2, two of three favourable; y2': 3 1 5 */
    check(hs, HEATMAP_COMPANY, 0, 0, 3, 11.2 / 3, 200.0 / 3, 200.0 / 3);
    check(hs, HEATMAP_MANAGER, 0, 0, 2, 3.1, 50.0, 200.0 / 3);
    check(hs, HEATMAP_MANAGER, 0, 1, 2, 4.0, 50.0, 100.0 / 3);
    check(hs, HEATMAP_MANAGER, 1, 1, 1, 1.0, 0.0, 100.0 / 3);
    assert_close(heatmap_within(hs, 0, 0), 1.62);   /* 2 × 0.9² */
    assert_close(heatmap_within(hs, 0, 1), 2.0);
    assert_true(heatmap_within(hs, 1, 0) == 0.0);
    heatmap_drop_within(h, 0);
    assert_null(hs->manager_ss);
    heatmap_free(h);
    results_free(res);
    dataset_free(ds);
}

/* A column of more than 254 distinct answers (0, 0.5, ..., 200: held as
 * doubles, not codes) in halves: still the narrow form, read as numbers,
 * beside a coded item.  Respondent r answers r / 2 and is in team r % 40;
 * favourable is >= 150, the middle 100. */
static void test_narrow_from_a_column_of_doubles(void **state)
{
    (void)state;
    dataset_t *ds = two_items_on(0, 200, 150, 50, false);
    enum { R = 401, TEAMS = 40 };
    for (int r = 0; r < R; r++) {
        char id[16], manager[16];
        snprintf(id, sizeof id, "r%03d", r);
        snprintf(manager, sizeof manager, "M%02d", r % TEAMS);
        add(ds, id, manager, r / 2.0, 100);
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    const double *table;
    assert_null(dataset_column_codes(ds, 0, &table));      /* y1: doubles */
    assert_non_null(dataset_column_codes(ds, 1, &table));  /* y2: codes */
    results_t *res;
    heatmap_t *h = flat_heatmap(ds, &res);
    const heatmap_scale_t *hs = &h->scales[0];
    assert_non_null(hs->teams);
    size_t company_fav = 0;
    for (int r = 0; r < R; r++)
        company_fav += r / 2.0 >= 150;
    double company_pct = 100.0 * (double)company_fav / R;
    check(hs, HEATMAP_COMPANY, 0, 0, R, 100.0, company_pct, company_pct);
    for (int t = 0; t < TEAMS; t++) {
        size_t n = 0, fav = 0;
        double sum = 0, ss = 0;
        for (int r = t; r < R; r += TEAMS) {
            n++;
            sum += r / 2.0;
            fav += r / 2.0 >= 150;
        }
        double mean = sum / (double)n;
        for (int r = t; r < R; r += TEAMS)
            ss += (r / 2.0 - mean) * (r / 2.0 - mean);
        check(hs, HEATMAP_MANAGER, (size_t)t, 0, n, mean, 100.0 * (double)fav / (double)n, company_pct);
        assert_close(heatmap_within(hs, (size_t)t, 0), ss);
        check(hs, HEATMAP_MANAGER, (size_t)t, 1, n, 100.0, 0.0, 0.0);
    }
    heatmap_free(h);
    results_free(res);
    dataset_free(ds);
}

/* 70,000 respondents (enough for the teams' sums to be made in two halves
 * on two threads) in 3,001 teams, rows in no team order, answers 1..5 or
 * none, y2 reverse coded: every team's cells and within sum of squares as
 * a plain walk over the answers gives them.  Then the same with one answer
 * of 2.5 (a whole number of halves: still narrow), and with one of 2.2 in
 * a team of the first half and in one of the second (the wide form). */
enum { SPLIT_R = 70000, SPLIT_TEAMS = 3001 };

static void check_split(int odd_row, double odd_answer, bool narrow)
{
    static double x[SPLIT_R][2];
    static int team_of[SPLIT_R];
    dataset_t *ds = two_items_on(1, 5, 4, 2, true);
    unsigned seed = 12345;
    for (int r = 0; r < SPLIT_R; r++) {
        seed = seed * 1103515245u + 12345u;
        team_of[r] = (int)((seed >> 8) % SPLIT_TEAMS);
        for (int i = 0; i < 2; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned v = (seed >> 16) % 6;   /* 0: no answer */
            x[r][i] = v ? (double)v : NAN;
        }
        if (r == odd_row)
            x[r][0] = odd_answer;
        char id[16], manager[16];
        snprintf(id, sizeof id, "r%05d", r);
        snprintf(manager, sizeof manager, "M%04d", team_of[r]);   /* manager index = team */
        add(ds, id, manager, x[r][0], x[r][1]);
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    assert_int_equal(dataset_n_managers(ds), SPLIT_TEAMS);
    results_t *res;
    heatmap_t *h = flat_heatmap(ds, &res);
    const heatmap_scale_t *hs = &h->scales[0];
    assert_true((hs->teams != NULL) == narrow);
    static size_t n[SPLIT_TEAMS][2], fav[SPLIT_TEAMS][2];
    static double sum[SPLIT_TEAMS][2], ss[SPLIT_TEAMS][2];
    memset(n, 0, sizeof n);
    memset(fav, 0, sizeof fav);
    memset(sum, 0, sizeof sum);
    memset(ss, 0, sizeof ss);
    for (int pass = 0; pass < 2; pass++) {
        for (int r = 0; r < SPLIT_R; r++) {
            double y[2] = { x[r][0], 6 - x[r][1] };
            if (isnan(y[0]) && isnan(y[1]))
                continue;   /* not scored */
            int t = team_of[r];
            for (int i = 0; i < 2; i++) {
                if (isnan(y[i]))
                    continue;
                if (pass == 0) {
                    n[t][i]++;
                    sum[t][i] += y[i];
                    fav[t][i] += y[i] >= 4;
                } else {
                    double d = y[i] - sum[t][i] / (double)n[t][i];
                    ss[t][i] += d * d;
                }
            }
        }
    }
    for (size_t t = 0; t < SPLIT_TEAMS; t++) {
        for (size_t i = 0; i < 2; i++) {
            const heatmap_cell_t *c = heatmap_cell(hs, HEATMAP_MANAGER, t, i);
            assert_int_equal(c->n, n[t][i]);
            if (n[t][i] == 0)
                continue;
            assert_close(c->mean, sum[t][i] / (double)n[t][i]);
            assert_close(c->favourable_pct, 100.0 * (double)fav[t][i] / (double)n[t][i]);
            assert_close(heatmap_within(hs, t, i), ss[t][i]);
        }
    }
    heatmap_free(h);
    results_free(res);
    dataset_free(ds);
}

static void test_teams_summed_in_two_halves(void **state)
{
    (void)state;
    check_split(-1, 0, true);
    check_split(SPLIT_R / 3, 2.5, true);
    int first_half = -1, second_half = -1;
    unsigned seed = 12345;
    for (int r = 0; r < SPLIT_R; r++) {   /* the teams check_split gives rows 0, 1, ... */
        seed = seed * 1103515245u + 12345u;
        int t = (int)((seed >> 8) % SPLIT_TEAMS);
        seed = seed * 1103515245u + 12345u;
        seed = seed * 1103515245u + 12345u;
        if (r > SPLIT_R / 2 && t < SPLIT_TEAMS / 2 && first_half < 0)
            first_half = r;
        if (r > SPLIT_R / 2 && t > SPLIT_TEAMS / 2 && second_half < 0)
            second_half = r;
    }
    assert_true(first_half >= 0 && second_half >= 0);
    check_split(first_half, 2.2, false);
    check_split(second_half, 2.2, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_made_tree),
        cmocka_unit_test(test_wide_with_a_fractional_answer),
        cmocka_unit_test(test_flat_with_an_unanswered_item),
        cmocka_unit_test(test_narrow_with_a_large_team),
        cmocka_unit_test(test_narrow_from_a_column_of_doubles),
        cmocka_unit_test(test_teams_summed_in_two_halves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
