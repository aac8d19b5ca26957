/*
 * ingest/formats.c — survey-tool signatures and header rows (see formats.h).
 *
 * Signatures are the metadata columns each tool writes in the same words
 * whatever the survey's language (Google Forms is the exception: it
 * translates "Timestamp", so the translations it uses are listed).  Header
 * cells are compared ignoring case and surrounding spaces.
 *
 * Owns the copies of the header rows and the derived column names.
 */
#include "formats.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { MAX_HEADER_ROWS = 3 };

static const char *const GOOGLE_TIMESTAMP[] = {
    "Timestamp", "Marca temporal", "Horodateur", "Zeitstempel", "Carimbo de data/hora",
    "Informazioni cronologiche", "Tijdstempel", "Sygnatura czasowa", "Tidsstempel", "Tidstämpel",
    "Aikaleima", "Časová značka", "Zaman damgası", "Отметка времени", "タイムスタンプ", "时间戳",
    "時間戳記", "타임스탬프", "Dấu thời gian", "Stempel waktu", "Marcă temporală", "Χρονική σήμανση",
    NULL,
};

const char *formats_name(format_kind_t kind)
{
    switch (kind) {
    case FORMAT_QUALTRICS:
    case FORMAT_QUALTRICS_LEGACY: return "qualtrics";
    case FORMAT_SURVEYMONKEY: return "surveymonkey";
    case FORMAT_GOOGLEFORMS: return "googleforms";
    case FORMAT_MSFORMS: return "msforms";
    case FORMAT_LIMESURVEY: return "limesurvey";
    case FORMAT_CANONICAL: break;
    }
    return "canonical";
}

const char *formats_layout(format_kind_t kind)
{
    switch (kind) {
    case FORMAT_QUALTRICS: return "Qualtrics";
    case FORMAT_QUALTRICS_LEGACY: return "Qualtrics (legacy export)";
    case FORMAT_SURVEYMONKEY: return "SurveyMonkey";
    case FORMAT_GOOGLEFORMS: return "Google Forms";
    case FORMAT_MSFORMS: return "Microsoft Forms";
    case FORMAT_LIMESURVEY: return "LimeSurvey";
    case FORMAT_CANONICAL: break;
    }
    return "canonical";
}

/* a equals b ignoring ASCII case and spaces around a. */
static bool same_word(const char *a, const char *b)
{
    while (*a == ' ' || *a == '\t')
        a++;
    size_t n = strlen(b);
    if (strncasecmp(a, b, n) != 0)
        return false;
    for (a += n; *a; a++)
        if (*a != ' ' && *a != '\t')
            return false;
    return true;
}

static size_t find_word(char *const *fields, size_t n, const char *word)
{
    for (size_t i = 0; i < n; i++)
        if (same_word(fields[i], word))
            return i;
    return SIZE_MAX;
}

static bool row_has(const csv_row_t *row, const char *word)
{
    for (size_t i = 0; i < row->n_fields; i++)
        if (same_word(csv_row_field(row, i), word))
            return true;
    return false;
}

static bool field_is(const csv_row_t *row, size_t i, const char *word)
{
    return i < row->n_fields && same_word(csv_row_field(row, i), word);
}

