/*
 * tests/report/test_html.c — report.html through report_write() on an
 * in-memory dataset with hand-made results: hostile manager ids escaped
 * (what XML cannot hold as U+FFFD, the page checked by xmllint) and
 * shown as stand-out labels, suppressed managers (primary and secondary)
 * named nowhere, a scale suppressed as a whole without plots, the funnel
 * limits drawn, accessible titles, no script or external resource, the page
 * listed in manifest.json, the same bytes from two runs, and the items
 * named by their short labels (the config's short_names) in report.html
 * and report.txt while items.csv keeps the full names, the heatmap's cells
 * (one hidden by the item's own rule) and the ranking.
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
#include <sys/stat.h>
#include <unistd.h>

#include "../../report/report.h"

/* min_group 5.  engagement: "M-small" (2) is primary; the 2 hidden pull in
 * the smallest shown team, "M-secret" (5), as secondary.  Both lie far out,
 * so the plot must leave them out on privacy alone.  Over the four shown
 * teams (sd 0.6 each) the grand mean is 99.6/30 = 3.32 and MS_within 0.36:
 * the 99.8% limits are 3.32 ± 3.09 · 0.6/√n, [2.66, 3.98] for n = 8 and
 * [2.70, 3.94] for n = 9, so the script id stands out above and the link id
 * below (stands_out below: what each team's funnel gives).
 * wellbeing: 3 scored in all, so the whole scale is suppressed. */
typedef struct {
    const char *id;
    size_t n_engagement, n_wellbeing;
    double mean;
    analysis_stands_out_t stands_out;
} team_t;

static const char SCRIPT_ID[] = "<script>alert(1)</script>";
static const char LINK_ID[] = "=HYPERLINK(\"http://x\",\"y\")";
/* ends in what XML cannot hold: a C0 control, U+FFFE, U+FFFF, ESC, a stray byte */
static const char COMMA_ID[] = "Smith, Jane & 'Co'\nnext\x01\xEF\xBF\xBE\xEF\xBF\xBF\x1b[2J\xFF";

static const team_t teams[] = {
    { SCRIPT_ID, 8, 1, 4.6, ANALYSIS_ABOVE },
    { LINK_ID, 9, 1, 2.0, ANALYSIS_BELOW },
    { COMMA_ID, 6, 1, 3.5, ANALYSIS_WITHIN },
    { "M-plain", 7, 0, 3.4, ANALYSIS_WITHIN },
    { "M-small", 2, 0, 4.9, ANALYSIS_ABOVE },
    { "M-secret", 5, 0, 1.5, ANALYSIS_BELOW },
};
enum { N_TEAMS = sizeof teams / sizeof teams[0] };

typedef struct {
    config_t cfg;
    dataset_t *ds;
    results_t results;
    analysis_scale_t scales[2];
    analysis_manager_t *managers[2];
    analysis_item_t items[3];
    ingest_log_t log;
    ingest_file_t files[1];
    char *argv[4];
    report_input_t in;
    char dir[64];
} fixture_t;

static const team_t *team_of(const char *id)
{
    for (size_t i = 0; i < N_TEAMS; i++)
        if (strcmp(teams[i].id, id) == 0)
            return &teams[i];
    fail_msg("unknown manager %s", id);
    return NULL;
}

