/*
 * ingest/inspect.c — an export's columns and answers without a config (see
 * inspect.h).
 *
 * Reading goes through the same source, decoder, CSV tokeniser and format
 * reader as ingest.c, so a file `engage run` reads is read here the same
 * way and its columns get the names a config must use.  Distinct answers
 * are found by a short linear scan (a rating column holds a handful); a
 * column past INSPECT_DISTINCT distinct answers stops collecting them.
 *
 * Owns the inspect_t it builds.
 */
#include "inspect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_rows.h"
#include "ingest.h"
#include "source.h"

typedef struct {
    inspect_t *insp;
    inspect_file_t *file;
    const char *format;
    format_reader_t reader;
    bool header_done;
    size_t *column_of;         /* per field of this file: index into insp->columns, or SIZE_MAX */
    size_t n_fields;
} reading_t;

static engage_status_t no_memory(const char *path, engage_error_t *err)
{
    return engage_fail(err, ENGAGE_ENOMEM, path, 0, "out of memory");
}

static bool is_blank(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return *s == '\0';
}

/* The first file's columns, or a later file's fields matched to them. */
static engage_status_t start_columns(reading_t *rd, const char *path, engage_error_t *err)
{
    inspect_t *insp = rd->insp;
    const format_reader_t *fr = &rd->reader;
    rd->n_fields = fr->n_names;
    rd->column_of = calloc(fr->n_names + 1, sizeof *rd->column_of);
    if (!rd->column_of)
        return no_memory(path, err);
    if (insp->n_files == 1) {
        insp->columns = calloc(fr->n_names + 1, sizeof *insp->columns);
        if (!insp->columns)
            return no_memory(path, err);
        insp->n_columns = fr->n_names;
        for (size_t i = 0; i < fr->n_names; i++) {
            inspect_column_t *c = &insp->columns[i];
            c->name = strdup(fr->names[i]);
            c->question = formats_question(fr, i);
            c->answers = calloc(INSPECT_DISTINCT, sizeof *c->answers);
            if (!c->name || !c->answers)
                return no_memory(path, err);
            ingest_column_letters(i, c->letters);
            if (!g_hash_table_contains(insp->by_name, c->name))
                g_hash_table_insert(insp->by_name, c->name, GSIZE_TO_POINTER(i + 1));
        }
        size_t cells = INSPECT_CELLS / (insp->n_columns ? insp->n_columns : 1);
        insp->row_cap = cells < INSPECT_ROWS ? cells : INSPECT_ROWS;
    }
    for (size_t i = 0; i < fr->n_names; i++) {
        gpointer found = g_hash_table_lookup(insp->by_name, fr->names[i]);
        rd->column_of[i] = found ? GPOINTER_TO_SIZE(found) - 1 : SIZE_MAX;
        if (!found)
            rd->file->unmatched++;
    }
    rd->file->kind = fr->kind;
    rd->file->archive = fr->archive;
    rd->file->header_rows = fr->header_rows;
    return ENGAGE_OK;
}

/* The index of text among column c's distinct answers, added when new;
 * INSPECT_NOT_KEPT when the column has too many to keep. */
static int note_answer(inspect_column_t *c, const char *text, size_t len, bool *failed)
{
    for (size_t k = 0; k < c->n_answers; k++) {
        if (c->answers[k].text[0] == text[0] && strcmp(c->answers[k].text, text) == 0) {
            c->answers[k].count++;
            return (int)k;
        }
    }
    if (c->n_answers == INSPECT_DISTINCT) {
        c->more = true;
        return INSPECT_NOT_KEPT;
    }
    char *copy = strndup(text, len);
    if (!copy) {
        *failed = true;
        return INSPECT_NOT_KEPT;
    }
    c->answers[c->n_answers] = (inspect_answer_t){.text = copy, .count = 1};
    return (int)c->n_answers++;
}

