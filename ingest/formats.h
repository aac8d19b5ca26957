/*
 * ingest/formats.h — which survey tool wrote a file, and what its header
 * rows mean.
 *
 * Each tool lays out its export differently: Qualtrics writes two or three
 * header rows, SurveyMonkey two (a question row whose empty cells continue
 * the question, and a row of statements), the others one.  A format is
 * recognised by the fixed metadata columns each tool writes (never by
 * question text, which comes in the survey's language) and turns the header
 * rows into one name per column, the names a config's `items =` uses:
 *
 *   canonical, Google Forms, Microsoft Forms, LimeSurvey: the header cell;
 *   Qualtrics: the column id of row 1 (legacy exports: row 2's name for the
 *     V1..V10 metadata columns);
 *   SurveyMonkey: "Question - Statement" where a question spans several
 *     columns, else the question.
 *
 * The format also knows each tool's respondent id column, the rows that are
 * not real responses (Qualtrics previews, tests and spam; LimeSurvey
 * responses never submitted) and the tool's own missing-answer code
 * (Qualtrics' -99).
 *
 * A format_reader_t owns copies of the header rows it was given and the
 * column names; format_reader_fini() frees them.
 */
#ifndef ENGAGE_FORMATS_H
#define ENGAGE_FORMATS_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/error.h"
#include "csv_rows.h"
#include "ingest.h"

typedef enum {
    FORMAT_CANONICAL,
    FORMAT_QUALTRICS,
    FORMAT_QUALTRICS_LEGACY,
    FORMAT_SURVEYMONKEY,
    FORMAT_GOOGLEFORMS,
    FORMAT_MSFORMS,
    FORMAT_LIMESURVEY,
} format_kind_t;

typedef enum {
    FORMAT_MORE,               /* the row was a header row; send the next one */
    FORMAT_DONE,               /* the row was the last header row */
    FORMAT_DONE_BEFORE,        /* the header ended before this row: it is data */
} format_step_t;

typedef struct {
    format_kind_t kind;
    bool archive;              /* canonical archive written by `engage ingest` */
    size_t header_rows;        /* header records read so far */
    long header_line;          /* physical line of the first header row */
    char ***rows;              /* copies of the header records */
    size_t *row_fields;
    size_t n_names;
    char **names;              /* one per column of the first header row */
    size_t *question_start;    /* SurveyMonkey: the column whose row-1 cell is
                                  the question column i belongs to */
    size_t status_field;       /* Qualtrics Status, or SIZE_MAX */
    size_t submit_field;       /* LimeSurvey submitdate, or SIZE_MAX */
} format_reader_t;

/* The tool's name as in README.md: "canonical", "qualtrics", ... */
const char *formats_name(format_kind_t kind);

/* A description of the layout for quality reports ("qualtrics legacy"). */
const char *formats_layout(format_kind_t kind);

void format_reader_init(format_reader_t *fr);
void format_reader_fini(format_reader_t *fr);

/* Feed records from the first on until the result is not FORMAT_MORE.
 * `configured` is the config's format ("auto" detects it).  A file that
 * does not carry the configured tool's signature gives ENGAGE_EDATA naming
 * the file and line; a canonical archive (respondent_id, manager_id first)
 * is always read as one. */
engage_status_t format_reader_add(format_reader_t *fr, const char *configured, const char *name,
                                  const csv_row_t *row, format_step_t *step, engage_error_t *err);

/* The tool's respondent id column, or NULL when it has none (Google Forms:
 * the row number is the id). */
const char *formats_default_respondent(const format_reader_t *fr);

/* The manager column of the canonical layout ("manager_id"), or NULL for
 * tools that have none of their own. */
const char *formats_default_manager(const format_reader_t *fr);

/* Why a data row is left out on purpose (a preview, a test, spam, an
 * unsubmitted response), or NULL to read it.  `kind` and `reason` receive
 * the kind and the text. */
const char *format_excluded(const format_reader_t *fr, const csv_row_t *row, ingest_reason_t *kind, char *reason,
                            size_t size);

/* The matrix question column i belongs to (malloc'd), or NULL when it is
 * not one row of a matrix: Qualtrics `Q2_1` -> "Q2"; a SurveyMonkey
 * question spanning several statement columns -> the question; Google Forms
 * and LimeSurvey full text `Question [Row]` -> "Question"; LimeSurvey codes
 * `Q1[SQ001]` -> "Q1"; a canonical file's `eng_1` or `Q[a]` likewise.
 * Microsoft Forms names a column by its statement alone: always NULL. */
char *formats_question(const format_reader_t *fr, size_t i);

/* Whether an answer cell is the tool's code for "seen but not answered". */
bool format_is_missing_code(const format_reader_t *fr, const char *text);

#endif
