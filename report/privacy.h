/*
 * report/privacy.h — which figures may be published (CONTRACT.md, Privacy).
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
 */
#ifndef ENGAGE_PRIVACY_H
#define ENGAGE_PRIVACY_H

#include <stdbool.h>
#include <stddef.h>

#include "../analysis/analysis.h"
#include "../analysis/changes.h"
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
 * order).  Fails only with ENGAGE_ENOMEM. */
engage_status_t privacy_suppress_changes(const size_t *n_previous, const size_t *n, size_t count,
                                         long min_group, unsigned char *reason,
                                         privacy_change_summary_t *summary, engage_error_t *err);

/* Decide suppression and the q-values of every scale's change rows, into
 * privacy.  Fails only with ENGAGE_ENOMEM. */
engage_status_t privacy_add_changes(privacy_t *privacy, const changes_t *changes, long min_group,
                                    engage_error_t *err);

/* True when figures of change row i of scale s must not appear anywhere. */
bool privacy_change_hidden(const privacy_t *privacy, size_t s, size_t i);

/* Apply privacy_suppress() to every scale of results.  *out is freed with
 * privacy_free().  Fails only with ENGAGE_ENOMEM. */
engage_status_t privacy_new(const results_t *results, long min_group, privacy_t **out,
                            engage_error_t *err);

void privacy_free(privacy_t *privacy);

/* True when figures of manager m of scale s must not appear anywhere. */
bool privacy_hidden(const privacy_t *privacy, size_t s, size_t m);

#endif
