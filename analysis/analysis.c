/*
 * analysis/analysis.c — every figure of results_t: scale scores, per-manager
 * summaries, the one-way ANOVA decomposition over managers and Cronbach's
 * alpha (CONTRACT.md, "Definitions").
 *
 * Owns: the results it returns (freed by results_free) and a workspace that
 * lives for one analysis_run call.  Assumes a finished dataset (managers
 * renumbered in byte order) that outlives the results.
 *
 * How, per scale, in O(respondents × items) plus one small sort per manager:
 *   1. one pass over respondents reads each cell once: the respondent's score
 *      (NAN when not scored), the manager's favourable / answered counts, and
 *      the first pass of alpha (sums for the pairwise-complete means);
 *   2. a counting sort groups the scores by manager; each group is sorted for
 *      its median, and its mean and sum of squared deviations are two-pass;
 *   3. the ANOVA is built from the group figures: SS_between from the group
 *      means, SS_within from each group's own deviations (never
 *      sum y² - (sum y)²/n);
 *   4. a second pass over the scored respondents gives alpha's co-moments,
 *      deviations taken from the pairwise-complete means (see analysis_alpha).
 *
 * Undefined figures are NAN, and only on purpose: a figure whose denominator
 * is zero (a mean square with zero degrees of freedom, F with MS_within = 0,
 * an ICC with MS_between = 0, eta² with SS_total = 0, ...) is NAN, while sums
 * of squares and degrees of freedom are reported whenever there is a scored
 * respondent (SS_between = 0 and df_between = 0 for one manager).  Every
 * output passes through analysis_finite(), so no inf ever leaves this file.
 * Groups or samples whose values are all equal get their mean set to that
 * value exactly, so that "no variance" gives exact zeros, not rounding noise.
 */
#include "analysis.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

/* Buffers reused from one scale to the next.  Per-respondent and
 * per-manager arrays are sized once; per-item ones grow with the scale. */
typedef struct {
    size_t n_respondents, n_managers;
    double *score;        /* [respondent] scale score, NAN when not scored */
    double *grouped;      /* scores grouped by manager (counting sort) */
    size_t *count;        /* [manager] scored respondents */
    size_t *end;          /* [manager] one past its slice of grouped */
    size_t *fav, *ans;    /* [manager] favourable / answered item values */
    double *tq;           /* t(0.975, df) by df, NAN until computed */
    size_t tq_size;
    /* alpha, for k items: vectors of k and k × k matrices (row-major) */
    size_t k_cap;
    double *x;            /* current respondent's values after reverse coding */
    size_t *idx;          /* its answered items */
    size_t n_complete;    /* scored respondents answering every item */
    double *sum_c;        /* [i] sum of x_i over complete respondents */
    double *mean_c;       /* [i] their mean */
    double *dev_c;        /* [i] sum of x_i - mean_c[i] over complete respondents */
    double *q;            /* [i,j] sum of (x_i - mean_c[i])(x_j - mean_c[j]), complete */
    size_t *n_p;          /* [i,j] incomplete respondents answering i and j */
    double *s_p;          /* [i,j] sum of x_i over them */
    double *mean_p;       /* [i,j] mean of x_i over everyone answering i and j */
    double *p;            /* [i,j] co-moment about mean_p over the incomplete ones */
    /* whole-scale extremes of the scores, for the "all identical" case */
    double score_min, score_max;
} analysis_work_t;

/* A figure that came out infinite or NaN is undefined: NAN. */
static double analysis_finite(double v)
{
    return isfinite(v) ? v : NAN;
}

/* a / b, NAN when b is zero or either is undefined. */
static double analysis_ratio(double a, double b)
{
    if (isnan(a) || isnan(b) || b == 0.0)
        return NAN;
    return analysis_finite(a / b);
}

