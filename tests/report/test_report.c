/*
 * tests/report/test_report.c — report_write() end to end on a small
 * in-memory dataset and hand-made results: exact bytes of the CSV outputs,
 * privacy in every file, report.txt layout, manifest, reproducibility and
 * the atomic replacement of OUTDIR.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "read_file.h"

#include <dirent.h>
#include <jansson.h>
#include <locale.h>
#include <math.h>
#include <sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../core/csv_out.h"
#include "../../report/report.h"
#include "../../report/tables.h"

/* ------------------------------------------------------------------------ */
/* fixture                                                                    */

typedef struct {
    config_t cfg;
    dataset_t *ds;
    results_t results;
    analysis_scale_t scales[2];
    analysis_manager_t *managers[2];
    analysis_item_t items[3];
    ingest_log_t log;
    ingest_file_t files[2];
    ingest_reject_t rejects[2];
    char *argv[6];
    report_input_t in;
    char dir[64];
} fixture_t;

typedef struct {
    const char *id;
    size_t n_engagement, n_wellbeing;
    double mean;
} team_t;

/* min_group 5.  engagement: M3 (2) and M6 (0) are primary; the hidden 2
 * pull in the smallest shown team, a tie of 5 between "=evil" and M2, won
 * by "=evil" (lower byte order).  wellbeing: 3 scored in all, so the whole
 * scale is suppressed.
 *
 * Every team's sd is 0.5, so its within sum of squares is (n - 1)/4.  The
 * published decomposition is over the shown "M,4", M1 and M2 only; its
 * figures, from R on their n, means and within SS (the exact REML optimum
 * solved as make_reference.R does):
 *   n <- c(7, 6, 5); m <- c(4.4, 10/3, 3); ssw <- sum((n - 1) * 0.25)
 *   G = 3.65555555556, SSB 6.65111111111, F(2, 15) = 13.3022222222,
 *   p 0.000475484637076, k0 5.94444444444, ICC(1) 0.674217513092 (THD
 *   0.231593588291 to 0.988772794153), ICC(2) 0.924824590712, eta²
 *   0.639461595983, REML 0.496318112706 / 0.249878084155, share
 *   0.665130852709; 99.8% limits G ± 3.0902 · 0.5/√n: "M,4" (4.4 > 4.2396)
 *   stands out above, nobody below.  The results' own all-teams
 *   decomposition (25 respondents, 3.36, ...) goes to variance_all_teams.csv
 *   only. */
static const team_t teams[] = {
    { "M1", 6, 1, 10.0 / 3.0 },
    { "M2", 5, 1, 3.0 },
    { "M3", 2, 1, 2.0 },
    { "M,4", 7, 0, 4.4 },
    { "=evil", 5, 0, 4.0 },
    { "M6", 0, 0, NAN },
};
enum { N_TEAMS = sizeof teams / sizeof teams[0] };

static const team_t *team_of(const char *id)
{
    for (size_t i = 0; i < N_TEAMS; i++)
        if (strcmp(teams[i].id, id) == 0)
            return &teams[i];
    fail_msg("unknown manager %s", id);
    return NULL;
}

static void remove_tree(const char *path)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "chmod -R u+w '%s' 2>/dev/null; rm -rf '%s'", path, path);
    assert_int_equal(system(cmd), 0);
}

static void build_dataset(fixture_t *f)
{
    f->ds = dataset_new();
    assert_non_null(f->ds);
    size_t q1, q2;
    assert_int_equal(dataset_add_column(f->ds, "Q1", &q1), ENGAGE_OK);
    assert_int_equal(dataset_add_column(f->ds, "Q2", &q2), ENGAGE_OK);
    size_t items_e[2] = { q1, q2 }, items_w[1] = { q2 };
    bool rev_e[2] = { false, true }, rev_w[1] = { false };
    dataset_scale_t e = { "engagement", 2, items_e, rev_e, 1, 5, 0.5, 4, 2 };
    dataset_scale_t w = { "wellbeing", 1, items_w, rev_w, 1, 5, 0.5, 4, 2 };
    assert_int_equal(dataset_add_scale(f->ds, &e), ENGAGE_OK);
    assert_int_equal(dataset_add_scale(f->ds, &w), ENGAGE_OK);
    int r = 0;
    for (size_t t = 0; t < N_TEAMS; t++) {
        size_t members = teams[t].n_engagement ? teams[t].n_engagement : 1;
        for (size_t i = 0; i < members; i++) {
            char id[32];
            snprintf(id, sizeof id, "RSP-%04d", ++r);
            double values[2] = { 1 + r % 5, teams[t].n_engagement ? 2 : NAN };
            assert_int_equal(dataset_add_row(f->ds, id, teams[t].id, values, 0, r + 1, NULL, NULL),
                             ENGAGE_OK);
        }
    }
    assert_int_equal(dataset_finish(f->ds), ENGAGE_OK);
    assert_int_equal(dataset_n_managers(f->ds), N_TEAMS);
}

static void build_results(fixture_t *f)
{
    size_t J = dataset_n_managers(f->ds);
    for (size_t s = 0; s < 2; s++) {
        f->managers[s] = calloc(J, sizeof *f->managers[s]);
        assert_non_null(f->managers[s]);
        for (size_t j = 0; j < J; j++) {
            const team_t *t = team_of(dataset_manager_id(f->ds, j));
            analysis_manager_t *m = &f->managers[s][j];
            m->manager = j;
            m->n = s == 0 ? t->n_engagement : t->n_wellbeing;
            if (m->n == 0) {
                m->mean = m->sd = m->se = m->ci_low = m->ci_high = m->median = NAN;
                m->favourable_pct = m->neutral_pct = m->unfavourable_pct = m->rwg = m->ss = NAN;
                continue;
            }
            m->ss = (double)(m->n - 1) * 0.25;
            m->mean = s == 0 ? t->mean : 4;
            m->sd = m->n > 1 ? 0.5 : NAN;
            m->se = m->n > 1 ? 0.25 : NAN;
            m->ci_low = m->n > 1 ? m->mean - 0.6 : NAN;
            m->ci_high = m->n > 1 ? m->mean + 0.6 : NAN;
            m->median = m->mean;
            m->favourable_pct = 50;
            m->neutral_pct = 30;
            m->unfavourable_pct = 20;
            m->rwg = m->n > 1 ? 0.75 : NAN;
        }
        f->scales[s].scale = dataset_scale(f->ds, s);
        f->scales[s].n_managers = J;
        f->scales[s].managers = f->managers[s];
    }
    f->scales[0].variance = (analysis_variance_t){
        .respondents = 25, .managers = 5, .grand_mean = 3.36, .ss_between = 6.4,
        .ss_within = 12.0, .df_between = 4, .df_within = 20, .ms_between = 1.6,
        .ms_within = 0.6, .f = 1.6 / 0.6, .p_value = 0.0625, .k0 = 4.9, .icc1 = 0.25,
        .icc1_ci_low = -0.05, .icc1_ci_high = 0.6, .icc2 = 0.625, .eta_squared = -0.0,
        .var_between_reml = 0.2, .var_within_reml = 0.6, .icc_reml = 0.25, .alpha = 0.81,
    };
    f->items[0] = (analysis_item_t){ 0, 25, 3.2, 1.1, 40, 0.5 };
    f->items[1] = (analysis_item_t){ 1, 24, 2.9, 0.9, 30, 0.5 };
    f->items[2] = (analysis_item_t){ 1, 3, 4, 0, 100, NAN };
    f->scales[0].n_items = 2;
    f->scales[0].items = f->items;
    f->scales[1].n_items = 1;
    f->scales[1].items = f->items + 2;
    f->scales[1].variance = (analysis_variance_t){
        .respondents = 3, .managers = 3, .grand_mean = 4, .ss_between = 0, .ss_within = 0,
        .df_between = 2, .df_within = 0, .ms_between = 0, .ms_within = NAN, .f = NAN,
        .p_value = NAN, .k0 = 1, .icc1 = NAN, .icc1_ci_low = NAN, .icc1_ci_high = NAN,
        .icc2 = NAN, .eta_squared = NAN, .var_between_reml = NAN, .var_within_reml = NAN,
        .icc_reml = NAN, .alpha = NAN,
    };
    f->scales[1].notes = ANALYSIS_NOTE_ALL_SINGLETONS | ANALYSIS_NOTE_ZERO_VARIANCE |
                         ANALYSIS_NOTE_ONE_ITEM;
    f->results.n_scales = 2;
    f->results.scales = f->scales;
}

