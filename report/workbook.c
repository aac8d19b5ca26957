/*
 * report/workbook.c — engage.xlsx from the CSV files of the same run.
 *
 * Each table sheet is read back from the CSV file just written into the
 * temporary output folder (libcsv, streamed) and copied cell by cell, so
 * the workbook shows exactly what the CSVs show, suppression included:
 *   - a cell is a number when its column is one of the figure columns
 *     below AND the cell is a number as csv_out writes numbers; every other
 *     cell (ids, names, files, reasons, any column not known to hold
 *     figures) is a string, so "007" stays "007";
 *   - strings go through worksheet_write_string() only: nothing is ever
 *     stored as a formula.  The "'" that the CSVs put before text a
 *     spreadsheet would run (= + - @ tab CR) is taken off again, because a
 *     string cell is never run, and the name should read as it is;
 *   - an empty CSV cell is no cell.
 * The header row is bold and frozen; a column is as wide as its longest
 * cell (at most 60 characters).  A table longer than a sheet's 1,048,576
 * rows goes on in "NAME (2)", ... with the header repeated.  A string
 * longer than a cell's 32,767 characters is cut there; what XML cannot
 * hold (control characters, U+FFFE, U+FFFF, invalid UTF-8) shows as
 * U+FFFD, as in report.html; text that looks like OOXML's character escape
 * ("_x0041_") is escaped so it reads as is.
 *
 * The first sheet, "Read me", has the headline per scale (respondents,
 * managers and icc_reml from variance.csv), the suppression rule, and the
 * config text as given.
 *
 * Determinism: libxlsxwriter writes its zip entries with a fixed date; the
 * one clock reading left, the document's created date, is set to
 * SOURCE_DATE_EPOCH (a whole number of seconds) or else 1980-01-01.
 * libxlsxwriter's scratch files go into the output folder itself, and what
 * it prints on stderr is silenced: its errors come back as codes and are
 * reported as one engage line.
 *
 * Memory: libxlsxwriter runs in its constant-memory mode, which writes each
 * row out as soon as the next one starts (and stores strings inline in the
 * cell rather than in a shared-string table; both are plain strings to
 * every spreadsheet).  A table of 125,000 managers would otherwise hold its
 * 2 million cells in memory, about 200 MB.  The rows of every sheet are
 * therefore written in order, Read me included.
 * Owns: the workbook and everything read, for the length of the call.
 * Assumes: the CSV files are engage's own (UTF-8, comma, header row).
 */
#include "workbook.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/common_interface_defs.h>
#endif

#include "../core/csv_out.h"
#include "../core/digest.h"
#include "../core/source_date.h"
#include "../core/xml_text.h"

/* The tables, in sheet order.  optional: a sheet only when the CSV was
 * written (changes.csv with a previous wave, units.csv with units,
 * leaders.csv with a reporting tree). */
static const struct {
    const char *file;
    const char *sheet;
    bool optional;
} sheet_specs[] = {
    { "managers.csv", "managers", false },
    { "variance.csv", "variance", false },
    { "items.csv", "items", false },
    { "changes.csv", "changes", true },
    { "units.csv", "units", true },
    { "leaders.csv", "leaders", true },
    { "scales.csv", "scales", false },
    { "quality.csv", "quality", false },
};
enum { N_SHEET_SPECS = sizeof sheet_specs / sizeof sheet_specs[0] };

/* Columns that hold figures or counts, in every table.  Any other column
 * (scale, manager_id, unit, item, file, reason, stands_out, wave, ... and
 * any column added later without being listed here) is text. */
