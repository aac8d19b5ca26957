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
 *
 * Then a random tree with enough respondents to be scored on two threads,
 * every leader's n, mean, median and shares against a brute-force walk up
 * the tree from each respondent's manager: with answers read from codes,
 * and with one item of continuous answers, read as numbers.
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

#include <glib.h>
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

/* A random tree of 3,000 people (some managers outside it) and 70,000
 * respondents on three items, some unanswered: leaders_run's figures of
 * every row against each respondent's score added to every leader at or
 * above its manager, one by one. */
static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* continuous: the first item's answers in thousandths, so that its column
 * holds doubles rather than codes. */
static void random_tree_against_brute_force(bool continuous)
{
    enum { V = 3000, N = 70000, K = 3, OUTSIDE = 40 };
    srand(11);
    dataset_t *ds = dataset_new();
    assert_non_null(ds);
    size_t items[K];
    bool reverse[K] = { false, true, false };
    for (size_t i = 0; i < K; i++) {
        char name[8];
        snprintf(name, sizeof name, "q%zu", i);
        assert_int_equal(dataset_add_column(ds, name, &items[i]), ENGAGE_OK);
    }
    dataset_scale_t scale = { "engagement", K, items, reverse, 1, 5, 0.5, 4, 2 };
    assert_int_equal(dataset_add_scale(ds, &scale), ENGAGE_OK);
    uint32_t *parent = malloc(V * sizeof *parent);
    size_t *manager_node = malloc(N * sizeof *manager_node);
    double *score = malloc(N * sizeof *score);
    size_t (*counts)[3] = calloc(N, sizeof *counts);   /* answered, favourable, unfavourable */
    assert_true(parent && manager_node && score && counts);
    parent[0] = ORG_TOP;
    for (size_t v = 1; v < V; v++)
        parent[v] = v < 4 ? ORG_TOP : (uint32_t)(rand() % (int)(v / 2 + 1));   /* four tops, some deep chains */
    for (size_t r = 0; r < N; r++) {
        double values[K], sum = 0;
        size_t answered = 0;
        for (size_t i = 0; i < K; i++) {
            values[i] = rand() % 7 == 0 ? NAN : 1 + rand() % 5;
            if (continuous && i == 0 && !isnan(values[i]))
                values[i] = 1 + (rand() % 4001) / 1000.0;
            if (isnan(values[i]))
                continue;
            double x = reverse[i] ? 6 - values[i] : values[i];
            sum += x;
            answered++;
            counts[r][1] += x >= 4;
            counts[r][2] += x <= 2;
        }
        counts[r][0] = answered;
        score[r] = (double)answered / K >= 0.5 ? sum / (double)answered : NAN;
        if (isnan(score[r]))
            counts[r][0] = counts[r][1] = counts[r][2] = 0;
        size_t m = (size_t)rand() % (V + OUTSIDE);
        manager_node[r] = m < V ? m : ORG_NONE;
        char id[32], manager[32];
        snprintf(id, sizeof id, "r%zu", r);
        snprintf(manager, sizeof manager, "p%zu", m);
        assert_int_equal(dataset_add_row(ds, id, manager, values, 0, (long)r + 2, NULL, NULL), ENGAGE_OK);
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    org_t *org;
    uint32_t *loop = NULL;
    size_t loop_len = 0;
    assert_int_equal(org_build(parent, V, &org, &loop, &loop_len), ENGAGE_OK);
    for (size_t v = 0; v < V; v++) {
        char id[32];
        snprintf(id, sizeof id, "p%zu", v);
        assert_int_equal(org_label(org, v, id, NULL), ENGAGE_OK);
        org_set_invited(org, v, true);
    }
    dataset_set_org(ds, org);
    const double *table;
    assert_true((dataset_column_codes(ds, items[0], &table) == NULL) == continuous);

    results_t *res;
    leaders_t *l;
    assert_int_equal(analysis_run(ds, &res, NULL), ENGAGE_OK);
    assert_int_equal(leaders_run(ds, res, &l, NULL), ENGAGE_OK);
    size_t *row_of = malloc(V * sizeof *row_of);
    assert_non_null(row_of);
    for (size_t v = 0; v < V; v++)
        row_of[v] = SIZE_MAX;
    for (size_t r = 1; r < l->n_rows; r++)
        row_of[l->node[r]] = r;
    /* every row's scores and counts, the company's in row 0 */
    GArray **scores = calloc(l->n_rows, sizeof *scores);
    size_t (*sums)[3] = calloc(l->n_rows, sizeof *sums);
    assert_true(scores && sums);
    for (size_t r = 0; r < l->n_rows; r++)
        scores[r] = g_array_new(FALSE, FALSE, sizeof(double));
    for (size_t p = 0; p < N; p++) {
        if (isnan(score[p]))
            continue;
        for (size_t v = manager_node[p];; v = parent[v]) {
            size_t r = v == ORG_NONE || v == ORG_TOP ? 0 : row_of[v];
            if (r != SIZE_MAX) {
                g_array_append_val(scores[r], score[p]);
                for (int c = 0; c < 3; c++)
                    sums[r][c] += counts[p][c];
            }
            if (r == 0)
                break;
        }
    }
    for (size_t r = 0; r < l->n_rows; r++) {
        const leaders_figures_t *f = &l->scales[0].orgs[r];
        size_t n = scores[r]->len;
        double *x = (double *)scores[r]->data, total = 0;
        assert_int_equal(f->n, n);
        if (n == 0) {
            assert_nan(f->mean);
            continue;
        }
        for (size_t i = 0; i < n; i++)
            total += x[i];
        qsort(x, n, sizeof *x, compare_doubles);
        assert_close(f->mean, total / (double)n);
        assert_close(f->median, n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2);
        assert_close(f->favourable_pct, 100.0 * (double)sums[r][1] / (double)sums[r][0]);
        assert_close(f->unfavourable_pct, 100.0 * (double)sums[r][2] / (double)sums[r][0]);
    }
    assert_true(l->n_rows > 500);
    for (size_t r = 0; r < l->n_rows; r++)
        g_array_free(scores[r], TRUE);
    free(scores);
    free(sums);
    free(row_of);
    leaders_free(l);
    results_free(res);
    dataset_free(ds);
    free(parent);
    free(manager_node);
    free(score);
    free(counts);
}

static void test_random_tree_against_brute_force(void **state)
{
    (void)state;
    random_tree_against_brute_force(false);
}

static void test_random_tree_of_continuous_answers(void **state)
{
    (void)state;
    random_tree_against_brute_force(true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_made_tree),
        cmocka_unit_test(test_manager_nodes),
        cmocka_unit_test(test_random_tree_against_brute_force),
        cmocka_unit_test(test_random_tree_of_continuous_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
