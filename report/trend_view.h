/*
 * report/trend_view.h — which rows of the history (trend.csv) are shown,
 * and the q-values of their changes (README.md, "Privacy across waves").
 *
 * Every published figure is a sum over one wave's answers (a person who
 * answers two waves gives two answers, one to each), so any combination of
 * shown figures that isolates some answers isolates answers of a single
 * wave: across waves the system of equations falls apart into one block per
 * wave.  The rule therefore holds per wave, over everything published about
 * that wave by this run and by that wave's own run:
 *   - the last wave's managers are shown as this run publishes them: in
 *     managers.csv or in a shown row of changes.csv (the view's decision
 *     across every level, which keeps what it leaves unpublished at 0 or at
 *     least min_group);
 *   - an earlier wave's managers are shown as privacy_suppress() decides
 *     over that wave's own counts (primary and secondary), which is also
 *     where that wave's own managers.csv and this run's changes.csv start
 *     from, so that nothing published of the wave lies outside that
 *     decision's shown managers;
 *   - a company row is shown when the wave has at least min_group scored
 *     respondents;
 *   - with units, the last wave's units are shown as units.csv shows them;
 *     an earlier wave's when the unit holds at least min_group and the part
 *     of it that no shown manager covers holds 0 or at least min_group,
 *     more units being hidden while the uncovered people of the hidden units
 *     (what the company minus every shown unit and manager isolates) number
 *     1 to min_group - 1 (privacy_wave_units).  Units partition the managers, so the parts a
 *     combination of a wave's shown figures can isolate are exactly those:
 *     the shown managers, each shown unit's uncovered part and that
 *     remainder; each holds 0 or at least min_group;
 *   - with a reporting tree, the last wave's leaders are shown as
 *     leaders.csv shows them; an earlier wave's by the tree rule
 *     (privacy_tree) over that wave's counts with its managers kept as
 *     decided above and only orgs hidden, so that every cell (an org minus
 *     its shown child orgs and shown team, the company minus its shown
 *     leaders and teams) holds 0 or at least min_group — always possible,
 *     since the hidden managers of the wave number 0 or at least min_group;
 *     with units too, the units are then grown across the tree
 *     (privacy_tree_units), so that the hidden teams of each shown org and
 *     unit, or of an org and no shown unit, are 0 or at least min_group.
 * Every shown manager holds at least min_group respondents and the hidden
 * ones of each wave number 0 or at least min_group, so any union of sets of
 * shown managers of one wave leaves 0 or at least min_group respondents
 * hidden: no difference between shown figures — within a wave or across
 * waves — isolates fewer.  A team's manager is its id: a team whose manager
 * changed is another group, and a group absent from a wave simply has no
 * row there.
 *
 * A row's change (delta_previous, p_value) is shown when the row and the
 * same group's row of the wave before are both shown; q_value is the
 * Benjamini–Hochberg adjustment over every shown change of a scale and wave
 * pair, the company's included.  enps_trend.csv's eNPS changes are shown
 * and adjusted by the same two functions (trend_view_change_shown,
 * trend_view_q_values), over the same rows.
 */
#ifndef ENGAGE_TREND_VIEW_H
#define ENGAGE_TREND_VIEW_H

#include <stdbool.h>

#include "../analysis/trend.h"
#include "../core/error.h"

typedef struct {
    unsigned char *reason;   /* [row] privacy_reason_t */
    bool *tested;            /* [row] its change is shown */
    double *q;               /* [row] Benjamini–Hochberg q; NAN when not tested */
} trend_view_scale_t;

typedef struct {
    size_t n_scales;
    trend_view_scale_t *scales;
} trend_view_t;

/* Decide every row of trend.  last_shown[s][j] says whether manager j of
 * scale s of the last wave is published by this run, last_unit_shown[s][u]
 * (NULL without units) whether its unit u is, last_leader_shown[s][r]
 * (NULL without a tree) whether row r of its leaders is (the view's
 * decision).
 * *out is freed with trend_view_free().  Fails only with ENGAGE_ENOMEM. */
engage_status_t trend_view_build(const trend_t *trend, long smallest_shown, const bool *const *last_shown,
                                 const bool *const *last_unit_shown, const bool *const *last_leader_shown,
                                 trend_view_t **out, engage_error_t *err);

void trend_view_free(trend_view_t *tv);

/* Whether row i of scale s shows its figures. */
bool trend_view_shown(const trend_view_t *tv, size_t s, size_t i);

/* Whether a change of row i of scale s (of the trend tv was built from)
 * with p-value p is shown: the row and its group's row of the wave before
 * are both shown, and p is defined.  The one rule of every change across
 * waves (trend.csv's Welch tests, enps_trend.csv's eNPS changes). */
bool trend_view_change_shown(const trend_view_t *tv, const trend_t *trend, size_t s, size_t i, double p);

/* q[i] = the Benjamini–Hochberg adjusted p[i] over the rows of scale s
 * with tested[i], one wave pair at a time (the rows of wave w, against
 * w - 1, the company's included); NAN for the others.  q has a slot per
 * row of the scale.  false only when out of memory. */
bool trend_view_q_values(const trend_t *trend, size_t s, const double *p, const bool *tested, double *q);

#endif