static void build_config(fixture_t *f)
{
    assert_int_equal(config_init_default(&f->cfg, NULL), ENGAGE_OK);
    const char *items_e[] = {"Q1", "Q2"}, *items_w[] = {"Q2"};
    assert_int_equal(config_add_scale(&f->cfg, "engagement", items_e, 2, 1, 5, NULL), ENGAGE_OK);
    assert_int_equal(config_add_scale(&f->cfg, "wellbeing", items_w, 1, 1, 5, NULL), ENGAGE_OK);
    f->cfg.min_group = 5;
}

static size_t item_fields_emea[] = {2, 3}, item_fields_apac[] = {17, 19};

static void build_log(fixture_t *f)
{
    f->files[0] = (ingest_file_t){
        .path = "survey, emea.csv", .format = "canonical", .encoding = "utf-8",
        .delimiter = ",", .bytes = 1234, .rows = 27, .accepted = 25, .rejected = 1,
        .excluded = 1, .layout = "canonical", .header_rows = 1, .respondent_column = "respondent_id",
        .manager_column = "manager_id", .item_field = item_fields_emea, .n_item_fields = 2,
    };
    strcpy(f->files[0].sha256, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    f->files[1] = (ingest_file_t){
        .path = "apac.tsv", .format = "qualtrics", .encoding = "utf-16", .delimiter = "\t",
        .bytes = 99, .rows = 0, .layout = "Qualtrics", .header_rows = 3, .manager_column = "Manager",
        .item_field = item_fields_apac, .n_item_fields = 2,
    };
    strcpy(f->files[1].sha256, "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100");
    f->rejects[0] = (ingest_reject_t){ 0, 7, "=RSP-BAD", "manager_id is empty", false, INGEST_REASON_NO_MANAGER };
    f->rejects[1] = (ingest_reject_t){ 0, 9, "RSP-0003", "superseded by line 20", true, INGEST_REASON_SUPERSEDED };
    f->log.files = f->files;
    f->log.n_files = 2;
    f->log.rejects = f->rejects;
    f->log.n_rejects = 2;
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/engage-report-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    build_dataset(f);
    build_results(f);
    build_config(f);
    build_log(f);
    f->argv[0] = "engage";
    f->argv[1] = "run";
    f->argv[2] = "-o";
    f->argv[3] = "out";
    f->argv[4] = "survey, emea.csv";
    f->in = (report_input_t){ .config = &f->cfg, .dataset = f->ds, .results = &f->results,
                              .log = &f->log, .argc = 5, .argv = f->argv, .version = "9.9.9" };
    unsetenv("SOURCE_DATE_EPOCH");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    if (!getenv("KEEP")) remove_tree(f->dir);
    free(f->managers[0]);
    free(f->managers[1]);
    config_fini(&f->cfg);
    dataset_free(f->ds);
    free(f);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* helpers                                                                    */

static char *path_of(const fixture_t *f, const char *a, const char *b)
{
    static char buf[4][512];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 512, "%s/%s%s%s", f->dir, a, b ? "/" : "", b ? b : "");
    return p;
}

/* Line number `line` (0-based) of text, copied. */
static char *line_of(const char *text, int line)
{
    const char *p = text;
    for (int i = 0; i < line; i++) {
        p = strchr(p, '\n');
        assert_non_null(p);
        p++;
    }
    const char *e = strchr(p, '\n');
    assert_non_null(e);
    return strndup(p, (size_t)(e - p));
}

static void assert_line(const char *path, int line, const char *want)
{
    char *text = read_file(path, NULL);
    char *got = line_of(text, line);
    if (strcmp(got, want) != 0)
        fail_msg("%s line %d:\n got  [%s]\n want [%s]", path, line, got, want);
    free(got);
    free(text);
}

/* The text with line breaks as spaces, to find phrases however wrapped. */
static char *flat(const char *text)
{
    char *s = strdup(text);
    assert_non_null(s);
    for (char *p = s; *p; p++)
        if (*p == '\n')
            *p = ' ';
    return s;
}

static size_t count_lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

static void assert_same_file(const char *a, const char *b)
{
    size_t na, nb;
    char *x = read_file(a, &na), *y = read_file(b, &nb);
    if (na != nb || memcmp(x, y, na) != 0)
        fail_msg("%s and %s differ", a, b);
    free(x);
    free(y);
}

static const char *const outputs[] = {
    "managers.csv", "variance.csv", "items.csv", "scales.csv", "heatmap.csv", "quality.csv", "rejects.csv",
    "variance_all_teams.csv", "report.txt", "report.html", "engage.xlsx", "manifest.json",
};
enum { N_OUTPUTS = sizeof outputs / sizeof outputs[0] };

/* Entries of a folder other than . and .. */
static size_t entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* ------------------------------------------------------------------------ */
/* tests                                                                      */

static void test_csv_bytes(void **state)
{
    fixture_t *f = *state;
    engage_error_t err;
    memset(&err, 0, sizeof err);
    assert_int_equal(report_write(&f->in, path_of(f, "out", NULL), &err), ENGAGE_OK);
    assert_int_equal(entries(f->dir), 1);
    assert_int_equal(entries(path_of(f, "out", NULL)), N_OUTPUTS);

    assert_line(path_of(f, "out", "heatmap.csv"), 0,
                "scale,item,level,group,n,mean,favourable_pct,delta_favourable,stands_out,suppressed");
    const char *m = path_of(f, "out", "managers.csv");
    assert_line(m, 0, "scale,manager_id,n,mean,sd,se,ci_low,ci_high,median,favourable_pct,rwg,"
                      "suppressed,funnel_low95,funnel_high95,funnel_low998,funnel_high998,"
                      "stands_out,invited,responded,response_rate,neutral_pct,unfavourable_pct");
    assert_line(m, 1, "engagement,'=evil,5,,,,,,,,,1,,,,,,,,,,");
    assert_line(m, 2, "engagement,\"M,4\",7,4.4,0.5,0.25,3.8,5,4.4,50,0.75,0,3.28515717829,"
                      "4.02595393282,3.07155654302,4.23955456809,above,,,,30,20");
    assert_line(m, 3, "engagement,M1,6,3.33333333333,0.5,0.25,2.73333333333,3.93333333333,"
                      "3.33333333333,50,0.75,0,3.25547958253,4.05563152859,3.02476452749,"
                      "4.28634658362,,,,,30,20");
    assert_line(m, 4, "engagement,M2,5,3,0.5,0.25,2.4,3.6,3,50,0.75,0,3.21729428527,4.09381682584,"
                      "2.96455860527,4.34655250584,,,,,30,20");
    assert_line(m, 5, "engagement,M3,2,,,,,,,,,1,,,,,,,,,,");
    assert_line(m, 6, "engagement,M6,0,,,,,,,,,1,,,,,,,,,,");
    assert_line(m, 7, "wellbeing,'=evil,0,,,,,,,,,1,,,,,,,,,,");
    assert_line(m, 9, "wellbeing,M1,1,,,,,,,,,1,,,,,,,,,,");
    char *text = read_file(m, NULL);
    assert_int_equal(count_lines(text), 1 + 2 * N_TEAMS);
    free(text);

    const char *v = path_of(f, "out", "variance.csv");
    assert_line(v, 0, "scale,respondents,managers,grand_mean,ss_between,ss_within,df_between,"
                      "df_within,ms_between,ms_within,f,p_value,k0,icc1,icc1_ci_low,icc1_ci_high,"
                      "icc2,eta_squared,var_between_reml,var_within_reml,icc_reml,alpha,"
                      "var_unit_reml,var_manager_reml,var_within_nested_reml,share_unit,share_manager");
    /* no units: the nested fit's five cells are empty */
    assert_line(v, 1, "engagement,18,3,3.65555555556,6.65111111111,3.75,2,15,3.32555555556,0.25,"
                      "13.3022222222,0.000475484637076,5.94444444444,0.674217513092,"
                      "0.231593588291,0.988772794153,0.924824590712,0.639461595983,"
                      "0.496318112706,0.249878084155,0.665130852709,0.81,,,,,");
    /* the wellbeing scale is suppressed as a whole: every manager is hidden */
    assert_line(v, 2, "wellbeing,0,0,,,,,,,,,,,,,,,,,,,,,,,,");
    /* the analyst's file: the results' own decomposition over every team */
    const char *all = path_of(f, "out", "variance_all_teams.csv");
    assert_line(all, 1, "engagement,25,5,3.36,6.4,12,4,20,1.6,0.6,2.66666666667,0.0625,4.9,0.25,"
                        "-0.05,0.6,0.625,0,0.2,0.6,0.25,0.81,,,,,");
    assert_line(all, 2, "wellbeing,3,3,4,0,0,2,0,0,,,,1,,,,,,,,,,,,,,");

    /* items: the suppressed scale keeps n only */
    const char *it = path_of(f, "out", "items.csv");
    assert_line(it, 0, "scale,item,n,mean,sd,favourable_pct,item_rest_r");
    assert_line(it, 1, "engagement,Q1,25,3.2,1.1,40,0.5");
    assert_line(it, 2, "engagement,Q2,24,2.9,0.9,30,0.5");
    assert_line(it, 3, "wellbeing,Q2,3,,,,");
    text = read_file(it, NULL);
    assert_int_equal(count_lines(text), 4);
    free(text);

    const char *q = path_of(f, "out", "quality.csv");
    assert_line(q, 0, "file,format,encoding,delimiter,rows,accepted,rejected,excluded,wave,layout,header_rows,"
                      "respondent_column,manager_column,item_columns");
    assert_line(q, 1, "\"survey, emea.csv\",canonical,utf-8,\",\",27,25,1,1,current,canonical,1,respondent_id,"
                      "manager_id,engagement=C-D; wellbeing=D");
    assert_line(q, 2, "apac.tsv,qualtrics,utf-16,tab,0,0,0,0,current,Qualtrics,3,(row number),Manager,"
                      "\"engagement=R,T; wellbeing=T\"");

    const char *r = path_of(f, "out", "rejects.csv");
    assert_line(r, 0, "file,line,respondent_id,reason,wave");
    assert_line(r, 1, "\"survey, emea.csv\",7,'=RSP-BAD,manager_id is empty,current");
    assert_line(r, 2, "\"survey, emea.csv\",9,RSP-0003,superseded by line 20,current");
}

static void check_report_text(const char *text)
{
    /* every line within 80 columns (UTF-8 characters) */
    size_t cols = 0;
    int line = 1;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '\n') {
            cols = 0;
            line++;
            continue;
        }
        if ((*p & 0xC0) != 0x80)
            cols++;
        if (cols > 80)
            fail_msg("report.txt line %d is longer than 80 columns", line);
        assert_true(*p >= 0x20);
    }
    assert_true(text[0] != '\0' && text[strlen(text) - 1] == '\n');
    /* no respondent id */
    assert_null(strstr(text, "RSP-"));
}

