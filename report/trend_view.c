/*
 * report/trend_view.c — the privacy decision over the history of waves (its
 * rules are privacy.c's), which changes across waves are shown and their
 * q-values (see trend_view.h; trend.csv's, and through
 * trend_view_change_shown and trend_view_q_values enps_trend.csv's).  Owns the per-row arrays
 * it returns; reads the trend and, for the last wave, the decision the view
 * made for managers.csv.
 */
#include "trend_view.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../core/org.h"
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
static bool decide_waves(const trend_t *trend, size_t s, long smallest_shown, unsigned char **decision,
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
        bool ok = privacy_suppress(n, J, smallest_shown, decision[w], &summary, &ignored) == ENGAGE_OK;
        free(n);
        if (!ok)
            return false;
        scale_suppressed[w] = summary.scale_suppressed;
    }
    return true;
}

/* The tree rule over earlier wave w of scale s (trend_view.h): the teams
 * as decision leaves them, only orgs hidden (privacy_tree with teams_fixed);
 * then, with
 * units, unit_decision grown across the tree (privacy_tree_units).  A
 * reason per row of the wave's leaders into leader_decision. */
static bool decide_wave_tree(const trend_t *trend, size_t s, size_t w, long smallest_shown,
                             const unsigned char *decision, unsigned char *unit_decision,
                             unsigned char *leader_decision)
{
    const leaders_t *l = trend->leaders[w];
    const dataset_t *ds = trend->datasets[w];
    const analysis_scale_t *sc = &trend->results[w]->scales[s];
    size_t M = sc->n_managers, V = org_size(dataset_org(ds)), R = l->n_rows, cap = R + M;
    size_t *manager_node = malloc((M ? M : 1) * sizeof *manager_node);
    size_t *row_of_node = malloc((V ? V : 1) * sizeof *row_of_node);
    size_t *node_of_manager = malloc((M ? M : 1) * sizeof *node_of_manager);
    size_t *parent = malloc(cap * sizeof *parent), *team_n = calloc(cap, sizeof *team_n);
    size_t *org_n = malloc(cap * sizeof *org_n);
    unsigned char *team_reason = malloc(cap), *org_reason = malloc(cap);
    bool ok = manager_node && row_of_node && node_of_manager && parent && team_n && org_n && team_reason &&
              org_reason;
    engage_error_t ignored = {0};
    if (ok) {
        size_t nodes = leaders_tree_nodes(l, ds, manager_node, row_of_node, parent, node_of_manager);
        memset(team_reason, PRIVACY_SHOWN, nodes);
        team_reason[0] = PRIVACY_SECONDARY;   /* the company's own team: nobody */
        for (size_t j = 0; j < M; j++) {
            size_t node = node_of_manager[j];
            team_n[node] += sc->managers[j].n;
            if (decision[j] != PRIVACY_SHOWN)
                team_reason[node] = decision[j];
        }
        privacy_tree_t tree = { .n_nodes = nodes, .parent = parent, .team_n = team_n, .team_reason = team_reason,
                                .org_reason = org_reason, .org_n = org_n, .teams_fixed = true,
                                .published_orgs = R };
        ok = privacy_tree(&tree, smallest_shown, NULL, &ignored) == ENGAGE_OK;
        if (ok)
            memcpy(leader_decision, org_reason, R);
        if (ok && unit_decision && trend->units[w])
            ok = privacy_tree_units(trend->units[w], M, team_n, unit_decision, R, nodes, parent, org_reason,
                                    team_reason, node_of_manager, smallest_shown, &ignored) == ENGAGE_OK;
    }
    free(manager_node);
    free(row_of_node);
    free(node_of_manager);
    free(parent);
    free(team_n);
    free(org_n);
    free(team_reason);
    free(org_reason);
    return ok;
}

/* A change is shown between two shown rows of one group, when its p is
 * defined: the one rule of every change across waves. */
static bool change_shown(const unsigned char *reason, const trend_scale_t *ts, size_t i, double p)
{
    const trend_row_t *row = &ts->rows[i];
    return reason[i] == PRIVACY_SHOWN && row->previous_row != TREND_NONE &&
           reason[row->previous_row] == PRIVACY_SHOWN && isfinite(p);
}

/* Benjamini–Hochberg per wave pair: the tested rows of wave w (against
 * w - 1) together, the company's included. */
static bool q_values(const trend_scale_t *ts, size_t n_waves, const double *p, const bool *tested, double *out)
{
    size_t R = ts->n_rows ? ts->n_rows : 1;
    bool *include = malloc(R * sizeof *include);
    double *q = malloc(R * sizeof *q);
    bool ok = include && q;
    for (size_t i = 0; i < ts->n_rows; i++)
        out[i] = NAN;
    for (size_t w = 1; ok && w < n_waves; w++) {
        for (size_t i = 0; i < ts->n_rows; i++)
            include[i] = tested[i] && ts->rows[i].wave == w;
        ok = changes_bh(p, include, ts->n_rows, q);
        for (size_t i = 0; ok && i < ts->n_rows; i++)
            if (include[i])
                out[i] = q[i];
    }
    free(include);
    free(q);
    return ok;
}

