/*
 * analysis/enps_trend.h — the eNPS of every row of the history (trend.h)
 * on a scale of kind = nps, and its change against the same group in the
 * wave before (enps_trend.csv; README.md, "eNPS: the recommend question").
 *
 * A row's counts come from the shares its level already has: a manager's
 * from analysis_manager_t, a unit's from its wave's units_figures_t, a
 * leader's from its wave's leaders_figures_t, the company's as the sum of its wave's managers' counts (every scored
 * respondent has one manager), so every level counts the answers once and
 * the last wave's rows agree with enps.csv.  The change is enps_change()
 * of the two rows.  Pure: trend in, figures out; which rows may be shown,
 * and the q-values over them, are decided in report/enps_trend_view.h.
 */
#ifndef ENGAGE_ENPS_TREND_H
#define ENGAGE_ENPS_TREND_H

#include <stdbool.h>
#include <stddef.h>

#include "enps.h"
#include "trend.h"

typedef struct {
    bool nps;                  /* the scale is of kind = nps: rows and change are set */
    enps_t *rows;              /* [trend row] the group's eNPS in the row's wave */
    enps_change_t *change;     /* [trend row] against trend_row_t.previous_row; every
                                  figure NAN without one */
} enps_trend_scale_t;

typedef struct {
    size_t n_scales;
    enps_trend_scale_t *scales;  /* in the trend's scale order */
} enps_trend_t;

/* The eNPS of every row of trend on the scales s with nps[s] (an array of
 * trend->n_scales flags), and each row's change against its group's row of
 * the wave before.  *out is freed with enps_trend_free().  Fails only with
 * ENGAGE_ENOMEM. */
engage_status_t enps_trend_run(const trend_t *trend, const bool *nps, enps_trend_t **out, engage_error_t *err);

void enps_trend_free(enps_trend_t *et);

#endif