/* Where needle is in haystack, failing when it is not. */
static size_t position(const char *haystack, const char *needle)
{
    const char *at = strstr(haystack, needle);
    if (!at)
        fail_msg("not found: [%s]", needle);
    return (size_t)(at - haystack);
}

static void test_report_text(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(report_write(&f->in, path_of(f, "out", NULL), NULL), ENGAGE_OK);
    char *text = read_file(path_of(f, "out", "report.txt"), NULL);
    check_report_text(text);
    /* the first screen: items by favourable share (items.csv's 40% and
     * 30%, reverse-coded), the REML share of 0.665 and the one team above
     * its limits, with the caution of 3 shown managers;
     * the statistics in the appendix, last */
    assert_non_null(strstr(text, "\nAt a glance\n-----------\n\nengagement: "));
    assert_non_null(strstr(text, "\n  Strongest items: Q1 (40%).\n  Weakest items: Q2 (reversed, 30%).\n"
                                 "  67% of the differences in engagement between people lie between managers; 1\n"
                                 "  team stands out beyond what its size explains.\n"
                                 "  That split is a rough indication only: there are too few teams, or too much\n"
                                 "  uncertainty, to estimate it reliably (see the appendix).\n\n"
                                 "wellbeing: not shown, fewer than 5 respondents were scored.\n"));
    assert_true(position(text, "At a glance") < position(text, "Scale: engagement"));
    assert_true(position(text, "About these figures") <
                position(text, "Appendix: the share of the variance that lies between managers"));
    char *one = flat(text);
    /* k0 = (18 - (7² + 6² + 5²) / 18) / 2 = 5.94 */
    assert_non_null(strstr(one, " 66.5% of the variance in engagement lies between managers "
                                "(REML estimate; ICC(1) = 0.674, 95% CI 0.232 to 0.989; "
                                "F(2, 15) = 13.30, p < 0.001; k0 = 5.9). "));
    assert_non_null(strstr(one, "The variance between and within managers is estimated over "
                                "the 18 respondents of the 3 shown managers"));
    /* who stands out: only the shown manager */
    assert_non_null(strstr(one, "Managers who stand out: their mean lies outside the 99.8% "
                                "funnel limits"));
    assert_non_null(strstr(text, "\nAbove the limits (1):\n  manager  n  mean  99.8% limits\n"
                                 "  M,4      7  4.40  [3.07, 4.24]\n"));
    assert_null(strstr(text, "Below the limits"));
    /* items of the shown scale only */
    assert_non_null(strstr(text, "\n  item   n  mean    sd  favourable  item-rest r\n"
                                 "  Q1    25  3.20  1.10       40.0%         0.50\n"
                                 "  Q2    24  2.90  0.90       30.0%         0.50\n"));
    assert_null(strstr(text, "100.0%"));
    assert_non_null(strstr(one, "The share of the variance in wellbeing that lies between managers "
                                "is not shown: fewer than 5"));
    free(one);
    /* the suppressed managers and figures appear nowhere */
    assert_null(strstr(text, "=evil"));
    assert_null(strstr(text, "M3"));
    assert_null(strstr(text, "M6"));
    assert_non_null(strstr(text, "     1  M,4"));
    assert_non_null(strstr(text, "     3  M2"));
    assert_non_null(strstr(text, "Not shown: 1 manager with fewer than 5 scored respondents."));
    assert_non_null(strstr(text, "Also not shown: 1 manager"));
    assert_non_null(strstr(text, "1 manager has no scored respondent on this scale."));
    /* the wellbeing scale: suppressed as a whole, so no zero-variance note */
    assert_non_null(strstr(text, "Only 3 respondents were scored on this scale, fewer than 5"));
    assert_null(strstr(text, "same score"));
    assert_non_null(strstr(text, "single item"));
    assert_non_null(strstr(text, "rejects.csv"));
    free(text);
}

