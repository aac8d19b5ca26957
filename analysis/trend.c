/*
 * analysis/trend.c — the history of waves (see trend.h).  Owns the rows of
 * each scale and each wave's units and leaders; assumes every wave was read with one config and analysed by
 * analysis_run, so that scale s of one wave is scale s of every other and
 * each wave's managers are in byte order of id.
 */
#include "trend.h"

#include <gsl/gsl_cdf.h>
#include "../core/org.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *trend_level_name(trend_level_t level)
{
    static const char *const names[] = { "company", "unit", "leader", "manager" };
    return level <= TREND_MANAGER ? names[level] : "";
}

/* The company's favourable share: items.csv's shares pooled over the
 * answers to each item, so that it counts favourable answers over answered
 * items of the scale's scored respondents. */
static double company_favourable(const analysis_scale_t *sc)
{
    double favourable = 0, answered = 0;
    for (size_t i = 0; i < sc->n_items; i++) {
        const analysis_item_t *it = &sc->items[i];
        if (it->n == 0)
            continue;
        if (!isfinite(it->favourable_pct))
            return NAN;
        favourable += it->favourable_pct / 100 * (double)it->n;
        answered += (double)it->n;
    }
    return answered > 0 ? 100 * favourable / answered : NAN;
}

/* The whole scale of a wave: N, the grand mean, sd = sqrt(SS_total / (N - 1)),
 * over every scored respondent (as changes.csv's company row). */
static void company_row(const analysis_scale_t *sc, size_t wave, trend_row_t *row)
{
    const analysis_variance_t *v = &sc->variance;
    memset(row, 0, sizeof *row);
    row->level = TREND_COMPANY;
    row->group = "";
    row->wave = wave;
    row->manager = TREND_NONE;
    row->n = v->respondents;
    row->mean = v->respondents > 0 ? v->grand_mean : NAN;
    row->sd = NAN;
    if (v->respondents > 1) {
        double ss = v->ss_between + v->ss_within;
        if (isfinite(ss) && ss >= 0)
            row->sd = sqrt(ss / (double)(v->respondents - 1));
    }
    row->favourable_pct = v->respondents > 0 ? company_favourable(sc) : NAN;
    row->previous_row = TREND_NONE;
}

/* A group's row (a manager or a unit, index `index` of its level): the
 * figures its n defines, NAN for the others. */
static void group_row(trend_level_t level, const char *group, size_t wave, size_t index, size_t n, double mean,
                      double sd, double favourable_pct, trend_row_t *row)
{
    memset(row, 0, sizeof *row);
    row->level = level;
    row->group = group;
    row->wave = wave;
    row->manager = index;
    row->n = n;
    row->mean = n ? mean : NAN;
    row->sd = n > 1 ? sd : NAN;
    row->favourable_pct = n ? favourable_pct : NAN;
    row->previous_row = TREND_NONE;
}

static void manager_row(const dataset_t *ds, const analysis_scale_t *sc, size_t wave, size_t j, trend_row_t *row)
{
    const analysis_manager_t *m = &sc->managers[j];
    group_row(TREND_MANAGER, dataset_manager_id(ds, m->manager), wave, j, m->n, m->mean, m->sd, m->favourable_pct,
              row);
}

/* The 95% interval of a mean from n and sd. */
static void interval(trend_row_t *row)
{
    row->ci_low = row->ci_high = NAN;
    if (row->n < 2 || !isfinite(row->sd) || !isfinite(row->mean))
        return;
    double half = gsl_cdf_tdist_Pinv(0.975, (double)(row->n - 1)) * row->sd / sqrt((double)row->n);
    row->ci_low = row->mean - half;
    row->ci_high = row->mean + half;
}

static void unit_row(const units_t *u, size_t s, size_t wave, size_t k, trend_row_t *row)
{
    const units_figures_t *f = &u->scales[s].units[k];
    group_row(TREND_UNIT, u->names[k], wave, k, f->n, f->mean, f->sd, f->favourable_pct, row);
}

/* Leaders row r (r >= 1) of a wave's leaders: the leader's whole org. */
static void leader_row(const dataset_t *ds, const leaders_t *l, size_t s, size_t wave, size_t r, trend_row_t *row)
{
    const leaders_figures_t *f = &l->scales[s].orgs[r];
    const char *id = org_id(dataset_org(ds), l->node[r]);
    group_row(TREND_LEADER, id ? id : "", wave, r, f->n, f->mean, f->sd, f->favourable_pct, row);
}

static int by_group_then_wave(const void *a, const void *b)
{
    const trend_row_t *x = a, *y = b;
    if (x->level != y->level)
        return x->level < y->level ? -1 : 1;
    int c = strcmp(x->group, y->group);
    if (c)
        return c;
    return x->wave < y->wave ? -1 : x->wave > y->wave;
}

