/*
 * tests/report/test_participation.c — invited and responded per team and
 * unit (analysis/participation.c) on a reporting tree built by hand: a
 * team is its manager's direct reports, an uninvited response does not
 * count, the company counts the whole tree as leaders.csv does, a manager the tree does not know has none, units sum their
 * managers, and a dataset without a tree, or with a response the tree
 * could not match, has no participation at all;
 * then the cells managers.csv and units.csv publish (report/tables.c):
 * the counts and rate where the invited headcount reaches min_group, a
 * suppressed team's included, and empty cells elsewhere and without a tree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../analysis/analysis.h"
#include "../../analysis/leaders.h"
#include "../../analysis/participation.h"
#include "../../analysis/units.h"
#include "../../report/tables.h"
#include "../../report/view.h"
#include "read_file.h"

/*        T                 nodes: T 0, A 1, B 2, a1..a6 3..8, b1..b4 9..12
 *      /   \
 *     A     B              invited: everyone but a6
 *   a1..a6  b1..b4         responded: A, a1, a2, a3, a6 (not invited), b1
 *
 * Dataset managers in byte order: A (a1 a2 a3 a6), B (b1), T (A's answer),
 * X (a manager the tree does not know). */
static const char *const node_id[] = {"T", "A", "B", "a1", "a2", "a3", "a4", "a5", "a6",
                                      "b1", "b2", "b3", "b4"};
enum { NODES = 13 };

static org_t *hand_tree(void)
{
    const uint32_t parent[NODES] = {ORG_TOP, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2};
    org_t *org;
    uint32_t *loop;
    size_t loop_len;
    assert_int_equal(org_build(parent, NODES, &org, &loop, &loop_len), ENGAGE_OK);
    for (size_t v = 0; v < NODES; v++) {
        assert_int_equal(org_label(org, v, node_id[v], NULL), ENGAGE_OK);
        org_set_invited(org, v, v != 8);
    }
    static const size_t responded[] = {1, 3, 4, 5, 8, 9};
    for (size_t i = 0; i < sizeof responded / sizeof responded[0]; i++)
        org_mark_responded(org, responded[i]);
    return org;
}

static void add(dataset_t *ds, const char *respondent, const char *manager, double y)
{
    static long line = 1;
    double values[1] = {y};
    assert_int_equal(dataset_add_row(ds, respondent, manager, values, 0, ++line, NULL, NULL), ENGAGE_OK);
}

/* One item on 1..5; the respondents above, X's one answer, and units:
 * A and B North, T South, X none. */
static dataset_t *hand_dataset(bool with_tree)
{
    dataset_t *ds = dataset_new();
    assert_non_null(ds);
    size_t item;
    assert_int_equal(dataset_add_column(ds, "y", &item), ENGAGE_OK);
    bool reverse = false;
    dataset_scale_t scale = {"engagement", 1, &item, &reverse, 1, 5, 0.5, 4, 2};
    assert_int_equal(dataset_add_scale(ds, &scale), ENGAGE_OK);
    add(ds, "a1", "A", 4);
    add(ds, "a2", "A", 5);
    add(ds, "a3", "A", 3);
    add(ds, "a6", "A", 2);
    add(ds, "b1", "B", 4);
    add(ds, "A", "T", 5);
    add(ds, "x1", "X", 1);
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    assert_int_equal(dataset_set_manager_unit(ds, 0, "North"), ENGAGE_OK);
    assert_int_equal(dataset_set_manager_unit(ds, 1, "North"), ENGAGE_OK);
    assert_int_equal(dataset_set_manager_unit(ds, 2, "South"), ENGAGE_OK);
    if (with_tree)
        dataset_set_org(ds, hand_tree());
    return ds;
}

static void assert_count(const participation_count_t *c, size_t invited, size_t responded)
{
    assert_int_equal(c->invited, invited);
    assert_int_equal(c->responded, responded);
}

