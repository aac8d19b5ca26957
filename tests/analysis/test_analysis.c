/*
 * tests/analysis/test_analysis.c — cmocka tests of analysis_run().
 *
 * Small datasets are built in memory through the dataset API and every
 * expected figure is worked out by hand in the comments next to it.  The
 * last group reads the R reference fixtures (tests/fixtures/reference, made
 * by make_reference.R) and compares every variance and manager figure that
 * results_t holds, to 1e-7 relative, an empty or NA cell meaning NAN.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>
#include <gsl/gsl_cdf.h>

#include "../../analysis/analysis.h"

#define NA NAN
#define MAX_ITEMS 24

/* --- helpers ------------------------------------------------------------ */

#include "close.h"

typedef struct {
    const char *id, *manager;
    double v[MAX_ITEMS];
} row_t;

typedef struct {
    const char *name;
    size_t n_items;
    size_t items[MAX_ITEMS];
    bool reverse[MAX_ITEMS];
    double min, max, min_answered, favourable;
} scale_def_t;

/* A finished dataset with columns Q1..Qn_columns, the given scales and rows. */
static dataset_t *build(size_t n_columns, const scale_def_t *scales, size_t n_scales,
                        const row_t *rows, size_t n_rows)
{
    dataset_t *ds = dataset_new();
    assert_non_null(ds);
    for (size_t c = 0; c < n_columns; c++) {
        char name[32];
        size_t index;
        snprintf(name, sizeof name, "Q%zu", c + 1);
        assert_int_equal(dataset_add_column(ds, name, &index), ENGAGE_OK);
        assert_int_equal(index, c);
    }
    for (size_t s = 0; s < n_scales; s++) {
        dataset_scale_t sc = {
            .name = (char *)scales[s].name, .n_items = scales[s].n_items,
            .items = (size_t *)scales[s].items, .reverse = (bool *)scales[s].reverse,
            .min = scales[s].min, .max = scales[s].max,
            .min_answered = scales[s].min_answered, .favourable = scales[s].favourable,
            .unfavourable = scales[s].min + 1,
        };
        assert_int_equal(dataset_add_scale(ds, &sc), ENGAGE_OK);
    }
    for (size_t r = 0; r < n_rows; r++)
        assert_int_equal(dataset_add_row(ds, rows[r].id, rows[r].manager, rows[r].v, 0,
                                         (long)r + 2, NULL, NULL),
                         ENGAGE_OK);
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    return ds;
}

static results_t *run(const dataset_t *ds)
{
    results_t *res = NULL;
    engage_error_t err = {0};
    assert_int_equal(analysis_run(ds, &res, &err), ENGAGE_OK);
    assert_non_null(res);
    assert_int_equal(res->n_scales, dataset_n_scales(ds));
    return res;
}

/* The manager row of the manager whose id is `id`. */
static const analysis_manager_t *manager(const dataset_t *ds, const analysis_scale_t *sc,
                                         const char *id)
{
    assert_int_equal(sc->n_managers, dataset_n_managers(ds));
    for (size_t m = 0; m < sc->n_managers; m++) {
        assert_int_equal(sc->managers[m].manager, m);
        if (strcmp(dataset_manager_id(ds, m), id) == 0)
            return &sc->managers[m];
    }
    fail_msg("no manager %s", id);
    return NULL;
}

/* A manager's funnel limits around its scale's decomposition over every team. */
static analysis_funnel_t funnel_of(const analysis_scale_t *sc, const analysis_manager_t *m)
{
    return analysis_funnel(&sc->variance, m->n, m->mean);
}

/* One item on 1..5, favourable at 4, scored when answered. */
static const scale_def_t ONE_ITEM = {"engagement", 1, {0}, {false}, 1, 5, 0.5, 4};

/* --- favourable, neutral, unfavourable ------------------------------------ */

/*
 * On 1..5 (favourable 4, unfavourable 2 by default): g1 answers 1 2 3, so
 * 0% favourable, 1/3 neutral, 2/3 unfavourable; g2 answers 4 5: 100/0/0,
 * neutral 0 (not empty: the scale has a middle).  On 1..4 (favourable 3,
 * unfavourable 2) there is no middle: neutral is empty, the two add to 100.
 */
static void test_three_shares(void **state)
{
    (void)state;
    const row_t rows[] = {
        {"r1", "g1", {1}}, {"r2", "g1", {2}}, {"r3", "g1", {3}}, {"r4", "g2", {4}}, {"r5", "g2", {5}},
    };
    dataset_t *ds = build(1, &ONE_ITEM, 1, rows, sizeof rows / sizeof *rows);
    results_t *res = run(ds);
    const analysis_manager_t *g1 = manager(ds, &res->scales[0], "g1");
    const analysis_manager_t *g2 = manager(ds, &res->scales[0], "g2");
    assert_close(g1->favourable_pct, 0.0);
    assert_close(g1->neutral_pct, 100.0 / 3.0);
    assert_close(g1->unfavourable_pct, 200.0 / 3.0);
    assert_close(g2->favourable_pct, 100.0);
    assert_close(g2->neutral_pct, 0.0);
    assert_close(g2->unfavourable_pct, 0.0);
    results_free(res);
    dataset_free(ds);

    dataset_scale_t four = {.name = "four", .min = 1, .max = 4, .favourable = 3, .unfavourable = 2};
    double fav, neu, unf;
    analysis_shares(&four, 4, 2, 2, &fav, &neu, &unf);
    assert_close(fav, 50.0);
    assert_nan(neu);
    assert_close(unf, 50.0);
    /* an answer between the thresholds all the same (a label of 2.5) is neutral */
    analysis_shares(&four, 4, 2, 1, &fav, &neu, &unf);
    assert_close(neu, 25.0);
    analysis_shares(&four, 0, 0, 0, &fav, &neu, &unf);
    assert_true(isnan(fav) && isnan(neu) && isnan(unf));
    /* 0..10 (eNPS-like): favourable 9, unfavourable 6 leaves 7 and 8 neutral */
    dataset_scale_t eleven = {.name = "eleven", .min = 0, .max = 10, .favourable = 9, .unfavourable = 6};
    analysis_shares(&eleven, 10, 3, 7, &fav, &neu, &unf);
    assert_close(neu, 0.0);
}

/* --- a worked example: three teams ---------------------------------------- */

/*
 * Team g1: 1 2 3   n=3, mean 2,    SS 1+0+1 = 2
 * Team g2: 4 5     n=2, mean 4.5,  SS .25+.25 = 0.5
 * Team g3: 2 4 4 5 n=4, mean 3.75, SS 3.0625+.0625+.0625+1.5625 = 4.75
 * Team g4: one respondent answering nothing: n = 0, not in the ANOVA.
 * N = 9, J = 3, grand mean 30/9 = 10/3.
 * SSB = 3(2-10/3)² + 2(4.5-10/3)² + 4(3.75-10/3)² = 48/9 + 98/36 + 100/144
 *     = (768 + 392 + 100)/144 = 8.75;  SSW = 2 + 0.5 + 4.75 = 7.25;
 * SST = Σy² - (Σy)²/N = 116 - 100 = 16 = SSB + SSW.
 * MSB = 8.75/2 = 4.375 = 105/24; MSW = 7.25/6 = 29/24; F = 105/29.
 * p: for F(2, 6), Q(f) = (1 + 2f/6)^-3 = (1 + 35/29)^-3 = (29/64)³ = 24389/262144.
 * k0 = (9 - (9+4+16)/9)/2 = 26/9.
 * ICC1 = (MSB-MSW)/(MSB + (k0-1)MSW) = (76/24)/(105/24 + (17/9)(29/24))
 *      = (19/6)/(1438/216) = 342/719;  ICC2 = (76/24)/(105/24) = 76/105.
 * eta² = 8.75/16.
 * Rows arrive out of manager order to exercise the grouping.
 */
static void test_three_teams(void **state)
{
    (void)state;
    const row_t rows[] = {
        {"r1", "g3", {2}}, {"r2", "g1", {1}}, {"r3", "g2", {4}}, {"r4", "g3", {4}},
        {"r5", "g4", {NA}}, {"r6", "g1", {3}}, {"r7", "g3", {5}}, {"r8", "g1", {2}},
        {"r9", "g2", {5}}, {"r10", "g3", {4}},
    };
    dataset_t *ds = build(1, &ONE_ITEM, 1, rows, sizeof rows / sizeof *rows);
    results_t *res = run(ds);
    const analysis_scale_t *sc = &res->scales[0];
    assert_ptr_equal(sc->scale, dataset_scale(ds, 0));
    assert_int_equal(sc->n_managers, 4);

    const analysis_variance_t *v = &sc->variance;
    assert_int_equal(v->respondents, 9);
    assert_int_equal(v->managers, 3);
    assert_close(v->grand_mean, 10.0 / 3.0);
    assert_close(v->ss_between, 8.75);
    assert_close(v->ss_within, 7.25);
    assert_close(v->df_between, 2);
    assert_close(v->df_within, 6);
    assert_close(v->ms_between, 4.375);
    assert_close(v->ms_within, 29.0 / 24.0);
    assert_close(v->f, 105.0 / 29.0);
    check_close(v->p_value, 24389.0 / 262144.0, 1e-9, "p_value", __FILE__, __LINE__);
    assert_close(v->k0, 26.0 / 9.0);
    assert_close(v->icc1, 342.0 / 719.0);
    assert_close(v->icc2, 76.0 / 105.0);
    assert_close(v->eta_squared, 8.75 / 16.0);
    assert_nan(v->alpha);
    assert_int_equal(sc->notes, ANALYSIS_NOTE_ONE_ITEM);

    /* t(0.975, 2) = 4.3026527297494619, t(0.975, 1) = 12.706204736174694,
     * t(0.975, 3) = 3.1824463052837078 (R's qt). */
    const analysis_manager_t *g1 = manager(ds, sc, "g1");
    assert_int_equal(g1->n, 3);
    assert_close(g1->mean, 2);
    assert_close(g1->sd, 1);                      /* sqrt(2/2) */
    assert_close(g1->se, 1 / sqrt(3));
    check_close(g1->ci_low, 2 - 4.3026527297494619 / sqrt(3), 1e-9, "g1 ci_low", __FILE__, __LINE__);
    check_close(g1->ci_high, 2 + 4.3026527297494619 / sqrt(3), 1e-9, "g1 ci_high", __FILE__, __LINE__);
    assert_close(g1->median, 2);
    assert_close(g1->favourable_pct, 0);          /* none of 1 2 3 is >= 4 */

    const analysis_manager_t *g2 = manager(ds, sc, "g2");
    assert_int_equal(g2->n, 2);
    assert_close(g2->mean, 4.5);
    assert_close(g2->sd, sqrt(0.5));
    assert_close(g2->se, 0.5);                    /* sqrt(.5)/sqrt(2) */
    check_close(g2->ci_low, 4.5 - 12.706204736174694 * 0.5, 1e-9, "g2 ci_low", __FILE__, __LINE__);
    check_close(g2->ci_high, 4.5 + 12.706204736174694 * 0.5, 1e-9, "g2 ci_high", __FILE__, __LINE__);
    assert_close(g2->median, 4.5);                /* even n: (4+5)/2 */
    assert_close(g2->favourable_pct, 100);

    const analysis_manager_t *g3 = manager(ds, sc, "g3");
    assert_int_equal(g3->n, 4);
    assert_close(g3->mean, 3.75);
    assert_close(g3->sd, sqrt(4.75 / 3));
    assert_close(g3->se, sqrt(4.75 / 3) / 2);
    check_close(g3->ci_high, 3.75 + 3.1824463052837078 * sqrt(4.75 / 3) / 2, 1e-9, "g3 ci_high",
                __FILE__, __LINE__);
    assert_close(g3->median, 4);                  /* 2 4 4 5: (4+4)/2 */
    assert_close(g3->favourable_pct, 75);         /* 4 4 5 of 4 answers */

    const analysis_manager_t *g4 = manager(ds, sc, "g4");
    assert_int_equal(g4->n, 0);
    assert_nan(g4->mean);
    assert_nan(g4->sd);
    assert_nan(g4->se);
    assert_nan(g4->ci_low);
    assert_nan(g4->ci_high);
    assert_nan(g4->median);
    assert_nan(g4->favourable_pct);

    results_free(res);
    dataset_free(ds);
}

