/*
 * report/enps_trend_view.h — the published part of the eNPS history
 * (enps_trend.csv): which eNPS changes are shown and their q-values.
 *
 * A row of enps_trend.csv is shown exactly where trend.csv shows the same
 * scale × level × group × wave (trend_view_shown: the promoters' and the
 * detractors' shares are two more totals over the answers of a group that
 * rule already publishes); a change is shown by trend.csv's rule for
 * changes (trend_view_change_shown) and its q-value is Benjamini–Hochberg
 * per wave pair as trend.csv's (trend_view_q_values).  Nothing here reads
 * min_group or applies a rule of its own.
 */
#ifndef ENGAGE_ENPS_TREND_VIEW_H
#define ENGAGE_ENPS_TREND_VIEW_H

#include <stdbool.h>

#include "../analysis/enps_trend.h"
#include "trend_view.h"

typedef struct {
    bool *tested;              /* [trend row] its eNPS change is shown */
    double *q;                 /* [trend row] Benjamini–Hochberg q; NAN when not tested */
} enps_trend_view_scale_t;

typedef struct {
    enps_trend_t *figures;     /* every row's eNPS and change (analysis), owned */
    size_t n_scales;
    enps_trend_view_scale_t *scales;  /* NULL arrays on a scale not of kind = nps */
} enps_trend_view_t;

/* The eNPS history of the scales s with nps[s], decided by tv (built from
 * trend).  *out is freed with enps_trend_view_free().  Fails only with
 * ENGAGE_ENOMEM. */
engage_status_t enps_trend_view_build(const trend_t *trend, const trend_view_t *tv, const bool *nps,
                                      enps_trend_view_t **out, engage_error_t *err);

void enps_trend_view_free(enps_trend_view_t *ev);

/* Whether scale s has an eNPS history, and whether any scale has one (then
 * enps_trend.csv is written). */
bool enps_trend_view_scale(const enps_trend_view_t *ev, size_t s);
bool enps_trend_view_wanted(const enps_trend_view_t *ev);

#endif
