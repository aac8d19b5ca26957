/*
 * analysis/analysis.c — every figure of results_t: scale scores, per-manager
 * summaries with rwg(j), the one-way ANOVA decomposition over managers
 * with the ICC(1) interval and the REML variance components (reml.c),
 * funnel limits around a decomposition, Cronbach's alpha and the item
 * figures (alpha.c) (README.md, Reference, "Definitions").
 *
 * Owns: the results it returns (freed by results_free) and a workspace that
 * lives for one analysis_run call.  Assumes a finished dataset (managers
 * renumbered in byte order) that outlives the results.
 *
 * Cost: each cell of a scale is read once, a block of respondents at a
 * time and a column at a time (dataset_column_read), so a scale is
 * O(respondents × items), plus O(items²) per respondent for alpha and one
 * small sort per manager; memory O(managers × items) for rwg(j) during a
 * scale's pass (32-bit sums where answers lie on a grid of halves, so at
 * most 4 bytes per manager × item).  Per scale:
 *   1. one pass over respondents, by blocks of ANALYSIS_READ_ROWS: the
 *      block's item columns are read and reverse coded, each respondent's
 *      sum, sum of squares, answer count and favourable count accumulated
 *      column by column (in item order, so a score is the same sum as item
 *      by item), two respondents at a time (vec2.h), and each item's
 *      answers and favourable answers counted; then each score drops
 *      straight into its manager's slot of a buffer laid out by manager (a
 *      counting sort made once per run), favourable answers are counted per
 *      manager, the scored respondents' item values go to alpha (alpha.c),
 *      which folds them on a second thread meanwhile, and those of a
 *      respondent who answered every item are added to the manager's rwg(j)
 *      sums;
 *   2. each manager's slot is compacted and sorted (median), its mean and
 *      sum of squared deviations computed two-pass, its rwg taken, while
 *      alpha's last blocks are folded — the managers in two halves, the
 *      second on a thread of its own when there are many;
 *   3. the ANOVA is built from the group figures (analysis_decompose, over
 *      every team here and over the shown ones for the published view):
 *      SS_between from the group means, SS_within from each group's own
 *      deviations — never sum y² - (sum y)²/n; then the ICC(1) interval
 *      and the REML fit from the team sizes and means (O(distinct team
 *      sizes) per step); a team's funnel limits follow from a decomposition
 *      (analysis_funnel);
 *   4. once alpha is folded: alpha, and each item's n, mean, sd and r.drop.
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
#include "reml.h"
#include "vec2.h"
#include "../core/pair.h"
#include "../core/progress.h"

#include <math.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

/* Respondents read per block in the scoring pass (even: the block goes two
 * at a time): their item columns stay in the first-level caches.  Columns
 * lie ANALYSIS_COLUMN_STRIDE apart, a little more than the block, so that
 * one respondent's items do not all fall on the same cache sets. */
enum { ANALYSIS_READ_ROWS = 256, ANALYSIS_COLUMN_STRIDE = ANALYSIS_READ_ROWS + 8 };

/* Teams up to this size are sorted by insertion (most are); O(n²) steps. */
enum { ANALYSIS_INSERTION_SORT_MAX = 32 };

/* From this many managers on, their figures are worked out on two threads. */
enum { ANALYSIS_PARALLEL_MANAGERS = 8192 };

/* A manager's favourable, unfavourable and answered item values on a scale,
 * in 32 bits where no team can overflow them (analysis_work_init), else 64. */
typedef struct {
    uint32_t fav, unf, ans;
} analysis_counts32_t;

typedef struct {
    size_t fav, unf, ans;
} analysis_counts64_t;

