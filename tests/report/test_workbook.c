/*
 * tests/report/test_workbook.c — engage.xlsx through report_write() on a
 * small in-memory survey, read back with a reader of its own: libarchive
 * unzips the file, GLib's GMarkup parses the parts of the workbook, and
 * every cell of every table sheet is compared with the matching CSV cell
 * (figures as numbers in their column's number format, ids and names as
 * strings, shared or inline, never a formula), with the frozen bold header,
 * the autofilter and the column widths, the Summary sheet first with
 * scales.csv's figures, then Read me with the config text and min_group,
 * byte-identical reruns and the document date.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <csv.h>
#include <glib.h>
#include <math.h>
#include <sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../report/report.h"
#include "../../report/workbook.h"

/* ------------------------------------------------------------------------ */
/* fixture: one scale, managers with awkward names                          */

static const struct {
    const char *id;
    int members;
} teams[] = {
    { "=HYPERLINK(\"http://x\",\"y\")", 6 },
    { "Smith, Jane", 6 },
    { "Line\nbreak", 5 },
    { "007", 7 },
    { "-0.25", 6 },
    { "_x0041_", 5 },            /* not OOXML's escape of "A" */
    /* what XML cannot hold: a C0 control, U+FFFE, U+FFFF, ESC */
    { "odd\x01\xEF\xBF\xBE\xEF\xBF\xBF\x1b[2J", 6 },
    { "M6", 2 },                 /* suppressed */
};
enum { N_TEAMS = sizeof teams / sizeof teams[0] };

static const char config_text[] =
    "; quarter config\n"
    "[scale engagement]\n"
    "items = Q1, Q2, Q3\n"
    "reverse = Q3\n"
    "\n"
    "[report]\n"
    "min_group = 5\n";

typedef struct {
    config_t cfg;
    dataset_t *ds;
    results_t *results;
    ingest_log_t log;
    ingest_file_t file;
    ingest_reject_t reject;
    char *argv[4];
    report_input_t in;
    char dir[64];
} fixture_t;

static void remove_tree(const char *path)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    strcpy(f->dir, "/tmp/engage-workbook-XXXXXX");
    assert_non_null(mkdtemp(f->dir));

    f->ds = dataset_new();
    assert_non_null(f->ds);
    size_t q[3];
    assert_int_equal(dataset_add_column(f->ds, "Q1", &q[0]), ENGAGE_OK);
    assert_int_equal(dataset_add_column(f->ds, "Q2", &q[1]), ENGAGE_OK);
    assert_int_equal(dataset_add_column(f->ds, "Q3", &q[2]), ENGAGE_OK);
    bool rev[3] = { false, false, true };
    dataset_scale_t sc = { "engagement", 3, q, rev, 1, 5, 0.5, 4, 2 };
    assert_int_equal(dataset_add_scale(f->ds, &sc), ENGAGE_OK);
    int r = 0;
    for (size_t t = 0; t < N_TEAMS; t++) {
        for (int i = 0; i < teams[t].members; i++) {
            char id[32];
            snprintf(id, sizeof id, "R%03d", ++r);
            double v[3] = { 1 + (r * 7 + (int)t) % 5, 1 + (r * 3) % 5, 1 + (r + (int)t * 2) % 5 };
            assert_int_equal(dataset_add_row(f->ds, id, teams[t].id, v, 0, r + 1, NULL, NULL),
                             ENGAGE_OK);
        }
    }
    assert_int_equal(dataset_finish(f->ds), ENGAGE_OK);
    assert_int_equal(analysis_run(f->ds, &f->results, NULL), ENGAGE_OK);
    f->results->scales[0].items[0].item_rest_r = -0.25;  /* a negative figure */

    assert_int_equal(config_init_default(&f->cfg, NULL), ENGAGE_OK);
    const char *items[] = { "Q1", "Q2", "Q3" };
    assert_int_equal(config_add_scale(&f->cfg, "engagement", items, 3, 1, 5, NULL), ENGAGE_OK);
    f->cfg.min_group = 5;
    char *ini = g_strdup_printf("%s/survey.ini", f->dir);
    assert_true(g_file_set_contents(ini, config_text, -1, NULL));
    f->cfg.path = strdup(ini);
    f->cfg.text = strdup(config_text); /* as config_load keeps it */
    g_free(ini);

    static size_t item_fields[] = { 2, 3, 4 };
    f->file = (ingest_file_t){
        .path = "@survey.csv", .format = "canonical", .encoding = "utf-8", .delimiter = ",",
        .bytes = 100, .rows = (size_t)r + 1, .accepted = (size_t)r, .rejected = 1,
        .layout = "canonical", .header_rows = 1, .respondent_column = "respondent_id",
        .manager_column = "manager_id", .item_field = item_fields, .n_item_fields = 3,
    };
    f->reject = (ingest_reject_t){ 0, 9, "R999", "manager_id is empty", false, INGEST_REASON_NO_MANAGER };
    f->log.files = &f->file;
    f->log.n_files = 1;
    f->log.rejects = &f->reject;
    f->log.n_rejects = 1;
    f->argv[0] = "engage";
    f->argv[1] = "run";
    f->argv[2] = "@survey.csv";
    f->in = (report_input_t){ .config = &f->cfg, .dataset = f->ds, .results = f->results,
                              .log = &f->log, .argc = 3, .argv = f->argv, .version = "9.9.9" };
    unsetenv("SOURCE_DATE_EPOCH");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    remove_tree(f->dir);
    config_fini(&f->cfg);
    results_free(f->results);
    dataset_free(f->ds);
    free(f);
    unsetenv("SOURCE_DATE_EPOCH");
    return 0;
}

static char *write_report(fixture_t *f, const char *name)
{
    char *out = g_strdup_printf("%s/%s", f->dir, name);
    engage_error_t err = { 0 };
    engage_status_t rc = report_write(&f->in, out, &err);
    if (rc != ENGAGE_OK)
        fail_msg("report_write: %s", err.message);
    return out;
}

