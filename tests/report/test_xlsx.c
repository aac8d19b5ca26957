/*
 * tests/report/test_xlsx.c — report/xlsx.c, the .xlsx writer, on a sheet
 * of several deflated chunks: read back with libarchive (sizes and CRC-32
 * checked) and GMarkup, the same bytes whether the chunks are deflated on
 * the calling thread or on one or two workers, Zip64 headers and end
 * records (forced with a small threshold) that walk back to the entries
 * they describe, and its errors: a file that cannot be created, a full
 * device (/dev/full), cells out of order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../report/xlsx.h"

enum { ROWS = 40000 };   /* about 5 MB of sheet XML: several chunks */

typedef struct {
    char dir[64];
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    strcpy(f->dir, "/tmp/engage-xlsx-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    xlsx_set_zip64_threshold(0);
    xlsx_set_workers(2);
    return 0;
}

/* A workbook of a "data" sheet (header, then ROWS rows of an id, a number
 * as text and a computed number) and a "notes" sheet. */
static void build(const fixture_t *f, const char *name)
{
    char *path = g_strdup_printf("%s/%s", f->dir, name);
    xlsx_t *x;
    engage_error_t err = { 0 };
    assert_int_equal(xlsx_open(&x, path, f->dir, 1700000000, &err), ENGAGE_OK);
    xlsx_style_t bold = xlsx_style(x, true, NULL), two = xlsx_style(x, false, "0.00");
    xlsx_sheet_t *data = xlsx_sheet(x, "data"), *notes = xlsx_sheet(x, "notes");
    assert_non_null(data);
    assert_non_null(notes);
    xlsx_freeze_first_row(data);
    xlsx_string(data, 0, 0, "id", 2, bold);
    xlsx_string(data, 0, 1, "share", 5, bold);
    xlsx_string(data, 0, 2, "mean", 4, bold);
    for (uint32_t r = 1; r <= ROWS; r++) {
        char id[16], share[32];
        int n = snprintf(id, sizeof id, "M%06u", r);
        xlsx_string(data, r, 0, id, (size_t)n, 0);
        n = snprintf(share, sizeof share, "%.12g", r / 1e5);
        xlsx_number_text(data, r, 1, share, (size_t)n, 0);
        xlsx_number(data, r, 2, r / 7.0, two);
    }
    xlsx_autofilter(data, 0, 0, ROWS, 2);
    xlsx_column_width(data, 0, 12);
    xlsx_string(notes, 0, 0, "a & b < c", 9, 0);
    xlsx_string(notes, 2, 1, " kept ", 6, bold);
    xlsx_string(notes, 4, 0, "first", 5, 0);   /* B5 follows A5; D5 after a gap */
    xlsx_number_text(notes, 4, 1, "2", 1, 0);
    xlsx_number_text(notes, 4, 3, "4", 1, two);
    assert_int_equal(xlsx_close(x, &err), ENGAGE_OK);
    g_free(path);
}

static GString *slurp(const fixture_t *f, const char *name)
{
    char *path = g_strdup_printf("%s/%s", f->dir, name);
    gchar *bytes;
    gsize len;
    assert_true(g_file_get_contents(path, &bytes, &len, NULL));
    g_free(path);
    GString *s = g_string_new_len(bytes, (gssize)len);
    g_free(bytes);
    return s;
}

/* ------------------------------------------------------------------------ */
/* reading back                                                               */

/* Every entry, name -> GString, through libarchive (which checks each
 * entry's size and CRC-32). */
static GHashTable *unzip_all(const fixture_t *f, const char *name)
{
    char *path = g_strdup_printf("%s/%s", f->dir, name);
    GHashTable *parts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    struct archive *a = archive_read_new();
    archive_read_support_format_zip(a);
    assert_int_equal(archive_read_open_filename(a, path, 16384), ARCHIVE_OK);
    struct archive_entry *e;
    int rc;
    while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        GString *data = g_string_new(NULL);
        char buf[65536];
        la_ssize_t n;
        while ((n = archive_read_data(a, buf, sizeof buf)) > 0)
            g_string_append_len(data, buf, n);
        if (n != 0)
            fail_msg("%s: %s", archive_entry_pathname(e), archive_error_string(a));
        assert_int_equal(archive_entry_size(e), (la_int64_t)data->len);
        g_hash_table_insert(parts, g_strdup(archive_entry_pathname(e)), data);
    }
    assert_int_equal(rc, ARCHIVE_EOF);
    archive_read_free(a);
    g_free(path);
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

/* The cells of a sheet's XML, "A1" -> text of its <v> or <t>.  A cell
 * without a reference is the one after the cell before it in its row
 * (ECMA-376 §18.3.1.4). */
typedef struct {
    GHashTable *cells;
    char *ref;
    char row[16];              /* the current row's number */
    int col;                   /* the last cell's column, from 1; 0 at a row's start */
    bool in_value;
    GString *value;
    char *dimension;
} sheet_read_t;

static int ref_column(const char *ref)
{
    int c = 0;
    while (*ref >= 'A' && *ref <= 'Z')
        c = c * 26 + (*ref++ - 'A' + 1);
    return c;
}

static void on_start(GMarkupParseContext *c, const gchar *element, const gchar **names,
                     const gchar **values, gpointer data, GError **error)
{
    (void)c;
    (void)error;
    sheet_read_t *s = data;
    const char *r = NULL;
    for (int i = 0; names[i]; i++) {
        if (strcmp(names[i], "r") == 0)
            r = values[i];
        if (strcmp(element, "dimension") == 0 && strcmp(names[i], "ref") == 0)
            s->dimension = g_strdup(values[i]);
    }
    if (strcmp(element, "row") == 0) {
        assert_non_null(r);
        snprintf(s->row, sizeof s->row, "%s", r);
        s->col = 0;
    }
    if (strcmp(element, "c") == 0) {
        g_free(s->ref);
        if (r) {
            s->ref = g_strdup(r);
            s->col = ref_column(r);
        } else {
            char letters[4] = { 0 };
            int n = 0, col = ++s->col;
            assert_true(col <= 26 * 26);
            if (col > 26)
                letters[n++] = (char)('A' + (col - 1) / 26 - 1);
            letters[n] = (char)('A' + (col - 1) % 26);
            s->ref = g_strdup_printf("%s%s", letters, s->row);
        }
    }
    if (strcmp(element, "v") == 0 || strcmp(element, "t") == 0) {
        s->in_value = true;
        g_string_truncate(s->value, 0);
    }
}

static void on_end(GMarkupParseContext *c, const gchar *element, gpointer data, GError **error)
{
    (void)c;
    (void)error;
    sheet_read_t *s = data;
    if ((strcmp(element, "v") == 0 || strcmp(element, "t") == 0) && s->ref) {
        g_hash_table_insert(s->cells, g_strdup(s->ref), g_strdup(s->value->str));
        s->in_value = false;
    }
}

static void on_text(GMarkupParseContext *c, const gchar *text, gsize len, gpointer data, GError **error)
{
    (void)c;
    (void)error;
    sheet_read_t *s = data;
    if (s->in_value)
        g_string_append_len(s->value, text, (gssize)len);
}

static GHashTable *sheet_cells(const GString *xml, char **dimension)
{
    sheet_read_t s = { .cells = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
                       .value = g_string_new(NULL) };
    GMarkupParser parser = { on_start, on_end, on_text, NULL, NULL };
    GMarkupParseContext *ctx = g_markup_parse_context_new(&parser, 0, &s, NULL);
    GError *error = NULL;
    /* GMarkup takes no XML declaration */
    const char *body = strstr(xml->str, "?>");
    assert_non_null(body);
    if (!g_markup_parse_context_parse(ctx, body + 2, -1, &error) ||
        !g_markup_parse_context_end_parse(ctx, &error))
        fail_msg("sheet XML: %s", error->message);
    g_markup_parse_context_free(ctx);
    g_string_free(s.value, TRUE);
    g_free(s.ref);
    *dimension = s.dimension;
    return s.cells;
}

/* Every cell of the data sheet and the notes sheet as build() wrote it. */
static void check_contents(const fixture_t *f, const char *name)
{
    GHashTable *parts = unzip_all(f, name);
    GString *data = g_hash_table_lookup(parts, "xl/worksheets/sheet1.xml");
    GString *notes = g_hash_table_lookup(parts, "xl/worksheets/sheet2.xml");
    assert_non_null(data);
    assert_non_null(notes);
    assert_true(data->len > 4 * (1u << 20));   /* several chunks */
    char *dimension;
    GHashTable *cells = sheet_cells(data, &dimension);
    assert_string_equal(dimension, "A1:C40001");
    g_free(dimension);
    assert_int_equal(g_hash_table_size(cells), 3 * (ROWS + 1));
    assert_string_equal(g_hash_table_lookup(cells, "A1"), "id");
    assert_string_equal(g_hash_table_lookup(cells, "C1"), "mean");
    for (uint32_t r = 1; r <= ROWS; r++) {
        char ref[16], want[32];
        snprintf(ref, sizeof ref, "A%u", r + 1);
        snprintf(want, sizeof want, "M%06u", r);
        const char *got = g_hash_table_lookup(cells, ref);
        assert_non_null(got);
        assert_string_equal(got, want);
        snprintf(ref, sizeof ref, "B%u", r + 1);
        snprintf(want, sizeof want, "%.12g", r / 1e5);
        assert_string_equal(g_hash_table_lookup(cells, ref), want);
        snprintf(ref, sizeof ref, "C%u", r + 1);
        got = g_hash_table_lookup(cells, ref);
        assert_non_null(got);
        assert_true(fabs(strtod(got, NULL) - r / 7.0) <= 1e-15 * (r / 7.0));   /* 16 digits */
    }
    g_hash_table_destroy(cells);
    assert_non_null(strstr(data->str, "<autoFilter ref=\"A1:C40001\"/>"));
    assert_non_null(strstr(data->str, "state=\"frozen\""));
    assert_non_null(strstr(data->str, "<col min=\"1\" max=\"1\" width=\"12.7109375\" customWidth=\"1\"/>"));

    cells = sheet_cells(notes, &dimension);
    assert_string_equal(dimension, "A1:D5");
    g_free(dimension);
    assert_string_equal(g_hash_table_lookup(cells, "A1"), "a & b < c");
    assert_string_equal(g_hash_table_lookup(cells, "B3"), " kept ");
    assert_string_equal(g_hash_table_lookup(cells, "A5"), "first");
    assert_string_equal(g_hash_table_lookup(cells, "B5"), "2");
    assert_string_equal(g_hash_table_lookup(cells, "D5"), "4");
    assert_int_equal(g_hash_table_size(cells), 5);
    g_hash_table_destroy(cells);
    /* a row's first cell and a cell after a gap name themselves; the cell
     * right after another does not */
    assert_non_null(strstr(notes->str, "<row r=\"5\"><c r=\"A5\" t=\"inlineStr\"><is><t>first</t></is></c>"
                                       "<c><v>2</v></c><c r=\"D5\" s=\"2\"><v>4</v></c></row>"));
    assert_non_null(strstr(data->str, "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>M000001</t></is></c>"
                                      "<c><v>1e-05</v></c><c s=\"2\"><v>"));

    GString *core = g_hash_table_lookup(parts, "docProps/core.xml");
    assert_non_null(core);
    assert_non_null(strstr(core->str, ">2023-11-14T22:13:20Z</dcterms:created>"));
    const char *names[] = { "[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/workbook.xml",
                            "xl/styles.xml", "xl/theme/theme1.xml", "docProps/app.xml" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!g_hash_table_contains(parts, names[i]))
            fail_msg("no %s", names[i]);
    assert_int_equal(g_hash_table_size(parts), 10);
    free_parts(parts);
}

/* ------------------------------------------------------------------------ */

static void test_contents(void **state)
{
    build(*state, "a.xlsx");
    check_contents(*state, "a.xlsx");
}

/* The chunks deflated here, on one worker or on two, and again: the same
 * bytes. */
static void test_same_bytes_any_threads(void **state)
{
    const char *names[] = { "t0.xlsx", "t1.xlsx", "t2.xlsx", "t2b.xlsx" };
    size_t workers[] = { 0, 1, 2, 2 };
    for (size_t i = 0; i < 4; i++) {
        xlsx_set_workers(workers[i]);
        build(*state, names[i]);
    }
    GString *first = slurp(*state, names[0]);
    for (size_t i = 1; i < 4; i++) {
        GString *other = slurp(*state, names[i]);
        assert_int_equal(other->len, first->len);
        assert_memory_equal(other->str, first->str, first->len);
        g_string_free(other, TRUE);
    }
    g_string_free(first, TRUE);
    check_contents(*state, "t0.xlsx");
}

static uint32_t get16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) | get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
    return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* Zip64 from 4,096 bytes on: the sheets' local headers carry Zip64 sizes,
 * the small parts do not, every central header's Zip64 fields lead back to
 * its local header, and the Zip64 end record and locator point at the
 * central directory. */