/* Buffers reused from one scale to the next. */
typedef struct {
    size_t n_respondents, n_managers;
    uint32_t *start;      /* [manager] first slot in grouped; [n_managers] = N */
    uint32_t *cursor;     /* [manager] next free slot in grouped, during a scale's pass */
    double *grouped;      /* [slot] scores laid out by manager, NAN = not scored */
    analysis_counts32_t *counts32;  /* [manager], or NULL */
    analysis_counts64_t *counts64;  /* [manager] when counts32 is NULL */
    double *tq[2];        /* t(0.975, df) by df, NAN until needed: a cache for each half
                             of the managers (see analysis_summarise) */
    size_t tq_size;
    double *cols;         /* [item × ANALYSIS_COLUMN_STRIDE] a block's values, reverse
                             coded, NAN = missing */
    size_t cols_cap;      /* items that cols, item_answered and item_fav have room for */
    size_t *item_answered, *item_fav;  /* [item] answers / favourable answers of the
                                          scored respondents */
    /* rwg(j) during a scale's pass: per manager, over the respondents who
     * answered every item, the count, Σ d² over all items with d a value's
     * deviation from the middle of the scale, and each item's Σ x — as
     * 2 Σ x in 32 bits when every value is a multiple of 1/2 and no sum can
     * overflow (exact, as the double sum is), else as doubles.  After the
     * pass (analysis_rwg_pass_end) rwg_sq holds each manager's rwg(j) and
     * the rest is freed. */
    uint32_t *rwg_n;      /* [manager] */
    double *rwg_sq;       /* [manager] Σ d², then rwg(j) */
    int32_t *rwg_twice;   /* [manager × item] 2 Σ x, or NULL */
    double *rwg_sum;      /* [manager × item] Σ x, or NULL */
    bool rwg_done;        /* rwg_sq holds this scale's rwg(j) */
    double sum[ANALYSIS_READ_ROWS];           /* per respondent of the block: sum of answers */
    double sumsq[ANALYSIS_READ_ROWS];         /* ... of their squares */
    long long answered[ANALYSIS_READ_ROWS];   /* ... answers */
    long long favourable[ANALYSIS_READ_ROWS]; /* ... favourable answers */
    long long unfavourable[ANALYSIS_READ_ROWS]; /* ... unfavourable answers */
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

void analysis_shares(const dataset_scale_t *scale, size_t answered, size_t favourable, size_t unfavourable,
                     double *favourable_pct, double *neutral_pct, double *unfavourable_pct)
{
    *favourable_pct = *neutral_pct = *unfavourable_pct = NAN;
    if (answered == 0)
        return;
    size_t neutral = answered - favourable - unfavourable;
    *favourable_pct = 100.0 * (double)favourable / (double)answered;
    *unfavourable_pct = 100.0 * (double)unfavourable / (double)answered;
    /* a scale with no middle: no whole number lies between the two
     * thresholds (1..4 with 2 and 3), and no answer did either */
    bool middle = floor(scale->favourable - 1e-9) > scale->unfavourable || neutral > 0;
    if (middle)
        *neutral_pct = 100.0 * (double)neutral / (double)answered;
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
    free(w->counts32);
    free(w->counts64);
    free(w->tq[0]);
    free(w->tq[1]);
    free(w->cols);
    free(w->enough);
    free(w->item_answered);
    free(w->item_fav);
    free(w->rwg_n);
    free(w->rwg_sq);
    free(w->rwg_twice);
    free(w->rwg_sum);
    alpha_fini(&w->alpha);
    memset(w, 0, sizeof *w);
}

/* After the last scale's managers: the buffers per respondent and per
 * manager go (and their pages back to the system) before the
 * decomposition's own; the per-item ones stay for the items' figures. */
static void analysis_work_drop_managers(analysis_work_t *w)
{
    double **doubles[] = { &w->grouped, &w->rwg_sq };
    for (size_t i = 0; i < sizeof doubles / sizeof *doubles; i++) {
        free(*doubles[i]);
        *doubles[i] = NULL;
    }
    free(w->counts32);
    free(w->counts64);
    w->counts32 = NULL;
    w->counts64 = NULL;
    free(w->start);
    w->start = NULL;
#ifdef __GLIBC__
    malloc_trim(0);
#endif
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
    if (N > UINT32_MAX)   /* slots are numbered in 32 bits, as the dataset's rows */
        return ENGAGE_ENOMEM;
    w->grouped = analysis_calloc(N, sizeof *w->grouped);
    w->start = analysis_calloc(M + 1, sizeof *w->start);
    w->rwg_sq = analysis_calloc(M, sizeof *w->rwg_sq);
    if (!w->grouped || !w->start || !w->rwg_sq)
        return ENGAGE_ENOMEM;

    for (size_t r = 0; r < N; r++)
        w->start[dataset_manager_of(ds, r) + 1]++;
    uint32_t largest = 0;
    for (size_t m = 0; m < M; m++) {
        if (w->start[m + 1] > largest)
            largest = w->start[m + 1];
        w->start[m + 1] += w->start[m];
    }
    size_t most_items = 0;
    for (size_t s = 0; s < dataset_n_scales(ds); s++)
        if (dataset_scale(ds, s)->n_items > most_items)
            most_items = dataset_scale(ds, s)->n_items;
    if ((double)largest * (double)most_items <= (double)UINT32_MAX)
        w->counts32 = analysis_calloc(M, sizeof *w->counts32);
    else
        w->counts64 = analysis_calloc(M, sizeof *w->counts64);
    if (!w->counts32 && !w->counts64)
        return ENGAGE_ENOMEM;
    /* t quantiles for df 1 .. largest team - 1 */
    w->tq_size = largest;
    for (int h = 0; h < 2; h++)
        if (!(w->tq[h] = analysis_t975_cache(largest)))
            return ENGAGE_ENOMEM;
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
    double *restrict sum = w->sum, *restrict sumsq = w->sumsq;
    long long *restrict answered = w->answered, *restrict favourable = w->favourable;
    long long *restrict unfavourable = w->unfavourable;
    size_t even = (count + 1) & ~(size_t)1;
    memset(sum, 0, even * sizeof *sum);
    memset(sumsq, 0, even * sizeof *sumsq);
    memset(answered, 0, even * sizeof *answered);
    memset(favourable, 0, even * sizeof *favourable);
    memset(unfavourable, 0, even * sizeof *unfavourable);
    const vec2_t flip = vec2_splat(sc->min + sc->max), fav = vec2_splat(sc->favourable);
    const vec2_t unfav = vec2_splat(sc->unfavourable);
    const vec2_t missing = vec2_splat(NAN);
    for (size_t i = 0; i < sc->n_items; i++) {
        double *restrict x = w->cols + i * ANALYSIS_COLUMN_STRIDE;
        dataset_column_read(ds, sc->items[i], first, count, x);
        x[count] = NAN;
        const mask2_t reverse = { -(long long)sc->reverse[i], -(long long)sc->reverse[i] };
        mask2_t item_a = { 0, 0 }, item_f = { 0, 0 };
        for (size_t t = 0; t < even; t += 2) {
            vec2_t v = vec2_load(x + t);
            mask2_t ok = vec2_finite(v);
            v = vec2_select(ok, vec2_select(reverse, flip - v, v), missing);
            vec2_store(x + t, v);
            vec2_store(sum + t, vec2_load(sum + t) + vec2_and(v, ok));
            vec2_store(sumsq + t, vec2_load(sumsq + t) + vec2_and(v * v, ok));
            mask2_t a, f, u, is_fav = v >= fav, is_unfav = v <= unfav;  /* false for NAN */
            memcpy(&a, answered + t, sizeof a);
            memcpy(&f, favourable + t, sizeof f);
            memcpy(&u, unfavourable + t, sizeof u);
            a -= ok;
            f -= is_fav;
            u -= is_unfav;
            item_a -= ok;
            item_f -= is_fav;
            memcpy(answered + t, &a, sizeof a);
            memcpy(favourable + t, &f, sizeof f);
            memcpy(unfavourable + t, &u, sizeof u);
        }
        w->item_answered[i] += (size_t)(item_a[0] + item_a[1]);
        w->item_fav[i] += (size_t)(item_f[0] + item_f[1]);
    }
}

/* Step 1: scores into grouped, favourable counts, rwg(j) sums, alpha's
 * blocks.  Returns the number of scored respondents.  The per-item counts
 * of analysis_read_block take in every respondent of a block; those of a
 * respondent who is not scored are taken out again here (they are few). */
static size_t analysis_score_pass(const dataset_t *ds, const dataset_scale_t *sc,
                                  analysis_work_t *w, bool with_alpha)
{
    size_t k = sc->n_items, scored = 0;
    bool with_rwg = w->rwg_n != NULL;
    const double middle = (sc->min + sc->max) / 2.0, middle_sq = (double)k * middle * middle;
    memcpy(w->cursor, w->start, w->n_managers * sizeof *w->cursor);
    if (w->counts32)
        memset(w->counts32, 0, w->n_managers * sizeof *w->counts32);
    else
        memset(w->counts64, 0, w->n_managers * sizeof *w->counts64);
    memset(w->item_answered, 0, k * sizeof *w->item_answered);
    memset(w->item_fav, 0, k * sizeof *w->item_fav);
    if (with_rwg)
        memset(w->rwg_sq, 0, w->n_managers * sizeof *w->rwg_sq);
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
                for (size_t i = 0; i < k && answered > 0; i++) {
                    double x = w->cols[i * ANALYSIS_COLUMN_STRIDE + t];
                    if (!isnan(x)) {
                        w->item_answered[i]--;
                        w->item_fav[i] -= x >= sc->favourable;
                    }
                }
                continue;
            }
            double score = w->sum[t] / (double)answered;
            w->grouped[w->cursor[m]++] = score;
            scored++;
            if (score < w->score_min)
                w->score_min = score;
            if (score > w->score_max)
                w->score_max = score;
            if (w->counts32) {
                analysis_counts32_t *c = &w->counts32[m];
                c->fav += (uint32_t)w->favourable[t];
                c->unf += (uint32_t)w->unfavourable[t];
                c->ans += (uint32_t)answered;
            } else {
                analysis_counts64_t *c = &w->counts64[m];
                c->fav += (size_t)w->favourable[t];
                c->unf += (size_t)w->unfavourable[t];
                c->ans += answered;
            }

            /* the row handed to alpha; rwg(j)'s item sums are taken in the
             * same pass (several items always go with alpha) */
            if (with_alpha) {
                double *restrict row = alpha_row(&w->alpha);
                const double *restrict col = w->cols + t;
                if (with_rwg && answered == k) {
                    if (w->rwg_twice) {
                        int32_t *restrict x_twice = w->rwg_twice + m * k;
                        for (size_t i = 0; i < k; i++) {
                            double x = col[i * ANALYSIS_COLUMN_STRIDE];
                            row[i] = x;
                            x_twice[i] += (int32_t)(2.0 * x);
                        }
                    } else {
                        double *restrict x_sum = w->rwg_sum + m * k;
                        for (size_t i = 0; i < k; i++) {
                            double x = col[i * ANALYSIS_COLUMN_STRIDE];
                            row[i] = x;
                            x_sum[i] += x;
                        }
                    }
                    /* Σ (x - middle)² = Σ x² - 2 middle Σ x + k middle²,
                     * from the block's sums: exact for answers on a grid of
                     * halves */
                    w->rwg_sq[m] += (w->sumsq[t] - 2.0 * middle * w->sum[t]) + middle_sq;
                    w->rwg_n[m]++;
                } else {
                    for (size_t i = 0; i < k; i++)
                        row[i] = col[i * ANALYSIS_COLUMN_STRIDE];
                }
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
double analysis_mean_ss(const double *sorted, size_t n, double *ss)
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

/* The F(d1, d2) distribution's upper-tail p quantile, by solving
 * Q(e^t) = p for t with GSL's Brent solver on gsl_cdf_fdist_Q.
 * (gsl_cdf_fdist_Pinv would be the direct way, but its beta inversion fails
 * to converge and returns NAN for a few per cent of degrees of freedom, e.g.
 * F(247, 1752) at 0.975.)  Searching in t = log x keeps the bracket
 * relative; the answer is as accurate as the upper tail itself.  NAN when
 * no bracket is found.  Both searches are bounded: the bracket's ends double
 * at most ANALYSIS_FQ_DOUBLINGS times (t within ±2^9, x within e^±512),
 * and Brent's method stops after ANALYSIS_FQ_ITERATIONS steps whether or not
 * it has met its tolerance. */
enum { ANALYSIS_FQ_DOUBLINGS = 9, ANALYSIS_FQ_ITERATIONS = 200 };

typedef struct {
    double p, d1, d2;
} analysis_fq_t;

static double analysis_fq_gap(double t, void *params)
{
    const analysis_fq_t *q = params;
    return gsl_cdf_fdist_Q(exp(t), q->d1, q->d2) - q->p;
}

static double analysis_f_quantile_upper(double p, double d1, double d2)
{
    analysis_fq_t q = { p, d1, d2 };
    double lo = -1.0, hi = 1.0;
    /* Q falls from 1 at x = 0 to 0: widen until Q(e^lo) > p > Q(e^hi) */
    for (int i = 0; i < ANALYSIS_FQ_DOUBLINGS && !(analysis_fq_gap(lo, &q) > 0.0); i++)
        lo *= 2.0;
    for (int i = 0; i < ANALYSIS_FQ_DOUBLINGS && !(analysis_fq_gap(hi, &q) < 0.0); i++)
        hi *= 2.0;
    if (!(analysis_fq_gap(lo, &q) > 0.0) || !(analysis_fq_gap(hi, &q) < 0.0))
        return NAN;
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s)
        return NAN;
    gsl_function f = { analysis_fq_gap, &q };
    double t = NAN;
    if (gsl_root_fsolver_set(s, &f, lo, hi) == GSL_SUCCESS) {
        for (int i = 0; i < ANALYSIS_FQ_ITERATIONS; i++) {
            if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS) {
                t = NAN;
                break;
            }
            t = gsl_root_fsolver_root(s);
            if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
                                       4e-16, 0.0) == GSL_SUCCESS)
                break;
        }
    }
    gsl_root_fsolver_free(s);
    return analysis_finite(exp(t));
}