static void test_manifest(void **state)
{
    fixture_t *f = *state;
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    engage_status_t rc = report_write(&f->in, path_of(f, "out", NULL), NULL);
    unsetenv("SOURCE_DATE_EPOCH");
    assert_int_equal(rc, ENGAGE_OK);
    json_error_t jerr;
    json_t *root = json_load_file(path_of(f, "out", "manifest.json"), 0, &jerr);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "version")), "9.9.9");
    assert_string_equal(json_string_value(json_object_get(root, "generated")),
                        "2023-11-14T22:13:20Z");
    assert_int_equal(json_array_size(json_object_get(root, "arguments")), 5);
    json_t *cfg = json_object_get(root, "config");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(cfg, "report"),
                                                        "min_group")), 5);
    json_t *scales = json_object_get(cfg, "scales");
    assert_int_equal(json_array_size(scales), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(scales, 0), "name")),
                        "engagement");
    json_t *in0 = json_array_get(json_object_get(root, "inputs"), 0);
    assert_string_equal(json_string_value(json_object_get(in0, "sha256")), f->files[0].sha256);
    assert_int_equal(json_integer_value(json_object_get(in0, "bytes")), 1234);

    json_t *outs = json_object_get(root, "outputs");
    /* every output but manifest.json itself and the analyst's
     * variance_all_teams.csv, which is named without a hash: its hash would
     * let a guess at the hidden teams' figures be checked */
    assert_int_equal(json_object_size(outs), N_OUTPUTS - 2);
    json_t *analyst = json_object_get(root, "analyst_only");
    assert_int_equal(json_array_size(analyst), 1);
    assert_string_equal(json_string_value(json_array_get(analyst, 0)), "variance_all_teams.csv");
    assert_null(json_object_get(outs, "variance_all_teams.csv"));
    for (size_t i = 0; i + 1 < N_OUTPUTS; i++) {
        if (strcmp(outputs[i], "variance_all_teams.csv") == 0)
            continue;
        size_t n;
        char *bytes = read_file(path_of(f, "out", outputs[i]), &n);
        char hex[SHA256_DIGEST_STRING_LENGTH];
        SHA256Data((const uint8_t *)bytes, n, hex);
        const char *want = json_string_value(json_object_get(outs, outputs[i]));
        assert_non_null(want);
        assert_string_equal(want, hex);
        free(bytes);
    }
    json_decref(root);

    /* no clock without SOURCE_DATE_EPOCH, and no temporary path */
    assert_int_equal(report_write(&f->in, path_of(f, "out", NULL), NULL), ENGAGE_OK);
    char *text = read_file(path_of(f, "out", "manifest.json"), NULL);
    assert_null(strstr(text, "generated"));
    assert_null(strstr(text, ".tmp-"));
    assert_null(strstr(text, f->dir));
    free(text);
}

static void test_reproducible(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(report_write(&f->in, path_of(f, "a", NULL), NULL), ENGAGE_OK);
    assert_int_equal(report_write(&f->in, path_of(f, "b", NULL), NULL), ENGAGE_OK);
    /* and again into an existing folder, in another LC_NUMERIC if there is one */
    const char *locales[] = { "de_DE.UTF-8", "fr_FR.UTF-8", "de_DE", NULL };
    for (int i = 0; locales[i]; i++)
        if (setlocale(LC_NUMERIC, locales[i]))
            break;
    assert_int_equal(report_write(&f->in, path_of(f, "b", NULL), NULL), ENGAGE_OK);
    setlocale(LC_NUMERIC, "C");
    for (size_t i = 0; i < N_OUTPUTS; i++)
        assert_same_file(path_of(f, "a", outputs[i]), path_of(f, "b", outputs[i]));
    assert_int_equal(entries(f->dir), 2);   /* no temporary folder left */
}

