/*
 * core/error.c — messages and exit codes for engage_status_t, and the helpers
 * that fill an engage_error_t.  Owns nothing; pure functions.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

void engage_error_format(const engage_error_t *err, char *buf, size_t size)
{
    if (err->file[0] && err->line > 0)
        snprintf(buf, size, "engage: %s:%ld: %s", err->file, err->line, err->message);
    else if (err->file[0])
        snprintf(buf, size, "engage: %s: %s", err->file, err->message);
    else
        snprintf(buf, size, "engage: %s", err->message);
}