static void test_teams_and_units(void **state)
{
    (void)state;
    dataset_t *ds = hand_dataset(true);
    results_t *res;
    units_t *units;
    participation_t *p;
    assert_int_equal(analysis_run(ds, &res, NULL), ENGAGE_OK);
    assert_int_equal(units_run(ds, res, &units, NULL), ENGAGE_OK);
    assert_int_equal(participation_run(ds, units, &p, NULL), ENGAGE_OK);
    assert_non_null(p);
    assert_int_equal(p->n_managers, 4);
    assert_string_equal(dataset_manager_id(ds, 0), "A");
    assert_string_equal(dataset_manager_id(ds, 3), "X");
    /* A: a1..a5 invited (a6 is not), of them a1, a2, a3 responded; a6's
     * answer is analysed (n = 4) but counts in neither */
    assert_count(&p->managers[0], 5, 3);
    assert_int_equal(res->scales[0].managers[0].n, 4);
    assert_count(&p->managers[1], 4, 1);   /* B: b1..b4, b1 */
    assert_count(&p->managers[2], 2, 1);   /* T: A and B, A */
    assert_count(&p->managers[3], 0, 0);   /* X: not in the tree */
    /* units "", North, South: X; A + B; T */
    assert_int_equal(p->n_units, 3);
    assert_count(&p->units[0], 0, 0);
    assert_count(&p->units[1], 9, 4);
    assert_count(&p->units[2], 2, 1);
    assert_true(fabs(participation_rate(&p->managers[0]) - 60.0) < 1e-12);
    assert_true(fabs(participation_rate(&p->managers[1]) - 25.0) < 1e-12);
    assert_true(fabs(participation_rate(&p->units[1]) - 100.0 * 4.0 / 9.0) < 1e-12);
    assert_true(isnan(participation_rate(&p->managers[3])));
    /* the company (trend.csv's, as leaders.csv's company row): everyone
     * invited in the tree (a6 is not), the responding ones of them (A, a1,
     * a2, a3, b1) */
    leaders_t *l;
    assert_int_equal(leaders_run(ds, res, &l, NULL), ENGAGE_OK);
    assert_int_equal(l->invited[0], 12);
    assert_int_equal(l->responded[0], 5);
    leaders_free(l);
    participation_free(p);

    /* silent teams: 3 more invited in North; a unit with no team of the
     * run ("East") is no row */
    assert_int_equal(dataset_add_silent_team(ds, "North", 3), ENGAGE_OK);
    assert_int_equal(dataset_add_silent_team(ds, "East", 2), ENGAGE_OK);
    assert_int_equal(dataset_n_silent_teams(ds), 2);
    assert_int_equal(participation_run(ds, units, &p, NULL), ENGAGE_OK);
    assert_count(&p->units[0], 0, 0);
    assert_count(&p->units[1], 12, 4);
    assert_count(&p->units[2], 2, 1);
    assert_count(&p->managers[0], 5, 3);
    participation_free(p);

    /* without units: the teams alone */
    assert_int_equal(participation_run(ds, NULL, &p, NULL), ENGAGE_OK);
    assert_int_equal(p->n_units, 0);
    assert_null(p->units);
    assert_count(&p->managers[0], 5, 3);
    participation_free(p);
    units_free(units);
    results_free(res);
    dataset_free(ds);
}

static void test_without_tree(void **state)
{
    (void)state;
    dataset_t *ds = hand_dataset(false);
    participation_t *p = (participation_t *)1;
    assert_int_equal(participation_run(ds, NULL, &p, NULL), ENGAGE_OK);
    assert_null(p);
    participation_free(NULL);
    dataset_free(ds);

    /* a tree, but a response accepted that names no node (an archive's
     * row): who responded is not known, so there is no participation */
    ds = hand_dataset(true);
    org_mark_unmatched_response((org_t *)dataset_org(ds));
    assert_false(org_responses_complete(dataset_org(ds)));
    p = (participation_t *)1;
    assert_int_equal(participation_run(ds, NULL, &p, NULL), ENGAGE_OK);
    assert_null(p);
    dataset_free(ds);
}

/* Fields first .. first+count-1 (from 1) of the line of text starting
 * with `start`, comma-joined (no field holds a comma or a quote). */