static const char *const numeric_columns[] = {
    /* managers.csv, changes.csv, items.csv */
    "n", "mean", "sd", "se", "ci_low", "ci_high", "median", "favourable_pct", "neutral_pct",
    "unfavourable_pct", "rwg", "invited", "responded", "response_rate",
    "suppressed", "funnel_low95", "funnel_high95", "funnel_low998", "funnel_high998",
    "n_previous", "mean_previous", "delta", "p_value", "q_value", "item_rest_r",
    /* variance.csv */
    "respondents", "managers", "grand_mean", "ss_between", "ss_within", "df_between",
    "df_within", "ms_between", "ms_within", "f", "k0", "icc1", "icc1_ci_low",
    "icc1_ci_high", "icc2", "eta_squared", "var_between_reml", "var_within_reml",
    "icc_reml", "alpha", "var_unit_reml", "var_manager_reml", "var_within_nested_reml",
    "share_unit", "share_manager", "respondents_previous", "managers_previous",
    "grand_mean_previous", "f_previous", "p_value_previous", "icc1_previous",
    "icc_reml_previous", "delta_ci_low", "delta_ci_high", "delta_p_value",
    "company_respondents_previous", "company_mean_previous", "company_respondents",
    "company_mean",
    /* units.csv */
    "units", "managers_shown", "managers_suppressed",
    /* leaders.csv, scales.csv */
    "depth", "team_managers", "org_managers", "invited", "responded", "response_rate", "share_between",
    /* quality.csv */
    "rows", "accepted", "rejected", "excluded", "header_rows", "bytes",
};

enum {
    WIDTH_MIN = 8,            /* characters */
    WIDTH_MAX = 60,
    CELL_MAX_CHARS = 32767,   /* Excel's limit on a cell's text */
    README_WRAP = 100,        /* characters per line of a Read me paragraph */
    READ_CHUNK = 64 * 1024,
};

/* 1980-01-01T00:00:00Z: the document date without SOURCE_DATE_EPOCH. */
static const time_t FALLBACK_EPOCH = 315532800;

/* ------------------------------------------------------------------------ */
/* cells                                                                      */

bool workbook_is_number(const char *s)
{
    const char *p = s;
    if (*p == '-')
        p++;
    if (!(*p >= '0' && *p <= '9'))
        return false;
    if (*p == '0' && p[1] >= '0' && p[1] <= '9')
        return false;                        /* "007" is an id, not 7 */
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

const char *workbook_unguard(const char *cell)
{
    if (cell[0] == '\'' && csv_out_guards(cell + 1))
        return cell + 1;
    return cell;
}

static bool numeric_column(const char *name)
{
    for (size_t i = 0; i < sizeof numeric_columns / sizeof numeric_columns[0]; i++)
        if (strcmp(numeric_columns[i], name) == 0)
            return true;
    return false;
}

/* Characters on the longest line of a UTF-8 text (continuation bytes are
 * not counted). */
static size_t text_width(const char *s, size_t len)
{
    size_t best = 0, cur = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') {
            if (cur > best)
                best = cur;
            cur = 0;
        } else if ((c & 0xC0) != 0x80) {
            cur++;
        }
    }
    return cur > best ? cur : best;
}

static double column_width(size_t chars)
{
    size_t w = chars + 2;
    if (w < WIDTH_MIN)
        w = WIDTH_MIN;
    if (w > WIDTH_MAX)
        w = WIDTH_MAX;
    return (double)w;
}

/* ------------------------------------------------------------------------ */
/* the workbook                                                               */

typedef struct {
    lxw_workbook *wb;
    lxw_format *bold;
    lxw_format *percent;
    const char *path;          /* engage.xlsx, for messages */
    engage_status_t status;    /* first failure */
    engage_error_t *err;
} book_t;

static engage_status_t book_fail_lxw(book_t *b, lxw_error e)
{
    int errnum = errno;
    if (b->status != ENGAGE_OK)
        return b->status;
    /* A full disk shows as a zip or scratch-file error, with errno saying why. */
    bool disk = errnum == ENOSPC || errnum == EIO || errnum == EFBIG
#ifdef EDQUOT
                || errnum == EDQUOT
#endif
        ;
    if (disk && e != LXW_ERROR_MEMORY_MALLOC_FAILED) {
        b->status = engage_fail(b->err, ENGAGE_EIO, b->path, 0, "cannot write the workbook: %s",
                                strerror(errnum));
        return b->status;
    }
    engage_status_t st = e == LXW_ERROR_MEMORY_MALLOC_FAILED ? ENGAGE_ENOMEM
                       : e == LXW_ERROR_CREATING_XLSX_FILE || e == LXW_ERROR_CREATING_TMPFILE
                           ? ENGAGE_ECANTCREAT
                           : ENGAGE_EIO;
    b->status = engage_fail(b->err, st, b->path, 0, "cannot write the workbook: %s",
                            lxw_strerror(e));
    return b->status;
}