double *analysis_t975_cache(size_t size)
{
    double *tq = analysis_calloc(size, sizeof *tq);
    for (size_t i = 0; tq && i < size; i++)
        tq[i] = NAN;
    return tq;
}

double analysis_t975(double *tq, size_t tq_size, size_t df)
{
    if (df == 0)
        return NAN;
    if (df < tq_size) {
        if (isnan(tq[df]))
            tq[df] = analysis_finite(gsl_cdf_tdist_Pinv(0.975, (double)df));
        return tq[df];
    }
    return analysis_finite(gsl_cdf_tdist_Pinv(0.975, (double)df));
}

/* The uniform null variance of rwg, (A² - 1)/12 with A = max - min + 1. */
static double analysis_rwg_null(const dataset_scale_t *sc)
{
    double a = sc->max - sc->min + 1.0;
    return (a * a - 1.0) / 12.0;
}

/* rwg(j) of James, Demaree & Wolf for j items whose variances average s,
 * truncated as multilevel::rwg.j and rwg do it: s above the null variance
 * counts as the null variance (rwg 0).  For j = 1 this is 1 - s/null. */
double analysis_rwg(double s, double null, double j)
{
    if (isnan(s))
        return NAN;
    if (s < 0.0)
        s = 0.0;        /* rounding of a zero variance */
    if (s > null)
        s = null;
    double ratio = s / null, agree = j * (1.0 - ratio);
    return analysis_ratio(agree, agree + ratio);
}

