/*
 * analysis/analysis.c — every figure of results_t: scale scores, per-manager
 * summaries, the one-way ANOVA decomposition over managers and Cronbach's
 * alpha (CONTRACT.md, "Definitions").
 *
 * Owns: the results it returns (freed by results_free) and a workspace that
 * lives for one analysis_run call.  Assumes a finished dataset (managers
 * renumbered in byte order) that outlives the results.
 *
 * Cost: each cell of a scale is read once, a block of respondents at a
 * time and a column at a time (dataset_column_read), so a scale is
 * O(respondents × items), plus O(items²) per respondent for alpha and one
 * small sort per manager.  Per scale:
 *   1. one pass over respondents, by blocks of ANALYSIS_READ_ROWS: the
 *      block's item columns are read and reverse coded, each respondent's
 *      sum, answer count and favourable count accumulated column by column
 *      (in item order, so a score is the same sum as item by item), two
 *      respondents at a time (vec2.h); then each score drops straight into
 *      its manager's slot of a buffer laid out by manager (a counting sort
 *      made once per run), favourable answers are counted per manager, and
 *      the scored respondents' item values go to alpha (alpha.c), which
 *      folds them on a second thread meanwhile;
 *   2. each manager's slot is compacted and sorted (median), its mean and
 *      sum of squared deviations computed two-pass, while alpha's last
 *      blocks are folded;
 *   3. the ANOVA is built from the group figures: SS_between from the group
 *      means, SS_within from each group's own deviations — never
 *      sum y² - (sum y)²/n.
 *
 * Undefined figures are NAN, and only on purpose: a figure whose denominator
 * is zero (a mean square with zero degrees of freedom, F with MS_within = 0,
 * an ICC with a zero denominator, eta² with SS_total = 0, ...) is NAN, while
 * sums of squares and degrees of freedom are reported whenever someone is
 * scored (SS_between = 0 and df_between = 0 for one manager).  Every output
 * passes through analysis_finite(), so no inf leaves this file.  A group
 * whose scores are all equal gets exactly that value as its mean and zero as
 * its sum of squares, so "no variance" gives exact zeros, not rounding noise.
 */
#include "analysis.h"

#include "alpha.h"
#include "vec2.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

/* Respondents read per block in the scoring pass (even: the block goes two
 * at a time): their item columns stay in the first-level caches.  Columns
 * lie ANALYSIS_COLUMN_STRIDE apart, a little more than the block, so that
 * one respondent's items do not all fall on the same cache sets. */
enum { ANALYSIS_READ_ROWS = 256, ANALYSIS_COLUMN_STRIDE = ANALYSIS_READ_ROWS + 8 };

/* Teams up to this size are sorted by insertion (most are); O(n²) steps. */
enum { ANALYSIS_INSERTION_SORT_MAX = 32 };

/* Buffers reused from one scale to the next. */
typedef struct {
    size_t n_respondents, n_managers;
    size_t *start;        /* [manager] first slot in grouped; [n_managers] = N */
    size_t *cursor;       /* [manager] next free slot in grouped */
    double *grouped;      /* [slot] scores laid out by manager, NAN = not scored */
    size_t *fav, *ans;    /* [manager] favourable / answered item values */
    double *tq;           /* t(0.975, df) by df, NAN until needed */
    size_t tq_size;
    double *cols;         /* [item × ANALYSIS_COLUMN_STRIDE] a block's values, reverse
                             coded, NAN = missing */
    size_t cols_cap;      /* items that cols has room for */
    double sum[ANALYSIS_READ_ROWS];           /* per respondent of the block: sum of answers */
    long long answered[ANALYSIS_READ_ROWS];   /* ... answers */
    long long favourable[ANALYSIS_READ_ROWS]; /* ... favourable answers */
    unsigned char *enough;  /* [answers] 1 when that many answers score a respondent */
    double score_min, score_max;  /* over the scale's scores */
    alpha_t alpha;
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

/* calloc that never returns NULL for a zero count and refuses overflow. */
static void *analysis_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return calloc(n ? n : 1, size);
}

/* --- workspace --------------------------------------------------------- */

