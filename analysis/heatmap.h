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
 * Memory O(groups × items): per group × item the sums alone (16 bytes), the
 * figures worked out when asked for (heatmap_cell), and per team × item
 * the within sum of squares (8 bytes) until heatmap_drop_within.
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

typedef struct {
    const dataset_scale_t *scale;          /* points into the dataset */
    size_t n_items;                        /* the scale's items, in config order */
    size_t n_groups[HEATMAP_LEVELS];
    heatmap_sums_t *sums[HEATMAP_LEVELS];  /* [group × n_items + item] */
    double *manager_ss;                    /* [manager × n_items + item] Σ (answer - mean)²
                                              over the team (0 for one answer, NAN for
                                              none): with n and mean, what a decomposition
                                              of the item needs; NULL after
                                              heatmap_drop_within */
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

/* Frees scale s's manager_ss once its decomposition is done. */
void heatmap_drop_within(heatmap_t *heatmap, size_t s);

void heatmap_free(heatmap_t *heatmap);

#endif
