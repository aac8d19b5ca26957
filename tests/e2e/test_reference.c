/*
 * tests/e2e/test_reference.c — the whole pipeline against figures computed
 * with R.
 *
 * For each fixture of tests/fixtures/reference (made by make_reference.R:
 * multilevel::bh1996 and lq2002, a small set with missing answers and a
 * reverse item, and a set with no between-manager variance) the fixture's
 * CSV is read with its own .ini through ingest, analysed, and written by the
 * report into a temporary folder; every cell of variance.csv, managers.csv
 * and items.csv that engage writes is then compared with R's figure to 1e-7
 * relative (an empty cell must be empty in both): the ANOVA, ICC(1) and its
 * THD interval, ICC(2), the exact REML optimum, alpha, the per-manager
 * figures with rwg / rwg(j), and the item figures with psych's r.drop.
 * variance.csv is compared with R's decomposition over the shown managers'
 * respondents (NAME_variance_shown.csv, R applying the suppression rule
 * itself), and the analyst's variance_all_teams.csv with R's over every team
 * (NAME_variance.csv).  The funnel columns, which R does not compute, are
 * checked against R's shown grand mean and MS_within: grand mean ± z
 * sqrt(MS_within / n), and stands_out against R's manager mean.  min_group
 * is lowered to 3 so that as many managers as possible are shown;
 * suppressed rows must have every figure but n empty.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <csv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../analysis/analysis.h"
#include "../../core/config.h"
#include "../../core/dataset.h"
#include "../../ingest/ingest.h"
#include "../../report/report.h"

#define FIXTURES "tests/fixtures/reference/"

/* A CSV file as rows of cells. */
typedef struct {
    char ***rows;
    size_t *widths;
    size_t n_rows;
    char **cells;              /* the row being read */
    size_t n_cells;
} table_t;

static void on_cell(void *data, size_t len, void *user)
{
    table_t *t = user;
    t->cells = realloc(t->cells, (t->n_cells + 1) * sizeof *t->cells);
    char *cell = malloc(len + 1);
    memcpy(cell, data ? data : "", len);
    cell[len] = '\0';
    t->cells[t->n_cells++] = cell;
}

static void on_row(int c, void *user)
{
    (void)c;
    table_t *t = user;
    t->rows = realloc(t->rows, (t->n_rows + 1) * sizeof *t->rows);
    t->widths = realloc(t->widths, (t->n_rows + 1) * sizeof *t->widths);
    t->rows[t->n_rows] = t->cells;
    t->widths[t->n_rows++] = t->n_cells;
    t->cells = NULL;
    t->n_cells = 0;
}

static table_t read_table(const char *path)
{
    table_t t = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (run the tests from the project root)", path);
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        assert_int_equal(csv_parse(&p, buf, n, on_cell, on_row, &t), n);
    assert_int_equal(csv_fini(&p, on_cell, on_row, &t), 0);
    csv_free(&p);
    fclose(f);
    return t;
}

static void free_table(table_t *t)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->widths[r]; c++)
            free(t->rows[r][c]);
        free(t->rows[r]);
    }
    free(t->rows);
    free(t->widths);
}

static long column(const table_t *t, const char *name)
{
    for (size_t c = 0; c < t->widths[0]; c++)
        if (strcmp(t->rows[0][c], name) == 0)
            return (long)c;
    return -1;
}

/* The row of `want` whose key columns equal those of got's row r. */
static size_t matching_row(const table_t *got, size_t r, const table_t *want, const char *const *keys,
                           size_t n_keys)
{
    for (size_t w = 1; w < want->n_rows; w++) {
        size_t k = 0;
        while (k < n_keys &&
               strcmp(got->rows[r][column(got, keys[k])], want->rows[w][column(want, keys[k])]) == 0)
            k++;
        if (k == n_keys)
            return w;
    }
    fail_msg("no reference row for %s", got->rows[r][0]);
    return 0;
}

static size_t compare_cell(const char *fixture, const char *got, const char *want, const char *what)
{
    if (!want[0] || !got[0]) {
        if (want[0] != got[0])
            fail_msg("%s %s: engage '%s', R '%s'", fixture, what, got, want);
        return 1;
    }
    double g = strtod(got, NULL), w = strtod(want, NULL);
    /* relative 1e-7; exact zeros (REML boundary) and tiny p-values absolutely */
    double tolerance = 1e-7 * fmax(fabs(w), 1e-300);
    if (fabs(w) < 1e-12)
        tolerance = 1e-12;
    if (!(fabs(g - w) <= tolerance))
        fail_msg("%s %s: engage %s, R %s (relative error %.3g)", fixture, what, got, want,
                 fabs(g - w) / fabs(w));
    return 1;
}

