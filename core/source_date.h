/*
 * core/source_date.h — the one time an output may carry.
 *
 * Outputs never depend on the clock (README.md, Reference): the
 * only date written anywhere is SOURCE_DATE_EPOCH's, when it is set to a
 * whole number of seconds.
 */
#ifndef ENGAGE_SOURCE_DATE_H
#define ENGAGE_SOURCE_DATE_H

#include <stdbool.h>
#include <time.h>

/* SOURCE_DATE_EPOCH as a time between 1970 and the year 9999; false when it
 * is unset, not a whole number of seconds, or out of that range. */
bool source_date_epoch(time_t *out);

#endif