/* "V" followed by digits only: a legacy Qualtrics metadata column id. */
static bool is_legacy_id(const char *s)
{
    if (s[0] != 'V' || !isdigit((unsigned char)s[1]))
        return false;
    for (s++; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

static format_kind_t detect(const csv_row_t *first, bool *archive)
{
    *archive = first->n_fields >= 2 && strcmp(csv_row_field(first, 0), "respondent_id") == 0 &&
               strcmp(csv_row_field(first, 1), "manager_id") == 0;
    if (*archive)
        return FORMAT_CANONICAL;
    if (row_has(first, "StartDate") && row_has(first, "EndDate") &&
        (row_has(first, "ResponseId") || row_has(first, "ResponseID")))
        return FORMAT_QUALTRICS;
    if (first->n_fields >= 3 && strcmp(csv_row_field(first, 0), "V1") == 0 &&
        strcmp(csv_row_field(first, 1), "V2") == 0 && strcmp(csv_row_field(first, 2), "V3") == 0)
        return FORMAT_QUALTRICS_LEGACY;
    if (row_has(first, "Respondent ID") && row_has(first, "Collector ID"))
        return FORMAT_SURVEYMONKEY;
    for (const char *const *w = GOOGLE_TIMESTAMP; *w; w++)
        if (field_is(first, 0, *w))
            return FORMAT_GOOGLEFORMS;
    if (field_is(first, 0, "ID") && field_is(first, 1, "Start time") && field_is(first, 2, "Completion time"))
        return FORMAT_MSFORMS;
    if ((row_has(first, "submitdate") && row_has(first, "lastpage")) ||
        (row_has(first, "Response ID") && row_has(first, "Date submitted")))
        return FORMAT_LIMESURVEY;
    return FORMAT_CANONICAL;
}

/* What a tool's first row must carry, for the mismatch message. */
static const char *signature(const char *tool)
{
    if (strcasecmp(tool, "qualtrics") == 0)
        return "StartDate, EndDate and ResponseId (or V1, V2, V3 of a legacy export)";
    if (strcasecmp(tool, "surveymonkey") == 0)
        return "Respondent ID and Collector ID";
    if (strcasecmp(tool, "googleforms") == 0)
        return "Timestamp as its first column";
    if (strcasecmp(tool, "msforms") == 0)
        return "ID, Start time and Completion time as its first columns";
    return "submitdate and lastpage (or Response ID and Date submitted)";
}

void format_reader_init(format_reader_t *fr)
{
    memset(fr, 0, sizeof *fr);
    fr->status_field = fr->submit_field = SIZE_MAX;
}

static void free_row(char **row, size_t n)
{
    for (size_t i = 0; row && i < n; i++)
        free(row[i]);
    free(row);
}

void format_reader_fini(format_reader_t *fr)
{
    for (size_t r = 0; r < fr->header_rows; r++)
        free_row(fr->rows[r], fr->row_fields[r]);
    free(fr->rows);
    free(fr->row_fields);
    free_row(fr->names, fr->n_names);
    free(fr->question_start);
    format_reader_init(fr);
}

static engage_status_t no_memory(const char *name, const csv_row_t *row, engage_error_t *err)
{
    return engage_fail(err, ENGAGE_ENOMEM, name, row->line, "out of memory");
}

static bool keep_row(format_reader_t *fr, const csv_row_t *row)
{
    if (!fr->rows) {
        fr->rows = calloc(MAX_HEADER_ROWS, sizeof *fr->rows);
        fr->row_fields = calloc(MAX_HEADER_ROWS, sizeof *fr->row_fields);
        if (!fr->rows || !fr->row_fields)
            return false;
    }
    char **copy = calloc(row->n_fields ? row->n_fields : 1, sizeof *copy);
    if (!copy)
        return false;
    for (size_t i = 0; i < row->n_fields; i++) {
        if (!(copy[i] = strdup(csv_row_field(row, i)))) {
            free_row(copy, i);
            return false;
        }
    }
    fr->rows[fr->header_rows] = copy;
    fr->row_fields[fr->header_rows] = row->n_fields;
    fr->header_rows++;
    return true;
}

/* Header row r's cell i, or "" when that row is shorter. */
static const char *header_cell(const format_reader_t *fr, size_t r, size_t i)
{
    return r < fr->header_rows && i < fr->row_fields[r] ? fr->rows[r][i] : "";
}

static bool is_blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0';
}

/* SurveyMonkey: a question's cell is followed by empty cells for the rest
 * of its columns [start, end); row 2 names each column's statement (a
 * matrix row, an "Other (please specify)"), or says Response for the
 * question's own answer. */
static bool surveymonkey_statement(const format_reader_t *fr, size_t start, size_t end, size_t i)
{
    const char *statement = header_cell(fr, 1, i);
    /* "Response" and "Open-Ended Response" mark a question's own answer
     * column, not a statement. */
    return end - start > 1 && !is_blank(statement) && !same_word(statement, "Response") &&
           !same_word(statement, "Open-Ended Response");
}

static char *surveymonkey_name(const format_reader_t *fr, size_t start, size_t end, size_t i)
{
    const char *question = header_cell(fr, 0, start);
    const char *statement = header_cell(fr, 1, i);
    if (!surveymonkey_statement(fr, start, end, i))
        return strdup(question);
    char *name = NULL;
    if (asprintf(&name, "%s - %s", question, statement) < 0)
        return NULL;
    return name;
}

static bool build_names(format_reader_t *fr)
{
    size_t n = fr->row_fields[0];
    fr->names = calloc(n ? n : 1, sizeof *fr->names);
    if (!fr->names)
        return false;
    if (fr->kind == FORMAT_SURVEYMONKEY && !(fr->question_start = calloc(n ? n : 1, sizeof *fr->question_start)))
        return false;
    fr->n_names = n;
    size_t start = 0, end = 0; /* the SurveyMonkey question column i belongs to */
    for (size_t i = 0; i < n; i++) {
        const char *first = header_cell(fr, 0, i);
        if (fr->kind == FORMAT_SURVEYMONKEY) {
            if (i == end) {
                start = i;
                end = i + 1;
                while (end < n && is_blank(header_cell(fr, 0, end)))
                    end++;
            }
            fr->names[i] = surveymonkey_name(fr, start, end, i);
            fr->question_start[i] = surveymonkey_statement(fr, start, end, i) ? start : SIZE_MAX;
        } else if (fr->kind == FORMAT_QUALTRICS_LEGACY && is_legacy_id(first) && header_cell(fr, 1, i)[0]) {
            fr->names[i] = strdup(header_cell(fr, 1, i));
        } else {
            fr->names[i] = strdup(first);
        }
        if (!fr->names[i])
            return false;
    }
    if (fr->kind == FORMAT_QUALTRICS || fr->kind == FORMAT_QUALTRICS_LEGACY)
        fr->status_field = find_word(fr->names, n, "Status");
    if (fr->kind == FORMAT_LIMESURVEY) {
        fr->submit_field = find_word(fr->names, n, "submitdate");
        if (fr->submit_field == SIZE_MAX)
            fr->submit_field = find_word(fr->names, n, "Date submitted");
    }
    return true;
}

/* Header rows of a layout: Qualtrics' third row of import ids is optional. */
static size_t header_rows_of(format_kind_t kind)
{
    switch (kind) {
    case FORMAT_QUALTRICS: return 3;
    case FORMAT_QUALTRICS_LEGACY:
    case FORMAT_SURVEYMONKEY: return 2;
    default: return 1;
    }
}

/* A Qualtrics import-id row: cells like {"ImportId":"QID2_1"}. */
static bool is_import_id_row(const csv_row_t *row)
{
    for (size_t i = 0; i < row->n_fields; i++) {
        const char *cell = csv_row_field(row, i);
        if (strncmp(cell, "{\"ImportId\"", 11) == 0)
            return true;
    }
    return false;
}

engage_status_t format_reader_add(format_reader_t *fr, const char *configured, const char *name,
                                  const csv_row_t *row, format_step_t *step, engage_error_t *err)
{
    *step = FORMAT_DONE;
    if (fr->header_rows == 0) {
        fr->header_line = row->line;
        bool auto_format = strcasecmp(configured, "auto") == 0;
        if (strcasecmp(configured, "canonical") == 0) {
            fr->kind = FORMAT_CANONICAL;
        } else {
            fr->kind = detect(row, &fr->archive);
            const char *found = formats_name(fr->kind);
            if (!auto_format && !fr->archive && strcasecmp(found, configured) != 0) {
                if (fr->kind == FORMAT_CANONICAL)
                    engage_fail(err, ENGAGE_EDATA, name, row->line,
                                "not a %s export: its first row lacks %s", configured, signature(configured));
                else
                    engage_fail(err, ENGAGE_EDATA, name, row->line,
                                "the config says format = %s, but this is a %s export", configured,
                                formats_layout(fr->kind));
                engage_hint(err, "set format = auto in [input] (or --format auto) to detect the tool");
                return ENGAGE_EDATA;
            }
        }
    } else if (fr->kind == FORMAT_QUALTRICS && fr->header_rows == 2 && !is_import_id_row(row)) {
        /* An export without the import-id row: this is the first response. */
        *step = FORMAT_DONE_BEFORE;
        return build_names(fr) ? ENGAGE_OK : no_memory(name, row, err);
    }
    if (!keep_row(fr, row))
        return no_memory(name, row, err);
    if (fr->header_rows < header_rows_of(fr->kind)) {
        *step = FORMAT_MORE;
        return ENGAGE_OK;
    }
    return build_names(fr) ? ENGAGE_OK : no_memory(name, row, err);
}

const char *formats_default_respondent(const format_reader_t *fr)
{
    if (fr->archive)
        return "respondent_id";
    switch (fr->kind) {
    case FORMAT_QUALTRICS: return "ResponseId";
    case FORMAT_QUALTRICS_LEGACY: return "ResponseID";
    case FORMAT_SURVEYMONKEY: return "Respondent ID";
    case FORMAT_GOOGLEFORMS: return NULL;
    case FORMAT_MSFORMS: return "ID";
    case FORMAT_LIMESURVEY:
        return find_word(fr->names, fr->n_names, "id") != SIZE_MAX ? "id" : "Response ID";
    case FORMAT_CANONICAL: break;
    }
    return "respondent_id";
}

const char *formats_default_manager(const format_reader_t *fr)
{
    return fr->kind == FORMAT_CANONICAL ? "manager_id" : NULL;
}

const char *format_excluded(const format_reader_t *fr, const csv_row_t *row, ingest_reason_t *kind, char *reason,
                            size_t size)
{
    if (fr->status_field < row->n_fields) {
        const char *status = csv_row_field(row, fr->status_field);
        bool excluded = true;
        if (same_word(status, "Survey Preview") || same_word(status, "1"))
            *kind = INGEST_REASON_PREVIEW;
        else if (same_word(status, "Survey Test") || same_word(status, "2"))
            *kind = INGEST_REASON_TEST;
        else if (same_word(status, "Spam") || same_word(status, "8"))
            *kind = INGEST_REASON_SPAM;
        else
            excluded = false;
        if (excluded) {
            snprintf(reason, size, "%s (Status = %.40s)", ingest_reason_name(*kind), status);
            return reason;
        }
    }
    if (fr->submit_field < row->n_fields && is_blank(csv_row_field(row, fr->submit_field))) {
        *kind = INGEST_REASON_NOT_SUBMITTED;
        snprintf(reason, size, "%s (%.40s is empty)", ingest_reason_name(*kind), fr->names[fr->submit_field]);
        return reason;
    }
    return NULL;
}

/* "eng_12" -> "eng": the name before a final _digits, or NULL. */
static char *before_underscore_number(const char *name)
{
    size_t n = strlen(name), k = n;
    while (k > 0 && isdigit((unsigned char)name[k - 1]))
        k--;
    if (k == n || k < 2 || name[k - 1] != '_')
        return NULL;
    return strndup(name, k - 1);
}

/* "Question [Row]" or "Q1[SQ001]" -> the text before the brackets, or NULL. */
static char *before_brackets(const char *name)
{
    size_t n = strlen(name);
    if (n < 4 || name[n - 1] != ']')
        return NULL;
    const char *open = strrchr(name, '[');
    if (!open || open == name || open + 2 > name + n - 1)
        return NULL;
    size_t k = (size_t)(open - name);
    while (k > 0 && name[k - 1] == ' ')
        k--;
    return k ? strndup(name, k) : NULL;
}

char *formats_question(const format_reader_t *fr, size_t i)
{
    if (i >= fr->n_names)
        return NULL;
    const char *name = fr->names[i];
    switch (fr->kind) {
    case FORMAT_SURVEYMONKEY:
        return fr->question_start[i] == SIZE_MAX ? NULL : strdup(header_cell(fr, 0, fr->question_start[i]));
    case FORMAT_QUALTRICS:
    case FORMAT_QUALTRICS_LEGACY: return before_underscore_number(name);
    case FORMAT_GOOGLEFORMS:
    case FORMAT_LIMESURVEY: return before_brackets(name);
    case FORMAT_CANONICAL: {
        char *question = before_brackets(name);
        return question ? question : before_underscore_number(name);
    }
    case FORMAT_MSFORMS: break;
    }
    return NULL;
}

bool format_is_missing_code(const format_reader_t *fr, const char *text)
{
    return (fr->kind == FORMAT_QUALTRICS || fr->kind == FORMAT_QUALTRICS_LEGACY) && strcmp(text, "-99") == 0;
}
