/*
 * report/privacy.h — which figures may be published (README.md, "Privacy: what is published").
 *
 * Primary suppression hides every manager with fewer than min_group scored
 * respondents.  Secondary suppression then makes sure that the respondents
 * hidden within a scale number 0 or at least min_group, so that no
 * subtraction of shown figures from a scale total reveals a smaller group:
 * while 0 < hidden < min_group, the smallest shown group is hidden too (ties:
 * lowest manager index, which is the byte order of manager_id).  A scale
 * with fewer than min_group scored respondents in all is suppressed as a
 * whole, scale-level figures included.
 *
 * Managers with n = 0 are suppressed (they have no figure to show) but hide
 * nobody.
 *
 * Across levels (units.csv, and changes.csv's current means beside
 * managers.csv), privacy_levels() grows the decision until every part of a
 * scale that a subtraction of shown figures can isolate holds 0 or at least
 * min_group respondents; see privacy_levels_t.
 */
#ifndef ENGAGE_PRIVACY_H
#define ENGAGE_PRIVACY_H

#include <stdbool.h>
#include <stddef.h>

#include "../analysis/analysis.h"
#include "../analysis/changes.h"
#include "../analysis/units.h"
#include "../core/config.h"
#include "../core/error.h"

typedef enum {
    PRIVACY_SHOWN = 0,
    PRIVACY_PRIMARY = 1,    /* n < min_group (n = 0 included) */
    PRIVACY_SECONDARY = 2   /* hidden so that the hidden total reaches min_group */
} privacy_reason_t;

typedef struct {
    size_t respondents;     /* Σ n */
    size_t hidden;          /* respondents in suppressed groups: 0 or >= min_group,
                               unless the whole scale is suppressed */
    size_t n_shown;
    size_t n_primary;       /* managers suppressed for n < min_group ... */
    size_t n_empty;         /* ... of which with n = 0 */
    size_t n_secondary;
    bool scale_suppressed;  /* respondents < min_group: scale-level figures hidden */
} privacy_summary_t;

/* The settings' default min_group, for a view built without a config. */
enum { PRIVACY_DEFAULT_MIN_GROUP = 5 };

/* The smallest group shown: min_group, below 1 treated as 1.  Every rule
 * here and in the view compares counts with it. */
size_t privacy_smallest_group(long min_group);

/* The run's min_group: the config's, or the default without one.  The view
 * reads it here, once. */
long privacy_min_group(const config_t *cfg);

/* Why a group of n that a rule did not show is hidden: PRIMARY when n is
 * below the smallest group shown, else SECONDARY. */
privacy_reason_t privacy_hidden_reason(size_t n, long min_group);

/* An earlier wave's units of scale s, given that wave's managers' decision
 * (managers[j], a privacy_reason_t per manager), into reason[u]: a unit is
 * shown when it holds at least min_group and the part of it no shown
 * manager covers holds 0 or at least min_group; then, while the people of
 * hidden units that no shown manager covers (what the company minus the
 * shown units and managers isolates) number 1 to min_group - 1, the shown
 * unit with the smallest such part above 0 (ties: unit order) is hidden
 * too.  Hiding a unit adds its part to that remainder, so this ends with it
 * 0 or at least min_group.  false when out of memory. */
bool privacy_wave_units(const units_t *u, const analysis_scale_t *sc, size_t s, const unsigned char *managers,
                        long min_group, unsigned char *reason);

/* Decide suppression for one scale.  n[j] is the scored respondents of
 * manager j (manager index order); reason[j] receives a privacy_reason_t.
 * min_group below 1 is treated as 1.  O(J log J) time, O(J) memory.
 * Fails only with ENGAGE_ENOMEM. */
engage_status_t privacy_suppress(const size_t *n, size_t count, long min_group,
                                 unsigned char *reason, privacy_summary_t *summary,
                                 engage_error_t *err);

/* The decision for every scale of a results_t. */
typedef struct {
    unsigned char *reason;  /* per manager, privacy_reason_t */
    privacy_summary_t summary;
    unsigned char *unit_reason;     /* per unit (units_t order), privacy_reason_t; NULL
                                       without units */
    privacy_summary_t unit_summary; /* the same counts over units */
} privacy_scale_t;