/* The funnel columns of managers.csv: checked by check_funnel, not against a
 * column of R's. */
static bool is_funnel(const char *name)
{
    return strncmp(name, "funnel_", 7) == 0 || strcmp(name, "stands_out") == 0;
}

/* The header of got must be exactly these columns. */
static void check_header(const char *fixture, const table_t *got, const char *const *names, size_t n)
{
    if (got->widths[0] != n)
        fail_msg("%s: %zu columns, the contract says %zu", fixture, got->widths[0], n);
    for (size_t c = 0; c < n; c++)
        if (strcmp(got->rows[0][c], names[c]) != 0)
            fail_msg("%s: column %zu is '%s', the contract says '%s'", fixture, c + 1,
                     got->rows[0][c], names[c]);
}

/* The nested fit's columns of variance.csv: these data sets have no units,
 * so they must be empty (tests/analysis/test_nested.c checks the fit
 * against R). */
static bool is_nested(const char *name)
{
    static const char *const nested[] = { "var_unit_reml", "var_manager_reml", "var_within_nested_reml",
                                          "share_unit", "share_manager" };
    for (size_t i = 0; i < sizeof nested / sizeof nested[0]; i++)
        if (strcmp(name, nested[i]) == 0)
            return true;
    return false;
}

/* managers.csv's participation columns: these data sets have no roster,
 * so they must be empty (tests/report/test_participation.c checks them). */
static bool is_participation(const char *name)
{
    return strcmp(name, "invited") == 0 || strcmp(name, "responded") == 0 || strcmp(name, "response_rate") == 0;
}

/* Every column of got (except keys, `suppressed` and the funnel) against want. */
static size_t compare_tables(const char *fixture, const table_t *got, const table_t *want, const char *const *keys,
                             size_t n_keys, size_t *suppressed_rows)
{
    size_t compared = 0;
    long suppressed = column(got, "suppressed");
    for (size_t r = 1; r < got->n_rows; r++) {
        size_t w = matching_row(got, r, want, keys, n_keys);
        bool hidden = suppressed >= 0 && strcmp(got->rows[r][suppressed], "1") == 0;
        if (hidden)
            (*suppressed_rows)++;
        for (size_t c = 0; c < got->widths[0]; c++) {
            const char *name = got->rows[0][c];
            if ((long)c == suppressed)
                continue;
            bool is_key = false;
            for (size_t k = 0; k < n_keys; k++)
                is_key |= strcmp(name, keys[k]) == 0;
            if (is_key)
                continue;
            char what[256];
            snprintf(what, sizeof what, "%s/%s %s", got->rows[r][0], got->rows[r][1], name);
            if (hidden && strcmp(name, "n") != 0) {
                if (got->rows[r][c][0])
                    fail_msg("%s %s: suppressed row shows '%s'", fixture, what, got->rows[r][c]);
                continue;
            }
            if (is_funnel(name))
                continue;
            if (is_nested(name)) {
                if (got->rows[r][c][0])
                    fail_msg("%s %s: '%s' without units", fixture, what, got->rows[r][c]);
                continue;
            }
            if (is_participation(name)) {
                if (got->rows[r][c][0])
                    fail_msg("%s %s: '%s' without a roster", fixture, what, got->rows[r][c]);
                continue;
            }
            long wc = column(want, name);
            if (wc < 0)
                fail_msg("%s: R gives no column '%s'", fixture, name);
            compared += compare_cell(fixture, got->rows[r][c], want->rows[w][wc], what);
        }
    }
    return compared;
}

/* The funnel limits of every shown manager row from R's figures:
 * grand_mean ± z · sqrt(ms_within) / sqrt(n) at z = 1.959963984540054 and
 * 3.090232306167813, and stands_out from R's mean against the 99.8% limits.
 * Returns the number of cells compared. */