static char *fields(const char *text, const char *start, int first, int count)
{
    const char *line = strstr(text, start);
    assert_non_null(line);
    static char out[256];
    size_t len = 0;
    int field = 1;
    for (const char *c = line; *c && *c != '\n'; c++) {
        if (*c == ',') {
            field++;
            if (field > first && field < first + count)
                out[len++] = ',';
            continue;
        }
        if (field >= first && field < first + count && len + 1 < sizeof out)
            out[len++] = *c;
    }
    out[len] = '\0';
    return out;
}

/* managers.csv and units.csv of the hand dataset at min_group 3, in dir. */
static void write_tables(bool with_tree, char **managers, char **units_csv)
{
    dataset_t *ds = hand_dataset(with_tree);
    results_t *res;
    units_t *units;
    config_t cfg;
    view_t *view;
    assert_int_equal(analysis_run(ds, &res, NULL), ENGAGE_OK);
    assert_int_equal(units_run(ds, res, &units, NULL), ENGAGE_OK);
    assert_int_equal(config_init_default(&cfg, NULL), ENGAGE_OK);
    cfg.min_group = 3;
    report_input_t in = {.config = &cfg, .dataset = ds, .results = res, .units = units};
    assert_int_equal(view_build(&in, &view, NULL), ENGAGE_OK);
    char dir[] = "/tmp/engage-participation.XXXXXX", path[64], sha[65];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/managers.csv", dir);
    assert_int_equal(tables_write_managers(&in, view, path, sha, NULL), ENGAGE_OK);
    *managers = read_file(path, NULL);
    unlink(path);
    snprintf(path, sizeof path, "%s/units.csv", dir);
    assert_int_equal(tables_write_units(&in, view, path, sha, NULL), ENGAGE_OK);
    *units_csv = read_file(path, NULL);
    unlink(path);
    rmdir(dir);
    view_free(view);
    config_fini(&cfg);
    units_free(units);
    results_free(res);
    dataset_free(ds);
}

static void test_published_cells(void **state)
{
    (void)state;
    char *managers, *units;
    write_tables(true, &managers, &units);
    /* managers.csv: suppressed is field 12, invited .. response_rate 18 .. 20 */
    assert_string_equal(fields(managers, "scale,", 17, 6),
                        "stands_out,invited,responded,response_rate,neutral_pct,unfavourable_pct");
    /* A: 4 scored, shown; 5 invited, 3 of them responded */
    assert_string_equal(fields(managers, "engagement,A,", 12, 1), "0");
    assert_string_equal(fields(managers, "engagement,A,", 18, 3), "5,3,60");
    /* B: suppressed (1 scored) but 4 invited >= 3: its participation shows */
    assert_string_equal(fields(managers, "engagement,B,", 12, 1), "1");
    assert_string_equal(fields(managers, "engagement,B,", 18, 5), "4,1,25,,");
    /* T: 2 invited < 3; X: not in the tree, none invited */
    assert_string_equal(fields(managers, "engagement,T,", 18, 3), ",,");
    assert_string_equal(fields(managers, "engagement,X,", 18, 3), ",,");
    /* units.csv: suppressed 13, invited .. response_rate 14 .. 16 */
    assert_string_equal(fields(units, "scale,", 13, 6),
                        "suppressed,invited,responded,response_rate,neutral_pct,unfavourable_pct");
    assert_string_equal(fields(units, "engagement,North,", 14, 3), "9,4,44.4444444444");
    assert_string_equal(fields(units, "engagement,South,", 14, 3), ",,");
    assert_string_equal(fields(units, "engagement,,", 14, 3), ",,");
    free(managers);
    free(units);

    /* without a tree every participation cell is empty */
    write_tables(false, &managers, &units);
    assert_string_equal(fields(managers, "engagement,A,", 18, 3), ",,");
    assert_string_equal(fields(managers, "engagement,B,", 18, 3), ",,");
    assert_string_equal(fields(units, "engagement,North,", 14, 3), ",,");
    free(managers);
    free(units);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_teams_and_units),
        cmocka_unit_test(test_without_tree),
        cmocka_unit_test(test_published_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
