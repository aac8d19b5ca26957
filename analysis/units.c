/*
 * analysis/units.c — per-unit figures (units.h): every respondent's scale
 * score worked out again as analysis.c works it out (the same sums in the
 * same item order, so a unit of one manager gets that manager's figures
 * bit for bit), then grouped by the unit of its manager.
 *
 * Owns: the units_t it returns, and per call a workspace: the respondents
 * laid out by unit (a counting sort), one block of item values, and per
 * unit the favourable counts and rwg(j) sums.  Cost per scale:
 * O(respondents × items) reads plus a sort per unit; memory O(respondents +
 * units × items).  Assumes a finished dataset.
 */
#include "units.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

/* Respondents read per block: their item columns stay in the caches. */
enum { UNITS_READ_ROWS = 256 };

static void *units_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return calloc(n ? n : 1, size);
}

static double units_finite(double v)
{
    return isfinite(v) ? v : NAN;
}

typedef struct {
    const char *name;
    size_t manager;
} units_key_t;

static int units_compare_keys(const void *a, const void *b)
{
    const units_key_t *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c != 0)
        return c;
    return x->manager < y->manager ? -1 : x->manager > y->manager;
}

/* Names and unit_of from the dataset's manager units, in byte order. */
static engage_status_t units_index(const dataset_t *ds, units_t *u)
{
    size_t M = dataset_n_managers(ds);
    units_key_t *keys = units_calloc(M, sizeof *keys);
    u->names = units_calloc(M, sizeof *u->names);
    u->unit_of = units_calloc(M, sizeof *u->unit_of);
    if (!keys || !u->names || !u->unit_of) {
        free(keys);
        return ENGAGE_ENOMEM;
    }
    u->n_managers = M;
    for (size_t m = 0; m < M; m++) {
        const char *name = dataset_manager_unit(ds, m);
        keys[m] = (units_key_t){ name ? name : "", m };
    }
    qsort(keys, M, sizeof *keys, units_compare_keys);
    for (size_t i = 0; i < M; i++) {
        if (i == 0 || strcmp(keys[i].name, keys[i - 1].name) != 0)
            u->names[u->n_units++] = keys[i].name;
        u->unit_of[keys[i].manager] = u->n_units - 1;
    }
    free(keys);
    return ENGAGE_OK;
}

typedef struct {
    size_t *start;      /* [unit] first slot of grouped; [n_units] = N */
    size_t *cursor;     /* [unit] next free slot */
    double *grouped;    /* scores by unit */
    size_t *fav, *unf, *ans;  /* [unit] favourable / unfavourable / answered item values */
    size_t *rwg_n;      /* [unit] respondents who answered every item */
    double *rwg_sq;     /* [unit] Σ over them and items of (x - middle)² */
    double *rwg_sum;    /* [unit × item] Σ x over them */
    double *cols;       /* [item × UNITS_READ_ROWS] a block's values, reverse coded */
} units_work_t;

static void units_work_fini(units_work_t *w)
{
    free(w->start);
    free(w->cursor);
    free(w->grouped);
    free(w->fav);
    free(w->unf);
    free(w->ans);
    free(w->rwg_n);
    free(w->rwg_sq);
    free(w->rwg_sum);
    free(w->cols);
}

