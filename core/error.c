/*
 * core/error.c — messages and exit codes for engage_status_t, the helpers
 * that fill an engage_error_t, and the one escaping of input text for the
 * terminal (engage_escape).  Owns nothing; pure functions.
 */
#include "error.h"

#include <errno.h>
#include <glib.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"

const char *engage_strerror(engage_status_t status)
{
    switch (status) {
    case ENGAGE_OK: return "done";
    case ENGAGE_EUSAGE: return "usage error";
    case ENGAGE_EDATA: return "input data unusable";
    case ENGAGE_ENOINPUT: return "input missing or unreadable";
    case ENGAGE_ENOMEM: return "out of memory";
    case ENGAGE_ECANTCREAT: return "output not creatable";
    case ENGAGE_EIO: return "I/O error";
    case ENGAGE_ECONFIG: return "config error";
    }
    return "unknown error";
}

int engage_exit_code(engage_status_t status)
{
    switch (status) {
    case ENGAGE_OK: return 0;
    case ENGAGE_EUSAGE: return 64;
    case ENGAGE_EDATA: return 65;
    case ENGAGE_ENOINPUT: return 66;
    case ENGAGE_ENOMEM: return 71;
    case ENGAGE_ECANTCREAT: return 73;
    case ENGAGE_EIO: return 74;
    case ENGAGE_ECONFIG: return 78;
    }
    return 70;
}

engage_status_t engage_output_status(int errnum)
{
    switch (errnum) {
    case ENOSPC:
    case EIO:
    case EFBIG:
#ifdef EDQUOT
    case EDQUOT:
#endif
        return ENGAGE_EIO;
    case ENOMEM:
        return ENGAGE_ENOMEM;
    default:
        return ENGAGE_ECANTCREAT;
    }
}

engage_status_t engage_fail(engage_error_t *err, engage_status_t status,
                            const char *file, long line, const char *fmt, ...)
{
    if (!err)
        return status;
    err->status = status;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->hint[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

void engage_hint(engage_error_t *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->hint, sizeof err->hint, fmt, ap);
    va_end(ap);
}

/* The escape of one character of n bytes at p (NULL: kept as it is). */
static const char *escape_of(const unsigned char *p, size_t n, char *buf)
{
    if (n == 1 && *p == '\t')
        return "\\t";
    if (n == 1 && *p == '\n')
        return "\\n";
    if (n == 1 && *p == '\r')
        return "\\r";
    bool control = n == 1 ? (*p < 0x20 || *p == 0x7f) : (n == 2 && p[0] == 0xc2 && p[1] < 0xa0);
    if (!control)
        return NULL;
    for (size_t i = 0; i < n; i++)
        snprintf(buf + 4 * i, 5, "\\x%02x", p[i]);
    return buf;
}

char *engage_escape(const char *text, char *out, size_t size)
{
    if (size == 0)
        return out;
    size_t used = 0;
    const unsigned char *p = (const unsigned char *)text;
    size_t left = strlen(text);
    while (left > 0) {
        size_t n = 1;
        bool valid = *p < 0x80;
        if (!valid) {
            gunichar c = g_utf8_get_char_validated((const char *)p, (gssize)left);
            valid = c != (gunichar)-1 && c != (gunichar)-2;
            if (valid)
                n = (size_t)g_utf8_skip[*p];
        }
        char buf[16];
        const char *escaped = valid ? escape_of(p, n, buf) : (snprintf(buf, sizeof buf, "\\x%02x", *p), buf);
        const char *piece = escaped ? escaped : (const char *)p;
        size_t piece_len = escaped ? strlen(escaped) : n;
        if (used + piece_len >= size)
            break;
        memcpy(out + used, piece, piece_len);
        used += piece_len;
        p += n;
        left -= n;
    }
    out[used] = '\0';
    return out;
}

void engage_error_format(const engage_error_t *err, char *buf, size_t size)
{
    char file[4 * ENGAGE_ERROR_FILE], message[4 * ENGAGE_ERROR_TEXT];
    engage_escape(err->file, file, sizeof file);
    engage_escape(err->message, message, sizeof message);
    if (err->file[0] && err->line > 0)
        snprintf(buf, size, "engage: %s:%ld: %s", file, err->line, message);
    else if (err->file[0])
        snprintf(buf, size, "engage: %s: %s", file, message);
    else
        snprintf(buf, size, "engage: %s", message);
}

int engage_print_line(FILE *stream, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = NULL;
    int n = vasprintf(&text, fmt, ap);
    va_end(ap);
    if (n < 0)
        return EOF;
    size_t size = 4 * (size_t)n + 1;
    char *safe = malloc(size);
    int rc = EOF;
    if (safe) {
        engage_escape(text, safe, size);
        if (stream == stderr)
            progress_hold();   /* a progress line on the terminal is cleared first */
        rc = fputs(safe, stream) == EOF ? EOF : fputc('\n', stream);
        if (stream == stderr)
            progress_release();
    }
    free(safe);
    free(text);
    return rc;
}