/* --- scoring ---------------------------------------------------------------- */

/*
 * Four items, Q2 reverse coded on 1..5 (v -> 6 - v), min_answered 0.5,
 * each respondent alone in a team so that the team mean is its score.
 *   a: 4, 2→4, -, -      2/4 = 0.5 answered: scored, (4+4)/2 = 4;   favourable 2 of 2
 *   b: 5, -, -, -        1/4 < 0.5: not scored
 *   c: 1, 5→1, 2, 3      4/4: (1+1+2+3)/4 = 1.75;                   favourable 0 of 4
 *   d: -, -, -, -        nothing answered: not scored
 *   e: 5, 1→5, 4, -      3/4: 14/3;                                 favourable 3 of 3
 * A second scale on the same items with min_answered 0.75 scores c and e only
 * (3/4 = 0.75 is enough), and a third with min_answered 0 still needs one
 * answer, so d stays unscored.
 */
static void test_scoring(void **state)
{
    (void)state;
    scale_def_t scales[3] = {
        {"half", 4, {0, 1, 2, 3}, {false, true, false, false}, 1, 5, 0.5, 4},
        {"most", 4, {0, 1, 2, 3}, {false, true, false, false}, 1, 5, 0.75, 4},
        {"any", 4, {0, 1, 2, 3}, {false, true, false, false}, 1, 5, 0, 4},
    };
    const row_t rows[] = {
        {"a", "ma", {4, 2, NA, NA}}, {"b", "mb", {5, NA, NA, NA}},
        {"c", "mc", {1, 5, 2, 3}},   {"d", "md", {NA, NA, NA, NA}},
        {"e", "me", {5, 1, 4, NA}},
    };
    dataset_t *ds = build(4, scales, 3, rows, 5);
    results_t *res = run(ds);

    const analysis_scale_t *half = &res->scales[0];
    assert_int_equal(manager(ds, half, "ma")->n, 1);
    assert_close(manager(ds, half, "ma")->mean, 4);
    assert_close(manager(ds, half, "ma")->median, 4);
    assert_close(manager(ds, half, "ma")->favourable_pct, 100);
    assert_nan(manager(ds, half, "ma")->sd);      /* n = 1 */
    assert_nan(manager(ds, half, "ma")->se);
    assert_nan(manager(ds, half, "ma")->ci_low);
    assert_nan(manager(ds, half, "ma")->ci_high);
    assert_int_equal(manager(ds, half, "mb")->n, 0);
    assert_nan(manager(ds, half, "mb")->mean);
    assert_close(manager(ds, half, "mc")->mean, 1.75);
    assert_close(manager(ds, half, "mc")->favourable_pct, 0);
    assert_int_equal(manager(ds, half, "md")->n, 0);
    assert_close(manager(ds, half, "me")->mean, 14.0 / 3.0);
    assert_close(manager(ds, half, "me")->favourable_pct, 100);
    assert_int_equal(half->variance.respondents, 3);
    assert_int_equal(half->variance.managers, 3);
    assert_int_equal(half->notes, ANALYSIS_NOTE_ALL_SINGLETONS);

    const analysis_scale_t *most = &res->scales[1];
    assert_int_equal(manager(ds, most, "ma")->n, 0);
    assert_close(manager(ds, most, "mc")->mean, 1.75);
    assert_close(manager(ds, most, "me")->mean, 14.0 / 3.0);
    assert_int_equal(most->variance.respondents, 2);

    const analysis_scale_t *any = &res->scales[2];
    assert_close(manager(ds, any, "mb")->mean, 5);
    assert_int_equal(manager(ds, any, "md")->n, 0);
    assert_int_equal(any->variance.respondents, 4);

    results_free(res);
    dataset_free(ds);
}

/*
 * Medians with even and odd n, favourable share over answered items.
 * Two items, favourable at 4.
 *   team even: (5,4)→4.5 (1,2)→1.5 (3,3)→3 (2,-)→2
 *              sorted 1.5 2 3 4.5: median (2+3)/2 = 2.5
 *              answers 5 4 1 2 3 3 2: 2 of 7 favourable → 200/7 %
 *   team odd:  (4,4)→4 (1,1)→1 (5,5)→5: sorted 1 4 5, median 4
 *              answers 4 4 1 1 5 5: 4 of 6 → 200/3 %
 *   team one:  (2,5)→3.5 alone: median 3.5, 1 of 2 → 50 %
 */
static void test_median_and_favourable(void **state)
{
    (void)state;
    const scale_def_t scale = {"s", 2, {0, 1}, {false, false}, 1, 5, 0.5, 4};
    const row_t rows[] = {
        {"r1", "even", {5, 4}}, {"r2", "odd", {4, 4}}, {"r3", "even", {1, 2}},
        {"r4", "odd", {1, 1}},  {"r5", "even", {3, 3}}, {"r6", "one", {2, 5}},
        {"r7", "odd", {5, 5}},  {"r8", "even", {2, NA}},
    };
    dataset_t *ds = build(2, &scale, 1, rows, 8);
    results_t *res = run(ds);
    const analysis_scale_t *sc = &res->scales[0];

    assert_close(manager(ds, sc, "even")->median, 2.5);
    assert_close(manager(ds, sc, "even")->mean, 2.75);      /* 11/4 */
    assert_close(manager(ds, sc, "even")->favourable_pct, 200.0 / 7.0);
    assert_close(manager(ds, sc, "odd")->median, 4);
    assert_close(manager(ds, sc, "odd")->mean, 10.0 / 3.0);
    assert_close(manager(ds, sc, "odd")->favourable_pct, 200.0 / 3.0);
    assert_close(manager(ds, sc, "one")->median, 3.5);
    assert_close(manager(ds, sc, "one")->favourable_pct, 50);
    assert_int_equal(sc->notes, 0);

    results_free(res);
    dataset_free(ds);
}

/* --- Cronbach's alpha ----------------------------------------------------- */

/*
 * Complete data, three items, four respondents in two teams:
 *   x1: 1 2 3 4   mean 2.5   var (2.25+.25+.25+2.25)/3 = 5/3
 *   x2: 2 2 4 4   mean 3     var 4/3
 *   x3: 2 3 3 5   mean 3.25  var (1.5625+.0625+.0625+3.0625)/3 = 4.75/3
 *   cov12 = (1.5+.5+.5+1.5)/3 = 4/3
 *   cov13 = (1.875+.125-.125+2.625)/3 = 1.5
 *   cov23 = (1.25+.25-.25+1.75)/3 = 1
 *   Σvar = 13.75/3, Σcov = 13.75/3 + 2(4/3 + 1.5 + 1) = 36.75/3
 *   alpha = 3/2 (1 - 13.75/36.75) = 46/49   (psych::alpha: 0.93877551020408168)
 * The same data with x3 reversed on 1..5 (stored as 6 - x3) gives the same.
 */
static void test_alpha_complete(void **state)
{
    (void)state;
    const scale_def_t scales[] = {
        {"plain", 3, {0, 1, 2}, {false, false, false}, 1, 5, 0.5, 4},
        {"reversed", 3, {0, 1, 3}, {false, false, true}, 1, 5, 0.5, 4},
    };
    const row_t rows[] = {
        {"r1", "a", {1, 2, 2, 4}}, {"r2", "a", {2, 2, 3, 3}},
        {"r3", "b", {3, 4, 3, 3}}, {"r4", "b", {4, 4, 5, 1}},
    };
    dataset_t *ds = build(4, scales, 2, rows, 4);
    results_t *res = run(ds);
    assert_close(res->scales[0].variance.alpha, 46.0 / 49.0);
    assert_close(res->scales[1].variance.alpha, 46.0 / 49.0);
    /* r.drop of x1: (cov12 + cov13) / sqrt(var1 · (var2 + var3 + 2 cov23))
     *   = (17/6) / sqrt(5/3 · 14.75/3) */
    for (size_t s = 0; s < 2; s++) {
        const analysis_item_t *x1 = &res->scales[s].items[0];
        assert_int_equal(res->scales[s].n_items, 3);
        assert_int_equal(x1->n, 4);
        assert_close(x1->mean, 2.5);
        assert_close(x1->sd, sqrt(5.0 / 3.0));
        assert_close(x1->item_rest_r, (17.0 / 6.0) / sqrt(5.0 / 3.0 * 14.75 / 3.0));
        assert_close(res->scales[s].items[2].mean, 3.25);  /* x3, or 6 - stored */
    }
    results_free(res);
    dataset_free(ds);
}

