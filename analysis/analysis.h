/*
 * analysis/analysis.h — the statistics stage: dataset in, results out.
 *
 * Pure: no I/O, no printing, no exit.  Every figure that is undefined for
 * the data at hand (sd of one answer, F of one group, ...) is NAN here; the
 * report turns NAN into an empty cell.  Definitions follow README.md
 * ("Definitions"); sums are two-pass.
 *
 * results_t and everything in it is owned by the results and freed by
 * results_free().  Manager and scale names are not copied: they point into
 * the dataset, which must outlive the results.
 */
#ifndef ENGAGE_ANALYSIS_H
#define ENGAGE_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/dataset.h"
#include "../core/error.h"

/* Funnel-plot limits (Spiegelhalter 2005) for a team of n: grand mean ±
 * z · sqrt(ms_within / n), two-sided 95% and 99.8%.  The pooled within-team
 * variance MS_within is the noise a team mean carries when the team differs
 * from the rest by chance alone; it does not depend on a model fit. */
#define ANALYSIS_Z95 1.959963984540054
#define ANALYSIS_Z998 3.090232306167813

/* Where a manager's mean lies against the 99.8% funnel limits. */
typedef enum {
    ANALYSIS_WITHIN = 0,
    ANALYSIS_ABOVE = 1,
    ANALYSIS_BELOW = -1
} analysis_stands_out_t;

/* Per scale × manager.  rwg: James, Demaree & Wolf's agreement with the
 * uniform null variance (A² - 1)/12, A = max - min + 1; for several items
 * rwg(j) over the manager's scored respondents who answered every item (the
 * listwise deletion of multilevel::rwg.j), a mean item variance above the
 * null counting as the null (rwg 0), as multilevel truncates. */
typedef struct {
    size_t manager;        /* dataset manager index (byte order of ids) */
    size_t n;              /* respondents scored on the scale */
    double mean, sd, se, ci_low, ci_high, median;
    double favourable_pct; /* 100 × favourable answers / answered items, over scored respondents */
    double neutral_pct;    /* ... answers between unfavourable and favourable; NAN on a
                              scale with no middle (see analysis_shares) */
    double unfavourable_pct; /* ... answers at or below unfavourable */
    double rwg;            /* rwg (one item) or rwg(j) over the respondents who answered
                              every item; NAN for fewer than two such respondents */
    double ss;             /* Σ (score - mean)² over the team (0 for one respondent; NAN
                              for none): with n and mean, all a decomposition needs */
} analysis_manager_t;

/* A team's funnel limits and where its mean lies against the 99.8% ones. */
typedef struct {
    double low95, high95, low998, high998;
    analysis_stands_out_t stands_out;
} analysis_funnel_t;

/* Per scale × item, over the scale's scored respondents who answered it,
 * after reverse coding. */
typedef struct {
    size_t column;         /* dataset column index */
    size_t n;              /* answers */
    double mean, sd;
    double favourable_pct;
    double item_rest_r;    /* corrected item-total correlation (psych::alpha r.drop, on
                              pairwise covariances); NAN for one item and for an item
                              without variance, which psych leaves out */
} analysis_item_t;

/* Per scale: the one-way ANOVA decomposition over a set of managers
 * (analysis_decompose; in results_t, every manager with n >= 1), and
 * Cronbach's alpha over every scored respondent. */
typedef struct {
    size_t respondents;    /* N: scored respondents */
    size_t managers;       /* J: managers with at least one scored respondent */
    double grand_mean;
    double ss_between, ss_within;
    double df_between, df_within;
    double ms_between, ms_within;
    double f, p_value;
    double k0;
    double icc1, icc1_ci_low, icc1_ci_high;  /* ICC(1) and its 95% THD interval
                                                (ICC::ICCest with k0) */
    double icc2;
    double eta_squared;
    double var_between_reml, var_within_reml, icc_reml;  /* REML optimum (reml.h) */
    double alpha;          /* Cronbach's alpha, pairwise-complete covariances */
} analysis_variance_t;

/* Plain-language notes on degenerate data, for report.txt. */
enum {
    ANALYSIS_NOTE_NO_SCORES = 1u << 0,       /* nobody scored on the scale */
    ANALYSIS_NOTE_ONE_MANAGER = 1u << 1,     /* J < 2: no between-manager comparison */
    ANALYSIS_NOTE_ALL_SINGLETONS = 1u << 2,  /* N == J: no within-team variance */
    ANALYSIS_NOTE_ZERO_VARIANCE = 1u << 3,   /* every score identical */
    ANALYSIS_NOTE_ONE_ITEM = 1u << 4,        /* alpha undefined for one item */
    ANALYSIS_NOTE_TOO_MANY_ITEMS = 1u << 5   /* alpha and item figures skipped */
};

