/*
 * analysis/enps_trend.c — eNPS per row of the history and its change
 * between consecutive waves (enps_trend.h).
 *
 * Owns the per-row arrays it returns.  Assumes the trend came from
 * trend_run(): row.manager indexes that wave's managers (level manager),
 * units (level unit) or leaders' rows (level leader), and results, units
 * and leaders are those of the row's wave.
 */
#include "enps_trend.h"

#include <math.h>
#include <stdlib.h>

/* A manager's counts from its shares (enps_from_shares). */
static enps_t manager_enps(const analysis_manager_t *m)
{
    return enps_from_shares(m->n, m->favourable_pct, m->unfavourable_pct);
}

/* The company of wave w on scale s: the sum of its managers' counts. */
static enps_t company_enps(const trend_t *trend, size_t s, size_t w)
{
    const analysis_scale_t *sc = &trend->results[w]->scales[s];
    size_t promoters = 0, passives = 0, detractors = 0;
    for (size_t j = 0; j < sc->n_managers; j++) {
        if (!sc->managers[j].n)
            continue;
        enps_t e = manager_enps(&sc->managers[j]);
        promoters += e.promoters;
        passives += e.passives;
        detractors += e.detractors;
    }
    return enps_from_counts(promoters, passives, detractors);
}

static enps_t row_enps(const trend_t *trend, size_t s, const trend_row_t *row)
{
    if (row->level == TREND_COMPANY)
        return company_enps(trend, s, row->wave);
    if (row->level == TREND_UNIT) {
        const units_t *u = trend->units[row->wave];
        const units_figures_t *f = &u->scales[s].units[row->manager];
        return enps_from_shares(f->n, f->favourable_pct, f->unfavourable_pct);
    }
    if (row->level == TREND_LEADER) {
        const leaders_figures_t *f = &trend->leaders[row->wave]->scales[s].orgs[row->manager];
        return enps_from_shares(f->n, f->favourable_pct, f->unfavourable_pct);
    }
    return manager_enps(&trend->results[row->wave]->scales[s].managers[row->manager]);
}

engage_status_t enps_trend_run(const trend_t *trend, const bool *nps, enps_trend_t **out, engage_error_t *err)
{
    *out = NULL;
    enps_trend_t *et = calloc(1, sizeof *et);
    if (!et || !(et->scales = calloc(trend->n_scales ? trend->n_scales : 1, sizeof *et->scales))) {
        free(et);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    et->n_scales = trend->n_scales;
    for (size_t s = 0; s < trend->n_scales; s++) {
        if (!nps[s])
            continue;
        const trend_scale_t *ts = &trend->scales[s];
        enps_trend_scale_t *es = &et->scales[s];
        size_t R = ts->n_rows ? ts->n_rows : 1;
        es->nps = true;
        es->rows = malloc(R * sizeof *es->rows);
        es->change = malloc(R * sizeof *es->change);
        if (!es->rows || !es->change) {
            enps_trend_free(et);
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        }
        for (size_t i = 0; i < ts->n_rows; i++)
            es->rows[i] = row_enps(trend, s, &ts->rows[i]);
        /* the previous row comes first (trend.h: a group's rows in wave order) */
        for (size_t i = 0; i < ts->n_rows; i++) {
            size_t before = ts->rows[i].previous_row;
            es->change[i] = before != TREND_NONE ? enps_change(&es->rows[before], &es->rows[i])
                                                 : (enps_change_t){ NAN, NAN, NAN, NAN, NAN, NAN };
        }
    }
    *out = et;
    return ENGAGE_OK;
}

void enps_trend_free(enps_trend_t *et)
{
    if (!et)
        return;
    for (size_t s = 0; et->scales && s < et->n_scales; s++) {
        free(et->scales[s].rows);
        free(et->scales[s].change);
    }
    free(et->scales);
    free(et);
}
