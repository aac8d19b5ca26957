/*
 * report/summary.h — report.txt, the plain-text summary an analyst reads
 * first.
 *
 * Lines fit in 80 columns (counted in UTF-8 characters); long names are
 * truncated with "...", paragraphs are wrapped.  It shows only figures that
 * the CSV outputs show (it renders the same published view), rounded for reading,
 * and never a respondent id.
 */
#ifndef ENGAGE_SUMMARY_H
#define ENGAGE_SUMMARY_H

#include <stddef.h>

#include "report.h"
#include "view.h"

enum {
    SUMMARY_WIDTH = 80,
    SUMMARY_MAX_RANKED = 40,   /* more shown managers: only the top and bottom ... */
    SUMMARY_RANK_EDGE = 20,    /* ... this many each */
    SUMMARY_NAME_IN_TEXT = 60  /* a scale name in a sentence is cut to this */
};

/* Build the text of report.txt into *text (malloc'd, *size bytes, NUL
 * terminated).  Fails only with ENGAGE_ENOMEM. */
engage_status_t summary_build(const report_input_t *in, const view_t *view, char **text,
                              size_t *size, engage_error_t *err);

#endif
