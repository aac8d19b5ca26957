/*
 * report/workbook.h — engage.xlsx: the CSV tables of one run as a
 * spreadsheet workbook (written by report/xlsx.c).
 *
 * The workbook is built from the CSV files already written into the
 * output folder, cell by cell, so it can never disagree with them: a first
 * sheet "Summary" (the headline figures per scale, from scales.csv and
 * variance.csv), "Read me" (the suppression rule, the number formats, the
 * config text), then one sheet per table — managers (with the workbook's
 * own unit, leader and leader_name columns), variance, items, changes (when
 * changes.csv exists), units (when units.csv exists), leaders (when
 * leaders.csv exists), scales, quality.  rejects.csv is left out: it names
 * respondents and is for the analyst.
 */
#ifndef ENGAGE_WORKBOOK_H
#define ENGAGE_WORKBOOK_H

#include "report.h"
#include "view.h"

/* Write `path` (engage.xlsx) from the CSV files in folder `dir` (the
 * temporary output folder, which also takes the writer's scratch file).
 * Numbers are stored as numbers, with the CSV's value and their column's
 * number format, only in columns known to hold figures; every other cell
 * is a plain string (the formula guard "'" of the CSVs removed), never a
 * formula.  The same CSVs give the same bytes: the
 * document date is SOURCE_DATE_EPOCH when it is a whole number of seconds,
 * else 1980-01-01.  sha256_hex (may be NULL) receives the file's SHA-256.
 * ENGAGE_ECANTCREAT when the file cannot be created, ENGAGE_EIO when a CSV
 * cannot be read or the workbook cannot be written, ENGAGE_ENOINPUT when
 * the config file can no longer be read, ENGAGE_ENOMEM. */
engage_status_t workbook_write(const report_input_t *in, const view_t *view, const char *dir,
                               const char *path, char sha256_hex[65], engage_error_t *err);

/* Whether a CSV cell is a number as engage writes numbers ("3", "-0.25",
 * "1.23456789012e-05": optional '-', digits without a leading zero unless
 * alone, optional fraction, optional exponent).  "007", "+3", "1,5",
 * "inf" and "" are not. */
bool workbook_is_number(const char *cell);

/* The text a CSV text cell stands for: without the leading "'" that the
 * CSV writer puts before text a spreadsheet would run as a formula
 * (= @ tab CR, or + - unless a plain number), else the cell itself.
 * Returns a pointer into cell. */
const char *workbook_unguard(const char *cell);

#endif