static void analysis_work_fini(analysis_work_t *w)
{
    free(w->start);
    free(w->cursor);
    free(w->grouped);
    free(w->fav);
    free(w->ans);
    free(w->tq);
    free(w->cols);
    free(w->enough);
    alpha_fini(&w->alpha);
    memset(w, 0, sizeof *w);
}

/* Per-run buffers and the counting sort of respondents by manager, which
 * does not depend on the scale: manager m owns slots start[m] ..
 * start[m+1]-1 of grouped, one per respondent. */
static engage_status_t analysis_work_init(analysis_work_t *w, const dataset_t *ds)
{
    memset(w, 0, sizeof *w);
    size_t N = dataset_n_respondents(ds), M = dataset_n_managers(ds);
    w->n_respondents = N;
    w->n_managers = M;
    w->grouped = analysis_calloc(N, sizeof *w->grouped);
    w->start = analysis_calloc(M + 1, sizeof *w->start);
    w->cursor = analysis_calloc(M, sizeof *w->cursor);
    w->fav = analysis_calloc(M, sizeof *w->fav);
    w->ans = analysis_calloc(M, sizeof *w->ans);
    if (!w->grouped || !w->start || !w->cursor || !w->fav || !w->ans)
        return ENGAGE_ENOMEM;

    for (size_t r = 0; r < N; r++)
        w->start[dataset_manager_of(ds, r) + 1]++;
    size_t largest = 0;
    for (size_t m = 0; m < M; m++) {
        if (w->start[m + 1] > largest)
            largest = w->start[m + 1];
        w->start[m + 1] += w->start[m];
    }
    /* t quantiles for df 1 .. largest team - 1 */
    w->tq_size = largest;
    w->tq = analysis_calloc(largest, sizeof *w->tq);
    if (!w->tq)
        return ENGAGE_ENOMEM;
    for (size_t i = 0; i < largest; i++)
        w->tq[i] = NAN;
    return ENGAGE_OK;
}

/* --- one scale --------------------------------------------------------- */

/* Respondents first .. first+count-1 (count <= ANALYSIS_READ_ROWS): item i
 * of respondent t after reverse coding into cols[i·ANALYSIS_COLUMN_STRIDE + t]
 * (NAN when not answered), and per respondent the sum, number and
 * favourable number of answers.  The sum adds the answers in item order,
 * exactly as a loop over one respondent's items would (a missing answer
 * adds +0.0, which leaves a sum as it is).  A value that is not finite
 * counts as not answered: ingest never stores one, and one would turn every
 * figure of its manager and scale into NAN.  Two respondents at a time; an
 * odd block gets one not-answered respondent more, ignored by the caller. */
static void analysis_read_block(const dataset_t *ds, const dataset_scale_t *sc,
                                analysis_work_t *w, size_t first, size_t count)
{
    double *restrict sum = w->sum;
    long long *restrict answered = w->answered, *restrict favourable = w->favourable;
    size_t even = (count + 1) & ~(size_t)1;
    memset(sum, 0, even * sizeof *sum);
    memset(answered, 0, even * sizeof *answered);
    memset(favourable, 0, even * sizeof *favourable);
    const vec2_t flip = vec2_splat(sc->min + sc->max), fav = vec2_splat(sc->favourable);
    const vec2_t missing = vec2_splat(NAN);
    for (size_t i = 0; i < sc->n_items; i++) {
        double *restrict x = w->cols + i * ANALYSIS_COLUMN_STRIDE;
        dataset_column_read(ds, sc->items[i], first, count, x);
        x[count] = NAN;
        const mask2_t reverse = { -(long long)sc->reverse[i], -(long long)sc->reverse[i] };
        for (size_t t = 0; t < even; t += 2) {
            vec2_t v = vec2_load(x + t);
            mask2_t ok = vec2_finite(v);
            v = vec2_select(ok, vec2_select(reverse, flip - v, v), missing);
            vec2_store(x + t, v);
            vec2_store(sum + t, vec2_load(sum + t) + vec2_and(v, ok));
            mask2_t a, f;
            memcpy(&a, answered + t, sizeof a);
            memcpy(&f, favourable + t, sizeof f);
            a -= ok;
            f -= v >= fav;  /* false for NAN */
            memcpy(answered + t, &a, sizeof a);
            memcpy(favourable + t, &f, sizeof f);
        }
    }
}

