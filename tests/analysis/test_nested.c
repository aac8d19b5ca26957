/*
 * tests/analysis/test_nested.c — cmocka tests of the nested REML fit
 * (analysis/nested.c).
 *
 * Against R: tests/fixtures/nested (made by make_nested.R) holds three data
 * sets as unit, manager, y — lme4::Pastes (balanced), nlme::Pixel
 * (unbalanced) and a made-up set with no unit variance (the boundary) — and
 * lme4's fit of y ~ 1 + (1 | unit) + (1 | unit:manager) with BOBYQA's
 * tolerances pushed to the limit.  The three components and the two shares
 * match it to 1e-7 relative (the boundary's unit variance is exactly 0
 * here and below 1e-12 in R; on Pastes, where lme4 stops early, to 1e-6 and
 * R's exact nested ANOVA to 1e-12), the REML criterion to 1e-10, and it is
 * never above lme4's, tight or default.  At every optimum the gradient
 * is zero to 1e-9 relative to its terms (in each free component; a held
 * component's derivative is >= 0), and the analytic gradient matches
 * central differences of the criterion.  Pastes is balanced, so its REML
 * estimates are also the nested ANOVA's closed form.
 *
 * Recovery: data with known components drawn with gsl_rng_mt19937 (fixed
 * seeds) as the fit sees them — per team its mean mu + u_k + v_j + ē with
 * ē ~ N(0, s2e/n_j), and its within sum of squares s2e·χ²(n_j - 1) — in
 * four shapes: few units (5), many units (300, of 1 to 15 teams), very
 * unequal team sizes (1 to 400), and no unit variance at all.  Over 60
 * replications of each, the mean of every estimate lies within 4 standard
 * errors (the replications' sd / √60) of the truth, every fit meets the
 * first-order conditions, and with no unit variance between 20% and 80% of
 * the fits put var_unit exactly at 0 (the boundary holds about half of the
 * mass).  One draw of 125,000 teams in 12,500 units (the benchmark's size)
 * lands within 10% of each component (its standard errors are 1 to 3%)
 * and prints the time the fit took.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "../../analysis/nested.h"

#include "close.h"

#define FIXTURES "tests/fixtures/nested/"

/* A data set reduced to what the fit takes. */
typedef struct {
    size_t count, n_units;
    size_t *n, *unit;
    double *mean, *ss;
    double ss_within;
    char **team_names, **unit_names;
} teams_t;

static size_t intern(char ***names, size_t *count, const char *name)
{
    for (size_t i = 0; i < *count; i++)
        if (strcmp((*names)[i], name) == 0)
            return i;
    *names = realloc(*names, (*count + 1) * sizeof **names);
    (*names)[*count] = strdup(name);
    return (*count)++;
}

/* unit,manager,y rows into per-team n, mean (two-pass) and ss. */
static teams_t read_teams(const char *file)
{
    char path[256];
    snprintf(path, sizeof path, FIXTURES "%s", file);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s (run the tests from the project root)", path);
    teams_t t = {0};
    char line[256];
    size_t rows = 0, *row_team = NULL;
    double *row_y = NULL;
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "unit,manager,y\n");
    while (fgets(line, sizeof line, f)) {
        char *unit = strtok(line, ","), *manager = strtok(NULL, ","), *y = strtok(NULL, "\n");
        assert_non_null(y);
        size_t before = t.count;
        size_t team = intern(&t.team_names, &t.count, manager);
        size_t u = intern(&t.unit_names, &t.n_units, unit);
        if (team == before) {
            t.unit = realloc(t.unit, t.count * sizeof *t.unit);
            t.unit[team] = u;
        }
        assert_int_equal(t.unit[team], u);
        row_team = realloc(row_team, (rows + 1) * sizeof *row_team);
        row_y = realloc(row_y, (rows + 1) * sizeof *row_y);
        row_team[rows] = team;
        row_y[rows++] = strtod(y, NULL);
    }
    fclose(f);
    t.n = calloc(t.count, sizeof *t.n);
    t.mean = calloc(t.count, sizeof *t.mean);
    t.ss = calloc(t.count, sizeof *t.ss);
    for (size_t i = 0; i < rows; i++) {
        t.n[row_team[i]]++;
        t.mean[row_team[i]] += row_y[i];
    }
    for (size_t j = 0; j < t.count; j++)
        t.mean[j] /= (double)t.n[j];
    for (size_t i = 0; i < rows; i++) {
        double d = row_y[i] - t.mean[row_team[i]];
        t.ss[row_team[i]] += d * d;
    }
    for (size_t j = 0; j < t.count; j++)
        t.ss_within += t.ss[j];
    free(row_team);
    free(row_y);
    return t;
}