static engage_status_t read_data(reading_t *rd, const csv_row_t *row, const char *path, engage_error_t *err)
{
    inspect_t *insp = rd->insp;
    if (row->n_fields != rd->n_fields) {
        rd->file->short_rows++;
        return ENGAGE_OK;
    }
    ingest_reason_t kind;
    char reason[128];
    if (format_excluded(&rd->reader, row, &kind, reason, sizeof reason)) {
        rd->file->excluded++;
        return ENGAGE_OK;
    }
    rd->file->rows++;
    insp->rows++;
    uint8_t *kept = NULL;
    if (insp->kept_rows < insp->row_cap) {
        if (insp->kept_rows == insp->capacity) {
            size_t grown_rows = insp->capacity ? 2 * insp->capacity : 256;
            if (grown_rows > insp->row_cap)
                grown_rows = insp->row_cap;
            uint8_t *grown = realloc(insp->cells, grown_rows * (insp->n_columns ? insp->n_columns : 1));
            if (!grown)
                return no_memory(path, err);
            insp->cells = grown;
            insp->capacity = grown_rows;
        }
        kept = insp->cells + insp->kept_rows++ * insp->n_columns;
        memset(kept, 0, insp->n_columns);
    }
    bool failed = false;
    for (size_t i = 0; i < row->n_fields; i++) {
        size_t c = rd->column_of[i];
        const char *text = csv_row_field(row, i);
        if (c == SIZE_MAX || is_blank(text))
            continue;
        inspect_column_t *column = &insp->columns[c];
        column->answered++;
        int index = column->more ? INSPECT_NOT_KEPT : note_answer(column, text, csv_row_length(row, i), &failed);
        if (kept)
            kept[c] = (uint8_t)(index == INSPECT_NOT_KEPT ? INSPECT_NOT_KEPT : index + 1);
    }
    return failed ? no_memory(path, err) : ENGAGE_OK;
}

typedef struct {
    reading_t *rd;
    const char *path;
} callback_t;

static engage_status_t on_record(void *user, const csv_row_t *row, engage_error_t *err)
{
    callback_t *cb = user;
    reading_t *rd = cb->rd;
    if (rd->header_done)
        return read_data(rd, row, cb->path, err);
    format_step_t step;
    engage_status_t st = format_reader_add(&rd->reader, rd->format, cb->path, row, &step, err);
    if (st != ENGAGE_OK || step == FORMAT_MORE)
        return st;
    rd->header_done = true;
    st = start_columns(rd, cb->path, err);
    if (st == ENGAGE_OK && step == FORMAT_DONE_BEFORE)
        st = read_data(rd, row, cb->path, err);
    return st;
}

static engage_status_t read_file(inspect_t *insp, const char *path, const char *format, engage_error_t *err)
{
    inspect_file_t *grown = realloc(insp->files, (insp->n_files + 1) * sizeof *grown);
    if (!grown)
        return no_memory(path, err);
    insp->files = grown;
    inspect_file_t *file = &grown[insp->n_files++];
    memset(file, 0, sizeof *file);
    file->path = strdup(path);
    if (!file->path)
        return no_memory(path, err);
    source_t *src;
    engage_status_t st = source_open_path(&src, path, err);
    if (st != ENGAGE_OK)
        return st;
    reading_t rd = {.insp = insp, .file = file, .format = format};
    format_reader_init(&rd.reader);
    callback_t cb = {.rd = &rd, .path = path};
    csv_rows_options_t options = {.encoding = "auto", .delimiter = 0, .thread = true};
    csv_rows_info_t info = {0};
    st = csv_rows_read(src, path, &options, on_record, &cb, &info, err);
    source_close(src);
    file->encoding = info.encoding;
    file->delimiter = info.delimiter;
    if (st == ENGAGE_OK && rd.reader.header_rows == 0)
        st = engage_fail(err, ENGAGE_EDATA, path, 0, "empty file: no header and no data");
    else if (st == ENGAGE_OK && !rd.header_done)
        st = engage_fail(err, ENGAGE_EDATA, path, 0, "no data rows: the file has only a header (line %ld)",
                         rd.reader.header_line);
    format_reader_fini(&rd.reader);
    free(rd.column_of);
    return st;
}

engage_status_t inspect_read(const char *const *paths, size_t n_paths, const char *format, inspect_t **out,
                             engage_error_t *err)
{
    *out = NULL;
    inspect_t *insp = calloc(1, sizeof *insp);
    if (!insp)
        return no_memory(NULL, err);
    insp->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    engage_status_t st = ENGAGE_OK;
    for (size_t i = 0; i < n_paths && st == ENGAGE_OK; i++)
        st = read_file(insp, paths[i], format ? format : "auto", err);
    if (st != ENGAGE_OK) {
        inspect_free(insp);
        return st;
    }
    *out = insp;
    return ENGAGE_OK;
}

void inspect_free(inspect_t *insp)
{
    if (!insp)
        return;
    for (size_t i = 0; i < insp->n_files; i++)
        free(insp->files[i].path);
    free(insp->files);
    for (size_t c = 0; c < insp->n_columns; c++) {
        inspect_column_t *column = &insp->columns[c];
        for (size_t k = 0; k < column->n_answers; k++)
            free(column->answers[k].text);
        free(column->answers);
        free(column->name);
        free(column->question);
    }
    free(insp->columns);
    free(insp->cells);
    g_hash_table_destroy(insp->by_name);
    free(insp);
}

