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
 *   - a number keeps the CSV's value, written as the CSV's own digits (no
 *     conversion either way); its column's kind gives it a number
 *     format (counts #,##0; means 0.00; percents 0..100 as 0.0"%", the
 *     value unscaled; shares of variance 0..1 as 0.0%; p- and q-values
 *     0.000, in scientific form below 0.001);
 *   - strings are written as string cells only: nothing is ever
 *     stored as a formula.  The "'" that the CSVs put before text a
 *     spreadsheet would run (= + - @ tab CR) is taken off again, because a
 *     string cell is never run, and the name should read as it is;
 *   - an empty CSV cell is no cell.
 * The header row is bold, frozen and carries an autofilter over the table;
 * a column is as wide as its longest cell as shown (at most 60
 * characters).  A table longer than a sheet's 1,048,576 rows goes on in
 * "NAME (2)", ... with the header repeated.  A string longer than a cell's
 * 32,767 characters is cut there; what XML cannot hold (control
 * characters, U+FFFE, U+FFFF, invalid UTF-8) shows as U+FFFD, as in
 * report.html; text that looks like OOXML's character escape ("_x0041_")
 * is escaped so it reads as is.
 *
 * Two columns the CSV lacks end the managers sheet, so that it pivots: with
 * units, each manager's `unit` (units.h, as units.csv names it); with a
 * reporting tree, `leader`, the id of the manager's own manager in the tree
 * (and `leader_name` when the tree has names).  Neither is secret: a hidden
 * manager's row keeps them, as it keeps its n.
 *
 * The first sheet, "Summary", has the headline figures per scale from
 * scales.csv and variance.csv (as read back, nothing computed); the second,
 * "Read me", the suppression rule with the view's smallest group shown,
 * what the formats mean, and the config text as given.
 *
 * The file itself is written by report/xlsx.c (its zip, its XML, zlib
 * deflate on worker threads).
 *
 * Determinism: every zip entry has a fixed date; the one clock reading
 * left, the document's created date, is SOURCE_DATE_EPOCH (a whole number
 * of seconds) or else 1980-01-01.  The threads' timing changes nothing.
 * The scratch file of deflated pieces goes into the output folder itself
 * (unnamed), and a failure is reported as one engage line.
 *
 * Memory: each row goes out as soon as it is written (strings inline in
 * the cell rather than in a shared-string table; both are plain strings to
 * every spreadsheet), so a table of 125,000 managers never holds its 2
 * million cells in memory.  The rows of every sheet are therefore written
 * in order: Summary and Read me last, from what the tables collected.
 * Owns: the workbook and everything read, for the length of the call.
 * Assumes: the CSV files are engage's own (UTF-8, comma, header row;
 * managers.csv's rows in scale order, then manager index order).
 */
#include "workbook.h"

#include <csv.h>
#include <errno.h>
#include <glib.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../core/csv_out.h"
#include "../core/digest.h"
#include "../core/org.h"
#include "../core/source_date.h"
#include "../core/xml_text.h"
#include "figures.h"
#include "item_labels.h"
#include "xlsx.h"

/* The tables, in sheet order.  optional: a sheet only when the CSV was
 * written (changes.csv with a previous wave, units.csv with units,
 * leaders.csv with a reporting tree, enps.csv with a scale of kind = nps,
 * enps_trend.csv with that and a history). */
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
    { "enps.csv", "enps", true },
    { "enps_trend.csv", "enps_trend", true },
    { "drivers.csv", "drivers", true },
    { "quality.csv", "quality", false },
};
enum { N_SHEET_SPECS = sizeof sheet_specs / sizeof sheet_specs[0] };

/* What a figure column holds, and so how it is shown.  KIND_TEXT: not a
 * figure. */
typedef enum {
    KIND_TEXT,
    KIND_COUNT,      /* people, teams, rows, degrees of freedom, 0/1 flags */
    KIND_MEAN,       /* means, sds, intervals, differences of means, F, agreement, alpha */
    KIND_VARIANCE,   /* REML variance components (often below 0.01) */
    KIND_PERCENT,    /* per cent, 0..100 as the CSVs hold them */
    KIND_SHARE,      /* shares of variance, 0..1 as the CSVs hold them */
    KIND_P,          /* p- and q-values */
    KIND_POINTS,     /* differences of per cent, in points, with their sign */
    N_KINDS
} kind_t;

/* Each kind's number format.  A percent keeps its value (55.4 shows as
 * 55.4%: a literal sign, not Excel's %, which would multiply by 100); a
 * share is shown by Excel's % (0.135 shows as 13.5%). */
static const char *const kind_format[N_KINDS] = {
    [KIND_COUNT] = "#,##0",
    [KIND_MEAN] = "0.00",
    [KIND_VARIANCE] = "0.000",
    [KIND_PERCENT] = "0.0\"%\"",
    [KIND_SHARE] = "0.0%",
    [KIND_P] = "[<0.001]0.00E+00;0.000",
    [KIND_POINTS] = "+0.0;-0.0;0.0",
};

/* Columns that hold figures or counts, in every table, with their kind.
 * Any other column (scale, manager_id, unit, item, file, reason,
 * stands_out, wave, ... and any column added later without being listed
 * here) is text. */