/* rwg(j) of manager m of a multi-item scale from the sums of the scoring
 * pass: over the c respondents who answered all k items, each item's sum of
 * squared deviations is Σ d² - (Σ d)²/c with d = x - middle (about the
 * middle of the scale, which keeps the cancellation small: values lie
 * within half the range of it), and s is the mean over items of that over
 * c - 1. */
static double analysis_rwg_items(const analysis_work_t *w, size_t m, size_t k, double middle,
                                 double null)
{
    size_t c = w->rwg_n[m];
    if (c < 2)
        return NAN;
    double cd = (double)c, between = 0.0;
    for (size_t i = 0; i < k; i++) {
        double x_sum = w->rwg_twice ? (double)w->rwg_twice[m * k + i] / 2.0 : w->rwg_sum[m * k + i];
        double d_sum = x_sum - cd * middle;
        between += d_sum * d_sum / cd;
    }
    double s = (w->rwg_sq[m] - between) / ((double)k * (cd - 1.0));
    return analysis_rwg(s, null, (double)k);
}

/* Before a scale's pass: the cursors, and rwg(j)'s sums when the scale has
 * them (several items, with alpha) — 32-bit 2 Σ x when every item's
 * answers, reverse coded or not, are multiples of 1/2 and the largest team
 * times the largest |answer| keeps 2 Σ x within 32 bits. */