/* ------------------------------------------------------------------------ */
/* the xlsx reader: zip entries and a small XML tree                         */

/* Every entry of a zip file: name -> GString of its bytes. */
static GHashTable *unzip_all(const char *path)
{
    GHashTable *parts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    struct archive *a = archive_read_new();
    archive_read_support_format_zip(a);
    assert_int_equal(archive_read_open_filename(a, path, 16384), ARCHIVE_OK);
    struct archive_entry *e;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        GString *data = g_string_new(NULL);
        char buf[8192];
        la_ssize_t n;
        while ((n = archive_read_data(a, buf, sizeof buf)) > 0)
            g_string_append_len(data, buf, n);
        assert_true(n == 0);
        g_hash_table_insert(parts, g_strdup(archive_entry_pathname(e)), data);
    }
    archive_read_free(a);
    return parts;
}

static void free_parts(GHashTable *parts)
{
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, parts);
    while (g_hash_table_iter_next(&it, &k, &v))
        g_string_free(v, TRUE);
    g_hash_table_destroy(parts);
}

static const char *part(GHashTable *parts, const char *name)
{
    GString *s = g_hash_table_lookup(parts, name);
    if (!s)
        fail_msg("no part %s in the workbook", name);
    return s->str;
}

typedef struct node {
    char *name;
    char **attr_names, **attr_values;
    GPtrArray *children;       /* node_t * */
    GString *text;             /* text directly inside */
} node_t;

static void node_free(gpointer p)
{
    node_t *n = p;
    g_free(n->name);
    g_strfreev(n->attr_names);
    g_strfreev(n->attr_values);
    g_ptr_array_free(n->children, TRUE);
    g_string_free(n->text, TRUE);
    g_free(n);
}

static node_t *node_new(const char *name, const char **an, const char **av)
{
    node_t *n = g_new0(node_t, 1);
    n->name = g_strdup(name);
    n->attr_names = g_strdupv((char **)an);
    n->attr_values = g_strdupv((char **)av);
    n->children = g_ptr_array_new_with_free_func(node_free);
    n->text = g_string_new(NULL);
    return n;
}

static void x_start(GMarkupParseContext *c, const char *name, const char **an, const char **av,
                    gpointer data, GError **e)
{
    (void)c;
    (void)e;
    GPtrArray *stack = data;
    node_t *n = node_new(name, an, av);
    g_ptr_array_add(((node_t *)g_ptr_array_index(stack, stack->len - 1))->children, n);
    g_ptr_array_add(stack, n);
}

static void x_end(GMarkupParseContext *c, const char *name, gpointer data, GError **e)
{
    (void)c;
    (void)name;
    (void)e;
    GPtrArray *stack = data;
    g_ptr_array_remove_index(stack, stack->len - 1);
}

static void x_text(GMarkupParseContext *c, const char *text, gsize len, gpointer data, GError **e)
{
    (void)c;
    (void)e;
    GPtrArray *stack = data;
    g_string_append_len(((node_t *)g_ptr_array_index(stack, stack->len - 1))->text, text, len);
}

/* The document's root element (inside a holder node: free the holder). */
static node_t *xml_parse(const char *xml)
{
    static const GMarkupParser parser = { x_start, x_end, x_text, NULL, NULL };
    node_t *holder = node_new("", (const char *[]){ NULL }, (const char *[]){ NULL });
    GPtrArray *stack = g_ptr_array_new();
    g_ptr_array_add(stack, holder);
    GMarkupParseContext *ctx = g_markup_parse_context_new(&parser, 0, stack, NULL);
    GError *e = NULL;
    /* GMarkup does not take the XML declaration: skip it */
    const char *body = xml;
    if (strncmp(body, "<?xml", 5) == 0)
        body = strstr(body, "?>") + 2;
    if (!g_markup_parse_context_parse(ctx, body, -1, &e) || !g_markup_parse_context_end_parse(ctx, &e))
        fail_msg("XML: %s", e->message);
    g_markup_parse_context_free(ctx);
    g_ptr_array_free(stack, TRUE);
    assert_int_equal(holder->children->len, 1);
    return holder;
}

static node_t *root_of(node_t *holder)
{
    return g_ptr_array_index(holder->children, 0);
}

static const char *attr(const node_t *n, const char *name)
{
    for (size_t i = 0; n->attr_names[i]; i++)
        if (strcmp(n->attr_names[i], name) == 0)
            return n->attr_values[i];
    return NULL;
}