static void test_replace_existing(void **state)
{
    fixture_t *f = *state;
    const char *out = path_of(f, "out", NULL);
    assert_int_equal(report_write(&f->in, out, NULL), ENGAGE_OK);
    /* a stale file from an earlier run disappears with the old folder */
    FILE *fp = fopen(path_of(f, "out", "items.csv"), "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(report_write(&f->in, out, NULL), ENGAGE_OK);
    assert_int_equal(entries(out), N_OUTPUTS);
    assert_int_equal(entries(f->dir), 1);

    /* trailing slash */
    char slash[600];
    snprintf(slash, sizeof slash, "%s/", out);
    assert_int_equal(report_write(&f->in, slash, NULL), ENGAGE_OK);
    assert_int_equal(entries(f->dir), 1);
}

static void test_outdir_is_file(void **state)
{
    fixture_t *f = *state;
    const char *file = path_of(f, "file", NULL);
    FILE *fp = fopen(file, "w");
    assert_non_null(fp);
    fputs("keep me\n", fp);
    fclose(fp);
    engage_error_t err;
    memset(&err, 0, sizeof err);
    assert_int_equal(report_write(&f->in, file, &err), ENGAGE_ECANTCREAT);
    assert_int_equal(err.status, ENGAGE_ECANTCREAT);
    assert_string_equal(err.file, file);
    char *text = read_file(file, NULL);
    assert_string_equal(text, "keep me\n");
    free(text);
    /* parent is a file */
    memset(&err, 0, sizeof err);
    assert_int_equal(report_write(&f->in, path_of(f, "file", "out"), &err), ENGAGE_ECANTCREAT);
    assert_string_equal(err.file, path_of(f, "file", "out"));
    char want[600];
    snprintf(want, sizeof want, "cannot create its folder: %s is not a folder", file);
    assert_string_equal(err.message, want);
    assert_int_equal(entries(f->dir), 1);
}

/* -o a/b/out: the missing folders are made and kept; when the run cannot
 * be written after all, those it made are removed again. */
static void test_missing_parents(void **state)
{
    fixture_t *f = *state;
    engage_error_t err;
    memset(&err, 0, sizeof err);
    char deep[600];
    snprintf(deep, sizeof deep, "%s/a/b/out", f->dir);
    assert_int_equal(report_write(&f->in, deep, &err), ENGAGE_OK);
    assert_int_equal(entries(deep), N_OUTPUTS);
    assert_int_equal(entries(path_of(f, "a", "b")), 1);
    /* a name too long for the file system, below two new folders */
    char name[300];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    char *longer = malloc(strlen(f->dir) + sizeof name + 16);
    assert_non_null(longer);
    sprintf(longer, "%s/new/er/%s", f->dir, name);
    memset(&err, 0, sizeof err);
    assert_int_equal(report_write(&f->in, longer, &err), ENGAGE_ECANTCREAT);
    assert_string_equal(err.file, longer);
    struct stat st;
    assert_int_equal(stat(path_of(f, "new", NULL), &st), -1);
    assert_int_equal(entries(f->dir), 1);   /* "a" */
    /* the same below a folder of the user's: it stays */
    sprintf(longer, "%s/a/new/%s", f->dir, name);
    assert_int_equal(report_write(&f->in, longer, &err), ENGAGE_ECANTCREAT);
    assert_int_equal(entries(path_of(f, "a", NULL)), 1);
    free(longer);
}

static void test_foreign_folder_untouched(void **state)
{
    fixture_t *f = *state;
    const char *dir = path_of(f, "mine", NULL);
    assert_int_equal(mkdir(dir, 0755), 0);
    FILE *fp = fopen(path_of(f, "mine", "thesis.tex"), "w");
    assert_non_null(fp);
    fclose(fp);
    engage_error_t err;
    memset(&err, 0, sizeof err);
    assert_int_equal(report_write(&f->in, dir, &err), ENGAGE_ECANTCREAT);
    assert_int_equal(entries(dir), 1);
    assert_int_equal(entries(f->dir), 1);
    assert_true(err.hint[0] != '\0');
}

static void test_parent_not_writable(void **state)
{
    fixture_t *f = *state;
    const char *parent = path_of(f, "ro", NULL);
    const char *out = path_of(f, "ro", "out");
    assert_int_equal(mkdir(parent, 0755), 0);
    assert_int_equal(report_write(&f->in, out, NULL), ENGAGE_OK);
    char *before = read_file(path_of(f, "ro/out", "managers.csv"), NULL);
    assert_int_equal(chmod(parent, 0555), 0);
    if (access(parent, W_OK) == 0) {      /* root: permissions do not bind */
        chmod(parent, 0755);
        free(before);
        skip();
    }
    f->cfg.min_group = 3;                 /* would change managers.csv */
    engage_error_t err;
    memset(&err, 0, sizeof err);
    engage_status_t rc = report_write(&f->in, out, &err);
    f->cfg.min_group = 5;
    chmod(parent, 0755);
    assert_int_equal(rc, ENGAGE_ECANTCREAT);
    char *after = read_file(path_of(f, "ro/out", "managers.csv"), NULL);
    assert_string_equal(before, after);
    assert_int_equal(entries(parent), 1);
    free(before);
    free(after);
}

/* A write error (here: the file size limit, as a full disk would) gives
 * ENGAGE_EIO naming OUTDIR's file, leaves the earlier OUTDIR as it was and
 * no temporary folder behind. */
static void test_write_error(void **state)
{
    fixture_t *f = *state;
    const char *out = path_of(f, "out", NULL);
    assert_int_equal(report_write(&f->in, out, NULL), ENGAGE_OK);
    char *before = read_file(path_of(f, "out", "managers.csv"), NULL);

    struct rlimit old, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 256;                 /* room for the temporary folder's marker only */
    assert_true(strlen(before) > small.rlim_cur);
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    f->cfg.min_group = 3;                 /* would change managers.csv */
    engage_error_t err;
    memset(&err, 0, sizeof err);
    engage_status_t rc = report_write(&f->in, out, &err);
    f->cfg.min_group = 5;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_handler);

    assert_int_equal(rc, ENGAGE_EIO);
    assert_string_equal(err.file, path_of(f, "out", "managers.csv"));
    char *after = read_file(path_of(f, "out", "managers.csv"), NULL);
    assert_string_equal(before, after);
    assert_int_equal(entries(f->dir), 1);
    free(before);
    free(after);
}

/* A shown manager row with made-up figures, an sd of `sd` (its within sum
 * of squares to match). */
static analysis_manager_t manager_row(size_t j, size_t n, double mean, double sd)
{
    return (analysis_manager_t){
        .manager = j, .n = n, .mean = mean, .sd = sd, .se = 0.3, .ci_low = 1, .ci_high = 5,
        .median = 3, .favourable_pct = 40, .neutral_pct = 35, .unfavourable_pct = 25, .rwg = NAN,
        .ss = (double)(n - 1) * sd * sd,
    };
}

/* Many managers, long names and paths: the ranking is cut to the top and
 * bottom 20, so are the lists of managers who stand out, and every line
 * still fits.  Half the teams average 1.2 and half 4.8 (pairs of one size;
 * the last, 4.99), each with an sd of 0.3: the grand mean is about 3 and
 * the 99.8% limits 3 ± 3.09 · 0.3/√n lie within ± 0.42, so all 30 of each
 * half stand out. */
