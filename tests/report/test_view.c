/*
 * tests/report/test_view.c — the published view (report/view.c) as a
 * property, on many random quarters built in memory.
 *
 * For each case (random team count, sizes, min_group, answers, units, a
 * previous wave or not) the view is built; then the respondents of the
 * hidden teams are shuffled among those teams (every team keeps its size;
 * within one unit when there are units; each wave on its own) and the view
 * is built again.  Every figure it publishes — each wave's decomposition,
 * every shown manager's funnel limits, the ranking, the stand-out lists,
 * the named changes and their q-values — must be bit for bit the same,
 * while the decomposition over every team (the results') changes in most
 * cases.  Beside that: the view's decomposition equals analysis_decompose
 * over the shown managers, counts exactly their respondents, and equals
 * the all-teams one when nothing is hidden.  The caution on a poorly
 * determined share is checked at the edges of its rule (9 and 10 shown
 * managers, an interval exactly 0.3 wide and just wider).  The ranking and
 * the stand-out lists of 6,000 teams (means tied many times over, on a
 * scale of 1..5 and on one of -2..2, so negative and zero means too) are
 * checked against their definition.
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

#include "../../analysis/changes.h"
#include "../../analysis/units.h"
#include "../../report/view.h"

enum { ITEMS = 3, MAX_TEAMS = 40, MAX_SIZE = 14 };

typedef struct {
    size_t n_teams;
    size_t size[MAX_TEAMS];
    double centre[MAX_TEAMS];
    size_t unit[MAX_TEAMS];
    size_t n_rows;
    size_t team_of[MAX_TEAMS * MAX_SIZE];       /* row -> team */
    double answer[MAX_TEAMS * MAX_SIZE][ITEMS];
} wave_data_t;

static unsigned long long state_rng;

static double uniform(void)
{
    state_rng = state_rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(state_rng >> 11) / 9007199254740992.0;
}

static size_t below(size_t n)
{
    return (size_t)(uniform() * (double)n) % (n ? n : 1);
}

static void make_wave(wave_data_t *w, size_t n_teams, size_t n_units)
{
    memset(w, 0, sizeof *w);
    w->n_teams = n_teams;
    for (size_t t = 0; t < n_teams; t++) {
        w->size[t] = 1 + below(MAX_SIZE);
        w->centre[t] = 1.5 + 3 * uniform();
        w->unit[t] = n_units ? below(n_units) : 0;
        for (size_t i = 0; i < w->size[t]; i++) {
            size_t r = w->n_rows++;
            w->team_of[r] = t;
            for (size_t q = 0; q < ITEMS; q++) {
                double a = round(w->centre[t] + 2.4 * (uniform() - 0.5));
                w->answer[r][q] = a < 1 ? 1 : a > 5 ? 5 : a;
            }
        }
    }
}

