/*
 * report/item_labels.h — the short label by which report.txt and
 * report.html name each item of a scale.
 *
 * Survey tools name a matrix row by the whole question and the row
 * ("How much do you agree with each statement? - I am proud to work here",
 * "... [I am proud to work here]"), so the reports show the part that
 * tells a scale's items apart, or the config's `short_names`.  items.csv and
 * the workbook keep the full names.
 */
#ifndef ENGAGE_ITEM_LABELS_H
#define ENGAGE_ITEM_LABELS_H

#include <stddef.h>

#include "../core/config.h"
#include "../core/dataset.h"

enum {
    ITEM_LABEL_MAX_CHARS = 60   /* a derived label is cut to this many characters */
};

typedef struct {
    size_t n;
    char **text;                /* per item, in the scale's order; each malloc'd */
} item_labels_t;

/* The labels of n item names (names[i], in the scale's order).  With
 * `given` (one per item, distinct and non-empty: the config's short_names),
 * those, as they are.  Otherwise the rule of README.md: the longest prefix
 * the names share that ends with " - ", ": ", " [" or " (" is dropped (a
 * bracket only when every name ends with its closing "]" or ")", which goes
 * too), then the longest suffix they share that starts with " - ", " (" or
 * " ["; surrounding spaces are trimmed; a label left empty is the full
 * name; one longer than ITEM_LABEL_MAX_CHARS characters is cut at a space
 * (a character boundary when there is none in its second half) with "…".
 * Labels are distinct: two that a cut makes equal keep their start and their
 * end around "…", and if that still collides every label is the full name.
 * Deterministic; counts and cuts UTF-8 characters, never inside one (a byte
 * that is not UTF-8 counts as one).  The labels keep the names' bytes:
 * each writer escapes them as it escapes any text.  NULL when out of memory. */
item_labels_t *item_labels_new(const char *const *names, const char *const *given, size_t n);

/* The labels of a dataset scale: its column names, and the short_names of
 * the config scale of the same name when it gives them for the same
 * number of items (cfg may be NULL).  NULL when out of memory. */
item_labels_t *item_labels_of_scale(const config_t *cfg, const dataset_t *ds,
                                    const dataset_scale_t *scale);

void item_labels_free(item_labels_t *labels);

#endif
