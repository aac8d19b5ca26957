/*
 * report/view.h — the published view: what every output shows, decided
 * once.
 *
 * view_build() takes the privacy decision (privacy.c: which managers, units,
 * change rows and, with a reporting tree, leaders' orgs are shown, from
 * their counts alone) and works out
 * everything the writers render from it: the variance decomposition of each
 * wave over the teams that wave publishes (and, with units, the nested one
 * of unit and manager within unit over the same teams) (so that no published figure
 * depends on a hidden team's own data, README.md, "Privacy: what is published"), the funnel
 * limits around that decomposition, whether its share between managers is
 * poorly determined, the ranking of the shown managers (and, with a
 * reporting tree, of the shown leaders of its top levels), the stand-out
 * lists, the q-values and the changes the readable reports name, the
 * heatmap's cells shown and standing out, and, with a roster's tree, each
 * team's and unit's participation.
 * The writers (tables.c, summary.c, html.c, workbook.c) only render a view:
 * none of them reads min_group, applies a rule or picks managers itself.
 *
 * The guarantee this gives: permuting respondents among the hidden teams of
 * a scale (each team keeping its size; within one unit when units are
 * published; with a reporting tree, within one part of it that no shown
 * org divides; within one wave) changes no figure of the view.  The figures
 * over every team, which that permutation does change, stay in the results
 * and go only to the analyst's variance_all_teams.csv.
 *
 * Owns: the privacy decision and every array of the view (view_free).
 * Points into the report input (results, changes, units), which must
 * outlive it.
 */
#ifndef ENGAGE_VIEW_H
#define ENGAGE_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "../analysis/heatmap.h"
#include "../analysis/leaders.h"
#include "../analysis/nested.h"
#include "../analysis/participation.h"
#include "privacy.h"
#include "report.h"
#include "trend_view.h"
#include "enps_trend_view.h"

typedef struct {
    const analysis_scale_t *results;    /* per-manager and per-item figures */
    const privacy_scale_t *decision;    /* reasons of managers and units, with counts */
    bool suppressed;                    /* fewer than min_group scored: no scale-level figure */
    size_t scored;                      /* respondents scored on the scale, every team */
    /* The decomposition over the shown managers (their n, mean and within
     * sum of squares), alpha over every scored respondent; notes describe
     * it (analysis_variance_notes) and the pooled data. */
    analysis_variance_t variance;
    unsigned notes;
    /* With units: the nested REML (unit, manager within unit) over the same
     * shown managers; every figure NAN without units. */
    nested_fit_t nested;
    /* Why the share between managers is poorly determined (VIEW_CAUTION_*
     * bits, 0 when it is not or no share is shown): the readable reports
     * warn the reader. */
    unsigned split_caution;
    /* The shown managers by mean, highest first (ties: manager index). */
    size_t n_ranked;
    size_t *ranked;
    /* The shown managers beyond their 99.8% funnel limits, farthest out
     * first in standard errors (|mean - grand mean| · √n; ties: index). */
    size_t n_above, n_below;
    size_t *above, *below;

    /* With a previous wave (changes != NULL). */
    const changes_scale_t *changes;
    const privacy_change_scale_t *change_decision;  /* per row, with q-values */
    /* The previous wave's decomposition over the teams whose change row is
     * shown: the only previous-wave teams this run publishes. */
    analysis_variance_t variance_previous;
    bool previous_suppressed;           /* the previous wave has fewer than min_group scored */
    bool change_suppressed;             /* the company-level change is hidden */
    /* The change rows the readable reports name (shown, q < 0.05, largest
     * |delta| first) and how many shown rows have a q-value. */
    size_t n_notable, n_tested;
    size_t *notable;

    /* Per leaders row (view_t.leaders; the company row alone without a
     * tree), whether the org's figures are shown: privacy_reason_t of
     * privacy_tree(), the company's as the scale's without a tree. */
    unsigned char *leader_reason;
    /* With a reporting tree, what the readable reports list of the top
     * VIEW_TOP_DEPTH levels: their shown leaders as leaders rows, by the
     * org's mean, highest first (ties: leader_id byte order), and how many
     * of those levels' leaders are hidden, by reason (privacy_reason_t). */
    size_t n_top_leaders, top_hidden_primary, top_hidden_secondary;
    size_t *top_leaders;

    /* heatmap.csv (view_t.heatmap): per level, [group × items + item], the
     * cell's privacy_reason_t (view_heatmap_shown) and where its mean lies
     * against the item's funnel limits (view_heatmap_stands_out). */
    unsigned char *heatmap_reason[HEATMAP_LEVELS];
    signed char *heatmap_stands_out[HEATMAP_LEVELS];
} view_scale_t;