static void analysis_work_fini(analysis_work_t *w)
{
    free(w->score);
    free(w->grouped);
    free(w->count);
    free(w->end);
    free(w->fav);
    free(w->ans);
    free(w->tq);
    free(w->x);
    free(w->idx);
    free(w->sum_c);
    free(w->mean_c);
    free(w->dev_c);
    free(w->q);
    free(w->n_p);
    free(w->s_p);
    free(w->mean_p);
    free(w->p);
    memset(w, 0, sizeof *w);
}

/* calloc that never returns NULL for a zero count and refuses overflow. */
static void *analysis_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return calloc(n ? n : 1, size);
}

static engage_status_t analysis_work_init(analysis_work_t *w, const dataset_t *ds)
{
    memset(w, 0, sizeof *w);
    w->n_respondents = dataset_n_respondents(ds);
    w->n_managers = dataset_n_managers(ds);
    w->score = analysis_calloc(w->n_respondents, sizeof *w->score);
    w->grouped = analysis_calloc(w->n_respondents, sizeof *w->grouped);
    w->count = analysis_calloc(w->n_managers, sizeof *w->count);
    w->end = analysis_calloc(w->n_managers, sizeof *w->end);
    w->fav = analysis_calloc(w->n_managers, sizeof *w->fav);
    w->ans = analysis_calloc(w->n_managers, sizeof *w->ans);
    if (!w->score || !w->grouped || !w->count || !w->end || !w->fav || !w->ans)
        return ENGAGE_ENOMEM;
    return ENGAGE_OK;
}

/* Make room for alpha's accumulators of a k-item scale and zero them. */
static engage_status_t analysis_work_items(analysis_work_t *w, size_t k)
{
    if (k > w->k_cap) {
        if (k > SIZE_MAX / k)
            return ENGAGE_ENOMEM;
        size_t kk = k * k;
        double *x = analysis_calloc(k, sizeof *x), *sum_c = analysis_calloc(k, sizeof *sum_c),
               *mean_c = analysis_calloc(k, sizeof *mean_c),
               *dev_c = analysis_calloc(k, sizeof *dev_c), *q = analysis_calloc(kk, sizeof *q),
               *s_p = analysis_calloc(kk, sizeof *s_p), *mean_p = analysis_calloc(kk, sizeof *mean_p),
               *p = analysis_calloc(kk, sizeof *p);
        size_t *idx = analysis_calloc(k, sizeof *idx), *n_p = analysis_calloc(kk, sizeof *n_p);
        free(w->x);
        free(w->sum_c);
        free(w->mean_c);
        free(w->dev_c);
        free(w->q);
        free(w->s_p);
        free(w->mean_p);
        free(w->p);
        free(w->idx);
        free(w->n_p);
        w->x = x;
        w->sum_c = sum_c;
        w->mean_c = mean_c;
        w->dev_c = dev_c;
        w->q = q;
        w->s_p = s_p;
        w->mean_p = mean_p;
        w->p = p;
        w->idx = idx;
        w->n_p = n_p;
        w->k_cap = 0;
        if (!x || !sum_c || !mean_c || !dev_c || !q || !s_p || !mean_p || !p || !idx || !n_p)
            return ENGAGE_ENOMEM;
        w->k_cap = k;
    }
    size_t kk = k * k;
    if (k) {
        memset(w->sum_c, 0, k * sizeof *w->sum_c);
        memset(w->dev_c, 0, k * sizeof *w->dev_c);
        memset(w->q, 0, kk * sizeof *w->q);
        memset(w->n_p, 0, kk * sizeof *w->n_p);
        memset(w->s_p, 0, kk * sizeof *w->s_p);
        memset(w->p, 0, kk * sizeof *w->p);
    }
    w->n_complete = 0;
    return ENGAGE_OK;
}

/* The respondent's item values after reverse coding into x (NAN when not
 * answered); returns how many are answered and their sum in *sum. */
