/*
 * tests/report/test_changes_report.c — wave over wave: changes_run() on two
 * waves built in memory (Welch figures against R's t.test and p.adjust on
 * tests/fixtures/reference/welch_bh*.csv), the suppression of change rows
 * (below min_group in either wave, the secondary rule in each wave, a
 * manager present in one wave only), Benjamini–Hochberg over the shown rows
 * only, and changes.csv / report.txt written by report_write() without a
 * suppressed figure, nan or inf.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "read_file.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../analysis/analysis.h"
#include "../../analysis/changes.h"
#include "../../report/privacy.h"
#include "../../report/report.h"

#define FIXTURES "tests/fixtures/reference/"

enum { MANAGERS = 6 };

static void close_to(double got, double want, const char *what)
{
    if (!(fabs(got - want) <= 1e-7 * fabs(want)))
        fail_msg("%s: %.17g, R %.17g", what, got, want);
}

/* A wave with one one-item scale "engagement" (1..5) on column "y". */
static dataset_t *new_wave(void)
{
    dataset_t *ds = dataset_new();
    assert_non_null(ds);
    size_t y;
    assert_int_equal(dataset_add_column(ds, "y", &y), ENGAGE_OK);
    size_t items[1] = { y };
    bool reverse[1] = { false };
    dataset_scale_t scale = { "engagement", 1, items, reverse, 1, 5, 0.5, 4, 2 };
    assert_int_equal(dataset_add_scale(ds, &scale), ENGAGE_OK);
    return ds;
}

static void add(dataset_t *ds, const char *manager, double value)
{
    static int next = 0;
    char id[32];
    snprintf(id, sizeof id, "R%06d", ++next);
    double values[1] = { value };
    assert_int_equal(dataset_add_row(ds, id, manager, values, 0, next + 1, NULL, NULL), ENGAGE_OK);
}

typedef struct {
    dataset_t *ds[2];          /* previous, current */
    results_t *results[2];
    changes_t *changes;
} waves_t;

static void analyse(waves_t *w)
{
    for (int i = 0; i < 2; i++) {
        assert_int_equal(dataset_finish(w->ds[i]), ENGAGE_OK);
        assert_int_equal(analysis_run(w->ds[i], &w->results[i], NULL), ENGAGE_OK);
    }
    assert_int_equal(changes_run(w->ds[0], w->results[0], w->ds[1], w->results[1], &w->changes,
                                 NULL),
                     ENGAGE_OK);
}

static void waves_free(waves_t *w)
{
    changes_free(w->changes);
    for (int i = 0; i < 2; i++) {
        results_free(w->results[i]);
        dataset_free(w->ds[i]);
    }
}

/* The fixture's two waves, plus (extra) a manager "g007" in the current
 * wave only. */
static void fixture_waves(waves_t *w, bool extra)
{
    memset(w, 0, sizeof *w);
    w->ds[0] = new_wave();
    w->ds[1] = new_wave();
    FILE *f = fopen(FIXTURES "welch_bh.csv", "r");
    if (!f)
        fail_msg("cannot open " FIXTURES "welch_bh.csv (run the tests from the project root)");
    char line[256], manager[32], wave[16];
    double value;
    assert_non_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        assert_int_equal(sscanf(line, "%31[^,],%15[^,],%lf", manager, wave, &value), 3);
        add(w->ds[strcmp(wave, "current") == 0], manager, value);
    }
    fclose(f);
    if (extra)
        for (int i = 0; i < 3; i++)
            add(w->ds[1], "g007", 2 + i);
    analyse(w);
}