static engage_status_t analysis_pass_start(const dataset_t *ds, const dataset_scale_t *sc,
                                           analysis_work_t *w, bool with_rwg)
{
    size_t M = w->n_managers, k = sc->n_items;
    w->cursor = analysis_calloc(M, sizeof *w->cursor);
    if (!w->cursor)
        return ENGAGE_ENOMEM;
    if (!with_rwg)
        return ENGAGE_OK;
    double flip = sc->min + sc->max, bound = 0.0;
    bool halves = 2.0 * flip == nearbyint(2.0 * flip);
    for (size_t i = 0; i < k; i++) {
        double largest;
        halves = dataset_column_in_halves(ds, sc->items[i], &largest) && halves;
        if (largest > bound)
            bound = largest;
    }
    /* a reversed answer is flip - x, and |flip - x| <= |flip| + |x| */
    bool fits = halves && 2.0 * (fabs(flip) + bound) * (double)w->tq_size <= (double)INT32_MAX;
    if (M && k > SIZE_MAX / sizeof(double) / M)
        return ENGAGE_ENOMEM;
    w->rwg_n = analysis_calloc(M, sizeof *w->rwg_n);
    if (fits)
        w->rwg_twice = analysis_calloc(M * k, sizeof *w->rwg_twice);
    else
        w->rwg_sum = analysis_calloc(M * k, sizeof *w->rwg_sum);
    return w->rwg_n && (w->rwg_twice || w->rwg_sum) ? ENGAGE_OK : ENGAGE_ENOMEM;
}

/* After a scale's pass: with rwg(j)'s sums, each manager's rwg(j) into
 * rwg_sq; the pass's own buffers go. */
static void analysis_pass_end(const dataset_scale_t *sc, analysis_work_t *w)
{
    if (w->rwg_n) {
        double null = analysis_rwg_null(sc), middle = (sc->min + sc->max) / 2.0;
        for (size_t m = 0; m < w->n_managers; m++)
            w->rwg_sq[m] = analysis_rwg_items(w, m, sc->n_items, middle, null);
    }
    free(w->cursor);
    free(w->rwg_n);
    free(w->rwg_twice);
    free(w->rwg_sum);
    w->cursor = NULL;
    w->rwg_n = NULL;
    w->rwg_twice = NULL;
    w->rwg_sum = NULL;
}

/* Step 2 for managers first .. last-1: each one's figures from its slots,
 * and the range's count of managers with a score, Σ SS and Σ n². */
typedef struct {
    analysis_work_t *w;
    const dataset_scale_t *sc;
    analysis_scale_t *out;
    size_t first, last;
    double *tq;           /* this range's own cache of t quantiles */
} analysis_range_t;

