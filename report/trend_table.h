/*
 * report/trend_table.h — trend.csv: the history of waves in long form, one
 * row per scale × level × group × wave (README.md, "trend.csv").  Renders
 * the view's decision (view_t.trend) and nothing else.
 */
#ifndef ENGAGE_TREND_TABLE_H
#define ENGAGE_TREND_TABLE_H

#include "report.h"
#include "view.h"

/* Write trend.csv at path; its SHA-256 into sha256_hex.  ENGAGE_EIO when
 * writing fails. */
engage_status_t trend_table_write(const report_input_t *in, const view_t *view, const char *path,
                                  char sha256_hex[65], engage_error_t *err);

#endif