static const struct {
    const char *column;
    kind_t kind;
} figure_columns[] = {
    /* managers.csv, changes.csv, items.csv, units.csv, leaders.csv, scales.csv */
    { "n", KIND_COUNT }, { "invited", KIND_COUNT }, { "responded", KIND_COUNT },
    { "suppressed", KIND_COUNT }, { "n_previous", KIND_COUNT }, { "managers_shown", KIND_COUNT },
    { "managers_suppressed", KIND_COUNT }, { "units", KIND_COUNT }, { "depth", KIND_COUNT },
    { "team_managers", KIND_COUNT }, { "org_managers", KIND_COUNT },
    { "mean", KIND_MEAN }, { "sd", KIND_MEAN }, { "se", KIND_MEAN }, { "ci_low", KIND_MEAN },
    { "ci_high", KIND_MEAN }, { "median", KIND_MEAN }, { "rwg", KIND_MEAN },
    { "funnel_low95", KIND_MEAN }, { "funnel_high95", KIND_MEAN }, { "funnel_low998", KIND_MEAN },
    { "funnel_high998", KIND_MEAN }, { "mean_previous", KIND_MEAN }, { "delta", KIND_MEAN },
    { "item_rest_r", KIND_MEAN },
    { "favourable_pct", KIND_PERCENT }, { "neutral_pct", KIND_PERCENT },
    { "unfavourable_pct", KIND_PERCENT }, { "response_rate", KIND_PERCENT },
    { "share_between", KIND_SHARE }, { "delta_favourable", KIND_POINTS },
    { "p_value", KIND_P }, { "q_value", KIND_P },
    /* enps.csv */
    { "promoters_pct", KIND_PERCENT }, { "passives_pct", KIND_PERCENT }, { "detractors_pct", KIND_PERCENT },
    { "enps", KIND_POINTS },
    /* enps_trend.csv: the change of eNPS, in points */
    { "delta_previous", KIND_POINTS },
    /* variance.csv */
    { "respondents", KIND_COUNT }, { "managers", KIND_COUNT }, { "df_between", KIND_COUNT },
    { "df_within", KIND_COUNT }, { "respondents_previous", KIND_COUNT },
    { "managers_previous", KIND_COUNT }, { "company_respondents_previous", KIND_COUNT },
    { "company_respondents", KIND_COUNT },
    { "grand_mean", KIND_MEAN }, { "ss_between", KIND_MEAN }, { "ss_within", KIND_MEAN },
    { "ms_between", KIND_MEAN }, { "ms_within", KIND_MEAN }, { "f", KIND_MEAN },
    { "k0", KIND_MEAN }, { "icc2", KIND_MEAN }, { "alpha", KIND_MEAN },
    { "grand_mean_previous", KIND_MEAN }, { "f_previous", KIND_MEAN },
    { "delta_ci_low", KIND_MEAN }, { "delta_ci_high", KIND_MEAN },
    { "company_mean_previous", KIND_MEAN }, { "company_mean", KIND_MEAN },
    { "var_between_reml", KIND_VARIANCE }, { "var_within_reml", KIND_VARIANCE },
    { "var_unit_reml", KIND_VARIANCE }, { "var_manager_reml", KIND_VARIANCE },
    { "var_within_nested_reml", KIND_VARIANCE },
    { "icc1", KIND_SHARE }, { "icc1_ci_low", KIND_SHARE }, { "icc1_ci_high", KIND_SHARE },
    { "eta_squared", KIND_SHARE }, { "icc_reml", KIND_SHARE }, { "share_unit", KIND_SHARE },
    { "share_manager", KIND_SHARE }, { "icc1_previous", KIND_SHARE },
    { "icc_reml_previous", KIND_SHARE },
    { "p_value_previous", KIND_P }, { "delta_p_value", KIND_P },
    /* drivers.csv: the key drivers, where to act */
    { "n_complete", KIND_COUNT }, { "bootstrap_resamples", KIND_COUNT }, { "bootstrap_rows", KIND_COUNT },
    { "where_to_act", KIND_COUNT }, { "r", KIND_MEAN },
    { "raw_weight", KIND_SHARE }, { "share_r2", KIND_SHARE }, { "r2", KIND_SHARE },
    { "raw_weight_ci_low", KIND_SHARE }, { "raw_weight_ci_high", KIND_SHARE },
    { "share_r2_ci_low", KIND_SHARE }, { "share_r2_ci_high", KIND_SHARE },
    { "lmg", KIND_SHARE }, { "lmg_share_r2", KIND_SHARE },
    { "lmg_ci_low", KIND_SHARE }, { "lmg_ci_high", KIND_SHARE },
    /* quality.csv */
    { "rows", KIND_COUNT }, { "accepted", KIND_COUNT }, { "rejected", KIND_COUNT },
    { "excluded", KIND_COUNT }, { "header_rows", KIND_COUNT }, { "bytes", KIND_COUNT },
};

/* The Summary sheet's columns: CSV column, heading, and the part of the
 * run a column needs (NEEDS_*: a view flag; 0, always).  A column is shown
 * when its CSV has it and the run has what it needs. */
enum { NEEDS_TREE = 1u << 0, NEEDS_UNITS = 1u << 1, NEEDS_CHANGES = 1u << 2 };
static const struct {
    const char *file, *column, *heading;
    unsigned needs;
} summary_columns[] = {
    { "scales.csv", "scale", "scale", 0 },
    { "scales.csv", "respondents", "respondents", 0 },
    { "scales.csv", "invited", "invited", NEEDS_TREE },
    { "scales.csv", "response_rate", "response rate", NEEDS_TREE },
    { "scales.csv", "favourable_pct", "favourable", 0 },
    { "scales.csv", "neutral_pct", "neutral", 0 },
    { "scales.csv", "unfavourable_pct", "unfavourable", 0 },
    { "scales.csv", "mean", "mean", 0 },
    { "scales.csv", "sd", "sd", 0 },
    { "scales.csv", "share_between", "between managers", 0 },
    { "variance.csv", "share_unit", "between units", NEEDS_UNITS },
    { "variance.csv", "share_manager", "between managers within units", NEEDS_UNITS },
    { "variance.csv", "delta", "change in mean", NEEDS_CHANGES },
    { "variance.csv", "delta_p_value", "p-value of the change", NEEDS_CHANGES },
};
enum { N_SUMMARY_COLUMNS = sizeof summary_columns / sizeof summary_columns[0] };