static void *analysis_manager_range(void *arg)
{
    analysis_range_t *r = arg;
    analysis_work_t *w = r->w;
    size_t k = r->sc->n_items;
    double null = analysis_rwg_null(r->sc);
    bool rwg_done = w->rwg_done;
    for (size_t m = r->first; m < r->last; m++) {
        analysis_manager_t *am = &r->out->managers[m];
        /* compact the scored ones to the front of the manager's slots */
        double *g = w->grouped + w->start[m];
        size_t slots = w->start[m + 1] - w->start[m], n = 0;
        for (size_t i = 0; i < slots; i++)
            if (!isnan(g[i]))
                g[n++] = g[i];
        am->manager = m;
        am->n = n;
        am->mean = am->sd = am->se = am->ci_low = am->ci_high = am->median = NAN;
        am->favourable_pct = am->neutral_pct = am->unfavourable_pct = am->rwg = am->ss = NAN;
        if (n == 0)
            continue;
        analysis_sort(g, n);
        double ss;
        double mean = analysis_mean_ss(g, n, &ss);
        am->mean = analysis_finite(mean);
        am->ss = analysis_finite(ss);
        am->median = analysis_finite(gsl_stats_median_from_sorted_data(g, 1, n));
        analysis_counts64_t c = w->counts64 ? w->counts64[m]
                                            : (analysis_counts64_t){ w->counts32[m].fav, w->counts32[m].unf,
                                                                     w->counts32[m].ans };
        analysis_shares(r->sc, c.ans, c.fav, c.unf, &am->favourable_pct, &am->neutral_pct,
                        &am->unfavourable_pct);
        if (n > 1) {
            am->sd = analysis_finite(sqrt(ss / (double)(n - 1)));
            am->se = analysis_finite(am->sd / sqrt((double)n));
            double t = analysis_t975(r->tq, w->tq_size, n - 1);
            am->ci_low = analysis_finite(am->mean - t * am->se);
            am->ci_high = analysis_finite(am->mean + t * am->se);
        }
        /* one item: the score is the answer, every scored respondent answered it */
        if (k == 1)
            am->rwg = n > 1 ? analysis_rwg(ss / (double)(n - 1), null, 1.0) : NAN;
        else
            am->rwg = rwg_done ? w->rwg_sq[m] : NAN;
    }
    return NULL;
}

/* Step 2: out->managers from each manager's slots, in two halves, the
 * second on another thread when there are many (alpha's thread is mostly
 * idle by now); each manager's figures depend on its own slots only, so
 * they do not depend on the thread.  Step 3, the decomposition, follows
 * from the group figures (analysis_decompose). */
static engage_status_t analysis_summarise(analysis_work_t *w, const dataset_scale_t *sc,
                                          analysis_scale_t *out, bool last)
{
    size_t M = w->n_managers;
    analysis_range_t half[2] = {
        { w, sc, out, 0, M / 2, w->tq[0] },
        { w, sc, out, M / 2, M, w->tq[1] },
    };
    pair_run(analysis_manager_range, &half[0], &half[1], M >= ANALYSIS_PARALLEL_MANAGERS);
    if (last)   /* the per-manager figures are in out->managers now */
        analysis_work_drop_managers(w);
    return analysis_decompose(out->managers, M, NULL, &out->variance);
}

/* Every figure of v undefined, the counts zero. */
static void analysis_variance_clear(analysis_variance_t *v)
{
    double alpha = v->alpha;
    memset(v, 0, sizeof *v);
    v->grand_mean = v->ss_between = v->ss_within = NAN;
    v->df_between = v->df_within = v->ms_between = v->ms_within = NAN;
    v->f = v->p_value = v->k0 = v->icc1 = v->icc2 = v->eta_squared = NAN;
    v->icc1_ci_low = v->icc1_ci_high = NAN;
    v->var_between_reml = v->var_within_reml = v->icc_reml = NAN;
    v->alpha = alpha;
}

/* A decomposition's within-teams figures from its totals: the scored
 * respondents, the teams and their summed sums of squares. */
static void set_within(analysis_variance_t *v, size_t scored, size_t teams, double ss_within)
{
    v->ss_within = analysis_finite(ss_within);
    v->df_within = (double)scored - (double)teams;
    v->ms_within = analysis_ratio(v->ss_within, v->df_within);
}

void analysis_within_teams(const size_t *n, const double *ss, size_t count, const bool *include,
                           analysis_variance_t *v)
{
    analysis_variance_clear(v);
    size_t scored = 0, J = 0;
    double ss_within = 0.0;
    for (size_t m = 0; m < count; m++) {
        if (n[m] == 0 || (include && !include[m]))
            continue;
        scored += n[m];
        J++;
        ss_within += ss[m];
    }
    v->respondents = scored;
    v->managers = J;
    if (scored > 0)
        set_within(v, scored, J, ss_within);
}