static void read_expected(double expected[MANAGERS][9])
{
    FILE *f = fopen(FIXTURES "welch_bh_expected.csv", "r");
    assert_non_null(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    for (int m = 0; m < MANAGERS; m++) {
        assert_non_null(fgets(line, sizeof line, f));
        double *e = expected[m];
        assert_int_equal(sscanf(line, "g%*d,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf", &e[0], &e[1],
                                &e[2], &e[3], &e[4], &e[5], &e[6], &e[7], &e[8]),
                         9);
    }
    fclose(f);
}

static void test_rows_match_r(void **state)
{
    (void)state;
    waves_t w;
    fixture_waves(&w, false);
    double e[MANAGERS][9];
    read_expected(e);
    assert_int_equal(w.changes->n_scales, 1);
    const changes_scale_t *cs = &w.changes->scales[0];
    assert_int_equal(cs->n_rows, MANAGERS);
    for (int m = 0; m < MANAGERS; m++) {
        const changes_row_t *r = &cs->rows[m];
        char id[16];
        snprintf(id, sizeof id, "g%03d", m + 1);
        assert_string_equal(r->manager_id, id);
        assert_int_equal(r->previous.n, (size_t)e[m][0]);
        assert_int_equal(r->current.n, (size_t)e[m][2]);
        close_to(r->previous.mean, e[m][1], "mean_previous");
        close_to(r->current.mean, e[m][3], "mean");
        close_to(r->welch.delta, e[m][4], "delta");
        close_to(r->welch.ci_low, e[m][5], "ci_low");
        close_to(r->welch.ci_high, e[m][6], "ci_high");
        close_to(r->welch.p_value, e[m][7], "p_value");
    }
    /* min_group 5: every manager is shown, so q is R's p.adjust over all */
    privacy_t pv = { 0 };
    assert_int_equal(privacy_add_changes(&pv, w.changes, 5, NULL), ENGAGE_OK);
    assert_int_equal(pv.changes[0].summary.n_shown, MANAGERS);
    for (int m = 0; m < MANAGERS; m++)
        close_to(pv.changes[0].q[m], e[m][8], "q_value");
    /* the company level: Welch on each wave's N, grand mean and sd from SS_total */
    size_t n0 = 0, n1 = 0;
    double s0 = 0, s1 = 0;
    for (int m = 0; m < MANAGERS; m++) {
        n0 += (size_t)e[m][0];
        n1 += (size_t)e[m][2];
        s0 += e[m][0] * e[m][1];
        s1 += e[m][2] * e[m][3];
    }
    assert_int_equal(cs->previous.n, n0);
    assert_int_equal(cs->current.n, n1);
    close_to(cs->previous.mean, s0 / (double)n0, "grand mean previous");
    close_to(cs->current.mean, s1 / (double)n1, "grand mean");
    const analysis_variance_t *v = &w.results[1]->scales[0].variance;
    close_to(cs->current.sd, sqrt((v->ss_between + v->ss_within) / (double)(n1 - 1)), "sd");
    close_to(cs->welch.delta, s1 / (double)n1 - s0 / (double)n0, "company delta");
    assert_true(isfinite(cs->welch.p_value));
    for (size_t s = 0; s < pv.n_change_scales; s++) {
        free(pv.changes[s].reason);
        free(pv.changes[s].q);
    }
    free(pv.changes);
    waves_free(&w);
}

/* BH runs over the shown rows only: with min_group 6, g003 (5 before) and
 * g006 (5 now) are hidden, and g001, which the previous wave's own report
 * hid beside g003 (6 before, the smallest shown then), and the other three
 * are adjusted among themselves. */
static void test_bh_over_shown_rows(void **state)
{
    (void)state;
    waves_t w;
    fixture_waves(&w, false);
    privacy_t pv = { 0 };
    assert_int_equal(privacy_add_changes(&pv, w.changes, 6, NULL), ENGAGE_OK);
    const changes_scale_t *cs = &w.changes->scales[0];
    const privacy_change_scale_t *pc = &pv.changes[0];
    double p[MANAGERS], q[MANAGERS];
    bool include[MANAGERS];
    for (int m = 0; m < MANAGERS; m++) {
        bool hidden = m == 0 || m == 2 || m == 5;
        assert_int_equal(pc->reason[m], hidden ? PRIVACY_PRIMARY : PRIVACY_SHOWN);
        p[m] = cs->rows[m].welch.p_value;
        include[m] = !hidden;
    }
    assert_int_equal(pc->summary.n_secondary, 0);
    assert_true(changes_bh(p, include, MANAGERS, q));
    double largest = 0;
    for (int m = 0; m < MANAGERS; m++) {
        if (!include[m]) {
            assert_true(isnan(pc->q[m]));
            continue;
        }
        assert_true(pc->q[m] == q[m]);
        if (p[m] > largest)
            largest = p[m];
    }
    /* by hand: the largest of m p-values keeps q = p */
    for (int m = 0; m < MANAGERS; m++)
        if (include[m] && p[m] == largest)
            assert_true(pc->q[m] == largest);
    for (size_t s = 0; s < pv.n_change_scales; s++) {
        free(pv.changes[s].reason);
        free(pv.changes[s].q);
    }
    free(pv.changes);
    waves_free(&w);
}

static void expect_reasons(const size_t *n_previous, const size_t *n, size_t count, long k,
                           const char *want)
{
    unsigned char reason[16];
    privacy_change_summary_t s;
    assert_int_equal(privacy_suppress_changes(n_previous, n, count, k, reason, &s, NULL),
                     ENGAGE_OK);
    char got[17];
    for (size_t i = 0; i < count; i++)
        got[i] = "SPX"[reason[i]];
    got[count] = '\0';
    assert_string_equal(got, want);
    assert_true(s.hidden_previous == 0 || s.hidden_previous >= (size_t)k || s.n_shown == 0);
    assert_true(s.hidden == 0 || s.hidden >= (size_t)k || s.n_shown == 0);
}

static void test_suppression_rules(void **state)
{
    (void)state;
    /* S shown, P primary, X secondary; min_group 5 */
    {   /* below min_group in the previous wave only; its 3 pull in the
         * smallest shown row by n_previous (6), which the previous wave's
         * own report hid too: hidden from the start */
        size_t prev[] = { 10, 3, 6, 8 }, now[] = { 10, 10, 20, 6 };
        expect_reasons(prev, now, 4, 5, "SPPS");
    }
    {   /* the current wave's 2 hidden pull in the smallest by n (6) */
        size_t prev[] = { 10, 10, 12, 7 }, now[] = { 10, 2, 6, 8 };
        expect_reasons(prev, now, 4, 5, "SPXS");
    }
    {   /* a manager in one wave only hides 0 of the other: only its own wave's
         * 3 count, and a tie of 7 goes to the first in manager_id order */
        size_t prev[] = { 0, 9, 9, 9 }, now[] = { 3, 7, 7, 9 };
        expect_reasons(prev, now, 4, 5, "PXSS");
    }
    {   /* 4 hidden in each wave by different rows: the row the previous
         * wave's report hid beside the 4 (6 before) brings its 30 of this
         * wave too */
        size_t prev[] = { 4, 0, 6, 30, 8 }, now[] = { 0, 4, 30, 6, 8 };
        expect_reasons(prev, now, 5, 5, "PPPSS");
    }
    {   /* nothing small: nothing hidden */
        size_t prev[] = { 5, 6 }, now[] = { 7, 5 };
        expect_reasons(prev, now, 2, 5, "SS");
    }
    {   /* everything small: all primary, nothing left to show */
        size_t prev[] = { 1, 2 }, now[] = { 3, 4 };
        expect_reasons(prev, now, 2, 5, "PP");
    }
}

/* A manager in the current wave only: listed, n_previous 0, suppressed,
 * and its 3 respondents pull in the smallest shown team by n (g006, 5). */
static void test_manager_in_one_wave(void **state)
{
    (void)state;
    waves_t w;
    fixture_waves(&w, true);
    const changes_scale_t *cs = &w.changes->scales[0];
    assert_int_equal(cs->n_rows, MANAGERS + 1);
    const changes_row_t *r = &cs->rows[MANAGERS];
    assert_string_equal(r->manager_id, "g007");
    assert_int_equal(r->previous.n, 0);
    assert_int_equal(r->current.n, 3);
    assert_true(isnan(r->previous.mean) && isnan(r->welch.delta) && isnan(r->welch.p_value));
    privacy_t pv = { 0 };
    assert_int_equal(privacy_add_changes(&pv, w.changes, 5, NULL), ENGAGE_OK);
    assert_int_equal(pv.changes[0].reason[MANAGERS], PRIVACY_PRIMARY);
    assert_int_equal(pv.changes[0].reason[5], PRIVACY_SECONDARY);
    assert_int_equal(pv.changes[0].summary.n_shown, MANAGERS - 1);
    for (size_t s = 0; s < pv.n_change_scales; s++) {
        free(pv.changes[s].reason);
        free(pv.changes[s].q);
    }
    free(pv.changes);
    waves_free(&w);
}

/* report_write() with a previous wave: changes.csv rows for the union of
 * managers, suppressed rows without a figure, no nan/inf, zero variance as
 * empty cells; report.txt shows no hidden manager. */
static void test_report_outputs(void **state)
{
    (void)state;
    waves_t w = { 0 };
    w.ds[0] = new_wave();
    w.ds[1] = new_wave();
    /* previous: A 6 (all 3), B 6, C 6, E 4;  current: A 6 (all 3), B 2, C 8, D 7.
     * The previous wave's own report hid E and, beside it, A (the first of
     * the smallest shown): A's change stays hidden so that its previous
     * mean cannot be set against that report's total. */
    for (int i = 0; i < 6; i++) {
        add(w.ds[0], "A", 3);
        add(w.ds[0], "B", 1 + i % 3);
        add(w.ds[0], "C", 2 + i % 2);
        add(w.ds[1], "A", 3);
    }
    for (int i = 0; i < 4; i++)
        add(w.ds[0], "E-hidden", 1 + i % 4);
    for (int i = 0; i < 2; i++)
        add(w.ds[1], "B", 4);
    for (int i = 0; i < 8; i++)
        add(w.ds[1], "C", 4 + i % 2);
    for (int i = 0; i < 7; i++)
        add(w.ds[1], "D-hidden", 2 + i % 3);
    analyse(&w);

    config_t cfg;
    assert_int_equal(config_init_default(&cfg, NULL), ENGAGE_OK);
    const char *items[] = { "y" };
    assert_int_equal(config_add_scale(&cfg, "engagement", items, 1, 1, 5, NULL), ENGAGE_OK);
    cfg.min_group = 5;
    ingest_log_t log, previous_log;
    ingest_log_init(&log);
    ingest_log_init(&previous_log);
    char *argv[] = { "engage", "run" };
    report_input_t in = { .config = &cfg, .dataset = w.ds[1], .results = w.results[1],
                          .log = &log, .argc = 2, .argv = argv, .version = "9.9.9",
                          .changes = w.changes, .previous_log = &previous_log };
    char dir[] = "/tmp/engage-changes-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char out[64], path[96];
    snprintf(out, sizeof out, "%s/out", dir);
    assert_int_equal(report_write(&in, out, NULL), ENGAGE_OK);

    snprintf(path, sizeof path, "%s/changes.csv", out);
    char *csv = read_file(path, NULL);
    const char *want =
        "scale,manager_id,n_previous,mean_previous,n,mean,delta,ci_low,ci_high,p_value,"
        "suppressed,q_value\n"
        "engagement,A,6,,6,,,,,,1,\n"
        "engagement,B,6,,2,,,,,,1,\n"
        "engagement,C,6,2.5,8,4.5,2,";
    assert_memory_equal(csv, want, strlen(want));
    assert_non_null(strstr(csv, "\nengagement,D-hidden,0,,7,,,,,,1,\n"));
    assert_non_null(strstr(csv, "\nengagement,E-hidden,4,,0,,,,,,1,\n"));
    size_t lines = 0;
    for (const char *p = csv; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 6);
    assert_null(strstr(csv, "nan"));
    assert_null(strstr(csv, "inf"));
    free(csv);

    snprintf(path, sizeof path, "%s/report.txt", out);
    char *text = read_file(path, NULL);
    /* D-hidden is shown in this wave's managers.csv, but no change of a
     * hidden row may appear; E-hidden is in the previous wave only */
    char *section = strstr(text, "Change since the previous wave");
    assert_non_null(section);
    char *section_end = strstr(section, "Data quality");
    assert_non_null(section_end);
    *section_end = '\0';
    assert_null(strstr(section, "D-hidden"));
    assert_null(strstr(section, "E-hidden"));
    assert_null(strstr(section, "  B  "));
    assert_non_null(strstr(section, "Mean score: 2.50 in the previous wave (22 respondents)"));
    *section_end = 'D';
    assert_null(strstr(text, "E-hidden"));
    assert_null(strstr(text, "nan"));
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        assert_non_null(end);
        size_t cols = 0;
        for (const char *p = line; p < end; p++)
            cols += ((unsigned char)*p & 0xC0) != 0x80;
        assert_true(cols <= 80);
        line = end + 1;
    }
    free(text);

    snprintf(path, sizeof path, "%s/manifest.json", out);
    char *manifest = read_file(path, NULL);
    assert_non_null(strstr(manifest, "\"previous\": []"));
    assert_non_null(strstr(manifest, "\"changes.csv\""));
    free(manifest);

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    config_fini(&cfg);
    ingest_log_fini(&log);
    ingest_log_fini(&previous_log);
    waves_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_match_r),
        cmocka_unit_test(test_bh_over_shown_rows),
        cmocka_unit_test(test_suppression_rules),
        cmocka_unit_test(test_manager_in_one_wave),
        cmocka_unit_test(test_report_outputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