/* Whether s starts with "_xHHHH_", OOXML's escape of a character. */
static bool ooxml_escape_at(const char *s)
{
    if (s[0] != '_' || s[1] != 'x')
        return false;
    for (int i = 2; i < 6; i++)
        if (!g_ascii_isxdigit(s[i]))
            return false;
    return s[6] == '_';
}

/* text with every "_xHHHH_" in it written as "_x005F_xHHHH_", so that a
 * spreadsheet shows it as it is instead of decoding it; NULL when there is
 * none.  (libxlsxwriter escapes control characters this way but leaves
 * such text alone.) */
static char *escape_ooxml(const char *text)
{
    const char *p = strstr(text, "_x");
    while (p && !ooxml_escape_at(p))
        p = strstr(p + 1, "_x");
    if (!p)
        return NULL;
    GString *out = g_string_new(NULL);
    for (p = text; *p; p++) {
        if (ooxml_escape_at(p))
            g_string_append(out, "_x005F");
        g_string_append_c(out, *p);
    }
    return g_string_free(out, FALSE);
}

/* A string cell: text XML can hold (core/xml_text.h: U+FFFD for the rest,
 * which libxlsxwriter would write as it is and so break the sheet), at most
 * CELL_MAX_CHARS characters, written with worksheet_write_string (never as
 * a formula). */
