/*
 * report/enps_trend_view.c — the eNPS history's shown changes and their
 * q-values (enps_trend_view.h).  Owns the figures (enps_trend_run) and the
 * per-row arrays; the decision itself is trend_view's.
 */
#include "enps_trend_view.h"

#include <math.h>
#include <stdlib.h>

void enps_trend_view_free(enps_trend_view_t *ev)
{
    if (!ev)
        return;
    for (size_t s = 0; ev->scales && s < ev->n_scales; s++) {
        free(ev->scales[s].tested);
        free(ev->scales[s].q);
    }
    free(ev->scales);
    enps_trend_free(ev->figures);
    free(ev);
}

bool enps_trend_view_scale(const enps_trend_view_t *ev, size_t s)
{
    return ev && s < ev->n_scales && ev->figures->scales[s].nps;
}

bool enps_trend_view_wanted(const enps_trend_view_t *ev)
{
    for (size_t s = 0; ev && s < ev->n_scales; s++)
        if (enps_trend_view_scale(ev, s))
            return true;
    return false;
}

static bool decide_scale(const trend_t *trend, const trend_view_t *tv, size_t s, const enps_trend_scale_t *es,
                         enps_trend_view_scale_t *out)
{
    size_t R = trend->scales[s].n_rows ? trend->scales[s].n_rows : 1;
    out->tested = calloc(R, sizeof *out->tested);
    out->q = malloc(R * sizeof *out->q);
    double *p = malloc(R * sizeof *p);
    bool ok = out->tested && out->q && p;
    for (size_t i = 0; ok && i < trend->scales[s].n_rows; i++) {
        p[i] = es->change[i].p_value;
        out->tested[i] = trend_view_change_shown(tv, trend, s, i, p[i]);
    }
    ok = ok && trend_view_q_values(trend, s, p, out->tested, out->q);
    free(p);
    return ok;
}

engage_status_t enps_trend_view_build(const trend_t *trend, const trend_view_t *tv, const bool *nps,
                                      enps_trend_view_t **out, engage_error_t *err)
{
    *out = NULL;
    enps_trend_view_t *ev = calloc(1, sizeof *ev);
    if (!ev)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    engage_status_t st = enps_trend_run(trend, nps, &ev->figures, err);
    if (st != ENGAGE_OK) {
        free(ev);
        return st;
    }
    if (!(ev->scales = calloc(trend->n_scales ? trend->n_scales : 1, sizeof *ev->scales))) {
        enps_trend_view_free(ev);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    ev->n_scales = trend->n_scales;
    for (size_t s = 0; s < trend->n_scales; s++)
        if (nps[s] && !decide_scale(trend, tv, s, &ev->figures->scales[s], &ev->scales[s])) {
            enps_trend_view_free(ev);
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        }
    *out = ev;
    return ENGAGE_OK;
}