static node_t *child(const node_t *n, const char *name)
{
    for (size_t i = 0; i < n->children->len; i++) {
        node_t *c = g_ptr_array_index(n->children, i);
        if (strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

/* All descendants named `name`, in document order. */
static void find_all(const node_t *n, const char *name, GPtrArray *out)
{
    for (size_t i = 0; i < n->children->len; i++) {
        node_t *c = g_ptr_array_index(n->children, i);
        if (strcmp(c->name, name) == 0)
            g_ptr_array_add(out, c);
        find_all(c, name, out);
    }
}

/* The text of every <t> below n, concatenated, with _xHHHH_ escapes
 * undone (how OOXML stores control characters). */
static char *string_text(const node_t *n)
{
    GPtrArray *ts = g_ptr_array_new();
    find_all(n, "t", ts);
    GString *raw = g_string_new(NULL);
    for (size_t i = 0; i < ts->len; i++)
        g_string_append(raw, ((node_t *)g_ptr_array_index(ts, i))->text->str);
    g_ptr_array_free(ts, TRUE);
    GString *out = g_string_new(NULL);
    for (const char *p = raw->str; *p; p++) {
        unsigned v;
        if (p[0] == '_' && p[1] == 'x' && sscanf(p, "_x%4x_", &v) == 1 && p[6] == '_') {
            g_string_append_unichar(out, v);
            p += 6;
        } else {
            g_string_append_c(out, *p);
        }
    }
    g_string_free(raw, TRUE);
    return g_string_free(out, FALSE);
}

/* ------------------------------------------------------------------------ */
/* the workbook as read back                                                  */

typedef struct {
    int row, col;
    const char *type;          /* t attribute, NULL for a number */
    const char *style;         /* s attribute */
    char *value;               /* the number's text, or the string */
    const char *format;        /* its number format's code: "General" when none */
} cell_t;

typedef struct {
    char *name;
    char *xml;                 /* the raw part */
    node_t *doc;
    GArray *cells;             /* cell_t */
} sheet_t;

typedef struct {
    GHashTable *parts;
    GPtrArray *strings;        /* char *: the shared strings */
    GArray *sheets;            /* sheet_t, in workbook order */
    GArray *xf_bold;           /* bool per cellXfs entry */
    GPtrArray *xf_format;      /* char *: the number format code per cellXfs entry */
} book_t;

static void cell_ref(const char *ref, int *row, int *col)
{
    int c = 0;
    const char *p = ref;
    while (*p >= 'A' && *p <= 'Z')
        c = c * 26 + (*p++ - 'A' + 1);
    *col = c - 1;
    *row = atoi(p) - 1;
}

static book_t *book_open(const char *path)
{
    book_t *b = g_new0(book_t, 1);
    b->parts = unzip_all(path);
    b->strings = g_ptr_array_new_with_free_func(g_free);
    b->sheets = g_array_new(FALSE, TRUE, sizeof(sheet_t));
    b->xf_bold = g_array_new(FALSE, TRUE, sizeof(bool));
    b->xf_format = g_ptr_array_new_with_free_func(g_free);

    /* shared strings, when there are any (strings may also be inline) */
    node_t *h;
    if (g_hash_table_lookup(b->parts, "xl/sharedStrings.xml")) {
        h = xml_parse(part(b->parts, "xl/sharedStrings.xml"));
        for (size_t i = 0; i < root_of(h)->children->len; i++) {
            node_t *si = g_ptr_array_index(root_of(h)->children, i);
            assert_string_equal(si->name, "si");
            g_ptr_array_add(b->strings, string_text(si));
        }
        node_free(h);
    }

    /* styles: which cell formats are bold, and their number formats (the
     * workbook's own numFmts; id 0 is General) */
    h = xml_parse(part(b->parts, "xl/styles.xml"));
    node_t *fonts = child(root_of(h), "fonts"), *xfs = child(root_of(h), "cellXfs");
    node_t *numfmts = child(root_of(h), "numFmts");
    assert_non_null(fonts);
    assert_non_null(xfs);
    for (size_t i = 0; i < xfs->children->len; i++) {
        node_t *xf = g_ptr_array_index(xfs->children, i);
        const char *fid = attr(xf, "fontId");
        node_t *font = g_ptr_array_index(fonts->children, fid ? atoi(fid) : 0);
        bool bold = child(font, "b") != NULL;
        g_array_append_val(b->xf_bold, bold);
        const char *id = attr(xf, "numFmtId");
        char *code = NULL;
        if (!id || strcmp(id, "0") == 0)
            code = g_strdup("General");
        for (size_t k = 0; !code && numfmts && k < numfmts->children->len; k++) {
            node_t *nf = g_ptr_array_index(numfmts->children, k);
            if (strcmp(attr(nf, "numFmtId"), id) == 0)
                code = g_strdup(attr(nf, "formatCode"));
        }
        if (!code)
            fail_msg("cell format %zu: number format %s is not the workbook's", i, id);
        g_ptr_array_add(b->xf_format, code);
    }
    node_free(h);

    /* sheets in workbook order, through the relationships */
    node_t *rels = xml_parse(part(b->parts, "xl/_rels/workbook.xml.rels"));
    h = xml_parse(part(b->parts, "xl/workbook.xml"));
    GPtrArray *list = g_ptr_array_new();
    find_all(root_of(h), "sheet", list);
    for (size_t i = 0; i < list->len; i++) {
        node_t *s = g_ptr_array_index(list, i);
        const char *rid = attr(s, "r:id");
        assert_non_null(rid);
        const char *target = NULL;
        for (size_t k = 0; k < root_of(rels)->children->len; k++) {
            node_t *rel = g_ptr_array_index(root_of(rels)->children, k);
            if (strcmp(attr(rel, "Id"), rid) == 0)
                target = attr(rel, "Target");
        }
        assert_non_null(target);
        char *name = g_strdup_printf("xl/%s", target);
        sheet_t sh = { .name = g_strdup(attr(s, "name")), .xml = g_strdup(part(b->parts, name)) };
        g_free(name);
        node_t *doc = xml_parse(sh.xml);
        sh.doc = doc;
        sh.cells = g_array_new(FALSE, TRUE, sizeof(cell_t));
        /* row by row: a cell without a reference follows the one before
         * it in its row (ECMA-376 §18.3.1.4) */
        GPtrArray *cs = g_ptr_array_new(), *rows = g_ptr_array_new();
        GArray *at = g_array_new(FALSE, FALSE, sizeof(int) * 2);
        find_all(root_of(doc), "row", rows);
        for (size_t r = 0; r < rows->len; r++) {
            node_t *row = g_ptr_array_index(rows, r);
            assert_non_null(attr(row, "r"));
            int place[2] = { atoi(attr(row, "r")) - 1, -1 };
            for (size_t k = 0; k < row->children->len; k++) {
                node_t *c = g_ptr_array_index(row->children, k);
                if (strcmp(c->name, "c") != 0)
                    continue;
                if (attr(c, "r"))
                    cell_ref(attr(c, "r"), &place[0], &place[1]);
                else
                    place[1]++;
                assert_int_equal(place[0], atoi(attr(row, "r")) - 1);
                g_ptr_array_add(cs, c);
                g_array_append_vals(at, place, 1);
            }
        }
        g_ptr_array_free(rows, TRUE);
        for (size_t k = 0; k < cs->len; k++) {
            node_t *c = g_ptr_array_index(cs, k);
            cell_t cell = { .type = attr(c, "t"), .style = attr(c, "s") };
            size_t xf = cell.style ? (size_t)atol(cell.style) : 0;
            assert_true(xf < b->xf_format->len);
            cell.format = g_ptr_array_index(b->xf_format, xf);
            const int *place = &g_array_index(at, int, 2 * k);
            cell.row = place[0];
            cell.col = place[1];
            node_t *v = child(c, "v");
            if (cell.type && strcmp(cell.type, "s") == 0) {
                assert_non_null(v);
                long idx = atol(v->text->str);
                assert_true(idx >= 0 && (size_t)idx < b->strings->len);
                cell.value = g_strdup(g_ptr_array_index(b->strings, idx));
            } else if (cell.type && strcmp(cell.type, "inlineStr") == 0) {
                cell.value = string_text(child(c, "is"));
            } else if (v) {
                cell.value = g_strdup(v->text->str);
            } else {
                continue;          /* a formatted blank: no value */
            }
            g_array_append_val(sh.cells, cell);
        }
        g_ptr_array_free(cs, TRUE);
        g_array_free(at, TRUE);
        g_array_append_val(b->sheets, sh);
    }
    g_ptr_array_free(list, TRUE);
    node_free(h);
    node_free(rels);
    return b;
}

static void book_close(book_t *b)
{
    for (size_t i = 0; i < b->sheets->len; i++) {
        sheet_t *s = &g_array_index(b->sheets, sheet_t, i);
        for (size_t k = 0; k < s->cells->len; k++)
            g_free(g_array_index(s->cells, cell_t, k).value);
        g_array_free(s->cells, TRUE);
        node_free(s->doc);
        g_free(s->name);
        g_free(s->xml);
    }
    g_array_free(b->sheets, TRUE);
    g_array_free(b->xf_bold, TRUE);
    g_ptr_array_free(b->xf_format, TRUE);
    g_ptr_array_free(b->strings, TRUE);
    free_parts(b->parts);
    g_free(b);
}

static const cell_t *cell_at(const sheet_t *s, int row, int col)
{
    for (size_t k = 0; k < s->cells->len; k++) {
        const cell_t *c = &g_array_index(s->cells, cell_t, k);
        if (c->row == row && c->col == col)
            return c;
    }
    return NULL;
}

static bool is_bold(const book_t *b, const cell_t *c)
{
    if (!c->style)
        return false;
    size_t i = (size_t)atol(c->style);
    return i < b->xf_bold->len && g_array_index(b->xf_bold, bool, i);
}

/* ------------------------------------------------------------------------ */
/* the CSVs                                                                   */

typedef struct {
    GPtrArray *rows;           /* GPtrArray of char * */
    GPtrArray *row;
} csv_read_t;

static void csv_cell(void *s, size_t len, void *data)
{
    csv_read_t *r = data;
    if (!r->row)
        r->row = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(r->row, g_strndup(s ? s : "", len));
}

static void csv_row(int c, void *data)
{
    (void)c;
    csv_read_t *r = data;
    g_ptr_array_add(r->rows, r->row);
    r->row = NULL;
}

static GPtrArray *read_csv(const char *path)
{
    gchar *text;
    gsize len;
    if (!g_file_get_contents(path, &text, &len, NULL))
        fail_msg("cannot read %s", path);
    csv_read_t r = { g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref), NULL };
    struct csv_parser p;
    assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
    assert_int_equal(csv_parse(&p, text, len, csv_cell, csv_row, &r), len);
    assert_int_equal(csv_fini(&p, csv_cell, csv_row, &r), 0);
    csv_free(&p);
    g_free(text);
    return r.rows;
}

/* Columns of engage's tables that hold text; every other column holds
 * figures (the contract's tables). */
static bool text_column(const char *name)
{
    static const char *const names[] = {
        "scale", "manager_id", "unit", "item", "file", "format", "encoding", "delimiter",
        "wave", "layout", "respondent_column", "manager_column", "item_columns", "stands_out",
        "reason", "respondent_id",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

/* The number format a figure column must show (README.md, engage.xlsx):
 * counts whole, means and the like two decimals, per cents (0..100) with a
 * literal % sign, shares of variance (0..1) as a percentage, p- and
 * q-values three decimals or scientific below 0.001.  NULL: no figure
 * column known to this test. */
static const char *expected_format(const char *column)
{
    static const struct {
        const char *code;
        const char *columns[32];
    } formats[] = {
        { "#,##0", { "n", "invited", "responded", "suppressed", "respondents", "managers",
                     "df_between", "df_within", "rows", "accepted", "rejected", "excluded",
                     "header_rows", "bytes" } },
        { "0.00", { "mean", "sd", "se", "ci_low", "ci_high", "median", "rwg", "funnel_low95",
                    "funnel_high95", "funnel_low998", "funnel_high998", "item_rest_r",
                    "grand_mean", "ss_between", "ss_within", "ms_between", "ms_within", "f",
                    "k0", "icc2", "alpha" } },
        { "0.000", { "var_between_reml", "var_within_reml", "var_unit_reml", "var_manager_reml",
                     "var_within_nested_reml" } },
        { "0.0\"%\"", { "favourable_pct", "neutral_pct", "unfavourable_pct", "response_rate" } },
        { "0.0%", { "icc1", "icc1_ci_low", "icc1_ci_high", "eta_squared", "icc_reml", "share_unit",
                    "share_manager", "share_between" } },
        { "[<0.001]0.00E+00;0.000", { "p_value", "q_value" } },
    };
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        for (size_t k = 0; formats[i].columns[k]; k++)
            if (strcmp(formats[i].columns[k], column) == 0)
                return formats[i].code;
    return NULL;
}

/* The CSV writer's formula guard taken off, and what XML cannot hold (C0
 * controls but tab, LF and CR; U+FFFE; U+FFFF) as U+FFFD, as the workbook
 * should show it.  Into a buffer of the caller's, at least 4 × strlen + 1. */
static const char *expected_text(const char *csv, char *buf)
{
    if (csv[0] == '\'' && csv[1] && strchr("=+-@\t\r", csv[1]))
        csv++;
    char *o = buf;
    for (const unsigned char *p = (const unsigned char *)csv; *p; p++) {
        bool control = *p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r';
        bool nonchar = p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF);
        if (control || nonchar) {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            p += nonchar ? 2 : 0;
        } else {
            *o++ = (char)*p;
        }
    }
    *o = '\0';
    return buf;
}

/* The letters of column n (from 1): A, ..., Z, AA, ... */
static void column_letters(size_t n, char out[8])
{
    char rev[8];
    size_t k = 0;
    for (; n > 0 && k < 7; n = (n - 1) / 26)
        rev[k++] = (char)('A' + (n - 1) % 26);
    for (size_t i = 0; i < k; i++)
        out[i] = rev[k - 1 - i];
    out[k] = '\0';
}

/* Every cell of sheet `sh` against the CSV: numbers as numbers, text as
 * shared strings, empty cells absent, nothing more. */
static void compare_sheet(const book_t *b, const sheet_t *sh, const char *csv_path)
{
    GPtrArray *rows = read_csv(csv_path);
    assert_true(rows->len >= 1);
    GPtrArray *header = g_ptr_array_index(rows, 0);
    size_t expected_cells = 0;
    for (size_t r = 0; r < rows->len; r++) {
        GPtrArray *row = g_ptr_array_index(rows, r);
        for (size_t c = 0; c < row->len; c++) {
            const char *want = g_ptr_array_index(row, c);
            const cell_t *got = cell_at(sh, (int)r, (int)c);
            if (!*want) {
                if (got)
                    fail_msg("%s %zu:%zu: CSV empty, sheet has [%s]", sh->name, r, c, got->value);
                continue;
            }
            expected_cells++;
            if (!got)
                fail_msg("%s %zu:%zu: no cell for [%s]", sh->name, r, c, want);
            char col_buf[256], want_buf[1024];
            const char *col = expected_text(g_ptr_array_index(header, c), col_buf);
            if (r > 0 && !text_column(col)) {
                if (got->type && strcmp(got->type, "n") != 0)
                    fail_msg("%s %zu:%zu (%s): [%s] stored as t=%s, not a number", sh->name, r, c,
                             col, want, got->type);
                char *end;
                double w = strtod(want, &end), g = strtod(got->value, NULL);
                assert_true(*end == '\0');
                if (!(fabs(w - g) <= 1e-15 * fabs(w)))
                    fail_msg("%s %zu:%zu: %s vs %s", sh->name, r, c, want, got->value);
                const char *format = expected_format(col);
                if (!format)
                    fail_msg("%s: figure column %s has no expected format here", sh->name, col);
                if (strcmp(got->format, format) != 0)
                    fail_msg("%s %zu:%zu (%s): format [%s], not [%s]", sh->name, r, c, col,
                             got->format, format);
            } else {
                if (!got->type || (strcmp(got->type, "s") != 0 &&
                                   strcmp(got->type, "inlineStr") != 0))
                    fail_msg("%s %zu:%zu (%s): [%s] is not a string", sh->name, r, c, col, want);
                assert_true(strlen(want) < sizeof want_buf / 4);
                if (strcmp(got->value, expected_text(want, want_buf)) != 0)
                    fail_msg("%s %zu:%zu: [%s] vs CSV [%s]", sh->name, r, c, got->value, want);
                if (strcmp(got->format, "General") != 0)
                    fail_msg("%s %zu:%zu: text with the number format [%s]", sh->name, r, c,
                             got->format);
            }
            if (r == 0 && !is_bold(b, got))
                fail_msg("%s: header cell %zu is not bold", sh->name, c);
            if (r > 0 && is_bold(b, got))
                fail_msg("%s %zu:%zu is bold", sh->name, r, c);
        }
    }
    assert_int_equal(sh->cells->len, expected_cells);

    /* an autofilter over the whole table */
    node_t *filter = child(root_of(sh->doc), "autoFilter");
    if (!filter)
        fail_msg("%s: no autofilter", sh->name);
    char letters[8], want_ref[32];
    column_letters(header->len, letters);
    snprintf(want_ref, sizeof want_ref, "A1:%s%u", letters, rows->len);
    assert_string_equal(attr(filter, "ref"), want_ref);
    g_ptr_array_free(rows, TRUE);
}

static const sheet_t *sheet_named(const book_t *b, const char *name)
{
    for (size_t i = 0; i < b->sheets->len; i++) {
        const sheet_t *s = &g_array_index(b->sheets, sheet_t, i);
        if (strcmp(s->name, name) == 0)
            return s;
    }
    fail_msg("no sheet %s", name);
    return NULL;
}

static bool sheet_has_string(const sheet_t *s, const char *text)
{
    for (size_t k = 0; k < s->cells->len; k++) {
        const cell_t *c = &g_array_index(s->cells, cell_t, k);
        if (c->type && strcmp(c->value, text) == 0)
            return true;
    }
    return false;
}

/* The Summary sheet: its headings, and under them scales.csv's row of the
 * scale (as numbers, in their formats), over the shown teams as the view
 * has them; a hidden scale noted as such. */
static void check_summary(const book_t *b, const char *out, fixture_t *f)
{
    static const char *const headings[] = { "scale", "respondents", "favourable", "neutral",
                                            "unfavourable", "mean", "sd", "between managers" };
    static const char *const columns[] = { "scale", "respondents", "favourable_pct", "neutral_pct",
                                           "unfavourable_pct", "mean", "sd", "share_between" };
    enum { N = sizeof headings / sizeof headings[0] };
    const sheet_t *sum = &g_array_index(b->sheets, sheet_t, 0);
    assert_string_equal(sum->name, "Summary");
    for (int c = 0; c < N; c++) {
        const cell_t *h = cell_at(sum, 0, c);
        assert_non_null(h);
        assert_string_equal(h->value, headings[c]);
        assert_true(is_bold(b, h));
    }
    view_t *view = NULL;
    assert_int_equal(view_build(&f->in, &view, NULL), ENGAGE_OK);
    bool hidden = view->scales[0].suppressed;
    /* then the first screen's: shown teams beyond their limits (a count),
     * the strongest and weakest items (text), none for a hidden scale */
    static const char *const glance[] = { "teams standing out", "strongest items", "weakest items" };
    enum { G = sizeof glance / sizeof glance[0] };
    for (int c = 0; c < G; c++) {
        const cell_t *h = cell_at(sum, 0, N + c);
        assert_non_null(h);
        assert_string_equal(h->value, glance[c]);
    }
    const cell_t *standing = cell_at(sum, 1, N);
    if (hidden) {
        assert_null(standing);
    } else {
        assert_non_null(standing);
        assert_null(standing->type);
        assert_int_equal((size_t)strtod(standing->value, NULL), view->scales[0].n_above + view->scales[0].n_below);
        assert_string_equal(standing->format, "#,##0");
        assert_non_null(cell_at(sum, 1, N + 1));
    }
    const cell_t *note = cell_at(sum, 0, N + G);
    if (hidden) {
        assert_non_null(note);
        assert_string_equal(note->value, "note");
        const cell_t *why = cell_at(sum, 1, N + G);
        assert_non_null(why);
        char want[64];
        snprintf(want, sizeof want, "hidden: fewer than %ld scored", view->smallest_shown);
        assert_string_equal(why->value, want);
    } else {
        assert_null(note);     /* nothing after the figures */
    }

    char *path = g_strdup_printf("%s/scales.csv", out);
    GPtrArray *rows = read_csv(path);
    g_free(path);
    assert_int_equal(rows->len, 2);
    GPtrArray *header = g_ptr_array_index(rows, 0), *row = g_ptr_array_index(rows, 1);
    size_t figures = 0;
    for (int c = 0; c < N; c++) {
        const char *want = NULL;
        for (size_t k = 0; k < header->len; k++)
            if (strcmp(g_ptr_array_index(header, k), columns[c]) == 0)
                want = g_ptr_array_index(row, k);
        assert_non_null(want);
        const cell_t *got = cell_at(sum, 1, c);
        if (!*want) {
            assert_null(got);
            continue;
        }
        assert_non_null(got);
        if (c == 0) {
            assert_string_equal(got->value, want);
            continue;
        }
        assert_null(got->type);
        assert_true(fabs(strtod(got->value, NULL) - strtod(want, NULL)) <= 1e-15 * fabs(strtod(want, NULL)));
        assert_string_equal(got->format, expected_format(columns[c]));
        figures++;
    }
    if (hidden) {
        assert_int_equal(figures, 1);     /* respondents alone */
    } else {
        assert_int_equal(figures, N - 1);
        /* scales.csv's share between managers is the view's, over the shown teams */
        const cell_t *share = cell_at(sum, 1, N - 1);
        assert_true(fabs(strtod(share->value, NULL) - view->scales[0].variance.icc_reml) < 1e-11);
    }
    view_free(view);
    g_ptr_array_free(rows, TRUE);
    node_t *filter = child(root_of(sum->doc), "autoFilter");
    assert_non_null(filter);
    assert_string_equal(attr(filter, "ref"), hidden ? "A1:L2" : "A1:K2");
}

/* The width of column `col` (from 0) of a sheet. */
static double column_width_of(const sheet_t *sh, int col)
{
    GPtrArray *cols = g_ptr_array_new();
    find_all(root_of(sh->doc), "col", cols);
    double w = -1;
    for (size_t k = 0; k < cols->len; k++) {
        node_t *c = g_ptr_array_index(cols, k);
        if (atoi(attr(c, "min")) <= col + 1 && col + 1 <= atoi(attr(c, "max")))
            w = atof(attr(c, "width"));
    }
    g_ptr_array_free(cols, TRUE);
    return w;
}

/* ------------------------------------------------------------------------ */
/* tests                                                                      */

static void test_every_cell(void **state)
{
    fixture_t *f = *state;
    char *out = write_report(f, "out");
    char *xlsx = g_strdup_printf("%s/engage.xlsx", out);
    book_t *b = book_open(xlsx);

    static const char *const order[] = { "Summary", "heatmap", "Read me", "managers", "variance", "items",
                                         "scales", "quality" };
    assert_int_equal(b->sheets->len, 8);
    for (size_t i = 0; i < 8; i++)
        assert_string_equal(g_array_index(b->sheets, sheet_t, i).name, order[i]);

    for (size_t i = 3; i < b->sheets->len; i++) {
        const sheet_t *sh = &g_array_index(b->sheets, sheet_t, i);
        char *csv = g_strdup_printf("%s/%s.csv", out, sh->name);
        compare_sheet(b, sh, csv);
        g_free(csv);
        /* printed with the header row on every page */
        char *titles = g_strdup_printf(">%s!$1:$1</definedName>", sh->name);
        if (!strstr(part(b->parts, "xl/workbook.xml"), titles))
            fail_msg("%s: the header row is not repeated when printed", sh->name);
        g_free(titles);
        /* frozen header row */
        node_t *view = child(child(root_of(sh->doc), "sheetViews"), "sheetView");
        node_t *pane = child(view, "pane");
        assert_non_null(pane);
        assert_string_equal(attr(pane, "ySplit"), "1");
        assert_string_equal(attr(pane, "state"), "frozen");
        assert_string_equal(attr(pane, "topLeftCell"), "A2");
        /* widths: as wide as the longest cell, at most about 60 */
        GPtrArray *cols = g_ptr_array_new();
        find_all(root_of(sh->doc), "col", cols);
        assert_true(cols->len > 0);
        for (size_t k = 0; k < cols->len; k++) {
            double w = atof(attr(g_ptr_array_index(cols, k), "width"));
            assert_true(w >= 8 && w <= 61);
        }
        g_ptr_array_free(cols, TRUE);
    }
    /* never a formula, in any sheet */
    for (size_t i = 0; i < b->sheets->len; i++) {
        const sheet_t *sh = &g_array_index(b->sheets, sheet_t, i);
        assert_null(strstr(sh->xml, "<f>"));
        assert_null(strstr(sh->xml, "<f "));
        GPtrArray *fs = g_ptr_array_new();
        find_all(root_of(sh->doc), "f", fs);
        assert_int_equal(fs->len, 0);
        g_ptr_array_free(fs, TRUE);
    }

    /* the awkward names, as text */
    const sheet_t *m = sheet_named(b, "managers");
    assert_true(sheet_has_string(m, "=HYPERLINK(\"http://x\",\"y\")"));
    assert_true(sheet_has_string(m, "Smith, Jane"));
    assert_true(sheet_has_string(m, "Line\nbreak"));
    assert_true(sheet_has_string(m, "007"));
    assert_true(sheet_has_string(m, "-0.25"));
    assert_true(sheet_has_string(m, "_x0041_"));
    assert_true(sheet_has_string(m, "odd\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD[2J"));
    /* every sheet is XML (libxml2's parser, which is as strict as LibreOffice's) */
    GHashTableIter it;
    gpointer name, data;
    g_hash_table_iter_init(&it, b->parts);
    size_t checked = 0;
    while (g_hash_table_iter_next(&it, &name, &data)) {
        if (!g_str_has_suffix(name, ".xml"))
            continue;
        char *file = g_strdup_printf("%s/part.xml", f->dir);
        assert_true(g_file_set_contents(file, ((GString *)data)->str, (gssize)((GString *)data)->len, NULL));
        char *cmd = g_strdup_printf("xmllint --noout '%s'", file);
        if (system(cmd) != 0)
            fail_msg("%s is not XML", (const char *)name);
        checked++;
        g_free(cmd);
        g_free(file);
    }
    assert_true(checked >= 5);
    assert_true(sheet_has_string(sheet_named(b, "quality"), "@survey.csv"));
    /* the figure -0.25 (an item-rest r), as a number */
    const sheet_t *v = sheet_named(b, "items");
    assert_non_null(strstr(v->xml, "><v>-0.25</v></c>"));
    bool found = false;
    for (size_t k = 0; k < v->cells->len; k++) {
        const cell_t *c = &g_array_index(v->cells, cell_t, k);
        if (strcmp(c->value, "-0.25") == 0) {
            assert_null(c->type);
            found = true;
        }
    }
    assert_true(found);
    /* widths follow the longest cell: the HYPERLINK manager's column */
    GPtrArray *cols = g_ptr_array_new();
    find_all(root_of(m->doc), "col", cols);
    node_t *col2 = g_ptr_array_index(cols, 1);
    assert_string_equal(attr(col2, "min"), "2");
    assert_true(atof(attr(col2, "width")) >= strlen("=HYPERLINK(\"http://x\",\"y\")"));
    g_ptr_array_free(cols, TRUE);
    /* a figure column is as wide as its figures as shown ("3.17", 4
     * characters: the narrowest column), not their 12 digits in the CSV;
     * a header's autofilter button has room */
    assert_true(column_width_of(m, 3) < 9);              /* mean */
    assert_true(column_width_of(m, 9) >= strlen("favourable_pct") + 2);

    /* Read me: min_group, the config text */
    const sheet_t *rm = sheet_named(b, "Read me");
    gchar **lines = g_strsplit(config_text, "\n", -1);
    for (size_t i = 0; lines[i]; i++)
        if (*lines[i] && !sheet_has_string(rm, lines[i]))
            fail_msg("Read me lacks the config line [%s]", lines[i]);
    g_strfreev(lines);
    assert_true(sheet_has_string(rm, "min_group"));
    bool min_group = false;
    for (size_t k = 0; k < rm->cells->len; k++) {
        const cell_t *c = &g_array_index(rm->cells, cell_t, k);
        if (c->type && strcmp(c->value, "min_group") == 0) {
            const cell_t *n = cell_at(rm, c->row, c->col + 1);
            assert_non_null(n);
            assert_null(n->type);
            assert_string_equal(n->value, "5");
            min_group = true;
        }
    }
    assert_true(min_group);
    check_summary(b, out, f);
    bool rule = false, formats = false;
    for (size_t k = 0; k < rm->cells->len; k++) {
        const cell_t *c = &g_array_index(rm->cells, cell_t, k);
        if (c->type && strstr(c->value, "at least 5 of their team"))
            rule = true;
        if (c->type && strstr(c->value, "(55.4 shows as 55.4%)"))
            formats = true;
    }
    assert_true(rule);
    assert_true(formats);
    assert_true(sheet_has_string(rm, f->cfg.path));

    /* the manifest lists engage.xlsx with its SHA-256 */
    gchar *bytes;
    gsize len;
    assert_true(g_file_get_contents(xlsx, &bytes, &len, NULL));
    char hex[SHA256_DIGEST_STRING_LENGTH];
    SHA256Data((const uint8_t *)bytes, len, hex);
    g_free(bytes);
    char *manifest_path = g_strdup_printf("%s/manifest.json", out), *manifest;
    assert_true(g_file_get_contents(manifest_path, &manifest, NULL, NULL));
    char *entry = g_strdup_printf("\"engage.xlsx\": \"%s\"", hex);
    if (!strstr(manifest, entry))
        fail_msg("manifest.json lacks %s", entry);
    g_free(entry);
    g_free(manifest);
    g_free(manifest_path);

    /* the document date without SOURCE_DATE_EPOCH */
    assert_non_null(strstr(part(b->parts, "docProps/core.xml"), ">1980-01-01T00:00:00Z<"));

    book_close(b);
    g_free(xlsx);
    g_free(out);
}

static void test_reproducible(void **state)
{
    fixture_t *f = *state;
    char *a = write_report(f, "a");
    sleep(1);                  /* a clock reading would differ now */
    char *b = write_report(f, "b");
    char *pa = g_strdup_printf("%s/engage.xlsx", a), *pb = g_strdup_printf("%s/engage.xlsx", b);
    gchar *x, *y;
    gsize nx, ny;
    assert_true(g_file_get_contents(pa, &x, &nx, NULL));
    assert_true(g_file_get_contents(pb, &y, &ny, NULL));
    assert_int_equal(nx, ny);
    assert_memory_equal(x, y, nx);
    g_free(x);
    g_free(y);

    /* SOURCE_DATE_EPOCH is the document's date */
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    char *c = write_report(f, "c");
    char *pc = g_strdup_printf("%s/engage.xlsx", c);
    book_t *bk = book_open(pc);
    assert_non_null(strstr(part(bk->parts, "docProps/core.xml"), ">2023-11-14T22:13:20Z<"));
    book_close(bk);
    g_free(pa);
    g_free(pb);
    g_free(pc);
    g_free(a);
    g_free(b);
    g_free(c);
}

static void test_no_config(void **state)
{
    fixture_t *f = *state;
    free(f->cfg.path);
    f->cfg.path = NULL;
    char *out = write_report(f, "out");
    char *xlsx = g_strdup_printf("%s/engage.xlsx", out);
    book_t *b = book_open(xlsx);
    const sheet_t *rm = &g_array_index(b->sheets, sheet_t, 2);
    assert_string_equal(rm->name, "Read me");
    assert_true(sheet_has_string(rm, "defaults (no config)"));
    assert_false(sheet_has_string(rm, "[report]"));
    book_close(b);
    g_free(xlsx);
    g_free(out);
}

/* A scale with fewer than min_group scored: the Summary keeps its name and
 * respondents and says why the rest is empty. */
static void test_hidden_scale(void **state)
{
    fixture_t *f = *state;
    f->cfg.min_group = 50;     /* 43 scored */
    char *out = write_report(f, "out");
    char *xlsx = g_strdup_printf("%s/engage.xlsx", out);
    book_t *b = book_open(xlsx);
    check_summary(b, out, f);
    const sheet_t *rm = sheet_named(b, "Read me");
    assert_true(sheet_has_string(rm, "min_group"));
    bool rule = false;
    for (size_t k = 0; k < rm->cells->len; k++) {
        const cell_t *c = &g_array_index(rm->cells, cell_t, k);
        if (c->type && strstr(c->value, "at least 50 of their team"))
            rule = true;
    }
    assert_true(rule);
    book_close(b);
    g_free(xlsx);
    g_free(out);
}

static void test_cannot_create(void **state)
{
    fixture_t *f = *state;
    engage_error_t err = { 0 };
    char *dir = g_strdup_printf("%s/missing", f->dir);
    char *path = g_strdup_printf("%s/engage.xlsx", dir);
    view_t *view = NULL;
    assert_int_equal(view_build(&f->in, &view, &err), ENGAGE_OK);
    assert_int_equal(workbook_write(&f->in, view, dir, path, NULL, &err), ENGAGE_ECANTCREAT);
    assert_string_equal(err.file, path);
    /* a folder without the CSVs: the missing table is named */
    char *other = g_strdup_printf("%s/x.xlsx", f->dir);
    assert_int_equal(workbook_write(&f->in, view, f->dir, other, NULL, &err), ENGAGE_EIO);
    assert_non_null(strstr(err.file, "managers.csv"));
    view_free(view);
    g_free(other);
    g_free(dir);
    g_free(path);
}

static void test_cells(void **state)
{
    (void)state;
    static const char *const numbers[] = { "0", "3", "-0.25", "12.5", "1.23456789012e-05",
                                           "1e+20", "-7" };
    static const char *const texts[] = { "", "007", "+3", "-", ".5", "1.", "1,5", "inf", "nan",
                                         "0x10", "1e", "3 ", " 3", "--1", "00" };
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
        assert_true(workbook_is_number(numbers[i]));
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (workbook_is_number(texts[i]))
            fail_msg("[%s] taken for a number", texts[i]);
    assert_string_equal(workbook_unguard("'=1+1"), "=1+1");
    assert_string_equal(workbook_unguard("'@x"), "@x");
    assert_string_equal(workbook_unguard("'-x"), "-x");
    assert_string_equal(workbook_unguard("'\tx"), "\tx");
    /* csv_out never guards a plain number, so this apostrophe is the text's own */
    assert_string_equal(workbook_unguard("'-0.25"), "'-0.25");
    assert_string_equal(workbook_unguard("'quoted"), "'quoted");
    assert_string_equal(workbook_unguard("''=x"), "''=x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cells),
        cmocka_unit_test_setup_teardown(test_every_cell, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reproducible, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hidden_scale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cannot_create, setup, teardown),
    };
    return cmocka_run_group_tests_name("workbook", tests, NULL, NULL);
}