static void build(fixture_t *f)
{
    f->ds = dataset_new();
    assert_non_null(f->ds);
    size_t q1, q2;
    assert_int_equal(dataset_add_column(f->ds, "Q1", &q1), ENGAGE_OK);
    assert_int_equal(dataset_add_column(f->ds, "Q2", &q2), ENGAGE_OK);
    size_t items_e[2] = { q1, q2 }, items_w[1] = { q2 };
    bool rev_e[2] = { false, false }, rev_w[1] = { false };
    dataset_scale_t e = { "engagement", 2, items_e, rev_e, 1, 5, 0.5, 4, 2 };
    dataset_scale_t w = { "well<being>", 1, items_w, rev_w, 1, 5, 0.5, 4, 2 };
    assert_int_equal(dataset_add_scale(f->ds, &e), ENGAGE_OK);
    assert_int_equal(dataset_add_scale(f->ds, &w), ENGAGE_OK);
    int r = 0;
    for (size_t t = 0; t < N_TEAMS; t++)
        for (size_t i = 0; i < teams[t].n_engagement; i++) {
            char id[32];
            snprintf(id, sizeof id, "R%04d", ++r);
            /* three of M-plain's seven skip Q2: 4 answers, fewer than 5 */
            bool skips = strcmp(teams[t].id, "M-plain") == 0 && i < 3;
            double values[2] = { 1 + r % 5, skips ? NAN : 2 };
            assert_int_equal(dataset_add_row(f->ds, id, teams[t].id, values, 0, r + 1, NULL, NULL),
                             ENGAGE_OK);
        }
    assert_int_equal(dataset_finish(f->ds), ENGAGE_OK);

    size_t J = dataset_n_managers(f->ds);
    assert_int_equal(J, N_TEAMS);
    for (size_t s = 0; s < 2; s++) {
        f->managers[s] = calloc(J, sizeof *f->managers[s]);
        assert_non_null(f->managers[s]);
        for (size_t j = 0; j < J; j++) {
            const team_t *t = team_of(dataset_manager_id(f->ds, j));
            analysis_manager_t *m = &f->managers[s][j];
            m->manager = j;
            m->n = s == 0 ? t->n_engagement : t->n_wellbeing;
            m->mean = m->n ? (s == 0 ? t->mean : 4) : NAN;
            m->sd = m->n > 1 ? 0.6 : NAN;
            m->se = m->n > 1 ? 0.6 / sqrt((double)m->n) : NAN;
            m->ci_low = m->n > 1 ? m->mean - 0.5 : NAN;
            m->ci_high = m->n > 1 ? m->mean + 0.5 : NAN;
            m->median = m->mean;
            m->favourable_pct = 50;
            m->rwg = 0.7;
            m->ss = m->n ? (double)(m->n - 1) * 0.36 : NAN;
        }
        f->scales[s].scale = dataset_scale(f->ds, s);
        f->scales[s].n_managers = J;
        f->scales[s].managers = f->managers[s];
    }
    f->scales[0].variance = (analysis_variance_t){
        .respondents = 37, .managers = 6, .grand_mean = 3.4, .ss_between = 20, .ss_within = 11,
        .df_between = 5, .df_within = 31, .ms_between = 4, .ms_within = 0.36, .f = 11.1,
        .p_value = 0.00001, .k0 = 6, .icc1 = 0.6, .icc1_ci_low = 0.3, .icc1_ci_high = 0.85,
        .icc2 = 0.9, .eta_squared = 0.6, .var_between_reml = 0.5, .var_within_reml = 0.36,
        .icc_reml = 0.58, .alpha = 0.8,
    };
    f->scales[1].variance = (analysis_variance_t){
        .respondents = 3, .managers = 3, .grand_mean = 4, .ms_within = NAN, .f = NAN,
        .p_value = NAN, .icc1 = NAN, .icc1_ci_low = NAN, .icc1_ci_high = NAN, .icc2 = NAN,
        .eta_squared = NAN, .var_between_reml = NAN, .var_within_reml = NAN, .icc_reml = NAN,
        .alpha = NAN,
    };
    f->items[0] = (analysis_item_t){ 0, 37, 3.2, 1.1, 40, 0.5 };
    f->items[1] = (analysis_item_t){ 1, 37, 2.9, 0.9, 30, 0.5 };
    f->items[2] = (analysis_item_t){ 1, 3, 4, 0, 100, NAN };
    f->scales[0].n_items = 2;
    f->scales[0].items = f->items;
    f->scales[1].n_items = 1;
    f->scales[1].items = f->items + 2;
    f->results.n_scales = 2;
    f->results.scales = f->scales;

    assert_int_equal(config_init_default(&f->cfg, NULL), ENGAGE_OK);
    const char *ie[] = { "Q1", "Q2" }, *iw[] = { "Q2" };
    assert_int_equal(config_add_scale(&f->cfg, "engagement", ie, 2, 1, 5, NULL), ENGAGE_OK);
    assert_int_equal(config_add_scale(&f->cfg, "well<being>", iw, 1, 1, 5, NULL), ENGAGE_OK);
    f->cfg.min_group = 5;

    f->files[0] = (ingest_file_t){ .path = "<b>survey</b> & \"q1\".csv", .format = "canonical",
                                   .encoding = "utf-8", .delimiter = ",", .rows = 37,
                                   .accepted = 37, .layout = "canonical", .header_rows = 1 };
    f->log.files = f->files;
    f->log.n_files = 1;
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/engage-html-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    build(f);
    f->argv[0] = "engage";
    f->argv[1] = "run";
    f->argv[2] = "survey.csv";
    f->in = (report_input_t){ .config = &f->cfg, .dataset = f->ds, .results = &f->results,
                              .log = &f->log, .argc = 3, .argv = f->argv, .version = "9.9.9" };
    unsetenv("SOURCE_DATE_EPOCH");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f->managers[0]);
    free(f->managers[1]);
    config_fini(&f->cfg);
    dataset_free(f->ds);
    free(f);
    return 0;
}