enum {
    WIDTH_MIN = 8,            /* characters */
    WIDTH_MAX = 60,
    FILTER_BUTTON = 2,        /* characters an autofilter's button takes in a header cell */
    CELL_MAX_CHARS = 32767,   /* Excel's limit on a cell's text */
    README_WRAP = 100,        /* characters per line of a Read me paragraph */
    README_PRINT_COLUMNS = 10,/* columns A..J: 16 + 12 + 8 × 8.43 characters, a line of README_WRAP */
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

static kind_t column_kind(const char *name)
{
    for (size_t i = 0; i < sizeof figure_columns / sizeof figure_columns[0]; i++)
        if (strcmp(figure_columns[i].column, name) == 0)
            return figure_columns[i].kind;
    return KIND_TEXT;
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

/* Characters of a number as its kind's format shows it, from its sign,
 * its digits before the point (at least 1; for a share, of the value times
 * 100) and whether it is below 0.001 (to a character: a value that rounds
 * up to one more digit may take one more, which the column's margin
 * holds). */
static size_t shown_width(kind_t kind, bool negative, size_t digits, bool below_thousandth)
{
    size_t sign = negative;
    switch (kind) {
    case KIND_COUNT:
        return sign + digits + (digits - 1) / 3;                 /* 1,234,567 */
    case KIND_MEAN:
        return sign + digits + 3;                                /* 3.60 */
    case KIND_VARIANCE:
        return sign + digits + 4;                                /* 0.096 */
    case KIND_PERCENT:
    case KIND_SHARE:
        return sign + digits + 3;                                /* 55.4% */
    case KIND_P:
        return below_thousandth ? sign + 9 : sign + digits + 4;  /* 1.74E-22, 0.042 */
    case KIND_POINTS:
        return 1 + digits + 2;                                   /* +5.2 */
    case KIND_TEXT:
    case N_KINDS:
        break;
    }
    return digits;
}

/* shown_width of a finite number */
static size_t number_width(kind_t kind, double v)
{
    double a = fabs(kind == KIND_SHARE ? v * 100 : v);
    size_t digits = a < 10 ? 1 : (size_t)floor(log10(a)) + 1;   /* before the point */
    return shown_width(kind, v < 0, digits, v < 0.001);
}

/* shown_width of the number a CSV cell writes (workbook_is_number), from
 * its text: the place of its first significant digit, so that the text
 * needs no conversion.  false when its exponent is too large to be sure the
 * number is finite. */
static bool number_text_width(kind_t kind, const char *t, size_t *chars)
{
    bool negative = *t == '-';
    t += negative;
    long n = 0, first = -1, point;            /* digits; the first non-zero one */
    for (; *t >= '0' && *t <= '9'; t++, n++)
        if (first < 0 && *t != '0')
            first = n;
    point = n;
    if (*t == '.')
        for (t++; *t >= '0' && *t <= '9'; t++, n++)
            if (first < 0 && *t != '0')
                first = n;
    long exponent = 0;
    if (*t == 'e' || *t == 'E') {
        t++;
        bool down = *t == '-';
        t += *t == '-' || *t == '+';
        for (; *t >= '0' && *t <= '9'; t++) {
            exponent = exponent * 10 + (*t - '0');
            if (exponent > 300)
                return false;
        }
        if (down)
            exponent = -exponent;
    }
    if (kind == KIND_SHARE)
        exponent += 2;
    bool zero = first < 0;
    long place = zero ? 0 : point + exponent - first - 1;   /* 10^place: the first digit's */
    size_t digits = zero || place < 1 ? 1 : (size_t)place + 1;
    if (kind == KIND_SHARE)
        place -= 2;
    *chars = shown_width(kind, negative && !zero, digits, zero || negative || place < -3);
    return true;
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
    xlsx_t *x;
    xlsx_style_t bold;
    xlsx_style_t kind[N_KINDS]; /* each kind's number format; 0 for KIND_TEXT */
    const view_t *view;
    const char *path;          /* engage.xlsx, for messages */
    engage_status_t status;    /* first failure */
    engage_error_t *err;
} book_t;

static engage_status_t book_fail_memory(book_t *b)
{
    if (b->status == ENGAGE_OK)
        b->status = engage_fail(b->err, ENGAGE_ENOMEM, b->path, 0, "out of memory");
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
 * none.  (report/xlsx.c escapes control characters this way but leaves
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
 * which would break the sheet), at most CELL_MAX_CHARS characters, with
 * "_xHHHH_" escaped (never a formula). */
static void put_string(book_t *b, xlsx_sheet_t *ws, uint32_t row, uint32_t col, const char *text,
                       xlsx_style_t format)
{
    if (b->status != ENGAGE_OK)
        return;
    bool failed;
    char *fixed = xml_text_safe(text, &failed);
    if (failed) {
        book_fail_memory(b);
        return;
    }
    if (fixed)
        text = fixed;
    size_t len = strlen(text);
    if (len > CELL_MAX_CHARS && g_utf8_strlen(text, -1) > CELL_MAX_CHARS) {
        const char *end = g_utf8_offset_to_pointer(text, CELL_MAX_CHARS);
        char *cut = g_strndup(text, (gsize)(end - text));
        g_free(fixed);
        text = fixed = cut;
    }
    char *escaped = memchr(text, '_', len) ? escape_ooxml(text) : NULL;
    if (escaped) {
        g_free(fixed);
        text = fixed = escaped;
    }
    xlsx_string(ws, row, col, text, strlen(text), format);
    g_free(fixed);
}

static void put_number(book_t *b, xlsx_sheet_t *ws, uint32_t row, uint32_t col, double value,
                       xlsx_style_t format)
{
    if (b->status == ENGAGE_OK)
        xlsx_number(ws, row, col, value, format);
}

/* ------------------------------------------------------------------------ */
/* what the tables pass on: the Summary's figures, the managers' own columns */

/* One scale's Summary figures, as CSV text (NULL: an empty cell). */
typedef struct {
    char *cell[N_SUMMARY_COLUMNS];
} summary_row_t;

typedef struct {
    bool present[N_SUMMARY_COLUMNS];   /* its CSV has the column */
    GArray *rows;                      /* summary_row_t, one per scale, in scale order */
} summary_t;

/* The managers sheet's columns after managers.csv's, in this order. */
enum { EXTRA_UNIT, EXTRA_LEADER, EXTRA_LEADER_NAME, N_EXTRA };
static const char *const extra_names[N_EXTRA] = { "unit", "leader", "leader_name" };

typedef struct {
    bool on[N_EXTRA];
    const dataset_t *ds;
    const results_t *results;
    const units_t *units;      /* with EXTRA_UNIT */
    const org_t *org;          /* with EXTRA_LEADER */
    size_t scale, index;       /* the (scale, manager index) of the next managers.csv row */
} extra_t;

/* Whether any person of the tree has a display name. */
static bool org_has_names(const org_t *org)
{
    for (size_t i = 0; i < org_size(org); i++)
        if (org_name(org, i))
            return true;
    return false;
}

static extra_t managers_extra(const report_input_t *in, const view_t *view)
{
    extra_t x = { .ds = in->dataset, .results = in->results, .units = in->units };
    x.org = view->with_tree ? dataset_org(in->dataset) : NULL;
    x.on[EXTRA_UNIT] = view->with_units && in->units;
    x.on[EXTRA_LEADER] = x.org != NULL;
    x.on[EXTRA_LEADER_NAME] = x.org && org_has_names(x.org);
    return x;
}

/* ------------------------------------------------------------------------ */
/* table sheets                                                               */

typedef struct {
    book_t *b;
    const char *csv_path;      /* for messages */
    const char *file;          /* the CSV's name, for the Summary's columns */
    const char *sheet;
    GPtrArray *parts;          /* xlsx_sheet_t *: the sheet and its continuations */
    xlsx_sheet_t *ws;         /* the last of them */
    uint32_t row;             /* row of the current worksheet */
    uint32_t col;             /* next cell of the current row */
    bool header;               /* reading the CSV's first row */
    size_t n_csv_columns;      /* the CSV header's cells */
    GPtrArray *header_text;    /* char *: the header cells (the CSV's, then the sheet's own) */
    GArray *kind;              /* kind_t per CSV header column */
    GArray *width;             /* size_t characters per column */
    size_t data_row;           /* rows after the header read so far */
    summary_t *summary;        /* collects this table's Summary columns, or NULL */
    int summary_col[N_SUMMARY_COLUMNS];   /* CSV column of each, -1 when not this table's */
    extra_t *extra;            /* the managers sheet's own columns, or NULL */
} sheet_t;

static void sheet_header_row(sheet_t *s)
{
    for (size_t c = 0; c < s->header_text->len; c++) {
        const char *t = g_ptr_array_index(s->header_text, c);
        if (*t)
            put_string(s->b, s->ws, 0, (uint32_t)c, t, s->b->bold);
    }
}

/* Start the worksheet for the next part of the table: "NAME", then
 * "NAME (2)", ... */
static void sheet_next_part(sheet_t *s)
{
    char name[32];   /* a sheet name's 31 characters */
    if (s->parts->len == 0)
        snprintf(name, sizeof name, "%s", s->sheet);
    else
        snprintf(name, sizeof name, "%s (%u)", s->sheet, s->parts->len + 1);
    s->ws = xlsx_sheet(s->b->x, name);
    if (!s->ws) {
        book_fail_memory(s->b);
        return;
    }
    g_ptr_array_add(s->parts, s->ws);
    xlsx_freeze_first_row(s->ws);
    xlsx_landscape(s->ws);                   /* printed: wide tables across, the header on every page */
    xlsx_repeat_first_row(s->ws);
    if (s->parts->len > 1) {
        sheet_header_row(s);
        s->row = 1;
    } else {
        s->row = 0;
    }
}

/* A cell of the current row: a number in its kind's format when its
 * column holds figures and the text is a number, else a string (bold in
 * the header row); the column's width grows to the text as shown. */
static void sheet_cell(sheet_t *s, size_t c, const char *text, kind_t kind)
{
    if (c > XLSX_COL_MAX - 1) {
        engage_fail(s->b->err, ENGAGE_EIO, s->csv_path, 0, "more columns than a sheet holds");
        s->b->status = ENGAGE_EIO;
        return;
    }
    if (c >= s->width->len)
        g_array_set_size(s->width, c + 1);
    size_t *w = &g_array_index(s->width, size_t, c);
    size_t chars;
    if (kind != KIND_TEXT && workbook_is_number(text) && number_text_width(kind, text, &chars)) {
        if (chars > *w)
            *w = chars;
        /* the CSV's own digits: the same value, no conversion either way */
        if (s->b->status == ENGAGE_OK)
            xlsx_number_text(s->ws, s->row, (uint32_t)c, text, strlen(text), s->b->kind[kind]);
        return;
    }
    chars = text_width(text, strlen(text)) + (s->header ? FILTER_BUTTON : 0);
    if (chars > *w)
        *w = chars;
    put_string(s->b, s->ws, s->row, (uint32_t)c, text, s->header ? s->b->bold : 0);
}

static void on_cell(void *field, size_t len, void *data)
{
    sheet_t *s = data;
    if (s->b->status != ENGAGE_OK)
        return;
    if (s->col == 0 && s->row >= XLSX_ROW_MAX)
        sheet_next_part(s);
    if (s->b->status != ENGAGE_OK)
        return;
    size_t c = s->col++;
    const char *cell = field && len ? field : "";
    const char *text = workbook_unguard(cell);

    kind_t kind = KIND_TEXT;  /* the heading itself is text */
    if (s->header) {
        kind_t column = column_kind(text);
        g_array_append_val(s->kind, column);
        g_ptr_array_add(s->header_text, g_strdup(text));
        s->n_csv_columns++;
        for (size_t k = 0; s->summary && k < N_SUMMARY_COLUMNS; k++)
            if (s->summary_col[k] < 0 && strcmp(summary_columns[k].file, s->file) == 0 &&
                strcmp(summary_columns[k].column, text) == 0) {
                s->summary_col[k] = (int)c;
                s->summary->present[k] = true;
            }
    } else {
        if (c < s->kind->len)
            kind = g_array_index(s->kind, kind_t, c);
        for (size_t k = 0; s->summary && len && k < N_SUMMARY_COLUMNS; k++)
            if (s->summary_col[k] == (int)c) {
                if (s->summary->rows->len <= s->data_row)
                    g_array_set_size(s->summary->rows, s->data_row + 1);
                summary_row_t *r = &g_array_index(s->summary->rows, summary_row_t, s->data_row);
                g_free(r->cell[k]);
                r->cell[k] = g_strdup(text);
            }
    }
    if (c >= s->width->len)
        g_array_set_size(s->width, c + 1);
    if (len == 0)
        return;                /* an empty CSV cell is no cell */
    sheet_cell(s, c, text, kind);
}

/* The managers sheet's own cells at the end of a row: in the header their
 * names, then for the row's manager its unit and its leader in the tree
 * (empty for a top, or a manager the tree lacks). */
static void extra_cells(sheet_t *s)
{
    extra_t *x = s->extra;
    size_t c = s->n_csv_columns;
    if (s->header) {
        for (int k = 0; k < N_EXTRA; k++)
            if (x->on[k]) {
                g_ptr_array_add(s->header_text, g_strdup(extra_names[k]));
                sheet_cell(s, c++, extra_names[k], KIND_TEXT);
            }
        return;
    }
    while (x->scale < x->results->n_scales &&
           x->index >= x->results->scales[x->scale].n_managers) {
        x->scale++;
        x->index = 0;
    }
    if (x->scale >= x->results->n_scales) {
        s->b->status = engage_fail(s->b->err, ENGAGE_EIO, s->csv_path, 0,
                                   "more rows than the run has managers");
        return;
    }
    size_t m = x->results->scales[x->scale].managers[x->index++].manager;
    if (x->on[EXTRA_UNIT]) {
        const char *unit = x->units->names[x->units->unit_of[m]];
        if (*unit)
            sheet_cell(s, c, unit, KIND_TEXT);
        c++;
    }
    if (!x->on[EXTRA_LEADER])
        return;
    size_t node = org_find(x->org, dataset_manager_id(x->ds, m));
    size_t parent = node == ORG_NONE ? ORG_NONE : org_parent(x->org, node);
    const char *id = parent == ORG_NONE ? NULL : org_id(x->org, parent);
    const char *name = parent == ORG_NONE ? NULL : org_name(x->org, parent);
    if (id && *id)
        sheet_cell(s, c, id, KIND_TEXT);
    c++;
    if (x->on[EXTRA_LEADER_NAME] && name && *name)
        sheet_cell(s, c, name, KIND_TEXT);
}

static void on_row(int terminator, void *data)
{
    (void)terminator;
    sheet_t *s = data;
    if (s->extra && s->b->status == ENGAGE_OK)
        extra_cells(s);
    if (!s->header)
        s->data_row++;
    s->header = false;
    s->col = 0;
    s->row++;
}

/* Every part of a table once it is read: an autofilter over its rows and
 * columns, each column as wide as its widest cell, and no "number stored as
 * text" mark on the ids that look like numbers. */
static void sheet_finish(sheet_t *s)
{
    size_t n_columns = s->header_text->len;
    for (size_t i = 0; s->b->status == ENGAGE_OK && i < s->parts->len; i++) {
        xlsx_sheet_t *ws = g_ptr_array_index(s->parts, i);
        uint32_t last_row = i + 1 < s->parts->len ? XLSX_ROW_MAX - 1 : s->row - 1;
        if (n_columns > 0 && n_columns <= XLSX_COL_MAX && s->row > 0)
            xlsx_autofilter(ws, 0, 0, last_row, (uint32_t)(n_columns - 1));
        xlsx_ignore_number_as_text(ws);
        for (size_t c = 0; c < s->width->len && c < XLSX_COL_MAX; c++)
            xlsx_column_width(ws, (uint32_t)c, column_width(g_array_index(s->width, size_t, c)));
    }
}

/* One table: `file` in folder `dir` into worksheet(s) named `sheet`.
 * summary (may be NULL) collects the Summary's figures of this file; extra
 * (may be NULL) adds the managers sheet's own columns. */
static engage_status_t write_table(book_t *b, const char *dir, const char *file,
                                   const char *sheet, summary_t *summary, extra_t *extra)
{
    char *csv_path = g_strdup_printf("%s/%s", dir, file);
    FILE *fp = fopen(csv_path, "rb");
    if (!fp) {
        b->status = engage_fail(b->err, ENGAGE_EIO, csv_path, 0, "cannot read back: %s",
                                strerror(errno));
        g_free(csv_path);
        return b->status;
    }
    sheet_t s = {
        .b = b, .csv_path = csv_path, .file = file, .sheet = sheet, .header = true,
        .parts = g_ptr_array_new(),
        .header_text = g_ptr_array_new_with_free_func(g_free),
        .kind = g_array_new(FALSE, TRUE, sizeof(kind_t)),
        .width = g_array_new(FALSE, TRUE, sizeof(size_t)),
        .summary = summary, .extra = extra,
    };
    for (size_t k = 0; k < N_SUMMARY_COLUMNS; k++)
        s.summary_col[k] = -1;
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
    sheet_finish(&s);
done:
    g_ptr_array_free(s.parts, TRUE);
    g_ptr_array_free(s.header_text, TRUE);
    g_array_free(s.kind, TRUE);
    g_array_free(s.width, TRUE);
    g_free(csv_path);
    return b->status;
}

/* ------------------------------------------------------------------------ */
/* Summary and Read me                                                        */

typedef struct {
    book_t *b;
    xlsx_sheet_t *ws;
    uint32_t row;
} page_t;

static void page_line(page_t *pg, const char *text, xlsx_style_t format)
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
        page_line(pg, line, 0);
        g_free(line);
        p = cut;
        while (*p == ' ')
            p++;
    }
}

static void page_set_column(page_t *pg, uint32_t col, size_t chars)
{
    if (pg->b->status != ENGAGE_OK)
        return;
    xlsx_column_width(pg->ws, col, column_width(chars));
}

/* The Summary: a table of one row per scale with the shown columns of
 * summary_columns (from the figures the tables collected), a note on a
 * hidden scale, then what each column means. */
/* The first screen's items of scale s (its view_glance g: strongest or weakest)
 * by their short labels, "Q1 (71%); Q3 (66%)"; NULL when out of memory. */
static char *glance_items_text(const report_input_t *in, const view_t *view, size_t s, const view_glance_t *g,
                               bool strong)
{
    const analysis_scale_t *sc = view->scales[s].results;
    size_t n = strong ? g->n_strong : g->n_weak;
    if (n == 0)
        return g_strdup("");
    item_labels_t *labels = item_labels_of_scale(in->config, in->dataset, sc->scale);
    if (!labels || labels->n != sc->n_items) {
        item_labels_free(labels);
        return NULL;
    }
    GString *text = g_string_new(NULL);
    const size_t *idx = strong ? g->strong : g->weak;
    for (size_t i = 0; i < n; i++)
        g_string_append_printf(text, "%s%s (%s%s%%)", i ? "; " : "", labels->text[idx[i]],
                               sc->scale->reverse[idx[i]] ? "reversed, " : "",
                               figure_fixed(sc->items[idx[i]].favourable_pct, 0).s);
    item_labels_free(labels);
    return g_string_free(text, FALSE);
}

static engage_status_t write_summary(book_t *b, xlsx_sheet_t *ws, const summary_t *sum,
                                     const report_input_t *in)
{
    const view_t *view = b->view;
    page_t pg = { b, ws, 0 };
    unsigned have = (view->with_tree ? NEEDS_TREE : 0) | (view->with_units ? NEEDS_UNITS : 0) |
                    (view->with_changes ? NEEDS_CHANGES : 0);
    size_t shown[N_SUMMARY_COLUMNS], n_shown = 0;
    for (size_t k = 0; k < N_SUMMARY_COLUMNS; k++)
        if (sum->present[k] && (summary_columns[k].needs & ~have) == 0)
            shown[n_shown++] = k;
    bool any_hidden = false;
    for (size_t i = 0; i < view->n_scales; i++)
        any_hidden |= view->scales[i].suppressed;
    /* then the first screen's figures the tables do not hold (view_glance) */
    enum { GLANCE_STAND_OUT, GLANCE_CHANGE, GLANCE_STRONG, GLANCE_WEAK, N_GLANCE };
    static const char *const glance_heading[N_GLANCE] = {
        "teams standing out", "favourable change (points)", "strongest items", "weakest items",
    };
    bool glance_shown[N_GLANCE] = { true, view->with_changes, true, true };
    size_t n_glance = 0;
    for (int k = 0; k < N_GLANCE; k++)
        n_glance += glance_shown[k];
    size_t n_columns = n_shown + n_glance + (any_hidden ? 1 : 0);
    size_t width[N_SUMMARY_COLUMNS + N_GLANCE + 1] = { 0 };
    char note[96];
    snprintf(note, sizeof note, "hidden: fewer than %ld scored", view->smallest_shown);

    xlsx_freeze_first_row(ws);
    xlsx_landscape(ws);
    xlsx_fit_width(ws);                    /* printed: one page wide */
    const char *headings[N_SUMMARY_COLUMNS + N_GLANCE + 1];
    for (size_t i = 0; i < n_shown; i++)
        headings[i] = summary_columns[shown[i]].heading;
    for (int k = 0, i = (int)n_shown; k < N_GLANCE; k++)
        if (glance_shown[k])
            headings[i++] = glance_heading[k];
    headings[n_shown + n_glance] = "note";
    for (size_t i = 0; i < n_columns; i++) {
        const char *heading = headings[i];
        put_string(b, ws, 0, (uint32_t)i, heading, b->bold);
        width[i] = strlen(heading) + FILTER_BUTTON;
    }
    pg.row = 1;
    for (size_t r = 0; r < sum->rows->len; r++, pg.row++) {
        const summary_row_t *row = &g_array_index(sum->rows, summary_row_t, r);
        for (size_t i = 0; i < n_shown; i++) {
            const char *text = row->cell[shown[i]];
            if (!text)
                continue;
            kind_t kind = column_kind(summary_columns[shown[i]].column);
            double v = kind != KIND_TEXT && workbook_is_number(text) ? g_ascii_strtod(text, NULL) : NAN;
            size_t chars;
            if (isfinite(v)) {
                put_number(b, ws, pg.row, (uint32_t)i, v, b->kind[kind]);
                chars = number_width(kind, v);
            } else {
                put_string(b, ws, pg.row, (uint32_t)i, text, 0);
                chars = text_width(text, strlen(text));
            }
            if (chars > width[i])
                width[i] = chars;
        }
        view_glance_t g = { 0 };
        if (r < view->n_scales)
            view_glance(view, r, &g);
        for (int k = 0, i = (int)n_shown; g.shown && k < N_GLANCE; k++) {
            if (!glance_shown[k])
                continue;
            uint32_t col = (uint32_t)i++;
            size_t chars = 0;
            if (k == GLANCE_STAND_OUT) {
                put_number(b, ws, pg.row, col, (double)g.stand_out, b->kind[KIND_COUNT]);
                chars = number_width(KIND_COUNT, (double)g.stand_out);
            } else if (k == GLANCE_CHANGE) {
                if (!g.with_change || !isfinite(g.favourable_change))
                    continue;
                put_number(b, ws, pg.row, col, g.favourable_change, b->kind[KIND_POINTS]);
                chars = number_width(KIND_POINTS, g.favourable_change);
            } else {
                char *text = glance_items_text(in, view, r, &g, k == GLANCE_STRONG);
                if (!text) {
                    b->status = engage_fail(b->err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
                    break;
                }
                put_string(b, ws, pg.row, col, text, 0);
                chars = text_width(text, strlen(text));
                g_free(text);
            }
            if (chars > width[col])
                width[col] = chars;
        }
        if (any_hidden && r < view->n_scales && view->scales[r].suppressed) {
            size_t col = n_shown + n_glance;
            put_string(b, ws, pg.row, (uint32_t)col, note, 0);
            if (strlen(note) > width[col])
                width[col] = strlen(note);
        }
    }
    if (b->status == ENGAGE_OK && n_columns > 0) {
        xlsx_autofilter(ws, 0, 0, pg.row - 1, (uint32_t)(n_columns - 1));
    }
    for (size_t i = 0; i < n_columns; i++)
        page_set_column(&pg, (uint32_t)i, width[i]);

    pg.row++;
    page_line(&pg, "Reading the figures", b->bold);
    page_paragraph(&pg, "One row per scale, the figures of scales.csv and variance.csv. An empty "
                        "cell is a figure that is hidden (Read me says when) or not defined.");
    page_paragraph(&pg, "respondents: everyone scored on the scale. favourable, neutral, "
                        "unfavourable: the shares of the scale's answers at or above its "
                        "favourable point, between, and at or below its unfavourable point, in "
                        "per cent; they add up to 100. mean and sd: the scores on the scale's "
                        "own range.");
    if (have & NEEDS_TREE)
        page_paragraph(&pg, "invited: the people the roster invites; response rate: the share of "
                            "them who responded, in per cent.");
    page_paragraph(&pg, "between managers: how much of the differences between people's scores "
                        "lies between managers' teams rather than within them (the REML share "
                        "over the shown teams). A high share means the team someone is in matters "
                        "to how they answer.");
    if (have & NEEDS_UNITS)
        page_paragraph(&pg, "between units, between managers within units: the same differences "
                            "split three ways, with the roster's units as a level above the "
                            "teams; the rest lies within teams.");
    if (have & NEEDS_CHANGES)
        page_paragraph(&pg, "change in mean: since the previous wave, over everyone scored in "
                            "each; its p-value is Welch's test's. Below 0.05 the change is "
                            "unlikely to be chance alone. favourable change: the favourable share's "
                            "change since the previous wave, in points.");
    page_paragraph(&pg, "teams standing out: the shown teams whose mean lies beyond their 99.8% "
                        "funnel limits (managers.csv's stands_out). strongest and weakest items: "
                        "the items with the highest and lowest favourable shares (items.csv), as "
                        "report.txt's At a glance names them.");
    return b->status;
}

/* The heatmap sheet: per shown scale a block, "SCALE: favourable % by
 * item" over a header of the items' short labels, then the company's row
 * and view_heatmap_rows' groups (units, the top levels' leaders, or the
 * managers: the rows report.html draws), each
 * cell the group's favourable share of the item as a number, or "hidden"
 * (text, so never coloured) where the view hides it.  Each item's column
 * is coloured by a three-colour scale through the company's value (orange
 * below, white at it, blue above, full HEATMAP_SHEET_SPAN points away:
 * readable with the common colour-vision deficiencies and as lightness in
 * greyscale).  Rows beyond
 * HEATMAP_SHEET_ROWS per scale are left to heatmap.csv. */
enum { HEATMAP_SHEET_ROWS = 500 };
/* The colours reach full strength this many points from the company. */
#define HEATMAP_SHEET_SPAN 20.0

static engage_status_t write_heatmap(book_t *b, xlsx_sheet_t *ws, const report_input_t *in)
{
    const view_t *view = b->view;
    const heatmap_t *h = view->heatmap;
    page_t pg = { b, ws, 0 };
    size_t rows[HEATMAP_SHEET_ROWS], more = 0, width[XLSX_COL_MAX > 1000 ? 1000 : XLSX_COL_MAX] = { 0 };
    const org_t *org = dataset_org(in->dataset);
    page_paragraph(&pg, "Each scale's items by group: the share of answers favourable, in per cent, for the "
                        "company and each group (units, or the leaders of the top two levels, or the managers, as report.html "
                        "draws them); the colour runs from orange (20 points or more below the "
                        "company) through white (the company's share) to blue (20 or more above). A hidden group's cell says hidden. heatmap.csv "
                        "has every group and level, with the counts and means.");
    pg.row++;
    for (size_t s = 0; h && s < h->n_scales && s < view->n_scales && b->status == ENGAGE_OK; s++) {
        const heatmap_scale_t *hs = &h->scales[s];
        if (view->scales[s].suppressed || hs->n_items == 0)
            continue;
        item_labels_t *labels = item_labels_of_scale(in->config, in->dataset, hs->scale);
        if (!labels || labels->n != hs->n_items) {
            item_labels_free(labels);
            return b->status = engage_fail(b->err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        }
        heatmap_level_t level;
        size_t n_rows = view_heatmap_rows(view, org, s, &level, rows, HEATMAP_SHEET_ROWS, &more);
        const char *group_heading = level == HEATMAP_UNIT ? "unit" : level == HEATMAP_LEADER ? "leader" : "manager";
        char *title = g_strdup_printf("%s: favourable %% by item", hs->scale->name);
        page_line(&pg, title, b->bold);
        g_free(title);
        uint32_t head = pg.row++;
        put_string(b, ws, head, 0, n_rows ? group_heading : "group", b->bold);
        if (width[0] < 12)
            width[0] = 12;
        size_t columns = hs->n_items < 999 ? hs->n_items : 999;
        for (size_t i = 0; i < columns; i++) {
            put_string(b, ws, head, (uint32_t)(i + 1), labels->text[i], b->bold);
            size_t chars = text_width(labels->text[i], strlen(labels->text[i]));
            if (chars > width[i + 1])
                width[i + 1] = chars;
        }
        uint32_t first = pg.row;
        for (size_t r = 0; r <= n_rows && b->status == ENGAGE_OK; r++, pg.row++) {
            heatmap_level_t at = r == 0 ? HEATMAP_COMPANY : level;
            size_t g = r == 0 ? 0 : rows[r - 1];
            const char *name = r == 0                ? "company"
                             : at == HEATMAP_UNIT   ? (in->units->names[g][0] ? in->units->names[g] : "(no unit)")
                             : at == HEATMAP_LEADER ? figures_leader_name(org, view->leaders->node[g + 1])
                                                    : dataset_manager_id(in->dataset, g);
            put_string(b, ws, pg.row, 0, name, r == 0 ? b->bold : 0);
            size_t chars = text_width(name, strlen(name));
            if (chars > width[0])
                width[0] = chars;
            for (size_t i = 0; i < columns; i++) {
                const heatmap_cell_t *c = heatmap_cell(hs, at, g, i);
                if (view_heatmap_shown(view, s, at, g, i) && isfinite(c->favourable_pct))
                    put_number(b, ws, pg.row, (uint32_t)(i + 1), c->favourable_pct, b->kind[KIND_PERCENT]);
                else
                    put_string(b, ws, pg.row, (uint32_t)(i + 1), "hidden", 0);
            }
        }
        /* each item's colours, through the company's share */
        for (size_t i = 0; i < columns && b->status == ENGAGE_OK && pg.row - 1 > first; i++) {
            const heatmap_cell_t *company = heatmap_cell(hs, HEATMAP_COMPANY, 0, i);
            if (!view_heatmap_shown(view, s, HEATMAP_COMPANY, 0, i) || !isfinite(company->favourable_pct))
                continue;
            xlsx_color_scale(ws, first, pg.row - 1, (uint32_t)(i + 1),
                             company->favourable_pct - HEATMAP_SHEET_SPAN, 0xE69F00,
                             company->favourable_pct, 0xFFFFFF,
                             company->favourable_pct + HEATMAP_SHEET_SPAN, 0x3D85C6);
        }
        if (more > 0) {
            char *note = g_strdup_printf("... and %zu more in heatmap.csv.", more);
            page_line(&pg, note, 0);
            g_free(note);
        }
        pg.row++;
        item_labels_free(labels);
    }
    for (size_t c = 0; c < sizeof width / sizeof width[0] && width[c]; c++)
        page_set_column(&pg, (uint32_t)c, width[c] < 8 ? 8 : width[c]);
    return b->status;
}

static engage_status_t write_readme(book_t *b, xlsx_sheet_t *ws, const report_input_t *in,
                                    const extra_t *extra, const char *const *sheet_names,
                                    size_t n_sheets)
{
    page_t pg = { b, ws, 0 };
    long k = b->view->smallest_shown;
    char *s;

    s = g_strdup_printf("engage %s: employee engagement report", in->version ? in->version : "");
    page_line(&pg, s, b->bold);
    g_free(s);
    pg.row++;
    GString *list = g_string_new(NULL);
    for (size_t i = 0; i < n_sheets; i++)
        g_string_append_printf(list, "%s%s", i ? ", " : "", sheet_names[i]);
    s = g_strdup_printf("Summary has the headline figures of each scale. Each sheet after this "
                        "one holds the CSV file of the same name, cell for cell (%s): figures as "
                        "numbers, ids, names and other text as text. An empty cell is a figure "
                        "that is hidden or not defined. rejects.csv is not included: it names "
                        "respondents.", list->str);
    page_paragraph(&pg, s);
    g_free(s);
    g_string_free(list, TRUE);
    bool unit = extra->on[EXTRA_UNIT], leader = extra->on[EXTRA_LEADER];
    if (unit || leader) {
        s = g_strdup_printf("The managers sheet has %s after managers.csv's columns, so that it "
                            "can be pivoted by %s: %s%s%s. They are not secret, and a hidden "
                            "manager's row keeps them, as it keeps its n.",
                            unit && leader ? "more columns" : "one more column",
                            unit && leader ? "unit or leader" : unit ? "unit" : "leader",
                            unit ? "unit is the manager's unit in the roster" : "",
                            unit && leader ? "; " : "",
                            !leader ? ""
                            : extra->on[EXTRA_LEADER_NAME]
                                ? "leader is the id of the manager's own manager in the "
                                  "roster's reporting tree (empty for a top), leader_name their name"
                                : "leader is the id of the manager's own manager in the "
                                  "roster's reporting tree (empty for a top)");
        page_paragraph(&pg, s);
        g_free(s);
    }
    pg.row++;

    page_line(&pg, "Suppression rule", b->bold);
    put_string(b, ws, pg.row, 0, "min_group", 0);
    put_number(b, ws, pg.row, 1, (double)k, 0);
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
        } else if (strcmp(sheet_names[i], "leaders") == 0) {
            page_paragraph(&pg, "A leader's organisation (leaders) follows the same rule across "
                                "every level of the reporting tree. A response rate is shown "
                                "only for a group of at least min_group invited people.");
        }
    }
    pg.row++;

    page_line(&pg, "Number formats", b->bold);
    page_paragraph(&pg, "Every figure is stored as the CSV holds it; only its display is "
                        "formatted. Counts show as whole numbers (1,234). Means, sds, intervals "
                        "and other statistics show two decimals (3.60), REML variance components "
                        "three. Per cent columns (favourable_pct, neutral_pct, unfavourable_pct, "
                        "response_rate) hold 0 to 100 and show one decimal and a % sign (55.4 "
                        "shows as 55.4%). Shares of variance (icc1, icc_reml, eta_squared, "
                        "share_between, share_unit, share_manager) hold 0 to 1 and show as a "
                        "percentage (0.135 shows as 13.5%). p- and q-values show three "
                        "decimals, and in scientific form below 0.001 (1.74E-22).");
    pg.row++;

    page_line(&pg, "Text cells", b->bold);
    page_paragraph(&pg, "In the CSV files, text that a spreadsheet would run as a formula "
                        "(starting with = + - @, tab or CR) has a leading apostrophe. Here it is "
                        "stored without it, as plain text, which a spreadsheet never runs.");
    pg.row++;

    page_line(&pg, "Config", b->bold);
    if (!in->config || !in->config->path) {
        page_line(&pg, "defaults (no config)", 0);
    } else {
        put_string(b, ws, pg.row, 0, "file", 0);
        put_string(b, ws, pg.row, 1, in->config->path, 0);
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
            page_line(&pg, line, 0);
            g_free(line);
            p = nl ? nl + 1 : end;
        }
    }