static size_t check_funnel(const char *fixture, const table_t *got, const table_t *want_variance,
                           const table_t *want_managers)
{
    static const char *const limits[] = {"funnel_low95", "funnel_high95", "funnel_low998", "funnel_high998"};
    static const double z[] = {-1.959963984540054, 1.959963984540054, -3.090232306167813, 3.090232306167813};
    const char *scale_key[] = {"scale"};
    const char *manager_key[] = {"scale", "manager_id"};
    size_t compared = 0;
    long suppressed = column(got, "suppressed"), out = column(got, "stands_out");
    assert_true(suppressed >= 0 && out >= 0);
    for (size_t r = 1; r < got->n_rows; r++) {
        if (strcmp(got->rows[r][suppressed], "1") == 0)
            continue;
        size_t v = matching_row(got, r, want_variance, scale_key, 1);
        size_t m = matching_row(got, r, want_managers, manager_key, 2);
        double grand = strtod(want_variance->rows[v][column(want_variance, "grand_mean")], NULL);
        double msw = strtod(want_variance->rows[v][column(want_variance, "ms_within")], NULL);
        double n = strtod(want_managers->rows[m][column(want_managers, "n")], NULL);
        double mean = strtod(want_managers->rows[m][column(want_managers, "mean")], NULL);
        char what[256], want[64];
        for (size_t i = 0; i < 4; i++) {
            snprintf(what, sizeof what, "%s/%s %s", got->rows[r][0], got->rows[r][1], limits[i]);
            snprintf(want, sizeof want, "%.17g", grand + z[i] * sqrt(msw / n));
            compared += compare_cell(fixture, got->rows[r][column(got, limits[i])], want, what);
        }
        double low = grand + z[2] * sqrt(msw / n), high = grand + z[3] * sqrt(msw / n);
        const char *expect = mean > high ? "above" : mean < low ? "below" : "";
        if (strcmp(got->rows[r][out], expect) != 0)
            fail_msg("%s %s/%s stands_out: engage '%s', from R's figures '%s'", fixture, got->rows[r][0],
                     got->rows[r][1], got->rows[r][out], expect);
        compared++;
    }
    return compared;
}

static table_t read_pair(const char *dir, const char *name, const char *what)
{
    char file[700];
    snprintf(file, sizeof file, "%s%s%s", dir, name, what);
    return read_table(file);
}