static char *run(fixture_t *f, const char *name, size_t *size)
{
    char out[128], path[160];
    snprintf(out, sizeof out, "%s/%s", f->dir, name);
    engage_error_t err;
    memset(&err, 0, sizeof err);
    engage_status_t rc = report_write(&f->in, out, &err);
    if (rc != ENGAGE_OK)
        fail_msg("report_write: %s", err.message);
    snprintf(path, sizeof path, "%s/report.html", out);
    return read_file(path, size);
}

static size_t occurrences(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

static void test_self_contained(void **state)
{
    fixture_t *f = *state;
    char *html = run(f, "out", NULL);
    assert_null(strcasestr(html, "<script"));
    assert_null(strcasestr(html, "src="));
    assert_null(strcasestr(html, "href="));
    assert_null(strcasestr(html, "@import"));
    assert_null(strcasestr(html, "url("));
    assert_null(strstr(html, "https://"));
    /* "http://" only inside the escaped id, as text */
    size_t links = occurrences(html, "http://");
    assert_true(links > 0);
    assert_int_equal(links, occurrences(html, "HYPERLINK(&quot;http://x&quot;"));
    assert_non_null(strstr(html, "<!DOCTYPE html>\n<html lang=\"en\">"));
    assert_non_null(strstr(html, "<style>"));
    free(html);
}

static void test_escaping(void **state)
{
    fixture_t *f = *state;
    char *html = run(f, "out", NULL);
    /* no raw form of any hostile text */
    assert_null(strstr(html, SCRIPT_ID));
    assert_null(strstr(html, LINK_ID));
    assert_null(strstr(html, "Smith, Jane & "));
    assert_null(strstr(html, "<b>survey"));
    assert_null(strstr(html, "well<being>"));
    /* their escaped forms */
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(html, "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)"));
    assert_non_null(strstr(html, "Smith, Jane &amp; &#39;Co&#39; next"));
    /* what XML cannot hold, each as U+FFFD */
    assert_non_null(strstr(html, "next\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD[2J\xEF\xBF\xBD"));
    assert_null(strstr(html, "\xEF\xBF\xBE"));
    assert_null(strstr(html, "\xEF\xBF\xBF"));
    assert_null(strpbrk(html, "\x01\x1b\xFF"));
    assert_non_null(strstr(html, "&lt;b&gt;survey&lt;/b&gt; &amp; &quot;q1&quot;.csv"));
    assert_non_null(strstr(html, "well&lt;being&gt;"));
    /* every & starts an entity */
    for (const char *p = html; (p = strchr(p, '&')); p++)
        assert_true(strncmp(p, "&amp;", 5) == 0 || strncmp(p, "&lt;", 4) == 0 ||
                    strncmp(p, "&gt;", 4) == 0 || strncmp(p, "&quot;", 6) == 0 ||
                    strncmp(p, "&#", 2) == 0);
    free(html);
    /* and the page is XML (libxml2's parser, as a browser's XML mode reads it) */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "xmllint --noout '%s/out/report.html'", f->dir);
    assert_int_equal(system(cmd), 0);
}

static void test_privacy(void **state)
{
    fixture_t *f = *state;
    char *html = run(f, "out", NULL);
    /* suppressed managers, primary and secondary, appear nowhere */
    assert_null(strstr(html, "M-small"));
    assert_null(strstr(html, "M-secret"));
    /* shown stand-outs are labelled, on their side */
    assert_non_null(strstr(html, "class=\"label above\">&lt;script&gt;alert(1)&lt;/script&gt;<"));
    assert_non_null(strstr(html, "class=\"label below\">=HYPERLINK(&quot;http://x&quot;"));
    /* a dot per shown manager in the funnel (4), an interval dot in the
     * caterpillar (4); nothing of the suppressed scale */
    assert_int_equal(occurrences(html, "<circle"), 8);
    assert_int_equal(occurrences(html, "<svg"), 2);
    assert_int_equal(occurrences(html, "class=\"dot above\""), 1);
    assert_int_equal(occurrences(html, "class=\"dot below\""), 1);
    assert_non_null(strstr(html, "not shown: fewer than 5 scored respondents"));
    free(html);
}

