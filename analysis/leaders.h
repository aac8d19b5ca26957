/*
 * analysis/leaders.h — every leader's whole organisation: the managers.csv
 * figures over everyone below a leader in the reporting tree (core/org.h).
 *
 * A leader is anyone with someone below them in the tree.  A leader's org
 * is every scored respondent whose manager (the dataset's, found in the
 * tree by id) is the leader or anyone below: the leader's own answers count
 * in their manager's team, never their own.  invited and responded count
 * the people below the leader likewise (the leader excluded).  One more
 * row per scale is the company: every scored respondent (those whose
 * manager is not in the tree too), every invited and responding person.
 * Figures follow README.md ("Definitions") as units.h does; undefined ones
 * are NAN.
 *
 * Pure: dataset and results in, leaders_t out, no I/O.  Cost per scale:
 * the scores worked out once, respondents laid out in tree pre-order (a
 * counting sort), counts by prefix sums; mean, sd and median (a selection)
 * over a copy of each leader's range, O(N · depth) expected over a tree of
 * that depth (each respondent lies in one org per ancestor).  Memory O(N + nodes),
 * iterative: no recursion at any depth.  leaders_t owns its arrays (freed
 * by leaders_free).
 */
#ifndef ENGAGE_LEADERS_H
#define ENGAGE_LEADERS_H

#include <stddef.h>

#include "../core/dataset.h"
#include "../core/error.h"
#include "analysis.h"

/* One org's figures on one scale. */
typedef struct {
    size_t n;              /* scored respondents of the org */
    double mean, sd, se, ci_low, ci_high, median;
    double favourable_pct, neutral_pct, unfavourable_pct; /* analysis_shares */
} leaders_figures_t;

typedef struct {
    const dataset_scale_t *scale;  /* points into the dataset */
    leaders_figures_t *orgs;       /* [row], rows as in leaders_t */
} leaders_scale_t;

/* Rows: 0 is the company, then every leader in tree pre-order. */
typedef struct {
    size_t n_rows;
    size_t *node;          /* [row] the leader's tree node; ORG_NONE for the company */
    size_t *parent_row;    /* [row] the row of the leader's parent; 0 (the company) for a
                              top; SIZE_MAX for the company */
    size_t *team_managers; /* [row] direct reports who manage someone (the company: tops) */
    size_t *org_managers;  /* [row] everyone below who manages someone */
    size_t *invited, *responded;   /* [row] people below, the leader excluded */
    size_t n_scales;
    leaders_scale_t *scales;       /* in dataset scale order */
} leaders_t;

/* The leaders of ds's tree and their orgs' figures on every scale; without
 * a tree (dataset_org NULL), the company row alone, every head count 0.
 * Fails only with ENGAGE_ENOMEM. */
engage_status_t leaders_run(const dataset_t *ds, const results_t *results, leaders_t **out,
                            engage_error_t *err);

/* The tree node of dataset manager m, ORG_NONE when the tree lacks it:
 * out[m] for every manager. */
void leaders_manager_nodes(const dataset_t *ds, size_t *out);

/* The nodes of the tree rule (report/privacy.h, privacy_tree()) over l's
 * rows: the leaders' rows (row 0 the company), then one more node per
 * dataset manager who leads nobody in the tree (those the tree lacks hang
 * under the company): parent[node] and node_of_manager[m].  Returns the
 * number of nodes, at most rows + managers (the size parent needs).
 * manager_node (per manager) and row_of_node (per tree node) are
 * workspace. */
size_t leaders_tree_nodes(const leaders_t *l, const dataset_t *ds, size_t *manager_node, size_t *row_of_node,
                          size_t *parent, size_t *node_of_manager);

void leaders_free(leaders_t *leaders);

#endif