static size_t analysis_read_items(const dataset_t *ds, const dataset_scale_t *sc, size_t r,
                                  double *x, double *sum)
{
    size_t answered = 0;
    double s = 0.0;
    for (size_t i = 0; i < sc->n_items; i++) {
        double v = dataset_value(ds, r, sc->items[i]);
        if (isnan(v)) {
            x[i] = NAN;
            continue;
        }
        if (sc->reverse[i])
            v = sc->min + sc->max - v;
        x[i] = v;
        s += v;
        answered++;
    }
    *sum = s;
    return answered;
}

/* Step 1: scores, favourable counts, alpha's first pass.  Returns the
 * number of scored respondents. */
static size_t analysis_score_pass(const dataset_t *ds, const dataset_scale_t *sc,
                                  analysis_work_t *w)
{
    size_t k = sc->n_items, scored = 0;
    double *x = w->x;
    memset(w->count, 0, w->n_managers * sizeof *w->count);
    memset(w->fav, 0, w->n_managers * sizeof *w->fav);
    memset(w->ans, 0, w->n_managers * sizeof *w->ans);
    w->score_min = INFINITY;
    w->score_max = -INFINITY;

    for (size_t r = 0; r < w->n_respondents; r++) {
        double sum;
        size_t answered = analysis_read_items(ds, sc, r, x, &sum);
        /* the share as a division, so that e.g. 7/10 meets 0.7 exactly */
        if (answered == 0 || (double)answered / (double)k < sc->min_answered) {
            w->score[r] = NAN;
            continue;
        }
        double score = sum / (double)answered;
        w->score[r] = score;
        scored++;
        if (score < w->score_min)
            w->score_min = score;
        if (score > w->score_max)
            w->score_max = score;

        size_t m = dataset_manager_of(ds, r), fav = 0;
        for (size_t i = 0; i < k; i++)
            fav += !isnan(x[i]) && x[i] >= sc->favourable;
        w->count[m]++;
        w->fav[m] += fav;
        w->ans[m] += answered;

        if (k < 2)
            continue;
        if (answered == k) {
            w->n_complete++;
            for (size_t i = 0; i < k; i++)
                w->sum_c[i] += x[i];
        } else {
            size_t a = 0;
            for (size_t i = 0; i < k; i++)
                if (!isnan(x[i]))
                    w->idx[a++] = i;
            for (size_t u = 0; u < a; u++) {
                size_t i = w->idx[u];
                for (size_t v = 0; v < a; v++) {
                    size_t j = w->idx[v];
                    w->n_p[i * k + j]++;
                    w->s_p[i * k + j] += x[i];
                }
            }
        }
    }
    return scored;
}

/*
 * Step 4: Cronbach's alpha as psych::alpha's raw_alpha,
 *   alpha = k/(k-1) · (1 - Σ_i cov_ii / Σ_{i,j} cov_ij),
 * on the pairwise-complete covariance matrix of the scale's items (after
 * reverse coding) over its scored respondents: cov_ij is over the
 * respondents answering both i and j, with their own means of x_i and x_j
 * and an n-1 denominator; cov_ii is the variance over those answering i.
 *
 * Two passes.  The first (in analysis_score_pass) gave each pair's means.
 * This second one sums products of deviations from them.  Respondents who
 * answered every item are in every pair's set, so they are handled once for
 * all pairs: with e_i = x_i - mean_c[i] (mean_c over the complete ones) and
 * d_i = mean_c[i] - mean_p[i,j], their share of pair (i,j)'s co-moment is
 *   Σ (e_i + d_i)(e_j + d_j) = Σ e_i e_j + d_i Σ e_j + d_j Σ e_i + n_c d_i d_j,
 * an identity; the rest go pair by pair.  NAN when k < 2, when some pair has
 * fewer than two respondents, or when the total variance is zero.
 */