static void test_plots(void **state)
{
    fixture_t *f = *state;
    char *html = run(f, "out", NULL);
    assert_int_equal(occurrences(html, "class=\"lim998\"/>"), 2);
    assert_int_equal(occurrences(html, "class=\"lim95\"/>"), 2);
    assert_non_null(strstr(html, "<line x1=\"62\""));  /* the grand mean from the left edge */
    assert_int_equal(occurrences(html, "<polyline points=\""), 4);
    static const char *const ids[] = { "funnel-1", "caterpillar-1" };
    for (size_t i = 0; i < 2; i++) {
        char want[160];
        snprintf(want, sizeof want, "role=\"img\" aria-labelledby=\"%s-title %s-desc\">", ids[i],
                 ids[i]);
        assert_non_null(strstr(html, want));
        snprintf(want, sizeof want, "<title id=\"%s-title\">", ids[i]);
        assert_non_null(strstr(html, want));
        snprintf(want, sizeof want, "<desc id=\"%s-desc\">", ids[i]);
        assert_non_null(strstr(html, want));
    }
    assert_non_null(strstr(html, "<figcaption>Funnel plot"));
    assert_non_null(strstr(html, "<figcaption>Caterpillar plot"));
    /* the headline as variance.csv shows it: over the four shown teams, not
     * the results' all-teams figures (58%, 0.300 to 0.850).  From R, on the
     * shown teams' n, mean and within SS (8, 9, 6, 7; 4.6, 2.0, 3.5, 3.4;
     * Σ (n-1)·0.36): the exact REML optimum as make_reference.R solves it
     * gives icc 0.753602539551285; F = 26.8777777777778 on 3 and 26 df,
     * k0 = 7.444444, THD interval 0.459318 to 0.980695. */
    assert_non_null(strstr(html, "<span class=\"share\">75.4%</span>"));
    assert_non_null(strstr(html, "<td>0.459 to 0.981</td>"));
    assert_null(strstr(html, "58.0%"));
    assert_null(strstr(html, "0.300 to 0.850"));
    free(html);
}

/* Items by their short labels, the full name in the cell's title, in
 * report.html and report.txt alike; none of the suppressed scale's. */
static void test_items_by_short_label(void **state)
{
    fixture_t *f = *state;
    char *html = run(f, "out", NULL);
    /* Q1 and Q2 share nothing: their names are their labels, with no note */
    assert_non_null(strstr(html, "<tr><td class=\"t\" title=\"Q1\">Q1</td><td>37</td><td>3.20</td>"
                                 "<td>1.10</td><td>40.0%</td><td>0.50</td></tr>"));
    assert_int_equal(occurrences(html, "<h3>Items</h3>"), 1);
    assert_null(strstr(html, "tells them apart"));
    free(html);

    config_scale_t *e = &f->cfg.scales[0];
    e->short_names = calloc(3, sizeof *e->short_names);
    assert_non_null(e->short_names);
    e->short_names[0] = strdup("Pay <fair> & \"square\"");
    e->short_names[1] = strdup("Growth");
    e->n_short_names = 2;
    html = run(f, "named", NULL);
    assert_non_null(strstr(html, "<tr><td class=\"t\" title=\"Q1\">Pay &lt;fair&gt; &amp; "
                                 "&quot;square&quot;</td><td>37</td>"));
    assert_non_null(strstr(html, "<tr><td class=\"t\" title=\"Q2\">Growth</td><td>37</td><td>2.90</td>"));
    assert_non_null(strstr(html, "tells them apart (or by the config's short_names)"));
    /* the suppressed scale (3 scored) has no item table: its item's n of 3 is in no row */
    assert_int_equal(occurrences(html, "<h3>Items</h3>"), 1);
    assert_null(strstr(html, "<td>3</td><td>4.00</td>"));
    free(html);
    char path[200];
    snprintf(path, sizeof path, "%s/named/report.txt", f->dir);
    char *txt = read_file(path, NULL);
    assert_non_null(strstr(txt, "\n  Pay <fair> & \"square\"  37  3.20  1.10       40.0%         0.50\n"));
    assert_non_null(strstr(txt, "\n  Growth                 37  2.90  0.90       30.0%         0.50\n"));
    assert_non_null(strstr(txt, "items.csv gives the full names."));
    free(txt);
    snprintf(path, sizeof path, "%s/named/items.csv", f->dir);
    char *csv = read_file(path, NULL);
    assert_non_null(strstr(csv, "\nengagement,Q1,37,"));
    assert_null(strstr(csv, "Pay"));
    free(csv);
}