/*
 * Pairwise-complete covariances, two items, min_answered 0.5:
 *   r1 (1,1) r2 (2,3) r3 (3,2) r4 (4,-) r5 (-,5)
 *   var1 over r1..r4: 1 2 3 4 → 5/3
 *   var2 over r1,r2,r3,r5: 1 3 2 5, mean 2.75 → (3.0625+.0625+.5625+5.0625)/3 = 35/12
 *   cov12 over r1..r3 only: means 2 and 2 → ((-1)(-1) + 0·1 + 1·0)/2 = 1/2
 *   alpha = 2 (1 - (5/3 + 35/12)/(5/3 + 35/12 + 2·1/2)) = 2·12/67 = 24/67
 *   (psych::alpha: 0.35820895522388052)
 * Note the pair's means (2, 2) differ from the items' own means (2.5, 2.75).
 */
static void test_alpha_pairwise(void **state)
{
    (void)state;
    const scale_def_t scale = {"s", 2, {0, 1}, {false, false}, 1, 5, 0.5, 4};
    const row_t rows[] = {
        {"r1", "a", {1, 1}}, {"r2", "a", {2, 3}}, {"r3", "b", {3, 2}},
        {"r4", "b", {4, NA}}, {"r5", "c", {NA, 5}},
    };
    dataset_t *ds = build(2, &scale, 1, rows, 5);
    results_t *res = run(ds);
    assert_close(res->scales[0].variance.alpha, 24.0 / 67.0);
    /* items over their own answers; r.drop of either is cov12 / sqrt(var1 var2)
     * = (1/2) / sqrt(5/3 · 35/12) = 3/sqrt(175) */
    const analysis_item_t *items = res->scales[0].items;
    assert_int_equal(items[0].n, 4);
    assert_close(items[0].mean, 2.5);
    assert_close(items[0].sd, sqrt(5.0 / 3.0));
    assert_close(items[0].favourable_pct, 25);      /* 4 of 1 2 3 4 */
    assert_int_equal(items[1].n, 4);
    assert_close(items[1].mean, 2.75);
    assert_close(items[1].sd, sqrt(35.0 / 12.0));
    assert_close(items[1].favourable_pct, 25);      /* 5 of 1 3 2 5 */
    assert_close(items[0].item_rest_r, 3.0 / sqrt(175.0));
    assert_close(items[1].item_rest_r, 3.0 / sqrt(175.0));
    results_free(res);
    dataset_free(ds);
}

/* A pair of items that only one respondent answers together: cov undefined. */
static void test_alpha_undefined_pair(void **state)
{
    (void)state;
    const scale_def_t scale = {"s", 2, {0, 1}, {false, false}, 1, 5, 0.5, 4};
    const row_t rows[] = {
        {"r1", "a", {1, 1}}, {"r2", "a", {2, NA}}, {"r3", "b", {3, NA}}, {"r4", "b", {NA, 5}},
    };
    dataset_t *ds = build(2, &scale, 1, rows, 4);
    results_t *res = run(ds);
    assert_nan(res->scales[0].variance.alpha);
    assert_int_equal(res->scales[0].variance.respondents, 4);
    results_free(res);
    dataset_free(ds);
}

/*
 * Many respondents, missing answers and a reversed item: alpha must equal
 * the definition computed here the plain way — for each pair, the
 * respondents answering both, their two means, then the sum of products of
 * deviations over n - 1.  n respondents on k items (3 <= k <= MAX_ITEMS).
 */
static void check_alpha_definition(size_t n, size_t k)
{
    scale_def_t scale = {"s", k, {0}, {false, false, true}, 1, 5, 0.5, 4};
    for (size_t i = 0; i < k; i++)
        scale.items[i] = i;
    row_t *rows = calloc(n, sizeof *rows);
    char (*ids)[2][24] = calloc(n, sizeof *ids);
    double *x = calloc(n * k, sizeof *x);
    bool *scored = calloc(n, sizeof *scored);
    assert_non_null(rows);
    assert_non_null(ids);
    assert_non_null(x);
    assert_non_null(scored);
    uint32_t seed = 12345;
    for (size_t r = 0; r < n; r++) {
        seed = seed * 1664525u + 1013904223u;
        int level = (int)(seed >> 29);                   /* 0..7: a respondent effect */
        for (size_t i = 0; i < k; i++) {
            seed = seed * 1664525u + 1013904223u;
            int v = 1 + (level + (int)((seed >> 24) % 3)) / 2;    /* 1..5 */
            v = v > 5 ? 5 : v;
            rows[r].v[i] = (seed >> 16) % 100 < 15 ? NA : (i == 2 ? 6 - v : v);
        }
        snprintf(ids[r][0], sizeof ids[r][0], "r%zu", r);
        snprintf(ids[r][1], sizeof ids[r][1], "m%zu", r % 97);
        rows[r].id = ids[r][0];
        rows[r].manager = ids[r][1];
    }

    /* the definition */
    for (size_t r = 0; r < n; r++) {
        size_t answered = 0;
        for (size_t i = 0; i < k; i++) {
            double v = rows[r].v[i];
            x[r * k + i] = scale.reverse[i] && !isnan(v) ? 6 - v : v;
            answered += !isnan(v);
        }
        scored[r] = answered >= 1 && (double)answered / (double)k >= 0.5;
    }
    double diagonal = 0, total = 0;
    for (size_t i = 0; i < k; i++) {
        for (size_t j = 0; j < k; j++) {
            double both = 0, mi = 0, mj = 0, c = 0;
            for (size_t r = 0; r < n; r++)
                if (scored[r] && !isnan(x[r * k + i]) && !isnan(x[r * k + j])) {
                    both++;
                    mi += x[r * k + i];
                    mj += x[r * k + j];
                }
            mi /= both;
            mj /= both;
            for (size_t r = 0; r < n; r++)
                if (scored[r] && !isnan(x[r * k + i]) && !isnan(x[r * k + j]))
                    c += (x[r * k + i] - mi) * (x[r * k + j] - mj);
            total += c / (both - 1);
            if (i == j)
                diagonal += c / (both - 1);
        }
    }
    double want = (double)k / (double)(k - 1) * (1 - diagonal / total);

    dataset_t *ds = build(k, &scale, 1, rows, n);
    results_t *res = run(ds);
    assert_true(res->scales[0].variance.respondents > n * 2 / 3);
    check_close(res->scales[0].variance.alpha, want, 1e-11, "alpha", __FILE__, __LINE__);
    assert_true(want > 0.5 && want < 1);
    results_free(res);
    dataset_free(ds);
    free(scored);
    free(x);
    free(ids);
    free(rows);
}

/* Several of alpha.c's blocks, an odd number of items. */
static void test_alpha_many_blocks(void **state)
{
    (void)state;
    check_alpha_definition(3000, 7);
}

/* Many more respondents than alpha.c's ring of chunks holds (so the folding
 * thread and the scoring pass go round it several times), an odd number of
 * them, an even number of items. */
static void test_alpha_many_chunks(void **state)
{
    (void)state;
    check_alpha_definition(100001, 4);
}

/* The answered share is compared as a division: 7 of 10 meets 0.7. */
static void test_min_answered_share(void **state)
{
    (void)state;
    scale_def_t scale = {"s", 10, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {false}, 1, 5, 0.7, 4};
    const row_t rows[] = {
        {"seven", "a", {1, 2, 3, 4, 5, 1, 2, NA, NA, NA}},   /* 7/10: scored, 18/7 */
        {"six", "b", {1, 2, 3, 4, 5, 1, NA, NA, NA, NA}},    /* 6/10 < 0.7 */
    };
    dataset_t *ds = build(10, &scale, 1, rows, 2);
    results_t *res = run(ds);
    assert_close(manager(ds, &res->scales[0], "a")->mean, 18.0 / 7.0);
    assert_int_equal(manager(ds, &res->scales[0], "b")->n, 0);
    results_free(res);
    dataset_free(ds);
}

/*
 * Items that vary while every total is the same: a, b and 10 - a - b on a
 * 0..10 scale.  With complete data Σ_{i,j} cov_ij is the variance of the
 * totals, here 0, so alpha is undefined: NAN, not the huge number that the
 * rounding noise in the computed Σ cov would give.  The scores themselves
 * differ in the last bits ((a + b + (10 - a - b))/3 rounds differently), so
 * no note is due.
 */
static void test_alpha_zero_total(void **state)
{
    (void)state;
    enum { N = 50 };
    const scale_def_t scale = {"s", 3, {0, 1, 2}, {false, false, false}, 0, 10, 0.5, 8};
    row_t *rows = calloc(N, sizeof *rows);
    char (*ids)[16] = calloc(N, sizeof *ids);
    assert_non_null(rows);
    assert_non_null(ids);
    for (size_t r = 0; r < N; r++) {
        double a = (double)(r * 337 % 1000) / 300.0, b = (double)(r * 613 % 1000) / 150.0;
        rows[r].v[0] = a;
        rows[r].v[1] = b;
        rows[r].v[2] = 10 - a - b;
        snprintf(ids[r], sizeof ids[r], "r%zu", r);
        rows[r].id = ids[r];
        rows[r].manager = r % 2 ? "a" : "b";
    }
    dataset_t *ds = build(3, &scale, 1, rows, N);
    results_t *res = run(ds);
    assert_nan(res->scales[0].variance.alpha);
    results_free(res);
    dataset_free(ds);
    free(ids);
    free(rows);
}

/* Infinite values (which ingest never stores) count as not answered. */
static void test_infinite_value(void **state)
{
    (void)state;
    const scale_def_t scale = {"s", 2, {0, 1}, {false, false}, 1, 5, 0.5, 4};
    const row_t rows[] = {{"r1", "a", {INFINITY, 2}}, {"r2", "a", {4, 4}}, {"r3", "a", {-INFINITY, NA}}};
    dataset_t *ds = build(2, &scale, 1, rows, 3);
    results_t *res = run(ds);
    assert_int_equal(res->scales[0].managers[0].n, 2);
    assert_close(res->scales[0].managers[0].mean, 3);   /* 2 and 4 */
    results_free(res);
    dataset_free(ds);
}