static double analysis_alpha(const dataset_t *ds, const dataset_scale_t *sc, analysis_work_t *w)
{
    size_t k = sc->n_items;
    if (k < 2)
        return NAN;
    size_t nc = w->n_complete;
    for (size_t i = 0; i < k; i++)
        w->mean_c[i] = nc ? w->sum_c[i] / (double)nc : 0.0;
    for (size_t i = 0; i < k; i++) {
        for (size_t j = 0; j < k; j++) {
            size_t n = nc + w->n_p[i * k + j];
            if (n < 2)
                return NAN;
            w->mean_p[i * k + j] = (w->sum_c[i] + w->s_p[i * k + j]) / (double)n;
        }
    }

    double *x = w->x, *mean_c = w->mean_c;
    for (size_t r = 0; r < w->n_respondents; r++) {
        if (isnan(w->score[r]))
            continue;
        double sum;
        size_t answered = analysis_read_items(ds, sc, r, x, &sum);
        if (answered == k) {
            for (size_t i = 0; i < k; i++) {
                x[i] -= mean_c[i];
                w->dev_c[i] += x[i];
            }
            for (size_t i = 0; i < k; i++) {
                double xi = x[i], *qi = w->q + i * k;
                for (size_t j = i; j < k; j++)
                    qi[j] += xi * x[j];
            }
        } else {
            size_t a = 0;
            for (size_t i = 0; i < k; i++)
                if (!isnan(x[i]))
                    w->idx[a++] = i;
            for (size_t u = 0; u < a; u++) {
                size_t i = w->idx[u];
                for (size_t v = u; v < a; v++) {
                    size_t j = w->idx[v];
                    w->p[i * k + j] += (x[i] - w->mean_p[i * k + j]) * (x[j] - w->mean_p[j * k + i]);
                }
            }
        }
    }

    double diagonal = 0.0, total = 0.0;
    for (size_t i = 0; i < k; i++) {
        for (size_t j = i; j < k; j++) {
            double d_i = nc ? mean_c[i] - w->mean_p[i * k + j] : 0.0;
            double d_j = nc ? mean_c[j] - w->mean_p[j * k + i] : 0.0;
            double comoment = w->q[i * k + j] + d_i * w->dev_c[j] + d_j * w->dev_c[i] +
                              (double)nc * d_i * d_j + w->p[i * k + j];
            double cov = comoment / (double)(nc + w->n_p[i * k + j] - 1);
            if (i == j) {
                diagonal += cov;
                total += cov;
            } else {
                total += 2.0 * cov;
            }
        }
    }
    double kd = (double)k;
    return analysis_finite(kd / (kd - 1.0) * (1.0 - analysis_ratio(diagonal, total)));
}

/* Mean and sum of squared deviations of sorted data, two-pass: the sum's
 * mean is corrected by the mean of the residuals (as R's mean() does), and
 * data that are all equal get exactly that value and zero. */
static double analysis_mean_ss(const double *sorted, size_t n, double *ss)
{
    if (sorted[0] == sorted[n - 1]) {
        *ss = 0.0;
        return sorted[0];
    }
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += sorted[i];
    double mean = sum / (double)n, resid = 0.0;
    for (size_t i = 0; i < n; i++)
        resid += sorted[i] - mean;
    mean += resid / (double)n;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = sorted[i] - mean;
        s += d * d;
    }
    *ss = s;
    return mean;
}

/* t(0.975, df), cached by df: a team size repeats many times. */
static double analysis_t975(analysis_work_t *w, size_t df)
{
    if (df == 0)
        return NAN;
    if (df < w->tq_size) {
        if (isnan(w->tq[df]))
            w->tq[df] = analysis_finite(gsl_cdf_tdist_Pinv(0.975, (double)df));
        return w->tq[df];
    }
    return analysis_finite(gsl_cdf_tdist_Pinv(0.975, (double)df));
}

/* Step 2's counting sort: each scored respondent's score into its
 * manager's slice of grouped, in respondent order; end[m] is one past the
 * slice.  Also sizes the t-quantile cache for the largest team. */