static void test_many_managers(void **state)
{
    fixture_t *f = *state;
    enum { J = 60 };
    dataset_t *ds = dataset_new();
    assert_non_null(ds);
    size_t q1;
    assert_int_equal(dataset_add_column(ds, "Q1", &q1), ENGAGE_OK);
    bool rev = false;
    char name[300];
    memset(name, 'x', sizeof name);
    name[sizeof name - 1] = '\0';
    memcpy(name, "\xc3\xa9quipe-tr\xc3\xa8s-longue\n", 21);
    dataset_scale_t sc = { name, 1, &q1, &rev, 1, 5, 0.5, 4, 2 };
    assert_int_equal(dataset_add_scale(ds, &sc), ENGAGE_OK);
    for (int j = 0; j < J; j++) {
        char mid[320], rid[32];
        snprintf(mid, sizeof mid, "%s-%02d", j == 48 ? name : "Manager", j);
        snprintf(rid, sizeof rid, "RSP-%04d", j);
        double v = 3;
        assert_int_equal(dataset_add_row(ds, rid, mid, &v, 0, j + 2, NULL, NULL), ENGAGE_OK);
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    analysis_manager_t ms[J];
    for (size_t j = 0; j < J; j++)
        ms[j] = manager_row(j, 5 + (j / 2) % 4, j % 2 ? 4.8 : 1.2, 0.3);
    ms[J - 1].mean = 4.99;               /* the long id (last in byte order) ranks first */
    analysis_scale_t scale = { .scale = dataset_scale(ds, 0), .n_managers = J, .managers = ms };
    scale.variance = (analysis_variance_t){ .respondents = 390, .managers = J, .icc1 = -0.01234,
                                            .icc1_ci_low = NAN, .icc1_ci_high = NAN,
                                            .var_between_reml = 0, .var_within_reml = 0.8,
                                            .icc_reml = 0, .grand_mean = 3,
                                            .f = 0.95, .df_between = 59, .df_within = 330,
                                            .p_value = 0.0004, .alpha = NAN };
    results_t res = { 1, &scale };
    ingest_file_t file = f->files[0];
    char longpath[400];
    snprintf(longpath, sizeof longpath, "/very/long/path/%0300d/final-name.csv", 0);
    file.path = longpath;
    file.rejected = file.excluded = 0;
    ingest_log_t log = { .files = &file, .n_files = 1 };
    report_input_t in = f->in;
    in.dataset = ds;
    in.results = &res;
    in.log = &log;
    assert_int_equal(report_write(&in, path_of(f, "many", NULL), NULL), ENGAGE_OK);
    char *text = read_file(path_of(f, "many", "report.txt"), NULL);
    check_report_text(text);
    char *one = flat(text);
    assert_non_null(strstr(one, "% of the variance in \xc3\xa9quipe-tr\xc3\xa8s-longue?xxx"));
    assert_non_null(strstr(one, "xxx... lies between managers (REML estimate; ICC(1) = "));
    assert_non_null(strstr(one, "Above the limits (30): "));
    assert_non_null(strstr(one, "Below the limits (30): "));
    assert_non_null(strstr(one, "... and 10 more in managers.csv (stands_out = above)."));
    assert_non_null(strstr(one, "... and 10 more in managers.csv (stands_out = below)."));
    free(one);
    assert_non_null(strstr(text, "\n     1  \xc3\xa9quipe-tr\xc3\xa8s-longue?xxx"));
    assert_non_null(strstr(text, "... 20 more managers (ranks 21 to 40) in managers.csv ..."));
    assert_non_null(strstr(text, "\n     1  "));
    assert_non_null(strstr(text, "\n    20  "));
    assert_null(strstr(text, "\n    21  "));
    assert_null(strstr(text, "\n    40  "));
    assert_non_null(strstr(text, "\n    41  "));
    assert_non_null(strstr(text, "\n    60  "));
    assert_non_null(strstr(text, "\n  ...000"));
    assert_non_null(strstr(text, "0/final-name.csv  "));
    assert_non_null(strstr(text, "No row was rejected or excluded."));
    free(text);
    dataset_free(ds);
}

/* The ranking in report.txt prints only its ends; they must be exactly the
 * first and last 20 of the full order (mean descending, ties in manager
 * order), here with many ties. */
typedef struct {
    double mean;
    size_t j;
} expected_rank_t;

static int compare_expected(const void *a, const void *b)
{
    const expected_rank_t *x = a, *y = b;
    if (isnan(x->mean) != isnan(y->mean))
        return isnan(x->mean) ? 1 : -1;
    if (!isnan(x->mean) && x->mean != y->mean)
        return x->mean > y->mean ? -1 : 1;
    return x->j < y->j ? -1 : 1;
}

/* A one-item scale `engagement` with J managers M-000..., one respondent
 * each (ids zero-padded to `digits`), finished. */
static dataset_t *managers_dataset(int J, int digits)
{
    dataset_t *ds = dataset_new();
    assert_non_null(ds);
    size_t q1;
    assert_int_equal(dataset_add_column(ds, "Q1", &q1), ENGAGE_OK);
    bool rev = false;
    dataset_scale_t sc = { "engagement", 1, &q1, &rev, 1, 5, 0.5, 4, 2 };
    assert_int_equal(dataset_add_scale(ds, &sc), ENGAGE_OK);
    for (int j = 0; j < J; j++) {
        char mid[32], rid[32];
        snprintf(mid, sizeof mid, "M-%0*d", digits, j);
        snprintf(rid, sizeof rid, "R-%0*d", digits, j);
        double v = 3;
        assert_int_equal(dataset_add_row(ds, rid, mid, &v, 0, j + 2, NULL, NULL), ENGAGE_OK);
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    return ds;
}

static void test_ranking_ends(void **state)
{
    fixture_t *f = *state;
    enum { J = 203, EDGE = 20 };
    dataset_t *ds = managers_dataset(J, 3);
    analysis_manager_t ms[J];
    expected_rank_t order[J];
    for (size_t j = 0; j < J; j++) {
        double mean = 1 + (double)((j * 7) % 5);       /* five values, many ties */
        ms[j] = manager_row(j, 5, mean, 0.9);
        order[j] = (expected_rank_t){ mean, j };
    }
    qsort(order, J, sizeof *order, compare_expected);
    analysis_scale_t scale = { .scale = dataset_scale(ds, 0), .n_managers = J, .managers = ms };
    scale.variance = (analysis_variance_t){ .respondents = 5 * J, .managers = J, .icc1 = 0.1,
                                            .f = 2, .df_between = J - 1, .df_within = 4 * J,
                                            .p_value = 0.0004, .alpha = NAN };
    results_t res = { 1, &scale };
    report_input_t in = f->in;
    in.dataset = ds;
    in.results = &res;
    assert_int_equal(report_write(&in, path_of(f, "ranking", NULL), NULL), ENGAGE_OK);
    char *text = read_file(path_of(f, "ranking", "report.txt"), NULL);
    const char *at = text;
    for (size_t r = 0; r < J; r++) {
        char row[64];
        snprintf(row, sizeof row, "\n  %4zu  M-%03zu  ", r + 1, order[r].j);
        const char *found = strstr(text, row);
        if (r < EDGE || r >= J - EDGE) {
            if (!found || found < at)
                fail_msg("rank %zu: no row \"%s\" after the previous one", r + 1, row + 1);
            at = found;
        } else {
            assert_null(found);
        }
    }
    free(text);
    dataset_free(ds);
}

/* A managers.csv large enough to be formatted on two threads, in more
 * blocks than are held at once (tables.c's write_rows): every row in order,
 * the rows around each block's edge exactly as formatted one by one, and
 * the manifest's digest that of the file. */
static void test_managers_csv_in_halves(void **state)
{
    fixture_t *f = *state;
    enum { J = 6 * TABLES_PARALLEL_ROWS + 1001 };
    dataset_t *ds = managers_dataset(J, 6);
    analysis_manager_t *ms = calloc(J, sizeof *ms);
    assert_non_null(ms);
    for (size_t j = 0; j < J; j++) {
        ms[j] = manager_row(j, 5 + j % 7, 1 + (double)j / J * 4, 0.9);
        ms[j].rwg = (double)(j % 1000) / 999;
    }
    ms[17].n = 0;                        /* suppressed, hides nobody */
    ms[17].mean = ms[17].ss = NAN;
    /* the funnel every row must show: around the shown teams' decomposition */
    analysis_variance_t shown = { .alpha = NAN };
    assert_int_equal(analysis_decompose(ms, J, NULL, &shown), ENGAGE_OK);
    analysis_scale_t scale = { .scale = dataset_scale(ds, 0), .n_managers = J, .managers = ms };
    scale.variance = (analysis_variance_t){ .respondents = 5 * J, .managers = J, .icc1 = 0.1,
                                            .icc_reml = 0.1, .var_between_reml = 0.1,
                                            .f = 2, .df_between = J - 1, .df_within = 4 * J,
                                            .p_value = 0.0004, .alpha = NAN };
    results_t res = { 1, &scale };
    report_input_t in = f->in;
    in.dataset = ds;
    in.results = &res;
    in.log = NULL;
    assert_int_equal(report_write(&in, path_of(f, "halves", NULL), NULL), ENGAGE_OK);

    size_t size;
    char *text = read_file(path_of(f, "halves", "managers.csv"), &size);
    assert_int_equal(count_lines(text), 1 + J);
    const char *line = strchr(text, '\n') + 1;
    for (size_t j = 0; j < J; j++) {
        char want[512], num[6][40];
        const analysis_manager_t *m = &ms[j];
        analysis_funnel_t fu = analysis_funnel(&shown, m->n, m->mean);
        if (j == 17)
            snprintf(want, sizeof want, "engagement,M-%06zu,0,,,,,,,,,1,,,,,,,,,,\n", j);
        else
            snprintf(want, sizeof want, "engagement,M-%06zu,%zu,%s,0.9,0.3,1,5,3,40,%s,0,%s,%s,%s,%s,%s,,,,35,25\n",
                     j, m->n, csv_out_format_number(m->mean, 12, num[0], sizeof num[0]),
                     csv_out_format_number(m->rwg, 12, num[1], sizeof num[1]),
                     csv_out_format_number(fu.low95, 12, num[2], sizeof num[2]),
                     csv_out_format_number(fu.high95, 12, num[3], sizeof num[3]),
                     csv_out_format_number(fu.low998, 12, num[4], sizeof num[4]),
                     csv_out_format_number(fu.high998, 12, num[5], sizeof num[5]),
                     fu.stands_out > 0 ? "above" : fu.stands_out < 0 ? "below" : "");
        if (strncmp(line, want, strlen(want)) != 0)
            fail_msg("managers.csv row %zu:\n got  %.*s\n want %s", j + 1,
                     (int)(strchr(line, '\n') - line + 1), line, want);
        line += strlen(want);
    }
    assert_true(line == text + size);

    json_error_t jerr;
    json_t *root = json_load_file(path_of(f, "halves", "manifest.json"), 0, &jerr);
    assert_non_null(root);
    char hex[SHA256_DIGEST_STRING_LENGTH];
    SHA256Data((const uint8_t *)text, size, hex);
    assert_string_equal(json_string_value(json_object_get(json_object_get(root, "outputs"),
                                                          "managers.csv")), hex);
    json_decref(root);
    free(text);
    free(ms);
    dataset_free(ds);
}

/* ------------------------------------------------------------------------ */
/* the leaders section of report.txt and report.html                          */

typedef struct {
    const char *id, *manager;  /* manager NULL: a top */
    double value;              /* the one answer; 0: no response */
    bool invited;
    const char *name;
} person_t;

/* min_group 5, one item on 1..5 (favourable 4 and up, unfavourable 2 and
 * below):
 *
 *   Tess Top (T1) ─┬─ Ada Alpha (A) ── a1..a6, a7 (invited, no response)
 *                  ├─ Ben Beta (B) ─┬─ b1..b5
 *                  │                └─ Bea Deep (B2, depth 3) ── c1..c5
 *                  └─ t1, t1b, t1c
 *   Theo Top (T2) ─┬─ Dan Small (D) ── d1, d2
 *                  ├─ Eve Few (E) ── e1..e5 (e3..e5 not invited)
 *                  └─ t2
 *
 * managers.csv hides T2's team (D, E, t2: 3) and D's (2): 5 hidden.  The
 * tree rule then leaves every cell at 0 or 5 (T2's org minus E's is t2,
 * D, E, d1, d2), so leaders.csv hides D's org alone (2 people).  Orgs, by
 * hand (R: mean, mean ± qt(.975, n - 1) · sd/√n):
 *   Ada   5 5 4 5 4 5                 n 6   mean 4.67 [4.12, 5.21]  7 invited, 6 responded: 86%
 *   Eve   4 4 4 4 5                   n 5   mean 4.20 [3.64, 4.76]  2 invited: no rate
 *   Tess  4 3 4 4 4, Ada's, Ben's     n 22  mean 3.41 [2.94, 3.88]  23 invited, 22: 96%
 *   Theo  3 3 3 1 1, Eve's            n 10  mean 3.20 [2.26, 4.14]  7 invited, 7: 100%
 *   Ben   3 3 3 3 3 3 2 2 2 2 2       n 11  mean 2.55 [2.19, 2.90]  11 invited, 11: 100%
 *   the company: n 32, mean 3.34 [2.94, 3.75], 32 invited (the tops too), 29 responded;
 *   favourable 15/32 = 46.9%, neutral 10/32 = 31.2%, unfavourable 7/32 = 21.9%.
 * Ranked: Ada, Eve, Tess, Theo, Ben; Bea (depth 3) is not listed. */
static const person_t staff[] = {
    { "T1", NULL, 0, true, "Tess Top" },       { "T2", NULL, 0, true, "Theo Top" },
    { "A", "T1", 4, true, "Ada Alpha" },       { "B", "T1", 3, true, "Ben Beta" },
    { "t1", "T1", 4, true, NULL },             { "t1b", "T1", 4, true, NULL },
    { "t1c", "T1", 4, true, NULL },            { "a1", "A", 5, true, NULL },
    { "a2", "A", 5, true, NULL },              { "a3", "A", 4, true, NULL },
    { "a4", "A", 5, true, NULL },              { "a5", "A", 4, true, NULL },
    { "a6", "A", 5, true, NULL },              { "a7", "A", 0, true, NULL },
    { "b1", "B", 3, true, NULL },              { "b2", "B", 3, true, NULL },
    { "b3", "B", 3, true, NULL },              { "b4", "B", 3, true, NULL },
    { "b5", "B", 3, true, NULL },              { "B2", "B", 3, true, "Bea Deep" },
    { "c1", "B2", 2, true, NULL },             { "c2", "B2", 2, true, NULL },
    { "c3", "B2", 2, true, NULL },             { "c4", "B2", 2, true, NULL },
    { "c5", "B2", 2, true, NULL },             { "D", "T2", 3, true, "Dan Small" },
    { "E", "T2", 3, true, "Eve Few" },         { "t2", "T2", 3, true, NULL },
    { "d1", "D", 1, true, NULL },              { "d2", "D", 1, true, NULL },
    { "e1", "E", 4, true, NULL },              { "e2", "E", 4, true, NULL },
    { "e3", "E", 4, false, NULL },             { "e4", "E", 4, false, NULL },
    { "e5", "E", 5, false, NULL },
};
enum { STAFF = sizeof staff / sizeof staff[0] };

static dataset_t *staff_dataset(void)
{
    dataset_t *ds = dataset_new();
    assert_non_null(ds);
    size_t item;
    assert_int_equal(dataset_add_column(ds, "Q1", &item), ENGAGE_OK);
    bool reverse = false;
    dataset_scale_t scale = { "engagement", 1, &item, &reverse, 1, 5, 0.5, 4, 2 };
    assert_int_equal(dataset_add_scale(ds, &scale), ENGAGE_OK);
    uint32_t parent[STAFF];
    for (size_t v = 0; v < STAFF; v++) {
        parent[v] = ORG_TOP;
        for (size_t u = 0; staff[v].manager && u < STAFF; u++)
            if (strcmp(staff[u].id, staff[v].manager) == 0)
                parent[v] = (uint32_t)u;
        if (staff[v].value > 0)
            assert_int_equal(dataset_add_row(ds, staff[v].id, staff[v].manager, &staff[v].value, 0,
                                             (long)v + 2, NULL, NULL), ENGAGE_OK);
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    org_t *org;
    uint32_t *loop = NULL;
    size_t loop_len = 0;
    assert_int_equal(org_build(parent, STAFF, &org, &loop, &loop_len), ENGAGE_OK);
    for (size_t v = 0; v < STAFF; v++) {
        assert_int_equal(org_label(org, v, staff[v].id, staff[v].name), ENGAGE_OK);
        org_set_invited(org, v, staff[v].invited);
        if (staff[v].value > 0)
            org_mark_responded(org, v);
    }
    dataset_set_org(ds, org);
    return ds;
}


static void test_leaders_section(void **state)
{
    fixture_t *f = *state;
    dataset_t *ds = staff_dataset();
    results_t *res;
    assert_int_equal(analysis_run(ds, &res, NULL), ENGAGE_OK);
    report_input_t in = f->in;
    in.dataset = ds;
    in.results = res;
    assert_int_equal(report_write(&in, path_of(f, "tree", NULL), NULL), ENGAGE_OK);

    /* leaders.csv hides Dan's org of 2, and no other */
    char *csv = read_file(path_of(f, "tree", "leaders.csv"), NULL);
    assert_non_null(strstr(csv, "\nengagement,D,Dan Small,T2,2,0,0,2,2,,2,,,,,,,,,,1\n"));
    size_t suppressed = 0;
    for (const char *p = csv; (p = strstr(p, ",1\n")) != NULL; p++)
        suppressed++;
    assert_int_equal(suppressed, 1);
    free(csv);

    char *text = read_file(path_of(f, "tree", "report.txt"), NULL);
    check_report_text(text);
    char *one = flat(text);
    assert_non_null(strstr(one, "Leaders .......  The whole company: 29 of 32 invited responded (90.6%); "
                                "the 32 scored respondents' mean is 3.34 (95% CI 2.94 to 3.75), with "
                                "46.9% of answers favourable, 31.2% neutral and 21.9% unfavourable. "));
    /* the shown leaders of the top two levels by mean; Eve's 2 invited: no rate */
    assert_non_null(strstr(text,
        "\n  leader     reports to   n  rate  mean        95% CI  fav neu unf\n"
        "  Ada Alpha  Tess Top     6   86%  4.67  [4.12, 5.21]  100   0   0\n"
        "  Eve Few    Theo Top     5     \u2014  4.20  [3.64, 4.76]  100   0   0\n"
        "  Tess Top               22   96%  3.41  [2.94, 3.88]   45  32  23\n"
        "  Theo Top               10  100%  3.20  [2.26, 4.14]   50  30  20\n"
        "  Ben Beta   Tess Top    11  100%  2.55  [2.19, 2.90]    0  55  45\n"
        "A response rate is shown only for an organisation of at least 5 invited (\u2014\n"
        "otherwise).\n\n"
        "Not shown: 1 organisation of the top two levels with fewer than 5 scored\n"
        "respondents.\n"));
    assert_null(strstr(one, "Also not shown: 1 organisation"));
    /* the hidden org and the third level appear nowhere */
    assert_null(strstr(text, "Dan Small"));
    assert_null(strstr(text, "Bea Deep"));
    free(one);
    free(text);

    /* report.html: the same rows in the same order */
    char *page = read_file(path_of(f, "tree", "report.html"), NULL);
    size_t at[] = {
        position(page, "<h3>Leaders</h3>\n<p>The whole company: 29 of 32 invited responded (90.6%); the 32 "
                       "scored respondents&#39; mean is 3.34 (95% CI 2.94 to 3.75), with 46.9% of answers "
                       "favourable, 31.2% neutral and 21.9% unfavourable.</p>"),
        position(page, "<tr><td class=\"t\">Ada Alpha</td><td class=\"t\">Tess Top</td><td>6</td><td>86%</td>"
                       "<td>4.67</td><td>4.12 to 5.21</td><td>100%</td><td>0%</td><td>0%</td></tr>"),
        position(page, "<tr><td class=\"t\">Eve Few</td><td class=\"t\">Theo Top</td><td>5</td><td>\u2014</td>"
                       "<td>4.20</td><td>3.64 to 4.76</td><td>100%</td><td>0%</td><td>0%</td></tr>"),
        position(page, "<tr><td class=\"t\">Tess Top</td><td class=\"t\"></td><td>22</td><td>96%</td>"
                       "<td>3.41</td><td>2.94 to 3.88</td><td>45%</td><td>32%</td><td>23%</td></tr>"),
        position(page, "<tr><td class=\"t\">Theo Top</td><td class=\"t\"></td><td>10</td><td>100%</td>"
                       "<td>3.20</td><td>2.26 to 4.14</td><td>50%</td><td>30%</td><td>20%</td></tr>"),
        position(page, "<tr><td class=\"t\">Ben Beta</td><td class=\"t\">Tess Top</td><td>11</td><td>100%</td>"
                       "<td>2.55</td><td>2.19 to 2.90</td><td>0%</td><td>55%</td><td>45%</td></tr>"),
        position(page, "Not shown: 1 organisation of the top two levels with fewer than 5 scored "
                       "respondents."),
    };
    for (size_t i = 1; i < sizeof at / sizeof at[0]; i++)
        assert_true(at[i - 1] < at[i]);
    assert_null(strstr(page, "Dan Small"));
    assert_null(strstr(page, "Bea Deep"));
    free(page);
    results_free(res);
    dataset_free(ds);
}

/* Without a tree there is no leaders section. */
static void test_no_leaders_without_tree(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(report_write(&f->in, path_of(f, "flat", NULL), NULL), ENGAGE_OK);
    char *text = read_file(path_of(f, "flat", "report.txt"), NULL);
    assert_non_null(strstr(text, "Cronbach's alpha"));
    assert_null(strstr(text, "Leaders\n"));
    assert_null(strstr(text, "The whole company"));
    free(text);
    char *page = read_file(path_of(f, "flat", "report.html"), NULL);
    assert_non_null(strstr(page, "<h2>Scale: engagement</h2>"));
    assert_null(strstr(page, "<h3>Leaders</h3>"));
    free(page);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_csv_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manifest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reproducible, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replace_existing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_parents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outdir_is_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_folder_untouched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parent_not_writable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_managers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ranking_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_managers_csv_in_halves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leaders_section, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_leaders_without_tree, setup, teardown),
    };
    return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