/* --- degenerate data ------------------------------------------------------ */

/*
 * One team of 1 2 6: mean 3, SSW = 4+1+9 = 14, df_within 2, MSW 7.
 * Nothing between managers: SSB 0 and df_between 0 (sums and counts), but
 * MSB, F, p, k0 and the ICCs divide by df_between = 0: NAN.  eta² = 0/14 = 0.
 */
/* A scale longer than ANALYSIS_MAX_ALPHA_ITEMS: scores and the decomposition
 * as usual, no alpha and no item mean/sd/r.drop, and a note saying so. */
static void test_too_many_items_for_alpha(void **state)
{
    (void)state;
    enum { K = ANALYSIS_MAX_ALPHA_ITEMS + 1 };
    dataset_t *ds = dataset_new();
    size_t *items = malloc(K * sizeof *items);
    bool *reverse = calloc(K, sizeof *reverse);
    double *values = malloc(K * sizeof *values);
    for (size_t c = 0; c < K; c++) {
        char name[16];
        snprintf(name, sizeof name, "Q%zu", c + 1);
        assert_int_equal(dataset_add_column(ds, name, &items[c]), ENGAGE_OK);
    }
    dataset_scale_t sc = {.name = "long", .n_items = K, .items = items, .reverse = reverse,
                          .min = 1, .max = 5, .min_answered = 0.5, .favourable = 4};
    assert_int_equal(dataset_add_scale(ds, &sc), ENGAGE_OK);
    /* respondent r answers r + 1 everywhere: scores 1, 2, 3, 4 in teams a, a, b, b */
    const char *ids[] = {"r1", "r2", "r3", "r4"}, *managers[] = {"a", "a", "b", "b"};
    for (size_t r = 0; r < 4; r++) {
        for (size_t c = 0; c < K; c++)
            values[c] = (double)r + 1;
        assert_int_equal(dataset_add_row(ds, ids[r], managers[r], values, 0, (long)r + 2, NULL, NULL), ENGAGE_OK);
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    results_t *res = run(ds);
    const analysis_scale_t *out = &res->scales[0];
    assert_true(out->notes & ANALYSIS_NOTE_TOO_MANY_ITEMS);
    assert_nan(out->variance.alpha);
    /* grand mean 2.5; team means 1.5 and 3.5: SSB = 4 * 1 = 4, SSW = 4 * 0.25 = 1 */
    assert_close(out->variance.grand_mean, 2.5);
    assert_close(out->variance.ss_between, 4);
    assert_close(out->variance.ss_within, 1);
    assert_int_equal(out->items[0].n, 4);
    assert_close(out->items[0].favourable_pct, 25); /* only the 4s */
    assert_nan(out->items[0].mean);
    assert_nan(out->items[K - 1].item_rest_r);
    results_free(res);
    dataset_free(ds);
    free(items);
    free(reverse);
    free(values);
}

static void test_one_manager(void **state)
{
    (void)state;
    const row_t rows[] = {{"r1", "a", {1}}, {"r2", "a", {2}}, {"r3", "a", {6}}};
    dataset_t *ds = build(1, &ONE_ITEM, 1, rows, 3);
    results_t *res = run(ds);
    const analysis_variance_t *v = &res->scales[0].variance;
    assert_int_equal(res->scales[0].notes, ANALYSIS_NOTE_ONE_MANAGER | ANALYSIS_NOTE_ONE_ITEM);
    assert_int_equal(v->managers, 1);
    assert_close(v->grand_mean, 3);
    assert_close(v->ss_between, 0);
    assert_close(v->ss_within, 14);
    assert_close(v->df_between, 0);
    assert_close(v->df_within, 2);
    assert_nan(v->ms_between);
    assert_close(v->ms_within, 7);
    assert_nan(v->f);
    assert_nan(v->p_value);
    assert_nan(v->k0);
    assert_nan(v->icc1);
    assert_nan(v->icc1_ci_low);
    assert_nan(v->icc1_ci_high);
    assert_nan(v->icc2);
    assert_close(v->eta_squared, 0);
    /* no second team: the REML split is not identified */
    assert_nan(v->var_between_reml);
    assert_nan(v->var_within_reml);
    assert_nan(v->icc_reml);
    /* var 7 > the null 2 of a 1..5 scale: rwg truncated to 0 */
    const analysis_manager_t *a = &res->scales[0].managers[0];
    assert_true(a->rwg == 0.0);
    /* funnel 3 ± z sqrt(7/3); the one team sits on the grand mean */
    analysis_funnel_t fa = funnel_of(&res->scales[0], a);
    assert_close(fa.low95, 3 - ANALYSIS_Z95 * sqrt(7.0 / 3.0));
    assert_close(fa.high998, 3 + ANALYSIS_Z998 * sqrt(7.0 / 3.0));
    assert_int_equal(fa.stands_out, ANALYSIS_WITHIN);
    /* the item is the score */
    const analysis_item_t *it = &res->scales[0].items[0];
    assert_int_equal(it->n, 3);
    assert_close(it->mean, 3);
    assert_close(it->sd, sqrt(7));
    assert_close(it->favourable_pct, 100.0 / 3.0);
    assert_nan(it->item_rest_r);
    results_free(res);
    dataset_free(ds);
}

/*
 * Every team of one: 1, 2, 4 in teams a, b, c.  N = J = 3, grand mean 7/3.
 * SSB = (4/3)² + (1/3)² + (5/3)² = 42/9 = 14/3, SSW 0, df_within 0:
 * MSW, F, p and both ICCs NAN; k0 = (3 - 3/3)/2 = 1; eta² = 1.
 */
static void test_all_singletons(void **state)
{
    (void)state;
    const row_t rows[] = {{"r1", "a", {1}}, {"r2", "b", {2}}, {"r3", "c", {4}}};
    dataset_t *ds = build(1, &ONE_ITEM, 1, rows, 3);
    results_t *res = run(ds);
    const analysis_scale_t *sc = &res->scales[0];
    const analysis_variance_t *v = &sc->variance;
    assert_int_equal(sc->notes, ANALYSIS_NOTE_ALL_SINGLETONS | ANALYSIS_NOTE_ONE_ITEM);
    assert_close(v->ss_between, 14.0 / 3.0);
    assert_close(v->ss_within, 0);
    assert_close(v->df_within, 0);
    assert_close(v->ms_between, 7.0 / 3.0);
    assert_nan(v->ms_within);
    assert_nan(v->f);
    assert_nan(v->p_value);
    assert_close(v->k0, 1);
    assert_nan(v->icc1);
    assert_nan(v->icc2);
    assert_close(v->eta_squared, 1);
    assert_nan(v->icc1_ci_low);
    assert_nan(v->var_between_reml);
    assert_nan(v->var_within_reml);
    assert_nan(v->icc_reml);
    assert_nan(manager(ds, sc, "c")->rwg);
    assert_nan(funnel_of(sc, manager(ds, sc, "c")).low95);   /* no within-team sd */
    assert_int_equal(funnel_of(sc, manager(ds, sc, "c")).stands_out, ANALYSIS_WITHIN);
    assert_close(manager(ds, sc, "c")->mean, 4);
    assert_close(manager(ds, sc, "c")->median, 4);
    assert_nan(manager(ds, sc, "c")->sd);
    results_free(res);
    dataset_free(ds);
}

/*
 * Everyone answers 4, 4, 3: every score is 11/3, in two teams of two.
 * All sums of squares exactly 0; MS 0; F, p, ICCs, eta² and alpha (total
 * variance 0) NAN; sd and se 0 and the interval collapses on the mean.
 */
static void test_zero_variance(void **state)
{
    (void)state;
    const scale_def_t scale = {"s", 3, {0, 1, 2}, {false, false, false}, 1, 5, 0.5, 4};
    const row_t rows[] = {
        {"r1", "a", {4, 4, 3}}, {"r2", "a", {4, 4, 3}}, {"r3", "b", {4, 4, 3}}, {"r4", "b", {4, 4, 3}},
    };
    dataset_t *ds = build(3, &scale, 1, rows, 4);
    results_t *res = run(ds);
    const analysis_scale_t *sc = &res->scales[0];
    const analysis_variance_t *v = &sc->variance;
    assert_int_equal(sc->notes, ANALYSIS_NOTE_ZERO_VARIANCE);
    assert_true(v->grand_mean == 11.0 / 3.0);
    assert_true(v->ss_between == 0.0);
    assert_true(v->ss_within == 0.0);
    assert_true(v->ms_between == 0.0);
    assert_true(v->ms_within == 0.0);
    assert_nan(v->f);
    assert_nan(v->p_value);
    assert_close(v->k0, 2);                       /* (4 - 8/4)/1 */
    assert_nan(v->icc1);
    assert_nan(v->icc2);
    assert_nan(v->eta_squared);
    assert_nan(v->alpha);
    assert_nan(v->icc1_ci_low);
    assert_true(v->var_between_reml == 0.0);
    assert_true(v->var_within_reml == 0.0);
    assert_nan(v->icc_reml);
    for (size_t i = 0; i < 3; i++) {
        assert_true(sc->items[i].sd == 0.0);
        assert_nan(sc->items[i].item_rest_r);        /* psych drops constant items */
    }
    const analysis_manager_t *a = manager(ds, sc, "a");
    assert_true(a->rwg == 1.0);                       /* perfect agreement */
    assert_true(funnel_of(sc, a).low998 == a->mean && funnel_of(sc, a).high998 == a->mean);
    assert_int_equal(funnel_of(sc, a).stands_out, ANALYSIS_WITHIN);
    assert_true(a->mean == 11.0 / 3.0);
    assert_true(a->sd == 0.0);
    assert_true(a->se == 0.0);
    assert_true(a->ci_low == a->mean && a->ci_high == a->mean);
    assert_close(a->favourable_pct, 200.0 / 3.0);  /* 4 of 6 answers */
    results_free(res);
    dataset_free(ds);
}

/*
 * Team means all equal: {1,5} {2,4} {3,3}, each mean 3.  SSB exactly 0,
 * SSW = 8+2+0 = 10, MSW = 10/3, F = 0, p = 1, k0 = (6 - 12/6)/2 = 2,
 * ICC1 = -MSW/(0 + (2-1)MSW) = -1, ICC2 = (0 - MSW)/0: NAN, eta² 0.
 */
static void test_equal_team_means(void **state)
{
    (void)state;
    const row_t rows[] = {
        {"r1", "a", {1}}, {"r2", "a", {5}}, {"r3", "b", {2}},
        {"r4", "b", {4}}, {"r5", "c", {3}}, {"r6", "c", {3}},
    };
    dataset_t *ds = build(1, &ONE_ITEM, 1, rows, 6);
    results_t *res = run(ds);
    const analysis_variance_t *v = &res->scales[0].variance;
    assert_true(v->ss_between == 0.0);
    assert_close(v->ss_within, 10);
    assert_close(v->ms_within, 10.0 / 3.0);
    assert_true(v->f == 0.0);
    assert_close(v->p_value, 1);
    assert_close(v->k0, 2);
    assert_close(v->icc1, -1);
    assert_nan(v->icc2);
    assert_true(v->eta_squared == 0.0);
    /* the REML boundary: between exactly 0, within SST/(N-1) = 10/5 */
    assert_true(v->var_between_reml == 0.0);
    assert_close(v->var_within_reml, 2);
    assert_true(v->icc_reml == 0.0);
    /* F = 0: FL = 0 gives the lower limit -1/(k0-1) = -1 */
    assert_close(v->icc1_ci_low, -1);
    assert_int_equal(res->scales[0].notes, ANALYSIS_NOTE_ONE_ITEM);
    results_free(res);
    dataset_free(ds);
}

/*
 * Each team answers as one: {2,2} {4,4,4}.  MSW = 0, so F = MSB/0 is NAN
 * (never inf) and so is p; ICC1 = MSB/MSB = 1, ICC2 = 1, eta² = 1.
 * Grand mean 16/5; SSB = 2(1.2)² + 3(0.8)² = 4.8; MSB = 4.8.
 */
static void test_no_within_variance(void **state)
{
    (void)state;
    const row_t rows[] = {
        {"r1", "a", {2}}, {"r2", "b", {4}}, {"r3", "a", {2}}, {"r4", "b", {4}}, {"r5", "b", {4}},
    };
    dataset_t *ds = build(1, &ONE_ITEM, 1, rows, 5);
    results_t *res = run(ds);
    const analysis_variance_t *v = &res->scales[0].variance;
    assert_close(v->ss_between, 4.8);
    assert_true(v->ss_within == 0.0);
    assert_true(v->ms_within == 0.0);
    assert_nan(v->f);
    assert_nan(v->p_value);
    assert_close(v->icc1, 1);
    assert_close(v->icc2, 1);
    assert_close(v->eta_squared, 1);
    assert_nan(v->icc1_ci_low);                       /* F undefined */
    assert_nan(v->var_between_reml);                  /* likelihood unbounded */
    assert_nan(v->var_within_reml);
    assert_nan(v->icc_reml);
    /* no noise at all: the funnel collapses on the grand mean 3.2 */
    const analysis_manager_t *m = res->scales[0].managers;
    assert_close(funnel_of(&res->scales[0], &m[0]).low998, 3.2);
    assert_int_equal(funnel_of(&res->scales[0], &m[0]).stands_out, ANALYSIS_BELOW);
    assert_int_equal(funnel_of(&res->scales[0], &m[1]).stands_out, ANALYSIS_ABOVE);
    results_free(res);
    dataset_free(ds);
}

/* Nobody scored, an empty dataset, a scale without items, no scales. */
static void test_nothing_to_score(void **state)
{
    (void)state;
    const scale_def_t scales[] = {
        {"s", 2, {0, 1}, {false, false}, 1, 5, 0.5, 4},
        {"empty", 0, {0}, {false}, 1, 5, 0.5, 4},
    };
    const row_t rows[] = {{"r1", "a", {NA, NA}}, {"r2", "b", {NA, NA}}};
    dataset_t *ds = build(2, scales, 2, rows, 2);
    results_t *res = run(ds);
    for (size_t s = 0; s < 2; s++) {
        const analysis_scale_t *sc = &res->scales[s];
        const analysis_variance_t *v = &sc->variance;
        assert_int_equal(sc->notes, ANALYSIS_NOTE_NO_SCORES | (s ? ANALYSIS_NOTE_ONE_ITEM : 0));
        assert_int_equal(v->respondents, 0);
        assert_int_equal(v->managers, 0);
        const double all[] = {v->grand_mean, v->ss_between, v->ss_within, v->df_between,
                              v->df_within, v->ms_between, v->ms_within, v->f, v->p_value,
                              v->k0, v->icc1, v->icc2, v->eta_squared, v->alpha};
        for (size_t i = 0; i < sizeof all / sizeof *all; i++)
            assert_nan(all[i]);
        assert_int_equal(sc->n_managers, 2);
        assert_int_equal(sc->managers[1].n, 0);
        assert_nan(sc->managers[1].mean);
    }
    results_free(res);
    dataset_free(ds);

    ds = build(2, scales, 1, NULL, 0);
    res = run(ds);
    assert_int_equal(res->scales[0].n_managers, 0);
    assert_int_equal(res->scales[0].notes, ANALYSIS_NOTE_NO_SCORES);
    results_free(res);
    dataset_free(ds);

    ds = build(0, NULL, 0, NULL, 0);
    res = run(ds);
    assert_int_equal(res->n_scales, 0);
    results_free(res);
    dataset_free(ds);

    results_free(NULL);
}

/* A repeated respondent id keeps the later row only. */
static void test_superseded_row(void **state)
{
    (void)state;
    const row_t rows[] = {{"r1", "a", {1}}, {"r2", "a", {3}}, {"r1", "a", {5}}};
    dataset_t *ds = build(1, &ONE_ITEM, 1, rows, 3);
    results_t *res = run(ds);
    assert_int_equal(res->scales[0].managers[0].n, 2);
    assert_close(res->scales[0].managers[0].mean, 4);
    results_free(res);
    dataset_free(ds);
}

/* --- team agreement (rwg) ----------------------------------------------- */

/*
 * One item on 1..5: null variance (5² - 1)/12 = 2; rwg = 1 - var/2, var
 * above 2 counting as 2 (multilevel::rwg).
 *   a {1,5}: var 8 → truncated, 0      b {3,4}: var 0.5 → 0.75
 *   c {2,2,2}: var 0 → 1               d {3}: one respondent → undefined
 * The 0..24 hours scale: null (25² - 1)/12 = 52; {10,12}: var 2 → 25/26.
 */
static void test_rwg_single_item(void **state)
{
    (void)state;
    const scale_def_t scales[] = {
        {"s", 1, {0}, {false}, 1, 5, 0.5, 4},
        {"hours", 1, {1}, {false}, 0, 24, 0.5, 23},
    };
    const row_t rows[] = {
        {"r1", "a", {1, 10}}, {"r2", "a", {5, 12}}, {"r3", "b", {3, NA}}, {"r4", "b", {4, NA}},
        {"r5", "c", {2, NA}}, {"r6", "c", {2, NA}}, {"r7", "c", {2, NA}}, {"r8", "d", {3, NA}},
    };
    dataset_t *ds = build(2, scales, 2, rows, 8);
    results_t *res = run(ds);
    const analysis_scale_t *sc = &res->scales[0];
    assert_true(manager(ds, sc, "a")->rwg == 0.0);
    assert_close(manager(ds, sc, "b")->rwg, 0.75);
    assert_true(manager(ds, sc, "c")->rwg == 1.0);
    assert_nan(manager(ds, sc, "d")->rwg);
    assert_close(manager(ds, &res->scales[1], "a")->rwg, 25.0 / 26.0);
    results_free(res);
    dataset_free(ds);
}

/*
 * rwg(j), two items on 1..5 (null 2), over the respondents who answered
 * both (multilevel::rwg.j drops the others):
 *   rwg(j) = J (1 - s/2) / (J (1 - s/2) + s/2), s = mean item variance ≤ 2
 *   a (2,3) (4,-) (3,3) (4,3): listwise (2,3) (3,3) (4,3): vars 1, 0, s = 1/2,
 *     2 · 3/4 / (3/2 + 1/4) = 6/7   (with r6's 4 the first var would differ)
 *   b (1,1) (5,5): vars 8, 8, s = 8 → 2 (truncated): 0.  Untruncated the
 *     formula gives 2(-3)/(2(-3) + 4) = 3, so truncating the result instead
 *     of s would be wrong.
 *   c (1,2) (3,-): one complete respondent: undefined
 *   d (2,2) (2,2) (3,3): vars 1/3, 1/3, s = 1/3: 2 · 5/6 / (5/3 + 1/6) = 10/11
 * The second item reversed (stored as 6 - x) gives the same.
 */
static void test_rwg_items(void **state)
{
    (void)state;
    const scale_def_t scales[] = {
        {"s", 2, {0, 1}, {false, false}, 1, 5, 0.5, 4},
        {"reversed", 2, {0, 2}, {false, true}, 1, 5, 0.5, 4},
    };
    const row_t rows[] = {
        {"r1", "a", {2, 3, 3}}, {"r2", "a", {4, NA, NA}}, {"r3", "a", {3, 3, 3}},
        {"r4", "a", {4, 3, 3}}, {"r5", "b", {1, 1, 5}}, {"r6", "b", {5, 5, 1}},
        {"r7", "c", {1, 2, 4}}, {"r8", "c", {3, NA, NA}}, {"r9", "d", {2, 2, 4}},
        {"r10", "d", {2, 2, 4}}, {"r11", "d", {3, 3, 3}},
    };
    dataset_t *ds = build(3, scales, 2, rows, 11);
    results_t *res = run(ds);
    for (size_t s = 0; s < 2; s++) {
        const analysis_scale_t *sc = &res->scales[s];
        assert_close(manager(ds, sc, "a")->rwg, 6.0 / 7.0);
        assert_true(manager(ds, sc, "b")->rwg == 0.0);
        assert_nan(manager(ds, sc, "c")->rwg);
        assert_int_equal(manager(ds, sc, "c")->n, 2);
        assert_close(manager(ds, sc, "d")->rwg, 10.0 / 11.0);
    }
    results_free(res);
    dataset_free(ds);
}

/*
 * The same teams as test_rwg_items with every answer and both ends of the
 * scale shifted by one offset: the item variances, the null variance
 * ((max - min + 1)² - 1)/12 = 2 and so rwg(j) stay as there (6/7, 0,
 * undefined, 10/11).  Offsets 0.5 and 100.5 (answers on a grid of halves:
 * the sums are kept as 32-bit integers) and 0.25 (not halves: doubles)
 * take both ways the sums are kept; halves give exactly the bits of the
 * unshifted answers.
 */
static void test_rwg_items_shifted(void **state)
{
    (void)state;
    const double offsets[] = { 0.0, 0.5, 0.25, 100.5 };
    double unshifted[4] = { 0 };
    for (size_t o = 0; o < sizeof offsets / sizeof *offsets; o++) {
        double d = offsets[o];
        const scale_def_t scales[] = {
            {"s", 2, {0, 1}, {false, false}, 1 + d, 5 + d, 0.5, 4 + d},
            {"reversed", 2, {0, 2}, {false, true}, 1 + d, 5 + d, 0.5, 4 + d},
        };
        const row_t rows[] = {
            {"r1", "a", {2 + d, 3 + d, 3 + d}}, {"r2", "a", {4 + d, NA, NA}},
            {"r3", "a", {3 + d, 3 + d, 3 + d}}, {"r4", "a", {4 + d, 3 + d, 3 + d}},
            {"r5", "b", {1 + d, 1 + d, 5 + d}}, {"r6", "b", {5 + d, 5 + d, 1 + d}},
            {"r7", "c", {1 + d, 2 + d, 4 + d}}, {"r8", "c", {3 + d, NA, NA}},
            {"r9", "d", {2 + d, 2 + d, 4 + d}}, {"r10", "d", {2 + d, 2 + d, 4 + d}},
            {"r11", "d", {3 + d, 3 + d, 3 + d}},
        };
        dataset_t *ds = build(3, scales, 2, rows, 11);
        results_t *res = run(ds);
        for (size_t s = 0; s < 2; s++) {
            const analysis_scale_t *sc = &res->scales[s];
            double a = manager(ds, sc, "a")->rwg, dd = manager(ds, sc, "d")->rwg;
            assert_close(a, 6.0 / 7.0);
            assert_true(manager(ds, sc, "b")->rwg == 0.0);
            assert_nan(manager(ds, sc, "c")->rwg);
            assert_close(dd, 10.0 / 11.0);
            if (o == 0) {
                unshifted[2 * s] = a;
                unshifted[2 * s + 1] = dd;
            } else if (d == 0.5) {   /* the same deviations, so the same bits */
                assert_true(a == unshifted[2 * s]);
                assert_true(dd == unshifted[2 * s + 1]);
            }
        }
        results_free(res);
        dataset_free(ds);
    }
}

/* --- funnel limits ------------------------------------------------------- */

/* Teams a, b and c of eight each, one item: a answers 1 and 2 in turn, b 4
 * and 5, c 2 and 3 (means 1.5, 4.5, 2.5; each team's ss 2). */
static dataset_t *three_teams_of_eight(void)
{
    row_t rows[24];
    char ids[24][8];
    const char *teams[] = {"a", "b", "c"};
    const double base[] = {1, 4, 2};
    for (size_t r = 0; r < 24; r++) {
        snprintf(ids[r], sizeof ids[r], "r%zu", r);
        rows[r] = (row_t){ids[r], teams[r / 8], {base[r / 8] + (double)(r % 2)}};
    }
    return build(1, &ONE_ITEM, 1, rows, 24);
}

/*
 * The decomposition over a subset of teams, by hand: test_funnel's teams a
 * (1, 2 alternating), b (4, 5) and c (2, 3), eight each, over a and c only.
 * N = 16, J = 2, grand mean 2; SSB = 8(0.5²) + 8(0.5²) = 4; each team's ss
 * is 8 · 0.25 = 2, SSW = 4; MSB = 4, MSW = 4/14; F = 14; k0 = (16 - 128/16)
 * = 8; ICC(1) = (4 - 2/7)/(4 + 7 · 2/7) = 13/21, ICC(2) = 13/14, eta² =
 * 1/2; balanced REML: σ²_b = (MSB - MSW)/8 = 13/28, σ²_e = MSW = 2/7, share
 * 13/21.  Team b, left out, changes none of it; alpha is left as it was.
 */
static void test_decompose_subset(void **state)
{
    (void)state;
    const char *teams[] = {"a", "b", "c"};
    dataset_t *ds = three_teams_of_eight();
    results_t *res = run(ds);
    const analysis_scale_t *sc = &res->scales[0];
    for (size_t t = 0; t < 3; t++)
        assert_close(manager(ds, sc, teams[t])->ss, 2);
    bool include[3];
    for (size_t m = 0; m < 3; m++)
        include[m] = strcmp(dataset_manager_id(ds, m), "b") != 0;
    analysis_variance_t v = { .alpha = 0.25 };
    assert_int_equal(analysis_decompose(sc->managers, sc->n_managers, include, &v), ENGAGE_OK);
    assert_int_equal(v.respondents, 16);
    assert_int_equal(v.managers, 2);
    assert_close(v.grand_mean, 2);
    assert_close(v.ss_between, 4);
    assert_close(v.ss_within, 4);
    assert_close(v.df_between, 1);
    assert_close(v.df_within, 14);
    assert_close(v.ms_within, 2.0 / 7.0);
    assert_close(v.f, 14);
    assert_close(v.k0, 8);
    assert_close(v.icc1, 13.0 / 21.0);
    assert_close(v.icc2, 13.0 / 14.0);
    assert_close(v.eta_squared, 0.5);
    assert_close(v.var_between_reml, 13.0 / 28.0);
    assert_close(v.var_within_reml, 2.0 / 7.0);
    assert_close(v.icc_reml, 13.0 / 21.0);
    assert_true(v.alpha == 0.25);
    /* team b's scores moved anywhere leave it unchanged: it reads b's n only */
    analysis_manager_t moved[3];
    memcpy(moved, sc->managers, sizeof moved);
    for (size_t m = 0; m < 3; m++)
        if (!include[m]) {
            moved[m].mean = 1.0;
            moved[m].ss = 100.0;
        }
    analysis_variance_t w = { .alpha = 0.25 };
    assert_int_equal(analysis_decompose(moved, 3, include, &w), ENGAGE_OK);
    assert_memory_equal(&v, &w, sizeof v);
    /* every team: the results' own decomposition */
    analysis_variance_t all = { .alpha = sc->variance.alpha };
    assert_int_equal(analysis_decompose(sc->managers, 3, NULL, &all), ENGAGE_OK);
    assert_memory_equal(&all, &sc->variance, sizeof all);
    /* no team: counts 0, every figure undefined */
    bool none[3] = {false, false, false};
    analysis_variance_t empty = { .alpha = 0.5 };
    assert_int_equal(analysis_decompose(sc->managers, 3, none, &empty), ENGAGE_OK);
    assert_int_equal(empty.respondents, 0);
    assert_int_equal(empty.managers, 0);
    assert_nan(empty.grand_mean);
    assert_nan(empty.icc_reml);
    assert_true(empty.alpha == 0.5);
    assert_int_equal(analysis_variance_notes(&empty), 0);
    assert_int_equal(analysis_variance_notes(&v), 0);
    results_free(res);
    dataset_free(ds);
}

/*
 * Three teams of 8, each answering x and x+1 four times each: every score is
 * 0.5 from its team mean, SSW = 24 · 0.25 = 6, MSW = 6/21 = 2/7.
 * Means 1.5 (a), 4.5 (b), 2.5 (c); grand mean 8.5/3.
 * Limits: 8.5/3 ± z sqrt(2/7)/sqrt(8) = 8.5/3 ± z/sqrt(28):
 *   95%:   ± 0.370399..., 99.8%: ± 0.584000...
 * a is below the 99.8% limits, b above, c (2.5 > 2.2494) within them.
 */
static void test_funnel(void **state)
{
    (void)state;
    const char *teams[] = {"a", "b", "c"};
    dataset_t *ds = three_teams_of_eight();
    results_t *res = run(ds);
    const analysis_scale_t *sc = &res->scales[0];
    assert_close(sc->variance.ms_within, 2.0 / 7.0);
    double grand = 8.5 / 3.0, h95 = ANALYSIS_Z95 / sqrt(28.0), h998 = ANALYSIS_Z998 / sqrt(28.0);
    for (size_t t = 0; t < 3; t++) {
        analysis_funnel_t f = funnel_of(sc, manager(ds, sc, teams[t]));
        assert_close(f.low95, grand - h95);
        assert_close(f.high95, grand + h95);
        assert_close(f.low998, grand - h998);
        assert_close(f.high998, grand + h998);
    }
    assert_int_equal(funnel_of(sc, manager(ds, sc, "a")).stands_out, ANALYSIS_BELOW);
    assert_int_equal(funnel_of(sc, manager(ds, sc, "b")).stands_out, ANALYSIS_ABOVE);
    assert_int_equal(funnel_of(sc, manager(ds, sc, "c")).stands_out, ANALYSIS_WITHIN);
    results_free(res);
    dataset_free(ds);
}

/* --- items ---------------------------------------------------------------- */

/*
 * Three items, min_answered 0.6: r5 answers Q1 only and is not scored, so
 * its answer counts nowhere.  Q3 is answered 3 by everyone: psych::alpha
 * drops an item without variance, so alpha and r.drop come from Q1 and Q2.
 *   Q1: 1 2 3 4 (var 5/3)   Q2: 2 2 4 4 (var 4/3)   cov12 = 4/3
 *   alpha (two items) = 2 (1 - 3/(3 + 8/3)) = 16/17
 *   r.drop Q1 = r.drop Q2 = (4/3)/sqrt(5/3 · 4/3) = 2/sqrt(5); Q3: undefined
 * Favourable at 4: Q1 1 of 4, Q2 2 of 4, Q3 none.
 */
static void test_items(void **state)
{
    (void)state;
    const scale_def_t scale = {"s", 3, {0, 1, 2}, {false, false, false}, 1, 5, 0.6, 4};
    const row_t rows[] = {
        {"r1", "a", {1, 2, 3}}, {"r2", "a", {2, 2, 3}}, {"r3", "b", {3, 4, 3}},
        {"r4", "b", {4, 4, 3}}, {"r5", "b", {5, NA, NA}},
    };
    dataset_t *ds = build(3, &scale, 1, rows, 5);
    results_t *res = run(ds);
    const analysis_scale_t *sc = &res->scales[0];
    assert_int_equal(sc->variance.respondents, 4);
    assert_close(sc->variance.alpha, 16.0 / 17.0);
    const analysis_item_t *it = sc->items;
    assert_int_equal(it[0].column, 0);
    assert_int_equal(it[0].n, 4);
    assert_close(it[0].mean, 2.5);
    assert_close(it[0].favourable_pct, 25);
    assert_close(it[0].item_rest_r, 2.0 / sqrt(5.0));
    assert_close(it[1].item_rest_r, 2.0 / sqrt(5.0));
    assert_close(it[1].favourable_pct, 50);
    assert_true(it[2].sd == 0.0);
    assert_close(it[2].mean, 3);
    assert_true(it[2].favourable_pct == 0.0);
    assert_nan(it[2].item_rest_r);
    results_free(res);
    dataset_free(ds);
}

/* --- the ICC(1) interval where GSL's F quantile fails ------------------------ */

/*
 * 248 teams, 2000 respondents: F(247, 1752), a pair of degrees of freedom
 * for which gsl_cdf_fdist_Pinv(0.975, ...) returns NAN.  The interval must
 * be there, and its lower limit must invert to the 97.5% point of
 * F(247, 1752): from low = (FL-1)/(FL+k0-1), FL = (1 + low (k0-1))/(1 - low)
 * and Q(F/FL) = 0.025.
 */
static void test_icc1_interval_hard_df(void **state)
{
    (void)state;
    enum { J = 248, N = 2000 };
    row_t *rows = calloc(N, sizeof *rows);
    char (*ids)[16] = calloc(N, sizeof *ids), (*teams)[16] = calloc(J, sizeof *teams);
    assert_non_null(rows);
    assert_non_null(ids);
    assert_non_null(teams);
    for (size_t j = 0; j < J; j++)
        snprintf(teams[j], sizeof teams[j], "t%03zu", j);
    for (size_t r = 0; r < N; r++) {
        size_t j = r < 8 * J ? r / 8 : r % J;
        snprintf(ids[r], sizeof ids[r], "r%zu", r);
        rows[r] = (row_t){ids[r], teams[j], {(double)(1 + (r * 7 + j * 3) % 5)}};
    }
    dataset_t *ds = build(1, &ONE_ITEM, 1, rows, N);
    results_t *res = run(ds);
    const analysis_variance_t *v = &res->scales[0].variance;
    assert_close(v->df_between, J - 1);
    assert_close(v->df_within, N - J);
    assert_false(isnan(v->icc1_ci_low) || isnan(v->icc1_ci_high));
    assert_true(v->icc1_ci_low < v->icc1 && v->icc1 < v->icc1_ci_high);
    double fl = (1 + v->icc1_ci_low * (v->k0 - 1)) / (1 - v->icc1_ci_low);
    double fu = (1 + v->icc1_ci_high * (v->k0 - 1)) / (1 - v->icc1_ci_high);
    check_close(gsl_cdf_fdist_Q(v->f / fl, J - 1, N - J), 0.025, 1e-9, "lower quantile",
                __FILE__, __LINE__);
    check_close(gsl_cdf_fdist_Q(fu / v->f, N - J, J - 1), 0.025, 1e-9, "upper quantile",
                __FILE__, __LINE__);
    results_free(res);
    dataset_free(ds);
    free(rows);
    free(ids);
    free(teams);
}

/* --- many managers: figures worked out on two threads ---------------------- */

/*
 * 10,001 teams of two (more than ANALYSIS_PARALLEL_MANAGERS, so the second
 * half of the managers is summarised on another thread), team j answering
 * a = 1 + j % 5 and b = 1 + j % 3: mean (a+b)/2, sd |a-b|/sqrt(2), SS
 * (a-b)²/2, median the mean, rwg 1 - min(var, 2)/2 with var = (a-b)²/2.
 * Every value is a multiple of 0.5, so SS_within is exact in any order.
 */
static void test_many_managers(void **state)
{
    (void)state;
    enum { J = 10001 };
    row_t *rows = calloc(2 * J, sizeof *rows);
    char (*ids)[16] = calloc(2 * J, sizeof *ids), (*teams)[16] = calloc(J, sizeof *teams);
    assert_non_null(rows);
    assert_non_null(ids);
    assert_non_null(teams);
    double ssw = 0;
    for (size_t j = 0; j < J; j++) {
        double a = 1 + (double)(j % 5), b = 1 + (double)(j % 3);
        snprintf(teams[j], sizeof teams[j], "t%05zu", j);
        snprintf(ids[2 * j], sizeof ids[0], "r%zu", 2 * j);
        snprintf(ids[2 * j + 1], sizeof ids[0], "r%zu", 2 * j + 1);
        rows[2 * j] = (row_t){ids[2 * j], teams[j], {a}};
        rows[2 * j + 1] = (row_t){ids[2 * j + 1], teams[j], {b}};
        ssw += (a - b) * (a - b) / 2;
    }
    dataset_t *ds = build(1, &ONE_ITEM, 1, rows, 2 * J);
    results_t *res = run(ds);
    const analysis_scale_t *sc = &res->scales[0];
    assert_int_equal(sc->variance.managers, J);
    assert_true(sc->variance.ss_within == ssw);
    assert_close(sc->variance.df_within, J);
    for (size_t j = 0; j < J; j++) {
        const analysis_manager_t *m = &sc->managers[j];
        double a = 1 + (double)(j % 5), b = 1 + (double)(j % 3), var = (a - b) * (a - b) / 2;
        assert_int_equal(m->n, 2);
        assert_close(m->mean, (a + b) / 2);
        assert_close(m->median, (a + b) / 2);
        if (a == b)
            assert_true(m->sd == 0.0);
        else
            assert_close(m->sd, fabs(a - b) / sqrt(2));
        assert_close(m->rwg, 1 - fmin(var, 2) / 2);
        assert_close(m->ci_high - m->mean, 12.706204736174694 * m->se);
    }
    results_free(res);
    dataset_free(ds);
    free(rows);
    free(ids);
    free(teams);
}

/* --- the R reference fixtures ------------------------------------------- */

#define FIXTURES_FROM_HERE "/../fixtures/reference/"

typedef struct {
    char ***rows;          /* rows[r][c], row 0 the header */
    size_t n_rows, n_cols, cap_rows;
    char **row;            /* row being read */
    size_t n_row;
} table_t;

static void table_field(void *s, size_t len, void *data)
{
    table_t *t = data;
    char *f = malloc(len + 1);
    assert_non_null(f);
    memcpy(f, s, len);
    f[len] = '\0';
    char **grown = realloc(t->row, (t->n_row + 1) * sizeof *grown);
    assert_non_null(grown);
    t->row = grown;
    t->row[t->n_row++] = f;
}

static void table_end_row(int c, void *data)
{
    (void)c;
    table_t *t = data;
    if (t->n_rows == 0)
        t->n_cols = t->n_row;
    assert_int_equal(t->n_row, t->n_cols);
    if (t->n_rows == t->cap_rows) {
        t->cap_rows = t->cap_rows ? 2 * t->cap_rows : 64;
        t->rows = realloc(t->rows, t->cap_rows * sizeof *t->rows);
        assert_non_null(t->rows);
    }
    t->rows[t->n_rows++] = t->row;
    t->row = NULL;
    t->n_row = 0;
}

static void fixture_path(char *buf, size_t size, const char *name)
{
    const char *here = __FILE__;
    const char *slash = strrchr(here, '/');
    int dir = slash ? (int)(slash - here) : 1;
    snprintf(buf, size, "%.*s%s%s", dir, slash ? here : ".", FIXTURES_FROM_HERE, name);
}

static table_t table_read(const char *name)
{
    char path[4096];
    fixture_path(path, sizeof path, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open fixture %s (run the tests from the project root)", path);
    struct csv_parser p;
    assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL), 0);
    table_t t = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        assert_int_equal(csv_parse(&p, buf, n, table_field, table_end_row, &t), n);
    assert_int_equal(csv_fini(&p, table_field, table_end_row, &t), 0);
    csv_free(&p);
    fclose(f);
    assert_true(t.n_rows >= 1);
    return t;
}

