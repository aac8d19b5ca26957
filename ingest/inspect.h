/*
 * ingest/inspect.h — what an export holds, column by column, read without
 * any config: for `engage check --columns` and `engage init`.
 *
 * inspect_read() reads each file as `engage run` would (any encoding,
 * delimiter, compression; the tool and its header rows detected by
 * formats.h, its previews, tests, spam and unsubmitted rows left out) and
 * keeps per column its name as `items =` spells it, its spreadsheet letter,
 * the matrix question it belongs to (formats_question), and its distinct
 * answers with their counts (the first INSPECT_DISTINCT; a column with more
 * is free text or an id).  The answers of the first rows are kept too, as
 * indexes into those distinct answers, so that items can be correlated;
 * memory is bounded by INSPECT_CELLS however long the file.  Later files
 * add to the first file's columns by name.
 *
 * inspect_t owns everything in it; inspect_free() frees it.
 */
#ifndef ENGAGE_INSPECT_H
#define ENGAGE_INSPECT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "formats.h"

enum {
    INSPECT_DISTINCT = 64,         /* distinct answers kept per column */
    INSPECT_CELLS = 1 << 23,       /* answers kept for correlations, at most */
    INSPECT_ROWS = 50000,          /* rows whose answers are kept, at most */
    INSPECT_NOT_KEPT = 255,        /* a kept cell whose answer is not among the distinct ones */
};

typedef struct {
    char *text;
    size_t count;
} inspect_answer_t;

typedef struct {
    char *name;                    /* as `items =` names it */
    char letters[16];              /* spreadsheet column in the first file: A, B, ..., AA */
    char *question;                /* the matrix question it belongs to, or NULL */
    inspect_answer_t *answers;     /* distinct non-empty answers, in order of first appearance */
    size_t n_answers;
    bool more;                     /* more distinct answers than INSPECT_DISTINCT */
    size_t answered;               /* non-empty cells */
} inspect_column_t;

typedef struct {
    char *path;
    format_kind_t kind;
    bool archive;                  /* a canonical archive of `engage ingest` */
    const char *encoding;          /* static */
    char delimiter;
    size_t header_rows;
    size_t rows;                   /* data rows read */
    size_t excluded;               /* previews, tests, spam, unsubmitted */
    size_t short_rows;             /* rows with another field count than the header's (not read) */
    size_t unmatched;              /* columns not in the first file */
} inspect_file_t;

typedef struct {
    inspect_file_t *files;
    size_t n_files;
    inspect_column_t *columns;     /* the first file's */
    size_t n_columns;
    size_t rows;                   /* data rows read over all files */
    size_t kept_rows;              /* rows whose answers are in cells */
    uint8_t *cells;                /* kept_rows × n_columns: index into answers + 1; 0 empty */
    size_t capacity;               /* rows cells has room for */
    size_t row_cap;                /* rows kept at most */
    GHashTable *by_name;           /* column name -> index + 1 */
} inspect_t;

/* Read the exports.  format is "auto" or a tool's name (as --format).
 * ENGAGE_ENOINPUT when a file cannot be opened, ENGAGE_EDATA for a file
 * that is not a readable export (no header, binary, another tool than
 * format), each naming the file and line. */
engage_status_t inspect_read(const char *const *paths, size_t n_paths, const char *format, inspect_t **out,
                             engage_error_t *err);

void inspect_free(inspect_t *insp);

/* The kept answer of row r in column c: its distinct answer's index, or
 * -1 when the cell is empty or its answer is not kept. */
int inspect_cell(const inspect_t *insp, size_t r, size_t c);

/* The column listing, one line per column after a line per file:
 *   PREFIX  A  StartDate: "2026-09-14 09:02:28", "2026-09-14 09:11:51", ... (2000 distinct)
 * answers escaped (control characters and quotes) and cut, each line at
 * most `width` bytes; appended to out. */
void inspect_describe(const inspect_t *insp, const char *prefix, size_t width, GString *out);

/* text escaped for a one-line listing: quotes, backslashes and control
 * characters as \", \\, \n, \t, \xHH; cut (at a character boundary) with
 * "..." when it would be longer than max bytes.  Appended to out. */
void inspect_quote(const char *text, size_t max, GString *out);

#endif