/* The levels of the tree the readable reports list (tops: 1). */
enum { VIEW_TOP_DEPTH = 2 };

/* When a scale's share between managers is poorly determined: it rests on
 * fewer than VIEW_FEW_MANAGERS shown managers, or the 95% interval of
 * ICC(1) is wider than VIEW_WIDE_INTERVAL. */
enum { VIEW_FEW_MANAGERS = 10 };
#define VIEW_WIDE_INTERVAL 0.3
enum { VIEW_CAUTION_FEW_MANAGERS = 1u << 0, VIEW_CAUTION_WIDE_INTERVAL = 1u << 1 };

typedef struct {
    long smallest_shown;                /* the smallest group whose figures are shown (the
                                           config's min_group): the number the texts state */
    size_t n_scales;
    view_scale_t *scales;               /* in scale order */
    bool with_units, with_changes;
    privacy_t *privacy;
    /* Invited and responded per team and unit (participation.h); NULL
     * without a reporting tree. */
    participation_t *participation;
    /* Every leader's org and the company's (leaders_run; without a
     * reporting tree the company row alone, and no leaders.csv).  With a
     * history that has them, the history's own leaders of the last wave
     * (trend.h), borrowed: leaders_owned is then false. */
    leaders_t *leaders;
    bool leaders_owned;
    bool with_tree;
    /* Every item at every level (heatmap.h; NULL without a dataset). */
    heatmap_t *heatmap;
    /* With a history of waves (report_input_t.trend): trend.csv's rows shown
     * and their q-values (trend_view.h); NULL without. */
    trend_view_t *trend;
    /* [scale][trend row] trend.csv's response_rate (view_trend_response_rate);
     * NULL without a history. */
    double **trend_response_rate;
    /* With a history and a scale of kind = nps: enps_trend.csv's figures,
     * its shown changes and their q-values (enps_trend_view.h); NULL
     * without a history. */
    enps_trend_view_t *enps_trend;
    /* The key drivers to publish (NULL without [drivers]): company-level
     * figures, one regression over every complete case, reveal no group
     * and are published as they are. */
    const drivers_t *drivers;
} view_t;

/* Whether drivers outcome o's figures are published: resting on at least
 * the smallest shown group of complete cases (below it, every figure but
 * n_complete is left empty). */
bool view_drivers_shown(const view_t *view, size_t o);

/* A unit's drivers rest on at least this many times min_group complete
 * cases, or are not published. */
enum { VIEW_DRIVERS_UNIT_FACTOR = 10 };

/* Whether outcome o's drivers in unit u (drivers_t unit_outcomes) are
 * published: a named unit with at least VIEW_DRIVERS_UNIT_FACTOR ×
 * min_group complete cases.  A unit not shown gets no row at all. */
bool view_drivers_unit_shown(const view_t *view, size_t o, size_t u);

/* Decide privacy for in and build its view.  *out is freed with
 * view_free().  Fails only with ENGAGE_ENOMEM. */
engage_status_t view_build(const report_input_t *in, view_t **out, engage_error_t *err);

void view_free(view_t *view);

/* The VIEW_CAUTION_* bits of a decomposition whose share between managers
 * is stated (a finite REML share); 0 otherwise. */
unsigned view_split_caution(const analysis_variance_t *v);

/* Whether manager j, unit u or change row i of scale s shows its figures. */
bool view_manager_shown(const view_t *view, size_t s, size_t j);
bool view_unit_shown(const view_t *view, size_t s, size_t u);
bool view_change_shown(const view_t *view, size_t s, size_t i);
/* Whether leaders row r (0: the company) of scale s shows its figures. */
bool view_leader_shown(const view_t *view, size_t s, size_t r);
/* Whether the readable reports have a leaders section for scale s: a
 * reporting tree whose company row is shown. */
bool view_leaders_listed(const view_t *view, size_t s);

/* What the readable reports put first for a scale ("At a glance"), every
 * figure one the view publishes elsewhere. */