static void table_free(table_t *t)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_cols; c++)
            free(t->rows[r][c]);
        free(t->rows[r]);
    }
    free(t->rows);
}

static size_t table_column(const table_t *t, const char *name)
{
    for (size_t c = 0; c < t->n_cols; c++)
        if (strcmp(t->rows[0][c], name) == 0)
            return c;
    fail_msg("no column %s", name);
    return 0;
}

/* A cell as a number: empty or NA is NAN. */
static double table_number(const table_t *t, size_t r, size_t c)
{
    const char *s = t->rows[r][c];
    if (s[0] == '\0' || strcmp(s, "NA") == 0)
        return NAN;
    char *end;
    double v = strtod(s, &end);
    assert_true(*end == '\0');
    return v;
}

typedef struct {
    const char *name;
    const char *items[MAX_ITEMS];   /* column names, NULL-terminated */
    const char *reverse[4];         /* reverse-coded items, NULL-terminated */
    double min, max, min_answered, favourable;
} fixture_scale_t;

/* Same figure, to the contract's 1e-7 relative. */
static void check_fixture(double got, double want, const char *fixture, const char *scale,
                          const char *row, const char *what)
{
    char label[256];
    snprintf(label, sizeof label, "%s %s %s %s", fixture, scale, row, what);
    check_close(got, want, 1e-7, label, __FILE__, __LINE__);
}