/* Changes since the previous wave (changes.csv), per scale: a row is
 * suppressed when its manager has fewer than min_group scored respondents in
 * either wave (absent from a wave: 0); then the secondary rule holds in each
 * wave separately: the respondents of that wave in suppressed rows number 0
 * or at least min_group, the next-smallest shown row by that wave's n (ties:
 * manager_id order) being suppressed while they do not. */
typedef struct {
    size_t n_shown, n_primary, n_secondary;
    size_t hidden_previous, hidden;  /* respondents of each wave in suppressed rows */
    bool scale_suppressed;  /* either wave has fewer than min_group scored respondents:
                               the scale-level change is hidden */
} privacy_change_summary_t;

typedef struct {
    unsigned char *reason;  /* per change row, privacy_reason_t */
    double *q;              /* Benjamini-Hochberg over the shown rows; NAN elsewhere */
    privacy_change_summary_t summary;
} privacy_change_scale_t;

typedef struct {
    size_t n_scales;
    privacy_scale_t *scales;
    size_t n_change_scales;           /* 0 without a previous wave */
    privacy_change_scale_t *changes;
} privacy_t;

/* Decide suppression for the change rows of one scale: n_previous[i] and
 * n[i] are row i's scored respondents in each wave (rows in manager_id
 * order).  A row whose manager the previous wave's own managers.csv hides
 * (privacy_suppress over n_previous) starts hidden, so that this run's
 * mean_previous cannot be set against that report's published figures.
 * Fails only with ENGAGE_ENOMEM. */
engage_status_t privacy_suppress_changes(const size_t *n_previous, const size_t *n, size_t count,
                                         long min_group, unsigned char *reason,
                                         privacy_change_summary_t *summary, engage_error_t *err);

/* Decide suppression and the q-values of every scale's change rows, into
 * privacy.  Fails only with ENGAGE_ENOMEM. */
engage_status_t privacy_add_changes(privacy_t *privacy, const changes_t *changes, long min_group,
                                    engage_error_t *err);

/* True when figures of change row i of scale s must not appear anywhere. */
bool privacy_change_hidden(const privacy_t *privacy, size_t s, size_t i);

/* One scale's decision across levels.  A respondent's figures can be
 * isolated by subtraction down to these parts: each shown unit minus its
 * published managers, and the company total minus its shown units and the
 * published managers of hidden units (without units: the company total
 * minus every published manager).  A manager is published when shown in
 * managers.csv or, with a previous wave, when its change row (which shows
 * its current mean) is shown.  Every part must hold 0 or at least min_group
 * respondents; a shown manager, unit or change row always holds that many.
 *
 * The rules, applied in rounds until none changes anything (suppression
 * only grows, so this ends):
 *   (a) a unit with fewer than min_group respondents is suppressed, and
 *       the secondary rule of privacy_suppress() holds among the units;
 *   (c) with a previous wave, the rule of privacy_suppress_changes() holds
 *       again over the change rows;
 *   (b) within a shown unit (and within the company total for the parts
 *       above), while the unpublished respondents number 1 to min_group-1,
 *       the next-smallest manager (n, then manager index) shown in
 *       managers.csv whose change row is hidden (every shown one without a
 *       previous wave) is suppressed in managers.csv;
 *   (d) when there is none: a shown unit is suppressed itself (its managers
 *       then join the company part); in the company part the next-smallest
 *       published manager is hidden everywhere (managers.csv and its change
 *       row).
 * Without a previous wave (d) never applies (hiding every manager of a
 * shown unit leaves its own n, at least min_group; the company part is then
 * the hidden units' n, 0 or at least min_group by (a)), so the first round
 * settles it.  changes.csv's decision is left as privacy_suppress_changes()
 * made it unless (d) hides a row. */
typedef struct {
    size_t n_managers;
    const size_t *n;             /* [manager] scored respondents */
    unsigned char *reason;       /* [manager] in: privacy_suppress()'s decision; out: grown */
    size_t n_units;              /* 0: no units */
    const size_t *unit_of;       /* [manager] its unit, with units */
    unsigned char *unit_reason;  /* [unit] out, with units */
    size_t n_rows;               /* change rows; 0 without a previous wave */
    const size_t *row_n_previous, *row_n;  /* [row] each wave's scored respondents */
    unsigned char *row_reason;   /* [row] in: privacy_suppress_changes()'s decision; out: grown */
    const size_t *row_of;        /* [manager] its change row, with a previous wave */
} privacy_levels_t;