static void test_zip64(void **state)
{
    const uint64_t threshold = 4096;
    xlsx_set_zip64_threshold(threshold);
    build(*state, "z.xlsx");
    check_contents(*state, "z.xlsx");
    xlsx_set_zip64_threshold(0);
    build(*state, "plain.xlsx");

    GString *z = slurp(*state, "z.xlsx");
    const uint8_t *b = (const uint8_t *)z->str;
    size_t n = z->len;

    /* the end: the Zip64 end record, its locator, the classic end record */
    assert_true(n > 22 + 20 + 56);
    const uint8_t *end = b + n - 22, *locator = end - 20, *end64 = locator - 56;
    assert_int_equal(get32(end), 0x06054b50);
    assert_int_equal(get32(locator), 0x07064b50);
    assert_int_equal(get64(locator + 8), (uint64_t)(end64 - b));
    assert_int_equal(get32(end64), 0x06064b50);
    uint64_t entries = get64(end64 + 32), cd_size = get64(end64 + 40), cd_start = get64(end64 + 48);
    assert_int_equal(entries, 10);
    assert_int_equal(get16(end + 10), 10);
    assert_int_equal(get32(end + 16), 0xFFFFFFFFu);   /* the start is past the threshold */
    assert_int_equal(cd_start + cd_size, (uint64_t)(end64 - b));

    /* each central header against its local header */
    const uint8_t *c = b + cd_start;
    size_t z64_entries = 0, plain_entries = 0;
    for (uint64_t i = 0; i < entries; i++) {
        assert_int_equal(get32(c), 0x02014b50);
        uint32_t csize32 = get32(c + 20), size32 = get32(c + 24), off32 = get32(c + 42);
        size_t name_len = get16(c + 28), extra_len = get16(c + 30);
        uint64_t size = size32, csize = csize32, offset = off32;
        const uint8_t *x = c + 46 + name_len;
        if (extra_len) {
            assert_int_equal(get16(x), 1);
            const uint8_t *v = x + 4;
            if (size32 == 0xFFFFFFFFu)
                size = get64(v), v += 8;
            if (csize32 == 0xFFFFFFFFu)
                csize = get64(v), v += 8;
            if (off32 == 0xFFFFFFFFu)
                offset = get64(v), v += 8;
            assert_int_equal(v - x - 4, get16(x + 2));
            assert_int_equal(get16(c + 6), 45);
        }
        /* a field is in the Zip64 extra exactly when it reaches the threshold */
        assert_int_equal(size32 == 0xFFFFFFFFu, size >= threshold);
        assert_int_equal(csize32 == 0xFFFFFFFFu, csize >= threshold);
        assert_int_equal(off32 == 0xFFFFFFFFu, offset >= threshold);

        const uint8_t *l = b + offset;
        assert_int_equal(get32(l), 0x04034b50);
        assert_int_equal(get16(l + 26), name_len);
        assert_memory_equal(l + 30, c + 46, name_len);
        assert_int_equal(get32(l + 14), get32(c + 16));   /* CRC-32 */
        size_t l_extra = get16(l + 28);
        bool l64 = size >= threshold || csize >= threshold;
        if (l64) {
            assert_int_equal(get16(l + 4), 45);
            assert_int_equal(get32(l + 18), 0xFFFFFFFFu);
            assert_int_equal(get32(l + 22), 0xFFFFFFFFu);
            assert_int_equal(l_extra, 20);
            const uint8_t *lx = l + 30 + name_len;
            assert_int_equal(get16(lx), 1);
            assert_int_equal(get16(lx + 2), 16);
            assert_int_equal(get64(lx + 4), size);
            assert_int_equal(get64(lx + 12), csize);
            z64_entries++;
        } else {
            assert_int_equal(get16(l + 4), 20);
            assert_int_equal(get32(l + 18), csize);
            assert_int_equal(get32(l + 22), size);
            assert_int_equal(l_extra, 0);
            plain_entries++;
        }
        /* the entry's data ends where the next local header (or the central directory) starts */
        const uint8_t *after = l + 30 + name_len + l_extra + csize;
        assert_true(after <= b + cd_start);
        assert_true(after == b + cd_start || get32(after) == 0x04034b50);
        c += 46 + name_len + extra_len;
    }
    assert_true(z64_entries >= 2);    /* the sheet and the theme */
    assert_true(plain_entries >= 2);  /* the relationships */
    assert_true(c == b + cd_start + cd_size);

    /* the same entries as without Zip64 */
    GHashTable *with = unzip_all(*state, "z.xlsx"), *without = unzip_all(*state, "plain.xlsx");
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, with);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        GString *o = g_hash_table_lookup(without, k);
        assert_non_null(o);
        assert_true(g_string_equal(o, v));
    }
    assert_int_equal(g_hash_table_size(with), g_hash_table_size(without));
    free_parts(with);
    free_parts(without);
    g_string_free(z, TRUE);

    /* and Info-ZIP's unzip reads it, when it is here */
    if (system("command -v unzip > /dev/null 2>&1") == 0) {
        fixture_t *f = *state;
        char *cmd = g_strdup_printf("unzip -tqq '%s/z.xlsx'", f->dir);
        assert_int_equal(system(cmd), 0);
        g_free(cmd);
    }
}