/* Build the fixture's dataset from <name>.csv and the scales of <name>.ini
 * (written out below), run the analysis and compare with
 * <name>_variance.csv and <name>_managers.csv. */
static void check_reference(const char *name, const fixture_scale_t *fs, size_t n_scales)
{
    char file[256];
    snprintf(file, sizeof file, "%s.csv", name);
    table_t data = table_read(file);
    dataset_t *ds = dataset_new();
    assert_non_null(ds);
    size_t n_items = data.n_cols - 2;
    assert_string_equal(data.rows[0][0], "respondent_id");
    assert_string_equal(data.rows[0][1], "manager_id");
    for (size_t c = 0; c < n_items; c++) {
        size_t index;
        assert_int_equal(dataset_add_column(ds, data.rows[0][c + 2], &index), ENGAGE_OK);
    }
    for (size_t s = 0; s < n_scales; s++) {
        size_t items[MAX_ITEMS];
        bool reverse[MAX_ITEMS];
        size_t k = 0;
        for (; fs[s].items[k]; k++) {
            items[k] = table_column(&data, fs[s].items[k]) - 2;
            reverse[k] = false;
            for (size_t q = 0; fs[s].reverse[q]; q++)
                reverse[k] |= strcmp(fs[s].reverse[q], fs[s].items[k]) == 0;
        }
        dataset_scale_t sc = {
            .name = (char *)fs[s].name, .n_items = k, .items = items, .reverse = reverse,
            .min = fs[s].min, .max = fs[s].max, .min_answered = fs[s].min_answered,
            .favourable = fs[s].favourable,
        };
        assert_int_equal(dataset_add_scale(ds, &sc), ENGAGE_OK);
    }
    double *values = malloc(n_items * sizeof *values);
    assert_non_null(values);
    for (size_t r = 1; r < data.n_rows; r++) {
        for (size_t c = 0; c < n_items; c++)
            values[c] = table_number(&data, r, c + 2);
        assert_int_equal(dataset_add_row(ds, data.rows[r][0], data.rows[r][1], values, 0,
                                         (long)r + 1, NULL, NULL),
                         ENGAGE_OK);
    }
    free(values);
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    results_t *res = run(ds);

    /* variance.csv: one row per scale, in scale order */
    snprintf(file, sizeof file, "%s_variance.csv", name);
    table_t var = table_read(file);
    assert_int_equal(var.n_rows - 1, n_scales);
    for (size_t s = 0; s < n_scales; s++) {
        const analysis_variance_t *v = &res->scales[s].variance;
        assert_string_equal(var.rows[s + 1][table_column(&var, "scale")], fs[s].name);
        struct {
            const char *column;
            double got;
        } figures[] = {
            {"respondents", (double)v->respondents}, {"managers", (double)v->managers},
            {"grand_mean", v->grand_mean}, {"ss_between", v->ss_between},
            {"ss_within", v->ss_within}, {"df_between", v->df_between},
            {"df_within", v->df_within}, {"ms_between", v->ms_between},
            {"ms_within", v->ms_within}, {"f", v->f}, {"p_value", v->p_value},
            {"k0", v->k0}, {"icc1", v->icc1}, {"icc1_ci_low", v->icc1_ci_low},
            {"icc1_ci_high", v->icc1_ci_high}, {"icc2", v->icc2},
            {"eta_squared", v->eta_squared}, {"var_between_reml", v->var_between_reml},
            {"var_within_reml", v->var_within_reml}, {"icc_reml", v->icc_reml},
            {"alpha", v->alpha},
        };
        for (size_t i = 0; i < sizeof figures / sizeof *figures; i++)
            check_fixture(figures[i].got,
                          table_number(&var, s + 1, table_column(&var, figures[i].column)),
                          name, fs[s].name, "variance", figures[i].column);
    }

    /* managers.csv: scale × manager with n >= 1, sorted by scale then id */
    snprintf(file, sizeof file, "%s_managers.csv", name);
    table_t man = table_read(file);
    size_t c_scale = table_column(&man, "scale"), c_id = table_column(&man, "manager_id");
    size_t row = 1;
    for (size_t s = 0; s < n_scales; s++) {
        const analysis_scale_t *sc = &res->scales[s];
        for (size_t m = 0; m < sc->n_managers; m++) {
            const analysis_manager_t *am = &sc->managers[m];
            if (am->n == 0)
                continue;
            assert_true(row < man.n_rows);
            assert_string_equal(man.rows[row][c_scale], fs[s].name);
            assert_string_equal(man.rows[row][c_id], dataset_manager_id(ds, m));
            struct {
                const char *column;
                double got;
            } figures[] = {
                {"n", (double)am->n}, {"mean", am->mean}, {"sd", am->sd}, {"se", am->se},
                {"ci_low", am->ci_low}, {"ci_high", am->ci_high}, {"median", am->median},
                {"favourable_pct", am->favourable_pct}, {"rwg", am->rwg},
            };
            for (size_t i = 0; i < sizeof figures / sizeof *figures; i++)
                check_fixture(figures[i].got,
                              table_number(&man, row, table_column(&man, figures[i].column)),
                              name, fs[s].name, man.rows[row][c_id], figures[i].column);
            row++;
        }
    }
    assert_int_equal(row, man.n_rows);

    /* items.csv: scale × item in config order */
    snprintf(file, sizeof file, "%s_items.csv", name);
    table_t itm = table_read(file);
    size_t c_item = table_column(&itm, "item");
    row = 1;
    for (size_t s = 0; s < n_scales; s++) {
        const analysis_scale_t *sc = &res->scales[s];
        assert_int_equal(sc->n_items, sc->scale->n_items);
        for (size_t i = 0; i < sc->n_items; i++, row++) {
            const analysis_item_t *it = &sc->items[i];
            assert_true(row < itm.n_rows);
            assert_string_equal(itm.rows[row][c_scale], fs[s].name);
            assert_string_equal(itm.rows[row][c_item], dataset_column_name(ds, it->column));
            struct {
                const char *column;
                double got;
            } figures[] = {
                {"n", (double)it->n}, {"mean", it->mean}, {"sd", it->sd},
                {"favourable_pct", it->favourable_pct}, {"item_rest_r", it->item_rest_r},
            };
            for (size_t f = 0; f < sizeof figures / sizeof *figures; f++)
                check_fixture(figures[f].got,
                              table_number(&itm, row, table_column(&itm, figures[f].column)),
                              name, fs[s].name, itm.rows[row][c_item], figures[f].column);
        }
    }
    assert_int_equal(row, itm.n_rows);

    table_free(&itm);
    table_free(&man);
    table_free(&var);
    results_free(res);
    dataset_free(ds);
    table_free(&data);
}