static void put_string(book_t *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                       const char *text, lxw_format *format)
{
    if (b->status != ENGAGE_OK)
        return;
    bool failed;
    char *fixed = xml_text_safe(text, &failed);
    if (failed) {
        b->status = engage_fail(b->err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        return;
    }
    if (fixed)
        text = fixed;
    if (g_utf8_strlen(text, -1) > CELL_MAX_CHARS) {
        const char *end = g_utf8_offset_to_pointer(text, CELL_MAX_CHARS);
        char *cut = g_strndup(text, (gsize)(end - text));
        g_free(fixed);
        text = fixed = cut;
    }
    char *escaped = escape_ooxml(text);
    if (escaped) {
        g_free(fixed);
        text = fixed = escaped;
    }
    errno = 0;
    lxw_error e = worksheet_write_string(ws, row, col, text, format);
    g_free(fixed);
    if (e != LXW_NO_ERROR)
        book_fail_lxw(b, e);
}

static void put_number(book_t *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                       double value, lxw_format *format)
{
    if (b->status != ENGAGE_OK)
        return;
    errno = 0;
    lxw_error e = worksheet_write_number(ws, row, col, value, format);
    if (e != LXW_NO_ERROR)
        book_fail_lxw(b, e);
}

/* ------------------------------------------------------------------------ */
/* table sheets                                                               */

/* variance.csv's figures for the Read me headline, as CSV text. */
typedef struct {
    char *scale, *respondents, *managers, *icc_reml;
} headline_t;

enum { HL_SCALE, HL_RESPONDENTS, HL_MANAGERS, HL_ICC_REML, HL_N };
static const char *const headline_columns[HL_N] = { "scale", "respondents", "managers",
                                                    "icc_reml" };

typedef struct {
    book_t *b;
    const char *csv_path;      /* for messages */
    const char *sheet;
    GPtrArray *parts;          /* lxw_worksheet *: the sheet and its continuations */
    lxw_worksheet *ws;         /* the last of them */
    lxw_row_t row;             /* row of the current worksheet */
    lxw_col_t col;             /* next cell of the current row */
    bool header;               /* reading the CSV's first row */
    size_t n_header;
    GPtrArray *header_text;    /* char *: the header cells, for continuations */
    GArray *numeric;           /* bool per header column */
    GArray *width;             /* size_t characters per column */
    GArray *headlines;         /* headline_t, or NULL when not collected */
    int headline_col[HL_N];    /* column of each headline figure, -1 when absent */
    headline_t current;
} sheet_t;

static void sheet_header_row(sheet_t *s)
{
    for (size_t c = 0; c < s->header_text->len; c++) {
        const char *t = g_ptr_array_index(s->header_text, c);
        if (*t)
            put_string(s->b, s->ws, 0, (lxw_col_t)c, t, s->b->bold);
    }
}

/* Start the worksheet for the next part of the table: "NAME", then
 * "NAME (2)", ... */
static void sheet_next_part(sheet_t *s)
{
    char name[LXW_SHEETNAME_MAX + 1];
    if (s->parts->len == 0)
        snprintf(name, sizeof name, "%s", s->sheet);
    else
        snprintf(name, sizeof name, "%s (%u)", s->sheet, s->parts->len + 1);
    s->ws = workbook_add_worksheet(s->b->wb, name);
    if (!s->ws) {
        book_fail_lxw(s->b, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    g_ptr_array_add(s->parts, s->ws);
    worksheet_freeze_panes(s->ws, 1, 0);
    if (s->parts->len > 1) {
        sheet_header_row(s);
        s->row = 1;
    } else {
        s->row = 0;
    }
}

static void on_cell(void *field, size_t len, void *data)
{
    sheet_t *s = data;
    if (s->b->status != ENGAGE_OK)
        return;
    if (s->col == 0 && s->row >= LXW_ROW_MAX)
        sheet_next_part(s);
    if (s->b->status != ENGAGE_OK)
        return;
    size_t c = s->col++;
    const char *cell = field && len ? field : "";
    const char *text = workbook_unguard(cell);

    if (s->header) {
        bool numeric = numeric_column(text);
        g_array_append_val(s->numeric, numeric);
        g_ptr_array_add(s->header_text, g_strdup(text));
        s->n_header++;
        for (int k = 0; k < HL_N; k++)
            if (strcmp(text, headline_columns[k]) == 0 && s->headline_col[k] < 0)
                s->headline_col[k] = (int)c;
    } else if (s->headlines) {
        for (int k = 0; k < HL_N; k++) {
            if (s->headline_col[k] != (int)c)
                continue;
            char **slot = k == HL_SCALE         ? &s->current.scale
                        : k == HL_RESPONDENTS   ? &s->current.respondents
                        : k == HL_MANAGERS      ? &s->current.managers
                                                : &s->current.icc_reml;
            g_free(*slot);
            *slot = g_strdup(text);
        }
    }
    if (c >= s->width->len)
        g_array_set_size(s->width, c + 1);
    if (len == 0)
        return;                /* an empty CSV cell is no cell */

    size_t *w = &g_array_index(s->width, size_t, c);
    size_t chars = text_width(text, strlen(text));
    if (chars > *w)
        *w = chars;
    if (c > LXW_COL_MAX - 1) {
        engage_fail(s->b->err, ENGAGE_EIO, s->csv_path, 0, "more columns than a sheet holds");
        s->b->status = ENGAGE_EIO;
        return;
    }
    bool numeric = !s->header && c < s->n_header && g_array_index(s->numeric, bool, c);
    if (numeric && workbook_is_number(text)) {
        double v = g_ascii_strtod(text, NULL);
        if (isfinite(v)) {
            put_number(s->b, s->ws, s->row, (lxw_col_t)c, v, NULL);
            return;
        }
    }
    put_string(s->b, s->ws, s->row, (lxw_col_t)c, text, s->header ? s->b->bold : NULL);
}

static void on_row(int terminator, void *data)
{
    (void)terminator;
    sheet_t *s = data;
    if (s->headlines && !s->header) {
        g_array_append_val(s->headlines, s->current);
        memset(&s->current, 0, sizeof s->current);
    }
    s->header = false;
    s->col = 0;
    s->row++;
}

/* One table: `csv_path` into worksheet(s) named `sheet`.  headlines (may
 * be NULL) collects the headline figures of each row. */
static engage_status_t write_table(book_t *b, const char *csv_path, const char *sheet,
                                   GArray *headlines)
{
    FILE *fp = fopen(csv_path, "rb");
    if (!fp)
        return b->status = engage_fail(b->err, ENGAGE_EIO, csv_path, 0, "cannot read back: %s",
                                       strerror(errno));
    sheet_t s = {
        .b = b, .csv_path = csv_path, .sheet = sheet, .header = true,
        .parts = g_ptr_array_new(),
        .header_text = g_ptr_array_new_with_free_func(g_free),
        .numeric = g_array_new(FALSE, TRUE, sizeof(bool)),
        .width = g_array_new(FALSE, TRUE, sizeof(size_t)),
        .headlines = headlines,
    };
    for (int k = 0; k < HL_N; k++)
        s.headline_col[k] = -1;
    sheet_next_part(&s);

    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        fclose(fp);
        b->status = engage_fail(b->err, ENGAGE_ENOMEM, csv_path, 0, "out of memory");
        goto done;
    }
    char *buf = malloc(READ_CHUNK);
    if (!buf) {
        b->status = engage_fail(b->err, ENGAGE_ENOMEM, csv_path, 0, "out of memory");
    } else {
        size_t n;
        bool first = true;
        while (b->status == ENGAGE_OK && (n = fread(buf, 1, READ_CHUNK, fp)) > 0) {
            /* --excel CSVs begin with a byte order mark; it is not text */
            size_t skip = first && n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
            first = false;
            if (csv_parse(&p, buf + skip, n - skip, on_cell, on_row, &s) != n - skip && b->status == ENGAGE_OK)
                b->status = engage_fail(b->err, ENGAGE_EIO, csv_path, 0, "cannot read back: %s",
                                        csv_strerror(csv_error(&p)));
        }
        if (b->status == ENGAGE_OK && ferror(fp))
            b->status = engage_fail(b->err, ENGAGE_EIO, csv_path, 0, "cannot read back: %s",
                                    strerror(errno ? errno : EIO));
        if (b->status == ENGAGE_OK && csv_fini(&p, on_cell, on_row, &s) != 0)
            b->status = engage_fail(b->err, ENGAGE_EIO, csv_path, 0, "cannot read back: %s",
                                    csv_strerror(csv_error(&p)));
        free(buf);
    }
    csv_free(&p);
    fclose(fp);

    for (size_t i = 0; b->status == ENGAGE_OK && i < s.parts->len; i++) {
        lxw_worksheet *ws = g_ptr_array_index(s.parts, i);
        for (size_t c = 0; c < s.width->len && c < LXW_COL_MAX; c++) {
            lxw_error e = worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
                                               column_width(g_array_index(s.width, size_t, c)),
                                               NULL);
            if (e != LXW_NO_ERROR)
                book_fail_lxw(b, e);
        }
    }
done:
    g_free(s.current.scale);
    g_free(s.current.respondents);
    g_free(s.current.managers);
    g_free(s.current.icc_reml);
    g_ptr_array_free(s.parts, TRUE);
    g_ptr_array_free(s.header_text, TRUE);
    g_array_free(s.numeric, TRUE);
    g_array_free(s.width, TRUE);
    return b->status;
}

/* ------------------------------------------------------------------------ */
/* Read me                                                                    */

typedef struct {
    book_t *b;
    lxw_worksheet *ws;
    lxw_row_t row;
} page_t;

static void page_line(page_t *pg, const char *text, lxw_format *format)
{
    if (*text)
        put_string(pg->b, pg->ws, pg->row, 0, text, format);
    pg->row++;
}

/* A paragraph, wrapped at README_WRAP characters into successive rows of
 * column A (a long cell would run far off the screen). */
static void page_paragraph(page_t *pg, const char *text)
{
    const char *p = text;
    while (*p) {
        const char *end = p, *cut = NULL;
        long chars = 0;
        while (*end && chars < README_WRAP) {
            if (*end == ' ')
                cut = end;
            end = g_utf8_next_char(end);
            chars++;
        }
        if (*end == '\0' || *end == ' ')
            cut = end;
        else if (!cut)
            cut = end;
        char *line = g_strndup(p, (gsize)(cut - p));
        page_line(pg, line, NULL);
        g_free(line);
        p = cut;
        while (*p == ' ')
            p++;
    }
}

/* A headline figure: a number when it is one, else `otherwise` as text. */
static void page_figure(page_t *pg, lxw_col_t col, const char *csv, const char *otherwise,
                        lxw_format *format)
{
    if (csv && workbook_is_number(csv))
        put_number(pg->b, pg->ws, pg->row, col, g_ascii_strtod(csv, NULL), format);
    else if (otherwise && *otherwise)
        put_string(pg->b, pg->ws, pg->row, col, otherwise, NULL);
}

static engage_status_t write_readme(book_t *b, lxw_worksheet *ws, const report_input_t *in,
                                    const view_t *view, GArray *headlines,
                                    const char *const *sheet_names, size_t n_sheets)
{
    page_t pg = { b, ws, 0 };
    long k = view->smallest_shown;
    char *s;

    s = g_strdup_printf("engage %s: employee engagement report", in->version ? in->version : "");
    page_line(&pg, s, b->bold);
    g_free(s);
    pg.row++;
    GString *list = g_string_new(NULL);
    for (size_t i = 0; i < n_sheets; i++)
        g_string_append_printf(list, "%s%s", i ? ", " : "", sheet_names[i]);
    s = g_strdup_printf("Each sheet after this one holds the CSV file of the same name, cell for "
                        "cell (%s): figures as numbers, ids, names and other text as text. An "
                        "empty cell is a figure that is hidden or not defined. rejects.csv is "
                        "not included: it names respondents.", list->str);
    page_paragraph(&pg, s);
    g_free(s);
    g_string_free(list, TRUE);
    pg.row++;

    page_line(&pg, "Headline", b->bold);
    put_string(b, ws, pg.row, 0, "scale", b->bold);
    put_string(b, ws, pg.row, 1, "respondents", b->bold);
    put_string(b, ws, pg.row, 2, "managers", b->bold);
    put_string(b, ws, pg.row, 3, "icc_reml: share of variance between managers", b->bold);
    pg.row++;
    size_t widest = strlen("scale");
    char hidden[96];
    snprintf(hidden, sizeof hidden, "hidden: fewer than %ld scored", k);
    for (size_t i = 0; i < headlines->len; i++) {
        const headline_t *h = &g_array_index(headlines, headline_t, i);
        if (h->scale) {
            put_string(b, ws, pg.row, 0, h->scale, NULL);
            size_t w = text_width(h->scale, strlen(h->scale));
            if (w > widest)
                widest = w;
        }
        page_figure(&pg, 1, h->respondents, h->respondents, NULL);
        page_figure(&pg, 2, h->managers, h->managers, NULL);
        bool few = i < view->n_scales && view->scales[i].suppressed;
        page_figure(&pg, 3, h->icc_reml, few ? hidden : "not defined (see report.txt)",
                    b->percent);
        pg.row++;
    }
    page_paragraph(&pg, "icc_reml is the share of the scale's variance that lies between "
                        "managers (REML variance components, variance.csv); shown here as a "
                        "percentage, stored as the same number as in the CSV. Like every figure "
                        "of the variance decomposition, it is estimated over the respondents and "
                        "managers counted here: those of the shown managers.");
    pg.row++;

    page_line(&pg, "Suppression rule", b->bold);
    put_string(b, ws, pg.row, 0, "min_group", NULL);
    put_number(b, ws, pg.row, 1, (double)k, NULL);
    pg.row++;
    s = g_strdup_printf("A manager's figures are shown only when at least %ld of their team were "
                        "scored on the scale (primary suppression). When hiding the small teams "
                        "alone would let a group of fewer than %ld people be worked out by "
                        "subtraction from the scale totals, the next-smallest team is hidden too "
                        "(secondary suppression). A hidden manager keeps n, every other figure is "
                        "empty and suppressed is 1. A scale with fewer than %ld scored "
                        "respondents in all keeps only its name and counts in variance.",
                        k, k, k);
    page_paragraph(&pg, s);
    g_free(s);
    page_paragraph(&pg, "Item figures (items) pool every scored respondent of a scale, so they "
                        "are hidden only when the scale as a whole is.");
    for (size_t i = 0; i < n_sheets; i++) {
        if (strcmp(sheet_names[i], "changes") == 0) {
            s = g_strdup_printf("A manager's change since the previous wave (changes) is shown "
                                "only when at least %ld of their team were scored in both waves; "
                                "the same rule against subtraction then holds in each wave.", k);
            page_paragraph(&pg, s);
            g_free(s);
        } else if (strcmp(sheet_names[i], "units") == 0) {
            page_paragraph(&pg, "Units roll managers up and follow the same rule, so that no "
                                "subtraction of shown figures, across units and managers, "
                                "reveals fewer than min_group people.");
        }
    }
    pg.row++;

    page_line(&pg, "Text cells", b->bold);
    page_paragraph(&pg, "In the CSV files, text that a spreadsheet would run as a formula "
                        "(starting with = + - @, tab or CR) has a leading apostrophe. Here it is "
                        "stored without it, as plain text, which a spreadsheet never runs.");
    pg.row++;

    page_line(&pg, "Config", b->bold);
    if (!in->config || !in->config->path) {
        page_line(&pg, "defaults (no config)", NULL);
    } else {
        put_string(b, ws, pg.row, 0, "file", NULL);
        put_string(b, ws, pg.row, 1, in->config->path, NULL);
        pg.row++;
        pg.row++;
        /* The text as the run read it (also what `engage rerun` reads),
         * not the file as it may be now. */
        const char *text = in->config->text ? in->config->text : "";
        size_t len = strlen(text);
        /* line by line, ends (LF or CRLF) taken off; a NUL ends a line */
        const char *p = text, *end = text + len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *stop = nl ? nl : end;
            size_t n = (size_t)(stop - p);
            if (n > 0 && p[n - 1] == '\r')
                n--;
            char *line = g_strndup(p, n);
            page_line(&pg, line, NULL);
            g_free(line);
            p = nl ? nl + 1 : end;
        }
    }

    lxw_error e = worksheet_set_column(ws, 0, 0, column_width(widest), NULL);
    if (e == LXW_NO_ERROR)
        e = worksheet_set_column(ws, 1, 2, 12, NULL);
    if (e == LXW_NO_ERROR)
        e = worksheet_set_column(ws, 3, 3, 46, NULL);
    if (e != LXW_NO_ERROR)
        book_fail_lxw(b, e);
    return b->status;
}