/* Step 1: scores into grouped, favourable counts, alpha's blocks.  Returns
 * the number of scored respondents. */
static size_t analysis_score_pass(const dataset_t *ds, const dataset_scale_t *sc,
                                  analysis_work_t *w, bool with_alpha)
{
    size_t k = sc->n_items, scored = 0;
    memcpy(w->cursor, w->start, w->n_managers * sizeof *w->cursor);
    memset(w->fav, 0, w->n_managers * sizeof *w->fav);
    memset(w->ans, 0, w->n_managers * sizeof *w->ans);
    w->score_min = INFINITY;
    w->score_max = -INFINITY;

    for (size_t first = 0; first < w->n_respondents; first += ANALYSIS_READ_ROWS) {
        size_t count = w->n_respondents - first;
        if (count > ANALYSIS_READ_ROWS)
            count = ANALYSIS_READ_ROWS;
        analysis_read_block(ds, sc, w, first, count);
        for (size_t t = 0; t < count; t++) {
            size_t m = dataset_manager_of(ds, first + t);
            size_t answered = (size_t)w->answered[t];
            if (!w->enough[answered]) {
                w->grouped[w->cursor[m]++] = NAN;
                continue;
            }
            double score = w->sum[t] / (double)answered;
            w->grouped[w->cursor[m]++] = score;
            scored++;
            if (score < w->score_min)
                w->score_min = score;
            if (score > w->score_max)
                w->score_max = score;
            w->fav[m] += (size_t)w->favourable[t];
            w->ans[m] += answered;

            if (with_alpha) {
                double *row = alpha_row(&w->alpha);
                for (size_t i = 0; i < k; i++)
                    row[i] = w->cols[i * ANALYSIS_COLUMN_STRIDE + t];
                alpha_push(&w->alpha);
            }
        }
    }
    return scored;
}

/* Ascending sort of a team's scores (no NAN): insertion for the small teams
 * that are the rule, GSL's sort beyond.  The insertion runs each new value
 * down the sorted part with a compare-exchange per step and no early exit:
 * a few more steps, but no mispredicted branch, which costs more on small
 * random teams.  (Not inlined: inlined, GCC turns the exchange back into a
 * branch.)  Equal values are indistinguishable (and a score is never -0), so
 * every sort gives the same array. */