    page_set_column(&pg, 0, 16);
    page_set_column(&pg, 1, 12);
    /* printed: the columns its paragraphs run over (README_WRAP characters
     * from column A), one page wide */
    xlsx_fit_width(ws);
    if (b->status == ENGAGE_OK && pg.row > 0)
        xlsx_print_area(ws, 0, 0, pg.row - 1, README_PRINT_COLUMNS - 1);
    return b->status;
}

/* ------------------------------------------------------------------------ */

/* SOURCE_DATE_EPOCH when it is a whole number of seconds (0 excepted, as
 * engage has always taken it), else 1980-01-01. */
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

engage_status_t workbook_write(const report_input_t *in, const view_t *view, const char *dir,
                               const char *path, char sha256_hex[65], engage_error_t *err)
{
    book_t b = { .view = view, .path = path, .err = err, .status = ENGAGE_OK };
    engage_status_t st = xlsx_open(&b.x, path, dir, document_date(), err);
    if (st != ENGAGE_OK)
        return st;
    b.bold = xlsx_style(b.x, true, NULL);
    for (int k = 0; k < N_KINDS; k++)
        if (kind_format[k])
            b.kind[k] = xlsx_style(b.x, false, kind_format[k]);
    xlsx_sheet_t *summary_ws = xlsx_sheet(b.x, "Summary");
    xlsx_sheet_t *heatmap_ws = view->heatmap ? xlsx_sheet(b.x, "heatmap") : NULL;
    xlsx_sheet_t *readme = xlsx_sheet(b.x, "Read me");
    if (!summary_ws || !readme || (view->heatmap && !heatmap_ws))
        book_fail_memory(&b);

    summary_t summary = { .rows = g_array_new(FALSE, TRUE, sizeof(summary_row_t)) };
    extra_t extra = managers_extra(in, view);
    const char *names[N_SHEET_SPECS];
    size_t n_sheets = 0;
    for (size_t i = 0; i < N_SHEET_SPECS && b.status == ENGAGE_OK; i++) {
        const char *file = sheet_specs[i].file;
        char *csv = g_strdup_printf("%s/%s", dir, file);
        struct stat info;
        bool absent = sheet_specs[i].optional && stat(csv, &info) != 0 && errno == ENOENT;
        g_free(csv);
        if (absent)
            continue;
        names[n_sheets++] = sheet_specs[i].sheet;
        bool managers = strcmp(file, "managers.csv") == 0;
        write_table(&b, dir, file, sheet_specs[i].sheet, &summary, managers ? &extra : NULL);
    }
    if (b.status == ENGAGE_OK)
        write_summary(&b, summary_ws, &summary, in);
    if (b.status == ENGAGE_OK && heatmap_ws)
        write_heatmap(&b, heatmap_ws, in);
    if (b.status == ENGAGE_OK)
        write_readme(&b, readme, in, &extra, names, n_sheets);
    for (size_t i = 0; i < summary.rows->len; i++)
        for (size_t k = 0; k < N_SUMMARY_COLUMNS; k++)
            g_free(g_array_index(summary.rows, summary_row_t, i).cell[k]);
    g_array_free(summary.rows, TRUE);

    if (b.status != ENGAGE_OK) {
        xlsx_abandon(b.x);   /* nothing more is written */
        return b.status;
    }
    st = xlsx_close(b.x, err);
    if (st != ENGAGE_OK)
        return st;
    return sha256_hex ? hash_file(path, sha256_hex, err) : ENGAGE_OK;
}