/* ------------------------------------------------------------------------ */

/* SOURCE_DATE_EPOCH when it is a whole number of seconds (0, which
 * libxlsxwriter takes for "now", excepted), else 1980-01-01. */
static time_t document_date(void)
{
    time_t t;
    return source_date_epoch(&t) && t != 0 ? t : FALLBACK_EPOCH;
}

static engage_status_t hash_file(const char *path, char sha256_hex[65], engage_error_t *err)
{
    if (!digest_file(path, sha256_hex, NULL))
        return engage_fail(err, ENGAGE_EIO, path, 0, "cannot read back: %s", strerror(errno));
    return ENGAGE_OK;
}

/* libxlsxwriter prints its own "[ERROR] ..." lines (naming its scratch
 * files) on stderr as well as returning an error code; engage says what
 * went wrong in one line of its own.  So stderr goes to /dev/null while the
 * library works: no other thread runs then.  The saved descriptor, or -1
 * when stderr is left as it is. */
static int silence_stderr(void)
{
    fflush(stderr);
    int saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (saved < 0)
        return -1;
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null < 0 || dup2(null, STDERR_FILENO) < 0) {
        if (null >= 0)
            close(null);
        close(saved);
        return -1;
    }
    close(null);
#ifdef __SANITIZE_ADDRESS__
    __sanitizer_set_report_fd((void *)(intptr_t)saved);   /* the sanitized build's reports still show */