/* The [scale] sections of bh1996.ini. */
static void test_reference_bh1996(void **state)
{
    (void)state;
    const fixture_scale_t scales[] = {
        {"cohesion", {"COHES", NULL}, {NULL}, 1, 5, 0.5, 4},
        {"leadership", {"LEAD", NULL}, {NULL}, 1, 5, 0.5, 4},
        {"wellbeing", {"WBEING", NULL}, {NULL}, 0, 5, 0.5, 4},
        {"hours", {"HRS", NULL}, {NULL}, 0, 24, 0.5, 23},
        {"climate", {"COHES", "LEAD", "WBEING", NULL}, {NULL}, 0, 5, 0.5, 4},
    };
    check_reference("bh1996", scales, sizeof scales / sizeof *scales);
}

/* The [scale] sections of lq2002.ini. */
static void test_reference_lq2002(void **state)
{
    (void)state;
    const fixture_scale_t scales[] = {
        {"tsig", {"TSIG01", "TSIG02", "TSIG03", NULL}, {NULL}, 1, 5, 0.5, 4},
        {"leadership",
         {"LEAD01", "LEAD02", "LEAD03", "LEAD04", "LEAD05", "LEAD06", "LEAD07", "LEAD08",
          "LEAD09", "LEAD10", "LEAD11", NULL},
         {NULL}, 1, 5, 0.5, 4},
        {"hostility", {"HOSTIL01", "HOSTIL02", "HOSTIL03", "HOSTIL04", "HOSTIL05", NULL}, {NULL},
         0, 4, 0.5, 3},
    };
    check_reference("lq2002", scales, sizeof scales / sizeof *scales);
}

