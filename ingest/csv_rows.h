/*
 * ingest/csv_rows.h — records of a delimited text stream, with the physical
 * line where each starts.
 *
 * Tokenising is libcsv's (strict mode); this module feeds it line by line so
 * that it always knows the physical line (LF, CRLF and bare CR all end a
 * line), takes the text from decode.h (so it sees UTF-8 only), sniffs the
 * delimiter when none is configured, refuses NUL and other binary bytes,
 * caps the size of a field and a record, and names the line where an
 * unterminated quoted field starts.  Memory is bounded by the largest record
 * (and 64 KiB plus one read while the delimiter is sniffed).
 */
#ifndef ENGAGE_CSV_ROWS_H
#define ENGAGE_CSV_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "source.h"

enum { CSV_ROWS_MAX_FIELD = 1 << 20, CSV_ROWS_MAX_RECORD = 1 << 24 };

typedef struct {
    size_t n_fields;
    const char *bytes;         /* field i: the NUL-terminated string at bytes + start[i] */
    const uint32_t *start;     /* n_fields + 1 entries: start[i + 1] ends field i */
    long line;                 /* physical line where the record starts */
    double share_read;         /* how far through the input's stored bytes (0..1) the
                                  text tokenised so far reaches: the record ends
                                  before it; 0 when the input's size is not known */
} csv_row_t;

/* Field i of a record (valid during the callback). */
static inline const char *csv_row_field(const csv_row_t *row, size_t i)
{
    return row->bytes + row->start[i];
}

static inline size_t csv_row_length(const csv_row_t *row, size_t i)
{
    return row->start[i + 1] - row->start[i] - 1;
}

/* Called for every record; a non-OK return stops reading and is returned
 * by csv_rows_read (the callback fills err). */
typedef engage_status_t (*csv_row_fn)(void *user, const csv_row_t *row, engage_error_t *err);

typedef struct {
    const char *encoding;      /* config value: "auto", "utf-8", "utf-16" or "windows-1252" */
    char delimiter;            /* ',', ';' or '\t'; 0 = sniff it from the header rows */
    bool thread;               /* read and tokenise on a second thread while fn runs
                                  on this one (the records and errors are the same) */
} csv_rows_options_t;

/* What reading found out, filled in by csv_rows_read (also on error). */
typedef struct {
    char delimiter;            /* the delimiter used */
    const char *encoding;      /* static: "utf-8", "utf-16le", "utf-16be", "windows-1252" */
    bool bom;                  /* the text began with a byte order mark */
    long last_line;            /* physical lines read */
} csv_rows_info_t;

/* Read every record of src, decoded to UTF-8 (see decode.h), tokenised with
 * the given or sniffed delimiter.  `name` is the file name used in
 * messages. */
engage_status_t csv_rows_read(source_t *src, const char *name, const csv_rows_options_t *options,
                              csv_row_fn fn, void *user, csv_rows_info_t *info, engage_error_t *err);

#endif