static void run_fixture(const char *name, size_t expected_scales)
{
    char path[512], ini[512], outdir[512];
    snprintf(path, sizeof path, FIXTURES "%s.csv", name);
    snprintf(ini, sizeof ini, FIXTURES "%s.ini", name);
    snprintf(outdir, sizeof outdir, "/tmp/engage-reference-%s-%d", name, (int)getpid());

    config_t cfg;
    engage_error_t err = {0};
    assert_int_equal(config_init_default(&cfg, &err), ENGAGE_OK);
    if (config_load(&cfg, ini, &err) != ENGAGE_OK)
        fail_msg("%s:%ld: %s", ini, err.line, err.message);
    assert_int_equal(config_override(&cfg, "min_group", "3", &err), ENGAGE_OK);
    dataset_t *ds = dataset_new();
    ingest_log_t log;
    ingest_log_init(&log);
    const char *inputs[] = {path};
    if (ingest_read(&cfg, inputs, 1, NULL, ds, &log, &err) != ENGAGE_OK)
        fail_msg("%s:%ld: %s", err.file, err.line, err.message);
    assert_int_equal(log.files[0].rejected, 0);
    results_t *results = NULL;
    assert_int_equal(analysis_run(ds, &results, &err), ENGAGE_OK);
    char *argv[] = {"engage", "run", path};
    report_input_t in = {.config = &cfg, .dataset = ds, .results = results, .log = &log,
                         .argc = 3, .argv = argv, .version = "test"};
    if (report_write(&in, outdir, &err) != ENGAGE_OK)
        fail_msg("report: %s", err.message);

    char dir[600];
    snprintf(dir, sizeof dir, "%s/", outdir);
    table_t got_variance = read_pair(dir, "", "variance.csv");
    table_t want_variance = read_pair(FIXTURES, name, "_variance_shown.csv");
    table_t got_all_teams = read_pair(dir, "", "variance_all_teams.csv");
    table_t want_all_teams = read_pair(FIXTURES, name, "_variance.csv");
    table_t got_managers = read_pair(dir, "", "managers.csv");
    table_t want_managers = read_pair(FIXTURES, name, "_managers.csv");
    table_t got_items = read_pair(dir, "", "items.csv");
    table_t want_items = read_pair(FIXTURES, name, "_items.csv");

    static const char *const variance_columns[] = {
        "scale", "respondents", "managers", "grand_mean", "ss_between", "ss_within", "df_between",
        "df_within", "ms_between", "ms_within", "f", "p_value", "k0", "icc1", "icc1_ci_low",
        "icc1_ci_high", "icc2", "eta_squared", "var_between_reml", "var_within_reml", "icc_reml",
        "alpha", "var_unit_reml", "var_manager_reml", "var_within_nested_reml", "share_unit",
        "share_manager",
    };
    static const char *const manager_columns[] = {
        "scale", "manager_id", "n", "mean", "sd", "se", "ci_low", "ci_high", "median",
        "favourable_pct", "rwg", "suppressed", "funnel_low95", "funnel_high95", "funnel_low998",
        "funnel_high998", "stands_out", "invited", "responded", "response_rate", "neutral_pct",
        "unfavourable_pct",
    };
    static const char *const item_columns[] = {
        "scale", "item", "n", "mean", "sd", "favourable_pct", "item_rest_r",
    };
    check_header(name, &got_variance, variance_columns, sizeof variance_columns / sizeof *variance_columns);
    check_header(name, &got_all_teams, variance_columns, sizeof variance_columns / sizeof *variance_columns);
    check_header(name, &got_managers, manager_columns, sizeof manager_columns / sizeof *manager_columns);
    check_header(name, &got_items, item_columns, sizeof item_columns / sizeof *item_columns);

    assert_int_equal(got_variance.n_rows, expected_scales + 1);
    assert_int_equal(got_managers.n_rows, want_managers.n_rows);
    assert_int_equal(got_items.n_rows, want_items.n_rows);
    const char *scale_key[] = {"scale"};
    const char *manager_key[] = {"scale", "manager_id"};
    const char *item_key[] = {"scale", "item"};
    size_t hidden = 0;
    size_t compared = compare_tables(name, &got_variance, &want_variance, scale_key, 1, &hidden);
    assert_int_equal(hidden, 0);
    assert_int_equal(compared, expected_scales * 21);
    compared = compare_tables(name, &got_all_teams, &want_all_teams, scale_key, 1, &hidden);
    assert_int_equal(hidden, 0);
    assert_int_equal(compared, expected_scales * 21);
    size_t manager_rows = got_managers.n_rows - 1;
    compared = compare_tables(name, &got_managers, &want_managers, manager_key, 2, &hidden);
    assert_int_equal(compared, (manager_rows - hidden) * 11 + hidden);
    size_t funnel = check_funnel(name, &got_managers, &want_variance, &want_managers);
    assert_int_equal(funnel, (manager_rows - hidden) * 5);
    size_t item_hidden = 0;
    compared = compare_tables(name, &got_items, &want_items, item_key, 2, &item_hidden);
    assert_int_equal(compared, (got_items.n_rows - 1) * 5);
    printf("%s: %zu manager rows (%zu suppressed), %zu item rows; figures match R to 1e-7\n", name,
           manager_rows, hidden, got_items.n_rows - 1);

    free_table(&got_variance);
    free_table(&want_variance);
    free_table(&got_all_teams);
    free_table(&want_all_teams);
    free_table(&got_managers);
    free_table(&want_managers);
    free_table(&got_items);
    free_table(&want_items);
    char command[700];
    snprintf(command, sizeof command, "rm -rf '%s'", outdir);
    assert_int_equal(system(command), 0);
    results_free(results);
    dataset_free(ds);
    ingest_log_fini(&log);
    config_fini(&cfg);
}

static void test_bh1996(void **state)
{
    (void)state;
    run_fixture("bh1996", 5);
}

static void test_lq2002(void **state)
{
    (void)state;
    run_fixture("lq2002", 3);
}

static void test_missing_small(void **state)
{
    (void)state;
    run_fixture("missing_small", 1);
}

static void test_zero_between(void **state)
{
    (void)state;
    run_fixture("zero_between", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bh1996),
        cmocka_unit_test(test_lq2002),
        cmocka_unit_test(test_missing_small),
        cmocka_unit_test(test_zero_between),
    };
    return cmocka_run_group_tests_name("reference", tests, NULL, NULL);
}
