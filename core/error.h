/*
 * core/error.h — the one list of engage's error kinds and the detail record
 * that travels with them.
 *
 * Every module returns an engage_status_t and, on failure, fills an
 * engage_error_t with the file, physical line and message; only engage.c
 * prints errors or calls exit().  Library errors (libcsv, zlib, GSL, iconv,
 * inih, jansson) are translated into these kinds where they enter our code.
 *
 * Text from the input (file names, column names, ids, answers, config
 * values) reaches the terminal only through engage_escape: every control
 * character and every byte that is not UTF-8 is written as an escape, so a
 * crafted export cannot move the cursor, retitle the terminal or split one
 * message into several lines.
 */
#ifndef ENGAGE_ERROR_H
#define ENGAGE_ERROR_H

#include <stddef.h>
#include <stdio.h>

typedef enum {
    ENGAGE_OK = 0,
    ENGAGE_EUSAGE,    /* bad command line                      -> exit 64 */
    ENGAGE_EDATA,     /* input data unusable                   -> exit 65 */
    ENGAGE_ENOINPUT,  /* input missing or unreadable           -> exit 66 */
    ENGAGE_ENOMEM,    /* out of memory                         -> exit 71 */
    ENGAGE_ECANTCREAT,/* output not creatable                  -> exit 73 */
    ENGAGE_EIO,       /* I/O error while writing (disk full..) -> exit 74 */
    ENGAGE_ECONFIG    /* config error                          -> exit 78 */
} engage_status_t;

enum { ENGAGE_ERROR_TEXT = 512, ENGAGE_ERROR_FILE = 1024 };

/* A buffer for engage_error_format that always holds the whole line: an
 * escape takes at most four bytes per byte of text. */
enum { ENGAGE_ERROR_LINE = 4 * (ENGAGE_ERROR_FILE + ENGAGE_ERROR_TEXT) + 64 };

/* Where and what: file and line are omitted from the message when empty / 0. */
typedef struct {
    engage_status_t status;
    char file[ENGAGE_ERROR_FILE];
    long line;
    char message[ENGAGE_ERROR_TEXT];
    char hint[ENGAGE_ERROR_TEXT];
} engage_error_t;

/* A short, fixed description of a status ("input data unusable", ...). */
const char *engage_strerror(engage_status_t status);

/* The process exit status documented in README.md for a status. */
int engage_exit_code(engage_status_t status);

/* The status for an errno met while making or writing an output: a full
 * disk or an I/O error is ENGAGE_EIO, no memory ENGAGE_ENOMEM, anything
 * else (no permission, a file in the way) ENGAGE_ECANTCREAT. */
engage_status_t engage_output_status(int errnum);

/* Fill err (may be NULL) and return status, so callers can write
 *   return engage_fail(err, ENGAGE_EDATA, path, line, "bad %s", x);
 * file may be NULL, line may be 0. */
engage_status_t engage_fail(engage_error_t *err, engage_status_t status,
                            const char *file, long line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Attach a hint line to an already filled error. */
void engage_hint(engage_error_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Format "engage: FILE:LINE: message" (without newline) into buf, with
 * FILE and message escaped (engage_escape). */
void engage_error_format(const engage_error_t *err, char *buf, size_t size);

/* text made safe for a terminal, into out (size bytes with the NUL; a
 * longer result is cut before an escape, never inside one).  Tab, line feed
 * and carriage return become \t, \n and \r; every other control character
 * (C0, DEL and the C1 range U+0080..U+009F) and every byte that is not part
 * of valid UTF-8 becomes \xHH per byte (ESC is \x1b).  Valid UTF-8 text,
 * any script, and backslashes are kept as they are.  Returns out. */
char *engage_escape(const char *text, char *out, size_t size);

/* Print one line on stream: fmt formatted, escaped with engage_escape, then
 * a newline (on stderr, after clearing a progress line: progress.h).
 * Returns EOF when writing fails or memory runs out. */
int engage_print_line(FILE *stream, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