engage_status_t trend_run(size_t n_waves, const dataset_t *const *datasets, const results_t *const *results,
                          trend_t **out, engage_error_t *err)
{
    *out = NULL;
    if (n_waves == 0)
        return engage_fail(err, ENGAGE_EDATA, NULL, 0, "a history needs at least one wave");
    size_t n_scales = results[n_waves - 1]->n_scales;
    for (size_t w = 0; w < n_waves; w++)
        if (results[w]->n_scales != n_scales)
            return engage_fail(err, ENGAGE_EDATA, NULL, 0, "wave %zu has %zu scales, the last one %zu", w + 1,
                               results[w]->n_scales, n_scales);
    trend_t *t = calloc(1, sizeof *t);
    if (!t || !(t->scales = calloc(n_scales ? n_scales : 1, sizeof *t->scales))) {
        free(t);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    t->n_waves = n_waves;
    t->datasets = datasets;
    t->results = results;
    t->n_scales = n_scales;
    if (!(t->units = calloc(n_waves, sizeof *t->units)) || !(t->leaders = calloc(n_waves, sizeof *t->leaders))) {
        trend_free(t);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    for (size_t w = 0; w < n_waves; w++) {
        if (!dataset_has_units(datasets[w]))
            continue;
        engage_status_t st = units_run(datasets[w], results[w], &t->units[w], err);
        if (st != ENGAGE_OK) {
            trend_free(t);
            return st;
        }
    }
    for (size_t w = 0; w < n_waves; w++) {
        if (!dataset_org(datasets[w]))
            continue;
        engage_status_t st = leaders_run(datasets[w], results[w], &t->leaders[w], err);
        if (st != ENGAGE_OK) {
            trend_free(t);
            return st;
        }
    }
    for (size_t s = 0; s < n_scales; s++) {
        trend_scale_t *ts = &t->scales[s];
        ts->scale = results[n_waves - 1]->scales[s].scale;
        size_t cap = n_waves;
        for (size_t w = 0; w < n_waves; w++)
            cap += results[w]->scales[s].n_managers + (t->units[w] ? t->units[w]->n_units : 0) +
                   (t->leaders[w] ? t->leaders[w]->n_rows : 0);
        ts->rows = malloc(cap * sizeof *ts->rows);
        if (!ts->rows) {
            trend_free(t);
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        }
        size_t r = 0;
        for (size_t w = 0; w < n_waves; w++) {
            const analysis_scale_t *sc = &results[w]->scales[s];
            company_row(sc, w, &ts->rows[r++]);
            for (size_t k = 0; t->units[w] && k < t->units[w]->n_units; k++)
                unit_row(t->units[w], s, w, k, &ts->rows[r++]);
            for (size_t k = 1; t->leaders[w] && k < t->leaders[w]->n_rows; k++)
                leader_row(datasets[w], t->leaders[w], s, w, k, &ts->rows[r++]);
            for (size_t j = 0; j < sc->n_managers; j++)
                manager_row(datasets[w], sc, w, j, &ts->rows[r++]);
        }
        for (size_t i = 0; i < r; i++)
            interval(&ts->rows[i]);
        ts->n_rows = r;
        qsort(ts->rows, r, sizeof *ts->rows, by_group_then_wave);
        /* A group's rows are now adjacent and in wave order: its row of
         * wave w - 1, when it has one, comes just before its row of wave w. */
        for (size_t i = 0; i < r; i++) {
            trend_row_t *row = &ts->rows[i];
            const trend_row_t *before = i > 0 ? &ts->rows[i - 1] : NULL;
            if (before && before->level == row->level && strcmp(before->group, row->group) == 0 &&
                before->wave + 1 == row->wave)
                row->previous_row = i - 1;
            if (row->previous_row != TREND_NONE)
                row->welch = changes_welch(before->n, before->mean, before->sd, row->n, row->mean, row->sd);
            else
                row->welch = (changes_welch_t){ NAN, NAN, NAN, NAN };
        }
    }
    *out = t;
    return ENGAGE_OK;
}

void trend_free(trend_t *trend)
{
    if (!trend)
        return;
    for (size_t s = 0; trend->scales && s < trend->n_scales; s++)
        free(trend->scales[s].rows);
    for (size_t w = 0; trend->units && w < trend->n_waves; w++)
        units_free(trend->units[w]);
    for (size_t w = 0; trend->leaders && w < trend->n_waves; w++)
        leaders_free(trend->leaders[w]);
    free(trend->units);
    free(trend->leaders);
    free(trend->scales);
    free(trend);
}
