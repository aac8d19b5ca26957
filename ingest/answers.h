/*
 * ingest/answers.h — one answer cell to a number.
 *
 * An answer is not answered when it is empty or one of the config's
 * `missing` words; a number when it reads as one in full (decimals with
 * '.'); otherwise the text of a label in the scale's label set, matched
 * ignoring case and surrounding spaces, also in the "5 - Strongly agree" and
 * "Strongly agree (5)" forms.  Owns nothing.
 */
#ifndef ENGAGE_ANSWERS_H
#define ENGAGE_ANSWERS_H

#include <stddef.h>

#include "../core/config.h"

typedef enum { ANSWER_VALUE, ANSWER_MISSING, ANSWER_UNKNOWN } answer_kind_t;

/* Classify text (len bytes, need not be NUL-terminated) and set *value for
 * ANSWER_VALUE. */
answer_kind_t answers_read(const config_t *cfg, const config_label_set_t *labels, const char *text,
                           size_t len, double *value);

/* Move *text past surrounding spaces (space, tab, line breaks), shortening
 * *len: the part of a cell that labels and missing words are matched on. */
void answers_trim(const char **text, size_t *len);

/* The text (len bytes) in the form labels are matched in: trimmed and in
 * ASCII lower case, so that two answers one label would match alike have
 * the same form.  malloc'd; NULL when out of memory. */
char *answers_match_form(const char *text, size_t len);

/* Parse a whole cell as a finite decimal number ("4", "-1.5", "2e3"); no hex,
 * no inf/nan, no thousands separators.  Surrounding spaces are allowed. */
int answers_parse_number(const char *text, size_t len, double *value);

#endif
