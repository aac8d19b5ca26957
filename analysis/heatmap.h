/*
 * analysis/heatmap.h — every item at every level: per scale × item × group,
 * the answers' count, mean and favourable share, for the company, every
 * unit, every leader's whole org (leaders.h) and every manager's team.
 *
 * A group's answers to an item are those of its scored respondents (scored
 * on the scale, as analysis.c decides it) who answered the item, after
 * reverse coding: the company's are items.csv's.  A unit is units_t's
 * (managers without one form the unit ""), a leader's org leaders_t's
 * (the leader's own answers count in their manager's team).  Figures that
 * are undefined (no answer) are NAN.  Which cells are published, and
 * whether one stands out, is the view's (report/view.c): this module only
 * counts.
 *
 * Pure: dataset, results, units and leaders in, heatmap_t out, no I/O.
 * Cost: one pass over every scale's item columns (O(respondents × items)),
 * sums per team; units and orgs are sums of their teams (orgs bottom-up
 * over the leaders' rows, which are in tree pre-order: no per-leader walk).
 * Memory O(groups × items): the sums alone (per team × item 6 bytes, 16 when
 * they do not fit the narrow form; 16 per other group × item), the figures
 * worked out when asked for (heatmap_cell), and per team × item the within
 * sums (4 bytes, 8 wide) until heatmap_drop_within.
 * heatmap_t owns its arrays (heatmap_free).
 */
#ifndef ENGAGE_HEATMAP_H
#define ENGAGE_HEATMAP_H

#include <stddef.h>
#include <stdint.h>

#include "../core/dataset.h"
#include "../core/error.h"
#include "analysis.h"
#include "leaders.h"
#include "units.h"

/* The levels, in heatmap.csv's order. */
typedef enum {
    HEATMAP_COMPANY = 0,   /* one group: every scored respondent */
    HEATMAP_UNIT = 1,      /* units_t's units, in its order */
    HEATMAP_LEADER = 2,    /* leaders_t's rows 1.. (row r is group r - 1), in tree pre-order */
    HEATMAP_MANAGER = 3,   /* the dataset's managers, in index order */
    HEATMAP_LEVELS = 4
} heatmap_level_t;

/* One group's answers to one item, as counted: the answers, the
 * favourable ones, and the sum of each answer's distance from the scale's
 * middle (added in respondent order within a team, then team by team). */
typedef struct {
    uint32_t n, favourable;
    double sum;
} heatmap_sums_t;

/* One group's figures for one item. */
typedef struct {
    size_t n;                /* answers: scored respondents of the group who answered */
    double mean;             /* of those answers, after reverse coding */
    double favourable_pct;   /* analysis_shares() of those answers */
    double delta_favourable; /* favourable_pct minus the company's for the item, in points */
} heatmap_cell_t;

/* A team's answers to one item in the narrow form (heatmap_scale_t):
 * answers, favourable ones, and twice the sum of the distances. */
typedef struct {
    uint16_t n, favourable;
    int16_t twice_sum;
} heatmap_team_t;

/* A scale's sums.  The teams' are narrow when they fit: every answer's
 * distance from the middle a multiple of 0.5 and every team small enough
 * for 16 bits (8 bytes per team × item: teams and team_dd4_16, or 10 with
 * team_dd4 where Σ (2 × distance)² may need 32 bits); else wide
 * (24 bytes: sums[HEATMAP_MANAGER] and manager_ss).  The figures are the
 * same either way: sums of halves are exact in a double. */
typedef struct {
    const dataset_scale_t *scale;          /* points into the dataset */
    size_t n_items;                        /* the scale's items, in config order */
    size_t n_groups[HEATMAP_LEVELS];
    heatmap_sums_t *sums[HEATMAP_LEVELS];  /* [group × n_items + item]; the managers' NULL
                                              when narrow */
    heatmap_team_t *teams;                 /* narrow: [manager × n_items + item] */
    uint32_t *team_dd4;                    /* narrow: Σ (2 × distance)² likewise, or NULL */
    uint16_t *team_dd4_16;                 /* narrow: the same in 16 bits, or NULL */
    double *manager_ss;                    /* wide: [manager × n_items + item], the team's
                                              within sum of squares (heatmap_within) */
} heatmap_scale_t;

typedef struct {
    size_t n_scales;
    heatmap_scale_t *scales;               /* in dataset scale order */
} heatmap_t;

/* Every scale's cells.  units may be NULL (no unit level); leaders may be
 * NULL or the company row alone (no leader level).  Fails only with
 * ENGAGE_ENOMEM (or more than UINT32_MAX respondents). */
engage_status_t heatmap_run(const dataset_t *ds, const results_t *results, const units_t *units,
                            const leaders_t *leaders, heatmap_t **out, engage_error_t *err);

/* Group g's figures of item i at a level, worked out from its sums. */
heatmap_cell_t heatmap_figures(const heatmap_scale_t *hs, heatmap_level_t level, size_t g, size_t i);

/* The same figures in one of HEATMAP_CELL_SLOTS slots of the calling
 * thread, used in turn: the pointer stays valid for the next
 * HEATMAP_CELL_SLOTS - 1 calls on that thread. */
enum { HEATMAP_CELL_SLOTS = 8 };
const heatmap_cell_t *heatmap_cell(const heatmap_scale_t *hs, heatmap_level_t level, size_t g, size_t i);

/* Group g's answers to item i (heatmap_figures' n) and their mean. */
size_t heatmap_n(const heatmap_scale_t *hs, heatmap_level_t level, size_t g, size_t i);
double heatmap_mean(const heatmap_scale_t *hs, heatmap_level_t level, size_t g, size_t i);

/* Σ (answer - mean)² of manager m's answers to item i (0 for one answer,
 * NAN for none): with n and mean, what a decomposition of the item needs.
 * Only until heatmap_drop_within. */
double heatmap_within(const heatmap_scale_t *hs, size_t m, size_t i);

/* Frees scale s's within sums once its decomposition is done. */
void heatmap_drop_within(heatmap_t *heatmap, size_t s);

void heatmap_free(heatmap_t *heatmap);

#endif
