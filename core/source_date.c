/*
 * core/source_date.c — reads SOURCE_DATE_EPOCH (see source_date.h).
 */
#include "source_date.h"

#include <errno.h>
#include <stdlib.h>

bool source_date_epoch(time_t *out)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (!s || !*s)
        return false;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    time_t t = (time_t)v;
    struct tm tm;
    if ((long long)t != v || !gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999)
        return false;
    *out = t;
    return true;
}