int inspect_cell(const inspect_t *insp, size_t r, size_t c)
{
    uint8_t v = insp->cells[r * insp->n_columns + c];
    return v == 0 || v == INSPECT_NOT_KEPT ? -1 : v - 1;
}

/* Bytes of the UTF-8 character starting with byte b (1 for a stray byte). */
static size_t char_length(unsigned char b)
{
    return b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
}

void inspect_quote(const char *text, size_t max, GString *out)
{
    GString *all = g_string_new(NULL);
    size_t n = strlen(text), fits = 0; /* bytes of `all` that fit with "..." after them */
    for (size_t i = 0; i < n;) {
        unsigned char b = (unsigned char)text[i];
        size_t bytes = char_length(b);
        if (i + bytes > n)
            bytes = n - i;
        if (b == '"' || b == '\\')
            g_string_append_printf(all, "\\%c", b);
        else if (b == '\n' || b == '\t' || b == '\r')
            g_string_append_printf(all, "\\%c", b == '\n' ? 'n' : b == '\t' ? 't' : 'r');
        else if (b < 0x20 || b == 0x7f || (b == 0xc2 && bytes == 2 && (unsigned char)text[i + 1] <= 0x9f))
            for (size_t k = 0; k < bytes; k++) /* C0, DEL and the C1 controls U+0080..U+009F */
                g_string_append_printf(all, "\\x%02x", (unsigned char)text[i + k]);
        else
            g_string_append_len(all, text + i, (gssize)bytes);
        i += bytes;
        if (all->len + 3 <= max)
            fits = all->len;
    }
    if (all->len <= max)
        g_string_append_len(out, all->str, (gssize)all->len);
    else if (max >= 3) {
        g_string_append_len(out, all->str, (gssize)fits);
        g_string_append(out, "...");
    }
    g_string_free(all, TRUE);
}

static const char *delimiter_word(char delimiter)
{
    return delimiter == ';' ? "semicolon" : delimiter == '\t' ? "tab" : "comma";
}

void inspect_describe(const inspect_t *insp, const char *prefix, size_t width, GString *out)
{
    GString *line = g_string_new(NULL);
    for (size_t f = 0; f < insp->n_files; f++) {
        const inspect_file_t *file = &insp->files[f];
        g_string_assign(line, prefix);
        inspect_quote(file->path, width / 2, line);
        g_string_append_printf(line, ": %s%s, %s, %s, %zu header row%s, %zu data rows", formats_layout(file->kind),
                               file->archive ? " (engage archive)" : "", file->encoding ? file->encoding : "utf-8",
                               delimiter_word(file->delimiter), file->header_rows,
                               file->header_rows == 1 ? "" : "s", file->rows);
        if (file->excluded)
            g_string_append_printf(line, ", %zu left out (previews, tests, spam, unsubmitted)", file->excluded);
        if (file->short_rows)
            g_string_append_printf(line, ", %zu with another field count", file->short_rows);
        if (file->unmatched)
            g_string_append_printf(line, ", %zu columns not in the first file", file->unmatched);
        g_string_append_c(line, '\n');
        g_string_append_len(out, line->str, (gssize)line->len);
    }
    for (size_t c = 0; c < insp->n_columns; c++) {
        const inspect_column_t *column = &insp->columns[c];
        char tail[64];
        if (column->more)
            snprintf(tail, sizeof tail, " (more than %d distinct)", INSPECT_DISTINCT);
        else if (column->n_answers == 0)
            snprintf(tail, sizeof tail, " (always empty)");
        else
            snprintf(tail, sizeof tail, " (%zu distinct)", column->n_answers);
        size_t budget = width > strlen(tail) + 1 ? width - strlen(tail) - 1 : 0;
        g_string_printf(line, "%s%-3s ", prefix, column->letters);
        inspect_quote(column->name, width / 2 > line->len ? width / 2 - line->len : 8, line);
        g_string_append_c(line, ':');
        size_t shown = 0;
        for (size_t k = 0; k < column->n_answers && k < 6; k++) {
            GString *one = g_string_new(shown ? ", \"" : " \"");
            inspect_quote(column->answers[k].text, 28, one);
            g_string_append_c(one, '"');
            bool last = k + 1 == column->n_answers;
            if (line->len + one->len + (last ? 0 : 5) > budget) {
                g_string_free(one, TRUE);
                break;
            }
            g_string_append_len(line, one->str, (gssize)one->len);
            g_string_free(one, TRUE);
            shown++;
        }
        if (shown < column->n_answers || column->more)
            g_string_append(line, shown ? ", ..." : " ...");
        g_string_append(line, tail);
        g_string_append_c(line, '\n');
        g_string_append_len(out, line->str, (gssize)line->len);
    }
    g_string_free(line, TRUE);
}