static void teams_free(teams_t *t)
{
    for (size_t j = 0; j < t->count; j++)
        free(t->team_names[j]);
    for (size_t u = 0; u < t->n_units; u++)
        free(t->unit_names[u]);
    free(t->team_names);
    free(t->unit_names);
    free(t->n);
    free(t->unit);
    free(t->mean);
    free(t->ss);
}

typedef struct {
    double var_unit, var_manager, var_within, share_unit, share_manager, criterion,
        criterion_default;
} expected_t;

static expected_t read_expected(const char *dataset)
{
    FILE *f = fopen(FIXTURES "expected.csv", "r");
    assert_non_null(f);
    char line[1024];
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(strstr(line, "dataset,var_unit,var_manager,var_within,share_unit,share_manager,"
                                 "criterion,criterion_default,"));
    expected_t e;
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        char *name = strtok(line, ",");
        if (strcmp(name, dataset) != 0)
            continue;
        double *fields[] = { &e.var_unit, &e.var_manager, &e.var_within, &e.share_unit,
                             &e.share_manager, &e.criterion, &e.criterion_default };
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            *fields[i] = strtod(strtok(NULL, ","), NULL);
        found = true;
    }
    fclose(f);
    if (!found)
        fail_msg("no row %s in expected.csv", dataset);
    return e;
}

static nested_fit_t fit(const teams_t *t)
{
    nested_fit_t out;
    assert_int_equal(nested_reml(t->n, t->mean, t->unit, t->count, t->n_units, t->ss_within, &out),
                     ENGAGE_OK);
    return out;
}

#define assert_rel(got, want, rel) check_close((got), (want), (rel), #got, __FILE__, __LINE__)

/* The optimum's first-order conditions: each free component's partial
 * derivative zero to 1e-9 of its terms, a held one's >= 0. */
static void check_stationary(const teams_t *t, const nested_fit_t *r)
{
    double g[2], scale[2];
    double d = nested_criterion_at(t->n, t->mean, t->unit, t->count, t->n_units, t->ss_within,
                                   r->ratio_unit, r->ratio_manager, g, scale);
    assert_rel(d, r->criterion, 1e-15);
    const double ratio[2] = { r->ratio_unit, r->ratio_manager };
    for (int i = 0; i < 2; i++) {
        if (ratio[i] > 0.0) {
            if (!(fabs(g[i]) <= 1e-9 * scale[i]))
                fail_msg("component %d: gradient %.3g, its terms %.3g", i, g[i], scale[i]);
        } else {
            assert_true(ratio[i] == 0.0);
            assert_true(g[i] >= 0.0);
        }
    }
}

static void check_against_r(const char *dataset, const char *file, bool unit_boundary, double rel)
{
    teams_t t = read_teams(file);
    expected_t e = read_expected(dataset);
    nested_fit_t r = fit(&t);
    if (unit_boundary) {
        assert_true(r.var_unit == 0.0);
        assert_true(r.share_unit == 0.0);
        assert_true(e.var_unit >= 0.0 && e.var_unit < 1e-12);
    } else {
        assert_rel(r.var_unit, e.var_unit, rel);
        assert_rel(r.share_unit, e.share_unit, rel);
    }
    assert_rel(r.var_manager, e.var_manager, rel);
    assert_rel(r.var_within, e.var_within, rel);
    assert_rel(r.share_manager, e.share_manager, rel);
    assert_rel(r.criterion, e.criterion, 1e-10);
    assert_true(r.criterion <= e.criterion + 1e-12 * fabs(e.criterion));
    assert_true(r.criterion <= e.criterion_default + 1e-9 * fabs(e.criterion_default));
    check_stationary(&t, &r);
    teams_free(&t);
}

/* lme4::Pastes: 10 batches × 3 casks × 2 tests, balanced.  lme4's
 * optimisers stop about 3e-7 from the optimum here (with BOBYQA's, nlminb's
 * or Nelder-Mead's tolerances at their limit): matched to 1e-6, and to
 * 1e-12 against the exact optimum below. */