static bool decide_scale(const trend_t *trend, size_t s, long smallest_shown, const bool *last_shown,
                         const bool *last_unit_shown, const bool *last_leader_shown, trend_view_scale_t *out)
{
    const trend_scale_t *ts = &trend->scales[s];
    size_t R = ts->n_rows ? ts->n_rows : 1, W = trend->n_waves;
    out->reason = malloc(R);
    out->tested = calloc(R, sizeof *out->tested);
    out->q = malloc(R * sizeof *out->q);
    unsigned char **decision = calloc(W, sizeof *decision);
    unsigned char **unit_decision = calloc(W, sizeof *unit_decision);
    unsigned char **leader_decision = calloc(W, sizeof *leader_decision);
    bool *scale_suppressed = calloc(W, sizeof *scale_suppressed);
    double *p = malloc(R * sizeof *p);
    bool ok = out->reason && out->tested && out->q && decision && unit_decision && leader_decision &&
              scale_suppressed && p &&
              decide_waves(trend, s, smallest_shown, decision, scale_suppressed);
    for (size_t w = 0; ok && w + 1 < W; w++) {
        const units_t *u = trend->units[w];
        if (!u)
            continue;
        ok = (unit_decision[w] = malloc(u->n_units ? u->n_units : 1)) &&
             privacy_wave_units(u, &trend->results[w]->scales[s], s, decision[w], smallest_shown,
                                unit_decision[w]);
    }
    for (size_t w = 0; ok && w + 1 < W; w++) {
        const leaders_t *l = trend->leaders ? trend->leaders[w] : NULL;
        if (!l)
            continue;
        ok = (leader_decision[w] = malloc(l->n_rows ? l->n_rows : 1)) &&
             decide_wave_tree(trend, s, w, smallest_shown, decision[w], unit_decision[w], leader_decision[w]);
    }
    for (size_t i = 0; ok && i < ts->n_rows; i++) {
        const trend_row_t *row = &ts->rows[i];
        bool last = row->wave + 1 == W;
        unsigned char hidden = privacy_hidden_reason(row->n, smallest_shown);
        if (row->level == TREND_COMPANY)
            out->reason[i] = scale_suppressed[row->wave] ? PRIVACY_PRIMARY : PRIVACY_SHOWN;
        else if (row->level == TREND_UNIT && last)
            out->reason[i] = last_unit_shown && last_unit_shown[row->manager] ? PRIVACY_SHOWN : hidden;
        else if (row->level == TREND_UNIT)
            out->reason[i] = unit_decision[row->wave] ? unit_decision[row->wave][row->manager] : PRIVACY_PRIMARY;
        else if (row->level == TREND_LEADER && last)
            out->reason[i] = last_leader_shown && last_leader_shown[row->manager] ? PRIVACY_SHOWN : hidden;
        else if (row->level == TREND_LEADER)
            out->reason[i] = leader_decision[row->wave] ? leader_decision[row->wave][row->manager] : PRIVACY_PRIMARY;
        else if (last)
            out->reason[i] = last_shown[row->manager] ? PRIVACY_SHOWN : hidden;
        else
            out->reason[i] = decision[row->wave][row->manager];
    }
    for (size_t i = 0; ok && i < ts->n_rows; i++) {
        p[i] = ts->rows[i].welch.p_value;
        out->tested[i] = change_shown(out->reason, ts, i, p[i]);
    }
    ok = ok && q_values(ts, W, p, out->tested, out->q);
    for (size_t w = 0; decision && w < W; w++)
        free(decision[w]);
    for (size_t w = 0; unit_decision && w < W; w++)
        free(unit_decision[w]);
    for (size_t w = 0; leader_decision && w < W; w++)
        free(leader_decision[w]);
    free(decision);
    free(unit_decision);
    free(leader_decision);
    free(scale_suppressed);
    free(p);
    return ok;
}

bool trend_view_change_shown(const trend_view_t *tv, const trend_t *trend, size_t s, size_t i, double p)
{
    return tv && s < tv->n_scales && s < trend->n_scales && i < trend->scales[s].n_rows &&
           change_shown(tv->scales[s].reason, &trend->scales[s], i, p);
}

bool trend_view_q_values(const trend_t *trend, size_t s, const double *p, const bool *tested, double *q)
{
    return q_values(&trend->scales[s], trend->n_waves, p, tested, q);
}

engage_status_t trend_view_build(const trend_t *trend, long smallest_shown, const bool *const *last_shown,
                                 const bool *const *last_unit_shown, const bool *const *last_leader_shown,
                                 trend_view_t **out, engage_error_t *err)
{
    *out = NULL;
    trend_view_t *tv = calloc(1, sizeof *tv);
    if (!tv || !(tv->scales = calloc(trend->n_scales ? trend->n_scales : 1, sizeof *tv->scales))) {
        free(tv);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    tv->n_scales = trend->n_scales;
    for (size_t s = 0; s < trend->n_scales; s++)
        if (!decide_scale(trend, s, smallest_shown, last_shown[s], last_unit_shown ? last_unit_shown[s] : NULL,
                          last_leader_shown ? last_leader_shown[s] : NULL, &tv->scales[s])) {
            trend_view_free(tv);
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        }
    *out = tv;
    return ENGAGE_OK;
}