static engage_status_t analysis_group_scores(const dataset_t *ds, analysis_work_t *w)
{
    size_t pos = 0, max_n = 0;
    for (size_t m = 0; m < w->n_managers; m++) {
        w->end[m] = pos;  /* the slice's start until it is filled */
        pos += w->count[m];
        if (w->count[m] > max_n)
            max_n = w->count[m];
    }
    for (size_t r = 0; r < w->n_respondents; r++)
        if (!isnan(w->score[r]))
            w->grouped[w->end[dataset_manager_of(ds, r)]++] = w->score[r];

    if (max_n > w->tq_size) {
        double *tq = realloc(w->tq, max_n * sizeof *tq);
        if (!tq)
            return ENGAGE_ENOMEM;
        for (size_t i = w->tq_size; i < max_n; i++)
            tq[i] = NAN;
        w->tq = tq;
        w->tq_size = max_n;
    }
    return ENGAGE_OK;
}

/* Fill out->managers and out->variance from the grouped scores. */
static void analysis_summarise(analysis_work_t *w, analysis_scale_t *out, size_t scored)
{
    size_t M = w->n_managers, J = 0;
    double ss_within = 0.0, sum_n2 = 0.0;
    analysis_variance_t *v = &out->variance;

    for (size_t m = 0; m < M; m++) {
        analysis_manager_t *am = &out->managers[m];
        size_t n = w->count[m];
        am->manager = m;
        am->n = n;
        am->mean = am->sd = am->se = am->ci_low = am->ci_high = am->median = NAN;
        am->favourable_pct = NAN;
        if (n == 0)
            continue;
        double *g = w->grouped + (w->end[m] - n);
        gsl_sort(g, 1, n);
        double ss;
        double mean = analysis_mean_ss(g, n, &ss);
        am->mean = analysis_finite(mean);
        am->median = analysis_finite(gsl_stats_median_from_sorted_data(g, 1, n));
        am->favourable_pct = analysis_finite(100.0 * analysis_ratio((double)w->fav[m], (double)w->ans[m]));
        if (n > 1) {
            am->sd = analysis_finite(sqrt(ss / (double)(n - 1)));
            am->se = analysis_finite(am->sd / sqrt((double)n));
            double t = analysis_t975(w, n - 1);
            am->ci_low = analysis_finite(am->mean - t * am->se);
            am->ci_high = analysis_finite(am->mean + t * am->se);
        }
        J++;
        ss_within += ss;
        sum_n2 += (double)n * (double)n;
    }

    double N = (double)scored, Jd = (double)J;
    v->respondents = scored;
    v->managers = J;
    v->grand_mean = v->ss_between = v->ss_within = NAN;
    v->df_between = v->df_within = v->ms_between = v->ms_within = NAN;
    v->f = v->p_value = v->k0 = v->icc1 = v->icc2 = v->eta_squared = NAN;
    if (scored == 0)
        return;

    double grand;
    if (w->score_min == w->score_max) {
        grand = w->score_min;
    } else {
        double sum = 0.0, resid = 0.0;
        for (size_t i = 0; i < scored; i++)
            sum += w->grouped[i];
        grand = sum / N;
        for (size_t i = 0; i < scored; i++)
            resid += w->grouped[i] - grand;
        grand += resid / N;
    }
    double ss_between = 0.0;
    for (size_t m = 0; m < M; m++) {
        if (w->count[m] == 0)
            continue;
        double d = out->managers[m].mean - grand;
        ss_between += (double)w->count[m] * d * d;
    }
    if (w->score_min == w->score_max)
        ss_between = ss_within = 0.0;

    v->grand_mean = analysis_finite(grand);
    v->ss_between = analysis_finite(ss_between);
    v->ss_within = analysis_finite(ss_within);
    v->df_between = Jd - 1.0;
    v->df_within = N - Jd;
    v->ms_between = analysis_ratio(v->ss_between, v->df_between);
    v->ms_within = analysis_ratio(v->ss_within, v->df_within);
    v->f = analysis_ratio(v->ms_between, v->ms_within);
    if (!isnan(v->f))
        v->p_value = analysis_finite(gsl_cdf_fdist_Q(v->f, v->df_between, v->df_within));
    v->k0 = analysis_ratio(N - sum_n2 / N, v->df_between);
    double msb = v->ms_between, msw = v->ms_within;
    v->icc1 = analysis_ratio(msb - msw, msb + (v->k0 - 1.0) * msw);
    v->icc2 = analysis_ratio(msb - msw, msb);
    v->eta_squared = analysis_ratio(v->ss_between, v->ss_between + v->ss_within);
}