static void test_pastes(void **state)
{
    (void)state;
    check_against_r("pastes", "pastes.csv", false, 1e-6);
}

/* Balanced and positive, REML is the nested ANOVA:
 * var_within = MSE, var_manager = (MS_cask - MSE)/2,
 * var_unit = (MS_batch - MS_cask)/6 — as R's aov() gives them
 * (pastes_anova.csv) and as computed here. */
static void test_pastes_closed_form(void **state)
{
    (void)state;
    FILE *f = fopen(FIXTURES "pastes_anova.csv", "r");
    assert_non_null(f);
    char line[512];
    double r_unit, r_manager, r_within;
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "dataset,var_unit,var_manager,var_within\n");
    assert_int_equal(fscanf(f, "pastes,%lf,%lf,%lf", &r_unit, &r_manager, &r_within), 3);
    fclose(f);
    teams_t t = read_teams("pastes.csv");
    assert_int_equal(t.count, 30);
    assert_int_equal(t.n_units, 10);
    double grand = 0.0, unit_mean[10] = {0};
    for (size_t j = 0; j < t.count; j++) {
        grand += t.mean[j] / 30.0;
        unit_mean[t.unit[j]] += t.mean[j] / 3.0;
    }
    double ss_cask = 0.0, ss_batch = 0.0;
    for (size_t j = 0; j < t.count; j++)
        ss_cask += 2.0 * (t.mean[j] - unit_mean[t.unit[j]]) * (t.mean[j] - unit_mean[t.unit[j]]);
    for (size_t u = 0; u < 10; u++)
        ss_batch += 6.0 * (unit_mean[u] - grand) * (unit_mean[u] - grand);
    double mse = t.ss_within / 30.0, ms_cask = ss_cask / 20.0, ms_batch = ss_batch / 9.0;
    nested_fit_t r = fit(&t);
    assert_rel(r.var_within, mse, 1e-12);
    assert_rel(r.var_manager, (ms_cask - mse) / 2.0, 1e-12);
    assert_rel(r.var_unit, (ms_batch - ms_cask) / 6.0, 1e-12);
    assert_rel(r.var_within, r_within, 1e-12);
    assert_rel(r.var_manager, r_manager, 1e-12);
    assert_rel(r.var_unit, r_unit, 1e-12);
    teams_free(&t);
}

/* nlme::Pixel: 10 dogs × 2 sides, 2 to 7 scans each. */
static void test_pixel(void **state)
{
    (void)state;
    check_against_r("pixel", "pixel.csv", false, 1e-7);
}

/* No unit variance: exactly 0, the rest as lme4 (whose default optimiser
 * stops at a higher criterion on this set). */
static void test_boundary(void **state)
{
    (void)state;
    check_against_r("flat_units", "flat_units.csv", true, 1e-7);
}

/* The analytic gradient against central differences of the criterion,
 * at points inside and on the edges. */
static void test_gradient_matches_differences(void **state)
{
    (void)state;
    teams_t t = read_teams("pixel.csv");
    const double points[][2] = { { 2.0, 0.5 }, { 0.1, 3.0 }, { 0.0, 0.7 }, { 1.3, 0.0 } };
    for (size_t p = 0; p < sizeof points / sizeof points[0]; p++) {
        double a = points[p][0], b = points[p][1], g[2], sc[2], unused[2], unused_scale[2];
        nested_criterion_at(t.n, t.mean, t.unit, t.count, t.n_units, t.ss_within, a, b, g, sc);
        for (int i = 0; i < 2; i++) {
            double h = 1e-5 * fmax(points[p][i], 1.0);
            double lo = points[p][i] == 0.0 ? 0.0 : -h;   /* one-sided on the edge */
            double x0[2] = { a, b }, x1[2] = { a, b };
            x0[i] += lo;
            x1[i] += h;
            double d0 = nested_criterion_at(t.n, t.mean, t.unit, t.count, t.n_units, t.ss_within,
                                            x0[0], x0[1], unused, unused_scale);
            double d1 = nested_criterion_at(t.n, t.mean, t.unit, t.count, t.n_units, t.ss_within,
                                            x1[0], x1[1], unused, unused_scale);
            double numeric = (d1 - d0) / (h - lo);
            double tolerance = lo == 0.0 ? 1e-4 : 1e-7;
            if (!(fabs(numeric - g[i]) <= tolerance * sc[i]))
                fail_msg("point %zu, component %d: analytic %.10g, differences %.10g", p, i, g[i],
                         numeric);
        }
    }
    teams_free(&t);
}