__attribute__((noinline)) static void analysis_sort(double *x, size_t n)
{
    if (n > ANALYSIS_INSERTION_SORT_MAX) {
        gsl_sort(x, 1, n);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        double v = x[i];
        for (size_t j = i; j > 0; j--) {
            double a = x[j - 1];
            x[j] = a > v ? a : v;
            v = a > v ? v : a;
        }
        x[0] = v;
    }
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

/* t(0.975, df), cached by df: team sizes repeat. */
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

/* Steps 2 and 3: out->managers from each manager's slots, then the ANOVA
 * in out->variance. */
static void analysis_summarise(analysis_work_t *w, analysis_scale_t *out, size_t scored)
{
    size_t M = w->n_managers, J = 0;
    double ss_within = 0.0, sum_n2 = 0.0;
    analysis_variance_t *v = &out->variance;

    for (size_t m = 0; m < M; m++) {
        analysis_manager_t *am = &out->managers[m];
        /* compact the scored ones to the front of the manager's slots */
        double *g = w->grouped + w->start[m];
        size_t slots = w->start[m + 1] - w->start[m], n = 0;
        for (size_t i = 0; i < slots; i++)
            if (!isnan(g[i]))
                g[n++] = g[i];
        am->manager = m;
        am->n = n;
        am->mean = am->sd = am->se = am->ci_low = am->ci_high = am->median = NAN;
        am->favourable_pct = NAN;
        if (n == 0)
            continue;
        analysis_sort(g, n);
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

    bool uniform = w->score_min == w->score_max;
    double grand = w->score_min;
    if (!uniform) {
        /* two-pass over the scores, group by group */
        double sum = 0.0, resid = 0.0;
        for (size_t m = 0; m < M; m++) {
            const double *g = w->grouped + w->start[m];
            for (size_t i = 0, n = out->managers[m].n; i < n; i++)
                sum += g[i];
        }
        grand = sum / N;
        for (size_t m = 0; m < M; m++) {
            const double *g = w->grouped + w->start[m];
            for (size_t i = 0, n = out->managers[m].n; i < n; i++)
                resid += g[i] - grand;
        }
        grand += resid / N;
    }
    double ss_between = 0.0;
    for (size_t m = 0; m < M && !uniform; m++) {
        if (out->managers[m].n == 0)
            continue;
        double d = out->managers[m].mean - grand;
        ss_between += (double)out->managers[m].n * d * d;
    }
    if (uniform)
        ss_within = 0.0;

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
    size_t k = sc->n_items;
    out->scale = sc;
    out->n_managers = w->n_managers;
    out->managers = analysis_calloc(w->n_managers, sizeof *out->managers);
    if (!out->managers)
        return ENGAGE_ENOMEM;
    bool with_alpha = k >= 2;
    alpha_fini(&w->alpha);
    if (with_alpha && alpha_start(&w->alpha, k) != ENGAGE_OK)
        return ENGAGE_ENOMEM;
    if (k > w->cols_cap) {
        free(w->cols);
        free(w->enough);
        w->cols = k > SIZE_MAX / ANALYSIS_COLUMN_STRIDE
                      ? NULL : analysis_calloc(k * ANALYSIS_COLUMN_STRIDE, sizeof *w->cols);
        w->enough = analysis_calloc(k + 1, 1);
        w->cols_cap = w->cols && w->enough ? k : 0;
        if (!w->cols || !w->enough)
            return ENGAGE_ENOMEM;
    }
    /* the share as a division, so that e.g. 7 of 10 meets 0.7 exactly */
    for (size_t answered = 0; answered <= k; answered++)
        w->enough[answered] = answered > 0 && !((double)answered / (double)k < sc->min_answered);

    /* alpha's last blocks are folded while the managers are summarised */
    size_t scored = analysis_score_pass(ds, sc, w, with_alpha);
    if (with_alpha)
        alpha_close(&w->alpha);
    analysis_summarise(w, out, scored);
    analysis_variance_t *v = &out->variance;
    if (with_alpha)
        alpha_finish(&w->alpha);
    v->alpha = with_alpha ? alpha_value(&w->alpha) : NAN;

    unsigned notes = 0;
    if (scored == 0)
        notes |= ANALYSIS_NOTE_NO_SCORES;
    else if (v->managers < 2)
        notes |= ANALYSIS_NOTE_ONE_MANAGER;
    if (scored > 0 && scored == v->managers)
        notes |= ANALYSIS_NOTE_ALL_SINGLETONS;
    if (scored >= 2 && w->score_min == w->score_max)
        notes |= ANALYSIS_NOTE_ZERO_VARIANCE;
    if (k < 2)
        notes |= ANALYSIS_NOTE_ONE_ITEM;
    out->notes = notes;
    return ENGAGE_OK;
}

/* See analysis.h.  The notes are set as follows: NO_SCORES when nobody is
 * scored (then ONE_MANAGER and ALL_SINGLETONS are not set); ONE_MANAGER when
 * the scored respondents all have one manager; ALL_SINGLETONS when every
 * scored respondent is alone in their team; ZERO_VARIANCE when two or more
 * scores are all equal; ONE_ITEM when the scale has fewer than two items. */
engage_status_t analysis_run(const dataset_t *ds, results_t **out, engage_error_t *err)
{
    *out = NULL;
    /* GSL must never abort the process; its results are checked instead */
    gsl_set_error_handler_off();

    analysis_work_t w;
    engage_status_t st = analysis_work_init(&w, ds);
    size_t n_scales = dataset_n_scales(ds);
    results_t *res = analysis_calloc(1, sizeof *res);
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