static void test_deterministic(void **state)
{
    fixture_t *f = *state;
    size_t na, nb;
    char *a = run(f, "one", &na);
    char *b = run(f, "two", &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    assert_null(strstr(a, "generated"));
    setenv("SOURCE_DATE_EPOCH", "0", 1);
    char *c = run(f, "three", NULL);
    unsetenv("SOURCE_DATE_EPOCH");
    assert_non_null(strstr(c, "; generated 1970-01-01 00:00 UTC."));
    char path[160];
    snprintf(path, sizeof path, "%s/one/manifest.json", f->dir);
    char *manifest = read_file(path, NULL);
    assert_non_null(strstr(manifest, "report.html"));
    free(manifest);
    free(a);
    free(b);
    free(c);
}

/* The heatmap, shown managers by the view's ranking: per item the
 * favourable share of the team's answers (Q1 = 1 + r % 5 over consecutive
 * respondents, Q2 = 2); M-plain's Q2 cell, of 4 answers, hidden with no
 * figure; the suppressed managers not listed.  And the ranking beside the
 * caterpillar, highest mean first. */
static void test_heatmap(void **state)
{
    fixture_t *f = *state;
    char *html = run(f, "out", NULL);
    assert_int_equal(occurrences(html, "<tr data-level=\"company\" data-group=\"\""), 1);
    assert_int_equal(occurrences(html, "<tr data-level=\"manager\""), 4);
    assert_int_equal(occurrences(html, "<td class=\"hm "), 10);
    /* company Q1: 14 of 37 answer 4 or 5; Q2: 34 answers, none favourable */
    assert_non_null(strstr(html, "title=\"company, Q1: 37.8% favourable of 37 answers\">38%</td>"));
    assert_non_null(strstr(html, "title=\"company, Q2: 0.0% favourable of 34 answers\">0%</td>"));
    /* the script id's team, respondents 1..8: Q1 of 2 3 4 5 1 2 3 4, 3 favourable */
    assert_non_null(strstr(html, "<td class=\"hm z\" title=\"&lt;script&gt;alert(1)&lt;/script&gt;, Q1: "
                                 "37.5% favourable of 8 answers, -0.3 points against the company\">"));
    /* M-plain (respondents 24..30: 3 favourable of 7 on Q1), Q2 hidden */
    const char *row = strstr(html, "<tr data-level=\"manager\" data-group=\"M-plain\">");
    assert_non_null(row);
    const char *end = strstr(row, "</tr>");
    assert_non_null(end);
    const char *hid = strstr(row, "<td class=\"hm hid\" title=\"not shown: fewer than 5 answers");
    assert_true(hid != NULL && hid < end);
    assert_non_null(strstr(hid, ">&#8212;</td></tr>"));
    assert_int_equal(occurrences(html, "<td class=\"hm hid\""), 1);
    assert_null(strstr(html, "M-plain, Q2:"));
    assert_non_null(strstr(row, "M-plain, Q1: 42.9% favourable of 7 answers"));
    /* the ranking: the script id first (4.6), the link id last (2.0) */
    assert_non_null(strstr(html, "<tr><td>1</td><td class=\"t\">&lt;script&gt;alert(1)&lt;/script&gt;</td>"
                                 "<td>8</td><td>4.60</td><td>4.10 to 5.10</td><td class=\"t\">above</td></tr>"));
    assert_non_null(strstr(html, "<tr><td>4</td><td class=\"t\">=HYPERLINK("));
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_self_contained, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_privacy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_items_by_short_label, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heatmap, setup, teardown),
    };
    return cmocka_run_group_tests_name("report/html", tests, NULL, NULL);
}