static void test_errors(void **state)
{
    fixture_t *f = *state;
    xlsx_t *x;
    engage_error_t err = { 0 };
    char *path = g_strdup_printf("%s/no/such/folder/a.xlsx", f->dir);
    assert_int_equal(xlsx_open(&x, path, f->dir, 0, &err), ENGAGE_ECANTCREAT);
    assert_non_null(strstr(err.message, "cannot create: No such file or directory"));
    g_free(path);

    /* a full device: the write fails when the file is put together */
    err = (engage_error_t){ 0 };
    assert_int_equal(xlsx_open(&x, "/dev/full", f->dir, 0, &err), ENGAGE_OK);
    xlsx_sheet_t *s = xlsx_sheet(x, "s");
    for (uint32_t r = 0; r < 1000; r++)
        xlsx_string(s, r, 0, "some text", 9, 0);
    assert_int_equal(xlsx_close(x, &err), ENGAGE_EIO);
    assert_string_equal(err.file, "/dev/full");
    assert_string_equal(err.message, "cannot write the workbook: No space left on device");

    /* a cell before the last one */
    err = (engage_error_t){ 0 };
    path = g_strdup_printf("%s/order.xlsx", f->dir);
    assert_int_equal(xlsx_open(&x, path, f->dir, 0, &err), ENGAGE_OK);
    s = xlsx_sheet(x, "s");
    xlsx_string(s, 1, 1, "b", 1, 0);
    xlsx_string(s, 1, 0, "a", 1, 0);
    assert_int_equal(xlsx_close(x, &err), ENGAGE_EIO);
    g_free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_contents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_bytes_any_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zip64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