/* Decide the units and grow every decision of lv until the rules above
 * hold.  *rounds (may be NULL) receives the rounds taken, the last of which
 * changed nothing.  min_group below 1 is treated as 1.  Fails only with
 * ENGAGE_ENOMEM. */
engage_status_t privacy_levels(privacy_levels_t *lv, long min_group, size_t *rounds,
                               engage_error_t *err);

/* privacy_levels() for every scale: units (NULL without units) and the
 * change rows already in privacy (privacy_add_changes(), when changes is
 * not NULL); then the summaries and q-values are worked out again over the
 * final decision.  Does nothing when both are NULL, so managers.csv is then
 * exactly privacy_new()'s.  Fails only with ENGAGE_ENOMEM. */
engage_status_t privacy_add_levels(privacy_t *privacy, const dataset_t *ds, const results_t *results,
                                   const units_t *units, const changes_t *changes, long min_group,
                                   engage_error_t *err);

/* Scale s's summaries (with cs, its change rows' summary and q-values;
 * with units, its units') worked out again after a later rule (the tree's, report/view.c)
 * hid more managers, change rows or units.  Fails only with ENGAGE_ENOMEM. */
engage_status_t privacy_recount(privacy_t *privacy, size_t s, const analysis_scale_t *sc,
                                const changes_scale_t *cs, const units_t *units, long min_group,
                                engage_error_t *err);

/* True when figures of unit u of scale s must not appear anywhere. */
bool privacy_unit_hidden(const privacy_t *privacy, size_t s, size_t u);

/* Apply privacy_suppress() to every scale of results.  *out is freed with
 * privacy_free().  Fails only with ENGAGE_ENOMEM. */
engage_status_t privacy_new(const results_t *results, long min_group, privacy_t **out,
                            engage_error_t *err);

void privacy_free(privacy_t *privacy);

/* True when figures of manager m of scale s must not appear anywhere. */
bool privacy_hidden(const privacy_t *privacy, size_t s, size_t m);

/* --- across the reporting tree ------------------------------------------
 *
 * The groups of a tree of leaders: node v's team (the respondents whose
 * manager is v: managers.csv's row) and its org (every respondent at any
 * depth below v: its team and its children's orgs; leaders.csv's row).  A
 * root (parent SIZE_MAX) is the company: its team is whoever has no
 * manager, its org everyone.  Shown groups nest (each lies inside or apart
 * from another), so what any sums and differences of shown figures
 * isolate are unions of cells: a shown group minus the largest shown
 * groups strictly inside it (groups of the same people are one figure) (for an org: its shown team and, for each child, the
 * child's org when shown, else what is shown inside the child, and so on
 * down).  The rule: every cell holds 0 or at least min_group respondents.
 * That covers every subtraction of a leader's org minus any shown
 * combination of its child orgs and its own team, at every depth, and the
 * company minus its shown leaders and teams; and since a cell's figures
 * are all an attacker learns, none of 1 to min_group-1 people is revealed.
 * Hiding a group merges its cell into the one around it, so hiding more
 * never breaks the rule, here or in the rules above.
 *
 * privacy_tree() hides a team below min_group respondents and an org below
 * min_group (primary), keeps the teams and orgs passed in hidden, then the fewest more teams and orgs (secondary)
 * that make every cell 0 or at least min_group, and among those the ones
 * holding the fewest respondents: exactly, by dynamic programming over the
 * tree (per node, the least cost below it for each size 0..min_group-1,
 * or more, of what it leaves uncovered to its parent).  A root's org is
 * never hidden as secondary (the company's figures are published whenever
 * it has min_group respondents); a root below min_group hides everything
 * under it by the primary rule.  Remaining ties are broken in a fixed
 * order: from the roots down, each node's children last to first, a child
 * leaves the least it can uncovered (its org shown when that is 0), and a
 * shown org's cell is 0 rather than min_group or more when both cost the
 * same; so the same counts always give the same decision.  Iterative
 * (breadth-first order; no recursion, any depth); O(nodes · min_group²)
 * time at worst, O(nodes · min_group) memory.
 */