static dataset_t *build(const wave_data_t *w, bool units)
{
    dataset_t *ds = dataset_new();
    assert_non_null(ds);
    size_t cols[ITEMS];
    for (size_t q = 0; q < ITEMS; q++) {
        char name[8];
        snprintf(name, sizeof name, "Q%zu", q + 1);
        assert_int_equal(dataset_add_column(ds, name, &cols[q]), ENGAGE_OK);
    }
    bool rev[ITEMS] = { false, false, false };
    dataset_scale_t sc = { "engagement", ITEMS, cols, rev, 1, 5, 0.5, 4, 2 };
    assert_int_equal(dataset_add_scale(ds, &sc), ENGAGE_OK);
    for (size_t r = 0; r < w->n_rows; r++) {
        char id[32], mid[32];
        snprintf(id, sizeof id, "R%05zu", r);
        snprintf(mid, sizeof mid, "M%03zu", w->team_of[r]);
        assert_int_equal(dataset_add_row(ds, id, mid, w->answer[r], 0, (long)r + 2, NULL, NULL), ENGAGE_OK);
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    /* manager ids M000.. sort as the team numbers */
    for (size_t m = 0; units && m < dataset_n_managers(ds); m++) {
        size_t t = (size_t)atoi(dataset_manager_id(ds, m) + 1);
        char unit[32];
        snprintf(unit, sizeof unit, "U%zu", w->unit[t]);
        assert_int_equal(dataset_set_manager_unit(ds, m, unit), ENGAGE_OK);
    }
    return ds;
}

/* The rows of the teams `hidden` marks, their team numbers shuffled among
 * them within each unit. */
static void shuffle_hidden(wave_data_t *w, const bool *hidden)
{
    size_t rows[MAX_TEAMS * MAX_SIZE];
    for (size_t u = 0; u < MAX_TEAMS; u++) {
        size_t k = 0;
        for (size_t r = 0; r < w->n_rows; r++)
            if (hidden[w->team_of[r]] && w->unit[w->team_of[r]] == u)
                rows[k++] = r;
        for (size_t i = k; i > 1; i--) {
            size_t j = below(i), a = rows[i - 1], b = rows[j];
            size_t t = w->team_of[a];
            w->team_of[a] = w->team_of[b];
            w->team_of[b] = t;
        }
    }
}

typedef struct {
    dataset_t *ds, *previous_ds;
    results_t *results, *previous;
    changes_t *changes;
    units_t *units;
    config_t cfg;
    ingest_log_t log;
    report_input_t in;
    view_t *view;
} run_t;

static void run(run_t *r, const wave_data_t *now, const wave_data_t *before, bool units, long k)
{
    memset(r, 0, sizeof *r);
    engage_error_t err = { 0 };
    r->ds = build(now, units);
    assert_int_equal(analysis_run(r->ds, &r->results, &err), ENGAGE_OK);
    if (before) {
        r->previous_ds = build(before, false);
        assert_int_equal(analysis_run(r->previous_ds, &r->previous, &err), ENGAGE_OK);
        assert_int_equal(changes_run(r->previous_ds, r->previous, r->ds, r->results, &r->changes, &err),
                         ENGAGE_OK);
    }
    if (units)
        assert_int_equal(units_run(r->ds, r->results, &r->units, &err), ENGAGE_OK);
    assert_int_equal(config_init_default(&r->cfg, &err), ENGAGE_OK);
    r->cfg.min_group = k;
    ingest_log_init(&r->log);
    r->in = (report_input_t){ .config = &r->cfg, .dataset = r->ds, .results = r->results,
                              .log = &r->log, .changes = r->changes, .units = r->units };
    assert_int_equal(view_build(&r->in, &r->view, &err), ENGAGE_OK);
}

static void run_free(run_t *r)
{
    view_free(r->view);
    units_free(r->units);
    changes_free(r->changes);
    results_free(r->previous);
    results_free(r->results);
    dataset_free(r->previous_ds);
    dataset_free(r->ds);
    ingest_log_fini(&r->log);
    config_fini(&r->cfg);
}

/* Teams of a wave whose figures no table shows. */
static void hidden_now(const run_t *r, bool *hidden)
{
    memset(hidden, 0, MAX_TEAMS * sizeof *hidden);
    const view_scale_t *vs = &r->view->scales[0];
    for (size_t j = 0; j < vs->results->n_managers; j++) {
        size_t t = (size_t)atoi(dataset_manager_id(r->ds, j) + 1);
        hidden[t] = !view_manager_shown(r->view, 0, j);
    }
    for (size_t i = 0; vs->changes && i < vs->changes->n_rows; i++)
        if (view_change_shown(r->view, 0, i) && vs->changes->rows[i].current_manager != CHANGES_ABSENT)
            hidden[atoi(vs->changes->rows[i].manager_id + 1)] = false;
}

static void hidden_before(const run_t *r, bool *hidden)
{
    memset(hidden, 0, MAX_TEAMS * sizeof *hidden);
    const view_scale_t *vs = &r->view->scales[0];
    for (size_t i = 0; i < vs->changes->n_rows; i++)
        hidden[atoi(vs->changes->rows[i].manager_id + 1)] = !view_change_shown(r->view, 0, i);
}

static void assert_same_view(const run_t *a, const run_t *b)
{
    const view_scale_t *x = &a->view->scales[0], *y = &b->view->scales[0];
    assert_memory_equal(&x->variance, &y->variance, sizeof x->variance);
    assert_int_equal(x->notes, y->notes);
    assert_int_equal(x->n_ranked, y->n_ranked);
    assert_memory_equal(x->ranked, y->ranked, x->n_ranked * sizeof *x->ranked);
    assert_int_equal(x->n_above, y->n_above);
    assert_int_equal(x->n_below, y->n_below);
    assert_memory_equal(x->above, y->above, x->n_above * sizeof *x->above);
    assert_memory_equal(x->below, y->below, x->n_below * sizeof *x->below);
    for (size_t j = 0; j < x->results->n_managers; j++) {
        assert_int_equal(view_manager_shown(a->view, 0, j), view_manager_shown(b->view, 0, j));
        if (!view_manager_shown(a->view, 0, j))
            continue;
        analysis_funnel_t f = view_funnel(a->view, 0, j), g = view_funnel(b->view, 0, j);
        assert_memory_equal(&f, &g, sizeof f);
        assert_memory_equal(&x->results->managers[j], &y->results->managers[j], sizeof(analysis_manager_t));
    }
    if (x->changes) {
        assert_memory_equal(&x->variance_previous, &y->variance_previous, sizeof x->variance_previous);
        assert_int_equal(x->n_notable, y->n_notable);
        assert_memory_equal(x->notable, y->notable, x->n_notable * sizeof *x->notable);
        for (size_t i = 0; i < x->changes->n_rows; i++)
            if (view_change_shown(a->view, 0, i))
                assert_memory_equal(&x->change_decision->q[i], &y->change_decision->q[i], sizeof(double));
    }
}

/* The view's decomposition is analysis_decompose over the shown managers. */
static void assert_over_shown(const run_t *r)
{
    const view_scale_t *vs = &r->view->scales[0];
    const analysis_scale_t *sc = vs->results;
    bool include[MAX_TEAMS];
    size_t n = 0, J = 0;
    bool all = true;
    for (size_t j = 0; j < sc->n_managers; j++) {
        include[j] = view_manager_shown(r->view, 0, j);
        n += include[j] ? sc->managers[j].n : 0;
        J += include[j] && sc->managers[j].n > 0;
        all = all && (include[j] || sc->managers[j].n == 0);
    }
    analysis_variance_t v = { .alpha = sc->variance.alpha };
    assert_int_equal(analysis_decompose(sc->managers, sc->n_managers, include, &v), ENGAGE_OK);
    assert_memory_equal(&v, &vs->variance, sizeof v);
    assert_int_equal(vs->variance.respondents, n);
    assert_int_equal(vs->variance.managers, J);
    if (all)
        assert_memory_equal(&vs->variance, &sc->variance, sizeof v);
}

static void test_permuting_hidden_teams(void **state)
{
    (void)state;
    state_rng = 20261206;
    size_t cases = 0, changed = 0, with_hidden = 0;
    for (int c = 0; c < 300; c++) {
        size_t teams = 1 + below(MAX_TEAMS);
        size_t n_units = below(3) == 0 ? 0 : 1 + below(4);
        bool previous = below(2) == 0;
        long k = 3 + (long)below(4);
        wave_data_t now, before;
        make_wave(&now, teams, n_units);
        if (previous)
            make_wave(&before, teams, 0);
        run_t a;
        run(&a, &now, previous ? &before : NULL, n_units > 0, k);
        assert_over_shown(&a);
        bool hidden[MAX_TEAMS], hidden_previous[MAX_TEAMS];
        hidden_now(&a, hidden);
        if (previous)
            hidden_before(&a, hidden_previous);
        size_t n_hidden = 0;
        for (size_t t = 0; t < teams; t++)
            n_hidden += hidden[t];
        wave_data_t now2 = now, before2 = before;
        shuffle_hidden(&now2, hidden);
        if (previous)
            shuffle_hidden(&before2, hidden_previous);
        run_t b;
        run(&b, &now2, previous ? &before2 : NULL, n_units > 0, k);
        assert_same_view(&a, &b);
        changed += memcmp(&a.results->scales[0].variance, &b.results->scales[0].variance,
                          sizeof(analysis_variance_t)) != 0;
        with_hidden += n_hidden > 1;
        cases++;
        run_free(&a);
        run_free(&b);
    }
    printf("view: %zu random quarters, %zu with two or more hidden teams; the shuffle changed the "
           "all-teams decomposition in %zu and the published view in none\n", cases, with_hidden, changed);
    assert_true(changed > cases / 4);
}

/* The rule for a poorly determined share: fewer than 10 shown managers, or
 * an ICC(1) interval wider than 0.3; nothing when no share is stated. */
static void test_split_caution_edges(void **state)
{
    (void)state;
    analysis_variance_t v;
    memset(&v, 0, sizeof v);
    v.icc_reml = 0.2;
    v.icc1_ci_low = 0.1;
    v.icc1_ci_high = 0.3;
    v.managers = 9;
    assert_int_equal(view_split_caution(&v), VIEW_CAUTION_FEW_MANAGERS);
    v.managers = 10;
    assert_int_equal(view_split_caution(&v), 0);
    v.icc1_ci_low = 0.0;
    v.icc1_ci_high = 0.3;          /* exactly 0.3 wide: not wider */
    assert_int_equal(view_split_caution(&v), 0);
    v.icc1_ci_high = nextafter(0.3, 1.0);
    assert_int_equal(view_split_caution(&v), VIEW_CAUTION_WIDE_INTERVAL);
    v.icc1_ci_low = -0.02;         /* the 6-team case of README.md: -0.02 to 0.61 */
    v.icc1_ci_high = 0.61;
    v.managers = 6;
    assert_int_equal(view_split_caution(&v), VIEW_CAUTION_FEW_MANAGERS | VIEW_CAUTION_WIDE_INTERVAL);
    v.icc1_ci_low = NAN;           /* no interval: the managers alone decide */
    assert_int_equal(view_split_caution(&v), VIEW_CAUTION_FEW_MANAGERS);
    v.managers = 200;
    assert_int_equal(view_split_caution(&v), 0);
    v.icc_reml = NAN;              /* no share stated: nothing to warn about */
    v.managers = 3;
    assert_int_equal(view_split_caution(&v), 0);
}

/* The view's flag counts the shown managers: 9 or 10 teams of 8 shown, and
 * 10 teams of which 8 are shown. */
static void test_split_caution_in_the_view(void **state)
{
    (void)state;
    state_rng = 4242;
    static const struct { size_t teams, small_team; unsigned few; } cases[] = {
        {9, SIZE_MAX, VIEW_CAUTION_FEW_MANAGERS}, {10, SIZE_MAX, 0}, {10, 4, VIEW_CAUTION_FEW_MANAGERS},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        wave_data_t w;
        make_wave(&w, cases[c].teams, 0);
        /* every team of 8 (team small_team of 2, hidden with k = 3) */
        w.n_rows = 0;
        for (size_t t = 0; t < w.n_teams; t++) {
            w.size[t] = t == cases[c].small_team ? 2 : 8;
            for (size_t i = 0; i < w.size[t]; i++) {
                size_t row = w.n_rows++;
                w.team_of[row] = t;
                for (size_t q = 0; q < ITEMS; q++)
                    w.answer[row][q] = 1 + (double)below(5);
            }
        }
        run_t r;
        run(&r, &w, NULL, false, 3);
        const view_scale_t *vs = &r.view->scales[0];
        size_t shown = 0;
        for (size_t j = 0; j < vs->results->n_managers; j++)
            shown += view_manager_shown(r.view, 0, j);
        /* the small team hidden, and with it the next-smallest (README.md) */
        assert_int_equal(shown, cases[c].small_team == SIZE_MAX ? cases[c].teams : 8);
        assert_int_equal(vs->variance.managers, shown);
        assert_true(isfinite(vs->variance.icc_reml));
        assert_int_equal(vs->split_caution & VIEW_CAUTION_FEW_MANAGERS, cases[c].few);
        assert_int_equal(vs->split_caution, view_split_caution(&vs->variance));
        run_free(&r);
    }
}

/* Consecutive entries of a list in its order: a larger key first, equal
 * keys by lower index. */
static void assert_descending(const size_t *list, size_t n, const double *key)
{
    for (size_t i = 1; i < n; i++) {
        double a = key[list[i - 1]], b = key[list[i]];
        if (!(a > b || (a == b && list[i - 1] < list[i])))
            fail_msg("entries %zu and %zu out of order: %zu (%.17g) before %zu (%.17g)", i - 1, i, list[i - 1], a,
                     list[i], b);
    }
}

static void test_ranking_of_many_managers(void **state)
{
    (void)state;
    enum { TEAMS = 6000 };
    dataset_t *ds = dataset_new();
    size_t cols[6];
    for (size_t q = 0; q < 6; q++) {
        char name[8];
        snprintf(name, sizeof name, "Q%zu", q + 1);
        assert_int_equal(dataset_add_column(ds, name, &cols[q]), ENGAGE_OK);
    }
    bool rev[3] = { false, false, true };
    dataset_scale_t engagement = { "engagement", 3, cols, rev, 1, 5, 0.5, 4, 2 };
    dataset_scale_t balance = { "balance", 3, cols + 3, rev, -2, 2, 0.5, 1, -1 };
    assert_int_equal(dataset_add_scale(ds, &engagement), ENGAGE_OK);
    assert_int_equal(dataset_add_scale(ds, &balance), ENGAGE_OK);
    state_rng = 99;
    size_t row = 0;
    for (size_t t = 0; t < TEAMS; t++) {
        size_t size = 1 + below(8);
        for (size_t i = 0; i < size; i++, row++) {
            double answers[6];
            for (size_t q = 0; q < 6; q++)
                answers[q] = q < 3 ? (double)(1 + below(5)) : (double)below(5) - 2.0;
            char id[32], mid[32];
            snprintf(id, sizeof id, "R%06zu", row);
            snprintf(mid, sizeof mid, "M%04zu", t);
            assert_int_equal(dataset_add_row(ds, id, mid, answers, 0, (long)row + 2, NULL, NULL), ENGAGE_OK);
        }
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    engage_error_t err = { 0 };
    results_t *results;
    assert_int_equal(analysis_run(ds, &results, &err), ENGAGE_OK);
    config_t cfg;
    assert_int_equal(config_init_default(&cfg, &err), ENGAGE_OK);
    cfg.min_group = 3;
    ingest_log_t log;
    ingest_log_init(&log);
    report_input_t in = { .config = &cfg, .dataset = ds, .results = results, .log = &log };
    view_t *view;
    assert_int_equal(view_build(&in, &view, &err), ENGAGE_OK);
    static double mean[TEAMS], z[TEAMS];
    for (size_t s = 0; s < 2; s++) {
        const view_scale_t *vs = &view->scales[s];
        const analysis_scale_t *sc = &results->scales[s];
        size_t shown = 0, negative = 0, zero = 0, above = 0, below_n = 0;
        for (size_t j = 0; j < sc->n_managers; j++) {
            const analysis_manager_t *am = &sc->managers[j];
            mean[j] = am->mean;
            z[j] = fabs(am->mean - vs->variance.grand_mean) * sqrt((double)am->n);
            if (!view_manager_shown(view, s, j) || am->n == 0 || !isfinite(am->mean))
                continue;
            shown++;
            negative += am->mean < 0;
            zero += am->mean == 0;
            analysis_funnel_t f = view_funnel(view, s, j);
            above += f.stands_out == ANALYSIS_ABOVE;
            below_n += f.stands_out == ANALYSIS_BELOW;
        }
        assert_true(shown >= 2000);   /* sorted by the keys' bytes */
        if (s == 1)
            assert_true(negative > 100 && zero > 10);
        assert_int_equal(vs->n_ranked, shown);
        assert_descending(vs->ranked, vs->n_ranked, mean);
        for (size_t i = 0; i < vs->n_ranked; i++)
            assert_true(view_manager_shown(view, s, vs->ranked[i]));
        assert_int_equal(vs->n_above, above);
        assert_int_equal(vs->n_below, below_n);
        assert_descending(vs->above, vs->n_above, z);
        assert_descending(vs->below, vs->n_below, z);
    }
    view_free(view);
    ingest_log_fini(&log);
    config_fini(&cfg);
    results_free(results);
    dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_permuting_hidden_teams),
        cmocka_unit_test(test_split_caution_edges),
        cmocka_unit_test(test_split_caution_in_the_view),
        cmocka_unit_test(test_ranking_of_many_managers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