/* Not identified: one unit; one team per unit; one respondent per team;
 * no within variance with teams that differ.  Every score equal: zeros. */
static void test_undefined(void **state)
{
    (void)state;
    nested_fit_t r;
    const size_t n[] = { 3, 2, 4, 2 };
    const double mean[] = { 1.0, 2.0, 4.0, 3.0 };
    const size_t one_unit[] = { 0, 0, 0, 0 }, own_unit[] = { 0, 1, 2, 3 }, two[] = { 0, 0, 1, 1 };
    assert_int_equal(nested_reml(n, mean, one_unit, 4, 1, 5.0, &r), ENGAGE_OK);
    assert_nan(r.var_unit);
    assert_nan(r.var_within);
    assert_int_equal(nested_reml(n, mean, own_unit, 4, 4, 5.0, &r), ENGAGE_OK);
    assert_nan(r.var_manager);
    const size_t singles[] = { 1, 1, 1, 1 };
    assert_int_equal(nested_reml(singles, mean, two, 4, 2, 0.0, &r), ENGAGE_OK);
    assert_nan(r.share_manager);
    assert_int_equal(nested_reml(n, mean, two, 4, 2, 0.0, &r), ENGAGE_OK);
    assert_nan(r.var_within);
    const double flat[] = { 2.0, 2.0, 2.0, 2.0 };
    assert_int_equal(nested_reml(n, flat, two, 4, 2, 0.0, &r), ENGAGE_OK);
    assert_true(r.var_unit == 0.0 && r.var_manager == 0.0 && r.var_within == 0.0);
    assert_nan(r.share_unit);
    /* a defined fit: the same teams with variance within them */
    assert_int_equal(nested_reml(n, mean, two, 4, 2, 5.0, &r), ENGAGE_OK);
    assert_false(isnan(r.var_within));
    assert_true(r.var_within > 0.0 && r.var_unit >= 0.0 && r.var_manager >= 0.0);
}

/* --- recovery on generated data ------------------------------------------ */

typedef struct {
    size_t units, teams_low, teams_high;  /* teams per unit, uniform */
    int sizes;                            /* 0: 1 + NegBin(3, 0.3); 1: 1 to 400, log-uniform */
    double var_unit, var_manager, var_within;
} shape_t;

static size_t team_size(gsl_rng *rng, int sizes)
{
    if (sizes == 1)
        return (size_t)floor(exp(gsl_rng_uniform(rng) * log(400.0))) + (gsl_rng_uniform(rng) < 0.5);
    return 1 + gsl_ran_negative_binomial(rng, 0.3, 3.0);
}

/* One draw of a shape into t (its arrays reallocated). */
static void draw(gsl_rng *rng, const shape_t *sh, teams_t *t)
{
    t->count = 0;
    t->n_units = sh->units;
    t->ss_within = 0.0;
    size_t cap = sh->units * sh->teams_high;
    t->n = realloc(t->n, cap * sizeof *t->n);
    t->unit = realloc(t->unit, cap * sizeof *t->unit);
    t->mean = realloc(t->mean, cap * sizeof *t->mean);
    for (size_t k = 0; k < sh->units; k++) {
        double u = gsl_ran_gaussian(rng, sqrt(sh->var_unit));
        size_t teams = sh->teams_low + gsl_rng_uniform_int(rng, sh->teams_high - sh->teams_low + 1);
        for (size_t j = 0; j < teams; j++) {
            size_t n = team_size(rng, sh->sizes);
            double v = gsl_ran_gaussian(rng, sqrt(sh->var_manager));
            t->n[t->count] = n;
            t->unit[t->count] = k;
            t->mean[t->count] = 3.5 + u + v + gsl_ran_gaussian(rng, sqrt(sh->var_within / (double)n));
            if (n > 1)
                t->ss_within += sh->var_within * gsl_ran_chisq(rng, (double)(n - 1));
            t->count++;
        }
    }
}

enum { REPLICATIONS = 60 };

/* Every component's mean over the replications within 4 standard errors of
 * the truth; a component whose truth is 0, estimated >= 0, is biased up by
 * the boundary: its mean must stay below its sd (a normal cut at 0 has mean
 * 0.69 of its sd; any real variance would push it above). */