/* Alpha keeps O(items²) pairwise sums: scales longer than this get no alpha,
 * item mean, sd or item-rest r (a survey scale has a handful of items; a
 * header of thousands of columns must not exhaust memory). */
enum {
    ANALYSIS_MAX_ALPHA_ITEMS = 500
};

typedef struct {
    const dataset_scale_t *scale;      /* points into the dataset */
    size_t n_managers;                 /* every manager of the dataset, n may be 0 */
    analysis_manager_t *managers;      /* in manager index order */
    analysis_variance_t variance;      /* over every team: what a published view must
                                          not show when a team is hidden (report/view.h) */
    size_t n_items;                    /* the scale's items, in config order */
    analysis_item_t *items;
    unsigned notes;                    /* ANALYSIS_NOTE_* */
} analysis_scale_t;

typedef struct {
    size_t n_scales;
    analysis_scale_t *scales;          /* in dataset scale order */
} results_t;

/* Compute every figure for every scale.  Fails only on ENGAGE_ENOMEM. */
engage_status_t analysis_run(const dataset_t *ds, results_t **out, engage_error_t *err);

void results_free(results_t *results);

/* The variance decomposition over the managers m < count with n >= 1 and
 * include[m] (every one when include is NULL), from their n, mean and ss:
 * every figure of analysis_variance_t but alpha, which is left as *v had
 * it; respondents and managers count the managers taken.  Pure; fails only
 * with ENGAGE_ENOMEM. */
engage_status_t analysis_decompose(const analysis_manager_t *managers, size_t count,
                                   const bool *include, analysis_variance_t *v);

/* Only the within-teams part of the same, from the teams' n and ss as
 * arrays [m]: respondents, managers, ss_within, df_within and ms_within
 * exactly as analysis_decompose gives them (all a funnel's within sd
 * needs); every other figure NAN. */
void analysis_within_teams(const size_t *n, const double *ss, size_t count, const bool *include,
                           analysis_variance_t *v);

/* t(0.975, df), the 95% interval's quantile (NAN for df 0), cached by df
 * in tq (tq_size entries, each NAN until needed: analysis_t975_cache) since
 * group sizes repeat; df beyond the cache is worked out each time. */
double analysis_t975(double *tq, size_t tq_size, size_t df);
/* A cache of size entries for analysis_t975, every one NAN; NULL when out
 * of memory.  Freed with free(). */
double *analysis_t975_cache(size_t size);

/* The funnel limits of a team of n with this mean around v's grand mean,
 * from its MS_within: NAN limits (and ANALYSIS_WITHIN) when either is
 * undefined or n is 0. */
analysis_funnel_t analysis_funnel(const analysis_variance_t *v, size_t n, double mean);

/* The notes that describe a decomposition itself: ANALYSIS_NOTE_ONE_MANAGER
 * and ANALYSIS_NOTE_ALL_SINGLETONS, from its counts. */
unsigned analysis_variance_notes(const analysis_variance_t *v);

/* Building blocks shared with the roll-ups (units.c). */

/* Mean and sum of squared deviations (*ss) of n >= 1 sorted values, two
 * pass (the mean corrected by the mean residual, as R's mean() does);
 * values that are all equal give exactly that value and 0. */
double analysis_mean_ss(const double *sorted, size_t n, double *ss);

/* rwg(j) of James, Demaree & Wolf for j items whose variances average s
 * against the null variance `null`, truncated to 0..1 as multilevel does;
 * NAN when s is NAN or the ratio is undefined. */
double analysis_rwg(double s, double null, double j);

/* The three shares of a group's answered items (after reverse coding):
 * favourable (>= scale->favourable), unfavourable (<= scale->unfavourable)
 * and neutral (between), in percent, adding to 100.  neutral_pct is NAN on
 * a scale with no middle — no whole number strictly between the two
 * thresholds and no answer there; all three are NAN without answers.  The
 * one rule for every level: managers, units, leaders, the company. */
void analysis_shares(const dataset_scale_t *scale, size_t answered, size_t favourable, size_t unfavourable,
                     double *favourable_pct, double *neutral_pct, double *unfavourable_pct);

#endif