typedef struct {
    size_t n_nodes;
    const size_t *parent;        /* [node] its parent; SIZE_MAX for a root */
    const size_t *team_n;        /* [node] respondents in its own team */
    unsigned char *team_reason;  /* [node] in: PRIVACY_SHOWN, or hidden already (kept);
                                    out: + PRIMARY below min_group, + SECONDARY */
    unsigned char *org_reason;   /* [node] out */
    const unsigned char *org_hidden; /* [node] in (may be NULL): orgs hidden already, their
                                        reasons kept as the teams' are */
    size_t *org_n;               /* [node] out: respondents in its org (may be NULL) */
    bool teams_fixed;            /* no team is hidden beyond those passed in: only orgs */
    size_t published_orgs;       /* nodes 1 .. published_orgs - 1 have their org published
                                    (leaders' rows): such an org of its own team alone is that
                                    team's figure, hidden (secondary) whenever the team is */
} privacy_tree_t;

/* Decide the tree's teams and orgs by the rule above; *added (may be NULL)
 * receives the groups hidden as secondary.  With teams_fixed the teams are
 * kept as passed in (each shown one at least min_group) and only orgs are
 * hidden: always possible when the hidden teams hold 0 or at least
 * min_group respondents in all (every org but the roots hidden leaves the
 * roots' cells those), ENGAGE_EDATA otherwise.  ENGAGE_EDATA when parent
 * does not make a forest (a loop, or a parent out of range); ENGAGE_ENOMEM.
 * min_group below 1 is treated as 1. */
engage_status_t privacy_tree(privacy_tree_t *tree, long min_group, size_t *added,
                             engage_error_t *err);

/* --- units across the tree ------------------------------------------------
 *
 * Units need not follow the tree (a roster's unit column may put teams of
 * one org in several units, and "(no unit)" gathers teams from many orgs),
 * and the tree's rule hides teams the unit rule never saw.  With both
 * published, what sums and differences isolate are finer cells: the hidden
 * teams grouped by their deepest shown org and by their unit when it is
 * shown (a combination of shown figures is the same on every team of such
 * a cell).  The rule: every one holds 0 or at least min_group respondents.
 * While one does not, its unit is hidden (secondary), or, for a cell of no
 * shown unit, every shown unit with hidden teams in the same org; hiding a
 * unit only merges cells, and with every unit hidden the cells are the
 * tree's, which privacy_tree() made 0 or at least min_group, so this ends.
 * Rounds each hide every unit found at once; O(teams log teams) a round. */
typedef struct {
    size_t n_teams;
    const size_t *n;             /* [team] respondents */
    const bool *hidden;          /* [team] its figures published nowhere */
    const size_t *org_cell;      /* [team] its deepest shown org (any number; SIZE_MAX: none) */
    const size_t *unit_of;       /* [team] its unit */
    size_t n_units;
    unsigned char *unit_reason;  /* [unit] in: the unit rule's decision; out: grown */
} privacy_cells_t;

/* Grow unit_reason until the rule above holds; *added (may be NULL)
 * receives the units hidden.  min_group below 1 is treated as 1.  Fails
 * only with ENGAGE_ENOMEM. */
engage_status_t privacy_split_cells(privacy_cells_t *cells, long min_group, size_t *added,
                                    engage_error_t *err);

/* privacy_split_cells() over a tree decided by privacy_tree(): its nodes
 * (rows of them leaders' rows, whose org_reason counts; a node's parent
 * before it), each node's team size node_team_n and team_reason, and the
 * tree node of each of the M managers whose units units gives.  unit_reason
 * as in privacy_cells_t.  Fails only with ENGAGE_ENOMEM. */
engage_status_t privacy_tree_units(const units_t *units, size_t M, const size_t *node_team_n,
                                   unsigned char *unit_reason, size_t rows, size_t nodes, const size_t *parent,
                                   const unsigned char *org_reason, const unsigned char *team_reason,
                                   const size_t *node_of_manager, long smallest_shown, engage_error_t *err);

#endif
