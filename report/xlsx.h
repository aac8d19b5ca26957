/*
 * report/xlsx.h — a spreadsheet file (.xlsx, Office Open XML) written as it
 * is filled: sheets of rows of inline strings and numbers, with the sheet
 * settings engage.xlsx uses (frozen header row, autofilter, column widths,
 * number formats, a bold font, colour scales, print settings).
 *
 * Rows go out as they are written (ascending, each row's cells in
 * ascending columns), so a sheet of millions of cells never sits in
 * memory: its XML is cut into chunks that are deflated (zlib, level 1) on
 * worker threads and kept, compressed, in a scratch file until the sheet's
 * head (its dimension and column widths, known only at the end) can go
 * before them.  The result does not depend on thread timing: each chunk is
 * compressed on its own, and the file is put together in chunk order.
 * Entries and offsets past 4 GiB are written as Zip64.
 *
 * The same calls give the same bytes: every zip entry is dated 1980-01-01,
 * and the document's date is the caller's.
 * Owns: the file, its scratch file and worker threads, for the length of
 * one xlsx_open() ... xlsx_close() / xlsx_abandon().
 */
#ifndef ENGAGE_XLSX_H
#define ENGAGE_XLSX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../core/error.h"

enum {
    XLSX_ROW_MAX = 1048576,   /* rows of a sheet */
    XLSX_COL_MAX = 16384,     /* columns of a sheet */
};

typedef struct xlsx xlsx_t;
typedef struct xlsx_sheet xlsx_sheet_t;
/* A cell format: 0 is the default; others from xlsx_style(). */
typedef int xlsx_style_t;

/* Create `path` into *out, its scratch file in folder `scratch_dir`
 * (unnamed, gone with the process).  created: the document's date.
 * ENGAGE_ECANTCREAT when the file cannot be created, ENGAGE_EIO when the
 * scratch file cannot, ENGAGE_ENOMEM. */
engage_status_t xlsx_open(xlsx_t **out, const char *path, const char *scratch_dir, time_t created,
                          engage_error_t *err);

/* A cell format: bold or not, and a number format code (NULL: General).
 * The first is number 1, the next 2, ... */
xlsx_style_t xlsx_style(xlsx_t *x, bool bold, const char *number_format);

/* A new sheet after the others; the first is the one shown on opening.
 * name: at most 31 characters, none of []:*?/\ .  NULL when out of
 * memory (then xlsx_close reports it). */
xlsx_sheet_t *xlsx_sheet(xlsx_t *x, const char *name);

/* Cells, rows and columns from 0, in order: each cell in the row of the
 * last one, right of it, or in a later row (a cell before the last one is
 * an error xlsx_close reports).
 * A string: text as it is (UTF-8 that XML can hold, at most 32,767
 * characters; & < > and control characters are escaped here); an empty
 * text is no cell. */
void xlsx_string(xlsx_sheet_t *s, uint32_t row, uint32_t col, const char *text, size_t len,
                 xlsx_style_t style);
/* A number given as its text, exactly as it goes into the file (a decimal
 * number: "-0.25", "1.5e-05"). */
void xlsx_number_text(xlsx_sheet_t *s, uint32_t row, uint32_t col, const char *text, size_t len,
                      xlsx_style_t style);
/* A finite number, written with 16 significant digits. */
void xlsx_number(xlsx_sheet_t *s, uint32_t row, uint32_t col, double value, xlsx_style_t style);

/* Sheet settings, any time before xlsx_close. */
void xlsx_freeze_first_row(xlsx_sheet_t *s);
void xlsx_landscape(xlsx_sheet_t *s);
/* Printed one page wide, as many pages long as it takes. */
void xlsx_fit_width(xlsx_sheet_t *s);
/* The first row printed on every page. */
void xlsx_repeat_first_row(xlsx_sheet_t *s);
void xlsx_print_area(xlsx_sheet_t *s, uint32_t first_row, uint32_t first_col, uint32_t last_row,
                     uint32_t last_col);
void xlsx_autofilter(xlsx_sheet_t *s, uint32_t first_row, uint32_t first_col, uint32_t last_row,
                     uint32_t last_col);
/* No "number stored as text" mark anywhere on the sheet. */
void xlsx_ignore_number_as_text(xlsx_sheet_t *s);
/* Column col's width in characters (as a spreadsheet counts them). */
void xlsx_column_width(xlsx_sheet_t *s, uint32_t col, double chars);
/* A three-colour scale over rows first_row..last_row of column col:
 * colours (0xRRGGBB) at the values low, mid and high. */
void xlsx_color_scale(xlsx_sheet_t *s, uint32_t first_row, uint32_t last_row, uint32_t col, double low,
                      uint32_t low_rgb, double mid, uint32_t mid_rgb, double high, uint32_t high_rgb);

/* Write the file out and free everything.  ENGAGE_EIO when it cannot be
 * written (err says why, naming `path`), ENGAGE_ENOMEM. */
engage_status_t xlsx_close(xlsx_t *x, engage_error_t *err);
/* Free everything, writing nothing more (the file is left as it is). */
void xlsx_abandon(xlsx_t *x);

/* Zip64 from this many bytes on instead of 4 GiB (tests only; 0: the
 * default). */
void xlsx_set_zip64_threshold(uint64_t bytes);
/* Deflate on this many worker threads (at most 2; 0: on the calling
 * thread) in the files opened from now on (tests only). */
void xlsx_set_workers(size_t n);

#endif
