/*
 * report/trend_view.c — the privacy decision over the history of waves and
 * the q-values of its changes (see trend_view.h).  Owns the per-row arrays
 * it returns; reads the trend and, for the last wave, the decision the view
 * made for managers.csv.
 */
#include "trend_view.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "privacy.h"

void trend_view_free(trend_view_t *tv)
{
    if (!tv)
        return;
    for (size_t s = 0; s < tv->n_scales; s++) {
        free(tv->scales[s].reason);
        free(tv->scales[s].tested);
        free(tv->scales[s].q);
    }
    free(tv->scales);
    free(tv);
}

bool trend_view_shown(const trend_view_t *tv, size_t s, size_t i)
{
    return tv && s < tv->n_scales && tv->scales[s].reason[i] == PRIVACY_SHOWN;
}

/* privacy_suppress() over every wave's managers of scale s, into
 * decision[w] (a reason per manager) and scale_suppressed[w]. */
static bool decide_waves(const trend_t *trend, size_t s, long min_group, unsigned char **decision,
                         bool *scale_suppressed)
{
    for (size_t w = 0; w < trend->n_waves; w++) {
        const analysis_scale_t *sc = &trend->results[w]->scales[s];
        size_t J = sc->n_managers;
        size_t *n = malloc((J ? J : 1) * sizeof *n);
        decision[w] = malloc(J ? J : 1);
        if (!n || !decision[w]) {
            free(n);
            return false;
        }
        for (size_t j = 0; j < J; j++)
            n[j] = sc->managers[j].n;
        privacy_summary_t summary;
        engage_error_t ignored = {0};
        bool ok = privacy_suppress(n, J, min_group, decision[w], &summary, &ignored) == ENGAGE_OK;
        free(n);
        if (!ok)
            return false;
        scale_suppressed[w] = summary.scale_suppressed;
    }
    return true;
}

/* Wave w's units, given its managers' decision: a unit is shown when it
 * holds at least min_group and the part of it no shown manager covers holds
 * 0 or at least min_group; then, while the people of hidden units that no
 * shown manager covers (what the company minus the shown units and
 * managers isolates) number 1 to min_group - 1, the shown unit with the
 * smallest such part above 0 (ties: unit order) is hidden too.  Hiding a
 * unit adds its part to that remainder, so this ends with it 0 or at
 * least min_group. */
static bool decide_units(const units_t *u, const analysis_scale_t *sc, size_t s, const unsigned char *managers,
                         size_t k, unsigned char *reason)
{
    size_t U = u->n_units;
    size_t *uncovered = calloc(U ? U : 1, sizeof *uncovered);
    if (!uncovered)
        return false;
    for (size_t g = 0; g < U; g++)
        uncovered[g] = u->scales[s].units[g].n;
    for (size_t j = 0; j < sc->n_managers && j < u->n_managers; j++)
        if (managers[j] == PRIVACY_SHOWN)
            uncovered[u->unit_of[j]] -= sc->managers[j].n;
    size_t remainder = 0;
    for (size_t g = 0; g < U; g++) {
        size_t n = u->scales[s].units[g].n;
        reason[g] = n < k ? PRIVACY_PRIMARY : uncovered[g] > 0 && uncovered[g] < k ? PRIVACY_SECONDARY : PRIVACY_SHOWN;
        if (reason[g] != PRIVACY_SHOWN)
            remainder += uncovered[g];
    }
    while (remainder > 0 && remainder < k) {
        size_t best = SIZE_MAX;
        for (size_t g = 0; g < U; g++)
            if (reason[g] == PRIVACY_SHOWN && uncovered[g] > 0 && (best == SIZE_MAX || uncovered[g] < uncovered[best]))
                best = g;
        if (best == SIZE_MAX)
            break;   /* cannot happen: then the remainder is the wave's hidden respondents */
        reason[best] = PRIVACY_SECONDARY;
        remainder += uncovered[best];
    }
    free(uncovered);
    return true;
}