static engage_status_t analysis_scale(const dataset_t *ds, size_t s, analysis_work_t *w,
                                      analysis_scale_t *out)
{
    const dataset_scale_t *sc = dataset_scale(ds, s);
    out->scale = sc;
    out->n_managers = w->n_managers;
    out->managers = analysis_calloc(w->n_managers, sizeof *out->managers);
    if (!out->managers)
        return ENGAGE_ENOMEM;
    engage_status_t st = analysis_work_items(w, sc->n_items);
    if (st != ENGAGE_OK)
        return st;

    size_t scored = analysis_score_pass(ds, sc, w);
    st = analysis_group_scores(ds, w);
    if (st != ENGAGE_OK)
        return st;
    analysis_summarise(w, out, scored);

    analysis_variance_t *v = &out->variance;
    v->alpha = scored >= 2 ? analysis_alpha(ds, sc, w) : NAN;

    unsigned notes = 0;
    if (scored == 0)
        notes |= ANALYSIS_NOTE_NO_SCORES;
    else if (v->managers < 2)
        notes |= ANALYSIS_NOTE_ONE_MANAGER;
    if (scored > 0 && scored == v->managers)
        notes |= ANALYSIS_NOTE_ALL_SINGLETONS;
    if (scored >= 2 && w->score_min == w->score_max)
        notes |= ANALYSIS_NOTE_ZERO_VARIANCE;
    if (sc->n_items < 2)
        notes |= ANALYSIS_NOTE_ONE_ITEM;
    out->notes = notes;
    return ENGAGE_OK;
}

/* See analysis.h.  Notes: NO_SCORES when nobody is scored (and then no
 * other note but ONE_ITEM); ONE_MANAGER when scored respondents all have
 * one manager; ALL_SINGLETONS when every scored respondent is alone in
 * their team; ZERO_VARIANCE when two or more scores are all equal;
 * ONE_ITEM when the scale has fewer than two items. */
engage_status_t analysis_run(const dataset_t *ds, results_t **out, engage_error_t *err)
{
    *out = NULL;
    /* GSL must never abort the process; its results are checked instead */
    gsl_set_error_handler_off();

    analysis_work_t w;
    results_t *res = analysis_calloc(1, sizeof *res);
    engage_status_t st = analysis_work_init(&w, ds);
    size_t n_scales = dataset_n_scales(ds);
    if (res && st == ENGAGE_OK) {
        res->scales = analysis_calloc(n_scales, sizeof *res->scales);
        if (!res->scales)
            st = ENGAGE_ENOMEM;
    } else {
        st = ENGAGE_ENOMEM;
    }
    for (size_t s = 0; st == ENGAGE_OK && s < n_scales; s++) {
        res->n_scales = s + 1;
        st = analysis_scale(ds, s, &w, &res->scales[s]);
    }
    analysis_work_fini(&w);
    if (st != ENGAGE_OK) {
        results_free(res);
        return engage_fail(err, st, NULL, 0, "out of memory while analysing %zu respondents",
                           dataset_n_respondents(ds));
    }
    *out = res;
    return ENGAGE_OK;
}

/* Frees results and everything they own; NULL is fine. */
void results_free(results_t *results)
{
    if (!results)
        return;
    if (results->scales)
        for (size_t s = 0; s < results->n_scales; s++)
            free(results->scales[s].managers);
    free(results->scales);
    free(results);
}