#endif
    return saved;
}

static void restore_stderr(int saved)
{
    if (saved < 0)
        return;
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
#ifdef __SANITIZE_ADDRESS__
    __sanitizer_set_report_fd((void *)(intptr_t)STDERR_FILENO);
#endif
    close(saved);
}

static engage_status_t write_book(const report_input_t *in, const view_t *view, const char *dir,
                                  const char *path, char sha256_hex[65], engage_error_t *err)
{
    /* libxlsxwriter reports a file it cannot create on stderr; find out
     * first, quietly. */
    FILE *probe = fopen(path, "wb");
    if (!probe)
        return engage_fail(err, ENGAGE_ECANTCREAT, path, 0, "cannot create: %s", strerror(errno));
    fclose(probe);

    lxw_workbook_options options = { .constant_memory = LXW_TRUE, .tmpdir = (char *)dir,
                                     .use_zip64 = LXW_FALSE };
    book_t b = { .path = path, .err = err, .status = ENGAGE_OK };
    b.wb = workbook_new_opt(path, &options);
    if (!b.wb)
        return engage_fail(err, ENGAGE_ENOMEM, path, 0, "out of memory");
    lxw_doc_properties props = { .created = document_date() };
    lxw_error e = workbook_set_properties(b.wb, &props);
    if (e != LXW_NO_ERROR)
        book_fail_lxw(&b, e);
    b.bold = workbook_add_format(b.wb);
    b.percent = workbook_add_format(b.wb);
    if (b.bold && b.percent) {
        format_set_bold(b.bold);
        format_set_num_format(b.percent, "0.0%");
    } else {
        book_fail_lxw(&b, LXW_ERROR_MEMORY_MALLOC_FAILED);
    }
    lxw_worksheet *readme = workbook_add_worksheet(b.wb, "Read me");
    if (!readme)
        book_fail_lxw(&b, LXW_ERROR_MEMORY_MALLOC_FAILED);

    GArray *headlines = g_array_new(FALSE, TRUE, sizeof(headline_t));
    const char *names[N_SHEET_SPECS];
    size_t n_sheets = 0;
    for (size_t i = 0; i < N_SHEET_SPECS && b.status == ENGAGE_OK; i++) {
        char *csv = g_strdup_printf("%s/%s", dir, sheet_specs[i].file);
        struct stat st;
        if (sheet_specs[i].optional && stat(csv, &st) != 0 && errno == ENOENT) {
            g_free(csv);
            continue;
        }
        names[n_sheets++] = sheet_specs[i].sheet;
        bool variance = strcmp(sheet_specs[i].file, "variance.csv") == 0;
        write_table(&b, csv, sheet_specs[i].sheet, variance ? headlines : NULL);
        g_free(csv);
    }
    if (b.status == ENGAGE_OK)
        write_readme(&b, readme, in, view, headlines, names, n_sheets);
    for (size_t i = 0; i < headlines->len; i++) {
        headline_t *h = &g_array_index(headlines, headline_t, i);
        g_free(h->scale);
        g_free(h->respondents);
        g_free(h->managers);
        g_free(h->icc_reml);
    }
    g_array_free(headlines, TRUE);

    if (b.status != ENGAGE_OK) {
        lxw_workbook_free(b.wb);   /* nothing more is written */
        return b.status;
    }
    errno = 0;
    e = workbook_close(b.wb);
    if (e != LXW_NO_ERROR)
        return book_fail_lxw(&b, e);
    return sha256_hex ? hash_file(path, sha256_hex, err) : ENGAGE_OK;
}

engage_status_t workbook_write(const report_input_t *in, const view_t *view, const char *dir,
                               const char *path, char sha256_hex[65], engage_error_t *err)
{
    int saved = silence_stderr();
    engage_status_t st = write_book(in, view, dir, path, sha256_hex, err);
    restore_stderr(saved);
    return st;
}