static bool decide_scale(const trend_t *trend, size_t s, long min_group, const bool *last_shown,
                         const bool *last_unit_shown, trend_view_scale_t *out)
{
    const trend_scale_t *ts = &trend->scales[s];
    size_t R = ts->n_rows ? ts->n_rows : 1, W = trend->n_waves;
    out->reason = malloc(R);
    out->tested = calloc(R, sizeof *out->tested);
    out->q = malloc(R * sizeof *out->q);
    unsigned char **decision = calloc(W, sizeof *decision);
    unsigned char **unit_decision = calloc(W, sizeof *unit_decision);
    bool *scale_suppressed = calloc(W, sizeof *scale_suppressed);
    double *p = malloc(R * sizeof *p);
    bool *include = malloc(R * sizeof *include);
    double *q = malloc(R * sizeof *q);
    size_t k = (size_t)(min_group < 1 ? 1 : min_group);
    bool ok = out->reason && out->tested && out->q && decision && unit_decision && scale_suppressed && p &&
              include && q && decide_waves(trend, s, min_group, decision, scale_suppressed);
    for (size_t w = 0; ok && w + 1 < W; w++) {
        const units_t *u = trend->units[w];
        if (!u)
            continue;
        ok = (unit_decision[w] = malloc(u->n_units ? u->n_units : 1)) &&
             decide_units(u, &trend->results[w]->scales[s], s, decision[w], k, unit_decision[w]);
    }
    for (size_t i = 0; ok && i < ts->n_rows; i++) {
        const trend_row_t *row = &ts->rows[i];
        bool last = row->wave + 1 == W;
        unsigned char hidden = row->n < k ? PRIVACY_PRIMARY : PRIVACY_SECONDARY;
        if (row->level == TREND_COMPANY)
            out->reason[i] = scale_suppressed[row->wave] ? PRIVACY_PRIMARY : PRIVACY_SHOWN;
        else if (row->level == TREND_UNIT && last)
            out->reason[i] = last_unit_shown && last_unit_shown[row->manager] ? PRIVACY_SHOWN : hidden;
        else if (row->level == TREND_UNIT)
            out->reason[i] = unit_decision[row->wave] ? unit_decision[row->wave][row->manager] : PRIVACY_PRIMARY;
        else if (last)
            out->reason[i] = last_shown[row->manager] ? PRIVACY_SHOWN : hidden;
        else
            out->reason[i] = decision[row->wave][row->manager];
        out->q[i] = NAN;
    }
    for (size_t i = 0; ok && i < ts->n_rows; i++) {
        const trend_row_t *row = &ts->rows[i];
        out->tested[i] = out->reason[i] == PRIVACY_SHOWN && row->previous_row != TREND_NONE &&
                         out->reason[row->previous_row] == PRIVACY_SHOWN && isfinite(row->welch.p_value);
    }
    /* q-values per wave pair: the rows of wave w (against w - 1) */
    for (size_t w = 1; ok && w < W; w++) {
        for (size_t i = 0; i < ts->n_rows; i++) {
            p[i] = ts->rows[i].welch.p_value;
            include[i] = out->tested[i] && ts->rows[i].wave == w;
        }
        ok = changes_bh(p, include, ts->n_rows, q);
        for (size_t i = 0; ok && i < ts->n_rows; i++)
            if (include[i])
                out->q[i] = q[i];
    }
    for (size_t w = 0; decision && w < W; w++)
        free(decision[w]);
    for (size_t w = 0; unit_decision && w < W; w++)
        free(unit_decision[w]);
    free(decision);
    free(unit_decision);
    free(scale_suppressed);
    free(p);
    free(include);
    free(q);
    return ok;
}

engage_status_t trend_view_build(const trend_t *trend, long min_group, const bool *const *last_shown,
                                 const bool *const *last_unit_shown, trend_view_t **out, engage_error_t *err)
{
    *out = NULL;
    trend_view_t *tv = calloc(1, sizeof *tv);
    if (!tv || !(tv->scales = calloc(trend->n_scales ? trend->n_scales : 1, sizeof *tv->scales))) {
        free(tv);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    tv->n_scales = trend->n_scales;
    for (size_t s = 0; s < trend->n_scales; s++)
        if (!decide_scale(trend, s, min_group, last_shown[s], last_unit_shown ? last_unit_shown[s] : NULL, &tv->scales[s])) {
            trend_view_free(tv);
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        }
    *out = tv;
    return ENGAGE_OK;
}