static void check_recovery(const shape_t *sh, unsigned long seed, size_t *at_zero)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    teams_t t = {0};
    double sum[3] = {0}, sum2[3] = {0};
    const double truth[3] = { sh->var_unit, sh->var_manager, sh->var_within };
    *at_zero = 0;
    for (int r = 0; r < REPLICATIONS; r++) {
        draw(rng, sh, &t);
        nested_fit_t f = fit(&t);
        assert_false(isnan(f.var_within));
        check_stationary(&t, &f);
        const double est[3] = { f.var_unit, f.var_manager, f.var_within };
        for (int c = 0; c < 3; c++) {
            sum[c] += est[c];
            sum2[c] += est[c] * est[c];
        }
        *at_zero += f.var_unit == 0.0;
    }
    for (int c = 0; c < 3; c++) {
        double mean = sum[c] / REPLICATIONS;
        double sd = sqrt((sum2[c] - REPLICATIONS * mean * mean) / (REPLICATIONS - 1));
        double se = sd / sqrt((double)REPLICATIONS);
        printf("  component %d: truth %.4f, mean %.4f, sd %.4f\n", c, truth[c], mean, sd);
        if (truth[c] == 0.0 ? !(mean <= sd) : !(fabs(mean - truth[c]) <= 4.0 * se))
            fail_msg("component %d: mean %.5g of %d fits, truth %.5g, standard error %.3g", c, mean,
                     REPLICATIONS, truth[c], se);
    }
    free(t.n);
    free(t.unit);
    free(t.mean);
    gsl_rng_free(rng);
}

static void test_recovery_few_units(void **state)
{
    (void)state;
    const shape_t sh = { 5, 20, 60, 0, 0.2, 0.15, 0.8 };
    size_t zero;
    check_recovery(&sh, 101, &zero);
}

static void test_recovery_many_units(void **state)
{
    (void)state;
    const shape_t sh = { 300, 1, 15, 0, 0.03, 0.12, 0.9 };
    size_t zero;
    check_recovery(&sh, 202, &zero);
    assert_int_equal(zero, 0);
}

static void test_recovery_unequal_sizes(void **state)
{
    (void)state;
    const shape_t sh = { 30, 2, 20, 1, 0.1, 0.3, 1.0 };
    size_t zero;
    check_recovery(&sh, 303, &zero);
}

static void test_recovery_no_unit_variance(void **state)
{
    (void)state;
    const shape_t sh = { 40, 2, 10, 0, 0.0, 0.2, 1.0 };
    size_t zero;
    check_recovery(&sh, 404, &zero);
    printf("  var_unit exactly 0 in %zu of %d fits\n", zero, REPLICATIONS);
    assert_true(zero >= REPLICATIONS / 5 && zero <= 4 * REPLICATIONS / 5);
}

/* 125,000 teams in 12,500 units: O(teams) per evaluation. */
static void test_many_teams(void **state)
{
    (void)state;
    const shape_t sh = { 12500, 5, 15, 0, 0.05, 0.15, 0.8 };
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 505);
    teams_t t = {0};
    draw(rng, &sh, &t);
    gsl_rng_free(rng);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    nested_fit_t f = fit(&t);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("nested reml over %zu teams in %zu units: %.1f ms, %u evaluations; unit %.4f, "
           "manager %.4f, within %.4f\n", t.count, t.n_units, ms, f.evaluations, f.var_unit,
           f.var_manager, f.var_within);
    check_stationary(&t, &f);
    assert_true(f.evaluations <= 400);
    assert_true(fabs(f.var_unit - sh.var_unit) < 0.1 * sh.var_unit);
    assert_true(fabs(f.var_manager - sh.var_manager) < 0.1 * sh.var_manager);
    assert_true(fabs(f.var_within - sh.var_within) < 0.1 * sh.var_within);
    free(t.n);
    free(t.unit);
    free(t.mean);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pastes),
        cmocka_unit_test(test_pastes_closed_form),
        cmocka_unit_test(test_pixel),
        cmocka_unit_test(test_boundary),
        cmocka_unit_test(test_gradient_matches_differences),
        cmocka_unit_test(test_undefined),
        cmocka_unit_test(test_recovery_few_units),
        cmocka_unit_test(test_recovery_many_units),
        cmocka_unit_test(test_recovery_unequal_sizes),
        cmocka_unit_test(test_recovery_no_unit_variance),
        cmocka_unit_test(test_many_teams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