/* The [scale] section of missing_small.ini. */
static void test_reference_missing_small(void **state)
{
    (void)state;
    const fixture_scale_t scales[] = {
        {"engagement", {"Q1", "Q2", "Q3", NULL}, {"Q2", NULL}, 1, 5, 0.5, 4},
    };
    check_reference("missing_small", scales, 1);
}

/* The [scale] section of zero_between.ini. */
static void test_reference_zero_between(void **state)
{
    (void)state;
    const fixture_scale_t scales[] = {
        {"engagement", {"Q1", NULL}, {NULL}, 1, 5, 0.5, 4},
    };
    check_reference("zero_between", scales, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_teams),
        cmocka_unit_test(test_scoring),
        cmocka_unit_test(test_median_and_favourable),
        cmocka_unit_test(test_alpha_complete),
        cmocka_unit_test(test_alpha_pairwise),
        cmocka_unit_test(test_alpha_undefined_pair),
        cmocka_unit_test(test_alpha_many_blocks),
        cmocka_unit_test(test_alpha_many_chunks),
        cmocka_unit_test(test_min_answered_share),
        cmocka_unit_test(test_alpha_zero_total),
        cmocka_unit_test(test_infinite_value),
        cmocka_unit_test(test_one_manager),
        cmocka_unit_test(test_all_singletons),
        cmocka_unit_test(test_zero_variance),
        cmocka_unit_test(test_equal_team_means),
        cmocka_unit_test(test_no_within_variance),
        cmocka_unit_test(test_nothing_to_score),
        cmocka_unit_test(test_superseded_row),
        cmocka_unit_test(test_rwg_single_item),
        cmocka_unit_test(test_rwg_items),
        cmocka_unit_test(test_rwg_items_shifted),
        cmocka_unit_test(test_funnel),
        cmocka_unit_test(test_decompose_subset),
        cmocka_unit_test(test_items),
        cmocka_unit_test(test_icc1_interval_hard_df),
        cmocka_unit_test(test_many_managers),
        cmocka_unit_test(test_reference_bh1996),
        cmocka_unit_test(test_reference_lq2002),
        cmocka_unit_test(test_reference_missing_small),
        cmocka_unit_test(test_reference_zero_between),
        cmocka_unit_test(test_too_many_items_for_alpha),
        cmocka_unit_test(test_three_shares),
    };
    return cmocka_run_group_tests_name("analysis", tests, NULL, NULL);
}
