/*
 * analysis/reml.h — REML variance components of the one-way random-effects
 * model y_ij = mu + u_j + e_ij, u_j ~ N(0, var_between), e_ij ~ N(0,
 * var_within): the exact optimum that lme4::lmer(y ~ 1 + (1 | team),
 * REML = TRUE) approaches (internal to analysis/, public for its tests).
 *
 * Pure and cheap: the restricted likelihood depends on the data only
 * through the team sizes, team means and the within-team sum of squares,
 * and teams of one size are pooled, so each step of the root finder costs
 * O(distinct team sizes), whatever the number of teams.
 */
#ifndef ENGAGE_REML_H
#define ENGAGE_REML_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/error.h"

typedef struct {
    double var_between;   /* REML sigma²_b; 0 on the boundary */
    double var_within;    /* REML sigma²_e */
    double icc;           /* var_between / (var_between + var_within) */
    double gamma;         /* var_between / var_within at the optimum */
    bool boundary;        /* the optimum is var_between = 0 */
    unsigned evaluations; /* of the derivative, for the tests */
} reml_fit_t;

/* Fit the model to teams j < count with n[j] respondents (teams with
 * n[j] = 0 are skipped) whose scores have mean mean[j], and ss_within =
 * Σ_j Σ_i (y_ij - mean_j)².  Undefined figures are NAN:
 *   - fewer than two teams or two respondents: all three NAN;
 *   - every score equal (ss_within = 0, equal team means): var_between =
 *     var_within = 0, icc NAN;
 *   - no variance within teams but some between them (every team of one,
 *     or teams that answer as one): all three NAN — the within variance is
 *     not identified, or the likelihood grows without bound as it goes to 0.
 * Fails only with ENGAGE_ENOMEM (out is then all NAN). */
engage_status_t reml_oneway(const size_t *n, const double *mean, size_t count, double ss_within,
                            reml_fit_t *out);

#endif