engage_status_t analysis_decompose(const analysis_manager_t *managers, size_t count,
                                   const bool *include, analysis_variance_t *v)
{
    analysis_variance_clear(v);
    size_t *team_n = analysis_calloc(count, sizeof *team_n);
    double *team_mean = analysis_calloc(count, sizeof *team_mean);
    if (!team_n || !team_mean) {
        free(team_n);
        free(team_mean);
        return ENGAGE_ENOMEM;
    }
    size_t scored = 0, J = 0;
    double ss_within = 0.0, sum_n2 = 0.0;
    bool uniform = true;   /* every included score equal: each team has ss 0 and one mean */
    double first_mean = NAN;
    for (size_t m = 0; m < count; m++) {
        team_mean[m] = NAN;
        size_t n = managers[m].n;
        if (n == 0 || (include && !include[m]))
            continue;
        double mean = managers[m].mean, ss = managers[m].ss;
        team_n[m] = n;
        team_mean[m] = mean;
        scored += n;
        J++;
        ss_within += ss;
        sum_n2 += (double)n * (double)n;
        if (J == 1)
            first_mean = mean;
        uniform = uniform && ss == 0.0 && mean == first_mean;
    }

    double N = (double)scored, Jd = (double)J;
    v->respondents = scored;
    v->managers = J;
    if (scored == 0) {
        free(team_n);
        free(team_mean);
        return ENGAGE_OK;
    }

    double grand = first_mean;
    if (!uniform) {
        /* two-pass over the team means weighted by team size (each team's
         * mean is itself two-pass): the mean of the scores, in O(managers) */
        double sum = 0.0, resid = 0.0;
        for (size_t m = 0; m < count; m++)
            if (team_n[m] > 0)
                sum += (double)team_n[m] * team_mean[m];
        grand = sum / N;
        for (size_t m = 0; m < count; m++)
            if (team_n[m] > 0)
                resid += (double)team_n[m] * (team_mean[m] - grand);
        grand += resid / N;
    }
    double ss_between = 0.0;
    for (size_t m = 0; m < count && !uniform; m++) {
        if (team_n[m] == 0)
            continue;
        double d = team_mean[m] - grand;
        ss_between += (double)team_n[m] * d * d;
    }
    if (uniform)
        ss_within = 0.0;

    v->grand_mean = analysis_finite(grand);
    v->ss_between = analysis_finite(ss_between);
    set_within(v, scored, J, ss_within);
    v->df_between = Jd - 1.0;
    v->ms_between = analysis_ratio(v->ss_between, v->df_between);
    v->f = analysis_ratio(v->ms_between, v->ms_within);
    if (!isnan(v->f))
        v->p_value = analysis_finite(gsl_cdf_fdist_Q(v->f, v->df_between, v->df_within));
    v->k0 = analysis_ratio(N - sum_n2 / N, v->df_between);
    double msb = v->ms_between, msw = v->ms_within;
    v->icc1 = analysis_ratio(msb - msw, msb + (v->k0 - 1.0) * msw);
    v->icc2 = analysis_ratio(msb - msw, msb);
    v->eta_squared = analysis_ratio(v->ss_between, v->ss_between + v->ss_within);

    /* ICC::ICCest's THD interval: F divided by the upper 2.5% point of
     * F(J-1, N-J), and multiplied by that of F(N-J, J-1) */
    if (!isnan(v->f) && !isnan(v->icc1)) {
        double fl = v->f / analysis_f_quantile_upper(0.025, v->df_between, v->df_within);
        double fu = v->f * analysis_f_quantile_upper(0.025, v->df_within, v->df_between);
        v->icc1_ci_low = analysis_ratio(fl - 1.0, fl + v->k0 - 1.0);
        v->icc1_ci_high = analysis_ratio(fu - 1.0, fu + v->k0 - 1.0);
    }

    reml_fit_t fit;
    engage_status_t st = reml_oneway(team_n, team_mean, count, v->ss_within, &fit);
    free(team_n);
    free(team_mean);
    if (st != ENGAGE_OK)
        return ENGAGE_ENOMEM;
    v->var_between_reml = analysis_finite(fit.var_between);
    v->var_within_reml = analysis_finite(fit.var_within);
    v->icc_reml = analysis_finite(fit.icc);
    return ENGAGE_OK;
}

analysis_funnel_t analysis_funnel(const analysis_variance_t *v, size_t n, double mean)
{
    analysis_funnel_t f = { NAN, NAN, NAN, NAN, ANALYSIS_WITHIN };
    double msw = v->ms_within, grand = v->grand_mean;
    if (n == 0 || isnan(msw) || isnan(grand) || msw < 0)
        return f;
    double sigma = sqrt(msw), root_n = sqrt((double)n);
    double h95 = ANALYSIS_Z95 * sigma / root_n, h998 = ANALYSIS_Z998 * sigma / root_n;
    f.low95 = analysis_finite(grand - h95);
    f.high95 = analysis_finite(grand + h95);
    f.low998 = analysis_finite(grand - h998);
    f.high998 = analysis_finite(grand + h998);
    if (mean > f.high998)
        f.stands_out = ANALYSIS_ABOVE;
    else if (mean < f.low998)
        f.stands_out = ANALYSIS_BELOW;
    return f;
}

unsigned analysis_variance_notes(const analysis_variance_t *v)
{
    unsigned notes = 0;
    if (v->respondents > 0 && v->managers < 2)
        notes |= ANALYSIS_NOTE_ONE_MANAGER;
    if (v->respondents > 0 && v->respondents == v->managers)
        notes |= ANALYSIS_NOTE_ALL_SINGLETONS;
    return notes;
}

/* Per-item figures after alpha_finish (several items) or from the scale's
 * own figures (one item: the item is the score). */