enum { VIEW_GLANCE_ITEMS = 3 };
typedef struct {
    bool shown;                  /* false: the scale is suppressed, nothing below is set */
    /* The company's shares of answers (scales.csv); neutral NAN without a middle. */
    double favourable_pct, neutral_pct, unfavourable_pct;
    /* Participation, with a reporting tree and the company's rate shown. */
    bool with_rate;
    size_t invited, responded;
    /* With a previous wave whose company-level change is shown: the change
     * of the favourable share in points (the previous wave's share over its
     * items, as items.csv pools them) and of the mean, Welch's p-value, and
     * whether the change holds (p < 0.05). */
    bool with_change, change_holds;
    double favourable_change, mean_previous, mean, p_value;
    /* Items by favourable share (items.csv), strongest and weakest first
     * (ties: config order); as many of each as half the items allow, at
     * most VIEW_GLANCE_ITEMS. */
    size_t n_strong, strong[VIEW_GLANCE_ITEMS], n_weak, weak[VIEW_GLANCE_ITEMS];
    /* The share of the variance between managers (REML, over the shown
     * teams; NAN when it cannot be estimated), with units the nested split
     * (NAN without), and the shown teams beyond their 99.8% funnel limits. */
    double share_managers, share_unit, share_manager_within;
    size_t stand_out;
} view_glance_t;

void view_glance(const view_t *view, size_t s, view_glance_t *g);

/* Whether a group's response rate is shown: its invited headcount is at
 * least smallest_shown (min_group).  The one rule for teams, units,
 * leaders and the company. */
bool view_response_rate_shown(const view_t *view, size_t invited);

/* Manager j's or unit u's invited and responded counts into *count, and
 * whether they and the response rate are shown: with a reporting tree, when
 * view_response_rate_shown() of its invited.  Counts hidden with the rate:
 * a small team's headcount and turnout are not published. */
bool view_manager_participation(const view_t *view, size_t j, participation_count_t *count);
bool view_unit_participation(const view_t *view, size_t u, participation_count_t *count);

/* trend.csv's response_rate of row i of scale s: 100 × responded / invited
 * of the row's group in the row's wave, NAN when not shown.  The last
 * wave's is managers.csv's, units.csv's or scales.csv's (the same counts,
 * the same rule); an earlier wave's is shown only when that wave was read
 * with its own roster ([rosters]: report_input_t.wave_rosters), from its
 * own counts (wave_participation), by view_response_rate_shown().  Like
 * every participation figure, whether or not the row's other figures are. */
double view_trend_response_rate(const view_t *view, size_t s, size_t i);

/* Manager j's funnel limits on scale s, around the shown decomposition
 * (NAN limits for a hidden manager). */
analysis_funnel_t view_funnel(const view_t *view, size_t s, size_t j);

/* The heatmap's cells (README.md, heatmap.csv).  A cell of item i is shown
 * only when its group is shown on the scale and the item's own rule holds:
 * per item, the scale's rules run again over each group's answers to the
 * item (privacy_suppress for units; privacy_tree with the scale's hidden
 * teams and orgs passed in, then privacy_split_cells; without a tree,
 * privacy_levels), the groups the scale hides passed in as hidden where a
 * rule takes them and hidden after it where it does not.  A cell of no
 * answer is hidden.  With every scored respondent answering every item (and
 * no previous wave) this hides exactly the cells of the scale's hidden
 * groups. */
bool view_heatmap_shown(const view_t *view, size_t s, heatmap_level_t level, size_t g, size_t i);

/* Where a shown cell's mean lies against the 99.8% funnel limits
 * (analysis_funnel) for a group of its n around the company's mean of the
 * item, with MS_within of the item's one-way decomposition over the
 * managers whose cell of the item is shown; ANALYSIS_WITHIN for the company
 * and every hidden cell. */
analysis_stands_out_t view_heatmap_stands_out(const view_t *view, size_t s, heatmap_level_t level, size_t g,
                                              size_t i);

/* The groups the readable heatmaps (report.html, the workbook's sheet)
 * draw for scale s after the company: its shown units when at least two are
 * shown (units.csv's order), else with a tree (org) the shown leaders of the
 * top VIEW_TOP_DEPTH levels (leaders.csv's order), else the shown managers
 * by the ranking, the max / 2 highest and lowest when there are more.
 * *level receives which, rows (room for max) their groups at that level;
 * returns how many, *more those left out. */
size_t view_heatmap_rows(const view_t *view, const org_t *org, size_t s, heatmap_level_t *level, size_t *rows,
                         size_t max, size_t *more);

#endif
