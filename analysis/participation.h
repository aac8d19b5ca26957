/*
 * analysis/participation.h — who was invited and who responded, per team
 * and per unit, from the roster's reporting tree (core/org.h).
 *
 * A manager's team is their direct reports in the tree.  invited counts
 * the team's invited people; responded those of them with an accepted
 * survey row (a response from someone not invited is analysed but does
 * not count here, so responded <= invited).  A unit's counts are the sums
 * over its managers (units.h: the managers of the dataset, i.e. the teams
 * with an accepted row) and, for invited, over its silent teams (the tree's
 * teams with none: dataset_add_silent_team); the company's are leaders.h's
 * row 0.  The same counts serve every scale.  Pure: dataset (and
 * units) in, participation_t out.
 *
 * participation_t owns its arrays (participation_free).
 */
#ifndef ENGAGE_PARTICIPATION_H
#define ENGAGE_PARTICIPATION_H

#include <stddef.h>

#include "../core/dataset.h"
#include "../core/error.h"
#include "units.h"

typedef struct {
    size_t invited, responded;
} participation_count_t;

typedef struct {
    size_t n_managers;
    participation_count_t *managers;  /* [dataset manager] */
    size_t n_units;
    participation_count_t *units;     /* [unit] in units_t order; NULL without units */
} participation_t;

/* The counts of every manager of ds and, with units (NULL: none), of every
 * unit.  *out is NULL when the dataset has no reporting tree, or when some
 * accepted response was not matched to it (org_responses_complete: an
 * archive's rows), so that who responded is not known.  Fails only with
 * ENGAGE_ENOMEM. */
engage_status_t participation_run(const dataset_t *ds, const units_t *units, participation_t **out,
                                  engage_error_t *err);

/* 100 × responded / invited: percent, as favourable_pct; NAN for none
 * invited. */
double participation_rate(const participation_count_t *count);

/* Frees p and its arrays; NULL is fine. */
void participation_free(participation_t *p);

#endif
