/*
 * report/svg.h — a small buffered writer of XML text (the HTML page and the
 * SVG plots inside it), with the few SVG shapes the plots need.
 *
 * Every piece of text that comes from data goes through svg_text(), which
 * escapes & < > " ' and replaces what XML cannot carry (control characters,
 * invalid UTF-8, U+FFFE/U+FFFF) so that a manager id such as
 * <script>alert(1)</script> can only ever be shown, never run or break the
 * markup.  Numbers are written locale-independently.  Output goes straight
 * to the file through a 64 KiB buffer and is hashed with SHA-256 as it is
 * written; the first write error is kept and reported by svg_out_close().
 */
#ifndef ENGAGE_SVG_H
#define ENGAGE_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/error.h"

typedef struct svg_out svg_out_t;

/* Create (truncate) path for writing.  ENGAGE_ECANTCREAT when it cannot be
 * created, ENGAGE_ENOMEM. */
engage_status_t svg_out_open(svg_out_t **out, const char *path, engage_error_t *err);

/* Flush and close; sha256_hex (may be NULL) receives the digest of every
 * byte written.  Returns the first write error as ENGAGE_EIO.  Frees out in
 * every case (NULL is allowed and is ENGAGE_OK). */
engage_status_t svg_out_close(svg_out_t *out, char sha256_hex[65], engage_error_t *err);

/* Markup written as it is: only for fixed strings of the program. */
void svg_raw(svg_out_t *out, const char *markup);

/* Markup from a format; integer and string conversions of program values
 * only (never %f/%g: those follow the locale; never data text). */
void svg_rawf(svg_out_t *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Text from data, escaped for element content and attribute values alike.
 * Tab, CR and LF become spaces; other control characters, invalid UTF-8 and
 * the non-characters XML forbids become U+FFFD.  NULL writes nothing. */
void svg_text(svg_out_t *out, const char *text);

/* svg_text() of at most max_chars characters of text, with "…" at the end
 * when it is cut. */
void svg_text_cut(svg_out_t *out, const char *text, size_t max_chars);

/* The number of characters (UTF-8 code points) of text. */
size_t svg_chars(const char *text);

/* v with `decimals` places (0..6), '.' as decimal point whatever the locale,
 * never "-0"; NAN and infinities give "n/a".  Into buf (at least 48 bytes);
 * returns buf. */
char *svg_fixed(double v, int decimals, char *buf, size_t size);

/* A table cell of text, escaped: <td class="t">text</td> (the pages' CSS
 * aligns class t to the left). */
void svg_cell_text(svg_out_t *out, const char *text);

/* svg_fixed() written out. */
void svg_number(svg_out_t *out, double v, int decimals);

/* A coordinate: one decimal place, trailing ".0" dropped. */
void svg_coord(svg_out_t *out, double v);

/* ------------------------------------------------------------------------ */
/* shapes                                                                     */

/* <svg> with a viewBox of width × height that scales to the page width
 * (class "plot"), role="img" and aria-labelledby pointing at its <title>
 * and <desc>, whose ids are id-title and id-desc.  id is a program string
 * (letters, digits, '-'); title and desc are data text. */
void svg_begin(svg_out_t *out, const char *id, double width, double height, const char *title,
               const char *desc);
void svg_end(svg_out_t *out);

/* Shapes with a CSS class (a program string; NULL for none).  A shape's
 * tooltip (svg_*_titled) is data text shown on hover, NULL for none. */
void svg_rect(svg_out_t *out, double x, double y, double w, double h, const char *cls);
void svg_line(svg_out_t *out, double x1, double y1, double x2, double y2, const char *cls);
void svg_circle(svg_out_t *out, double cx, double cy, double r, const char *cls,
                const char *tooltip);
/* n points as xy[2i], xy[2i+1]. */
void svg_polyline(svg_out_t *out, const double *xy, size_t n, const char *cls);
void svg_polygon(svg_out_t *out, const double *xy, size_t n, const char *cls);
/* anchor: "start", "middle" or "end"; text is data text (cut to max_chars,
 * 0 for no limit). */
void svg_label(svg_out_t *out, double x, double y, const char *anchor, const char *cls,
               const char *text, size_t max_chars);

#endif
