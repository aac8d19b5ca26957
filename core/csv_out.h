/*
 * core/csv_out.h — writing CSV the way README.md promises: UTF-8, comma,
 * "\n", RFC 4180 quoting (via libcsv) only where a cell needs it, numbers
 * locale-independent with a chosen number of significant digits, NAN and
 * infinities as empty cells, and text that a spreadsheet would run as a
 * formula (= + - @ tab CR first) guarded with a leading '.
 *
 * A csv_out_t owns its buffer and the open file (plain stdio, or zlib gzip
 * when asked), hashes every byte it writes with SHA-256, and remembers the
 * first write error so callers check once, at csv_out_close().
 */
#ifndef ENGAGE_CSV_OUT_H
#define ENGAGE_CSV_OUT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct csv_out csv_out_t;

/* Open path for writing (NULL = stdout).  gzip: compress with zlib
 * (reproducible header: no name, no time).  ENGAGE_ECANTCREAT on failure. */
engage_status_t csv_out_open(csv_out_t **out, const char *path, bool gzip, engage_error_t *err);

/* A text cell.  guard_formula: prefix ' when the text starts with = + - @
 * tab or CR (report outputs); false for archives that must round-trip. */
void csv_out_text(csv_out_t *out, const char *text, bool guard_formula);

/* Whether csv_out_text guards text with a leading "'" (README.md: text
 * a spreadsheet would run as a formula: it begins with = + - @ tab or CR,
 * and is not a plain decimal number such as -0.25). */
bool csv_out_guards(const char *text);

/* A number cell: "%.<digits>g" in the C locale, byte for byte as snprintf
 * writes it (mostly without calling it); -0 is written as 0; NAN and ±inf
 * give an empty cell. */
void csv_out_number(csv_out_t *out, double value, int digits);

void csv_out_integer(csv_out_t *out, long long value);

/* An empty cell. */
void csv_out_empty(csv_out_t *out);

/* End the current row with "\n". */
void csv_out_end_row(csv_out_t *out);

/* A csv_out_t that keeps what is written in memory (no file, no digest):
 * part of a table formatted on another thread, for csv_out_append().
 * Close it with csv_out_close() (sha256_hex gets "").  ENGAGE_ENOMEM. */
engage_status_t csv_out_open_memory(csv_out_t **out, engage_error_t *err);

/* Write everything written so far to the memory csv_out_t `part` into out,
 * exactly as if it had been written there (hashed, compressed...); out then
 * continues on the row where part stopped.  A failure of part becomes out's. */
void csv_out_append(csv_out_t *out, csv_out_t *part);

/* Flush and close.  sha256_hex (may be NULL) receives the lowercase hex
 * digest of the bytes written (uncompressed).  Returns the first write error
 * as ENGAGE_EIO.  Frees out in every case. */
engage_status_t csv_out_close(csv_out_t *out, char sha256_hex[65], engage_error_t *err);

/* Begin the file with a UTF-8 byte order mark (call before the first
 * cell), for Excel users who double-click a CSV: without it Excel reads
 * UTF-8 as the Windows code page.  The mark counts in the SHA-256. */
void csv_out_bom(csv_out_t *out);

/* Format a number as csv_out_number would, into buf (returns buf; "" for
 * NAN/inf).  For report.txt and the manifest. */
char *csv_out_format_number(double value, int digits, char *buf, size_t size);

#endif