/* One scale: scores by unit, then each unit's figures. */
static engage_status_t units_scale(const dataset_t *ds, const analysis_scale_t *as,
                                   const units_t *u, units_work_t *w, units_scale_t *out)
{
    const dataset_scale_t *sc = as->scale;
    size_t k = sc->n_items, U = u->n_units, N = dataset_n_respondents(ds);
    out->scale = sc;
    out->units = units_calloc(U, sizeof *out->units);
    free(w->cols);
    free(w->rwg_sum);
    w->cols = k > SIZE_MAX / UNITS_READ_ROWS ? NULL
                                             : units_calloc(k * UNITS_READ_ROWS, sizeof *w->cols);
    w->rwg_sum = U && k > SIZE_MAX / U ? NULL : units_calloc(U * k, sizeof *w->rwg_sum);
    if (!out->units || !w->cols || !w->rwg_sum)
        return ENGAGE_ENOMEM;
    memcpy(w->cursor, w->start, U * sizeof *w->cursor);
    memset(w->fav, 0, U * sizeof *w->fav);
    memset(w->unf, 0, U * sizeof *w->unf);
    memset(w->ans, 0, U * sizeof *w->ans);
    memset(w->rwg_n, 0, U * sizeof *w->rwg_n);
    memset(w->rwg_sq, 0, U * sizeof *w->rwg_sq);

    const double middle = (sc->min + sc->max) / 2.0;
    const double middle_sq = (double)k * middle * middle;
    for (size_t first = 0; first < N; first += UNITS_READ_ROWS) {
        size_t count = N - first < UNITS_READ_ROWS ? N - first : UNITS_READ_ROWS;
        for (size_t i = 0; i < k; i++) {
            double *x = w->cols + i * UNITS_READ_ROWS;
            dataset_column_read(ds, sc->items[i], first, count, x);
            for (size_t t = 0; t < count; t++)
                x[t] = dataset_scale_answer(sc, i, x[t]);
        }
        for (size_t t = 0; t < count; t++) {
            double sum = 0.0, sumsq = 0.0;
            size_t answered = 0, favourable = 0, unfavourable = 0;
            for (size_t i = 0; i < k; i++) {
                double x = w->cols[i * UNITS_READ_ROWS + t];
                if (isnan(x))
                    continue;
                sum += x;
                sumsq += x * x;
                answered++;
                favourable += x >= sc->favourable;
                unfavourable += x <= sc->unfavourable;
            }
            if (!dataset_scale_scored(sc, answered))
                continue;
            size_t unit = u->unit_of[dataset_manager_of(ds, first + t)];
            w->grouped[w->cursor[unit]++] = sum / (double)answered;
            w->fav[unit] += favourable;
            w->unf[unit] += unfavourable;
            w->ans[unit] += answered;
            if (k >= 2 && answered == k) {
                double *x_sum = w->rwg_sum + unit * k;
                for (size_t i = 0; i < k; i++)
                    x_sum[i] += w->cols[i * UNITS_READ_ROWS + t];
                w->rwg_sq[unit] += (sumsq - 2.0 * middle * sum) + middle_sq;
                w->rwg_n[unit]++;
            }
        }
    }

    for (size_t m = 0; m < as->n_managers; m++)
        if (as->managers[m].n > 0)
            out->units[u->unit_of[m]].managers++;
    double a = sc->max - sc->min + 1.0, null = (a * a - 1.0) / 12.0;
    for (size_t unit = 0; unit < U; unit++) {
        units_figures_t *f = &out->units[unit];
        double *g = w->grouped + w->start[unit];
        size_t n = w->cursor[unit] - w->start[unit];
        f->n = n;
        f->mean = f->sd = f->se = f->ci_low = f->ci_high = f->median = NAN;
        f->favourable_pct = f->neutral_pct = f->unfavourable_pct = f->rwg = NAN;
        if (n == 0)
            continue;
        gsl_sort(g, 1, n);
        double ss, mean = analysis_mean_ss(g, n, &ss);
        f->mean = units_finite(mean);
        f->median = units_finite(gsl_stats_median_from_sorted_data(g, 1, n));
        analysis_shares(sc, w->ans[unit], w->fav[unit], w->unf[unit], &f->favourable_pct, &f->neutral_pct,
                        &f->unfavourable_pct);
        if (n > 1) {
            f->sd = units_finite(sqrt(ss / (double)(n - 1)));
            f->se = units_finite(f->sd / sqrt((double)n));
            double t = analysis_t975(NULL, 0, n - 1);
            f->ci_low = units_finite(f->mean - t * f->se);
            f->ci_high = units_finite(f->mean + t * f->se);
        }
        if (k == 1) {
            f->rwg = n > 1 ? analysis_rwg(ss / (double)(n - 1), null, 1.0) : NAN;
        } else if (w->rwg_n[unit] >= 2) {
            double c = (double)w->rwg_n[unit], between = 0.0;
            const double *x_sum = w->rwg_sum + unit * k;
            for (size_t i = 0; i < k; i++) {
                double d_sum = x_sum[i] - c * middle;
                between += d_sum * d_sum / c;
            }
            f->rwg = analysis_rwg((w->rwg_sq[unit] - between) / ((double)k * (c - 1.0)), null,
                               (double)k);
        }
    }
    return ENGAGE_OK;
}

engage_status_t units_run(const dataset_t *ds, const results_t *results, units_t **out,
                          engage_error_t *err)
{
    *out = NULL;
    units_t *u = units_calloc(1, sizeof *u);
    units_work_t w = { 0 };
    engage_status_t st = u ? units_index(ds, u) : ENGAGE_ENOMEM;
    size_t N = dataset_n_respondents(ds), U = u ? u->n_units : 0;
    if (st == ENGAGE_OK) {
        u->scales = units_calloc(results->n_scales, sizeof *u->scales);
        w.start = units_calloc(U + 1, sizeof *w.start);
        w.cursor = units_calloc(U, sizeof *w.cursor);
        w.grouped = units_calloc(N, sizeof *w.grouped);
        w.fav = units_calloc(U, sizeof *w.fav);
        w.unf = units_calloc(U, sizeof *w.unf);
        w.ans = units_calloc(U, sizeof *w.ans);
        w.rwg_n = units_calloc(U, sizeof *w.rwg_n);
        w.rwg_sq = units_calloc(U, sizeof *w.rwg_sq);
        if (!u->scales || !w.start || !w.cursor || !w.grouped || !w.fav || !w.unf || !w.ans ||
            !w.rwg_n || !w.rwg_sq)
            st = ENGAGE_ENOMEM;
    }
    if (st == ENGAGE_OK) {
        for (size_t r = 0; r < N; r++)
            w.start[u->unit_of[dataset_manager_of(ds, r)] + 1]++;
        for (size_t unit = 0; unit < U; unit++)
            w.start[unit + 1] += w.start[unit];
    }
    for (size_t s = 0; st == ENGAGE_OK && s < results->n_scales; s++) {
        u->n_scales = s + 1;
        st = units_scale(ds, &results->scales[s], u, &w, &u->scales[s]);
        if (st == ENGAGE_OK)
            st = nested_decompose(results->scales[s].managers, results->scales[s].n_managers, NULL,
                                  u->unit_of, u->n_units, &u->scales[s].nested);
    }
    units_work_fini(&w);
    if (st != ENGAGE_OK) {
        units_free(u);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0,
                           "out of memory while summarising units of %zu respondents", N);
    }
    *out = u;
    return ENGAGE_OK;
}

void units_free(units_t *units)
{
    if (!units)
        return;
    for (size_t s = 0; s < units->n_scales; s++)
        free(units->scales[s].units);
    free(units->scales);
    free(units->names);
    free(units->unit_of);
    free(units);
}