static void analysis_items(const analysis_work_t *w, const dataset_scale_t *sc,
                           analysis_scale_t *out, bool with_alpha)
{
    const analysis_variance_t *v = &out->variance;
    for (size_t i = 0; i < sc->n_items; i++) {
        analysis_item_t *it = &out->items[i];
        it->column = sc->items[i];
        it->n = w->item_answered[i];
        it->mean = it->sd = it->item_rest_r = NAN;
        it->favourable_pct = analysis_finite(100.0 * analysis_ratio((double)w->item_fav[i],
                                                                    (double)it->n));
        if (with_alpha) {
            size_t n;
            double mean, var;
            alpha_item(&w->alpha, i, &n, &mean, &var);
            it->mean = analysis_finite(mean);
            it->sd = isnan(var) ? NAN : analysis_finite(sqrt(var));
            it->item_rest_r = alpha_rest_r(&w->alpha, i);
        } else if (v->respondents > 0 && sc->n_items == 1) {
            it->mean = v->grand_mean;
            it->sd = analysis_finite(sqrt(analysis_ratio(v->ss_between + v->ss_within,
                                                         (double)v->respondents - 1.0)));
        }
    }
}

static engage_status_t analysis_scale(const dataset_t *ds, size_t s, analysis_work_t *w,
                                      analysis_scale_t *out)
{
    const dataset_scale_t *sc = dataset_scale(ds, s);
    size_t k = sc->n_items;
    out->scale = sc;
    out->n_managers = w->n_managers;
    out->n_items = k;
    out->managers = analysis_calloc(w->n_managers, sizeof *out->managers);
    out->items = analysis_calloc(k, sizeof *out->items);
    if (!out->managers || !out->items)
        return ENGAGE_ENOMEM;
    bool with_alpha = k >= 2 && k <= ANALYSIS_MAX_ALPHA_ITEMS;
    alpha_fini(&w->alpha);
    if (with_alpha && alpha_start(&w->alpha, k) != ENGAGE_OK)
        return ENGAGE_ENOMEM;
    if (k > w->cols_cap) {
        free(w->cols);
        free(w->enough);
        free(w->item_answered);
        free(w->item_fav);
        w->cols = k > SIZE_MAX / ANALYSIS_COLUMN_STRIDE
                      ? NULL : analysis_calloc(k * ANALYSIS_COLUMN_STRIDE, sizeof *w->cols);
        w->enough = analysis_calloc(k + 1, 1);
        w->item_answered = analysis_calloc(k, sizeof *w->item_answered);
        w->item_fav = analysis_calloc(k, sizeof *w->item_fav);
        bool ok = w->cols && w->enough && w->item_answered && w->item_fav;
        w->cols_cap = ok ? k : 0;
        if (!ok)
            return ENGAGE_ENOMEM;
    }
    for (size_t answered = 0; answered <= k; answered++)
        w->enough[answered] = dataset_scale_scored(sc, answered);

    /* alpha's last blocks are folded while the managers are summarised */
    size_t n_scales = dataset_n_scales(ds);
    progress_stage("scoring %s (scale %zu of %zu)", sc->name, s + 1, n_scales);
    engage_status_t pass = analysis_pass_start(ds, sc, w, with_alpha);
    if (pass != ENGAGE_OK) {
        analysis_pass_end(sc, w);
        return pass;
    }
    size_t scored = analysis_score_pass(ds, sc, w, with_alpha);
    if (with_alpha)
        alpha_close(&w->alpha);
    w->rwg_done = w->rwg_n != NULL;
    analysis_pass_end(sc, w);
    progress_stage("analysing %s (scale %zu of %zu)", sc->name, s + 1, n_scales);
    engage_status_t st = analysis_summarise(w, sc, out, s + 1 == n_scales);
    analysis_variance_t *v = &out->variance;
    if (with_alpha)
        alpha_finish(&w->alpha);
    if (st != ENGAGE_OK)
        return st;
    v->alpha = with_alpha ? alpha_value(&w->alpha) : NAN;
    analysis_items(w, sc, out, with_alpha);

    unsigned notes = analysis_variance_notes(v);
    if (scored == 0)
        notes |= ANALYSIS_NOTE_NO_SCORES;
    if (scored >= 2 && w->score_min == w->score_max)
        notes |= ANALYSIS_NOTE_ZERO_VARIANCE;
    if (k < 2)
        notes |= ANALYSIS_NOTE_ONE_ITEM;
    if (k > ANALYSIS_MAX_ALPHA_ITEMS)
        notes |= ANALYSIS_NOTE_TOO_MANY_ITEMS;
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
#ifdef __GLIBC__
    malloc_trim(0);   /* the workspace (per respondent and per manager × item) goes back */
#endif
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
        for (size_t s = 0; s < results->n_scales; s++) {
            free(results->scales[s].managers);
            free(results->scales[s].items);
        }
    free(results->scales);
    free(results);
}
